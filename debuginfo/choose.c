/* choose.c - the one place that gives the dumped kernel its finders (see choose.h). */
#include "debuginfo/choose.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "analysis/modules.h"
#include "debuginfo/find.h"
#include "kernel/symtab.h"
#include "kernel/syms-kallsyms.h"
#include "kernel/syms-sysmap.h"
#include "kernel/vmlinux.h"

static struct btf *parse_btf_file(const char *path, struct k2e_err *err)
{
	struct btf *b;
	long e;

	errno = 0;
	b = btf__parse_raw(path);
	if ((e = libbpf_get_error(b)) != 0 || !b) {
		int en = e ? (int)-e : errno ? errno : EINVAL;

		if (en == EPROTO || en == EINVAL)	/* libbpf's "not BTF" */
			k2e_err_set(err, "--btf '%s': not raw BTF that libbpf accepts", path);
		else
			k2e_err_errno(err, en, "--btf '%s'", path);
		return NULL;
	}
	return b;
}

int k2e_debuginfo_check_files(const struct k2e_debuginfo_opts *opts, struct k2e_err *err)
{
	FILE *f;

	if (opts->btf) {
		struct btf *b = parse_btf_file(opts->btf, err);

		if (!b)
			return -1;
		btf__free(b);
	}
	if (opts->system_map) {
		if (!(f = fopen(opts->system_map, "r")))
			return k2e_err_errno(err, errno, "--system-map '%s'", opts->system_map);
		fclose(f);
	}
	return 0;
}

static void note(struct k2e_debuginfo *di, const char *what, const struct k2e_err *e)
{
	size_t l = strlen(di->note), room = sizeof(di->note) - l;
	int n = snprintf(di->note + l, room, "%s%s: ", l ? "; " : "", what);

	if (n > 0 && (size_t)n < room)
		snprintf(di->note + l + n, room - (size_t)n, "%.*s", (int)(room - (size_t)n - 1),
			 e->msg);
}

/* A vmlinux: the user's (errors are fatal) or one found on this machine. */
static int choose_vmlinux(struct k2e_kernel *k, const struct k2e_debuginfo_opts *opts,
			  struct k2e_debuginfo *di, struct k2e_err *err)
{
	struct k2e_err e;

	if (opts->no_vmlinux_search && !opts->vmlinux) {
		snprintf(di->vmlinux_note, sizeof(di->vmlinux_note), "the dump has no vmcoreinfo");
		return 0;
	}
	di->vmlinux_path = k2e_find_vmlinux(k2e_kernel_vmcoreinfo(k), opts->vmlinux, &e);
	if (!di->vmlinux_path) {
		if (opts->vmlinux)
			return k2e_err_set(err, "%s", e.msg);
		snprintf(di->vmlinux_note, sizeof(di->vmlinux_note), "%s", e.msg);
		return 0;
	}
	if (k2e_vmlinux_open(di->vmlinux_path, &di->vmlinux, &e) < 0) {
		if (opts->vmlinux)
			return k2e_err_set(err, "%s", e.msg);
		snprintf(di->vmlinux_note, sizeof(di->vmlinux_note), "%s", e.msg);
		free(di->vmlinux_path);
		di->vmlinux_path = NULL;
		return 0;
	}
	k2e_kernel_use_vmlinux(k, di->vmlinux);
	return 0;
}

/* The whole table, BTF, and the modules' symbols and BTF: what OUT.sym is made of. */
static int choose_symtab(struct k2e_kernel *k, const struct k2e_debuginfo_opts *opts,
			 struct k2e_debuginfo *di, struct k2e_err *err)
{
	struct k2e_symtab *st = NULL;
	struct k2e_err e;

	if (opts->system_map) {
		if (k2e_symtab_read_system_map(k, opts->system_map, &st, &e) < 0) {
			snprintf(di->symtab_note, sizeof(di->symtab_note), "%s", e.msg);
			return 0;
		}
	} else if (k2e_kallsyms_read(k, &st, &e) < 0) {
		snprintf(di->symtab_note, sizeof(di->symtab_note), "%s", e.msg);
		return 0;
	}
	k2e_kernel_use_symtab(k, st);
	di->have_symtab = true;
	/* BTF and modules are optional unless asked for: say what is missing, keep the rest. */
	if (opts->btf) {
		if (!(di->btf = parse_btf_file(opts->btf, err)))
			return -1;
	} else if (k2e_btf_read_vmlinux(k, &di->btf, &e) < 0) {
		note(di, "no BTF", &e);
	}
	if (di->btf) {
		k2e_kernel_use_btf(k, di->btf);
		if (k2e_modules_add_symbols(st, k, &e) < 0)
			note(di, "no module symbols", &e);
		if (k2e_btf_read_modules(k, di->btf, &di->bmods, &di->n_bmods, &e) < 0)
			note(di, "no module BTF", &e);
	}
	k2e_symtab_finish(st);
	return 0;
}

int k2e_debuginfo_choose(struct k2e_kernel *k, const struct k2e_debuginfo_opts *opts,
			 struct k2e_debuginfo *ret, struct k2e_err *err)
{
	static const char *const few[] = { "crash_notes", "__per_cpu_offset", "nr_cpu_ids",
					   "panic_cpu" };
	struct k2e_symtab *st;
	struct k2e_err e;

	memset(ret, 0, sizeof(*ret));
	if (choose_vmlinux(k, opts, ret, err) < 0)
		return -1;
	if (ret->vmlinux)
		return 0;
	if (opts->want_symtab)
		return choose_symtab(k, opts, ret, err);
	/* Only what the CPU map needs: a few lookups, not the whole table. */
	if (k2e_kallsyms_read_some(k, few, sizeof(few) / sizeof(few[0]), &st, &e) < 0) {
		snprintf(ret->symtab_note, sizeof(ret->symtab_note), "%s", e.msg);
		return 0;
	}
	k2e_symtab_finish(st);
	k2e_kernel_use_symtab(k, st);
	ret->have_symtab = true;
	return 0;
}

void k2e_debuginfo_release(struct k2e_debuginfo *di)
{
	k2e_btf_mods_free(di->bmods, di->n_bmods);
	btf__free(di->btf);
	k2e_vmlinux_free(di->vmlinux);
	free(di->vmlinux_path);
	memset(di, 0, sizeof(*di));
}
