/*
 * modreloc.c - a module's debug info relocated to its dump addresses
 * (see modreloc.h for the why).  The object is read with libelf and its
 * bytes are taken as they are in the file (little-endian only), so the
 * result does not depend on the host's byte order; the output is laid out
 * here: ELF header, the kept sections' bytes in order, the section headers.
 */
#include "output/modreloc.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/endian.h"
#include "lib/fileio.h"

enum {
	SYM_SIZE = 24,		/* Elf64_Sym */
	RELA_SIZE = 24,		/* Elf64_Rela */
	EHDR_SIZE = 64,		/* Elf64_Ehdr */
	SHDR_SIZE = 64,		/* Elf64_Shdr */
	AARCH64_OLD_NONE = 256,	/* R_AARCH64_NONE's value in early AArch64 ELF drafts, still accepted */
};

struct sect {
	GElf_Shdr in;
	const char *name;
	bool keep;		/* in the output */
	bool placed;		/* allocated, at a dump address */
	uint64_t addr;		/* the dump address when placed */
	uint32_t out_index;
	uint32_t out_type;
	uint64_t out_flags;
	uint64_t out_off;
	unsigned char *buf;	/* output bytes (a copy), NULL when none */
	size_t len;
};

struct job {
	const char *ko;
	Elf *elf;
	struct sect *s;
	size_t n;
	size_t symtab;		/* index, 0: none */
	struct k2e_modreloc_stats st;
};

static uint64_t section_addr(const struct k2e_module *m, const char *name, bool *found)
{
	for (size_t i = 0; i < m->n_sect; i++)
		if (strcmp(m->sect[i].name, name) == 0) {
			*found = true;
			return m->sect[i].addr;
		}
	*found = false;
	return 0;
}

/* A copy of section i's bytes as they are in the file. */
static int copy_bytes(struct job *j, size_t i, struct k2e_err *err)
{
	Elf_Scn *scn = elf_getscn(j->elf, i);
	Elf_Data *d = scn ? elf_rawdata(scn, NULL) : NULL;
	struct sect *s = &j->s[i];

	if (s->in.sh_type == SHT_NOBITS || s->in.sh_size == 0)
		return 0;
	if (!d || d->d_size != s->in.sh_size)
		return k2e_err_set(err, "section %zu ('%s'): cannot read its %llu bytes", i, s->name,
				   (unsigned long long)s->in.sh_size);
	s->buf = malloc(d->d_size);
	if (!s->buf)
		return k2e_err_set(err, "out of memory");
	memcpy(s->buf, d->d_buf, d->d_size);
	s->len = d->d_size;
	return 0;
}

/* The final value of symbol `sym` of the input symbol table; false when it has none. */
static bool symbol_value(const struct job *j, uint64_t sym, uint64_t *ret)
{
	const struct sect *t = &j->s[j->symtab];
	const unsigned char *p;
	uint16_t shndx;
	uint64_t v;

	if (!t->buf || sym >= t->len / SYM_SIZE)
		return false;
	p = t->buf + sym * SYM_SIZE;
	shndx = k2e_get16(p + 6, false);
	v = k2e_get64(p + 8, false);
	if (shndx == SHN_ABS) {
		*ret = v;
		return true;
	}
	if (shndx == SHN_UNDEF || shndx >= SHN_LORESERVE || shndx >= j->n)
		return false;
	*ret = v + (j->s[shndx].placed ? j->s[shndx].addr : 0);
	return true;
}

/*
 * Apply one relocation to target t.  Sizes and what S+A-P must fit in come
 * from the psABIs (x86-64 psABI 4.4, ELF for the Arm 64-bit Architecture
 * 5.7.6).
 */
