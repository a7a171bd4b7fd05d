/*
 * kallsyms.c - decode the kernel's compressed symbol table from the dump.
 *
 * The tables are those scripts/kallsyms.c emits: kallsyms_names holds, per
 * symbol, a length (one byte, or two when the first has bit 7 set: 6.1+)
 * and that many token numbers; kallsyms_token_index[tok] is the offset of
 * token tok's NUL-terminated text in kallsyms_token_table.  The expanded
 * name starts with the type letter.  Addresses come from kallsyms_offsets
 * (s32 each) in one of several encodings, or kallsyms_addresses: we try each
 * and keep the one that puts _stext at vmcoreinfo's SYMBOL(_stext).
 */
#include "symbols/kallsyms.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/names.h"
#include "symbols/btf.h"

enum {
	MAX_SYMS = 4 << 20,	/* sanity bound on kallsyms_num_syms */
	WINDOW = 64 << 10,
	MAX_MODULES = 8192,
	MAX_MOD_SYMS = 1 << 20,
};

/* A forward-only window over kernel memory for the names stream. */
struct cursor {
	struct k2e_kmem *km;
	uint64_t base;		/* address of buf[0] */
	unsigned char *buf;
	size_t len;
};

static int cursor_get(struct cursor *c, uint64_t addr, size_t need, const unsigned char **ret,
		      struct k2e_err *err)
{
	if (addr < c->base || addr + need > c->base + c->len) {
		size_t want = WINDOW;

		if (!c->buf && !(c->buf = malloc(WINDOW)))
			return k2e_err_set(err, "out of memory");
		/* Fall back to the end of the page when the window runs off the dump. */
		while (k2e_kmem_read(c->km, addr, c->buf, want, err) < 0) {
			size_t to_page = 4096 - (addr & 4095);

			if (want <= need || want == to_page)
				return -1;
			want = to_page < need ? need : to_page;
			if (want > WINDOW)
				return -1;
		}
		c->base = addr;
		c->len = want;
	}
	*ret = c->buf + (addr - c->base);
	return 0;
}

static int str_add(struct k2e_symtab *st, const char *s, size_t len, uint32_t *ret)
{
	if (st->strs_len + len + 1 > st->strs_cap) {
		size_t cap = st->strs_cap ? st->strs_cap * 2 : 1 << 20;
		char *p;

		while (cap < st->strs_len + len + 1)
			cap *= 2;
		if (cap > UINT32_MAX || !(p = realloc(st->strs, cap)))
			return -1;
		st->strs = p;
		st->strs_cap = cap;
	}
	memcpy(st->strs + st->strs_len, s, len);
	st->strs[st->strs_len + len] = '\0';
	*ret = (uint32_t)st->strs_len;
	st->strs_len += len + 1;
	return 0;
}

static void drop_index(struct k2e_symtab *st)
{
	free(st->name_slots);
	free(st->name_next);
	st->name_slots = st->name_next = NULL;
	st->n_name_slots = 0;
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int sym_add(struct k2e_symtab *st, const char *name, size_t len, char type, uint64_t addr,
		   uint64_t size, int32_t module)
{
	struct k2e_sym *s;

	drop_index(st);
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 4096;

		if (!(s = realloc(st->syms, cap * sizeof(*s))))
			return -1;
		st->syms = s;
		st->cap = cap;
	}
	s = &st->syms[st->n];
	memset(s, 0, sizeof(*s));
	if (str_add(st, name, len, &s->name) < 0)
		return -1;
	s->addr = addr;
	s->size = size;
	s->sized = size != 0;
	s->type = type;
	s->module = module;
	st->n++;
	return 0;
}

static void bad_name(struct k2e_symtab *st, const char *what, const char *name)
{
	char esc[96];

	if (st->n_bad_names++ == 0)
		snprintf(st->bad_name, sizeof(st->bad_name), "%s '%s'", what,
			 k2e_name_escape(name, SIZE_MAX, esc, sizeof(esc)));
}

