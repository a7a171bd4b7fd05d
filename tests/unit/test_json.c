/*
 * Unit tests of the one-line JSON writer (cli/json.c, compiled in here: the
 * command line is not part of libk2e.a) and of formats/identify.c.
 */
#include "tests/unit/harness.h"

#include <elf.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/json.c"
#include "formats/identify.h"
#include "lib/endian.h"

TEST(json_escapes_and_nesting)
{
	struct k2e_json j;

	k2e_json_init(&j);
	k2e_json_begin_object(&j, NULL);
	k2e_json_string(&j, "s", "quote\" back\\ nl\n tab\t ctl\x01 del\x7f");
	k2e_json_string(&j, "utf8", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	k2e_json_string(&j, "bad", "a\xff" "b\xc3(" "c\xed\xa0\x80" "d\xe0\x80\x80");
	k2e_json_string(&j, "null", NULL);
	k2e_json_begin_array(&j, "a");
	k2e_json_u64(&j, NULL, UINT64_MAX);
	k2e_json_i64(&j, NULL, -5);
	k2e_json_bool(&j, NULL, true);
	k2e_json_null(&j, NULL);
	k2e_json_begin_object(&j, NULL);
	k2e_json_end_object(&j);
	k2e_json_end_array(&j);
	k2e_json_double(&j, "d", 0.12345, 3);
	k2e_json_string_n(&j, "nul", "a\0b", 3);
	k2e_json_end_object(&j);
	CHECK(k2e_json_finish(&j) == 0);
	CHECK_STR(j.buf,
		  "{\"s\":\"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001 del\x7f\","
		  "\"utf8\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\","
		  "\"bad\":\"a\\u00ffb\\u00c3(c\\u00ed\\u00a0\\u0080d\\u00e0\\u0080\\u0080\","
		  "\"null\":null,"
		  "\"a\":[18446744073709551615,-5,true,null,{}],"
		  "\"d\":0.123,"
		  "\"nul\":\"a\\u0000b\"}\n");
	k2e_json_release(&j);
}

TEST(json_unbalanced_is_an_error)
{
	struct k2e_json j;

	k2e_json_init(&j);
	k2e_json_begin_object(&j, NULL);
	k2e_json_begin_array(&j, "x");
	k2e_json_end_array(&j);
	CHECK(k2e_json_finish(&j) == -1);
	k2e_json_release(&j);
	k2e_json_init(&j);
	k2e_json_end_object(&j);
	CHECK(k2e_json_finish(&j) == -1);
	k2e_json_release(&j);
}

/* ---- identify ---- */

static struct k2e_ident ident_of(const void *data, size_t len)
{
	struct k2e_ident id = { .kind = 99 };
	struct k2e_err err;
	int fd = test_memfd(data, len);

	if (k2e_identify_fd(fd, &id, &err) < 0)
		k2e_test_fail(__FILE__, __LINE__, "identify: %s", err.msg);
	close(fd);
	return id;
}

/* A kdump header (64-bit, little-endian) and a version 6 sub-header. */
static void kdump_file(unsigned char *f, bool split, uint64_t start, uint64_t end)
{
	memset(f, 0, 8192);
	memcpy(f, "KDUMP   ", 8);
	k2e_put32(f + 8, 6, false);
	memcpy(f + 12 + 4 * 65, "x86_64", 6);
	k2e_put64(f + 408, 1795668085, false);
	k2e_put32(f + 428, 4096, false);	/* block_size */
	k2e_put32(f + 432, 1, false);		/* sub_hdr_size */
	k2e_put32(f + 436, 2, false);		/* bitmap_blocks */
	k2e_put32(f + 4096 + 12, split, false);
	k2e_put64(f + 4096 + 80, start, false);
	k2e_put64(f + 4096 + 88, end, false);
	k2e_put64(f + 4096 + 96, 0x20000, false);
}

TEST(identify_kdump_and_pieces)
{
	static unsigned char a[8192], b[8192];
	struct k2e_ident x, y;

	kdump_file(a, false, 0, 0);
	x = ident_of(a, sizeof(a));
	CHECK_I64(x.kind, K2E_IDENT_DUMP);
	CHECK_STR(x.format, "kdump");
	kdump_file(a, true, 0, 0x1000);
	kdump_file(b, true, 0x1000, 0x20000);
	x = ident_of(a, sizeof(a));
	y = ident_of(b, sizeof(b));
	CHECK_I64(x.kind, K2E_IDENT_PIECE);
	CHECK_I64(y.kind, K2E_IDENT_PIECE);
	CHECK_U64(x.set_key, y.set_key);
	CHECK_U64(y.start_pfn, 0x1000);
	CHECK_U64(y.end_pfn, 0x20000);
	k2e_put64(b + 408, 1795668086, false);		/* another dump's header */
	y = ident_of(b, sizeof(b));
	CHECK(x.set_key != y.set_key);
	/* Cut inside the sub-header: a dump, for opening to explain. */
	x = ident_of(a, 4100);
	CHECK_I64(x.kind, K2E_IDENT_DUMP);
	x = ident_of(a, 100);
	CHECK_I64(x.kind, K2E_IDENT_DUMP);
	memcpy(a, "DISKDUMP", 8);
	x = ident_of(a, sizeof(a));
	CHECK_STR(x.format, "diskdump");
}

static void elf_file(struct tbuf *f, uint16_t type, const char *note_name)
{
	unsigned char eh[64] = { 0 }, ph[56] = { 0 };
	struct tbuf notes = { 0 };

	if (note_name)
		note_put(&notes, note_name, 0, "x=1\n", 4, false);
	memcpy(eh, ELFMAG, SELFMAG);
	eh[EI_CLASS] = ELFCLASS64;
	eh[EI_DATA] = ELFDATA2LSB;
	k2e_put16(eh + 16, type, false);
	k2e_put64(eh + 32, 64, false);
	k2e_put16(eh + 54, 56, false);
	k2e_put16(eh + 56, 1, false);
	k2e_put32(ph, PT_NOTE, false);
	k2e_put64(ph + 8, 120, false);
	k2e_put64(ph + 32, notes.len, false);
	tbuf_put(f, eh, sizeof(eh));
	tbuf_put(f, ph, sizeof(ph));
	tbuf_put(f, notes.p, notes.len);
	tbuf_free(&notes);
}

TEST(identify_elf_flat_and_others)
{
	struct tbuf f = { 0 };
	struct k2e_ident x;

	elf_file(&f, ET_CORE, "VMCOREINFO");
	x = ident_of(f.p, f.len);
	CHECK_I64(x.kind, K2E_IDENT_DUMP);
	CHECK_STR(x.format, "elf");
	tbuf_free(&f);
	elf_file(&f, ET_CORE, "QEMU");
	CHECK_I64(ident_of(f.p, f.len).kind, K2E_IDENT_DUMP);
	tbuf_free(&f);
	elf_file(&f, ET_CORE, "KDUMP2ELF");
	CHECK_I64(ident_of(f.p, f.len).kind, K2E_IDENT_K2E_CORE);
	tbuf_free(&f);
	elf_file(&f, ET_CORE, "CORE");		/* a process core: no kernel notes */
	CHECK_I64(ident_of(f.p, f.len).kind, K2E_IDENT_NOT_DUMP);
	tbuf_free(&f);
	elf_file(&f, ET_REL, "VMCOREINFO");	/* a module */
	CHECK_I64(ident_of(f.p, f.len).kind, K2E_IDENT_NOT_DUMP);
	tbuf_free(&f);
	flat_header(&f);
	x = ident_of(f.p, f.len);
	CHECK_I64(x.kind, K2E_IDENT_DUMP);
	CHECK_STR(x.format, "flattened");
	tbuf_free(&f);
	CHECK_I64(ident_of("[    0.000000] Linux version 6.1\n", 33).kind, K2E_IDENT_NOT_DUMP);
	CHECK_I64(ident_of("", 0).kind, K2E_IDENT_NOT_DUMP);
	CHECK_I64(ident_of("KDUMP", 5).kind, K2E_IDENT_NOT_DUMP);
}
