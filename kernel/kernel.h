/*
 * kernel.h - the dumped kernel: one object that everything after the pages
 * asks what the crashed kernel held.
 *
 * A struct k2e_kernel has
 *   - the machine (e_machine, byte order, word size) and the dump's notes,
 *     with their VMCOREINFO parsed once (formats/vmcoreinfo.h);
 *   - one memory reader, virtual and physical, over one of two backends:
 *     the dump's pages while it is being converted (kernel/mem-dump.c) or a
 *     finished ELF core (kernel/mem-core.c);
 *   - one symbol lookup (kernel/syms.c) over the finders it was given:
 *     VMCOREINFO's SYMBOL() entries, then a vmlinux's .symtab
 *     (kernel/vmlinux.c), then a table decoded from the dump's kallsyms or
 *     read from a System.map (kernel/symtab.h);
 *   - one type lookup (kernel/types.c) over VMCOREINFO's OFFSET()/SIZE(),
 *     then a vmlinux's DWARF (kernel/types-dwarf.c), then BTF
 *     (kernel/types-btf.c).
 * Which finders a kernel gets is decided in one place, debuginfo/choose.c.
 *
 * Words are read in the dumped kernel's byte order and size: SIZE(long)
 * from VMCOREINFO when present, else what e_machine implies.  Not
 * thread-safe.
 */
#ifndef K2E_KERNEL_H
#define K2E_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/vmcoreinfo.h"
#include "lib/error.h"

struct btf;
struct k2e_kernel;
struct k2e_symtab;
struct k2e_vmlinux;

/* A memory backend.  Reads are whole or fail with err naming the address. */
struct k2e_mem_ops {
	int (*read_virt)(void *mem, uint64_t vaddr, void *buf, size_t len, struct k2e_err *err);
	int (*read_phys)(void *mem, uint64_t paddr, void *buf, size_t len, struct k2e_err *err);
	void (*free)(void *mem);
};

struct k2e_kernel_desc {
	uint16_t machine;		/* EM_* */
	bool big_endian;
	bool is64;			/* ELF class of the dump */
	const unsigned char *notes;	/* copied */
	size_t notes_len;
};

/* A kernel over backend mem (owned: ops->free is called by k2e_kernel_free). */
int k2e_kernel_new(const struct k2e_kernel_desc *desc, const struct k2e_mem_ops *ops, void *mem,
		   struct k2e_kernel **ret, struct k2e_err *err);
/* A kernel over a finished ELF core at path (kernel/mem-core.c).  The message names the file. */
int k2e_kernel_open_core(const char *path, struct k2e_kernel **ret, struct k2e_err *err);
void k2e_kernel_free(struct k2e_kernel *k);

/* ---- the machine and the notes ---- */
bool k2e_kernel_big_endian(const struct k2e_kernel *k);
unsigned k2e_kernel_word_size(const struct k2e_kernel *k);	/* sizeof(long): 4 or 8 */
uint16_t k2e_kernel_machine(const struct k2e_kernel *k);
const struct k2e_vmcoreinfo *k2e_kernel_vmcoreinfo(const struct k2e_kernel *k);
const unsigned char *k2e_kernel_notes(const struct k2e_kernel *k, size_t *ret_len);
/* Notes named `name` with type `type` (-1: any). */
size_t k2e_kernel_count_notes(const struct k2e_kernel *k, const char *name, int64_t type);

/* ---- memory ---- */
/* Exactly len bytes at kernel virtual address vaddr. */
int k2e_kernel_read(struct k2e_kernel *k, uint64_t vaddr, void *buf, size_t len,
		    struct k2e_err *err);
int k2e_kernel_read_phys(struct k2e_kernel *k, uint64_t paddr, void *buf, size_t len,
			 struct k2e_err *err);
/* A word of `size` bytes (1, 2, 4 or 8) in the dumped kernel's byte order. */
int k2e_kernel_read_uint(struct k2e_kernel *k, uint64_t vaddr, unsigned size, uint64_t *ret,
			 struct k2e_err *err);
/* The same where a failure needs no message: -1 when not in the dump. */
int k2e_kernel_peek(struct k2e_kernel *k, uint64_t vaddr, void *buf, size_t len);
int k2e_kernel_peek_uint(struct k2e_kernel *k, uint64_t vaddr, unsigned size, uint64_t *ret);
/* Decode a word of `size` bytes from a buffer already read. */
uint64_t k2e_kernel_get_uint(const struct k2e_kernel *k, const void *p, unsigned size);

/* ---- symbols (kernel/syms.c) ---- */
/*
 * The runtime address of vmlinux symbol `name`, from the first finder that
 * has it.  -1 with err ("no symbol 'NAME' (looked in ...)") when none does.
 */
int k2e_kernel_symbol(struct k2e_kernel *k, const char *name, uint64_t *ret, struct k2e_err *err);
/* Finders.  A vmlinux is borrowed (the caller frees it after the kernel); a table is owned. */
void k2e_kernel_use_vmlinux(struct k2e_kernel *k, struct k2e_vmlinux *v);
void k2e_kernel_use_symtab(struct k2e_kernel *k, struct k2e_symtab *st);
struct k2e_vmlinux *k2e_kernel_vmlinux(const struct k2e_kernel *k);	/* NULL: none */
struct k2e_symtab *k2e_kernel_symtab(const struct k2e_kernel *k);	/* NULL: none */
/* KERNELOFFSET: what is added to a vmlinux's link-time addresses. */
uint64_t k2e_kernel_kaslr_offset(const struct k2e_kernel *k);

/* ---- types (kernel/types.c) ---- */
struct k2e_member {
	uint64_t offset;	/* bytes from the start of the struct */
	uint64_t size;		/* bytes of the member's type, 0 when unknown */
	bool is_pointer;	/* after typedefs and qualifiers; false when unknown */
};
/*
 * Member `path` of struct (or union) `type`, a dotted path through nested
 * and anonymous members ("battr.attr.name").  -1 with err when no finder knows it.
 */
int k2e_kernel_member(struct k2e_kernel *k, const char *type, const char *path,
		      struct k2e_member *ret, struct k2e_err *err);
/* sizeof(struct type) (or of a base type VMCOREINFO names, "long"); -1 with err. */
int k2e_kernel_sizeof(struct k2e_kernel *k, const char *type, uint64_t *ret, struct k2e_err *err);
/* BTF for type lookups (borrowed: it must outlive the kernel's use of it). */
void k2e_kernel_use_btf(struct k2e_kernel *k, const struct btf *btf);
const struct btf *k2e_kernel_btf(const struct k2e_kernel *k);

#endif
