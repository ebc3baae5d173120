// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc when its users die: children are killed with SIGKILL at random
 * points while they are blocked in a send on a full queue or a receive on
 * an empty one, in batch calls, while they hold a robust lock in a region,
 * while they map and unmap a region, and while they create and delete
 * objects. After each kill the parent checks that the queue still works
 * and lost nothing, and that the lock can be recovered; at the end of
 * each test the module holds the objects it held before.
 *
 * The accounting is exact. A child records a message only after its call
 * returned, so it may die with one call (one batch) done but unrecorded;
 * the queue's own counters (sent, received) say what the kernel accepted
 * and handed out, and every message the kernel accepted must be either
 * recorded by a receiver, counted as received by the kernel, or still in
 * the queue, in order.
 *
 * KIPC_KILLS (default 50) is the number of kills over all the tests;
 * KIPC_KILL_SEED repeats a run.
 */

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libkipc.h>

#include "kselftest_harness.h"
#include "hardening.h"

#define NTESTS		6
#define Q_MSGS		4
#define MAX_PAYLOAD	320
#define MAX_SEQ		4096
#define MAX_BATCH	8
#define R_PAGES		16
#define NAMES		64
#define RW		KT_ALL_ACCESS

/* ---- checksummed messages: who sent it, its number, its length ---- */

struct msg_hdr {
	uint32_t id;
	uint32_t seq;
	uint32_t len;
	uint32_t csum;
};

static uint32_t m_len(uint32_t id, uint32_t seq)
{
	uint32_t h = (id * 0x9e3779b1u) ^ (seq * 0x85ebca6bu);

	h ^= h >> 13;
	return sizeof(struct msg_hdr) + h % (MAX_PAYLOAD - sizeof(struct msg_hdr) + 1);
}

static uint32_t m_sum(const uint8_t *buf, uint32_t len)
{
	return kt_fnv1a(buf + sizeof(struct msg_hdr), len - sizeof(struct msg_hdr)) ^
	       kt_fnv1a(buf, offsetof(struct msg_hdr, csum));
}

static uint32_t m_fill(uint8_t *buf, uint32_t id, uint32_t seq)
{
	struct msg_hdr h = { id, seq, m_len(id, seq), 0 };
	uint32_t i;

	memcpy(buf, &h, sizeof(h));
	for (i = sizeof(h); i < h.len; i++)
		buf[i] = (uint8_t)(id * 3 + seq * 5 + i);
	h.csum = m_sum(buf, h.len);
	memcpy(buf + offsetof(struct msg_hdr, csum), &h.csum, 4);
	return h.len;
}

/* 0 and the message's id and seq if it is intact, else -1. */
static int m_check(const uint8_t *buf, uint32_t len, uint32_t *id,
		   uint32_t *seq)
{
	struct msg_hdr h;

	if (len < sizeof(h))
		return -1;
	memcpy(&h, buf, sizeof(h));
	if (h.len != len || len != m_len(h.id, h.seq) || h.csum != m_sum(buf, len))
		return -1;
	*id = h.id;
	*seq = h.seq;
	return 0;
}

/* ---- what a child shares with the parent ---- */

struct lock_area {
	struct kipc_region_lock lock;
	uint64_t a, b;			/* b == a whenever the lock is free */
	uint32_t holding;
};

struct ksh {
	uint64_t done;			/* calls the child saw succeed */
	uint32_t kills, asleep;		/* kills, and those of a sleeping child */
	uint32_t unrecorded;		/* a call done, the child killed before it knew */
	uint32_t nnames;
	uint8_t got[MAX_SEQ];		/* receivers: seqs they recorded */
	char names[NAMES][96];		/* churn: names it may have made */
};

FIXTURE(kill) {
	struct hd_stats base;
	struct hd_rng rng;
	struct ksh *sh;
	int per_test;
	int64_t t0;
	char qname[96];
	int q;
};

