/*
 * printk.c - decode the kernel log from the dumped kernel's memory.
 *
 * The structures are never assumed: every offset and size comes from
 * vmcoreinfo, which the kernel exports for exactly this purpose
 * (kernel/printk/printk.c, log_buf_vmcoreinfo_setup()).  Reads go through
 * the kernel one record at a time (descriptors and infos in chunks), so memory
 * stays small whatever log_buf_len the kernel was booted with.
 *
 * The lockless ring buffer (kernel/printk/printk_ringbuffer.h): a
 * descriptor's state_var holds its id in the low bits and its state in the
 * top two (0 reserved, 1 committed, 2 finalized, 3 reusable); records from
 * tail_id to head_id whose id matches and whose state is committed or
 * finalized are printed.  Text blocks start with the id (one word); a block
 * whose begin lies past its next wrapped to the start of the data ring.
 */
#include "analysis/printk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds on what a sane log looks like. */
enum {
	MAX_COUNT_BITS = 28,		/* descriptors in the lockless ring */
	MAX_SIZE_BITS = 34,		/* bytes in its data ring */
	MAX_RECORD_TEXT = 1 << 16,	/* text_len is a u16 */
	CHUNK = 1024,			/* descriptors read at once */
};
static const uint64_t max_log_buf = 1ULL << 30;

/* Append to out; -1 when memory ran out (bytebuf remembers it). */
static int text_append(struct k2e_bytebuf *out, const void *s, size_t len, struct k2e_err *err)
{
	k2e_bytebuf_put(out, s, len);
	return k2e_bytebuf_check(out, err);
}

/* vmcoreinfo lookups that must succeed. */
static int need(int rc, const char *what, struct k2e_err *err)
{
	if (rc < 0)
		return k2e_err_set(err, "vmcoreinfo lacks %s", what);
	return 0;
}

/* Layouts and symbols through the kernel's lookups (VMCOREINFO first: kernel/types.c). */
static int offset_of(struct k2e_kernel *k, const char *type_member, uint64_t *ret)
{
	char type[96];
	const char *dot = strchr(type_member, '.');
	struct k2e_member m;
	struct k2e_err e;

	if (!dot || (size_t)(dot - type_member) >= sizeof(type))
		return -1;
	memcpy(type, type_member, (size_t)(dot - type_member));
	type[dot - type_member] = '\0';
	if (k2e_kernel_member(k, type, dot + 1, &m, &e) < 0)
		return -1;
	*ret = m.offset;
	return 0;
}

static int size_of(struct k2e_kernel *k, const char *type, uint64_t *ret)
{
	struct k2e_err e;

	return k2e_kernel_sizeof(k, type, ret, &e);
}

static int symbol(struct k2e_kernel *k, const char *name, uint64_t *ret)
{
	struct k2e_err e;

	return k2e_kernel_symbol(k, name, ret, &e);
}

#define NEED_OFFSET(km, name, ret) need(offset_of(km, name, ret), "OFFSET(" name ")", err)
#define NEED_SIZE(km, name, ret) need(size_of(km, name, ret), "SIZE(" name ")", err)
#define NEED_SYMBOL(km, name, ret) need(symbol(km, name, ret), "SYMBOL(" name ")", err)

int k2e_printk_layout(struct k2e_kernel *km, enum k2e_log_layout *ret, struct k2e_err *err)
{
	uint64_t v;

	if (!k2e_kernel_vmcoreinfo(km)->text)
		return k2e_err_set(err, "the dump has no VMCOREINFO note");
	if (symbol(km, "prb", &v) == 0) {
		*ret = K2E_LOG_LOCKLESS;
		return 0;
	}
	if (symbol(km, "log_buf", &v) < 0 || symbol(km, "log_buf_len", &v) < 0)
		return k2e_err_set(err, "vmcoreinfo names no kernel log buffer (SYMBOL(prb) or SYMBOL(log_buf))");
	*ret = symbol(km, "log_end", &v) == 0 ? K2E_LOG_PLAIN : K2E_LOG_RECORDS;
	return 0;
}

/* ---- Linux 5.10+: the lockless ring buffer ---- */

