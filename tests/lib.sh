# lib.sh - shared helpers for the shell test sections (sourced by run-all.sh).
T_PASS=${T_PASS:-0}
T_FAIL=${T_FAIL:-0}
T_NOTES=${T_NOTES:-}

ok() {
	T_PASS=$((T_PASS + 1))
	[ -z "${VERBOSE:-}" ] || echo "ok - $*"
}

not_ok() {
	T_FAIL=$((T_FAIL + 1))
	echo "FAIL - $*"
}

# check NAME CMD...: pass when CMD succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# check_eq NAME WANT GOT
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: want '$2', got '$3'"; fi
}

# note TEXT: something the run could not do; printed in the summary.
note() {
	T_NOTES="$T_NOTES$*"$'\n'
	echo "NOTE - $*"
}

# field NAME FILE: value of "NAME value" in a .expect or compare output.
field() {
	awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' "$2"
}

PY=/usr/bin/python3
