#include "cli/scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/exit.h"
#include "cli/msg.h"
#include "cli/util.h"
#include "formats/identify.h"

/* A file found among the PATHs. */
struct found {
	char *path;
	char *dir;		/* output name's directory part: "" or "a/b/" */
	char *base;		/* output name's last part */
	struct k2e_ident id;
	size_t scope;		/* split pieces group within one scope */
	char *error;		/* a named PATH that cannot be taken */
	bool grouped;
};


struct scan {
	struct found *f;
	size_t n, cap;
	size_t next_scope;
	dev_t out_dev;
	ino_t out_ino;
	bool have_out;
};

static struct found *add_found(struct scan *sc, const char *path, const char *dir,
			       const char *base, size_t scope)
{
	struct found *f;

	if (sc->n == sc->cap) {
		sc->cap = sc->cap ? sc->cap * 2 : 64;
		sc->f = k2e_xrealloc(sc->f, sc->cap * sizeof(*sc->f));
	}
	f = &sc->f[sc->n++];
	memset(f, 0, sizeof(*f));
	f->path = k2e_xstrdup(path);
	f->dir = k2e_xstrdup(dir);
	f->base = k2e_xstrdup(base);
	f->scope = scope;
	return f;
}

static const char *base_of(const char *path)
{
	size_t len = strlen(path);
	const char *p;

	while (len > 1 && path[len - 1] == '/')
		len--;
	for (p = path + len; p > path && p[-1] != '/'; p--)
		;
	return p;
}

