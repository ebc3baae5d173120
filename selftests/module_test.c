// SPDX-License-Identifier: GPL-2.0-only
/*
 * The module stays while a handle is open and unloads once it closes. The
 * test reloads the module from $KIPC_MODULE_PATH so later tests find it.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"

static int delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

static int load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

TEST(unload_blocked_while_open)
{
	const char *path = getenv("KIPC_MODULE_PATH");
	int fd;

	if (geteuid() != 0)
		SKIP(return, "needs root to unload modules");
	if (!path)
		SKIP(return, "KIPC_MODULE_PATH names no module to reload");

	fd = open("/dev/kipc", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);

	EXPECT_EQ(-1, delete_module("kipc"));
	EXPECT_EQ(EWOULDBLOCK, errno);

	/* The handle still works after the refused unload. */
	EXPECT_EQ(0, access("/dev/kipc", F_OK));

	close(fd);
	ASSERT_EQ(0, delete_module("kipc")) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(-1, access("/dev/kipc", F_OK));

	ASSERT_EQ(0, load_module(path)) TH_LOG("reload: %s", strerror(errno));
	/* devtmpfs creates the node as the device registers. */
	EXPECT_EQ(0, access("/dev/kipc", F_OK));
}

TEST(unprivileged_unload_refused)
{
	if (geteuid() == 0)
		SKIP(return, "runs as an unprivileged user");

	EXPECT_EQ(-1, delete_module("kipc"));
	EXPECT_EQ(EPERM, errno);
}

TEST_HARNESS_MAIN
