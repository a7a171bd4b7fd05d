# gdb.sh - stock gdb debugs the output through the script kdump2elf writes:
# one thread per CPU with that CPU's registers, the crashing CPU's real stack,
# kernel data and vmalloc'd stacks readable, the same answers drgn gives on
# the original dump.  Sourced by run-all.sh after real-fixtures.sh.
GDBT=$T/gdb
mkdir -p "$GDBT"

# gdb_module_case FIXTURE-DIR: the kernel's vmlinux and the module's .ko through
# OUT.gdb, on every kernel of the matrix.  The module's debug info is written
# relocated to its dump addresses (OUT.k2e_oops.ko.debug) and loaded as it is,
# so frames, x/i and symbol addresses are the guest's whatever gdb would make
# of the .ko's own section addresses (6.12's are not all 0).
gdb_module_case() {
	local d=$1 k label vml ko dump gs out want_off
	k=$(basename "$d")
	label=gdb-mod-$k${K2E_VIA_MOUNT:+-mount}
	vml=$(ls "$d"/vmlinux-* 2>/dev/null | head -n 1)
	ko=$d/k2e_oops.ko dump=$d/smp2/kdump/vmcore.kdump-zlib gs=$d/smp2/kdump/guest-symbols.txt
	out=$(k2e_out "$GDBT/$label")
	if [ -z "$vml" ] || [ ! -f "$ko" ] || [ ! -f "$dump" ] || [ ! -f "$gs" ]; then
		note "$k: no vmlinux, k2e_oops.ko, smp2 kdump or guest-symbols.txt: module frames not tested"
		return
	fi
	mkdir -p "$GDBT/mods-$k" && cp "$ko" "$GDBT/mods-$k/"
	k2e_make "$out" --vmlinux "$vml" --modules "$GDBT/mods-$k" "$dump" 2>"$GDBT/$label.err"
	check_eq "$label: converted" 0 $?
	check "$label: the module's debug info relocated beside the core" [ -s "$out.k2e_oops.ko.debug" ]
	check "$label: OUT.gdb loads it as it is (no section addresses for gdb to place)" \
		grep -qx "add-symbol-file \"$out.k2e_oops.ko.debug\"" "$out.gdb"
	timeout 600 gdb -nx -batch -x "$out.gdb" -ex bt -ex 'x/i $pc' -ex 'info symbol $pc' \
		-ex 'printf "addr k2e_init 0x%lx\n", &k2e_init' \
		-ex 'printf "addr k2e_do_bad_write 0x%lx\n", &k2e_do_bad_write' \
		-ex 'printf "pc 0x%lx\n", $pc' </dev/null >"$GDBT/$label.out" 2>&1
	# bt's frames: from its #0 (core-file and thread print a #0 of their own before).
	awk '/^#0 / { n = 0 } /^#[0-9]+ / { l[n++] = $0 } END { for (i = 0; i < n; i++) print l[i] }' \
		"$GDBT/$label.out" | sed -E 's/^#[0-9]+ +(0x[0-9a-f]+ in )?([^ (]+).*/\2/' |
		tr '\n' ' ' >"$GDBT/$label.frames"
	echo "   $k, vmlinux + k2e_oops.ko, bt: $(cut -c 1-160 "$GDBT/$label.frames")"
	check "$label: bt from k2e_do_bad_write through the module, vfs_write, ksys_write to entry_SYSCALL_64" \
		grep -qE '^k2e_do_bad_write (k2e_dispatch |k2e_write )+k2e_proc_write .*vfs_write ksys_write .*entry_SYSCALL_64' \
		"$GDBT/$label.frames"
	# Where the guest put them: the section's address (guest-symbols.txt) plus the symbol's offset in the .ko.
	$PY - "$ko" "$gs" >"$GDBT/$label.want" <<'PY'
import subprocess, sys
ko, gs = sys.argv[1:]
sect = {}
for l in open(gs):
    f = l.split()
    if len(f) == 3 and f[0] == "K2E-SECTION":
        sect[f[1]] = int(f[2], 16)
names = {}
for l in subprocess.run(["readelf", "-SW", ko], capture_output=True, text=True).stdout.splitlines():
    l = l.replace("[ ", "[")
    f = l.split()
    if f and f[0].startswith("[") and f[0].endswith("]") and f[0][1:-1].isdigit() and len(f) > 2:
        names[f[0][1:-1]] = f[1]
for l in subprocess.run(["readelf", "-sW", ko], capture_output=True, text=True).stdout.splitlines():
    f = l.split()
    if len(f) == 8 and f[7] in ("k2e_init", "k2e_do_bad_write") and f[3] == "FUNC":
        print("addr %s 0x%x" % (f[7], sect[names[f[6]]] + int(f[1], 16)))
PY
	check_eq "$label: p &k2e_init is where the guest loaded it (.init.text)" \
		"$(grep 'k2e_init ' "$GDBT/$label.want")" "$(grep '^addr k2e_init ' "$GDBT/$label.out")"
	check_eq "$label: p &k2e_do_bad_write is where the guest loaded it (.text)" \
		"$(grep 'k2e_do_bad_write ' "$GDBT/$label.want")" "$(grep '^addr k2e_do_bad_write ' "$GDBT/$label.out")"
	# The oops' RIP: k2e_do_bad_write+0xNN/0xMM [k2e_oops] in the guest's serial log.
	want_off=$(grep -oE 'RIP: 0010:k2e_do_bad_write\+0x[0-9a-f]+' "$d/smp2/kdump/serial.log" | head -n 1 |
		sed 's/.*+//')
	check "$label: the serial log names the oops' RIP" [ -n "$want_off" ]
	check "$label: x/i \$pc is the oops' RIP, inside k2e_do_bad_write" \
		grep -qE "^=> 0x[0-9a-f]+ <k2e_do_bad_write\+$((want_off))>:.*mov " "$GDBT/$label.out"
	check "$label: info symbol \$pc is the oops' RIP" \
		grep -qE "^k2e_do_bad_write \+ $((want_off)) in section \.text" "$GDBT/$label.out"
	check_eq "$label: \$pc is &k2e_do_bad_write + the RIP's offset" \
		"$(printf 'pc 0x%x' $(( $(grep 'k2e_do_bad_write ' "$GDBT/$label.want" | awk '{print $3}') + want_off )))" \
		"$(grep '^pc ' "$GDBT/$label.out")"
	k2e_unmake "$out"
}

