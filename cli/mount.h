/* mount.h - kdump2elf --mount DIR: serve the made core (mount/fs.h) and say so. */
#ifndef K2E_CLI_MOUNT_H
#define K2E_CLI_MOUNT_H

#include <stdbool.h>

#include "convert/convert.h"

/*
 * Serve v at dir (a conversion made it with opts.virt); tells the user where
 * it is once it is ready unless quiet.  Returns the exit status (cli/exit.h).
 */
int k2e_cli_mount(struct k2e_virtual_core *v, const struct k2e_convert_result *res,
		  const char *dir, bool foreground, int verbosity);

/* dir as a mount point for --mount: an existing directory, or a message and false. */
bool k2e_cli_mount_dir_ok(const char *dir);

#endif
