#!/bin/bash
# bench/mount.sh - kdump2elf --mount against converting first and against
# crash: the time from a dump to gdb's backtrace of the crashing thread, and
# the memory it takes, on the biggest realistic dump this machine makes and on
# a 1 TiB sparse synthetic one.  Same conventions as bench/run.sh: the dumps
# are made once and cached, every measurement is repeated N times, the tools
# alternate (A B C A B C ...), each run waits for a quiet machine, inputs are
# warm, the table shows medians.
#
#   make bench                     (bench/run.sh, then this)
#   bench/mount.sh
#
# Knobs (environment):
#   K2E_BENCH_N          repetitions of every measurement (median) [3]
#   K2E_BENCH_CACHE      the cache root [/var/cache/kdump2elf/bench]; the dumps
#                        of this script go to its mount/ directory
#   K2E_MBENCH_GIB       GiB of filler memory added to the real dump [8]
#   K2E_MBENCH_FIXTURE   the generated real fixtures of one kernel (make-fixtures)
#                        [/var/cache/kdump2elf/fixtures/6.1.0-57-cloud-amd64]
#   K2E_BENCH_QUIET_MAX  before each timed run, wait at most this many seconds
#                        for the machine to be quiet (< 10% busy) [5]
#   K2E_MBENCH_TMP       where the scratch directory (converted cores, mount
#                        points) is made [/var/tmp]; it needs room for the big
#                        dump's core (~7 GB on disk for 8 GiB)
#
# The dumps:
#  big   a real kernel crash made bigger.  tests/fixtures/make-fixtures' 6.1
#        dump of a QEMU guest that oopsed in k2e_oops (512 MiB guest, kdump
#        capture: vmcore.elf-d31, makedumpfile -E -d 31 in the capture
#        kernel) plus GIB GiB of filler RAM above 4 GiB (bench/grow-elf.c: the
#        bench's mix of 50% text-like, 30% random and 20% zero pages, the
#        kernel's mem_section table told about it so that makedumpfile keeps
#        it), compressed by the host's makedumpfile (-c -d 1: zlib, zero pages
#        excluded).  Checked once when made: kdump2elf converts it, gdb's bt
#        (vmlinux, k2e_oops.ko through OUT.gdb) goes through
#        k2e_do_bad_write, crash opens it.  A QEMU dump-guest-memory image
#        (vmcore.qemu-elf, the whole guest) is not used: its crashing CPU's
#        registers are the ones at the time of the dump (inside pvpanic), so
#        gdb's bt does not reach the oops.
#  sparse  tests/gen/specs/sparse-1tib.spec: a 1 TiB-RAM machine with 6,656
#        dumped pages (zstd), bench/run.sh's dump (reused from its cache when
#        it is there, else generated the same way).  No kernel: gdb's bt shows
#        the synthetic registers, crash cannot open it.
#
# What is timed, per dump, N rounds of:
#  mount    kdump2elf --mount DIR [--vmlinux V --modules D] DUMP (returns once
#           mounted), then gdb -nx -batch -x DIR/vmcore.elf.gdb -ex bt until
#           it exits; the whole (the time until --mount returns is recorded
#           too), then fusermount3 -u DIR (not timed)
#  fg       the same with --foreground in the background (untimed wait for the
#           mount), for the peak RSS of the mount process: VmHWM in
#           /proc/PID/status after gdb's bt, then kill -TERM PID
#  convert  kdump2elf -o CORE [--vmlinux V --modules D] DUMP, then gdb -nx
#           -batch -x CORE.gdb -ex bt; the whole (the conversion alone and its
#           peak RSS, /usr/bin/time -f %M, are recorded too); buffered writes,
#           no fsync, as in bench/run.sh
#  crash    crash -s VMLINUX DUMP with "quit" on its input: the whole run is
#           the time to its prompt (big only)
# Every gdb output is checked (big: a frame in k2e_do_bad_write; sparse: a
# frame #0); a failed check fails the run and the table says so.
# The table (markdown) is printed and saved in bench/results-mount.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH=$ROOT/bench
B=$BENCH/build
CACHE_ROOT=${K2E_BENCH_CACHE:-/var/cache/kdump2elf/bench}
CACHE=$CACHE_ROOT/mount
N=${K2E_BENCH_N:-3}
GIB=${K2E_MBENCH_GIB:-8}
FIXK=${K2E_MBENCH_FIXTURE:-/var/cache/kdump2elf/fixtures/6.1.0-57-cloud-amd64}
CORES=$(nproc)
. "$BENCH/lib.sh"
TIMEV=/usr/bin/time
T0=$(date +%s)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

