/*
 * Unit tests of the arm64 page-table walker (arch/arm64.c) through
 * k2e_arch_find(EM_AARCH64)->kernel_mappings: synthetic TTBR1 tables for
 * each granule (4, 16, 64 KiB) and level count (2 to 4, 52-bit VA), with
 * pages, blocks, contiguous runs, reserved encodings, tables the dump
 * lacks, and hostile tables (cycles, everything pointing at one table).
 */
#include "tests/unit/harness.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>

#include "analysis/cpus.h"
#include "arch/arch.h"
#include "convert/corefile.h"
#include "convert/k2e-notes.h"
#include "lib/endian.h"

enum { MAX_TABLES = 64 };

static const uint64_t VALID = 1, TABLE = 2, PAGE = 3, AF = 1 << 10, CONT = 1ULL << 52;
static const uint64_t PXN = 1ULL << 53, UXN = 1ULL << 54;
static const uint64_t KIMAGE_VOFFSET = 0xffffba81c0200000ULL;

/* Fake physical memory: tables of any size at their physical addresses. */
struct phys {
	size_t n;
	uint64_t pa[MAX_TABLES];
	size_t len[MAX_TABLES];
	unsigned char *bytes[MAX_TABLES];
	uint64_t next_pa;		/* where the next new table goes */
};

static unsigned char *table(struct phys *m, uint64_t pa, size_t len)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->pa[i] == pa)
			return m->bytes[i];
	if (m->n == MAX_TABLES)
		abort();
	m->pa[m->n] = pa;
	m->len[m->n] = len;
	m->bytes[m->n] = calloc(1, len);
	if (!m->bytes[m->n])
		abort();
	return m->bytes[m->n++];
}

static void phys_free(struct phys *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->bytes[i]);
	free(m);
}

static int phys_read(void *arg, uint64_t paddr, void *buf, size_t len)
{
	struct phys *m = arg;

	for (size_t i = 0; i < m->n; i++) {
		if (paddr >= m->pa[i] && paddr - m->pa[i] + len <= m->len[i]) {
			memcpy(buf, m->bytes[i] + (paddr - m->pa[i]), len);
			return 0;
		}
	}
	return -1;
}

/* The geometry the tests build tables for, worked out here independently of the walker. */
struct geo {
	unsigned page_size, va_bits, levels, top_entries;
	uint64_t root_pa;
	uint64_t voffset;		/* kimage_voffset; 0: KIMAGE_VOFFSET */
};

static unsigned page_shift(const struct geo *g)
{
	return g->page_size == 4096 ? 12 : g->page_size == 16384 ? 14 : 16;
}

/* VA bits resolved below the table at level (levels - 1 is the top, 0 the last). */
static unsigned level_shift(const struct geo *g, unsigned level)
{
	return page_shift(g) + (page_shift(g) - 3) * level;
}

static size_t table_len(const struct geo *g, unsigned level)
{
	return level == g->levels - 1 ? (size_t)g->top_entries * 8 : g->page_size;
}

/*
 * Map va to pa with one descriptor at level (0: a page; 1 or 2: a block),
 * making the tables above it as needed.  extra: attribute bits.
 */
static void map(struct phys *m, const struct geo *g, uint64_t va, uint64_t pa, unsigned level,
		uint64_t extra)
{
	uint64_t tpa = g->root_pa;

	for (unsigned l = g->levels - 1;; l--) {
		unsigned char *t = table(m, tpa, table_len(g, l));
		uint64_t idx = (va >> level_shift(g, l)) &
			       ((l == g->levels - 1 ? g->top_entries : g->page_size / 8) - 1);
		uint64_t e = k2e_get64(t + 8 * idx, false);

		if (l == level) {
			k2e_put64le(t + 8 * idx, pa | extra | AF | (l == 0 ? PAGE : VALID));
			return;
		}
		if (!(e & VALID)) {
			e = m->next_pa | TABLE | VALID;
			m->next_pa += g->page_size;
			k2e_put64le(t + 8 * idx, e);
		}
		tpa = e & 0x0000fffffffff000ULL & ~(uint64_t)(g->page_size - 1);
	}
}

