/*
 * kmem.c - kernel virtual memory of a finished ELF core, through its
 * program headers.
 *
 * The PT_LOADs are kept sorted by p_vaddr with a running maximum of their
 * ends, so a lookup is a binary search even where segments overlap (a
 * physical run without a known direct map sits at p_vaddr = p_paddr).
 */
#include "kernel/kmem.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/format.h"
#include "lib/endian.h"

/* Sanity bounds: far beyond what a converted core holds. */
static const uint64_t max_phnum = 1u << 26;
static const uint64_t max_notes = 64u << 20;

struct kseg {
	uint64_t vaddr, memsz, offset, filesz;
};

struct k2e_kmem {
	int fd;
	char *path;
	bool be;
	bool is64;
	uint16_t machine;
	unsigned word;
	struct kseg *segs;		/* PT_LOADs with p_memsz > 0, sorted by vaddr */
	uint64_t *max_end;		/* max_end[i] = max(vaddr + memsz) of segs[0..i] */
	size_t n_segs;
	unsigned char *notes;
	size_t notes_len;
	const char *vmci;		/* inside notes */
	size_t vmci_len;
};

static int pread_exact(struct k2e_kmem *km, void *buf, size_t len, uint64_t off,
		       struct k2e_err *err)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(km->fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return k2e_err_errno(err, errno, "read error at offset 0x%llx",
					     (unsigned long long)(off + done));
		if (n == 0)
			return k2e_err_set(err, "truncated at offset 0x%llx (wanted 0x%zx bytes at 0x%llx)",
					   (unsigned long long)(off + done), len,
					   (unsigned long long)off);
		done += (size_t)n;
	}
	return 0;
}

