/* spec.c - the spec language of k2e-mkdump (see mkdump.c for the grammar). */
#define _GNU_SOURCE
#include "mkdump.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void spec_init(struct spec *s)
{
	memset(s, 0, sizeof *s);
	s->format = FMT_KDUMP;
	s->header_version = -1;             /* auto: 6, diskdump 1 */
	s->arch = ARCH_X86_64;
	s->page_size = 4096;
	s->mix[0] = 60;
	s->mix[1] = 25;
	s->mix[2] = 15;
	s->seed = 1;
	s->codecs[0] = CODEC_ZLIB;
	s->ncodecs = 1;
	s->cpus = 2;
	strcpy(s->release, "6.1.0-k2e-synthetic");
	strcpy(s->nodename, "k2e-gen");
	strcpy(s->version, "#1 SMP PREEMPT_DYNAMIC k2e-mkdump");
	s->timestamp = 1700000000;
	s->dump_level = -1;
	s->nsplit = 1;
	s->flat_record_size = 65536;
	s->ehsize = -1;
	s->bad_block_size = s->bad_sub_hdr_size = s->bad_bitmap_blocks = -1;
	s->bad_max_mapnr = -1;
	s->panic_cpu = -1;
}

void spec_release(struct spec *s)
{
	rlist_free(&s->ram);
	rlist_free(&s->dump);
	rlist_free(&s->zero);
	free(s->vmcoreinfo_extra);
	free(s->eraseinfo);
	s->vmcoreinfo_extra = s->eraseinfo = NULL;
	kimage_free(s->kimage);
	s->kimage = NULL;
}

int spec_is_corrupt(const struct spec *s)
{
	return s->cut != CUT_NONE || s->ncorrupt || s->npast_end ||
	       s->nbad_size || s->bad_block_size >= 0 ||
	       s->bad_sub_hdr_size >= 0 || s->bad_bitmap_blocks >= 0 ||
	       s->bad_max_mapnr >= 0 || s->incomplete || s->empty ||
	       s->garbage || s->split_foreign || s->flat_no_end;
}

/* Numbers: C syntax (0x..), optional K/M/G/T binary suffix. */
static int parse_num(const char *t, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (!t || !*t || *t == '-')
		return -1;
	v = strtoull(t, &end, 0);
	switch (toupper((unsigned char)*end)) {
	case 'K': v <<= 10; end++; break;
	case 'M': v <<= 20; end++; break;
	case 'G': v <<= 30; end++; break;
	case 'T': v <<= 40; end++; break;
	default: break;
	}
	if (*end == 'i' || *end == 'B')
		end++;
	if (*end)
		return -1;
	*ret = v;
	return 0;
}

static int parse_snum(const char *t, int64_t *ret)
{
	uint64_t v;

	if (t && *t == '-') {
		if (parse_num(t + 1, &v))
			return -1;
		*ret = -(int64_t)v;
		return 0;
	}
	if (parse_num(t, &v))
		return -1;
	*ret = (int64_t)v;
	return 0;
}

/* A-B (inclusive), A+N (N pfns from A) or A */
static int parse_range(const char *t, struct rlist *l)
{
	char buf[64], *sep;
	uint64_t a, b;

	if (strlen(t) >= sizeof buf)
		return -1;
	strcpy(buf, t);
	if ((sep = strchr(buf, '+'))) {
		*sep = '\0';
		if (parse_num(buf, &a) || parse_num(sep + 1, &b))
			return -1;
		rlist_add(l, a, a + b);
		return 0;
	}
	if ((sep = strchr(buf + 1, '-'))) {
		*sep = '\0';
		if (parse_num(buf, &a) || parse_num(sep + 1, &b) || b < a)
			return -1;
		rlist_add(l, a, b + 1);
		return 0;
	}
	if (parse_num(buf, &a))
		return -1;
	rlist_add(l, a, a + 1);
	return 0;
}

static void append_line(char **dst, const char *line)
{
	size_t old = *dst ? strlen(*dst) : 0, n = strlen(line);
	char *p = realloc(*dst, old + n + 2);

	if (!p) {
		fputs("k2e-mkdump: out of memory\n", stderr);
		exit(2);
	}
	memcpy(p + old, line, n);
	p[old + n] = '\n';
	p[old + n + 1] = '\0';
	*dst = p;
}

