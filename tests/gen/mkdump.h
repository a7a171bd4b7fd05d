/* mkdump.h - shared declarations of the synthetic dump generator k2e-mkdump.
 *
 * The generator is test tooling, not part of kdump2elf.  The spec language
 * is described at the top of mkdump.c and in README.md.  Everything is
 * driven by one struct spec that main() owns; writers stream pages and never
 * hold the whole dump in memory.  Functions return 0 on success and -1 after
 * writing a message to the caller's struct err.
 */
#ifndef K2E_GEN_MKDUMP_H
#define K2E_GEN_MKDUMP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sha256.h"

struct err {
	char msg[512];
};
int err_set(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A set of pfns as sorted, disjoint, non-adjacent half-open ranges. */
struct range {
	uint64_t lo, hi;        /* [lo, hi) */
};
struct rlist {
	struct range *v;
	size_t n, cap;
};
void rlist_add(struct rlist *l, uint64_t lo, uint64_t hi);
void rlist_normalize(struct rlist *l);      /* sort and merge */
void rlist_intersect(const struct rlist *a, const struct rlist *b,
		     struct rlist *ret);
int rlist_contains(const struct rlist *l, uint64_t pfn);
uint64_t rlist_count(const struct rlist *l);
/* pfn of the k-th member (0-based); UINT64_MAX if there are fewer */
uint64_t rlist_nth(const struct rlist *l, uint64_t k);
/* number of members below pfn */
uint64_t rlist_rank(const struct rlist *l, uint64_t pfn);
void rlist_free(struct rlist *l);
/* Fill one bitmap block: bits for pfns [first, first + nbits).  *cursor is
 * an index into l that only moves forward across consecutive calls. */
void rlist_bitmap(const struct rlist *l, uint64_t first, uint64_t nbits,
		  unsigned char *buf, size_t *cursor);

enum fmt { FMT_KDUMP, FMT_DISKDUMP, FMT_FLAT, FMT_SPLIT, FMT_ELF64, FMT_ELF32 };
enum arch { ARCH_X86_64, ARCH_I386, ARCH_ARM, ARCH_PPC64, ARCH_AARCH64 };
enum codec { CODEC_RAW, CODEC_ZLIB, CODEC_LZO, CODEC_SNAPPY, CODEC_ZSTD };
enum cut { CUT_NONE, CUT_BYTES, CUT_HEADER, CUT_SUBHEADER, CUT_BITMAP,
	   CUT_DESCS, CUT_DATA };
enum kind { PAGE_TEXT, PAGE_RANDOM, PAGE_ZERO };

/* page_desc flag bits (formats.md: makedumpfile's diskdump_mod.h) */
enum {
	DH_ZLIB = 0x1, DH_LZO = 0x2, DH_SNAPPY = 0x4, DH_INCOMPLETE = 0x8,
	DH_ZSTD = 0x20,
};

enum { MAX_CODECS = 16, MAX_CPUS = 512, MAX_LIST = 256 };

struct pfnsize {
	uint64_t pfn, size;
};

struct spec {
	enum fmt format;
	int header_version;
	enum arch arch;
	uint32_t page_size;
	uint64_t max_mapnr;
	struct rlist ram, dump, zero;
	int have_ram, have_dump;
	uint64_t every_n, every_m;          /* dump_every: pfn % m < n */
	unsigned mix[3];                    /* text, random, zero weights */
	uint64_t seed;
	enum codec codecs[MAX_CODECS];
	int ncodecs;
	int cpus;
	int64_t pids[MAX_CPUS];
	int npids;
	char release[65], nodename[65], version[65];
	char *vmcoreinfo_extra;             /* "K=V\n" lines, heap */
	char *eraseinfo;                    /* text lines, heap */
	int64_t phys_base;
	int64_t timestamp;
	int dump_level;
	int single_bitmap;
	int nsplit;
	/* flattened */
	int flat_shuffle;
	uint64_t flat_shuffle_seed;
	uint64_t flat_record_size;
	int flat_overlap, flat_no_end;
	/* ELF */
	int have_vaddr_base;
	uint64_t vaddr_base;
	uint64_t alias_pfn, alias_count, alias_vaddr;
	uint64_t memsz_extra;
	uint64_t filesz_extra;              /* first PT_LOAD declares more than the file holds */
	uint64_t empty_segments;
	uint64_t phoff;
	int have_phoff;
	int ehsize;                         /* -1: natural */
	int pn_xnum;
	/* corruptions */
	enum cut cut;
	uint64_t cut_bytes;
	uint64_t corrupt_pfn[MAX_LIST];
	int ncorrupt;
	uint64_t past_end_pfn[MAX_LIST];
	int npast_end;
	struct pfnsize bad_size[MAX_LIST];
	int nbad_size;
	int64_t bad_block_size, bad_sub_hdr_size, bad_bitmap_blocks;
	int64_t bad_max_mapnr;              /* -1 when not overridden */
	int pfn_beyond_max;
	uint64_t incomplete;
	int empty, garbage;
	int split_overlap, split_foreign;
	/* synthetic kernel (kernel.c) */
	int kernel;                         /* "kernel x86_64" */
	int panic_cpu;                      /* -1: none */
	uint64_t kaslr;                     /* KERNELOFFSET */
	struct kimage *kimage;              /* built after spec_finish, owned */
};

void spec_init(struct spec *s);
void spec_release(struct spec *s);
int spec_parse_line(struct spec *s, char *line, int lineno, struct err *e);
/* Fill in derived defaults after all lines: max_mapnr, ram, dump. */
int spec_finish(struct spec *s, struct err *e);
int spec_is_corrupt(const struct spec *s);
/* the pfns written as pages: ram & dump & [0, max_mapnr) & dump_every */
int spec_dumped(const struct spec *s, struct rlist *ret, struct err *e);

/* Byte order helpers for target structures. */
void put16(unsigned char *p, uint16_t v, int be);
void put32(unsigned char *p, uint32_t v, int be);
void put64(unsigned char *p, uint64_t v, int be);
uint32_t get32(const unsigned char *p, int be);
uint64_t get64(const unsigned char *p, int be);
int arch_be(enum arch a);
int arch_is32(enum arch a);
const char *arch_machine(enum arch a);

/* Page contents, a pure function of (seed, pfn). */
enum kind page_kind(const struct spec *s, uint64_t pfn);
void page_fill(const struct spec *s, uint64_t pfn, unsigned char *buf);
uint64_t mix64(uint64_t x);

/* Codecs: per-run state owned by main. */
struct codecs;
struct codecs *codecs_new(size_t page_size, struct err *e);
void codecs_free(struct codecs *c);
uint32_t codec_flag(enum codec c);
/* Compress one page into dst (cap at least codec_bound).  Returns the
 * compressed size, or 0 when the codec fails or the result would not be
 * smaller than src_len. */
size_t codec_compress(struct codecs *c, enum codec codec, void *dst,
		      size_t dst_cap, const void *src, size_t src_len);
size_t codec_bound(size_t page_size);
/* Decompress by descriptor flags; 0 when the result is exactly dst_cap. */
int codec_decompress(struct codecs *c, uint32_t flags, void *dst,
		     size_t dst_cap, const void *src, size_t src_len);

/* The notes blob: NT_PRSTATUS per CPU, then VMCOREINFO.  Heap, caller frees.
 * ret_vmci_off: offset of the VMCOREINFO descriptor within the blob. */
unsigned char *notes_build(const struct spec *s, size_t *ret_len,
			   size_t *ret_vmci_off, size_t *ret_vmci_len);
char *vmcoreinfo_text(const struct spec *s);

/* elf_prstatus of one CPU into pr (zeroed first; at least 512 bytes), as
 * the notes carry it; returns its size. */
size_t prstatus_fill(const struct spec *s, int cpu, unsigned char *pr);

/* A synthetic x86_64 kernel that kdump2elf reads without a vmlinux (see
 * kernel.c): page tables, kallsyms, BTF, ORC, per-CPU crash notes and
 * frame-pointer stacks, as pages that replace page_fill's contents. */
struct kimage;
int kimage_build(struct spec *s, struct err *e);       /* sets s->kimage */
void kimage_free(struct kimage *k);
/* The page at pfn, or NULL when the kernel does not define it. */
const unsigned char *kimage_page(const struct kimage *k, uint64_t pfn);
/* Its VMCOREINFO lines ("K=V\n"...). */
const char *kimage_vmcoreinfo(const struct kimage *k);
/* CPU cpu's 27 saved registers (user_regs_struct order). */
const uint64_t *kimage_regs(const struct kimage *k, int cpu);

/* Output file helpers. */
int write_at(int fd, const void *buf, size_t len, uint64_t off,
	     const char *path, struct err *e);
int read_at(int fd, void *buf, size_t len, uint64_t off);   /* bytes read */

/* Sequential buffered writer at a moving file offset. */
struct wbuf {
	int fd;
	const char *path;
	uint64_t off;                   /* file offset of buf[0] */
	size_t len, cap;
	unsigned char *buf;
};
int wbuf_init(struct wbuf *w, int fd, const char *path, uint64_t off,
	      size_t cap, struct err *e);
int wbuf_put(struct wbuf *w, const void *p, size_t len, struct err *e);
int wbuf_flush(struct wbuf *w, struct err *e);
void wbuf_release(struct wbuf *w);

/* Read-ahead buffer over a file that may be truncated or, for a
 * reconstructed flattened stream, only partly covered by records. */
struct rbuf {
	int fd;
	uint64_t size;                  /* file size */
	const struct rlist *cov;        /* NULL: [0, size) all present */
	uint64_t off;
	size_t len, cap;
	unsigned char *buf;
};
int rbuf_init(struct rbuf *r, int fd, const struct rlist *cov);
/* Pointer to len bytes at off, or NULL when any of them is missing. */
const unsigned char *rbuf_get(struct rbuf *r, uint64_t off, size_t len);
int rbuf_has(const struct rbuf *r, uint64_t off, uint64_t len);
void rbuf_release(struct rbuf *r);

/* The expectation, accumulated in pfn order by the verify pass. */
struct expect {
	struct sha256 sha;
	uint64_t pages, zero, lost;
	struct rlist lost_ranges;
	int cpus;
	int error;                      /* a reader must refuse the input */
	int mismatch;                   /* pages read back wrong: a bug */
};
void expect_init(struct expect *x);
void expect_page(struct expect *x, uint64_t pfn, const unsigned char *page,
		 size_t len);
void expect_lost(struct expect *x, uint64_t pfn);
int expect_write(struct expect *x, const struct spec *s, const char *path,
		 struct err *e);

/* Writers: each also runs the verify pass into x. */
int kdump_generate(const struct spec *s, const char *prefix,
		   struct codecs *c, struct expect *x, struct err *e);
int elf_generate(const struct spec *s, const char *prefix,
		 struct expect *x, struct err *e);

#endif
