/* virtual.c - a core served from memory and the dump (see virtual.h). */
#include "convert/virtual.h"

#include <stdlib.h>
#include <string.h>

#include "lib/fileio.h"

void k2e_virtual_core_release(struct k2e_virtual_core *v)
{
	k2e_page_reader_free(v->reader);
	v->reader = NULL;
	k2e_page_index_release(&v->ix);
	k2e_layout_release(&v->l);
	for (size_t i = 0; i < v->n_files; i++) {
		k2e_outfile_abort(v->files[i]);
		free(v->files[i]);
	}
	free(v->files);
	v->files = NULL;
	v->n_files = 0;
}

int k2e_virtual_core_read(struct k2e_virtual_core *v, void *buf, size_t len, uint64_t off,
			  size_t *ret_got, struct k2e_err *err)
{
	const struct k2e_layout *l = &v->l;
	unsigned char *out = buf;
	size_t done = 0;

	if (off >= v->core_size)
		len = 0;
	else if (len > v->core_size - off)
		len = (size_t)(v->core_size - off);
	while (done < len) {
		uint64_t at = off + done, chunk;

		if (at < l->data_start || at >= l->data_end) {
			/* Headers, notes and what follows the pages: in memory. */
			size_t got;

			chunk = at < l->data_start ? l->data_start - at : len - done;
			if (chunk > len - done)
				chunk = len - done;
			if (k2e_pread_all(v->files[0]->fd, out + done, (size_t)chunk, at, &got, err) < 0)
				return -1;
			memset(out + done + got, 0, (size_t)chunk - got);
		} else {
			uint64_t page = (at - l->data_start) >> l->page_shift;
			uint32_t in = (uint32_t)((at - l->data_start) & (l->page_size - 1));
			const struct k2e_page_ent *e = &v->ix.ent[page];

			chunk = l->page_size - in;
			if (chunk > len - done)
				chunk = len - done;
			if (e->kind != K2E_PAGE_DATA) {
				/* Zero pages and lost ones are holes in a written core too. */
				memset(out + done, 0, (size_t)chunk);
			} else {
				uint64_t pfn = k2e_layout_off_pfn(l, at);

				if (k2e_page_reader_read(v->reader, pfn, in, out + done, (size_t)chunk,
							 err) < 0)
					return -1;
			}
		}
		done += (size_t)chunk;
	}
	*ret_got = done;
	return 0;
}
