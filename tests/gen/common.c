/* common.c - sets of pfns, byte order, page contents, codecs, notes, file
 * I/O and the expectation file of k2e-mkdump. */
#define _GNU_SOURCE
#include "mkdump.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

int err_set(struct err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fputs("k2e-mkdump: out of memory\n", stderr);
		exit(2);
	}
	return q;
}

/* ---- pfn sets ---- */

void rlist_add(struct rlist *l, uint64_t lo, uint64_t hi)
{
	if (lo >= hi)
		return;
	if (l->n && l->v[l->n - 1].hi >= lo && l->v[l->n - 1].lo <= lo) {
		if (hi > l->v[l->n - 1].hi)
			l->v[l->n - 1].hi = hi;
		return;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n].lo = lo;
	l->v[l->n].hi = hi;
	l->n++;
}

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

void rlist_normalize(struct rlist *l)
{
	size_t i, o = 0;

	if (!l->n)
		return;
	qsort(l->v, l->n, sizeof *l->v, range_cmp);
	for (i = 1; i < l->n; i++) {
		if (l->v[i].lo <= l->v[o].hi) {
			if (l->v[i].hi > l->v[o].hi)
				l->v[o].hi = l->v[i].hi;
		} else {
			l->v[++o] = l->v[i];
		}
	}
	l->n = o + 1;
}

void rlist_intersect(const struct rlist *a, const struct rlist *b,
		     struct rlist *ret)
{
	size_t i = 0, j = 0;

	while (i < a->n && j < b->n) {
		uint64_t lo = a->v[i].lo > b->v[j].lo ? a->v[i].lo : b->v[j].lo;
		uint64_t hi = a->v[i].hi < b->v[j].hi ? a->v[i].hi : b->v[j].hi;

		rlist_add(ret, lo, hi);
		if (a->v[i].hi < b->v[j].hi)
			i++;
		else
			j++;
	}
}

static size_t rlist_find(const struct rlist *l, uint64_t pfn)
{
	size_t lo = 0, hi = l->n;        /* first range with hi > pfn */

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->v[mid].hi > pfn)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int rlist_contains(const struct rlist *l, uint64_t pfn)
{
	size_t i = rlist_find(l, pfn);

	return i < l->n && l->v[i].lo <= pfn;
}

uint64_t rlist_count(const struct rlist *l)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < l->n; i++)
		n += l->v[i].hi - l->v[i].lo;
	return n;
}

uint64_t rlist_nth(const struct rlist *l, uint64_t k)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		uint64_t len = l->v[i].hi - l->v[i].lo;
		if (k < len)
			return l->v[i].lo + k;
		k -= len;
	}
	return UINT64_MAX;
}

uint64_t rlist_rank(const struct rlist *l, uint64_t pfn)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < l->n && l->v[i].lo < pfn; i++)
		n += (l->v[i].hi < pfn ? l->v[i].hi : pfn) - l->v[i].lo;
	return n;
}

void rlist_free(struct rlist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static void set_bits(unsigned char *buf, uint64_t a, uint64_t b)
{
	while (a < b && (a & 7))
		buf[a >> 3] |= 1u << (a & 7), a++;
	if (b - a >= 8 && a < b) {
		memset(buf + (a >> 3), 0xff, (b - a) >> 3);
		a += (b - a) & ~(uint64_t)7;
	}
	while (a < b)
		buf[a >> 3] |= 1u << (a & 7), a++;
}

void rlist_bitmap(const struct rlist *l, uint64_t first, uint64_t nbits,
		  unsigned char *buf, size_t *cursor)
{
	uint64_t end = first + nbits;
	size_t i = *cursor;

	memset(buf, 0, (size_t)(nbits + 7) / 8);
	while (i < l->n && l->v[i].hi <= first)
		i++;
	*cursor = i;
	for (; i < l->n && l->v[i].lo < end; i++) {
		uint64_t a = l->v[i].lo > first ? l->v[i].lo : first;
		uint64_t b = l->v[i].hi < end ? l->v[i].hi : end;
		set_bits(buf, a - first, b - first);
	}
}

/* ---- byte order ---- */

void put16(unsigned char *p, uint16_t v, int be)
{
	p[be ? 0 : 1] = (unsigned char)(v >> 8);
	p[be ? 1 : 0] = (unsigned char)v;
}

void put32(unsigned char *p, uint32_t v, int be)
{
	int i;

	for (i = 0; i < 4; i++)
		p[be ? 3 - i : i] = (unsigned char)(v >> (8 * i));
}

void put64(unsigned char *p, uint64_t v, int be)
{
	int i;

	for (i = 0; i < 8; i++)
		p[be ? 7 - i : i] = (unsigned char)(v >> (8 * i));
}

uint32_t get32(const unsigned char *p, int be)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++)
		v |= (uint32_t)p[be ? 3 - i : i] << (8 * i);
	return v;
}

