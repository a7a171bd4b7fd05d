/* names.c - names from the dump that are safe to write (see names.h). */
#include "lib/names.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static bool all_of(const char *s, size_t max, const char *extra)
{
	size_t n = 0;

	for (; *s; s++, n++) {
		unsigned char c = (unsigned char)*s;

		if (n >= max)
			return false;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_')
			continue;
		if (!extra || !strchr(extra, c))
			return false;
	}
	return n > 0;
}

bool k2e_name_is_module(const char *s)
{
	return all_of(s, 55, "-");
}

bool k2e_name_is_section(const char *s)
{
	return all_of(s, 127, ".$-");
}

bool k2e_name_is_symbol(const char *s)
{
	return all_of(s, 511, ".$@-+:~[]()<>,=%^&*!?/|{};");
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
