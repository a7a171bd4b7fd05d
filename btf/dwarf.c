/*
 * dwarf.c - BTF to DWARF 4 (see dwarf.h).
 *
 * The encoder is written here rather than with libdwarf's producer: we need
 * one compile unit, a fixed abbreviation table of about forty entries and
 * forward references patched after the fact, which is a few hundred lines
 * of byte pushing; the producer API would add a dependency, its own
 * object model to translate into, and no help with the hard part (mapping
 * BTF kinds to DIEs).
 *
 * Every BTF type id gets one DIE (TYPE_TAG, DECL_TAG, FUNC, VAR and DATASEC
 * ids get none: references to a TYPE_TAG go to what it tags).  References
 * are DW_FORM_ref4, written as zero and patched once every DIE has its
 * offset.  Names are DW_FORM_strp into a deduplicated .debug_str.
 */
#include "btf/dwarf.h"

#include "lib/bytebuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

/* DWARF 4 constants (DWARF Debugging Information Format, version 4, 7.5). */
enum {
	TAG_array = 0x01, TAG_enumeration = 0x04, TAG_formal_parameter = 0x05, TAG_member = 0x0d,
	TAG_pointer = 0x0f, TAG_compile_unit = 0x11, TAG_structure = 0x13, TAG_subroutine = 0x15,
	TAG_typedef = 0x16, TAG_union = 0x17, TAG_unspecified_parameters = 0x18, TAG_subrange = 0x21,
	TAG_base = 0x24, TAG_const = 0x26, TAG_enumerator = 0x28, TAG_subprogram = 0x2e,
	TAG_variable = 0x34, TAG_volatile = 0x35, TAG_restrict = 0x37,
	AT_location = 0x02, AT_name = 0x03, AT_byte_size = 0x0b, AT_low_pc = 0x11, AT_high_pc = 0x12,
	AT_language = 0x13, AT_producer = 0x25, AT_prototyped = 0x27, AT_count = 0x37,
	AT_data_member_location = 0x38, AT_declaration = 0x3c, AT_encoding = 0x3e,
	AT_external = 0x3f, AT_type = 0x49, AT_const_value = 0x1c, AT_data_bit_offset = 0x6b,
	AT_bit_size = 0x0d,
	FORM_addr = 0x01, FORM_data1 = 0x0b, FORM_data2 = 0x05, FORM_data4 = 0x06,
	FORM_data8 = 0x07, FORM_sdata = 0x0d, FORM_udata = 0x0f, FORM_strp = 0x0e,
	FORM_ref4 = 0x13, FORM_flag_present = 0x19, FORM_exprloc = 0x18,
	ATE_boolean = 0x02, ATE_float = 0x04, ATE_signed = 0x05, ATE_signed_char = 0x06,
	ATE_unsigned = 0x07, ATE_unsigned_char = 0x08,
	LANG_C99 = 0x0c, OP_addr = 0x03,
};

/* Abbreviation codes; the table below defines them in this order. */
enum {
	A_CU = 1, A_BASE, A_PTR, A_PTR_VOID, A_STRUCT, A_STRUCT_ANON, A_UNION, A_UNION_ANON,
	A_MEMBER, A_MEMBER_ANON, A_BITFIELD, A_STRUCT_DECL, A_UNION_DECL, A_ENUM, A_ENUM_ANON,
	A_ENUMERATOR, A_ENUMERATOR_U, A_TYPEDEF, A_TYPEDEF_VOID, A_CONST, A_CONST_VOID,
	A_VOLATILE, A_VOLATILE_VOID, A_RESTRICT, A_RESTRICT_VOID, A_ARRAY, A_SUBRANGE,
	A_PROTO, A_PROTO_VOID, A_PARAM, A_VARARGS, A_SUBPROGRAM, A_SUBPROGRAM_VOID, A_PARAM_NAMED,
	A_VARIABLE, A_ENUM_DECL, A_STRUCT_EMPTY, A_PROTO_EMPTY, A_PROTO_VOID_EMPTY,
	A_SUBPROGRAM_EMPTY, A_SUBPROGRAM_VOID_EMPTY,
};

struct abbrev {
	uint16_t tag;
	bool children;
	uint16_t at[12];	/* attribute, form pairs; 0-terminated */
};

