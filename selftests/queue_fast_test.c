// SPDX-License-Identifier: GPL-2.0-only
/*
 * The queue's fast paths: a message handed to a waiting receiver, bounded
 * polling before sleeping (the queue's KIPC_QUEUE_NOPOLL and the call's
 * KIPC_IO_NOPOLL), batches moved a chunk per lock round, receiving one
 * message by its sequence number (KIPC_IO_SEQ), and results written once
 * with the message put back when they cannot be. Each case holds with
 * polling on and off, and none may lose or duplicate a message.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc_test.h"

#define ACC	KT_ALL_ACCESS
#define CREATE	KIPC_QUEUE_CREATE

/* A queue of @msgs slots of 64 bytes, polling or not. */
static int fq_queue(char *name, size_t size, const char *tag, uint32_t msgs,
		    uint32_t extra)
{
	kt_name(name, size, tag);
	return kt_queue(name, CREATE | KIPC_QUEUE_AUTO_DELETE | ACC | extra,
			0600, msgs, 64);
}

/* The "kipc-poll:" counters of a queue handle's fdinfo. */
static int fq_poll_stats(int fd, unsigned int *ns, unsigned long long *polls,
			 unsigned long long *hits)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -errno;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	p = strstr(buf, "kipc-poll:\tns ");
	if (!p || sscanf(p, "kipc-poll:\tns %u polls %llu hits %llu",
			 ns, polls, hits) != 3)
		return -EPROTO;
	return 0;
}

/* A child that receives once, blocking, with @flags; exits 0 on @want. */
static pid_t fq_blocked_recv(int fd, uint32_t flags, uint64_t type,
			     uint32_t buflen, int want, uint64_t want_type)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct kipc_msg m;
		char buf[64];
		int ret;

		ret = kt_recv_live(fd, buf, buflen, flags, type, &m);
		KT_CHILD_EQ(want, ret);
		if (!ret)
			KT_CHILD_EQ(want_type, m.type);
		_exit(0);
	}
	return pid;
}

FIXTURE(fq) {
	char name[64];
	int fd;
};

FIXTURE_VARIANT(fq) {
	uint32_t queue_flags;
};

FIXTURE_VARIANT_ADD(fq, polling) {
	.queue_flags = 0,
};

FIXTURE_VARIANT_ADD(fq, nopoll) {
	.queue_flags = KIPC_QUEUE_NOPOLL,
};

