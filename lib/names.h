/*
 * names.h - which names read from a dump may be written into what we make.
 *
 * A dump comes from a crashed, perhaps compromised machine.  Names read from
 * its memory (module names, section names, symbol names) end up in OUT.gdb,
 * which people run with `gdb -x`, and in OUT.sym, whose names gdb prints.
 * Only names the kernel itself could have made are taken; the rest are left
 * out, and messages show them escaped.
 */
#ifndef K2E_NAMES_H
#define K2E_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* A module name: 1 to 55 of [A-Za-z0-9_-] (MODULE_NAME_LEN is 56 with its NUL). */
bool k2e_name_is_module(const char *s);

/* An ELF section name of a module: 1 to 127 of [A-Za-z0-9_.$-]. */
bool k2e_name_is_section(const char *s);

/*
 * A symbol name: 1 to 511 printable ASCII characters other than space,
 * quotes, backslash and '#' (compilers add '.', '$', '@' and more).
 */
bool k2e_name_is_symbol(const char *s);

/*
 * s (len bytes, or up to its NUL when len is SIZE_MAX) as printable ASCII
 * for a message: '\' and non-printable bytes as \xNN, cut to fit cap
 * (which must be at least 1) with "..." when cut.  Returns out.
 */
char *k2e_name_escape(const char *s, size_t len, char *out, size_t cap);

#endif
