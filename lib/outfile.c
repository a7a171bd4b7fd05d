#include "lib/outfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Visible temporaries: ".NAME" TMP_TAG "HOST~PID~XXXXXX" (see outfile.h). */
static const char tmp_tag[] = ".k2e~";

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* This machine's name as it goes into temporary names. */
static void host_tag(char *buf, size_t size)
{
	if (gethostname(buf, size) < 0 || !buf[0])
		snprintf(buf, size, "localhost");
	buf[size - 1] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '~' || *p == '/')
			*p = '_';
}

/*
 * Whether name is a temporary of ours from this host whose process is gone.
 * The form is parsed from the right: NAME may hold anything.
 */
static bool stale_tmp(const char *name, const char *host)
{
	size_t n = strlen(name), hlen = strlen(host), tlen = strlen(tmp_tag), i3, i2, i1;
	char *num_end;
	long pid;

	if (name[0] != '.' || n < 2)
		return false;
	for (i3 = n - 1; i3 > 0 && name[i3] != '~'; i3--)
		;
	if (i3 == 0 || i3 == n - 1)
		return false;		/* the '~' before XXXXXX */
	for (i2 = i3 - 1; i2 > 0 && name[i2] != '~'; i2--)
		;
	if (i2 == 0 || i2 + 1 == i3)
		return false;		/* the '~' before PID */
	if (i2 < hlen + 1 + tlen)
		return false;
	i1 = i2 - hlen - 1;		/* the '~' closing tmp_tag, before HOST */
	if (memcmp(name + i1 + 1 - tlen, tmp_tag, tlen) != 0 || memcmp(name + i1 + 1, host, hlen) != 0)
		return false;
	errno = 0;
	pid = strtol(name + i2 + 1, &num_end, 10);
	if (errno || num_end != name + i3 || pid <= 0 || pid > INT_MAX)
		return false;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* Best effort: a failure only leaves the stale files where they were. */
static void remove_stale(const char *dir)
{
	char host[HOST_NAME_MAX + 1];
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	host_tag(host, sizeof(host));
	while ((de = readdir(d)))
		if (de->d_name[0] == '.' && strstr(de->d_name, tmp_tag) &&
		    stale_tmp(de->d_name, host))
			(void)unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

/* "DIR/.BASE.k2e~HOST~PID~" followed by room for a 6-character suffix. */
static char *tmp_name(const char *dir, const char *base)
{
	char host[HOST_NAME_MAX + 1];
	size_t len;
	char *t;

	host_tag(host, sizeof(host));
	len = strlen(dir) + strlen(base) + strlen(host) + 64;
	t = malloc(len);
	if (t)
		snprintf(t, len, "%s/.%s%s%s~%d~", dir, base, tmp_tag, host, (int)getpid());
	return t;
}

/*
 * The process umask, without umask(2)'s set-and-restore, which would race
 * with other threads creating files (batch mode converts in parallel).
 */
static mode_t current_umask(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	unsigned int mask = 022;

	if (!f)
		return 022;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Umask: %o", &mask) == 1)
			break;
	fclose(f);
	return (mode_t)mask;
}

static void outfile_clear(struct k2e_outfile *o)
{
	o->fd = -1;
	o->path = NULL;
	o->tmp_path = NULL;
}

int k2e_outfile_create_flags(struct k2e_outfile *o, const char *path, unsigned flags,
			     struct k2e_err *err)
{
	char *target = strdup(path), *dir = dir_of(path), *tmp;
	int fd;

	outfile_clear(o);
	if (!target || !dir) {
		free(target);
		free(dir);
		return k2e_err_set(err, "out of memory");
	}
	if (flags & K2E_OUTFILE_MEMORY) {
		free(dir);
		fd = memfd_create(base_of(path), MFD_CLOEXEC);
		if (fd < 0) {
			k2e_err_errno(err, errno, "cannot make '%s' in memory", path);
			free(target);
			return -1;
		}
		o->fd = fd;
		o->path = target;
		return 0;
	}
	remove_stale(dir);
	if (!(flags & K2E_OUTFILE_VISIBLE_TMP)) {
		/* O_TMPFILE applies the umask itself. */
		fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
		if (fd >= 0) {
			free(dir);
			o->fd = fd;
			o->path = target;
			return 0;
		}
		if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
			k2e_err_errno(err, errno, "cannot create a file in '%s'", dir);
			free(target);
			free(dir);
			return -1;
		}
	}
	tmp = tmp_name(dir, base_of(path));
	free(dir);
	if (!tmp || !(tmp = realloc(tmp, strlen(tmp) + 7))) {
		free(target);
		return k2e_err_set(err, "out of memory");
	}
	strcat(tmp, "XXXXXX");
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		k2e_err_errno(err, errno, "cannot create '%s'", tmp);
		free(tmp);
		free(target);
		return -1;
	}
	(void)fchmod(fd, 0666 & ~current_umask());
	o->fd = fd;
	o->path = target;
	o->tmp_path = tmp;
	return 0;
}

