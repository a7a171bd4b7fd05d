/*
 * identify.c - classify a file by its first bytes (see identify.h).
 *
 * The kdump header facts are those of formats/kdump.c (disk_dump_header and
 * kdump_sub_header in makedumpfile's diskdump_mod.h): the byte order and
 * word size follow the utsname machine when it is known, else the first
 * sane reading; the sub-header layout follows the word size.
 */
#include "formats/identify.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/machine.h"
#include "io/source.h"
#include "lib/endian.h"

enum {
	DH_SIZE = 464,			/* disk_dump_header up to tasks[] (64-bit) */
	DH_VERSION = 8,
	DH_MACHINE = 12 + 4 * 65,	/* utsname: sysname nodename release version machine */
	DH_STATUS_64 = 424,
	DH_STATUS_32 = 412,
	SUBHDR_SIZE = 104,
	ELF_SCAN_PHDRS = 1024,		/* PT_NOTE comes first in every known producer */
};
static const uint64_t max_note_bytes = 4u << 20;

static ssize_t pread_some(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
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
	/* split, start_pfn, end_pfn (unsigned long), start_pfn_64, end_pfn_64, max_mapnr_64 */
	static const unsigned off[3][6] = {
		[K2E_SUBHDR_64] = { 12, 16, 24, 80, 88, 96 },
		[K2E_SUBHDR_32_PACKED] = { 8, 12, 16, 56, 64, 72 },
		[K2E_SUBHDR_32_PADDED] = { 8, 12, 16, 72, 80, 88 },
	};
	char machine[66];
	const struct k2e_machine_info *mi;
	unsigned char sub[SUBHDR_SIZE];
	enum k2e_subhdr_layout layout;
	uint32_t block_size = 0;
	int32_t version = -1;
	bool be = false, found = false;
	unsigned bits = 64;
	const unsigned *o;

	r->kind = K2E_IDENT_DUMP;
	r->format = memcmp(h, "DISKDUMP", 8) == 0 ? "diskdump" : "kdump";
	if (got < DH_SIZE || strcmp(r->format, "diskdump") == 0)
		return;
	memcpy(machine, h + DH_MACHINE, 65);
	machine[65] = '\0';
	mi = k2e_machine_lookup(machine);
	for (size_t i = 0; i < 4 && !found; i++) {
		unsigned st = order[i].bits == 64 ? DH_STATUS_64 : DH_STATUS_32;

		if (mi && (mi->ptr_bits != order[i].bits ||
			   (mi->big_endian >= 0 && (bool)mi->big_endian != order[i].be)))
			continue;
		version = (int32_t)k2e_get32(h + DH_VERSION, order[i].be);
		block_size = k2e_get32(h + st + 4, order[i].be);
		if (version >= 0 && version < 64 && pow2_in(block_size, 512, 1u << 20)) {
			found = true;
			be = order[i].be;
			bits = order[i].bits;
		}
	}
	if (!found || version < 2)
		return;		/* no split field: a dump on its own */
	layout = mi ? mi->subhdr : bits == 64 ? K2E_SUBHDR_64 : K2E_SUBHDR_32_PACKED;
	if (pread_some(fd, sub, sizeof(sub), block_size) != (ssize_t)sizeof(sub))
		return;		/* truncated: opening it says so */
	o = off[layout];
	if (k2e_get32(sub + o[0], be) == 0)
		return;
	r->kind = K2E_IDENT_PIECE;
	if (version >= 6) {
		r->start_pfn = k2e_get64(sub + o[3], be);
		r->end_pfn = k2e_get64(sub + o[4], be);
	} else if (layout == K2E_SUBHDR_64) {
		r->start_pfn = k2e_get64(sub + o[1], be);
		r->end_pfn = k2e_get64(sub + o[2], be);
	} else {
		r->start_pfn = k2e_get32(sub + o[1], be);
		r->end_pfn = k2e_get32(sub + o[2], be);
	}
	/* Every piece carries the same header; max_mapnr_64 lives in the sub-header. */
	r->set_key = fnv1a(0xcbf29ce484222325ULL, h, DH_SIZE);
	if (version >= 6)
		r->set_key = fnv1a(r->set_key, sub + o[5], 8);
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

static int elf_ident(int fd, const unsigned char *h, size_t got, struct k2e_ident *r,
		     struct k2e_err *err)
{
	bool is64 = h[EI_CLASS] == ELFCLASS64, be = h[EI_DATA] == ELFDATA2MSB;
	bool kernel = false, ours = false;
	uint64_t phoff, phentsize, phnum, notes_read = 0;
	unsigned char ph[64];

	if (got < (is64 ? 64u : 52u) || (h[EI_CLASS] != ELFCLASS64 && h[EI_CLASS] != ELFCLASS32) ||
	    k2e_get16(h + 16, be) != ET_CORE)
		return 0;	/* a program, library or object: not a dump */
	r->kind = K2E_IDENT_DUMP;
	r->format = "elf";
	phoff = is64 ? k2e_get64(h + 32, be) : k2e_get32(h + 28, be);
	phentsize = k2e_get16(h + (is64 ? 54 : 42), be);
	phnum = k2e_get16(h + (is64 ? 56 : 44), be);
	if (phnum == PN_XNUM) {
		uint64_t shoff = is64 ? k2e_get64(h + 40, be) : k2e_get32(h + 32, be);
		unsigned char sh[64];

		if (pread_some(fd, sh, is64 ? 64 : 40, shoff) != (is64 ? 64 : 40))
			return 0;
		phnum = k2e_get32(sh + (is64 ? 44 : 28), be);
	}
	if (phentsize < (is64 ? 56u : 32u))
		return 0;
	for (uint64_t i = 0; i < phnum && i < ELF_SCAN_PHDRS; i++) {
		uint64_t off, size;
		unsigned char *notes;
		ssize_t n;

		n = pread_some(fd, ph, is64 ? 56 : 32, phoff + i * phentsize);
		if (n < 0)
			return k2e_err_errno(err, errno, "read error at offset 0x%llx",
					     (unsigned long long)(phoff + i * phentsize));
		if (n != (is64 ? 56 : 32))
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
		n = pread_some(fd, notes, size, off);
		if (n > 0)
			scan_notes(notes, (size_t)n, be, &kernel, &ours);
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
	unsigned char h[DH_SIZE];
	struct k2e_ident r = { .kind = K2E_IDENT_NOT_DUMP };
	ssize_t got = pread_some(fd, h, sizeof(h), 0);

	if (got < 0)
		return k2e_err_errno(err, errno, "read error at offset 0x0");
	if (got >= 8 && (memcmp(h, "KDUMP   ", 8) == 0 || memcmp(h, "DISKDUMP", 8) == 0)) {
		kdump_ident(fd, h, (size_t)got, &r);
	} else if (k2e_flat_signature(h, (size_t)got)) {
		r.kind = K2E_IDENT_DUMP;
		r.format = "flattened";
	} else if (got >= SELFMAG && memcmp(h, ELFMAG, SELFMAG) == 0) {
		if (elf_ident(fd, h, (size_t)got, &r, err) < 0)
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
