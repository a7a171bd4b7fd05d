# symtab.sh - the core's section headers and .symtab (convert/coresyms.h):
# llvm-objdump, llvm-nm and llvm-addr2line name the crashing function at the
# panic CPU's pc, with and without a vmlinux; GNU binutils do on a copy whose
# e_type is ET_EXEC (BFD reads no sections or symbols of an ET_CORE); and
# what gdb, crash, drgn and libkdumpfile read is the same with and without
# the table (--no-symtab).  Sourced by run-all.sh after real-fixtures.sh.
SYT=$T/symtab
mkdir -p "$SYT/with" "$SYT/without"
SY_CMP="$PY $ROOT/tests/tools/kdf-compare.py"

# sy_pc CORE: the pc of the panic CPU's NT_PRSTATUS (x86_64 or arm64), as 0x...
sy_pc() {
	$PY - "$1" <<'PY'
import re, struct, sys
d = open(sys.argv[1], "rb").read(1 << 24)
machine, = struct.unpack_from("<H", d, 18)
phoff, = struct.unpack_from("<Q", d, 32); n, = struct.unpack_from("<H", d, 56)
prs, panic = [], None
for i in range(n):
    t, _, off, _, _, sz, _, _ = struct.unpack_from("<IIQQQQQQ", d, phoff + 56 * i)
    if t != 4:
        continue
    p = off
    while p + 12 <= off + sz:
        nsz, dsz, typ = struct.unpack_from("<III", d, p)
        name = d[p + 12:p + 12 + nsz].rstrip(b"\0")
        desc = p + 12 + ((nsz + 3) & ~3)
        if typ == 1 and name == b"CORE":
            prs.append(desc)
        elif name == b"KDUMP2ELF":
            m = re.search(rb"PANIC_CPU=(-?\d+)\n", d[desc:desc + dsz])
            cpus = re.findall(rb"NOTE=(\d+) CPU=(-?\d+)", d[desc:desc + dsz])
            if m:
                panic = [int(k) for k, c in cpus if int(c) == int(m.group(1))]
        p = desc + ((dsz + 3) & ~3)
    break
# pr_reg at 112; x86_64 user_regs_struct rip is word 16, arm64 pc is word 32.
pc = struct.unpack_from("<Q", d, prs[panic[0]] + 112 + 8 * (16 if machine == 62 else 32))[0]
print("0x%x" % pc)
PY
}

# sy_binutils LABEL CORE FUNC: the tools name FUNC at the panic CPU's pc.
sy_binutils() {
	local label=$1 core=$2 fn=$3 pc stop
	pc=$(sy_pc "$core")
	stop=$(printf '0x%x' $((pc + 16)))	# printf: past 2^63 the sum is negative
	check "$label: the panic CPU's pc is in the notes" [ -n "$pc" ]
	check_eq "$label: still an ET_CORE" "CORE (Core file)" \
		"$(readelf -hW "$core" | sed -n 's/^ *Type: *//p')"
	check "$label: readelf -SsW is clean" bash -c "! readelf -SslnW '$core' 2>&1 >/dev/null | grep -q ."
	llvm-objdump-14 -d --start-address=$pc --stop-address=$stop "$core" >"$SYT/$label.objdump" 2>&1
	check "$label: llvm-objdump -d at \$pc starts in <$fn>" \
		grep -qE "^[0-9a-f]+ <$fn>:" "$SYT/$label.objdump"
	check "$label: llvm-objdump -d disassembles \$pc's bytes" \
		grep -qE "^ *${pc#0x}: " "$SYT/$label.objdump"
	check_eq "$label: llvm-addr2line -f -e core \$pc" "$fn" \
		"$(llvm-addr2line-14 -f -e "$core" "$pc" | head -n 1)"
	check "$label: llvm-nm core lists $fn" bash -c "llvm-nm-14 '$core' | grep -qE ' [tT] $fn\$'"
	# GNU binutils: the same tables, read from a copy that BFD takes as an object.
	cp --sparse=always "$core" "$SYT/$label.exec"
	printf '\2' | dd of="$SYT/$label.exec" bs=1 seek=16 conv=notrunc status=none
	objdump -d --start-address=$pc --stop-address=$stop "$SYT/$label.exec" \
		>"$SYT/$label.gnu-objdump" 2>&1
	check "$label: GNU objdump -d on an ET_EXEC copy prints <$fn+0x...>" \
		grep -qE "^[0-9a-f]+ <$fn\+0x[0-9a-f]+>:" "$SYT/$label.gnu-objdump"
	check_eq "$label: GNU addr2line -f on an ET_EXEC copy" "$fn" \
		"$(addr2line -f -e "$SYT/$label.exec" "$pc" | head -n 1)"
	check "$label: GNU nm on an ET_EXEC copy lists $fn" \
		bash -c "nm '$SYT/$label.exec' | grep -qE ' [tT] $fn\$'"
	rm -f "$SYT/$label.exec"
}

