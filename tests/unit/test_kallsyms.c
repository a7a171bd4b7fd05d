/*
 * Unit tests of kernel/syms-kallsyms.c and kernel/symtab.c: a hand-built ELF core holding kallsyms
 * tables in each address encoding (absolute, base-relative, absolute-percpu,
 * place-relative), with multi-character tokens and a "big" (two-byte
 * length) name; the decoder must pick the encoding that puts _stext where
 * vmcoreinfo says, and size symbols by their successors.
 */
#include "tests/unit/harness.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "kernel/symtab.h"
#include "kernel/syms-kallsyms.h"
#include "kernel/syms-sysmap.h"

enum { BASE = 0xffffffff81000000ULL, DATA_LEN = 0x4000 };
/* Table offsets inside the PT_LOAD. */
enum { O_TOKTAB = 0x0, O_TOKIDX = 0x800, O_NUM = 0xa00, O_BASE = 0xa08, O_OFFS = 0xa10,
       O_ADDRS = 0xb00, O_NAMES = 0xc00 };

struct tsym {
	char type;
	const char *name;
	uint64_t addr;
};

static char longname[300];

static void put_le(unsigned char *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Build the core at a temporary path; returns the path (caller unlinks and frees). */
static char *make_core(const struct tsym *syms, size_t n, enum k2e_kallsyms_enc enc)
{
	static unsigned char data[DATA_LEN];
	struct tbuf notes = { 0 }, f = { 0 };
	char vmci[2048], *path = NULL;
	uint64_t rel_base = BASE;
	size_t i, at = O_NAMES, tt = 0;
	int fd;

	memset(data, 0, sizeof(data));
	/* Token 0 is "_s" (multi-character), token c is the character c. */
	for (i = 0; i < 256; i++) {
		put_le(data + O_TOKIDX + 2 * i, tt, 2);
		if (i == 0) {
			memcpy(data + O_TOKTAB + tt, "_s", 3);
			tt += 3;
		} else {
			data[O_TOKTAB + tt] = (unsigned char)i;
			tt += 2;
		}
	}
	put_le(data + O_NUM, n, 4);
	put_le(data + O_BASE, rel_base, 8);
	for (i = 0; i < n; i++) {
		char full[400];
		size_t len = 0, j, k;
		unsigned char enc_name[400];

		snprintf(full, sizeof(full), "%c%s", syms[i].type, syms[i].name);
		for (j = 0; full[j]; j++) {
			if (full[j] == '_' && full[j + 1] == 's') {
				enc_name[len++] = 0;
				j++;
			} else {
				enc_name[len++] = (unsigned char)full[j];
			}
		}
		if (len > 127) {
			data[at++] = (unsigned char)(0x80 | (len & 0x7f));
			data[at++] = (unsigned char)(len >> 7);
		} else {
			data[at++] = (unsigned char)len;
		}
		for (k = 0; k < len; k++)
			data[at++] = enc_name[k];

		uint64_t a = syms[i].addr;
		int64_t off = 0;

		switch (enc) {
		case K2E_KALLSYMS_BASE_RELATIVE:
			off = (int64_t)(a - rel_base);
			break;
		case K2E_KALLSYMS_ABSOLUTE_PERCPU:
			off = a < (1ULL << 31) ? (int64_t)a : -(int64_t)(a - rel_base) - 1;
			break;
		case K2E_KALLSYMS_PLACE_RELATIVE:
			off = (int64_t)(a - (BASE + O_OFFS + 4 * i));
			break;
		case K2E_KALLSYMS_ABSOLUTE:
			put_le(data + O_ADDRS + 8 * i, a, 8);
			break;
		}
		put_le(data + O_OFFS + 4 * i, (uint64_t)off, 4);
	}
	snprintf(vmci, sizeof(vmci),
		 "OSRELEASE=6.1.0-test\nSYMBOL(_stext)=%llx\n"
		 "SYMBOL(kallsyms_names)=%llx\nSYMBOL(kallsyms_num_syms)=%llx\n"
		 "SYMBOL(kallsyms_token_table)=%llx\nSYMBOL(kallsyms_token_index)=%llx\n"
		 "%s%s",
		 (unsigned long long)(BASE + 0x100000), (unsigned long long)(BASE + O_NAMES),
		 (unsigned long long)(BASE + O_NUM), (unsigned long long)(BASE + O_TOKTAB),
		 (unsigned long long)(BASE + O_TOKIDX),
		 enc == K2E_KALLSYMS_ABSOLUTE ? "SYMBOL(kallsyms_addresses)=ffffffff81000b00\n"
					      : "SYMBOL(kallsyms_offsets)=ffffffff81000a10\n",
		 enc == K2E_KALLSYMS_PLACE_RELATIVE || enc == K2E_KALLSYMS_ABSOLUTE
			 ? "" : "SYMBOL(kallsyms_relative_base)=ffffffff81000a08\n");
	note_put(&notes, "VMCOREINFO", 0, vmci, strlen(vmci), false);

	/* ELF header, PT_NOTE, PT_LOAD, notes, data. */
	unsigned char eh[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 }, ph[2][56];
	uint64_t note_off = 64 + 2 * 56, data_off = (note_off + notes.len + 4095) & ~4095ULL;

	put_le(eh + 16, 4, 2);		/* ET_CORE */
	put_le(eh + 18, 62, 2);		/* EM_X86_64 */
	put_le(eh + 20, 1, 4);
	put_le(eh + 32, 64, 8);		/* e_phoff */
	put_le(eh + 52, 64, 2);
	put_le(eh + 54, 56, 2);
	put_le(eh + 56, 2, 2);
	memset(ph, 0, sizeof(ph));
	put_le(ph[0], 4, 4);		/* PT_NOTE */
	put_le(ph[0] + 8, note_off, 8);
	put_le(ph[0] + 32, notes.len, 8);
	put_le(ph[0] + 40, notes.len, 8);
	put_le(ph[1], 1, 4);		/* PT_LOAD */
	put_le(ph[1] + 8, data_off, 8);
	put_le(ph[1] + 16, BASE, 8);
	put_le(ph[1] + 32, DATA_LEN, 8);
	put_le(ph[1] + 40, DATA_LEN, 8);
	tbuf_put(&f, eh, sizeof(eh));
	tbuf_put(&f, ph, sizeof(ph));
	tbuf_put(&f, notes.p, notes.len);
	tbuf_fill(&f, 0, data_off - f.len);
	tbuf_put(&f, data, sizeof(data));

	char *dir = test_tmpdir();

	if (asprintf(&path, "%s/core", dir) < 0)
		abort();
	free(dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, f.p, f.len) != (ssize_t)f.len)
		abort();
	close(fd);
	tbuf_free(&notes);
	tbuf_free(&f);
	return path;
}

