/*
 * replay.c - run a fuzz target's LLVMFuzzerTestOneInput on saved inputs, so
 * the corpus also runs under plain gcc and sanitizers (as zstd's
 * tests/fuzz/regression_driver.c does).
 *
 *   build/fuzz/NAME FILE|DIR...
 *
 * Each FILE is one input; each DIR contributes its regular files (not
 * recursively, in name order).  Prints "replayed N inputs"; exits 1 when a
 * file cannot be read, 2 without arguments.  An input that runs longer than
 * K2E_FUZZ_TIMEOUT seconds (default 20, as tests/fuzz/libfuzzer.sh gives
 * libFuzzer) is a finding: the driver names it and exits 3.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *current;	/* the input running, for the alarm */

static void timed_out(int sig)
{
	static const char a[] = "replay: ", b[] = ": timed out (a hang)\n";

	(void)sig;
	(void)!write(2, a, sizeof(a) - 1);
	if (current)
		(void)!write(2, current, strlen(current));
	(void)!write(2, b, sizeof(b) - 1);
	_exit(3);
}

static unsigned timeout_secs(void)
{
	const char *s = getenv("K2E_FUZZ_TIMEOUT");
	long v = s ? strtol(s, NULL, 10) : 0;

	return v > 0 && v < 86400 ? (unsigned)v : 20;
}

static int run_file(const char *path, unsigned long *count)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			unsigned char *b;

			cap = cap ? cap * 2 : 65536;
			b = realloc(buf, cap);
			if (!b) {
				fprintf(stderr, "replay: %s: out of memory\n", path);
				free(buf);
				fclose(f);
				return -1;
			}
			buf = b;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	/* An exact-size copy, so a read past the input is caught by ASan. */
	{
		unsigned char *exact = malloc(len ? len : 1);

		if (!exact) {
			free(buf);
			return -1;
		}
		memcpy(exact, buf, len);
		free(buf);
		current = path;
		alarm(timeout_secs());
		LLVMFuzzerTestOneInput(exact, len);
		alarm(0);
		current = NULL;
		free(exact);
	}
	(*count)++;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, unsigned long *count)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!dp) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(dp))) {
		char *path;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		path = malloc(strlen(dir) + strlen(de->d_name) + 2);
		if (!path) {
			rc = -1;
			break;
		}
		sprintf(path, "%s/%s", dir, de->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if (n == cap) {
			char **v;

			cap = cap ? cap * 2 : 64;
			v = realloc(names, cap * sizeof(*v));
			if (!v) {
				free(path);
				rc = -1;
				break;
			}
			names = v;
		}
		names[n++] = path;
	}
	closedir(dp);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && run_file(names[i], count) < 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned long count = 0;
	int rc = 0;

	signal(SIGALRM, timed_out);
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			rc = 1;
			continue;
		}
		if (S_ISDIR(st.st_mode) ? run_dir(argv[i], &count) < 0
					: run_file(argv[i], &count) < 0)
			rc = 1;
	}
	printf("replayed %lu inputs\n", count);
	return rc;
}
