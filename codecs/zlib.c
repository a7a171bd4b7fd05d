/*
 * zlib: each page is one zlib stream (compress2 / uncompress).  The faster
 * decoders (zlib-libdeflate.c, zlib-isal.c) come back here for a page they
 * refuse, so that what a corrupt page is called stays zlib's words.
 */
#include "codecs/codecs-priv.h"

#if HAVE_ZLIB
#include <stdlib.h>
#include <zlib.h>

static int zlib_ctx_new(void **ret, struct k2e_err *err)
{
	z_stream *zs = calloc(1, sizeof(*zs));

	if (!zs)
		return k2e_err_set(err, "out of memory");
	if (inflateInit(zs) != Z_OK) {
		free(zs);
		return k2e_err_set(err, "cannot initialise inflate");
	}
	*ret = zs;
	return 0;
}

static void zlib_ctx_free(void *ctx)
{
	if (ctx) {
		inflateEnd(ctx);
		free(ctx);
	}
}

static int zlib_decompress(void *ctx, void *dst, size_t dst_cap,
			   const void *src, size_t src_len, struct k2e_err *err)
{
	z_stream *zs = ctx;
	int rc;

	if (inflateReset(zs) != Z_OK)
		return k2e_err_set(err, "cannot reset inflate");
	zs->next_in = (Bytef *)src;
	zs->avail_in = (uInt)src_len;
	zs->next_out = dst;
	zs->avail_out = (uInt)dst_cap;
	rc = inflate(zs, Z_FINISH);
	if (rc == Z_STREAM_END) {
		if (zs->total_out != dst_cap)
			return k2e_err_set(err, "page decompresses to %lu bytes, expected %zu",
					   (unsigned long)zs->total_out, dst_cap);
		return 0;
	}
	if ((rc == Z_BUF_ERROR || rc == Z_OK) && zs->avail_out == 0)
		return k2e_err_set(err, "page decompresses to more than %zu bytes", dst_cap);
	if (rc == Z_BUF_ERROR || rc == Z_OK)
		return k2e_err_set(err, "truncated stream (%lu of %zu bytes)",
				   (unsigned long)zs->total_out, dst_cap);
	return k2e_err_set(err, "%s", zs->msg ? zs->msg : "corrupt stream");
}

const struct k2e_codec k2e_codec_zlib = {
	.name = "zlib",
	.decoder = "zlib",
	.desc_flag = K2E_DESC_ZLIB,
	.built = true,
	.ctx_new = zlib_ctx_new,
	.ctx_free = zlib_ctx_free,
	.decompress = zlib_decompress,
};
#else
const struct k2e_codec k2e_codec_zlib = {
	.name = "zlib",
	.decoder = "zlib",
	.desc_flag = K2E_DESC_ZLIB,
};
#endif
