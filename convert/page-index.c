/* page-index.c - the pages of a core read on demand (see page-index.h). */
#include "convert/page-index.h"

#include <stdlib.h>
#include <string.h>

int k2e_page_index_init(struct k2e_page_index *ix, const struct k2e_layout *l,
			struct k2e_err *err)
{
	ix->l = l;
	ix->n = (l->data_end - l->data_start) >> l->page_shift;
	ix->ent = calloc(ix->n ? ix->n : 1, sizeof(*ix->ent));
	if (!ix->ent)
		return k2e_err_set(err, "out of memory for the page index (%llu pages)",
				   (unsigned long long)ix->n);
	for (uint64_t i = 0; i < ix->n; i++)
		ix->ent[i].kind = K2E_PAGE_LOST;
	return 0;
}

void k2e_page_index_release(struct k2e_page_index *ix)
{
	free(ix->ent);
	ix->ent = NULL;
	ix->n = 0;
}

struct k2e_page_ent *k2e_page_index_ent(const struct k2e_page_index *ix, uint64_t pfn)
{
	uint64_t off = k2e_layout_pfn_off(ix->l, pfn);

	if (off == UINT64_MAX)
		return NULL;
	return &ix->ent[(off - ix->l->data_start) >> ix->l->page_shift];
}

void k2e_page_index_set(struct k2e_page_index *ix, const struct k2e_page_ref *r, uint8_t kind)
{
	struct k2e_page_ent *e;

	if (!ix || !(e = k2e_page_index_ent(ix, r->pfn)))
		return;
	*e = (struct k2e_page_ent){
		.off = r->off, .size = r->size, .kind = kind, .codec = r->codec, .input = r->input,
	};
}

/* A cached page: slot i's bytes are at data + i * page_size. */
struct slot {
	uint64_t pfn;
	int32_t next;			/* in its hash chain, -1: end */
	bool used, ref;
};

/* A set of codec contexts, free for the next decoder. */
struct ctxset {
	struct k2e_codec_ctxs c;
	unsigned char *raw;		/* a stored page */
	struct ctxset *next;
};

struct k2e_page_reader {
	struct k2e_dump *d;
	const struct k2e_page_index *ix;
	uint32_t ps;
	pthread_mutex_t mu;
	struct slot *slots;
	unsigned char *data;
	int32_t *bucket;
	size_t n_slots, n_buckets, hand;
	struct ctxset *free_ctx;
	uint64_t decoded, hits;
};

int k2e_page_reader_new(struct k2e_dump *d, const struct k2e_page_index *ix, size_t cache_pages,
			struct k2e_page_reader **ret, struct k2e_err *err)
{
	struct k2e_page_reader *r = calloc(1, sizeof(*r));

	if (cache_pages < 16)
		cache_pages = 16;
	if (!r)
		return k2e_err_set(err, "out of memory");
	r->d = d;
	r->ix = ix;
	r->ps = d->page_size;
	r->n_slots = cache_pages;
	r->n_buckets = 1;
	while (r->n_buckets < 2 * cache_pages)
		r->n_buckets <<= 1;
	r->slots = calloc(r->n_slots, sizeof(*r->slots));
	r->bucket = malloc(r->n_buckets * sizeof(*r->bucket));
	r->data = malloc(r->n_slots * (size_t)r->ps);
	if (!r->slots || !r->bucket || !r->data) {
		free(r->slots);
		free(r->bucket);
		free(r->data);
		free(r);
		return k2e_err_set(err, "out of memory for a cache of %zu pages", cache_pages);
	}
	memset(r->bucket, 0xff, r->n_buckets * sizeof(*r->bucket));
	pthread_mutex_init(&r->mu, NULL);
	*ret = r;
	return 0;
}

void k2e_page_reader_free(struct k2e_page_reader *r)
{
	if (!r)
		return;
	while (r->free_ctx) {
		struct ctxset *c = r->free_ctx;

		r->free_ctx = c->next;
		k2e_codec_ctxs_release(&c->c);
		free(c->raw);
		free(c);
	}
	pthread_mutex_destroy(&r->mu);
	free(r->slots);
	free(r->bucket);
	free(r->data);
	free(r);
}

void k2e_page_reader_stats(struct k2e_page_reader *r, uint64_t *ret_decoded, uint64_t *ret_hits)
{
	pthread_mutex_lock(&r->mu);
	*ret_decoded = r->decoded;
	*ret_hits = r->hits;
	pthread_mutex_unlock(&r->mu);
}

static size_t hash(const struct k2e_page_reader *r, uint64_t pfn)
{
	return (size_t)((pfn * 0x9e3779b97f4a7c15ULL) >> 32) & (r->n_buckets - 1);
}

/* Caller holds mu. */
static int32_t lookup(const struct k2e_page_reader *r, uint64_t pfn)
{
	for (int32_t i = r->bucket[hash(r, pfn)]; i >= 0; i = r->slots[i].next)
		if (r->slots[i].pfn == pfn)
			return i;
	return -1;
}

