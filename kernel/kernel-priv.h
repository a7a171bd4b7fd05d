/* kernel-priv.h - the inside of struct k2e_kernel, for kernel/ only. */
#ifndef K2E_KERNEL_PRIV_H
#define K2E_KERNEL_PRIV_H

#include "kernel/kernel.h"

struct k2e_kernel {
	const struct k2e_mem_ops *ops;
	void *mem;
	uint16_t machine;
	bool be;
	unsigned word;
	unsigned char *notes;
	size_t notes_len;
	struct k2e_vmcoreinfo vmci;
	/* symbol finders (kernel/syms.c) */
	struct k2e_vmlinux *vmlinux;	/* borrowed */
	struct k2e_symtab *symtab;	/* owned */
	/* type finders (kernel/types.c); a vmlinux's DWARF answers are cached in it */
	const struct btf *btf;		/* borrowed */
};

#endif
