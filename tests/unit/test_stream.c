/*
 * Unit tests of io/stream.c: flattened streams built here (makedumpfile's
 * 4096-byte header, then big-endian {offset, size} records, then -1/-1) and
 * plain streams, read through k2e_stream_source_new() over memfds and a pipe.
 */
#include "tests/unit/harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "io/source.h"

static struct k2e_source *open_flat(const struct tbuf *b, const char *spill_dir,
				    size_t mem_limit)
{
	struct k2e_source *s = NULL;
	struct k2e_err err;

	if (k2e_stream_source_new(test_memfd(b->p, b->len), NULL, 0, true, spill_dir, mem_limit,
				  &s, &err) < 0) {
		k2e_test_fail(__FILE__, __LINE__, "stream: %s", err.msg);
		return NULL;
	}
	return s;
}

static void pattern(unsigned char *p, size_t len, uint64_t off, unsigned char tag)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(tag ^ ((off + i) * 131 >> 3));
}

TEST(stream_out_of_order_records)
{
	struct tbuf b = { 0 };
	unsigned char page[3][4096], got[3 * 4096];
	struct k2e_source *s;
	struct k2e_err err;

	for (int i = 0; i < 3; i++)
		pattern(page[i], 4096, (uint64_t)i * 4096, 0);
	flat_header(&b);
	flat_record(&b, 8192, page[2], 4096);
	flat_record(&b, 0, page[0], 4096);
	flat_record(&b, 4096, page[1], 4096);
	flat_end(&b);
	s = open_flat(&b, NULL, 0);
	if (!s)
		goto out;
	CHECK_STR(s->kind, "flattened");
	CHECK(!s->random_access);
	CHECK_U64(k2e_source_size(s), UINT64_MAX);	/* not known before the end */
	/* One read spanning all three records. */
	if (CHECK(k2e_source_read_exact(s, got, sizeof(got), 0, &err) == 0)) {
		CHECK_MEM(got, page[0], 4096);
		CHECK_MEM(got + 4096, page[1], 4096);
		CHECK_MEM(got + 8192, page[2], 4096);
	}
	/* The middle again, unaligned. */
	CHECK(k2e_source_read_exact(s, got, 5000, 3000, &err) == 0);
	CHECK_MEM(got, page[0] + 3000, 1096);
	CHECK_MEM(got + 1096, page[1], 3904);
	CHECK(k2e_source_drain(s, &err) == 0);
	CHECK_U64(s->stats.records, 3);
	CHECK(!s->stats.truncated);
	CHECK_U64(s->stats.bytes_in, b.len);
	CHECK_U64(k2e_source_size(s), 3 * 4096);
	k2e_source_free(s);
out:
	tbuf_free(&b);
}

TEST(stream_reads_span_many_records)
{
	static const size_t cuts[] = { 0, 1, 100, 5000, 5001, 9000, 12345 };
	unsigned char ref[12345], got[12345];
	struct tbuf b = { 0 };
	struct k2e_source *s;
	struct k2e_err err;
	size_t n;

	pattern(ref, sizeof(ref), 0, 0x5a);
	flat_header(&b);
	for (size_t i = 0; i + 1 < sizeof(cuts) / sizeof(cuts[0]); i++)
		flat_record(&b, cuts[i], ref + cuts[i], cuts[i + 1] - cuts[i]);
	flat_end(&b);
	s = open_flat(&b, NULL, 0);
	if (!s)
		goto out;
	/* Before the end: a read inside pulls only what it needs. */
	CHECK(k2e_source_read_exact(s, got, 7950, 50, &err) == 0);
	CHECK_MEM(got, ref + 50, 7950);
	CHECK(s->stats.records < 6);
	/* Past the end of the data: a short read, then an error from read_exact. */
	CHECK(k2e_source_read(s, got, 100, 12300, &n, &err) == 0);
	CHECK_U64(n, 45);
	CHECK_MEM(got, ref + 12300, 45);
	CHECK(k2e_source_read_exact(s, got, 100, 12300, &err) < 0);
	CHECK_CONTAINS(err.msg, "truncated at offset 0x3039");
	CHECK(k2e_source_read(s, got, 10, 20000, &n, &err) == 0);
	CHECK_U64(n, 0);
	CHECK(k2e_source_read(s, got, 0, 0, &n, &err) == 0);
	CHECK_U64(n, 0);
	CHECK_U64(k2e_source_size(s), sizeof(ref));
	CHECK(!s->stats.truncated);
	k2e_source_free(s);
out:
	tbuf_free(&b);
}

