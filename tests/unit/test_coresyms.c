/* Unit tests of convert/coresyms: section headers and .symtab after the pages. */
#include "tests/unit/harness.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>

#include "convert/coresyms.h"
#include "kernel/symtab.h"

static Elf64_Phdr load(uint64_t vaddr, uint64_t off, uint64_t size)
{
	return (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X, .p_offset = off,
			     .p_vaddr = vaddr, .p_filesz = size, .p_memsz = size };
}

static const Elf64_Shdr *shdr(const struct k2e_coresyms *cs, size_t i)
{
	return (const Elf64_Shdr *)(cs->buf + (cs->shoff - cs->base) + i * sizeof(Elf64_Shdr));
}

static const char *secname(const struct k2e_coresyms *cs, size_t i)
{
	const Elf64_Shdr *ss = shdr(cs, cs->shstrndx);

	return (const char *)cs->buf + (ss->sh_offset - cs->base) + shdr(cs, i)->sh_name;
}

TEST(coresyms_sections_and_symbols)
{
	Elf64_Phdr v[4] = {
		load(0xffff888000000000, 0x10000, 0x100000),	/* direct map: no symbol */
		load(0xffffffff81000000, 0x10000, 0x200000),	/* kernel image alias */
		load(0xffffffffc0002000, 0x9000, 0x1000),	/* a module page */
		load(0xffffffffc0001000, 0x8000, 0x1000),	/* the page below it */
	};
	struct k2e_loads ls = { .v = v, .n = 4 };
	struct k2e_symtab *st = k2e_symtab_new();
	struct k2e_coresyms cs = { 0 };
	struct k2e_err err;
	const Elf64_Sym *sym;
	const Elf64_Shdr *symtab;
	const char *strs;
	size_t n;
	bool seen_fn = false;

	if (!CHECK(st))
		return;
	CHECK(k2e_symtab_add(st, "_text", 5, 'T', 0xffffffff81000000, 0, -1) == 0);
	CHECK(k2e_symtab_add(st, "jiffies", 7, 'D', 0xffffffff81100000, 8, -1) == 0);
	CHECK(k2e_symtab_add(st, "mod_fn", 6, 't', 0xffffffffc0001ff0, 0x20, 0) == 0);
	CHECK(k2e_symtab_add(st, "mod_data", 8, 'd', 0xffffffffc0002100, 0x10, 0) == 0);
	CHECK(k2e_symtab_add(st, "nowhere", 7, 'T', 0xffffffffd0000000, 0, -1) == 0);
	k2e_symtab_finish(st);
	if (!CHECK(k2e_coresyms_build(&ls, 5, st, false, 0x210001, &cs, &err) == 0))
		goto out;
	CHECK_U64(cs.base, 0x210008);		/* 8-aligned at or after `after` */
	CHECK_U64(cs.shoff % 8, 0);
	CHECK_U64(cs.sections, 4);		/* every load: they fit */
	CHECK_U64(cs.shnum, 4 + 4);
	CHECK_U64(cs.shstrndx, 4 + 3);
	CHECK_U64(cs.symbols, 5);
	CHECK_U64(shdr(&cs, 0)->sh_info, 0);	/* not PN_XNUM */
	/* In program header order, named by program header index (PT_NOTE is 0). */
	CHECK(strcmp(secname(&cs, 1), "load1") == 0);
	CHECK(strcmp(secname(&cs, 2), "load2") == 0);
	CHECK(strcmp(secname(&cs, 3), "load3") == 0);
	CHECK(strcmp(secname(&cs, 4), "load4") == 0);
	CHECK_U64(shdr(&cs, 3)->sh_addr, 0xffffffffc0002000);
	CHECK_U64(shdr(&cs, 3)->sh_offset, 0x9000);
	CHECK_U64(shdr(&cs, 3)->sh_size, 0x1000);
	CHECK_U64(shdr(&cs, 3)->sh_type, SHT_PROGBITS);
	CHECK(strcmp(secname(&cs, 5), ".symtab") == 0);
	symtab = shdr(&cs, 5);
	CHECK_U64(symtab->sh_link, 6);
	CHECK(strcmp(secname(&cs, 6), ".strtab") == 0);
	CHECK_U64(symtab->sh_info, 3);		/* the null symbol, mod_fn and mod_data are local */
	n = symtab->sh_size / sizeof(Elf64_Sym);
	CHECK_U64(n, 6);
	sym = (const Elf64_Sym *)(cs.buf + (symtab->sh_offset - cs.base));
	strs = (const char *)cs.buf + (shdr(&cs, 6)->sh_offset - cs.base);
	for (size_t i = 1; i < n; i++) {
		const char *nm = strs + sym[i].st_name;

		if (strcmp(nm, "mod_fn") == 0) {
			seen_fn = true;
			CHECK_U64(sym[i].st_shndx, 4);	/* load4 at 0xffffffffc0001000 */
			CHECK_U64(ELF64_ST_TYPE(sym[i].st_info), STT_FUNC);
			CHECK_U64(ELF64_ST_BIND(sym[i].st_info), STB_LOCAL);
			CHECK_U64(sym[i].st_size, 0x20);
		} else if (strcmp(nm, "jiffies") == 0) {
			CHECK_U64(sym[i].st_shndx, 2);
			CHECK_U64(ELF64_ST_TYPE(sym[i].st_info), STT_OBJECT);
			CHECK_U64(ELF64_ST_BIND(sym[i].st_info), STB_GLOBAL);
		} else if (strcmp(nm, "mod_data") == 0) {
			CHECK_U64(sym[i].st_shndx, 3);	/* load3 */
			CHECK_U64(ELF64_ST_TYPE(sym[i].st_info), STT_OBJECT);
		} else if (strcmp(nm, "nowhere") == 0) {
			CHECK_U64(sym[i].st_shndx, SHN_ABS);
		}
	}
	CHECK(seen_fn);
	k2e_coresyms_release(&cs);
	CHECK(cs.buf == NULL);
out:
	k2e_symtab_free(st);
}

