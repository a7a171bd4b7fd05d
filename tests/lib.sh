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

# k2e_out BASE: the core's path for k2e_make: BASE.elf, or with K2E_VIA_MOUNT
# set, BASE.mnt/vmcore.elf, served by kdump2elf --mount (tests/e2e/mount.sh).
k2e_out() {
	if [ -n "${K2E_VIA_MOUNT:-}" ]; then echo "$1.mnt/vmcore.elf"; else echo "$1.elf"; fi
}

# k2e_make OUT ARGS...: kdump2elf -f ARGS -o OUT, or the same outputs mounted
# at OUT's directory (OUT from k2e_out).  k2e_unmake OUT: remove or unmount them.
k2e_make() {
	local out=$1
	shift
	if [ -n "${K2E_VIA_MOUNT:-}" ]; then
		mkdir -p "${out%/*}" && "$K2E" --mount "${out%/*}" "$@"
	else
		"$K2E" -f "$@" -o "$out"
	fi
}

k2e_unmake() {
	if [ -n "${K2E_VIA_MOUNT:-}" ]; then
		fusermount3 -u "${1%/*}"
	else
		rm -f "$1"
	fi
}

# Unmount what a test mounted under $T and left (a failed check): run-all.sh's exit trap.
k2e_unmount_all() {
	local m
	for m in $(awk -v t="$T/" 'index($2, t) == 1 { print $2 }' /proc/mounts 2>/dev/null); do
		fusermount3 -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
}

# shared_elf_d31: the path of ../shared/fixtures' ELF dump, unpacked once into
# the fixture cache (a path that stays: cores name their input in a note).
shared_elf_d31() {
	local xzf=$ROOT/../shared/fixtures/kdump-6.1-k2e/vmcore.elf-d31.xz
	local f=${K2E_FIXTURE_CACHE:-/var/cache/kdump2elf}/shared/vmcore.elf-d31
	if ! [ "$f" -nt "$xzf" ]; then
		mkdir -p "${f%/*}" && xz -dc "$xzf" >"$f.tmp.$$" && mv "$f.tmp.$$" "$f" || return 1
	fi
	echo "$f"
}
