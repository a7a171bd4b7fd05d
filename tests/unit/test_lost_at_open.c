/*
 * Pages a dump declares but cannot hold are lost ranges found at open, out
 * of the runs (formats/elf.c, formats/probe.c): the sizes in the headers are
 * not believed past the end of the file.
 */
#include "tests/unit/harness.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"

static void phdr(struct tbuf *b, uint32_t type, uint64_t off, uint64_t paddr, uint64_t filesz)
{
	Elf64_Phdr ph = {
		.p_type = type, .p_offset = off, .p_paddr = paddr, .p_vaddr = paddr,
		.p_filesz = filesz, .p_memsz = filesz,
	};

	tbuf_put(b, &ph, sizeof(ph));
}

static struct k2e_dump *open_elf(const struct tbuf *b)
{
	struct k2e_input in = { .path = "x" };
	struct k2e_dump *d = NULL;
	struct k2e_err err;

	if (!CHECKF(k2e_file_source_new(test_memfd(b->p, b->len), b->len, &in.src, &err) == 0,
		    "%s", err.msg))
		return NULL;
	if (!CHECKF(k2e_dump_open(&in, 1, &d, &err) == 0, "%s", err.msg))
		return NULL;
	return d;
}

TEST(elf_segments_cut_to_the_file)
{
	enum { PS = 4096 };
	Elf64_Ehdr eh = { 0 };
	struct tbuf b = { 0 };
	struct k2e_dump *d;

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 4;
	tbuf_put(&b, &eh, sizeof(eh));
	phdr(&b, PT_NOTE, 0, 0, 0);
	phdr(&b, PT_LOAD, PS, 0, 4 * PS);		/* A: pfns 0-3, 2.5 pages in the file */
	phdr(&b, PT_LOAD, 0x10000, 3 * PS, 3 * PS);	/* B: pfns 3-5, all past the end */
	phdr(&b, PT_LOAD, PS, 2 * PS, PS);		/* C: pfn 2, in the file */
	tbuf_fill(&b, 0x5a, PS + 5 * PS / 2 - b.len);
	d = open_elf(&b);
	if (d) {
		/* Held: A's first two pages and C's; lost: pfn 3 (A's) and 4-5 (B's). */
		CHECK_U64(d->runs.n, 1);
		CHECK_U64(d->runs.v[0].start, 0);
		CHECK_U64(d->runs.v[0].count, 3);
		CHECK_U64(d->n_dumped, 3);
		CHECK_U64(d->n_lost_pages, 3);
		if (CHECK_U64(d->n_lost, 2)) {
			CHECK_U64(d->lost[0].pfn, 3);
			CHECK_U64(d->lost[0].count, 1);
			CHECK_U64(d->lost[0].off, PS + 3 * PS);
			CHECK_U64(d->lost[0].reason, K2E_LOST_DATA_EOF);
			CHECK_U64(d->lost[1].pfn, 4);
			CHECK_U64(d->lost[1].count, 2);
			CHECK_U64(d->lost[1].off, 0x10000 + PS);
		}
		k2e_dump_free(d);
	}
	tbuf_free(&b);
}

TEST(elf_one_tib_in_a_page)
{
	Elf64_Ehdr eh = { 0 };
	struct tbuf b = { 0 };
	struct k2e_dump *d;

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 1;
	tbuf_put(&b, &eh, sizeof(eh));
	phdr(&b, PT_LOAD, 0, 0, 1ULL << 40);
	d = open_elf(&b);
	if (d) {
		CHECK_U64(d->runs.n, 0);
		CHECK_U64(d->n_dumped, 0);
		CHECK_U64(d->n_lost_pages, 1ULL << 28);
		CHECK_U64(d->n_lost, 1);
		k2e_dump_free(d);
	}
	tbuf_free(&b);
}
