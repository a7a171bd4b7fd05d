/*
 * outfile.h - write files under temporary names, then put them in place.
 *
 * k2e_outfile_create() opens an unlinked O_TMPFILE in the target's
 * directory or, where the file system lacks it (NFS), a hidden visible
 * temporary; k2e_outfile_commit() writes the file's data to disk (fsync),
 * links it at the target, refusing to replace an existing file unless
 * `force`, and writes the directory to disk; k2e_outfile_abort() removes
 * every trace.  Nobody ever sees a half-written file under the target's name,
 * and after a crash of the host a committed file is complete: whatever is
 * written after a commit (a batch's NAME.json) never describes an empty file.
 *
 * Visible temporaries are named ".NAME.k2e~HOST~PID~XXXXXX" (HOST: this
 * machine's name with '~' and '/' replaced, PID: the writing process).  One
 * that a killed process left behind is removed by the next create in the
 * same directory on the same host, once no process has its PID.  Only names
 * of exactly this form are ever removed.  (The host name is what tells
 * writers apart: processes in different PID namespaces, containers, that
 * share a host name must not share an output directory.)
 *
 * Every function leaves *o in a state where k2e_outfile_abort() is safe
 * (and does nothing when there is nothing to undo).
 */
#ifndef K2E_OUTFILE_H
#define K2E_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

struct k2e_outfile {
	int fd;			/* write here; -1 when not open */
	char *path;		/* target; NULL when there is nothing to commit */
	char *tmp_path;		/* visible temporary, NULL for O_TMPFILE */
};

enum {
	/*
	 * Use a visible temporary even where O_TMPFILE works: the path NFS
	 * takes.  For tests.
	 */
	K2E_OUTFILE_VISIBLE_TMP = 1,
	/*
	 * Files in memory only (memfd_create(2), named after the target's
	 * last component): nothing is created on disk and nothing is ever put
	 * in place; k2e_outset_take() hands the files over instead of a
	 * commit.  For outputs served by a mount (mount/).
	 */
	K2E_OUTFILE_MEMORY = 2,
};

int k2e_outfile_create(struct k2e_outfile *o, const char *path, struct k2e_err *err);
/* The same, with K2E_OUTFILE_* flags. */
int k2e_outfile_create_flags(struct k2e_outfile *o, const char *path, unsigned flags,
			     struct k2e_err *err);
/* On failure the temporary is removed too (as by k2e_outfile_abort()). */
int k2e_outfile_commit(struct k2e_outfile *o, bool force, struct k2e_err *err);
void k2e_outfile_abort(struct k2e_outfile *o);

/*
 * An output set: files created one by one and put in place together.
 * k2e_outset_commit_all() writes every file's data to disk, then links each
 * at its target, then writes each directory to disk; if any step fails,
 * every file it had already put in place is removed again and the other
 * temporaries are removed, so either all targets appear or none does.  (With
 * `force`, a file that was replaced is gone either way.)  Without `force`,
 * an existing target is found before anything is put in place.
 *
 *     struct k2e_outset set;
 *     struct k2e_outfile *core, *script;
 *
 *     k2e_outset_init(&set, force, 0);
 *     if (k2e_outset_add(&set, "vmcore.elf", &core, err) < 0 ||
 *         k2e_outset_add(&set, "vmcore.elf.gdb", &script, err) < 0)
 *             goto fail;
 *     ... write core->fd, script->fd; on error goto fail ...
 *     return k2e_outset_commit_all(&set, err);    (releases the set)
 *   fail:
 *     k2e_outset_abort_all(&set);                  (releases the set)
 *
 * The outfiles belong to the set: do not commit, abort or free them
 * yourself; k2e_outset_drop() takes one out (aborting it) when it is not
 * wanted after all.  Not thread-safe: one thread owns a set.
 */
struct k2e_outset {
	struct k2e_outfile **files;
	size_t n, cap;
	bool force;
	unsigned flags;		/* K2E_OUTFILE_* for every member */
};

void k2e_outset_init(struct k2e_outset *s, bool force, unsigned flags);
/* Create a member for path; *ret stays valid until the set is committed or aborted. */
int k2e_outset_add(struct k2e_outset *s, const char *path, struct k2e_outfile **ret,
		   struct k2e_err *err);
/* Abort member o and take it out of the set. */
void k2e_outset_drop(struct k2e_outset *s, struct k2e_outfile *o);
/* All or nothing (see above); the set is empty afterwards either way. */
int k2e_outset_commit_all(struct k2e_outset *s, struct k2e_err *err);
/* Remove every member's temporary; the set is empty afterwards. */
void k2e_outset_abort_all(struct k2e_outset *s);
/*
 * K2E_OUTFILE_MEMORY sets: hand every member over to the caller (*ret,
 * *ret_n; free each with k2e_outfile_abort() and free()); the set is empty
 * afterwards.
 */
void k2e_outset_take(struct k2e_outset *s, struct k2e_outfile ***ret, size_t *ret_n);

#endif
