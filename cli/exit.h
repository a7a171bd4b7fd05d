/*
 * exit.h - what both command lines (cli/main.c, cli/batch.c) exit with,
 * and the version they print and record in summary lines.
 */
#ifndef K2E_CLI_EXIT_H
#define K2E_CLI_EXIT_H

#ifndef K2E_VERSION
#define K2E_VERSION "0.1"
#endif

enum k2e_exit {
	K2E_EXIT_OK = 0,	/* converted (batch: every dump, or already done) */
	K2E_EXIT_ERROR = 1,	/* an error (batch: some dump failed) */
	K2E_EXIT_USAGE = 2,	/* the command line is wrong */
	K2E_EXIT_LOST = 3,	/* converted, but pages were lost */
};

#endif
