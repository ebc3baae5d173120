// SPDX-License-Identifier: GPL-2.0-only
/*
 * Signals from kipc queues through raw ioctls on /dev/kipc:
 *   - O_ASYNC with F_SETOWN, F_SETOWN_EX and F_SETSIG: POLL_IN to read
 *     handles when a message arrives, POLL_OUT to write handles when a
 *     receive frees room, plain SIGIO without F_SETSIG;
 *   - KIPC_IOC_QUEUE_NOTIFY, the one-shot arrival signal mq_notify() gives,
 *     and every documented error on otherwise valid input.
 *
 * Signals are blocked and collected with sigtimedwait(), so each check
 * sees the siginfo the kernel queued, deterministically. Real-time
 * signals are used where a count matters, since they queue and do not
 * merge. Every test runs as root and as an unprivileged user; tests that
 * need root say so with SKIP.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"
#include "kipc_test.h"

#define ACC		KT_ALL_ACCESS
#define CREATE		(KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL | KIPC_QUEUE_AUTO_DELETE)
#define Q_MSGS		4
#define Q_SIZE		64
#define NOTE_VALUE	0x1122334455667788ull

static int is_root(void)
{
	return geteuid() == 0;
}

#define SIG_ASYNC	(SIGRTMIN + 1)
#define SIG_NOTE	(SIGRTMIN + 2)

static void block_signal(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/*
 * Takes one pending @sig, waiting up to @timeout_ns (0: only look), into a
 * poisoned @si. Returns the signal number or a negative errno (-EAGAIN:
 * none came).
 */
