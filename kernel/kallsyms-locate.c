/*
 * kallsyms-locate.c - find the kallsyms tables in the kernel image by their
 * shape (the layouts are described in kallsyms-locate.h).
 *
 * Memory is read through a small cache of 1 MiB chunks (a chunk the dump
 * does not hold whole is read page by page, its missing pages marked), so
 * the scan for the token index makes one read per MiB and the checks after
 * it only touch the cache.  Every loop is bounded by a constant or by a
 * count that was bounded first; candidates that pass the cheap checks are
 * counted against a budget, so crafted memory cannot make the search slow.
 */
#include "kernel/kallsyms-locate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/endian.h"

enum {
	CHUNK = 1 << 20,
	PAGE = 4096,
	CHUNK_PAGES = CHUNK / PAGE,
	N_SLOTS = 4,
	SCRATCH = 128 << 10,		/* largest read that spans chunks */
	MAX_SYMS = 4 << 20,		/* bound on kallsyms_num_syms */
	MAX_MARKERS = MAX_SYMS / 256,
	MAX_TOKEN = 256,		/* longest token accepted */
	MAX_EMPTY_TOKENS = 64,		/* real tables have none; tiny ones a few */
	MAX_NAME_BYTES = 1024,		/* one compressed name (KSYM_NAME_LEN is 512) */
	MAX_NAME_CHARS = 1024,		/* its expanded length */
	MAX_PAD = 8,			/* ALGN between tables: .balign 8 (4 on 32-bit) */
	/* Bytes between the start of one group of 256 names and the next. */
	MIN_GROUP = 256 * 2,
	MAX_GROUP = 256 * (2 + MAX_NAME_BYTES),
	/* Budgets against crafted memory (a real kernel needs a handful of each). */
	MAX_INDEX_TRIES = 1024,		/* token indexes whose table is looked for */
	MAX_TOKEN_CANDIDATES = 8,	/* valid token tables whose neighbours are looked for */
	MAX_NAME_SCANS = 64,		/* searches for num_syms per token table */
	MAX_NAME_TRIES = 256,		/* names walks tried per token table */
	MAX_WALK_STEPS = 32 << 20,	/* names walked in all */
};

struct slot {
	uint64_t base;			/* chunk address; UINT64_MAX: empty */
	uint64_t stamp;
	unsigned char *data;
	bool valid[CHUNK_PAGES];
};

struct mem {
	k2e_vread_fn read;
	void *arg;
	uint64_t lo, hi;
	bool be;
	unsigned ws;
	struct slot slots[N_SLOTS];
	struct slot *last;
	uint64_t clock;
	unsigned char *scratch;
};

/* The token table, once validated. */
struct tokens {
	uint64_t table, index;
	uint16_t len[256];
	bool letter[256];		/* the token starts with a letter (a type letter) */
	unsigned empty;
};

/*
 * Why the search failed, for the error message: the last token table's
 * verdict, and the last names walk's reason; and the budgets spent.
 */
struct why {
	char table[640];
	char msg[320];			/* of the walk that went furthest */
	uint64_t furthest;		/* names it walked, + 1; 0: none yet */
	bool no_addrs;			/* names fit this token table, addresses did not */
	unsigned name_scans, name_tries;
	uint64_t steps;
	bool table_spent;		/* this token table's budgets are spent */
	bool exhausted;			/* the whole search's */
};

/* Note why a names walk failed after i names, if no walk went further. */
#define WHY_AT(w, i, ...)							\
	do {									\
		if ((i) + 1 > (w)->furthest) {					\
			(w)->furthest = (i) + 1;				\
			snprintf((w)->msg, sizeof((w)->msg), __VA_ARGS__);	\
		}								\
	} while (0)

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

static struct slot *load(struct mem *m, uint64_t base)
{
	struct slot *s = NULL;
	uint64_t from, to;

