/*
 * Unit tests of kernel/: kmem (virtual reads through PT_LOADs, PN_XNUM,
 * vmcoreinfo lookups), printk (the lockless ring buffer, log_buf records and
 * the plain buffer, each laid out by hand in a fake core, formatted as
 * makedumpfile --dump-dmesg does) and panic (the message and task found in
 * log lines).
 */
#include "tests/unit/harness.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "analysis/panic.h"
#include "analysis/printk.h"
#include "lib/endian.h"

/* A region of the fake kernel's memory. */
struct fseg {
	uint64_t vaddr;
	const unsigned char *data;
	size_t filesz;
	uint64_t memsz;
};

/*
 * An ELF64 little-endian core: header, program headers (PT_NOTE first), the
 * notes, then the segments' bytes in reverse order (so file order is not
 * address order).  With extra_loads, that many empty PT_LOADs come first and
 * e_phnum is PN_XNUM when the count needs it.
 */
static int fake_core(const char *vmcoreinfo, const struct fseg *segs, size_t n,
		     size_t extra_loads, int n_prstatus)
{
	struct tbuf f = { 0 }, notes = { 0 };
	unsigned char eh[64] = { 0 }, ph[56], sh[64] = { 0 };
	uint64_t phnum = 1 + extra_loads + n, off;
	uint64_t *seg_off = calloc(n ? n : 1, sizeof(*seg_off));
	unsigned char prs[336] = { 0 };
	int fd;

	for (int i = 0; i < n_prstatus; i++)
		note_put(&notes, "CORE", NT_PRSTATUS, prs, sizeof(prs), false);
	if (vmcoreinfo)
		note_put(&notes, "VMCOREINFO", 0, vmcoreinfo, strlen(vmcoreinfo), false);
	memcpy(eh, ELFMAG, SELFMAG);
	eh[EI_CLASS] = ELFCLASS64;
	eh[EI_DATA] = ELFDATA2LSB;
	eh[EI_VERSION] = EV_CURRENT;
	k2e_put16(eh + 16, ET_CORE, false);
	k2e_put16(eh + 18, EM_X86_64, false);
	k2e_put64(eh + 32, 64, false);			/* e_phoff */
	k2e_put16(eh + 52, 64, false);			/* e_ehsize */
	k2e_put16(eh + 54, 56, false);			/* e_phentsize */
	k2e_put16(eh + 56, phnum >= PN_XNUM ? PN_XNUM : (uint16_t)phnum, false);
	off = 64 + phnum * 56 + notes.len;
	for (size_t i = n; i-- > 0;) {
		seg_off[i] = off;
		off += segs[i].filesz;
	}
	if (phnum >= PN_XNUM) {
		k2e_put64(eh + 40, off, false);		/* e_shoff */
		k2e_put16(eh + 58, 64, false);
		k2e_put16(eh + 60, 1, false);
		k2e_put32(sh + 44, (uint32_t)phnum, false);	/* sh_info */
	}
	tbuf_put(&f, eh, sizeof(eh));
	memset(ph, 0, sizeof(ph));
	k2e_put32(ph, PT_NOTE, false);
	k2e_put64(ph + 8, 64 + phnum * 56, false);
	k2e_put64(ph + 32, notes.len, false);
	k2e_put64(ph + 40, notes.len, false);
	tbuf_put(&f, ph, sizeof(ph));
	for (size_t i = 0; i < extra_loads; i++) {
		memset(ph, 0, sizeof(ph));
		k2e_put32(ph, PT_LOAD, false);
		k2e_put64(ph + 16, 0x1000 + i * 0x1000, false);	/* far from the test addresses */
		k2e_put64(ph + 40, 0x1000, false);
		tbuf_put(&f, ph, sizeof(ph));
	}
	for (size_t i = 0; i < n; i++) {
		memset(ph, 0, sizeof(ph));
		k2e_put32(ph, PT_LOAD, false);
		k2e_put64(ph + 8, seg_off[i], false);
		k2e_put64(ph + 16, segs[i].vaddr, false);
		k2e_put64(ph + 32, segs[i].filesz, false);
		k2e_put64(ph + 40, segs[i].memsz, false);
		tbuf_put(&f, ph, sizeof(ph));
	}
	tbuf_put(&f, notes.p, notes.len);
	for (size_t i = n; i-- > 0;)
		tbuf_put(&f, segs[i].data, segs[i].filesz);
	if (phnum >= PN_XNUM)
		tbuf_put(&f, sh, sizeof(sh));
	fd = test_memfd(f.p, f.len);
	tbuf_free(&f);
	tbuf_free(&notes);
	free(seg_off);
	return fd;
}

