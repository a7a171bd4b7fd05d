/*
 * coresyms.h - the core's section headers and symbol table, for tools that
 * read an ELF file's sections whatever its e_type: llvm-objdump, llvm-nm,
 * llvm-addr2line, llvm-symbolizer, readelf -s, elfutils, pyelftools.
 *
 * GNU binutils 2.40 cannot use them: BFD's object reader rejects ET_CORE
 * (elf_object_p), and its core reader builds sections from the program
 * headers alone and never reads a symbol table (elf_core_file_p), so GNU
 * nm and addr2line refuse a core and GNU objdump shows no symbols in one.
 * A copy with e_type set to ET_EXEC (byte 16 = 2) is read with them.
 *
 * Layout, at base (8-aligned, at or after the layout's data_end, so
 * nothing here touches page data):
 *
 *   .symtab   the symbols of st (a vmlinux's or the dump's kallsyms, and
 *             the modules'), locals first, each with st_shndx the section
 *             of the PT_LOAD that holds its address (SHN_ABS when none)
 *   .strtab   their names (already filtered by lib/names.h where they come
 *             from the dump)
 *   .shstrtab
 *   section headers: 0 (sh_info = the program header count when
 *             e_phnum is PN_XNUM), one SHT_PROGBITS section per PT_LOAD
 *             with file bytes, named "load<phdr index>" like the sections
 *             BFD and gdb make of a core's segments, at its p_vaddr over
 *             its p_offset bytes, then the three tables.
 *
 * With more than K2E_CORESYMS_MAX_LOADS such segments only those that hold
 * a symbol get a section, and no more than that many (symbols in further
 * segments get SHN_ABS): e_shnum and st_shndx never need their escapes.
 */
#ifndef K2E_CORESYMS_H
#define K2E_CORESYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "convert/loads.h"
#include "kernel/symtab.h"
#include "lib/error.h"

enum { K2E_CORESYMS_MAX_LOADS = 0xff00 - 8 };

struct k2e_coresyms {
	unsigned char *buf;	/* the bytes to write at base; owned */
	size_t len;
	uint64_t base;		/* file offset of buf */
	uint64_t shoff;		/* file offset of the section headers */
	uint16_t shnum, shstrndx;
	size_t symbols;		/* in .symtab, not counting entry 0 */
	size_t sections;	/* load sections */
};

/*
 * Build the tables for the PT_LOADs ls (program header i + 1 is ls->v[i])
 * and the sorted table st (k2e_symtab_finish() done), to go at or after
 * `after` in a core with nph program headers, in the byte order be.  -1
 * with err only for out of memory.
 */
int k2e_coresyms_build(const struct k2e_loads *ls, uint64_t nph, const struct k2e_symtab *st,
		       bool be, uint64_t after, struct k2e_coresyms *ret, struct k2e_err *err);
void k2e_coresyms_release(struct k2e_coresyms *cs);

#endif
