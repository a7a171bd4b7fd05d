/* elf.c - ELF64/ELF32 core output of k2e-mkdump and its verify pass.
 *
 * Layout: ELF header | padding up to phoff | program headers | section
 * header 0 (PN_XNUM only) | PT_NOTE contents | page-aligned PT_LOAD data,
 * one segment per dumped pfn run in pfn order | the kernel-image alias copy.
 * Segment offsets are all known before the first page is written.
 */
#define _GNU_SOURCE
#include "mkdump.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { PT_LOAD = 1, PT_NOTE = 4, ET_CORE = 4, PN_XNUM = 0xffff };

struct elayout {
	int is64, be;
	size_t ehsize, phentsize, shentsize;
	uint64_t phoff, phnum, shoff, notes_off, data_off, alias_off, end;
	unsigned char *notes;
	size_t notes_len;
	int xnum;
};

static uint16_t elf_machine(enum arch a)
{
	static const uint16_t m[] = {
		[ARCH_X86_64] = 62, [ARCH_I386] = 3, [ARCH_ARM] = 40,
		[ARCH_PPC64] = 21, [ARCH_AARCH64] = 183,
	};
	return m[a];
}

static void put_word(unsigned char *p, uint64_t v, const struct elayout *E)
{
	if (E->is64)
		put64(p, v, E->be);
	else
		put32(p, (uint32_t)v, E->be);
}

static void build_phdr(const struct elayout *E, unsigned char *p,
		       uint32_t type, uint64_t off, uint64_t vaddr,
		       uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
	memset(p, 0, E->phentsize);
	put32(p, type, E->be);
	if (E->is64) {
		put32(p + 4, type == PT_LOAD ? 7 : 0, E->be);
		put64(p + 8, off, E->be);
		put64(p + 16, vaddr, E->be);
		put64(p + 24, paddr, E->be);
		put64(p + 32, filesz, E->be);
		put64(p + 40, memsz, E->be);
	} else {
		put32(p + 4, (uint32_t)off, E->be);
		put32(p + 8, (uint32_t)vaddr, E->be);
		put32(p + 12, (uint32_t)paddr, E->be);
		put32(p + 16, (uint32_t)filesz, E->be);
		put32(p + 20, (uint32_t)memsz, E->be);
		put32(p + 24, type == PT_LOAD ? 7 : 0, E->be);
	}
}

static void build_ehdr(const struct spec *s, const struct elayout *E,
		       unsigned char *h)
{
	int be = E->be;
	size_t w = E->is64 ? 8 : 4;
	unsigned char *q;

	memset(h, 0, 64);
	memcpy(h, "\177ELF", 4);
	h[4] = E->is64 ? 2 : 1;
	h[5] = be ? 2 : 1;
	h[6] = 1;
	put16(h + 16, ET_CORE, be);
	put16(h + 18, elf_machine(s->arch), be);
	put32(h + 20, 1, be);
	q = h + 24 + w;                          /* after e_entry */
	put_word(q, E->phoff, E);
	put_word(q + w, E->xnum ? E->shoff : 0, E);
	q += 2 * w;
	put32(q, s->incomplete ? 1 : 0, be);    /* e_flags */
	put16(q + 4, (uint16_t)(s->ehsize >= 0 ? (size_t)s->ehsize : E->ehsize), be);
	put16(q + 6, (uint16_t)E->phentsize, be);
	put16(q + 8, (uint16_t)(E->xnum ? PN_XNUM : E->phnum), be);
	put16(q + 10, (uint16_t)(E->xnum ? E->shentsize : 0), be);
	put16(q + 12, E->xnum ? 1 : 0, be);
}

static uint64_t elf_cut(const struct spec *s, const struct elayout *E)
{
	switch (s->cut) {
	case CUT_NONE: return UINT64_MAX;
	case CUT_BYTES: return s->cut_bytes;
	case CUT_HEADER: return 30;
	case CUT_SUBHEADER: return E->phoff + E->phentsize + 5;
	case CUT_BITMAP:
	case CUT_DESCS: return E->notes_off + E->notes_len / 2;
	case CUT_DATA: return E->data_off + (E->alias_off - E->data_off) / 2 + 1;
	}
	return UINT64_MAX;
}

int elf_generate(const struct spec *s, const char *prefix,
		 struct expect *x, struct err *e)
{
	struct rlist dumped = { 0 };
	struct elayout E;
	struct wbuf w = { 0 };
	struct rbuf rb = { 0 };
	unsigned char ph[64], *page = NULL;
	uint64_t ps = s->page_size, off, i, cut;
	size_t vo, vl, ri;
	int fd = -1, rc = -1;

	if (spec_dumped(s, &dumped, e))
		return -1;
	memset(&E, 0, sizeof E);
	E.is64 = s->format == FMT_ELF64;
	E.be = arch_be(s->arch);
	E.ehsize = E.is64 ? 64 : 52;
	E.phentsize = E.is64 ? 56 : 32;
	E.shentsize = E.is64 ? 64 : 40;
	if (!E.is64 && (s->max_mapnr + 16 * (s->empty_segments + 1)) * ps >
		       0xffffffffull) {
		err_set(e, "elf32 cannot address pfn %#llx",
			(unsigned long long)s->max_mapnr);
		goto out;
	}
	E.phoff = s->have_phoff ? s->phoff : E.ehsize;
	if (E.phoff < E.ehsize) {
		err_set(e, "phoff %llu overlaps the ELF header",
			(unsigned long long)E.phoff);
		goto out;
	}
	E.phnum = 1 + (s->alias_count ? 1 : 0) + dumped.n + s->empty_segments;
	E.xnum = s->pn_xnum || E.phnum >= PN_XNUM;
	E.shoff = E.phoff + E.phnum * E.phentsize;
	E.notes_off = E.shoff + (E.xnum ? E.shentsize : 0);
	E.notes = notes_build(s, &E.notes_len, &vo, &vl);
	if (!E.notes) {
		err_set(e, "out of memory");
		goto out;
	}
	E.data_off = (E.notes_off + E.notes_len + ps - 1) / ps * ps;
	E.alias_off = E.data_off + rlist_count(&dumped) * ps;
	E.end = E.alias_off + s->alias_count * ps;
	page = malloc(ps);
	if (!page)
		goto oom;

