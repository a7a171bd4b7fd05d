/*
 * convert.c - one dump to one ELF64 core and its companions, in order:
 *
 *   1. the layout of the core, fixed before any page is read (layout.h);
 *   2. every page decoded into its place (pages.h);
 *   3. the dumped kernel (kernel/kernel.h) over the pages just written
 *      (mem-pages.h): its page tables give the PT_LOADs (loads.h), then
 *      debuginfo/choose.c gives it symbols and types, and the analyses
 *      read what crashed (analysis/: CPUs, modules, kernel log);
 *   4. the outputs, each from what the steps above found: the core's notes
 *      and headers (corefile.h), its section headers and symbol table after
 *      the pages (coresyms.h), OUTPUT.sym (output/sidecar.h),
 *      OUTPUT.gdb (output/gdbscript.h);
 *   5. all of them put in place together, or none.
 * Nothing is read back from the files being written but the pages.
 */
#include "convert/convert.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/cpus.h"
#include "analysis/modules.h"
#include "analysis/panic.h"
#include "convert/corefile.h"
#include "convert/coresyms.h"
#include "convert/loads.h"
#include "convert/mem-pages.h"
#include "debuginfo/choose.h"
#include "debuginfo/find.h"
#include "kernel/symtab.h"
#include "kernel/vmlinux.h"
#include "lib/names.h"
#include "lib/outfile.h"
#include "output/gdbscript.h"
#include "output/modreloc.h"
#include "output/sidecar.h"

/* Program header room beyond the physical runs: aliases and lost-page splits. */
static uint64_t phdr_capacity(const struct k2e_dump *d)
{
	/* Beyond 65536, allow one alias per 8 dumped pages (vmalloc is patchy). */
	uint64_t alias = 65536 + d->n_dumped / 8;

	if (alias > (1u << 22))
		alias = 1u << 22;
	return 1 + 2 * (uint64_t)d->runs.n + d->zero_fill.n + alias + 16;
}

void k2e_convert_result_init(struct k2e_convert_result *r)
{
	memset(r, 0, sizeof(*r));
	k2e_page_stats_init(&r->pages);
	r->panic_cpu = -1;
}

void k2e_convert_result_release(struct k2e_convert_result *r)
{
	k2e_page_stats_release(&r->pages);
	free(r->vmlinux);
	free(r->gdb_script);
	free(r->cpu_map);
	free(r->sidecar);
	free(r->log);
}

