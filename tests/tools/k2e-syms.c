/*
 * k2e-syms - print what symbols/ reads from a kdump2elf core, for the tests.
 *
 *   k2e-syms syms CORE        every symbol: "ADDR SIZE TYPE NAME [MODULE]" (hex)
 *   k2e-syms btf CORE         vmlinux BTF size and type count, one line per module BTF
 *   k2e-syms sidecar CORE OUT write the sidecar (symbols/sidecar.h), print its stats
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "kernel/kmem.h"
#include "symbols/btf.h"
#include "symbols/kallsyms.h"
#include "symbols/sidecar.h"

static int usage(void)
{
	fprintf(stderr, "usage: k2e-syms syms|btf CORE | k2e-syms sidecar CORE OUT\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct k2e_symtab *st = NULL;
	struct k2e_kmem *km = NULL;
	struct btf *btf = NULL;
	struct k2e_err err;
	int rc = 1;

	if (argc < 3)
		return usage();
	if (strcmp(argv[1], "sidecar") == 0) {
		struct k2e_sidecar_stats s;

		if (argc != 4)
			return usage();
		if (k2e_sidecar_write(argv[2], argv[3], true, &s, &err) < 0) {
			fprintf(stderr, "k2e-syms: %s\n", err.msg);
			return 1;
		}
		printf("symbols %zu functions %zu objects %zu modules %zu btf_modules %zu dies %zu fdes %zu\n",
		       s.symbols, s.functions, s.objects, s.modules, s.btf_modules, s.dies, s.fdes);
		if (s.note[0])
			printf("note %s\n", s.note);
		return 0;
	}
	if (k2e_kmem_open(argv[2], &km, &err) < 0 || k2e_kallsyms_read(km, &st, &err) < 0) {
		fprintf(stderr, "k2e-syms: %s\n", err.msg);
		goto out;
	}
	if (k2e_btf_read_vmlinux(km, st, &btf, &err) < 0)
		fprintf(stderr, "k2e-syms: %s\n", err.msg);
	else if (k2e_symtab_add_modules(st, km, btf, &err) < 0)
		fprintf(stderr, "k2e-syms: modules: %s\n", err.msg);
	k2e_symtab_finish(st);
	if (strcmp(argv[1], "syms") == 0) {
		for (size_t i = 0; i < st->n; i++) {
			const struct k2e_sym *s = &st->syms[i];

			printf("%016" PRIx64 " %" PRIx64 " %c %s%s%s%s\n", s->addr, s->size, s->type,
			       k2e_sym_name(st, s), s->module >= 0 ? " [" : "",
			       s->module >= 0 ? st->mods[s->module].name : "", s->module >= 0 ? "]" : "");
		}
		rc = 0;
	} else if (strcmp(argv[1], "btf") == 0 && btf) {
		struct k2e_btf_mod *mods = NULL;
		uint32_t size;
		size_t n = 0;

		btf__raw_data(btf, &size);
		printf("vmlinux %u bytes %u types\n", size, btf__type_cnt(btf));
		if (k2e_btf_read_modules(km, st, btf, &mods, &n, &err) < 0)
			fprintf(stderr, "k2e-syms: %s\n", err.msg);
		for (size_t i = 0; i < n; i++) {
			btf__raw_data(mods[i].btf, &size);
			printf("module %s %u bytes %u types\n", mods[i].name, size,
			       btf__type_cnt(mods[i].btf));
		}
		k2e_btf_mods_free(mods, n);
		rc = 0;
	} else {
		rc = usage();
	}
out:
	btf__free(btf);
	k2e_symtab_free(st);
	k2e_kmem_free(km);
	return rc;
}
