/*
 * gdbpac.h - OUTPUT.gdb's unwinder for arm64 return addresses signed with
 * pointer authentication, for gdb before 14 (see gdbpac.c).
 */
#ifndef K2E_GDBPAC_H
#define K2E_GDBPAC_H

#include <stdint.h>
#include <stdio.h>

/* Write the script lines (a python block) for the kernel's mask (KERNELPACMASK). */
void k2e_gdbscript_pac_unwinder(FILE *f, uint64_t mask);

#endif
