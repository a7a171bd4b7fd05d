/* main.c - the kdump2elf command line: the only place that prints. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "cli/batch.h"
#include "cli/exit.h"
#include "cli/mount.h"
#include "cli/msg.h"
#include "cli/options.h"
#include "cli/summary.h"
#include "codecs/codec.h"
#include "convert/convert.h"
#include "formats/format.h"
#include "io/source.h"
#include "lib/cpus.h"

struct cli {
	const char *output;
	bool force;
	int verbosity;		/* -1 quiet, 0 normal, 1 verbose */
	unsigned threads;
	bool no_vmap;
	bool no_gdb_script;
	bool no_sidecar;
	bool no_symtab;
	const char *system_map;	/* --system-map FILE: OUTPUT.sym's vmlinux symbols */
	const char *btf;	/* --btf FILE: OUTPUT.sym's raw vmlinux BTF */
	const char *vmlinux;
	const char *module_dirs[64];
	size_t n_module_dirs;
	size_t stream_mem;
	const char *json;	/* --json FILE: the summary line (cli/summary.c) */
	const char *mount;	/* --mount DIR: serve the core there, write nothing */
	bool foreground;	/* --foreground: the mount stays attached */
	unsigned cache_mib;	/* --cache MiB: decoded pages a mount keeps */
	struct timespec start;
	/* progress */
	bool tty;
	struct timespec last;
	bool shown;
};

/* The version, and the codecs built with the library decoding each. */
static void print_version(void)
{
	const char *sep = "";

	printf("kdump2elf %s\ncodecs:", K2E_VERSION);
	for (int i = 1; i < K2E_CODEC_COUNT; i++) {
		const struct k2e_codec *c = k2e_codec_get((enum k2e_codec_id)i);

		if (!c->built)
			continue;
		printf("%s %s", sep, c->name);
		if (c->decoder && strcmp(c->decoder, c->name) != 0)
			printf(" (%s)", c->decoder);
		sep = ",";
	}
	printf("\n");
}

static void usage(FILE *f)
{
	fputs("usage: kdump2elf [-fqv] [--threads N] [--vmlinux FILE] [--modules DIR]... -o OUTPUT DUMP [PIECE...]\n"
	      "       kdump2elf --mount DIR [--foreground] [--cache MiB] [options] DUMP [PIECE...]\n"
	      "       kdump2elf --batch [options] PATH...   (kdump2elf --batch --help)\n"
	      "       kdump2elf --help | --version\n"
	      "\n"
	      "Convert a kdump-compressed, flattened, split, diskdump or ELF vmcore\n"
	      "(DUMP, or - for standard input) into an ELF64 core file OUTPUT.\n"
	      "\n"
	      "  -o, --output FILE   the core file to write\n"
	      "  -f, --force         replace OUTPUT if it exists\n"
	      "  -q, --quiet         print only errors\n"
	      "  -v, --verbose       describe the dump and the result\n"
	      "      --threads N     decoding threads (default: number of CPUs)\n"
	      "      --stream-buffer MiB  memory for out-of-order flattened records (default 32)\n"
	      "      --no-vmap       do not map kernel virtual addresses\n"
	      "      --vmlinux FILE  the dumped kernel's vmlinux (default: found by build ID)\n"
	      "      --modules DIR   where to look for NAME.ko files (repeatable)\n"
	      "      --no-gdb-script do not write OUTPUT.gdb\n"
	      "      --no-sidecar    without a vmlinux, do not write OUTPUT.sym\n"
	      "      --no-symtab     no section headers and symbol table in the core\n"
	      "      --system-map FILE  OUTPUT.sym's kernel symbols from this System.map\n"
	      "      --btf FILE      OUTPUT.sym's types from this raw BTF (/sys/kernel/btf/vmlinux)\n"
	      "      --json FILE     write a JSON summary line to FILE (- for standard output)\n"
	      "      --mount DIR     write nothing: serve DIR/vmcore.elf, .gdb and .sym (FUSE),\n"
	      "                      pages decoded when read; fusermount3 -u DIR unmounts\n"
	      "      --foreground    with --mount: stay attached until unmounted\n"
	      "      --cache MiB     with --mount: decoded pages kept in memory (default 64)\n"
	      "  -h, --help          this text\n"
	      "  -V, --version       print the version\n"
	      "\n"
	      "Exit status: 0 converted, 1 error, 2 usage error, 3 converted but pages were lost.\n",
	      f);
}

