// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc queues under several processes and threads: a long checked
 * exchange, producers and consumers with exactly-once delivery, wake-ups
 * across processes, exclusive wake-ups, and waiters that are killed,
 * signalled or lose their file descriptor while they sleep.
 *
 * Nothing here checks speed; deadlines only turn a lost wake-up into a
 * failure instead of a hang.
 */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"
#include "kipc_test.h"

#define ACC		KT_ALL_ACCESS
#define CREATE		(KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL | KIPC_QUEUE_AUTO_DELETE)

static void *shared_map(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int send_live(int fd, const void *buf, uint32_t len, uint32_t prio,
		     uint64_t type)
{
	return kt_send_full(fd, buf, len, prio, type, KIPC_IO_TIMEOUT,
			    kt_mono_ns() + KT_LIVENESS_NS);
}

/* The state letter of a task from /proc, or 0. */
static char task_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

FIXTURE(st) {
	char name[64];
};

FIXTURE_SETUP(st)
{
	kt_name(self->name, sizeof(self->name), "st");
}

FIXTURE_TEARDOWN(st)
{
}

/* ---- two processes, 100,000 checked messages ---------------------------- */

#define EX_N		100000
#define EX_WINDOW	32
#define EX_MAX		64

static uint32_t ex_len(uint32_t key)
{
	return 12 + (key * 7) % (EX_MAX - 11);
}

static void ex_fill(uint8_t *buf, uint32_t key)
{
	uint32_t len = ex_len(key), j, h;

	memcpy(buf, &key, 4);
	for (j = 4; j < len - 4; j++)
		buf[j] = (uint8_t)(key * 31 + j * 7);
	h = kt_fnv1a(buf, len - 4);
	memcpy(buf + len - 4, &h, 4);
}

static int ex_ok(const uint8_t *buf, uint32_t len, uint32_t key)
{
	uint32_t got, h;

	if (len != ex_len(key))
		return 0;
	memcpy(&got, buf, 4);
	memcpy(&h, buf + len - 4, 4);
	return got == key && h == kt_fnv1a(buf, len - 4);
}

/*
 * The parent sends 100,000 messages of varying length with a checksum;
 * the child checks each (content, order, sequence number, sender) and
 * answers with one of its own, which the parent checks the same way. At
 * most EX_WINDOW messages are in flight, so neither side can block the
 * other for good.
 */
TEST_F_TIMEOUT(st, exchange_100k_checked, 300)
{
	uint8_t buf[EX_MAX];
	char back[64];
	uint32_t sent = 0, got = 0;
	struct kipc_msg m;
	pid_t parent = getpid(), pid;
	int q1, q2, bad = 0;

	q1 = kt_queue(self->name, CREATE | ACC, 0600, EX_WINDOW, EX_MAX);
	ASSERT_LE(0, q1) TH_LOG("%s", strerror(-q1));
	kt_name(back, sizeof(back), "stback");
	q2 = kt_queue(back, CREATE | ACC, 0600, EX_WINDOW, EX_MAX);
	ASSERT_LE(0, q2) TH_LOG("%s", strerror(-q2));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint32_t i;

		for (i = 0; i < EX_N; i++) {
			memset(buf, 0, sizeof(buf));
			KT_CHILD_TRUE(kt_recv_live(q1, buf, sizeof(buf), 0, 0, &m) >= 0);
			if (!ex_ok(buf, m.len, i) || m.seq != (uint64_t)i + 1 ||
			    m.type != i || m.pid != parent) {
				fprintf(stderr, "# child: message %u: len %u seq %llu type %llu pid %d\n",
					i, m.len, (unsigned long long)m.seq,
					(unsigned long long)m.type, m.pid);
				_exit(1);
			}
			ex_fill(buf, i | 0x80000000u);
			KT_CHILD_EQ(0, send_live(q2, buf, ex_len(i | 0x80000000u),
						 0, i));
		}
		_exit(0);
	}

	while (got < EX_N && !bad) {
		if (sent < EX_N && sent - got < EX_WINDOW) {
			ex_fill(buf, sent);
			if (send_live(q1, buf, ex_len(sent), 0, sent)) {
				TH_LOG("send %u failed", sent);
				bad = 1;
				break;
			}
			sent++;
			continue;
		}
		memset(buf, 0, sizeof(buf));
		if (kt_recv_live(q2, buf, sizeof(buf), 0, 0, &m) < 0) {
			TH_LOG("receive of reply %u failed", got);
			bad = 1;
			break;
		}
		if (!ex_ok(buf, m.len, got | 0x80000000u) ||
		    m.seq != (uint64_t)got + 1 || m.pid != pid) {
			TH_LOG("reply %u: len %u seq %llu pid %d", got, m.len,
			       (unsigned long long)m.seq, m.pid);
			bad = 1;
			break;
		}
		got++;
	}
	if (bad)
		kill(pid, SIGKILL);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, kt_wait_child(pid));
	EXPECT_EQ(EX_N, got);
	EXPECT_EQ(0, kt_cur_msgs(q1));
	EXPECT_EQ(0, kt_cur_msgs(q2));
	close(q1);
	close(q2);
}

