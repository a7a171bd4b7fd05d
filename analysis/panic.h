/*
 * panic.h - what crashed, read from the kernel log.
 *
 * The panic message is the log line crash(8) 8.0 shows as PANIC in `sys`:
 * the first line, searched in this order of kinds, that contains
 *   1. "general protection fault: ", "double fault: ", "divide error: ",
 *      "stack segment: "
 *   2. "SysRq : Netdump", "SysRq : Crash", "SysRq : Trigger a crash"
 *   3. "Oops: ", "Kernel BUG at", "kernel BUG at", "BUG: unable to handle
 *      kernel ", "Unable to handle kernel paging request", "Unable to
 *      handle kernel NULL pointer dereference"
 *   4. "Kernel panic: ", "Kernel panic - "
 *   5. "[Hardware Error]: "
 *   6. "Bad mode in "
 * (an Oops that ends in panic() shows its Oops line, not "Kernel panic").
 *
 * The crashing CPU and task come from the report that follows that line:
 * "CPU: N PID: P Comm: NAME ..." (Linux 3.10+; "CPU: N UID: U PID: P" from
 * 6.11), or "Pid: P, comm: NAME" of older kernels (no CPU).  This is the
 * panic_cpu the kernel recorded, which vmcoreinfo does not export, and the
 * task crash's `bt` shows.
 */
#ifndef K2E_PANIC_H
#define K2E_PANIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/printk.h"

enum { K2E_PANIC_MSG_MAX = 512, K2E_COMM_MAX = 64 };

struct k2e_panic {
	bool have_message;
	char message[K2E_PANIC_MSG_MAX];	/* the log line, without its timestamp */
	int cpu;				/* -1: unknown */
	int64_t pid;				/* -1: unknown */
	char comm[K2E_COMM_MAX];		/* "": unknown */
};

struct k2e_panic_scan;

int k2e_panic_scan_new(struct k2e_panic_scan **ret, struct k2e_err *err);
void k2e_panic_scan_free(struct k2e_panic_scan *s);
/* Feed the log's records in order (a k2e_log_fn). */
int k2e_panic_scan_record(void *scan, const struct k2e_log_record *r, struct k2e_err *err);
/* One line of log text, without timestamp or newline. */
void k2e_panic_scan_line(struct k2e_panic_scan *s, const char *line, size_t len);
/* What the lines fed so far say. */
void k2e_panic_scan_result(struct k2e_panic_scan *s, struct k2e_panic *ret);

/*
 * One walk over the log of km: the text in makedumpfile form (*ret_text,
 * the caller frees; may be NULL when not wanted) and the panic summary.
 */
int k2e_panic_read(struct k2e_kernel *km, struct k2e_panic *ret, char **ret_text,
		   size_t *ret_text_len, struct k2e_err *err);

#endif
