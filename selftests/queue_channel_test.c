// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc channels, anonymous queues and peers through raw ioctls on
 * /dev/kipc: one reader and one writer per channel, end of file once the
 * writer has gone and the channel is drained, EPIPE and SIGPIPE once the
 * reader has gone, KIPC_IOC_QUEUE_PEER on named and anonymous queues (the
 * ground kipc_pipe() stands on), and every documented error on otherwise
 * valid input.
 *
 * Every test runs as root and as an unprivileged user; tests that need
 * root say so with SKIP.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/kipc.h>

#include "kselftest_harness.h"
#include "kipc_test.h"

#define ACC		KT_ALL_ACCESS
#define RD		KIPC_QUEUE_READ
#define WR		KIPC_QUEUE_WRITE
#define CREATE		(KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL | KIPC_QUEUE_AUTO_DELETE)
#define CHAN		(CREATE | KIPC_QUEUE_CHANNEL)
#define Q_MSGS		4
#define Q_SIZE		64

static int is_root(void)
{
	return geteuid() == 0;
}

/* A new handle on a new anonymous queue, or a negative errno. */
static int anon_queue(uint32_t flags, uint32_t mode)
{
	int fd = kt_open();
	int ret;

	if (fd < 0)
		return fd;
	ret = kt_bind_raw(fd, NULL, 0, KIPC_QUEUE_ANONYMOUS | flags, mode,
			  Q_MSGS, Q_SIZE);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/*
 * KIPC_IOC_QUEUE_PEER into a poisoned struct, copied to @out when given.
 * Returns the new descriptor or a negative errno.
 */
static int peer(int fd, uint32_t flags, uint32_t access,
		struct kipc_queue_peer *out)
{
	struct kipc_queue_peer p;
	int ret;

	memset(&p, KT_POISON, sizeof(p));
	p.size = sizeof(p);
	p.flags = flags;
	p.access = access;
	ret = kt_ret(ioctl(fd, KIPC_IOC_QUEUE_PEER, &p));
	if (out)
		*out = p;
	return ret;
}

/* The events poll reports right now. */
static short poll_now(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

/* Polls with no timeout: only a wake-up ends it (see wait_child_live()). */
static short poll_forever(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (poll(&p, 1, -1) <= 0)
		return -1;
	return p.revents;
}

/*
 * Waits for a child that must finish on its own, for at most the liveness
 * bound: its exit code as kt_wait_child() gives it, or -2 when it was still
 * waiting (then it is killed). For children that sleep without a deadline
 * of their own, so that a wake-up which never comes fails the test.
 */
static int wait_child_live(pid_t pid)
{
	int64_t end = kt_mono_ns() + KT_LIVENESS_NS;
	int status;
	pid_t ret;

	for (;;) {
		ret = waitpid(pid, &status, WNOHANG);
		if (ret == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) :
			       WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
		if (ret < 0 && errno != EINTR)
			return -1;
		if (kt_mono_ns() > end) {
			kill(pid, SIGKILL);
			kt_wait_child(pid);
			return -2;
		}
		kt_sleep_ms(2);
	}
}

static void block_signal(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* Takes a pending @sig without waiting: 1 if there was one, else 0. */
static int take_pending(int sig)
{
	struct timespec ts = { 0, 0 };
	sigset_t set;
	siginfo_t si;

	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigtimedwait(&set, &si, &ts) == sig;
}

static int send_str(int fd, const char *s, uint32_t flags)
{
	return kt_send(fd, s, strlen(s), 0, 0, flags);
}

static int fill(int fd, int n)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		ret = kt_send(fd, &i, sizeof(i), 0, 0, KIPC_IO_NONBLOCK);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* A channel with its reader and its writer. */
FIXTURE(ch) {
	char name[64];
	int r, w;
};

FIXTURE_SETUP(ch)
{
	kt_name(self->name, sizeof(self->name), "ch");
	self->r = kt_queue(self->name, CHAN | RD, 0600, Q_MSGS, Q_SIZE);
	ASSERT_LE(0, self->r) TH_LOG("create %s: %s", self->name,
				     strerror(-self->r));
	self->w = kt_attach(self->name, WR);
	ASSERT_LE(0, self->w) TH_LOG("attach: %s", strerror(-self->w));
}

FIXTURE_TEARDOWN(ch)
{
	if (self->r >= 0)
		close(self->r);
	if (self->w >= 0)
		close(self->w);
}

/* ---- anonymous queues are freed --------------------------------------- */

static int rlimit_msgqueue(rlim_t limit)
{
	struct rlimit rl = { limit, limit };

	return setrlimit(RLIMIT_MSGQUEUE, &rl) ? -errno : 0;
}

/*
 * An anonymous queue goes away with the last of its handles, and gives
 * back its RLIMIT_MSGQUEUE charge: with room for one 4 x 1024 queue at a
 * time (overhead <= 128 bytes a message), creating one after another
 * works only if each is freed. It comes first, so that no queue of an
 * earlier test is still charged to the user.
 */
TEST(anon_freed_with_last_handle)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		char name[64];
		int i, fd, p;

		KT_CHILD_EQ(0, rlimit_msgqueue(4 * (1024 + 128)));
		for (i = 0; i < 3; i++) {
			fd = kt_open();
			KT_CHILD_TRUE(fd >= 0);
			p = kt_bind_raw(fd, NULL, 0, KIPC_QUEUE_ANONYMOUS | ACC,
					0600, 4, 1024);
			if (p)
				fprintf(stderr, "# child: anonymous queue %d of 3: %s\n",
					i + 1, strerror(-p));
			KT_CHILD_EQ(0, p);
			p = peer(fd, 0, ACC, NULL);
			KT_CHILD_TRUE(p >= 0);
			KT_CHILD_EQ(0, send_str(fd, "held", 0));
			close(fd);
			close(p);
		}
		/* A named queue of the same size fits afterwards too. */
		kt_name(name, sizeof(name), "anonrl");
		fd = kt_queue(name, CREATE | ACC, 0600, 4, 1024);
		KT_CHILD_TRUE(fd >= 0);
		_exit(0);
	}
	EXPECT_EQ(0, kt_wait_child(pid));
}

/* ---- one reader, one writer --------------------------------------------- */

TEST_F(ch, channel_attributes)
{
	struct kipc_queue_attr a;

	ASSERT_EQ(0, kt_getattr(self->r, &a));
	EXPECT_EQ(KIPC_QUEUE_CHANNEL | KIPC_QUEUE_AUTO_DELETE, a.queue_flags);
	EXPECT_EQ(RD, a.handle_flags);
	EXPECT_EQ(Q_MSGS, a.max_msgs);
	EXPECT_EQ(Q_SIZE, a.max_msg_size);
	EXPECT_EQ(0, a.dropped);
	ASSERT_EQ(0, kt_getattr(self->w, &a));
	EXPECT_EQ(KIPC_QUEUE_CHANNEL | KIPC_QUEUE_AUTO_DELETE, a.queue_flags);
	EXPECT_EQ(WR, a.handle_flags);
}

TEST_F(ch, channel_second_end_ebusy)
{
	EXPECT_EQ(-EBUSY, kt_attach(self->name, RD));
	EXPECT_EQ(-EBUSY, kt_attach(self->name, WR));
	EXPECT_EQ(-EBUSY, kt_attach(self->name, ACC));
	/* CREATE without EXCL opens the existing channel, with the same rule. */
	EXPECT_EQ(-EBUSY, kt_queue(self->name, KIPC_QUEUE_CREATE | RD, 0600,
				   Q_MSGS, Q_SIZE));
}

/*
 * A READ|WRITE handle that closes was its own peer: the next reader does
 * not see end of file before any writer came, nor the next writer EPIPE,
 * and what it sent is still there.
 */
TEST(channel_read_write_close_ends_no_session)
{
	uint32_t flags = KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL | KIPC_QUEUE_CHANNEL;
	struct kipc_msg m;
	char name[64], buf[Q_SIZE];
	int rw, r, w;

	kt_name(name, sizeof(name), "chrwc");
	rw = kt_queue(name, flags | ACC, 0600, Q_MSGS, Q_SIZE);
	ASSERT_LE(0, rw) TH_LOG("create: %s", strerror(-rw));
	ASSERT_EQ(0, send_str(rw, "kept", 0));
	close(rw);

	r = kt_attach(name, RD);
	ASSERT_LE(0, r);
	ASSERT_EQ(0, kt_recv(r, buf, sizeof(buf), KIPC_IO_NONBLOCK, 0, &m));
	EXPECT_EQ(4, m.len);
	EXPECT_EQ(0, memcmp(buf, "kept", 4));
	EXPECT_EQ(-EAGAIN, kt_recv(r, buf, sizeof(buf), KIPC_IO_NONBLOCK, 0,
				   NULL));
	EXPECT_EQ(0, poll_now(r, POLLIN) & (POLLIN | POLLHUP));
	close(r);

	/* Again, with the writer first: no EPIPE from a reader never bound. */
	rw = kt_attach(name, ACC);
	ASSERT_LE(0, rw);
	close(rw);
	w = kt_attach(name, WR);
	ASSERT_LE(0, w);
	EXPECT_EQ(0, send_str(w, "to come", KIPC_IO_NOSIGNAL | KIPC_IO_NONBLOCK));
	close(w);
	EXPECT_EQ(0, kt_unlink(name));
}

/* A READ|WRITE handle is both ends at once. */
TEST(channel_read_write_handle_is_both)
{
	char name[64];
	int rw, fd;

	kt_name(name, sizeof(name), "chrw");
	rw = kt_queue(name, CHAN | ACC, 0600, Q_MSGS, Q_SIZE);
	ASSERT_LE(0, rw) TH_LOG("create: %s", strerror(-rw));
	EXPECT_EQ(-EBUSY, kt_attach(name, RD));
	EXPECT_EQ(-EBUSY, kt_attach(name, WR));
	EXPECT_EQ(-EBUSY, kt_attach(name, ACC));
	close(rw);

	/* Each end alone blocks a READ|WRITE handle too. */
	kt_name(name, sizeof(name), "chrw2");
	fd = kt_queue(name, CHAN | WR, 0600, Q_MSGS, Q_SIZE);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBUSY, kt_attach(name, ACC));
	rw = kt_attach(name, RD);
	ASSERT_LE(0, rw);
	close(fd);
	/* The writer has gone, but the reader still holds its end. */
	EXPECT_EQ(-EBUSY, kt_attach(name, ACC));
	fd = kt_attach(name, WR);
	ASSERT_LE(0, fd);
	close(fd);
	close(rw);
}

