/*
 * Unit tests of kernel/kallsyms-locate: synthetic kernel images holding
 * kallsyms tables built the way scripts/kallsyms.c builds them (tokens by
 * repeated best-pair compression, ULEB128 name lengths, markers every 256
 * names, offsets from relative_base or absolute addresses, seqs_of_names),
 * laid out in each historical order, with junk around them, a decoy token
 * index and pages missing from the dump; both byte orders and word sizes.
 * Corrupted tables must give errors naming an address, never crashes.
 */
#include "tests/unit/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kernel/kallsyms-locate.h"
#include "lib/endian.h"

enum { IMG_BASE_HI = 0xffffffffu, PAGE_SZ = 4096 };

/* ---- the image and its reader ---- */

struct img {
	uint64_t base;
	size_t len;
	unsigned char *p;
	unsigned char *hole;	/* per page: 1 = not in the dump */
	unsigned reads;
};

static int img_read(void *arg, uint64_t vaddr, void *buf, size_t len)
{
	struct img *im = arg;

	im->reads++;
	if (vaddr < im->base || vaddr - im->base > im->len || len > im->len - (vaddr - im->base))
		return -1;
	for (uint64_t pg = (vaddr - im->base) / PAGE_SZ;
	     len && pg <= (vaddr - im->base + len - 1) / PAGE_SZ; pg++)
		if (im->hole[pg])
			return -1;
	memcpy(buf, im->p + (vaddr - im->base), len);
	return 0;
}

static void img_init(struct img *im, uint64_t base, size_t len, uint32_t seed)
{
	im->base = base;
	im->len = len;
	im->p = malloc(len);
	im->hole = calloc(len / PAGE_SZ + 1, 1);
	im->reads = 0;
	if (!im->p || !im->hole)
		abort();
	/* Junk: random bytes with runs of zeros and small numbers, as data has. */
	test_fill_random(im->p, len, seed);
	for (size_t i = 0; i + 64 <= len; i += 4096)
		memset(im->p + i, 0, 64);
}

static void img_free(struct img *im)
{
	free(im->p);
	free(im->hole);
}

/* ---- symbols and their compression, as scripts/kallsyms.c does it ---- */

enum { MAX_GSYMS = 8000, MAX_SYMLEN = 600 };

struct gsym {
	unsigned char s[MAX_SYMLEN];	/* type letter + name, then compressed */
	unsigned len;
	unsigned char full[MAX_SYMLEN + 1];
	uint64_t addr;
	bool percpu;
};

struct gen {
	struct gsym *syms;
	unsigned n;
	char tok[256][64];		/* expanded tokens */
	unsigned tok_len[256];
	bool big_names;			/* 6.1+: allow names over 127 bytes */
	uint64_t rb;			/* lowest relative address */
};

static const char *const pieces[] = {
	"do_", "sys_", "ext4_", "x86_", "kmem_", "pci_", "init", "read", "write", "page", "lock",
	"unlock", "task", "sched", "net", "dev", "irq", "_start", "_end", "cpu", "mm", "vfs",
	"file",
	"inode", "bio", "blk", "tcp", "udp", "ip6", "skb", "alloc", "free", "get", "put", "list",
	"hash", "timer", "work", "queue", "rcu", "percpu", "__", "_", "0", "1", "2", "3", "4", "5",
	"6", "7", "8", "9", "$x", ".isra.0", ".cold", "Q", "Z",
};

