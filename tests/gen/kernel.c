/* kernel.c - a synthetic x86_64 kernel for k2e-mkdump ("kernel x86_64").
 *
 * Enough of a Linux 6.1 kernel for a reader without a vmlinux: the pages
 * it defines replace page_fill's contents, its VMCOREINFO lines go into the
 * note, and each CPU's NT_PRSTATUS registers stop in one of its functions.
 * Facts used (Documentation/x86/x86_64/mm.rst, scripts/kallsyms.c,
 * include/uapi/linux/btf.h, arch/x86/include/asm/orc_types.h):
 *
 *   - 4-level page tables at init_top_pgt: the direct map at
 *     0xffff888000000000 (2 MiB pages over all RAM), the kernel image at
 *     __START_KERNEL_map + 16 MiB + KERNELOFFSET (2 MiB pages), and one
 *     vmalloc'd 16 KiB stack per CPU (4 KiB pages scattered in RAM, guard
 *     gaps between stacks).  phys_base is what makes _text's physical
 *     address 16 MiB: negative with a large KASLR offset, as on real
 *     machines.
 *   - kallsyms as 6.1 lays it out (offsets, relative_base, num_syms, names,
 *     markers, token_table, token_index) with absolute-percpu offsets, names
 *     compressed with a 256-entry token table (single characters and a few
 *     longer substrings, chosen greedily), and the tables named in
 *     VMCOREINFO as 6.0+ does.
 *   - crash_notes (a per-CPU pointer) and __per_cpu_offset[]: CPU c's saved
 *     note is at crash_notes + __per_cpu_offset[c] in its per-CPU area, the
 *     same bytes as the dump's note for c; nr_cpu_ids and panic_cpu.
 *   - functions with frame-pointer prologues (push %rbp; mov %rsp,%rbp)
 *     calling each other, stacks holding the saved %rbp chain and the
 *     return addresses after each call, and ORC entries describing them,
 *     the outermost function marked as the end of the stack.
 *   - the kernel log in 6.1's lockless ring (prb, named in VMCOREINFO with
 *     its layout): the boot, then the panic, its task and call trace.
 *   - a small BTF (__start_BTF..__stop_BTF) made with libbpf: struct
 *     task_struct (pid, comm) for init_task, and the types of the module
 *     lists (modules, btf_modules: both empty).
 *
 * Everything is a pure function of the spec; nothing is read from outside.
 */
#define _GNU_SOURCE
#include "mkdump.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

enum {
	KCPUS_MAX = 16,
	NREGS = 27,
	NR_CPUS = 64,
	PS = 4096,
	STACK_SIZE = 16384,
	MAX_SYMS = 128,
	MAX_FRAMES = 8,
};

/* user_regs_struct (arch/x86/include/asm/user_64.h) register numbers */
enum { R_RBP = 4, R_RAX = 10, R_RIP = 16, R_CS = 17, R_EFLAGS = 18, R_RSP = 19, R_SS = 20 };

static const uint64_t start_kernel_map = 0xffffffff80000000ull;
static const uint64_t page_offset = 0xffff888000000000ull;
static const uint64_t vmalloc_start = 0xffffc90000000000ull;
static const uint64_t phys_text = 0x1000000;            /* 16 MiB */
static const uint64_t image_size = 6 << 20;             /* text, rodata, data */
static const uint64_t percpu_phys = 0x2000000;          /* + cpu MiB */
static const uint64_t stack_phys = 0x3400000;           /* + cpu * 128 KiB */
static const uint64_t crash_notes_pcpu = 0x1a000;       /* alloc_percpu() result */
static const uint64_t ram_needed = 0x4000000;           /* 64 MiB */

struct kpage {
	uint64_t pfn;
	unsigned char *data;
};

struct ksym {
	char name[48];
	char type;
	uint64_t addr;
};

struct kimage {
	struct kpage *pages;
	size_t npages, cap;
	struct ksym syms[MAX_SYMS];
	int nsyms;
	char *vmci;
	size_t vmci_len, vmci_cap;
	uint64_t regs[KCPUS_MAX][NREGS];
	uint64_t text;                  /* _text */
	uint64_t percpu_off[KCPUS_MAX];
};

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p) {
		fputs("k2e-mkdump: out of memory\n", stderr);
		exit(2);
	}
	return p;
}

