/*
 * pages.c - the page pipeline.
 *
 * Stages (one reader, N decoders, one writer):
 *   1. Reader: the calling thread walks the format's page iterator
 *      (descriptors only), groups up to batch_pages data pages into an input
 *      batch and reads their stored bytes, one read per run of contiguous
 *      bytes.  All input is read here, so a stream source never sees two
 *      threads.
 *   2. Decoders (--threads N): take an input batch, decode each page with
 *      per-thread codec contexts into an output buffer, drop all-zero pages
 *      (they stay holes) and note the runs of pages whose file offsets are
 *      adjacent as write spans; the input batch goes back to the reader.
 *   3. Writer: one thread pwrite()s each output buffer's spans at offsets
 *      fixed by the layout and starts their writeback at once (the core is
 *      fsync()ed before it is put in place).  Buffered writes to one file serialize on the
 *      inode lock anyway; with decoders writing, the loser spun in the
 *      kernel instead of decoding.  One writer keeps the decoders decoding.
 * Ordering: none is needed.  Every page's offset depends only on its pfn,
 * so batches finish in any order and the output is the same bytes for any
 * number of threads.
 * Back-pressure: fixed pools of N + 2 input batches (N being decoded, one
 * being read, one queued) and N + 2 output buffers (N being filled, one
 * being written, one queued).  The reader waits for a free input batch, a
 * decoder for a free output buffer, the writer for work; memory is bounded
 * by the pools, about 2 (N + 2) x BATCH_BYTES, never by the dump.
 * The shared zero page (one stored page that many descriptors point at) is
 * decoded once by the reader and remembered per input.
 */
#include "convert/pages.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert/page-index.h"
#include "lib/fileio.h"

enum { BATCH_BYTES = 256 << 10 };

/*
 * The queues between the stages: intrusive FIFOs of anything whose first
 * member is a struct link (batches, output buffers), always under mu.
 */
struct link {
	struct link *next;
};

struct fifo {
	struct link *head, *tail;
};

static void fifo_push(struct fifo *q, struct link *l)
{
	l->next = NULL;
	if (q->tail)
		q->tail->next = l;
	else
		q->head = l;
	q->tail = l;
}

static struct link *fifo_pop(struct fifo *q)
{
	struct link *l = q->head;

	if (l) {
		q->head = l->next;
		if (!q->head)
			q->tail = NULL;
		l->next = NULL;
	}
	return l;
}

struct batch {
	struct link link;		/* first: on the todo or free queue */
	bool in_flight;			/* queued or being decoded (under mu) */
	uint64_t first_pfn;		/* ref[0].pfn while in flight */
	size_t n;
	struct k2e_page_ref *ref;
	size_t *dat;			/* ref[i]'s stored bytes at buf + dat[i] */
	unsigned char *buf;
	size_t len;
};

struct span {
	uint64_t off;			/* in the output file */
	size_t start, len;		/* in the output buffer */
};

/* Decoded pages of one batch and where they go. */
struct obuf {
	struct link link;		/* first: on the write or free queue */
	unsigned char *data;
	struct span *span;
	size_t n_span;
};

struct zero_cache {
	bool valid;
	bool is_zero;
	uint16_t input;
	uint64_t off;
	uint32_t size;
	uint8_t codec;
	unsigned char *page;		/* decoded, when not zero */
};

struct pipeline {
	struct k2e_dump *d;
	const struct k2e_layout *l;
	int out_fd;
	size_t batch_pages;

	pthread_mutex_t mu;
	pthread_cond_t cv_todo, cv_free, cv_ofree, cv_write;
	struct fifo todo, free;		/* input batches: to decode, free */
	struct fifo write, ofree;	/* output buffers: to write, free */
	bool done;			/* the reader has queued its last batch */
	bool decoded;			/* every decoder has finished */
	bool failed;
	struct k2e_err fail;

	struct k2e_page_stats *st;	/* under mu */
	struct batch *batches;		/* the pool, to find the lowest pfn in flight */
	size_t n_batches;

