#!/bin/bash
# install-deps.sh [build|test|all] - install the Debian 12 packages kdump2elf needs.
# Idempotent: installs only what is missing; runs apt-get update at most once.
set -eu
what=${1:-all}
build="build-essential pkg-config libelf-dev zlib1g-dev liblzo2-dev libsnappy-dev libzstd-dev
       libbpf-dev libdw-dev libdeflate-dev libfuse3-dev fuse3"
test="mandoc xz-utils gdb gdb-multiarch crash makedumpfile python3-libkdumpfile python3-drgn python3-jsonschema
      bpftool binutils time strace bsdutils parallel dpkg-dev debhelper lintian fakeroot llvm-14"
case $what in
build) pkgs=$build ;;
test) pkgs=$test ;;
all) pkgs="$build $test" ;;
*) echo "usage: $0 [build|test|all]" >&2; exit 2 ;;
esac
[ "$what" != build ] || pkgs="$pkgs gdb"	# the session make demo shows
missing=()
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null; then exec sudo "$0" "$@"; fi
	echo "install-deps: need root to install: ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
	apt-get update -q >/dev/null
	apt-get install -y -q "${missing[@]}" >/dev/null
}
