/* mem-pages.c - the pages written so far, as the dumped kernel's memory (see mem-pages.h). */
#include "convert/mem-pages.h"

#include <string.h>

#include "convert/page-index.h"
#include "lib/fileio.h"

bool k2e_mem_pages_present(const struct k2e_mem_pages *p, uint64_t pfn)
{
	return k2e_runs_find(p->l->runs, pfn) >= 0 && k2e_runs_find(p->lost, pfn) < 0;
}

bool k2e_mem_pages_next(const struct k2e_mem_pages *p, uint64_t pfn, uint64_t end,
			uint64_t *ret_start, uint64_t *ret_end)
{
	const struct k2e_runs *r = p->l->runs, *lost = p->lost;

	for (size_t i = k2e_runs_first_ending_after(r, pfn); i < r->n && r->v[i].start < end; i++) {
		uint64_t a = pfn > r->v[i].start ? pfn : r->v[i].start;
		uint64_t b = end < r->v[i].start + r->v[i].count ? end : r->v[i].start + r->v[i].count;

		while (a < b) {
			size_t j = k2e_runs_first_ending_after(lost, a);

			if (j == lost->n || lost->v[j].start >= b) {
				*ret_start = a;
				*ret_end = b;
				return true;
			}
			if (lost->v[j].start > a) {
				*ret_start = a;
				*ret_end = lost->v[j].start;
				return true;
			}
			a = lost->v[j].start + lost->v[j].count;	/* past the lost pages */
		}
	}
	return false;
}

int k2e_mem_pages_read_phys(const struct k2e_mem_pages *p, uint64_t paddr, void *buf, size_t len)
{
	uint64_t pfn = paddr >> p->l->page_shift, off;
	size_t got;
	struct k2e_err e;

	if ((paddr & (p->l->page_size - 1)) + len > p->l->page_size ||
	    !k2e_mem_pages_present(p, pfn))
		return -1;
	if (p->reader)
		return k2e_page_reader_read(p->reader, pfn, (uint32_t)(paddr & (p->l->page_size - 1)),
					    buf, len, &e);
	off = k2e_layout_pfn_off(p->l, pfn) + (paddr & (p->l->page_size - 1));
	if (k2e_pread_all(p->fd, buf, len, off, &got, &e) < 0)
		return -1;
	/* Past the data written so far: a hole that reads as zeros. */
	memset((char *)buf + got, 0, len - got);
	return 0;
}

static int read_phys(void *mem, uint64_t paddr, void *buf, size_t len, struct k2e_err *err)
{
	const struct k2e_mem_pages *p = mem;
	unsigned char *out = buf;

	while (len) {
		uint64_t in_page = p->l->page_size - (paddr & (p->l->page_size - 1));
		size_t chunk = len < in_page ? len : (size_t)in_page;

		if (k2e_mem_pages_read_phys(p, paddr, out, chunk) < 0)
			return k2e_err_set(err, "physical address 0x%llx is not in the dump",
					   (unsigned long long)paddr);
		out += chunk;
		paddr += chunk;
		len -= chunk;
	}
	return 0;
}

static int read_virt(void *mem, uint64_t va, void *buf, size_t len, struct k2e_err *err)
{
	const struct k2e_mem_pages *p = mem;
	const struct k2e_vmaps *m = p->maps;
	unsigned char *out = buf;

	while (len) {
		size_t lo = 0, hi = m ? m->n : 0, chunk;
		uint64_t pa, in_page;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (m->v[mid].vaddr + m->v[mid].len <= va)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!m || lo >= m->n || m->v[lo].vaddr > va)
			return k2e_err_set(err, "address 0x%llx is not in the dump",
					   (unsigned long long)va);
		pa = m->v[lo].paddr + (va - m->v[lo].vaddr);
		in_page = p->l->page_size - (pa & (p->l->page_size - 1));
		chunk = len < in_page ? len : (size_t)in_page;
		if (k2e_mem_pages_read_phys(p, pa, out, chunk) < 0)
			return k2e_err_set(err, "address 0x%llx is not in the dump",
					   (unsigned long long)va);
		out += chunk;
		va += chunk;
		len -= chunk;
	}
	return 0;
}

/* The caller owns the struct: nothing to free. */
const struct k2e_mem_ops k2e_mem_pages_ops = {
	.read_virt = read_virt,
	.read_phys = read_phys,
};
