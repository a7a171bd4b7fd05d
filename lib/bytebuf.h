/*
 * bytebuf.h - a growable byte buffer for encoders (DWARF, call frames, ELF
 * sections).  Appends never fail on the spot: an allocation failure sets
 * `oom` and later appends do nothing, so an encoder checks once at the end.
 */
#ifndef K2E_BYTEBUF_H
#define K2E_BYTEBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct k2e_bytebuf {
	unsigned char *p;	/* owned; free() it */
	size_t len, cap;
	bool be;		/* byte order of k2e_bytebuf_uint() */
	bool oom;
};

void k2e_bytebuf_put(struct k2e_bytebuf *b, const void *d, size_t n);
/* An unsigned integer of size bytes (1..8) in b->be's byte order. */
void k2e_bytebuf_uint(struct k2e_bytebuf *b, uint64_t v, unsigned size);
/* DWARF LEB128. */
void k2e_bytebuf_uleb(struct k2e_bytebuf *b, uint64_t v);
void k2e_bytebuf_sleb(struct k2e_bytebuf *b, int64_t v);

#endif
