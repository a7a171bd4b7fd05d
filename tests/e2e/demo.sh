# demo.sh - `make demo` on the path a fresh machine takes (the synthetic
# kernel of tests/gen/specs/demo-kernel.spec, forced even when real fixtures
# are cached): kdump2elf maps every CPU note to its CPU, finds the panic CPU,
# the kernel's virtual mappings and its symbols with no vmlinux, and gdb
# shows a thread per CPU and named frames from the panic down.
# Sourced by run-all.sh (T, K2E, GEN, ROOT, O, lib.sh).
DM=$T/demo
mkdir -p "$DM"

check "make demo runs tests/demo.sh, DEMO=synthetic forcing the synthetic dump" \
	grep -q 'K2E_DEMO=synthetic tests/demo.sh' <(make -C "$ROOT" -n O="$O" demo DEMO=synthetic 2>/dev/null)
# The test binaries are already built: run the script make demo runs.
dm_start=$(date +%s%N)
O=$O K2E_DEMO=synthetic K2E_DEMO_DIR=$DM "$ROOT/tests/demo.sh" >"$DM/out.txt" 2>&1
dm_rc=$?
dm_ms=$((($(date +%s%N) - dm_start) / 1000000))
check_eq "demo: exit status" 0 "$dm_rc"
echo "   demo (synthetic) took ${dm_ms} ms"
check "demo: took the synthetic path" grep -q 'a synthetic crash dump' "$DM/out.txt"
check_eq "demo: the generator's dump has 4 CPU notes" 4 "$(field cpus "$DM/dump.kdump.expect")"
check "demo: every CPU note mapped to its CPU, CPU 2 panicked" \
	grep -q '4 CPU notes, 4 mapped to CPUs; panic CPU 2;' "$DM/out.txt"
for c in 0 1 2 3; do
	check "demo: note $c is CPU $c" grep -q "NOTE=$c CPU=$c " "$DM/out.txt"
done
check "demo: kernel virtual mappings from the page tables (aliases)" \
	grep -Eq 'program headers \([0-9]+ physical, [1-9][0-9]* aliases\)' "$DM/out.txt"
check "demo: the direct map found" grep -q 'direct map at 0xffff888000000000' "$DM/out.txt"
check "demo: OUT.sym written with symbols, DWARF from BTF and unwind FDEs from ORC" \
	grep -Eq 'symbol sidecar: .*vmcore\.elf\.sym: [1-9][0-9]* symbols, 0 modules, [1-9][0-9]* DWARF entries, [1-9][0-9]* unwind FDEs$' \
	"$DM/out.txt"
check "demo: OUT.sym exists" [ -s "$DM/vmcore.elf.sym" ]
check "demo: the panic from the kernel log: message, CPU, task" grep -qF \
	'"panic":{"message":"Kernel panic - not syncing: demo: the synthetic kernel panics in demo_write","cpu":2,"pid":4242,"comm":"demo-writer"}' \
	"$DM/out.txt"
check "demo: nothing said missing but the vmlinux" \
	bash -c "! grep -E 'not mapped|0 mapped to CPUs|no symbol sidecar|no unwind|no BTF|no module' '$DM/out.txt'"

if [ -n "${K2E_SANITIZE:-}" ]; then
	return 0	# the rest exercises gdb, readelf and libkdumpfile on the same bytes
fi
check "demo: the gdb session ran (bt down to demo_entry_syscall)" \
	grep -q 'in demo_entry_syscall ()' "$DM/out.txt"
