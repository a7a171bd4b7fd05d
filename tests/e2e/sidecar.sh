# sidecar.sh - symbols without vmlinux (issue 4): kallsyms and BTF decoded from
# the dump itself (kernel/, btf/, output/sidecar.c), written as OUT.sym for stock gdb.  On the real
# dumps (../shared/fixtures and the generated ones): every function kallsyms
# gives equals System.map + KERNELOFFSET; the module's k2e_do_bad_write is
# where crash put it; gdb with only the sidecar names the faulting function;
# bpftool reads the sidecar's BTF, identical to the vmlinux's; and no vmlinux
# is opened on the way (strace).  Sourced by run-all.sh after real-fixtures.sh.
SIDE=$T/sidecar
mkdir -p "$SIDE"
SYMS=$ROOT/$O/tools/k2e-syms

drgn_version() { $PY -c 'import drgn; print(drgn.__version__)' 2>/dev/null; }
# drgn_lacks_modules CORE: the kernel release when Debian 12's drgn (0.0.22)
# cannot list its modules (struct module changed in 6.4), else nothing.
drgn_lacks_modules() {
	local rel
	rel=$(grep -a -m1 -o 'OSRELEASE=[0-9]*\.[0-9]*' "$1" | cut -d= -f2)
	case $(drgn_version) in
	0.0.2[0-4]*) [ -n "$rel" ] && [ "$(printf '%s\n6.4\n' "$rel" | sort -V | head -n 1)" = 6.4 ] && echo "$rel" ;;
	esac
}