static int need_symbol(struct k2e_kmem *km, const char *name, uint64_t *ret, struct k2e_err *err)
{
	if (k2e_kmem_symbol(km, name, ret) < 0)
		return k2e_err_set(err, "vmcoreinfo has no SYMBOL(%s) (kernel older than 6.0?)", name);
	return 0;
}

/* The 256 token strings, expanded. */
static int read_tokens(struct k2e_kmem *km, char *tok[256], char **ret_blob, struct k2e_err *err)
{
	uint64_t table, index;
	unsigned char idx[512];
	uint16_t off[256];
	size_t max = 0, i;
	char *blob;

	if (need_symbol(km, "kallsyms_token_table", &table, err) < 0 ||
	    need_symbol(km, "kallsyms_token_index", &index, err) < 0)
		return -1;
	if (k2e_kmem_read(km, index, idx, sizeof(idx), err) < 0)
		return k2e_err_prefix(err, "kallsyms_token_index");
	for (i = 0; i < 256; i++) {
		off[i] = (uint16_t)k2e_kmem_get_uint(km, idx + 2 * i, 2);
		if (off[i] > max)
			max = off[i];
	}
	/* The last token is at most a symbol's length; tokens are short. */
	max += 512;
	if (!(blob = calloc(1, max + 1)))
		return k2e_err_set(err, "out of memory");
	/* Read what we can: the table may end near the end of a mapping. */
	while (max > 0 && k2e_kmem_read(km, table, blob, max, err) < 0) {
		if (max < 512) {
			free(blob);
			return k2e_err_prefix(err, "kallsyms_token_table");
		}
		max -= 256;
	}
	for (i = 0; i < 256; i++) {
		if (off[i] >= max) {
			free(blob);
			return k2e_err_set(err, "kallsyms_token_index[%zu] = %u is past the token table",
					   i, off[i]);
		}
		tok[i] = blob + off[i];
	}
	blob[max] = '\0';
	*ret_blob = blob;
	return 0;
}

static uint64_t decode(enum k2e_kallsyms_enc enc, int32_t off, uint64_t base, uint64_t offsets,
		       size_t i)
{
	switch (enc) {
	case K2E_KALLSYMS_BASE_RELATIVE:
		return base + (uint32_t)off;
	case K2E_KALLSYMS_ABSOLUTE_PERCPU:
		return off >= 0 ? (uint64_t)off : base - 1 - (int64_t)off;
	case K2E_KALLSYMS_PLACE_RELATIVE:
		return offsets + 4 * i + (int64_t)off;
	case K2E_KALLSYMS_ABSOLUTE:
		break;
	}
	return 0;
}

/*
 * Addresses for the symbols just added: syms[j] (j < m) is kallsyms symbol
 * idx[j] (j itself when idx is NULL) of n.  stext is _stext's index, which
 * tells (or checks) the encoding of the table.
 */
