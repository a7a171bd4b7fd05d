/*
 * test_frames_arm64.c - the arm64 frame-record CFI (output/frames-arm64.h),
 * read back with libdw as gdb would read it: prologues and epilogues of the
 * shapes GCC gives the kernel (ftrace NOPs and PAC first), a leaf, a
 * function whose code is not in the dump, exception entry.
 */
#include "harness.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "output/frames-arm64.h"

static const uint64_t MASK = 0xffff000000000000ULL;
static const uint64_t BASE = 0xffff800008010000ULL;

/* An ELF64 file (in memory) with one .debug_frame section: bytes in *img. */
static Elf *elf_with_frame(const struct k2e_bytebuf *f, unsigned char **img)
{
	static const char shstr[] = "\0.debug_frame\0.shstrtab";
	size_t off_f = 64, off_s = off_f + f->len, off_sh = (off_s + sizeof(shstr) + 7) & ~(size_t)7;
	size_t len = off_sh + 3 * 64;
	unsigned char *p = calloc(1, len);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)p;
	Elf64_Shdr *sh;

	if (!p)
		return NULL;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_AARCH64;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = 64;
	eh->e_shentsize = 64;
	eh->e_shnum = 3;
	eh->e_shstrndx = 2;
	eh->e_shoff = off_sh;
	memcpy(p + off_f, f->p, f->len);
	memcpy(p + off_s, shstr, sizeof(shstr));
	sh = (Elf64_Shdr *)(p + off_sh);
	sh[1].sh_name = 1;
	sh[1].sh_type = SHT_PROGBITS;
	sh[1].sh_offset = off_f;
	sh[1].sh_size = f->len;
	sh[1].sh_addralign = 8;
	sh[2].sh_name = 14;
	sh[2].sh_type = SHT_STRTAB;
	sh[2].sh_offset = off_s;
	sh[2].sh_size = sizeof(shstr);
	sh[2].sh_addralign = 1;
	*img = p;
	elf_version(EV_CURRENT);
	return elf_memory((char *)p, len);
}

struct cfi_file {
	unsigned char *img;
	Elf *elf;
	Dwarf *dw;
	Dwarf_CFI *cfi;	/* owned by dw */
	struct k2e_a64_cfi c;
};

static bool cfi_open(struct cfi_file *f)
{
	if (!CHECK(!f->c.b.oom))
		return false;
	f->elf = elf_with_frame(&f->c.b, &f->img);
	if (!CHECK(f->elf != NULL))
		return false;
	/* .debug_frame is the Dwarf's CFI (dwarf_getcfi_elf() reads .eh_frame). */
	f->dw = dwarf_begin_elf(f->elf, DWARF_C_READ, NULL);
	if (!CHECKF(f->dw != NULL, "libdw: %s", dwarf_errmsg(-1)))
		return false;
	f->cfi = dwarf_getcfi(f->dw);
	return CHECKF(f->cfi != NULL, "libdw: %s", dwarf_errmsg(-1));
}

static void cfi_close(struct cfi_file *f)
{
	if (f->dw)
		dwarf_end(f->dw);
	if (f->elf)
		elf_end(f->elf);
	free(f->img);
	k2e_bytebuf_release(&f->c.b);
}

/* Code from instruction words. */
static void put_code(unsigned char *code, const uint32_t *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		code[4 * i] = (unsigned char)w[i];
		code[4 * i + 1] = (unsigned char)(w[i] >> 8);
		code[4 * i + 2] = (unsigned char)(w[i] >> 16);
		code[4 * i + 3] = (unsigned char)(w[i] >> 24);
	}
}

/*
 * What the table says at addr: CFA register and offset; for x19..x30 the
 * offset from the CFA where saved (0: in the register, 1: undefined).  x30
 * must be its value ORed with MASK: from memory (saved) or from x30 itself.
 */
struct got {
	int cfa_reg;
	int64_t cfa_off;
	int64_t at[31];
};

