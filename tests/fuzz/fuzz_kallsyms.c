/*
 * fuzz_kallsyms - kernel/syms-kallsyms.c: decode the kallsyms tables of a
 * small kernel image (tests/fuzz/fuzz-kernel.h) in each of the four
 * address encodings (absolute, base-relative, absolute-percpu,
 * place-relative), whole and for a few names, then look a symbol up
 * through the table.  Seeds: one image per encoding and table shape.
 * Without SYMBOL(kallsyms_names) the tables are searched for in the image,
 * bounded to the image's regions (fuzz_kernel_ex).
 */
#include "tests/fuzz/fuzz-kernel.h"

#include "kernel/symtab.h"
#include "kernel/syms-kallsyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const some[] = { "_stext", "init_task", "modules" };
	struct k2e_kernel *k = fuzz_kernel_ex(data, size, true);
	struct k2e_symtab *st;
	struct k2e_err err;
	uint64_t addr;

	if (!k)
		return 0;
	/*
	 * A search by shape below the x86_64 kernel map, or on another machine,
	 * spans 1 GiB: left to fuzz_kallsyms_locate.
	 */
	if (k2e_vmcoreinfo_symbol(k2e_kernel_vmcoreinfo(k), "kallsyms_names", &addr) < 0 &&
	    (k2e_kernel_machine(k) != EM_X86_64 ||
	     k2e_vmcoreinfo_symbol(k2e_kernel_vmcoreinfo(k), "_stext", &addr) < 0 ||
	     addr < 0xffffffff80000000ULL)) {
		k2e_kernel_free(k);
		return 0;
	}
	if (k2e_kallsyms_read_some(k, some, 3, &st, &err) == 0)
		k2e_symtab_free(st);
	if (k2e_kallsyms_read(k, &st, &err) == 0) {
		k2e_kernel_use_symtab(k, st);
		(void)k2e_kernel_symbol(k, "init_task", &addr, &err);
	}
	k2e_kernel_free(k);
	return 0;
}
