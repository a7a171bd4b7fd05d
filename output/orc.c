/*
 * orc.c - ORC unwind tables to DWARF .debug_frame (see orc.h).
 *
 * What an ORC entry means is what arch/x86/kernel/unwind_orc.c does with it
 * (unwind_next_frame()); in DWARF terms, with P the value of the entry's
 * "sp" (sp_reg + sp_offset, dereferenced for the *_INDIRECT bases):
 *   CALL:          CFA = P, return address at CFA-8;
 *   REGS:          P points at a struct pt_regs: rip = regs->ip, caller rsp
 *                  (our CFA) = regs->sp, every other register from regs;
 *   REGS_PARTIAL:  P points at an iret frame (pt_regs from ->ip on):
 *                  rip = [P], rsp = [P+24];
 *   rbp: PREV_SP  saved at P + bp_offset; BP  saved at rbp + bp_offset.
 * The encoder is written here rather than with libdwarf's producer: one
 * CIE and a handful of opcodes per FDE, appended to a byte buffer, is
 * smaller than driving the producer API.
 */
#include "output/orc.h"

#include "lib/bytebuf.h"
#include "kernel/symtab.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf.h"

/* arch/x86/include/asm/orc_types.h */
enum {
	ORC_REG_UNDEFINED = 0, ORC_REG_PREV_SP = 1, ORC_REG_BP = 4, ORC_REG_SP = 5,
	ORC_REG_BP_INDIRECT = 8, ORC_REG_SP_INDIRECT = 9,
	ORC_ENTRY_SIZE = 6,
	MAX_ORCS = 16 << 20,
};

/* Entry kinds after decoding the version's type numbering. */
enum kind { K_UNDEF, K_END, K_CALL, K_REGS, K_PARTIAL };

/* Bitfield layouts of struct orc_entry's last two bytes. */
enum fmt {
	FMT_END,	/* ..6.2: type:2 end:1 */
	FMT_SIGNAL_END,	/* 6.3: type:2 signal:1 end:1 */
	FMT_TYPE3,	/* 6.4+: type:3 signal:1, UNDEFINED/END_OF_STACK/CALL/REGS/REGS_PARTIAL */
};

struct orc {
	int16_t sp_offset, bp_offset;
	unsigned sp_reg, bp_reg;
	enum kind kind;
};

/* DWARF (x86_64 psABI register numbers, DWARF 4 opcodes). */
enum {
	DW_RAX = 0, DW_RBP = 6, DW_RSP = 7, DW_RA = 16,
	DW_CFA_nop = 0x00, DW_CFA_undefined = 0x07, DW_CFA_def_cfa = 0x0c,
	DW_CFA_def_cfa_expression = 0x0f, DW_CFA_expression = 0x10,
	DW_CFA_offset_extended_sf = 0x11, DW_CFA_offset = 0x80,
	DW_OP_deref = 0x06, DW_OP_consts = 0x11, DW_OP_plus = 0x22, DW_OP_plus_uconst = 0x23,
	DW_OP_breg0 = 0x70, DW_OP_drop = 0x13,
	PT_REGS_IP = 128, PT_REGS_SP = 152,
};

/* struct pt_regs offsets of the DWARF registers 0..15 (rax rdx rcx rbx rsi rdi rbp rsp r8..r15). */
static const int pt_regs_off[16] = { 80, 96, 88, 40, 104, 112, 32, -1, 72, 64, 56, 48, 24, 16, 8, 0 };

static void u8(struct k2e_bytebuf *b, unsigned v)
{
	unsigned char c = (unsigned char)v;

	k2e_bytebuf_put(b, &c, 1);
}

/* x86_64 is little-endian; so is the file we write for it (the buffer's default order). */

static struct orc decode(const unsigned char *e, enum fmt fmt)
{
	struct orc o;
	unsigned bits = e[5];