FIXTURE_SETUP(fq)
{
	self->fd = fq_queue(self->name, sizeof(self->name), "fq", 8,
			    variant->queue_flags);
	ASSERT_LE(0, self->fd) TH_LOG("%s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(fq)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * Receivers waiting with selectors: each message goes to the first waiter
 * that accepts it, as it would have had it been queued and each waiter
 * woken in turn, and one a waiter rejects stays queued for later.
 */
TEST_F(fq, handoff_honours_selectors)
{
	struct kipc_queue_attr a;
	struct kipc_msg m;
	pid_t exact, except;
	char buf[64];

	exact = fq_blocked_recv(self->fd, KIPC_IO_TYPE_EXACT, 5, 64, 0, 5);
	ASSERT_EQ(0, kt_wait_blocked(exact, -1));
	except = fq_blocked_recv(self->fd, KIPC_IO_TYPE_EXCEPT, 5, 64, 0, 7);
	ASSERT_EQ(0, kt_wait_blocked(except, -1));

	/* Type 7 passes the first waiter by and goes to the second. */
	ASSERT_EQ(0, kt_send(self->fd, "seven", 5, 0, 7, 0));
	ASSERT_EQ(0, kt_wait_child(except));
	ASSERT_EQ(0, kt_cur_msgs(self->fd));
	ASSERT_EQ(0, kt_send(self->fd, "five", 4, 0, 5, 0));
	ASSERT_EQ(0, kt_wait_child(exact));
	ASSERT_EQ(0, kt_getattr(self->fd, &a));
	EXPECT_EQ(2, a.sent);
	EXPECT_EQ(2, a.received);
	EXPECT_EQ(0, a.cur_msgs);

	/* A waiter for type 5 leaves a type 6 queued, in its place. */
	exact = fq_blocked_recv(self->fd, KIPC_IO_TYPE_EXACT, 5, 64, 0, 5);
	ASSERT_EQ(0, kt_wait_blocked(exact, -1));
	ASSERT_EQ(0, kt_send(self->fd, "six", 3, 0, 6, 0));
	ASSERT_EQ(0, kt_send(self->fd, "five", 4, 0, 5, 0));
	ASSERT_EQ(0, kt_wait_child(exact));
	ASSERT_EQ(0, kt_recv(self->fd, buf, sizeof(buf), KIPC_IO_NONBLOCK, 0,
			     &m));
	EXPECT_EQ(6, m.type);
	EXPECT_EQ(3, m.seq);
	EXPECT_EQ(-EAGAIN, kt_recv(self->fd, buf, sizeof(buf),
				   KIPC_IO_NONBLOCK, 0, NULL));
}

/*
 * A waiter whose buffer is too small fails with EMSGSIZE and the size,
 * as it would on finding the message queued, and the message goes on to
 * the next waiter.
 */
TEST_F(fq, handoff_small_buffer_passes_on)
{
	struct kipc_queue_attr a;
	pid_t small, big;

	small = fq_blocked_recv(self->fd, 0, 0, 4, -EMSGSIZE, 0);
	ASSERT_EQ(0, kt_wait_blocked(small, -1));
	big = fq_blocked_recv(self->fd, 0, 0, 64, 0, 3);
	ASSERT_EQ(0, kt_wait_blocked(big, -1));
	ASSERT_EQ(0, kt_send(self->fd, "0123456789", 10, 0, 3, 0));
	ASSERT_EQ(0, kt_wait_child(small));
	ASSERT_EQ(0, kt_wait_child(big));
	ASSERT_EQ(0, kt_getattr(self->fd, &a));
	EXPECT_EQ(1, a.received);
	EXPECT_EQ(0, a.cur_msgs);
}

/*
 * One receiver against a sender of mixed priorities: whether a message
 * was queued or handed over, each priority comes out in sending order,
 * and every message exactly once.
 */
TEST_F(fq, handoff_order_as_queued)
{
	enum { N = 3000 };
	uint64_t last_seq[KIPC_PRIO_MAX] = { 0 };
	unsigned char seen[N] = { 0 };
	struct kipc_msg m;
	pid_t child;
	int i, idx;

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		for (i = 0; i < N; i++) {
			uint32_t prio = (i * 7) % 5;

			KT_CHILD_EQ(0, kt_send(self->fd, &i, sizeof(i), prio,
					       i % 3, 0));
			if (!(i % 97))
				usleep(200);
		}
		_exit(0);
	}
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, kt_recv_live(self->fd, &idx, sizeof(idx), 0, 0,
					  &m));
		ASSERT_LT(idx, N);
		ASSERT_EQ(0, seen[idx]) TH_LOG("message %d twice", idx);
		seen[idx] = 1;
		ASSERT_EQ((uint32_t)((idx * 7) % 5), m.prio);
		ASSERT_LT(last_seq[m.prio], m.seq) TH_LOG("prio %u out of order",
							  m.prio);
		last_seq[m.prio] = m.seq;
	}
	ASSERT_EQ(0, kt_wait_child(child));
	EXPECT_EQ(0, kt_cur_msgs(self->fd));
}

