/*
 * page-index.h - where each dumped page of the output core comes from, for
 * reading the core without writing it (a mount, mount/).
 *
 * k2e_pages_convert() with k2e_pages_opts.index set reads the dump's page
 * descriptors once and fills the index instead of decoding and writing the
 * pages: one entry per page of the layout (16 bytes), in layout order.  It
 * finds every page the conversion would find lost but a corrupt one, which
 * only decoding tells; such a page reads as an error (EIO through a mount).
 *
 * struct k2e_page_reader then decodes pages on demand, thread-safe, through
 * a bounded cache of decoded pages (CLOCK replacement) and a pool of codec
 * contexts: its memory is the cache plus one context set per thread that
 * decoded at the same time.
 */
#ifndef K2E_PAGE_INDEX_H
#define K2E_PAGE_INDEX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "codecs/codec.h"
#include "convert/layout.h"
#include "formats/format.h"

struct k2e_page_ent {
	uint64_t off;			/* DATA: offset in input `input` */
	uint32_t size;			/* DATA: stored size */
	uint8_t kind;			/* enum k2e_page_kind */
	uint8_t codec;			/* enum k2e_codec_id */
	uint16_t input;
};

struct k2e_page_index {
	const struct k2e_layout *l;	/* not owned */
	struct k2e_page_ent *ent;	/* one per page from l->data_start to l->data_end */
	uint64_t n;
};

/* Every entry starts K2E_PAGE_LOST: a page no descriptor names is in no segment. */
int k2e_page_index_init(struct k2e_page_index *ix, const struct k2e_layout *l,
			struct k2e_err *err);
void k2e_page_index_release(struct k2e_page_index *ix);
/* Record that r->pfn's page is r, of kind `kind` (ix NULL: nothing). */
void k2e_page_index_set(struct k2e_page_index *ix, const struct k2e_page_ref *r, uint8_t kind);
/* The entry of pfn's page, or NULL when the pfn is in no run of the layout. */
struct k2e_page_ent *k2e_page_index_ent(const struct k2e_page_index *ix, uint64_t pfn);

struct k2e_page_reader;

/* cache_pages: decoded pages kept (at least 16). */
int k2e_page_reader_new(struct k2e_dump *d, const struct k2e_page_index *ix, size_t cache_pages,
			struct k2e_page_reader **ret, struct k2e_err *err);
void k2e_page_reader_free(struct k2e_page_reader *r);
/*
 * Copy len bytes at offset `in` of pfn's decoded page into buf (in + len <=
 * the page size).  0, or -1 with err naming the input file, the pfn and the
 * offset: a page in no run, lost, unreadable or corrupt.
 */
int k2e_page_reader_read(struct k2e_page_reader *r, uint64_t pfn, uint32_t in, void *buf,
			 size_t len, struct k2e_err *err);
/* Pages decoded (cache misses) and served from the cache so far. */
void k2e_page_reader_stats(struct k2e_page_reader *r, uint64_t *ret_decoded, uint64_t *ret_hits);

#endif
