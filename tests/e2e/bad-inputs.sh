# bad-inputs.sh - every bad input and usage mistake has its exact message and
# exit status, and leaves no output behind.  Sourced by run-all.sh.
BAD=$T/bad
mkdir -p "$BAD"

bad_inputs() {
	if [ -e "$BAD/$1.1" ]; then (cd "$BAD" && ls "$1".[0-9]*); else echo "$1"; fi
}

# Each with one decoding thread and with four: the same messages in the same
# order (lost pages are described in pfn order) and the same core.
while read -r name want; do
	case $name in ''|'#'*) continue ;; esac
	"$GEN" "$ROOT/tests/gen/specs/$name.spec" "$BAD/$name" >/dev/null 2>&1 ||
		{ not_ok "$name: generator failed"; continue; }
	for th in 1 4; do
		rm -f "$BAD/$name.elf" "$BAD/$name.elf.gdb" "$BAD/$name.elf.sym"
		# shellcheck disable=SC2046
		(cd "$BAD" && "$K2E" --threads $th $(bad_inputs "$name") -o "$name.elf") \
			2>"$BAD/$name.stderr"
		rc=$?
		check_eq "$name, --threads $th: exit status" "$want" "$rc"
		check "$name, --threads $th: exact message" \
			diff -u "$ROOT/tests/e2e/expected/$name.stderr" "$BAD/$name.stderr"
		if [ "$want" = 1 ]; then
			check "$name, --threads $th: no output left behind" [ ! -e "$BAD/$name.elf" ]
		elif [ $th = 1 ]; then
			check "$name: partial output written" [ -s "$BAD/$name.elf" ]
			mv "$BAD/$name.elf" "$BAD/$name.t1.core"
		else
			check "$name: the same core with 4 threads" cmp -s "$BAD/$name.t1.core" "$BAD/$name.elf"
		fi
	done
done <"$ROOT/tests/e2e/bad-inputs.list"

# An 8 KiB ELF whose PT_LOAD declares 1 TiB: the lost range is found at open,
# so the work and the core are small (the sizes of the segments are not believed).
start=$(date +%s%N)
(cd "$BAD" && timeout 20 "$K2E" -f --no-gdb-script --no-sidecar bad-elf-1tib -o 1tib.elf) 2>/dev/null
check_eq "1 TiB declared in 8 KiB: exit status" 3 $?
check "1 TiB declared in 8 KiB: done in under 5 s" [ $(( ($(date +%s%N) - start) / 1000000 )) -lt 5000 ]
check "1 TiB declared in 8 KiB: the core is under 8 MiB, even its holes" \
	[ "$(stat -c %s "$BAD/1tib.elf")" -lt $((8 << 20)) ]
# From a pipe the size is known only at the end: the rest of the segment is
# then lost as one run, not page by page.  (The core's layout still has room
# for what the headers declared: a pipe cannot be measured first.)
(cd "$BAD" && cat bad-elf-1tib | timeout 60 "$K2E" -f --no-gdb-script --no-sidecar - -o 1tib-pipe.elf) \
	2>"$BAD/err"
check_eq "1 TiB declared in 8 KiB, from a pipe: exit status" 3 $?
check_eq "1 TiB declared in 8 KiB, from a pipe: messages" \
	"kdump2elf: warning: -: pfn 0x1: page data at 0x2000: page data past end of file
kdump2elf: 268435455 of 268435456 pages lost (pfns 0x1-0xfffffff); '1tib-pipe.elf' holds the rest" \
	"$(cat "$BAD/err")"
rm -f "$BAD/1tib-pipe.elf"
check "no temporary files left in the output directory" \
	bash -c "! ls -A '$BAD' | grep -q '^\.'"

# expect_usage NAME WANT_RC WANT_FIRST_LINE CMD...
expect_msg() {
	local name=$1 want=$2 line=$3 rc
	shift 3
	(cd "$BAD" && "$@") >"$BAD/out" 2>"$BAD/err"
	rc=$?
	check_eq "$name: exit status" "$want" "$rc"
	check_eq "$name: message" "$line" "$(head -n 1 "$BAD/err")"
}

"$GEN" -e 'max_mapnr 0x400; codec zlib' "$BAD/small" >/dev/null
expect_msg "no output option" 2 "kdump2elf: no output file given (-o)" "$K2E" small
expect_msg "no dump" 2 "kdump2elf: no dump given" "$K2E" -o x.elf
expect_msg "bad --threads" 2 "kdump2elf: --threads: 'zero' is not a number from 1 to 1024" \
	"$K2E" --threads zero small -o x.elf
expect_msg "bad --stream-buffer" 2 "kdump2elf: --stream-buffer: '0' is not a number of MiB from 1 to 65536" \
	"$K2E" --stream-buffer 0 small -o x.elf
expect_msg "missing input" 1 "kdump2elf: nope: cannot open: No such file or directory" \
	"$K2E" nope -o x.elf
