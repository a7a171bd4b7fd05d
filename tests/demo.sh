#!/bin/bash
# demo.sh - what `make demo` runs: convert one crash dump with no vmlinux
# anywhere and show what came out (the core, its threads and mappings, the
# symbol file, a gdb session).
#
# The dump: a real one the project made under QEMU when one is cached
# (tests/fixtures/make-fixtures; K2E_FIXTURE_CACHE, default
# /var/cache/kdump2elf; never built here), otherwise a synthetic one made in
# a second by k2e-mkdump from tests/gen/specs/demo-kernel.spec: an x86_64
# 6.1-style kernel with KASLR, page tables, kallsyms, BTF, ORC and a
# panicking CPU.
#
# Environment: O (build dir) [build], K2E_DEMO=auto|synthetic|real [auto],
# K2E_DEMO_DIR (output directory) [$O/demo].
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-build}
case $O in /*) B=$O ;; *) B=$ROOT/$O ;; esac
K2E=$B/kdump2elf
GEN=$B/k2e-mkdump
MODE=${K2E_DEMO:-auto}
DIR=${K2E_DEMO_DIR:-$B/demo}
OUT=$DIR/vmcore.elf

say() { printf '\n== %s\n' "$*"; }
die() { echo "demo: $*" >&2; exit 1; }

case $MODE in auto|synthetic|real) ;; *) die "K2E_DEMO must be auto, synthetic or real" ;; esac
[ -x "$K2E" ] || die "$K2E is not built (make O=$O)"
mkdir -p "$DIR" || die "cannot make $DIR"

# A cached real dump: a complete fixture (its MANIFEST is written last), 6.1 first.
real_dump() {
	local cache=${K2E_FIXTURE_CACHE:-/var/cache/kdump2elf}/fixtures kern d f
	for kern in 6.1 6.12 5.10; do
		for d in "$cache/$kern".*/; do
			[ -f "$d/MANIFEST" ] || continue
			for f in "$d"smp2/kdump/vmcore.kdump-zlib "$d"*/kdump/vmcore.kdump-zlib; do
				[ -f "$f" ] && { echo "$f"; return 0; }
			done
		done
	done
	return 1
}

DUMP=
if [ "$MODE" != synthetic ] && DUMP=$(real_dump); then
	say "a real crash dump (the project's QEMU-made fixture, found in the cache)"
	echo "$DUMP"
elif [ "$MODE" = real ]; then
	die "no complete fixture under ${K2E_FIXTURE_CACHE:-/var/cache/kdump2elf}/fixtures (tests/fixtures/make-fixtures makes them)"
else
	[ -x "$GEN" ] || die "$GEN is not built (make O=$O $O/k2e-mkdump)"
	DUMP=$DIR/dump.kdump
	say "a synthetic crash dump: k2e-mkdump tests/gen/specs/demo-kernel.spec"
	"$GEN" "$ROOT/tests/gen/specs/demo-kernel.spec" "$DUMP" >/dev/null || die "k2e-mkdump failed"
	echo "$DUMP: x86_64, 64 MiB, 4 CPUs, zlib and lzo pages, a KASLR'd kernel; CPU 2 panicked"
	echo "(no vmlinux exists for it: everything below comes from the dump itself)"
fi

say "kdump2elf -v $DUMP -o $OUT --json $DIR/summary.json"
# No --vmlinux, on purpose: the demo shows what the dump alone gives.
"$K2E" -f -v "$DUMP" -o "$OUT" --json "$DIR/summary.json" 2>&1
rc=$?
[ $rc = 0 ] || [ $rc = 3 ] || die "kdump2elf failed (exit status $rc)"
echo "what crashed (from the kernel log in the dump): $(grep -o '"panic":{[^}]*}' "$DIR/summary.json")"

if command -v readelf >/dev/null; then
	say "the core: readelf -lW $OUT"
	readelf -hW "$OUT" | sed -n '/Type:/p;/Machine:/p;/Number of program headers:/p'
	readelf -lW "$OUT" | sed -n '/^  Type/,/^$/p' | sed '/^$/d' >"$DIR/segments.txt"
	head -n 9 "$DIR/segments.txt"
	n=$(($(wc -l <"$DIR/segments.txt") - 9))
	[ $n -le 0 ] || echo "  ... $n more"
	echo "(the notes; physical memory at its direct-map addresses; the kernel image, stacks and"
	echo " other kernel virtual mappings as aliases of the same file bytes, from the dump's page tables)"
	say "the symbol file: $OUT.sym (symbols from the dump's kallsyms, types from its BTF, unwind tables from its ORC)"
	echo "sections: $(readelf -SW "$OUT.sym" | sed -n 's/^ *\[ *[0-9]*\] \([^ ]\{1,\}\).*/\1/p' | tr '\n' ' ')"
	readelf -sW "$OUT.sym" | awk '$4 == "FUNC" { f++ } $4 == "OBJECT" { o++ }
		END { printf "symbols: %d functions, %d objects\n", f, o }'
fi

if command -v gdb >/dev/null; then
	say "gdb -batch -x $OUT.gdb -ex 'info threads' -ex bt -ex 'x/2i \$pc' -ex 'p ((struct task_struct *)&init_task)->comm'"
	# shellcheck disable=SC2016
	gdb -batch -x "$OUT.gdb" -ex 'info threads' -ex bt -ex 'x/2i $pc' \
		-ex 'p ((struct task_struct *)&init_task)->comm' 2>&1 |
		grep -v '^\[New LWP' | head -n 40
	say "try it: gdb -x $OUT.gdb   (then: info threads, thread N, bt, x/8gx \$sp, ptype struct task_struct)"
else
	say "gdb is not installed: 'tests/install-deps.sh build' installs it; then: gdb -x $OUT.gdb"
fi
