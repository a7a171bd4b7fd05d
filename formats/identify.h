/*
 * identify.h - what a file is, from its first bytes, without opening it as
 * a dump: for tools that sort a directory of files into dumps (batch mode).
 *
 * A file is
 *  - a kdump-compressed file (whole, or one piece of a split set: header
 *    version 2 or later with the sub-header's split flag set), a legacy
 *    diskdump file, a flattened stream ("makedumpfile -F"), or an ELF
 *    kernel core (ET_CORE with a VMCOREINFO or QEMU note);
 *  - a core that kdump2elf wrote (its KDUMP2ELF note): not an input;
 *  - anything else: not a dump.
 *
 * The pieces of one split set have the same disk_dump_header (makedumpfile
 * writes it once for all of them); set_key is a hash of that header, equal
 * for pieces that belong together.  Whether they really do and cover the
 * whole dump is for the kdump format to check when it opens them.
 *
 * A header too short or damaged to read further is still "a dump" when its
 * signature says so: opening it is what explains what is wrong.
 */
#ifndef K2E_IDENTIFY_H
#define K2E_IDENTIFY_H

#include <stdint.h>

#include "lib/error.h"

enum k2e_ident_kind {
	K2E_IDENT_NOT_DUMP,
	K2E_IDENT_DUMP,		/* a dump in one file */
	K2E_IDENT_PIECE,	/* one piece of a kdump split set */
	K2E_IDENT_K2E_CORE,	/* a core kdump2elf wrote */
};

struct k2e_ident {
	enum k2e_ident_kind kind;
	const char *format;		/* "kdump", "diskdump", "flattened", "elf"; NULL */
	uint64_t set_key;		/* PIECE: equal for pieces of one dump */
	uint64_t start_pfn, end_pfn;	/* PIECE: its pfn range [start, end) */
};

/* -1 when the file cannot be read (the message names the reason, not the path). */
int k2e_identify_fd(int fd, struct k2e_ident *ret, struct k2e_err *err);
int k2e_identify(const char *path, struct k2e_ident *ret, struct k2e_err *err);

#endif
