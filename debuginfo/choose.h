/*
 * choose.h - the one place that decides how the dumped kernel is known:
 * which symbol finders and type finders a struct k2e_kernel gets.
 *
 *   - a vmlinux (given, or found by the dump's build ID): its .symtab and
 *     DWARF;
 *   - else, for OUT.sym (want_symtab): every vmlinux symbol, from a
 *     System.map when given, else decoded from the dump's kallsyms; BTF from
 *     a raw BTF file when given, else the dump's own; the modules' symbols
 *     and BTF from the dump;
 *   - else: only the few symbols the analyses need, from the dump's kallsyms.
 * VMCOREINFO is always asked first (kernel/syms.c, kernel/types.c).  What
 * could not be had is said in the notes, not as an error: a dump converts
 * whatever is known about its kernel.
 */
#ifndef K2E_CHOOSE_H
#define K2E_CHOOSE_H

#include <stdbool.h>
#include <stddef.h>

#include "btf/btf.h"
#include "kernel/kernel.h"
#include "lib/error.h"

struct k2e_debuginfo_opts {
	const char *vmlinux;		/* given by the user (its build ID must match), or NULL */
	bool no_vmlinux_search;		/* do not look for one (no VMCOREINFO) */
	bool want_symtab;		/* the whole symbol table and BTF (for OUT.sym) */
	const char *system_map;		/* vmlinux symbols from this file instead of kallsyms */
	const char *btf;		/* raw vmlinux BTF from this file instead of the dump's */
};

struct k2e_debuginfo {
	char *vmlinux_path;		/* the vmlinux used, or NULL */
	struct k2e_vmlinux *vmlinux;
	char vmlinux_note[K2E_ERR_MSG_MAX];	/* why none */
	bool have_symtab;		/* a symbol table (kallsyms or System.map) is in use */
	char symtab_note[K2E_ERR_MSG_MAX];	/* why none */
	struct btf *btf;		/* vmlinux BTF, or NULL */
	struct k2e_btf_mod *bmods;	/* modules' split BTF */
	size_t n_bmods;
	char note[768];			/* what else was left out, "; "-separated */
};

/*
 * Give k its finders.  -1 with err only when a file the user named is
 * wrong (a --vmlinux that does not match, a --btf libbpf rejects, an
 * unreadable --system-map) or memory runs out.
 */
int k2e_debuginfo_choose(struct k2e_kernel *k, const struct k2e_debuginfo_opts *opts,
			 struct k2e_debuginfo *ret, struct k2e_err *err);
/* Release what ret holds (after k is done with it). */
void k2e_debuginfo_release(struct k2e_debuginfo *di);

/* Check the files of opts before any work: -1 with an error naming the file. */
int k2e_debuginfo_check_files(const struct k2e_debuginfo_opts *opts, struct k2e_err *err);

#endif