static int take_signal(int sig, int64_t timeout_ns, siginfo_t *si)
{
	struct timespec ts = {
		timeout_ns / 1000000000ll, timeout_ns % 1000000000ll
	};
	sigset_t set;
	int ret;

	sigemptyset(&set);
	sigaddset(&set, sig);
	memset(si, KT_POISON, sizeof(*si));
	do {
		ret = sigtimedwait(&set, si, &ts);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

static int wait_signal(int sig, siginfo_t *si)
{
	return take_signal(sig, KT_LIVENESS_NS, si);
}

static int no_signal(int sig)
{
	siginfo_t si;

	return take_signal(sig, 0, &si);
}

static int set_async(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = on ? fl | O_ASYNC : fl & ~O_ASYNC;
	return fcntl(fd, F_SETFL, fl) ? -errno : 0;
}

/* O_ASYNC to this process with @sig (0: plain SIGIO). */
static int async_to_self(int fd, int sig)
{
	if (fcntl(fd, F_SETOWN, getpid()))
		return -errno;
	if (fcntl(fd, F_SETSIG, sig))
		return -errno;
	return set_async(fd, 1);
}

static int notify_raw(int fd, uint32_t flags, int signo, uint32_t reserved,
		      uint64_t value)
{
	struct kipc_queue_notify n;

	memset(&n, 0, sizeof(n));
	n.size = sizeof(n);
	n.flags = flags;
	n.signo = signo;
	n.__reserved = reserved;
	n.value = value;
	return kt_ret(ioctl(fd, KIPC_IOC_QUEUE_NOTIFY, &n));
}

static int notify(int fd, int signo, uint64_t value)
{
	return notify_raw(fd, 0, signo, 0, value);
}

static int notify_remove(int fd)
{
	return notify_raw(fd, KIPC_NOTIFY_REMOVE, 0, 0, 0);
}

static int drain(int fd)
{
	char buf[Q_SIZE];
	int n = 0;

	while (kt_recv(fd, buf, sizeof(buf), KIPC_IO_NONBLOCK, 0, NULL) == 0)
		n++;
	return n;
}

/* A queue with separate read and write handles. */
FIXTURE(sq) {
	char name[64];
	int r, w;
};

FIXTURE_SETUP(sq)
{
	kt_name(self->name, sizeof(self->name), "sig");
	self->w = kt_queue(self->name, CREATE | KIPC_QUEUE_WRITE, 0600,
			   Q_MSGS, Q_SIZE);
	ASSERT_LE(0, self->w) TH_LOG("create %s: %s", self->name,
				     strerror(-self->w));
	self->r = kt_attach(self->name, KIPC_QUEUE_READ);
	ASSERT_LE(0, self->r) TH_LOG("attach: %s", strerror(-self->r));
	block_signal(SIG_ASYNC);
	block_signal(SIG_NOTE);
	block_signal(SIGIO);
}

FIXTURE_TEARDOWN(sq)
{
	if (self->r >= 0)
		close(self->r);
	if (self->w >= 0)
		close(self->w);
}

/* ---- O_ASYNC ----------------------------------------------------------- */

TEST_F(sq, async_read_handle_poll_in)
{
	siginfo_t si;
	char buf[Q_SIZE];

	ASSERT_EQ(0, async_to_self(self->r, SIG_ASYNC));
	ASSERT_EQ(0, kt_send(self->w, "in", 2, 0, 0, 0));
	ASSERT_EQ(SIG_ASYNC, wait_signal(SIG_ASYNC, &si));
	EXPECT_EQ(SIG_ASYNC, si.si_signo);
	EXPECT_EQ(POLL_IN, si.si_code);
	EXPECT_EQ(self->r, si.si_fd);
	EXPECT_TRUE(si.si_band & POLLIN) TH_LOG("si_band %#lx", si.si_band);
	EXPECT_FALSE(si.si_band & POLLOUT) TH_LOG("si_band %#lx", si.si_band);
	/* One message, one signal. */
	EXPECT_EQ(-EAGAIN, no_signal(SIG_ASYNC));

	/* A receive frees room, which concerns writers only. */
	ASSERT_EQ(0, kt_recv(self->r, buf, sizeof(buf), 0, 0, NULL));
	EXPECT_EQ(-EAGAIN, no_signal(SIG_ASYNC));

	/* Each arrival signals again. */
	ASSERT_EQ(0, kt_send(self->w, "a", 1, 0, 0, 0));
	ASSERT_EQ(0, kt_send(self->w, "b", 1, 0, 0, 0));
	EXPECT_EQ(SIG_ASYNC, wait_signal(SIG_ASYNC, &si));
	EXPECT_EQ(SIG_ASYNC, wait_signal(SIG_ASYNC, &si));
	EXPECT_EQ(-EAGAIN, no_signal(SIG_ASYNC));
}

TEST_F(sq, async_write_handle_poll_out)
{
	siginfo_t si;
	char buf[Q_SIZE];
	int i;

	ASSERT_EQ(0, async_to_self(self->w, SIG_ASYNC));
	/* Sending concerns readers only. */
	for (i = 0; i < Q_MSGS; i++)
		ASSERT_EQ(0, kt_send(self->w, "x", 1, 0, 0, KIPC_IO_NONBLOCK));
	EXPECT_EQ(-EAGAIN, no_signal(SIG_ASYNC));
	ASSERT_EQ(-EAGAIN, kt_send(self->w, "x", 1, 0, 0, KIPC_IO_NONBLOCK));

	/* A receive from the full queue frees a slot. */
	ASSERT_EQ(0, kt_recv(self->r, buf, sizeof(buf), 0, 0, NULL));
	ASSERT_EQ(SIG_ASYNC, wait_signal(SIG_ASYNC, &si));
	EXPECT_EQ(SIG_ASYNC, si.si_signo);
	EXPECT_EQ(POLL_OUT, si.si_code);
	EXPECT_EQ(self->w, si.si_fd);
	EXPECT_TRUE(si.si_band & POLLOUT) TH_LOG("si_band %#lx", si.si_band);
	EXPECT_FALSE(si.si_band & POLLIN) TH_LOG("si_band %#lx", si.si_band);
	EXPECT_EQ(-EAGAIN, no_signal(SIG_ASYNC));
	EXPECT_EQ(0, kt_send(self->w, "x", 1, 0, 0, KIPC_IO_NONBLOCK));
}

/* A handle bound for both gets both kinds, each on its own event. */
TEST_F(sq, async_read_write_handle_both)
{
	siginfo_t si;
	char buf[Q_SIZE];
	int rw = kt_attach(self->name, ACC);

	ASSERT_LE(0, rw);
	ASSERT_EQ(0, async_to_self(rw, SIG_ASYNC));
	ASSERT_EQ(0, kt_send(self->w, "1", 1, 0, 0, 0));
	ASSERT_EQ(SIG_ASYNC, wait_signal(SIG_ASYNC, &si));
	EXPECT_EQ(POLL_IN, si.si_code);
	EXPECT_EQ(rw, si.si_fd);
	EXPECT_EQ(-EAGAIN, no_signal(SIG_ASYNC));
	ASSERT_EQ(0, kt_recv(self->r, buf, sizeof(buf), 0, 0, NULL));
	ASSERT_EQ(SIG_ASYNC, wait_signal(SIG_ASYNC, &si));
	EXPECT_EQ(POLL_OUT, si.si_code);
	EXPECT_EQ(rw, si.si_fd);
	EXPECT_EQ(-EAGAIN, no_signal(SIG_ASYNC));
	close(rw);
}

/* Without F_SETSIG the signal is SIGIO. */
TEST_F(sq, async_default_sigio)
{
	siginfo_t si;

	ASSERT_EQ(0, async_to_self(self->r, 0));
	ASSERT_EQ(0, kt_send(self->w, "io", 2, 0, 0, 0));
	ASSERT_EQ(SIGIO, wait_signal(SIGIO, &si));
	EXPECT_EQ(SIGIO, si.si_signo);
	EXPECT_EQ(-EAGAIN, no_signal(SIG_ASYNC));
}

/* Clearing O_ASYNC, or closing the handle, stops the signals. */
TEST_F(sq, async_off_no_signal)
{
	siginfo_t si;
	int r2 = kt_attach(self->name, KIPC_QUEUE_READ);

	ASSERT_LE(0, r2);
	ASSERT_EQ(0, async_to_self(self->r, SIG_ASYNC));
	ASSERT_EQ(0, async_to_self(r2, SIG_ASYNC));
	ASSERT_EQ(0, set_async(self->r, 0));
	close(r2);
	ASSERT_EQ(0, kt_send(self->w, "x", 1, 0, 0, 0));
	EXPECT_EQ(-EAGAIN, no_signal(SIG_ASYNC));

	/* And setting it again starts them. */
	ASSERT_EQ(0, set_async(self->r, 1));
	ASSERT_EQ(0, kt_send(self->w, "y", 1, 0, 0, 0));
	ASSERT_EQ(SIG_ASYNC, wait_signal(SIG_ASYNC, &si));
	EXPECT_EQ(self->r, si.si_fd);
}

/* Another process's send signals the owner just the same. */
TEST_F(sq, async_sender_in_other_process)
{
	siginfo_t si;
	pid_t pid;

	ASSERT_EQ(0, async_to_self(self->r, SIG_ASYNC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		KT_CHILD_EQ(0, kt_send(self->w, "c", 1, 0, 0, 0));
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_child(pid));
	ASSERT_EQ(SIG_ASYNC, wait_signal(SIG_ASYNC, &si));
	EXPECT_EQ(POLL_IN, si.si_code);
	EXPECT_EQ(self->r, si.si_fd);
}

/* A broadcast writer is told when its slowest reader frees room. */
TEST(async_broadcast_write_handle_poll_out)
{
	siginfo_t si;
	char name[64], buf[Q_SIZE];
	int w, r, i;

	block_signal(SIG_ASYNC);
	kt_name(name, sizeof(name), "sigbo");
	w = kt_queue(name, CREATE | KIPC_QUEUE_BROADCAST | KIPC_QUEUE_WRITE,
		     0600, Q_MSGS, Q_SIZE);
	ASSERT_LE(0, w) TH_LOG("create: %s", strerror(-w));
	r = kt_attach(name, KIPC_QUEUE_READ);
	ASSERT_LE(0, r);
	ASSERT_EQ(0, async_to_self(w, SIG_ASYNC));
	for (i = 0; i < Q_MSGS; i++)
		ASSERT_EQ(0, kt_send(w, "b", 1, 0, 0, KIPC_IO_NONBLOCK));
	ASSERT_EQ(-EAGAIN, kt_send(w, "b", 1, 0, 0, KIPC_IO_NONBLOCK));
	EXPECT_EQ(-EAGAIN, no_signal(SIG_ASYNC));
	ASSERT_EQ(0, kt_recv(r, buf, sizeof(buf), 0, 0, NULL));
	ASSERT_EQ(SIG_ASYNC, wait_signal(SIG_ASYNC, &si));
	EXPECT_EQ(POLL_OUT, si.si_code);
	EXPECT_EQ(w, si.si_fd);
	close(r);
	close(w);
}

/* And a broadcast reader is told of each arrival. */
TEST(async_broadcast_read_handle_poll_in)
{
	siginfo_t si;
	char name[64];
	int w, r;

	block_signal(SIG_ASYNC);
	kt_name(name, sizeof(name), "sigbi");
	w = kt_queue(name, CREATE | KIPC_QUEUE_BROADCAST | KIPC_QUEUE_WRITE,
		     0600, Q_MSGS, Q_SIZE);
	ASSERT_LE(0, w) TH_LOG("create: %s", strerror(-w));
	r = kt_attach(name, KIPC_QUEUE_READ);
	ASSERT_LE(0, r);
	ASSERT_EQ(0, async_to_self(r, SIG_ASYNC));
	ASSERT_EQ(0, kt_send(w, "b", 1, 0, 0, 0));
	ASSERT_EQ(SIG_ASYNC, wait_signal(SIG_ASYNC, &si));
	EXPECT_EQ(POLL_IN, si.si_code);
	EXPECT_EQ(r, si.si_fd);
	EXPECT_EQ(-EAGAIN, no_signal(SIG_ASYNC));
	close(r);
	close(w);
}

struct tid_waiter {
	pid_t tid;
	int ready[2];		/* the thread's tid is known */
	int got;		/* signal number or negative errno */
	siginfo_t si;
};

static void *thread_take_async(void *arg)
{
	struct tid_waiter *t = arg;
	char c = 1;

	t->tid = kt_gettid();
	if (write(t->ready[1], &c, 1) != 1)
		return NULL;
	t->got = wait_signal(SIG_ASYNC, &t->si);
	return NULL;
}

/* F_SETOWN_EX with F_OWNER_TID aims the signal at one thread. */
TEST_F(sq, async_setown_ex_thread)
{
	struct f_owner_ex owner;
	struct tid_waiter t;
	pthread_t th;
	char c;

	memset(&t, 0, sizeof(t));
	t.got = -EINVAL;
	ASSERT_EQ(0, pipe(t.ready));
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_take_async, &t));
	ASSERT_EQ(1, read(t.ready[0], &c, 1));

	owner.type = F_OWNER_TID;
	owner.pid = t.tid;
	ASSERT_EQ(0, fcntl(self->r, F_SETOWN_EX, &owner));
	memset(&owner, KT_POISON, sizeof(owner));
	ASSERT_EQ(0, fcntl(self->r, F_GETOWN_EX, &owner));
	EXPECT_EQ(F_OWNER_TID, owner.type);
	EXPECT_EQ(t.tid, owner.pid);
	ASSERT_EQ(0, fcntl(self->r, F_SETSIG, SIG_ASYNC));
	ASSERT_EQ(0, set_async(self->r, 1));

	ASSERT_EQ(0, kt_send(self->w, "t", 1, 0, 0, 0));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(SIG_ASYNC, t.got);
	EXPECT_EQ(POLL_IN, t.si.si_code);
	EXPECT_EQ(self->r, t.si.si_fd);
	EXPECT_TRUE(t.si.si_band & POLLIN);
	/* It was the thread's, not the process's or the main thread's. */
	EXPECT_EQ(-EAGAIN, no_signal(SIG_ASYNC));
	close(t.ready[0]);
	close(t.ready[1]);
}

/* ---- KIPC_IOC_QUEUE_NOTIFY ---------------------------------------------- */

static void expect_note(struct __test_metadata *_metadata, const siginfo_t *si,
			pid_t pid, uid_t uid, uint64_t value)
{
	EXPECT_EQ(SIG_NOTE, si->si_signo);
	EXPECT_EQ(SI_MESGQ, si->si_code);
	EXPECT_EQ(value, (uint64_t)(uintptr_t)si->si_value.sival_ptr);
	EXPECT_EQ(pid, si->si_pid);
	EXPECT_EQ(uid, si->si_uid);
}

TEST_F(sq, notify_fires_once)
{
	siginfo_t si;

	ASSERT_EQ(0, notify(self->r, SIG_NOTE, NOTE_VALUE));
	EXPECT_EQ(-EAGAIN, no_signal(SIG_NOTE));
	ASSERT_EQ(0, kt_send(self->w, "n", 1, 0, 0, 0));
	ASSERT_EQ(SIG_NOTE, wait_signal(SIG_NOTE, &si));
	expect_note(_metadata, &si, getpid(), getuid(), NOTE_VALUE);
	EXPECT_EQ(-EAGAIN, no_signal(SIG_NOTE));

	/* One-shot: into the emptied queue again, no signal. */
	ASSERT_EQ(1, drain(self->r));
	ASSERT_EQ(0, kt_send(self->w, "m", 1, 0, 0, 0));
	EXPECT_EQ(-EAGAIN, no_signal(SIG_NOTE));
	/* Nothing is left to remove; a new registration is possible. */
	EXPECT_EQ(-ENOENT, notify_remove(self->r));
	ASSERT_EQ(1, drain(self->r));
	ASSERT_EQ(0, notify(self->r, SIG_NOTE, 7));
	ASSERT_EQ(0, kt_send(self->w, "o", 1, 0, 0, 0));
	ASSERT_EQ(SIG_NOTE, wait_signal(SIG_NOTE, &si));
	expect_note(_metadata, &si, getpid(), getuid(), 7);
}

/* si_pid and si_uid are the sender's, another process's here. */
TEST_F(sq, notify_sender_identity)
{
	uid_t uid = is_root() ? KT_USER_UID : getuid();
	siginfo_t si;
	pid_t pid;

	ASSERT_EQ(0, notify(self->r, SIG_NOTE, NOTE_VALUE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (is_root())
			KT_CHILD_EQ(0, kt_become(KT_USER_UID, KT_USER_GID));
		/* The inherited handle works whoever holds it. */
		KT_CHILD_EQ(0, kt_send(self->w, "p", 1, 0, 0, 0));
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_child(pid));
	ASSERT_EQ(SIG_NOTE, wait_signal(SIG_NOTE, &si));
	expect_note(_metadata, &si, pid, uid, NOTE_VALUE);
	EXPECT_EQ(-EAGAIN, no_signal(SIG_NOTE));
}

TEST_F(sq, notify_second_registration_ebusy)
{
	int r2 = kt_attach(self->name, KIPC_QUEUE_READ);
	siginfo_t si;
	pid_t pid;

	ASSERT_LE(0, r2);
	ASSERT_EQ(0, notify(self->r, SIG_NOTE, 1));
	EXPECT_EQ(-EBUSY, notify(self->r, SIG_NOTE, 2));
	EXPECT_EQ(-EBUSY, notify(r2, SIG_NOTE, 3));
	/* Only the registering handle may remove it. */
	EXPECT_EQ(-ENOENT, notify_remove(r2));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int r3 = kt_attach(self->name, KIPC_QUEUE_READ);

		KT_CHILD_TRUE(r3 >= 0);
		KT_CHILD_EQ(-EBUSY, notify(r3, SIG_NOTE, 4));
		/* The inherited handle, in another process, likewise. */
		KT_CHILD_EQ(-EBUSY, notify(r2, SIG_NOTE, 5));
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_child(pid));

	/* The first registration is the one that fires. */
	ASSERT_EQ(0, kt_send(self->w, "b", 1, 0, 0, 0));
	ASSERT_EQ(SIG_NOTE, wait_signal(SIG_NOTE, &si));
	expect_note(_metadata, &si, getpid(), getuid(), 1);
	EXPECT_EQ(-EAGAIN, no_signal(SIG_NOTE));
	close(r2);
}

TEST_F(sq, notify_remove)
{
	EXPECT_EQ(-ENOENT, notify_remove(self->r));
	ASSERT_EQ(0, notify(self->r, SIG_NOTE, 1));
	ASSERT_EQ(0, notify_remove(self->r));
	EXPECT_EQ(-ENOENT, notify_remove(self->r));
	ASSERT_EQ(0, kt_send(self->w, "r", 1, 0, 0, 0));
	EXPECT_EQ(-EAGAIN, no_signal(SIG_NOTE));
	/* Removed, so another registration is allowed. */
	ASSERT_EQ(1, drain(self->r));
	ASSERT_EQ(0, notify(self->r, SIG_NOTE, 2));
	ASSERT_EQ(0, notify_remove(self->r));
}

/* Closing the registering handle removes its registration. */
TEST_F(sq, notify_close_removes)
{
	int r2 = kt_attach(self->name, KIPC_QUEUE_READ);
	siginfo_t si;

	ASSERT_LE(0, r2);
	ASSERT_EQ(0, notify(r2, SIG_NOTE, 1));
	EXPECT_EQ(-EBUSY, notify(self->r, SIG_NOTE, 2));
	close(r2);
	ASSERT_EQ(0, kt_send(self->w, "c", 1, 0, 0, 0));
	EXPECT_EQ(-EAGAIN, no_signal(SIG_NOTE));
	ASSERT_EQ(1, drain(self->r));

	ASSERT_EQ(0, notify(self->r, SIG_NOTE, 3));
	ASSERT_EQ(0, kt_send(self->w, "d", 1, 0, 0, 0));
	ASSERT_EQ(SIG_NOTE, wait_signal(SIG_NOTE, &si));
	expect_note(_metadata, &si, getpid(), getuid(), 3);
}

/* A registration made by a process that exits goes with its handle. */
TEST_F(sq, notify_registrant_exit_removes)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int r3 = kt_attach(self->name, KIPC_QUEUE_READ);

		KT_CHILD_TRUE(r3 >= 0);
		KT_CHILD_EQ(0, notify(r3, SIG_NOTE, 9));
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_child(pid));
	ASSERT_EQ(0, notify(self->r, SIG_NOTE, 10));
	ASSERT_EQ(0, notify_remove(self->r));
}

