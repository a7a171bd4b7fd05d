/*
 * k2e-syms - what the dumped-kernel layer reads from a finished kdump2elf
 * core (kernel/mem-core.c, the second memory backend), for the tests.
 *
 *   k2e-syms syms CORE        every symbol: "ADDR SIZE TYPE NAME [MODULE]" (hex)
 *   k2e-syms btf CORE         vmlinux BTF size and type count, one line per module BTF
 *   k2e-syms sidecar CORE OUT write the sidecar (output/sidecar.h), print its stats
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "debuginfo/choose.h"
#include "kernel/kernel.h"
#include "kernel/symtab.h"
#include "output/sidecar.h"

static int usage(void)
{
	fprintf(stderr, "usage: k2e-syms syms|btf CORE | k2e-syms sidecar CORE OUT\n");
	return 2;
}

int main(int argc, char **argv)
{
	/* As a conversion without a vmlinux sees the kernel: the dump's kallsyms and BTF. */
	struct k2e_debuginfo_opts opts = { .no_vmlinux_search = true, .want_symtab = true };
	struct k2e_debuginfo di;
	struct k2e_kernel *km = NULL;
	const struct k2e_symtab *st;
	struct k2e_err err;
	int rc = 1;

	if (argc < 3 || (strcmp(argv[1], "sidecar") == 0 && argc != 4))
		return usage();
	if (k2e_kernel_open_core(argv[2], &km, &err) < 0 ||
	    k2e_debuginfo_choose(km, &opts, &di, &err) < 0) {
		fprintf(stderr, "k2e-syms: %s\n", err.msg);
		k2e_kernel_free(km);
		return 1;
	}
	if (di.note[0])
		fprintf(stderr, "k2e-syms: %s\n", di.note);
	st = k2e_kernel_symtab(km);
	if (!st) {
		fprintf(stderr, "k2e-syms: %s\n", di.symtab_note);
	} else if (strcmp(argv[1], "sidecar") == 0) {
		struct k2e_sidecar_in in = { .btf = di.btf, .bmods = di.bmods, .n_bmods = di.n_bmods,
					     .note = di.note };
		struct k2e_sidecar_stats s;
		int fd = open(argv[3], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || k2e_sidecar_write(km, &in, fd, &s, &err) < 0) {
			fprintf(stderr, "k2e-syms: %s\n", fd < 0 ? "cannot create the output" : err.msg);
		} else {
			printf("symbols %zu functions %zu objects %zu modules %zu btf_modules %zu dies %zu fdes %zu\n",
			       s.symbols, s.functions, s.objects, s.modules, s.btf_modules, s.dies,
			       s.fdes);
			if (s.note[0])
				printf("note %s\n", s.note);
			rc = 0;
		}
		if (fd >= 0)
			close(fd);
	} else if (strcmp(argv[1], "syms") == 0) {
		for (size_t i = 0; i < st->n; i++) {
			const struct k2e_sym *s = &st->syms[i];

			printf("%016" PRIx64 " %" PRIx64 " %c %s%s%s%s\n", s->addr, s->size, s->type,
			       k2e_sym_name(st, s), s->module >= 0 ? " [" : "",
			       s->module >= 0 ? st->mods[s->module].name : "", s->module >= 0 ? "]" : "");
		}
		rc = 0;
	} else if (strcmp(argv[1], "btf") == 0 && di.btf) {
		uint32_t size;

		btf__raw_data(di.btf, &size);
		printf("vmlinux %u bytes %u types\n", size, btf__type_cnt(di.btf));
		for (size_t i = 0; i < di.n_bmods; i++) {
			btf__raw_data(di.bmods[i].btf, &size);
			printf("module %s %u bytes %u types\n", di.bmods[i].name, size,
			       btf__type_cnt(di.bmods[i].btf));
		}
		rc = 0;
	} else {
		rc = usage();
	}
	k2e_kernel_free(km);
	k2e_debuginfo_release(&di);
	return rc;
}
