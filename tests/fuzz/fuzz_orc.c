/*
 * fuzz_orc - output/orc.c over a small kernel image
 * (tests/fuzz/fuzz-kernel.h): the vmlinux ORC tables (SYMBOL() of
 * __start_orc_unwind_ip, __stop_orc_unwind_ip, __start_orc_unwind)
 * translated to .debug_frame; when the image also holds BTF (as fuzz_btf
 * reads it) and a module list, the modules' tables too.
 */
#include "tests/fuzz/fuzz-kernel.h"

#include <bpf/btf.h>

#include "analysis/modules.h"
#include "btf/btf.h"
#include "kernel/symtab.h"
#include "output/orc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct k2e_kernel *k = fuzz_kernel(data, size);
	struct k2e_orc_out out;
	struct btf *base = NULL;
	struct k2e_symtab *st;
	struct k2e_err err;
	uint64_t ip, stop;

	if (!k)
		return 0;
	/*
	 * An IP table larger than the input cannot be read whole: it only costs
	 * the allocations of up to MAX_ORCS entries.  Skipped, for speed.
	 */
	if (k2e_vmcoreinfo_symbol(k2e_kernel_vmcoreinfo(k), "__start_orc_unwind_ip", &ip) == 0 &&
	    k2e_vmcoreinfo_symbol(k2e_kernel_vmcoreinfo(k), "__stop_orc_unwind_ip", &stop) == 0 &&
	    stop > ip && stop - ip > size) {
		k2e_kernel_free(k);
		return 0;
	}
	if (k2e_btf_read_vmlinux(k, &base, &err) == 0)
		k2e_kernel_use_btf(k, base);
	st = k2e_symtab_new();
	if (st) {
		if (k2e_modules_add_symbols(st, k, &err) == 0)
			k2e_symtab_finish(st);
		k2e_kernel_use_symtab(k, st);
	}
	if (k2e_orc_debug_frame(k, &out, &err) == 0) {
		if (out.frame_len && !out.frame)
			__builtin_trap();
		free(out.frame);
	}
	k2e_kernel_free(k);
	btf__free(base);
	return 0;
}
