/* bench-io.h - whole-buffer positioned I/O for the benchmark's own programs. */
#ifndef K2E_BENCH_IO_H
#define K2E_BENCH_IO_H

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

/* len bytes at off, retried on EINTR and short writes; -1 with errno on failure. */
static inline int bench_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf = (const char *)buf + n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

#endif
