/*
 * fuzz_kallsyms_locate - kernel/kallsyms-locate over the input as a kernel
 * image.  The first byte chooses the kernel: bit 0 big-endian, bit 1 32-bit
 * (based at 0xc0000000, else at 0xffffffff81000000), bits 2-7 a period p:
 * every p-th page (p > 0) is missing from the dump.  The rest is the image;
 * it is searched whole, then without its first and last bytes.  The seeds
 * (tests/fuzz/corpus/fuzz_kallsyms_locate) are small images of the unit
 * tests' layouts, written by K2E_KALLSYMS_SEEDS=DIR build/unit-tests
 * kallsyms_locate_seeds.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kernel/kallsyms-locate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fimg {
	uint64_t base;
	const uint8_t *p;
	size_t len;
	unsigned period;
};

static int fimg_read(void *arg, uint64_t vaddr, void *buf, size_t len)
{
	const struct fimg *im = arg;
	uint64_t off = vaddr - im->base;

	if (vaddr < im->base || off > im->len || len > im->len - off)
		return -1;
	if (im->period && len)
		for (uint64_t pg = off / 4096; pg <= (off + len - 1) / 4096; pg++)
			if (pg % im->period == im->period - 1)
				return -1;
	memcpy(buf, im->p + off, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct k2e_kallsyms_tables t;
	struct k2e_err err;
	struct fimg im;
	bool be, w32;

	if (size < 2)
		return 0;
	be = data[0] & 1;
	w32 = data[0] & 2;
	im.period = data[0] >> 2;
	im.p = data + 1;
	im.len = size - 1;
	im.base = w32 ? 0xc0000000u : 0xffffffff81000000ULL;
	if (k2e_kallsyms_locate(fimg_read, &im, im.base, im.base + im.len, be, w32 ? 4 : 8, &t,
				&err) == 0 &&
	    (t.names < im.base || t.token_index + 512 > im.base + im.len))
		__builtin_trap();	/* a table outside the image */
	if (im.len > 2)
		k2e_kallsyms_locate(fimg_read, &im, im.base + 1, im.base + im.len - 1, be,
				    w32 ? 4 : 8, &t, &err);
	return 0;
}
