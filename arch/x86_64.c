/*
 * x86_64.c - the kernel's page tables on x86_64, 4- and 5-level.
 *
 * The root is init_top_pgt; its physical address is the symbol minus
 * __START_KERNEL_map plus phys_base (arch/x86/include/asm/page_64.h,
 * __phys_addr_symbol).  vmcoreinfo gives SYMBOL(init_top_pgt),
 * NUMBER(phys_base) (decimal, often negative), NUMBER(pgtable_l5_enabled) and
 * NUMBER(sme_mask) (the memory-encryption bit to strip from entries).
 */
#include "arch/arch.h"

#include <elf.h>
#include <string.h>

#include "lib/endian.h"

static const uint64_t start_kernel_map = 0xffffffff80000000ULL;
static const uint64_t pte_pfn_mask = 0x000ffffffffff000ULL;

enum {
	PTE_PRESENT = 1 << 0,
	PTE_PSE = 1 << 7,		/* a 1 GiB or 2 MiB leaf at levels 3 and 2 */
	MAX_TABLE_READS = 1 << 20,	/* a walk that needs more is corrupt */
	MAX_MAPPINGS = 1 << 22,		/* cyclic or shared tables: bound the memory */
};

struct walk {
	const struct k2e_phys_reader *pr;
	struct k2e_vmaps *out;
	uint64_t mask;
	unsigned levels;
	unsigned long reads;
	struct k2e_err *err;
};

static uint64_t sign_extend(uint64_t va, unsigned bits)
{
	uint64_t m = 1ULL << (bits - 1);

	return (va ^ m) - m;
}

static int walk_table(struct walk *w, unsigned level, uint64_t table_pa, uint64_t va_base)
{
	unsigned char tbl[4096];
	unsigned shift = 12 + 9 * (level - 1);
	unsigned first = level == w->levels ? 256 : 0;	/* kernel half only */

	if (++w->reads > MAX_TABLE_READS)
		return k2e_err_set(w->err, "page table walk needs more than %d tables", MAX_TABLE_READS);
	if (w->pr->read(w->pr->arg, table_pa, tbl, sizeof(tbl)) < 0)
		return 0;	/* a table the dump lacks maps nothing we can show */
	for (unsigned i = first; i < 512; i++) {
		uint64_t e = k2e_get64(tbl + 8 * i, false);
		uint64_t va = va_base + ((uint64_t)i << shift);
		uint64_t pa;

		if (!(e & PTE_PRESENT))
			continue;
		if (level == w->levels)
			va = sign_extend(va, w->levels == 5 ? 57 : 48);
		if (level == 1 || ((level == 2 || level == 3) && (e & PTE_PSE))) {
			uint64_t size = 1ULL << shift;

			pa = e & w->mask & ~(size - 1);
			if (k2e_vmaps_add(w->out, va, pa, size, w->err) < 0)
				return -1;
			if (w->out->n > MAX_MAPPINGS)
				return k2e_err_set(w->err, "page table walk yields more than %d mappings",
						   MAX_MAPPINGS);
			continue;
		}
		if (level == 1)
			continue;
		pa = e & w->mask;
		if (walk_table(w, level - 1, pa, va) < 0)
			return -1;
	}
	return 0;
}

static int x86_64_kernel_mappings(const struct k2e_vmcoreinfo *vi,
				  const struct k2e_phys_reader *pr, struct k2e_vmaps *ret,
				  struct k2e_err *err)
{
	struct walk w = { .pr = pr, .out = ret, .err = err };
	uint64_t root;
	int64_t phys_base, l5 = 0, sme = 0;

	if (k2e_vmcoreinfo_symbol(vi, "init_top_pgt", &root) < 0 &&
	    k2e_vmcoreinfo_symbol(vi, "swapper_pg_dir", &root) < 0) {
		k2e_err_set(err, "vmcoreinfo has no SYMBOL(init_top_pgt)");
		return -2;
	}
	if (k2e_vmcoreinfo_number(vi, "phys_base", &phys_base) < 0)
		return k2e_err_set(err, "vmcoreinfo has no NUMBER(phys_base)");
	(void)k2e_vmcoreinfo_number(vi, "pgtable_l5_enabled", &l5);
	(void)k2e_vmcoreinfo_number(vi, "sme_mask", &sme);
	if (root < start_kernel_map)
		return k2e_err_set(err, "vmcoreinfo: init_top_pgt 0x%llx is not in the kernel image",
				   (unsigned long long)root);
	w.levels = l5 == 1 ? 5 : 4;
	w.mask = pte_pfn_mask & ~(uint64_t)sme;
	return walk_table(&w, w.levels, root - start_kernel_map + (uint64_t)phys_base, 0);
}

const struct k2e_arch k2e_arch_x86_64 = {
	.name = "x86_64",
	.e_machine = EM_X86_64,
	.kimage_start = 0xffffffff80000000ULL,
	.kimage_end = 0xffffffffc0000000ULL,
	.kernel_mappings = x86_64_kernel_mappings,
};
