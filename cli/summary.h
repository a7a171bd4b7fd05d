/*
 * summary.h - the JSON summary line of a dump (schema/summary.schema.json):
 * NAME.json and the --json lines of a batch, and the --json line of a single
 * conversion (kdump2elf -o OUTPUT DUMP... --json FILE).
 *
 * What the line says about the dumped kernel (release, machine, page size,
 * CPUs, crash time, the panic, the kernel log) is gathered in one struct by
 * one function, k2e_summary_kernel_read(): from what the converter read of
 * the dumped kernel (convert/convert.h: want_log), the dump's VMCOREINFO, and
 * its headers; nothing is read back from the files written.
 */
#ifndef K2E_CLI_SUMMARY_H
#define K2E_CLI_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "convert/convert.h"
#include "formats/format.h"
#include "analysis/panic.h"
#include "lib/outfile.h"

/* The dumped kernel, as the line tells it. */
struct k2e_summary_kernel {
	bool have_release, have_machine, have_page_size, have_cpus, have_crash_time;
	char release[80];
	char machine[80];
	uint64_t page_size;
	uint64_t cpus;			/* CPU notes (NT_PRSTATUS) in the core */
	int64_t crash_time;		/* seconds since the epoch */
	struct k2e_panic panic;		/* unknown: no message, cpu -1, pid -1, comm "" */
	char *log;			/* the kernel log, makedumpfile's form; NULL: not read */
	size_t log_len;
	char *warning;			/* why the log was not read, or NULL */
};

/*
 * Fill *ret from what is known: the converter's result res (NULL: none;
 * its log when it was asked for one) when a core was written (`core` not
 * NULL), and the dump's notes and headers d (NULL: it did not open).
 * want_log: keep the log text too.  Release with
 * k2e_summary_kernel_release().
 */
void k2e_summary_kernel_read(struct k2e_summary_kernel *ret, const char *core,
			     const struct k2e_dump *d, const struct k2e_convert_result *res,
			     bool want_log);
void k2e_summary_kernel_release(struct k2e_summary_kernel *k);

/* One line's contents; pointers are borrowed. */
struct k2e_summary {
	char *const *inputs;
	size_t n_inputs;
	const char *status;			/* ok, partial, error */
	const char *error;
	const char *format_hint;		/* identify's format when d is NULL */
	const struct k2e_dump *d;
	const struct k2e_convert_result *res;
	const struct k2e_summary_kernel *kernel;	/* NULL: nothing known */
	uint64_t bytes_in;
	bool have_bytes_out;
	uint64_t bytes_out;
	double seconds;
	const char *core, *dmesg;
	const char *name;			/* batch: the output name */
	const char *stamp;			/* batch: the inputs' identity */
	const char *warnings[K2E_MAX_WARNINGS + 4];
	size_t n_warnings;
};

/* Add a warning (beyond the room for them, it is dropped). */
void k2e_summary_add_warning(struct k2e_summary *s, const char *w);

/* The line, "\n"-terminated, into *ret (the caller frees); -1: out of memory. */
int k2e_summary_line(const struct k2e_summary *s, char **ret, size_t *ret_len);

/* Input bytes: the files' sizes, or what a stream consumed (d may be NULL). */
uint64_t k2e_summary_input_bytes(char *const *paths, size_t n, const struct k2e_dump *d);

/* What a single conversion (kdump2elf -o OUTPUT DUMP... --json FILE) did. */
struct k2e_single_report {
	char *const *inputs;			/* as given on the command line */
	size_t n_inputs;
	const struct k2e_dump *d;		/* NULL: the dump did not open */
	const struct k2e_convert_result *res;	/* NULL: nothing was converted */
	const char *core;			/* the core written, NULL on failure */
	const char *error;			/* why it failed, NULL on success */
	const struct timespec *start;		/* CLOCK_MONOTONIC when the run began, or NULL */
};

/*
 * Write the summary line of a single conversion to json_path ("-": standard
 * output; a file is replaced atomically).  Prints a message and returns -1
 * when it cannot.
 */
int k2e_single_json(const char *json_path, const struct k2e_single_report *r);

/* Where a batch's --json lines go: a file replaced when the batch ends, or standard output. */
struct k2e_summary_sink {
	const char *path;		/* NULL: no --json */
	bool to_stdout, open, failed;
	struct k2e_outfile file;
};

/* Open path (NULL: lines go nowhere).  Prints a message and returns -1 when it cannot. */
int k2e_summary_sink_open(struct k2e_summary_sink *s, const char *path);
/* Append a line; a failure is remembered for k2e_summary_sink_close(). */
void k2e_summary_sink_put(struct k2e_summary_sink *s, const char *line);
/* Put the file in place.  Prints a message and returns -1 when a line or the file was not written. */
int k2e_summary_sink_close(struct k2e_summary_sink *s);

#endif
