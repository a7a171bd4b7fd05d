/* zstd: one zstd frame per page; one reusable DCtx per thread. */
#include "codecs/codecs-priv.h"

#if HAVE_ZSTD
#include <zstd.h>
#include <zstd_errors.h>

static int zstd_ctx_new(void **ret, struct k2e_err *err)
{
	ZSTD_DCtx *dctx = ZSTD_createDCtx();

	if (!dctx)
		return k2e_err_set(err, "out of memory");
	*ret = dctx;
	return 0;
}

static void zstd_ctx_free(void *ctx)
{
	ZSTD_freeDCtx(ctx);
}

static int zstd_decompress(void *ctx, void *dst, size_t dst_cap,
			   const void *src, size_t src_len, struct k2e_err *err)
{
	size_t out = ZSTD_decompressDCtx(ctx, dst, dst_cap, src, src_len);

	if (ZSTD_isError(out) && ZSTD_getErrorCode(out) == ZSTD_error_dstSize_tooSmall)
		return k2e_err_set(err, "page decompresses to more than %zu bytes", dst_cap);
	if (ZSTD_isError(out))
		return k2e_err_set(err, "%s", ZSTD_getErrorName(out));
	if (out != dst_cap)
		return k2e_err_set(err, "page decompresses to %zu bytes, expected %zu",
				   out, dst_cap);
	return 0;
}

const struct k2e_codec k2e_codec_zstd = {
	.name = "zstd",
	.desc_flag = K2E_DESC_ZSTD,
	.built = true,
	.ctx_new = zstd_ctx_new,
	.ctx_free = zstd_ctx_free,
	.decompress = zstd_decompress,
};
#else
const struct k2e_codec k2e_codec_zstd = {
	.name = "zstd",
	.desc_flag = K2E_DESC_ZSTD,
};
#endif
