# inflate.sh - zlib pages through the fast decoder (libdeflate, or ISA-L:
# codecs/codec.c) come out as they do through zlib's inflate (the
# kdump2elf-zlib build, the same program with zlib alone): every output file
# byte for byte, the exit status and every message, on every synthetic dump
# with zlib pages (tests/gen/specs), the shared real dumps and the generated
# real zlib dumps.  Sourced by run-all.sh after real-fixtures.sh (FIXDIRS,
# A64DIR); run alone, it takes the finished fixtures from the cache.
INF=$T/inflate
mkdir -p "$INF"
K2EZ=$ROOT/$O/kdump2elf-zlib
INF_SHARED=$ROOT/../shared/fixtures/kdump-6.1-k2e

inf_decoder=$("$K2E" --version | sed -n 's/^codecs:.* zlib (\([^)]*\)).*/\1/p')
check "kdump2elf-zlib decodes zlib pages with zlib itself" \
	bash -c "'$K2EZ' --version | grep -q '^codecs: zlib,'"

# inf_same LABEL ARG...: kdump2elf and kdump2elf-zlib, run in $INF on the
# same arguments with the same output name (OUT.gdb names it), give the same
# exit status, standard error and output files.  With INF_PIPE=FILE set, each
# reads FILE from a pipe (argument -).
inf_same() {
	local label=$1 rc1 rc2 f bad=
	shift
	rm -rf "$INF/new" && mkdir -p "$INF/new"
	rm -f "$INF"/out.elf*
	(cd "$INF" && cat "${INF_PIPE:-/dev/null}" | "$K2E" -f "$@" -o out.elf) 2>"$INF/new/stderr"
	rc1=$?
	for f in "$INF"/out.elf*; do [ -e "$f" ] && mv "$f" "$INF/new/"; done
	(cd "$INF" && cat "${INF_PIPE:-/dev/null}" | "$K2EZ" -f "$@" -o out.elf) 2>"$INF/stderr"
	rc2=$?
	[ "$rc1" = "$rc2" ] || bad="exit status $rc1, zlib's $rc2"
	cmp -s "$INF/new/stderr" "$INF/stderr" || bad="$bad; messages differ: $(diff "$INF/stderr" "$INF/new/stderr" | head -n 3 | tr '\n' ' ')"
	for f in "$INF"/new/out.elf*; do
		[ -e "$f" ] || continue
		cmp -s "$f" "$INF/${f##*/}" || bad="$bad; ${f##*/} differs"
	done
	for f in "$INF"/out.elf*; do
		[ -e "$f" ] && [ ! -e "$INF/new/${f##*/}" ] && bad="$bad; only zlib's build wrote ${f##*/}"
	done
	if [ -z "$bad" ]; then ok "$label: $inf_decoder and zlib agree"; else not_ok "$label: ${bad#; }"; fi
	INF_LAST_RC=$rc1
	rm -f "$INF"/out.elf* "$INF"/new/out.elf*
}

if [ -z "$inf_decoder" ]; then
	note "kdump2elf decodes zlib pages with zlib (built without libdeflate and ISA-L): inflate.sh compared nothing"
	return 0
fi
check "kdump2elf decodes zlib pages with libdeflate or ISA-L" \
	bash -c "case '$inf_decoder' in libdeflate|isa-l) true ;; *) false ;; esac"
inf_t0=$(date +%s)

