#include "lib/bytebuf.h"

#include <stdlib.h>
#include <string.h>

void k2e_bytebuf_put(struct k2e_bytebuf *b, const void *d, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		unsigned char *p;

		while (cap < b->len + n)
			cap *= 2;
		if (!(p = realloc(b->p, cap))) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

void k2e_bytebuf_uint(struct k2e_bytebuf *b, uint64_t v, unsigned size)
{
	unsigned char t[8];

	for (unsigned i = 0; i < size; i++)
		t[b->be ? size - 1 - i : i] = (unsigned char)(v >> (8 * i));
	k2e_bytebuf_put(b, t, size);
}

void k2e_bytebuf_uleb(struct k2e_bytebuf *b, uint64_t v)
{
	do {
		unsigned char c = v & 0x7f;

		v >>= 7;
		if (v)
			c |= 0x80;
		k2e_bytebuf_put(b, &c, 1);
	} while (v);
}

void k2e_bytebuf_sleb(struct k2e_bytebuf *b, int64_t v)
{
	for (;;) {
		unsigned char c = v & 0x7f;

		v >>= 7;	/* arithmetic shift on every compiler we build with */
		if ((v == 0 && !(c & 0x40)) || (v == -1 && (c & 0x40))) {
			k2e_bytebuf_put(b, &c, 1);
			return;
		}
		c |= 0x80;
		k2e_bytebuf_put(b, &c, 1);
	}
}
