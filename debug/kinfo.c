/* kinfo.c - CPUs, the panicking CPU and loaded modules of the dumped kernel. */
#include "debug/kinfo.h"

#include <elf.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/arch.h"
#include "lib/endian.h"
#include "lib/names.h"

/* The kernel's struct elf_prstatus: pr_pid follows siginfo (12), cursig (2+2), sigpend, sighold. */
size_t k2e_prstatus_pid_offset(uint16_t e_machine, unsigned ptr_bits)
{
	(void)e_machine;
	return ptr_bits == 64 ? 32 : 24;
}

static int read_u64(const struct k2e_kread *kr, uint64_t va, uint64_t *ret)
{
	unsigned char b[8];

	if (kr->read(kr->arg, va, b, 8) < 0)
		return -1;
	*ret = k2e_get64(b, false);
	return 0;
}

static int read_u32(const struct k2e_kread *kr, uint64_t va, uint32_t *ret)
{
	unsigned char b[4];

	if (kr->read(kr->arg, va, b, 4) < 0)
		return -1;
	*ret = k2e_get32(b, false);
	return 0;
}

int k2e_kinfo_list_notes(const struct k2e_dump *d, struct k2e_kinfo *ki, struct k2e_err *err)
{
	size_t pos = 0, pid_off = k2e_prstatus_pid_offset(d->e_machine, d->ptr_bits);

	while (pos + 12 <= d->notes_len) {
		const unsigned char *n = d->notes + pos;
		uint32_t namesz = k2e_get32(n, d->big_endian), descsz = k2e_get32(n + 4, d->big_endian);
		uint32_t type = k2e_get32(n + 8, d->big_endian);
		size_t desc = pos + 12 + ((namesz + 3) & ~3u), next = desc + ((descsz + 3) & ~3u);

		if (namesz > d->notes_len || descsz > d->notes_len || desc + descsz > d->notes_len)
			break;
		if (type == NT_PRSTATUS && namesz == 5 && memcmp(n + 12, "CORE", 5) == 0 &&
		    descsz >= pid_off + 4) {
			struct k2e_prstatus *p = realloc(ki->prs, (ki->n_prs + 1) * sizeof(*p));

			if (!p)
				return k2e_err_set(err, "out of memory");
			ki->prs = p;
			p[ki->n_prs++] = (struct k2e_prstatus){
				.offset = desc,
				.desc_len = descsz,
				.pid = k2e_get32(d->notes + desc + pid_off, d->big_endian),
				.cpu = -1,
			};
		}
		pos = next;
	}
	return 0;
}

/*
 * crash_notes is a per-CPU pointer: CPU c's saved note is at
 * crash_notes + __per_cpu_offset[c], and its bytes are the note the dump
 * carries for c.  Match them.
 */
static void map_cpus(const struct k2e_dump *d, const struct k2e_kread *kr,
		     struct k2e_vmlinux *vml, struct k2e_kinfo *ki)
{
	uint64_t crash_notes, pco, nr_ids_va;

	if (k2e_vmlinux_symbol(vml, "crash_notes", &crash_notes) < 0 ||
	    k2e_vmlinux_symbol(vml, "__per_cpu_offset", &pco) < 0 ||
	    k2e_vmlinux_symbol(vml, "nr_cpu_ids", &nr_ids_va) < 0) {
		snprintf(ki->why_no_cpus, sizeof(ki->why_no_cpus),
			 "vmlinux lacks crash_notes, __per_cpu_offset or nr_cpu_ids");
		return;
	}
	k2e_kinfo_map_cpus(d, kr, crash_notes + ki->kaslr_offset, pco + ki->kaslr_offset,
			   nr_ids_va + ki->kaslr_offset, ki);
}

void k2e_kinfo_map_cpus(const struct k2e_dump *d, const struct k2e_kread *kr,
			uint64_t crash_notes, uint64_t pco, uint64_t nr_ids_va,
			struct k2e_kinfo *ki)
{
	uint64_t base;
	uint32_t nr_ids;
	unsigned char buf[1024];

