/*
 * symtab.h - a symbol table of the dumped kernel: the vmlinux symbols
 * decoded from its kallsyms (kernel/syms-kallsyms.c) or read from a
 * System.map (kernel/syms-sysmap.c), and the loaded modules' symbols
 * (analysis/modules.c).  One of the symbol finders of kernel/kernel.h, and
 * what OUT.sym's .symtab is made from.
 *
 * A struct k2e_symtab owns its symbols and names.  Symbols keep the kallsyms
 * type letter ('T' global text, 't' local text, 'D'/'d' data, 'B'/'b' bss,
 * 'R'/'r' read-only data, 'A' absolute, 'W'/'V' weak ...).  After
 * k2e_symtab_finish() they are sorted by address and sized: a kernel symbol
 * runs to the next higher address of its region (kernel image, per-CPU area,
 * or one module) unless its module Elf_Sym gave a size.
 */
#ifndef K2E_SYMTAB_H
#define K2E_SYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

/* How kallsyms_offsets encodes addresses (scripts/kallsyms.c, by version). */
enum k2e_kallsyms_enc {
	K2E_KALLSYMS_ABSOLUTE,		/* kallsyms_addresses[]: plain words */
	K2E_KALLSYMS_BASE_RELATIVE,	/* relative_base + (u32)offset */
	K2E_KALLSYMS_ABSOLUTE_PERCPU,	/* offset >= 0: absolute; else relative_base - 1 - offset */
	K2E_KALLSYMS_PLACE_RELATIVE,	/* &kallsyms_offsets[i] + offset (7.0+) */
};

struct k2e_sym {
	uint64_t addr;
	uint64_t size;		/* 0 when unknown */
	uint32_t name;		/* offset in k2e_symtab.strs */
	int32_t module;		/* index in k2e_symtab.mods, -1: vmlinux */
	char type;		/* kallsyms type letter */
	bool sized;		/* size came from the symbol table (module Elf_Sym) */
};

struct k2e_symmod {
	char name[64];
	uint64_t addr;		/* struct module in kernel memory */
	uint64_t lo, hi;	/* span of its symbols, [lo, hi) */
};

struct k2e_symtab {
	struct k2e_sym *syms;
	size_t n, cap;
	char *strs;
	size_t strs_len, strs_cap;
	struct k2e_symmod *mods;
	size_t n_mods;
	enum k2e_kallsyms_enc enc;
	char why_no_modules[256];	/* set when module symbols could not be read */
	/* Modules and symbols left out for names the kernel does not make (lib/names.h). */
	size_t n_bad_names;
	char bad_name[160];		/* the first, escaped */
	/*
	 * Name index, made by k2e_symtab_finish() (NULL before, and after any
	 * symbol is added): open addressing on the name's hash, each slot the
	 * first symbol (index + 1) of a name, name_next[] the next symbol of the
	 * same name in syms order (index + 1, 0 ends).
	 */
	uint32_t *name_slots;
	size_t n_name_slots;
	uint32_t *name_next;
};

/* True for kallsyms letters of code (t, T, w/W on text are not told apart). */
static inline bool k2e_sym_is_text(char type)
{
	return type == 't' || type == 'T';
}

/* An empty table (NULL when out of memory). */
struct k2e_symtab *k2e_symtab_new(void);

/* Append a symbol (name: len bytes).  -1 when out of memory. */
int k2e_symtab_add(struct k2e_symtab *st, const char *name, size_t len, char type, uint64_t addr,
		   uint64_t size, int32_t module);
/* Note a name from the dump that was left out (lib/names.h); the first is kept. */
void k2e_symtab_bad_name(struct k2e_symtab *st, const char *what, const char *name);

/* Sort by address and compute sizes.  Call after the last add. */
void k2e_symtab_finish(struct k2e_symtab *st);

static inline const char *k2e_sym_name(const struct k2e_symtab *st, const struct k2e_sym *s)
{
	return st->strs + s->name;
}

/*
 * The first symbol called name (module NULL: vmlinux only; "" any module or
 * vmlinux).  Prefers global over local, then data/text over others.  NULL
 * when absent.
 */
const struct k2e_sym *k2e_symtab_find(const struct k2e_symtab *st, const char *name,
				      const char *module);
/* Its address, or -1 (err set) when absent. */
int k2e_symtab_addr(const struct k2e_symtab *st, const char *name, uint64_t *ret,
		    struct k2e_err *err);

void k2e_symtab_free(struct k2e_symtab *st);

#endif
