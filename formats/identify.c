/*
 * identify.c - classify a file by its first bytes (see identify.h).
 *
 * The kdump header layouts are formats/kdump-layout.h, shared with
 * formats/kdump.c: the byte order and word size follow the utsname machine
 * when it is known, else the first sane reading; the sub-header layout
 * follows the word size.  ELF files are read with libelf when they are
 * regular files, by hand otherwise.
 */
#include "formats/identify.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <sys/stat.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/kdump-layout.h"
#include "formats/machine.h"
#include "io/source.h"
#include "lib/endian.h"
#include "lib/fileio.h"

enum {
	ELF_SCAN_PHDRS = 1024,		/* PT_NOTE comes first in every known producer */
};
static const uint64_t max_note_bytes = 4u << 20;

/* Exactly len bytes at off; false on a read error or a short file. */
static bool pread_exact(int fd, void *buf, size_t len, uint64_t off)
{
	struct k2e_err ignore;
	size_t got;

	return k2e_pread_all(fd, buf, len, off, &got, &ignore) == 0 && got == len;
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static bool pow2_in(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v >= lo && v <= hi && !(v & (v - 1));
}

static void kdump_ident(int fd, const unsigned char *h, size_t got, struct k2e_ident *r)
{
	static const struct { bool be; unsigned bits; } order[] = {
		{ false, 64 }, { false, 32 }, { true, 64 }, { true, 32 },
	};
	char machine[UTS_LEN + 1];
	const struct k2e_machine_info *mi;
	unsigned char sub[KDUMP_SUBHDR_SIZE];
	enum k2e_subhdr_layout layout;
	uint32_t block_size = 0;
	int32_t version = -1;
	bool be = false, found = false;
	unsigned bits = 64;
	const unsigned *o;

	r->kind = K2E_IDENT_DUMP;
	r->format = memcmp(h, "DISKDUMP", 8) == 0 ? "diskdump" : "kdump";
	if (got < DH_MIN_SIZE || strcmp(r->format, "diskdump") == 0)
		return;
	memcpy(machine, h + DH_MACHINE, UTS_LEN);
	machine[UTS_LEN] = '\0';
	mi = k2e_machine_lookup(machine);
	for (size_t i = 0; i < 4 && !found; i++) {
		unsigned st = order[i].bits == 64 ? DH_STATUS_64 : DH_STATUS_32;

		if (mi && (mi->ptr_bits != order[i].bits ||
			   (mi->big_endian >= 0 && (bool)mi->big_endian != order[i].be)))
			continue;
		version = (int32_t)k2e_get32(h + DH_VERSION, order[i].be);
		block_size = k2e_get32(h + st + DH_R_BLOCK_SIZE, order[i].be);
		if (version >= 0 && version < 64 && pow2_in(block_size, 512, 1u << 20)) {
			found = true;
			be = order[i].be;
			bits = order[i].bits;
		}
	}
	if (!found || version < 2)
		return;		/* no split field: a dump on its own */
	layout = mi ? mi->subhdr : bits == 64 ? K2E_SUBHDR_64 : K2E_SUBHDR_32_PACKED;
	if (!pread_exact(fd, sub, sizeof(sub), block_size))
		return;		/* truncated: opening it says so */
	o = k2e_subhdr_off[layout];
	if (k2e_get32(sub + o[SH_SPLIT], be) == 0)
		return;
	r->kind = K2E_IDENT_PIECE;
	if (version >= 6) {
		r->start_pfn = k2e_get64(sub + o[SH_START_PFN_64], be);
		r->end_pfn = k2e_get64(sub + o[SH_END_PFN_64], be);
	} else if (layout == K2E_SUBHDR_64) {
		r->start_pfn = k2e_get64(sub + o[SH_START_PFN], be);
		r->end_pfn = k2e_get64(sub + o[SH_END_PFN], be);
	} else {
		r->start_pfn = k2e_get32(sub + o[SH_START_PFN], be);
		r->end_pfn = k2e_get32(sub + o[SH_END_PFN], be);
	}
	/* Every piece carries the same header; max_mapnr_64 lives in the sub-header. */
	r->set_key = fnv1a(0xcbf29ce484222325ULL, h, DH_MIN_SIZE);
	if (version >= 6)
		r->set_key = fnv1a(r->set_key, sub + o[SH_MAX_MAPNR_64], 8);
}

/* Notes named VMCOREINFO or QEMU make a kernel dump; KDUMP2ELF our own core. */
static void scan_notes(const unsigned char *n, size_t len, bool be, bool *kernel, bool *ours)
{
	size_t pos = 0;

	while (pos + 12 <= len) {
		uint32_t namesz = k2e_get32(n + pos, be), descsz = k2e_get32(n + pos + 4, be);
		size_t name_off = pos + 12;

		if (namesz > len || descsz > len || name_off + namesz > len)
			return;
		if (namesz >= 9 && memcmp(n + name_off, "KDUMP2ELF", 9) == 0)
			*ours = true;
		else if (namesz >= 10 && memcmp(n + name_off, "VMCOREINFO", 10) == 0)
			*kernel = true;
		else if (namesz >= 4 && memcmp(n + name_off, "QEMU", 4) == 0)
			*kernel = true;
		pos = name_off + (((size_t)namesz + 3) & ~(size_t)3) + (((size_t)descsz + 3) & ~(size_t)3);
	}
}

/*
 * A regular file, through libelf: 1 when done (program headers libelf cannot
 * read leave the file "a dump": opening it says what is wrong), 0 when
 * libelf does not take it for ELF at all (an odd e_ident[EI_VERSION]): then
 * the caller reads it by hand.
 */
static int elf_ident_libelf(int fd, bool be, struct k2e_ident *r)
{
	bool kernel = false, ours = false;
	uint64_t notes_read = 0;
	GElf_Ehdr eh;
	size_t phnum;
	Elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return 0;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e)
		return 0;
	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		elf_end(e);
		return 0;
	}
	/* libelf counts only the program headers inside the file. */
	if (elf_getphdrnum(e, &phnum) < 0 || (eh.e_phnum != PN_XNUM && phnum < eh.e_phnum)) {
		elf_end(e);
		return 1;
	}
	for (size_t i = 0; i < phnum && i < ELF_SCAN_PHDRS; i++) {
		GElf_Phdr ph;
		Elf_Data *d;

		if (!gelf_getphdr(e, (int)i, &ph)) {
			elf_end(e);
			return 1;	/* truncated: opening it says so */
		}
		if (ph.p_type != PT_NOTE)
			continue;
		if (ph.p_filesz > max_note_bytes - notes_read)
			break;
		notes_read += ph.p_filesz;
		/* Raw bytes: scan_notes() reads them in the file's byte order. */
		d = ph.p_filesz ? elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_BYTE)
				: NULL;
		if (d && d->d_buf)
			scan_notes(d->d_buf, d->d_size, be, &kernel, &ours);
	}
	elf_end(e);
	if (ours)
		r->kind = K2E_IDENT_K2E_CORE;
	else if (!kernel)
		r->kind = K2E_IDENT_NOT_DUMP;
	return 1;
}

