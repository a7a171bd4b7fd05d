/*
 * grow-elf.c - a bigger copy of a real ELF vmcore, for bench/mount.sh: the
 * input's notes and PT_LOADs, then extra PT_LOADs of filler memory above the
 * highest address the input dumps.
 *
 *   grow-elf IN OUT GIB [SEG_GIB]
 *
 * IN is a 64-bit little-endian ELF vmcore of x86_64 Linux (makedumpfile -E's
 * or /proc/vmcore's: direct-map and kernel-text PT_LOADs; or QEMU's
 * dump-guest-memory: physical addresses, p_vaddr 0).  OUT is a plain ELF64
 * core: the ELF header, the program headers, IN's PT_NOTE bytes unchanged,
 * IN's PT_LOADs (same addresses and contents), then GIB GiB of filler in
 * SEG_GIB-GiB PT_LOADs (default: one), contiguous, from the next 4 GiB
 * boundary at or above 4 GiB (where a PC's RAM resumes after the hole below
 * 4 GiB), at their direct-map addresses when IN has direct-map PT_LOADs.
 * Filler pages are tests/gen's page contents, a pure function of (seed 7,
 * pfn): the bench's mix of 50% text-like, 30% random, 20% zero pages.  Zero
 * pages (filler or copied) are left as holes, so OUT takes about 80% of its
 * size on disk.  Segment data sits at page-aligned offsets.  Prints
 * "pages N text T random R zero Z" for the filler.
 *
 * The filler is made RAM of the dumped kernel: makedumpfile keeps only pages
 * whose memory section has a mem_map (the others are memory holes to it), so
 * the sections the filler covers get, in OUT's copy of the kernel's
 * mem_section table (SPARSEMEM_EXTREME, vmemmap), the entry of the last
 * present section below them: with vmemmap every section's coded mem_map is
 * the same (the vmemmap base, plus flags), and the usage pointer is shared.
 * Their struct pages are not in the dump, so this holds for makedumpfile
 * -d 0 and -d 1 (which do not read them), not for higher dump levels.  The
 * table is found from VMCOREINFO (SYMBOL(mem_section), SIZE, OFFSET,
 * NUMBER(SECTION_SIZE_BITS)); its direct-map addresses become physical ones
 * by IN's direct-map PT_LOADs (p_vaddr - p_paddr) or, with none (QEMU), by
 * the direct map's 1 GiB alignment (then the table must sit in the first GiB:
 * checked).  Prints "sections A-B patched".
 */
#define _GNU_SOURCE
#include "mkdump.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-io.h"

enum { PAGE = 4096, CHUNK = 1 << 20 };

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "grow-elf: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "%s%s\n", errno ? ": " : "", errno ? strerror(errno) : "");
	exit(1);
}

static void pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pread(fd, buf, len, (off_t)off);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n == 0)
				errno = 0;
			die("%s", "reading the input");
		}
		buf = (char *)buf + n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
}

static void pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	if (bench_pwrite_all(fd, buf, len, off) < 0)
		die("%s", "writing the output");
}

static int all_zero(const unsigned char *p, size_t len)
{
	static const unsigned char z[PAGE];
	for (; len >= PAGE; p += PAGE, len -= PAGE)
		if (memcmp(p, z, PAGE))
			return 0;
	return len == 0 || !memcmp(p, z, len);
}

/* Write BUF (LEN bytes) at OFF, skipping its all-zero pages (holes). */
static void write_sparse(int fd, const unsigned char *buf, size_t len, uint64_t off)
{
	size_t i = 0;
	while (i < len) {
		size_t j = i, n;
		while (j < len && all_zero(buf + j, len - j < PAGE ? len - j : PAGE))
			j += PAGE;
		if (j >= len)
			break;
		i = j;
		while (j < len && !all_zero(buf + j, len - j < PAGE ? len - j : PAGE))
			j += PAGE;
		n = (j < len ? j : len) - i;
		pwrite_all(fd, buf + i, n, off + i);
		i = j;
	}
}

/* The file offset of physical address PA in the output (0: not dumped). */
static uint64_t pa_off(const Elf64_Phdr *ph, unsigned n, uint64_t pa, uint64_t len)
{
	unsigned i;
	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && pa >= ph[i].p_paddr &&
		    pa + len <= ph[i].p_paddr + ph[i].p_filesz)
			return ph[i].p_offset + (pa - ph[i].p_paddr);
	return 0;
}