FIXTURE_SETUP(kill)
{
	long kills = hd_env_long("KIPC_KILLS", 50, 1, 100000000);
	uint64_t seed = hd_seed("KIPC_KILL_SEED");

	self->t0 = kt_mono_ns();
	self->per_test = (int)((kills + NTESTS - 1) / NTESTS);
	self->rng.s = seed;
	TH_LOG("KIPC_KILLS=%ld: %d kills in this test; KIPC_KILL_SEED=%llu",
	       kills, self->per_test, (unsigned long long)seed);
	ASSERT_EQ(0, hd_stats_get(&self->base)) TH_LOG("netlink stats-get failed");
	self->sh = hd_shared(sizeof(*self->sh));
	ASSERT_NE(NULL, self->sh);
	hd_name(self->qname, sizeof(self->qname), "kq");
	self->q = kt_queue(self->qname, KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL | RW,
			   0600, Q_MSGS, MAX_PAYLOAD);
	ASSERT_LE(0, self->q) TH_LOG("create: %s", strerror(-self->q));
}

FIXTURE_TEARDOWN(kill)
{
	if (self->q >= 0) {
		close(self->q);
		kt_unlink(self->qname);
	}
	if (self->sh)
		munmap(self->sh, sizeof(*self->sh));
}

/*
 * Ends a test: the fixture's queue goes, and the module's objects are back
 * at the baseline (polled: a dead child's files may close a little later).
 */
static void finish(struct __test_metadata *_metadata, FIXTURE_DATA(kill) *self)
{
	struct hd_stats now;
	int ret;

	TH_LOG("%u kills in %.1f s, %u of a child asleep in the kernel; %u left a call done but unrecorded",
	       self->sh->kills, (kt_mono_ns() - self->t0) / 1e9, self->sh->asleep,
	       self->sh->unrecorded);
	if (self->q >= 0) {
		EXPECT_EQ(0, kt_cur_msgs(self->q));
		close(self->q);
		self->q = -1;
		EXPECT_EQ(0, kt_unlink(self->qname));
	}
	ret = hd_stats_wait_base(&self->base, 5000, &now);
	EXPECT_LE(0, ret) TH_LOG("objects left: %u queues, %u regions (baseline %u, %u)",
				 now.queues, now.regions, self->base.queues,
				 self->base.regions);
}

static void spin_us(uint32_t us)
{
	int64_t end = kt_mono_ns() + (int64_t)us * 1000;

	while (kt_mono_ns() < end)
		;
}

/* The state letter of task @pid from /proc, or 0. */
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

/*
 * Waits until *@p >= @v, or until child @pid sleeps (it cannot go on),
 * for at most two seconds.
 */
static void wait_progress(pid_t pid, uint64_t *p, uint64_t v)
{
	int64_t end = kt_mono_ns() + 2000000000ll;
	int sleeping = 0;

	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) < v && kt_mono_ns() < end) {
		sleeping = task_state(pid) == 'S' ? sleeping + 1 : 0;
		if (sleeping > 2)
			break;
		sched_yield();
	}
}

/*
 * Kills @pid at a random point: at once, after a random delay, after the
 * child made some progress, or once it sleeps in an ioctl (@blocks).
 */
static void kill_at_random(struct hd_rng *r, pid_t pid, uint64_t *progress,
			   int blocks, struct ksh *sh)
{
	switch (hd_below(r, blocks ? 5 : 4)) {
	case 0:
		break;
	case 1:
		spin_us(hd_below(r, 3000));
		break;
	case 2:
		kt_sleep_ms(hd_below(r, 4));
		break;
	case 3:
		wait_progress(pid, progress, 1 + hd_below(r, 4));
		spin_us(hd_below(r, 500));
		break;
	default:
		kt_wait_blocked(pid, -1);	/* ioctl, read or write */
		break;
	}
	if (sh) {
		sh->kills++;
		sh->asleep += task_state(pid) == 'S';
	}
	kill(pid, SIGKILL);
}

