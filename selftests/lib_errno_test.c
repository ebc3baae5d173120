// SPDX-License-Identifier: GPL-2.0-only
/*
 * libkipc's errno table (lib/handle.c, kipc_errors(3)), entry by entry:
 *
 *   EBADF       the descriptor is not open, not a handle of /dev/kipc, or
 *               a handle not bound to the kind of object the call needs
 *   EOPNOTSUPP  a kipc handle, and a module without the call
 *
 * Every call that takes a descriptor is tried with each kind of wrong
 * one: a pipe, a regular file, an unbound handle, a handle of the other
 * object type, and a closed descriptor number. A close that refuses a
 * descriptor leaves it open. EOPNOTSUPP needs a module that lacks a call,
 * which the loaded one does not, so it is checked through the library's
 * own helper with an ioctl number no module has; this program links the
 * static library for that.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libkipc.h>

#include "kselftest_harness.h"
#include "kipc_test.h"

/* lib/internal.h's; not part of the API. */
int kipc_handle_ioctl(int fd, unsigned long cmd, void *arg);

/* A number past every kipc ioctl, under kipc's magic. */
#define KIPC_IOC_UNKNOWN	_IO(KIPC_IOC_MAGIC, 0x7f)

enum wrong_fd {
	WRONG_PIPE,
	WRONG_FILE,
	WRONG_UNBOUND,
	WRONG_OTHER_TYPE,
	WRONG_CLOSED,
};

FIXTURE(foreign) {
	char qname[64], rname[64];
	int queue, region;	/* right handles, to make the wrong ones from */
	int qfd, rfd;		/* what queue and region calls are given */
	int spare;		/* the pipe's other end */
};

FIXTURE_VARIANT(foreign) {
	enum wrong_fd kind;
};

FIXTURE_VARIANT_ADD(foreign, pipe) { .kind = WRONG_PIPE };
FIXTURE_VARIANT_ADD(foreign, regular_file) { .kind = WRONG_FILE };
FIXTURE_VARIANT_ADD(foreign, unbound_handle) { .kind = WRONG_UNBOUND };
FIXTURE_VARIANT_ADD(foreign, other_object_type) { .kind = WRONG_OTHER_TYPE };
FIXTURE_VARIANT_ADD(foreign, closed) { .kind = WRONG_CLOSED };

FIXTURE_SETUP(foreign)
{
	struct kipc_queue_config cfg = { .max_msgs = 4, .max_msg_size = 64 };
	char path[] = "/tmp/kipc-errno.XXXXXX";
	int p[2];

	self->spare = -1;
	kt_name(self->qname, sizeof(self->qname), "eq");
	kt_name(self->rname, sizeof(self->rname), "er");
	self->queue = kipc_queue_open(self->qname, O_RDWR | O_CREAT | O_EXCL,
				      0600, &cfg);
	ASSERT_LE(0, self->queue) TH_LOG("queue: %s", strerror(-self->queue));
	self->region = kipc_region_open(self->rname, O_RDWR | O_CREAT | O_EXCL,
					0600, 4096, 0);
	ASSERT_LE(0, self->region) TH_LOG("region: %s", strerror(-self->region));

	switch (variant->kind) {
	case WRONG_PIPE:
		ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
		self->qfd = self->rfd = p[0];
		self->spare = p[1];
		break;
	case WRONG_FILE:
		self->qfd = self->rfd = mkostemp(path, O_CLOEXEC);
		ASSERT_LE(0, self->qfd);
		unlink(path);
		ASSERT_EQ(0, ftruncate(self->qfd, 4096));
		break;
	case WRONG_UNBOUND:
		self->qfd = self->rfd = open("/dev/kipc", O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, self->qfd);
		break;
	case WRONG_OTHER_TYPE:
		self->qfd = self->region;
		self->rfd = self->queue;
		break;
	case WRONG_CLOSED:
		self->qfd = self->rfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, self->qfd);
		close(self->qfd);
		break;
	}
}

FIXTURE_TEARDOWN(foreign)
{
	if (variant->kind != WRONG_OTHER_TYPE && variant->kind != WRONG_CLOSED)
		close(self->qfd);
	if (self->spare >= 0)
		close(self->spare);
	close(self->queue);
	close(self->region);
	kipc_queue_unlink(self->qname);
	kipc_region_unlink(self->rname);
}

static void no_sigpipe(void)
{
	signal(SIGPIPE, SIG_IGN);
}

TEST_F(foreign, queue_send)
{
	no_sigpipe();
	EXPECT_EQ(-EBADF, kipc_queue_send(self->qfd, "x", 1, 0, 0));
}

TEST_F(foreign, queue_timedsend)
{
	struct timespec ts = { .tv_sec = 0 };

	EXPECT_EQ(-EBADF, kipc_queue_timedsend(self->qfd, "x", 1, 0, 0, &ts));
}

TEST_F(foreign, queue_send_flags)
{
	EXPECT_EQ(-EBADF, kipc_queue_send_flags(self->qfd, "x", 1, 0, 0,
						KIPC_IO_NONBLOCK, NULL));
}

TEST_F(foreign, queue_recv)
{
	char buf[64];

	EXPECT_EQ(-EBADF, kipc_queue_recv(self->qfd, buf, sizeof(buf), NULL));
}