static int apply_one(struct sect *t, uint16_t machine, uint32_t type, uint64_t off, uint64_t s_val,
		     int64_t a, struct k2e_err *err)
{
	enum { ABS, PCREL } kind = ABS;
	unsigned size = 0;
	bool is_signed = false;
	uint64_t v, p = (t->placed ? t->addr : 0) + off;

	if (machine == EM_X86_64) {
		switch (type) {
		case R_X86_64_NONE: return 0;
		case R_X86_64_64: size = 8; break;
		case R_X86_64_32: size = 4; break;
		case R_X86_64_32S: size = 4; is_signed = true; break;
		case R_X86_64_PC32:
		case R_X86_64_PLT32: size = 4; kind = PCREL; is_signed = true; break;
		case R_X86_64_PC64: size = 8; kind = PCREL; break;
		}
	} else if (machine == EM_AARCH64) {
		switch (type) {
		case R_AARCH64_NONE:
		case AARCH64_OLD_NONE: return 0;
		case R_AARCH64_ABS64: size = 8; break;
		case R_AARCH64_ABS32: size = 4; break;
		case R_AARCH64_ABS16: size = 2; break;
		case R_AARCH64_PREL64: size = 8; kind = PCREL; break;
		case R_AARCH64_PREL32: size = 4; kind = PCREL; is_signed = true; break;
		case R_AARCH64_PREL16: size = 2; kind = PCREL; is_signed = true; break;
		}
	}
	if (!size)
		return k2e_err_set(err, "section '%s': relocation type %u not supported", t->name, type);
	if (off > t->len || t->len - off < size)
		return k2e_err_set(err, "section '%s': relocation at 0x%llx is outside its %zu bytes",
				   t->name, (unsigned long long)off, t->len);
	v = s_val + (uint64_t)a - (kind == PCREL ? p : 0);
	if (size < 8) {
		int64_t sv = (int64_t)v;
		uint64_t lim = (uint64_t)1 << (size * 8);
		bool fits = is_signed ? sv >= -(int64_t)(lim / 2) && sv < (int64_t)(lim / 2)
				      : v < lim || (sv < 0 && sv >= -(int64_t)(lim / 2));

		/* ABS32/ABS16 on aarch64 take signed or unsigned values; x86's 32 unsigned only. */
		if (machine == EM_X86_64 && !is_signed)
			fits = v < lim;
		if (!fits)
			return k2e_err_set(err, "section '%s': relocation at 0x%llx: 0x%llx does not fit %u bytes",
					   t->name, (unsigned long long)off, (unsigned long long)v, size);
	}
	if (size == 8)
		k2e_put64le(t->buf + off, v);
	else if (size == 4)
		k2e_put32le(t->buf + off, (uint32_t)v);
	else
		k2e_put16le(t->buf + off, (uint16_t)v);
	return 0;
}

/* Apply relocation section r to its (non-allocated, kept) target. */
static int apply_relocs(struct job *j, size_t r, uint16_t machine, struct k2e_err *err)
{
	const struct sect *rs = &j->s[r];
	struct sect *t;
	Elf_Scn *scn = elf_getscn(j->elf, r);
	Elf_Data *d = scn ? elf_rawdata(scn, NULL) : NULL;

	if (rs->in.sh_info == 0 || rs->in.sh_info >= j->n)
		return k2e_err_set(err, "relocation section '%s' names no section", rs->name);
	t = &j->s[rs->in.sh_info];
	/* Allocated targets become NOBITS or are not loaded: their bytes matter to nobody. */
	if (!t->keep || (t->in.sh_flags & SHF_ALLOC) || !t->buf)
		return 0;
	if (rs->in.sh_type == SHT_REL)
		return k2e_err_set(err, "section '%s': SHT_REL relocations not supported", rs->name);
	if (t->in.sh_flags & SHF_COMPRESSED)
		return k2e_err_set(err, "section '%s': relocations of a compressed section not supported",
				   t->name);
	if (rs->in.sh_link != j->symtab)
		return k2e_err_set(err, "section '%s': relocations against another symbol table", rs->name);
	if (!d || d->d_size != rs->in.sh_size)
		return k2e_err_set(err, "section '%s': cannot read it", rs->name);
	for (size_t k = 0; k + RELA_SIZE <= d->d_size; k += RELA_SIZE) {
		const unsigned char *p = (const unsigned char *)d->d_buf + k;
		uint64_t off = k2e_get64(p, false), info = k2e_get64(p + 8, false), s_val;
		int64_t a = (int64_t)k2e_get64(p + 16, false);
		uint32_t type = (uint32_t)info;

		if ((machine == EM_X86_64 && type == R_X86_64_NONE) ||
		    (machine == EM_AARCH64 && (type == R_AARCH64_NONE || type == AARCH64_OLD_NONE)))
			continue;
		if (!symbol_value(j, info >> 32, &s_val)) {
			j->st.unresolved++;
			continue;
		}
		if (apply_one(t, machine, type, off, s_val, a, err) < 0)
			return -1;
		j->st.relocs++;
	}
	return 0;
}

