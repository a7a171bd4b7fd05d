/*
 * files.h - the small files of the command line: read one whole, write one
 * atomically, make a directory with its parents.
 */
#ifndef K2E_CLI_FILES_H
#define K2E_CLI_FILES_H

#include <stddef.h>

#include "lib/error.h"

/*
 * The first `max` bytes of path, NUL-terminated, length in *ret_len (the
 * caller frees); NULL when it cannot be opened.
 */
char *k2e_cli_read_small(const char *path, size_t max, size_t *ret_len);

/*
 * Write len bytes of text to path ("-": standard output), replacing a file
 * atomically (lib/outfile.h).  -1 with err set when it cannot.
 */
int k2e_cli_write_text(const char *path, const char *text, size_t len, struct k2e_err *err);

/* mkdir -p path.  -1 with err set when a directory cannot be made. */
int k2e_cli_mkdir_p(const char *path, struct k2e_err *err);

#endif
