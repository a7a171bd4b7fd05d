/* kdump.c - kdump-compressed, legacy diskdump, split and flattened output of
 * k2e-mkdump, and the verify pass that reads them back for the .expect file.
 *
 * Layout (formats.md): header block | sub-header + notes | bitmaps |
 * page_desc table | shared zero page | page data | eraseinfo.  Pages stream
 * through two buffered writers (descriptor table and data), so memory stays
 * at a few MiB plus one bitmap block.  A flattened stream is made from a
 * temporary kdump image and read back into a second temporary image before
 * the verify pass, so overlapping and truncated records are judged on the
 * bytes a reader would reconstruct.
 */
#define _GNU_SOURCE
#include "mkdump.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { DESC_SIZE = 24, FLAT_HDR_SIZE = 4096 };

/* kdump_sub_header field offsets: 64-bit, i386 (64-bit fields packed at 4)
 * and ARM (padded to 8); formats.md and libkdumpfile's diskdump.c. */
enum { SH_PHYS, SH_LEVEL, SH_SPLIT, SH_START, SH_END, SH_OVMCI, SH_SVMCI,
       SH_ONOTE, SH_SNOTE, SH_OERASE, SH_SERASE, SH_START64, SH_END64,
       SH_MAX64, SH_NFIELDS };
static const unsigned char sh_off[3][SH_NFIELDS] = {
	{ 0, 8, 12, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96 },
	{ 0, 4, 8, 12, 16, 20, 28, 32, 40, 44, 52, 56, 64, 72 },
	{ 0, 4, 8, 12, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88 },
};
static const unsigned char sh_since[SH_NFIELDS] = {
	1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 6,
};
static const size_t sh_total[3] = { 104, 80, 96 };

struct klayout {
	int be, shl;                   /* byte order; sub-header layout 0..2 */
	uint32_t bs;
	uint64_t one_bm_blocks, bm_blocks, sub_blocks;
	uint64_t bitmap_off, desc_off, data_start;
	uint64_t ndumped;              /* descriptors of an unsplit file */
	uint64_t beyond_pfn;           /* UINT64_MAX: none */
	uint64_t payload_off;          /* vmcoreinfo (v3) or notes (v4+) */
	unsigned char *notes;
	size_t notes_len, vmci_off, vmci_len;
	char *vmci_text;
	uint32_t status;
	int share_zero;
};

struct piece {
	uint64_t start, end;           /* [start, end) */
	int split;
	uint64_t ndesc;
	uint64_t file_size;
	uint64_t erase_off, erase_size;
};

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

static int is_zero(const unsigned char *p, size_t n)
{
	return !n || (!p[0] && !memcmp(p, p + 1, n - 1));
}

static int in_list(const uint64_t *v, int n, uint64_t pfn)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i] == pfn)
			return 1;
	return 0;
}

static int klayout_init(const struct spec *s, const struct rlist *dumped,
			struct klayout *L, struct err *e)
{
	uint64_t bpb = (uint64_t)s->page_size * 8, payload = 0;
	int i;

	memset(L, 0, sizeof *L);
	L->be = arch_be(s->arch);
	L->shl = s->arch == ARCH_I386 ? 1 : s->arch == ARCH_ARM ? 2 : 0;
	L->bs = s->page_size;
	L->one_bm_blocks = div_up(s->max_mapnr ? s->max_mapnr : 1, bpb);
	L->bm_blocks = s->single_bitmap ? L->one_bm_blocks
					: 2 * L->one_bm_blocks;
	L->beyond_pfn = UINT64_MAX;
	if (s->pfn_beyond_max) {
		if (s->max_mapnr >= L->one_bm_blocks * bpb)
			return err_set(e, "pfn_beyond_max needs max_mapnr %#llx below a multiple of %llu",
				       (unsigned long long)s->max_mapnr,
				       (unsigned long long)bpb);
		L->beyond_pfn = s->max_mapnr;
	}
	L->notes = notes_build(s, &L->notes_len, &L->vmci_off, &L->vmci_len);
	L->vmci_text = vmcoreinfo_text(s);
	if (!L->notes)
		return err_set(e, "out of memory");
	if (s->header_version >= 4) {
		L->payload_off = L->bs + ((sh_total[L->shl] + 7) & ~(size_t)7);
		payload = L->notes_len;
	} else if (s->header_version == 3) {
		L->payload_off = L->bs + sh_total[L->shl];
		payload = strlen(L->vmci_text);
	}
	if (s->header_version >= 1)
		L->sub_blocks = div_up(sh_total[L->shl] + 8 + payload, L->bs);
	L->bitmap_off = (1 + L->sub_blocks) * L->bs;
	L->desc_off = L->bitmap_off + L->bm_blocks * L->bs;
	L->ndumped = rlist_count(dumped) + (L->beyond_pfn != UINT64_MAX);
	L->data_start = L->desc_off + L->ndumped * DESC_SIZE;
	for (i = 0; i < s->ncodecs; i++)
		L->status |= codec_flag(s->codecs[i]);
	if (s->incomplete)
		L->status |= DH_INCOMPLETE;
	L->share_zero = s->header_version >= 1 && (s->dump_level & 1);
	return 0;
}

