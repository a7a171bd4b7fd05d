#!/usr/bin/python3
"""kdf-compare.py -- compare a dump and kdump2elf's core page by page, as
libkdumpfile (python3-libkdumpfile's C library, 0.5.1 in Debian 12) reads them.

usage:
  kdf-compare.py CORE.elf INPUT [PIECE...]   every page libkdumpfile finds in
                                             INPUT must read the same from CORE,
                                             and CORE must hold no other page
  kdf-compare.py --digest CORE.elf           digest of CORE's physical pages only
  kdf-compare.py --lost N CORE.elf INPUT...  as the first form, for a damaged INPUT:
                                             up to N of the pages libkdumpfile reads
                                             from it may be missing from CORE (kdump2elf
                                             said it lost N; libkdumpfile reads some lost
                                             pages of a cut file as zeros)

The physical page set of CORE is taken from its PT_LOADs (parsed here, in
Python) and its pages are read through libkdumpfile.  Output, one line:
  compared N zero Z mismatched M missing X extra E unreadable U digest HEX
digest: sha256 over every page (8-byte little-endian pfn, then the page) in pfn
order, the definition of shared/fixtures/README.md.  Exit status 0 only when
M, X, E and U are all 0 (and N > 0).
"""
import ctypes
import hashlib
import os
import struct
import sys

KDUMP_OK = 0
KDUMP_NUMBER = 2
KDUMP_BITMAP = 5
KDUMP_MACHPHYSADDR = 1


class AttrVal(ctypes.Union):
    _fields_ = [("number", ctypes.c_uint64), ("ptr", ctypes.c_void_p)]


class Attr(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("val", AttrVal)]


lib = ctypes.CDLL("libkdumpfile.so.10")
lib.kdump_new.restype = ctypes.c_void_p
lib.kdump_open_fdset.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.POINTER(ctypes.c_int)]
lib.kdump_get_err.restype = ctypes.c_char_p
lib.kdump_get_err.argtypes = [ctypes.c_void_p]
lib.kdump_get_typed_attr.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(Attr)]
lib.kdump_set_attr.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(Attr)]
lib.kdump_bmp_find_set.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint64)]
lib.kdump_bmp_find_clear.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint64)]
lib.kdump_read.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint64, ctypes.c_void_p,
                           ctypes.POINTER(ctypes.c_size_t)]
lib.kdump_free.argtypes = [ctypes.c_void_p]


class Dump:
    def __init__(self, paths):
        self.ctx = lib.kdump_new()
        never = Attr(KDUMP_NUMBER)
        never.val.number = 0          # file.mmap_policy = never: read(2), no SIGBUS
        lib.kdump_set_attr(self.ctx, b"file.mmap_policy", ctypes.byref(never))
        fds = (ctypes.c_int * len(paths))(*[os.open(p, os.O_RDONLY) for p in paths])
        if lib.kdump_open_fdset(self.ctx, len(paths), fds) != KDUMP_OK:
            raise SystemExit("libkdumpfile cannot open %s: %s"
                             % (" ".join(paths), lib.kdump_get_err(self.ctx).decode()))
        a = Attr(KDUMP_NUMBER)
        lib.kdump_get_typed_attr(self.ctx, b"arch.page_size", ctypes.byref(a))
        self.psize = a.val.number
        self.buf = ctypes.create_string_buffer(self.psize)

    def pfns(self):
        """Present pfns per libkdumpfile's file.pagemap, as (start, end) runs."""
        a = Attr(KDUMP_BITMAP)
        if lib.kdump_get_typed_attr(self.ctx, b"file.pagemap", ctypes.byref(a)) != KDUMP_OK:
            raise SystemExit("file.pagemap: %s" % lib.kdump_get_err(self.ctx).decode())
        pfn = ctypes.c_uint64(0)
        while lib.kdump_bmp_find_set(a.val.ptr, ctypes.byref(pfn)) == KDUMP_OK:
            start = pfn.value
            end = ctypes.c_uint64(start)
            if lib.kdump_bmp_find_clear(a.val.ptr, ctypes.byref(end)) != KDUMP_OK:
                break
            if end.value <= start:
                raise SystemExit("libkdumpfile pagemap is inconsistent at pfn 0x%x" % start)
            yield start, end.value
            pfn.value = end.value

    def read(self, pfn):
        n = ctypes.c_size_t(self.psize)
        if (lib.kdump_read(self.ctx, KDUMP_MACHPHYSADDR, pfn * self.psize, self.buf,
                           ctypes.byref(n)) != KDUMP_OK or n.value != self.psize):
            return None
        return self.buf.raw


