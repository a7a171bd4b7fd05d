/* convert.c - one dump to one ELF64 core: layout, pages, mappings, headers. */
#include "convert/convert.h"

#include <elf.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/arch.h"
#include "convert/gdbscript.h"
#include "convert/k2e-notes.h"
#include "debug/kinfo.h"
#include "convert/layout.h"
#include "lib/endian.h"
#include "lib/fileio.h"
#include "lib/outfile.h"
#include "kernel/kmem.h"
#include "symbols/kallsyms.h"
#include "symbols/sidecar.h"

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
	free(r->vmlinux);
	free(r->gdb_script);
	free(r->cpu_map);
	free(r->sidecar);
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
	if (k2e_pwrite_all(fd, notes, notes_len, notes_off, err) < 0)
		return -1;
	if (nph >= PN_XNUM) {
		unsigned char sh[64] = { 0 };

		shoff = (end + 7) & ~7ULL;
		k2e_put32(sh + 44, (uint32_t)nph, be);	/* sh_info: the real count */
		if (k2e_pwrite_all(fd, sh, sizeof(sh), shoff, err) < 0)
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
	if (k2e_pwrite_all(fd, ph, nph * sizeof(Elf64_Phdr), sizeof(Elf64_Ehdr), err) < 0)
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
	if (k2e_pwrite_all(fd, eh, sizeof(eh), 0, err) < 0)
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

/*
 * gdb names a core's threads by pr_pid and folds notes with equal pids
 * (idle CPUs all say 0).  Give those a thread id of their own, above any
 * real pid (PID_MAX_LIMIT is 2^22), that names the CPU: 4194304 + cpu.
 * Busy CPUs keep their pid: drgn finds a task's registers by it.
 */
static const uint32_t k2e_idle_tid_base = 1u << 22;

static uint32_t thread_id(const struct k2e_kinfo *ki, size_t i)
{
	const struct k2e_prstatus *p = &ki->prs[i];
	bool dup = p->pid == 0;

	for (size_t j = 0; j < ki->n_prs && !dup; j++)
		dup = j != i && ki->prs[j].pid == p->pid;
	if (!dup)
		return p->pid;
	/* CPU unknown (no symbols): still distinct, past any CPU number. */
	return k2e_idle_tid_base + (uint32_t)(p->cpu >= 0 ? (size_t)p->cpu : 65536 + i);
}

static void retag_threads(unsigned char *notes, const struct k2e_dump *d,
			  const struct k2e_kinfo *ki)
{
	size_t pid_off = k2e_prstatus_pid_offset(d->e_machine, d->ptr_bits);

	for (size_t i = 0; i < ki->n_prs; i++)
		k2e_put32(notes + ki->prs[i].offset + pid_off, thread_id(ki, i), d->big_endian);
}

/* KEY=VALUE lines: one per NT_PRSTATUS note, in note order (NT_K2E_CPUS). */
static char *cpus_text(const struct k2e_dump *d, const struct k2e_kinfo *ki)
{
	size_t cap = 128 + ki->n_prs * 64, len = 0;
	char *t = malloc(cap);

	(void)d;
	if (!t)
		return NULL;
	len += (size_t)snprintf(t, cap, "PANIC_CPU=%d\n", ki->panic_cpu);
	for (size_t i = 0; i < ki->n_prs; i++)
		len += (size_t)snprintf(t + len, cap - len, "NOTE=%zu CPU=%d PID=%u TID=%u\n", i,
					ki->prs[i].cpu, ki->prs[i].pid, thread_id(ki, i));
	return t;
}

static int build_notes(const struct k2e_dump *d, const struct k2e_page_stats *st,
		       const struct k2e_layout *l, struct k2e_convert_result *res,
		       struct k2e_kinfo *ki, unsigned char **ret, size_t *ret_len,
		       struct k2e_err *err)
{
	bool erase;
	char *cpus = NULL;
	size_t cpus_len = 0;
	char *info = info_text(d, st);
	size_t len, info_len;
	unsigned char *buf, *p;

	if (!info)
		return k2e_err_set(err, "out of memory");
	info_len = strlen(info);
	if (ki->n_prs && !(cpus = cpus_text(d, ki))) {
		free(info);
		return k2e_err_set(err, "out of memory");
	}
	cpus_len = cpus ? strlen(cpus) : 0;
	len = ((d->notes_len + 3) & ~(size_t)3) + note_size(K2E_NOTE_NAME, info_len);
	if (cpus)
		len += note_size(K2E_NOTE_NAME, cpus_len);
	erase = d->eraseinfo_len && len + note_size(K2E_NOTE_NAME, d->eraseinfo_len) <= l->notes_cap;
	if (d->eraseinfo_len && !erase)
		warn(res, "eraseinfo (%zu bytes) arrived late and does not fit: left out",
		     d->eraseinfo_len);
	if (erase)
		len += note_size(K2E_NOTE_NAME, d->eraseinfo_len);
	buf = malloc(len);
	if (!buf) {
		free(info);
		free(cpus);
		return k2e_err_set(err, "out of memory");
	}
	if (d->notes_len)
		memcpy(buf, d->notes, d->notes_len);
	retag_threads(buf, d, ki);
	/* Pad the input's notes to 4 bytes, as note readers expect. */
	p = buf + d->notes_len;
	while ((size_t)(p - buf) & 3)
		*p++ = 0;
	put_note(&p, K2E_NOTE_NAME, NT_K2E_INFO, info, info_len, d->big_endian);
	if (cpus)
		put_note(&p, K2E_NOTE_NAME, NT_K2E_CPUS, cpus, cpus_len, d->big_endian);
	res->cpu_map = cpus;
	if (erase)
		put_note(&p, K2E_NOTE_NAME, NT_K2E_ERASEINFO, d->eraseinfo, d->eraseinfo_len,
			 d->big_endian);
	free(info);
	*ret = buf;
	*ret_len = (size_t)(p - buf);
	return 0;
}

static int build_loads(struct k2e_dump *d, const struct k2e_layout *l, struct present *ppr,
		       struct k2e_convert_result *res, const struct k2e_convert_opts *opts,
		       struct loads *ls, struct k2e_vmaps *ret_maps, struct k2e_err *err)
{
	const struct k2e_arch *arch = k2e_arch_find(d->e_machine);
	struct present pr = *ppr;
	struct k2e_phys_reader reader = { .read = present_read, .arg = ppr };
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
	if (rc == 0) {
		*ret_maps = maps;
		/* The direct map is linear: add it once for the virtual reader. */
		if (have_delta && !have_maps) {
			for (size_t i = 0; i < d->runs.n; i++) {
				uint64_t pa = d->runs.v[i].start << l->page_shift;

				(void)k2e_vmaps_add(ret_maps, pa + delta, pa,
						    d->runs.v[i].count << l->page_shift, err);
			}
		}
	} else {
		k2e_vmaps_release(&maps);
	}
	return rc;
}

/* The dumped kernel's virtual memory: the page-table mappings over present pages. */
struct kview {
	const struct k2e_vmaps *maps;
	struct present *pr;
};

static int kview_read(void *arg, uint64_t va, void *buf, size_t len)
{
	const struct kview *kv = arg;
	const struct k2e_vmaps *m = kv->maps;
	unsigned char *out = buf;

	while (len) {
		size_t lo = 0, hi = m->n, chunk;
		uint64_t pa, in_page;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (m->v[mid].vaddr + m->v[mid].len <= va)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo >= m->n || m->v[lo].vaddr > va)
			return -1;
		pa = m->v[lo].paddr + (va - m->v[lo].vaddr);
		in_page = kv->pr->l->page_size - (pa & (kv->pr->l->page_size - 1));
		chunk = len < in_page ? len : (size_t)in_page;
		if (present_read(kv->pr, pa, out, chunk) < 0)
			return -1;
		out += chunk;
		va += chunk;
		len -= chunk;
	}
	return 0;
}