/* Something goes through the queue and comes back intact. */
static int probe(int q)
{
	uint8_t out[MAX_PAYLOAD], in[MAX_PAYLOAD];
	uint32_t len = m_fill(out, 0xfeed, 1), id, seq;
	struct kipc_msg m;

	if (kt_send(q, out, len, 0, 0, KIPC_IO_NONBLOCK))
		return -1;
	if (kt_recv(q, in, sizeof(in), KIPC_IO_NONBLOCK, 0, &m))
		return -2;
	if (m_check(in, m.len, &id, &seq) || id != 0xfeed || seq != 1)
		return -3;
	return kt_cur_msgs(q) == 0 ? 0 : -4;
}

/*
 * Takes the next @to - @from messages from @q and checks they are, in
 * order, @id's messages @from .. @to - 1; with @last, the queue must then
 * be empty. Returns how many matched, or -1 after logging a mismatch.
 */
static long drain_expect(struct __test_metadata *_metadata, int q, uint32_t id,
			 uint64_t from, uint64_t to, int last)
{
	uint8_t buf[MAX_PAYLOAD];
	uint64_t want;
	struct kipc_msg m;
	uint32_t gid, gseq;
	int ret;

	for (want = from; want < to; want++) {
		ret = kt_recv(q, buf, sizeof(buf), KIPC_IO_NONBLOCK, 0, &m);
		if (ret) {
			TH_LOG("id %u: seq %llu expected, receive: %s", id,
			       (unsigned long long)want, strerror(-ret));
			return -1;
		}
		if (m_check(buf, m.len, &gid, &gseq)) {
			TH_LOG("corrupt message of %u bytes in the queue", m.len);
			return -1;
		}
		if (gid != id || gseq != want) {
			TH_LOG("in the queue: id %u seq %u; expected id %u seq %llu",
			       gid, gseq, id, (unsigned long long)want);
			return -1;
		}
	}
	if (last && kt_recv(q, buf, sizeof(buf), KIPC_IO_NONBLOCK, 0, &m) == 0) {
		if (m_check(buf, m.len, &gid, &gseq))
			TH_LOG("a corrupt message of %u bytes is left", m.len);
		else
			TH_LOG("id %u seq %u is left beyond id %u seq %llu", gid,
			       gseq, id, (unsigned long long)to);
		return -1;
	}
	return (long)(to - from);
}

/* ---- senders killed, blocked on a full queue or mid-batch ---- */

static void child_sender(int q, uint32_t id, struct ksh *sh, int batch,
			 struct hd_rng *r)
{
	static uint8_t bufs[MAX_BATCH][MAX_PAYLOAD];
	struct kipc_msg m[MAX_BATCH];
	uint64_t seq = 0;
	int ret, n, i;

	/* No page faults inside the calls: only the kill may cut them short. */
	memset(bufs, 0, sizeof(bufs));
	for (;;) {
		if (!batch) {
			uint32_t len = m_fill(bufs[0], id, seq);

			if (seq % 3 == 2)
				ret = write(q, bufs[0], len) == (ssize_t)len ? 0 : -errno;
			else
				ret = kt_send(q, bufs[0], len, 0, id, 0);
			if (ret) {
				fprintf(stderr, "# sender: %s\n", strerror(-ret));
				_exit(2);
			}
			__atomic_store_n(&sh->done, ++seq, __ATOMIC_RELEASE);
			continue;
		}
		n = 1 + hd_below(r, MAX_BATCH);
		memset(m, 0, sizeof(m));
		for (i = 0; i < n; i++) {
			m[i].buf = (uintptr_t)bufs[i];
			m[i].len = m_fill(bufs[i], id, seq + i);
			m[i].type = id;
		}
		ret = kt_send_batch(q, m, n, 0);
		if (ret <= 0 || ret > n) {
			fprintf(stderr, "# batch sender: %d\n", ret);
			_exit(2);
		}
		seq += ret;
		__atomic_store_n(&sh->done, seq, __ATOMIC_RELEASE);
	}
}