uint64_t get64(const unsigned char *p, int be)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)p[be ? 7 - i : i] << (8 * i);
	return v;
}

int arch_be(enum arch a)
{
	return a == ARCH_PPC64;
}

int arch_is32(enum arch a)
{
	return a == ARCH_I386 || a == ARCH_ARM;
}

const char *arch_machine(enum arch a)
{
	static const char *const names[] = {
		[ARCH_X86_64] = "x86_64", [ARCH_I386] = "i686",
		[ARCH_ARM] = "armv7l", [ARCH_PPC64] = "ppc64",
		[ARCH_AARCH64] = "aarch64",
	};
	return names[a];
}

/* ---- page contents ---- */

uint64_t mix64(uint64_t x)
{
	/* splitmix64 finaliser */
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

struct xoshiro {
	uint64_t s[4];
};

static void xo_seed(struct xoshiro *x, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++) {
		seed = mix64(seed);
		x->s[i] = seed;
	}
}

static inline uint64_t rotl(uint64_t v, int k)
{
	return (v << k) | (v >> (64 - k));
}

static inline uint64_t xo_next(struct xoshiro *x)
{
	uint64_t *s = x->s;
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

enum kind page_kind(const struct spec *s, uint64_t pfn)
{
	unsigned total = s->mix[0] + s->mix[1] + s->mix[2];
	uint64_t h;

	if (s->kimage && kimage_page(s->kimage, pfn))
		return PAGE_TEXT;
	if (rlist_contains(&s->zero, pfn))
		return PAGE_ZERO;
	if (!total)
		return PAGE_TEXT;
	h = mix64(s->seed * 0x2545f4914f6cdd1dull ^ pfn) % total;
	if (h < s->mix[0])
		return PAGE_TEXT;
	if (h < s->mix[0] + s->mix[1])
		return PAGE_RANDOM;
	return PAGE_ZERO;
}

void page_fill(const struct spec *s, uint64_t pfn, unsigned char *buf)
{
	static const struct {
		const char *w;
		size_t len;
	} words[] = {
#define W(s) { s, sizeof(s) - 1 }
		W("kernel"), W("page"), W("struct"), W("task"), W("memory"),
		W("dump"), W("crash"), W("0x0000"), W("ffff888"), W("spin_lock"),
		W("mutex"), W("inode"), W("dentry"), W("kmalloc"), W("slab"),
		W("vmalloc"), W("irq"), W("sched"), W("rcu"), W("percpu"),
		W("NULL"), W("return"), W("list_head"), W("refcount"),
		W("atomic"), W("buffer"), W("\n"), W("\t"), W(" = "), W(";"),
		W("{"), W("}"), W("("), W(")"), W("0"), W("1"), W("-1"),
#undef W
	};
	enum { NWORDS = sizeof words / sizeof words[0] };
	size_t ps = s->page_size, n = 0, i;
	struct xoshiro x;
	const unsigned char *kp;

	if (s->kimage && (kp = kimage_page(s->kimage, pfn))) {
		memcpy(buf, kp, ps);
		return;
	}
	xo_seed(&x, s->seed ^ (pfn * 0x9e3779b97f4a7c15ull));
	switch (page_kind(s, pfn)) {
	case PAGE_ZERO:
		memset(buf, 0, ps);
		return;
	case PAGE_RANDOM:
		for (i = 0; i + 8 <= ps; i += 8) {
			uint64_t v = xo_next(&x);
			memcpy(buf + i, &v, 8);
		}
		return;
	case PAGE_TEXT:
		n = (size_t)snprintf((char *)buf, ps, "pfn %#llx seed %llu\n",
				     (unsigned long long)pfn,
				     (unsigned long long)s->seed);
		while (n < ps) {
			uint64_t r = xo_next(&x);
			int k;
			for (k = 0; k < 4 && n < ps; k++, r >>= 16) {
				const char *w = words[(r & 0xffff) % NWORDS].w;
				size_t len = words[(r & 0xffff) % NWORDS].len;
				if (len > ps - n)
					len = ps - n;
				memcpy(buf + n, w, len);
				n += len;
				if (n < ps && w[0] != '\n' && w[0] != '\t')
					buf[n++] = ' ';
			}
		}
		return;
	}
}

/* ---- codecs ---- */

struct codecs {
	z_stream def, inf;
	ZSTD_CCtx *zc;
	ZSTD_DCtx *zd;
	void *lzo_wrk;
	size_t page_size;
};

struct codecs *codecs_new(size_t page_size, struct err *e)
{
	struct codecs *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->page_size = page_size;
	if (deflateInit(&c->def, 1) != Z_OK || inflateInit(&c->inf) != Z_OK ||
	    lzo_init() != LZO_E_OK) {
		err_set(e, "cannot initialise zlib or lzo");
		free(c);
		return NULL;
	}
	c->zc = ZSTD_createCCtx();
	c->zd = ZSTD_createDCtx();
	c->lzo_wrk = malloc(LZO1X_1_MEM_COMPRESS);
	if (!c->zc || !c->zd || !c->lzo_wrk) {
		err_set(e, "cannot allocate codec state");
		codecs_free(c);
		return NULL;
	}
	return c;
}

void codecs_free(struct codecs *c)
{
	if (!c)
		return;
	deflateEnd(&c->def);
	inflateEnd(&c->inf);
	ZSTD_freeCCtx(c->zc);
	ZSTD_freeDCtx(c->zd);
	free(c->lzo_wrk);
	free(c);
}

uint32_t codec_flag(enum codec c)
{
	static const uint32_t flags[] = {
		[CODEC_RAW] = 0, [CODEC_ZLIB] = DH_ZLIB, [CODEC_LZO] = DH_LZO,
		[CODEC_SNAPPY] = DH_SNAPPY, [CODEC_ZSTD] = DH_ZSTD,
	};
	return flags[c];
}

size_t codec_bound(size_t ps)
{
	size_t b = compressBound(ps);

	if (ps + ps / 16 + 64 + 3 > b)
		b = ps + ps / 16 + 64 + 3;
	if (snappy_max_compressed_length(ps) > b)
		b = snappy_max_compressed_length(ps);
	if (ZSTD_compressBound(ps) > b)
		b = ZSTD_compressBound(ps);
	return b;
}

size_t codec_compress(struct codecs *c, enum codec codec, void *dst,
		      size_t dst_cap, const void *src, size_t src_len)
{
	size_t out = 0;

	switch (codec) {
	case CODEC_RAW:
		return 0;
	case CODEC_ZLIB:
		if (deflateReset(&c->def) != Z_OK)
			return 0;
		c->def.next_in = (unsigned char *)src;
		c->def.avail_in = (uInt)src_len;
		c->def.next_out = dst;
		c->def.avail_out = (uInt)dst_cap;
		if (deflate(&c->def, Z_FINISH) != Z_STREAM_END)
			return 0;
		out = dst_cap - c->def.avail_out;
		break;
	case CODEC_LZO: {
		lzo_uint n = dst_cap;
		if (lzo1x_1_compress(src, src_len, dst, &n, c->lzo_wrk) != LZO_E_OK)
			return 0;
		out = n;
		break;
	}
	case CODEC_SNAPPY: {
		size_t n = dst_cap;
		if (snappy_compress(src, src_len, dst, &n) != SNAPPY_OK)
			return 0;
		out = n;
		break;
	}
	case CODEC_ZSTD:
		out = ZSTD_compressCCtx(c->zc, dst, dst_cap, src, src_len, 1);
		if (ZSTD_isError(out))
			return 0;
		break;
	}
	return out < src_len ? out : 0;
}

int codec_decompress(struct codecs *c, uint32_t flags, void *dst,
		     size_t dst_cap, const void *src, size_t src_len)
{
	if (flags & DH_ZLIB) {
		if (inflateReset(&c->inf) != Z_OK)
			return -1;
		c->inf.next_in = (unsigned char *)src;
		c->inf.avail_in = (uInt)src_len;
		c->inf.next_out = dst;
		c->inf.avail_out = (uInt)dst_cap;
		/* strict: the stream ends exactly at the page and the input */
		if (inflate(&c->inf, Z_FINISH) != Z_STREAM_END)
			return -1;
		return c->inf.avail_out || c->inf.avail_in ? -1 : 0;
	}
	if (flags & DH_LZO) {
		lzo_uint n = dst_cap;
		if (lzo1x_decompress_safe(src, src_len, dst, &n, NULL) != LZO_E_OK)
			return -1;
		return n == dst_cap ? 0 : -1;
	}
	if (flags & DH_SNAPPY) {
		size_t n;
		if (snappy_uncompressed_length(src, src_len, &n) != SNAPPY_OK ||
		    n != dst_cap)
			return -1;
		if (snappy_uncompress(src, src_len, dst, &n) != SNAPPY_OK)
			return -1;
		return n == dst_cap ? 0 : -1;
	}
	if (flags & DH_ZSTD) {
		size_t n = ZSTD_decompressDCtx(c->zd, dst, dst_cap, src, src_len);
		return !ZSTD_isError(n) && n == dst_cap ? 0 : -1;
	}
	if (src_len != dst_cap)
		return -1;
	memcpy(dst, src, dst_cap);
	return 0;
}

/* ---- notes ---- */

char *vmcoreinfo_text(const struct spec *s)
{
	const char *extra = s->vmcoreinfo_extra ? s->vmcoreinfo_extra : "";
	const char *kern = s->kimage ? kimage_vmcoreinfo(s->kimage) : "";
	size_t cap = strlen(extra) + strlen(kern) + 256;
	char *t = xrealloc(NULL, cap);

	snprintf(t, cap, "OSRELEASE=%s\nPAGESIZE=%u\n%s%sCRASHTIME=%lld\n",
		 s->release, s->page_size, kern, extra, (long long)s->timestamp);
	return t;
}

/* elf_prstatus geometry per architecture (the kernel's
 * include/uapi/linux/elfcore.h with each arch's elf_gregset_t) */
struct prstatus_layout {
	size_t size, pid_off, reg_off, reg_size, nregs, pc_reg, sp_reg;
};

static const struct prstatus_layout prstatus_layouts[] = {
	[ARCH_X86_64] = { 336, 32, 112, 8, 27, 16, 19 },
	[ARCH_I386] = { 144, 24, 72, 4, 17, 12, 15 },
	[ARCH_ARM] = { 148, 24, 72, 4, 18, 15, 13 },
	[ARCH_PPC64] = { 504, 32, 112, 8, 48, 32, 1 },
	[ARCH_AARCH64] = { 392, 32, 112, 8, 34, 32, 31 },
};

size_t prstatus_fill(const struct spec *s, int cpu, unsigned char *pr)
{
	const struct prstatus_layout *L = &prstatus_layouts[s->arch];
	const uint64_t *kregs = s->kimage ? kimage_regs(s->kimage, cpu) : NULL;
	int be = arch_be(s->arch);
	size_t r;

	memset(pr, 0, 512);
	put32(pr + L->pid_off,
	      (uint32_t)(cpu < s->npids ? s->pids[cpu] : cpu + 1), be);
	for (r = 0; r < L->nregs; r++) {
		uint64_t v = 0x1000ull * (uint64_t)(cpu + 1) + r;
		if (r == L->pc_reg)
			v = 0xffffffff81000000ull + 0x40ull * (uint64_t)cpu;
		if (r == L->sp_reg)
			v = 0xffffc90000004000ull + 0x4000ull * (uint64_t)cpu;
		if (kregs)
			v = kregs[r];
		if (L->reg_size == 8)
			put64(pr + L->reg_off + 8 * r, v, be);
		else
			put32(pr + L->reg_off + 4 * r, (uint32_t)v, be);
	}
	return L->size;
}

static size_t note_put(unsigned char *p, const char *name, uint32_t type,
		       const void *desc, size_t descsz, int be)
{
	size_t namesz = strlen(name) + 1, o = 12;

	put32(p, (uint32_t)namesz, be);
	put32(p + 4, (uint32_t)descsz, be);
	put32(p + 8, type, be);
	memcpy(p + o, name, namesz);
	o += (namesz + 3) & ~(size_t)3;
	memcpy(p + o, desc, descsz);
	o += (descsz + 3) & ~(size_t)3;
	return o;
}

unsigned char *notes_build(const struct spec *s, size_t *ret_len,
			   size_t *ret_vmci_off, size_t *ret_vmci_len)
{
	const struct prstatus_layout *L = &prstatus_layouts[s->arch];
	int be = arch_be(s->arch);
	char *vmci = vmcoreinfo_text(s);
	size_t vlen = strlen(vmci);
	size_t cap = (size_t)s->cpus * (L->size + 24) + vlen + 64, o = 0;
	unsigned char *blob = calloc(1, cap);
	unsigned char pr[512];
	int cpu;

	if (!blob) {
		free(vmci);
		return NULL;
	}
	for (cpu = 0; cpu < s->cpus; cpu++) {
		prstatus_fill(s, cpu, pr);
		o += note_put(blob + o, "CORE", 1 /* NT_PRSTATUS */, pr,
			      L->size, be);
	}
	/* descriptor follows the 12-byte header and "VMCOREINFO\0" padded */
	*ret_vmci_off = o + 12 + 12;
	*ret_vmci_len = vlen;
	o += note_put(blob + o, "VMCOREINFO", 0, vmci, vlen, be);
	free(vmci);
	*ret_len = o;
	return blob;
}

/* ---- files ---- */

int write_at(int fd, const void *buf, size_t len, uint64_t off,
	     const char *path, struct err *e)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_set(e, "%s: write at %#llx: %s", path,
				       (unsigned long long)off, strerror(errno));
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got,
				  (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return (int)got;
}

/* ---- expectation ---- */

void expect_init(struct expect *x)
{
	memset(x, 0, sizeof *x);
	sha256_init(&x->sha);
}

void expect_page(struct expect *x, uint64_t pfn, const unsigned char *page,
		 size_t len)
{
	unsigned char le[8];
	size_t i;
	int zero = 1;

	put64(le, pfn, 0);
	sha256_update(&x->sha, le, 8);
	sha256_update(&x->sha, page, len);
	for (i = 0; i < len; i += 8) {
		uint64_t v;
		memcpy(&v, page + i, 8);
		if (v) {
			zero = 0;
			break;
		}
	}
	x->pages++;
	x->zero += zero;
}

void expect_lost(struct expect *x, uint64_t pfn)
{
	x->lost++;
	rlist_add(&x->lost_ranges, pfn, pfn + 1);
}

int expect_write(struct expect *x, const struct spec *s, const char *path,
		 struct err *e)
{
	unsigned char dig[SHA256_DIGEST_LEN];
	char hex[65];
	FILE *f = fopen(path, "w");
	size_t i;

	if (!f)
		return err_set(e, "%s: %s", path, strerror(errno));
	sha256_final(&x->sha, dig);
	sha256_hex(dig, hex);
	fprintf(f, "pages %llu\nzero %llu\ndigest %s\nlost %llu\nlost_ranges",
		(unsigned long long)x->pages, (unsigned long long)x->zero, hex,
		(unsigned long long)x->lost);
	if (!x->lost_ranges.n)
		fputs(" -", f);
	for (i = 0; i < x->lost_ranges.n; i++)
		fprintf(f, "%s %#llx-%#llx", i ? "," : "",
			(unsigned long long)x->lost_ranges.v[i].lo,
			(unsigned long long)x->lost_ranges.v[i].hi - 1);
	fprintf(f, "\ncpus %d\nrelease %s\nexpect_error %d\n", x->cpus,
		s->release, x->error);
	if (fclose(f))
		return err_set(e, "%s: %s", path, strerror(errno));
	return 0;
}

/* ---- buffered I/O ---- */

int wbuf_init(struct wbuf *w, int fd, const char *path, uint64_t off,
	      size_t cap, struct err *e)
{
	w->fd = fd;
	w->path = path;
	w->off = off;
	w->len = 0;
	w->cap = cap;
	w->buf = malloc(cap);
	return w->buf ? 0 : err_set(e, "out of memory");
}

int wbuf_flush(struct wbuf *w, struct err *e)
{
	if (w->len && write_at(w->fd, w->buf, w->len, w->off, w->path, e))
		return -1;
	w->off += w->len;
	w->len = 0;
	return 0;
}

int wbuf_put(struct wbuf *w, const void *p, size_t len, struct err *e)
{
	const unsigned char *q = p;

	while (len) {
		size_t n = w->cap - w->len;
		if (n > len)
			n = len;
		memcpy(w->buf + w->len, q, n);
		w->len += n;
		q += n;
		len -= n;
		if (w->len == w->cap && wbuf_flush(w, e))
			return -1;
	}
	return 0;
}

void wbuf_release(struct wbuf *w)
{
	free(w->buf);
	w->buf = NULL;
}

int rbuf_init(struct rbuf *r, int fd, const struct rlist *cov)
{
	off_t end = lseek(fd, 0, SEEK_END);

	memset(r, 0, sizeof *r);
	r->fd = fd;
	r->size = end < 0 ? 0 : (uint64_t)end;
	r->cov = cov;
	r->cap = 1 << 20;
	r->buf = malloc(r->cap);
	return r->buf ? 0 : -1;
}

int rbuf_has(const struct rbuf *r, uint64_t off, uint64_t len)
{
	size_t lo = 0, hi;

	if (off + len < off || off + len > r->size)
		return 0;
	if (!r->cov)
		return 1;
	hi = r->cov->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->cov->v[mid].hi > off)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < r->cov->n && r->cov->v[lo].lo <= off &&
	       r->cov->v[lo].hi >= off + len;
}

const unsigned char *rbuf_get(struct rbuf *r, uint64_t off, size_t len)
{
	if (!rbuf_has(r, off, len))
		return NULL;
	if (off < r->off || off + len > r->off + r->len) {
		if (len > r->cap) {
			unsigned char *b = realloc(r->buf, len);
			if (!b)
				return NULL;
			r->buf = b;
			r->cap = len;
		}
		r->off = off;
		r->len = (size_t)read_at(r->fd, r->buf, r->cap, off);
		if (r->len < len)
			return NULL;
	}
	return r->buf + (off - r->off);
}

void rbuf_release(struct rbuf *r)
{
	free(r->buf);
	r->buf = NULL;
}
