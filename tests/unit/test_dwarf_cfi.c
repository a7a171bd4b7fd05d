/*
 * Unit tests of what OUT.sym carries for gdb, read back the way gdb reads
 * it, with libdw: the DWARF generated from BTF (btf/dwarf.c: a DIE walk
 * finds the types, members and functions) and the call-frame information
 * generated from ORC (output/orc.c: dwarf_getcfi on .debug_frame gives the
 * CFA and the saved registers the kernel's unwinder would use).
 */
#include "tests/unit/harness.h"

#include <dwarf.h>
#include <elf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "btf/dwarf.h"
#include "kernel/kernel.h"
#include "kernel/symtab.h"
#include "output/orc.h"

struct sect {
	const char *name;
	const void *data;
	size_t len;
};

/* An ELF64 x86_64 relocatable file in memory holding the sections (libelf). */
static int elf_with(const struct sect *s, size_t n)
{
	int fd = memfd_create("k2e-test-elf", MFD_CLOEXEC);
	Elf *e;
	Elf64_Ehdr *eh;
	Elf_Scn *str = NULL;
	Elf_Data *d;
	char names[512];
	size_t nl = 1, off[16];

	names[0] = '\0';
	elf_version(EV_CURRENT);
	if (fd < 0 || !(e = elf_begin(fd, ELF_C_WRITE, NULL)))
		return -1;
	eh = elf64_newehdr(e);
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_REL;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	for (size_t i = 0; i < n; i++) {
		off[i] = nl;
		nl += (size_t)snprintf(names + nl, sizeof(names) - nl, "%s", s[i].name) + 1;
	}
	off[n] = nl;
	nl += (size_t)snprintf(names + nl, sizeof(names) - nl, ".shstrtab") + 1;
	for (size_t i = 0; i <= n; i++) {
		Elf_Scn *scn = elf_newscn(e);
		Elf64_Shdr *sh = elf64_getshdr(scn);

		d = elf_newdata(scn);
		d->d_buf = i < n ? (void *)s[i].data : names;
		d->d_size = i < n ? s[i].len : nl;
		d->d_type = ELF_T_BYTE;
		d->d_align = 1;
		sh->sh_name = (Elf64_Word)off[i];
		sh->sh_type = i < n ? SHT_PROGBITS : SHT_STRTAB;
		if (i == n)
			str = scn;
	}
	eh->e_shstrndx = (Elf64_Half)elf_ndxscn(str);
	if (elf_update(e, ELF_C_WRITE) < 0) {
		elf_end(e);
		close(fd);
		return -1;
	}
	elf_end(e);
	return fd;
}

static const char *die_name(Dwarf_Die *d)
{
	const char *n = dwarf_diename(d);

	return n ? n : "";
}

static bool find_child(Dwarf_Die *parent, int tag, const char *name, Dwarf_Die *ret)
{
	if (dwarf_child(parent, ret) != 0)
		return false;
	do {
		if (dwarf_tag(ret) == tag && strcmp(die_name(ret), name) == 0)
			return true;
	} while (dwarf_siblingof(ret, ret) == 0);
	return false;
}

