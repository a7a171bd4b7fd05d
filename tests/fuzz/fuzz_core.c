/*
 * fuzz_core - kernel/mem-core.c: the input as a finished ELF core
 * (k2e_kernel_open_core() on a memory file, by its /proc/self/fd path),
 * then what the later steps ask of it: the machine, the notes, the
 * VMCOREINFO, and reads at the start, end and middle of every PT_LOAD's
 * virtual and physical range, and across segment boundaries.
 */
#include "tests/fuzz/fuzz-common.h"

#include <elf.h>
#include <stdio.h>

#include "kernel/kernel.h"

static void probe(struct k2e_kernel *k, uint64_t a)
{
	unsigned char buf[64];
	uint64_t v;
	struct k2e_err err;

	(void)k2e_kernel_read(k, a, buf, sizeof(buf), &err);
	(void)k2e_kernel_read(k, a - 8, buf, 16, &err);
	(void)k2e_kernel_read_phys(k, a, buf, 8, &err);
	(void)k2e_kernel_read_uint(k, a, k2e_kernel_word_size(k), &v, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct k2e_kernel *k = NULL;
	struct k2e_err err;
	char path[64];
	size_t len;
	int fd = fuzz_memfd(data, size);

	if (fd < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (k2e_kernel_open_core(path, &k, &err) == 0) {
		const unsigned char *notes = k2e_kernel_notes(k, &len);
		uint64_t sym;

		(void)notes;
		(void)k2e_kernel_count_notes(k, "CORE", NT_PRSTATUS);
		(void)k2e_kernel_symbol(k, "_stext", &sym, &err);
		/* The program headers, as the input gives them. */
		if (size >= sizeof(Elf64_Ehdr) && data[EI_CLASS] == ELFCLASS64) {
			Elf64_Ehdr eh;

			memcpy(&eh, data, sizeof(eh));
			for (unsigned i = 0; i < eh.e_phnum && i < 64; i++) {
				Elf64_Phdr ph;
				uint64_t off = eh.e_phoff + (uint64_t)i * sizeof(ph);

				if (eh.e_phoff > size || off > size - sizeof(ph))
					break;
				memcpy(&ph, data + off, sizeof(ph));
				probe(k, ph.p_vaddr);
				probe(k, ph.p_vaddr + ph.p_memsz);
				probe(k, ph.p_vaddr + ph.p_filesz);
				probe(k, ph.p_vaddr + ph.p_memsz / 2);
				probe(k, ph.p_paddr);
			}
		}
		probe(k, 0xffffffff81000000ULL);
		k2e_kernel_free(k);
	}
	close(fd);
	return 0;
}