/* A bind refused with EBUSY leaves the handle free to bind elsewhere. */
TEST_F(ch, channel_ebusy_leaves_handle_unbound)
{
	char other[64];
	int fd = kt_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(-EBUSY, kt_bind(fd, self->name, RD, 0, 0, 0));
	EXPECT_EQ(-EBADF, kt_cur_msgs(fd));
	kt_name(other, sizeof(other), "chother");
	EXPECT_EQ(0, kt_bind(fd, other, CREATE | ACC, 0600, 2, 8));
	close(fd);
}

TEST_F(ch, channel_reader_closes_another_binds)
{
	char buf[Q_SIZE];
	struct kipc_msg m;
	int r2;

	close(self->r);
	self->r = -1;
	EXPECT_EQ(-EPIPE, send_str(self->w, "lost", KIPC_IO_NOSIGNAL));
	r2 = kt_attach(self->name, RD);
	ASSERT_LE(0, r2) TH_LOG("rebind: %s", strerror(-r2));
	EXPECT_EQ(-EBUSY, kt_attach(self->name, RD));
	/* The new reader makes the channel usable again. */
	ASSERT_EQ(0, send_str(self->w, "again", KIPC_IO_NOSIGNAL));
	ASSERT_EQ(0, kt_recv(r2, buf, sizeof(buf), KIPC_IO_NONBLOCK, 0, &m));
	EXPECT_EQ(5, m.len);
	EXPECT_EQ(0, memcmp(buf, "again", 5));
	self->r = r2;
}

