/*
 * fuzz_flat - the input as a flattened stream (makedumpfile -F), opened
 * twice: as a seekable file (the stream skims record headers first) and as a
 * pipe would be (its first 16 bytes already read, no skim) with a small
 * memory limit, so records spill to the temporary file.
 */
#include "tests/fuzz/fuzz-common.h"

static void one_pass(const uint8_t *data, size_t size, bool like_pipe)
{
	unsigned char head[16];
	size_t head_len = 0;
	struct k2e_source *src;
	struct k2e_err err;
	int fd = fuzz_memfd(data, size);

	if (fd < 0)
		return;
	if (like_pipe) {
		head_len = size < sizeof(head) ? size : sizeof(head);
		memcpy(head, data, head_len);
		if (lseek(fd, (off_t)head_len, SEEK_SET) < 0) {
			close(fd);
			return;
		}
	}
	/* The stream owns fd from here, also on failure. */
	if (k2e_stream_source_new(fd, head_len ? head : NULL, head_len, true, NULL,
				  like_pipe ? 16384 : 0, &src, &err) < 0)
		return;
	fuzz_open_and_walk(src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one_pass(data, size, false);
	one_pass(data, size, true);
	return 0;
}