/* Symbols at their final addresses, section indexes renumbered. */
static void rewrite_symbols(struct job *j, unsigned char *out, size_t len)
{
	for (size_t k = 0; k + SYM_SIZE <= len; k += SYM_SIZE) {
		unsigned char *p = out + k;
		uint16_t shndx = k2e_get16(p + 6, false);

		if (shndx == SHN_UNDEF || shndx >= SHN_LORESERVE)
			continue;
		if (shndx >= j->n || !j->s[shndx].keep) {
			k2e_put16le(p + 6, SHN_UNDEF);
			continue;
		}
		if (j->s[shndx].placed)
			k2e_put64le(p + 8, k2e_get64(p + 8, false) + j->s[shndx].addr);
		k2e_put16le(p + 6, (uint16_t)j->s[shndx].out_index);
	}
}

static uint32_t out_link(const struct job *j, uint64_t link)
{
	return link && link < j->n && j->s[link].keep ? j->s[link].out_index : 0;
}

static int write_out(struct job *j, int fd, const unsigned char *ident, const GElf_Ehdr *eh,
		     struct k2e_err *err)
{
	unsigned char h[EHDR_SIZE] = { 0 }, sh[SHDR_SIZE];
	static const unsigned char zeros[SHDR_SIZE] = { 0 };
	uint64_t off = EHDR_SIZE, shoff;
	uint32_t n_out = 1;

	for (size_t i = 1; i < j->n; i++) {
		struct sect *s = &j->s[i];
		uint64_t align = s->in.sh_addralign > 1 ? s->in.sh_addralign : 1;

		if (!s->keep)
			continue;
		if (align & (align - 1))
			return k2e_err_set(err, "section '%s': alignment %llu is not a power of 2", s->name,
					   (unsigned long long)align);
		off = (off + align - 1) & ~(align - 1);
		s->out_off = off;
		if (s->buf && k2e_pwrite_all(fd, s->buf, s->len, off, err) < 0)
			return -1;
		off += s->buf ? s->len : 0;
		n_out++;
	}
	shoff = (off + 7) & ~(uint64_t)7;
	if (k2e_pwrite_all(fd, zeros, SHDR_SIZE, shoff, err) < 0)
		return -1;
	for (size_t i = 1; i < j->n; i++) {
		const struct sect *s = &j->s[i];
		uint64_t info = s->in.sh_info;

		if (!s->keep)
			continue;
		if (s->out_flags & SHF_INFO_LINK)
			info = out_link(j, info);
		memset(sh, 0, sizeof(sh));
		k2e_put32le(sh, s->in.sh_name);
		k2e_put32le(sh + 4, s->out_type);
		k2e_put64le(sh + 8, s->out_flags);
		k2e_put64le(sh + 16, s->placed ? s->addr : 0);
		k2e_put64le(sh + 24, s->out_off);
		k2e_put64le(sh + 32, s->in.sh_size);
		k2e_put32le(sh + 40, out_link(j, s->in.sh_link));
		k2e_put32le(sh + 44, (uint32_t)info);
		k2e_put64le(sh + 48, s->in.sh_addralign);
		k2e_put64le(sh + 56, s->in.sh_entsize);
		if (k2e_pwrite_all(fd, sh, sizeof(sh), shoff + (uint64_t)s->out_index * SHDR_SIZE, err) < 0)
			return -1;
	}
	memcpy(h, ident, EI_NIDENT);
	k2e_put16le(h + 16, ET_EXEC);
	k2e_put16le(h + 18, eh->e_machine);
	k2e_put32le(h + 20, EV_CURRENT);
	k2e_put64le(h + 40, shoff);
	k2e_put32le(h + 48, eh->e_flags);
	k2e_put16le(h + 52, EHDR_SIZE);
	k2e_put16le(h + 58, SHDR_SIZE);
	k2e_put16le(h + 60, (uint16_t)n_out);
	k2e_put16le(h + 62, (uint16_t)out_link(j, j->s[0].in.sh_link));
	return k2e_pwrite_all(fd, h, sizeof(h), 0, err);
}

static int relocate(struct job *j, const struct k2e_module *m, uint16_t machine, int out_fd,
		    struct k2e_err *err)
{
	unsigned char ident[EI_NIDENT];
	const char *id;
	size_t shnum, shstrndx, len;
	GElf_Ehdr eh;
	uint32_t next = 1;

