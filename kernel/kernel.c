/* kernel.c - the dumped-kernel object: machine, notes, memory (see kernel.h). */
#include "kernel/kernel.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"
#include "kernel/kernel-priv.h"
#include "kernel/symtab.h"
#include "lib/endian.h"

static unsigned word_for_machine(uint16_t machine, bool is64)
{
	switch (machine) {
	case EM_386:
	case EM_ARM:
	case EM_PPC:
	case EM_SPARC:
	case EM_SH:
	case EM_68K:
		return 4;
	default:
		return is64 ? 8 : 4;
	}
}

int k2e_kernel_new(const struct k2e_kernel_desc *desc, const struct k2e_mem_ops *ops, void *mem,
		   struct k2e_kernel **ret, struct k2e_err *err)
{
	struct k2e_kernel *k = calloc(1, sizeof(*k));
	uint64_t size;

	if (!k) {
		if (ops->free)
			ops->free(mem);
		return k2e_err_set(err, "out of memory");
	}
	k->ops = ops;
	k->mem = mem;
	k->machine = desc->machine;
	k->be = desc->big_endian;
	if (desc->notes_len) {
		k->notes = malloc(desc->notes_len);
		if (!k->notes) {
			k2e_kernel_free(k);
			return k2e_err_set(err, "out of memory");
		}
		memcpy(k->notes, desc->notes, desc->notes_len);
		k->notes_len = desc->notes_len;
	}
	k2e_vmcoreinfo_init(&k->vmci, k->notes, k->notes_len, k->be);
	k->word = word_for_machine(k->machine, desc->is64);
	if (k2e_vmcoreinfo_size(&k->vmci, "atomic_long_t", &size) == 0 && (size == 4 || size == 8))
		k->word = (unsigned)size;
	else if (k2e_vmcoreinfo_size(&k->vmci, "long", &size) == 0 && (size == 4 || size == 8))
		k->word = (unsigned)size;
	*ret = k;
	return 0;
}

void k2e_kernel_free(struct k2e_kernel *k)
{
	if (!k)
		return;
	if (k->ops && k->ops->free)
		k->ops->free(k->mem);
	k2e_symtab_free(k->symtab);
	free(k->notes);
	free(k);
}

bool k2e_kernel_big_endian(const struct k2e_kernel *k)
{
	return k->be;
}

unsigned k2e_kernel_word_size(const struct k2e_kernel *k)
{
	return k->word;
}

uint16_t k2e_kernel_machine(const struct k2e_kernel *k)
{
	return k->machine;
}

const struct k2e_vmcoreinfo *k2e_kernel_vmcoreinfo(const struct k2e_kernel *k)
{
	return &k->vmci;
}

const unsigned char *k2e_kernel_notes(const struct k2e_kernel *k, size_t *ret_len)
{
	*ret_len = k->notes_len;
	return k->notes;
}

size_t k2e_kernel_count_notes(const struct k2e_kernel *k, const char *name, int64_t type)
{
	size_t pos = 0, count = 0, nlen = strlen(name);

	while (k->notes && pos + 12 <= k->notes_len) {
		uint32_t namesz = k2e_get32(k->notes + pos, k->be);
		uint32_t descsz = k2e_get32(k->notes + pos + 4, k->be);
		uint32_t ntype = k2e_get32(k->notes + pos + 8, k->be);
		size_t name_off = pos + 12;
		size_t desc_off, next;

		if (namesz > k->notes_len || descsz > k->notes_len)
			break;
		desc_off = name_off + (((size_t)namesz + 3) & ~(size_t)3);
		next = desc_off + (((size_t)descsz + 3) & ~(size_t)3);
		if (desc_off > k->notes_len || desc_off + descsz > k->notes_len)
			break;
		if ((namesz == nlen + 1 || namesz == nlen) &&
		    memcmp(k->notes + name_off, name, nlen) == 0 &&
		    (type < 0 || (uint32_t)type == ntype))
			count++;
		pos = next;
	}
	return count;
}

int k2e_kernel_read(struct k2e_kernel *k, uint64_t vaddr, void *buf, size_t len,
		    struct k2e_err *err)
{
	return k->ops->read_virt(k->mem, vaddr, buf, len, err);
}

int k2e_kernel_read_phys(struct k2e_kernel *k, uint64_t paddr, void *buf, size_t len,
			 struct k2e_err *err)
{
	if (!k->ops->read_phys)
		return k2e_err_set(err, "physical address 0x%llx: not readable here",
				   (unsigned long long)paddr);
	return k->ops->read_phys(k->mem, paddr, buf, len, err);
}

uint64_t k2e_kernel_get_uint(const struct k2e_kernel *k, const void *p, unsigned size)
{
	switch (size) {
	case 1:
		return *(const unsigned char *)p;
	case 2:
		return k2e_get16(p, k->be);
	case 4:
		return k2e_get32(p, k->be);
	default:
		return k2e_get64(p, k->be);
	}
}

int k2e_kernel_read_uint(struct k2e_kernel *k, uint64_t vaddr, unsigned size, uint64_t *ret,
			 struct k2e_err *err)
{
	unsigned char b[8];

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return k2e_err_set(err, "bad word size %u", size);
	if (k2e_kernel_read(k, vaddr, b, size, err) < 0)
		return -1;
	*ret = k2e_kernel_get_uint(k, b, size);
	return 0;
}

int k2e_kernel_peek(struct k2e_kernel *k, uint64_t vaddr, void *buf, size_t len)
{
	struct k2e_err e;

	return k2e_kernel_read(k, vaddr, buf, len, &e);
}

int k2e_kernel_peek_uint(struct k2e_kernel *k, uint64_t vaddr, unsigned size, uint64_t *ret)
{
	struct k2e_err e;

	return k2e_kernel_read_uint(k, vaddr, size, ret, &e);
}
