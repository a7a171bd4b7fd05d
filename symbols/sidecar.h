/*
 * sidecar.h - OUT.sym: symbols, types and unwind tables for stock gdb, made
 * from the dump alone (no vmlinux).
 *
 * k2e_sidecar_write() opens a finished core (kernel/kmem.h), decodes
 * kallsyms and module symbols (symbols/kallsyms.h) and the kernel's BTF
 * (symbols/btf.h), or takes vmlinux symbols from a System.map and BTF from a
 * raw BTF file (struct k2e_sidecar_opts), and writes an ELF64 ET_EXEC file for the core's
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
	size_t bad_names;	/* modules and symbols left out for their names */
	char bad_name[160];	/* the first, escaped */
};

/* Symbols from files, for kernels whose dump lacks them (NULL: from the dump). */
struct k2e_sidecar_opts {
	/*
	 * nm -n listing of vmlinux (link-time addresses; KERNELOFFSET added):
	 * used instead of the dump's kallsyms (a dump whose kallsyms cannot be
	 * decoded, before 6.0 say, needs it).  Module symbols still come from
	 * the dump when there is BTF.
	 */
	const char *system_map;
	/* Raw vmlinux BTF (a copy of /sys/kernel/btf/vmlinux): instead of the dump's. */
	const char *btf;
};

/*
 * Check the files of opts before any work: the BTF file must be raw BTF that
 * libbpf accepts, the System.map readable.  -1 with an error naming the file.
 */
int k2e_sidecar_check_opts(const struct k2e_sidecar_opts *opts, struct k2e_err *err);

int k2e_sidecar_write(const char *core_path, const char *out_path, bool force,
		      struct k2e_sidecar_stats *ret, struct k2e_err *err);
/* The same with symbols from files (opts may be NULL). */
int k2e_sidecar_write_opts(const char *core_path, const char *out_path, bool force,
			   const struct k2e_sidecar_opts *opts, struct k2e_sidecar_stats *ret,
			   struct k2e_err *err);

#endif
