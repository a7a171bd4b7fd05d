/*
 * modules.c - the dumped kernel's loaded modules: each one's name and
 * section addresses (the sysfs sect_attrs the kernel keeps), and their
 * symbols (each struct module's mod_kallsyms: Elf_Sym tables in module
 * memory).  Layouts and symbols through the kernel's lookups (kernel.h).
 */
#include "analysis/modules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/symtab.h"
#include "lib/names.h"

enum {
	MAX_MODULES = 8192,
	MAX_MOD_SYMS = 1 << 20,
};

static int read_mem(struct k2e_kernel *k, uint64_t va, void *buf, size_t len)
{
	struct k2e_err e;

	return k2e_kernel_read(k, va, buf, len, &e);
}

/* &modules: its symbol, else found in module memory (kallsyms without data symbols). */
static int modules_head(struct k2e_kernel *k, uint64_t *ret, struct k2e_err *err)
{
	struct k2e_err e;

	if (k2e_kernel_symbol(k, "modules", ret, err) == 0)
		return 0;
	return k2e_modules_find_head(k, ret, &e) == 0 ? 0 : -1;
}

static int read_u64(struct k2e_kernel *k, uint64_t va, uint64_t *ret)
{
	struct k2e_err e;

	return k2e_kernel_read_uint(k, va, 8, ret, &e);
}

static int read_u32(struct k2e_kernel *k, uint64_t va, uint32_t *ret)
{
	struct k2e_err e;
	uint64_t v;

	if (k2e_kernel_read_uint(k, va, 4, &v, &e) < 0)
		return -1;
	*ret = (uint32_t)v;
	return 0;
}

bool k2e_module_build_id(struct k2e_kernel *k, const struct k2e_module *m, char *hex, size_t cap)
{
	unsigned char note[64];		/* a GNU build ID note is 36 bytes (SHA-1) */
	size_t off = 0;

	if (cap)
		hex[0] = '\0';
	for (size_t i = 0; i < m->n_sect; i++) {
		if (strcmp(m->sect[i].name, ".note.gnu.build-id") != 0)
			continue;
		memset(note, 0, sizeof(note));
		/* The section may end a page that is the last one mapped. */
		if (read_mem(k, m->sect[i].addr, note, sizeof(note)) < 0 &&
		    read_mem(k, m->sect[i].addr, note, 36) < 0)
			return false;
		/* Elf_Nhdr: namesz, descsz, type, then name and desc, each padded to 4 (gABI "Note Section"). */
		while (off + 12 <= sizeof(note)) {
			uint64_t namesz = k2e_kernel_get_uint(k, note + off, 4);
			uint64_t descsz = k2e_kernel_get_uint(k, note + off + 4, 4);
			uint64_t type = k2e_kernel_get_uint(k, note + off + 8, 4);
			size_t name_at = off + 12, desc_at = name_at + ((namesz + 3) & ~(uint64_t)3);

			if (namesz > sizeof(note) || descsz > sizeof(note) || desc_at + descsz > sizeof(note))
				return false;
			if (type == 3 && namesz == 4 && memcmp(note + name_at, "GNU", 4) == 0) {
				if (descsz == 0 || descsz > 64 || cap < 2 * descsz + 1)
					return false;
				for (size_t b = 0; b < descsz; b++)
					snprintf(hex + 2 * b, 3, "%02x", note[desc_at + b]);
				return true;
			}
			off = desc_at + ((descsz + 3) & ~(uint64_t)3);
		}
		return false;
	}
	return false;
}

/* Note a name from the dump that is left out (the first one is kept for the message). */
static void bad_name(struct k2e_modules *ki, const char *what, const char *name, uint64_t at)
{
	char esc[96];

	if (ki->n_bad_names++ == 0)
		snprintf(ki->bad_name, sizeof(ki->bad_name), "%s '%s' at 0x%llx", what,
			 k2e_name_escape(name, SIZE_MAX, esc, sizeof(esc)), (unsigned long long)at);
}

static int add_section(struct k2e_module *m, const char *name, uint64_t addr)
{
	struct k2e_section *s = realloc(m->sect, (m->n_sect + 1) * sizeof(*s));

	if (!s)
		return -1;
	m->sect = s;
	s[m->n_sect].name = strdup(name);
	s[m->n_sect].addr = addr;
	if (!s[m->n_sect].name)
		return -1;
	m->n_sect++;
	return 0;
}

