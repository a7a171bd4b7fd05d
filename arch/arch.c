/* arch.c - the table of architectures and shared helpers. */
#include "arch/arch.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct k2e_arch k2e_arch_x86_64;
extern const struct k2e_arch k2e_arch_arm64;

static const struct k2e_arch *const arches[] = {
	&k2e_arch_x86_64,
	&k2e_arch_arm64,
};

const struct k2e_arch *k2e_arch_find(uint16_t e_machine)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (arches[i]->e_machine == e_machine)
			return arches[i];
	return NULL;
}

void k2e_vmaps_init(struct k2e_vmaps *m)
{
	memset(m, 0, sizeof(*m));
}

void k2e_vmaps_release(struct k2e_vmaps *m)
{
	free(m->v);
	k2e_vmaps_init(m);
}

int k2e_vmaps_add(struct k2e_vmaps *m, uint64_t vaddr, uint64_t paddr, uint64_t len,
		  struct k2e_err *err)
{
	if (m->n) {
		struct k2e_vmap *last = &m->v[m->n - 1];

		if (last->vaddr + last->len == vaddr && last->paddr + last->len == paddr) {
			last->len += len;
			return 0;
		}
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		struct k2e_vmap *v = realloc(m->v, cap * sizeof(*v));

		if (!v)
			return k2e_err_set(err, "out of memory");
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n++] = (struct k2e_vmap){ vaddr, paddr, len };
	return 0;
}
