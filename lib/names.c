/* names.c - names from the dump that are safe to write (see names.h). */
#include "lib/names.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Which characters each kind of name may hold (bit per kind); letters, digits and '_' all. */
enum { MODULE = 1, SECTION = 2, SYMBOL = 4, ALL = MODULE | SECTION | SYMBOL };

static const unsigned char allowed[256] = {
	['a' ... 'z'] = ALL, ['A' ... 'Z'] = ALL, ['0' ... '9'] = ALL, ['_'] = ALL,
	['-'] = ALL, ['.'] = SECTION | SYMBOL, ['$'] = SECTION | SYMBOL,
	['@'] = SYMBOL, ['+'] = SYMBOL, [':'] = SYMBOL, ['~'] = SYMBOL, ['['] = SYMBOL,
	[']'] = SYMBOL, ['('] = SYMBOL, [')'] = SYMBOL, ['<'] = SYMBOL, ['>'] = SYMBOL,
	[','] = SYMBOL, ['='] = SYMBOL, ['%'] = SYMBOL, ['^'] = SYMBOL, ['&'] = SYMBOL,
	['*'] = SYMBOL, ['!'] = SYMBOL, ['?'] = SYMBOL, ['/'] = SYMBOL, ['|'] = SYMBOL,
	['{'] = SYMBOL, ['}'] = SYMBOL, [';'] = SYMBOL,
};

/* s is 1 to max characters, each allowed in kind. */
static bool all_of(const char *s, size_t max, unsigned kind)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (n >= max || !(allowed[(unsigned char)s[n]] & kind))
			return false;
	return n > 0;
}

bool k2e_name_is_module(const char *s)
{
	return all_of(s, 55, MODULE);
}

bool k2e_name_is_section(const char *s)
{
	return all_of(s, 127, SECTION);
}

bool k2e_name_is_symbol(const char *s)
{
	return all_of(s, 511, SYMBOL);
}

char *k2e_name_escape(const char *s, size_t len, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < len && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		char tmp[5];
		size_t n;

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			tmp[0] = (char)c;
			n = 1;
		} else {
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
			n = 4;
		}
		if (o + n + 4 > cap) {
			if (cap >= 4) {
				memcpy(out + (o + 4 > cap ? cap - 4 : o), "...", 3);
				o = (o + 4 > cap ? cap - 4 : o) + 3;
			}
			break;
		}
		memcpy(out + o, tmp, n);
		o += n;
	}
	out[o < cap ? o : cap - 1] = '\0';
	return out;
}
