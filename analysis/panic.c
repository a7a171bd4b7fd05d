/*
 * panic.c - the panic message and crashing task, from the kernel log.
 *
 * One pass over the lines: for every kind of panic message the first line
 * of that kind is kept, then the first task line among the few lines after
 * it.  The best kind found wins at the end, which gives the same answer as
 * crash's search of the whole log kind by kind.
 */
#include "analysis/panic.h"

#include <stdlib.h>
#include <string.h>

enum {
	N_KINDS = 6,
	TASK_WINDOW = 40,	/* lines after the message that may name the task */
	MAX_LINE = 4096,
};

static const char *const kinds[N_KINDS][7] = {
	{ "general protection fault: ", "double fault: ", "divide error: ", "stack segment: ", NULL },
	{ "SysRq : Netdump", "SysRq : Crash", "SysRq : Trigger a crash", NULL },
	{ "Oops: ", "Kernel BUG at", "kernel BUG at", "BUG: unable to handle kernel ",
	  "Unable to handle kernel paging request",
	  "Unable to handle kernel NULL pointer dereference", NULL },
	{ "Kernel panic: ", "Kernel panic - ", NULL },
	{ "[Hardware Error]: ", NULL },
	{ "Bad mode in ", NULL },
};

struct kind_state {
	bool found;
	char message[K2E_PANIC_MSG_MAX];
	unsigned lines_after;
	bool have_task;
	int cpu;
	int64_t pid;
	char comm[K2E_COMM_MAX];
};

struct k2e_panic_scan {
	struct kind_state k[N_KINDS];
	/* A plain (pre-3.5) buffer arrives in pieces: a line may span two. */
	char partial[MAX_LINE];
	size_t partial_len;
};

int k2e_panic_scan_new(struct k2e_panic_scan **ret, struct k2e_err *err)
{
	struct k2e_panic_scan *s = calloc(1, sizeof(*s));

	if (!s)
		return k2e_err_set(err, "out of memory");
	*ret = s;
	return 0;
}

void k2e_panic_scan_free(struct k2e_panic_scan *s)
{
	free(s);
}

static const char *memmem_str(const char *hay, size_t len, const char *needle)
{
	return memmem(hay, len, needle, strlen(needle));
}

static bool parse_uint(const char **p, const char *end, uint64_t *ret)
{
	const char *q = *p;
	uint64_t v = 0;

	if (q >= end || *q < '0' || *q > '9')
		return false;
	while (q < end && *q >= '0' && *q <= '9' && v < (UINT64_MAX - 9) / 10)
		v = v * 10 + (uint64_t)(*q++ - '0');
	*p = q;
	*ret = v;
	return true;
}

static bool skip(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

/* The task name runs up to what dump_stack_print_info() prints after it. */
static void take_comm(const char *p, const char *end, char *comm)
{
	static const char *const stops[] = { " Kdump: ", " Tainted: ", " Not tainted", " Tainted:" };
	const char *stop = end;
	size_t n;

	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		const char *q = memmem_str(p, (size_t)(end - p), stops[i]);

		if (q && q < stop)
			stop = q;
	}
	n = (size_t)(stop - p);
	if (n >= K2E_COMM_MAX)
		n = K2E_COMM_MAX - 1;
	memcpy(comm, p, n);
	comm[n] = '\0';
}

/* "CPU: N [UID: U ]PID: P Comm: NAME ..." or "Pid: P, comm: NAME ...". */
static bool task_line(const char *line, size_t len, int *cpu, int64_t *pid, char *comm)
{
	const char *end = line + len, *p = memmem_str(line, len, "CPU: ");
	uint64_t c, u, v;

	if (p) {
		p += 5;
		if (!parse_uint(&p, end, &c) || !skip(&p, end, " "))
			return false;
		if (skip(&p, end, "UID: ") && !(parse_uint(&p, end, &u) && skip(&p, end, " ")))
			return false;
		if (!skip(&p, end, "PID: ") || !parse_uint(&p, end, &v) || !skip(&p, end, " Comm: "))
			return false;
		*cpu = c < 1u << 20 ? (int)c : -1;
		*pid = (int64_t)v;
		take_comm(p, end, comm);
		return true;
	}
	p = memmem_str(line, len, "Pid: ");
	if (p) {
		p += 5;
		if (!parse_uint(&p, end, &v) || !skip(&p, end, ", comm: "))
			return false;
		*cpu = -1;
		*pid = (int64_t)v;
		take_comm(p, end, comm);
		return true;
	}
	return false;
}

