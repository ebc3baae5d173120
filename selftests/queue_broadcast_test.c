// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc broadcast queues through raw ioctls on /dev/kipc: every handle
 * bound for reading receives every message sent after it bound, in send
 * order; a full reader makes the writer wait, or under DROP_OLDEST loses
 * its oldest message, counted in the attributes' dropped.
 *
 * No check depends on timing: a sleeper is found asleep through /proc
 * before it is woken. Every test runs as root and as an unprivileged
 * user.
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
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kipc.h>
#include <linux/userfaultfd.h>

#include "kselftest_harness.h"
#include "kipc_test.h"

#define ACC		KT_ALL_ACCESS
#define RD		KIPC_QUEUE_READ
#define WR		KIPC_QUEUE_WRITE
#define CREATE		(KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL | KIPC_QUEUE_AUTO_DELETE)
#define BCAST		(CREATE | KIPC_QUEUE_BROADCAST)
#define Q_SIZE		128

/* A broadcast queue and its writer's handle, which is not a reader. */
static int bq_create(char *name, size_t size, uint32_t flags, uint32_t n)
{
	kt_name(name, size, "bc");
	return kt_queue(name, BCAST | flags | WR, 0600, n, Q_SIZE);
}

static int is_root(void)
{
	return geteuid() == 0;
}

static int send_int(int fd, int v, uint32_t flags)
{
	if (flags & KIPC_IO_TIMEOUT)
		return kt_send_full(fd, &v, sizeof(v), 0, 0, flags,
				    kt_mono_ns() + KT_LIVENESS_NS);
	return kt_send(fd, &v, sizeof(v), 0, 0, flags);
}

/* A nonblocking receive of one int: the value, or a negative errno. */
static int recv_int_msg(int fd, struct kipc_msg *m)
{
	char buf[Q_SIZE];
	int v, ret;

	ret = kt_recv(fd, buf, sizeof(buf), KIPC_IO_NONBLOCK, 0, m);
	if (ret)
		return ret;
	if (m->len != sizeof(v))
		return -EPROTO;
	memcpy(&v, buf, sizeof(v));
	return v;
}

static int recv_int(int fd)
{
	struct kipc_msg m;

	return recv_int_msg(fd, &m);
}

