/*
 * make-kernel-seeds - write fuzz images (tests/fuzz/fuzz-kernel.h) for the
 * memory-based fuzz targets.
 *
 *   make-kernel-seeds MODE CORE OUT [N]
 *   make-kernel-seeds btf OUT-DIR
 *
 * MODE printk, kallsyms, modules or orc: CORE is a finished ELF core (a
 * real dump converted by kdump2elf, or a unit test's fake kernel).  Its
 * symbols and struct layouts are looked up once, as a conversion would (its
 * VMCOREINFO, else its kallsyms and BTF), and written as SYMBOL()/OFFSET()/
 * SIZE() lines after its VMCOREINFO, so the image needs neither.  The
 * parser then runs on a kernel with only that VMCOREINFO and a memory
 * backend that records every read; the bytes read, merged into regions,
 * become the image.  For orc, N (default 64) bounds the number of vmlinux
 * ORC entries kept, and the image gets a tiny BTF (fuzz_orc translates the
 * modules' tables only when the kernel has BTF) and the module layouts.
 *
 * MODE btf: synthetic images with a small vmlinux BTF and module BTF split
 * over it, made with libbpf, written to OUT-DIR.
 */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "analysis/modules.h"
#include "analysis/printk.h"
#include "analysis/panic.h"
#include "btf/btf.h"
#include "kernel/kernel.h"
#include "kernel/symtab.h"
#include "kernel/syms-kallsyms.h"
#include "output/orc.h"

struct range {
	uint64_t a, len;
};

struct rec {
	struct k2e_kernel *real;
	struct range *v;
	size_t n, cap;
	/* A region served before the real memory, not recorded (the tiny BTF of orc). */
	uint64_t inj_va;
	const void *inj;
	size_t inj_len;
};

/* Where orc images put their tiny BTF, and how big it may be. */
static const uint64_t INJ_VA = 0xffffffff8f000000ULL;

static int rec_read(void *mem, uint64_t va, void *buf, size_t len, struct k2e_err *err)
{
	struct rec *r = mem;

	if (r->inj && va >= r->inj_va && va - r->inj_va <= r->inj_len &&
	    len <= r->inj_len - (va - r->inj_va)) {
		memcpy(buf, (const char *)r->inj + (va - r->inj_va), len);
		return 0;
	}
	if (k2e_kernel_read(r->real, va, buf, len, err) < 0)
		return -1;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 1024;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
		if (!r->v)
			abort();
	}
	r->v[r->n++] = (struct range){ va, len };
	return 0;
}

static int rec_phys(void *mem, uint64_t pa, void *buf, size_t len, struct k2e_err *err)
{
	(void)mem;
	(void)buf;
	(void)len;
	return k2e_err_set(err, "no physical reads (0x%llx)", (unsigned long long)pa);
}

static const struct k2e_mem_ops rec_ops = { .read_virt = rec_read, .read_phys = rec_phys };

static int range_cmp(const void *x, const void *y)
{
	const struct range *a = x, *b = y;

	return a->a < b->a ? -1 : a->a > b->a;
}

struct text {
	char *p;
	size_t len, cap;
};

static void put(struct text *t, const void *p, size_t len)
{
	if (t->len + len > t->cap) {
		t->cap = (t->len + len) * 2 + 256;
		t->p = realloc(t->p, t->cap);
		if (!t->p)
			abort();
	}
	memcpy(t->p + t->len, p, len);
	t->len += len;
}

static void putn(struct text *t, uint64_t v, unsigned n)
{
	unsigned char b[8];

	for (unsigned i = 0; i < n; i++)
		b[i] = (unsigned char)(v >> 8 * i);
	put(t, b, n);
}

