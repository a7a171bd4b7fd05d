/*
 * k2e-kallsyms-locate - run kernel/kallsyms-locate over a vmlinux's image,
 * for the tests: its allocated sections are laid out at their addresses
 * (gaps and NOBITS read as zeros, as in a dump) with the RELATIVE
 * relocations a relocatable kernel applies to itself at boot (arm64's
 * .rela.dyn: kallsyms_relative_base is 0 in the file), the locator searches
 * from the lowest to the highest section address, and the tables it found
 * print like nm: "ADDR NAME" a line (sorted by name), then to stderr the
 * count and the time taken.
 *
 *   k2e-kallsyms-locate VMLINUX
 *
 * With --core, the same in a dump converted by kdump2elf (or any ELF vmcore
 * with kernel virtual addresses), as the converter would search it without
 * a vmlinux: from vmcoreinfo's SYMBOL(_stext) to the end of the x86_64
 * kernel mapping, __START_KERNEL_map + NUMBER(KERNEL_IMAGE_SIZE) (both in
 * vmcoreinfo since 4.x; the pages past the image are not in the dump); on
 * other architectures 1 GiB from _stext; or between explicit bounds:
 *
 *   k2e-kallsyms-locate --core CORE [LO HI]
 */
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel/kallsyms-locate.h"
#include "kernel/kernel.h"

struct image {
	uint64_t lo, hi;
	unsigned char *data;
};

static int image_read(void *arg, uint64_t vaddr, void *buf, size_t len)
{
	const struct image *im = arg;

	if (vaddr < im->lo || vaddr > im->hi || len > im->hi - vaddr)
		return -1;
	memcpy(buf, im->data + (vaddr - im->lo), len);
	return 0;
}

static int kmem_vread(void *arg, uint64_t vaddr, void *buf, size_t len)
{
	struct k2e_err err;

	return k2e_kernel_read(arg, vaddr, buf, len, &err);
}

static int print_tables(const char *what, int rc, const struct k2e_kallsyms_tables *t,
			const struct k2e_err *err, uint64_t lo, uint64_t hi,
			const struct timespec *t0, const struct timespec *t1)
{
	if (rc < 0) {
		fprintf(stderr, "k2e-kallsyms-locate: '%s': %s\n", what, err->msg);
		return 1;
	}
	const struct {
		const char *name;
		uint64_t addr;
	} out[] = {
		{ "kallsyms_addresses", t->addresses },
		{ "kallsyms_markers", t->markers },
		{ "kallsyms_names", t->names },
		{ "kallsyms_num_syms", t->num_syms },
		{ "kallsyms_offsets", t->offsets },
		{ "kallsyms_relative_base", t->relative_base },
		{ "kallsyms_seqs_of_names", t->seqs_of_names },
		{ "kallsyms_token_index", t->token_index },
		{ "kallsyms_token_table", t->token_table },
	};
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		if (out[i].addr)
			printf("%016" PRIx64 " %s\n", out[i].addr, out[i].name);
	fprintf(stderr, "symbols %" PRIu64 " range 0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64
		" MiB) searched in %.1f ms\n", t->n_syms, lo, hi, (hi - lo) >> 20,
		(t1->tv_sec - t0->tv_sec) * 1e3 + (t1->tv_nsec - t0->tv_nsec) / 1e6);
	return 0;
}

