#include "cli/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/util.h"
#include "lib/outfile.h"

char *k2e_cli_read_small(const char *path, size_t max, size_t *ret_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	size_t len = 0;

	if (fd < 0)
		return NULL;
	buf = k2e_xrealloc(NULL, max + 1);
	for (;;) {
		ssize_t n = read(fd, buf + len, max - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == max)
			break;
	}
	close(fd);
	buf[len] = '\0';
	*ret_len = len;
	return buf;
}

int k2e_cli_write_text(const char *path, const char *text, size_t len, struct k2e_err *err)
{
	struct k2e_outfile o;
	size_t done = 0;

	if (strcmp(path, "-") == 0) {
		if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0)
			return k2e_err_errno(err, errno, "cannot write to standard output");
		return 0;
	}
	if (k2e_outfile_create(&o, path, err) < 0)
		return -1;
	while (done < len) {
		ssize_t n = write(o.fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			k2e_outfile_abort(&o);
			return k2e_err_errno(err, e, "cannot write '%s'", path);
		}
		done += (size_t)n;
	}
	return k2e_outfile_commit(&o, true, err);
}

int k2e_cli_mkdir_p(const char *path, struct k2e_err *err)
{
	char *p = k2e_xstrdup(path);

	for (char *s = p + (p[0] != '\0'); *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			int e = errno;

			k2e_err_errno(err, e, "cannot create directory '%s'", p);
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, 0777) < 0 && errno != EEXIST) {
		k2e_err_errno(err, errno, "cannot create directory '%s'", p);
		free(p);
		return -1;
	}
	free(p);
	return 0;
}
