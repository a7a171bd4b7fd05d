#!/usr/bin/python3
"""table.py - the table of bench/run.sh from its runs.tsv (one line per timed run:
dump, tool, round, seconds, peak RSS KiB, exit status, pages, CPU s, other share)."""
import statistics, sys, collections, platform, os
res, cores, cold, n, gib, total_s, checks, genlog, crash_note, check_fail, src, zdec, n_small = sys.argv[1:]
cores = int(cores)
runs = collections.defaultdict(list)
rss = collections.defaultdict(int)
rcs = collections.defaultdict(set)
cpus = collections.defaultdict(list)
others = {}
pages = {}
groups = []
for line in open(res):
    g, tool, rep, sec, kb, rc, pg, cpu, other = line.rstrip("\n").split("\t")
    cpus[g, tool].append(float(cpu))
    others[g, tool] = max(others.get((g, tool), -1.0), float(other))
    if g not in groups:
        groups.append(g)
    try:
        runs[g, tool].append(float(sec))
    except ValueError:
        pass
    rss[g, tool] = max(rss[g, tool], int(kb or 0))
    rcs[g, tool].add(rc)
    if tool == "D" and int(pg):
        pages[g] = int(pg)
med = {k: statistics.median(v) for k, v in runs.items() if v}
names = {
    "k2e2": "kdump2elf --threads 2", "k2e1": "kdump2elf --threads 1",
    "full": "kdump2elf +symtab .gdb .sym",
    "peer": "libkdumpfile peer", "pipe": "kdump2elf, flat from pipe",
    "flatfile": "kdump2elf, flat as file", "mdfR": "makedumpfile -R (flat)",
    "crash": "crash to prompt (flat)", "D": "D: decompress only, 1 thr",
    "W": "W: write + fsync", "R": "R: read input (cat)", "limit": "physical limit",
}
# On zlib dumps, TOOLz is TOOL with zlib pages through zlib's inflate
# (kdump2elf-zlib, decompress-only-zlib): a column beside TOOL's row.
for t in list(names):
    names[t + "z"] = names[t] + " (zlib inflate)"
print("kdump2elf benchmark (bench/run.sh), %s, %d cores, %s cache, median of %s runs (%s on the real and sparse dumps), %s, source %s"
      % (platform.node(), cores, "cold (dropped before each run)" if cold == "1" else "warm (inputs read before their rounds)", n, n_small,
         os.popen("date -u +'%F %H:%MZ'").read().strip(), src))
print("MB = 10^6 bytes of page data (dumped pages x page size, zero pages included)."
      " x limit = time / physical limit; x peer = peer time / time (higher is faster)")
print("limit = max((D + W) / %d, W); W writes the non-zero page bytes kdump2elf writes and fsyncs them, as kdump2elf does;" % cores)
print("D decodes zlib pages with %s (kdump2elf's zlib decoder, the fastest built); on zlib dumps the" % zdec)
print("'zlib inflate' columns time the same tool with zlib's inflate instead (kdump2elf-zlib), 'x' = that / time")
print("kdump2elf rows make the core only, with no symbols in it (--no-sidecar --no-gdb-script --no-symtab), as the")
print("peer does; '+symtab .gdb .sym' is the default command, which adds the core's .symtab, the gdb script and")
print("(no vmlinux here) the symbol sidecar")
if cold == "1":
    print("R (not in the issue's limit) = reading the input once with cat, cold cache")
else:
    print("Warm cache: every input was read once before its rounds; outputs are removed and synced between runs")
print()
hdr = "%-12s %-27s %9s %8s %8s %8s %8s %7s %6s %10s %5s" % ("dump", "tool", "median s", "MB/s", "x limit",
                                                "x peer", "RSS MiB", "CPU s", "other",
                                                "zlib infl", "x")
print(hdr)
print("-" * len(hdr))
targets = collections.OrderedDict()
limits = {}
maxrss = (0, "")
noisy = []
for g in groups:
    pb = pages.get(g, 0) * 4096
    D, W = med.get((g, "D")), med.get((g, "W"))
    lim = max((D + W) / cores, W) if D is not None and W is not None else None
    limits[g] = lim
    peer = med.get((g, "peer"))
    order = ["k2e2", "k2e1", "full", "pipe", "flatfile", "peer", "mdfR", "crash", "D", "W", "R"]
    rows = [t for t in order if (g, t) in med]
    zrows = [t for t in rows if (g, t + "z") in med]
    for t in rows + ["limit"]:
        s = lim if t == "limit" else med[g, t]
        if s is None:
            continue
        mbs = "%8.0f" % (pb / s / 1e6) if s > 0 and pb else "%8s" % "-"
        xl = "%8.2f" % (s / lim) if lim and t not in ("D", "W", "R", "limit") else "%8s" % ""
        xp = "%8.2f" % (peer / s) if peer and t in ("k2e2", "k2e1", "full", "pipe", "flatfile") else "%8s" % ""
        r = "%8.1f" % (rss[g, t] / 1024) if t != "limit" and rss[g, t] else "%8s" % ""
        bad = "" if rcs[g, t] <= {"0"} or t == "limit" else "  exit " + ",".join(sorted(rcs[g, t]))
        if t == "limit":
            cpu = oth = ""
        else:
            cpu = "%7.2f" % statistics.median(cpus[g, t]) if t not in ("D", "W") else "%7s" % ""
            oth = "%5.0f%%" % (100 * others[g, t]) if others[g, t] >= 0 else "%6s" % "-"
            if others[g, t] > 0.10:
                noisy.append("%s %s" % (g, names[t]))
        zc = ""
        if t in zrows:
            zs = med[g, t + "z"]
            zc = " %10.3f %5.2f" % (zs, zs / s if s > 0 else 0)
            if others[g, t + "z"] > 0.10:
                noisy.append("%s %s" % (g, names[t + "z"]))
            if not rcs[g, t + "z"] <= {"0"}:
                zc += "  exit " + ",".join(sorted(rcs[g, t + "z"]))
        elif t == "limit" and (g, "Dz") in med and W is not None:
            zs = max((med[g, "Dz"] + W) / cores, W)
            zc = " %10.3f %5.2f" % (zs, zs / s if s > 0 else 0)
        print("%-12s %-27s %9.3f %s %s %s %s %s %s%s%s" % (g, names[t], s, mbs, xl, xp, r, cpu, oth, zc, bad))
        if t in ("k2e2", "k2e1", "full", "pipe", "flatfile") and rss[g, t] > maxrss[0]:
            maxrss = (rss[g, t], "%s %s" % (g, names[t]))
    print()

