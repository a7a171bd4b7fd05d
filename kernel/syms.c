/*
 * syms.c - the one symbol lookup of the dumped kernel (see kernel.h):
 * VMCOREINFO's SYMBOL() entries (runtime addresses the kernel published),
 * then a vmlinux's .symtab (link-time addresses plus KERNELOFFSET), then a
 * table from the dump's kallsyms or a System.map (runtime addresses).
 */
#include "kernel/kernel.h"

#include "kernel/kernel-priv.h"
#include "kernel/symtab.h"
#include "kernel/vmlinux.h"

void k2e_kernel_use_vmlinux(struct k2e_kernel *k, struct k2e_vmlinux *v)
{
	k->vmlinux = v;
}

void k2e_kernel_use_symtab(struct k2e_kernel *k, struct k2e_symtab *st)
{
	if (k->symtab != st)
		k2e_symtab_free(k->symtab);
	k->symtab = st;
}

struct k2e_vmlinux *k2e_kernel_vmlinux(const struct k2e_kernel *k)
{
	return k->vmlinux;
}

struct k2e_symtab *k2e_kernel_symtab(const struct k2e_kernel *k)
{
	return k->symtab;
}

uint64_t k2e_kernel_kaslr_offset(const struct k2e_kernel *k)
{
	return k2e_vmcoreinfo_kaslr_offset(&k->vmci);
}

int k2e_kernel_symbol(struct k2e_kernel *k, const char *name, uint64_t *ret, struct k2e_err *err)
{
	uint64_t a;
	const struct k2e_sym *s;

	if (k2e_vmcoreinfo_symbol(&k->vmci, name, ret) == 0)
		return 0;
	if (k->vmlinux && k2e_vmlinux_symbol(k->vmlinux, name, &a) == 0) {
		*ret = a + k2e_kernel_kaslr_offset(k);
		return 0;
	}
	if (k->symtab && (s = k2e_symtab_find(k->symtab, name, NULL))) {
		*ret = s->addr;
		return 0;
	}
	return k2e_err_set(err, "no symbol '%s' (in vmcoreinfo%s%s)", name,
			   k->vmlinux ? ", the vmlinux" : "", k->symtab ? ", the symbol table" : "");
}