/* KIPC_IO_SEQ takes exactly that message, and never waits. */
TEST_F(fq, recv_by_seq)
{
	struct kipc_msg m;
	char buf[64];
	int i;

	for (i = 1; i <= 3; i++)
		ASSERT_EQ(0, kt_send(self->fd, &i, sizeof(i), i == 3 ? 9 : 0,
				     i, 0));
	memset(&m, KT_POISON, sizeof(m));
	m.buf = (uintptr_t)buf;
	m.len = sizeof(buf);
	m.seq = 2;
	ASSERT_EQ(0, kt_io(self->fd, KIPC_IOC_QUEUE_RECV, KIPC_IO_SEQ, 0, &m));
	EXPECT_EQ(2, m.seq);
	EXPECT_EQ(2, m.type);
	EXPECT_EQ(2, *(int *)buf);
	EXPECT_EQ(2, kt_cur_msgs(self->fd));

	/* Gone now: ENOENT at once, even on a blocking handle. */
	m.buf = (uintptr_t)buf;
	m.len = sizeof(buf);
	m.seq = 2;
	EXPECT_EQ(-ENOENT, kt_io(self->fd, KIPC_IOC_QUEUE_RECV, KIPC_IO_SEQ, 0,
				 &m));
	m.seq = 99;
	EXPECT_EQ(-ENOENT, kt_io(self->fd, KIPC_IOC_QUEUE_RECV, KIPC_IO_SEQ, 0,
				 &m));

	/* A peek by number leaves it; the higher priority is still first. */
	m.seq = 1;
	ASSERT_EQ(0, kt_io(self->fd, KIPC_IOC_QUEUE_RECV,
			   KIPC_IO_SEQ | KIPC_IO_PEEK, 0, &m));
	EXPECT_EQ(1, m.seq);
	EXPECT_EQ(2, kt_cur_msgs(self->fd));
	ASSERT_EQ(0, kt_recv(self->fd, buf, sizeof(buf), 0, 0, &m));
	EXPECT_EQ(3, m.seq);

	/* Too small a buffer: EMSGSIZE with the size, and it stays. */
	m.buf = (uintptr_t)buf;
	m.len = 1;
	m.seq = 1;
	EXPECT_EQ(-EMSGSIZE, kt_io(self->fd, KIPC_IOC_QUEUE_RECV, KIPC_IO_SEQ,
				   0, &m));
	EXPECT_EQ(sizeof(int), m.len);
	EXPECT_EQ(1, kt_cur_msgs(self->fd));

	/* Not with a type selector. */
	m.len = sizeof(buf);
	EXPECT_EQ(-EINVAL, kt_io(self->fd, KIPC_IOC_QUEUE_RECV,
				 KIPC_IO_SEQ | KIPC_IO_TYPE_EXACT, 0, &m));
	EXPECT_EQ(-EINVAL, kt_io(self->fd, KIPC_IOC_QUEUE_RECV,
				 KIPC_IO_SEQ | KIPC_IO_TYPE_EXCEPT, 0, &m));
	/* Not on send. */
	EXPECT_EQ(-EINVAL, kt_send(self->fd, "x", 1, 0, 0, KIPC_IO_SEQ));
	EXPECT_EQ(1, kt_cur_msgs(self->fd));
}

/* Not on a broadcast queue, whose readers each have their own backlog. */
TEST(recv_by_seq_broadcast_einval)
{
	struct kipc_msg m;
	char name[64], buf[8];
	int fd;

	fd = fq_queue(name, sizeof(name), "fqb", 4, KIPC_QUEUE_BROADCAST);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_send(fd, "x", 1, 0, 0, 0));
	memset(&m, 0, sizeof(m));
	m.buf = (uintptr_t)buf;
	m.len = sizeof(buf);
	m.seq = 1;
	EXPECT_EQ(-EINVAL, kt_io(fd, KIPC_IOC_QUEUE_RECV, KIPC_IO_SEQ, 0, &m));
	EXPECT_EQ(0, kt_recv(fd, buf, sizeof(buf), KIPC_IO_NONBLOCK, 0, NULL));
	close(fd);
}

