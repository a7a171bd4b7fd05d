/*
 * frames-arm64.c - call-frame information for arm64 kernel code (see
 * frames-arm64.h).
 *
 * Each function is scanned once, front to back, keeping the state of its
 * frame after every instruction (struct state); the row of the CFI table
 * for an instruction is derived from the state before it, and an FDE
 * writes only the rows that differ from the previous one.  Encodings are
 * the A64 ones of the Arm ARM (C4.1: loads and stores, data processing,
 * branches); only the handful a GCC or Clang prologue and epilogue use are
 * decoded, anything else leaves the frame as it was.
 */
#include "output/frames-arm64.h"

#include <stdlib.h>
#include <string.h>

#include "kernel/symtab.h"

/* DWARF 4 (section 6.4.2) and the AArch64 DWARF register numbers (AADWARF64). */
enum {
	DW_CFA_advance_loc = 0x40, DW_CFA_offset = 0x80, DW_CFA_restore = 0xc0,
	DW_CFA_advance_loc1 = 0x02, DW_CFA_advance_loc2 = 0x03, DW_CFA_advance_loc4 = 0x04,
	DW_CFA_undefined = 0x07, DW_CFA_same_value = 0x08, DW_CFA_def_cfa = 0x0c,
	DW_CFA_def_cfa_register = 0x0d, DW_CFA_def_cfa_offset = 0x0e, DW_CFA_val_expression = 0x16,
	DW_CFA_nop = 0,
	DW_OP_const8u = 0x0e, DW_OP_consts = 0x11, DW_OP_drop = 0x13, DW_OP_or = 0x21,
	DW_OP_deref = 0x06, DW_OP_plus = 0x22, DW_OP_breg0 = 0x70,
	R_FP = 29, R_LR = 30, R_SP = 31,
	FIRST_SAVED = 19,	/* x19..x30 are the registers a callee keeps */
	MAX_FUNCTION = 1 << 20,	/* bytes scanned of one function */
};

/* The frame after an instruction.  Offsets are from the CFA (negative). */
struct state {
	unsigned cfa_reg;	/* R_SP or R_FP */
	int64_t sp_size;	/* CFA - sp, when known */
	int64_t fp_off;		/* CFA - x29, when cfa_reg == R_FP */
	int32_t saved[R_SP];	/* where x19..x30 are saved; 0: in the register */
	bool sp_lost;		/* sp changed in a way not followed */
	bool record;		/* a frame record was stored (x29 and x30 saved) */
	uint16_t written;	/* x19..x28 (bit r - 19) written on this path: a store is no save */
};

/* One row of the table: what an FDE says at an address. */
struct row {
	unsigned cfa_reg;
	int64_t cfa_off;
	int32_t saved[R_SP];
	bool fallback;		/* frame-record rule without offsets known */
};

static void u8(struct k2e_bytebuf *b, unsigned v)
{
	unsigned char c = (unsigned char)v;

	k2e_bytebuf_put(b, &c, 1);
}

/*
 * x30 = (value) | pac_mask: the value is x30 itself (saved_at 0) or the
 * word at CFA + saved_at.  The consumer pushes the CFA before evaluating.
 */
static void ra_rule(struct k2e_a64_cfi *c, int32_t saved_at)
{
	struct k2e_bytebuf *b = &c->b, x = { .be = b->be };

	if (saved_at) {
		u8(&x, DW_OP_consts);
		k2e_bytebuf_sleb(&x, saved_at);
		u8(&x, DW_OP_plus);
		u8(&x, DW_OP_deref);
	} else {
		u8(&x, DW_OP_drop);
		u8(&x, DW_OP_breg0 + R_LR);
		k2e_bytebuf_sleb(&x, 0);
	}
	u8(&x, DW_OP_const8u);
	k2e_bytebuf_uint(&x, c->pac_mask, 8);
	u8(&x, DW_OP_or);
	u8(b, DW_CFA_val_expression);
	k2e_bytebuf_uleb(b, R_LR);
	k2e_bytebuf_uleb(b, x.len);
	if (!x.oom)
		k2e_bytebuf_put(b, x.p, x.len);
	b->oom |= x.oom;
	free(x.p);
}

