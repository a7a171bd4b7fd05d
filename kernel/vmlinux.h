/*
 * vmlinux.h - a kernel image with debug info: its build ID and symbol
 * addresses (.symtab, via libelf); its DWARF is read by
 * kernel/types-dwarf.h.  Addresses are link-time ones; add the dump's
 * KERNELOFFSET.
 */
#ifndef K2E_VMLINUX_H
#define K2E_VMLINUX_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct k2e_vmlinux;
struct k2e_symtab;

int k2e_vmlinux_open(const char *path, struct k2e_vmlinux **ret, struct k2e_err *err);
void k2e_vmlinux_free(struct k2e_vmlinux *v);

/* The GNU build ID as lowercase hex, "" when the file has none. */
const char *k2e_vmlinux_build_id(const struct k2e_vmlinux *v);

/* Link-time address of a symbol; -1 when absent. */
int k2e_vmlinux_symbol(struct k2e_vmlinux *v, const char *name, uint64_t *ret);

/*
 * Append the functions and objects of the .symtab (and its other named
 * symbols in allocated sections at non-zero addresses: assembler entry
 * points) to st at link-time address + offset, with their sizes and a
 * kallsyms-like type letter (t/T text, d/D data, W weak).  Per-CPU symbols
 * (a section at address 0) and absolute ones are left out.  -1 with err
 * only for out of memory.
 */
int k2e_vmlinux_add_symbols(struct k2e_vmlinux *v, uint64_t offset, struct k2e_symtab *st,
			    struct k2e_err *err);

/* The GNU build ID note of any ELF file, as hex ("" if none); -1 if unreadable. */
int k2e_elf_build_id(const char *path, char *buf, size_t len);

#endif
