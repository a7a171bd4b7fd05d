/* types-btf.c - structure layouts from BTF (see types-btf.h). */
#include "kernel/types-btf.h"

#include <string.h>

#include <bpf/btf.h>

/*
 * BTF from a dump may loop (a typedef of itself, a struct whose anonymous
 * member is the struct) or fan out (anonymous members of anonymous
 * members, many times over): libbpf accepts both.  Real chains are short
 * and a search visits a few thousand members.
 */
enum { MAX_MODS = 64, MAX_ANON_DEPTH = 32, MAX_VISITS = 1 << 20 };

static const struct btf_type *skip_mods(const struct btf *btf, uint32_t *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);
	unsigned n = 0;

	while (t && (btf_is_typedef(t) || btf_is_mod(t) || btf_is_type_tag(t))) {
		if (n++ == MAX_MODS)
			return NULL;
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

/* Member `member` (len bytes) of composite id, through anonymous members: its bit offset and type. */
static bool find_member(const struct btf *btf, uint32_t id, const char *member, size_t len,
			uint64_t base_bits, uint64_t *ret_bits, uint32_t *ret_type, unsigned depth,
			unsigned *visits)
{
	const struct btf_type *t = skip_mods(btf, &id);
	const struct btf_member *m;
	int i, n;

	if (!t || !btf_is_composite(t) || depth > MAX_ANON_DEPTH)
		return false;
	m = btf_members(t);
	n = btf_vlen(t);
	for (i = 0; i < n; i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);
		uint64_t bits = base_bits + btf_member_bit_offset(t, i);

		if (++*visits > MAX_VISITS)
			return false;
		if (name && *name) {
			if (strlen(name) == len && memcmp(name, member, len) == 0) {
				*ret_bits = bits;
				*ret_type = m->type;
				return true;
			}
		} else if (find_member(btf, m->type, member, len, bits, ret_bits, ret_type, depth + 1,
				       visits)) {
			return true;
		}
	}
	return false;
}

static int32_t find_composite(const struct btf *btf, const char *type)
{
	int32_t id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);

	return id >= 0 ? id : btf__find_by_name_kind(btf, type, BTF_KIND_UNION);
}

int k2e_btf_member(const struct btf *btf, const char *type, const char *path,
		   struct k2e_member *ret, struct k2e_err *err)
{
	int32_t id = find_composite(btf, type);
	uint64_t bits = 0;
	uint32_t tid;
	const char *p = path;

	if (id < 0)
		return k2e_err_set(err, "BTF has no struct '%s'", type);
	tid = (uint32_t)id;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		unsigned visits = 0;
		uint64_t b;

		if (!find_member(btf, tid, p, len, 0, &b, &tid, 0, &visits))
			return k2e_err_set(err, "BTF struct '%s' has no member '%s'", type, path);
		bits += b;
		if (!dot)
			break;
		p = dot + 1;
	}
	{
		uint32_t t2 = tid;
		const struct btf_type *mt = skip_mods(btf, &t2);
		int64_t sz = btf__resolve_size(btf, tid);

		ret->offset = bits / 8;
		ret->size = sz > 0 ? (uint64_t)sz : 0;
		ret->is_pointer = mt && btf_is_ptr(mt);
	}
	return 0;
}

int k2e_btf_struct_size(const struct btf *btf, const char *type, uint64_t *ret,
			struct k2e_err *err)
{
	int32_t id = find_composite(btf, type);
	int64_t sz;

	if (id < 0)
		return k2e_err_set(err, "BTF has no struct '%s'", type);
	sz = btf__resolve_size(btf, (uint32_t)id);
	if (sz < 0)
		return k2e_err_set(err, "BTF struct '%s' has no size", type);
	*ret = (uint64_t)sz;
	return 0;
}
