/*
 * kdump-pages.c - the pages of a kdump-compressed dump, in pfn order: the
 * dumped pfns (2nd bitmap, as runs) walked against each piece's page_desc
 * table, read DESC_BATCH descriptors at a time.
 */
#include "formats/kdump-priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/endian.h"

struct k2e_page_iter {
	struct k2e_dump *d;
	struct kdump *k;
	size_t piece;
	size_t run;
	uint64_t pfn;			/* next pfn to yield */
	uint64_t idx;			/* its descriptor index in the piece */
	bool started;
	unsigned char batch[DESC_BATCH * PAGE_DESC_SIZE];
	uint64_t batch_first, batch_n;	/* descriptors [first, first+n) loaded */
	bool batch_valid;
	bool eof;			/* descriptors past this piece's end of file */
};

int k2e_kdump_iter_new(struct k2e_dump *d, struct k2e_page_iter **ret, struct k2e_err *err)
{
	struct k2e_page_iter *it = calloc(1, sizeof(*it));

	if (!it)
		return k2e_err_set(err, "out of memory");
	it->d = d;
	it->k = d->priv;
	*ret = it;
	return 0;
}

/* Position it->pfn at the next dumped pfn of the current piece; false at its end. */
static bool next_pfn(struct k2e_page_iter *it)
{
	const struct k2e_runs *r = &it->d->runs;
	const struct piece *p = &it->k->pieces[it->piece];

	if (!it->started) {
		it->started = true;
		it->pfn = p->start;
		it->run = 0;
	}
	while (it->run < r->n) {
		uint64_t s = r->v[it->run].start, e = s + r->v[it->run].count;

		if (it->pfn < s)
			it->pfn = s;
		if (it->pfn >= p->end)
			return false;
		if (it->pfn < e)
			return true;
		it->run++;
	}
	return false;
}

static int load_batch(struct k2e_page_iter *it, struct k2e_err *err)
{
	const struct piece *p = &it->k->pieces[it->piece];
	struct k2e_source *src = p->in->src;
	uint64_t n = p->n_pages - it->idx;
	size_t got;

	if (it->batch_valid)
		k2e_source_release(src, p->data_off + it->batch_first * PAGE_DESC_SIZE,
				   it->batch_n * PAGE_DESC_SIZE);
	if (n > DESC_BATCH)
		n = DESC_BATCH;
	if (k2e_source_read(src, it->batch, n * PAGE_DESC_SIZE,
			    p->data_off + it->idx * PAGE_DESC_SIZE, &got, err) < 0)
		return k2e_err_prefix(err, "%s: page descriptors", p->in->path);
	it->batch_first = it->idx;
	it->batch_n = got / PAGE_DESC_SIZE;
	it->batch_valid = true;
	if (it->batch_n < n)
		it->eof = true;
	return 0;
}

int k2e_kdump_iter_next(struct k2e_page_iter *it, struct k2e_page_ref *ret,
			   struct k2e_err *err)
{
	struct k2e_dump *d = it->d;
	struct kdump *k = it->k;
	const struct piece *p;
	const unsigned char *pd;
	uint64_t off;
	uint32_t size, flags;
	enum k2e_codec_id codec;

	for (;;) {
		if (it->piece >= k->n_pieces)
			return 0;
		if (next_pfn(it))
			break;
		if (it->batch_valid) {
			p = &k->pieces[it->piece];
			k2e_source_release(p->in->src, p->data_off + it->batch_first * PAGE_DESC_SIZE,
					   it->batch_n * PAGE_DESC_SIZE);
		}
		it->piece++;
		it->started = false;
		it->idx = 0;
		it->batch_valid = false;
		it->eof = false;
	}
	p = &k->pieces[it->piece];
	memset(ret, 0, sizeof(*ret));
	ret->pfn = it->pfn;
	ret->input = (uint16_t)p->in_index;
	ret->desc_off = p->data_off + it->idx * PAGE_DESC_SIZE;
	if (!it->eof && (!it->batch_valid || it->idx >= it->batch_first + it->batch_n)) {
		if (load_batch(it, err) < 0)
			return -1;
	}
	if (it->idx >= it->batch_first + it->batch_n) {
		/* Past the end of a stream: the rest of this run in one go. */
		const struct k2e_run *run = &d->runs.v[it->run];
		uint64_t end = run->start + run->count < p->end ? run->start + run->count : p->end;

		ret->kind = K2E_PAGE_LOST;
		ret->reason = K2E_LOST_DESC_EOF;
		ret->count = end - it->pfn;
		it->idx += ret->count;
		it->pfn += ret->count;
		return 1;
	} else {
		pd = it->batch + (it->idx - it->batch_first) * PAGE_DESC_SIZE;
		off = k2e_get64(pd, d->big_endian);
		size = k2e_get32(pd + 8, d->big_endian);
		flags = k2e_get32(pd + 12, d->big_endian);
		ret->off = off;
		ret->size = size;
		ret->flags = flags;
		if (off == 0) {
			ret->kind = K2E_PAGE_LOST;
			ret->reason = K2E_LOST_NOT_WRITTEN;
		} else if ((int64_t)off < 0) {
			ret->kind = K2E_PAGE_LOST;
			ret->reason = K2E_LOST_DATA_EOF;
		} else if (k2e_codec_from_desc_flags(flags, &codec) < 0) {
			ret->kind = K2E_PAGE_LOST;
			ret->reason = K2E_LOST_BAD_FLAGS;
		} else {
			ret->kind = K2E_PAGE_DATA;
			ret->codec = (uint8_t)codec;
		}
	}
	it->idx++;
	it->pfn++;
	return 1;
}

void k2e_kdump_iter_free(struct k2e_page_iter *it)
{
	free(it);
}

