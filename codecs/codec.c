#include "codec.h"

#include <string.h>

#include "codecs/codecs-priv.h"

static const struct k2e_codec raw_codec = {
	.name = "raw",
	.desc_flag = 0,
	.built = true,
};

/*
 * zlib pages go to the fastest decoder built (bench/results-latest.txt:
 * libdeflate, then ISA-L, then zlib itself).  K2E_ZLIB_ONLY=1 builds the
 * variant that decodes them with zlib alone (the Makefile's
 * kdump2elf-zlib, for tests and the benchmark), without a run-time switch.
 */
#if HAVE_LIBDEFLATE && !K2E_ZLIB_ONLY
#define ZLIB_DECODER k2e_codec_zlib_libdeflate
#elif HAVE_ISAL && !K2E_ZLIB_ONLY
#define ZLIB_DECODER k2e_codec_zlib_isal
#else
#define ZLIB_DECODER k2e_codec_zlib
#endif

/* Indexed by enum k2e_codec_id. */
static const struct k2e_codec *const codec_table[K2E_CODEC_COUNT] = {
	[K2E_CODEC_RAW] = &raw_codec,
	[K2E_CODEC_ZLIB] = &ZLIB_DECODER,
	[K2E_CODEC_LZO] = &k2e_codec_lzo,
	[K2E_CODEC_SNAPPY] = &k2e_codec_snappy,
	[K2E_CODEC_ZSTD] = &k2e_codec_zstd,
};

const struct k2e_codec *k2e_codec_get(enum k2e_codec_id id)
{
	return (unsigned)id < K2E_CODEC_COUNT ? codec_table[id] : NULL;
}

int k2e_codec_from_desc_flags(uint32_t flags, enum k2e_codec_id *ret)
{
	uint32_t bits = flags & K2E_DESC_CODEC_MASK;

	if (flags & ~(uint32_t)K2E_DESC_CODEC_MASK)
		return -1;
	if (bits == 0) {
		*ret = K2E_CODEC_RAW;
		return 0;
	}
	for (int i = 1; i < K2E_CODEC_COUNT; i++) {
		if (codec_table[i]->desc_flag == bits) {
			*ret = (enum k2e_codec_id)i;
			return 0;
		}
	}
	return -1;
}

void k2e_codec_ctxs_init(struct k2e_codec_ctxs *c)
{
	memset(c, 0, sizeof(*c));
}

void k2e_codec_ctxs_release(struct k2e_codec_ctxs *c)
{
	for (int i = 0; i < K2E_CODEC_COUNT; i++) {
		if (c->ready[i] && codec_table[i]->ctx_free)
			codec_table[i]->ctx_free(c->ctx[i]);
	}
	memset(c, 0, sizeof(*c));
}

int k2e_codec_page(struct k2e_codec_ctxs *c, enum k2e_codec_id id,
		   void *dst, size_t page_size, const void *src, size_t src_len,
		   struct k2e_err *err)
{
	const struct k2e_codec *codec = k2e_codec_get(id);

	if (!codec)
		return k2e_err_set(err, "unknown codec %d", (int)id);
	if (id == K2E_CODEC_RAW) {
		if (src_len != page_size)
			return k2e_err_set(err, "raw page is %zu bytes, expected %zu",
					   src_len, page_size);
		memcpy(dst, src, page_size);
		return 0;
	}
	if (!codec->built)
		return k2e_err_set(err, "%s support not built", codec->name);
	if (!c->ready[id]) {
		if (codec->ctx_new && codec->ctx_new(&c->ctx[id], err) < 0)
			return k2e_err_prefix(err, "%s", codec->name);
		c->ready[id] = true;
	}
	if (codec->decompress(c->ctx[id], dst, page_size, src, src_len, err) < 0)
		return k2e_err_prefix(err, "%s", codec->name);
	return 0;
}
