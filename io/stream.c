/*
 * stream.c - a dump that can only be read once, front to back.
 *
 * Used for flattened files (makedumpfile -F, QEMU's kdump-* before 8.2),
 * whether they come from a file or a pipe, and for any dump on a pipe.
 *
 * A flattened file is a 4096-byte header ("makedumpfile", big-endian int64
 * type 1 and version 1) followed by records: big-endian {int64 offset,
 * int64 size} and size bytes that belong at that offset of the dump file;
 * offset = size = -1 ends the stream (makedumpfile.h, IMPLEMENTATION).
 * Records may come in any order and may overwrite each other: the last write
 * wins.
 *
 * A seekable flattened file is first skimmed (record headers only) for ranges
 * written more than once; a read of such a range then waits for the last
 * record that writes it.  A pipe cannot be skimmed: there the first complete
 * write of a range is what a read gets (the format re-reads the sub-header,
 * which makedumpfile rewrites, at the end).
 *
 * The reorder buffer is a balanced tree of disjoint extents (lib/itree.h),
 * so records cost O(log n) each in whatever order they come.  A read of a
 * range that has not arrived pulls records from the input until it has;
 * everything pulled meanwhile waits, in memory up to mem_limit bytes, then in
 * an unlinked spill file.  k2e_source_release() marks ranges the reader will
 * never ask for again: their bytes are dropped now and on arrival, which is
 * what keeps a one-pass conversion small (the first bitmap, consumed page
 * descriptors and page data).
 */
#include "io/source.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/itree.h"

enum {
	FLAT_HEADER_SIZE = 4096,	/* makedumpfile.h: MAX_SIZE_MDF_HEADER */
	FLAT_TYPE = 1,			/* TYPE_FLAT_HEADER */
	FLAT_VERSION = 1,		/* VERSION_FLAT_HEADER */
	CHUNK = 1 << 20,		/* largest extent we create at once */
};

/* Records larger than this are treated as corruption. */
static const uint64_t flat_max_record = 1ULL << 40;

/* Buffered dump bytes [node.start, node.end). */
struct extent {
	struct k2e_itree_node node;
	unsigned char *buf;	/* owned allocation, NULL when spilled */
	size_t skip;		/* data starts at buf + skip */
	uint64_t spill_off;	/* position in the spill file when buf == NULL */
};

/* A range of a set of ranges (released, or written at least once). */
struct range {
	struct k2e_itree_node node;
};

/* A range written more than once: reads wait for record number `last`. */
struct multi {
	struct k2e_itree_node node;
	uint64_t last;
};

struct stream_source {
	struct k2e_source base;
	bool flattened;
	bool ended;
	unsigned char head[16];
	size_t head_len, head_pos;
	uint64_t in_pos;		/* bytes consumed from fd (including head) */
	uint64_t plain_pos;		/* plain stream: dump offset of the next byte */
	uint64_t high;			/* end of the highest byte seen */

	/*
	 * Balanced trees, so that records arriving in any order cost
	 * O(log n) each (a sorted array cost a memmove per record).
	 */
	struct k2e_itree ext;		/* struct extent, the buffered bytes */
	struct k2e_itree discard;	/* struct range, released by the reader */
	struct k2e_itree multi;		/* struct multi, from the skim */
	uint64_t n_pulled;		/* records pulled so far */

	size_t mem_bytes, mem_limit;
	int spill_fd;
	uint64_t spill_end;
	char *spill_dir;
};

/* Read up to len bytes of input (the bytes already read by the prober first). */
static int in_read(struct stream_source *s, void *buf, size_t len, size_t *ret_got,
		   struct k2e_err *err)
{
	size_t got = 0, n;

	while (got < len && s->head_pos < s->head_len)
		((unsigned char *)buf)[got++] = s->head[s->head_pos++];
	if (k2e_read_all(s->base.fd, (char *)buf + got, len - got, s->in_pos + got, &n, err) < 0)
		return -1;
	got += n;
	s->in_pos += got;
	s->base.stats.bytes_in = s->in_pos;
	*ret_got = got;
	return 0;
}

