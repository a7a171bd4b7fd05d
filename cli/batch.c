/*
 * batch.c - kdump2elf --batch, and the JSON line of single conversions.
 *
 * Design.  A run has three stages.
 *  1. Inputs.  Every PATH is expanded (directories walked in name order,
 *     "-" read from standard input) and each file identified by content
 *     (formats/identify.h).  Split pieces are grouped by their common
 *     header: within one directory when a walk found them, among themselves
 *     when they were named.  Each dump gets an output name from its path
 *     below the PATH given (a name that is already taken gets "-2", "-3").
 *     The list is then cut to this shard: a hash of the name modulo N, so
 *     machines that see the same inputs share them out without talking.
 *  2. Work.  -j workers take dumps in list order from a shared index; each
 *     converts with threads/j decoding threads, so no more than --threads
 *     threads decode at once and memory stays that of j conversions.  A
 *     dump that fails is recorded in its line and the run goes on.
 *  3. Results.  A worker takes the output lock only to write a finished
 *     line (whole lines, in completion order) and to redraw the progress
 *     line, which a terminal alone gets.
 *
 * Completion.  A dump's outputs are NAME.elf, NAME.dmesg and then NAME.json,
 * each written under a temporary name and linked into place when whole
 * (lib/outfile.h).  NAME.json comes last and records the inputs' sizes and
 * mtimes: a rerun skips a dump whose NAME.json is there, says "ok" or
 * "partial", matches the inputs and whose core exists.  Any other dump is
 * redone from the start, and its old NAME.json is removed before anything
 * else, so a run killed at any point leaves every dump either complete or
 * visibly not done.
 */
#include "cli/batch.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/json.h"
#include "cli/msg.h"
#include "codecs/codec.h"
#include "formats/identify.h"
#include "io/source.h"
#include "kernel/kmem.h"
#include "kernel/panic.h"
#include "lib/cpus.h"
#include "lib/outfile.h"

#ifndef K2E_VERSION
#define K2E_VERSION "0.1"
#endif

enum {
	EXIT_OK_ = 0,
	EXIT_ERROR_ = 1,
	EXIT_USAGE_ = 2,
	EXIT_LOST_ = 3,
};

/* A NAME.json bigger than this is not one of ours. */
static const size_t max_marker = 1 << 20;

static double elapsed(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p) {
		k2e_cli_msg("out of memory");
		exit(EXIT_ERROR_);
	}
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		k2e_cli_msg("out of memory");
		exit(EXIT_ERROR_);
	}
	return p;
}

static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *xprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		k2e_cli_msg("out of memory");
		exit(EXIT_ERROR_);
	}
	va_end(ap);
	return s;
}

/* ------------------------------------------------------------------ */
/* The summary line, shared by batch and single conversions.          */

struct summary {
	char *const *inputs;
	size_t n_inputs;
	const char *status;			/* ok, partial, error */
	const char *error;
	const char *format_hint;		/* identify's format when d is NULL */
	const struct k2e_dump *d;
	const struct k2e_convert_result *res;
	struct k2e_kmem *km;			/* the core written, if any */
	bool have_panic;
	struct k2e_panic panic;
	uint64_t bytes_in;
	bool have_bytes_out;
	uint64_t bytes_out;
	double seconds;
	const char *core, *dmesg;
	const char *name;			/* batch: the output name */
	const char *stamp;			/* batch: the inputs' identity */
	const char *warnings[K2E_MAX_WARNINGS + 4];
	size_t n_warnings;
};

static void add_warning(struct summary *s, const char *w)
{
	if (s->n_warnings < sizeof(s->warnings) / sizeof(s->warnings[0]))
		s->warnings[s->n_warnings++] = w;
}

static const char *format_token(const struct summary *s)
{
	const struct k2e_dump *d = s->d;

	if (!d) {
		if (!s->format_hint)
			return NULL;
		if (strcmp(s->format_hint, "flattened") == 0)
			return "kdump-flattened";
		return s->format_hint;
	}
	if (strcmp(d->fmt->name, "kdump") != 0)
		return d->fmt->name;
	if (strncmp(d->format_desc, "diskdump", 8) == 0)
		return "diskdump";
	if (d->n_in > 1 || strstr(d->format_desc, "split"))
		return "kdump-split";
	if (d->in[0].src && d->in[0].src->kind && strcmp(d->in[0].src->kind, "flattened") == 0)
		return "kdump-flattened";
	return "kdump";
}

/* A vmcoreinfo value as a string, NULL when absent. */
static const char *vmci_string(struct k2e_kmem *km, const char *key, char *buf, size_t cap)
{
	size_t len;
	const char *v = km ? k2e_kmem_vmci_find(km, key, &len) : NULL;

	if (!v || len == 0 || len >= cap)
		return NULL;
	memcpy(buf, v, len);
	buf[len] = '\0';
	return buf;
}