	if (read_u64(kr, crash_notes, &base) < 0 || read_u32(kr, nr_ids_va, &nr_ids) < 0 ||
	    nr_ids == 0 || nr_ids > 8192) {
		snprintf(ki->why_no_cpus, sizeof(ki->why_no_cpus),
			 "crash_notes or nr_cpu_ids unreadable in the dump");
		return;
	}
	for (uint32_t cpu = 0; cpu < nr_ids; cpu++) {
		uint64_t off;

		if (read_u64(kr, pco + 8 * cpu, &off) < 0)
			continue;
		for (size_t i = 0; i < ki->n_prs; i++) {
			struct k2e_prstatus *p = &ki->prs[i];
			size_t len = p->desc_len < sizeof(buf) ? p->desc_len : sizeof(buf);

			/* Note header (12) + "CORE\0" padded to 8, then the descriptor. */
			if (p->cpu >= 0 || kr->read(kr->arg, base + off + 20, buf, len) < 0)
				continue;
			if (memcmp(buf, d->notes + p->offset, len) == 0) {
				p->cpu = (int)cpu;
				break;
			}
		}
	}
}

static void find_panic_cpu(const struct k2e_kread *kr, struct k2e_vmlinux *vml,
			   struct k2e_kinfo *ki)
{
	uint64_t va;
	uint32_t v;

	if (k2e_vmlinux_symbol(vml, "panic_cpu", &va) == 0 &&
	    read_u32(kr, va + ki->kaslr_offset, &v) == 0 && (int32_t)v >= 0)
		ki->panic_cpu = (int)v;
}

/* Note a name from the dump that is left out (the first one is kept for the message). */
static void bad_name(struct k2e_kinfo *ki, const char *what, const char *name, uint64_t at)
{
	char esc[96];

	if (ki->n_bad_names++ == 0)
		snprintf(ki->bad_name, sizeof(ki->bad_name), "%s '%s' at 0x%llx", what,
			 k2e_name_escape(name, SIZE_MAX, esc, sizeof(esc)), (unsigned long long)at);
}

static int add_section(struct k2e_module *m, const char *name, uint64_t addr)
{
	struct k2e_section *s = realloc(m->sect, (m->n_sect + 1) * sizeof(*s));

	if (!s)
		return -1;
	m->sect = s;
	s[m->n_sect].name = strdup(name);
	s[m->n_sect].addr = addr;
	if (!s[m->n_sect].name)
		return -1;
	m->n_sect++;
	return 0;
}

/* Walk the modules list: each module's name and its section addresses (sysfs sect_attrs). */
static int list_modules(const struct k2e_kread *kr, struct k2e_vmlinux *vml, struct k2e_kinfo *ki,
			struct k2e_err *err)
{
	struct k2e_err e;
	uint64_t head, o_list, o_name, o_sattrs, o_nsect, o_attrs, o_aname, o_aaddr, attr_size, pos;
	int guard = 0;

