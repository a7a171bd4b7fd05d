/*
 * modules.h - the dumped kernel's loaded modules, walked from `modules`
 * with layouts from the kernel's type lookup (VMCOREINFO, DWARF or BTF).
 * Modules and sections whose names are not names the kernel makes
 * (lib/names.h) are left out and counted: a dump is hostile input.
 */
#ifndef K2E_MODULES_H
#define K2E_MODULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "lib/error.h"

struct k2e_symtab;

struct k2e_section {
	char *name;
	uint64_t addr;
};

struct k2e_module {
	char name[64];
	uint64_t addr;		/* struct module */
	struct k2e_section *sect;
	size_t n_sect;
};

struct k2e_modules {
	struct k2e_module *mods;
	size_t n_mods;
	char why_no_modules[256];	/* set when the list could not be read */
	size_t n_bad_names;
	char bad_name[160];		/* the first name left out, escaped */
};

/*
 * List the modules and their section addresses.  What cannot be read is
 * explained in why_no_modules, not an error; -1 only for out of memory.
 */
int k2e_modules_list(struct k2e_kernel *k, struct k2e_modules *ret, struct k2e_err *err);
void k2e_modules_release(struct k2e_modules *m);

/*
 * Module m's GNU build ID, read from its .note.gnu.build-id section in the
 * dump's memory, as lowercase hex in hex[cap].  Returns false (hex empty)
 * when the dump does not say.
 */
bool k2e_module_build_id(struct k2e_kernel *k, const struct k2e_module *m, char *hex, size_t cap);

/*
 * Append every loaded module's symbols to st (module index in st->mods).
 * -1 with err when the list or a module cannot be read; st is then as it was.
 */
int k2e_modules_add_symbols(struct k2e_symtab *st, struct k2e_kernel *k, struct k2e_err *err);

/*
 * The address of the `modules` list head when no symbol gives it: found
 * from a struct module in the module area (analysis/modules-find.c).
 * Layouts through k's type lookup.  -1 with err when none is found.
 */
int k2e_modules_find_head(struct k2e_kernel *k, uint64_t *ret, struct k2e_err *err);

#endif
