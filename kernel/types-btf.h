/* types-btf.h - structure layouts from the kernel's BTF (libbpf): one of the type finders. */
#ifndef K2E_TYPES_BTF_H
#define K2E_TYPES_BTF_H

#include "kernel/kernel.h"
#include "lib/error.h"

struct btf;

/*
 * Member `path` (dotted; anonymous struct/union members are looked
 * through) of struct or union `type`.  -1 with err when either is absent.
 */
int k2e_btf_member(const struct btf *btf, const char *type, const char *path,
		   struct k2e_member *ret, struct k2e_err *err);
/* sizeof(struct type) (or union); -1 with err. */
int k2e_btf_struct_size(const struct btf *btf, const char *type, uint64_t *ret,
			struct k2e_err *err);

#endif
