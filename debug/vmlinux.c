/* vmlinux.c - symbols and structure layouts from a vmlinux with DWARF. */
#include "debug/vmlinux.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct k2e_vmlinux {
	int fd;
	Elf *elf;
	Dwarf *dw;		/* NULL without DWARF */
	char build_id[128];
	/* .symtab, sorted by name for lookups */
	struct sym { const char *name; uint64_t addr; } *syms;
	size_t n_syms;
	/* structs found so far (the DWARF of a kernel is large: look once) */
	struct found { char *name; Dwarf_Die die; } *found;
	size_t n_found;
};

static void hex(const unsigned char *p, size_t n, char *out, size_t cap)
{
	size_t i;

	for (i = 0; i < n && 2 * i + 2 < cap; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * i] = '\0';
}

static void find_build_id(Elf *elf, char *out, size_t cap)
{
	Elf_Scn *scn = NULL;

	out[0] = '\0';
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    memcmp((char *)data->d_buf + name_off, "GNU", 4) == 0) {
				hex((unsigned char *)data->d_buf + desc_off, nh.n_descsz, out, cap);
				return;
			}
		}
	}
}

int k2e_elf_build_id(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf;

	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		close(fd);
		return -1;
	}
	find_build_id(elf, buf, len);
	elf_end(elf);
	close(fd);
	return 0;
}

static int sym_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sym *)a)->name, ((const struct sym *)b)->name);
}

static int load_symtab(struct k2e_vmlinux *v, struct k2e_err *err)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(v->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		v->syms = calloc(n ? n : 1, sizeof(*v->syms));
		if (!v->syms)
			return k2e_err_set(err, "out of memory");
		for (size_t i = 0; i < n; i++) {
			GElf_Sym s;
			const char *name;

			if (!gelf_getsym(data, (int)i, &s))
				continue;
			name = elf_strptr(v->elf, sh.sh_link, s.st_name);
			if (!name || !*name || GELF_ST_TYPE(s.st_info) == STT_FILE ||
			    GELF_ST_TYPE(s.st_info) == STT_SECTION)
				continue;
			v->syms[v->n_syms].name = name;
			v->syms[v->n_syms].addr = s.st_value;
			v->n_syms++;
		}
		qsort(v->syms, v->n_syms, sizeof(*v->syms), sym_cmp);
		return 0;
	}
	return k2e_err_set(err, "no symbol table");
}

int k2e_vmlinux_open(const char *path, struct k2e_vmlinux **ret, struct k2e_err *err)
{
	struct k2e_vmlinux *v = calloc(1, sizeof(*v));

	if (!v)
		return k2e_err_set(err, "out of memory");
	elf_version(EV_CURRENT);
	v->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (v->fd < 0) {
		free(v);
		return k2e_err_errno(err, errno, "%s: cannot open", path);
	}
	v->elf = elf_begin(v->fd, ELF_C_READ_MMAP, NULL);
	if (!v->elf || elf_kind(v->elf) != ELF_K_ELF) {
		k2e_err_set(err, "%s: not an ELF file", path);
		k2e_vmlinux_free(v);
		return -1;
	}
	find_build_id(v->elf, v->build_id, sizeof(v->build_id));
	if (load_symtab(v, err) < 0) {
		k2e_err_prefix(err, "%s", path);
		k2e_vmlinux_free(v);
		return -1;
	}
	v->dw = dwarf_begin_elf(v->elf, DWARF_C_READ, NULL);
	*ret = v;
	return 0;
}

void k2e_vmlinux_free(struct k2e_vmlinux *v)
{
	if (!v)
		return;
	if (v->dw)
		dwarf_end(v->dw);
	if (v->elf)
		elf_end(v->elf);
	if (v->fd >= 0)
		close(v->fd);
	for (size_t i = 0; i < v->n_found; i++)
		free(v->found[i].name);
	free(v->found);
	free(v->syms);
	free(v);
}

const char *k2e_vmlinux_build_id(const struct k2e_vmlinux *v)
{
	return v->build_id;
}

int k2e_vmlinux_symbol(struct k2e_vmlinux *v, const char *name, uint64_t *ret)
{
	struct sym key = { .name = name };
	struct sym *s = bsearch(&key, v->syms, v->n_syms, sizeof(*v->syms), sym_cmp);

	if (!s)
		return -1;
	*ret = s->addr;
	return 0;
}