/* Walk the modules list: each module's name and its section addresses (sysfs sect_attrs). */
int k2e_modules_list(struct k2e_kernel *kr, struct k2e_modules *ki, struct k2e_err *err)
{
	struct k2e_err e;
	struct k2e_member m_list, m_name, m_sattrs, m_nsect, m_attrs, m_aname, m_aaddr;
	uint64_t head, o_list, o_name, o_sattrs, o_nsect, o_attrs, o_aname, o_aaddr, attr_size, pos;
	int guard = 0;

	memset(ki, 0, sizeof(*ki));
	if (modules_head(kr, &head, &e) < 0) {
		snprintf(ki->why_no_modules, sizeof(ki->why_no_modules), "%.200s", e.msg);
		return 0;
	}
	if (k2e_kernel_member(kr, "module", "list", &m_list, &e) < 0 ||
	    k2e_kernel_member(kr, "module", "name", &m_name, &e) < 0 ||
	    k2e_kernel_member(kr, "module", "sect_attrs", &m_sattrs, &e) < 0 ||
	    k2e_kernel_member(kr, "module_sect_attrs", "nsections", &m_nsect, &e) < 0 ||
	    k2e_kernel_member(kr, "module_sect_attrs", "attrs", &m_attrs, &e) < 0 ||
	    k2e_kernel_member(kr, "module_sect_attr", "battr.attr.name", &m_aname, &e) < 0 ||
	    k2e_kernel_member(kr, "module_sect_attr", "address", &m_aaddr, &e) < 0 ||
	    k2e_kernel_sizeof(kr, "module_sect_attr", &attr_size, &e) < 0) {
		snprintf(ki->why_no_modules, sizeof(ki->why_no_modules), "%.200s", e.msg);
		return 0;
	}
	o_list = m_list.offset;
	o_name = m_name.offset;
	o_sattrs = m_sattrs.offset;
	o_nsect = m_nsect.offset;
	o_attrs = m_attrs.offset;
	o_aname = m_aname.offset;
	o_aaddr = m_aaddr.offset;
	if (read_u64(kr, head, &pos) < 0) {
		snprintf(ki->why_no_modules, sizeof(ki->why_no_modules), "module list unreadable");
		return 0;
	}
	while (pos != head && guard++ < 4096) {
		uint64_t mod = pos - o_list, sattrs;
		uint32_t nsect;
		struct k2e_module m = { 0 };
		struct k2e_module *v;

		m.addr = mod;

		if (read_mem(kr, mod + o_name, m.name, 56) < 0)
			break;
		m.name[56] = '\0';
		if (!k2e_name_is_module(m.name)) {
			bad_name(ki, "module name", m.name, mod);
			if (read_u64(kr, pos, &pos) < 0)
				break;
			continue;
		}
		if (read_u64(kr, mod + o_sattrs, &sattrs) == 0 && sattrs &&
		    read_u32(kr, sattrs + o_nsect, &nsect) == 0 && nsect < 1024) {
			for (uint32_t i = 0; i < nsect; i++) {
				uint64_t a = sattrs + o_attrs + i * attr_size, name_va, addr;
				char name[128];

				if (read_u64(kr, a + o_aname, &name_va) < 0 || read_u64(kr, a + o_aaddr, &addr) < 0 ||
				    read_mem(kr, name_va, name, sizeof(name)) < 0)
					continue;
				name[sizeof(name) - 1] = '\0';
				if (!k2e_name_is_section(name)) {
					bad_name(ki, "section name", name, name_va);
					continue;
				}
				if (add_section(&m, name, addr) < 0)
					return k2e_err_set(err, "out of memory");
			}
		}
		v = realloc(ki->mods, (ki->n_mods + 1) * sizeof(*v));
		if (!v)
			return k2e_err_set(err, "out of memory");
		ki->mods = v;
		v[ki->n_mods++] = m;
		if (read_u64(kr, pos, &pos) < 0)
			break;
	}
	return 0;
}

void k2e_modules_release(struct k2e_modules *ki)
{
	for (size_t i = 0; i < ki->n_mods; i++) {
		for (size_t j = 0; j < ki->mods[i].n_sect; j++)
			free(ki->mods[i].sect[j].name);
		free(ki->mods[i].sect);
	}
	free(ki->mods);
	memset(ki, 0, sizeof(*ki));
}

/* ---- the modules' own symbol tables (mod_kallsyms) ---- */

struct mod_layout {
	uint64_t list, name, name_len, kallsyms;
	bool kallsyms_is_ptr;		/* 5.x+: struct mod_kallsyms *kallsyms; older: embedded */
	uint64_t ks_symtab, ks_num, ks_strtab, ks_typetab;
	bool has_typetab;
};

