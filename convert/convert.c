/* convert.c - one dump to one ELF64 core: layout, pages, mappings, headers. */
#include "convert/convert.h"

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/arch.h"
#include "convert/k2e-notes.h"
#include "convert/layout.h"
#include "lib/endian.h"
#include "lib/outfile.h"

/* Room for kdump2elf's own notes (NT_K2E_INFO is cut to fit). */
static const size_t k2e_notes_reserve = 64 << 10;

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
}

void k2e_convert_result_release(struct k2e_convert_result *r)
{
	k2e_page_stats_release(&r->pages);
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

/* Physical pages present in the output: dumped and not lost. */
struct present {
	const struct k2e_layout *l;
	const struct k2e_runs *lost;
	int fd;
};

static bool pfn_present(const struct present *p, uint64_t pfn)
{
	return k2e_runs_find(p->l->runs, pfn) >= 0 && k2e_runs_find(p->lost, pfn) < 0;
}

static int present_read(void *arg, uint64_t paddr, void *buf, size_t len)
{
	const struct present *p = arg;
	uint64_t pfn = paddr >> p->l->page_shift, off;
	size_t done = 0;

	if ((paddr & (p->l->page_size - 1)) + len > p->l->page_size || !pfn_present(p, pfn))
		return -1;
	off = k2e_layout_pfn_off(p->l, pfn) + (paddr & (p->l->page_size - 1));
	while (done < len) {
		ssize_t n = pread(p->fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {	/* a hole at the end of the data: zeros */
			memset((char *)buf + done, 0, len - done);
			break;
		}
		done += (size_t)n;
	}
	return 0;
}

/* The list of PT_LOADs being built. */
struct loads {
	Elf64_Phdr *v;
	size_t n, cap;
};

static int loads_add(struct loads *ls, uint64_t off, uint64_t vaddr, uint64_t paddr,
		     uint64_t len, struct k2e_err *err)
{
	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 256;
		Elf64_Phdr *v = realloc(ls->v, cap * sizeof(*v));

		if (!v)
			return k2e_err_set(err, "out of memory");
		ls->v = v;
		ls->cap = cap;
	}
	ls->v[ls->n++] = (Elf64_Phdr){
		.p_type = PT_LOAD,
		.p_flags = PF_R | PF_W | PF_X,
		.p_offset = off,
		.p_vaddr = vaddr,
		.p_paddr = paddr,
		.p_filesz = len,
		.p_memsz = len,
	};
	return 0;
}

/*
 * Add [paddr, paddr+len) seen at vaddr, cut into pieces that are present and
 * contiguous in the file.  With vaddr == UINT64_MAX, the direct map: vaddr
 * is paddr + delta.
 */
static int add_mapped(struct loads *ls, const struct present *p, uint64_t vaddr,
		      uint64_t paddr, uint64_t len, struct k2e_err *err)
{
	uint64_t ps = p->l->page_size, pfn = paddr / ps, end = (paddr + len) / ps;
	size_t run = 0;

	while (pfn < end) {
		uint64_t start = pfn, off;

		while (pfn < end && !pfn_present(p, pfn))
			pfn++;
		if (pfn >= end)
			break;
		start = pfn;
		off = k2e_layout_pfn_off_seq(p->l, pfn, &run);
		while (pfn < end && pfn_present(p, pfn) &&
		       k2e_layout_pfn_off(p->l, pfn) == off + (pfn - start) * ps)
			pfn++;
		if (loads_add(ls, off, vaddr + (start * ps - paddr), start * ps,
			      (pfn - start) * ps, err) < 0)
			return -1;
	}
	return 0;
}

/* The delta (vaddr - paddr) that maps the most bytes below the kernel image. */
static bool direct_map_delta(const struct k2e_vmaps *m, uint64_t kimage_start, uint64_t *ret)
{
	uint64_t best = 0, best_len = 0;

	for (size_t i = 0; i < m->n; i++) {
		uint64_t delta = m->v[i].vaddr - m->v[i].paddr, total = 0;

		if (m->v[i].vaddr >= kimage_start)
			continue;
		for (size_t j = 0; j < m->n; j++)
			if (m->v[j].vaddr < kimage_start && m->v[j].vaddr - m->v[j].paddr == delta)
				total += m->v[j].len;
		if (total > best_len) {
			best_len = total;
			best = delta;
		}
		/* Mappings of one delta are usually adjacent: skip them. */
		while (i + 1 < m->n && m->v[i + 1].vaddr - m->v[i + 1].paddr == delta)
			i++;
	}
	if (!best_len)
		return false;
	*ret = best;
	return true;
}

/* Delta from the input's own program headers (ELF input), if it has one. */
static bool input_delta(const struct k2e_dump *d, uint64_t kimage_start, uint64_t *ret)
{
	for (size_t i = 0; i < d->n_vmaps; i++) {
		const struct k2e_vmap *v = &d->vmaps[i];

		if (v->vaddr != v->paddr && v->vaddr < kimage_start && v->vaddr != 0) {
			*ret = v->vaddr - v->paddr;
			return true;
		}
	}
	return false;
}

static void put_note(unsigned char **pp, const char *name, uint32_t type, const void *desc,
		     size_t len, bool be)
{
	unsigned char *p = *pp;
	size_t namesz = strlen(name) + 1;

	k2e_put32(p, (uint32_t)namesz, be);
	k2e_put32(p + 4, (uint32_t)len, be);
	k2e_put32(p + 8, type, be);
	memset(p + 12, 0, ((namesz + 3) & ~(size_t)3) + ((len + 3) & ~(size_t)3));
	memcpy(p + 12, name, namesz);
	p += 12 + ((namesz + 3) & ~(size_t)3);
	if (len)
		memcpy(p, desc, len);
	p += (len + 3) & ~(size_t)3;
	*pp = p;
}

static size_t note_size(const char *name, size_t len)
{
	return 12 + ((strlen(name) + 1 + 3) & ~(size_t)3) + ((len + 3) & ~(size_t)3);
}

/* KEY=VALUE text describing the conversion (NT_K2E_INFO). */
static char *info_text(const struct k2e_dump *d, const struct k2e_page_stats *st)
{
	size_t cap = k2e_notes_reserve / 2, len = 0;
	char *t = malloc(cap);

	if (!t)
		return NULL;
	len += (size_t)snprintf(t + len, cap - len, "FORMAT=%s\nPAGES_DUMPED=%llu\nPAGES_LOST=%llu\n",
				d->format_desc, (unsigned long long)st->dumped,
				(unsigned long long)st->lost);
	for (size_t i = 0; i < d->n_in && len < cap; i++)
		len += (size_t)snprintf(t + len, cap - len, "INPUT=%s\n", d->in[i].path);
	for (size_t i = 0; i < st->lost_runs.n && len < cap; i++) {
		if (len > cap - 256) {
			len += (size_t)snprintf(t + len, cap - len, "LOST_MORE=%zu\n", st->lost_runs.n - i);
			break;
		}
		len += (size_t)snprintf(t + len, cap - len, "LOST=0x%llx-0x%llx\n",
					(unsigned long long)st->lost_runs.v[i].start,
					(unsigned long long)(st->lost_runs.v[i].start +
							     st->lost_runs.v[i].count - 1));
	}
	if (len >= cap)
		len = cap - 1;
	t[len] = '\0';
	return t;
}

static int write_all(int fd, const void *buf, size_t len, uint64_t off, struct k2e_err *err)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return k2e_err_errno(err, errno, "cannot write output at offset 0x%llx",
					     (unsigned long long)(off + done));
		}
		done += (size_t)n;
	}
	return 0;
}