/* ---- 4 producers, 4 consumers, every message exactly once --------------- */

#define MP_P		4
#define MP_C		4
#define MP_M		5000
#define MP_BATCH	16
#define MP_DATA		1
#define MP_STOP		2

struct mp_payload {
	uint32_t producer;
	uint32_t counter;
};

struct mp_shared {
	uint32_t seen[MP_P][MP_M];
	uint32_t per_consumer[MP_C];
};

static int mp_producer(int fd, uint32_t p)
{
	struct mp_payload pl[MP_BATCH];
	struct kipc_msg m[MP_BATCH];
	uint32_t c = 0, n, i;
	int ret;

	while (c < MP_M) {
		if (p < 2) {
			pl[0].producer = p;
			pl[0].counter = c;
			if (send_live(fd, &pl[0], sizeof(pl[0]), p & 1, MP_DATA))
				return 1;
			c++;
			continue;
		}
		/* Producers 2 and 3 send in batches. */
		n = MP_M - c < MP_BATCH ? MP_M - c : MP_BATCH;
		memset(m, 0, sizeof(m));
		for (i = 0; i < n; i++) {
			pl[i].producer = p;
			pl[i].counter = c + i;
			m[i].buf = (uintptr_t)&pl[i];
			m[i].len = sizeof(pl[i]);
			m[i].prio = p & 1;
			m[i].type = MP_DATA;
		}
		ret = kt_batch(fd, KIPC_IOC_QUEUE_SEND_BATCH, KIPC_IO_TIMEOUT,
			       kt_mono_ns() + KT_LIVENESS_NS, m, n, sizeof(m[0]));
		if (ret <= 0 || (uint32_t)ret > n) {
			fprintf(stderr, "# producer %u: batch returned %d\n", p, ret);
			return 1;
		}
		c += ret;
	}
	return 0;
}

static int mp_consumer(int fd, uint32_t k, struct mp_shared *sh)
{
	struct mp_payload pl[MP_BATCH];
	struct kipc_msg m[MP_BATCH];
	int64_t last[MP_P];
	uint32_t i, stops = 0;
	int n;

	for (i = 0; i < MP_P; i++)
		last[i] = -1;
	while (!stops) {
		memset(m, 0, sizeof(m));
		for (i = 0; i < MP_BATCH; i++) {
			m[i].buf = (uintptr_t)&pl[i];
			m[i].len = sizeof(pl[i]);
		}
		if (k < 2) {
			n = kt_io(fd, KIPC_IOC_QUEUE_RECV, KIPC_IO_TIMEOUT,
				  kt_mono_ns() + KT_LIVENESS_NS, &m[0]);
			if (n >= 0)
				n = 1;
		} else {
			/* Consumers 2 and 3 receive in batches. */
			n = kt_batch(fd, KIPC_IOC_QUEUE_RECV_BATCH, KIPC_IO_TIMEOUT,
				     kt_mono_ns() + KT_LIVENESS_NS, m, MP_BATCH,
				     sizeof(m[0]));
		}
		if (n <= 0) {
			fprintf(stderr, "# consumer %u: receive returned %d\n", k, n);
			return 1;
		}
		for (i = 0; i < (uint32_t)n; i++) {
			if (m[i].type == MP_STOP) {
				stops++;
				continue;
			}
			if (m[i].type != MP_DATA || m[i].len != sizeof(pl[i]) ||
			    pl[i].producer >= MP_P || pl[i].counter >= MP_M) {
				fprintf(stderr, "# consumer %u: bad message type %llu len %u\n",
					k, (unsigned long long)m[i].type, m[i].len);
				return 1;
			}
			/* Each producer's messages arrive in its order. */
			if ((int64_t)pl[i].counter <= last[pl[i].producer]) {
				fprintf(stderr, "# consumer %u: producer %u counter %u after %lld\n",
					k, pl[i].producer, pl[i].counter,
					(long long)last[pl[i].producer]);
				return 1;
			}
			last[pl[i].producer] = pl[i].counter;
			__atomic_fetch_add(&sh->seen[pl[i].producer][pl[i].counter],
					   1, __ATOMIC_RELAXED);
			sh->per_consumer[k]++;
		}
	}
	/* A batch may hold several stop marks: pass the extra ones on. */
	while (--stops)
		if (send_live(fd, "", 0, 0, MP_STOP))
			return 1;
	return 0;
}

