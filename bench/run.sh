#!/bin/bash
# bench/run.sh - issue 7's benchmark: kdump2elf against its peers on the same
# dumps, in the same run, alternating, with the physical limit of this machine.
#
#   make bench                     (or bench/run.sh)
#
# Knobs (environment):
#   K2E_BENCH_CACHE  where the benchmark dumps are made once and kept
#                    [/var/cache/kdump2elf/bench]
#   K2E_BENCH_GIB    GiB of pages in each large synthetic dump [4]
#   K2E_BENCH_N      repetitions of every measurement (median) [3]
#   K2E_BENCH_N_SMALL  repetitions on the small dumps (the real fixtures, the
#                    sparse one), whose runs last 0.05-0.4 s and vary more [7]
#   K2E_BENCH_CODECS large synthetic dumps to run [zlib lzo snappy zstd]
#   K2E_BENCH_COLD   1: drop the page cache before every timed run (when
#                    /proc/sys/vm/drop_caches is writable) and time R, a cold
#                    read of the input; 0: warm, the inputs are read once
#                    before their rounds [0].  Warm by default: in this VM
#                    (virtio_balloon free page reporting) memory freed by a
#                    drop goes back to the host, and a cold run then pays up
#                    to ~3 s per GB re-faulting guest memory for its reads,
#                    which times the VM rather than the tools.
#   K2E_BENCH_QUIET_MAX  before each timed run, wait at most this many seconds
#                    for the machine to be quiet (< 10% busy) [5]
#   K2E_BENCH_FIXTURES  the real dumps [../shared/fixtures/kdump-6.1-k2e]
#   K2E_BENCH_VERIFY_LARGE  1: also check the large dumps' outputs page by
#                    page (slow: libkdumpfile from Python) [0]
#
# What it does:
#  1. builds kdump2elf, kdump2elf-zlib (zlib pages through zlib's inflate
#     instead of libdeflate) and k2e-mkdump (make O=bench/build, -O2) and the
#     benchmark's own programs (-O2): kdf-convert (the libkdumpfile peer),
#     decompress-only (D) and decompress-only-zlib, write-only (W), flatten
#     (makedumpfile -F's record order from a finished kdump file);
#  2. makes the dumps once into the cache: the real fixtures of
#     ../shared/fixtures/kdump-6.1-k2e when this clone sits beside shared/
#     (the ELF one unpacked, the lzo one flattened), one large synthetic dump
#     per codec (K2E_BENCH_GIB GiB of pages: 50% text-like, 30% random, 20%
#     zero) and its flattened stream, a sparse 1 TiB-RAM dump, and small
#     64 MiB twins of the synthetic dumps for the page checks;
#  3. checks (untimed) that kdump2elf --threads 1 and 2 write the same bytes
#     and that the peer's core has the same pages (tests/tools/kdf-compare.py
#     --digest on both), on the real and the small dumps;
#  4. times every tool on every dump, one after the other, N rounds
#     (A B C ... A B C ...), and prints the table of medians, which is also
#     saved in bench/results-latest.txt.
#
# Tools timed, per dump: kdump2elf --threads 2 and --threads 1 (seekable
# kdump file), the libkdumpfile peer, kdump2elf reading the flattened stream
# from a pipe (cat FLAT | kdump2elf -) and as a seekable flattened file,
# makedumpfile -R on the flattened stream, crash's time to its prompt on the
# flattened file (real dumps with their vmlinux only), D and W.  On dumps of
# zlib pages the kdump2elf rows and D are timed twice: with the decoder
# kdump2elf uses (libdeflate where built) and with zlib's inflate (the
# kdump2elf-zlib build), shown side by side.
# Physical limit = max((D + W) / cores, W), D = decompress only, one thread,
# the same codec libraries; W = buffered writes of the bytes kdump2elf writes
# (its non-zero pages) and their fsync(), as kdump2elf's commit does (lib/outfile.c).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH=$ROOT/bench
B=$BENCH/build
CACHE=${K2E_BENCH_CACHE:-/var/cache/kdump2elf/bench}
GIB=${K2E_BENCH_GIB:-4}
N=${K2E_BENCH_N:-3}
N_SMALL=${K2E_BENCH_N_SMALL:-7}
CODECS=${K2E_BENCH_CODECS:-zlib lzo snappy zstd}
WANT_COLD=${K2E_BENCH_COLD:-0}
VERIFY_LARGE=${K2E_BENCH_VERIFY_LARGE:-0}
CORES=$(nproc)
. "$BENCH/lib.sh"
FIX=${K2E_BENCH_FIXTURES:-$ROOT/../shared/fixtures/kdump-6.1-k2e}
TIMEV=/usr/bin/time
T0=$(date +%s)

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }

