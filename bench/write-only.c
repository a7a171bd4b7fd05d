/*
 * write-only.c - W of bench/run.sh's physical limit: the time to write BYTES
 * to a new file on this disk with buffered pwrite()s of CHUNK bytes in file
 * order, as kdump2elf's workers do (one 256 KiB batch of pages at a time),
 * into a file first sized with ftruncate() as kdump2elf sizes its output.
 * Without --fsync the time ends at close(); with --fsync an fsync() before
 * close() is included, as in kdump2elf, which fsyncs its outputs before it
 * puts them in place (lib/outfile.c): bench/run.sh times W with --fsync.
 *
 *   write-only [--fsync] BYTES FILE
 *
 * Prints "write_s S bytes N".  FILE is left in place (the caller removes it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { CHUNK = 256 << 10 };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	int do_fsync = argc > 1 && !strcmp(argv[1], "--fsync");
	unsigned long long bytes, off = 0;
	unsigned char *buf;
	double t0;
	int fd;

	if (argc != 3 + do_fsync) {
		fputs("usage: write-only [--fsync] BYTES FILE\n", stderr);
		return 2;
	}
	bytes = strtoull(argv[1 + do_fsync], NULL, 0);
	buf = malloc(CHUNK);
	if (!buf)
		return 1;
	for (size_t i = 0; i < CHUNK; i++)
		buf[i] = (unsigned char)(i * 131 + 7);	/* not zero: no sparse shortcut */
	t0 = now();
	fd = open(argv[2 + do_fsync], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(argv[2 + do_fsync]);
		return 1;
	}
	if (ftruncate(fd, (off_t)bytes) < 0) {
		perror("ftruncate");
		return 1;
	}
	while (off < bytes) {
		size_t n = bytes - off < CHUNK ? (size_t)(bytes - off) : CHUNK;
		ssize_t w = pwrite(fd, buf, n, (off_t)off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			perror("pwrite");
			return 1;
		}
		off += (unsigned long long)w;
	}
	if (do_fsync && fsync(fd) < 0) {
		perror("fsync");
		return 1;
	}
	if (close(fd) < 0) {
		perror("close");
		return 1;
	}
	printf("write_s %.4f bytes %llu\n", now() - t0, bytes);
	free(buf);
	return 0;
}
