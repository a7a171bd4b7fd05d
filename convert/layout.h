/*
 * layout.h - where everything goes in the output core.
 *
 * The layout is fixed from the dump's pfn runs before any page is written:
 *
 *   0                ELF header
 *   64               program headers (room for phdr_cap entries; unused
 *                    room stays a hole)
 *   notes_off        notes (PT_NOTE), room for notes_cap bytes: crash
 *                    wants them before the first PT_LOAD's data
 *   data_start       page data: run after run, page after page, in pfn
 *                    order; zero and lost pages are holes
 *   data_end         a section header when PN_XNUM
 *
 * Because a page's offset depends only on its pfn, workers write pages in
 * any order with pwrite(), and the program headers, which depend on what
 * was lost and on the kernel's page tables, are written last.
 */
#ifndef K2E_LAYOUT_H
#define K2E_LAYOUT_H

#include <stdint.h>

#include "lib/error.h"
#include "lib/runs.h"

struct k2e_layout {
	uint32_t page_size;
	unsigned page_shift;
	const struct k2e_runs *runs;	/* the dump's; not owned */
	uint64_t *run_off;		/* file offset of each run's first page */
	uint64_t phdr_cap;
	uint64_t notes_off;
	uint64_t notes_cap;
	uint64_t data_start;
	uint64_t data_end;
};

int k2e_layout_init(struct k2e_layout *l, const struct k2e_runs *runs, uint32_t page_size,
		    uint64_t phdr_cap, uint64_t notes_cap, struct k2e_err *err);
void k2e_layout_release(struct k2e_layout *l);

/* File offset of pfn's page, or UINT64_MAX when the pfn is in no run. */
uint64_t k2e_layout_pfn_off(const struct k2e_layout *l, uint64_t pfn);

/*
 * Offset with a cursor for walks in increasing pfn order: *run is the run
 * index to start from and is advanced.
 */
uint64_t k2e_layout_pfn_off_seq(const struct k2e_layout *l, uint64_t pfn, size_t *run);

/* The pfn whose page holds file offset off (data_start <= off < data_end). */
uint64_t k2e_layout_off_pfn(const struct k2e_layout *l, uint64_t off);

/* Like k2e_layout_pfn_off(), and sets *run to start a k2e_layout_pfn_off_seq() walk. */
uint64_t k2e_layout_pfn_off_find(const struct k2e_layout *l, uint64_t pfn, size_t *run);

#endif
