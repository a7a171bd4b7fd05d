#include "cli/workers.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/msg.h"
#include "cli/util.h"

/* The message for a finished dump, as the verbosity asks. */
static void say(const struct k2e_workers *w, const struct k2e_unit *u, enum k2e_outcome out,
		const char *note)
{
	const struct k2e_batch_opts *o = w->env.o;
	const char *input = u->paths[0];

	if (out == K2E_OUT_ERROR) {
		size_t il = strlen(input);

		if (note && strncmp(note, input, il) == 0 && note[il] == ':')
			k2e_cli_msg("%s", note);
		else
			k2e_cli_msg("%s: %s", input, note ? note : "failed");
	} else if (out == K2E_OUT_PARTIAL && o->verbosity >= 0) {
		k2e_cli_msg("%s: %s; '%s/%s.elf' holds the rest", input, note ? note : "pages lost",
			    o->out_dir, u->name);
	} else if (o->verbosity > 0) {
		k2e_cli_msg("%s: %s -> %s/%s.elf", input,
			    out == K2E_OUT_SKIPPED ? "already done" : "converted", o->out_dir, u->name);
	}
}

struct worker_arg {
	struct k2e_workers *w;
	struct k2e_progress_slot *sl;
};

static void *worker(void *arg)
{
	struct k2e_workers *w = ((struct worker_arg *)arg)->w;
	struct k2e_progress_slot *sl = ((struct worker_arg *)arg)->sl;

	for (;;) {
		const struct k2e_unit *u;
		enum k2e_outcome out;
		char *line = NULL, *note = NULL;
		uint64_t bytes_in = 0, total = 0;

		pthread_mutex_lock(&w->lock);
		if (w->next >= w->n_units) {
			pthread_mutex_unlock(&w->lock);
			return NULL;
		}
		u = &w->units[w->next++];
		for (size_t i = 0; i < u->n_paths; i++) {
			struct stat st;

			if (stat(u->paths[i], &st) == 0)
				total += (uint64_t)st.st_size;
		}
		k2e_progress_start(sl, total);
		pthread_mutex_unlock(&w->lock);

		out = k2e_job_run(&w->env, sl, u, &line, &bytes_in, &note);

		pthread_mutex_lock(&w->lock);
		k2e_progress_stop(sl);
		w->progress.done++;
		switch (out) {
		case K2E_OUT_OK:
			w->n_ok++;
			w->progress.bytes_done += bytes_in;
			break;
		case K2E_OUT_PARTIAL:
			w->n_partial++;
			w->progress.bytes_done += bytes_in;
			break;
		case K2E_OUT_SKIPPED:
			w->n_skipped++;
			break;
		case K2E_OUT_ERROR:
			w->n_failed++;
			w->progress.failed++;
			break;
		}
		k2e_progress_clear(&w->progress);
		say(w, u, out, note);
		k2e_summary_sink_put(w->sink, line);
		k2e_progress_draw(&w->progress, true);
		pthread_mutex_unlock(&w->lock);
		free(line);
		free(note);
	}
}

void k2e_workers_run(struct k2e_workers *w, unsigned jobs)
{
	pthread_t *tids = k2e_xrealloc(NULL, jobs * sizeof(*tids));
	struct worker_arg *args = k2e_xrealloc(NULL, jobs * sizeof(*args));
	unsigned started;

	pthread_mutex_init(&w->lock, NULL);
	k2e_progress_init(&w->progress, &w->lock, jobs, w->n_units,
			  isatty(STDERR_FILENO) && w->env.o->verbosity >= 0);
	for (started = 0; started < jobs; started++) {
		args[started] = (struct worker_arg){ w, &w->progress.slots[started] };
		if (pthread_create(&tids[started], NULL, worker, &args[started]) != 0) {
			k2e_cli_msg("cannot start a worker thread");
			/* Those started finish the list. */
			w->progress.n_slots = started;
			break;
		}
	}
	if (started == 0)
		worker(&(struct worker_arg){ w, &(struct k2e_progress_slot){ .p = &w->progress } });
	for (unsigned i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	k2e_progress_clear(&w->progress);
	pthread_mutex_destroy(&w->lock);
	k2e_progress_release(&w->progress);
	free(args);
	free(tids);
}
