/*
 * batch.h - kdump2elf --batch: many dumps in one run, a JSON line and the
 * kernel log for each; and the JSON line of a single conversion (--json).
 *
 *   kdump2elf --batch [-fqv] [-j N] [--threads N] [--out-dir DIR]
 *             [--json FILE] [--shard K/N] [--no-vmap] PATH...
 *
 * A PATH is a dump, a piece of a split set, a directory searched
 * recursively, or "-" for a list of PATHs on standard input (one per line,
 * or NUL-separated).  For each dump, under DIR, at a name derived from the
 * input's path below the PATH given: NAME.elf (the core), NAME.dmesg (the
 * kernel log, as makedumpfile --dump-dmesg prints it) and NAME.json (the
 * summary line, written last: its presence marks the dump done).
 *
 * Like the converter, these run in cli/ and print; the library does not.
 */
#ifndef K2E_CLI_BATCH_H
#define K2E_CLI_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "convert/convert.h"
#include "formats/format.h"

/* A whole number from 1 to max, nothing else, into *ret (false: it is not). */
bool k2e_cli_parse_count(const char *s, unsigned max, unsigned *ret);

/* argv holds "--batch" (before any "--"). */
bool k2e_batch_requested(int argc, char **argv);

/* The whole batch run; returns the exit status (0, 1, 2 or 3). */
int k2e_batch_main(int argc, char **argv);

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

#endif
