/*
 * fuzz_btf - btf/btf.c over a small kernel image (tests/fuzz/fuzz-kernel.h):
 * the vmlinux BTF between SYMBOL(__start_BTF) and SYMBOL(__stop_BTF), then,
 * with it as the base and the kernel's type lookup, every module's split
 * BTF from btf_modules.  The first input byte's bit 2 keeps the kernel's
 * type lookup on VMCOREINFO alone (no BTF given to it).  The vmlinux BTF is
 * then turned into DWARF (btf/dwarf.c) with a symbol for each of its first
 * functions and variables, as OUT.sym is made.
 */
#include "tests/fuzz/fuzz-kernel.h"

#include <bpf/btf.h>

#include "btf/btf.h"
#include "btf/dwarf.h"
#include "kernel/symtab.h"

static void to_dwarf(const struct btf *b, bool be)
{
	struct k2e_symtab *st = k2e_symtab_new();
	struct k2e_dwarf_out out;
	struct k2e_err err;
	uint32_t n = btf__type_cnt(b), added = 0;

	if (!st)
		return;
	for (uint32_t id = 1; id < n && added < 64; id++) {
		const struct btf_type *t = btf__type_by_id(b, id);
		const char *name = t ? btf__name_by_offset(b, t->name_off) : NULL;

		if (!name || !*name || !(btf_is_func(t) || btf_is_var(t)))
			continue;
		if (k2e_symtab_add(st, name, strlen(name), btf_is_func(t) ? 'T' : 'D',
				   0xffffffff81000000ULL + 0x40ull * added, 0, -1) < 0)
			break;
		added++;
	}
	k2e_symtab_finish(st);
	if (k2e_dwarf_from_btf(b, st, be, &out, &err) == 0)
		k2e_dwarf_out_release(&out);
	k2e_symtab_free(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct k2e_kernel *k = fuzz_kernel(data, size);
	struct k2e_btf_mod *mods = NULL;
	struct btf *base = NULL;
	struct k2e_err err;
	size_t n = 0;

	if (!k)
		return 0;
	if (k2e_btf_read_vmlinux(k, &base, &err) == 0) {
		to_dwarf(base, data[0] & 1);
		if (!(data[0] & 4))
			k2e_kernel_use_btf(k, base);
		if (k2e_btf_read_modules(k, base, &mods, &n, &err) == 0)
			k2e_btf_mods_free(mods, n);
	}
	k2e_kernel_free(k);
	btf__free(base);
	return 0;
}