struct lockless {
	struct k2e_kernel *km;
	unsigned word;
	uint64_t word_mask;		/* all bits of an unsigned long */
	uint64_t id_mask;		/* DESC_ID_MASK */
	unsigned state_shift;
	uint64_t count;			/* descriptors */
	uint64_t descs, infos;		/* kernel addresses of the arrays */
	uint64_t desc_size, info_size;
	uint64_t off_state, off_begin, off_next;	/* within a descriptor */
	uint64_t off_ts, off_text_len;			/* within an info */
	uint64_t off_caller;				/* within an info */
	bool has_caller;
	uint64_t data, data_size;
	uint64_t head, tail;		/* descriptor ids */
	unsigned char *dchunk, *ichunk;
	uint64_t chunk_first, chunk_n;
	char *text;
};

static int ll_setup(struct lockless *l, struct k2e_err *err)
{
	struct k2e_kernel *km = l->km;
	uint64_t sym, prb, rb_size, o_desc_ring, o_text_ring, o_count_bits, o_descs, o_infos;
	uint64_t o_head, o_tail, o_size_bits, o_data, o_counter = 0, o_state, o_lpos;
	uint64_t o_begin, o_next, count_bits, size_bits;
	unsigned char *rb;
	int rc = -1;

	if (NEED_SYMBOL(km, "prb", &sym) < 0 ||
	    NEED_SIZE(km, "printk_ringbuffer", &rb_size) < 0 ||
	    NEED_OFFSET(km, "printk_ringbuffer.desc_ring", &o_desc_ring) < 0 ||
	    NEED_OFFSET(km, "printk_ringbuffer.text_data_ring", &o_text_ring) < 0 ||
	    NEED_OFFSET(km, "prb_desc_ring.count_bits", &o_count_bits) < 0 ||
	    NEED_OFFSET(km, "prb_desc_ring.descs", &o_descs) < 0 ||
	    NEED_OFFSET(km, "prb_desc_ring.infos", &o_infos) < 0 ||
	    NEED_OFFSET(km, "prb_desc_ring.head_id", &o_head) < 0 ||
	    NEED_OFFSET(km, "prb_desc_ring.tail_id", &o_tail) < 0 ||
	    NEED_OFFSET(km, "prb_data_ring.size_bits", &o_size_bits) < 0 ||
	    NEED_OFFSET(km, "prb_data_ring.data", &o_data) < 0 ||
	    NEED_SIZE(km, "prb_desc", &l->desc_size) < 0 ||
	    NEED_OFFSET(km, "prb_desc.state_var", &o_state) < 0 ||
	    NEED_OFFSET(km, "prb_desc.text_blk_lpos", &o_lpos) < 0 ||
	    NEED_OFFSET(km, "prb_data_blk_lpos.begin", &o_begin) < 0 ||
	    NEED_OFFSET(km, "prb_data_blk_lpos.next", &o_next) < 0 ||
	    NEED_SIZE(km, "printk_info", &l->info_size) < 0 ||
	    NEED_OFFSET(km, "printk_info.ts_nsec", &l->off_ts) < 0 ||
	    NEED_OFFSET(km, "printk_info.text_len", &l->off_text_len) < 0)
		return -1;
	/* Caller ids: every lockless ring has them (5.10+); makedumpfile 1.7.6 prints them. */
	l->has_caller = offset_of(km, "printk_info.caller_id", &l->off_caller) == 0;
	offset_of(km, "atomic_long_t.counter", &o_counter);

	l->word = k2e_kernel_word_size(km);
	l->word_mask = l->word == 8 ? UINT64_MAX : 0xffffffffu;
	l->state_shift = l->word * 8 - 2;
	l->id_mask = l->word_mask & ~(3ULL << l->state_shift);
	l->off_state = o_state + o_counter;
	l->off_begin = o_lpos + o_begin;
	l->off_next = o_lpos + o_next;

	/* Every field read from the structure must lie inside it. */
	if (rb_size > 4096 || o_desc_ring + o_head + o_counter + l->word > rb_size ||
	    o_desc_ring + o_tail + o_counter + l->word > rb_size ||
	    o_desc_ring + o_count_bits + 4 > rb_size || o_desc_ring + o_descs + l->word > rb_size ||
	    o_desc_ring + o_infos + l->word > rb_size || o_text_ring + o_size_bits + 4 > rb_size ||
	    o_text_ring + o_data + l->word > rb_size)
		return k2e_err_set(err, "vmcoreinfo: printk_ringbuffer offsets lie outside its size %llu",
				   (unsigned long long)rb_size);
	if (l->desc_size > 4096 || l->off_state + l->word > l->desc_size ||
	    l->off_begin + l->word > l->desc_size || l->off_next + l->word > l->desc_size)
		return k2e_err_set(err, "vmcoreinfo: prb_desc offsets lie outside its size %llu",
				   (unsigned long long)l->desc_size);
	if (l->info_size > 4096 || l->off_ts + 8 > l->info_size ||
	    l->off_text_len + 2 > l->info_size || (l->has_caller && l->off_caller + 4 > l->info_size))
		return k2e_err_set(err, "vmcoreinfo: printk_info offsets lie outside its size %llu",
				   (unsigned long long)l->info_size);

	if (k2e_kernel_read_uint(km, sym, l->word, &prb, err) < 0)
		return k2e_err_prefix(err, "prb");
	rb = malloc(rb_size);
	if (!rb)
		return k2e_err_set(err, "out of memory");
	if (k2e_kernel_read(km, prb, rb, rb_size, err) < 0) {
		k2e_err_prefix(err, "printk_ringbuffer at 0x%llx", (unsigned long long)prb);
		goto out;
	}
	count_bits = k2e_kernel_get_uint(km, rb + o_desc_ring + o_count_bits, 4);
	size_bits = k2e_kernel_get_uint(km, rb + o_text_ring + o_size_bits, 4);
	if (count_bits > MAX_COUNT_BITS || size_bits > MAX_SIZE_BITS || size_bits < 4) {
		k2e_err_set(err, "printk_ringbuffer at 0x%llx: implausible count_bits %llu or size_bits %llu",
			    (unsigned long long)prb, (unsigned long long)count_bits,
			    (unsigned long long)size_bits);
		goto out;
	}
	l->count = 1ULL << count_bits;
	l->data_size = 1ULL << size_bits;
	l->descs = k2e_kernel_get_uint(km, rb + o_desc_ring + o_descs, l->word);
	l->infos = k2e_kernel_get_uint(km, rb + o_desc_ring + o_infos, l->word);
	l->data = k2e_kernel_get_uint(km, rb + o_text_ring + o_data, l->word);
	l->chunk_first = l->chunk_n = 0;
	l->dchunk = malloc(CHUNK * l->desc_size);
	l->ichunk = malloc(CHUNK * l->info_size);
	l->text = malloc(MAX_RECORD_TEXT);
	if (!l->dchunk || !l->ichunk || !l->text) {
		k2e_err_set(err, "out of memory");
		goto out;
	}
	/* head_id and tail_id are atomic_long_t. */
	l->head = k2e_kernel_get_uint(km, rb + o_desc_ring + o_head + o_counter, l->word) & l->id_mask;
	l->tail = k2e_kernel_get_uint(km, rb + o_desc_ring + o_tail + o_counter, l->word) & l->id_mask;
	rc = 0;
out:
	free(rb);
	return rc;
}

