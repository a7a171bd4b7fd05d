/*
 * Unit tests of the zlib page decoders (codecs/zlib-libdeflate.c,
 * codecs/zlib-isal.c): on every input, valid or hostile, each built decoder
 * gives what zlib's inflate (codecs/zlib.c) gives: the same page, or the
 * same message.  Inputs live on the heap at their exact size, so ASan sees a
 * read past the end in our code; the libraries are not instrumented, so
 * zlib_decoders_guarded puts input and output against unmapped pages.
 */
#include "tests/unit/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "codecs/codecs-priv.h"

#if HAVE_ZLIB
#include <zlib.h>

enum { PAGE = 4096 };

static const struct k2e_codec *const fast[] = {
	&k2e_codec_zlib_libdeflate,
	&k2e_codec_zlib_isal,
};

struct decoders {
	void *zctx;
	void *ctx[sizeof(fast) / sizeof(fast[0])];
};

static void decoders_init(struct decoders *d)
{
	struct k2e_err err;

	memset(d, 0, sizeof(*d));
	CHECK(k2e_codec_zlib.ctx_new(&d->zctx, &err) == 0);
	for (size_t i = 0; i < sizeof(fast) / sizeof(fast[0]); i++)
		if (fast[i]->built)
			CHECK(fast[i]->ctx_new(&d->ctx[i], &err) == 0);
}

static void decoders_release(struct decoders *d)
{
	k2e_codec_zlib.ctx_free(d->zctx);
	for (size_t i = 0; i < sizeof(fast) / sizeof(fast[0]); i++)
		if (fast[i]->built)
			fast[i]->ctx_free(d->ctx[i]);
}

/* Decode a copy of in[0..len) with every decoder; count disagreements with zlib. */
static unsigned agree(struct decoders *d, const unsigned char *in, size_t len, const char *what)
{
	unsigned char *t = malloc(len ? len : 1), want[PAGE], got[PAGE];
	struct k2e_err werr, gerr;
	unsigned bad = 0;
	int wrc, grc;

	memcpy(t, in, len);
	memset(want, 0x5a, PAGE);
	wrc = k2e_codec_zlib.decompress(d->zctx, want, PAGE, t, len, &werr);
	for (size_t i = 0; i < sizeof(fast) / sizeof(fast[0]); i++) {
		if (!fast[i]->built)
			continue;
		memset(got, 0x5a, PAGE);
		grc = fast[i]->decompress(d->ctx[i], got, PAGE, t, len, &gerr);
		if (grc != wrc || (wrc < 0 && strcmp(gerr.msg, werr.msg) != 0) ||
		    (wrc == 0 && memcmp(got, want, PAGE) != 0)) {
			if (!bad)
				k2e_test_fail(__FILE__, __LINE__, "%s: %s: rc %d '%s', zlib rc %d '%s'",
					      what, fast[i]->decoder, grc, grc < 0 ? gerr.msg : "",
					      wrc, wrc < 0 ? werr.msg : "");
			bad++;
		}
	}
	free(t);
	return bad;
}

static size_t deflate_page(const unsigned char *src, size_t len, unsigned char *dst, size_t cap,
			   int level)
{
	uLongf out = cap;

	return compress2(dst, &out, src, len, level) == Z_OK ? (size_t)out : 0;
}

static void sample(unsigned char *p, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)("zlib decoders "[i % 14]);
	test_fill_random(p + len / 4, len / 6, seed);
}

TEST(zlib_decoders_table)
{
	/* zlib pages go to the first decoder built, in the order codec.c documents. */
	const struct k2e_codec *c = k2e_codec_get(K2E_CODEC_ZLIB);

	CHECK_STR(c->name, "zlib");
	if (HAVE_LIBDEFLATE)
		CHECK(c == &k2e_codec_zlib_libdeflate);
	else if (HAVE_ISAL)
		CHECK(c == &k2e_codec_zlib_isal);
	else
		CHECK(c == &k2e_codec_zlib);
	CHECK(k2e_codec_zlib_libdeflate.built == (HAVE_LIBDEFLATE != 0));
	CHECK(k2e_codec_zlib_isal.built == (HAVE_ISAL != 0));
}

TEST(zlib_decoders_valid)
{
	unsigned char src[2 * PAGE], cmp[3 * PAGE];
	struct decoders d;
	unsigned bad = 0;

	decoders_init(&d);
	for (int level = 0; level <= 9; level += 3) {
		for (int kind = 0; kind < 3; kind++) {
			size_t clen;

			if (kind == 0)
				sample(src, PAGE, (uint32_t)level + 1);
			else if (kind == 1)
				memset(src, 0, PAGE);
			else
				test_fill_random(src, PAGE, (uint32_t)level + 7);
			clen = deflate_page(src, PAGE, cmp, sizeof(cmp), level);
			if (!CHECK(clen > 0))
				continue;
			bad += agree(&d, cmp, clen, "valid page");
			/* Bytes after the stream's end are not read as a page. */
			memset(cmp + clen, 0xee, 64);
			bad += agree(&d, cmp, clen + 64, "trailing bytes");
		}
	}
	/* Other lengths than a page: short, long, empty. */
	sample(src, 2 * PAGE, 3);
	for (size_t len = 0; len <= 2 * PAGE; len += 1024) {
		size_t clen = deflate_page(src, len, cmp, sizeof(cmp), 6);

		if (CHECK(clen > 0))
			bad += agree(&d, cmp, clen, "wrong length");
	}
	bad += agree(&d, cmp, 0, "empty input");
	decoders_release(&d);
	CHECK_U64(bad, 0);
}