static short poll_now(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (poll(&p, 1, 0) < 0)
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

static struct kipc_queue_attr attr_of(int fd)
{
	struct kipc_queue_attr a;

	if (kt_getattr(fd, &a))
		memset(&a, 0xff, sizeof(a));
	return a;
}

/* ---- fan-out ------------------------------------------------------------ */

#define FAN_READERS	4
#define FAN_MSGS	10000
#define FAN_QMSGS	64
#define FAN_BATCH	32

/* Message @i: its number, a checksum, then 0..56 bytes derived from i. */
struct fan_msg {
	uint32_t seq;
	uint32_t sum;
	uint8_t data[64];
};

static uint32_t fan_fill(struct fan_msg *p, uint32_t i)
{
	uint32_t n = i % 57, k;

	p->seq = i;
	for (k = 0; k < n; k++)
		p->data[k] = (uint8_t)(i * 131 + k * 7);
	p->sum = kt_fnv1a(p->data, n);
	return offsetof(struct fan_msg, data) + n;
}

/* 0 if message @i arrived whole as @got of @len bytes, kernel seq @seq. */
static int fan_check(const struct fan_msg *got, uint32_t len, uint64_t seq,
		     uint32_t i)
{
	struct fan_msg want;
	uint32_t wlen = fan_fill(&want, i);

	if (len != wlen || got->seq != i || seq != (uint64_t)i + 1 ||
	    got->sum != kt_fnv1a(got->data, len - offsetof(struct fan_msg, data)) ||
	    memcmp(got, &want, wlen)) {
		fprintf(stderr, "# reader %d: message %u: len %u (want %u), seq %u, kernel seq %llu\n",
			(int)getpid(), i, len, wlen, got->seq,
			(unsigned long long)seq);
		return -1;
	}
	return 0;
}

/*
 * A reader of its own: binds, says so on @ready, then takes FAN_MSGS
 * messages one at a time or in batches, and checks that no more come.
 */
static void fan_reader(const char *name, int ready, int batch)
{
	struct fan_msg bufs[FAN_BATCH];
	struct kipc_msg msgs[FAN_BATCH];
	uint32_t i = 0;
	int fd, k, n;
	char c = 'r';

	fd = kt_attach(name, RD);
	KT_CHILD_TRUE(fd >= 0);
	KT_CHILD_EQ(1, write(ready, &c, 1));
	close(ready);

	while (i < FAN_MSGS) {
		if (!batch) {
			KT_CHILD_EQ(0, kt_recv_live(fd, bufs, sizeof(bufs[0]),
						    0, 0, msgs));
			n = 1;
		} else {
			memset(msgs, KT_POISON, sizeof(msgs));
			for (k = 0; k < FAN_BATCH; k++) {
				msgs[k].buf = (uintptr_t)&bufs[k];
				msgs[k].len = sizeof(bufs[k]);
			}
			n = kt_batch(fd, KIPC_IOC_QUEUE_RECV_BATCH,
				     KIPC_IO_TIMEOUT,
				     kt_mono_ns() + KT_LIVENESS_NS, msgs,
				     FAN_BATCH, sizeof(msgs[0]));
			KT_CHILD_TRUE(n >= 1 && n <= FAN_BATCH);
			KT_CHILD_TRUE(i + n <= FAN_MSGS);
		}
		for (k = 0; k < n; k++, i++)
			KT_CHILD_EQ(0, fan_check(&bufs[k], msgs[k].len,
						 msgs[k].seq, i));
	}
	KT_CHILD_EQ(-EAGAIN, kt_recv(fd, bufs, sizeof(bufs[0]),
				     KIPC_IO_NONBLOCK, 0, NULL));
	_exit(0);
}

/*
 * The long cases, 40,000 deliveries, get a fixture only for its timeout:
 * the harness's 30 s guards against a hang, and the debug kernel under
 * emulation on a busy host can need more than that to finish.
 */
FIXTURE(long_run) {
	int unused;
};

FIXTURE_SETUP(long_run)
{
}

FIXTURE_TEARDOWN(long_run)
{
}

/* Four readers, bound before the writer starts, each get all 10,000. */
TEST_F_TIMEOUT(long_run, fanout_four_readers, 300)
{
	pid_t readers[FAN_READERS], writer;
	struct kipc_queue_attr a;
	int ready[2], w, i;
	char name[64], c;

	w = bq_create(name, sizeof(name), 0, FAN_QMSGS);
	ASSERT_LE(0, w) TH_LOG("create: %s", strerror(-w));
	ASSERT_EQ(0, pipe(ready));
	for (i = 0; i < FAN_READERS; i++) {
		readers[i] = fork();
		ASSERT_LE(0, readers[i]);
		if (readers[i] == 0) {
			close(ready[0]);
			close(w);
			fan_reader(name, ready[1], i & 1);
		}
	}
	close(ready[1]);
	for (i = 0; i < FAN_READERS; i++)
		ASSERT_EQ(1, read(ready[0], &c, 1));
	close(ready[0]);

	writer = fork();
	ASSERT_LE(0, writer);
	if (writer == 0) {
		struct fan_msg p;
		uint32_t n;

		for (i = 0; i < FAN_MSGS; i++) {
			n = fan_fill(&p, i);
			KT_CHILD_EQ(0, kt_send_full(w, &p, n, i % KIPC_PRIO_MAX,
						    i, KIPC_IO_TIMEOUT,
						    kt_mono_ns() +
						    KT_LIVENESS_NS));
		}
		_exit(0);
	}
	EXPECT_EQ(0, kt_wait_child(writer));
	for (i = 0; i < FAN_READERS; i++)
		EXPECT_EQ(0, kt_wait_child(readers[i])) TH_LOG("reader %d", i);

	ASSERT_EQ(0, kt_getattr(w, &a));
	EXPECT_EQ(FAN_MSGS, a.sent);
	EXPECT_EQ(0, a.cur_msgs);
	EXPECT_EQ(0, a.cur_bytes);
	EXPECT_EQ(0, a.dropped);
	close(w);
}

/* A reader gets what was sent after it bound, and nothing before. */
TEST(late_reader_gets_later_messages)
{
	struct kipc_msg m;
	char name[64];
	int w, r1, r2;

	w = bq_create(name, sizeof(name), 0, 8);
	ASSERT_LE(0, w);
	r1 = kt_attach(name, RD);
	ASSERT_LE(0, r1);
	ASSERT_EQ(0, send_int(w, 0, 0));
	ASSERT_EQ(0, send_int(w, 1, 0));
	r2 = kt_attach(name, RD);
	ASSERT_LE(0, r2);
	ASSERT_EQ(0, send_int(w, 2, 0));

	EXPECT_EQ(0, recv_int(r1));
	EXPECT_EQ(1, recv_int(r1));
	EXPECT_EQ(2, recv_int(r1));
	EXPECT_EQ(-EAGAIN, recv_int(r1));
	EXPECT_EQ(2, recv_int_msg(r2, &m));
	EXPECT_EQ(3, m.seq);
	EXPECT_EQ(getpid(), m.pid);
	EXPECT_EQ(-EAGAIN, recv_int(r2));
	close(r2);
	close(r1);
	close(w);
}

/* Priorities do not reorder a broadcast: each reader sees send order. */
TEST(send_order_ignores_priority)
{
	static const uint32_t prios[] = { 1, KIPC_PRIO_MAX - 1, 0, 7 };
	struct kipc_msg m;
	char name[64], buf[Q_SIZE];
	unsigned int i;
	int w, r;

	w = bq_create(name, sizeof(name), 0, 8);
	ASSERT_LE(0, w);
	r = kt_attach(name, RD);
	ASSERT_LE(0, r);
	for (i = 0; i < ARRAY_SIZE(prios); i++)
		ASSERT_EQ(0, kt_send(w, &i, sizeof(i), prios[i], 100 + i, 0));
	for (i = 0; i < ARRAY_SIZE(prios); i++) {
		unsigned int v;

		ASSERT_EQ(0, kt_recv(r, buf, sizeof(buf), KIPC_IO_NONBLOCK, 0,
				     &m));
		memcpy(&v, buf, sizeof(v));
		EXPECT_EQ(i, v);
		EXPECT_EQ(prios[i], m.prio);
		EXPECT_EQ(100 + i, m.type);
	}
	close(r);
	close(w);
}

/* Each reader's readiness is its own. */
TEST(poll_per_reader)
{
	char name[64];
	int w, r1, r2;
	short ev;

	w = bq_create(name, sizeof(name), 0, 8);
	ASSERT_LE(0, w);
	r1 = kt_attach(name, RD);
	r2 = kt_attach(name, RD);
	ASSERT_LE(0, r1);
	ASSERT_LE(0, r2);
	EXPECT_EQ(0, poll_now(r1, POLLIN));
	ASSERT_EQ(0, send_int(w, 1, 0));
	EXPECT_EQ(POLLIN, poll_now(r1, POLLIN) & POLLIN);
	EXPECT_EQ(POLLIN, poll_now(r2, POLLIN) & POLLIN);
	EXPECT_EQ(1, recv_int(r1));
	ev = poll_now(r1, POLLIN);
	EXPECT_EQ(0, ev) TH_LOG("revents %#x", ev);
	EXPECT_EQ(POLLIN, poll_now(r2, POLLIN) & POLLIN);
	close(r2);
	close(r1);
	close(w);
}

/* ---- the default policy: the writer waits for the slowest reader ------- */

#define BLK_N	4

TEST(block_writer_waits_for_slow_reader)
{
	struct kipc_queue_attr a;
	char name[64];
	int w, fast, slow, i;
	pid_t pid;

	w = bq_create(name, sizeof(name), 0, BLK_N);
	ASSERT_LE(0, w);
	fast = kt_attach(name, RD);
	slow = kt_attach(name, RD);
	ASSERT_LE(0, fast);
	ASSERT_LE(0, slow);

	for (i = 0; i < BLK_N; i++) {
		ASSERT_EQ(0, send_int(w, i, KIPC_IO_NONBLOCK));
		ASSERT_EQ(i, recv_int(fast));
	}
	/* The fast reader has taken all; the slow one holds N. */
	EXPECT_EQ(-EAGAIN, send_int(w, 100, KIPC_IO_NONBLOCK));
	EXPECT_EQ(-EAGAIN, recv_int(fast));
	EXPECT_EQ(0, poll_now(w, POLLOUT));
	a = attr_of(w);
	EXPECT_EQ(BLK_N, a.cur_msgs);
	EXPECT_EQ(BLK_N * sizeof(int), a.cur_bytes);
	EXPECT_EQ(0, a.dropped);
	EXPECT_EQ(BLK_N, a.sent);

	/* One read by the slow reader makes room for exactly one. */
	EXPECT_EQ(0, recv_int(slow));
	EXPECT_EQ(POLLOUT, poll_now(w, POLLOUT));
	EXPECT_EQ(0, send_int(w, BLK_N, KIPC_IO_NONBLOCK));
	EXPECT_EQ(-EAGAIN, send_int(w, 101, KIPC_IO_NONBLOCK));
	EXPECT_EQ(BLK_N, recv_int(fast));
	EXPECT_EQ(-EAGAIN, recv_int(fast));

	/* A blocking send waits until the slow reader reads. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		KT_CHILD_EQ(0, send_int(w, BLK_N + 1, KIPC_IO_TIMEOUT));
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_blocked(pid, SYS_ioctl));
	EXPECT_EQ(-EAGAIN, recv_int(fast));
	EXPECT_EQ(1, recv_int(slow));
	EXPECT_EQ(0, kt_wait_child(pid));
	EXPECT_EQ(BLK_N + 1, recv_int(fast));

	/* The slow reader still has everything after what it read, in order. */
	for (i = 2; i <= BLK_N + 1; i++)
		EXPECT_EQ(i, recv_int(slow));
	EXPECT_EQ(-EAGAIN, recv_int(slow));
	a = attr_of(w);
	EXPECT_EQ(0, a.cur_msgs);
	EXPECT_EQ(0, a.dropped);
	EXPECT_EQ(BLK_N + 2, a.sent);
	close(slow);
	close(fast);
	close(w);
}

/* A writer waiting in poll() for room wakes when the slow reader reads. */
TEST(block_poll_wakes_when_reader_reads)
{
	char name[64];
	int w, slow, i;
	pid_t pid;

	w = bq_create(name, sizeof(name), 0, BLK_N);
	ASSERT_LE(0, w);
	slow = kt_attach(name, RD);
	ASSERT_LE(0, slow);
	for (i = 0; i < BLK_N; i++)
		ASSERT_EQ(0, send_int(w, i, KIPC_IO_NONBLOCK));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct pollfd p = { .fd = w, .events = POLLOUT };

		close(slow);
		KT_CHILD_EQ(1, poll(&p, 1, -1));
		KT_CHILD_EQ(POLLOUT, p.revents);
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_blocked(pid, -1));
	EXPECT_EQ(0, recv_int(slow));
	EXPECT_EQ(0, wait_child_live(pid));
	close(slow);
	close(w);
}

