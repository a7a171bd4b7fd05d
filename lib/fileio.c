#include "lib/fileio.h"

#include <errno.h>
#include <unistd.h>

int k2e_pread_all(int fd, void *buf, size_t len, uint64_t off, size_t *ret_got,
		  struct k2e_err *err)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return k2e_err_errno(err, errno, "read error at offset 0x%llx",
					     (unsigned long long)(off + got));
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*ret_got = got;
	return 0;
}

int k2e_pread_exact(int fd, void *buf, size_t len, uint64_t off, struct k2e_err *err)
{
	size_t got;

	if (k2e_pread_all(fd, buf, len, off, &got, err) < 0)
		return -1;
	if (got < len)
		return k2e_err_set(err, "truncated at offset 0x%llx", (unsigned long long)(off + got));
	return 0;
}

int k2e_read_all(int fd, void *buf, size_t len, uint64_t pos, size_t *ret_got,
		 struct k2e_err *err)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return k2e_err_errno(err, errno, "read error at offset 0x%llx",
					     (unsigned long long)(pos + got));
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*ret_got = got;
	return 0;
}

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

int k2e_write_all(int fd, const void *buf, size_t len, struct k2e_err *err)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return k2e_err_errno(err, errno, "write error after %zu bytes", done);
		}
		done += (size_t)n;
	}
	return 0;
}