#define T AT_type, FORM_ref4
#define N AT_name, FORM_strp
static const struct abbrev abbrevs[] = {
	[A_CU] = { TAG_compile_unit, true, { N, AT_producer, FORM_strp, AT_language, FORM_data2,
					      AT_low_pc, FORM_addr, AT_high_pc, FORM_data8 } },
	[A_BASE] = { TAG_base, false, { N, AT_encoding, FORM_data1, AT_byte_size, FORM_data1 } },
	[A_PTR] = { TAG_pointer, false, { AT_byte_size, FORM_data1, T } },
	[A_PTR_VOID] = { TAG_pointer, false, { AT_byte_size, FORM_data1 } },
	[A_STRUCT] = { TAG_structure, true, { N, AT_byte_size, FORM_udata } },
	[A_STRUCT_ANON] = { TAG_structure, true, { AT_byte_size, FORM_udata } },
	[A_UNION] = { TAG_union, true, { N, AT_byte_size, FORM_udata } },
	[A_UNION_ANON] = { TAG_union, true, { AT_byte_size, FORM_udata } },
	[A_MEMBER] = { TAG_member, false, { N, T, AT_data_member_location, FORM_udata } },
	[A_MEMBER_ANON] = { TAG_member, false, { T, AT_data_member_location, FORM_udata } },
	[A_BITFIELD] = { TAG_member, false, { N, T, AT_data_bit_offset, FORM_udata,
					      AT_bit_size, FORM_data1 } },
	[A_STRUCT_DECL] = { TAG_structure, false, { N, AT_declaration, FORM_flag_present } },
	[A_UNION_DECL] = { TAG_union, false, { N, AT_declaration, FORM_flag_present } },
	[A_ENUM] = { TAG_enumeration, true, { N, AT_byte_size, FORM_data1 } },
	[A_ENUM_ANON] = { TAG_enumeration, true, { AT_byte_size, FORM_data1 } },
	[A_ENUMERATOR] = { TAG_enumerator, false, { N, AT_const_value, FORM_sdata } },
	[A_ENUMERATOR_U] = { TAG_enumerator, false, { N, AT_const_value, FORM_udata } },
	[A_TYPEDEF] = { TAG_typedef, false, { N, T } },
	[A_TYPEDEF_VOID] = { TAG_typedef, false, { N } },
	[A_CONST] = { TAG_const, false, { T } },
	[A_CONST_VOID] = { TAG_const, false, { 0 } },
	[A_VOLATILE] = { TAG_volatile, false, { T } },
	[A_VOLATILE_VOID] = { TAG_volatile, false, { 0 } },
	[A_RESTRICT] = { TAG_restrict, false, { T } },
	[A_RESTRICT_VOID] = { TAG_restrict, false, { 0 } },
	[A_ARRAY] = { TAG_array, true, { T } },
	[A_SUBRANGE] = { TAG_subrange, false, { AT_count, FORM_udata } },
	[A_PROTO] = { TAG_subroutine, true, { T, AT_prototyped, FORM_flag_present } },
	[A_PROTO_VOID] = { TAG_subroutine, true, { AT_prototyped, FORM_flag_present } },
	[A_PARAM] = { TAG_formal_parameter, false, { T } },
	[A_VARARGS] = { TAG_unspecified_parameters, false, { 0 } },
	[A_SUBPROGRAM] = { TAG_subprogram, true, { N, AT_low_pc, FORM_addr, AT_high_pc, FORM_data8,
						   T, AT_prototyped, FORM_flag_present } },
	[A_SUBPROGRAM_VOID] = { TAG_subprogram, true, { N, AT_low_pc, FORM_addr, AT_high_pc,
							FORM_data8, AT_prototyped, FORM_flag_present } },
	[A_PARAM_NAMED] = { TAG_formal_parameter, false, { N, T } },
	[A_VARIABLE] = { TAG_variable, false, { N, T, AT_external, FORM_flag_present,
						AT_location, FORM_exprloc } },
	[A_ENUM_DECL] = { TAG_enumeration, false, { N, AT_declaration, FORM_flag_present } },
	[A_STRUCT_EMPTY] = { TAG_structure, false, { N, AT_byte_size, FORM_udata } },
	[A_PROTO_EMPTY] = { TAG_subroutine, false, { T, AT_prototyped, FORM_flag_present } },
	[A_PROTO_VOID_EMPTY] = { TAG_subroutine, false, { AT_prototyped, FORM_flag_present } },
	[A_SUBPROGRAM_EMPTY] = { TAG_subprogram, false, { N, AT_low_pc, FORM_addr, AT_high_pc,
							  FORM_data8, T, AT_prototyped,
							  FORM_flag_present } },
	[A_SUBPROGRAM_VOID_EMPTY] = { TAG_subprogram, false, { N, AT_low_pc, FORM_addr, AT_high_pc,
								FORM_data8, AT_prototyped,
								FORM_flag_present } },
};
#undef T
#undef N

