/*
 * kdump.c - kdump-compressed dumps ("KDUMP   ") and legacy diskdump
 * ("DISKDUMP"), whole or split into pieces.
 *
 * Layout (makedumpfile's diskdump_mod.h and IMPLEMENTATION), in units of
 * block_size:
 *   block 0                 disk_dump_header
 *   blocks 1..sub_hdr_size  kdump_sub_header, ELF notes, vmcoreinfo
 *   bitmap_blocks           1st bitmap (page exists), 2nd bitmap (page dumped)
 *   then                    page_desc[] for each set bit of the 2nd bitmap,
 *                           page data, eraseinfo
 * All integers are in the dumped machine's byte order.
 */
#include "formats/format.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/kdump-layout.h"
#include "formats/kdump-priv.h"
#include "formats/machine.h"
#include "formats/vmcoreinfo.h"
#include "lib/endian.h"

const unsigned k2e_subhdr_off[3][SH_N_FIELDS] = {
	[K2E_SUBHDR_64] = { 0, 8, 12, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96 },
	[K2E_SUBHDR_32_PACKED] = { 0, 4, 8, 12, 16, 20, 28, 32, 40, 44, 52, 56, 64, 72 },
	[K2E_SUBHDR_32_PADDED] = { 0, 4, 8, 12, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88 },
};

static const char sig_kdump[8] = "KDUMP   ";
static const char sig_diskdump[8] = "DISKDUMP";

/* Bounds that keep arithmetic sane; real dumps are far inside them. */
static const uint64_t max_block_size = 1u << 20;
static const uint64_t max_meta = 1ULL << 30;	/* notes, vmcoreinfo, eraseinfo */
static const uint64_t max_pfn_limit = 1ULL << 52;

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static int kdump_probe(const unsigned char *head, size_t len, struct k2e_err *err)
{
	(void)err;
	if (len >= 8 && (memcmp(head, sig_kdump, 8) == 0 || memcmp(head, sig_diskdump, 8) == 0))
		return K2E_PROBE_MINE;
	return K2E_PROBE_NOT_MINE;
}

static void copy_uts(char *dst, const unsigned char *src)
{
	memcpy(dst, src, UTS_LEN);
	dst[UTS_LEN] = '\0';
}

/* Header fields under one guess of byte order and word size. */
struct guess {
	bool be;
	unsigned bits;
	uint32_t block_size, bitmap_blocks, max_mapnr, status;
	int32_t version, sub_hdr_size;
};

static void read_guess(const unsigned char *h, bool be, unsigned bits, struct guess *g)
{
	unsigned st = bits == 64 ? DH_STATUS_64 : DH_STATUS_32;

	g->be = be;
	g->bits = bits;
	g->version = (int32_t)k2e_get32(h + DH_VERSION, be);
	g->status = k2e_get32(h + st, be);
	g->block_size = k2e_get32(h + st + DH_R_BLOCK_SIZE, be);
	g->sub_hdr_size = (int32_t)k2e_get32(h + st + DH_R_SUB_HDR_SIZE, be);
	g->bitmap_blocks = k2e_get32(h + st + DH_R_BITMAP_BLOCKS, be);
	g->max_mapnr = k2e_get32(h + st + DH_R_MAX_MAPNR, be);
}

static bool guess_sane(const struct guess *g)
{
	return g->version >= 0 && g->version < 64 && is_pow2(g->block_size) &&
	       g->block_size >= 512 && g->block_size <= max_block_size &&
	       g->sub_hdr_size >= 0 && g->bitmap_blocks > 0;
}

/*
 * Decide byte order and word size.  The machine name decides when known;
 * otherwise the first sane reading wins (little-endian 64-bit first).
 */
static int pick_layout(const unsigned char *h, const struct k2e_machine_info *mi,
		       struct guess *ret, struct k2e_err *err)
{
	static const struct { bool be; unsigned bits; } order[] = {
		{ false, 64 }, { false, 32 }, { true, 64 }, { true, 32 },
	};
	struct guess g;

