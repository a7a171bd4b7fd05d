# generated-fixtures.sh - the project's own real crash dumps of every kernel of
# the fixture matrix (Debian 11's 5.10, Debian 12's 6.1, bookworm-backports'
# 6.12), crashed under QEMU by tests/fixtures/module, saved by kdump +
# makedumpfile and by QEMU (tests/fixtures/make-fixtures --all; cached by
# kernel version).  Sourced by real-fixtures.sh (functions real_dump,
# real_peers).  Sets FIXDIRS (one directory per kernel) and FIXDIR (6.1's,
# which gdb.sh, sidecar.sh and batch.sh also use).
if [ -n "${K2E_NO_FIXTURES:-}" ]; then
	note "K2E_NO_FIXTURES is set: the generated real-dump tests were not run"
	return 0
fi
echo "   building or finding the generated fixtures (first run: about 15-25 minutes)"
FIXDIRS=$("$ROOT/tests/fixtures/make-fixtures" --all 2>"$REAL/make-fixtures.log")
fix_rc=$?
FIXDIRS=$(for d in $FIXDIRS; do [ -d "$d" ] && echo "$d"; done)
if [ $fix_rc != 0 ]; then
	not_ok "tests/fixtures/make-fixtures --all failed: $(tail -n 5 "$REAL/make-fixtures.log")"
fi
for kern in $("$ROOT/tests/fixtures/make-fixtures" --list); do
	d=$(for x in $FIXDIRS; do case $(basename "$x") in "$kern".*) echo "$x" ;; esac; done | head -n 1)
	check "make-fixtures --all made fixtures of the $kern kernel" [ -n "$d" ]
	[ "$kern" = 6.1 ] && FIXDIR=$d
done
[ -n "$FIXDIRS" ] || return 0

real_flat() {	# LABEL STREAM: convert from the file and from a pipe; compare with makedumpfile -R's file
	real_dump "$1" skip "$2"
	if timeout 300 makedumpfile -R "$REAL/$1.R" <"$2" >/dev/null 2>&1; then
		check "$1: libkdumpfile reads makedumpfile -R's file and the output alike" \
			real_pages "$1" "$REAL/$1.elf" "$REAL/$1.R"
		echo "   $1: $(cat "$REAL/$1.cmp")"
		# a real pipe (not a redirected file, which could be seeked)
		cat "$2" | "$K2E" -f - -o "$REAL/$1-pipe.elf" 2>"$REAL/$1-pipe.err"
		check_eq "$1 from a pipe: converted (exit status)" "0 0" "${PIPESTATUS[*]}"
		check "$1 from a pipe: libkdumpfile reads makedumpfile -R's file and the output alike" \
			real_pages "$1-pipe" "$REAL/$1-pipe.elf" "$REAL/$1.R"
		echo "   $1 from a pipe: $(cat "$REAL/$1-pipe.cmp")"
		rm -f "$REAL/$1-pipe.elf"
	else
		not_ok "$1: makedumpfile -R failed"
	fi
	rm -f "$REAL/$1.R"
}
for kdir in $FIXDIRS; do
	kern=$(basename "$kdir" | sed 's/^\([0-9]*\.[0-9]*\)\..*/\1/')
	vml=$(ls "$kdir"/vmlinux-* 2>/dev/null | head -n 1)
	# crash 8.0.2 cannot open 6.12 dumps ("cannot determine base kernel version"):
	# when the fixture's own crash record of kdump-zlib has no panic, crash is not compared.
	REAL_NO_CRASH=
	if ! grep -q 'PANIC:' "$kdir"/*/kdump/oracle/vmcore.kdump-zlib.crash.txt 2>/dev/null; then
		REAL_NO_CRASH=1
		note "$kern: crash cannot open this kernel's dumps (see oracle/*.crash.txt): only drgn compared"
	fi
	for shape in "$kdir"/*/; do
		shape=${shape%/}
		s=$kern-$(basename "$shape")
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
			# makedumpfile 1.7.6 (5.10, 6.12) writes zstd; Debian's builds have no snappy
			if [ "$kern" != 6.1 ]; then
				check "$s: the capture kernel wrote a zstd dump" [ -s "$k/vmcore.kdump-zstd" ]
			fi
			for c in zstd snappy; do
				[ -f "$k/vmcore.kdump-$c" ] || continue
				real_dump "$s-kdump-$c" kdf "$k/vmcore.kdump-$c"
				check_eq "$s-kdump-$c: same pages as kdump-zlib" \
					"$(field digest "$REAL/$s-kdump-zlib.cmp")" "$(field digest "$REAL/$s-kdump-$c.cmp")"
			done
			real_dump "$s-kdump-nocomp" kdf "$k/vmcore.kdump-nocomp-d1"
			# crash read the flattened, split and ELF containers as it read
			# kdump-zlib when the fixture was made: its report of that
			# original stands for theirs (each output still gets its own).
			REAL_CRASH_IN=
			if [ -z "$REAL_NO_CRASH" ] && [ -n "$vml" ]; then
				if same_crash_oracles "$k/oracle" kdump-zlib flat-zlib split-zlib elf-d31; then
					REAL_CRASH_IN=$REAL/$s-kdump-zlib.crash.in
				else
					note "$s: crash's recorded reports of the containers differ: crash reads each original"
				fi
			fi
			real_flat "$s-flat-zlib" "$k/vmcore.flat-zlib"
			real_peers "$s-flat-zlib" "$vml" "$k/vmcore.flat-zlib"
			real_dump "$s-split-zlib" kdf "$k/vmcore.split-zlib.3" "$k/vmcore.split-zlib.1" \
				"$k/vmcore.split-zlib.2"
			real_peers "$s-split-zlib" "$vml" "$k/vmcore.split-zlib.1" "$k/vmcore.split-zlib.2" \
				"$k/vmcore.split-zlib.3"
			real_dump "$s-elf-d31" kdf "$k/vmcore.elf-d31"
			real_peers "$s-elf-d31" "$vml" "$k/vmcore.elf-d31"
			REAL_CRASH_IN=
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
			real_dump "$s-qemu-elf" kdf "$q/vmcore.qemu-elf"
			real_flat "$s-qemu-flat" "$q/vmcore.qemu-flat-zlib"
			real_peers "$s-qemu-flat" "$vml" "$q/vmcore.qemu-flat-zlib"
			rm -f "$REAL"/*.elf
		fi
	done
done
REAL_NO_CRASH=
