/*
 * fuzz_identify - formats/identify.c: what the input is, from its bytes
 * (a memory file), as batch mode sorts a directory.  A piece must say
 * which pfns it holds in order.
 */
#include "tests/fuzz/fuzz-common.h"

#include "formats/identify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct k2e_ident id;
	struct k2e_err err;
	int fd = fuzz_memfd(data, size);

	if (fd < 0)
		return 0;
	if (k2e_identify_fd(fd, &id, &err) == 0) {
		if (id.kind != K2E_IDENT_NOT_DUMP && id.kind != K2E_IDENT_K2E_CORE && !id.format)
			__builtin_trap();	/* a dump of no format */
	}
	close(fd);
	return 0;
}