static void warn(struct k2e_convert_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warn(struct k2e_convert_result *res, const char *fmt, ...)
{
	va_list ap;

	if (res->n_warnings >= K2E_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(res->warnings[res->n_warnings++], K2E_ERR_MSG_MAX, fmt, ap);
	va_end(ap);
}

/* OUTPUT's absolute path (its directory resolved), or NULL when that directory does not resolve. */
static char *absolute_output(const char *output)
{
	char *copy = strdup(output), *copy2 = strdup(output), *dir = NULL, *abs = NULL;

	if (copy && copy2 && (dir = realpath(dirname(copy), NULL)) &&
	    asprintf(&abs, "%s/%s", dir, basename(copy2)) < 0)
		abs = NULL;
	free(copy);
	free(copy2);
	free(dir);
	return abs;
}

/* The kernel over the pages written so far. */
static int open_kernel(const struct k2e_dump *d, struct k2e_mem_pages *mp, struct k2e_kernel **ret,
		       struct k2e_err *err)
{
	struct k2e_kernel_desc desc = {
		.machine = d->e_machine,
		.big_endian = d->big_endian,
		.is64 = d->ptr_bits == 64,
		.notes = d->notes,
		.notes_len = d->notes_len,
	};

	return k2e_kernel_new(&desc, &k2e_mem_pages_ops, mp, ret, err);
}

static int vmap_cmp(const void *a, const void *b)
{
	const struct k2e_vmap *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/* What the conversion knows of the dumped kernel (step 3). */
struct known {
	struct k2e_kernel *k;
	struct k2e_debuginfo di;
	struct k2e_cpus cpus;
	struct k2e_modules mods;
};

static int learn(struct k2e_dump *d, const struct k2e_convert_opts *opts, struct known *kn,
		 struct k2e_convert_result *res, struct k2e_err *err)
{
	struct k2e_debuginfo_opts dopts = {
		.vmlinux = opts->vmlinux,
		.no_vmlinux_search = !k2e_vmcoreinfo_find(d, "OSRELEASE", &(size_t){ 0 }),
		.want_symtab = !opts->no_sidecar || !opts->no_symtab,
		.system_map = opts->system_map,
		.btf = opts->btf,
	};

	if (k2e_debuginfo_choose(kn->k, &dopts, &kn->di, err) < 0)
		return -1;
	if (kn->di.vmlinux_path && !(res->vmlinux = strdup(kn->di.vmlinux_path)))
		return k2e_err_set(err, "out of memory");
	snprintf(res->vmlinux_note, sizeof(res->vmlinux_note), "%s", kn->di.vmlinux_note);
	if (k2e_cpus_collect(d, kn->di.vmlinux || kn->di.have_symtab ? kn->k : NULL, &kn->cpus,
			     err) < 0)
		return -1;
	/* The modules matter to OUTPUT.gdb, which loads their files beside a vmlinux. */
	if (kn->di.vmlinux) {
		if (k2e_modules_list(kn->k, &kn->mods, err) < 0)
			return -1;
		if (kn->mods.n_bad_names)
			warn(res, "%zu module or section names in the dump are not names the kernel makes: left out (first: %s)",
			     kn->mods.n_bad_names, kn->mods.bad_name);
	}
	res->panic_cpu = kn->cpus.panic_cpu;
	res->n_prstatus = kn->cpus.n_prs;
	res->n_modules = kn->mods.n_mods;
	for (size_t i = 0; i < kn->cpus.n_prs; i++)
		res->n_cpus_mapped += kn->cpus.prs[i].cpu >= 0;
	if (kn->di.vmlinux && kn->cpus.why_no_cpus[0])
		snprintf(res->kinfo_note, sizeof(res->kinfo_note), "CPUs not mapped: %s",
			 kn->cpus.why_no_cpus);
	else if (kn->di.vmlinux && kn->mods.why_no_modules[0])
		snprintf(res->kinfo_note, sizeof(res->kinfo_note), "modules not listed: %s",
			 kn->mods.why_no_modules);
	return 0;
}

/* OUTPUT.sym: symbols and types decoded from the dump.  Not fatal: the core is complete without. */
static void write_sidecar(const struct k2e_convert_opts *opts, struct known *kn,
			  struct k2e_outset *o, struct k2e_convert_result *res)
{
	struct k2e_sidecar_in in = {
		.btf = kn->di.btf,
		.bmods = kn->di.bmods,
		.n_bmods = kn->di.n_bmods,
		.note = kn->di.note,
	};
	struct k2e_sidecar_stats ss = { 0 };
	struct k2e_outfile *f = NULL;
	struct k2e_err serr;
	char *sym;

	if (!kn->di.have_symtab) {
		snprintf(res->sidecar_note, sizeof(res->sidecar_note), "%.900s", kn->di.symtab_note);
		return;
	}
	if (asprintf(&sym, "%s.sym", opts->output) < 0)
		return;
	if (k2e_outset_add(o, sym, &f, &serr) < 0 ||
	    k2e_sidecar_write(kn->k, &in, f->fd, &ss, &serr) < 0) {
		if (f)
			k2e_outset_drop(o, f);
		snprintf(res->sidecar_note, sizeof(res->sidecar_note), "'%s': %.900s", sym, serr.msg);
		free(sym);
		return;
	}
	if (ss.bad_names)
		warn(res, "%s: %zu module or symbol names in the dump are not names the kernel makes: left out (first: %s)",
		     sym, ss.bad_names, ss.bad_name);
	snprintf(res->sidecar_note, sizeof(res->sidecar_note),
		 "%zu symbols, %zu modules, %zu DWARF entries, %zu unwind FDEs%s%.680s", ss.symbols,
		 ss.modules, ss.dies, ss.fdes, ss.note[0] ? "; " : "", ss.note);
	res->sidecar = sym;
}

/*
 * The core's symbol table (convert/coresyms.h): a vmlinux's symbols at
 * KERNELOFFSET and the modules' from the dump, or the table decoded from the
 * dump's kallsyms that OUTPUT.sym is made of.  Not fatal: -1 only for out of
 * memory; otherwise *ret is empty (buf NULL) when there is nothing to add.
 */
static int core_symbols(const struct k2e_dump *d, struct known *kn, const struct k2e_loads *ls,
			const struct k2e_layout *l, struct k2e_coresyms *ret,
			struct k2e_convert_result *res, struct k2e_err *err)
{
	struct k2e_symtab *own = NULL;
	const struct k2e_symtab *st = k2e_kernel_symtab(kn->k);
	struct k2e_err e;
	int rc;

	if (kn->di.vmlinux) {
		if (!(own = k2e_symtab_new()))
			return k2e_err_set(err, "out of memory");
		if (k2e_vmlinux_add_symbols(kn->di.vmlinux, k2e_kernel_kaslr_offset(kn->k), own,
					    err) < 0) {
			k2e_symtab_free(own);
			return -1;
		}
		if (k2e_modules_add_symbols(own, kn->k, &e) < 0)
			snprintf(res->core_symtab_note, sizeof(res->core_symtab_note),
				 "no module symbols: %.900s", e.msg);
		/* Bad module names were named once already, by the module list (learn()). */
		if (own->n_bad_names > kn->mods.n_bad_names)
			warn(res, "core symbol table: %zu module or symbol names in the dump are not names the kernel makes: left out (first: %s)",
			     own->n_bad_names, own->bad_name);
		k2e_symtab_finish(own);
		st = own;
	} else if (!kn->di.have_symtab) {
		snprintf(res->core_symtab_note, sizeof(res->core_symtab_note), "%.900s",
			 kn->di.symtab_note[0] ? kn->di.symtab_note : "no symbols");
		return 0;
	}
	if (!st || !st->n) {
		snprintf(res->core_symtab_note, sizeof(res->core_symtab_note), "no symbols");
		k2e_symtab_free(own);
		return 0;
	}
	rc = k2e_coresyms_build(ls, 1 + ls->n, st, d->big_endian, l->data_end, ret, err);
	if (rc == 0) {
		res->n_core_symbols = ret->symbols;
		res->n_core_sections = ret->sections;
	}
	k2e_symtab_free(own);
	return rc;
}

/* What write_module_files() found for each module; strings owned here. */
struct modfiles {
	struct k2e_gdb_module *g;
	char **owned;		/* 3 per module */
	size_t n;
};

static void modfiles_release(struct modfiles *mf)
{
	for (size_t i = 0; i < 3 * mf->n; i++)
		free(mf->owned[i]);
	free(mf->owned);
	free(mf->g);
}

/*
 * OUTPUT.NAME.ko.debug for each module whose file is found (by the build ID
 * the dump gives, then by name): its debug info with every section at its
 * dump address (output/modreloc.h), an output like OUTPUT.gdb.  Not fatal:
 * a module without one is loaded from its .ko with add-symbol-file -s, or
 * named in a comment.  -1 only for out of memory.
 */
static int write_module_files(const struct k2e_dump *d, const struct k2e_convert_opts *opts,
			      const struct known *kn, const char *core, const char *release,
			      struct k2e_outset *o, struct modfiles *mf, struct k2e_err *err)
{
	size_t n = kn->mods.n_mods;

	mf->g = calloc(n ? n : 1, sizeof(*mf->g));
	mf->owned = calloc(3 * (n ? n : 1), sizeof(*mf->owned));
	if (!mf->g || !mf->owned)
		return k2e_err_set(err, "out of memory");
	mf->n = n;
	for (size_t i = 0; i < n; i++) {
		const struct k2e_module *m = &kn->mods.mods[i];
		char **own = &mf->owned[3 * i], id[130];
		struct k2e_modreloc_stats st;
		struct k2e_outfile *f;
		struct k2e_err e;

		bool twice = false;

		/*
		 * Only names lib/names.h accepts become file names, each once: a
		 * second module of a name (a dump is hostile input) is left out
		 * once one has its file, whichever comes first.
		 */
		if (!k2e_name_is_module(m->name))
			continue;
		for (size_t j = 0; j < i && !twice; j++)
			twice = mf->g[j].relocated && strcmp(kn->mods.mods[j].name, m->name) == 0;
		if (twice) {
			mf->g[i].why = "a second module of this name in the dump: left out";
			continue;
		}
		(void)k2e_module_build_id(kn->k, m, id, sizeof(id));
		own[1] = k2e_find_module_file(m->name, id, opts->module_dirs, opts->n_module_dirs,
					      release, &e);
		if (!own[1]) {
			if (!(own[2] = strdup(e.msg)))
				return k2e_err_set(err, "out of memory");
			mf->g[i].why = own[2];
			continue;
		}
		mf->g[i].file = own[1];
		if (asprintf(&own[0], "%s.%s.ko.debug", core, m->name) < 0) {
			own[0] = NULL;
			return k2e_err_set(err, "out of memory");
		}
		if (k2e_gdbscript_check_path(own[0], &e) < 0 || k2e_outset_add(o, own[0], &f, &e) < 0)
			goto fallback;
		if (k2e_modreloc_write(f->fd, own[1], m, d->e_machine, &st, &e) < 0) {
			k2e_outset_drop(o, f);
			goto fallback;
		}
		mf->g[i].relocated = own[0];
		continue;
fallback:
		k2e_err_prefix(&e, "no relocated copy");
		free(own[0]);
		own[0] = NULL;
		if (!(own[2] = strdup(e.msg)))
			return k2e_err_set(err, "out of memory");
		mf->g[i].why = own[2];
	}
	return 0;
}

static int write_gdb_script(const struct k2e_dump *d, const struct k2e_convert_opts *opts,
			    const struct known *kn, const char *core, struct k2e_outset *o,
			    struct k2e_convert_result *res, struct k2e_err *err)
{
	char release[80] = "", *path = NULL;
	struct k2e_outfile *f;
	struct modfiles mf = { 0 };
	int rc = -1;
	struct k2e_gdbscript_in in = {
		.core = core,
		/* x86_64 is every gdb's default; others name theirs for gdb-multiarch. */
		.architecture = d->e_machine == EM_AARCH64 ? "aarch64" : NULL,
		.dump = d->in[0].path,
		.vmlinux = res->vmlinux,
		.sidecar = res->sidecar,
		.kaslr_offset = k2e_kernel_kaslr_offset(kn->k),
		.mods = &kn->mods,
		.module_dirs = opts->module_dirs,
		.n_module_dirs = opts->n_module_dirs,
		.release = release,
	};

	(void)k2e_vmcoreinfo_string(k2e_kernel_vmcoreinfo(kn->k), "OSRELEASE", release,
				    sizeof(release));
	if (d->e_machine == EM_AARCH64 &&
	    k2e_vmcoreinfo_unsigned(k2e_kernel_vmcoreinfo(kn->k), "NUMBER(KERNELPACMASK)", 16,
				    &in.pac_mask) < 0)
		in.pac_mask = 0;
	/* gdb numbers a core's threads in note order. */
	for (size_t i = 0; i < kn->cpus.n_prs; i++)
		if (kn->cpus.panic_cpu >= 0 && kn->cpus.prs[i].cpu == kn->cpus.panic_cpu)
			in.thread = (int)i + 1;
	if (asprintf(&path, "%s.gdb", opts->output) < 0)
		return k2e_err_set(err, "out of memory");
	if (res->vmlinux && kn->mods.n_mods && k2e_gdbscript_check_path(res->vmlinux, &(struct k2e_err){ 0 }) == 0) {
		if (write_module_files(d, opts, kn, core, release, o, &mf, err) < 0)
			goto out;
		in.mod_files = mf.g;
	}
	if (k2e_outset_add(o, path, &f, err) < 0 ||
	    k2e_gdbscript_write(f->fd, path, &in, &res->n_modules_found, err) < 0)
		goto out;
	res->gdb_script = path;
	path = NULL;
	rc = 0;
out:
	modfiles_release(&mf);
	free(path);
	return rc;
}

/* The kernel log and what it says crashed (for summaries).  Not fatal. */
static void read_log(struct known *kn, struct k2e_convert_result *res)
{
	struct k2e_err e;

	if (k2e_panic_read(kn->k, &res->panic, &res->log, &res->log_len, &e) < 0)
		snprintf(res->log_note, sizeof(res->log_note), "%s", e.msg);
	else
		res->have_panic = true;
}

int k2e_convert(struct k2e_dump *d, const struct k2e_convert_opts *opts,
		struct k2e_convert_result *res, struct k2e_err *err)
{
	struct k2e_pages_opts popts = {
		.threads = opts->threads ? opts->threads : 1,
		.progress = opts->progress,
		.progress_arg = opts->progress_arg,
	};
	struct k2e_debuginfo_opts files = { .system_map = opts->system_map, .btf = opts->btf };
	struct k2e_outset o;
	struct k2e_outfile *out;
	struct k2e_layout l;
	struct k2e_loads ls = { 0 };
	struct k2e_core_notes notes = { 0 };
	struct k2e_coresyms syms = { 0 };
	struct k2e_mem_pages mp;
	struct k2e_vmaps maps;
	struct known kn = { .cpus = { .panic_cpu = -1 } };
	bool have_maps = false;
	char *core = NULL;
	struct k2e_virtual_core *v = opts->virt;
	int rc = -1;

	/* Wrong files and an output gdb could not be pointed at are errors before any work. */
	if (!opts->no_sidecar && k2e_debuginfo_check_files(&files, err) < 0)
		return -1;
	core = absolute_output(opts->output);
	if (!opts->no_gdb_script && core && k2e_gdbscript_check_path(core, err) < 0) {
		free(core);
		return -1;
	}
	if (k2e_layout_init(&l, &d->runs, d->page_size, phdr_capacity(d),
			    ((d->notes_len + 3) & ~(size_t)3) + d->eraseinfo_hint +
				    k2e_core_notes_reserve + k2e_core_notes_thread_room(d),
			    err) < 0) {
		free(core);
		return -1;
	}
	k2e_outset_init(&o, opts->force, v ? K2E_OUTFILE_MEMORY : 0);
	if (k2e_outset_add(&o, opts->output, &out, err) < 0)
		goto done;
	res->n_ram = d->n_ram;
	if (v) {
		for (size_t i = 0; i < d->n_in; i++)
			if (!d->in[i].src->random_access) {
				k2e_err_set(err, "%s: a %s input cannot be served on demand: convert it (-o) or reassemble it (makedumpfile -R) first",
					    d->in[i].path, d->in[i].src->kind);
				goto done;
			}
		if (k2e_page_index_init(&v->ix, &l, err) < 0)
			goto done;
		popts.index = &v->ix;
	}
	if (k2e_pages_convert(d, &l, out->fd, &popts, &res->pages, err) < 0)
		goto done;
	if (v && k2e_page_reader_new(d, &v->ix, v->cache_pages, &v->reader, err) < 0)
		goto done;
	if (d->fmt->finish && d->fmt->finish(d, err) < 0)
		goto done;
	if (d->warning[0])
		warn(res, "%s", d->warning);
	for (size_t i = 0; i < d->n_in; i++) {
		struct k2e_source *s = d->in[i].src;

		if (k2e_source_drain(s, err) < 0) {
			k2e_err_prefix(err, "%s", d->in[i].path);
			goto done;
		}
		if (s->stats.truncated) {
			res->stream_truncated = true;
			warn(res, "%s: flattened stream ends without its end marker (truncated)",
			     d->in[i].path);
		}
	}

	/* The dumped kernel, over the pages now in the core. */
	mp = (struct k2e_mem_pages){
		.l = &l, .lost = &res->pages.lost_runs, .fd = out->fd, .reader = v ? v->reader : NULL,
	};
	if (k2e_loads_build(d, &l, &mp, opts->no_vmap, &ls, &maps, err) < 0)
		goto done;
	have_maps = true;
	for (size_t i = 0; i < ls.n_warnings; i++)
		warn(res, "%s", ls.warning[i]);
	snprintf(res->vmap_note, sizeof(res->vmap_note), "%s", ls.vmap_note);
	res->page_offset_known = ls.page_offset_known;
	res->page_offset = ls.page_offset;
	res->n_phys_loads = ls.n_phys;
	res->n_alias_loads = ls.n - ls.n_phys;
	if (maps.n)
		qsort(maps.v, maps.n, sizeof(*maps.v), vmap_cmp);
	mp.maps = &maps;
	if (open_kernel(d, &mp, &kn.k, err) < 0 || learn(d, opts, &kn, res, err) < 0)
		goto done;

	/* The outputs. */
	if (k2e_core_notes(d, &res->pages, &l, &kn.cpus, &notes, err) < 0)
		goto done;
	if (notes.eraseinfo_dropped)
		warn(res, "eraseinfo (%zu bytes) arrived late and does not fit: left out",
		     d->eraseinfo_len);
	res->cpu_map = notes.cpu_map;
	notes.cpu_map = NULL;
	if (!opts->no_symtab && core_symbols(d, &kn, &ls, &l, &syms, res, err) < 0)
		goto done;
	if (k2e_core_headers(d, &l, out->fd, &ls, notes.buf, notes.len, syms.buf ? &syms : NULL,
			     res->pages.lost > 0 || d->incomplete_flag, &res->n_phdrs,
			     &res->file_size, err) < 0)
		goto done;
	if (!res->vmlinux && !opts->no_sidecar)
		write_sidecar(opts, &kn, &o, res);
	if (!opts->no_gdb_script) {
		if (!core) {
			k2e_err_errno(err, errno, "'%s'", opts->output);
			goto done;
		}
		if (write_gdb_script(d, opts, &kn, core, &o, res, err) < 0)
			goto done;
	}
	if (opts->want_log)
		read_log(&kn, res);
	if (v) {
		/* Handed over whole: the layout moves, the index follows it. */
		k2e_outset_take(&o, &v->files, &v->n_files);
		v->l = l;
		l.run_off = NULL;
		v->ix.l = &v->l;
		v->core_size = res->file_size;
		v = NULL;
		rc = 0;
		goto done;
	}
	/* All or nothing: the core, OUTPUT.gdb and OUTPUT.sym appear together. */
	rc = k2e_outset_commit_all(&o, err);
done:
	if (v) {
		k2e_page_reader_free(v->reader);
		v->reader = NULL;
		k2e_page_index_release(&v->ix);
	}
	k2e_outset_abort_all(&o);
	k2e_modules_release(&kn.mods);
	k2e_cpus_release(&kn.cpus);
	k2e_kernel_free(kn.k);
	k2e_debuginfo_release(&kn.di);
	if (have_maps)
		k2e_vmaps_release(&maps);
	free(notes.buf);
	free(notes.cpu_map);
	k2e_coresyms_release(&syms);
	k2e_loads_release(&ls);
	k2e_layout_release(&l);
	free(core);
	return rc;
}