int k2e_outfile_create(struct k2e_outfile *o, const char *path, struct k2e_err *err)
{
	return k2e_outfile_create_flags(o, path, 0, err);
}

/* Write a directory's entries to disk (where the file system can). */
static int sync_dir(const char *dir, struct k2e_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return k2e_err_errno(err, errno, "cannot open directory '%s'", dir);
	if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP) {
		int e = errno;

		close(fd);
		return k2e_err_errno(err, e, "cannot write directory '%s' to disk", dir);
	}
	close(fd);
	return 0;
}

static int sync_data(struct k2e_outfile *o, struct k2e_err *err)
{
	if (fsync(o->fd) < 0 && errno != EINVAL && errno != EROFS)
		return k2e_err_errno(err, errno, "cannot write '%s' to disk", o->path);
	return 0;
}

static int link_error(struct k2e_outfile *o, int e, struct k2e_err *err)
{
	if (e == EEXIST)
		return k2e_err_set(err, "'%s' already exists", o->path);
	return k2e_err_errno(err, e, "cannot create '%s'", o->path);
}

/*
 * Put o's file at o->path.  On success the temporary name is gone; on
 * failure o is as it was (the caller aborts it).
 */
static int link_in_place(struct k2e_outfile *o, bool force, struct k2e_err *err)
{
	char proc[64];
	int rc;

	if (o->tmp_path) {
		if (force)
			rc = rename(o->tmp_path, o->path);
		else
			rc = renameat2(AT_FDCWD, o->tmp_path, AT_FDCWD, o->path, RENAME_NOREPLACE);
		if (rc < 0 && !force && errno == EINVAL) {
			/* No RENAME_NOREPLACE here: link() also refuses to replace. */
			rc = link(o->tmp_path, o->path);
			if (rc == 0)
				unlink(o->tmp_path);
		}
		if (rc < 0)
			return link_error(o, errno, err);
		free(o->tmp_path);
		o->tmp_path = NULL;
		return 0;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	rc = linkat(AT_FDCWD, proc, AT_FDCWD, o->path, AT_SYMLINK_FOLLOW);
	if (rc < 0 && errno == EEXIST && force) {
		/* Link under a temporary name of ours, then rename over the old file. */
		char *dir = dir_of(o->path), *tmp = dir ? tmp_name(dir, base_of(o->path)) : NULL;
		char *t2 = tmp ? realloc(tmp, strlen(tmp) + 16) : NULL;
		size_t len;

		free(dir);
		if (!t2) {
			free(tmp);
			return k2e_err_set(err, "out of memory");
		}
		tmp = t2;
		len = strlen(tmp);
		for (unsigned i = 0; i < 1000; i++) {
			snprintf(tmp + len, 16, "%06u", i);
			rc = linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW);
			if (rc == 0 || errno != EEXIST)
				break;
		}
		if (rc == 0 && rename(tmp, o->path) < 0) {
			int e = errno;

			unlink(tmp);
			errno = e;
			rc = -1;
		}
		free(tmp);
	}
	if (rc < 0)
		return link_error(o, errno, err);
	return 0;
}

static void outfile_release(struct k2e_outfile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	free(o->path);
	free(o->tmp_path);
	outfile_clear(o);
}

