/* Unit tests of lib/runs. */
#include "tests/unit/harness.h"

#include "lib/runs.h"

TEST(runs_append_merges_adjacent)
{
	struct k2e_runs r;
	struct k2e_err err;

	k2e_runs_init(&r);
	CHECK(k2e_runs_append(&r, 10, 5, &err) == 0);
	CHECK(k2e_runs_append(&r, 15, 3, &err) == 0);	/* touches: merged */
	CHECK(k2e_runs_append(&r, 20, 0, &err) == 0);	/* empty: ignored */
	CHECK(k2e_runs_append(&r, 20, 1, &err) == 0);	/* gap: new run */
	if (CHECK_U64(r.n, 2)) {
		CHECK_U64(r.v[0].start, 10);
		CHECK_U64(r.v[0].count, 8);
		CHECK_U64(r.v[1].start, 20);
		CHECK_U64(r.v[1].count, 1);
	}
	CHECK_U64(k2e_runs_total(&r), 9);
	k2e_runs_release(&r);
	CHECK_U64(r.n, 0);
	CHECK(r.v == NULL);
}

TEST(runs_append_grows)
{
	struct k2e_runs r;
	struct k2e_err err;
	bool ok = true;

	k2e_runs_init(&r);
	for (uint64_t i = 0; i < 1000; i++)
		ok &= k2e_runs_append(&r, i * 3, 2, &err) == 0;
	CHECK(ok);
	CHECK_U64(r.n, 1000);
	CHECK_U64(r.v[999].start, 2997);
	CHECK_U64(k2e_runs_total(&r), 2000);
	k2e_runs_release(&r);
}

TEST(runs_normalize_unsorted_overlapping)
{
	struct k2e_runs r;
	struct k2e_err err;

	k2e_runs_init(&r);
	/* Unsorted, overlapping, nested, touching and duplicate runs. */
	k2e_runs_append(&r, 100, 10, &err);	/* 100-109 */
	k2e_runs_append(&r, 0, 4, &err);	/* 0-3 (below the last end: as a new run) */
	k2e_runs_append(&r, 105, 20, &err);	/* 105-124 overlaps */
	k2e_runs_append(&r, 4, 2, &err);	/* 4-5 touches 0-3 */
	k2e_runs_append(&r, 50, 1, &err);	/* alone */
	k2e_runs_append(&r, 110, 2, &err);	/* nested in 105-124 */
	k2e_runs_append(&r, 0, 4, &err);	/* duplicate */
	k2e_runs_append(&r, 125, 5, &err);	/* touches 105-124 */
	k2e_runs_normalize(&r);
	if (CHECK_U64(r.n, 3)) {
		CHECK_U64(r.v[0].start, 0);
		CHECK_U64(r.v[0].count, 6);
		CHECK_U64(r.v[1].start, 50);
		CHECK_U64(r.v[1].count, 1);
		CHECK_U64(r.v[2].start, 100);
		CHECK_U64(r.v[2].count, 30);
	}
	CHECK_U64(k2e_runs_total(&r), 37);
	/* Normalizing again changes nothing. */
	k2e_runs_normalize(&r);
	CHECK_U64(r.n, 3);
	k2e_runs_release(&r);

	/* An empty set stays empty. */
	k2e_runs_init(&r);
	k2e_runs_normalize(&r);
	CHECK_U64(r.n, 0);
	CHECK_U64(k2e_runs_total(&r), 0);
	CHECK_I64(k2e_runs_find(&r, 0), -1);
}

TEST(runs_find_boundaries)
{
	struct k2e_runs r;
	struct k2e_err err;

	k2e_runs_init(&r);
	k2e_runs_append(&r, 0, 1, &err);	/* [0] */
	k2e_runs_append(&r, 10, 10, &err);	/* [10, 20) */
	k2e_runs_append(&r, 30, 1, &err);	/* [30] */
	k2e_runs_append(&r, UINT64_MAX - 5, 5, &err);	/* top of the space */
	CHECK_I64(k2e_runs_find(&r, 0), 0);
	CHECK_I64(k2e_runs_find(&r, 1), -1);
	CHECK_I64(k2e_runs_find(&r, 9), -1);
	CHECK_I64(k2e_runs_find(&r, 10), 1);
	CHECK_I64(k2e_runs_find(&r, 19), 1);
	CHECK_I64(k2e_runs_find(&r, 20), -1);
	CHECK_I64(k2e_runs_find(&r, 29), -1);
	CHECK_I64(k2e_runs_find(&r, 30), 2);
	CHECK_I64(k2e_runs_find(&r, 31), -1);
	CHECK_I64(k2e_runs_find(&r, UINT64_MAX - 6), -1);
	CHECK_I64(k2e_runs_find(&r, UINT64_MAX - 5), 3);
	CHECK_I64(k2e_runs_find(&r, UINT64_MAX - 1), 3);
	CHECK_U64(k2e_runs_total(&r), 17);
	k2e_runs_release(&r);
}