def elf_phys_pfns(path, psize):
    """Union of whole pages covered by CORE's PT_LOADs (p_paddr, p_filesz)."""
    with open(path, "rb") as f:
        eh = f.read(64)
        if eh[:4] != b"\x7fELF" or eh[4] != 2:
            raise SystemExit("%s: not an ELF64 file" % path)
        end = "<" if eh[5] == 1 else ">"
        phoff, shoff = struct.unpack_from(end + "QQ", eh, 32)
        phentsize, phnum = struct.unpack_from(end + "HH", eh, 54)
        if phnum == 0xFFFF:
            f.seek(shoff)
            phnum = struct.unpack_from(end + "I", f.read(64), 44)[0]
        f.seek(phoff)
        table = f.read(phnum * phentsize)
    ranges = []
    for i in range(phnum):
        p_type, _, _, _, paddr, filesz, _, _ = struct.unpack_from(end + "IIQQQQQQ", table, i * 56)
        if p_type == 1 and filesz:
            ranges.append((paddr // psize, (paddr + filesz) // psize))
    ranges.sort()
    merged = []
    for s, e in ranges:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return merged


def main(argv):
    digest_only = argv[:1] == ["--digest"]
    if digest_only:
        argv = argv[1:]
    allowed_missing = 0
    if argv[:1] == ["--lost"]:
        allowed_missing = int(argv[1])
        argv = argv[2:]
    if (digest_only and len(argv) != 1) or (not digest_only and len(argv) < 2):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    core_runs = elf_phys_pfns(argv[0], 4096)
    core = Dump([argv[0]]) if core_runs else None
    if core and core.psize != 4096:
        core_runs = elf_phys_pfns(argv[0], core.psize)
    core_set = set()
    for s, e in core_runs:
        core_set.update(range(s, e))
    h = hashlib.sha256()
    zero = bytes(core.psize if core else 4096)
    compared = zeros = mismatched = missing = extra = unreadable = 0
    if digest_only:
        for pfn in sorted(core_set):
            data = core.read(pfn)
            if data is None:
                unreadable += 1
                continue
            compared += 1
            zeros += data == zero
            h.update(pfn.to_bytes(8, "little") + data)
    else:
        src = Dump(argv[1:])
        seen = set()
        for s, e in src.pfns():
            for pfn in range(s, e):
                want = src.read(pfn)
                if want is None:
                    continue           # libkdumpfile cannot read it from the input either
                seen.add(pfn)
                if pfn not in core_set:
                    missing += 1
                    continue
                got = core.read(pfn)
                if got is None:
                    unreadable += 1
                    continue
                compared += 1
                zeros += want == zero
                if got != want:
                    mismatched += 1
                    if mismatched <= 5:
                        print("mismatch at pfn 0x%x" % pfn, file=sys.stderr)
                h.update(pfn.to_bytes(8, "little") + got)
        extra = len(core_set - seen)
    print("compared %d zero %d mismatched %d missing %d extra %d unreadable %d digest %s"
          % (compared, zeros, mismatched, missing, extra, unreadable, h.hexdigest()))
    return 0 if compared and missing <= allowed_missing and not (mismatched or extra or unreadable) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