/* With K2E_FUZZ_CORES=DIR, keep each fake core as DIR/printk-N (seeds for tests/fuzz/fuzz_printk). */
static void keep_core(int fd)
{
	static unsigned n;
	const char *dir = getenv("K2E_FUZZ_CORES");
	char cmd[4096];

	if (dir && snprintf(cmd, sizeof(cmd), "cp /proc/%d/fd/%d '%s/printk-%u'", (int)getpid(), fd,
			    dir, n++) <
			   (int)sizeof(cmd) &&
	    system(cmd) != 0)
		k2e_test_fail(__FILE__, __LINE__, "%s", cmd);
}

static struct k2e_kernel *open_fd(int fd)
{
	char path[64];
	struct k2e_kernel *km = NULL;
	struct k2e_err err;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	keep_core(fd);
	if (k2e_kernel_open_core(path, &km, &err) < 0) {
		k2e_test_fail(__FILE__, __LINE__, "kmem_open: %s", err.msg);
		return NULL;
	}
	return km;
}

TEST(kmem_reads_across_segments)
{
	unsigned char a[64], b[64], buf[200];
	struct fseg segs[] = {
		{ 0xffffffff81000000, a, sizeof(a), sizeof(a) },
		/* adjacent in memory, elsewhere in the file; a zero tail past p_filesz */
		{ 0xffffffff81000040, b, sizeof(b), sizeof(b) + 32 },
	};
	struct k2e_kernel *km;
	struct k2e_err err;
	uint64_t v;
	int fd;

	for (int i = 0; i < 64; i++) {
		a[i] = (unsigned char)i;
		b[i] = (unsigned char)(0x80 + i);
	}
	fd = fake_core("OSRELEASE=6.1.0\nSYMBOL(prb)=ffffffff81000010\nOFFSET(x.y)=12\nSIZE(x)=88\n"
		       "NUMBER(phys_base)=-16777216\nCRASHTIME=1795668085\n",
		       segs, 2, 0, 3);
	km = open_fd(fd);
	if (!km)
		goto out;
	CHECK(k2e_kernel_read(km, 0xffffffff81000030, buf, 0x40, &err) == 0);
	CHECK_U64(buf[0], 0x30);
	CHECK_U64(buf[0xf], 0x3f);
	CHECK_U64(buf[0x10], 0x80);
	CHECK_U64(buf[0x3f], 0x80 + 0x2f);
	memset(buf, 0xaa, sizeof(buf));
	CHECK(k2e_kernel_read(km, 0xffffffff81000078, buf, 16, &err) == 0);
	CHECK_U64(buf[7], 0x80 + 0x3f);
	CHECK_U64(buf[8], 0);		/* p_memsz beyond p_filesz reads as zeros */
	CHECK(k2e_kernel_read(km, 0xffffffff810000a0, buf, 1, &err) == -1);
	CHECK_CONTAINS(err.msg, "0xffffffff810000a0 is not in the dump");
	CHECK(k2e_kernel_read(km, 0xffffffff81000070, buf, 0x40, &err) == -1);
	CHECK(k2e_kernel_read_uint(km, 0xffffffff81000000, 8, &v, &err) == 0);
	CHECK_U64(v, 0x0706050403020100ULL);
	/* The kernel's lookups answer from VMCOREINFO. */
	CHECK(k2e_kernel_symbol(km, "prb", &v, &err) == 0);
	CHECK_U64(v, 0xffffffff81000010ULL);
	{
		struct k2e_member m;

		CHECK(k2e_kernel_member(km, "x", "y", &m, &err) == 0);
		CHECK_U64(m.offset, 12);
	}
	CHECK(k2e_kernel_sizeof(km, "x", &v, &err) == 0);
	CHECK_U64(v, 88);
	CHECK(k2e_kernel_sizeof(km, "nothing", &v, &err) == -1);
	CHECK(k2e_kernel_symbol(km, "nothing", &v, &err) == -1);
	CHECK_CONTAINS(err.msg, "no symbol 'nothing'");
	{
		int64_t n;
		const struct k2e_vmcoreinfo *vi = k2e_kernel_vmcoreinfo(km);

		CHECK(k2e_vmcoreinfo_number(vi, "phys_base", &n) == 0);
		CHECK_I64(n, -16777216);
		CHECK(k2e_vmcoreinfo_signed(vi, "CRASHTIME", 10, &n) == 0);
		CHECK_I64(n, 1795668085);
	}
	CHECK_U64(k2e_kernel_count_notes(km, "CORE", NT_PRSTATUS), 3);
	CHECK_U64(k2e_kernel_word_size(km), 8);
	k2e_kernel_free(km);
out:
	close(fd);
}