static void progress(void *arg, uint64_t done, uint64_t total)
{
	struct cli *c = arg;
	struct timespec now;
	double dt;

	if (!c->tty || c->verbosity < 0 || total == 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	dt = (double)(now.tv_sec - c->last.tv_sec) + (double)(now.tv_nsec - c->last.tv_nsec) / 1e9;
	if (dt < 0.25 && done < total)
		return;
	c->last = now;
	fprintf(stderr, "\rkdump2elf: %3u%% (%llu of %llu pages)",
		(unsigned)(done * 100 / total), (unsigned long long)done, (unsigned long long)total);
	c->shown = true;
}

static void progress_done(struct cli *c)
{
	if (c->shown)
		fputs("\r\033[K", stderr);
	c->shown = false;
}

static int parse_args(int argc, char **argv, struct cli *c, int *ret_first)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "threads", required_argument, NULL, 'T' },
		{ "stream-buffer", required_argument, NULL, 'R' },
		{ "no-vmap", no_argument, NULL, 'M' },
		{ "vmlinux", required_argument, NULL, 'K' },
		{ "modules", required_argument, NULL, 'D' },
		{ "no-gdb-script", no_argument, NULL, 'G' },
		{ "no-sidecar", no_argument, NULL, 'S' },
		{ "no-symtab", no_argument, NULL, 'N' },
		{ "system-map", required_argument, NULL, 'Y' },
		{ "btf", required_argument, NULL, 'B' },
		{ "json", required_argument, NULL, 'J' },
		{ "mount", required_argument, NULL, 'm' },
		{ "foreground", no_argument, NULL, 'F' },
		{ "cache", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "o:fqvhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			c->output = optarg;
			break;
		case 'f':
			c->force = true;
			break;
		case 'q':
			c->verbosity = -1;
			break;
		case 'v':
			c->verbosity = 1;
			break;
		case 'T':
			if (!k2e_cli_parse_count(optarg, 1024, &c->threads)) {
				k2e_cli_msg("--threads: '%s' is not a number from 1 to 1024", optarg);
				return K2E_EXIT_USAGE;
			}
			break;
		case 'R': {
			unsigned mib;

			if (!k2e_cli_parse_count(optarg, 65536, &mib)) {
				k2e_cli_msg("--stream-buffer: '%s' is not a number of MiB from 1 to 65536", optarg);
				return K2E_EXIT_USAGE;
			}
			c->stream_mem = (size_t)mib << 20;
			break;
		}
		case 'M':
			c->no_vmap = true;
			break;
		case 'K':
			c->vmlinux = optarg;
			break;
		case 'D':
			if (c->n_module_dirs == sizeof(c->module_dirs) / sizeof(c->module_dirs[0])) {
				k2e_cli_msg("--modules: at most %zu directories", c->n_module_dirs);
				return K2E_EXIT_USAGE;
			}
			c->module_dirs[c->n_module_dirs++] = optarg;
			break;
		case 'G':
			c->no_gdb_script = true;
			break;
		case 'S':
			c->no_sidecar = true;
			break;
		case 'N':
			c->no_symtab = true;
			break;
		case 'Y':
			c->system_map = optarg;
			break;
		case 'B':
			c->btf = optarg;
			break;
		case 'J':
			c->json = optarg;
			break;
		case 'm':
			c->mount = optarg;
			break;
		case 'F':
			c->foreground = true;
			break;
		case 'C':
			if (!k2e_cli_parse_count(optarg, 1 << 20, &c->cache_mib)) {
				k2e_cli_msg("--cache: '%s' is not a number of MiB from 1 to 1048576", optarg);
				return K2E_EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			exit(K2E_EXIT_OK);
		case 'V':
			print_version();
			exit(K2E_EXIT_OK);
		default:
			usage(stderr);
			return K2E_EXIT_USAGE;
		}
	}
	*ret_first = optind;
	return 0;
}

