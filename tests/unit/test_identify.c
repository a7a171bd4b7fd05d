/*
 * Unit tests of formats/identify.c: ELF files (read with libelf from a
 * regular file) and kdump split pieces (through the shared header layout).
 */
#include "tests/unit/harness.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/identify.h"
#include "formats/kdump-layout.h"

/* An ELF64 little-endian file of type `type` with one PT_NOTE holding a note named `name`. */
static void elf_with_note(struct tbuf *b, uint16_t type, const char *name, bool xnum)
{
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph = { 0 };
	Elf64_Shdr sh = { 0 };
	struct tbuf notes = { 0 };
	uint32_t desc = 42;

	if (name)
		note_put(&notes, name, 0, &desc, sizeof(desc), false);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = type;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = xnum ? PN_XNUM : 1;
	if (xnum) {
		eh.e_shoff = sizeof(eh) + sizeof(ph);
		eh.e_shentsize = sizeof(sh);
		eh.e_shnum = 0;
		sh.sh_info = 1;
	}
	ph.p_type = PT_NOTE;
	ph.p_offset = sizeof(eh) + sizeof(ph) + (xnum ? sizeof(sh) : 0);
	ph.p_filesz = notes.len;
	tbuf_put(b, &eh, sizeof(eh));
	tbuf_put(b, &ph, sizeof(ph));
	if (xnum)
		tbuf_put(b, &sh, sizeof(sh));
	tbuf_put(b, notes.p, notes.len);
	tbuf_free(&notes);
}

static enum k2e_ident_kind ident_of(const struct tbuf *b, const char **ret_format)
{
	struct k2e_ident r;
	struct k2e_err err;
	int fd = test_memfd(b->p, b->len);

	if (!CHECKF(k2e_identify_fd(fd, &r, &err) == 0, "%s", err.msg)) {
		close(fd);
		return (enum k2e_ident_kind)-1;
	}
	close(fd);
	if (ret_format)
		*ret_format = r.format;
	return r.kind;
}

TEST(identify_elf_by_its_notes)
{
	static const struct {
		uint16_t type;
		const char *note;
		bool xnum;
		enum k2e_ident_kind want;
	} c[] = {
		{ ET_CORE, "VMCOREINFO", false, K2E_IDENT_DUMP },
		{ ET_CORE, "QEMU", false, K2E_IDENT_DUMP },
		{ ET_CORE, "KDUMP2ELF", false, K2E_IDENT_K2E_CORE },
		{ ET_CORE, "CORE", false, K2E_IDENT_NOT_DUMP },	/* a process core */
		{ ET_CORE, NULL, false, K2E_IDENT_NOT_DUMP },
		{ ET_EXEC, "VMCOREINFO", false, K2E_IDENT_NOT_DUMP },
		{ ET_CORE, "VMCOREINFO", true, K2E_IDENT_DUMP },	/* PN_XNUM */
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct tbuf b = { 0 };
		const char *format = NULL;

		elf_with_note(&b, c[i].type, c[i].note, c[i].xnum);
		CHECKF(ident_of(&b, &format) == c[i].want, "case %zu", i);
		if (c[i].want == K2E_IDENT_DUMP)
			CHECK_STR(format, "elf");
		tbuf_free(&b);
	}
}

TEST(identify_truncated_elf_is_still_a_dump)
{
	struct tbuf b = { 0 };

	elf_with_note(&b, ET_CORE, "VMCOREINFO", false);
	b.len = 64 + 20;	/* the program header cut: opening it says what is wrong */
	CHECK_I64(ident_of(&b, NULL), K2E_IDENT_DUMP);
	tbuf_free(&b);
}

/* A kdump split piece: split flag and pfn range from the sub-header (64-bit, version 6). */
TEST(identify_kdump_piece)
{
	unsigned char *f = calloc(1, 4096 + KDUMP_SUBHDR_SIZE);
	const unsigned *o = k2e_subhdr_off[K2E_SUBHDR_64];
	struct tbuf b = { 0 };
	struct k2e_ident r;
	struct k2e_err err;
	uint64_t v;
	int fd;

	memcpy(f, "KDUMP   ", 8);
	f[DH_VERSION] = 6;
	memcpy(f + DH_MACHINE, "x86_64", 6);
	f[DH_STATUS_64 + DH_R_BLOCK_SIZE + 1] = 0x10;	/* 4096 */
	f[4096 + o[SH_SPLIT]] = 1;
	v = 0x1000;
	memcpy(f + 4096 + o[SH_START_PFN_64], &v, 8);
	v = 0x2000;
	memcpy(f + 4096 + o[SH_END_PFN_64], &v, 8);
	tbuf_put(&b, f, 4096 + KDUMP_SUBHDR_SIZE);
	fd = test_memfd(b.p, b.len);
	if (CHECKF(k2e_identify_fd(fd, &r, &err) == 0, "%s", err.msg)) {
		CHECK(r.kind == K2E_IDENT_PIECE);
		CHECK_STR(r.format, "kdump");
		CHECK_U64(r.start_pfn, 0x1000);
		CHECK_U64(r.end_pfn, 0x2000);
	}
	close(fd);
	tbuf_free(&b);
	free(f);
}
