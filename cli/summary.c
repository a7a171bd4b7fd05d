#include "cli/summary.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/exit.h"
#include "cli/files.h"
#include "cli/json.h"
#include "cli/msg.h"
#include "cli/util.h"
#include "codecs/codec.h"
#include "io/source.h"
#include "formats/vmcoreinfo.h"
#include "lib/endian.h"

/* ------------------------------------------------------------------ */
/* The dumped kernel                                                  */

/* A header string (NUL-terminated, shorter than the buffers) into buf. */
static void copy_string(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

/* How many NT_PRSTATUS notes the dump carries (the core keeps every one). */
static uint64_t count_cpu_notes(const struct k2e_dump *d)
{
	uint64_t n = 0;

	for (size_t pos = 0; pos + 12 <= d->notes_len;) {
		const unsigned char *h = d->notes + pos;
		uint32_t namesz = k2e_get32(h, d->big_endian), descsz = k2e_get32(h + 4, d->big_endian);
		size_t desc = pos + 12 + (((size_t)namesz + 3) & ~(size_t)3);
		size_t next = desc + (((size_t)descsz + 3) & ~(size_t)3);

		if (namesz > d->notes_len || descsz > d->notes_len || desc + descsz > d->notes_len)
			break;
		if (k2e_get32(h + 8, d->big_endian) == NT_PRSTATUS &&
		    (namesz == 5 || namesz == 4) && memcmp(h + 12, "CORE", 4) == 0)
			n++;
		pos = next;
	}
	return n;
}

void k2e_summary_kernel_read(struct k2e_summary_kernel *ret, const char *core,
			     const struct k2e_dump *d, const struct k2e_convert_result *res,
			     bool want_log)
{
	struct k2e_summary_kernel k = { .panic = { .cpu = -1, .pid = -1 } };
	struct k2e_vmcoreinfo vi = { 0 };
	bool converted = core && d && res;
	int64_t v;

	/* What the converter read of the dumped kernel (convert.h: want_log). */
	if (converted) {
		k2e_vmcoreinfo_init(&vi, d->notes, d->notes_len, d->big_endian);
		if (!res->have_panic) {
			k.warning = k2e_xprintf("kernel log not read: %s", res->log_note);
		} else {
			k.panic = res->panic;
			if (want_log && res->log) {
				k.log = malloc(res->log_len + 1);
				if (!k.log) {
					k2e_cli_msg("out of memory");
					exit(K2E_EXIT_ERROR);
				}
				memcpy(k.log, res->log, res->log_len);
				k.log[res->log_len] = '\0';
				k.log_len = res->log_len;
			}
		}
	}

	/* VMCOREINFO first, then the dump's header (machine: the header first). */
	k.have_release = k2e_vmcoreinfo_string(&vi, "OSRELEASE", k.release, sizeof(k.release)) != NULL;
	if (!k.have_release && d && d->release[0]) {
		copy_string(k.release, sizeof(k.release), d->release);
		k.have_release = true;
	}
	if (d && d->machine[0]) {
		copy_string(k.machine, sizeof(k.machine), d->machine);
		k.have_machine = true;
	} else {
		k.have_machine = k2e_vmcoreinfo_string(&vi, "MACHINE", k.machine, sizeof(k.machine)) != NULL;
	}
	if (d && d->page_size) {
		k.page_size = d->page_size;
		k.have_page_size = true;
	} else if (k2e_vmcoreinfo_signed(&vi, "PAGESIZE", 10, &v) == 0 && v > 0) {
		k.page_size = (uint64_t)v;
		k.have_page_size = true;
	}
	if (converted) {
		k.cpus = count_cpu_notes(d);
		k.have_cpus = true;
	}
	if (k2e_vmcoreinfo_signed(&vi, "CRASHTIME", 10, &v) == 0 && v > 0) {
		k.crash_time = v;
		k.have_crash_time = true;
	} else if (d && d->crash_time) {
		k.crash_time = (int64_t)d->crash_time;
		k.have_crash_time = true;
	}
	/* Without the log's word, the kernel's panic_cpu. */
	if (k.panic.cpu < 0 && res && res->panic_cpu >= 0)
		k.panic.cpu = res->panic_cpu;
	*ret = k;
}

void k2e_summary_kernel_release(struct k2e_summary_kernel *k)
{
	free(k->log);
	free(k->warning);
	k->log = k->warning = NULL;
}

/* ------------------------------------------------------------------ */
/* The line                                                           */

void k2e_summary_add_warning(struct k2e_summary *s, const char *w)
{
	if (s->n_warnings < sizeof(s->warnings) / sizeof(s->warnings[0]))
		s->warnings[s->n_warnings++] = w;
}

static const char *format_token(const struct k2e_summary *s)
{
	const struct k2e_dump *d = s->d;

	if (!d) {
		if (!s->format_hint)
			return NULL;
		if (strcmp(s->format_hint, "flattened") == 0)
			return "kdump-flattened";
		return s->format_hint;
	}
	if (strcmp(d->fmt->name, "kdump") != 0)
		return d->fmt->name;
	if (strncmp(d->format_desc, "diskdump", 8) == 0)
		return "diskdump";
	if (d->n_in > 1 || strstr(d->format_desc, "split"))
		return "kdump-split";
	if (d->in[0].src && d->in[0].src->kind && strcmp(d->in[0].src->kind, "flattened") == 0)
		return "kdump-flattened";
	return "kdump";
}

static void kernel_json(const struct k2e_summary_kernel *k, struct k2e_json *j)
{
	static const struct k2e_summary_kernel none = { .panic = { .cpu = -1, .pid = -1 } };
	char when[32];

	if (!k)
		k = &none;
	k2e_json_begin_object(j, "kernel");
	k2e_json_string(j, "release", k->have_release ? k->release : NULL);
	k2e_json_string(j, "machine", k->have_machine ? k->machine : NULL);
	if (k->have_page_size)
		k2e_json_u64(j, "page_size", k->page_size);
	else
		k2e_json_null(j, "page_size");
	k2e_json_end_object(j);

	if (k->have_cpus)
		k2e_json_u64(j, "cpus", k->cpus);
	else
		k2e_json_null(j, "cpus");
	if (k->have_crash_time) {
		time_t t = (time_t)k->crash_time;
		struct tm tm;

		k2e_json_i64(j, "crash_time", k->crash_time);
		if (gmtime_r(&t, &tm) && strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
			k2e_json_string(j, "crash_time_utc", when);
		else
			k2e_json_null(j, "crash_time_utc");
	} else {
		k2e_json_null(j, "crash_time");
		k2e_json_null(j, "crash_time_utc");
	}

	k2e_json_begin_object(j, "panic");
	k2e_json_string(j, "message", k->panic.have_message ? k->panic.message : NULL);
	if (k->panic.cpu >= 0)
		k2e_json_i64(j, "cpu", k->panic.cpu);
	else
		k2e_json_null(j, "cpu");
	if (k->panic.pid >= 0)
		k2e_json_i64(j, "pid", k->panic.pid);
	else
		k2e_json_null(j, "pid");
	k2e_json_string(j, "comm", k->panic.comm[0] ? k->panic.comm : NULL);
	k2e_json_end_object(j);
}

static void summary_json(const struct k2e_summary *s, struct k2e_json *j)
{
	const struct k2e_dump *d = s->d;
	const struct k2e_convert_result *res = s->res;

	k2e_json_begin_object(j, NULL);
	/* "input" then "status" first: a rerun rewrites the status of a saved line. */
	k2e_json_begin_array(j, "input");
	for (size_t i = 0; i < s->n_inputs; i++)
		k2e_json_string(j, NULL, s->inputs[i]);
	k2e_json_end_array(j);
	k2e_json_string(j, "status", s->status);
	k2e_json_string(j, "error", s->error);
	k2e_json_string(j, "format", format_token(s));
	k2e_json_string(j, "format_desc", d ? d->format_desc : NULL);
	if (res) {
		k2e_json_begin_array(j, "codecs");
		for (int i = 0; i < K2E_CODEC_COUNT; i++)
			if (res->pages.codecs_seen & (1u << i))
				k2e_json_string(j, NULL, k2e_codec_get((enum k2e_codec_id)i)->name);
		k2e_json_end_array(j);
	} else {
		k2e_json_null(j, "codecs");
	}
	if (d && d->header_version >= 0)
		k2e_json_i64(j, "header_version", d->header_version);
	else
		k2e_json_null(j, "header_version");

	kernel_json(s->kernel, j);

	k2e_json_begin_object(j, "pages");
	if (res) {
		k2e_json_u64(j, "dumped", res->pages.dumped);
		k2e_json_u64(j, "zero", res->pages.zero);
		/* Pages of RAM that the dump left out; unknown for ELF dumps. */
		if (res->n_ram >= res->pages.dumped && res->n_ram)
			k2e_json_u64(j, "excluded", res->n_ram - res->pages.dumped);
		else
			k2e_json_null(j, "excluded");
		k2e_json_u64(j, "lost", res->pages.lost);
	} else {
		k2e_json_null(j, "dumped");
		k2e_json_null(j, "zero");
		k2e_json_null(j, "excluded");
		k2e_json_null(j, "lost");
	}
	k2e_json_end_object(j);

	k2e_json_u64(j, "bytes_in", s->bytes_in);
	if (s->have_bytes_out)
		k2e_json_u64(j, "bytes_out", s->bytes_out);
	else
		k2e_json_null(j, "bytes_out");
	k2e_json_double(j, "seconds", s->seconds, 3);
	k2e_json_begin_object(j, "outputs");
	k2e_json_string(j, "core", s->core);
	k2e_json_string(j, "gdb", res ? res->gdb_script : NULL);
	k2e_json_string(j, "sidecar", res ? res->sidecar : NULL);
	k2e_json_string(j, "dmesg", s->dmesg);
	k2e_json_end_object(j);
	k2e_json_string(j, "name", s->name);
	k2e_json_begin_array(j, "warnings");
	for (size_t i = 0; i < s->n_warnings; i++)
		k2e_json_string(j, NULL, s->warnings[i]);
	k2e_json_end_array(j);
	if (s->stamp)
		k2e_json_string(j, "input_stamp", s->stamp);
	k2e_json_string(j, "kdump2elf", K2E_VERSION);
	k2e_json_end_object(j);
}

int k2e_summary_line(const struct k2e_summary *s, char **ret, size_t *ret_len)
{
	struct k2e_json j;

	k2e_json_init(&j);
	summary_json(s, &j);
	if (k2e_json_finish(&j) < 0) {
		k2e_json_release(&j);
		return -1;
	}
	*ret = j.buf;	/* handed over */
	*ret_len = j.len;
	return 0;
}

uint64_t k2e_summary_input_bytes(char *const *paths, size_t n, const struct k2e_dump *d)
{
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (strcmp(paths[i], "-") != 0 && stat(paths[i], &st) == 0 && S_ISREG(st.st_mode))
			total += (uint64_t)st.st_size;
		else if (d && i < d->n_in && d->in[i].src)
			total += d->in[i].src->stats.bytes_in;
	}
	return total;
}

/* ------------------------------------------------------------------ */
/* Single conversions: kdump2elf ... --json FILE                      */

int k2e_single_json(const char *json_path, const struct k2e_single_report *r)
{
	struct k2e_summary s = {
		.inputs = r->inputs,
		.n_inputs = r->n_inputs,
		.error = r->error,
		.d = r->d,
		.res = r->res,
		.core = r->core,
	};
	struct k2e_summary_kernel kernel;
	struct k2e_err err;
	char *line;
	size_t len;
	int rc = 0;

	s.status = r->error || !r->core ? "error"
		   : r->res && (r->res->pages.lost || r->res->stream_truncated) ? "partial" : "ok";
	if (r->res) {
		for (size_t i = 0; i < r->res->n_warnings; i++)
			k2e_summary_add_warning(&s, r->res->warnings[i]);
	}
	if (r->core && r->res) {
		s.have_bytes_out = true;
		s.bytes_out = r->res->file_size;
	}
	k2e_summary_kernel_read(&kernel, r->core && r->res ? r->core : NULL, r->d, r->res, false);
	s.kernel = &kernel;
	if (kernel.warning)
		k2e_summary_add_warning(&s, kernel.warning);
	s.bytes_in = k2e_summary_input_bytes(r->inputs, r->n_inputs, r->d);
	s.seconds = r->start ? k2e_elapsed(r->start) : 0;
	if (k2e_summary_line(&s, &line, &len) < 0) {
		k2e_cli_msg("--json: out of memory");
		rc = -1;
	} else {
		if (k2e_cli_write_text(json_path, line, len, &err) < 0) {
			k2e_cli_msg("--json '%s': %s", json_path, err.msg);
			rc = -1;
		}
		free(line);
	}
	k2e_summary_kernel_release(&kernel);
	return rc;
}

/* ------------------------------------------------------------------ */
/* A batch's --json lines                                             */

int k2e_summary_sink_open(struct k2e_summary_sink *s, const char *path)
{
	struct k2e_err err;

	memset(s, 0, sizeof(*s));
	s->path = path;
	if (!path)
		return 0;
	if (strcmp(path, "-") == 0) {
		s->to_stdout = true;
		return 0;
	}
	if (k2e_outfile_create(&s->file, path, &err) < 0) {
		k2e_cli_msg("--json '%s': %s", path, err.msg);
		return -1;
	}
	s->open = true;
	return 0;
}

void k2e_summary_sink_put(struct k2e_summary_sink *s, const char *line)
{
	size_t len = strlen(line);

	if (s->to_stdout) {
		if (fwrite(line, 1, len, stdout) != len || fflush(stdout) != 0)
			s->failed = true;
	} else if (s->open) {
		size_t done = 0;

		while (done < len) {
			ssize_t n = write(s->file.fd, line + done, len - done);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				s->failed = true;
				break;
			}
			done += (size_t)n;
		}
	}
}

int k2e_summary_sink_close(struct k2e_summary_sink *s)
{
	struct k2e_err err;

	if (s->open) {
		s->open = false;
		if (s->failed) {
			k2e_cli_msg("--json '%s': write error", s->path);
			k2e_outfile_abort(&s->file);
			return -1;
		}
		if (k2e_outfile_commit(&s->file, true, &err) < 0) {
			k2e_cli_msg("--json '%s': %s", s->path, err.msg);
			return -1;
		}
	} else if (s->failed) {
		k2e_cli_msg("--json: cannot write to standard output");
		return -1;
	}
	return 0;
}