def verdict(ok):
    return "MET" if ok else "MISSED"

print("CPU s = user + system time of the tool itself (median); other = the largest share, over the")
print("runs, of all cores' time spent meanwhile by anything else (other users, kernel writeback);")
print("'-': runs shorter than 1 s, too short to tell.")
if noisy:
    print("CAUTION: other work took > 10%% of the machine during: %s" % "; ".join(noisy))
print()
print("Targets (issues 7 and 16)")
print("  1. kdump2elf --threads 2 within 1.3x of the physical limit, every codec:")
for g in groups:
    if (g, "k2e2") in med and limits.get(g) and not g.startswith("sparse"):
        x = med[g, "k2e2"] / limits[g]
        w = runs.get((g, "W"), [])
        note = ""
        if w and med[g, "k2e2"] < med[g, "W"]:
            note = "  (suspect: kdump2elf wrote the same bytes faster than W did: W is not a limit here)"
        elif w and min(w) > 0 and max(w) / min(w) > 1.5:
            note = "  (suspect: W varied %.2f-%.2f s between runs)" % (min(w), max(w))
        print("       %-12s %.2fx  %s%s" % (g, x, verdict(x <= 1.3), note))
if any((g, "k2e2z") in med for g in groups):
    print("     the same with zlib's inflate (kdump2elf-zlib), against the limit of its own D:")
    for g in groups:
        if (g, "k2e2z") in med and (g, "Dz") in med and (g, "W") in med:
            lz = max((med[g, "Dz"] + med[g, "W"]) / cores, med[g, "W"])
            print("       %-12s %.2fx  (%.2fx the %s limit)" % (g, med[g, "k2e2z"] / lz,
                                                            med[g, "k2e2z"] / limits[g], zdec))
    print("     D, zlib pages: %s vs zlib's inflate, one thread:" % zdec)
    for g in groups:
        if (g, "Dz") in med and (g, "D") in med:
            print("       %-12s %.3f s vs %.3f s: %.2fx faster" % (g, med[g, "D"], med[g, "Dz"],
                                                             med[g, "Dz"] / med[g, "D"]))
print("  2. peak RSS <= 64 MiB (every kdump2elf run): max %.1f MiB (%s)  %s"
      % (maxrss[0] / 1024, maxrss[1], verdict(maxrss[0] <= 64 * 1024)))
print("  3. flattened from a pipe >= 0.9x the speed of the same dump seekable (kdump file, --threads 2):")
for g in groups:
    if (g, "pipe") in med and (g, "k2e2") in med:
        x = med[g, "k2e2"] / med[g, "pipe"]
        print("       %-12s %.2fx  %s" % (g, x, verdict(x >= 0.9)))
if ("sparse-1tib", "k2e2") in med:
    s = med["sparse-1tib", "k2e2"]
    print("  4. sparse 1 TiB-RAM dump (%d pages) well under a second (< 0.5 s): %.3f s  %s"
          % (pages.get("sparse-1tib", 0), s, verdict(s < 0.5)))
print("  kdump2elf vs the libkdumpfile peer (issue: 3 to 7x on a 3 GiB real dump):")
for g in groups:
    if (g, "k2e2") in med and (g, "peer") in med:
        print("       %-12s %.2fx faster" % (g, med[g, "peer"] / med[g, "k2e2"]))
print()
print("Output checks (untimed; --threads 1 = --threads 2 = kdump2elf-zlib byte for byte, peer pages = kdump2elf pages):")
print(open(checks).read().rstrip() or "  (none)")
print("  => %s" % ("all ok" if check_fail == "0" else "SOME FAILED"))
print()
print("Dump generation (once, cached; k2e-mkdump then bench/flatten):")
lines = [l.rstrip() for l in open(genlog)]
print("\n".join("  " + l for l in lines[-12:]) if lines else "  (all cached before this log existed)")
if crash_note:
    print("Note: " + crash_note)
print("This run: %d s (dump generation included when it happened)" % int(total_s))