void k2e_a64_cfi_init(struct k2e_a64_cfi *c, bool be, uint64_t pac_mask)
{
	struct k2e_bytebuf *b = &c->b;
	unsigned r;

	memset(c, 0, sizeof(*c));
	b->be = be;
	c->pac_mask = pac_mask;
	k2e_bytebuf_uint(b, 0, 4);		/* length, patched */
	k2e_bytebuf_uint(b, 0xffffffff, 4);	/* CIE_id */
	u8(b, 1);				/* version */
	u8(b, 0);				/* augmentation "" */
	k2e_bytebuf_uleb(b, 4);			/* code_alignment_factor */
	k2e_bytebuf_sleb(b, -8);		/* data_alignment_factor */
	u8(b, R_LR);				/* return_address_register */
	/* On entry: CFA = sp, the callee-saved registers hold the caller's values. */
	u8(b, DW_CFA_def_cfa);
	k2e_bytebuf_uleb(b, R_SP);
	k2e_bytebuf_uleb(b, 0);
	for (r = FIRST_SAVED; r < R_LR; r++) {
		u8(b, DW_CFA_same_value);
		k2e_bytebuf_uleb(b, r);
	}
	ra_rule(c, 0);
	k2e_bytebuf_align(b, 0, 8, DW_CFA_nop);
	k2e_bytebuf_patch_len32(b, 0);
}

/* ---- decoding ---- */

static int64_t sext(uint32_t v, unsigned bits)
{
	return (int64_t)((uint64_t)v << (64 - bits)) >> (64 - bits);
}

/* Control does not fall through: B, BR, RET (plain and authenticated), ERET. */
static bool is_end(uint32_t w)
{
	return (w & 0xfc000000) == 0x14000000 ||	/* B */
	       (w & 0xfffffc1f) == 0xd61f0000 ||	/* BR */
	       (w & 0xfffffc1f) == 0xd65f0000 ||	/* RET */
	       w == 0xd65f0bff || w == 0xd65f0fff ||	/* RETAA, RETAB */
	       (w & 0xfffff800) == 0xd71f0800 ||	/* BRAA, BRAB */
	       w == 0xd69f03e0 ||				/* ERET */
	       (w & 0xffe0001f) == 0xd4200000 ||	/* BRK (BUG()) */
	       (w & 0xffff0000) == 0;			/* UDF */
}

/*
 * A store of reg at CFA + at.  x19..x28 are saved by their first store
 * while they still hold the caller's values (wherever it is: GCC moves
 * saves past early exits); x29 and x30 by the frame record's.
 */
static void note_save(struct state *s, unsigned reg, int64_t at)
{
	if (reg < FIRST_SAVED || reg > R_LR || at >= 0 || at < INT32_MIN)
		return;
	if (!s->saved[reg] && (reg >= R_FP || !(s->written & 1u << (reg - FIRST_SAVED))))
		s->saved[reg] = (int32_t)at;
}

/*
 * The x19..x28 instruction w writes (bits r - 19), erring towards more:
 * loads (Rt, and Rt2 of a pair), data processing and MRS (Rd), SIMD and
 * floating point moves to general registers (Rd).
 */
