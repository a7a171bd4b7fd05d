/*
 * fuzz-kernel.h - a small dumped kernel made from a fuzz input, for the
 * targets whose parsers read the kernel's memory (kallsyms, BTF, printk,
 * the module walk, ORC).  The fuzzer mutates the VMCOREINFO (symbols,
 * offsets, sizes) and the memory it describes together.
 *
 * The input, all numbers little-endian:
 *
 *   u8   flags        bit 0: big-endian; bit 1: a 32-bit machine
 *                     (EM_386 / EM_PPC, else EM_X86_64 / EM_PPC64)
 *   u16  n            then n bytes of VMCOREINFO text (cut at the input's end)
 *   then regions until the input ends:
 *   u64  vaddr
 *   u32  len          then len bytes at vaddr (cut at the input's end)
 *
 * A read is served region by region (the first region holding each
 * address), so it may span adjacent regions; an address no region holds
 * fails the read.  read_phys fails always.  tests/fuzz/make-kernel-seeds.c
 * writes such images from real dumps and from the unit tests' layouts.
 */
#ifndef K2E_FUZZ_KERNEL_H
#define K2E_FUZZ_KERNEL_H

#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"
#include "lib/error.h"

enum { FUZZ_MAX_REGIONS = 512 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_region {
	uint64_t vaddr;
	const uint8_t *p;
	size_t len;
};

struct fuzz_mem {
	struct fuzz_region r[FUZZ_MAX_REGIONS];
	size_t n;
	uint64_t lo, hi;	/* every region is in [lo, hi] */
};

static inline uint64_t fuzz_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static int fuzz_mem_read(void *mem, uint64_t va, void *buf, size_t len, struct k2e_err *err)
{
	const struct fuzz_mem *m = mem;
	uint64_t a = va;
	size_t done = 0;

	while (done < len) {
		size_t i, take = 0;

		for (i = a >= m->lo && a <= m->hi ? 0 : m->n; i < m->n; i++) {
			const struct fuzz_region *r = &m->r[i];

			if (a >= r->vaddr && a - r->vaddr < r->len) {
				take = r->len - (size_t)(a - r->vaddr);
				if (take > len - done)
					take = len - done;
				memcpy((char *)buf + done, r->p + (a - r->vaddr), take);
				break;
			}
		}
		if (!take) {
			/* Cheap: a scan by shape (kallsyms before 6.0) misses page after page. */
			static const char msg[] = "address not in the dump";

			memcpy(err->msg, msg, sizeof(msg));
			return -1;
		}
		done += take;
		a += take;
	}
	return 0;
}

static int fuzz_mem_phys(void *mem, uint64_t pa, void *buf, size_t len, struct k2e_err *err)
{
	(void)mem;
	(void)buf;
	(void)len;
	return k2e_err_set(err, "physical address 0x%llx is not in the dump",
			   (unsigned long long)pa);
}

static void fuzz_mem_free(void *mem)
{
	free(mem);
}

static const struct k2e_mem_ops fuzz_mem_ops = {
	.read_virt = fuzz_mem_read,
	.read_phys = fuzz_mem_phys,
	.free = fuzz_mem_free,
};

/*
 * The kernel of data (which must outlive it); NULL when the input is too
 * short.  With bound_image, VMCOREINFO starts with a
 * NUMBER(KERNEL_IMAGE_SIZE) that ends the x86_64 kernel image at the
 * highest region below 64 MiB past __START_KERNEL_map, so a search of the
 * image by shape (kallsyms before 6.0) covers the image, not 1 GiB of
 * missing pages: fuzz_kallsyms_locate fuzzes that search.
 */
static inline struct k2e_kernel *fuzz_kernel_ex(const uint8_t *data, size_t size, bool bound_image)
{
	static const uint64_t kmap = 0xffffffff80000000ULL, kmax = 64u << 20;
	struct k2e_kernel_desc desc = { 0 };
	struct k2e_kernel *k = NULL;
	struct fuzz_mem *m;
	struct k2e_err err;
	unsigned char *notes;
	char prefix[64] = "";
	size_t n, pos, nlen, npad, plen;
	uint64_t top = 0;

	if (size < 3)
		return NULL;
	desc.big_endian = data[0] & 1;
	desc.is64 = !(data[0] & 2);
	desc.machine = desc.is64 ? (desc.big_endian ? EM_PPC64 : EM_X86_64)
				 : (desc.big_endian ? EM_PPC : EM_386);
	n = (size_t)fuzz_le(data + 1, 2);
	if (n > size - 3)
		n = size - 3;
	if (!(m = calloc(1, sizeof(*m))))
		return NULL;
	pos = 3 + n;
	m->lo = UINT64_MAX;
	while (m->n < FUZZ_MAX_REGIONS && size - pos >= 12) {
		struct fuzz_region *r = &m->r[m->n++];

		r->vaddr = fuzz_le(data + pos, 8);
		r->len = (size_t)fuzz_le(data + pos + 8, 4);
		pos += 12;
		if (r->len > size - pos)
			r->len = size - pos;
		r->p = data + pos;
		pos += r->len;
		if (r->len) {
			uint64_t last = r->vaddr + (r->len - 1);

			if (r->vaddr < m->lo)
				m->lo = r->vaddr;
			if (last < r->vaddr || last > m->hi)
				m->hi = last < r->vaddr ? UINT64_MAX : last;
			if (r->vaddr >= kmap && last >= r->vaddr && last - kmap < kmax &&
			    last - kmap + 1 > top)
				top = last - kmap + 1;
		}
	}
	if (bound_image)
		snprintf(prefix, sizeof(prefix), "NUMBER(KERNEL_IMAGE_SIZE)=%llu\n",
			 (unsigned long long)(top ? top : 1));
	plen = strlen(prefix);

	/* One VMCOREINFO note in the dump's byte order. */
	npad = (plen + n + 3) & ~(size_t)3;
	nlen = 12 + 12 + npad;
	if (!(notes = calloc(1, nlen))) {
		free(m);
		return NULL;
	}
	for (unsigned i = 0; i < 4; i++) {
		unsigned sh = desc.big_endian ? 8 * (3 - i) : 8 * i;

		notes[i] = (unsigned char)(11u >> sh);
		notes[4 + i] = (unsigned char)((uint32_t)(plen + n) >> sh);
	}
	memcpy(notes + 12, "VMCOREINFO", 11);
	memcpy(notes + 24, prefix, plen);
	memcpy(notes + 24 + plen, data + 3, n);
	desc.notes = notes;
	desc.notes_len = nlen;
	if (k2e_kernel_new(&desc, &fuzz_mem_ops, m, &k, &err) < 0)
		k = NULL;	/* k2e_kernel_new freed m */
	free(notes);
	return k;
}

static inline struct k2e_kernel *fuzz_kernel(const uint8_t *data, size_t size)
{
	return fuzz_kernel_ex(data, size, false);
}

#endif
