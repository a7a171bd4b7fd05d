# batch.sh - kdump2elf --batch (issue 6): the kernel log of every real dump
# equals makedumpfile --dump-dmesg, the panic message and crashing task equal
# what crash's sys and bt say, a batch over a directory of every format and
# every kind of damage gives the right status for each and lines that validate
# against schema/summary.schema.json, and a batch killed mid-way resumes
# without redoing finished dumps.  Sourced by run-all.sh (after
# real-fixtures.sh, whose generated-fixtures.sh sets FIXDIR).
BT=$T/batch
mkdir -p "$BT"
SCHEMA=$ROOT/schema/summary.schema.json
SHARED=$ROOT/../shared/fixtures/kdump-6.1-k2e

# bt_validate FILE...: every line is JSON and valid against the schema.
bt_validate() {
	$PY - "$SCHEMA" "$@" <<'PY'
import json, sys
import jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
bad = n = 0
for path in sys.argv[2:]:
    for i, line in enumerate(open(path, encoding='utf-8'), 1):
        n += 1
        try:
            obj = json.loads(line)
        except ValueError as e:
            print(f"{path}:{i}: not JSON: {e}")
            bad += 1
            continue
        for err in v.iter_errors(obj):
            print(f"{path}:{i}: {'/'.join(map(str, err.path))}: {err.message}")
            bad += 1
sys.exit(1 if bad or n == 0 else 0)
PY
}

# bt_get FILE NAME KEY[.KEY]: a field of the line whose "name" is NAME ("null", "missing").
bt_get() {
	$PY - "$@" <<'PY'
import json, sys
path, name, key = sys.argv[1:4]
for line in open(path, encoding='utf-8'):
    o = json.loads(line)
    if o.get('name') == name:
        for k in key.split('.'):
            o = o[int(k)] if isinstance(o, list) else o.get(k, 'missing')
        print('null' if o is None else o)
        break
else:
    print('missing')
PY
}

# bt_none FILE...: none of them exists.
bt_none() {
	local f
	for f; do [ ! -e "$f" ] || return 1; done
}

# bt_unchanged LIST FILE...: each file's "name|mtime" is still as LIST recorded it.
bt_unchanged() {
	local list=$1 f
	shift
	for f; do grep -qFx "$(stat -c '%n|%y' "$f")" "$list" || return 1; done
}

# bt_names FILE: the names of its lines, sorted.
bt_names() {
	$PY -c 'import json,sys; print("\n".join(sorted(json.loads(l)["name"] for l in open(sys.argv[1]))))' "$1"
}

# bt_oracle_check LABEL JSON NAME CRASH_TXT: panic message, pid, cpu and comm as crash says.
bt_oracle_check() {
	local label=$1 json=$2 name=$3 txt=$4 want_msg bt_line
	if [ ! -f "$txt" ] || ! grep -q 'PANIC:' "$txt"; then
		note "$label: no crash oracle ($txt): panic fields not compared"
		return
	fi
	want_msg=$(sed -n 's/^ *PANIC: "\(.*\)".*$/\1/p' "$txt" | head -n 1)
	bt_line=$(grep -m 1 '^PID: ' "$txt")
	check_eq "$label: panic message is crash's PANIC" "$want_msg" "$(bt_get "$json" "$name" panic.message)"
	check_eq "$label: panic pid is crash's bt PID" \
		"$(echo "$bt_line" | sed -n 's/^PID: *\([0-9]*\) .*/\1/p')" "$(bt_get "$json" "$name" panic.pid)"
	check_eq "$label: panic cpu is crash's bt CPU" \
		"$(echo "$bt_line" | sed -n 's/.* CPU: *\([0-9]*\) .*/\1/p')" "$(bt_get "$json" "$name" panic.cpu)"
	check_eq "$label: panic comm is crash's bt COMMAND" \
		"$(echo "$bt_line" | sed -n 's/.*COMMAND: "\(.*\)"$/\1/p')" "$(bt_get "$json" "$name" panic.comm)"
}