	o.sp_offset = (int16_t)(e[0] | e[1] << 8);
	o.bp_offset = (int16_t)(e[2] | e[3] << 8);
	o.sp_reg = e[4] & 0xf;
	o.bp_reg = e[4] >> 4;
	if (fmt == FMT_TYPE3) {
		static const enum kind k[8] = { K_UNDEF, K_END, K_CALL, K_REGS, K_PARTIAL,
						K_UNDEF, K_UNDEF, K_UNDEF };
		o.kind = k[bits & 7];
	} else {
		bool end = bits & (fmt == FMT_END ? 4 : 8);

		switch (bits & 3) {
		case 0: o.kind = K_CALL; break;
		case 1: o.kind = K_REGS; break;
		case 2: o.kind = K_PARTIAL; break;
		default: o.kind = K_UNDEF; break;
		}
		if (end)
			o.kind = K_END;
		else if (o.kind == K_CALL && o.sp_reg == ORC_REG_UNDEFINED)
			o.kind = K_UNDEF;	/* a gap: the kernel stops with "undefined" */
	}
	return o;
}

/*
 * DWARF expression ops computing P + extra (P: see the top of the file).
 * false when the base is a register DWARF cannot trust in an outer frame.
 */
static bool p_expr(struct k2e_bytebuf *x, const struct orc *o, int64_t extra)
{
	switch (o->sp_reg) {
	case ORC_REG_SP:
	case ORC_REG_BP:
		u8(x, DW_OP_breg0 + (o->sp_reg == ORC_REG_SP ? DW_RSP : DW_RBP));
		k2e_bytebuf_sleb(x, o->sp_offset + extra);
		return true;
	case ORC_REG_SP_INDIRECT:	/* sp = *rsp + sp_offset */
		u8(x, DW_OP_breg0 + DW_RSP);
		k2e_bytebuf_sleb(x, 0);
		u8(x, DW_OP_deref);
		u8(x, DW_OP_consts);
		k2e_bytebuf_sleb(x, o->sp_offset + extra);
		u8(x, DW_OP_plus);
		return true;
	case ORC_REG_BP_INDIRECT:	/* sp = *(rbp + sp_offset) */
		u8(x, DW_OP_breg0 + DW_RBP);
		k2e_bytebuf_sleb(x, o->sp_offset);
		u8(x, DW_OP_deref);
		if (extra) {
			u8(x, DW_OP_plus_uconst);
			k2e_bytebuf_uleb(x, (uint64_t)extra);
		}
		return true;
	default:
		return false;
	}
}

/* Emit a length-prefixed expression. */
static void block(struct k2e_bytebuf *b, const struct k2e_bytebuf *x)
{
	k2e_bytebuf_uleb(b, x->len);
	k2e_bytebuf_put(b, x->p, x->len);
}

/* DW_CFA_expression reg: saved at P + off. */
static bool saved_at_p(struct k2e_bytebuf *b, unsigned reg, const struct orc *o, int64_t off)
{
	struct k2e_bytebuf x = { 0 };
	bool ok;

	u8(&x, DW_OP_drop);	/* the CFA the consumer pushes */
	ok = p_expr(&x, o, off);
	if (ok) {
		u8(b, DW_CFA_expression);
		k2e_bytebuf_uleb(b, reg);
		block(b, &x);
	}
	b->oom |= x.oom;
	free(x.p);
	return ok;
}

/* CFA = *(P + off), or P + off itself. */
static bool cfa_p(struct k2e_bytebuf *b, const struct orc *o, int64_t off, bool deref)
{
	struct k2e_bytebuf x = { 0 };
	bool ok = p_expr(&x, o, off);

	if (ok) {
		if (deref)
			u8(&x, DW_OP_deref);
		u8(b, DW_CFA_def_cfa_expression);
		block(b, &x);
	}
	b->oom |= x.oom;
	free(x.p);
	return ok;
}

