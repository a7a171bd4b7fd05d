/*
 * Unit tests of the x86_64 page-table walker (arch/x86_64.c) through
 * k2e_arch_find(EM_X86_64)->kernel_mappings, with a fake dump whose notes
 * hold a VMCOREINFO note and a fake physical memory of a few table pages.
 */
#include "tests/unit/harness.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>

#include "arch/arch.h"
#include "lib/endian.h"

enum { MAX_PAGES = 32 };

static const uint64_t P = 1, PSE = 1 << 7, NX = 1ULL << 63;
static const uint64_t SME = 1ULL << 47;	/* the memory-encryption bit */
static const uint64_t KMAP = 0xffffffff80000000ULL;
static const int64_t PHYS_BASE = -16777216;	/* -0x1000000 */

struct phys {
	size_t n;
	uint64_t pa[MAX_PAGES];
	unsigned char page[MAX_PAGES][4096];
	unsigned long reads;
};

static unsigned char *table(struct phys *m, uint64_t pa)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->pa[i] == pa)
			return m->page[i];
	if (m->n == MAX_PAGES)
		abort();
	m->pa[m->n] = pa;
	memset(m->page[m->n], 0, 4096);
	return m->page[m->n++];
}

static void set(struct phys *m, uint64_t table_pa, unsigned idx, uint64_t entry)
{
	k2e_put64le(table(m, table_pa) + 8 * idx, entry);
}

static int phys_read(void *arg, uint64_t paddr, void *buf, size_t len)
{
	struct phys *m = arg;

	m->reads++;
	for (size_t i = 0; i < m->n; i++) {
		if (paddr >= m->pa[i] && paddr - m->pa[i] + len <= 4096) {
			memcpy(buf, m->page[i] + (paddr - m->pa[i]), len);
			return 0;
		}
	}
	return -1;
}

/* A dump that has nothing but notes with this vmcoreinfo. */
static void make_dump(struct k2e_dump *d, struct tbuf *notes, const char *vmcoreinfo)
{
	memset(d, 0, sizeof(*d));
	memset(notes, 0, sizeof(*notes));
	note_put(notes, "CORE", 1, "regs", 4, false);
	note_put(notes, "VMCOREINFO", 0, vmcoreinfo, strlen(vmcoreinfo), false);
	d->notes = notes->p;
	d->notes_len = notes->len;
	d->e_machine = EM_X86_64;
	d->ptr_bits = 64;
	d->page_size = 4096;
	d->page_shift = 12;
}

static void vmcoreinfo_for(char *buf, size_t cap, uint64_t root_pa, int l5, bool sme)
{
	int n = snprintf(buf, cap,
			 "OSRELEASE=6.1.0\nPAGESIZE=4096\nSYMBOL(init_top_pgt)=%llx\n"
			 "NUMBER(phys_base)=%lld\nNUMBER(pgtable_l5_enabled)=%d\n",
			 (unsigned long long)(KMAP + root_pa - (uint64_t)PHYS_BASE),
			 (long long)PHYS_BASE, l5);

	if (sme)
		snprintf(buf + n, cap - (size_t)n, "NUMBER(sme_mask)=%llu\n", (unsigned long long)SME);
}

struct want {
	uint64_t vaddr, paddr, len;
};

static void check_maps(const struct k2e_vmaps *m, const struct want *w, size_t n)
{
	if (!CHECK_U64(m->n, n))
		return;
	for (size_t i = 0; i < n; i++) {
		const struct k2e_vmap *v = &m->v[i];

		CHECKF(v->vaddr == w[i].vaddr && v->paddr == w[i].paddr && v->len == w[i].len,
		       "mapping %zu: va 0x%llx pa 0x%llx len 0x%llx, want va 0x%llx pa 0x%llx len 0x%llx",
		       i, (unsigned long long)v->vaddr, (unsigned long long)v->paddr,
		       (unsigned long long)v->len, (unsigned long long)w[i].vaddr,
		       (unsigned long long)w[i].paddr, (unsigned long long)w[i].len);
	}
}

