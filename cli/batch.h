/*
 * batch.h - kdump2elf --batch: many dumps in one run, a JSON line and the
 * kernel log for each.
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

/* The whole batch run; returns the exit status (0, 1, 2 or 3). */
int k2e_batch_main(int argc, char **argv);

#endif
