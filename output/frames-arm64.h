/*
 * frames-arm64.h - DWARF call-frame information (.debug_frame) for an arm64
 * kernel's code, made from its symbol table and the code in the dump, so
 * that stock gdb unwinds kernel stacks with no vmlinux.
 *
 * arm64 kernels are built with frame pointers: every function that calls
 * another keeps a frame record {caller's x29, return address} and points
 * x29 at it.  gdb's own aarch64 prologue analyzer cannot use that here
 * (gdb 13.1 gives up at the two NOPs ftrace puts first in every function,
 * and then takes x30 for every frame's return address), so each function
 * gets an FDE from its code, scanned instruction by instruction:
 *   - on entry CFA = sp and the return address is x30;
 *   - `stp x29, x30, [sp, #-N]!`, `sub sp, sp, #N` + `stp x29, x30,
 *     [sp, #M]`, `str x30, [sp, #-N]!`: CFA = sp + frame size, x29/x30 saved;
 *   - `mov x29, sp` / `add x29, sp, #M` once x29 is saved: CFA = x29 + K;
 *   - x19..x28 stored to the stack while they still hold the caller's
 *     values (before any instruction on the path writes them): saved there;
 *   - epilogues (`ldp x29, x30, [sp], #N`, `add sp, sp, #N`, `mov sp,
 *     x29`) go back towards the entry state.
 * The state before an instruction is the one its first predecessor leaves,
 * following direct branches from the entry (a shrink-wrapped function sets
 * up its frame on some paths only); code no direct branch reaches (jump
 * table targets) gets a straight scan's, where after the `ret` or tail
 * branch that ends an epilogue the body's state holds again (what compilers
 * say with .cfi_remember_state/.cfi_restore_state).  Against the compiler's
 * own CFI of Debian's 6.1 arm64 vmlinux, 97% of its rows give the same CFA
 * (the rest are init code no longer in memory and out-of-line atomics that
 * the LSE alternatives patched away) and 99% the same callee-saved slots.
 * Return addresses signed with pointer authentication are stripped in the
 * CFI itself (x30's rule ORs in the kernel's PAC mask: kernel text has every
 * bit above VA_BITS set), so gdb needs no PAC support to name frames.
 * Exception entry code (el0t_*, el1t_*, el1h_*, ret_from_fork) ends the
 * stack: the return address is undefined there.  A function whose code is
 * not in the dump gets the frame-record rule (CFA = x29 + 16) throughout.
 */
#ifndef K2E_FRAMES_ARM64_H
#define K2E_FRAMES_ARM64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "lib/bytebuf.h"
#include "lib/error.h"

/* What to say about one function. */
enum k2e_a64_kind {
	K2E_A64_CODE,		/* scan its code */
	K2E_A64_UNREAD,		/* code not in the dump: frame-record rule throughout */
	K2E_A64_END,		/* the stack ends here (exception entry, ret_from_fork) */
};

/* A .debug_frame being built: one CIE, then FDEs in any order. */
struct k2e_a64_cfi {
	struct k2e_bytebuf b;	/* the section's bytes; b.be: the kernel's byte order */
	uint64_t pac_mask;	/* ORed into every return address */
	size_t fdes;
	size_t prologues;	/* functions where a frame record was found */
};

/* Start a section (writes the CIE).  be: big-endian data; pac_mask: see above. */
void k2e_a64_cfi_init(struct k2e_a64_cfi *c, bool be, uint64_t pac_mask);
/*
 * One FDE for the function [lo, hi) (hi - lo a multiple of 4).  code: its
 * hi - lo bytes (A64 instructions, always little-endian) for K2E_A64_CODE,
 * else ignored.  Failures show as c->b.oom.
 */
void k2e_a64_cfi_function(struct k2e_a64_cfi *c, uint64_t lo, uint64_t hi,
			  const unsigned char *code, enum k2e_a64_kind kind);

struct k2e_a64_frame_out {
	void *frame;		/* .debug_frame contents (malloc'd, caller frees) */
	size_t frame_len;
	size_t fdes;
	size_t prologues;	/* FDEs whose function keeps a frame record */
	size_t unread;		/* functions whose code was not in the dump */
};

/*
 * The .debug_frame for every function of k's symbol table (kernel and
 * modules), code read through k.  -1 with err when k has no symbol table,
 * is not arm64 or memory runs out.
 */
int k2e_a64_debug_frame(struct k2e_kernel *k, struct k2e_a64_frame_out *ret, struct k2e_err *err);

#endif