static uint16_t writes(uint32_t w)
{
	unsigned rd = w & 31, rt2 = (w >> 10) & 31;
	uint32_t bits = 0;

	if ((w & 0x0a000000) == 0x08000000) {			/* loads and stores */
		if ((w & 0x3a000000) == 0x28000000) {		/* pairs: L is bit 22 */
			if (w & (1u << 22))
				bits = 1u << rd | 1u << rt2;
		} else if (((w >> 22) & 3) || (w & 0x3f200c00) == 0x38200000) {
			bits = 1u << rd;			/* loads, LSE atomics */
		}
	} else if ((w & 0x1c000000) == 0x10000000 || (w & 0x0e000000) == 0x0a000000 ||
		   (w & 0xfff00000) == 0xd5300000 || (w & 0x0e000000) == 0x0e000000) {
		bits = 1u << rd;				/* DP imm/reg, MRS, SIMD&FP */
	}
	return (uint16_t)(bits >> FIRST_SAVED);
}

/* Registers saved below sp are no longer there to be found. */
static void drop_below_sp(struct state *s)
{
	unsigned r;

	for (r = FIRST_SAVED; r <= R_LR; r++)
		if (s->saved[r] && s->saved[r] < -s->sp_size)
			s->saved[r] = 0;
}

/* sp moved by delta (negative: allocated) */
static void sp_moved(struct state *s, int64_t delta)
{
	s->sp_size -= delta;
	if (s->sp_size < 0)
		s->sp_lost = true;	/* a state this path cannot have */
	if (s->cfa_reg == R_SP && delta > 0)
		drop_below_sp(s);
}

/*
 * The effect of instruction w on s.  Returns
 * true when w takes the frame back towards the entry state (an epilogue).
 */