check "missing input: no output" [ ! -e "$BAD/x.elf" ]
expect_msg "directory as input" 1 "kdump2elf: .: is a directory" "$K2E" . -o x.elf
expect_msg "output is the input" 2 "kdump2elf: output 'small' is one of the inputs" \
	"$K2E" -f small -o small
ln -sf small "$BAD/small.link"
expect_msg "output is the input through a link" 2 \
	"kdump2elf: output 'small.link' is one of the inputs" "$K2E" -f small -o small.link
echo old >"$BAD/exists.elf"
expect_msg "existing output without -f" 2 \
	"kdump2elf: 'exists.elf' already exists (use -f to replace it)" "$K2E" small -o exists.elf
check_eq "existing output untouched" "old" "$(cat "$BAD/exists.elf")"
expect_msg "existing output with -f" 0 "" "$K2E" -f small -o exists.elf
check "existing output replaced by a core" bash -c "readelf -h '$BAD/exists.elf' | grep -q 'CORE'"
expect_msg "output directory missing" 1 \
	"kdump2elf: cannot create a file in 'no/such': No such file or directory" \
	"$K2E" small -o no/such/x.elf

# A full disk: the file size limit makes writes fail the same way.
(cd "$BAD" && bash -c "trap '' XFSZ; ulimit -f 1024; exec '$K2E' --threads 1 small -o full.elf") \
	2>"$BAD/err"
check_eq "write error (disk full): exit status" 1 $?
check "write error (disk full): message names the offset" \
	grep -qE '^kdump2elf: cannot write output at offset 0x[0-9a-f]+: File too large$' "$BAD/err"
check "write error: no output, no temporary file" \
	bash -c "[ ! -e '$BAD/full.elf' ] && ! ls -A '$BAD' | grep -q '^\.full'"
# The same with two decoders feeding the writer thread: it must stop them all.
(cd "$BAD" && bash -c "trap '' XFSZ; ulimit -f 1024; exec '$K2E' --threads 2 small -o full.elf") \
	2>"$BAD/err"
check_eq "write error, --threads 2: exit status" 1 $?
check "write error, --threads 2: message names the offset" \
	grep -qE '^kdump2elf: cannot write output at offset 0x[0-9a-f]+: File too large$' "$BAD/err"
check "write error, --threads 2: no output, no temporary file" \
	bash -c "[ ! -e '$BAD/full.elf' ] && ! ls -A '$BAD' | grep -q '^\.full'"

# Split sets: a missing piece, and the pieces in any order.
"$GEN" "$ROOT/tests/gen/specs/split3.spec" "$BAD/sp" >/dev/null
expect_msg "split set missing a piece" 1 \
	"kdump2elf: split set incomplete: pfns 0x1840-0x381f are in no piece (sp.1 .. sp.3)" \
	"$K2E" sp.3 sp.1 -o sp.elf
expect_msg "split set in any order" 0 "" "$K2E" sp.3 sp.1 sp.2 -o sp.elf
expect_msg "split piece with a lone dump" 1 \
	"kdump2elf: small: not a piece of the same dump as 'sp.1' (headers differ)" \
	"$K2E" sp.1 small -o sp2.elf
expect_msg "ELF given with another file" 1 \
	"kdump2elf: elf: a elf dump is one file, but 2 inputs were given" \
	bash -c "'$GEN' -e 'format elf64; max_mapnr 0x100' elf >/dev/null && '$K2E' elf small -o e.elf"

# A codec that is not built in is named as such, not as corruption.
if make -s -C "$ROOT" O="$T/nozstd" HAVE_ZSTD=0 "$T/nozstd/kdump2elf" >/dev/null 2>&1; then
	"$GEN" -e 'max_mapnr 0x400; codec zstd' "$BAD/zstd" >/dev/null
	expect_msg "codec not built" 1 \
		"kdump2elf: zstd: pfn 0x1: page descriptor at 0x4018: zstd support not built" \
		"$T/nozstd/kdump2elf" zstd -o z.elf
	check "codec not built: no output" [ ! -e "$BAD/z.elf" ]
else
	not_ok "could not build kdump2elf without zstd"
fi

# Progress: on a terminal a percentage, cleared at the end; otherwise silence.
(cd "$BAD" && "$K2E" -f sp.1 sp.2 sp.3 -o quiet.elf) >"$BAD/out" 2>"$BAD/err"
check_eq "no terminal: a clean conversion prints nothing" "" "$(cat "$BAD/out" "$BAD/err")"
if command -v script >/dev/null; then
	(cd "$BAD" && script -qec "'$K2E' -f sp.1 sp.2 sp.3 -o tty.elf" /dev/null) >"$BAD/tty" 2>&1
	check "terminal: progress is shown" grep -q '100% (18336 of 18336 pages)' "$BAD/tty"
	(cd "$BAD" && script -qec "'$K2E' -q -f sp.1 sp.2 sp.3 -o tty.elf" /dev/null) >"$BAD/tty" 2>&1
	check_eq "terminal with -q: nothing" "" "$(tr -d '\r' <"$BAD/tty")"
else
	note "no script(1): the terminal progress test was not run"
fi