TEST(dwarf_from_btf_reads_back_with_libdw)
{
	struct btf *b = btf__new_empty();
	struct k2e_symtab *st = k2e_symtab_new();
	struct k2e_dwarf_out out = { 0 };
	struct k2e_err err;
	Dwarf *dw = NULL;
	Dwarf_Die cu, outer, m, sub, t;
	Dwarf_Word w;
	Dwarf_Addr lo, hi;
	Dwarf_Attribute a;
	int t_int, t_char, t_ptr, t_proto, fd = -1;

	if (!CHECK(b && st))
		goto out;
	t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	t_char = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	t_ptr = btf__add_ptr(b, t_char);
	btf__add_struct(b, "outer", 16);
	btf__add_field(b, "head", t_int, 0, 0);
	btf__add_field(b, "name", t_ptr, 64, 0);
	t_proto = btf__add_func_proto(b, t_int);
	btf__add_func_param(b, "arg", t_ptr);
	btf__add_func(b, "do_thing", BTF_FUNC_GLOBAL, t_proto);
	k2e_symtab_add(st, "do_thing", 8, 'T', 0xffffffff81001000ULL, 0x40, -1);
	k2e_symtab_add(st, "other", 5, 'T', 0xffffffff81001040ULL, 0x10, -1);
	k2e_symtab_finish(st);
	if (!CHECKF(k2e_dwarf_from_btf(b, st, false, &out, &err) == 0, "%s", err.msg))
		goto out;
	CHECK(out.dies > 0);
	{
		struct sect s[] = { { ".debug_info", out.info, out.info_len },
				    { ".debug_abbrev", out.abbrev, out.abbrev_len },
				    { ".debug_str", out.str, out.str_len } };

		fd = elf_with(s, 3);
	}
	if (!CHECK(fd >= 0) || !CHECK((dw = dwarf_begin(fd, DWARF_C_READ)) != NULL))
		goto out;
	{
		Dwarf_Off next;
		size_t hsize;

		if (!CHECK(dwarf_nextcu(dw, 0, &next, &hsize, NULL, NULL, NULL) == 0) ||
		    !CHECK(dwarf_offdie(dw, hsize, &cu) != NULL))
			goto out;
	}
	CHECK_U64(dwarf_tag(&cu), DW_TAG_compile_unit);
	if (CHECK(find_child(&cu, DW_TAG_structure_type, "outer", &outer))) {
		CHECK(dwarf_attr(&outer, DW_AT_byte_size, &a) && dwarf_formudata(&a, &w) == 0 && w == 16);
		if (CHECK(find_child(&outer, DW_TAG_member, "name", &m))) {
			CHECK(dwarf_attr(&m, DW_AT_data_member_location, &a) &&
			      dwarf_formudata(&a, &w) == 0 && w == 8);
			CHECK(dwarf_formref_die(dwarf_attr(&m, DW_AT_type, &a), &t) != NULL &&
			      dwarf_tag(&t) == DW_TAG_pointer_type);
		}
	}
	if (CHECK(find_child(&cu, DW_TAG_subprogram, "do_thing", &sub))) {
		CHECK(dwarf_lowpc(&sub, &lo) == 0 && lo == 0xffffffff81001000ULL);
		CHECK(dwarf_highpc(&sub, &hi) == 0 && hi == 0xffffffff81001040ULL);
		CHECK(find_child(&sub, DW_TAG_formal_parameter, "arg", &t));
	}
	CHECK(!find_child(&cu, DW_TAG_subprogram, "other", &sub));	/* no BTF prototype */
out:
	if (dw)
		dwarf_end(dw);
	if (fd >= 0)
		close(fd);
	k2e_dwarf_out_release(&out);
	k2e_symtab_free(st);
	btf__free(b);
}

/* Kernel memory for the ORC test: the ip table and the entries. */
enum { IP_TABLE = 0, ORC_TABLE = 1 };
static const uint64_t ip_va = 0xffffffff82000000ULL, orc_va = 0xffffffff82001000ULL;
static const uint64_t text = 0xffffffff81000000ULL;
static unsigned char ip_mem[16], orc_mem[24];

static int orc_read(void *mem, uint64_t va, void *buf, size_t len, struct k2e_err *err)
{
	(void)mem;
	if (va >= ip_va && va + len <= ip_va + sizeof(ip_mem))
		memcpy(buf, ip_mem + (va - ip_va), len);
	else if (va >= orc_va && va + len <= orc_va + sizeof(orc_mem))
		memcpy(buf, orc_mem + (va - orc_va), len);
	else
		return k2e_err_set(err, "address 0x%llx is not in the dump", (unsigned long long)va);
	return 0;
}

static const struct k2e_mem_ops orc_ops = { .read_virt = orc_read };

/* 6.1's struct orc_entry: sp_offset, bp_offset, sp_reg:4 bp_reg:4, type:2 end:1. */
static void orc_entry(unsigned char *e, int16_t sp_off, int16_t bp_off, unsigned sp_reg,
		      unsigned bp_reg, unsigned type, bool end)
{
	e[0] = (unsigned char)sp_off;
	e[1] = (unsigned char)((uint16_t)sp_off >> 8);
	e[2] = (unsigned char)bp_off;
	e[3] = (unsigned char)((uint16_t)bp_off >> 8);
	e[4] = (unsigned char)(sp_reg | bp_reg << 4);
	e[5] = (unsigned char)(type | (end ? 4 : 0));
}