static void put_phdr(unsigned char *p, const Elf64_Phdr *ph, bool be)
{
	k2e_put32(p, ph->p_type, be);
	k2e_put32(p + 4, ph->p_flags, be);
	k2e_put64(p + 8, ph->p_offset, be);
	k2e_put64(p + 16, ph->p_vaddr, be);
	k2e_put64(p + 24, ph->p_paddr, be);
	k2e_put64(p + 32, ph->p_filesz, be);
	k2e_put64(p + 40, ph->p_memsz, be);
	k2e_put64(p + 48, ph->p_align, be);
}

/* Notes, program headers, ELF header (and a section header for PN_XNUM). */
static int write_headers(struct k2e_dump *d, const struct k2e_layout *l, int fd,
			 const struct loads *ls, const unsigned char *notes, size_t notes_len,
			 bool incomplete, struct k2e_convert_result *res, struct k2e_err *err)
{
	bool be = d->big_endian;
	uint64_t nph = 1 + ls->n, notes_off = l->notes_off, end = l->data_end;
	uint64_t shoff = 0;
	unsigned char eh[64] = { 0 };
	unsigned char *ph;
	int rc = -1;

	if (nph > l->phdr_cap)
		return k2e_err_set(err, "internal: %llu program headers exceed the room for %llu",
				   (unsigned long long)nph, (unsigned long long)l->phdr_cap);
	if (notes_len > l->notes_cap)
		return k2e_err_set(err, "internal: %zu bytes of notes exceed the room for %llu",
				   notes_len, (unsigned long long)l->notes_cap);
	if (write_all(fd, notes, notes_len, notes_off, err) < 0)
		return -1;
	if (nph >= PN_XNUM) {
		unsigned char sh[64] = { 0 };

		shoff = (end + 7) & ~7ULL;
		k2e_put32(sh + 44, (uint32_t)nph, be);	/* sh_info: the real count */
		if (write_all(fd, sh, sizeof(sh), shoff, err) < 0)
			return -1;
		end = shoff + sizeof(sh);
	}
	ph = calloc(nph, sizeof(Elf64_Phdr));
	if (!ph)
		return k2e_err_set(err, "out of memory");
	{
		Elf64_Phdr note = {
			.p_type = PT_NOTE,
			.p_offset = notes_off,
			.p_filesz = notes_len,
			.p_memsz = notes_len,
		};

		put_phdr(ph, &note, be);
	}
	for (size_t i = 0; i < ls->n; i++)
		put_phdr(ph + (i + 1) * sizeof(Elf64_Phdr), &ls->v[i], be);
	if (write_all(fd, ph, nph * sizeof(Elf64_Phdr), sizeof(Elf64_Ehdr), err) < 0)
		goto out;

	memcpy(eh, ELFMAG, SELFMAG);
	eh[EI_CLASS] = ELFCLASS64;
	eh[EI_DATA] = be ? ELFDATA2MSB : ELFDATA2LSB;
	eh[EI_VERSION] = EV_CURRENT;
	eh[EI_OSABI] = ELFOSABI_NONE;
	k2e_put16(eh + 16, ET_CORE, be);
	k2e_put16(eh + 18, d->e_machine, be);
	k2e_put32(eh + 20, EV_CURRENT, be);
	k2e_put64(eh + 32, sizeof(Elf64_Ehdr), be);		/* e_phoff */
	k2e_put64(eh + 40, shoff, be);				/* e_shoff */
	k2e_put32(eh + 48, incomplete ? 1 : 0, be);		/* e_flags: makedumpfile's "incomplete" */
	k2e_put16(eh + 52, sizeof(Elf64_Ehdr), be);
	k2e_put16(eh + 54, sizeof(Elf64_Phdr), be);
	k2e_put16(eh + 56, nph >= PN_XNUM ? PN_XNUM : (uint16_t)nph, be);
	k2e_put16(eh + 58, shoff ? sizeof(Elf64_Shdr) : 0, be);
	k2e_put16(eh + 60, shoff ? 1 : 0, be);
	k2e_put16(eh + 62, SHN_UNDEF, be);
	if (write_all(fd, eh, sizeof(eh), 0, err) < 0)
		goto out;
	if (ftruncate(fd, (off_t)end) < 0) {
		k2e_err_errno(err, errno, "cannot set the output's size");
		goto out;
	}
	res->n_phdrs = nph;
	res->file_size = end;
	rc = 0;
out:
	free(ph);
	return rc;
}