TEST(kmem_pn_xnum)
{
	unsigned char a[16] = "sixteen bytes!!";
	struct fseg seg = { 0xffff888000001000, a, sizeof(a), sizeof(a) };
	struct k2e_kernel *km;
	struct k2e_err err;
	unsigned char buf[16];
	int fd = fake_core("OSRELEASE=x\n", &seg, 1, 70000, 0);

	km = open_fd(fd);
	if (km) {
		CHECK(k2e_kernel_read(km, 0xffff888000001000, buf, 16, &err) == 0);
		CHECK_MEM(buf, a, 16);
		k2e_kernel_free(km);
	}
	close(fd);
}

TEST(kmem_not_elf)
{
	static const char text[] = "KDUMP   not an ELF file at all, but long enough to hold an ELF header";
	int fd = test_memfd(text, sizeof(text));
	char path[64];
	struct k2e_kernel *km;
	struct k2e_err err;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	CHECK(k2e_kernel_open_core(path, &km, &err) == -1);
	CHECK_CONTAINS(err.msg, "not an ELF file");
	close(fd);
}

/* ---- the lockless ring buffer (Linux 5.10+) ---- */

static const char prb_vmci[] =
	"OSRELEASE=6.1.0-test\n"
	"SYMBOL(prb)=ffffffff81000000\n"
	"SIZE(printk_ringbuffer)=88\n"
	"OFFSET(printk_ringbuffer.desc_ring)=0\n"
	"OFFSET(printk_ringbuffer.text_data_ring)=48\n"
	"OFFSET(printk_ringbuffer.fail)=80\n"
	"SIZE(prb_desc_ring)=48\n"
	"OFFSET(prb_desc_ring.count_bits)=0\n"
	"OFFSET(prb_desc_ring.descs)=8\n"
	"OFFSET(prb_desc_ring.infos)=16\n"
	"OFFSET(prb_desc_ring.head_id)=24\n"
	"OFFSET(prb_desc_ring.tail_id)=32\n"
	"SIZE(prb_desc)=24\n"
	"OFFSET(prb_desc.state_var)=0\n"
	"OFFSET(prb_desc.text_blk_lpos)=8\n"
	"SIZE(prb_data_blk_lpos)=16\n"
	"OFFSET(prb_data_blk_lpos.begin)=0\n"
	"OFFSET(prb_data_blk_lpos.next)=8\n"
	"SIZE(printk_info)=88\n"
	"OFFSET(printk_info.seq)=0\n"
	"OFFSET(printk_info.ts_nsec)=8\n"
	"OFFSET(printk_info.text_len)=16\n"
	"OFFSET(printk_info.caller_id)=20\n"
	"SIZE(prb_data_ring)=32\n"
	"OFFSET(prb_data_ring.size_bits)=0\n"
	"OFFSET(prb_data_ring.data)=8\n"
	"SIZE(atomic_long_t)=8\n"
	"OFFSET(atomic_long_t.counter)=0\n";

enum {
	K = 0x1000,		/* kernel memory: 16 KiB at KBASE */
	RB = 0x100,		/* struct printk_ringbuffer */
	DESCS = 0x1000,
	INFOS = 0x2000,
	DATA = 0x3000,		/* 512 bytes */
	DATA_SIZE = 512,
};
static const uint64_t KBASE = 0xffffffff81000000ULL;

struct rec {
	uint64_t id, state, begin, next, ts;
	uint16_t text_len;
	const char *text;	/* stored at begin (after the id), or after a wrap at 8 */
	size_t stored;		/* bytes of text stored */
};

