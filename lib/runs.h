/* runs.h - sorted, disjoint runs of page frame numbers. */
#ifndef K2E_RUNS_H
#define K2E_RUNS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct k2e_run {
	uint64_t start;		/* first pfn */
	uint64_t count;		/* number of pfns */
};

struct k2e_runs {
	struct k2e_run *v;
	size_t n, cap;
};

void k2e_runs_init(struct k2e_runs *r);
void k2e_runs_release(struct k2e_runs *r);
/* Append [start, start+count); start must not be below the last run's end. */
int k2e_runs_append(struct k2e_runs *r, uint64_t start, uint64_t count, struct k2e_err *err);
/* Sort and merge runs added in any order (overlaps are merged). */
void k2e_runs_normalize(struct k2e_runs *r);
/* Index of the first run that ends above pfn (r->n when none): binary search. */
size_t k2e_runs_first_ending_after(const struct k2e_runs *r, uint64_t pfn);
/* Index of the run containing pfn, or -1. */
ptrdiff_t k2e_runs_find(const struct k2e_runs *r, uint64_t pfn);
uint64_t k2e_runs_total(const struct k2e_runs *r);
/* r := r minus sub (sub sorted and disjoint; r ends up sorted too). */
int k2e_runs_subtract(struct k2e_runs *r, const struct k2e_runs *sub, struct k2e_err *err);

#endif
