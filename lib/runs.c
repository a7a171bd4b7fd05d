#include "lib/runs.h"

#include <stdlib.h>

void k2e_runs_init(struct k2e_runs *r)
{
	r->v = NULL;
	r->n = r->cap = 0;
}

void k2e_runs_release(struct k2e_runs *r)
{
	free(r->v);
	k2e_runs_init(r);
}

int k2e_runs_append(struct k2e_runs *r, uint64_t start, uint64_t count, struct k2e_err *err)
{
	if (count == 0)
		return 0;
	if (r->n && r->v[r->n - 1].start + r->v[r->n - 1].count == start) {
		r->v[r->n - 1].count += count;
		return 0;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct k2e_run *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return k2e_err_set(err, "out of memory");
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n].start = start;
	r->v[r->n].count = count;
	r->n++;
	return 0;
}

static int run_cmp(const void *a, const void *b)
{
	const struct k2e_run *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

void k2e_runs_normalize(struct k2e_runs *r)
{
	size_t out = 0;

	if (r->n == 0)
		return;
	qsort(r->v, r->n, sizeof(*r->v), run_cmp);
	for (size_t i = 1; i < r->n; i++) {
		struct k2e_run *last = &r->v[out];
		uint64_t end = last->start + last->count;

		if (r->v[i].start <= end) {
			uint64_t e2 = r->v[i].start + r->v[i].count;

			if (e2 > end)
				last->count = e2 - last->start;
		} else {
			r->v[++out] = r->v[i];
		}
	}
	r->n = out + 1;
}

size_t k2e_runs_first_ending_after(const struct k2e_runs *r, uint64_t pfn)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->v[mid].start + r->v[mid].count <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

ptrdiff_t k2e_runs_find(const struct k2e_runs *r, uint64_t pfn)
{
	size_t lo = k2e_runs_first_ending_after(r, pfn);

	if (lo < r->n && r->v[lo].start <= pfn)
		return (ptrdiff_t)lo;
	return -1;
}

uint64_t k2e_runs_total(const struct k2e_runs *r)
{
	uint64_t t = 0;

	for (size_t i = 0; i < r->n; i++)
		t += r->v[i].count;
	return t;
}

int k2e_runs_subtract(struct k2e_runs *r, const struct k2e_runs *sub, struct k2e_err *err)
{
	struct k2e_runs out;
	size_t j = 0;

	k2e_runs_normalize(r);
	k2e_runs_init(&out);
	for (size_t i = 0; i < r->n; i++) {
		uint64_t pos = r->v[i].start, end = pos + r->v[i].count;

		while (j < sub->n && sub->v[j].start + sub->v[j].count <= pos)
			j++;
		for (size_t k = j; k < sub->n && sub->v[k].start < end && pos < end; k++) {
			if (sub->v[k].start > pos && k2e_runs_append(&out, pos, sub->v[k].start - pos, err) < 0)
				goto fail;
			if (sub->v[k].start + sub->v[k].count > pos)
				pos = sub->v[k].start + sub->v[k].count;
		}
		if (pos < end && k2e_runs_append(&out, pos, end - pos, err) < 0)
			goto fail;
	}
	k2e_runs_release(r);
	*r = out;
	return 0;
fail:
	k2e_runs_release(&out);
	return -1;
}