/* A PATH named on the command line or on standard input, which is a file. */
static void add_named_file(struct scan *sc, const char *path)
{
	struct k2e_err err;
	struct k2e_ident id;
	char base[4096];
	const char *b = base_of(path);
	size_t blen = strlen(b);
	struct found *f;

	while (blen > 1 && b[blen - 1] == '/')
		blen--;
	if (blen >= sizeof(base))
		blen = sizeof(base) - 1;
	memcpy(base, b, blen);
	base[blen] = '\0';
	f = add_found(sc, path, "", base, 0);	/* named pieces group among themselves */
	if (k2e_identify(path, &id, &err) < 0) {
		f->error = k2e_xprintf("%s", err.msg);
		return;
	}
	f->id = id;
	if (id.kind == K2E_IDENT_NOT_DUMP)
		f->error = k2e_xstrdup("not a dump (no kdump, diskdump, flattened or ELF vmcore signature)");
	else if (id.kind == K2E_IDENT_K2E_CORE)
		f->error = k2e_xstrdup("a core written by kdump2elf, not a dump");
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(struct scan *sc, const char *dir, const char *rel)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, scope = ++sc->next_scope;

	if (!dh) {
		struct found *f = add_found(sc, dir, rel, "", 0);

		f->error = k2e_xprintf("cannot read directory: %s", strerror(errno));
		return;
	}
	while ((de = readdir(dh))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = k2e_xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = k2e_xstrdup(de->d_name);
	}
	closedir(dh);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char *path = k2e_xprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
		struct stat lst, st;

		if (lstat(path, &lst) < 0 || stat(path, &st) < 0) {
			free(path);
			continue;	/* vanished, or a dangling link */
		}
		if (S_ISDIR(st.st_mode)) {
			/* Never the output directory; never a link to a directory (no loops). */
			if (!S_ISLNK(lst.st_mode) &&
			    !(sc->have_out && st.st_dev == sc->out_dev && st.st_ino == sc->out_ino)) {
				char *sub = k2e_xprintf("%s%s/", rel, names[i]);

				walk(sc, path, sub);
				free(sub);
			}
		} else if (S_ISREG(st.st_mode)) {
			struct k2e_ident id;
			struct k2e_err err;

			if (k2e_identify(path, &id, &err) < 0) {
				struct found *f = add_found(sc, path, rel, names[i], scope);

				f->error = k2e_xprintf("%s", err.msg);
			} else if (id.kind == K2E_IDENT_DUMP || id.kind == K2E_IDENT_PIECE) {
				struct found *f = add_found(sc, path, rel, names[i], scope);

				f->id = id;
			}
			/* Anything else (logs, vmcore-dmesg.txt, our own cores) is passed over. */
		}
		free(path);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Read the list of PATHs on standard input: lines, or NUL-separated names. */
static char **read_stdin_list(size_t *ret_n)
{
	char *buf = NULL, **list = NULL;
	size_t len = 0, cap = 0, n = 0;
	char sep = '\n';

	for (;;) {
		ssize_t got;

		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			buf = k2e_xrealloc(buf, cap + 1);
		}
		got = read(STDIN_FILENO, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	if (!buf)
		buf = k2e_xrealloc(NULL, 1);
	buf[len] = '\0';
	if (memchr(buf, '\0', len))
		sep = '\0';
	for (size_t pos = 0; pos < len;) {
		char *end = memchr(buf + pos, sep, len - pos);
		size_t l = end ? (size_t)(end - (buf + pos)) : len - pos;

		if (sep == '\n' && l && buf[pos + l - 1] == '\r')
			l--;
		if (l) {
			list = k2e_xrealloc(list, (n + 1) * sizeof(*list));
			list[n] = k2e_xrealloc(NULL, l + 1);
			memcpy(list[n], buf + pos, l);
			list[n][l] = '\0';
			n++;
		}
		pos += (end ? (size_t)(end - (buf + pos)) : len - pos) + 1;
	}
	free(buf);
	*ret_n = n;
	return list;
}

static void add_path(struct scan *sc, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		struct found *f = add_found(sc, path, "", base_of(path), 0);

		f->error = k2e_xprintf("cannot open: %s", strerror(errno));
		return;
	}
	if (S_ISDIR(st.st_mode))
		walk(sc, path, "");
	else
		add_named_file(sc, path);
}

/* The name of a split set: its pieces' common prefix without a trailing separator. */
static char *set_stem(struct found **pieces, size_t n)
{
	size_t len = strlen(pieces[0]->base);

	for (size_t i = 1; i < n; i++) {
		size_t k = 0;

		while (k < len && pieces[i]->base[k] == pieces[0]->base[k])
			k++;
		len = k;
	}
	if (n > 1)
		while (len && strchr(".-_", pieces[0]->base[len - 1]))
			len--;
	if (!len)
		return k2e_xstrdup(pieces[0]->base);
	return k2e_xprintf("%.*s", (int)len, pieces[0]->base);
}

static int piece_cmp(const void *a, const void *b)
{
	const struct found *x = *(struct found *const *)a, *y = *(struct found *const *)b;

	if (x->id.start_pfn != y->id.start_pfn)
		return x->id.start_pfn < y->id.start_pfn ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Names already given: an open-addressing set. */
struct nameset {
	char **slot;
	size_t cap, n;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static bool nameset_add(struct nameset *ns, char *name)
{
	size_t i;

	if (2 * (ns->n + 1) > ns->cap) {
		struct nameset bigger = { .cap = ns->cap ? ns->cap * 2 : 256 };

		bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
		if (!bigger.slot) {
			k2e_cli_msg("out of memory");
			exit(K2E_EXIT_ERROR);
		}
		for (size_t k = 0; k < ns->cap; k++)
			if (ns->slot[k])
				nameset_add(&bigger, ns->slot[k]);
		free(ns->slot);
		*ns = bigger;
	}
	for (i = hash_str(name) & (ns->cap - 1); ns->slot[i]; i = (i + 1) & (ns->cap - 1))
		if (strcmp(ns->slot[i], name) == 0)
			return false;
	ns->slot[i] = name;
	ns->n++;
	return true;
}

/* Give u a unique name from dir + stem. */
static void name_unit(struct k2e_unit *u, struct nameset *ns, const char *dir, const char *stem)
{
	u->name = k2e_xprintf("%s%s", dir, stem[0] ? stem : "dump");
	for (unsigned k = 2; !nameset_add(ns, u->name); k++) {
		free(u->name);
		u->name = k2e_xprintf("%s%s-%u", dir, stem[0] ? stem : "dump", k);
	}
}

static struct k2e_unit *build_units(struct scan *sc, size_t *ret_n)
{
	struct k2e_unit *units = k2e_xrealloc(NULL, sc->n * sizeof(*units));
	struct found **group = k2e_xrealloc(NULL, sc->n * sizeof(*group));
	struct nameset ns = { 0 };
	size_t n = 0;

	for (size_t i = 0; i < sc->n; i++) {
		struct found *f = &sc->f[i];
		struct k2e_unit *u;
		size_t g = 0;

		if (f->grouped)
			continue;
		u = &units[n++];
		memset(u, 0, sizeof(*u));
		u->format_hint = f->id.format;
		if (f->error || f->id.kind != K2E_IDENT_PIECE) {
			u->paths = k2e_xrealloc(NULL, sizeof(*u->paths));
			u->paths[0] = k2e_xstrdup(f->path);
			u->n_paths = 1;
			u->error = f->error ? k2e_xstrdup(f->error) : NULL;
			name_unit(u, &ns, f->dir, f->base);
			continue;
		}
		/* The pieces of f's set in f's scope. */
		for (size_t k = i; k < sc->n; k++) {
			struct found *p = &sc->f[k];

			if (!p->grouped && !p->error && p->id.kind == K2E_IDENT_PIECE &&
			    p->scope == f->scope && p->id.set_key == f->id.set_key) {
				p->grouped = true;
				group[g++] = p;
			}
		}
		if (g)
			qsort(group, g, sizeof(*group), piece_cmp);
		u->format_hint = "kdump-split";
		u->paths = k2e_xrealloc(NULL, g * sizeof(*u->paths));
		for (size_t k = 0; k < g; k++)
			u->paths[k] = k2e_xstrdup(group[k]->path);
		u->n_paths = g;
		{
			char *stem = set_stem(group, g);

			name_unit(u, &ns, f->dir, stem);
			free(stem);
		}
	}
	free(group);
	free(ns.slot);
	*ret_n = n;
	return units;
}

static void free_found(struct scan *sc)
{
	for (size_t i = 0; i < sc->n; i++) {
		free(sc->f[i].path);
		free(sc->f[i].dir);
		free(sc->f[i].base);
		free(sc->f[i].error);
	}
	free(sc->f);
}

void k2e_units_free(struct k2e_unit *u, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < u[i].n_paths; k++)
			free(u[i].paths[k]);
		free(u[i].paths);
		free(u[i].name);
		free(u[i].error);
	}
	free(u);
}

int k2e_scan(char *const *paths, size_t n, const struct stat *out_dir, struct k2e_unit **ret,
	     size_t *ret_n)
{
	struct scan sc = { 0 };
	bool stdin_used = false;

	if (out_dir) {
		sc.out_dev = out_dir->st_dev;
		sc.out_ino = out_dir->st_ino;
		sc.have_out = true;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(paths[i], "-") == 0) {
			size_t n_list;
			char **list;

			if (stdin_used) {
				k2e_cli_msg("'-' given twice");
				free_found(&sc);
				return K2E_EXIT_USAGE;
			}
			stdin_used = true;
			list = read_stdin_list(&n_list);
			for (size_t k = 0; k < n_list; k++) {
				add_path(&sc, list[k]);
				free(list[k]);
			}
			free(list);
		} else {
			add_path(&sc, paths[i]);
		}
	}
	*ret = build_units(&sc, ret_n);
	free_found(&sc);
	return 0;
}

size_t k2e_units_shard(struct k2e_unit *u, size_t n, unsigned k, unsigned shares)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		if (hash_str(u[i].name) % shares == k - 1) {
			struct k2e_unit t = u[kept];

			u[kept++] = u[i];
			u[i] = t;
		}
	}
	return kept;
}
