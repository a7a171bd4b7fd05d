/* probe.c - the table of formats and opening a dump from its inputs. */
#include "formats/format.h"

#include <stdlib.h>
#include <string.h>

#include "formats/vmcoreinfo.h"
#include "lib/endian.h"

extern const struct k2e_format k2e_format_kdump;
extern const struct k2e_format k2e_format_elf;

/* Tried in order; the first that answers "mine" opens the dump. */
const struct k2e_format *const k2e_formats[] = {
	&k2e_format_kdump,
	&k2e_format_elf,
	NULL,
};

static void free_inputs(struct k2e_input *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		k2e_source_free(in[i].src);
		in[i].src = NULL;
	}
}

int k2e_dump_open(struct k2e_input *in, size_t n_in, struct k2e_dump **ret,
		  struct k2e_err *err)
{
	unsigned char head[64];
	const struct k2e_format *fmt = NULL;
	struct k2e_dump *d;
	size_t got;

	if (n_in == 0)
		return k2e_err_set(err, "no input");
	if (k2e_source_read(in[0].src, head, sizeof(head), 0, &got, err) < 0) {
		k2e_err_prefix(err, "%s", in[0].path);
		free_inputs(in, n_in);
		return -1;
	}
	if (got == 0) {
		free_inputs(in, n_in);
		return k2e_err_set(err, "%s: empty file", in[0].path);
	}
	for (size_t i = 0; k2e_formats[i]; i++) {
		int rc = k2e_formats[i]->probe(head, got, err);

		if (rc < 0) {
			k2e_err_prefix(err, "%s", in[0].path);
			free_inputs(in, n_in);
			return -1;
		}
		if (rc == K2E_PROBE_MINE) {
			fmt = k2e_formats[i];
			break;
		}
	}
	if (!fmt) {
		free_inputs(in, n_in);
		return k2e_err_set(err, "%s: unknown format (not kdump-compressed, flattened, diskdump or ELF)",
				   in[0].path);
	}
	if (n_in > 1 && !fmt->multi_input) {
		free_inputs(in, n_in);
		return k2e_err_set(err, "%s: a %s dump is one file, but %zu inputs were given",
				   in[0].path, fmt->name, n_in);
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		free_inputs(in, n_in);
		return k2e_err_set(err, "out of memory");
	}
	d->in = calloc(n_in, sizeof(*d->in));
	if (!d->in) {
		free(d);
		free_inputs(in, n_in);
		return k2e_err_set(err, "out of memory");
	}
	memcpy(d->in, in, n_in * sizeof(*in));
	d->n_in = n_in;
	d->fmt = fmt;
	d->zero_off = UINT64_MAX;
	k2e_runs_init(&d->runs);
	k2e_runs_init(&d->zero_fill);
	if (fmt->open(d, err) < 0) {
		k2e_dump_free(d);
		return -1;
	}
	*ret = d;
	return 0;
}

int k2e_dump_open_paths(const char *const *paths, size_t n, size_t stream_mem,
			struct k2e_dump **ret, struct k2e_err *err)
{
	struct k2e_input *in = calloc(n ? n : 1, sizeof(*in));
	int rc;

	if (!in)
		return k2e_err_set(err, "out of memory");
	for (size_t i = 0; i < n; i++) {
		in[i].path = paths[i];
		if (k2e_source_open(in[i].path, NULL, stream_mem, &in[i].src, err) < 0) {
			free_inputs(in, i);
			free(in);
			return k2e_err_prefix(err, "%s", paths[i]);
		}
		in[i].src->name = in[i].path;
	}
	rc = k2e_dump_open(in, n, ret, err);
	free(in);
	return rc;
}

void k2e_dump_free(struct k2e_dump *d)
{
	if (!d)
		return;
	if (d->fmt && d->fmt->close)
		d->fmt->close(d);
	free_inputs(d->in, d->n_in);
	free(d->in);
	free(d->notes);
	free(d->eraseinfo);
	free(d->vmaps);
	k2e_runs_release(&d->runs);
	k2e_runs_release(&d->zero_fill);
	free(d->lost);
	free(d);
}

