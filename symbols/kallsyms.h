/*
 * kallsyms.h - the dumped kernel's symbol table, read from the dump itself.
 *
 * Linux 6.0+ puts the addresses of its kallsyms tables in vmcoreinfo
 * (SYMBOL(kallsyms_names) and friends), so the vmlinux symbol table can be
 * decoded from the dump's memory with no vmlinux at hand.  Loaded modules'
 * symbols come from each struct module's mod_kallsyms (Elf_Sym tables in
 * module memory); the structure layouts for that walk come from the kernel's
 * BTF (symbols/btf.h), so they need no debug info either.
 *
 * A struct k2e_symtab owns its symbols and names.  Symbols keep the kallsyms
 * type letter ('T' global text, 't' local text, 'D'/'d' data, 'B'/'b' bss,
 * 'R'/'r' read-only data, 'A' absolute, 'W'/'V' weak ...).  After
 * k2e_symtab_finish() they are sorted by address and sized: a kernel symbol
 * runs to the next higher address of its region (kernel image, per-CPU area,
 * or one module) unless its module Elf_Sym gave a size.
 */
#ifndef K2E_KALLSYMS_H
#define K2E_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kmem.h"
#include "lib/error.h"

struct btf;

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

/* Decode the vmlinux kallsyms of the dump (needs the vmcoreinfo SYMBOLs). */
int k2e_kallsyms_read(struct k2e_kmem *km, struct k2e_symtab **ret, struct k2e_err *err);

/*
 * The same, keeping only the symbols named in names[0..n_names) (every
 * symbol of such a name): a few lookups without the cost of the whole table.
 */
int k2e_kallsyms_read_some(struct k2e_kmem *km, const char *const *names, size_t n_names,
			   struct k2e_symtab **ret, struct k2e_err *err);

/*
 * The vmlinux symbols from a System.map (nm -n: "ADDR TYPE NAME" a line),
 * instead of the dump's kallsyms.  Addresses are link-time ones: the dump's
 * KERNELOFFSET (vmcoreinfo, 0 when absent) is added to every address at or
 * above 4 GiB; lower ones (absolute per-CPU offsets) are kept.  Absolute
 * ('a', 'A') and undefined ('U', 'w'/'v' at 0) symbols are left out.  An
 * unreadable file, or one with no symbol line, is an error naming it.
 */
int k2e_symtab_read_system_map(struct k2e_kmem *km, const char *path, struct k2e_symtab **ret,
			       struct k2e_err *err);

/*
 * Append the symbols of every loaded module, walking `modules` with layouts
 * from btf (vmlinux BTF).  Errors are returned; the caller may go on without
 * module symbols (the table is left as it was).
 */
int k2e_symtab_add_modules(struct k2e_symtab *st, struct k2e_kmem *km, const struct btf *btf,
			   struct k2e_err *err);

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