# ---- 1. tools and build -------------------------------------------------------------
need_pkgs=()
for p in libkdumpfile-dev makedumpfile crash time python3-libkdumpfile xz-utils; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_pkgs+=("$p")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
	tests/install-deps.sh build
	say "installing ${need_pkgs[*]}"
	if [ "$(id -u)" = 0 ]; then
		apt-get install -y -q "${need_pkgs[@]}" >/dev/null 2>&1 ||
			{ apt-get update -q >/dev/null && apt-get install -y -q "${need_pkgs[@]}" >/dev/null; }
	else
		sudo apt-get install -y -q "${need_pkgs[@]}" >/dev/null
	fi
fi
# Always from scratch (-B): an incremental build in bench/build was seen to go
# stale while the tree changed under it.  Warnings stay warnings here (make
# check is where they are errors).
make -B -s -j"$CORES" O="$B" OPT="-O2 -g" WARN="-Wall -Wextra" "$B/kdump2elf" "$B/kdump2elf-zlib" \
	"$B/k2e-mkdump" >&2
CODEC_LIBS=$(pkg-config --libs zlib lzo2 snappy libzstd $(for p in libdeflate libisal; do
	pkg-config --exists $p && echo $p; done))
BCC="cc -std=gnu11 -O2 -g -Wall -Wextra -Werror"
$BCC -o "$B/kdf-convert" "$BENCH/kdf-convert.c" $(pkg-config --cflags --libs libkdumpfile)
$BCC -I. -o "$B/decompress-only" "$BENCH/decompress-only.c" "$B/libk2e.a" $CODEC_LIBS -pthread
# the same with zlib's inflate for zlib pages: the Makefile's zlib-only codec table first
$BCC -I. -o "$B/decompress-only-zlib" "$BENCH/decompress-only.c" "$B/codecs/zlib-only/codec.o" \
	"$B/libk2e.a" $CODEC_LIBS -pthread
$BCC -o "$B/write-only" "$BENCH/write-only.c"
$BCC -o "$B/flatten" "$BENCH/flatten.c"
K2E=$B/kdump2elf
K2EZ=$B/kdump2elf-zlib
ZDEC=$("$K2E" --version | sed -n 's/.*zlib (\([^)]*\)).*/\1/p')
ZDEC=${ZDEC:-zlib}
MKDUMP=$B/k2e-mkdump
PEER=$B/kdf-convert
CMP="/usr/bin/python3 $ROOT/tests/tools/kdf-compare.py"

# ---- 2. the dumps, made once ------------------------------------------------------------
mkdir -p "$CACHE"
OUTD=$CACHE/out
rm -rf "$OUTD"
mkdir -p "$OUTD"
GENLOG=$CACHE/generation.txt
touch "$GENLOG"

synth_spec() {	# CODEC SIZE
	printf 'size %s\nmix text=50 random=30 zero=20\ncodec %s\n' "$2" "$1"
}

# make_synth DIR NAME SPEC_TEXT: DIR/NAME and DIR/NAME.expect, unless made from the same spec
make_synth() {
	local dir=$1 name=$2 spec=$3 t
	mkdir -p "$dir"
	if [ -f "$dir/$name" ] && [ -f "$dir/$name.expect" ] && [ "$(cat "$dir/$name.spec" 2>/dev/null)" = "$spec" ]; then
		return 0
	fi
	rm -f "$dir/$name" "$dir/$name.expect" "$dir/$name.spec" "$dir/$name.flat"
	t=$(date +%s.%N)
	printf '%s\n' "$spec" >"$dir/$name.spec.tmp"
	"$MKDUMP" "$dir/$name.spec.tmp" "$dir/$name.tmp" >/dev/null
	mv "$dir/$name.tmp.expect" "$dir/$name.expect"
	mv "$dir/$name.tmp" "$dir/$name"
	mv "$dir/$name.spec.tmp" "$dir/$name.spec"
	printf '%s %s generated in %s s (%s bytes)\n' "$(date +%F)" "$dir/$name" \
		"$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')" \
		"$(stat -c %s "$dir/$name")" >>"$GENLOG"
}

