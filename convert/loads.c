/*
 * loads.c - the core's PT_LOADs: every physical run at its direct-map
 * address (or its physical one), zero-filled memory as the input had it,
 * then aliases of the same file bytes at every other kernel virtual address
 * the dumped kernel's page tables map (arch/).  Only pages present in the
 * output are covered: lost pages are in no segment.
 */
#include "convert/loads.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void warn(struct k2e_loads *ls, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct k2e_loads *ls, const char *fmt, ...)
{
	va_list ap;

	if (ls->n_warnings >= sizeof(ls->warning) / sizeof(ls->warning[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(ls->warning[ls->n_warnings++], sizeof(ls->warning[0]), fmt, ap);
	va_end(ap);
}

static int phys_read(void *arg, uint64_t paddr, void *buf, size_t len)
{
	return k2e_mem_pages_read_phys(arg, paddr, buf, len);
}

static int loads_add(struct k2e_loads *ls, uint64_t off, uint64_t vaddr, uint64_t paddr,
		     uint64_t len, struct k2e_err *err)
{
	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 256;
		Elf64_Phdr *v = realloc(ls->v, cap * sizeof(*v));

		if (!v)
			return k2e_err_set(err, "out of memory");
		ls->v = v;
		ls->cap = cap;
	}
	ls->v[ls->n++] = (Elf64_Phdr){
		.p_type = PT_LOAD,
		.p_flags = PF_R | PF_W | PF_X,
		.p_offset = off,
		.p_vaddr = vaddr,
		.p_paddr = paddr,
		.p_filesz = len,
		.p_memsz = len,
	};
	return 0;
}

/*
 * Add [paddr, paddr+len) seen at vaddr, cut into pieces that are present and
 * contiguous in the file.  With vaddr == UINT64_MAX, the direct map: vaddr
 * is paddr + delta.  The range need not be whole dump pages: a 4 KiB
 * mapping inside a 64 KiB block of QEMU's arm64 kdump files is that part of
 * the block.
 */
static int add_mapped(struct k2e_loads *ls, const struct k2e_mem_pages *p, uint64_t vaddr,
		      uint64_t paddr, uint64_t len, struct k2e_err *err)
{
	uint64_t ps = p->l->page_size, end_pa = paddr + len;
	uint64_t pfn = paddr / ps, end = end_pa / ps + (end_pa % ps != 0), start;

	while (pfn < end && k2e_mem_pages_next(p, pfn, end, &start, &pfn)) {
		uint64_t off = k2e_layout_pfn_off(p->l, start);
		uint64_t lo = start * ps > paddr ? start * ps : paddr;
		uint64_t hi = pfn * ps < end_pa ? pfn * ps : end_pa;

		if (loads_add(ls, off + (lo - start * ps), vaddr + (lo - paddr), lo, hi - lo, err) < 0)
			return -1;
	}
	return 0;
}

/* The delta (vaddr - paddr) that maps the most bytes below the kernel image. */
static bool direct_map_delta(const struct k2e_vmaps *m, uint64_t kimage_start, uint64_t *ret)
{
	uint64_t best = 0, best_len = 0;

	for (size_t i = 0; i < m->n; i++) {
		uint64_t delta = m->v[i].vaddr - m->v[i].paddr, total = 0;

		if (m->v[i].vaddr >= kimage_start)
			continue;
		for (size_t j = 0; j < m->n; j++)
			if (m->v[j].vaddr < kimage_start && m->v[j].vaddr - m->v[j].paddr == delta)
				total += m->v[j].len;
		if (total > best_len) {
			best_len = total;
			best = delta;
		}
		/* Mappings of one delta are usually adjacent: skip them. */
		while (i + 1 < m->n && m->v[i + 1].vaddr - m->v[i + 1].paddr == delta)
			i++;
	}
	if (!best_len)
		return false;
	*ret = best;
	return true;
}

/* Delta from the input's own program headers (ELF input), if it has one. */
static bool input_delta(const struct k2e_dump *d, uint64_t kimage_start, uint64_t *ret)
{
	for (size_t i = 0; i < d->n_vmaps; i++) {
		const struct k2e_vmap *v = &d->vmaps[i];

		if (v->vaddr != v->paddr && v->vaddr < kimage_start && v->vaddr != 0) {
			*ret = v->vaddr - v->paddr;
			return true;
		}
	}
	return false;
}

int k2e_loads_build(const struct k2e_dump *d, const struct k2e_layout *l,
		    const struct k2e_mem_pages *ppr, bool no_vmap, struct k2e_loads *ls,
		    struct k2e_vmaps *ret_maps, struct k2e_err *err)
{
	const struct k2e_arch *arch = k2e_arch_find(d->e_machine);
	const struct k2e_mem_pages *pr = ppr;
	struct k2e_phys_reader reader = { .read = phys_read, .arg = (void *)ppr };
	struct k2e_vmcoreinfo vi;
	struct k2e_vmaps maps;
	uint64_t delta = 0, kimage_start = arch ? arch->kimage_start : UINT64_MAX;
	uint64_t kimage_end = arch ? arch->kimage_end : UINT64_MAX;
	bool have_delta = false, have_maps = false;
	int rc = -1;

	k2e_vmaps_init(&maps);
	if (!arch)
		snprintf(ls->vmap_note, sizeof(ls->vmap_note),
			 "no page table walker for e_machine %u", d->e_machine);
	else if (no_vmap)
		snprintf(ls->vmap_note, sizeof(ls->vmap_note), "--no-vmap given");
	if (arch && !no_vmap) {
		struct k2e_err werr;

		int wrc;

		k2e_vmcoreinfo_init(&vi, d->notes, d->notes_len, d->big_endian);
		wrc = arch->kernel_mappings(&vi, &reader, &maps, &werr);

		if (wrc == 0) {
			have_maps = true;
			if (arch->kimage)
				arch->kimage(&vi, &maps, &kimage_start, &kimage_end);
		} else if (wrc == -2) {
			snprintf(ls->vmap_note, sizeof(ls->vmap_note), "%s", werr.msg);
		} else {
			warn(ls, "kernel virtual addresses not mapped: %s", werr.msg);
		}
	}
	if (have_maps)
		have_delta = direct_map_delta(&maps, kimage_start, &delta);
	if (!have_delta)
		have_delta = input_delta(d, kimage_start, &delta);
	ls->page_offset_known = have_delta;
	ls->page_offset = delta;

	/* Physical runs at their direct-map addresses (or at their physical ones). */
	for (size_t i = 0; i < d->runs.n; i++) {
		uint64_t pa = d->runs.v[i].start << l->page_shift;
		uint64_t len = d->runs.v[i].count << l->page_shift;

		if (add_mapped(ls, pr, have_delta ? pa + delta : pa, pa, len, err) < 0)
			goto out;
	}
	/* Memory the input says reads as zeros: p_memsz past p_filesz, as there. */
	for (size_t i = 0; i < d->zero_fill.n; i++) {
		uint64_t pa = d->zero_fill.v[i].start << l->page_shift;
		uint64_t len = d->zero_fill.v[i].count << l->page_shift;
		Elf64_Phdr *prev = NULL;

		for (size_t j = 0; j < ls->n; j++)
			if (ls->v[j].p_paddr + ls->v[j].p_memsz == pa)
				prev = &ls->v[j];
		if (prev) {
			prev->p_memsz += len;
		} else {
			if (loads_add(ls, l->data_start, have_delta ? pa + delta : pa, pa, 0, err) < 0)
				goto out;
			ls->v[ls->n - 1].p_memsz = len;
		}
	}
	ls->n_phys = ls->n;

	/* Aliases: the kernel image first (crash finds phys_base there), then the rest. */
	for (int pass = 0; pass < 2 && have_maps; pass++) {
		for (size_t i = 0; i < maps.n; i++) {
			const struct k2e_vmap *m = &maps.v[i];
			bool kimage = m->vaddr >= kimage_start && m->vaddr < kimage_end;

			if ((pass == 0) != kimage)
				continue;
			if (have_delta && m->vaddr - m->paddr == delta)
				continue;	/* the direct map: already there */
			if (1 + ls->n >= l->phdr_cap) {
				warn(ls, "too many virtual mappings: only %llu program headers fit; the rest are left out",
				     (unsigned long long)l->phdr_cap);
				pass = 2;
				break;
			}
			if (add_mapped(ls, pr, m->vaddr, m->paddr, m->len, err) < 0)
				goto out;
			if (1 + ls->n > l->phdr_cap)
				ls->n = l->phdr_cap - 1;
		}
	}
	rc = 0;
out:
	if (rc == 0) {
		*ret_maps = maps;
		/* The direct map is linear: add it once for the virtual reader. */
		if (have_delta && !have_maps) {
			for (size_t i = 0; i < d->runs.n; i++) {
				uint64_t pa = d->runs.v[i].start << l->page_shift;

				(void)k2e_vmaps_add(ret_maps, pa + delta, pa,
						    d->runs.v[i].count << l->page_shift, err);
			}
		}
	} else {
		k2e_vmaps_release(&maps);
	}
	return rc;
}


void k2e_loads_release(struct k2e_loads *ls)
{
	free(ls->v);
	memset(ls, 0, sizeof(*ls));
}
