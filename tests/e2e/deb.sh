# deb.sh - the Debian package (debian/, issue 15): `make deb` in a copy of
# the sources under $T builds kdump2elf_VERSION_ARCH.deb with dpkg-buildpackage
# (nothing lands beside the checkout), lintian has no error or warning for it
# or the .changes, the binary has the hardening dpkg-buildflags asks for, then
# (as root) dpkg -i installs it: the installed kdump2elf prints its version, the man page and the schema are in
# place, a real dump converts to the same bytes as with the build's binary,
# and removing the package removes the binary.  Sourced by run-all.sh.
DB=$T/deb
SHARED=$ROOT/../shared/fixtures/kdump-6.1-k2e
DEB_LOCK=/run/lock/kdump2elf-deb-test.lock
[ -d /run/lock ] && [ -w /run/lock ] || DEB_LOCK=/tmp/kdump2elf-deb-test.lock
DEB_VERSION=$(sed -n 's/^#define K2E_VERSION "\(.*\)"$/\1/p' "$ROOT/cli/exit.h")

# deb_copy_sources DIR: the sources as `make deb` would take them (tracked and
# untracked-but-not-ignored files of a git checkout, else the tree without build dirs).
deb_copy_sources() {
	mkdir -p "$1" || return 1
	if [ "$(git -C "$ROOT" rev-parse --show-toplevel 2>/dev/null)" = "$ROOT" ]; then
		git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
			tar -C "$ROOT" -c --null -T - -f -
	else
		tar -C "$ROOT" -c --exclude=./.git --exclude='./build*' --exclude='./*.deb' -f - .
	fi | tar -x -C "$1"
}

# deb_dpkg ARG...: dpkg, waiting (up to 10 minutes) while another process holds its lock.
deb_dpkg() {
	local i out rc
	for i in $(seq 120); do
		out=$(dpkg "$@" 2>&1)
		rc=$?
		[ "$rc" != 0 ] && grep -q 'lock' <<<"$out" || break
		sleep 5
	done
	printf '%s\n' "$out"
	return "$rc"
}

# deb_install_part DEB: install, use, remove; each step's result is a line
# "STEP STATUS" in $DB/steps.txt.  Serialised across concurrent test runs on
# this machine by a lock, as they share /usr/bin.  man-db's trigger (an index
# update of several seconds) runs once, after the removal, not twice.
deb_install_part() {
	local deb=$1 pkg=$DB/pkg bld=$DB/bld st
	(
		flock -w 600 9 || { echo "lock"; exit 1; }
		if [ -e /usr/bin/kdump2elf ] || dpkg-query -W -f='${Status}' kdump2elf 2>/dev/null | grep -q ' installed'; then
			echo "present"
			exit 0
		fi
		deb_dpkg -i --no-triggers "$deb" >"$DB/install.log"
		echo "install $?"
		/usr/bin/kdump2elf --version >"$DB/version.txt" 2>&1
		ls -l /usr/share/man/man1/kdump2elf.1.gz /usr/share/kdump2elf/summary.schema.json \
			/usr/share/doc/kdump2elf/README.md.gz /usr/share/doc/kdump2elf/copyright >"$DB/files.txt" 2>&1
		echo "files $?"
		cmp /usr/share/kdump2elf/summary.schema.json "$ROOT/schema/summary.schema.json" >/dev/null 2>&1
		echo "schema $?"
		zcat /usr/share/man/man1/kdump2elf.1.gz 2>/dev/null | cmp - "$ROOT/man/kdump2elf.1" >/dev/null 2>&1
		echo "man $?"
		if [ -f "$SHARED/vmcore.kdump-zlib" ]; then
			mkdir -p "$pkg" "$bld"
			(cd "$pkg" && /usr/bin/kdump2elf -q "$SHARED/vmcore.kdump-zlib" -o vmcore.elf) >"$DB/convert.log" 2>&1
			echo "convert $?"
			(cd "$bld" && "$K2E" -q "$SHARED/vmcore.kdump-zlib" -o vmcore.elf) >>"$DB/convert.log" 2>&1
		fi
		deb_dpkg -r --no-triggers kdump2elf >"$DB/remove.log"
		echo "remove $?"
		[ ! -e /usr/bin/kdump2elf ]
		echo "gone $?"
		st=$(dpkg-query -W -f='${Status}' kdump2elf 2>/dev/null)
		echo "status ${st:-unknown}"
		if dpkg-query -W -f='${Status}' man-db 2>/dev/null | grep -q triggers-pending; then
			deb_dpkg --triggers-only man-db >/dev/null
		fi
	) 9>"$DEB_LOCK" >"$DB/steps.txt"
}

