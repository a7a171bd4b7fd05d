/*
 * kdf-convert.c - the libkdumpfile peer of kdump2elf for bench/run.sh.
 *
 * What a user would write on libkdumpfile to turn a dump into an ELF64 core:
 * open the dump (kdump_open_fdset, so a split set is one dump), find the runs
 * of dumped pages in the file.pagemap bitmap, read every run with kdump_read
 * into one reused buffer and pwrite it into the core, one PT_LOAD per run
 * (p_paddr = p_vaddr = the run's physical address; no notes, no aliases).
 * Zero pages are written like any other page (the core is not sparse).
 *
 *   kdf-convert -o OUT DUMP [PIECE...]
 *
 * Prints "runs R pages N bytes B unreadable U" on stderr.  Exit 0 when every
 * page of the pagemap read, 3 when some did not (they are left as holes).
 * Build: cc -O2 kdf-convert.c $(pkg-config --cflags --libs libkdumpfile)
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkdumpfile/kdumpfile.h>

#include "bench-io.h"

enum { CHUNK = 1 << 20 };	/* the one reused read buffer */

struct run {
	uint64_t start, end;	/* pfns [start, end) */
};

static void die(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "kdf-convert: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	exit(1);
}

static void pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	if (bench_pwrite_all(fd, buf, len, off) < 0)
		die("write: %s%s", strerror(errno), "");
}

static uint16_t machine_of(const char *arch)
{
	if (!strcmp(arch, KDUMP_ARCH_X86_64))
		return EM_X86_64;
	if (!strcmp(arch, KDUMP_ARCH_AARCH64))
		return EM_AARCH64;
	if (!strcmp(arch, KDUMP_ARCH_PPC64))
		return EM_PPC64;
	if (!strcmp(arch, KDUMP_ARCH_S390X))
		return EM_S390;
	return EM_NONE;
}

int main(int argc, char **argv)
{
	const char *out = NULL, *arch = "";
	kdump_ctx_t *ctx;
	kdump_attr_t attr;
	kdump_num_t psize;
	kdump_addr_t pfn = 0, end;
	struct run *runs = NULL;
	size_t nruns = 0, cap = 0;
	int *fds, nfds = 0, ofd, opt;
	uint64_t pages = 0, unreadable = 0, data_off, off;
	unsigned char *buf;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;

	while ((opt = getopt(argc, argv, "o:")) != -1) {
		if (opt != 'o')
			goto usage;
		out = optarg;
	}
	if (!out || optind >= argc) {
usage:
		fputs("usage: kdf-convert -o OUT DUMP [PIECE...]\n", stderr);
		return 2;
	}
	fds = calloc((size_t)(argc - optind), sizeof(*fds));
	for (int i = optind; i < argc; i++)
		if ((fds[nfds++] = open(argv[i], O_RDONLY)) < 0)
			die("%s: %s", argv[i], strerror(errno));
	ctx = kdump_new();
	if (!ctx)
		die("kdump_new failed%s%s", "", "");
	if (kdump_open_fdset(ctx, (unsigned)nfds, fds) != KDUMP_OK)
		die("%s: %s", argv[optind], kdump_get_err(ctx));
	if (kdump_get_number_attr(ctx, KDUMP_ATTR_PAGE_SIZE, &psize) != KDUMP_OK)
		die("%s: %s", "arch.page_size", kdump_get_err(ctx));
	(void)kdump_get_string_attr(ctx, KDUMP_ATTR_ARCH_NAME, &arch);
	attr.type = KDUMP_BITMAP;
	if (kdump_get_typed_attr(ctx, KDUMP_ATTR_FILE_PAGEMAP, &attr) != KDUMP_OK)
		die("%s: %s", "file.pagemap", kdump_get_err(ctx));

	/* The runs of dumped pages. */
	while (kdump_bmp_find_set(attr.val.bitmap, &pfn) == KDUMP_OK) {
		end = pfn;
		if (kdump_bmp_find_clear(attr.val.bitmap, &end) != KDUMP_OK || end <= pfn)
			die("file.pagemap: %s%s", kdump_bmp_get_err(attr.val.bitmap), "");
		if (nruns == cap) {
			cap = cap ? 2 * cap : 64;
			runs = realloc(runs, cap * sizeof(*runs));
			if (!runs)
				die("out of memory%s%s", "", "");
		}
		runs[nruns++] = (struct run){ pfn, end };
		pages += end - pfn;
		pfn = end;
	}

	ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (ofd < 0)
		die("%s: %s", out, strerror(errno));
	ph = calloc(nruns ? nruns : 1, sizeof(*ph));
	buf = malloc(CHUNK > psize ? CHUNK : psize);
	if (!ph || !buf)
		die("out of memory%s%s", "", "");
	data_off = sizeof(eh) + nruns * sizeof(*ph);
	data_off = (data_off + psize - 1) / psize * psize;
	off = data_off;
	for (size_t i = 0; i < nruns; i++) {
		uint64_t addr = runs[i].start * psize, len = (runs[i].end - runs[i].start) * psize;

		ph[i] = (Elf64_Phdr){
			.p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
			.p_offset = off, .p_vaddr = addr, .p_paddr = addr,
			.p_filesz = len, .p_memsz = len, .p_align = psize,
		};
		for (uint64_t done = 0; done < len;) {
			size_t n = len - done < CHUNK ? (size_t)(len - done) : CHUNK, got = n;

			if (kdump_read(ctx, KDUMP_MACHPHYSADDR, addr + done, buf, &got) != KDUMP_OK) {
				/* Write what read, skip the page that did not. */
				got -= got % psize;
				pwrite_all(ofd, buf, got, off + done);
				unreadable++;
				done += got + psize;
				continue;
			}
			pwrite_all(ofd, buf, n, off + done);
			done += n;
		}
		off += len;
	}
	if (ftruncate(ofd, (off_t)off) < 0)
		die("%s: %s", out, strerror(errno));

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;	/* little-endian hosts and dumps only */
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = machine_of(arch);
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(*ph);
	if (nruns < PN_XNUM) {
		eh.e_phnum = (uint16_t)nruns;
	} else {
		die("more than 65534 runs%s%s", "", "");	/* not needed for these dumps */
	}
	pwrite_all(ofd, &eh, sizeof(eh), 0);
	pwrite_all(ofd, ph, nruns * sizeof(*ph), sizeof(eh));
	if (close(ofd) < 0)
		die("%s: %s", out, strerror(errno));
	fprintf(stderr, "runs %zu pages %llu bytes %llu unreadable %llu\n", nruns,
		(unsigned long long)pages, (unsigned long long)(pages * psize),
		(unsigned long long)unreadable);
	kdump_free(ctx);
	free(runs);
	free(ph);
	free(buf);
	free(fds);
	return unreadable ? 3 : 0;
}
