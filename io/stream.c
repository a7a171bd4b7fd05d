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
 * The reorder buffer is a sorted array of disjoint extents.  A read of a
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

enum {
	FLAT_HEADER_SIZE = 4096,	/* makedumpfile.h: MAX_SIZE_MDF_HEADER */
	FLAT_TYPE = 1,			/* TYPE_FLAT_HEADER */
	FLAT_VERSION = 1,		/* VERSION_FLAT_HEADER */
	CHUNK = 1 << 20,		/* largest extent we create at once */
};

/* Records larger than this are treated as corruption. */
static const uint64_t flat_max_record = 1ULL << 40;

struct extent {
	uint64_t off;
	uint64_t len;
	unsigned char *buf;	/* owned allocation, NULL when spilled */
	size_t skip;		/* data starts at buf + skip */
	uint64_t spill_off;	/* position in the spill file when buf == NULL */
};

struct range {
	uint64_t start, end;
};

/* A range written more than once: reads wait for record number `last`. */
struct multi {
	uint64_t start, end;
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

	struct extent *ext;
	size_t n_ext, cap_ext;
	struct range *discard;
	size_t n_discard, cap_discard;

	struct multi *multi;
	size_t n_multi, cap_multi;
	uint64_t n_pulled;		/* records pulled so far */

	size_t mem_bytes, mem_limit;
	int spill_fd;
	uint64_t spill_end;
	char *spill_dir;
};