/* Overlapping records: the last write wins, in memory and when spilled. */
static void overlap_case(size_t mem_limit, uint32_t seed, unsigned n_records)
{
	enum { SPAN = 1 << 16 };
	unsigned char *ref = malloc(SPAN), *got = malloc(SPAN), *data = malloc(SPAN);
	struct tbuf b = { 0 };
	struct k2e_source *s;
	struct k2e_err err;
	char *dir = test_tmpdir();
	uint32_t x = seed;

	flat_header(&b);
	/* A first record covers everything so no hole is left. */
	pattern(ref, SPAN, 0, 1);
	flat_record(&b, 0, ref, SPAN);
	for (unsigned i = 0; i < n_records; i++) {
		size_t off, len;

		x = x * 1103515245 + 12345;
		off = (x >> 8) % SPAN;
		x = x * 1103515245 + 12345;
		len = 1 + (x >> 8) % (i % 4 == 0 ? SPAN : 3000);
		if (off + len > SPAN)
			len = SPAN - off;
		pattern(data, len, off, (unsigned char)(i + 2));
		memcpy(ref + off, data, len);
		flat_record(&b, off, data, len);
	}
	flat_end(&b);
	s = open_flat(&b, dir, mem_limit);
	if (!s)
		goto out;
	CHECK(k2e_source_drain(s, &err) == 0);
	CHECK_U64(s->stats.records, n_records + 1);
	if (mem_limit && mem_limit < SPAN)
		CHECK(s->stats.spilled > 0);
	else
		CHECK_U64(s->stats.spilled, 0);
	memset(got, 0, SPAN);
	if (CHECKF(k2e_source_read_exact(s, got, SPAN, 0, &err) == 0, "%s", err.msg)) {
		size_t i = 0;

		while (i < SPAN && got[i] == ref[i])
			i++;
		CHECKF(i == SPAN, "mem_limit %zu seed %u: first difference at 0x%zx", mem_limit,
		       seed, i);
	}
	/* Unaligned pieces read back the same. */
	for (size_t off = 7; off < SPAN; off += 9973) {
		size_t len = SPAN - off < 3001 ? SPAN - off : 3001;

		CHECK(k2e_source_read_exact(s, got, len, off, &err) == 0);
		CHECK_MEM(got, ref + off, len);
	}
	/* The spill file is unlinked: nothing is left in its directory. */
	CHECK_I64(test_dir_count(dir), 0);
	k2e_source_free(s);
out:
	test_rmdir(dir);
	tbuf_free(&b);
	free(ref);
	free(got);
	free(data);
}

TEST(stream_overlap_last_write_wins)
{
	/* Hand-made: splits an extent, cuts heads and tails, spans several. */
	static const struct { size_t off, len; unsigned char tag; } w[] = {
		{ 0, 16384, 'a' }, { 4096, 4096, 'b' }, { 2048, 3072, 'c' },
		{ 7168, 13312, 'd' }, { 0, 1024, 'e' }, { 20380, 100, 'f' },
		{ 1000, 50, 'g' }, { 0, 20480, 'h' }, { 10, 10, 'i' },
	};
	static const size_t limits[] = { 0, 4096, 1 };
	unsigned char ref[20480], got[20480], data[20480];

	for (size_t l = 0; l < sizeof(limits) / sizeof(limits[0]); l++) {
		for (size_t upto = 1; upto <= sizeof(w) / sizeof(w[0]); upto++) {
			struct tbuf b = { 0 };
			struct k2e_source *s;
			struct k2e_err err;
			size_t hi = 0;

			memset(ref, 0, sizeof(ref));
			flat_header(&b);
			for (size_t i = 0; i < upto; i++) {
				pattern(data, w[i].len, w[i].off, w[i].tag);
				memcpy(ref + w[i].off, data, w[i].len);
				flat_record(&b, w[i].off, data, w[i].len);
				if (w[i].off + w[i].len > hi)
					hi = w[i].off + w[i].len;
			}
			flat_end(&b);
			s = open_flat(&b, NULL, limits[l]);
			if (!s) {
				tbuf_free(&b);
				continue;
			}
			CHECK(k2e_source_drain(s, &err) == 0);
			CHECK_U64(k2e_source_size(s), hi);
			if (CHECKF(k2e_source_read_exact(s, got, hi, 0, &err) == 0, "%s", err.msg))
				CHECKF(memcmp(got, ref, hi) == 0, "limit %zu, %zu records",
				       limits[l], upto);
			k2e_source_free(s);
			tbuf_free(&b);
		}
	}
}

