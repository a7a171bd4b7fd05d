/*
 * resume.h - how a batch knows a dump is done, and what it may replace.
 *
 * A dump's outputs are NAME.elf, NAME.dmesg and then NAME.json, each
 * written under a temporary name and linked into place when whole
 * (lib/outfile.h).  NAME.json comes last and records the inputs' sizes and
 * mtimes (the input stamp): a rerun skips a dump whose NAME.json is there,
 * says "ok" or "partial", matches the inputs and whose core exists.  Any
 * other dump is redone from the start, and its old outputs are removed
 * before anything else (NAME.json first), so a run killed at any point
 * leaves every dump either complete or visibly not done.
 */
#ifndef K2E_CLI_RESUME_H
#define K2E_CLI_RESUME_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/scan.h"
#include "lib/error.h"

/* Where one dump's outputs go: DIR/NAME.elf, DIR/NAME.dmesg, DIR/NAME.json. */
struct k2e_dump_outputs {
	char *stem;		/* DIR/NAME */
	char *core, *dmesg, *marker;
};

void k2e_dump_outputs_init(struct k2e_dump_outputs *o, const char *out_dir, const char *name);
void k2e_dump_outputs_release(struct k2e_dump_outputs *o);

/* Every input file of a batch (device and inode, sorted): no output may replace one. */
struct k2e_input_set {
	struct k2e_devino *v;
	size_t n;
};

void k2e_input_set_init(struct k2e_input_set *s, const struct k2e_unit *u, size_t n);
void k2e_input_set_release(struct k2e_input_set *s);

/* The inputs' identity as NAME.json records it: size and mtime of each piece (NULL: one is gone). */
char *k2e_input_stamp(const struct k2e_unit *u);

/*
 * The line of a finished dump, rewritten for this run
 * ({"input":[...],"status":"skipped","previous_status":"ok",...}; the
 * caller frees), or NULL when the dump is not complete.
 */
char *k2e_resume_done_line(const struct k2e_unit *u, const struct k2e_dump_outputs *o,
			   const char *stamp);

/*
 * May the outputs be replaced?  Never an input; without force, only what
 * kdump2elf wrote (a core with its note, a line of ours).  -1 with err set
 * when not.
 */
int k2e_may_replace(const struct k2e_input_set *inputs, bool force,
		    const struct k2e_dump_outputs *o, struct k2e_err *err);

/* Remove what a previous attempt left: NAME.json first, then the rest. */
void k2e_resume_clear(const struct k2e_dump_outputs *o);

#endif
