/* coresyms.c - the core's section headers and .symtab (see coresyms.h). */
#include "convert/coresyms.h"

#include <elf.h>
#include <endian.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytebuf.h"

/* A PT_LOAD by address, for finding the segment that holds a symbol. */
struct seg {
	uint64_t lo, hi;	/* [p_vaddr, p_vaddr + p_memsz) */
	size_t load;		/* index in ls->v */
};

static int seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->load < y->load ? -1 : x->load > y->load;
}

/* The load holding addr, or SIZE_MAX: the last segment starting at or below it. */
static size_t seg_find(const struct seg *s, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr >= s[lo - 1].hi)
		return SIZE_MAX;
	return s[lo - 1].load;
}

static bool sym_local(char t)
{
	return t >= 'a' && t <= 'z' && t != 'w' && t != 'v';
}

static bool sym_weak(char t)
{
	return t == 'w' || t == 'W' || t == 'v' || t == 'V';
}

static unsigned sym_type(char t)
{
	switch (t) {
	case 't': case 'T':
		return STT_FUNC;
	case 'd': case 'D': case 'b': case 'B': case 'r': case 'R':
	case 'g': case 'G': case 's': case 'S': case 'v': case 'V':
		return STT_OBJECT;
	default:
		return STT_NOTYPE;
	}
}

/* v as size (2, 4 or 8) bytes at p, in the core's byte order. */
static inline void store(unsigned char *p, uint64_t v, unsigned size, bool be)
{
	uint16_t v16 = be ? htobe16((uint16_t)v) : htole16((uint16_t)v);
	uint32_t v32 = be ? htobe32((uint32_t)v) : htole32((uint32_t)v);
	uint64_t v64 = be ? htobe64(v) : htole64(v);

	if (size == 2)
		memcpy(p, &v16, 2);
	else if (size == 4)
		memcpy(p, &v32, 4);
	else
		memcpy(p, &v64, 8);
}

static void put_shdr(struct k2e_bytebuf *b, uint32_t name, uint32_t type, uint64_t flags,
		     uint64_t addr, uint64_t off, uint64_t size, uint32_t link, uint32_t info,
		     uint64_t align, uint64_t entsize)
{
	unsigned char t[sizeof(Elf64_Shdr)];

	store(t + offsetof(Elf64_Shdr, sh_name), name, 4, b->be);
	store(t + offsetof(Elf64_Shdr, sh_type), type, 4, b->be);
	store(t + offsetof(Elf64_Shdr, sh_flags), flags, 8, b->be);
	store(t + offsetof(Elf64_Shdr, sh_addr), addr, 8, b->be);
	store(t + offsetof(Elf64_Shdr, sh_offset), off, 8, b->be);
	store(t + offsetof(Elf64_Shdr, sh_size), size, 8, b->be);
	store(t + offsetof(Elf64_Shdr, sh_link), link, 4, b->be);
	store(t + offsetof(Elf64_Shdr, sh_info), info, 4, b->be);
	store(t + offsetof(Elf64_Shdr, sh_addralign), align, 8, b->be);
	store(t + offsetof(Elf64_Shdr, sh_entsize), entsize, 8, b->be);
	k2e_bytebuf_put(b, t, sizeof(t));
}

static void put_sym(struct k2e_bytebuf *b, uint32_t name, unsigned char info, uint16_t shndx,
		    uint64_t value, uint64_t size)
{
	unsigned char t[sizeof(Elf64_Sym)];

	store(t + offsetof(Elf64_Sym, st_name), name, 4, b->be);
	t[offsetof(Elf64_Sym, st_info)] = info;
	t[offsetof(Elf64_Sym, st_other)] = 0;
	store(t + offsetof(Elf64_Sym, st_shndx), shndx, 2, b->be);
	store(t + offsetof(Elf64_Sym, st_value), value, 8, b->be);
	store(t + offsetof(Elf64_Sym, st_size), size, 8, b->be);
	k2e_bytebuf_put(b, t, sizeof(t));
}