/* The CFA rule at pc: register and offset, false unless it is "register + offset". */
static bool cfa_at(Dwarf_CFI *cfi, uint64_t pc, unsigned *ret_reg, int64_t *ret_off,
		   Dwarf_Frame **ret_frame)
{
	Dwarf_Frame *f;
	Dwarf_Op *ops;
	size_t n;

	if (dwarf_cfi_addrframe(cfi, pc, &f) != 0)
		return false;
	if (dwarf_frame_cfa(f, &ops, &n) != 0 || n != 1 || ops[0].atom != DW_OP_bregx) {
		free(f);
		return false;
	}
	*ret_reg = (unsigned)ops[0].number;
	*ret_off = (int64_t)ops[0].number2;
	*ret_frame = f;
	return true;
}

TEST(cfi_from_orc_reads_back_with_libdw)
{
	struct k2e_kernel_desc desc = { .machine = EM_X86_64, .is64 = true };
	struct k2e_kernel *k = NULL;
	struct k2e_symtab *st = k2e_symtab_new();
	struct k2e_orc_out o = { 0 };
	struct k2e_err err;
	Dwarf_CFI *cfi = NULL;
	Dwarf_Frame *f;
	Dwarf_Op mem[3], *ops;
	size_t n;
	unsigned reg;
	int64_t off;
	Dwarf *dw = NULL;
	int fd = -1;

	/* ip i is text + 0x40 i, stored relative to its own slot. */
	for (int i = 0; i < 4; i++) {
		int32_t rel = (int32_t)(text + 0x40ULL * (uint64_t)i - (ip_va + 4ULL * (uint64_t)i));

		memcpy(ip_mem + 4 * i, &rel, 4);
	}
	orc_entry(orc_mem, 8, 0, 5 /* SP */, 0, 0 /* CALL */, false);		/* on entry */
	orc_entry(orc_mem + 6, 16, -16, 5, 1 /* PREV_SP */, 0, false);	/* after push %rbp */
	orc_entry(orc_mem + 12, 0, 0, 0, 0, 0, true);			/* the end of the stack */
	orc_entry(orc_mem + 18, 8, 0, 5, 0, 0, false);			/* the next function */
	if (!CHECK(st != NULL) || !CHECK(k2e_kernel_new(&desc, &orc_ops, NULL, &k, &err) == 0))
		goto out;
	k2e_symtab_add(st, "__start_orc_unwind_ip", 21, 'D', ip_va, 0, -1);
	k2e_symtab_add(st, "__stop_orc_unwind_ip", 20, 'D', ip_va + sizeof(ip_mem), 0, -1);
	k2e_symtab_add(st, "__start_orc_unwind", 18, 'D', orc_va, 0, -1);
	k2e_symtab_finish(st);
	k2e_kernel_use_symtab(k, st);
	st = NULL;
	if (!CHECKF(k2e_orc_debug_frame(k, &o, &err) == 0, "%s", err.msg))
		goto out;
	CHECK(o.fdes >= 2);
	{
		struct sect s[] = { { ".debug_frame", o.frame, o.frame_len } };

		fd = elf_with(s, 1);
	}
	/* .debug_frame, as gdb reads it from OUT.sym (dwarf_getcfi_elf is for .eh_frame). */
	if (!CHECK(fd >= 0) || !CHECK((dw = dwarf_begin(fd, DWARF_C_READ)) != NULL) ||
	    !CHECK((cfi = dwarf_getcfi(dw)) != NULL))
		goto out;
	/* On entry: CFA = rsp + 8, the return address at CFA - 8. */
	if (CHECK(cfa_at(cfi, text + 4, &reg, &off, &f))) {
		CHECK_U64(reg, 7);
		CHECK_I64(off, 8);
		CHECK(dwarf_frame_register(f, 16, mem, &ops, &n) == 0 && n > 0);
		free(f);
	}
	/* After push %rbp: CFA = rsp + 16, rbp saved at CFA - 16. */
	if (CHECK(cfa_at(cfi, text + 0x44, &reg, &off, &f))) {
		CHECK_U64(reg, 7);
		CHECK_I64(off, 16);
		CHECK(dwarf_frame_register(f, 6, mem, &ops, &n) == 0 && n > 0);
		free(f);
	}
	/* The end of the stack: no return address. */
	if (CHECK(dwarf_cfi_addrframe(cfi, text + 0x84, &f) == 0)) {
		CHECK(dwarf_frame_register(f, 16, mem, &ops, &n) == 0 && n == 0 && ops == mem);	/* "undefined" */
		free(f);
	}
out:
	if (dw)
		dwarf_end(dw);
	if (fd >= 0)
		close(fd);
	free(o.frame);
	k2e_kernel_free(k);
	k2e_symtab_free(st);
}