static bool row_at(Dwarf_CFI *cfi, uint64_t addr, struct got *g)
{
	Dwarf_Frame *fr;
	Dwarf_Op *ops, mem[3];
	size_t nops, i;
	int r;

	memset(g, 0, sizeof(*g));
	if (!CHECKF(dwarf_cfi_addrframe(cfi, addr, &fr) == 0, "0x%llx: %s",
		    (unsigned long long)addr, dwarf_errmsg(-1)))
		return false;
	if (CHECK(dwarf_frame_cfa(fr, &ops, &nops) == 0) && CHECK(nops == 1) &&
	    CHECK(ops[0].atom == DW_OP_bregx)) {
		g->cfa_reg = (int)ops[0].number;
		g->cfa_off = (int64_t)ops[0].number2;
	}
	for (r = 19; r <= 30; r++) {
		if (!CHECK(dwarf_frame_register(fr, r, mem, &ops, &nops) == 0))
			continue;
		/* libdw: no ops and a NULL pointer is "same value"; ops_mem is "undefined". */
		if (nops == 0) {
			g->at[r] = ops ? 1 : 0;
			continue;
		}
		if (r < 30) {
			if (CHECK(ops[0].atom == DW_OP_call_frame_cfa) && nops == 2 &&
			    CHECK(ops[1].atom == DW_OP_plus_uconst))
				g->at[r] = (int64_t)ops[1].number;
			continue;
		}
		/* x30: a value expression ending in "| MASK". */
		bool deref = false, masked = false;
		int64_t off = 0;

		for (i = 0; i < nops; i++) {
			if (ops[i].atom == DW_OP_deref)
				deref = true;
			if (ops[i].atom == DW_OP_consts)
				off = (int64_t)ops[i].number;
			if (ops[i].atom == DW_OP_const8u && ops[i].number == MASK && i + 1 < nops &&
			    ops[i + 1].atom == DW_OP_or)
				masked = true;
		}
		CHECKF(masked, "0x%llx: x30 is not masked", (unsigned long long)addr);
		g->at[r] = deref ? off : 0;
	}
	free(fr);
	return true;
}

#define EXPECT_ROW(cfi, addr, reg, off, ...)						\
	({										\
		struct got g_;								\
		static const int64_t want_[31] = { __VA_ARGS__ };			\
		if (row_at(cfi, addr, &g_)) {						\
			CHECKF(g_.cfa_reg == (reg) && g_.cfa_off == (off),		\
			       "0x%llx: CFA r%d%+lld", (unsigned long long)(addr),	\
			       g_.cfa_reg, (long long)g_.cfa_off);			\
			for (int r_ = 19; r_ <= 30; r_++)				\
				CHECKF(g_.at[r_] == want_[r_], "0x%llx: x%d at %lld, want %lld", \
				       (unsigned long long)(addr), r_, (long long)g_.at[r_], \
				       (long long)want_[r_]);				\
		}									\
	})

/* k2e_do_bad_write's shape: nop nop paciasp; stp x29, x30, [sp, #-48]!; ...; mov x29, sp. */
TEST(frames_arm64_pre_index_record)
{
	static const uint32_t w[] = {
		0xd503201f, 0xd503201f, 0xd503233f,	/* nop; nop; paciasp */
		0xa9bd7bfd,				/* 0c stp x29, x30, [sp, #-48]! */
		0xd5384103,				/* 10 mrs x3, sp_el0 */
		0x910003fd,				/* 14 mov x29, sp */
		0xf9000bf3,				/* 18 str x19, [sp, #16] */
		0xf9000013,				/* 1c str x19, [x0] */
		0xf9400bf3,				/* 20 ldr x19, [sp, #16] */
		0xa8c37bfd,				/* 24 ldp x29, x30, [sp], #48 */
		0xd50323bf,				/* 28 autiasp */
		0xd65f03c0,				/* 2c ret */
		0xaa0103e0,				/* 30 mov x0, x1 (body again) */
		0x94000000,				/* 34 bl */
	};
	unsigned char code[sizeof(w)];
	struct cfi_file f = { 0 };

	put_code(code, w, sizeof(w) / 4);
	k2e_a64_cfi_init(&f.c, false, MASK);
	k2e_a64_cfi_function(&f.c, BASE, BASE + sizeof(w), code, K2E_A64_CODE);
	CHECK_U64(f.c.fdes, 1);
	CHECK_U64(f.c.prologues, 1);
	if (!cfi_open(&f))
		goto out;
	EXPECT_ROW(f.cfi, BASE, 31, 0, 0);
	EXPECT_ROW(f.cfi, BASE + 0x0c, 31, 0, 0);
	EXPECT_ROW(f.cfi, BASE + 0x10, 31, 48, [29] = -48, [30] = -40);
	EXPECT_ROW(f.cfi, BASE + 0x14, 31, 48, [29] = -48, [30] = -40);
	EXPECT_ROW(f.cfi, BASE + 0x18, 29, 48, [29] = -48, [30] = -40);
	EXPECT_ROW(f.cfi, BASE + 0x1c, 29, 48, [19] = -32, [29] = -48, [30] = -40);
	EXPECT_ROW(f.cfi, BASE + 0x24, 29, 48, [19] = -32, [29] = -48, [30] = -40);
	EXPECT_ROW(f.cfi, BASE + 0x28, 31, 0, 0);
	EXPECT_ROW(f.cfi, BASE + 0x2c, 31, 0, 0);
	EXPECT_ROW(f.cfi, BASE + 0x30, 29, 48, [19] = -32, [29] = -48, [30] = -40);
	EXPECT_ROW(f.cfi, BASE + 0x34, 29, 48, [19] = -32, [29] = -48, [30] = -40);
out:
	cfi_close(&f);
}