TEST(stream_overlap_random)
{
	overlap_case(0, 1, 60);
	overlap_case(0, 2, 300);
	overlap_case(8192, 3, 100);	/* mostly spilled */
	overlap_case(40000, 4, 200);	/* some in memory, some spilled */
}

TEST(stream_spill_small_mem_limit)
{
	enum { N = 8, LEN = 4096 };
	unsigned char page[N][LEN], got[N * LEN];
	struct tbuf b = { 0 };
	struct k2e_source *s;
	struct k2e_err err;
	char *dir = test_tmpdir();

	flat_header(&b);
	for (int i = N - 1; i >= 0; i--) {	/* reversed: page 0 comes last */
		pattern(page[i], LEN, (uint64_t)i * LEN, 0x33);
		flat_record(&b, (uint64_t)i * LEN, page[i], LEN);
	}
	flat_end(&b);
	s = open_flat(&b, dir, LEN);
	if (!s)
		goto out;
	/* Page 0 arrives last: everything before it waits, most of it spilled. */
	CHECK(k2e_source_read_exact(s, got, LEN, 0, &err) == 0);
	CHECK_MEM(got, page[0], LEN);
	CHECK(s->stats.spilled >= (N - 2) * LEN);
	CHECK(s->stats.peak_buffered <= LEN);
	CHECK_I64(test_dir_count(dir), 0);
	/* Everything reads back right, across memory and spill extents. */
	if (CHECK(k2e_source_read_exact(s, got, sizeof(got), 0, &err) == 0))
		for (int i = 0; i < N; i++)
			CHECK_MEM(got + i * LEN, page[i], LEN);
	CHECK(k2e_source_read_exact(s, got, 3 * LEN, LEN / 2 + 5 * LEN, &err) < 0);
	CHECK(k2e_source_read_exact(s, got, 2 * LEN, LEN / 2 + 5 * LEN, &err) == 0);
	CHECK_MEM(got, page[5] + LEN / 2, LEN / 2);
	CHECK_MEM(got + LEN / 2, page[6], LEN);
	CHECK_MEM(got + 3 * LEN / 2, page[7], LEN / 2);
	k2e_source_free(s);
out:
	test_rmdir(dir);
	tbuf_free(&b);
}