/* The queue's attribute: creation only, kept, and reported. */
TEST(nopoll_attribute)
{
	struct kipc_queue_attr a;
	char name[64];
	int fd, other;

	fd = fq_queue(name, sizeof(name), "fqa", 4, KIPC_QUEUE_NOPOLL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_getattr(fd, &a));
	EXPECT_TRUE(a.queue_flags & KIPC_QUEUE_NOPOLL);
	/* Binding to an existing queue cannot set it. */
	other = kt_open();
	ASSERT_LE(0, other);
	EXPECT_EQ(-EINVAL, kt_bind(other, name, ACC | KIPC_QUEUE_NOPOLL, 0, 0,
				   0));
	EXPECT_EQ(0, kt_bind(other, name, ACC, 0, 0, 0));
	ASSERT_EQ(0, kt_getattr(other, &a));
	EXPECT_TRUE(a.queue_flags & KIPC_QUEUE_NOPOLL);
	close(other);
	close(fd);

	fd = fq_queue(name, sizeof(name), "fqp", 4, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kt_getattr(fd, &a));
	EXPECT_FALSE(a.queue_flags & KIPC_QUEUE_NOPOLL);
	close(fd);
}

/*
 * Whether a blocked receive polled shows in the queue's counters: never
 * on a NOPOLL queue or with KIPC_IO_NOPOLL, and on a polling queue only
 * when nothing else wants the CPU.
 */
TEST_F(fq, polling_honoured)
{
	unsigned long long polls0, polls, hits;
	unsigned int ns;
	pid_t child;
	int i;

	ASSERT_EQ(0, fq_poll_stats(self->fd, &ns, &polls0, &hits));
	if (!variant->queue_flags && kt_param("poll_ns") <= 0)
		SKIP(return, "the module's poll_ns is 0: polling is off");

	/* The call's flag: never polls, whatever the queue says. */
	child = fq_blocked_recv(self->fd, KIPC_IO_NOPOLL, 0, 64, 0, 1);
	ASSERT_EQ(0, kt_wait_blocked(child, -1));
	ASSERT_EQ(0, kt_send(self->fd, "x", 1, 0, 1, 0));
	ASSERT_EQ(0, kt_wait_child(child));
	ASSERT_EQ(0, fq_poll_stats(self->fd, &ns, &polls, &hits));
	EXPECT_EQ(polls0, polls);

	/*
	 * Without it, a wait polls unless the queue says not to. Whether the
	 * CPU is idle at that moment is the scheduler's; a few tries give it
	 * the chance.
	 */
	for (i = 0; i < 5 && polls == polls0; i++) {
		child = fq_blocked_recv(self->fd, 0, 0, 64, 0, 1);
		ASSERT_EQ(0, kt_wait_blocked(child, -1));
		ASSERT_EQ(0, kt_send(self->fd, "x", 1, 0, 1, 0));
		ASSERT_EQ(0, kt_wait_child(child));
		ASSERT_EQ(0, fq_poll_stats(self->fd, &ns, &polls, &hits));
	}
	if (variant->queue_flags) {
		EXPECT_EQ(polls0, polls);
	} else {
		EXPECT_LT(polls0, polls);
	}
}

/* A receiver sharing its CPU with a runnable task sleeps at once. */
TEST(no_poll_beside_runnable_task)
{
	unsigned long long polls0, polls, hits;
	unsigned int ns;
	cpu_set_t one;
	pid_t spinner, child;
	char name[64];
	int fd;

	if (kt_param("poll_ns") <= 0)
		SKIP(return, "the module's poll_ns is 0: polling is off");
	fd = fq_queue(name, sizeof(name), "fqr", 4, 0);
	ASSERT_LE(0, fd);
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		SKIP(return, "cannot pin to CPU 0: %s", strerror(errno));
	ASSERT_EQ(0, fq_poll_stats(fd, &ns, &polls0, &hits));

	spinner = fork();
	ASSERT_LE(0, spinner);
	if (spinner == 0)
		for (;;)
			;
	child = fq_blocked_recv(fd, 0, 0, 64, -ETIMEDOUT, 0);
	ASSERT_LE(0, child);
	/* It blocks while the spinner is runnable; nothing is sent. */
	kt_sleep_ms(200);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	kill(spinner, SIGKILL);
	waitpid(spinner, NULL, 0);
	ASSERT_EQ(0, fq_poll_stats(fd, &ns, &polls, &hits));
	EXPECT_EQ(polls0, polls);
	close(fd);
}