void k2e_panic_scan_line(struct k2e_panic_scan *s, const char *line, size_t len)
{
	for (int i = 0; i < N_KINDS; i++) {
		struct kind_state *k = &s->k[i];

		if (k->found) {
			int cpu;
			int64_t pid;
			char comm[K2E_COMM_MAX];

			if (k->have_task || ++k->lines_after > TASK_WINDOW)
				continue;
			if (task_line(line, len, &cpu, &pid, comm)) {
				k->have_task = true;
				k->cpu = cpu;
				k->pid = pid;
				memcpy(k->comm, comm, sizeof(comm));
			}
			continue;
		}
		for (int j = 0; kinds[i][j]; j++) {
			if (memmem_str(line, len, kinds[i][j])) {
				size_t n = len < K2E_PANIC_MSG_MAX - 1 ? len : K2E_PANIC_MSG_MAX - 1;

				k->found = true;
				memcpy(k->message, line, n);
				k->message[n] = '\0';
				/* Bytes a terminal would not show, as crash's log shows them. */
				for (size_t m = 0; m < n; m++)
					if ((unsigned char)k->message[m] < 0x20 ||
					    (unsigned char)k->message[m] == 0x7f)
						k->message[m] = '.';
				break;
			}
		}
	}
}

int k2e_panic_scan_record(void *scan, const struct k2e_log_record *r, struct k2e_err *err)
{
	struct k2e_panic_scan *s = scan;
	const char *p = r->text, *end = r->text + r->len;

	(void)err;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		size_t n = (size_t)(stop - p);

		if (r->plain) {
			/* Complete the line across pieces; flush it at its newline. */
			size_t room = sizeof(s->partial) - s->partial_len;

			memcpy(s->partial + s->partial_len, p, n < room ? n : room);
			s->partial_len += n < room ? n : room;
			if (nl) {
				k2e_panic_scan_line(s, s->partial, s->partial_len);
				s->partial_len = 0;
			}
		} else {
			k2e_panic_scan_line(s, p, n);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

void k2e_panic_scan_result(struct k2e_panic_scan *s, struct k2e_panic *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->cpu = -1;
	ret->pid = -1;
	if (s->partial_len) {
		k2e_panic_scan_line(s, s->partial, s->partial_len);
		s->partial_len = 0;
	}
	for (int i = 0; i < N_KINDS; i++) {
		const struct kind_state *k = &s->k[i];

		if (!k->found)
			continue;
		ret->have_message = true;
		memcpy(ret->message, k->message, sizeof(ret->message));
		if (k->have_task) {
			ret->cpu = k->cpu;
			ret->pid = k->pid;
			memcpy(ret->comm, k->comm, sizeof(ret->comm));
		}
		return;
	}
}

struct both {
	struct k2e_panic_scan *scan;
	struct k2e_bytebuf *text;
};

static int both_record(void *arg, const struct k2e_log_record *r, struct k2e_err *err)
{
	struct both *b = arg;

	if (b->text && k2e_printk_format(r, b->text, err) < 0)
		return -1;
	return k2e_panic_scan_record(b->scan, r, err);
}

int k2e_panic_read(struct k2e_kernel *km, struct k2e_panic *ret, char **ret_text,
		   size_t *ret_text_len, struct k2e_err *err)
{
	struct k2e_bytebuf text;
	struct both b = { .text = ret_text ? &text : NULL };
	char *t = NULL;
	size_t len = 0;

	k2e_bytebuf_init(&text);
	if (k2e_panic_scan_new(&b.scan, err) < 0)
		return -1;
	if (k2e_printk_walk(km, both_record, &b, err) < 0 ||
	    (ret_text && !(t = (char *)k2e_bytebuf_take(&text, &len)) &&
	     k2e_err_set(err, "out of memory") < 0)) {
		k2e_bytebuf_release(&text);
		k2e_panic_scan_free(b.scan);
		return -1;
	}
	k2e_panic_scan_result(b.scan, ret);
	k2e_panic_scan_free(b.scan);
	if (ret_text) {
		*ret_text = t;
		*ret_text_len = len;
	}
	return 0;
}
