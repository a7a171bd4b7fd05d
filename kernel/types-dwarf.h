/* types-dwarf.h - structure layouts from a vmlinux's DWARF (libdw). */
#ifndef K2E_TYPES_DWARF_H
#define K2E_TYPES_DWARF_H

#include "kernel/kernel.h"
#include "kernel/vmlinux.h"
#include "lib/error.h"

/*
 * Member `path` (dotted, through nested structs and anonymous members) of
 * struct `struct_name`: its byte offset, the size of its type and whether
 * that is a pointer.  -1 with err.
 */
int k2e_dwarf_member(struct k2e_vmlinux *v, const char *struct_name, const char *path,
		     struct k2e_member *ret, struct k2e_err *err);
/* sizeof(struct NAME); -1 with err. */
int k2e_dwarf_struct_size(struct k2e_vmlinux *v, const char *struct_name, uint64_t *ret,
			  struct k2e_err *err);

#endif