	for (size_t i = 0; i < 4; i++) {
		if (mi && mi->ptr_bits != order[i].bits)
			continue;
		if (mi && mi->big_endian >= 0 && (bool)mi->big_endian != order[i].be)
			continue;
		read_guess(h, order[i].be, order[i].bits, &g);
		if (guess_sane(&g)) {
			*ret = g;
			return 0;
		}
	}
	/* Report the reading a user would expect. */
	read_guess(h, mi ? mi->big_endian == 1 : false, mi ? mi->ptr_bits : 64, &g);
	if (g.version < 0 || g.version >= 64)
		return k2e_err_set(err, "header at offset 0x8: bad header_version %d", g.version);
	if (!is_pow2(g.block_size) || g.block_size < 512 || g.block_size > max_block_size)
		return k2e_err_set(err, "header at offset 0x%x: bad block_size %u",
				   (g.bits == 64 ? DH_STATUS_64 : DH_STATUS_32) + DH_R_BLOCK_SIZE,
				   g.block_size);
	if (g.sub_hdr_size < 0)
		return k2e_err_set(err, "header at offset 0x%x: bad sub_hdr_size %d",
				   (g.bits == 64 ? DH_STATUS_64 : DH_STATUS_32) + DH_R_SUB_HDR_SIZE,
				   g.sub_hdr_size);
	return k2e_err_set(err, "header at offset 0x%x: bad bitmap_blocks %u",
			   (g.bits == 64 ? DH_STATUS_64 : DH_STATUS_32) + DH_R_BITMAP_BLOCKS,
			   g.bitmap_blocks);
}

static void parse_subhdr(const unsigned char *b, enum k2e_subhdr_layout layout, bool be,
			 int version, struct subhdr *sh)
{
	const unsigned *o = k2e_subhdr_off[layout];
	bool l64 = layout == K2E_SUBHDR_64;
#define LONG(i) (l64 ? k2e_get64(b + o[i], be) : k2e_get32(b + o[i], be))
#define OFFT(i) k2e_get64(b + o[i], be)

	memset(sh, 0, sizeof(*sh));
	if (version < 1)
		return;
	sh->phys_base = LONG(SH_PHYS_BASE);
	sh->dump_level = (int32_t)k2e_get32(b + o[SH_DUMP_LEVEL], be);
	if (version >= 2) {
		sh->split = (int32_t)k2e_get32(b + o[SH_SPLIT], be);
		sh->start_pfn = LONG(SH_START_PFN);
		sh->end_pfn = LONG(SH_END_PFN);
	}
	if (version >= 3) {
		sh->off_vmcoreinfo = OFFT(SH_OFF_VMCOREINFO);
		sh->size_vmcoreinfo = LONG(SH_SIZE_VMCOREINFO);
	}
	if (version >= 4) {
		sh->off_note = OFFT(SH_OFF_NOTE);
		sh->size_note = LONG(SH_SIZE_NOTE);
	}
	if (version >= 5) {
		sh->off_eraseinfo = OFFT(SH_OFF_ERASEINFO);
		sh->size_eraseinfo = LONG(SH_SIZE_ERASEINFO);
	}
	if (version >= 6) {
		sh->start_pfn_64 = k2e_get64(b + o[SH_START_PFN_64], be);
		sh->end_pfn_64 = k2e_get64(b + o[SH_END_PFN_64], be);
		sh->max_mapnr_64 = k2e_get64(b + o[SH_MAX_MAPNR_64], be);
	}
#undef LONG
#undef OFFT
}

static int read_subhdr(struct kdump *k, struct piece *p, int version, bool be,
		       struct k2e_err *err)
{
	unsigned char b[KDUMP_SUBHDR_SIZE];

	memset(&p->sh, 0, sizeof(p->sh));
	if (k->diskdump || version < 1 || k->sub_hdr_size == 0)
		return 0;
	if (k2e_source_read_exact(p->in->src, b, sizeof(b), k->block_size, err) < 0)
		return k2e_err_prefix(err, "sub-header");
	parse_subhdr(b, k->layout, be, version, &p->sh);
	return 0;
}

