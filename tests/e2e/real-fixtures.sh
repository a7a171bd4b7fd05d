# real-fixtures.sh - real crash dumps: ../shared/fixtures (when this clone sits
# beside it) and the project's own, made by tests/fixtures/make-fixtures from
# Debian's current kernel.  Each dump is converted and checked page by page
# with libkdumpfile; crash and drgn must say the same of the output as of the
# original.  Sourced by run-all.sh.
REAL=$T/real
mkdir -p "$REAL"
CMP="$PY $ROOT/tests/tools/kdf-compare.py"

# real_pages LABEL ARG...: libkdumpfile's page check (tests/tools/kdf-compare.py
# ARG...) of an output, the first ARG ending in .elf; its line goes to
# LABEL.cmp, its status is the check's.  The plain pass keeps, for each check
# passed, the output's checksum and the line in its build directory
# (real-pages.sums).  The sanitizer pass writes the same bytes (a check here:
# the checksum of the plain build's output of that label, build/) and then
# reuses the line rather than reading them with libkdumpfile again.
if [ -n "${K2E_SANITIZE:-}" ]; then
	REAL_SUMS=$ROOT/build/real-pages.sums
else
	REAL_SUMS=$ROOT/$O/real-pages.sums
	: >"$REAL_SUMS.new"
fi
REAL_REUSED=0
real_pages() {
	local label=$1 out='' a sum rec
	shift
	for a in "$@"; do
		case $a in *.elf) out=$a; break ;; esac
	done
	sum=$(cksum <"$out")
	if [ -n "${K2E_SANITIZE:-}" ] && rec=$(awk -v l="$label" '$1 == l { print; exit }' "$REAL_SUMS" 2>/dev/null) &&
		[ -n "$rec" ]; then
		rec=${rec#"$label "}
		if [ "${rec%%	*}" = "$sum" ]; then
			printf '%s\n' "${rec#*	}" >"$REAL/$label.cmp"
			REAL_REUSED=$((REAL_REUSED + 1))
			return 0
		fi
		not_ok "$label: the sanitizer build's output differs from the plain build's"
	fi
	$CMP "$@" >"$REAL/$label.cmp" 2>&1 || return 1
	[ -n "${K2E_SANITIZE:-}" ] || printf '%s %s\t%s\n' "$label" "$sum" "$(cat "$REAL/$label.cmp")" >>"$REAL_SUMS.new"
}

# The fixtures README's digests for the shared set (flattened: no reader here
# opens it, so the digest is the check).
SHARED_DIGEST=7492d2b3beeccca437de35e44e2d3f762498b66f3b55628d521ec0d9c62332eb
SHARED_ELF_DIGEST=a8d48198c17f5a15daef6eab179725dfda26061bb32ea33734c611a4e84bc13d

crash_report() {	# VMLINUX OUT DUMP... -> normalized crash output
	local vml=$1 out=$2
	shift 2
	printf 'sys\nbt -a\nlog\nps\nquit\n' >"$REAL/crash.cmds"
	timeout 300 crash -s "$vml" "$@" -i "$REAL/crash.cmds" 2>&1 </dev/null | crash_filter >"$out"
}
crash_filter() {	# crash's report less what names the dump file
	sed -e '/DUMPFILES*:/d' -e '/^  *[^ ]* \[PARTIAL DUMP\]$/d' -e '/^crash: /d'
}

# real_dump LABEL PEER DUMP...: PEER is kdf (libkdumpfile reads it), skip, or a digest.
real_dump() {
	local label=$1 peer=$2 out rc
	shift 2
	out=$REAL/$label.elf
	"$K2E" -f "$@" -o "$out" 2>"$REAL/$label.err"
	rc=$?
	check_eq "$label: converted (exit status)" 0 "$rc"
	[ "$rc" = 0 ] || { cat "$REAL/$label.err"; return; }
	if [ "$peer" = kdf ]; then
		check "$label: libkdumpfile reads the same pages from input and output" \
			real_pages "$label" "$out" "$@"
		echo "   $label: $(cat "$REAL/$label.cmp")"
	elif [ "$peer" != skip ]; then
		real_pages "$label" --digest "$out"
		check_eq "$label: page digest of the output" "$peer" "$(field digest "$REAL/$label.cmp")"
	fi
	check "$label: readelf -lnW is clean" bash -c "! readelf -lnW '$out' 2>&1 >/dev/null | grep -q ."
	check "$label: a NT_PRSTATUS per CPU and VMCOREINFO kept" \
		bash -c "readelf -nW '$out' | grep -q VMCOREINFO && readelf -nW '$out' | grep -q NT_PRSTATUS"
}

