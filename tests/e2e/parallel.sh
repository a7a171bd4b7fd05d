# parallel.sh - the README's "Many machines" recipes, run for real (issue 15):
# the GNU parallel command and the Slurm job array are taken from README.md as
# they are written there and run over an archive of dumps (real ones from
# ../shared/fixtures, a split set, synthetic ones, a truncated one and a bad
# one).  Only /nfs/crash and /nfs/cores become the test's own directories; the
# machines are stand-ins: an `ssh` on PATH that runs the command here, in a
# login directory of its own for each host name (so the recipe's host list
# stays as written and parallel takes its remote path: its perl wrapper, its
# quoting), and an `sbatch` that runs every task of the array at once with
# SLURM_ARRAY_TASK_ID set.  Each recipe must convert every dump exactly once,
# report the bad dump without stopping the rest, and give a merged summary and
# output files equal to one `kdump2elf --batch` run over the same archive.
# Sourced by run-all.sh.
PT=$T/parallel
mkdir -p "$PT/bin" "$PT/crash/synth" "$PT/work"
PAR_SHARED=$ROOT/../shared/fixtures/kdump-6.1-k2e
PAR_START=$EPOCHREALTIME

# ---- the stand-ins for other machines ----

# ssh [OPTION...] HOST [--] COMMAND...: run COMMAND with sh -c in HOST's own
# login directory, as sshd would with a login shell; HOST goes to ssh.log.
# sshd sets HOME, SHELL, USER and LOGNAME from the password entry, whatever the
# caller's environment holds (CI runs with no SHELL), and parallel's remote
# wrapper runs each job with $SHELL.
cat >"$PT/bin/ssh" <<'EOF'
#!/bin/sh
base=${0%/bin/ssh}
while [ $# -gt 0 ]; do
	case $1 in
	-[BbcDEeFIiJLlmOoPpQRSWw]) shift 2 ;;
	-*) shift ;;
	*) break ;;
	esac
done
host=$1
shift
[ "${1:-}" = -- ] && shift
echo "$host" >>"$base/ssh.log"
user=$(id -un)
pw=$(getent passwd "$user")
HOME=$(echo "$pw" | cut -d: -f6) SHELL=$(echo "$pw" | cut -d: -f7)
export HOME SHELL USER="$user" LOGNAME="$user"
[ -x "$SHELL" ] || SHELL=/bin/sh
mkdir -p "$base/hosts/$host" && cd "$base/hosts/$host" && exec /bin/sh -c "$*"
EOF
# sbatch --array=A-B --wrap=CMD|--wrap CMD [--OPTION=VALUE...]: every task at
# once, CMD under sh (as --wrap does) with SLURM_ARRAY_TASK_ID set, its output
# in slurm-JOB_TASK.out of the submitting directory (Slurm's default) and its
# exit status in slurm-JOB_TASK.rc.  Returns when every task has ended
# (sbatch --wait), so that what follows in the recipe sees them done.
cat >"$PT/bin/sbatch" <<'EOF'
#!/bin/bash
array='' wrap=''
while [ $# -gt 0 ]; do
	case $1 in
	--array=*) array=${1#--array=} ;;
	--wrap=*) wrap=${1#--wrap=} ;;
	--wrap) wrap=$2; shift ;;
	--*=*) ;;
	*) echo "sbatch stand-in: cannot use '$1'" >&2; exit 1 ;;
	esac
	shift
done
if ! [[ $array =~ ^([0-9]+)-([0-9]+)$ ]] || [ -z "$wrap" ]; then
	echo "sbatch stand-in: needs --array=A-B and --wrap" >&2
	exit 1
fi
job=$$
echo "Submitted batch job $job"
for ((i = BASH_REMATCH[1]; i <= BASH_REMATCH[2]; i++)); do
	(
		export SLURM_JOB_ID=$job SLURM_ARRAY_JOB_ID=$job SLURM_ARRAY_TASK_ID=$i
		/bin/sh -c "$wrap" >"slurm-${job}_$i.out" 2>&1
		echo $? >"slurm-${job}_$i.rc"
	) &
done
wait
EOF
chmod +x "$PT/bin/ssh" "$PT/bin/sbatch"

# ---- the archive: /nfs/crash of the recipes ----

