/*
 * sidecar.c - write OUT.sym (see sidecar.h).
 *
 * The file is laid out by hand rather than with libelf: it has no program
 * headers and no loadable bytes, only section headers, a symbol table and
 * opaque blobs.  Each section's bytes are written to the file as soon as the
 * section is made and then freed, so memory holds one section at a time; the
 * ELF header, .shstrtab and the section headers come last.  All
 * address-carrying sections are SHT_NOBITS at the dumped kernel's runtime
 * addresses, so gdb takes their contents from the core and `symbol-file`
 * needs no -o.
 */
#include "output/sidecar.h"

#include "lib/bytebuf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kernel/kernel.h"
#include "lib/fileio.h"
#include "btf/dwarf.h"
#include "kernel/symtab.h"
#include "output/frames-arm64.h"
#include "output/orc.h"

/* ELF constants (include/uapi/linux/elf.h, the gABI). */
enum {
	SHT_PROGBITS_ = 1, SHT_SYMTAB_ = 2, SHT_STRTAB_ = 3, SHT_NOBITS_ = 8,
	SHF_WRITE_ = 1, SHF_ALLOC_ = 2, SHF_EXECINSTR_ = 4,
	STB_LOCAL_ = 0, STB_GLOBAL_ = 1, STB_WEAK_ = 2,
	STT_NOTYPE_ = 0, STT_OBJECT_ = 1, STT_FUNC_ = 2,
	SHN_ABS_ = 0xfff1,
	EHDR_SIZE = 64, SHDR_SIZE = 64, SYM_SIZE = 24,
	MAX_SECTIONS = 60000,
};

struct sec {
	char *name;
	uint32_t type, link, info;
	uint64_t flags, addr, size, align, entsize;
	uint64_t offset;	/* where its bytes were written; 0 for NOBITS */
	uint32_t name_off;
};

struct writer {
	struct sec *secs;
	size_t n, cap;
	bool be;
	int fd;
	uint64_t end;		/* end of the bytes written so far */
};

static size_t buf_str(struct k2e_bytebuf *b, const char *s)
{
	size_t at = b->len;

	k2e_bytebuf_put(b, s, strlen(s) + 1);
	return at;
}

static struct sec *sec_add(struct writer *w, const char *name, uint32_t type, uint64_t flags,
			   uint64_t addr, uint64_t size)
{
	struct sec *s;

	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 32;

		if (w->n >= MAX_SECTIONS || !(s = realloc(w->secs, cap * sizeof(*s))))
			return NULL;
		w->secs = s;
		w->cap = cap;
	}
	s = &w->secs[w->n];
	memset(s, 0, sizeof(*s));
	if (!(s->name = strdup(name)))
		return NULL;
	s->type = type;
	s->flags = flags;
	s->addr = addr;
	s->size = size;
	s->align = 1;
	w->n++;
	return s;
}

/* Write s's len bytes now, at the next offset aligned to s->align. */
static int sec_write(struct writer *w, struct sec *s, const void *data, size_t len,
		     struct k2e_err *err)
{
	uint64_t off = (w->end + s->align - 1) / s->align * s->align;

	if (len && k2e_pwrite_all(w->fd, data, len, off, err) < 0)
		return -1;
	s->offset = off;
	s->size = len;
	w->end = off + len;
	return 0;
}

/* sec_write() the contents of b, then free them. */
static int sec_take(struct writer *w, struct sec *s, struct k2e_bytebuf *b, struct k2e_err *err)
{
	int rc = sec_write(w, s, b->p, b->len, err);

	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	return rc;
}

static void writer_release(struct writer *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->secs[i].name);
	free(w->secs);
}

