/*
 * kallsyms-locate.h - find the kernel's kallsyms tables in its image by
 * their shape, for kernels whose vmcoreinfo does not name them (< 6.0).
 *
 * scripts/kallsyms.c lays the tables out in .rodata, each label aligned to
 * the word size (ALGN: zeros pad up to it; the search relies on it), in one
 * of these orders (by kernel version):
 *
 *   4.x-6.1  [offsets relative_base | addresses] num_syms names markers
 *            token_table token_index
 *   6.2-6.3  the same with seqs_of_names between markers and token_table
 *            (also Debian's 6.1, which has it backported)
 *   6.4+     num_syms names markers token_table token_index
 *            [offsets [relative_base] | addresses] seqs_of_names
 *
 * num_syms is an int (a long before 4.6), markers ints (longs in old
 * kernels), seqs_of_names 3-byte big-endian indexes, a name's length one
 * byte (two, ULEB128, for long names since 6.1).
 *
 * The search starts from the token table: 256 NUL-terminated printable
 * tokens directly followed by token_index, 256 u16 offsets of those tokens
 * (0 first, increasing, each ending where the next starts).  Every other
 * table is then derived and checked against the others: markers (offsets
 * of every 256th name, 0 first), names (num_syms entries that use only
 * real tokens and end exactly where markers start, every 256th at its
 * marker), num_syms (just before names), the addresses (sorted in one of
 * the encodings, relative_base 0 in base-relative mode), seqs_of_names (a
 * permutation of the symbol indexes).  Nothing read from memory is used
 * as a count or offset before it is bounded.
 */
#ifndef K2E_KALLSYMS_LOCATE_H
#define K2E_KALLSYMS_LOCATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

/* Addresses of the kallsyms tables (0: absent), as scripts/kallsyms.c lays them out. */
struct k2e_kallsyms_tables {
	uint64_t num_syms, names, markers, token_table, token_index;
	uint64_t offsets;		/* kallsyms_offsets (s32 each), or 0 */
	uint64_t addresses;		/* kallsyms_addresses (absolute words), or 0 */
	uint64_t relative_base;		/* kallsyms_relative_base, or 0 */
	uint64_t seqs_of_names;		/* 6.2+, or 0 */
	uint64_t n_syms;		/* the value of kallsyms_num_syms */
};

/*
 * Reads the dumped kernel's virtual memory: 0, or -1 when [vaddr, vaddr+len)
 * is not all in the dump.  Called with len up to 1 MiB, and for single pages
 * of a range that failed.
 */
typedef int (*k2e_vread_fn)(void *arg, uint64_t vaddr, void *buf, size_t len);

/*
 * Search [lo, hi) (the kernel image; unreadable pages are skipped) for the
 * tables of a kernel of the given byte order and word size (4 or 8).  Fills
 * *ret and returns 0; or -1 with err saying what was not found or which
 * table at which address did not fit the others (ret untouched).
 *
 * Reads go through a cache of four 1 MiB chunks (a chunk that fails whole
 * is read page by page); the search stops at the first token table whose
 * neighbours all fit, so a kernel's image is read up to its .rodata about
 * once.  On x86_64 without kallsyms in vmcoreinfo, lo is SYMBOL(_stext) and
 * hi __START_KERNEL_map (0xffffffff80000000) + NUMBER(KERNEL_IMAGE_SIZE).
 */
int k2e_kallsyms_locate(k2e_vread_fn read, void *arg, uint64_t lo, uint64_t hi, bool big_endian,
			unsigned word_size, struct k2e_kallsyms_tables *ret, struct k2e_err *err);

#endif