if command -v gdb >/dev/null; then
	# shellcheck disable=SC2016
	gdb -batch -x "$DM/vmcore.elf.gdb" -ex 'info threads' -ex 'echo @@bt\n' -ex bt \
		-ex 'echo @@end\n' -ex 'thread apply all bt' \
		-ex 'info symbol $pc' -ex 'p ((struct task_struct *)&init_task)->comm' \
		>"$DM/gdb.txt" 2>&1
	check_eq "demo gdb: a thread per CPU" 4 "$(grep -cE '^[* ] +[0-9]+ +LWP ' "$DM/gdb.txt")"
	check "demo gdb: the panic CPU's thread (pid 4242) selected, in demo_panic" \
		grep -Eq '^\* +[0-9]+ +LWP 4242 +0x[0-9a-f]+ in demo_panic \(\)' "$DM/gdb.txt"
	check_eq "demo gdb: idle CPUs' threads named by CPU (4194304 + cpu)" \
		"LWP 4194304 LWP 4194305 LWP 4194307" \
		"$(grep -oE '^  +[0-9]+ +LWP 41943[0-9]+' "$DM/gdb.txt" | awk '{ print $2, $3 }' | tr '\n' ' ' | sed 's/ $//')"
	sed -n '/^@@bt$/,/^@@end$/p' "$DM/gdb.txt" | sed -n '/^#/p' >"$DM/bt.txt"
	check_eq "demo gdb: bt walks named frames from the panic to the outermost" \
		"demo_panic demo_write demo_vfs_write demo_do_syscall demo_entry_syscall" \
		"$(sed -n 's/^#[0-9]*  *0x[0-9a-f]* in \([a-z_]*\) ().*/\1/p' "$DM/bt.txt" | head -n 5 | tr '\n' ' ' | sed 's/ $//')"
	check_eq "demo gdb: bt stops at the outermost frame" 5 "$(grep -c '^#' "$DM/bt.txt")"
	check_eq "demo gdb: each idle CPU's stack ends in demo_start_secondary" 3 \
		"$(grep -cE '^#3 +0x[0-9a-f]+ in demo_start_secondary \(\)' "$DM/gdb.txt")"
	check "demo gdb: info symbol \$pc" grep -q '^demo_panic + 8 in section .text' "$DM/gdb.txt"
	check "demo gdb: types from the dump's BTF" grep -q '"swapper/0' "$DM/gdb.txt"
else
	note "gdb is not installed: the demo's gdb session was not checked"
fi
if [ -x "$PY" ] && "$PY" -c 'import kdumpfile' 2>/dev/null; then
	"$PY" "$ROOT/tests/gen/check_libkdumpfile.py" "$DM/dump.kdump" >"$DM/kdf.txt" 2>&1
	check_eq "demo: libkdumpfile reads the generator's dump (digest)" \
		"$(field digest "$DM/dump.kdump.expect")" "$(field digest "$DM/kdf.txt")"
	check "demo: libkdumpfile reads the dump and the core alike" \
		"$PY" "$ROOT/tests/tools/kdf-compare.py" "$DM/vmcore.elf" "$DM/dump.kdump" >"$DM/cmp.txt" 2>&1
	dm_panic=$(readelf -sW "$DM/vmcore.elf.sym" | awk '$8 == "demo_panic" { print $2 }')
	"$PY" - "$DM/dump.kdump" "${dm_panic:-0}" >"$DM/kdf-text.txt" 2>&1 <<'PY'
import sys
import kdumpfile
k = kdumpfile.kdumpfile(sys.argv[1])
k.attr['addrxlat.ostype'] = 'linux'
# demo_panic's first bytes, through the kernel's page tables as libkdumpfile walks them
print(k.read(kdumpfile.KDUMP_KVADDR, int(sys.argv[2], 16), 8).hex())
PY
	check_eq "demo: libkdumpfile finds demo_panic's prologue at its KASLR'd address" \
		"554889e54883ec10" "$(tail -n 1 "$DM/kdf-text.txt")"
else
	note "python3-libkdumpfile is not installed: the demo dump was not read with libkdumpfile"
fi
check "demo: readelf reads the core's notes" \
	bash -c "[ \$(readelf -nW '$DM/vmcore.elf' | grep -c NT_PRSTATUS) = 4 ]"
rm -f "$DM/vmcore.elf" "$DM/dump.kdump"