TEST_F(ch, channel_writer_closes_another_binds)
{
	char buf[Q_SIZE];
	int w2;

	close(self->w);
	self->w = -1;
	EXPECT_EQ(-ENODATA, kt_recv(self->r, buf, sizeof(buf),
				    KIPC_IO_NONBLOCK, 0, NULL));
	w2 = kt_attach(self->name, WR);
	ASSERT_LE(0, w2) TH_LOG("rebind: %s", strerror(-w2));
	EXPECT_EQ(-EBUSY, kt_attach(self->name, WR));
	/* No end of file while a writer is bound again. */
	EXPECT_EQ(-EAGAIN, kt_recv(self->r, buf, sizeof(buf),
				   KIPC_IO_NONBLOCK, 0, NULL));
	ASSERT_EQ(0, send_str(w2, "w2", 0));
	EXPECT_EQ(2, read(self->r, buf, sizeof(buf)));
	self->w = w2;
}

/* Before any writer has bound there is nothing to report but "empty". */
TEST(channel_no_writer_yet_no_eof)
{
	char name[64], buf[8];
	int r;

	kt_name(name, sizeof(name), "chnew");
	r = kt_queue(name, CHAN | RD, 0600, Q_MSGS, Q_SIZE);
	ASSERT_LE(0, r);
	EXPECT_EQ(-EAGAIN, kt_recv(r, buf, sizeof(buf), KIPC_IO_NONBLOCK, 0,
				   NULL));
	EXPECT_EQ(0, poll_now(r, POLLIN));
	close(r);
}

/* ---- end of file -------------------------------------------------------- */

TEST_F(ch, eof_after_drain)
{
	struct kipc_msg m;
	char buf[Q_SIZE];
	short ev;

	ASSERT_EQ(2, write(self->w, "m0", 2));
	ASSERT_EQ(0, send_str(self->w, "m1", 0));
	ASSERT_EQ(2, write(self->w, "m2", 2));
	close(self->w);
	self->w = -1;

	/* Messages left are still readable; no hang-up yet. */
	ev = poll_now(self->r, POLLIN);
	EXPECT_EQ(POLLIN, ev & (POLLIN | POLLHUP)) TH_LOG("revents %#x", ev);
	ASSERT_EQ(2, read(self->r, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "m0", 2));
	ASSERT_EQ(0, kt_recv(self->r, buf, sizeof(buf), 0, 0, &m));
	EXPECT_EQ(2, m.len);
	EXPECT_EQ(0, memcmp(buf, "m1", 2));
	ev = poll_now(self->r, POLLIN);
	EXPECT_EQ(POLLIN, ev & (POLLIN | POLLHUP)) TH_LOG("revents %#x", ev);
	/* A peek leaves it, even at the end. */
	ASSERT_EQ(0, kt_recv(self->r, buf, sizeof(buf), KIPC_IO_PEEK, 0, &m));
	ASSERT_EQ(2, read(self->r, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "m2", 2));

	/* Drained: end of file, in every form, and it stays. */
	ev = poll_now(self->r, POLLIN);
	EXPECT_EQ(POLLHUP, ev & (POLLIN | POLLHUP)) TH_LOG("revents %#x", ev);
	EXPECT_EQ(0, read(self->r, buf, sizeof(buf)));
	EXPECT_EQ(0, read(self->r, buf, sizeof(buf)));
	EXPECT_EQ(-ENODATA, kt_recv(self->r, buf, sizeof(buf), 0, 0, &m));
	/* The failed receive wrote nothing back. */
	EXPECT_EQ(KT_POISON64, m.seq);
	EXPECT_EQ((int32_t)KT_POISON32, m.pid);
	EXPECT_EQ(-ENODATA, kt_recv(self->r, buf, sizeof(buf),
				    KIPC_IO_NONBLOCK, 0, NULL));
	EXPECT_EQ(-ENODATA, kt_recv(self->r, buf, sizeof(buf),
				    KIPC_IO_PEEK, 0, NULL));
	EXPECT_EQ(-ENODATA, kt_recv_live(self->r, buf, sizeof(buf), 0, 0,
					 NULL));
	memset(&m, 0, sizeof(m));
	m.buf = (uintptr_t)buf;
	m.len = sizeof(buf);
	EXPECT_EQ(-ENODATA, kt_recv_batch(self->r, &m, 1, 0));
	ev = poll_now(self->r, POLLIN);
	EXPECT_EQ(POLLHUP, ev & (POLLIN | POLLHUP)) TH_LOG("revents %#x", ev);
}

/* A reader blocked in read() wakes at the writer's close and sees EOF. */
TEST_F(ch, eof_wakes_blocked_read)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[Q_SIZE];

		close(self->w);
		KT_CHILD_EQ(0, read(self->r, buf, sizeof(buf)));
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_blocked(pid, SYS_read));
	close(self->w);
	self->w = -1;
	EXPECT_EQ(0, wait_child_live(pid));
}

struct recv_thread {
	int fd;
	pid_t tid;
	int ret;
};

static void *thread_recv(void *arg)
{
	struct recv_thread *t = arg;
	char buf[Q_SIZE];

	__atomic_store_n(&t->tid, kt_gettid(), __ATOMIC_RELEASE);
	t->ret = kt_recv_live(t->fd, buf, sizeof(buf), 0, 0, NULL);
	return NULL;
}

/* A receive ioctl blocked in a thread fails with ENODATA. */
TEST_F(ch, eof_wakes_blocked_recv)
{
	struct recv_thread t = { .fd = self->r, .ret = 1 };
	pthread_t th;
	pid_t tid;

	ASSERT_EQ(0, pthread_create(&th, NULL, thread_recv, &t));
	while (!(tid = __atomic_load_n(&t.tid, __ATOMIC_ACQUIRE)))
		kt_sleep_ms(1);
	ASSERT_EQ(0, kt_wait_blocked_tid(getpid(), tid, SYS_ioctl));
	close(self->w);
	self->w = -1;
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-ENODATA, t.ret);
}