# bt_crash_log LABEL CRASH_TXT DMESG: the log crash printed (in full, or its
# `log | tail -40`, right before `ps` prints its header) is the end of DMESG.
bt_crash_log() {
	local label=$1 txt=$2 dmesg=$3 ps n first
	[ -f "$txt" ] && [ -f "${txt%.txt}.cmds" ] || return 0
	ps=$(grep -n -m 1 '^ *PID  *PPID  *CPU' "$txt" | cut -d: -f1)
	if [ -z "$ps" ] || ! grep -q '^log' "${txt%.txt}.cmds"; then
		return 0
	fi
	if grep -q '^log | tail -\([0-9]*\)' "${txt%.txt}.cmds"; then
		n=$(sed -n 's/^log | tail -\([0-9]*\).*/\1/p' "${txt%.txt}.cmds" | head -n 1)
	else
		n=$(grep -c '' "$dmesg")
		# The whole log: the line before it is not a log line.
		first=$((ps - n - 1))
		if [ "$first" -ge 1 ] && sed -n "${first}p" "$txt" | grep -q '^\[ *[0-9]*\.[0-9]*\] '; then
			not_ok "$label: crash's log has more lines than ours"
			return
		fi
	fi
	check "$label: kernel log equals crash's log" \
		dmesg_cmp <(sed -n "$((ps - n)),$((ps - 1))p" "$txt") <(tail -n "$n" "$dmesg")
}

# bt_mdf_dmesg DUMP OUT: makedumpfile --dump-dmesg (flattened streams through -R).
bt_mdf_dmesg() {
	local in=$1
	rm -f "$2" "$BT/mdf.R"
	if head -c 12 "$in" | grep -q makedumpfile; then
		timeout 300 makedumpfile -R "$BT/mdf.R" <"$in" >/dev/null 2>&1 || return 1
		in=$BT/mdf.R
	fi
	timeout 300 makedumpfile --dump-dmesg "$in" "$2" >/dev/null 2>&1
	local rc=$?
	rm -f "$BT/mdf.R"
	return $rc
}

# ---- (a) the kernel log and the panic of every real dump ----