/* vfs_write's shape: sub sp first, the record above the locals, add x29, sp, #96. */
TEST(frames_arm64_record_above_locals)
{
	static const uint32_t w[] = {
		0xd503201f, 0xd503201f, 0xd503233f,	/* nop; nop; paciasp */
		0xd10283ff,				/* 0c sub sp, sp, #0xa0 */
		0xd5384104,				/* 10 mrs x4, sp_el0 */
		0xa9067bfd,				/* 14 stp x29, x30, [sp, #96] */
		0x910183fd,				/* 18 add x29, sp, #0x60 */
		0xa90753f3,				/* 1c stp x19, x20, [sp, #112] */
		0xaa0003f4,				/* 20 mov x20, x0 */
		0x36081aa0,				/* 24 tbz w0, #1, ... */
		0xa9077bf3,				/* 28 stp x19, x30, [sp, #112]: not a save after a branch */
		0xa94753f3,				/* 2c ldp x19, x20, [sp, #112] */
		0xa9467bfd,				/* 30 ldp x29, x30, [sp, #96] */
		0x910283ff,				/* 34 add sp, sp, #0xa0 */
		0xd50323bf,				/* 38 autiasp */
		0xd65f03c0,				/* 3c ret */
		0xaa0103e0,				/* 40 mov x0, x1 */
	};
	unsigned char code[sizeof(w)];
	struct cfi_file f = { 0 };

	put_code(code, w, sizeof(w) / 4);
	k2e_a64_cfi_init(&f.c, false, MASK);
	k2e_a64_cfi_function(&f.c, BASE, BASE + sizeof(w), code, K2E_A64_CODE);
	if (!cfi_open(&f))
		goto out;
	EXPECT_ROW(f.cfi, BASE + 0x0c, 31, 0, 0);
	EXPECT_ROW(f.cfi, BASE + 0x10, 31, 160, 0);
	EXPECT_ROW(f.cfi, BASE + 0x18, 31, 160, [29] = -64, [30] = -56);
	EXPECT_ROW(f.cfi, BASE + 0x1c, 29, 64, [29] = -64, [30] = -56);
	EXPECT_ROW(f.cfi, BASE + 0x20, 29, 64, [19] = -48, [20] = -40, [29] = -64, [30] = -56);
	EXPECT_ROW(f.cfi, BASE + 0x2c, 29, 64, [19] = -48, [20] = -40, [29] = -64, [30] = -56);
	EXPECT_ROW(f.cfi, BASE + 0x34, 31, 160, [19] = -48, [20] = -40);
	EXPECT_ROW(f.cfi, BASE + 0x38, 31, 0, 0);
	EXPECT_ROW(f.cfi, BASE + 0x40, 29, 64, [19] = -48, [20] = -40, [29] = -64, [30] = -56);
out:
	cfi_close(&f);
}

/* A leaf keeps no record: the return address stays in x30, CFA = sp + its locals. */
TEST(frames_arm64_leaf_and_kinds)
{
	static const uint32_t w[] = {
		0xd10083ff,				/* 00 sub sp, sp, #32 */
		0xaa0103e0,				/* 04 mov x0, x1 */
		0x910083ff,				/* 08 add sp, sp, #32 */
		0xd65f03c0,				/* 0c ret */
	};
	unsigned char code[sizeof(w)];
	struct cfi_file f = { 0 };
	Dwarf_Frame *fr;
	Dwarf_Op *ops, mem[3];
	size_t nops;

	put_code(code, w, sizeof(w) / 4);
	k2e_a64_cfi_init(&f.c, false, MASK);
	k2e_a64_cfi_function(&f.c, BASE, BASE + sizeof(w), code, K2E_A64_CODE);
	k2e_a64_cfi_function(&f.c, BASE + 0x100, BASE + 0x180, NULL, K2E_A64_UNREAD);
	k2e_a64_cfi_function(&f.c, BASE + 0x200, BASE + 0x280, NULL, K2E_A64_END);
	CHECK_U64(f.c.fdes, 3);
	CHECK_U64(f.c.prologues, 0);
	if (!cfi_open(&f))
		goto out;
	EXPECT_ROW(f.cfi, BASE, 31, 0, 0);
	EXPECT_ROW(f.cfi, BASE + 4, 31, 32, 0);
	EXPECT_ROW(f.cfi, BASE + 0xc, 31, 0, 0);
	/* Not in the dump: the frame record's rule everywhere. */
	EXPECT_ROW(f.cfi, BASE + 0x100, 29, 16, [29] = -16, [30] = -8);
	EXPECT_ROW(f.cfi, BASE + 0x17c, 29, 16, [29] = -16, [30] = -8);
	/* Exception entry: the return address is undefined, the stack ends. */
	if (CHECK(dwarf_cfi_addrframe(f.cfi, BASE + 0x240, &fr) == 0)) {
		CHECK(dwarf_frame_register(fr, 30, mem, &ops, &nops) == 0 && ops == mem && nops == 0);
		free(fr);
	}
	/* Between FDEs: nothing. */
	CHECK(dwarf_cfi_addrframe(f.cfi, BASE + 0x190, &fr) != 0);
out:
	cfi_close(&f);
}

