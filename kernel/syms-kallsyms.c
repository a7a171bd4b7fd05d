/*
 * syms-kallsyms.c - decode the kernel's compressed symbol table from the dump.
 *
 * The tables are those scripts/kallsyms.c emits: kallsyms_names holds, per
 * symbol, a length (one byte, or two when the first has bit 7 set: 6.1+)
 * and that many token numbers; kallsyms_token_index[tok] is the offset of
 * token tok's NUL-terminated text in kallsyms_token_table.  The expanded
 * name starts with the type letter.  Addresses come from kallsyms_offsets
 * (s32 each) in one of several encodings, or kallsyms_addresses: we try each
 * and keep the one that puts _stext at vmcoreinfo's SYMBOL(_stext).
 */
#include "kernel/syms-kallsyms.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kallsyms-locate.h"
#include "kernel/symtab.h"
#include "lib/names.h"

enum {
	MAX_SYMS = 4 << 20,	/* sanity bound on kallsyms_num_syms */
	WINDOW = 64 << 10,
};

struct cursor {
	struct k2e_kernel *km;
	uint64_t base;		/* address of buf[0] */
	unsigned char *buf;
	size_t len;
};

static int cursor_fill(struct cursor *c, uint64_t addr, size_t need, struct k2e_err *err);

/* need bytes at addr, through a window read from the kernel's memory. */
static inline int cursor_get(struct cursor *c, uint64_t addr, size_t need,
			     const unsigned char **ret, struct k2e_err *err)
{
	if ((addr < c->base || need > c->len || addr - c->base > c->len - need) &&
	    cursor_fill(c, addr, need, err) < 0)
		return -1;
	*ret = c->buf + (addr - c->base);
	return 0;
}

static int cursor_fill(struct cursor *c, uint64_t addr, size_t need, struct k2e_err *err)
{
	size_t want = WINDOW;

	if (need > WINDOW || addr > UINT64_MAX - need)
		return k2e_err_set(err, "%zu bytes at 0x%llx: past the end of the address space",
				   need, (unsigned long long)addr);
	if (!c->buf && !(c->buf = malloc(WINDOW)))
		return k2e_err_set(err, "out of memory");
	/* Fall back to the end of the page when the window runs off the dump. */
	while (k2e_kernel_read(c->km, addr, c->buf, want, err) < 0) {
		size_t to_page = 4096 - (addr & 4095);

		if (want <= need || want == to_page)
			return -1;
		want = to_page < need ? need : to_page;
		if (want > WINDOW)
			return -1;
	}
	c->base = addr;
	c->len = want;
	return 0;
}

static int need_symbol(struct k2e_kernel *km, const char *name, uint64_t *ret, struct k2e_err *err)
{
	if (k2e_vmcoreinfo_symbol(k2e_kernel_vmcoreinfo(km), name, ret) < 0)
		return k2e_err_set(err, "vmcoreinfo has no SYMBOL(%s)", name);
	return 0;
}

static int vread(void *arg, uint64_t vaddr, void *buf, size_t len)
{
	struct k2e_err e;

	return k2e_kernel_read(arg, vaddr, buf, len, &e);
}

/* The x86_64 kernel image: __START_KERNEL_map + KERNEL_IMAGE_SIZE (1 GiB when not said). */
static const uint64_t x86_64_start_kernel_map = 0xffffffff80000000ULL;
static const uint64_t image_span = 1ULL << 30;

/*
 * Where the tables are: named by VMCOREINFO (Linux 6.0+), or found by their
 * shape in the kernel image from _stext on (kernel/kallsyms-locate.h).
 */
static int find_tables(struct k2e_kernel *km, struct k2e_kallsyms_tables *t, struct k2e_err *err)
{
	const struct k2e_vmcoreinfo *vi = k2e_kernel_vmcoreinfo(km);
	uint64_t lo, hi;
	int64_t size;

	memset(t, 0, sizeof(*t));
	if (k2e_vmcoreinfo_symbol(vi, "kallsyms_names", &t->names) == 0) {
		if (need_symbol(km, "kallsyms_num_syms", &t->num_syms, err) < 0 ||
		    need_symbol(km, "kallsyms_token_table", &t->token_table, err) < 0 ||
		    need_symbol(km, "kallsyms_token_index", &t->token_index, err) < 0)
			return -1;
		(void)k2e_vmcoreinfo_symbol(vi, "kallsyms_offsets", &t->offsets);
		(void)k2e_vmcoreinfo_symbol(vi, "kallsyms_addresses", &t->addresses);
		(void)k2e_vmcoreinfo_symbol(vi, "kallsyms_relative_base", &t->relative_base);
		return 0;
	}
	if (need_symbol(km, "_stext", &lo, err) < 0)
		return k2e_err_prefix(err, "no kallsyms tables named in vmcoreinfo, and");
	hi = lo + image_span < lo ? UINT64_MAX : lo + image_span;
	if (k2e_kernel_machine(km) == 62 /* EM_X86_64 */ && lo >= x86_64_start_kernel_map) {
		if (k2e_vmcoreinfo_number(vi, "KERNEL_IMAGE_SIZE", &size) < 0 || size <= 0 ||
		    (uint64_t)size > image_span)
			size = (int64_t)image_span;
		hi = x86_64_start_kernel_map + (uint64_t)size;
	}
	if (hi <= lo || k2e_kallsyms_locate(vread, km, lo, hi, k2e_kernel_big_endian(km),
					    k2e_kernel_word_size(km), t, err) < 0)
		return k2e_err_prefix(err, "no kallsyms tables named in vmcoreinfo (before 6.0), none found in the kernel image");
	return 0;
}