/*
 * The tables below the top level, shared by the 4- and 5-level tests:
 *   PDPT A 0x12000: [0] 1 GiB leaf 0x40000000, [1] 1 GiB leaf 0x80000000
 *                   (contiguous: merged), [3] -> PD B
 *   PD B 0x13000:   [0] 2 MiB leaf 0x200000, [1] -> PT C, [2] 2 MiB leaf 0x600000
 *   PT C 0x14000:   [0..2] 4 KiB leaves 0x400000.. (merged with the 2 MiB
 *                   leaf before them), [5] 4 KiB leaf 0x9000
 *   PDPT K 0x15000: [510] -> PD E
 *   PD E 0x16000:   [0] 2 MiB leaf 0x1000000, [1] 2 MiB leaf 0x1200000
 * Every present entry has the sme bit set when `sme`.
 */
static void lower_tables(struct phys *m, bool sme)
{
	uint64_t s = sme ? SME : 0;

	set(m, 0x12000, 0, 0x40000000 | P | PSE | s);
	set(m, 0x12000, 1, 0x80000000 | P | PSE | s | NX);
	set(m, 0x12000, 2, 0xc0000000 | PSE);		/* not present */
	set(m, 0x12000, 3, 0x13000 | P | s | 0x60);	/* accessed, dirty bits */
	set(m, 0x13000, 0, 0x200000 | P | PSE | s);
	set(m, 0x13000, 1, 0x14000 | P | s);
	set(m, 0x13000, 2, 0x600000 | 0x1000 | P | PSE | s);	/* PAT bit 12 of a 2 MiB leaf */
	set(m, 0x14000, 0, 0x400000 | P | s);
	set(m, 0x14000, 1, 0x401000 | P | s | NX);
	set(m, 0x14000, 2, 0x402000 | P | s | 0x100);	/* global */
	set(m, 0x14000, 5, 0x9000 | P | s);
	set(m, 0x15000, 510, 0x16000 | P | s);
	set(m, 0x16000, 0, 0x1000000 | P | PSE | s);
	set(m, 0x16000, 1, 0x1200000 | P | PSE | s);
}

static void expected(struct want *w, uint64_t dmap, uint64_t kimage)
{
	uint64_t b = dmap + 0xc0000000;

	w[0] = (struct want){ dmap, 0x40000000, 2ULL << 30 };
	w[1] = (struct want){ b, 0x200000, 0x200000 + 3 * 4096 };
	w[2] = (struct want){ b + 0x200000 + 5 * 4096, 0x9000, 4096 };
	w[3] = (struct want){ b + 0x400000, 0x600000, 0x200000 };
	w[4] = (struct want){ kimage, 0x1000000, 0x400000 };
}

static int walk(struct phys *m, const char *vmci, struct k2e_vmaps *maps, struct k2e_err *err)
{
	const struct k2e_arch *a = k2e_arch_find(EM_X86_64);
	struct k2e_phys_reader pr = { .read = phys_read, .arg = m };
	struct tbuf notes;
	struct k2e_dump d;
	int rc;

	struct k2e_vmcoreinfo vi;

	make_dump(&d, &notes, vmci);
	k2e_vmcoreinfo_init(&vi, d.notes, d.notes_len, d.big_endian);
	k2e_vmaps_init(maps);
	rc = a->kernel_mappings(&vi, &pr, maps, err);
	tbuf_free(&notes);
	return rc;
}

TEST(x86_64_arch_table)
{
	const struct k2e_arch *a = k2e_arch_find(EM_X86_64);

	if (!CHECK(a != NULL))
		return;
	CHECK_STR(a->name, "x86_64");
	CHECK_U64(a->e_machine, EM_X86_64);
	CHECK_U64(a->kimage_start, KMAP);
	CHECK(a->kimage_end > a->kimage_start);
	CHECK(a->kernel_mappings != NULL);
	CHECK(k2e_arch_find(EM_NONE) == NULL);
}