int k2e_outfile_commit(struct k2e_outfile *o, bool force, struct k2e_err *err)
{
	char *dir;

	if (sync_data(o, err) < 0 || link_in_place(o, force, err) < 0) {
		k2e_outfile_abort(o);
		return -1;
	}
	dir = dir_of(o->path);
	if (!dir || sync_dir(dir, err) < 0) {
		if (!dir)
			k2e_err_set(err, "out of memory");
		unlink(o->path);	/* not known to be on disk: not there at all */
		free(dir);
		outfile_release(o);
		return -1;
	}
	free(dir);
	outfile_release(o);
	return 0;
}

void k2e_outfile_abort(struct k2e_outfile *o)
{
	if (o->tmp_path)
		unlink(o->tmp_path);
	outfile_release(o);
}

void k2e_outset_init(struct k2e_outset *s, bool force, unsigned flags)
{
	s->files = NULL;
	s->n = s->cap = 0;
	s->force = force;
	s->flags = flags;
}

int k2e_outset_add(struct k2e_outset *s, const char *path, struct k2e_outfile **ret,
		   struct k2e_err *err)
{
	struct k2e_outfile *o;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 4;
		struct k2e_outfile **v = realloc(s->files, cap * sizeof(*v));

		if (!v)
			return k2e_err_set(err, "out of memory");
		s->files = v;
		s->cap = cap;
	}
	o = malloc(sizeof(*o));
	if (!o)
		return k2e_err_set(err, "out of memory");
	if (k2e_outfile_create_flags(o, path, s->flags, err) < 0) {
		free(o);
		return -1;
	}
	s->files[s->n++] = o;
	*ret = o;
	return 0;
}

void k2e_outset_drop(struct k2e_outset *s, struct k2e_outfile *o)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->files[i] != o)
			continue;
		k2e_outfile_abort(o);
		free(o);
		memmove(&s->files[i], &s->files[i + 1], (s->n - i - 1) * sizeof(*s->files));
		s->n--;
		return;
	}
}

static void outset_release(struct k2e_outset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		k2e_outfile_abort(s->files[i]);
		free(s->files[i]);
	}
	free(s->files);
	s->files = NULL;
	s->n = s->cap = 0;
}

void k2e_outset_abort_all(struct k2e_outset *s)
{
	outset_release(s);
}

void k2e_outset_take(struct k2e_outset *s, struct k2e_outfile ***ret, size_t *ret_n)
{
	*ret = s->files;
	*ret_n = s->n;
	s->files = NULL;
	s->n = s->cap = 0;
}

int k2e_outset_commit_all(struct k2e_outset *s, struct k2e_err *err)
{
	size_t linked = 0;
	struct stat st;

	if (!s->force) {
		for (size_t i = 0; i < s->n; i++) {
			if (lstat(s->files[i]->path, &st) == 0) {
				k2e_err_set(err, "'%s' already exists", s->files[i]->path);
				goto fail;
			}
			if (errno != ENOENT) {
				k2e_err_errno(err, errno, "cannot create '%s'", s->files[i]->path);
				goto fail;
			}
		}
	}
	for (size_t i = 0; i < s->n; i++)
		if (sync_data(s->files[i], err) < 0)
			goto fail;
	for (; linked < s->n; linked++)
		if (link_in_place(s->files[linked], s->force, err) < 0)
			goto fail;
	/* Each directory once. */
	for (size_t i = 0; i < s->n; i++) {
		char *dir = dir_of(s->files[i]->path);
		bool seen = false;

		if (!dir) {
			k2e_err_set(err, "out of memory");
			goto fail;
		}
		for (size_t j = 0; j < i && !seen; j++) {
			char *other = dir_of(s->files[j]->path);

			seen = other && strcmp(other, dir) == 0;
			free(other);
		}
		if (!seen && sync_dir(dir, err) < 0) {
			free(dir);
			goto fail;
		}
		free(dir);
	}
	for (size_t i = 0; i < s->n; i++) {
		outfile_release(s->files[i]);
		free(s->files[i]);
	}
	s->n = 0;
	outset_release(s);
	return 0;
fail:
	/* What is already in place goes again: all or nothing. */
	for (size_t i = 0; i < linked; i++)
		unlink(s->files[i]->path);
	outset_release(s);
	return -1;
}