/* Likewise when the slow reader closes. */
TEST(block_poll_wakes_when_reader_closes)
{
	char name[64];
	int w, slow, i;
	pid_t pid;

	w = bq_create(name, sizeof(name), 0, BLK_N);
	ASSERT_LE(0, w);
	slow = kt_attach(name, RD);
	ASSERT_LE(0, slow);
	for (i = 0; i < BLK_N; i++)
		ASSERT_EQ(0, send_int(w, i, KIPC_IO_NONBLOCK));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct pollfd p = { .fd = w, .events = POLLOUT };

		close(slow);
		KT_CHILD_EQ(1, poll(&p, 1, -1));
		KT_CHILD_EQ(POLLOUT, p.revents);
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_blocked(pid, -1));
	close(slow);
	EXPECT_EQ(0, wait_child_live(pid));
	close(w);
}

/* Closing the slow reader lets a writer waiting in send go on. */
TEST(block_reader_close_wakes_writer)
{
	char name[64];
	int w, slow, fast, i;
	pid_t pid;

	w = bq_create(name, sizeof(name), 0, BLK_N);
	ASSERT_LE(0, w);
	slow = kt_attach(name, RD);
	fast = kt_attach(name, RD);
	ASSERT_LE(0, slow);
	ASSERT_LE(0, fast);
	for (i = 0; i < BLK_N; i++) {
		ASSERT_EQ(0, send_int(w, i, KIPC_IO_NONBLOCK));
		ASSERT_EQ(i, recv_int(fast));
	}
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(slow);
		close(fast);
		KT_CHILD_EQ(0, send_int(w, 42, KIPC_IO_TIMEOUT));
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_blocked(pid, SYS_ioctl));
	close(slow);
	EXPECT_EQ(0, kt_wait_child(pid));
	EXPECT_EQ(42, recv_int(fast));
	EXPECT_EQ(0, attr_of(w).cur_msgs);
	close(fast);
	close(w);
}