static int walk_vmci(struct phys *m, const char *vmci, struct k2e_vmaps *maps, struct k2e_err *err)
{
	const struct k2e_arch *a = k2e_arch_find(EM_AARCH64);
	struct k2e_phys_reader pr = { .read = phys_read, .arg = m };
	struct k2e_vmcoreinfo vi;
	struct tbuf notes = { 0 };
	int rc;

	note_put(&notes, "VMCOREINFO", 0, vmci, strlen(vmci), false);
	k2e_vmcoreinfo_init(&vi, notes.p, notes.len, false);
	k2e_vmaps_init(maps);
	rc = a->kernel_mappings(&vi, &pr, maps, err);
	tbuf_free(&notes);
	return rc;
}

static int walk(struct phys *m, const struct geo *g, const char *more, struct k2e_vmaps *maps,
		struct k2e_err *err)
{
	char vmci[1024];
	uint64_t voff = g->voffset ? g->voffset : KIMAGE_VOFFSET;

	snprintf(vmci, sizeof(vmci),
		 "OSRELEASE=6.1.0\nPAGESIZE=%u\nSYMBOL(swapper_pg_dir)=%llx\n"
		 "NUMBER(VA_BITS)=%u\nNUMBER(kimage_voffset)=0x%llx\nNUMBER(PHYS_OFFSET)=0x40000000\n%s",
		 g->page_size, (unsigned long long)(g->root_pa + voff), g->va_bits,
		 (unsigned long long)voff, more ? more : "");
	return walk_vmci(m, vmci, maps, err);
}

struct want {
	uint64_t vaddr, paddr, len;
};

static void check_maps(const char *what, const struct k2e_vmaps *m, const struct want *w, size_t n)
{
	if (!CHECKF(m->n == n, "%s: %zu mappings, want %zu", what, m->n, n))
		n = m->n < n ? m->n : n;
	for (size_t i = 0; i < n; i++) {
		const struct k2e_vmap *v = &m->v[i];

		CHECKF(v->vaddr == w[i].vaddr && v->paddr == w[i].paddr && v->len == w[i].len,
		       "%s: mapping %zu: va 0x%llx pa 0x%llx len 0x%llx, want va 0x%llx pa 0x%llx len 0x%llx",
		       what, i, (unsigned long long)v->vaddr, (unsigned long long)v->paddr,
		       (unsigned long long)v->len, (unsigned long long)w[i].vaddr,
		       (unsigned long long)w[i].paddr, (unsigned long long)w[i].len);
	}
}