static void drop_core(char *path)
{
	char *slash = strrchr(path, '/');
	const char *dir = getenv("K2E_FUZZ_CORES");	/* keep it: seeds for tests/fuzz/fuzz_kallsyms */
	static unsigned n;
	char cmd[4096];

	if (dir && snprintf(cmd, sizeof(cmd), "cp '%s' '%s/kallsyms-%u'", path, dir, n++) <
			   (int)sizeof(cmd) &&
	    system(cmd) != 0)
		k2e_test_fail(__FILE__, __LINE__, "%s", cmd);
	unlink(path);
	*slash = '\0';
	rmdir(path);
	free(path);
}

static void check_enc(enum k2e_kallsyms_enc enc, bool percpu)
{
	struct tsym syms[] = {
		{ 'A', "fixed_percpu_data", 0 },
		{ 'A', "cpu_number", 0x40 },
		{ 'T', "_text", BASE + 0x100000 },
		{ 'T', "_stext", BASE + 0x100000 },
		{ 't', "static_fn", BASE + 0x100040 },
		{ 'T', longname, BASE + 0x100100 },
		{ 'T', "_etext", BASE + 0x200000 },
		{ 'D', "init_task", BASE + 0x300000 },
		{ 'b', "some_bss", BASE + 0x300800 },
	};
	struct tsym *s = percpu ? syms : syms + 2;
	size_t n = percpu ? 9 : 7;
	char *path = make_core(s, n, enc);
	struct k2e_kernel *km = NULL;
	struct k2e_symtab *st = NULL;
	struct k2e_err err;
	const struct k2e_sym *k;

	if (!CHECKF(k2e_kernel_open_core(path, &km, &err) == 0, "%s", err.msg))
		goto out;
	if (!CHECKF(k2e_kallsyms_read(km, &st, &err) == 0, "enc %d: %s", enc, err.msg))
		goto out;
	k2e_symtab_finish(st);
	CHECK_U64(st->n, n);
	CHECK_I64(st->enc, enc);
	for (size_t i = 0; i < n; i++) {
		k = k2e_symtab_find(st, s[i].name, NULL);
		if (CHECKF(k != NULL, "enc %d: %.40s missing", enc, s[i].name)) {
			CHECK_U64(k->addr, s[i].addr);
			CHECK_I64(k->type, s[i].type);
		}
	}
	k = k2e_symtab_find(st, "static_fn", NULL);
	if (k)
		CHECK_U64(k->size, 0xc0);
	k = k2e_symtab_find(st, "_etext", NULL);
	if (k)
		CHECK_U64(k->size, 0x100000);
	k = k2e_symtab_find(st, "some_bss", NULL);
	if (k)
		CHECK_U64(k->size, 0);		/* the last of its region */
	if (percpu) {
		k = k2e_symtab_find(st, "fixed_percpu_data", NULL);
		if (k)
			CHECK_U64(k->size, 0x40);	/* not up to _text */
	}
	/* Only some names: the same addresses, and nothing else kept. */
	{
		static const char *const some[] = { "init_task", "static_fn", "no_such_symbol" };
		struct k2e_symtab *part = NULL;
		const struct k2e_sym *a, *b;

		if (CHECKF(k2e_kallsyms_read_some(km, some, 3, &part, &err) == 0, "enc %d: %s", enc,
			   err.msg)) {
			k2e_symtab_finish(part);
			CHECK_U64(part->n, 2);
			CHECK_I64(part->enc, enc);
			for (size_t i = 0; i < 2; i++) {
				a = k2e_symtab_find(part, some[i], NULL);
				b = k2e_symtab_find(st, some[i], NULL);
				if (CHECKF(a && b, "enc %d: %s", enc, some[i]))
					CHECK_U64(a->addr, b->addr);
			}
			CHECK(k2e_symtab_find(part, "_stext", NULL) == NULL);
		}
		k2e_symtab_free(part);
	}
out:
	k2e_symtab_free(st);
	k2e_kernel_free(km);
	drop_core(path);
}

