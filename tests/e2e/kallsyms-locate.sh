# kallsyms-locate.sh - kernel/kallsyms-locate on real kernels: the kallsyms
# tables it finds by their shape in a vmlinux's image (k2e-kallsyms-locate)
# must be where `nm` says they are.  Debian 11's 5.10 and Debian 12's 6.1 are
# wanted (tables before and after seqs_of_names); their vmlinux comes from the
# fixture cache, or is unpacked once from a -dbg .deb in its debs/ directory
# (apt-get download linux-image-VERSION-cloud-amd64-dbg).  Sourced by
# run-all.sh; runs on its own too: O=build tests/e2e/kallsyms-locate.sh
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

if [ ! -x "$KL_TOOL" ]; then
	not_ok "kallsyms-locate: $KL_TOOL is not built (make test-bins)"
else
	for series in 5.10 6.1; do
		vml=$(kl_vmlinux "$series")
		if [ -z "$vml" ]; then
			note "kallsyms-locate: no $series vmlinux (fixtures, $KL_CACHE/vmlinux or a -dbg .deb in $KL_CACHE/debs)"
			continue
		fi
		name=${vml##*/}
		nm "$vml" | awk '$3 ~ /^kallsyms_(num_syms|names|markers|token_table|token_index|offsets|addresses|relative_base|seqs_of_names)$/ { print $1, $3 }' |
			sort -k 2 >"$T/$name.nm"
		"$KL_TOOL" "$vml" >"$T/$name.found" 2>"$T/$name.err"
		rc=$?
		check_eq "kallsyms-locate $name: exit status" 0 "$rc"
		[ "$rc" = 0 ] || { cat "$T/$name.err"; continue; }
		check "kallsyms-locate $name: tables where nm puts them" \
			diff -u "$T/$name.nm" "$T/$name.found"
		echo "   $name: $(wc -l <"$T/$name.found") tables, $(cat "$T/$name.err")"
	done
fi

if [ -n "${KL_ALONE:-}" ]; then
	[ -z "$T_NOTES" ] || printf '%s' "$T_NOTES"
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
fi
