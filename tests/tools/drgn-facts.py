#!/usr/bin/python3
"""drgn-facts.py VMLINUX DUMP [MODULE.ko] -- facts drgn (python3-drgn) reads from a dump,
one "key value" per line: release, jiffies_64, panic_cpu, crashed_pid, crashed_sp,
stack_word (the u64 at crashed_sp, in a vmalloc'd task stack), frame N FUNCTION (the
crashed thread's stack), task PID COMM (every task)."""
import sys

import drgn
from drgn.helpers.linux.pid import for_each_task


def main(vmlinux, dump, module=None):
    prog = drgn.Program()
    prog.set_core_dump(dump)
    try:
        prog.load_debug_info([vmlinux] + ([module] if module else []))
    except drgn.MissingDebugInfoError:
        pass
    print("release %s" % prog["init_uts_ns"].name.release.string_().decode())
    print("jiffies_64 %d" % prog["jiffies_64"].value_())
    print("panic_cpu %d" % prog["panic_cpu"].counter.value_())
    thread = prog.crashed_thread()
    if prog.platform.arch == drgn.Architecture.AARCH64:
        # drgn 0.0.22 takes arm64's first NT_PRSTATUS for the crashed thread: ask panic_cpu
        from drgn.helpers.linux.percpu import per_cpu
        curr = per_cpu(prog["runqueues"], prog["panic_cpu"].counter.value_()).curr
        thread = prog.thread(curr.pid.value_())
    print("crashed_pid %d" % thread.tid)
    trace = thread.stack_trace()
    regs = trace[0].registers()
    sp = regs["rsp"] if "rsp" in regs else regs["sp"]
    print("crashed_sp 0x%x" % sp)
    print("stack_word 0x%x" % prog.read_u64(sp))
    for i, frame in enumerate(trace):
        print("frame %d %s" % (i, frame.name or hex(frame.pc)))
    for pid, comm in sorted((t.pid.value_(), t.comm.string_().decode()) for t in for_each_task(prog)):
        print("task %d %s" % (pid, comm))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
