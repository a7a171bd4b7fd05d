/*
 * fs.h - a made core served as files (FUSE), for gdb and the others to read
 * without a conversion: DIR/NAME for every file of a struct k2e_virtual_core
 * (the core, NAME.gdb, NAME.sym, module files), read-only, the core's pages
 * decoded from the dump when they are read.
 *
 * k2e_mount_serve() mounts, calls `ready` (the mount is usable), goes to the
 * background unless `foreground` (the calling process then exits with
 * status 0 in the parent and returns here only in the child), and serves
 * until the file system is unmounted (fusermount3 -u DIR) or the process
 * gets SIGINT, SIGTERM or SIGHUP, which unmount it.  It never prints.
 */
#ifndef K2E_MOUNT_FS_H
#define K2E_MOUNT_FS_H

#include <stdbool.h>
#include <stdint.h>

#include "convert/virtual.h"
#include "lib/error.h"

struct k2e_mount_opts {
	const char *dir;		/* the mount point, an existing directory */
	bool foreground;
	unsigned threads;		/* at most this many requests served at once (0: 4) */
	unsigned readahead_pages;	/* decoded ahead of a sequential reader (0: none) */
	void (*ready)(void *arg);
	void *ready_arg;
};

struct k2e_mount_stats {
	uint64_t reads, bytes, decoded, cache_hits, failed_reads;
	char first_error[K2E_ERR_MSG_MAX];
};

/* 0 after a clean unmount, -1 with err when the mount could not be made or served. */
int k2e_mount_serve(struct k2e_virtual_core *v, const struct k2e_mount_opts *o,
		    struct k2e_mount_stats *stats, struct k2e_err *err);

#endif
