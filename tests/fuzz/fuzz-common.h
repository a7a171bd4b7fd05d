/*
 * fuzz-common.h - what every fuzz target does once it has a source: open the
 * dump (the probe picks the format), then use everything a conversion reads
 * before writing: the page iterator, each DATA page read and decoded into a
 * page buffer, the layout of the output, the notes and vmcoreinfo helpers,
 * the architecture's page-table walk (over a reader with no pages) and the
 * format's finish step.  Bounded to FUZZ_MAX_PAGES pages so a huge declared
 * dump costs no more than a small one.
 */
#ifndef K2E_FUZZ_COMMON_H
#define K2E_FUZZ_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch/arch.h"
#include "codecs/codec.h"
#include "convert/layout.h"
#include "formats/format.h"
#include "io/source.h"

enum { FUZZ_MAX_PAGES = 4096 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A memory file holding data, at offset 0; -1 on failure. */
static inline int fuzz_memfd(const uint8_t *data, size_t size)
{
	int fd = memfd_create("k2e-fuzz", MFD_CLOEXEC);
	size_t done = 0;

	if (fd < 0)
		return -1;
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int fuzz_no_phys(void *arg, uint64_t paddr, void *buf, size_t len)
{
	(void)arg;
	(void)paddr;
	(void)buf;
	(void)len;
	return -1;
}

/* Walk one opened dump as a conversion would, without writing anything. */
static inline void fuzz_walk_dump(struct k2e_dump *d)
{
	struct k2e_page_iter *it = NULL;
	struct k2e_codec_ctxs ctxs;
	struct k2e_layout l;
	struct k2e_page_ref ref;
	struct k2e_err err;
	unsigned char *page = NULL, *stored = NULL;
	bool have_layout = false;
	size_t cur = 0, len;
	const unsigned char *desc;
	const struct k2e_arch *arch;

	/* What open promised. */
	if (d->page_size < 512 || (d->page_size & (d->page_size - 1)) ||
	    (1u << d->page_shift) != d->page_size)
		abort();
	for (size_t i = 1; i < d->runs.n; i++)
		if (d->runs.v[i].start <= d->runs.v[i - 1].start + d->runs.v[i - 1].count - 1)
			abort();	/* runs must be sorted and disjoint */

	(void)k2e_vmcoreinfo_find(d, "OSRELEASE", &len);
	(void)k2e_notes_find(d->notes, d->notes_len, "CORE", 1, d->big_endian, &desc, &len);
	arch = k2e_arch_find(d->e_machine);
	if (arch) {
		struct k2e_phys_reader pr = { .read = fuzz_no_phys };
		struct k2e_vmaps maps;
		struct k2e_vmcoreinfo vi;

		k2e_vmcoreinfo_init(&vi, d->notes, d->notes_len, d->big_endian);
		k2e_vmaps_init(&maps);
		(void)arch->kernel_mappings(&vi, &pr, &maps, &err);
		k2e_vmaps_release(&maps);
	}

	k2e_codec_ctxs_init(&ctxs);
	page = malloc(d->page_size);
	stored = malloc(d->page_size);
	if (!page || !stored)
		goto out;
	if (k2e_layout_init(&l, &d->runs, d->page_size, 16, d->notes_len + 4096, &err) == 0)
		have_layout = true;
	if (d->fmt->iter_new(d, &it, &err) < 0)
		goto out;
	for (unsigned n = 0; n < FUZZ_MAX_PAGES; n++) {
		int rc = d->fmt->iter_next(it, &ref, &err);

		if (rc <= 0)
			break;
		if (ref.input >= d->n_in || ref.pfn >= d->max_pfn)
			abort();	/* a page the dump does not declare */
		if (have_layout) {
			uint64_t a = k2e_layout_pfn_off(&l, ref.pfn);

			if (a == UINT64_MAX || a != k2e_layout_pfn_off_seq(&l, ref.pfn, &cur))
				abort();	/* every yielded pfn is in a run */
		}
		if (ref.kind != K2E_PAGE_DATA || ref.size == 0 || ref.size > d->page_size)
			continue;
		if (k2e_source_read_exact(d->in[ref.input].src, stored, ref.size, ref.off, &err) < 0)
			continue;
		(void)k2e_codec_page(&ctxs, (enum k2e_codec_id)ref.codec, page, d->page_size,
				     stored, ref.size, &err);
	}
	if (d->fmt->finish)
		(void)d->fmt->finish(d, &err);
out:
	if (it)
		d->fmt->iter_free(it);
	if (have_layout)
		k2e_layout_release(&l);
	k2e_codec_ctxs_release(&ctxs);
	free(page);
	free(stored);
}

/* Open a dump from one source (owned from here on) and walk it. */
static inline void fuzz_open_and_walk(struct k2e_source *src)
{
	struct k2e_input in = { .path = "fuzz-input", .src = src };
	struct k2e_dump *d = NULL;
	struct k2e_err err;

	if (k2e_dump_open(&in, 1, &d, &err) < 0)
		return;
	fuzz_walk_dump(d);
	k2e_dump_free(d);
}

#endif
