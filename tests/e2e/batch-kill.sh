# batch-kill.sh - a batch killed with SIGKILL at 20 random points, then run to
# the end (issue 13): every dump ends converted exactly once (a finished dump
# is never redone, each has one core with the generator's pages), no
# temporary file of ours stays in the output tree, and every NAME.json, at
# every point, describes a complete core.  Half the runs take the path of a
# file system without O_TMPFILE (NFS): an LD_PRELOAD shim (no-tmpfile.c)
# makes lib/outfile.c write visible .NAME.k2e~HOST~PID~XXXXXX temporaries.
# Sourced by batch.sh (T, K2E, GEN, ROOT, PY, lib.sh).
KK=$T/batch-kill
KA=$KK/archive
KO=$KK/out
KX=$KK/expect
mkdir -p "$KA/split" "$KX"
CMP="$PY $ROOT/tests/tools/kdf-compare.py"

# The archive: five dumps big enough to take a while (one flattened, one
# split in three, two copies), four small ones, two that lose pages.
kk_gen() {	# NAME SPEC-OR-TEXT
	local name=$1 spec=$2 ok
	if [ -f "$spec" ]; then
		"$GEN" "$spec" "$KA/$name" >/dev/null 2>&1
	else
		"$GEN" -e "$spec" "$KA/$name" >/dev/null 2>&1
	fi
	ok=$?
	mkdir -p "$(dirname "$KX/$name")"
	mv "$KA/$name.expect" "$KX/$name.expect" 2>/dev/null
	return $ok
}
KK_BIG=0x10000	# 256 MiB of RAM: a second or two each
[ -z "${K2E_SANITIZE:-}" ] || KK_BIG=0x2000	# 32 MiB: the sanitizers slow conversion, not the kills
kk_gen big-zlib "max_mapnr $KK_BIG; codec zlib; mix text=60 random=20 zero=20" &&
kk_gen big-flat "format flat; max_mapnr $KK_BIG; codec zstd; mix text=50 random=30 zero=20" &&
kk_gen split/vmcore "format split; split 3; max_mapnr $KK_BIG; codec zlib snappy; mix text=60 random=20 zero=20" &&
kk_gen lzo "$ROOT/tests/gen/specs/codec-lzo.spec" &&
kk_gen diskdump "$ROOT/tests/gen/specs/diskdump.spec" &&
kk_gen elf64 "$ROOT/tests/gen/specs/elf64-segments.spec" &&
kk_gen corrupt-page "$ROOT/tests/gen/specs/bad-corrupt-page.spec" &&
kk_gen incomplete 'incomplete 100' &&
cp "$KA/big-zlib" "$KA/big-zlib-2" && cp "$KX/big-zlib.expect" "$KX/big-zlib-2.expect" &&
cp "$KA/big-zlib" "$KA/big-zlib-3" && cp "$KX/big-zlib.expect" "$KX/big-zlib-3.expect"
check "kill -9 batch: the generator wrote the archive" [ $? = 0 ]
KK_NAMES="big-flat big-zlib big-zlib-2 big-zlib-3 corrupt-page diskdump elf64 incomplete lzo split/vmcore"
KK_PARTIAL=" corrupt-page incomplete "

