/*
 * dwarf.h - DWARF 4 generated from the kernel's BTF, for gdb.
 *
 * One compile unit holds a DIE for every BTF type (base types, pointers,
 * arrays, structs and unions with bitfields, enums including 64-bit ones,
 * typedefs, const/volatile/restrict, function prototypes), a
 * DW_TAG_subprogram for every kallsyms function that BTF has a prototype for
 * (address range from kallsyms), and a DW_TAG_variable for every BTF VAR
 * (the per-CPU variables) at its kallsyms address, and one for each
 * ordinary global whose name matches a BTF struct (init_task: struct
 * task_struct; the rules are at emit_named_globals() in dwarf.c).
 *
 * The output buffers are malloc'd and belong to the caller.
 */
#ifndef K2E_DWARF_H
#define K2E_DWARF_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"
#include "kernel/symtab.h"

struct btf;

struct k2e_dwarf_out {
	void *info, *abbrev, *str;
	size_t info_len, abbrev_len, str_len;
	size_t dies;
};

int k2e_dwarf_from_btf(const struct btf *btf, const struct k2e_symtab *st, bool be,
		       struct k2e_dwarf_out *ret, struct k2e_err *err);
void k2e_dwarf_out_release(struct k2e_dwarf_out *o);

#endif
