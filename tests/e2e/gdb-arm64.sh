# gdb-arm64.sh - the real arm64 dumps (tests/fixtures/make-fixtures-arm64) end to end
# on this x86_64 host: the kernel's virtual mappings from its page tables, one
# thread per CPU with the panic CPU's selected, pointer-authentication masks for
# gdb, and Debian's gdb-multiarch through OUT.gdb with the vmlinux and the module
# giving what drgn gives on the original dump (or what the serial log says); the
# batch summary and kernel log of every kdump variant.  Sourced by run-all.sh
# after gdb.sh (gdb.sh does the same for x86_64).
if [ -n "${K2E_NO_FIXTURES:-}" ]; then
	note "K2E_NO_FIXTURES is set: the arm64 gdb and batch tests were not run"
	return 0
fi
if ! command -v gdb-multiarch >/dev/null; then
	note "gdb-multiarch is not installed: the arm64 gdb tests were not run"
	return 0
fi
GA=$T/gdb-arm64
mkdir -p "$GA"
# The fixtures: generated-arm64.sh (real-fixtures.sh) has built or found them.
if [ -z "${A64DIR:-}" ] || [ ! -d "$A64DIR" ]; then
	A64DIR=$("$ROOT/tests/fixtures/make-fixtures-arm64" 2>"$GA/make-fixtures-arm64.log" | tail -n 1)
fi
if [ -z "$A64DIR" ] || [ ! -d "$A64DIR/smp2/kdump" ]; then
	not_ok "arm64 fixtures not found (tests/fixtures/make-fixtures-arm64)"
	return 0
fi
GA_K=$A64DIR/smp2/kdump
GA_VML=$(ls "$A64DIR"/vmlinux-* 2>/dev/null | head -n 1)
GA_KO=$A64DIR/k2e_oops.ko
# fact KEY: a fact the fixture builder recorded about the crash (facts.txt)
ga_fact() {
	awk -v k="$1" '$1 == k { print $2; exit }' "$GA_K/facts.txt"
}
# ga_vmci KEY: a vmcoreinfo value of the dump
ga_vmci() {
	sed -n "s/^$1=//p" "$GA_K/vmcoreinfo.txt" | head -n 1
}

