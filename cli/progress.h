/*
 * progress.h - the progress line of a batch, redrawn on standard error when
 * it is a terminal (at most four times a second, and when a dump ends):
 * "kdump2elf: 3 of 12 dumps done, 1 failed, 2 converting, 85.2 MB/s".
 *
 * Every call but k2e_progress_cb() is made with *lock held; the converter's
 * callback takes it.  The counters are the caller's to update under the lock.
 */
#ifndef K2E_CLI_PROGRESS_H
#define K2E_CLI_PROGRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct k2e_progress;

/* One worker's dump in flight. */
struct k2e_progress_slot {
	struct k2e_progress *p;
	bool active;
	uint64_t pages_done, pages_total, bytes_in;
};

struct k2e_progress {
	pthread_mutex_t *lock;
	bool enabled;			/* a terminal, not --quiet */
	bool shown;			/* a line is on the screen */
	struct timespec t0, last_draw;
	struct k2e_progress_slot *slots;
	unsigned n_slots;
	/* What the line says. */
	size_t done, total, failed;
	uint64_t bytes_done;		/* input bytes of the dumps converted */
};

/* n_slots slots, all idle; the clock starts now. */
void k2e_progress_init(struct k2e_progress *p, pthread_mutex_t *lock, unsigned n_slots,
		       size_t total, bool enabled);
void k2e_progress_release(struct k2e_progress *p);

/* A worker takes a dump of bytes_in input bytes, or is done with it. */
void k2e_progress_start(struct k2e_progress_slot *sl, uint64_t bytes_in);
void k2e_progress_stop(struct k2e_progress_slot *sl);

/* Redraw (force: even if drawn less than 0.25 s ago). */
void k2e_progress_draw(struct k2e_progress *p, bool force);
/* Take the line off the screen before a message. */
void k2e_progress_clear(struct k2e_progress *p);

/* The converter's progress callback; arg is a struct k2e_progress_slot. */
void k2e_progress_cb(void *arg, uint64_t done, uint64_t total);

#endif
