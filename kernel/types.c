/*
 * types.c - the one type lookup of the dumped kernel (see kernel.h): the
 * dump's own VMCOREINFO OFFSET()/SIZE() first (exact for this kernel, and
 * all that printk needs), then a vmlinux's DWARF, then BTF.
 */
#include "kernel/kernel.h"

#include <stdio.h>
#include <string.h>

#include "kernel/kernel-priv.h"
#include "kernel/types-btf.h"
#include "kernel/types-dwarf.h"

void k2e_kernel_use_btf(struct k2e_kernel *k, const struct btf *btf)
{
	k->btf = btf;
}

const struct btf *k2e_kernel_btf(const struct k2e_kernel *k)
{
	return k->btf;
}

int k2e_kernel_member(struct k2e_kernel *k, const char *type, const char *path,
		      struct k2e_member *ret, struct k2e_err *err)
{
	char key[160];
	uint64_t off;
	struct k2e_err e;

	if ((size_t)snprintf(key, sizeof(key), "%s.%s", type, path) < sizeof(key) &&
	    k2e_vmcoreinfo_offset(&k->vmci, key, &off) == 0) {
		*ret = (struct k2e_member){ .offset = off };
		return 0;
	}
	if (k->vmlinux && k2e_dwarf_member(k->vmlinux, type, path, ret, &e) == 0)
		return 0;
	if (k->btf && k2e_btf_member(k->btf, type, path, ret, &e) == 0)
		return 0;
	if (k->vmlinux || k->btf)
		return k2e_err_set(err, "%s", e.msg);
	return k2e_err_set(err, "no type information for struct %s (no OFFSET(%s) in vmcoreinfo, no vmlinux, no BTF)",
			   type, key);
}

int k2e_kernel_sizeof(struct k2e_kernel *k, const char *type, uint64_t *ret, struct k2e_err *err)
{
	struct k2e_err e;

	if (k2e_vmcoreinfo_size(&k->vmci, type, ret) == 0)
		return 0;
	if (k->vmlinux && k2e_dwarf_struct_size(k->vmlinux, type, ret, &e) == 0)
		return 0;
	if (k->btf && k2e_btf_struct_size(k->btf, type, ret, &e) == 0)
		return 0;
	if (k->vmlinux || k->btf)
		return k2e_err_set(err, "%s", e.msg);
	return k2e_err_set(err, "no type information for struct %s (no SIZE(%s) in vmcoreinfo, no vmlinux, no BTF)",
			   type, type);
}
