/*
 * source.h - where a dump's bytes come from.
 *
 * Every format reads its input through a struct k2e_source: "give me LEN
 * bytes at OFFSET of the dump file".  Two kinds exist:
 *
 *  - file: a seekable regular file, read with pread().  Thread-safe.
 *  - stream: a flattened file (makedumpfile -F), read once from front to back
 *    whether it comes from a file or a pipe, and a plain dump arriving on a
 *    pipe.  The stream reassembles the dump file in a bounded reorder buffer:
 *    a read blocks until the range has arrived, records nobody asked for yet
 *    wait in memory and, past a limit, in an unlinked temporary file.  Readers
 *    say what they will never need again with k2e_source_release() so the
 *    buffer stays small.  Not thread-safe: one thread reads it.
 *
 * Formats do not know which kind they read (libkdumpfile's flatmap idea).
 */
#ifndef K2E_SOURCE_H
#define K2E_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct k2e_source;

struct k2e_source_ops {
	/* Read up to len bytes at off; *ret_got < len only at the end of data. */
	int (*read)(struct k2e_source *s, void *buf, size_t len, uint64_t off,
		    size_t *ret_got, struct k2e_err *err);
	void (*release)(struct k2e_source *s, uint64_t off, uint64_t len);
	/* Consume the rest of the input (streams); afterwards stats are final. */
	int (*drain)(struct k2e_source *s, struct k2e_err *err);
	/* Size of the (reassembled) dump file; UINT64_MAX while unknown. */
	uint64_t (*size)(struct k2e_source *s);
	void (*free)(struct k2e_source *s);
};

struct k2e_source_stats {
	uint64_t bytes_in;	/* bytes consumed from the underlying file */
	uint64_t spilled;	/* bytes that had to wait in the spill file */
	uint64_t peak_buffered;	/* largest amount held in memory */
	uint64_t records;	/* flattened records seen */
	bool truncated;		/* stream ended without its end marker */
};

struct k2e_source {
	const struct k2e_source_ops *ops;
	const char *name;	/* for messages; owned by the caller */
	const char *kind;	/* "file", "flattened", "stream" */
	bool random_access;	/* reads may come in any order, from any thread */
	int fd;			/* underlying descriptor (owned), -1 if none */
	struct k2e_source_stats stats;
};

/*
 * Open PATH ("-" for standard input).  A flattened file becomes a stream
 * source; a regular file a file source; anything else (a pipe) a stream.
 * spill_dir is where a stream may create its unlinked spill file (NULL:
 * $TMPDIR or /tmp).  mem_limit bounds a stream's in-memory buffer.
 */
int k2e_source_open(const char *path, const char *spill_dir, size_t mem_limit,
		    struct k2e_source **ret, struct k2e_err *err);

/* Exactly len bytes or an error naming the offset ("truncated at ..."). */
int k2e_source_read_exact(struct k2e_source *s, void *buf, size_t len, uint64_t off,
			  struct k2e_err *err);

static inline int k2e_source_read(struct k2e_source *s, void *buf, size_t len, uint64_t off,
				  size_t *ret_got, struct k2e_err *err)
{
	return s->ops->read(s, buf, len, off, ret_got, err);
}

static inline void k2e_source_release(struct k2e_source *s, uint64_t off, uint64_t len)
{
	if (s->ops->release)
		s->ops->release(s, off, len);
}

static inline uint64_t k2e_source_size(struct k2e_source *s)
{
	return s->ops->size(s);
}

static inline int k2e_source_drain(struct k2e_source *s, struct k2e_err *err)
{
	return s->ops->drain ? s->ops->drain(s, err) : 0;
}

void k2e_source_free(struct k2e_source *s);

/* File identity (st_dev, st_ino) of an opened source, false for pipes. */
bool k2e_source_identity(const struct k2e_source *s, uint64_t *ret_dev, uint64_t *ret_ino);

/* Internal constructors, used by k2e_source_open() and the fuzz targets. */
int k2e_file_source_new(int fd, uint64_t size, struct k2e_source **ret, struct k2e_err *err);
/*
 * Stream over fd.  head/head_len: bytes already read from fd's front.
 * flattened: parse makedumpfile records; else the bytes are the dump itself.
 */
int k2e_stream_source_new(int fd, const void *head, size_t head_len, bool flattened,
			  const char *spill_dir, size_t mem_limit,
			  struct k2e_source **ret, struct k2e_err *err);

/* The flattened header signature ("makedumpfile", NUL padded to 16). */
bool k2e_flat_signature(const void *head, size_t len);

#endif
