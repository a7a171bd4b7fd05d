/*
 * flatten.c - turn a kdump-compressed file into the flattened stream that
 * `makedumpfile -F` would have written for it, record for record in
 * makedumpfile's order, for bench/run.sh's pipe measurements.
 *
 *   flatten DUMP OUT        (OUT may be "-" for standard output)
 *
 * A flattened file is a 4096-byte header ("makedumpfile", big-endian int64
 * type 1, version 1), then records {be64 offset, be64 size, data}, then
 * {-1, -1}.  makedumpfile 1.7.2 (as seen in the real vmcore.flat-zlib of
 * shared/fixtures) writes: the disk_dump_header, the notes and vmcoreinfo,
 * the sub-header, the bitmaps, then page descriptors and page data through
 * two caches: whenever the next page's data would overflow the 64 KiB data
 * cache, the descriptors gathered so far go out as one record, then the data
 * as one record (so descriptors arrive just before their data); at the end
 * the rest of both, then the eraseinfo and the sub-header again when there
 * is eraseinfo, then the end marker.  This program emits that sequence from
 * the finished file.
 * 64-bit little-endian kdump files, one piece, only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	CACHE = 64 << 10,	/* page_size << block_order (DEFAULT_ORDER 4) */
	DESC = 24,
	SUBHDR_LEN = 104,	/* sizeof(struct kdump_sub_header), 64-bit */
};

static int in_fd;
static FILE *out;

static void die(const char *what)
{
	fprintf(stderr, "flatten: %s: %s\n", what, errno ? strerror(errno) : "bad input");
	exit(1);
}

static void read_at(void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(in_fd, (char *)buf + got, len - got, (off_t)(off + got));

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			die("read");
		}
		got += (size_t)n;
	}
}

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

/* One record: the input's bytes [off, off + len). */
static void record(uint64_t off, uint64_t len)
{
	static unsigned char buf[CACHE];
	unsigned char h[16];

	while (len) {
		size_t n = len < CACHE ? (size_t)len : CACHE;

		put_be64(h, off);
		put_be64(h + 8, n);
		read_at(buf, n, off);
		if (fwrite(h, 1, 16, out) != 16 || fwrite(buf, 1, n, out) != n)
			die("write");
		off += n;
		len -= n;
	}
}

/* A write_cache() stream: bytes [flushed, produced) wait in the cache. */
struct cache {
	uint64_t flushed, produced;
};

static void cache_flush(struct cache *c)
{
	if (c->produced > c->flushed)
		record(c->flushed, c->produced - c->flushed);
	c->flushed = c->produced;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

int main(int argc, char **argv)
{
	unsigned char hdr[4096] = { 0 }, fh[4096] = "makedumpfile", end[16];
	unsigned char *bm, *descs;
	uint64_t bs, sub, bmb, bitmap_off, desc_off, n = 0, data_start, data_end, size;
	struct cache dc, pc;
	struct stat st;

	if (argc != 3) {
		fputs("usage: flatten DUMP OUT\n", stderr);
		return 2;
	}
	in_fd = open(argv[1], O_RDONLY);
	if (in_fd < 0 || fstat(in_fd, &st) < 0)
		die(argv[1]);
	size = (uint64_t)st.st_size;
	out = strcmp(argv[2], "-") ? fopen(argv[2], "w") : stdout;
	if (!out)
		die(argv[2]);
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	read_at(hdr, sizeof(hdr), 0);
	if (memcmp(hdr, "KDUMP   ", 8))
		die("not a kdump-compressed file");
	bs = le32(hdr + 428);
	sub = le32(hdr + 432);
	bmb = le32(hdr + 436);
	if (bs < 512 || bs > (1 << 20) || (bs & (bs - 1)) || !bmb)
		die("header");
	bitmap_off = (1 + sub) * bs;
	desc_off = bitmap_off + bmb * bs;
	/* descriptors: one per set bit of the 2nd bitmap */
	bm = malloc(bmb / 2 * bs);
	if (!bm)
		die("memory");
	read_at(bm, bmb / 2 * bs, bitmap_off + bmb / 2 * bs);
	for (uint64_t i = 0; i < bmb / 2 * bs; i++)
		n += (uint64_t)__builtin_popcount(bm[i]);
	free(bm);
	data_start = desc_off + n * DESC;

	put_be64(fh + 16, 1);
	put_be64(fh + 24, 1);
	if (fwrite(fh, 1, sizeof(fh), out) != sizeof(fh))
		die("write");
	record(0, bs);				/* disk_dump_header */
	record(bs, sub * bs);			/* sub-header, notes, vmcoreinfo */
	record(bitmap_off, bmb * bs);		/* 1st and 2nd bitmap */

	dc = (struct cache){ desc_off, desc_off };
	pc = (struct cache){ data_start, data_start };
	data_end = data_start;
	descs = malloc(CACHE / DESC * DESC);
	if (!descs)
		die("memory");
	for (uint64_t i = 0; i < n;) {
		uint64_t k = n - i < CACHE / DESC ? n - i : CACHE / DESC;

		read_at(descs, k * DESC, desc_off + i * DESC);
		for (uint64_t j = 0; j < k; j++) {
			uint64_t off = le64(descs + j * DESC);
			uint32_t sz = le32(descs + j * DESC + 8);
			uint64_t new_end = data_end;

			if (off >= data_start && off + sz <= size && off + sz > data_end)
				new_end = off + sz;
			if (new_end - pc.flushed > CACHE) {
				cache_flush(&dc);
				cache_flush(&pc);
			}
			dc.produced = desc_off + (i + j + 1) * DESC;
			pc.produced = data_end = new_end;
		}
		i += k;
	}
	free(descs);
	cache_flush(&dc);
	cache_flush(&pc);
	if (size > data_end) {
		record(data_end, size - data_end);	/* eraseinfo */
		if (sub)
			record(bs, SUBHDR_LEN);		/* sub-header rewritten */
	}
	memset(end, 0xff, sizeof(end));
	if (fwrite(end, 1, 16, out) != 16 || fflush(out) || (out != stdout && fclose(out)))
		die("write");
	return 0;
}
