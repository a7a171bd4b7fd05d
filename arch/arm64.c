/*
 * arm64.c - the kernel's page tables on arm64 (AArch64, VMSAv8-64 stage 1,
 * the TTBR1 half): 4, 16 and 64 KiB granules, 2 to 5 levels.
 *
 * The root is swapper_pg_dir, a kernel-image address: its physical address
 * is the symbol minus kimage_voffset (arch/arm64/include/asm/memory.h,
 * __kimg_to_phys).  vmcoreinfo gives SYMBOL(swapper_pg_dir),
 * NUMBER(kimage_voffset), NUMBER(VA_BITS) (the size the kernel's tables are
 * built for), NUMBER(TCR_EL1_T1SZ) (64 - the VA bits the hardware uses),
 * PAGESIZE and NUMBER(MAX_PHYSMEM_BITS).
 *
 * Geometry (Arm ARM D8, "VMSAv8-64 translation table format"): a table is
 * one granule of 8-byte descriptors, each level resolves granule_shift - 3
 * bits, and the top level resolves what is left of VA_BITS (a 52-bit
 * 64 KiB kernel's top table has 1024 entries).  A descriptor is valid when
 * bit 0 is set; above the last level, bit 1 set means "next table" and
 * clear means a block (allowed one and two levels above the last); at the
 * last level bit 1 must be set (a page).  The output address is bits
 * [47:granule_shift]; with 52-bit physical addresses and 64 KiB pages
 * bits [15:12] hold address bits [51:48].  The contiguous hint (bit 52)
 * changes nothing here: every entry of a contiguous run holds its own
 * address.
 */
#include "arch/arch.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "lib/endian.h"

enum {
	DESC_VALID = 1 << 0,
	DESC_TABLE = 1 << 1,		/* above the last level: a table, else a block */
	MAX_LEVELS = 5,
	MAX_MAPPINGS = 1 << 22,		/* cyclic or shared tables: bound the memory */
};

/* Bytes of tables a walk may read (as x86_64's 2^20 tables of 4 KiB): more is corrupt. */
static const uint64_t max_table_bytes = 4ULL << 30;
static const uint64_t oa_mask_48 = 0x0000ffffffffffffULL;
static const uint64_t oa_hi_64k = 0xf000ULL;	/* bits [15:12]: address bits [51:48] */

struct walk {
	const struct k2e_phys_reader *pr;
	struct k2e_vmaps *out;
	unsigned shift;			/* granule: 12, 14 or 16 */
	unsigned levels;
	unsigned top_entries;
	uint64_t va_floor;		/* below: out of the hardware's reach (T1SZ) */
	bool pa52;			/* 64 KiB granule with 52-bit physical addresses */
	uint64_t bytes_read;
	unsigned char *buf;		/* one granule per level */
	struct k2e_err *err;
};

static uint64_t desc_addr(const struct walk *w, uint64_t e)
{
	uint64_t pa = e & oa_mask_48 & ~((1ULL << w->shift) - 1);

	if (w->pa52)
		pa |= (e & oa_hi_64k) << 36;
	return pa;
}

/* level: levels - 1 at the top, 0 for the page tables. */
static int walk_table(struct walk *w, unsigned level, uint64_t table_pa, uint64_t va_base)
{
	unsigned bits = w->shift - 3;
	unsigned shift = w->shift + bits * level;
	unsigned n = level == w->levels - 1 ? w->top_entries : 1u << bits;
	size_t len = (size_t)n * 8;
	unsigned char *tbl = w->buf + ((size_t)level << w->shift);

	if (table_pa & (len - 1))
		return 0;	/* misaligned: not a table the MMU could walk */
	w->bytes_read += len;
	if (w->bytes_read > max_table_bytes)
		return k2e_err_set(w->err, "page table walk reads more than %llu MiB of tables",
				   (unsigned long long)(max_table_bytes >> 20));
	if (w->pr->read(w->pr->arg, table_pa, tbl, len) < 0)
		return 0;	/* a table the dump lacks maps nothing we can show */
	for (unsigned i = 0; i < n; i++) {
		uint64_t e = k2e_get64(tbl + 8 * (size_t)i, false);
		uint64_t va = va_base + ((uint64_t)i << shift);
		uint64_t size = 1ULL << shift;

		if (!(e & DESC_VALID) || va + (size - 1) < w->va_floor)
			continue;
		if (level == 0 || !(e & DESC_TABLE)) {
			if (level == 0 ? !(e & DESC_TABLE) : level > 2)
				continue;	/* reserved encodings: fault, map nothing */
			if (k2e_vmaps_add(w->out, va, desc_addr(w, e) & ~(size - 1), size, w->err) < 0)
				return -1;
			if (w->out->n > MAX_MAPPINGS)
				return k2e_err_set(w->err, "page table walk yields more than %d mappings",
						   MAX_MAPPINGS);
			continue;
		}
		if (walk_table(w, level - 1, desc_addr(w, e), va) < 0)
			return -1;
	}
	return 0;
}

