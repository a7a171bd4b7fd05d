/* mkdump.c - k2e-mkdump: write synthetic Linux crash dumps for tests.
 *
 * Usage:  k2e-mkdump SPECFILE OUTPREFIX
 *         k2e-mkdump -e 'key value; key value' OUTPREFIX
 *
 * Writes the dump at OUTPREFIX (split pieces at OUTPREFIX.1 .. OUTPREFIX.N)
 * and OUTPREFIX.expect, which says what a correct reader gets out of it:
 *
 *   pages N          readable dumped pages (zero pages included)
 *   zero N           how many of those are all zero
 *   digest HEX       sha256 over every readable page in pfn order, each as
 *                    its 8-byte little-endian pfn then its bytes
 *   lost N           dumped pages a reader must report lost
 *   lost_ranges R    inclusive pfn ranges "0xA-0xB, 0xC-0xC", or "-"
 *   cpus N           NT_PRSTATUS notes a reader can get
 *   release S        the kernel release string
 *   expect_error 0|1 1: a correct reader must refuse the input (bad header
 *                    values, truncated metadata, empty or unknown file,
 *                    mismatched split set).  For structural errors the page
 *                    lines then say nothing is readable; for split set
 *                    mistakes they describe what a lenient reader could
 *                    still read (the foreign piece's pages are lost).
 *
 * The generator reads every page back from the file(s) it wrote (through a
 * rebuilt image for flattened streams) to make the expectation, and exits 1
 * if an uncorrupted page reads back wrong.
 *
 * Spec language: one "key value..." per line ('#' starts a comment; with -e
 * ';' also separates lines).  Numbers take C syntax and K/M/G/T suffixes;
 * RANGE is A-B (inclusive), A+N (N pfns from A) or A.  Defaults in [].
 *
 *   format kdump|diskdump|flat|split|elf64|elf32       [kdump]
 *   header_version 0..6             [6; diskdump 1] sub-header fields newer
 *                                   than the version stay zero
 *   arch x86_64|i386|arm|ppc64|aarch64                  [x86_64]
 *   page_size N                     [4096] also the kdump block_size
 *   max_mapnr N | size BYTES        [last ram pfn + 1, else 0x8000]
 *   ram RANGE...                    pfns that exist (1st bitmap) [all]
 *   dump RANGE...                   pfns dumped (2nd bitmap, within ram) [ram]
 *   dump_every N M                  keep only pfns with pfn % M < N
 *   zero RANGE...                   pfns whose page is all zero
 *   mix text=A random=B zero=C      weights of page kinds [60 25 15]
 *   seed N                          page contents = f(seed, pfn) [1]
 *   codec C...                      raw zlib lzo snappy zstd, round-robin
 *                                   per page; no gain -> stored raw [zlib]
 *   dump_level N                    bit 0: zero pages share one page at the
 *                                   start of the data area [31; diskdump 0]
 *   single_bitmap 1                 one bitmap only (old diskdump)
 *   cpus N / pids P...              NT_PRSTATUS notes and their pr_pid [2]
 *   release S / nodename S / timestamp N / phys_base N
 *   vmcoreinfo KEY=VALUE            extra VMCOREINFO line (repeatable)
 *   eraseinfo TEXT                  eraseinfo line (header_version >= 5)
 *   split N                         N pieces (format split) [3]
 *   flat_record_size N              bytes per flattened record [65536]
 *   flat_shuffle SEED               records out of order
 *   flat_overlap 1                  garbage twins written first, sub-header
 *                                   rewritten at the end (last write wins)
 *   flat_no_end 1                   no end marker
 *   vaddr_base N                    ELF p_vaddr = base + paddr
 *                                   [x86_64 0xffff888000000000]
 *   elf_alias PFN COUNT [VADDR]     kernel-image PT_LOAD, second copy
 *   elf_memsz_extra N               p_memsz = p_filesz + N pages (capped
 *                                   at the next run)
 *   elf_empty_segments N            PT_LOADs with p_offset 0, p_filesz 0
 *   elf_filesz_extra N              the first PT_LOAD declares N pages more
 *                                   (p_filesz and p_memsz) than are written
 *                                   for it; with one dumped run they lie
 *                                   past the end of the file: lost
 *   phoff N / ehsize N / pn_xnum 1  program header placement; PN_XNUM
 *                                   (automatic past 65534 headers)
 * A kernel to read without a vmlinux (kernel.c; x86_64, 4 KiB pages,
 * max_mapnr 0x4000..0x40000, cpus 1..16):
 *   kernel x86_64                   page tables, kallsyms, BTF, ORC, crash
 *                                   notes, frame-pointer stacks; VMCOREINFO
 *                                   names them; sets phys_base
 *   panic_cpu N                     the CPU that panicked [-1: none]; its
 *                                   registers stop in demo_panic, the
 *                                   others' in demo_default_idle
 *   kaslr N                         KERNELOFFSET, a multiple of 2 MiB [0]
 * Corruptions:
 *   truncate BYTES | truncate_at header|subheader|bitmap|descs|data
 *                                   (the last piece; flat: the stream)
 *   corrupt_page PFN...             data decompresses to half a page
 *   desc_past_end PFN...            descriptor offset past EOF
 *   desc_size PFN SIZE              descriptor size replaced
 *   block_size N | sub_hdr_size N | bitmap_blocks N | hdr_max_mapnr N
 *                                   header fields overridden
 *   pfn_beyond_max 1                a dumped bit at pfn max_mapnr
 *   incomplete K                    status |= 8, last K descriptors zero
 *   empty 1 | garbage 1             empty file / unknown format
 *   split_overlap 1 | split_foreign 1   split set mistakes
 */