static void gen_syms(struct gen *g, unsigned n, uint64_t base, uint64_t span, unsigned n_percpu,
		     bool big, uint32_t seed)
{
	static const char types[] = "tTtTdDbBrRtt";
	uint32_t x = seed | 1;
	uint64_t addr = base;

	g->syms = calloc(n, sizeof(*g->syms));
	if (!g->syms)
		abort();
	g->n = n;
	g->big_names = big;
	g->rb = base;
	for (unsigned i = 0; i < n; i++) {
		struct gsym *s = &g->syms[i];
		char name[MAX_SYMLEN];
		size_t l = 0;
		unsigned parts;

		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		parts = 2 + x % 5;
		for (unsigned k = 0; k < parts; k++) {
			const char *pc;

			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			pc = pieces[x % (sizeof(pieces) / sizeof(pieces[0]))];
			memcpy(name + l, pc, strlen(pc));
			l += strlen(pc);
		}
		l += (size_t)snprintf(name + l, sizeof(name) - l, "%u", i);
		/* One long Rust-like name when big names exist (a two-byte length). */
		if (big && i == n / 2) {
			for (unsigned k = 0; k < 300; k++) {
				x ^= x << 13, x ^= x >> 17, x ^= x << 5;
				name[l++] = "abcdefghijklmnopqrstuvwxyz0123456789_"[x % 37];
			}
		}
		s->percpu = i < n_percpu;
		s->full[0] = s->percpu ? 'A' : (unsigned char)types[x % 12];
		memcpy(s->full + 1, name, l);
		s->len = (unsigned)l + 1;
		s->full[s->len] = '\0';
		memcpy(s->s, s->full, s->len);
		if (s->percpu) {
			s->addr = (uint64_t)i * 0x40;
		} else {
			s->addr = addr;
			addr += 1 + (x >> 8) % (span / n);
		}
	}
	/* The last symbol is the end of the image, above every table. */
	g->syms[n - 1].addr = base + span;
}

/* Best-pair compression (scripts/kallsyms.c optimize_token_table). */
static void gen_compress(struct gen *g)
{
	static uint32_t count[65536];
	bool used[256] = { false };

	memset(g->tok_len, 0, sizeof(g->tok_len));
	for (unsigned i = 0; i < g->n; i++)
		for (unsigned j = 0; j < g->syms[i].len; j++)
			used[g->syms[i].s[j]] = true;
	for (unsigned c = 0; c < 256; c++)
		if (used[c]) {
			g->tok[c][0] = (char)c;
			g->tok_len[c] = 1;
		}
	for (int t = 255; t >= 0; t--) {
		unsigned best = 0;

		if (used[t])
			continue;
		memset(count, 0, sizeof(count));
		for (unsigned i = 0; i < g->n; i++)
			for (unsigned j = 0; j + 1 < g->syms[i].len; j++)
				count[g->syms[i].s[j] | g->syms[i].s[j + 1] << 8]++;
		for (unsigned k = 1; k < 65536; k++)
			if (count[k] > count[best])
				best = k;
		if (count[best] == 0)
			break;
		unsigned a = best & 0xff, b = best >> 8;

		if (g->tok_len[a] + g->tok_len[b] >= sizeof(g->tok[0]))
			break;
		memcpy(g->tok[t], g->tok[a], g->tok_len[a]);
		memcpy(g->tok[t] + g->tok_len[a], g->tok[b], g->tok_len[b]);
		g->tok_len[t] = g->tok_len[a] + g->tok_len[b];
		for (unsigned i = 0; i < g->n; i++) {
			struct gsym *s = &g->syms[i];
			unsigned r = 0, w = 0;

			while (r < s->len) {
				if (r + 1 < s->len && s->s[r] == a && s->s[r + 1] == b) {
					s->s[w++] = (unsigned char)t;
					r += 2;
				} else {
					s->s[w++] = s->s[r++];
				}
			}
			s->len = w;
		}
	}
}

static void gen_free(struct gen *g)
{
	free(g->syms);
}

/* ---- laying the tables out ---- */

enum tab { T_ADDRS, T_OFFS, T_RB, T_NUM, T_NAMES, T_MARKERS, T_SEQS, T_TOKTAB, T_TOKIDX, T_END };
enum enc { E_BASE, E_PERCPU, E_PLACE, E_ABS };