/* poll() waiting for input wakes with POLLHUP. */
TEST_F(ch, eof_wakes_poll)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		short ev;

		close(self->w);
		ev = poll_forever(self->r, POLLIN);
		KT_CHILD_EQ(POLLHUP, ev);
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_blocked(pid, -1));
	close(self->w);
	self->w = -1;
	EXPECT_EQ(0, wait_child_live(pid));
}

/* ---- EPIPE and SIGPIPE -------------------------------------------------- */

TEST_F(ch, epipe_write_and_send)
{
	short ev;

	ASSERT_EQ(0, send_str(self->w, "queued", 0));
	close(self->r);
	self->r = -1;
	block_signal(SIGPIPE);

	EXPECT_EQ(-1, write(self->w, "w", 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, take_pending(SIGPIPE));
	EXPECT_EQ(0, take_pending(SIGPIPE));

	EXPECT_EQ(-EPIPE, send_str(self->w, "s", 0));
	EXPECT_EQ(1, take_pending(SIGPIPE));
	/* Nonblocking, it is still EPIPE, never EAGAIN. */
	EXPECT_EQ(-EPIPE, send_str(self->w, "s", KIPC_IO_NONBLOCK));
	EXPECT_EQ(1, take_pending(SIGPIPE));

	EXPECT_EQ(-EPIPE, send_str(self->w, "n", KIPC_IO_NOSIGNAL));
	EXPECT_EQ(0, take_pending(SIGPIPE));
	EXPECT_EQ(-EPIPE, send_str(self->w, "n",
				   KIPC_IO_NOSIGNAL | KIPC_IO_NONBLOCK));
	EXPECT_EQ(0, take_pending(SIGPIPE));

	/* Nothing more was queued. */
	EXPECT_EQ(1, kt_cur_msgs(self->w));
	ev = poll_now(self->w, POLLOUT);
	EXPECT_EQ(POLLERR, ev) TH_LOG("revents %#x", ev);
}

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

/* With a handler, SIGPIPE runs it once per failed write. */
TEST_F(ch, epipe_sigpipe_handler)
{
	ASSERT_EQ(0, kt_signal(SIGPIPE, on_sigpipe, 0));
	close(self->r);
	self->r = -1;
	EXPECT_EQ(-1, write(self->w, "w", 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, sigpipes);
	EXPECT_EQ(-EPIPE, send_str(self->w, "s", 0));
	EXPECT_EQ(2, sigpipes);
	EXPECT_EQ(-EPIPE, send_str(self->w, "n", KIPC_IO_NOSIGNAL));
	EXPECT_EQ(2, sigpipes);
}

/* Without one, SIGPIPE kills the writer, as with a pipe. */
TEST_F(ch, epipe_sigpipe_default_kills)
{
	pid_t pid;

	close(self->r);
	self->r = -1;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (write(self->w, "w", 1) < 0)
			_exit(2);
		_exit(3);
	}
	EXPECT_EQ(128 + SIGPIPE, kt_wait_child(pid));
}

/* A writer waiting on a full channel wakes at the reader's close. */
TEST_F(ch, epipe_wakes_blocked_send)
{
	pid_t pid;

	ASSERT_EQ(0, fill(self->w, Q_MSGS));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(self->r);
		block_signal(SIGPIPE);
		KT_CHILD_EQ(-EPIPE, kt_send_full(self->w, "b", 1, 0, 0,
						 KIPC_IO_TIMEOUT,
						 kt_mono_ns() + KT_LIVENESS_NS));
		KT_CHILD_EQ(1, take_pending(SIGPIPE));
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_blocked(pid, SYS_ioctl));
	close(self->r);
	self->r = -1;
	EXPECT_EQ(0, kt_wait_child(pid));
}

TEST_F(ch, epipe_wakes_blocked_write)
{
	pid_t pid;

	ASSERT_EQ(0, fill(self->w, Q_MSGS));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(self->r);
		signal(SIGPIPE, SIG_IGN);
		KT_CHILD_EQ(-1, write(self->w, "b", 1));
		KT_CHILD_EQ(EPIPE, errno);
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_blocked(pid, SYS_write));
	close(self->r);
	self->r = -1;
	EXPECT_EQ(0, wait_child_live(pid));
}

/* poll() waiting for room wakes with POLLERR. */
TEST_F(ch, epipe_wakes_poll)
{
	pid_t pid;

	ASSERT_EQ(0, fill(self->w, Q_MSGS));
	EXPECT_EQ(0, poll_now(self->w, POLLOUT));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(self->r);
		KT_CHILD_EQ(POLLERR, poll_forever(self->w, POLLOUT));
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_blocked(pid, -1));
	close(self->r);
	self->r = -1;
	EXPECT_EQ(0, wait_child_live(pid));
}

/* ---- flags -------------------------------------------------------------- */

