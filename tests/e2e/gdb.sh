# gdb.sh - stock gdb debugs the output through the script kdump2elf writes:
# one thread per CPU with that CPU's registers, the crashing CPU's real stack,
# kernel data and vmalloc'd stacks readable, the same answers drgn gives on
# the original dump.  Sourced by run-all.sh after real-fixtures.sh.
GDBT=$T/gdb
mkdir -p "$GDBT"

# gdb_case LABEL VMLINUX MODDIR KO DUMP...
gdb_case() {
	local label=$1 vml=$2 moddir=$3 ko=$4 out=$GDBT/$1.elf
	shift 4
	"$K2E" -f --vmlinux "$vml" --modules "$moddir" "$@" -o "$out" 2>"$GDBT/$label.err"
	check_eq "$label: converted" 0 $?
	check "$label: gdb script written beside the core" [ -s "$out.gdb" ]
	cat >"$GDBT/tasks.gdb" <<'GDB'
set $off = (unsigned long)&((struct task_struct *)0)->tasks
set $t = (struct task_struct *)((unsigned long)init_task.tasks.next - $off)
while $t != &init_task
  printf "task %d %s\n", $t->pid, $t->comm
  set $t = (struct task_struct *)((unsigned long)$t->tasks.next - $off)
end
GDB
	timeout 600 gdb -nx -batch -x "$out.gdb" -ex 'info threads' -ex 'bt' -ex 'x/i $pc' \
		-ex 'printf "release %s\n", init_uts_ns.name.release' \
		-ex 'printf "jiffies_64 %lu\n", jiffies_64' -ex 'printf "stack_word 0x%lx\n", *(unsigned long *)$sp' \
		-x "$GDBT/tasks.gdb" </dev/null >"$GDBT/$label.gdb.out" 2>&1
	$PY "$ROOT/tests/tools/drgn-facts.py" "$vml" "$1" "$ko" >"$GDBT/$label.drgn" 2>&1
	$PY "$ROOT/tests/tools/drgn-facts.py" "$vml" "$out" "$ko" >"$GDBT/$label.drgn.out" 2>&1
	local g=$GDBT/$label.gdb.out dr=$GDBT/$label.drgn ncpu threads
	ncpu=$(readelf -nW "$1" 2>/dev/null | grep -c NT_PRSTATUS)
	[ "$ncpu" -gt 0 ] || ncpu=$(readelf -nW "$out" | grep -c NT_PRSTATUS)
	threads=$(grep -cE '^[* ] +[0-9]+ +LWP [0-9]+' "$g")
	check_eq "$label: one gdb thread per CPU" "$ncpu" "$threads"
	check_eq "$label: thread ids are distinct" "$threads" \
		"$(grep -oE '^[* ] +[0-9]+ +LWP [0-9]+' "$g" | awk '{print $NF}' | sort -u | wc -l)"
	check "$label: the crashing CPU's thread is selected" \
		grep -qE "^\* +[0-9]+ +LWP $(field crashed_pid "$dr") " "$g"
	grep -E '^#[0-9]+ ' "$g" | sed -E 's/^#[0-9]+ +(0x[0-9a-f]+ in )?([^ (]+).*/\2/' | tr '\n' ' ' \
		>"$GDBT/$label.frames"
	check "$label: bt from the module through vfs_write to entry_SYSCALL_64" \
		grep -qE 'k2e_do_bad_write .*(k2e_write|k2e_dispatch).* vfs_write ksys_write .*do_syscall_64 entry_SYSCALL_64' \
		"$GDBT/$label.frames"
	check "$label: x/i \$pc is the faulting instruction in the module" \
		grep -qE '^=> 0x[0-9a-f]+ <k2e_do_bad_write\+[0-9]+>:.*mov ' "$g"
	check_eq "$label: init_uts_ns release as drgn reads it" "$(field release "$dr")" "$(field release "$g")"
	check_eq "$label: jiffies_64 as drgn reads it on the original" "$(field jiffies_64 "$dr")" \
		"$(field jiffies_64 "$g")"
	check_eq "$label: a word of the vmalloc'd task stack as drgn reads it" \
		"$(field stack_word "$dr")" "$(field stack_word "$g")"
	check_eq "$label: init_task.tasks walked in gdb gives drgn's task list" \
		"$(grep '^task ' "$dr" | sort)" "$(grep '^task ' "$g" | sort)"
	check_eq "$label: drgn's crashed-thread stack on the output" \
		"$(grep '^frame ' "$dr")" "$(grep '^frame ' "$GDBT/$label.drgn.out")"
	# Each thread has its own NT_PRSTATUS registers: compare pc with the notes, read here.
	local pcs
	pcs=$($PY - "$out" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
phoff, = struct.unpack_from("<Q", d, 32); n, = struct.unpack_from("<H", d, 56)
for i in range(n):
    t, _, off, _, _, sz, _, _ = struct.unpack_from("<IIQQQQQQ", d, phoff + 56 * i)
    if t != 4:
        continue
    p = off
    while p < off + sz:
        nsz, dsz, typ = struct.unpack_from("<III", d, p)
        desc = p + 12 + ((nsz + 3) & ~3)
        if typ == 1 and d[p + 12:p + 16] == b"CORE":
            print("%d 0x%x" % (struct.unpack_from("<I", d, desc + 32)[0],
                               struct.unpack_from("<Q", d, desc + 112 + 16 * 8)[0]))
        p = desc + ((dsz + 3) & ~3)
PY
)
	local gpcs=""
	for i in $(seq 1 "$threads"); do
		gpcs+="$(timeout 300 gdb -nx -batch -ex "core-file $out" -ex "thread $i" \
			-ex 'printf "%d 0x%lx\n", $_thread, $pc' </dev/null 2>/dev/null | tail -n 1)"$'\n'
	done
	check_eq "$label: each thread's pc is its note's" "$(echo "$pcs" | awk '{print $2}')" \
		"$(echo "$gpcs" | awk 'NF {print $2}')"
	rm -f "$out"
}