struct layout {
	const char *what;
	enum tab order[T_END + 1];	/* ends with T_END */
	enum enc enc;
	unsigned ws;
	bool be;
	bool num_long, markers_long;	/* PTR-sized num_syms / markers (old kernels) */
	unsigned seq_w;			/* 3, or 4 (6.2-rc) */
};

struct placed {
	uint64_t at[T_END];
	uint64_t end;
};

static void put(struct img *im, uint64_t addr, uint64_t v, unsigned size, bool be)
{
	unsigned char *p = im->p + (addr - im->base);

	for (unsigned i = 0; i < size; i++)
		p[i] = (unsigned char)(be ? v >> (8 * (size - 1 - i)) : v >> (8 * i));
}

static int cmp_full(const void *a, const void *b)
{
	const struct gsym *x = *(const struct gsym *const *)a, *y = *(const struct gsym *const *)b;
	int c = strcmp((const char *)x->full + 1, (const char *)y->full + 1);

	return c ? c : (x->addr > y->addr) - (x->addr < y->addr);
}

/* Write the tables at addr in the layout's order; each label aligned to the word size. */
static void lay_out(struct img *im, const struct gen *g, const struct layout *l, uint64_t addr,
		    struct placed *pl)
{
	unsigned ws = l->ws, n = g->n;
	uint64_t at = addr;

	memset(pl, 0, sizeof(*pl));
	for (const enum tab *t = l->order; *t != T_END; t++) {
		uint64_t a = (at + ws - 1) & ~(uint64_t)(ws - 1);

		memset(im->p + (at - im->base), 0, a - at);	/* .balign fills with zeros */
		at = a;
		pl->at[*t] = at;
		switch (*t) {
		case T_ADDRS:
			for (unsigned i = 0; i < n; i++, at += ws)
				put(im, at, g->syms[i].addr, ws, l->be);
			break;
		case T_OFFS:
			for (unsigned i = 0; i < n; i++, at += 4) {
				const struct gsym *s = &g->syms[i];
				uint64_t v = l->enc == E_BASE ? s->addr - g->rb
					   : l->enc == E_PLACE ? s->addr - at
					   : s->percpu ? s->addr : g->rb - s->addr - 1;

				put(im, at, (uint32_t)v, 4, l->be);
			}
			break;
		case T_RB:
			put(im, at, g->rb, ws, l->be);
			at += ws;
			break;
		case T_NUM:
			put(im, at, n, l->num_long ? ws : 4, l->be);
			at += l->num_long ? ws : 4;
			break;
		case T_NAMES:
			for (unsigned i = 0; i < n; i++) {
				const struct gsym *s = &g->syms[i];

				if (s->len > 0x7f) {
					put(im, at++, (s->len & 0x7f) | 0x80, 1, false);
					put(im, at++, s->len >> 7, 1, false);
				} else {
					put(im, at++, s->len, 1, false);
				}
				memcpy(im->p + (at - im->base), s->s, s->len);
				at += s->len;
			}
			break;
		case T_MARKERS: {
			uint64_t off = 0;
			unsigned mw = l->markers_long ? ws : 4;

			for (unsigned i = 0; i < n; i++) {
				if (i % 256 == 0) {
					put(im, at, off, mw, l->be);
					at += mw;
				}
				off += g->syms[i].len + (g->syms[i].len > 0x7f ? 2 : 1);
			}
			break;
		}
		case T_SEQS: {
			const struct gsym **by = malloc(n * sizeof(*by));

			if (!by)
				abort();
			for (unsigned i = 0; i < n; i++)
				by[i] = &g->syms[i];
			qsort(by, n, sizeof(*by), cmp_full);
			for (unsigned i = 0; i < n; i++, at += l->seq_w)
				put(im, at, (uint64_t)(by[i] - g->syms), l->seq_w,
				    l->seq_w == 3 || l->be);
			free(by);
			break;
		}
		case T_TOKTAB:
			for (unsigned i = 0; i < 256; i++) {
				memcpy(im->p + (at - im->base), g->tok[i], g->tok_len[i]);
				at += g->tok_len[i];
				put(im, at++, 0, 1, false);
			}
			break;
		case T_TOKIDX: {
			uint64_t off = 0;

			for (unsigned i = 0; i < 256; i++, at += 2) {
				put(im, at, off, 2, l->be);
				off += g->tok_len[i] + 1;
			}
			break;
		}
		case T_END:
			break;
		}
	}
	pl->end = at;
}