if [ -d "$SHARED" ]; then
	IN=$BT/shared
	mkdir -p "$IN/split"
	ln -s "$SHARED/vmcore.kdump-zlib" "$IN/vmcore.kdump-zlib"
	ln -s "$SHARED/vmcore.kdump-lzo" "$IN/vmcore.kdump-lzo"
	ln -s "$SHARED/vmcore.flat-zlib" "$IN/vmcore.flat-zlib"
	ln -s "$SHARED/vmcore.split-zlib.1" "$IN/split/vmcore.split-zlib.1"
	ln -s "$SHARED/vmcore.split-zlib.2" "$IN/split/vmcore.split-zlib.2"
	ln -s "$(shared_elf_d31)" "$IN/vmcore.elf-d31"
	"$K2E" --batch -q -j 2 --threads 2 --out-dir "$BT/shared.out" --json "$BT/shared.json" "$IN"
	check_eq "shared fixtures batch: exit status" 0 $?
	check "shared fixtures batch: every line valid against the schema" bt_validate "$BT/shared.json"
	check_eq "shared fixtures batch: one line per dump (split pieces grouped)" \
		"$(printf '%s\n' split/vmcore.split-zlib vmcore.elf-d31 vmcore.flat-zlib vmcore.kdump-lzo vmcore.kdump-zlib)" \
		"$(bt_names "$BT/shared.json")"
	for n in vmcore.kdump-zlib vmcore.kdump-lzo vmcore.flat-zlib split/vmcore.split-zlib vmcore.elf-d31; do
		check_eq "shared $n: status" ok "$(bt_get "$BT/shared.json" "$n" status)"
		check "shared $n: kernel log equals makedumpfile --dump-dmesg (vmcore.dmesg.txt)" \
			dmesg_cmp "$SHARED/vmcore.dmesg.txt" "$BT/shared.out/$n.dmesg"
		check_eq "shared $n: release" 6.1.0-56-cloud-amd64 "$(bt_get "$BT/shared.json" "$n" kernel.release)"
		check_eq "shared $n: cpus" 2 "$(bt_get "$BT/shared.json" "$n" cpus)"
		o=$(basename "$n")
		[ "$o" = vmcore.split-zlib ] && o=vmcore.split-zlib.1
		bt_oracle_check "shared $n" "$BT/shared.json" "$n" "$SHARED/oracle/$o.crash.txt"
		bt_crash_log "shared $n" "$SHARED/oracle/$o.crash.txt" "$BT/shared.out/$n.dmesg"
	done
	# The fixtures README: crashing CPU 1, pid 160, comm k2e_trigger.
	check_eq "shared: panic task is pid 160 on CPU 1, k2e_trigger" "160 1 k2e_trigger" \
		"$(bt_get "$BT/shared.json" vmcore.kdump-zlib panic.pid) $(bt_get "$BT/shared.json" vmcore.kdump-zlib panic.cpu) $(bt_get "$BT/shared.json" vmcore.kdump-zlib panic.comm)"
	if command -v makedumpfile >/dev/null; then
		if bt_mdf_dmesg "$SHARED/vmcore.kdump-zlib" "$BT/mdf.dmesg"; then
			check "shared kdump-zlib: kernel log equals makedumpfile --dump-dmesg run here" \
				dmesg_cmp "$BT/mdf.dmesg" "$BT/shared.out/vmcore.kdump-zlib.dmesg"
		else
			not_ok "makedumpfile --dump-dmesg failed on the shared kdump-zlib"
		fi
	else
		note "makedumpfile is not installed: its --dump-dmesg was not run here"
	fi

	# A single conversion writes the same line with --json.
	"$K2E" -q -f --threads 2 "$SHARED/vmcore.kdump-zlib" -o "$BT/single.elf" --json "$BT/single.json"
	check_eq "single conversion --json: exit status" 0 $?
	check "single conversion --json: valid against the schema" bt_validate "$BT/single.json"
	check_eq "single conversion --json: panic message" "Oops: 0002 [#1] PREEMPT SMP NOPTI" \
		"$($PY -c 'import json,sys; print(json.loads(open(sys.argv[1]).read())["panic"]["message"])' "$BT/single.json")"
	"$K2E" -q "$SHARED/k2e_oops.c" -o "$BT/single2.elf" --json - >"$BT/single2.json" 2>/dev/null
	check_eq "single conversion --json of a non-dump: exit status" 1 $?
	check "single conversion --json of a non-dump: an error line, valid" bt_validate "$BT/single2.json"
	check "single conversion --json of a non-dump: status error" grep -q '"status":"error"' "$BT/single2.json"
	rm -f "$BT"/single*.elf "$BT"/single*.elf.gdb

	# --no-symtab: the cores a single conversion with --no-symtab writes.
	mkdir -p "$BT/nosym.in"
	ln -s "$SHARED/vmcore.kdump-zlib" "$BT/nosym.in/vmcore.kdump-zlib"
	"$K2E" --batch -q --threads 2 --no-symtab --out-dir "$BT/nosym.out" "$BT/nosym.in"
	check_eq "batch --no-symtab: exit status" 0 $?
	"$K2E" -q -f --threads 2 --no-symtab "$BT/nosym.in/vmcore.kdump-zlib" -o "$BT/nosym-single.elf"
	check "batch --no-symtab: the core of kdump2elf --no-symtab" \
		cmp "$BT/nosym.out/vmcore.kdump-zlib.elf" "$BT/nosym-single.elf"
	check "batch --no-symtab: no section headers in the core" \
		bash -c "readelf -SW '$BT/nosym.out/vmcore.kdump-zlib.elf' | grep -q 'There are no sections'"
	check "batch without it: the core has a .symtab" \
		bash -c "readelf -SW '$BT/shared.out/vmcore.kdump-zlib.elf' | grep -q ' .symtab '"
	rm -rf "$BT/nosym.in" "$BT/nosym.out" "$BT"/nosym-single.*
else
	note "../shared/fixtures is not beside this clone: the shared kernel-log tests were not run"
fi

# The generated fixtures of every kernel (FIXDIRS, from generated-fixtures.sh):
# every shape's directory, as a batch (its logs and notes are passed over).
if [ -z "${FIXDIR:-}" ] && [ -z "${K2E_NO_FIXTURES:-}" ] && [ -x "$ROOT/tests/fixtures/make-fixtures" ]; then
	FIXDIR=$("$ROOT/tests/fixtures/make-fixtures" 2>/dev/null | tail -n 1)
