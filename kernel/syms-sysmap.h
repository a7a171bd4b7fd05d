/* syms-sysmap.h - the vmlinux symbols from a System.map instead of the dump's kallsyms. */
#ifndef K2E_SYMS_SYSMAP_H
#define K2E_SYMS_SYSMAP_H

#include "kernel/kernel.h"
#include "lib/error.h"

struct k2e_symtab;

/*
 * nm -n output ("ADDR TYPE NAME" a line).  Addresses are link-time ones:
 * the dump's KERNELOFFSET (VMCOREINFO, 0 when absent) is added to every
 * address at or above 4 GiB; lower ones (absolute per-CPU offsets) are
 * kept.  Absolute ('a', 'A') and undefined ('U', 'w'/'v' at 0) symbols are
 * left out.  An unreadable file, or one with no symbol line, is an error
 * naming it.
 */
int k2e_symtab_read_system_map(struct k2e_kernel *k, const char *path, struct k2e_symtab **ret,
			       struct k2e_err *err);

#endif
