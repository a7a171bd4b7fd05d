#include "cli/job.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/files.h"
#include "cli/summary.h"
#include "cli/util.h"
#include "convert/convert.h"
#include "formats/format.h"

/* The outputs' directory, with its parents. */
static int make_dir(const struct k2e_dump_outputs *o, struct k2e_err *err)
{
	char *dir = k2e_xstrdup(o->stem);
	int rc;

	*strrchr(dir, '/') = '\0';
	rc = k2e_cli_mkdir_p(dir, err);
	free(dir);
	return rc;
}

enum k2e_outcome k2e_job_run(const struct k2e_job_env *env, struct k2e_progress_slot *slot,
			     const struct k2e_unit *u, char **ret_line, uint64_t *ret_bytes_in,
			     char **ret_note)
{
	struct k2e_summary s = { .inputs = u->paths, .n_inputs = u->n_paths, .status = "error",
				 .format_hint = u->format_hint, .name = u->name };
	struct k2e_summary_kernel kernel;
	bool have_kernel = false;
	struct k2e_dump_outputs outs = { 0 };
	struct k2e_dump *d = NULL;
	struct k2e_convert_result res;
	bool have_res = false, have_outs = false;
	struct k2e_err err;
	struct timespec t0;
	char *stamp = NULL, *log_warning = NULL, *line;
	size_t len;
	enum k2e_outcome out = K2E_OUT_ERROR;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*ret_note = NULL;
	s.bytes_in = k2e_summary_input_bytes(u->paths, u->n_paths, NULL);
	*ret_bytes_in = s.bytes_in;
	if (u->error) {
		s.error = u->error;
		goto line;
	}
	k2e_dump_outputs_init(&outs, env->o->out_dir, u->name);
	have_outs = true;
	stamp = k2e_input_stamp(u);
	s.stamp = stamp;
	if (make_dir(&outs, &err) < 0) {
		s.error = err.msg;
		goto line;
	}
	if (!env->o->force && stamp) {
		line = k2e_resume_done_line(u, &outs, stamp);
		if (line) {
			*ret_line = line;
			out = K2E_OUT_SKIPPED;
			goto done;
		}
	}
	if (k2e_may_replace(env->inputs, env->o->force, &outs, &err) < 0) {
		s.error = err.msg;
		goto line;
	}
	/* Not complete: nothing of a previous attempt stays to be mistaken for output. */
	k2e_resume_clear(&outs);

	if (k2e_dump_open_paths((const char *const *)u->paths, u->n_paths, 0, &d, &err) < 0) {
		s.error = err.msg;
		goto line;
	}
	s.d = d;
	{
		struct k2e_convert_opts co = {
			.output = outs.core,
			.force = true,
			.threads = env->threads,
			.no_vmap = env->o->no_vmap,
			.no_symtab = env->o->no_symtab,
			.want_log = true,
			.progress = k2e_progress_cb,
			.progress_arg = slot,
		};

		k2e_convert_result_init(&res);
		have_res = true;
		if (k2e_convert(d, &co, &res, &err) < 0) {
			s.error = err.msg;
			goto line;
		}
	}
	s.res = &res;
	s.core = outs.core;
	s.have_bytes_out = true;
	s.bytes_out = res.file_size;
	s.bytes_in = k2e_summary_input_bytes(u->paths, u->n_paths, d);
	*ret_bytes_in = s.bytes_in;
	s.status = res.pages.lost || res.stream_truncated ? "partial" : "ok";
	for (size_t i = 0; i < res.n_warnings; i++)
		k2e_summary_add_warning(&s, res.warnings[i]);
	if (d->incomplete_flag && !res.pages.lost)
		k2e_summary_add_warning(&s, "the dump is flagged incomplete, but every page it lists was read");

	/* The kernel log and what it says about the panic. */
	k2e_summary_kernel_read(&kernel, outs.core, d, &res, true);
	have_kernel = true;
	s.kernel = &kernel;
	if (kernel.warning) {
		k2e_summary_add_warning(&s, kernel.warning);
	} else if (k2e_cli_write_text(outs.dmesg, kernel.log, kernel.log_len, &err) < 0) {
		log_warning = k2e_xprintf("kernel log not written: %s", err.msg);
		k2e_summary_add_warning(&s, log_warning);
	} else {
		s.dmesg = outs.dmesg;
	}

	/* The marker, last: NAME.json says the outputs above are complete. */
	s.seconds = k2e_elapsed(&t0);
	if (k2e_summary_line(&s, &line, &len) < 0) {
		s.error = "out of memory";
		s.status = "error";
		goto line;
	}
	if (k2e_cli_write_text(outs.marker, line, len, &err) < 0) {
		free(line);
		*ret_note = k2e_xprintf("%s", err.msg);
		s.error = *ret_note;
		s.status = "error";
		goto line;
	}
	*ret_line = line;
	out = strcmp(s.status, "ok") == 0 ? K2E_OUT_OK : K2E_OUT_PARTIAL;
	if (out == K2E_OUT_PARTIAL)
		*ret_note = k2e_xprintf("%llu of %llu pages lost",
					(unsigned long long)res.pages.lost,
					(unsigned long long)res.pages.dumped);
	goto done;

line:
	/* A failed dump: its line is not saved (it is retried next time). */
	if (!have_kernel) {
		k2e_summary_kernel_read(&kernel, NULL, s.d, s.res, false);
		have_kernel = true;
		s.kernel = &kernel;
	}
	s.seconds = k2e_elapsed(&t0);
	s.status = "error";
	if (!*ret_note && s.error)
		*ret_note = k2e_xstrdup(s.error);
	if (k2e_summary_line(&s, ret_line, &len) < 0)
		*ret_line = k2e_xstrdup("{\"status\":\"error\",\"error\":\"out of memory\"}\n");
	out = K2E_OUT_ERROR;
done:
	if (have_kernel)
		k2e_summary_kernel_release(&kernel);
	if (have_res)
		k2e_convert_result_release(&res);
	k2e_dump_free(d);
	free(log_warning);
	if (have_outs)
		k2e_dump_outputs_release(&outs);
	free(stamp);
	return out;
}