TEST_F_TIMEOUT(st, mpmc_4x4_exactly_once, 300)
{
	struct mp_shared *sh = shared_map(sizeof(*sh));
	pid_t prod[MP_P], cons[MP_C];
	uint32_t p, c, missing = 0, dup = 0;
	int fd, i;

	ASSERT_NE(NULL, sh);
	fd = kt_queue(self->name, CREATE | ACC, 0600, 32, sizeof(struct mp_payload));
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));

	for (i = 0; i < MP_C; i++) {
		cons[i] = fork();
		ASSERT_LE(0, cons[i]);
		if (cons[i] == 0)
			_exit(mp_consumer(fd, i, sh));
	}
	for (i = 0; i < MP_P; i++) {
		prod[i] = fork();
		ASSERT_LE(0, prod[i]);
		if (prod[i] == 0)
			_exit(mp_producer(fd, i));
	}
	for (i = 0; i < MP_P; i++)
		EXPECT_EQ(0, kt_wait_child(prod[i])) TH_LOG("producer %d", i);
	/* All data is queued ahead of the stop marks (same or lower prio). */
	for (i = 0; i < MP_C; i++)
		EXPECT_EQ(0, send_live(fd, "", 0, 0, MP_STOP));
	for (i = 0; i < MP_C; i++)
		EXPECT_EQ(0, kt_wait_child(cons[i])) TH_LOG("consumer %d", i);

	for (p = 0; p < MP_P; p++)
		for (c = 0; c < MP_M; c++) {
			if (sh->seen[p][c] == 0 && missing++ < 5)
				TH_LOG("lost: producer %u message %u", p, c);
			if (sh->seen[p][c] > 1 && dup++ < 5)
				TH_LOG("duplicate: producer %u message %u (%u times)",
				       p, c, sh->seen[p][c]);
		}
	EXPECT_EQ(0, missing);
	EXPECT_EQ(0, dup);
	for (i = 0; i < MP_C; i++)
		TH_LOG("consumer %d took %u messages", i, sh->per_consumer[i]);
	EXPECT_EQ(0, kt_cur_msgs(fd));
	close(fd);
	munmap(sh, sizeof(*sh));
}

/* ---- wake-ups across processes ---------------------------------------------- */

TEST_F(st, recv_woken_by_other_process)
{
	pid_t parent = getpid(), pid;
	struct kipc_msg m;
	uint32_t v = 0;
	int fd;

	fd = kt_queue(self->name, CREATE | ACC, 0600, 4, 8);
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint32_t x = 0xfeed;

		KT_CHILD_EQ(0, kt_wait_blocked(parent, SYS_ioctl));
		KT_CHILD_EQ(0, kt_send(fd, &x, sizeof(x), 0, 0, 0));
		_exit(0);
	}
	ASSERT_LE(0, kt_recv_live(fd, &v, sizeof(v), 0, 0, &m));
	EXPECT_EQ(0xfeed, v);
	EXPECT_EQ(pid, m.pid);
	EXPECT_EQ(0, kt_wait_child(pid));
	close(fd);
}