#define ORDER(...) { __VA_ARGS__, T_END }

static const struct layout layouts[] = {
	{ "4.x absolute", ORDER(T_ADDRS, T_NUM, T_NAMES, T_MARKERS, T_TOKTAB, T_TOKIDX),
	  E_ABS, 8, false, true, true, 0 },
	{ "4.6-6.1 base-relative",
	  ORDER(T_OFFS, T_RB, T_NUM, T_NAMES, T_MARKERS, T_TOKTAB, T_TOKIDX),
	  E_BASE, 8, false, false, false, 0 },
	{ "5.10 x86_64 absolute-percpu",
	  ORDER(T_OFFS, T_RB, T_NUM, T_NAMES, T_MARKERS, T_TOKTAB, T_TOKIDX),
	  E_PERCPU, 8, false, false, false, 0 },
	{ "6.2-6.3 seqs before tokens",
	  ORDER(T_OFFS, T_RB, T_NUM, T_NAMES, T_MARKERS, T_SEQS, T_TOKTAB, T_TOKIDX),
	  E_PERCPU, 8, false, false, false, 3 },
	{ "6.2-rc seqs of ints",
	  ORDER(T_OFFS, T_RB, T_NUM, T_NAMES, T_MARKERS, T_SEQS, T_TOKTAB, T_TOKIDX),
	  E_BASE, 8, false, false, false, 4 },
	{ "6.4+ offsets after tokens",
	  ORDER(T_NUM, T_NAMES, T_MARKERS, T_TOKTAB, T_TOKIDX, T_OFFS, T_RB, T_SEQS),
	  E_PERCPU, 8, false, false, false, 3 },
	{ "6.4+ absolute", ORDER(T_NUM, T_NAMES, T_MARKERS, T_TOKTAB, T_TOKIDX, T_ADDRS, T_SEQS),
	  E_ABS, 8, false, false, false, 3 },
	{ "7.0 place-relative",
	  ORDER(T_NUM, T_NAMES, T_MARKERS, T_TOKTAB, T_TOKIDX, T_OFFS, T_SEQS),
	  E_PLACE, 8, false, false, false, 3 },
	{ "s390x-like big-endian 64-bit",
	  ORDER(T_OFFS, T_RB, T_NUM, T_NAMES, T_MARKERS, T_TOKTAB, T_TOKIDX),
	  E_BASE, 8, true, false, false, 0 },
	{ "big-endian 64-bit, long num_syms and markers",
	  ORDER(T_ADDRS, T_NUM, T_NAMES, T_MARKERS, T_TOKTAB, T_TOKIDX),
	  E_ABS, 8, true, true, true, 0 },
	{ "6.4+ big-endian 64-bit",
	  ORDER(T_NUM, T_NAMES, T_MARKERS, T_TOKTAB, T_TOKIDX, T_OFFS, T_RB, T_SEQS),
	  E_BASE, 8, true, false, false, 3 },
	{ "32-bit big-endian base-relative",
	  ORDER(T_OFFS, T_RB, T_NUM, T_NAMES, T_MARKERS, T_TOKTAB, T_TOKIDX),
	  E_BASE, 4, true, false, false, 0 },
	{ "32-bit little-endian absolute",
	  ORDER(T_ADDRS, T_NUM, T_NAMES, T_MARKERS, T_TOKTAB, T_TOKIDX),
	  E_ABS, 4, false, false, false, 0 },
	{ "32-bit 6.4+", ORDER(T_NUM, T_NAMES, T_MARKERS, T_TOKTAB, T_TOKIDX, T_OFFS, T_RB, T_SEQS),
	  E_BASE, 4, false, false, false, 3 },
};

