/* Unit tests of io/file.c: pread() over a seekable file. */
#include "tests/unit/harness.h"

#include <unistd.h>

#include "io/source.h"

TEST(file_short_reads)
{
	unsigned char data[100], got[200];
	struct k2e_source *s;
	struct k2e_err err;
	size_t n;

	for (int i = 0; i < 100; i++)
		data[i] = (unsigned char)(i * 7);
	if (!CHECK(k2e_file_source_new(test_memfd(data, 100), 100, &s, &err) == 0))
		return;
	CHECK_STR(s->kind, "file");
	CHECK(s->random_access);
	CHECK_U64(k2e_source_size(s), 100);
	CHECK(k2e_source_read(s, got, 50, 10, &n, &err) == 0);
	CHECK_U64(n, 50);
	CHECK_MEM(got, data + 10, 50);
	/* Short at the end. */
	CHECK(k2e_source_read(s, got, 50, 80, &n, &err) == 0);
	CHECK_U64(n, 20);
	CHECK_MEM(got, data + 80, 20);
	/* At and past the end: nothing. */
	CHECK(k2e_source_read(s, got, 50, 100, &n, &err) == 0);
	CHECK_U64(n, 0);
	CHECK(k2e_source_read(s, got, 50, UINT64_MAX - 10, &n, &err) == 0);
	CHECK_U64(n, 0);
	CHECK(k2e_source_read_exact(s, got, 100, 0, &err) == 0);
	CHECK_MEM(got, data, 100);
	CHECK(k2e_source_read_exact(s, got, 50, 80, &err) < 0);
	CHECK_STR(err.msg, "truncated at offset 0x64 (wanted 0x32 bytes at 0x50)");
	CHECK(k2e_source_read_exact(s, got, 1, 0x1000, &err) < 0);
	CHECK_CONTAINS(err.msg, "truncated at offset 0x1000");
	/* Release and drain are no-ops for files. */
	k2e_source_release(s, 0, 100);
	CHECK(k2e_source_drain(s, &err) == 0);
	CHECK(k2e_source_read_exact(s, got, 10, 0, &err) == 0);
	k2e_source_free(s);
	k2e_source_free(NULL);
}

/* The size given at open is what counts, even when the file is shorter. */
TEST(file_shorter_than_size)
{
	unsigned char data[10] = "0123456789", got[20];
	struct k2e_source *s;
	struct k2e_err err;
	size_t n;

	if (!CHECK(k2e_file_source_new(test_memfd(data, 10), 20, &s, &err) == 0))
		return;
	CHECK(k2e_source_read(s, got, 20, 0, &n, &err) == 0);
	CHECK_U64(n, 10);
	CHECK(k2e_source_read_exact(s, got, 20, 0, &err) < 0);
	CHECK_CONTAINS(err.msg, "truncated at offset 0xa");
	k2e_source_free(s);
}

TEST(file_read_error)
{
	struct k2e_source *s;
	struct k2e_err err;
	unsigned char got[4];
	size_t n;
	int p[2];

	/* A pipe cannot be pread(): the error names the offset. */
	if (!CHECK(pipe(p) == 0))
		return;
	close(p[1]);
	if (!CHECK(k2e_file_source_new(p[0], 100, &s, &err) == 0))
		return;
	CHECK(k2e_source_read(s, got, 4, 8, &n, &err) < 0);
	CHECK_CONTAINS(err.msg, "read error at offset 0x8");
	k2e_source_free(s);
}
