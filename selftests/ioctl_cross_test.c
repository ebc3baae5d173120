// SPDX-License-Identifier: GPL-2.0-only
/*
 * An ioctl sent to the wrong file must fail with ENOTTY, both ways: every
 * kipc ioctl sent to a namespace file (nsfs, whose magic 0xB7 kipc's ABI
 * 1 shared) or to /dev/null, and every nsfs ioctl sent to /dev/kipc. In
 * ABI 1, NS_GET_USERNS was KIPC_IOC_QUEUE_BIND.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kipc.h>
#include <linux/nsfs.h>

#include "kselftest_harness.h"

/*
 * nsfs's numbers up to 7.3, for a host whose header (6.1's) lacks the
 * newer ones; the kernel under test may know any of them.
 */
#ifndef NS_GET_MNTNS_ID
#define NS_GET_MNTNS_ID		_IOR(NSIO, 5, __u64)
#endif
#ifndef NS_GET_PID_FROM_PIDNS
#define NS_GET_PID_FROM_PIDNS	_IOR(NSIO, 0x6, int)
#define NS_GET_TGID_FROM_PIDNS	_IOR(NSIO, 0x7, int)
#define NS_GET_PID_IN_PIDNS	_IOR(NSIO, 0x8, int)
#define NS_GET_TGID_IN_PIDNS	_IOR(NSIO, 0x9, int)
#endif
#ifndef NS_MNT_GET_INFO
/* struct mnt_ns_info: __u32 size, __u32 nr_mounts, __u64 mnt_ns_id. */
#define NS_MNT_GET_INFO		_IOC(_IOC_READ, NSIO, 10, 16)
#define NS_MNT_GET_NEXT		_IOC(_IOC_READ, NSIO, 11, 16)
#define NS_MNT_GET_PREV		_IOC(_IOC_READ, NSIO, 12, 16)
#endif
#ifndef NS_GET_ID
#define NS_GET_ID		_IOR(NSIO, 13, __u64)
#endif

static const struct {
	unsigned long cmd;
	const char *name;
} kipc_ioctls[] = {
#define K(x) { x, #x }
	K(KIPC_IOC_VERSION),
	K(KIPC_IOC_QUEUE_BIND),
	K(KIPC_IOC_QUEUE_UNLINK),
	K(KIPC_IOC_QUEUE_SEND),
	K(KIPC_IOC_QUEUE_RECV),
	K(KIPC_IOC_QUEUE_SEND_BATCH),
	K(KIPC_IOC_QUEUE_RECV_BATCH),
	K(KIPC_IOC_QUEUE_GETATTR),
	K(KIPC_IOC_REGION_BIND),
	K(KIPC_IOC_REGION_UNLINK),
	K(KIPC_IOC_REGION_INFO),
	K(KIPC_IOC_QUEUE_NOTIFY),
	K(KIPC_IOC_QUEUE_PEER),
	K(KIPC_IOC_PURGE),
	K(KIPC_IOC_RING_BIND),
	K(KIPC_IOC_RING_UNLINK),
	K(KIPC_IOC_RING_INFO),
	K(KIPC_IOC_RING_WAIT),
	K(KIPC_IOC_RING_WAKE),
	K(KIPC_IOC_RING_PRODUCER),
}, nsfs_ioctls[] = {
	K(NS_GET_USERNS),
	K(NS_GET_PARENT),
	K(NS_GET_NSTYPE),
	K(NS_GET_OWNER_UID),
	K(NS_GET_MNTNS_ID),
	K(NS_GET_PID_FROM_PIDNS),
	K(NS_GET_TGID_FROM_PIDNS),
	K(NS_GET_PID_IN_PIDNS),
	K(NS_GET_TGID_IN_PIDNS),
	K(NS_MNT_GET_INFO),
	K(NS_MNT_GET_NEXT),
	K(NS_MNT_GET_PREV),
	K(NS_GET_ID),
#undef K
};

/*
 * A buffer that would be a valid argument: the size field of every kipc
 * struct set, so a wrong answer cannot hide behind EFAULT or EINVAL.
 */
