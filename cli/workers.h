/*
 * workers.h - the -j workers of a batch.  Each takes the next dump in list
 * order from a shared index and does it (cli/job.h) with env.threads
 * decoding threads, so no more than --threads threads decode at once and
 * memory stays that of j conversions.  A dump that fails is recorded in its
 * line and the run goes on.  A worker takes the lock only to take a dump,
 * to write a finished line (whole lines, in completion order, to the
 * --json sink) with its message, and to redraw the progress line.
 */
#ifndef K2E_CLI_WORKERS_H
#define K2E_CLI_WORKERS_H

#include <pthread.h>
#include <stddef.h>

#include "cli/job.h"
#include "cli/progress.h"
#include "cli/scan.h"
#include "cli/summary.h"

struct k2e_workers {
	/* Set by the caller. */
	struct k2e_job_env env;
	const struct k2e_unit *units;
	size_t n_units;
	struct k2e_summary_sink *sink;
	/* The run. */
	pthread_mutex_t lock;
	size_t next;
	size_t n_ok, n_partial, n_failed, n_skipped;
	struct k2e_progress progress;
};

/* Do every unit with `jobs` workers (at least one runs, on this thread if need be). */
void k2e_workers_run(struct k2e_workers *w, unsigned jobs);

#endif
