/* endian.h - loads from a dump in its own byte order. */
#ifndef K2E_ENDIAN_H
#define K2E_ENDIAN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t k2e_get16(const void *p, bool be)
{
	const unsigned char *b = p;

	return be ? (uint16_t)(b[0] << 8 | b[1]) : (uint16_t)(b[1] << 8 | b[0]);
}

static inline uint32_t k2e_get32(const void *p, bool be)
{
	const unsigned char *b = p;

	if (be)
		return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

static inline uint64_t k2e_get64(const void *p, bool be)
{
	const unsigned char *b = p;

	if (be)
		return (uint64_t)k2e_get32(b, true) << 32 | k2e_get32(b + 4, true);
	return (uint64_t)k2e_get32(b + 4, false) << 32 | k2e_get32(b, false);
}

static inline void k2e_put16le(void *p, uint16_t v)
{
	unsigned char *b = p;

	b[0] = (unsigned char)v;
	b[1] = (unsigned char)(v >> 8);
}

static inline void k2e_put32le(void *p, uint32_t v)
{
	unsigned char *b = p;

	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static inline void k2e_put64le(void *p, uint64_t v)
{
	unsigned char *b = p;

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static inline void k2e_put16(void *p, uint16_t v, bool be)
{
	unsigned char *b = p;

	if (be) {
		b[0] = (unsigned char)(v >> 8);
		b[1] = (unsigned char)v;
	} else {
		k2e_put16le(p, v);
	}
}

static inline void k2e_put32(void *p, uint32_t v, bool be)
{
	unsigned char *b = p;

	if (be) {
		for (int i = 0; i < 4; i++)
			b[i] = (unsigned char)(v >> (24 - 8 * i));
	} else {
		k2e_put32le(p, v);
	}
}

static inline void k2e_put64(void *p, uint64_t v, bool be)
{
	unsigned char *b = p;

	if (be) {
		for (int i = 0; i < 8; i++)
			b[i] = (unsigned char)(v >> (56 - 8 * i));
	} else {
		k2e_put64le(p, v);
	}
}

#endif