/* ---- DROP_OLDEST -------------------------------------------------------- */

#define DROP_N		4
#define DROP_SENDS	(3 * DROP_N)

/*
 * The writer never waits. A reader that reads nothing keeps the newest N;
 * one that drains halfway loses less. dropped sums every reader's losses.
 */
TEST(drop_oldest_keeps_newest)
{
	struct kipc_queue_attr a;
	struct kipc_msg m;
	int w, fast, slow, half, i;
	char name[64];

	w = bq_create(name, sizeof(name), KIPC_QUEUE_DROP_OLDEST, DROP_N);
	ASSERT_LE(0, w);
	a = attr_of(w);
	EXPECT_EQ(KIPC_QUEUE_BROADCAST | KIPC_QUEUE_DROP_OLDEST |
		  KIPC_QUEUE_AUTO_DELETE, a.queue_flags);
	fast = kt_attach(name, RD);
	slow = kt_attach(name, RD);
	half = kt_attach(name, RD);
	ASSERT_LE(0, fast);
	ASSERT_LE(0, slow);
	ASSERT_LE(0, half);

	for (i = 0; i < DROP_SENDS; i++) {
		/* Blocking, but it must not block: a deadline catches it. */
		ASSERT_EQ(0, send_int(w, i, i & 1 ? KIPC_IO_TIMEOUT :
						     KIPC_IO_NONBLOCK))
			TH_LOG("send %d", i);
		EXPECT_EQ(POLLOUT, poll_now(w, POLLOUT));
		EXPECT_EQ(i, recv_int(fast));
		if (i == DROP_SENDS / 2 - 1) {
			int k;

			/* half holds the newest N of the first half. */
			for (k = DROP_SENDS / 2 - DROP_N; k < DROP_SENDS / 2; k++)
				EXPECT_EQ(k, recv_int(half));
			EXPECT_EQ(-EAGAIN, recv_int(half));
		}
	}
	a = attr_of(w);
	/* slow lost SENDS - N; half lost (SENDS/2 - N) twice. */
	EXPECT_EQ((DROP_SENDS - DROP_N) + 2 * (DROP_SENDS / 2 - DROP_N),
		  a.dropped);
	EXPECT_EQ(DROP_SENDS, a.sent);
	/* Both hold the same N messages, counted once. */
	EXPECT_EQ(DROP_N, a.cur_msgs);
	EXPECT_EQ(DROP_N * sizeof(int), a.cur_bytes);

	for (i = DROP_SENDS - DROP_N; i < DROP_SENDS; i++) {
		EXPECT_EQ(i, recv_int_msg(slow, &m));
		EXPECT_EQ((uint64_t)i + 1, m.seq);
		EXPECT_EQ(i, recv_int(half));
	}
	EXPECT_EQ(-EAGAIN, recv_int(slow));
	EXPECT_EQ(-EAGAIN, recv_int(half));
	EXPECT_EQ(-EAGAIN, recv_int(fast));
	a = attr_of(w);
	EXPECT_EQ(0, a.cur_msgs);
	EXPECT_EQ(0, a.cur_bytes);
	EXPECT_EQ((DROP_SENDS - DROP_N) + 2 * (DROP_SENDS / 2 - DROP_N),
		  a.dropped);
	/* Every handle sees the same count. */
	EXPECT_EQ(a.dropped, attr_of(slow).dropped);
	close(half);
	close(slow);
	close(fast);
	close(w);
}

