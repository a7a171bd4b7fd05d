/*
 * zlib pages through libdeflate: one whole-buffer call per page, 2.3-2.5x
 * as fast as zlib's inflate on 4 KiB pages, one thread (bench/results-latest.txt).
 *
 * libdeflate bounds its output by out_nbytes_avail and does not read past
 * in_nbytes, and fails any stream zlib would fail, but it says less about
 * why ("bad data").  A page it refuses is decoded again by zlib
 * (codecs/zlib.c), whose answer stands: the message is zlib's, and a page
 * the two disagree on is zlib's page.  Corrupt pages are rare, so the second
 * decode costs nothing that matters.
 */
#include "codecs/codecs-priv.h"

#if HAVE_LIBDEFLATE
#include <libdeflate.h>
#include <stdlib.h>

struct ld_ctx {
	struct libdeflate_decompressor *d;
	void *zlib;		/* zlib's context, made on the first refused page */
	bool zlib_ready;
};

static int ld_ctx_new(void **ret, struct k2e_err *err)
{
	struct ld_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return k2e_err_set(err, "out of memory");
	c->d = libdeflate_alloc_decompressor();
	if (!c->d) {
		free(c);
		return k2e_err_set(err, "out of memory");
	}
	*ret = c;
	return 0;
}

static void ld_ctx_free(void *ctx)
{
	struct ld_ctx *c = ctx;

	if (!c)
		return;
	if (c->zlib_ready && k2e_codec_zlib.ctx_free)
		k2e_codec_zlib.ctx_free(c->zlib);
	libdeflate_free_decompressor(c->d);
	free(c);
}

/* libdeflate's own words, where zlib is not built. */
static int ld_explain(enum libdeflate_result rc, size_t out, size_t dst_cap,
		      struct k2e_err *err)
{
	if (rc == LIBDEFLATE_SUCCESS)
		return k2e_err_set(err, "page decompresses to %zu bytes, expected %zu",
				   out, dst_cap);
	if (rc == LIBDEFLATE_INSUFFICIENT_SPACE)
		return k2e_err_set(err, "page decompresses to more than %zu bytes", dst_cap);
	return k2e_err_set(err, "corrupt stream");
}

static int ld_decompress(void *ctx, void *dst, size_t dst_cap,
			 const void *src, size_t src_len, struct k2e_err *err)
{
	struct ld_ctx *c = ctx;
	size_t out = 0;
	enum libdeflate_result rc;

	rc = libdeflate_zlib_decompress(c->d, src, src_len, dst, dst_cap, &out);
	if (rc == LIBDEFLATE_SUCCESS && out == dst_cap)
		return 0;
	if (!k2e_codec_zlib.built)
		return ld_explain(rc, out, dst_cap, err);
	if (!c->zlib_ready) {
		if (k2e_codec_zlib.ctx_new(&c->zlib, err) < 0)
			return -1;
		c->zlib_ready = true;
	}
	return k2e_codec_zlib.decompress(c->zlib, dst, dst_cap, src, src_len, err);
}

const struct k2e_codec k2e_codec_zlib_libdeflate = {
	.name = "zlib",
	.decoder = "libdeflate",
	.desc_flag = K2E_DESC_ZLIB,
	.built = true,
	.ctx_new = ld_ctx_new,
	.ctx_free = ld_ctx_free,
	.decompress = ld_decompress,
};
#else
const struct k2e_codec k2e_codec_zlib_libdeflate = {
	.name = "zlib",
	.decoder = "libdeflate",
	.desc_flag = K2E_DESC_ZLIB,
};
#endif
