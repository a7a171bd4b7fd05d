# mount.sh - kdump2elf --mount DIR: the core, OUT.gdb and OUT.sym served by
# FUSE, pages decoded when read.  Every byte read through the mount is the
# converted file's; gdb passes gdb.sh's own cases through the mounted script;
# crash, drgn and libkdumpfile open the mounted core; flattened inputs are
# refused; a page that does not decode fails its read (EIO); SIGTERM and
# fusermount3 -u unmount; the mount's memory stays bounded on a multi-GiB
# dump.  Sourced by run-all.sh after gdb.sh (it reuses gdb_case and
# gdb_module_case with K2E_VIA_MOUNT set).
MT=$T/mount
mkdir -p "$MT"
SHARED=$ROOT/../shared/fixtures/kdump-6.1-k2e

mounted() { awk -v m="$1" '$2 == m { f = 1 } END { exit !f }' /proc/mounts; }

# mount_same LABEL DUMP...: mounted files = converted ones (the script but for its paths).
mount_same() {
	local label=$1 m=$MT/$1.mnt c=$MT/$1.elf
	shift
	"$K2E" -q -f "$@" -o "$c" 2>"$MT/$label.conv.err"
	mkdir -p "$m"
	"$K2E" -q --mount "$m" "$@" 2>"$MT/$label.err"
	check_eq "$label: mounted (exit 0), saying what the conversion says (-q: only lost pages)" \
		"0 $(sed "s|$c|$m/vmcore.elf|g" "$MT/$label.conv.err")" "$? $(cat "$MT/$label.err")"
	check "$label: a FUSE file system at DIR" mounted "$m"
	check_eq "$label: the same files as a conversion writes" \
		"$(cd "$MT" && ls "$label.elf"* | sed "s/^$label\.elf/vmcore.elf/")" "$(ls "$m")"
	check "$label: every byte of the core read through the mount is the converted core's" \
		cmp "$m/vmcore.elf" "$c"
	[ -e "$c.sym" ] && check "$label: OUT.sym through the mount is the converted one" \
		cmp "$m/vmcore.elf.sym" "$c.sym"
	check_eq "$label: OUT.gdb is the converted one but for the paths it names" \
		"$(sed "s|$c|$m/vmcore.elf|g" "$c.gdb")" "$(cat "$m/vmcore.elf.gdb")"
	check "$label: read-only" bash -c "! touch '$m/vmcore.elf' && ! : >'$m/new'" 2>/dev/null
	fusermount3 -u "$m"
	check "$label: fusermount3 -u unmounts" bash -c "! awk -v m='$m' '\$2 == m { f = 1 } END { exit !f }' /proc/mounts"
	rm -f "$c" "$c".*
}

if ! command -v fusermount3 >/dev/null || [ ! -c /dev/fuse ]; then
	note "no fusermount3 or /dev/fuse here: --mount not tested"
elif "$K2E" --mount "$MT" /dev/null 2>&1 | grep -q 'mount support not built'; then
	note "kdump2elf built without libfuse3: --mount not tested"
