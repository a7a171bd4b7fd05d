/* fs-none.c - k2e_mount_serve() where kdump2elf is built without libfuse3 (see fs.h). */
#include "mount/fs.h"

#include <string.h>

int k2e_mount_serve(struct k2e_virtual_core *v, const struct k2e_mount_opts *o,
		    struct k2e_mount_stats *stats, struct k2e_err *err)
{
	(void)v;
	memset(stats, 0, sizeof(*stats));
	return k2e_err_set(err, "'%s': mount support not built (kdump2elf was built without libfuse3)",
			   o->dir);
}
