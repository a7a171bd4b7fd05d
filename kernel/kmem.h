/*
 * kmem.h - read the dumped kernel's virtual memory from a finished
 * kdump2elf core (or any ELF64 vmcore whose PT_LOADs carry kernel virtual
 * addresses).
 *
 * k2e_kmem_open() reads the ELF header, the program header table (PN_XNUM
 * aware) and the PT_NOTE segments; nothing else is kept in memory.  Reads go
 * to the file with pread(): a virtual range may span several PT_LOADs; the
 * part of a segment between p_filesz and p_memsz reads as zeros.  An address
 * in no segment is an error naming it ("address 0x... is not in the dump").
 *
 * The notes give VMCOREINFO (KEY=VALUE lines) and the NT_PRSTATUS count.  The
 * lookup helpers return 0 and *ret, or -1 when the key is absent or
 * malformed (without touching err: absence is often expected).
 *
 * Words of the dumped kernel are read in its byte order (the core's
 * EI_DATA) and its word size: SIZE(atomic_long_t) or SIZE(long) from
 * vmcoreinfo when present, else what e_machine implies.
 *
 * A struct k2e_kmem is not thread-safe for concurrent use; open one per
 * thread (they are cheap).
 */
#ifndef K2E_KMEM_H
#define K2E_KMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct k2e_kmem;

/* Open the core at path.  The message names the file on failure. */
int k2e_kmem_open(const char *path, struct k2e_kmem **ret, struct k2e_err *err);
void k2e_kmem_free(struct k2e_kmem *km);

/* Exactly len bytes at kernel virtual address vaddr. */
int k2e_kmem_read(struct k2e_kmem *km, uint64_t vaddr, void *buf, size_t len,
		  struct k2e_err *err);
/* A word of `size` bytes (1, 2, 4 or 8) in the dumped kernel's byte order. */
int k2e_kmem_read_uint(struct k2e_kmem *km, uint64_t vaddr, unsigned size, uint64_t *ret,
		       struct k2e_err *err);
/* Decode a word of `size` bytes from a buffer already read. */
uint64_t k2e_kmem_get_uint(const struct k2e_kmem *km, const void *p, unsigned size);

bool k2e_kmem_big_endian(const struct k2e_kmem *km);
unsigned k2e_kmem_word_size(const struct k2e_kmem *km);	/* sizeof(long): 4 or 8 */
uint16_t k2e_kmem_machine(const struct k2e_kmem *km);	/* e_machine */

/* The VMCOREINFO text (not NUL-terminated), or NULL with *ret_len 0. */
const char *k2e_kmem_vmcoreinfo(const struct k2e_kmem *km, size_t *ret_len);
/* The value of KEY=VALUE (not NUL-terminated), or NULL. */
const char *k2e_kmem_vmci_find(const struct k2e_kmem *km, const char *key, size_t *ret_len);
/* SYMBOL(name): hexadecimal address. */
int k2e_kmem_symbol(const struct k2e_kmem *km, const char *name, uint64_t *ret);
/* OFFSET(type.member), SIZE(type), LENGTH(name): decimal. */
int k2e_kmem_offset(const struct k2e_kmem *km, const char *type_member, uint64_t *ret);
int k2e_kmem_size(const struct k2e_kmem *km, const char *type, uint64_t *ret);
int k2e_kmem_length(const struct k2e_kmem *km, const char *name, uint64_t *ret);
/* NUMBER(name): decimal, may be negative. */
int k2e_kmem_number(const struct k2e_kmem *km, const char *name, int64_t *ret);
/* A plain KEY=VALUE in decimal (CRASHTIME, PAGESIZE). */
int k2e_kmem_decimal(const struct k2e_kmem *km, const char *key, int64_t *ret);

/* Notes of the core named `name` with type `type` (-1: any). */
size_t k2e_kmem_count_notes(const struct k2e_kmem *km, const char *name, int64_t type);

#endif