/* A string table with an open-addressing hash for deduplication. */
struct strtab {
	struct k2e_bytebuf b;
	uint32_t *slots;	/* offset + 1, 0 empty */
	size_t n_slots, used;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static uint32_t str_off(struct strtab *t, const char *s)
{
	size_t i;

	if (t->used * 2 >= t->n_slots) {
		size_t n = t->n_slots ? t->n_slots * 2 : 1 << 16;
		uint32_t *slots = calloc(n, sizeof(*slots));

		if (!slots) {
			t->b.oom = true;
			return 0;
		}
		for (i = 0; i < t->n_slots; i++) {
			if (t->slots[i]) {
				size_t j = hash((char *)t->b.p + t->slots[i] - 1) & (n - 1);

				while (slots[j])
					j = (j + 1) & (n - 1);
				slots[j] = t->slots[i];
			}
		}
		free(t->slots);
		t->slots = slots;
		t->n_slots = n;
	}
	for (i = hash(s) & (t->n_slots - 1); t->slots[i]; i = (i + 1) & (t->n_slots - 1))
		if (strcmp((char *)t->b.p + t->slots[i] - 1, s) == 0)
			return t->slots[i] - 1;
	if (t->b.oom)
		return 0;
	uint32_t off = (uint32_t)t->b.len;

	k2e_bytebuf_put(&t->b, s, strlen(s) + 1);
	t->slots[i] = off + 1;
	t->used++;
	return off;
}

struct gen {
	const struct btf *btf;
	struct k2e_bytebuf info;
	struct strtab str;
	uint32_t *die_of;	/* DIE offset per type id, 0: none */
	struct patch {
		size_t at;
		uint32_t id;
	} *patches;
	size_t n_patches, cap_patches;
	uint32_t n_types;
	size_t dies;
};

static void name(struct gen *g, const char *s)
{
	k2e_bytebuf_uint(&g->info, str_off(&g->str, s), 4);
}

/* TYPE_TAG is transparent; everything else is its own DIE. */
static uint32_t resolve(const struct gen *g, uint32_t id)
{
	for (int depth = 0; id && depth < 64; depth++) {
		const struct btf_type *t = btf__type_by_id(g->btf, id);

		if (!t || !btf_is_type_tag(t))
			break;
		id = t->type;
	}
	return id;
}

static void ref(struct gen *g, uint32_t id)
{
	if (g->n_patches == g->cap_patches) {
		size_t cap = g->cap_patches ? g->cap_patches * 2 : 1 << 16;
		struct patch *p = realloc(g->patches, cap * sizeof(*p));

		if (!p) {
			g->info.oom = true;
			return;
		}
		g->patches = p;
		g->cap_patches = cap;
	}
	g->patches[g->n_patches++] = (struct patch){ g->info.len, resolve(g, id) };
	k2e_bytebuf_uint(&g->info, 0, 4);
}

static void die(struct gen *g, unsigned code)
{
	k2e_bytebuf_uleb(&g->info, code);
	g->dies++;
}

static void end_children(struct gen *g)
{
	k2e_bytebuf_uleb(&g->info, 0);
}

static const char *tname(const struct gen *g, const struct btf_type *t)
{
	const char *s = btf__name_by_offset(g->btf, t->name_off);

	return s ? s : "";
}

static void emit_params(struct gen *g, const struct btf_type *proto, bool named)
{
	const struct btf_param *p = btf_params(proto);
	int n = btf_vlen(proto);

	for (int i = 0; i < n; i++) {
		if (i == n - 1 && p[i].type == 0) {	/* "..." */
			die(g, A_VARARGS);
			continue;
		}
		const char *pn = btf__name_by_offset(g->btf, p[i].name_off);

		if (named && pn && *pn) {
			die(g, A_PARAM_NAMED);
			name(g, pn);
		} else {
			die(g, A_PARAM);
		}
		ref(g, p[i].type);
	}
}

static void emit_type(struct gen *g, uint32_t id, unsigned ptr_size)
{
	const struct btf_type *t = btf__type_by_id(g->btf, id);
	const char *nm = tname(g, t);
	int i, n = btf_vlen(t);

	switch (btf_kind(t)) {
	case BTF_KIND_INT: {
		unsigned enc = btf_int_encoding(t), ate;

		if (enc & BTF_INT_BOOL)
			ate = ATE_boolean;
		else if (enc & BTF_INT_CHAR || (t->size == 1 && strstr(nm, "char")))
			ate = enc & BTF_INT_SIGNED ? ATE_signed_char : ATE_unsigned_char;
		else
			ate = enc & BTF_INT_SIGNED ? ATE_signed : ATE_unsigned;
		g->die_of[id] = (uint32_t)g->info.len;
		die(g, A_BASE);
		name(g, nm);
		k2e_bytebuf_uint(&g->info, ate, 1);
		k2e_bytebuf_uint(&g->info, t->size, 1);
		return;
	}
	case BTF_KIND_FLOAT:
		g->die_of[id] = (uint32_t)g->info.len;
		die(g, A_BASE);
		name(g, nm);
		k2e_bytebuf_uint(&g->info, ATE_float, 1);
		k2e_bytebuf_uint(&g->info, t->size, 1);
		return;
	case BTF_KIND_PTR:
		g->die_of[id] = (uint32_t)g->info.len;
		die(g, resolve(g, t->type) ? A_PTR : A_PTR_VOID);
		k2e_bytebuf_uint(&g->info, ptr_size, 1);
		if (resolve(g, t->type))
			ref(g, t->type);
		return;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		bool st = btf_is_struct(t);
		const struct btf_member *m = btf_members(t);

		g->die_of[id] = (uint32_t)g->info.len;
		if (n == 0 && *nm) {
			die(g, A_STRUCT_EMPTY);
			name(g, nm);
			k2e_bytebuf_uleb(&g->info, t->size);
			return;
		}
		die(g, *nm ? (st ? A_STRUCT : A_UNION) : (st ? A_STRUCT_ANON : A_UNION_ANON));
		if (*nm)
			name(g, nm);
		k2e_bytebuf_uleb(&g->info, t->size);
		for (i = 0; i < n; i++, m++) {
			const char *mn = btf__name_by_offset(g->btf, m->name_off);
			uint32_t bits = btf_member_bit_offset(t, (uint32_t)i);
			uint32_t bsize = btf_member_bitfield_size(t, (uint32_t)i);

			if (bsize) {
				if (!mn || !*mn)
					continue;	/* unnamed padding bitfield */
				die(g, A_BITFIELD);
				name(g, mn);
				ref(g, m->type);
				k2e_bytebuf_uleb(&g->info, bits);
				k2e_bytebuf_uint(&g->info, bsize, 1);
			} else if (mn && *mn) {
				die(g, A_MEMBER);
				name(g, mn);
				ref(g, m->type);
				k2e_bytebuf_uleb(&g->info, bits / 8);
			} else {
				die(g, A_MEMBER_ANON);
				ref(g, m->type);
				k2e_bytebuf_uleb(&g->info, bits / 8);
			}
		}
		end_children(g);
		return;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: {
		bool is_signed = btf_kflag(t);

		g->die_of[id] = (uint32_t)g->info.len;
		die(g, *nm ? A_ENUM : A_ENUM_ANON);
		if (*nm)
			name(g, nm);
		k2e_bytebuf_uint(&g->info, t->size, 1);
		for (i = 0; i < n; i++) {
			const char *en;
			uint64_t v;

			if (btf_is_enum(t)) {
				en = btf__name_by_offset(g->btf, btf_enum(t)[i].name_off);
				v = is_signed ? (uint64_t)(int64_t)btf_enum(t)[i].val
					      : (uint32_t)btf_enum(t)[i].val;
			} else {
				en = btf__name_by_offset(g->btf, btf_enum64(t)[i].name_off);
				v = btf_enum64_value(&btf_enum64(t)[i]);
			}
			die(g, is_signed ? A_ENUMERATOR : A_ENUMERATOR_U);
			name(g, en ? en : "");
			if (is_signed)
				k2e_bytebuf_sleb(&g->info, (int64_t)v);
			else
				k2e_bytebuf_uleb(&g->info, v);
		}
		end_children(g);
		return;
	}
	case BTF_KIND_FWD:
		g->die_of[id] = (uint32_t)g->info.len;
		die(g, btf_kflag(t) ? A_UNION_DECL : A_STRUCT_DECL);
		name(g, nm);
		return;
	case BTF_KIND_TYPEDEF:
		g->die_of[id] = (uint32_t)g->info.len;
		die(g, resolve(g, t->type) ? A_TYPEDEF : A_TYPEDEF_VOID);
		name(g, nm);
		if (resolve(g, t->type))
			ref(g, t->type);
		return;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT: {
		unsigned k = btf_kind(t) == BTF_KIND_CONST ? A_CONST
			     : btf_kind(t) == BTF_KIND_VOLATILE ? A_VOLATILE : A_RESTRICT;

		g->die_of[id] = (uint32_t)g->info.len;
		die(g, resolve(g, t->type) ? k : k + 1);
		if (resolve(g, t->type))
			ref(g, t->type);
		return;
	}
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);

		g->die_of[id] = (uint32_t)g->info.len;
		die(g, A_ARRAY);
		ref(g, a->type);
		die(g, A_SUBRANGE);
		k2e_bytebuf_uleb(&g->info, a->nelems);
		end_children(g);
		return;
	}
	case BTF_KIND_FUNC_PROTO:
		g->die_of[id] = (uint32_t)g->info.len;
		if (n == 0) {
			die(g, t->type ? A_PROTO_EMPTY : A_PROTO_VOID_EMPTY);
			if (t->type)
				ref(g, t->type);
			return;
		}
		die(g, t->type ? A_PROTO : A_PROTO_VOID);
		if (t->type)
			ref(g, t->type);
		emit_params(g, t, false);
		end_children(g);
		return;
	default:	/* FUNC, VAR, DATASEC, DECL_TAG, TYPE_TAG: no DIE of their own */
		return;
	}
}

