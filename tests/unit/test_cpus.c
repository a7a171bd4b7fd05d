/*
 * Unit tests of analysis/cpus.c: NT_PRSTATUS notes mapped to CPUs through the
 * per-CPU crash_notes copies, with idle CPUs (pid 0), notes out of CPU order,
 * a CPU that saved no note, and QEMU's dumps (notes in CPU order).
 */
#include "tests/unit/harness.h"

#include <elf.h>
#include <stdlib.h>

#include "analysis/cpus.h"
#include "lib/endian.h"

enum { PR_SIZE = 336, PID_OFF = 32, NCPU = 4 };

/* Fake kernel memory: a few named regions. */
struct region {
	uint64_t va;
	const unsigned char *data;
	size_t len;
};

struct fakemem {
	struct region r[16];
	size_t n;
};

static int fake_read(void *arg, uint64_t va, void *buf, size_t len, struct k2e_err *err)
{
	struct fakemem *m = arg;

	for (size_t i = 0; i < m->n; i++)
		if (va >= m->r[i].va && va + len <= m->r[i].va + m->r[i].len) {
			memcpy(buf, m->r[i].data + (va - m->r[i].va), len);
			return 0;
		}
	return k2e_err_set(err, "address 0x%llx is not in the dump", (unsigned long long)va);
}

static const struct k2e_mem_ops fake_ops = { .read_virt = fake_read };

/* A little-endian x86_64 kernel over fake memory, without notes or symbols. */
static struct k2e_kernel *fake_kernel(struct fakemem *m)
{
	struct k2e_kernel_desc desc = { .machine = EM_X86_64, .is64 = true };
	struct k2e_kernel *k = NULL;
	struct k2e_err err;

	CHECK(k2e_kernel_new(&desc, &fake_ops, m, &k, &err) == 0);
	return k;
}

static void prstatus(unsigned char *p, uint32_t pid, unsigned char fill)
{
	memset(p, fill, PR_SIZE);
	k2e_put32le(p + PID_OFF, pid);
}

/*
 * CPU c's saved note in memory: note header, "CORE\0" padded to 8, prstatus.
 * The dump's notes list them in `order`, missing ones left out.
 */
static void run_case(const int *order, size_t n_notes, const uint32_t *pids, bool no_copies,
		     const int *want_cpu)
{
	static unsigned char percpu[NCPU][12 + 8 + PR_SIZE];
	unsigned char pco[8 * NCPU], base[8], nr[4];
	struct tbuf notes = { 0 };
	struct fakemem mem = { .n = 0 };
	struct k2e_dump d = { 0 };
	struct k2e_cpus ki = { .panic_cpu = -1 };
	struct k2e_kernel *kr = fake_kernel(&mem);
	struct k2e_err err;

	for (int c = 0; c < NCPU; c++) {
		unsigned char *n = percpu[c];

		k2e_put32le(n, 5);
		k2e_put32le(n + 4, PR_SIZE);
		k2e_put32le(n + 8, NT_PRSTATUS);
		memcpy(n + 12, "CORE\0\0\0\0", 8);
		prstatus(n + 20, pids[c], (unsigned char)(0x40 + c));
		k2e_put64le(pco + 8 * c, 0x1000ULL * (uint64_t)c);
	}
	for (size_t i = 0; i < n_notes; i++)
		note_put(&notes, "CORE", NT_PRSTATUS, percpu[order[i]] + 20, PR_SIZE, false);

	/* crash_notes (a per-CPU pointer) at 0xa000 holds 0x100000; CPU c's copy is at 0x100000 + 0x1000 c. */
	k2e_put64le(base, 0x100000);
	k2e_put32le(nr, NCPU);
	mem.r[mem.n++] = (struct region){ 0xa000, base, 8 };
	mem.r[mem.n++] = (struct region){ 0xb000, pco, sizeof(pco) };
	mem.r[mem.n++] = (struct region){ 0xc000, nr, 4 };
	for (int c = 0; c < NCPU; c++)
		if (!no_copies)
			mem.r[mem.n++] = (struct region){ 0x100000 + 0x1000ULL * (uint64_t)c, percpu[c],
							 sizeof(percpu[c]) };
	d.notes = notes.p;
	d.notes_len = notes.len;
	d.e_machine = EM_X86_64;
	d.ptr_bits = 64;
	CHECK(k2e_cpus_list_notes(&d, &ki, &err) == 0);
	CHECK_U64(ki.n_prs, n_notes);
	k2e_cpus_map_crash_notes(d.notes, kr, 0xa000, 0xb000, 0xc000, &ki);
	for (size_t i = 0; i < ki.n_prs && i < n_notes; i++) {
		CHECKF(ki.prs[i].cpu == want_cpu[i], "note %zu: cpu %d, want %d", i, ki.prs[i].cpu,
		       want_cpu[i]);
		CHECK_U64(ki.prs[i].pid, pids[order[i]]);
	}
	k2e_cpus_release(&ki);
	k2e_kernel_free(kr);
	tbuf_free(&notes);
}

