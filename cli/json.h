/*
 * json.h - a tiny JSON writer for one object per line.
 *
 * Values go into a growing buffer; a member is added with its key (NULL
 * inside arrays).  Strings are escaped: quote and backslash, control
 * characters (\n, \t, ... or \u00XX), and any byte that is not part of
 * valid UTF-8 as \u00XX, so every line is valid UTF-8 JSON whatever bytes a
 * path or a log line holds.  A NULL string is written as null.
 *
 * Allocation failure is remembered and reported by k2e_json_finish(): the
 * writing calls themselves cannot fail.
 */
#ifndef K2E_CLI_JSON_H
#define K2E_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { K2E_JSON_MAX_DEPTH = 16 };

struct k2e_json {
	char *buf;
	size_t len, cap;
	bool oom;
	int depth;
	bool first[K2E_JSON_MAX_DEPTH];	/* no member written yet at this depth */
};

void k2e_json_init(struct k2e_json *j);
void k2e_json_release(struct k2e_json *j);

void k2e_json_begin_object(struct k2e_json *j, const char *key);
void k2e_json_end_object(struct k2e_json *j);
void k2e_json_begin_array(struct k2e_json *j, const char *key);
void k2e_json_end_array(struct k2e_json *j);

void k2e_json_string(struct k2e_json *j, const char *key, const char *s);
void k2e_json_string_n(struct k2e_json *j, const char *key, const char *s, size_t len);
void k2e_json_u64(struct k2e_json *j, const char *key, uint64_t v);
void k2e_json_i64(struct k2e_json *j, const char *key, int64_t v);
/* A number with `decimals` digits after the point (non-finite: null). */
void k2e_json_double(struct k2e_json *j, const char *key, double v, int decimals);
void k2e_json_bool(struct k2e_json *j, const char *key, bool v);
void k2e_json_null(struct k2e_json *j, const char *key);

/*
 * End the line: "\n" appended, the text NUL-terminated in j->buf.  -1 when
 * memory ran out or the objects and arrays do not balance.
 */
int k2e_json_finish(struct k2e_json *j);

#endif
