#!/usr/bin/python3
"""drgn-tasks.py VMLINUX DUMP -- the task list drgn (python3-drgn) reads from a dump:
one line per task, "pid N comm NAME", sorted by pid, then the crashed thread."""
import sys

import drgn
from drgn.helpers.linux.pid import for_each_task


def main(vmlinux, dump):
    prog = drgn.Program()
    prog.set_core_dump(dump)
    try:
        prog.load_debug_info([vmlinux])
    except drgn.MissingDebugInfoError:
        pass
    for pid, comm in sorted((t.pid.value_(), t.comm.string_().decode()) for t in for_each_task(prog)):
        print("pid %d comm %s" % (pid, comm))
    thread = prog.crashed_thread()
    print("crashed pid %d" % thread.tid)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
