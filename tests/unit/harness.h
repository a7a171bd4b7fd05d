/*
 * harness.h - a small unit-test harness for kdump2elf.
 *
 * A test is a function declared with TEST(name); it registers itself before
 * main() runs.  CHECK* macros record a failure (one line on stderr naming the
 * file, line and test) and let the test go on.  main() runs every test, or
 * those whose names contain one of the command-line arguments, and ends with
 * exactly one line "N passed, N failed" counting tests; it exits nonzero when
 * any test failed.
 *
 * The helpers below build inputs the tests share: memory files, flattened
 * streams, ELF note blobs.
 */
#ifndef K2E_TEST_HARNESS_H
#define K2E_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef void (*k2e_test_fn)(void);

void k2e_test_register(const char *name, k2e_test_fn fn);
/* Record a failed check of the running test; always returns false. */
bool k2e_test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define TEST(name)								\
	static void name(void);							\
	__attribute__((constructor)) static void name##_register(void)		\
	{									\
		k2e_test_register(#name, name);					\
	}									\
	static void name(void)

/* Like k2e_test_fail(), for CHECKF: "CHECK(cond) failed: " and the context. */
bool k2e_test_failf(const char *file, int line, const char *cond, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Each CHECK evaluates to true when it held, so a test can stop early. */
#define CHECK(cond)								\
	({									\
		bool ok_ = (cond);						\
		ok_ ? true : k2e_test_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond); \
	})

/* CHECK with context for its one failure line (arguments evaluated after cond). */
#define CHECKF(cond, ...)							\
	({									\
		bool ok_ = (cond);						\
		ok_ ? true : k2e_test_failf(__FILE__, __LINE__, #cond, __VA_ARGS__); \
	})

#define CHECK_U64(a, b)								\
	({									\
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);		\
		a_ == b_ ? true : k2e_test_fail(__FILE__, __LINE__,		\
			"%s == %s: 0x%llx != 0x%llx", #a, #b,			\
			(unsigned long long)a_, (unsigned long long)b_);	\
	})

#define CHECK_I64(a, b)								\
	({									\
		long long a_ = (long long)(a), b_ = (long long)(b);		\
		a_ == b_ ? true : k2e_test_fail(__FILE__, __LINE__,		\
			"%s == %s: %lld != %lld", #a, #b, a_, b_);		\
	})

#define CHECK_STR(a, b)								\
	({									\
		const char *a_ = (a), *b_ = (b);				\
		strcmp(a_, b_) == 0 ? true : k2e_test_fail(__FILE__, __LINE__,	\
			"%s: '%s' != '%s'", #a, a_, b_);			\
	})

#define CHECK_CONTAINS(s, sub)							\
	({									\
		const char *s_ = (s), *sub_ = (sub);				\
		strstr(s_, sub_) ? true : k2e_test_fail(__FILE__, __LINE__,	\
			"%s: '%s' does not contain '%s'", #s, s_, sub_);	\
	})

#define CHECK_MEM(a, b, len)							\
	({									\
		size_t len_ = (len);						\
		memcmp((a), (b), len_) == 0 ? true : k2e_test_fail(__FILE__,	\
			__LINE__, "%s and %s differ in %zu bytes", #a, #b, len_); \
	})

/* ---- shared helpers (harness.c) ---- */

/* A growable byte buffer; aborts on allocation failure (tests only). */
struct tbuf {
	unsigned char *p;
	size_t len, cap;
};

void tbuf_put(struct tbuf *b, const void *data, size_t len);
void tbuf_fill(struct tbuf *b, int byte, size_t len);
void tbuf_be64(struct tbuf *b, uint64_t v);
void tbuf_free(struct tbuf *b);

/* An anonymous memory file holding data, positioned at offset 0. */
int test_memfd(const void *data, size_t len);

/* Flattened stream pieces: the 4096-byte header, a record, the end marker. */
void flat_header(struct tbuf *b);
void flat_record(struct tbuf *b, uint64_t off, const void *data, size_t len);
void flat_end(struct tbuf *b);

/* Append one ELF note (Elf_Nhdr + name + desc, each padded to 4) in either byte order. */
void note_put(struct tbuf *b, const char *name, uint32_t type, const void *desc,
	      size_t desc_len, bool be);

/* Deterministic pseudo-random bytes. */
void test_fill_random(void *buf, size_t len, uint32_t seed);

/* A fresh empty directory under $TMPDIR or /tmp (caller frees); and its removal. */
char *test_tmpdir(void);
void test_rmdir(char *dir);
/* Number of entries (other than . and ..) in dir, -1 on error. */
int test_dir_count(const char *dir);

#endif