TEST_F(st, send_woken_by_other_process)
{
	pid_t parent = getpid(), pid;
	uint32_t v = 1;
	int fd;

	fd = kt_queue(self->name, CREATE | ACC, 0600, 1, 8);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_send(fd, &v, sizeof(v), 0, 0, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		KT_CHILD_EQ(0, kt_wait_blocked(parent, SYS_ioctl));
		KT_CHILD_TRUE(kt_recv(fd, &v, sizeof(v), 0, 0, NULL) >= 0);
		KT_CHILD_EQ(1, v);
		_exit(0);
	}
	v = 2;
	EXPECT_EQ(0, send_live(fd, &v, sizeof(v), 0, 0));
	EXPECT_EQ(0, kt_wait_child(pid));
	EXPECT_LE(0, kt_recv(fd, &v, sizeof(v), KIPC_IO_NONBLOCK, 0, NULL));
	EXPECT_EQ(2, v);
	close(fd);
}

/*
 * Four processes sleep in one operation; freeing @units units at once (a
 * batch of messages for receivers, of slots for senders) must wake exactly
 * @units of them. The others must not even be woken: their voluntary
 * context switches stay put.
 */
#define EW_N	4

struct ew_shared {
	uint32_t got[EW_N];
};

static void exclusive_wake(struct __test_metadata *_metadata, const char *name,
			   int senders, int units)
{
	struct ew_shared *sh = shared_map(sizeof(*sh));
	uint32_t vals[EW_N], v, seen = 0, pre = 0;
	struct kipc_msg m[EW_N];
	int done[EW_N] = { 0 };
	pid_t kids[EW_N];
	long sw[EW_N], now;
	int fd, i, j, status;

	ASSERT_NE(NULL, sh);
	fd = kt_queue(name, CREATE | ACC, 0600, units, 8);
	ASSERT_LE(0, fd);
	for (j = 0; senders && j < units; j++) {
		v = 1000 + j;
		ASSERT_EQ(0, kt_send(fd, &v, sizeof(v), 0, 0, 0));
	}
	for (i = 0; i < EW_N; i++) {
		kids[i] = fork();
		ASSERT_LE(0, kids[i]);
		if (kids[i] == 0) {
			uint32_t x = 100 + i;

			if (senders) {
				KT_CHILD_EQ(0, send_live(fd, &x, sizeof(x), 0, 0));
			} else {
				KT_CHILD_TRUE(kt_recv_live(fd, &x, sizeof(x), 0, 0, NULL) >= 0);
				sh->got[i] = x;
			}
			_exit(0);
		}
		ASSERT_EQ(0, kt_wait_blocked(kids[i], SYS_ioctl));
	}
	for (i = 0; i < EW_N; i++) {
		sw[i] = kt_voluntary_switches(kids[i]);
		ASSERT_LE(0, sw[i]);
	}

	/* @units units in one call: messages, or free slots. */
	memset(m, 0, sizeof(m));
	for (j = 0; j < units; j++) {
		vals[j] = j;
		m[j].buf = (uintptr_t)&vals[j];
		m[j].len = sizeof(vals[j]);
	}
	if (senders) {
		ASSERT_EQ(units, kt_recv_batch(fd, m, units, 0));
		for (j = 0; j < units; j++)
			pre |= 1u << (vals[j] - 1000);
		EXPECT_EQ((1u << units) - 1, pre);
	} else {
		ASSERT_EQ(units, kt_send_batch(fd, m, units, 0));
	}
	for (j = 0; j < units; j++) {
		pid_t winner = waitpid(-1, &status, 0);

		ASSERT_LT(0, winner);
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		for (i = 0; i < EW_N; i++)
			if (kids[i] == winner)
				done[i] = 1;
	}
	EXPECT_EQ(senders ? units : 0, kt_cur_msgs(fd));

	/* Give a wrongly woken waiter time to show itself. */
	kt_sleep_ms(100);
	for (i = 0; i < EW_N; i++) {
		if (done[i])
			continue;
		EXPECT_EQ('S', task_state(kids[i])) TH_LOG("waiter %d", i);
		now = kt_voluntary_switches(kids[i]);
		EXPECT_EQ(sw[i], now) TH_LOG("waiter %d was woken for nothing (%ld -> %ld switches)",
					     i, sw[i], now);
	}

	/* Release the rest, one unit each. */
	for (j = units; j < EW_N; j++) {
		if (senders) {
			ASSERT_LE(0, kt_recv_live(fd, &v, sizeof(v), 0, 0, NULL));
			seen |= 1u << (v - 100);
		} else {
			v = j;
			ASSERT_EQ(0, kt_send(fd, &v, sizeof(v), 0, 0, 0));
		}
	}
	for (i = 0; i < EW_N; i++)
		if (!done[i])
			EXPECT_EQ(0, kt_wait_child(kids[i]));
	if (senders) {
		while (kt_recv(fd, &v, sizeof(v), KIPC_IO_NONBLOCK, 0, NULL) >= 0)
			seen |= 1u << (v - 100);
	} else {
		for (i = 0; i < EW_N; i++)
			seen |= 1u << sh->got[i];
	}
	EXPECT_EQ((1u << EW_N) - 1, seen);
	EXPECT_EQ(0, kt_cur_msgs(fd));
	close(fd);
	munmap(sh, sizeof(*sh));
}