/* Finish the file: .shstrtab, the section headers and the ELF header. */
static int writer_emit(struct writer *w, uint16_t machine, struct k2e_err *err)
{
	struct k2e_bytebuf shstr = { .be = w->be }, hdr = { .be = w->be }, sh = { .be = w->be };
	uint64_t shoff;
	size_t i;
	int rc = -1;
	struct sec *ss;

	buf_str(&shstr, "");
	for (i = 0; i < w->n; i++)
		w->secs[i].name_off = (uint32_t)buf_str(&shstr, w->secs[i].name);
	buf_str(&shstr, ".shstrtab");	/* name of the last section, added below */
	if (shstr.oom)
		goto oom;
	/* Section 0 is the null section; ours are 1..n, then .shstrtab. */
	if (!(ss = sec_add(w, ".shstrtab", SHT_STRTAB_, 0, 0, 0)))
		goto oom;
	ss->name_off = (uint32_t)(shstr.len - sizeof(".shstrtab"));
	if (sec_take(w, ss, &shstr, err) < 0)
		goto out;
	shoff = (w->end + 7) & ~7ULL;

	static const unsigned char ident[16] = { 0x7f, 'E', 'L', 'F', 2 /* ELFCLASS64 */ };
	unsigned char id[16];

	memcpy(id, ident, 16);
	id[5] = w->be ? 2 : 1;	/* EI_DATA */
	id[6] = 1;		/* EV_CURRENT */
	k2e_bytebuf_put(&hdr, id, 16);
	k2e_bytebuf_uint(&hdr, 2, 2);	/* ET_EXEC */
	k2e_bytebuf_uint(&hdr, machine, 2);
	k2e_bytebuf_uint(&hdr, 1, 4);	/* e_version */
	k2e_bytebuf_uint(&hdr, 0, 8);	/* e_entry */
	k2e_bytebuf_uint(&hdr, 0, 8);	/* e_phoff */
	k2e_bytebuf_uint(&hdr, shoff, 8);
	k2e_bytebuf_uint(&hdr, 0, 4);	/* e_flags */
	k2e_bytebuf_uint(&hdr, EHDR_SIZE, 2);
	k2e_bytebuf_uint(&hdr, 56, 2);	/* e_phentsize */
	k2e_bytebuf_uint(&hdr, 0, 2);	/* e_phnum */
	k2e_bytebuf_uint(&hdr, SHDR_SIZE, 2);
	k2e_bytebuf_uint(&hdr, w->n + 1 < 0xff00 ? w->n + 1 : 0, 2);	/* e_shnum (0: in sh_size of [0]) */
	k2e_bytebuf_uint(&hdr, w->n < 0xff00 ? w->n : 0xffff, 2);	/* e_shstrndx (SHN_XINDEX: in sh_link of [0]) */
	/* The null section, carrying the real counts when they do not fit. */
	k2e_bytebuf_uint(&sh, 0, 4);
	k2e_bytebuf_uint(&sh, 0, 4);
	k2e_bytebuf_uint(&sh, 0, 8);
	k2e_bytebuf_uint(&sh, 0, 8);
	k2e_bytebuf_uint(&sh, 0, 8);
	k2e_bytebuf_uint(&sh, w->n + 1 < 0xff00 ? 0 : w->n + 1, 8);
	k2e_bytebuf_uint(&sh, w->n < 0xff00 ? 0 : w->n, 4);
	k2e_bytebuf_uint(&sh, 0, 4);
	k2e_bytebuf_uint(&sh, 0, 8);
	k2e_bytebuf_uint(&sh, 0, 8);
	for (i = 0; i < w->n; i++) {
		const struct sec *s = &w->secs[i];

		k2e_bytebuf_uint(&sh, s->name_off, 4);
		k2e_bytebuf_uint(&sh, s->type, 4);
		k2e_bytebuf_uint(&sh, s->flags, 8);
		k2e_bytebuf_uint(&sh, s->addr, 8);
		k2e_bytebuf_uint(&sh, s->offset, 8);
		k2e_bytebuf_uint(&sh, s->size, 8);
		k2e_bytebuf_uint(&sh, s->link, 4);
		k2e_bytebuf_uint(&sh, s->info, 4);
		k2e_bytebuf_uint(&sh, s->align, 8);
		k2e_bytebuf_uint(&sh, s->entsize, 8);
	}
	if (hdr.oom || sh.oom)
		goto oom;
	if (k2e_pwrite_all(w->fd, hdr.p, hdr.len, 0, err) < 0 ||
	    k2e_pwrite_all(w->fd, sh.p, sh.len, shoff, err) < 0)
		goto out;
	rc = 0;
	goto out;
oom:
	k2e_err_set(err, "out of memory");
out:
	free(shstr.p);
	free(hdr.p);
	free(sh.p);
	return rc;
}

/* ---- the symbol side ---- */

struct ctx {
	struct k2e_kernel *km;
	const struct k2e_symtab *st;
	const struct btf *btf;
	const struct k2e_btf_mod *bmods;
	size_t n_bmods;
	struct writer w;
	/* Section index (1-based as in the file) of each region. */
	struct range {
		uint64_t lo, hi;
		size_t shndx;
		bool text;
	} *ranges;
	size_t n_ranges;
	struct k2e_sidecar_stats stats;
};

