#!/bin/sh
# reorder.sh - the cost of records that arrive out of order in a flattened
# stream: the first BYTES of a synthetic dump as N small records, in order,
# reversed and shuffled, converted from a pipe and as a seekable file.
# Prints the median of RUNS wall-clock times per case; nothing is asserted.
#
#   bench/reorder.sh [N [BYTES [RUNS]]]      (default 100000 records of 3 MiB, 3 runs)
#
# Uses O (default build) for kdump2elf and k2e-mkdump; scratch in $TMPDIR.
# The 64 MiB core is written to OUT_DIR (default /dev/shm when it exists):
# on this project's VM the time to write it to disk varies by seconds from
# run to run, which would hide what is measured here.
set -eu
N=${1:-100000}
BYTES=${2:-3145728}
RUNS=${3:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-build}
B=$ROOT/$O
T=$(mktemp -d "${TMPDIR:-/tmp}/k2e-reorder.XXXXXX")
OUT_DIR=${OUT_DIR:-$( [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo "$T")}
W=$(mktemp -d "$OUT_DIR/k2e-reorder-out.XXXXXX")
trap 'rm -rf "$T" "$W"' EXIT
cd "$ROOT"
make -s O="$O" "$B/kdump2elf" "$B/k2e-mkdump"
cc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$T/reorder" bench/reorder.c
# 64 MiB of RAM, every page dumped: the first 3 MiB hold the headers, the
# bitmaps, the page descriptors and the first pages.
"$B/k2e-mkdump" -e 'max_mapnr 0x4000; codec zlib lzo; mix text=60 random=20 zero=20' \
	"$T/dump" >/dev/null

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

run() {	# run ORDER pipe|file: prints the median time in seconds
	# Same input name for every order, so the cores (whose note names the
	# input) must be byte-identical to the in-order one.
	ln -sf "../$1.flat" "$T/in/dump.flat"
	i=0
	while [ $i -lt "$RUNS" ]; do
		if [ "$2" = pipe ]; then
			s=$(date +%s.%N)
			cat "$T/in/dump.flat" | "$B/kdump2elf" -fq --no-gdb-script --no-sidecar --no-vmap - -o "$W/out.elf"
		else
			s=$(date +%s.%N)
			"$B/kdump2elf" -fq --no-gdb-script --no-sidecar --no-vmap "$T/in/dump.flat" -o "$W/out.elf"
		fi
		e=$(date +%s.%N)
		echo "$s $e" | awk '{ printf "%.3f\n", $2 - $1 }'
		[ -e "$W/ref-$2.elf" ] || mv "$W/out.elf" "$W/ref-$2.elf"
		[ ! -e "$W/out.elf" ] || cmp -s "$W/out.elf" "$W/ref-$2.elf" ||
			{ echo "reorder: $1 $2: not the in-order core" >&2; exit 1; }
		i=$((i + 1))
	done | median
}

mkdir "$T/in"
printf '%-10s %10s %10s   (%s records of the first %s bytes, median of %s)\n' \
	order pipe file "$N" "$BYTES" "$RUNS"
for order in in-order reversed shuffled; do
	"$T/reorder" "$order" "$N" "$BYTES" "$T/dump" "$T/$order.flat"
	printf '%-10s %9ss %9ss\n' "$order" "$(run "$order" pipe)" "$(run "$order" file)"
done
