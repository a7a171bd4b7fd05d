# fuzz-replay.sh - every fuzz target runs its committed corpus and the bad and
# synthetic inputs of this run (under ASan/UBSan in the sanitizer pass).
# Sourced by run-all.sh.
found=0
for f in "$ROOT/$O"/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	found=1
	name=$(basename "$f")
	dirs=()
	[ -d "$ROOT/tests/fuzz/corpus/$name" ] && dirs+=("$ROOT/tests/fuzz/corpus/$name")
	[ -d "$T/bad" ] && dirs+=("$T/bad")
	if out=$("$f" "${dirs[@]}" 2>&1); then
		ok "$name: replayed corpus"
		echo "   $name: $(echo "$out" | tail -n 1)"
	else
		not_ok "$name: replay failed"
		echo "$out" | tail -n 20
	fi
done
[ "$found" = 1 ] || not_ok "no fuzz targets built"
