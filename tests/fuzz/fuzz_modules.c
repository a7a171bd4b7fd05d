/*
 * fuzz_modules - analysis/modules.c over a small kernel image
 * (tests/fuzz/fuzz-kernel.h): the module list with section addresses, then
 * every module's mod_kallsyms symbols appended to a symbol table (which is
 * then finished and searched).  Layouts come from the image's VMCOREINFO
 * OFFSET()/SIZE() lines.
 */
#include "tests/fuzz/fuzz-kernel.h"

#include "analysis/modules.h"
#include "kernel/symtab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct k2e_kernel *k = fuzz_kernel(data, size);
	struct k2e_modules mods;
	struct k2e_symtab *st;
	struct k2e_err err;

	if (!k)
		return 0;
	if (k2e_modules_list(k, &mods, &err) == 0)
		k2e_modules_release(&mods);
	st = k2e_symtab_new();
	if (st) {
		if (k2e_modules_add_symbols(st, k, &err) == 0) {
			k2e_symtab_finish(st);
			(void)k2e_symtab_find(st, "init_module", "");
		}
		k2e_symtab_free(st);
	}
	k2e_kernel_free(k);
	return 0;
}