TEST(stream_release_drops_arriving_records)
{
	enum { BIG = 256 << 10 };
	unsigned char *big = malloc(BIG), a[4096], c[4096], got[8192], mid[12288];
	struct tbuf b = { 0 };
	struct k2e_source *s;
	struct k2e_err err;
	size_t n;

	pattern(a, sizeof(a), 0, 'a');
	pattern(big, BIG, 4096, 'b');
	pattern(c, sizeof(c), 4096 + BIG, 'c');
	pattern(mid, sizeof(mid), 4096 + BIG + 4096, 'm');
	flat_header(&b);
	flat_record(&b, 0, a, sizeof(a));
	flat_record(&b, 4096, big, BIG);
	flat_record(&b, 4096 + BIG, c, sizeof(c));
	flat_record(&b, 4096 + BIG + 4096, mid, sizeof(mid));
	flat_end(&b);
	s = open_flat(&b, NULL, 0);
	if (!s)
		goto out;
	CHECK(k2e_source_read_exact(s, got, 4096, 0, &err) == 0);
	CHECK_MEM(got, a, 4096);
	CHECK_U64(s->stats.records, 1);
	/* Release what has arrived and what has not. */
	k2e_source_release(s, 0, 4096);
	k2e_source_release(s, 4096, BIG);
	/* And the middle of the last record, before it arrives. */
	k2e_source_release(s, 4096 + BIG + 4096 + 4096, 4096);
	CHECK(k2e_source_read_exact(s, got, 4096, 4096 + BIG, &err) == 0);
	CHECK_MEM(got, c, 4096);
	/* The released 256 KiB record was dropped on arrival, never buffered. */
	CHECK(s->stats.peak_buffered <= 2 * 4096);
	CHECK_U64(s->stats.records, 3);
	/* Reading a released range is an error. */
	CHECK(k2e_source_read(s, got, 16, 0, &n, &err) < 0);
	CHECK_STR(err.msg, "offset 0x0 was read again after it was released");
	CHECK(k2e_source_read(s, got, 16, 4096 + 1000, &n, &err) < 0);
	CHECK_CONTAINS(err.msg, "offset 0x13e8 was read again");
	/* Both sides of the hole released in the last record are still there. */
	CHECK(k2e_source_read_exact(s, got, 4096, 4096 + BIG + 4096, &err) == 0);
	CHECK_MEM(got, mid, 4096);
	CHECK(k2e_source_read_exact(s, got, 4096, 4096 + BIG + 3 * 4096, &err) == 0);
	CHECK_MEM(got, mid + 8192, 4096);
	/* A read running into the hole is short. */
	CHECK(k2e_source_read(s, got, 8192, 4096 + BIG + 4096, &n, &err) == 0);
	CHECK_U64(n, 4096);
	CHECK(k2e_source_read_exact(s, got, 8192, 4096 + BIG + 4096, &err) < 0);
	CHECK_CONTAINS(err.msg, "truncated at offset 0x43000");
	/* Releasing everything, twice and in pieces, is harmless. */
	k2e_source_release(s, 0, 1 << 20);
	k2e_source_release(s, 100, 10);
	k2e_source_release(s, 0, 0);
	CHECK(k2e_source_read(s, got, 1, 4096 + BIG, &n, &err) < 0);
	CHECK(k2e_source_drain(s, &err) == 0);
	CHECK(!s->stats.truncated);
	k2e_source_free(s);
out:
	tbuf_free(&b);
	free(big);
}

TEST(stream_release_merges_ranges)
{
	unsigned char data[64], got[8];
	struct tbuf b = { 0 };
	struct k2e_source *s;
	struct k2e_err err;
	size_t n;

	pattern(data, sizeof(data), 0, 9);
	flat_header(&b);
	flat_record(&b, 0, data, sizeof(data));
	flat_end(&b);
	s = open_flat(&b, NULL, 0);
	if (!s)
		goto out;
	/* Out of order, touching and overlapping releases: [8,16) [24,32) [16,24) [30,40). */
	k2e_source_release(s, 8, 8);
	k2e_source_release(s, 24, 8);
	k2e_source_release(s, 16, 8);
	k2e_source_release(s, 30, 10);
	k2e_source_release(s, 50, 2);
	for (uint64_t off = 0; off < 64; off++) {
		bool rel = (off >= 8 && off < 40) || (off >= 50 && off < 52);
		int rc = k2e_source_read(s, got, 1, off, &n, &err);

		CHECKF(rc == (rel ? -1 : 0), "offset %llu: rc %d", (unsigned long long)off, rc);
		if (!rel && rc == 0)
			CHECK(n == 1 && got[0] == data[off]);
	}
	k2e_source_free(s);
out:
	tbuf_free(&b);
}