	if (k2e_vmlinux_symbol(vml, "modules", &head) < 0) {
		snprintf(ki->why_no_modules, sizeof(ki->why_no_modules), "vmlinux has no 'modules' symbol");
		return 0;
	}
	if (k2e_vmlinux_member(vml, "module", "list", &o_list, &e) < 0 ||
	    k2e_vmlinux_member(vml, "module", "name", &o_name, &e) < 0 ||
	    k2e_vmlinux_member(vml, "module", "sect_attrs", &o_sattrs, &e) < 0 ||
	    k2e_vmlinux_member(vml, "module_sect_attrs", "nsections", &o_nsect, &e) < 0 ||
	    k2e_vmlinux_member(vml, "module_sect_attrs", "attrs", &o_attrs, &e) < 0 ||
	    k2e_vmlinux_member(vml, "module_sect_attr", "battr.attr.name", &o_aname, &e) < 0 ||
	    k2e_vmlinux_member(vml, "module_sect_attr", "address", &o_aaddr, &e) < 0 ||
	    k2e_vmlinux_struct_size(vml, "module_sect_attr", &attr_size, &e) < 0) {
		snprintf(ki->why_no_modules, sizeof(ki->why_no_modules), "%.200s", e.msg);
		return 0;
	}
	head += ki->kaslr_offset;
	if (read_u64(kr, head, &pos) < 0) {
		snprintf(ki->why_no_modules, sizeof(ki->why_no_modules), "module list unreadable");
		return 0;
	}
	while (pos != head && guard++ < 4096) {
		uint64_t mod = pos - o_list, sattrs;
		uint32_t nsect;
		struct k2e_module m = { 0 };
		struct k2e_module *v;

		if (kr->read(kr->arg, mod + o_name, m.name, 56) < 0)
			break;
		m.name[56] = '\0';
		if (!k2e_name_is_module(m.name)) {
			bad_name(ki, "module name", m.name, mod);
			if (read_u64(kr, pos, &pos) < 0)
				break;
			continue;
		}
		if (read_u64(kr, mod + o_sattrs, &sattrs) == 0 && sattrs &&
		    read_u32(kr, sattrs + o_nsect, &nsect) == 0 && nsect < 1024) {
			for (uint32_t i = 0; i < nsect; i++) {
				uint64_t a = sattrs + o_attrs + i * attr_size, name_va, addr;
				char name[128];

				if (read_u64(kr, a + o_aname, &name_va) < 0 || read_u64(kr, a + o_aaddr, &addr) < 0 ||
				    kr->read(kr->arg, name_va, name, sizeof(name)) < 0)
					continue;
				name[sizeof(name) - 1] = '\0';
				if (!k2e_name_is_section(name)) {
					bad_name(ki, "section name", name, name_va);
					continue;
				}
				if (add_section(&m, name, addr) < 0)
					return k2e_err_set(err, "out of memory");
			}
		}
		v = realloc(ki->mods, (ki->n_mods + 1) * sizeof(*v));
		if (!v)
			return k2e_err_set(err, "out of memory");
		ki->mods = v;
		v[ki->n_mods++] = m;
		if (read_u64(kr, pos, &pos) < 0)
			break;
	}
	return 0;
}

/*
 * QEMU's dump-guest-memory writes one NT_PRSTATUS per vCPU in CPU order from
 * its own state, not from crash_notes (formats.md): there, the order is the CPU.
 */
static void map_cpus_qemu(const struct k2e_dump *d, struct k2e_kinfo *ki)
{
	const unsigned char *desc;
	size_t len;

	if (k2e_notes_find(d->notes, d->notes_len, "QEMU", -1, d->big_endian, &desc, &len) < 0)
		return;
	for (size_t i = 0; i < ki->n_prs; i++)
		if (ki->prs[i].cpu >= 0)
			return;
	for (size_t i = 0; i < ki->n_prs; i++)
		ki->prs[i].cpu = (int)i;
	ki->why_no_cpus[0] = '\0';
}

int k2e_kinfo_collect(const struct k2e_dump *d, const struct k2e_kread *kr,
		      struct k2e_vmlinux *vml, struct k2e_kinfo *ki, struct k2e_err *err)
{
	int64_t off;

	memset(ki, 0, sizeof(*ki));
	ki->panic_cpu = -1;
	if (k2e_vmcoreinfo_number(d, "KERNELOFFSET", 16, &off) == 0)
		ki->kaslr_offset = (uint64_t)off;
	if (k2e_kinfo_list_notes(d, ki, err) < 0)
		return -1;
	if (!vml) {
		map_cpus_qemu(d, ki);
		snprintf(ki->why_no_cpus, sizeof(ki->why_no_cpus), "no vmlinux");
		snprintf(ki->why_no_modules, sizeof(ki->why_no_modules), "no vmlinux");
		return 0;
	}
	map_cpus(d, kr, vml, ki);
	map_cpus_qemu(d, ki);
	find_panic_cpu(kr, vml, ki);
	return list_modules(kr, vml, ki, err);
}