TEST(bind_kind_flags_einval)
{
	static const struct {
		uint32_t flags;
		const char *what;
	} bad[] = {
		{ KIPC_QUEUE_CHANNEL, "CHANNEL without CREATE" },
		{ KIPC_QUEUE_BROADCAST, "BROADCAST without CREATE" },
		{ KIPC_QUEUE_BROADCAST | KIPC_QUEUE_DROP_OLDEST,
		  "DROP_OLDEST without CREATE" },
		{ KIPC_QUEUE_CREATE | KIPC_QUEUE_CHANNEL | KIPC_QUEUE_BROADCAST,
		  "CHANNEL|BROADCAST" },
		{ KIPC_QUEUE_CREATE | KIPC_QUEUE_DROP_OLDEST,
		  "DROP_OLDEST without BROADCAST" },
		{ KIPC_QUEUE_CREATE | KIPC_QUEUE_CHANNEL | KIPC_QUEUE_DROP_OLDEST,
		  "CHANNEL|DROP_OLDEST" },
		{ KIPC_QUEUE_ANONYMOUS | KIPC_QUEUE_CHANNEL |
		  KIPC_QUEUE_BROADCAST, "anonymous CHANNEL|BROADCAST" },
		{ KIPC_QUEUE_ANONYMOUS | KIPC_QUEUE_DROP_OLDEST,
		  "anonymous DROP_OLDEST without BROADCAST" },
	};
	char fresh[64], existing[64];
	unsigned int i;
	int fd, ex;

	kt_name(fresh, sizeof(fresh), "kfresh");
	kt_name(existing, sizeof(existing), "kexist");
	ex = kt_queue(existing, CREATE | ACC, 0600, Q_MSGS, Q_SIZE);
	ASSERT_LE(0, ex);
	fd = kt_open();
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int anon = bad[i].flags & KIPC_QUEUE_ANONYMOUS;

		if (anon) {
			EXPECT_EQ(-EINVAL, kt_bind_raw(fd, NULL, 0,
						       bad[i].flags | ACC,
						       0600, 0, 0))
				TH_LOG("%s", bad[i].what);
			continue;
		}
		EXPECT_EQ(-EINVAL, kt_bind(fd, fresh, bad[i].flags | ACC,
					   0600, 0, 0))
			TH_LOG("%s, new name", bad[i].what);
		/* Not even an existing queue opens with them. */
		EXPECT_EQ(-EINVAL, kt_bind(fd, existing, bad[i].flags | ACC,
					   0600, 0, 0))
			TH_LOG("%s, existing name", bad[i].what);
	}
	/* Nothing was created, and the handle is still unbound. */
	EXPECT_EQ(-ENOENT, kt_attach(fresh, ACC));
	EXPECT_EQ(-EBADF, kt_cur_msgs(fd));
	close(fd);
	close(ex);
}

/* The valid kinds, each reported back in queue_flags. */
TEST(bind_kind_flags_valid)
{
	static const uint32_t kinds[] = {
		KIPC_QUEUE_CHANNEL, KIPC_QUEUE_BROADCAST,
		KIPC_QUEUE_BROADCAST | KIPC_QUEUE_DROP_OLDEST,
	};
	struct kipc_queue_attr a;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		char name[64];
		int fd;

		kt_name(name, sizeof(name), "kind");
		fd = kt_queue(name, KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL |
			      kinds[i] | WR, 0600, Q_MSGS, Q_SIZE);
		ASSERT_LE(0, fd) TH_LOG("kind %#x: %s", kinds[i],
					strerror(-fd));
		ASSERT_EQ(0, kt_getattr(fd, &a));
		EXPECT_EQ(kinds[i], a.queue_flags);
		/* Bound again by name, without the kind flags. */
		close(fd);
		fd = kt_attach(name, RD);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, kt_getattr(fd, &a));
		EXPECT_EQ(kinds[i], a.queue_flags);
		close(fd);
		EXPECT_EQ(0, kt_unlink(name));
	}
}

/* ---- anonymous queues --------------------------------------------------- */

TEST(anon_create)
{
	struct kipc_queue_attr a;
	struct kipc_msg m;
	char buf[Q_SIZE];
	int fd = anon_queue(ACC, 0600);

	ASSERT_LE(0, fd) TH_LOG("anonymous: %s", strerror(-fd));
	ASSERT_EQ(0, kt_getattr(fd, &a));
	EXPECT_EQ(KIPC_QUEUE_ANONYMOUS, a.queue_flags);
	EXPECT_EQ(Q_MSGS, a.max_msgs);
	EXPECT_EQ(Q_SIZE, a.max_msg_size);
	EXPECT_EQ(0600, a.mode);
	EXPECT_EQ(geteuid(), a.uid);
	EXPECT_EQ(getegid(), a.gid);
	EXPECT_EQ(ACC, a.handle_flags);
	ASSERT_EQ(0, send_str(fd, "anon", 0));
	ASSERT_EQ(0, kt_recv(fd, buf, sizeof(buf), 0, 0, &m));
	EXPECT_EQ(4, m.len);
	EXPECT_EQ(0, memcmp(buf, "anon", 4));
	EXPECT_EQ(1, m.seq);
	/* Bound now, like any queue handle. */
	EXPECT_EQ(-EBUSY, kt_bind_raw(fd, NULL, 0, KIPC_QUEUE_ANONYMOUS | ACC,
				      0600, 0, 0));
	close(fd);
}

/* CREATE is implied, and may be given. */
TEST(anon_with_create)
{
	int fd = kt_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, kt_bind_raw(fd, NULL, 0, KIPC_QUEUE_ANONYMOUS |
				 KIPC_QUEUE_CREATE | RD, 0600, 0, 0));
	close(fd);
}

/* Two anonymous queues are two queues. */
TEST(anon_queues_distinct)
{
	char buf[Q_SIZE];
	int a = anon_queue(ACC, 0600);
	int b = anon_queue(ACC, 0600);

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, send_str(a, "a", 0));
	EXPECT_EQ(-EAGAIN, kt_recv(b, buf, sizeof(buf), KIPC_IO_NONBLOCK, 0,
				   NULL));
	EXPECT_EQ(1, kt_cur_msgs(a));
	close(a);
	close(b);
}

TEST(anon_name_einval)
{
	const char *name = "kt.anon.named";
	int fd = kt_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, kt_bind_raw(fd, name, strlen(name),
				       KIPC_QUEUE_ANONYMOUS | ACC, 0600, 0, 0));
	/* A pointer without a length, or a length without a pointer. */
	EXPECT_EQ(-EINVAL, kt_bind_raw(fd, name, 0,
				       KIPC_QUEUE_ANONYMOUS | ACC, 0600, 0, 0));
	EXPECT_EQ(-EINVAL, kt_bind_raw(fd, NULL, 1,
				       KIPC_QUEUE_ANONYMOUS | ACC, 0600, 0, 0));
	EXPECT_EQ(-ENOENT, kt_attach(name, ACC));
	EXPECT_EQ(-EBADF, kt_cur_msgs(fd));
	/* The same handle then binds anonymously. */
	EXPECT_EQ(0, kt_bind_raw(fd, NULL, 0, KIPC_QUEUE_ANONYMOUS | ACC,
				 0600, 0, 0));
	close(fd);
}