/* The 256 token strings, expanded. */
static int read_tokens(struct k2e_kernel *km, const struct k2e_kallsyms_tables *t, char *tok[256],
		       char **ret_blob, struct k2e_err *err)
{
	uint64_t table, index;
	unsigned char idx[512];
	uint16_t off[256];
	size_t max = 0, i;
	char *blob;

	table = t->token_table;
	index = t->token_index;
	if (k2e_kernel_read(km, index, idx, sizeof(idx), err) < 0)
		return k2e_err_prefix(err, "kallsyms_token_index");
	for (i = 0; i < 256; i++) {
		off[i] = (uint16_t)k2e_kernel_get_uint(km, idx + 2 * i, 2);
		if (off[i] > max)
			max = off[i];
	}
	/* The last token is at most a symbol's length; tokens are short. */
	max += 512;
	if (!(blob = calloc(1, max + 1)))
		return k2e_err_set(err, "out of memory");
	/* Read what we can: the table may end near the end of a mapping. */
	while (max > 0 && k2e_kernel_read(km, table, blob, max, err) < 0) {
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
static int read_addresses(struct k2e_kernel *km, const struct k2e_kallsyms_tables *t,
			  struct k2e_symtab *st, size_t n, const uint32_t *idx, size_t m, size_t stext,
			  struct k2e_err *err)
{
	uint64_t offsets, base = 0, want, addrs;
	unsigned ws = k2e_kernel_word_size(km);
	unsigned char *raw;
	size_t i;

	if (need_symbol(km, "_stext", &want, err) < 0)
		return -1;
	if (!(offsets = t->offsets)) {
		uint64_t at_stext;

		if (!(addrs = t->addresses))
			return k2e_err_set(err, "no kallsyms_offsets or kallsyms_addresses");
		if (!(raw = malloc(n * ws)))
			return k2e_err_set(err, "out of memory");
		if (k2e_kernel_read(km, addrs, raw, n * ws, err) < 0) {
			free(raw);
			return k2e_err_prefix(err, "kallsyms_addresses");
		}
		for (i = 0; i < m; i++)
			st->syms[i].addr = k2e_kernel_get_uint(km, raw + (idx ? idx[i] : i) * ws, ws);
		at_stext = stext != SIZE_MAX ? k2e_kernel_get_uint(km, raw + stext * ws, ws) : want;
		free(raw);
		st->enc = K2E_KALLSYMS_ABSOLUTE;
		if (at_stext != want)
			return k2e_err_set(err, "kallsyms_addresses puts _stext at 0x%llx, not 0x%llx",
					   (unsigned long long)at_stext, (unsigned long long)want);
		return 0;
	}
	if ((base = t->relative_base) != 0 && k2e_kernel_read_uint(km, base, ws, &base, err) < 0)
		return k2e_err_prefix(err, "kallsyms_relative_base");
	if (stext == SIZE_MAX)
		return k2e_err_set(err, "kallsyms has no _stext to check the address encoding with");
	if (!(raw = malloc(n * 4)))
		return k2e_err_set(err, "out of memory");
	if (k2e_kernel_read(km, offsets, raw, n * 4, err) < 0) {
		free(raw);
		return k2e_err_prefix(err, "kallsyms_offsets");
	}
	static const enum k2e_kallsyms_enc order[] = {
		K2E_KALLSYMS_PLACE_RELATIVE, K2E_KALLSYMS_ABSOLUTE_PERCPU, K2E_KALLSYMS_BASE_RELATIVE,
	};
	int32_t so = (int32_t)k2e_kernel_get_uint(km, raw + 4 * stext, 4);
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

		st->syms[i].addr = decode(st->enc, (int32_t)k2e_kernel_get_uint(km, raw + 4 * k, 4),
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

/* Whether a name of len characters (type letter left out) may be _stext or a wanted one. */
static bool may_want(size_t len, const size_t *want_len, size_t n_want, bool need_stext)
{
	if (need_stext && len == sizeof("_stext") - 1)
		return true;
	for (size_t k = 0; k < n_want; k++)
		if (len == want_len[k])
			return true;
	return false;
}

/*
 * The vmlinux symbols into the empty table st: all of them, or when want
 * is not NULL only those named in want[0..n_want).
 */
static int read_kernel_syms(struct k2e_kernel *km, struct k2e_symtab *st, const char *const *want,
			    size_t n_want, struct k2e_err *err)
{
	uint64_t names, num_addr, num;
	char *tok[256], *blob = NULL, name[1024];
	size_t toklen[256], *want_len = NULL;
	struct cursor c = { .km = km };
	size_t i, stext = SIZE_MAX, n_idx = 0, cap_idx = 0;
	uint32_t *idx = NULL;
	uint64_t at;
	int rc = -1;
	struct k2e_kallsyms_tables t;

	if (find_tables(km, &t, err) < 0)
		return -1;
	num_addr = t.num_syms;
	names = t.names;
	/* An int since 4.x (earlier a long: read 4 bytes, then the word if that is absurd). */
	if (k2e_kernel_read_uint(km, num_addr, 4, &num, err) < 0)
		return k2e_err_prefix(err, "kallsyms_num_syms");
	if ((num == 0 || num > MAX_SYMS) && k2e_kernel_word_size(km) == 8 &&
	    k2e_kernel_read_uint(km, num_addr, 8, &num, err) < 0)
		return k2e_err_prefix(err, "kallsyms_num_syms");
	if (num == 0 || num > MAX_SYMS)
		return k2e_err_set(err, "kallsyms_num_syms is %llu", (unsigned long long)num);
	if (read_tokens(km, &t, tok, &blob, err) < 0)
		return -1;
	for (i = 0; i < 256; i++)
		toklen[i] = strlen(tok[i]);
	/* Looking for a few names: only those of their lengths are spelt out. */
	if (want) {
		if (!(want_len = malloc((n_want ? n_want : 1) * sizeof(*want_len)))) {
			k2e_err_set(err, "out of memory");
			goto out;
		}
		for (i = 0; i < n_want; i++)
			want_len[i] = strlen(want[i]);
	}
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
		for (j = 0; j < len; j++)
			nlen += toklen[p[j]];
		if (nlen >= sizeof(name))
			goto fail_names;
		at += len;
		if (nlen < 2)
			goto fail_names;
		if (want && !may_want(nlen - 1, want_len, n_want, stext == SIZE_MAX))
			continue;
		for (j = 0, nlen = 0; j < len; j++) {
			memcpy(name + nlen, tok[p[j]], toklen[p[j]]);
			nlen += toklen[p[j]];
		}
		name[nlen] = '\0';
		if (stext == SIZE_MAX && strcmp(name + 1, "_stext") == 0)
			stext = i;
		if (want && !wanted(name + 1, want, n_want))
			continue;
		if (!k2e_name_is_symbol(name + 1)) {
			k2e_symtab_bad_name(st, "symbol", name + 1);
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
		if (k2e_symtab_add(st, name + 1, nlen - 1, name[0], 0, 0, -1) < 0) {
			k2e_err_set(err, "out of memory");
			goto out;
		}
	}
	rc = read_addresses(km, &t, st, num, idx, st->n, stext, err);
	goto out;
fail_names:
	k2e_err_set(err, "kallsyms_names: symbol %zu at 0x%llx is malformed", i,
		    (unsigned long long)at);
	goto out;
fail_at:
	k2e_err_prefix(err, "kallsyms_names: symbol %zu", i);
out:
	free(want_len);
	free(idx);
	free(c.buf);
	free(blob);
	return rc;
}

int k2e_kallsyms_read(struct k2e_kernel *km, struct k2e_symtab **ret, struct k2e_err *err)
{
	return k2e_kallsyms_read_some(km, NULL, 0, ret, err);
}

int k2e_kallsyms_read_some(struct k2e_kernel *km, const char *const *names, size_t n_names,
			   struct k2e_symtab **ret, struct k2e_err *err)
{
	struct k2e_symtab *st = k2e_symtab_new();

	if (!st)
		return k2e_err_set(err, "out of memory");
	if (read_kernel_syms(km, st, names, n_names, err) < 0) {
		k2e_symtab_free(st);
		return k2e_err_prefix(err, "kallsyms");
	}
	*ret = st;
	return 0;
}