static void four_level(bool sme)
{
	struct phys *m = calloc(1, sizeof(*m));
	struct k2e_vmaps maps;
	struct k2e_err err;
	struct want w[5];
	char vmci[512];
	uint64_t s = sme ? SME : 0;

	lower_tables(m, sme);
	set(m, 0x10000, 0, 0x11000 | P | s);		/* user half: ignored */
	set(m, 0x11000, 0, 0x40000000 | P | PSE | s);
	set(m, 0x10000, 273, 0x12000 | P | s);		/* 0xffff888000000000 */
	set(m, 0x10000, 300, 0x12000);			/* not present */
	set(m, 0x10000, 400, 0x900000 | P | s);	/* a table the dump lacks */
	set(m, 0x10000, 511, 0x15000 | P | s);
	vmcoreinfo_for(vmci, sizeof(vmci), 0x10000, 0, sme);
	if (CHECKF(walk(m, vmci, &maps, &err) == 0, "%s", err.msg)) {
		expected(w, 0xffff888000000000ULL, KMAP);
		check_maps(&maps, w, 5);
	}
	k2e_vmaps_release(&maps);
	free(m);
}

TEST(x86_64_four_level)
{
	four_level(false);
}

TEST(x86_64_four_level_sme)
{
	four_level(true);
}

TEST(x86_64_sme_mask_matters)
{
	/* The sme bit set in the entries but not announced: tables are not found. */
	struct phys *m = calloc(1, sizeof(*m));
	struct k2e_vmaps maps;
	struct k2e_err err;
	char vmci[512];

	lower_tables(m, true);
	set(m, 0x10000, 273, 0x12000 | P | SME);
	vmcoreinfo_for(vmci, sizeof(vmci), 0x10000, 0, false);
	if (CHECK(walk(m, vmci, &maps, &err) == 0))
		CHECK_U64(maps.n, 0);
	k2e_vmaps_release(&maps);
	free(m);
}

TEST(x86_64_five_level)
{
	for (int sme = 0; sme < 2; sme++) {
		struct phys *m = calloc(1, sizeof(*m));
		struct k2e_vmaps maps;
		struct k2e_err err;
		struct want w[5];
		char vmci[512];
		uint64_t s = sme ? SME : 0;

		lower_tables(m, sme);
		set(m, 0x20000, 1, 0x21000 | P | s);		/* user half: ignored */
		set(m, 0x20000, 273, 0x21000 | P | s);		/* 0xff11000000000000 */
		set(m, 0x21000, 0, 0x12000 | P | s);
		set(m, 0x20000, 511, 0x22000 | P | s);
		set(m, 0x22000, 511, 0x15000 | P | s);
		vmcoreinfo_for(vmci, sizeof(vmci), 0x20000, 1, sme);
		if (CHECKF(walk(m, vmci, &maps, &err) == 0, "%s", err.msg)) {
			expected(w, 0xff11000000000000ULL, KMAP);
			check_maps(&maps, w, 5);
		}
		k2e_vmaps_release(&maps);
		/* The same tables read as 4-level give other addresses. */
		vmcoreinfo_for(vmci, sizeof(vmci), 0x20000, 0, sme);
		if (CHECK(walk(m, vmci, &maps, &err) == 0))
			CHECK(maps.n == 0 || maps.v[0].vaddr != 0xff11000000000000ULL);
		k2e_vmaps_release(&maps);
		free(m);
	}
}

TEST(x86_64_vmcoreinfo_errors)
{
	struct phys *m = calloc(1, sizeof(*m));
	struct k2e_vmaps maps;
	struct k2e_err err;

	lower_tables(m, false);
	set(m, 0x10000, 273, 0x12000 | P);
	CHECK(walk(m, "OSRELEASE=6.1.0\n", &maps, &err) < 0);
	CHECK_CONTAINS(err.msg, "init_top_pgt");
	k2e_vmaps_release(&maps);
	CHECK(walk(m, "SYMBOL(init_top_pgt)=ffffffff81010000\n", &maps, &err) < 0);
	CHECK_CONTAINS(err.msg, "phys_base");
	k2e_vmaps_release(&maps);
	CHECK(walk(m, "SYMBOL(init_top_pgt)=10000\nNUMBER(phys_base)=0\n", &maps, &err) < 0);
	CHECK_CONTAINS(err.msg, "not in the kernel image");
	k2e_vmaps_release(&maps);
	CHECK(walk(m, "SYMBOL(init_top_pgt)=zzz\nNUMBER(phys_base)=0\n", &maps, &err) < 0);
	k2e_vmaps_release(&maps);
	/* swapper_pg_dir works too; a positive phys_base as well. */
	if (CHECK(walk(m, "SYMBOL(swapper_pg_dir)=ffffffff80010000\nNUMBER(phys_base)=0\n",
		       &maps, &err) == 0))
		CHECK(maps.n == 4 && maps.v[0].vaddr == 0xffff888000000000ULL);
	k2e_vmaps_release(&maps);
	if (CHECK(walk(m, "SYMBOL(init_top_pgt)=ffffffff80000000\nNUMBER(phys_base)=65536\n",
		       &maps, &err) == 0))
		CHECK(maps.n == 4 && maps.v[0].paddr == 0x40000000);
	k2e_vmaps_release(&maps);
	free(m);
}