void k2e_kinfo_release(struct k2e_kinfo *ki)
{
	for (size_t i = 0; i < ki->n_mods; i++) {
		for (size_t j = 0; j < ki->mods[i].n_sect; j++)
			free(ki->mods[i].sect[j].name);
		free(ki->mods[i].sect);
	}
	free(ki->mods);
	free(ki->prs);
	memset(ki, 0, sizeof(*ki));
}

static bool build_id_matches(const char *path, const char *want)
{
	char id[128];

	return k2e_elf_build_id(path, id, sizeof(id)) == 0 && strcmp(id, want) == 0;
}

char *k2e_find_vmlinux(const struct k2e_dump *d, const char *given, struct k2e_err *err)
{
	char want[128] = "", rel[80] = "", path[512];
	size_t len;
	const char *v = k2e_vmcoreinfo_find(d, "BUILD-ID", &len);

	if (v && len < sizeof(want)) {
		memcpy(want, v, len);
		want[len] = '\0';
	}
	v = k2e_vmcoreinfo_find(d, "OSRELEASE", &len);
	if (v && len < sizeof(rel)) {
		memcpy(rel, v, len);
		rel[len] = '\0';
	}
	if (given) {
		char id[128];

		if (k2e_elf_build_id(given, id, sizeof(id)) < 0) {
			k2e_err_set(err, "%s: cannot read it as ELF", given);
			return NULL;
		}
		if (want[0] && strcmp(id, want) != 0) {
			k2e_err_set(err, "%s: build ID %s does not match the dump's %s", given,
				    id[0] ? id : "(none)", want);
			return NULL;
		}
		return strdup(given);
	}
	if (want[0]) {
		snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%.2s/%s.debug", want, want + 2);
		if (build_id_matches(path, want))
			return strdup(path);
	}
	if (rel[0]) {
		static const char *const fmt[] = {
			"/usr/lib/debug/boot/vmlinux-%s",
			"/usr/lib/debug/lib/modules/%s/vmlinux",
			"/lib/modules/%s/build/vmlinux",
			"/boot/vmlinux-%s",
		};

		for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
			snprintf(path, sizeof(path), fmt[i], rel);
			if (access(path, R_OK) == 0 && (!want[0] || build_id_matches(path, want)))
				return strdup(path);
		}
	}
	k2e_err_set(err, "no vmlinux with build ID %s found (give one with --vmlinux)",
		    want[0] ? want : "(unknown)");
	return NULL;
}

/* Depth-first search of dir for one of want[0..3]; allocated path or NULL. */
static char *search_dir(const char *dir, char want[4][80], int depth)
{
	DIR *dp;
	struct dirent *de;
	char *found = NULL;

	if (depth > 16 || !(dp = opendir(dir)))
		return NULL;
	while (!found && (de = readdir(dp))) {
		char path[4096];
		struct stat st;

		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			found = search_dir(path, want, depth + 1);
			continue;
		}
		for (int i = 0; i < 4 && !found; i++)
			if (S_ISREG(st.st_mode) && strcmp(de->d_name, want[i]) == 0)
				found = strdup(path);
	}
	closedir(dp);
	return found;
}

char *k2e_find_module(const char *name, const char *const *dirs, size_t n_dirs)
{
	char want[4][80], alt[64];
	char *found = NULL;

	snprintf(alt, sizeof(alt), "%s", name);
	for (char *p = alt; *p; p++)
		*p = *p == '_' ? '-' : *p == '-' ? '_' : *p;
	snprintf(want[0], sizeof(want[0]), "%s.ko.debug", name);
	snprintf(want[1], sizeof(want[1]), "%s.ko.debug", alt);
	snprintf(want[2], sizeof(want[2]), "%s.ko", name);
	snprintf(want[3], sizeof(want[3]), "%s.ko", alt);
	for (size_t i = 0; i < n_dirs && !found; i++)
		found = search_dir(dirs[i], want, 0);
	return found;
}
