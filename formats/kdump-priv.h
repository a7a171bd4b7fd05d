/*
 * kdump-priv.h - the state of an opened kdump-compressed dump, shared by
 * formats/kdump.c (headers, bitmaps, pieces) and formats/kdump-pages.c (the
 * page iterator over the descriptor tables).
 */
#ifndef K2E_KDUMP_PRIV_H
#define K2E_KDUMP_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "formats/format.h"
#include "formats/kdump-layout.h"

enum {
	DESC_BATCH = 512,		/* descriptors read at once */
};

struct subhdr {
	uint64_t phys_base;
	int32_t dump_level;
	int32_t split;
	uint64_t start_pfn, end_pfn;
	uint64_t off_vmcoreinfo, size_vmcoreinfo;
	uint64_t off_note, size_note;
	uint64_t off_eraseinfo, size_eraseinfo;
	uint64_t start_pfn_64, end_pfn_64, max_mapnr_64;
};

struct piece {
	struct k2e_input *in;
	size_t in_index;
	unsigned char head[DH_MIN_SIZE];
	struct subhdr sh;
	uint64_t start, end;		/* pfn range [start, end) */
	uint64_t data_off;		/* page_desc table */
	uint64_t n_pages;		/* dumped pfns in range */
	uint64_t sec, usec;
};

struct kdump {
	bool diskdump;
	bool is_split;
	uint32_t block_size;
	uint32_t status;
	int32_t sub_hdr_size;
	uint32_t bitmap_blocks;
	uint64_t max_mapnr;
	uint64_t bitmap_off;		/* 1st bitmap */
	uint64_t bitmap_len;		/* one bitmap */
	bool single_bitmap;
	unsigned status_pos;
	enum k2e_subhdr_layout layout;
	struct piece *pieces;		/* sorted by start pfn */
	size_t n_pieces;
};

/* formats/kdump-pages.c: the page iterator of k2e_format_kdump. */
int k2e_kdump_iter_new(struct k2e_dump *d, struct k2e_page_iter **ret, struct k2e_err *err);
int k2e_kdump_iter_next(struct k2e_page_iter *it, struct k2e_page_ref *ret, struct k2e_err *err);
void k2e_kdump_iter_free(struct k2e_page_iter *it);

#endif
