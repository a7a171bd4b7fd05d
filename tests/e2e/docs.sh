# docs.sh - the man page is lint-clean and documents every option --help lists.
# Sourced by run-all.sh.
check "man page: mandoc -Tlint is clean" mandoc -Tlint -W warning "$ROOT/man/kdump2elf.1"
for opt in $("$K2E" --help | grep -o -- '--[a-z-]*' | sort -u); do
	check "man page documents $opt" grep -q -- "Fl Fl ${opt#--}" "$ROOT/man/kdump2elf.1"
done
check "README shows kdump2elf being run" grep -q 'kdump2elf ' "$ROOT/README.md"