static int add_range(struct ctx *c, const char *name, uint64_t lo, uint64_t hi, bool text)
{
	struct range *r;
	struct sec *s;

	if (hi <= lo)
		return 0;
	if (!(r = realloc(c->ranges, (c->n_ranges + 1) * sizeof(*r))))
		return -1;
	c->ranges = r;
	if (!(s = sec_add(&c->w, name, SHT_NOBITS_, SHF_ALLOC_ | (text ? SHF_EXECINSTR_ : SHF_WRITE_),
			  lo, hi - lo)))
		return -1;
	s->align = text ? 16 : 8;
	r[c->n_ranges++] = (struct range){ lo, hi, c->w.n, text };
	return 0;
}

static uint64_t sym_or(const struct k2e_symtab *st, const char *name, uint64_t dflt)
{
	const struct k2e_sym *s = k2e_symtab_find(st, name, NULL);

	return s ? s->addr : dflt;
}

/* Kernel image: text, data around init text, init text; per-CPU; each module. */
static int make_ranges(struct ctx *c)
{
	const struct k2e_symtab *st = c->st;
	uint64_t text = sym_or(st, "_text", sym_or(st, "_stext", 0));
	uint64_t etext = sym_or(st, "_etext", 0), end = sym_or(st, "_end", 0);
	uint64_t sinit = sym_or(st, "_sinittext", 0), einit = sym_or(st, "_einittext", 0);
	uint64_t pcpu_end = sym_or(st, "__per_cpu_end", 0);
	size_t i;

	if (text && etext > text && add_range(c, ".text", text, etext, true) < 0)
		return -1;
	if (etext && end > etext) {
		if (sinit > etext && einit > sinit && einit <= end) {
			if (add_range(c, ".data", etext, sinit, false) < 0 ||
			    add_range(c, ".init.text", sinit, einit, true) < 0 ||
			    add_range(c, ".data.2", einit, end, false) < 0)
				return -1;
		} else if (add_range(c, ".data", etext, end, false) < 0) {
			return -1;
		}
	}
	/* Absolute per-CPU symbols (x86_64 before 6.15) live at offsets from 0. */
	if (pcpu_end && pcpu_end < text && add_range(c, ".data..percpu", 0, pcpu_end, false) < 0)
		return -1;
	for (i = 0; i < st->n_mods; i++) {
		const struct k2e_symmod *m = &st->mods[i];
		uint64_t tlo = UINT64_MAX, thi = 0, dlo = UINT64_MAX, dhi = 0;
		char name[128];
		size_t j;

		for (j = 0; j < st->n; j++) {
			const struct k2e_sym *s = &st->syms[j];
			uint64_t e = s->addr + (s->size ? s->size : 1);

			if (s->module != (int32_t)i)
				continue;
			if (k2e_sym_is_text(s->type)) {
				tlo = s->addr < tlo ? s->addr : tlo;
				thi = e > thi ? e : thi;
			} else {
				dlo = s->addr < dlo ? s->addr : dlo;
				dhi = e > dhi ? e : dhi;
			}
		}
		/* Text and data of a module are separate runs; if they interleave, one section. */
		if (tlo < dhi && dlo < thi) {
			tlo = tlo < dlo ? tlo : dlo;
			thi = thi > dhi ? thi : dhi;
			dlo = UINT64_MAX;
		}
		snprintf(name, sizeof(name), ".text.%s", m->name);
		if (tlo != UINT64_MAX && add_range(c, name, tlo, thi, true) < 0)
			return -1;
		snprintf(name, sizeof(name), ".data.%s", m->name);
		if (dlo != UINT64_MAX && add_range(c, name, dlo, dhi, false) < 0)
			return -1;
	}
	return 0;
}

static const struct range *range_of(const struct ctx *c, uint64_t addr)
{
	size_t i;

	for (i = 0; i < c->n_ranges; i++) {
		const struct range *r = &c->ranges[i];

		if (addr >= r->lo && addr < r->hi)
			return r;
	}
	return NULL;
}

static void put_sym(struct k2e_bytebuf *b, uint32_t name, unsigned bind, unsigned type, uint16_t shndx,
		    uint64_t value, uint64_t size)
{
	unsigned char info = (unsigned char)(bind << 4 | type);

	k2e_bytebuf_uint(b, name, 4);
	k2e_bytebuf_put(b, &info, 1);
	k2e_bytebuf_put(b, "", 1);	/* st_other */
	k2e_bytebuf_uint(b, shndx, 2);
	k2e_bytebuf_uint(b, value, 8);
	k2e_bytebuf_uint(b, size, 8);
}

