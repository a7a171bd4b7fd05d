/*
 * batch.c - kdump2elf --batch: the run, from the command line to the
 * exit status.
 *
 * Design.  A run has three stages.
 *  1. Inputs (cli/scan.h).  Every PATH is expanded and each file identified
 *     by content; split pieces are grouped into sets; each dump gets an
 *     output name.  The list is then cut to this shard: a hash of the name
 *     modulo N, so machines that see the same inputs share them out without
 *     talking.
 *  2. Work (cli/workers.h, cli/job.h).  -j workers take dumps in list order;
 *     each converts with threads/j decoding threads.  A dump an earlier run
 *     finished is skipped (cli/resume.h); one that fails is recorded in its
 *     line and the run goes on.
 *  3. Results.  Whole summary lines (cli/summary.h) go to the --json file in
 *     completion order, a message for each dump that needs one, a progress
 *     line on a terminal (cli/progress.h), and a count at the end.
 */
#include "cli/batch.h"

#include <stdbool.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/exit.h"
#include "cli/files.h"
#include "cli/msg.h"
#include "cli/options.h"
#include "cli/resume.h"
#include "cli/scan.h"
#include "cli/summary.h"
#include "cli/workers.h"

int k2e_batch_main(int argc, char **argv)
{
	struct k2e_batch_opts o;
	struct k2e_input_set inputs;
	struct k2e_summary_sink sink;
	struct k2e_workers w;
	struct k2e_unit *all;
	struct k2e_err err;
	struct stat ost;
	size_t n_all, kept;
	unsigned jobs, per_dump;
	int first, rc;

	rc = k2e_batch_parse_opts(argc, argv, &o, &first);
	if (rc)
		return rc;
	if (first >= argc) {
		k2e_cli_msg("no PATH given");
		k2e_batch_usage(stderr);
		return K2E_EXIT_USAGE;
	}
	if (k2e_cli_mkdir_p(o.out_dir, &err) < 0) {
		k2e_cli_msg("--out-dir '%s': %s", o.out_dir, err.msg);
		return K2E_EXIT_ERROR;
	}
	if (stat(o.out_dir, &ost) < 0) {
		k2e_cli_msg("--out-dir '%s': %s", o.out_dir, strerror(errno));
		return K2E_EXIT_ERROR;
	}
	rc = k2e_scan(argv + first, (size_t)(argc - first), &ost, &all, &n_all);
	if (rc)
		return rc;
	k2e_input_set_init(&inputs, all, n_all);
	kept = k2e_units_shard(all, n_all, o.shard_k, o.shard_n);

	if (k2e_summary_sink_open(&sink, o.json) < 0) {
		k2e_input_set_release(&inputs);
		k2e_units_free(all, n_all);
		return K2E_EXIT_ERROR;
	}
	jobs = o.jobs > kept && kept ? (unsigned)kept : o.jobs;
	per_dump = o.threads / jobs ? o.threads / jobs : 1;
	if (o.verbosity > 0)
		k2e_cli_msg("%zu dumps to convert (%zu found, shard %u/%u), %u at a time, %u decoding thread%s each",
			    kept, n_all, o.shard_k, o.shard_n, jobs, per_dump, per_dump == 1 ? "" : "s");
	memset(&w, 0, sizeof(w));
	w.env = (struct k2e_job_env){ .o = &o, .threads = per_dump, .inputs = &inputs };
	w.units = all;
	w.n_units = kept;
	w.sink = &sink;
	k2e_workers_run(&w, jobs);

	rc = w.n_failed ? K2E_EXIT_ERROR : w.n_partial ? K2E_EXIT_LOST : K2E_EXIT_OK;
	if (k2e_summary_sink_close(&sink) < 0)
		rc = K2E_EXIT_ERROR;
	if (o.verbosity >= 0 && (o.verbosity > 0 || w.n_failed || w.n_partial))
		k2e_cli_msg("%zu dumps: %zu converted, %zu with lost pages, %zu failed, %zu already done",
			    kept, w.n_ok, w.n_partial, w.n_failed, w.n_skipped);
	k2e_input_set_release(&inputs);
	k2e_units_free(all, n_all);
	return rc;
}