	/*
	 * Lost pages, under mu.  Decoders find corrupt pages in whatever order
	 * their batches come, so events wait in pend until no page below them
	 * can still be reported (the watermark: the lowest pfn in flight or in
	 * the reader's hands), then are merged and described in pfn order: the
	 * messages are the same for any number of threads.
	 */
	struct lost_ev *pend;
	size_t n_pend, cap_pend, flush_at;
	bool have_last;			/* the last event described: */
	bool last_range;
	uint8_t last_reason;
	uint64_t last_end;		/* its end pfn (exclusive) */
};

/* Lost pages waiting to be described. */
struct lost_ev {
	struct k2e_page_ref ref;	/* the first page */
	uint64_t count;			/* pages ref.pfn .. ref.pfn + count - 1 */
	uint8_t reason;
	bool range;			/* a range found at open: a message of its own */
	char *detail;			/* owned, or NULL */
};

static bool page_is_zero(const unsigned char *p, size_t len)
{
	const uint64_t *w = (const uint64_t *)p;
	uint64_t acc = 0;

	for (size_t i = 0; i < len / 8; i += 8) {
		acc |= w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] | w[i + 5] | w[i + 6] | w[i + 7];
		if (acc)
			return false;
	}
	return true;
}

static const char *reason_text(uint8_t reason)
{
	switch (reason) {
	case K2E_LOST_DESC_EOF: return "page descriptor past end of file";
	case K2E_LOST_NOT_WRITTEN: return "page not written (descriptor offset 0, incomplete dump)";
	case K2E_LOST_BAD_FLAGS: return "page descriptor has unknown flags";
	case K2E_LOST_DATA_EOF: return "page data past end of file";
	case K2E_LOST_BAD_SIZE: return "page descriptor has a bad size";
	case K2E_LOST_CORRUPT: return "page data corrupt";
	default: return "page lost";
	}
}

/* Describe one event (a first page and its run) in st->lost_msgs. */
static void describe(struct pipeline *p, const struct lost_ev *e)
{
	struct k2e_page_stats *st = p->st;
	const struct k2e_page_ref *r = &e->ref;
	char msg[K2E_ERR_MSG_MAX + 256];
	const char *path = p->d->in[r->input].path;

	if (e->range) {
		snprintf(msg, sizeof(msg), "%s: pfns 0x%llx-0x%llx: %s at 0x%llx: past the end of the file (0x%llx bytes)",
			 path, (unsigned long long)r->pfn, (unsigned long long)(r->pfn + e->count - 1),
			 e->reason == K2E_LOST_DESC_EOF ? "page descriptors" : "page data",
			 (unsigned long long)r->off,
			 (unsigned long long)k2e_source_size(p->d->in[r->input].src));
	} else {
		switch (e->reason) {
		case K2E_LOST_DESC_EOF:
			snprintf(msg, sizeof(msg), "%s: pfn 0x%llx: %s (descriptor at 0x%llx)", path,
				 (unsigned long long)r->pfn, reason_text(e->reason),
				 (unsigned long long)r->desc_off);
			break;
		case K2E_LOST_BAD_FLAGS:
			snprintf(msg, sizeof(msg), "%s: pfn 0x%llx: page descriptor at 0x%llx: unknown flags 0x%x",
				 path, (unsigned long long)r->pfn, (unsigned long long)r->desc_off,
				 r->flags);
			break;
		case K2E_LOST_NOT_WRITTEN:
			snprintf(msg, sizeof(msg), "%s: pfn 0x%llx: page descriptor at 0x%llx: %s", path,
				 (unsigned long long)r->pfn, (unsigned long long)r->desc_off,
				 reason_text(e->reason));
			break;
		default:
			if (r->desc_off)
				snprintf(msg, sizeof(msg), "%s: pfn 0x%llx: page data at 0x%llx (size 0x%x, descriptor at 0x%llx): %s",
					 path, (unsigned long long)r->pfn, (unsigned long long)r->off,
					 r->size, (unsigned long long)r->desc_off,
					 e->detail ? e->detail : reason_text(e->reason));
			else
				snprintf(msg, sizeof(msg), "%s: pfn 0x%llx: page data at 0x%llx: %s", path,
					 (unsigned long long)r->pfn, (unsigned long long)r->off,
					 e->detail ? e->detail : reason_text(e->reason));
			break;
		}
	}
	st->lost_msgs[st->n_lost_msgs] = strdup(msg);
	if (st->lost_msgs[st->n_lost_msgs])
		st->n_lost_msgs++;
}