TEST_F(foreign, queue_timedrecv)
{
	struct timespec ts = { .tv_sec = 0 };
	char buf[64];

	EXPECT_EQ(-EBADF, kipc_queue_timedrecv(self->qfd, buf, sizeof(buf),
					       NULL, &ts));
}

TEST_F(foreign, queue_recv_flags)
{
	char buf[64];

	EXPECT_EQ(-EBADF, kipc_queue_recv_flags(self->qfd, buf, sizeof(buf),
						NULL, KIPC_IO_NONBLOCK, 0, NULL));
}

TEST_F(foreign, queue_send_batch)
{
	struct kipc_msg m = { .buf = (uintptr_t)"x", .len = 1 };

	EXPECT_EQ(-EBADF, kipc_queue_send_batch(self->qfd, &m, 1,
						KIPC_IO_NONBLOCK, NULL));
}

TEST_F(foreign, queue_recv_batch)
{
	char buf[64];
	struct kipc_msg m = { .buf = (uintptr_t)buf, .len = sizeof(buf) };

	EXPECT_EQ(-EBADF, kipc_queue_recv_batch(self->qfd, &m, 1,
						KIPC_IO_NONBLOCK, NULL));
}

TEST_F(foreign, queue_getattr)
{
	struct kipc_queue_attr a;

	memset(&a, KT_POISON, sizeof(a));
	EXPECT_EQ(-EBADF, kipc_queue_getattr(self->qfd, &a));
}

/* Nor is the descriptor's O_NONBLOCK changed. */
TEST_F(foreign, queue_setattr)
{
	int before = fcntl(self->qfd, F_GETFL);

	EXPECT_EQ(-EBADF, kipc_queue_setattr(self->qfd, KIPC_HANDLE_NONBLOCK));
	EXPECT_EQ(before, fcntl(self->qfd, F_GETFL));
}

TEST_F(foreign, queue_peer)
{
	EXPECT_EQ(-EBADF, kipc_queue_peer(self->qfd, KIPC_QUEUE_READ, 0));
}

TEST_F(foreign, queue_notify)
{
	EXPECT_EQ(-EBADF, kipc_queue_notify(self->qfd, SIGUSR1, 0));
}

TEST_F(foreign, queue_notify_remove)
{
	EXPECT_EQ(-EBADF, kipc_queue_notify_remove(self->qfd));
}

/* Refused, and the descriptor is still open (unless it never was). */
TEST_F(foreign, queue_close)
{
	EXPECT_EQ(-EBADF, kipc_queue_close(self->qfd));
	if (variant->kind != WRONG_CLOSED)
		EXPECT_LE(0, fcntl(self->qfd, F_GETFD));
}

TEST_F(foreign, region_info)
{
	struct kipc_region_info ri;

	memset(&ri, KT_POISON, sizeof(ri));
	EXPECT_EQ(-EBADF, kipc_region_info(self->rfd, &ri));
}

/* Not mapped, even where mmap() would map it (a regular file). */
TEST_F(foreign, region_map)
{
	void *p = (void *)(uintptr_t)KT_POISON64;

	EXPECT_EQ(-EBADF, kipc_region_map(self->rfd, 0, 4096,
					  PROT_READ | PROT_WRITE, &p));
	EXPECT_EQ((void *)(uintptr_t)KT_POISON64, p);
}

TEST_F(foreign, region_close)
{
	EXPECT_EQ(-EBADF, kipc_region_close(self->rfd));
	if (variant->kind != WRONG_CLOSED)
		EXPECT_LE(0, fcntl(self->rfd, F_GETFD));
}

/* The table's other entry: a kipc handle, and a call its module lacks. */
TEST(unknown_call_on_kipc_handle_is_eopnotsupp)
{
	int fd = open("/dev/kipc", O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EOPNOTSUPP, kipc_handle_ioctl(fd, KIPC_IOC_UNKNOWN, NULL));
	close(fd);
}

TEST(unknown_call_on_bound_handle_is_eopnotsupp)
{
	struct kipc_queue_config cfg = { .max_msgs = 1, .max_msg_size = 8 };
	char name[64];
	int fd;

	kt_name(name, sizeof(name), "eu");
	fd = kipc_queue_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &cfg);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EOPNOTSUPP, kipc_handle_ioctl(fd, KIPC_IOC_UNKNOWN, NULL));
	kipc_queue_close(fd);
	kipc_queue_unlink(name);
}

/* The same number on another file is that file's ENOTTY: not kipc's. */
TEST(unknown_call_on_pipe_is_ebadf)
{
	int p[2];

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	EXPECT_EQ(-EBADF, kipc_handle_ioctl(p[0], KIPC_IOC_UNKNOWN, NULL));
	close(p[0]);
	close(p[1]);
}

/* Other errors pass through as the kernel gave them. */
TEST(other_errors_pass_through)
{
	struct kipc_queue_config cfg = { .max_msgs = 1, .max_msg_size = 8 };
	char name[64], buf[8];
	int fd;

	kt_name(name, sizeof(name), "ep");
	fd = kipc_queue_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &cfg);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EAGAIN, kipc_queue_recv_flags(fd, buf, sizeof(buf), NULL,
						 KIPC_IO_NONBLOCK, 0, NULL));
	kipc_queue_close(fd);
	kipc_queue_unlink(name);
}

TEST_HARNESS_MAIN
