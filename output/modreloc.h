/*
 * modreloc.h - a module's debug info at the addresses the dumped kernel
 * loaded it, for gdb to read with no offsets of its own.
 *
 * A .ko is a relocatable object (ET_REL): its sections start at 0 and its
 * DWARF holds relocations against them.  Given to gdb with add-symbol-file
 * -s, gdb places the sections itself, and only when every section's sh_addr
 * is 0 (symfile.c, default_symfile_offsets); Linux 6.12's module link gives
 * some (.data, __patchable_function_entries) nonzero addresses, and then gdb
 * relocates the DWARF against unplaced sections and shifts every address by
 * .text's offset.  So kdump2elf places them: k2e_modreloc_write() writes an
 * ELF (ET_EXEC) holding the .ko's non-allocated sections (DWARF, symbol
 * table) with their relocations applied, each allocated section the dump
 * names at its dump address as SHT_NOBITS (notes keep their bytes), the
 * other allocated sections made non-allocated, symbols at final addresses
 * and no relocation sections.  `add-symbol-file FILE` reads it as it is.
 *
 * Relocations: x86_64 (R_X86_64_NONE, 64, 32, 32S, PC32, PLT32, PC64) and
 * aarch64 (R_AARCH64_NONE, ABS64, ABS32, ABS16, PREL64, PREL32, PREL16),
 * 64-bit little-endian objects.  Anything else is an error, so the caller
 * can fall back to another way (and drop what was written to out_fd).
 */
#ifndef K2E_MODRELOC_H
#define K2E_MODRELOC_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/modules.h"
#include "lib/error.h"

struct k2e_modreloc_stats {
	size_t placed;		/* allocated sections at a dump address */
	size_t relocs;		/* relocations applied */
	size_t unresolved;	/* against undefined symbols: left as they were */
};

/*
 * Write ko (a module object or its .ko.debug) relocated to m's section
 * addresses to out_fd (a new, empty file).  machine: the dump's e_machine,
 * which the object must match.  -1 with err naming what is wrong.
 */
int k2e_modreloc_write(int out_fd, const char *ko, const struct k2e_module *m, uint16_t machine,
		       struct k2e_modreloc_stats *ret, struct k2e_err *err);

#endif
