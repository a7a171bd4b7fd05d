/* open.c - choose the source kind for an input path. */
#include "io/source.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fileio.h"

/* makedumpfile.h: MAKEDUMPFILE_SIGNATURE, in a 16-byte field. */
static const char flat_sig[16] = "makedumpfile";

/* Pipe buffer asked for on pipe input: the default pipe-max-size. */
enum { PIPE_BUFFER_BYTES = 1 << 20 };

bool k2e_flat_signature(const void *head, size_t len)
{
	return len >= sizeof(flat_sig) && memcmp(head, flat_sig, sizeof(flat_sig)) == 0;
}

int k2e_source_open(const char *path, const char *spill_dir, size_t mem_limit,
		    struct k2e_source **ret, struct k2e_err *err)
{
	unsigned char head[16];
	struct stat st;
	size_t n;
	int fd;

	if (strcmp(path, "-") == 0) {
		fd = dup(STDIN_FILENO);
		if (fd < 0)
			return k2e_err_errno(err, errno, "cannot read standard input");
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return k2e_err_errno(err, errno, "cannot open");
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return k2e_err_errno(err, e, "cannot stat");
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return k2e_err_set(err, "is a directory");
	}
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) {
		uint64_t size = (uint64_t)st.st_size;

		if (S_ISBLK(st.st_mode)) {
			off_t end = lseek(fd, 0, SEEK_END);

			size = end < 0 ? 0 : (uint64_t)end;
		}
		if (k2e_pread_all(fd, head, sizeof(head), 0, &n, err) < 0) {
			close(fd);
			return -1;
		}
		if (k2e_flat_signature(head, n)) {
			/* One front-to-back pass over the records. */
			if (lseek(fd, 0, SEEK_SET) < 0) {
				int e = errno;

				close(fd);
				return k2e_err_errno(err, e, "cannot seek");
			}
			return k2e_stream_source_new(fd, NULL, 0, true, spill_dir, mem_limit,
						     ret, err);
		}
		return k2e_file_source_new(fd, size, ret, err);
	}
	/*
	 * A pipe or character device: look at its front, then stream it.  A
	 * bigger pipe buffer lets the writer run ahead between our reads
	 * (fewer wakeups on both sides); refusal (pipe-max-size) is harmless.
	 */
	if (S_ISFIFO(st.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, PIPE_BUFFER_BYTES);
	if (k2e_read_all(fd, head, sizeof(head), 0, &n, err) < 0) {
		close(fd);
		return -1;
	}
	return k2e_stream_source_new(fd, head, n, k2e_flat_signature(head, n),
				     spill_dir, mem_limit, ret, err);
}

int k2e_source_read_exact(struct k2e_source *s, void *buf, size_t len, uint64_t off,
			  struct k2e_err *err)
{
	size_t got;

	if (k2e_source_read(s, buf, len, off, &got, err) < 0)
		return -1;
	if (got < len)
		return k2e_err_set(err, "truncated at offset 0x%llx (wanted 0x%zx bytes at 0x%llx)",
				   (unsigned long long)(off + got), len, (unsigned long long)off);
	return 0;
}

void k2e_source_free(struct k2e_source *s)
{
	if (s)
		s->ops->free(s);
}

bool k2e_source_identity(const struct k2e_source *s, uint64_t *ret_dev, uint64_t *ret_ino)
{
	struct stat st;

	if (s->fd < 0 || fstat(s->fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)))
		return false;
	*ret_dev = (uint64_t)st.st_dev;
	*ret_ino = (uint64_t)st.st_ino;
	return true;
}