/* name -> BTF FUNC/VAR id, for matching kallsyms symbols. */
struct name_map {
	uint32_t *slots;	/* type id, 0 empty */
	size_t n;
};

static int map_build(const struct btf *btf, uint32_t n_types, int kind, struct name_map *m)
{
	size_t want = 1;

	while (want < 2 * (size_t)n_types)
		want *= 2;
	if (!(m->slots = calloc(want, sizeof(*m->slots))))
		return -1;
	m->n = want;
	for (uint32_t id = 1; id < n_types; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (btf_kind(t) != kind)
			continue;
		const char *nm = btf__name_by_offset(btf, t->name_off);

		if (!nm)
			continue;	/* a name past the strings (libbpf 1.1 lets it through) */
		size_t i = hash(nm) & (want - 1);

		while (m->slots[i])
			i = (i + 1) & (want - 1);
		m->slots[i] = id;
	}
	return 0;
}

static uint32_t map_find(const struct btf *btf, const struct name_map *m, const char *nm)
{
	for (size_t i = hash(nm) & (m->n - 1); m->slots[i]; i = (i + 1) & (m->n - 1)) {
		const struct btf_type *t = btf__type_by_id(btf, m->slots[i]);

		const char *tn = btf__name_by_offset(btf, t->name_off);

		if (tn && strcmp(tn, nm) == 0)
			return m->slots[i];
	}
	return 0;
}

