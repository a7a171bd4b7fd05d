/*
 * elf.c - ELF vmcores: a copy of /proc/vmcore, makedumpfile -E, QEMU's
 * dump-guest-memory.  ELF32 and ELF64, either byte order, PN_XNUM.
 *
 * Physical pages are the whole pages of [p_paddr, p_paddr + p_filesz) of the
 * PT_LOADs; a page stored twice (the kernel-image segment of /proc/vmcore
 * repeats pages of a RAM segment) is taken once, from the first segment in
 * file order.  Program headers are read at e_phoff, which QEMU 7.2 puts at
 * 192, not right after the header.
 */
#include "formats/format.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/machine.h"
#include "lib/endian.h"

struct seg {
	uint64_t pfn, count;		/* whole pages */
	uint64_t off;			/* file offset of pfn's page */
	uint64_t order;			/* position among the PT_LOADs */
};

struct elfdump {
	struct seg *segs;		/* sorted by pfn, then file order */
	size_t n_segs;
};

/* Program header counts beyond this are treated as corruption. */
static const uint64_t max_phnum = 1u << 24;
static const uint64_t max_notes = 1u << 30;
/* Pages a core can lay out (pages are at most 1 MiB: offsets below 2^56); beyond: corruption. */
static const uint64_t max_pages = 1ULL << 36;

static int elf_probe(const unsigned char *head, size_t len, struct k2e_err *err)
{
	(void)err;
	if (len >= 4 && memcmp(head, ELFMAG, SELFMAG) == 0)
		return K2E_PROBE_MINE;
	return K2E_PROBE_NOT_MINE;
}

struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

static void get_phdr(const unsigned char *b, bool is64, bool be, struct phdr *ph)
{
	ph->type = k2e_get32(b, be);
	if (is64) {
		ph->offset = k2e_get64(b + 8, be);
		ph->vaddr = k2e_get64(b + 16, be);
		ph->paddr = k2e_get64(b + 24, be);
		ph->filesz = k2e_get64(b + 32, be);
		ph->memsz = k2e_get64(b + 40, be);
	} else {
		ph->offset = k2e_get32(b + 4, be);
		ph->vaddr = k2e_get32(b + 8, be);
		ph->paddr = k2e_get32(b + 12, be);
		ph->filesz = k2e_get32(b + 16, be);
		ph->memsz = k2e_get32(b + 20, be);
	}
}

static int seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	if (x->pfn != y->pfn)
		return x->pfn < y->pfn ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Read [off, off + len) into a new buffer that grows as bytes arrive, so a
 * size read from the dump costs memory only for bytes that are really there.
 */
static int read_grow(struct k2e_source *src, uint64_t off, uint64_t len, unsigned char **ret,
		     struct k2e_err *err)
{
	enum { STEP = 1 << 20 };
	unsigned char *buf = NULL;
	uint64_t got = 0;

	while (got < len || !buf) {
		size_t want = len - got < STEP ? (size_t)(len - got) : STEP, n;
		unsigned char *nb = realloc(buf, got + want + 1);

		if (!nb) {
			free(buf);
			return k2e_err_set(err, "out of memory");
		}
		buf = nb;
		if (k2e_source_read(src, buf + got, want, off + got, &n, err) < 0) {
			free(buf);
			return -1;
		}
		got += n;
		if (n < want) {
			free(buf);
			return k2e_err_set(err, "truncated at offset 0x%llx (wanted 0x%llx bytes at 0x%llx)",
					   (unsigned long long)(off + got), (unsigned long long)len,
					   (unsigned long long)off);
		}
	}
	*ret = buf;
	return 0;
}

static int append_notes(struct k2e_dump *d, struct k2e_input *in, const struct phdr *ph,
			struct k2e_err *err)
{
	unsigned char *n, *blob;