/* VMCOREINFO's value for KEY= as a number in BASE (-1 when absent). */
static int vmci(const char *text, const char *key, int base, uint64_t *ret)
{
	size_t kl = strlen(key);
	const char *p = text;
	while (p && *p) {
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			*ret = strtoull(p + kl + 1, NULL, base);
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* Give the sections of [LO, HI) (physical) the last present section's mem_section entry. */
static void patch_sections(int fd, const Elf64_Phdr *ph, unsigned n, const char *vmcoreinfo,
			   uint64_t dmap, uint64_t lo, uint64_t hi)
{
	uint64_t table, bits, sz, moff, base, root_va, ent[2], last[2] = { 0, 0 }, s, per_root;
	uint64_t first = 0, end, o;
	int have_last = 0;

	errno = 0;
	if (!vmcoreinfo || vmci(vmcoreinfo, "SYMBOL(mem_section)", 16, &table) ||
	    vmci(vmcoreinfo, "NUMBER(SECTION_SIZE_BITS)", 10, &bits) ||
	    vmci(vmcoreinfo, "SIZE(mem_section)", 10, &sz) ||
	    vmci(vmcoreinfo, "OFFSET(mem_section.section_mem_map)", 10, &moff) || sz < 16 || moff)
		die("%s", "VMCOREINFO lacks the mem_section table (SPARSEMEM_EXTREME) this tool patches");
	base = dmap ? dmap : table & ~((1ull << 30) - 1);
	per_root = PAGE / sz;
	first = lo >> bits;
	end = (hi + (1ull << bits) - 1) >> bits;
	if (end / per_root != 0 && end / per_root != first / per_root)
		die("%s", "the filler spans more than one mem_section root");
	if (!(o = pa_off(ph, n, table - base + 8 * (first / per_root), 8)))
		die("%s", "the mem_section root table is not in the dump");
	pread_all(fd, &root_va, 8, o);
	if (root_va < base || (!dmap && (root_va & ~((1ull << 30) - 1)) != base) ||
	    !(o = pa_off(ph, n, root_va - base, PAGE)))
		die("%s", "the mem_section root is not in the dump");
	/* the last present section below the filler: its entry */
	for (s = (first / per_root) * per_root; s < first; s++) {
		pread_all(fd, ent, 16, o + (s % per_root) * sz);
		if (ent[0] & 1) {
			last[0] = ent[0];
			last[1] = ent[1];
			have_last = 1;
		}
	}
	if (!have_last)
		die("%s", "no present memory section below the filler");
	for (s = first; s < end; s++) {
		pread_all(fd, ent, 16, o + (s % per_root) * sz);
		if (ent[0])
			die("%s", "a section the filler covers is already present");
		pwrite_all(fd, last, 16, o + (s % per_root) * sz);
	}
	printf("sections %llu-%llu patched (mem_map %#llx)\n", (unsigned long long)first,
	       (unsigned long long)end - 1, (unsigned long long)last[0]);
}

/* The VMCOREINFO note's text in NOTES (LEN bytes), NUL-terminated, or NULL. */
static char *find_vmcoreinfo(const unsigned char *notes, size_t len)
{
	size_t o = 0;
	while (o + 12 <= len) {
		uint32_t nsz, dsz;
		size_t name, desc;
		memcpy(&nsz, notes + o, 4);
		memcpy(&dsz, notes + o + 4, 4);
		name = o + 12;
		desc = name + ((nsz + 3) & ~3u);
		if (desc + dsz > len)
			break;
		if (nsz == 11 && !memcmp(notes + name, "VMCOREINFO", 11)) {
			char *t = malloc(dsz + 1);
			if (!t)
				return NULL;
			memcpy(t, notes + desc, dsz);
			t[dsz] = 0;
			return t;
		}
		o = desc + ((dsz + 3) & ~3u);
	}
	return NULL;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

int main(int argc, char **argv)
{
	Elf64_Ehdr eh, oh;
	Elf64_Phdr *ip, *op;
	unsigned char *buf;
	char *vmcoreinfo = NULL;
	uint64_t gib, seg_gib = 0, top = 0, base, off, nfill, i, k, dmap = 0;
	uint64_t counts[3] = { 0, 0, 0 };
	unsigned nin, nout, nload = 0;
	struct spec s;
	int in, out;
	char *end;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: grow-elf IN OUT GIB [SEG_GIB]\n");
		return 2;
	}
	gib = strtoull(argv[3], &end, 10);
	if (*end)
		die("bad GIB '%s'", argv[3]);
	if (argc == 5) {
		seg_gib = strtoull(argv[4], &end, 10);
		if (*end || !seg_gib)
			die("bad SEG_GIB '%s'", argv[4]);
	}
	in = open(argv[1], O_RDONLY);
	if (in < 0)
		die("%s", argv[1]);
	pread_all(in, &eh, sizeof eh, 0);
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_type != ET_CORE ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum == PN_XNUM) {
		errno = 0;
		die("%s: not a 64-bit little-endian ELF core this tool reads", argv[1]);
	}
	nin = eh.e_phnum;
	ip = calloc(nin, sizeof *ip);
	if (!seg_gib)
		seg_gib = gib ? gib : 1;
	nfill = (gib + seg_gib - 1) / seg_gib;
	nout = nin + (unsigned)nfill;
	op = calloc(nout, sizeof *op);
	buf = malloc(CHUNK);
	if (!ip || !op || !buf)
		die("%s", "out of memory");
	pread_all(in, ip, nin * sizeof *ip, eh.e_phoff);
	for (i = 0; i < nin; i++)
		if (ip[i].p_type == PT_LOAD) {
			nload++;
			/* a direct-map segment: not kernel text (__START_KERNEL_map) */
			if (!dmap && ip[i].p_vaddr && ip[i].p_vaddr < 0xffffffff80000000ull &&
			    ip[i].p_vaddr > ip[i].p_paddr)
				dmap = ip[i].p_vaddr - ip[i].p_paddr;
			if (ip[i].p_paddr + ip[i].p_memsz > top)
				top = ip[i].p_paddr + ip[i].p_memsz;
		}
	if (!nload) {
		errno = 0;
		die("%s: no PT_LOAD", argv[1]);
	}

	out = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (out < 0)
		die("%s", argv[2]);

	/* Layout: headers, notes, then each PT_LOAD's data page-aligned. */
	memset(&oh, 0, sizeof oh);
	memcpy(oh.e_ident, eh.e_ident, EI_NIDENT);
	oh.e_type = ET_CORE;
	oh.e_machine = eh.e_machine;
	oh.e_version = EV_CURRENT;
	oh.e_phoff = sizeof oh;
	oh.e_ehsize = sizeof oh;
	oh.e_phentsize = sizeof(Elf64_Phdr);
	oh.e_phnum = (Elf64_Half)nout;
	off = sizeof oh + (uint64_t)nout * sizeof(Elf64_Phdr);
	for (i = 0; i < nin; i++) {
		op[i] = ip[i];
		if (ip[i].p_type == PT_NOTE) {
			op[i].p_offset = off;
			off += ip[i].p_filesz;
		}
	}
	off = align_up(off, PAGE);
	for (i = 0; i < nin; i++) {
		if (ip[i].p_type != PT_LOAD)
			continue;
		/* no bytes in the file: offset 0, as makedumpfile -E writes it
		 * (makedumpfile 1.7.2 misreads the next segment's pages when an
		 * empty segment shares its offset) */
		op[i].p_offset = ip[i].p_filesz ? off : 0;
		off = align_up(off + ip[i].p_filesz, PAGE);
	}
	base = align_up(top > (4ull << 30) ? top : (4ull << 30), 4ull << 30);
	for (k = 0; k < nfill; k++) {
		uint64_t len = (k + 1 < nfill || gib % seg_gib == 0 ? seg_gib : gib % seg_gib) << 30;
		Elf64_Phdr *p = &op[nin + k];
		p->p_type = PT_LOAD;
		p->p_flags = PF_R | PF_W | PF_X;
		p->p_offset = off;
		p->p_vaddr = dmap ? dmap + base : 0;
		p->p_paddr = base;
		p->p_filesz = p->p_memsz = len;
		p->p_align = 0;
		off += len;
		base += len;
	}
	pwrite_all(out, &oh, sizeof oh, 0);
	pwrite_all(out, op, nout * sizeof *op, sizeof oh);

	/* The notes and the input's memory, zero pages as holes. */
	for (i = 0; i < nin; i++) {
		uint64_t done;
		if (ip[i].p_type != PT_NOTE && ip[i].p_type != PT_LOAD)
			continue;
		for (done = 0; done < ip[i].p_filesz; done += CHUNK) {
			size_t n = ip[i].p_filesz - done < CHUNK ? ip[i].p_filesz - done : CHUNK;
			pread_all(in, buf, n, ip[i].p_offset + done);
			if (ip[i].p_type == PT_NOTE) {
				pwrite_all(out, buf, n, op[i].p_offset + done);
				if (!vmcoreinfo && done == 0)
					vmcoreinfo = find_vmcoreinfo(buf, n);
			} else
				write_sparse(out, buf, n, op[i].p_offset + done);
		}
	}

	/* The filler. */
	spec_init(&s);
	s.mix[0] = 50;
	s.mix[1] = 30;
	s.mix[2] = 20;
	s.seed = 7;
	for (k = 0; k < nfill; k++) {
		Elf64_Phdr *p = &op[nin + k];
		uint64_t pfn0 = p->p_paddr / PAGE, npages = p->p_filesz / PAGE, j = 0;
		while (j < npages) {
			size_t n = 0;
			for (; n < CHUNK / PAGE && j < npages; n++, j++) {
				counts[page_kind(&s, pfn0 + j)]++;
				page_fill(&s, pfn0 + j, buf + n * PAGE);
			}
			write_sparse(out, buf, n * PAGE, p->p_offset + (j - n) * PAGE);
		}
	}
	if (ftruncate(out, (off_t)off))
		die("%s", argv[2]);
	if (nfill)
		patch_sections(out, op, nout, vmcoreinfo, dmap, op[nin].p_paddr,
			       op[nout - 1].p_paddr + op[nout - 1].p_filesz);
	if (fsync(out) || close(out))
		die("%s", argv[2]);
	printf("pages %llu text %llu random %llu zero %llu\n",
	       (unsigned long long)(counts[0] + counts[1] + counts[2]),
	       (unsigned long long)counts[PAGE_TEXT], (unsigned long long)counts[PAGE_RANDOM],
	       (unsigned long long)counts[PAGE_ZERO]);
	spec_release(&s);
	free(vmcoreinfo);
	free(buf);
	free(ip);
	free(op);
	close(in);
	return 0;
}
