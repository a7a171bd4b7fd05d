/* mount.c - kdump2elf --mount (see mount.h). */
#include "cli/mount.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/exit.h"
#include "cli/msg.h"
#include "mount/fs.h"

struct ready_arg {
	const struct k2e_virtual_core *v;
	const struct k2e_convert_result *res;
	const char *dir;
	int verbosity;
};

static void ready(void *arg)
{
	const struct ready_arg *r = arg;

	if (r->verbosity < 0)
		return;
	k2e_cli_msg("%s: mounted: %s (%llu bytes, pages decoded when read)", r->dir,
		    r->v->files[0]->path, (unsigned long long)r->v->core_size);
	if (r->res->gdb_script)
		k2e_cli_msg("%s: gdb -x %s", r->dir, r->res->gdb_script);
	k2e_cli_msg("%s: unmount with: fusermount3 -u %s", r->dir, r->dir);
	fflush(stderr);
}

bool k2e_cli_mount_dir_ok(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		k2e_cli_msg("--mount: '%s': %s", dir, strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		k2e_cli_msg("--mount: '%s' is not a directory", dir);
		return false;
	}
	return true;
}

int k2e_cli_mount(struct k2e_virtual_core *v, const struct k2e_convert_result *res,
		  const char *dir, bool foreground, int verbosity)
{
	struct ready_arg ra = { .v = v, .res = res, .dir = dir, .verbosity = verbosity };
	struct k2e_mount_opts o = {
		.dir = dir,
		.foreground = foreground,
		.threads = 4,
		.readahead_pages = 256,
		.ready = ready,
		.ready_arg = &ra,
	};
	struct k2e_mount_stats st;
	struct k2e_err err;

	if (k2e_mount_serve(v, &o, &st, &err) < 0) {
		k2e_cli_msg("%s", err.msg);
		return K2E_EXIT_ERROR;
	}
	/* Only a foreground mount still has the terminal. */
	if (foreground && verbosity > 0)
		k2e_cli_msg("%s: unmounted: %llu reads, %llu bytes; %llu pages decoded, %llu from the cache",
			    dir, (unsigned long long)st.reads, (unsigned long long)st.bytes,
			    (unsigned long long)st.decoded, (unsigned long long)st.cache_hits);
	if (st.failed_reads) {
		if (foreground)
			k2e_cli_msg("%s: %llu reads failed (first: %s)", dir,
				    (unsigned long long)st.failed_reads, st.first_error);
		return K2E_EXIT_ERROR;
	}
	return K2E_EXIT_OK;
}