fi
# bt_mdf_ref DIR NAME: the kernel log makedumpfile 1.7.6 printed for dump NAME
# of DIR when the fixture was made (its stream's -R copy for a flattened one).
bt_mdf_ref() {
	local f
	for f in "$1/oracle/$2.mdf-dmesg.txt" "$1/oracle/$2.R.mdf-dmesg.txt"; do
		[ -s "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}
if [ -n "${K2E_SANITIZE:-}" ]; then
	: # the generated dumps are large: the plain build covers them
elif [ -n "${FIXDIR:-}" ] && [ -d "$FIXDIR" ]; then
	for kdir in ${FIXDIRS:-$FIXDIR}; do
	kern=$(basename "$kdir" | sed 's/^\([0-9]*\.[0-9]*\)\..*/\1/')
	# crash 8.0.2 cannot open 6.12 dumps: no crash oracle there (facts.txt still checks the panic)
	bt_crash=1
	if ! grep -q 'PANIC:' "$kdir"/*/kdump/oracle/vmcore.kdump-zlib.crash.txt 2>/dev/null; then
		bt_crash=
		note "$kern batch: crash cannot open these dumps: its log and panic are not compared"
	fi
	for shape in "$kdir"/*/; do
		shape=${shape%/}
		s=$kern-$(basename "$shape")
		[ -d "$shape/kdump" ] || [ -d "$shape/qemu" ] || continue
		out=$BT/gen-$s.out
		"$K2E" --batch -q -j 2 --out-dir "$out" --json "$BT/gen-$s.json" "$shape" 2>"$BT/gen-$s.err"
		rc=$?
		want_rc=0
		ls "$shape"/kdump/vmcore.incomplete-* "$shape"/kdump/vmcore.truncated-* >/dev/null 2>&1 && want_rc=3
		check_eq "$s batch: exit status" "$want_rc" "$rc"
		check "$s batch: every line valid against the schema" bt_validate "$BT/gen-$s.json"
		for n in $(bt_names "$BT/gen-$s.json"); do
			st=$(bt_get "$BT/gen-$s.json" "$n" status)
			in=$(bt_get "$BT/gen-$s.json" "$n" input.0)
			case $n in
			*incomplete*|*truncated*)
				check_eq "$s $n: status" partial "$st"
				continue
				;;
			esac
			check_eq "$s $n: status" ok "$st"
			d=$shape/${n%%/*}
			ref=$d/vmcore.dmesg.txt
			oracle=$(dirname "$in")/oracle/$(basename "$n").crash.txt
			if mdf=$(bt_mdf_ref "$d" "$(basename "$n")"); then
				# makedumpfile 1.7.6 (Debian 13), run on the host on this very dump
				check "$s $n: kernel log equals makedumpfile 1.7.6 --dump-dmesg of the dump" \
					dmesg_cmp "$mdf" "$out/$n.dmesg"
			fi
			# makedumpfile 1.7.2 cannot read QEMU's dumps (ELF e_phoff 192, kdump
			# header phys_base wrong): for those, crash's full log is the reference.
			if [ -f "$ref" ]; then
				check "$s $n: kernel log equals the capture kernel's makedumpfile --dump-dmesg" \
					dmesg_cmp "$ref" "$out/$n.dmesg"
			elif { [ ! -f "$oracle" ] || [ -z "$bt_crash" ]; } && [ -z "$mdf" ]; then
				note "$s $n: no reference log (no vmcore.dmesg.txt, no crash oracle)"
			fi
			if [ -n "$bt_crash" ]; then
				bt_crash_log "$s $n" "$oracle" "$out/$n.dmesg"
				bt_oracle_check "$s $n" "$BT/gen-$s.json" "$n" "$oracle"
			fi
			if [ -f "$d/facts.txt" ]; then
				check_eq "$s $n: panic cpu is the fixture's crash_cpu" \
					"$(field crash_cpu "$d/facts.txt")" "$(bt_get "$BT/gen-$s.json" "$n" panic.cpu)"
				check_eq "$s $n: panic pid is the fixture's trigger_pid" \
					"$(field trigger_pid "$d/facts.txt")" "$(bt_get "$BT/gen-$s.json" "$n" panic.pid)"
				check_eq "$s $n: panic comm is the fixture's trigger_comm" \
					"$(field trigger_comm "$d/facts.txt")" "$(bt_get "$BT/gen-$s.json" "$n" panic.comm)"
				want=$(sed -n 's/^panic_message //p' "$d/facts.txt")
				[ -n "$want" ] || want=$(sed -n 's/^\[ *[0-9.]*\] \(Oops: .*\)$/\1/p' "$d/serial.log" | head -n 1)
				check_eq "$s $n: panic message is the Oops line of the serial console" \
					"$want" "$(bt_get "$BT/gen-$s.json" "$n" panic.message)"
			fi
		done
		rm -rf "$out"
	done
	done
else
	note "no generated fixtures: their kernel logs were not compared"
fi

# ---- (b) a directory of every format and every kind of damage ----

D=$BT/dir
mkdir -p "$D/host1-2026-11-26" "$D/host2-2026-11-26" "$D/split"
"$GEN" "$ROOT/tests/gen/specs/codec-zstd.spec" "$D/zstd" >/dev/null
"$GEN" "$ROOT/tests/gen/specs/codec-snappy.spec" "$D/snappy" >/dev/null
"$GEN" "$ROOT/tests/gen/specs/diskdump.spec" "$D/diskdump" >/dev/null
"$GEN" "$ROOT/tests/gen/specs/elf64-segments.spec" "$D/elf64" >/dev/null
"$GEN" -e 'format flat; codec lzo; flat_shuffle 3' "$D/flat-lzo" >/dev/null
"$GEN" -e 'format split; split 3; codec zlib lzo' "$D/split/vmcore" >/dev/null
"$GEN" -e 'incomplete 100' "$D/incomplete" >/dev/null
"$GEN" -e 'truncate_at data' "$D/truncated" >/dev/null
"$GEN" -e 'block_size 1000' "$D/corrupt-header" >/dev/null
"$GEN" "$ROOT/tests/gen/specs/bad-corrupt-page.spec" "$D/corrupt-page" >/dev/null
echo "[    0.000000] Linux version 6.1" >"$D/host1-2026-11-26/vmcore-dmesg.txt"
echo "not a dump" >"$D/notes.log"
want_ok="diskdump elf64 flat-lzo snappy split/vmcore zstd"
want_partial="corrupt-page incomplete truncated"
want_error="corrupt-header"
if [ -d "$SHARED" ]; then
	# Real dumps of every real format; every RHEL dump is called vmcore.
	ln -s "$SHARED/vmcore.kdump-zlib" "$D/host1-2026-11-26/vmcore"
	ln -s "$SHARED/vmcore.kdump-lzo" "$D/host2-2026-11-26/vmcore"
	ln -s "$SHARED/vmcore.flat-zlib" "$D/vmcore.flat-zlib"
	ln -s "$SHARED/vmcore.split-zlib.1" "$D/split/real-1"
	ln -s "$SHARED/vmcore.split-zlib.2" "$D/split/real-2"
	ln -s "$BT/shared/vmcore.elf-d31" "$D/vmcore.elf-d31"
	head -c 9000000 "$SHARED/vmcore.kdump-zlib" >"$D/host2-2026-11-26/vmcore.cut"
	cp "$SHARED/k2e_oops.ko" "$D/"
	want_ok="$want_ok host1-2026-11-26/vmcore host2-2026-11-26/vmcore vmcore.flat-zlib split/real vmcore.elf-d31"
	want_partial="$want_partial host2-2026-11-26/vmcore.cut"
fi
# (The generator's .expect files are text: passed over like the logs.)
"$K2E" --batch -q -j 3 --threads 3 --out-dir "$BT/dir.out" --json "$BT/dir.json" "$D" 2>"$BT/dir.err"
check_eq "directory batch: exit status 1 (one dump failed)" 1 $?
check "directory batch: every line valid against the schema" bt_validate "$BT/dir.json"
check "directory batch: at least ten dumps" [ "$(grep -c '' "$BT/dir.json")" -ge 10 ]
# shellcheck disable=SC2086  # the lists are meant to be split
check_eq "directory batch: one line per dump, nothing else" \
	"$(printf '%s\n' $want_ok $want_partial $want_error | sort)" "$(bt_names "$BT/dir.json")"
for n in $want_ok; do
	check_eq "directory batch $n: ok" ok "$(bt_get "$BT/dir.json" "$n" status)"
	check "directory batch $n: core written" [ -s "$BT/dir.out/$n.elf" ]
	check "directory batch $n: marked done" [ -s "$BT/dir.out/$n.json" ]
done
for n in $want_partial; do
	check_eq "directory batch $n: partial" partial "$(bt_get "$BT/dir.json" "$n" status)"
	check "directory batch $n: lost pages counted" [ "$(bt_get "$BT/dir.json" "$n" pages.lost)" -gt 0 ]
done
for n in $want_error; do
	check_eq "directory batch $n: error" error "$(bt_get "$BT/dir.json" "$n" status)"
	check "directory batch $n: says why" grep -q 'bad block_size 1000' "$BT/dir.err"
	check "directory batch $n: no output" bt_none "$BT/dir.out/$n.elf" "$BT/dir.out/$n.json"
done
check_eq "directory batch: split pieces in piece order" "$D/split/vmcore.1 $D/split/vmcore.2 $D/split/vmcore.3" \
	"$($PY -c 'import json,sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["name"] == "split/vmcore": print(" ".join(o["input"]))' "$BT/dir.json")"
if [ -d "$SHARED" ]; then
	check "directory batch: logs of real dumps match vmcore.dmesg.txt" \
		dmesg_cmp "$SHARED/vmcore.dmesg.txt" "$BT/dir.out/host2-2026-11-26/vmcore.dmesg"
fi
check "directory batch: no temporary files left" \
	bash -c "! find '$BT/dir.out' -name '.*' -o -name '*.k2e[0-9]*' | grep -q ."

# Every line of a rerun says skipped, or error for the dump that failed.
"$K2E" --batch -q -j 3 --out-dir "$BT/dir.out" --json "$BT/dir2.json" "$D" 2>/dev/null
check_eq "directory batch rerun: exit status still 1" 1 $?
check "directory batch rerun: valid against the schema" bt_validate "$BT/dir2.json"
# shellcheck disable=SC2086
check_eq "directory batch rerun: every finished dump skipped" "$(printf '%s\n' $want_ok $want_partial | wc -l)" \
	"$(grep -c '"status":"skipped"' "$BT/dir2.json")"

# A PATH named explicitly that is not a dump is an error; - reads PATHs from standard input.
printf '%s\n' "$D/zstd" "$D/notes.log" "$D/split/vmcore.1" "$D/split/vmcore.2" "$D/split/vmcore.3" |
	"$K2E" --batch -q -f --out-dir "$BT/stdin.out" --json "$BT/stdin.json" - 2>"$BT/stdin.err"
check_eq "stdin list with a non-dump: exit status 1" 1 $?
check "stdin list: valid against the schema" bt_validate "$BT/stdin.json"
check_eq "stdin list: the named non-dump is an error" error "$(bt_get "$BT/stdin.json" notes.log status)"
check_eq "stdin list: named pieces grouped" ok "$(bt_get "$BT/stdin.json" vmcore status)"
check_eq "stdin list: the dump converted" ok "$(bt_get "$BT/stdin.json" zstd status)"

# --shard K/N: disjoint shares that together are the whole.
for k in 1 2 3; do
	"$K2E" --batch -q --shard "$k/3" --out-dir "$BT/shard.out" --json "$BT/shard$k.json" \
		"$D/zstd" "$D/snappy" "$D/diskdump" "$D/elf64" "$D/flat-lzo" "$D/incomplete" 2>/dev/null
done
check_eq "--shard 1/3 2/3 3/3: every dump exactly once" "diskdump elf64 flat-lzo incomplete snappy zstd" \
	"$(cat "$BT"/shard[123].json | $PY -c 'import json,sys; print(" ".join(sorted(json.loads(l)["name"] for l in sys.stdin)))')"
"$K2E" --batch --shard 4/3 "$D/zstd" 2>/dev/null
check_eq "--shard 4/3: usage error" 2 $?
rm -rf "$BT/stdin.out" "$BT/shard.out"

# An --out-dir that cannot be made or used says why (a dangling link: mkdir says it exists, stat fails).
ln -s "$BT/no-such-dir/x" "$BT/dangling"
"$K2E" --batch --out-dir "$BT/dangling" "$D/zstd" 2>"$BT/od.err"
check_eq "--out-dir a dangling link: exit status 1" 1 $?
check_eq "--out-dir a dangling link: says why" "kdump2elf: --out-dir '$BT/dangling': No such file or directory" \
	"$(cat "$BT/od.err")"
"$K2E" --batch --out-dir '' "$D/zstd" 2>"$BT/od.err"
check_eq "--out-dir '': exit status 1" 1 $?
check_eq "--out-dir '': says why" "kdump2elf: --out-dir '': cannot create directory '': No such file or directory" \
	"$(cat "$BT/od.err")"
"$K2E" --batch --out-dir "$D/notes.log/sub" "$D/zstd" 2>"$BT/od.err"
check_eq "--out-dir below a file: exit status 1" 1 $?
check_eq "--out-dir below a file: says why" \
	"kdump2elf: --out-dir '$D/notes.log/sub': cannot create directory '$D/notes.log/sub': Not a directory" \
	"$(cat "$BT/od.err")"
rm -f "$BT/dangling" "$BT/od.err"

# ---- (c) killed mid-way, run again ----

KT=$BT/kill
mkdir -p "$KT"
"$GEN" -e 'max_mapnr 0x10000; codec zlib; mix text=70 random=10 zero=20' "$KT/dump1" >/dev/null
for i in 2 3 4 5 6; do
	cp "$KT/dump1" "$KT/dump$i"
done
"$K2E" --batch -q -j 1 --threads 1 --out-dir "$KT.out" --json "$KT.json" "$KT" 2>/dev/null &
pid=$!
for _ in $(seq 1 600); do
	ls "$KT.out"/*.json >/dev/null 2>&1 && break
	sleep 0.05
done
{ kill -9 "$pid" && wait "$pid"; } 2>/dev/null
done_before=$(find "$KT.out" -maxdepth 1 -name '*.json' | wc -l)
check "killed batch: stopped after the first dump, before the last ($done_before of 6 done)" \
	[ "$done_before" -ge 1 -a "$done_before" -lt 6 ]
check "killed batch: no --json file (it appears only when the batch ends)" [ ! -e "$KT.json" ]
check "killed batch: no temporary files left" \
	bash -c "! find '$KT.out' -name '.*' -o -name '*.k2e[0-9]*' | grep -q ."
# shellcheck disable=SC2016  # expanded by the inner shell
check "killed batch: every marked dump is complete" bash -c '
	for j in "$1"/*.json; do
		n=${j%.json}
		[ -s "$n.elf" ] || exit 1
		grep -q "\"outputs\":{\"core\":\"$n.elf\"" "$j" || exit 1
		readelf -h "$n.elf" >/dev/null 2>&1 || exit 1
	done' _ "$KT.out"
check "killed batch: marks valid against the schema" bt_validate "$KT.out"/*.json
ls "$KT.out"/*.json >"$BT/kill.done" 2>/dev/null
stat -c '%n|%y' "$KT.out"/*.json "$KT.out"/*.elf >"$BT/kill.before" 2>/dev/null
sleep 1.1
"$K2E" --batch -q -j 2 --out-dir "$KT.out" --json "$KT.json" "$KT" 2>/dev/null
check_eq "rerun after kill: exit status" 0 $?
check "rerun after kill: valid against the schema" bt_validate "$KT.json"
check_eq "rerun after kill: finished dumps skipped" "$done_before" "$(grep -c '"status":"skipped"' "$KT.json")"
check_eq "rerun after kill: the others converted" "$((6 - done_before))" "$(grep -c '"status":"ok"' "$KT.json")"
while read -r j; do
	check "rerun after kill: $(basename "${j%.json}") not redone (mtimes unchanged)" \
		bt_unchanged "$BT/kill.before" "$j" "${j%.json}.elf"
done <"$BT/kill.done"
"$K2E" --batch -q -f -j 2 --out-dir "$KT.out" --json "$KT.json" "$KT" 2>/dev/null
check_eq "rerun with -f: everything converted again" 6 "$(grep -c '"status":"ok"' "$KT.json")"
rm -rf "$KT.out" "$BT/dir.out" "$BT/shared.out"

# ---- (d) killed at 20 random points, then run to the end ----
. "$ROOT/tests/e2e/batch-kill.sh"
