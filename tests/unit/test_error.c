/* Unit tests of lib/error. */
#include "tests/unit/harness.h"

#include <errno.h>

#include "lib/error.h"

TEST(err_set_prefix_chain)
{
	struct k2e_err err;

	CHECK_I64(k2e_err_set(&err, "%s", "c"), -1);
	CHECK_STR(err.msg, "c");
	CHECK_I64(k2e_err_prefix(&err, "b"), -1);
	CHECK_I64(k2e_err_prefix(&err, "%c", 'a'), -1);
	CHECK_STR(err.msg, "a: b: c");
	k2e_err_prefix(&err, "pfn 0x%x", 0x5000);
	CHECK_STR(err.msg, "pfn 0x5000: a: b: c");
	k2e_err_clear(&err);
	CHECK_STR(err.msg, "");
}

TEST(err_errno_chain)
{
	struct k2e_err err;

	CHECK_I64(k2e_err_errno(&err, ENOENT, "cannot open '%s'", "x"), -1);
	CHECK_STR(err.msg, "cannot open 'x': No such file or directory");
	k2e_err_prefix(&err, "dump.3");
	CHECK_STR(err.msg, "dump.3: cannot open 'x': No such file or directory");
}

TEST(err_long_messages_truncate)
{
	struct k2e_err err;
	char big[2 * K2E_ERR_MSG_MAX];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	k2e_err_set(&err, "%s", big);
	CHECK_U64(strlen(err.msg), K2E_ERR_MSG_MAX - 1);
	/* A prefix on a full message keeps the string terminated and starts with it. */
	k2e_err_prefix(&err, "ctx");
	CHECK(strlen(err.msg) < K2E_ERR_MSG_MAX);
	CHECK(strncmp(err.msg, "ctx: xxx", 8) == 0);
	/* A prefix longer than the buffer still leaves a terminated string. */
	k2e_err_prefix(&err, "%s", big);
	CHECK(strlen(err.msg) < K2E_ERR_MSG_MAX);
}