if [ -n "${K2E_SANITIZE:-}" ]; then
	: # gdb and drgn only read what the normal pass already checked
else
	# Idle CPUs (pid 0) and a repeated pid, no symbols: still one distinct thread each.
	"$GEN" -e 'max_mapnr 0x400; cpus 4; pids 0 160 0 160' "$GDBT/idle" >/dev/null
	"$K2E" "$GDBT/idle" -o "$GDBT/idle.elf" 2>/dev/null
	timeout 120 gdb -nx -batch -ex "core-file $GDBT/idle.elf" -ex 'info threads' </dev/null \
		>"$GDBT/idle.out" 2>&1
	check_eq "synthetic idle CPUs: four distinct gdb threads" 4 \
		"$(grep -oE '^[* ] +[0-9]+ +LWP [0-9]+' "$GDBT/idle.out" | awk '{print $NF}' | sort -u | wc -l)"
	check "synthetic idle CPUs: original pids kept in the KDUMP2ELF CPU note" \
		bash -c "strings '$GDBT/idle.elf' | grep -q '^NOTE=1 CPU=-1 PID=160 TID=4259841$'"
	check_eq "synthetic idle CPUs: one NT_PRSTATUS per CPU kept" 4 \
		"$(readelf -nW "$GDBT/idle.elf" | grep -c NT_PRSTATUS)"

	SHARED=$ROOT/../shared/fixtures/kdump-6.1-k2e
	FIX=${FIXDIR:-}
	vml=""
	[ -n "$FIX" ] && vml=$(ls "$FIX"/vmlinux-* 2>/dev/null | head -n 1)
	if [ -n "$vml" ]; then
		for shape in "$FIX"/*/kdump; do
			s=$(basename "$(dirname "$shape")")
			gdb_case "gdb-$s" "$vml" "$FIX" "$FIX/k2e_oops.ko" "$shape/vmcore.kdump-zlib"
		done
		# Without a vmlinux: the CPU map and the panicking CPU from the dump's kallsyms.
		for shape in "$FIX"/*/kdump; do
			s=$(basename "$(dirname "$shape")")
			want_cpu=$(field crash_cpu "$shape/facts.txt")
			"$K2E" -f --no-sidecar "$shape/vmcore.kdump-zlib" -o "$GDBT/nv-$s.elf" 2>/dev/null
			strings "$GDBT/nv-$s.elf" | grep -E '^(PANIC_CPU|NOTE)=' >"$GDBT/nv-$s.cpus"
			check_eq "$s without vmlinux: panic CPU from kallsyms" "PANIC_CPU=$want_cpu" \
				"$(head -n 1 "$GDBT/nv-$s.cpus")"
			check_eq "$s without vmlinux: every note mapped to its CPU" 0 \
				"$(grep -c 'CPU=-1' "$GDBT/nv-$s.cpus")"
			check "$s without vmlinux: the script selects the panicking CPU's thread" \
				grep -qx "thread $(( $(grep -n "CPU=$want_cpu " "$GDBT/nv-$s.cpus" | cut -d: -f1) - 1 ))" \
				"$GDBT/nv-$s.elf.gdb"
			rm -f "$GDBT/nv-$s.elf"
			# The whole no-vmlinux path as a user meets it: kdump2elf, then gdb -x OUT.gdb.
			"$K2E" -f "$shape/vmcore.kdump-zlib" -o "$GDBT/sc-$s.elf" 2>/dev/null
			if grep -qE '^symbol-file "?/.*\.sym"?$' "$GDBT/sc-$s.elf.gdb"; then
				timeout 600 gdb -nx -batch -iex 'set debug-file-directory /nonexistent' \
					-x "$GDBT/sc-$s.elf.gdb" -ex bt -ex 'info symbol $pc' </dev/null \
					>"$GDBT/sc-$s.out" 2>&1
				awk '/^#0 / { n = 0 } /^#[0-9]+ / { l[n++] = $0 } END { for (i = 0; i < n; i++) print l[i] }' \
					"$GDBT/sc-$s.out" | sed -E 's/^#[0-9]+ +(0x[0-9a-f]+ in )?([^ (]+).*/\2/' |
					tr '\n' ' ' >"$GDBT/sc-$s.frames"
				echo "   $s, no vmlinux, gdb -x OUT.gdb, bt: $(cat "$GDBT/sc-$s.frames")"
				check "$s without vmlinux: gdb -x OUT.gdb; bt names every frame to entry_SYSCALL_64" \
					grep -qE '^k2e_do_bad_write .*(k2e_write|k2e_dispatch).* vfs_write ksys_write do_syscall_64 entry_SYSCALL_64' \
					"$GDBT/sc-$s.frames"
				check "$s without vmlinux: info symbol \$pc names the faulting function" \
					grep -qE '^k2e_do_bad_write \+ [0-9]+ in section' "$GDBT/sc-$s.out"
			else
				note "$s: a vmlinux was found on this machine, so the no-vmlinux script was not tested"
			fi
			rm -f "$GDBT/sc-$s.elf" "$GDBT/sc-$s.elf.sym"
		done
		if [ -d "$SHARED" ] && [ "$(head -c 16M "$SHARED/vmcore.kdump-zlib" |
			grep -a -o -m 1 'BUILD-ID=[0-9a-f]*' | head -n 1 | cut -d= -f2)" = \
			"$(readelf -n "$vml" | sed -n 's/.*Build ID: //p')" ]; then
			gdb_case gdb-shared "$vml" "$SHARED" "$SHARED/k2e_oops.ko" "$SHARED/vmcore.kdump-zlib"
		fi
	else
		note "no vmlinux for the generated fixtures: the gdb tests were not run"
	fi
fi