static void klayout_release(struct klayout *L)
{
	free(L->notes);
	free(L->vmci_text);
}

/* disk_dump_header; 32-bit targets have an 8-byte timeval (formats.md) */
static void build_header(const struct spec *s, const struct klayout *L,
			 unsigned char *h)
{
	const char *uts[6] = { "Linux", s->nodename, s->release, s->version,
			       arch_machine(s->arch), "(none)" };
	size_t st = arch_is32(s->arch) ? 412 : 424;
	int be = L->be, i;
	uint64_t mm = s->max_mapnr > 0xffffffffu ? 0xffffffffu : s->max_mapnr;

	memset(h, 0, L->bs);
	memcpy(h, s->format == FMT_DISKDUMP ? "DISKDUMP" : "KDUMP   ", 8);
	put32(h + 8, (uint32_t)s->header_version, be);
	for (i = 0; i < 6; i++)
		strncpy((char *)h + 12 + 65 * i, uts[i], 64);
	/* tv_usec stays 0 so no reader mistakes it for a 32-bit block_size */
	if (arch_is32(s->arch))
		put32(h + 404, (uint32_t)s->timestamp, be);
	else
		put64(h + 408, (uint64_t)s->timestamp, be);
	put32(h + st, L->status, be);
	put32(h + st + 4, s->bad_block_size >= 0 ? (uint32_t)s->bad_block_size
						  : L->bs, be);
	put32(h + st + 8, s->bad_sub_hdr_size >= 0 ?
		(uint32_t)s->bad_sub_hdr_size : (uint32_t)L->sub_blocks, be);
	put32(h + st + 12, s->bad_bitmap_blocks >= 0 ?
		(uint32_t)s->bad_bitmap_blocks : (uint32_t)L->bm_blocks, be);
	put32(h + st + 16, s->bad_max_mapnr >= 0 ? (uint32_t)s->bad_max_mapnr
						 : (uint32_t)mm, be);
	put32(h + st + 20, (uint32_t)s->max_mapnr, be);       /* total_ram_blocks */
	put32(h + st + 36, (uint32_t)s->cpus, be);            /* nr_cpus */
}

static void sh_put(const struct spec *s, const struct klayout *L,
		   unsigned char *b, int f, uint64_t v)
{
	unsigned char *p = b + sh_off[L->shl][f];
	int wide = f == SH_OVMCI || f == SH_ONOTE || f == SH_OERASE ||
		   f >= SH_START64 || (L->shl == 0 && f != SH_LEVEL &&
				       f != SH_SPLIT);

	if (s->header_version < sh_since[f])
		return;
	if (f == SH_LEVEL || f == SH_SPLIT)
		put32(p, (uint32_t)v, L->be);
	else if (wide)
		put64(p, v, L->be);
	else
		put32(p, (uint32_t)v, L->be);
}

