#include "lib/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir_of(const char *path)
{
	char *copy = strdup(path), *dir;

	if (!copy)
		return NULL;
	dir = strdup(dirname(copy));
	free(copy);
	return dir;
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

int k2e_outfile_create(struct k2e_outfile *o, const char *path, struct k2e_err *err)
{
	char *dir, *copy, *tmp;
	mode_t mask;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->path = strdup(path);
	dir = dir_of(path);
	if (!o->path || !dir) {
		free(dir);
		free(o->path);
		return k2e_err_set(err, "out of memory");
	}
	/* O_TMPFILE applies the umask itself. */
	o->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
	if (o->fd >= 0) {
		free(dir);
		return 0;
	}
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
		int e = errno;

		free(o->path);
		k2e_err_errno(err, e, "cannot create a file in '%s'", dir);
		free(dir);
		return -1;
	}
	copy = strdup(path);
	tmp = copy ? malloc(strlen(path) + 16) : NULL;
	if (!tmp) {
		free(copy);
		free(dir);
		free(o->path);
		return k2e_err_set(err, "out of memory");
	}
	sprintf(tmp, "%s/.%s.XXXXXX", dir, basename(copy));
	free(copy);
	free(dir);
	o->fd = mkstemp(tmp);
	if (o->fd < 0) {
		int e = errno;

		free(o->path);
		k2e_err_errno(err, e, "cannot create '%s'", tmp);
		free(tmp);
		return -1;
	}
	mask = current_umask();
	fchmod(o->fd, 0666 & ~mask);
	o->tmp_path = tmp;
	return 0;
}

int k2e_outfile_commit(struct k2e_outfile *o, bool force, struct k2e_err *err)
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
		if (rc < 0) {
			int e = errno;

			if (e == EEXIST)
				k2e_err_set(err, "'%s' already exists", o->path);
			else
				k2e_err_errno(err, e, "cannot create '%s'", o->path);
			k2e_outfile_abort(o);
			return -1;
		}
		free(o->tmp_path);
		o->tmp_path = NULL;
	} else {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
		rc = linkat(AT_FDCWD, proc, AT_FDCWD, o->path, AT_SYMLINK_FOLLOW);
		if (rc < 0 && errno == EEXIST && force) {
			/* Link under a temporary name, then rename over the old file. */
			size_t len = strlen(o->path) + 16;
			char *tmp = malloc(len);

			if (!tmp) {
				k2e_outfile_abort(o);
				return k2e_err_set(err, "out of memory");
			}
			for (int i = 0; i < 100; i++) {
				snprintf(tmp, len, "%s.k2e%d", o->path, (int)getpid() + i);
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
		if (rc < 0) {
			int e = errno;

			if (e == EEXIST)
				k2e_err_set(err, "'%s' already exists", o->path);
			else
				k2e_err_errno(err, e, "cannot create '%s'", o->path);
			k2e_outfile_abort(o);
			return -1;
		}
	}
	close(o->fd);
	o->fd = -1;
	free(o->path);
	o->path = NULL;
	return 0;
}

void k2e_outfile_abort(struct k2e_outfile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->tmp_path)
		unlink(o->tmp_path);
	free(o->tmp_path);
	o->tmp_path = NULL;
	free(o->path);
	o->path = NULL;
}
