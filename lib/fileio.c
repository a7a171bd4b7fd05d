#include "lib/fileio.h"

#include <errno.h>
#include <unistd.h>

int k2e_pwrite_all(int fd, const void *buf, size_t len, uint64_t off, struct k2e_err *err)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return k2e_err_errno(err, errno, "cannot write output at offset 0x%llx",
					     (unsigned long long)(off + done));
		}
		done += (size_t)n;
	}
	return 0;
}
