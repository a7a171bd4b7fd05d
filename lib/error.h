/*
 * error.h - error reporting for the kdump2elf library layers.
 *
 * Library functions never print.  A failing function fills a caller-owned
 * struct k2e_err and returns -1 (or a negative status); each caller may
 * prepend its own context with k2e_err_prefix(), so the command line finally
 * prints one line such as
 *
 *     dump.3: pfn 0x5000: page descriptor at 0x1a2b0: zstd: corrupted block
 *
 * Messages are lowercase, without a trailing full stop, and say what is
 * wrong first.
 */
#ifndef K2E_ERROR_H
#define K2E_ERROR_H

#include <stddef.h>

enum { K2E_ERR_MSG_MAX = 1024 };

struct k2e_err {
	char msg[K2E_ERR_MSG_MAX];
};

/* Replace the message.  Always returns -1 so callers can `return k2e_err_set(...)`. */
int k2e_err_set(struct k2e_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like k2e_err_set(), with ": strerror(errnum)" appended. */
int k2e_err_errno(struct k2e_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepend "CONTEXT: " to the current message.  Returns -1. */
int k2e_err_prefix(struct k2e_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Clear the message. */
void k2e_err_clear(struct k2e_err *err);

#endif