/* Shrink-wrapped: the frame is set up on one path only; the early exit keeps CFA = sp. */
TEST(frames_arm64_shrink_wrapped)
{
	static const uint32_t w[] = {
		0xb40000e0,				/* 00 cbz x0, 1c */
		0xa9bf7bfd,				/* 04 stp x29, x30, [sp, #-16]! */
		0x910003fd,				/* 08 mov x29, sp */
		0x94000000,				/* 0c bl */
		0xa8c17bfd,				/* 10 ldp x29, x30, [sp], #16 */
		0xd65f03c0,				/* 14 ret */
		0xaa0103e0,				/* 18 (reached by no branch) */
		0x52800020,				/* 1c mov w0, #1 */
		0xd65f03c0,				/* 20 ret */
	};
	unsigned char code[sizeof(w)];
	struct cfi_file f = { 0 };

	put_code(code, w, sizeof(w) / 4);
	k2e_a64_cfi_init(&f.c, false, MASK);
	k2e_a64_cfi_function(&f.c, BASE, BASE + sizeof(w), code, K2E_A64_CODE);
	if (!cfi_open(&f))
		goto out;
	EXPECT_ROW(f.cfi, BASE + 0x04, 31, 0, 0);
	EXPECT_ROW(f.cfi, BASE + 0x08, 31, 16, [29] = -16, [30] = -8);
	EXPECT_ROW(f.cfi, BASE + 0x0c, 29, 16, [29] = -16, [30] = -8);
	EXPECT_ROW(f.cfi, BASE + 0x14, 31, 0, 0);
	/* Not reached along a branch: the straight scan's body state. */
	EXPECT_ROW(f.cfi, BASE + 0x18, 29, 16, [29] = -16, [30] = -8);
	/* Reached from the entry by cbz: no frame. */
	EXPECT_ROW(f.cfi, BASE + 0x1c, 31, 0, 0);
	EXPECT_ROW(f.cfi, BASE + 0x20, 31, 0, 0);
out:
	cfi_close(&f);
}

/* A callee-saved register stored after an early exit is saved; one written first is not. */
TEST(frames_arm64_late_save)
{
	static const uint32_t w[] = {
		0xa9be7bfd,				/* 00 stp x29, x30, [sp, #-32]! */
		0x910003fd,				/* 04 mov x29, sp */
		0xb4000080,				/* 08 cbz x0, 18 */
		0xf9000bf3,				/* 0c str x19, [sp, #16] */
		0xaa0103f4,				/* 10 mov x20, x1 */
		0xf9000ff4,				/* 14 str x20, [sp, #24] */
		0xa8c27bfd,				/* 18 ldp x29, x30, [sp], #32 */
		0xd65f03c0,				/* 1c ret */
	};
	unsigned char code[sizeof(w)];
	struct cfi_file f = { 0 };

	put_code(code, w, sizeof(w) / 4);
	k2e_a64_cfi_init(&f.c, false, MASK);
	k2e_a64_cfi_function(&f.c, BASE, BASE + sizeof(w), code, K2E_A64_CODE);
	if (!cfi_open(&f))
		goto out;
	EXPECT_ROW(f.cfi, BASE + 0x0c, 29, 32, [29] = -32, [30] = -24);
	EXPECT_ROW(f.cfi, BASE + 0x10, 29, 32, [19] = -16, [29] = -32, [30] = -24);
	EXPECT_ROW(f.cfi, BASE + 0x18, 29, 32, [29] = -32, [30] = -24);	/* from the cbz */
	EXPECT_ROW(f.cfi, BASE + 0x1c, 31, 0, 0);
out:
	cfi_close(&f);
}

/* The CIE and FDEs are padded to 8 bytes. */
TEST(frames_arm64_padding)
{
	struct k2e_a64_cfi c;

	k2e_a64_cfi_init(&c, false, MASK);
	CHECK(c.b.len % 8 == 0 && c.b.len > 16);
	k2e_a64_cfi_function(&c, BASE, BASE + 8, (const unsigned char *)"\x1f\x20\x03\xd5\xc0\x03\x5f\xd6",
			     K2E_A64_CODE);
	CHECK(c.b.len % 8 == 0);
	CHECK(!c.b.oom);
	k2e_bytebuf_release(&c.b);
}