static int ev_cmp(const void *a, const void *b)
{
	const struct lost_ev *x = a, *y = b;

	return x->ref.pfn < y->ref.pfn ? -1 : x->ref.pfn > y->ref.pfn;
}

/*
 * Describe, in pfn order, the waiting events below pfn w: nothing below w
 * can be reported any more.  Consecutive pages lost for the same reason are
 * one event; a range found at open is always one of its own.  Caller holds mu.
 */
static void flush_lost(struct pipeline *p, uint64_t w)
{
	struct k2e_page_stats *st = p->st;
	size_t i;

	if (p->n_pend > 1)
		qsort(p->pend, p->n_pend, sizeof(*p->pend), ev_cmp);
	for (i = 0; i < p->n_pend && p->pend[i].ref.pfn < w; i++) {
		struct lost_ev *e = &p->pend[i];

		if (p->have_last && !e->range && !p->last_range && e->ref.pfn == p->last_end &&
		    e->reason == p->last_reason) {
			p->last_end += e->count;
		} else {
			p->have_last = true;
			p->last_range = e->range;
			p->last_reason = e->reason;
			p->last_end = e->ref.pfn + e->count;
			st->n_lost_events++;
			if (st->n_lost_msgs < K2E_MAX_LOST_MSGS)
				describe(p, e);
		}
		free(e->detail);
	}
	if (i && i < p->n_pend)
		memmove(p->pend, p->pend + i, (p->n_pend - i) * sizeof(*p->pend));
	p->n_pend -= i;
	p->flush_at = 2 * p->n_pend > 64 ? 2 * p->n_pend : 64;
}

/* The lowest first pfn of the batches being decoded, or UINT64_MAX.  Caller holds mu. */
static uint64_t in_flight_low(const struct pipeline *p)
{
	uint64_t w = UINT64_MAX;

	for (size_t i = 0; i < p->n_batches; i++)
		if (p->batches[i].in_flight && p->batches[i].first_pfn < w)
			w = p->batches[i].first_pfn;
	return w;
}

/*
 * Record count lost pages from r->pfn on; caller holds mu.  detail may be
 * NULL.  The counts are final at once; the description waits (see above).
 */
static void lost_locked(struct pipeline *p, const struct k2e_page_ref *r, uint64_t count,
			uint8_t reason, const char *detail, bool range)
{
	struct k2e_page_stats *st = p->st;
	struct k2e_err ignore;
	struct lost_ev *e;

	if (count == 0)
		count = 1;
	st->lost += count;
	(void)k2e_runs_append(&st->lost_runs, r->pfn, count, &ignore);
	if (!range && p->n_pend) {
		e = &p->pend[p->n_pend - 1];
		if (!e->range && e->reason == reason && e->ref.pfn + e->count == r->pfn) {
			e->count += count;	/* the same event: its first page is described */
			return;
		}
	}
	if (p->n_pend == p->cap_pend) {
		size_t cap = p->cap_pend ? 2 * p->cap_pend : 64;
		struct lost_ev *v = realloc(p->pend, cap * sizeof(*v));

		if (!v) {
			/* Counted, not described: describe what waits, in order, and this one too. */
			flush_lost(p, UINT64_MAX);
			return;
		}
		p->pend = v;
		p->cap_pend = cap;
	}
	e = &p->pend[p->n_pend++];
	*e = (struct lost_ev){ .ref = *r, .count = count, .reason = reason, .range = range };
	if (detail && st->n_lost_msgs < K2E_MAX_LOST_MSGS)
		e->detail = strdup(detail);
}

/* From a decoder. */
static void lost(struct pipeline *p, const struct k2e_page_ref *r, uint8_t reason,
		 const char *detail)
{
	pthread_mutex_lock(&p->mu);
	lost_locked(p, r, 1, reason, detail, false);
	pthread_mutex_unlock(&p->mu);
}

