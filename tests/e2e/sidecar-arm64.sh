# sidecar-arm64.sh - arm64 with no vmlinux anywhere (issue 12): the sidecar
# from the dump's kallsyms and BTF (found by shape: CONFIG_KALLSYMS_ALL=n
# names no data), module symbols from the module area, and .debug_frame made
# from the code's frame records (output/frames-arm64.c).  gdb-multiarch
# through OUT.gdb, and with the sidecar's CFI alone (no script, no Python
# unwinder): bt has drgn's frames (its return addresses, inlined frames
# folded), ptype struct task_struct is BTF's, the crashing task's comm reads
# typed (x28 is `tsk` in el0t_64_sync, unwound through every frame's saves).
# Sourced by run-all.sh.
A64=$T/sidecar-arm64
mkdir -p "$A64"
a64_dir=$(ls -d "${K2E_FIXTURE_CACHE:-/var/cache/kdump2elf}"/fixtures/*-arm64/smp2/kdump 2>/dev/null | head -n 1)
if [ -z "$a64_dir" ] || [ ! -f "$a64_dir/vmcore.kdump-zlib" ]; then
	note "no arm64 fixture: the arm64 no-vmlinux sidecar case was not run"
elif ! command -v gdb-multiarch >/dev/null; then
	note "no gdb-multiarch: the arm64 no-vmlinux sidecar case was not run"
else
	a64_core=$A64/core.elf
	a64_bid=$(field build_id "$a64_dir/facts.txt")
	check "arm64: no vmlinux where the build-ID search looks" \
		bash -c "[ -n '$a64_bid' ] && [ ! -e /usr/lib/debug/.build-id/${a64_bid:0:2}/${a64_bid:2}.debug ] && [ ! -e /usr/lib/debug/boot/vmlinux-$(field osrelease "$a64_dir/facts.txt") ]"
	if "$K2E" -f -v "$a64_dir/vmcore.kdump-zlib" -o "$a64_core" 2>"$A64/err"; then
		ok "arm64: converted"
	else
		not_ok "arm64: converted: $(tail -n 1 "$A64/err")"
	fi
	check "arm64: no vmlinux was used" grep -q 'no vmlinux' "$A64/err"
	echo "   arm64: $(grep 'symbol sidecar' "$A64/err" | sed 's/^kdump2elf: //')"
	check "arm64: sidecar has BTF types, module symbols and unwind FDEs" \
		grep -qE 'sidecar: .*[1-9][0-9]* modules, [1-9][0-9]* DWARF entries, [1-9][0-9]{4,} unwind FDEs' "$A64/err"
	a64_thread=$(($(field crash_cpu "$a64_dir/facts.txt") + 1))
	a64_comm=$(field trigger_comm "$a64_dir/facts.txt")
	a64_oracle=$a64_dir/oracle/vmcore.kdump-zlib.drgn-thread.txt
	# drgn's physical frames: its pcs with the inlined repeats folded.
	awk '/^frame [0-9]+ pc / { if ($4 "" != last "") print $4; last = $4 "" }' "$a64_oracle" >"$A64/drgn.pcs"
	printf '%s\n' 'thread '"$a64_thread" bt 'ptype struct task_struct' 'frame function el0t_64_sync' \
		'p ((struct task_struct *)$x28)->comm' >"$A64/cmds"
	# a64_bt LABEL GDB-ARGS...: bt and the checks on it.
	a64_bt() {
		local label=$1
		shift
		timeout 300 gdb-multiarch -nx -batch -iex 'set debug-file-directory /nonexistent' "$@" \
			-x "$A64/cmds" </dev/null >"$A64/$label.gdb" 2>&1
		awk '/^#0 / { n = 0 } /^#[0-9]+ / { l[n++] = $0 } END { for (i = 0; i < n; i++) print l[i] }' \
			"$A64/$label.gdb" | grep -m1 -B100 ' el0t_64_sync ()' >"$A64/$label.bt"
		sed -E 's/^#[0-9]+ +(0x[0-9a-f]+ in )?([^ (]+).*/\2/' "$A64/$label.bt" | tr '\n' ' ' >"$A64/$label.frames"
		awk '{ print $2 }' "$A64/$label.bt" >"$A64/$label.pcs"
		echo "   arm64 $label: bt: $(cat "$A64/$label.frames")"
		check "arm64 $label: bt from k2e_do_bad_write through vfs_write, ksys_write to el0_svc" \
			grep -qE '^k2e_do_bad_write k2e_dispatch k2e_proc_write proc_reg_write vfs_write ksys_write __arm64_sys_write invoke_syscall el0_svc_common[^ ]* do_el0_svc el0_svc el0t_64_sync_handler el0t_64_sync $' \
			"$A64/$label.frames"
		check "arm64 $label: every frame at drgn's return address" \
			bash -c "[ -s '$A64/drgn.pcs' ] && cmp -s '$A64/drgn.pcs' '$A64/$label.pcs'"
		check "arm64 $label: ptype struct task_struct from BTF" grep -qE '^ +char comm\[16\];' "$A64/$label.gdb"
		check "arm64 $label: the crashing task's comm, typed, is $a64_comm" \
			grep -q "^\\\$1 = \"$a64_comm\\\\000" "$A64/$label.gdb"
	}
	# The CFI against the compiler's own in the vmlinux (for checking only: gdb never sees it).
	a64_vml=$(ls "$(dirname "$(dirname "$a64_dir")")"/vmlinux-* 2>/dev/null | head -n 1)
	if [ -n "$a64_vml" ] && [ -z "${K2E_SANITIZE:-}" ]; then
		readelf --debug-dump=frames-interp "$a64_vml" >"$A64/ref.cfi" 2>/dev/null
		readelf --debug-dump=frames-interp "$a64_core.sym" >"$A64/ours.cfi" 2>/dev/null
		$PY "$ROOT/tests/tools/cfi-compare.py" "$A64/ref.cfi" "$A64/ours.cfi" \
			"$(field kerneloffset "$a64_dir/facts.txt")" >"$A64/cfi.cmp" 2>&1
		echo "   arm64: CFI vs the vmlinux's: $(head -n 1 "$A64/cfi.cmp")"
		check "arm64: at 95% of the compiler's CFI rows our FDEs cover, the CFA is the same" \
			awk '$1 == "rows" && $4 > 10000 && $6 >= 0.95 * $4 { ok = 1 } END { exit !ok }' "$A64/cfi.cmp"
		rm -f "$A64/ref.cfi" "$A64/ours.cfi"
	fi
	a64_bt script -x "$a64_core.gdb"
	a64_bt cfi -ex 'set architecture aarch64' -ex "symbol-file $a64_core.sym" -ex "core-file $a64_core"
	rm -f "$a64_core" "$a64_core.sym"
fi
