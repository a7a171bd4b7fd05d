/* vmlinux.c - a vmlinux: its build ID and .symtab, one of the symbol finders. */
#include "kernel/vmlinux.h"
#include "kernel/vmlinux-priv.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/symtab.h"

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

/* The first SHT_SYMTAB with data: its header in *sh, its entries in *ret_n; NULL when none. */
static Elf_Data *symtab_data(Elf *elf, GElf_Shdr *sh, size_t *ret_n)
{
	Elf_Scn *scn = NULL;
	Elf_Data *data;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, sh) || sh->sh_type != SHT_SYMTAB || !sh->sh_entsize)
			continue;
		if (!(data = elf_getdata(scn, NULL)))
			continue;
		*ret_n = sh->sh_size / sh->sh_entsize;
		return data;
	}
	return NULL;
}

static int load_symtab(struct k2e_vmlinux *v, struct k2e_err *err)
{
	GElf_Shdr sh;
	Elf_Data *data;
	size_t n;

	if ((data = symtab_data(v->elf, &sh, &n))) {
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


int k2e_vmlinux_add_symbols(struct k2e_vmlinux *v, uint64_t offset, struct k2e_symtab *st,
			    struct k2e_err *err)
{
	GElf_Shdr sh;
	Elf_Data *data;
	size_t n;

	if ((data = symtab_data(v->elf, &sh, &n))) {
		for (size_t i = 1; i < n; i++) {
			GElf_Sym s;
			GElf_Shdr ssh;
			Elf_Scn *in;
			const char *name;
			unsigned type, bind;
			bool text;
			char letter;

			if (!gelf_getsym(data, (int)i, &s) || s.st_shndx == SHN_UNDEF ||
			    s.st_shndx >= SHN_LORESERVE || !s.st_value)
				continue;
			type = GELF_ST_TYPE(s.st_info);
			bind = GELF_ST_BIND(s.st_info);
			if (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE)
				continue;
			if (!(in = elf_getscn(v->elf, s.st_shndx)) || !gelf_getshdr(in, &ssh) ||
			    !(ssh.sh_flags & SHF_ALLOC) || !ssh.sh_addr)
				continue;
			name = elf_strptr(v->elf, sh.sh_link, s.st_name);
			if (!name || !*name)
				continue;
			text = type == STT_FUNC || (type == STT_NOTYPE && (ssh.sh_flags & SHF_EXECINSTR));
			if (bind == STB_WEAK)
				letter = text ? 'W' : 'V';
			else
				letter = text ? 't' : 'd';
			if (bind == STB_GLOBAL)
				letter = (char)(letter - 'a' + 'A');
			if (k2e_symtab_add(st, name, strlen(name), letter, s.st_value + offset, s.st_size,
					   -1) < 0)
				return k2e_err_set(err, "out of memory");
		}
		return 0;
	}
	return 0;
}
