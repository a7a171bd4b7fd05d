# synthetic.sh - every synthetic dump of synthetic.list: convert, then check the
# output against the generator's expectation and an independent reader.
# Sourced by run-all.sh (T, K2E, GEN, ROOT, lib.sh).
SYN=$T/syn
mkdir -p "$SYN"
CMP="$PY $ROOT/tests/tools/kdf-compare.py"

syn_inputs() {	# NAME -> the input file(s) the generator wrote
	if [ -e "$SYN/$1.1" ]; then ls "$SYN/$1".[0-9]*; else echo "$SYN/$1"; fi
}

while read -r name peer; do
	case $name in ''|'#'*) continue ;; esac
	spec=$ROOT/tests/gen/specs/$name.spec
	if ! "$GEN" "$spec" "$SYN/$name" >/dev/null 2>"$SYN/$name.generr"; then
		not_ok "$name: generator failed: $(cat "$SYN/$name.generr")"
		continue
	fi
	ex=$SYN/$name.expect
	want_rc=0
	[ "$(field lost "$ex")" = 0 ] || want_rc=3
	# shellcheck disable=SC2046
	"$K2E" --threads 2 $(syn_inputs "$name") -o "$SYN/$name.elf" 2>"$SYN/$name.err"
	rc=$?
	check_eq "$name: exit status" "$want_rc" "$rc"
	[ -e "$SYN/$name.elf" ] || { not_ok "$name: no output"; continue; }
	$CMP --digest "$SYN/$name.elf" >"$SYN/$name.dig" 2>&1
	check_eq "$name: digest (libkdumpfile on output vs generator)" "$(field digest "$ex")" \
		"$(field digest "$SYN/$name.dig")"
	check_eq "$name: pages" "$(field pages "$ex")" "$(field compared "$SYN/$name.dig")"
	check_eq "$name: zero pages" "$(field zero "$ex")" "$(field zero "$SYN/$name.dig")"
	if [ "$want_rc" = 3 ]; then
		got=$(grep -c '' <(grep -o 'LOST=.*' <(strings -n 5 "$SYN/$name.elf")))
		check "$name: lost ranges recorded in the KDUMP2ELF note" [ "$got" -gt 0 ]
	fi
	case $peer in
	split)
		# shellcheck disable=SC2046
		check "$name: libkdumpfile reads input and output alike" \
			$CMP "$SYN/$name.elf" $(syn_inputs "$name") >"$SYN/$name.cmp" 2>&1
		# shellcheck disable=SC2046
		if makedumpfile --reassemble $(syn_inputs "$name") "$SYN/$name.re" >/dev/null 2>&1; then
			check "$name: output matches makedumpfile --reassemble + libkdumpfile" \
				$CMP "$SYN/$name.elf" "$SYN/$name.re" >"$SYN/$name.cmp" 2>&1
		else
			not_ok "$name: makedumpfile --reassemble failed"
		fi
		rm -f "$SYN/$name.re"
		;;
	kdf)
		# shellcheck disable=SC2046
		check "$name: libkdumpfile reads input and output alike" \
			$CMP "$SYN/$name.elf" $(syn_inputs "$name") >"$SYN/$name.cmp" 2>&1
		;;
	flat | flat-file)
		if makedumpfile -R "$SYN/$name.R" <"$SYN/$name" >/dev/null 2>&1; then
			check "$name: output matches makedumpfile -R + libkdumpfile" \
				$CMP "$SYN/$name.elf" "$SYN/$name.R" >"$SYN/$name.cmp" 2>&1
		else
			not_ok "$name: makedumpfile -R failed"
		fi
		if [ "$peer" = flat ]; then
			cat "$SYN/$name" | "$K2E" - -o "$SYN/$name.pipe.elf" 2>/dev/null
			$CMP --digest "$SYN/$name.pipe.elf" >"$SYN/$name.pdig" 2>&1
			check_eq "$name: from a pipe, same pages" "$(field digest "$ex")" \
				"$(field digest "$SYN/$name.pdig")"
		fi
		;;
	esac
	# One thread or many: the same bytes.
	# shellcheck disable=SC2046
	"$K2E" --threads 1 $(syn_inputs "$name") -o "$SYN/$name.t1.elf" 2>/dev/null
	check "$name: --threads 1 and 2 give identical files" cmp -s "$SYN/$name.elf" "$SYN/$name.t1.elf"
	check "$name: readelf -lnW is clean" \
		bash -c "! readelf -lnW '$SYN/$name.elf' 2>&1 >/dev/null | grep -q ."
	rm -f "$SYN/$name.t1.elf" "$SYN/$name.R" "$SYN/$name.pipe.elf"
done <"$ROOT/tests/e2e/synthetic.list"

# A 1 TiB machine with a few thousand pages: bounded memory, sparse output.
if [ -e "$SYN/sparse-1tib.elf" ] && [ -z "${K2E_SANITIZE:-}" ]; then	# ASan's shadow memory is not ours
	rss=$( { /usr/bin/time -f '%M' "$K2E" -f "$SYN/sparse-1tib" -o "$SYN/sparse.elf" 2>&1 >/dev/null; } | tail -n 1)
	check "sparse 1 TiB dump: peak RSS ${rss} KiB < 64 MiB" [ "${rss:-999999}" -lt 65536 ]
	apparent=$(stat -c %s "$SYN/sparse.elf")
	used=$(( $(stat -c %b "$SYN/sparse.elf") * $(stat -c %B "$SYN/sparse.elf") ))
	check "sparse 1 TiB dump: output is sparse ($used of $apparent bytes allocated)" \
		[ "$used" -lt $((64 << 20)) ]
	rm -f "$SYN/sparse.elf"
fi

# A flattened stream far out of order, from a pipe, with a 1 MiB buffer: the
# waiting records go to a temporary file, the tool says so, and the pages are
# still the generator's.
"$GEN" -e 'format flat; max_mapnr 0x1000; codec zlib; mix random=90 zero=10; flat_record_size 65536; flat_shuffle 7' \
	"$SYN/spill" >/dev/null
cat "$SYN/spill" | TMPDIR=$SYN "$K2E" --stream-buffer 1 - -o "$SYN/spill.elf" 2>"$SYN/spill.err"
check_eq "out-of-order stream, 1 MiB buffer: exit status" 0 $?
check "out-of-order stream, 1 MiB buffer: says records waited in a temporary file" \
	grep -qE "^kdump2elf: -: records out of order: [0-9.]+ MiB waited in a temporary file \($SYN\); [0-9.]+ MiB at most in memory$" "$SYN/spill.err"
$CMP --digest "$SYN/spill.elf" >"$SYN/spill.dig" 2>&1
check_eq "out-of-order stream, 1 MiB buffer: same pages" "$(field digest "$SYN/spill.expect")" \
	"$(field digest "$SYN/spill.dig")"
cat "$SYN/spill" | "$K2E" - -o "$SYN/spill2.elf" 2>"$SYN/spill.err"
check "out-of-order stream, default buffer: nothing spilled, nothing said" [ ! -s "$SYN/spill.err" ]
check "out-of-order stream: same core either way" cmp -s "$SYN/spill.elf" "$SYN/spill2.elf"
rm -f "$SYN/spill.elf" "$SYN/spill2.elf"