TEST(stream_missing_end_marker)
{
	unsigned char data[4096], got[4096];
	struct tbuf b = { 0 };
	struct k2e_source *s;
	struct k2e_err err;

	pattern(data, sizeof(data), 0, 4);
	/* Whole records, no end marker. */
	flat_header(&b);
	flat_record(&b, 0, data, 2048);
	flat_record(&b, 2048, data + 2048, 2048);
	s = open_flat(&b, NULL, 0);
	if (s) {
		CHECK(k2e_source_read_exact(s, got, 4096, 0, &err) == 0);
		CHECK(!s->stats.truncated);
		CHECK(k2e_source_drain(s, &err) == 0);
		CHECK(s->stats.truncated);
		CHECK_U64(k2e_source_size(s), 4096);
		k2e_source_free(s);
	}
	/* With the end marker: not truncated. */
	flat_end(&b);
	s = open_flat(&b, NULL, 0);
	if (s) {
		CHECK(k2e_source_drain(s, &err) == 0);
		CHECK(!s->stats.truncated);
		k2e_source_free(s);
	}
	tbuf_free(&b);

	/* Cut inside a record's data: what arrived is kept. */
	flat_header(&b);
	flat_record(&b, 0, data, 4096);
	b.len -= 4000;
	s = open_flat(&b, NULL, 0);
	if (s) {
		CHECK(k2e_source_read_exact(s, got, 4096, 0, &err) < 0);
		CHECK_CONTAINS(err.msg, "truncated at offset 0x60");
		CHECK(s->stats.truncated);
		CHECK(k2e_source_read_exact(s, got, 96, 0, &err) == 0);
		CHECK_MEM(got, data, 96);
		k2e_source_free(s);
	}
	tbuf_free(&b);

	/* Cut inside a record header. */
	flat_header(&b);
	flat_record(&b, 0, data, 16);
	tbuf_be64(&b, 16);
	s = open_flat(&b, NULL, 0);
	if (s) {
		CHECK(k2e_source_drain(s, &err) == 0);
		CHECK(s->stats.truncated);
		CHECK_U64(s->stats.records, 1);
		k2e_source_free(s);
	}
	tbuf_free(&b);
}

TEST(stream_bad_record)
{
	static const struct { uint64_t off, size; } bad[] = {
		{ 0, (uint64_t)-5 },			/* negative size */
		{ (uint64_t)-2, 16 },			/* negative offset */
		{ 0, UINT64_MAX },			/* size -1 without offset -1 */
		{ UINT64_MAX, 0 },
		{ 0, 1ULL << 41 },			/* absurd size */
	};
	unsigned char data[16] = "0123456789abcdef", got[16];
	char want[64];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tbuf b = { 0 };
		struct k2e_source *s;
		struct k2e_err err;

		flat_header(&b);
		flat_record(&b, 0, data, 16);
		tbuf_be64(&b, bad[i].off);
		tbuf_be64(&b, bad[i].size);
		tbuf_fill(&b, 0, 64);
		flat_end(&b);
		s = open_flat(&b, NULL, 0);
		if (!s)
			continue;
		CHECK(k2e_source_read_exact(s, got, 16, 0, &err) == 0);
		/* The second record's header is at 4096 + 16 + 16 = 0x1020. */
		if (CHECKF(k2e_source_drain(s, &err) < 0, "case %zu accepted", i)) {
			CHECK_CONTAINS(err.msg, "flattened record at offset 0x1020");
			snprintf(want, sizeof(want), "0x%llx", (unsigned long long)bad[i].size);
			CHECK_CONTAINS(err.msg, want);
		}
		k2e_source_free(s);
		tbuf_free(&b);
	}
}

