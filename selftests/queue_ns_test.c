// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc queues and namespaces: queue names live in the IPC namespace of
 * their creator, so another namespace can neither bind nor unlink them and
 * may use the same names for queues of its own. Sender IDs are translated
 * into the receiver's PID namespace.
 *
 * New IPC namespaces need root (CAP_SYS_ADMIN); without it the tests try a
 * new user namespace and skip when that is not allowed either.
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"
#include "kipc_test.h"

#define ACC		KT_ALL_ACCESS
#define CREATE		(KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL | KIPC_QUEUE_AUTO_DELETE)

#define NEED_IPC_NS() do {						\
	if (!kt_can_enter_ipc_ns())					\
		SKIP(return, "needs root (or user namespaces) to unshare(CLONE_NEWIPC)"); \
} while (0)

/*
 * The parent's queue is out of reach by name: bind and unlink both see
 * nothing, and the same name makes an independent queue.
 */
TEST(ns_name_isolated)
{
	struct kipc_queue_attr a;
	char name[64];
	pid_t pid;
	int fd;

	NEED_IPC_NS();
	kt_name(name, sizeof(name), "ns");
	fd = kt_queue(name, KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL | ACC, 0666, 4, 16);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	ASSERT_EQ(0, kt_send(fd, "parent", 6, 0, 0, 0));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int mine, again;

		close(fd);
		KT_CHILD_EQ(0, kt_enter_ipc_ns());
		KT_CHILD_EQ(-ENOENT, kt_attach(name, ACC));
		KT_CHILD_EQ(-ENOENT, kt_attach(name, KIPC_QUEUE_READ));
		KT_CHILD_EQ(-ENOENT, kt_unlink(name));
		/* CREATE|EXCL succeeds: the name is free here. */
		mine = kt_queue(name, KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL | ACC,
				0600, 2, 8);
		KT_CHILD_TRUE(mine >= 0);
		KT_CHILD_EQ(0, kt_cur_msgs(mine));
		KT_CHILD_EQ(0, kt_send(mine, "child", 5, 0, 0, 0));
		/* CREATE alone now opens the child's own queue. */
		again = kt_queue(name, KIPC_QUEUE_CREATE | ACC, 0600, 4, 16);
		KT_CHILD_TRUE(again >= 0);
		KT_CHILD_EQ(1, kt_cur_msgs(again));
		close(again);
		close(mine);
		KT_CHILD_EQ(0, kt_unlink(name));
		KT_CHILD_EQ(-ENOENT, kt_attach(name, ACC));
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_child(pid));

	/* The parent's queue is untouched and still has its name. */
	ASSERT_EQ(0, kt_getattr(fd, &a));
	EXPECT_EQ(1, a.cur_msgs);
	EXPECT_EQ(1, a.sent);
	EXPECT_EQ(4, a.max_msgs);
	close(fd);
	fd = kt_attach(name, ACC);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	EXPECT_EQ(1, kt_cur_msgs(fd));
	close(fd);
	EXPECT_EQ(0, kt_unlink(name));
}

/* Nor can the parent see a queue the child makes in its namespace. */
TEST(ns_child_queue_invisible)
{
	char name[64], c;
	int ready[2], done[2];
	pid_t pid;

	NEED_IPC_NS();
	kt_name(name, sizeof(name), "nsc");
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		KT_CHILD_EQ(0, kt_enter_ipc_ns());
		/* Persistent: it lives on in that namespace alone. */
		fd = kt_queue(name, KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL | ACC,
			      0666, 2, 8);
		KT_CHILD_TRUE(fd >= 0);
		close(fd);
		KT_CHILD_EQ(1, write(ready[1], "r", 1));
		KT_CHILD_EQ(1, read(done[0], &c, 1));
		fd = kt_attach(name, ACC);
		KT_CHILD_TRUE(fd >= 0);
		KT_CHILD_EQ(0, kt_cur_msgs(fd));
		close(fd);
		KT_CHILD_EQ(0, kt_unlink(name));
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(-ENOENT, kt_attach(name, ACC));
	EXPECT_EQ(-ENOENT, kt_unlink(name));
	ASSERT_EQ(1, write(done[1], "d", 1));
	EXPECT_EQ(0, kt_wait_child(pid));
	EXPECT_EQ(-ENOENT, kt_attach(name, ACC));
}

/* A handle bound before the move keeps working: only names are scoped. */
TEST(ns_bound_handle_crosses)
{
	char name[64], buf[16];
	struct kipc_msg m;
	pid_t pid;
	int fd;

	NEED_IPC_NS();
	kt_name(name, sizeof(name), "nsh");
	fd = kt_queue(name, CREATE | ACC, 0600, 4, 16);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_send(fd, "to child", 8, 0, 0, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		KT_CHILD_EQ(0, kt_enter_ipc_ns());
		KT_CHILD_TRUE(kt_recv(fd, buf, sizeof(buf), KIPC_IO_NONBLOCK, 0, &m) >= 0);
		KT_CHILD_EQ(8, m.len);
		KT_CHILD_EQ(0, kt_send(fd, "to parent", 9, 0, 0, 0));
		/* The name still resolves to nothing here. */
		KT_CHILD_EQ(-ENOENT, kt_attach(name, ACC));
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_child(pid));
	ASSERT_LE(0, kt_recv(fd, buf, sizeof(buf), KIPC_IO_NONBLOCK, 0, &m));
	EXPECT_EQ(9, m.len);
	EXPECT_EQ(0, memcmp(buf, "to parent", 9));
	EXPECT_EQ(pid, m.pid);
	close(fd);
}

/*
 * max_queues counts per namespace: a full namespace does not stop another
 * one, and the child's new namespace starts empty.
 */
