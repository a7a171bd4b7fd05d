#!/bin/sh
# make-seeds.sh - regenerate the fuzz seed corpora in tests/fuzz/corpus/.
#
#   tests/fuzz/make-seeds.sh        (from the top of the tree)
#
# Builds tests/fuzz/make-seeds.c with every codec library and writes small
# hand-made inputs (each < 16 KiB) for fuzz_open and fuzz_flat.  Inputs
# saved by fuzzing runs (crash-*, regressions) live beside them and are kept.
set -eu
cd "$(dirname "$0")/../.."
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2046
$CC -std=gnu11 -O1 -Wall -Wextra -I. -o "$tmp/make-seeds" tests/fuzz/make-seeds.c \
	$($PKG_CONFIG --cflags --libs zlib lzo2 snappy libzstd)
mkdir -p tests/fuzz/corpus/fuzz_open tests/fuzz/corpus/fuzz_flat
"$tmp/make-seeds" tests/fuzz/corpus/fuzz_open tests/fuzz/corpus/fuzz_flat
echo "seeds: $(ls tests/fuzz/corpus/fuzz_open | wc -l) fuzz_open, $(ls tests/fuzz/corpus/fuzz_flat | wc -l) fuzz_flat"