/* Nothing is dropped until a reader is full, then one per send. */
TEST(drop_oldest_counts_exactly)
{
	char name[64];
	int w, r, i;

	w = bq_create(name, sizeof(name), KIPC_QUEUE_DROP_OLDEST, DROP_N);
	ASSERT_LE(0, w);
	r = kt_attach(name, RD);
	ASSERT_LE(0, r);
	for (i = 0; i < DROP_N; i++)
		ASSERT_EQ(0, send_int(w, i, KIPC_IO_NONBLOCK));
	EXPECT_EQ(0, attr_of(w).dropped);
	ASSERT_EQ(0, send_int(w, DROP_N, KIPC_IO_NONBLOCK));
	EXPECT_EQ(1, attr_of(w).dropped);
	EXPECT_EQ(1, recv_int(r));
	close(r);
	close(w);
}

/* ---- receive rules ------------------------------------------------------- */

TEST(type_selectors_einval)
{
	struct kipc_msg m;
	char name[64], buf[Q_SIZE];
	int w, r;

	w = bq_create(name, sizeof(name), 0, 4);
	ASSERT_LE(0, w);
	r = kt_attach(name, RD);
	ASSERT_LE(0, r);
	ASSERT_EQ(0, kt_send(w, "typed", 5, 0, 5, 0));

	EXPECT_EQ(-EINVAL, kt_recv(r, buf, sizeof(buf), KIPC_IO_TYPE_EXACT, 5,
				   &m));
	EXPECT_EQ(KT_POISON64, m.seq);
	EXPECT_EQ(-EINVAL, kt_recv(r, buf, sizeof(buf), KIPC_IO_TYPE_EXCEPT, 0,
				   &m));
	EXPECT_EQ(KT_POISON64, m.seq);
	EXPECT_EQ(-EINVAL, kt_recv(r, buf, sizeof(buf),
				   KIPC_IO_TYPE_EXACT | KIPC_IO_NONBLOCK, 5,
				   &m));
	/* The message is still there, for a plain receive. */
	ASSERT_EQ(0, kt_recv(r, buf, sizeof(buf), KIPC_IO_PEEK, 0, &m));
	EXPECT_EQ(5, m.type);
	ASSERT_EQ(0, kt_recv(r, buf, sizeof(buf), 0, 0, &m));
	EXPECT_EQ(5, m.len);
	EXPECT_EQ(5, m.type);
	EXPECT_EQ(0, memcmp(buf, "typed", 5));
	/* Also when nothing is queued: EINVAL, not EAGAIN. */
	EXPECT_EQ(-EINVAL, kt_recv(r, buf, sizeof(buf),
				   KIPC_IO_TYPE_EXCEPT | KIPC_IO_NONBLOCK, 0,
				   NULL));
	EXPECT_EQ(-EAGAIN, kt_recv(r, buf, sizeof(buf), KIPC_IO_NONBLOCK, 0,
				   NULL));
	close(r);
	close(w);
}