static void put_record(unsigned char *mem, const struct rec *r)
{
	unsigned char *d = mem + DESCS + (r->id % 8) * 24;
	unsigned char *i = mem + INFOS + (r->id % 8) * 88;
	uint64_t b = r->begin % DATA_SIZE, n = r->next % DATA_SIZE;

	k2e_put64(d, r->state << 62 | r->id, false);
	k2e_put64(d + 8, r->begin, false);
	k2e_put64(d + 16, r->next, false);
	k2e_put64(i + 8, r->ts, false);
	k2e_put16(i + 16, r->text_len, false);
	if (b != n && r->text) {
		uint64_t at = b > n ? 0 : b;

		k2e_put64(mem + DATA + at, r->id, false);
		memcpy(mem + DATA + at + 8, r->text, r->stored);
	}
}

static char *decode(int fd, struct k2e_panic *panic)
{
	struct k2e_kernel *km = open_fd(fd);
	struct k2e_err err;
	char *text = NULL;
	size_t len;

	if (!km)
		return NULL;
	if (k2e_panic_read(km, panic, &text, &len, &err) < 0) {
		k2e_test_fail(__FILE__, __LINE__, "panic_read: %s", err.msg);
		text = NULL;
	} else {
		CHECK_U64(strlen(text), len);
	}
	k2e_kernel_free(km);
	return text;
}

TEST(printk_lockless_ring)
{
	static unsigned char mem[4 * K];
	const struct rec recs[] = {
		{ 5, 1, 256, 272, 1500000000, 5, "first", 5 },
		{ 6, 2, 272, 296, 2000001000, 10, "multi\nline", 10 },
		{ 7, 2, 296, 312, 3000000000, 5, "a\001b\303\251", 5 },
		{ 8, 0, 312, 328, 3500000000, 8, "reserved", 8 },	/* not committed */
		{ 9, 2, 1, 1, 3600000000, 0, NULL, 0 },		/* no text data */
		{ 10, 2, 504, 528, 4000000000, 4, "wrap", 4 },		/* wrapped to the start */
		{ 11, 1, 528, 544, 5000000000, 20, "truncated", 8 },	/* longer than its block */
		{ 12, 2, 544, 560, 12345678901000ULL, 4, "last", 4 },
	};
	struct fseg seg = { KBASE, mem, sizeof(mem), sizeof(mem) };
	struct k2e_panic panic;
	char *text;
	int fd;

	memset(mem, 0, sizeof(mem));
	k2e_put64(mem + 0, KBASE + RB, false);			/* prb -> printk_rb_static */
	k2e_put32(mem + RB + 0, 3, false);			/* count_bits: 8 descriptors */
	k2e_put64(mem + RB + 8, KBASE + DESCS, false);
	k2e_put64(mem + RB + 16, KBASE + INFOS, false);
	k2e_put64(mem + RB + 24, 12, false);			/* head_id */
	k2e_put64(mem + RB + 32, 5, false);			/* tail_id */
	k2e_put32(mem + RB + 48, 9, false);			/* size_bits: 512 bytes */
	k2e_put64(mem + RB + 56, KBASE + DATA, false);
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		put_record(mem, &recs[i]);
	/* The symbol is a pointer: prb at KBASE holds &printk_rb_static. */
	fd = fake_core(prb_vmci, &seg, 1, 0, 2);
	text = decode(fd, &panic);
	if (text)
		/* The lockless ring records caller ids: makedumpfile 1.7.6's column. */
		CHECK_STR(text,
			  "[    1.500000] [      T0] first\n"
			  "[    2.000001] [      T0] multi\n"
			  "                          line\n"
			  "[    3.000000] [      T0] a\\x01b\\xffffffc3\\xffffffa9\n"
			  "[    4.000000] [      T0] wrap\n"
			  "[    5.000000] [      T0] truncate\n"
			  "[12345.678901] [      T0] last\n");
	CHECK(!panic.have_message);
	CHECK_I64(panic.cpu, -1);
	free(text);
	close(fd);
}