static int vmap_cmp(const void *a, const void *b)
{
	const struct k2e_vmap *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/* Symbols, CPUs and modules of the dumped kernel (debug/kinfo.h). */
static int read_kernel(struct k2e_dump *d, const struct k2e_convert_opts *opts,
		       struct present *pr, struct k2e_vmaps *maps,
		       struct k2e_convert_result *res, struct k2e_kinfo *ki, struct k2e_err *err)
{
	struct kview kv = { .maps = maps, .pr = pr };
	struct k2e_kread kr = { .read = kview_read, .arg = &kv };
	struct k2e_vmlinux *vml = NULL;
	struct k2e_err verr;
	bool had_vml;
	int rc;

	if (maps->n)
		qsort(maps->v, maps->n, sizeof(*maps->v), vmap_cmp);
	res->panic_cpu = -1;
	if (k2e_vmcoreinfo_find(d, "OSRELEASE", &(size_t){ 0 })) {
		res->vmlinux = k2e_find_vmlinux(d, opts->vmlinux, &verr);
		if (!res->vmlinux) {
			if (opts->vmlinux)
				return k2e_err_set(err, "%s", verr.msg);
			snprintf(res->vmlinux_note, sizeof(res->vmlinux_note), "%s", verr.msg);
		} else if (k2e_vmlinux_open(res->vmlinux, &vml, &verr) < 0) {
			if (opts->vmlinux)
				return k2e_err_set(err, "%s", verr.msg);
			snprintf(res->vmlinux_note, sizeof(res->vmlinux_note), "%s", verr.msg);
			free(res->vmlinux);
			res->vmlinux = NULL;
		}
	} else {
		snprintf(res->vmlinux_note, sizeof(res->vmlinux_note), "the dump has no vmcoreinfo");
	}
	rc = k2e_kinfo_collect(d, &kr, vml, ki, err);
	had_vml = vml != NULL;
	k2e_vmlinux_free(vml);
	if (rc < 0)
		return -1;
	if (ki->n_bad_names)
		warn(res, "%zu module or section names in the dump are not names the kernel makes: left out (first: %s)",
		     ki->n_bad_names, ki->bad_name);
	res->panic_cpu = ki->panic_cpu;
	res->n_prstatus = ki->n_prs;
	res->n_modules = ki->n_mods;
	for (size_t i = 0; i < ki->n_prs; i++)
		res->n_cpus_mapped += ki->prs[i].cpu >= 0;
	if (had_vml && ki->why_no_cpus[0])
		snprintf(res->kinfo_note, sizeof(res->kinfo_note), "CPUs not mapped: %s",
			 ki->why_no_cpus);
	else if (had_vml && ki->why_no_modules[0])
		snprintf(res->kinfo_note, sizeof(res->kinfo_note), "modules not listed: %s",
			 ki->why_no_modules);
	return 0;
}

/*
 * Without a vmlinux, OUTPUT.sym: symbols and types decoded from the dump's
 * own kallsyms and BTF (symbols/sidecar.h).  Not fatal: the core is complete.
 */
static void write_sidecar(const struct k2e_convert_opts *opts, struct k2e_convert_result *res)
{
	struct k2e_sidecar_opts so = { .system_map = opts->system_map, .btf = opts->btf };
	struct k2e_sidecar_stats ss = { 0 };
	struct k2e_err serr;
	char *sym;

	if (asprintf(&sym, "%s.sym", opts->output) < 0)
		return;
	if (k2e_sidecar_write_opts(opts->output, sym, opts->force, &so, &ss, &serr) < 0) {
		snprintf(res->sidecar_note, sizeof(res->sidecar_note), "%.900s", serr.msg);
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

static int write_gdb_script(const struct k2e_dump *d, const struct k2e_convert_opts *opts,
			    struct k2e_convert_result *res, const struct k2e_kinfo *ki,
			    struct k2e_err *err)
{
	char *core = realpath(opts->output, NULL), *path = NULL, release[80] = "";
	struct k2e_gdbscript_in in = {
		.dump = d->in[0].path,
		.vmlinux = res->vmlinux,
		.sidecar = res->sidecar,
		.ki = ki,
		.module_dirs = opts->module_dirs,
		.n_module_dirs = opts->n_module_dirs,
		.release = release,
	};
	size_t len;
	const char *rel = k2e_vmcoreinfo_find(d, "OSRELEASE", &len);
	int rc;

	if (rel && len < sizeof(release)) {
		memcpy(release, rel, len);
		release[len] = '\0';
	}
	/* gdb numbers a core's threads in note order. */
	for (size_t i = 0; i < ki->n_prs; i++)
		if (ki->panic_cpu >= 0 && ki->prs[i].cpu == ki->panic_cpu)
			in.thread = (int)i + 1;
	if (!core || asprintf(&path, "%s.gdb", opts->output) < 0) {
		free(core);
		return k2e_err_set(err, "out of memory");
	}
	in.core = core;
	rc = k2e_gdbscript_write(path, &in, opts->force, &res->n_modules_found, err);
	free(core);
	if (rc < 0) {
		free(path);
		return -1;
	}
	res->gdb_script = path;
	return 0;
}

static int kmem_kread(void *arg, uint64_t va, void *buf, size_t len)
{
	struct k2e_err e;

	return k2e_kmem_read(arg, va, buf, len, &e);
}

/*
 * No vmlinux: the CPUs of the notes and the panicking CPU from the dump's
 * own kallsyms (Linux 6.0+), read through the core just written (fd).
 * Returns true when something was learnt.
 */
static bool kinfo_from_kallsyms(const struct k2e_dump *d, int fd, struct k2e_kinfo *ki)
{
	char path[64];
	struct k2e_kmem *km;
	struct k2e_symtab *st = NULL;
	struct k2e_err e;
	uint64_t cn, pco, nr, pc;
	bool learnt = false;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (k2e_kmem_open(path, &km, &e) < 0)
		return false;
	static const char *const want[] = { "crash_notes", "__per_cpu_offset", "nr_cpu_ids", "panic_cpu" };

	if (k2e_kallsyms_read_some(km, want, sizeof(want) / sizeof(want[0]), &st, &e) == 0) {
		struct k2e_kread kr = { .read = kmem_kread, .arg = km };
		uint64_t v;

		k2e_symtab_finish(st);
		if (k2e_symtab_addr(st, "crash_notes", &cn, &e) == 0 &&
		    k2e_symtab_addr(st, "__per_cpu_offset", &pco, &e) == 0 &&
		    k2e_symtab_addr(st, "nr_cpu_ids", &nr, &e) == 0) {
			k2e_kinfo_map_cpus(d, &kr, cn, pco, nr, ki);
			for (size_t i = 0; i < ki->n_prs; i++)
				learnt |= ki->prs[i].cpu >= 0;
		}
		if (k2e_symtab_addr(st, "panic_cpu", &pc, &e) == 0 &&
		    k2e_kmem_read_uint(km, pc, 4, &v, &e) == 0 && (int32_t)v >= 0) {
			ki->panic_cpu = (int)(int32_t)v;
			learnt = true;
		}
	}
	k2e_symtab_free(st);
	k2e_kmem_free(km);
	return learnt;
}

/* The core's absolute path goes into OUTPUT.gdb: refuse one gdb could not read back, before any work. */
static int check_script_path(const char *output, struct k2e_err *err)
{
	char *copy = strdup(output), *copy2 = strdup(output), *dir = NULL, *abs = NULL;
	int rc = -1;

	if (!copy || !copy2) {
		k2e_err_set(err, "out of memory");
		goto out;
	}
	dir = realpath(dirname(copy), NULL);
	if (!dir) {
		rc = 0;	/* creating the output will say what is wrong with its directory */
		goto out;
	}
	if (asprintf(&abs, "%s/%s", dir, basename(copy2)) < 0) {
		abs = NULL;
		k2e_err_set(err, "out of memory");
		goto out;
	}
	rc = k2e_gdbscript_check_path(abs, err);
out:
	free(copy);
	free(copy2);
	free(dir);
	free(abs);
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
	struct present pr;
	struct k2e_vmaps maps;
	struct k2e_kinfo ki = { .panic_cpu = -1 };
	bool have_maps = false;
	int rc = -1;

	/* Files for the sidecar are checked first: a wrong one is an error, before any work. */
	if (!opts->no_sidecar) {
		struct k2e_sidecar_opts so = { .system_map = opts->system_map, .btf = opts->btf };

		if (k2e_sidecar_check_opts(&so, err) < 0)
			return -1;
	}
	if (!opts->no_gdb_script && check_script_path(opts->output, err) < 0)
		return -1;
	if (k2e_layout_init(&l, &d->runs, d->page_size, phdr_capacity(d),
			    ((d->notes_len + 3) & ~(size_t)3) + d->eraseinfo_hint + k2e_notes_reserve,
			    err) < 0)
		return -1;
	if (k2e_outfile_create(&out, opts->output, err) < 0) {
		k2e_layout_release(&l);
		return -1;
	}
	res->n_ram = d->n_ram;
	if (k2e_pages_convert(d, &l, out.fd, &popts, &res->pages, err) < 0)
		goto fail;
	if (d->fmt->finish && d->fmt->finish(d, err) < 0)
		goto fail;
	if (d->warning[0])
		warn(res, "%s", d->warning);
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
	pr = (struct present){ .l = &l, .lost = &res->pages.lost_runs, .fd = out.fd };
	if (build_loads(d, &l, &pr, res, opts, &ls, &maps, err) < 0)
		goto fail;
	have_maps = true;
	if (read_kernel(d, opts, &pr, &maps, res, &ki, err) < 0)
		goto fail;
	if (build_notes(d, &res->pages, &l, res, &ki, &notes, &notes_len, err) < 0)
		goto fail;
	if (write_headers(d, &l, out.fd, &ls, notes, notes_len,
			  res->pages.lost > 0 || d->incomplete_flag, res, err) < 0)
		goto fail;
	if (!res->vmlinux && ki.n_prs && kinfo_from_kallsyms(d, out.fd, &ki)) {
		/* Again, with the CPUs known: the notes' thread ids and CPU note change. */
		free(notes);
		notes = NULL;
		free(res->cpu_map);
		res->cpu_map = NULL;
		if (build_notes(d, &res->pages, &l, res, &ki, &notes, &notes_len, err) < 0 ||
		    write_headers(d, &l, out.fd, &ls, notes, notes_len,
				  res->pages.lost > 0 || d->incomplete_flag, res, err) < 0)
			goto fail;
		res->panic_cpu = ki.panic_cpu;
		res->n_cpus_mapped = 0;
		for (size_t i = 0; i < ki.n_prs; i++)
			res->n_cpus_mapped += ki.prs[i].cpu >= 0;
		res->kinfo_note[0] = '\0';
	}
	if (k2e_outfile_commit(&out, opts->force, err) < 0)
		goto done;
	if (!res->vmlinux && !opts->no_sidecar)
		write_sidecar(opts, res);
	if (!opts->no_gdb_script && write_gdb_script(d, opts, res, &ki, err) < 0)
		goto done;
	rc = 0;
	goto done;
fail:
	k2e_outfile_abort(&out);
done:
	if (have_maps)
		k2e_vmaps_release(&maps);
	k2e_kinfo_release(&ki);
	free(notes);
	free(ls.v);
	k2e_layout_release(&l);
	return rc;
}
