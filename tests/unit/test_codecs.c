/*
 * Unit tests of the codec table: each codec decodes a page compressed with
 * its real library, refuses truncated and corrupt input without crashing, and
 * refuses streams that decode to anything but exactly one page.
 */
#include "tests/unit/harness.h"

#include <stdio.h>
#include <stdlib.h>

#include "codecs/codec.h"

#if HAVE_ZLIB
#include <zlib.h>
#endif
#if HAVE_LZO
#include <lzo/lzo1x.h>
#endif
#if HAVE_SNAPPY
#include <snappy-c.h>
#endif
#if HAVE_ZSTD
#include <zstd.h>
#endif

enum { PAGE = 4096, CAP = 3 * PAGE };

/* A page that compresses but is not trivial: text with some random bytes. */
static void sample(unsigned char *p, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)("kdump2elf page "[i % 15]);
	test_fill_random(p + len / 3, len / 8, seed);
}

/* Compress src with codec id into dst; returns the size, 0 when not built. */
static size_t compress_with(enum k2e_codec_id id, const void *src, size_t len, void *dst,
			    size_t cap)
{
	switch (id) {
#if HAVE_ZLIB
	case K2E_CODEC_ZLIB: {
		uLongf out = cap;

		return compress2(dst, &out, src, len, 6) == Z_OK ? (size_t)out : 0;
	}
#endif
#if HAVE_LZO
	case K2E_CODEC_LZO: {
		static unsigned char wrk[LZO1X_1_MEM_COMPRESS];
		lzo_uint out = cap;

		if (lzo_init() != LZO_E_OK)
			return 0;
		return lzo1x_1_compress(src, len, dst, &out, wrk) == LZO_E_OK ? (size_t)out : 0;
	}
#endif
#if HAVE_SNAPPY
	case K2E_CODEC_SNAPPY: {
		size_t out = cap;

		return snappy_compress(src, len, dst, &out) == SNAPPY_OK ? out : 0;
	}
#endif
#if HAVE_ZSTD
	case K2E_CODEC_ZSTD: {
		size_t out = ZSTD_compress(dst, cap, src, len, 3);

		return ZSTD_isError(out) ? 0 : out;
	}
#endif
	default:
		(void)src;
		(void)len;
		(void)dst;
		(void)cap;
		return 0;
	}
}

static const enum k2e_codec_id real_codecs[] = {
	K2E_CODEC_ZLIB, K2E_CODEC_LZO, K2E_CODEC_SNAPPY, K2E_CODEC_ZSTD,
};

static const struct k2e_codec *codec(enum k2e_codec_id id)
{
	return k2e_codec_get(id);
}

TEST(codec_table)
{
	CHECK_STR(codec(K2E_CODEC_RAW)->name, "raw");
	CHECK_STR(codec(K2E_CODEC_ZLIB)->name, "zlib");
	CHECK_STR(codec(K2E_CODEC_LZO)->name, "lzo");
	CHECK_STR(codec(K2E_CODEC_SNAPPY)->name, "snappy");
	CHECK_STR(codec(K2E_CODEC_ZSTD)->name, "zstd");
	CHECK(k2e_codec_get(K2E_CODEC_COUNT) == NULL);
	CHECK(k2e_codec_get((enum k2e_codec_id)-1) == NULL);
	CHECK(codec(K2E_CODEC_ZLIB)->built == (HAVE_ZLIB != 0));
	CHECK(codec(K2E_CODEC_LZO)->built == (HAVE_LZO != 0));
	CHECK(codec(K2E_CODEC_SNAPPY)->built == (HAVE_SNAPPY != 0));
	CHECK(codec(K2E_CODEC_ZSTD)->built == (HAVE_ZSTD != 0));
}