/* One synthetic kernel: image of len bytes, n symbols, the tables at tab_off. */
struct kernel {
	struct img im;
	struct gen g;
	struct placed pl;
	const struct layout *l;
};

static uint64_t image_base(unsigned ws)
{
	return ws == 8 ? 0xffffffff81000000ULL : 0xc0000000ULL;
}

static void make_kernel(struct kernel *k, const struct layout *l, size_t len, unsigned n,
			uint64_t tab_off, uint32_t seed)
{
	uint64_t base = image_base(l->ws);
	bool big = true;	/* a two-byte length (6.1+), harmless to older layouts */

	k->l = l;
	img_init(&k->im, base, len, seed);
	gen_syms(&k->g, n, base, len - 0x1000, l->enc == E_PERCPU && n >= 160 ? 40 : 0, big,
		 seed * 7 + 1);
	gen_compress(&k->g);
	lay_out(&k->im, &k->g, l, base + tab_off, &k->pl);
}

static void free_kernel(struct kernel *k)
{
	img_free(&k->im);
	gen_free(&k->g);
}

static int locate(struct kernel *k, struct k2e_kallsyms_tables *t, struct k2e_err *err)
{
	return k2e_kallsyms_locate(img_read, &k->im, k->im.base, k->im.base + k->im.len, k->l->be,
				   k->l->ws, t, err);
}

static bool check_found(const struct kernel *k, const struct k2e_kallsyms_tables *t)
{
	const uint64_t *at = k->pl.at;
	bool ok = true;

	ok &= CHECKF(t->num_syms == at[T_NUM], "%s: num_syms 0x%llx", k->l->what,
		     (unsigned long long)t->num_syms);
	ok &= CHECKF(t->names == at[T_NAMES], "%s: names 0x%llx", k->l->what,
		     (unsigned long long)t->names);
	ok &= CHECKF(t->markers == at[T_MARKERS], "%s: markers", k->l->what);
	ok &= CHECKF(t->token_table == at[T_TOKTAB], "%s: token_table 0x%llx want 0x%llx",
		     k->l->what, (unsigned long long)t->token_table,
		     (unsigned long long)at[T_TOKTAB]);
	ok &= CHECKF(t->token_index == at[T_TOKIDX], "%s: token_index", k->l->what);
	ok &= CHECKF(t->offsets == at[T_OFFS], "%s: offsets 0x%llx want 0x%llx", k->l->what,
		     (unsigned long long)t->offsets, (unsigned long long)at[T_OFFS]);
	ok &= CHECKF(t->addresses == at[T_ADDRS], "%s: addresses", k->l->what);
	ok &= CHECKF(t->relative_base == at[T_RB], "%s: relative_base 0x%llx want 0x%llx",
		     k->l->what, (unsigned long long)t->relative_base,
		     (unsigned long long)at[T_RB]);
	ok &= CHECKF(t->seqs_of_names == at[T_SEQS], "%s: seqs_of_names 0x%llx want 0x%llx",
		     k->l->what, (unsigned long long)t->seqs_of_names,
		     (unsigned long long)at[T_SEQS]);
	ok &= CHECKF(t->n_syms == k->g.n, "%s: n_syms %llu", k->l->what,
		     (unsigned long long)t->n_syms);
	return ok;
}

/*
 * Decoys the search must pass over: an index 0, 1, ... 255 after 256 NULs
 * (all tokens empty), and a copy of the real token table and index with
 * no names before it.
 */
static void put_decoys(struct kernel *k, uint64_t off)
{
	struct img *im = &k->im;
	uint64_t tt = k->pl.at[T_TOKTAB] - im->base;
	uint64_t len = k->pl.at[T_TOKIDX] + 512 - k->pl.at[T_TOKTAB];

	memset(im->p + off, 0, 256);
	for (unsigned i = 0; i < 256; i++)
		put(im, im->base + off + 256 + 2 * i, i, 2, k->l->be);
	memcpy(im->p + off + 0x2000, im->p + tt, len);
}

