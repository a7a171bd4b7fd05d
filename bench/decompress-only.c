/*
 * decompress-only.c - D of bench/run.sh's physical limit: the time to only
 * decompress a dump's pages in memory, on one thread, with the codec
 * libraries kdump2elf uses.
 *
 *   decompress-only DUMP [PIECE...]
 *
 * Walks the dump's page descriptors with kdump2elf's own format iterator
 * (formats/format.h), loads the stored bytes of up to BATCH_BYTES of pages
 * into memory (not timed), then times decoding them one by one into one page
 * buffer with k2e_codec_page (codecs/codec.h: one context per codec, reused).
 * 256 pages at a time into one output buffer.  The shared zero page is
 * decoded once, as kdump2elf does.  Each decoded page is then checked for
 * all zeros, timed apart (kdump2elf writes those as holes), which gives the
 * number of bytes kdump2elf must write.
 *
 * Prints one line:
 *   pages N data N zero N nonzero N lost N stored_bytes N write_bytes N
 *   decompress_s S zerocheck_s S read_s S
 * write_bytes = nonzero * page_size, the page bytes kdump2elf writes.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codecs/codec.h"
#include "formats/format.h"
#include "io/source.h"

enum { BATCH_BYTES = 64 << 20, SUB = 256 };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int page_is_zero(const unsigned char *p, size_t len)
{
	const uint64_t *w = (const uint64_t *)p;
	uint64_t acc = 0;

	for (size_t i = 0; i < len / 8; i++)
		acc |= w[i];
	return acc == 0;
}

struct state {
	struct k2e_dump *d;
	struct k2e_codec_ctxs ctxs;
	struct k2e_page_ref *ref;
	size_t n, cap;
	unsigned char *buf, *page, *zpage;
	size_t len;
	uint64_t data, zero, nonzero, lost, stored;
	double t_dec, t_zero, t_read;
	/* the shared zero page, decoded once */
	int zc_valid, zc_zero;
	uint16_t zc_input;
	uint64_t zc_off;
};

static void fail(const char *what, const struct k2e_err *err)
{
	fprintf(stderr, "decompress-only: %s: %s\n", what, err->msg);
	exit(1);
}

/* Read the batch's stored bytes (one read per contiguous run), then decode. */
static void run_batch(struct state *s)
{
	uint32_t ps = s->d->page_size;
	size_t *pos = malloc((s->n ? s->n : 1) * sizeof(*pos));
	struct k2e_err err;
	double t0 = now(), t1;

	if (!pos)
		exit(1);
	s->len = 0;
	for (size_t i = 0; i < s->n;) {
		size_t k = i + 1, total = s->ref[i].size, got;

		while (k < s->n && s->ref[k].input == s->ref[i].input &&
		       s->ref[k].off == s->ref[k - 1].off + s->ref[k - 1].size) {
			total += s->ref[k].size;
			k++;
		}
		if (k2e_source_read(s->d->in[s->ref[i].input].src, s->buf + s->len, total,
				    s->ref[i].off, &got, &err) < 0)
			fail("read", &err);
		if (got < total)
			memset(s->buf + s->len + got, 0, total - got);
		for (size_t m = i, p = s->len; m < k; m++) {
			pos[m] = p;
			p += s->ref[m].size;
		}
		s->len += total;
		i = k;
	}
	t1 = now();
	s->t_read += t1 - t0;

	/* Decode only, SUB pages at a time into one output buffer (as a kdump2elf
	 * worker does), then check those for all zeros, timed apart. */
	for (size_t i = 0; i < s->n; i += SUB) {
		size_t m = s->n - i < SUB ? s->n - i : SUB;
		unsigned char bad[SUB];

		t0 = now();
		for (size_t j = 0; j < m; j++) {
			struct k2e_err perr;
			const struct k2e_page_ref *r = &s->ref[i + j];

			bad[j] = k2e_codec_page(&s->ctxs, r->codec, s->page + j * ps, ps,
						s->buf + pos[i + j], r->size, &perr) < 0;
		}
		t1 = now();
		s->t_dec += t1 - t0;
		for (size_t j = 0; j < m; j++) {
			if (bad[j])
				s->lost++;
			else if (page_is_zero(s->page + j * ps, ps))
				s->zero++;
			else
				s->nonzero++;
		}
		s->t_zero += now() - t1;
	}
	s->data += s->n;
	s->stored += s->len;
	s->n = 0;
	free(pos);
}