PA=$PT/crash
par_bad=synth/bad-header
par_partial=synth/truncated
# (small: 4 MiB of memory each)
"$GEN" -e 'max_mapnr 0x400; codec zstd' "$PA/synth/zstd" >/dev/null
"$GEN" -e 'max_mapnr 0x400; format elf64' "$PA/synth/elf64" >/dev/null
"$GEN" -e 'max_mapnr 0x400; format flat; codec lzo; flat_shuffle 3' "$PA/synth/flat-lzo" >/dev/null
"$GEN" -e 'max_mapnr 0x400; format split; split 3; codec zlib lzo' "$PA/synth/split" >/dev/null
"$GEN" -e 'max_mapnr 0x400; truncate_at data' "$PA/$par_partial" >/dev/null
"$GEN" -e 'max_mapnr 0x400; block_size 1000' "$PA/$par_bad" >/dev/null
par_names="synth/elf64 synth/flat-lzo synth/split synth/zstd $par_partial $par_bad"
if [ -d "$PAR_SHARED" ] && [ -z "${K2E_SANITIZE:-}" ]; then
	mkdir -p "$PA/host1-2026-11-26" "$PA/host2-2026-11-26" "$PA/split"
	ln -s "$PAR_SHARED/vmcore.kdump-zlib" "$PA/host1-2026-11-26/vmcore"
	ln -s "$PAR_SHARED/vmcore.kdump-lzo" "$PA/host2-2026-11-26/vmcore"
	ln -s "$PAR_SHARED/vmcore.flat-zlib" "$PA/vmcore.flat-zlib"
	ln -s "$PAR_SHARED/vmcore.split-zlib.1" "$PA/split/vmcore.1"
	ln -s "$PAR_SHARED/vmcore.split-zlib.2" "$PA/split/vmcore.2"
	par_names="$par_names host1-2026-11-26/vmcore host2-2026-11-26/vmcore vmcore.flat-zlib split/vmcore"
elif [ -z "${K2E_SANITIZE:-}" ]; then
	note "../shared/fixtures is not beside this clone: the recipes ran over synthetic dumps only"
fi
# shellcheck disable=SC2086  # the list is meant to be split
par_names=$(printf '%s\n' $par_names | sort)

# ---- helpers ----