static bool same_file(const char *a, const struct stat *st)
{
	struct stat sa;

	return stat(a, &sa) == 0 && sa.st_dev == st->st_dev && sa.st_ino == st->st_ino;
}

static void print_summary(const struct k2e_dump *d, const struct k2e_convert_result *r,
			  const char *output)
{
	const struct k2e_page_stats *st = &r->pages;
	char codecs[64] = "";

	for (int i = 0; i < K2E_CODEC_COUNT; i++) {
		if (st->codecs_seen & (1u << i)) {
			if (codecs[0])
				strcat(codecs, ",");
			strcat(codecs, k2e_codec_get((enum k2e_codec_id)i)->name);
		}
	}
	fprintf(stderr,
		"kdump2elf: %s: %s, header version %d, %s %s, page size %u\n"
		"kdump2elf: pages: %llu dumped, %llu written, %llu zero, %llu lost; codecs: %s\n"
		"kdump2elf: %s: %llu program headers (%llu physical, %llu aliases), %llu bytes\n",
		d->in[0].path, d->format_desc, d->header_version, d->machine, d->release,
		d->page_size, (unsigned long long)st->dumped, (unsigned long long)st->written,
		(unsigned long long)st->zero, (unsigned long long)st->lost,
		codecs[0] ? codecs : "none", output, (unsigned long long)r->n_phdrs,
		(unsigned long long)r->n_phys_loads, (unsigned long long)r->n_alias_loads,
		(unsigned long long)r->file_size);
	if (r->vmap_note[0])
		fprintf(stderr, "kdump2elf: kernel virtual addresses not mapped: %s\n", r->vmap_note);
	if (r->page_offset_known)
		fprintf(stderr, "kdump2elf: direct map at 0x%llx\n", (unsigned long long)r->page_offset);
	if (r->vmlinux)
		fprintf(stderr, "kdump2elf: vmlinux: %s\n", r->vmlinux);
	else if (r->vmlinux_note[0])
		fprintf(stderr, "kdump2elf: no vmlinux: %s\n", r->vmlinux_note);
	fprintf(stderr, "kdump2elf: %zu CPU notes, %zu mapped to CPUs; panic CPU %d; %zu modules, %zu found on disk\n",
		r->n_prstatus, r->n_cpus_mapped, r->panic_cpu, r->n_modules, r->n_modules_found);
	if (r->kinfo_note[0])
		fprintf(stderr, "kdump2elf: %s\n", r->kinfo_note);
	for (const char *l = r->cpu_map; l && *l;) {
		const char *nl = strchr(l, '\n');
		int len = nl ? (int)(nl - l) : (int)strlen(l);

		fprintf(stderr, "kdump2elf:   %.*s\n", len, l);
		l += len + (nl != NULL);
	}
	if (r->sidecar)
		fprintf(stderr, "kdump2elf: symbol sidecar: %s: %s\n", r->sidecar, r->sidecar_note);
	else if (r->sidecar_note[0])
		fprintf(stderr, "kdump2elf: no symbol sidecar: %s\n", r->sidecar_note);
	if (r->n_core_symbols)
		fprintf(stderr, "kdump2elf: core symbol table: %zu symbols in %zu load sections%s%s\n",
			r->n_core_symbols, r->n_core_sections, r->core_symtab_note[0] ? "; " : "",
			r->core_symtab_note);
	else if (r->core_symtab_note[0])
		fprintf(stderr, "kdump2elf: no core symbol table: %s\n", r->core_symtab_note);
	if (r->gdb_script)
		fprintf(stderr, "kdump2elf: gdb script: %s (gdb -x %s)\n", r->gdb_script, r->gdb_script);
}

