/*
 * make-seeds.c - write the seed corpora of the fuzz targets (run through
 * make-seeds.sh).  Every seed is small (< 16 KiB): block size 1024 for kdump
 * files, PAGESIZE=1024 for ELF cores.
 *
 *   make-seeds OPEN_DIR FLAT_DIR
 *
 * Layouts follow docs/formats.md: disk_dump_header (block 0), kdump_sub_header
 * and notes (block 1), both bitmaps, page_desc[], page data, eraseinfo; the
 * flattened header and {offset, size} records; ELF cores with PN_XNUM.
 */
#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "lib/endian.h"

enum { BS = 1024, MAX = 64 * 1024 };

struct buf {
	unsigned char p[MAX];
	size_t len;
};

static void put(struct buf *b, size_t off, const void *d, size_t len)
{
	if (off + len > MAX)
		abort();
	memcpy(b->p + off, d, len);
	if (off + len > b->len)
		b->len = off + len;
}

static void put32(struct buf *b, size_t off, uint32_t v, bool be)
{
	unsigned char x[4];

	k2e_put32(x, v, be);
	put(b, off, x, 4);
}

static void put64(struct buf *b, size_t off, uint64_t v, bool be)
{
	unsigned char x[8];

	k2e_put64(x, v, be);
	put(b, off, x, 8);
}