static int build_notes(const struct k2e_dump *d, const struct k2e_page_stats *st,
		       const struct k2e_layout *l, struct k2e_convert_result *res,
		       unsigned char **ret, size_t *ret_len, struct k2e_err *err)
{
	bool erase;
	char *info = info_text(d, st);
	size_t len, info_len;
	unsigned char *buf, *p;

	if (!info)
		return k2e_err_set(err, "out of memory");
	info_len = strlen(info);
	len = ((d->notes_len + 3) & ~(size_t)3) + note_size(K2E_NOTE_NAME, info_len);
	erase = d->eraseinfo_len && len + note_size(K2E_NOTE_NAME, d->eraseinfo_len) <= l->notes_cap;
	if (d->eraseinfo_len && !erase)
		warn(res, "eraseinfo (%zu bytes) arrived late and does not fit: left out",
		     d->eraseinfo_len);
	if (erase)
		len += note_size(K2E_NOTE_NAME, d->eraseinfo_len);
	buf = malloc(len);
	if (!buf) {
		free(info);
		return k2e_err_set(err, "out of memory");
	}
	memcpy(buf, d->notes, d->notes_len);
	/* Pad the input's notes to 4 bytes, as note readers expect. */
	p = buf + d->notes_len;
	while ((size_t)(p - buf) & 3)
		*p++ = 0;
	put_note(&p, K2E_NOTE_NAME, NT_K2E_INFO, info, info_len, d->big_endian);
	if (erase)
		put_note(&p, K2E_NOTE_NAME, NT_K2E_ERASEINFO, d->eraseinfo, d->eraseinfo_len,
			 d->big_endian);
	free(info);
	*ret = buf;
	*ret_len = (size_t)(p - buf);
	return 0;
}

