#!/bin/sh
# libfuzzer.sh - build the fuzz targets with clang's libFuzzer, ASan and UBSan,
# and run each for a while on its seed corpus.
#
#   tests/fuzz/libfuzzer.sh [SECONDS [TARGET...]]     (default: 60 s, every target)
#
# The library is built into build/libfuzzer/ (or $O) with coverage
# instrumentation.  An input that runs over 20 s is a finding (-timeout), as
# it is for the replay driver (tests/fuzz/replay.c, K2E_FUZZ_TIMEOUT).
# New inputs go to build/libfuzzer/corpus/TARGET (the seeds in
# tests/fuzz/corpus/TARGET are only read); a crash leaves
# build/libfuzzer/crash-TARGET-* and stops that target: copy the input into
# tests/fuzz/corpus/TARGET/ once fixed, so the replay driver keeps it.
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-60}
[ $# -gt 0 ] && shift
O=${O:-build/libfuzzer}
CC=${CC:-clang}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

make -s O=$O CC="$CC" SANITIZE=1 SAN_FLAGS="-fsanitize=fuzzer-no-link $SAN" $O/libk2e.a
targets=${*:-$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')}
libs="$($PKG_CONFIG --libs zlib lzo2 snappy libzstd 2>/dev/null || true) $($PKG_CONFIG --libs libdw libelf libbpf)"
status=0
for t in $targets; do
	mkdir -p $O/fuzz $O/corpus/$t
	# shellcheck disable=SC2086
	$CC -std=gnu11 -g -O1 -I. -D_GNU_SOURCE -fsanitize=fuzzer $SAN \
		-o $O/fuzz/$t tests/fuzz/$t.c $O/libk2e.a $libs -pthread
	echo "== $t: $secs s"
	if ! $O/fuzz/$t -max_total_time="$secs" -rss_limit_mb=2048 -timeout=20 \
		-print_final_stats=1 -artifact_prefix=$O/crash-$t- \
		$O/corpus/$t tests/fuzz/corpus/$t 2>$O/$t.log; then
		status=1
		echo "$t: crashed, see $O/$t.log and $O/crash-$t-*"
	fi
	grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+ *DONE' $O/$t.log || true
done
exit $status
