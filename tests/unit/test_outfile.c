/* Unit tests of lib/outfile: nobody sees a half-written file at the target. */
#include "tests/unit/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/outfile.h"

static bool file_is(const char *path, const char *content)
{
	char buf[256];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return n == strlen(content) && memcmp(buf, content, n) == 0;
}

static bool write_str(int fd, const char *s)
{
	return write(fd, s, strlen(s)) == (ssize_t)strlen(s);
}

TEST(outfile_create_commit)
{
	char *dir = test_tmpdir(), path[4096];
	struct k2e_outfile o;
	struct k2e_err err;
	struct stat st;

	snprintf(path, sizeof(path), "%s/out.core", dir);
	if (!CHECK(k2e_outfile_create(&o, path, &err) == 0))
		goto out;
	CHECK(o.fd >= 0);
	CHECK(write_str(o.fd, "first"));
	/* Not visible under the target's name until committed. */
	CHECK(access(path, F_OK) < 0);
	CHECK(k2e_outfile_commit(&o, false, &err) == 0);
	CHECK(file_is(path, "first"));
	CHECK_I64(o.fd, -1);
	CHECK(o.path == NULL && o.tmp_path == NULL);
	CHECK_I64(test_dir_count(dir), 1);
	/* Permissions follow the umask like any created file. */
	if (CHECK(stat(path, &st) == 0)) {
		mode_t mask = umask(0);

		umask(mask);
		CHECK_U64(st.st_mode & 0777, 0666 & ~mask);
	}
out:
	test_rmdir(dir);
}

TEST(outfile_no_replace_without_force)
{
	char *dir = test_tmpdir(), path[4096];
	struct k2e_outfile o;
	struct k2e_err err;

	snprintf(path, sizeof(path), "%s/out.core", dir);
	{
		FILE *f = fopen(path, "wb");

		fputs("old", f);
		fclose(f);
	}
	if (!CHECK(k2e_outfile_create(&o, path, &err) == 0))
		goto out;
	CHECK(write_str(o.fd, "new contents"));
	CHECK(k2e_outfile_commit(&o, false, &err) < 0);
	CHECK_CONTAINS(err.msg, "already exists");
	CHECK_CONTAINS(err.msg, path);
	/* The old file is untouched, and nothing else was left behind. */
	CHECK(file_is(path, "old"));
	CHECK_I64(test_dir_count(dir), 1);
	CHECK_I64(o.fd, -1);
	/* With force, it is replaced. */
	if (CHECK(k2e_outfile_create(&o, path, &err) == 0)) {
		CHECK(write_str(o.fd, "forced"));
		CHECK(k2e_outfile_commit(&o, true, &err) == 0);
		CHECK(file_is(path, "forced"));
		CHECK_I64(test_dir_count(dir), 1);
	}
out:
	test_rmdir(dir);
}

TEST(outfile_abort_leaves_nothing)
{
	char *dir = test_tmpdir(), path[4096];
	struct k2e_outfile o;
	struct k2e_err err;

	snprintf(path, sizeof(path), "%s/out.core", dir);
	if (!CHECK(k2e_outfile_create(&o, path, &err) == 0))
		goto out;
	CHECK(write_str(o.fd, "half written"));
	k2e_outfile_abort(&o);
	CHECK_I64(test_dir_count(dir), 0);
	CHECK(access(path, F_OK) < 0);
	CHECK_I64(o.fd, -1);
	CHECK(o.path == NULL && o.tmp_path == NULL);
	/* Aborting twice is harmless. */
	k2e_outfile_abort(&o);
	CHECK_I64(test_dir_count(dir), 0);
out:
	test_rmdir(dir);
}

TEST(outfile_bad_directory)
{
	char *dir = test_tmpdir(), path[4096];
	struct k2e_outfile o;
	struct k2e_err err;

	snprintf(path, sizeof(path), "%s/missing/out.core", dir);
	CHECK(k2e_outfile_create(&o, path, &err) < 0);
	CHECK_CONTAINS(err.msg, "No such file or directory");
	CHECK_CONTAINS(err.msg, "missing");
	CHECK_I64(test_dir_count(dir), 0);
	test_rmdir(dir);
}
