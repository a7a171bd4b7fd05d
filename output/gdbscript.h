/*
 * gdbscript.h - OUTPUT.gdb: the script that makes `gdb -x OUTPUT.gdb` all a
 * user types.  It loads the vmlinux at the dump's KASLR offset
 * (symbol-file -o), each loaded module found on disk (its relocated copy
 * as it is, else the .ko at its section addresses with add-symbol-file -s), opens the core and selects the thread of
 * the CPU that panicked.
 */
#ifndef K2E_GDBSCRIPT_H
#define K2E_GDBSCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/modules.h"
#include "lib/error.h"

/* What the converter found and wrote for one module. */
struct k2e_gdb_module {
	const char *relocated;	/* its debug info at its dump addresses (output/modreloc.h), or NULL */
	const char *file;	/* else its .ko, loaded with add-symbol-file -s, or NULL */
	const char *why;	/* else why not, for a comment */
};

struct k2e_gdbscript_in {
	const char *core;		/* absolute path of the core */
	/*
	 * gdb's name for the dumped machine when it need not be the host's
	 * ("aarch64" for gdb-multiarch on an x86_64 host): `set architecture`
	 * before any file is loaded.  NULL: gdb takes it from the files.
	 */
	const char *architecture;
	uint64_t pac_mask;		/* arm64 KERNELPACMASK: gdb 13's unwinder fix (gdbpac.h); 0: none */
	const char *dump;		/* what it was made from, for the comment */
	const char *vmlinux;		/* NULL: none */
	const char *sidecar;		/* OUTPUT.sym, used when there is no vmlinux */
	uint64_t kaslr_offset;		/* KERNELOFFSET: symbol-file -o */
	const struct k2e_modules *mods;	/* loaded modules, or NULL */
	const char *const *module_dirs;
	size_t n_module_dirs;
	const char *release;		/* OSRELEASE, for the distribution's module dirs */
	/* Parallel to mods->mods, or NULL: then module files are searched for here. */
	const struct k2e_gdb_module *mod_files;
	int thread;			/* gdb thread number to select, 0: none */
};

/*
 * Can path be written into the script?  Paths are quoted where gdb parses
 * quotes; one with a control character (a newline would end the command)
 * or, for core-file, trailing blanks cannot be: -1 with err naming it.
 */
int k2e_gdbscript_check_path(const char *path, struct k2e_err *err);

/*
 * Write the script to out_fd (a new file that will be put at path; path is
 * named in its first line); *ret_found = modules with a file.
 */
int k2e_gdbscript_write(int out_fd, const char *path, const struct k2e_gdbscript_in *in,
			size_t *ret_found, struct k2e_err *err);

#endif
