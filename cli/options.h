/*
 * options.h - the command line of kdump2elf --batch, and the count parser
 * both command lines use.
 */
#ifndef K2E_CLI_OPTIONS_H
#define K2E_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

struct k2e_batch_opts {
	unsigned jobs;			/* -j: dumps converted at once */
	unsigned threads;		/* --threads: decoding threads in all */
	const char *out_dir;		/* --out-dir, "." by default */
	const char *json;		/* --json FILE, NULL without */
	bool force, no_vmap, no_symtab;
	int verbosity;			/* -1 quiet, 0 normal, 1 verbose */
	unsigned shard_k, shard_n;	/* --shard K/N, 1/1 by default */
};

/* A whole number from 1 to max, nothing else, into *ret (false: it is not). */
bool k2e_cli_parse_count(const char *s, unsigned max, unsigned *ret);

/* argv holds "--batch" (before any "--"). */
bool k2e_batch_requested(int argc, char **argv);

void k2e_batch_usage(FILE *f);

/*
 * Parse argv into *ret; *ret_first is the index of the first PATH.  Returns
 * 0, or the exit status of a usage error (after saying what is wrong);
 * --help prints the usage and exits.
 */
int k2e_batch_parse_opts(int argc, char **argv, struct k2e_batch_opts *ret, int *ret_first);

#endif