/* Read a metadata blob [off, off+size) that must lie inside the sub-header area. */
static int read_blob(struct k2e_source *src, uint64_t off, uint64_t size, const char *what,
		     unsigned char **ret, struct k2e_err *err)
{
	uint64_t fsize = k2e_source_size(src);
	unsigned char *buf;

	if (size > max_meta)
		return k2e_err_set(err, "%s at offset 0x%llx: absurd size 0x%llx", what,
				   (unsigned long long)off, (unsigned long long)size);
	/* Nothing is allocated for bytes the file does not have. */
	if (fsize != UINT64_MAX && (off > fsize || size > fsize - off))
		return k2e_err_set(err, "%s: truncated at offset 0x%llx (wanted 0x%llx bytes at 0x%llx)",
				   what, (unsigned long long)(off > fsize ? off : fsize),
				   (unsigned long long)size, (unsigned long long)off);
	buf = malloc(size ? size : 1);
	if (!buf)
		return k2e_err_set(err, "out of memory");
	if (k2e_source_read_exact(src, buf, size, off, err) < 0) {
		free(buf);
		return k2e_err_prefix(err, "%s", what);
	}
	*ret = buf;
	return 0;
}

/* Wrap a bare vmcoreinfo text (header_version 3) in a VMCOREINFO note. */
static int vmcoreinfo_note(const unsigned char *text, size_t len, bool be,
			   unsigned char **ret, size_t *ret_len, struct k2e_err *err)
{
	static const char name[] = "VMCOREINFO";
	size_t namesz = sizeof(name), total = 12 + ((namesz + 3) & ~3u) + ((len + 3) & ~(size_t)3);
	unsigned char *n = calloc(1, total);

	if (!n)
		return k2e_err_set(err, "out of memory");
	k2e_put32(n, (uint32_t)namesz, be);
	k2e_put32(n + 4, (uint32_t)len, be);
	k2e_put32(n + 8, 0, be);
	memcpy(n + 12, name, namesz);
	memcpy(n + 12 + ((namesz + 3) & ~3u), text, len);
	*ret = n;
	*ret_len = total;
	return 0;
}

static int beyond_max(struct k2e_err *err, uint64_t bm2, uint64_t pfn, uint64_t max_mapnr)
{
	return k2e_err_set(err, "2nd bitmap at offset 0x%llx: pfn 0x%llx is beyond max_mapnr 0x%llx",
			   (unsigned long long)(bm2 + pfn / 8), (unsigned long long)pfn,
			   (unsigned long long)max_mapnr);
}

/* Bitmap bytes [from, to) hold only pfns >= max_mapnr: none may be set. */
static int check_tail(struct k2e_source *src, uint64_t bm2, uint64_t from, uint64_t to,
		      uint64_t max_mapnr, struct k2e_err *err)
{
	unsigned char buf[4096];

	for (uint64_t pos = from; pos < to; pos += sizeof(buf)) {
		size_t want = to - pos < sizeof(buf) ? (size_t)(to - pos) : sizeof(buf), got;

		if (k2e_source_read(src, buf, want, bm2 + pos, &got, err) < 0)
			return k2e_err_prefix(err, "2nd bitmap");
		for (size_t i = 0; i < got; i++)
			if (buf[i])
				return beyond_max(err, bm2, (pos + i) * 8 + (unsigned)__builtin_ctz(buf[i]),
						  max_mapnr);
		if (got < want)
			break;	/* a short file: the descriptors will tell */
	}
	return 0;
}