TEST_F(st, exclusive_wake_receivers)
{
	exclusive_wake(_metadata, self->name, 0, 1);
}

TEST_F(st, exclusive_wake_senders)
{
	exclusive_wake(_metadata, self->name, 1, 1);
}

/* A batch of two messages wakes two receivers, not a third. */
TEST_F(st, exclusive_wake_receivers_batch)
{
	exclusive_wake(_metadata, self->name, 0, 2);
}

/* A batch receive that frees two slots wakes two senders, not a third. */
TEST_F(st, exclusive_wake_senders_batch)
{
	exclusive_wake(_metadata, self->name, 1, 2);
}

/*
 * A waiter woken for a message it then leaves behind (a peek, or a buffer
 * too small) must pass the wake-up on to another waiter that can take it.
 */
static void wake_passed_on(struct __test_metadata *_metadata, const char *name,
			   int peek)
{
	uint8_t big[32];
	pid_t first, second;
	int fd;

	fd = kt_queue(name, CREATE | ACC, 0600, 4, sizeof(big));
	ASSERT_LE(0, fd);
	first = fork();
	ASSERT_LE(0, first);
	if (first == 0) {
		struct kipc_msg m;
		uint8_t b[32];

		if (peek) {
			KT_CHILD_TRUE(kt_recv_live(fd, b, sizeof(b), KIPC_IO_PEEK,
						   0, &m) >= 0);
			KT_CHILD_EQ(sizeof(big), m.len);
		} else {
			/* Too small: EMSGSIZE, and the message stays. */
			KT_CHILD_EQ(-EMSGSIZE, kt_recv_live(fd, b, 4, 0, 0, &m));
			KT_CHILD_EQ(sizeof(big), m.len);
		}
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_blocked(first, SYS_ioctl));
	second = fork();
	ASSERT_LE(0, second);
	if (second == 0) {
		uint8_t b[32];

		KT_CHILD_TRUE(kt_recv_live(fd, b, sizeof(b), 0, 0, NULL) >= 0);
		KT_CHILD_EQ(0x5a, b[31]);
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_blocked(second, SYS_ioctl));

	memset(big, 0x5a, sizeof(big));
	ASSERT_EQ(0, kt_send(fd, big, sizeof(big), 0, 0, 0));
	EXPECT_EQ(0, kt_wait_child(first));
	EXPECT_EQ(0, kt_wait_child(second)) TH_LOG("the second waiter was never woken");
	EXPECT_EQ(0, kt_cur_msgs(fd));
	close(fd);
}

TEST_F(st, peek_waiter_passes_wakeup_on)
{
	wake_passed_on(_metadata, self->name, 1);
}

TEST_F(st, small_buffer_waiter_passes_wakeup_on)
{
	wake_passed_on(_metadata, self->name, 0);
}

/*
 * Waiters that select different types: a message must reach the waiter
 * that accepts it, whichever of them sleeps first.
 */
