/*
 * vmlinux.h - what kdump2elf reads from a kernel image with debug info:
 * symbol addresses (.symtab, via libelf) and structure layouts (DWARF, via
 * libdw).  Addresses are link-time ones; add the dump's KERNELOFFSET.
 */
#ifndef K2E_VMLINUX_H
#define K2E_VMLINUX_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct k2e_vmlinux;

int k2e_vmlinux_open(const char *path, struct k2e_vmlinux **ret, struct k2e_err *err);
void k2e_vmlinux_free(struct k2e_vmlinux *v);

/* The GNU build ID as lowercase hex, "" when the file has none. */
const char *k2e_vmlinux_build_id(const struct k2e_vmlinux *v);

/* Link-time address of a symbol; -1 when absent. */
int k2e_vmlinux_symbol(struct k2e_vmlinux *v, const char *name, uint64_t *ret);

/*
 * Byte offset of a member inside a struct, following a dotted path through
 * nested structs and anonymous members ("battr.attr.name"); -1 with err.
 */
int k2e_vmlinux_member(struct k2e_vmlinux *v, const char *struct_name, const char *path,
		       uint64_t *ret, struct k2e_err *err);
/* sizeof(struct NAME); -1 with err. */
int k2e_vmlinux_struct_size(struct k2e_vmlinux *v, const char *struct_name, uint64_t *ret,
			    struct k2e_err *err);

/* The GNU build ID note of any ELF file, as hex ("" if none); -1 if unreadable. */
int k2e_elf_build_id(const char *path, char *buf, size_t len);

#endif
