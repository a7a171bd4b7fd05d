#!/usr/bin/python3
"""cfi-compare.py REF.txt OURS.txt OFFSET - compare two `readelf
--debug-dump=frames-interp` listings: the compiler's CFI of a vmlinux (REF,
link-time addresses, OFFSET in hex added: KASLR) and kdump2elf's
(output/frames-arm64.c, runtime addresses).  At the start of every row of
REF inside one of our FDEs: is the CFA the same?  A CFA of x29+K in ours is
the same as REF's sp-based one when REF has x29 saved at CFA-K (x29 points
at the frame record).  Prints "rows N covered N cfa_equal N" and the most
frequent differences."""
import bisect
import re
import sys

FDE = re.compile(r'FDE cie=\S+ pc=([0-9a-f]+)\.\.([0-9a-f]+)')
ROW = re.compile(r'[0-9a-f]{16}')


def parse(path, off):
    fdes, cols, cur = [], None, None
    with open(path) as f:
        for line in f:
            m = FDE.search(line)
            if m:
                cur = (int(m.group(1), 16) + off, int(m.group(2), 16) + off, [])
                fdes.append(cur)
                cols = None
                continue
            s = line.split()
            if cur is None or not s:
                continue
            if s[0] == 'LOC':
                cols = s[1:]
            elif cols and ROW.fullmatch(s[0]):
                cur[2].append((int(s[0], 16) + off, dict(zip(cols, s[1:]))))
    fdes.sort(key=lambda x: x[0])
    return fdes


def main():
    ref = parse(sys.argv[1], int(sys.argv[3], 16))
    ours = parse(sys.argv[2], 0)
    lows = [f[0] for f in ours]
    rows = covered = equal = 0
    diff = {}
    for _, _, rrows in ref:
        for addr, r in rrows:
            rows += 1
            i = bisect.bisect_right(lows, addr) - 1
            if i < 0 or addr >= ours[i][1]:
                continue
            mine = None
            for a, d in ours[i][2]:
                if a > addr:
                    break
                mine = d
            if mine is None:
                continue
            covered += 1
            mc, rc = mine.get('CFA', ''), r.get('CFA', '')
            if mc == rc or (mc.startswith('x29+') and r.get('x29') == 'c-' + mc[4:]):
                equal += 1
            else:
                diff[(rc, mc)] = diff.get((rc, mc), 0) + 1
    print('rows %d covered %d cfa_equal %d' % (rows, covered, equal))
    for (rc, mc), n in sorted(diff.items(), key=lambda x: -x[1])[:5]:
        print('  %d rows: compiler %s, ours %s' % (n, rc, mc))


main()