TEST(coresyms_pn_xnum)
{
	Elf64_Phdr v[1] = { load(0xffffffff81000000, 0x1000, 0x1000) };
	struct k2e_loads ls = { .v = v, .n = 1 };
	struct k2e_symtab *st = k2e_symtab_new();
	struct k2e_coresyms cs = { 0 };
	struct k2e_err err;

	if (!CHECK(st))
		return;
	k2e_symtab_finish(st);
	/* No symbols: the load, the null section and the three tables. */
	if (CHECK(k2e_coresyms_build(&ls, 70000, st, true, 0x2000, &cs, &err) == 0)) {
		CHECK_U64(cs.sections, 1);
		CHECK_U64(cs.shnum, 5);
		/* Big-endian: sh_info (offset 44) holds the program header count. */
		{
			const unsigned char *p = cs.buf + (cs.shoff - cs.base) + 44;

			CHECK_U64((uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3], 70000);
		}
		k2e_coresyms_release(&cs);
	}
	k2e_symtab_free(st);
}

TEST(coresyms_too_many_loads)
{
	size_t n = K2E_CORESYMS_MAX_LOADS + 10;
	Elf64_Phdr *v = calloc(n, sizeof(*v));
	struct k2e_loads ls = { .v = v, .n = n };
	struct k2e_symtab *st = k2e_symtab_new();
	struct k2e_coresyms cs = { 0 };
	struct k2e_err err;

	if (!CHECK(v && st))
		goto out;
	for (size_t i = 0; i < n; i++)
		v[i] = load(0xffffc90000000000 + i * 0x2000, 0x1000 + i * 0x1000, 0x1000);
	/* Symbols in two of them: only those two become sections. */
	CHECK(k2e_symtab_add(st, "a", 1, 'T', 0xffffc90000000000 + 7 * 0x2000 + 8, 0, -1) == 0);
	CHECK(k2e_symtab_add(st, "b", 1, 'T', 0xffffc90000000000 + (n - 1) * 0x2000, 0, -1) == 0);
	/* Between segments: in none. */
	CHECK(k2e_symtab_add(st, "c", 1, 'T', 0xffffc90000000000 + 0x1800, 0, -1) == 0);
	k2e_symtab_finish(st);
	if (CHECK(k2e_coresyms_build(&ls, n + 1, st, false, 0x1000, &cs, &err) == 0)) {
		CHECK_U64(cs.sections, 2);
		CHECK(strcmp(secname(&cs, 1), "load8") == 0);
		CHECKF(strcmp(secname(&cs, 2), "load65282") == 0, "%s", secname(&cs, 2));
		CHECK_U64(shdr(&cs, 0)->sh_info, 0);	/* n + 1 < PN_XNUM */
		k2e_coresyms_release(&cs);
	}
out:
	k2e_symtab_free(st);
	free(v);
}

/*
 * k2e_symtab_finish's sort (long runs kept, the rest sorted, pieces merged)
 * orders every shape as (region, address, insertion) does: sorted, reversed,
 * long runs with short disordered stretches between them (kallsyms then each
 * module), per-CPU symbols near 0 after the kernel's, random.
 */
TEST(symtab_sort_shapes)
{
	enum { N = 5000 };
	uint32_t seed = 12345;

	for (int shape = 0; shape < 5; shape++) {
		struct k2e_symtab *st = k2e_symtab_new();
		bool ordered = true;
		char name[32];

		if (!CHECK(st))
			return;
		for (size_t i = 0; i < N; i++) {
			uint64_t a;

			seed = seed * 1103515245u + 12345u;
			switch (shape) {
			case 0: a = 0xffffffff81000000 + 16 * i; break;
			case 1: a = 0xffffffff81000000 + 16 * (N - i); break;
			case 2: a = i % 700 < 600 ? 0xffffffff81000000 + 16 * i	/* runs */
						  : 0xffffffffc0000000 + (seed >> 8) % 4096; break;
			case 3: a = i < N / 2 ? 0xffffffff81000000 + 8 * i : 0x1000 + 8 * (i % 97); break;
			default: a = 0xffffffff81000000 + (seed >> 4) % 65536; break;
			}
			snprintf(name, sizeof(name), "s%zu", i);
			CHECK(k2e_symtab_add(st, name, strlen(name), 't', a, 0,
					     shape == 2 && i % 700 >= 600 ? (int32_t)(i / 700) : -1) == 0);
		}
		k2e_symtab_finish(st);
		CHECK_U64(st->n, N);
		for (size_t i = 1; i < st->n && ordered; i++) {
			const struct k2e_sym *x = &st->syms[i - 1], *y = &st->syms[i];
			int rx = x->module >= 0 ? 2 + x->module : x->addr < (1ULL << 32);
			int ry = y->module >= 0 ? 2 + y->module : y->addr < (1ULL << 32);

			ordered = rx < ry || (rx == ry && (x->addr < y->addr ||
							   (x->addr == y->addr && x->name < y->name)));
			CHECKF(ordered, "shape %d: symbols %zu and %zu out of order", shape, i - 1, i);
		}
		k2e_symtab_free(st);
	}
}
