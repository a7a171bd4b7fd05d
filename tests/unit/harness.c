/* harness.c - test registry, main() and the helpers of harness.h. */
#include "tests/unit/harness.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/endian.h"

enum { MAX_TESTS = 512 };

static struct {
	const char *name;
	k2e_test_fn fn;
} tests[MAX_TESTS];
static size_t n_tests;
static const char *current;
static unsigned current_failures;

void k2e_test_register(const char *name, k2e_test_fn fn)
{
	if (n_tests == MAX_TESTS) {
		fprintf(stderr, "harness: more than %d tests\n", MAX_TESTS);
		abort();
	}
	tests[n_tests].name = name;
	tests[n_tests].fn = fn;
	n_tests++;
}

bool k2e_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s:%d: %s: ", file, line, current ? current : "?");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	current_failures++;
	return false;
}

bool k2e_test_failf(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s:%d: %s: CHECK(%s) failed: ", file, line,
		current ? current : "?", cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	current_failures++;
	return false;
}

static int name_cmp(const void *a, const void *b)
{
	const typeof(tests[0]) *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static bool selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (strstr(name, argv[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	unsigned passed = 0, failed = 0;

	/* Constructors run in link order; sort for a stable report. */
	qsort(tests, n_tests, sizeof(tests[0]), name_cmp);
	for (size_t i = 0; i < n_tests; i++) {
		if (!selected(tests[i].name, argc, argv))
			continue;
		current = tests[i].name;
		current_failures = 0;
		tests[i].fn();
		if (current_failures)
			failed++;
		else
			passed++;
	}
	current = NULL;
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

/* ---- helpers ---- */

void tbuf_put(struct tbuf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + len)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			abort();
		b->cap = cap;
	}
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
}

void tbuf_fill(struct tbuf *b, int byte, size_t len)
{
	unsigned char c = (unsigned char)byte;

	for (size_t i = 0; i < len; i++)
		tbuf_put(b, &c, 1);
}

void tbuf_be64(struct tbuf *b, uint64_t v)
{
	unsigned char x[8];

	k2e_put64(x, v, true);
	tbuf_put(b, x, 8);
}

void tbuf_free(struct tbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int test_memfd(const void *data, size_t len)
{
	int fd = memfd_create("k2e-unit", MFD_CLOEXEC);
	size_t done = 0;

	if (fd < 0) {
		perror("memfd_create");
		abort();
	}
	while (done < len) {
		ssize_t n = write(fd, (const char *)data + done, len - done);

		if (n <= 0) {
			perror("write");
			abort();
		}
		done += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

void flat_header(struct tbuf *b)
{
	unsigned char h[4096] = "makedumpfile";

	k2e_put64(h + 16, 1, true);
	k2e_put64(h + 24, 1, true);
	tbuf_put(b, h, sizeof(h));
}

void flat_record(struct tbuf *b, uint64_t off, const void *data, size_t len)
{
	tbuf_be64(b, off);
	tbuf_be64(b, len);
	tbuf_put(b, data, len);
}

void flat_end(struct tbuf *b)
{
	tbuf_be64(b, UINT64_MAX);
	tbuf_be64(b, UINT64_MAX);
}

void note_put(struct tbuf *b, const char *name, uint32_t type, const void *desc,
	      size_t desc_len, bool be)
{
	unsigned char h[12];
	size_t namesz = strlen(name) + 1;

	k2e_put32(h, (uint32_t)namesz, be);
	k2e_put32(h + 4, (uint32_t)desc_len, be);
	k2e_put32(h + 8, type, be);
	tbuf_put(b, h, sizeof(h));
	tbuf_put(b, name, namesz);
	tbuf_fill(b, 0, ((namesz + 3) & ~(size_t)3) - namesz);
	tbuf_put(b, desc, desc_len);
	tbuf_fill(b, 0, ((desc_len + 3) & ~(size_t)3) - desc_len);
}

void test_fill_random(void *buf, size_t len, uint32_t seed)
{
	unsigned char *p = buf;
	uint32_t x = seed ? seed : 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)(x >> 24);
	}
}

char *test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (!base || !*base)
		base = "/tmp";
	dir = malloc(strlen(base) + 32);
	if (!dir)
		abort();
	sprintf(dir, "%s/k2e-unit.XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
	return dir;
}

void test_rmdir(char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *de;

	if (dp) {
		while ((de = readdir(dp))) {
			char path[4096];

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
		closedir(dp);
	}
	rmdir(dir);
	free(dir);
}

int test_dir_count(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!dp)
		return -1;
	while ((de = readdir(dp)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(dp);
	return n;
}