/*
 * Conservation: two producers (one sending single messages, one batches
 * of every size up to 40) and three consumers (single any-type, batch
 * any-type, single TYPE_EXACT 1), all at once through a queue of one
 * slot: every message arrives exactly once.
 */
TEST_F(fq, conservation_one_slot_mixed)
{
	enum { PER = 2000, TOTAL = 2 * PER };
	struct shared {
		atomic_uint got;
		atomic_uchar seen[TOTAL];
	} *sh;
	char name[64];
	pid_t pids[5];
	int fd, p, c, i;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	fd = fq_queue(name, sizeof(name), "fqc", 1, variant->queue_flags);
	ASSERT_LE(0, fd);

	for (p = 0; p < 2; p++) {
		pids[p] = fork();
		ASSERT_LE(0, pids[p]);
		if (pids[p])
			continue;
		for (i = 0; i < PER;) {
			uint32_t ids[40];
			struct kipc_msg ms[40];
			int n = p ? 1 + i % 40 : 1, k, ret;

			if (n > PER - i)
				n = PER - i;
			for (k = 0; k < n; k++) {
				ids[k] = p * PER + i + k;
				memset(&ms[k], 0, sizeof(ms[k]));
				ms[k].buf = (uintptr_t)&ids[k];
				ms[k].len = sizeof(ids[k]);
				ms[k].type = p;
				ms[k].prio = ids[k] % 3;
			}
			if (p) {
				ret = kt_batch(fd, KIPC_IOC_QUEUE_SEND_BATCH,
					       KIPC_IO_TIMEOUT,
					       kt_mono_ns() + KT_LIVENESS_NS,
					       ms, n, sizeof(ms[0]));
				KT_CHILD_TRUE(ret > 0);
			} else {
				KT_CHILD_EQ(0, kt_send_full(fd, &ids[0], 4,
					ms[0].prio, p, KIPC_IO_TIMEOUT,
					kt_mono_ns() + KT_LIVENESS_NS));
				ret = 1;
			}
			i += ret;
		}
		_exit(0);
	}
	for (c = 0; c < 3; c++) {
		pids[2 + c] = fork();
		ASSERT_LE(0, pids[2 + c]);
		if (pids[2 + c])
			continue;
		while (atomic_load(&sh->got) < TOTAL) {
			uint32_t ids[16];
			struct kipc_msg ms[16];
			int n = c == 1 ? 16 : 1, k, ret;

			for (k = 0; k < n; k++) {
				memset(&ms[k], KT_POISON, sizeof(ms[k]));
				ms[k].buf = (uintptr_t)&ids[k];
				ms[k].len = sizeof(ids[k]);
				ms[k].type = 1;
			}
			ret = kt_batch(fd, KIPC_IOC_QUEUE_RECV_BATCH,
				       KIPC_IO_TIMEOUT |
				       (c == 2 ? KIPC_IO_TYPE_EXACT : 0),
				       kt_mono_ns() + 50 * 1000000ll, ms, n,
				       sizeof(ms[0]));
			if (ret == -ETIMEDOUT)
				continue;
			KT_CHILD_TRUE(ret > 0);
			for (k = 0; k < ret; k++) {
				KT_CHILD_TRUE(ids[k] < TOTAL);
				KT_CHILD_TRUE(c != 2 || ms[k].type == 1);
				KT_CHILD_EQ(0, atomic_exchange(&sh->seen[ids[k]],
							       1));
			}
			atomic_fetch_add(&sh->got, ret);
		}
		_exit(0);
	}
	for (i = 0; i < 5; i++)
		EXPECT_EQ(0, kt_wait_child(pids[i]));
	EXPECT_EQ(TOTAL, atomic_load(&sh->got));
	for (i = 0; i < TOTAL; i++)
		ASSERT_EQ(1, sh->seen[i]) TH_LOG("message %d lost", i);
	EXPECT_EQ(0, kt_cur_msgs(fd));
	close(fd);
	munmap(sh, sizeof(*sh));
}