TEST(anon_excl_auto_delete_einval)
{
	int fd = kt_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, kt_bind_raw(fd, NULL, 0, KIPC_QUEUE_ANONYMOUS |
				       KIPC_QUEUE_EXCL | ACC, 0600, 0, 0));
	EXPECT_EQ(-EINVAL, kt_bind_raw(fd, NULL, 0, KIPC_QUEUE_ANONYMOUS |
				       KIPC_QUEUE_AUTO_DELETE | ACC, 0600, 0, 0));
	EXPECT_EQ(-EINVAL, kt_bind_raw(fd, NULL, 0, KIPC_QUEUE_ANONYMOUS |
				       KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL |
				       ACC, 0600, 0, 0));
	/* The other bind rules hold as well. */
	EXPECT_EQ(-EINVAL, kt_bind_raw(fd, NULL, 0, KIPC_QUEUE_ANONYMOUS,
				       0600, 0, 0));
	EXPECT_EQ(-EINVAL, kt_bind_raw(fd, NULL, 0, KIPC_QUEUE_ANONYMOUS | ACC,
				       01000, 0, 0));
	EXPECT_EQ(-EBADF, kt_cur_msgs(fd));
	close(fd);
}

/* Anonymous channels and broadcast queues exist too. */
TEST(anon_kinds)
{
	struct kipc_queue_attr a;
	int c = anon_queue(KIPC_QUEUE_CHANNEL | RD, 0600);
	int b = anon_queue(KIPC_QUEUE_BROADCAST | KIPC_QUEUE_DROP_OLDEST | RD,
			   0600);

	ASSERT_LE(0, c) TH_LOG("channel: %s", strerror(-c));
	ASSERT_LE(0, b) TH_LOG("broadcast: %s", strerror(-b));
	ASSERT_EQ(0, kt_getattr(c, &a));
	EXPECT_EQ(KIPC_QUEUE_ANONYMOUS | KIPC_QUEUE_CHANNEL, a.queue_flags);
	ASSERT_EQ(0, kt_getattr(b, &a));
	EXPECT_EQ(KIPC_QUEUE_ANONYMOUS | KIPC_QUEUE_BROADCAST |
		  KIPC_QUEUE_DROP_OLDEST, a.queue_flags);
	close(c);
	close(b);
}

/* ---- KIPC_IOC_QUEUE_PEER ------------------------------------------------ */

TEST(peer_basic)
{
	static const uint32_t access[] = { RD, WR, ACC };
	struct kipc_queue_peer p;
	struct kipc_queue_attr a;
	struct kipc_msg m;
	char buf[Q_SIZE];
	unsigned int i;
	int fd = anon_queue(ACC, 0600);

	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(access); i++) {
		int pfd = peer(fd, 0, access[i], &p);

		ASSERT_LE(0, pfd) TH_LOG("access %#x: %s", access[i],
					 strerror(-pfd));
		EXPECT_NE(fd, pfd);
		EXPECT_EQ(pfd, p.fd);
		EXPECT_EQ(sizeof(p), p.size);
		EXPECT_EQ(access[i], p.access);
		ASSERT_EQ(0, kt_getattr(pfd, &a));
		EXPECT_EQ(access[i], a.handle_flags);
		EXPECT_EQ(KIPC_QUEUE_ANONYMOUS, a.queue_flags);
		EXPECT_EQ(0, fcntl(pfd, F_GETFD) & FD_CLOEXEC);
		EXPECT_EQ(0, fcntl(pfd, F_GETFL) & O_NONBLOCK);
		/* The same queue. */
		if (access[i] & WR) {
			ASSERT_EQ(0, send_str(pfd, "from peer", 0));
			ASSERT_EQ(0, kt_recv(fd, buf, sizeof(buf), 0, 0, &m));
			EXPECT_EQ(9, m.len);
		}
		if (access[i] & RD) {
			ASSERT_EQ(0, send_str(fd, "to peer", 0));
			ASSERT_EQ(7, read(pfd, buf, sizeof(buf)));
		}
		if (!(access[i] & WR))
			EXPECT_EQ(-EBADF, send_str(pfd, "x", 0));
		if (!(access[i] & RD))
			EXPECT_EQ(-EBADF, kt_recv(pfd, buf, sizeof(buf),
						  KIPC_IO_NONBLOCK, 0, NULL));
		close(pfd);
	}
	close(fd);
}

/* A peer of a peer, and one made from a read-only handle. */
TEST(peer_of_peer)
{
	char buf[Q_SIZE];
	int fd = anon_queue(RD, 0600);
	int w, w2;

	ASSERT_LE(0, fd);
	w = peer(fd, 0, WR, NULL);
	ASSERT_LE(0, w);
	w2 = peer(w, 0, WR, NULL);
	ASSERT_LE(0, w2);
	ASSERT_EQ(0, send_str(w2, "pp", 0));
	ASSERT_EQ(2, read(fd, buf, sizeof(buf)));
	close(w2);
	close(w);
	close(fd);
}

/* The queue lives while any handle does, the creator's included or not. */
TEST(peer_outlives_creator)
{
	char buf[Q_SIZE];
	int fd = anon_queue(ACC, 0600);
	int p;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "kept", 0));
	p = peer(fd, 0, ACC, NULL);
	ASSERT_LE(0, p);
	close(fd);
	ASSERT_EQ(4, read(p, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "kept", 4));
	ASSERT_EQ(0, send_str(p, "more", 0));
	EXPECT_EQ(1, kt_cur_msgs(p));
	close(p);
}

