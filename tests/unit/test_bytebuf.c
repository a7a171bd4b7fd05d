/* Unit tests of lib/bytebuf: binary appends, text, ownership, oom. */
#include "tests/unit/harness.h"

#include <stdlib.h>
#include <string.h>

#include "lib/bytebuf.h"

TEST(bytebuf_text)
{
	struct k2e_bytebuf b;
	unsigned char *p;
	size_t len;

	k2e_bytebuf_init(&b);
	CHECK_STR(k2e_bytebuf_str(&b), "");
	k2e_bytebuf_puts(&b, "pid ");
	k2e_bytebuf_printf(&b, "%d: %s", 42, "swapper");
	k2e_bytebuf_putc(&b, '\n');
	CHECK_STR(k2e_bytebuf_str(&b), "pid 42: swapper\n");
	CHECK_U64(b.len, 16);
	/* printf past the first block, and exactly up to the end of it. */
	for (int i = 0; i < 1000; i++)
		k2e_bytebuf_printf(&b, "%08d", i);
	CHECK_U64(b.len, 16 + 8000);
	CHECK(memcmp(k2e_bytebuf_str(&b) + 16 + 8 * 999, "00000999", 9) == 0);
	p = k2e_bytebuf_take(&b, &len);
	if (CHECK(p != NULL)) {
		CHECK_U64(len, 8016);
		CHECK_U64(strlen((char *)p), 8016);
		free(p);
	}
	CHECK(b.p == NULL && b.len == 0);
	/* Taking an empty buffer gives an empty string. */
	p = k2e_bytebuf_take(&b, NULL);
	CHECK(p != NULL && p[0] == '\0');
	free(p);
	k2e_bytebuf_release(&b);
}

TEST(bytebuf_full_block_still_terminates)
{
	struct k2e_bytebuf b = { 0 };
	char block[4096];

	memset(block, 'x', sizeof(block));
	k2e_bytebuf_put(&b, block, sizeof(block));	/* exactly the first allocation */
	CHECK_U64(strlen(k2e_bytebuf_str(&b)), 4096);
	k2e_bytebuf_release(&b);
}

TEST(bytebuf_binary_and_window)
{
	struct k2e_bytebuf b = { .be = true };
	unsigned char mem[8] = { 0 };
	struct k2e_bytebuf win = { .p = mem + 2, .cap = 4 };
	struct k2e_err err;

	k2e_bytebuf_uint(&b, 0x0102, 2);
	k2e_bytebuf_uleb(&b, 624485);
	k2e_bytebuf_sleb(&b, -123456);
	CHECK_U64(b.len, 2 + 3 + 3);
	CHECK(memcmp(b.p, "\x01\x02\xe5\x8e\x26\xc0\xbb\x78", 8) == 0);
	CHECK(k2e_bytebuf_check(&b, &err) == 0);
	k2e_bytebuf_release(&b);
	CHECK(b.be);			/* the byte order stays */
	/* A window patches in place, no more. */
	k2e_bytebuf_uint(&win, 0xaabbccdd, 4);
	CHECK(memcmp(mem, "\0\0\xdd\xcc\xbb\xaa\0\0", 8) == 0);
}

TEST(bytebuf_oom_is_sticky)
{
	struct k2e_bytebuf b = { 0 };
	struct k2e_err err;

	k2e_bytebuf_puts(&b, "a");
	k2e_bytebuf_put(&b, "x", SIZE_MAX / 2);	/* cannot be had */
	CHECK(b.oom);
	k2e_bytebuf_puts(&b, "b");
	CHECK_U64(b.len, 1);
	CHECK(k2e_bytebuf_str(&b) == NULL);
	CHECK(k2e_bytebuf_check(&b, &err) < 0);
	CHECK_STR(err.msg, "out of memory");
	CHECK(k2e_bytebuf_take(&b, NULL) == NULL);
	CHECK(!b.oom && b.p == NULL);
}
