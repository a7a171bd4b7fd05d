/* lzo: lzo1x, decoded with the bounds-checking lzo1x_decompress_safe. */
#include "codecs/codecs-priv.h"

#if HAVE_LZO
#include <lzo/lzo1x.h>

static int lzo_ctx_new(void **ret, struct k2e_err *err)
{
	/* lzo_init() is idempotent and thread-safe enough once called. */
	if (lzo_init() != LZO_E_OK)
		return k2e_err_set(err, "cannot initialise lzo");
	*ret = NULL;
	return 0;
}

static int lzo_decompress(void *ctx, void *dst, size_t dst_cap,
			  const void *src, size_t src_len, struct k2e_err *err)
{
	lzo_uint out = dst_cap;
	int rc;

	(void)ctx;
	rc = lzo1x_decompress_safe(src, src_len, dst, &out, NULL);
	if (rc == LZO_E_OUTPUT_OVERRUN)
		return k2e_err_set(err, "page decompresses to more than %zu bytes", dst_cap);
	if (rc != LZO_E_OK && rc != LZO_E_INPUT_NOT_CONSUMED)
		return k2e_err_set(err, "corrupt data (error %d)", rc);
	if (out != dst_cap)
		return k2e_err_set(err, "page decompresses to %lu bytes, expected %zu",
				   (unsigned long)out, dst_cap);
	return 0;
}

const struct k2e_codec k2e_codec_lzo = {
	.name = "lzo",
	.desc_flag = K2E_DESC_LZO,
	.built = true,
	.ctx_new = lzo_ctx_new,
	.decompress = lzo_decompress,
};
#else
const struct k2e_codec k2e_codec_lzo = {
	.name = "lzo",
	.desc_flag = K2E_DESC_LZO,
};
#endif
