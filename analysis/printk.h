/*
 * printk.h - the dumped kernel's log (dmesg), decoded from its printk
 * buffer through vmcoreinfo, in the form of `makedumpfile --dump-dmesg`.
 *
 * Three layouts, chosen by what vmcoreinfo exports:
 *  - the lockless ring buffer of Linux 5.10+ (SYMBOL(prb), the
 *    printk_ringbuffer / prb_desc_ring / prb_data_ring / prb_desc /
 *    prb_data_blk_lpos / printk_info offsets and sizes);
 *  - the variable-length records of Linux 3.5 to 5.9 (SYMBOL(log_buf),
 *    log_buf_len, log_first_idx, log_next_idx and SIZE/OFFSET of
 *    printk_log, called "log" before 3.11);
 *  - the plain character buffer before 3.5 (SYMBOL(log_end)).
 *
 * k2e_printk_walk() hands the records to a callback in log order.  Text
 * pointers are valid during the call only.  Records the writer had not
 * committed are left out, as makedumpfile leaves them out.
 */
#ifndef K2E_PRINTK_H
#define K2E_PRINTK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "lib/bytebuf.h"
#include "lib/error.h"

enum k2e_log_layout {
	K2E_LOG_LOCKLESS,	/* 5.10+ */
	K2E_LOG_RECORDS,	/* 3.5 .. 5.9 */
	K2E_LOG_PLAIN,		/* before 3.5 */
};

struct k2e_log_record {
	uint64_t ts_nsec;
	const char *text;	/* not NUL-terminated */
	size_t len;
	bool plain;		/* a stretch of a pre-3.5 plain buffer: no timestamp of its own */
	bool has_caller;	/* the lockless buffer (5.10+) records who printed it */
	uint32_t caller_id;	/* a task's pid, or 0x80000000 | cpu */
};

/* Return -1 (with err set) to stop the walk. */
typedef int (*k2e_log_fn)(void *arg, const struct k2e_log_record *r, struct k2e_err *err);

/* Which layout the dump's vmcoreinfo describes; -1 when none (err says why). */
int k2e_printk_layout(struct k2e_kernel *km, enum k2e_log_layout *ret, struct k2e_err *err);

/*
 * Walk every record in log order.  -1 on failure: no known layout, a
 * structure that does not add up, or log memory missing from the dump.
 */
int k2e_printk_walk(struct k2e_kernel *km, k2e_log_fn fn, void *arg, struct k2e_err *err);

/*
 * Append r as `makedumpfile --dump-dmesg` prints it (1.7.6; 1.7.2 for
 * kernels without caller ids): "[%5llu.%06lu] ", with a caller id
 * "[%8s] " ("T<pid>" or "C<cpu>", as the kernel's CONFIG_PRINTK_CALLER
 * shows it) when the record has one, then the text, each newline inside followed by spaces up
 * to the text column, bytes that are neither printable nor white space as
 * "\xNN" (bytes above 0x7f as makedumpfile prints a sign-extended char,
 * "\xffffffNN"), and a final newline.  A plain record is copied as is.
 */
int k2e_printk_format(const struct k2e_log_record *r, struct k2e_bytebuf *out, struct k2e_err *err);

/* The whole log in that form (the caller frees *ret). */
int k2e_printk_text(struct k2e_kernel *km, char **ret, size_t *ret_len, struct k2e_err *err);

#endif
