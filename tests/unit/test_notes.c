/*
 * Unit tests of the note helpers in formats/probe.c: k2e_notes_find() and
 * k2e_vmcoreinfo_find() on hand-built blobs in both byte orders, and on
 * malformed blobs copied into exact-size heap buffers so that ASan sees any
 * read past the end.
 */
#include "tests/unit/harness.h"

#include <stdio.h>
#include <stdlib.h>

#include "formats/format.h"
#include "lib/endian.h"

static const char vmci[] =
	"OSRELEASE=6.1.0-test\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_top_pgt)=ffffffff82a0a000\n"
	"NUMBER(phys_base)=-16777216\n"
	"EMPTY=\n"
	"LAST=tail";	/* no newline at the end */

static void build(struct tbuf *b, bool be)
{
	unsigned char prstatus[336];

	memset(prstatus, 0x11, sizeof(prstatus));
	note_put(b, "CORE", 1, prstatus, sizeof(prstatus), be);	/* NT_PRSTATUS */
	note_put(b, "CORE", 1, prstatus, 10, be);
	note_put(b, "QEMU", 0, "abcde", 5, be);			/* desc needs padding */
	note_put(b, "VMCOREINFO", 0, vmci, strlen(vmci), be);
	note_put(b, "XEN", 0x1000001, "x", 1, be);
}

static void find_in(const unsigned char *notes, size_t len, bool be)
{
	const unsigned char *desc;
	size_t dlen;

	CHECK(k2e_notes_find(notes, len, "CORE", 1, be, &desc, &dlen) == 0);
	CHECK_U64(dlen, 336);
	CHECK_U64(desc - notes, 12 + 8);
	CHECK(k2e_notes_find(notes, len, "CORE", -1, be, &desc, &dlen) == 0);
	CHECK_U64(dlen, 336);
	CHECK(k2e_notes_find(notes, len, "QEMU", 0, be, &desc, &dlen) == 0);
	CHECK(dlen == 5 && memcmp(desc, "abcde", 5) == 0);
	CHECK(k2e_notes_find(notes, len, "VMCOREINFO", 0, be, &desc, &dlen) == 0);
	CHECK(dlen == strlen(vmci) && memcmp(desc, vmci, dlen) == 0);
	CHECK(k2e_notes_find(notes, len, "XEN", -1, be, &desc, &dlen) == 0);
	CHECK(dlen == 1 && desc[0] == 'x');
	/* Wrong type, unknown name, a prefix of a name. */
	CHECK(k2e_notes_find(notes, len, "CORE", 4, be, &desc, &dlen) < 0);
	CHECK(k2e_notes_find(notes, len, "LINUX", -1, be, &desc, &dlen) < 0);
	CHECK(k2e_notes_find(notes, len, "VMCORE", -1, be, &desc, &dlen) < 0);
	CHECK(k2e_notes_find(notes, len, "COREX", -1, be, &desc, &dlen) < 0);
	CHECK(k2e_notes_find(notes, 0, "CORE", -1, be, &desc, &dlen) < 0);
}

TEST(notes_find_both_orders)
{
	for (int be = 0; be < 2; be++) {
		struct tbuf b = { 0 };

		build(&b, be);
		find_in(b.p, b.len, be);
		/* Read in the other byte order, the sizes are absurd: nothing found. */
		{
			const unsigned char *desc;
			size_t dlen;

			CHECK(k2e_notes_find(b.p, b.len, "VMCOREINFO", -1, !be, &desc, &dlen) < 0);
		}
		tbuf_free(&b);
	}
}

static struct k2e_dump fake_dump(unsigned char *notes, size_t len, bool be)
{
	struct k2e_dump d;

	memset(&d, 0, sizeof(d));
	d.notes = notes;
	d.notes_len = len;
	d.big_endian = be;
	return d;
}

TEST(vmcoreinfo_find_keys)
{
	for (int be = 0; be < 2; be++) {
		struct tbuf b = { 0 };
		struct k2e_dump d;
		const char *v;
		size_t len;

		build(&b, be);
		d = fake_dump(b.p, b.len, be);
		v = k2e_vmcoreinfo_find(&d, "OSRELEASE", &len);
		CHECK(v && len == 10 && memcmp(v, "6.1.0-test", 10) == 0 && v[len] == '\n');
		v = k2e_vmcoreinfo_find(&d, "SYMBOL(init_top_pgt)", &len);
		CHECK(v && len == 16 && memcmp(v, "ffffffff82a0a000", 16) == 0);
		v = k2e_vmcoreinfo_find(&d, "LAST", &len);
		CHECK(v && len == 4 && memcmp(v, "tail", 4) == 0);
		v = k2e_vmcoreinfo_find(&d, "EMPTY", &len);
		CHECK(v && len == 0);
		/* Keys match whole, up to '='. */
		CHECK(k2e_vmcoreinfo_find(&d, "OSREL", &len) == NULL);
		CHECK(k2e_vmcoreinfo_find(&d, "PAGESIZE=4096", &len) == NULL);
		CHECK(k2e_vmcoreinfo_find(&d, "tail", &len) == NULL);
		CHECK(k2e_vmcoreinfo_find(&d, "MISSING", &len) == NULL);
		tbuf_free(&b);
	}
	/* No notes at all. */
	{
		struct k2e_dump d = fake_dump(NULL, 0, false);
		size_t len;

		CHECK(k2e_vmcoreinfo_find(&d, "OSRELEASE", &len) == NULL);
	}
}