static bool step(struct state *s, uint32_t w)
{
	unsigned rt = w & 31, rn = (w >> 5) & 31, rt2 = (w >> 10) & 31;

	/* STP/LDP (64-bit): post-index 0xa88/0xa8c, signed offset 0xa90/0xa94, pre-index 0xa98/0xa9c. */
	if ((w & 0xfe000000) == 0xa8000000) {
		unsigned mode = (w >> 23) & 3;	/* 1 post, 2 offset, 3 pre */
		bool load = w & (1u << 22);
		int64_t off = sext((w >> 15) & 0x7f, 7) * 8, base;

		if (mode == 0 || (rn != R_SP && (rn != R_FP || mode != 2 || s->cfa_reg != R_FP)))
			return false;
		if (rn == R_SP && s->sp_lost)
			return false;
		if (!load) {
			if (rn == R_SP && mode == 3)
				sp_moved(s, off);
			base = rn == R_SP ? -s->sp_size : -s->fp_off;
			if (mode == 2) {
				note_save(s, rt, base + off);
				note_save(s, rt2, base + off + 8);
			} else {	/* pre-index: at the new sp; post-index: at the old one */
				note_save(s, rt, base);
				note_save(s, rt2, base + 8);
			}
			if ((rt == R_FP && rt2 == R_LR) && s->saved[R_FP] && s->saved[R_LR])
				s->record = true;
			if (rn == R_SP && mode == 1)
				sp_moved(s, off);
			return false;
		}
		/* A load of x29 or x30: the frame record is being taken down. */
		if (rt == R_FP || rt2 == R_FP || rt == R_LR || rt2 == R_LR) {
			bool was_fp = s->cfa_reg == R_FP;

			if (rn == R_FP)
				return false;	/* not a shape we know */
			if (rt == R_FP || rt2 == R_FP)
				s->saved[R_FP] = 0;
			if (rt == R_LR || rt2 == R_LR)
				s->saved[R_LR] = 0;
			if (was_fp && !s->saved[R_FP])
				s->cfa_reg = R_SP;
			if (mode == 1)
				sp_moved(s, off);
			return true;
		}
		if (rn == R_SP && mode != 2)
			sp_moved(s, off);
		return mode == 1;
	}
	/* STR/LDR (64-bit, immediate): unsigned offset, pre- and post-index. */
	if ((w & 0xffc00000) == 0xf9000000 || (w & 0xffe00400) == 0xf8000400) {
		int64_t off, base;
		bool pre = false, post = false;

		if ((w & 0xffc00000) == 0xf9000000) {
			off = (int64_t)((w >> 10) & 0xfff) * 8;
		} else {
			off = sext((w >> 12) & 0x1ff, 9);
			pre = w & (1u << 11);
			post = !pre;
		}
		if ((rn != R_SP && (rn != R_FP || pre || post || s->cfa_reg != R_FP)) ||
		    (rn == R_SP && s->sp_lost))
			return false;
		if (pre && rn == R_SP)
			sp_moved(s, off);
		base = rn == R_SP ? -s->sp_size : -s->fp_off;
		note_save(s, rt, base + (post || pre ? 0 : off));
		if (post && rn == R_SP)
			sp_moved(s, off);
		return false;
	}
	if ((w & 0xffc00000) == 0xf9400000 || (w & 0xffe00400) == 0xf8400400) {
		bool post = (w & 0xffe00c00) == 0xf8400400, pre = (w & 0xffe00c00) == 0xf8400c00;
		int64_t off = post || pre ? sext((w >> 12) & 0x1ff, 9) : 0;

		if (rn != R_SP || !(post || pre) || s->sp_lost)
			return false;
		if (rt == R_LR)
			s->saved[R_LR] = 0;
		sp_moved(s, off);
		return post;
	}
	/* ADD/SUB (immediate, 64-bit): sp and x29 arithmetic. */
	if ((w & 0x9f800000) == 0x91000000) {
		bool sub = w & (1u << 30), flags = w & (1u << 29);
		int64_t imm = (int64_t)((w >> 10) & 0xfff) << ((w & (1u << 22)) ? 12 : 0);

		if (flags)
			return false;
		if (rt == R_SP && rn == R_SP) {		/* sub/add sp, sp, #imm */
			if (!s->sp_lost)
				sp_moved(s, sub ? -imm : imm);
			return !sub;
		}
		if (rt == R_FP && rn == R_SP && !sub && s->saved[R_FP] && !s->sp_lost) {
			s->cfa_reg = R_FP;	/* mov x29, sp / add x29, sp, #imm */
			s->fp_off = s->sp_size - imm;
			return false;
		}
		if (rt == R_SP && rn == R_FP && s->cfa_reg == R_FP) {	/* mov sp, x29 (+/- imm) */
			s->sp_size = s->fp_off - (sub ? -imm : imm);
			s->sp_lost = false;
			return true;
		}
		if (rt == R_SP) {
			s->sp_lost = true;
			return false;
		}
		if (rt == R_FP && s->cfa_reg == R_FP)
			s->cfa_reg = R_SP;	/* x29 reused: follow sp if we can */
		return false;
	}
	/* Any other write to sp (SUB extended register, MOV from another register). */
	if ((w & 0xbfe00000) == 0x8b200000 && rt == R_SP) {
		s->sp_lost = true;
		return false;
	}
	return false;
}

static void row_of(const struct state *s, struct row *r)
{
	memset(r, 0, sizeof(*r));
	if (s->cfa_reg == R_SP && s->sp_lost) {
		r->fallback = true;
		return;
	}
	r->cfa_reg = s->cfa_reg;
	r->cfa_off = s->cfa_reg == R_FP ? s->fp_off : s->sp_size;
	memcpy(r->saved, s->saved, sizeof(r->saved));
}

static void advance(struct k2e_bytebuf *b, uint64_t delta)
{
	if (delta < 64) {
		u8(b, DW_CFA_advance_loc | (unsigned)delta);
	} else if (delta < 256) {
		u8(b, DW_CFA_advance_loc1);
		u8(b, (unsigned)delta);
	} else if (delta < 65536) {
		u8(b, DW_CFA_advance_loc2);
		k2e_bytebuf_uint(b, delta, 2);
	} else {
		u8(b, DW_CFA_advance_loc4);
		k2e_bytebuf_uint(b, delta, 4);
	}
}