/* A batch chunk's messages are contiguous in sequence numbers. */
TEST(batch_chunk_contiguous)
{
	enum { N = KIPC_BATCH_CHUNK };
	struct kipc_msg ms[2][N], r;
	uint32_t ids[2][N];
	int fd, p, k, i, last = -1, run = 0;
	char name[64];
	pid_t pids[2];
	uint32_t id;

	fd = fq_queue(name, sizeof(name), "fqk", 4 * N, 0);
	ASSERT_LE(0, fd);
	for (p = 0; p < 2; p++) {
		for (k = 0; k < N; k++) {
			ids[p][k] = p * N + k;
			memset(&ms[p][k], 0, sizeof(ms[p][k]));
			ms[p][k].buf = (uintptr_t)&ids[p][k];
			ms[p][k].len = 4;
		}
	}
	for (p = 0; p < 2; p++) {
		pids[p] = fork();
		ASSERT_LE(0, pids[p]);
		if (!pids[p])
			_exit(kt_send_batch(fd, ms[p], N, 0) == N ? 0 : 1);
	}
	for (p = 0; p < 2; p++)
		ASSERT_EQ(0, kt_wait_child(pids[p]));
	/* Each sender's chunk is one unbroken run. */
	for (i = 0; i < 2 * N; i++) {
		ASSERT_EQ(0, kt_recv(fd, &id, sizeof(id), KIPC_IO_NONBLOCK, 0,
				     &r));
		ASSERT_EQ((uint64_t)i + 1, r.seq);
		if (last >= 0 && (int)(id / N) != last)
			run++;
		last = id / N;
	}
	EXPECT_EQ(1, run);
	close(fd);
}

/* A page of which the first @ok bytes are readable and writable. */
static char *fq_guarded(size_t *off, size_t ok)
{
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + 4096, 4096, PROT_NONE))
		return NULL;
	*off = 4096 - ok;
	return p;
}

/*
 * A send batch whose descriptor array runs into an unmapped page, or
 * whose payload is unmapped at element k: exactly k are sent.
 */
TEST_F(fq, batch_send_faults_send_exactly_k)
{
	struct kipc_msg *ms;
	size_t off;
	char *page = fq_guarded(&off, 3 * sizeof(struct kipc_msg));
	uint32_t v = 7;
	int k;

	ASSERT_NE(NULL, page);
	ms = (struct kipc_msg *)(page + off);
	for (k = 0; k < 3; k++) {
		memset(&ms[k], 0, sizeof(ms[k]));
		ms[k].buf = (uintptr_t)&v;
		ms[k].len = sizeof(v);
	}
	/* Element 3 lies on the unmapped page. */
	EXPECT_EQ(3, kt_send_batch(self->fd, ms, 5, 0));
	EXPECT_EQ(3, kt_cur_msgs(self->fd));
	/* Element 1's payload is unmapped. */
	ms[1].buf = (uintptr_t)(page + 4096);
	EXPECT_EQ(1, kt_send_batch(self->fd, ms, 3, 0));
	EXPECT_EQ(4, kt_cur_msgs(self->fd));
	/* Element 0's: nothing is sent, and the call says why. */
	EXPECT_EQ(-EFAULT, kt_send_batch(self->fd, ms + 1, 2, 0));
	EXPECT_EQ(4, kt_cur_msgs(self->fd));
	munmap(page, 8192);
}

/*
 * A receive batch whose result element k cannot be written, or whose
 * payload buffer k is unmapped: k are received, and the rest stay queued
 * in order with their sequence numbers.
 */