static void build_subheader(const struct spec *s, const struct klayout *L,
			    const struct piece *pc, unsigned char *b)
{
	uint64_t end = pc->end == UINT64_MAX ? s->max_mapnr : pc->end;

	memset(b, 0, sh_total[L->shl]);
	sh_put(s, L, b, SH_PHYS, (uint64_t)s->phys_base);
	sh_put(s, L, b, SH_LEVEL, (uint64_t)s->dump_level);
	if (pc->split) {
		sh_put(s, L, b, SH_SPLIT, 1);
		sh_put(s, L, b, SH_START, pc->start);
		sh_put(s, L, b, SH_END, end);
		sh_put(s, L, b, SH_START64, pc->start);
		sh_put(s, L, b, SH_END64, end);
	}
	if (s->header_version == 3) {
		sh_put(s, L, b, SH_OVMCI, L->payload_off);
		sh_put(s, L, b, SH_SVMCI, strlen(L->vmci_text));
	} else if (s->header_version >= 4) {
		sh_put(s, L, b, SH_OVMCI, L->payload_off + L->vmci_off);
		sh_put(s, L, b, SH_SVMCI, L->vmci_len);
		sh_put(s, L, b, SH_ONOTE, L->payload_off);
		sh_put(s, L, b, SH_SNOTE, L->notes_len);
	}
	if (pc->erase_size) {
		sh_put(s, L, b, SH_OERASE, pc->erase_off);
		sh_put(s, L, b, SH_SERASE, pc->erase_size);
	}
	sh_put(s, L, b, SH_MAX64, s->bad_max_mapnr >= 0 ?
		(uint64_t)s->bad_max_mapnr : s->max_mapnr);
}

struct pagebufs {
	unsigned char *page, *cbuf, *block;
	size_t cap;
};

static int write_bitmaps(const struct spec *s, const struct klayout *L,
			 const struct rlist *ram_bm,
			 const struct rlist *dumped_all, int fd,
			 const char *path, unsigned char *block, struct err *e)
{
	uint64_t bpb = (uint64_t)L->bs * 8, b;
	size_t c1 = 0, c2 = 0;
	uint64_t second = s->single_bitmap ? 0 : L->one_bm_blocks;

	for (b = 0; b < L->one_bm_blocks; b++) {
		if (!s->single_bitmap) {
			rlist_bitmap(ram_bm, b * bpb, bpb, block, &c1);
			if (!is_zero(block, L->bs) &&
			    write_at(fd, block, L->bs,
				     L->bitmap_off + b * L->bs, path, e))
				return -1;
		}
		rlist_bitmap(dumped_all, b * bpb, bpb, block, &c2);
		if (!is_zero(block, L->bs) &&
		    write_at(fd, block, L->bs,
			     L->bitmap_off + (second + b) * L->bs, path, e))
			return -1;
	}
	return 0;
}