/* The rule for rbp from bp_reg; false when the kernel could not find it either. */
static bool rbp_rule(struct k2e_bytebuf *b, const struct orc *o, bool cfa_is_p)
{
	struct k2e_bytebuf x = { 0 };

	switch (o->bp_reg) {
	case ORC_REG_UNDEFINED:
		return true;
	case ORC_REG_PREV_SP:
		if (cfa_is_p && o->bp_offset % 8 == 0) {
			u8(b, DW_CFA_offset_extended_sf);
			k2e_bytebuf_uleb(b, DW_RBP);
			k2e_bytebuf_sleb(b, o->bp_offset / -8);
			return true;
		}
		return saved_at_p(b, DW_RBP, o, o->bp_offset);
	case ORC_REG_BP:
		u8(&x, DW_OP_drop);
		u8(&x, DW_OP_breg0 + DW_RBP);
		k2e_bytebuf_sleb(&x, o->bp_offset);
		u8(b, DW_CFA_expression);
		k2e_bytebuf_uleb(b, DW_RBP);
		block(b, &x);
		b->oom |= x.oom;
		free(x.p);
		return true;
	default:
		return false;
	}
}

static void undefined_ra(struct k2e_bytebuf *b)
{
	u8(b, DW_CFA_undefined);
	k2e_bytebuf_uleb(b, DW_RA);
}

/* The call-frame instructions for one ORC entry (after the CIE's CFA=rsp+8, RA at CFA-8). */
static void instructions(struct k2e_bytebuf *b, const struct orc *o)
{
	size_t at = b->len;
	unsigned r;

	switch (o->kind) {
	case K_CALL:
		if ((o->sp_reg == ORC_REG_SP || o->sp_reg == ORC_REG_BP) && o->sp_offset >= 0) {
			if (o->sp_reg != ORC_REG_SP || o->sp_offset != 8) {
				u8(b, DW_CFA_def_cfa);
				k2e_bytebuf_uleb(b, o->sp_reg == ORC_REG_SP ? DW_RSP : DW_RBP);
				k2e_bytebuf_uleb(b, (uint64_t)o->sp_offset);
			}
		} else if (!cfa_p(b, o, 0, false)) {
			break;
		}
		if (!rbp_rule(b, o, true))
			break;
		return;
	case K_REGS:
		if (!cfa_p(b, o, PT_REGS_SP, true))
			break;
		for (r = 0; r < 16; r++)
			if (pt_regs_off[r] >= 0)
				saved_at_p(b, r, o, pt_regs_off[r]);
		saved_at_p(b, DW_RA, o, PT_REGS_IP);
		if (o->bp_reg != ORC_REG_UNDEFINED && !rbp_rule(b, o, false))
			break;
		return;
	case K_PARTIAL:
		if (!cfa_p(b, o, PT_REGS_SP - PT_REGS_IP, true))
			break;
		saved_at_p(b, DW_RA, o, 0);
		if (!rbp_rule(b, o, false))
			break;
		return;
	default:
		break;
	}
	/* Outermost: whatever was said of the CFA, the caller is unknown. */
	if (!b->oom)
		b->len = at;
	undefined_ra(b);
}

struct gen {
	struct k2e_bytebuf b;
	size_t fdes;
	enum fmt fmt;
};

static void fde(struct gen *g, uint64_t lo, uint64_t hi, const struct orc *o)
{
	size_t start = g->b.len;

	k2e_bytebuf_uint(&g->b, 0, 4);		/* length, patched */
	k2e_bytebuf_uint(&g->b, 0, 4);		/* CIE_pointer: the CIE at offset 0 */
	k2e_bytebuf_uint(&g->b, lo, 8);
	k2e_bytebuf_uint(&g->b, hi - lo, 8);
	instructions(&g->b, o);
	k2e_bytebuf_align(&g->b, start, 8, DW_CFA_nop);
	k2e_bytebuf_patch_len32(&g->b, start);
	g->fdes++;
}