static void print_lost(const struct k2e_convert_result *r, const char *output)
{
	const struct k2e_page_stats *st = &r->pages;
	char ranges[512] = "";
	size_t len = 0;

	for (size_t i = 0; i < st->n_lost_msgs; i++)
		k2e_cli_msg("warning: %s", st->lost_msgs[i]);
	if (st->n_lost_events > st->n_lost_msgs)
		k2e_cli_msg("warning: ... and %llu more lost page runs",
		    (unsigned long long)(st->n_lost_events - st->n_lost_msgs));
	for (size_t i = 0; i < st->lost_runs.n && len < sizeof(ranges) - 64; i++) {
		const struct k2e_run *run = &st->lost_runs.v[i];

		if (i == 8) {
			snprintf(ranges + len, sizeof(ranges) - len, ", ... (%zu ranges)",
				 st->lost_runs.n);
			break;
		}
		len += (size_t)snprintf(ranges + len, sizeof(ranges) - len, "%s0x%llx-0x%llx",
					i ? ", " : "", (unsigned long long)run->start,
					(unsigned long long)(run->start + run->count - 1));
	}
	k2e_cli_msg("%llu of %llu pages lost (pfns %s); '%s' holds the rest",
	    (unsigned long long)st->lost, (unsigned long long)st->dumped, ranges, output);
}

/* --json: the summary line of this conversion, written by cli/summary.c. */
static int write_json(const struct cli *c, char **inputs, int n_in, const struct k2e_dump *d,
		      const struct k2e_convert_result *res, const char *error)
{
	struct k2e_single_report r = {
		.inputs = inputs,
		.n_inputs = (size_t)n_in,
		.d = d,
		.res = error ? NULL : res,
		.core = error ? NULL : c->output,
		.error = error,
		.start = &c->start,
	};

	return c->json ? k2e_single_json(c->json, &r) : 0;
}