make_flat() {	# KDUMP -> KDUMP.flat
	[ -f "$1.flat" ] && [ "$1.flat" -nt "$1" ] && return 0
	"$B/flatten" "$1" "$1.flat.tmp"
	mv "$1.flat.tmp" "$1.flat"
}

SYN=$CACHE/synth-${GIB}g
SIZE=$(awk -v g="$GIB" 'BEGIN { printf "%dM", g * 1024 }')
SMALL=$CACHE/small
gen_t0=$(date +%s)
pids=()
slot=0
# Two generators at a time (2 cores); the slow zlib one first.
for c in $CODECS; do
	case $c in zlib|lzo|snappy|zstd) ;; *) die "unknown codec $c" ;; esac
done
gen_queue=$(for c in zlib zstd lzo snappy; do case " $CODECS " in *" $c "*) echo "$c" ;; esac; done)
gen_one() {
	make_synth "$SYN" "$1" "$(synth_spec "$1" "$SIZE")"
	make_flat "$SYN/$1"
}
made_any=0
for c in $gen_queue; do
	if [ ! -f "$SYN/$c.flat" ] || [ "$(cat "$SYN/$c.spec" 2>/dev/null)" != "$(synth_spec "$c" "$SIZE")" ]; then
		made_any=1
		say "generating $SYN/$c (${GIB} GiB of pages, $c) ..."
	fi
	gen_one "$c" &
	pids+=($!)
	if [ ${#pids[@]} -ge "$CORES" ]; then
		wait "${pids[0]}" || die "generating ${GIB} GiB dumps failed"
		pids=("${pids[@]:1}")
	fi
done
for p in "${pids[@]}"; do wait "$p" || die "generating ${GIB} GiB dumps failed"; done
for c in $gen_queue; do
	make_synth "$SMALL" "$c" "$(synth_spec "$c" 64M)"
done
make_synth "$CACHE/sparse" sparse-1tib "$(grep -v '^#' tests/gen/specs/sparse-1tib.spec)"
gen_s=$(( $(date +%s) - gen_t0 ))
if [ "$made_any" = 1 ]; then
	echo "$(date +%F) large dumps (${GIB} GiB x $(echo $CODECS | wc -w) codecs + flattened): made in $gen_s s on $CORES cores" >>"$GENLOG"
fi

HAVE_REAL=0
REAL=$CACHE/real
if [ -d "$FIX" ]; then
	HAVE_REAL=1
	mkdir -p "$REAL"
	[ -f "$REAL/vmcore.elf-d31" ] || { xz -dc "$FIX/vmcore.elf-d31.xz" >"$REAL/vmcore.elf-d31.tmp" && mv "$REAL/vmcore.elf-d31.tmp" "$REAL/vmcore.elf-d31"; }
	[ -f "$REAL/vmcore.kdump-lzo.flat" ] || { "$B/flatten" "$FIX/vmcore.kdump-lzo" "$REAL/vmcore.kdump-lzo.flat.tmp" && mv "$REAL/vmcore.kdump-lzo.flat.tmp" "$REAL/vmcore.kdump-lzo.flat"; }
fi
VMLINUX=
if [ "$HAVE_REAL" = 1 ]; then
	rel=$(grep -o 'Linux version [^ ]*' "$FIX/vmcore.dmesg.txt" | head -n1 | cut -d' ' -f3)
	# Only the fixture's own kernel: another release's vmlinux makes crash fail.
	for v in /var/cache/kdump2elf/fixtures/*/vmlinux-"$rel" /usr/lib/debug/boot/vmlinux-"$rel"; do
		[ -f "$v" ] && { VMLINUX=$v; break; }
	done
fi

# ---- 3. the outputs are right (untimed) --------------------------------------------------
CHECKS=$OUTD/checks.txt
: >"$CHECKS"
check_fail=0
verify() {	# LABEL EXPECTED_DIGEST|- INPUT...
	local label=$1 want=$2 a b k1 k2 p
	shift 2
	k1=$OUTD/v-t1.elf; k2=$OUTD/v-t2.elf; p=$OUTD/v-peer.elf
	rm -f "$OUTD"/v-*
	"$K2E" -q --threads 1 -o "$k1" "$@" 2>>"$OUTD/verify.log" || true
	"$K2E" -q --threads 2 -o "$k2" "$@" 2>>"$OUTD/verify.log" || true
	"$PEER" -o "$p" "$@" 2>>"$OUTD/verify.log" || true
	"$K2EZ" -q --threads 2 -o "$OUTD/v-z.elf" "$@" 2>>"$OUTD/verify.log" || true
	a=$( ($CMP --digest "$k2" 2>&1 || true) | sed -n 's/.* digest //p')
	b=$( ($CMP --digest "$p" 2>&1 || true) | sed -n 's/.* digest //p')
	local res="ok"
	cmp -s "$k1" "$k2" || { res="FAIL: --threads 1 and 2 differ"; check_fail=1; }
	if ! cmp -s "$k2" "$OUTD/v-z.elf"; then
		[ "$res" = ok ] && res="FAIL: kdump2elf-zlib's core differs" || res="$res; kdump2elf-zlib's core differs"
		check_fail=1
	fi
	if [ -z "$a" ] || [ "$a" != "$b" ]; then
		res="$res; peer digest ${b:-none} != kdump2elf ${a:-none}"
		check_fail=1
	fi
	if [ "$want" != - ] && [ "$a" != "$want" ]; then
		res="$res; kdump2elf digest != expected $want"
		check_fail=1
	fi
	printf '  %-22s %s  digest %s\n' "$label" "$res" "${a:0:16}" >>"$CHECKS"
	rm -f "$OUTD"/v-*
}
say "checking outputs (kdump2elf --threads 1 = --threads 2, peer pages = kdump2elf pages)"
digest_of() { sed -n 's/^digest //p' "$1"; }
if [ "$HAVE_REAL" = 1 ]; then
	D7=7492d2b3beeccca437de35e44e2d3f762498b66f3b55628d521ec0d9c62332eb
	verify real-kdump-zlib "$D7" "$FIX/vmcore.kdump-zlib"
	verify real-kdump-lzo "$D7" "$FIX/vmcore.kdump-lzo"
	verify real-split-zlib "$D7" "$FIX/vmcore.split-zlib.1" "$FIX/vmcore.split-zlib.2"
	verify real-elf-d31 a8d48198c17f5a15daef6eab179725dfda26061bb32ea33734c611a4e84bc13d "$REAL/vmcore.elf-d31"
fi
for c in $gen_queue; do
	verify "synth-64M-$c" "$(digest_of "$SMALL/$c.expect")" "$SMALL/$c"
	[ "$VERIFY_LARGE" = 1 ] && verify "synth-${GIB}G-$c" "$(digest_of "$SYN/$c.expect")" "$SYN/$c"
done
verify sparse-1tib "$(digest_of "$CACHE/sparse/sparse-1tib.expect")" "$CACHE/sparse/sparse-1tib"

# ---- 4. timing ------------------------------------------------------------------------
COLD=0
if [ "$WANT_COLD" = 1 ] && sync && (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
	COLD=1
fi
prepare() {
	rm -f "$OUTD"/*.elf "$OUTD"/*.gdb "$OUTD"/*.sym "$OUTD"/*.R "$OUTD"/w.out
	sync
	if [ "$COLD" = 1 ]; then
		echo 3 >/proc/sys/vm/drop_caches
	fi
	disk_quiet
}

RES=$OUTD/runs.tsv
: >"$RES"
RSS=$OUTD/rss.txt
LOG=$OUTD/run.log
WBYTES=0

# Other processes share these cores (developers' test runs): before every run
# wait (at most QUIET_MAX s) until the machine is quiet, and account for the
# CPU time spent during the run by anything but the timed tool ("other").
tool_cpu() {	# user + system seconds from a /usr/bin/time -v report
	awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.3f", s }' "$@" 2>/dev/null
}

# run_tool GROUP TOOL REP: one timed run of tool_TOOL (below).
run_tool() {
	local group=$1 tool=$2 rep=$3 t0 t1 b0 b1 rc=0 sec rss cpu catcpu other
	prepare
	: >"$RSS"
	: >"$RSS.cat"
	wait_quiet
	b0=$(cpu_busy)
	t0=$(date +%s%N)
	"tool_$tool" >"$LOG" 2>&1 || rc=$?
	t1=$(date +%s%N)
	b1=$(cpu_busy)
	sec=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
	cpu=$(tool_cpu "$RSS")
	catcpu=$(tool_cpu "$RSS.cat")
	# the share of all cores' time, during the run, that went to other work
	# (-1: the run was too short for the 1/HZ s counters)
	other=$(awk -v b="$((b1 - b0))" -v hz="$HZ" -v c="$cpu" -v k="${catcpu:-0}" -v w="$sec" -v n="$CORES" \
		'BEGIN { o = b / hz - c - k; if (o < 0) o = 0; printf "%.3f", (w >= 1 ? o / (w * n) : -1) }')
	case $tool in
	Dz) sec=$(sed -n 's/.* decompress_s \([0-9.]*\).*/\1/p' "$LOG") ;;
	D) sec=$(sed -n 's/.* decompress_s \([0-9.]*\).*/\1/p' "$LOG")
	   WBYTES=$(sed -n 's/.* write_bytes \([0-9]*\).*/\1/p' "$LOG")
	   PAGES=$(sed -n 's/^pages \([0-9]*\).*/\1/p' "$LOG") ;;
	W) sec=$(sed -n 's/^write_s \([0-9.]*\).*/\1/p' "$LOG") ;;
	esac
	rss=$(awk '/Maximum resident set size/ {print $6}' "$RSS" 2>/dev/null)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$group" "$tool" "$rep" "${sec:-nan}" "${rss:-0}" "$rc" \
		"${PAGES:-0}" "${cpu:-0}" "$other" >>"$RES"
	if [ "$rc" != 0 ]; then
		say "$group $tool: exit status $rc: $(tail -n 2 "$LOG" | tr '\n' ' ')"
	fi
	if [ "$tool" = mdfR ] && [ "$rep" = 1 ] && [ -n "${SEEK[*]}" ]; then
		cmp -s "$OUTD/mdf.R" "${SEEK[0]}" || say "$group: makedumpfile -R of the flattened stream differs from the kdump file"
	fi
}

