/*
 * btf.h - the dumped kernel's BTF, read from the dump's memory and checked by
 * libbpf.
 *
 * vmlinux BTF is the .BTF section the kernel keeps between __start_BTF and
 * __stop_BTF (addresses from the kernel's symbol lookup, kernel/kernel.h).  Each module's
 * split BTF hangs off the btf_modules list (kernel/bpf/btf.c: struct
 * btf_module {list, module, btf}; struct btf {data, ..., data_size}), laid
 * out as the vmlinux BTF itself says.  Every blob is parsed with
 * btf__new()/btf__new_split() before it is returned, so a caller never sees
 * BTF that libbpf rejects.
 *
 * The returned struct btf objects belong to the caller (btf__free(); free
 * module BTF before its base).
 */
#ifndef K2E_BTF_H
#define K2E_BTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "lib/error.h"

struct btf;

/* The vmlinux BTF between __start_BTF and __stop_BTF. */
int k2e_btf_read_vmlinux(struct k2e_kernel *k, struct btf **ret, struct k2e_err *err);

struct k2e_btf_mod {
	char name[64];
	struct btf *btf;	/* split over the vmlinux BTF */
};

/*
 * Every module's BTF from btf_modules (layouts through the kernel's type
 * lookup: give it base first, k2e_kernel_use_btf()).  A module whose BTF libbpf rejects is
 * an error naming it.  *ret (array, caller frees each btf then the array)
 * may be NULL with *ret_n 0.
 */
int k2e_btf_read_modules(struct k2e_kernel *k, struct btf *base,
			 struct k2e_btf_mod **ret, size_t *ret_n, struct k2e_err *err);
void k2e_btf_mods_free(struct k2e_btf_mod *mods, size_t n);

#endif
