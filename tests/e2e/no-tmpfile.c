/*
 * no-tmpfile.c - an LD_PRELOAD shim for tests: open() with O_TMPFILE fails
 * with EOPNOTSUPP, as on NFS, so lib/outfile.c takes its visible-temporary
 * path (.NAME.k2e~HOST~PID~XXXXXX).  Built by tests/e2e/batch-kill.sh:
 *   cc -shared -fPIC -o no-tmpfile.so no-tmpfile.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/types.h>

typedef int (*open_fn)(const char *, int, ...);

static int call(const char *name, const char *path, int flags, va_list ap)
{
	open_fn real = (open_fn)dlsym(RTLD_NEXT, name);
	mode_t mode = 0;

	if ((flags & O_TMPFILE) == O_TMPFILE) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if (flags & O_CREAT)
		mode = va_arg(ap, mode_t);
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(path, flags, mode);
}

int open(const char *path, int flags, ...);
int open64(const char *path, int flags, ...);

int open(const char *path, int flags, ...)
{
	va_list ap;
	int rc;

	va_start(ap, flags);
	rc = call("open", path, flags, ap);
	va_end(ap);
	return rc;
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	int rc;

	va_start(ap, flags);
	rc = call("open64", path, flags, ap);
	va_end(ap);
	return rc;
}
