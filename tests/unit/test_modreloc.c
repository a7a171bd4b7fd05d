/*
 * Unit tests of output/modreloc.c: a module object made here (sections at
 * 0 but one, as Linux 6.12's module link leaves .data) comes out with every
 * allocated section the dump names at its dump address, DWARF relocations
 * applied, symbols final and no relocation sections; what cannot be
 * relocated is an error.
 */
#include "tests/unit/harness.h"

#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/endian.h"
#include "output/modreloc.h"

enum { N_SECT = 11, DEBUG_LEN = 40 };

static const char shstr[] = "\0.text\0.init.text\0.data\0.modinfo\0.debug_info\0.rela.debug_info\0"
			    ".symtab\0.strtab\0.shstrtab\0.rela.text";
static const char str[] = "\0init_fn\0f\0printk\0d";

static uint32_t name_at(const char *tab, size_t len, const char *name)
{
	for (size_t i = 1; i < len; i++)
		if (strcmp(tab + i, name) == 0)
			return (uint32_t)i;
	abort();
}

static void put_sym(unsigned char *p, uint32_t name, unsigned char info, uint16_t shndx, uint64_t value)
{
	memset(p, 0, 24);
	k2e_put32le(p, name);
	p[4] = info;
	k2e_put16le(p + 6, shndx);
	k2e_put64le(p + 8, value);
}

static void put_rela(unsigned char *p, uint64_t off, uint32_t sym, uint32_t type, int64_t addend)
{
	k2e_put64le(p, off);
	k2e_put64le(p + 8, (uint64_t)sym << 32 | type);
	k2e_put64le(p + 16, (uint64_t)addend);
}

/*
 * The object: .text, .init.text, .data (sh_addr 0x60), .modinfo (not in
 * the dump), .debug_info with 5 relocations (a 6th of type extra_type at
 * extra_off when extra_type is not 0), and .rela.text with a type nobody
 * supports (its target is allocated: never applied).  Returns its size.
 */
static size_t make_obj(unsigned char *b, uint32_t extra_type, uint64_t extra_off)
{
	struct { const char *name; uint32_t type; uint64_t flags, addr, size, align; uint32_t link, info;
		 uint64_t entsize; } sh[N_SECT] = {
		{ 0 },
		{ ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0, 32, 16, 0, 0, 0 },
		{ ".init.text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0, 16, 16, 0, 0, 0 },
		{ ".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0x60, 8, 32, 0, 0, 0 },
		{ ".modinfo", SHT_PROGBITS, SHF_ALLOC, 0, 8, 1, 0, 0, 0 },
		{ ".debug_info", SHT_PROGBITS, 0, 0, DEBUG_LEN, 1, 0, 0, 0 },
		{ ".rela.debug_info", SHT_RELA, SHF_INFO_LINK, 0, 24 * (extra_type ? 6 : 5), 8, 7, 5, 24 },
		{ ".symtab", SHT_SYMTAB, 0, 0, 24 * 8, 8, 8, 5, 24 },
		{ ".strtab", SHT_STRTAB, 0, 0, sizeof(str), 1, 0, 0, 0 },
		{ ".shstrtab", SHT_STRTAB, 0, 0, sizeof(shstr), 1, 0, 0, 0 },
		{ ".rela.text", SHT_RELA, SHF_INFO_LINK, 0, 24, 8, 7, 1, 24 },
	};
	uint64_t off = 64, offs[N_SECT] = { 0 };
	unsigned char *p;

	memset(b, 0, 8192);
	for (int i = 1; i < N_SECT; i++) {
		off = (off + 7) & ~(uint64_t)7;
		offs[i] = off;
		off += sh[i].size;
	}
	memset(b + offs[1], 0xcc, 32);
	memset(b + offs[5], 0xaa, DEBUG_LEN);
	p = b + offs[6];
	put_rela(p, 0, 2, R_X86_64_64, 0x10);		/* .init.text + 0x10 */
	put_rela(p + 24, 8, 5, R_X86_64_64, 2);		/* f + 2 */
	put_rela(p + 48, 16, 3, R_X86_64_32, 0x22);	/* .debug_info + 0x22 */
	put_rela(p + 72, 20, 6, R_X86_64_64, 0);		/* printk: undefined */
	put_rela(p + 96, 28, 7, R_X86_64_64, 0);		/* d, in .data */
	if (extra_type)
		put_rela(p + 120, extra_off, 1, extra_type, 0);
	p = b + offs[7];
	put_sym(p, 0, 0, 0, 0);
	put_sym(p + 24, 0, ELF64_ST_INFO(STB_LOCAL, STT_SECTION), 1, 0);
	put_sym(p + 48, 0, ELF64_ST_INFO(STB_LOCAL, STT_SECTION), 2, 0);
	put_sym(p + 72, 0, ELF64_ST_INFO(STB_LOCAL, STT_SECTION), 5, 0);
	put_sym(p + 96, name_at(str, sizeof(str), "init_fn"), ELF64_ST_INFO(STB_LOCAL, STT_FUNC), 2, 0x10);
	put_sym(p + 120, name_at(str, sizeof(str), "f"), ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), 1, 0x10);
	put_sym(p + 144, name_at(str, sizeof(str), "printk"), ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE), 0, 0);
	put_sym(p + 168, name_at(str, sizeof(str), "d"), ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT), 3, 4);
	memcpy(b + offs[8], str, sizeof(str));
	memcpy(b + offs[9], shstr, sizeof(shstr));
	put_rela(b + offs[10], 0, 1, 9999, 0);
	off = (off + 7) & ~(uint64_t)7;
	memcpy(b, ELFMAG, SELFMAG);
	b[EI_CLASS] = ELFCLASS64;
	b[EI_DATA] = ELFDATA2LSB;
	b[EI_VERSION] = EV_CURRENT;
	k2e_put16le(b + 16, ET_REL);
	k2e_put16le(b + 18, EM_X86_64);
	k2e_put32le(b + 20, EV_CURRENT);
	k2e_put64le(b + 40, off);
	k2e_put16le(b + 52, 64);
	k2e_put16le(b + 58, 64);
	k2e_put16le(b + 60, N_SECT);
	k2e_put16le(b + 62, 9);
	for (int i = 1; i < N_SECT; i++) {
		unsigned char *h = b + off + 64 * (uint64_t)i;

		k2e_put32le(h, name_at(shstr, sizeof(shstr), sh[i].name));
		k2e_put32le(h + 4, sh[i].type);
		k2e_put64le(h + 8, sh[i].flags);
		k2e_put64le(h + 16, sh[i].addr);
		k2e_put64le(h + 24, offs[i]);
		k2e_put64le(h + 32, sh[i].size);
		k2e_put32le(h + 40, sh[i].link);
		k2e_put32le(h + 44, sh[i].info);
		k2e_put64le(h + 48, sh[i].align);
		k2e_put64le(h + 56, sh[i].entsize);
	}
	return off + 64 * N_SECT;
}