static void line(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(struct text *t, const char *fmt, ...)
{
	char b[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	put(t, b, (size_t)n);
}

/* The VMCOREINFO text of k's notes. */
static void vmcoreinfo_text(struct k2e_kernel *k, struct text *t)
{
	size_t len, off = 0;
	const unsigned char *n = k2e_kernel_notes(k, &len);
	bool be = k2e_kernel_big_endian(k);

	while (off + 12 <= len) {
		uint32_t nsz = 0, dsz = 0;

		for (unsigned i = 0; i < 4; i++) {
			unsigned sh = be ? 8 * (3 - i) : 8 * i;

			nsz |= (uint32_t)n[off + i] << sh;
			dsz |= (uint32_t)n[off + 4 + i] << sh;
		}
		size_t name_off = off + 12, desc_off = name_off + ((nsz + 3) & ~3u);

		if (desc_off + dsz > len)
			break;
		if (nsz == 11 && !memcmp(n + name_off, "VMCOREINFO", 11)) {
			const unsigned char *d = n + desc_off;
			size_t dl = dsz;

			while (dl && d[dl - 1] == 0)
				dl--;
			put(t, d, dl);
			if (dl && d[dl - 1] != '\n')
				put(t, "\n", 1);
			return;
		}
		off = desc_off + ((dsz + 3) & ~(size_t)3);
	}
}

static const char *const mod_syms[] = { "modules" };
static const char *const mod_members[][2] = {
	{ "module", "list" },
	{ "module", "name" },
	{ "module", "sect_attrs" },
	{ "module_sect_attrs", "nsections" },
	{ "module_sect_attrs", "attrs" },
	{ "module_sect_attr", "battr.attr.name" },
	{ "module_sect_attr", "address" },
	{ "module", "core_kallsyms" },	/* embedded: what kallsyms points to once loaded */
	{ "mod_kallsyms", "symtab" },
	{ "mod_kallsyms", "num_symtab" },
	{ "mod_kallsyms", "strtab" },
	{ "mod_kallsyms", "typetab" },
};
static const char *const mod_sizes[] = { "module_sect_attr" };

/* SYMBOL()/OFFSET()/SIZE() lines for what a parser asks, as k answers. */
static void lookups(struct k2e_kernel *k, struct text *t, const char *mode, unsigned orc_n)
{
	struct k2e_err err;
	uint64_t v;

	if (!strcmp(mode, "modules") || !strcmp(mode, "orc")) {
		for (size_t i = 0; i < sizeof(mod_syms) / sizeof(*mod_syms); i++)
			if (k2e_kernel_symbol(k, mod_syms[i], &v, &err) == 0)
				line(t, "SYMBOL(%s)=%llx\n", mod_syms[i], (unsigned long long)v);
		for (size_t i = 0; i < sizeof(mod_members) / sizeof(*mod_members); i++) {
			struct k2e_member m;

			if (k2e_kernel_member(k, mod_members[i][0], mod_members[i][1], &m, &err) == 0)
				line(t, "OFFSET(%s.%s)=%llu\n", mod_members[i][0], mod_members[i][1],
				     (unsigned long long)m.offset);
		}
		for (size_t i = 0; i < sizeof(mod_sizes) / sizeof(*mod_sizes); i++)
			if (k2e_kernel_sizeof(k, mod_sizes[i], &v, &err) == 0)
				line(t, "SIZE(%s)=%llu\n", mod_sizes[i], (unsigned long long)v);
	}
	if (!strcmp(mode, "orc")) {
		static const char *const orc_members[][2] = {
			{ "module", "arch" },
			{ "mod_arch_specific", "num_orcs" },
			{ "mod_arch_specific", "orc_unwind_ip" },
			{ "mod_arch_specific", "orc_unwind" },
		};
		uint64_t ip, stop, orc;

		for (size_t i = 0; i < sizeof(orc_members) / sizeof(*orc_members); i++) {
			struct k2e_member m;

			if (k2e_kernel_member(k, orc_members[i][0], orc_members[i][1], &m, &err) == 0)
				line(t, "OFFSET(%s.%s)=%llu\n", orc_members[i][0], orc_members[i][1],
				     (unsigned long long)m.offset);
		}

		if (k2e_kernel_symbol(k, "__start_orc_unwind_ip", &ip, &err) == 0 &&
		    k2e_kernel_symbol(k, "__stop_orc_unwind_ip", &stop, &err) == 0 &&
		    k2e_kernel_symbol(k, "__start_orc_unwind", &orc, &err) == 0) {
			if (stop - ip > 4ull * orc_n)
				stop = ip + 4ull * orc_n;
			line(t, "SYMBOL(__start_orc_unwind_ip)=%llx\n", (unsigned long long)ip);
			line(t, "SYMBOL(__stop_orc_unwind_ip)=%llx\n", (unsigned long long)stop);
			line(t, "SYMBOL(__start_orc_unwind)=%llx\n", (unsigned long long)orc);
		}
	}
}

static void run(struct k2e_kernel *k, const char *mode)
{
	struct k2e_err err;

	if (!strcmp(mode, "printk")) {
		struct k2e_panic p;
		char *text = NULL;
		size_t len;

		if (k2e_panic_read(k, &p, &text, &len, &err) < 0)
			fprintf(stderr, "make-kernel-seeds: printk: %s\n", err.msg);
		free(text);
	} else if (!strcmp(mode, "kallsyms")) {
		struct k2e_symtab *st;

		if (k2e_kallsyms_read(k, &st, &err) < 0)
			fprintf(stderr, "make-kernel-seeds: kallsyms: %s\n", err.msg);
		else
			k2e_symtab_free(st);
	} else if (!strcmp(mode, "modules")) {
		struct k2e_modules m;
		struct k2e_symtab *st = k2e_symtab_new();

		if (k2e_modules_list(k, &m, &err) == 0) {
			if (m.why_no_modules[0])
				fprintf(stderr, "make-kernel-seeds: modules: %s\n", m.why_no_modules);
			k2e_modules_release(&m);
		}
		if (k2e_modules_add_symbols(st, k, &err) < 0)
			fprintf(stderr, "make-kernel-seeds: module symbols: %s\n", err.msg);
		k2e_symtab_free(st);
	} else if (!strcmp(mode, "orc")) {
		struct k2e_orc_out o;
		struct k2e_symtab *st = k2e_symtab_new();
		struct btf *b = NULL;

		/* As fuzz_orc: the image's BTF (any, for the module tables), its modules. */
		if (k2e_btf_read_vmlinux(k, &b, &err) == 0)
			k2e_kernel_use_btf(k, b);
		if (k2e_modules_add_symbols(st, k, &err) == 0)
			k2e_symtab_finish(st);
		k2e_kernel_use_symtab(k, st);
		if (k2e_orc_debug_frame(k, &o, &err) < 0)
			fprintf(stderr, "make-kernel-seeds: orc: %s\n", err.msg);
		else if (o.note[0])
			fprintf(stderr, "make-kernel-seeds: orc: %zu modules; %s\n", o.modules, o.note);
		else
			fprintf(stderr, "make-kernel-seeds: orc: %zu FDEs, %zu modules\n", o.fdes, o.modules);
		if (o.frame)
			free(o.frame);
		k2e_kernel_free(k);	/* before the BTF it uses */
		btf__free(b);
		return;
	}
	k2e_kernel_free(k);
}

static void write_file(const char *path, const struct text *t)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(t->p, 1, t->len, f) != t->len || fclose(f) != 0) {
		fprintf(stderr, "make-kernel-seeds: %s: cannot write\n", path);
		exit(1);
	}
}