TEST(stream_bad_header)
{
	struct tbuf b = { 0 };
	struct k2e_source *s = NULL;
	struct k2e_err err;

	flat_header(&b);
	b.p[16 + 7] = 2;	/* type 2 */
	CHECK(k2e_stream_source_new(test_memfd(b.p, b.len), NULL, 0, true, NULL, 0, &s, &err) < 0);
	CHECK_CONTAINS(err.msg, "unsupported type 2");
	CHECK(s == NULL);
	b.p[16 + 7] = 1;
	b.p[24 + 7] = 3;	/* version 3 */
	CHECK(k2e_stream_source_new(test_memfd(b.p, b.len), NULL, 0, true, NULL, 0, &s, &err) < 0);
	CHECK_CONTAINS(err.msg, "version 3");
	b.p[24 + 7] = 1;
	CHECK(k2e_stream_source_new(test_memfd(b.p, 100), NULL, 0, true, NULL, 0, &s, &err) < 0);
	CHECK_STR(err.msg, "flattened header truncated at offset 0x64");
	CHECK(k2e_stream_source_new(test_memfd(b.p, b.len), NULL, 0, true, NULL, 0, &s, &err) == 0);
	k2e_source_free(s);
	CHECK(k2e_flat_signature(b.p, b.len));
	CHECK(!k2e_flat_signature(b.p, 15));
	{
		static const char other[16] = "makedumpfilX";

		CHECK(!k2e_flat_signature(other, sizeof(other)));
	}
	tbuf_free(&b);
}

/* The header's first bytes already read by the caller (as k2e_source_open does for pipes). */
TEST(stream_flattened_with_head)
{
	unsigned char data[100], got[100], head[16];
	struct tbuf b = { 0 };
	struct k2e_source *s;
	struct k2e_err err;
	int fd;

	pattern(data, sizeof(data), 0, 6);
	flat_header(&b);
	flat_record(&b, 0, data, sizeof(data));
	flat_end(&b);
	fd = test_memfd(b.p, b.len);
	CHECK(read(fd, head, sizeof(head)) == (ssize_t)sizeof(head));
	if (CHECK(k2e_stream_source_new(fd, head, sizeof(head), true, NULL, 0, &s, &err) == 0)) {
		CHECK(k2e_source_read_exact(s, got, sizeof(got), 0, &err) == 0);
		CHECK_MEM(got, data, sizeof(data));
		k2e_source_free(s);
	}
	tbuf_free(&b);
}

TEST(stream_plain)
{
	enum { LEN = (5 << 20) / 2 };	/* 2.5 MiB: several 1 MiB chunks */
	unsigned char *data = malloc(LEN), *got = malloc(LEN), head[16];
	struct k2e_source *s;
	struct k2e_err err;
	size_t n;
	int fd;

	pattern(data, LEN, 0, 0x77);
	fd = test_memfd(data, LEN);
	CHECK(read(fd, head, sizeof(head)) == (ssize_t)sizeof(head));
	if (!CHECK(k2e_stream_source_new(fd, head, sizeof(head), false, NULL, 0, &s, &err) == 0))
		goto out;
	CHECK_STR(s->kind, "stream");
	/* Across the first chunk boundary. */
	CHECK(k2e_source_read_exact(s, got, 20, (1 << 20) - 10, &err) == 0);
	CHECK_MEM(got, data + (1 << 20) - 10, 20);
	CHECK(k2e_source_read_exact(s, got, 16, 0, &err) == 0);
	CHECK_MEM(got, data, 16);
	k2e_source_release(s, 0, 1 << 20);
	CHECK(k2e_source_read(s, got, 1, 5, &n, &err) < 0);
	CHECK_U64(k2e_source_size(s), UINT64_MAX);
	CHECK(k2e_source_read(s, got, LEN, 1 << 20, &n, &err) == 0);
	CHECK_U64(n, LEN - (1 << 20));
	CHECK_MEM(got, data + (1 << 20), n);
	CHECK_U64(k2e_source_size(s), LEN);
	CHECK(k2e_source_drain(s, &err) == 0);
	CHECK(!s->stats.truncated);
	CHECK_U64(s->stats.bytes_in, LEN);
	CHECK_U64(s->stats.records, 0);
	k2e_source_free(s);
out:
	free(data);
	free(got);
}

/* A real pipe, written by another thread, larger than the pipe's buffer. */
struct writer {
	int fd;
	const struct tbuf *b;
};