static struct k2e_section dump_sect[] = {
	{ ".text", 0xffffffffc0001000 },
	{ ".init.text", 0xffffffffc0005000 },
	{ ".data", 0xffffffffc0003000 },
	{ ".gnu.linkonce.this_module", 0xffffffffc0003040 },
};

/* Write the object to dir/name.ko, relocate it into dir/name.out; rc of k2e_modreloc_write. */
static int run(const char *dir, const char *name, uint32_t extra_type, uint64_t extra_off, uint16_t machine,
	       struct k2e_modreloc_stats *st, struct k2e_err *err)
{
	static unsigned char obj[8192];
	struct k2e_module m = { .sect = dump_sect, .n_sect = 4 };
	char ko[512], out[512];
	size_t len = make_obj(obj, extra_type, extra_off);
	int fd, rc;

	snprintf(m.name, sizeof(m.name), "%s", name);
	snprintf(ko, sizeof(ko), "%s/%s.ko", dir, name);
	snprintf(out, sizeof(out), "%s/%s.out", dir, name);
	fd = open(ko, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, obj, len) != (ssize_t)len)
		abort();
	close(fd);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		abort();
	rc = k2e_modreloc_write(fd, ko, &m, machine, st, err);
	close(fd);
	return rc;
}

static Elf_Scn *find_scn(Elf *e, const char *name, GElf_Shdr *sh)
{
	size_t shstrndx;
	Elf_Scn *s = NULL;

	elf_getshdrstrndx(e, &shstrndx);
	while ((s = elf_nextscn(e, s)))
		if (gelf_getshdr(s, sh) && strcmp(elf_strptr(e, shstrndx, sh->sh_name), name) == 0)
			return s;
	return NULL;
}