# kk_state CHECKPOINT: every NAME.json now in the output tree is one line of
# ours, status ok or partial, and describes a complete core (its bytes_out
# is the core's size, the core's ELF header and program headers read fine,
# its kernel log exists); a dump seen finished at an earlier checkpoint has
# the same NAME.json and core (inode and mtime) as then.
kk_state() {
	$PY - "$KO" "$KK/state" "$1" <<'PY'
import json, os, struct, sys
out, state_path, label = sys.argv[1:4]
bad = 0
def fail(msg):
    global bad
    bad += 1
    print(f"{label}: {msg}")
seen = {}
if os.path.exists(state_path):
    for l in open(state_path):
        name, ident = l.rstrip('\n').split('\t')
        seen[name] = ident
for dirpath, dirs, files in os.walk(out):
    for f in files:
        if not f.endswith('.json') or f.startswith('.'):
            continue
        marker = os.path.join(dirpath, f)
        name = os.path.relpath(marker, out)[:-5]
        core = marker[:-5] + '.elf'
        text = open(marker, 'rb').read()
        if text.count(b'\n') != 1 or not text.endswith(b'\n'):
            fail(f"{name}.json is not one line")
            continue
        o = json.loads(text)
        if o.get('status') not in ('ok', 'partial') or o.get('kdump2elf') is None:
            fail(f"{name}.json: status {o.get('status')}")
        if o['outputs']['core'] != core:
            fail(f"{name}.json: core {o['outputs']['core']}, not {core}")
        try:
            st = os.stat(core)
        except OSError as e:
            fail(f"{name}.json: no core: {e}")
            continue
        if o.get('bytes_out') != st.st_size:
            fail(f"{name}.json: bytes_out {o.get('bytes_out')}, the core has {st.st_size}")
        with open(core, 'rb') as c:
            eh = c.read(64)
            if len(eh) < 64 or eh[:4] != b'\x7fELF' or eh[4] != 2:
                fail(f"{name}.elf: not an ELF64 file")
            else:
                phoff, = struct.unpack_from('<Q', eh, 32)
                phentsize, phnum = struct.unpack_from('<HH', eh, 54)
                c.seek(phoff)
                ph = c.read(phentsize * phnum)
                if phnum == 0 or len(ph) != phentsize * phnum:
                    fail(f"{name}.elf: program headers cut short")
                for i in range(phnum if len(ph) == phentsize * phnum else 0):
                    p_type, _, p_offset, _, _, p_filesz = struct.unpack_from('<IIQQQQ', ph, i * phentsize)
                    if p_type == 1 and p_offset + p_filesz > st.st_size:
                        fail(f"{name}.elf: a segment ends past the file")
                        break
        if o['outputs']['dmesg'] and not os.path.exists(o['outputs']['dmesg']):
            fail(f"{name}.json: no {o['outputs']['dmesg']}")
        mst = os.stat(marker)
        ident = f"{mst.st_ino}:{mst.st_mtime_ns}:{st.st_ino}:{st.st_mtime_ns}"
        if name in seen and seen[name] != ident:
            fail(f"{name}: finished before, done again")
        seen[name] = ident
with open(state_path, 'w') as s:
    for name in sorted(seen):
        s.write(f"{name}\t{seen[name]}\n")
for name in seen:
    if not os.path.exists(os.path.join(out, name + '.json')):
        fail(f"{name}: finished before, its NAME.json is gone")
sys.exit(1 if bad else 0)
PY
}

# kk_strays: temporaries in the output tree (O_TMPFILE's .k2eN links, visible .NAME.* files).
kk_strays() {
	find "$KO" \( -name '.*' -o -name '*.k2e[0-9]*' \) -print
}

KK_SHIM=
if [ -z "${K2E_SANITIZE:-}" ] &&	# ASan wants to be the first library loaded
	cc -shared -fPIC -o "$KK/no-tmpfile.so" "$ROOT/tests/e2e/no-tmpfile.c" -ldl 2>"$KK/cc.err"; then
	KK_SHIM=$KK/no-tmpfile.so
else
	note "kill -9 batch: the no-O_TMPFILE shim was not used (sanitizer build or no cc): visible temporaries not exercised"
fi

kk_killed=0 kk_finished=0 kk_bad=0 kk_strays_seen=0
: >"$KK/strays"
# 20 kill points; 8 under the sanitizers (the same code, slower: the time goes to conversion).
KK_N=20
[ -z "${K2E_SANITIZE:-}" ] || KK_N=8
for i in $(seq 1 "$KK_N"); do
	pre=
	[ -n "$KK_SHIM" ] && [ $((i % 2)) = 1 ] && pre=$KK_SHIM
	LD_PRELOAD=$pre "$K2E" --batch -q -j 2 --threads 2 --out-dir "$KO" --json "$KK/run.json" "$KA" \
		2>>"$KK/runs.err" &
	pid=$!
	# Up to 0.65 s at first, up to 3.5 s at the end, as finished dumps are skipped.
	d=$((RANDOM % (50 + 15 * i)))
	sleep "$((d / 100)).$(printf %02d $((d % 100)))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if [ $? = 137 ]; then
		kk_killed=$((kk_killed + 1))
	else
		kk_finished=$((kk_finished + 1))
	fi
	kk_state "after kill $i${pre:+ (no O_TMPFILE)}" >>"$KK/state.err" || kk_bad=$((kk_bad + 1))
	kk_strays | sed "s|^|after kill $i: |" >>"$KK/strays"