/* Tables that point back at themselves: the walk ends, quickly. */
TEST(x86_64_cyclic_tables)
{
	struct phys *m = calloc(1, sizeof(*m));
	struct k2e_vmaps maps;
	struct k2e_err err;
	char vmci[512];
	int rc;

	/* One entry pointing at its own table. */
	set(m, 0x30000, 300, 0x30000 | P);
	vmcoreinfo_for(vmci, sizeof(vmci), 0x30000, 0, false);
	rc = walk(m, vmci, &maps, &err);
	CHECK(rc == 0 || rc == -1);
	CHECK(maps.n <= 1);
	CHECK(m->reads < 16);
	k2e_vmaps_release(&maps);

	/* Two tables pointing at each other with every entry. */
	for (unsigned i = 0; i < 512; i++) {
		set(m, 0x30000, i, 0x31000 | P);
		set(m, 0x31000, i, 0x30000 | P);
	}
	for (int l5 = 0; l5 < 2; l5++) {
		m->reads = 0;
		vmcoreinfo_for(vmci, sizeof(vmci), 0x30000, l5, false);
		rc = walk(m, vmci, &maps, &err);
		CHECK(rc == 0 || rc == -1);
		/* Bounded work and memory, whatever the answer. */
		CHECK(m->reads <= (1u << 20) + 1);
		CHECK(maps.n <= (1u << 22) + 1);
		k2e_vmaps_release(&maps);
	}
	free(m);
}

/*
 * No cycle, but every entry of each level shares one table below it and
 * every leaf maps one page (as KASAN's early shadow does): 2^35 leaves that
 * cannot be merged.  The walk must give up with bounded memory.
 */
TEST(x86_64_shared_tables_bounded)
{
	struct phys *m = calloc(1, sizeof(*m));
	struct k2e_vmaps maps;
	struct k2e_err err;
	char vmci[512];

	for (unsigned i = 0; i < 512; i++) {
		set(m, 0x40000, i, 0x41000 | P);
		set(m, 0x41000, i, 0x42000 | P);
		set(m, 0x42000, i, 0x43000 | P);
		set(m, 0x43000, i, 0x50000 | P);
	}
	vmcoreinfo_for(vmci, sizeof(vmci), 0x40000, 0, false);
	if (CHECK(walk(m, vmci, &maps, &err) < 0))
		CHECK_CONTAINS(err.msg, "page table walk");
	CHECK(maps.n <= (1u << 22) + 1);
	k2e_vmaps_release(&maps);
	free(m);
}

TEST(vmaps_add_merges)
{
	struct k2e_vmaps m;
	struct k2e_err err;

	k2e_vmaps_init(&m);
	CHECK(k2e_vmaps_add(&m, 0x1000, 0x5000, 0x1000, &err) == 0);
	CHECK(k2e_vmaps_add(&m, 0x2000, 0x6000, 0x1000, &err) == 0);	/* both contiguous */
	CHECK(k2e_vmaps_add(&m, 0x3000, 0x9000, 0x1000, &err) == 0);	/* va only */
	CHECK(k2e_vmaps_add(&m, 0x5000, 0xa000, 0x1000, &err) == 0);	/* pa only */
	if (CHECK_U64(m.n, 3)) {
		CHECK_U64(m.v[0].len, 0x2000);
		CHECK_U64(m.v[1].vaddr, 0x3000);
		CHECK_U64(m.v[2].vaddr, 0x5000);
	}
	for (uint64_t i = 0; i < 1000; i++)
		k2e_vmaps_add(&m, 0x100000 + i * 0x2000, i * 0x1000, 0x1000, &err);
	CHECK_U64(m.n, 1003);
	k2e_vmaps_release(&m);
	CHECK_U64(m.n, 0);
}
