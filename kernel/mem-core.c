/*
 * mem-core.c - the memory of a finished ELF core (a kdump2elf core, or any
 * ELF64 vmcore whose PT_LOADs carry kernel virtual addresses): the backend
 * of k2e_kernel_open_core().
 *
 * The ELF header, the program header table (PN_XNUM aware) and the PT_NOTE
 * segments are read; nothing else is kept in memory.  The PT_LOADs are
 * kept sorted by p_vaddr with a running maximum of their ends, so a lookup
 * is a binary search even where segments overlap (a physical run without a
 * known direct map sits at p_vaddr = p_paddr).  The part of a segment
 * between p_filesz and p_memsz reads as zeros.
 */
#include "kernel/kernel.h"

#include <elf.h>
#include <gelf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/format.h"
#include "lib/fileio.h"

/* Sanity bounds: far beyond what a converted core holds. */
static const uint64_t max_phnum = 1u << 26;
static const uint64_t max_notes = 64u << 20;

struct kseg {
	uint64_t vaddr, memsz, offset, filesz;
};

struct core {
	int fd;
	char *path;
	bool be;
	bool is64;
	uint16_t machine;
	struct kseg *segs;		/* PT_LOADs with p_memsz > 0, sorted by vaddr */
	uint64_t *max_end;		/* max_end[i] = max(vaddr + memsz) of segs[0..i] */
	size_t n_segs;
	unsigned char *notes;
	size_t notes_len;
};

static int pread_exact(struct core *km, void *buf, size_t len, uint64_t off, struct k2e_err *err)
{
	return k2e_pread_exact(km->fd, buf, len, off, err);
}

static int kseg_cmp(const void *a, const void *b)
{
	const struct kseg *x = a, *y = b;

	if (x->vaddr != y->vaddr)
		return x->vaddr < y->vaddr ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int add_notes(struct core *km, uint64_t off, uint64_t len, struct k2e_err *err)
{
	unsigned char *n;

	if (len == 0)
		return 0;
	if (len > max_notes || km->notes_len + len > max_notes)
		return k2e_err_set(err, "notes of 0x%llx bytes are implausibly large",
				   (unsigned long long)len);
	n = realloc(km->notes, km->notes_len + len + 4);
	if (!n)
		return k2e_err_set(err, "out of memory");
	km->notes = n;
	if (pread_exact(km, km->notes + km->notes_len, len, off, err) < 0)
		return k2e_err_prefix(err, "notes");
	km->notes_len += len;
	/* Keep every segment's notes 4-byte aligned, as note readers walk them. */
	while (km->notes_len & 3)
		km->notes[km->notes_len++] = 0;
	return 0;
}

/* Program headers through libelf (PN_XNUM and both classes and byte orders). */
static int read_headers(struct core *km, struct k2e_err *err)
{
	Elf *e;
	GElf_Ehdr eh;
	size_t phnum, cap = 0;
	int rc = -1;

	elf_version(EV_CURRENT);
	e = elf_begin(km->fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		k2e_err_set(err, "not an ELF file");
		goto out;
	}
	km->is64 = gelf_getclass(e) == ELFCLASS64;
	km->be = eh.e_ident[EI_DATA] == ELFDATA2MSB;
	km->machine = eh.e_machine;
	if (elf_getphdrnum(e, &phnum) != 0) {
		k2e_err_set(err, "program headers: %s", elf_errmsg(-1));
		goto out;
	}
	if (phnum > max_phnum) {
		k2e_err_set(err, "ELF header: %zu program headers is implausible", phnum);
		goto out;
	}
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		struct kseg s;

		if (!gelf_getphdr(e, (int)i, &ph)) {
			k2e_err_set(err, "program header %zu: %s", i, elf_errmsg(-1));
			goto out;
		}
		s = (struct kseg){ .offset = ph.p_offset, .vaddr = ph.p_vaddr, .filesz = ph.p_filesz,
				   .memsz = ph.p_memsz };
		if (ph.p_type == PT_NOTE) {
			if (add_notes(km, s.offset, s.filesz, err) < 0) {
				k2e_err_prefix(err, "program header %zu", i);
				goto out;
			}
			continue;
		}
		if (ph.p_type != PT_LOAD || s.memsz == 0)
			continue;
		if (s.filesz > s.memsz)
			s.filesz = s.memsz;
		if (s.vaddr + s.memsz < s.vaddr)
			s.memsz = UINT64_MAX - s.vaddr;
		if (km->n_segs == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct kseg *v = realloc(km->segs, ncap * sizeof(*v));

			if (!v) {
				k2e_err_set(err, "out of memory");
				goto out;
			}
			km->segs = v;
			cap = ncap;
		}
		km->segs[km->n_segs++] = s;
	}
	rc = 0;
out:
	if (e)
		elf_end(e);
	if (rc < 0)
		return -1;
	if (km->n_segs)
		qsort(km->segs, km->n_segs, sizeof(*km->segs), kseg_cmp);
	km->max_end = malloc((km->n_segs ? km->n_segs : 1) * sizeof(*km->max_end));
	if (!km->max_end)
		return k2e_err_set(err, "out of memory");
	for (size_t i = 0; i < km->n_segs; i++) {
		uint64_t end = km->segs[i].vaddr + km->segs[i].memsz;

		km->max_end[i] = i && km->max_end[i - 1] > end ? km->max_end[i - 1] : end;
	}
	return 0;
}