/* EMSGSIZE leaves the message with this reader; TRUNC takes it. */
TEST(small_buffer_per_reader)
{
	struct kipc_msg m;
	char name[64], buf[Q_SIZE];
	int w, r1, r2;

	w = bq_create(name, sizeof(name), 0, 4);
	ASSERT_LE(0, w);
	r1 = kt_attach(name, RD);
	r2 = kt_attach(name, RD);
	ASSERT_LE(0, r1);
	ASSERT_LE(0, r2);
	ASSERT_EQ(0, kt_send(w, "0123456789", 10, 0, 0, 0));
	EXPECT_EQ(-EMSGSIZE, kt_recv(r1, buf, 4, KIPC_IO_NONBLOCK, 0, &m));
	EXPECT_EQ(10, m.len);
	ASSERT_EQ(0, kt_recv(r1, buf, 4, KIPC_IO_TRUNC, 0, &m));
	EXPECT_EQ(10, m.len);
	EXPECT_EQ(0, memcmp(buf, "0123", 4));
	EXPECT_EQ(-EAGAIN, kt_recv(r1, buf, sizeof(buf), KIPC_IO_NONBLOCK, 0,
				   NULL));
	ASSERT_EQ(0, kt_recv(r2, buf, sizeof(buf), 0, 0, &m));
	EXPECT_EQ(0, memcmp(buf, "0123456789", 10));
	close(r2);
	close(r1);
	close(w);
}

