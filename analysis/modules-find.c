/*
 * modules-find.c - the `modules` list head when no symbol says where it is
 * (see modules.h).
 *
 * A kernel built with CONFIG_KALLSYMS_ALL=n (Debian's arm64 cloud kernel)
 * names no data in kallsyms, so `modules` is unknown without a vmlinux.
 * Every struct module points at itself from mkobj.mod (its sysfs kobject
 * wrapper), is cache-line aligned, and sits in the module area; one found
 * there leads along its `list` to the one node that is not in a struct
 * module: the head.  Where the module area is: MODULES_VADDR..MODULES_END
 * from VMCOREINFO, and on arm64, where KASLR moves module allocations to
 * within 2 GiB of the kernel (arch/arm64/kernel/kaslr.c), the 2 GiB below
 * the kernel's text and the 128 MiB above it.
 */
#include "analysis/modules.h"

#include <stdlib.h>
#include <string.h>

#include "lib/names.h"

enum {
	PAGE = 4096,
	ALIGN = 64,		/* ____cacheline_aligned: L1_CACHE_BYTES on arm64 and x86_64 */
	MAX_STEPS = 8192,
};

struct shape {
	uint64_t list, mod, name, name_len;
};

static bool kernel_ptr(uint64_t v)
{
	return v >> 48 == 0xffff && v % 8 == 0;
}

/* Is there a struct module at addr?  page: the bytes of addr's page when at hand. */
static bool is_module(struct k2e_kernel *k, const struct shape *sh, uint64_t addr,
		      const unsigned char *page)
{
	uint64_t next, self;
	char name[64];
	size_t off = addr % PAGE, n = sh->name_len < sizeof(name) ? sh->name_len : sizeof(name);

	if (page && off + sh->list + 8 <= PAGE)
		next = k2e_kernel_get_uint(k, page + off + sh->list, 8);
	else if (k2e_kernel_peek_uint(k, addr + sh->list, 8, &next) < 0)
		return false;
	if (!kernel_ptr(next))
		return false;
	if (page && off + sh->mod + 8 <= PAGE)
		self = k2e_kernel_get_uint(k, page + off + sh->mod, 8);
	else if (k2e_kernel_peek_uint(k, addr + sh->mod, 8, &self) < 0)
		return false;
	if (self != addr)
		return false;
	if (k2e_kernel_peek(k, addr + sh->name, name, n) < 0 || !memchr(name, 0, n))
		return false;
	return k2e_name_is_module(name);
}

/* The head, from the module at mod: the list node that is not in a module. */
static int head_from(struct k2e_kernel *k, const struct shape *sh, uint64_t mod, uint64_t *ret)
{
	uint64_t start = mod + sh->list, pos = start;
	int steps;

	for (steps = 0; steps < MAX_STEPS; steps++) {
		if (k2e_kernel_peek_uint(k, pos, 8, &pos) < 0 || !kernel_ptr(pos))
			return -1;
		if (pos == start)
			return -1;	/* a ring of modules only */
		if (!is_module(k, sh, pos - sh->list, NULL)) {
			*ret = pos;
			return 0;
		}
	}
	return -1;
}

static int scan(struct k2e_kernel *k, const struct shape *sh, uint64_t lo, uint64_t hi,
		unsigned char *page, uint64_t *ret)
{
	uint64_t at, o;

	for (at = lo & ~(uint64_t)(PAGE - 1); at < hi && at >= (lo & ~(uint64_t)(PAGE - 1));
	     at += PAGE) {
		if (k2e_kernel_peek(k, at, page, PAGE) < 0)
			continue;
		for (o = 0; o < PAGE; o += ALIGN)
			if (is_module(k, sh, at + o, page) && head_from(k, sh, at + o, ret) == 0)
				return 0;
	}
	return -1;
}

int k2e_modules_find_head(struct k2e_kernel *k, uint64_t *ret, struct k2e_err *err)
{
	const struct k2e_vmcoreinfo *v = k2e_kernel_vmcoreinfo(k);
	struct k2e_member m;
	struct shape sh;
	uint64_t lo = 0, hi = 0, text = 0, head;
	unsigned char *page;
	int rc = -1;

	if (k2e_kernel_word_size(k) != 8)
		return k2e_err_set(err, "no symbol 'modules'");
	if (k2e_kernel_member(k, "module", "list", &m, err) < 0)
		return -1;
	sh.list = m.offset;
	if (k2e_kernel_member(k, "module", "mkobj", &m, err) < 0)
		return -1;
	sh.mod = m.offset;
	if (k2e_kernel_member(k, "module_kobject", "mod", &m, err) < 0)
		return -1;
	sh.mod += m.offset;
	if (k2e_kernel_member(k, "module", "name", &m, err) < 0)
		return -1;
	sh.name = m.offset;
	sh.name_len = m.size ? m.size : 56;
	if (!(page = malloc(PAGE)))
		return k2e_err_set(err, "out of memory");
	if (v && k2e_vmcoreinfo_unsigned(v, "NUMBER(MODULES_VADDR)", 16, &lo) == 0 &&
	    k2e_vmcoreinfo_unsigned(v, "NUMBER(MODULES_END)", 16, &hi) == 0 && hi > lo &&
	    hi - lo <= (UINT64_C(4) << 30) && scan(k, &sh, lo, hi, page, &head) == 0)
		rc = 0;
	if (rc < 0 && k2e_kernel_machine(k) == 183 /* EM_AARCH64 */ &&
	    k2e_kernel_symbol(k, "_stext", &text, err) == 0 && text > (UINT64_C(3) << 30) &&
	    scan(k, &sh, text - (UINT64_C(2) << 30) - (UINT64_C(128) << 20),
		 text + (UINT64_C(128) << 20), page, &head) == 0)
		rc = 0;
	free(page);
	if (rc < 0)
		return k2e_err_set(err, "no symbol 'modules' and no struct module in the module area");
	*ret = head;
	return 0;
}
