/*
 * convert.h - turn an opened dump into an ELF64 core file.
 *
 * The core holds one PT_NOTE with every note of the input (plus kdump2elf's
 * own, see convert/k2e-notes.h) and PT_LOADs: one per run of dumped pages
 * (p_paddr = physical address, p_vaddr = its direct-map address when the
 * kernel's page tables tell it), then aliases: further PT_LOADs whose file
 * bytes are the same pages, at the kernel virtual addresses that map them
 * (kernel image, modules, vmalloc, vmemmap, ...).  Zero pages are holes;
 * lost pages are in no segment.
 *
 * Beside it, OUTPUT.gdb (output/gdbscript.h) and, without a vmlinux,
 * OUTPUT.sym (output/sidecar.h).  Every file is built under a temporary name
 * (an unlinked O_TMPFILE where the file system has it) in the output's
 * directory; they are put in place together when all are complete, or none
 * is.
 */
#ifndef K2E_CONVERT_H
#define K2E_CONVERT_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis/panic.h"
#include "convert/pages.h"
#include "convert/virtual.h"
#include "formats/format.h"

enum { K2E_MAX_WARNINGS = 8 };

struct k2e_convert_opts {
	const char *output;		/* final path */
	bool force;			/* replace an existing output */
	unsigned threads;		/* decoding threads (0: 1) */
	bool no_vmap;			/* do not walk page tables for virtual mappings */
	const char *vmlinux;		/* the kernel's vmlinux, NULL: look in the usual places */
	const char *const *module_dirs;	/* searched recursively for NAME.ko(.debug) */
	size_t n_module_dirs;
	bool no_gdb_script;		/* do not write OUTPUT.gdb */
	bool no_sidecar;		/* do not write OUTPUT.sym when there is no vmlinux */
	bool no_symtab;			/* no section headers and .symtab in the core (convert/coresyms.h) */
	const char *system_map;		/* OUTPUT.sym: vmlinux symbols from this System.map, not kallsyms */
	const char *btf;		/* OUTPUT.sym: raw vmlinux BTF from this file, not the dump's */
	bool want_log;			/* read the kernel log and the panic into the result */
	struct k2e_virtual_core *virt;	/* not NULL: make it instead of writing files */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	void *progress_arg;
};

struct k2e_convert_result {
	struct k2e_page_stats pages;
	uint64_t n_ram;			/* pages that exist in the machine, 0: unknown */
	uint64_t n_phdrs;		/* all program headers */
	uint64_t n_phys_loads;		/* PT_LOADs of physical runs */
	uint64_t n_alias_loads;		/* PT_LOADs aliasing them at other addresses */
	uint64_t file_size;		/* apparent size of the output */
	bool page_offset_known;
	uint64_t page_offset;		/* direct-map base when known */
	bool stream_truncated;		/* a flattened stream ended without its end marker */
	char vmap_note[K2E_ERR_MSG_MAX];	/* why no virtual mappings, if none */
	/* What the kernel's symbols told (analysis/cpus.h, analysis/modules.h). */
	char *vmlinux;			/* the vmlinux used, or NULL */
	char vmlinux_note[K2E_ERR_MSG_MAX];	/* why none */
	char *gdb_script;		/* OUTPUT.gdb, or NULL */
	int panic_cpu;			/* -1 when not known */
	size_t n_cpus_mapped, n_prstatus;
	size_t n_modules, n_modules_found;	/* loaded, and with a file found */
	char kinfo_note[K2E_ERR_MSG_MAX];
	char *cpu_map;			/* the NT_K2E_CPUS text, or NULL */
	char *sidecar;			/* OUTPUT.sym (symbols from the dump), or NULL */
	char sidecar_note[K2E_ERR_MSG_MAX];	/* why none, or what it lacks */
	size_t n_core_symbols;		/* in the core's .symtab */
	size_t n_core_sections;		/* load sections they are in */
	char core_symtab_note[K2E_ERR_MSG_MAX];	/* why the core has none, or what it lacks */
	char warnings[K2E_MAX_WARNINGS][K2E_ERR_MSG_MAX];
	size_t n_warnings;
	/* With want_log: the kernel log as makedumpfile --dump-dmesg prints it, and the panic. */
	bool have_panic;
	struct k2e_panic panic;
	char *log;
	size_t log_len;
	char log_note[K2E_ERR_MSG_MAX];	/* why there is none */
};

void k2e_convert_result_init(struct k2e_convert_result *r);
void k2e_convert_result_release(struct k2e_convert_result *r);

/*
 * Convert d into opts->output (or, with opts->virt, into memory).  -1 on
 * failure, with nothing left at the output paths.  Lost pages are not a
 * failure: see res->pages.lost.
 */
int k2e_convert(struct k2e_dump *d, const struct k2e_convert_opts *opts,
		struct k2e_convert_result *res, struct k2e_err *err);

#endif