static void cie(struct k2e_bytebuf *b)
{
	k2e_bytebuf_uint(b, 0, 4);
	k2e_bytebuf_uint(b, 0xffffffff, 4);	/* CIE_id */
	u8(b, 1);			/* version */
	u8(b, 0);			/* augmentation "" */
	k2e_bytebuf_uleb(b, 1);			/* code_alignment_factor */
	k2e_bytebuf_sleb(b, -8);			/* data_alignment_factor */
	u8(b, DW_RA);			/* return_address_register (version 1: ubyte) */
	u8(b, DW_CFA_def_cfa);		/* CFA = rsp + 8 */
	k2e_bytebuf_uleb(b, DW_RSP);
	k2e_bytebuf_uleb(b, 8);
	u8(b, DW_CFA_offset | DW_RA);	/* RA at CFA - 8 */
	k2e_bytebuf_uleb(b, 1);
	k2e_bytebuf_align(b, 0, 8, DW_CFA_nop);
	k2e_bytebuf_patch_len32(b, 0);
}

struct pair {
	uint64_t ip;
	size_t i;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * One table: n s32 place-relative IPs at ip_addr, n entries at orc_addr.
 * Entry i covers [ip_i, ip_i+1); the last one, open-ended in the kernel,
 * is left out (it is the terminator after the last function).
 */
static int table(struct gen *g, struct k2e_kernel *km, uint64_t ip_addr, uint64_t orc_addr,
		 uint64_t n, struct k2e_err *err)
{
	unsigned char *ips = NULL, *orcs = NULL;
	struct pair *p = NULL;
	uint64_t i, j;
	int rc = -1;

	if (n == 0)
		return 0;
	if (n > MAX_ORCS)
		return k2e_err_set(err, "%llu ORC entries is not plausible", (unsigned long long)n);
	/* Both tables must end in the dump before their size drives any allocation. */
	{
		unsigned char b[ORC_ENTRY_SIZE];

		if (k2e_kernel_peek(km, ip_addr + (n - 1) * 4, b, 4) < 0 ||
		    k2e_kernel_peek(km, orc_addr + (n - 1) * ORC_ENTRY_SIZE, b, ORC_ENTRY_SIZE) < 0)
			return k2e_err_set(err, "ORC tables of %llu entries at 0x%llx and 0x%llx end past the dump",
					   (unsigned long long)n, (unsigned long long)ip_addr,
					   (unsigned long long)orc_addr);
	}
	if (!(ips = malloc(n * 4)) || !(orcs = malloc(n * ORC_ENTRY_SIZE)) ||
	    !(p = malloc(n * sizeof(*p)))) {
		k2e_err_set(err, "out of memory");
		goto out;
	}
	if (k2e_kernel_read(km, ip_addr, ips, n * 4, err) < 0 ||
	    k2e_kernel_read(km, orc_addr, orcs, n * ORC_ENTRY_SIZE, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		int32_t rel = (int32_t)(uint32_t)k2e_kernel_get_uint(km, ips + i * 4, 4);

		p[i].ip = ip_addr + i * 4 + (uint64_t)(int64_t)rel;
		p[i].i = i;
	}
	/* The kernel sorts both tables (build time, module load); make sure. */
	for (i = 1; i < n && p[i - 1].ip <= p[i].ip; i++)
		;
	if (i < n)
		qsort(p, n, sizeof(*p), cmp_pair);
	for (i = 0; i + 1 < n; i = j) {
		const unsigned char *e = orcs + p[i].i * ORC_ENTRY_SIZE;
		struct orc o;

		/* The last of equal IPs wins (__orc_find); equal entries merge. */
		for (j = i + 1; j < n && (p[j].ip == p[i].ip ||
					  !memcmp(orcs + p[j].i * ORC_ENTRY_SIZE, e, ORC_ENTRY_SIZE));
		     j++)
			if (p[j].ip == p[i].ip)
				e = orcs + p[j].i * ORC_ENTRY_SIZE;
		if (j >= n)
			break;
		o = decode(e, g->fmt);
		if (o.kind != K_UNDEF)
			fde(g, p[i].ip, p[j].ip, &o);
	}
	rc = g->b.oom ? k2e_err_set(err, "out of memory") : 0;
out:
	free(ips);
	free(orcs);
	free(p);
	return rc;
}

static bool has_member(struct k2e_kernel *k, const char *type, const char *member)
{
	struct k2e_member m;
	struct k2e_err e;

	return k2e_kernel_member(k, type, member, &m, &e) == 0;
}

static void note(struct k2e_orc_out *ret, const char *mod, const struct k2e_err *e)
{
	size_t l = strlen(ret->note), room = sizeof(ret->note) - l;

	if (room > 8)
		snprintf(ret->note + l, room, "%s%.40s: %.*s", l ? "; " : "", mod, (int)room - 1,
			 e->msg);
}

static int modules(struct gen *g, struct k2e_kernel *km, const struct k2e_symtab *st,
		   struct k2e_orc_out *ret, struct k2e_err *err)
{
	struct k2e_member arch, num, ip, orc;
	size_t i;

	if (k2e_kernel_member(km, "module", "arch", &arch, err) < 0 ||
	    k2e_kernel_member(km, "mod_arch_specific", "num_orcs", &num, err) < 0 ||
	    k2e_kernel_member(km, "mod_arch_specific", "orc_unwind_ip", &ip, err) < 0 ||
	    k2e_kernel_member(km, "mod_arch_specific", "orc_unwind", &orc, err) < 0)
		return k2e_err_prefix(err, "module ORC layout from BTF");
	for (i = 0; i < st->n_mods; i++) {
		uint64_t base = st->mods[i].addr + arch.offset, n, ipa, orca;
		struct k2e_err e;

		if (k2e_kernel_read_uint(km, base + num.offset, num.size ? (unsigned)num.size : 4, &n,
				       &e) < 0 ||
		    k2e_kernel_read_uint(km, base + ip.offset, 8, &ipa, &e) < 0 ||
		    k2e_kernel_read_uint(km, base + orc.offset, 8, &orca, &e) < 0 ||
		    (n && table(g, km, ipa, orca, n, &e) < 0)) {
			if (g->b.oom)
				return k2e_err_set(err, "out of memory");
			note(ret, st->mods[i].name, &e);
			continue;
		}
		ret->modules++;
	}
	return 0;
}

int k2e_orc_debug_frame(struct k2e_kernel *km, struct k2e_orc_out *ret, struct k2e_err *err)
{
	const struct k2e_symtab *st = k2e_kernel_symtab(km);
	bool btf = k2e_kernel_btf(km) != NULL;
	struct gen g = { .fmt = FMT_END };
	uint64_t ip_start, ip_stop, orc_start;
	struct k2e_err e;

	memset(ret, 0, sizeof(*ret));
	if (k2e_kernel_machine(km) != 62 /* EM_X86_64 */)
		return k2e_err_set(err, "ORC tables are x86_64 only");
	if (k2e_kernel_symbol(km, "__start_orc_unwind_ip", &ip_start, err) < 0 ||
	    k2e_kernel_symbol(km, "__stop_orc_unwind_ip", &ip_stop, err) < 0 ||
	    k2e_kernel_symbol(km, "__start_orc_unwind", &orc_start, err) < 0)
		return k2e_err_prefix(err, "no ORC tables");
	if (ip_stop < ip_start || (ip_stop - ip_start) % 4)
		return k2e_err_set(err, "ORC IP table 0x%llx..0x%llx is malformed",
				   (unsigned long long)ip_start, (unsigned long long)ip_stop);
	if (btf && has_member(km, "orc_entry", "signal"))
		g.fmt = has_member(km, "orc_entry", "end") ? FMT_SIGNAL_END : FMT_TYPE3;
	cie(&g.b);
	if (table(&g, km, ip_start, orc_start, (ip_stop - ip_start) / 4, err) < 0) {
		free(g.b.p);
		return k2e_err_prefix(err, "vmlinux ORC tables");
	}
	if (btf && st && st->n_mods && modules(&g, km, st, ret, &e) < 0) {
		if (g.b.oom) {
			free(g.b.p);
			return k2e_err_set(err, "out of memory");
		}
		note(ret, "modules", &e);
	}
	ret->frame = g.b.p;
	ret->frame_len = g.b.len;
	ret->fdes = g.fdes;
	return 0;
}