TEST(peer_named_queue)
{
	char name[64], buf[Q_SIZE];
	struct kipc_queue_attr a;
	int fd, p;

	kt_name(name, sizeof(name), "peern");
	fd = kt_queue(name, CREATE | WR, 0600, Q_MSGS, Q_SIZE);
	ASSERT_LE(0, fd);
	p = peer(fd, 0, RD, NULL);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, kt_getattr(p, &a));
	EXPECT_EQ(KIPC_QUEUE_AUTO_DELETE, a.queue_flags);
	ASSERT_EQ(0, send_str(fd, "named", 0));
	ASSERT_EQ(5, read(p, buf, sizeof(buf)));
	/* The peer keeps the auto-delete queue, and its name, alive. */
	close(fd);
	fd = kt_attach(name, WR);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	close(fd);
	close(p);
	EXPECT_EQ(-ENOENT, kt_attach(name, WR));
}

TEST(peer_cloexec)
{
	struct kipc_queue_peer p;
	int fd = anon_queue(ACC, 0600);
	int pfd;

	ASSERT_LE(0, fd);
	pfd = peer(fd, KIPC_PEER_CLOEXEC, RD, &p);
	ASSERT_LE(0, pfd);
	EXPECT_EQ(pfd, p.fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(pfd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, fcntl(pfd, F_GETFL) & O_NONBLOCK);
	close(pfd);
	close(fd);
}

TEST(peer_nonblock)
{
	struct kipc_queue_attr a;
	struct kipc_queue_peer p;
	char buf[Q_SIZE];
	int fd = anon_queue(ACC, 0600);
	int pfd;

	ASSERT_LE(0, fd);
	pfd = peer(fd, KIPC_PEER_NONBLOCK, RD, &p);
	ASSERT_LE(0, pfd);
	EXPECT_EQ(pfd, p.fd);
	EXPECT_EQ(O_NONBLOCK, fcntl(pfd, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(0, fcntl(pfd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, kt_getattr(pfd, &a));
	EXPECT_EQ(RD | KIPC_HANDLE_NONBLOCK, a.handle_flags);
	EXPECT_EQ(-EAGAIN, kt_recv(pfd, buf, sizeof(buf), 0, 0, NULL));
	EXPECT_EQ(-1, read(pfd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	close(pfd);

	pfd = peer(fd, KIPC_PEER_NONBLOCK | KIPC_PEER_CLOEXEC, RD, &p);
	ASSERT_LE(0, pfd);
	EXPECT_EQ(O_NONBLOCK, fcntl(pfd, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(FD_CLOEXEC, fcntl(pfd, F_GETFD) & FD_CLOEXEC);
	close(pfd);
	close(fd);
}

TEST(peer_access_einval)
{
	static const uint32_t bad[] = { 0, 1u << 2, RD | (1u << 2),
					ACC | (1u << 31), KIPC_QUEUE_CREATE };
	struct kipc_queue_peer p;
	unsigned int i;
	int fd = anon_queue(ACC, 0600);

	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, peer(fd, 0, bad[i], &p))
			TH_LOG("access %#x", bad[i]);
		EXPECT_EQ((int32_t)KT_POISON32, p.fd);
	}
	close(fd);
}

TEST(peer_unknown_flags_einval)
{
	static const uint32_t bad[] = { 1u << 2, 1u << 31,
					KIPC_PEER_CLOEXEC | (1u << 3) };
	struct kipc_queue_peer p;
	unsigned int i;
	int fd = anon_queue(ACC, 0600);

	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, peer(fd, bad[i], RD, &p))
			TH_LOG("flags %#x", bad[i]);
		EXPECT_EQ((int32_t)KT_POISON32, p.fd);
	}
	close(fd);
}

TEST(peer_struct_size_rules)
{
	struct {
		struct kipc_queue_peer p;
		uint64_t tail;
	} big;
	struct kipc_queue_peer p;
	int fd = anon_queue(ACC, 0600);
	int pfd;

	ASSERT_LE(0, fd);
	memset(&p, 0, sizeof(p));
	p.size = offsetof(struct kipc_queue_peer, fd);
	p.access = RD;
	EXPECT_EQ(-EINVAL, kt_ret(ioctl(fd, KIPC_IOC_QUEUE_PEER, &p)));

	memset(&big, 0, sizeof(big));
	big.p.size = sizeof(big);
	big.p.access = RD;
	big.tail = 1;
	EXPECT_EQ(-E2BIG, kt_ret(ioctl(fd, KIPC_IOC_QUEUE_PEER, &big)));
	big.tail = 0;
	big.p.fd = -5;
	pfd = kt_ret(ioctl(fd, KIPC_IOC_QUEUE_PEER, &big));
	ASSERT_LE(0, pfd);
	EXPECT_EQ(pfd, big.p.fd);
	EXPECT_EQ(0, big.tail);
	close(pfd);
	close(fd);
}

/* No descriptor free: EMFILE, and the channel's end is not kept taken. */
TEST(peer_emfile)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct rlimit rl = { 32, 32 };
		int r = anon_queue(KIPC_QUEUE_CHANNEL | RD, 0600);
		int fd, last = -1, w;

		KT_CHILD_TRUE(r >= 0 && r < 32);
		KT_CHILD_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
		while ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
			last = fd;
		KT_CHILD_EQ(EMFILE, errno);
		KT_CHILD_EQ(-EMFILE, peer(r, 0, WR, NULL));
		KT_CHILD_EQ(0, close(last));
		w = peer(r, 0, WR, NULL);
		KT_CHILD_EQ(last, w);
		KT_CHILD_EQ(0, send_str(w, "e", 0));
		_exit(0);
	}
	EXPECT_EQ(0, kt_wait_child(pid));
}

TEST(peer_unbound_ebadf)
{
	struct kipc_queue_peer p;
	int fd = kt_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, peer(fd, 0, RD, &p));
	EXPECT_EQ((int32_t)KT_POISON32, p.fd);
	close(fd);
}

/* A channel's ends stay one each, through peers as through binds. */
TEST(peer_channel_ebusy)
{
	char buf[Q_SIZE];
	int r = anon_queue(KIPC_QUEUE_CHANNEL | RD, 0600);
	int w;

	ASSERT_LE(0, r);
	EXPECT_EQ(-EBUSY, peer(r, 0, RD, NULL));
	EXPECT_EQ(-EBUSY, peer(r, 0, ACC, NULL));
	w = peer(r, 0, WR, NULL);
	ASSERT_LE(0, w);
	EXPECT_EQ(-EBUSY, peer(r, 0, WR, NULL));
	EXPECT_EQ(-EBUSY, peer(w, 0, WR, NULL));
	close(w);
	/* The end is free again once its holder closes. */
	w = peer(r, 0, WR, NULL);
	ASSERT_LE(0, w);
	ASSERT_EQ(0, send_str(w, "c", 0));
	ASSERT_EQ(1, read(r, buf, sizeof(buf)));
	close(w);
	close(r);
}

/*
 * A peer is checked against the mode as a bind is: the owner of a 0400
 * queue may not add a writer without CAP_IPC_OWNER.
 */
TEST(peer_mode_checked_for_owner)
{
	int fd = anon_queue(RD, 0400);
	int p;

	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	if (is_root())
		ASSERT_EQ(0, kt_caps_clear(KT_CAP(CAP_IPC_OWNER), 0));
	EXPECT_EQ(-EACCES, peer(fd, 0, WR, NULL));
	EXPECT_EQ(-EACCES, peer(fd, 0, ACC, NULL));
	p = peer(fd, 0, RD, NULL);
	EXPECT_LE(0, p);
	close(p);
	if (is_root()) {
		/* CAP_IPC_OWNER overrides the mode, as for a bind. */
		ASSERT_EQ(0, kt_caps_raise(KT_CAP(CAP_IPC_OWNER)));
		p = peer(fd, 0, WR, NULL);
		EXPECT_LE(0, p);
		close(p);
	}
	close(fd);
}

/* Another user holding a read handle on a 0644 queue may not add a writer. */
TEST(peer_mode_checked_for_other_user)
{
	char name[64];
	pid_t pid;
	int fd;

	if (!is_root())
		SKIP(return, "needs root to act as a second user");
	kt_name(name, sizeof(name), "peeru");
	fd = kt_queue(name, CREATE | ACC, 0644, Q_MSGS, Q_SIZE);
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[Q_SIZE];
		int h, p;

		KT_CHILD_EQ(0, kt_become(KT_USER_UID, KT_USER_GID));
		KT_CHILD_EQ(-EACCES, kt_attach(name, WR));
		h = kt_attach(name, RD);
		KT_CHILD_TRUE(h >= 0);
		KT_CHILD_EQ(-EACCES, peer(h, 0, WR, NULL));
		KT_CHILD_EQ(-EACCES, peer(h, 0, ACC, NULL));
		p = peer(h, 0, RD, NULL);
		KT_CHILD_TRUE(p >= 0);
		KT_CHILD_EQ(1, read(p, buf, sizeof(buf)));
		/* A handle root passed down is root's to use, not a peer. */
		KT_CHILD_EQ(-EACCES, peer(fd, 0, WR, NULL));
		_exit(0);
	}
	ASSERT_EQ(0, send_str(fd, "r", 0));
	EXPECT_EQ(0, kt_wait_child(pid));
	close(fd);
}