TEST_F(fq, batch_recv_fault_requeues_rest)
{
	struct kipc_queue_attr a;
	struct kipc_msg *ms, two[2], r;
	uint32_t bufs[5], id;
	char *page;
	int k;

	page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	for (k = 0; k < 5; k++)
		ASSERT_EQ(0, kt_send(self->fd, &k, sizeof(k), 0, 0, 0));
	/* Elements 0 and 1 on a writable page, 2 to 4 on a read-only one. */
	ms = (struct kipc_msg *)(page + 4096 - 2 * sizeof(*ms));
	for (k = 0; k < 5; k++) {
		memset(&ms[k], 0, sizeof(ms[k]));
		ms[k].buf = (uintptr_t)&bufs[k];
		ms[k].len = sizeof(bufs[k]);
	}
	ASSERT_EQ(0, mprotect(page + 4096, 4096, PROT_READ));
	EXPECT_EQ(2, kt_recv_batch(self->fd, ms, 5, 0));
	EXPECT_EQ(1, ms[0].seq);
	EXPECT_EQ(2, ms[1].seq);
	EXPECT_EQ(0, bufs[0]);
	EXPECT_EQ(1, bufs[1]);
	EXPECT_EQ(3, kt_cur_msgs(self->fd));
	ASSERT_EQ(0, kt_getattr(self->fd, &a));
	EXPECT_EQ(2, a.received);

	/* A payload buffer unmapped at element 1. */
	memset(two, 0, sizeof(two));
	two[0].buf = (uintptr_t)&bufs[0];
	two[0].len = sizeof(bufs[0]);
	ASSERT_EQ(0, mprotect(page + 4096, 4096, PROT_NONE));
	two[1].buf = (uintptr_t)(page + 4096);
	two[1].len = sizeof(bufs[1]);
	EXPECT_EQ(1, kt_recv_batch(self->fd, two, 2, 0));
	EXPECT_EQ(3, two[0].seq);
	for (k = 4; k <= 5; k++) {
		ASSERT_EQ(0, kt_recv(self->fd, &id, sizeof(id),
				     KIPC_IO_NONBLOCK, 0, &r));
		EXPECT_EQ((uint64_t)k, r.seq);
		EXPECT_EQ((uint32_t)k - 1, id);
	}
	munmap(page, 8192);
}

/*
 * A single receive whose struct can be read but not written: EFAULT, and
 * the message stays in place with its sequence number, whether it was
 * queued or handed over to the blocked receiver.
 */
TEST_F(fq, recv_result_fault_requeues)
{
	struct kipc_queue_io *io;
	struct kipc_queue_attr a;
	struct kipc_msg r;
	char buf[64];
	pid_t child;
	char *page;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	io = (struct kipc_queue_io *)page;
	memset(io, 0, sizeof(*io));
	io->size = sizeof(*io);
	io->msg.buf = (uintptr_t)buf;
	io->msg.len = sizeof(buf);
	ASSERT_EQ(0, mprotect(page, 4096, PROT_READ));

	ASSERT_EQ(0, kt_send(self->fd, "q", 1, 0, 0, 0));
	EXPECT_EQ(-EFAULT, kt_ret(ioctl(self->fd, KIPC_IOC_QUEUE_RECV, io)));
	ASSERT_EQ(0, kt_getattr(self->fd, &a));
	EXPECT_EQ(1, a.cur_msgs);
	EXPECT_EQ(0, a.received);
	ASSERT_EQ(0, kt_recv(self->fd, buf, sizeof(buf), 0, 0, &r));
	EXPECT_EQ(1, r.seq);

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0)
		_exit(kt_ret(ioctl(self->fd, KIPC_IOC_QUEUE_RECV, io)) ==
		      -EFAULT ? 0 : 1);
	ASSERT_EQ(0, kt_wait_blocked(child, -1));
	ASSERT_EQ(0, kt_send(self->fd, "h", 1, 0, 0, 0));
	ASSERT_EQ(0, kt_wait_child(child));
	ASSERT_EQ(0, kt_getattr(self->fd, &a));
	EXPECT_EQ(1, a.cur_msgs);
	EXPECT_EQ(1, a.received);
	ASSERT_EQ(0, kt_recv(self->fd, buf, sizeof(buf), 0, 0, &r));
	EXPECT_EQ(2, r.seq);
	EXPECT_EQ('h', buf[0]);
	munmap(page, 4096);
}

