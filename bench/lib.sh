# bench/lib.sh - waiting for a quiet machine, shared by bench/run.sh and
# bench/mount.sh (sourced).  Other processes share these cores and this disk
# (developers' test runs); a run timed meanwhile times them too.
#
#   CORES            cores of the machine [nproc]
#   QUIET_MAX        wait_quiet's longest wait, s [K2E_BENCH_QUIET_MAX or 5]
#   DISK_QUIET_MAX   disk_quiet's longest wait, s [K2E_BENCH_DISK_QUIET_MAX or 20]
CORES=${CORES:-$(nproc)}
QUIET_MAX=${K2E_BENCH_QUIET_MAX:-5}
DISK_QUIET_MAX=${K2E_BENCH_DISK_QUIET_MAX:-20}
HZ=$(getconf CLK_TCK)

# cpu_busy: jiffies the whole machine spent busy since boot.
cpu_busy() {
	local _c u n s _i _w irq sirq st _rest
	read -r _c u n s _i _w irq sirq st _rest </proc/stat
	echo $((u + n + s + irq + sirq + st))
}

# wait_quiet: at most QUIET_MAX s until the machine is < 10% busy over half a second.
wait_quiet() {
	local waited=0 b0 b1
	while :; do
		b0=$(cpu_busy)
		sleep 0.5
		b1=$(cpu_busy)
		[ $(( (b1 - b0) * 100 )) -lt $(( HZ * CORES * 10 / 2 )) ] && return 0
		waited=$((waited + 1))
		[ "$waited" -ge $((QUIET_MAX * 2)) ] && return 0
	done
}

# disk_sectors: sectors written plus sectors discarded, all disks, since boot.
disk_sectors() {
	awk '$3 !~ /^(loop|ram)/ { s += $10 + ($17 == "" ? 0 : $17) } END { print s + 0 }' /proc/diskstats
}

# disk_quiet: at most DISK_QUIET_MAX s until no sector was written or
# discarded for 1 s.  After the last run's output is removed the disk keeps
# busy for seconds (writeback of its tail, discards of the freed blocks on a
# -o discard mount); a write timed meanwhile can take 3x as long.
disk_quiet() {
	local waited=0 a b
	a=$(disk_sectors)
	while [ "$waited" -lt "$DISK_QUIET_MAX" ]; do
		sleep 1
		b=$(disk_sectors)
		[ "$a" = "$b" ] && return 0
		a=$b
		waited=$((waited + 1))
	done
}
