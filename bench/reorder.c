/*
 * reorder.c - a flattened stream whose first bytes arrive as many small
 * records in a chosen order, for bench/reorder.sh.
 *
 *   reorder in-order|reversed|shuffled N BYTES DUMP OUT
 *
 * The first BYTES of DUMP go out as N records of (nearly) equal size, in
 * the order given; the rest of DUMP follows in 64 KiB records, in order,
 * then the end marker.  The flattened format: a 4096-byte header
 * ("makedumpfile", big-endian int64 type 1, version 1), then records
 * {be64 offset, be64 size, data}, then {-1, -1}.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "reorder: %s: %s\n", what, errno ? strerror(errno) : "bad input");
	exit(1);
}

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static void record(FILE *out, const unsigned char *data, uint64_t off, uint64_t len)
{
	unsigned char h[16];

	put_be64(h, off);
	put_be64(h + 8, len);
	if (fwrite(h, 1, 16, out) != 16 || fwrite(data + off, 1, len, out) != len)
		die("write");
}

int main(int argc, char **argv)
{
	unsigned char fh[4096] = "makedumpfile", end[16];
	uint64_t n, bytes, size, *perm;
	unsigned char *data;
	struct stat st;
	uint32_t x = 1;
	FILE *out;
	int fd;

	if (argc != 6 || (strcmp(argv[1], "in-order") && strcmp(argv[1], "reversed") &&
			  strcmp(argv[1], "shuffled"))) {
		fputs("usage: reorder in-order|reversed|shuffled N BYTES DUMP OUT\n", stderr);
		return 2;
	}
	n = strtoull(argv[2], NULL, 0);
	bytes = strtoull(argv[3], NULL, 0);
	fd = open(argv[4], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0)
		die(argv[4]);
	size = (uint64_t)st.st_size;
	if (!n || bytes > size || bytes < n)
		die("N and BYTES");
	data = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (data == MAP_FAILED)
		die("mmap");
	out = fopen(argv[5], "w");
	if (!out)
		die(argv[5]);
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	perm = malloc(n * sizeof(*perm));
	if (!perm)
		die("memory");
	for (uint64_t i = 0; i < n; i++)
		perm[i] = argv[1][0] == 'r' ? n - 1 - i : i;
	if (argv[1][0] == 's') {
		for (uint64_t i = n - 1; i > 0; i--) {
			uint64_t j, t;

			x = x * 1103515245 + 12345;
			j = ((uint64_t)x << 16 ^ (x >> 8)) % (i + 1);
			t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
		}
	}
	put_be64(fh + 16, 1);
	put_be64(fh + 24, 1);
	if (fwrite(fh, 1, sizeof(fh), out) != sizeof(fh))
		die("write");
	for (uint64_t i = 0; i < n; i++) {
		uint64_t a = bytes * perm[i] / n, b = bytes * (perm[i] + 1) / n;

		record(out, data, a, b - a);
	}
	for (uint64_t off = bytes; off < size; off += 65536)
		record(out, data, off, size - off < 65536 ? size - off : 65536);
	memset(end, 0xff, sizeof(end));
	if (fwrite(end, 1, 16, out) != 16 || fclose(out))
		die("write");
	return 0;
}