static void emit_functions(struct gen *g, const struct k2e_symtab *st, const struct name_map *m)
{
	for (size_t i = 0; i < st->n; i++) {
		const struct k2e_sym *s = &st->syms[i];
		const struct btf_type *fn, *proto;
		uint32_t id;

		if (s->module >= 0 || !k2e_sym_is_text(s->type) || s->size == 0)
			continue;
		if (!(id = map_find(g->btf, m, k2e_sym_name(st, s))))
			continue;
		fn = btf__type_by_id(g->btf, id);
		proto = btf__type_by_id(g->btf, fn->type);
		if (!proto || !btf_is_func_proto(proto))
			continue;
		bool empty = btf_vlen(proto) == 0;

		die(g, proto->type ? (empty ? A_SUBPROGRAM_EMPTY : A_SUBPROGRAM)
				   : (empty ? A_SUBPROGRAM_VOID_EMPTY : A_SUBPROGRAM_VOID));
		name(g, k2e_sym_name(st, s));
		k2e_bytebuf_uint(&g->info, s->addr, 8);
		k2e_bytebuf_uint(&g->info, s->size, 8);
		if (proto->type)
			ref(g, proto->type);
		if (!empty) {
			emit_params(g, proto, true);
			end_children(g);
		}
	}
}

static void emit_variables(struct gen *g, const struct k2e_symtab *st)
{
	for (uint32_t id = 1; id < g->n_types; id++) {
		const struct btf_type *t = btf__type_by_id(g->btf, id);
		const struct k2e_sym *s;

		if (!btf_is_var(t))
			continue;
		if (!(s = k2e_symtab_find(st, tname(g, t), NULL)))
			continue;
		die(g, A_VARIABLE);
		name(g, tname(g, t));
		ref(g, t->type);
		k2e_bytebuf_uleb(&g->info, 9);
		k2e_bytebuf_uint(&g->info, OP_addr, 1);
		k2e_bytebuf_uint(&g->info, s->addr, 8);
	}
}

