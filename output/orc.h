/*
 * orc.h - the x86_64 kernel's ORC unwind tables, read from the dump and
 * rewritten as DWARF call-frame information (.debug_frame) for gdb.
 *
 * The kernel is built without frame pointers and unwinds with ORC
 * (arch/x86/kernel/unwind_orc.c).  Its tables are in memory:
 *   - vmlinux: __start_orc_unwind_ip..__stop_orc_unwind_ip (s32, each
 *     relative to its own address) and __start_orc_unwind (struct
 *     orc_entry, 6 bytes), addresses from kallsyms;
 *   - each module: mod->arch.orc_unwind_ip / orc_unwind / num_orcs, with the
 *     layouts from the vmlinux BTF.
 * Entry i covers [ip_i, ip_i+1); consecutive equal entries are merged and
 * each range becomes one FDE of a single CIE.  What DWARF cannot say the
 * way the kernel means it (a CFA in a scratch register, an undefined state)
 * ends the stack there (DW_CFA_undefined on the return address) rather than
 * guessing.
 *
 * The struct orc_entry bitfield layout follows the BTF when it has the
 * type: `end` only (up to 6.2), `signal` and `end` (6.3), `signal` without
 * `end` (6.4+: 3-bit type, renumbered); without BTF, the 6.1 layout.
 */
#ifndef K2E_ORC_H
#define K2E_ORC_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/kernel.h"
#include "lib/error.h"

struct k2e_orc_out {
	void *frame;		/* .debug_frame contents (malloc'd, caller frees) */
	size_t frame_len;
	size_t fdes;
	size_t modules;		/* modules whose tables were translated */
	char note[160];		/* modules skipped and why; "" when none */
};

/*
 * Translate the vmlinux ORC tables (required: -1 with err when absent) and
 * every module's (optional: needs k's symbol table with modules and BTF;
 * failures go to ret->note).  Symbols and layouts through k's lookups.
 */
int k2e_orc_debug_frame(struct k2e_kernel *k, struct k2e_orc_out *ret, struct k2e_err *err);

#endif
