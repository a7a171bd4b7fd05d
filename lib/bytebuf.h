/*
 * bytebuf.h - the project's growable buffer: binary encoders (DWARF, call
 * frames, ELF sections) and text (the kernel log, JSON lines) alike.
 *
 * Appends never fail on the spot: an allocation failure sets `oom` and
 * later appends do nothing, so a writer checks once at the end
 * (k2e_bytebuf_check(), k2e_bytebuf_str() or k2e_bytebuf_take()).  Text is
 * read as a C string with k2e_bytebuf_str() or taken with
 * k2e_bytebuf_take(): both put a NUL after the bytes (len does not count it).
 *
 * Ownership: the buffer owns p until k2e_bytebuf_take() hands it over;
 * k2e_bytebuf_release() frees it.  A zeroed struct is an empty buffer
 * (little-endian for k2e_bytebuf_uint()).  A buffer whose p and cap the
 * caller sets to a window of other memory (to patch bytes in place) is
 * fine as long as appends stay within cap (past it, it would be grown:
 * realloc() of memory it does not own).  Not thread-safe.
 */
#ifndef K2E_BYTEBUF_H
#define K2E_BYTEBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct k2e_bytebuf {
	unsigned char *p;	/* owned */
	size_t len, cap;
	bool be;		/* byte order of k2e_bytebuf_uint() */
	bool oom;
};

void k2e_bytebuf_init(struct k2e_bytebuf *b);
/* Free the bytes; b is empty (and no longer oom) afterwards. */
void k2e_bytebuf_release(struct k2e_bytebuf *b);

void k2e_bytebuf_put(struct k2e_bytebuf *b, const void *d, size_t n);
/* A NUL-terminated string, without its NUL. */
void k2e_bytebuf_puts(struct k2e_bytebuf *b, const char *s);
void k2e_bytebuf_putc(struct k2e_bytebuf *b, char c);
/* printf-formatted text. */
void k2e_bytebuf_printf(struct k2e_bytebuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An unsigned integer of size bytes (1..8) in b->be's byte order. */
void k2e_bytebuf_uint(struct k2e_bytebuf *b, uint64_t v, unsigned size);
/* Pad with `byte` until len - start is a multiple of align. */
void k2e_bytebuf_align(struct k2e_bytebuf *b, size_t start, size_t align, unsigned char byte);
/*
 * Patch the 4 bytes at `at` with len - at - 4 in b->be's order: a length
 * field written as 0 and filled once what it counts is there (DWARF CIE, FDE).
 */
void k2e_bytebuf_patch_len32(struct k2e_bytebuf *b, size_t at);
/* DWARF LEB128. */
void k2e_bytebuf_uleb(struct k2e_bytebuf *b, uint64_t v);
void k2e_bytebuf_sleb(struct k2e_bytebuf *b, int64_t v);

/*
 * The bytes so far as a C string (a NUL is put after them; "" before the
 * first append); NULL when an append failed.
 */
const char *k2e_bytebuf_str(struct k2e_bytebuf *b);

/* -1 with "out of memory" when an append failed, else 0. */
int k2e_bytebuf_check(const struct k2e_bytebuf *b, struct k2e_err *err);

/*
 * Hand the bytes (NUL-terminated; free() them) to the caller, *ret_len (may
 * be NULL) their length; b is empty afterwards.  NULL when an append failed
 * (or memory runs out now): then b is released.
 */
unsigned char *k2e_bytebuf_take(struct k2e_bytebuf *b, size_t *ret_len);

#endif