static uint64_t be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

#define EXT(n) ((struct extent *)(n))

static struct extent *ext_first_after(const struct stream_source *s, uint64_t off)
{
	return EXT(k2e_itree_first_after(&s->ext, off));
}

static struct extent *ext_next(const struct stream_source *s, const struct extent *e)
{
	return EXT(k2e_itree_next(&s->ext, &e->node));
}

static uint64_t ext_len(const struct extent *e)
{
	return e->node.end - e->node.start;
}

static void ext_drop(struct stream_source *s, struct extent *e)
{
	k2e_itree_remove(&s->ext, &e->node);
	if (e->buf) {
		s->mem_bytes -= ext_len(e) + e->skip;
		free(e->buf);
	}
	free(e);
}

/* Remove [start, end) from the buffered extents (overwritten or released). */
static int ext_cut(struct stream_source *s, uint64_t start, uint64_t end, struct k2e_err *err)
{
	struct extent *e = ext_first_after(s, start);

	while (e && e->node.start < end) {
		struct extent *next = ext_next(s, e);
		uint64_t e_end = e->node.end;

		if (e->node.start >= start && e_end <= end) {
			ext_drop(s, e);
		} else if (e->node.start < start && e_end > end) {
			/* Split: the tail becomes a new extent with its own copy. */
			struct extent *tail = calloc(1, sizeof(*tail));

			if (!tail)
				return k2e_err_set(err, "out of memory");
			tail->node.start = end;
			tail->node.end = e_end;
			if (e->buf) {
				tail->buf = malloc(e_end - end);
				if (!tail->buf) {
					free(tail);
					return k2e_err_set(err, "out of memory");
				}
				memcpy(tail->buf, e->buf + e->skip + (end - e->node.start), e_end - end);
				s->mem_bytes += e_end - end;
			} else {
				tail->spill_off = e->spill_off + (end - e->node.start);
			}
			e->node.end = start;
			k2e_itree_insert(&s->ext, &tail->node);
			return 0;
		} else if (e->node.start < start) {
			e->node.end = start;	/* keep the head */
		} else {
			uint64_t cut = end - e->node.start;	/* keep the tail */

			if (e->buf)
				e->skip += (size_t)cut;
			else
				e->spill_off += cut;
			e->node.start = end;
		}
		e = next;
	}
	return 0;
}