/* It fires only on the empty to non-empty edge. */
TEST_F(sq, notify_only_into_empty_queue)
{
	siginfo_t si;

	ASSERT_EQ(0, kt_send(self->w, "1", 1, 0, 0, 0));
	ASSERT_EQ(0, notify(self->r, SIG_NOTE, 1));
	ASSERT_EQ(0, kt_send(self->w, "2", 1, 0, 0, 0));
	EXPECT_EQ(-EAGAIN, no_signal(SIG_NOTE));
	/* Still registered: it did not fire. */
	EXPECT_EQ(-EBUSY, notify(self->r, SIG_NOTE, 2));

	ASSERT_EQ(2, drain(self->r));
	ASSERT_EQ(0, kt_send(self->w, "3", 1, 0, 0, 0));
	ASSERT_EQ(SIG_NOTE, wait_signal(SIG_NOTE, &si));
	expect_note(_metadata, &si, getpid(), getuid(), 1);
}

struct recv_thread {
	int fd;
	pid_t tid;
	int ret;
	char buf[Q_SIZE];
};

static void *thread_recv(void *arg)
{
	struct recv_thread *t = arg;

	__atomic_store_n(&t->tid, kt_gettid(), __ATOMIC_RELEASE);
	t->ret = kt_recv_live(t->fd, t->buf, sizeof(t->buf), 0, 0, NULL);
	return NULL;
}

