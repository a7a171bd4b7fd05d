# gdb-fields.py - gdb -x script: "field NAME BITPOS" for each member of
# struct task_struct as gdb sees it (anonymous members as "(anon)", as bpftool
# prints them).  Used by tests/e2e/sidecar.sh to compare the sidecar's DWARF
# with the BTF it came from and with the real vmlinux's DWARF.
import gdb

for f in gdb.lookup_type("struct task_struct").fields():
    print("field %s %d" % (f.name or "(anon)", f.bitpos))
