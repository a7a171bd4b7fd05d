/* Unit tests of lib/outfile: nobody sees a half-written file at the target. */
#include "tests/unit/harness.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* A failed create leaves nothing to free twice: o is safe to abort. */
TEST(outfile_create_failure_leaves_clean_state)
{
	char *dir = test_tmpdir(), path[4096];
	struct k2e_outfile o;
	struct k2e_err err;

	snprintf(path, sizeof(path), "%s/missing/out.core", dir);
	for (unsigned flags = 0; flags <= K2E_OUTFILE_VISIBLE_TMP; flags++) {
		CHECK(k2e_outfile_create_flags(&o, path, flags, &err) < 0);
		CHECK(o.path == NULL && o.tmp_path == NULL);
		CHECK_I64(o.fd, -1);
		k2e_outfile_abort(&o);
	}
	test_rmdir(dir);
}

static bool has_prefix_entry(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while ((de = readdir(d)))
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			found = true;
	closedir(d);
	return found;
}

/* The visible temporary (NFS has no O_TMPFILE): named as ours, gone after commit or abort. */
TEST(outfile_visible_temporary)
{
	char *dir = test_tmpdir(), path[4096], host[256], want[512];
	struct k2e_outfile o;
	struct k2e_err err;

	snprintf(path, sizeof(path), "%s/out.core", dir);
	gethostname(host, sizeof(host));
	snprintf(want, sizeof(want), ".out.core.k2e~%s~%d~", host, (int)getpid());
	if (!CHECK(k2e_outfile_create_flags(&o, path, K2E_OUTFILE_VISIBLE_TMP, &err) == 0))
		goto out;
	CHECK(o.tmp_path != NULL);
	CHECK(has_prefix_entry(dir, want));
	CHECK(write_str(o.fd, "first"));
	CHECK(access(path, F_OK) < 0);
	CHECK(k2e_outfile_commit(&o, false, &err) == 0);
	CHECK(file_is(path, "first"));
	CHECK_I64(test_dir_count(dir), 1);
	/* No replacing without force; with force, replaced. */
	if (CHECK(k2e_outfile_create_flags(&o, path, K2E_OUTFILE_VISIBLE_TMP, &err) == 0)) {
		CHECK(k2e_outfile_commit(&o, false, &err) < 0);
		CHECK_CONTAINS(err.msg, "already exists");
		CHECK_I64(test_dir_count(dir), 1);
		CHECK(o.path == NULL && o.tmp_path == NULL);
	}
	if (CHECK(k2e_outfile_create_flags(&o, path, K2E_OUTFILE_VISIBLE_TMP, &err) == 0)) {
		CHECK(write_str(o.fd, "forced"));
		CHECK(k2e_outfile_commit(&o, true, &err) == 0);
		CHECK(file_is(path, "forced"));
		CHECK_I64(test_dir_count(dir), 1);
	}
	if (CHECK(k2e_outfile_create_flags(&o, path, K2E_OUTFILE_VISIBLE_TMP, &err) == 0)) {
		CHECK_I64(test_dir_count(dir), 2);
		k2e_outfile_abort(&o);
		CHECK_I64(test_dir_count(dir), 1);
	}
out:
	test_rmdir(dir);
}

static void touch(const char *dir, const char *name)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (f)
		fclose(f);
}

static bool exists_in(const char *dir, const char *name)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

/* Temporaries a killed process left behind are removed by the next create there. */
TEST(outfile_removes_stale_temporaries)
{
	char *dir = test_tmpdir(), path[4096], host[256], dead[512], live[512], other[512],
	     odd[512], dead_force[512];
	struct k2e_outfile o;
	struct k2e_err err;
	pid_t child = fork();

	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);	/* now a pid nobody has */
	gethostname(host, sizeof(host));
	snprintf(dead, sizeof(dead), ".vm~core.elf.k2e~%s~%d~Ab12Cd", host, (int)child);
	snprintf(dead_force, sizeof(dead_force), ".x.k2e~%s~%d~000003", host, (int)child);
	snprintf(live, sizeof(live), ".vmcore.elf.k2e~%s~%d~Ab12Cd", host, (int)getpid());
	snprintf(other, sizeof(other), ".vmcore.elf.k2e~not-%s~%d~Ab12Cd", host, (int)child);
	snprintf(odd, sizeof(odd), ".vmcore.elf.k2x~%s~%d~Ab12Cd", host, (int)child);
	touch(dir, dead);
	touch(dir, dead_force);
	touch(dir, live);
	touch(dir, other);
	touch(dir, odd);
	touch(dir, "vmcore.elf");
	snprintf(path, sizeof(path), "%s/new.core", dir);
	if (CHECK(k2e_outfile_create(&o, path, &err) == 0))
		k2e_outfile_abort(&o);
	CHECK(!exists_in(dir, dead));
	CHECK(!exists_in(dir, dead_force));
	CHECK(exists_in(dir, live));		/* its process runs */
	CHECK(exists_in(dir, other));		/* another host's: its pid means nothing here */
	CHECK(exists_in(dir, odd));		/* not our form */
	CHECK(exists_in(dir, "vmcore.elf"));
	CHECK_I64(test_dir_count(dir), 4);
	test_rmdir(dir);
}