static int mod_layout(struct k2e_kernel *k, struct mod_layout *l, struct k2e_err *err)
{
	struct k2e_member m;

	memset(l, 0, sizeof(*l));
	if (k2e_kernel_member(k, "module", "list", &m, err) < 0)
		return -1;
	l->list = m.offset;
	if (k2e_kernel_member(k, "module", "name", &m, err) < 0)
		return -1;
	l->name = m.offset;
	l->name_len = m.size ? m.size : 56;
	if (k2e_kernel_member(k, "module", "kallsyms", &m, err) == 0) {
		l->kallsyms = m.offset;
		l->kallsyms_is_ptr = m.is_pointer;
	} else if (k2e_kernel_member(k, "module", "core_kallsyms", &m, err) == 0) {
		l->kallsyms = m.offset;
	} else {
		return -1;
	}
	if (k2e_kernel_member(k, "mod_kallsyms", "symtab", &m, err) < 0)
		return -1;
	l->ks_symtab = m.offset;
	if (k2e_kernel_member(k, "mod_kallsyms", "num_symtab", &m, err) < 0)
		return -1;
	l->ks_num = m.offset;
	if (k2e_kernel_member(k, "mod_kallsyms", "strtab", &m, err) < 0)
		return -1;
	l->ks_strtab = m.offset;
	if (k2e_kernel_member(k, "mod_kallsyms", "typetab", &m, err) == 0) {
		l->ks_typetab = m.offset;
		l->has_typetab = true;
	}
	return 0;
}

static char elf_type_letter(unsigned info, unsigned shndx)
{
	unsigned bind = info >> 4, type = info & 0xf;
	char c = type == 2 ? 't' : type == 1 ? 'd' : shndx == 0xfff1 ? 'a' : 'd';	/* FUNC, OBJECT, ABS */

	return bind == 1 || bind == 2 ? (char)(c - 'a' + 'A') : c;
}

static int read_module(struct k2e_symtab *st, struct k2e_kernel *km, const struct mod_layout *l,
		       uint64_t mod, int32_t idx, struct k2e_err *err)
{
	unsigned ws = k2e_kernel_word_size(km), esz = ws == 8 ? 24 : 16;
	uint64_t ks = mod + l->kallsyms, symtab, num, strtab, typetab = 0;
	unsigned char *syms = NULL, *types = NULL;
	char *strs = NULL;
	size_t strs_len = 0, i;
	int rc = -1;

	if (l->kallsyms_is_ptr && k2e_kernel_read_uint(km, ks, ws, &ks, err) < 0)
		return -1;
	if (k2e_kernel_read_uint(km, ks + l->ks_symtab, ws, &symtab, err) < 0 ||
	    k2e_kernel_read_uint(km, ks + l->ks_num, 4, &num, err) < 0 ||
	    k2e_kernel_read_uint(km, ks + l->ks_strtab, ws, &strtab, err) < 0 ||
	    (l->has_typetab && k2e_kernel_read_uint(km, ks + l->ks_typetab, ws, &typetab, err) < 0))
		return k2e_err_prefix(err, "mod_kallsyms at 0x%llx", (unsigned long long)ks);
	if (num > MAX_MOD_SYMS)
		return k2e_err_set(err, "num_symtab is %llu", (unsigned long long)num);
	if (num == 0)
		return 0;
	if (!(syms = malloc(num * esz)) || (typetab && !(types = malloc(num))))
		goto oom;
	if (k2e_kernel_read(km, symtab, syms, num * esz, err) < 0 ||
	    (types && k2e_kernel_read(km, typetab, types, num, err) < 0))
		goto out;
	/* The string table's length is not recorded: read up to the last name's end. */
	for (i = 0; i < num; i++) {
		size_t n = (size_t)k2e_kernel_get_uint(km, syms + i * esz, 4) + 256;

		if (n > strs_len)
			strs_len = n;
	}
	if (strs_len > (64 << 20) || !(strs = calloc(1, strs_len + 1)))
		goto oom;
	while (k2e_kernel_read(km, strtab, strs, strs_len, err) < 0) {
		/* The end of the table may be the end of module memory. */
		size_t to_page = (strtab + strs_len) & 4095;

		if (strs_len <= 256 || to_page == 0 || to_page >= strs_len)
			goto out;
		strs_len -= to_page;
		strs[strs_len] = '\0';
	}
	for (i = 1; i < num; i++) {
		const unsigned char *e = syms + i * esz;
		uint32_t name = (uint32_t)k2e_kernel_get_uint(km, e, 4);
		uint64_t value, size;
		unsigned info, shndx;
		const char *nm;
		char type;

		if (ws == 8) {
			info = e[4];
			shndx = (unsigned)k2e_kernel_get_uint(km, e + 6, 2);
			value = k2e_kernel_get_uint(km, e + 8, 8);
			size = k2e_kernel_get_uint(km, e + 16, 8);
		} else {
			value = k2e_kernel_get_uint(km, e + 4, 4);
			size = k2e_kernel_get_uint(km, e + 8, 4);
			info = e[12];
			shndx = (unsigned)k2e_kernel_get_uint(km, e + 14, 2);
		}
		if (name >= strs_len || shndx == 0 || value == 0)
			continue;
		nm = strs + name;
		if (!*nm || memchr(nm, '\0', strs_len - name) == NULL)
			continue;
		type = types ? (char)types[i] : elf_type_letter(info, shndx);
		if (type == 'U' || type == 'u' || type == 'N' || type == 'n' || type == 'a' || type == 'A')
			continue;
		if (!k2e_name_is_symbol(nm)) {
			k2e_symtab_bad_name(st, "symbol", nm);
			continue;
		}
		if (k2e_symtab_add(st, nm, strlen(nm), type, value, size, idx) < 0)
			goto oom;
	}
	rc = 0;
	goto out;
oom:
	k2e_err_set(err, "out of memory");
out:
	free(syms);
	free(types);
	free(strs);
	return rc;
}

