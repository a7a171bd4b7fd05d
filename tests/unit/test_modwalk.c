/*
 * Unit tests of analysis/modules.c on hostile module lists, the cases its
 * fuzz target (tests/fuzz/fuzz_modules.c) found: each a small kernel with
 * its layouts in VMCOREINFO and a few regions of memory.
 */
#include "tests/unit/harness.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>

#include "analysis/modules.h"
#include "kernel/symtab.h"
#include "lib/endian.h"

struct region {
	uint64_t va;
	const unsigned char *data;
	size_t len;
};

struct fakemem {
	struct region r[8];
	size_t n;
};

static int fake_read(void *arg, uint64_t va, void *buf, size_t len, struct k2e_err *err)
{
	struct fakemem *m = arg;

	for (size_t i = 0; i < m->n; i++)
		if (va >= m->r[i].va && va - m->r[i].va <= m->r[i].len &&
		    len <= m->r[i].len - (va - m->r[i].va)) {
			memcpy(buf, m->r[i].data + (va - m->r[i].va), len);
			return 0;
		}
	return k2e_err_set(err, "address 0x%llx is not in the dump", (unsigned long long)va);
}

static const struct k2e_mem_ops fake_ops = { .read_virt = fake_read };

static const char layout[] =
	"OFFSET(module.list)=8\nOFFSET(module.name)=24\nOFFSET(module.sect_attrs)=80\n"
	"OFFSET(module.core_kallsyms)=88\nOFFSET(mod_kallsyms.symtab)=0\n"
	"OFFSET(mod_kallsyms.num_symtab)=8\nOFFSET(mod_kallsyms.strtab)=16\n"
	"OFFSET(module_sect_attrs.nsections)=0\nOFFSET(module_sect_attrs.attrs)=8\n"
	"OFFSET(module_sect_attr.battr.attr.name)=0\nOFFSET(module_sect_attr.address)=8\n"
	"SIZE(module_sect_attr)=16\n";

enum { HEAD = 0x1000, MOD = 0x2000, SYMS = 0x3000 };

static struct k2e_kernel *kernel_with(struct fakemem *m, const char *extra)
{
	struct tbuf notes = { 0 };
	char vmci[2048];
	struct k2e_kernel_desc desc = { .machine = EM_X86_64, .is64 = true };
	struct k2e_kernel *k = NULL;
	struct k2e_err err;

	snprintf(vmci, sizeof(vmci), "SYMBOL(modules)=%llx\n%s%s",
		 (unsigned long long)(0xffffffff80000000ULL + HEAD), layout, extra);
	note_put(&notes, "VMCOREINFO", 0, vmci, strlen(vmci), false);
	desc.notes = notes.p;
	desc.notes_len = notes.len;
	CHECKF(k2e_kernel_new(&desc, &fake_ops, m, &k, &err) == 0, "%s", err.msg);
	tbuf_free(&notes);
	return k;
}

/*
 * A string table whose first 256 bytes past the last name are not in the
 * dump and which starts in the middle of a page: shortening the read to a
 * page boundary would go below zero (it wrapped and wrote before the
 * buffer); the module's symbols are an error instead.
 */
TEST(modwalk_strtab_missing_mid_page)
{
	const uint64_t B = 0xffffffff80000000ULL;
	unsigned char head[16], mod[128] = { 0 }, syms[48] = { 0 };
	struct fakemem m = { .n = 3 };
	struct k2e_symtab *st = k2e_symtab_new();
	struct k2e_kernel *k;
	struct k2e_err err;

	k2e_put64(head, B + MOD + 8, false);
	k2e_put64(head + 8, B + MOD + 8, false);
	k2e_put64(mod + 8, B + HEAD, false);			/* list.next: back to the head */
	memcpy(mod + 24, "fuzzmod", 8);
	k2e_put64(mod + 88, B + SYMS, false);			/* symtab */
	k2e_put32(mod + 96, 2, false);				/* num_symtab */
	k2e_put64(mod + 104, B + 0x50100, false);		/* strtab: not in the dump */
	k2e_put32(syms + 24, 44, false);			/* st_name of symbol 1 */
	m.r[0] = (struct region){ B + HEAD, head, sizeof(head) };
	m.r[1] = (struct region){ B + MOD, mod, sizeof(mod) };
	m.r[2] = (struct region){ B + SYMS, syms, sizeof(syms) };
	k = kernel_with(&m, "");
	CHECK(k2e_modules_add_symbols(st, k, &err) < 0);
	CHECK_U64(st->n, 0);
	k2e_symtab_free(st);
	k2e_kernel_free(k);
}
