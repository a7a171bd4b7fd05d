/*
 * gdbpac.c - the part of OUTPUT.gdb that lets gdb 13 unwind an arm64
 * kernel built with pointer authentication.
 *
 * Such a kernel signs the return addresses it saves in its frame records:
 * the bits KERNELPACMASK names hold a signature instead of the ones of a
 * kernel address.  The core's NT_ARM_PAC_MASK notes give gdb that mask, but
 * gdb before 14 strips it by clearing the bits (aarch64_frame_unmask_lr:
 * addr & ~cmask), which turns 0x8bbfba81907f0254 into 0x0000ba81907f0254,
 * no kernel address, and the backtrace stops there.  gdb 14 and later
 * sign-extend from bit 55 as the hardware does, so the script leaves them
 * alone.
 *
 * For gdb 13 the script registers a Python frame unwinder that claims only
 * the frames whose frame record (x29 -> {caller's x29, return address},
 * the AAPCS64 frame chain arm64 kernels keep) holds a signed return
 * address: the caller's pc is that address with the mask's bits set from
 * bit 55, its x29 the saved one, its sp just above the record.  Frames with
 * unsigned return addresses stay with gdb's own unwinders, and so do
 * functions that have not yet pointed x29 at their own record (a leaf, or
 * a stop in the prologue: no "mov x29, sp" or "add x29, sp, #n" between the
 * function's start and pc), whose x29 is still the caller's.
 */
#include "output/gdbpac.h"

static const char pac_unwinder[] =
	"python\n"
	"import struct\n"
	"import gdb\n"
	"from gdb.unwinder import Unwinder, register_unwinder\n"
	"class K2eFrameId:\n"
	"    def __init__(self, sp, pc):\n"
	"        self.sp = sp\n"
	"        self.pc = pc\n"
	"class K2ePacFrameRecords(Unwinder):\n"
	"    \"\"\"arm64 frame records with signed return addresses (kdump2elf)\"\"\"\n"
	"    def __init__(self, mask):\n"
	"        super().__init__(\"kdump2elf-arm64-pac\")\n"
	"        self.mask = mask\n"
	"    def record_made(self, start, pc):\n"
	"        # has the function set x29 to its frame record (mov/add x29, sp, #n) before pc?\n"
	"        n = min((pc - start) // 4, 64)\n"
	"        try:\n"
	"            code = bytes(gdb.selected_inferior().read_memory(start, 4 * n)) if n > 0 else b\"\"\n"
	"        except gdb.MemoryError:\n"
	"            return True\n"
	"        return any(struct.unpack_from(\"<I\", code, 4 * i)[0] & 0xffc003ff == 0x910003fd\n"
	"                   for i in range(len(code) // 4))\n"
	"    def __call__(self, pf):\n"
	"        try:\n"
	"            u64 = pf.architecture().integer_type(64, False)\n"
	"        except (AttributeError, TypeError):\n"
	"            u64 = gdb.lookup_type(\"unsigned long\")\n"
	"        fp = int(pf.read_register(\"x29\").cast(u64))\n"
	"        pc = int(pf.read_register(\"pc\").cast(u64))\n"
	"        if not fp >> 55 & 1 or fp & 15:\n"
	"            return None\n"
	"        try:\n"
	"            rec = bytes(gdb.selected_inferior().read_memory(fp, 16))\n"
	"        except gdb.MemoryError:\n"
	"            return None\n"
	"        prev_fp, lr = struct.unpack(\"<QQ\", rec)\n"
	"        if lr & self.mask in (0, self.mask):\n"
	"            return None\n"
	"        lr = lr | self.mask if lr >> 55 & 1 else lr & ~self.mask\n"
	"        blk = gdb.current_progspace().block_for_pc(pc)\n"
	"        fn = None\n"
	"        while blk is not None and not blk.is_static and not blk.is_global:\n"
	"            fn = blk.function or fn  # the outermost: not an inlined one\n"
	"            blk = blk.superblock\n"
	"        start = int(fn.value().address.cast(u64)) if fn is not None else pc\n"
	"        if fn is not None and not self.record_made(start, pc):\n"
	"            return None\n"
	"        info = pf.create_unwind_info(K2eFrameId(gdb.Value(fp + 16).cast(u64),\n"
	"                                                gdb.Value(start).cast(u64)))\n"
	"        info.add_saved_register(\"pc\", gdb.Value(lr).cast(u64))\n"
	"        info.add_saved_register(\"sp\", gdb.Value(fp + 16).cast(u64))\n"
	"        info.add_saved_register(\"x29\", gdb.Value(prev_fp).cast(u64))\n"
	"        return info\n"
	"if int(gdb.VERSION.split(\".\")[0]) < 14:\n";

void k2e_gdbscript_pac_unwinder(FILE *f, uint64_t mask)
{
	fputs("# gdb 13 clears pointer-authentication bits from kernel return addresses: follow\n"
	      "# the frame records instead (kdump2elf's output/gdbpac.c says why)\n", f);
	fputs(pac_unwinder, f);
	fprintf(f, "    register_unwinder(None, K2ePacFrameRecords(0x%llx), replace=True)\nend\n",
		(unsigned long long)mask);
}