TEST(codec_from_desc_flags)
{
	static const struct {
		uint32_t flags;
		int rc;
		enum k2e_codec_id id;
	} cases[] = {
		{ 0x0, 0, K2E_CODEC_RAW },
		{ 0x1, 0, K2E_CODEC_ZLIB },
		{ 0x2, 0, K2E_CODEC_LZO },
		{ 0x4, 0, K2E_CODEC_SNAPPY },
		{ 0x20, 0, K2E_CODEC_ZSTD },
		{ 0x3, -1, 0 },		/* two codecs */
		{ 0x5, -1, 0 },
		{ 0x21, -1, 0 },
		{ 0x8, -1, 0 },		/* COMPRESSED_INCOMPLETE: status only */
		{ 0x10, -1, 0 },	/* EXCLUDED_VMEMMAP: status only */
		{ 0x40, -1, 0 },
		{ 0x80000001, -1, 0 },
		{ 0xffffffff, -1, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum k2e_codec_id id = (enum k2e_codec_id)99;
		int rc = k2e_codec_from_desc_flags(cases[i].flags, &id);

		CHECKF(rc == cases[i].rc, "flags 0x%x: rc %d", cases[i].flags, rc);
		if (cases[i].rc == 0)
			CHECK_I64(id, cases[i].id);
		else
			CHECK_I64(id, 99);	/* ret untouched on failure */
	}
}

TEST(codec_raw_page)
{
	struct k2e_codec_ctxs c;
	struct k2e_err err;
	unsigned char src[PAGE + 1], dst[PAGE];

	k2e_codec_ctxs_init(&c);
	sample(src, sizeof(src), 7);
	CHECK(k2e_codec_page(&c, K2E_CODEC_RAW, dst, PAGE, src, PAGE, &err) == 0);
	CHECK_MEM(dst, src, PAGE);
	CHECK(k2e_codec_page(&c, K2E_CODEC_RAW, dst, PAGE, src, PAGE - 1, &err) < 0);
	CHECK_STR(err.msg, "raw page is 4095 bytes, expected 4096");
	CHECK(k2e_codec_page(&c, K2E_CODEC_RAW, dst, PAGE, src, PAGE + 1, &err) < 0);
	CHECK_CONTAINS(err.msg, "4097");
	CHECK(k2e_codec_page(&c, K2E_CODEC_RAW, dst, PAGE, src, 0, &err) < 0);
	CHECK(k2e_codec_page(&c, K2E_CODEC_COUNT, dst, PAGE, src, PAGE, &err) < 0);
	CHECK_CONTAINS(err.msg, "unknown codec");
	k2e_codec_ctxs_release(&c);
}

/* Round trip with the real library, for several page sizes and contents. */
TEST(codec_roundtrip)
{
	static const size_t sizes[] = { 512, 4096, 16384, 65536 };
	unsigned char *src = malloc(65536), *cmp = malloc(2 * 65536), *dst = malloc(65536);
	struct k2e_codec_ctxs c;
	struct k2e_err err;

	k2e_codec_ctxs_init(&c);
	for (size_t k = 0; k < sizeof(real_codecs) / sizeof(real_codecs[0]); k++) {
		enum k2e_codec_id id = real_codecs[k];

		if (!codec(id)->built) {
			/* Compiled out: the message says so, whatever the input. */
			memset(src, 0, PAGE);
			CHECK(k2e_codec_page(&c, id, dst, PAGE, src, 100, &err) < 0);
			{
				char want[64];

				snprintf(want, sizeof(want), "%s support not built", codec(id)->name);
				CHECK_STR(err.msg, want);
			}
			continue;
		}
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			for (int kind = 0; kind < 3; kind++) {
				size_t len = sizes[s], clen;

				if (kind == 0)
					sample(src, len, (uint32_t)(s + 1));
				else if (kind == 1)
					memset(src, 0, len);	/* compresses to almost nothing */
				else
					test_fill_random(src, len, (uint32_t)(s + 11));	/* does not shrink */
				clen = compress_with(id, src, len, cmp, 2 * 65536);
				if (!CHECK(clen > 0))
					continue;
				memset(dst, 0xa5, len);
				if (CHECKF(k2e_codec_page(&c, id, dst, len, cmp, clen, &err) == 0,
					   "%s size %zu kind %d: %s", codec(id)->name, len, kind,
					   err.msg))
					CHECKF(memcmp(dst, src, len) == 0, "%s size %zu kind %d",
					       codec(id)->name, len, kind);
			}
		}
	}
	k2e_codec_ctxs_release(&c);
	free(src);
	free(cmp);
	free(dst);
}

/* Every prefix of a valid stream is an error, named after the codec, never a crash. */
TEST(codec_truncated)
{
	unsigned char src[PAGE], cmp[CAP];
	struct k2e_codec_ctxs c;
	struct k2e_err err;

	k2e_codec_ctxs_init(&c);
	sample(src, PAGE, 3);
	for (size_t k = 0; k < sizeof(real_codecs) / sizeof(real_codecs[0]); k++) {
		enum k2e_codec_id id = real_codecs[k];
		size_t clen = compress_with(id, src, PAGE, cmp, CAP);
		unsigned bad = 0;
		char first[K2E_ERR_MSG_MAX + 64] = "";

		if (!codec(id)->built)
			continue;
		CHECK(clen > 16);
		for (size_t cut = 0; cut < clen; cut++) {
			/* Exactly `cut` bytes on the heap, so ASan sees any overread. */
			unsigned char *t = malloc(cut ? cut : 1), dst[PAGE];

			memcpy(t, cmp, cut);
			if (k2e_codec_page(&c, id, dst, PAGE, t, cut, &err) == 0 ||
			    strncmp(err.msg, codec(id)->name, strlen(codec(id)->name)) != 0) {
				if (!bad++)
					snprintf(first, sizeof(first), "%zu of %zu bytes: '%s'", cut,
						 clen, err.msg);
			}
			free(t);
		}
		CHECKF(bad == 0, "%s: %u prefixes not refused, first %s", codec(id)->name, bad,
		       first);
	}
	k2e_codec_ctxs_release(&c);
}

