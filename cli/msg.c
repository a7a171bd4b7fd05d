#include "cli/msg.h"

#include <stdarg.h>
#include <stdio.h>

void k2e_cli_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("kdump2elf: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