/* A receiver already waiting takes the message; no signal is sent. */
TEST_F(sq, notify_not_while_thread_waits)
{
	struct recv_thread t = { .fd = self->r, .ret = -1 };
	siginfo_t si;
	pthread_t th;
	pid_t tid;

	ASSERT_EQ(0, notify(self->r, SIG_NOTE, 1));
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_recv, &t));
	while (!(tid = __atomic_load_n(&t.tid, __ATOMIC_ACQUIRE)))
		kt_sleep_ms(1);
	ASSERT_EQ(0, kt_wait_blocked_tid(getpid(), tid, SYS_ioctl));
	ASSERT_EQ(0, kt_send(self->w, "w", 1, 0, 0, 0));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, t.ret);
	EXPECT_EQ('w', t.buf[0]);
	EXPECT_EQ(-EAGAIN, no_signal(SIG_NOTE));

	/* The registration stays for the next arrival that nobody awaits. */
	EXPECT_EQ(-EBUSY, notify(self->r, SIG_NOTE, 2));
	ASSERT_EQ(0, kt_send(self->w, "x", 1, 0, 0, 0));
	ASSERT_EQ(SIG_NOTE, wait_signal(SIG_NOTE, &si));
	expect_note(_metadata, &si, getpid(), getuid(), 1);
}

