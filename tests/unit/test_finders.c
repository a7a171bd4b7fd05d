/*
 * Unit tests of the dumped kernel's one symbol lookup (kernel/syms.c) and
 * one type lookup (kernel/types.c) with each of their finders: VMCOREINFO,
 * a vmlinux (this test binary itself: its .symtab and, built with -g, its
 * DWARF), a symbol table, and BTF made here with libbpf.
 */
#include "tests/unit/harness.h"

#include <elf.h>
#include <stddef.h>
#include <stdlib.h>

#include <bpf/btf.h>

#include "kernel/kernel.h"
#include "kernel/symtab.h"
#include "kernel/vmlinux.h"

static int no_mem(void *mem, uint64_t va, void *buf, size_t len, struct k2e_err *err)
{
	(void)mem;
	(void)buf;
	(void)len;
	return k2e_err_set(err, "address 0x%llx is not in the dump", (unsigned long long)va);
}

static const struct k2e_mem_ops no_mem_ops = { .read_virt = no_mem };

static struct k2e_kernel *kernel_with(const char *vmcoreinfo)
{
	struct tbuf notes = { 0 };
	struct k2e_kernel_desc desc = { .machine = EM_X86_64, .is64 = true };
	struct k2e_kernel *k = NULL;
	struct k2e_err err;

	note_put(&notes, "VMCOREINFO", 0, vmcoreinfo, strlen(vmcoreinfo), false);
	desc.notes = notes.p;
	desc.notes_len = notes.len;
	CHECKF(k2e_kernel_new(&desc, &no_mem_ops, NULL, &k, &err) == 0, "%s", err.msg);
	tbuf_free(&notes);
	return k;
}

/* A struct this binary's DWARF describes. */
struct finder_probe {
	long a;
	struct {
		int inner_x;
		char *inner_p;
	} in;
	union {
		short anon_s;
	};
	unsigned char tail[24];
};

TEST(finders_symbols_in_order)
{
	struct k2e_kernel *k = kernel_with("KERNELOFFSET=1000\nSYMBOL(main)=ffffffff81000010\n");
	struct k2e_symtab *st = k2e_symtab_new();
	struct k2e_vmlinux *v = NULL;
	struct k2e_err err;
	uint64_t a, link;

	if (!k || !CHECK(st != NULL))
		return;
	/* VMCOREINFO only. */
	CHECK(k2e_kernel_symbol(k, "main", &a, &err) == 0);
	CHECK_U64(a, 0xffffffff81000010ULL);
	CHECK(k2e_kernel_symbol(k, "k2e_test_register", &a, &err) < 0);
	CHECK_CONTAINS(err.msg, "no symbol 'k2e_test_register' (in vmcoreinfo)");
	/* A vmlinux: link-time address plus KERNELOFFSET; VMCOREINFO still wins. */
	if (!CHECKF(k2e_vmlinux_open("/proc/self/exe", &v, &err) == 0, "%s", err.msg))
		goto out;
	k2e_kernel_use_vmlinux(k, v);
	CHECK(k2e_vmlinux_symbol(v, "k2e_test_register", &link) == 0);
	CHECK(k2e_kernel_symbol(k, "k2e_test_register", &a, &err) == 0);
	CHECK_U64(a, link + 0x1000);
	CHECK(k2e_kernel_symbol(k, "main", &a, &err) == 0);
	CHECK_U64(a, 0xffffffff81000010ULL);
	/* A table from kallsyms or a System.map: asked after the vmlinux. */
	CHECK(k2e_symtab_add(st, "only_in_table", 13, 'T', 0xffffffff82000000ULL, 0, -1) == 0);
	CHECK(k2e_symtab_add(st, "k2e_test_register", 17, 'T', 0x1234, 0, -1) == 0);
	k2e_symtab_finish(st);
	k2e_kernel_use_symtab(k, st);
	st = NULL;
	CHECK(k2e_kernel_symbol(k, "only_in_table", &a, &err) == 0);
	CHECK_U64(a, 0xffffffff82000000ULL);
	CHECK(k2e_kernel_symbol(k, "k2e_test_register", &a, &err) == 0);
	CHECK_U64(a, link + 0x1000);
	CHECK(k2e_kernel_symbol(k, "nowhere", &a, &err) < 0);
	CHECK_CONTAINS(err.msg, "(in vmcoreinfo, the vmlinux, the symbol table)");
out:
	k2e_kernel_free(k);
	k2e_vmlinux_free(v);
	k2e_symtab_free(st);
}