/* Exact-size heap copy, so ASan catches reads past len. */
static unsigned char *exact(const void *p, size_t len)
{
	unsigned char *c = malloc(len ? len : 1);

	memcpy(c, p, len);
	return c;
}

/* Whatever is found lies inside the blob. */
static bool found_inside(const unsigned char *notes, size_t len, const char *name, bool be)
{
	const unsigned char *desc = NULL;
	size_t dlen = 0;

	if (k2e_notes_find(notes, len, name, -1, be, &desc, &dlen) < 0)
		return true;
	return desc >= notes && desc <= notes + len && dlen <= (size_t)(notes + len - desc);
}

TEST(notes_malformed)
{
	for (int be = 0; be < 2; be++) {
		struct tbuf b = { 0 };
		unsigned bad = 0;

		build(&b, be);
		/* Every prefix of a valid blob. */
		for (size_t cut = 0; cut <= b.len; cut++) {
			unsigned char *c = exact(b.p, cut);
			struct k2e_dump d = fake_dump(c, cut, be);
			size_t len;
			const char *v = k2e_vmcoreinfo_find(&d, "LAST", &len);

			if (!found_inside(c, cut, "VMCOREINFO", be) || !found_inside(c, cut, "XEN", be))
				bad++;
			if (v && (v < (const char *)c || v + len > (const char *)c + cut))
				bad++;
			free(c);
		}
		CHECK_U64(bad, 0);
		/* Sizes past the end in each of the header fields of each note. */
		for (size_t pos = 0; pos + 12 <= b.len; pos += 4) {
			static const uint32_t vals[] = { 0xffffffff, 0x7fffffff, 0xfffffffc, 1 << 20, 4096, 13 };

			for (size_t k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
				unsigned char *c = exact(b.p, b.len);
				struct k2e_dump d = fake_dump(c, b.len, be);
				size_t len;
				const char *v;

				k2e_put32(c + pos, vals[k], be);
				v = k2e_vmcoreinfo_find(&d, "LAST", &len);
				if (!found_inside(c, b.len, "VMCOREINFO", be) ||
				    !found_inside(c, b.len, "XEN", be) ||
				    (v && v + len > (const char *)c + b.len))
					bad++;
				free(c);
			}
		}
		CHECK_U64(bad, 0);
		tbuf_free(&b);
	}
}

TEST(notes_malformed_handmade)
{
	const unsigned char *desc;
	size_t dlen;
	unsigned char h[12];
	unsigned char *c;

	/* namesz past the end. */
	k2e_put32(h, 100, false);
	k2e_put32(h + 4, 0, false);
	k2e_put32(h + 8, 0, false);
	c = exact(h, 12);
	CHECK(k2e_notes_find(c, 12, "CORE", -1, false, &desc, &dlen) < 0);
	free(c);
	/* descsz past the end, with a matching name. */
	{
		struct tbuf b = { 0 };

		note_put(&b, "CORE", 1, "12345678", 8, false);
		k2e_put32(b.p + 4, 9, false);
		c = exact(b.p, b.len);
		CHECK(k2e_notes_find(c, b.len, "CORE", -1, false, &desc, &dlen) < 0);
		free(c);
		/* A desc that ends the blob without its padding is fine. */
		k2e_put32(b.p + 4, 7, false);
		c = exact(b.p, b.len - 1);
		CHECK(k2e_notes_find(c, b.len - 1, "CORE", -1, false, &desc, &dlen) == 0);
		CHECK_U64(dlen, 7);
		free(c);
		tbuf_free(&b);
	}
	/* An empty note (namesz 0) before the wanted one is skipped. */
	{
		struct tbuf b = { 0 };
		unsigned char z[12] = { 0 };

		tbuf_put(&b, z, 12);
		note_put(&b, "CORE", 1, "abcd", 4, true);
		c = exact(b.p, b.len);
		CHECK(k2e_notes_find(c, b.len, "CORE", 1, true, &desc, &dlen) == 0);
		CHECK(dlen == 4 && memcmp(desc, "abcd", 4) == 0);
		free(c);
		tbuf_free(&b);
	}
	/* Fewer than 12 bytes. */
	c = exact("CORE", 4);
	CHECK(k2e_notes_find(c, 4, "CORE", -1, false, &desc, &dlen) < 0);
	free(c);
}
