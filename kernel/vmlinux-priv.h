/* vmlinux-priv.h - the inside of struct k2e_vmlinux (kernel/vmlinux.c, kernel/types-dwarf.c). */
#ifndef K2E_VMLINUX_PRIV_H
#define K2E_VMLINUX_PRIV_H

#include <elfutils/libdw.h>
#include <gelf.h>

struct k2e_vmlinux {
	int fd;
	Elf *elf;
	Dwarf *dw;		/* NULL without DWARF */
	char build_id[128];
	/* .symtab, sorted by name for lookups */
	struct sym { const char *name; uint64_t addr; } *syms;
	size_t n_syms;
	/* structs found so far (the DWARF of a kernel is large: look once) */
	struct found { char *name; Dwarf_Die die; } *found;
	size_t n_found;
};

#endif