static pid_t typed_waiter(int fd, uint32_t flags, uint64_t type)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct kipc_msg m;
		uint32_t v;

		KT_CHILD_TRUE(kt_recv_live(fd, &v, sizeof(v), flags, type, &m) >= 0);
		if (flags & KIPC_IO_TYPE_EXACT)
			KT_CHILD_EQ(type, m.type);
		else
			KT_CHILD_TRUE(m.type != type);
		_exit(0);
	}
	return pid;
}

TEST_F(st, selective_waiters_no_lost_wakeup)
{
	static const struct {
		uint32_t flags_a, flags_b;
		uint64_t type_a, type_b, first;
	} cases[] = {
		/* The second sleeper's type comes first. */
		{ KIPC_IO_TYPE_EXACT, KIPC_IO_TYPE_EXACT, 1, 2, 2 },
		{ KIPC_IO_TYPE_EXACT, KIPC_IO_TYPE_EXACT, 1, 2, 1 },
		{ KIPC_IO_TYPE_EXACT, KIPC_IO_TYPE_EXCEPT, 1, 1, 2 },
		{ KIPC_IO_TYPE_EXCEPT, KIPC_IO_TYPE_EXACT, 5, 5, 5 },
	};
	unsigned int i;
	int fd;

	fd = kt_queue(self->name, CREATE | ACC, 0600, 4, 8);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t second;
		pid_t a, b, first_done;
		uint32_t v = i;
		int status;

		a = typed_waiter(fd, cases[i].flags_a, cases[i].type_a);
		ASSERT_LT(0, a);
		ASSERT_EQ(0, kt_wait_blocked(a, SYS_ioctl));
		b = typed_waiter(fd, cases[i].flags_b, cases[i].type_b);
		ASSERT_LT(0, b);
		ASSERT_EQ(0, kt_wait_blocked(b, SYS_ioctl));

		ASSERT_EQ(0, kt_send(fd, &v, sizeof(v), 0, cases[i].first, 0));
		first_done = waitpid(-1, &status, 0);
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("case %u: waiter failed (a lost wake-up times out)", i);
		/* Now a message that only the other one accepts. */
		if (first_done == a)
			second = cases[i].flags_b & KIPC_IO_TYPE_EXACT ?
				 cases[i].type_b : cases[i].type_b + 100;
		else
			second = cases[i].flags_a & KIPC_IO_TYPE_EXACT ?
				 cases[i].type_a : cases[i].type_a + 100;
		ASSERT_EQ(0, kt_send(fd, &v, sizeof(v), 0, second, 0));
		EXPECT_EQ(0, kt_wait_child(first_done == a ? b : a)) TH_LOG("case %u", i);
		EXPECT_EQ(0, kt_cur_msgs(fd));
	}
	close(fd);
}

/* ---- killed waiters ------------------------------------------------------------- */

TEST_F(st, kill_blocked_receiver)
{
	struct kipc_queue_attr a;
	uint32_t v;
	pid_t pid;
	int fd;

	fd = kt_queue(self->name, CREATE | ACC, 0600, 4, 8);
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		kt_recv(fd, &v, sizeof(v), 0, 0, NULL);
		_exit(3);
	}
	ASSERT_EQ(0, kt_wait_blocked(pid, SYS_ioctl));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, kt_wait_child(pid));

	/* The queue works, and a message now is not eaten by the dead. */
	v = 77;
	ASSERT_EQ(0, kt_send(fd, &v, sizeof(v), 0, 0, 0));
	ASSERT_EQ(0, kt_getattr(fd, &a));
	EXPECT_EQ(1, a.cur_msgs);
	EXPECT_EQ(0, a.received);
	v = 0;
	ASSERT_LE(0, kt_recv(fd, &v, sizeof(v), KIPC_IO_NONBLOCK, 0, NULL));
	EXPECT_EQ(77, v);
	close(fd);
}