	if (ph->filesz == 0)
		return 0;
	if (ph->filesz > max_notes || d->notes_len + ph->filesz > max_notes)
		return k2e_err_set(err, "%s: PT_NOTE at offset 0x%llx: absurd size 0x%llx", in->path,
				   (unsigned long long)ph->offset, (unsigned long long)ph->filesz);
	if (read_grow(in->src, ph->offset, ph->filesz, &blob, err) < 0)
		return k2e_err_prefix(err, "%s: PT_NOTE", in->path);
	n = realloc(d->notes, d->notes_len + ph->filesz);
	if (!n) {
		free(blob);
		return k2e_err_set(err, "out of memory");
	}
	d->notes = n;
	memcpy(d->notes + d->notes_len, blob, ph->filesz);
	free(blob);
	d->notes_len += ph->filesz;
	return 0;
}

/* The page size: vmcoreinfo's PAGESIZE when present, else 4096. */
static int pick_page_size(struct k2e_dump *d, struct k2e_err *err)
{
	size_t len;
	const char *v = k2e_vmcoreinfo_find(d, "PAGESIZE", &len);
	unsigned long ps = 4096;

	if (v) {
		char buf[32];

		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, v, len);
		buf[len] = '\0';
		ps = strtoul(buf, NULL, 10);
		if (ps < 512 || ps > (1u << 20) || (ps & (ps - 1)))
			return k2e_err_set(err, "vmcoreinfo: bad PAGESIZE '%s'", buf);
	}
	d->page_size = (uint32_t)ps;
	d->page_shift = (unsigned)__builtin_ctzl(ps);
	return 0;
}

/*
 * Keep in the segments only the pages whose bytes are in the file (size
 * fsize); the rest become lost ranges, and d->runs holds what is left.
 */
static int clamp_to_file(struct k2e_dump *d, struct elfdump *e, uint64_t fsize,
			 struct k2e_err *err)
{
	uint64_t ps = d->page_size;
	size_t n = 0;
	bool cut = false;

	for (size_t i = 0; i < e->n_segs; i++) {
		struct seg *s = &e->segs[i];
		uint64_t in_file = s->off >= fsize ? 0 : (fsize - s->off) / ps;

		if (in_file < s->count) {
			if (k2e_dump_lost_add(d, s->pfn + in_file, s->count - in_file,
					      s->off + in_file * ps, (uint32_t)ps, 0, K2E_LOST_DATA_EOF,
					      err) < 0)
				return -1;
			s->count = in_file;
			cut = true;
		}
		if (s->count)
			e->segs[n++] = *s;
	}
	e->n_segs = n;
	if (!cut)
		return 0;
	k2e_runs_release(&d->runs);
	for (size_t i = 0; i < e->n_segs; i++)
		if (k2e_runs_append(&d->runs, e->segs[i].pfn, e->segs[i].count, err) < 0)
			return -1;
	k2e_runs_normalize(&d->runs);
	return k2e_dump_lost_finish(d, err);
}

