#!/usr/bin/python3
"""Independent page digest of a dump, read through libkdumpfile.

Usage: /usr/bin/python3 check_libkdumpfile.py [--per-page]
           [--exclude-lost EXPECT] DUMP

Prints one line:  pages N zero N unreadable N digest HEX
where the digest is sha256 over every readable dumped page in pfn order, each
page as its 8-byte little-endian pfn followed by its bytes (the definition in
shared/fixtures/README.md and in k2e-mkdump's .expect files).  Dumped pages
come from libkdumpfile's file.pagemap; pages it lists but cannot read are
counted as unreadable and left out of the digest.  With --per-page, a line
"pfn 0x... sha256 HEX" (or "pfn 0x... unreadable REASON") precedes the
summary for each page.  --exclude-lost leaves out the pfns listed on the
lost_ranges line of a k2e-mkdump .expect file: reading the intact version of
a truncated dump that way must give the truncated dump's expected digest
(libkdumpfile 0.5.1 mmaps dump files and dies of SIGBUS past EOF, so it
cannot read truncated files itself).

python3-libkdumpfile is installed for /usr/bin/python3 only.
"""
import hashlib
import re
import struct
import sys

import kdumpfile

NONZERO = re.compile(b'[^\\x00]')


def pages_of(k):
    """Yield the pfns that the dump's file pagemap marks as dumped.

    Reads the bitmap in chunks with get_bits (LSB first in each byte):
    libkdumpfile 0.5.1's find_clear stalls on ELF files whose segments
    overlap (a kernel-image alias), so find_set/find_clear are not used.
    """
    pm = k.attr['file.pagemap']
    max_pfn = k.attr['max_pfn']
    chunk = 1 << 20
    for first in range(0, max_pfn, chunk):
        last = min(first + chunk, max_pfn) - 1
        bits = bytes(pm.get_bits(first, last))
        for m in NONZERO.finditer(bits):
            byte = bits[m.start()]
            base = first + 8 * m.start()
            for i in range(8):
                if byte >> i & 1 and base + i <= last:
                    yield base + i


def lost_ranges(path):
    """Inclusive (lo, hi) pfn ranges from an .expect file's lost_ranges."""
    out = []
    with open(path) as f:
        for line in f:
            if line.startswith('lost_ranges'):
                for r in line.split(None, 1)[1].split(','):
                    r = r.strip()
                    if r and r != '-':
                        lo, hi = r.split('-')
                        out.append((int(lo, 0), int(hi, 0)))
    return out


def main(argv):
    per_page = '--per-page' in argv
    args = [a for a in argv if a != '--per-page']
    lost = []
    if '--exclude-lost' in args:
        i = args.index('--exclude-lost')
        lost = lost_ranges(args[i + 1])
        del args[i:i + 2]
    if len(args) != 1:
        sys.stderr.write(__doc__)
        return 2
    k = kdumpfile.kdumpfile(args[0])
    ps = k.attr['arch.page_size']
    zero_page = bytes(ps)
    total = hashlib.sha256()
    pages = zero = bad = 0
    out = []
    for pfn in pages_of(k):
        if any(lo <= pfn <= hi for lo, hi in lost):
            continue
        try:
            data = bytes(k.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * ps, ps))
        except Exception as exc:  # NoDataException, CorruptException, ...
            bad += 1
            if per_page:
                out.append('pfn %#x unreadable %s' %
                           (pfn, str(exc).replace('\n', ' ')))
            continue
        if len(data) != ps:
            bad += 1
            if per_page:
                out.append('pfn %#x unreadable short read' % pfn)
            continue
        total.update(struct.pack('<Q', pfn))
        total.update(data)
        pages += 1
        if data == zero_page:
            zero += 1
        if per_page:
            out.append('pfn %#x sha256 %s' %
                       (pfn, hashlib.sha256(data).hexdigest()))
    if out:
        sys.stdout.write('\n'.join(out) + '\n')
    print('pages %d zero %d unreadable %d digest %s' %
          (pages, zero, bad, total.hexdigest()))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
