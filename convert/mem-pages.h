/*
 * mem-pages.h - the dumped kernel's memory while it is being converted: the
 * pages already written to the output core, read back from its descriptor,
 * or, for a core that is never written (a mount), the pages decoded from the
 * dump on demand (convert/page-index.h).  A memory backend of struct k2e_kernel (kernel/kernel.h); the other one
 * reads a finished core (kernel/mem-core.c).
 *
 * A physical page is readable when it is dumped (in the layout's runs) and
 * was not lost.  Virtual addresses go through the mappings the kernel's page
 * tables gave (arch/), set once they are known.
 */
#ifndef K2E_MEM_PAGES_H
#define K2E_MEM_PAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arch.h"
#include "convert/layout.h"
#include "kernel/kernel.h"
#include "lib/runs.h"

struct k2e_page_reader;

struct k2e_mem_pages {
	const struct k2e_layout *l;
	const struct k2e_runs *lost;	/* sorted */
	int fd;				/* the output core */
	/* Not NULL: the pages are not in fd but decoded from the dump (convert/page-index.h). */
	struct k2e_page_reader *reader;
	const struct k2e_vmaps *maps;	/* sorted by vaddr; NULL: no virtual addresses yet */
};

extern const struct k2e_mem_ops k2e_mem_pages_ops;

/* Is pfn's page in the output? */
bool k2e_mem_pages_present(const struct k2e_mem_pages *p, uint64_t pfn);
/*
 * The first run of present pages in [pfn, end): [*ret_start, *ret_end),
 * all in one run of the layout (consecutive in the file).  false when there
 * is none.  Binary searches over the runs, not a walk over the pfns: a
 * mapping may declare far more pages than the dump holds.
 */
bool k2e_mem_pages_next(const struct k2e_mem_pages *p, uint64_t pfn, uint64_t end,
			uint64_t *ret_start, uint64_t *ret_end);
/* Read within one page of physical memory; -1 when it is not in the output. */
int k2e_mem_pages_read_phys(const struct k2e_mem_pages *p, uint64_t paddr, void *buf, size_t len);

#endif