static int read_addresses(struct k2e_kmem *km, struct k2e_symtab *st, size_t n,
			  const uint32_t *idx, size_t m, size_t stext, struct k2e_err *err)
{
	uint64_t offsets, base = 0, want, addrs;
	unsigned ws = k2e_kmem_word_size(km);
	unsigned char *raw;
	size_t i;

	if (need_symbol(km, "_stext", &want, err) < 0)
		return -1;
	if (k2e_kmem_symbol(km, "kallsyms_offsets", &offsets) < 0) {
		uint64_t at_stext;

		if (need_symbol(km, "kallsyms_addresses", &addrs, err) < 0)
			return -1;
		if (!(raw = malloc(n * ws)))
			return k2e_err_set(err, "out of memory");
		if (k2e_kmem_read(km, addrs, raw, n * ws, err) < 0) {
			free(raw);
			return k2e_err_prefix(err, "kallsyms_addresses");
		}
		for (i = 0; i < m; i++)
			st->syms[i].addr = k2e_kmem_get_uint(km, raw + (idx ? idx[i] : i) * ws, ws);
		at_stext = stext != SIZE_MAX ? k2e_kmem_get_uint(km, raw + stext * ws, ws) : want;
		free(raw);
		st->enc = K2E_KALLSYMS_ABSOLUTE;
		if (at_stext != want)
			return k2e_err_set(err, "kallsyms_addresses puts _stext at 0x%llx, not 0x%llx",
					   (unsigned long long)at_stext, (unsigned long long)want);
		return 0;
	}
	if (k2e_kmem_symbol(km, "kallsyms_relative_base", &base) == 0 &&
	    k2e_kmem_read_uint(km, base, ws, &base, err) < 0)
		return k2e_err_prefix(err, "kallsyms_relative_base");
	if (stext == SIZE_MAX)
		return k2e_err_set(err, "kallsyms has no _stext to check the address encoding with");
	if (!(raw = malloc(n * 4)))
		return k2e_err_set(err, "out of memory");
	if (k2e_kmem_read(km, offsets, raw, n * 4, err) < 0) {
		free(raw);
		return k2e_err_prefix(err, "kallsyms_offsets");
	}
	static const enum k2e_kallsyms_enc order[] = {
		K2E_KALLSYMS_PLACE_RELATIVE, K2E_KALLSYMS_ABSOLUTE_PERCPU, K2E_KALLSYMS_BASE_RELATIVE,
	};
	int32_t so = (int32_t)k2e_kmem_get_uint(km, raw + 4 * stext, 4);
	size_t e;

	for (e = 0; e < sizeof(order) / sizeof(order[0]); e++)
		if (decode(order[e], so, base, offsets, stext) == want)
			break;
	if (e == sizeof(order) / sizeof(order[0])) {
		free(raw);
		return k2e_err_set(err, "no kallsyms_offsets encoding puts _stext at 0x%llx",
				   (unsigned long long)want);
	}
	st->enc = order[e];
	for (i = 0; i < m; i++) {
		size_t k = idx ? idx[i] : i;

		st->syms[i].addr = decode(st->enc, (int32_t)k2e_kmem_get_uint(km, raw + 4 * k, 4),
					  base, offsets, k);
	}
	free(raw);
	return 0;
}

static bool wanted(const char *name, const char *const *want, size_t n_want)
{
	for (size_t k = 0; k < n_want; k++)
		if (strcmp(name, want[k]) == 0)
			return true;
	return false;
}

/*
 * The vmlinux symbols into the empty table st: all of them, or when want
 * is not NULL only those named in want[0..n_want).
 */