TEST(printk_lockless_bad_span)
{
	static unsigned char mem[4 * K];
	struct fseg seg = { KBASE, mem, sizeof(mem), sizeof(mem) };
	struct k2e_kernel *km;
	struct k2e_err err;
	char *text;
	size_t len;
	int fd;

	memset(mem, 0, sizeof(mem));
	k2e_put64(mem + 0, KBASE + RB, false);
	k2e_put32(mem + RB + 0, 3, false);
	k2e_put64(mem + RB + 8, KBASE + DESCS, false);
	k2e_put64(mem + RB + 16, KBASE + INFOS, false);
	k2e_put64(mem + RB + 24, 1000, false);			/* head far past tail */
	k2e_put64(mem + RB + 32, 5, false);
	k2e_put32(mem + RB + 48, 9, false);
	k2e_put64(mem + RB + 56, KBASE + DATA, false);
	fd = fake_core(prb_vmci, &seg, 1, 0, 0);
	km = open_fd(fd);
	if (km) {
		CHECK(k2e_printk_text(km, &text, &len, &err) == -1);
		CHECK_CONTAINS(err.msg, "more than its 8 descriptors");
		k2e_kernel_free(km);
	}
	close(fd);
}

TEST(printk_missing_vmcoreinfo)
{
	unsigned char mem[64] = { 0 };
	struct fseg seg = { KBASE, mem, sizeof(mem), sizeof(mem) };
	struct k2e_kernel *km;
	struct k2e_err err;
	char *text;
	size_t len;
	int fd = fake_core(NULL, &seg, 1, 0, 1);

	km = open_fd(fd);
	if (km) {
		CHECK(k2e_printk_text(km, &text, &len, &err) == -1);
		CHECK_CONTAINS(err.msg, "no VMCOREINFO");
		k2e_kernel_free(km);
	}
	close(fd);
	fd = fake_core("OSRELEASE=6.1.0\nSYMBOL(prb)=ffffffff81000000\n", &seg, 1, 0, 1);
	km = open_fd(fd);
	if (km) {
		CHECK(k2e_printk_text(km, &text, &len, &err) == -1);
		CHECK_CONTAINS(err.msg, "vmcoreinfo lacks SIZE(printk_ringbuffer)");
		k2e_kernel_free(km);
	}
	close(fd);
}

/* ---- log_buf records (Linux 3.5 .. 5.9) ---- */

static void put_log(unsigned char *buf, size_t idx, uint64_t ts, uint16_t len, const char *text,
		    uint16_t dict_len)
{
	size_t tl = text ? strlen(text) : 0;

	k2e_put64(buf + idx, ts, false);
	k2e_put16(buf + idx + 8, len, false);
	k2e_put16(buf + idx + 10, (uint16_t)tl, false);
	k2e_put16(buf + idx + 12, dict_len, false);
	if (tl)
		memcpy(buf + idx + 16, text, tl);
	memset(buf + idx + 16 + tl, 'D', dict_len);	/* the dictionary is not printed */
}

TEST(printk_log_buf_records)
{
	static unsigned char mem[K];
	static const char vmci[] =
		"OSRELEASE=5.4.0\n"
		"SYMBOL(log_buf)=ffffffff81000000\n"
		"SYMBOL(log_buf_len)=ffffffff81000008\n"
		"SYMBOL(log_first_idx)=ffffffff8100000c\n"
		"SYMBOL(log_next_idx)=ffffffff81000010\n"
		"SYMBOL(clear_idx)=ffffffff81000014\n"
		"SIZE(printk_log)=16\n"
		"OFFSET(printk_log.ts_nsec)=0\n"
		"OFFSET(printk_log.len)=8\n"
		"OFFSET(printk_log.text_len)=10\n"
		"OFFSET(printk_log.dict_len)=12\n";
	struct fseg seg = { KBASE, mem, sizeof(mem), sizeof(mem) };
	unsigned char *lb = mem + 0x100;
	struct k2e_panic panic;
	char *text;
	int fd;

	memset(mem, 0, sizeof(mem));
	k2e_put64(mem, KBASE + 0x100, false);	/* char *log_buf */
	k2e_put32(mem + 8, 256, false);		/* log_buf_len */
	k2e_put32(mem + 12, 200, false);	/* log_first_idx */
	k2e_put32(mem + 16, 64, false);		/* log_next_idx */
	put_log(lb, 200, 100000000, 32, "oldest", 0);
	k2e_put16(lb + 232 + 8, 0, false);	/* len 0: wrap to the start */
	put_log(lb, 0, 200000000, 24, "wrapped", 0);
	put_log(lb, 24, 300000000, 40, "dict", 5);
	fd = fake_core(vmci, &seg, 1, 0, 1);
	text = decode(fd, &panic);
	if (text)
		CHECK_STR(text, "[    0.100000] oldest\n[    0.200000] wrapped\n[    0.300000] dict\n");
	free(text);
	close(fd);
}

