/* fileio.h - whole reads and writes at an offset, retried on EINTR and short counts. */
#ifndef K2E_FILEIO_H
#define K2E_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

/* Write all len bytes at off; the message names the offset that failed. */
int k2e_pwrite_all(int fd, const void *buf, size_t len, uint64_t off, struct k2e_err *err);

#endif