/* The frame-record rule: CFA = x29 + 16, x29 and x30 in the record. */
static void fallback_row(struct row *r)
{
	memset(r, 0, sizeof(*r));
	r->cfa_reg = R_FP;
	r->cfa_off = 16;
	r->saved[R_FP] = -16;
	r->saved[R_LR] = -8;
}

/* Instructions taking the table from row a to row b. */
static void emit_diff(struct k2e_a64_cfi *c, const struct row *a, const struct row *b)
{
	struct row fb;
	unsigned r;

	if (b->fallback) {
		fallback_row(&fb);
		b = &fb;
	}
	if (a->cfa_reg != b->cfa_reg && a->cfa_off != b->cfa_off) {
		u8(&c->b, DW_CFA_def_cfa);
		k2e_bytebuf_uleb(&c->b, b->cfa_reg);
		k2e_bytebuf_uleb(&c->b, (uint64_t)b->cfa_off);
	} else if (a->cfa_reg != b->cfa_reg) {
		u8(&c->b, DW_CFA_def_cfa_register);
		k2e_bytebuf_uleb(&c->b, b->cfa_reg);
	} else if (a->cfa_off != b->cfa_off) {
		u8(&c->b, DW_CFA_def_cfa_offset);
		k2e_bytebuf_uleb(&c->b, (uint64_t)b->cfa_off);
	}
	for (r = FIRST_SAVED; r <= R_LR; r++) {
		if (a->saved[r] == b->saved[r])
			continue;
		if (r == R_LR)
			ra_rule(c, b->saved[r]);
		else if (!b->saved[r])
			u8(&c->b, DW_CFA_restore | r);
		else {
			u8(&c->b, DW_CFA_offset | r);
			k2e_bytebuf_uleb(&c->b, (uint64_t)(-b->saved[r] / 8));
		}
	}
}

static bool same_row(const struct row *a, const struct row *b)
{
	return a->fallback == b->fallback && a->cfa_reg == b->cfa_reg &&
	       a->cfa_off == b->cfa_off && !memcmp(a->saved, b->saved, sizeof(a->saved));
}