static int build_loads(struct k2e_dump *d, const struct k2e_layout *l, int fd,
		       struct k2e_convert_result *res, const struct k2e_convert_opts *opts,
		       struct loads *ls, struct k2e_err *err)
{
	const struct k2e_arch *arch = k2e_arch_find(d->e_machine);
	struct present pr = { .l = l, .lost = &res->pages.lost_runs, .fd = fd };
	struct k2e_phys_reader reader = { .read = present_read, .arg = &pr };
	struct k2e_vmaps maps;
	uint64_t delta = 0, kimage_start = arch ? arch->kimage_start : UINT64_MAX;
	bool have_delta = false, have_maps = false;
	int rc = -1;

	k2e_vmaps_init(&maps);
	if (!arch)
		snprintf(res->vmap_note, sizeof(res->vmap_note),
			 "no page table walker for e_machine %u", d->e_machine);
	else if (opts->no_vmap)
		snprintf(res->vmap_note, sizeof(res->vmap_note), "--no-vmap given");
	if (arch && !opts->no_vmap) {
		struct k2e_err werr;

		int wrc = arch->kernel_mappings(d, &reader, &maps, &werr);

		if (wrc == 0)
			have_maps = true;
		else if (wrc == -2)
			snprintf(res->vmap_note, sizeof(res->vmap_note), "%s", werr.msg);
		else
			warn(res, "kernel virtual addresses not mapped: %s", werr.msg);
	}
	if (have_maps)
		have_delta = direct_map_delta(&maps, kimage_start, &delta);
	if (!have_delta)
		have_delta = input_delta(d, kimage_start, &delta);
	res->page_offset_known = have_delta;
	res->page_offset = delta;