# real_peers LABEL VMLINUX ORIGINAL...: crash and drgn on the original and on the output.
# REAL_CRASH_IN, when set, is crash's report of an original that crash reads
# alike (the same dump in another container, see same_crash_oracles): it
# stands for this original's, which is then not read again.
real_peers() {
	local label=$1 vml=$2
	shift 2
	[ -n "${K2E_SANITIZE:-}" ] && return	# only other tools run here: once is enough
	[ -s "$REAL/$label.elf" ] || return
	if [ -z "$vml" ]; then
		note "$label: no vmlinux for this kernel: crash and drgn comparisons not run"
		return
	fi
	if [ -z "${REAL_NO_CRASH:-}" ]; then	# set where crash cannot open the kernel's dumps at all
		if [ -n "${REAL_CRASH_IN:-}" ] && [ -s "$REAL_CRASH_IN" ]; then
			cp "$REAL_CRASH_IN" "$REAL/$label.crash.in"
		else
			crash_report "$vml" "$REAL/$label.crash.in" "$@"
		fi
		crash_report "$vml" "$REAL/$label.crash.out" "$REAL/$label.elf"
		check "$label: crash shows a panic task on the original" grep -q 'PANIC:' "$REAL/$label.crash.in"
		check "$label: crash prints the same sys, bt -a, log and ps on the output" \
			diff -u "$REAL/$label.crash.in" "$REAL/$label.crash.out"
	fi
	if [ $# = 1 ] && ! head -c 12 "$1" | grep -q makedumpfile; then
		$PY "$ROOT/tests/tools/drgn-tasks.py" "$vml" "$1" >"$REAL/$label.drgn.in" 2>&1
		$PY "$ROOT/tests/tools/drgn-tasks.py" "$vml" "$REAL/$label.elf" >"$REAL/$label.drgn.out" 2>&1
		check "$label: drgn lists tasks on the original" grep -q "pid 1 " "$REAL/$label.drgn.in"
		check "$label: drgn lists the same tasks on the output" \
			diff -u "$REAL/$label.drgn.in" "$REAL/$label.drgn.out"
	fi
}

# same_crash_oracles ORACLE_DIR NAME...: the crash reports the fixture
# recorded of vmcore.NAME when it was made are the same (less the file names),
# for every NAME: crash reads those containers of one dump alike.
same_crash_oracles() {
	local dir=$1 first=$2 n
	shift 2
	[ -s "$dir/vmcore.$first.crash.txt" ] || return 1
	for n in "$@"; do
		[ -s "$dir/vmcore.$n.crash.txt" ] &&
			cmp -s <(crash_filter <"$dir/vmcore.$first.crash.txt") \
				<(crash_filter <"$dir/vmcore.$n.crash.txt") || return 1
	done
}

# vmlinux_for DUMP: a vmlinux whose build ID matches the dump's vmcoreinfo.
vmlinux_for() {
	local id v
	# VMCOREINFO is stored uncompressed in every dump format.
	id=$(head -c 16M "$1" | grep -a -o -m 1 'BUILD-ID=[0-9a-f]*' | head -n 1 | cut -d= -f2)
	[ -n "$id" ] || return
	for v in "${K2E_FIXTURE_CACHE:-/var/cache/kdump2elf}"/fixtures/*/vmlinux-* /usr/lib/debug/boot/vmlinux-*; do
		[ -f "$v" ] || continue
		if readelf -n "$v" 2>/dev/null | grep -q "Build ID: $id"; then
			echo "$v"
			return
		fi
	done
}

SHARED=$ROOT/../shared/fixtures/kdump-6.1-k2e
if [ -d "$SHARED" ]; then
	vml=$(vmlinux_for "$SHARED/vmcore.kdump-zlib")
	real_dump shared-kdump-zlib kdf "$SHARED/vmcore.kdump-zlib"
	real_peers shared-kdump-zlib "$vml" "$SHARED/vmcore.kdump-zlib"
	real_dump shared-kdump-lzo kdf "$SHARED/vmcore.kdump-lzo"
	real_dump shared-flat-zlib $SHARED_DIGEST "$SHARED/vmcore.flat-zlib"
	real_peers shared-flat-zlib "$vml" "$SHARED/vmcore.flat-zlib"
	"$K2E" - -o "$REAL/pipe.elf" <"$SHARED/vmcore.flat-zlib" 2>"$REAL/pipe.err"
	check_eq "shared flat-zlib from a pipe: exit status" 0 $?
	real_pages pipe --digest "$REAL/pipe.elf"
	check_eq "shared flat-zlib from a pipe: page digest" $SHARED_DIGEST "$(field digest "$REAL/pipe.cmp")"
	real_dump shared-split-zlib kdf "$SHARED/vmcore.split-zlib.2" "$SHARED/vmcore.split-zlib.1"
	real_peers shared-split-zlib "$vml" "$SHARED/vmcore.split-zlib.1" "$SHARED/vmcore.split-zlib.2"
	sh_elf=$(shared_elf_d31)
	real_dump shared-elf-d31 kdf "$sh_elf"
	real_pages elf --digest "$REAL/shared-elf-d31.elf"
	check_eq "shared elf-d31: page digest" $SHARED_ELF_DIGEST "$(field digest "$REAL/elf.cmp")"
	real_peers shared-elf-d31 "$vml" "$sh_elf"
	rm -f "$REAL"/*.elf
else
	note "../shared/fixtures is not beside this clone: the shared real-dump tests were not run"
fi

. "$ROOT/tests/e2e/generated-fixtures.sh"
. "$ROOT/tests/e2e/generated-arm64.sh"
if [ -n "${K2E_SANITIZE:-}" ]; then
	echo "   $REAL_REUSED outputs the same bytes as the plain build's: its libkdumpfile checks stand"
else
	mv "$REAL_SUMS.new" "$REAL_SUMS"
fi
