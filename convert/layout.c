#include "convert/layout.h"

#include <elf.h>
#include <stdlib.h>

int k2e_layout_init(struct k2e_layout *l, const struct k2e_runs *runs, uint32_t page_size,
		    uint64_t phdr_cap, uint64_t notes_cap, struct k2e_err *err)
{
	uint64_t off, hdr;

	l->page_size = page_size;
	l->page_shift = (unsigned)__builtin_ctz(page_size);
	l->runs = runs;
	l->phdr_cap = phdr_cap;
	l->run_off = malloc((runs->n ? runs->n : 1) * sizeof(*l->run_off));
	if (!l->run_off)
		return k2e_err_set(err, "out of memory");
	hdr = sizeof(Elf64_Ehdr) + phdr_cap * sizeof(Elf64_Phdr);
	l->notes_off = (hdr + 7) & ~7ULL;
	l->notes_cap = notes_cap;
	off = (l->notes_off + notes_cap + page_size - 1) & ~(uint64_t)(page_size - 1);
	l->data_start = off;
	for (size_t i = 0; i < runs->n; i++) {
		l->run_off[i] = off;
		off += runs->v[i].count << l->page_shift;
	}
	l->data_end = off;
	return 0;
}

void k2e_layout_release(struct k2e_layout *l)
{
	free(l->run_off);
	l->run_off = NULL;
}

uint64_t k2e_layout_pfn_off(const struct k2e_layout *l, uint64_t pfn)
{
	ptrdiff_t i = k2e_runs_find(l->runs, pfn);

	if (i < 0)
		return UINT64_MAX;
	return l->run_off[i] + ((pfn - l->runs->v[i].start) << l->page_shift);
}

uint64_t k2e_layout_pfn_off_seq(const struct k2e_layout *l, uint64_t pfn, size_t *run)
{
	const struct k2e_runs *r = l->runs;
	size_t i = *run;

	while (i < r->n && r->v[i].start + r->v[i].count <= pfn)
		i++;
	*run = i;
	if (i >= r->n || r->v[i].start > pfn)
		return UINT64_MAX;
	return l->run_off[i] + ((pfn - r->v[i].start) << l->page_shift);
}

uint64_t k2e_layout_pfn_off_find(const struct k2e_layout *l, uint64_t pfn, size_t *run)
{
	ptrdiff_t i = k2e_runs_find(l->runs, pfn);

	if (i < 0)
		return UINT64_MAX;
	*run = (size_t)i;
	return l->run_off[i] + ((pfn - l->runs->v[i].start) << l->page_shift);
}

uint64_t k2e_layout_off_pfn(const struct k2e_layout *l, uint64_t off)
{
	size_t lo = 0, hi = l->runs->n;

	/* The last run starting at or before off. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->run_off[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return l->runs->v[lo].start + ((off - l->run_off[lo]) >> l->page_shift);
}
