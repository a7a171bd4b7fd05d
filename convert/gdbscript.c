/* gdbscript.c - write OUTPUT.gdb for stock gdb. */
#include "convert/gdbscript.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/outfile.h"

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

static void module_line(FILE *f, const char *file, const struct k2e_module *m)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	Elf *elf;
	const struct k2e_section *text = NULL;

	for (size_t i = 0; i < m->n_sect; i++)
		if (strcmp(m->sect[i].name, ".text") == 0)
			text = &m->sect[i];
	if (fd < 0 || !text) {
		if (fd >= 0)
			close(fd);
		fprintf(f, "# %s: no .text address in the dump\n", m->name);
		return;
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	fprintf(f, "add-symbol-file %s 0x%llx", file, (unsigned long long)text->addr);
	for (size_t i = 0; i < m->n_sect; i++) {
		const struct k2e_section *s = &m->sect[i];

		if (s == text || (elf && !has_section(elf, s->name)))
			continue;
		fprintf(f, " -s %s 0x%llx", s->name, (unsigned long long)s->addr);
	}
	fputc('\n', f);
	if (elf)
		elf_end(elf);
	close(fd);
}

int k2e_gdbscript_write(const char *path, const struct k2e_gdbscript_in *in, bool force,
			size_t *ret_found, struct k2e_err *err)
{
	struct k2e_outfile out;
	const char *dirs[64];
	char distro[2][512];
	size_t n_dirs = 0, found = 0;
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
	if (k2e_outfile_create(&out, path, err) < 0)
		return -1;
	fd = dup(out.fd);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		k2e_outfile_abort(&out);
		return k2e_err_errno(err, errno, "cannot write '%s'", path);
	}
	fprintf(f, "# gdb -x %s\n# Written by kdump2elf from %s.\n", path, in->dump);
	fputs("set pagination off\nset confirm off\nset print pretty on\n", f);
	if (in->vmlinux) {
		fprintf(f, "symbol-file -o 0x%llx %s\n", (unsigned long long)in->ki->kaslr_offset,
			in->vmlinux);
		for (size_t i = 0; i < in->ki->n_mods; i++) {
			const struct k2e_module *m = &in->ki->mods[i];
			char *file = k2e_find_module(m->name, dirs, n_dirs);

			if (!file) {
				fprintf(f, "# module %s: no %s.ko found\n", m->name, m->name);
				continue;
			}
			module_line(f, file, m);
			free(file);
			found++;
		}
	} else if (in->sidecar) {
		fputs("# no vmlinux: symbols and types decoded from the dump itself\n", f);
		fprintf(f, "symbol-file %s\n", in->sidecar);
	} else {
		fputs("# no vmlinux was found: give one to kdump2elf with --vmlinux for symbols\n", f);
	}
	fprintf(f, "core-file %s\n", in->core);
	if (in->thread > 0)
		fprintf(f, "thread %d\n", in->thread);
	if (fclose(f) != 0) {
		k2e_outfile_abort(&out);
		return k2e_err_errno(err, errno, "cannot write '%s'", path);
	}
	if (k2e_outfile_commit(&out, force, err) < 0)
		return -1;
	*ret_found = found;
	return 0;
}