TEST(ns_max_queues_per_namespace)
{
	long max_queues = kt_param("max_queues");
	char name[64];
	pid_t pid;
	int fd;

	if (geteuid() != 0)
		SKIP(return, "needs root to unshare(CLONE_NEWIPC) and drop CAP_SYS_RESOURCE");
	ASSERT_LT(0, max_queues);
	if (max_queues > 900)
		SKIP(return, "max_queues %ld exceeds the open-file limit", max_queues);
	kt_name(name, sizeof(name), "nsq");
	fd = kt_queue(name, CREATE | ACC, 0600, 1, 1);
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char n2[64];
		long i;
		int h;

		KT_CHILD_EQ(0, unshare(CLONE_NEWIPC));
		KT_CHILD_EQ(0, kt_caps_clear(KT_CAP(CAP_SYS_RESOURCE), 1));
		for (i = 0; i < max_queues; i++) {
			kt_name(n2, sizeof(n2), "nsq");
			h = kt_queue(n2, CREATE | ACC, 0600, 1, 1);
			if (h < 0)
				fprintf(stderr, "# queue %ld: %s\n", i, strerror(-h));
			KT_CHILD_TRUE(h >= 0);
		}
		kt_name(n2, sizeof(n2), "nsq");
		KT_CHILD_EQ(-ENOSPC, kt_queue(n2, CREATE | ACC, 0600, 1, 1));
		_exit(0);
	}
	EXPECT_EQ(0, kt_wait_child(pid));
	close(fd);
}

/*
 * A persistent queue left in a namespace that dies goes with it: its
 * RLIMIT_MSGQUEUE charge comes back to the user. A kernel that keeps such
 * queues leaks them, with nobody able to name or unlink them.
 */
/* The namespace is reaped asynchronously: allow for it. */
FIXTURE(slow) {
	int unused;
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

TEST_F_TIMEOUT(slow, ns_teardown_releases_queues, 60)
{
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to unshare(CLONE_NEWIPC)");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct rlimit rl = { 4 * (1024 + 128), 4 * (1024 + 128) };
		char name[64];
		int64_t end;
		pid_t g;
		int fd;

		/* Room for one 4 x 1024 queue, never two. */
		KT_CHILD_EQ(0, setrlimit(RLIMIT_MSGQUEUE, &rl));
		g = fork();
		KT_CHILD_TRUE(g >= 0);
		if (g == 0) {
			KT_CHILD_EQ(0, unshare(CLONE_NEWIPC));
			kt_name(name, sizeof(name), "nst");
			fd = kt_queue(name, KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL | ACC,
				      0600, 4, 1024);
			KT_CHILD_TRUE(fd >= 0);
			KT_CHILD_EQ(0, kt_send(fd, "left behind", 11, 0, 0, 0));
			close(fd);
			_exit(0);
		}
		KT_CHILD_EQ(0, kt_wait_child(g));

		/* The namespace is freed asynchronously; allow for it. */
		kt_name(name, sizeof(name), "nst");
		end = kt_mono_ns() + 2 * KT_LIVENESS_NS;
		do {
			fd = kt_queue(name, CREATE | ACC, 0600, 4, 1024);
			if (fd != -EMFILE)
				break;
			kt_sleep_ms(50);
		} while (kt_mono_ns() < end);
		if (fd < 0)
			fprintf(stderr, "# the dead namespace's queue is still charged: %s\n",
				strerror(-fd));
		KT_CHILD_TRUE(fd >= 0);
		_exit(0);
	}
	EXPECT_EQ(0, kt_wait_child(pid));
}

/*
 * Sender IDs as the receiver sees them: a sender inside a child PID
 * namespace shows its outer PID to the parent; the parent, invisible from
 * inside, shows up as 0.
 */
TEST(ns_sender_pid_translated)
{
	pid_t *gpid = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char name[64], c;
	struct kipc_msg m;
	pid_t pid;
	int fd;

	if (geteuid() != 0)
		SKIP(return, "needs root to unshare(CLONE_NEWPID)");
	ASSERT_NE(MAP_FAILED, gpid);
	kt_name(name, sizeof(name), "nsp");
	fd = kt_queue(name, CREATE | ACC, 0600, 4, 8);
	ASSERT_LE(0, fd);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pid_t g;

		KT_CHILD_EQ(0, unshare(CLONE_NEWPID));
		g = fork();
		KT_CHILD_TRUE(g >= 0);
		if (g == 0) {
			KT_CHILD_EQ(1, getpid());
			KT_CHILD_EQ(0, kt_send(fd, "g", 1, 0, 1, 0));
			KT_CHILD_TRUE(kt_recv_live(fd, &c, 1, KIPC_IO_TYPE_EXACT,
						   2, &m) >= 0);
			KT_CHILD_EQ(0, m.pid);
			KT_CHILD_EQ(0, m.tid);
			_exit(0);
		}
		__atomic_store_n(gpid, g, __ATOMIC_RELEASE);
		_exit(kt_wait_child(g));
	}
	ASSERT_LE(0, kt_recv_live(fd, &c, 1, KIPC_IO_TYPE_EXACT, 1, &m));
	EXPECT_EQ('g', c);
	/* The grandchild's PID as the parent knows it, not 1. */
	while (!__atomic_load_n(gpid, __ATOMIC_ACQUIRE))
		kt_sleep_ms(1);
	EXPECT_EQ(*gpid, m.pid);
	EXPECT_EQ(*gpid, m.tid);
	ASSERT_EQ(0, kt_send(fd, "p", 1, 0, 2, 0));
	EXPECT_EQ(0, kt_wait_child(pid));
	close(fd);
}

TEST_HARNESS_MAIN