static int want_cmp(const void *a, const void *b)
{
	const struct want *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/*
 * One geometry: the linear map at the bottom of the TTBR1 half (a block
 * and, after it, pages that continue it), a vmalloc'd stack (pages of a
 * contiguous run, not contiguous physically), the kernel image (a block a
 * quarter into the upper half, where kimage_voffset says) and, with four
 * levels, a block two levels above the pages.
 */
static void geometry(unsigned page_size, unsigned va_bits, unsigned levels, unsigned top_entries)
{
	struct geo g = { page_size, va_bits, levels, top_entries, 0x41000000, 0 };
	struct phys *m = calloc(1, sizeof(*m));
	uint64_t ps = page_size, block = ps << (page_shift(&g) - 3);
	uint64_t base = 0 - (1ULL << va_bits), vmalloc = 0 - (1ULL << (va_bits - 1));
	uint64_t kimage = vmalloc + (1ULL << (va_bits - 2)), kimage_pa = 0x40000000 + block;
	struct k2e_vmaps maps;
	struct k2e_err err;
	struct want w[8];
	size_t n = 0;
	char what[64];

	snprintf(what, sizeof(what), "%u-byte pages, %u-bit VA, %u levels", page_size, va_bits, levels);
	if (!m)
		abort();
	g.voffset = kimage - kimage_pa;
	m->next_pa = 0x42000000;
	/* The linear map: a block at PHYS_OFFSET, then two pages continuing it. */
	map(m, &g, base, 0x40000000, 1, UXN);
	map(m, &g, base + block, 0x40000000 + block, 0, UXN | PXN);
	map(m, &g, base + block + ps, 0x40000000 + block + ps, 0, UXN | PXN);
	w[n++] = (struct want){ base, 0x40000000, block + 2 * ps };
	/* A vmalloc'd stack: four pages of a contiguous run, scattered physically. */
	for (unsigned i = 0; i < 4; i++) {
		uint64_t va = vmalloc + 0x10000 * ps + i * ps, pa = 0x50000000 + (3 - i) * 2 * ps;

		map(m, &g, va, pa, 0, CONT);
		w[n++] = (struct want){ va, pa, ps };
	}
	map(m, &g, kimage, kimage_pa, 1, 0);
	w[n++] = (struct want){ kimage, kimage_pa, block };
	if (levels > 3) {
		uint64_t big = block << (page_shift(&g) - 3);

		map(m, &g, vmalloc + big, 0x80000000 & ~(big - 1), 2, 0);
		w[n++] = (struct want){ vmalloc + big, 0x80000000 & ~(big - 1), big };
	}
	qsort(w, n, sizeof(w[0]), want_cmp);
	if (CHECKF(walk(m, &g, NULL, &maps, &err) == 0, "%s: %s", what, err.msg))
		check_maps(what, &maps, w, n);
	k2e_vmaps_release(&maps);
	phys_free(m);
}

TEST(arm64_arch_table)
{
	const struct k2e_arch *a = k2e_arch_find(EM_AARCH64);

	if (!CHECK(a != NULL))
		return;
	CHECK_STR(a->name, "arm64");
	CHECK(a->kernel_mappings != NULL && a->kimage != NULL);
}

TEST(arm64_4k_39bit_3_levels)
{
	geometry(4096, 39, 3, 512);
}

TEST(arm64_4k_48bit_4_levels)
{
	geometry(4096, 48, 4, 512);
}

TEST(arm64_16k_36bit_2_levels)
{
	geometry(16384, 36, 2, 2048);
}

TEST(arm64_16k_47bit_3_levels)
{
	geometry(16384, 47, 3, 2048);
}

TEST(arm64_16k_48bit_4_levels)
{
	geometry(16384, 48, 4, 2);
}

TEST(arm64_64k_42bit_2_levels)
{
	geometry(65536, 42, 2, 8192);
}

TEST(arm64_64k_48bit_3_levels)
{
	geometry(65536, 48, 3, 64);
}

TEST(arm64_64k_52bit_3_levels)
{
	geometry(65536, 52, 3, 1024);
}

/* 52-bit VA with 4 and 16 KiB pages (FEAT_LPA2 kernels, 6.9 on): 5 and 4 levels, a small top table. */
TEST(arm64_4k_52bit_5_levels)
{
	geometry(4096, 52, 5, 16);
}

TEST(arm64_16k_52bit_4_levels)
{
	geometry(16384, 52, 4, 32);
}

/* Absolute numbers for Debian's kernel (4 KiB, 48 bits): index 256 of the top table is 0xffff800000000000. */
TEST(arm64_4k_48bit_absolute)
{
	struct geo g = { 4096, 48, 4, 512, 0x4178f000, 0 };
	struct phys *m = calloc(1, sizeof(*m));
	struct k2e_vmaps maps;
	struct k2e_err err;

	if (!m)
		abort();
	k2e_put64le(table(m, 0x4178f000, 4096) + 8 * 256, 0x42000000 | TABLE | VALID);
	k2e_put64le(table(m, 0x42000000, 4096) + 8 * 1, 0x43000000 | TABLE | VALID);
	k2e_put64le(table(m, 0x43000000, 4096) + 8 * 2, 0x60000000 | AF | VALID);	/* 2 MiB block */
	k2e_put64le(table(m, 0x43000000, 4096) + 8 * 3, 0x44000000 | TABLE | VALID);
	k2e_put64le(table(m, 0x44000000, 4096) + 8 * 4, 0x61234000 | AF | PAGE);
	k2e_put64le(table(m, 0x44000000, 4096) + 8 * 5, 0x61235000 | AF | VALID);	/* reserved */
	k2e_put64le(table(m, 0x44000000, 4096) + 8 * 6, 0x61236000 | AF | TABLE);	/* invalid */
	if (CHECKF(walk(m, &g, "NUMBER(TCR_EL1_T1SZ)=0x10\n", &maps, &err) == 0, "%s", err.msg)) {
		struct want w[] = {
			{ 0xffff800040400000ULL, 0x60000000, 0x200000 },
			{ 0xffff800040604000ULL, 0x61234000, 0x1000 },
		};

		check_maps("absolute", &maps, w, 2);
	}
	k2e_vmaps_release(&maps);
	phys_free(m);
}

/*
 * A 52-bit kernel on 48-bit hardware (TCR_EL1_T1SZ 16): only the top
 * sixteenth of the 1024-entry table is reachable; 52-bit physical
 * addresses put bits [51:48] in descriptor bits [15:12].
 */
TEST(arm64_64k_52bit_on_48bit_hardware)
{
	struct geo g = { 65536, 52, 3, 1024, 0x41000000, 0 };
	struct phys *m = calloc(1, sizeof(*m));
	struct k2e_vmaps maps;
	struct k2e_err err;

	if (!m)
		abort();
	m->next_pa = 0x42000000;
	map(m, &g, 0xfff0000000000000ULL, 0x40000000, 1, 0);	/* below the hardware's reach */
	map(m, &g, 0xffff000000000000ULL, 0xa0000000, 1, 0);
	map(m, &g, 0xffff000020000000ULL, 0x60000000 | (0x3ULL << 12), 1, 0);	/* PA 0x3_0000_6000_0000 */
	if (CHECKF(walk(m, &g, "NUMBER(TCR_EL1_T1SZ)=0x10\nNUMBER(MAX_PHYSMEM_BITS)=52\n", &maps,
			&err) == 0, "%s", err.msg)) {
		struct want w[] = {
			{ 0xffff000000000000ULL, 0xa0000000, 0x20000000 },
			{ 0xffff000020000000ULL, 0x3000060000000ULL, 0x20000000 },
		};

		check_maps("52-bit on 48-bit", &maps, w, 2);
	}
	k2e_vmaps_release(&maps);
	/* Without T1SZ the whole table counts; without 52-bit PAs bits [15:12] are not address. */
	if (CHECKF(walk(m, &g, NULL, &maps, &err) == 0, "%s", err.msg)) {
		struct want w[] = {
			{ 0xfff0000000000000ULL, 0x40000000, 0x20000000 },
			{ 0xffff000000000000ULL, 0xa0000000, 0x20000000 },
			{ 0xffff000020000000ULL, 0x60000000, 0x20000000 },
		};

		check_maps("52-bit, whole table", &maps, w, 3);
	}
	k2e_vmaps_release(&maps);
	phys_free(m);
}

TEST(arm64_vmcoreinfo_errors)
{
	struct phys *m = calloc(1, sizeof(*m));
	struct k2e_vmaps maps;
	struct k2e_err err;
	static const struct {
		const char *vmci, *msg;
	} cases[] = {
		{ "PAGESIZE=4096\nNUMBER(VA_BITS)=48\nNUMBER(kimage_voffset)=0x1000\n", "swapper_pg_dir" },
		{ "PAGESIZE=4096\nSYMBOL(swapper_pg_dir)=ffff800041000000\nNUMBER(VA_BITS)=48\n",
		  "kimage_voffset" },
		{ "PAGESIZE=4096\nSYMBOL(swapper_pg_dir)=ffff800041000000\nNUMBER(kimage_voffset)=0x1\n",
		  "VA_BITS" },
		{ "PAGESIZE=8192\nSYMBOL(swapper_pg_dir)=ffff800041000000\nNUMBER(VA_BITS)=48\n"
		  "NUMBER(kimage_voffset)=0x1\n", "PAGESIZE 8192" },
		{ "PAGESIZE=4096\nSYMBOL(swapper_pg_dir)=ffff800041000000\nNUMBER(VA_BITS)=64\n"
		  "NUMBER(kimage_voffset)=0x1\n", "VA_BITS 64" },
		{ "PAGESIZE=4096\nSYMBOL(swapper_pg_dir)=ffff800041000000\nNUMBER(VA_BITS)=48\n"
		  "NUMBER(kimage_voffset)=0xffffffffffffff00\n", "below kimage_voffset" },
	};

	if (!m)
		abort();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = walk_vmci(m, cases[i].vmci, &maps, &err);

		CHECKF(rc < 0, "case %zu: rc %d", i, rc);
		CHECK(rc != -2 || i == 0);	/* only a missing root means "nothing to walk" */
		CHECK_CONTAINS(err.msg, cases[i].msg);
		k2e_vmaps_release(&maps);
	}
	phys_free(m);
}