static void image_head(struct text *img, unsigned flags, const struct text *vmci)
{
	putn(img, flags, 1);
	putn(img, vmci->len, 2);
	put(img, vmci->p, vmci->len);
}

static void region(struct text *img, uint64_t va, const void *p, size_t len)
{
	putn(img, va, 8);
	putn(img, len, 4);
	put(img, p, len);
}

static int from_core(const char *mode, const char *core, const char *out, unsigned orc_n)
{
	struct k2e_kernel *real, *k;
	struct k2e_symtab *st = NULL;
	struct btf *btf = NULL;
	struct k2e_err err;
	struct text vmci = { 0 }, img = { 0 };
	struct rec r = { 0 };
	struct k2e_kernel_desc d = { 0 };
	unsigned char *notes;
	size_t nlen, npad, nreg = 0;
	struct btf *tiny = NULL;
	uint32_t tiny_len = 0;

	if (k2e_kernel_open_core(core, &real, &err) < 0) {
		fprintf(stderr, "make-kernel-seeds: %s\n", err.msg);
		return 1;
	}
	/* The lookups a conversion would have: kallsyms, BTF. */
	if (k2e_kallsyms_read(real, &st, &err) == 0)
		k2e_kernel_use_symtab(real, st);
	if (k2e_btf_read_vmlinux(real, &btf, &err) == 0)
		k2e_kernel_use_btf(real, btf);
	vmcoreinfo_text(real, &vmci);
	lookups(real, &vmci, mode, orc_n);
	if (!strcmp(mode, "orc")) {
		tiny = btf__new_empty();
		btf__add_int(tiny, "int", 4, BTF_INT_SIGNED);
		r.inj = btf__raw_data(tiny, &tiny_len);
		r.inj_len = tiny_len;
		r.inj_va = INJ_VA;
		line(&vmci, "SYMBOL(__start_BTF)=%llx\nSYMBOL(__stop_BTF)=%llx\n",
		     (unsigned long long)INJ_VA, (unsigned long long)(INJ_VA + tiny_len));
	}
	if (vmci.len > 65535) {
		fprintf(stderr, "make-kernel-seeds: VMCOREINFO too long\n");
		return 1;
	}

	/* A kernel with only that VMCOREINFO, recording its reads. */
	npad = (vmci.len + 3) & ~(size_t)3;
	nlen = 24 + npad;
	notes = calloc(1, nlen);
	notes[0] = 11;
	notes[4] = (unsigned char)vmci.len;
	notes[5] = (unsigned char)(vmci.len >> 8);
	memcpy(notes + 12, "VMCOREINFO", 11);
	memcpy(notes + 24, vmci.p, vmci.len);
	d.machine = k2e_kernel_machine(real);
	d.big_endian = false;
	d.is64 = true;
	d.notes = notes;
	d.notes_len = nlen;
	r.real = real;
	if (k2e_kernel_big_endian(real) || k2e_kernel_new(&d, &rec_ops, &r, &k, &err) < 0) {
		fprintf(stderr, "make-kernel-seeds: %s: little-endian 64-bit cores only\n", core);
		return 1;
	}
	run(k, mode);	/* frees k */

	/* Merged ranges, as regions. */
	qsort(r.v, r.n, sizeof(*r.v), range_cmp);
	image_head(&img, 0, &vmci);
	if (r.inj) {
		region(&img, r.inj_va, r.inj, r.inj_len);
		nreg++;
	}
	for (size_t i = 0; i < r.n;) {
		uint64_t a = r.v[i].a, end = a + r.v[i].len;
		unsigned char *buf;

		for (i++; i < r.n && r.v[i].a <= end; i++)
			if (r.v[i].a + r.v[i].len > end)
				end = r.v[i].a + r.v[i].len;
		buf = malloc(end - a ? end - a : 1);
		if (!buf || k2e_kernel_read(real, a, buf, end - a, &err) < 0)
			abort();
		region(&img, a, buf, end - a);
		free(buf);
		nreg++;
	}
	if (nreg > 512)
		fprintf(stderr, "make-kernel-seeds: %s: %zu regions (fuzz_kernel keeps 512)\n", out,
			nreg);
	write_file(out, &img);
	printf("%s: %zu bytes, %zu regions, %zu reads\n", out, img.len, nreg, r.n);
	k2e_kernel_free(real);
	btf__free(btf);
	btf__free(tiny);
	free(notes);
	free(vmci.p);
	free(img.p);
	free(r.v);
	return 0;
}