/* Scan the 2nd bitmap of piece 0 into d->runs, block by block. */
static int scan_bitmap(struct k2e_dump *d, struct kdump *k, struct k2e_err *err)
{
	struct k2e_source *src = k->pieces[0].in->src;
	uint64_t bm2 = k->single_bitmap ? k->bitmap_off : k->bitmap_off + k->bitmap_len;
	/*
	 * Only the bytes for pfns below max_mapnr: makedumpfile's flattened
	 * output never writes the rest, so a stream would wait for it forever.
	 */
	uint64_t nbytes = (k->max_mapnr + 7) / 8, run_start = 0;
	bool in_run = false;
	size_t chunk = 1u << 20;
	unsigned char *buf = malloc(chunk);

	if (!buf)
		return k2e_err_set(err, "out of memory");
	/* The 1st bitmap only counts the pages that exist (for "excluded" in summaries). */
	for (uint64_t pos = 0; !k->single_bitmap && pos < nbytes; pos += chunk) {
		size_t want = nbytes - pos < chunk ? (size_t)(nbytes - pos) : chunk;

		if (k2e_source_read_exact(src, buf, want, k->bitmap_off + pos, err) < 0) {
			free(buf);
			return k2e_err_prefix(err, "1st bitmap");
		}
		for (size_t i = 0; i < want; i++) {
			unsigned char byte = buf[i];

			if (pos + i == nbytes - 1 && k->max_mapnr % 8)
				byte &= (unsigned char)((1u << (k->max_mapnr % 8)) - 1);
			d->n_ram += (uint64_t)__builtin_popcount(byte);
		}
		k2e_source_release(src, k->bitmap_off + pos, want);
	}
	if (!k->single_bitmap)
		k2e_source_release(src, k->bitmap_off, k->bitmap_len);
	for (uint64_t pos = 0; pos < nbytes; pos += chunk) {
		size_t want = nbytes - pos < chunk ? (size_t)(nbytes - pos) : chunk;

		if (k2e_source_read_exact(src, buf, want, bm2 + pos, err) < 0) {
			free(buf);
			return k2e_err_prefix(err, "2nd bitmap");
		}
		for (size_t i = 0; i < want; i++) {
			unsigned char byte = buf[i];
			uint64_t base = (pos + i) * 8;

			/* Fast path over whole bytes of equal bits. */
			if ((byte == 0 && !in_run) || (byte == 0xff && in_run))
				continue;
			for (unsigned bit = 0; bit < 8; bit++) {
				bool set = byte >> bit & 1;

				if (set && !in_run) {
					run_start = base + bit;
					in_run = true;
				} else if (!set && in_run) {
					if (k2e_runs_append(&d->runs, run_start, base + bit - run_start,
							    err) < 0) {
						free(buf);
						return -1;
					}
					in_run = false;
				}
			}
		}
		k2e_source_release(src, bm2 + pos, want);
	}
	free(buf);
	if (in_run && k2e_runs_append(&d->runs, run_start, nbytes * 8 - run_start, err) < 0)
		return -1;
	if (d->runs.n) {
		struct k2e_run *last = &d->runs.v[d->runs.n - 1];

		if (last->start + last->count > k->max_mapnr) {
			uint64_t bad = last->start > k->max_mapnr ? last->start : k->max_mapnr;

			return beyond_max(err, bm2, bad, k->max_mapnr);
		}
	}
	/* Where the rest of the bitmap can be read cheaply, check it is clear. */
	if (src->random_access && k->bitmap_len > nbytes &&
	    check_tail(src, bm2, nbytes, k->bitmap_len, k->max_mapnr, err) < 0)
		return -1;
	d->n_dumped = k2e_runs_total(&d->runs);
	return 0;
}

static uint64_t count_in_range(const struct k2e_runs *r, uint64_t start, uint64_t end)
{
	uint64_t n = 0;

	for (size_t i = 0; i < r->n; i++) {
		uint64_t s = r->v[i].start, e = s + r->v[i].count;

		if (s < start)
			s = start;
		if (e > end)
			e = end;
		if (s < e)
			n += e - s;
	}
	return n;
}

/*
 * A piece whose size is known holds the descriptors of its first pages only
 * as far as the file goes: the pages of the others are lost ranges now, out
 * of d->runs (they are the last pages of their piece, so the iterator's
 * descriptor numbering does not change).
 */