	fd = open(prefix, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		err_set(e, "%s: %s", prefix, strerror(errno));
		goto out;
	}
	build_ehdr(s, &E, ph);
	if (write_at(fd, ph, E.ehsize, 0, prefix, e))
		goto out;
	if (wbuf_init(&w, fd, prefix, E.phoff, 1 << 20, e))
		goto out;
	build_phdr(&E, ph, PT_NOTE, E.notes_off, 0, 0, E.notes_len, E.notes_len);
	if (wbuf_put(&w, ph, E.phentsize, e))
		goto out;
	if (s->alias_count) {
		uint64_t pa = s->alias_pfn * ps;
		build_phdr(&E, ph, PT_LOAD, E.alias_off, s->alias_vaddr, pa,
			   s->alias_count * ps, s->alias_count * ps);
		if (wbuf_put(&w, ph, E.phentsize, e))
			goto out;
	}
	off = E.data_off;
	for (ri = 0; ri < dumped.n; ri++) {
		uint64_t lo = dumped.v[ri].lo, n = dumped.v[ri].hi - lo;
		uint64_t extra = s->memsz_extra;
		uint64_t more = ri == 0 ? s->filesz_extra : 0;
		if (ri + 1 < dumped.n && dumped.v[ri + 1].lo - dumped.v[ri].hi < extra)
			extra = dumped.v[ri + 1].lo - dumped.v[ri].hi;
		build_phdr(&E, ph, PT_LOAD, off, s->vaddr_base + lo * ps, lo * ps,
			   (n + more) * ps, (n + more + extra) * ps);
		if (wbuf_put(&w, ph, E.phentsize, e))
			goto out;
		off += n * ps;
	}
	for (i = 0; i < s->empty_segments; i++) {
		uint64_t pa = (s->max_mapnr + 16 * i) * ps;
		build_phdr(&E, ph, PT_LOAD, 0, s->vaddr_base + pa, pa, 0, 16 * ps);
		if (wbuf_put(&w, ph, E.phentsize, e))
			goto out;
	}
	if (wbuf_flush(&w, e))
		goto out;
	if (E.xnum) {
		unsigned char sh[64] = { 0 };
		put32(sh + (E.is64 ? 44 : 28), (uint32_t)E.phnum, E.be); /* sh_info */
		if (write_at(fd, sh, E.shentsize, E.shoff, prefix, e))
			goto out;
	}
	if (write_at(fd, E.notes, E.notes_len, E.notes_off, prefix, e))
		goto out;
	wbuf_release(&w);
	if (wbuf_init(&w, fd, prefix, E.data_off, 1 << 20, e))
		goto out;
	for (ri = 0; ri < dumped.n; ri++)
		for (i = dumped.v[ri].lo; i < dumped.v[ri].hi; i++) {
			page_fill(s, i, page);
			if (wbuf_put(&w, page, ps, e))
				goto out;
		}
	for (i = 0; i < s->alias_count; i++) {
		page_fill(s, s->alias_pfn + i, page);
		if (wbuf_put(&w, page, ps, e))
			goto out;
	}
	if (wbuf_flush(&w, e))
		goto out;
	if (ftruncate(fd, (off_t)E.end)) {
		err_set(e, "%s: %s", prefix, strerror(errno));
		goto out;
	}
	cut = elf_cut(s, &E);
	if (cut < E.end && ftruncate(fd, (off_t)cut)) {
		err_set(e, "%s: %s", prefix, strerror(errno));
		goto out;
	}

	/* verify: every dumped page whose bytes are in the file */
	if (rbuf_init(&rb, fd, NULL))
		goto oom;
	if (!rbuf_has(&rb, 0, E.notes_off))
		x->error = 1;
	if (rbuf_has(&rb, E.notes_off, E.notes_len))
		x->cpus = s->cpus;
	off = E.data_off;
	for (ri = 0; ri < dumped.n; ri++)
		for (i = dumped.v[ri].lo; i < dumped.v[ri].hi; i++, off += ps) {
			const unsigned char *d = x->error ? NULL
					       : rbuf_get(&rb, off, ps);
			if (!d) {
				expect_lost(x, i);
				continue;
			}
			page_fill(s, i, page);
			if (memcmp(d, page, ps))
				x->mismatch++;
			expect_page(x, i, d, ps);
		}
	if (s->filesz_extra && dumped.n && !x->error) {
		/* declared by the first PT_LOAD, past the end of the file */
		x->lost += s->filesz_extra;
		rlist_add(&x->lost_ranges, dumped.v[0].hi, dumped.v[0].hi + s->filesz_extra);
	}
	rc = 0;
	goto out;
oom:
	err_set(e, "out of memory");
out:
	rbuf_release(&rb);
	wbuf_release(&w);
	if (fd >= 0)
		close(fd);
	free(page);
	free(E.notes);
	rlist_free(&dumped);
	return rc;
}
