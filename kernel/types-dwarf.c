/*
 * types-dwarf.c - structure layouts from a vmlinux's DWARF: one of the type
 * finders of kernel/types.c.
 */
#include "kernel/types-dwarf.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/vmlinux-priv.h"

/* A complete definition of struct `name`, searching top-level DIEs of each CU. */
static int find_struct(struct k2e_vmlinux *v, const char *name, Dwarf_Die *ret,
		       struct k2e_err *err)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	for (size_t i = 0; i < v->n_found; i++) {
		if (strcmp(v->found[i].name, name) == 0) {
			*ret = v->found[i].die;
			return 0;
		}
	}
	if (!v->dw)
		return k2e_err_set(err, "no DWARF to find struct %s", name);
	while (dwarf_nextcu(v->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, child;

		if (dwarf_offdie(v->dw, off + hsize, &cu) && dwarf_child(&cu, &child) == 0) {
			do {
				const char *n;
				bool decl;

				if (dwarf_tag(&child) != DW_TAG_structure_type)
					continue;
				n = dwarf_diename(&child);
				if (!n || strcmp(n, name) != 0)
					continue;
				decl = dwarf_hasattr(&child, DW_AT_declaration);
				if (decl)
					continue;
				{
					struct found *f = realloc(v->found, (v->n_found + 1) * sizeof(*f));

					if (!f)
						return k2e_err_set(err, "out of memory");
					v->found = f;
					f[v->n_found].name = strdup(name);
					f[v->n_found].die = child;
					if (f[v->n_found].name)
						v->n_found++;
				}
				*ret = child;
				return 0;
			} while (dwarf_siblingof(&child, &child) == 0);
		}
		off = next;
	}
	return k2e_err_set(err, "struct %s not found in the DWARF", name);
}

/* Follow typedefs and qualifiers to the underlying type. */
static bool resolve_type(Dwarf_Die *die, Dwarf_Die *ret)
{
	Dwarf_Attribute a;
	Dwarf_Die t;

	if (!dwarf_attr_integrate(die, DW_AT_type, &a) || !dwarf_formref_die(&a, &t))
		return false;
	while (dwarf_tag(&t) == DW_TAG_typedef || dwarf_tag(&t) == DW_TAG_const_type ||
	       dwarf_tag(&t) == DW_TAG_volatile_type) {
		if (!dwarf_attr_integrate(&t, DW_AT_type, &a) || !dwarf_formref_die(&a, &t))
			return false;
	}
	*ret = t;
	return true;
}

static bool member_offset(Dwarf_Die *m, uint64_t *ret)
{
	Dwarf_Attribute a;
	Dwarf_Word w;

	if (!dwarf_attr(m, DW_AT_data_member_location, &a)) {
		*ret = 0;	/* union members */
		return true;
	}
	if (dwarf_formudata(&a, &w) != 0)
		return false;
	*ret = w;
	return true;
}

/* Find member `name` in struct/union die (looking into anonymous members). */
static bool find_member(Dwarf_Die *sdie, const char *name, size_t name_len, uint64_t *ret_off,
			Dwarf_Die *ret_member)
{
	Dwarf_Die m;

	if (dwarf_child(sdie, &m) != 0)
		return false;
	do {
		const char *n;
		uint64_t off;

		if (dwarf_tag(&m) != DW_TAG_member || !member_offset(&m, &off))
			continue;
		n = dwarf_diename(&m);
		if (n && strlen(n) == name_len && memcmp(n, name, name_len) == 0) {
			*ret_off = off;
			*ret_member = m;
			return true;
		}
		if (!n) {
			Dwarf_Die t;
			uint64_t inner;

			if (resolve_type(&m, &t) && find_member(&t, name, name_len, &inner, ret_member)) {
				*ret_off = off + inner;
				return true;
			}
		}
	} while (dwarf_siblingof(&m, &m) == 0);
	return false;
}

int k2e_dwarf_member(struct k2e_vmlinux *v, const char *struct_name, const char *path,
		     struct k2e_member *ret, struct k2e_err *err)
{
	Dwarf_Die s, m;
	uint64_t total = 0;
	const char *p = path;

	if (find_struct(v, struct_name, &s, err) < 0)
		return -1;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		uint64_t off;

		if (!find_member(&s, p, len, &off, &m))
			return k2e_err_set(err, "struct %s has no member %s", struct_name, path);
		total += off;
		if (!dot)
			break;
		if (!resolve_type(&m, &s))
			return k2e_err_set(err, "struct %s: cannot follow %s", struct_name, path);
		p = dot + 1;
	}
	ret->offset = total;
	ret->size = 0;
	ret->is_pointer = false;
	{
		Dwarf_Die t;
		Dwarf_Word sz;

		if (resolve_type(&m, &t)) {
			ret->is_pointer = dwarf_tag(&t) == DW_TAG_pointer_type;
			if (dwarf_aggregate_size(&t, &sz) == 0)
				ret->size = sz;
		}
	}
	return 0;
}

int k2e_dwarf_struct_size(struct k2e_vmlinux *v, const char *struct_name, uint64_t *ret,
			  struct k2e_err *err)
{
	Dwarf_Die s;
	Dwarf_Word sz;
	Dwarf_Attribute a;

	if (find_struct(v, struct_name, &s, err) < 0)
		return -1;
	if (!dwarf_attr(&s, DW_AT_byte_size, &a) || dwarf_formudata(&a, &sz) != 0)
		return k2e_err_set(err, "struct %s has no size", struct_name);
	*ret = sz;
	return 0;
}
