/* msg.h - how the command line speaks: "kdump2elf: ..." on standard error. */
#ifndef K2E_CLI_MSG_H
#define K2E_CLI_MSG_H

/* One line on standard error, after "kdump2elf: ". */
void k2e_cli_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