int k2e_modules_add_symbols(struct k2e_symtab *st, struct k2e_kernel *km, struct k2e_err *err)
{
	unsigned ws = k2e_kernel_word_size(km);
	size_t n0 = st->n, strs0 = st->strs_len, nmod = 0;
	struct k2e_symmod *mods = NULL;
	struct mod_layout l;
	uint64_t head = 0, pos = 0;
	size_t steps = 0;
	int rc = -1;

	if (mod_layout(km, &l, err) < 0)
		return k2e_err_prefix(err, "module layout");
	if (modules_head(km, &head, err) < 0)
		return -1;
	if (k2e_kernel_read_uint(km, head, ws, &pos, err) < 0)
		return k2e_err_prefix(err, "modules list");
	while (pos != head) {
		uint64_t mod = pos - l.list;
		struct k2e_symmod *m;
		size_t first = st->n, i;

		if (steps++ == MAX_MODULES) {
			k2e_err_set(err, "modules: more than %d entries (a loop?)", MAX_MODULES);
			goto fail;
		}
		if (!(m = realloc(mods, (nmod + 1) * sizeof(*m)))) {
			k2e_err_set(err, "out of memory");
			goto fail;
		}
		mods = m;
		m = &mods[nmod];
		memset(m, 0, sizeof(*m));
		m->addr = mod;
		if (k2e_kernel_read(km, mod + l.name, m->name,
				  l.name_len < sizeof(m->name) ? l.name_len : sizeof(m->name) - 1, err) < 0) {
			k2e_err_prefix(err, "struct module at 0x%llx", (unsigned long long)mod);
			goto fail;
		}
		m->name[sizeof(m->name) - 1] = '\0';
		if (!k2e_name_is_module(m->name)) {
			k2e_symtab_bad_name(st, "module name", m->name);
			goto next;	/* its symbols are left out with it */
		}
		if (read_module(st, km, &l, mod, (int32_t)nmod, err) < 0) {
			k2e_err_prefix(err, "module '%s'", m->name);
			goto fail;
		}
		m->lo = UINT64_MAX;
		for (i = first; i < st->n; i++) {
			if (st->syms[i].addr < m->lo)
				m->lo = st->syms[i].addr;
			if (st->syms[i].addr + st->syms[i].size > m->hi)
				m->hi = st->syms[i].addr + st->syms[i].size;
			if (st->syms[i].addr >= m->hi)
				m->hi = st->syms[i].addr + 1;
		}
		if (m->lo == UINT64_MAX)
			m->lo = m->hi = 0;
		nmod++;
next:
		if (k2e_kernel_read_uint(km, pos, ws, &pos, err) < 0) {
			k2e_err_prefix(err, "modules list");
			goto fail;
		}
	}
	free(st->mods);
	st->mods = mods;
	st->n_mods = nmod;
	return 0;
fail:
	st->n = n0;
	st->strs_len = strs0;
	free(mods);
	return rc;
}