TEST(modreloc_places_and_relocates)
{
	char *dir = test_tmpdir(), out[512];
	struct k2e_modreloc_stats st = { 0 };
	struct k2e_err err;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	Elf_Scn *s;
	Elf *e;
	int fd;

	if (!CHECKF(run(dir, "good", 0, 0, EM_X86_64, &st, &err) == 0, "%s", err.msg))
		goto out;
	CHECK_U64(st.placed, 3);
	CHECK_U64(st.relocs, 4);
	CHECK_U64(st.unresolved, 1);
	snprintf(out, sizeof(out), "%s/good.out", dir);
	fd = open(out, O_RDONLY);
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!CHECK(e && gelf_getehdr(e, &eh)))
		goto out_fd;
	CHECK_U64(eh.e_type, ET_EXEC);
	CHECK_U64(eh.e_shnum, N_SECT - 2);	/* both relocation sections gone */
	CHECK(find_scn(e, ".rela.debug_info", &sh) == NULL);
	CHECK(find_scn(e, ".rela.text", &sh) == NULL);
	if (CHECK(find_scn(e, ".text", &sh))) {
		CHECK_U64(sh.sh_addr, 0xffffffffc0001000);
		CHECK_U64(sh.sh_type, SHT_NOBITS);
		CHECK_U64(sh.sh_size, 32);
	}
	if (CHECK(find_scn(e, ".data", &sh)))
		CHECK_U64(sh.sh_addr, 0xffffffffc0003000);	/* the dump's, not 0x60 */
	if (CHECK(find_scn(e, ".modinfo", &sh))) {
		CHECK_U64(sh.sh_addr, 0);
		CHECK(!(sh.sh_flags & SHF_ALLOC));
	}
	if (CHECK((s = find_scn(e, ".debug_info", &sh)))) {
		Elf_Data *d = elf_getdata(s, NULL);
		const unsigned char *p = d ? d->d_buf : NULL;

		if (CHECK(d && d->d_size == DEBUG_LEN)) {
			CHECK_U64(k2e_get64(p, false), 0xffffffffc0005010);
			CHECK_U64(k2e_get64(p + 8, false), 0xffffffffc0001012);
			CHECK_U64(k2e_get32(p + 16, false), 0x22);
			CHECK_U64(k2e_get64(p + 20, false), 0xaaaaaaaaaaaaaaaa);	/* undefined: left */
			CHECK_U64(k2e_get64(p + 28, false), 0xffffffffc0003004);
		}
	}
	if (CHECK((s = find_scn(e, ".symtab", &sh)))) {
		Elf_Data *d = elf_getdata(s, NULL);
		GElf_Shdr text;
		size_t text_ndx = elf_ndxscn(find_scn(e, ".text", &text));
		int seen = 0;

		for (size_t i = 0; d && i < sh.sh_size / 24; i++) {
			GElf_Sym sym;
			const char *n;

			if (!gelf_getsym(d, (int)i, &sym))
				continue;
			n = elf_strptr(e, sh.sh_link, sym.st_name);
			if (n && strcmp(n, "f") == 0) {
				CHECK_U64(sym.st_value, 0xffffffffc0001010);
				CHECK_U64(sym.st_shndx, text_ndx);
				seen++;
			} else if (n && strcmp(n, "init_fn") == 0) {
				CHECK_U64(sym.st_value, 0xffffffffc0005010);
				seen++;
			} else if (n && strcmp(n, "printk") == 0) {
				CHECK_U64(sym.st_shndx, SHN_UNDEF);
				seen++;
			}
		}
		CHECK_U64(seen, 3);
	}
	elf_end(e);
out_fd:
	close(fd);
out:
	test_rmdir(dir);
}

TEST(modreloc_refuses)
{
	char *dir = test_tmpdir();
	struct k2e_modreloc_stats st = { 0 };
	struct k2e_err err;

	CHECK(run(dir, "gotpc", R_X86_64_GOTPCREL, 0, EM_X86_64, &st, &err) < 0);
	CHECK_CONTAINS(err.msg, "section '.debug_info': relocation type 9 not supported");
	CHECK_CONTAINS(err.msg, "gotpc.ko");
	CHECK(run(dir, "outside", R_X86_64_64, DEBUG_LEN - 4, EM_X86_64, &st, &err) < 0);
	CHECK_CONTAINS(err.msg, "outside its 40 bytes");
	/* .text's address does not fit R_X86_64_32: an error, never a truncated address. */
	CHECK(run(dir, "trunc", R_X86_64_32, 0, EM_X86_64, &st, &err) < 0);
	CHECK_CONTAINS(err.msg, "does not fit 4 bytes");
	CHECK(run(dir, "arm", 0, 0, EM_AARCH64, &st, &err) < 0);
	CHECK_CONTAINS(err.msg, "machine 62, the dump's is 183");
	test_rmdir(dir);
}