TEST_F(sq, notify_not_while_child_waits)
{
	pid_t pid;

	ASSERT_EQ(0, notify(self->r, SIG_NOTE, 1));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[Q_SIZE];
		int r3 = kt_attach(self->name, KIPC_QUEUE_READ);

		KT_CHILD_TRUE(r3 >= 0);
		KT_CHILD_EQ(0, kt_recv_live(r3, buf, sizeof(buf), 0, 0, NULL));
		KT_CHILD_EQ('c', buf[0]);
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_blocked(pid, SYS_ioctl));
	ASSERT_EQ(0, kt_send(self->w, "c", 1, 0, 0, 0));
	ASSERT_EQ(0, kt_wait_child(pid));
	EXPECT_EQ(-EAGAIN, no_signal(SIG_NOTE));
	EXPECT_EQ(0, kt_cur_msgs(self->r));
	EXPECT_EQ(0, notify_remove(self->r));
}

TEST_F(sq, notify_signo_bounds)
{
	static const int bad[] = { 0, -1, 65, 1000, INT32_MIN };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, notify(self->r, bad[i], 1))
			TH_LOG("signo %d", bad[i]);
	/* 1 and _NSIG - 1 (64) are the ends of the valid range. */
	EXPECT_EQ(0, notify(self->r, 1, 1));
	EXPECT_EQ(0, notify_remove(self->r));
	EXPECT_EQ(0, notify(self->r, 64, 1));
	EXPECT_EQ(0, notify_remove(self->r));
	/* The failed ones left nothing behind. */
	EXPECT_EQ(-ENOENT, notify_remove(self->r));
}

