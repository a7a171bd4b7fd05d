/* snappy: raw snappy blocks (not the framing format). */
#include "codecs/codecs-priv.h"

#if HAVE_SNAPPY
#include <snappy-c.h>

static int snappy_decompress(void *ctx, void *dst, size_t dst_cap,
			     const void *src, size_t src_len, struct k2e_err *err)
{
	size_t out;

	(void)ctx;
	if (snappy_uncompressed_length(src, src_len, &out) != SNAPPY_OK)
		return k2e_err_set(err, "corrupt data (bad length preamble)");
	if (out != dst_cap)
		return k2e_err_set(err, "page decompresses to %zu bytes, expected %zu",
				   out, dst_cap);
	if (snappy_uncompress(src, src_len, dst, &out) != SNAPPY_OK)
		return k2e_err_set(err, "corrupt data");
	if (out != dst_cap)
		return k2e_err_set(err, "page decompresses to %zu bytes, expected %zu",
				   out, dst_cap);
	return 0;
}

const struct k2e_codec k2e_codec_snappy = {
	.name = "snappy",
	.desc_flag = K2E_DESC_SNAPPY,
	.built = true,
	.decompress = snappy_decompress,
};
#else
const struct k2e_codec k2e_codec_snappy = {
	.name = "snappy",
	.desc_flag = K2E_DESC_SNAPPY,
};
#endif
