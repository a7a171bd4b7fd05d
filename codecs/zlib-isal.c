/*
 * zlib pages through ISA-L's igzip (isal_inflate_stateless, zlib wrapper and
 * Adler-32 checked).  ISA-L bounds its output by avail_out and reads no
 * further than avail_in.  As with libdeflate (zlib-libdeflate.c), a page it
 * refuses is decoded again by zlib, whose message and page stand.
 */
#include "codecs/codecs-priv.h"

#if HAVE_ISAL
#include <isa-l/igzip_lib.h>
#include <stdlib.h>

struct isal_ctx {
	struct inflate_state st;
	void *zlib;		/* zlib's context, made on the first refused page */
	bool zlib_ready;
};

static int isal_ctx_new(void **ret, struct k2e_err *err)
{
	struct isal_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return k2e_err_set(err, "out of memory");
	*ret = c;
	return 0;
}

static void isal_ctx_free(void *ctx)
{
	struct isal_ctx *c = ctx;

	if (!c)
		return;
	if (c->zlib_ready && k2e_codec_zlib.ctx_free)
		k2e_codec_zlib.ctx_free(c->zlib);
	free(c);
}

static int isal_decompress(void *ctx, void *dst, size_t dst_cap,
			   const void *src, size_t src_len, struct k2e_err *err)
{
	struct isal_ctx *c = ctx;
	int rc = ISAL_INVALID_BLOCK;

	if (src_len <= UINT32_MAX && dst_cap <= UINT32_MAX) {
		isal_inflate_init(&c->st);
		c->st.crc_flag = ISAL_ZLIB;
		c->st.next_in = (uint8_t *)src;
		c->st.avail_in = (uint32_t)src_len;
		c->st.next_out = dst;
		c->st.avail_out = (uint32_t)dst_cap;
		rc = isal_inflate_stateless(&c->st);
		if (rc == ISAL_DECOMP_OK && c->st.total_out == dst_cap)
			return 0;
	}
	if (!k2e_codec_zlib.built) {
		if (rc == ISAL_OUT_OVERFLOW)
			return k2e_err_set(err, "page decompresses to more than %zu bytes", dst_cap);
		if (rc == ISAL_DECOMP_OK)
			return k2e_err_set(err, "page decompresses to %lu bytes, expected %zu",
					   (unsigned long)c->st.total_out, dst_cap);
		return k2e_err_set(err, "corrupt stream");
	}
	if (!c->zlib_ready) {
		if (k2e_codec_zlib.ctx_new(&c->zlib, err) < 0)
			return -1;
		c->zlib_ready = true;
	}
	return k2e_codec_zlib.decompress(c->zlib, dst, dst_cap, src, src_len, err);
}

const struct k2e_codec k2e_codec_zlib_isal = {
	.name = "zlib",
	.decoder = "isa-l",
	.desc_flag = K2E_DESC_ZLIB,
	.built = true,
	.ctx_new = isal_ctx_new,
	.ctx_free = isal_ctx_free,
	.decompress = isal_decompress,
};
#else
const struct k2e_codec k2e_codec_zlib_isal = {
	.name = "zlib",
	.decoder = "isa-l",
	.desc_flag = K2E_DESC_ZLIB,
};
#endif