static void save(const char *dir, const char *name, const void *p, size_t len)
{
	char path[4096];
	FILE *f;

	if (len >= 16384) {
		fprintf(stderr, "make-seeds: %s is %zu bytes\n", name, len);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* Append one note at *pos. */
static void note(struct buf *b, size_t *pos, const char *name, uint32_t type, const void *desc,
		 size_t dlen, bool be)
{
	size_t nsz = strlen(name) + 1;

	put32(b, *pos, (uint32_t)nsz, be);
	put32(b, *pos + 4, (uint32_t)dlen, be);
	put32(b, *pos + 8, type, be);
	put(b, *pos + 12, name, nsz);
	*pos += 12 + ((nsz + 3) & ~(size_t)3);
	put(b, *pos, desc, dlen);
	*pos += (dlen + 3) & ~(size_t)3;
}

static const char vmcoreinfo_text[] =
	"OSRELEASE=6.1.0-seed\nPAGESIZE=1024\nSYMBOL(init_top_pgt)=ffffffff82a0a000\n"
	"NUMBER(phys_base)=-16777216\nNUMBER(pgtable_l5_enabled)=0\nNUMBER(sme_mask)=0\n";

/* The notes blob: one NT_PRSTATUS and VMCOREINFO; returns the desc offset of VMCOREINFO. */
static size_t notes_blob(struct buf *b, size_t *pos, bool be)
{
	unsigned char prstatus[336] = { 0 };
	size_t vmci;

	note(b, pos, "CORE", NT_PRSTATUS, prstatus, sizeof(prstatus), be);
	vmci = *pos + 12 + 12;	/* "VMCOREINFO\0" pads to 12 */
	note(b, pos, "VMCOREINFO", 0, vmcoreinfo_text, strlen(vmcoreinfo_text), be);
	return vmci;
}

enum pk { PK_RAW, PK_ZLIB, PK_LZO, PK_SNAPPY, PK_ZSTD, PK_ZERO, PK_LOST, PK_BADFLAGS,
	  PK_SHORT };

struct page {
	uint64_t pfn;
	enum pk kind;
};

static size_t compress_page(enum pk kind, const unsigned char *src, unsigned char *dst,
			    uint32_t *flags)
{
	switch (kind) {
	case PK_ZLIB: {
		uLongf out = 2 * BS;

		compress2(dst, &out, src, BS, 9);
		*flags = 0x1;
		return out;
	}
	case PK_LZO: {
		static unsigned char wrk[LZO1X_1_MEM_COMPRESS];
		lzo_uint out = 2 * BS;

		lzo_init();
		lzo1x_1_compress(src, BS, dst, &out, wrk);
		*flags = 0x2;
		return out;
	}
	case PK_SNAPPY: {
		size_t out = 2 * BS;

		snappy_compress((const char *)src, BS, (char *)dst, &out);
		*flags = 0x4;
		return out;
	}
	case PK_ZSTD:
		*flags = 0x20;
		return ZSTD_compress(dst, 2 * BS, src, BS, 3);
	default:
		memcpy(dst, src, BS);
		*flags = 0;
		return BS;
	}
}

struct kdump_spec {
	const char *sig;		/* "KDUMP   " or "DISKDUMP" */
	const char *machine;
	bool be;
	int version;
	uint32_t max_mapnr;
	int dump_level;
	bool split;
	const struct page *pages;
	size_t n_pages;
	const char *eraseinfo;
};

/* Build a 64-bit-layout kdump file into b. */
static void kdump(struct buf *b, const struct kdump_spec *s)
{
	bool be = s->be;
	uint32_t one_bm = (s->max_mapnr + BS * 8 - 1) / (BS * 8);
	uint32_t bm_blocks = 2 * one_bm;
	size_t sub = BS, pos, vmci, bm1 = 2 * BS, bm2 = bm1 + (size_t)one_bm * BS;
	size_t descs = (2 + (size_t)bm_blocks) * BS, data, zero_off = 0;
	unsigned char page[BS], cmp[2 * BS];
	bool have_zero = false;

	memset(b, 0, sizeof(*b));
	put(b, 0, s->sig, 8);
	put32(b, 8, (uint32_t)s->version, be);
	put(b, 12 + 2 * 65, "6.1.0-seed", 10);
	put(b, 12 + 4 * 65, s->machine, strlen(s->machine));
	put64(b, 408, 1700000000, be);
	put32(b, 424, 0, be);		/* status */
	put32(b, 428, BS, be);
	put32(b, 432, 1, be);		/* sub_hdr_size */
	put32(b, 436, bm_blocks, be);
	put32(b, 440, s->max_mapnr, be);
	put32(b, 460, 1, be);		/* nr_cpus */
	/* Sub-header and notes in block 1. */
	put64(b, sub + 0, 0x1000000, be);	/* phys_base (QEMU gets it wrong) */
	put32(b, sub + 8, (uint32_t)s->dump_level, be);
	put32(b, sub + 12, s->split, be);
	put64(b, sub + 16, 0, be);
	put64(b, sub + 24, s->max_mapnr, be);
	pos = sub + 128;
	vmci = notes_blob(b, &pos, be);
	put64(b, sub + 32, vmci, be);
	put64(b, sub + 40, strlen(vmcoreinfo_text), be);
	put64(b, sub + 48, sub + 128, be);
	put64(b, sub + 56, pos - (sub + 128), be);
	put64(b, sub + 80, 0, be);
	put64(b, sub + 88, s->max_mapnr, be);
	put64(b, sub + 96, s->max_mapnr, be);
	if (pos > 2 * BS)
		abort();
	/* Bitmaps: every page exists and is dumped. */
	put(b, bm1, (unsigned char[BS]){ 0 }, BS);
	for (size_t i = 0; i < s->n_pages; i++) {
		uint64_t pfn = s->pages[i].pfn;

		b->p[bm1 + pfn / 8] |= (unsigned char)(1 << (pfn % 8));
		b->p[bm2 + pfn / 8] |= (unsigned char)(1 << (pfn % 8));
	}
	b->len = descs;
	data = descs + 24 * s->n_pages;
	for (size_t i = 0; i < s->n_pages; i++)
		if (s->pages[i].kind == PK_ZERO)
			have_zero = true;
	if (have_zero) {
		zero_off = data;
		put(b, data, (unsigned char[BS]){ 0 }, BS);
		data += BS;
	}
	for (size_t i = 0; i < s->n_pages; i++) {
		size_t d = descs + 24 * i, len;
		uint32_t flags;

		for (size_t k = 0; k < BS; k++)
			page[k] = (unsigned char)("seed page text "[k % 15] + (k / 97) + i);
		switch (s->pages[i].kind) {
		case PK_ZERO:
			put64(b, d, zero_off, be);
			put32(b, d + 8, BS, be);
			put32(b, d + 12, 0, be);
			continue;
		case PK_LOST:
			put64(b, d, 0, be);
			put32(b, d + 8, BS, be);
			continue;
		case PK_BADFLAGS:
			put64(b, d, data, be);
			put32(b, d + 8, 16, be);
			put32(b, d + 12, 0x3, be);
			put(b, data, page, 16);
			data += 16;
			continue;
		default:
			break;
		}
		len = compress_page(s->pages[i].kind == PK_SHORT ? PK_ZLIB : s->pages[i].kind,
				    page, cmp, &flags);
		if (s->pages[i].kind == PK_SHORT)
			len /= 2;	/* a truncated stream */
		put64(b, d, data, be);
		put32(b, d + 8, (uint32_t)len, be);
		put32(b, d + 12, flags, be);
		put(b, data, cmp, len);
		data += len;
	}
	if (s->eraseinfo) {
		put64(b, sub + 64, data, be);
		put64(b, sub + 72, strlen(s->eraseinfo), be);
		put(b, data, s->eraseinfo, strlen(s->eraseinfo));
	}
}

/* The same bytes as a flattened stream: records of `chunk` bytes, in `order`. */
static size_t flatten(const struct buf *in, unsigned char *out, size_t chunk, bool reverse,
		      bool rewrite_sub, bool end_marker)
{
	size_t len = 4096, n = (in->len + chunk - 1) / chunk;

	memset(out, 0, 4096);
	memcpy(out, "makedumpfile", 12);
	k2e_put64(out + 16, 1, true);
	k2e_put64(out + 24, 1, true);
	for (size_t k = 0; k < n; k++) {
		size_t i = reverse ? n - 1 - k : k;
		size_t off = i * chunk, sz = in->len - off < chunk ? in->len - off : chunk;

		k2e_put64(out + len, off, true);
		k2e_put64(out + len + 8, sz, true);
		memcpy(out + len + 16, in->p + off, sz);
		len += 16 + sz;
	}
	if (rewrite_sub) {
		/* makedumpfile writes the sub-header again at the end. */
		k2e_put64(out + len, BS, true);
		k2e_put64(out + len + 8, 104, true);
		memcpy(out + len + 16, in->p + BS, 104);
		len += 16 + 104;
	}
	if (end_marker) {
		memset(out + len, 0xff, 16);
		len += 16;
	}
	return len;
}

struct elf_seg {
	uint64_t paddr, vaddr, filesz;
};

/* An ELF core: notes, then PT_LOADs of PAGESIZE=1024 pages. */
static void elf(struct buf *b, bool is64, bool be, uint16_t machine, uint64_t phoff,
		bool xnum, const struct elf_seg *segs, size_t n_segs)
{
	size_t ehsz = is64 ? 64 : 52, phsz = is64 ? 56 : 32, shsz = is64 ? 64 : 40;
	size_t nph = n_segs + 1, pos, notes_off, notes_len, data, shoff;

	memset(b, 0, sizeof(*b));
	put(b, 0, ELFMAG, SELFMAG);
	b->p[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
	b->p[EI_DATA] = be ? ELFDATA2MSB : ELFDATA2LSB;
	b->p[EI_VERSION] = EV_CURRENT;
	b->len = ehsz;
	notes_off = phoff + nph * phsz;
	pos = notes_off;
	notes_blob(b, &pos, be);
	notes_len = pos - notes_off;
	shoff = (pos + 7) & ~(size_t)7;
	data = (shoff + shsz + BS - 1) & ~(size_t)(BS - 1);
	put32(b, 16, (uint32_t)ET_CORE << (be ? 16 : 0) | (uint32_t)machine << (be ? 0 : 16), be);
	put32(b, 20, EV_CURRENT, be);
	if (is64) {
		put64(b, 32, phoff, be);
		put64(b, 40, xnum ? shoff : 0, be);
		put32(b, 52, (uint32_t)(phsz << 16 | ehsz), be);	/* e_ehsize, e_phentsize */
		put32(b, 56, (uint32_t)(xnum ? PN_XNUM : nph) | (xnum ? (uint32_t)shsz << 16 : 0), be);
		put32(b, 60, xnum ? 1 : 0, be);				/* e_shnum */
	} else {
		put32(b, 28, (uint32_t)phoff, be);
		put32(b, 32, xnum ? (uint32_t)shoff : 0, be);
		put32(b, 40, (uint32_t)(ehsz | phsz << 16), be);	/* e_ehsize, e_phentsize */
		put32(b, 44, (uint32_t)(xnum ? PN_XNUM : nph) | (xnum ? (uint32_t)shsz << 16 : 0), be);
		put32(b, 48, xnum ? 1 : 0, be);
	}
	if (be) {
		/* The 16-bit pairs were packed little-endian first: redo them big-endian. */
		unsigned char *h = b->p;

		k2e_put16(h + 16, ET_CORE, true);
		k2e_put16(h + 18, machine, true);
		if (is64) {
			k2e_put16(h + 52, (uint16_t)ehsz, true);
			k2e_put16(h + 54, (uint16_t)phsz, true);
			k2e_put16(h + 56, xnum ? PN_XNUM : (uint16_t)nph, true);
			k2e_put16(h + 58, xnum ? (uint16_t)shsz : 0, true);
			k2e_put16(h + 60, xnum ? 1 : 0, true);
			k2e_put16(h + 62, 0, true);
		} else {
			k2e_put16(h + 40, (uint16_t)ehsz, true);
			k2e_put16(h + 42, (uint16_t)phsz, true);
			k2e_put16(h + 44, xnum ? PN_XNUM : (uint16_t)nph, true);
			k2e_put16(h + 46, xnum ? (uint16_t)shsz : 0, true);
			k2e_put16(h + 48, xnum ? 1 : 0, true);
			k2e_put16(h + 50, 0, true);
		}
	} else {
		k2e_put16(b->p + 16, ET_CORE, false);
		k2e_put16(b->p + 18, machine, false);
	}
	if (xnum) {
		/* Section header 0: sh_info holds the real program header count. */
		put(b, shoff, (unsigned char[64]){ 0 }, shsz);
		put32(b, shoff + (is64 ? 44 : 28), (uint32_t)nph, be);
	}
	for (size_t i = 0; i < nph; i++) {
		size_t p = phoff + i * phsz;
		uint32_t type = i == 0 ? PT_NOTE : PT_LOAD;
		uint64_t off = i == 0 ? notes_off : data, va = 0, pa = 0, sz = notes_len;

		if (i > 0) {
			va = segs[i - 1].vaddr;
			pa = segs[i - 1].paddr;
			sz = segs[i - 1].filesz;
			for (uint64_t k = 0; k < sz; k++)
				b->p[data + k] = (unsigned char)(k * 7 + i);
			b->len = data + sz > b->len ? data + sz : b->len;
			data += sz;
		}
		put32(b, p, type, be);
		if (is64) {
			put32(b, p + 4, 7, be);
			put64(b, p + 8, off, be);
			put64(b, p + 16, va, be);
			put64(b, p + 24, pa, be);
			put64(b, p + 32, sz, be);
			put64(b, p + 40, sz, be);
			put64(b, p + 48, i == 0 ? 0 : BS, be);
		} else {
			put32(b, p + 4, (uint32_t)off, be);
			put32(b, p + 8, (uint32_t)va, be);
			put32(b, p + 12, (uint32_t)pa, be);
			put32(b, p + 16, (uint32_t)sz, be);
			put32(b, p + 20, (uint32_t)sz, be);
			put32(b, p + 24, 7, be);
			put32(b, p + 28, i == 0 ? 0 : BS, be);
		}
	}
}

int main(int argc, char **argv)
{
	static struct buf b, t;
	static unsigned char flat[MAX];
	const char *od, *fd;
	size_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: make-seeds OPEN_DIR FLAT_DIR\n");
		return 2;
	}
	od = argv[1];
	fd = argv[2];

	/* A valid tiny kdump: zlib, raw and a shared zero page, eraseinfo. */
	{
		static const struct page p[] = {
			{ 1, PK_ZLIB }, { 2, PK_RAW }, { 5, PK_ZERO },
		};
		struct kdump_spec s = { "KDUMP   ", "x86_64", false, 6, 64, 31, false, p, 3,
					"erase init_uts_ns.name.nodename size 65\n" };

		kdump(&b, &s);
		save(od, "kdump-tiny-zlib", b.p, b.len);
		n = flatten(&b, flat, 1024, false, true, true);
		save(fd, "flat-tiny-in-order", flat, n);
		n = flatten(&b, flat, 700, true, true, true);
		save(fd, "flat-tiny-reversed", flat, n);
		n = flatten(&b, flat, 1024, false, false, false);
		save(fd, "flat-no-end-marker", flat, n);
		save(fd, "flat-header-only", flat, 4096);
		save(fd, "flat-header-truncated", flat, 100);
		/* A bad record: negative size. */
		n = flatten(&b, flat, 4096, false, false, false);
		k2e_put64(flat + n, 0, true);
		k2e_put64(flat + n + 8, (uint64_t)-5, true);
		save(fd, "flat-bad-record", flat, n + 16);
		/* Overlapping records: one big, then a page rewritten. */
		n = flatten(&b, flat, 8192, false, false, false);
		k2e_put64(flat + n, 2 * BS + 100, true);
		k2e_put64(flat + n + 8, 50, true);
		memset(flat + n + 16, 0xee, 50);
		n += 16 + 50;
		memset(flat + n, 0xff, 16);
		save(fd, "flat-overlap", flat, n + 16);

		/* Cut inside the descriptors and inside the page data. */
		save(od, "kdump-cut-descs", b.p, 4 * BS + 30);
		save(od, "kdump-cut-data", b.p, b.len - 300);
		save(od, "kdump-header-truncated", b.p, 100);
		save(od, "kdump-signature-only", b.p, 8);
		save(od, "kdump-no-subheader", b.p, BS + 50);
		/* Absurd header fields, each on its own. */
		t = b;
		put32(&t, 428, 3, false);
		save(od, "kdump-bad-block-size", t.p, t.len);
		t = b;
		put32(&t, 428, 1u << 30, false);
		save(od, "kdump-huge-block-size", t.p, t.len);
		t = b;
		put32(&t, 436, 0xffffffff, false);
		save(od, "kdump-huge-bitmap-blocks", t.p, t.len);
		t = b;
		put32(&t, 436, 1, false);
		save(od, "kdump-small-bitmap-blocks", t.p, t.len);
		t = b;
		put32(&t, 440, 0xffffffff, false);
		put64(&t, BS + 96, 0xffffffff, false);
		save(od, "kdump-huge-max-mapnr", t.p, t.len);
		t = b;
		put64(&t, BS + 96, 1ULL << 52, false);
		save(od, "kdump-absurd-max-mapnr-64", t.p, t.len);
		t = b;
		put32(&t, 432, 0x7fffffff, false);
		save(od, "kdump-huge-sub-hdr-size", t.p, t.len);
		t = b;
		put64(&t, BS + 56, 1ULL << 40, false);
		save(od, "kdump-huge-notes", t.p, t.len);
		t = b;
		put64(&t, BS + 72, 1ULL << 29, false);
		save(od, "kdump-huge-eraseinfo", t.p, t.len);
		t = b;
		put32(&t, 8, 3, false);		/* version 3: vmcoreinfo, no notes */
		save(od, "kdump-version-3", t.p, t.len);
		t = b;
		t.p[2 * BS + 1024 + 7] = 0xff;	/* 2nd bitmap: pfns past max_mapnr */
		save(od, "kdump-bits-past-max-mapnr", t.p, t.len);
		t = b;
		put64(&t, 4 * BS, 1ULL << 62, false);	/* data far past the end */
		put64(&t, 4 * BS + 24, (uint64_t)-1, false);	/* negative offset */
		save(od, "kdump-bad-desc-offsets", t.p, t.len);
		t = b;
		put32(&t, 4 * BS + 8, 0xffffffff, false);	/* size past a page */
		put32(&t, 4 * BS + 24 + 8, 0, false);		/* size 0 */
		save(od, "kdump-bad-desc-sizes", t.p, t.len);
		t = b;
		put32(&t, 424, 0x8, false);	/* COMPRESSED_INCOMPLETE */
		save(od, "kdump-incomplete", t.p, t.len);
	}
	/* Every codec, a lost page, bad flags and a truncated stream. */
	{
		static const struct page p[] = {
			{ 0, PK_LZO }, { 1, PK_SNAPPY }, { 2, PK_ZSTD }, { 3, PK_LOST },
			{ 8, PK_BADFLAGS }, { 9, PK_SHORT }, { 63, PK_RAW },
		};
		struct kdump_spec s = { "KDUMP   ", "x86_64", false, 6, 64, 1, false, p, 7, NULL };

		kdump(&b, &s);
		save(od, "kdump-codecs", b.p, b.len);
		n = flatten(&b, flat, 512, true, false, true);
		save(fd, "flat-codecs", flat, n);
	}
	/* Big-endian, a split piece covering everything, an old diskdump. */
	{
		static const struct page p[] = { { 4, PK_ZLIB }, { 6, PK_RAW } };
		struct kdump_spec s = { "KDUMP   ", "ppc64", true, 6, 16, 0, false, p, 2, NULL };

		kdump(&b, &s);
		save(od, "kdump-ppc64-be", b.p, b.len);
		s.machine = "x86_64";
		s.be = false;
		s.split = true;
		kdump(&b, &s);
		save(od, "kdump-split-one-piece", b.p, b.len);
		s.split = false;
		s.sig = "DISKDUMP";
		s.version = 0;
		kdump(&b, &s);
		save(od, "diskdump-v0", b.p, b.len);
		s.sig = "KDUMP   ";
		s.version = 1;
		s.machine = "";
		kdump(&b, &s);
		save(od, "kdump-v1-no-machine", b.p, b.len);
	}
	/* ELF cores. */
	{
		static const struct elf_seg segs[] = {
			{ 0, 0xffff888000000000ULL, 2 * BS },
			{ 0x10000, 0xffffffff81000000ULL, BS + 100 },	/* a partial page at the end */
			{ 0x400, 0xffff888000000400ULL, BS },		/* the same page again */
		};

		elf(&b, true, false, EM_X86_64, 64, false, segs, 3);
		save(od, "elf64-tiny", b.p, b.len);
		elf(&b, true, false, EM_X86_64, 192, true, segs, 3);
		save(od, "elf64-pn-xnum", b.p, b.len);
		n = flatten(&b, flat, 1000, true, false, true);
		save(fd, "flat-elf64", flat, n);
		elf(&b, false, true, EM_PPC, 52, false, segs, 2);
		save(od, "elf32-be", b.p, b.len);
		elf(&b, false, false, EM_386, 52, true, segs, 1);
		save(od, "elf32-pn-xnum", b.p, b.len);
		save(od, "elf-truncated", b.p, 20);
		t = b;
		elf(&t, true, false, EM_X86_64, 64, true, segs, 3);
		put64(&t, 40, 1ULL << 40, false);	/* e_shoff past the end */
		save(od, "elf64-pn-xnum-bad-shoff", t.p, t.len);
	}
	return 0;
}