# gdb_case LABEL VMLINUX MODDIR KO DUMP...
gdb_case() {
	local label=$1 vml=$2 moddir=$3 ko=$4 out
	out=$(k2e_out "$GDBT/$1")
	shift 4
	k2e_make "$out" --vmlinux "$vml" --modules "$moddir" "$@" 2>"$GDBT/$label.err"
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
	k2e_unmake "$out"
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
		# The other x86_64 kernels of the matrix, one dump each: the same answers as drgn.
		for kd in ${FIXDIRS:-}; do
			case $kd in "$FIX" | *-arm64) continue ;; esac
			kvml=$(ls "$kd"/vmlinux-* 2>/dev/null | head -n 1)
			[ -n "$kvml" ] && [ -f "$kd/smp2/kdump/vmcore.kdump-zlib" ] &&
				gdb_case "gdb-$(basename "$kd" | cut -d. -f1-2)" "$kvml" "$kd" "$kd/k2e_oops.ko" \
					"$kd/smp2/kdump/vmcore.kdump-zlib"
		done
		# Without a vmlinux, on every x86_64 kernel of the matrix: the CPU map and the
		# panicking CPU from the dump's kallsyms (5.10: found in the image by shape).
		for shape in $(for kd in ${FIXDIRS:-$FIX}; do
			case $(basename "$kd") in *-amd64) ls -d "$kd"/*/kdump ;; esac; done); do
			s=$(basename "$(dirname "$(dirname "$shape")")" | cut -d. -f1-2)-$(basename "$(dirname "$shape")")
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
	# Module frames on every x86_64 kernel of the matrix (FIXDIRS from generated-fixtures.sh).
	for d in ${FIXDIRS:-$(ls -d "${K2E_FIXTURE_CACHE:-/var/cache/kdump2elf}"/fixtures/*/ 2>/dev/null)}; do
		d=${d%/}
		case $(basename "$d") in *-amd64) gdb_module_case "$d" ;; esac
	done
	# A .ko of another build is refused by its build ID, not loaded at the wrong addresses.
	k612=$(ls -d "${K2E_FIXTURE_CACHE:-/var/cache/kdump2elf}"/fixtures/6.12*-amd64 2>/dev/null | head -n 1)
	k61=$(ls -d "${K2E_FIXTURE_CACHE:-/var/cache/kdump2elf}"/fixtures/6.1.*-amd64 2>/dev/null | head -n 1)
	if [ -n "$k612" ] && [ -n "$k61" ] && [ -f "$k612/smp2/kdump/vmcore.kdump-zlib" ]; then
		mkdir -p "$GDBT/wrong-ko" && cp "$k61/k2e_oops.ko" "$GDBT/wrong-ko/"
		"$K2E" -f --vmlinux "$(ls "$k612"/vmlinux-* | head -n 1)" --modules "$GDBT/wrong-ko" \
			"$k612/smp2/kdump/vmcore.kdump-zlib" -o "$GDBT/wrong.elf" 2>"$GDBT/wrong.err"
		check_eq "a 6.1 k2e_oops.ko beside a 6.12 dump: converted" 0 $?
		check "a 6.1 k2e_oops.ko beside a 6.12 dump: refused by build ID, said in OUT.gdb" \
			grep -qE "^# module k2e_oops: '.*/wrong-ko/k2e_oops.ko' has build ID [0-9a-f]+, not the dump's [0-9a-f]+$" \
			"$GDBT/wrong.elf.gdb"
		check "a 6.1 k2e_oops.ko beside a 6.12 dump: not loaded, no relocated copy" \
			bash -c "! grep -q '^add-symbol-file' '$GDBT/wrong.elf.gdb' && [ ! -e '$GDBT/wrong.elf.k2e_oops.ko.debug' ]"
		rm -f "$GDBT/wrong.elf"
		# A dump naming two modules k2e_oops (pvpanic's name overwritten): converted, one file for the name.
		$PY - "$k612/smp2/kdump/vmcore.elf-d31" "$GDBT/twice.dump" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