# deb_secs T0: seconds since T0 (date +%s%N), to the millisecond.
deb_secs() {
	local ms=$((($(date +%s%N) - $1) / 1000000))
	printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}

# deb_step NAME: what deb_install_part said of step NAME.
deb_step() {
	sed -n "s/^$1 //p" "$DB/steps.txt" | head -n 1
}

if [ -n "${K2E_SANITIZE:-}" ]; then
	note "deb: the Debian package is built and tested in the plain pass only (it builds its own binary)"
elif ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null || ! command -v lintian >/dev/null; then
	note "deb: dpkg-buildpackage, dh or lintian missing (tests/install-deps.sh test installs them)"
else
	deb_t0=$(date +%s%N)
	rm -rf "$DB"
	check "deb: sources copied to scratch" deb_copy_sources "$DB/src"
	deb_t1=$(date +%s%N)
	make -C "$DB/src" deb >"$DB/build.log" 2>&1
	check_eq "deb: make deb succeeds" 0 "$?"
	deb_tb=$(deb_secs "$deb_t1")
	deb_arch=$(dpkg --print-architecture)
	DEB=$DB/src/kdump2elf_${DEB_VERSION}_$deb_arch.deb
	CHANGES=$DB/src/build/deb/kdump2elf_${DEB_VERSION}_$deb_arch.changes
	check "deb: make deb leaves kdump2elf_${DEB_VERSION}_$deb_arch.deb in the checkout" test -s "$DEB"
	check "deb: dpkg-buildpackage wrote its .changes beside its copy" test -s "$CHANGES"
	if [ ! -s "$DEB" ]; then
		tail -n 30 "$DB/build.log"
	else
		check_eq "deb: package version is K2E_VERSION" "$DEB_VERSION" "$(dpkg-deb -f "$DEB" Version)"
		check "deb: the package build did not run the test suite" \
			bash -c "! grep -q -e 'run-all.sh' -e 'unit-tests' '$DB/build.log'"
		deps=$(dpkg-deb -f "$DEB" Depends)
		check "deb: Depends computed by shlibs (libc6, libelf1, libzstd1): $deps" \
			bash -c "grep -q 'libc6 (>=' <<<'$deps' && grep -q 'libelf1' <<<'$deps' && grep -q 'libzstd1' <<<'$deps'"
		dpkg-deb -c "$DEB" | awk '{ print $6 }' >"$DB/contents.txt"
		for f in ./usr/bin/kdump2elf ./usr/share/man/man1/kdump2elf.1.gz ./usr/share/kdump2elf/summary.schema.json \
			./usr/share/doc/kdump2elf/README.md.gz ./usr/share/doc/kdump2elf/copyright; do
			check "deb: the package holds $f" grep -qFx "$f" "$DB/contents.txt"
		done
		# Hardening from dpkg-buildflags (hardening=+all): PIE, full RELRO, stack
		# protector and _FORTIFY_SOURCE reached the compiler and linker.
		mkdir -p "$DB/x" && dpkg-deb -x "$DEB" "$DB/x"
		bin=$DB/x/usr/bin/kdump2elf
		check "deb: binary is PIE with BIND_NOW" bash -c "readelf -dW '$bin' | grep -q 'FLAGS_1.*NOW.*PIE'"
		check "deb: binary has RELRO" bash -c "readelf -lW '$bin' | grep -q GNU_RELRO"
		check "deb: binary uses the stack protector" bash -c "nm -D '$bin' | grep -q __stack_chk_fail"
		check "deb: binary uses fortified functions" bash -c "nm -D '$bin' | grep -q '__[a-z]*_chk@'"

		# The .changes names the .deb (and the -dbgsym one): lintian checks them all.
		deb_t1=$(date +%s%N)
		lintian "$CHANGES" >"$DB/lintian.txt" 2>&1
		lrc=$?
		deb_tl=$(deb_secs "$deb_t1")
		check_eq "deb: lintian ran (exit status)" 0 "$lrc"
		check "deb: lintian has no E: or W: for the .deb and .changes" \
			bash -c "! grep -E '^[EW]: ' '$DB/lintian.txt'"

		if [ "$(id -u)" != 0 ]; then
			note "deb: not root: the package was built and checked, not installed"
		else
			deb_t1=$(date +%s%N)
			deb_install_part "$DEB"
			deb_ti=$(deb_secs "$deb_t1")
			if grep -qx present "$DB/steps.txt"; then
				note "deb: /usr/bin/kdump2elf or a kdump2elf package was already installed: install, use and remove not tested"
			elif grep -qx lock "$DB/steps.txt"; then
				not_ok "deb: another test run held $DEB_LOCK for 10 minutes"
			else
				check_eq "deb: dpkg -i kdump2elf_*.deb (exit status)" 0 "$(deb_step install)"
				[ "$(deb_step install)" = 0 ] || tail -n 20 "$DB/install.log"
			fi
			if [ "$(deb_step install)" = 0 ]; then
				check_eq "deb: installed kdump2elf --version" "kdump2elf $DEB_VERSION" "$(head -n 1 "$DB/version.txt")"
				check_eq "deb: man page, schema, README and copyright installed" 0 "$(deb_step files)"
				check_eq "deb: installed schema is schema/summary.schema.json" 0 "$(deb_step schema)"
				check_eq "deb: installed man page is man/kdump2elf.1" 0 "$(deb_step man)"
				if [ ! -f "$SHARED/vmcore.kdump-zlib" ]; then
					note "deb: ../shared/fixtures absent: the installed binary converted no real dump"
				else
					check_eq "deb: installed kdump2elf converts kdump-6.1-k2e/vmcore.kdump-zlib" 0 "$(deb_step convert)"
					check "deb: the installed binary's core is an ELF core" \
						bash -c "readelf -hW '$DB/pkg/vmcore.elf' | grep -q 'Type:.*CORE'"
					check "deb: installed and built binaries write the same core" cmp "$DB/pkg/vmcore.elf" "$DB/bld/vmcore.elf"
					check "deb: installed and built binaries write the same OUT.sym" \
						cmp "$DB/pkg/vmcore.elf.sym" "$DB/bld/vmcore.elf.sym"
					check "deb: installed and built binaries write the same OUT.gdb (but its directory)" \
						cmp <(sed "s#$DB/pkg#DIR#g" "$DB/pkg/vmcore.elf.gdb") <(sed "s#$DB/bld#DIR#g" "$DB/bld/vmcore.elf.gdb")
				fi
			fi
			if [ -n "$(deb_step remove)" ]; then
				check_eq "deb: dpkg -r kdump2elf (exit status)" 0 "$(deb_step remove)"
				check_eq "deb: /usr/bin/kdump2elf is gone after dpkg -r" 0 "$(deb_step gone)"
				check "deb: dpkg no longer lists kdump2elf as installed" \
					bash -c "! grep -q '^status install ok installed' '$DB/steps.txt'"
			fi
		fi
	fi
	echo "   deb: section took $(deb_secs "$deb_t0") s (make deb ${deb_tb:-?} s, lintian ${deb_tl:-?} s, install-use-remove ${deb_ti:--} s)"
	rm -rf "$DB"
fi