/* The descriptor and info of slot idx, read through the chunk cache. */
static int ll_slot(struct lockless *l, uint64_t idx, const unsigned char **desc,
		   const unsigned char **info, struct k2e_err *err)
{
	if (idx < l->chunk_first || idx >= l->chunk_first + l->chunk_n) {
		uint64_t n = l->count - idx < CHUNK ? l->count - idx : CHUNK;

		if (k2e_kernel_read(l->km, l->descs + idx * l->desc_size, l->dchunk,
				  (size_t)(n * l->desc_size), err) < 0)
			return k2e_err_prefix(err, "printk descriptors");
		if (k2e_kernel_read(l->km, l->infos + idx * l->info_size, l->ichunk,
				  (size_t)(n * l->info_size), err) < 0)
			return k2e_err_prefix(err, "printk infos");
		l->chunk_first = idx;
		l->chunk_n = n;
	}
	*desc = l->dchunk + (idx - l->chunk_first) * l->desc_size;
	*info = l->ichunk + (idx - l->chunk_first) * l->info_size;
	return 0;
}

static int ll_record(struct lockless *l, uint64_t id, k2e_log_fn fn, void *arg,
		     struct k2e_err *err)
{
	const unsigned char *desc = NULL, *info = NULL;
	struct k2e_log_record r = { 0 };
	uint64_t sv, state, begin, next, text_len;