/* A complete definition of struct `name`, searching top-level DIEs of each CU. */
static int find_struct(struct k2e_vmlinux *v, const char *name, Dwarf_Die *ret,
		       struct k2e_err *err)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	for (size_t i = 0; i < v->n_found; i++) {
		if (strcmp(v->found[i].name, name) == 0) {
			*ret = v->found[i].die;
			return 0;
		}
	}
	if (!v->dw)
		return k2e_err_set(err, "no DWARF to find struct %s", name);
	while (dwarf_nextcu(v->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, child;

		if (dwarf_offdie(v->dw, off + hsize, &cu) && dwarf_child(&cu, &child) == 0) {
			do {
				const char *n;
				bool decl;

				if (dwarf_tag(&child) != DW_TAG_structure_type)
					continue;
				n = dwarf_diename(&child);
				if (!n || strcmp(n, name) != 0)
					continue;
				decl = dwarf_hasattr(&child, DW_AT_declaration);
				if (decl)
					continue;
				{
					struct found *f = realloc(v->found, (v->n_found + 1) * sizeof(*f));

					if (!f)
						return k2e_err_set(err, "out of memory");
					v->found = f;
					f[v->n_found].name = strdup(name);
					f[v->n_found].die = child;
					if (f[v->n_found].name)
						v->n_found++;
				}
				*ret = child;
				return 0;
			} while (dwarf_siblingof(&child, &child) == 0);
		}
		off = next;
	}
	return k2e_err_set(err, "struct %s not found in the DWARF", name);
}

/* Follow typedefs and qualifiers to the underlying type. */
static bool resolve_type(Dwarf_Die *die, Dwarf_Die *ret)
{
	Dwarf_Attribute a;
	Dwarf_Die t;

	if (!dwarf_attr_integrate(die, DW_AT_type, &a) || !dwarf_formref_die(&a, &t))
		return false;
	while (dwarf_tag(&t) == DW_TAG_typedef || dwarf_tag(&t) == DW_TAG_const_type ||
	       dwarf_tag(&t) == DW_TAG_volatile_type) {
		if (!dwarf_attr_integrate(&t, DW_AT_type, &a) || !dwarf_formref_die(&a, &t))
			return false;
	}
	*ret = t;
	return true;
}

static bool member_offset(Dwarf_Die *m, uint64_t *ret)
{
	Dwarf_Attribute a;
	Dwarf_Word w;

	if (!dwarf_attr(m, DW_AT_data_member_location, &a)) {
		*ret = 0;	/* union members */
		return true;
	}
	if (dwarf_formudata(&a, &w) != 0)
		return false;
	*ret = w;
	return true;
}

/* Find member `name` in struct/union die (looking into anonymous members). */
static bool find_member(Dwarf_Die *sdie, const char *name, size_t name_len, uint64_t *ret_off,
			Dwarf_Die *ret_member)
{
	Dwarf_Die m;

	if (dwarf_child(sdie, &m) != 0)
		return false;
	do {
		const char *n;
		uint64_t off;

		if (dwarf_tag(&m) != DW_TAG_member || !member_offset(&m, &off))
			continue;
		n = dwarf_diename(&m);
		if (n && strlen(n) == name_len && memcmp(n, name, name_len) == 0) {
			*ret_off = off;
			*ret_member = m;
			return true;
		}
		if (!n) {
			Dwarf_Die t;
			uint64_t inner;

			if (resolve_type(&m, &t) && find_member(&t, name, name_len, &inner, ret_member)) {
				*ret_off = off + inner;
				return true;
			}
		}
	} while (dwarf_siblingof(&m, &m) == 0);
	return false;
}

int k2e_vmlinux_member(struct k2e_vmlinux *v, const char *struct_name, const char *path,
		       uint64_t *ret, struct k2e_err *err)
{
	Dwarf_Die s, m;
	uint64_t total = 0;
	const char *p = path;

	if (find_struct(v, struct_name, &s, err) < 0)
		return -1;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		uint64_t off;

		if (!find_member(&s, p, len, &off, &m))
			return k2e_err_set(err, "struct %s has no member %s", struct_name, path);
		total += off;
		if (!dot)
			break;
		if (!resolve_type(&m, &s))
			return k2e_err_set(err, "struct %s: cannot follow %s", struct_name, path);
		p = dot + 1;
	}
	*ret = total;
	return 0;
}

int k2e_vmlinux_struct_size(struct k2e_vmlinux *v, const char *struct_name, uint64_t *ret,
			    struct k2e_err *err)
{
	Dwarf_Die s;
	Dwarf_Word sz;
	Dwarf_Attribute a;

	if (find_struct(v, struct_name, &s, err) < 0)
		return -1;
	if (!dwarf_attr(&s, DW_AT_byte_size, &a) || dwarf_formudata(&a, &sz) != 0)
		return k2e_err_set(err, "struct %s has no size", struct_name);
	*ret = sz;
	return 0;
}
