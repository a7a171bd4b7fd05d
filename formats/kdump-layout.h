/*
 * kdump-layout.h - the on-disk layout of kdump-compressed and diskdump
 * headers, shared by formats/kdump.c (which reads dumps) and
 * formats/identify.c (which only classifies files).
 *
 * Source: makedumpfile's diskdump_mod.h (struct disk_dump_header,
 * struct kdump_sub_header, struct page_desc) and IMPLEMENTATION.  All
 * integers are in the dumped machine's byte order.
 */
#ifndef K2E_KDUMP_LAYOUT_H
#define K2E_KDUMP_LAYOUT_H

#include "formats/machine.h"

/* disk_dump_header, 64-bit layout; 32-bit moves fields from `status` on by -12. */
enum {
	DH_SIGNATURE = 0,		/* "KDUMP   " or "DISKDUMP" */
	DH_VERSION = 8,
	DH_UTSNAME = 12,		/* 6 x 65 bytes: sysname .. domainname */
	UTS_LEN = 65,
	DH_MACHINE = DH_UTSNAME + 4 * UTS_LEN,
	DH_TIMEVAL = 408,		/* struct timeval; 8 bytes at 404 on 32-bit */
	DH_STATUS_64 = 424,
	DH_STATUS_32 = 412,
	/* relative to status */
	DH_R_BLOCK_SIZE = 4,
	DH_R_SUB_HDR_SIZE = 8,
	DH_R_BITMAP_BLOCKS = 12,
	DH_R_MAX_MAPNR = 16,
	DH_R_CURRENT_CPU = 32,
	DH_R_NR_CPUS = 36,
	DH_MIN_SIZE = 464,		/* up to tasks[], 64-bit */
	PAGE_DESC_SIZE = 24,		/* s64 offset, u32 size, u32 flags, u64 page_flags */
	KDUMP_SUBHDR_SIZE = 104,	/* the largest kdump_sub_header (64-bit, version 6) */
};

/* Header status bits (diskdump_mod.h). */
enum {
	DUMP_DH_COMPRESSED_INCOMPLETE = 0x8,
};

/* kdump_sub_header fields, in k2e_subhdr_off[layout][field]. */
enum k2e_subhdr_field {
	SH_PHYS_BASE,			/* unsigned long */
	SH_DUMP_LEVEL,			/* int */
	SH_SPLIT,			/* int (header_version 2) */
	SH_START_PFN,			/* unsigned long (2) */
	SH_END_PFN,			/* unsigned long (2) */
	SH_OFF_VMCOREINFO,		/* off_t (3) */
	SH_SIZE_VMCOREINFO,		/* unsigned long (3) */
	SH_OFF_NOTE,			/* off_t (4) */
	SH_SIZE_NOTE,			/* unsigned long (4) */
	SH_OFF_ERASEINFO,		/* off_t (5) */
	SH_SIZE_ERASEINFO,		/* unsigned long (5) */
	SH_START_PFN_64,		/* unsigned long long (6) */
	SH_END_PFN_64,			/* unsigned long long (6) */
	SH_MAX_MAPNR_64,		/* unsigned long long (6) */
	SH_N_FIELDS
};

/* Offsets of the fields per enum k2e_subhdr_layout (formats/kdump.c). */
extern const unsigned k2e_subhdr_off[3][SH_N_FIELDS];

#endif
