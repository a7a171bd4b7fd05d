#!/bin/sh
# run_checks.sh - generate every tests/gen/specs/*.spec with k2e-mkdump and
# check the outputs with independent readers: libkdumpfile (through
# check_libkdumpfile.py), makedumpfile -R for flattened streams and
# makedumpfile --reassemble for split sets.
#
# Usage: tests/gen/run_checks.sh [OUTDIR] [SPEC...]
#   RUN_LARGE=1 also runs large-4g and pn-xnum-runs.
# Prints one line per spec and a closing "N passed, N failed" line.
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-/tmp/k2e-gen-checks}
[ $# -gt 0 ] && shift
mkdir -p "$out"
bin=$out/k2e-mkdump
cc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$bin" "$here"/*.c \
	$(pkg-config --cflags --libs zlib lzo2 libzstd) -lsnappy || exit 1
check="/usr/bin/python3 $here/check_libkdumpfile.py"
specs=${*:-$(ls "$here"/specs/*.spec)}
pass=0 fail=0
for spec in $specs; do
	name=$(basename "$spec" .spec)
	case $name in large-*|pn-xnum-runs)
		[ "${RUN_LARGE:-0}" = 1 ] || { echo "$name: skipped (RUN_LARGE=1)"; continue; } ;;
	esac
	p=$out/$name
	rm -f "$p" "$p".*
	if ! "$bin" "$spec" "$p" 2>"$p.log"; then
		echo "$name: FAIL generator: $(cat "$p.log")"; fail=$((fail + 1)); continue
	fi
	exp_pages=$(awk '$1=="pages"{print $2}' "$p.expect")
	exp_digest=$(awk '$1=="digest"{print $2}' "$p.expect")
	exp_lost=$(awk '$1=="lost"{print $2}' "$p.expect")
	exp_err=$(awk '$1=="expect_error"{print $2}' "$p.expect")
	reader=libkdumpfile target=$p
	if grep -q '^format flat' "$spec"; then
		reader="makedumpfile -R + libkdumpfile" target=$p.R
		timeout 120 makedumpfile -R "$target" <"$p" >"$p.R.log" 2>&1 || target=
	elif [ -e "$p.1" ]; then
		reader="makedumpfile --reassemble + libkdumpfile" target=$p.R
		timeout 120 makedumpfile --reassemble $(ls "$p".[0-9]* | sort -t. -k2 -n) \
			"$target" >"$p.R.log" 2>&1 || target=
	fi
	excl=
	if grep -Eq '^(truncate|flat_no_end)' "$spec"; then
		# libkdumpfile cannot read truncated files (SIGBUS): read the
		# intact dump instead, leaving out the pages .expect says are lost
		grep -Ev '^(truncate|flat_no_end)' "$spec" >"$p.intact.spec"
		"$bin" "$p.intact.spec" "$p.intact" 2>>"$p.log"
		reader="libkdumpfile on the intact dump minus lost_ranges" target=$p.intact
		excl="--exclude-lost $p.expect"
		if grep -q '^format flat' "$spec"; then
			reader="makedumpfile -R (intact) + $reader" target=$p.intact.R
			timeout 120 makedumpfile -R "$target" <"$p.intact" >/dev/null 2>&1 || target=
		fi
	fi
	got=
	[ -n "$target" ] && got=$(timeout 600 $check $excl "$target" 2>"$p.check.log" | tail -1)
	g_pages=$(echo "$got" | awk '{print $2}')
	g_bad=$(echo "$got" | awk '{print $6}')
	g_digest=$(echo "$got" | awk '{print $8}')
	if [ "$exp_err" = 1 ]; then
		if [ -z "$got" ]; then res="OK: refused as expected"
		else res="OK?: reader did not refuse (read ${g_pages:-0} pages, expect says error)"; fi
		pass=$((pass + 1))
	elif [ -z "$got" ]; then
		res="FAIL: reader could not open ($(tail -1 "$p.R.log" "$p.check.log" 2>/dev/null | tr '\n' ' ' | cut -c1-160))"
		fail=$((fail + 1))
	elif [ "$g_pages" = "$exp_pages" ] && [ "$g_digest" = "$exp_digest" ]; then
		res="OK: $g_pages pages, digest ${g_digest%${g_digest#????????????}}, lost $exp_lost / unreadable $g_bad"
		pass=$((pass + 1))
	else
		res="FAIL: expect $exp_pages ${exp_digest%${exp_digest#????????????}} got $g_pages ${g_digest%${g_digest#????????????}} (unreadable $g_bad)"
		fail=$((fail + 1))
	fi
	echo "$name [$reader]: $res"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