static void kill_sender(struct __test_metadata *_metadata,
			FIXTURE_DATA(kill) *self, uint32_t id, int batch)
{
	uint32_t prefill = hd_below(&self->rng, Q_MSGS + 1), i;
	struct kipc_queue_attr a0, a1;
	uint8_t buf[MAX_PAYLOAD];
	uint64_t k, rec;
	pid_t pid;

	ASSERT_EQ(0, kt_getattr(self->q, &a0));
	ASSERT_EQ(0, a0.cur_msgs);
	for (i = 0; i < prefill; i++)
		ASSERT_EQ(0, kt_send(self->q, buf, m_fill(buf, 0, i), 0, 0,
				     KIPC_IO_NONBLOCK));
	self->sh->done = 0;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct hd_rng r = { self->rng.s ^ id };

		child_sender(self->q, id, self->sh, batch, &r);
	}
	kill_at_random(&self->rng, pid, &self->sh->done, 1, self->sh);
	ASSERT_EQ(128 + SIGKILL, kt_wait_child(pid));

	/* What the kernel accepted from the child, against what it recorded. */
	ASSERT_EQ(0, kt_getattr(self->q, &a1));
	k = a1.sent - a0.sent - prefill;
	rec = self->sh->done;
	EXPECT_TRUE(k >= rec && k <= rec + (batch ? MAX_BATCH : 1))
		TH_LOG("kill %u: the kernel accepted %llu messages, the child saw %llu succeed",
		       id, (unsigned long long)k, (unsigned long long)rec);
	self->sh->unrecorded += k != rec;
	EXPECT_EQ(prefill + k, a1.cur_msgs);
	/* Nothing accepted is lost: the parent's, then the child's, in order. */
	EXPECT_EQ((long)prefill, drain_expect(_metadata, self->q, 0, 0, prefill, 0))
		TH_LOG("kill %u", id);
	EXPECT_EQ((long)k, drain_expect(_metadata, self->q, id, 0, k, 1))
		TH_LOG("kill %u", id);
	EXPECT_EQ(0, probe(self->q)) TH_LOG("kill %u: the queue no longer works", id);
}

TEST_F_TIMEOUT(kill, blocked_send, 3600)
{
	int i;

	for (i = 0; i < self->per_test && _metadata->passed; i++)
		kill_sender(_metadata, self, i + 1, 0);
	finish(_metadata, self);
}

/* ---- receivers killed, blocked on an empty queue or mid-batch ---- */

static void child_receiver(int q, uint32_t id, struct ksh *sh, int batch,
			   struct hd_rng *r)
{
	static uint8_t bufs[MAX_BATCH][MAX_PAYLOAD];
	struct kipc_msg m[MAX_BATCH];
	uint32_t gid, gseq;
	int n, i;

	memset(bufs, 0, sizeof(bufs));
	for (;;) {
		memset(m, 0, sizeof(m));
		for (i = 0; i < MAX_BATCH; i++) {
			m[i].buf = (uintptr_t)bufs[i];
			m[i].len = MAX_PAYLOAD;
		}
		if (batch) {
			n = kt_recv_batch(q, m, 1 + hd_below(r, MAX_BATCH), 0);
		} else {
			switch (hd_below(r, 3)) {
			case 0:
				n = kt_io(q, KIPC_IOC_QUEUE_RECV, 0, 0, &m[0]);
				break;
			case 1: {
				ssize_t got = read(q, bufs[0], MAX_PAYLOAD);

				n = got < 0 ? -errno : 0;
				m[0].len = (uint32_t)got;
				break;
			}
			default:
				/* A peek takes nothing away. */
				n = kt_io(q, KIPC_IOC_QUEUE_RECV, KIPC_IO_PEEK, 0, &m[0]);
				if (n == 0)
					continue;
				break;
			}
			n = n < 0 ? n : 1;
		}
		if (n <= 0) {
			fprintf(stderr, "# receiver: %s\n", strerror(-n));
			_exit(2);
		}
		for (i = 0; i < n; i++) {
			if (m_check(bufs[i], m[i].len, &gid, &gseq) || gid != id ||
			    gseq >= MAX_SEQ) {
				fprintf(stderr, "# receiver: bad message\n");
				_exit(3);
			}
			sh->got[gseq] = 1;
			__atomic_store_n(&sh->done, sh->done + 1, __ATOMIC_RELEASE);
		}
	}
}