static int elf_ident(int fd, const unsigned char *h, size_t got, struct k2e_ident *r,
		     struct k2e_err *err)
{
	bool is64 = h[EI_CLASS] == ELFCLASS64, be = h[EI_DATA] == ELFDATA2MSB;
	bool kernel = false, ours = false;
	uint64_t phoff, phentsize, phnum, notes_read = 0;
	unsigned char ph[64];
	struct stat st;

	if (got < (is64 ? 64u : 52u) || (h[EI_CLASS] != ELFCLASS64 && h[EI_CLASS] != ELFCLASS32) ||
	    k2e_get16(h + 16, be) != ET_CORE)
		return 0;	/* a program, library or object: not a dump */
	r->kind = K2E_IDENT_DUMP;
	r->format = "elf";
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && elf_ident_libelf(fd, be, r))
		return 0;
	/* By hand, with nothing but reads at offsets. */
	phoff = is64 ? k2e_get64(h + 32, be) : k2e_get32(h + 28, be);
	phentsize = k2e_get16(h + (is64 ? 54 : 42), be);
	phnum = k2e_get16(h + (is64 ? 56 : 44), be);
	if (phnum == PN_XNUM) {
		uint64_t shoff = is64 ? k2e_get64(h + 40, be) : k2e_get32(h + 32, be);
		unsigned char sh[64];

		if (!pread_exact(fd, sh, is64 ? 64 : 40, shoff))
			return 0;
		phnum = k2e_get32(sh + (is64 ? 44 : 28), be);
	}
	if (phentsize < (is64 ? 56u : 32u))
		return 0;
	for (uint64_t i = 0; i < phnum && i < ELF_SCAN_PHDRS; i++) {
		uint64_t off, size;
		unsigned char *notes;
		size_t n;

		if (k2e_pread_all(fd, ph, is64 ? 56 : 32, phoff + i * phentsize, &n, err) < 0)
			return -1;
		if (n != (is64 ? 56u : 32u))
			return 0;	/* truncated: opening it says so */
		if (k2e_get32(ph, be) != PT_NOTE)
			continue;
		off = is64 ? k2e_get64(ph + 8, be) : k2e_get32(ph + 4, be);
		size = is64 ? k2e_get64(ph + 32, be) : k2e_get32(ph + 16, be);
		if (size > max_note_bytes - notes_read)
			break;
		notes_read += size;
		notes = malloc(size ? size : 1);
		if (!notes)
			return k2e_err_set(err, "out of memory");
		if (k2e_pread_all(fd, notes, size, off, &n, err) == 0)
			scan_notes(notes, n, be, &kernel, &ours);	/* unreadable notes: no note */
		free(notes);
	}
	if (ours)
		r->kind = K2E_IDENT_K2E_CORE;
	else if (!kernel)
		r->kind = K2E_IDENT_NOT_DUMP;
	return 0;
}

int k2e_identify_fd(int fd, struct k2e_ident *ret, struct k2e_err *err)
{
	unsigned char h[DH_MIN_SIZE];
	struct k2e_ident r = { .kind = K2E_IDENT_NOT_DUMP };
	size_t got;

	if (k2e_pread_all(fd, h, sizeof(h), 0, &got, err) < 0)
		return -1;
	if (got >= 8 && (memcmp(h, "KDUMP   ", 8) == 0 || memcmp(h, "DISKDUMP", 8) == 0)) {
		kdump_ident(fd, h, got, &r);
	} else if (k2e_flat_signature(h, got)) {
		r.kind = K2E_IDENT_DUMP;
		r.format = "flattened";
	} else if (got >= SELFMAG && memcmp(h, ELFMAG, SELFMAG) == 0) {
		if (elf_ident(fd, h, got, &r, err) < 0)
			return -1;
	}
	*ret = r;
	return 0;
}

int k2e_identify(const char *path, struct k2e_ident *ret, struct k2e_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return k2e_err_errno(err, errno, "cannot open");
	rc = k2e_identify_fd(fd, ret, err);
	close(fd);
	return rc;
}
