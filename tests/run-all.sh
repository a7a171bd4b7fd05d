#!/bin/bash
# run-all.sh - every test of kdump2elf: unit tests, synthetic dumps, bad inputs,
# real crash dumps (../shared/fixtures and the project's own generated ones),
# fuzz corpus replay, man page lint.  The last line is "N passed, N failed".
#
# Environment: O (build dir, default build), K2E_SANITIZE=1 (sanitizer pass:
# skips comparisons that only exercise other tools), VERBOSE=1.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-build}
export K2E=$ROOT/$O/kdump2elf GEN=$ROOT/$O/k2e-mkdump ROOT O
# The synthetic dump generator is a test tool, not kdump2elf: under the
# sanitizers the plain build's copy makes the dumps (the same bytes, faster).
[ -z "${K2E_SANITIZE:-}" ] || [ ! -x "$ROOT/build/k2e-mkdump" ] || GEN=$ROOT/build/k2e-mkdump
# Scratch in memory when there is room (about 6 GiB at the peak): removing
# big files is slow on disks mounted with discard, as this project's are.
TBASE=${TMPDIR:-/tmp}
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] &&
	[ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')" -gt $((12 << 20)) ] 2>/dev/null; then
	TBASE=/dev/shm
fi
T=$(mktemp -d "$TBASE/k2e-tests.XXXXXX")
trap 'k2e_unmount_all; rm -rf "$T"' EXIT
export T
. "$ROOT/tests/lib.sh"

"$ROOT/tests/install-deps.sh" test || note "could not install test dependencies"

section() { echo "== $*"; }

section "unit tests"
if out=$("$ROOT/$O/unit-tests" 2>&1); then :; fi
echo "$out" | grep -v '^ok' | tail -n 20
line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
if [ -n "$line" ]; then
	T_PASS=$((T_PASS + ${line%% passed*}))
	f=${line#*passed, }
	T_FAIL=$((T_FAIL + ${f%% failed}))
else
	not_ok "unit tests did not finish"
fi

for sec in synthetic bad-inputs real-fixtures gdb gdb-arm64 hostile sidecar sidecar-arm64 kallsyms-locate symtab batch demo parallel inflate mount fuzz-replay docs deb; do
	section "$sec"
	k2e_t0=$SECONDS
	. "$ROOT/tests/e2e/$sec.sh"
	echo "   ($sec: $((SECONDS - k2e_t0)) s)"
done

if [ -n "$T_NOTES" ]; then
	echo "== not run here"
	printf '%s' "$T_NOTES"
fi
echo "$T_PASS passed, $T_FAIL failed"
[ "$T_FAIL" -eq 0 ]