TEST(printk_log_buf_records_cycle)
{
	static unsigned char mem[K];
	static const char vmci[] =
		"SYMBOL(log_buf)=ffffffff81000000\n"
		"SYMBOL(log_buf_len)=ffffffff81000008\n"
		"SYMBOL(log_first_idx)=ffffffff8100000c\n"
		"SYMBOL(log_next_idx)=ffffffff81000010\n"
		"SIZE(log)=16\n"			/* Linux 3.5 .. 3.10 name */
		"OFFSET(log.ts_nsec)=0\n"
		"OFFSET(log.len)=8\n"
		"OFFSET(log.text_len)=10\n";
	struct fseg seg = { KBASE, mem, sizeof(mem), sizeof(mem) };
	unsigned char *lb = mem + 0x100;
	struct k2e_kernel *km;
	struct k2e_err err;
	char *text;
	size_t len;
	int fd;

	memset(mem, 0, sizeof(mem));
	k2e_put64(mem, KBASE + 0x100, false);
	k2e_put32(mem + 8, 256, false);
	k2e_put32(mem + 12, 0, false);
	k2e_put32(mem + 16, 100, false);	/* never reached */
	put_log(lb, 0, 1, 32, "a", 0);
	put_log(lb, 32, 2, 0, "b", 0);	/* len 0 at 32 wraps back to 0: a cycle */
	k2e_put16(lb + 32 + 8, 0, false);
	fd = fake_core(vmci, &seg, 1, 0, 1);
	km = open_fd(fd);
	if (km) {
		CHECK(k2e_printk_text(km, &text, &len, &err) == -1);
		CHECK_CONTAINS(err.msg, "cycle");
		k2e_kernel_free(km);
	}
	close(fd);
}

TEST(printk_plain_buffer)
{
	static unsigned char mem[K];
	static const char vmci[] =
		"OSRELEASE=2.6.32-test\n"
		"SYMBOL(log_buf)=ffffffff81000000\n"
		"SYMBOL(log_buf_len)=ffffffff81000008\n"
		"SYMBOL(log_end)=ffffffff8100000c\n";
	struct fseg seg = { KBASE, mem, sizeof(mem), sizeof(mem) };
	struct k2e_panic panic;
	char *text;
	int fd;

	memset(mem, 0, sizeof(mem));
	k2e_put64(mem, KBASE + 0x100, false);
	k2e_put32(mem + 8, 64, false);
	k2e_put32(mem + 12, 70, false);		/* wrapped once: oldest text at 70 % 64 */
	memcpy(mem + 0x100, "c - X\nXXXXXX\n<4>Pid: 7, comm: swapper Not tainted\n"
			     "<0>Kernel pani", 64);
	fd = fake_core(vmci, &seg, 1, 0, 1);
	text = decode(fd, &panic);
	if (text)
		CHECK_STR(text, "XXXXXX\n<4>Pid: 7, comm: swapper Not tainted\n<0>Kernel panic - X\n");
	CHECK(panic.have_message);
	CHECK_STR(panic.message, "<0>Kernel panic - X");
	free(text);
	close(fd);
}

/* ---- panic ---- */

static void scan_lines(const char *const *lines, struct k2e_panic *ret)
{
	struct k2e_panic_scan *s;
	struct k2e_err err;

	if (k2e_panic_scan_new(&s, &err) < 0)
		abort();
	for (size_t i = 0; lines[i]; i++)
		k2e_panic_scan_line(s, lines[i], strlen(lines[i]));
	k2e_panic_scan_result(s, ret);
	k2e_panic_scan_free(s);
}