say() { echo "mount-bench: $*" >&2; }
die() { say "$*"; exit 1; }

# ---- 1. tools and build -------------------------------------------------------------
command -v fusermount3 >/dev/null && [ -c /dev/fuse ] || die "needs fusermount3 and /dev/fuse (apt-get install fuse3)"
for t in gdb crash makedumpfile "$TIMEV"; do
	command -v "$t" >/dev/null || die "needs $t"
done
# As bench/run.sh: from scratch, -O2.
make -B -s -j"$CORES" O="$B" OPT="-O2 -g" WARN="-Wall -Wextra" "$B/kdump2elf" "$B/k2e-mkdump" >&2
# grow-elf takes its page contents from tests/gen: k2e-mkdump's objects but its
# main, and the libraries the Makefile links k2e-mkdump with.
GEN_LIBS=$(make -s -pn O="$B" "$B/k2e-mkdump" 2>/dev/null | sed -n 's/^GEN_LIBS := //p' | head -n 1)
GEN_OBJS=()
for c in tests/gen/*.c; do	# the Makefile's GEN_SRC (not whatever objects lie in $B)
	[ "$c" = tests/gen/mkdump.c ] || GEN_OBJS+=("$B/${c%.c}.o")
done
# shellcheck disable=SC2086  # GEN_LIBS is several words
cc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Itests/gen -o "$B/grow-elf" "$BENCH/grow-elf.c" \
	"${GEN_OBJS[@]}" $GEN_LIBS -lm
K2E=$B/kdump2elf

SCR=$(mktemp -d "${K2E_MBENCH_TMP:-/var/tmp}/mbench.XXXXXX")
MNT=$SCR/mnt
mkdir -p "$MNT"
FG_PID=
cleanup() {
	if awk -v m="$MNT" '$2 == m { f = 1 } END { exit !f }' /proc/mounts; then
		fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT" 2>/dev/null || true
	fi
	[ -n "$FG_PID" ] && kill -TERM "$FG_PID" 2>/dev/null || true
	rm -rf "$SCR"
}
trap cleanup EXIT
if "$K2E" --mount "$MNT" /dev/null 2>&1 | grep -q 'mount support not built'; then
	die "$K2E was built without libfuse3 (apt-get install libfuse3-dev)"
fi

# ---- 2. the dumps, made once ---------------------------------------------------------
mkdir -p "$CACHE"
GENLOG=$CACHE/generation.txt
touch "$GENLOG"
VMLINUX=$(ls "$FIXK"/vmlinux-* 2>/dev/null | head -n 1 || true)
BASE=$FIXK/smp2/kdump/vmcore.elf-d31
[ -f "$BASE" ] && [ -n "$VMLINUX" ] && [ -f "$FIXK/k2e_oops.ko" ] ||
	die "no real fixture in $FIXK (smp2/kdump/vmcore.elf-d31, vmlinux-*, k2e_oops.ko): run tests/fixtures/make-fixtures --kernel 6.1"
MDF_VER=$(makedumpfile -v 2>&1 | head -n 1)
GROW_VERSION=1		# bump when grow-elf's output changes
BIG=$CACHE/big-${GIB}g.kdump
STAMP=$BIG.stamp
want_stamp=$(printf '%s\n' \
	"base $BASE ($(stat -c %s "$BASE") bytes)" \
	"filler ${GIB} GiB above 4 GiB, mix text=50 random=30 zero=20 seed 7 (bench/grow-elf.c v$GROW_VERSION)" \
	"compressed by makedumpfile -c -d 1 ($MDF_VER)")
MADE="dumps already cached"
if [ ! -f "$BIG" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want_stamp" ]; then
	MADE="making the big dump included"
	rm -f "$BIG" "$STAMP"
	avail=$(df -B1 --output=avail "$SCR" | tail -n 1)
	[ "$avail" -gt $(( (GIB + 1) * 1024 * 1024 * 1024 )) ] || die "not enough room in $SCR for the ${GIB} GiB ELF"
	say "making the big dump: $BASE + ${GIB} GiB of filler (ELF in $SCR), then makedumpfile -c -d 1 ..."
	t=$(date +%s)
	"$B/grow-elf" "$BASE" "$SCR/big.elf" "$GIB" >"$SCR/grow.out"
	t1=$(date +%s)
	makedumpfile -c -d 1 "$SCR/big.elf" "$CACHE/big.kdump.tmp" >"$SCR/mdf.log" 2>&1 ||
		{ tail -n 5 "$SCR/mdf.log" >&2; die "makedumpfile failed"; }
	t2=$(date +%s)
	rm -f "$SCR/big.elf"
	# Checked once: converts; gdb's bt reaches the oops; crash opens it.
	"$K2E" -q --vmlinux "$VMLINUX" --modules "$FIXK" -o "$SCR/check.elf" "$CACHE/big.kdump.tmp" ||
		die "kdump2elf does not convert the big dump"
	gdb -nx -batch -x "$SCR/check.elf.gdb" -ex bt </dev/null >"$SCR/check.gdb" 2>&1 || true
	grep -qE '^#[0-9]+ .*k2e_do_bad_write' "$SCR/check.gdb" ||
		{ cat "$SCR/check.gdb" >&2; die "gdb's bt on the converted big dump does not reach k2e_do_bad_write"; }
	rm -f "$SCR"/check.elf*
	printf 'bt\nquit\n' | crash -s "$VMLINUX" "$CACHE/big.kdump.tmp" >"$SCR/check.crash" 2>&1 || true
	grep -q 'exception RIP: k2e_do_bad_write' "$SCR/check.crash" ||
		{ cat "$SCR/check.crash" >&2; die "crash's bt on the big dump does not show the oops"; }
	mv "$CACHE/big.kdump.tmp" "$BIG"
	{ printf '%s\n' "$want_stamp"; } >"$STAMP"
	printf '%s %s: grow-elf %s s (%s), makedumpfile %s s, %s bytes; checked: kdump2elf converts, gdb bt and crash bt reach k2e_do_bad_write\n' \
		"$(date +%F)" "$BIG" $((t1 - t)) "$(tail -n 1 "$SCR/grow.out")" $((t2 - t1)) "$(stat -c %s "$BIG")" >>"$GENLOG"
fi

# The 1 TiB sparse dump: bench/run.sh's when its cache has it, else made here the same way.
SPEC_TEXT=$(grep -v '^#' tests/gen/specs/sparse-1tib.spec)
SPARSE=$CACHE_ROOT/sparse/sparse-1tib
if [ ! -f "$SPARSE" ] || [ "$(cat "$SPARSE.spec" 2>/dev/null)" != "$SPEC_TEXT" ]; then
	SPARSE=$CACHE/sparse-1tib
	if [ ! -f "$SPARSE" ] || [ "$(cat "$SPARSE.spec" 2>/dev/null)" != "$SPEC_TEXT" ]; then
		printf '%s\n' "$SPEC_TEXT" >"$SCR/sparse.spec"
		"$B/k2e-mkdump" "$SCR/sparse.spec" "$SCR/sparse-1tib" >/dev/null
		mv "$SCR/sparse-1tib" "$SPARSE"
		cp "$SCR/sparse.spec" "$SPARSE.spec"
	fi
fi

# ---- 3. timing ---------------------------------------------------------------------------
RES=$SCR/runs.tsv
: >"$RES"
LOG=$SCR/run.log
mounted() { awk -v m="$MNT" '$2 == m { f = 1 } END { exit !f }' /proc/mounts; }
# The kdump2elf process serving $MNT (the daemon of a run): its pid, read from /proc.
server_pid() {
	local p
	for p in /proc/[0-9]*; do
		case $({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) in
		*"--mount $MNT "*) echo "${p#/proc/}"; return 0 ;;
		esac
	done
	return 1
}
unmount_wait() {	# unmount $MNT and wait (at most 30 s) for its server to exit
	local pid i
	pid=$(server_pid || true)
	mounted && fusermount3 -u "$MNT"
	for ((i = 0; i < 300; i++)); do
		{ [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; } && return 0
		sleep 0.1
	done
	say "the server of $MNT (pid $pid) did not exit after the unmount"
}

bt_ok() {	# GDB_OUTPUT: the backtrace the dump should give
	if [ "$KIND" = big ]; then
		grep -qE '^#[0-9]+ .*k2e_do_bad_write' "$1"
	else
		grep -qE '^#0 ' "$1"
	fi
}
now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

tool_mount() {
	local t0 tm t1 ok=0
	t0=$(now)
	"$K2E" -q --mount "$MNT" "${KOPT[@]}" "$DUMP" 2>"$SCR/mount.err" && tm=$(now) &&
		gdb -nx -batch -x "$MNT/vmcore.elf.gdb" -ex bt </dev/null >"$SCR/gdb.out" 2>&1 || true
	t1=$(now)
	bt_ok "$SCR/gdb.out" && ok=1
	SEC=$(secs "$t0" "$t1")
	EXTRA=$(secs "$t0" "${tm:-$t1}")
	unmount_wait
	[ "$ok" = 1 ] || { cat "$SCR/mount.err" "$SCR/gdb.out" >>"$LOG"; return 1; }
}
tool_fg() {
	local t0 t1 i ok=0
	t0=$(now)
	"$K2E" -q --mount "$MNT" --foreground "${KOPT[@]}" "$DUMP" 2>"$SCR/mount.err" &
	FG_PID=$!
	for ((i = 0; i < 600; i++)); do
		mounted && break
		kill -0 "$FG_PID" 2>/dev/null || break
		sleep 0.05
	done
	gdb -nx -batch -x "$MNT/vmcore.elf.gdb" -ex bt </dev/null >"$SCR/gdb.out" 2>&1 || true
	t1=$(now)
	RSS=$(awk '/^VmHWM:/ { print $2 }' "/proc/$FG_PID/status" 2>/dev/null || echo 0)
	bt_ok "$SCR/gdb.out" && ok=1
	SEC=$(secs "$t0" "$t1")
	kill -TERM "$FG_PID" 2>/dev/null || true
	wait "$FG_PID" 2>/dev/null || true
	FG_PID=
	mounted && unmount_wait
	[ "$ok" = 1 ] || { cat "$SCR/mount.err" "$SCR/gdb.out" >>"$LOG"; return 1; }
}
tool_convert() {
	local t0 t1 t2 ok=0
	t0=$(now)
	$TIMEV -f %M -o "$SCR/conv.rss" "$K2E" -q "${KOPT[@]}" -o "$SCR/core.elf" "$DUMP" 2>"$SCR/conv.err" || true
	t1=$(now)
	gdb -nx -batch -x "$SCR/core.elf.gdb" -ex bt </dev/null >"$SCR/gdb.out" 2>&1 || true
	t2=$(now)
	bt_ok "$SCR/gdb.out" && ok=1
	SEC=$(secs "$t0" "$t2")
	EXTRA=$(secs "$t0" "$t1")
	RSS=$(tail -n 1 "$SCR/conv.rss" 2>/dev/null || echo 0)
	[ "$ok" = 1 ] || { cat "$SCR/conv.err" "$SCR/gdb.out" >>"$LOG"; return 1; }
}
tool_crash() {
	local t0 t1 rc=0
	t0=$(now)
	echo quit | $TIMEV -f %M -o "$SCR/crash.rss" crash -s "$VMLINUX" "$DUMP" >"$SCR/crash.out" 2>&1 || rc=$?
	t1=$(now)
	SEC=$(secs "$t0" "$t1")
	RSS=$(tail -n 1 "$SCR/crash.rss" 2>/dev/null || echo 0)
	[ "$rc" = 0 ] || { cat "$SCR/crash.out" >>"$LOG"; return 1; }
}

run_tool() {	# DUMPNAME TOOL ROUND
	local ok=0 load
	rm -f "$SCR"/core.elf*
	sync
	disk_quiet
	wait_quiet
	load=$(cut -d' ' -f1 /proc/loadavg)
	SEC=nan RSS=0 EXTRA=
	"tool_$2" && ok=1
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$SEC" "${RSS:-0}" "$ok" "${EXTRA:-}" "$load" >>"$RES"
	[ "$ok" = 1 ] || say "$1 $2 round $3: FAILED (see the log lines above in $LOG)"
	rm -f "$SCR"/core.elf*
}

bench_dump() {	# NAME TOOLS...
	local name=$1 rep tool
	shift
	cat "$DUMP" >/dev/null	# warm
	say "timing $name ($N rounds: $*)"
	for ((rep = 1; rep <= N; rep++)); do
		for tool in "$@"; do
			run_tool "$name" "$tool" "$rep"
		done
	done
}

KIND=big DUMP=$BIG KOPT=(--vmlinux "$VMLINUX" --modules "$FIXK")
bench_dump big mount fg convert crash
KIND=sparse DUMP=$SPARSE KOPT=()
bench_dump sparse mount fg convert

# ---- 4. the table ------------------------------------------------------------------------
total_s=$(( $(date +%s) - T0 ))
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
SRC=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo "not a git checkout")
big_desc="$(basename "$BIG"): $(awk -v b="$(stat -c %s "$BIG")" 'BEGIN { printf "%.2f GB", b / 1e9 }') kdump-compressed zlib, real 6.1 crash (512 MiB guest, kdump capture -d 31) + ${GIB} GiB filler RAM"
/usr/bin/python3 - "$RES" "$N" "$CORES" "$total_s" "$LOAD0" "$LOAD1" "$SRC" "$big_desc" "$SPARSE" "$GENLOG" "$MADE" <<'PY' | tee "$BENCH/results-mount.txt"
import collections, os, platform, statistics, sys
res, n, cores, total_s, load0, load1, src, big_desc, sparse, genlog, made = sys.argv[1:]
runs = collections.defaultdict(list); rss = collections.defaultdict(list)
conv = collections.defaultdict(list); fails = collections.Counter(); loads = []
for line in open(res):
    d, tool, rep, sec, kb, ok, extra, load = line.rstrip("\n").split("\t")
    loads.append(float(load))
    if ok != "1":
        fails[d, tool] += 1
        continue
    runs[d, tool].append(float(sec))
    if int(kb or 0):
        rss[d, tool].append(int(kb))
    if extra:
        conv[d, tool].append(float(extra))
med = lambda v: statistics.median(v) if v else None
def s(v): return "%.2f s" % v if v is not None else "n/a"
def mib(v): return "%.1f MiB" % (v / 1024) if v else "n/a"
def ratio(a, b): return "%.1fx" % (a / b) if a and b else "n/a"
print("kdump2elf --mount benchmark (bench/mount.sh), %s, %s cores, %s, source %s" % (
    platform.node(), cores, os.popen("date -u +'%F %H:%MZ'").read().strip(), src))
print("Median of %s runs each, tools alternating, warm input cache; the machine was shared: load average"
      " %s at the start, %s at the end, 1-min load at the timed runs' starts %.1f-%.1f (median %.1f)."
      % (n, load0, load1, min(loads), max(loads), statistics.median(loads)))
print()
print("| dump | mount -> gdb bt (mount alone) | convert first -> gdb bt (conversion alone) | convert / mount | crash to prompt | crash / mount | mount peak RSS | converter peak RSS |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for d, label in (("big", "real 6.1 crash + filler (%s)" % big_desc.split(":")[0]), ("sparse", "1 TiB RAM, 6,656 pages (sparse-1tib)")):
    m, c, cr = med(runs[d, "mount"]), med(runs[d, "convert"]), med(runs[d, "crash"])
    crash_cell = s(cr) if cr is not None else ("cannot open it (no kernel in a synthetic dump)" if d == "sparse" else "n/a")
    print("| %s | %s (%s) | %s (%s) | %s | %s | %s | %s | %s |" % (
        label, s(m), s(med(conv[d, "mount"])), s(c), s(med(conv[d, "convert"])), ratio(c, m), crash_cell, ratio(cr, m) if cr else "n/a",
        mib(med(rss[d, "fg"])), mib(med(rss[d, "convert"]))))
print()
print("Dumps: %s; %s: tests/gen/specs/sparse-1tib.spec (zstd, no kernel: gdb bt shows its synthetic registers)." % (big_desc, sparse))
print("mount = kdump2elf --mount DIR (returns once mounted) + gdb -nx -batch -x DIR/vmcore.elf.gdb -ex bt, whole;"
      " convert first = kdump2elf -o CORE + the same gdb on CORE.gdb (writes the whole core, buffered, no fsync);"
      " crash = crash -s VMLINUX DUMP <<< quit; big dump: --vmlinux and --modules (k2e_oops.ko) given, gdb's bt checked to reach k2e_do_bad_write.")
print("Peak RSS: the --foreground mount process's VmHWM after gdb's bt (mount time with --foreground: %s);"
      " the converter's and crash's by /usr/bin/time -f %%M (crash: %s)." % (
      ", ".join("%s %s" % (d, s(med(runs[d, "fg"]))) for d in ("big", "sparse")),
      mib(med(rss["big", "crash"]))))
for d in ("big", "sparse"):
    print("Every run, s (%s): " % d + "; ".join("%s %s" % (t, " ".join("%.2f" % x for x in runs[d, t]))
          for t in ("mount", "fg", "convert", "crash") if runs[d, t]) + "; mount alone " +
          " ".join("%.2f" % x for x in conv[d, "mount"]) + "; conversion alone " +
          " ".join("%.2f" % x for x in conv[d, "convert"]))
if fails:
    print("FAILED runs (left out of the medians): " + ", ".join("%s %s x%d" % (d, t, k) for (d, t), k in sorted(fails.items())))
print("The mount ran with its default page cache (--cache 64)."
      " Bench took %s s (%s; the dumps' making: %s)." % (total_s, made, genlog))
PY