TEST(kallsyms_locate_every_layout)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		struct k2e_kallsyms_tables t;
		struct k2e_err err;
		struct kernel k;
		unsigned n = 1000 + 517 * (unsigned)i;

		make_kernel(&k, &layouts[i], 4 << 20, n, 0x1f0123 + 8 * i, 11 + (uint32_t)i);
		bool big = false;

		for (unsigned j = 0; j < n; j++)
			big |= k.g.syms[j].len > 0x7f;
		CHECKF(big, "%s: no name with a two-byte length", layouts[i].what);
		put_decoys(&k, 0x10000);
		/* Holes: a page before the tables, the chunk after them, the last page. */
		k.im.hole[0x30] = 1;
		k.im.hole[0x301] = 1;
		k.im.hole[k.im.len / PAGE_SZ - 1] = 1;
		if (CHECKF(locate(&k, &t, &err) == 0, "%s: %s", layouts[i].what, err.msg))
			check_found(&k, &t);
		free_kernel(&k);
	}
}

/* Every layout with one, two and three markers (the count at their edges). */
TEST(kallsyms_locate_few_markers)
{
	static const unsigned counts[] = { 2, 256, 257, 512, 513 };

	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
			struct k2e_kallsyms_tables t;
			struct k2e_err err;
			struct kernel k;

			make_kernel(&k, &layouts[i], 64 << 10, counts[c], 0x1000 + 4 * c,
				    (uint32_t)(1000 + 10 * i + c));
			if (CHECKF(locate(&k, &t, &err) == 0, "%s, %u symbols: %s", layouts[i].what,
				   counts[c], err.msg))
				check_found(&k, &t);
			free_kernel(&k);
		}
	}
}

/* Few symbols (one marker) and many (several MiB of tables, near the end of a chunk). */
TEST(kallsyms_locate_sizes)
{
	static const unsigned counts[] = { 2, 3, 255, 256, 257, 7999 };

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		const struct layout *l = &layouts[i % 2 ? 3 : 5];
		struct k2e_kallsyms_tables t;
		struct k2e_err err;
		struct kernel k;

		make_kernel(&k, l, 3 << 20, counts[i], (1 << 20) - 0x40 + 8 * i, 100 + (uint32_t)i);
		if (CHECKF(locate(&k, &t, &err) == 0, "%u symbols: %s", counts[i], err.msg))
			check_found(&k, &t);
		free_kernel(&k);
	}
}

TEST(kallsyms_locate_not_found)
{
	struct k2e_kallsyms_tables t = { 0 };
	struct k2e_err err;
	struct img im;

	img_init(&im, 0xffffffff81000000ULL, 2 << 20, 5);
	memset(im.p + 0x1000, 0, 256);
	for (unsigned i = 0; i < 256; i++)
		put(&im, im.base + 0x1100 + 2 * i, i, 2, false);
	CHECK(k2e_kallsyms_locate(img_read, &im, im.base, im.base + im.len, false, 8, &t,
				  &err) < 0);
	CHECK_CONTAINS(err.msg, "no kallsyms token table in 0xffffffff81000000-0xffffffff81200000");
	CHECK_U64(t.names, 0);
	/* Nothing readable at all. */
	memset(im.hole, 1, im.len / PAGE_SZ + 1);
	CHECK(k2e_kallsyms_locate(img_read, &im, im.base, im.base + im.len, false, 8, &t,
				  &err) < 0);
	CHECK_CONTAINS(err.msg, "no kallsyms token table");
	CHECK(k2e_kallsyms_locate(img_read, &im, im.base, im.base, false, 8, &t, &err) < 0);
	CHECK(k2e_kallsyms_locate(img_read, &im, im.base, im.base + 8, false, 3, &t, &err) < 0);
	img_free(&im);
}

