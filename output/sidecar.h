/*
 * sidecar.h - OUT.sym: symbols, types and unwind tables for stock gdb, made
 * from the dump alone (no vmlinux).
 *
 * k2e_sidecar_write() takes the dumped kernel with its symbol table (from
 * its kallsyms or a System.map, kernel/symtab.h) and BTF (btf/btf.h), as
 * debuginfo/choose.c gave them, and writes an ELF64 ET_EXEC file for its
 * e_machine:
 *   - SHT_NOBITS sections at the runtime addresses of the kernel's text, its
 *     data, the per-CPU area and each module, so `symbol-file OUT.sym` needs
 *     no offset and memory is read from the core;
 *   - .symtab/.strtab: functions (STT_FUNC) and objects (STT_OBJECT) with sizes;
 *   - .BTF (vmlinux) and .BTF.<module> (each module's split BTF), raw;
 *   - .debug_info/.debug_abbrev/.debug_str from BTF (btf/dwarf.h);
 *   - .debug_frame from the ORC unwind tables, x86_64 (output/orc.h), or
 *     from the code's frame records, arm64 (output/frames-arm64.h).
 */
#ifndef K2E_SIDECAR_H
#define K2E_SIDECAR_H

#include <stdbool.h>
#include <stddef.h>

#include "btf/btf.h"
#include "kernel/kernel.h"
#include "lib/error.h"

struct k2e_sidecar_stats {
	size_t symbols;		/* in .symtab */
	size_t functions, objects;
	size_t modules;		/* modules whose symbols were read */
	size_t btf_modules;	/* module BTF sections */
	size_t dies;		/* DWARF DIEs written (0: no DWARF) */
	size_t fdes;		/* .debug_frame FDEs (0: no unwind tables) */
	char note[256];		/* what was left out and why; "" when nothing */
	size_t bad_names;	/* modules and symbols left out for their names */
	char bad_name[160];	/* the first, escaped */
};

struct k2e_sidecar_in {
	const struct btf *btf;			/* vmlinux BTF, or NULL */
	const struct k2e_btf_mod *bmods;	/* modules' BTF */
	size_t n_bmods;
	const char *note;			/* what the symbols and types lack already */
};

/* Write OUT.sym to fd (a new, empty file) from k's symbol table.  -1 with err. */
int k2e_sidecar_write(struct k2e_kernel *k, const struct k2e_sidecar_in *in, int fd,
		      struct k2e_sidecar_stats *ret, struct k2e_err *err);

#endif
