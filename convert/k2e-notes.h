/*
 * k2e-notes.h - the notes kdump2elf adds to the cores it writes, under the
 * note name "KDUMP2ELF".  The types are chosen away from the NT_* numbers of
 * core files: BFD (gdb, objdump) reads notes of any name by type, so type 1
 * would look like another NT_PRSTATUS thread.
 */
#ifndef K2E_NOTES_H
#define K2E_NOTES_H

#define K2E_NOTE_NAME "KDUMP2ELF"

enum k2e_note_type {
	/* The dump's eraseinfo text (makedumpfile --config), verbatim. */
	NT_K2E_ERASEINFO = 0x4b324501,
	/*
	 * What the input was, as KEY=VALUE lines: format, source files,
	 * lost page ranges.
	 */
	NT_K2E_INFO = 0x4b324502,
	/*
	 * The CPU of each NT_PRSTATUS note, in note order, with the pid the
	 * dump had and the thread id the core has (idle CPUs get
	 * 4194304 + cpu): "PANIC_CPU=N" then "NOTE=i CPU=c PID=p TID=t" lines.
	 */
	NT_K2E_CPUS = 0x4b324503,
};

#endif
