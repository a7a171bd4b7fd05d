/* virtual.h - a core made by k2e_convert() but not written: see below. */
#ifndef K2E_VIRTUAL_H
#define K2E_VIRTUAL_H

#include <stddef.h>
#include <stdint.h>

#include "convert/layout.h"
#include "convert/page-index.h"
#include "lib/error.h"
#include "lib/outfile.h"

/*
 * A core made but not written (a mount, mount/): the same headers, notes,
 * OUTPUT.gdb and OUTPUT.sym as a conversion writes, in memory, and the pages
 * decoded from the dump when read.  The inputs must be seekable files (not
 * a stream or a flattened file) and stay open while it is in use.
 */
struct k2e_virtual_core {
	size_t cache_pages;		/* in: decoded pages to cache */
	/* Out, on success; release with k2e_virtual_core_release(). */
	struct k2e_layout l;
	struct k2e_page_index ix;
	struct k2e_page_reader *reader;
	/*
	 * files[0]: the core, in memory but for its pages (holes there: see
	 * k2e_virtual_core_read()); then OUTPUT.gdb, OUTPUT.sym and the module
	 * files, whole.  Each file's path is the one a conversion writes.
	 */
	struct k2e_outfile **files;
	size_t n_files;
	uint64_t core_size;
};

void k2e_virtual_core_release(struct k2e_virtual_core *v);
/*
 * Read the core's bytes [off, off + len) into buf: as many as there are
 * before its end (*ret_got), the pages decoded on demand.  -1 with err when
 * a page cannot be decoded (its message names the input, the pfn and the
 * offset) or a read fails.
 */
int k2e_virtual_core_read(struct k2e_virtual_core *v, void *buf, size_t len, uint64_t off,
			  size_t *ret_got, struct k2e_err *err);

#endif
