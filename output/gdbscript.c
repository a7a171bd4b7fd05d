/* gdbscript.c - write OUTPUT.gdb for stock gdb. */
#include "output/gdbscript.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debuginfo/find.h"
#include "lib/names.h"
#include "output/gdbpac.h"

/* Does the ELF file at path have an allocated section called name? */
static bool has_section(Elf *elf, const char *name)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC))
			continue;
		n = elf_strptr(elf, shstrndx, sh.sh_name);
		if (n && strcmp(n, name) == 0)
			return true;
	}
	return false;
}

/*
 * Paths and names in the script are data, never syntax.  symbol-file and
 * add-symbol-file split their arguments as a shell would (libiberty's
 * buildargv): a double-quoted word with '\\' and '"' escaped is taken
 * whole.  core-file takes the rest of its line as it is (no quoting; gdb
 * strips trailing blanks).  A newline cannot be written in either, so a
 * path holding a control character is refused.
 */
static bool path_writable(const char *p)
{
	size_t len = strlen(p);

	for (const char *c = p; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return false;
	return len > 0 && p[len - 1] != ' ' && p[len - 1] != '\t';
}

static void put_quoted(FILE *f, const char *p)
{
	fputc('"', f);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

/* A comment: control characters and '\\' escaped, so it stays one line. */
static void put_comment(FILE *f, const char *text)
{
	char esc[1024];

	fprintf(f, "# %s\n", k2e_name_escape(text, SIZE_MAX, esc, sizeof(esc)));
}

int k2e_gdbscript_check_path(const char *path, struct k2e_err *err)
{
	char esc[512];

	if (!path_writable(path))
		return k2e_err_set(err, "'%s' cannot be named in a gdb script (control characters or trailing blanks)",
				   k2e_name_escape(path, SIZE_MAX, esc, sizeof(esc)));
	return 0;
}

static void module_line(FILE *f, const char *file, const struct k2e_module *m)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	Elf *elf;
	const struct k2e_section *text = NULL;

	for (size_t i = 0; i < m->n_sect; i++)
		if (strcmp(m->sect[i].name, ".text") == 0)
			text = &m->sect[i];
	if (fd < 0 || !text) {
		char line[128];

		if (fd >= 0)
			close(fd);
		snprintf(line, sizeof(line), "%s: no .text address in the dump", m->name);
		put_comment(f, line);
		return;
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	fputs("add-symbol-file ", f);
	put_quoted(f, file);
	fprintf(f, " 0x%llx", (unsigned long long)text->addr);
	for (size_t i = 0; i < m->n_sect; i++) {
		const struct k2e_section *s = &m->sect[i];

		/* Names from the dump: only those the kernel makes (analysis/modules.c checks too). */
		if (s == text || !k2e_name_is_section(s->name) || (elf && !has_section(elf, s->name)))
			continue;
		fprintf(f, " -s %s 0x%llx", s->name, (unsigned long long)s->addr);
	}
	fputc('\n', f);
	if (elf)
		elf_end(elf);
	close(fd);
}

int k2e_gdbscript_write(int out_fd, const char *path, const struct k2e_gdbscript_in *in,
			size_t *ret_found, struct k2e_err *err)
{
	const char *dirs[64];
	char distro[2][512];
	size_t n_dirs = 0, found = 0;
	bool sidecar = false;	/* symbols from OUTPUT.sym */
	FILE *f;
	int fd;

	for (size_t i = 0; i < in->n_module_dirs && n_dirs < 62; i++)
		dirs[n_dirs++] = in->module_dirs[i];
	if (in->release && in->release[0]) {
		snprintf(distro[0], sizeof(distro[0]), "/usr/lib/debug/lib/modules/%s", in->release);
		snprintf(distro[1], sizeof(distro[1]), "/lib/modules/%s", in->release);
		dirs[n_dirs++] = distro[0];
		dirs[n_dirs++] = distro[1];
	}
	if (k2e_gdbscript_check_path(in->core, err) < 0)
		return -1;
	fd = dup(out_fd);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return k2e_err_errno(err, errno, "cannot write '%s'", path);
	}
	{
		char line[K2E_ERR_MSG_MAX];

		snprintf(line, sizeof(line), "gdb -x %s", path);
		put_comment(f, line);
		snprintf(line, sizeof(line), "Written by kdump2elf from %s.", in->dump);
		put_comment(f, line);
	}
	fputs("set pagination off\nset confirm off\nset print pretty on\n", f);
	if (in->architecture)
		fprintf(f, "set architecture %s\n", in->architecture);
	if (in->vmlinux && path_writable(in->vmlinux)) {
		fprintf(f, "symbol-file -o 0x%llx ", (unsigned long long)in->kaslr_offset);
		put_quoted(f, in->vmlinux);
		fputc('\n', f);
		for (size_t i = 0; in->mods && i < in->mods->n_mods; i++) {
			const struct k2e_module *m = &in->mods->mods[i];
			const struct k2e_gdb_module *g = in->mod_files ? &in->mod_files[i] : NULL;
			char *file = NULL;
			char line[K2E_ERR_MSG_MAX + 128];

			if (g && g->relocated && path_writable(g->relocated)) {
				/* Every section already at its address: nothing for gdb to place. */
				fputs("add-symbol-file ", f);
				put_quoted(f, g->relocated);
				fputc('\n', f);
				found++;
				continue;
			}
			if (g && g->why) {
				snprintf(line, sizeof(line), "module %s: %s", m->name, g->why);
				put_comment(f, line);
			}
			if (g)
				file = g->file ? strdup(g->file) : NULL;
			else if (k2e_name_is_module(m->name))
				file = k2e_find_module(m->name, dirs, n_dirs);
			if (!file || !path_writable(file)) {
				snprintf(line, sizeof(line), "module %s: no usable %s.ko found", m->name,
					 m->name);
				if (!(g && g->why && !g->file))
					put_comment(f, line);
				free(file);
				continue;
			}
			module_line(f, file, m);
			free(file);
			found++;
		}
	} else if (in->vmlinux) {
		char line[K2E_ERR_MSG_MAX];

		snprintf(line, sizeof(line), "vmlinux '%s' cannot be named in a gdb script", in->vmlinux);
		put_comment(f, line);
	} else if (in->sidecar && path_writable(in->sidecar)) {
		fputs("# no vmlinux: symbols and types decoded from the dump itself\n", f);
		fputs("symbol-file ", f);
		put_quoted(f, in->sidecar);
		fputc('\n', f);
		sidecar = true;
	} else {
		fputs("# no vmlinux was found: give one to kdump2elf with --vmlinux for symbols\n", f);
	}
	/* The sidecar's own call frames strip PAC bits (output/frames-arm64.h). */
	if (in->pac_mask && !sidecar)
		k2e_gdbscript_pac_unwinder(f, in->pac_mask);
	fprintf(f, "core-file %s\n", in->core);
	if (in->thread > 0)
		fprintf(f, "thread %d\n", in->thread);
	if (fclose(f) != 0)
		return k2e_err_errno(err, errno, "cannot write '%s'", path);
	*ret_found = found;
	return 0;
}