static int descs_to_file(struct k2e_dump *d, struct kdump *k, struct k2e_err *err)
{
	bool cut = false;

	for (size_t i = 0; i < k->n_pieces; i++) {
		struct piece *p = &k->pieces[i];
		uint64_t fsize = k2e_source_size(p->in->src), in_file, skip;

		if (!p->in->src->random_access || fsize == UINT64_MAX)
			continue;
		in_file = fsize > p->data_off ? (fsize - p->data_off) / PAGE_DESC_SIZE : 0;
		if (in_file >= p->n_pages)
			continue;
		skip = in_file;
		for (size_t r = 0; r < d->runs.n; r++) {
			uint64_t a = d->runs.v[r].start, b = a + d->runs.v[r].count;

			if (a < p->start)
				a = p->start;
			if (b > p->end)
				b = p->end;
			if (a >= b)
				continue;
			if (skip >= b - a) {
				skip -= b - a;
				continue;
			}
			a += skip;
			if (k2e_dump_lost_add(d, a, b - a, p->data_off + in_file * PAGE_DESC_SIZE,
					      PAGE_DESC_SIZE, (uint16_t)p->in_index, K2E_LOST_DESC_EOF,
					      err) < 0)
				return -1;
			in_file += b - a;
			skip = 0;
		}
		p->n_pages = fsize > p->data_off ? (fsize - p->data_off) / PAGE_DESC_SIZE : 0;
		cut = true;
	}
	if (!cut)
		return 0;
	{
		struct k2e_runs lost;

		k2e_runs_init(&lost);
		for (size_t i = 0; i < d->n_lost; i++)
			if (k2e_runs_append(&lost, d->lost[i].pfn, d->lost[i].count, err) < 0) {
				k2e_runs_release(&lost);
				return -1;
			}
		k2e_runs_normalize(&lost);
		if (k2e_runs_subtract(&d->runs, &lost, err) < 0) {
			k2e_runs_release(&lost);
			return -1;
		}
		k2e_runs_release(&lost);
	}
	d->n_dumped = k2e_runs_total(&d->runs);
	return k2e_dump_lost_finish(d, err);
}

