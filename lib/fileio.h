/*
 * fileio.h - whole reads and writes, retried on EINTR and short counts.
 *
 * Every function returns 0 or -1 with err set to a message that names the
 * offset where the failure happened ("read error at offset 0x1000: ...");
 * callers prefix the file's name.  They never print.
 */
#ifndef K2E_FILEIO_H
#define K2E_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

/*
 * Read up to len bytes at off with pread(), as many as there are: *ret_got
 * is len unless the file ends first.  Only a read error is an error.
 */
int k2e_pread_all(int fd, void *buf, size_t len, uint64_t off, size_t *ret_got,
		  struct k2e_err *err);

/* Exactly len bytes at off; reaching the end first is "truncated at offset ...". */
int k2e_pread_exact(int fd, void *buf, size_t len, uint64_t off, struct k2e_err *err);

/*
 * Read up to len bytes from fd's current position with read() (pipes too),
 * as many as there are before the end of input: *ret_got.  pos is the
 * offset of that position in the input, for messages only.
 */
int k2e_read_all(int fd, void *buf, size_t len, uint64_t pos, size_t *ret_got,
		 struct k2e_err *err);

/* Write all len bytes at off; the message names the offset that failed. */
int k2e_pwrite_all(int fd, const void *buf, size_t len, uint64_t off, struct k2e_err *err);

/* Write all len bytes at fd's current position (pipes too). */
int k2e_write_all(int fd, const void *buf, size_t len, struct k2e_err *err);

#endif