	if (m->last && m->last->base == base) {
		m->last->stamp = ++m->clock;
		return m->last;
	}
	for (int i = 0; i < N_SLOTS; i++) {
		if (m->slots[i].base == base) {
			s = &m->slots[i];
			goto hit;
		}
		if (!s || m->slots[i].stamp < s->stamp)
			s = &m->slots[i];
	}
	if (!s->data && !(s->data = malloc(CHUNK)))
		return NULL;
	s->base = base;
	from = base < m->lo ? m->lo : base;
	to = m->hi - base > CHUNK ? base + CHUNK : m->hi;
	memset(s->valid, 0, sizeof(s->valid));
	if (m->read(m->arg, from, s->data + (from - base), to - from) == 0) {
		for (uint64_t p = from & ~(uint64_t)(PAGE - 1); p < to; p += PAGE)
			s->valid[(p - base) / PAGE] = true;
	} else {
		for (uint64_t p = from & ~(uint64_t)(PAGE - 1); p < to; p += PAGE) {
			uint64_t a = p < from ? from : p, b = to - p > PAGE ? p + PAGE : to;

			s->valid[(p - base) / PAGE] =
				m->read(m->arg, a, s->data + (a - base), b - a) == 0;
		}
	}
hit:
	s->stamp = ++m->clock;
	m->last = s;
	return s;
}

/*
 * Point *ret at [addr, addr + len) (len <= SCRATCH): into the cache, or a
 * copy in scratch when it spans chunks.  Valid until the next get.  -1 when
 * any of it is outside [lo, hi) or not in the dump (or out of memory).
 */
static int get(struct mem *m, uint64_t addr, size_t len, const unsigned char **ret)
{
	uint64_t base = addr & ~(uint64_t)(CHUNK - 1);
	struct slot *s;

	if (addr < m->lo || addr > m->hi || len > m->hi - addr || len > SCRATCH || len == 0)
		return -1;
	if (addr - base + len <= CHUNK) {
		if (!(s = load(m, base)))
			return -1;
		for (uint64_t p = (addr - base) / PAGE; p <= (addr - base + len - 1) / PAGE; p++)
			if (!s->valid[p])
				return -1;
		*ret = s->data + (addr - base);
		return 0;
	}
	for (size_t done = 0; done < len;) {
		uint64_t a = addr + done, b = a & ~(uint64_t)(CHUNK - 1);
		size_t n = CHUNK - (a - b);
		const unsigned char *p;

		if (n > len - done)
			n = len - done;
		if (get(m, a, n, &p) < 0)
			return -1;
		memcpy(m->scratch + done, p, n);
		done += n;
	}
	*ret = m->scratch;
	return 0;
}

/* An unsigned number of size 1, 2, 4 or 8 in the dump's byte order; 3: big-endian (seqs). */
static int rd(struct mem *m, uint64_t addr, unsigned size, uint64_t *ret)
{
	const unsigned char *p;

	if (get(m, addr, size, &p) < 0)
		return -1;
	switch (size) {
	case 1:
		*ret = p[0];
		break;
	case 2:
		*ret = k2e_get16(p, m->be);
		break;
	case 3:
		*ret = (uint64_t)p[0] << 16 | (uint64_t)p[1] << 8 | p[2];
		break;
	case 4:
		*ret = k2e_get32(p, m->be);
		break;
	default:
		*ret = k2e_get64(p, m->be);
		break;
	}
	return 0;
}