static void summary_json(const struct summary *s, struct k2e_json *j)
{
	const struct k2e_dump *d = s->d;
	const struct k2e_convert_result *res = s->res;
	char release[80], machine[80], when[32];
	const char *rel = vmci_string(s->km, "OSRELEASE", release, sizeof(release));
	int64_t crash_time = 0, v;
	bool have_time = false;

	k2e_json_begin_object(j, NULL);
	/* "input" then "status" first: a rerun rewrites the status of a saved line. */
	k2e_json_begin_array(j, "input");
	for (size_t i = 0; i < s->n_inputs; i++)
		k2e_json_string(j, NULL, s->inputs[i]);
	k2e_json_end_array(j);
	k2e_json_string(j, "status", s->status);
	k2e_json_string(j, "error", s->error);
	k2e_json_string(j, "format", format_token(s));
	k2e_json_string(j, "format_desc", d ? d->format_desc : NULL);
	if (res) {
		k2e_json_begin_array(j, "codecs");
		for (int i = 0; i < K2E_CODEC_COUNT; i++)
			if (res->pages.codecs_seen & (1u << i))
				k2e_json_string(j, NULL, k2e_codec_get((enum k2e_codec_id)i)->name);
		k2e_json_end_array(j);
	} else {
		k2e_json_null(j, "codecs");
	}
	if (d && d->header_version >= 0)
		k2e_json_i64(j, "header_version", d->header_version);
	else
		k2e_json_null(j, "header_version");

	k2e_json_begin_object(j, "kernel");
	if (!rel && d && d->release[0])
		rel = d->release;
	k2e_json_string(j, "release", rel);
	if (d && d->machine[0])
		k2e_json_string(j, "machine", d->machine);
	else
		k2e_json_string(j, "machine", vmci_string(s->km, "MACHINE", machine, sizeof(machine)));
	if (d && d->page_size)
		k2e_json_u64(j, "page_size", d->page_size);
	else if (s->km && k2e_kmem_decimal(s->km, "PAGESIZE", &v) == 0 && v > 0)
		k2e_json_i64(j, "page_size", v);
	else
		k2e_json_null(j, "page_size");
	k2e_json_end_object(j);

	if (s->km)
		k2e_json_u64(j, "cpus", k2e_kmem_count_notes(s->km, "CORE", NT_PRSTATUS));
	else
		k2e_json_null(j, "cpus");
	if (s->km && k2e_kmem_decimal(s->km, "CRASHTIME", &v) == 0 && v > 0) {
		crash_time = v;
		have_time = true;
	} else if (d && d->crash_time) {
		crash_time = (int64_t)d->crash_time;
		have_time = true;
	}
	if (have_time) {
		time_t t = (time_t)crash_time;
		struct tm tm;

		k2e_json_i64(j, "crash_time", crash_time);
		if (gmtime_r(&t, &tm) && strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
			k2e_json_string(j, "crash_time_utc", when);
		else
			k2e_json_null(j, "crash_time_utc");
	} else {
		k2e_json_null(j, "crash_time");
		k2e_json_null(j, "crash_time_utc");
	}

	k2e_json_begin_object(j, "panic");
	k2e_json_string(j, "message", s->have_panic && s->panic.have_message ? s->panic.message : NULL);
	if (s->have_panic && s->panic.cpu >= 0)
		k2e_json_i64(j, "cpu", s->panic.cpu);
	else if (res && res->panic_cpu >= 0)	/* the kernel's panic_cpu, through vmlinux */
		k2e_json_i64(j, "cpu", res->panic_cpu);
	else
		k2e_json_null(j, "cpu");
	if (s->have_panic && s->panic.pid >= 0)
		k2e_json_i64(j, "pid", s->panic.pid);
	else
		k2e_json_null(j, "pid");
	k2e_json_string(j, "comm", s->have_panic && s->panic.comm[0] ? s->panic.comm : NULL);
	k2e_json_end_object(j);

	k2e_json_begin_object(j, "pages");
	if (res) {
		k2e_json_u64(j, "dumped", res->pages.dumped);
		k2e_json_u64(j, "zero", res->pages.zero);
		/* Pages of RAM that the dump left out; unknown for ELF dumps. */
		if (res->n_ram >= res->pages.dumped && res->n_ram)
			k2e_json_u64(j, "excluded", res->n_ram - res->pages.dumped);
		else
			k2e_json_null(j, "excluded");
		k2e_json_u64(j, "lost", res->pages.lost);
	} else {
		k2e_json_null(j, "dumped");
		k2e_json_null(j, "zero");
		k2e_json_null(j, "excluded");
		k2e_json_null(j, "lost");
	}
	k2e_json_end_object(j);

	k2e_json_u64(j, "bytes_in", s->bytes_in);
	if (s->have_bytes_out)
		k2e_json_u64(j, "bytes_out", s->bytes_out);
	else
		k2e_json_null(j, "bytes_out");
	k2e_json_double(j, "seconds", s->seconds, 3);
	k2e_json_begin_object(j, "outputs");
	k2e_json_string(j, "core", s->core);
	k2e_json_string(j, "gdb", res ? res->gdb_script : NULL);
	k2e_json_string(j, "sidecar", res ? res->sidecar : NULL);
	k2e_json_string(j, "dmesg", s->dmesg);
	k2e_json_end_object(j);
	k2e_json_string(j, "name", s->name);
	k2e_json_begin_array(j, "warnings");
	for (size_t i = 0; i < s->n_warnings; i++)
		k2e_json_string(j, NULL, s->warnings[i]);
	k2e_json_end_array(j);
	if (s->stamp)
		k2e_json_string(j, "input_stamp", s->stamp);
	k2e_json_string(j, "kdump2elf", K2E_VERSION);
	k2e_json_end_object(j);
}

/* Input bytes: the files' sizes, or what a stream consumed. */
static uint64_t input_bytes(char *const *paths, size_t n, const struct k2e_dump *d)
{
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (strcmp(paths[i], "-") != 0 && stat(paths[i], &st) == 0 && S_ISREG(st.st_mode))
			total += (uint64_t)st.st_size;
		else if (d && i < d->n_in && d->in[i].src)
			total += d->in[i].src->stats.bytes_in;
	}
	return total;
}

