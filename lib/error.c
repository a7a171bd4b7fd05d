#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int k2e_err_set(struct k2e_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int k2e_err_errno(struct k2e_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(errnum));
	return -1;
}

int k2e_err_prefix(struct k2e_err *err, const char *fmt, ...)
{
	char old[K2E_ERR_MSG_MAX];
	va_list ap;
	int n;

	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(err->msg)) {
		size_t room = sizeof(err->msg) - (size_t)n;

		/* A chain too long for the buffer is cut, like any long message. */
		if ((size_t)snprintf(err->msg + n, room, ": %s", old) >= room)
			err->msg[sizeof(err->msg) - 1] = '\0';
	}
	return -1;
}

void k2e_err_clear(struct k2e_err *err)
{
	err->msg[0] = '\0';
}
