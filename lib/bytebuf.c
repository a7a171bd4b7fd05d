#include "lib/bytebuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void k2e_bytebuf_init(struct k2e_bytebuf *b)
{
	memset(b, 0, sizeof(*b));
}

void k2e_bytebuf_release(struct k2e_bytebuf *b)
{
	bool be = b->be;

	free(b->p);
	k2e_bytebuf_init(b);
	b->be = be;
}

/*
 * Room for n more bytes.  Growing leaves room for a NUL after them too; a
 * buffer whose p and cap the caller set (a window to patch bytes in place)
 * is written within cap and never grown.
 */
static bool reserve(struct k2e_bytebuf *b, size_t n)
{
	size_t cap;
	unsigned char *p;

	if (b->oom)
		return false;
	if (n <= b->cap - b->len && (b->p || n == 0))
		return true;
	if (n > SIZE_MAX / 2 - b->len) {
		b->oom = true;
		return false;
	}
	cap = b->cap ? b->cap * 2 : 4096;
	while (cap < b->len + n + 1)
		cap *= 2;
	if (!(p = realloc(b->p, cap))) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void k2e_bytebuf_put(struct k2e_bytebuf *b, const void *d, size_t n)
{
	if (!reserve(b, n))
		return;
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

void k2e_bytebuf_puts(struct k2e_bytebuf *b, const char *s)
{
	k2e_bytebuf_put(b, s, strlen(s));
}

void k2e_bytebuf_putc(struct k2e_bytebuf *b, char c)
{
	k2e_bytebuf_put(b, &c, 1);
}

void k2e_bytebuf_printf(struct k2e_bytebuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p ? (char *)b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (b->p && (size_t)n < b->cap - b->len) {
		b->len += (size_t)n;	/* it fitted, NUL included */
		return;
	}
	if (!reserve(b, (size_t)n + 1))
		return;
	va_start(ap, fmt);
	vsnprintf((char *)b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void k2e_bytebuf_uint(struct k2e_bytebuf *b, uint64_t v, unsigned size)
{
	unsigned char t[8];

	for (unsigned i = 0; i < size; i++)
		t[b->be ? size - 1 - i : i] = (unsigned char)(v >> (8 * i));
	k2e_bytebuf_put(b, t, size);
}

void k2e_bytebuf_align(struct k2e_bytebuf *b, size_t start, size_t align, unsigned char byte)
{
	while (!b->oom && (b->len - start) % align)
		k2e_bytebuf_put(b, &byte, 1);
}

void k2e_bytebuf_patch_len32(struct k2e_bytebuf *b, size_t at)
{
	uint64_t len = b->len - at - 4;

	if (b->oom || at + 4 > b->len)
		return;
	for (unsigned i = 0; i < 4; i++)
		b->p[at + i] = (unsigned char)(len >> (b->be ? 8 * (3 - i) : 8 * i));
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

const char *k2e_bytebuf_str(struct k2e_bytebuf *b)
{
	if (b->oom)
		return NULL;
	if (!b->p)
		return "";
	if (b->len == b->cap && !reserve(b, 1))
		return NULL;
	b->p[b->len] = '\0';
	return (const char *)b->p;
}

int k2e_bytebuf_check(const struct k2e_bytebuf *b, struct k2e_err *err)
{
	return b->oom ? k2e_err_set(err, "out of memory") : 0;
}

unsigned char *k2e_bytebuf_take(struct k2e_bytebuf *b, size_t *ret_len)
{
	unsigned char *p;

	if (!b->oom && (!b->p || b->len == b->cap))
		reserve(b, 1);
	if (b->oom) {
		k2e_bytebuf_release(b);
		return NULL;
	}
	b->p[b->len] = '\0';
	p = b->p;
	if (ret_len)
		*ret_len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}
