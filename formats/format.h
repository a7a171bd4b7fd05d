/*
 * format.h - dump formats and the opened dump they describe.
 *
 * Each format lives in one file and fills a struct k2e_format; the ordered
 * table in formats/probe.c lists them.  A probe answers K2E_PROBE_MINE,
 * K2E_PROBE_NOT_MINE (the next format is tried) or -1 with err set.
 *
 * After open, a struct k2e_dump says everything the converter needs before
 * it reads page data: the machine (ELF class, byte order, e_machine), the
 * page size, the notes, and the sorted list of dumped pfn runs.  Page data is
 * then walked once, in increasing pfn order, through a page iterator that
 * yields one struct k2e_page_ref per dumped page: where its bytes are and how
 * they are encoded.  The iterator reads only metadata (descriptors); the
 * converter reads and decodes the data itself.
 */
#ifndef K2E_FORMAT_H
#define K2E_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codecs/codec.h"
#include "io/source.h"
#include "lib/error.h"
#include "lib/runs.h"

enum { K2E_PROBE_NOT_MINE = 0, K2E_PROBE_MINE = 1 };

struct k2e_input {
	const char *path;		/* as given by the user; not owned */
	struct k2e_source *src;		/* owned */
};

/* A virtual mapping the input itself declares (ELF p_vaddr of PT_LOADs). */
struct k2e_vmap {
	uint64_t vaddr, paddr, len;
};

enum k2e_page_kind {
	K2E_PAGE_DATA,		/* bytes at off/size in input `input`, encoded with `codec` */
	K2E_PAGE_ZERO,		/* known to be all zero without reading */
	K2E_PAGE_LOST,		/* the dump should hold it but does not */
};

/* Why a page is lost. */
enum k2e_lost_reason {
	K2E_LOST_NONE,
	K2E_LOST_DESC_EOF,		/* its descriptor lies past the end of the file */
	K2E_LOST_NOT_WRITTEN,		/* descriptor offset 0: the producer never wrote it */
	K2E_LOST_BAD_FLAGS,		/* descriptor flags name no known codec */
	K2E_LOST_DATA_EOF,		/* its data lies past the end of the file */
	K2E_LOST_BAD_SIZE,		/* descriptor size is 0 or larger than a page */
	K2E_LOST_CORRUPT,		/* data does not decode to exactly one page */
};

struct k2e_page_ref {
	uint64_t pfn;
	uint64_t off;			/* DATA: offset in the input's source */
	uint32_t size;			/* DATA: stored size */
	uint8_t kind;			/* enum k2e_page_kind */
	uint8_t codec;			/* enum k2e_codec_id */
	uint8_t reason;			/* LOST: enum k2e_lost_reason */
	uint16_t input;			/* index into k2e_dump.in */
	uint32_t flags;			/* the descriptor's flags, for messages */
	uint64_t desc_off;		/* where the descriptor was (for messages), or 0 */
	/*
	 * LOST: the pages pfn .. pfn + count - 1 are all lost for the same
	 * reason (0 means 1).  An iterator says so when it knows the rest of a
	 * run is gone (a stream that ended), so that nothing is done per page.
	 */
	uint64_t count;
};

/*
 * Pages the dump declares but cannot hold, found at open: their data or
 * their descriptors lie past the end of a file whose size is known.  They are
 * in no run of k2e_dump.runs (so the output has no room for them) and are
 * reported as ranges.
 */
struct k2e_lost_range {
	uint64_t pfn, count;
	uint64_t off;			/* where the first page's data (DATA_EOF) or descriptor (DESC_EOF) would be */
	uint32_t stride;		/* bytes from one page's to the next one's */
	uint16_t input;			/* index into k2e_dump.in */
	uint8_t reason;			/* K2E_LOST_DATA_EOF or K2E_LOST_DESC_EOF */
};

struct k2e_dump;
struct k2e_page_iter;

struct k2e_format {
	const char *name;		/* "kdump", "diskdump", "elf" */
	bool multi_input;		/* accepts several inputs (split sets) */
	/* head: the first bytes of input 0 (at least 8 unless the file is shorter). */
	int (*probe)(const unsigned char *head, size_t head_len, struct k2e_err *err);
	/* Fill d from d->in[0 .. d->n_in-1]. */
	int (*open)(struct k2e_dump *d, struct k2e_err *err);
	int (*iter_new)(struct k2e_dump *d, struct k2e_page_iter **ret, struct k2e_err *err);
	/* 1 and *ret set, 0 at the end, -1 on error (fatal: metadata unreadable). */
	int (*iter_next)(struct k2e_page_iter *it, struct k2e_page_ref *ret, struct k2e_err *err);
	void (*iter_free)(struct k2e_page_iter *it);
	/* After all pages: pick up what came late (eraseinfo in a stream). */
	int (*finish)(struct k2e_dump *d, struct k2e_err *err);
	void (*close)(struct k2e_dump *d);
};