static uint32_t insn_at(const unsigned char *code, size_t i)
{
	const unsigned char *p = code + 4 * i;

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* BL, BLR, BLRAA/BLRAB: control comes back to the next instruction. */
static bool is_call(uint32_t w)
{
	return (w & 0xfc000000) == 0x94000000 || (w & 0xfffffc1f) == 0xd63f0000 ||
	       (w & 0xfffff800) == 0xd73f0800;
}

/* The instruction index a direct branch at i goes to, when it is in [0, n). */
static bool branch_target(uint32_t w, size_t i, size_t n, size_t *ret)
{
	int64_t off, t;

	if ((w & 0xfc000000) == 0x14000000)			/* B */
		off = sext(w & 0x3ffffff, 26);
	else if ((w & 0xff000010) == 0x54000000 || (w & 0x7e000000) == 0x34000000)
		off = sext((w >> 5) & 0x7ffff, 19);		/* B.cond, CBZ, CBNZ */
	else if ((w & 0x7e000000) == 0x36000000)		/* TBZ, TBNZ */
		off = sext((w >> 5) & 0x3fff, 14);
	else
		return false;
	t = (int64_t)i + off;
	if (t < 0 || t >= (int64_t)n)
		return false;
	*ret = (size_t)t;
	return true;
}

static void after(struct state *s, uint32_t w, bool *ret_epilogue)
{
	bool epi = step(s, w);

	s->written |= writes(w);
	if (ret_epilogue)
		*ret_epilogue = epi;
}

/*
 * The state before each instruction reached from the entry along direct
 * branches (set[i]): a shrink-wrapped function sets up its frame on some
 * paths only, and code after a `ret` is not always the body.  Sweeps in
 * address order until nothing changes, so where paths meet the state from
 * the lower address (usually the straight path) is kept.
 */
static void flow(const unsigned char *code, size_t n, struct state *at, bool *set)
{
	bool changed = true;
	size_t i, t, sweeps;

	memset(set, 0, n);
	memset(&at[0], 0, sizeof(at[0]));
	at[0].cfa_reg = R_SP;
	set[0] = true;
	for (sweeps = 0; changed && sweeps < 16; sweeps++) {
		changed = false;
		for (i = 0; i < n; i++) {
			struct state s;
			uint32_t w;
			size_t succ[2], ns = 0, k;

			if (!set[i])
				continue;
			s = at[i];
			w = insn_at(code, i);
			after(&s, w, NULL);
			if (is_call(w) || !is_end(w)) {
				if (i + 1 < n)
					succ[ns++] = i + 1;
				if (!is_call(w) && branch_target(w, i, n, &t))
					succ[ns++] = t;
			} else if (branch_target(w, i, n, &t)) {
				succ[ns++] = t;		/* B inside the function */
			}
			for (k = 0; k < ns; k++)
				if (!set[succ[k]]) {
					set[succ[k]] = true;
					at[succ[k]] = s;
					changed = true;
				}
		}
	}
}

/*
 * Rows from the flow's states; an instruction it does not reach (a jump
 * table's target) gets the state of a straight scan, where after a `ret`
 * or tail branch the body's state holds again.
 */
static void scan(struct k2e_a64_cfi *c, const unsigned char *code, size_t n)
{
	struct state s = { .cfa_reg = R_SP }, body, *at = malloc(n * sizeof(*at));
	bool *set = malloc(n), in_epilogue = false, have_body = false, record = false, epi;
	struct row prev, cur;
	size_t i, last = 0;
	bool flowed = at && set;

	if (flowed)
		flow(code, n, at, set);

	row_of(&s, &prev);	/* the CIE's row */
	body = s;
	for (i = 0; i < n; i++) {
		uint32_t w = insn_at(code, i);

		row_of(flowed && set[i] ? &at[i] : &s, &cur);
		if (!same_row(&prev, &cur)) {
			advance(&c->b, i - last);
			emit_diff(c, &prev, &cur);
			if (cur.fallback)
				fallback_row(&cur);
			prev = cur;
			last = i;
		}
		after(&s, w, &epi);
		in_epilogue |= epi;
		record |= s.record;
		if (!in_epilogue) {
			body = s;
			have_body = true;
		}
		if (is_end(w) && have_body) {
			s = body;
			in_epilogue = false;
		}
	}
	c->prologues += record;
	free(at);
	free(set);
}

void k2e_a64_cfi_function(struct k2e_a64_cfi *c, uint64_t lo, uint64_t hi,
			  const unsigned char *code, enum k2e_a64_kind kind)
{
	struct k2e_bytebuf *b = &c->b;
	size_t start = b->len;
	struct row entry, fb;
	struct state s0 = { .cfa_reg = R_SP };

	k2e_bytebuf_uint(b, 0, 4);	/* length, patched */
	k2e_bytebuf_uint(b, 0, 4);	/* CIE_pointer: the CIE at offset 0 */
	k2e_bytebuf_uint(b, lo, 8);
	k2e_bytebuf_uint(b, hi - lo, 8);
	switch (kind) {
	case K2E_A64_CODE:
		scan(c, code, (size_t)(hi - lo) / 4);
		break;
	case K2E_A64_UNREAD:
		row_of(&s0, &entry);
		fallback_row(&fb);
		emit_diff(c, &entry, &fb);
		break;
	case K2E_A64_END:
		u8(b, DW_CFA_undefined);
		k2e_bytebuf_uleb(b, R_LR);
		break;
	}
	k2e_bytebuf_align(b, start, 8, DW_CFA_nop);
	k2e_bytebuf_patch_len32(b, start);
	c->fdes++;
}

/* ---- the kernel's functions ---- */

/* Exception entry code and the first frame of a new task: nothing calls them. */
static bool ends_stack(const char *name)
{
	size_t n = strlen(name);

	if (!strcmp(name, "ret_from_fork") || !strcmp(name, "ret_from_fork_asm"))
		return true;
	/* el0t_64_sync, el1h_64_irq ...: entry.S's entry_handler (5.12+); not the C *_handler. */
	if (n >= 11 && name[0] == 'e' && name[1] == 'l' && (name[2] == '0' || name[2] == '1') &&
	    (name[3] == 't' || name[3] == 'h') && name[4] == '_' &&
	    (!strncmp(name + 5, "64_", 3) || !strncmp(name + 5, "32_", 3)))
		return !strstr(name, "handler");
	return false;
}

static uint64_t pac_mask_of(struct k2e_kernel *k)
{
	const struct k2e_vmcoreinfo *v = k2e_kernel_vmcoreinfo(k);
	uint64_t pac = 0, va_bits = 48;
	int64_t n;

	if (v && k2e_vmcoreinfo_number(v, "VA_BITS", &n) == 0 && n >= 36 && n <= 56)
		va_bits = (uint64_t)n;
	if (v)
		k2e_vmcoreinfo_unsigned(v, "NUMBER(KERNELPACMASK)", 16, &pac);
	return pac | ~((UINT64_C(1) << va_bits) - 1);
}

int k2e_a64_debug_frame(struct k2e_kernel *k, struct k2e_a64_frame_out *ret, struct k2e_err *err)
{
	const struct k2e_symtab *st = k2e_kernel_symtab(k);
	struct k2e_a64_cfi c;
	unsigned char *code = NULL;
	size_t i, unread = 0;

	memset(ret, 0, sizeof(*ret));
	if (k2e_kernel_machine(k) != 183 /* EM_AARCH64 */)
		return k2e_err_set(err, "frame-record CFI is for arm64 kernels");
	if (!st)
		return k2e_err_set(err, "no symbol table");
	if (!(code = malloc(MAX_FUNCTION)))
		return k2e_err_set(err, "out of memory");
	k2e_a64_cfi_init(&c, k2e_kernel_big_endian(k), pac_mask_of(k));
	for (i = 0; i < st->n && !c.b.oom; i++) {
		const struct k2e_sym *s = &st->syms[i];
		uint64_t lo = s->addr, hi = s->addr + s->size;
		size_t j;
		enum k2e_a64_kind kind = K2E_A64_CODE;

		if (!k2e_sym_is_text(s->type) || !s->size || lo % 4)
			continue;
		/* One FDE per address: the first of its names; up to the next function. */
		if (i && st->syms[i - 1].addr == lo && k2e_sym_is_text(st->syms[i - 1].type) &&
		    st->syms[i - 1].size)
			continue;
		for (j = i + 1; j < st->n && st->syms[j].addr < hi; j++)
			if (st->syms[j].addr > lo && k2e_sym_is_text(st->syms[j].type)) {
				hi = st->syms[j].addr;
				break;
			}
		hi &= ~UINT64_C(3);
		if (hi <= lo)
			continue;
		if (ends_stack(k2e_sym_name(st, s)))
			kind = K2E_A64_END;
		else if (hi - lo > MAX_FUNCTION || k2e_kernel_peek(k, lo, code, hi - lo) < 0)
			kind = K2E_A64_UNREAD;
		unread += kind == K2E_A64_UNREAD;
		k2e_a64_cfi_function(&c, lo, hi, code, kind);
	}
	free(code);
	if (c.b.oom) {
		k2e_bytebuf_release(&c.b);
		return k2e_err_set(err, "out of memory");
	}
	ret->frame = c.b.p;
	ret->frame_len = c.b.len;
	ret->fdes = c.fdes;
	ret->prologues = c.prologues;
	ret->unread = unread;
	return 0;
}