/* ---- readers coming and going ------------------------------------------- */

TEST(closing_reader_frees_backlog)
{
	struct kipc_queue_attr a;
	char name[64];
	int w, fast, slow, i;

	w = bq_create(name, sizeof(name), 0, 8);
	ASSERT_LE(0, w);
	fast = kt_attach(name, RD);
	slow = kt_attach(name, RD);
	ASSERT_LE(0, fast);
	ASSERT_LE(0, slow);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, send_int(w, i, 0));
	a = attr_of(w);
	EXPECT_EQ(3, a.cur_msgs);
	EXPECT_EQ(3 * sizeof(int), a.cur_bytes);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(i, recv_int(fast));
	/* Held by the slow reader alone now. */
	EXPECT_EQ(3, attr_of(w).cur_msgs);
	close(slow);
	a = attr_of(w);
	EXPECT_EQ(0, a.cur_msgs);
	EXPECT_EQ(0, a.cur_bytes);

	/* The last holder's close frees the rest the same way. */
	ASSERT_EQ(0, send_int(w, 7, 0));
	ASSERT_EQ(0, send_int(w, 8, 0));
	EXPECT_EQ(2, attr_of(w).cur_msgs);
	close(fast);
	EXPECT_EQ(0, attr_of(w).cur_msgs);
	EXPECT_EQ(0, attr_of(w).dropped);
	close(w);
}

/* With no reader bound, sends succeed, never wait, and keep nothing. */
TEST(no_reader_discards)
{
	struct kipc_queue_attr a;
	char name[64];
	int w, w2, r, i;

	w = bq_create(name, sizeof(name), 0, 2);
	ASSERT_LE(0, w);
	/* A write-only handle is no reader. */
	w2 = kt_attach(name, WR);
	ASSERT_LE(0, w2);
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, send_int(i & 1 ? w2 : w, i, KIPC_IO_NONBLOCK));
		EXPECT_EQ(POLLOUT, poll_now(w, POLLOUT));
	}
	ASSERT_EQ(0, send_int(w, 5, KIPC_IO_TIMEOUT));
	a = attr_of(w);
	EXPECT_EQ(0, a.cur_msgs);
	EXPECT_EQ(0, a.cur_bytes);
	EXPECT_EQ(6, a.sent);
	EXPECT_EQ(0, a.dropped);
	r = kt_attach(name, RD);
	ASSERT_LE(0, r);
	EXPECT_EQ(-EAGAIN, recv_int(r));
	ASSERT_EQ(0, send_int(w, 6, 0));
	EXPECT_EQ(6, recv_int(r));
	close(r);
	close(w2);
	close(w);
}

