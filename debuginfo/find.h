/* find.h - the dumped kernel's vmlinux and module files on this machine. */
#ifndef K2E_FIND_H
#define K2E_FIND_H

#include <stddef.h>

#include "formats/vmcoreinfo.h"
#include "lib/error.h"

/*
 * A vmlinux for this dump: `given` if set (its build ID must match the
 * dump's BUILD-ID), else the distribution's usual places by BUILD-ID and
 * OSRELEASE.  Returns an allocated path, or NULL with the reason in err.
 */
char *k2e_find_vmlinux(const struct k2e_vmcoreinfo *vi, const char *given, struct k2e_err *err);

/* Find NAME.ko or NAME.ko.debug (also with - and _ swapped) under dirs; allocated or NULL. */
char *k2e_find_module(const char *name, const char *const *dirs, size_t n_dirs);

/*
 * The file of module `name` (a name lib/names.h accepts) whose build ID the
 * dump gives as build_id (lowercase hex, "" when the dump does not say):
 * /usr/lib/debug/.build-id/XX/REST.debug first, then by name under dirs and,
 * when release is set, /usr/lib/debug/lib/modules/RELEASE and
 * /lib/modules/RELEASE.  A file found by name whose build ID is not the
 * dump's is refused.  Allocated path, or NULL with the reason in err.
 */
char *k2e_find_module_file(const char *name, const char *build_id, const char *const *dirs,
			   size_t n_dirs, const char *release, struct k2e_err *err);

#endif
