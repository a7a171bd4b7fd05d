/*
 * cpus.h - the dumped machine's CPUs and the threads gdb will see.
 *
 * A kdump has one NT_PRSTATUS note per CPU that saved its registers, in no
 * promised order, with the pid of the task it ran (0 for idle CPUs).  Each
 * note is matched with its CPU through the kernel's crash_notes (a per-CPU
 * copy of every note) and __per_cpu_offset; QEMU's dump-guest-memory writes
 * its own notes in CPU order (formats.md).  panic_cpu says which CPU
 * panicked.
 */
#ifndef K2E_CPUS_H
#define K2E_CPUS_H

#include <stddef.h>
#include <stdint.h>

#include "formats/format.h"
#include "kernel/kernel.h"
#include "lib/error.h"

struct k2e_prstatus {
	size_t offset;		/* of the note's descriptor in the note blob */
	size_t desc_len;
	uint32_t pid;		/* pr_pid as the dump has it */
	int cpu;		/* -1 when not known */
};

struct k2e_cpus {
	int panic_cpu;			/* -1 when not known */
	struct k2e_prstatus *prs;	/* NT_PRSTATUS notes, in note order */
	size_t n_prs;
	char why_no_cpus[256];		/* set when the note-to-CPU map failed */
};

/* Offset of pr_pid in an NT_PRSTATUS descriptor, by e_machine (0: unknown). */
size_t k2e_prstatus_pid_offset(uint16_t e_machine, unsigned ptr_bits);

/*
 * Fill ret from d's notes and, when k is not NULL, the kernel's memory and
 * symbols.  What cannot be learnt is explained in why_no_cpus, not an
 * error; -1 only for out of memory.
 */
int k2e_cpus_collect(const struct k2e_dump *d, struct k2e_kernel *k, struct k2e_cpus *ret,
		     struct k2e_err *err);
void k2e_cpus_release(struct k2e_cpus *c);

/*
 * gdb's thread id for note i: its pid, or, for idle CPUs and repeated pids
 * (gdb folds equal pids), 4194304 + its CPU (past any real pid).
 */
uint32_t k2e_cpus_thread_id(const struct k2e_cpus *c, size_t i);

/* The steps, for tests: list d's NT_PRSTATUS notes into c. */
int k2e_cpus_list_notes(const struct k2e_dump *d, struct k2e_cpus *c, struct k2e_err *err);
/*
 * Match each listed note with CPU c's saved note at
 * *crash_notes + __per_cpu_offset[c] (runtime addresses of the three symbols).
 */
void k2e_cpus_map_crash_notes(const unsigned char *notes, struct k2e_kernel *k,
			      uint64_t crash_notes, uint64_t per_cpu_offset, uint64_t nr_cpu_ids,
			      struct k2e_cpus *c);

#endif