static int core_main(int argc, char **argv)
{
	struct k2e_kallsyms_tables t;
	struct timespec t0, t1;
	struct k2e_kernel *km;
	struct k2e_err err;
	uint64_t lo, hi;
	int64_t size;
	int rc;

	if (k2e_kernel_open_core(argv[2], &km, &err) < 0) {
		fprintf(stderr, "k2e-kallsyms-locate: %s\n", err.msg);
		return 1;
	}
	if (argc == 5) {
		lo = strtoull(argv[3], NULL, 16);
		hi = strtoull(argv[4], NULL, 16);
	} else if (k2e_vmcoreinfo_symbol(k2e_kernel_vmcoreinfo(km), "_stext", &lo) == 0) {
		if (k2e_kernel_machine(km) == EM_X86_64 &&
		    k2e_vmcoreinfo_number(k2e_kernel_vmcoreinfo(km), "KERNEL_IMAGE_SIZE", &size) == 0 && size > 0)
			hi = 0xffffffff80000000ULL + (uint64_t)size;
		else
			hi = lo > UINT64_MAX - (1u << 30) ? UINT64_MAX : lo + (1u << 30);
	} else {
		fprintf(stderr, "k2e-kallsyms-locate: '%s': no SYMBOL(_stext) in vmcoreinfo: "
			"give LO HI\n", argv[2]);
		k2e_kernel_free(km);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = k2e_kallsyms_locate(kmem_vread, km, lo, hi, k2e_kernel_big_endian(km),
				 k2e_kernel_word_size(km), &t, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rc = print_tables(argv[2], rc, &t, &err, lo, hi, &t0, &t1);
	k2e_kernel_free(km);
	return rc;
}

/* Sections of the kernel image proper: allocated, at kernel addresses (not per-CPU at 0). */
static int kernel_section(const GElf_Shdr *sh)
{
	return (sh->sh_flags & SHF_ALLOC) && sh->sh_size && sh->sh_addr >= 0x80000000u;
}

/* R_AARCH64_RELATIVE (and x86_64's R_X86_64_RELATIVE) of SHT_RELA sections in the image. */
static void apply_relative(Elf *elf, const GElf_Ehdr *eh, struct image *im)
{
	unsigned rel = eh->e_machine == EM_AARCH64 ? R_AARCH64_RELATIVE
		     : eh->e_machine == EM_X86_64 ? R_X86_64_RELATIVE : 0;
	Elf_Scn *scn = NULL;

	while (rel && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !(sh.sh_flags & SHF_ALLOC) ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sizeof(Elf64_Rela); i++) {
			GElf_Rela r;
			unsigned char *p;

			if (!gelf_getrela(d, (int)i, &r) || GELF_R_TYPE(r.r_info) != rel ||
			    r.r_offset < im->lo || r.r_offset > im->hi - 8)
				continue;
			p = im->data + (r.r_offset - im->lo);
			for (int b = 0; b < 8; b++)	/* little-endian kernels only */
				p[b] = (unsigned char)((uint64_t)r.r_addend >> (8 * b));
		}
	}
}

int main(int argc, char **argv)
{
	struct image im = { .lo = UINT64_MAX };
	struct k2e_kallsyms_tables t;
	struct timespec t0, t1;
	struct k2e_err err;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	Elf *elf;
	int fd;

	if (argc >= 3 && strcmp(argv[1], "--core") == 0 && (argc == 3 || argc == 5))
		return core_main(argc, argv);
	if (argc != 2) {
		fprintf(stderr, "usage: k2e-kallsyms-locate VMLINUX | --core CORE [LO HI]\n");
		return 2;
	}
	elf_version(EV_CURRENT);
	if ((fd = open(argv[1], O_RDONLY)) < 0 || !(elf = elf_begin(fd, ELF_C_READ_MMAP, NULL)) ||
	    !gelf_getehdr(elf, &eh)) {
		fprintf(stderr, "k2e-kallsyms-locate: '%s': not an ELF file\n", argv[1]);
		return 1;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && kernel_section(&sh)) {
			if (sh.sh_addr < im.lo)
				im.lo = sh.sh_addr;
			if (sh.sh_addr + sh.sh_size > im.hi)
				im.hi = sh.sh_addr + sh.sh_size;
		}
	}
	if (im.lo >= im.hi || im.hi - im.lo > (1u << 30) || !(im.data = calloc(1, im.hi - im.lo))) {
		fprintf(stderr, "k2e-kallsyms-locate: '%s': no kernel image sections\n", argv[1]);
		return 1;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !kernel_section(&sh) || sh.sh_type == SHT_NOBITS)
			continue;
		if ((d = elf_rawdata(scn, NULL)) && d->d_buf && d->d_size <= sh.sh_size)
			memcpy(im.data + (sh.sh_addr - im.lo), d->d_buf, d->d_size);
	}
	apply_relative(elf, &eh, &im);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = k2e_kallsyms_locate(image_read, &im, im.lo, im.hi,
				     eh.e_ident[EI_DATA] == ELFDATA2MSB,
				     eh.e_ident[EI_CLASS] == ELFCLASS64 ? 8 : 4, &t, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rc = print_tables(argv[1], rc, &t, &err, im.lo, im.hi, &t0, &t1);
	free(im.data);
	elf_end(elf);
	close(fd);
	return rc;
}