/* [addr, addr + len) is readable and all zero (len < MAX_PAD * 2). */
static bool zeros(struct mem *m, uint64_t addr, uint64_t len)
{
	const unsigned char *p;

	if (len == 0)
		return true;
	if (get(m, addr, len, &p) < 0)
		return false;
	for (uint64_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* ---- token table and index ---- */

/*
 * The token table ending just before the index at ix, given its offsets:
 * tokens printable, each NUL-terminated where the next starts, the table
 * word-aligned and padded with zeros to the index.  0 and t->table, or -1.
 */
static int find_token_table(struct mem *m, uint64_t ix, const uint16_t *idx, struct tokens *t)
{
	uint64_t last = idx[255], span = last + 1 + MAX_TOKEN + MAX_PAD, from;
	const unsigned char *buf;

	if (ix - m->lo < last + 1)
		return -1;
	from = ix - m->lo < span ? m->lo : ix - span;
	if (get(m, from, ix - from, &buf) < 0)
		return -1;
	/* k: bytes of token 255 (with its NUL) and padding, shortest first. */
	for (uint64_t k = 1; k <= ix - from - last; k++) {
		const unsigned char *tab = buf + (ix - from - last - k);
		uint64_t i, j, end = last + k;	/* bytes from the table start to ix */
		bool ok = true;

		for (i = 0; i < 255 && ok; i++) {
			if (tab[idx[i + 1] - 1] != 0)
				ok = false;
			for (j = idx[i]; ok && j + 1 < idx[i + 1]; j++)
				if (tab[j] < 0x20 || tab[j] > 0x7e)
					ok = false;
		}
		if (!ok)
			continue;
		for (j = last; j < end && tab[j]; j++)
			if (tab[j] < 0x20 || tab[j] > 0x7e || j - last >= MAX_TOKEN)
				break;
		if (j == end || tab[j] != 0 || end - j - 1 >= m->ws || (ix - end) % m->ws)
			continue;
		for (i = j + 1; i < end && tab[i] == 0; i++)
			;
		if (i != end)
			continue;
		t->table = ix - end;
		t->index = ix;
		t->empty = 0;
		for (i = 0; i < 256; i++) {
			uint64_t e = i < 255 ? idx[i + 1] - 1u : j;
			unsigned char c = tab[idx[i]];

			t->len[i] = (uint16_t)(e - idx[i]);
			t->letter[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
			t->empty += t->len[i] == 0;
		}
		return 0;
	}
	return -1;
}

/*
 * A token index at ix: 256 increasing u16 offsets from 0, and its table
 * before it.  *tries counts the indexes whose table was looked for: -1
 * without looking once it passes MAX_INDEX_TRIES.
 */
static int try_index(struct mem *m, uint64_t ix, struct tokens *t, unsigned *tries)
{
	const unsigned char *p;
	uint16_t idx[256];
	unsigned empty = 0;

	if (get(m, ix, 512, &p) < 0)
		return -1;
	for (int i = 0; i < 256; i++) {
		idx[i] = k2e_get16(p + 2 * i, m->be);
		if (i == 0 ? idx[0] != 0
			   : idx[i] <= idx[i - 1] || idx[i] - idx[i - 1] > MAX_TOKEN + 1)
			return -1;
		if (i > 0 && idx[i] - idx[i - 1] == 1 && ++empty > MAX_EMPTY_TOKENS)
			return -1;
	}
	if (++*tries > MAX_INDEX_TRIES)
		return -1;
	return find_token_table(m, ix, idx, t);
}

/* ---- names, markers, num_syms ---- */

/* What the derivation has established so far. */
struct found {
	const struct tokens *tok;
	uint64_t markers, n_markers;	/* address, entries */
	unsigned mw;			/* marker width: 4 or the word size */
	uint64_t n_lo, n_hi;		/* the symbol count lies in [n_lo, n_hi] */
	uint64_t seqs;			/* seqs_of_names between markers and tokens, or 0 */
	unsigned seq_w;
	uint64_t num_syms, names, n;
};

/*
 * Walk n names from names: every 256th starts at its marker, lengths and
 * tokens are valid, the last ends where zeros pad to the markers.
 */
static int walk_names(struct mem *m, const struct found *f, uint64_t names, uint64_t n,
		      struct why *why)
{
	const struct tokens *tok = f->tok;
	uint64_t at = names, i, mk;
	const unsigned char *p;

	for (i = 0; i < n; i++) {
		uint64_t len, chars = 0;

		if (++why->steps > MAX_WALK_STEPS) {
			why->exhausted = true;
			return -1;
		}
		if (i % 256 == 0) {
			if (rd(m, f->markers + f->mw * (i / 256), f->mw, &mk) < 0 ||
			    mk != at - names) {
				WHY_AT(why, i, "kallsyms_names at 0x%llx: symbol %llu at 0x%llx is "
				       "not at kallsyms_markers[%llu]", ull(names), ull(i), ull(at),
				       ull(i / 256));
				return -1;
			}
		}
		if (at >= f->markers || get(m, at, f->markers - at >= 2 ? 2 : 1, &p) < 0)
			goto bad;
		len = p[0];
		at++;
		if (len & 0x80) {	/* two-byte ULEB128 length (6.1+) */
			if (f->markers - at < 1)
				goto bad;
			len = (len & 0x7f) | (uint64_t)p[1] << 7;
			at++;
		}
		if (len == 0 || len > MAX_NAME_BYTES || len > f->markers - at ||
		    get(m, at, len, &p) < 0)
			goto bad;
		if (!tok->letter[p[0]])
			goto bad;
		for (uint64_t j = 0; j < len; j++) {
			if (tok->len[p[j]] == 0)
				goto bad;
			chars += tok->len[p[j]];
		}
		if (chars < 2 || chars > MAX_NAME_CHARS)
			goto bad;
		at += len;
	}
	if (at > f->markers || align_up(at, m->ws) != f->markers ||
	    !zeros(m, at, f->markers - at)) {
		WHY_AT(why, n, "kallsyms_names at 0x%llx: %llu names end at 0x%llx, not at "
		       "kallsyms_markers 0x%llx", ull(names), ull(n), ull(at), ull(f->markers));
		return -1;
	}
	return 0;
bad:
	WHY_AT(why, i, "kallsyms_names at 0x%llx: symbol %llu at 0x%llx is malformed", ull(names),
	       ull(i), ull(at));
	return -1;
}

/*
 * num_syms and names before the markers: names start right after an int
 * (or long) holding a count in [n_lo, n_hi], and that many names walk to
 * the markers.  The last group of names is at most MAX_GROUP bytes long.
 */
static int find_names(struct mem *m, struct found *f, struct why *why)
{
	uint64_t mlast, top, bottom, a;

	if (++why->name_scans > MAX_NAME_SCANS) {
		why->table_spent = true;
		return -1;
	}
	if (rd(m, f->markers + f->mw * (f->n_markers - 1), f->mw, &mlast) < 0 ||
	    f->markers - m->lo < mlast + 2 + 4)
		return -1;
	top = (f->markers - mlast - 2 - 4) & ~3ULL;
	bottom = top - m->lo > MAX_GROUP + 2 * MAX_PAD ? top - MAX_GROUP - 2 * MAX_PAD : m->lo;
	for (a = top; a >= bottom && a >= m->lo; a -= 4) {
		uint64_t v;

		if (rd(m, a, 4, &v) == 0 && v >= f->n_lo && v <= f->n_hi) {
			for (uint64_t names = a + 4; names <= a + 8; names += 4) {
				if (names % m->ws || !zeros(m, a + 4, names - a - 4) ||
				    names + mlast + 2 > f->markers)
					continue;
				if (++why->name_tries > MAX_NAME_TRIES)
					why->table_spent = true;
				if (why->table_spent || why->exhausted)
					return -1;
				if (walk_names(m, f, names, v, why) == 0) {
					/* A big-endian long: the count is its low half. */
					f->num_syms = m->be && m->ws == 8 && a % 8 == 4 &&
						      zeros(m, a - 4, 4) ? a - 4 : a;
					f->names = names;
					f->n = v;
					return 0;
				}
			}
		}
		if (a < 4)
			break;
	}
	return -1;
}

/* ---- addresses and seqs_of_names ---- */

enum enc { ENC_NONE, ENC_BASE_RELATIVE, ENC_ABSOLUTE_PERCPU, ENC_PLACE_RELATIVE, ENC_ABSOLUTE };

/* What a candidate address table holds. */
enum kind {
	OFFSETS_RB,		/* s32 from relative_base: base-relative or absolute-percpu */
	OFFSETS_PLACE,		/* s32 offsets from each entry's own address (7.0+) */
	ADDRESSES,		/* absolute words */
};

/*
 * n entries at addr, sorted by address in one of the encodings of kind
 * (scripts/kallsyms.c sorts symbols by address), the first symbol at or
 * below the tables and the last above them; with relative_base rb, the
 * first relative symbol is at rb.  The encoding, or ENC_NONE.
 */
static enum enc check_addrs(struct mem *m, uint64_t addr, uint64_t n, enum kind kind, uint64_t rb,
			    uint64_t tables)
{
	unsigned size = kind == ADDRESSES ? m->ws : 4;
	bool base_ok = kind == OFFSETS_RB && rb <= tables && tables - rb < (1ULL << 32);
	bool pcpu_ok = base_ok, place_ok = kind == OFFSETS_PLACE, abs_ok = kind == ADDRESSES;
	bool pcpu_neg = false;
	uint64_t prev_u = 0, first_place = 0, prev_place = 0;
	int64_t prev_s = 0;
	const unsigned char *p = NULL;
	size_t avail = 0;

	if (n == 0 || n > MAX_SYMS || addr < m->lo || addr > m->hi || (m->hi - addr) / size < n)
		return ENC_NONE;
	for (uint64_t i = 0; i < n && (base_ok || pcpu_ok || place_ok || abs_ok); i++) {
		uint64_t u;

		if (avail < size) {
			uint64_t left = (n - i) * size, want = left < 65536 ? left : 65536;

			if (get(m, addr + i * size, want, &p) < 0)
				return ENC_NONE;
			avail = want;
		}
		u = size == 4 ? k2e_get32(p, m->be) : k2e_get64(p, m->be);
		p += size;
		avail -= size;
		if (kind == ADDRESSES) {
			if (i == 0 ? u > tables : u < prev_u)
				abs_ok = false;
		} else if (kind == OFFSETS_PLACE) {
			uint64_t place = addr + 4 * i + (uint64_t)(int64_t)(int32_t)u;

			if (i == 0)
				first_place = place;
			else if (place < prev_place)
				place_ok = false;
			prev_place = place;
		} else {
			int32_t s = (int32_t)u;

			if (i == 0 ? u != 0 : u < prev_u)
				base_ok = false;
			if (s < 0) {
				/* The first relative symbol is relative_base itself: -1. */
				if (!pcpu_neg ? s != -1 : s > prev_s)
					pcpu_ok = false;
				pcpu_neg = true;
			} else if (pcpu_neg || (i > 0 && s < prev_s)) {
				pcpu_ok = false;
			}
			prev_s = s;
		}
		prev_u = u;
	}
	switch (kind) {
	case ADDRESSES:
		return abs_ok && prev_u >= tables ? ENC_ABSOLUTE : ENC_NONE;
	case OFFSETS_PLACE:
		if (place_ok && first_place <= tables && prev_place >= tables)
			return ENC_PLACE_RELATIVE;
		break;
	case OFFSETS_RB:
		if (base_ok && rb + prev_u >= tables)
			return ENC_BASE_RELATIVE;
		if (pcpu_ok && pcpu_neg && rb - 1 - (uint64_t)(int64_t)prev_s >= tables)
			return ENC_ABSOLUTE_PERCPU;
		break;
	}
	return ENC_NONE;
}

/* seqs_of_names at addr: n entries of w bytes (3: big-endian), a permutation of [0, n). */
static bool check_seqs(struct mem *m, uint64_t addr, uint64_t n, unsigned w)
{
	unsigned char *seen;
	bool ok = true;

	if (n == 0 || n > MAX_SYMS || addr < m->lo || (m->hi - addr) / w < n ||
	    !(seen = calloc(n / 8 + 1, 1)))
		return false;
	for (uint64_t i = 0; i < n && ok; i++) {
		uint64_t v;

		if (rd(m, addr + w * i, w, &v) < 0 || v >= n || seen[v / 8] & (1u << (v % 8)))
			ok = false;
		else
			seen[v / 8] |= (unsigned char)(1u << (v % 8));
	}
	free(seen);
	return ok;
}

/* seqs_of_names at the first word boundary from end (6.4+): its address, or 0. */
static uint64_t seqs_after(struct mem *m, uint64_t end, uint64_t n)
{
	uint64_t s = align_up(end, m->ws);

	if (!zeros(m, end, s - end))
		return 0;
	for (unsigned w = 3; w <= 4; w++)
		if (check_seqs(m, s, n, w))
			return s;
	return 0;
}

/*
 * 6.4+: token_index [offsets [relative_base] | addresses] seqs_of_names,
 * each at the next word boundary; with need_seqs only when seqs_of_names
 * is there too.
 */
static int after_index(struct mem *m, const struct found *f, bool need_seqs,
		       struct k2e_kallsyms_tables *t)
{
	uint64_t n = f->n, ws = m->ws, tables = f->names, o, r, rb, seqs;

	o = align_up(f->tok->index + 512, ws);
	if (o > m->hi || (m->hi - o) / 4 < n ||
	    !zeros(m, f->tok->index + 512, o - f->tok->index - 512))
		return -1;
	r = align_up(o + 4 * n, ws);
	if (zeros(m, o + 4 * n, r - o - 4 * n) && rd(m, r, (unsigned)ws, &rb) == 0 &&
	    check_addrs(m, o, n, OFFSETS_RB, rb, tables) != ENC_NONE &&
	    ((seqs = seqs_after(m, r + ws, n)) || !need_seqs)) {
		t->offsets = o;
		t->relative_base = r;
		t->seqs_of_names = seqs;
		return 0;
	}
	/* Absolute words before place-relative ints: these never pass as those. */
	if (check_addrs(m, o, n, ADDRESSES, 0, tables) != ENC_NONE &&
	    ((seqs = seqs_after(m, o + ws * n, n)) || !need_seqs)) {
		t->addresses = o;
		t->seqs_of_names = seqs;
		return 0;
	}
	if (check_addrs(m, o, n, OFFSETS_PLACE, 0, tables) != ENC_NONE &&
	    ((seqs = seqs_after(m, o + 4 * n, n)) || !need_seqs)) {
		t->offsets = o;
		t->seqs_of_names = seqs;
		return 0;
	}
	return -1;
}

/* Up to 6.3: [offsets relative_base | addresses] num_syms, each word-aligned. */
static int before_num_syms(struct mem *m, const struct found *f, struct k2e_kallsyms_tables *t)
{
	uint64_t n = f->n, a = f->num_syms, ws = m->ws, tables = f->names, o, rb;

	if (a % ws)
		return -1;
	if (a - m->lo >= ws + 4 * n && rd(m, a - ws, (unsigned)ws, &rb) == 0) {
		o = (a - ws - 4 * n) & ~(ws - 1);
		if (o >= m->lo && zeros(m, o + 4 * n, a - ws - o - 4 * n) &&
		    check_addrs(m, o, n, OFFSETS_RB, rb, tables) != ENC_NONE) {
			t->offsets = o;
			t->relative_base = a - ws;
			return 0;
		}
	}
	if (a - m->lo >= ws * n &&
	    check_addrs(m, a - ws * n, n, ADDRESSES, 0, tables) != ENC_NONE) {
		t->addresses = a - ws * n;
		return 0;
	}
	return -1;
}

/*
 * The address table, where the layout puts it: before num_syms when
 * seqs_of_names sits before the token table (6.2-6.3); else after the
 * token index with seqs_of_names after it (6.4+), before num_syms (up to
 * 6.1), or after the token index alone.
 */
static int find_addrs(struct mem *m, const struct found *f, struct k2e_kallsyms_tables *t,
		      struct why *why)
{
	if (f->seqs ? before_num_syms(m, f, t) == 0
		    : after_index(m, f, true, t) == 0 || before_num_syms(m, f, t) == 0 ||
		      after_index(m, f, false, t) == 0)
		return 0;
	snprintf(why->table, sizeof(why->table), "kallsyms_names at 0x%llx (%llu symbols): no "
		 "kallsyms_offsets or kallsyms_addresses before kallsyms_num_syms 0x%llx or after "
		 "kallsyms_token_index 0x%llx", ull(f->names), ull(f->n), ull(f->num_syms),
		 ull(f->tok->index));
	why->no_addrs = true;
	return -1;
}

/* ---- markers ---- */

/*
 * Names, num_syms and the address tables for markers at f->markers of
 * f->n_markers entries ending at end (its padding included), where the
 * token table or seqs_of_names begins.
 */
static int try_markers(struct mem *m, struct found *f, uint64_t end, struct k2e_kallsyms_tables *t,
		       struct why *why)
{
	uint64_t T = f->tok->table, k = f->n_markers;

	f->n_lo = 256 * (k - 1) + 1;
	f->n_hi = 256 * k;
	f->seqs = 0;
	/* Up to 6.1 and from 6.4: the token table follows the markers. */
	if (align_up(end, m->ws) == T && zeros(m, end, T - end) && find_names(m, f, why) == 0)
		goto names;
	/* 6.2-6.3: markers, seqs_of_names (n entries of 3 bytes, 4 in 6.2-rc), token table. */
	{
		uint64_t s = align_up(end, m->ws);

		if (s >= T || !zeros(m, end, s - end))
			return -1;
		for (unsigned w = 3; w <= 4; w++) {
			for (uint64_t pad = 0; pad < m->ws && pad < T - s; pad++) {
				uint64_t n = (T - s - pad) / w;

				if ((T - s - pad) % w || n < f->n_lo || n > f->n_hi ||
				    !zeros(m, s + w * n, pad))
					continue;
				f->n_lo = f->n_hi = n;
				if (find_names(m, f, why) == 0 && check_seqs(m, s, n, w)) {
					f->seqs = s;
					f->seq_w = w;
					goto names;
				}
				f->n_lo = 256 * (k - 1) + 1;
				f->n_hi = 256 * k;
			}
		}
	}
	return -1;
names:
	memset(t, 0, sizeof(*t));
	if (find_addrs(m, f, t, why) < 0)
		return -1;
	t->num_syms = f->num_syms;
	t->names = f->names;
	t->markers = f->markers;
	t->token_table = f->tok->table;
	t->token_index = f->tok->index;
	if (f->seqs)
		t->seqs_of_names = f->seqs;
	t->n_syms = f->n;
	return 0;
}

/*
 * The markers before the token table: going down from it, an array that
 * starts with 0 and rises by one group of names per entry; it ends at the
 * token table or at seqs_of_names.  Entries are ints, or longs (old kernels).
 */
static int derive(struct mem *m, const struct tokens *tok, struct k2e_kallsyms_tables *t,
		  struct why *why)
{
	uint64_t T = tok->table;
	uint64_t reach = (uint64_t)4 * MAX_SYMS + 8 * (MAX_MARKERS + 1) + 4 * MAX_PAD;
	uint64_t bottom = T - m->lo > reach ? T - reach : m->lo;
	struct found f = { .tok = tok };

	why->name_tries = why->name_scans = 0;
	why->table_spent = why->no_addrs = false;
	why->msg[0] = '\0';
	why->furthest = 0;
	for (uint64_t a = (T - 4) & ~3ULL; a >= bottom && a < T; a -= 4) {
		for (unsigned w = 4; w <= m->ws; w += 4) {
			uint64_t v, prev = 0, k;

			/*
			 * Every table is aligned to the word (ALGN): without it,
			 * the high half of a long marker 0 followed by one more
			 * long would read as an int array [0, m1].
			 */
			if (a % m->ws || rd(m, a, w, &v) < 0 || v != 0)
				continue;
			for (k = 1; k <= MAX_MARKERS && a + w * (k + 1) <= T; k++) {
				if (rd(m, a + w * k, w, &v) < 0 || v < prev + MIN_GROUP ||
				    v > prev + MAX_GROUP)
					break;
				prev = v;
			}
			/* The entry after the last may look like one more: try without it. */
			for (uint64_t kk = k; kk >= 1 && kk + 2 > k; kk--) {
				f.markers = a;
				f.n_markers = kk;
				f.mw = w;
				if (try_markers(m, &f, a + w * kk, t, why) == 0)
					return 0;
				if (why->exhausted || why->table_spent)
					goto out;
			}
		}
		if (a < 4)
			break;
	}
out:
	if (!why->no_addrs)
		snprintf(why->table, sizeof(why->table), "kallsyms_token_table at 0x%llx: no "
			 "kallsyms_markers, kallsyms_names and kallsyms_num_syms before it "
			 "fit it%s%s%s",
			 ull(T), why->msg[0] ? " (the closest: " : "", why->msg,
			 why->msg[0] ? ")" : "");
	return -1;
}

int k2e_kallsyms_locate(k2e_vread_fn read, void *arg, uint64_t lo, uint64_t hi, bool big_endian,
			unsigned word_size, struct k2e_kallsyms_tables *ret, struct k2e_err *err)
{
	struct mem m = { .read = read, .arg = arg, .lo = lo, .hi = hi, .be = big_endian,
			 .ws = word_size };
	struct why why = { .table = "" };
	struct k2e_kallsyms_tables t;
	unsigned tried = 0, index_tries = 0;
	int rc = -1;

	if ((word_size != 4 && word_size != 8) || hi <= lo)
		return k2e_err_set(err, "kallsyms search: bad arguments (word size %u, range "
				   "0x%llx-0x%llx)", word_size, ull(lo), ull(hi));
	for (int i = 0; i < N_SLOTS; i++)
		m.slots[i].base = UINT64_MAX;
	if (!(m.scratch = malloc(SCRATCH))) {
		k2e_err_set(err, "out of memory");
		goto out;
	}
	for (uint64_t base = lo & ~(uint64_t)(CHUNK - 1); base < hi; base += CHUNK) {
		struct slot *s = load(&m, base);

		if (!s) {
			k2e_err_set(err, "out of memory");
			goto out;
		}
		for (unsigned pg = 0; pg < CHUNK_PAGES; pg++) {
			uint64_t from = base + (uint64_t)pg * PAGE, to = from + PAGE;

			if (!s->valid[pg])
				continue;
			if (from < lo)
				from = align_up(lo, word_size);
			if (to > hi)
				to = hi;
			for (uint64_t a = from; a + 2 <= to; a += word_size) {
				const unsigned char *q = s->data + (a - base);
				struct tokens tok;

				if (q[0] | q[1])
					continue;
				/* Cheap: the next two offsets, when on this page. */
				if (a + 6 <= to) {
					unsigned i1 = k2e_get16(q + 2, m.be);
					unsigned i2 = k2e_get16(q + 4, m.be);

					if (i1 == 0 || i1 > MAX_TOKEN + 1 || i2 <= i1 ||
					    i2 - i1 > MAX_TOKEN + 1)
						continue;
				}
				int found = try_index(&m, a, &tok, &index_tries);

				/* Its reads may have pushed this chunk out of the cache. */
				if (!(s = load(&m, base))) {
					k2e_err_set(err, "out of memory");
					goto out;
				}
				if (found < 0) {
					if (index_tries <= MAX_INDEX_TRIES)
						continue;
					k2e_err_set(err, "kallsyms search: more than %d token "
						    "index candidates (the last at 0x%llx)",
						    MAX_INDEX_TRIES, ull(a));
					goto out;
				}
				if (derive(&m, &tok, &t, &why) == 0) {
					*ret = t;
					rc = 0;
					goto out;
				}
				if (why.exhausted) {
					k2e_err_set(err, "kallsyms search: gave up after %d "
						    "names walked (the last candidate: %s)",
						    MAX_WALK_STEPS, why.table);
					goto out;
				}
				if (++tried >= MAX_TOKEN_CANDIDATES)
					goto fail;
				/* The chunk may have left the cache. */
				if (!(s = load(&m, base))) {
					k2e_err_set(err, "out of memory");
					goto out;
				}
			}
		}
		if (base > UINT64_MAX - CHUNK)
			break;
	}
fail:
	if (why.table[0])
		k2e_err_set(err, "%s", why.table);
	else
		k2e_err_set(err, "no kallsyms token table in 0x%llx-0x%llx", ull(lo), ull(hi));
out:
	for (int i = 0; i < N_SLOTS; i++)
		free(m.slots[i].data);
	free(m.scratch);
	return rc;
}
