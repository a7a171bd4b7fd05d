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

/*
 * Without __start_BTF (kallsyms of a CONFIG_KALLSYMS_ALL=n kernel has no
 * data symbols): the .BTF section by its shape, in the read-only data after
 * _etext.  struct btf_header (include/uapi/linux/btf.h): magic 0xeB9F,
 * version 1, flags, hdr_len 24, then type_off/type_len/str_off/str_len; the
 * vmlinux BTF has its types first and its strings right after them.
 */
enum { BTF_SCAN_CHUNK = 1 << 20, BTF_SCAN_SPAN = 128 << 20, BTF_HDR = 24 };

static bool btf_header_at(struct k2e_kernel *km, const unsigned char *p, uint64_t *ret_len)
{
	uint64_t f[4];
	unsigned i;

	for (i = 0; i < 4; i++)
		f[i] = k2e_kernel_get_uint(km, p + 8 + 4 * i, 4);
	if (k2e_kernel_get_uint(km, p, 2) != 0xeb9f || p[2] != 1 ||
	    k2e_kernel_get_uint(km, p + 4, 4) != BTF_HDR || f[0] != 0 || f[1] == 0 ||
	    f[2] != f[1] || f[3] == 0 || BTF_HDR + f[2] + f[3] > MAX_BTF)
		return false;
	*ret_len = BTF_HDR + f[2] + f[3];
	return true;
}

static int find_btf(struct k2e_kernel *km, uint64_t *ret_start, uint64_t *ret_stop,
		    struct k2e_err *err)
{
	uint64_t etext, at, len;
	unsigned char *buf;
	size_t i;

	if (k2e_kernel_symbol(km, "_etext", &etext, err) < 0)
		return -1;
	if (!(buf = malloc(BTF_SCAN_CHUNK + BTF_HDR)))
		return k2e_err_set(err, "out of memory");
	for (at = etext & ~UINT64_C(4095); at - (etext & ~UINT64_C(4095)) < BTF_SCAN_SPAN;
	     at += BTF_SCAN_CHUNK) {
		size_t pg, step = BTF_SCAN_CHUNK;

		/* A chunk not wholly in the dump is scanned page by page. */
		for (pg = 0; pg < BTF_SCAN_CHUNK; pg += step) {
			size_t n = step;

			if (k2e_kernel_peek(km, at + pg, buf, n + BTF_HDR) < 0) {
				if (step == BTF_SCAN_CHUNK) {
					step = 4096;
					pg -= step;
					continue;
				}
				if (k2e_kernel_peek(km, at + pg, buf, n) < 0)
					continue;
				n -= BTF_HDR;
			}
			for (i = 0; i < n; i += 4)
				if (buf[i + 2] == 1 && btf_header_at(km, buf + i, &len)) {
					*ret_start = at + pg + i;
					*ret_stop = at + pg + i + len;
					free(buf);
					return 0;
				}
		}
	}
	free(buf);
	return k2e_err_set(err, "no symbol '__start_BTF' and no BTF header in the %d MiB after _etext",
			   BTF_SCAN_SPAN >> 20);
}

int k2e_btf_read_vmlinux(struct k2e_kernel *km, struct btf **ret, struct k2e_err *err)
{
	uint64_t start, stop;
	struct btf *btf;
	void *data;
	struct k2e_err e;

	if ((k2e_kernel_symbol(km, "__start_BTF", &start, &e) < 0 ||
	     k2e_kernel_symbol(km, "__stop_BTF", &stop, &e) < 0) &&
	    find_btf(km, &start, &stop, err) < 0)
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
