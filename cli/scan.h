/*
 * scan.h - what a batch converts: the PATHs expanded into dumps, split
 * pieces grouped into sets, each dump named, the list cut to this shard.
 *
 * A PATH is a dump, a piece of a split set, a directory (walked in name
 * order, recursively, never into the output directory or through a link to
 * a directory; files that are not dumps are passed over), or "-" for a list
 * of PATHs on standard input (lines, or NUL-separated names).  Each file is
 * identified by content (formats/identify.h).  Split pieces are grouped by
 * their common header: within one directory when a walk found them, among
 * themselves when they were named.  A dump's name is its path below the
 * PATH given (a split set: its pieces' common prefix); a name already taken
 * gets "-2", "-3".
 */
#ifndef K2E_CLI_SCAN_H
#define K2E_CLI_SCAN_H

#include <stddef.h>
#include <sys/stat.h>

/* One dump: a file, or the pieces of a split set in piece order. */
struct k2e_unit {
	char **paths;
	size_t n_paths;
	char *name;			/* the output name below --out-dir */
	char *error;			/* a named PATH that cannot be taken, or NULL */
	const char *format_hint;	/* what identify saw (static), or NULL */
};

/*
 * The dumps of paths[0..n), in the order found, into *ret (k2e_units_free).
 * out_dir (may be NULL) is never walked.  Returns 0, or an exit status after
 * saying what is wrong ("-" given twice).
 */
int k2e_scan(char *const *paths, size_t n, const struct stat *out_dir, struct k2e_unit **ret,
	     size_t *ret_n);

/*
 * --shard k/shares: move this share's dumps (a hash of the name modulo
 * shares, the same on every machine) to the front, keeping their order;
 * returns how many there are.
 */
size_t k2e_units_shard(struct k2e_unit *u, size_t n, unsigned k, unsigned shares);

void k2e_units_free(struct k2e_unit *u, size_t n);

#endif