/* Put a decoded page in the cache, in place of the first slot CLOCK finds.  Caller holds mu. */
static void insert(struct k2e_page_reader *r, uint64_t pfn, const void *page)
{
	struct slot *s;
	size_t i;

	if (lookup(r, pfn) >= 0)
		return;		/* another thread decoded it meanwhile */
	for (;;) {
		i = r->hand;
		r->hand = (r->hand + 1) % r->n_slots;
		if (!r->slots[i].used || !r->slots[i].ref)
			break;
		r->slots[i].ref = false;
	}
	s = &r->slots[i];
	if (s->used) {
		int32_t *pp = &r->bucket[hash(r, s->pfn)];

		while (*pp != (int32_t)i)
			pp = &r->slots[*pp].next;
		*pp = s->next;
	}
	s->pfn = pfn;
	s->used = true;
	s->ref = true;
	s->next = r->bucket[hash(r, pfn)];
	r->bucket[hash(r, pfn)] = (int32_t)i;
	memcpy(r->data + i * (size_t)r->ps, page, r->ps);
}

static struct ctxset *get_ctx(struct k2e_page_reader *r, struct k2e_err *err)
{
	struct ctxset *c;

	pthread_mutex_lock(&r->mu);
	c = r->free_ctx;
	if (c)
		r->free_ctx = c->next;
	pthread_mutex_unlock(&r->mu);
	if (c)
		return c;
	c = calloc(1, sizeof(*c));
	if (c && !(c->raw = malloc(r->ps))) {
		free(c);
		c = NULL;
	}
	if (!c) {
		k2e_err_set(err, "out of memory");
		return NULL;
	}
	k2e_codec_ctxs_init(&c->c);
	return c;
}

static void put_ctx(struct k2e_page_reader *r, struct ctxset *c)
{
	pthread_mutex_lock(&r->mu);
	c->next = r->free_ctx;
	r->free_ctx = c;
	pthread_mutex_unlock(&r->mu);
}

/* Decode pfn's page (entry e) into page. */
static int decode(struct k2e_page_reader *r, uint64_t pfn, const struct k2e_page_ent *e,
		  void *page, struct k2e_err *err)
{
	const struct k2e_input *in = &r->d->in[e->input];
	struct ctxset *c;
	size_t got;
	int rc = -1;

	if (e->size == 0 || e->size > r->ps)
		return k2e_err_set(err, "%s: pfn 0x%llx: page data at 0x%llx: bad size 0x%x", in->path,
				   (unsigned long long)pfn, (unsigned long long)e->off, e->size);
	if (!(c = get_ctx(r, err)))
		return -1;
	if (k2e_source_read(in->src, c->raw, e->size, e->off, &got, err) < 0) {
		k2e_err_prefix(err, "%s: pfn 0x%llx: page data at 0x%llx", in->path,
			       (unsigned long long)pfn, (unsigned long long)e->off);
	} else if (got < e->size) {
		k2e_err_set(err, "%s: pfn 0x%llx: page data at 0x%llx: past the end of the file",
			    in->path, (unsigned long long)pfn, (unsigned long long)e->off);
	} else if (k2e_codec_page(&c->c, e->codec, page, r->ps, c->raw, e->size, err) < 0) {
		k2e_err_prefix(err, "%s: pfn 0x%llx: page data at 0x%llx (size 0x%x): page data corrupt",
			       in->path, (unsigned long long)pfn, (unsigned long long)e->off,
			       e->size);
	} else {
		rc = 0;
	}
	put_ctx(r, c);
	return rc;
}

int k2e_page_reader_read(struct k2e_page_reader *r, uint64_t pfn, uint32_t in, void *buf,
			 size_t len, struct k2e_err *err)
{
	const struct k2e_page_ent *e = k2e_page_index_ent(r->ix, pfn);
	unsigned char *page;
	int32_t i;

	if (!e || e->kind == K2E_PAGE_LOST || in > r->ps || len > r->ps - in)
		return k2e_err_set(err, "pfn 0x%llx is not in the dump", (unsigned long long)pfn);
	if (e->kind == K2E_PAGE_ZERO) {
		memset(buf, 0, len);
		return 0;
	}
	pthread_mutex_lock(&r->mu);
	if ((i = lookup(r, pfn)) >= 0) {
		r->slots[i].ref = true;
		r->hits++;
		memcpy(buf, r->data + (size_t)i * r->ps + in, len);
		pthread_mutex_unlock(&r->mu);
		return 0;
	}
	pthread_mutex_unlock(&r->mu);
	if (in == 0 && len == r->ps) {
		page = buf;
	} else if (!(page = malloc(r->ps))) {
		return k2e_err_set(err, "out of memory");
	}
	if (decode(r, pfn, e, page, err) < 0) {
		if (page != buf)
			free(page);
		return -1;
	}
	pthread_mutex_lock(&r->mu);
	r->decoded++;
	insert(r, pfn, page);
	pthread_mutex_unlock(&r->mu);
	if (page != buf) {
		memcpy(buf, page + in, len);
		free(page);
	}
	return 0;
}
