/*
 * fuzz_printk - analysis/printk.c and analysis/panic.c over a small kernel
 * image (tests/fuzz/fuzz-kernel.h): which log layout the VMCOREINFO
 * describes, then one walk of the log (lockless ring of 5.10+, records of
 * 3.5-5.9, or the plain buffer) formatted as makedumpfile prints it and
 * scanned for the panic.  Seeds: both ring layouts and the plain buffer.
 */
#include "tests/fuzz/fuzz-kernel.h"

#include "analysis/panic.h"
#include "analysis/printk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct k2e_kernel *k = fuzz_kernel(data, size);
	enum k2e_log_layout layout;
	struct k2e_panic panic;
	struct k2e_err err;
	char *text = NULL;
	size_t len = 0;

	if (!k)
		return 0;
	if (k2e_printk_layout(k, &layout, &err) == 0 &&
	    k2e_panic_read(k, &panic, &text, &len, &err) == 0) {
		if (memchr(panic.message, 0, sizeof(panic.message)) == NULL ||
		    memchr(panic.comm, 0, sizeof(panic.comm)) == NULL || (len && !text))
			__builtin_trap();	/* unterminated strings */
	}
	free(text);
	k2e_kernel_free(k);
	return 0;
}
