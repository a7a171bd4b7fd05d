/* json.c - the one-line JSON writer of json.h. */
#include "cli/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void k2e_json_init(struct k2e_json *j)
{
	memset(j, 0, sizeof(*j));
	j->first[0] = true;
}

void k2e_json_release(struct k2e_json *j)
{
	free(j->buf);
	k2e_json_init(j);
}

static void put(struct k2e_json *j, const char *s, size_t len)
{
	if (j->oom)
		return;
	if (j->cap - j->len < len + 1) {
		size_t cap = j->cap ? j->cap : 512;
		char *b;

		while (cap - j->len < len + 1)
			cap *= 2;
		b = realloc(j->buf, cap);
		if (!b) {
			j->oom = true;
			return;
		}
		j->buf = b;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, s, len);
	j->len += len;
	j->buf[j->len] = '\0';
}

static void puts_(struct k2e_json *j, const char *s)
{
	put(j, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (RFC 3629), 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void put_escaped(struct k2e_json *j, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0, i = 0;

	put(j, "\"", 1);
	while (i < len) {
		unsigned char c = p[i];
		const char *esc = NULL;
		char hex[8];
		size_t n = c >= 0x20 && c != '"' && c != '\\' ? utf8_len(p + i, len - i) : 0;

		if (n) {
			run += n;
			i += n;
			continue;
		}
		put(j, (const char *)p + i - run, run);
		run = 0;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\t': esc = "\\t"; break;
		case '\r': esc = "\\r"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default:
			snprintf(hex, sizeof(hex), "\\u%04x", c);
			esc = hex;
		}
		puts_(j, esc);
		i++;
	}
	put(j, (const char *)p + i - run, run);
	put(j, "\"", 1);
}

/* The separator and key before a value. */
static void member(struct k2e_json *j, const char *key)
{
	if (!j->first[j->depth])
		put(j, ",", 1);
	j->first[j->depth] = false;
	if (key) {
		put_escaped(j, key, strlen(key));
		put(j, ":", 1);
	}
}

static void open_(struct k2e_json *j, const char *key, const char *bracket)
{
	member(j, key);
	puts_(j, bracket);
	if (j->depth + 1 >= K2E_JSON_MAX_DEPTH) {
		j->oom = true;	/* reported as an error by finish */
		return;
	}
	j->first[++j->depth] = true;
}

static void close_(struct k2e_json *j, const char *bracket)
{
	if (j->depth == 0) {
		j->oom = true;
		return;
	}
	j->depth--;
	puts_(j, bracket);
}

void k2e_json_begin_object(struct k2e_json *j, const char *key)
{
	open_(j, key, "{");
}

void k2e_json_end_object(struct k2e_json *j)
{
	close_(j, "}");
}

void k2e_json_begin_array(struct k2e_json *j, const char *key)
{
	open_(j, key, "[");
}

void k2e_json_end_array(struct k2e_json *j)
{
	close_(j, "]");
}

void k2e_json_string_n(struct k2e_json *j, const char *key, const char *s, size_t len)
{
	member(j, key);
	if (s)
		put_escaped(j, s, len);
	else
		puts_(j, "null");
}

void k2e_json_string(struct k2e_json *j, const char *key, const char *s)
{
	k2e_json_string_n(j, key, s, s ? strlen(s) : 0);
}

void k2e_json_u64(struct k2e_json *j, const char *key, uint64_t v)
{
	char b[32];

	member(j, key);
	snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
	puts_(j, b);
}

void k2e_json_i64(struct k2e_json *j, const char *key, int64_t v)
{
	char b[32];

	member(j, key);
	snprintf(b, sizeof(b), "%lld", (long long)v);
	puts_(j, b);
}

void k2e_json_double(struct k2e_json *j, const char *key, double v, int decimals)
{
	char b[64];

	member(j, key);
	if (!isfinite(v)) {
		puts_(j, "null");
		return;
	}
	snprintf(b, sizeof(b), "%.*f", decimals < 0 ? 0 : decimals > 9 ? 9 : decimals, v);
	puts_(j, b);
}

void k2e_json_bool(struct k2e_json *j, const char *key, bool v)
{
	member(j, key);
	puts_(j, v ? "true" : "false");
}

void k2e_json_null(struct k2e_json *j, const char *key)
{
	member(j, key);
	puts_(j, "null");
}

int k2e_json_finish(struct k2e_json *j)
{
	if (j->depth != 0)
		return -1;
	put(j, "\n", 1);
	return j->oom ? -1 : 0;
}
