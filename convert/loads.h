/* loads.h - the output core's PT_LOADs (see loads.c). */
#ifndef K2E_LOADS_H
#define K2E_LOADS_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "convert/layout.h"
#include "convert/mem-pages.h"
#include "formats/format.h"
#include "lib/error.h"

struct k2e_loads {
	Elf64_Phdr *v;
	size_t n, cap;
	size_t n_phys;			/* the first n_phys are physical runs, the rest aliases */
	bool page_offset_known;
	uint64_t page_offset;		/* direct-map base when known */
	char vmap_note[K2E_ERR_MSG_MAX];	/* why no virtual mappings, when that is expected */
	char warning[2][K2E_ERR_MSG_MAX];	/* what went wrong on the way (not fatal) */
	size_t n_warnings;
};

/*
 * Fill ls (zeroed by the caller) for d's pages as p has them, walking the
 * kernel's page tables unless no_vmap.  *ret_maps: the kernel's virtual
 * mappings (the direct map alone when only that is known), for the memory
 * reader; the caller releases it.  -1 only for out of memory.
 */
int k2e_loads_build(const struct k2e_dump *d, const struct k2e_layout *l,
		    const struct k2e_mem_pages *p, bool no_vmap, struct k2e_loads *ls,
		    struct k2e_vmaps *ret_maps, struct k2e_err *err);
void k2e_loads_release(struct k2e_loads *ls);

#endif
