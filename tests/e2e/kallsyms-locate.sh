# kallsyms-locate.sh - kernel/kallsyms-locate on real kernels: the kallsyms
# tables it finds by their shape in a vmlinux's image (k2e-kallsyms-locate)
# must be where `nm` says they are.  Debian 11's 5.10, Debian 12's 6.1 (with
# seqs_of_names backported) and 6.12 (the 6.4+ order) are wanted, any other
# vmlinux of the fixtures (arm64) is tried too; a vmlinux
# comes from the fixture cache, or is unpacked once from a -dbg .deb in its
# debs/ directory (apt-get download linux-image-VERSION-cloud-amd64-dbg).
# In the fixtures' real dumps (makedumpfile -E -d 31), searched from
# SYMBOL(_stext) to the end of the kernel mapping as the converter would
# without a vmlinux, the tables must be at nm's addresses + KERNELOFFSET.
# Sourced by run-all.sh; runs on its own too: O=build tests/e2e/kallsyms-locate.sh
if [ -z "${ROOT:-}" ]; then
	ROOT=$(cd "$(dirname "$0")/../.." && pwd)
	O=${O:-build}
	T=$(mktemp -d "${TMPDIR:-/tmp}/k2e-kl.XXXXXX")
	trap 'rm -rf "$T"' EXIT
	. "$ROOT/tests/lib.sh"
	KL_ALONE=1
fi
KL_TOOL=$ROOT/$O/tools/k2e-kallsyms-locate
KL_CACHE=${K2E_FIXTURE_CACHE:-/var/cache/kdump2elf}

# kl_vmlinux SERIES: a vmlinux of that kernel series (5.10, 6.1) on stdout, if any.
kl_vmlinux() {
	local v deb
	for v in "$KL_CACHE"/fixtures/"$1".*/vmlinux-"$1".* "$KL_CACHE"/vmlinux/vmlinux-"$1".* \
		/usr/lib/debug/boot/vmlinux-"$1".*; do
		[ -s "$v" ] && { echo "$v"; return; }
	done
	for deb in "$KL_CACHE"/debs/linux-image-"$1".*-dbg_*.deb; do
		[ -s "$deb" ] || continue
		v=${deb##*/linux-image-}
		v=vmlinux-${v%%-dbg_*}
		mkdir -p "$KL_CACHE/vmlinux" 2>/dev/null || return
		dpkg-deb --fsys-tarfile "$deb" 2>/dev/null |
			tar -xO "./usr/lib/debug/boot/$v" >"$KL_CACHE/vmlinux/$v.tmp" 2>/dev/null &&
			[ -s "$KL_CACHE/vmlinux/$v.tmp" ] &&
			mv "$KL_CACHE/vmlinux/$v.tmp" "$KL_CACHE/vmlinux/$v" &&
			{ echo "$KL_CACHE/vmlinux/$v"; return; }
		rm -f "$KL_CACHE/vmlinux/$v.tmp"
	done
}

# kl_nm VMLINUX [OFFSET]: nm's "ADDR NAME" of the kallsyms tables, OFFSET (hex) added.
kl_nm() {
	local addr name
	nm "$1" | awk '$3 ~ /^kallsyms_(num_syms|names|markers|token_table|token_index|offsets|addresses|relative_base|seqs_of_names)$/ { print $1, $3 }' |
		sort -k 2 | while read -r addr name; do
			printf '%016x %s\n' $((0x$addr + 0x${2:-0})) "$name"
		done
}

if [ ! -x "$KL_TOOL" ]; then
	not_ok "kallsyms-locate: $KL_TOOL is not built (make test-bins)"
else
	# The wanted series (unpacked from a .deb if need be), then every other vmlinux at hand.
	kl_list=
	for series in 5.10 6.1 6.12; do
		vml=$(kl_vmlinux "$series")
		if [ -z "$vml" ]; then
			note "kallsyms-locate: no $series vmlinux (fixtures, $KL_CACHE/vmlinux or a -dbg .deb in $KL_CACHE/debs)"
			continue
		fi
		kl_list="$kl_list $vml"
	done
	for vml in "$KL_CACHE"/fixtures/*/vmlinux-* "$KL_CACHE"/vmlinux/vmlinux-*; do
		[ -s "$vml" ] || continue
		case " $kl_list " in *"/${vml##*/} "*) continue ;; esac
		kl_list="$kl_list $vml"
	done
	for vml in $kl_list; do
		name=${vml##*/}
		kl_nm "$vml" >"$T/$name.nm"
		"$KL_TOOL" "$vml" >"$T/$name.found" 2>"$T/$name.err"
		rc=$?
		check_eq "kallsyms-locate $name: exit status" 0 "$rc"
		[ "$rc" = 0 ] || { cat "$T/$name.err"; continue; }
		check "kallsyms-locate $name: tables where nm puts them" \
			diff -u "$T/$name.nm" "$T/$name.found"
		echo "   $name: $(wc -l <"$T/$name.found") tables, $(cat "$T/$name.err")"
	done
	kl_dumps=0
	for dump in "$KL_CACHE"/fixtures/*/*/kdump/vmcore.elf-d31; do
		[ -s "$dump" ] || continue
		kdir=${dump%/*/kdump/vmcore.elf-d31}
		vml=$(ls "$kdir"/vmlinux-* 2>/dev/null | head -n 1)
		off=$(sed -n 's/^KERNELOFFSET=//p' "${dump%/*}/vmcoreinfo.txt" 2>/dev/null)
		[ -n "$vml" ] && [ -n "$off" ] || continue
		label="${kdir##*/}/${dump#"$kdir"/}"
		kl_dumps=$((kl_dumps + 1))
		kl_nm "$vml" "$off" >"$T/dump.nm"
		"$KL_TOOL" --core "$dump" >"$T/dump.found" 2>"$T/dump.err"
		rc=$?
		check_eq "kallsyms-locate $label: exit status" 0 "$rc"
		[ "$rc" = 0 ] || { cat "$T/dump.err"; continue; }
		check "kallsyms-locate $label: tables at nm + KERNELOFFSET" \
			diff -u "$T/dump.nm" "$T/dump.found"
		echo "   $label: $(cat "$T/dump.err")"
	done
	[ "$kl_dumps" -gt 0 ] ||
		note "kallsyms-locate: no fixture dump (FIXTURES/KERNEL/*/kdump/vmcore.elf-d31 beside a vmlinux)"
fi

if [ -n "${KL_ALONE:-}" ]; then
	[ -z "$T_NOTES" ] || printf '%s' "$T_NOTES"
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
fi