done
kk_strays_seen=$(grep -c '' "$KK/strays")
[ -z "${VERBOSE:-}" ] || sed 's/^/  /' "$KK/strays"
check "kill -9 batch: every NAME.json described a complete core after each of $KK_N kills ($kk_killed killed mid-run, $kk_finished already ended, $kk_strays_seen temporaries seen between runs)" \
	[ "$kk_bad" = 0 ]
[ "$kk_bad" = 0 ] || head -n 20 "$KK/state.err"

# Run to the end, the last run without O_TMPFILE when the shim is there.
LD_PRELOAD=$KK_SHIM "$K2E" --batch -q -j 2 --threads 2 --out-dir "$KO" --json "$KK/run.json" "$KA" \
	2>"$KK/final.err"
rc=$?
# 3 when this run converted a dump that lost pages, 0 when earlier runs had.
check "kill -9 batch, run to the end: exit status 0 or 3 ($rc)" [ "$rc" = 0 -o "$rc" = 3 ]
check "kill -9 batch, run to the end: every NAME.json describes a complete core, none redone" kk_state "final run"
check_eq "kill -9 batch, run to the end: one line per dump" "$(printf '%s\n' $KK_NAMES)" \
	"$($PY -c 'import json,sys; print("\n".join(sorted(json.loads(l)["name"] for l in open(sys.argv[1]))))' "$KK/run.json")"
check "kill -9 batch, run to the end: no temporary file left in the output tree" \
	bash -c '! find "$1" \( -name ".*" -o -name "*.k2e[0-9]*" \) | grep .' _ "$KO"
for n in $KK_NAMES; do
	want=ok
	case $KK_PARTIAL in *" $n "*) want=partial ;; esac
	check_eq "kill -9 batch $n: status" "$want" \
		"$($PY -c 'import json,sys; print(json.loads(open(sys.argv[1]).read())["status"])' "$KO/$n.json" 2>&1)"
	$CMP --digest "$KO/$n.elf" >"$KK/dig" 2>&1
	check_eq "kill -9 batch $n: the core has the generator's pages" "$(field digest "$KX/$n.expect")" \
		"$(field digest "$KK/dig")"
done
# Exactly once: the output tree holds each dump's outputs as its NAME.json names them, nothing else.
kk_tree() {
	$PY - "$KO" $KK_NAMES <<'PY'
import json, os, sys
out, names = sys.argv[1], sys.argv[2:]
want = set()
for n in names:
    marker = os.path.join(out, n + '.json')
    want.add(marker)
    for k, v in json.loads(open(marker).read())['outputs'].items():
        if v:
            want.add(v)
have = {os.path.join(d, f) for d, _, fs in os.walk(out) for f in fs}
for f in sorted(have ^ want):
    print(('extra: ' if f in have else 'missing: ') + f)
sys.exit(0 if have == want else 1)
PY
}
check "kill -9 batch: the output tree holds each dump's outputs once, nothing else" kk_tree
# And once more: all done already, nothing converted again.
"$K2E" --batch -q -j 2 --out-dir "$KO" --json "$KK/again.json" "$KA" 2>/dev/null
check_eq "kill -9 batch, rerun when done: exit status 0" 0 $?
check_eq "kill -9 batch, rerun when done: every dump skipped" 10 "$(grep -c '"status":"skipped"' "$KK/again.json")"
check "kill -9 batch, rerun when done: nothing redone" kk_state "rerun when done"
rm -rf "$KK"