/* An output set: all targets appear, or none. */
static void outset_case(unsigned flags)
{
	char *dir = test_tmpdir(), p[3][4096];
	static const char *const names[3] = { "a.elf", "a.elf.gdb", "a.elf.sym" };
	struct k2e_outset set;
	struct k2e_outfile *f[3];
	struct k2e_err err;
	bool ok = true;

	for (int i = 0; i < 3; i++)
		snprintf(p[i], sizeof(p[i]), "%s/%s", dir, names[i]);

	/* Committed together. */
	k2e_outset_init(&set, false, flags);
	for (int i = 0; i < 3 && ok; i++)
		ok = CHECK(k2e_outset_add(&set, p[i], &f[i], &err) == 0) &&
		     CHECK(write_str(f[i]->fd, names[i]));
	CHECK(access(p[0], F_OK) < 0);
	if (ok)
		CHECKF(k2e_outset_commit_all(&set, &err) == 0, "%s", err.msg);
	else
		k2e_outset_abort_all(&set);
	for (int i = 0; i < 3; i++)
		CHECK(file_is(p[i], names[i]));
	CHECK_I64(test_dir_count(dir), 3);

	/* One target exists, no force: nothing changes, nothing is left. */
	unlink(p[0]);
	unlink(p[2]);
	k2e_outset_init(&set, false, flags);
	ok = true;
	for (int i = 0; i < 3 && ok; i++)
		ok = CHECK(k2e_outset_add(&set, p[i], &f[i], &err) == 0) &&
		     CHECK(write_str(f[i]->fd, "new"));
	if (ok) {
		CHECK(k2e_outset_commit_all(&set, &err) < 0);
		CHECK_CONTAINS(err.msg, "already exists");
		CHECK_CONTAINS(err.msg, "a.elf.gdb");
	} else {
		k2e_outset_abort_all(&set);
	}
	CHECK(access(p[0], F_OK) < 0 && access(p[2], F_OK) < 0);
	CHECK(file_is(p[1], names[1]));
	CHECK_I64(test_dir_count(dir), 1);

	/* The last cannot be put in place (a directory is there): the first two go again. */
	unlink(p[1]);
	CHECK(mkdir(p[2], 0755) == 0);
	snprintf(p[2] + strlen(p[2]), 64, "/x");
	touch(dir, "a.elf.sym/x");
	p[2][strlen(p[2]) - 2] = '\0';
	k2e_outset_init(&set, true, flags);
	ok = true;
	for (int i = 0; i < 3 && ok; i++)
		ok = CHECK(k2e_outset_add(&set, p[i], &f[i], &err) == 0);
	if (ok) {
		CHECK(k2e_outset_commit_all(&set, &err) < 0);
		CHECK_CONTAINS(err.msg, "a.elf.sym");
	} else {
		k2e_outset_abort_all(&set);
	}
	CHECK(access(p[0], F_OK) < 0 && access(p[1], F_OK) < 0);
	CHECK_I64(test_dir_count(dir), 1);	/* the directory only */

	/* Dropped members and aborted sets leave nothing. */
	k2e_outset_init(&set, true, flags);
	if (CHECK(k2e_outset_add(&set, p[0], &f[0], &err) == 0) &&
	    CHECK(k2e_outset_add(&set, p[1], &f[1], &err) == 0)) {
		k2e_outset_drop(&set, f[0]);
		CHECKF(k2e_outset_commit_all(&set, &err) == 0, "%s", err.msg);
		CHECK(access(p[0], F_OK) < 0 && access(p[1], F_OK) == 0);
	} else {
		k2e_outset_abort_all(&set);
	}
	k2e_outset_init(&set, true, flags);
	if (CHECK(k2e_outset_add(&set, p[0], &f[0], &err) == 0))
		k2e_outset_abort_all(&set);
	CHECK(access(p[0], F_OK) < 0);
	CHECK_I64(test_dir_count(dir), 2);
	test_rmdir(dir);
}

TEST(outset_all_or_nothing)
{
	outset_case(0);
}

TEST(outset_all_or_nothing_visible_temporaries)
{
	outset_case(K2E_OUTFILE_VISIBLE_TMP);
}
