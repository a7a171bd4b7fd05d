# hostile.sh - a dump is hostile input: names in its memory never become
# script syntax.  A real dump's struct module name is overwritten with a gdb
# command injection and with a name holding quotes, spaces, '#' and non-ASCII;
# the outputs must name the module in a warning, leave it out of OUT.gdb and
# OUT.sym, and `gdb -x OUT.gdb` must run nothing.  Sourced by run-all.sh after
# real-fixtures.sh (FIXDIR).
HOST=$T/hostile
mkdir -p "$HOST"

# hostile_dump SRC NAME DST: SRC with every 56-byte "k2e_oops" module name field replaced by NAME.
hostile_dump() {
	$PY - "$1" "$2" "$3" <<'PY'
import sys
src, name, dst = sys.argv[1], sys.argv[2].encode("utf-8", "surrogateescape"), sys.argv[3]
d = bytearray(open(src, "rb").read())
pat = b"k2e_oops" + b"\0" * 48
new = name + b"\0" * (56 - len(name))
n, i = 0, d.find(pat)
while i >= 0:
    d[i:i + 56] = new
    n += 1
    i = d.find(pat, i + 56)
open(dst, "wb").write(d)
print(n)
PY
}

# hostile_case LABEL DUMP NAME ESCAPED [VMLINUX MODDIR]
hostile_case() {
	local label=$1 dump=$2 name=$3 esc=$4 vml=${5:-} moddir=${6:-} out=$HOST/$1.elf n rc want
	n=$(hostile_dump "$dump" "$name" "$HOST/$label.dump")
	check "$label: the module name was planted in the dump" [ "${n:-0}" -gt 0 ]
	if [ -n "$vml" ]; then
		"$K2E" -f --threads 2 --vmlinux "$vml" --modules "$moddir" "$HOST/$label.dump" -o "$out" \
			2>"$HOST/$label.err"
		rc=$?
		want="kdump2elf: warning: 1 module or section names in the dump are not names the kernel makes: left out (first: module name '$esc' at ADDR)"
	else
		"$K2E" -f --threads 2 "$HOST/$label.dump" -o "$out" 2>"$HOST/$label.err"
		rc=$?
		want="kdump2elf: warning: $out.sym: 1 module or symbol names in the dump are not names the kernel makes: left out (first: module name '$esc')"
	fi
	check_eq "$label: converted" 0 "$rc"
	# The module's address differs from boot to boot: the rest is exact.
	check_eq "$label: one warning naming the module, escaped" "$want" \
		"$(sed -E 's/ at 0xffffffffc[0-9a-f]{7}\)$/ at ADDR)/' "$HOST/$label.err")"
	check "$label: OUT.gdb holds only the commands kdump2elf writes" \
		bash -c "! grep -vE '^(#|set (pagination|confirm|print pretty) |symbol-file |add-symbol-file |core-file |thread [0-9]+\$)' '$out.gdb'"
	check "$label: the module is not in OUT.gdb" bash -c "! grep -q 'k2e-pwned' '$out.gdb'"
	if [ -z "$vml" ]; then
		check "$label: OUT.sym has no section of the planted name" \
			bash -c "! readelf -SW '$out.sym' | grep -qE 'k2e-pwned|o p'"
	fi
	if [ -z "${K2E_SANITIZE:-}" ]; then
		mkdir -p "$HOST/cwd-$label"
		(cd "$HOST/cwd-$label" && timeout 600 gdb -nx -batch -x "$out.gdb" -ex 'info threads' \
			</dev/null >"$HOST/$label.gdb.out" 2>&1)
		check "$label: gdb -x OUT.gdb ran nothing from the dump" [ ! -e "$HOST/cwd-$label/k2e-pwned" ]
		check "$label: gdb read the core" grep -qE '^\* +[0-9]+ +LWP ' "$HOST/$label.gdb.out"
	fi
	rm -f "$out" "$out.sym" "$HOST/$label.dump"
}

INJECT=$'virtio_ring\nshell touch k2e-pwned\n#'
INJECT_ESC='virtio_ring\x0ashell touch k2e-pwned\x0a#'
ODD=$'k2e "o p" #\xc3\xa9'
ODD_ESC='k2e "o p" #\xc3\xa9'
hosts=0
if [ -n "${FIXDIR:-}" ] && [ -f "$FIXDIR/smp2/kdump/vmcore.elf-d31" ]; then
	hvml=$(ls "$FIXDIR"/vmlinux-* 2>/dev/null | head -n 1)
	for v in "" "$hvml"; do
		tag=sidecar
		[ -n "$v" ] && tag=vmlinux
		hostile_case "gen-$tag-inject" "$FIXDIR/smp2/kdump/vmcore.elf-d31" "$INJECT" "$INJECT_ESC" $v ${v:+"$FIXDIR"}
		hostile_case "gen-$tag-odd" "$FIXDIR/smp2/kdump/vmcore.elf-d31" "$ODD" "$ODD_ESC" $v ${v:+"$FIXDIR"}
	done
	hosts=1
fi
SHARED=$ROOT/../shared/fixtures/kdump-6.1-k2e
if [ -f "$SHARED/vmcore.elf-d31.xz" ]; then
	cp "$(shared_elf_d31)" "$HOST/shared.elf"
	hostile_case shared-inject "$HOST/shared.elf" "$INJECT" "$INJECT_ESC"
	rm -f "$HOST/shared.elf"
	hosts=1
fi
[ "$hosts" = 1 ] || note "no real fixture: the module-name injection tests were not run"

# The core, OUT.gdb and OUT.sym appear together or not at all: a directory
# where OUT.gdb goes fails the conversion, and nothing is left at OUT.
mkdir -p "$HOST/together/out.elf.gdb"
"$GEN" -e 'max_mapnr 0x400; cpus 2' "$HOST/together/dump" >/dev/null
for f in -f ""; do
	"$K2E" $f --threads 2 "$HOST/together/dump" -o "$HOST/together/out.elf" 2>"$HOST/together.err"
	check_eq "a directory at OUT.gdb${f:+ (-f)}: exit status 1" 1 $?
	check_eq "a directory at OUT.gdb${f:+ (-f)}: the message names it" \
		"kdump2elf: $([ -n "$f" ] && echo "cannot create '$HOST/together/out.elf.gdb': Is a directory" ||
			echo "'$HOST/together/out.elf.gdb' already exists")" "$(cat "$HOST/together.err")"
	check_eq "a directory at OUT.gdb${f:+ (-f)}: no OUT, OUT.sym or temporary is left" \
		"dump dump.expect out.elf.gdb" "$(ls -A "$HOST/together" | tr '\n' ' ' | sed 's/ $//')"
done
rm -rf "$HOST/together"