static void valid_arg(uint8_t *buf, size_t len)
{
	uint32_t size = 64;

	memset(buf, 0, len);
	memcpy(buf, &size, sizeof(size));
}

/* Every kipc ioctl on fd fails with ENOTTY, and nothing else happens. */
static void expect_kipc_enotty(struct __test_metadata *_metadata, int fd,
			       const char *what)
{
	uint8_t buf[256];
	size_t i;

	for (i = 0; i < sizeof(kipc_ioctls) / sizeof(kipc_ioctls[0]); i++) {
		valid_arg(buf, sizeof(buf));
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, kipc_ioctls[i].cmd, buf))
			TH_LOG("%s on %s succeeded", kipc_ioctls[i].name, what);
		EXPECT_EQ(ENOTTY, errno)
			TH_LOG("%s on %s: %s", kipc_ioctls[i].name, what,
			       strerror(errno));
	}
}

FIXTURE(nsfile) {
	int fd;
};

FIXTURE_VARIANT(nsfile) {
	const char *path;
};

FIXTURE_VARIANT_ADD(nsfile, ipc) { .path = "/proc/self/ns/ipc" };
FIXTURE_VARIANT_ADD(nsfile, user) { .path = "/proc/self/ns/user" };
FIXTURE_VARIANT_ADD(nsfile, mnt) { .path = "/proc/self/ns/mnt" };
FIXTURE_VARIANT_ADD(nsfile, pid) { .path = "/proc/self/ns/pid" };
FIXTURE_VARIANT_ADD(nsfile, net) { .path = "/proc/self/ns/net" };
FIXTURE_VARIANT_ADD(nsfile, uts) { .path = "/proc/self/ns/uts" };

FIXTURE_SETUP(nsfile)
{
	self->fd = open(variant->path, O_RDONLY | O_CLOEXEC);
	if (self->fd < 0 && errno == ENOENT)
		SKIP(return, "%s: this kernel has no such namespace",
		     variant->path);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", variant->path,
				      strerror(errno));
	/* The file is nsfs's: its own ioctl answers. */
	ASSERT_LE(0, ioctl(self->fd, NS_GET_NSTYPE))
		TH_LOG("NS_GET_NSTYPE on %s: %s", variant->path,
		       strerror(errno));
}

FIXTURE_TEARDOWN(nsfile)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(nsfile, kipc_ioctls_enotty)
{
	expect_kipc_enotty(_metadata, self->fd, variant->path);
}

TEST(dev_null_kipc_ioctls_enotty)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	expect_kipc_enotty(_metadata, fd, "/dev/null");
	close(fd);
}

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = open("/dev/kipc", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open /dev/kipc: %s", strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

/* Unbound, so a stray bind would show as the handle becoming bound. */
TEST_F(dev, nsfs_ioctls_enotty)
{
	struct kipc_queue_attr a;
	uint8_t buf[256];
	size_t i;

	for (i = 0; i < sizeof(nsfs_ioctls) / sizeof(nsfs_ioctls[0]); i++) {
		valid_arg(buf, sizeof(buf));
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, nsfs_ioctls[i].cmd, buf))
			TH_LOG("%s on /dev/kipc succeeded", nsfs_ioctls[i].name);
		EXPECT_EQ(ENOTTY, errno)
			TH_LOG("%s on /dev/kipc: %s", nsfs_ioctls[i].name,
			       strerror(errno));
		/* The same number with no argument at all. */
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, nsfs_ioctls[i].cmd, 0));
		EXPECT_EQ(ENOTTY, errno);
	}
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_QUEUE_GETATTR, &a));
	EXPECT_EQ(EBADF, errno);
}

/* ABI 1's numbers, nsfs's magic from 0, are nothing to this module. */
TEST_F(dev, abi1_numbers_enotty)
{
	uint8_t buf[256];
	unsigned int nr;

	for (nr = 0; nr <= 0x0d; nr++) {
		valid_arg(buf, sizeof(buf));
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, _IO(NSIO, nr), buf));
		EXPECT_EQ(ENOTTY, errno) TH_LOG("_IO(0xB7, %#x)", nr);
	}
}

TEST_HARNESS_MAIN