static int write_piece(const struct spec *s, const struct klayout *L,
		       const struct rlist *ram_bm,
		       const struct rlist *dumped_all, struct piece *pc,
		       int last, struct codecs *c, struct pagebufs *pb,
		       const char *path, uint64_t *rr, struct err *e)
{
	struct wbuf dw = { 0 }, pw = { 0 };
	unsigned char desc[DESC_SIZE], zdesc[DESC_SIZE];
	uint64_t idx = 0, lost_from = UINT64_MAX, end;
	size_t ri;
	int fd, rc = -1;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return err_set(e, "%s: %s", path, strerror(errno));
	build_header(s, L, pb->block);
	if (write_at(fd, pb->block, L->bs, 0, path, e))
		goto out;
	if (s->header_version == 3 &&
	    write_at(fd, L->vmci_text, strlen(L->vmci_text), L->payload_off,
		     path, e))
		goto out;
	if (s->header_version >= 4 &&
	    write_at(fd, L->notes, L->notes_len, L->payload_off, path, e))
		goto out;
	if (write_bitmaps(s, L, ram_bm, dumped_all, fd, path, pb->block, e))
		goto out;
	if (wbuf_init(&dw, fd, path, L->desc_off, 1 << 16, e) ||
	    wbuf_init(&pw, fd, path, L->data_start, 1 << 20, e))
		goto out;

	memset(zdesc, 0, sizeof zdesc);
	if (L->share_zero) {
		memset(pb->page, 0, L->bs);
		put64(zdesc, L->data_start, L->be);
		put32(zdesc + 8, L->bs, L->be);
		if (wbuf_put(&pw, pb->page, L->bs, e))
			goto out;
	}
	if (last && s->incomplete)
		lost_from = pc->ndesc > s->incomplete ? pc->ndesc - s->incomplete : 0;

	for (ri = 0; ri < dumped_all->n; ri++) {
		uint64_t pfn = dumped_all->v[ri].lo, hi = dumped_all->v[ri].hi;
		if (hi <= pc->start)
			continue;
		if (pfn >= pc->end)
			break;
		if (pfn < pc->start)
			pfn = pc->start;
		if (hi > pc->end)
			hi = pc->end;
		for (; pfn < hi; pfn++, idx++) {
			int corrupt = in_list(s->corrupt_pfn, s->ncorrupt, pfn);
			const unsigned char *data = pb->page;
			uint32_t size = L->bs, flags = 0;
			int k;

			if (idx >= lost_from) {
				memset(desc, 0, sizeof desc);
				goto put_desc;
			}
			if (L->share_zero && !corrupt &&
			    page_kind(s, pfn) == PAGE_ZERO) {
				memcpy(desc, zdesc, sizeof desc);
				goto put_desc;
			}
			page_fill(s, pfn, pb->page);
			{
				enum codec cd = s->codecs[(*rr)++ % (uint64_t)s->ncodecs];
				size_t n;
				if (corrupt) {
					/* decompresses to half a page, or not at all */
					if (cd == CODEC_RAW)
						cd = CODEC_ZLIB;
					n = codec_compress(c, cd, pb->cbuf, pb->cap,
							   pb->page, L->bs / 2);
					if (n) {
						data = pb->cbuf;
						size = (uint32_t)n;
					} else {
						size = L->bs / 2;
					}
					flags = codec_flag(cd);
				} else if ((n = codec_compress(c, cd, pb->cbuf, pb->cap,
								pb->page, L->bs))) {
					data = pb->cbuf;
					size = (uint32_t)n;
					flags = codec_flag(cd);
				}
			}
			memset(desc, 0, sizeof desc);
			if (in_list(s->past_end_pfn, s->npast_end, pfn)) {
				put64(desc, 1ull << 50, L->be);
			} else {
				put64(desc, pw.off + pw.len, L->be);
				if (wbuf_put(&pw, data, size, e))
					goto out;
			}
			for (k = 0; k < s->nbad_size; k++)
				if (s->bad_size[k].pfn == pfn)
					size = (uint32_t)s->bad_size[k].size;
			put32(desc + 8, size, L->be);
			put32(desc + 12, flags, L->be);
put_desc:
			if (wbuf_put(&dw, desc, sizeof desc, e))
				goto out;
		}
	}
	if (wbuf_flush(&dw, e) || wbuf_flush(&pw, e))
		goto out;
	end = pw.off;
	if (end < L->data_start)
		end = L->data_start;
	pc->erase_off = pc->erase_size = 0;
	if (s->header_version >= 5 && s->eraseinfo) {
		pc->erase_off = end;
		pc->erase_size = strlen(s->eraseinfo);
		if (write_at(fd, s->eraseinfo, pc->erase_size, end, path, e))
			goto out;
		end += pc->erase_size;
	}
	if (s->header_version >= 1) {
		build_subheader(s, L, pc, pb->block);
		if (write_at(fd, pb->block, sh_total[L->shl], L->bs, path, e))
			goto out;
	}
	if (ftruncate(fd, (off_t)end)) {
		err_set(e, "%s: %s", path, strerror(errno));
		goto out;
	}
	pc->file_size = end;
	rc = 0;
out:
	wbuf_release(&dw);
	wbuf_release(&pw);
	close(fd);
	return rc;
}

/* Where truncate_at cuts a kdump image, or UINT64_MAX. */
static uint64_t kdump_cut(const struct spec *s, const struct klayout *L,
			  const struct piece *pc)
{
	switch (s->cut) {
	case CUT_NONE: return UINT64_MAX;
	case CUT_BYTES: return s->cut_bytes;
	case CUT_HEADER: return 200;
	case CUT_SUBHEADER: return L->bs + 40;
	case CUT_BITMAP: return L->bitmap_off + L->bm_blocks * L->bs / 2 + 100;
	case CUT_DESCS: return L->desc_off + DESC_SIZE * (pc->ndesc / 2) + 7;
	case CUT_DATA:
		return L->data_start + (pc->file_size - L->data_start) / 2 + 1;
	}
	return UINT64_MAX;
}