# What the tools read: SEEK (kdump file or pieces), FLAT (flattened stream).
# The kdump2elf rows time the core alone (CORE_ONLY), as the peer makes only a
# core with no symbols in it; "full" is the default command, which also
# writes the core's .symtab, OUT.gdb and, without a vmlinux, the OUT.sym
# sidecar (fixed costs of the kernel, not of the dump).
CORE_ONLY=(--no-sidecar --no-gdb-script --no-symtab)
tool_k2e2() { $TIMEV -v -o "$RSS" "$K2E" -q "${CORE_ONLY[@]}" --threads 2 -o "$OUTD/k.elf" "${SEEK[@]}"; }
tool_k2e1() { $TIMEV -v -o "$RSS" "$K2E" -q "${CORE_ONLY[@]}" --threads 1 -o "$OUTD/k.elf" "${SEEK[@]}"; }
tool_full() { $TIMEV -v -o "$RSS" "$K2E" -q -o "$OUTD/k.elf" "${SEEK[@]}"; }
tool_peer() { $TIMEV -v -o "$RSS" "$PEER" -o "$OUTD/p.elf" "${SEEK[@]}"; }
tool_pipe() { $TIMEV -v -o "$RSS.cat" cat "$FLAT" | $TIMEV -v -o "$RSS" "$K2E" -q "${CORE_ONLY[@]}" --threads 2 -o "$OUTD/k.elf" -; }
tool_flatfile() { $TIMEV -v -o "$RSS" "$K2E" -q "${CORE_ONLY[@]}" --threads 2 -o "$OUTD/k.elf" "$FLAT"; }
tool_mdfR() { $TIMEV -v -o "$RSS" makedumpfile -R "$OUTD/mdf.R" <"$FLAT"; }
tool_crash() { echo exit | $TIMEV -v -o "$RSS" crash -s "$VMLINUX" "$FLAT"; }
tool_R() { $TIMEV -v -o "$RSS" cat "${SEEK[@]}" >/dev/null; }
tool_D() { $TIMEV -v -o "$RSS" "$B/decompress-only" "${SEEK[@]}"; }
# The same with zlib pages through zlib's inflate (kdump2elf-zlib).
tool_k2e2z() { $TIMEV -v -o "$RSS" "$K2EZ" -q "${CORE_ONLY[@]}" --threads 2 -o "$OUTD/k.elf" "${SEEK[@]}"; }
tool_k2e1z() { $TIMEV -v -o "$RSS" "$K2EZ" -q "${CORE_ONLY[@]}" --threads 1 -o "$OUTD/k.elf" "${SEEK[@]}"; }
tool_fullz() { $TIMEV -v -o "$RSS" "$K2EZ" -q -o "$OUTD/k.elf" "${SEEK[@]}"; }
tool_pipez() { $TIMEV -v -o "$RSS.cat" cat "$FLAT" | $TIMEV -v -o "$RSS" "$K2EZ" -q "${CORE_ONLY[@]}" --threads 2 -o "$OUTD/k.elf" -; }
tool_flatfilez() { $TIMEV -v -o "$RSS" "$K2EZ" -q "${CORE_ONLY[@]}" --threads 2 -o "$OUTD/k.elf" "$FLAT"; }
tool_Dz() { $TIMEV -v -o "$RSS" "$B/decompress-only-zlib" "${SEEK[@]}"; }
tool_W() { $TIMEV -v -o "$RSS" "$B/write-only" --fsync "$WBYTES" "$OUTD/w.out"; }

