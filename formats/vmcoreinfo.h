/*
 * vmcoreinfo.h - the VMCOREINFO note, parsed in this one place.
 *
 * The kernel describes itself to dump tools in a note of KEY=VALUE lines
 * (kernel/crash_core.c, kernel/vmcore_info.c from 6.9): OSRELEASE,
 * PAGESIZE, BUILD-ID, KERNELOFFSET (hex), CRASHTIME, SYMBOL(name) (hex
 * addresses), OFFSET(type.member), SIZE(type), LENGTH(name) (decimal),
 * NUMBER(name) (decimal, may be negative).  A value is the rest of its
 * line; a trailing '\r' is not part of it.
 *
 * struct k2e_vmcoreinfo points into a note blob it does not own.  Lookups
 * return 0 and *ret, or -1 when the key is absent or its value malformed,
 * without an error message: absence is often expected.
 */
#ifndef K2E_VMCOREINFO_H
#define K2E_VMCOREINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct k2e_vmcoreinfo {
	const char *text;	/* NULL when the dump has none */
	size_t len;
};

/* Find the VMCOREINFO note in an ELF note blob (either byte order). */
void k2e_vmcoreinfo_init(struct k2e_vmcoreinfo *v, const unsigned char *notes, size_t len,
			 bool big_endian);

/* The value of KEY (not NUL-terminated), or NULL. */
const char *k2e_vmcoreinfo_get(const struct k2e_vmcoreinfo *v, const char *key, size_t *ret_len);
/* The value of KEY copied into buf (NUL-terminated); NULL when absent, empty or too long. */
const char *k2e_vmcoreinfo_string(const struct k2e_vmcoreinfo *v, const char *key, char *buf,
				  size_t cap);

/* KEY's value as a whole number in base (10 or 16), signed or not. */
int k2e_vmcoreinfo_unsigned(const struct k2e_vmcoreinfo *v, const char *key, int base,
			    uint64_t *ret);
int k2e_vmcoreinfo_signed(const struct k2e_vmcoreinfo *v, const char *key, int base,
			  int64_t *ret);

/* SYMBOL(name): hex address.  OFFSET(type.member), SIZE(type), LENGTH(name): decimal. */
int k2e_vmcoreinfo_symbol(const struct k2e_vmcoreinfo *v, const char *name, uint64_t *ret);
int k2e_vmcoreinfo_offset(const struct k2e_vmcoreinfo *v, const char *type_member, uint64_t *ret);
int k2e_vmcoreinfo_size(const struct k2e_vmcoreinfo *v, const char *type, uint64_t *ret);
int k2e_vmcoreinfo_length(const struct k2e_vmcoreinfo *v, const char *name, uint64_t *ret);
/* NUMBER(name): decimal, may be negative. */
int k2e_vmcoreinfo_number(const struct k2e_vmcoreinfo *v, const char *name, int64_t *ret);
/* KERNELOFFSET (hex), 0 when absent. */
uint64_t k2e_vmcoreinfo_kaslr_offset(const struct k2e_vmcoreinfo *v);

#endif
