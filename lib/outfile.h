/*
 * outfile.h - write a file under a temporary name, then put it in place.
 *
 * k2e_outfile_create() opens an unlinked O_TMPFILE in the target's
 * directory (or, where the file system lacks it, a hidden ".NAME.XXXXXX"
 * file); k2e_outfile_commit() links it at the target, refusing to replace an
 * existing file unless `force`; k2e_outfile_abort() removes every trace.
 * Nobody ever sees a half-written file under the target's name.
 */
#ifndef K2E_OUTFILE_H
#define K2E_OUTFILE_H

#include <stdbool.h>

#include "lib/error.h"

struct k2e_outfile {
	int fd;
	char *path;		/* target */
	char *tmp_path;		/* visible temporary, NULL for O_TMPFILE */
};

int k2e_outfile_create(struct k2e_outfile *o, const char *path, struct k2e_err *err);
int k2e_outfile_commit(struct k2e_outfile *o, bool force, struct k2e_err *err);
void k2e_outfile_abort(struct k2e_outfile *o);

#endif
