/*
 * syms-kallsyms.h - the dumped kernel's vmlinux symbols, decoded from its
 * own kallsyms tables (no vmlinux needed).  Linux 6.0+ names the tables in
 * VMCOREINFO (SYMBOL(kallsyms_names) and friends).
 */
#ifndef K2E_SYMS_KALLSYMS_H
#define K2E_SYMS_KALLSYMS_H

#include <stddef.h>

#include "kernel/kernel.h"
#include "lib/error.h"

struct k2e_symtab;

/* Decode every vmlinux symbol of the dump's kallsyms. */
int k2e_kallsyms_read(struct k2e_kernel *k, struct k2e_symtab **ret, struct k2e_err *err);

/*
 * The same, keeping only the symbols named in names[0..n_names) (every
 * symbol of such a name): a few lookups without the cost of the whole table.
 */
int k2e_kallsyms_read_some(struct k2e_kernel *k, const char *const *names, size_t n_names,
			   struct k2e_symtab **ret, struct k2e_err *err);

#endif
