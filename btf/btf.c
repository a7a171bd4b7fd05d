/*
 * btf.c - read vmlinux and module BTF out of the dump (see btf.h).
 */
#include "btf/btf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "lib/names.h"

enum {
	MAX_BTF = 256 << 20,	/* sanity bound on one BTF blob */
	MAX_BTF_MODULES = 8192,
};

static int read_blob(struct k2e_kernel *km, uint64_t addr, uint64_t len, void **ret,
		     struct k2e_err *err)
{
	void *p;

	if (len == 0 || len > MAX_BTF)
		return k2e_err_set(err, "BTF size %llu at 0x%llx is implausible", (unsigned long long)len,
				   (unsigned long long)addr);
	if (!(p = malloc(len)))
		return k2e_err_set(err, "out of memory");
	if (k2e_kernel_read(km, addr, p, len, err) < 0) {
		free(p);
		return -1;
	}
	*ret = p;
	return 0;
}

/*
 * libbpf 1.1 (Debian 12) declares btf__new_split() but does not export it
 * (it arrived in 1.3's ABI); btf__parse_raw_split() takes a path, so hand it
 * the blob through an anonymous memory file.
 */
static struct btf *new_split(const void *data, uint32_t size, struct btf *base)
{
	char path[64];
	struct btf *btf = NULL;
	int fd = memfd_create("k2e-btf", MFD_CLOEXEC), e;

	if (fd < 0)
		return NULL;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		btf = btf__parse_raw_split(path, base);
	} else {
		errno = EIO;
	}
	e = errno;
	close(fd);
	errno = e;
	return btf;
}

int k2e_btf_read_vmlinux(struct k2e_kernel *km, struct btf **ret, struct k2e_err *err)
{
	uint64_t start, stop;
	struct btf *btf;
	void *data;

	if (k2e_kernel_symbol(km, "__start_BTF", &start, err) < 0 ||
	    k2e_kernel_symbol(km, "__stop_BTF", &stop, err) < 0)
		return k2e_err_prefix(err, "vmlinux BTF (CONFIG_DEBUG_INFO_BTF off?)");
	if (stop <= start)
		return k2e_err_set(err, "vmlinux BTF: __stop_BTF 0x%llx is not after __start_BTF 0x%llx",
				   (unsigned long long)stop, (unsigned long long)start);
	if (read_blob(km, start, stop - start, &data, err) < 0)
		return k2e_err_prefix(err, "vmlinux BTF");
	btf = btf__new(data, (uint32_t)(stop - start));
	free(data);
	if (!btf)
		return k2e_err_errno(err, errno, "vmlinux BTF at 0x%llx: libbpf rejects it",
				     (unsigned long long)start);
	*ret = btf;
	return 0;
}

void k2e_btf_mods_free(struct k2e_btf_mod *mods, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		btf__free(mods[i].btf);
	free(mods);
}

int k2e_btf_read_modules(struct k2e_kernel *km, struct btf *base,
			 struct k2e_btf_mod **ret, size_t *ret_n, struct k2e_err *err)
{
	struct k2e_member m_list, m_mod, m_btf, b_data, b_size, mod_name;
	unsigned ws = k2e_kernel_word_size(km);
	struct k2e_btf_mod *mods = NULL;
	uint64_t head = 0, pos = 0;
	size_t n = 0, steps = 0;

	if (k2e_kernel_symbol(km, "btf_modules", &head, err) < 0)
		return k2e_err_prefix(err, "module BTF");
	/* struct btf_module is private to kernel/bpf/btf.c; its BTF is usually there. */
	if (k2e_kernel_member(km, "btf_module", "list", &m_list, err) < 0 ||
	    k2e_kernel_member(km, "btf_module", "module", &m_mod, err) < 0 ||
	    k2e_kernel_member(km, "btf_module", "btf", &m_btf, err) < 0) {
		m_list.offset = 0;
		m_mod.offset = 2 * (uint64_t)ws;
		m_btf.offset = 3 * (uint64_t)ws;
	}
	if (k2e_kernel_member(km, "btf", "data", &b_data, err) < 0 ||
	    k2e_kernel_member(km, "btf", "data_size", &b_size, err) < 0 ||
	    k2e_kernel_member(km, "module", "name", &mod_name, err) < 0)
		return k2e_err_prefix(err, "module BTF");
	if (k2e_kernel_read_uint(km, head, ws, &pos, err) < 0)
		return k2e_err_prefix(err, "btf_modules");
	while (pos != head) {
		uint64_t bm = pos - m_list.offset, mod, b, data, size;
		struct k2e_btf_mod *e;
		void *blob;

		if (steps++ == MAX_BTF_MODULES) {
			k2e_err_set(err, "btf_modules: more than %d entries (a loop?)", MAX_BTF_MODULES);
			goto fail;
		}
		if (!(e = realloc(mods, (n + 1) * sizeof(*e)))) {
			k2e_err_set(err, "out of memory");
			goto fail;
		}
		mods = e;
		e = &mods[n];
		memset(e, 0, sizeof(*e));
		if (k2e_kernel_read_uint(km, bm + m_mod.offset, ws, &mod, err) < 0 ||
		    k2e_kernel_read_uint(km, bm + m_btf.offset, ws, &b, err) < 0 ||
		    k2e_kernel_read_uint(km, b + b_data.offset, ws, &data, err) < 0 ||
		    k2e_kernel_read_uint(km, b + b_size.offset, 4, &size, err) < 0 ||
		    k2e_kernel_read(km, mod + mod_name.offset, e->name, sizeof(e->name) - 1, err) < 0) {
			k2e_err_prefix(err, "btf_module at 0x%llx", (unsigned long long)bm);
			goto fail;
		}
		e->name[sizeof(e->name) - 1] = '\0';
		if (!k2e_name_is_module(e->name))
			goto next;	/* not a name the kernel makes: left out (kallsyms.c says so) */
		if (read_blob(km, data, size, &blob, err) < 0) {
			k2e_err_prefix(err, "BTF of module '%s'", e->name);
			goto fail;
		}
		e->btf = new_split(blob, (uint32_t)size, base);
		free(blob);
		if (!e->btf) {
			k2e_err_errno(err, errno, "BTF of module '%s': libbpf rejects it", e->name);
			goto fail;
		}
		n++;
next:
		if (k2e_kernel_read_uint(km, pos, ws, &pos, err) < 0) {
			k2e_err_prefix(err, "btf_modules");
			goto fail;
		}
	}
	*ret = mods;
	*ret_n = n;
	return 0;
fail:
	k2e_btf_mods_free(mods, n);
	return -1;
}
