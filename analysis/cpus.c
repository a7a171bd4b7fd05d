/*
 * cpus.c - the dumped machine's CPUs: which CPU each NT_PRSTATUS note
 * belongs to, which CPU panicked, and the thread id each note gets in the
 * core.  Symbols through the kernel's lookup (kernel/kernel.h): from the
 * vmlinux, the System.map or the dump's own kallsyms alike.
 */
#include "analysis/cpus.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/endian.h"

/* The kernel's struct elf_prstatus: pr_pid follows siginfo (12), cursig (2+2), sigpend, sighold. */
size_t k2e_prstatus_pid_offset(uint16_t e_machine, unsigned ptr_bits)
{
	(void)e_machine;
	return ptr_bits == 64 ? 32 : 24;
}

int k2e_cpus_list_notes(const struct k2e_dump *d, struct k2e_cpus *ki, struct k2e_err *err)
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
void k2e_cpus_map_crash_notes(const unsigned char *notes, struct k2e_kernel *kr,
			      uint64_t crash_notes, uint64_t pco, uint64_t nr_ids_va,
			      struct k2e_cpus *ki)
{
	uint64_t base;
	uint64_t nr_ids;
	unsigned char buf[1024];

	if (k2e_kernel_peek_uint(kr, crash_notes, 8, &base) < 0 ||
	    k2e_kernel_peek_uint(kr, nr_ids_va, 4, &nr_ids) < 0 || nr_ids == 0 || nr_ids > 8192) {
		snprintf(ki->why_no_cpus, sizeof(ki->why_no_cpus),
			 "crash_notes or nr_cpu_ids unreadable in the dump");
		return;
	}
	for (uint32_t cpu = 0; cpu < nr_ids; cpu++) {
		uint64_t off;

		if (k2e_kernel_peek_uint(kr, pco + 8 * cpu, 8, &off) < 0)
			continue;
		for (size_t i = 0; i < ki->n_prs; i++) {
			struct k2e_prstatus *p = &ki->prs[i];
			size_t len = p->desc_len < sizeof(buf) ? p->desc_len : sizeof(buf);

			/* Note header (12) + "CORE\0" padded to 8, then the descriptor. */
			if (p->cpu >= 0 || k2e_kernel_peek(kr, base + off + 20, buf, len) < 0)
				continue;
			if (memcmp(buf, notes + p->offset, len) == 0) {
				p->cpu = (int)cpu;
				break;
			}
		}
	}
}

/*
 * On arm64 QEMU adds no QEMU note; its NT_PRSTATUS notes say pid = vCPU
 * index + 1 (dump/dump.c, cpu_index()), in order.  A kernel's own notes
 * reading 1, 2, ... n would need init and kthreadd on CPUs 0 and 1 and
 * crash_notes not matching: taken for QEMU's.
 */
static bool qemu_arm64_pids(const struct k2e_dump *d, const struct k2e_cpus *ki)
{
	if (d->e_machine != EM_AARCH64 || !ki->n_prs)
		return false;
	for (size_t i = 0; i < ki->n_prs; i++)
		if (ki->prs[i].pid != i + 1)
			return false;
	return true;
}

/*
 * QEMU's dump-guest-memory writes one NT_PRSTATUS per vCPU in CPU order from
 * its own state, not from crash_notes (formats.md): there, the order is the CPU.
 */
static void map_cpus_qemu(const struct k2e_dump *d, struct k2e_cpus *ki)
{
	const unsigned char *desc;
	size_t len;

	if (k2e_notes_find(d->notes, d->notes_len, "QEMU", -1, d->big_endian, &desc, &len) < 0 &&
	    !qemu_arm64_pids(d, ki))
		return;
	for (size_t i = 0; i < ki->n_prs; i++)
		if (ki->prs[i].cpu >= 0)
			return;
	for (size_t i = 0; i < ki->n_prs; i++)
		ki->prs[i].cpu = (int)i;
	ki->why_no_cpus[0] = '\0';
}

int k2e_cpus_collect(const struct k2e_dump *d, struct k2e_kernel *k, struct k2e_cpus *ret,
		     struct k2e_err *err)
{
	uint64_t crash_notes, pco, nr_ids, pc;
	uint64_t v;
	struct k2e_err e;

	memset(ret, 0, sizeof(*ret));
	ret->panic_cpu = -1;
	if (k2e_cpus_list_notes(d, ret, err) < 0)
		return -1;
	if (!k) {
		map_cpus_qemu(d, ret);
		snprintf(ret->why_no_cpus, sizeof(ret->why_no_cpus), "no symbols");
		return 0;
	}
	if (k2e_kernel_symbol(k, "crash_notes", &crash_notes, &e) < 0 ||
	    k2e_kernel_symbol(k, "__per_cpu_offset", &pco, &e) < 0 ||
	    k2e_kernel_symbol(k, "nr_cpu_ids", &nr_ids, &e) < 0)
		snprintf(ret->why_no_cpus, sizeof(ret->why_no_cpus), "%.200s", e.msg);
	else
		k2e_cpus_map_crash_notes(d->notes, k, crash_notes, pco, nr_ids, ret);
	map_cpus_qemu(d, ret);
	if (k2e_kernel_symbol(k, "panic_cpu", &pc, &e) == 0 && k2e_kernel_peek_uint(k, pc, 4, &v) == 0 &&
	    (int32_t)v >= 0)
		ret->panic_cpu = (int)v;
	return 0;
}

void k2e_cpus_release(struct k2e_cpus *c)
{
	free(c->prs);
	memset(c, 0, sizeof(*c));
	c->panic_cpu = -1;
}

/*
 * gdb names a core's threads by pr_pid and folds notes with equal pids
 * (idle CPUs all say 0).  Give those a thread id of their own, above any
 * real pid (PID_MAX_LIMIT is 2^22), that names the CPU: 4194304 + cpu.
 * Busy CPUs keep their pid: drgn finds a task's registers by it.
 */
static const uint32_t k2e_idle_tid_base = 1u << 22;

uint32_t k2e_cpus_thread_id(const struct k2e_cpus *ki, size_t i)
{
	const struct k2e_prstatus *p = &ki->prs[i];
	bool dup = p->pid == 0;

	for (size_t j = 0; j < ki->n_prs && !dup; j++)
		dup = j != i && ki->prs[j].pid == p->pid;
	if (!dup)
		return p->pid;
	/* CPU unknown (no symbols): still distinct, past any CPU number. */
	return k2e_idle_tid_base + (uint32_t)(p->cpu >= 0 ? (size_t)p->cpu : 65536 + i);
}