/* ------------------------------------------------------------------ */
/* Single conversions: kdump2elf ... --json FILE                      */

/* Write text to path ("-": standard output), replacing a file atomically. */
static int write_line_file(const char *path, const char *line, size_t len, struct k2e_err *err)
{
	struct k2e_outfile o;
	size_t done = 0;

	if (strcmp(path, "-") == 0) {
		if (fwrite(line, 1, len, stdout) != len || fflush(stdout) != 0)
			return k2e_err_errno(err, errno, "cannot write to standard output");
		return 0;
	}
	if (k2e_outfile_create(&o, path, err) < 0)
		return -1;
	while (done < len) {
		ssize_t n = write(o.fd, line + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			k2e_outfile_abort(&o);
			return k2e_err_errno(err, e, "cannot write '%s'", path);
		}
		done += (size_t)n;
	}
	return k2e_outfile_commit(&o, true, err);
}

int k2e_single_json(const char *json_path, const struct k2e_single_report *r)
{
	struct summary s = {
		.inputs = r->inputs,
		.n_inputs = r->n_inputs,
		.error = r->error,
		.d = r->d,
		.res = r->res,
		.core = r->core,
	};
	struct k2e_json j;
	struct k2e_err err;
	int rc = 0;

	s.status = r->error || !r->core ? "error"
		   : r->res && (r->res->pages.lost || r->res->stream_truncated) ? "partial" : "ok";
	if (r->res) {
		for (size_t i = 0; i < r->res->n_warnings; i++)
			add_warning(&s, r->res->warnings[i]);
	}
	if (r->core && r->res) {
		s.have_bytes_out = true;
		s.bytes_out = r->res->file_size;
		if (k2e_kmem_open(r->core, &s.km, &err) < 0) {
			add_warning(&s, xprintf("kernel log not read: %s", err.msg));
		} else if (k2e_panic_read(s.km, &s.panic, NULL, NULL, &err) < 0) {
			add_warning(&s, xprintf("kernel log not read: %s", err.msg));
		} else {
			s.have_panic = true;
		}
	}
	s.bytes_in = input_bytes(r->inputs, r->n_inputs, r->d);
	s.seconds = r->start ? elapsed(r->start) : 0;
	k2e_json_init(&j);
	summary_json(&s, &j);
	if (k2e_json_finish(&j) < 0) {
		k2e_cli_msg("--json: out of memory");
		rc = -1;
	} else if (write_line_file(json_path, j.buf, j.len, &err) < 0) {
		k2e_cli_msg("--json '%s': %s", json_path, err.msg);
		rc = -1;
	}
	k2e_json_release(&j);
	k2e_kmem_free(s.km);
	/* Warnings we formatted ourselves follow the converter's. */
	for (size_t i = r->res ? r->res->n_warnings : 0; i < s.n_warnings; i++)
		free((char *)s.warnings[i]);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Options                                                            */

struct opts {
	unsigned jobs, threads;
	const char *out_dir;
	const char *json;
	bool force, no_vmap;
	int verbosity;
	unsigned shard_k, shard_n;
};

bool k2e_batch_requested(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "--batch") == 0)
			return true;
	}
	return false;
}

static void batch_usage(FILE *f)
{
	fputs("usage: kdump2elf --batch [-fqv] [-j N] [--threads N] [--out-dir DIR] [--json FILE]\n"
	      "                 [--shard K/N] [--no-vmap] PATH...\n"
	      "\n"
	      "Convert every dump under the PATHs (dumps, split pieces, directories searched\n"
	      "recursively, or - for a list of paths on standard input).  For each dump, in DIR:\n"
	      "NAME.elf (the core), NAME.dmesg (the kernel log) and NAME.json (its summary).\n"
	      "\n"
	      "  -j, --jobs N        dumps converted at once (default 1)\n"
	      "      --threads N     decoding threads in all, shared by the jobs (default: CPUs)\n"
	      "      --out-dir DIR   where the outputs go (default: the current directory)\n"
	      "      --json FILE     also write every summary line to FILE (- for standard output)\n"
	      "      --shard K/N     convert only share K of N (1 <= K <= N) of the dumps\n"
	      "  -f, --force         redo dumps whose outputs are already complete\n"
	      "      --no-vmap       do not map kernel virtual addresses\n"
	      "  -q, --quiet         print only errors\n"
	      "  -v, --verbose       print a line for every dump\n"
	      "\n"
	      "Exit status: 0 all converted (or already done), 1 some failed, 2 usage error,\n"
	      "3 none failed but some lost pages.\n",
	      f);
}

bool k2e_cli_parse_count(const char *s, unsigned max, unsigned *ret)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || end == s || *end || n == 0 || n > max)
		return false;
	*ret = (unsigned)n;
	return true;
}