/* The segment containing vaddr, or NULL. */
static const struct kseg *seg_of(const struct core *km, uint64_t vaddr)
{
	size_t lo = 0, hi = km->n_segs;

	/* First segment with vaddr > addr; candidates lie before it. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (km->segs[mid].vaddr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i-- > 0;) {
		const struct kseg *s = &km->segs[i];

		if (km->max_end[i] <= vaddr)
			break;
		if (vaddr - s->vaddr < s->memsz)
			return s;
	}
	return NULL;
}

static int core_read(void *mem, uint64_t vaddr, void *buf, size_t len, struct k2e_err *err)
{
	struct core *km = mem;
	unsigned char *out = buf;

	while (len) {
		const struct kseg *s = seg_of(km, vaddr);
		uint64_t in_seg, n;

		if (!s)
			return k2e_err_set(err, "address 0x%llx is not in the dump",
					   (unsigned long long)vaddr);
		in_seg = vaddr - s->vaddr;
		n = s->memsz - in_seg;
		if (n > len)
			n = len;
		if (in_seg < s->filesz) {
			uint64_t f = s->filesz - in_seg;

			if (f > n)
				f = n;
			if (pread_exact(km, out, (size_t)f, s->offset + in_seg, err) < 0)
				return k2e_err_prefix(err, "address 0x%llx", (unsigned long long)vaddr);
			memset(out + f, 0, (size_t)(n - f));
		} else {
			memset(out, 0, (size_t)n);
		}
		out += n;
		vaddr += n;
		len -= (size_t)n;
	}
	return 0;
}


static void core_free(void *mem)
{
	struct core *km = mem;

	if (!km)
		return;
	if (km->fd >= 0)
		close(km->fd);
	free(km->path);
	free(km->segs);
	free(km->max_end);
	free(km->notes);
	free(km);
}

static const struct k2e_mem_ops core_ops = {
	.read_virt = core_read,
	.free = core_free,
};

int k2e_kernel_open_core(const char *path, struct k2e_kernel **ret, struct k2e_err *err)
{
	struct core *km = calloc(1, sizeof(*km));
	struct k2e_kernel_desc desc;
	struct stat st;

	if (!km)
		return k2e_err_set(err, "out of memory");
	km->fd = -1;
	km->path = strdup(path);
	if (!km->path) {
		core_free(km);
		return k2e_err_set(err, "out of memory");
	}
	km->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (km->fd < 0 || fstat(km->fd, &st) < 0) {
		int e = errno;

		core_free(km);
		return k2e_err_errno(err, e, "%s: cannot open", path);
	}
	if (read_headers(km, err) < 0) {
		k2e_err_prefix(err, "%s", path);
		core_free(km);
		return -1;
	}
	desc = (struct k2e_kernel_desc){
		.machine = km->machine,
		.big_endian = km->be,
		.is64 = km->is64,
		.notes = km->notes,
		.notes_len = km->notes_len,
	};
	return k2e_kernel_new(&desc, &core_ops, km, ret, err);
}