/* ---- synthetic BTF images ---- */

static const uint64_t KB = 0xffffffff82000000ULL;	/* where the blobs sit */

static void put64(unsigned char *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> 8 * i);
}

/*
 * A vmlinux BTF with the types btf.c reads module BTF through (list_head,
 * module {list, name}, btf {data, data_size}, btf_module {list, module,
 * btf}), and n_mods modules, each with split BTF of a struct or two.
 */
static void btf_image(const char *path, unsigned n_mods, bool offsets_in_vmcoreinfo,
		      bool break_one)
{
	struct btf *b = btf__new_empty();
	int t_int, t_u32, t_char, t_lh, t_lhp, t_vp, t_mod, t_modp, t_btf, t_btfp, t_arr, t_bm;
	const void *raw;
	uint32_t raw_len;
	struct text img = { 0 }, vmci = { 0 };
	unsigned char mem[4096] = { 0 };
	uint64_t head = KB + 0x10000, mods = KB + 0x11000;

	t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	t_u32 = btf__add_int(b, "unsigned int", 4, 0);
	t_char = btf__add_int(b, "char", 1, BTF_INT_CHAR);
	t_lh = btf__add_struct(b, "list_head", 16);
	t_lhp = btf__add_ptr(b, t_lh);
	btf__add_field(b, "next", t_lhp, 0, 0);
	btf__add_field(b, "prev", t_lhp, 64, 0);
	t_vp = btf__add_ptr(b, 0);
	t_arr = btf__add_array(b, t_u32, t_char, 56);
	t_mod = btf__add_struct(b, "module", 8 + 16 + 56);
	btf__add_field(b, "state", t_int, 0, 0);
	btf__add_field(b, "list", t_lh, 64, 0);
	btf__add_field(b, "name", t_arr, 192, 0);
	t_modp = btf__add_ptr(b, t_mod);
	t_btf = btf__add_struct(b, "btf", 16);
	btf__add_field(b, "data", t_vp, 0, 0);
	btf__add_field(b, "data_size", t_u32, 64, 0);
	t_btfp = btf__add_ptr(b, t_btf);
	t_bm = btf__add_struct(b, "btf_module", 32);
	btf__add_field(b, "list", t_lh, 0, 0);
	btf__add_field(b, "module", t_modp, 128, 0);
	btf__add_field(b, "btf", t_btfp, 192, 0);
	(void)t_bm;
	raw = btf__raw_data(b, &raw_len);

	line(&vmci, "OSRELEASE=6.1.0-fuzz\nPAGESIZE=4096\n");
	line(&vmci, "SYMBOL(__start_BTF)=%llx\nSYMBOL(__stop_BTF)=%llx\n",
	     (unsigned long long)KB, (unsigned long long)(KB + raw_len));
	line(&vmci, "SYMBOL(btf_modules)=%llx\n", (unsigned long long)head);
	if (offsets_in_vmcoreinfo)
		line(&vmci, "OFFSET(btf_module.list)=0\nOFFSET(btf_module.module)=16\n"
			    "OFFSET(btf_module.btf)=24\nOFFSET(btf.data)=0\n"
			    "OFFSET(btf.data_size)=8\nOFFSET(module.name)=24\n");
	image_head(&img, offsets_in_vmcoreinfo ? 4 : 0, &vmci);
	region(&img, KB, raw, raw_len);

	/*
	 * mem at mods: per module i at 0x200*i: btf_module (32), module (80)
	 * at +0x40, struct btf (16) at +0xa0; split BTF blobs at KB + 0x20000 + 0x1000*i.
	 */
	{
		unsigned char hd[16];
		uint64_t first = n_mods ? mods : head, last = n_mods ? mods + 0x200 * (n_mods - 1) : head;

		put64(hd, first);
		put64(hd + 8, last);
		region(&img, head, hd, sizeof(hd));
	}
	memset(mem, 0, sizeof(mem));
	for (unsigned i = 0; i < n_mods; i++) {
		unsigned char *m = mem + 0x200 * i;
		uint64_t at = mods + 0x200 * i, blob = KB + 0x20000 + 0x1000 * i;

		put64(m, i + 1 < n_mods ? at + 0x200 : head);
		put64(m + 8, i ? at - 0x200 : head);
		put64(m + 16, at + 0x40);
		put64(m + 24, at + 0xa0);
		snprintf((char *)m + 0x40 + 24, 56, "fuzzmod%u", i);
		put64(m + 0xa0, blob);
	}
	for (unsigned i = 0; i < n_mods; i++) {
		struct btf *s = btf__new_empty_split(b);
		const void *sraw;
		uint32_t slen;
		int ts;

		ts = btf__add_struct(s, i ? "fuzz_two" : "fuzz_one", 12);
		btf__add_field(s, "a", t_int, 0, 0);
		btf__add_field(s, "b", t_u32, 32, 0);
		btf__add_field(s, "m", t_modp, 64, 0);
		(void)ts;
		btf__add_typedef(s, "fuzz_t", t_int);
		sraw = btf__raw_data(s, &slen);
		put64(mem + 0x200 * i + 0xa0 + 8, break_one && i == n_mods - 1 ? slen + 9 : slen);
		region(&img, KB + 0x20000 + 0x1000 * i, sraw, slen);
		btf__free(s);
	}
	if (n_mods)
		region(&img, mods, mem, 0x200 * n_mods);
	write_file(path, &img);
	printf("%s: %zu bytes\n", path, img.len);
	btf__free(b);
	free(img.p);
	free(vmci.p);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "btf")) {
		char p[4096];

		snprintf(p, sizeof(p), "%s/btf-vmlinux-only", argv[2]);
		btf_image(p, 0, false, false);
		snprintf(p, sizeof(p), "%s/btf-two-modules", argv[2]);
		btf_image(p, 2, false, false);
		snprintf(p, sizeof(p), "%s/btf-two-modules-vmcoreinfo", argv[2]);
		btf_image(p, 2, true, false);
		snprintf(p, sizeof(p), "%s/btf-bad-module-size", argv[2]);
		btf_image(p, 3, false, true);
		return 0;
	}
	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: make-kernel-seeds printk|kallsyms|modules|orc CORE OUT [N]\n"
				"       make-kernel-seeds btf OUT-DIR\n");
		return 2;
	}
	return from_core(argv[1], argv[2], argv[3], argc == 5 ? (unsigned)atoi(argv[4]) : 64);
}
