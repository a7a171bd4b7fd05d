#include "cli/resume.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/files.h"
#include "cli/json.h"
#include "cli/util.h"
#include "formats/identify.h"

/* A NAME.json bigger than this is not one of ours. */
static const size_t max_marker = 1 << 20;

void k2e_dump_outputs_init(struct k2e_dump_outputs *o, const char *out_dir, const char *name)
{
	o->stem = k2e_xprintf("%s/%s", out_dir, name);
	o->core = k2e_xprintf("%s.elf", o->stem);
	o->dmesg = k2e_xprintf("%s.dmesg", o->stem);
	o->marker = k2e_xprintf("%s.json", o->stem);
}

void k2e_dump_outputs_release(struct k2e_dump_outputs *o)
{
	free(o->stem);
	free(o->core);
	free(o->dmesg);
	free(o->marker);
}

struct k2e_devino {
	dev_t dev;
	ino_t ino;
};

static int devino_cmp(const void *a, const void *b)
{
	const struct k2e_devino *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

void k2e_input_set_init(struct k2e_input_set *s, const struct k2e_unit *u, size_t n)
{
	s->v = NULL;
	s->n = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < u[i].n_paths; k++) {
			struct stat st;

			if (stat(u[i].paths[k], &st) < 0)
				continue;
			s->v = k2e_xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
			s->v[s->n++] = (struct k2e_devino){ st.st_dev, st.st_ino };
		}
	}
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), devino_cmp);
}

void k2e_input_set_release(struct k2e_input_set *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static bool is_input(const struct k2e_input_set *s, const struct stat *st)
{
	struct k2e_devino key = { st->st_dev, st->st_ino };

	return s->n && bsearch(&key, s->v, s->n, sizeof(key), devino_cmp) != NULL;
}

char *k2e_input_stamp(const struct k2e_unit *u)
{
	char *s = k2e_xstrdup("");

	for (size_t i = 0; i < u->n_paths; i++) {
		struct stat st;
		char *t;

		if (stat(u->paths[i], &st) < 0) {
			free(s);
			return NULL;
		}
		t = k2e_xprintf("%s%s%llu:%lld.%09ld", s, i ? ";" : "", (unsigned long long)st.st_size,
				(long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
		free(s);
		s = t;
	}
	return s;
}

char *k2e_resume_done_line(const struct k2e_unit *u, const struct k2e_dump_outputs *o,
			   const char *stamp)
{
	static const char *const done_status[] = { "ok", "partial" };
	char *saved, *want, *st, *line = NULL;
	const char *prev = NULL;
	size_t len, tail;
	struct stat cst;
	struct k2e_json j;

	saved = k2e_cli_read_small(o->marker, max_marker, &len);
	if (!saved)
		return NULL;
	want = k2e_xprintf("\"input_stamp\":\"%s\"", stamp);
	st = strstr(saved, "\"status\":\"");
	if (len < 2 || saved[len - 1] != '\n' || memchr(saved, '\n', len - 1) ||
	    memchr(saved, '\0', len) || !st || !strstr(saved, want) || stat(o->core, &cst) < 0)
		goto out;
	st += strlen("\"status\":\"");
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(done_status[i]);

		if (strncmp(st, done_status[i], n) == 0 && st[n] == '"') {
			prev = done_status[i];
			st += n + 1;	/* past the closing quote: ,"error":... */
			break;
		}
	}
	if (!prev)
		goto out;
	k2e_json_init(&j);
	k2e_json_begin_object(&j, NULL);
	k2e_json_begin_array(&j, "input");
	for (size_t i = 0; i < u->n_paths; i++)
		k2e_json_string(&j, NULL, u->paths[i]);
	k2e_json_end_array(&j);
	k2e_json_string(&j, "status", "skipped");
	k2e_json_string(&j, "previous_status", prev);
	if (j.oom) {
		k2e_json_release(&j);
		goto out;
	}
	tail = len - (size_t)(st - saved);
	line = k2e_xrealloc(NULL, j.len + tail + 1);
	memcpy(line, j.buf, j.len);
	memcpy(line + j.len, st, tail + 1);
	k2e_json_release(&j);
out:
	free(want);
	free(saved);
	return line;
}

int k2e_may_replace(const struct k2e_input_set *inputs, bool force,
		    const struct k2e_dump_outputs *o, struct k2e_err *err)
{
	const char *const paths[] = { o->core, o->marker, o->dmesg };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct stat st;

		if (stat(paths[i], &st) < 0)
			continue;
		if (is_input(inputs, &st))
			return k2e_err_set(err, "output '%s' is one of the inputs", paths[i]);
		if (force)
			continue;
		if (i == 0) {
			struct k2e_ident id;

			if (k2e_identify(paths[i], &id, err) < 0 || id.kind != K2E_IDENT_K2E_CORE)
				return k2e_err_set(err, "'%s' exists and is not a core kdump2elf wrote (use -f to replace it)",
						   paths[i]);
		} else if (i == 1) {
			size_t len;
			char *text = k2e_cli_read_small(paths[i], max_marker, &len);
			bool ours = text && strstr(text, "\"kdump2elf\":\"");

			free(text);
			if (!ours)
				return k2e_err_set(err, "'%s' exists and is not a summary kdump2elf wrote (use -f to replace it)",
						   paths[i]);
		}
	}
	return 0;
}

void k2e_resume_clear(const struct k2e_dump_outputs *o)
{
	unlink(o->marker);
	unlink(o->dmesg);
	unlink(o->core);
	for (size_t i = 0; i < 2; i++) {
		/* The converter's OUTPUT.gdb and OUTPUT.sym. */
		char *extra = k2e_xprintf("%s.%s", o->core, i ? "sym" : "gdb");

		unlink(extra);
		free(extra);
	}
}
