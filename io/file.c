/* file.c - a seekable dump file read with pread(). */
#include "io/source.h"

#include <stdlib.h>
#include <unistd.h>

#include "lib/fileio.h"

struct file_source {
	struct k2e_source base;
	uint64_t size;
};

static int file_read(struct k2e_source *s, void *buf, size_t len, uint64_t off,
		     size_t *ret_got, struct k2e_err *err)
{
	struct file_source *f = (struct file_source *)s;

	if (off >= f->size) {
		*ret_got = 0;
		return 0;
	}
	if (len > f->size - off)
		len = (size_t)(f->size - off);
	return k2e_pread_all(s->fd, buf, len, off, ret_got, err);
}

static uint64_t file_size(struct k2e_source *s)
{
	return ((struct file_source *)s)->size;
}

static void file_free(struct k2e_source *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

static const struct k2e_source_ops file_ops = {
	.read = file_read,
	.size = file_size,
	.free = file_free,
};

int k2e_file_source_new(int fd, uint64_t size, struct k2e_source **ret, struct k2e_err *err)
{
	struct file_source *f = calloc(1, sizeof(*f));

	if (!f)
		return k2e_err_set(err, "out of memory");
	f->base.ops = &file_ops;
	f->base.kind = "file";
	f->base.random_access = true;
	f->base.fd = fd;
	f->size = size;
	*ret = &f->base;
	return 0;
}