static int elf_open(struct k2e_dump *d, struct k2e_err *err)
{
	struct k2e_input *in = &d->in[0];
	struct elfdump *e = calloc(1, sizeof(*e));
	unsigned char eh[64];
	unsigned char *pb = NULL;
	struct phdr *ph = NULL;
	uint64_t phoff, shoff, phnum, phentsize, fsize = k2e_source_size(in->src);
	bool is64, be;
	size_t n_load = 0;
	int rc = -1;

	if (!e)
		return k2e_err_set(err, "out of memory");
	d->priv = e;
	if (k2e_source_read_exact(in->src, eh, 52, 0, err) < 0)
		return k2e_err_prefix(err, "%s: ELF header", in->path);
	if (eh[EI_CLASS] != ELFCLASS32 && eh[EI_CLASS] != ELFCLASS64)
		return k2e_err_set(err, "%s: ELF header at offset 0x4: bad class %u", in->path, eh[EI_CLASS]);
	if (eh[EI_DATA] != ELFDATA2LSB && eh[EI_DATA] != ELFDATA2MSB)
		return k2e_err_set(err, "%s: ELF header at offset 0x5: bad data encoding %u", in->path,
				   eh[EI_DATA]);
	is64 = eh[EI_CLASS] == ELFCLASS64;
	be = eh[EI_DATA] == ELFDATA2MSB;
	if (is64 && k2e_source_read_exact(in->src, eh, 64, 0, err) < 0)
		return k2e_err_prefix(err, "%s: ELF header", in->path);
	if (k2e_get16(eh + 16, be) != ET_CORE)
		return k2e_err_set(err, "%s: ELF header at offset 0x10: not a core file (e_type %u)",
				   in->path, k2e_get16(eh + 16, be));
	d->big_endian = be;
	d->ptr_bits = is64 ? 64 : 32;
	d->e_machine = k2e_get16(eh + 18, be);
	d->header_version = -1;
	if (is64) {
		phoff = k2e_get64(eh + 32, be);
		shoff = k2e_get64(eh + 40, be);
		d->incomplete_flag = k2e_get32(eh + 48, be) & 1;
		phentsize = k2e_get16(eh + 54, be);
		phnum = k2e_get16(eh + 56, be);
	} else {
		phoff = k2e_get32(eh + 28, be);
		shoff = k2e_get32(eh + 32, be);
		d->incomplete_flag = k2e_get32(eh + 36, be) & 1;
		phentsize = k2e_get16(eh + 42, be);
		phnum = k2e_get16(eh + 44, be);
	}
	if (phentsize != (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
		return k2e_err_set(err, "%s: ELF header: bad e_phentsize %llu", in->path,
				   (unsigned long long)phentsize);
	if (phnum == PN_XNUM) {
		unsigned char sh[64];

		/* The real count is in section header 0's sh_info. */
		if (k2e_source_read_exact(in->src, sh, is64 ? 64 : 40, shoff, err) < 0)
			return k2e_err_prefix(err, "%s: section header 0 (PN_XNUM)", in->path);
		phnum = k2e_get32(sh + (is64 ? 44 : 28), be);
	}
	if (phnum == 0 || phnum > max_phnum || (fsize != UINT64_MAX && phoff > fsize))
		return k2e_err_set(err, "%s: ELF header: bad program headers (e_phoff 0x%llx, %llu entries)",
				   in->path, (unsigned long long)phoff, (unsigned long long)phnum);
	/* Read first: the arrays below are sized by headers that are really there. */
	if (read_grow(in->src, phoff, phnum * phentsize, &pb, err) < 0) {
		k2e_err_prefix(err, "%s: program headers", in->path);
		goto out;
	}
	ph = calloc(phnum, sizeof(*ph));
	e->segs = calloc(phnum, sizeof(*e->segs));
	d->vmaps = calloc(phnum, sizeof(*d->vmaps));
	if (!ph || !e->segs || !d->vmaps) {
		k2e_err_set(err, "out of memory");
		goto out;
	}
	for (uint64_t i = 0; i < phnum; i++) {
		get_phdr(pb + i * phentsize, is64, be, &ph[i]);
		if (ph[i].type == PT_NOTE && append_notes(d, in, &ph[i], err) < 0)
			goto out;
	}
	if (pick_page_size(d, err) < 0) {
		k2e_err_prefix(err, "%s", in->path);
		goto out;
	}
	for (uint64_t i = 0; i < phnum; i++) {
		uint64_t ps = d->page_size, first, end;

		if (ph[i].type != PT_LOAD || (ph[i].filesz == 0 && ph[i].memsz == 0))
			continue;
		if (ph[i].paddr + ph[i].filesz < ph[i].paddr ||
		    ph[i].offset + ph[i].filesz < ph[i].offset) {
			k2e_err_set(err, "%s: program header %llu: segment wraps around", in->path,
				    (unsigned long long)i);
			goto out;
		}
		first = (ph[i].paddr + ps - 1) / ps;
		end = (ph[i].paddr + ph[i].filesz) / ps;
		d->vmaps[d->n_vmaps++] = (struct k2e_vmap){ ph[i].vaddr, ph[i].paddr, ph[i].memsz };
		if (ph[i].memsz > ph[i].filesz && ph[i].paddr + ph[i].memsz > ph[i].paddr) {
			uint64_t zs = (ph[i].paddr + ph[i].filesz + ps - 1) / ps;
			uint64_t ze = (ph[i].paddr + ph[i].memsz) / ps;

			if (ze > zs && k2e_runs_append(&d->zero_fill, zs, ze - zs, err) < 0)
				goto out;
		}
		if (end <= first)
			continue;
		e->segs[n_load] = (struct seg){
			.pfn = first,
			.count = end - first,
			.off = ph[i].offset + (first * ps - ph[i].paddr),
			.order = i,
		};
		if (k2e_runs_append(&d->runs, first, end - first, err) < 0)
			goto out;
		n_load++;
	}
	e->n_segs = n_load;
	{
		/* Declared pages must fit a core's offsets (a stream cannot be cut to its size). */
		uint64_t total = 0;

		for (size_t i = 0; i < n_load; i++) {
			total += e->segs[i].count;
			if (total > max_pages) {
				k2e_err_set(err, "%s: program headers declare more than 0x%llx pages",
					    in->path, (unsigned long long)max_pages);
				goto out;
			}
		}
	}
	qsort(e->segs, e->n_segs, sizeof(*e->segs), seg_cmp);
	k2e_runs_normalize(&d->runs);
	if (k2e_runs_subtract(&d->zero_fill, &d->runs, err) < 0)
		goto out;
	if (fsize != UINT64_MAX && clamp_to_file(d, e, fsize, err) < 0)
		goto out;
	d->n_dumped = k2e_runs_total(&d->runs);
	d->max_pfn = d->runs.n ? d->runs.v[d->runs.n - 1].start + d->runs.v[d->runs.n - 1].count : 0;
	d->zero_off = UINT64_MAX;
	{
		const struct k2e_machine_info *mi = k2e_machine_by_elf(d->e_machine, d->ptr_bits);

		if (mi)
			snprintf(d->machine, sizeof(d->machine), "%s", mi->prefix);
	}
	snprintf(d->format_desc, sizeof(d->format_desc), "elf%u", d->ptr_bits);
	rc = 0;
out:
	free(pb);
	free(ph);
	return rc;
}

struct k2e_page_iter {
	struct k2e_dump *d;
	struct elfdump *e;
	size_t seg;
	uint64_t pfn;			/* next pfn to yield */
};

static int elf_iter_new(struct k2e_dump *d, struct k2e_page_iter **ret, struct k2e_err *err)
{
	struct k2e_page_iter *it = calloc(1, sizeof(*it));

	if (!it)
		return k2e_err_set(err, "out of memory");
	it->d = d;
	it->e = d->priv;
	*ret = it;
	return 0;
}

static int elf_iter_next(struct k2e_page_iter *it, struct k2e_page_ref *ret, struct k2e_err *err)
{
	const struct seg *s;
	uint64_t fsize;

	(void)err;
	for (;;) {
		if (it->seg >= it->e->n_segs)
			return 0;
		s = &it->e->segs[it->seg];
		if (it->pfn < s->pfn)
			it->pfn = s->pfn;
		if (it->pfn < s->pfn + s->count)
			break;
		it->seg++;	/* a page in several segments comes from the first */
	}
	memset(ret, 0, sizeof(*ret));
	ret->pfn = it->pfn;
	ret->off = s->off + ((it->pfn - s->pfn) << it->d->page_shift);
	ret->size = it->d->page_size;
	ret->codec = K2E_CODEC_RAW;
	ret->kind = K2E_PAGE_DATA;
	/*
	 * A seekable file's segments were cut to the file at open; a stream's
	 * size is known once it ended: then the rest of the segment is lost as
	 * one range, not page by page.
	 */
	fsize = k2e_source_size(it->d->in[0].src);
	if (fsize != UINT64_MAX && ret->off + ret->size > fsize) {
		ret->kind = K2E_PAGE_LOST;
		ret->reason = K2E_LOST_DATA_EOF;
		ret->count = s->pfn + s->count - it->pfn;
		it->pfn += ret->count;
		return 1;
	}
	it->pfn++;
	return 1;
}

static void elf_iter_free(struct k2e_page_iter *it)
{
	free(it);
}

static void elf_close(struct k2e_dump *d)
{
	struct elfdump *e = d->priv;

	if (e) {
		free(e->segs);
		free(e);
	}
	d->priv = NULL;
}

const struct k2e_format k2e_format_elf = {
	.name = "elf",
	.probe = elf_probe,
	.open = elf_open,
	.iter_new = elf_iter_new,
	.iter_next = elf_iter_next,
	.iter_free = elf_iter_free,
	.close = elf_close,
};
