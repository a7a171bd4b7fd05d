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
};

#endif