static int lookup(const char *word, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(word, names[i]))
			return i;
	return -1;
}

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

int spec_parse_line(struct spec *s, char *line, int lineno, struct err *e)
{
	static const char *const fmts[] = {
		[FMT_KDUMP] = "kdump", [FMT_DISKDUMP] = "diskdump",
		[FMT_FLAT] = "flat", [FMT_SPLIT] = "split",
		[FMT_ELF64] = "elf64", [FMT_ELF32] = "elf32",
	};
	static const char *const arches[] = {
		[ARCH_X86_64] = "x86_64", [ARCH_I386] = "i386",
		[ARCH_ARM] = "arm", [ARCH_PPC64] = "ppc64",
		[ARCH_AARCH64] = "aarch64",
	};
	static const char *const codecs[] = {
		[CODEC_RAW] = "raw", [CODEC_ZLIB] = "zlib", [CODEC_LZO] = "lzo",
		[CODEC_SNAPPY] = "snappy", [CODEC_ZSTD] = "zstd",
	};
	static const char *const cuts[] = {
		[CUT_HEADER] = "header", [CUT_SUBHEADER] = "subheader",
		[CUT_BITMAP] = "bitmap", [CUT_DESCS] = "descs",
		[CUT_DATA] = "data",
	};
	char *argv[64], *rest, *p;
	int argc = 0, i;
	uint64_t v = 0;
	int64_t sv;
	const char *key;

	if ((p = strchr(line, '#')))
		*p = '\0';
	while (isspace((unsigned char)*line))
		line++;
	if (!*line)
		return 0;
	/* rest: the text after the key, for free-text values */
	rest = line;
	while (*rest && !isspace((unsigned char)*rest))
		rest++;
	while (isspace((unsigned char)*rest))
		rest++;
	{
		char *end = rest + strlen(rest);
		while (end > rest && isspace((unsigned char)end[-1]))
			*--end = '\0';
	}
	key = line;
	if (!strncmp(key, "vmcoreinfo", 10) && isspace((unsigned char)key[10])) {
		append_line(&s->vmcoreinfo_extra, rest);
		return 0;
	}
	if (!strncmp(key, "eraseinfo", 9) && isspace((unsigned char)key[9])) {
		append_line(&s->eraseinfo, rest);
		return 0;
	}
	if ((!strncmp(key, "release", 7) && isspace((unsigned char)key[7])) ||
	    (!strncmp(key, "nodename", 8) && isspace((unsigned char)key[8]))) {
		char *dst = key[0] == 'r' ? s->release : s->nodename;
		if (!*rest || strlen(rest) > 64)
			return err_set(e, "line %d: bad %s", lineno, dst == s->release ? "release" : "nodename");
		strcpy(dst, rest);
		return 0;
	}
	argv[0] = NULL;
	for (p = strtok(line, " \t\r\n,"); p && argc < NELEM(argv);
	     p = strtok(NULL, " \t\r\n,"))
		argv[argc++] = p;
	if (!argc)
		return 0;
	key = argv[0];
#define NEED(n) do { if (argc != (n) + 1) goto bad_args; } while (0)
#define NUM(i, dst) do { if (parse_num(argv[i], &(dst))) goto bad_num; } while (0)
	if (!strcmp(key, "format")) {
		NEED(1);
		if ((i = lookup(argv[1], fmts, NELEM(fmts))) < 0)
			goto bad_word;
		s->format = (enum fmt)i;
	} else if (!strcmp(key, "header_version")) {
		NEED(1); NUM(1, v);
		s->header_version = (int)v;
	} else if (!strcmp(key, "arch")) {
		NEED(1);
		if ((i = lookup(argv[1], arches, NELEM(arches))) < 0)
			goto bad_word;
		s->arch = (enum arch)i;
	} else if (!strcmp(key, "page_size")) {
		NEED(1); NUM(1, v);
		if (v < 1024 || v > (1 << 20) || (v & (v - 1)))
			return err_set(e, "line %d: page_size %llu is not a power of two in 1K..1M",
				       lineno, (unsigned long long)v);
		s->page_size = (uint32_t)v;
	} else if (!strcmp(key, "max_mapnr")) {
		NEED(1); NUM(1, s->max_mapnr);
	} else if (!strcmp(key, "size")) {
		NEED(1); NUM(1, v);
		s->max_mapnr = v / s->page_size;
	} else if (!strcmp(key, "ram") || !strcmp(key, "dump") ||
		   !strcmp(key, "zero")) {
		struct rlist *l = key[0] == 'r' ? &s->ram :
				  key[0] == 'd' ? &s->dump : &s->zero;
		if (argc < 2)
			goto bad_args;
		for (i = 1; i < argc; i++)
			if (parse_range(argv[i], l))
				return err_set(e, "line %d: bad range '%s'",
					       lineno, argv[i]);
		if (key[0] == 'r')
			s->have_ram = 1;
		if (key[0] == 'd')
			s->have_dump = 1;
	} else if (!strcmp(key, "dump_every")) {
		NEED(2); NUM(1, s->every_n); NUM(2, s->every_m);
		if (!s->every_m || s->every_n > s->every_m)
			goto bad_num;
	} else if (!strcmp(key, "mix")) {
		/* mix text=A random=B zero=C, or mix A B C */
		memset(s->mix, 0, sizeof s->mix);
		for (i = 1; i < argc; i++) {
			char *eq = strchr(argv[i], '=');
			int slot = i - 1;
			if (eq) {
				*eq = '\0';
				slot = !strcmp(argv[i], "text") ? 0 :
				       !strcmp(argv[i], "random") ? 1 :
				       !strcmp(argv[i], "zero") ? 2 : -1;
				if (parse_num(eq + 1, &v))
					goto bad_num;
			} else if (parse_num(argv[i], &v)) {
				goto bad_num;
			}
			if (slot < 0 || slot > 2)
				goto bad_args;
			s->mix[slot] = (unsigned)v;
		}
	} else if (!strcmp(key, "seed")) {
		NEED(1); NUM(1, s->seed);
	} else if (!strcmp(key, "codec")) {
		if (argc < 2 || argc - 1 > MAX_CODECS)
			goto bad_args;
		for (i = 1; i < argc; i++) {
			int c = lookup(argv[i], codecs, NELEM(codecs));
			if (c < 0)
				goto bad_word;
			s->codecs[i - 1] = (enum codec)c;
		}
		s->ncodecs = argc - 1;
	} else if (!strcmp(key, "cpus")) {
		NEED(1); NUM(1, v);
		if (v > MAX_CPUS)
			goto bad_num;
		s->cpus = (int)v;
	} else if (!strcmp(key, "pids")) {
		if (argc - 1 > MAX_CPUS)
			goto bad_args;
		for (i = 1; i < argc; i++) {
			if (parse_snum(argv[i], &sv))
				goto bad_num;
			s->pids[i - 1] = sv;
		}
		s->npids = argc - 1;
	} else if (!strcmp(key, "timestamp")) {
		NEED(1);
		if (parse_snum(argv[1], &s->timestamp))
			goto bad_num;
	} else if (!strcmp(key, "phys_base")) {
		NEED(1);
		if (parse_snum(argv[1], &s->phys_base))
			goto bad_num;
	} else if (!strcmp(key, "dump_level")) {
		NEED(1); NUM(1, v);
		s->dump_level = (int)v;
	} else if (!strcmp(key, "single_bitmap")) {
		NEED(1); NUM(1, v);
		s->single_bitmap = !!v;
	} else if (!strcmp(key, "split")) {
		NEED(1); NUM(1, v);
		if (v < 1 || v > 64)
			goto bad_num;
		s->nsplit = (int)v;
		if (v > 1)
			s->format = FMT_SPLIT;
	} else if (!strcmp(key, "flat_shuffle")) {
		NEED(1); NUM(1, s->flat_shuffle_seed);
		s->flat_shuffle = 1;
	} else if (!strcmp(key, "flat_record_size")) {
		NEED(1); NUM(1, s->flat_record_size);
		if (!s->flat_record_size)
			goto bad_num;
	} else if (!strcmp(key, "flat_overlap")) {
		NEED(1); NUM(1, v);
		s->flat_overlap = !!v;
	} else if (!strcmp(key, "flat_no_end")) {
		NEED(1); NUM(1, v);
		s->flat_no_end = !!v;
	} else if (!strcmp(key, "vaddr_base")) {
		NEED(1); NUM(1, s->vaddr_base);
		s->have_vaddr_base = 1;
	} else if (!strcmp(key, "elf_alias")) {
		if (argc != 3 && argc != 4)
			goto bad_args;
		NUM(1, s->alias_pfn); NUM(2, s->alias_count);
		s->alias_vaddr = 0xffffffff81000000ull;
		if (argc == 4)
			NUM(3, s->alias_vaddr);
	} else if (!strcmp(key, "elf_memsz_extra")) {
		NEED(1); NUM(1, s->memsz_extra);
	} else if (!strcmp(key, "elf_filesz_extra")) {
		NEED(1); NUM(1, s->filesz_extra);
	} else if (!strcmp(key, "elf_empty_segments")) {
		NEED(1); NUM(1, s->empty_segments);
	} else if (!strcmp(key, "phoff")) {
		NEED(1); NUM(1, s->phoff);
		s->have_phoff = 1;
	} else if (!strcmp(key, "ehsize")) {
		NEED(1); NUM(1, v);
		s->ehsize = (int)v;
	} else if (!strcmp(key, "pn_xnum")) {
		NEED(1); NUM(1, v);
		s->pn_xnum = !!v;
	} else if (!strcmp(key, "truncate")) {
		NEED(1); NUM(1, s->cut_bytes);
		s->cut = CUT_BYTES;
	} else if (!strcmp(key, "truncate_at")) {
		NEED(1);
		if ((i = lookup(argv[1], cuts, NELEM(cuts))) <= 0)
			goto bad_word;
		s->cut = (enum cut)i;
	} else if (!strcmp(key, "corrupt_page") || !strcmp(key, "desc_past_end")) {
		uint64_t *dst = key[0] == 'c' ? s->corrupt_pfn : s->past_end_pfn;
		int *n = key[0] == 'c' ? &s->ncorrupt : &s->npast_end;
		for (i = 1; i < argc; i++) {
			if (*n >= MAX_LIST)
				goto bad_args;
			NUM(i, dst[*n]);
			(*n)++;
		}
	} else if (!strcmp(key, "desc_size")) {
		NEED(2);
		if (s->nbad_size >= MAX_LIST)
			goto bad_args;
		NUM(1, s->bad_size[s->nbad_size].pfn);
		NUM(2, s->bad_size[s->nbad_size].size);
		s->nbad_size++;
	} else if (!strcmp(key, "block_size") || !strcmp(key, "sub_hdr_size") ||
		   !strcmp(key, "bitmap_blocks") || !strcmp(key, "hdr_max_mapnr")) {
		NEED(1);
		if (parse_snum(argv[1], &sv))
			goto bad_num;
		sv &= 0xffffffff;
		if (key[0] == 'b' && key[1] == 'l')
			s->bad_block_size = sv;
		else if (key[0] == 's')
			s->bad_sub_hdr_size = sv;
		else if (key[0] == 'b')
			s->bad_bitmap_blocks = sv;
		else
			s->bad_max_mapnr = sv;
	} else if (!strcmp(key, "pfn_beyond_max")) {
		NEED(1); NUM(1, v);
		s->pfn_beyond_max = !!v;
	} else if (!strcmp(key, "incomplete")) {
		NEED(1); NUM(1, s->incomplete);
	} else if (!strcmp(key, "empty")) {
		NEED(1); NUM(1, v);
		s->empty = !!v;
	} else if (!strcmp(key, "garbage")) {
		NEED(1); NUM(1, v);
		s->garbage = !!v;
	} else if (!strcmp(key, "split_overlap")) {
		NEED(1); NUM(1, v);
		s->split_overlap = !!v;
	} else if (!strcmp(key, "split_foreign")) {
		NEED(1); NUM(1, v);
		s->split_foreign = !!v;
	} else if (!strcmp(key, "kernel")) {
		NEED(1);
		if (strcmp(argv[1], "x86_64"))
			goto bad_word;
		s->kernel = 1;
	} else if (!strcmp(key, "panic_cpu")) {
		NEED(1);
		if (parse_snum(argv[1], &sv) || sv < -1 || sv >= MAX_CPUS)
			goto bad_num;
		s->panic_cpu = (int)sv;
	} else if (!strcmp(key, "kaslr")) {
		NEED(1); NUM(1, s->kaslr);
	} else {
		return err_set(e, "line %d: unknown key '%s'", lineno, key);
	}
	return 0;
bad_args:
	return err_set(e, "line %d: wrong arguments for '%s'", lineno, key);
bad_num:
	return err_set(e, "line %d: bad number for '%s'", lineno, key);
bad_word:
	return err_set(e, "line %d: unknown value for '%s'", lineno, key);
#undef NEED
#undef NUM
}