# par_recipe TEXT: the fenced block of README's "Many machines" that holds TEXT.
par_recipe() {
	awk -v want="$1" '
		/^### Many machines/ { sec = 1; next }
		sec && /^##/ { exit }
		sec && /^```/ {
			if (inb && index(blk, want)) { printf "%s", blk; found = 1; exit }
			inb = !inb; blk = ""; next
		}
		inb { blk = blk $0 "\n" }
		END { exit !found }' "$ROOT/README.md"
}

# par_commands: a block's commands, one a line (continuation lines joined,
# comments and blank lines left out).
par_commands() {
	sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' | grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$'
}

# par_localize BLOCK OUTDIR: the recipe with the test's archive and output directory.
par_localize() {
	local b=$1
	b=${b//\/nfs\/crash/"$PA"}
	b=${b//\/nfs\/cores/"$2"}
	printf '%s' "$b"
}

# par_run LABEL DIR BLOCK: run each command of BLOCK with bash from DIR, the
# stand-ins and kdump2elf first on PATH; each command's exit status goes to
# LABEL.rc (one a line), the output of all to LABEL.out and LABEL.err.  A
# user's shell has HOME; CI's environment may not (parallel warns without it).
par_run() {
	local cmd
	: >"$PT/$1.rc"
	while IFS= read -r cmd; do
		(cd "$2" && PATH=$PT/bin:$ROOT/$O:$PATH PARALLEL_HOME=$PT/parallel-home HOME=${HOME:-$PT} \
			timeout 600 bash -c "$cmd" </dev/null >>"$PT/$1.out" 2>>"$PT/$1.err")
		echo $? >>"$PT/$1.rc"
	done < <(printf '%s\n' "$3" | par_commands)
}

# par_norm FILE OUTDIR: summary lines sorted by name, each without "seconds"
# (a timing) and with OUTDIR in "outputs" written OUT (where the run put them).
par_norm() {
	$PY - "$@" <<'PY'
import json, sys
path, outdir = sys.argv[1], sys.argv[2].rstrip('/') + '/'
lines = []
for line in open(path, encoding='utf-8'):
    o = json.loads(line)
    o.pop('seconds', None)
    for k, v in (o.get('outputs') or {}).items():
        if isinstance(v, str) and v.startswith(outdir):
            o['outputs'][k] = 'OUT/' + v[len(outdir):]
    lines.append(o)
for o in sorted(lines, key=lambda o: o.get('name', '')):
    print(json.dumps(o, sort_keys=True))
PY
}

# par_field FILE KEY: "NAME VALUE" for each line of a summary, sorted.
par_field() {
	$PY -c 'import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    print(o["name"], o.get(sys.argv[2]))' "$1" "$2" | sort
}

# par_same_files OUTDIR: OUTDIR holds the reference run's files, less the
# shares' summary-*.json: the same names, the cores, sidecars and logs byte
# for byte, the gdb scripts and per-dump JSON once the output directory
# and the timing are set aside as in par_norm.
par_same_files() {
	local f
	[ "$(cd "$1" && find . -type f ! -name 'summary-*.json' | sort)" = \
		"$(cd "$PT/ref" && find . -type f | sort)" ] || { echo "$1: not the reference's files"; return 1; }
	while IFS= read -r f; do
		case $f in
		*.gdb) cmp -s <(sed "s|$PT/ref/|OUT/|g" "$PT/ref/$f") <(sed "s|$1/|OUT/|g" "$1/$f") ;;
		*.json) cmp -s <(par_norm "$PT/ref/$f" "$PT/ref") <(par_norm "$1/$f" "$1") ;;
		*) cmp -s "$PT/ref/$f" "$1/$f" ;;
		esac || { echo "$1/$f differs from the reference's"; return 1; }
	done < <(cd "$PT/ref" && find . -type f | sed 's|^\./||')
}

# par_share_rc SUMMARY: the exit status a share with these lines has (0, 3 lost pages, 1 failed).
par_share_rc() {
	if grep -q '"status":"error"' "$1"; then echo 1
	elif grep -q '"status":"partial"' "$1"; then echo 3
	else echo 0; fi
}

# par_check LABEL OUTDIR SUMMARY ERR: the checks both recipes must pass.
par_check() {
	local label=$1 out=$2 sum=$3 err=$4
	check "$label: the merged summary exists" [ -s "$sum" ]
	[ -s "$sum" ] || return
	check_eq "$label: every dump exactly once (merged summary, by name)" "$par_names" \
		"$(par_field "$sum" status | cut -d' ' -f1)"
	check_eq "$label: no dump skipped (none done twice)" 0 "$(grep -c '"status":"skipped"' "$sum")"
	check_eq "$label: cores written, one per dump converted" "$(grep -c '"status":"\(ok\|partial\)"' "$PT/ref.json")" \
		"$(find "$out" -name '*.elf' | wc -l)"
	check_eq "$label: per-dump JSON, one per dump converted" "$(grep -c '"status":"\(ok\|partial\)"' "$PT/ref.json")" \
		"$(find "$out" -name '*.json' ! -name 'summary-*.json' | wc -l)"
	check_eq "$label: the bad dump is an error" error "$(par_field "$sum" status | sed -n "s|^$par_bad ||p")"
	check "$label: the bad dump reported on stderr" grep -q "$PA/$par_bad: .*bad block_size 1000" "$err"
	check_eq "$label: the truncated dump converted with lost pages" partial \
		"$(par_field "$sum" status | sed -n "s|^$par_partial ||p")"
	check "$label: merged summary equals one --batch run's (less seconds, output dir as OUT)" \
		diff -u <(par_norm "$PT/ref.json" "$PT/ref") <(par_norm "$sum" "$out")
	check "$label: output files equal one --batch run's" par_same_files "$out"
	check "$label: no temporary files left" bash -c "! find '$out' -name '.*' -o -name '*.k2e[0-9]*' | grep -q ."
}

# ---- one machine: the reference ----

"$K2E" --batch -q --threads 2 --out-dir "$PT/ref" --json "$PT/ref.json" "$PA" 2>"$PT/ref.err"
check_eq "one machine: exit status 1 (one dump failed)" 1 $?
check_eq "one machine: every dump once" "$par_names" "$(par_field "$PT/ref.json" status | cut -d' ' -f1)"

# ---- GNU parallel ----

if [ -n "${K2E_SANITIZE:-}" ]; then
	: # what it adds to the Slurm run below is GNU parallel's own work
elif ! parallel --version 2>/dev/null | grep -q "^GNU parallel"; then
	note "GNU parallel is not installed: the README's parallel recipe was not run"
elif ! par_blk=$(par_recipe 'parallel '); then
	not_ok "README: no GNU parallel recipe under 'Many machines'"
else
	par_out=$PT/cores-par
	par_blk=$(par_localize "$par_blk" "$par_out")
	check "parallel recipe: /nfs paths all replaced" bash -c "! grep -q /nfs <<<\"\$1\"" - "$par_blk"
	par_hosts=$(printf '%s\n' "$par_blk" | par_commands | sed -n 's/.* -S \([^ ]*\) .*/\1/p' | tr , '\n')
	check "parallel recipe: names hosts with -S" [ -n "$par_hosts" ]
	par_n=$(printf '%s\n' "$par_blk" | sed -n 's/^seq 1 \([0-9]*\) .*/\1/p')
	check "parallel recipe: shares are 'seq 1 N'" [ -n "$par_n" ]
	check_eq "parallel recipe: --shard {}/N with N the number of shares" "{}/$par_n" \
		"$(printf '%s\n' "$par_blk" | sed -n 's/.*--shard \([^ ]*\) .*/\1/p')"
	mkdir -p "$PT/parallel-home" && : >"$PT/parallel-home/will-cite"
	par_run par "$PT/work" "$par_blk"
	# parallel's exit status is the number of shares that did not exit 0.
	par_want=0
	for par_f in "$par_out"/summary-*.json; do [ "$(par_share_rc "$par_f")" = 0 ] || par_want=$((par_want + 1)); done
	check_eq "parallel recipe: exit statuses (parallel: shares not ending 0; cat)" "$par_want 0" "$(paste -s -d " " "$PT/par.rc")"
	check_eq "parallel recipe: a summary from each share" "$par_n" "$(find "$par_out" -maxdepth 1 -name "summary-*.json" | wc -l)"
	for par_h in $par_hosts; do
		check "parallel recipe: host $par_h ran shares" grep -qx "$par_h" "$PT/ssh.log"
	done
	check_eq "parallel recipe: every share through ssh" "$par_n" "$(grep -c '' "$PT/ssh.log")"
	check "parallel recipe: nothing on stderr but kdump2elf's own messages" \
		bash -c "! grep -v '^kdump2elf: ' '$PT/par.err'"
	par_check "parallel recipe" "$par_out" "$PT/work/summary.json" "$PT/par.err"
	rm -rf "$par_out"
fi

# ---- a Slurm job array ----

if ! par_blk=$(par_recipe 'sbatch '); then
	not_ok "README: no Slurm recipe under 'Many machines'"
else
	par_out=$PT/cores-slurm
	par_blk=$(par_localize "$par_blk" "$par_out")
	check "Slurm recipe: /nfs paths all replaced" bash -c "! grep -q /nfs <<<\"\$1\"" - "$par_blk"
	par_n=$(printf '%s\n' "$par_blk" | sed -n 's/.*--array=1-\([0-9]*\) .*/\1/p')
	check "Slurm recipe: tasks are --array=1-N" [ -n "$par_n" ]
	check_eq "Slurm recipe: --shard \${SLURM_ARRAY_TASK_ID}/N with N the number of tasks" \
		"\${SLURM_ARRAY_TASK_ID}/$par_n" "$(printf '%s\n' "$par_blk" | sed -n 's/.*--shard \([^ ]*\) .*/\1/p')"
	mkdir -p "$PT/slurm"
	par_run slurm "$PT/slurm" "$par_blk"
	check "Slurm recipe: every command exit status 0" bash -c "! grep -vx 0 '$PT/slurm.rc'"
	check_eq "Slurm recipe: a summary from each task" "$par_n" "$(find "$par_out" -maxdepth 1 -name "summary-*.json" | wc -l)"
	par_nbad=0
	for par_i in $(seq 1 "$par_n"); do
		par_f=$par_out/summary-$par_i.json
		[ -f "$par_f" ] && [ "$(cat "$PT"/slurm/slurm-*_"$par_i".rc)" = "$(par_share_rc "$par_f")" ] || par_nbad=$((par_nbad + 1))
	done
	check_eq "Slurm recipe: each task's exit status says what its share holds" 0 "$par_nbad"
	cat "$PT"/slurm/slurm-*.out >"$PT/slurm.err"
	check "Slurm recipe: nothing in the tasks' output but kdump2elf's own messages" \
		bash -c "! grep -v '^kdump2elf: ' '$PT/slurm.err'"
	par_check "Slurm recipe" "$par_out" "$PT/slurm/summary.json" "$PT/slurm.err"

	# A share run again skips what it finished, and fails again on the bad dump.
	find "$par_out" -type f ! -name 'summary-*.json' -printf '%p %T@\n' | sort >"$PT/slurm.mtimes"
	rm -f "$PT"/slurm/slurm-* "$PT/slurm/summary.json"
	par_run slurm2 "$PT/slurm" "$par_blk"
	check_eq "Slurm recipe again: every finished dump skipped, the bad one an error" \
		"$(par_field "$PT/ref.json" status | sed -e 's/ \(ok\|partial\)$/ skipped/')" \
		"$(par_field "$PT/slurm/summary.json" status)"
	check "Slurm recipe again: no output rewritten" cmp -s "$PT/slurm.mtimes" \
		<(find "$par_out" -type f ! -name 'summary-*.json' -printf '%p %T@\n' | sort)
	rm -rf "$par_out"
fi
rm -rf "$PT/ref"
[ -z "${VERBOSE:-}" ] || awk -v a="$PAR_START" -v b="$EPOCHREALTIME" 'BEGIN { printf "   parallel.sh: %.1f s\n", b - a }'
