/*
 * fuzz_btf - btf/btf.c over a small kernel image (tests/fuzz/fuzz-kernel.h):
 * the vmlinux BTF between SYMBOL(__start_BTF) and SYMBOL(__stop_BTF), then,
 * with it as the base and the kernel's type lookup, every module's split
 * BTF from btf_modules.  The first input byte's bit 2 keeps the kernel's
 * type lookup on VMCOREINFO alone (no BTF given to it).
 */
#include "tests/fuzz/fuzz-kernel.h"

#include <bpf/btf.h>

#include "btf/btf.h"

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
		if (!(data[0] & 4))
			k2e_kernel_use_btf(k, base);
		if (k2e_btf_read_modules(k, base, &mods, &n, &err) == 0)
			k2e_btf_mods_free(mods, n);
	}
	k2e_kernel_free(k);
	btf__free(base);
	return 0;
}
