/*
 * job.h - one dump of a batch, from its inputs to NAME.json: skipped when an
 * earlier run finished it (cli/resume.h), else converted, its kernel log
 * written to NAME.dmesg, and its summary line written last as NAME.json.
 */
#ifndef K2E_CLI_JOB_H
#define K2E_CLI_JOB_H

#include <stdint.h>

#include "cli/options.h"
#include "cli/progress.h"
#include "cli/resume.h"
#include "cli/scan.h"

/* What every dump of a batch shares. */
struct k2e_job_env {
	const struct k2e_batch_opts *o;
	unsigned threads;			/* decoding threads for one dump */
	const struct k2e_input_set *inputs;	/* no output may replace one */
};

enum k2e_outcome { K2E_OUT_OK, K2E_OUT_PARTIAL, K2E_OUT_ERROR, K2E_OUT_SKIPPED };

/*
 * Do u.  *ret_line is its summary line (also for a failure: it is not saved,
 * and the dump is retried next time), *ret_bytes_in its input bytes,
 * *ret_note what to say about it (the error, or the pages lost) or NULL;
 * the caller frees both.  slot receives the converter's progress.
 */
enum k2e_outcome k2e_job_run(const struct k2e_job_env *env, struct k2e_progress_slot *slot,
			     const struct k2e_unit *u, char **ret_line, uint64_t *ret_bytes_in,
			     char **ret_note);

#endif