static ssize_t in_read(struct stream_source *s, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len && s->head_pos < s->head_len)
		((unsigned char *)buf)[got++] = s->head[s->head_pos++];
	while (got < len) {
		ssize_t n = read(s->base.fd, (char *)buf + got, len - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	s->in_pos += got;
	s->base.stats.bytes_in = s->in_pos;
	return (ssize_t)got;
}

static uint64_t be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* First extent whose end is above off. */
static size_t ext_find(const struct stream_source *s, uint64_t off)
{
	size_t lo = 0, hi = s->n_ext;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ext[mid].off + s->ext[mid].len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void ext_drop(struct stream_source *s, size_t i)
{
	if (s->ext[i].buf) {
		s->mem_bytes -= s->ext[i].len + s->ext[i].skip;
		free(s->ext[i].buf);
	}
	memmove(&s->ext[i], &s->ext[i + 1], (s->n_ext - i - 1) * sizeof(s->ext[0]));
	s->n_ext--;
}

static int ext_reserve(struct stream_source *s, size_t extra, struct k2e_err *err)
{
	if (s->n_ext + extra > s->cap_ext) {
		size_t cap = s->cap_ext ? s->cap_ext * 2 : 64;
		struct extent *e;

		while (cap < s->n_ext + extra)
			cap *= 2;
		e = realloc(s->ext, cap * sizeof(*e));
		if (!e)
			return k2e_err_set(err, "out of memory");
		s->ext = e;
		s->cap_ext = cap;
	}
	return 0;
}

/* Remove [start, end) from the buffered extents (overwritten or released). */
static int ext_cut(struct stream_source *s, uint64_t start, uint64_t end, struct k2e_err *err)
{
	size_t i = ext_find(s, start);

	while (i < s->n_ext && s->ext[i].off < end) {
		struct extent *e = &s->ext[i];
		uint64_t e_end = e->off + e->len;

		if (e->off >= start && e_end <= end) {
			ext_drop(s, i);
			continue;
		}
		if (e->off < start && e_end > end) {
			/* Split: the tail becomes a new extent with its own copy. */
			struct extent tail = { .off = end, .len = e_end - end };

			if (e->buf) {
				tail.buf = malloc(tail.len);
				if (!tail.buf)
					return k2e_err_set(err, "out of memory");
				memcpy(tail.buf, e->buf + e->skip + (end - e->off), tail.len);
				s->mem_bytes += tail.len;
			} else {
				tail.spill_off = e->spill_off + (end - e->off);
			}
			if (ext_reserve(s, 1, err) < 0) {
				free(tail.buf);
				return -1;
			}
			e = &s->ext[i];
			e->len = start - e->off;
			memmove(&s->ext[i + 2], &s->ext[i + 1], (s->n_ext - i - 1) * sizeof(s->ext[0]));
			s->ext[i + 1] = tail;
			s->n_ext++;
			return 0;
		}
		if (e->off < start) {
			e->len = start - e->off;	/* keep the head */
			i++;
		} else {
			uint64_t cut = end - e->off;	/* keep the tail */

			if (e->buf)
				e->skip += (size_t)cut;
			else
				e->spill_off += cut;
			e->off = end;
			e->len -= cut;
			i++;
		}
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
	struct extent e = { .off = off, .len = len };
	size_t i;

	if (ext_cut(s, off, off + len, err) < 0 || ext_reserve(s, 1, err) < 0)
		return -1;
	if (s->mem_bytes + len <= s->mem_limit) {
		e.buf = malloc(len);
		if (!e.buf)
			return k2e_err_set(err, "out of memory");
		memcpy(e.buf, data, len);
		s->mem_bytes += len;
		if (s->mem_bytes > s->base.stats.peak_buffered)
			s->base.stats.peak_buffered = s->mem_bytes;
	} else {
		uint64_t done = 0;

		if (s->spill_fd < 0 && spill_open(s, err) < 0)
			return -1;
		while (done < len) {
			ssize_t n = pwrite(s->spill_fd, data + done, len - done,
					   (off_t)(s->spill_end + done));

			if (n < 0) {
				if (errno == EINTR)
					continue;
				return k2e_err_errno(err, errno, "cannot write spill file");
			}
			done += (uint64_t)n;
		}
		e.spill_off = s->spill_end;
		s->spill_end += len;
		s->base.stats.spilled += len;
	}
	i = ext_find(s, off);
	memmove(&s->ext[i + 1], &s->ext[i], (s->n_ext - i) * sizeof(s->ext[0]));
	s->ext[i] = e;
	s->n_ext++;
	return 0;
}

/* Store a record's bytes, minus whatever lies in released ranges. */
static int ext_insert(struct stream_source *s, uint64_t off, const unsigned char *data,
		      uint64_t len, struct k2e_err *err)
{
	uint64_t end = off + len;

	if (off + len > s->high)
		s->high = off + len;
	for (size_t i = 0; i < s->n_discard && off < end; i++) {
		struct range *r = &s->discard[i];

		if (r->end <= off)
			continue;
		if (r->start >= end)
			break;
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
	struct extent e = { .off = off, .len = len, .buf = *buf };
	size_t i;

	for (i = 0; i < s->n_discard && s->discard[i].start < end; i++)
		if (s->discard[i].end > off)
			return ext_insert(s, off, *buf, len, err);
	if (s->mem_bytes + len > s->mem_limit)
		return ext_insert(s, off, *buf, len, err);
	if (end > s->high)
		s->high = end;
	if (ext_cut(s, off, end, err) < 0 || ext_reserve(s, 1, err) < 0)
		return -1;
	s->mem_bytes += len;
	if (s->mem_bytes > s->base.stats.peak_buffered)
		s->base.stats.peak_buffered = s->mem_bytes;
	i = ext_find(s, off);
	memmove(&s->ext[i + 1], &s->ext[i], (s->n_ext - i) * sizeof(s->ext[0]));
	s->ext[i] = e;
	s->n_ext++;
	*buf = NULL;
	return 0;
}

/* Pull one record (or one chunk of a plain stream) into the buffer. */
static int pull(struct stream_source *s, struct k2e_err *err)
{
	unsigned char *buf;
	unsigned char hdr[16];
	uint64_t off, size;
	ssize_t n;

	if (!s->flattened) {
		buf = malloc(CHUNK);
		if (!buf)
			return k2e_err_set(err, "out of memory");
		n = in_read(s, buf, CHUNK);
		if (n < 0) {
			free(buf);
			return k2e_err_errno(err, errno, "read error at offset 0x%llx",
					     (unsigned long long)s->in_pos);
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

	n = in_read(s, hdr, sizeof(hdr));
	if (n < 0)
		return k2e_err_errno(err, errno, "read error at offset 0x%llx",
				     (unsigned long long)s->in_pos);
	if (n < (ssize_t)sizeof(hdr)) {
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
		n = in_read(s, buf, want);
		if (n < 0) {
			free(buf);
			return k2e_err_errno(err, errno, "read error at offset 0x%llx",
					     (unsigned long long)s->in_pos);
		}
		if (n > 0 && ext_insert_owned(s, off, &buf, (uint64_t)n, err) < 0) {
			free(buf);
			return -1;
		}
		if ((size_t)n < want) {
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

	for (size_t i = ext_find(s, off); i < s->n_ext && got < len; i++) {
		struct extent *e = &s->ext[i];
		uint64_t pos = off + got;
		size_t take;

		if (e->off > pos)
			break;
		take = (size_t)(e->off + e->len - pos);
		if (take > len - got)
			take = len - got;
		if (e->buf) {
			memcpy(buf + got, e->buf + e->skip + (pos - e->off), take);
		} else {
			size_t done = 0;

			while (done < take) {
				ssize_t n = pread(s->spill_fd, buf + got + done, take - done,
						  (off_t)(e->spill_off + (pos - e->off) + done));

				if (n < 0 && errno == EINTR)
					continue;
				if (n <= 0)
					return k2e_err_errno(err, n < 0 ? errno : EIO,
							     "cannot read spill file");
				done += (size_t)n;
			}
		}
		got += take;
	}
	*ret_got = got;
	return 0;
}

static bool covered(const struct stream_source *s, uint64_t off, uint64_t len)
{
	uint64_t pos = off, end = off + len;

	for (size_t i = 0; i < s->n_multi && s->multi[i].start < end; i++)
		if (s->multi[i].end > off && s->multi[i].last > s->n_pulled)
			return false;	/* a later record rewrites part of it */

	for (size_t i = ext_find(s, off); i < s->n_ext && pos < end; i++) {
		if (s->ext[i].off > pos)
			return false;
		pos = s->ext[i].off + s->ext[i].len;
	}
	return pos >= end;
}

static bool released(const struct stream_source *s, uint64_t off)
{
	for (size_t i = 0; i < s->n_discard; i++)
		if (off >= s->discard[i].start && off < s->discard[i].end)
			return true;
	return false;
}

/* Insert [start, end) into a sorted disjoint list, merging; 0 or -1. */
static int range_add(struct range **v, size_t *n, size_t *cap, uint64_t start, uint64_t end)
{
	size_t i, j;

	for (i = 0; i < *n && (*v)[i].end < start; i++)
		;
	for (j = i; j < *n && (*v)[j].start <= end; j++) {
		if ((*v)[j].start < start)
			start = (*v)[j].start;
		if ((*v)[j].end > end)
			end = (*v)[j].end;
	}
	if (j == i) {
		if (*n == *cap) {
			size_t c = *cap ? *cap * 2 : 16;
			struct range *r = realloc(*v, c * sizeof(*r));

			if (!r)
				return -1;
			*v = r;
			*cap = c;
		}
		memmove(&(*v)[i + 1], &(*v)[i], (*n - i) * sizeof(**v));
		(*n)++;
	} else if (j > i + 1) {
		memmove(&(*v)[i + 1], &(*v)[j], (*n - j) * sizeof(**v));
		*n -= j - i - 1;
	}
	(*v)[i].start = start;
	(*v)[i].end = end;
	return 0;
}

/* Mark [start, end) (already written before) as last written by record rec. */
static int multi_mark(struct stream_source *s, uint64_t start, uint64_t end, uint64_t rec)
{
	/* Split entries at start and end, then set or insert. */
	for (size_t i = 0; i < s->n_multi; i++) {
		struct multi *m = &s->multi[i];
		uint64_t cut = m->start < start && m->end > start ? start
			     : m->start < end && m->end > end ? end : 0;

		if (!cut)
			continue;
		if (s->n_multi == s->cap_multi) {
			size_t c = s->cap_multi * 2;
			struct multi *v = realloc(s->multi, c * sizeof(*v));

			if (!v)
				return -1;
			s->multi = v;
			s->cap_multi = c;
			m = &s->multi[i];
		}
		memmove(&s->multi[i + 1], m, (s->n_multi - i) * sizeof(*m));
		s->n_multi++;
		s->multi[i].end = cut;
		s->multi[i + 1].start = cut;
		i--;	/* look at the first half again: it may need the other cut */
	}
	{
		uint64_t pos = start;
		size_t i = 0;

		while (pos < end) {
			while (i < s->n_multi && s->multi[i].end <= pos)
				i++;
			if (i < s->n_multi && s->multi[i].start <= pos) {
				s->multi[i].last = rec;
				pos = s->multi[i].end;
				continue;
			}
			{
				uint64_t e = i < s->n_multi && s->multi[i].start < end ? s->multi[i].start : end;

				if (s->n_multi == s->cap_multi) {
					size_t c = s->cap_multi ? s->cap_multi * 2 : 16;
					struct multi *v = realloc(s->multi, c * sizeof(*v));

					if (!v)
						return -1;
					s->multi = v;
					s->cap_multi = c;
				}
				memmove(&s->multi[i + 1], &s->multi[i], (s->n_multi - i) * sizeof(*s->multi));
				s->multi[i] = (struct multi){ pos, e, rec };
				s->n_multi++;
				pos = e;
			}
		}
	}
	return 0;
}

/*
 * Skim a seekable flattened file's record headers for ranges written more
 * than once.  Memory: the merged extent of everything written (a handful of
 * ranges for real dumps) plus the rewritten ranges.
 */
static int skim(struct stream_source *s, struct k2e_err *err)
{
	struct range *w = NULL;
	size_t n_w = 0, cap_w = 0;
	uint64_t pos = FLAT_HEADER_SIZE, rec = 0;
	unsigned char hdr[16];
	int rc = -1;

	for (;;) {
		ssize_t n = pread(s->base.fd, hdr, sizeof(hdr), (off_t)pos);
		uint64_t off, size;

		if (n < (ssize_t)sizeof(hdr))
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
			for (size_t i = 0; i < n_w && w[i].start < off + size; i++) {
				uint64_t a = w[i].start > off ? w[i].start : off;
				uint64_t b = w[i].end < off + size ? w[i].end : off + size;

				if (a < b && multi_mark(s, a, b, rec) < 0)
					goto oom;
			}
			if (range_add(&w, &n_w, &cap_w, off, off + size) < 0)
				goto oom;
		}
		pos += sizeof(hdr) + size;
	}
	rc = 0;
	goto out;
oom:
	k2e_err_set(err, "out of memory");
out:
	free(w);
	return rc;
}

static int stream_read(struct k2e_source *base, void *buf, size_t len, uint64_t off,
		       size_t *ret_got, struct k2e_err *err)
{
	struct stream_source *s = (struct stream_source *)base;

	if (len == 0) {
		*ret_got = 0;
		return 0;
	}
	if (released(s, off))
		return k2e_err_set(err, "offset 0x%llx was read again after it was released",
				   (unsigned long long)off);
	while (!covered(s, off, len) && !s->ended) {
		if (pull(s, err) < 0)
			return -1;
	}
	return copy_out(s, buf, len, off, ret_got, err);
}

static void stream_release(struct k2e_source *base, uint64_t off, uint64_t len)
{
	struct stream_source *s = (struct stream_source *)base;
	struct k2e_err err;
	uint64_t start = off, end = off + len;
	size_t i, j;

	if (len == 0)
		return;
	/* Merge with every overlapping or touching range. */
	for (i = 0; i < s->n_discard && s->discard[i].end < start; i++)
		;
	for (j = i; j < s->n_discard && s->discard[j].start <= end; j++) {
		if (s->discard[j].start < start)
			start = s->discard[j].start;
		if (s->discard[j].end > end)
			end = s->discard[j].end;
	}
	if (j == i) {
		if (s->n_discard == s->cap_discard) {
			size_t cap = s->cap_discard ? s->cap_discard * 2 : 16;
			struct range *r = realloc(s->discard, cap * sizeof(*r));

			if (!r)
				return;	/* only a hint: keep the bytes */
			s->discard = r;
			s->cap_discard = cap;
		}
		memmove(&s->discard[i + 1], &s->discard[i], (s->n_discard - i) * sizeof(*s->discard));
		s->n_discard++;
	} else if (j > i + 1) {
		memmove(&s->discard[i + 1], &s->discard[j], (s->n_discard - j) * sizeof(*s->discard));
		s->n_discard -= j - i - 1;
	}
	s->discard[i].start = start;
	s->discard[i].end = end;
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

	for (size_t i = 0; i < s->n_ext; i++)
		free(s->ext[i].buf);
	free(s->ext);
	free(s->discard);
	free(s->multi);
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
	ssize_t n;

	if (!s) {
		close(fd);
		return k2e_err_set(err, "out of memory");
	}
	s->base.ops = &stream_ops;
	s->base.kind = flattened ? "flattened" : "stream";
	s->base.fd = fd;
	s->flattened = flattened;
	s->spill_fd = -1;
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
		n = in_read(s, fh, sizeof(fh));
		if (n < 0) {
			k2e_err_errno(err, errno, "read error in flattened header");
			stream_free(&s->base);
			return -1;
		}
		if (n < (ssize_t)sizeof(fh)) {
			k2e_err_set(err, "flattened header truncated at offset 0x%zx", (size_t)n);
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
