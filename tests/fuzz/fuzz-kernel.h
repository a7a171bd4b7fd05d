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

		for (i = 0; i < m->n; i++) {
			const struct fuzz_region *r = &m->r[i];

			if (a >= r->vaddr && a - r->vaddr < r->len) {
				take = r->len - (size_t)(a - r->vaddr);
				if (take > len - done)
					take = len - done;
				memcpy((char *)buf + done, r->p + (a - r->vaddr), take);
				break;
			}
		}
		if (!take)
			return k2e_err_set(err, "address 0x%llx is not in the dump",
					   (unsigned long long)a);
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

/* The kernel of data (which must outlive it); NULL when the input is too short. */
static inline struct k2e_kernel *fuzz_kernel(const uint8_t *data, size_t size)
{
	struct k2e_kernel_desc desc = { 0 };
	struct k2e_kernel *k = NULL;
	struct fuzz_mem *m;
	struct k2e_err err;
	unsigned char *notes;
	size_t n, pos, nlen, npad;

	if (size < 3)
		return NULL;
	desc.big_endian = data[0] & 1;
	desc.is64 = !(data[0] & 2);
	desc.machine = desc.is64 ? (desc.big_endian ? EM_PPC64 : EM_X86_64)
				 : (desc.big_endian ? EM_PPC : EM_386);
	n = (size_t)fuzz_le(data + 1, 2);
	if (n > size - 3)
		n = size - 3;
	/* One VMCOREINFO note in the dump's byte order. */
	npad = (n + 3) & ~(size_t)3;
	nlen = 12 + 12 + npad;
	notes = calloc(1, nlen);
	m = calloc(1, sizeof(*m));
	if (!notes || !m) {
		free(notes);
		free(m);
		return NULL;
	}
	for (unsigned i = 0; i < 4; i++) {
		unsigned sh = desc.big_endian ? 8 * (3 - i) : 8 * i;

		notes[i] = (unsigned char)(11u >> sh);
		notes[4 + i] = (unsigned char)((uint32_t)n >> sh);
	}
	memcpy(notes + 12, "VMCOREINFO", 11);
	memcpy(notes + 24, data + 3, n);
	desc.notes = notes;
	desc.notes_len = nlen;

	pos = 3 + n;
	while (m->n < FUZZ_MAX_REGIONS && size - pos >= 12) {
		struct fuzz_region *r = &m->r[m->n++];

		r->vaddr = fuzz_le(data + pos, 8);
		r->len = (size_t)fuzz_le(data + pos + 8, 4);
		pos += 12;
		if (r->len > size - pos)
			r->len = size - pos;
		r->p = data + pos;
		pos += r->len;
	}
	if (k2e_kernel_new(&desc, &fuzz_mem_ops, m, &k, &err) < 0)
		k = NULL;	/* k2e_kernel_new freed m */
	free(notes);
	return k;
}

#endif