/*
 * From the reader, which will report nothing below low any more: events
 * below that and below what is in flight can be described.
 */
static void reader_lost(struct pipeline *p, const struct k2e_page_ref *r, uint64_t count,
			uint8_t reason, const char *detail, bool range, uint64_t low)
{
	pthread_mutex_lock(&p->mu);
	lost_locked(p, r, count, reason, detail, range);
	if (p->n_pend >= p->flush_at) {
		uint64_t w = in_flight_low(p);

		flush_lost(p, w < low ? w : low);
	}
	pthread_mutex_unlock(&p->mu);
}

static void fail(struct pipeline *p, const struct k2e_err *err)
{
	pthread_mutex_lock(&p->mu);
	if (!p->failed) {
		p->failed = true;
		p->fail = *err;
	}
	pthread_cond_broadcast(&p->cv_free);
	pthread_cond_broadcast(&p->cv_todo);
	pthread_cond_broadcast(&p->cv_ofree);
	pthread_cond_broadcast(&p->cv_write);
	pthread_mutex_unlock(&p->mu);
}

struct worker {
	struct pipeline *p;
	pthread_t tid;
	struct k2e_codec_ctxs ctxs;
	uint64_t written, zero;
};

/* Decode batch b into output buffer o, recording its write spans. */
static void decode_batch(struct worker *w, struct batch *b, struct obuf *o)
{
	struct pipeline *p = w->p;
	uint32_t ps = p->l->page_size;
	struct span *cur = NULL;
	size_t j = 0, run = SIZE_MAX;

	o->n_span = 0;
	for (size_t i = 0; i < b->n; i++) {
		struct k2e_page_ref *r = &b->ref[i];
		unsigned char *dst = o->data + j * ps;
		struct k2e_err perr;
		uint64_t off;

		if (r->kind != K2E_PAGE_DATA)
			continue;
		if (k2e_codec_page(&w->ctxs, r->codec, dst, ps, b->buf + b->dat[i], r->size,
				   &perr) < 0) {
			lost(p, r, K2E_LOST_CORRUPT, perr.msg);
			continue;
		}
		if (page_is_zero(dst, ps)) {
			w->zero++;
			continue;
		}
		if (run == SIZE_MAX)
			off = k2e_layout_pfn_off_find(p->l, r->pfn, &run);
		else
			off = k2e_layout_pfn_off_seq(p->l, r->pfn, &run);
		if (!cur || off != cur->off + cur->len || j * ps != cur->start + cur->len) {
			cur = &o->span[o->n_span++];
			cur->off = off;
			cur->start = j * ps;
			cur->len = 0;
		}
		cur->len += ps;
		w->written++;
		j++;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pipeline *p = w->p;

	for (;;) {
		struct batch *b;
		struct obuf *o;

		pthread_mutex_lock(&p->mu);
		while (!p->todo.head && !p->done && !p->failed)
			pthread_cond_wait(&p->cv_todo, &p->mu);
		if (p->failed || (!p->todo.head && p->done)) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		b = (struct batch *)fifo_pop(&p->todo);
		while (!p->ofree.head && !p->failed)
			pthread_cond_wait(&p->cv_ofree, &p->mu);
		o = (struct obuf *)fifo_pop(&p->ofree);
		pthread_mutex_unlock(&p->mu);

		if (o)
			decode_batch(w, b, o);

		pthread_mutex_lock(&p->mu);
		b->n = 0;
		b->len = 0;
		b->in_flight = false;
		fifo_push(&p->free, &b->link);
		pthread_cond_signal(&p->cv_free);
		if (o) {
			fifo_push(&p->write, &o->link);
			pthread_cond_signal(&p->cv_write);
		}
		pthread_mutex_unlock(&p->mu);
	}
}

/* The one thread that writes page data (see the top of the file). */
static void *writer_main(void *arg)
{
	struct pipeline *p = arg;

	for (;;) {
		struct obuf *o;
		struct k2e_err err;
		uint64_t lo = UINT64_MAX, hi = 0;
		int rc = 0;

		pthread_mutex_lock(&p->mu);
		while (!p->write.head && !p->decoded && !p->failed)
			pthread_cond_wait(&p->cv_write, &p->mu);
		if (p->failed || !p->write.head) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		o = (struct obuf *)fifo_pop(&p->write);
		pthread_mutex_unlock(&p->mu);

		for (size_t i = 0; i < o->n_span && rc == 0; i++) {
			rc = k2e_pwrite_all(p->out_fd, o->data + o->span[i].start, o->span[i].len,
					    o->span[i].off, &err);
			if (o->span[i].off < lo)
				lo = o->span[i].off;
			if (o->span[i].off + o->span[i].len > hi)
				hi = o->span[i].off + o->span[i].len;
		}
		/*
		 * Start writeback now so the fsync() before the rename finds little
		 * left: one call for the whole buffer (holes cost nothing); one per
		 * span (often a page between zero pages) left the fsync() 40 ms.
		 */
		if (rc == 0 && lo < hi)
			(void)sync_file_range(p->out_fd, (off_t)lo, (off_t)(hi - lo),
					      SYNC_FILE_RANGE_WRITE);
		if (rc < 0)
			fail(p, &err);

		pthread_mutex_lock(&p->mu);
		fifo_push(&p->ofree, &o->link);
		pthread_cond_signal(&p->cv_ofree);
		pthread_mutex_unlock(&p->mu);
	}
}

static struct batch *get_free(struct pipeline *p)
{
	struct batch *b = NULL;

	pthread_mutex_lock(&p->mu);
	while (!p->free.head && !p->failed)
		pthread_cond_wait(&p->cv_free, &p->mu);
	if (!p->failed)
		b = (struct batch *)fifo_pop(&p->free);
	pthread_mutex_unlock(&p->mu);
	return b;
}

static void push_todo(struct pipeline *p, struct batch *b)
{
	pthread_mutex_lock(&p->mu);
	b->in_flight = true;
	b->first_pfn = b->ref[0].pfn;
	fifo_push(&p->todo, &b->link);
	pthread_cond_signal(&p->cv_todo);
	/* The reader's next pages come after this batch's last. */
	if (p->n_pend) {
		uint64_t w = in_flight_low(p), low = b->ref[b->n - 1].pfn + 1;

		flush_lost(p, w < low ? w : low);
	}
	pthread_mutex_unlock(&p->mu);
}

/* Read the stored bytes of the batch's data pages, one read per contiguous run. */
static int fill_batch(struct pipeline *p, struct batch *b, struct k2e_err *err)
{
	size_t i = 0;

	b->len = 0;
	while (i < b->n) {
		struct k2e_page_ref *r = &b->ref[i];
		struct k2e_source *src;
		size_t k = i + 1, total = r->size, got;

		if (r->kind != K2E_PAGE_DATA) {
			i++;
			continue;
		}
		while (k < b->n && b->ref[k].kind == K2E_PAGE_DATA && b->ref[k].input == r->input &&
		       b->ref[k].off == b->ref[k - 1].off + b->ref[k - 1].size) {
			total += b->ref[k].size;
			k++;
		}
		src = p->d->in[r->input].src;
		if (k2e_source_read(src, b->buf + b->len, total, r->off, &got, err) < 0)
			return k2e_err_prefix(err, "%s: pfn 0x%llx: page data at 0x%llx",
					      p->d->in[r->input].path, (unsigned long long)r->pfn,
					      (unsigned long long)r->off);
		k2e_source_release(src, r->off, total);
		p->st->bytes_read += got;
		for (size_t m = i, pos = 0; m < k; m++) {
			b->dat[m] = b->len + pos;
			if (pos + b->ref[m].size > got) {
				b->ref[m].kind = K2E_PAGE_LOST;
				reader_lost(p, &b->ref[m], 1, K2E_LOST_DATA_EOF, NULL, false,
					    b->ref[0].pfn);
			}
			pos += b->ref[m].size;
		}
		b->len += total;
		i = k;
	}
	return 0;
}

/* Decode the shared zero page candidate now, once per input. */
static int check_zero_candidate(struct pipeline *p, struct k2e_codec_ctxs *ctxs,
				struct zero_cache *zc, const struct k2e_page_ref *r, uint64_t low,
				struct k2e_err *err)
{
	struct k2e_source *src = p->d->in[r->input].src;
	uint32_t ps = p->l->page_size;
	unsigned char *raw = malloc(r->size);
	struct k2e_err perr;
	size_t got;

	if (!raw || (!zc->page && !(zc->page = malloc(ps)))) {
		free(raw);
		return k2e_err_set(err, "out of memory");
	}
	zc->valid = false;
	if (k2e_source_read(src, raw, r->size, r->off, &got, err) < 0) {
		free(raw);
		return k2e_err_prefix(err, "%s: pfn 0x%llx: page data at 0x%llx",
				      p->d->in[r->input].path, (unsigned long long)r->pfn,
				      (unsigned long long)r->off);
	}
	p->st->bytes_read += got;
	if (got < r->size) {
		free(raw);
		return 1;	/* caller marks it lost */
	}
	if (k2e_codec_page(ctxs, r->codec, zc->page, ps, raw, r->size, &perr) < 0) {
		free(raw);
		reader_lost(p, r, 1, K2E_LOST_CORRUPT, perr.msg, false, low);
		return 2;
	}
	free(raw);
	zc->valid = true;
	zc->is_zero = page_is_zero(zc->page, ps);
	zc->input = r->input;
	zc->off = r->off;
	zc->size = r->size;
	zc->codec = r->codec;
	return 0;
}

/* A range the format found lost at open; b: the batch the reader fills, or NULL. */
static void report_range(struct pipeline *p, const struct k2e_lost_range *lr,
			 const struct batch *b)
{
	struct k2e_page_ref r = {
		.pfn = lr->pfn, .off = lr->off, .kind = K2E_PAGE_LOST, .reason = lr->reason,
		.input = lr->input,
	};

	reader_lost(p, &r, lr->count, lr->reason, NULL, true,
		    b && b->n && b->ref[0].pfn < lr->pfn ? b->ref[0].pfn : lr->pfn);
}

static int produce(struct pipeline *p, const struct k2e_pages_opts *opts, struct k2e_err *err)
{
	struct k2e_dump *d = p->d;
	struct k2e_page_iter *it;
	struct k2e_codec_ctxs ctxs;
	struct zero_cache zc = { 0 };
	struct batch *b = NULL;
	struct k2e_page_ref r;
	uint64_t seen = 0;
	size_t li = 0;			/* next of d->lost */
	int rc = -1, more;

	k2e_codec_ctxs_init(&ctxs);
	if (d->fmt->iter_new(d, &it, err) < 0)
		return -1;
	while ((more = d->fmt->iter_next(it, &r, err)) == 1) {
		const struct k2e_codec *c;
		uint64_t low;

		/* Ranges lost at open come in pfn order with the rest. */
		while (li < d->n_lost && d->lost[li].pfn < r.pfn)
			report_range(p, &d->lost[li++], b);
		low = b && b->n ? b->ref[0].pfn : r.pfn;
		seen++;
		if (opts->progress && (seen & 4095) == 0)
			opts->progress(opts->progress_arg, seen, d->n_dumped);
		if (r.kind == K2E_PAGE_LOST) {
			reader_lost(p, &r, r.count, r.reason, NULL, false, low);
			continue;
		}
		if (r.kind == K2E_PAGE_ZERO) {
			p->st->zero++;
			k2e_page_index_set(opts->index, &r, K2E_PAGE_ZERO);
			continue;
		}
		c = k2e_codec_get(r.codec);
		if (!c->built) {
			k2e_err_set(err, "%s: pfn 0x%llx: page descriptor at 0x%llx: %s support not built",
				    d->in[r.input].path, (unsigned long long)r.pfn,
				    (unsigned long long)r.desc_off, c->name);
			goto out;
		}
		p->st->codecs_seen |= 1u << r.codec;
		if (r.size == 0 || r.size > d->page_size ||
		    (r.codec == K2E_CODEC_RAW && r.size != d->page_size)) {
			reader_lost(p, &r, 1, K2E_LOST_BAD_SIZE, NULL, false, low);
			continue;
		}
		if (zc.valid && zc.input == r.input && zc.off == r.off && zc.size == r.size &&
		    zc.codec == r.codec) {
			if (zc.is_zero) {
				p->st->zero++;
				k2e_page_index_set(opts->index, &r, K2E_PAGE_ZERO);
				continue;
			}
		} else if (r.off == d->zero_off) {
			int z = check_zero_candidate(p, &ctxs, &zc, &r, low, err);

			if (z < 0)
				goto out;
			if (z == 1) {
				reader_lost(p, &r, 1, K2E_LOST_DATA_EOF, NULL, false, low);
				continue;
			}
			if (z == 2)
				continue;
			if (zc.is_zero) {
				p->st->zero++;
				k2e_page_index_set(opts->index, &r, K2E_PAGE_ZERO);
				continue;
			}
		}
		if (opts->index) {
			/* What a short read tells the converter, the file's size tells here. */
			if (r.off + r.size > k2e_source_size(d->in[r.input].src)) {
				reader_lost(p, &r, 1, K2E_LOST_DATA_EOF, NULL, false, low);
				continue;
			}
			k2e_page_index_set(opts->index, &r, K2E_PAGE_DATA);
			p->st->written++;
			continue;
		}
		if (zc.valid && !zc.is_zero && zc.input == r.input && zc.off == r.off) {
			/* A repeated non-zero stored page: write the decoded copy now. */
			uint64_t off = k2e_layout_pfn_off(p->l, r.pfn);

			if (k2e_pwrite_all(p->out_fd, zc.page, d->page_size, off, err) < 0)
				goto out;
			pthread_mutex_lock(&p->mu);
			p->st->written++;
			pthread_mutex_unlock(&p->mu);
			continue;
		}
		if (!b && !(b = get_free(p)))
			goto out;
		b->ref[b->n++] = r;
		if (b->n == p->batch_pages) {
			if (fill_batch(p, b, err) < 0)
				goto out;
			push_todo(p, b);
			b = NULL;
		}
	}
	if (more < 0)
		goto out;
	while (li < d->n_lost)
		report_range(p, &d->lost[li++], b);
	if (b && b->n) {
		if (fill_batch(p, b, err) < 0)
			goto out;
		push_todo(p, b);
		b = NULL;
	}
	if (opts->progress)
		opts->progress(opts->progress_arg, seen, d->n_dumped);
	rc = 0;
out:
	if (b) {
		pthread_mutex_lock(&p->mu);
		b->n = 0;
		fifo_push(&p->free, &b->link);
		pthread_mutex_unlock(&p->mu);
	}
	free(zc.page);
	k2e_codec_ctxs_release(&ctxs);
	d->fmt->iter_free(it);
	return rc;
}

void k2e_page_stats_init(struct k2e_page_stats *st)
{
	memset(st, 0, sizeof(*st));
	k2e_runs_init(&st->lost_runs);
}

void k2e_page_stats_release(struct k2e_page_stats *st)
{
	for (size_t i = 0; i < st->n_lost_msgs; i++)
		free(st->lost_msgs[i]);
	k2e_runs_release(&st->lost_runs);
	memset(st, 0, sizeof(*st));
}

int k2e_pages_convert(struct k2e_dump *d, const struct k2e_layout *l, int out_fd,
		      const struct k2e_pages_opts *opts, struct k2e_page_stats *st,
		      struct k2e_err *err)
{
	unsigned nthreads = opts->threads ? opts->threads : 1;
	size_t nbatch = (size_t)nthreads + 2, nobuf = (size_t)nthreads + 2;
	struct pipeline p = {
		.d = d, .l = l, .out_fd = out_fd, .st = st,
	};
	struct worker *workers = calloc(nthreads, sizeof(*workers));
	struct batch *batches = calloc(nbatch, sizeof(*batches));
	struct obuf *obufs = calloc(nobuf, sizeof(*obufs));
	pthread_t writer;
	bool writer_started = false;
	unsigned started = 0;
	int rc = -1;

	p.batch_pages = BATCH_BYTES / d->page_size ? BATCH_BYTES / d->page_size : 1;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv_todo, NULL);
	pthread_cond_init(&p.cv_free, NULL);
	pthread_cond_init(&p.cv_ofree, NULL);
	pthread_cond_init(&p.cv_write, NULL);
	if (!workers || !batches || !obufs) {
		k2e_err_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nbatch; i++) {
		struct batch *b = &batches[i];

		b->ref = calloc(p.batch_pages, sizeof(*b->ref));
		b->dat = calloc(p.batch_pages, sizeof(*b->dat));
		b->buf = malloc(p.batch_pages * d->page_size);
		if (!b->ref || !b->dat || !b->buf) {
			k2e_err_set(err, "out of memory");
			goto out;
		}
		fifo_push(&p.free, &b->link);
	}
	for (size_t i = 0; i < nobuf; i++) {
		struct obuf *o = &obufs[i];

		o->data = malloc(p.batch_pages * d->page_size);
		o->span = calloc(p.batch_pages, sizeof(*o->span));
		if (!o->data || !o->span) {
			k2e_err_set(err, "out of memory");
			goto out;
		}
		fifo_push(&p.ofree, &o->link);
	}
	st->dumped = d->n_dumped + d->n_lost_pages;
	p.batches = batches;
	p.n_batches = nbatch;
	p.flush_at = 64;
	if (pthread_create(&writer, NULL, writer_main, &p) != 0) {
		k2e_err_set(err, "cannot start a thread");
		goto out;
	}
	writer_started = true;
	for (unsigned i = 0; i < nthreads; i++) {
		struct worker *w = &workers[i];

		w->p = &p;
		k2e_codec_ctxs_init(&w->ctxs);
		if (pthread_create(&w->tid, NULL, worker_main, w) != 0) {
			k2e_err_set(err, "cannot start a thread");
			goto join;
		}
		started++;
	}
	rc = produce(&p, opts, err);
join:
	pthread_mutex_lock(&p.mu);
	p.done = true;
	if (rc < 0 && !p.failed)
		p.failed = true;	/* stop the threads early */
	pthread_cond_broadcast(&p.cv_todo);
	pthread_cond_broadcast(&p.cv_ofree);
	pthread_mutex_unlock(&p.mu);
	for (unsigned i = 0; i < started; i++)
		pthread_join(workers[i].tid, NULL);
	pthread_mutex_lock(&p.mu);
	p.decoded = true;
	pthread_cond_broadcast(&p.cv_write);
	pthread_mutex_unlock(&p.mu);
	pthread_join(writer, NULL);
	writer_started = false;
	for (unsigned i = 0; i < nthreads; i++) {
		st->written += workers[i].written;
		st->zero += workers[i].zero;
		k2e_codec_ctxs_release(&workers[i].ctxs);
	}
	if (p.failed && p.fail.msg[0]) {	/* a worker's error comes first */
		*err = p.fail;
		rc = -1;
	}
	/* Everything is in: describe what still waits. */
	flush_lost(&p, UINT64_MAX);
	k2e_runs_normalize(&st->lost_runs);
out:
	if (writer_started) {	/* only when no worker could start */
		pthread_mutex_lock(&p.mu);
		p.failed = true;
		pthread_cond_broadcast(&p.cv_write);
		pthread_mutex_unlock(&p.mu);
		pthread_join(writer, NULL);
	}
	if (batches)
		for (size_t i = 0; i < nbatch; i++) {
			free(batches[i].ref);
			free(batches[i].dat);
			free(batches[i].buf);
		}
	if (obufs)
		for (size_t i = 0; i < nobuf; i++) {
			free(obufs[i].data);
			free(obufs[i].span);
		}
	for (size_t i = 0; i < p.n_pend; i++)
		free(p.pend[i].detail);
	free(p.pend);
	free(batches);
	free(obufs);
	free(workers);
	pthread_cond_destroy(&p.cv_todo);
	pthread_cond_destroy(&p.cv_free);
	pthread_cond_destroy(&p.cv_ofree);
	pthread_cond_destroy(&p.cv_write);
	pthread_mutex_destroy(&p.mu);
	return rc;
}