# Every synthetic dump with zlib pages, the corrupt ones included (their
# messages come from zlib either way: codecs/zlib-libdeflate.c).
inf_n=0
for spec in "$ROOT"/tests/gen/specs/*.spec; do
	grep -q '^codec.*zlib' "$spec" || continue
	name=$(basename "$spec" .spec)
	# made already by synthetic.sh or bad-inputs.sh, or made here
	dir=$INF
	for d in "$T/syn" "$T/bad"; do
		if [ -f "$d/$name.expect" ] && { [ -f "$d/$name" ] || [ -f "$d/$name.1" ]; }; then
			dir=$d
			break
		fi
	done
	if [ "$dir" = "$INF" ] && ! "$GEN" "$spec" "$INF/$name" >/dev/null 2>"$INF/generr"; then
		not_ok "$name: generator failed: $(cat "$INF/generr")"
		continue
	fi
	# shellcheck disable=SC2046
	inf_same "$name" --threads 2 $(if [ -e "$dir/$name.1" ]; then ls "$dir/$name".[0-9]*; else echo "$dir/$name"; fi)
	inf_n=$((inf_n + 1))
	[ "$dir" = "$INF" ] && rm -f "$INF/$name" "$INF/$name".[0-9]* "$INF/$name.expect"
done
check "synthetic dumps with zlib pages: at least 20 compared (got $inf_n)" [ "$inf_n" -ge 20 ]

# A page that decodes with neither: zlib's exact message, as before.
if [ -e "$ROOT/tests/e2e/expected/bad-corrupt-page.stderr" ]; then
	"$GEN" "$ROOT/tests/gen/specs/bad-corrupt-page.spec" "$INF/bad-corrupt-page" >/dev/null 2>&1
	(cd "$INF" && "$K2E" -f --threads 1 bad-corrupt-page -o c.elf) 2>"$INF/c.err"
	check "bad-corrupt-page: zlib's message for the zlib page" \
		grep -q 'zlib: page decompresses to 2048 bytes, expected 4096' "$INF/c.err"
	rm -f "$INF"/bad-corrupt-page* "$INF"/c.elf*
fi

# The shared real dumps: every output of the default command on one, the
# core of the others.
if [ -f "$INF_SHARED/vmcore.kdump-zlib" ]; then
	inf_same "shared kdump-zlib (core, .gdb, .sym)" "$INF_SHARED/vmcore.kdump-zlib"
	INF_PIPE=$INF_SHARED/vmcore.flat-zlib inf_same "shared flat-zlib, from a pipe" \
		--no-sidecar --no-gdb-script -
	inf_same "shared split-zlib" --no-sidecar --no-gdb-script \
		"$INF_SHARED/vmcore.split-zlib.1" "$INF_SHARED/vmcore.split-zlib.2"
else
	note "no shared fixtures beside this clone: inflate.sh did not compare them"
fi

# The generated real zlib dumps: makedumpfile's (whole, incomplete, truncated)
# and QEMU's (its own zlib pages, flattened), every kernel; the flattened and
# split forms hold the same pages as vmcore.kdump-zlib.  The sanitizer pass
# takes the first kernel only.
if [ -z "${K2E_NO_FIXTURES:-}" ]; then
	inf_dirs="${FIXDIRS:-} ${A64DIR:-}"
	if [ -z "${FIXDIRS:-}${A64DIR:-}" ]; then	# alone: the finished ones in the cache
		inf_dirs=$(for d in "${K2E_FIXTURE_CACHE:-/var/cache/kdump2elf}"/fixtures/*/; do
			[ -f "$d/MANIFEST" ] && echo "${d%/}"; done)
	fi
	inf_k=0
	for kdir in $inf_dirs; do
		[ -d "$kdir" ] || continue
		[ -n "${K2E_SANITIZE:-}" ] && [ "$inf_k" -ge 1 ] && break
		inf_k=$((inf_k + 1))
		for f in "$kdir"/*/kdump/vmcore.kdump-zlib "$kdir"/*/kdump/vmcore.incomplete-zlib \
			"$kdir"/*/kdump/vmcore.truncated-zlib "$kdir"/*/qemu/vmcore.qemu-flat-zlib; do
			[ -f "$f" ] || continue
			l=$(basename "$kdir")/${f#"$kdir"/}
			inf_same "$l" --no-sidecar --no-gdb-script "$f"
			case $f in
			*kdump-zlib | *qemu-flat-zlib) check_eq "$l: converted" 0 "$INF_LAST_RC" ;;
			*) check_eq "$l: converted, pages lost" 3 "$INF_LAST_RC" ;;
			esac
		done
	done
	[ "$inf_k" -gt 0 ] || note "no generated fixtures finished: inflate.sh compared none of them"
fi
echo "   inflate: zlib pages by $inf_decoder, compared with zlib's inflate in $(( $(date +%s) - inf_t0 )) s"