else
	if [ -d "$SHARED" ]; then
		mount_same shared-zlib "$SHARED/vmcore.kdump-zlib"
		mount_same shared-split "$SHARED/vmcore.split-zlib.2" "$SHARED/vmcore.split-zlib.1"
		if [ -z "${K2E_SANITIZE:-}" ]; then
			mount_same shared-lzo "$SHARED/vmcore.kdump-lzo"
			mount_same shared-elf-d31 "$(shared_elf_d31)"
		fi
		# Flattened: refused, nothing mounted.
		mkdir -p "$MT/flat.mnt"
		"$K2E" --mount "$MT/flat.mnt" "$SHARED/vmcore.flat-zlib" 2>"$MT/flat.err"
		check_eq "a flattened file: refused (exit 1)" 1 $?
		check_eq "a flattened file: the message says why and what to do" \
			"kdump2elf: $SHARED/vmcore.flat-zlib: a flattened input cannot be served on demand: convert it (-o) or reassemble it (makedumpfile -R) first" \
			"$(cat "$MT/flat.err")"
		check "a flattened file: nothing mounted" bash -c "! awk -v m='$MT/flat.mnt' '\$2 == m { f = 1 } END { exit !f }' /proc/mounts"
		cat "$SHARED/vmcore.kdump-zlib" | "$K2E" --mount "$MT/flat.mnt" - 2>"$MT/pipe.err"
		check_eq "a dump from a pipe: refused (exit 1)" "1 kdump2elf: -: a stream input cannot be served on demand: convert it (-o) or reassemble it (makedumpfile -R) first" \
			"$? $(cat "$MT/pipe.err")"
	else
		note "no ../shared/fixtures: --mount not compared on the shared dumps"
	fi
	# The generated real dumps of every kernel and machine of the matrix
	# (FIXDIRS from generated-fixtures.sh): the kdump-compressed one and the split set.
	for kd in ${FIXDIRS:-}; do
		k=$(basename "$kd" | cut -d. -f1-2)-${kd##*-}
		[ -f "$kd/smp2/kdump/vmcore.kdump-zlib" ] || continue
		# OUT.sym is compared on the shared dumps above: here the core and the script.
		mount_same "gen-$k-zlib" --no-sidecar "$kd/smp2/kdump/vmcore.kdump-zlib"
		[ -n "${K2E_SANITIZE:-}" ] && break
		case $k in 6.1-amd64) ;; *) continue ;; esac
		sp=$(ls "$kd"/smp2/kdump/vmcore.split-zlib.* 2>/dev/null)
		[ -n "$sp" ] && mount_same "gen-$k-split" --no-sidecar $sp
		# Lost pages: found from the descriptors and the file's size, as a conversion finds them.
		for v in truncated incomplete; do
			[ -f "$kd/smp2/kdump/vmcore.$v-zlib" ] && mount_same "gen-$k-$v" --no-sidecar "$kd/smp2/kdump/vmcore.$v-zlib"
		done
	done
	# Usage errors.
	"$K2E" --mount "$MT/none" "$GEN" 2>"$MT/u1.err"
	check_eq "--mount DIR that does not exist: usage error" "2 kdump2elf: --mount: '$MT/none': No such file or directory" "$? $(cat "$MT/u1.err")"
	"$K2E" --mount "$MT" -o "$MT/x.elf" "$GEN" 2>"$MT/u2.err"
	check_eq "--mount with -o: usage error" "2 kdump2elf: --mount and -o: give one of them" "$? $(cat "$MT/u2.err")"

	# A page whose data does not decode: only a read finds it (EIO); the rest reads.
	"$GEN" "$ROOT/tests/gen/specs/bad-corrupt-page.spec" "$MT/corrupt" >/dev/null
	mkdir -p "$MT/corrupt.mnt"
	"$K2E" -q --mount "$MT/corrupt.mnt" "$MT/corrupt" 2>/dev/null
	check_eq "a dump with corrupt pages: mounted" 0 $?
	"$K2E" -q -f --no-vmap "$MT/corrupt" -o "$MT/corrupt.elf" 2>/dev/null
	# The file offset of a pfn's page in a core: its PT_LOAD with p_paddr.
	pfn_off() {
		$PY - "$1" "$2" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read(1 << 20)
phoff, = struct.unpack_from("<Q", d, 32); n, = struct.unpack_from("<H", d, 56)
pfn = int(sys.argv[2], 16)
for i in range(n):
    t, _, off, va, pa, fsz, _, _ = struct.unpack_from("<IIQQQQQQ", d, phoff + 56 * i)
    if t == 1 and pa <= pfn * 4096 < pa + fsz:
        print(off + pfn * 4096 - pa); break
PY
	}
	off=$(pfn_off "$MT/corrupt.mnt/vmcore.elf" 0x120)
	check "a dump with corrupt pages: pfn 0x120 is in a segment of the mounted core" [ -n "$off" ]
	dd if="$MT/corrupt.mnt/vmcore.elf" of=/dev/null bs=4096 skip=$((off / 4096)) count=1 \
		iflag=direct 2>"$MT/corrupt.dd"
	check_eq "a dump with corrupt pages: reading the corrupt page fails" \
		"1 Input/output error" "$? $(grep -o 'Input/output error' "$MT/corrupt.dd" | head -n 1)"
	coff=$(pfn_off "$MT/corrupt.elf" 0x124)
	check "a dump with corrupt pages: the pages after the corrupt ones read as converted" \
		cmp <(dd if="$MT/corrupt.mnt/vmcore.elf" bs=4096 skip=$(( off / 4096 + 4 )) count=8 2>/dev/null) \
			<(dd if="$MT/corrupt.elf" bs=4096 skip=$(( ${coff:-0} / 4096 )) count=8 2>/dev/null)
	fusermount3 -u "$MT/corrupt.mnt"
	rm -f "$MT/corrupt" "$MT/corrupt.elf"*

	# In the foreground the serving process keeps its standard error: under the
	# sanitizers, a whole read of a core and SIGTERM must leave it silent.
	if [ -d "$SHARED" ]; then
		mkdir -p "$MT/fg.mnt"
		"$K2E" -q --foreground --mount "$MT/fg.mnt" "$SHARED/vmcore.kdump-zlib" 2>"$MT/fg.err" &
		pid=$!
		for _ in $(seq 1 600); do mounted "$MT/fg.mnt" && break; sleep 0.1; done
		check "--foreground: mounted" mounted "$MT/fg.mnt"
		check "--foreground: the whole core reads" cmp -s "$MT/fg.mnt/vmcore.elf" "$MT/fg.mnt/vmcore.elf"
		kill -TERM "$pid"
		wait "$pid"
		check_eq "--foreground, SIGTERM: exit 0, nothing on standard error" "0 " "$? $(cat "$MT/fg.err")"
		check "--foreground, SIGTERM: unmounted" bash -c "! awk -v m='$MT/fg.mnt' '\$2 == m { f = 1 } END { exit !f }' /proc/mounts"
	fi

	# --foreground: stays attached; SIGTERM unmounts and it exits 0.  A multi-GiB
	# dump read whole through the mount: the same bytes, and the process's peak
	# memory is the cache and the page index, not the dump.
	if [ -z "${K2E_SANITIZE:-}" ]; then
		# 4 GiB of memory, 15% of it stored (lzo and zlib): made once, kept with the fixtures.
		bigspec='size 4G; mix text=10 random=5 zero=85; codec lzo zlib; cpus 2'
		bigdir=${K2E_FIXTURE_CACHE:-/var/cache/kdump2elf}/mount
		if [ "$(cat "$bigdir/big-4g.spec" 2>/dev/null)" != "$bigspec" ] || [ ! -s "$bigdir/big-4g" ]; then
			mkdir -p "$bigdir" && rm -f "$bigdir/big-4g"* &&
				"$GEN" -e "$bigspec" "$bigdir/big-4g" >/dev/null && echo "$bigspec" >"$bigdir/big-4g.spec"
		fi
		ln -sf "$bigdir/big-4g" "$MT/big"
		mkdir -p "$MT/big.mnt"
		"$K2E" -q --foreground --cache 32 --mount "$MT/big.mnt" "$MT/big" 2>"$MT/big.err" &
		pid=$!
		for _ in $(seq 1 300); do mounted "$MT/big.mnt" && break; sleep 0.1; done
		check "4 GiB synthetic dump: mounted in the foreground" mounted "$MT/big.mnt"
		"$K2E" -q -f --threads 2 "$MT/big" -o "$MT/big.elf"
		check "4 GiB synthetic dump: every byte read through the mount is the converted core's" \
			cmp "$MT/big.mnt/vmcore.elf" "$MT/big.elf"
		hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
		pages=$(( $(stat -c %s "$MT/big.elf") / 4096 ))
		echo "   4 GiB synthetic dump through the mount: peak RSS $((hwm / 1024)) MiB (cache 32 MiB, index $((pages * 16 / 1048576)) MiB)"
		check "4 GiB synthetic dump: the mount's peak memory ($((hwm / 1024)) MiB) is under 32 MiB cache + 16 B/page index + 64 MiB" \
			[ "$hwm" -lt $(( 32 * 1024 + pages * 16 / 1024 + 64 * 1024 )) ]
		rm -f "$MT/big.elf"*
		kill -TERM "$pid"
		wait "$pid"
		check_eq "SIGTERM: the foreground mount exits 0" 0 $?
		check "SIGTERM: unmounted" bash -c "! awk -v m='$MT/big.mnt' '\$2 == m { f = 1 } END { exit !f }' /proc/mounts"
		rm -f "$MT/big"
	fi

	# gdb.sh's cases through the mount, then crash and libkdumpfile on a mounted core.
	if [ -z "${K2E_SANITIZE:-}" ]; then
		FIX=${FIXDIR:-}
		vml=""
		[ -n "$FIX" ] && vml=$(ls "$FIX"/vmlinux-* 2>/dev/null | head -n 1)
		if [ -n "$vml" ] && declare -F gdb_case >/dev/null; then
			K2E_VIA_MOUNT=1
			gdb_case "mount-gdb-smp2" "$vml" "$FIX" "$FIX/k2e_oops.ko" "$FIX/smp2/kdump/vmcore.kdump-zlib"
			for d in ${FIXDIRS:-}; do
				case $(basename "$d") in *-amd64) gdb_module_case "$d" ;; esac
			done
			unset K2E_VIA_MOUNT
			mkdir -p "$MT/crash.mnt"
			"$K2E" -q --vmlinux "$vml" --mount "$MT/crash.mnt" "$FIX/smp2/kdump/vmcore.kdump-zlib"
			"$K2E" -q -f --vmlinux "$vml" "$FIX/smp2/kdump/vmcore.kdump-zlib" -o "$MT/crash.elf"
			for f in mnt elf; do
				core=$MT/crash.elf
				[ $f = mnt ] && core=$MT/crash.mnt/vmcore.elf
				printf 'sys\nbt\nps\nquit\n' | timeout 300 crash -s "$vml" "$core" 2>&1 |
					grep -v -e 'DUMPFILE' >"$MT/crash.$f.out"
			done
			check "crash on the mounted core: a panic task" grep -q 'PANIC:' "$MT/crash.mnt.out"
			check "crash on the mounted core: sys, bt and ps as on the converted core" \
				diff -u "$MT/crash.elf.out" "$MT/crash.mnt.out"
			$PY "$ROOT/tests/tools/kdf-compare.py" --digest "$MT/crash.mnt/vmcore.elf" >"$MT/kdf.mnt" 2>&1
			$PY "$ROOT/tests/tools/kdf-compare.py" --digest "$MT/crash.elf" >"$MT/kdf.elf" 2>&1
			check "libkdumpfile opens the mounted core" [ -n "$(field digest "$MT/kdf.mnt")" ]
			check_eq "libkdumpfile: the mounted core's page digest is the converted core's" \
				"$(field digest "$MT/kdf.elf")" "$(field digest "$MT/kdf.mnt")"
			fusermount3 -u "$MT/crash.mnt"
			rm -f "$MT/crash.elf"*
		else
			note "no vmlinux for the generated fixtures: gdb, crash and drgn not run on a mounted core"
		fi
		# Without a vmlinux, the user's path: mount, then gdb -x DIR/vmcore.elf.gdb.
		if [ -d "$SHARED" ]; then
			mkdir -p "$MT/nv.mnt"
			"$K2E" -q --mount "$MT/nv.mnt" "$SHARED/vmcore.kdump-zlib"
			if grep -q '^symbol-file ' "$MT/nv.mnt/vmcore.elf.gdb"; then
				timeout 600 gdb -nx -batch -iex 'set debug-file-directory /nonexistent' \
					-x "$MT/nv.mnt/vmcore.elf.gdb" -ex bt </dev/null >"$MT/nv.out" 2>&1
				check "shared dump mounted, no vmlinux: gdb -x DIR/vmcore.elf.gdb; bt to entry_SYSCALL_64" \
					bash -c "grep -E '^#[0-9]+ ' '$MT/nv.out' | sed -E 's/^#[0-9]+ +(0x[0-9a-f]+ in )?([^ (]+).*/\2/' | tr '\n' ' ' |
						grep -qE 'k2e_do_bad_write .*vfs_write ksys_write do_syscall_64 entry_SYSCALL_64'"
			else
				note "a vmlinux was found for the shared dump: the mounted no-vmlinux script not tested"
			fi
			fusermount3 -u "$MT/nv.mnt"
		fi
	fi
fi