static int page_cmp(const void *a, const void *b)
{
	const struct kpage *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

/* The page at pfn, made (zeroed) when new; pages are kept sorted. */
static unsigned char *kpage_get(struct kimage *k, uint64_t pfn)
{
	struct kpage key = { pfn, NULL }, *hit;

	hit = k->npages ? bsearch(&key, k->pages, k->npages, sizeof key, page_cmp) : NULL;
	if (hit)
		return hit->data;
	if (k->npages == k->cap) {
		struct kpage *p = realloc(k->pages, (k->cap = k->cap ? 2 * k->cap : 64) * sizeof *p);
		if (!p) {
			fputs("k2e-mkdump: out of memory\n", stderr);
			exit(2);
		}
		k->pages = p;
	}
	key.data = xcalloc(1, PS);
	k->pages[k->npages++] = key;
	qsort(k->pages, k->npages, sizeof key, page_cmp);
	return key.data;
}

const unsigned char *kimage_page(const struct kimage *k, uint64_t pfn)
{
	struct kpage key = { pfn, NULL }, *hit;

	if (!k->npages)
		return NULL;
	hit = bsearch(&key, k->pages, k->npages, sizeof key, page_cmp);
	return hit ? hit->data : NULL;
}

static void pwrite_mem(struct kimage *k, uint64_t pa, const void *src, size_t len)
{
	const unsigned char *s = src;

	while (len) {
		size_t in = pa % PS, n = PS - in < len ? PS - in : len;
		memcpy(kpage_get(k, pa / PS) + in, s, n);
		pa += n;
		s += n;
		len -= n;
	}
}

static void pput64(struct kimage *k, uint64_t pa, uint64_t v)
{
	unsigned char b[8];

	put64(b, v, 0);
	pwrite_mem(k, pa, b, 8);
}

static void pput32(struct kimage *k, uint64_t pa, uint32_t v)
{
	unsigned char b[4];

	put32(b, v, 0);
	pwrite_mem(k, pa, b, 4);
}

/* Kernel image virtual address to physical. */
static uint64_t img_pa(const struct kimage *k, uint64_t va)
{
	return va - k->text + phys_text;
}

static void vput(struct kimage *k, uint64_t va, const void *src, size_t len)
{
	pwrite_mem(k, img_pa(k, va), src, len);
}

static void vmci_add(struct kimage *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void vmci_add(struct kimage *k, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(k->vmci ? k->vmci + k->vmci_len : NULL,
			      k->vmci ? k->vmci_cap - k->vmci_len : 0, fmt, ap);
		va_end(ap);
		if (k->vmci && (size_t)n < k->vmci_cap - k->vmci_len)
			break;
		k->vmci_cap = k->vmci_cap * 2 + (size_t)n + 256;
		k->vmci = realloc(k->vmci, k->vmci_cap);
		if (!k->vmci) {
			fputs("k2e-mkdump: out of memory\n", stderr);
			exit(2);
		}
	}
	k->vmci_len += (size_t)n;
}

static void sym_add(struct kimage *k, const char *name, char type, uint64_t addr)
{
	struct ksym *s;

	if (k->nsyms == MAX_SYMS) {         /* a fixed list: only a bug gets here */
		fputs("k2e-mkdump: kernel: too many symbols\n", stderr);
		exit(2);
	}
	s = &k->syms[k->nsyms++];

	snprintf(s->name, sizeof s->name, "%s", name);
	s->type = type;
	s->addr = addr;
}

static uint64_t sym_addr(const struct kimage *k, const char *name)
{
	int i;

	for (i = 0; i < k->nsyms; i++)
		if (!strcmp(k->syms[i].name, name))
			return k->syms[i].addr;
	return 0;
}

/* ---- functions ---- */

/* Each function: push %rbp; mov %rsp,%rbp; sub $0x10,%rsp; then a call to
 * the next function in its chain (e8 rel32), or for a leaf its stopping
 * instruction; leave; ret.  Offsets within the 64-byte slot: */
enum { F_PUSHED = 1, F_FRAMED = 4, F_BODY = 8, F_CALL_END = 13, F_LEAVE = 13, F_RET = 14,
       F_SLOT = 64 };

struct func {
	const char *name;
	const char *callee;             /* NULL: a leaf */
	unsigned char stop[4];          /* leaf: the bytes at F_BODY */
	int stop_len, stop_pc;          /* leaf: pc saved at F_BODY + stop_pc */
	int outermost;                  /* ORC: end of the stack */
};

static const struct func funcs[] = {
	/* the panicking CPU: a write(2) that panics */
	{ "demo_entry_syscall", "demo_do_syscall", { 0 }, 0, 0, 1 },
	{ "demo_do_syscall", "demo_vfs_write", { 0 }, 0, 0, 0 },
	{ "demo_vfs_write", "demo_write", { 0 }, 0, 0, 0 },
	{ "demo_write", "demo_panic", { 0 }, 0, 0, 0 },
	{ "demo_panic", NULL, { 0x0f, 0x0b }, 2, 0, 0 },        /* ud2 */
	/* the others: idle, stopped by the crash NMI after sti; hlt */
	{ "demo_start_secondary", "demo_cpu_startup", { 0 }, 0, 0, 1 },
	{ "demo_cpu_startup", "demo_do_idle", { 0 }, 0, 0, 0 },
	{ "demo_do_idle", "demo_default_idle", { 0 }, 0, 0, 0 },
	{ "demo_default_idle", NULL, { 0xfb, 0xf4 }, 2, 2, 0 },  /* sti; hlt */
};
enum { NFUNCS = sizeof funcs / sizeof funcs[0], PANIC_LEAF = 4, IDLE_LEAF = 8 };

static uint64_t func_addr(const struct kimage *k, int i)
{
	return k->text + 0x1000 + (uint64_t)i * F_SLOT;
}

static int func_index(const char *name)
{
	int i;

	for (i = 0; i < NFUNCS; i++)
		if (!strcmp(funcs[i].name, name))
			return i;
	return -1;
}

static void write_text(struct kimage *k)
{
	int i;

	for (i = 0; i < NFUNCS; i++) {
		unsigned char c[F_SLOT];
		uint64_t at = func_addr(k, i);

		memset(c, 0xcc, sizeof c);                      /* int3 padding */
		memcpy(c, "\x55\x48\x89\xe5\x48\x83\xec\x10", 8);
		if (funcs[i].callee) {
			uint64_t to = func_addr(k, func_index(funcs[i].callee));
			int32_t rel = (int32_t)(to - (at + F_CALL_END));
			c[F_BODY] = 0xe8;
			put32(c + F_BODY + 1, (uint32_t)rel, 0);
			c[F_LEAVE] = 0xc9;
			c[F_RET] = 0xc3;
		} else {
			memcpy(c + F_BODY, funcs[i].stop, (size_t)funcs[i].stop_len);
			c[F_BODY + funcs[i].stop_len] = 0xc9;
			c[F_BODY + funcs[i].stop_len + 1] = 0xc3;
		}
		vput(k, at, c, sizeof c);
		sym_add(k, funcs[i].name, funcs[i].outermost ? 'T' : 't', at);
	}
}

/* ORC (6.1: type:2 end:1): for each function, entries at its start, after
 * push, after mov, and at ret; a terminator at _etext. */
static uint64_t write_orc(struct kimage *k, uint64_t at)
{
	enum { REG_UNDEF = 0, REG_PREV_SP = 1, REG_BP = 4, REG_SP = 5, END = 4 };
	struct { uint32_t off; int16_t sp, bp; unsigned sp_reg, bp_reg, bits; } e[4 * NFUNCS + 1];
	int n = 0, i, j;
	uint64_t ip_tab, orc_tab;

	for (i = 0; i < NFUNCS; i++) {
		uint32_t f = (uint32_t)(func_addr(k, i) - k->text);
		unsigned bits = funcs[i].outermost ? END : 0;
		uint32_t ret = funcs[i].callee ? F_RET :
			       (uint32_t)(F_BODY + funcs[i].stop_len + 1);
		e[n++] = (__typeof__(e[0])){ f, 8, 0, REG_SP, REG_UNDEF, bits };
		e[n++] = (__typeof__(e[0])){ f + F_PUSHED, 16, -16, REG_SP, REG_PREV_SP, bits };
		e[n++] = (__typeof__(e[0])){ f + F_FRAMED, 16, -16, REG_BP, REG_PREV_SP, bits };
		e[n++] = (__typeof__(e[0])){ f + ret, 8, 0, REG_SP, REG_UNDEF, bits };
	}
	e[n++] = (__typeof__(e[0])){ (uint32_t)(func_addr(k, NFUNCS) - k->text), 0, 0,
				     REG_UNDEF, REG_UNDEF, 0 };
	ip_tab = at;
	orc_tab = (ip_tab + 4 * (uint64_t)n + 7) & ~7ull;
	for (j = 0; j < n; j++) {
		uint64_t ip = k->text + e[j].off, slot = ip_tab + 4 * (uint64_t)j;
		unsigned char b[6];
		pput32(k, img_pa(k, slot), (uint32_t)(int32_t)(ip - slot));
		put16(b, (uint16_t)e[j].sp, 0);
		put16(b + 2, (uint16_t)e[j].bp, 0);
		b[4] = (unsigned char)(e[j].sp_reg | e[j].bp_reg << 4);
		b[5] = (unsigned char)e[j].bits;
		vput(k, orc_tab + 6 * (uint64_t)j, b, 6);
	}
	sym_add(k, "__start_orc_unwind_ip", 'R', ip_tab);
	sym_add(k, "__stop_orc_unwind_ip", 'R', ip_tab + 4 * (uint64_t)n);
	sym_add(k, "__start_orc_unwind", 'R', orc_tab);
	sym_add(k, "__stop_orc_unwind", 'R', orc_tab + 6 * (uint64_t)n);
	return orc_tab + 6 * (uint64_t)n;
}

/* ---- stacks ---- */

static uint64_t stack_va(int cpu)
{
	return vmalloc_start + 0x10000 + (uint64_t)cpu * 2 * STACK_SIZE;
}

static uint64_t stack_page_pa(int cpu, int page)
{
	return stack_phys + (uint64_t)cpu * 0x20000 + (uint64_t)page * 0x2000;
}

static void stack_put64(struct kimage *k, int cpu, uint64_t va, uint64_t v)
{
	uint64_t off = va - stack_va(cpu);

	pput64(k, stack_page_pa(cpu, (int)(off / PS)) + off % PS, v);
}

/* The frames of the chain from the outermost function down to leaf: the
 * saved %rbp chain (0 above the outermost) and the return addresses. */
static void build_stack(struct kimage *k, int cpu, int leaf)
{
	int chain[MAX_FRAMES], n = 0, i, outer = -1;
	uint64_t sp = stack_va(cpu) + STACK_SIZE - 0xa8, rbp = 0;   /* room for pt_regs */
	uint64_t *r = k->regs[cpu];

	for (i = 0; i < NFUNCS; i++)
		if (funcs[i].outermost && i <= leaf)
			outer = i;
	for (i = outer; i <= leaf && n < MAX_FRAMES; i++)
		chain[n++] = i;
	/* The outermost was entered with %rbp 0; each callee saved its caller's. */
	for (i = 0; i < n; i++) {
		sp -= 8;        /* return address */
		stack_put64(k, cpu, sp, i ? func_addr(k, chain[i - 1]) + F_CALL_END : 0);
		sp -= 8;        /* push %rbp */
		stack_put64(k, cpu, sp, rbp);
		rbp = sp;
		sp -= 0x10;     /* sub $0x10,%rsp: locals */
		stack_put64(k, cpu, sp, 0x6b32650000000000ull | (uint64_t)cpu << 8 | (uint64_t)i);
	}
	for (i = 0; i < NREGS; i++)
		r[i] = 0x1000ull * (uint64_t)(cpu + 1) + (uint64_t)i;
	r[R_RAX] = 0;
	r[R_RBP] = rbp;
	r[R_RSP] = sp;
	r[R_RIP] = func_addr(k, leaf) + F_BODY + (uint64_t)funcs[leaf].stop_pc;
	r[R_CS] = 0x10;
	r[R_SS] = 0x18;
	r[R_EFLAGS] = 0x246;
	r[21] = 0;                                  /* fs_base */
	r[22] = k->percpu_off[cpu];                 /* gs_base */
	r[23] = r[24] = r[25] = r[26] = 0;
}

/* ---- kallsyms ---- */

static const char *const learned[] = {
	"demo_", "kallsyms_", "_start", "_stop", "default", "__per_cpu", "crash", "cpu",
	"panic", "write", "idle", "syscall", "init_", "orc_unwind", "_BTF", "pgt",
	"_offset", "entry", "secondary", "vfs", "top", "nr_", "ids", "base", "phys",
	"text", "data", "task", "modules", "notes", "page", "__",
};

static void make_tokens(const char *tok[256], char fallback[256][3])
{
	size_t i, l = 0;

	for (i = 0; i < 256; i++) {
		if (i >= 0x21 && i <= 0x7e) {
			fallback[i][0] = (char)i;
			fallback[i][1] = '\0';
			tok[i] = fallback[i];
		} else if (l < sizeof learned / sizeof learned[0]) {
			tok[i] = learned[l++];
		} else {
			fallback[i][0] = (char)('a' + i % 26);
			fallback[i][1] = (char)('a' + (i / 26) % 26);
			fallback[i][2] = '\0';
			tok[i] = fallback[i];
		}
	}
}

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The tables from at on, 6.1's order; returns the end. */
static uint64_t write_kallsyms(struct kimage *k, uint64_t at)
{
	const char *tok[256];
	char fb[256][3];
	unsigned char names[MAX_SYMS * 64];
	size_t nl = 0, tl = 0;
	uint64_t base = k->text, a_off, a_base, a_num, a_names, a_mark, a_tt, a_ti;
	unsigned char ttab[2048], tidx[512];
	int i, t;

	make_tokens(tok, fb);
	qsort(k->syms, (size_t)k->nsyms, sizeof k->syms[0], ksym_cmp);
	for (i = 0; i < k->nsyms; i++) {
		char full[64];
		size_t len_at = nl++, p = 0, fl;

		snprintf(full, sizeof full, "%c%s", k->syms[i].type, k->syms[i].name);
		fl = strlen(full);
		while (p < fl) {
			int best = -1;
			size_t bl = 0;
			for (t = 0; t < 256; t++) {
				size_t l = strlen(tok[t]);
				if (l > bl && l <= fl - p && !memcmp(full + p, tok[t], l)) {
					best = t;
					bl = l;
				}
			}
			names[nl++] = (unsigned char)best;
			p += bl;
		}
		names[len_at] = (unsigned char)(nl - len_at - 1);
	}
	for (t = 0; t < 256; t++) {
		put16(tidx + 2 * t, (uint16_t)tl, 0);
		memcpy(ttab + tl, tok[t], strlen(tok[t]) + 1);
		tl += strlen(tok[t]) + 1;
	}
	a_off = at;
	a_base = (a_off + 4 * (uint64_t)k->nsyms + 7) & ~7ull;
	a_num = a_base + 8;
	a_names = a_num + 8;
	a_mark = (a_names + nl + 7) & ~7ull;
	a_tt = a_mark + 8;
	a_ti = (a_tt + tl + 7) & ~7ull;
	for (i = 0; i < k->nsyms; i++)       /* absolute percpu: base - 1 - off */
		pput32(k, img_pa(k, a_off + 4 * (uint64_t)i),
		       (uint32_t)(int32_t)((int64_t)base - 1 - (int64_t)k->syms[i].addr));
	pput64(k, img_pa(k, a_base), base);
	pput32(k, img_pa(k, a_num), (uint32_t)k->nsyms);
	vput(k, a_names, names, nl);
	pput32(k, img_pa(k, a_mark), 0);
	vput(k, a_tt, ttab, tl);
	vput(k, a_ti, tidx, sizeof tidx);
	vmci_add(k, "SYMBOL(kallsyms_names)=%llx\nSYMBOL(kallsyms_num_syms)=%llx\n"
		 "SYMBOL(kallsyms_token_table)=%llx\nSYMBOL(kallsyms_token_index)=%llx\n"
		 "SYMBOL(kallsyms_offsets)=%llx\nSYMBOL(kallsyms_relative_base)=%llx\n",
		 (unsigned long long)a_names, (unsigned long long)a_num,
		 (unsigned long long)a_tt, (unsigned long long)a_ti,
		 (unsigned long long)a_off, (unsigned long long)a_base);
	return a_ti + sizeof tidx;
}

/* ---- BTF ---- */

/* struct task_struct as this kernel lays it out (BTF says so). */
enum { TS_STATE = 0, TS_STACK = 8, TS_TASKS = 16, TS_PID = 32, TS_COMM = 40, TS_SIZE = 64 };

static int write_btf(struct kimage *k, uint64_t at, uint64_t *ret_end, struct err *e)
{
	struct btf *b = btf__new_empty();
	int t_int, t_uint, t_char, t_ulong, t_lh, t_lhp, t_void_p, t_comm, t_ts;
	const void *raw;
	__u32 len;

	if (!b)
		return err_set(e, "libbpf: btf__new_empty failed");
	t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	t_uint = btf__add_int(b, "unsigned int", 4, 0);
	t_char = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	t_ulong = btf__add_int(b, "long unsigned int", 8, 0);
	/* fields follow their struct directly: the pointer (to the next id) first */
	t_lhp = btf__add_ptr(b, (int)btf__type_cnt(b) + 1);
	t_lh = btf__add_struct(b, "list_head", 16);
	btf__add_field(b, "next", t_lhp, 0, 0);
	btf__add_field(b, "prev", t_lhp, 64, 0);
	t_void_p = btf__add_ptr(b, 0);
	t_comm = btf__add_array(b, t_int, t_char, 16);	/* before the struct that uses it */
	t_ts = btf__add_struct(b, "task_struct", TS_SIZE);
	btf__add_field(b, "__state", t_uint, TS_STATE * 8, 0);
	btf__add_field(b, "stack", t_void_p, TS_STACK * 8, 0);
	btf__add_field(b, "tasks", t_lh, TS_TASKS * 8, 0);
	btf__add_field(b, "pid", t_int, TS_PID * 8, 0);
	btf__add_field(b, "comm", t_comm, TS_COMM * 8, 0);
	/* the module list's types (empty lists here, but a reader learns the
	 * layout from them): 6.1's members at offsets of this kernel's own */
	{
		int t_ushort = btf__add_int(b, "short unsigned int", 2, 0);
		int t_charp = btf__add_ptr(b, t_char);
		int t_attr, t_battr, t_msa, t_msas, t_mk, t_mod, t_btf, t_bm, t_arr, t_p1, t_p2;

		t_attr = btf__add_struct(b, "attribute", 16);
		btf__add_field(b, "name", t_charp, 0, 0);
		btf__add_field(b, "mode", t_ushort, 64, 0);
		t_battr = btf__add_struct(b, "bin_attribute", 24);
		btf__add_field(b, "attr", t_attr, 0, 0);
		btf__add_field(b, "size", t_ulong, 128, 0);
		t_msa = btf__add_struct(b, "module_sect_attr", 32);
		btf__add_field(b, "battr", t_battr, 0, 0);
		btf__add_field(b, "address", t_ulong, 192, 0);
		t_arr = btf__add_array(b, t_int, t_msa, 0);
		t_msas = btf__add_struct(b, "module_sect_attrs", 48);
		btf__add_field(b, "nsections", t_uint, 320, 0);
		btf__add_field(b, "attrs", t_arr, 384, 0);
		t_mk = btf__add_struct(b, "mod_kallsyms", 32);
		btf__add_field(b, "symtab", t_void_p, 0, 0);
		btf__add_field(b, "num_symtab", t_uint, 64, 0);
		btf__add_field(b, "strtab", t_charp, 128, 0);
		btf__add_field(b, "typetab", t_charp, 192, 0);
		t_arr = btf__add_array(b, t_int, t_char, 56);
		t_p1 = btf__add_ptr(b, t_mk);
		t_p2 = btf__add_ptr(b, t_msas);
		t_mod = btf__add_struct(b, "module", 96);
		btf__add_field(b, "state", t_uint, 0, 0);
		btf__add_field(b, "list", t_lh, 64, 0);
		btf__add_field(b, "name", t_arr, 192, 0);
		btf__add_field(b, "kallsyms", t_p1, 640, 0);
		btf__add_field(b, "sect_attrs", t_p2, 704, 0);
		t_btf = btf__add_struct(b, "btf", 16);
		btf__add_field(b, "data", t_void_p, 0, 0);
		btf__add_field(b, "data_size", t_uint, 64, 0);
		t_p1 = btf__add_ptr(b, t_mod);
		t_p2 = btf__add_ptr(b, t_btf);
		t_bm = btf__add_struct(b, "btf_module", 32);
		btf__add_field(b, "list", t_lh, 0, 0);
		btf__add_field(b, "module", t_p1, 128, 0);
		btf__add_field(b, "btf", t_p2, 192, 0);
		if (t_bm < 0)
			t_ts = t_bm;
	}
	raw = btf__raw_data(b, &len);
	if (t_ts < 0 || !raw) {
		btf__free(b);
		return err_set(e, "libbpf: building BTF failed");
	}
	vput(k, at, raw, len);
	sym_add(k, "__start_BTF", 'R', at);
	sym_add(k, "__stop_BTF", 'R', at + len);
	*ret_end = at + len;
	btf__free(b);
	return 0;
}

/* ---- the kernel log: 6.1's lockless ring (kernel/printk/printk_ringbuffer.h) ---- */

/* Layout, as VMCOREINFO says it (the sizes and offsets of a 6.1 x86_64 build). */
enum {
	RB_SIZE = 88, RB_DESC_RING = 0, RB_TEXT_RING = 48,
	DR_COUNT_BITS = 0, DR_DESCS = 8, DR_INFOS = 16, DR_HEAD = 24, DR_TAIL = 32,
	TR_SIZE_BITS = 0, TR_DATA = 8, TR_HEAD_LPOS = 16, TR_TAIL_LPOS = 24,
	DESC_SIZE = 24, DESC_STATE = 0, DESC_BEGIN = 8, DESC_NEXT = 16,
	INFO_SIZE = 88, INFO_SEQ = 0, INFO_TS = 8, INFO_TEXT_LEN = 16, INFO_FLAGS = 19,
	INFO_CALLER = 20,
	LOG_COUNT_BITS = 5, LOG_SIZE_BITS = 13, MAX_LOG = 1 << LOG_COUNT_BITS,
};

struct logline {
	uint64_t ts_nsec;
	uint32_t caller;                /* pid, or 0x80000000 | cpu */
	char text[160];
};

static void log_add(struct logline *l, int *n, uint64_t ts, uint32_t caller, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void log_add(struct logline *l, int *n, uint64_t ts, uint32_t caller, const char *fmt, ...)
{
	va_list ap;

	if (*n >= MAX_LOG)
		return;
	l[*n].ts_nsec = ts;
	l[*n].caller = caller;
	va_start(ap, fmt);
	vsnprintf(l[*n].text, sizeof l[*n].text, fmt, ap);
	va_end(ap);
	(*n)++;
}

/* The boot, and for a panic CPU the panic with its task and call trace.
 * rb: the ring (printk_rb_static), at: its arrays from there on; returns
 * the end. */
static uint64_t write_log(struct kimage *k, const struct spec *s, uint64_t rb, uint64_t at)
{
	struct logline l[MAX_LOG];
	int n = 0, i;
	uint64_t descs = at, infos = descs + DESC_SIZE * MAX_LOG;
	uint64_t data = (infos + INFO_SIZE * MAX_LOG + 4095) & ~4095ull, lpos = 0;
	uint64_t t = 12345678000ull;

	log_add(l, &n, 0, 0, "Linux version %s (k2e-mkdump) %s", s->release, s->version);
	log_add(l, &n, 0, 0, "Command line: console=ttyS0 crashkernel=256M");
	log_add(l, &n, 0, 0, "Kernel/User page tables isolation: disabled");
	log_add(l, &n, 21000000, 1, "smp: Brought up 1 node, %d CPUs", s->cpus);
	log_add(l, &n, 1500000000, 1, "Run /sbin/init as init process");
	if (s->panic_cpu >= 0) {
		int pc = s->panic_cpu;
		long pid = pc < s->npids ? (long)s->pids[pc] : pc + 1;
		static const char *const trace[] = {
			"demo_panic+0x8/0x40", "demo_write+0xd/0x40", "demo_vfs_write+0xd/0x40",
			"demo_do_syscall+0xd/0x40", "demo_entry_syscall+0xd/0x40",
		};
		log_add(l, &n, t, (uint32_t)pid, "demo: demo_write: 42 bytes to /proc/demo");
		log_add(l, &n, t + 9000, (uint32_t)pid,
			"Kernel panic - not syncing: demo: the synthetic kernel panics in demo_write");
		log_add(l, &n, t + 9100, (uint32_t)pid,
			"CPU: %d PID: %ld Comm: demo-writer Not tainted %s %s", pc, pid, s->release,
			"#1");
		log_add(l, &n, t + 9200, (uint32_t)pid, "Hardware name: k2e-mkdump synthetic machine");
		log_add(l, &n, t + 9300, (uint32_t)pid, "Call Trace:");
		log_add(l, &n, t + 9300, (uint32_t)pid, " <TASK>");
		for (i = 0; i < (int)(sizeof trace / sizeof trace[0]); i++)
			log_add(l, &n, t + 9300, (uint32_t)pid, " %s", trace[i]);
		log_add(l, &n, t + 9300, (uint32_t)pid, " </TASK>");
		log_add(l, &n, t + 9900, (uint32_t)pid,
			"Kernel Offset: 0x%llx from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)",
			(unsigned long long)s->kaslr);
	}
	for (i = 0; i < n; i++) {
		uint64_t id = (uint64_t)i, len = strlen(l[i].text);
		uint64_t d = descs + DESC_SIZE * id, in = infos + INFO_SIZE * id;
		uint64_t next = lpos + ((8 + len + 7) & ~7ull);
		unsigned char b[2] = { 0, 6 << 5 };     /* facility 0, flags 0, level 6 */

		pput64(k, img_pa(k, d + DESC_STATE), 2ull << 62 | id);      /* finalized */
		pput64(k, img_pa(k, d + DESC_BEGIN), lpos);
		pput64(k, img_pa(k, d + DESC_NEXT), next);
		pput64(k, img_pa(k, in + INFO_SEQ), id);
		pput64(k, img_pa(k, in + INFO_TS), l[i].ts_nsec);
		vput(k, in + INFO_TEXT_LEN, (unsigned char[2]){ (unsigned char)len, (unsigned char)(len >> 8) }, 2);
		vput(k, in + INFO_FLAGS - 1, b, 2);
		pput32(k, img_pa(k, in + INFO_CALLER), l[i].caller);
		pput64(k, img_pa(k, data + lpos), id);                 /* a block starts with its id */
		vput(k, data + lpos + 8, l[i].text, len);
		lpos = next;
	}
	pput32(k, img_pa(k, rb + RB_DESC_RING + DR_COUNT_BITS), LOG_COUNT_BITS);
	pput64(k, img_pa(k, rb + RB_DESC_RING + DR_DESCS), descs);
	pput64(k, img_pa(k, rb + RB_DESC_RING + DR_INFOS), infos);
	pput64(k, img_pa(k, rb + RB_DESC_RING + DR_HEAD), (uint64_t)(n - 1));
	pput64(k, img_pa(k, rb + RB_DESC_RING + DR_TAIL), 0);
	pput32(k, img_pa(k, rb + RB_TEXT_RING + TR_SIZE_BITS), LOG_SIZE_BITS);
	pput64(k, img_pa(k, rb + RB_TEXT_RING + TR_DATA), data);
	pput64(k, img_pa(k, rb + RB_TEXT_RING + TR_HEAD_LPOS), lpos);
	pput64(k, img_pa(k, rb + RB_TEXT_RING + TR_TAIL_LPOS), 0);
	vmci_add(k, "SYMBOL(prb)=%llx\nSYMBOL(printk_rb_static)=%llx\n",
		 (unsigned long long)sym_addr(k, "prb"), (unsigned long long)rb);
	vmci_add(k, "SIZE(printk_ringbuffer)=%d\nOFFSET(printk_ringbuffer.desc_ring)=%d\n"
		 "OFFSET(printk_ringbuffer.text_data_ring)=%d\nOFFSET(printk_ringbuffer.fail)=80\n"
		 "SIZE(prb_desc_ring)=48\nOFFSET(prb_desc_ring.count_bits)=%d\n"
		 "OFFSET(prb_desc_ring.descs)=%d\nOFFSET(prb_desc_ring.infos)=%d\n"
		 "OFFSET(prb_desc_ring.head_id)=%d\nOFFSET(prb_desc_ring.tail_id)=%d\n"
		 "SIZE(prb_desc)=%d\nOFFSET(prb_desc.state_var)=%d\nOFFSET(prb_desc.text_blk_lpos)=%d\n"
		 "SIZE(prb_data_blk_lpos)=16\nOFFSET(prb_data_blk_lpos.begin)=0\n"
		 "OFFSET(prb_data_blk_lpos.next)=8\n"
		 "SIZE(printk_info)=%d\nOFFSET(printk_info.seq)=%d\nOFFSET(printk_info.ts_nsec)=%d\n"
		 "OFFSET(printk_info.text_len)=%d\nOFFSET(printk_info.caller_id)=%d\n"
		 "OFFSET(printk_info.dev_info)=24\n"
		 "SIZE(prb_data_ring)=32\nOFFSET(prb_data_ring.size_bits)=%d\n"
		 "OFFSET(prb_data_ring.data)=%d\nOFFSET(prb_data_ring.head_lpos)=%d\n"
		 "OFFSET(prb_data_ring.tail_lpos)=%d\n"
		 "SIZE(atomic_long_t)=8\nOFFSET(atomic_long_t.counter)=0\n",
		 RB_SIZE, RB_DESC_RING, RB_TEXT_RING, DR_COUNT_BITS, DR_DESCS, DR_INFOS, DR_HEAD,
		 DR_TAIL, DESC_SIZE, DESC_STATE, DESC_BEGIN, INFO_SIZE, INFO_SEQ, INFO_TS,
		 INFO_TEXT_LEN, INFO_CALLER, TR_SIZE_BITS, TR_DATA, TR_HEAD_LPOS, TR_TAIL_LPOS);
	return data + (1ull << LOG_SIZE_BITS);
}

/* ---- page tables ---- */

enum { PTE_P = 0x1, PTE_RW = 0x2, PTE_A = 0x20, PTE_D = 0x40, PTE_PSE = 0x80, PTE_G = 0x100 };
static const uint64_t table_flags = PTE_P | PTE_RW | PTE_A | PTE_D;
static const uint64_t large_flags = PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PSE | PTE_G;
static const uint64_t pte_flags = PTE_P | PTE_RW | PTE_A | PTE_D | PTE_G;
static const uint64_t nx = 1ull << 63;

static unsigned idx(uint64_t va, int level)
{
	return (unsigned)(va >> (12 + 9 * (level - 1))) & 511;
}

/* Tables at consecutive pages of .data from pgd: pgd, kernel pud, kernel
 * pmd, direct-map pud, direct-map pmd, vmalloc pud, pmd, pte. */
static void write_page_tables(struct kimage *k, uint64_t pgd_va, uint64_t ram_bytes, int cpus)
{
	uint64_t t[8], va;
	int i, c, p;

	for (i = 0; i < 8; i++)
		t[i] = img_pa(k, pgd_va + (uint64_t)i * PS);
	/* the kernel image */
	pput64(k, t[0] + 8 * idx(start_kernel_map, 4), t[1] | table_flags);
	pput64(k, t[1] + 8 * idx(start_kernel_map, 3), t[2] | table_flags);
	for (va = k->text; va < k->text + image_size; va += 2 << 20)
		pput64(k, t[2] + 8 * idx(va, 2), img_pa(k, va) | large_flags);
	/* the direct map */
	pput64(k, t[0] + 8 * idx(page_offset, 4), t[3] | table_flags);
	pput64(k, t[3] + 8 * idx(page_offset, 3), t[4] | table_flags);
	for (va = 0; va < ram_bytes; va += 2 << 20)
		pput64(k, t[4] + 8 * idx(page_offset + va, 2), va | large_flags | nx);
	/* vmalloc: the stacks */
	pput64(k, t[0] + 8 * idx(vmalloc_start, 4), t[5] | table_flags);
	pput64(k, t[5] + 8 * idx(vmalloc_start, 3), t[6] | table_flags);
	pput64(k, t[6] + 8 * idx(vmalloc_start, 2), t[7] | table_flags);
	for (c = 0; c < cpus; c++)
		for (p = 0; p < STACK_SIZE / PS; p++)
			pput64(k, t[7] + 8 * idx(stack_va(c) + (uint64_t)p * PS, 1),
			       stack_page_pa(c, p) | pte_flags | nx);
}

/* ---- the whole kernel ---- */

int kimage_build(struct spec *s, struct err *e)
{
	struct kimage *k;
	uint64_t text_va, rodata, data, pgd, vars, at, init_task, end, log_end;
	uint64_t ram_bytes = s->max_mapnr * s->page_size;
	unsigned char pr[512], note[512];
	int cpu;
	size_t prlen;

	if (s->arch != ARCH_X86_64 || s->page_size != PS)
		return err_set(e, "kernel: only x86_64 with 4 KiB pages");
	if (s->cpus < 1 || s->cpus > KCPUS_MAX)
		return err_set(e, "kernel: cpus must be 1..%d", KCPUS_MAX);
	if (s->panic_cpu >= s->cpus)
		return err_set(e, "kernel: panic_cpu %d is not a cpu", s->panic_cpu);
	if (ram_bytes < ram_needed || ram_bytes > (1ull << 30))
		return err_set(e, "kernel: needs 64 MiB to 1 GiB of ram (max_mapnr 0x4000..0x40000)");
	if (s->kaslr % (2 << 20) || s->kaslr + phys_text + image_size > (1ull << 30))
		return err_set(e, "kernel: kaslr must be a multiple of 2 MiB below 1 GiB - 22 MiB");
	k = xcalloc(1, sizeof *k);
	text_va = start_kernel_map + phys_text + s->kaslr;
	k->text = text_va;
	rodata = text_va + (2 << 20);
	data = text_va + (4 << 20);
	end = text_va + image_size;
	pgd = data;
	vars = data + 8 * PS;
	init_task = vars + PS;
	/* phys_base: _text's physical address is phys_text */
	s->phys_base = (int64_t)phys_text - (int64_t)(text_va - start_kernel_map);
	for (cpu = 0; cpu < s->cpus; cpu++)
		k->percpu_off[cpu] = page_offset + percpu_phys + ((uint64_t)cpu << 20);

	sym_add(k, "_text", 'T', text_va);
	sym_add(k, "_stext", 'T', text_va);
	write_text(k);
	sym_add(k, "_etext", 'T', func_addr(k, NFUNCS));
	sym_add(k, "__start_rodata", 'R', rodata);
	at = write_orc(k, rodata);
	if (write_btf(k, (at + 4095) & ~4095ull, &at, e)) {
		kimage_free(k);
		return -1;
	}
	sym_add(k, "_sdata", 'D', data);
	sym_add(k, "init_top_pgt", 'D', pgd);
	write_page_tables(k, pgd, ram_bytes, s->cpus);
	sym_add(k, "__per_cpu_offset", 'D', vars);
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		pput64(k, img_pa(k, vars + 8 * (uint64_t)cpu),
		       cpu < s->cpus ? k->percpu_off[cpu] : k->percpu_off[0]);
	sym_add(k, "nr_cpu_ids", 'D', vars + 0x200);
	pput32(k, img_pa(k, vars + 0x200), (uint32_t)s->cpus);
	sym_add(k, "panic_cpu", 'D', vars + 0x204);
	pput32(k, img_pa(k, vars + 0x204), (uint32_t)(int32_t)s->panic_cpu);
	sym_add(k, "crash_notes", 'D', vars + 0x208);
	pput64(k, img_pa(k, vars + 0x208), crash_notes_pcpu);
	sym_add(k, "phys_base", 'D', vars + 0x210);
	pput64(k, img_pa(k, vars + 0x210), (uint64_t)s->phys_base);
	sym_add(k, "page_offset_base", 'D', vars + 0x218);
	pput64(k, img_pa(k, vars + 0x218), page_offset);
	sym_add(k, "vmalloc_base", 'D', vars + 0x220);
	pput64(k, img_pa(k, vars + 0x220), vmalloc_start);
	sym_add(k, "modules", 'd', vars + 0x228);           /* an empty list */
	pput64(k, img_pa(k, vars + 0x228), vars + 0x228);
	pput64(k, img_pa(k, vars + 0x230), vars + 0x228);
	sym_add(k, "btf_modules", 'd', vars + 0x240);      /* an empty list */
	pput64(k, img_pa(k, vars + 0x240), vars + 0x240);
	pput64(k, img_pa(k, vars + 0x248), vars + 0x240);
	sym_add(k, "init_task", 'D', init_task);
	pput64(k, img_pa(k, init_task + TS_STACK), stack_va(0));
	pput64(k, img_pa(k, init_task + TS_TASKS), init_task + TS_TASKS);
	pput64(k, img_pa(k, init_task + TS_TASKS + 8), init_task + TS_TASKS);
	vput(k, init_task + TS_COMM, "swapper/0", 10);
	/* init_uts_ns: struct new_utsname (6 x 65 bytes) at offset 0 */
	sym_add(k, "init_uts_ns", 'D', vars + 0x400);
	{
		const char *uts[6] = { "Linux", s->nodename, s->release, s->version, "x86_64",
				       "(none)" };
		for (cpu = 0; cpu < 6; cpu++)
			vput(k, vars + 0x400 + 65 * (uint64_t)cpu, uts[cpu], strlen(uts[cpu]) + 1);
	}
	sym_add(k, "prb", 'd', vars + 0x2c0);             /* -> printk_rb_static */
	pput64(k, img_pa(k, vars + 0x2c0), vars + 0x300);
	sym_add(k, "printk_rb_static", 'd', vars + 0x300);
	sym_add(k, "_edata", 'D', init_task + PS);
	sym_add(k, "_end", 'B', end);

	for (cpu = 0; cpu < s->cpus; cpu++)
		build_stack(k, cpu, cpu == s->panic_cpu ? PANIC_LEAF : IDLE_LEAF);
	/* VMCOREINFO, in the order a 6.1 x86_64 kernel writes it (after
	 * OSRELEASE and PAGESIZE); a build ID no vmlinux has */
	vmci_add(k, "BUILD-ID=%016llx%016llx%08llx\n", (unsigned long long)mix64(s->seed ^ 0xb1d),
		 (unsigned long long)mix64(s->seed ^ 0xb1e),
		 (unsigned long long)(mix64(s->seed ^ 0xb1f) & 0xffffffffull));
	vmci_add(k, "SYMBOL(init_uts_ns)=%llx\nOFFSET(uts_namespace.name)=0\n",
		 (unsigned long long)(vars + 0x400));
	vmci_add(k, "SYMBOL(swapper_pg_dir)=%llx\n", (unsigned long long)pgd);
	vmci_add(k, "SYMBOL(_stext)=%llx\n", (unsigned long long)text_va);
	at = write_kallsyms(k, (at + 4095) & ~4095ull);
	if (at > data) {
		kimage_free(k);
		return err_set(e, "kernel: .rodata overflows");
	}
	log_end = write_log(k, s, vars + 0x300, init_task + PS);
	if (log_end > end) {
		kimage_free(k);
		return err_set(e, "kernel: .data overflows");
	}
	vmci_add(k, "NUMBER(phys_base)=%lld\n", (long long)s->phys_base);
	vmci_add(k, "SYMBOL(init_top_pgt)=%llx\n", (unsigned long long)pgd);
	vmci_add(k, "NUMBER(pgtable_l5_enabled)=0\n");
	vmci_add(k, "KERNELOFFSET=%llx\n", (unsigned long long)s->kaslr);
	vmci_add(k, "NUMBER(KERNEL_IMAGE_SIZE)=%llu\n", 1ull << 30);
	vmci_add(k, "NUMBER(sme_mask)=0\n");
	/* each CPU's crash note in its per-CPU area, as the dump's note */
	s->kimage = k;
	prlen = prstatus_fill(s, 0, pr);
	for (cpu = 0; cpu < s->cpus; cpu++) {
		memset(note, 0, sizeof note);
		prstatus_fill(s, cpu, pr);
		put32(note, 5, 0);
		put32(note + 4, (uint32_t)prlen, 0);
		put32(note + 8, 1, 0);          /* NT_PRSTATUS */
		memcpy(note + 12, "CORE", 5);
		memcpy(note + 20, pr, prlen);
		pwrite_mem(k, k->percpu_off[cpu] - page_offset + crash_notes_pcpu, note, 20 + prlen);
	}
	return 0;
}

void kimage_free(struct kimage *k)
{
	size_t i;

	if (!k)
		return;
	for (i = 0; i < k->npages; i++)
		free(k->pages[i].data);
	free(k->pages);
	free(k->vmci);
	free(k);
}

const char *kimage_vmcoreinfo(const struct kimage *k)
{
	return k->vmci ? k->vmci : "";
}

const uint64_t *kimage_regs(const struct kimage *k, int cpu)
{
	return cpu >= 0 && cpu < KCPUS_MAX ? k->regs[cpu] : NULL;
}