	if (ll_slot(l, id % l->count, &desc, &info, err) < 0)
		return -1;
	sv = k2e_kernel_get_uint(l->km, desc + l->off_state, l->word);
	state = (sv >> l->state_shift) & 3;
	if ((sv & l->id_mask) != id || (state != 1 && state != 2))
		return 0;	/* reserved, reusable or overwritten: not a record */
	begin = k2e_kernel_get_uint(l->km, desc + l->off_begin, l->word) % l->data_size;
	next = k2e_kernel_get_uint(l->km, desc + l->off_next, l->word) % l->data_size;
	if (begin == next)
		return 0;	/* a record without text data */
	if (begin > next)
		begin = 0;	/* the block wrapped to the start of the ring */
	begin += l->word;	/* the block starts with its descriptor id */
	text_len = k2e_kernel_get_uint(l->km, info + l->off_text_len, 2);
	if (begin > next)
		text_len = 0;
	else if (next - begin < text_len)
		text_len = next - begin;	/* truncated record */
	if (text_len && k2e_kernel_read(l->km, l->data + begin, l->text, (size_t)text_len, err) < 0)
		return k2e_err_prefix(err, "printk text of record %llu", (unsigned long long)id);
	r.ts_nsec = k2e_kernel_get_uint(l->km, info + l->off_ts, 8);
	r.has_caller = l->has_caller;
	if (r.has_caller)
		r.caller_id = (uint32_t)k2e_kernel_get_uint(l->km, info + l->off_caller, 4);
	r.text = l->text;
	r.len = (size_t)text_len;
	return fn(arg, &r, err);
}

static int walk_lockless(struct k2e_kernel *km, k2e_log_fn fn, void *arg, struct k2e_err *err)
{
	struct lockless l = { .km = km };
	uint64_t head, tail, span;
	int rc = -1;

	if (ll_setup(&l, err) < 0)
		goto out;
	head = l.head;
	tail = l.tail;
	span = (head - tail) & l.id_mask;
	if (span >= l.count) {
		k2e_err_set(err, "printk ring buffer: tail_id %llu and head_id %llu are %llu apart, more than its %llu descriptors",
			    (unsigned long long)tail, (unsigned long long)head,
			    (unsigned long long)span, (unsigned long long)l.count);
		goto out;
	}
	for (uint64_t id = tail;; id = (id + 1) & l.id_mask) {
		if (ll_record(&l, id, fn, arg, err) < 0)
			goto out;
		if (id == head)
			break;
	}
	rc = 0;
out:
	free(l.dchunk);
	free(l.ichunk);
	free(l.text);
	return rc;
}

/* ---- Linux 3.5 .. 5.9: variable-length records in log_buf ---- */

static int read_log_buf(struct k2e_kernel *km, unsigned char **ret, uint64_t *ret_len,
			struct k2e_err *err)
{
	uint64_t sym_buf, sym_len, buf, len;
	unsigned char *b;

	if (NEED_SYMBOL(km, "log_buf", &sym_buf) < 0 || NEED_SYMBOL(km, "log_buf_len", &sym_len) < 0)
		return -1;
	if (k2e_kernel_read_uint(km, sym_buf, k2e_kernel_word_size(km), &buf, err) < 0)
		return k2e_err_prefix(err, "log_buf");
	if (k2e_kernel_read_uint(km, sym_len, 4, &len, err) < 0)
		return k2e_err_prefix(err, "log_buf_len");
	if (len == 0 || len > max_log_buf)
		return k2e_err_set(err, "log_buf_len %llu is implausible", (unsigned long long)len);
	b = malloc(len);
	if (!b)
		return k2e_err_set(err, "out of memory");
	if (k2e_kernel_read(km, buf, b, len, err) < 0) {
		free(b);
		return k2e_err_prefix(err, "log_buf at 0x%llx", (unsigned long long)buf);
	}
	*ret = b;
	*ret_len = len;
	return 0;
}

/* OFFSET/SIZE of struct printk_log, or of struct log before Linux 3.11. */
static int log_struct(struct k2e_kernel *km, uint64_t *size, uint64_t *o_ts, uint64_t *o_len,
		      uint64_t *o_text_len, struct k2e_err *err)
{
	static const char *const names[] = { "printk_log", "log" };
	char key[64];

	for (size_t i = 0; i < 2; i++) {
		if (size_of(km, names[i], size) < 0)
			continue;
		snprintf(key, sizeof(key), "%s.ts_nsec", names[i]);
		if (offset_of(km, key, o_ts) < 0)
			break;
		snprintf(key, sizeof(key), "%s.len", names[i]);
		if (offset_of(km, key, o_len) < 0)
			break;
		snprintf(key, sizeof(key), "%s.text_len", names[i]);
		if (offset_of(km, key, o_text_len) < 0)
			break;
		if (*size > 4096 || *o_ts + 8 > *size || *o_len + 2 > *size || *o_text_len + 2 > *size)
			return k2e_err_set(err, "vmcoreinfo: %s offsets lie outside its size %llu",
					   names[i], (unsigned long long)*size);
		return 0;
	}
	return k2e_err_set(err, "vmcoreinfo lacks SIZE(printk_log) and the OFFSETs of ts_nsec, len and text_len");
}