# ga_case LABEL DUMP...: convert with the vmlinux and the module, then gdb-multiarch and drgn
ga_case() {
	local label=$1 out=$GA/$1.elf
	shift
	"$K2E" -f -v --vmlinux "$GA_VML" --modules "$A64DIR" "$@" -o "$out" 2>"$GA/$label.err"
	check_eq "$label: converted" 0 $?
	local g=$GA/$label.gdb.out dr=$GA/drgn.orig oracle=$GA_K/oracle/vmcore.kdump-zlib.drgn-thread.txt

	# The kernel's address space: aliases from the page-table walk, the linear map
	# where VA_BITS and PHYS_OFFSET put it (PAGE_OFFSET - PHYS_OFFSET).
	local aliases dmap
	aliases=$(sed -n 's/.* (\([0-9]*\) physical, \([0-9]*\) aliases).*/\2/p' "$GA/$label.err")
	check "$label: kernel virtual aliases from the page tables (${aliases:-none})" \
		[ "${aliases:-0}" -gt 0 ]
	dmap=$(printf '0x%x' $(( -(1 << $(ga_vmci 'NUMBER(VA_BITS)')) - $(ga_vmci 'NUMBER(PHYS_OFFSET)') )))
	check "$label: the linear map at PAGE_OFFSET - PHYS_OFFSET ($dmap)" \
		grep -q "direct map at $dmap\$" "$GA/$label.err"
	check "$label: the kernel image's alias at kimage_voffset holds _stext" \
		$PY - "$out" "$(ga_vmci 'NUMBER(kimage_voffset)')" "0x$(ga_vmci 'SYMBOL(_stext)')" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
voff, stext = int(sys.argv[2], 16), int(sys.argv[3], 16)
phoff, = struct.unpack_from("<Q", d, 32); n, = struct.unpack_from("<H", d, 56)
for i in range(n):
    t, _, off, va, pa, sz, _, _ = struct.unpack_from("<IIQQQQQQ", d, phoff + 56 * i)
    if t == 1 and va - pa == voff and va <= stext < va + sz:
        sys.exit(0)
sys.exit(1)
PY

	# Notes: each NT_PRSTATUS followed by an NT_ARM_PAC_MASK of KERNELPACMASK.
	readelf -nW "$out" >"$GA/$label.notes"
	local nprs
	nprs=$(grep -c NT_PRSTATUS "$GA/$label.notes")
	check_eq "$label: one NT_ARM_PAC_MASK after each NT_PRSTATUS" "$(printf 'PRSTATUS PAC %.0s' $(seq "$nprs"))" \
		"$(grep -oE 'NT_PRSTATUS|NT_ARM_PAC_MASK' "$GA/$label.notes" | sed 's/NT_ARM_PAC_MASK/PAC/; s/NT_//' | tr '\n' ' ')"

	if [ -n "${K2E_SANITIZE:-}" ]; then	# gdb and drgn only read what the normal pass checked
		rm -f "$out" "$out".*
		return
	fi
	cat >"$GA/tasks.gdb" <<'GDB'
set $off = (unsigned long)&((struct task_struct *)0)->tasks
set $t = (struct task_struct *)((unsigned long)init_task.tasks.next - $off)
while $t != &init_task
  printf "task %d %s\n", $t->pid, $t->comm
  set $t = (struct task_struct *)((unsigned long)$t->tasks.next - $off)
end
GDB
	timeout 600 gdb-multiarch -nx -batch -x "$out.gdb" -ex 'info threads' -ex 'echo bt-begin\n' -ex 'bt' \
		-ex 'echo bt-end\n' -ex 'x/i $pc' \
		-ex 'printf "insn 0x%08x\n", *(unsigned int *)$pc' \
		-ex 'printf "release %s\n", init_uts_ns.name.release' \
		-ex 'printf "jiffies_64 %lu\n", jiffies_64' -ex 'printf "crashed_sp 0x%lx\n", $sp' \
		-ex 'printf "stack_word 0x%lx\n", *(unsigned long *)$sp' \
		-ex 'printf "pauth_cmask 0x%lx\n", $pauth_cmask' \
		-x "$GA/tasks.gdb" </dev/null >"$g" 2>&1
	$PY "$ROOT/tests/tools/drgn-facts.py" "$GA_VML" "$out" "$GA_KO" >"$GA/$label.drgn.out" 2>&1

	check "$label: the script sets the architecture before loading files" \
		bash -c "sed -n '/^set architecture aarch64\$/,\$p' '$out.gdb' | grep -q '^symbol-file '"
	local threads
	threads=$(grep -cE '^[* ] +[0-9]+ +LWP [0-9]+' "$g")
	check_eq "$label: one gdb thread per CPU" "$(ga_fact vcpus)" "$threads"
	check_eq "$label: thread ids are distinct" "$threads" \
		"$(grep -oE '^[* ] +[0-9]+ +LWP [0-9]+' "$g" | awk '{print $NF}' | sort -u | wc -l)"
	check_eq "$label: drgn's crashed task (panic_cpu's) is the trigger" "$(ga_fact trigger_pid)" \
		"$(field crashed_pid "$dr")"
	check "$label: the crashing CPU's thread is selected" \
		grep -qE "^\* +[0-9]+ +LWP $(ga_fact trigger_pid) " "$g"
	check_eq "$label: gdb's PAC mask is KERNELPACMASK" "$(ga_vmci 'NUMBER(KERNELPACMASK)')" \
		"$(field pauth_cmask "$g")"

	# bt: every frame drgn names, in order, with no signature bits in any pc.
	sed -n '/^bt-begin$/,/^bt-end$/p' "$g" >"$GA/$label.bt"
	grep -E '^#[0-9]+ ' "$GA/$label.bt" | sed -E 's/^#[0-9]+ +(0x[0-9a-f]+ in )?([^ (]+).*/\2/' | tr '\n' ' ' \
		>"$GA/$label.frames"
	check "$label: bt from the module through vfs_write and ksys_write to el0_svc" \
		grep -qE '^k2e_do_bad_write k2e_dispatch k2e_proc_write .*vfs_write ksys_write .* el0_svc ' \
		"$GA/$label.frames"
	check_eq "$label: bt names drgn's frames of the original dump" \
		"$(sed -n 's/^frame [0-9]* pc 0x[0-9a-f]* \(.*\)/\1/p' "$oracle" | tr '\n' ' ')" \
		"$(cat "$GA/$label.frames")"
	check_eq "$label: bt's return addresses are drgn's (no PAC bits)" \
		"$(sed -n 's/^frame [0-9]* pc \(0x[0-9a-f]*\) .*/\1/p' "$oracle" | uniq | tr '\n' ' ')" \
		"$(grep -oE '^#[0-9]+ +0x[0-9a-f]+' "$GA/$label.bt" | awk '{print $2}' | tr '\n' ' ')"
	check "$label: x/i \$pc is the faulting store in k2e_do_bad_write" \
		grep -qE "^=> $(sed -n 's/^frame 0 pc \(0x[0-9a-f]*\) .*/\1/p' "$oracle") <k2e_do_bad_write\+[0-9]+>:[[:space:]]+str[[:space:]]" "$g"
	check "$label: the instruction at \$pc is the one the oops printed" \
		grep -q "Code: .*($(field insn "$g" | sed 's/^0x//'))" "$GA_K/serial.log"
	check_eq "$label: init_uts_ns release as drgn reads it" "$(field release "$dr")" "$(field release "$g")"
	check_eq "$label: init_uts_ns release is the guest's" "$(ga_fact osrelease)" "$(field release "$g")"
	check_eq "$label: jiffies_64 as drgn reads it on the original" "$(field jiffies_64 "$dr")" \
		"$(field jiffies_64 "$g")"
	check_eq "$label: the crashed thread's sp as drgn reads it" "$(field crashed_sp "$dr")" \
		"$(field crashed_sp "$g")"
	check "$label: that sp is in the vmalloc area (a vmalloc'd stack)" \
		[ $(( $(field crashed_sp "$g") >= $(ga_vmci 'NUMBER(VMALLOC_START)') &&
		      $(field crashed_sp "$g") < $(ga_vmci 'NUMBER(VMALLOC_END)') )) -eq 1 ]
	check_eq "$label: a word of the vmalloc'd task stack as drgn reads it" \
		"$(field stack_word "$dr")" "$(field stack_word "$g")"
	check_eq "$label: init_task.tasks walked in gdb gives drgn's task list" \
		"$(grep '^task ' "$dr" | sort)" "$(grep '^task ' "$g" | sort)"
	check "$label: the task list is not empty" grep -q '^task ' "$g"
	check_eq "$label: drgn's crashed-thread stack on the output" \
		"$(grep '^frame ' "$dr")" "$(grep '^frame ' "$GA/$label.drgn.out")"

	# Each thread has its own NT_PRSTATUS registers: pc (regs[32]) as the notes have it.
	local pcs gpcs=""
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
            print("0x%x" % struct.unpack_from("<Q", d, desc + 112 + 32 * 8)[0])
        p = desc + ((dsz + 3) & ~3)
PY
)
	for i in $(seq 1 "$threads"); do
		gpcs+="$(timeout 300 gdb-multiarch -nx -batch -ex 'set architecture aarch64' -ex "core-file $out" \
			-ex "thread $i" -ex 'printf "0x%lx\n", $pc' </dev/null 2>/dev/null | tail -n 1)"$'\n'
	done
	check_eq "$label: each thread's pc is its note's" "$pcs" "$(echo "$gpcs" | awk 'NF')"
	rm -f "$out" "$out".*
}