static int read_kernel_syms(struct k2e_kmem *km, struct k2e_symtab *st, const char *const *want,
			    size_t n_want, struct k2e_err *err)
{
	uint64_t names, num_addr, num;
	char *tok[256], *blob = NULL, name[1024];
	size_t toklen[256];
	struct cursor c = { .km = km };
	size_t i, stext = SIZE_MAX, n_idx = 0, cap_idx = 0;
	uint32_t *idx = NULL;
	uint64_t at;
	int rc = -1;

	if (need_symbol(km, "kallsyms_num_syms", &num_addr, err) < 0 ||
	    need_symbol(km, "kallsyms_names", &names, err) < 0)
		return -1;
	/* An int since 4.x (earlier a long: read 4 bytes, then the word if that is absurd). */
	if (k2e_kmem_read_uint(km, num_addr, 4, &num, err) < 0)
		return k2e_err_prefix(err, "kallsyms_num_syms");
	if ((num == 0 || num > MAX_SYMS) && k2e_kmem_word_size(km) == 8 &&
	    k2e_kmem_read_uint(km, num_addr, 8, &num, err) < 0)
		return k2e_err_prefix(err, "kallsyms_num_syms");
	if (num == 0 || num > MAX_SYMS)
		return k2e_err_set(err, "kallsyms_num_syms is %llu", (unsigned long long)num);
	if (read_tokens(km, tok, &blob, err) < 0)
		return -1;
	for (i = 0; i < 256; i++)
		toklen[i] = strlen(tok[i]);
	at = names;
	for (i = 0; i < num; i++) {
		const unsigned char *p;
		size_t len, nlen = 0, j;

		if (cursor_get(&c, at, 2, &p, err) < 0)
			goto fail_at;
		len = p[0];
		at++;
		if (len & 0x80) {	/* big symbol: 7 low bits, then 8 more (6.1+) */
			len = (len & 0x7f) | ((size_t)p[1] << 7);
			at++;
		}
		if (len == 0)
			goto fail_names;
		if (cursor_get(&c, at, len, &p, err) < 0)
			goto fail_at;
		for (j = 0; j < len; j++) {
			const char *t = tok[p[j]];
			size_t tl = toklen[p[j]];

			if (nlen + tl >= sizeof(name))
				goto fail_names;
			memcpy(name + nlen, t, tl);
			nlen += tl;
		}
		at += len;
		name[nlen] = '\0';
		if (nlen < 2)
			goto fail_names;
		if (stext == SIZE_MAX && strcmp(name + 1, "_stext") == 0)
			stext = i;
		if (want && !wanted(name + 1, want, n_want))
			continue;
		if (!k2e_name_is_symbol(name + 1)) {
			bad_name(st, "symbol", name + 1);
			continue;
		}
		if (want && n_idx == cap_idx) {
			uint32_t *p2 = realloc(idx, (cap_idx = cap_idx ? 2 * cap_idx : 16) * sizeof(*idx));

			if (!p2) {
				k2e_err_set(err, "out of memory");
				goto out;
			}
			idx = p2;
		}
		if (want)
			idx[n_idx++] = (uint32_t)i;
		if (sym_add(st, name + 1, nlen - 1, name[0], 0, 0, -1) < 0) {
			k2e_err_set(err, "out of memory");
			goto out;
		}
	}
	rc = read_addresses(km, st, num, idx, st->n, stext, err);
	goto out;
fail_names:
	k2e_err_set(err, "kallsyms_names: symbol %zu at 0x%llx is malformed", i,
		    (unsigned long long)at);
	goto out;
fail_at:
	k2e_err_prefix(err, "kallsyms_names: symbol %zu", i);
out:
	free(idx);
	free(c.buf);
	free(blob);
	return rc;
}

int k2e_kallsyms_read(struct k2e_kmem *km, struct k2e_symtab **ret, struct k2e_err *err)
{
	return k2e_kallsyms_read_some(km, NULL, 0, ret, err);
}

int k2e_kallsyms_read_some(struct k2e_kmem *km, const char *const *names, size_t n_names,
			   struct k2e_symtab **ret, struct k2e_err *err)
{
	struct k2e_symtab *st = calloc(1, sizeof(*st));

	if (!st)
		return k2e_err_set(err, "out of memory");
	if (read_kernel_syms(km, st, names, n_names, err) < 0) {
		k2e_symtab_free(st);
		return k2e_err_prefix(err, "kallsyms");
	}
	*ret = st;
	return 0;
}

static uint64_t kernel_offset(struct k2e_kmem *km)
{
	size_t len;
	const char *v = k2e_kmem_vmci_find(km, "KERNELOFFSET", &len);
	char t[32];

	if (!v || len == 0 || len >= sizeof(t))
		return 0;
	memcpy(t, v, len);
	t[len] = '\0';
	return strtoull(t, NULL, 16);
}

int k2e_symtab_read_system_map(struct k2e_kmem *km, const char *path, struct k2e_symtab **ret,
			       struct k2e_err *err)
{
	uint64_t off = kernel_offset(km);
	struct k2e_symtab *st;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	FILE *f;

