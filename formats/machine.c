#include "formats/machine.h"

#include <elf.h>
#include <stddef.h>
#include <string.h>

#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258
#endif

/* Longest prefixes first where one prefix begins another. */
static const struct k2e_machine_info machines[] = {
	{ "x86_64", EM_X86_64, 64, 0, K2E_SUBHDR_64 },
	{ "i386", EM_386, 32, 0, K2E_SUBHDR_32_PACKED },
	{ "i486", EM_386, 32, 0, K2E_SUBHDR_32_PACKED },
	{ "i586", EM_386, 32, 0, K2E_SUBHDR_32_PACKED },
	{ "i686", EM_386, 32, 0, K2E_SUBHDR_32_PACKED },
	{ "aarch64", EM_AARCH64, 64, -1, K2E_SUBHDR_64 },
	{ "arm64", EM_AARCH64, 64, -1, K2E_SUBHDR_64 },
	{ "arm", EM_ARM, 32, -1, K2E_SUBHDR_32_PADDED },
	{ "ppc64le", EM_PPC64, 64, 0, K2E_SUBHDR_64 },
	{ "ppc64", EM_PPC64, 64, 1, K2E_SUBHDR_64 },
	{ "ppc", EM_PPC, 32, 1, K2E_SUBHDR_32_PADDED },
	{ "s390x", EM_S390, 64, 1, K2E_SUBHDR_64 },
	{ "mips64", EM_MIPS, 64, -1, K2E_SUBHDR_64 },
	{ "mips", EM_MIPS, 32, -1, K2E_SUBHDR_32_PADDED },
	{ "riscv64", EM_RISCV, 64, 0, K2E_SUBHDR_64 },
	{ "loongarch64", EM_LOONGARCH, 64, 0, K2E_SUBHDR_64 },
	{ "sparc64", EM_SPARCV9, 64, 1, K2E_SUBHDR_64 },
	{ "ia64", EM_IA_64, 64, 0, K2E_SUBHDR_64 },
};

const struct k2e_machine_info *k2e_machine_lookup(const char *machine)
{
	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		if (strncmp(machine, machines[i].prefix, strlen(machines[i].prefix)) == 0)
			return &machines[i];
	return NULL;
}

const struct k2e_machine_info *k2e_machine_by_elf(uint16_t e_machine, unsigned ptr_bits)
{
	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		if (machines[i].e_machine == e_machine && machines[i].ptr_bits == ptr_bits)
			return &machines[i];
	return NULL;
}
