/*
 * corefile.h - the output core's notes and headers (the pages are written
 * by convert/pages.c at the offsets of convert/layout.h).
 *
 * Notes: the dump's, verbatim but for each NT_PRSTATUS's pr_pid, which
 * becomes the thread id gdb shows (analysis/cpus.h), then kdump2elf's own
 * (convert/k2e-notes.h): NT_K2E_INFO, NT_K2E_CPUS and the eraseinfo.  On
 * arm64 with pointer authentication, an NT_ARM_PAC_MASK note follows each
 * NT_PRSTATUS (corefile.c).
 */
#ifndef K2E_COREFILE_H
#define K2E_COREFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/cpus.h"
#include "convert/coresyms.h"
#include "convert/layout.h"
#include "convert/loads.h"
#include "convert/pages.h"
#include "formats/format.h"

/* Room for kdump2elf's own notes in the layout. */
extern const size_t k2e_core_notes_reserve;
/*
 * And for the notes it adds to each thread (arm64's NT_ARM_PAC_MASK, see
 * corefile.c): 0 for other machines.
 */
size_t k2e_core_notes_thread_room(const struct k2e_dump *d);

struct k2e_core_notes {
	unsigned char *buf;
	size_t len;
	char *cpu_map;			/* the NT_K2E_CPUS text, or NULL */
	bool eraseinfo_dropped;		/* it arrived late and did not fit */
};

int k2e_core_notes(const struct k2e_dump *d, const struct k2e_page_stats *st,
		   const struct k2e_layout *l, const struct k2e_cpus *cpus,
		   struct k2e_core_notes *ret, struct k2e_err *err);

/*
 * Notes, program headers, ELF header, and the file's size; after the page
 * data, the section headers and symbol table of syms (convert/coresyms.h,
 * built for nph = 1 + ls->n program headers at l->data_end), or with syms
 * NULL a lone section header when PN_XNUM needs one.
 */
int k2e_core_headers(const struct k2e_dump *d, const struct k2e_layout *l, int fd,
		     const struct k2e_loads *ls, const unsigned char *notes, size_t notes_len,
		     const struct k2e_coresyms *syms, bool incomplete, uint64_t *ret_phdrs,
		     uint64_t *ret_size, struct k2e_err *err);

#endif