/*
 * Ordinary globals have no BTF VAR (BTF describes only the per-CPU ones), so
 * a vmlinux data symbol (kallsyms d/D, b/B, r/R) without one is given a type
 * by its name, when these rules find a BTF struct S (BTF_KIND_STRUCT, not a
 * forward declaration):
 *   - NAME is S exactly (boot_params -> struct boot_params);
 *   - NAME is init_B and S is B, B_struct, or B with a trailing _ns spelt
 *     _namespace (init_task -> struct task_struct, init_mm -> struct
 *     mm_struct, init_net -> struct net, init_uts_ns -> struct
 *     uts_namespace);
 * and only when the symbol is at least as large as S (its size runs to the
 * next symbol), so a name that merely looks right is not given a type that
 * overlaps its neighbours.  Only the symbol k2e_symtab_find() picks for the
 * name is typed (one variable per name, globals before locals).  Nothing is
 * guessed for scalars: a name gives no clue to an integer's width.
 */
static uint32_t struct_for_name(const struct gen *g, const struct name_map *structs,
				const char *nm)
{
	char t[256];
	size_t bl;
	uint32_t id;

	if ((id = map_find(g->btf, structs, nm)))
		return id;
	if (strncmp(nm, "init_", 5) != 0 || !nm[5] || (bl = strlen(nm + 5)) + 16 > sizeof(t))
		return 0;
	memcpy(t, nm + 5, bl + 1);
	if ((id = map_find(g->btf, structs, t)))
		return id;
	memcpy(t + bl, "_struct", sizeof("_struct"));
	if ((id = map_find(g->btf, structs, t)))
		return id;
	t[bl] = '\0';
	if (bl > 3 && strcmp(t + bl - 3, "_ns") == 0) {
		memcpy(t + bl - 3, "_namespace", sizeof("_namespace"));
		if ((id = map_find(g->btf, structs, t)))
			return id;
	}
	return 0;
}

static void emit_named_globals(struct gen *g, const struct k2e_symtab *st,
			       const struct name_map *vars, const struct name_map *structs)
{
	for (size_t i = 0; i < st->n; i++) {
		const struct k2e_sym *s = &st->syms[i];
		const char *nm = k2e_sym_name(st, s);
		uint32_t id;
		__s64 size;

		if (s->module >= 0 || s->size == 0 || !strchr("dDbBrR", s->type) || !s->type)
			continue;
		if (!(id = struct_for_name(g, structs, nm)) || map_find(g->btf, vars, nm))
			continue;
		size = btf__resolve_size(g->btf, id);
		if (size <= 0 || (uint64_t)size > s->size || k2e_symtab_find(st, nm, NULL) != s)
			continue;
		die(g, A_VARIABLE);
		name(g, nm);
		ref(g, id);
		k2e_bytebuf_uleb(&g->info, 9);
		k2e_bytebuf_uint(&g->info, OP_addr, 1);
		k2e_bytebuf_uint(&g->info, s->addr, 8);
	}
}

static void emit_abbrevs(struct k2e_bytebuf *b)
{
	for (unsigned code = 1; code < sizeof(abbrevs) / sizeof(abbrevs[0]); code++) {
		const struct abbrev *a = &abbrevs[code];
		unsigned char ch = a->children;

		k2e_bytebuf_uleb(b, code);
		k2e_bytebuf_uleb(b, a->tag);
		k2e_bytebuf_put(b, &ch, 1);
		for (unsigned i = 0; a->at[i]; i += 2) {
			k2e_bytebuf_uleb(b, a->at[i]);
			k2e_bytebuf_uleb(b, a->at[i + 1]);
		}
		k2e_bytebuf_uleb(b, 0);
		k2e_bytebuf_uleb(b, 0);
	}
	k2e_bytebuf_uleb(b, 0);
}