static void *write_all(void *arg)
{
	struct writer *w = arg;
	size_t done = 0;

	while (done < w->b->len) {
		ssize_t n = write(w->fd, w->b->p + done, w->b->len - done);

		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(w->fd);
	return NULL;
}

TEST(stream_pipe)
{
	enum { N = 64, LEN = 16384 };
	unsigned char *ref = malloc(N * LEN), *got = malloc(LEN);
	struct tbuf b = { 0 };
	struct k2e_source *s;
	struct k2e_err err;
	struct writer w;
	pthread_t th;
	int p[2];
	bool ok = true;

	pattern(ref, N * LEN, 0, 0x42);
	flat_header(&b);
	/* Pairs swapped: 1, 0, 3, 2, ... */
	for (int i = 0; i < N; i += 2) {
		flat_record(&b, (uint64_t)(i + 1) * LEN, ref + (i + 1) * LEN, LEN);
		flat_record(&b, (uint64_t)i * LEN, ref + i * LEN, LEN);
	}
	flat_end(&b);
	if (!CHECK(pipe(p) == 0))
		goto out;
	w.fd = p[1];
	w.b = &b;
	pthread_create(&th, NULL, write_all, &w);
	if (CHECK(k2e_stream_source_new(p[0], NULL, 0, true, NULL, 4 * LEN, &s, &err) == 0)) {
		for (int i = 0; i < N; i++) {
			ok &= k2e_source_read_exact(s, got, LEN, (uint64_t)i * LEN, &err) == 0 &&
			      memcmp(got, ref + i * LEN, LEN) == 0;
			k2e_source_release(s, (uint64_t)i * LEN, LEN);
		}
		CHECK(ok);
		CHECK(k2e_source_drain(s, &err) == 0);
		CHECK_U64(s->stats.bytes_in, b.len);
		CHECK_U64(s->stats.records, N);
		CHECK_U64(s->stats.spilled, 0);
		CHECK(s->stats.peak_buffered <= 2 * LEN);
		k2e_source_free(s);
	}
	pthread_join(th, NULL);
out:
	tbuf_free(&b);
	free(ref);
	free(got);
}

/* k2e_source_open picks the kind from the file. */
TEST(source_open_kinds)
{
	char *dir = test_tmpdir(), path[4096];
	struct tbuf b = { 0 };
	struct k2e_source *s;
	struct k2e_err err;
	FILE *f;

	flat_header(&b);
	flat_record(&b, 0, "hello", 5);
	flat_end(&b);
	snprintf(path, sizeof(path), "%s/flat", dir);
	f = fopen(path, "wb");
	fwrite(b.p, 1, b.len, f);
	fclose(f);
	if (CHECK(k2e_source_open(path, NULL, 0, &s, &err) == 0)) {
		char got[5];

		CHECK_STR(s->kind, "flattened");
		CHECK(k2e_source_read_exact(s, got, 5, 0, &err) == 0 && !memcmp(got, "hello", 5));
		k2e_source_free(s);
	}
	snprintf(path, sizeof(path), "%s/plain", dir);
	f = fopen(path, "wb");
	fwrite("KDUMP   xyz", 1, 11, f);
	fclose(f);
	if (CHECK(k2e_source_open(path, NULL, 0, &s, &err) == 0)) {
		uint64_t dev, ino;

		CHECK_STR(s->kind, "file");
		CHECK(s->random_access);
		CHECK_U64(k2e_source_size(s), 11);
		CHECK(k2e_source_identity(s, &dev, &ino));
		k2e_source_free(s);
	}
	CHECK(k2e_source_open(dir, NULL, 0, &s, &err) < 0);
	CHECK_STR(err.msg, "is a directory");
	snprintf(path, sizeof(path), "%s/missing", dir);
	CHECK(k2e_source_open(path, NULL, 0, &s, &err) < 0);
	CHECK_STR(err.msg, "cannot open: No such file or directory");
	test_rmdir(dir);
	tbuf_free(&b);
}

/*
 * A seekable flattened file is skimmed first: a read of a range written
 * twice waits for the last write, even before the end of the stream.
 */
TEST(stream_seekable_rewrite_seen_early)
{
	unsigned char a[8192], bb[2048], c[100], got[8192], ref[8192];
	struct tbuf b = { 0 };
	struct k2e_source *s;
	struct k2e_err err;

	pattern(a, sizeof(a), 0, 'a');
	pattern(bb, sizeof(bb), 4096, 'b');
	pattern(c, sizeof(c), 20000, 'c');
	memcpy(ref, a, sizeof(a));
	memcpy(ref + 4096, bb, sizeof(bb));
	flat_header(&b);
	flat_record(&b, 0, a, sizeof(a));
	flat_record(&b, 20000, c, sizeof(c));
	flat_record(&b, 4096, bb, sizeof(bb));	/* rewrites the middle of the first */
	flat_end(&b);
	s = open_flat(&b, NULL, 0);
	if (!s)
		goto out;
	/* Not rewritten: served after the first record alone. */
	CHECK(k2e_source_read_exact(s, got, 4096, 0, &err) == 0);
	CHECK_MEM(got, ref, 4096);
	CHECK_U64(s->stats.records, 1);
	/* Rewritten: waits for the third record. */
	CHECK(k2e_source_read_exact(s, got, 8192, 0, &err) == 0);
	CHECK_MEM(got, ref, 8192);
	CHECK_U64(s->stats.records, 3);
	k2e_source_free(s);
out:
	tbuf_free(&b);
}

/*
 * Many small records out of order (the reorder buffer is a balanced tree):
 * reversed and shuffled, seekable (skimmed) and not, in memory and spilled,
 * read front to back in pieces that are released as a format would.
 */
static void many_records_case(int order, bool skim, size_t mem_limit)
{
	enum { N = 20000 };
	size_t *offs = malloc((N + 1) * sizeof(*offs)), *perm = malloc(N * sizeof(*perm));
	unsigned char *ref, *got;
	struct tbuf b = { 0 };
	struct k2e_source *s = NULL;
	struct k2e_err err;
	unsigned char head[16];
	uint32_t x = 77;
	size_t total = 0;
	int fd;

	for (size_t i = 0; i < N; i++) {
		offs[i] = total;
		total += 1 + (i * 7919) % 97;	/* sizes 1..97 */
		perm[i] = order == 0 ? N - 1 - i : i;
	}
	offs[N] = total;
	if (order == 1) {
		for (size_t i = N - 1; i > 0; i--) {
			size_t j, t;

			x = x * 1103515245 + 12345;
			j = (x >> 4) % (i + 1);
			t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
		}
	}
	ref = malloc(total);
	got = malloc(total);
	pattern(ref, total, 0, 9);
	flat_header(&b);
	for (size_t i = 0; i < N; i++)
		flat_record(&b, offs[perm[i]], ref + offs[perm[i]], offs[perm[i] + 1] - offs[perm[i]]);
	flat_end(&b);
	fd = test_memfd(b.p, b.len);
	if (!skim)
		CHECK(read(fd, head, sizeof(head)) == (ssize_t)sizeof(head));
	if (!CHECKF(k2e_stream_source_new(fd, head, skim ? 0 : sizeof(head), true, NULL, mem_limit,
					  &s, &err) == 0, "%s", err.msg))
		goto out;
	/* The first piece waits for every record (reversed), then front to back. */
	for (size_t off = 0; off < total; off += 1000) {
		size_t len = total - off < 1000 ? total - off : 1000;

		if (!CHECKF(k2e_source_read_exact(s, got + off, len, off, &err) == 0,
			    "order %d, skim %d: %s", order, skim, err.msg))
			break;
		k2e_source_release(s, off, len);
	}
	CHECKF(memcmp(got, ref, total) == 0, "order %d, skim %d, mem_limit %zu", order, skim,
	       mem_limit);
	CHECK(k2e_source_drain(s, &err) == 0);
	CHECK_U64(s->stats.records, N);
	CHECK_U64(k2e_source_size(s), total);
	if (mem_limit)
		CHECK(s->stats.spilled > 0);
	k2e_source_free(s);
out:
	tbuf_free(&b);
	free(offs);
	free(perm);
	free(ref);
	free(got);
}

TEST(stream_many_records_reversed)
{
	many_records_case(0, true, 0);
	many_records_case(0, false, 0);
	many_records_case(0, true, 100000);
}

TEST(stream_many_records_shuffled)
{
	many_records_case(1, true, 0);
	many_records_case(1, false, 0);
	many_records_case(1, false, 100000);
}
