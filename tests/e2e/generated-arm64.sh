# generated-arm64.sh - the project's own real arm64 crash dumps: Debian's current
# cloud-arm64 kernel crashed under qemu-system-aarch64 (TCG) by tests/fixtures/module,
# saved by kdump + makedumpfile and by QEMU (tests/fixtures/make-fixtures-arm64;
# cached by kernel version).  Every variant is converted and checked page by page
# with libkdumpfile, and against the digest libkdumpfile recorded when the fixture
# was made.  Sourced by real-fixtures.sh (function real_dump); crash cannot read
# arm64 dumps here (Debian's is an x86_64 build), so real_peers is not run.
if [ -n "${K2E_NO_FIXTURES:-}" ]; then
	note "K2E_NO_FIXTURES is set: the generated arm64 real-dump tests were not run"
	return 0
fi
echo "   building or finding the generated arm64 fixtures (first run: about 5 minutes)"
if ! A64DIR=$("$ROOT/tests/fixtures/make-fixtures-arm64" 2>"$REAL/make-fixtures-arm64.log" | tail -n 1) ||
	[ ! -d "$A64DIR" ]; then
	not_ok "tests/fixtures/make-fixtures-arm64 failed: $(tail -n 5 "$REAL/make-fixtures-arm64.log")"
	return 0
fi

# a64_recorded DIR NAME: the page digest libkdumpfile recorded for a dump at generation time
a64_recorded() {
	grep -o 'digest [0-9a-f]*' "$1/oracle/$2.kdumpfile.txt" 2>/dev/null | tail -n 1 | cut -d' ' -f2
}
# a64_dump LABEL DIR NAME FILE...: real_dump with libkdumpfile, then the recorded digest
a64_dump() {
	local label=$1 dir=$2 name=$3 rec
	shift 3
	real_dump "$label" kdf "$@"
	[ -s "$REAL/$label.cmp" ] || return
	rec=$(a64_recorded "$dir" "$name")
	check_eq "$label: digest as recorded at generation time" "${rec:-none recorded}" \
		"$(field digest "$REAL/$label.cmp")"
}
# a64_flat LABEL DIR NAME STREAM: convert; libkdumpfile on makedumpfile -R's file and on the output
a64_flat() {
	local label=$1 dir=$2 name=$3 stream=$4 rec
	real_dump "$label" skip "$stream"
	rm -f "$REAL/$label.R"
	if timeout 300 makedumpfile -R "$REAL/$label.R" <"$stream" >/dev/null 2>&1; then
		check "$label: libkdumpfile reads makedumpfile -R's file and the output alike" \
			real_pages "$label" "$REAL/$label.elf" "$REAL/$label.R"
		echo "   $label: $(cat "$REAL/$label.cmp")"
		rec=$(a64_recorded "$dir" "$name.R")
		[ -z "$rec" ] || check_eq "$label: digest as recorded at generation time (of the -R file)" \
			"$rec" "$(field digest "$REAL/$label.cmp")"
	else
		not_ok "$label: makedumpfile -R failed"
	fi
	rm -f "$REAL/$label.R"
}
for shape in "$A64DIR"/*/; do
	shape=${shape%/}
	s=arm64-$(basename "$shape")
	k=$shape/kdump
	q=$shape/qemu
	if [ -d "$k" ]; then
		a64_dump "$s-kdump-zlib" "$k" vmcore.kdump-zlib "$k/vmcore.kdump-zlib"
		a64_dump "$s-kdump-lzo" "$k" vmcore.kdump-lzo "$k/vmcore.kdump-lzo"
		a64_dump "$s-kdump-nocomp" "$k" vmcore.kdump-nocomp-d1 "$k/vmcore.kdump-nocomp-d1"
		a64_flat "$s-flat-zlib" "$k" vmcore.flat-zlib "$k/vmcore.flat-zlib"
		a64_dump "$s-split-zlib" "$k" vmcore.split-zlib "$k/vmcore.split-zlib.3" "$k/vmcore.split-zlib.1" \
			"$k/vmcore.split-zlib.2"
		a64_dump "$s-elf-d31" "$k" vmcore.elf-d31 "$k/vmcore.elf-d31"
		check "$s: machine is AArch64" bash -c "readelf -hW '$REAL/$s-kdump-zlib.elf' | grep -q AArch64"
		for bad in incomplete truncated; do
			in=$k/vmcore.$bad-zlib
			"$K2E" -f "$in" -o "$REAL/$s-$bad.elf" 2>"$REAL/$s-$bad.err"
			check_eq "$s-$bad: exit status 3 (pages lost)" 3 $?
			lost=$(sed -n 's/^kdump2elf: \([0-9]*\) of .*/\1/p' "$REAL/$s-$bad.err")
			check "$s-$bad: the lost pages are named" [ -n "$lost" ]
			check "$s-$bad: every kept page reads as libkdumpfile reads the input" \
				real_pages "$s-$bad" --lost "${lost:-0}" "$REAL/$s-$bad.elf" "$in"
			echo "   $s-$bad: $(cat "$REAL/$s-$bad.cmp"), lost ${lost:-?}"
			dumped=$(sed -n 's/^kdump2elf: [0-9]* of \([0-9]*\) pages lost.*/\1/p' "$REAL/$s-$bad.err")
			check_eq "$s-$bad: kept + lost pages = dumped pages" "${dumped:-?}" \
				"$(( $(field compared "$REAL/$s-$bad.cmp") + ${lost:-0} ))"
		done
		rm -f "$REAL"/*.elf
	fi
	if [ -d "$q" ]; then
		a64_dump "$s-qemu-elf" "$q" vmcore.qemu-elf "$q/vmcore.qemu-elf"
		# libkdumpfile 0.5.1 cannot open makedumpfile -R's copy of QEMU's arm64 stream (QEMU
		# leaves utsname empty: no arch name; it crashes): QEMU wrote both dumps of the same
		# paused guest, so the output must hold QEMU's ELF's pages
		real_dump "$s-qemu-flat" "$(a64_recorded "$q" vmcore.qemu-elf)" "$q/vmcore.qemu-flat-zlib"
		rm -f "$REAL"/*.elf
	fi
done