TEST(zlib_decoders_hostile)
{
	unsigned char src[PAGE], cmp[3 * PAGE], junk[300];
	struct decoders d;
	unsigned bad = 0;
	size_t clen;

	decoders_init(&d);
	sample(src, PAGE, 11);
	clen = deflate_page(src, PAGE, cmp, sizeof(cmp), 6);
	CHECK(clen > 16);
	/* Every prefix. */
	for (size_t cut = 0; cut < clen; cut++)
		bad += agree(&d, cmp, cut, "prefix");
	/* The Adler-32 trailer, and the header's check bits, method, window, dictionary. */
	for (int b = 0; b < 4; b++) {
		cmp[clen - 1 - b] ^= 0x40;
		bad += agree(&d, cmp, clen, "adler-32");
		cmp[clen - 1 - b] ^= 0x40;
	}
	for (unsigned h = 0; h < 0x10000; h += 0x101) {
		unsigned char save0 = cmp[0], save1 = cmp[1];

		cmp[0] = (unsigned char)(h >> 8);
		cmp[1] = (unsigned char)h;
		bad += agree(&d, cmp, clen, "header");
		cmp[0] = save0;
		cmp[1] = save1;
	}
	/* Bytes flipped all over the stream. */
	for (uint32_t seed = 1; seed <= 3000; seed++) {
		unsigned char r[4], *t = malloc(clen);

		memcpy(t, cmp, clen);
		test_fill_random(r, sizeof(r), seed);
		t[(r[0] | r[1] << 8) % clen] ^= (unsigned char)(r[2] | 1);
		if (seed & 1)
			t[(r[3] * 13u) % clen] = r[2];
		bad += agree(&d, t, clen, "flipped bytes");
		free(t);
	}
	/* Garbage behind a valid header. */
	for (uint32_t seed = 1; seed <= 500; seed++) {
		test_fill_random(junk, sizeof(junk), seed);
		junk[0] = 0x78;
		junk[1] = 0x9c;
		bad += agree(&d, junk, sizeof(junk), "garbage");
	}
	decoders_release(&d);
	CHECK_U64(bad, 0);
}
#endif

#if HAVE_ZLIB
/*
 * Reads past the input and writes past the page fault: both end where an
 * unmapped page begins.  Every prefix of a page's stream and corrupted
 * copies, through every decoder built (zlib's too).
 */
TEST(zlib_decoders_guarded)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), span = 2 * PAGE + pg;
	unsigned char *in = mmap(NULL, span + pg, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *out = mmap(NULL, PAGE + pg, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const struct k2e_codec *all[] = { &k2e_codec_zlib, &k2e_codec_zlib_libdeflate,
					  &k2e_codec_zlib_isal };
	unsigned char src[PAGE], cmp[3 * PAGE];
	size_t clen;
	unsigned tried = 0;

	if (!CHECK(in != MAP_FAILED && out != MAP_FAILED) || !CHECK(PAGE % pg == 0))
		return;
	CHECK(mprotect(in + span, pg, PROT_NONE) == 0);
	CHECK(mprotect(out + PAGE, pg, PROT_NONE) == 0);
	for (int kind = 0; kind < 2; kind++) {
		if (kind == 0)
			sample(src, PAGE, 21);
		else
			test_fill_random(src, PAGE, 22);	/* stored blocks */
		clen = deflate_page(src, PAGE, cmp, sizeof(cmp), 6);
		if (!CHECK(clen > 0 && clen <= span))
			continue;
		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
			void *ctx = NULL;
			struct k2e_err err;

			if (!all[i]->built || !CHECK(all[i]->ctx_new(&ctx, &err) == 0))
				continue;
			for (size_t cut = 0; cut <= clen; cut++) {
				memcpy(in + span - cut, cmp, cut);
				all[i]->decompress(ctx, out, PAGE, in + span - cut, cut, &err);
				tried++;
			}
			for (uint32_t seed = 1; seed <= 300; seed++) {
				unsigned char r[4], *t = in + span - clen;

				memcpy(t, cmp, clen);
				test_fill_random(r, sizeof(r), seed);
				t[(r[0] | r[1] << 8) % clen] ^= (unsigned char)(r[2] | 1);
				all[i]->decompress(ctx, out, PAGE, t, clen, &err);
				tried++;
			}
			/* A stream of two pages, into one: refused, nothing written past it. */
			{
				unsigned char *big = malloc(2 * PAGE), *bc = malloc(3 * PAGE);
				size_t blen;

				memset(big, 'k', 2 * PAGE);
				test_fill_random(big, PAGE + 100, 24);
				blen = deflate_page(big, 2 * PAGE, bc, 3 * PAGE, 6);
				if (CHECK(blen > 0 && blen <= span)) {
					memcpy(in + span - blen, bc, blen);
					CHECK(all[i]->decompress(ctx, out, PAGE, in + span - blen, blen,
								 &err) < 0);
					CHECK_STR(err.msg, "page decompresses to more than 4096 bytes");
				}
				free(big);
				free(bc);
			}
			all[i]->ctx_free(ctx);
		}
	}
	CHECK(tried > 0);
	munmap(in, span + pg);
	munmap(out, PAGE + pg);
}
#endif