int k2e_coresyms_build(const struct k2e_loads *ls, uint64_t nph, const struct k2e_symtab *st,
		       bool be, uint64_t after, struct k2e_coresyms *ret, struct k2e_err *err)
{
	struct k2e_bytebuf out = { .be = be }, str = { 0 }, shstr = { 0 };
	struct seg *segs = NULL;
	size_t *load_of = NULL;		/* per symbol: its load, SIZE_MAX for none */
	uint32_t *sec_of = NULL;	/* per load: its section index, 0 for none */
	size_t n_segs = 0, n_secs = 0, n_local = 1, n_syms = 0;
	uint64_t base = (after + 7) & ~7ULL, symoff, stroff, shstroff, shoff;
	uint32_t name_symtab, name_strtab, name_shstrtab;
	size_t sym_len;
	int rc = -1;

	segs = malloc((ls->n ? ls->n : 1) * sizeof(*segs));
	sec_of = calloc(ls->n ? ls->n : 1, sizeof(*sec_of));
	load_of = malloc((st->n ? st->n : 1) * sizeof(*load_of));
	if (!segs || !sec_of || !load_of)
		goto oom;
	for (size_t i = 0; i < ls->n; i++)
		if (ls->v[i].p_type == PT_LOAD && ls->v[i].p_filesz &&
		    ls->v[i].p_vaddr + ls->v[i].p_filesz > ls->v[i].p_vaddr)
			segs[n_segs++] = (struct seg){ ls->v[i].p_vaddr,
						       ls->v[i].p_vaddr + ls->v[i].p_filesz, i };
	qsort(segs, n_segs, sizeof(*segs), seg_cmp);
	/*
	 * Sections, in program header order: every PT_LOAD when they fit, else
	 * those that hold a symbol.
	 */
	for (size_t i = 0; i < st->n; i++) {
		load_of[i] = seg_find(segs, n_segs, st->syms[i].addr);
		if (load_of[i] != SIZE_MAX)
			sec_of[load_of[i]] = 1;
	}
	if (n_segs <= K2E_CORESYMS_MAX_LOADS)
		for (size_t i = 0; i < n_segs; i++)
			sec_of[segs[i].load] = 1;
	k2e_bytebuf_putc(&shstr, '\0');
	for (size_t i = 0; i < ls->n; i++) {
		if (!sec_of[i])
			continue;
		if (n_secs == K2E_CORESYMS_MAX_LOADS) {
			sec_of[i] = 0;
			continue;
		}
		sec_of[i] = (uint32_t)++n_secs;
	}

	/* .symtab: locals first (the gABI), then globals and weaks. */
	put_sym(&out, 0, 0, SHN_UNDEF, 0, 0);
	k2e_bytebuf_putc(&str, '\0');
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < st->n; i++) {
			const struct k2e_sym *s = &st->syms[i];
			bool local = sym_local(s->type);
			unsigned bind = local ? STB_LOCAL : sym_weak(s->type) ? STB_WEAK : STB_GLOBAL;
			uint32_t shndx = load_of[i] == SIZE_MAX ? 0 : sec_of[load_of[i]];

			if (local != (pass == 0))
				continue;
			const char *name = k2e_sym_name(st, s);

			put_sym(&out, (uint32_t)str.len, (unsigned char)(bind << 4 | sym_type(s->type)),
				shndx ? (uint16_t)shndx : SHN_ABS, s->addr, s->size);
			k2e_bytebuf_put(&str, name, strlen(name) + 1);
			n_local += local;
			n_syms++;
		}
	}
	if (str.len > UINT32_MAX)
		goto oom;
	sym_len = out.len;
	symoff = base;
	stroff = base + out.len;
	k2e_bytebuf_put(&out, str.p, str.len);
	shstroff = base + out.len;
	name_symtab = (uint32_t)shstr.len;
	k2e_bytebuf_put(&shstr, ".symtab", sizeof(".symtab"));
	name_strtab = (uint32_t)shstr.len;
	k2e_bytebuf_put(&shstr, ".strtab", sizeof(".strtab"));
	name_shstrtab = (uint32_t)shstr.len;
	k2e_bytebuf_put(&shstr, ".shstrtab", sizeof(".shstrtab"));
	/* Load section names: "load<N>", N the program header index (PT_NOTE is 0). */
	{
		size_t names0 = shstr.len;

		for (size_t i = 0; i < ls->n; i++)
			if (sec_of[i])
			{
				k2e_bytebuf_printf(&shstr, "load%zu", i + 1);
				k2e_bytebuf_putc(&shstr, '\0');
			}
		k2e_bytebuf_put(&out, shstr.p, shstr.len);
		k2e_bytebuf_align(&out, 0, 8, 0);
		shoff = base + out.len;
		/* Section 0: sh_info holds the program header count when e_phnum is PN_XNUM. */
		put_shdr(&out, 0, SHT_NULL, 0, 0, 0, 0, 0, nph >= PN_XNUM ? (uint32_t)nph : 0, 0, 0);
		for (size_t i = 0, name = names0; i < ls->n; i++) {
			const Elf64_Phdr *p = &ls->v[i];
			uint64_t flags = SHF_ALLOC;

			if (!sec_of[i])
				continue;
			flags |= (p->p_flags & PF_W) ? SHF_WRITE : 0;
			flags |= (p->p_flags & PF_X) ? SHF_EXECINSTR : 0;
			put_shdr(&out, (uint32_t)name, SHT_PROGBITS, flags, p->p_vaddr, p->p_offset,
				 p->p_filesz, 0, 0, 1, 0);
			name += strlen((const char *)shstr.p + name) + 1;
		}
	}
	put_shdr(&out, name_symtab, SHT_SYMTAB, 0, 0, symoff, sym_len, (uint32_t)n_secs + 2,
		 (uint32_t)n_local, 8, sizeof(Elf64_Sym));
	put_shdr(&out, name_strtab, SHT_STRTAB, 0, 0, stroff, str.len, 0, 0, 1, 0);
	put_shdr(&out, name_shstrtab, SHT_STRTAB, 0, 0, shstroff, shstr.len, 0, 0, 1, 0);
	if (out.oom || str.oom || shstr.oom)
		goto oom;
	ret->buf = out.p;
	ret->len = out.len;
	ret->base = base;
	ret->shoff = shoff;
	ret->shnum = (uint16_t)(n_secs + 4);
	ret->shstrndx = (uint16_t)(n_secs + 3);
	ret->symbols = n_syms;
	ret->sections = n_secs;
	out.p = NULL;
	rc = 0;
	goto done;
oom:
	k2e_err_set(err, "out of memory");
done:
	k2e_bytebuf_release(&out);
	k2e_bytebuf_release(&str);
	k2e_bytebuf_release(&shstr);
	free(segs);
	free(sec_of);
	free(load_of);
	return rc;
}

void k2e_coresyms_release(struct k2e_coresyms *cs)
{
	free(cs->buf);
	memset(cs, 0, sizeof(*cs));
}