	if (!(f = fopen(path, "r")))
		return k2e_err_errno(err, errno, "System.map '%s'", path);
	if (!(st = calloc(1, sizeof(*st)))) {
		fclose(f);
		return k2e_err_set(err, "out of memory");
	}
	while (getline(&line, &cap, f) > 0) {
		char *end, *name;
		uint64_t addr;
		char type;
		size_t nl;

		lineno++;
		addr = strtoull(line, &end, 16);
		if (end == line || *end != ' ' || !end[1] || end[2] != ' ')
			goto bad;
		type = end[1];
		name = end + 3;
		nl = strcspn(name, " \t\r\n");
		if (nl == 0)
			goto bad;
		if (type == 'a' || type == 'A' || type == 'U' ||
		    ((type == 'w' || type == 'v') && addr == 0))
			continue;
		if (addr >= (1ULL << 32))
			addr += off;
		if (st->n >= MAX_SYMS || sym_add(st, name, nl, type, addr, 0, -1) < 0) {
			k2e_err_set(err, st->n >= MAX_SYMS ? "too many symbols" : "out of memory");
			goto fail;
		}
	}
	if (ferror(f)) {
		k2e_err_errno(err, errno ? errno : EIO, "read");
		goto fail;
	}
	if (st->n == 0) {
		k2e_err_set(err, "no symbols");
		goto fail;
	}
	free(line);
	fclose(f);
	*ret = st;
	return 0;
bad:
	k2e_err_set(err, "line %zu is not \"ADDRESS TYPE NAME\"", lineno);
fail:
	free(line);
	fclose(f);
	k2e_symtab_free(st);
	return k2e_err_prefix(err, "System.map '%s'", path);
}

/* ---- modules ---- */

struct mod_layout {
	uint64_t list, name, name_len, kallsyms;
	bool kallsyms_is_ptr;		/* 5.x+: struct mod_kallsyms *kallsyms; older: embedded */
	uint64_t ks_symtab, ks_num, ks_strtab, ks_typetab;
	bool has_typetab;
};

