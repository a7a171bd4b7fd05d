/*
 * kinfo.h - facts about the dumped kernel that need its symbols: which CPU
 * each NT_PRSTATUS note belongs to, which CPU panicked, which modules were
 * loaded and where their sections are.  Read from the dump's memory through
 * a virtual-address reader, with symbol addresses and structure layouts from
 * the kernel's vmlinux (debug/vmlinux.h).
 */
#ifndef K2E_KINFO_H
#define K2E_KINFO_H

#include <stddef.h>
#include <stdint.h>

#include "debug/vmlinux.h"
#include "formats/format.h"
#include "lib/error.h"

/* Reads the dumped kernel's virtual memory; -1 when not in the dump. */
struct k2e_kread {
	int (*read)(void *arg, uint64_t vaddr, void *buf, size_t len);
	void *arg;
};

struct k2e_prstatus {
	size_t offset;		/* of the note's descriptor in the note blob */
	size_t desc_len;
	uint32_t pid;		/* pr_pid as the dump has it */
	int cpu;		/* -1 when not known */
};

struct k2e_section {
	char *name;
	uint64_t addr;
};

struct k2e_module {
	char name[64];
	struct k2e_section *sect;
	size_t n_sect;
};

struct k2e_kinfo {
	uint64_t kaslr_offset;		/* KERNELOFFSET */
	int panic_cpu;			/* -1 when not known */
	struct k2e_prstatus *prs;	/* NT_PRSTATUS notes, in note order */
	size_t n_prs;
	struct k2e_module *mods;
	size_t n_mods;
	char why_no_cpus[256];		/* set when the note-to-CPU map failed */
	char why_no_modules[256];
	/*
	 * Modules and sections whose names are not names the kernel makes
	 * (lib/names.h) are left out: how many, and the first one, escaped.
	 */
	size_t n_bad_names;
	char bad_name[160];
};

/* Offset of pr_pid in an NT_PRSTATUS descriptor, by e_machine (0: unknown). */
size_t k2e_prstatus_pid_offset(uint16_t e_machine, unsigned ptr_bits);

/*
 * Fill ki.  Everything that needs symbols is skipped when vml is NULL; what
 * fails is explained in why_* and not an error.  -1 only for out of memory.
 */
int k2e_kinfo_collect(const struct k2e_dump *d, const struct k2e_kread *kr,
		      struct k2e_vmlinux *vml, struct k2e_kinfo *ki, struct k2e_err *err);
void k2e_kinfo_release(struct k2e_kinfo *ki);

/* The steps of k2e_kinfo_collect(), for tests: list d's NT_PRSTATUS notes in ki. */
int k2e_kinfo_list_notes(const struct k2e_dump *d, struct k2e_kinfo *ki, struct k2e_err *err);
/*
 * Match each listed note with CPU c's saved note at
 * *crash_notes + __per_cpu_offset[c] (runtime addresses of the three symbols).
 */
void k2e_kinfo_map_cpus(const struct k2e_dump *d, const struct k2e_kread *kr,
			uint64_t crash_notes, uint64_t per_cpu_offset, uint64_t nr_cpu_ids,
			struct k2e_kinfo *ki);

/*
 * A vmlinux for this dump: `given` if set (its build ID must match), else the
 * distribution's usual places by BUILD-ID and OSRELEASE.  Returns an
 * allocated path, or NULL with the reason in err.
 */
char *k2e_find_vmlinux(const struct k2e_dump *d, const char *given, struct k2e_err *err);

/* Find NAME.ko or NAME.ko.debug (also with - and _ swapped) under dirs; allocated or NULL. */
char *k2e_find_module(const char *name, const char *const *dirs, size_t n_dirs);

#endif
