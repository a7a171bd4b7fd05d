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

# dmesg_cmp REF OUT: the kernel log OUT is REF.  kdump2elf prints makedumpfile
# 1.7.6's form: a caller-id column ("[      T0] ") after the time stamp when
# the kernel records caller ids (the lockless ring, 5.10+), continuation lines
# indented by its width too.  A reference without that column (makedumpfile
# 1.7.2, Debian 12's; crash's `log`) is compared with OUT less the column
# (a note says so): every other byte must be equal.
DMESG_CALLER_NOTE=
dmesg_cmp() {
	local ref=$T/dmesg_cmp.ref out=$T/dmesg_cmp.out
	local col='^\[ *[0-9]*\.[0-9]*\] \[ *[TC][0-9]*\] '
	cat "$1" >"$ref" && cat "$2" >"$out" || return 1
	if grep -q -m 1 "$col" "$ref" || ! grep -q -m 1 "$col" "$out"; then
		cmp "$ref" "$out"
	else
		[ -n "$DMESG_CALLER_NOTE" ] ||
			note "kernel logs without caller ids (makedumpfile 1.7.2, crash) compared with kdump2elf's less its caller-id column (makedumpfile 1.7.6's form)"
		DMESG_CALLER_NOTE=1
		sed -E -e 's/^(\[ *[0-9]+\.[0-9]+\]) \[ *[TC][0-9]+\]/\1/' -e 's/^ {11}( +)/\1/' "$out" |
			cmp "$ref" -
	fi
}
