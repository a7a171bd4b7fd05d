/*
 * sidecar.h - OUT.sym: symbols, types and unwind tables for stock gdb, made
 * from the dump alone (no vmlinux).
 *
 * k2e_sidecar_write() opens a finished core (kernel/kmem.h), decodes
 * kallsyms and module symbols (symbols/kallsyms.h) and the kernel's BTF
 * (symbols/btf.h), and writes an ELF64 ET_EXEC file for the core's
 * e_machine:
 *   - SHT_NOBITS sections at the runtime addresses of the kernel's text, its
 *     data, the per-CPU area and each module, so `symbol-file OUT.sym` needs
 *     no offset and memory is read from the core;
 *   - .symtab/.strtab: functions (STT_FUNC) and objects (STT_OBJECT) with sizes;
 *   - .BTF (vmlinux) and .BTF.<module> (each module's split BTF), raw;
 *   - .debug_info/.debug_abbrev/.debug_str from BTF (symbols/dwarf.h);
 *   - .debug_frame from the ORC unwind tables, x86_64 (symbols/orc.h);
 * written through lib/outfile.h (a temporary, then renamed; an existing
 * out_path is replaced only with force).
 */
#ifndef K2E_SIDECAR_H
#define K2E_SIDECAR_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

struct k2e_sidecar_stats {
	size_t symbols;		/* in .symtab */
	size_t functions, objects;
	size_t modules;		/* modules whose symbols were read */
	size_t btf_modules;	/* module BTF sections */
	size_t dies;		/* DWARF DIEs written (0: no DWARF) */
	size_t fdes;		/* .debug_frame FDEs (0: no unwind tables) */
	char note[256];		/* what was left out and why; "" when nothing */
};

int k2e_sidecar_write(const char *core_path, const char *out_path, bool force,
		      struct k2e_sidecar_stats *ret, struct k2e_err *err);

#endif