	id = elf_getident(j->elf, &len);
	if (!id || len < EI_NIDENT || elf_kind(j->elf) != ELF_K_ELF || !gelf_getehdr(j->elf, &eh))
		return k2e_err_set(err, "not an ELF file");
	memcpy(ident, id, EI_NIDENT);
	if (ident[EI_CLASS] != ELFCLASS64 || ident[EI_DATA] != ELFDATA2LSB)
		return k2e_err_set(err, "not a 64-bit little-endian object");
	if (eh.e_type != ET_REL)
		return k2e_err_set(err, "not a relocatable object (e_type %u)", eh.e_type);
	if (eh.e_machine != machine)
		return k2e_err_set(err, "machine %u, the dump's is %u", eh.e_machine, machine);
	if (machine != EM_X86_64 && machine != EM_AARCH64)
		return k2e_err_set(err, "relocations for machine %u not supported", machine);
	if (elf_getshdrnum(j->elf, &shnum) != 0 || elf_getshdrstrndx(j->elf, &shstrndx) != 0 ||
	    shnum < 2 || shnum >= SHN_LORESERVE)
		return k2e_err_set(err, "cannot read its section headers");
	j->s = calloc(shnum, sizeof(*j->s));
	if (!j->s)
		return k2e_err_set(err, "out of memory");
	j->n = shnum;
	for (size_t i = 0; i < shnum; i++) {
		struct sect *s = &j->s[i];
		Elf_Scn *scn = elf_getscn(j->elf, i);

		if (!scn || !gelf_getshdr(scn, &s->in))
			return k2e_err_set(err, "cannot read section header %zu", i);
		s->name = i ? elf_strptr(j->elf, shstrndx, s->in.sh_name) : "";
		if (!s->name)
			return k2e_err_set(err, "section %zu has no name", i);
		if (s->in.sh_type == SHT_SYMTAB_SHNDX)
			return k2e_err_set(err, "SHT_SYMTAB_SHNDX not supported");
		if (s->in.sh_type == SHT_SYMTAB) {
			if (j->symtab)
				return k2e_err_set(err, "more than one symbol table");
			j->symtab = i;
		}
	}
	j->s[0].in.sh_link = (uint32_t)shstrndx;	/* for write_out */
	for (size_t i = 1; i < shnum; i++) {
		struct sect *s = &j->s[i];
		uint32_t t = s->in.sh_type;

		s->keep = t != SHT_RELA && t != SHT_REL && t != SHT_GROUP;
		if (!s->keep)
			continue;
		s->out_index = next++;
		s->out_type = t;
		s->out_flags = s->in.sh_flags;
		if (s->in.sh_flags & SHF_ALLOC) {
			s->addr = section_addr(m, s->name, &s->placed);
			if (!s->placed)
				s->out_flags &= ~(uint64_t)SHF_ALLOC;
			else
				j->st.placed++;
			if (s->placed && t != SHT_NOTE)
				s->out_type = SHT_NOBITS;
		}
		if (s->out_type != SHT_NOBITS && copy_bytes(j, i, err) < 0)
			return -1;
	}
	if (!j->st.placed)
		return k2e_err_set(err, "no section of it is named in the dump");
	for (size_t i = 1; i < shnum; i++)
		if ((j->s[i].in.sh_type == SHT_RELA || j->s[i].in.sh_type == SHT_REL) &&
		    apply_relocs(j, i, machine, err) < 0)
			return -1;
	/* Last: relocations read the input's symbol values from this same buffer. */
	if (j->symtab && j->s[j->symtab].buf)
		rewrite_symbols(j, j->s[j->symtab].buf, j->s[j->symtab].len);
	return write_out(j, out_fd, ident, &eh, err);
}

int k2e_modreloc_write(int out_fd, const char *ko, const struct k2e_module *m, uint16_t machine,
		       struct k2e_modreloc_stats *ret, struct k2e_err *err)
{
	struct job j = { .ko = ko };
	int fd, rc;

	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return k2e_err_errno(err, errno, "'%s'", ko);
	elf_version(EV_CURRENT);
	j.elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!j.elf)
		rc = k2e_err_set(err, "%s", elf_errmsg(-1));
	else
		rc = relocate(&j, m, machine, out_fd, err);
	if (rc < 0)
		k2e_err_prefix(err, "'%s'", ko);
	else
		*ret = j.st;
	for (size_t i = 0; i < j.n; i++)
		free(j.s[i].buf);
	free(j.s);
	if (j.elf)
		elf_end(j.elf);
	close(fd);
	return rc;
}
