/* syms-sysmap.c - the vmlinux symbols from a System.map (see syms-sysmap.h). */
#include "kernel/syms-sysmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/symtab.h"

enum { MAX_SYMS = 4 << 20 };

int k2e_symtab_read_system_map(struct k2e_kernel *km, const char *path, struct k2e_symtab **ret,
			       struct k2e_err *err)
{
	uint64_t off = k2e_vmcoreinfo_kaslr_offset(k2e_kernel_vmcoreinfo(km));
	struct k2e_symtab *st;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	FILE *f;

	if (!(f = fopen(path, "r")))
		return k2e_err_errno(err, errno, "System.map '%s'", path);
	if (!(st = k2e_symtab_new())) {
		fclose(f);
		return k2e_err_set(err, "out of memory");
	}
	while (getline(&line, &cap, f) > 0) {
		char *end, *name;
		uint64_t addr;
		char type;
		size_t nl;

		lineno++;
		addr = strtoull(line, &end, 16);
		if (end == line || *end != ' ' || !end[1] || end[2] != ' ')
			goto bad;
		type = end[1];
		name = end + 3;
		nl = strcspn(name, " \t\r\n");
		if (nl == 0)
			goto bad;
		if (type == 'a' || type == 'A' || type == 'U' ||
		    ((type == 'w' || type == 'v') && addr == 0))
			continue;
		if (addr >= (1ULL << 32))
			addr += off;
		if (st->n >= MAX_SYMS || k2e_symtab_add(st, name, nl, type, addr, 0, -1) < 0) {
			k2e_err_set(err, st->n >= MAX_SYMS ? "too many symbols" : "out of memory");
			goto fail;
		}
	}
	if (ferror(f)) {
		k2e_err_errno(err, errno ? errno : EIO, "read");
		goto fail;
	}
	if (st->n == 0) {
		k2e_err_set(err, "no symbols");
		goto fail;
	}
	free(line);
	fclose(f);
	*ret = st;
	return 0;
bad:
	k2e_err_set(err, "line %zu is not \"ADDRESS TYPE NAME\"", lineno);
fail:
	free(line);
	fclose(f);
	k2e_symtab_free(st);
	return k2e_err_prefix(err, "System.map '%s'", path);
}