/*
 * The hot ioctls keep copy_struct_from_user()'s rules at every size, each
 * case on its own: too short is EINVAL, a longer struct's tail must be
 * zero (E2BIG), and the module's own size, which takes the field-by-field
 * path, answers exactly as a zero-extended longer one does.
 */
TEST_F(fq, io_size_rules_both_paths)
{
	static const unsigned long cmds[] = { KIPC_IOC_QUEUE_SEND,
					      KIPC_IOC_QUEUE_RECV };
	struct {
		struct kipc_queue_io io;
		uint64_t tail;
	} big;
	struct kipc_msg own, longer;
	char c = 'x', got;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		uint32_t sizes[] = { 0, 4, offsetof(struct kipc_queue_io, msg),
				     sizeof(big.io) - 1 };
		unsigned int k;

		for (k = 0; k < ARRAY_SIZE(sizes); k++) {
			memset(&big, 0, sizeof(big));
			big.io.size = sizes[k];
			big.io.flags = KIPC_IO_NONBLOCK;
			big.io.msg.buf = (uintptr_t)&c;
			big.io.msg.len = 1;
			EXPECT_EQ(-EINVAL, kt_ret(ioctl(self->fd, cmds[i], &big)))
				TH_LOG("cmd %u size %u", i, sizes[k]);
		}
		memset(&big, 0, sizeof(big));
		big.io.size = sizeof(big);
		big.io.flags = KIPC_IO_NONBLOCK;
		big.io.msg.buf = (uintptr_t)&c;
		big.io.msg.len = 1;
		big.tail = 1;
		EXPECT_EQ(-E2BIG, kt_ret(ioctl(self->fd, cmds[i], &big)));
		EXPECT_EQ(-EFAULT, kt_ret(ioctl(self->fd, cmds[i], NULL)));
		EXPECT_EQ(0, kt_cur_msgs(self->fd));
	}

	/* Two messages; one received at each size, with the same results. */
	ASSERT_EQ(0, kt_send(self->fd, "a", 1, 3, 11, 0));
	ASSERT_EQ(0, kt_send(self->fd, "b", 1, 3, 11, 0));
	memset(&big, KT_POISON, sizeof(big));
	big.io.size = sizeof(big.io);
	big.io.flags = 0;
	big.io.timeout_ns = 0;
	big.io.msg.buf = (uintptr_t)&got;
	big.io.msg.len = 1;
	ASSERT_EQ(0, kt_ret(ioctl(self->fd, KIPC_IOC_QUEUE_RECV, &big)));
	own = big.io.msg;
	EXPECT_EQ(KT_POISON64, big.tail);
	memset(&big, KT_POISON, sizeof(big));
	big.io.size = sizeof(big);
	big.io.flags = 0;
	big.io.timeout_ns = 0;
	big.io.msg.buf = (uintptr_t)&got;
	big.io.msg.len = 1;
	big.tail = 0;
	ASSERT_EQ(0, kt_ret(ioctl(self->fd, KIPC_IOC_QUEUE_RECV, &big)));
	longer = big.io.msg;
	EXPECT_EQ(0, big.tail);
	EXPECT_EQ(own.len, longer.len);
	EXPECT_EQ(own.prio, longer.prio);
	EXPECT_EQ(own.type, longer.type);
	EXPECT_EQ(own.pid, longer.pid);
	EXPECT_EQ(own.tid, longer.tid);
	EXPECT_EQ(own.uid, longer.uid);
	EXPECT_EQ(own.gid, longer.gid);
	EXPECT_EQ(own.seq + 1, longer.seq);
	EXPECT_EQ(11, own.type);
	EXPECT_EQ(3, own.prio);
	EXPECT_EQ(getpid(), own.pid);
}

TEST_HARNESS_MAIN
