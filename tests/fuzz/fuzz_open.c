/*
 * fuzz_open - the input as a seekable dump file (memfd + file source); the
 * probe picks the format: kdump-compressed, diskdump or ELF.
 */
#include "tests/fuzz/fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct k2e_source *src;
	struct k2e_err err;
	int fd = fuzz_memfd(data, size);

	if (fd < 0)
		return 0;
	if (k2e_file_source_new(fd, size, &src, &err) < 0) {
		close(fd);
		return 0;
	}
	fuzz_open_and_walk(src);
	return 0;
}
