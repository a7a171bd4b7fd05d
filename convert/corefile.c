/*
 * corefile.c - the ELF64 core's own bytes beside the pages: its notes (the
 * dump's, with thread ids fixed, and kdump2elf's) and headers.
 */
#include "convert/corefile.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert/k2e-notes.h"
#include "lib/endian.h"
#include "lib/fileio.h"

/* Room for kdump2elf's own notes (NT_K2E_INFO is cut to fit). */
const size_t k2e_core_notes_reserve = 64 << 10;

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
	size_t cap = k2e_core_notes_reserve / 2, len = 0;
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

int k2e_core_headers(const struct k2e_dump *d, const struct k2e_layout *l, int fd,
		     const struct k2e_loads *ls, const unsigned char *notes, size_t notes_len,
		     const struct k2e_coresyms *syms, bool incomplete, uint64_t *ret_phdrs,
		     uint64_t *ret_size, struct k2e_err *err)
{
	bool be = d->big_endian;
	uint64_t nph = 1 + ls->n, notes_off = l->notes_off, end = l->data_end;
	uint64_t shoff = 0, shnum = 0, shstrndx = SHN_UNDEF;
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
	if (syms) {
		if (syms->base < end)
			return k2e_err_set(err, "internal: the symbol table would overwrite page data");
		if (k2e_pwrite_all(fd, syms->buf, syms->len, syms->base, err) < 0)
			return -1;
		shoff = syms->shoff;
		shnum = syms->shnum;
		shstrndx = syms->shstrndx;
		end = syms->base + syms->len;
	} else if (nph >= PN_XNUM) {
		unsigned char sh[64] = { 0 };

		shoff = (end + 7) & ~7ULL;
		k2e_put32(sh + 44, (uint32_t)nph, be);	/* sh_info: the real count */
		if (k2e_pwrite_all(fd, sh, sizeof(sh), shoff, err) < 0)
			return -1;
		shnum = 1;
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
	k2e_put16(eh + 60, (uint16_t)shnum, be);
	k2e_put16(eh + 62, (uint16_t)shstrndx, be);
	if (k2e_pwrite_all(fd, eh, sizeof(eh), 0, err) < 0)
		goto out;
	if (ftruncate(fd, (off_t)end) < 0) {
		k2e_err_errno(err, errno, "cannot set the output's size");
		goto out;
	}
	*ret_phdrs = nph;
	*ret_size = end;
	rc = 0;
out:
	free(ph);
	return rc;
}

/*
 * arm64 pointer authentication: a kernel built with it signs the return
 * addresses it saves, in the bits KERNELPACMASK (vmcoreinfo) names.  gdb
 * strips them with the masks of an NT_ARM_PAC_MASK note (name "LINUX", two
 * u64: data mask, instruction mask; struct user_pac_mask in the kernel's
 * arch/arm64/include/uapi/asm/ptrace.h), which BFD gives to the thread of
 * the NT_PRSTATUS before it.  A kernel dump has none: each thread gets one
 * with the kernel's mask (and the core an NT_AUXV, below).  false: not an
 * arm64 dump with a mask.
 */
static bool pac_mask(const struct k2e_dump *d, uint64_t *ret)
{
	struct k2e_vmcoreinfo vi;
	uint64_t mask;

	if (d->e_machine != EM_AARCH64 || d->ptr_bits != 64)
		return false;
	k2e_vmcoreinfo_init(&vi, d->notes, d->notes_len, d->big_endian);
	if (k2e_vmcoreinfo_unsigned(&vi, "NUMBER(KERNELPACMASK)", 16, &mask) < 0 || !mask)
		return false;
	*ret = mask;
	return true;
}

static const char pac_note_name[] = "LINUX";

/*
 * gdb 13 turns on its pointer-authentication registers for a core only when
 * the process's AT_HWCAP says the CPU has address authentication
 * (HWCAP_PACA, bit 30; HWCAP_PACG, bit 31: arch/arm64/include/uapi/asm/hwcap.h):
 * an NT_AUXV note saying just that follows the dump's notes.
 */
enum { AUXV_LEN = 32 };
static const uint64_t hwcap_paca = 1ULL << 30, hwcap_pacg = 1ULL << 31;

static void put_auxv(unsigned char **pp, bool be)
{
	unsigned char auxv[AUXV_LEN] = { 0 };	/* ends with AT_NULL, 0 */

	k2e_put64(auxv, AT_HWCAP, be);
	k2e_put64(auxv + 8, hwcap_paca | hwcap_pacg, be);
	put_note(pp, "CORE", NT_AUXV, auxv, sizeof(auxv), be);
}

size_t k2e_core_notes_thread_room(const struct k2e_dump *d)
{
	struct k2e_cpus c = { 0 };
	struct k2e_err e;
	uint64_t mask;
	size_t room = 0;

	if (!pac_mask(d, &mask))
		return 0;
	if (k2e_cpus_list_notes(d, &c, &e) == 0 && c.n_prs)
		room = c.n_prs * note_size(pac_note_name, 16) + note_size("CORE", AUXV_LEN);
	free(c.prs);
	return room;
}

/*
 * Copy notes (n bytes, the dump's with thread ids fixed) to p, an
 * NT_ARM_PAC_MASK note after each NT_PRSTATUS.
 */
static void put_with_pac(unsigned char **pp, const unsigned char *notes, size_t n,
			 const struct k2e_cpus *ki, uint64_t mask, bool be)
{
	unsigned char masks[16];
	size_t from = 0;

	k2e_put64(masks, mask, be);		/* data_mask */
	k2e_put64(masks + 8, mask, be);		/* insn_mask */
	for (size_t i = 0; i < ki->n_prs; i++) {
		size_t end = ki->prs[i].offset + ((ki->prs[i].desc_len + 3) & ~(size_t)3);

		if (end > n)
			end = n;
		memcpy(*pp, notes + from, end - from);
		*pp += end - from;
		put_note(pp, pac_note_name, NT_ARM_PAC_MASK, masks, sizeof(masks), be);
		from = end;
	}
	memcpy(*pp, notes + from, n - from);
	*pp += n - from;
	while (n & 3) {
		*(*pp)++ = 0;
		n++;
	}
	put_auxv(pp, be);
}

static void retag_threads(unsigned char *notes, const struct k2e_dump *d,
			  const struct k2e_cpus *ki)
{
	size_t pid_off = k2e_prstatus_pid_offset(d->e_machine, d->ptr_bits);

	for (size_t i = 0; i < ki->n_prs; i++)
		k2e_put32(notes + ki->prs[i].offset + pid_off, k2e_cpus_thread_id(ki, i),
			  d->big_endian);
}

/* KEY=VALUE lines: one per NT_PRSTATUS note, in note order (NT_K2E_CPUS). */
static char *cpus_text(const struct k2e_dump *d, const struct k2e_cpus *ki)
{
	size_t cap = 128 + ki->n_prs * 64, len = 0;
	char *t = malloc(cap);

	(void)d;
	if (!t)
		return NULL;
	len += (size_t)snprintf(t, cap, "PANIC_CPU=%d\n", ki->panic_cpu);
	for (size_t i = 0; i < ki->n_prs; i++)
		len += (size_t)snprintf(t + len, cap - len, "NOTE=%zu CPU=%d PID=%u TID=%u\n", i,
					ki->prs[i].cpu, ki->prs[i].pid, k2e_cpus_thread_id(ki, i));
	return t;
}

int k2e_core_notes(const struct k2e_dump *d, const struct k2e_page_stats *st,
		   const struct k2e_layout *l, const struct k2e_cpus *ki, struct k2e_core_notes *ret,
		   struct k2e_err *err)
{
	bool erase, pac;
	uint64_t pac_bits = 0;
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
	pac = pac_mask(d, &pac_bits) && ki->n_prs;
	if (pac)
		len += ki->n_prs * note_size(pac_note_name, 16) + note_size("CORE", AUXV_LEN);
	if (cpus)
		len += note_size(K2E_NOTE_NAME, cpus_len);
	erase = d->eraseinfo_len && len + note_size(K2E_NOTE_NAME, d->eraseinfo_len) <= l->notes_cap;
	ret->eraseinfo_dropped = d->eraseinfo_len && !erase;
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
	p = buf + d->notes_len;
	if (pac) {
		unsigned char *in = malloc(d->notes_len);

		if (!in) {
			free(info);
			free(cpus);
			free(buf);
			return k2e_err_set(err, "out of memory");
		}
		memcpy(in, buf, d->notes_len);
		p = buf;
		put_with_pac(&p, in, d->notes_len, ki, pac_bits, d->big_endian);
		free(in);
	}
	/* Pad the input's notes to 4 bytes, as note readers expect. */
	while ((size_t)(p - buf) & 3)
		*p++ = 0;
	put_note(&p, K2E_NOTE_NAME, NT_K2E_INFO, info, info_len, d->big_endian);
	if (cpus)
		put_note(&p, K2E_NOTE_NAME, NT_K2E_CPUS, cpus, cpus_len, d->big_endian);
	ret->cpu_map = cpus;
	if (erase)
		put_note(&p, K2E_NOTE_NAME, NT_K2E_ERASEINFO, d->eraseinfo, d->eraseinfo_len,
			 d->big_endian);
	free(info);
	ret->buf = buf;
	ret->len = (size_t)(p - buf);
	return 0;
}