TEST(panic_oops_before_panic_line)
{
	static const char *const lines[] = {
		"k2e_oops: writing 102400 to bad address 0x12345678 (comm=k2e_trigger pid=160)",
		"BUG: unable to handle page fault for address: 0000000012345678",
		"Oops: 0002 [#1] PREEMPT SMP NOPTI",
		"CPU: 1 PID: 160 Comm: k2e_trigger Kdump: loaded Tainted: G           OE      6.1.0-56-cloud-amd64 #1  Debian 6.1.192-2",
		"Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)",
		"Kernel panic - not syncing: Fatal exception",
		"CPU: 0 PID: 5 Comm: other Not tainted 6.1.0 #1",
		NULL,
	};
	struct k2e_panic p;

	scan_lines(lines, &p);
	CHECK(p.have_message);
	CHECK_STR(p.message, "Oops: 0002 [#1] PREEMPT SMP NOPTI");
	CHECK_I64(p.cpu, 1);
	CHECK_I64(p.pid, 160);
	CHECK_STR(p.comm, "k2e_trigger");
}

TEST(panic_plain_panic_and_uid)
{
	static const char *const lines[] = {
		"sysrq: Trigger a crash",
		"Kernel panic - not syncing: sysrq triggered crash",
		"CPU: 3 UID: 0 PID: 42 Comm: my task Not tainted 6.12.0 #1",
		NULL,
	};
	struct k2e_panic p;

	scan_lines(lines, &p);
	CHECK_STR(p.message, "Kernel panic - not syncing: sysrq triggered crash");
	CHECK_I64(p.cpu, 3);
	CHECK_I64(p.pid, 42);
	CHECK_STR(p.comm, "my task");
}

TEST(panic_kinds_in_order)
{
	static const char *const lines[] = {
		"Kernel panic - not syncing: later kind",
		"CPU: 0 PID: 1 Comm: init Not tainted",
		"kernel BUG at mm/slub.c:123!",
		"invalid opcode: 0000 [#1] SMP",
		"CPU: 2 PID: 99 Comm: kworker/2:1 Tainted: G        W",
		"general protection fault: 0000 [#2] SMP",
		NULL,
	};
	struct k2e_panic p;

	scan_lines(lines, &p);
	/* A GPF line outranks the BUG and the panic line; it has no task line after it. */
	CHECK_STR(p.message, "general protection fault: 0000 [#2] SMP");
	CHECK_I64(p.cpu, -1);
	CHECK_I64(p.pid, -1);
	CHECK_STR(p.comm, "");
}

TEST(panic_old_task_line_and_none)
{
	static const char *const old[] = {
		"Unable to handle kernel NULL pointer dereference at 0000000000000000",
		"Pid: 7, comm: swapper Not tainted 2.6.32 #1",
		NULL,
	};
	static const char *const none[] = { "all is well", "CPU: 1 PID: 2 Comm: x Not tainted", NULL };
	struct k2e_panic p;

	scan_lines(old, &p);
	CHECK(p.have_message);
	CHECK_I64(p.cpu, -1);
	CHECK_I64(p.pid, 7);
	CHECK_STR(p.comm, "swapper");
	scan_lines(none, &p);
	CHECK(!p.have_message);
	CHECK_I64(p.pid, -1);
}

TEST(printk_format_caller_ids)
{
	struct k2e_bytebuf t;
	struct k2e_err err;
	struct k2e_log_record r = { .ts_nsec = 2665819000ULL, .text = "a\nb", .len = 3,
				    .has_caller = true, .caller_id = 0x80000001u };

	k2e_bytebuf_init(&t);
	CHECK(k2e_printk_format(&r, &t, &err) == 0);
	r.caller_id = 4194303;		/* the widest pid */
	CHECK(k2e_printk_format(&r, &t, &err) == 0);
	CHECK_STR(k2e_bytebuf_str(&t), "[    2.665819] [      C1] a\n"
				       "                          b\n"
				       "[    2.665819] [T4194303] a\n"
				       "                          b\n");
	k2e_bytebuf_release(&t);
}

TEST(printk_format_escapes)
{
	struct k2e_bytebuf t;
	struct k2e_err err;
	struct k2e_log_record r = { .ts_nsec = 123456789012345ULL, .text = "tab\there\x7f\n", .len = 10 };

	k2e_bytebuf_init(&t);
	CHECK(k2e_printk_format(&r, &t, &err) == 0);
	/* 6-digit seconds widen the prefix; the trailing newline indents an empty line. */
	CHECK_STR(k2e_bytebuf_str(&t), "[123456.789012] tab\there\\x7f\n                \n");
	k2e_bytebuf_release(&t);
}
