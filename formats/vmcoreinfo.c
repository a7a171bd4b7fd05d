/* vmcoreinfo.c - KEY=VALUE lookups in the VMCOREINFO note (see vmcoreinfo.h). */
#include "formats/vmcoreinfo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"

void k2e_vmcoreinfo_init(struct k2e_vmcoreinfo *v, const unsigned char *notes, size_t len,
			 bool big_endian)
{
	const unsigned char *desc;
	size_t dlen;

	v->text = NULL;
	v->len = 0;
	if (notes && k2e_notes_find(notes, len, "VMCOREINFO", -1, big_endian, &desc, &dlen) == 0) {
		v->text = (const char *)desc;
		v->len = dlen;
	}
}

const char *k2e_vmcoreinfo_get(const struct k2e_vmcoreinfo *v, const char *key, size_t *ret_len)
{
	size_t klen = strlen(key);

	if (!v->text)
		return NULL;
	for (size_t pos = 0; pos < v->len;) {
		const char *nl = memchr(v->text + pos, '\n', v->len - pos);
		size_t end = nl ? (size_t)(nl - v->text) : v->len;

		if (end - pos > klen && memcmp(v->text + pos, key, klen) == 0 &&
		    v->text[pos + klen] == '=') {
			*ret_len = end - pos - klen - 1;
			return v->text + pos + klen + 1;
		}
		pos = end + 1;
	}
	return NULL;
}

const char *k2e_vmcoreinfo_string(const struct k2e_vmcoreinfo *v, const char *key, char *buf,
				  size_t cap)
{
	size_t len;
	const char *s = k2e_vmcoreinfo_get(v, key, &len);

	if (!s || len == 0 || len >= cap)
		return NULL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

/* Parse KEY's value; -1 if absent or malformed. */
static int parse(const struct k2e_vmcoreinfo *v, const char *key, int base, bool is_signed,
		 uint64_t *ret)
{
	char buf[64], *end;
	const char *s;
	size_t len;

	s = k2e_vmcoreinfo_get(v, key, &len);
	if (!s || len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[len - 1] == '\r')
		buf[--len] = '\0';
	errno = 0;
	if (is_signed || buf[0] == '-')
		*ret = (uint64_t)strtoll(buf, &end, base);
	else
		*ret = strtoull(buf, &end, base);
	if (errno || end == buf || *end)
		return -1;
	return 0;
}

int k2e_vmcoreinfo_unsigned(const struct k2e_vmcoreinfo *v, const char *key, int base,
			    uint64_t *ret)
{
	return parse(v, key, base, false, ret);
}

int k2e_vmcoreinfo_signed(const struct k2e_vmcoreinfo *v, const char *key, int base, int64_t *ret)
{
	uint64_t u;

	if (parse(v, key, base, true, &u) < 0)
		return -1;
	*ret = (int64_t)u;
	return 0;
}

static int keyed(const struct k2e_vmcoreinfo *v, const char *kind, const char *name, int base,
		 uint64_t *ret)
{
	char key[160];

	if ((size_t)snprintf(key, sizeof(key), "%s(%s)", kind, name) >= sizeof(key))
		return -1;
	return parse(v, key, base, false, ret);
}

int k2e_vmcoreinfo_symbol(const struct k2e_vmcoreinfo *v, const char *name, uint64_t *ret)
{
	return keyed(v, "SYMBOL", name, 16, ret);
}

int k2e_vmcoreinfo_offset(const struct k2e_vmcoreinfo *v, const char *type_member, uint64_t *ret)
{
	return keyed(v, "OFFSET", type_member, 10, ret);
}

int k2e_vmcoreinfo_size(const struct k2e_vmcoreinfo *v, const char *type, uint64_t *ret)
{
	return keyed(v, "SIZE", type, 10, ret);
}

int k2e_vmcoreinfo_length(const struct k2e_vmcoreinfo *v, const char *name, uint64_t *ret)
{
	return keyed(v, "LENGTH", name, 10, ret);
}

int k2e_vmcoreinfo_number(const struct k2e_vmcoreinfo *v, const char *name, int64_t *ret)
{
	char key[160];

	if ((size_t)snprintf(key, sizeof(key), "NUMBER(%s)", name) >= sizeof(key))
		return -1;
	return k2e_vmcoreinfo_signed(v, key, 10, ret);
}

uint64_t k2e_vmcoreinfo_kaslr_offset(const struct k2e_vmcoreinfo *v)
{
	uint64_t off;

	return k2e_vmcoreinfo_unsigned(v, "KERNELOFFSET", 16, &off) == 0 ? off : 0;
}
