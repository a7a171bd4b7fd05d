#!/bin/sh
# make-kernel-seeds.sh - regenerate the seeds of the memory-based fuzz
# targets (fuzz_kallsyms, fuzz_printk, fuzz_modules, fuzz_orc, fuzz_btf) with
# tests/fuzz/make-kernel-seeds.c, and fuzz_core's unit-test cores.
#
#   tests/fuzz/make-kernel-seeds.sh [FIXTURES]    (from the top of the tree)
#
# Sources: the unit tests' fake kernels (build/unit-tests run with
# K2E_FUZZ_CORES=DIR keeps them: kallsyms in its 4 encodings, printk in
# both ring layouts and the plain buffer), synthetic BTF made with libbpf,
# and, when FIXTURES (default /var/cache/kdump2elf/fixtures) holds the real
# kernels' smp2 dumps, each converted by kdump2elf and the memory the
# printk, module and ORC parsers read from it (vmlinux ORC cut to 64
# entries; the modules' tables whole, with a tiny BTF so they are read).
# Inputs saved by fuzzing runs live beside the seeds and are kept.
set -eu
cd "$(dirname "$0")/../.."
fix=${1:-/var/cache/kdump2elf/fixtures}
O=${O:-build}
C=tests/fuzz/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s O="$O" "$O/libk2e.a" "$O/unit-tests" "$O/kdump2elf"
# shellcheck disable=SC2046
${CC:-cc} -std=gnu11 -O1 -I. -D_GNU_SOURCE -o "$tmp/mks" tests/fuzz/make-kernel-seeds.c \
	"$O/libk2e.a" $(pkg-config --libs zlib lzo2 snappy libzstd libdw libelf libbpf) -pthread
mkdir -p "$tmp/u" $C/fuzz_kallsyms $C/fuzz_printk $C/fuzz_modules $C/fuzz_orc $C/fuzz_btf $C/fuzz_core
K2E_FUZZ_CORES="$tmp/u" "$O/unit-tests" >/dev/null 2>&1 || true
# test_kallsyms: check_enc() order, then the wrong-_stext and name-index cases.
i=0
for n in base-relative absolute-percpu place-relative absolute wrong-stext name-index; do
	"$tmp/mks" kallsyms "$tmp/u/kallsyms-$i" $C/fuzz_kallsyms/$n 2>/dev/null
	i=$((i + 1))
done
i=0
for n in no-vmcoreinfo-log lockless-no-sizes lockless-bad-span lockless-ring records \
	records-cycle empty lockless-no-sizes-2 plain; do
	"$tmp/mks" printk "$tmp/u/printk-$i" $C/fuzz_printk/$n 2>/dev/null
	case $n in lockless-bad-span|lockless-ring|records|records-cycle|plain|lockless-no-sizes)
		cp "$tmp/u/printk-$i" $C/fuzz_core/unit-printk-core-$i ;;
	esac
	i=$((i + 1))
done
cp "$tmp/u/kallsyms-0" $C/fuzz_core/unit-kallsyms-core
"$tmp/mks" btf $C/fuzz_btf
for d in "$fix"/*-amd64; do
	[ -f "$d/smp2/kdump/vmcore.kdump-lzo" ] || continue
	v=$(basename "$d" | sed 's/-cloud-amd64$//; s/+deb12$//')
	"$O/kdump2elf" -q -f --no-gdb-script "$d/smp2/kdump/vmcore.kdump-lzo" -o "$tmp/core" || continue
	for m in printk modules orc; do
		"$tmp/mks" $m "$tmp/core" $C/fuzz_$m/real-$v
	done
	rm -f "$tmp/core" "$tmp/core.sym"
done