/* Garbage and corrupted streams: an error or a page, never a crash. */
TEST(codec_corrupt)
{
	unsigned char src[PAGE], cmp[CAP], junk[256], dst[PAGE];
	struct k2e_codec_ctxs c;
	struct k2e_err err;

	k2e_codec_ctxs_init(&c);
	sample(src, PAGE, 5);
	for (size_t k = 0; k < sizeof(real_codecs) / sizeof(real_codecs[0]); k++) {
		enum k2e_codec_id id = real_codecs[k];
		size_t clen = compress_with(id, src, PAGE, cmp, CAP), nl = strlen(codec(id)->name);
		unsigned msg_bad = 0;

		if (!codec(id)->built)
			continue;
		/* Clear garbage has no valid header (zlib, zstd) or length preamble (snappy). */
		memset(junk, 0xff, sizeof(junk));
		if (id != K2E_CODEC_LZO) {
			CHECK(k2e_codec_page(&c, id, dst, PAGE, junk, sizeof(junk), &err) < 0);
			CHECK(strncmp(err.msg, codec(id)->name, nl) == 0);
		}
		/* Flip bytes all over the stream. */
		for (uint32_t seed = 1; seed <= 400; seed++) {
			unsigned char *t = malloc(clen), r[4];

			memcpy(t, cmp, clen);
			test_fill_random(r, sizeof(r), seed);
			t[(r[0] | r[1] << 8) % clen] ^= (unsigned char)(r[2] | 1);
			if (seed & 1)
				t[(r[3] * 7u) % clen] = r[2];
			if (k2e_codec_page(&c, id, dst, PAGE, t, clen, &err) < 0 &&
			    strncmp(err.msg, codec(id)->name, nl) != 0)
				msg_bad++;
			free(t);
		}
		CHECK_U64(msg_bad, 0);
		/* The context is still good after errors. */
		CHECK(k2e_codec_page(&c, id, dst, PAGE, cmp, clen, &err) == 0);
		CHECK_MEM(dst, src, PAGE);
	}
	k2e_codec_ctxs_release(&c);
}

/* A stream of 4095 or 8192 bytes is not a 4096-byte page. */
TEST(codec_wrong_length)
{
	static const size_t lens[] = { 4095, 8192, 2048, 4097 };
	unsigned char *src = malloc(8192), cmp[3 * 8192], dst[PAGE];
	struct k2e_codec_ctxs c;
	struct k2e_err err;

	k2e_codec_ctxs_init(&c);
	sample(src, 8192, 9);
	for (size_t k = 0; k < sizeof(real_codecs) / sizeof(real_codecs[0]); k++) {
		enum k2e_codec_id id = real_codecs[k];

		if (!codec(id)->built)
			continue;
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			size_t clen = compress_with(id, src, lens[i], cmp, sizeof(cmp));
			char want[32];

			if (!CHECK(clen > 0))
				continue;
			if (!CHECKF(k2e_codec_page(&c, id, dst, PAGE, cmp, clen, &err) < 0,
				    "%s accepted %zu bytes", codec(id)->name, lens[i]))
				continue;
			CHECK(strncmp(err.msg, codec(id)->name, strlen(codec(id)->name)) == 0);
			/* The message names the length it got, or the page size it exceeded. */
			snprintf(want, sizeof(want), "%zu", lens[i] > PAGE ? (size_t)PAGE : lens[i]);
			CHECK_CONTAINS(err.msg, want);
			CHECK_CONTAINS(err.msg, "decompresses to");
		}
	}
	k2e_codec_ctxs_release(&c);
	free(src);
}

/* Contexts are created lazily and can be released without being used. */
TEST(codec_ctxs_lifecycle)
{
	struct k2e_codec_ctxs c;

	k2e_codec_ctxs_init(&c);
	for (int i = 0; i < K2E_CODEC_COUNT; i++)
		CHECK(!c.ready[i]);
	k2e_codec_ctxs_release(&c);
	for (int i = 0; i < K2E_CODEC_COUNT; i++)
		CHECK(!c.ready[i] && c.ctx[i] == NULL);
}