TEST(kallsyms_encodings)
{
	memset(longname, 'x', 200);
	memcpy(longname, "big_symbol_", 11);
	longname[200] = '\0';
	check_enc(K2E_KALLSYMS_BASE_RELATIVE, false);
	check_enc(K2E_KALLSYMS_ABSOLUTE_PERCPU, true);
	check_enc(K2E_KALLSYMS_PLACE_RELATIVE, false);	/* 6.15+: no absolute per-CPU symbols */
	check_enc(K2E_KALLSYMS_ABSOLUTE, true);
}

TEST(kallsyms_wrong_stext_is_an_error)
{
	struct tsym s[] = {
		{ 'T', "_stext", BASE + 0x100010 },	/* not where vmcoreinfo says */
		{ 'T', "other", BASE + 0x100020 },
	};
	char *path = make_core(s, 2, K2E_KALLSYMS_BASE_RELATIVE);
	struct k2e_kernel *km = NULL;
	struct k2e_symtab *st = NULL;
	struct k2e_err err;

	if (CHECKF(k2e_kernel_open_core(path, &km, &err) == 0, "%s", err.msg)) {
		CHECK(k2e_kallsyms_read(km, &st, &err) < 0);
		CHECK_CONTAINS(err.msg, "_stext");
	}
	k2e_symtab_free(st);
	k2e_kernel_free(km);
	drop_core(path);
}

/*
 * The name index of k2e_symtab_finish() must pick what a scan of the whole
 * table picks: among equal names the best rank (global before local before
 * anything else), the first in address order among equal ranks; unknown
 * names are NULL.  Many symbols so the open-addressing table wraps and
 * collides.
 */
TEST(kallsyms_name_index_matches_a_scan)
{
	struct tsym s[] = {
		{ 'T', "_text", BASE + 0x100000 },
		{ 'T', "_stext", BASE + 0x100000 },
	};
	char *path = make_core(s, 2, K2E_KALLSYMS_BASE_RELATIVE);
	char map[] = "/tmp/k2e-test-mapXXXXXX";
	struct k2e_kernel *km = NULL;
	struct k2e_symtab *st = NULL;
	struct k2e_err err;
	FILE *f;
	int fd = mkstemp(map);

	if (!CHECK(fd >= 0) || !(f = fdopen(fd, "w")))
		goto out;
	fprintf(f, "ffffffff81000000 T _text\n");
	for (unsigned i = 0; i < 5000; i++)
		fprintf(f, "%016llx %c sym_%u\n", 0xffffffff81001000ULL + 16 * i, "tTdDbr"[i % 6], i % 1700);
	fprintf(f, "ffffffff81900000 t dup\nffffffff81900010 T dup\nffffffff81900020 t dup\n");
	fprintf(f, "ffffffff81900030 r only_local\nffffffff81900040 r only_local\n");
	fclose(f);
	if (!CHECKF(k2e_kernel_open_core(path, &km, &err) == 0, "%s", err.msg) ||
	    !CHECKF(k2e_symtab_read_system_map(km, map, &st, &err) == 0, "%s", err.msg))
		goto out;
	k2e_symtab_finish(st);
	if (!CHECK(st->name_slots != NULL))
		goto out;
	for (unsigned i = 0; i < 1800; i++) {
		char nm[32];
		const struct k2e_sym *a, *b;
		uint32_t *slots = st->name_slots;

		snprintf(nm, sizeof(nm), "sym_%u", i);
		a = k2e_symtab_find(st, nm, NULL);
		st->name_slots = NULL;		/* the scan */
		b = k2e_symtab_find(st, nm, NULL);
		st->name_slots = slots;
		if (!CHECKF(a == b, "%s: index %p, scan %p", nm, (const void *)a, (const void *)b))
			break;
		CHECK(i < 1700 ? a != NULL : a == NULL);
	}
	const struct k2e_sym *d = k2e_symtab_find(st, "dup", NULL);

	if (CHECK(d != NULL)) {
		CHECK_U64(d->addr, 0xffffffff81900010ULL);
		CHECK_I64(d->type, 'T');
	}
	d = k2e_symtab_find(st, "only_local", NULL);
	if (CHECK(d != NULL))
		CHECK_U64(d->addr, 0xffffffff81900030ULL);
	CHECK(k2e_symtab_find(st, "not_there", NULL) == NULL);
out:
	if (fd >= 0)
		unlink(map);
	k2e_symtab_free(st);
	k2e_kernel_free(km);
	drop_core(path);
}
