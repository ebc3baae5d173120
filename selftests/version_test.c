// SPDX-License-Identifier: GPL-2.0-only
/*
 * The /dev/kipc device and the version ioctl, including the extensible-
 * struct rules every kipc ioctl shares.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"

#define POISON 0xa5

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

TEST(device_node)
{
	struct stat st;

	ASSERT_EQ(0, stat("/dev/kipc", &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	/* Per-object permissions are checked at bind, not at open. */
	EXPECT_EQ(0666, st.st_mode & 07777);
}

TEST_F(dev, version)
{
	struct kipc_version v;

	memset(&v, POISON, sizeof(v));
	v.size = sizeof(v);
	v.flags = 0;
	v.__reserved = 0;
	ASSERT_EQ(0, ioctl(self->fd, KIPC_IOC_VERSION, &v));
	EXPECT_EQ(sizeof(v), v.size);
	EXPECT_EQ(KIPC_ABI_VERSION, v.abi_version);
	EXPECT_NE(0, v.module_version);
	EXPECT_NE((uint32_t)0xa5a5a5a5, v.module_version);
	EXPECT_TRUE(v.features & KIPC_FEAT_VERSION);
	EXPECT_TRUE(v.features & KIPC_FEAT_NETLINK);
	EXPECT_EQ(0, v.__reserved);
}

/* A newer caller's larger struct is fine while its extra tail is zero. */
TEST_F(dev, version_larger_zero_tail)
{
	struct {
		struct kipc_version v;
		uint64_t tail[4];
	} big;

	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	ASSERT_EQ(0, ioctl(self->fd, KIPC_IOC_VERSION, &big));
	EXPECT_EQ(KIPC_ABI_VERSION, big.v.abi_version);
	/* The kernel writes no further than it knows. */
	EXPECT_EQ(0, big.tail[0]);
}

TEST_F(dev, size_too_small)
{
	struct kipc_version v = { .size = sizeof(v) - 8 };

	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, size_zero)
{
	struct kipc_version v = { .size = 0 };

	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, nonzero_unknown_tail)
{
	struct {
		struct kipc_version v;
		uint64_t tail;
	} big;

	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	big.tail = 1;
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, &big));
	EXPECT_EQ(E2BIG, errno);
}

TEST_F(dev, unknown_flags)
{
	struct kipc_version v = { .size = sizeof(v), .flags = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, high_flag)
{
	struct kipc_version v = { .size = sizeof(v), .flags = 1u << 31 };

	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, reserved_nonzero)
{
	struct kipc_version v = { .size = sizeof(v), .__reserved = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, unknown_ioctl_nr)
{
	struct kipc_version v = { .size = sizeof(v) };

	EXPECT_EQ(-1, ioctl(self->fd, _IO(KIPC_IOC_MAGIC, 0xff), &v));
	EXPECT_EQ(ENOTTY, errno);
}

/* The right number with a size or direction encoded is another ioctl. */
TEST_F(dev, unknown_ioctl_encoding)
{
	struct kipc_version v = { .size = sizeof(v) };

	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(KIPC_IOC_MAGIC, KIPC_IOC_NR_VERSION,
					     struct kipc_version), &v));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(dev, unknown_ioctl_magic)
{
	struct kipc_version v = { .size = sizeof(v) };

	EXPECT_EQ(-1, ioctl(self->fd, _IO(KIPC_IOC_MAGIC + 1, KIPC_IOC_NR_VERSION), &v));
	EXPECT_EQ(ENOTTY, errno);
}

/* Numbers start at 0x80: the one below, and 0, are nobody's. */
TEST_F(dev, below_first_nr)
{
	struct kipc_version v = { .size = sizeof(v) };

	EXPECT_EQ(-1, ioctl(self->fd, _IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_VERSION - 1), &v));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(KIPC_IOC_MAGIC, 0), &v));
	EXPECT_EQ(ENOTTY, errno);
}

/*
 * ABI 1's version ioctl was nsfs's magic and number 0: this module must
 * not answer it, so that a library of that ABI sees ENOTTY, not a reply
 * it would misread.
 */
TEST_F(dev, abi1_version_nr)
{
	struct kipc_version v = { .size = sizeof(v) };

	EXPECT_EQ(-1, ioctl(self->fd, _IO(0xB7, 0), &v));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(dev, null_pointer)
{
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(dev, unmapped_pointer)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, p));
	EXPECT_EQ(EFAULT, errno);
	munmap(p, 4096);
}

TEST_F(dev, kernel_pointer)
{
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, (void *)0xffffffff81000000UL));
	EXPECT_EQ(EFAULT, errno);
}

/* Output that cannot be written back is EFAULT too, not a silent success. */
TEST_F(dev, readonly_pointer)
{
	struct kipc_version *v = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, v);
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	ASSERT_EQ(0, mprotect(v, 4096, PROT_READ));
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, v));
	EXPECT_EQ(EFAULT, errno);
	munmap(v, 4096);
}

TEST_HARNESS_MAIN