TEST_F(st, kill_blocked_sender)
{
	uint32_t v, seen = 0, extra = 0;
	pid_t pid;
	int fd, i;

	fd = kt_queue(self->name, CREATE | ACC, 0600, 4, 8);
	ASSERT_LE(0, fd);
	for (v = 0; v < 4; v++)
		ASSERT_EQ(0, kt_send(fd, &v, sizeof(v), 0, 0, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		v = 99;
		kt_send(fd, &v, sizeof(v), 0, 0, 0);
		_exit(3);
	}
	ASSERT_EQ(0, kt_wait_blocked(pid, SYS_ioctl));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, kt_wait_child(pid));

	/* A killed sleeper sent nothing; the queued messages are intact. */
	EXPECT_EQ(4, kt_cur_msgs(fd));
	for (i = 0; i < 4; i++) {
		ASSERT_LE(0, kt_recv(fd, &v, sizeof(v), KIPC_IO_NONBLOCK, 0, NULL));
		if (v == 99)
			extra++;
		else
			seen |= 1u << v;
	}
	EXPECT_EQ(0, extra);
	EXPECT_EQ(0xf, seen);
	v = 5;
	EXPECT_EQ(0, kt_send(fd, &v, sizeof(v), 0, 0, KIPC_IO_NONBLOCK));
	EXPECT_LE(0, kt_recv(fd, &v, sizeof(v), KIPC_IO_NONBLOCK, 0, NULL));
	close(fd);
}

/*
 * Receivers are killed around the moment a message arrives. Each child
 * receives straight into a MAP_SHARED slot, so whatever the kernel copied
 * out is visible even when the child dies right after; every message must
 * end up exactly once in a slot or still in the queue.
 */
#define KR_ITER		128
#define KR_MAGIC	0x4b495043u

struct kr_slot {
	uint32_t magic;
	uint32_t id;
};

TEST_F_TIMEOUT(st, kill_race_no_loss, 120)
{
	struct kr_slot *slots = shared_map(KR_ITER * sizeof(*slots));
	uint8_t count[KR_ITER];
	struct kipc_queue_attr a;
	struct kr_slot s;
	int fd, i, bad = 0, in_slots = 0, in_queue = 0;

	ASSERT_NE(NULL, slots);
	memset(count, 0, sizeof(count));
	fd = kt_queue(self->name, CREATE | ACC, 0600, KR_ITER, sizeof(s));
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));

	for (i = 0; i < KR_ITER; i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0) {
			kt_recv_live(fd, &slots[i], sizeof(slots[i]), 0, 0, NULL);
			_exit(0);
		}
		s.magic = KR_MAGIC;
		s.id = i;
		switch (i % 4) {
		case 0:	/* asleep, then a message and the kill at once */
			kt_wait_blocked(pid, SYS_ioctl);
			ASSERT_EQ(0, kt_send(fd, &s, sizeof(s), 0, 0, 0));
			kill(pid, SIGKILL);
			break;
		case 1:	/* possibly not asleep yet */
			ASSERT_EQ(0, kt_send(fd, &s, sizeof(s), 0, 0, 0));
			kill(pid, SIGKILL);
			break;
		case 2:	/* killed first, then the message */
			kt_wait_blocked(pid, SYS_ioctl);
			kill(pid, SIGKILL);
			ASSERT_EQ(0, kt_send(fd, &s, sizeof(s), 0, 0, 0));
			break;
		default: /* killed a little after the message */
			kt_wait_blocked(pid, SYS_ioctl);
			ASSERT_EQ(0, kt_send(fd, &s, sizeof(s), 0, 0, 0));
			sched_yield();
			kill(pid, SIGKILL);
			break;
		}
		kt_wait_child(pid);
	}

	for (i = 0; i < KR_ITER; i++) {
		if (slots[i].magic == 0)
			continue;
		if (slots[i].magic != KR_MAGIC || slots[i].id >= KR_ITER) {
			bad++;
			continue;
		}
		count[slots[i].id]++;
		in_slots++;
	}
	while (kt_recv(fd, &s, sizeof(s), KIPC_IO_NONBLOCK, 0, NULL) >= 0) {
		if (s.magic != KR_MAGIC || s.id >= KR_ITER) {
			bad++;
			continue;
		}
		count[s.id]++;
		in_queue++;
	}
	TH_LOG("%d received by children, %d left in the queue", in_slots, in_queue);
	EXPECT_EQ(0, bad);
	for (i = 0; i < KR_ITER; i++)
		EXPECT_EQ(1, count[i]) TH_LOG("message %d", i);
	ASSERT_EQ(0, kt_getattr(fd, &a));
	EXPECT_EQ(0, a.cur_msgs);
	EXPECT_EQ(KR_ITER, a.sent);
	EXPECT_EQ(KR_ITER, a.received);
	close(fd);
	munmap(slots, KR_ITER * sizeof(*slots));
}