int k2e_dump_lost_add(struct k2e_dump *d, uint64_t pfn, uint64_t count, uint64_t off,
		      uint32_t stride, uint16_t input, uint8_t reason, struct k2e_err *err)
{
	struct k2e_lost_range *v;

	if (count == 0)
		return 0;
	if ((d->n_lost & (d->n_lost - 1)) == 0) {	/* capacity: the next power of two */
		v = realloc(d->lost, (d->n_lost ? 2 * d->n_lost : 1) * sizeof(*v));
		if (!v)
			return k2e_err_set(err, "out of memory");
		d->lost = v;
	}
	d->lost[d->n_lost++] = (struct k2e_lost_range){
		.pfn = pfn, .count = count, .off = off, .stride = stride, .input = input,
		.reason = reason,
	};
	return 0;
}

static int lost_cmp(const void *a, const void *b)
{
	const struct k2e_lost_range *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

int k2e_dump_lost_finish(struct k2e_dump *d, struct k2e_err *err)
{
	struct k2e_lost_range *in = d->lost;
	size_t n = d->n_lost, j = 0;
	uint64_t done = 0;	/* pfns below this are taken */

	d->lost = NULL;
	d->n_lost = 0;
	d->n_lost_pages = 0;
	if (n > 1)
		qsort(in, n, sizeof(*in), lost_cmp);	/* equal pfns keep no order: first wins below */
	for (size_t i = 0; i < n; i++) {
		uint64_t pos = in[i].pfn > done ? in[i].pfn : done, end = in[i].pfn + in[i].count;

		/* What no run holds, in pieces between the runs. */
		while (j < d->runs.n && d->runs.v[j].start + d->runs.v[j].count <= pos)
			j++;
		while (pos < end) {
			uint64_t piece_end = end;

			if (j < d->runs.n && d->runs.v[j].start <= pos) {
				pos = d->runs.v[j].start + d->runs.v[j].count;
				j++;
				continue;
			}
			if (j < d->runs.n && d->runs.v[j].start < piece_end)
				piece_end = d->runs.v[j].start;
			if (k2e_dump_lost_add(d, pos, piece_end - pos,
					      in[i].off + (pos - in[i].pfn) * in[i].stride, in[i].stride,
					      in[i].input, in[i].reason, err) < 0) {
				free(in);
				return -1;
			}
			d->n_lost_pages += piece_end - pos;
			pos = piece_end;
		}
		if (end > done)
			done = end;
	}
	free(in);
	return 0;
}

int k2e_notes_find(const unsigned char *notes, size_t len, const char *name, int64_t type,
		   bool be, const unsigned char **ret_desc, size_t *ret_desc_len)
{
	size_t pos = 0, nlen = strlen(name);

	while (pos + 12 <= len) {
		uint32_t namesz = k2e_get32(notes + pos, be);
		uint32_t descsz = k2e_get32(notes + pos + 4, be);
		uint32_t ntype = k2e_get32(notes + pos + 8, be);
		size_t name_off = pos + 12;
		size_t desc_off = name_off + (((size_t)namesz + 3) & ~(size_t)3);
		size_t next = desc_off + (((size_t)descsz + 3) & ~(size_t)3);

		if (namesz > len || descsz > len || desc_off > len || next > len + 3)
			return -1;
		if (desc_off + descsz > len)
			return -1;
		if ((namesz == nlen + 1 || namesz == nlen) &&
		    memcmp(notes + name_off, name, nlen) == 0 &&
		    (type < 0 || (uint32_t)type == ntype)) {
			*ret_desc = notes + desc_off;
			*ret_desc_len = descsz;
			return 0;
		}
		pos = next;
	}
	return -1;
}

const char *k2e_vmcoreinfo_find(const struct k2e_dump *d, const char *key, size_t *ret_len)
{
	struct k2e_vmcoreinfo v;

	k2e_vmcoreinfo_init(&v, d->notes, d->notes_len, d->big_endian);
	return k2e_vmcoreinfo_get(&v, key, ret_len);
}