static int mod_layout(const struct btf *btf, struct mod_layout *l, struct k2e_err *err)
{
	struct k2e_btf_member m;

	memset(l, 0, sizeof(*l));
	if (k2e_btf_member(btf, "module", "list", &m, err) < 0)
		return -1;
	l->list = m.offset;
	if (k2e_btf_member(btf, "module", "name", &m, err) < 0)
		return -1;
	l->name = m.offset;
	l->name_len = m.size ? m.size : 56;
	if (k2e_btf_member(btf, "module", "kallsyms", &m, err) == 0) {
		l->kallsyms = m.offset;
		l->kallsyms_is_ptr = m.is_pointer;
	} else if (k2e_btf_member(btf, "module", "core_kallsyms", &m, err) == 0) {
		l->kallsyms = m.offset;
	} else {
		return -1;
	}
	if (k2e_btf_member(btf, "mod_kallsyms", "symtab", &m, err) < 0)
		return -1;
	l->ks_symtab = m.offset;
	if (k2e_btf_member(btf, "mod_kallsyms", "num_symtab", &m, err) < 0)
		return -1;
	l->ks_num = m.offset;
	if (k2e_btf_member(btf, "mod_kallsyms", "strtab", &m, err) < 0)
		return -1;
	l->ks_strtab = m.offset;
	if (k2e_btf_member(btf, "mod_kallsyms", "typetab", &m, err) == 0) {
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

static int read_module(struct k2e_symtab *st, struct k2e_kmem *km, const struct mod_layout *l,
		       uint64_t mod, int32_t idx, struct k2e_err *err)
{
	unsigned ws = k2e_kmem_word_size(km), esz = ws == 8 ? 24 : 16;
	uint64_t ks = mod + l->kallsyms, symtab, num, strtab, typetab = 0;
	unsigned char *syms = NULL, *types = NULL;
	char *strs = NULL;
	size_t strs_len = 0, i;
	int rc = -1;

	if (l->kallsyms_is_ptr && k2e_kmem_read_uint(km, ks, ws, &ks, err) < 0)
		return -1;
	if (k2e_kmem_read_uint(km, ks + l->ks_symtab, ws, &symtab, err) < 0 ||
	    k2e_kmem_read_uint(km, ks + l->ks_num, 4, &num, err) < 0 ||
	    k2e_kmem_read_uint(km, ks + l->ks_strtab, ws, &strtab, err) < 0 ||
	    (l->has_typetab && k2e_kmem_read_uint(km, ks + l->ks_typetab, ws, &typetab, err) < 0))
		return k2e_err_prefix(err, "mod_kallsyms at 0x%llx", (unsigned long long)ks);
	if (num > MAX_MOD_SYMS)
		return k2e_err_set(err, "num_symtab is %llu", (unsigned long long)num);
	if (num == 0)
		return 0;
	if (!(syms = malloc(num * esz)) || (typetab && !(types = malloc(num))))
		goto oom;
	if (k2e_kmem_read(km, symtab, syms, num * esz, err) < 0 ||
	    (types && k2e_kmem_read(km, typetab, types, num, err) < 0))
		goto out;
	/* The string table's length is not recorded: read up to the last name's end. */
	for (i = 0; i < num; i++) {
		size_t n = (size_t)k2e_kmem_get_uint(km, syms + i * esz, 4) + 256;

		if (n > strs_len)
			strs_len = n;
	}
	if (strs_len > (64 << 20) || !(strs = calloc(1, strs_len + 1)))
		goto oom;
	while (k2e_kmem_read(km, strtab, strs, strs_len, err) < 0) {
		/* The end of the table may be the end of module memory. */
		size_t to_page = (strtab + strs_len) & 4095;

		if (strs_len <= 256 || to_page == 0)
			goto out;
		strs_len -= to_page;
		strs[strs_len] = '\0';
	}
	for (i = 1; i < num; i++) {
		const unsigned char *e = syms + i * esz;
		uint32_t name = (uint32_t)k2e_kmem_get_uint(km, e, 4);
		uint64_t value, size;
		unsigned info, shndx;
		const char *nm;
		char type;

		if (ws == 8) {
			info = e[4];
			shndx = (unsigned)k2e_kmem_get_uint(km, e + 6, 2);
			value = k2e_kmem_get_uint(km, e + 8, 8);
			size = k2e_kmem_get_uint(km, e + 16, 8);
		} else {
			value = k2e_kmem_get_uint(km, e + 4, 4);
			size = k2e_kmem_get_uint(km, e + 8, 4);
			info = e[12];
			shndx = (unsigned)k2e_kmem_get_uint(km, e + 14, 2);
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
			bad_name(st, "symbol", nm);
			continue;
		}
		if (sym_add(st, nm, strlen(nm), type, value, size, idx) < 0)
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

int k2e_symtab_add_modules(struct k2e_symtab *st, struct k2e_kmem *km, const struct btf *btf,
			   struct k2e_err *err)
{
	unsigned ws = k2e_kmem_word_size(km);
	size_t n0 = st->n, strs0 = st->strs_len, nmod = 0;
	struct k2e_symmod *mods = NULL;
	struct mod_layout l;
	uint64_t head = 0, pos = 0;
	size_t steps = 0;
	int rc = -1;

	if (mod_layout(btf, &l, err) < 0)
		return k2e_err_prefix(err, "module layout from BTF");
	if (k2e_symtab_addr(st, "modules", &head, err) < 0)
		return -1;
	if (k2e_kmem_read_uint(km, head, ws, &pos, err) < 0)
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
		if (k2e_kmem_read(km, mod + l.name, m->name,
				  l.name_len < sizeof(m->name) ? l.name_len : sizeof(m->name) - 1, err) < 0) {
			k2e_err_prefix(err, "struct module at 0x%llx", (unsigned long long)mod);
			goto fail;
		}
		m->name[sizeof(m->name) - 1] = '\0';
		if (!k2e_name_is_module(m->name)) {
			bad_name(st, "module name", m->name);
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
		if (k2e_kmem_read_uint(km, pos, ws, &pos, err) < 0) {
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

/* ---- sorting, sizes, lookup ---- */

static int region(const struct k2e_sym *s)
{
	/* Per-CPU symbols of absolute-percpu kernels sit near 0. */
	if (s->module >= 0)
		return 2 + s->module;
	return s->addr < (1ULL << 32) ? 1 : 0;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct k2e_sym *x = a, *y = b;
	int rx = region(x), ry = region(y);

	if (rx != ry)
		return rx < ry ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

/* The name index; without memory for it lookups fall back to a scan. */
static void build_index(struct k2e_symtab *st)
{
	size_t n = 16;

	drop_index(st);
	if (st->n >= UINT32_MAX / 4)
		return;
	while (n < st->n * 2)
		n *= 2;
	st->name_slots = calloc(n, sizeof(*st->name_slots));
	st->name_next = calloc(st->n ? st->n : 1, sizeof(*st->name_next));
	if (!st->name_slots || !st->name_next) {
		drop_index(st);
		return;
	}
	st->n_name_slots = n;
	/* Backwards, so each chain comes out in syms order. */
	for (size_t i = st->n; i-- > 0;) {
		const char *nm = st->strs + st->syms[i].name;
		size_t j = name_hash(nm) & (n - 1);

		while (st->name_slots[j] && strcmp(st->strs + st->syms[st->name_slots[j] - 1].name, nm))
			j = (j + 1) & (n - 1);
		st->name_next[i] = st->name_slots[j];
		st->name_slots[j] = (uint32_t)i + 1;
	}
}

void k2e_symtab_finish(struct k2e_symtab *st)
{
	size_t i, j;

	if (st->n)
		qsort(st->syms, st->n, sizeof(*st->syms), sym_cmp);
	for (i = 0; i < st->n; i = j) {
		uint64_t next = 0;
		size_t k;

		for (j = i + 1; j < st->n && st->syms[j].addr == st->syms[i].addr &&
				region(&st->syms[j]) == region(&st->syms[i]); j++)
			;
		if (j < st->n && region(&st->syms[j]) == region(&st->syms[i]))
			next = st->syms[j].addr;
		for (k = i; k < j; k++)
			if (!st->syms[k].sized)
				st->syms[k].size = next ? next - st->syms[k].addr : 0;
	}
	build_index(st);
}

static int rank(char type)
{
	if (type == 'T' || type == 'D' || type == 'B' || type == 'R')
		return 0;
	if (type == 't' || type == 'd' || type == 'b' || type == 'r')
		return 1;
	return 2;
}

const struct k2e_sym *k2e_symtab_find(const struct k2e_symtab *st, const char *name,
				      const char *module)
{
	const struct k2e_sym *best = NULL;
	size_t i = 0;

	if (st->name_slots) {
		size_t j = name_hash(name) & (st->n_name_slots - 1);

		while (st->name_slots[j] &&
		       strcmp(st->strs + st->syms[st->name_slots[j] - 1].name, name))
			j = (j + 1) & (st->n_name_slots - 1);
		if (!st->name_slots[j])
			return NULL;
		i = st->name_slots[j] - 1;
	}
	for (; i < st->n; i = st->name_slots ? (st->name_next[i] ? st->name_next[i] - 1 : st->n) : i + 1) {
		const struct k2e_sym *s = &st->syms[i];

		if (!st->name_slots && strcmp(st->strs + s->name, name) != 0)
			continue;
		if (!module && s->module >= 0)
			continue;
		if (module && *module && (s->module < 0 || strcmp(st->mods[s->module].name, module) != 0))
			continue;
		if (!best || rank(s->type) < rank(best->type))
			best = s;
	}
	return best;
}

int k2e_symtab_addr(const struct k2e_symtab *st, const char *name, uint64_t *ret,
		    struct k2e_err *err)
{
	const struct k2e_sym *s = k2e_symtab_find(st, name, NULL);

	if (!s)
		return k2e_err_set(err, "kallsyms has no symbol '%s'", name);
	*ret = s->addr;
	return 0;
}

void k2e_symtab_free(struct k2e_symtab *st)
{
	if (!st)
		return;
	drop_index(st);
	free(st->syms);
	free(st->strs);
	free(st->mods);
	free(st);
}
