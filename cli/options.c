#include "cli/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/exit.h"
#include "cli/msg.h"
#include "lib/cpus.h"

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

void k2e_batch_usage(FILE *f)
{
	fputs("usage: kdump2elf --batch [-fqv] [-j N] [--threads N] [--out-dir DIR] [--json FILE]\n"
	      "                 [--shard K/N] [--no-vmap] [--no-symtab] PATH...\n"
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
	      "      --no-symtab     no section headers and symbol table in the cores\n"
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

int k2e_batch_parse_opts(int argc, char **argv, struct k2e_batch_opts *o, int *ret_first)
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
		{ "no-symtab", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*o = (struct k2e_batch_opts){ .jobs = 1, .out_dir = ".", .shard_k = 1, .shard_n = 1 };
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":j:fqvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'B':
			break;
		case 'j':
			if (!k2e_cli_parse_count(optarg, 1024, &o->jobs)) {
				k2e_cli_msg("-j: '%s' is not a number from 1 to 1024", optarg);
				return K2E_EXIT_USAGE;
			}
			break;
		case 'T':
			if (!k2e_cli_parse_count(optarg, 1024, &o->threads)) {
				k2e_cli_msg("--threads: '%s' is not a number from 1 to 1024", optarg);
				return K2E_EXIT_USAGE;
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
				return K2E_EXIT_USAGE;
			}
			memcpy(k, optarg, (size_t)(slash - optarg));
			k[slash - optarg] = '\0';
			if (!k2e_cli_parse_count(slash + 1, 1u << 20, &o->shard_n) ||
			    !k2e_cli_parse_count(k, o->shard_n, &o->shard_k)) {
				k2e_cli_msg("--shard: '%s' is not K/N with 1 <= K <= N", optarg);
				return K2E_EXIT_USAGE;
			}
			break;
		}
		case 'f':
			o->force = true;
			break;
		case 'M':
			o->no_vmap = true;
			break;
		case 'N':
			o->no_symtab = true;
			break;
		case 'q':
			o->verbosity = -1;
			break;
		case 'v':
			o->verbosity = 1;
			break;
		case 'h':
			k2e_batch_usage(stdout);
			exit(K2E_EXIT_OK);
		case ':':
			k2e_cli_msg("option '%s' needs an argument", argv[optind - 1]);
			k2e_batch_usage(stderr);
			return K2E_EXIT_USAGE;
		default:
			k2e_cli_msg("option '%s' is not one of batch mode's", argv[optind - 1]);
			k2e_batch_usage(stderr);
			return K2E_EXIT_USAGE;
		}
	}
	if (!o->threads)
		o->threads = k2e_cpu_count();
	*ret_first = optind;
	return 0;
}