# side_case LABEL SYSTEM_MAP(.xz ok) CRASH_ORACLE VMLINUX_OR_EMPTY THREAD DUMP...
# THREAD: gdb's thread of the crashing CPU (CPU + 1: notes are in CPU order).
side_case() {
	local label=$1 map=$2 oracle=$3 vml=$4 thread=$5 core=$SIDE/$1.elf sym=$SIDE/$1.elf.sym
	shift 5
	if ! "$K2E" -f --no-gdb-script "$@" -o "$core" 2>"$SIDE/$label.err"; then
		not_ok "$label: converted: $(tail -n 1 "$SIDE/$label.err")"
		return
	fi
	local off
	off=$(grep -a -m1 -o 'KERNELOFFSET=[0-9a-f]*' "$core" | cut -d= -f2)
	# 1. kallsyms from the dump against the vmlinux symbol table.
	if ! "$SYMS" syms "$core" >"$SIDE/$label.syms" 2>"$SIDE/$label.syms.err"; then
		not_ok "$label: kallsyms decoded: $(cat "$SIDE/$label.syms.err")"
		return
	fi
	case $map in
	*.xz) xz -dc "$map" ;;
	*) cat "$map" ;;
	esac >"$SIDE/$label.map"
	local cmp
	cmp=$(awk -v off="$off" '
		function hex(s,   i, c, v) { v = 0; s = tolower(s)
			for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
			return v }
		FNR == NR { m[$3 " " $1] = 1; next }
		NF == 4 && ($3 == "t" || $3 == "T") {
			n++
			# 64-bit addresses do not fit a double: compare the low 32 bits after the offset.
			a = sprintf("%08x", (hex(substr($1, 9)) - hex(off) + 4294967296) % 4294967296)
			if (!(($4 " " substr($1, 1, 8) a) in m)) { bad++; if (bad <= 3) print "miss " $0 > "/dev/stderr" } }
		END { printf "functions %d mismatches %d\n", n, bad + 0 }' "$SIDE/$label.map" "$SIDE/$label.syms" \
		2>"$SIDE/$label.miss")
	echo "   $label: kallsyms vs System.map + 0x$off: $cmp"
	check "$label: kallsyms decodes tens of thousands of functions" \
		[ "$(echo "$cmp" | awk '{print $2}')" -gt 10000 ]
	check_eq "$label: every kallsyms function is in System.map at +KERNELOFFSET" 0 \
		"$(echo "$cmp" | awk '{print $4}')"
	local want got
	want=$(grep -m1 -o '^0x[0-9a-f]* <k2e_do_bad_write>:' "$oracle" 2>/dev/null | cut -d' ' -f1)
	if [ -z "$want" ] && [ -f "$(dirname "$oracle")/../guest-symbols.txt" ]; then
		# No crash record (crash 8.0.2 cannot open 6.12): the module's .text as the guest
		# printed it, plus the function's offset in the .ko.
		local text ko
		text=$(sed -n 's/^K2E-SECTION \.text //p' "$(dirname "$oracle")/../guest-symbols.txt")
		ko=$(ls "$(dirname "$oracle")"/../../../k2e_oops.ko 2>/dev/null)
		[ -n "$text" ] && [ -n "$ko" ] &&
			want=$(printf '0x%x' $((text + 0x$(nm "$ko" | awk '$3 == "k2e_do_bad_write" { print $1 }'))))
	fi
	got=$(awk '$4 == "k2e_do_bad_write" && $5 == "[k2e_oops]" { print "0x" $1 }' "$SIDE/$label.syms")
	check_eq "$label: module symbol k2e_do_bad_write where crash has it" "$want" "$got"

	# 2. The sidecar, made with nothing that could open a vmlinux: from the
	# finished core (kernel/mem-core.c), the same bytes as the converter made
	# from the pages it was writing (convert/mem-pages.c).
	[ -s "$sym" ] && mv "$sym" "$SIDE/$label.conv.sym"
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	strace -f -qq -e trace=open,openat -o "$SIDE/$label.strace" \
		"$SYMS" sidecar "$core" "$sym" >"$SIDE/$label.stats" 2>&1
	check_eq "$label: sidecar written" 0 $?
	check "$label: OUT.sym from the finished core is the converter's, byte for byte" \
		cmp "$SIDE/$label.conv.sym" "$sym"
	rm -f "$SIDE/$label.conv.sym"
	echo "   $label: $(head -n 1 "$SIDE/$label.stats")"
	check "$label: no vmlinux opened while making the sidecar" \
		bash -c "! grep -q vmlinux '$SIDE/$label.strace'"
	bpftool btf dump file "$sym" >"$SIDE/$label.btf" 2>&1
	check_eq "$label: bpftool btf dump reads the sidecar" 0 $?
	if [ -n "$vml" ] && [ -z "${K2E_SANITIZE:-}" ]; then
		check "$label: the sidecar's BTF is the vmlinux's" \
			cmp -s "$SIDE/$label.btf" <(bpftool btf dump file "$vml" 2>&1)
	fi
	# 3. Stock gdb with the sidecar only: no debug-file-directory, no init files.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	strace -f -qq -e trace=open,openat -o "$SIDE/$label.gdb.strace" \
		timeout 300 gdb -nx -batch -iex 'set debug-file-directory /nonexistent' \
		-ex "symbol-file $sym" -ex "core-file $core" -ex "thread $thread" -ex 'info symbol $pc' \
		-ex 'x/i $pc' -ex 'info symbol &init_task' -ex bt \
		-ex 'p init_task.comm' -ex 'p init_uts_ns.name.release' </dev/null >"$SIDE/$label.gdb" 2>&1
	check "$label: gdb: info symbol \$pc names k2e_do_bad_write on the crashing thread" \
		grep -qE '^k2e_do_bad_write \+ [0-9]+ in section \.text\.k2e_oops' "$SIDE/$label.gdb"
	check "$label: gdb: x/i \$pc shows the faulting store" \
		grep -qE '<k2e_do_bad_write\+[0-9]+>:.*mov' "$SIDE/$label.gdb"
	check "$label: gdb: kernel data symbols (init_task)" \
		grep -qE '^init_task in section \.data' "$SIDE/$label.gdb"
	# Ordinary globals typed by name (a BTF struct; btf/dwarf.c emit_named_globals).
	check "$label: gdb: init_task typed by name: p init_task.comm is swapper/0" \
		grep -q '^\$1 = "swapper/0' "$SIDE/$label.gdb"
	check "$label: gdb: init_uts_ns typed by name: p init_uts_ns.name.release is OSRELEASE" \
		grep -qF "\$2 = \"$(grep -a -m1 -o 'OSRELEASE=[^[:space:]]*' "$core" | cut -d= -f2)\"" "$SIDE/$label.gdb"
	check "$label: gdb opened no vmlinux" bash -c "! grep -q vmlinux '$SIDE/$label.gdb.strace'"
	# Unwinding from the ORC tables (.debug_frame): the crashing stack, frame by frame.
	check "$label: the sidecar has .debug_frame from ORC (over 100000 FDEs)" \
		[ "$(field fdes "$SIDE/$label.stats")" -gt 100000 ]
	# bt's lines: the last run starting at #0 (thread switches print a #0 line too).
	awk '/^#0 / { n = 0 } /^#[0-9]+ / { l[n++] = $0 } END { for (i = 0; i < n; i++) print l[i] }' \
		"$SIDE/$label.gdb" >"$SIDE/$label.bt"
	sed -E 's/^#[0-9]+ +(0x[0-9a-f]+ in )?([^ (]+).*/\2/' "$SIDE/$label.bt" | tr '\n' ' ' \
		>"$SIDE/$label.frames"
	echo "   $label: bt: $(cat "$SIDE/$label.frames")"
	check "$label: gdb: bt from the module through vfs_write to entry_SYSCALL_64" \
		grep -qE '^k2e_do_bad_write .*(k2e_write|k2e_dispatch).* proc_reg_write vfs_write ksys_write do_syscall_64 entry_SYSCALL_64' \
		"$SIDE/$label.frames"
	if [ -n "$vml" ] && [ -z "${K2E_SANITIZE:-}" ] && [ -n "$(drgn_lacks_modules "$core")" ]; then
		note "$label: drgn $(drgn_version) cannot load modules of Linux $(drgn_lacks_modules "$core") (6.4+): its frames were not compared"
	elif [ -n "$vml" ] && [ -z "${K2E_SANITIZE:-}" ]; then
		# drgn with the real vmlinux and module, on the original dump: the same return addresses.
		local ko
		ko=$(ls "$(dirname "$vml")"/*.ko 2>/dev/null | head -n 1)
		$PY - "$vml" "${@: -1}" $ko >"$SIDE/$label.drgn.pcs" 2>&1 <<'PY'
import sys, drgn
prog = drgn.Program()
prog.set_core_dump(sys.argv[2])
try:
    prog.load_debug_info([sys.argv[1]] + sys.argv[3:])
except drgn.MissingDebugInfoError:
    pass
for f in prog.crashed_thread().stack_trace():
    if not f.is_inline:
        print("0x%x" % f.pc)
PY
		awk '{ print $2 }' "$SIDE/$label.bt" >"$SIDE/$label.gdb.pcs"
		check "$label: gdb's frames have drgn's return addresses (real vmlinux, original dump)" \
			bash -c "[ -s '$SIDE/$label.gdb.pcs' ] && head -n \$(wc -l <'$SIDE/$label.gdb.pcs') '$SIDE/$label.drgn.pcs' | cmp -s - '$SIDE/$label.gdb.pcs'"
	fi
	# 4. Types from BTF as DWARF: struct task_struct as bpftool has it, and the crashing task.
	timeout 300 gdb -nx -batch -iex 'set debug-file-directory /nonexistent' -ex "symbol-file $sym" \
		-ex "core-file $core" -x "$ROOT/tests/tools/gdb-fields.py" \
		-ex "p ((struct task_struct **)((char *)&current_task + ((unsigned long *)&__per_cpu_offset)[$((thread - 1))]))[0]->comm" \
		-ex "p ((struct pcpu_hot *)((char *)&pcpu_hot + ((unsigned long *)&__per_cpu_offset)[$((thread - 1))]))->current_task->comm" \
		</dev/null >"$SIDE/$label.types" 2>&1
	awk '/^\[[0-9]+\] STRUCT .task_struct. /{f=1;next} f && /^\t/{gsub("\047","",$1); split($3,a,"="); print "field", $1, a[2]; next} f{exit}' \
		"$SIDE/$label.btf" >"$SIDE/$label.btf.fields"
	echo "   $label: struct task_struct: $(grep -c '^field ' "$SIDE/$label.types") members in gdb, $(wc -l <"$SIDE/$label.btf.fields") in BTF"
	grep '^field ' "$SIDE/$label.types" >"$SIDE/$label.gdb.fields"
	check "$label: gdb: struct task_struct members and offsets are the BTF's" \
		bash -c "[ -s '$SIDE/$label.btf.fields' ] && cmp -s '$SIDE/$label.btf.fields' '$SIDE/$label.gdb.fields'"
	# current_task is a per-CPU variable of its own before 6.2, a member of pcpu_hot from 6.2.
	check "$label: gdb: the crashing CPU's current task is k2e_trigger" \
		grep -qE '^\$[12] = "k2e_trigger' "$SIDE/$label.types"
	if [ -n "$vml" ] && [ -z "${K2E_SANITIZE:-}" ]; then
		timeout 300 gdb -nx -batch -ex "symbol-file $vml" -x "$ROOT/tests/tools/gdb-fields.py" \
			</dev/null 2>/dev/null | grep '^field ' >"$SIDE/$label.vml.fields"
		check "$label: gdb: struct task_struct as the real vmlinux's DWARF has it" \
			bash -c "[ -s '$SIDE/$label.vml.fields' ] && cmp -s '$SIDE/$label.vml.fields' '$SIDE/$label.gdb.fields'"
	fi
	rm -f "$core" "$sym"
}

if [ ! -x "$SYMS" ]; then
	not_ok "sidecar: $SYMS is not built"
	return 0
fi
SH=$ROOT/../shared/fixtures/kdump-6.1-k2e
if [ -d "$SH" ]; then
	side_case shared-kdump-zlib "$SH/System.map-6.1.0-56-cloud-amd64.xz" \
		"$SH/oracle/vmcore.kdump-zlib.crash.txt" "" 2 "$SH/vmcore.kdump-zlib"
else
	note "no ../shared/fixtures: the shared sidecar case was not run"
fi
if [ -z "${FIXDIR:-}" ] && [ -z "${K2E_NO_FIXTURES:-}" ]; then
	FIXDIR=$(ls -d "${K2E_FIXTURE_CACHE:-/var/cache/kdump2elf}"/fixtures/*/ 2>/dev/null | head -n 1)
	FIXDIR=${FIXDIR%/}
fi
if [ -n "${FIXDIR:-}" ] && [ -d "$FIXDIR" ]; then
	# Every kernel of the matrix: 5.10 has no kallsyms in vmcoreinfo (found by shape).
	for kd in ${FIXDIRS:-$FIXDIR}; do
		case $(basename "$kd") in *-amd64) ;; *) continue ;; esac
		kv=$(basename "$kd" | cut -d. -f1-2)
		for k in "$kd"/*/kdump; do
			[ -f "$k/vmcore.kdump-zlib" ] || continue
			s=$(basename "$(dirname "$k")")
			cpu=$(field crash_cpu "$k/facts.txt")
			side_case "gen-$kv-$s-kdump-zlib" "$(ls "$kd"/System.map-* | head -n 1)" \
				"$k/oracle/vmcore.kdump-zlib.crash.txt" "$(ls "$kd"/vmlinux-* | head -n 1)" \
				$((${cpu:-1} + 1)) \
				"$k/vmcore.kdump-zlib"
		done
	done
else
	note "no generated fixtures: the generated sidecar cases were not run"
fi

# side_files LABEL SYSTEM_MAP VMLINUX THREAD DUMP: symbols from files (issue 4):
# --system-map instead of kallsyms (module symbols still from the dump), --btf
# with the raw .BTF of the vmlinux, a bad --btf refused; and with the sidecar
# only, ordinary globals typed by name (init_task, init_uts_ns).
side_files() {
	local label=$1 map=$2 vml=$3 thread=$4 dump=$5 core=$SIDE/$1.elf
	local rel
	rel=$(grep -a -m1 -o 'OSRELEASE=[^[:space:]]*' "$dump" | cut -d= -f2)
	# A copy of the map with jiffies_64 renamed: the sidecar can only know the new name from it.
	sed 's/ jiffies_64$/ k2e_from_system_map/' "$map" >"$SIDE/$label.map"
	if ! objcopy -O binary --only-section=.BTF "$vml" "$SIDE/$label.btf.raw" 2>"$SIDE/$label.objcopy.err"; then
		not_ok "$label: objcopy extracts .BTF: $(tail -n 1 "$SIDE/$label.objcopy.err")"
		return
	fi
	if ! "$K2E" -f -v --no-gdb-script --system-map "$SIDE/$label.map" --btf "$SIDE/$label.btf.raw" \
		-o "$core" "$dump" 2>"$SIDE/$label.err"; then
		not_ok "$label: converted with --system-map and --btf: $(tail -n 1 "$SIDE/$label.err")"
		return
	fi
	check "$label: OUTPUT.sym written" [ -s "$core.sym" ]
	timeout 300 gdb -nx -batch -iex 'set debug-file-directory /nonexistent' \
		-ex "symbol-file $core.sym" -ex "core-file $core" -ex "thread $thread" -ex 'info symbol $pc' \
		-ex 'info symbol &k2e_from_system_map' -ex 'ptype struct task_struct' \
		-ex 'p init_task.comm' -ex 'p init_uts_ns.name.release' </dev/null >"$SIDE/$label.gdb" 2>&1
	check "$label: gdb: info symbol \$pc names k2e_do_bad_write (module symbols from the dump)" \
		grep -qE '^k2e_do_bad_write \+ [0-9]+ in section \.text\.k2e_oops' "$SIDE/$label.gdb"
	check "$label: gdb: a kernel symbol only the System.map has" \
		grep -qE '^k2e_from_system_map in section \.data' "$SIDE/$label.gdb"
	check "$label: gdb: ptype struct task_struct from the --btf file" \
		grep -qE '^ +char comm\[16\];' "$SIDE/$label.gdb"
	check "$label: gdb: init_task typed by name: p init_task.comm is swapper/0" \
		grep -q '^\$1 = "swapper/0' "$SIDE/$label.gdb"
	check "$label: gdb: init_uts_ns typed by name: p init_uts_ns.name.release is $rel" \
		bash -c "[ -n '$rel' ] && grep -q '^\\\$2 = \"$rel\"' '$SIDE/$label.gdb'"
	# A --btf that is not BTF: exit 1, a message naming it, nothing written.
	"$K2E" -f --no-gdb-script --btf "$map" -o "$SIDE/$label.bad.elf" "$dump" 2>"$SIDE/$label.bad.err"
	check_eq "$label: a bad --btf file exits 1" 1 $?
	check "$label: a bad --btf file is named in the message" grep -qF -- "--btf '$map'" "$SIDE/$label.bad.err"
	check "$label: a bad --btf file leaves no output" bash -c "[ ! -e '$SIDE/$label.bad.elf' ]"
	rm -f "$core" "$core.sym" "$SIDE/$label.btf.raw"
}

if [ -n "${FIXDIR:-}" ] && [ -d "$FIXDIR" ]; then
	for k in "$FIXDIR"/*/kdump; do
		[ -f "$k/vmcore.kdump-zlib" ] || continue
		s=$(basename "$(dirname "$k")")
		cpu=$(field crash_cpu "$k/facts.txt")
		side_files "files-$s-kdump-zlib" "$(ls "$FIXDIR"/System.map-* | head -n 1)" \
			"$(ls "$FIXDIR"/vmlinux-* | head -n 1)" $((${cpu:-1} + 1)) "$k/vmcore.kdump-zlib"
		break	# one dump is enough: the files are the kernel's, not the dump's
	done
fi