pat, new = b"pvpanic" + b"\0" * 49, b"k2e_oops" + b"\0" * 48
i = d.find(pat)
while i >= 0:
    d[i:i + 56] = new
    i = d.find(pat, i + 56)
open(sys.argv[2], "wb").write(d)
PY
		mkdir -p "$GDBT/twice-ko" && cp "$k612/k2e_oops.ko" "$GDBT/twice-ko/"
		"$K2E" -f --vmlinux "$(ls "$k612"/vmlinux-* | head -n 1)" --modules "$GDBT/twice-ko" \
			"$GDBT/twice.dump" -o "$GDBT/twice.elf" 2>"$GDBT/twice.err"
		check_eq "two modules named k2e_oops in a dump: converted" 0 $?
		check_eq "two modules named k2e_oops in a dump: two listed in OUT.gdb" 2 \
			"$(grep -c 'module k2e_oops\|k2e_oops\.ko\.debug' "$GDBT/twice.elf.gdb")"
		check_eq "two modules named k2e_oops in a dump: one relocated copy, loaded once" \
			"add-symbol-file \"$GDBT/twice.elf.k2e_oops.ko.debug\"" "$(grep '^add-symbol-file' "$GDBT/twice.elf.gdb")"
		rm -f "$GDBT/twice.dump" "$GDBT/twice.elf"
	fi
fi