static int make_symtab(struct ctx *c, struct k2e_err *err)
{
	struct k2e_bytebuf sym = { .be = c->w.be }, str = { .be = c->w.be };
	const struct k2e_symtab *st = c->st;
	size_t pass, i, n_local = 1;
	struct sec *s;
	uint32_t *name_off;

	if (!(name_off = calloc(st->n ? st->n : 1, sizeof(*name_off))))
		return k2e_err_set(err, "out of memory");
	buf_str(&str, "");
	put_sym(&sym, 0, 0, 0, 0, 0, 0);
	/* Locals first (gABI), then globals and weaks. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < st->n; i++) {
			const struct k2e_sym *k = &st->syms[i];
			bool local = k->type >= 'a' && k->type <= 'z' && k->type != 'w' && k->type != 'v';
			bool weak = k->type == 'w' || k->type == 'W' || k->type == 'v' || k->type == 'V';
			const struct range *r = range_of(c, k->addr);
			unsigned type;

			if (local != (pass == 0))
				continue;
			if (!name_off[i])
				name_off[i] = (uint32_t)buf_str(&str, k2e_sym_name(st, k));
			if (!r)
				type = STT_NOTYPE_;
			else if (r->text && (k2e_sym_is_text(k->type) || k->type == 'w' || k->type == 'W'))
				type = STT_FUNC_;
			else if (!r->text)
				type = STT_OBJECT_;
			else
				type = STT_NOTYPE_;
			put_sym(&sym, name_off[i], local ? STB_LOCAL_ : weak ? STB_WEAK_ : STB_GLOBAL_, type,
				r ? (uint16_t)r->shndx : SHN_ABS_, k->addr, k->size);
			c->stats.symbols++;
			c->stats.functions += type == STT_FUNC_;
			c->stats.objects += type == STT_OBJECT_;
			if (local)
				n_local++;
		}
	}
	free(name_off);
	if (sym.oom || str.oom)
		goto oom;
	if (!(s = sec_add(&c->w, ".symtab", SHT_SYMTAB_, 0, 0, 0)))
		goto oom;
	s->link = (uint32_t)c->w.n + 1;	/* .strtab, next */
	s->info = (uint32_t)n_local;
	s->align = 8;
	s->entsize = SYM_SIZE;
	if (sec_take(&c->w, s, &sym, err) < 0)
		goto fail;
	if (!(s = sec_add(&c->w, ".strtab", SHT_STRTAB_, 0, 0, 0)))
		goto oom;
	return sec_take(&c->w, s, &str, err);
oom:
	k2e_err_set(err, "out of memory");
fail:
	free(sym.p);
	free(str.p);
	return -1;
}

static int add_blob(struct ctx *c, const char *name, const void *data, size_t len,
		    struct k2e_err *err)
{
	struct sec *s = sec_add(&c->w, name, SHT_PROGBITS_, 0, 0, 0);

	if (!s)
		return k2e_err_set(err, "out of memory");
	s->align = 4;
	return sec_write(&c->w, s, data, len, err);
}

static int make_btf(struct ctx *c, struct k2e_err *err)
{
	const void *raw;
	uint32_t len;
	size_t i;

	if (!c->btf)
		return 0;
	raw = btf__raw_data(c->btf, &len);
	if (!raw)
		return k2e_err_set(err, "out of memory");
	if (add_blob(c, ".BTF", raw, len, err) < 0)
		return -1;
	for (i = 0; i < c->n_bmods; i++) {
		char name[96];

		raw = btf__raw_data(c->bmods[i].btf, &len);
		snprintf(name, sizeof(name), ".BTF.%s", c->bmods[i].name);
		if (!raw)
			return k2e_err_set(err, "out of memory");
		if (add_blob(c, name, raw, len, err) < 0)
			return -1;
		c->stats.btf_modules++;
	}
	return 0;
}

/* .debug_info/.debug_abbrev/.debug_str from the vmlinux BTF (btf/dwarf.h). */
static int make_dwarf(struct ctx *c, struct k2e_err *err)
{
	struct k2e_dwarf_out d = { 0 };
	struct sec *s;

	if (k2e_dwarf_from_btf(c->btf, c->st, c->w.be, &d, err) < 0)
		return k2e_err_prefix(err, "DWARF from BTF");
	if (!(s = sec_add(&c->w, ".debug_info", SHT_PROGBITS_, 0, 0, 0)))
		goto oom;
	if (sec_write(&c->w, s, d.info, d.info_len, err) < 0)
		goto fail;
	if (!(s = sec_add(&c->w, ".debug_abbrev", SHT_PROGBITS_, 0, 0, 0)))
		goto oom;
	if (sec_write(&c->w, s, d.abbrev, d.abbrev_len, err) < 0)
		goto fail;
	if (!(s = sec_add(&c->w, ".debug_str", SHT_PROGBITS_, 0, 0, 0)))
		goto oom;
	s->entsize = 1;
	s->flags = 0x30;	/* SHF_MERGE | SHF_STRINGS */
	if (sec_write(&c->w, s, d.str, d.str_len, err) < 0)
		goto fail;
	c->stats.dies = d.dies;
	k2e_dwarf_out_release(&d);
	return 0;
oom:
	k2e_err_set(err, "out of memory");
fail:
	k2e_dwarf_out_release(&d);
	return -1;
}