/* Where symbol i's entry starts in kallsyms_names. */
static uint64_t name_at(const struct kernel *k, unsigned i)
{
	uint64_t at = k->pl.at[T_NAMES];

	for (unsigned j = 0; j < i; j++)
		at += k->g.syms[j].len + (k->g.syms[j].len > 0x7f ? 2 : 1);
	return at;
}

/* Damage each table in turn: an error that names an address, never a wrong answer. */
TEST(kallsyms_locate_corrupt)
{
	const struct layout *l = &layouts[2];	/* 5.10 */
	struct kernel k;

	make_kernel(&k, l, 2 << 20, 1300, 0x80000, 3);
	const struct {
		const char *what;
		uint64_t addr;
		unsigned char byte;
		const char *msg;
	} cases[] = {
		{ "first name's length", k.pl.at[T_NAMES], 0, "kallsyms_" },
		{ "a name's length", name_at(&k, 300), 0x7f, "kallsyms_" },
		{ "second marker", k.pl.at[T_MARKERS] + 5, 0x55, "kallsyms_" },
		{ "token index order", k.pl.at[T_TOKIDX] + 2 * 100 + 1, 0xff,
		  "no kallsyms token table" },
		{ "token text", k.pl.at[T_TOKTAB] + 3, 0x01, "no kallsyms token table" },
		{ "num_syms", k.pl.at[T_NUM], 0x02, "kallsyms_" },
		{ "relative_base", k.pl.at[T_RB] + 7, 0x12,
		  "no kallsyms_offsets or kallsyms_addresses" },
		{ "offsets order", k.pl.at[T_OFFS] + 4 * 600 + 2, 0x7f,
		  "no kallsyms_offsets or kallsyms_addresses" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char *p = k.im.p + (cases[i].addr - k.im.base), save = *p;
		struct k2e_kallsyms_tables t;
		struct k2e_err err;

		*p = cases[i].byte == save ? (unsigned char)(save ^ 0x80) : cases[i].byte;
		if (CHECKF(locate(&k, &t, &err) < 0, "%s: found 0x%llx", cases[i].what,
			   (unsigned long long)t.names)) {
			CHECKF(strstr(err.msg, cases[i].msg), "%s: '%s'", cases[i].what, err.msg);
			CHECKF(strstr(err.msg, "0x"), "%s: '%s'", cases[i].what, err.msg);
		}
		*p = save;
	}
	/* Undamaged it is found. */
	struct k2e_kallsyms_tables t;
	struct k2e_err err;

	if (CHECKF(locate(&k, &t, &err) == 0, "%s", err.msg))
		check_found(&k, &t);
	free_kernel(&k);
}

/* Random damage anywhere in the tables: no crash, and any answer found is the right one. */
TEST(kallsyms_locate_fuzz)
{
	struct kernel k;
	uint32_t x = 12345;

	for (int layout = 0; layout < 2; layout++) {
		make_kernel(&k, &layouts[layout ? 3 : 1], 1 << 20, 900, 0x4000, 9 + layout);
		uint64_t from = k.pl.at[layout ? T_OFFS : T_OFFS] - k.im.base;
		uint64_t span = k.pl.end - k.im.base - from;

		for (int round = 0; round < 150; round++) {
			struct k2e_kallsyms_tables t;
			struct k2e_err err;
			uint64_t where[4];
			unsigned char save[4];

			for (int j = 0; j < 4; j++) {
				x ^= x << 13, x ^= x >> 17, x ^= x << 5;
				where[j] = from + x % span;
				save[j] = k.im.p[where[j]];
				k.im.p[where[j]] = (unsigned char)(x >> 8);
			}
			if (locate(&k, &t, &err) == 0)
				CHECK_U64(t.token_table, k.pl.at[T_TOKTAB]);
			else
				CHECK(err.msg[0] != '\0');
			for (int j = 3; j >= 0; j--)
				k.im.p[where[j]] = save[j];
		}
		free_kernel(&k);
	}
}

/* A 64 MiB image with the tables near its end: one pass, well under a second. */
TEST(kallsyms_locate_speed)
{
	struct k2e_kallsyms_tables t;
	struct timespec t0, t1;
	struct k2e_err err;
	struct kernel k;
	double ms;

	make_kernel(&k, &layouts[3], 64 << 20, 8000, (62 << 20) + 0x123, 77);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (CHECKF(locate(&k, &t, &err) == 0, "%s", err.msg))
		check_found(&k, &t);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	/* Whole MiB reads, not byte reads (one per chunk, plus a few for the tables). */
	CHECKF(k.im.reads < 80, "%u reads", k.im.reads);
	CHECKF(ms < 3000, "%.0f ms", ms);	/* < 1 s optimised; sanitizers are slower */
	free_kernel(&k);
}

/*
 * Crafted memory: many copies of a valid token table and index (none with
 * names before it), many index look-alikes: an error, in bounded time.
 */
TEST(kallsyms_locate_budgets)
{
	struct k2e_kallsyms_tables t;
	struct timespec t0, t1;
	struct k2e_err err;
	struct kernel k;
	uint64_t tt, len;

	make_kernel(&k, &layouts[1], 8 << 20, 600, (7 << 20) + 0x100, 21);
	tt = k.pl.at[T_TOKTAB] - k.im.base;
	len = k.pl.at[T_TOKIDX] + 512 - k.pl.at[T_TOKTAB];
	/* 40 token tables before the real one: the search gives up on the eighth. */
	for (unsigned i = 0; i < 40; i++)
		memcpy(k.im.p + 0x10000 + i * 0x8000, k.im.p + tt, len);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(locate(&k, &t, &err) < 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK_CONTAINS(err.msg, "kallsyms_token_table at 0x");
	CHECKF((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6 < 5000, "slow");
	/* 2000 index look-alikes (every token one letter) with nothing sane before them. */
	for (unsigned i = 0; i < 2000; i++) {
		uint64_t at = 0x10000 + (uint64_t)i * 1024;

		for (unsigned j = 0; j < 256; j++)
			put(&k.im, k.im.base + at + 2 * j, 2 * j, 2, false);
	}
	CHECK(locate(&k, &t, &err) < 0);
	CHECK_CONTAINS(err.msg, "more than 1024 token index candidates");
	free_kernel(&k);
}

/*
 * Small images of several layouts, each found; with K2E_KALLSYMS_SEEDS=DIR
 * also written there as fuzz seeds (tests/fuzz/fuzz_kallsyms_locate.c: a
 * byte of byte order and word size, then the image).
 */
TEST(kallsyms_locate_seeds)
{
	static const unsigned which[] = { 0, 1, 3, 5, 7, 9, 11 };
	const char *dir = getenv("K2E_KALLSYMS_SEEDS");

	for (size_t i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		const struct layout *l = &layouts[which[i]];
		struct k2e_kallsyms_tables t;
		struct k2e_err err;
		struct kernel k;

		make_kernel(&k, l, 16 << 10, 300, 0x40, 500 + (uint32_t)i);
		if (CHECKF(locate(&k, &t, &err) == 0, "%s: %s", l->what, err.msg))
			check_found(&k, &t);
		if (dir) {
			char path[4096];
			unsigned char cfg = (unsigned char)((l->be ? 1 : 0) | (l->ws == 4 ? 2 : 0));
			FILE *f;

			snprintf(path, sizeof(path), "%s/layout-%zu", dir, which[i] + (size_t)0);
			f = fopen(path, "wb");
			if (CHECKF(f != NULL, "%s", path)) {
				fwrite(&cfg, 1, 1, f);
				fwrite(k.im.p, 1, k.im.len, f);
				fclose(f);
			}
		}
		free_kernel(&k);
	}
}
