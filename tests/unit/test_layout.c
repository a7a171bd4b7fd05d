/* Unit tests of convert/layout. */
#include "tests/unit/harness.h"

#include <elf.h>

#include "convert/layout.h"

static void three_runs(struct k2e_runs *r)
{
	struct k2e_err err;

	k2e_runs_init(r);
	k2e_runs_append(r, 0, 4, &err);		/* pfns 0-3 */
	k2e_runs_append(r, 10, 2, &err);	/* pfns 10-11 */
	k2e_runs_append(r, 100, 5, &err);	/* pfns 100-104 */
}

TEST(layout_offsets)
{
	struct k2e_runs r;
	struct k2e_layout l;
	struct k2e_err err;
	uint64_t ds;

	three_runs(&r);
	if (!CHECK(k2e_layout_init(&l, &r, 4096, 10, 100, &err) == 0))
		return;
	CHECK_U64(l.page_shift, 12);
	/* Program headers right after the ELF header; notes after their room. */
	CHECK_U64(l.notes_off, sizeof(Elf64_Ehdr) + 10 * sizeof(Elf64_Phdr));
	CHECK_U64(l.notes_off % 8, 0);
	CHECK_U64(l.notes_cap, 100);
	ds = l.data_start;
	CHECK_U64(ds, 4096);
	CHECK_U64(ds % 4096, 0);
	CHECK(ds >= l.notes_off + l.notes_cap);
	/* Run after run, page after page. */
	CHECK_U64(k2e_layout_pfn_off(&l, 0), ds);
	CHECK_U64(k2e_layout_pfn_off(&l, 3), ds + 3 * 4096);
	CHECK_U64(k2e_layout_pfn_off(&l, 10), ds + 4 * 4096);
	CHECK_U64(k2e_layout_pfn_off(&l, 11), ds + 5 * 4096);
	CHECK_U64(k2e_layout_pfn_off(&l, 100), ds + 6 * 4096);
	CHECK_U64(k2e_layout_pfn_off(&l, 104), ds + 10 * 4096);
	CHECK_U64(l.data_end, ds + 11 * 4096);
	/* Not in any run. */
	CHECK_U64(k2e_layout_pfn_off(&l, 4), UINT64_MAX);
	CHECK_U64(k2e_layout_pfn_off(&l, 9), UINT64_MAX);
	CHECK_U64(k2e_layout_pfn_off(&l, 12), UINT64_MAX);
	CHECK_U64(k2e_layout_pfn_off(&l, 105), UINT64_MAX);
	CHECK_U64(k2e_layout_pfn_off(&l, UINT64_MAX), UINT64_MAX);
	k2e_layout_release(&l);
	CHECK(l.run_off == NULL);
	k2e_runs_release(&r);
}

TEST(layout_data_start_alignment)
{
	static const uint32_t sizes[] = { 512, 4096, 16384, 65536 };
	struct k2e_runs r;
	struct k2e_err err;

	three_runs(&r);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* notes_cap chosen so the notes end exactly on, and just past, a page. */
		for (uint64_t extra = 0; extra < 2; extra++) {
			struct k2e_layout l;
			uint64_t phdrs = 70000;	/* PN_XNUM territory */
			uint64_t notes_off = (64 + phdrs * 56 + 7) & ~7ULL;
			uint64_t cap = sizes[i] * 3 - notes_off % sizes[i] + extra;
			uint64_t want = (notes_off + cap + sizes[i] - 1) / sizes[i] * sizes[i];

			if (!CHECK(k2e_layout_init(&l, &r, sizes[i], phdrs, cap, &err) == 0))
				continue;
			CHECK_U64(l.notes_off, notes_off);
			CHECK_U64(l.data_start, want);
			CHECK_U64(l.data_start % sizes[i], 0);
			CHECK_U64(k2e_layout_pfn_off(&l, 10), want + 4ULL * sizes[i]);
			CHECK_U64(l.data_end, want + 11ULL * sizes[i]);
			k2e_layout_release(&l);
		}
	}
	k2e_runs_release(&r);
}

TEST(layout_empty_runs)
{
	struct k2e_runs r;
	struct k2e_layout l;
	struct k2e_err err;
	size_t cur = 0;

	k2e_runs_init(&r);
	if (!CHECK(k2e_layout_init(&l, &r, 4096, 1, 0, &err) == 0))
		return;
	CHECK_U64(l.data_start, 4096);
	CHECK_U64(l.data_end, l.data_start);
	CHECK_U64(k2e_layout_pfn_off(&l, 0), UINT64_MAX);
	CHECK_U64(k2e_layout_pfn_off_seq(&l, 0, &cur), UINT64_MAX);
	k2e_layout_release(&l);
}

TEST(layout_seq_matches_random)
{
	struct k2e_runs r;
	struct k2e_layout l;
	struct k2e_err err;
	size_t cur = 0;
	unsigned bad = 0;

	three_runs(&r);
	if (!CHECK(k2e_layout_init(&l, &r, 4096, 4, 0, &err) == 0))
		return;
	/* Every pfn in increasing order: same answer as the binary search. */
	for (uint64_t pfn = 0; pfn < 120; pfn++)
		if (k2e_layout_pfn_off_seq(&l, pfn, &cur) != k2e_layout_pfn_off(&l, pfn))
			bad++;
	CHECK_U64(bad, 0);
	CHECK_U64(cur, 3);	/* past the last run */
	/* Skipping ahead moves the cursor over whole runs. */
	cur = 0;
	CHECK_U64(k2e_layout_pfn_off_seq(&l, 101, &cur), l.data_start + 7 * 4096);
	CHECK_U64(cur, 2);
	cur = 0;
	CHECK_U64(k2e_layout_pfn_off_seq(&l, 50, &cur), UINT64_MAX);
	CHECK_U64(cur, 2);	/* stops at the next run */
	CHECK_U64(k2e_layout_pfn_off_seq(&l, 100, &cur), l.data_start + 6 * 4096);
	cur = 1;
	CHECK_U64(k2e_layout_pfn_off_seq(&l, 11, &cur), l.data_start + 5 * 4096);
	CHECK_U64(cur, 1);
	k2e_layout_release(&l);
	k2e_runs_release(&r);
}
