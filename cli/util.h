/*
 * util.h - what every cli file needs: allocation that cannot fail (out of
 * memory, it says so and exits with K2E_EXIT_ERROR, so callers never
 * check) and the time since a start.
 */
#ifndef K2E_CLI_UTIL_H
#define K2E_CLI_UTIL_H

#include <stddef.h>
#include <time.h>

char *k2e_xstrdup(const char *s);
/* realloc(p, n), n == 0 allocating one byte. */
void *k2e_xrealloc(void *p, size_t n);
char *k2e_xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Seconds since t0 (CLOCK_MONOTONIC). */
double k2e_elapsed(const struct timespec *t0);

#endif