TEST(cpus_cpus_in_order_with_idle)
{
	const int order[] = { 0, 1, 2, 3 }, want[] = { 0, 1, 2, 3 };
	const uint32_t pids[NCPU] = { 157, 0, 0, 0 };

	run_case(order, 4, pids, false, want);
}

TEST(cpus_cpus_reordered_and_missing)
{
	/* CPU 2 saved no note; the others are listed out of order. */
	const int order[] = { 3, 0, 1 }, want[] = { 3, 0, 1 };
	const uint32_t pids[NCPU] = { 0, 160, 0, 0 };

	run_case(order, 3, pids, false, want);
}

TEST(cpus_cpus_all_idle_identical_registers_differ_by_fill)
{
	/* Same pid everywhere: only the saved bytes tell the CPUs apart. */
	const int order[] = { 2, 3, 0, 1 }, want[] = { 2, 3, 0, 1 };
	const uint32_t pids[NCPU] = { 0, 0, 0, 0 };

	run_case(order, 4, pids, false, want);
}

TEST(cpus_cpus_unreadable_crash_notes_left_unknown)
{
	/* The per-CPU copies are not in the dump: nothing can be mapped. */
	const int order[] = { 0, 1 }, want[] = { -1, -1 };
	const uint32_t pids[NCPU] = { 5, 6, 0, 0 };

	run_case(order, 2, pids, true, want);
}

TEST(cpus_qemu_notes_are_in_cpu_order)
{
	unsigned char pr[PR_SIZE];
	struct tbuf notes = { 0 };
	struct k2e_dump d = { 0 };
	struct k2e_cpus ki;
	struct k2e_err err;

	for (uint32_t c = 0; c < 3; c++) {
		prstatus(pr, c + 1, (unsigned char)c);	/* QEMU: pr_pid = cpu + 1 */
		note_put(&notes, "CORE", NT_PRSTATUS, pr, sizeof(pr), false);
	}
	for (int c = 0; c < 3; c++)
		note_put(&notes, "QEMU", 0, "cpustate", 8, false);
	d.notes = notes.p;
	d.notes_len = notes.len;
	d.e_machine = EM_X86_64;
	d.ptr_bits = 64;
	CHECK(k2e_cpus_collect(&d, NULL, &ki, &err) == 0);
	CHECK_U64(ki.n_prs, 3);
	for (size_t i = 0; i < ki.n_prs; i++)
		CHECK_I64(ki.prs[i].cpu, (long long)i);
	k2e_cpus_release(&ki);
	tbuf_free(&notes);
}

/* QEMU on arm64 writes no QEMU note: its pids 1..n in note order say the CPU, only there. */
TEST(cpus_qemu_arm64_pids_are_the_cpus)
{
	static const struct {
		uint16_t machine;
		uint32_t pids[3];
		bool mapped;
	} cases[] = {
		{ EM_AARCH64, { 1, 2, 3 }, true },
		{ EM_AARCH64, { 1, 3, 2 }, false },
		{ EM_AARCH64, { 0, 1, 2 }, false },
		{ EM_X86_64, { 1, 2, 3 }, false },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		unsigned char pr[PR_SIZE];
		struct tbuf notes = { 0 };
		struct k2e_dump d = { 0 };
		struct k2e_cpus ki;
		struct k2e_err err;

		for (uint32_t i = 0; i < 3; i++) {
			prstatus(pr, cases[c].pids[i], (unsigned char)i);
			note_put(&notes, "CORE", NT_PRSTATUS, pr, sizeof(pr), false);
		}
		d.notes = notes.p;
		d.notes_len = notes.len;
		d.e_machine = cases[c].machine;
		d.ptr_bits = 64;
		CHECK(k2e_cpus_collect(&d, NULL, &ki, &err) == 0);
		if (CHECK_U64(ki.n_prs, 3))
			for (size_t i = 0; i < ki.n_prs; i++)
				CHECKF(ki.prs[i].cpu == (cases[c].mapped ? (int)i : -1),
				       "case %zu note %zu: cpu %d", c, i, ki.prs[i].cpu);
		k2e_cpus_release(&ki);
		tbuf_free(&notes);
	}
}