static int piece_cmp(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Same dump?  The headers must agree but for the fields a piece sets itself. */
static bool same_dump(const struct kdump *k, const struct piece *a, const struct piece *b)
{
	unsigned st = k->status_pos;

	return memcmp(a->head, b->head, st) == 0 &&
	       memcmp(a->head + st + DH_R_BLOCK_SIZE, b->head + st + DH_R_BLOCK_SIZE,
		      DH_R_MAX_MAPNR + 4 - DH_R_BLOCK_SIZE) == 0 &&
	       a->sh.dump_level == b->sh.dump_level && a->sh.phys_base == b->sh.phys_base &&
	       a->sh.size_note == b->sh.size_note;
}

static int open_pieces(struct k2e_dump *d, struct kdump *k, const struct guess *g,
		       struct k2e_err *err)
{
	for (size_t i = 0; i < d->n_in; i++) {
		struct piece *p = &k->pieces[i];

		p->in = &d->in[i];
		p->in_index = i;
		if (i > 0) {
			if (k2e_source_read_exact(p->in->src, p->head, sizeof(p->head), 0, err) < 0)
				return k2e_err_prefix(err, "%s: header", p->in->path);
			if (memcmp(p->head, k->pieces[0].head, 8) != 0)
				return k2e_err_set(err, "%s: not a piece of the same dump as '%s' (signature differs)",
						   p->in->path, d->in[0].path);
		}
		if (read_subhdr(k, p, g->version, g->be, err) < 0)
			return k2e_err_prefix(err, "%s", p->in->path);
		p->sec = g->bits == 64 ? k2e_get64(p->head + DH_TIMEVAL, g->be)
				       : k2e_get32(p->head + DH_TIMEVAL - 4, g->be);
		if (i == 0)
			k->max_mapnr = g->version >= 6 && p->sh.max_mapnr_64 ? p->sh.max_mapnr_64
									     : g->max_mapnr;
		if (g->version >= 6 && p->sh.split) {
			p->start = p->sh.start_pfn_64;
			p->end = p->sh.end_pfn_64;
		} else if (p->sh.split) {
			p->start = p->sh.start_pfn;
			p->end = p->sh.end_pfn;
		} else {
			p->start = 0;
			p->end = k->max_mapnr;
		}
		if (i > 0 && !same_dump(k, &k->pieces[0], p))
			return k2e_err_set(err, "%s: not a piece of the same dump as '%s' (headers differ)",
					   p->in->path, d->in[0].path);
	}
	if (d->n_in > 1 || k->pieces[0].sh.split) {
		k->is_split = true;
		for (size_t i = 0; i < d->n_in; i++)
			if (!k->pieces[i].sh.split)
				return k2e_err_set(err, "%s: not a split dump piece, but given with others",
						   k->pieces[i].in->path);
	}
	qsort(k->pieces, d->n_in, sizeof(*k->pieces), piece_cmp);
	k->n_pieces = d->n_in;
	if (k->is_split) {
		uint64_t expect = 0;

		for (size_t i = 0; i < k->n_pieces; i++) {
			struct piece *p = &k->pieces[i];

			if (p->start > p->end || p->end > k->max_mapnr)
				return k2e_err_set(err, "%s: split range pfn 0x%llx-0x%llx outside max_mapnr 0x%llx",
						   p->in->path, (unsigned long long)p->start,
						   (unsigned long long)p->end,
						   (unsigned long long)k->max_mapnr);
			if (p->start < expect)
				return k2e_err_set(err, "%s and %s: split ranges overlap at pfn 0x%llx",
						   k->pieces[i - 1].in->path, p->in->path,
						   (unsigned long long)p->start);
			if (p->start > expect)
				return k2e_err_set(err, "split set incomplete: pfns 0x%llx-0x%llx are in no piece (%s%s%s)",
						   (unsigned long long)expect,
						   (unsigned long long)(p->start - 1),
						   i ? k->pieces[i - 1].in->path : "before ",
						   i ? " .. " : "",
						   p->in->path);
			expect = p->end;
		}
		if (expect < k->max_mapnr)
			return k2e_err_set(err, "split set incomplete: pfns 0x%llx-0x%llx are in no piece (after %s)",
					   (unsigned long long)expect,
					   (unsigned long long)(k->max_mapnr - 1),
					   k->pieces[k->n_pieces - 1].in->path);
	}
	return 0;
}

static int read_notes(struct k2e_dump *d, struct kdump *k, struct k2e_err *err)
{
	struct piece *p = &k->pieces[0];
	uint64_t area_end = (uint64_t)(1 + k->sub_hdr_size) * k->block_size;

	if (p->sh.size_note) {
		if (p->sh.off_note < k->block_size || p->sh.off_note > area_end ||
		    p->sh.size_note > area_end - p->sh.off_note)
			return k2e_err_set(err, "%s: sub-header: notes at 0x%llx size 0x%llx lie outside the sub-header area",
					   p->in->path, (unsigned long long)p->sh.off_note,
					   (unsigned long long)p->sh.size_note);
		if (read_blob(p->in->src, p->sh.off_note, p->sh.size_note, "notes",
			      &d->notes, err) < 0)
			return k2e_err_prefix(err, "%s", p->in->path);
		d->notes_len = p->sh.size_note;
	} else if (p->sh.size_vmcoreinfo) {
		unsigned char *text;
		int rc;

		if (p->sh.off_vmcoreinfo < k->block_size || p->sh.off_vmcoreinfo > area_end ||
		    p->sh.size_vmcoreinfo > area_end - p->sh.off_vmcoreinfo)
			return k2e_err_set(err, "%s: sub-header: vmcoreinfo at 0x%llx size 0x%llx lies outside the sub-header area",
					   p->in->path, (unsigned long long)p->sh.off_vmcoreinfo,
					   (unsigned long long)p->sh.size_vmcoreinfo);
		if (read_blob(p->in->src, p->sh.off_vmcoreinfo, p->sh.size_vmcoreinfo,
			      "vmcoreinfo", &text, err) < 0)
			return k2e_err_prefix(err, "%s", p->in->path);
		rc = vmcoreinfo_note(text, p->sh.size_vmcoreinfo, d->big_endian, &d->notes,
				     &d->notes_len, err);
		free(text);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/*
 * A header naming no machine we know (QEMU's arm64 kdump files say
 * "Unknown"): the kernel's own VMCOREINFO can tell.  Only arm64 exports
 * NUMBER(kimage_voffset) (arch/arm64/kernel/crash_core.c).
 */
static void machine_from_vmcoreinfo(struct k2e_dump *d)
{
	struct k2e_vmcoreinfo vi;
	uint64_t v;

	k2e_vmcoreinfo_init(&vi, d->notes, d->notes_len, d->big_endian);
	if (k2e_vmcoreinfo_unsigned(&vi, "NUMBER(kimage_voffset)", 16, &v) < 0)
		return;
	d->e_machine = EM_AARCH64;
	snprintf(d->machine, sizeof(d->machine), "aarch64");
}

static int kdump_open(struct k2e_dump *d, struct k2e_err *err)
{
	struct kdump *k = calloc(1, sizeof(*k));
	const struct k2e_machine_info *mi;
	struct piece *p0;
	struct guess g = { 0 };
	uint64_t bm_bits_needed, one_bitmap_blocks;

	if (!k)
		return k2e_err_set(err, "out of memory");
	d->priv = k;
	k->pieces = calloc(d->n_in, sizeof(*k->pieces));
	if (!k->pieces)
		return k2e_err_set(err, "out of memory");
	p0 = &k->pieces[0];
	p0->in = &d->in[0];
	if (k2e_source_read_exact(d->in[0].src, p0->head, sizeof(p0->head), 0, err) < 0)
		return k2e_err_prefix(err, "%s: header", d->in[0].path);
	k->diskdump = memcmp(p0->head, sig_diskdump, 8) == 0;
	copy_uts(d->machine, p0->head + DH_UTSNAME + 4 * UTS_LEN);
	copy_uts(d->release, p0->head + DH_UTSNAME + 2 * UTS_LEN);
	mi = k2e_machine_lookup(d->machine);
	if (pick_layout(p0->head, mi, &g, err) < 0)
		return k2e_err_prefix(err, "%s", d->in[0].path);
	d->big_endian = g.be;
	d->ptr_bits = g.bits;
	d->e_machine = mi ? mi->e_machine : (g.bits == 64 ? EM_X86_64 : EM_386);
	k->layout = mi ? mi->subhdr : (g.bits == 64 ? K2E_SUBHDR_64 : K2E_SUBHDR_32_PACKED);
	k->status_pos = g.bits == 64 ? DH_STATUS_64 : DH_STATUS_32;
	k->block_size = g.block_size;
	k->sub_hdr_size = g.sub_hdr_size;
	k->bitmap_blocks = g.bitmap_blocks;
	k->status = g.status;
	d->header_version = g.version;
	d->page_size = g.block_size;
	d->page_shift = (unsigned)__builtin_ctz(g.block_size);
	d->incomplete_flag = (g.status & DUMP_DH_COMPRESSED_INCOMPLETE) != 0;

	if ((uint64_t)k->sub_hdr_size > max_meta / k->block_size)
		return k2e_err_set(err, "%s: header at offset 0x%x: absurd sub_hdr_size %d",
				   d->in[0].path, k->status_pos + DH_R_SUB_HDR_SIZE, k->sub_hdr_size);
	if (open_pieces(d, k, &g, err) < 0)
		return -1;
	/* open_pieces() sorted the pieces: find the one of input 0 again for messages. */
	p0 = &k->pieces[0];
	if (k->max_mapnr == 0 || k->max_mapnr > max_pfn_limit)
		return k2e_err_set(err, "%s: header: absurd max_mapnr 0x%llx", d->in[0].path,
				   (unsigned long long)k->max_mapnr);
	d->max_pfn = k->max_mapnr;
	bm_bits_needed = k->max_mapnr;
	one_bitmap_blocks = (bm_bits_needed + (uint64_t)k->block_size * 8 - 1) /
			    ((uint64_t)k->block_size * 8);
	if (k->bitmap_blocks >= 2 * one_bitmap_blocks) {
		k->bitmap_len = (uint64_t)(k->bitmap_blocks / 2) * k->block_size;
	} else if (k->diskdump && k->bitmap_blocks >= one_bitmap_blocks) {
		k->single_bitmap = true;
		k->bitmap_len = (uint64_t)k->bitmap_blocks * k->block_size;
	} else {
		return k2e_err_set(err, "%s: header at offset 0x%x: bitmap_blocks %u too small for max_mapnr 0x%llx",
				   d->in[0].path, k->status_pos + DH_R_BITMAP_BLOCKS, k->bitmap_blocks,
				   (unsigned long long)k->max_mapnr);
	}
	k->bitmap_off = (uint64_t)(1 + k->sub_hdr_size) * k->block_size;
	for (size_t i = 0; i < k->n_pieces; i++)
		k->pieces[i].data_off = k->bitmap_off + (uint64_t)k->bitmap_blocks * k->block_size;
	d->dump_level = (uint32_t)p0->sh.dump_level;
	d->crash_time = p0->sec;
	d->eraseinfo_hint = p0->sh.size_eraseinfo < max_meta ? p0->sh.size_eraseinfo : 0;
	{
		/* Room in the output only for an eraseinfo the file can hold. */
		uint64_t fsize = k2e_source_size(p0->in->src);

		if (fsize != UINT64_MAX && (p0->sh.off_eraseinfo > fsize ||
					    d->eraseinfo_hint > fsize - p0->sh.off_eraseinfo))
			d->eraseinfo_hint = 0;
	}
	for (size_t i = 0; i < k->n_pieces; i++) {
		if (k->pieces[i].in_index == 0) {
			d->dump_level = (uint32_t)k->pieces[i].sh.dump_level;
			break;
		}
	}
	if (read_notes(d, k, err) < 0)
		return -1;
	if (!mi && d->ptr_bits == 64)
		machine_from_vmcoreinfo(d);
	if (scan_bitmap(d, k, err) < 0)
		return k2e_err_prefix(err, "%s", k->pieces[0].in->path);
	for (size_t i = 0; i < k->n_pieces; i++)
		k->pieces[i].n_pages = count_in_range(&d->runs, k->pieces[i].start, k->pieces[i].end);
	/*
	 * makedumpfile writes the shared zero page first in the data area, which
	 * starts after all descriptors (of the whole dump, also in split pieces).
	 */
	d->zero_off = k->pieces[0].data_off + d->n_dumped * PAGE_DESC_SIZE;
	if (descs_to_file(d, k, err) < 0)
		return -1;
	if (k->is_split)
		snprintf(d->format_desc, sizeof(d->format_desc), "%s (split, %zu pieces)",
			 k->diskdump ? "diskdump" : "kdump-compressed", k->n_pieces);
	else
		snprintf(d->format_desc, sizeof(d->format_desc), "%s",
			 k->diskdump ? "diskdump" : "kdump-compressed");
	return 0;
}

static int kdump_finish(struct k2e_dump *d, struct k2e_err *err)
{
	struct kdump *k = d->priv;
	struct piece *p = NULL;
	struct subhdr sh;
	unsigned char b[KDUMP_SUBHDR_SIZE];

	if (d->header_version < 5 || k->diskdump || k->sub_hdr_size == 0)
		return 0;
	for (size_t i = 0; i < k->n_pieces; i++)
		if (k->pieces[i].in_index == 0)
			p = &k->pieces[i];
	/* A stream may have rewritten the sub-header at its end: read it again. */
	if (k2e_source_drain(p->in->src, err) < 0)
		return k2e_err_prefix(err, "%s", p->in->path);
	if (k2e_source_read_exact(p->in->src, b, sizeof(b), k->block_size, err) < 0)
		return k2e_err_prefix(err, "%s: sub-header", p->in->path);
	parse_subhdr(b, k->layout, d->big_endian, d->header_version, &sh);
	if (sh.size_eraseinfo && d->in[0].src->random_access &&
	    sh.off_eraseinfo >= k2e_source_size(p->in->src)) {
		snprintf(d->warning, sizeof(d->warning),
			 "%s: eraseinfo at 0x%llx lies past the end of the file", p->in->path,
			 (unsigned long long)sh.off_eraseinfo);
		return 0;
	}
	if (sh.size_eraseinfo == 0)
		return 0;
	if (read_blob(p->in->src, sh.off_eraseinfo, sh.size_eraseinfo, "eraseinfo",
		      &d->eraseinfo, err) < 0) {
		/* A cut file loses its eraseinfo too: say so, keep the pages. */
		snprintf(d->warning, sizeof(d->warning), "%s: %.200s", p->in->path, err->msg);
		k2e_err_clear(err);
		return 0;
	}
	d->eraseinfo_len = sh.size_eraseinfo;
	return 0;
}

static void kdump_close(struct k2e_dump *d)
{
	struct kdump *k = d->priv;

	if (k) {
		free(k->pieces);
		free(k);
	}
	d->priv = NULL;
}

const struct k2e_format k2e_format_kdump = {
	.name = "kdump",
	.multi_input = true,
	.probe = kdump_probe,
	.open = kdump_open,
	.iter_new = k2e_kdump_iter_new,
	.iter_next = k2e_kdump_iter_next,
	.iter_free = k2e_kdump_iter_free,
	.finish = kdump_finish,
	.close = kdump_close,
};