static void kill_receiver(struct __test_metadata *_metadata,
			  FIXTURE_DATA(kill) *self, uint32_t id, int batch)
{
	uint32_t pre = hd_below(&self->rng, Q_MSGS + 1), more, i;
	struct kipc_queue_attr a0, a1;
	uint8_t buf[MAX_PAYLOAD];
	uint64_t sent = 0, rc, rec;
	pid_t pid;

	ASSERT_EQ(0, kt_getattr(self->q, &a0));
	ASSERT_EQ(0, a0.cur_msgs);
	memset(self->sh->got, 0, sizeof(self->sh->got));
	self->sh->done = 0;
	for (i = 0; i < pre; i++, sent++)
		ASSERT_EQ(0, kt_send(self->q, buf, m_fill(buf, id, sent), 0, 0,
				     KIPC_IO_NONBLOCK));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct hd_rng r = { self->rng.s ^ id };

		child_receiver(self->q, id, self->sh, batch, &r);
	}
	/* More messages while it runs; only sends that succeed count. */
	more = hd_below(&self->rng, 8);
	for (i = 0; i < more; i++) {
		if (kt_send(self->q, buf, m_fill(buf, id, sent), 0, 0,
			    KIPC_IO_NONBLOCK) == 0)
			sent++;
		if (hd_chance(&self->rng, 50))
			spin_us(hd_below(&self->rng, 300));
	}
	kill_at_random(&self->rng, pid, &self->sh->done, 1, self->sh);
	ASSERT_EQ(128 + SIGKILL, kt_wait_child(pid));

	ASSERT_EQ(0, kt_getattr(self->q, &a1));
	rc = a1.received - a0.received;
	rec = self->sh->done;
	EXPECT_TRUE(rc >= rec && rc <= rec + (batch ? MAX_BATCH : 1))
		TH_LOG("kill %u: the kernel handed out %llu messages, the child recorded %llu",
		       id, (unsigned long long)rc, (unsigned long long)rec);
	self->sh->unrecorded += rc != rec;
	EXPECT_EQ(sent, a1.sent - a0.sent);
	/* The child took them in order: exactly the first ones. */
	for (i = 0; i < MAX_SEQ; i++) {
		if (i < rec && !self->sh->got[i]) {
			TH_LOG("kill %u: the child recorded %llu messages but not seq %u",
			       id, (unsigned long long)rec, i);
			EXPECT_TRUE(0);
			break;
		}
		if (i >= rc && self->sh->got[i]) {
			TH_LOG("kill %u: the child got seq %u, beyond the %llu handed out",
			       id, i, (unsigned long long)rc);
			EXPECT_TRUE(0);
			break;
		}
	}
	/* The rest waits in the queue, in order: nothing accepted is lost. */
	EXPECT_EQ((long)(sent - rc), drain_expect(_metadata, self->q, id, rc, sent, 1))
		TH_LOG("kill %u", id);
	EXPECT_EQ(0, probe(self->q)) TH_LOG("kill %u: the queue no longer works", id);
}

TEST_F_TIMEOUT(kill, blocked_recv, 3600)
{
	int i;

	for (i = 0; i < self->per_test && _metadata->passed; i++)
		kill_receiver(_metadata, self, i + 1, 0);
	finish(_metadata, self);
}