struct k2e_dump {
	const struct k2e_format *fmt;
	struct k2e_input *in;
	size_t n_in;

	/* The dumped machine. */
	uint16_t e_machine;		/* EM_* */
	bool big_endian;
	unsigned ptr_bits;		/* 32 or 64 */
	uint32_t page_size;
	unsigned page_shift;
	uint64_t max_pfn;		/* pfns are below this */

	/* What the header said, for summaries. */
	int header_version;		/* kdump header_version; -1 for ELF */
	char release[66];
	char machine[66];
	uint64_t crash_time;		/* seconds since the epoch, 0 if unknown */
	uint32_t dump_level;
	bool incomplete_flag;		/* the producer flagged the dump incomplete */
	char format_desc[64];		/* e.g. "kdump-compressed (split, 3 pieces)" */

	/* ELF notes, verbatim (Elf_Nhdr records, 4-byte aligned). */
	unsigned char *notes;
	size_t notes_len;
	unsigned char *eraseinfo;
	size_t eraseinfo_len;
	size_t eraseinfo_hint;		/* its size as known at open, for the layout */

	/*
	 * Dumped pfns the input can hold: sorted, disjoint, merged.  Pages it
	 * declares but cannot hold are in `lost` instead.
	 */
	struct k2e_runs runs;
	/* Sorted by pfn, disjoint, apart from runs; n_lost_pages is their total. */
	struct k2e_lost_range *lost;
	size_t n_lost;
	uint64_t n_lost_pages;
	/*
	 * Pfns the input declares as memory that reads as zeros without storing
	 * it (ELF p_memsz beyond p_filesz), minus dumped ones.  Kept the same way
	 * in the output so readers see what they saw in the input.
	 */
	struct k2e_runs zero_fill;
	uint64_t n_dumped;		/* pages in runs (declared: n_dumped + n_lost_pages) */
	uint64_t n_ram;			/* pages that exist (kdump 1st bitmap), 0: unknown */

	/* Offset of a page the format knows is the shared zero page, or UINT64_MAX. */
	uint64_t zero_off;

	/* Mappings declared by the input (ELF); the converter may derive more. */
	struct k2e_vmap *vmaps;
	size_t n_vmaps;

	char warning[256];		/* something worth telling, not an error */
	void *priv;			/* the format's own state */
};

/* The ordered table of formats (formats/probe.c). */
extern const struct k2e_format *const k2e_formats[];

/*
 * Open the inputs as one dump: probe input 0, group the rest with it when the
 * format takes several inputs.  Takes ownership of the sources in `in`
 * (also on failure).  The message names the file it is about.
 */
int k2e_dump_open(struct k2e_input *in, size_t n_in, struct k2e_dump **ret,
		  struct k2e_err *err);

/*
 * Open the files at paths[0..n) ("-": standard input) and then the dump, as
 * k2e_dump_open() does; stream_mem bounds a stream's reorder buffer (0: the
 * default).  Input paths are kept by pointer: they must outlive the dump.
 */
int k2e_dump_open_paths(const char *const *paths, size_t n, size_t stream_mem,
			struct k2e_dump **ret, struct k2e_err *err);
void k2e_dump_free(struct k2e_dump *d);

/* Helpers shared by the formats. */
/*
 * Add [pfn, pfn + count) to d->lost (reason, input, off: the first page's,
 * stride: from one page's offset to the next), in any order;
 * k2e_dump_lost_finish() then sorts them, drops what overlaps d->runs or an
 * earlier range (offsets follow) and sets n_lost_pages.
 */
int k2e_dump_lost_add(struct k2e_dump *d, uint64_t pfn, uint64_t count, uint64_t off,
		      uint32_t stride, uint16_t input, uint8_t reason, struct k2e_err *err);
int k2e_dump_lost_finish(struct k2e_dump *d, struct k2e_err *err);
const char *k2e_vmcoreinfo_find(const struct k2e_dump *d, const char *key, size_t *ret_len);
/* Find the first note named `name` (without NUL) of type `type` (-1: any). */
int k2e_notes_find(const unsigned char *notes, size_t len, const char *name, int64_t type,
		   bool big_endian, const unsigned char **ret_desc, size_t *ret_desc_len);

#endif