static int arm64_kernel_mappings(const struct k2e_vmcoreinfo *vi, const struct k2e_phys_reader *pr,
				 struct k2e_vmaps *ret, struct k2e_err *err)
{
	struct walk w = { .pr = pr, .out = ret, .err = err };
	uint64_t root, voff, page_size, t1sz, resolved;
	int64_t va_bits, pbits = 48;
	int rc;

	if (k2e_vmcoreinfo_symbol(vi, "swapper_pg_dir", &root) < 0) {
		k2e_err_set(err, "vmcoreinfo has no SYMBOL(swapper_pg_dir)");
		return -2;
	}
	if (k2e_vmcoreinfo_unsigned(vi, "NUMBER(kimage_voffset)", 16, &voff) < 0)
		return k2e_err_set(err, "vmcoreinfo has no NUMBER(kimage_voffset)");
	if (k2e_vmcoreinfo_number(vi, "VA_BITS", &va_bits) < 0)
		return k2e_err_set(err, "vmcoreinfo has no NUMBER(VA_BITS)");
	if (k2e_vmcoreinfo_unsigned(vi, "PAGESIZE", 10, &page_size) < 0)
		return k2e_err_set(err, "vmcoreinfo has no PAGESIZE");
	(void)k2e_vmcoreinfo_number(vi, "MAX_PHYSMEM_BITS", &pbits);
	switch (page_size) {
	case 4096: w.shift = 12; break;
	case 16384: w.shift = 14; break;
	case 65536: w.shift = 16; break;
	default:
		return k2e_err_set(err, "vmcoreinfo: PAGESIZE %llu is not an arm64 granule",
				   (unsigned long long)page_size);
	}
	if (va_bits < 36 || va_bits > 52 || (int64_t)w.shift >= va_bits)
		return k2e_err_set(err, "vmcoreinfo: VA_BITS %lld is not an arm64 address size",
				   (long long)va_bits);
	/* Levels: enough granule_shift - 3 bit steps to resolve VA_BITS. */
	w.levels = (unsigned)((va_bits - w.shift + (w.shift - 3) - 1) / (w.shift - 3));
	if (w.levels > MAX_LEVELS)
		return k2e_err_set(err, "vmcoreinfo: VA_BITS %lld needs %u levels of %llu-byte pages",
				   (long long)va_bits, w.levels, (unsigned long long)page_size);
	resolved = w.shift + (uint64_t)(w.shift - 3) * (w.levels - 1);
	w.top_entries = 1u << (va_bits - resolved);
	w.pa52 = w.shift == 16 && pbits == 52;
	/* The hardware reaches 64 - T1SZ bits (a 52-bit kernel on 48-bit hardware). */
	w.va_floor = 0 - (1ULL << va_bits);
	if (k2e_vmcoreinfo_unsigned(vi, "NUMBER(TCR_EL1_T1SZ)", 16, &t1sz) == 0 && t1sz >= 12 &&
	    64 - t1sz < (uint64_t)va_bits)
		w.va_floor = 0 - (1ULL << (64 - t1sz));
	if (root < voff)
		return k2e_err_set(err, "vmcoreinfo: swapper_pg_dir 0x%llx is below kimage_voffset 0x%llx",
				   (unsigned long long)root, (unsigned long long)voff);
	w.buf = malloc((size_t)w.levels << w.shift);
	if (!w.buf)
		return k2e_err_set(err, "out of memory");
	rc = walk_table(&w, w.levels - 1, root - voff, 0 - (1ULL << va_bits));
	free(w.buf);
	return rc;
}

/*
 * The image is where the kernel's own mappings are: the virtual addresses
 * whose distance to their physical ones is kimage_voffset (the image may
 * sit anywhere in the vmalloc area under KASLR).
 */
static void arm64_kimage(const struct k2e_vmcoreinfo *vi, const struct k2e_vmaps *maps,
			 uint64_t *start, uint64_t *end)
{
	uint64_t voff, lo = UINT64_MAX, hi = 0;

	if (k2e_vmcoreinfo_unsigned(vi, "NUMBER(kimage_voffset)", 16, &voff) < 0)
		return;
	for (size_t i = 0; i < maps->n; i++) {
		const struct k2e_vmap *m = &maps->v[i];

		if (m->vaddr - m->paddr != voff)
			continue;
		if (m->vaddr < lo)
			lo = m->vaddr;
		if (m->vaddr + m->len > hi)
			hi = m->vaddr + m->len;
	}
	if (lo < hi) {
		*start = lo;
		*end = hi;
	}
}

const struct k2e_arch k2e_arch_arm64 = {
	.name = "arm64",
	.e_machine = EM_AARCH64,
	.kimage_start = UINT64_MAX,
	.kimage_end = UINT64_MAX,
	.kernel_mappings = arm64_kernel_mappings,
	.kimage = arm64_kimage,
};