# drgn on the original (kdump-zlib) is the reference for every case
[ -n "${K2E_SANITIZE:-}" ] ||
	$PY "$ROOT/tests/tools/drgn-facts.py" "$GA_VML" "$GA_K/vmcore.kdump-zlib" "$GA_KO" >"$GA/drgn.orig" 2>&1
ga_case arm64-kdump-zlib "$GA_K/vmcore.kdump-zlib"
ga_case arm64-elf-d31 "$GA_K/vmcore.elf-d31"

# QEMU's dump-guest-memory of the same crash (ELF, and flattened kdump with 64 KiB
# blocks and "Unknown" for the machine): the vCPUs are the CPUs, the same mappings
# in both, the panic CPU's bt through the exception to el1h_64_sync; drgn 0.0.22
# cannot read QEMU's ELF ("page table may be missing") but reads the output.
GA_Q=$A64DIR/smp2/qemu
for v in qemu-elf qemu-flat-zlib; do
	[ -e "$GA_Q/vmcore.$v" ] || continue
	out=$GA/arm64-$v.elf
	"$K2E" -f -v --vmlinux "$GA_VML" --modules "$A64DIR" "$GA_Q/vmcore.$v" -o "$out" 2>"$GA/$v.err"
	check_eq "arm64 $v: converted" 0 $?
	check "arm64 $v: both vCPUs mapped to CPUs" grep -q ' 2 CPU notes, 2 mapped to CPUs; panic CPU ' "$GA/$v.err"
	sed -n 's/.* (\([0-9]*\) physical, \([0-9]*\) aliases).*/\2/p' "$GA/$v.err" >"$GA/$v.aliases"
	check_eq "arm64 $v: the panic CPU's thread is selected" \
		"thread $(( $(awk '$1 == "crash_cpu" { print $2 }' "$GA_Q/facts.txt") + 1 ))" "$(grep '^thread ' "$out.gdb")"
	if [ -z "${K2E_SANITIZE:-}" ]; then
		timeout 600 gdb-multiarch -nx -batch -x "$out.gdb" -ex 'echo bt-begin\n' -ex bt -ex 'echo bt-end\n' \
			</dev/null 2>&1 | sed -n '/^bt-begin$/,/^bt-end$/p' | grep -E '^#[0-9]+ ' |
			sed -E 's/^#[0-9]+ +(0x[0-9a-f]+ in )?([^ (]+).*/\2/' | tr '\n' ' ' >"$GA/$v.frames"
		check "arm64 $v: bt from panic through die and do_mem_abort to el1h_64_sync" \
			grep -qE ' panic die .*do_mem_abort el1_abort el1h_64_sync_handler el1h_64_sync $' "$GA/$v.frames"
		$PY "$ROOT/tests/tools/drgn-facts.py" "$GA_VML" "$out" "$GA_KO" >"$GA/$v.drgn.out" 2>&1
		check_eq "arm64 $v: drgn reads init_uts_ns on the output" "$(ga_fact osrelease)" \
			"$(field release "$GA/$v.drgn.out")"
	fi
	rm -f "$out" "$out".*