# bench_group GROUP TOOLS...: N rounds over the tools.
bench_group() {
	local group=$1 rep tool n=$N
	shift
	case $group in real-* | sparse-*) n=$N_SMALL ;; esac
	if [ "$COLD" = 1 ]; then
		set -- "$@" R
	else
		cat "${SEEK[@]}" ${FLAT:+"$FLAT"} >/dev/null	# warm: inputs in the page cache
	fi
	say "timing $group ($n rounds: $*)"
	PAGES=0
	for ((rep = 1; rep <= n; rep++)); do
		for tool in "$@"; do
			run_tool "$group" "$tool" "$rep"
		done
	done
	rm -f "$OUTD"/*.elf "$OUTD"/*.gdb "$OUTD"/*.sym "$OUTD"/*.R "$OUTD"/w.out
}

CRASH_NOTE=
if [ "$HAVE_REAL" = 1 ]; then
	ct=""
	if [ -n "$VMLINUX" ]; then ct=crash; else CRASH_NOTE="crash not timed: no vmlinux-$rel under /var/cache/kdump2elf/fixtures (tests/fixtures/make-fixtures makes it)"; fi
	SEEK=("$FIX/vmcore.kdump-zlib"); FLAT=$FIX/vmcore.flat-zlib
	bench_group real-zlib D Dz W k2e2 k2e2z k2e1 k2e1z full fullz peer pipe pipez flatfile flatfilez mdfR $ct
	SEEK=("$FIX/vmcore.kdump-lzo"); FLAT=$REAL/vmcore.kdump-lzo.flat
	bench_group real-lzo D W k2e2 k2e1 full peer pipe flatfile mdfR
	SEEK=("$FIX/vmcore.split-zlib.1" "$FIX/vmcore.split-zlib.2"); FLAT=
	bench_group real-split D Dz W k2e2 k2e2z k2e1 k2e1z full fullz peer
	SEEK=("$REAL/vmcore.elf-d31"); FLAT=
	bench_group real-elf D W k2e2 k2e1 full peer
else
	CRASH_NOTE="no real fixtures: ../shared/fixtures/kdump-6.1-k2e is not beside this clone"
fi
for c in $CODECS; do
	SEEK=("$SYN/$c"); FLAT=$SYN/$c.flat
	if [ "$c" = zlib ]; then
		bench_group "synth-$c" D Dz W k2e2 k2e2z k2e1 k2e1z peer pipe pipez mdfR
	else
		bench_group "synth-$c" D W k2e2 k2e1 peer pipe mdfR
	fi
done
SEEK=("$CACHE/sparse/sparse-1tib"); FLAT=
bench_group sparse-1tib D W k2e2 k2e1 peer

# ---- 5. the table ---------------------------------------------------------------------
total_s=$(( $(date +%s) - T0 ))
SRC=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo "not a git checkout")
/usr/bin/python3 "$BENCH/table.py" "$RES" "$CORES" "$COLD" "$N" "$GIB" "$total_s" "$CHECKS" "$GENLOG" \
	"$CRASH_NOTE" "$check_fail" "$SRC" "$ZDEC" "$N_SMALL" | tee "$BENCH/results-latest.txt"