int spec_finish(struct spec *s, struct err *e)
{
	rlist_normalize(&s->ram);
	rlist_normalize(&s->dump);
	rlist_normalize(&s->zero);
	if (!s->max_mapnr) {
		if (s->have_ram && s->ram.n)
			s->max_mapnr = s->ram.v[s->ram.n - 1].hi;
		else
			s->max_mapnr = 0x8000;
	}
	if (!s->have_ram)
		rlist_add(&s->ram, 0, s->max_mapnr);
	if (s->dump_level < 0)
		s->dump_level = s->format == FMT_DISKDUMP ? 0 : 31;
	if (s->format == FMT_SPLIT && s->nsplit < 2)
		s->nsplit = 3;
	if (s->format != FMT_SPLIT)
		s->nsplit = 1;
	if (s->header_version < 0)
		s->header_version = s->format == FMT_DISKDUMP ? 1 : 6;
	if (s->header_version > 6)
		return err_set(e, "header_version %d is not in 0..6",
			       s->header_version);
	if (s->format == FMT_SPLIT && s->header_version < 2)
		return err_set(e, "split needs header_version 2 or later");
	if (s->format == FMT_ELF32 && !arch_is32(s->arch))
		s->arch = ARCH_I386;
	if (arch_is32(s->arch) && s->format == FMT_ELF64)
		s->format = FMT_ELF32;
	if (!s->have_vaddr_base) {
		static const uint64_t bases[] = {
			[ARCH_X86_64] = 0xffff888000000000ull,
			[ARCH_I386] = 0xc0000000ull, [ARCH_ARM] = 0xc0000000ull,
			[ARCH_PPC64] = 0xc000000000000000ull,
			[ARCH_AARCH64] = 0xffff000000000000ull,
		};
		s->vaddr_base = bases[s->arch];
	}
	if (s->cpus > 0 && s->npids > s->cpus)
		return err_set(e, "%d pids given for %d cpus", s->npids, s->cpus);
	return 0;
}

int spec_dumped(const struct spec *s, struct rlist *ret, struct err *e)
{
	struct rlist cap = { 0 }, a = { 0 };
	size_t i;

	rlist_add(&cap, 0, s->max_mapnr);
	rlist_intersect(&s->ram, &cap, &a);
	if (s->have_dump) {
		struct rlist b = { 0 };
		rlist_intersect(&a, &s->dump, &b);
		rlist_free(&a);
		a = b;
	}
	rlist_free(&cap);
	if (!s->every_m || s->every_n == s->every_m) {
		*ret = a;
		return 0;
	}
	memset(ret, 0, sizeof *ret);
	for (i = 0; i < a.n; i++) {
		uint64_t p = a.v[i].lo - a.v[i].lo % s->every_m;
		for (; p < a.v[i].hi; p += s->every_m) {
			uint64_t lo = p < a.v[i].lo ? a.v[i].lo : p;
			uint64_t hi = p + s->every_n;
			if (hi > a.v[i].hi)
				hi = a.v[i].hi;
			rlist_add(ret, lo, hi);
			if (ret->n > 50000000) {
				rlist_free(&a);
				return err_set(e, "dump_every makes too many runs");
			}
		}
	}
	rlist_free(&a);
	return 0;
}