/*
 * Hostile tables: every entry of every level points back at the root, or
 * at one shared table.  The walk ends with an error, in bounded work.
 */
TEST(arm64_cyclic_tables)
{
	for (unsigned ps = 4096; ps <= 65536; ps *= 4) {
		struct geo g = { ps, 48, 0, 0, 0x41000000, 0 };
		struct phys *m = calloc(1, sizeof(*m));
		struct k2e_vmaps maps;
		struct k2e_err err;
		unsigned char *root;

		if (!m)
			abort();
		g.levels = ps == 4096 ? 4 : 3;
		g.top_entries = ps == 4096 ? 512 : ps == 16384 ? 2048 : 64;
		if (ps == 16384)
			g.va_bits = 47;
		root = table(m, g.root_pa, ps);
		for (unsigned i = 0; i < ps / 8; i++)
			k2e_put64le(root + 8 * i, g.root_pa | TABLE | VALID);
		CHECK(walk(m, &g, NULL, &maps, &err) < 0);
		CHECK_CONTAINS(err.msg, "page table walk");
		CHECK(maps.n <= (1u << 22) + 1);
		k2e_vmaps_release(&maps);
		phys_free(m);
	}
}

/* The image's range comes from the mappings at kimage_voffset. */
TEST(arm64_kimage_range)
{
	const struct k2e_arch *a = k2e_arch_find(EM_AARCH64);
	const char *vmci = "NUMBER(kimage_voffset)=0xffffba81c0200000\n";
	struct k2e_vmaps maps;
	struct k2e_vmcoreinfo vi;
	struct tbuf notes = { 0 };
	struct k2e_err err;
	uint64_t start = 1, end = 2;

	note_put(&notes, "VMCOREINFO", 0, vmci, strlen(vmci), false);
	k2e_vmcoreinfo_init(&vi, notes.p, notes.len, false);
	k2e_vmaps_init(&maps);
	k2e_vmaps_add(&maps, 0xffff000000000000ULL, 0x40000000, 0x20000000, &err);
	k2e_vmaps_add(&maps, 0xffffba8200410000ULL, 0x40210000, 0x1380000, &err);
	k2e_vmaps_add(&maps, 0xffffba8201c10000ULL, 0x41a10000, 0x28e000, &err);
	a->kimage(&vi, &maps, &start, &end);
	CHECK_U64(start, 0xffffba8200410000ULL);
	CHECK_U64(end, 0xffffba8201c10000ULL + 0x28e000);
	k2e_vmaps_release(&maps);
	tbuf_free(&notes);
}

