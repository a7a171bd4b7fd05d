/* machine.h - what a utsname machine string tells about the dumped machine. */
#ifndef K2E_MACHINE_H
#define K2E_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

enum k2e_subhdr_layout {
	K2E_SUBHDR_64,		/* 64-bit longs */
	K2E_SUBHDR_32_PACKED,	/* i386: 64-bit fields at 4-byte alignment */
	K2E_SUBHDR_32_PADDED,	/* ARM, MIPS, PPC32: 64-bit fields padded to 8 */
};

struct k2e_machine_info {
	const char *prefix;	/* utsname machine prefix */
	uint16_t e_machine;
	unsigned ptr_bits;
	int big_endian;		/* 1, 0, or -1 when the name does not say */
	enum k2e_subhdr_layout subhdr;
};

/* NULL when the name is not known. */
const struct k2e_machine_info *k2e_machine_lookup(const char *machine);
/* By ELF e_machine (first match), NULL when unknown. */
const struct k2e_machine_info *k2e_machine_by_elf(uint16_t e_machine, unsigned ptr_bits);

#endif