# sy_same LABEL VMLINUX DUMP ARGS...: the dump converted with and without the
# table; page data, notes and program headers are the same bytes, and gdb
# (OUT.gdb), libkdumpfile, crash and drgn (with VMLINUX) read the same.
sy_same() {
	local label=$1 vml=$2 dump=$3 w n sz
	shift 3
	w=$SYT/with/$label.elf n=$SYT/without/$label.elf
	"$K2E" -f "$@" "$dump" -o "$w" 2>"$SYT/$label.err"
	check_eq "$label: converted with the table" 0 $?
	"$K2E" -f --no-symtab "$@" "$dump" -o "$n" 2>>"$SYT/$label.err"
	check_eq "$label: converted with --no-symtab" 0 $?
	check_eq "$label: --no-symtab: no section headers" 0 \
		"$(readelf -hW "$n" | sed -n 's/^ *Number of section headers: *//p')"
	check "$label: --no-symtab: no symbols" bash -c "! llvm-nm-14 '$n' 2>/dev/null | grep -q ."
	sz=$(stat -c %s "$n")
	check "$label: program headers, notes and pages are the same bytes" \
		cmp -s -i 64 -n $((sz - 64)) "$w" "$n"
	echo "   $label: $(stat -c %s "$w") bytes with the table, $sz without"
	if [ -f "$SYT/with/$label.elf.sym" ] || [ -f "$SYT/without/$label.elf.sym" ]; then
		check "$label: OUT.sym the same" cmp -s "$SYT/with/$label.elf.sym" "$SYT/without/$label.elf.sym"
	fi
	[ -n "${K2E_SANITIZE:-}" ] && return	# the rest only runs other tools
	$SY_CMP --digest "$w" >"$SYT/$label.kdf.w" 2>&1
	$SY_CMP --digest "$n" >"$SYT/$label.kdf.n" 2>&1
	check "$label: libkdumpfile reads the pages" [ -n "$(field digest "$SYT/$label.kdf.w")" ]
	check_eq "$label: libkdumpfile reads the same pages" "$(cat "$SYT/$label.kdf.n")" \
		"$(cat "$SYT/$label.kdf.w")"
	# Each pair of runs side by side: these tools take seconds each.
	for v in with without; do
		timeout 300 gdb -nx -batch -iex 'set debug-file-directory /nonexistent' \
			-x "$SYT/$v/$label.elf.gdb" -ex 'info threads' -ex bt -ex 'x/2i $pc' \
			-ex 'info registers rip rsp pc sp' </dev/null 2>&1 |
			sed "s|$SYT/$v/||g" >"$SYT/$label.gdb.$v" &
	done
	wait
	check "$label: gdb -x OUT.gdb: a backtrace" grep -q '^#1 ' "$SYT/$label.gdb.with"
	check "$label: gdb reads the same threads, bt, code and registers" \
		diff -u "$SYT/$label.gdb.without" "$SYT/$label.gdb.with"
	[ -n "$vml" ] || return	# crash and drgn need one; the caller says when none was compared
	printf 'sys\nbt\nbt -a\nquit\n' >"$SYT/crash.cmds"
	for v in with without; do
		timeout 300 crash -s "$vml" "$SYT/$v/$label.elf" -i "$SYT/crash.cmds" </dev/null 2>&1 |
			sed -e "s|$SYT/$v/||g" >"$SYT/$label.crash.$v" &
	done
	wait
	for v in with without; do
		$PY "$ROOT/tests/tools/drgn-tasks.py" "$vml" "$SYT/$v/$label.elf" >"$SYT/$label.drgn.$v" 2>&1
	done
	check "$label: crash shows the panic" grep -q 'PANIC:' "$SYT/$label.crash.with"
	check "$label: crash prints the same sys, bt and bt -a" \
		diff -u "$SYT/$label.crash.without" "$SYT/$label.crash.with"
	check "$label: drgn lists tasks" grep -q '^crashed pid ' "$SYT/$label.drgn.with"
	check "$label: drgn reads the same tasks and crashed thread" \
		diff -u "$SYT/$label.drgn.without" "$SYT/$label.drgn.with"
}