TEST(finders_types_vmcoreinfo_dwarf)
{
	struct k2e_kernel *k = kernel_with("OFFSET(finder_probe.a)=99\nSIZE(long)=8\n");
	struct k2e_vmlinux *v = NULL;
	struct k2e_member m;
	struct k2e_err err;
	uint64_t sz;
	volatile struct finder_probe keep = { 0 };	/* so the DWARF has the type */

	(void)keep;
	if (!k)
		return;
	CHECK(k2e_kernel_member(k, "finder_probe", "a", &m, &err) == 0);
	CHECK_U64(m.offset, 99);	/* VMCOREINFO: the dump's own word */
	CHECK(k2e_kernel_member(k, "finder_probe", "tail", &m, &err) < 0);
	CHECK_CONTAINS(err.msg, "no type information for struct finder_probe");
	CHECK(k2e_kernel_sizeof(k, "long", &sz, &err) == 0);
	CHECK_U64(sz, 8);
	if (!CHECKF(k2e_vmlinux_open("/proc/self/exe", &v, &err) == 0, "%s", err.msg))
		goto out;
	k2e_kernel_use_vmlinux(k, v);
	CHECK(k2e_kernel_member(k, "finder_probe", "a", &m, &err) == 0);
	CHECK_U64(m.offset, 99);
	CHECK(k2e_kernel_member(k, "finder_probe", "tail", &m, &err) == 0);
	CHECK_U64(m.offset, offsetof(struct finder_probe, tail));
	CHECK_U64(m.size, 24);
	CHECK(!m.is_pointer);
	CHECK(k2e_kernel_member(k, "finder_probe", "in.inner_p", &m, &err) == 0);
	CHECK_U64(m.offset, offsetof(struct finder_probe, in.inner_p));
	CHECK(m.is_pointer);
	CHECK_U64(m.size, sizeof(char *));
	CHECK(k2e_kernel_member(k, "finder_probe", "anon_s", &m, &err) == 0);
	CHECK_U64(m.offset, offsetof(struct finder_probe, anon_s));
	CHECK(k2e_kernel_sizeof(k, "finder_probe", &sz, &err) == 0);
	CHECK_U64(sz, sizeof(struct finder_probe));
	CHECK(k2e_kernel_member(k, "finder_probe", "nope", &m, &err) < 0);
	CHECK_CONTAINS(err.msg, "has no member nope");
out:
	k2e_kernel_free(k);
	k2e_vmlinux_free(v);
}

TEST(finders_types_btf)
{
	struct k2e_kernel *k = kernel_with("OSRELEASE=test\n");
	struct btf *b = btf__new_empty();
	struct k2e_member m;
	struct k2e_err err;
	uint64_t sz;
	int t_int, t_char, t_ptr, t_inner, t_anon;

	if (!k || !CHECK(b != NULL))
		goto out;
	t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	t_char = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	t_ptr = btf__add_ptr(b, t_char);
	t_inner = btf__add_struct(b, "inner", 16);
	btf__add_field(b, "x", t_int, 0, 0);
	btf__add_field(b, "p", t_ptr, 64, 0);
	t_anon = btf__add_union(b, NULL, 4);
	btf__add_field(b, "u", t_int, 0, 0);
	btf__add_struct(b, "outer", 40);
	btf__add_field(b, "head", t_int, 0, 0);
	btf__add_field(b, "in", t_inner, 64, 0);
	btf__add_field(b, NULL, t_anon, 192, 0);
	k2e_kernel_use_btf(k, b);
	CHECK(k2e_kernel_member(k, "outer", "in.p", &m, &err) == 0);
	CHECK_U64(m.offset, 16);
	CHECK(m.is_pointer);
	CHECK_U64(m.size, 8);
	CHECK(k2e_kernel_member(k, "outer", "u", &m, &err) == 0);	/* through the anonymous union */
	CHECK_U64(m.offset, 24);
	CHECK_U64(m.size, 4);
	CHECK(k2e_kernel_sizeof(k, "outer", &sz, &err) == 0);
	CHECK_U64(sz, 40);
	CHECK(k2e_kernel_member(k, "outer", "in.q", &m, &err) < 0);
	CHECK_CONTAINS(err.msg, "BTF struct 'outer' has no member 'in.q'");
	CHECK(k2e_kernel_member(k, "absent", "x", &m, &err) < 0);
	CHECK_CONTAINS(err.msg, "BTF has no struct 'absent'");
out:
	k2e_kernel_free(k);
	btf__free(b);
}