static int spill_open(struct stream_source *s, struct k2e_err *err)
{
	const char *dir = s->spill_dir;
	char path[PATH_MAX];

	if (!dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	s->spill_fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (s->spill_fd >= 0)
		return 0;
	snprintf(path, sizeof(path), "%s/kdump2elf-spill.XXXXXX", dir);
	s->spill_fd = mkstemp(path);
	if (s->spill_fd < 0)
		return k2e_err_errno(err, errno, "cannot create spill file in '%s'", dir);
	unlink(path);
	return 0;
}

/* Store a piece of dump bytes (already clipped against the discard set). */
static int ext_store(struct stream_source *s, uint64_t off, const unsigned char *data,
		     uint64_t len, struct k2e_err *err)
{
	struct extent *e;

	if (ext_cut(s, off, off + len, err) < 0)
		return -1;
	e = calloc(1, sizeof(*e));
	if (!e)
		return k2e_err_set(err, "out of memory");
	e->node.start = off;
	e->node.end = off + len;
	if (s->mem_bytes + len <= s->mem_limit) {
		e->buf = malloc(len);
		if (!e->buf) {
			free(e);
			return k2e_err_set(err, "out of memory");
		}
		memcpy(e->buf, data, len);
		s->mem_bytes += len;
		if (s->mem_bytes > s->base.stats.peak_buffered)
			s->base.stats.peak_buffered = s->mem_bytes;
	} else {
		if (s->spill_fd < 0 && spill_open(s, err) < 0) {
			free(e);
			return -1;
		}
		if (k2e_pwrite_all(s->spill_fd, data, len, s->spill_end, err) < 0) {
			int errnum = errno;

			free(e);
			return k2e_err_errno(err, errnum, "cannot write spill file");
		}
		e->spill_off = s->spill_end;
		s->spill_end += len;
		s->base.stats.spilled += len;
	}
	k2e_itree_insert(&s->ext, &e->node);
	return 0;
}

/* Store a record's bytes, minus whatever lies in released ranges. */
static int ext_insert(struct stream_source *s, uint64_t off, const unsigned char *data,
		      uint64_t len, struct k2e_err *err)
{
	uint64_t end = off + len;

	if (off + len > s->high)
		s->high = off + len;
	for (struct k2e_itree_node *r = k2e_itree_first_after(&s->discard, off);
	     r && off < end && r->start < end; r = k2e_itree_next(&s->discard, r)) {
		if (r->start > off && ext_store(s, off, data, r->start - off, err) < 0)
			return -1;
		if (r->end >= end)
			return 0;
		data += r->end - off;
		off = r->end;
	}
	if (off < end)
		return ext_store(s, off, data, end - off, err);
	return 0;
}

/*
 * Like ext_insert(), but *buf is a malloc()ed copy nobody else needs: when
 * the whole range is kept in memory the extent takes the allocation itself
 * (one memcpy less per byte of the dump) and *buf becomes NULL.
 */
static int ext_insert_owned(struct stream_source *s, uint64_t off, unsigned char **buf,
			    uint64_t len, struct k2e_err *err)
{
	uint64_t end = off + len;
	struct k2e_itree_node *r = k2e_itree_first_after(&s->discard, off);
	struct extent *e;

	if (r && r->start < end)
		return ext_insert(s, off, *buf, len, err);
	if (s->mem_bytes + len > s->mem_limit)
		return ext_insert(s, off, *buf, len, err);
	if (end > s->high)
		s->high = end;
	if (ext_cut(s, off, end, err) < 0)
		return -1;
	e = calloc(1, sizeof(*e));
	if (!e)
		return k2e_err_set(err, "out of memory");
	e->node.start = off;
	e->node.end = end;
	e->buf = *buf;
	s->mem_bytes += len;
	if (s->mem_bytes > s->base.stats.peak_buffered)
		s->base.stats.peak_buffered = s->mem_bytes;
	k2e_itree_insert(&s->ext, &e->node);
	*buf = NULL;
	return 0;
}

/* Pull one record (or one chunk of a plain stream) into the buffer. */
static int pull(struct stream_source *s, struct k2e_err *err)
{
	unsigned char *buf;
	unsigned char hdr[16];
	uint64_t off, size;
	size_t n;

	if (!s->flattened) {
		buf = malloc(CHUNK);
		if (!buf)
			return k2e_err_set(err, "out of memory");
		if (in_read(s, buf, CHUNK, &n, err) < 0) {
			free(buf);
			return -1;
		}
		if (n == 0) {
			s->ended = true;
			free(buf);
			return 0;
		}
		if (ext_insert_owned(s, s->plain_pos, &buf, (uint64_t)n, err) < 0) {
			free(buf);
			return -1;
		}
		s->plain_pos += (uint64_t)n;
		free(buf);
		return 0;
	}

	if (in_read(s, hdr, sizeof(hdr), &n, err) < 0)
		return -1;
	if (n < sizeof(hdr)) {
		s->ended = true;
		s->base.stats.truncated = true;
		return 0;
	}
	off = be64(hdr);
	size = be64(hdr + 8);
	if (off == UINT64_MAX && size == UINT64_MAX) {
		s->ended = true;
		return 0;
	}
	if ((int64_t)off < 0 || (int64_t)size < 0 || size > flat_max_record ||
	    off + size < off)
		return k2e_err_set(err, "flattened record at offset 0x%llx: bad offset 0x%llx or size 0x%llx",
				   (unsigned long long)(s->in_pos - sizeof(hdr)),
				   (unsigned long long)off, (unsigned long long)size);
	s->base.stats.records++;
	s->n_pulled++;
	buf = NULL;
	while (size > 0) {
		size_t want = size < CHUNK ? (size_t)size : CHUNK;

		if (!buf && !(buf = malloc(want + 1)))
			return k2e_err_set(err, "out of memory");
		if (in_read(s, buf, want, &n, err) < 0) {
			free(buf);
			return -1;
		}
		if (n > 0 && ext_insert_owned(s, off, &buf, (uint64_t)n, err) < 0) {
			free(buf);
			return -1;
		}
		if (n < want) {
			s->ended = true;
			s->base.stats.truncated = true;
			break;
		}
		off += (uint64_t)n;
		size -= (uint64_t)n;
	}
	free(buf);
	return 0;
}

/* Copy [off, off+len) out of the buffer as far as it is contiguous. */
static int copy_out(struct stream_source *s, unsigned char *buf, size_t len, uint64_t off,
		    size_t *ret_got, struct k2e_err *err)
{
	size_t got = 0;

	for (struct extent *e = ext_first_after(s, off); e && got < len; e = ext_next(s, e)) {
		uint64_t pos = off + got;
		size_t take, n;

		if (e->node.start > pos)
			break;
		take = (size_t)(e->node.end - pos);
		if (take > len - got)
			take = len - got;
		if (e->buf) {
			memcpy(buf + got, e->buf + e->skip + (pos - e->node.start), take);
		} else {
			if (k2e_pread_all(s->spill_fd, buf + got, take,
					  e->spill_off + (pos - e->node.start), &n, err) < 0)
				return k2e_err_prefix(err, "spill file");
			if (n < take)
				return k2e_err_set(err, "spill file: truncated at offset 0x%llx",
						   (unsigned long long)(e->spill_off + (pos - e->node.start) + n));
		}
		got += take;
	}
	*ret_got = got;
	return 0;
}

/*
 * Advance *pos over what is buffered contiguously from it, and *mpos over
 * rewritten ranges whose last record has arrived, up to end.  Both only move
 * forward while a read waits (arrivals never uncover bytes), so a read that
 * waits for many records looks at each extent once.
 */
static bool covered(const struct stream_source *s, uint64_t *pos, uint64_t *mpos, uint64_t end)
{
	while (*mpos < end) {
		const struct multi *m = (const struct multi *)k2e_itree_first_after(&s->multi, *mpos);

		if (!m || m->node.start >= end) {
			*mpos = end;
			break;
		}
		if (m->last > s->n_pulled)
			return false;	/* a later record rewrites part of it */
		*mpos = m->node.end;
	}
	for (struct extent *e = ext_first_after(s, *pos); e && *pos < end; e = ext_next(s, e)) {
		if (e->node.start > *pos)
			return false;
		*pos = e->node.end;
	}
	return *pos >= end;
}

static bool released(const struct stream_source *s, uint64_t off)
{
	struct k2e_itree_node *r = k2e_itree_first_after(&s->discard, off);

	return r && r->start <= off;
}

static void ranges_free(struct k2e_itree *t)
{
	struct k2e_itree_node *n;

	while ((n = t->root)) {
		k2e_itree_remove(t, n);
		free(n);
	}
}

/* Add [start, end) to a set of struct range, merging what overlaps or touches; 0 or -1. */
static int range_add(struct k2e_itree *t, uint64_t start, uint64_t end)
{
	struct range *r = malloc(sizeof(*r));
	struct k2e_itree_node *n;

	if (!r)
		return -1;
	n = k2e_itree_first_after(t, start ? start - 1 : 0);
	while (n && n->start <= end) {
		struct k2e_itree_node *next = k2e_itree_next(t, n);

		if (n->start < start)
			start = n->start;
		if (n->end > end)
			end = n->end;
		k2e_itree_remove(t, n);
		free(n);
		n = next;
	}
	r->node.start = start;
	r->node.end = end;
	k2e_itree_insert(t, &r->node);
	return 0;
}

/* Mark [start, end) (already written before) as last written by record rec. */
static int multi_mark(struct stream_source *s, uint64_t start, uint64_t end, uint64_t rec)
{
	struct multi *m = calloc(1, sizeof(*m));
	struct k2e_itree_node *n;

	if (!m)
		return -1;
	/* Whatever was recorded for [start, end) before is superseded. */
	n = k2e_itree_first_after(&s->multi, start);
	while (n && n->start < end) {
		struct k2e_itree_node *next = k2e_itree_next(&s->multi, n);

		if (n->start < start && n->end > end) {
			struct multi *tail = calloc(1, sizeof(*tail));

			if (!tail) {
				free(m);
				return -1;
			}
			tail->node.start = end;
			tail->node.end = n->end;
			tail->last = ((struct multi *)n)->last;
			n->end = start;
			k2e_itree_insert(&s->multi, &tail->node);
			break;
		}
		if (n->start < start) {
			n->end = start;
		} else if (n->end > end) {
			n->start = end;
		} else {
			k2e_itree_remove(&s->multi, n);
			free(n);
		}
		n = next;
	}
	m->node.start = start;
	m->node.end = end;
	m->last = rec;
	k2e_itree_insert(&s->multi, &m->node);
	return 0;
}

/*
 * Skim a seekable flattened file's record headers for ranges written more
 * than once.  Memory: the merged extent of everything written (a handful of
 * ranges for real dumps) plus the rewritten ranges.
 */
static int skim(struct stream_source *s, struct k2e_err *err)
{
	struct k2e_itree w;
	uint64_t pos = FLAT_HEADER_SIZE, rec = 0;
	unsigned char hdr[16];
	int rc = -1;

	k2e_itree_init(&w);
	for (;;) {
		uint64_t off, size;
		size_t n;

		if (k2e_pread_all(s->base.fd, hdr, sizeof(hdr), pos, &n, err) < 0)
			goto out;
		if (n < sizeof(hdr))
			break;	/* truncated: the reading pass reports it */
		off = be64(hdr);
		size = be64(hdr + 8);
		if (off == UINT64_MAX && size == UINT64_MAX)
			break;
		if ((int64_t)off < 0 || (int64_t)size < 0 || size > flat_max_record || off + size < off)
			break;	/* the reading pass reports it */
		rec++;
		if (size) {
			/* Parts of [off, off+size) already written: rewritten by rec. */
			for (struct k2e_itree_node *r = k2e_itree_first_after(&w, off);
			     r && r->start < off + size; r = k2e_itree_next(&w, r)) {
				uint64_t a = r->start > off ? r->start : off;
				uint64_t b = r->end < off + size ? r->end : off + size;

				if (a < b && multi_mark(s, a, b, rec) < 0)
					goto oom;
			}
			if (range_add(&w, off, off + size) < 0)
				goto oom;
		}
		pos += sizeof(hdr) + size;
	}
	rc = 0;
	goto out;
oom:
	k2e_err_set(err, "out of memory");
out:
	ranges_free(&w);
	return rc;
}

static int stream_read(struct k2e_source *base, void *buf, size_t len, uint64_t off,
		       size_t *ret_got, struct k2e_err *err)
{
	struct stream_source *s = (struct stream_source *)base;
	uint64_t pos = off, mpos = off;

	if (len == 0) {
		*ret_got = 0;
		return 0;
	}
	if (released(s, off))
		return k2e_err_set(err, "offset 0x%llx was read again after it was released",
				   (unsigned long long)off);
	while (!covered(s, &pos, &mpos, off + len) && !s->ended) {
		if (pull(s, err) < 0)
			return -1;
	}
	return copy_out(s, buf, len, off, ret_got, err);
}

static void stream_release(struct k2e_source *base, uint64_t off, uint64_t len)
{
	struct stream_source *s = (struct stream_source *)base;
	struct k2e_err err;

	if (len == 0)
		return;
	if (range_add(&s->discard, off, off + len) < 0)
		return;	/* only a hint: keep the bytes */
	(void)ext_cut(s, off, off + len, &err);	/* on failure the bytes just stay */
}

static int stream_drain(struct k2e_source *base, struct k2e_err *err)
{
	struct stream_source *s = (struct stream_source *)base;

	while (!s->ended)
		if (pull(s, err) < 0)
			return -1;
	return 0;
}

static uint64_t stream_size(struct k2e_source *base)
{
	struct stream_source *s = (struct stream_source *)base;

	return s->ended ? s->high : UINT64_MAX;
}

static void stream_free(struct k2e_source *base)
{
	struct stream_source *s = (struct stream_source *)base;
	struct k2e_itree_node *n;

	while ((n = s->ext.root)) {
		k2e_itree_remove(&s->ext, n);
		free(EXT(n)->buf);
		free(n);
	}
	ranges_free(&s->discard);
	ranges_free(&s->multi);
	if (s->spill_fd >= 0)
		close(s->spill_fd);
	if (base->fd >= 0)
		close(base->fd);
	free(s->spill_dir);
	free(s);
}

static const struct k2e_source_ops stream_ops = {
	.read = stream_read,
	.release = stream_release,
	.drain = stream_drain,
	.size = stream_size,
	.free = stream_free,
};

int k2e_stream_source_new(int fd, const void *head, size_t head_len, bool flattened,
			  const char *spill_dir, size_t mem_limit,
			  struct k2e_source **ret, struct k2e_err *err)
{
	struct stream_source *s = calloc(1, sizeof(*s));
	unsigned char fh[FLAT_HEADER_SIZE];
	size_t n;

	if (!s) {
		close(fd);
		return k2e_err_set(err, "out of memory");
	}
	s->base.ops = &stream_ops;
	s->base.kind = flattened ? "flattened" : "stream";
	s->base.fd = fd;
	s->flattened = flattened;
	s->spill_fd = -1;
	k2e_itree_init(&s->ext);
	k2e_itree_init(&s->discard);
	k2e_itree_init(&s->multi);
	s->mem_limit = mem_limit ? mem_limit : 32u << 20;
	if (spill_dir && !(s->spill_dir = strdup(spill_dir))) {
		stream_free(&s->base);
		return k2e_err_set(err, "out of memory");
	}
	if (head_len > sizeof(s->head))
		head_len = sizeof(s->head);
	if (head_len)
		memcpy(s->head, head, head_len);
	s->head_len = head_len;
	if (flattened) {
		if (in_read(s, fh, sizeof(fh), &n, err) < 0) {
			k2e_err_prefix(err, "flattened header");
			stream_free(&s->base);
			return -1;
		}
		if (n < sizeof(fh)) {
			k2e_err_set(err, "flattened header truncated at offset 0x%zx", n);
			stream_free(&s->base);
			return -1;
		}
		if (be64(fh + 16) != FLAT_TYPE || be64(fh + 24) != FLAT_VERSION) {
			k2e_err_set(err, "flattened header at offset 0x10: unsupported type %llu or version %llu",
				    (unsigned long long)be64(fh + 16), (unsigned long long)be64(fh + 24));
			stream_free(&s->base);
			return -1;
		}
		if (head_len == 0 && lseek(fd, 0, SEEK_CUR) >= 0 && skim(s, err) < 0) {
			stream_free(&s->base);
			return -1;
		}
	}
	*ret = &s->base;
	return 0;
}
