#include "cli/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/util.h"

void k2e_progress_init(struct k2e_progress *p, pthread_mutex_t *lock, unsigned n_slots,
		       size_t total, bool enabled)
{
	memset(p, 0, sizeof(*p));
	p->lock = lock;
	p->enabled = enabled;
	p->total = total;
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
	p->last_draw = p->t0;
	p->slots = k2e_xrealloc(NULL, n_slots * sizeof(*p->slots));
	memset(p->slots, 0, n_slots * sizeof(*p->slots));
	for (unsigned i = 0; i < n_slots; i++)
		p->slots[i].p = p;
	p->n_slots = n_slots;
}

void k2e_progress_release(struct k2e_progress *p)
{
	free(p->slots);
	p->slots = NULL;
	p->n_slots = 0;
}

void k2e_progress_start(struct k2e_progress_slot *sl, uint64_t bytes_in)
{
	sl->active = true;
	sl->pages_done = sl->pages_total = 0;
	sl->bytes_in = bytes_in;
}

void k2e_progress_stop(struct k2e_progress_slot *sl)
{
	sl->active = false;
}

void k2e_progress_clear(struct k2e_progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = false;
}

void k2e_progress_draw(struct k2e_progress *p, bool force)
{
	struct timespec now;
	double dt, t, bytes = (double)p->bytes_done;
	size_t running = 0;

	if (!p->enabled)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	dt = (double)(now.tv_sec - p->last_draw.tv_sec) +
	     (double)(now.tv_nsec - p->last_draw.tv_nsec) / 1e9;
	if (!force && dt < 0.25)
		return;
	p->last_draw = now;
	for (unsigned i = 0; i < p->n_slots; i++) {
		const struct k2e_progress_slot *sl = &p->slots[i];

		if (!sl->active)
			continue;
		running++;
		if (sl->pages_total)
			bytes += (double)sl->bytes_in * (double)sl->pages_done / (double)sl->pages_total;
	}
	t = k2e_elapsed(&p->t0);
	fprintf(stderr, "\r\033[Kkdump2elf: %zu of %zu dumps done", p->done, p->total);
	if (p->failed)
		fprintf(stderr, ", %zu failed", p->failed);
	if (running)
		fprintf(stderr, ", %zu converting", running);
	fprintf(stderr, ", %.1f MB/s", t > 0 ? bytes / t / 1e6 : 0.0);
	p->shown = true;
}

void k2e_progress_cb(void *arg, uint64_t done, uint64_t total)
{
	struct k2e_progress_slot *sl = arg;
	struct k2e_progress *p = sl->p;

	pthread_mutex_lock(p->lock);
	sl->pages_done = done;
	sl->pages_total = total;
	k2e_progress_draw(p, false);
	pthread_mutex_unlock(p->lock);
}