sy_vmlinux_for() {	# DUMP: a vmlinux of the dump's build ID (real-fixtures.sh's vmlinux_for), or ""
	local id v
	id=$(head -c 16M "$1" | grep -a -o -m 1 'BUILD-ID=[0-9a-f]*' | head -n 1 | cut -d= -f2)
	[ -n "$id" ] || return
	for v in ${K2E_SHARED_VMLINUX:-} "${K2E_FIXTURE_CACHE:-/var/cache/kdump2elf}"/fixtures/*/vmlinux-* \
		/usr/lib/debug/boot/vmlinux-*; do
		[ -f "$v" ] && readelf -n "$v" 2>/dev/null | grep -q "Build ID: $id" && { echo "$v"; return; }
	done
}

if ! command -v llvm-objdump-14 >/dev/null; then
	note "llvm-14 is not installed: the core's symbol table was not tested"
	return 0
fi
SY_SHARED=$ROOT/../shared/fixtures/kdump-6.1-k2e
sy_compared=""
if [ -d "$SY_SHARED" ]; then
	sy_vml=$(sy_vmlinux_for "$SY_SHARED/vmcore.kdump-zlib")
	# Without a vmlinux: kallsyms and the modules' symbols from the dump.
	sy_same shared-kallsyms "" "$SY_SHARED/vmcore.kdump-zlib"
	if [ -f "$SYT/with/shared-kallsyms.elf.sym" ]; then
		sy_binutils shared-kallsyms "$SYT/with/shared-kallsyms.elf" k2e_do_bad_write
	else
		note "a vmlinux of the shared fixture was found on this machine: the table from kallsyms was not tested"
	fi
	if [ -n "$sy_vml" ]; then
		sy_same shared-vmlinux "$sy_vml" "$SY_SHARED/vmcore.kdump-zlib" --vmlinux "$sy_vml"
		sy_binutils shared-vmlinux "$SYT/with/shared-vmlinux.elf" k2e_do_bad_write
		sy_compared=1
	fi
else
	note "../shared/fixtures is not beside this clone: the core's symbol table was not tested on it"
fi
# The generated 6.1 fixture (generated-fixtures.sh's FIXDIR), whose vmlinux is
# always at hand: the table from it, and crash and drgn with and without the
# table when the shared fixture's vmlinux is not here (once is enough).
sy_fix=${FIXDIR:-$(ls -d "${K2E_FIXTURE_CACHE:-/var/cache/kdump2elf}"/fixtures/6.1.*-amd64 2>/dev/null | head -n 1)}
sy_fvml=$(ls "$sy_fix"/vmlinux-* 2>/dev/null | head -n 1)
if [ -n "$sy_fvml" ] && [ -f "$sy_fix/smp2/kdump/vmcore.kdump-zlib" ]; then
	if [ -z "$sy_compared" ]; then
		sy_same gen61-vmlinux "$sy_fvml" "$sy_fix/smp2/kdump/vmcore.kdump-zlib" --vmlinux "$sy_fvml"
	else
		"$K2E" -f --vmlinux "$sy_fvml" "$sy_fix/smp2/kdump/vmcore.kdump-zlib" \
			-o "$SYT/with/gen61-vmlinux.elf" 2>"$SYT/gen61.err"
		check_eq "gen61-vmlinux: converted" 0 $?
	fi
	sy_binutils gen61-vmlinux "$SYT/with/gen61-vmlinux.elf" "$(field oops_function \
		"$sy_fix/smp2/kdump/facts.txt")"
	[ -n "$sy_compared" ] || [ -n "${K2E_SANITIZE:-}" ] || note "no vmlinux of the shared fixture (K2E_SHARED_VMLINUX, /usr/lib/debug/boot): crash and drgn compared on the generated 6.1 dump instead"
	sy_compared=1
fi
[ -n "$sy_compared" ] || [ -n "${K2E_SANITIZE:-}" ] || note "no vmlinux of the shared or generated 6.1 fixture: crash and drgn not compared with and without the core's symbol table"
rm -rf "$SYT/with" "$SYT/without"