static int kseg_cmp(const void *a, const void *b)
{
	const struct kseg *x = a, *y = b;

	if (x->vaddr != y->vaddr)
		return x->vaddr < y->vaddr ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int add_notes(struct k2e_kmem *km, uint64_t off, uint64_t len, struct k2e_err *err)
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

/* PN_XNUM: the real program header count is section header 0's sh_info. */
static int real_phnum(struct k2e_kmem *km, const unsigned char *eh, uint64_t *ret,
		      struct k2e_err *err)
{
	unsigned char sh[64];
	uint64_t shoff = km->is64 ? k2e_get64(eh + 40, km->be) : k2e_get32(eh + 32, km->be);
	unsigned shsize = km->is64 ? 64 : 40;

	if (shoff == 0)
		return k2e_err_set(err, "e_phnum is PN_XNUM but there is no section header");
	if (pread_exact(km, sh, shsize, shoff, err) < 0)
		return k2e_err_prefix(err, "section header 0");
	*ret = k2e_get32(sh + (km->is64 ? 44 : 28), km->be);
	return 0;
}

static unsigned word_for_machine(uint16_t machine, bool is64)
{
	switch (machine) {
	case EM_386:
	case EM_ARM:
	case EM_PPC:
	case EM_SPARC:
	case EM_SH:
	case EM_68K:
		return 4;
	default:
		return is64 ? 8 : 4;
	}
}

static int read_headers(struct k2e_kmem *km, struct k2e_err *err)
{
	unsigned char eh[64], ph[64];
	uint64_t phoff, phnum, phentsize;
	size_t cap = 0;

	if (pread_exact(km, eh, 52, 0, err) < 0)
		return k2e_err_prefix(err, "ELF header");
	if (memcmp(eh, ELFMAG, SELFMAG) != 0)
		return k2e_err_set(err, "not an ELF file");
	if (eh[EI_CLASS] != ELFCLASS64 && eh[EI_CLASS] != ELFCLASS32)
		return k2e_err_set(err, "ELF header: bad class %u", eh[EI_CLASS]);
	if (eh[EI_DATA] != ELFDATA2LSB && eh[EI_DATA] != ELFDATA2MSB)
		return k2e_err_set(err, "ELF header: bad byte order %u", eh[EI_DATA]);
	km->is64 = eh[EI_CLASS] == ELFCLASS64;
	km->be = eh[EI_DATA] == ELFDATA2MSB;
	if (km->is64 && pread_exact(km, eh, 64, 0, err) < 0)
		return k2e_err_prefix(err, "ELF header");
	km->machine = k2e_get16(eh + 18, km->be);
	if (km->is64) {
		phoff = k2e_get64(eh + 32, km->be);
		phentsize = k2e_get16(eh + 54, km->be);
		phnum = k2e_get16(eh + 56, km->be);
	} else {
		phoff = k2e_get32(eh + 28, km->be);
		phentsize = k2e_get16(eh + 42, km->be);
		phnum = k2e_get16(eh + 44, km->be);
	}
	if (phnum == PN_XNUM && real_phnum(km, eh, &phnum, err) < 0)
		return -1;
	if (phnum > max_phnum)
		return k2e_err_set(err, "ELF header: %llu program headers is implausible",
				   (unsigned long long)phnum);
	if (phnum && phentsize < (km->is64 ? 56u : 32u))
		return k2e_err_set(err, "ELF header: e_phentsize %llu is too small",
				   (unsigned long long)phentsize);
	for (uint64_t i = 0; i < phnum; i++) {
		uint32_t type;
		struct kseg s;

		if (pread_exact(km, ph, km->is64 ? 56 : 32, phoff + i * phentsize, err) < 0)
			return k2e_err_prefix(err, "program header %llu", (unsigned long long)i);
		type = k2e_get32(ph, km->be);
		if (km->is64) {
			s.offset = k2e_get64(ph + 8, km->be);
			s.vaddr = k2e_get64(ph + 16, km->be);
			s.filesz = k2e_get64(ph + 32, km->be);
			s.memsz = k2e_get64(ph + 40, km->be);
		} else {
			s.offset = k2e_get32(ph + 4, km->be);
			s.vaddr = k2e_get32(ph + 8, km->be);
			s.filesz = k2e_get32(ph + 16, km->be);
			s.memsz = k2e_get32(ph + 20, km->be);
		}
		if (type == PT_NOTE) {
			if (add_notes(km, s.offset, s.filesz, err) < 0)
				return k2e_err_prefix(err, "program header %llu", (unsigned long long)i);
			continue;
		}
		if (type != PT_LOAD || s.memsz == 0)
			continue;
		if (s.filesz > s.memsz)
			s.filesz = s.memsz;
		if (s.vaddr + s.memsz < s.vaddr)
			s.memsz = UINT64_MAX - s.vaddr;
		if (km->n_segs == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct kseg *v = realloc(km->segs, ncap * sizeof(*v));

			if (!v)
				return k2e_err_set(err, "out of memory");
			km->segs = v;
			cap = ncap;
		}
		km->segs[km->n_segs++] = s;
	}
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

static void find_vmcoreinfo(struct k2e_kmem *km)
{
	const unsigned char *desc;
	size_t len;

	if (km->notes && k2e_notes_find(km->notes, km->notes_len, "VMCOREINFO", -1, km->be,
					&desc, &len) == 0) {
		km->vmci = (const char *)desc;
		km->vmci_len = len;
	}
}

int k2e_kmem_open(const char *path, struct k2e_kmem **ret, struct k2e_err *err)
{
	struct k2e_kmem *km = calloc(1, sizeof(*km));
	struct stat st;
	uint64_t size;

	if (!km)
		return k2e_err_set(err, "out of memory");
	km->fd = -1;
	km->path = strdup(path);
	if (!km->path) {
		k2e_kmem_free(km);
		return k2e_err_set(err, "out of memory");
	}
	km->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (km->fd < 0 || fstat(km->fd, &st) < 0) {
		int e = errno;

		k2e_kmem_free(km);
		return k2e_err_errno(err, e, "%s: cannot open", path);
	}
	if (read_headers(km, err) < 0) {
		k2e_err_prefix(err, "%s", path);
		k2e_kmem_free(km);
		return -1;
	}
	find_vmcoreinfo(km);
	km->word = word_for_machine(km->machine, km->is64);
	if (k2e_kmem_size(km, "atomic_long_t", &size) == 0 && (size == 4 || size == 8))
		km->word = (unsigned)size;
	else if (k2e_kmem_size(km, "long", &size) == 0 && (size == 4 || size == 8))
		km->word = (unsigned)size;
	*ret = km;
	return 0;
}

void k2e_kmem_free(struct k2e_kmem *km)
{
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

/* The segment containing vaddr, or NULL. */
static const struct kseg *seg_of(const struct k2e_kmem *km, uint64_t vaddr)
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

int k2e_kmem_read(struct k2e_kmem *km, uint64_t vaddr, void *buf, size_t len,
		  struct k2e_err *err)
{
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

uint64_t k2e_kmem_get_uint(const struct k2e_kmem *km, const void *p, unsigned size)
{
	switch (size) {
	case 1:
		return *(const unsigned char *)p;
	case 2:
		return k2e_get16(p, km->be);
	case 4:
		return k2e_get32(p, km->be);
	default:
		return k2e_get64(p, km->be);
	}
}

int k2e_kmem_read_uint(struct k2e_kmem *km, uint64_t vaddr, unsigned size, uint64_t *ret,
		       struct k2e_err *err)
{
	unsigned char b[8];

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return k2e_err_set(err, "bad word size %u", size);
	if (k2e_kmem_read(km, vaddr, b, size, err) < 0)
		return -1;
	*ret = k2e_kmem_get_uint(km, b, size);
	return 0;
}

bool k2e_kmem_big_endian(const struct k2e_kmem *km)
{
	return km->be;
}

unsigned k2e_kmem_word_size(const struct k2e_kmem *km)
{
	return km->word;
}

uint16_t k2e_kmem_machine(const struct k2e_kmem *km)
{
	return km->machine;
}

const char *k2e_kmem_vmcoreinfo(const struct k2e_kmem *km, size_t *ret_len)
{
	*ret_len = km->vmci ? km->vmci_len : 0;
	return km->vmci;
}

const char *k2e_kmem_vmci_find(const struct k2e_kmem *km, const char *key, size_t *ret_len)
{
	size_t klen = strlen(key);

	if (!km->vmci)
		return NULL;
	for (size_t pos = 0; pos < km->vmci_len;) {
		const char *nl = memchr(km->vmci + pos, '\n', km->vmci_len - pos);
		size_t end = nl ? (size_t)(nl - km->vmci) : km->vmci_len;

		if (end - pos > klen && memcmp(km->vmci + pos, key, klen) == 0 &&
		    km->vmci[pos + klen] == '=') {
			*ret_len = end - pos - klen - 1;
			return km->vmci + pos + klen + 1;
		}
		pos = end + 1;
	}
	return NULL;
}

/* Parse the value of key as a whole number in base; -1 if absent or malformed. */
static int vmci_parse(const struct k2e_kmem *km, const char *key, int base, bool is_signed,
		      uint64_t *ret)
{
	char buf[64], *end;
	const char *v;
	size_t len;

	v = k2e_kmem_vmci_find(km, key, &len);
	if (!v || len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	if (buf[len - 1] == '\r')
		buf[--len] = '\0';
	errno = 0;
	if (is_signed)
		*ret = (uint64_t)strtoll(buf, &end, base);
	else
		*ret = strtoull(buf, &end, base);
	if (errno || end == buf || *end)
		return -1;
	return 0;
}

static int vmci_keyed(const struct k2e_kmem *km, const char *kind, const char *name, int base,
		      bool is_signed, uint64_t *ret)
{
	char key[160];

	if ((size_t)snprintf(key, sizeof(key), "%s(%s)", kind, name) >= sizeof(key))
		return -1;
	return vmci_parse(km, key, base, is_signed, ret);
}

int k2e_kmem_symbol(const struct k2e_kmem *km, const char *name, uint64_t *ret)
{
	return vmci_keyed(km, "SYMBOL", name, 16, false, ret);
}

int k2e_kmem_offset(const struct k2e_kmem *km, const char *type_member, uint64_t *ret)
{
	return vmci_keyed(km, "OFFSET", type_member, 10, false, ret);
}

int k2e_kmem_size(const struct k2e_kmem *km, const char *type, uint64_t *ret)
{
	return vmci_keyed(km, "SIZE", type, 10, false, ret);
}

int k2e_kmem_length(const struct k2e_kmem *km, const char *name, uint64_t *ret)
{
	return vmci_keyed(km, "LENGTH", name, 10, false, ret);
}

int k2e_kmem_number(const struct k2e_kmem *km, const char *name, int64_t *ret)
{
	uint64_t v;

	if (vmci_keyed(km, "NUMBER", name, 10, true, &v) < 0)
		return -1;
	*ret = (int64_t)v;
	return 0;
}

int k2e_kmem_decimal(const struct k2e_kmem *km, const char *key, int64_t *ret)
{
	uint64_t v;

	if (vmci_parse(km, key, 10, true, &v) < 0)
		return -1;
	*ret = (int64_t)v;
	return 0;
}

size_t k2e_kmem_count_notes(const struct k2e_kmem *km, const char *name, int64_t type)
{
	size_t pos = 0, count = 0, nlen = strlen(name);

	while (km->notes && pos + 12 <= km->notes_len) {
		uint32_t namesz = k2e_get32(km->notes + pos, km->be);
		uint32_t descsz = k2e_get32(km->notes + pos + 4, km->be);
		uint32_t ntype = k2e_get32(km->notes + pos + 8, km->be);
		size_t name_off = pos + 12;
		size_t desc_off, next;

		if (namesz > km->notes_len || descsz > km->notes_len)
			break;
		desc_off = name_off + (((size_t)namesz + 3) & ~(size_t)3);
		next = desc_off + (((size_t)descsz + 3) & ~(size_t)3);
		if (desc_off > km->notes_len || desc_off + descsz > km->notes_len)
			break;
		if ((namesz == nlen + 1 || namesz == nlen) &&
		    memcmp(km->notes + name_off, name, nlen) == 0 &&
		    (type < 0 || (uint32_t)type == ntype))
			count++;
		pos = next;
	}
	return count;
}