/* A READ|WRITE handle is a reader too, and hears itself. */
TEST(read_write_handle_is_reader)
{
	char name[64];
	int w, rw;

	w = bq_create(name, sizeof(name), 0, 2);
	ASSERT_LE(0, w);
	rw = kt_attach(name, ACC);
	ASSERT_LE(0, rw);
	ASSERT_EQ(0, send_int(rw, 1, 0));
	ASSERT_EQ(0, send_int(w, 2, 0));
	EXPECT_EQ(-EAGAIN, send_int(w, 3, KIPC_IO_NONBLOCK));
	EXPECT_EQ(1, recv_int(rw));
	EXPECT_EQ(2, recv_int(rw));
	EXPECT_EQ(-EAGAIN, recv_int(rw));
	close(rw);
	close(w);
}

/* ---- a failed copy-out racing a send ------------------------------------ */

struct stalled_recv {
	int fd;
	void *buf;
	int ret;
};

static void *thread_recv_into(void *arg)
{
	struct stalled_recv *t = arg;

	t->ret = kt_recv(t->fd, t->buf, sizeof(int), 0, 0, NULL);
	return NULL;
}

static int uffd_open(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (ioctl(fd, UFFDIO_API, &api)) {
		close(fd);
		return -errno;
	}
	return fd;
}

/*
 * A receive whose copy-out fails puts the message back at the head of the
 * reader's backlog. If a send has meanwhile filled the slot the receive
 * had freed, that must neither overwrite the new message nor hand out the
 * old one twice. userfaultfd holds the copy-out at its fault long enough
 * to send, then the page goes away so the copy fails: the reader must then
 * get each message exactly once, in order.
 */
TEST(efault_putback_with_concurrent_send)
{
	struct stalled_recv t = { .ret = 1 };
	struct uffdio_register reg;
	struct uffdio_range range;
	struct uffd_msg msg;
	struct pollfd pfd;
	int w, r, uffd, sent_c, i, v;
	char name[64];
	pthread_t th;
	void *page;

	if (!is_root())
		SKIP(return, "needs root for userfaultfd on kernel accesses");
	uffd = uffd_open();
	if (uffd < 0)
		SKIP(return, "no userfaultfd: %s", strerror(-uffd));

	w = bq_create(name, sizeof(name), 0, 2);
	ASSERT_LE(0, w);
	r = kt_attach(name, RD);
	ASSERT_LE(0, r);
	ASSERT_EQ(0, send_int(w, 0, KIPC_IO_NONBLOCK));
	ASSERT_EQ(0, send_int(w, 1, KIPC_IO_NONBLOCK));
	ASSERT_EQ(-EAGAIN, send_int(w, 9, KIPC_IO_NONBLOCK));

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)page;
	reg.range.len = 4096;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg)) TH_LOG("%s", strerror(errno));

	t.fd = r;
	t.buf = page;
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_recv_into, &t));
	/* The receive has taken message 0 and waits in its copy-out. */
	pfd.fd = uffd;
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, KT_LIVENESS_NS / 1000000));
	ASSERT_EQ(sizeof(msg), read(uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

	/* A kernel that keeps the slot taken says EAGAIN; either is fine. */
	sent_c = send_int(w, 2, KIPC_IO_NONBLOCK);
	TH_LOG("send during the copy-out: %d", sent_c);
	ASSERT_TRUE(sent_c == 0 || sent_c == -EAGAIN);

	/* Take the page away, then let the copy-out retry and fail. */
	ASSERT_EQ(0, munmap(page, 4096));
	range.start = (uintptr_t)page;
	range.len = 4096;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_WAKE, &range)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EFAULT, t.ret);

	for (i = 0; i < (sent_c ? 2 : 3); i++) {
		v = recv_int(r);
		EXPECT_EQ(i, v) TH_LOG("message %d", i);
	}
	EXPECT_EQ(-EAGAIN, recv_int(r));
	EXPECT_EQ(0, attr_of(w).cur_msgs);
	close(uffd);
	close(r);
	close(w);
}

TEST_HARNESS_MAIN
