# generated-fixtures.sh - the project's own real crash dumps: Debian's current
# cloud kernel crashed under QEMU by tests/fixtures/module, saved by kdump +
# makedumpfile and by QEMU (tests/fixtures/make-fixtures; cached by kernel
# version).  Sourced by real-fixtures.sh (functions real_dump, real_peers).
if [ -n "${K2E_NO_FIXTURES:-}" ]; then
	note "K2E_NO_FIXTURES is set: the generated real-dump tests were not run"
	return 0
fi
echo "   building or finding the generated fixtures (first run: about 5-10 minutes)"
if ! FIXDIR=$("$ROOT/tests/fixtures/make-fixtures" 2>"$REAL/make-fixtures.log" | tail -n 1) ||
	[ ! -d "$FIXDIR" ]; then
	not_ok "tests/fixtures/make-fixtures failed: $(tail -n 5 "$REAL/make-fixtures.log")"
	return 0
fi
vml=$(ls "$FIXDIR"/vmlinux-* 2>/dev/null | head -n 1)
real_flat() {	# LABEL STREAM: convert; compare with makedumpfile -R's file through libkdumpfile
	real_dump "$1" skip "$2"
	if timeout 300 makedumpfile -R "$REAL/$1.R" <"$2" >/dev/null 2>&1; then
		check "$1: libkdumpfile reads makedumpfile -R's file and the output alike" \
			$CMP "$REAL/$1.elf" "$REAL/$1.R" >"$REAL/$1.cmp" 2>&1
		echo "   $1: $(cat "$REAL/$1.cmp")"
	else
		not_ok "$1: makedumpfile -R failed"
	fi
	rm -f "$REAL/$1.R"
}
for shape in "$FIXDIR"/*/; do
	shape=${shape%/}
	s=$(basename "$shape")
	k=$shape/kdump
	q=$shape/qemu
	if [ -d "$k" ]; then
		real_dump "$s-kdump-zlib" kdf "$k/vmcore.kdump-zlib"
		# The digest libkdumpfile recorded when the fixture was made.
		rec=$(grep -o 'digest [0-9a-f]*' "$k/oracle/vmcore.kdump-zlib.kdumpfile.txt" 2>/dev/null |
			tail -n 1 | cut -d' ' -f2)
		check_eq "$s-kdump-zlib: digest as recorded at generation time" "${rec:-none recorded}" \
			"$(field digest "$REAL/$s-kdump-zlib.cmp")"
		real_peers "$s-kdump-zlib" "$vml" "$k/vmcore.kdump-zlib"
		real_dump "$s-kdump-lzo" kdf "$k/vmcore.kdump-lzo"
		real_dump "$s-kdump-nocomp" kdf "$k/vmcore.kdump-nocomp-d1"
		real_flat "$s-flat-zlib" "$k/vmcore.flat-zlib"
		real_peers "$s-flat-zlib" "$vml" "$k/vmcore.flat-zlib"
		real_dump "$s-split-zlib" kdf "$k/vmcore.split-zlib.3" "$k/vmcore.split-zlib.1" \
			"$k/vmcore.split-zlib.2"
		real_peers "$s-split-zlib" "$vml" "$k/vmcore.split-zlib.1" "$k/vmcore.split-zlib.2" \
			"$k/vmcore.split-zlib.3"
		real_dump "$s-elf-d31" kdf "$k/vmcore.elf-d31"
		real_peers "$s-elf-d31" "$vml" "$k/vmcore.elf-d31"
		for bad in incomplete truncated; do
			in=$k/vmcore.$bad-zlib
			"$K2E" -f "$in" -o "$REAL/$s-$bad.elf" 2>"$REAL/$s-$bad.err"
			check_eq "$s-$bad: exit status 3 (pages lost)" 3 $?
			lost=$(sed -n 's/^kdump2elf: \([0-9]*\) of .*/\1/p' "$REAL/$s-$bad.err")
			check "$s-$bad: the lost pages are named" [ -n "$lost" ]
			check "$s-$bad: every kept page reads as libkdumpfile reads the input" \
				$CMP --lost "${lost:-0}" "$REAL/$s-$bad.elf" "$in" >"$REAL/$s-$bad.cmp" 2>&1
			echo "   $s-$bad: $(cat "$REAL/$s-$bad.cmp"), lost ${lost:-?}"
			dumped=$(sed -n 's/^kdump2elf: [0-9]* of \([0-9]*\) pages lost.*/\1/p' "$REAL/$s-$bad.err")
			check_eq "$s-$bad: kept + lost pages = dumped pages" "${dumped:-?}" \
				"$(( $(field compared "$REAL/$s-$bad.cmp") + ${lost:-0} ))"
		done
		rm -f "$REAL"/*.elf
	fi
	if [ -d "$q" ]; then
		real_dump "$s-qemu-elf" kdf "$q/vmcore.qemu-elf"
		real_flat "$s-qemu-flat" "$q/vmcore.qemu-flat-zlib"
		real_peers "$s-qemu-flat" "$vml" "$q/vmcore.qemu-flat-zlib"
		rm -f "$REAL"/*.elf
	fi
done
