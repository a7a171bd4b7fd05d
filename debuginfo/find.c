/*
 * find.c - the files that describe the dumped kernel: its vmlinux (by the
 * dump's build ID and release, in the distribution's usual places) and its
 * modules' .ko files (by build ID, then by name under the directories given).
 */
#include "debuginfo/find.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/vmcoreinfo.h"
#include "kernel/vmlinux.h"

static bool build_id_matches(const char *path, const char *want)
{
	char id[128];

	return k2e_elf_build_id(path, id, sizeof(id)) == 0 && strcmp(id, want) == 0;
}

char *k2e_find_vmlinux(const struct k2e_vmcoreinfo *vi, const char *given, struct k2e_err *err)
{
	char want[128] = "", rel[80] = "", path[512];

	if (!k2e_vmcoreinfo_string(vi, "BUILD-ID", want, sizeof(want)))
		want[0] = '\0';
	if (!k2e_vmcoreinfo_string(vi, "OSRELEASE", rel, sizeof(rel)))
		rel[0] = '\0';
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

char *k2e_find_module_file(const char *name, const char *build_id, const char *const *dirs,
			   size_t n_dirs, const char *release, struct k2e_err *err)
{
	const char *all[66];
	char distro[2][512], path[512], id[128];
	size_t n = 0;
	char *found;

	if (build_id[0] && strlen(build_id) > 2 && strspn(build_id, "0123456789abcdef") == strlen(build_id)) {
		snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%.2s/%s.debug", build_id, build_id + 2);
		if (build_id_matches(path, build_id))
			return strdup(path);
	}
	for (size_t i = 0; i < n_dirs && n < 64; i++)
		all[n++] = dirs[i];
	if (release && release[0]) {
		snprintf(distro[0], sizeof(distro[0]), "/usr/lib/debug/lib/modules/%s", release);
		snprintf(distro[1], sizeof(distro[1]), "/lib/modules/%s", release);
		all[n++] = distro[0];
		all[n++] = distro[1];
	}
	found = k2e_find_module(name, all, n);
	if (!found) {
		k2e_err_set(err, "no %s.ko found", name);
		return NULL;
	}
	if (build_id[0] && k2e_elf_build_id(found, id, sizeof(id)) == 0 && id[0] &&
	    strcmp(id, build_id) != 0) {
		k2e_err_set(err, "'%s' has build ID %s, not the dump's %s", found, id, build_id);
		free(found);
		return NULL;
	}
	return found;
}