static void note(struct ctx *c, const char *what, const struct k2e_err *e);

/* Put a .debug_frame made by one of the generators in the file (frame is freed). */
static int frame_section(struct ctx *c, void *frame, size_t len, size_t fdes, struct k2e_err *err)
{
	struct sec *s = sec_add(&c->w, ".debug_frame", SHT_PROGBITS_, 0, 0, 0);
	int rc;

	if (!s) {
		free(frame);
		return k2e_err_set(err, "out of memory");
	}
	s->align = 8;
	rc = sec_write(&c->w, s, frame, len, err);
	free(frame);
	c->stats.fdes = fdes;
	return rc;
}

/*
 * .debug_frame, optional: from the ORC tables on x86_64 (output/orc.h), from
 * each function's frame record set-up on arm64 (output/frames-arm64.h).
 */
static int make_frame(struct ctx *c, struct k2e_err *err)
{
	struct k2e_err e;

	if (k2e_kernel_machine(c->km) == 183 /* EM_AARCH64 */) {
		struct k2e_a64_frame_out a;

		if (k2e_a64_debug_frame(c->km, &a, &e) < 0) {
			note(c, "no unwind tables", &e);
			return 0;
		}
		return frame_section(c, a.frame, a.frame_len, a.fdes, err);
	}
	if (k2e_kernel_machine(c->km) == 62 /* EM_X86_64 */) {
		struct k2e_orc_out o;

		if (k2e_orc_debug_frame(c->km, &o, &e) < 0) {
			note(c, "no unwind tables", &e);
			return 0;
		}
		if (o.note[0]) {
			snprintf(e.msg, sizeof(e.msg), "%s", o.note);
			note(c, "module ORC skipped", &e);
		}
		return frame_section(c, o.frame, o.frame_len, o.fdes, err);
	}
	return 0;
}

static void note(struct ctx *c, const char *what, const struct k2e_err *e)
{
	size_t l = strlen(c->stats.note), room = sizeof(c->stats.note) - l;
	int n = snprintf(c->stats.note + l, room, "%s%s: ", l ? "; " : "", what);

	if (n > 0 && (size_t)n < room)
		snprintf(c->stats.note + l + n, room - (size_t)n, "%.*s", (int)(room - (size_t)n - 1),
			 e->msg);
}

int k2e_sidecar_write(struct k2e_kernel *k, const struct k2e_sidecar_in *in, int fd,
		      struct k2e_sidecar_stats *ret, struct k2e_err *err)
{
	struct ctx c = { .km = k, .st = k2e_kernel_symtab(k), .btf = in->btf, .bmods = in->bmods,
			 .n_bmods = in->n_bmods };
	int rc = -1;

	if (!c.st)
		return k2e_err_set(err, "no symbol table");
	c.w.be = k2e_kernel_big_endian(k);
	if (k2e_kernel_word_size(k) != 8)
		return k2e_err_set(err, "only 64-bit kernels are supported");
	snprintf(c.stats.note, sizeof(c.stats.note), "%s", in->note ? in->note : "");
	c.stats.bad_names = c.st->n_bad_names;
	snprintf(c.stats.bad_name, sizeof(c.stats.bad_name), "%s", c.st->bad_name);
	c.stats.modules = c.st->n_mods;
	if (make_ranges(&c) < 0) {
		k2e_err_set(err, "out of memory");
		goto out;
	}
	c.w.fd = fd;
	c.w.end = EHDR_SIZE;
	if (make_btf(&c, err) < 0 || make_symtab(&c, err) < 0 ||
	    (c.btf && make_dwarf(&c, err) < 0) || make_frame(&c, err) < 0 ||
	    writer_emit(&c.w, k2e_kernel_machine(k), err) < 0)
		goto out;
	*ret = c.stats;
	rc = 0;
out:
	writer_release(&c.w);
	free(c.ranges);
	return rc;
}