TEST_F_TIMEOUT(kill, batch_calls, 3600)
{
	int i;

	for (i = 0; i < self->per_test && _metadata->passed; i++) {
		if (hd_chance(&self->rng, 50))
			kill_sender(_metadata, self, i + 1, 1);
		else
			kill_receiver(_metadata, self, i + 1, 1);
	}
	finish(_metadata, self);
}

/* ---- a robust lock in a region, its holder killed ---- */

TEST_F_TIMEOUT(kill, region_lock_holder, 3600)
{
	size_t pg = hd_page();
	struct lock_area *la;
	int owner_dead = 0, i, rfd, ret;
	char rname[96];

	hd_name(rname, sizeof(rname), "klock");
	rfd = hd_region(rname, HD_R_RW | KIPC_REGION_CREATE | KIPC_REGION_EXCL,
			0600, pg);
	ASSERT_LE(0, rfd) TH_LOG("%s", strerror(-rfd));
	ASSERT_EQ(0, kipc_region_map(rfd, 0, pg, PROT_READ | PROT_WRITE,
				     (void **)&la));
	ASSERT_EQ(0, kipc_region_lock_init(&la->lock));

	for (i = 0; i < self->per_test && _metadata->passed; i++) {
		int hold = hd_chance(&self->rng, 30);
		pid_t pid;

		self->sh->done = 0;
		la->holding = 0;
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			struct hd_rng r = { self->rng.s ^ (i + 1) };

			for (;;) {
				if (kipc_region_lock(&la->lock))
					_exit(2);
				la->a++;
				if (hold) {
					__atomic_store_n(&la->holding, 1, __ATOMIC_RELEASE);
					for (;;)
						pause();
				}
				spin_us(hd_below(&r, 50));
				la->b = la->a;
				if (kipc_region_unlock(&la->lock))
					_exit(3);
				__atomic_store_n(&self->sh->done, self->sh->done + 1,
						 __ATOMIC_RELEASE);
				if (hd_chance(&r, 30))
					spin_us(hd_below(&r, 50));
			}
		}
		if (hold) {
			int64_t end = kt_mono_ns() + KT_LIVENESS_NS;

			while (!__atomic_load_n(&la->holding, __ATOMIC_ACQUIRE) &&
			       kt_mono_ns() < end)
				sched_yield();
			EXPECT_EQ(1, la->holding) TH_LOG("the child never took the lock");
			self->sh->kills++;
			self->sh->asleep += task_state(pid) == 'S';
			kill(pid, SIGKILL);
		} else {
			kill_at_random(&self->rng, pid, &self->sh->done, 0, self->sh);
		}
		ASSERT_EQ(128 + SIGKILL, kt_wait_child(pid));

		ret = kipc_region_lock(&la->lock);
		if (hold)
			EXPECT_EQ(-EOWNERDEAD, ret) TH_LOG("kill %d: a holder died", i);
		if (ret == -EOWNERDEAD) {
			owner_dead++;
			/* Killed between the two updates at most. */
			EXPECT_TRUE(la->a == la->b || la->a == la->b + 1)
				TH_LOG("kill %d: a %llu b %llu", i,
				       (unsigned long long)la->a,
				       (unsigned long long)la->b);
			la->b = la->a;
			EXPECT_EQ(0, kipc_region_lock_consistent(&la->lock));
		} else {
			EXPECT_EQ(0, ret) TH_LOG("kill %d: lock: %s", i, strerror(-ret));
			EXPECT_EQ(la->a, la->b) TH_LOG("kill %d: torn update under a free lock", i);
		}
		EXPECT_EQ(0, kipc_region_unlock(&la->lock));
		/* Recovered: it locks normally again. */
		EXPECT_EQ(0, kipc_region_trylock(&la->lock)) TH_LOG("kill %d", i);
		EXPECT_EQ(0, kipc_region_unlock(&la->lock));
	}
	TH_LOG("%d of %d kills left the lock to recover", owner_dead, i);

	EXPECT_EQ(0, kipc_region_unmap(la, pg));
	close(rfd);
	EXPECT_EQ(0, hd_region_unlink(rname));
	finish(_metadata, self);
}