#define _GNU_SOURCE
#include "mkdump.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse_text(struct spec *s, char *text, int inline_mode,
		      struct err *e)
{
	char *save = NULL, *line;
	int lineno = 0;

	for (line = strtok_r(text, inline_mode ? ";\n" : "\n", &save); line;
	     line = strtok_r(NULL, inline_mode ? ";\n" : "\n", &save))
		if (spec_parse_line(s, line, ++lineno, e))
			return -1;
	return 0;
}

static char *slurp(const char *path, struct err *e)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		err_set(e, "%s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (cap - len < 4096) {
			char *b = realloc(buf, cap += 65536);
			if (!b) {
				free(buf);
				fclose(f);
				err_set(e, "out of memory");
				return NULL;
			}
			buf = b;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static int write_special(const struct spec *s, const char *path,
			 struct expect *x, struct err *e)
{
	struct rlist dumped = { 0 };
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	size_t i;

	if (fd < 0)
		return err_set(e, "%s: %s", path, strerror(errno));
	if (s->garbage) {
		unsigned char buf[4096];
		uint64_t k;
		for (k = 0; k < 16; k++) {
			for (i = 0; i < sizeof buf; i++)
				buf[i] = (unsigned char)mix64(s->seed ^ (k << 12 | i));
			memcpy(buf, "K2EJUNK!", 8);
			if (write_at(fd, buf, sizeof buf, k * sizeof buf, path, e)) {
				close(fd);
				return -1;
			}
		}
	}
	close(fd);
	if (spec_dumped(s, &dumped, e))
		return -1;
	for (i = 0; i < dumped.n; i++) {
		rlist_add(&x->lost_ranges, dumped.v[i].lo, dumped.v[i].hi);
		x->lost += dumped.v[i].hi - dumped.v[i].lo;
	}
	x->error = 1;
	rlist_free(&dumped);
	return 0;
}

int main(int argc, char **argv)
{
	struct spec s;
	struct expect x;
	struct err e = { "" };
	struct codecs *c = NULL;
	char *text = NULL, *expect_path = NULL;
	const char *prefix;
	int rc = 1;

	if (argc == 4 && !strcmp(argv[1], "-e")) {
		text = strdup(argv[2]);
		prefix = argv[3];
	} else if (argc == 3) {
		text = slurp(argv[1], &e);
		prefix = argv[2];
	} else {
		fputs("usage: k2e-mkdump SPECFILE OUTPREFIX\n"
		      "       k2e-mkdump -e 'key value; ...' OUTPREFIX\n",
		      stderr);
		return 2;
	}
	spec_init(&s);
	expect_init(&x);
	if (!text) {
		if (!e.msg[0])
			err_set(&e, "out of memory");
		goto out;
	}
	if (parse_text(&s, text, argc == 4, &e) || spec_finish(&s, &e) ||
	    (s.kernel && kimage_build(&s, &e)))
		goto out;
	if (asprintf(&expect_path, "%s.expect", prefix) < 0) {
		expect_path = NULL;
		err_set(&e, "out of memory");
		goto out;
	}
	if (s.empty || s.garbage) {
		if (write_special(&s, prefix, &x, &e))
			goto out;
	} else if (s.format == FMT_ELF64 || s.format == FMT_ELF32) {
		if (elf_generate(&s, prefix, &x, &e))
			goto out;
	} else {
		c = codecs_new(s.page_size, &e);
		if (!c || kdump_generate(&s, prefix, c, &x, &e))
			goto out;
	}
	rlist_normalize(&x.lost_ranges);
	if (expect_write(&x, &s, expect_path, &e))
		goto out;
	if (x.mismatch) {
		err_set(&e, "%llu pages read back different from what was written",
			(unsigned long long)x.mismatch);
		goto out;
	}
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "k2e-mkdump: %s\n", e.msg);
	codecs_free(c);
	rlist_free(&x.lost_ranges);
	spec_release(&s);
	free(text);
	free(expect_path);
	return rc;
}