int main(int argc, char **argv)
{
	struct state s = { 0 };
	struct k2e_page_iter *it;
	struct k2e_page_ref r;
	struct k2e_err err;
	uint64_t pages = 0;
	int n_in = argc - 1, more;

	if (n_in < 1) {
		fputs("usage: decompress-only DUMP [PIECE...]\n", stderr);
		return 2;
	}
	if (k2e_dump_open_paths((const char *const *)argv + 1, (size_t)n_in, 64 << 20, &s.d, &err) < 0)
		fail("open", &err);
	k2e_codec_ctxs_init(&s.ctxs);
	s.cap = BATCH_BYTES / 64;
	s.ref = malloc(s.cap * sizeof(*s.ref));
	s.buf = malloc(BATCH_BYTES + s.d->page_size);
	s.page = malloc((size_t)SUB * s.d->page_size);
	s.zpage = malloc(s.d->page_size);
	if (!s.ref || !s.buf || !s.page || !s.zpage)
		return 1;
	if (s.d->fmt->iter_new(s.d, &it, &err) < 0)
		fail("iterator", &err);
	while ((more = s.d->fmt->iter_next(it, &r, &err)) == 1) {
		pages++;
		if (r.kind == K2E_PAGE_LOST) {
			s.lost++;
			continue;
		}
		if (r.kind == K2E_PAGE_ZERO) {
			s.zero++;
			continue;
		}
		if (r.size == 0 || r.size > s.d->page_size) {
			s.lost++;
			continue;
		}
		if (r.off == s.d->zero_off || (s.zc_valid && r.off == s.zc_off &&
					       r.input == s.zc_input)) {
			if (!s.zc_valid || r.off != s.zc_off || r.input != s.zc_input) {
				unsigned char *raw = malloc(r.size);
				size_t got;

				if (!raw || k2e_source_read(s.d->in[r.input].src, raw, r.size, r.off,
							    &got, &err) < 0)
					fail("zero page", &err);
				s.zc_valid = 1;
				s.zc_off = r.off;
				s.zc_input = r.input;
				s.zc_zero = k2e_codec_page(&s.ctxs, r.codec, s.zpage, s.d->page_size,
							   raw, r.size, &err) == 0 &&
					    page_is_zero(s.zpage, s.d->page_size);
				free(raw);
			}
			if (s.zc_zero) {
				s.zero++;
				continue;
			}
		}
		if (s.n == s.cap || s.len + r.size > BATCH_BYTES) {
			run_batch(&s);
			s.len = 0;
		}
		s.ref[s.n++] = r;
		s.len += r.size;
	}
	if (more < 0)
		fail("descriptors", &err);
	run_batch(&s);
	s.d->fmt->iter_free(it);
	printf("pages %llu data %llu zero %llu nonzero %llu lost %llu stored_bytes %llu "
	       "write_bytes %llu decompress_s %.4f zerocheck_s %.4f read_s %.4f\n",
	       (unsigned long long)pages, (unsigned long long)s.data,
	       (unsigned long long)s.zero, (unsigned long long)s.nonzero,
	       (unsigned long long)s.lost, (unsigned long long)s.stored,
	       (unsigned long long)(s.nonzero * s.d->page_size), s.t_dec, s.t_zero, s.t_read);
	k2e_codec_ctxs_release(&s.ctxs);
	k2e_dump_free(s.d);
	free(s.ref);
	free(s.buf);
	free(s.page);
	free(s.zpage);
	return 0;
}
