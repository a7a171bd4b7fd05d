/* symtab.c - the dumped kernel's symbol table: adding, sorting, sizing, lookup. */
#include "kernel/symtab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/names.h"

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

int k2e_symtab_add(struct k2e_symtab *st, const char *name, size_t len, char type, uint64_t addr,
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

struct k2e_symtab *k2e_symtab_new(void)
{
	return calloc(1, sizeof(struct k2e_symtab));
}

void k2e_symtab_bad_name(struct k2e_symtab *st, const char *what, const char *name)
{
	char esc[96];

	if (st->n_bad_names++ == 0)
		snprintf(st->bad_name, sizeof(st->bad_name), "%s '%s'", what,
			 k2e_name_escape(name, SIZE_MAX, esc, sizeof(esc)));
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

enum { LONG_RUN = 64 };

/* Sort syms[a, e) into tmp[a, e) and back: two sorted neighbours [a, b) and [b, e). */
static void merge(struct k2e_sym *syms, struct k2e_sym *tmp, size_t a, size_t b, size_t e)
{
	size_t x = a, y = b, o = a;

	while (x < b && y < e)
		tmp[o++] = sym_cmp(&syms[y], &syms[x]) < 0 ? syms[y++] : syms[x++];
	while (x < b)
		tmp[o++] = syms[x++];
	while (y < e)
		tmp[o++] = syms[y++];
	memcpy(syms + a, tmp + a, (e - a) * sizeof(*tmp));
}

/*
 * Sort the symbols.  Tables come mostly sorted (kallsyms by address, per-CPU
 * symbols first), then each module's in its own order: the long ascending
 * runs are kept, what lies between them sorted, and the pieces merged, in
 * place of a full sort, which costs n log n comparisons whatever the order.
 * The order is total (names are distinct offsets), so the result is the same.
 */
static void sort_syms(struct k2e_symtab *st)
{
	size_t n = st->n, n_segs = 0, i, j, loose = SIZE_MAX;
	struct k2e_sym *tmp = NULL;
	size_t *seg = NULL;

	if (n < 2)
		return;
	seg = malloc((2 * (n / LONG_RUN) + 3) * sizeof(*seg));
	tmp = malloc(n * sizeof(*tmp));
	if (!seg || !tmp) {
		qsort(st->syms, n, sizeof(*st->syms), sym_cmp);
		goto done;
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && sym_cmp(&st->syms[j - 1], &st->syms[j]) <= 0; j++)
			;
		if (j - i < LONG_RUN) {
			if (loose == SIZE_MAX)
				loose = i;
			continue;
		}
		if (loose != SIZE_MAX) {
			qsort(st->syms + loose, i - loose, sizeof(*st->syms), sym_cmp);
			seg[n_segs++] = loose;
			loose = SIZE_MAX;
		}
		seg[n_segs++] = i;
	}
	if (loose != SIZE_MAX) {
		qsort(st->syms + loose, n - loose, sizeof(*st->syms), sym_cmp);
		seg[n_segs++] = loose;
	}
	/* Merge neighbouring pieces until one is left. */
	while (n_segs > 1) {
		size_t k, m = 0;

		seg[n_segs] = n;
		for (k = 0; k + 1 < n_segs; k += 2) {
			merge(st->syms, tmp, seg[k], seg[k + 1], seg[k + 2]);
			seg[m++] = seg[k];
		}
		if (k < n_segs)
			seg[m++] = seg[k];
		n_segs = m;
	}
done:
	free(seg);
	free(tmp);
}

void k2e_symtab_finish(struct k2e_symtab *st)
{
	size_t i, j;

	sort_syms(st);
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
		return k2e_err_set(err, "no symbol '%s'", name);
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