static int walk_records(struct k2e_kernel *km, k2e_log_fn fn, void *arg, struct k2e_err *err)
{
	uint64_t sym_first, sym_next, first, next, size, o_ts, o_len, o_text_len, buf_len, pos;
	unsigned char *buf = NULL;
	int rc = -1;

	if (NEED_SYMBOL(km, "log_first_idx", &sym_first) < 0 ||
	    NEED_SYMBOL(km, "log_next_idx", &sym_next) < 0 ||
	    log_struct(km, &size, &o_ts, &o_len, &o_text_len, err) < 0)
		return -1;
	if (k2e_kernel_read_uint(km, sym_first, 4, &first, err) < 0)
		return k2e_err_prefix(err, "log_first_idx");
	if (k2e_kernel_read_uint(km, sym_next, 4, &next, err) < 0)
		return k2e_err_prefix(err, "log_next_idx");
	if (read_log_buf(km, &buf, &buf_len, err) < 0)
		return -1;
	if (buf_len < 2 * size || first > buf_len - size || next > buf_len) {
		k2e_err_set(err, "log_first_idx %llu or log_next_idx %llu lies outside log_buf (%llu bytes)",
			    (unsigned long long)first, (unsigned long long)next,
			    (unsigned long long)buf_len);
		goto out;
	}
	pos = first;
	/* Each record is at least `size` bytes: more steps than that is a cycle. */
	for (uint64_t steps = 0; pos != next; steps++) {
		uint64_t rec = pos, len, text_len;
		struct k2e_log_record r = { 0 };

		if (steps > buf_len / (size ? size : 1) + 1) {
			k2e_err_set(err, "log_buf records form a cycle (at index %llu)",
				    (unsigned long long)pos);
			goto out;
		}
		/* A record of length 0 marks the end of the buffer: wrap around. */
		len = k2e_kernel_get_uint(km, buf + rec + o_len, 2);
		if (len == 0) {
			rec = 0;
			len = k2e_kernel_get_uint(km, buf + o_len, 2);
		}
		text_len = k2e_kernel_get_uint(km, buf + rec + o_text_len, 2);
		if (len < size || rec + size + text_len > buf_len) {
			k2e_err_set(err, "log_buf record at index %llu is corrupt (len %llu, text_len %llu)",
				    (unsigned long long)rec, (unsigned long long)len,
				    (unsigned long long)text_len);
			goto out;
		}
		r.ts_nsec = k2e_kernel_get_uint(km, buf + rec + o_ts, 8);
		r.text = (const char *)buf + rec + size;
		r.len = (size_t)text_len;
		if (fn(arg, &r, err) < 0)
			goto out;
		pos = rec + len;
		if (pos > buf_len - size && pos != next) {
			k2e_err_set(err, "log_buf record at index %llu points outside log_buf",
				    (unsigned long long)rec);
			goto out;
		}
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* ---- before Linux 3.5: a plain character buffer ---- */

/* log_end became "unsigned" in Linux 2.6.25; it was "unsigned long" before. */
static bool log_end_is_long(const struct k2e_kernel *km)
{
	const char *rel;
	size_t len;
	unsigned a = 0, b = 0, c = 0;
	char buf[32];

	rel = k2e_vmcoreinfo_get(k2e_kernel_vmcoreinfo(km), "OSRELEASE", &len);
	if (!rel || len >= sizeof(buf))
		return false;
	memcpy(buf, rel, len);
	buf[len] = '\0';
	if (sscanf(buf, "%u.%u.%u", &a, &b, &c) < 2)
		return false;
	return a < 2 || (a == 2 && (b < 6 || (b == 6 && c < 25)));
}

static int walk_plain(struct k2e_kernel *km, k2e_log_fn fn, void *arg, struct k2e_err *err)
{
	uint64_t sym_end, end, buf_len;
	unsigned char *buf = NULL;
	struct k2e_log_record r = { .plain = true };
	int rc = -1;

	if (NEED_SYMBOL(km, "log_end", &sym_end) < 0)
		return -1;
	if (k2e_kernel_read_uint(km, sym_end, log_end_is_long(km) ? k2e_kernel_word_size(km) : 4, &end,
			       err) < 0)
		return k2e_err_prefix(err, "log_end");
	if (read_log_buf(km, &buf, &buf_len, err) < 0)
		return -1;
	if (end < buf_len) {
		r.text = (const char *)buf;
		r.len = (size_t)end;
		rc = fn(arg, &r, err);
	} else {
		/* Full: the oldest text starts at log_end modulo the (power of two) length. */
		uint64_t idx = end & (buf_len - 1);

		r.text = (const char *)buf + idx;
		r.len = (size_t)(buf_len - idx);
		rc = fn(arg, &r, err);
		if (rc == 0) {
			r.text = (const char *)buf;
			r.len = (size_t)idx;
			rc = fn(arg, &r, err);
		}
	}
	free(buf);
	return rc;
}

int k2e_printk_walk(struct k2e_kernel *km, k2e_log_fn fn, void *arg, struct k2e_err *err)
{
	enum k2e_log_layout layout;

	if (k2e_printk_layout(km, &layout, err) < 0)
		return -1;
	switch (layout) {
	case K2E_LOG_LOCKLESS:
		return walk_lockless(km, fn, arg, err);
	case K2E_LOG_RECORDS:
		return walk_records(km, fn, arg, err);
	default:
		return walk_plain(km, fn, arg, err);
	}
}

/* C-locale isprint() || isspace(), as makedumpfile tests a (signed) char. */
static bool plain_char(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || (c >= '\t' && c <= '\r');
}

int k2e_printk_format(const struct k2e_log_record *r, struct k2e_bytebuf *out, struct k2e_err *err)
{
	char prefix[64], esc[16];
	const unsigned char *p = (const unsigned char *)r->text;
	size_t plen, run = 0;

	if (r->plain)
		return text_append(out, r->text, r->len, err);
	plen = (size_t)snprintf(prefix, sizeof(prefix), "[%5llu.%06llu] ",
				(unsigned long long)(r->ts_nsec / 1000000000),
				(unsigned long long)(r->ts_nsec % 1000000000 / 1000));
	if (r->has_caller) {
		char who[16];

		snprintf(who, sizeof(who), "%c%u", r->caller_id & 0x80000000u ? 'C' : 'T',
			 r->caller_id & ~0x80000000u);
		plen += (size_t)snprintf(prefix + plen, sizeof(prefix) - plen, "[%8s] ", who);
	}
	if (text_append(out, prefix, plen, err) < 0)
		return -1;
	for (size_t i = 0; i < r->len; i++) {
		unsigned char c = p[i];
		size_t n;

		if (c != '\n' && plain_char(c)) {
			run++;
			continue;
		}
		if (run && text_append(out, p + i - run, run, err) < 0)
			return -1;
		run = 0;
		if (c == '\n') {
			/* The next line starts under the text, after the timestamp. */
			char nl[sizeof(prefix) + 1];

			nl[0] = '\n';
			memset(nl + 1, ' ', plen);
			if (text_append(out, nl, plen + 1, err) < 0)
				return -1;
			continue;
		}
		/* makedumpfile passes a plain char to "%02x": sign-extended above 0x7f. */
		n = (size_t)snprintf(esc, sizeof(esc), c < 0x80 ? "\\x%02x" : "\\xffffff%02x", c);
		if (text_append(out, esc, n, err) < 0)
			return -1;
	}
	if (run && text_append(out, p + r->len - run, run, err) < 0)
		return -1;
	return text_append(out, "\n", 1, err);
}

static int collect(void *arg, const struct k2e_log_record *r, struct k2e_err *err)
{
	return k2e_printk_format(r, arg, err);
}

int k2e_printk_text(struct k2e_kernel *km, char **ret, size_t *ret_len, struct k2e_err *err)
{
	struct k2e_bytebuf t;
	char *text;

	k2e_bytebuf_init(&t);
	if (k2e_printk_walk(km, collect, &t, err) < 0) {
		k2e_bytebuf_release(&t);
		return -1;
	}
	if (!(text = (char *)k2e_bytebuf_take(&t, ret_len)))
		return k2e_err_set(err, "out of memory");
	*ret = text;
	return 0;
}