	/* Physical runs at their direct-map addresses (or at their physical ones). */
	for (size_t i = 0; i < d->runs.n; i++) {
		uint64_t pa = d->runs.v[i].start << l->page_shift;
		uint64_t len = d->runs.v[i].count << l->page_shift;

		if (add_mapped(ls, &pr, have_delta ? pa + delta : pa, pa, len, err) < 0)
			goto out;
	}
	/* Memory the input says reads as zeros: p_memsz past p_filesz, as there. */
	for (size_t i = 0; i < d->zero_fill.n; i++) {
		uint64_t pa = d->zero_fill.v[i].start << l->page_shift;
		uint64_t len = d->zero_fill.v[i].count << l->page_shift;
		Elf64_Phdr *prev = NULL;

		for (size_t j = 0; j < ls->n; j++)
			if (ls->v[j].p_paddr + ls->v[j].p_memsz == pa)
				prev = &ls->v[j];
		if (prev) {
			prev->p_memsz += len;
		} else {
			if (loads_add(ls, l->data_start, have_delta ? pa + delta : pa, pa, 0, err) < 0)
				goto out;
			ls->v[ls->n - 1].p_memsz = len;
		}
	}
	res->n_phys_loads = ls->n;

	/* Aliases: the kernel image first (crash finds phys_base there), then the rest. */
	for (int pass = 0; pass < 2 && have_maps; pass++) {
		for (size_t i = 0; i < maps.n; i++) {
			const struct k2e_vmap *m = &maps.v[i];
			bool kimage = m->vaddr >= kimage_start && m->vaddr < arch->kimage_end;

			if ((pass == 0) != kimage)
				continue;
			if (have_delta && m->vaddr - m->paddr == delta)
				continue;	/* the direct map: already there */
			if (1 + ls->n >= l->phdr_cap) {
				warn(res, "too many virtual mappings: only %llu program headers fit; the rest are left out",
				     (unsigned long long)l->phdr_cap);
				pass = 2;
				break;
			}
			if (add_mapped(ls, &pr, m->vaddr, m->paddr, m->len, err) < 0)
				goto out;
			if (1 + ls->n > l->phdr_cap)
				ls->n = l->phdr_cap - 1;
		}
	}
	res->n_alias_loads = ls->n - res->n_phys_loads;
	rc = 0;
out:
	k2e_vmaps_release(&maps);
	return rc;
}

int k2e_convert(struct k2e_dump *d, const struct k2e_convert_opts *opts,
		struct k2e_convert_result *res, struct k2e_err *err)
{
	struct k2e_pages_opts popts = {
		.threads = opts->threads ? opts->threads : 1,
		.progress = opts->progress,
		.progress_arg = opts->progress_arg,
	};
	struct k2e_layout l;
	struct k2e_outfile out;
	struct loads ls = { 0 };
	unsigned char *notes = NULL;
	size_t notes_len = 0;
	int rc = -1;

	if (k2e_layout_init(&l, &d->runs, d->page_size, phdr_capacity(d),
			    ((d->notes_len + 3) & ~(size_t)3) + d->eraseinfo_hint + k2e_notes_reserve,
			    err) < 0)
		return -1;
	if (k2e_outfile_create(&out, opts->output, err) < 0) {
		k2e_layout_release(&l);
		return -1;
	}
	if (k2e_pages_convert(d, &l, out.fd, &popts, &res->pages, err) < 0)
		goto fail;
	if (d->fmt->finish && d->fmt->finish(d, err) < 0)
		goto fail;
	for (size_t i = 0; i < d->n_in; i++) {
		struct k2e_source *s = d->in[i].src;

		if (k2e_source_drain(s, err) < 0) {
			k2e_err_prefix(err, "%s", d->in[i].path);
			goto fail;
		}
		if (s->stats.truncated) {
			res->stream_truncated = true;
			warn(res, "%s: flattened stream ends without its end marker (truncated)",
			     d->in[i].path);
		}
	}
	if (build_loads(d, &l, out.fd, res, opts, &ls, err) < 0)
		goto fail;
	if (build_notes(d, &res->pages, &l, res, &notes, &notes_len, err) < 0)
		goto fail;
	if (write_headers(d, &l, out.fd, &ls, notes, notes_len,
			  res->pages.lost > 0 || d->incomplete_flag, res, err) < 0)
		goto fail;
	if (k2e_outfile_commit(&out, opts->force, err) < 0)
		goto done;
	rc = 0;
	goto done;
fail:
	k2e_outfile_abort(&out);
done:
	free(notes);
	free(ls.v);
	k2e_layout_release(&l);
	return rc;
}