int k2e_dwarf_from_btf(const struct btf *btf, const struct k2e_symtab *st, bool be,
		       struct k2e_dwarf_out *ret, struct k2e_err *err)
{
	struct gen g = { .btf = btf, .info = { .be = be }, .str = { .b = { .be = be } } };
	struct k2e_bytebuf abbrev = { .be = be };
	struct name_map funcs = { 0 }, vars = { 0 }, structs = { 0 };
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t i;
	int rc = -1;

	g.n_types = btf__type_cnt(btf);
	if (!(g.die_of = calloc(g.n_types, sizeof(*g.die_of))) ||
	    map_build(btf, g.n_types, BTF_KIND_FUNC, &funcs) < 0 ||
	    map_build(btf, g.n_types, BTF_KIND_VAR, &vars) < 0 ||
	    map_build(btf, g.n_types, BTF_KIND_STRUCT, &structs) < 0)
		goto oom;
	for (i = 0; i < st->n; i++) {
		const struct k2e_sym *s = &st->syms[i];

		if (s->module >= 0 || !k2e_sym_is_text(s->type))
			continue;
		lo = s->addr < lo ? s->addr : lo;
		hi = s->addr + s->size > hi ? s->addr + s->size : hi;
	}
	if (lo == UINT64_MAX)
		lo = hi = 0;
	str_off(&g.str, "");
	/* Unit header (DWARF 4, 32-bit format): unit_length, version, abbrev offset, address size. */
	k2e_bytebuf_uint(&g.info, 0, 4);
	k2e_bytebuf_uint(&g.info, 4, 2);
	k2e_bytebuf_uint(&g.info, 0, 4);
	k2e_bytebuf_uint(&g.info, 8, 1);
	die(&g, A_CU);
	name(&g, "vmlinux (from BTF)");
	name(&g, "kdump2elf (BTF to DWARF)");
	k2e_bytebuf_uint(&g.info, LANG_C99, 2);
	k2e_bytebuf_uint(&g.info, lo, 8);
	k2e_bytebuf_uint(&g.info, hi - lo, 8);
	for (uint32_t id = 1; id < g.n_types; id++)
		emit_type(&g, id, 8);
	emit_functions(&g, st, &funcs);
	emit_variables(&g, st);
	emit_named_globals(&g, st, &vars, &structs);
	end_children(&g);
	if (g.info.oom || g.str.b.oom)
		goto oom;
	/* Patch the unit length and the references; void (0) never gets here. */
	for (i = 0; i < g.n_patches; i++) {
		uint32_t id = g.patches[i].id, off = id < g.n_types ? g.die_of[id] : 0;
		struct k2e_bytebuf at = { .p = g.info.p + g.patches[i].at, .cap = 4, .be = be };

		if (!off) {
			k2e_err_set(err, "BTF type %u has no DWARF DIE", id);
			goto out;
		}
		k2e_bytebuf_uint(&at, off, 4);
	}
	{
		struct k2e_bytebuf at = { .p = g.info.p, .cap = 4, .be = be };

		k2e_bytebuf_uint(&at, g.info.len - 4, 4);
	}
	emit_abbrevs(&abbrev);
	if (abbrev.oom)
		goto oom;
	ret->info = g.info.p;
	ret->info_len = g.info.len;
	ret->abbrev = abbrev.p;
	ret->abbrev_len = abbrev.len;
	ret->str = g.str.b.p;
	ret->str_len = g.str.b.len;
	ret->dies = g.dies;
	g.info.p = g.str.b.p = abbrev.p = NULL;
	rc = 0;
	goto out;
oom:
	k2e_err_set(err, "out of memory");
out:
	free(g.info.p);
	free(g.str.b.p);
	free(g.str.slots);
	free(abbrev.p);
	free(g.die_of);
	free(g.patches);
	free(funcs.slots);
	free(vars.slots);
	free(structs.slots);
	return rc;
}

void k2e_dwarf_out_release(struct k2e_dwarf_out *o)
{
	free(o->info);
	free(o->abbrev);
	free(o->str);
	memset(o, 0, sizeof(*o));
}