done
[ -s "$GA/qemu-elf.aliases" ] && check_eq "arm64 QEMU: the flattened dump's 64 KiB blocks give the ELF's mappings" \
	"$(cat "$GA/qemu-elf.aliases")" "$(cat "$GA/qemu-flat-zlib.aliases")"

# Batch: each kdump variant's summary says what the guest logged, its kernel log is
# the capture kernel's makedumpfile --dump-dmesg (vmcore.dmesg.txt).
rm -rf "$GA/batch"
"$K2E" --batch -q --out-dir "$GA/batch" --json "$GA/batch.json" "$GA_K/vmcore.kdump-zlib" \
	"$GA_K/vmcore.kdump-lzo" "$GA_K/vmcore.kdump-nocomp-d1" "$GA_K/vmcore.flat-zlib" \
	"$GA_K/vmcore.elf-d31" "$GA_Q/vmcore.qemu-flat-zlib" 2>"$GA/batch.err"
check_eq "arm64 batch: exit status" 0 $?
GA_MSG=$(sed -n 's/^\[ *[0-9.]*\] \(Unable to handle kernel paging request at virtual address [0-9a-f]*\)$/\1/p' \
	"$GA_K/serial.log" | head -n 1)
for v in kdump-zlib kdump-lzo kdump-nocomp-d1 flat-zlib elf-d31; do
	$PY - "$GA/batch.json" "vmcore.$v" >"$GA/batch.$v" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    j = json.loads(line)
    if j["input"][0].endswith("/" + sys.argv[2]):
        p = j.get("panic") or {}
        print("status %s" % j["status"])
        print("machine %s" % j["kernel"]["machine"])
        print("cpus %s" % j["cpus"])
        print("cpu %s" % p.get("cpu"))
        print("pid %s" % p.get("pid"))
        print("comm %s" % p.get("comm"))
        print("message %s" % p.get("message"))
PY
	b=$GA/batch.$v
	check_eq "arm64 batch $v: ok" ok "$(field status "$b")"
	check_eq "arm64 batch $v: machine" aarch64 "$(field machine "$b")"
	check_eq "arm64 batch $v: CPUs" "$(ga_fact vcpus)" "$(field cpus "$b")"
	check_eq "arm64 batch $v: panic CPU" "$(ga_fact crash_cpu)" "$(field cpu "$b")"
	check_eq "arm64 batch $v: panic pid" "$(ga_fact trigger_pid)" "$(field pid "$b")"
	check_eq "arm64 batch $v: panic comm" "$(ga_fact trigger_comm)" "$(field comm "$b")"
	check_eq "arm64 batch $v: panic message as the serial log has it" "${GA_MSG:-none in the log}" \
		"$(sed -n 's/^message //p' "$b")"
	check "arm64 batch $v: kernel log equals makedumpfile --dump-dmesg (vmcore.dmesg.txt)" \
		dmesg_cmp "$GA_K/vmcore.dmesg.txt" "$GA/batch/vmcore.$v.dmesg"
done
$PY - "$GA/batch.json" <<'PY' >"$GA/batch.qemu"
import json, sys
for line in open(sys.argv[1]):
    j = json.loads(line)
    if j["input"][0].endswith("/vmcore.qemu-flat-zlib"):
        print("machine %s" % j["kernel"]["machine"])
PY
check_eq "arm64 batch qemu-flat-zlib: machine (QEMU's header says Unknown)" aarch64 "$(field machine "$GA/batch.qemu")"
rm -rf "$GA/batch"