/* ---- the handle closed under a sleeping thread -------------------------- */

struct waiter {
	int fd;
	int send;
	pid_t tid;
	int ret;
	uint32_t v;
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;

	__atomic_store_n(&w->tid, kt_gettid(), __ATOMIC_RELEASE);
	if (w->send)
		w->ret = send_live(w->fd, &w->v, sizeof(w->v), 0, 0);
	else
		w->ret = kt_recv_live(w->fd, &w->v, sizeof(w->v), 0, 0, NULL);
	return NULL;
}

static int start_waiter(pthread_t *th, struct waiter *w)
{
	int64_t end = kt_mono_ns() + KT_LIVENESS_NS;

	if (pthread_create(th, NULL, waiter_fn, w))
		return -1;
	while (!__atomic_load_n(&w->tid, __ATOMIC_ACQUIRE))
		if (kt_mono_ns() > end)
			return -1;
	return kt_wait_blocked_tid(getpid(), w->tid, SYS_ioctl);
}

/* The sleeper keeps its file: a later message still reaches it. */
TEST_F(st, close_while_receiving)
{
	struct waiter w = { 0 };
	pthread_t th;
	uint32_t v = 4242;
	int other;

	w.fd = kt_queue(self->name, CREATE | ACC, 0600, 4, 8);
	ASSERT_LE(0, w.fd);
	other = kt_attach(self->name, ACC);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, start_waiter(&th, &w));
	ASSERT_EQ(0, close(w.fd));
	kt_sleep_ms(20);
	ASSERT_EQ(0, kt_send(other, &v, sizeof(v), 0, 0, 0));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_LE(0, w.ret) TH_LOG("%s", strerror(-w.ret));
	EXPECT_EQ(4242, w.v);
	EXPECT_EQ(0, kt_cur_msgs(other));
	close(other);
}

TEST_F(st, close_while_sending)
{
	struct waiter w = { 0 };
	pthread_t th;
	uint32_t v = 1;
	int other;

	w.fd = kt_queue(self->name, CREATE | ACC, 0600, 1, 8);
	ASSERT_LE(0, w.fd);
	other = kt_attach(self->name, ACC);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, kt_send(other, &v, sizeof(v), 0, 0, 0));
	w.send = 1;
	w.v = 2;
	ASSERT_EQ(0, start_waiter(&th, &w));
	ASSERT_EQ(0, close(w.fd));
	kt_sleep_ms(20);
	ASSERT_LE(0, kt_recv(other, &v, sizeof(v), 0, 0, NULL));
	EXPECT_EQ(1, v);
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, w.ret) TH_LOG("%s", strerror(-w.ret));
	ASSERT_LE(0, kt_recv(other, &v, sizeof(v), KIPC_IO_NONBLOCK, 0, NULL));
	EXPECT_EQ(2, v);
	close(other);
}

static void on_usr1(int sig)
{
	(void)sig;
}

/*
 * The only handle of an auto-delete queue is closed under a sleeper, which
 * a signal then interrupts. The queue goes with the sleeper's reference.
 */
TEST_F(st, close_last_handle_while_waiting)
{
	struct waiter w = { 0 };
	pthread_t th;
	int fd;

	ASSERT_EQ(0, kt_signal(SIGUSR1, on_usr1, 0));
	w.fd = kt_queue(self->name, CREATE | ACC, 0600, 4, 8);
	ASSERT_LE(0, w.fd);
	ASSERT_EQ(0, start_waiter(&th, &w));
	ASSERT_EQ(0, close(w.fd));
	kt_sleep_ms(20);
	ASSERT_EQ(0, pthread_kill(th, SIGUSR1));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EINTR, w.ret);
	/* The last reference is gone, and the queue with it. */
	fd = kt_attach(self->name, ACC);
	EXPECT_EQ(-ENOENT, fd);
	if (fd >= 0)
		close(fd);
}

TEST_HARNESS_MAIN
