/*
 * Unit tests of kernel/types-btf.c and btf/dwarf.c on BTF a dump may hold
 * and libbpf accepts: types that loop, names past the string section.
 * Found by tests/fuzz/fuzz_btf.c.
 */
#include "tests/unit/harness.h"

#include <stdio.h>
#include <stdlib.h>

#include <bpf/btf.h>

#include "btf/dwarf.h"
#include "kernel/symtab.h"
#include "kernel/types-btf.h"

/* struct a { int x; struct a; } and a typedef that names itself. */
TEST(btf_member_loops_end)
{
	struct btf *b = btf__new_empty();
	struct k2e_member m;
	struct k2e_err err;
	int t_int, t_a, t_loop, t_b;

	t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	t_a = btf__add_struct(b, "a", 8);
	CHECK(btf__add_field(b, "x", t_int, 0, 0) == 0);
	CHECK(btf__add_field(b, NULL, t_a, 32, 0) == 0);	/* anonymous: itself */
	t_loop = t_a + 1;
	CHECK(btf__add_typedef(b, "loop", t_loop) == t_loop);	/* typedef loop loop; */
	t_b = btf__add_struct(b, "b", 8);
	CHECK(btf__add_field(b, "y", t_int, 0, 0) == 0);
	CHECK(btf__add_field(b, NULL, t_loop, 32, 0) == 0);
	CHECK(t_b > 0);

	CHECK(k2e_btf_member(b, "a", "x", &m, &err) == 0);
	CHECK_U64(m.offset, 0);
	CHECK(k2e_btf_member(b, "a", "nothing", &m, &err) < 0);
	CHECK_CONTAINS(err.msg, "no member 'nothing'");
	CHECK(k2e_btf_member(b, "b", "y", &m, &err) == 0);
	CHECK(k2e_btf_member(b, "b", "nothing", &m, &err) < 0);
	btf__free(b);
}

/* Anonymous members two wide and 30 deep: 2^30 paths, a bounded search. */
TEST(btf_member_fan_out_is_bounded)
{
	struct btf *b = btf__new_empty();
	struct k2e_member m;
	struct k2e_err err;
	int t_int, prev;

	t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	prev = btf__add_struct(b, "leaf", 4);
	btf__add_field(b, "z", t_int, 0, 0);
	for (int i = 0; i < 30; i++) {
		char name[16];

		snprintf(name, sizeof(name), "s%d", i);
		prev = btf__add_struct(b, name, 8);
		btf__add_field(b, NULL, prev - 1, 0, 0);
		btf__add_field(b, NULL, prev - 1, 0, 0);
	}
	CHECK(k2e_btf_member(b, "s29", "nothing", &m, &err) < 0);
	CHECK(k2e_btf_member(b, "s29", "z", &m, &err) == 0);
	btf__free(b);
}

/* A struct named past the strings: libbpf 1.1 accepts it; DWARF is made all the same. */
TEST(btf_dwarf_name_past_strings)
{
	struct btf *b = btf__new_empty(), *bad;
	struct k2e_symtab *st = k2e_symtab_new();
	struct k2e_dwarf_out out;
	struct k2e_err err;
	const unsigned char *raw;
	unsigned char *copy;
	uint32_t len, hdr_len, type_off;
	int t_int;

	t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	btf__add_struct(b, "s", 4);
	btf__add_field(b, "x", t_int, 0, 0);
	raw = btf__raw_data(b, &len);
	copy = malloc(len);
	memcpy(copy, raw, len);
	memcpy(&hdr_len, copy + 4, 4);
	memcpy(&type_off, copy + 8, 4);
	/* Type 1 (int) is 16 bytes; type 2's name_off follows. */
	memcpy(copy + hdr_len + type_off + 16, &(uint32_t){ 0x7fff0000 }, 4);
	bad = btf__new(copy, len);
	k2e_symtab_finish(st);
	if (bad) {	/* libbpf 1.x: NULL on error */
		CHECK(k2e_dwarf_from_btf(bad, st, false, &out, &err) == 0);
		k2e_dwarf_out_release(&out);
		btf__free(bad);
	}
	k2e_symtab_free(st);
	free(copy);
	btf__free(b);
}