TEST_F(sq, notify_unknown_flags_einval)
{
	static const uint32_t bad[] = { 1u << 1, 1u << 31,
					KIPC_NOTIFY_REMOVE | (1u << 2) };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, notify_raw(self->r, bad[i], SIG_NOTE, 0, 1))
			TH_LOG("flags %#x", bad[i]);
	EXPECT_EQ(-ENOENT, notify_remove(self->r));
}

TEST_F(sq, notify_reserved_einval)
{
	EXPECT_EQ(-EINVAL, notify_raw(self->r, 0, SIG_NOTE, 1, 1));
	EXPECT_EQ(-EINVAL, notify_raw(self->r, 0, SIG_NOTE, 1u << 31, 1));
	EXPECT_EQ(-ENOENT, notify_remove(self->r));
	ASSERT_EQ(0, notify(self->r, SIG_NOTE, 1));
	EXPECT_EQ(-EINVAL, notify_raw(self->r, KIPC_NOTIFY_REMOVE, 0, 1, 0));
	EXPECT_EQ(0, notify_remove(self->r));
}

/* The struct's size follows the common rules. */
TEST_F(sq, notify_struct_size_rules)
{
	struct {
		struct kipc_queue_notify n;
		uint64_t tail;
	} big;
	struct kipc_queue_notify n;

	memset(&n, 0, sizeof(n));
	n.size = offsetof(struct kipc_queue_notify, value);
	n.signo = SIG_NOTE;
	EXPECT_EQ(-EINVAL, kt_ret(ioctl(self->r, KIPC_IOC_QUEUE_NOTIFY, &n)));

	memset(&big, 0, sizeof(big));
	big.n.size = sizeof(big);
	big.n.signo = SIG_NOTE;
	big.tail = 1;
	EXPECT_EQ(-E2BIG, kt_ret(ioctl(self->r, KIPC_IOC_QUEUE_NOTIFY, &big)));
	big.tail = 0;
	EXPECT_EQ(0, kt_ret(ioctl(self->r, KIPC_IOC_QUEUE_NOTIFY, &big)));
	EXPECT_EQ(0, notify_remove(self->r));
}

