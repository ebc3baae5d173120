// SPDX-License-Identifier: GPL-2.0-only
/*
 * The module stays while a handle is open or a name exists, and unloads
 * once both are gone; an administrator's purge lets go of the names. The
 * tests that unload reload the module from $KIPC_MODULE_PATH so later
 * tests find it, and each leaves no name behind.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <libkipc.h>

#include "kselftest_harness.h"

#define KEEP_QUEUE	"kt_module_keep"
#define KEEP_REGION	"kt_module_region"
#define KEEP_MSGS	3

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

static int queue_msgs(const char *name)
{
	struct kipc_queue_attr a = { .size = sizeof(a) };
	int fd, ret;

	fd = kipc_queue_open(name, O_RDONLY, 0, NULL);
	if (fd < 0)
		return fd;
	ret = kipc_queue_getattr(fd, &a);
	kipc_queue_close(fd);
	return ret < 0 ? ret : (int)a.cur_msgs;
}

/*
 * A named queue holding messages, with no handle open, keeps the module:
 * the unload fails and the messages are still there. A purge deletes the
 * name and says what went; then the module unloads, and without it the
 * library answers ENODEV, not the ENOENT of a missing queue.
 */
TEST(unload_refused_while_named)
{
	const char *path = getenv("KIPC_MODULE_PATH");
	struct kipc_purge_result res;
	struct kipc_stats st;
	int fd, i;

	if (geteuid() != 0)
		SKIP(return, "needs root to unload modules and to purge");
	if (!path)
		SKIP(return, "KIPC_MODULE_PATH names no module to reload");

	fd = kipc_queue_open(KEEP_QUEUE, O_WRONLY | O_CREAT | O_EXCL, 0600, NULL);
	ASSERT_LE(0, fd) TH_LOG("create: %s", strerror(-fd));
	for (i = 0; i < KEEP_MSGS; i++)
		ASSERT_EQ(0, kipc_queue_send(fd, "keep", 4, 0, 0));
	ASSERT_EQ(0, kipc_queue_close(fd));

	EXPECT_EQ(-1, delete_module("kipc"));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(KEEP_MSGS, queue_msgs(KEEP_QUEUE));

	memset(&res, 0xa5, sizeof(res));
	ASSERT_EQ(0, kipc_purge(KIPC_PURGE_ALL, &res));
	EXPECT_EQ(1, res.queues);
	EXPECT_EQ(0, res.regions);
	EXPECT_EQ(KEEP_MSGS, res.messages);
	EXPECT_EQ(-ENOENT, queue_msgs(KEEP_QUEUE));

	ASSERT_EQ(0, delete_module("kipc")) TH_LOG("%s", strerror(errno));
	/* Not installed in the guest: the autoload finds no module. */
	EXPECT_EQ(-ENODEV, kipc_queue_open(KEEP_QUEUE, O_RDONLY, 0, NULL));
	EXPECT_EQ(-ENODEV, kipc_queue_unlink(KEEP_QUEUE));
	/* The netlink path says the same: the family went with the module. */
	EXPECT_EQ(-ENODEV, kipc_stats_get(&st));

	ASSERT_EQ(0, load_module(path)) TH_LOG("reload: %s", strerror(errno));
	EXPECT_EQ(-ENOENT, queue_msgs(KEEP_QUEUE));
}

/* A region's name keeps the module just as a queue's does. */
TEST(unload_refused_while_region_named)
{
	const char *path = getenv("KIPC_MODULE_PATH");
	struct kipc_purge_result res;
	int fd;

	if (geteuid() != 0)
		SKIP(return, "needs root to unload modules and to purge");
	if (!path)
		SKIP(return, "KIPC_MODULE_PATH names no module to reload");

	fd = kipc_region_open(KEEP_REGION, O_RDWR | O_CREAT | O_EXCL, 0600,
			      4096, 0);
	ASSERT_LE(0, fd) TH_LOG("create: %s", strerror(-fd));
	ASSERT_EQ(0, kipc_region_close(fd));

	EXPECT_EQ(-1, delete_module("kipc"));
	EXPECT_EQ(EWOULDBLOCK, errno);

	memset(&res, 0xa5, sizeof(res));
	ASSERT_EQ(0, kipc_purge(KIPC_PURGE_ALL, &res));
	EXPECT_EQ(0, res.queues);
	EXPECT_EQ(1, res.regions);
	EXPECT_EQ(0, res.messages);

	/* The region's shmem file goes with a deferred fput. */
	for (int i = 0; i < 100 && delete_module("kipc"); i++)
		usleep(10000);
	ASSERT_EQ(-1, access("/dev/kipc", F_OK)) TH_LOG("the module stayed");
	ASSERT_EQ(0, load_module(path)) TH_LOG("reload: %s", strerror(errno));
}

/* A purge deletes names only: an open handle keeps its queue, unnamed. */
TEST(purge_leaves_handles)
{
	struct kipc_purge_result res;
	char buf[8];
	int fd;

	if (geteuid() != 0)
		SKIP(return, "needs CAP_SYS_ADMIN to purge");

	fd = kipc_queue_open(KEEP_QUEUE, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_queue_send(fd, "held", 4, 0, 0));
	ASSERT_EQ(0, kipc_purge(KIPC_PURGE_ALL, &res));
	EXPECT_EQ(1, res.queues);
	EXPECT_EQ(1, res.messages);
	EXPECT_EQ(-ENOENT, queue_msgs(KEEP_QUEUE));
	EXPECT_EQ(4, kipc_queue_recv(fd, buf, sizeof(buf), NULL));
	EXPECT_EQ(-1, delete_module("kipc"));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(0, kipc_queue_close(fd));
}

/* Each bad argument on its own, the rest valid. */
TEST(purge_errors)
{
	struct kipc_purge_result res;
	struct kipc_purge p;
	int fd;

	EXPECT_EQ(-EINVAL, kipc_purge(0, &res));
	EXPECT_EQ(-EINVAL, kipc_purge(KIPC_PURGE_ALL | 2, &res));
	EXPECT_EQ(-EINVAL, kipc_purge(KIPC_PURGE_ALL, NULL));

	/* The ioctl's own checks, below the library. */
	fd = open("/dev/kipc", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	memset(&p, 0, sizeof(p));
	p.size = offsetof(struct kipc_purge, messages);
	p.flags = KIPC_PURGE_ALL;
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_PURGE, &p));
	EXPECT_EQ(EINVAL, errno);
	close(fd);

	if (geteuid() == 0)
		SKIP(return, "EPERM: runs as root");
	EXPECT_EQ(-EPERM, kipc_purge(KIPC_PURGE_ALL, &res));
}

TEST(unprivileged_unload_refused)
{
	if (geteuid() == 0)
		SKIP(return, "runs as an unprivileged user");

	EXPECT_EQ(-1, delete_module("kipc"));
	EXPECT_EQ(EPERM, errno);
}

TEST_HARNESS_MAIN