/* ---- mappings: killed while mapping, touching, unmapping ---- */

static void child_mapper(int rfd, const char *rname, struct ksh *sh,
			 struct hd_rng *r)
{
	size_t pg = hd_page();

	for (;;) {
		int own = hd_chance(r, 50);
		int fd = own ? hd_region(rname, HD_R_RW, 0, 0) : rfd;
		int closed = 0;
		size_t off = hd_below(r, R_PAGES);
		size_t len = 1 + hd_below(r, R_PAGES - off), i;
		uint8_t *p, *p2 = MAP_FAILED;

		if (fd < 0)
			_exit(2);
		p = mmap(NULL, len * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 off * pg);
		if (p == MAP_FAILED)
			_exit(3);
		if (hd_chance(r, 30))
			p2 = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, off * pg);
		if (own && hd_chance(r, 50)) {
			close(fd);	/* the mappings outlive the handle */
			closed = 1;
		}
		for (i = 0; i < len; i++) {
			p[i * pg] = (uint8_t)(off + i);
			(void)*(volatile uint8_t *)&p[i * pg + pg - 1];
		}
		if (p2 != MAP_FAILED && *p2 != (uint8_t)off)
			_exit(4);
		if (hd_chance(r, 30) && mprotect(p, len * pg, PROT_READ))
			_exit(5);
		if (p2 != MAP_FAILED)
			munmap(p2, pg);
		if (munmap(p, len * pg))
			_exit(6);
		if (own && !closed)
			close(fd);
		__atomic_store_n(&sh->done, sh->done + 1, __ATOMIC_RELEASE);
	}
}

TEST_F_TIMEOUT(kill, region_mappers, 3600)
{
	size_t pg = hd_page(), j;
	struct kipc_region_info ri;
	char rname[96];
	uint8_t *p;
	int i, rfd;

	hd_name(rname, sizeof(rname), "kmap");
	rfd = hd_region(rname, HD_R_RW | KIPC_REGION_CREATE | KIPC_REGION_EXCL,
			0600, R_PAGES * pg);
	ASSERT_LE(0, rfd) TH_LOG("%s", strerror(-rfd));

	for (i = 0; i < self->per_test && _metadata->passed; i++) {
		pid_t pid;

		self->sh->done = 0;
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			struct hd_rng r = { self->rng.s ^ (i + 1) };

			child_mapper(rfd, rname, self->sh, &r);
		}
		kill_at_random(&self->rng, pid, &self->sh->done, 0, self->sh);
		ASSERT_EQ(128 + SIGKILL, kt_wait_child(pid));

		/* The dead child's handles and mappings are all gone. */
		ASSERT_EQ(0, hd_region_info(rfd, &ri));
		EXPECT_EQ(1, ri.handles) TH_LOG("kill %d", i);
		EXPECT_EQ(0, ri.mappings) TH_LOG("kill %d", i);
		p = mmap(NULL, R_PAGES * pg, PROT_READ | PROT_WRITE, MAP_SHARED,
			 rfd, 0);
		ASSERT_NE(MAP_FAILED, p);
		for (j = 0; j < R_PAGES; j++) {
			/* Either untouched yet or the page's own mark. */
			EXPECT_TRUE(p[j * pg] == 0 || p[j * pg] == (uint8_t)j)
				TH_LOG("kill %d: page %zu holds %u", i, j, p[j * pg]);
			p[j * pg + 1] = 1;
		}
		EXPECT_EQ(0, munmap(p, R_PAGES * pg));
	}
	close(rfd);
	EXPECT_EQ(0, hd_region_unlink(rname));
	finish(_metadata, self);
}