TEST_F(sq, notify_write_only_ebadf)
{
	EXPECT_EQ(-EBADF, notify(self->w, SIG_NOTE, 1));
	EXPECT_EQ(-EBADF, notify_remove(self->w));
	/* Nothing was registered by the failure. */
	EXPECT_EQ(0, notify(self->r, SIG_NOTE, 1));
	EXPECT_EQ(0, notify_remove(self->r));
}

TEST(notify_unbound_ebadf)
{
	int fd = kt_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, notify(fd, SIG_NOTE, 1));
	EXPECT_EQ(-EBADF, notify_remove(fd));
	close(fd);
}

TEST(notify_broadcast_einval)
{
	char name[64];
	int fd;

	kt_name(name, sizeof(name), "sigb");
	fd = kt_queue(name, CREATE | KIPC_QUEUE_BROADCAST | ACC, 0600,
		      Q_MSGS, Q_SIZE);
	ASSERT_LE(0, fd) TH_LOG("create: %s", strerror(-fd));
	EXPECT_EQ(-EINVAL, notify(fd, SIG_NOTE, 1));
	EXPECT_EQ(-EINVAL, notify_remove(fd));
	close(fd);
}

/* Channels are ordinary queues for notification. */
TEST(notify_channel)
{
	siginfo_t si;
	char name[64];
	int r, w;

	block_signal(SIG_NOTE);
	kt_name(name, sizeof(name), "sigc");
	r = kt_queue(name, CREATE | KIPC_QUEUE_CHANNEL | KIPC_QUEUE_READ, 0600,
		     Q_MSGS, Q_SIZE);
	ASSERT_LE(0, r) TH_LOG("create: %s", strerror(-r));
	w = kt_attach(name, KIPC_QUEUE_WRITE);
	ASSERT_LE(0, w);
	ASSERT_EQ(0, notify(r, SIG_NOTE, 5));
	ASSERT_EQ(0, kt_send(w, "ch", 2, 0, 0, 0));
	ASSERT_EQ(SIG_NOTE, wait_signal(SIG_NOTE, &si));
	expect_note(_metadata, &si, getpid(), getuid(), 5);
	close(w);
	close(r);
}

TEST_HARNESS_MAIN