/* ---- pipes made of anonymous channels ----------------------------------- */

#define PIPE_MSGS	200

/* The child writes, the parent reads until end of file. */
TEST(pipe_across_fork)
{
	char buf[Q_SIZE];
	int r = anon_queue(KIPC_QUEUE_CHANNEL | RD, 0600);
	int w, n = 0;
	ssize_t len;
	pid_t pid;

	ASSERT_LE(0, r);
	w = peer(r, KIPC_PEER_CLOEXEC, WR, NULL);
	ASSERT_LE(0, w);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char msg[32];
		int i;

		close(r);
		for (i = 0; i < PIPE_MSGS; i++) {
			int l = snprintf(msg, sizeof(msg), "message %d", i);

			KT_CHILD_EQ(l, write(w, msg, l));
		}
		_exit(0);
	}
	close(w);
	while ((len = read(r, buf, sizeof(buf) - 1)) > 0) {
		char want[32];

		buf[len] = 0;
		snprintf(want, sizeof(want), "message %d", n);
		ASSERT_STREQ(want, buf);
		n++;
	}
	EXPECT_EQ(0, len);
	EXPECT_EQ(PIPE_MSGS, n);
	EXPECT_EQ(0, kt_wait_child(pid));
	close(r);
}

/* Two channels, one each way: the child answers every request. */
TEST(pipe_two_way)
{
	int down_r = anon_queue(KIPC_QUEUE_CHANNEL | RD, 0600);
	int up_r = anon_queue(KIPC_QUEUE_CHANNEL | RD, 0600);
	int down_w, up_w, i;
	char buf[Q_SIZE];
	pid_t pid;

	ASSERT_LE(0, down_r);
	ASSERT_LE(0, up_r);
	down_w = peer(down_r, 0, WR, NULL);
	up_w = peer(up_r, 0, WR, NULL);
	ASSERT_LE(0, down_w);
	ASSERT_LE(0, up_w);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ssize_t len;

		close(down_w);
		close(up_r);
		while ((len = read(down_r, buf, sizeof(buf))) > 0) {
			uint32_t v;

			KT_CHILD_EQ(sizeof(v), len);
			memcpy(&v, buf, sizeof(v));
			v = v * 3 + 1;
			KT_CHILD_EQ(sizeof(v), write(up_w, &v, sizeof(v)));
		}
		KT_CHILD_EQ(0, len);
		_exit(0);
	}
	close(down_r);
	close(up_w);
	for (i = 0; i < 50; i++) {
		uint32_t v = i;

		ASSERT_EQ(sizeof(v), write(down_w, &v, sizeof(v)));
		ASSERT_EQ(sizeof(v), read(up_r, &v, sizeof(v)));
		EXPECT_EQ((uint32_t)i * 3 + 1, v);
	}
	/* Our end of file is the child's; its exit is ours. */
	close(down_w);
	EXPECT_EQ(0, read(up_r, buf, sizeof(buf)));
	EXPECT_EQ(0, kt_wait_child(pid));
	close(up_r);
}

TEST_HARNESS_MAIN
