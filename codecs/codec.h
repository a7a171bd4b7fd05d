/*
 * codec.h - the table of page codecs.
 *
 * A kdump page descriptor's `flags` names the compression of one page
 * (makedumpfile's diskdump_mod.h: DUMP_DH_COMPRESSED_ZLIB 0x1, _LZO 0x2,
 * _SNAPPY 0x4, _ZSTD 0x20; no bit set means the page is stored raw).  Each
 * codec lives in its own file and is compiled only where its library is
 * present; a codec compiled out still has its table entry, with
 * `built == false`, so a reader can say "zstd support not built" instead of
 * calling the page corrupt.
 *
 * Decompression contexts are per thread: a worker creates one context per
 * codec (lazily) and reuses it for every page.
 */
#ifndef K2E_CODEC_H
#define K2E_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

enum k2e_codec_id {
	K2E_CODEC_RAW,
	K2E_CODEC_ZLIB,
	K2E_CODEC_LZO,
	K2E_CODEC_SNAPPY,
	K2E_CODEC_ZSTD,
	K2E_CODEC_COUNT,
};

/* Page descriptor flag bits (makedumpfile diskdump_mod.h). */
enum {
	K2E_DESC_ZLIB = 0x1,
	K2E_DESC_LZO = 0x2,
	K2E_DESC_SNAPPY = 0x4,
	K2E_DESC_ZSTD = 0x20,
	K2E_DESC_CODEC_MASK = K2E_DESC_ZLIB | K2E_DESC_LZO | K2E_DESC_SNAPPY | K2E_DESC_ZSTD,
};

struct k2e_codec {
	const char *name;
	/*
	 * The library that decodes, where a codec has more than one (zlib:
	 * "libdeflate", "isa-l" or "zlib"); NULL otherwise.
	 */
	const char *decoder;
	uint32_t desc_flag;	/* page_desc flag bit; 0 for raw */
	bool built;		/* false: library not compiled in */
	/* Per-thread state; may be NULL when the codec keeps none. */
	int (*ctx_new)(void **ret, struct k2e_err *err);
	void (*ctx_free)(void *ctx);
	/*
	 * Decompress src into dst.  Fails unless the result is exactly
	 * dst_cap bytes (one page); err says why, without the codec's name
	 * (the caller adds it).
	 */
	int (*decompress)(void *ctx, void *dst, size_t dst_cap,
			  const void *src, size_t src_len, struct k2e_err *err);
};

/* The table, indexed by enum k2e_codec_id. */
const struct k2e_codec *k2e_codec_get(enum k2e_codec_id id);

/*
 * Map page-descriptor flags to a codec.  Returns -1 for flags naming no codec
 * or more than one.
 */
int k2e_codec_from_desc_flags(uint32_t flags, enum k2e_codec_id *ret);

/* A set of per-thread contexts, one slot per codec, created on first use. */
struct k2e_codec_ctxs {
	void *ctx[K2E_CODEC_COUNT];
	bool ready[K2E_CODEC_COUNT];
};

void k2e_codec_ctxs_init(struct k2e_codec_ctxs *c);
void k2e_codec_ctxs_release(struct k2e_codec_ctxs *c);

/*
 * Decompress one page with codec `id`, using (and creating) c's context.
 * The message names the codec, e.g. "zstd: corrupted block" or
 * "snappy support not built".
 */
int k2e_codec_page(struct k2e_codec_ctxs *c, enum k2e_codec_id id,
		   void *dst, size_t page_size, const void *src, size_t src_len,
		   struct k2e_err *err);

#endif