/* ---- killed while creating, using and deleting objects ---- */

/* Records a name before making it, so the parent can remove what is left. */
static const char *churn_name(struct ksh *sh, const char *tag)
{
	uint32_t k = sh->nnames % NAMES;

	hd_name(sh->names[k], sizeof(sh->names[k]), tag);
	__atomic_store_n(&sh->nnames, sh->nnames + 1, __ATOMIC_RELEASE);
	return sh->names[k];
}

static void child_churn(struct ksh *sh, struct hd_rng *r)
{
	size_t pg = hd_page();
	uint8_t buf[64];

	for (;;) {
		int ad = hd_chance(r, 50);
		const char *name;
		int fd, fd2;
		uint8_t *p;

		name = churn_name(sh, "kcq");
		fd = kt_queue(name, KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL | RW |
			      (ad ? KIPC_QUEUE_AUTO_DELETE : 0), 0600, 2, sizeof(buf));
		if (fd < 0)
			_exit(2);
		fd2 = kt_attach(name, RW);
		if (fd2 < 0)
			_exit(3);
		memset(buf, 1, sizeof(buf));
		if (kt_send(fd, buf, sizeof(buf), 0, 0, KIPC_IO_NONBLOCK) ||
		    kt_send(fd2, buf, 8, 1, 0, KIPC_IO_NONBLOCK) ||
		    kt_recv(fd2, buf, sizeof(buf), KIPC_IO_NONBLOCK, 0, NULL))
			_exit(4);
		close(fd);
		close(fd2);
		if (!ad && kt_unlink(name))
			_exit(5);

		name = churn_name(sh, "kcr");
		fd = hd_region(name, HD_R_RW | KIPC_REGION_CREATE | KIPC_REGION_EXCL |
			       (ad ? KIPC_REGION_AUTO_DELETE : 0), 0600,
			       (1 + hd_below(r, 4)) * pg);
		if (fd < 0)
			_exit(6);
		p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			_exit(7);
		p[0] = 1;
		close(fd);
		munmap(p, pg);
		if (!ad && hd_region_unlink(name))
			_exit(8);
		__atomic_store_n(&sh->done, sh->done + 1, __ATOMIC_RELEASE);
	}
}

TEST_F_TIMEOUT(kill, object_churn, 3600)
{
	uint32_t k, n;
	int i, ret;

	for (i = 0; i < self->per_test && _metadata->passed; i++) {
		struct hd_stats now, target;
		pid_t pid;

		self->sh->done = 0;
		self->sh->nnames = 0;
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			struct hd_rng r = { self->rng.s ^ (i + 1) };

			child_churn(self->sh, &r);
		}
		kill_at_random(&self->rng, pid, &self->sh->done, 0, self->sh);
		ASSERT_EQ(128 + SIGKILL, kt_wait_child(pid));

		/* Only names the child made and had not deleted yet remain. */
		n = self->sh->nnames < NAMES ? self->sh->nnames : NAMES;
		for (k = 0; k < n; k++) {
			const char *name = self->sh->names[k];

			ret = name[3] == 'k' && name[4] == 'c' && name[5] == 'q' ?
			      kt_unlink(name) : hd_region_unlink(name);
			EXPECT_TRUE(ret == 0 || ret == -ENOENT) TH_LOG("%s: %s", name,
								      strerror(-ret));
		}
		/* Our own queue aside, nothing of the child's is left. */
		target = self->base;
		target.queues++;
		ret = hd_stats_wait_base(&target, 5000, &now);
		EXPECT_LE(0, ret)
			TH_LOG("kill %d: %u queues, %u regions; expected %u, %u", i,
			       now.queues, now.regions, target.queues, target.regions);
	}
	finish(_metadata, self);
}

TEST_HARNESS_MAIN
