/*
 * Unit tests of lib/names.c and output/gdbscript.c: names from the dump
 * are data, never script syntax; paths are quoted where gdb parses quotes.
 */
#include "tests/unit/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/gdbscript.h"
#include "lib/names.h"

static const char injection[] = "virtio_ring\nshell touch k2e-pwned\n#";

TEST(names_module)
{
	CHECK(k2e_name_is_module("k2e_oops"));
	CHECK(k2e_name_is_module("nf-conntrack"));
	CHECK(!k2e_name_is_module(""));
	CHECK(!k2e_name_is_module(injection));
	CHECK(!k2e_name_is_module("a b"));
	CHECK(!k2e_name_is_module("a\"b"));
	CHECK(!k2e_name_is_module("a#b"));
	CHECK(!k2e_name_is_module("mod\xc3\xa9"));
	CHECK(!k2e_name_is_module("../x"));
	CHECK(!k2e_name_is_module("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));	/* 56 */
	CHECK(k2e_name_is_module("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));	/* 55 */
}

TEST(names_section_symbol)
{
	CHECK(k2e_name_is_section(".text"));
	CHECK(k2e_name_is_section(".data..percpu"));
	CHECK(k2e_name_is_section("__ksymtab_gpl"));
	CHECK(k2e_name_is_section(".rodata.str1.1"));
	CHECK(!k2e_name_is_section(".text 0x0\nshell id"));
	CHECK(!k2e_name_is_section(".te\"xt"));
	CHECK(k2e_name_is_symbol("foo.constprop.0"));
	CHECK(k2e_name_is_symbol("__func__.1"));
	CHECK(!k2e_name_is_symbol("a b"));
	CHECK(!k2e_name_is_symbol("a\x1b[31m"));
	CHECK(!k2e_name_is_symbol("caf\xc3\xa9"));
}

TEST(names_escape)
{
	char out[64];

	CHECK_STR(k2e_name_escape(injection, SIZE_MAX, out, sizeof(out)),
		  "virtio_ring\\x0ashell touch k2e-pwned\\x0a#");
	CHECK_STR(k2e_name_escape("a\\b\xc3", SIZE_MAX, out, sizeof(out)), "a\\x5cb\\xc3");
	CHECK_STR(k2e_name_escape("abcdefghijkl", 5, out, sizeof(out)), "abcde");
	CHECK_STR(k2e_name_escape("abcdefghijkl", SIZE_MAX, out, 8), "abcd...");
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 16);

	if (f && buf)
		(void)!fread(buf, 1, (1 << 16) - 1, f);
	if (f)
		fclose(f);
	return buf;
}

/* Every line is a comment or one of the commands the writer uses. */
static bool only_known_commands(const char *text)
{
	static const char *const ok[] = { "#", "set pagination off", "set confirm off",
					  "set print pretty on", "set architecture ", "symbol-file ", "add-symbol-file ",
					  "core-file ", "thread " };

	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		bool known = false;

		for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
			known |= strncmp(l, ok[i], strlen(ok[i])) == 0;
		if (!known)
			return false;
		if (!nl)
			break;
		l = nl + 1;
	}
	return true;
}

TEST(gdbscript_quotes_and_refuses)
{
	char dir[] = "/tmp/k2e-gdbscript-XXXXXX", moddir[256], ko[320], script[320];
	struct k2e_section good_sect[] = { { .name = ".text", .addr = 0xffffffffc0001000ULL },
					   { .name = ".data", .addr = 0xffffffffc0003000ULL },
					   { .name = ".bss\nshell id", .addr = 0xffffffffc0004000ULL } };
	struct k2e_module mods[3] = { 0 };
	struct k2e_modules ml = { .mods = mods, .n_mods = 3 };
	const char *dirs[1];
	struct k2e_gdbscript_in in = { 0 };
	struct k2e_err err;
	size_t found = 0;
	char *text;
	FILE *f;
	int fd;

	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	snprintf(moddir, sizeof(moddir), "%s/mods \"q\" #x", dir);
	CHECK(mkdir(moddir, 0755) == 0);
	snprintf(ko, sizeof(ko), "%s/good_mod.ko", moddir);
	f = fopen(ko, "w");
	if (f)
		fclose(f);
	snprintf(mods[0].name, sizeof(mods[0].name), "good_mod");
	mods[0].sect = good_sect;
	mods[0].n_sect = 3;
	snprintf(mods[1].name, sizeof(mods[1].name), "%s", injection);
	mods[1].sect = good_sect;
	mods[1].n_sect = 1;
	snprintf(mods[2].name, sizeof(mods[2].name), "k2e \"o p\" #\xc3\xa9");
	dirs[0] = moddir;
	in.core = "/tmp/some dir/core #1.elf";
	in.dump = "dump\nshell touch k2e-pwned";
	in.vmlinux = "/tmp/vm \"linux\" \\x";
	in.kaslr_offset = 0x1000000;
	in.mods = &ml;
	in.module_dirs = dirs;
	in.n_module_dirs = 1;
	in.thread = 2;
	snprintf(script, sizeof(script), "%s/out.gdb", dir);
	fd = open(script, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (!CHECKF(k2e_gdbscript_write(fd, script, &in, &found, &err) == 0, "%s", err.msg))
		goto out;
	close(fd);
	CHECK_U64(found, 1);
	text = slurp(script);
	CHECKF(only_known_commands(text), "%s", text);
	CHECK(!strstr(text, "\nshell"));
	CHECK_CONTAINS(text, "symbol-file -o 0x1000000 \"/tmp/vm \\\"linux\\\" \\\\x\"\n");
	CHECK_CONTAINS(text, "add-symbol-file \"");
	/* (an empty .ko: no sections to confirm, so only .text) */
	CHECK_CONTAINS(text, "/mods \\\"q\\\" #x/good_mod.ko\" 0xffffffffc0001000\n");
	CHECK(!strstr(text, ".bss"));
	CHECK_CONTAINS(text, "# module virtio_ring\\x0ashell touch k2e-pwned\\x0a#: no usable");
	CHECK_CONTAINS(text, "# Written by kdump2elf from dump\\x0ashell touch k2e-pwned.\n");
	CHECK_CONTAINS(text, "core-file /tmp/some dir/core #1.elf\nthread 2\n");
	free(text);

	/* A core path gdb could not read back is refused, and nothing is written. */
	fd = open(script, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	in.core = "/tmp/core\nshell id";
	CHECK(k2e_gdbscript_write(fd, script, &in, &found, &err) < 0);
	CHECK_CONTAINS(err.msg, "cannot be named in a gdb script");
	close(fd);
	{
		struct stat st;

		CHECK(stat(script, &st) == 0 && st.st_size == 0);
	}
	in.core = "/tmp/core ";
	CHECK(k2e_gdbscript_check_path(in.core, &err) < 0);
out:
	unlink(ko);
	rmdir(moddir);
	unlink(script);
	rmdir(dir);
}

/* An arm64 core's script names the architecture before it loads anything. */
TEST(gdbscript_architecture)
{
	char script[] = "/tmp/k2e-gdbarch-XXXXXX";
	struct k2e_gdbscript_in in = { .core = "/tmp/core.elf", .dump = "dump",
				       .architecture = "aarch64", .vmlinux = "/tmp/vmlinux" };
	struct k2e_err err;
	size_t found;
	char *text, *arch, *sym;
	int fd = mkstemp(script);

	if (!CHECK(fd >= 0))
		return;
	if (CHECKF(k2e_gdbscript_write(fd, script, &in, &found, &err) == 0, "%s", err.msg)) {
		text = slurp(script);
		arch = strstr(text, "\nset architecture aarch64\n");
		sym = strstr(text, "\nsymbol-file ");
		CHECKF(arch && sym && arch < sym, "%s", text);
		free(text);
	}
	close(fd);
	unlink(script);
}

/*
 * Modules the converter found: a relocated copy is loaded as it is (quoted,
 * no addresses for gdb to place); a .ko without one keeps add-symbol-file
 * -s and the reason; no file at all, only the reason.
 */
TEST(gdbscript_module_files)
{
	char script[] = "/tmp/k2e-gdbmods-XXXXXX";
	struct k2e_section sect[] = { { .name = ".text", .addr = 0xffffffffc0001000ULL } };
	struct k2e_module mods[3] = { 0 };
	struct k2e_modules ml = { .mods = mods, .n_mods = 3 };
	struct k2e_gdb_module g[3] = {
		{ .relocated = "/out/core \"1\".elf.k2e_oops.ko.debug", .file = "/m/k2e_oops.ko" },
		{ .why = "no relocated copy: relocation type 9 not supported" },	/* .file: below */
		{ .why = "no gone.ko found" },
	};
	struct k2e_gdbscript_in in = { .core = "/tmp/core.elf", .dump = "dump", .vmlinux = "/tmp/vmlinux",
				       .mods = &ml, .mod_files = g };
	struct k2e_err err;
	size_t found = 0;
	char *text, want[256];
	int fd = mkstemp(script);

	if (!CHECK(fd >= 0))
		return;
	g[1].file = script;	/* a file that is there (empty: no sections to confirm) */
	for (int i = 0; i < 3; i++) {
		mods[i].sect = sect;
		mods[i].n_sect = 1;
	}
	snprintf(mods[0].name, sizeof(mods[0].name), "k2e_oops");
	snprintf(mods[1].name, sizeof(mods[1].name), "other");
	snprintf(mods[2].name, sizeof(mods[2].name), "gone");
	if (CHECKF(k2e_gdbscript_write(fd, script, &in, &found, &err) == 0, "%s", err.msg)) {
		text = slurp(script);
		CHECK_U64(found, 2);
		CHECKF(only_known_commands(text), "%s", text);
		CHECK_CONTAINS(text, "\nadd-symbol-file \"/out/core \\\"1\\\".elf.k2e_oops.ko.debug\"\n");
		snprintf(want, sizeof(want),
			 "\n# module other: no relocated copy: relocation type 9 not supported\n"
			 "add-symbol-file \"%s\" 0xffffffffc0001000\n", script);
		CHECK_CONTAINS(text, want);
		CHECK_CONTAINS(text, "\n# module gone: no gone.ko found\ncore-file ");
		free(text);
	}
	close(fd);
	unlink(script);
}