static int parse_opts(int argc, char **argv, struct opts *o, int *ret_first)
{
	static const struct option longopts[] = {
		{ "batch", no_argument, NULL, 'B' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "threads", required_argument, NULL, 'T' },
		{ "out-dir", required_argument, NULL, 'O' },
		{ "json", required_argument, NULL, 'J' },
		{ "shard", required_argument, NULL, 'S' },
		{ "force", no_argument, NULL, 'f' },
		{ "no-vmap", no_argument, NULL, 'M' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*o = (struct opts){ .jobs = 1, .out_dir = ".", .shard_k = 1, .shard_n = 1 };
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":j:fqvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'B':
			break;
		case 'j':
			if (!k2e_cli_parse_count(optarg, 1024, &o->jobs)) {
				k2e_cli_msg("-j: '%s' is not a number from 1 to 1024", optarg);
				return EXIT_USAGE_;
			}
			break;
		case 'T':
			if (!k2e_cli_parse_count(optarg, 1024, &o->threads)) {
				k2e_cli_msg("--threads: '%s' is not a number from 1 to 1024", optarg);
				return EXIT_USAGE_;
			}
			break;
		case 'O':
			o->out_dir = optarg;
			break;
		case 'J':
			o->json = optarg;
			break;
		case 'S': {
			char *slash = strchr(optarg, '/'), k[32];

			if (!slash || (size_t)(slash - optarg) >= sizeof(k)) {
				k2e_cli_msg("--shard: '%s' is not K/N", optarg);
				return EXIT_USAGE_;
			}
			memcpy(k, optarg, (size_t)(slash - optarg));
			k[slash - optarg] = '\0';
			if (!k2e_cli_parse_count(slash + 1, 1u << 20, &o->shard_n) ||
			    !k2e_cli_parse_count(k, o->shard_n, &o->shard_k)) {
				k2e_cli_msg("--shard: '%s' is not K/N with 1 <= K <= N", optarg);
				return EXIT_USAGE_;
			}
			break;
		}
		case 'f':
			o->force = true;
			break;
		case 'M':
			o->no_vmap = true;
			break;
		case 'q':
			o->verbosity = -1;
			break;
		case 'v':
			o->verbosity = 1;
			break;
		case 'h':
			batch_usage(stdout);
			exit(EXIT_OK_);
		case ':':
			k2e_cli_msg("option '%s' needs an argument", argv[optind - 1]);
			batch_usage(stderr);
			return EXIT_USAGE_;
		default:
			k2e_cli_msg("option '%s' is not one of batch mode's", argv[optind - 1]);
			batch_usage(stderr);
			return EXIT_USAGE_;
		}
	}
	if (!o->threads)
		o->threads = k2e_cpu_count();
	*ret_first = optind;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Inputs                                                             */

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

struct unit {
	char **paths;
	size_t n_paths;
	char *name;
	char *error;
	const char *format_hint;
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
		sc->f = xrealloc(sc->f, sc->cap * sizeof(*sc->f));
	}
	f = &sc->f[sc->n++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->dir = xstrdup(dir);
	f->base = xstrdup(base);
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
		f->error = xprintf("%s", err.msg);
		return;
	}
	f->id = id;
	if (id.kind == K2E_IDENT_NOT_DUMP)
		f->error = xstrdup("not a dump (no kdump, diskdump, flattened or ELF vmcore signature)");
	else if (id.kind == K2E_IDENT_K2E_CORE)
		f->error = xstrdup("a core written by kdump2elf, not a dump");
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

		f->error = xprintf("cannot read directory: %s", strerror(errno));
		return;
	}
	while ((de = readdir(dh))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dh);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char *path = xprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
		struct stat lst, st;

		if (lstat(path, &lst) < 0 || stat(path, &st) < 0) {
			free(path);
			continue;	/* vanished, or a dangling link */
		}
		if (S_ISDIR(st.st_mode)) {
			/* Never the output directory; never a link to a directory (no loops). */
			if (!S_ISLNK(lst.st_mode) &&
			    !(sc->have_out && st.st_dev == sc->out_dev && st.st_ino == sc->out_ino)) {
				char *sub = xprintf("%s%s/", rel, names[i]);

				walk(sc, path, sub);
				free(sub);
			}
		} else if (S_ISREG(st.st_mode)) {
			struct k2e_ident id;
			struct k2e_err err;

			if (k2e_identify(path, &id, &err) < 0) {
				struct found *f = add_found(sc, path, rel, names[i], scope);

				f->error = xprintf("%s", err.msg);
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
			buf = xrealloc(buf, cap + 1);
		}
		got = read(STDIN_FILENO, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	if (!buf)
		buf = xrealloc(NULL, 1);
	buf[len] = '\0';
	if (memchr(buf, '\0', len))
		sep = '\0';
	for (size_t pos = 0; pos < len;) {
		char *end = memchr(buf + pos, sep, len - pos);
		size_t l = end ? (size_t)(end - (buf + pos)) : len - pos;

		if (sep == '\n' && l && buf[pos + l - 1] == '\r')
			l--;
		if (l) {
			list = xrealloc(list, (n + 1) * sizeof(*list));
			list[n] = xrealloc(NULL, l + 1);
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

		f->error = xprintf("cannot open: %s", strerror(errno));
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
		return xstrdup(pieces[0]->base);
	return xprintf("%.*s", (int)len, pieces[0]->base);
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
			exit(EXIT_ERROR_);
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
static void name_unit(struct unit *u, struct nameset *ns, const char *dir, const char *stem)
{
	u->name = xprintf("%s%s", dir, stem[0] ? stem : "dump");
	for (unsigned k = 2; !nameset_add(ns, u->name); k++) {
		free(u->name);
		u->name = xprintf("%s%s-%u", dir, stem[0] ? stem : "dump", k);
	}
}

static struct unit *build_units(struct scan *sc, size_t *ret_n)
{
	struct unit *units = xrealloc(NULL, sc->n * sizeof(*units));
	struct found **group = xrealloc(NULL, sc->n * sizeof(*group));
	struct nameset ns = { 0 };
	size_t n = 0;

	for (size_t i = 0; i < sc->n; i++) {
		struct found *f = &sc->f[i];
		struct unit *u;
		size_t g = 0;

		if (f->grouped)
			continue;
		u = &units[n++];
		memset(u, 0, sizeof(*u));
		u->format_hint = f->id.format;
		if (f->error || f->id.kind != K2E_IDENT_PIECE) {
			u->paths = xrealloc(NULL, sizeof(*u->paths));
			u->paths[0] = xstrdup(f->path);
			u->n_paths = 1;
			u->error = f->error ? xstrdup(f->error) : NULL;
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
		u->paths = xrealloc(NULL, g * sizeof(*u->paths));
		for (size_t k = 0; k < g; k++)
			u->paths[k] = xstrdup(group[k]->path);
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

static void free_units(struct unit *u, size_t n)
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

/* ------------------------------------------------------------------ */
/* One dump                                                           */

struct batch;

struct devino {
	dev_t dev;
	ino_t ino;
};

static int devino_cmp(const void *a, const void *b)
{
	const struct devino *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

struct slot {
	struct batch *b;
	bool active;
	uint64_t pages_done, pages_total, bytes_in;
};

struct batch {
	struct opts o;
	struct unit *units;
	size_t n_units;
	unsigned per_dump_threads;
	pthread_mutex_t lock;
	size_t next;
	size_t done, n_ok, n_partial, n_failed, n_skipped;
	uint64_t bytes_done;
	/* --json */
	bool json_stdout;
	struct k2e_outfile json_file;
	bool json_open, json_failed;
	/* progress */
	bool tty, shown;
	struct timespec t0, last_draw;
	struct slot *slots;
	/* Every input file, sorted: no output may replace one. */
	struct devino *inputs;
	size_t n_inputs;
};

enum outcome { OUT_OK, OUT_PARTIAL, OUT_ERROR, OUT_SKIPPED };

static int mkdir_p(const char *path, struct k2e_err *err)
{
	char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			int e = errno;

			k2e_err_errno(err, e, "cannot create directory '%s'", p);
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, 0777) < 0 && errno != EEXIST) {
		k2e_err_errno(err, errno, "cannot create directory '%s'", p);
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

/* The inputs' identity as NAME.json records it: size and mtime of each piece. */
static char *input_stamp(struct unit *u)
{
	char *s = xstrdup("");

	for (size_t i = 0; i < u->n_paths; i++) {
		struct stat st;
		char *t;

		if (stat(u->paths[i], &st) < 0) {
			free(s);
			return NULL;
		}
		t = xprintf("%s%s%llu:%lld.%09ld", s, i ? ";" : "", (unsigned long long)st.st_size,
			    (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
		free(s);
		s = t;
	}
	return s;
}

static char *read_small(const char *path, size_t max, size_t *ret_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	size_t len = 0;

	if (fd < 0)
		return NULL;
	buf = xrealloc(NULL, max + 1);
	for (;;) {
		ssize_t n = read(fd, buf + len, max - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == max)
			break;
	}
	close(fd);
	buf[len] = '\0';
	*ret_len = len;
	return buf;
}

/*
 * NAME.json of a finished dump: its line, rewritten for this run
 * ({"input":[...],"status":"skipped","previous_status":"ok",...}), or NULL
 * when the dump is not complete.
 */
static char *done_line(struct unit *u, const char *marker, const char *core, const char *stamp)
{
	static const char *const done_status[] = { "ok", "partial" };
	char *saved, *want, *st, *line = NULL;
	const char *prev = NULL;
	size_t len, tail;
	struct stat cst;
	struct k2e_json j;

	saved = read_small(marker, max_marker, &len);
	if (!saved)
		return NULL;
	want = xprintf("\"input_stamp\":\"%s\"", stamp);
	st = strstr(saved, "\"status\":\"");
	if (len < 2 || saved[len - 1] != '\n' || memchr(saved, '\n', len - 1) ||
	    memchr(saved, '\0', len) || !st || !strstr(saved, want) || stat(core, &cst) < 0)
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
	line = xrealloc(NULL, j.len + tail + 1);
	memcpy(line, j.buf, j.len);
	memcpy(line + j.len, st, tail + 1);
	k2e_json_release(&j);
out:
	free(want);
	free(saved);
	return line;
}

static void progress_cb(void *arg, uint64_t done, uint64_t total);
static void draw_progress(struct batch *b, bool force);
static void clear_progress(struct batch *b);

static bool is_input(const struct batch *b, const struct stat *st)
{
	struct devino key = { st->st_dev, st->st_ino };

	return b->n_inputs &&
	       bsearch(&key, b->inputs, b->n_inputs, sizeof(key), devino_cmp) != NULL;
}

/*
 * May the outputs at core and marker be replaced?  Never an input; without
 * -f, only what kdump2elf wrote (a core with its note, a line of ours).
 */
static int may_replace(const struct batch *b, const char *const *paths, size_t n,
		       struct k2e_err *err)
{
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (stat(paths[i], &st) < 0)
			continue;
		if (is_input(b, &st))
			return k2e_err_set(err, "output '%s' is one of the inputs", paths[i]);
		if (b->o.force)
			continue;
		if (i == 0) {
			struct k2e_ident id;

			if (k2e_identify(paths[i], &id, err) < 0 || id.kind != K2E_IDENT_K2E_CORE)
				return k2e_err_set(err, "'%s' exists and is not a core kdump2elf wrote (use -f to replace it)",
						   paths[i]);
		} else if (i == 1) {
			size_t len;
			char *text = read_small(paths[i], max_marker, &len);
			bool ours = text && strstr(text, "\"kdump2elf\":\"");

			free(text);
			if (!ours)
				return k2e_err_set(err, "'%s' exists and is not a summary kdump2elf wrote (use -f to replace it)",
						   paths[i]);
		}
	}
	return 0;
}

/* Convert one dump; *ret_line is its summary line (the caller frees). */
static enum outcome process(struct batch *b, struct slot *slot, struct unit *u, char **ret_line,
			    uint64_t *ret_bytes_in, char **ret_note)
{
	struct summary s = { .inputs = u->paths, .n_inputs = u->n_paths, .status = "error",
			     .format_hint = u->format_hint, .name = u->name };
	struct k2e_dump *d = NULL;
	struct k2e_convert_result res;
	bool have_res = false;
	struct k2e_err err;
	struct timespec t0;
	struct k2e_json j;
	char *stem = NULL, *core = NULL, *dmesg = NULL, *marker = NULL, *stamp = NULL;
	char *log = NULL, *log_warning = NULL;
	size_t log_len = 0;
	enum outcome out = OUT_ERROR;
	char *dir;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*ret_note = NULL;
	s.bytes_in = input_bytes(u->paths, u->n_paths, NULL);
	*ret_bytes_in = s.bytes_in;
	if (u->error) {
		s.error = u->error;
		goto line;
	}
	stem = xprintf("%s/%s", b->o.out_dir, u->name);
	core = xprintf("%s.elf", stem);
	dmesg = xprintf("%s.dmesg", stem);
	marker = xprintf("%s.json", stem);
	stamp = input_stamp(u);
	s.stamp = stamp;
	dir = xstrdup(stem);
	*strrchr(dir, '/') = '\0';
	if (mkdir_p(dir, &err) < 0) {
		free(dir);
		s.error = err.msg;
		goto line;
	}
	free(dir);
	if (!b->o.force && stamp) {
		char *line = done_line(u, marker, core, stamp);

		if (line) {
			*ret_line = line;
			out = OUT_SKIPPED;
			goto done;
		}
	}
	{
		const char *outs[] = { core, marker, dmesg };

		if (may_replace(b, outs, 3, &err) < 0) {
			s.error = err.msg;
			goto line;
		}
	}
	/* Not complete: nothing of a previous attempt stays to be mistaken for output. */
	unlink(marker);
	unlink(dmesg);
	unlink(core);
	for (size_t i = 0; i < 2; i++) {
		/* The converter's OUTPUT.gdb and OUTPUT.sym. */
		char *extra = xprintf("%s.%s", core, i ? "sym" : "gdb");

		unlink(extra);
		free(extra);
	}

	if (k2e_dump_open_paths((const char *const *)u->paths, u->n_paths, 0, &d, &err) < 0) {
		s.error = err.msg;
		goto line;
	}
	s.d = d;
	{
		struct k2e_convert_opts co = {
			.output = core,
			.force = true,
			.threads = b->per_dump_threads,
			.no_vmap = b->o.no_vmap,
			.progress = progress_cb,
			.progress_arg = slot,
		};

		k2e_convert_result_init(&res);
		have_res = true;
		if (k2e_convert(d, &co, &res, &err) < 0) {
			s.error = err.msg;
			goto line;
		}
	}
	s.res = &res;
	s.core = core;
	s.have_bytes_out = true;
	s.bytes_out = res.file_size;
	s.bytes_in = input_bytes(u->paths, u->n_paths, d);
	*ret_bytes_in = s.bytes_in;
	s.status = res.pages.lost || res.stream_truncated ? "partial" : "ok";
	for (size_t i = 0; i < res.n_warnings; i++)
		add_warning(&s, res.warnings[i]);
	if (d->incomplete_flag && !res.pages.lost)
		add_warning(&s, "the dump is flagged incomplete, but every page it lists was read");

	/* The kernel log and what it says about the panic, from the core just written. */
	if (k2e_kmem_open(core, &s.km, &err) < 0 ||
	    k2e_panic_read(s.km, &s.panic, &log, &log_len, &err) < 0) {
		log_warning = xprintf("kernel log not read: %s", err.msg);
		add_warning(&s, log_warning);
	} else if (write_line_file(dmesg, log, log_len, &err) < 0) {
		s.have_panic = true;
		log_warning = xprintf("kernel log not written: %s", err.msg);
		add_warning(&s, log_warning);
	} else {
		s.have_panic = true;
		s.dmesg = dmesg;
	}

	/* The marker, last: NAME.json says the outputs above are complete. */
	s.seconds = elapsed(&t0);
	k2e_json_init(&j);
	summary_json(&s, &j);
	if (k2e_json_finish(&j) < 0) {
		k2e_json_release(&j);
		s.error = "out of memory";
		s.status = "error";
		goto line;
	}
	if (write_line_file(marker, j.buf, j.len, &err) < 0) {
		k2e_json_release(&j);
		*ret_note = xprintf("%s", err.msg);
		s.error = *ret_note;
		s.status = "error";
		goto line;
	}
	*ret_line = j.buf;	/* handed over */
	out = strcmp(s.status, "ok") == 0 ? OUT_OK : OUT_PARTIAL;
	if (out == OUT_PARTIAL)
		*ret_note = xprintf("%llu of %llu pages lost",
				    (unsigned long long)res.pages.lost,
				    (unsigned long long)res.pages.dumped);
	goto done;

line:
	/* A failed dump: its line is not saved (it is retried next time). */
	s.seconds = elapsed(&t0);
	s.status = "error";
	if (!*ret_note && s.error)
		*ret_note = xstrdup(s.error);
	k2e_json_init(&j);
	summary_json(&s, &j);
	if (k2e_json_finish(&j) < 0) {
		k2e_json_release(&j);
		*ret_line = xstrdup("{\"status\":\"error\",\"error\":\"out of memory\"}\n");
	} else {
		*ret_line = j.buf;
	}
	out = OUT_ERROR;
done:
	k2e_kmem_free(s.km);
	if (have_res)
		k2e_convert_result_release(&res);
	k2e_dump_free(d);
	free(log);
	free(log_warning);
	free(stem);
	free(core);
	free(dmesg);
	free(marker);
	free(stamp);
	return out;
}

/* ------------------------------------------------------------------ */
/* Workers, results, progress                                         */

static void clear_progress(struct batch *b)
{
	if (b->shown)
		fputs("\r\033[K", stderr);
	b->shown = false;
}

/* Call with the lock held. */
static void draw_progress(struct batch *b, bool force)
{
	struct timespec now;
	double dt, t, bytes = (double)b->bytes_done;
	size_t running = 0;

	if (!b->tty || b->o.verbosity < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	dt = (double)(now.tv_sec - b->last_draw.tv_sec) +
	     (double)(now.tv_nsec - b->last_draw.tv_nsec) / 1e9;
	if (!force && dt < 0.25)
		return;
	b->last_draw = now;
	for (unsigned i = 0; i < b->o.jobs; i++) {
		const struct slot *sl = &b->slots[i];

		if (!sl->active)
			continue;
		running++;
		if (sl->pages_total)
			bytes += (double)sl->bytes_in * (double)sl->pages_done / (double)sl->pages_total;
	}
	t = elapsed(&b->t0);
	fprintf(stderr, "\r\033[Kkdump2elf: %zu of %zu dumps done", b->done, b->n_units);
	if (b->n_failed)
		fprintf(stderr, ", %zu failed", b->n_failed);
	if (running)
		fprintf(stderr, ", %zu converting", running);
	fprintf(stderr, ", %.1f MB/s", t > 0 ? bytes / t / 1e6 : 0.0);
	b->shown = true;
}

static void progress_cb(void *arg, uint64_t done, uint64_t total)
{
	struct slot *sl = arg;
	struct batch *b = sl->b;

	pthread_mutex_lock(&b->lock);
	sl->pages_done = done;
	sl->pages_total = total;
	draw_progress(b, false);
	pthread_mutex_unlock(&b->lock);
}

static void emit(struct batch *b, const char *line)
{
	size_t len = strlen(line);

	if (b->json_stdout) {
		if (fwrite(line, 1, len, stdout) != len || fflush(stdout) != 0)
			b->json_failed = true;
	} else if (b->json_open) {
		size_t done = 0;

		while (done < len) {
			ssize_t n = write(b->json_file.fd, line + done, len - done);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				b->json_failed = true;
				break;
			}
			done += (size_t)n;
		}
	}
}

static void *worker(void *arg)
{
	struct slot *sl = arg;
	struct batch *b = sl->b;

	for (;;) {
		struct unit *u;
		enum outcome out;
		char *line = NULL, *note = NULL;
		uint64_t bytes_in = 0;
		const char *input;

		pthread_mutex_lock(&b->lock);
		if (b->next >= b->n_units) {
			pthread_mutex_unlock(&b->lock);
			return NULL;
		}
		u = &b->units[b->next++];
		sl->active = true;
		sl->pages_done = sl->pages_total = 0;
		sl->bytes_in = 0;
		{
			uint64_t total = 0;

			for (size_t i = 0; i < u->n_paths; i++) {
				struct stat st;

				if (stat(u->paths[i], &st) == 0)
					total += (uint64_t)st.st_size;
			}
			sl->bytes_in = total;
		}
		pthread_mutex_unlock(&b->lock);

		out = process(b, sl, u, &line, &bytes_in, &note);

		pthread_mutex_lock(&b->lock);
		sl->active = false;
		b->done++;
		input = u->paths[0];
		switch (out) {
		case OUT_OK:
			b->n_ok++;
			b->bytes_done += bytes_in;
			break;
		case OUT_PARTIAL:
			b->n_partial++;
			b->bytes_done += bytes_in;
			break;
		case OUT_SKIPPED:
			b->n_skipped++;
			break;
		case OUT_ERROR:
			b->n_failed++;
			break;
		}
		clear_progress(b);
		if (out == OUT_ERROR) {
			size_t il = strlen(input);

			if (note && strncmp(note, input, il) == 0 && note[il] == ':')
				k2e_cli_msg("%s", note);
			else
				k2e_cli_msg("%s: %s", input, note ? note : "failed");
		}
		else if (out == OUT_PARTIAL && b->o.verbosity >= 0)
			k2e_cli_msg("%s: %s; '%s/%s.elf' holds the rest", input, note ? note : "pages lost",
			    b->o.out_dir, u->name);
		else if (b->o.verbosity > 0)
			k2e_cli_msg("%s: %s -> %s/%s.elf", input,
			    out == OUT_SKIPPED ? "already done" : "converted", b->o.out_dir, u->name);
		emit(b, line);
		draw_progress(b, true);
		pthread_mutex_unlock(&b->lock);
		free(line);
		free(note);
	}
}

int k2e_batch_main(int argc, char **argv)
{
	struct batch b;
	struct scan sc = { 0 };
	struct k2e_err err;
	struct stat ost;
	pthread_t *tids;
	int first, rc;
	size_t n_all, kept = 0;
	struct unit *all;
	bool stdin_used = false;

	memset(&b, 0, sizeof(b));
	rc = parse_opts(argc, argv, &b.o, &first);
	if (rc)
		return rc;
	if (first >= argc) {
		k2e_cli_msg("no PATH given");
		batch_usage(stderr);
		return EXIT_USAGE_;
	}
	if (mkdir_p(b.o.out_dir, &err) < 0 || stat(b.o.out_dir, &ost) < 0) {
		k2e_cli_msg("--out-dir '%s': %s", b.o.out_dir, err.msg);
		return EXIT_ERROR_;
	}
	sc.out_dev = ost.st_dev;
	sc.out_ino = ost.st_ino;
	sc.have_out = true;
	for (int i = first; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0) {
			size_t n;
			char **list;

			if (stdin_used) {
				k2e_cli_msg("'-' given twice");
				return EXIT_USAGE_;
			}
			stdin_used = true;
			list = read_stdin_list(&n);
			for (size_t k = 0; k < n; k++) {
				add_path(&sc, list[k]);
				free(list[k]);
			}
			free(list);
		} else {
			add_path(&sc, argv[i]);
		}
	}
	all = build_units(&sc, &n_all);
	for (size_t i = 0; i < n_all; i++) {
		for (size_t k = 0; k < all[i].n_paths; k++) {
			struct stat st;

			if (stat(all[i].paths[k], &st) < 0)
				continue;
			b.inputs = xrealloc(b.inputs, (b.n_inputs + 1) * sizeof(*b.inputs));
			b.inputs[b.n_inputs++] = (struct devino){ st.st_dev, st.st_ino };
		}
	}
	if (b.n_inputs)
		qsort(b.inputs, b.n_inputs, sizeof(*b.inputs), devino_cmp);
	for (size_t i = 0; i < sc.n; i++) {
		free(sc.f[i].path);
		free(sc.f[i].dir);
		free(sc.f[i].base);
		free(sc.f[i].error);
	}
	free(sc.f);

	/* This shard's share: a hash of the name, the same on every machine. */
	for (size_t i = 0; i < n_all; i++) {
		if (hash_str(all[i].name) % b.o.shard_n == b.o.shard_k - 1) {
			struct unit t = all[kept];

			all[kept++] = all[i];
			all[i] = t;
		}
	}
	b.units = all;
	b.n_units = kept;

	if (b.o.json) {
		if (strcmp(b.o.json, "-") == 0) {
			b.json_stdout = true;
		} else if (k2e_outfile_create(&b.json_file, b.o.json, &err) < 0) {
			k2e_cli_msg("--json '%s': %s", b.o.json, err.msg);
			free(b.inputs);
			free_units(all, n_all);
			return EXIT_ERROR_;
		} else {
			b.json_open = true;
		}
	}
	if (b.o.jobs > b.n_units && b.n_units)
		b.o.jobs = (unsigned)b.n_units;
	b.per_dump_threads = b.o.threads / b.o.jobs ? b.o.threads / b.o.jobs : 1;
	b.tty = isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &b.t0);
	b.last_draw = b.t0;
	pthread_mutex_init(&b.lock, NULL);
	b.slots = xrealloc(NULL, b.o.jobs * sizeof(*b.slots));
	tids = xrealloc(NULL, b.o.jobs * sizeof(*tids));
	memset(b.slots, 0, b.o.jobs * sizeof(*b.slots));
	if (b.o.verbosity > 0)
		k2e_cli_msg("%zu dumps to convert (%zu found, shard %u/%u), %u at a time, %u decoding thread%s each",
		    b.n_units, n_all, b.o.shard_k, b.o.shard_n, b.o.jobs, b.per_dump_threads,
		    b.per_dump_threads == 1 ? "" : "s");
	for (unsigned i = 0; i < b.o.jobs; i++) {
		b.slots[i].b = &b;
		if (pthread_create(&tids[i], NULL, worker, &b.slots[i]) != 0) {
			k2e_cli_msg("cannot start a worker thread");
			/* Those started finish the list. */
			b.o.jobs = i;
			break;
		}
	}
	if (b.o.jobs == 0)
		worker(&(struct slot){ .b = &b });
	for (unsigned i = 0; i < b.o.jobs; i++)
		pthread_join(tids[i], NULL);
	clear_progress(&b);
	pthread_mutex_destroy(&b.lock);

	rc = b.n_failed ? EXIT_ERROR_ : b.n_partial ? EXIT_LOST_ : EXIT_OK_;
	if (b.json_open) {
		if (b.json_failed) {
			k2e_cli_msg("--json '%s': write error", b.o.json);
			k2e_outfile_abort(&b.json_file);
			rc = EXIT_ERROR_;
		} else if (k2e_outfile_commit(&b.json_file, true, &err) < 0) {
			k2e_cli_msg("--json '%s': %s", b.o.json, err.msg);
			rc = EXIT_ERROR_;
		}
	} else if (b.json_failed) {
		k2e_cli_msg("--json: cannot write to standard output");
		rc = EXIT_ERROR_;
	}
	if (b.o.verbosity >= 0 && (b.o.verbosity > 0 || b.n_failed || b.n_partial))
		k2e_cli_msg("%zu dumps: %zu converted, %zu with lost pages, %zu failed, %zu already done",
		    b.n_units, b.n_ok, b.n_partial, b.n_failed, b.n_skipped);
	free(tids);
	free(b.slots);
	free(b.inputs);
	free_units(all, n_all);
	return rc;
}