int main(int argc, char **argv)
{
	struct cli c = { .verbosity = 0 };
	struct k2e_dump *d = NULL;
	struct k2e_convert_result res;
	struct k2e_convert_opts opts;
	struct k2e_err err;
	struct k2e_virtual_core virt = { 0 };
	struct stat ost;
	char *mount_core = NULL;
	int first, n_in, rc;
	bool out_exists;

	/*
	 * libbpf prints its own warnings to stderr by default; a dump's BTF is
	 * hostile input, and what goes wrong with it is said in our messages.
	 */
	libbpf_set_print(NULL);

	if (k2e_batch_requested(argc, argv))
		return k2e_batch_main(argc, argv);
	clock_gettime(CLOCK_MONOTONIC, &c.start);
	rc = parse_args(argc, argv, &c, &first);
	if (rc)
		return rc;
	n_in = argc - first;
	if (c.mount) {
		if (c.output) {
			k2e_cli_msg("--mount and -o: give one of them");
			return K2E_EXIT_USAGE;
		}
		if (!k2e_cli_mount_dir_ok(c.mount))
			return K2E_EXIT_USAGE;
		if (asprintf(&mount_core, "%s/vmcore.elf", c.mount) < 0) {
			k2e_cli_msg("out of memory");
			return K2E_EXIT_ERROR;
		}
		c.output = mount_core;
	} else if (c.foreground || c.cache_mib) {
		k2e_cli_msg("%s: only with --mount", c.foreground ? "--foreground" : "--cache");
		return K2E_EXIT_USAGE;
	}
	if (!c.output || n_in < 1) {
		k2e_cli_msg(!c.output ? "no output file given (-o)" : "no dump given");
		usage(stderr);
		return K2E_EXIT_USAGE;
	}
	out_exists = !c.mount && stat(c.output, &ost) == 0;
	for (int i = 0; i < n_in; i++) {
		const char *p = argv[first + i];

		if (strcmp(p, c.output) == 0 || (out_exists && strcmp(p, "-") != 0 && same_file(p, &ost))) {
			k2e_cli_msg("output '%s' is one of the inputs", c.output);
			return K2E_EXIT_USAGE;
		}
	}
	if (out_exists && !c.force) {
		k2e_cli_msg("'%s' already exists (use -f to replace it)", c.output);
		return K2E_EXIT_USAGE;
	}
	if (out_exists && S_ISDIR(ost.st_mode)) {
		k2e_cli_msg("'%s' is a directory", c.output);
		return K2E_EXIT_USAGE;
	}
	if (!c.threads)
		c.threads = k2e_cpu_count();
	c.tty = isatty(STDERR_FILENO);

	if (k2e_dump_open_paths((const char *const *)argv + first, (size_t)n_in, c.stream_mem, &d,
				&err) < 0) {
		k2e_cli_msg("%s", err.msg);
		write_json(&c, argv + first, n_in, NULL, NULL, err.msg);
		return K2E_EXIT_ERROR;
	}

	opts = (struct k2e_convert_opts){
		.output = c.output,
		.force = c.force,
		.threads = c.threads,
		.no_vmap = c.no_vmap,
		.vmlinux = c.vmlinux,
		.module_dirs = c.module_dirs,
		.n_module_dirs = c.n_module_dirs,
		.no_gdb_script = c.no_gdb_script,
		.no_sidecar = c.no_sidecar,
		.no_symtab = c.no_symtab,
		.system_map = c.system_map,
		.btf = c.btf,
		.want_log = c.json != NULL,	/* the summary line tells the panic */
		.progress = progress,
		.progress_arg = &c,
		.virt = c.mount ? &virt : NULL,
	};
	virt.cache_pages = ((size_t)(c.cache_mib ? c.cache_mib : 64) << 20) / d->page_size;
	clock_gettime(CLOCK_MONOTONIC, &c.last);
	k2e_convert_result_init(&res);
	rc = k2e_convert(d, &opts, &res, &err);
	progress_done(&c);
	if (rc < 0) {
		k2e_cli_msg("%s", err.msg);
		rc = K2E_EXIT_ERROR;
		goto out;
	}
	if (c.verbosity >= 0)
		for (size_t i = 0; i < res.n_warnings; i++)
			k2e_cli_msg("warning: %s", res.warnings[i]);
	/* A stream whose records came too far out of order to wait in memory. */
	for (int i = 0; i < n_in && c.verbosity >= 0; i++) {
		const struct k2e_source_stats *ss = &d->in[i].src->stats;

		if (ss->spilled)
			k2e_cli_msg("%s: records out of order: %.1f MiB waited in a temporary file (%s); "
			    "%.1f MiB at most in memory",
			    d->in[i].path, (double)ss->spilled / (1 << 20),
			    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
			    (double)ss->peak_buffered / (1 << 20));
	}
	if (c.verbosity > 0)
		print_summary(d, &res, c.output);
	rc = K2E_EXIT_OK;
	if (res.pages.lost) {
		print_lost(&res, c.output);
		rc = K2E_EXIT_LOST;
	} else if (d->incomplete_flag && c.verbosity >= 0) {
		k2e_cli_msg("warning: %s: the dump is flagged incomplete, but every page it lists was read",
		    d->in[0].path);
	}
out:
	if (write_json(&c, argv + first, n_in, d, &res, rc == K2E_EXIT_ERROR ? err.msg : NULL) < 0)
		rc = K2E_EXIT_ERROR;
	if (c.mount && rc != K2E_EXIT_ERROR) {
		int mrc = k2e_cli_mount(&virt, &res, c.mount, c.foreground, c.verbosity);

		rc = mrc != K2E_EXIT_OK ? mrc : rc;
	}
	if (c.mount)
		k2e_virtual_core_release(&virt);
	free(mount_core);
	k2e_convert_result_release(&res);
	k2e_dump_free(d);
	return rc;
}
