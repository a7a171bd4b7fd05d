/* sha256.h - SHA-256 (FIPS 180-4) for the synthetic dump generator.
 *
 * A small streaming implementation: sha256_init, then sha256_update any
 * number of times, then sha256_final writes the 32-byte digest.  The
 * context is caller-owned and holds no pointers.
 */
#ifndef K2E_GEN_SHA256_H
#define K2E_GEN_SHA256_H

#include <stddef.h>
#include <stdint.h>

enum { SHA256_DIGEST_LEN = 32, SHA256_BLOCK_LEN = 64 };

struct sha256 {
	uint32_t h[8];
	uint64_t total;                    /* bytes hashed so far */
	unsigned char buf[SHA256_BLOCK_LEN];
	size_t fill;                       /* bytes pending in buf */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, unsigned char ret[SHA256_DIGEST_LEN]);
/* Hex form of a digest: 64 characters plus NUL. */
void sha256_hex(const unsigned char dig[SHA256_DIGEST_LEN], char ret[65]);

#endif