/*
 * The core's notes for an arm64 dump with KERNELPACMASK: each NT_PRSTATUS
 * followed by an NT_ARM_PAC_MASK ("LINUX", the mask twice), one NT_AUXV
 * with HWCAP_PACA|PACG after the dump's notes, room for all of it; an
 * x86_64 dump of the same notes gets none of them.
 */
static void pac_notes(uint16_t machine, const uint32_t *want_types, size_t n_want)
{
	static const char vmci[] = "OSRELEASE=6.1.0\nNUMBER(KERNELPACMASK)=0xffff000000000000\n";
	unsigned char prs[392] = { 0 };
	struct tbuf notes = { 0 };
	struct k2e_dump d;
	struct k2e_cpus ki = { 0 };
	struct k2e_page_stats st;
	struct k2e_layout l = { .notes_cap = 1 << 20 };
	struct k2e_core_notes out = { 0 };
	struct k2e_err err;
	size_t pos = 0, n = 0, pacs = 0;

	k2e_put32le(prs + 32, 150);
	note_put(&notes, "CORE", NT_PRSTATUS, prs, sizeof(prs), false);
	k2e_put32le(prs + 32, 0);
	note_put(&notes, "CORE", NT_PRSTATUS, prs, sizeof(prs), false);
	note_put(&notes, "VMCOREINFO", 0, vmci, strlen(vmci), false);
	memset(&d, 0, sizeof(d));
	d.notes = notes.p;
	d.notes_len = notes.len;
	d.e_machine = machine;
	d.ptr_bits = 64;
	k2e_page_stats_init(&st);
	if (!CHECK(k2e_cpus_list_notes(&d, &ki, &err) == 0) || !CHECK_U64(ki.n_prs, 2))
		goto out;
	if (!CHECKF(k2e_core_notes(&d, &st, &l, &ki, &out, &err) == 0, "%s", err.msg))
		goto out;
	while (pos + 12 <= out.len) {
		const unsigned char *p = out.buf + pos;
		uint32_t namesz = k2e_get32(p, false), descsz = k2e_get32(p + 4, false);
		uint32_t type = k2e_get32(p + 8, false);
		const unsigned char *desc = p + 12 + ((namesz + 3) & ~3u);

		if (n < n_want)
			CHECKF(type == want_types[n], "note %zu: type 0x%x, want 0x%x", n, type, want_types[n]);
		if (type == NT_ARM_PAC_MASK) {
			pacs++;
			CHECK(namesz == 6 && memcmp(p + 12, "LINUX", 6) == 0);
			CHECK(descsz == 16 && k2e_get64(desc, false) == 0xffff000000000000ULL &&
			      k2e_get64(desc + 8, false) == 0xffff000000000000ULL);
		}
		if (type == NT_AUXV) {
			CHECK(descsz == 32 && k2e_get64(desc, false) == AT_HWCAP &&
			      k2e_get64(desc + 8, false) == (3ULL << 30) && k2e_get64(desc + 16, false) == 0);
		}
		if (type == NT_PRSTATUS && n == 0)
			CHECK_U64(k2e_get32(desc + 32, false), 150);
		n++;
		pos = (size_t)(desc - out.buf) + ((descsz + 3) & ~3u);
	}
	CHECK_U64(n, n_want);
	CHECK_U64(pos, out.len);
	if (machine == EM_AARCH64)
		CHECK_U64(k2e_core_notes_thread_room(&d), 2 * (12 + 8 + 16) + 12 + 8 + 32);
	else
		CHECK_U64(k2e_core_notes_thread_room(&d), 0);
	CHECK_U64(pacs, machine == EM_AARCH64 ? 2 : 0);
out:
	free(out.buf);
	free(out.cpu_map);
	k2e_cpus_release(&ki);
	k2e_page_stats_release(&st);
	tbuf_free(&notes);
}

TEST(arm64_pac_mask_notes)
{
	static const uint32_t a64[] = { NT_PRSTATUS, NT_ARM_PAC_MASK, NT_PRSTATUS, NT_ARM_PAC_MASK, 0,
					NT_AUXV, NT_K2E_INFO, NT_K2E_CPUS };
	static const uint32_t x86[] = { NT_PRSTATUS, NT_PRSTATUS, 0, NT_K2E_INFO, NT_K2E_CPUS };

	pac_notes(EM_AARCH64, a64, sizeof(a64) / sizeof(a64[0]));
	pac_notes(EM_X86_64, x86, sizeof(x86) / sizeof(x86[0]));
}