static int truncate_file(const char *path, uint64_t cut, struct err *e)
{
	int fd = open(path, O_RDWR);
	off_t size;

	if (fd < 0)
		return err_set(e, "%s: %s", path, strerror(errno));
	size = lseek(fd, 0, SEEK_END);
	if (size >= 0 && cut < (uint64_t)size && ftruncate(fd, (off_t)cut)) {
		close(fd);
		return err_set(e, "%s: %s", path, strerror(errno));
	}
	close(fd);
	return 0;
}

/* ---- flattened streams ---- */

struct rec {
	uint64_t off, size, spos;      /* image range; stream position of data */
	int garbage;
};

static int flat_convert(const struct spec *s, const struct klayout *L,
			const char *img, uint64_t img_size, const char *out,
			uint64_t img_cut, struct err *e)
{
	uint64_t rs = s->flat_record_size, nbase = div_up(img_size, rs), i;
	uint64_t nrec = 0, spos = FLAT_HDR_SIZE, cut = UINT64_MAX;
	struct rec *r;
	unsigned char hdr[16], *buf = NULL;
	int ifd = -1, ofd = -1, rc = -1;

	r = calloc(nbase + nbase / 4 + 4, sizeof *r);
	buf = malloc(rs > L->bs ? rs : L->bs);
	if (!r || !buf) {
		err_set(e, "out of memory");
		goto out;
	}
	/* base records in image order, shuffled on request; a garbage twin
	 * before every 4th one and a garbage sub-header block first, with the
	 * right sub-header written again at the end as makedumpfile does */
	for (i = 0; i < nbase; i++) {
		uint64_t sz = img_size - i * rs < rs ? img_size - i * rs : rs;
		r[i] = (struct rec){ i * rs, sz, 0, 0 };
	}
	if (s->flat_shuffle)
		for (i = nbase; i > 1; i--) {
			uint64_t j = mix64(s->flat_shuffle_seed ^ (i * 0x9e37u)) % i;
			struct rec t = r[i - 1];
			r[i - 1] = r[j];
			r[j] = t;
		}
	nrec = nbase;
	if (s->flat_overlap) {
		struct rec *o = calloc(nbase + nbase / 4 + 4, sizeof *o);
		uint64_t m = 0;
		if (!o) {
			err_set(e, "out of memory");
			goto out;
		}
		if (img_size >= 2 * (uint64_t)L->bs)
			o[m++] = (struct rec){ L->bs, L->bs, 0, 1 };
		for (i = 0; i < nbase; i++) {
			if (i % 4 == 1) {
				o[m] = r[i];
				o[m++].garbage = 1;
			}
			o[m++] = r[i];
		}
		if (img_size >= 2 * (uint64_t)L->bs)
			o[m++] = (struct rec){ L->bs, L->bs, 0, 0 };
		free(r);
		r = o;
		nrec = m;
	}
	ifd = open(img, O_RDONLY);
	ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (ifd < 0 || ofd < 0) {
		err_set(e, "%s: %s", ifd < 0 ? img : out, strerror(errno));
		goto out;
	}
	memset(buf, 0, FLAT_HDR_SIZE < rs ? FLAT_HDR_SIZE : rs);
	{
		unsigned char fh[FLAT_HDR_SIZE] = "makedumpfile";
		put64(fh + 16, 1, 1);
		put64(fh + 24, 1, 1);
		if (write_at(ofd, fh, sizeof fh, 0, out, e))
			goto out;
	}
	for (i = 0; i < nrec; i++) {
		put64(hdr, r[i].off, 1);
		put64(hdr + 8, r[i].size, 1);
		if (write_at(ofd, hdr, 16, spos, out, e))
			goto out;
		spos += 16;
		r[i].spos = spos;
		if (r[i].garbage) {
			uint64_t k;
			for (k = 0; k < r[i].size; k++)
				buf[k] = (unsigned char)mix64(r[i].off + k);
		} else if ((uint64_t)read_at(ifd, buf, r[i].size, r[i].off) != r[i].size) {
			err_set(e, "%s: short read", img);
			goto out;
		}
		if (write_at(ofd, buf, r[i].size, spos, out, e))
			goto out;
		spos += r[i].size;
	}
	if (!s->flat_no_end) {
		put64(hdr, UINT64_MAX, 1);
		put64(hdr + 8, UINT64_MAX, 1);
		if (write_at(ofd, hdr, 16, spos, out, e))
			goto out;
		spos += 16;
	}
	if (s->cut == CUT_BYTES)
		cut = s->cut_bytes;
	else if (s->cut == CUT_HEADER)
		cut = 100;
	else if (img_cut != UINT64_MAX)
		for (i = 0; i < nrec; i++)
			if (!r[i].garbage && r[i].off <= img_cut &&
			    img_cut < r[i].off + r[i].size) {
				cut = r[i].spos + (img_cut - r[i].off);
				break;
			}
	if (cut < spos && ftruncate(ofd, (off_t)cut)) {
		err_set(e, "%s: %s", out, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (ifd >= 0)
		close(ifd);
	if (ofd >= 0)
		close(ofd);
	free(buf);
	free(r);
	return rc;
}

/* Rebuild the image a reader sees; cov gets the ranges records wrote.
 * Returns 0, or 1 when the stream header itself is unusable. */
static int flat_rebuild(const char *stream, const char *recon,
			struct rlist *cov, struct err *e)
{
	unsigned char hdr[FLAT_HDR_SIZE], *buf = NULL;
	uint64_t pos = FLAT_HDR_SIZE;
	int ifd = open(stream, O_RDONLY), ofd, rc = -1;

	ofd = open(recon, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (ifd < 0 || ofd < 0) {
		err_set(e, "%s: %s", ifd < 0 ? stream : recon, strerror(errno));
		goto out;
	}
	if (read_at(ifd, hdr, sizeof hdr, 0) != (int)sizeof hdr ||
	    memcmp(hdr, "makedumpfile", 13) || get64(hdr + 16, 1) != 1 ||
	    get64(hdr + 24, 1) != 1) {
		rc = 1;
		goto out;
	}
	buf = malloc(1 << 20);
	if (!buf) {
		err_set(e, "out of memory");
		goto out;
	}
	for (;;) {
		uint64_t off, size, done = 0;
		if (read_at(ifd, hdr, 16, pos) != 16)
			break;
		off = get64(hdr, 1);
		size = get64(hdr + 8, 1);
		if ((int64_t)off < 0 || (int64_t)size <= 0)
			break;          /* end marker or nonsense */
		pos += 16;
		while (done < size) {
			size_t n = size - done < (1 << 20) ? size - done : (1 << 20);
			int got = read_at(ifd, buf, n, pos + done);
			if (got > 0 && write_at(ofd, buf, (size_t)got, off + done, recon, e))
				goto out;
			if (got > 0)
				done += (uint64_t)got;
			if (got != (int)n)
				break;
		}
		if (done < size) {
			/* A cut record: the bytes that arrived are still the dump's. */
			if (done)
				rlist_add(cov, off, off + done);
			break;
		}
		rlist_add(cov, off, off + size);
		pos += size;
	}
	rlist_normalize(cov);
	rc = 0;
out:
	free(buf);
	if (ifd >= 0)
		close(ifd);
	if (ofd >= 0)
		close(ofd);
	return rc;
}

/* ---- verify ---- */

static void expect_all_lost(const struct spec *s, const struct rlist *dumped,
			    struct expect *x)
{
	size_t i;

	sha256_init(&x->sha);
	x->pages = x->zero = 0;
	rlist_free(&x->lost_ranges);
	x->lost = 0;
	for (i = 0; i < dumped->n; i++) {
		uint64_t hi = dumped->v[i].hi < s->max_mapnr ?
			      dumped->v[i].hi : s->max_mapnr;
		if (dumped->v[i].lo < hi) {
			rlist_add(&x->lost_ranges, dumped->v[i].lo, hi);
			x->lost += hi - dumped->v[i].lo;
		}
	}
	x->cpus = 0;
	x->error = 1;
}

static int verify_pieces(const struct spec *s, const struct klayout *L,
			 const struct rlist *dumped_all,
			 const struct piece *pcs, int npieces,
			 char *const *paths, const struct rlist *cov,
			 int foreign, struct codecs *c, struct pagebufs *pb,
			 struct expect *x, struct err *e)
{
	uint64_t next_pfn = 0;
	int p, corrupt = spec_is_corrupt(s) || s->flat_overlap;

	for (p = 0; p < npieces; p++) {
		const struct piece *pc = &pcs[p];
		struct rbuf dr, pr, zr;
		uint64_t idx = 0;
		size_t ri;
		int fd = open(paths[p], O_RDONLY);

		if (fd < 0)
			return err_set(e, "%s: %s", paths[p], strerror(errno));
		/* zr keeps the shared zero page out of the streaming buffers */
		if (rbuf_init(&dr, fd, cov) || rbuf_init(&pr, fd, cov) ||
		    rbuf_init(&zr, fd, cov)) {
			close(fd);
			return err_set(e, "out of memory");
		}
		if (p == 0) {
			if (!rbuf_has(&dr, 0, L->desc_off))
				x->error = 1;
			if (s->header_version >= 4 &&
			    rbuf_has(&dr, L->payload_off, L->notes_len))
				x->cpus = s->cpus;
		}
		for (ri = 0; ri < dumped_all->n; ri++) {
			uint64_t pfn = dumped_all->v[ri].lo;
			uint64_t hi = dumped_all->v[ri].hi;
			if (hi <= pc->start)
				continue;
			if (pfn >= pc->end)
				break;
			if (pfn < pc->start)
				pfn = pc->start;
			if (hi > pc->end)
				hi = pc->end;
			for (; pfn < hi; pfn++, idx++) {
				const unsigned char *d, *data;
				uint64_t off;
				uint32_t size, flags;

				if (pfn >= s->max_mapnr || pfn < next_pfn)
					continue;
				next_pfn = pfn + 1;
				if (p == foreign)
					goto lost;
				d = rbuf_get(&dr, L->desc_off + idx * DESC_SIZE,
					     DESC_SIZE);
				if (!d)
					goto lost;
				off = get64(d, L->be);
				size = get32(d + 8, L->be);
				flags = get32(d + 12, L->be);
				if (!off || size > pb->cap ||
				    !(data = rbuf_get(off == L->data_start ? &zr : &pr,
						      off, size)))
					goto lost;
				if (codec_decompress(c, flags, pb->cbuf, L->bs,
						     data, size))
					goto lost;
				page_fill(s, pfn, pb->page);
				if (memcmp(pb->page, pb->cbuf, L->bs)) {
					if (!corrupt)
						x->mismatch++;
					fprintf(stderr, "k2e-mkdump: pfn %#llx reads back different\n",
						(unsigned long long)pfn);
				}
				expect_page(x, pfn, pb->cbuf, L->bs);
				continue;
lost:
				expect_lost(x, pfn);
			}
		}
		rbuf_release(&dr);
		rbuf_release(&pr);
		rbuf_release(&zr);
		close(fd);
	}
	return 0;
}

int kdump_generate(const struct spec *s, const char *prefix,
		   struct codecs *c, struct expect *x, struct err *e)
{
	struct rlist dumped = { 0 }, dumped_all = { 0 }, ram_bm = { 0 };
	struct rlist cov = { 0 }, cap = { 0 };
	struct klayout L;
	struct pagebufs pb = { 0 };
	struct piece pcs[64];
	char *paths[64] = { 0 }, *img = NULL, *recon = NULL;
	int n = s->nsplit, i, rc = -1, foreign = -1;
	uint64_t rr = 0, total, cut;
	size_t k;

	if (spec_dumped(s, &dumped, e))
		return -1;
	for (k = 0; k < dumped.n; k++)
		rlist_add(&dumped_all, dumped.v[k].lo, dumped.v[k].hi);
	rlist_add(&cap, 0, s->max_mapnr);
	rlist_intersect(&s->ram, &cap, &ram_bm);
	if (klayout_init(s, &dumped, &L, e))
		goto out;
	if (L.beyond_pfn != UINT64_MAX) {
		rlist_add(&dumped_all, L.beyond_pfn, L.beyond_pfn + 1);
		rlist_add(&ram_bm, L.beyond_pfn, L.beyond_pfn + 1);
	}
	pb.cap = codec_bound(L.bs);
	pb.page = malloc(L.bs);
	pb.cbuf = malloc(pb.cap > L.bs ? pb.cap : L.bs);
	pb.block = malloc(L.bs);
	if (!pb.page || !pb.cbuf || !pb.block) {
		err_set(e, "out of memory");
		goto out;
	}

	/* pieces: equal numbers of dumped pages, makedumpfile style */
	total = rlist_count(&dumped);
	for (i = 0; i < n; i++) {
		pcs[i].split = n > 1;
		pcs[i].start = i ? rlist_nth(&dumped, total * (uint64_t)i / (uint64_t)n) : 0;
		if (pcs[i].start == UINT64_MAX)
			pcs[i].start = s->max_mapnr;
		if (i && s->split_overlap) {
			uint64_t back = total * (uint64_t)i / (uint64_t)n;
			back = back > 8 ? back - 8 : 0;
			pcs[i].start = rlist_nth(&dumped, back);
		}
	}
	for (i = 0; i < n; i++) {
		if (n == 1)
			pcs[i].end = UINT64_MAX;
		else if (i == n - 1)
			pcs[i].end = s->max_mapnr;
		else
			pcs[i].end = rlist_nth(&dumped, total * (uint64_t)(i + 1) / (uint64_t)n);
		if (pcs[i].end == UINT64_MAX && n > 1)
			pcs[i].end = s->max_mapnr;
		pcs[i].ndesc = rlist_rank(&dumped_all, pcs[i].end) -
			       rlist_rank(&dumped_all, pcs[i].start);
		if (asprintf(&paths[i], n > 1 ? "%s.%d" : "%s%.0d", prefix,
			     n > 1 ? i + 1 : 0) < 0)
			goto oom;
	}
	if (s->format == FMT_FLAT) {
		if (asprintf(&img, "%s.img.tmp", prefix) < 0 ||
		    asprintf(&recon, "%s.recon.tmp", prefix) < 0)
			goto oom;
		free(paths[0]);
		paths[0] = strdup(img);
		if (!paths[0])
			goto oom;
	}
	if (s->split_foreign && n > 1)
		foreign = n / 2;
	for (i = 0; i < n; i++) {
		struct spec other = *s;
		const struct spec *use = s;
		if (i == foreign) {
			other.seed = s->seed + 1;
			other.timestamp = s->timestamp + 1;
			strcpy(other.nodename, "other-host");
			use = &other;
		}
		if (write_piece(use, &L, &ram_bm, &dumped_all, &pcs[i],
				i == n - 1, c, &pb, paths[i], &rr, e))
			goto out;
	}
	cut = kdump_cut(s, &L, &pcs[n - 1]);
	if (s->format == FMT_FLAT) {
		int bad;
		if (flat_convert(s, &L, img, pcs[0].file_size, prefix, cut, e))
			goto out;
		bad = flat_rebuild(prefix, recon, &cov, e);
		if (bad < 0)
			goto out;
		free(paths[0]);
		paths[0] = strdup(recon);
		if (!paths[0])
			goto oom;
		if (bad)
			rlist_add(&cov, 0, 0);  /* nothing readable */
		if (bad)
			x->error = 1;
	} else if (cut != UINT64_MAX &&
		   truncate_file(paths[n - 1], cut, e)) {
		goto out;
	}
	if (verify_pieces(s, &L, &dumped_all, pcs, n, paths,
			  s->format == FMT_FLAT ? &cov : NULL, foreign, c, &pb,
			  x, e))
		goto out;
	if (s->bad_block_size >= 0 || s->bad_sub_hdr_size >= 0 ||
	    s->bad_bitmap_blocks >= 0 || s->bad_max_mapnr >= 0 || x->error)
		expect_all_lost(s, &dumped, x);
	if (s->split_overlap || foreign >= 0)
		x->error = 1;
	rc = 0;
	goto out;
oom:
	err_set(e, "out of memory");
out:
	if (img)
		unlink(img);
	if (recon)
		unlink(recon);
	free(img);
	free(recon);
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(pb.page);
	free(pb.cbuf);
	free(pb.block);
	klayout_release(&L);
	rlist_free(&dumped);
	rlist_free(&dumped_all);
	rlist_free(&ram_bm);
	rlist_free(&cap);
	rlist_free(&cov);
	return rc;
}
