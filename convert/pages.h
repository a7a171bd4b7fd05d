/* pages.h - decode every dumped page into its place in the output core. */
#ifndef K2E_PAGES_H
#define K2E_PAGES_H

#include <stdint.h>

#include "convert/layout.h"
#include "formats/format.h"

enum { K2E_MAX_LOST_MSGS = 16 };

struct k2e_page_stats {
	uint64_t dumped;		/* pages the dump says it holds */
	uint64_t written;		/* non-zero pages written */
	uint64_t zero;			/* zero pages (holes) */
	uint64_t lost;			/* pages the dump should hold but does not */
	uint64_t bytes_read;		/* page data bytes read from the inputs */
	uint32_t codecs_seen;		/* bit (1 << enum k2e_codec_id) */
	struct k2e_runs lost_runs;	/* sorted */
	/* The first lost-page events (a new reason or a gap starts one). */
	char *lost_msgs[K2E_MAX_LOST_MSGS];
	size_t n_lost_msgs;
	uint64_t n_lost_events;
};

struct k2e_page_index;

struct k2e_pages_opts {
	unsigned threads;		/* decoding threads, at least 1 */
	/*
	 * Not NULL: decode and write nothing but fill this index (see
	 * convert/page-index.h); `written` then counts the stored pages.
	 */
	struct k2e_page_index *index;
	/* Called from the reading thread now and then; may be NULL. */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	void *progress_arg;
};

void k2e_page_stats_init(struct k2e_page_stats *st);
void k2e_page_stats_release(struct k2e_page_stats *st);

/*
 * Read, decode and pwrite() every page of d to out_fd at the offsets of l.
 * Lost pages are counted in st, not errors; -1 means the conversion cannot
 * go on (unreadable metadata, a codec not built, a write error).
 */
int k2e_pages_convert(struct k2e_dump *d, const struct k2e_layout *l, int out_fd,
		      const struct k2e_pages_opts *opts, struct k2e_page_stats *st,
		      struct k2e_err *err);

#endif
