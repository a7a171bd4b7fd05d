/*
 * arch.h - what kdump2elf knows about each architecture, chosen at run time
 * from the dump's e_machine (never from the host).
 */
#ifndef K2E_ARCH_H
#define K2E_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/format.h"
#include "formats/vmcoreinfo.h"
#include "lib/error.h"

/* Reads the dumped machine's physical memory; -1 when the page is not in the dump. */
struct k2e_phys_reader {
	int (*read)(void *arg, uint64_t paddr, void *buf, size_t len);
	void *arg;
};

/* A growing list of virtual mappings, merged when contiguous in both spaces. */
struct k2e_vmaps {
	struct k2e_vmap *v;
	size_t n, cap;
};

void k2e_vmaps_init(struct k2e_vmaps *m);
void k2e_vmaps_release(struct k2e_vmaps *m);
int k2e_vmaps_add(struct k2e_vmaps *m, uint64_t vaddr, uint64_t paddr, uint64_t len,
		  struct k2e_err *err);

struct k2e_arch {
	const char *name;
	uint16_t e_machine;
	/*
	 * Kernel image virtual range [start, end): its aliases come first (crash
	 * finds phys_base there) and it never counts as the direct map.
	 */
	uint64_t kimage_start, kimage_end;
	/*
	 * Walk the kernel's page tables and add every kernel-half mapping, in
	 * increasing virtual order.  Needs the dump's vmcoreinfo: without it,
	 * returns -2 (nothing to walk, not an error).
	 */
	int (*kernel_mappings)(const struct k2e_vmcoreinfo *vi, const struct k2e_phys_reader *pr,
			       struct k2e_vmaps *ret, struct k2e_err *err);
	/*
	 * When the image's place depends on the dump (arm64 KASLR): set *start
	 * and *end from vmcoreinfo and the mappings found, or leave them.  NULL:
	 * the fixed range above.
	 */
	void (*kimage)(const struct k2e_vmcoreinfo *vi, const struct k2e_vmaps *maps,
		       uint64_t *start, uint64_t *end);
};

/* NULL when nothing is known about e_machine. */
const struct k2e_arch *k2e_arch_find(uint16_t e_machine);

#endif
