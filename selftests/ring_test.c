// SPDX-License-Identifier: GPL-2.0-only
/*
 * Rings through raw ioctls on /dev/kipc: binding and its errno table, the
 * struct size rules, the geometry's boundaries, the header, per-role page
 * permissions, waits, wake-ups, poll and O_ASYNC as a doorbell, the
 * producers' identities, the repair of a dead producer's claim, and
 * conservation with one and with many producers.
 */

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/kipc.h>

#include "ring_util.h"

#include "kselftest_harness.h"

#define CP		KIPC_RING_CONSUMER
#define PR		KIPC_RING_PRODUCER
#define CR		KIPC_RING_CREATE
#define SEC		1000000000ll
#define PAGE		((size_t)sysconf(_SC_PAGESIZE))
#define offsetofend(t, f)	(offsetof(t, f) + sizeof(((t *)0)->f))

FIXTURE(ring) {
	char name[64];
	int fd;
};

FIXTURE_SETUP(ring)
{
	kt_name(self->name, sizeof(self->name), "ring");
	self->fd = kt_open();
	ASSERT_LE(0, self->fd) TH_LOG("open /dev/kipc: %s",
				      strerror(-self->fd));
	if (rg_bind(self->fd, "", 0, 0, 0, 0, 0) == -ENOTTY)
		SKIP(return, "the loaded module has no rings");
}

FIXTURE_TEARDOWN(ring)
{
	if (self->fd >= 0)
		close(self->fd);
	rg_unlink(self->name);
}

/* A consumer handle on a new ring of 8 slots of 64 bytes. */
static int make_ring(int fd, const char *name, uint32_t mode)
{
	return rg_bind(fd, name, CP | CR, mode, 64, 8, 4);
}

/* ---- binding ------------------------------------------------------- */

TEST_F(ring, bind_create_info)
{
	struct kipc_ring_info info;
	int p;

	ASSERT_EQ(0, make_ring(self->fd, self->name, 0640));
	memset(&info, KT_POISON, sizeof(info));
	info.size = sizeof(info);
	info.flags = 0;
	ASSERT_EQ(0, kt_ret(ioctl(self->fd, KIPC_IOC_RING_INFO, &info)));
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_EQ(64, info.slot_size);
	EXPECT_EQ(8, info.nr_slots);
	EXPECT_EQ(4, info.max_producers);
	EXPECT_EQ(0, info.producers);
	EXPECT_EQ(0640, info.mode);
	EXPECT_EQ(getuid(), info.uid);
	EXPECT_EQ(getgid(), info.gid);
	EXPECT_EQ(1, info.handles);
	EXPECT_EQ(0, info.ring_flags);
	EXPECT_EQ(CP, info.handle_flags);
	EXPECT_EQ(0, info.tag);
	EXPECT_EQ(1, info.has_consumer);
	EXPECT_EQ(0, info.ring_size % PAGE);
	EXPECT_EQ(0, info.lost);

	p = rg_open(self->name, PR, 0, 0, 0, 0);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, rg_info(p, &info));
	EXPECT_EQ(PR, info.handle_flags);
	EXPECT_NE(0, info.tag);
	EXPECT_GE(0x3fff, info.tag);
	EXPECT_EQ(1, info.producers);
	EXPECT_EQ(2, info.handles);
	close(p);
}

TEST_F(ring, bind_errno_table)
{
	struct kipc_ring_bind b;
	char longname[KIPC_NAME_MAX + 2];
	int fd2;

	/* Each bad input alone, on otherwise valid input. */
	EXPECT_EQ(-EINVAL, rg_bind(self->fd, self->name, CP | PR | CR, 0600,
				   64, 8, 0));
	EXPECT_EQ(-EINVAL, rg_bind(self->fd, self->name, CP | CR | 1u << 5,
				   0600, 64, 8, 0));
	EXPECT_EQ(-EINVAL, rg_bind(self->fd, self->name, CP | CR | 1u << 31,
				   0600, 64, 8, 0));
	EXPECT_EQ(-EINVAL, rg_bind(self->fd, self->name,
				   CP | KIPC_RING_EXCL, 0600, 64, 8, 0));
	EXPECT_EQ(-EINVAL, rg_bind(self->fd, self->name,
				   CP | KIPC_RING_AUTO_DELETE, 0600, 64, 8, 0));
	EXPECT_EQ(-EINVAL, rg_bind(self->fd, self->name, CP | CR, 01000,
				   64, 8, 0));
	EXPECT_EQ(-EINVAL, rg_bind(self->fd, self->name, CP | CR, 0600,
				   0, 8, 0));
	EXPECT_EQ(-EINVAL, rg_bind(self->fd, self->name, CP | CR, 0600,
				   4, 8, 0));
	EXPECT_EQ(-EINVAL, rg_bind(self->fd, self->name, CP | CR, 0600,
				   12, 8, 0));
	EXPECT_EQ(-EINVAL, rg_bind(self->fd, self->name, CP | CR, 0600,
				   KIPC_RING_MAX_SLOT_SIZE + 8, 2, 0));
	EXPECT_EQ(-EINVAL, rg_bind(self->fd, self->name, CP | CR, 0600,
				   64, 0, 0));
	EXPECT_EQ(-EINVAL, rg_bind(self->fd, self->name, CP | CR, 0600,
				   64, 1, 0));
	EXPECT_EQ(-EINVAL, rg_bind(self->fd, self->name, CP | CR, 0600,
				   64, 12, 0));
	EXPECT_EQ(-EINVAL, rg_bind(self->fd, self->name, CP | CR, 0600,
				   8, KIPC_RING_MAX_SLOTS * 2, 0));
	EXPECT_EQ(-EINVAL, rg_bind(self->fd, self->name, CP | CR, 0600,
				   64, 8, KIPC_RING_MAX_PRODUCERS + 1));
	/* Refused before it sizes an allocation (no warning in the log). */
	EXPECT_EQ(-EINVAL, rg_bind(self->fd, self->name, CP | CR, 0600,
				   64, 8, UINT32_MAX));
	EXPECT_EQ(-EFBIG, rg_bind(self->fd, self->name, CP | CR, 0600,
				  KIPC_RING_MAX_SLOT_SIZE, KIPC_RING_MAX_SLOTS,
				  0));
	EXPECT_EQ(-ENOENT, rg_bind(self->fd, self->name, CP, 0, 0, 0, 0));

	rg_bind_init(&b, self->name, CP | CR, 0600, 64, 8, 0);
	b.__reserved = 1;
	EXPECT_EQ(-EINVAL, kt_ret(ioctl(self->fd, KIPC_IOC_RING_BIND, &b)));
	rg_bind_init(&b, self->name, CP | CR, 0600, 64, 8, 0);
	b.name_len = 0;
	EXPECT_EQ(-EINVAL, kt_ret(ioctl(self->fd, KIPC_IOC_RING_BIND, &b)));
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	rg_bind_init(&b, longname, CP | CR, 0600, 64, 8, 0);
	EXPECT_EQ(-ENAMETOOLONG, kt_ret(ioctl(self->fd, KIPC_IOC_RING_BIND,
					      &b)));
	rg_bind_init(&b, self->name, CP | CR, 0600, 64, 8, 0);
	b.name = 8;
	EXPECT_EQ(-EFAULT, kt_ret(ioctl(self->fd, KIPC_IOC_RING_BIND, &b)));

	/* Nothing above created the ring or bound the handle. */
	EXPECT_EQ(-ENOENT, rg_unlink(self->name));
	ASSERT_EQ(0, make_ring(self->fd, self->name, 0600));
	EXPECT_EQ(-EBUSY, make_ring(self->fd, self->name, 0600));

	fd2 = kt_open();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EEXIST, rg_bind(fd2, self->name, CP | CR | KIPC_RING_EXCL,
				   0600, 64, 8, 0));
	/* One consumer at a time. */
	EXPECT_EQ(-EBUSY, rg_bind(fd2, self->name, CP, 0, 0, 0, 0));
	/* The geometry, if given, must be the ring's. */
	EXPECT_EQ(-EINVAL, rg_bind(fd2, self->name, PR, 0, 128, 0, 0));
	EXPECT_EQ(-EINVAL, rg_bind(fd2, self->name, PR, 0, 0, 16, 0));
	EXPECT_EQ(-EINVAL, rg_bind(fd2, self->name, PR, 0, 0, 0, 5));
	EXPECT_EQ(0, rg_bind(fd2, self->name, PR, 0, 64, 8, 4));
	close(fd2);
}

TEST_F(ring, producers_limit)
{
	int p[4], extra, i;

	ASSERT_EQ(0, make_ring(self->fd, self->name, 0600));
	for (i = 0; i < 4; i++) {
		p[i] = rg_open(self->name, PR, 0, 0, 0, 0);
		ASSERT_LE(0, p[i]);
	}
	EXPECT_EQ(-EBUSY, rg_open(self->name, PR, 0, 0, 0, 0));
	/* A producer that goes frees its place. */
	close(p[1]);
	extra = rg_open(self->name, PR, 0, 0, 0, 0);
	ASSERT_LE(0, extra);
	p[1] = extra;
	for (i = 0; i < 4; i++)
		close(p[i]);
	/* A consumer that goes frees its place too. */
	close(self->fd);
	self->fd = rg_open(self->name, CP, 0, 0, 0, 0);
	ASSERT_LE(0, self->fd);
}

TEST_F(ring, struct_size_rules)
{
	struct {
		struct kipc_ring_bind b;
		uint64_t tail;
	} big;
	struct kipc_ring_info info;

	rg_bind_init(&big.b, self->name, CP | CR, 0600, 64, 8, 0);
	big.b.size = offsetof(struct kipc_ring_bind, __reserved);
	EXPECT_EQ(-EINVAL, kt_ret(ioctl(self->fd, KIPC_IOC_RING_BIND, &big)));
	big.b.size = sizeof(big);
	big.tail = 1;
	EXPECT_EQ(-E2BIG, kt_ret(ioctl(self->fd, KIPC_IOC_RING_BIND, &big)));
	big.tail = 0;
	EXPECT_EQ(0, kt_ret(ioctl(self->fd, KIPC_IOC_RING_BIND, &big)));

	memset(&info, KT_POISON, sizeof(info));
	info.size = offsetof(struct kipc_ring_info, lost);
	info.flags = 0;
	EXPECT_EQ(-EINVAL, kt_ret(ioctl(self->fd, KIPC_IOC_RING_INFO, &info)));
	info.size = sizeof(info);
	info.flags = 1;
	EXPECT_EQ(-EINVAL, kt_ret(ioctl(self->fd, KIPC_IOC_RING_INFO, &info)));
	/* Written no further than the caller's size. */
	memset(&info, KT_POISON, sizeof(info));
	info.size = offsetofend(struct kipc_ring_info, lost);
	info.flags = 0;
	EXPECT_EQ(0, kt_ret(ioctl(self->fd, KIPC_IOC_RING_INFO, &info)));
	EXPECT_EQ(8, info.nr_slots);
}

TEST_F(ring, unbound_and_wrong_kind)
{
	struct kipc_ring_info info;
	struct kipc_ring_producer pr = { .size = sizeof(pr) };
	struct kipc_queue_bind qb;
	char qname[64];
	int q;

	EXPECT_EQ(-EBADF, rg_info(self->fd, &info));
	EXPECT_EQ(-EBADF, rg_wait(self->fd, 0, 0, PAGE, 0));
	EXPECT_EQ(-EBADF, rg_wake(self->fd, KIPC_RING_WAKE_CONSUMER));
	EXPECT_EQ(-EBADF, kt_ret(ioctl(self->fd, KIPC_IOC_RING_PRODUCER, &pr)));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ, MAP_SHARED,
				   self->fd, 0));

	kt_name(qname, sizeof(qname), "q");
	kt_bind_init(&qb, qname, strlen(qname), KT_ALL_ACCESS |
		     KIPC_QUEUE_CREATE | KIPC_QUEUE_AUTO_DELETE, 0600, 0, 0);
	q = kt_open();
	ASSERT_LE(0, q);
	ASSERT_EQ(0, kt_ret(ioctl(q, KIPC_IOC_QUEUE_BIND, &qb)));
	EXPECT_EQ(-EBADF, rg_info(q, &info));
	EXPECT_EQ(-EBADF, rg_wake(q, KIPC_RING_WAKE_CONSUMER));
	close(q);

	/* A ring's name is not a queue's. */
	ASSERT_EQ(0, make_ring(self->fd, self->name, 0600));
	EXPECT_EQ(-ENOENT, kt_attach(self->name, KIPC_QUEUE_READ));
}

TEST_F(ring, geometry_boundaries)
{
	struct kipc_ring_info info;
	int fd;

	ASSERT_EQ(0, rg_bind(self->fd, self->name, CP | CR |
			     KIPC_RING_AUTO_DELETE, 0600, 8, 2, 1));
	ASSERT_EQ(0, rg_info(self->fd, &info));
	EXPECT_EQ(3 * PAGE + PAGE, info.ring_size);
	close(self->fd);
	self->fd = -1;

	fd = rg_open(self->name, CP | CR | KIPC_RING_AUTO_DELETE, 0600, 8,
		     KIPC_RING_MAX_SLOTS, KIPC_RING_MAX_PRODUCERS);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rg_info(fd, &info));
	EXPECT_EQ(KIPC_RING_MAX_SLOTS, info.nr_slots);
	EXPECT_EQ(KIPC_RING_MAX_PRODUCERS, info.max_producers);
	close(fd);

	fd = rg_open(self->name, CP | CR | KIPC_RING_AUTO_DELETE, 0600,
		     KIPC_RING_MAX_SLOT_SIZE, 2, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rg_info(fd, &info));
	EXPECT_EQ(KIPC_RING_MAX_SLOT_SIZE, info.slot_size);
	EXPECT_EQ(8, info.max_producers);
	close(fd);
}

TEST_F(ring, header_layout)
{
	struct rg_map m;

	ASSERT_EQ(0, rg_bind(self->fd, self->name, CP | CR, 0600, 72, 16, 2));
	ASSERT_EQ(0, rg_map(&m, self->fd));
	EXPECT_EQ(KIPC_RING_MAGIC, m.hdr->magic);
	EXPECT_EQ(KIPC_RING_VERSION, m.hdr->version);
	EXPECT_EQ(72, m.hdr->slot_size);
	EXPECT_EQ(16, m.hdr->nr_slots);
	EXPECT_EQ(2, m.hdr->max_producers);
	EXPECT_EQ(m.size, m.hdr->ring_size);
	EXPECT_EQ(0, m.hdr->cons_offset % PAGE);
	EXPECT_EQ(0, m.hdr->prod_offset % PAGE);
	EXPECT_EQ(0, m.hdr->slots_offset % PAGE);
	EXPECT_LT(m.hdr->cons_offset, m.hdr->prod_offset);
	EXPECT_LE(m.hdr->prod_offset + sizeof(struct kipc_ring_prod),
		  m.hdr->states_offset);
	EXPECT_LE(m.hdr->states_offset + 16 * 8, m.hdr->slots_offset);
	EXPECT_LE(m.hdr->slots_offset + 16 * 72, m.size);
	EXPECT_EQ(0, m.hdr->lost);
	/* Everything starts zeroed. */
	EXPECT_EQ(0, m.cons->tail);
	EXPECT_EQ(0, m.prod->head);
	EXPECT_EQ(0, m.states[15]);
	rg_unmap(&m);
}

/* ---- page permissions ---------------------------------------------- */

/* Runs @fn in a child and returns the signal that ended it, or 0. */
static int child_signal(void (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		fn(arg);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void write_word(void *p)
{
	*(volatile uint64_t *)p = 1;
}

TEST_F(ring, consumer_permissions)
{
	struct rg_map m;
	void *p;

	ASSERT_EQ(0, make_ring(self->fd, self->name, 0600));
	ASSERT_EQ(0, rg_map(&m, self->fd));

	/* The whole ring, or any producer page, is not the consumer's. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, m.size, PROT_READ | PROT_WRITE,
				   MAP_SHARED, self->fd, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				   MAP_SHARED, self->fd, m.hdr->prod_offset));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				   MAP_SHARED, self->fd, 0));
	EXPECT_EQ(EACCES, errno);
	/* A read-only one cannot be made writable. */
	EXPECT_EQ(-1, mprotect((void *)m.ro, m.size, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	/* A write through it faults. */
	EXPECT_EQ(SIGSEGV, child_signal(write_word, m.prod));
	EXPECT_EQ(SIGSEGV, child_signal(write_word, m.states));
	EXPECT_EQ(SIGSEGV, child_signal(write_word, (void *)m.hdr));
	/* Its own page it may write. */
	EXPECT_EQ(0, child_signal(write_word, &m.cons->waiting));
	/* Private and out-of-range mappings are refused. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE,
				   self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, m.size + PAGE, PROT_READ, MAP_SHARED,
				   self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ, MAP_SHARED,
				   self->fd, m.size));
	/* The ring does not grow. */
	p = mremap((void *)m.ro, m.size, m.size + PAGE, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, p);
	rg_unmap(&m);
}

TEST_F(ring, producer_permissions)
{
	struct rg_map m;
	int p;

	ASSERT_EQ(0, make_ring(self->fd, self->name, 0600));
	p = rg_open(self->name, PR, 0, 0, 0, 0);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, rg_map(&m, p));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, m.size, PROT_READ | PROT_WRITE,
				   MAP_SHARED, p, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				   MAP_SHARED, p, m.hdr->cons_offset));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(SIGSEGV, child_signal(write_word, m.cons));
	EXPECT_EQ(SIGSEGV, child_signal(write_word, (void *)m.hdr));
	EXPECT_EQ(-1, mprotect((void *)m.ro, PAGE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(0, child_signal(write_word, m.slots));
	EXPECT_EQ(0, child_signal(write_word, &m.prod->waiting));
	rg_unmap(&m);
	close(p);
}

TEST_F(ring, observer_writes_nothing)
{
	struct kipc_ring_info info;
	void *ro;
	int o;

	ASSERT_EQ(0, make_ring(self->fd, self->name, 0600));
	o = rg_open(self->name, 0, 0, 0, 0, 0);
	ASSERT_LE(0, o);
	ASSERT_EQ(0, rg_info(o, &info));
	EXPECT_EQ(0, info.handle_flags);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				   MAP_SHARED, o, PAGE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, info.ring_size - 3 * PAGE,
				   PROT_READ | PROT_WRITE, MAP_SHARED, o,
				   3 * PAGE));
	ro = mmap(NULL, info.ring_size, PROT_READ, MAP_SHARED, o, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-1, mprotect(ro, info.ring_size, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(SIGSEGV, child_signal(write_word, (char *)ro + PAGE));
	EXPECT_EQ(-EBADF, rg_wake(o, KIPC_RING_WAKE_CONSUMER));
	EXPECT_EQ(-EBADF, rg_wake(o, KIPC_RING_WAKE_PRODUCERS));
	munmap(ro, info.ring_size);
	close(o);
}

/* Another user may not reach a 0600 ring, nor write a 0644 one. */
TEST_F(ring, other_user_eacces)
{
	pid_t pid;

	if (getuid() != 0)
		SKIP(return, "needs root to make a ring of another user's");
	ASSERT_EQ(0, make_ring(self->fd, self->name, 0600));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		KT_CHILD_EQ(0, kt_become(KT_USER_UID, KT_USER_GID));
		KT_CHILD_EQ(-EACCES, rg_open(self->name, PR, 0, 0, 0, 0));
		KT_CHILD_EQ(-EACCES, rg_open(self->name, 0, 0, 0, 0, 0));
		KT_CHILD_EQ(-EPERM, rg_unlink(self->name));
		_exit(0);
	}
	EXPECT_EQ(0, kt_wait_child(pid));

	close(self->fd);
	rg_unlink(self->name);
	self->fd = kt_open();
	ASSERT_EQ(0, rg_bind(self->fd, self->name, PR | CR, 0644, 64, 8, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd;

		KT_CHILD_EQ(0, kt_become(KT_USER_UID, KT_USER_GID));
		KT_CHILD_EQ(-EACCES, rg_open(self->name, PR, 0, 0, 0, 0));
		fd = rg_open(self->name, CP, 0, 0, 0, 0);
		KT_CHILD_TRUE(fd >= 0);
		_exit(0);
	}
	EXPECT_EQ(0, kt_wait_child(pid));
}

/* ---- waits and wake-ups -------------------------------------------- */

TEST_F(ring, wait_errno_table)
{
	struct kipc_ring_wait w;
	struct rg_map m;
	int64_t t0;

	ASSERT_EQ(0, make_ring(self->fd, self->name, 0600));
	ASSERT_EQ(0, rg_map(&m, self->fd));
	EXPECT_EQ(-EINVAL, rg_wait(self->fd, 1u << 1, 0,
				   m.hdr->cons_offset, 0));
	EXPECT_EQ(-EINVAL, rg_wait(self->fd, 0, 0, m.hdr->cons_offset + 4, 0));
	EXPECT_EQ(-EINVAL, rg_wait(self->fd, 0, 0, 0, 0));
	EXPECT_EQ(-EINVAL, rg_wait(self->fd, 0, 0, m.hdr->slots_offset, 0));
	EXPECT_EQ(-EINVAL, rg_wait(self->fd, 0, 0, m.size, 0));
	EXPECT_EQ(-EINVAL, rg_wait(self->fd, 0, 0, ~0ull - 7, 0));
	/* A word that differs returns at once. */
	EXPECT_EQ(0, rg_wait(self->fd, 0, 0, m.hdr->cons_offset, 1));
	EXPECT_EQ(0, rg_wait(self->fd, 0, 0, m.hdr->states_offset, 7));
	/* A deadline in the past, and one ahead. */
	EXPECT_EQ(-ETIMEDOUT, rg_wait(self->fd, KIPC_RING_WAIT_TIMEOUT, 0,
				      m.hdr->cons_offset, 0));
	t0 = kt_mono_ns();
	EXPECT_EQ(-ETIMEDOUT, rg_wait(self->fd, KIPC_RING_WAIT_TIMEOUT,
				      t0 + 50000000, m.hdr->states_offset, 0));
	EXPECT_LE(t0 + 50000000, kt_mono_ns());

	/* O_NONBLOCK: would sleep, so it does not. */
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, rg_wait(self->fd, 0, 0, m.hdr->cons_offset, 0));
	EXPECT_EQ(0, rg_wait(self->fd, 0, 0, m.hdr->cons_offset, 1));
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, 0));

	memset(&w, 0, sizeof(w));
	w.size = offsetof(struct kipc_ring_wait, value);
	EXPECT_EQ(-EINVAL, kt_ret(ioctl(self->fd, KIPC_IOC_RING_WAIT, &w)));

	EXPECT_EQ(-EINVAL, rg_wake(self->fd, 0));
	EXPECT_EQ(-EINVAL, rg_wake(self->fd, 1u << 2));
	/* The consumer wakes producers, not itself. */
	EXPECT_EQ(-EBADF, rg_wake(self->fd, KIPC_RING_WAKE_CONSUMER));
	EXPECT_EQ(0, rg_wake(self->fd, KIPC_RING_WAKE_PRODUCERS));
	rg_unmap(&m);
}

TEST_F(ring, wait_woken_by_commit)
{
	struct rg_map c, pm;
	uint64_t pos, w;
	int p, status;
	pid_t pid;

	ASSERT_EQ(0, make_ring(self->fd, self->name, 0600));
	ASSERT_EQ(0, rg_map(&c, self->fd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* Sleeps in the kernel until the producer's wake-up. */
		int ret = rg_peek_wait(&c, &w, kt_mono_ns() + 10 * SEC);

		KT_CHILD_EQ(KIPC_RING_SLOT_COMMITTED, ret);
		KT_CHILD_EQ(0x1234, *(uint64_t *)rg_slot(&c, 0));
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_blocked(pid, SYS_ioctl));
	p = rg_open(self->name, PR, 0, 0, 0, 0);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, rg_map(&pm, p));
	ASSERT_EQ(0, rg_claim(&pm, &pos));
	EXPECT_EQ(0, pos);
	*(uint64_t *)rg_slot(&pm, pos) = 0x1234;
	ASSERT_EQ(0, rg_commit(&pm, pos));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	rg_unmap(&pm);
	close(p);
	rg_unmap(&c);
}

TEST_F(ring, poll_doorbell)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	struct pollfd pfd;
	struct rg_map c, pm;
	uint64_t pos, w;
	int p, ep, i;

	ASSERT_EQ(0, make_ring(self->fd, self->name, 0600));
	ASSERT_EQ(0, rg_map(&c, self->fd));
	p = rg_open(self->name, PR, 0, 0, 0, 0);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, rg_map(&pm, p));

	pfd = (struct pollfd){ .fd = self->fd, .events = POLLIN | POLLOUT };
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	pfd = (struct pollfd){ .fd = p, .events = POLLIN | POLLOUT };
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));

	/* The consumer says it sleeps; the commit rings the doorbell. */
	__atomic_store_n(&c.cons->waiting, 1, RG_SEQ_CST);
	ASSERT_EQ(0, rg_claim(&pm, &pos));
	ASSERT_EQ(0, rg_commit(&pm, pos));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 1000));
	EXPECT_EQ(EPOLLIN, ev.events);
	pfd = (struct pollfd){ .fd = self->fd, .events = POLLIN };
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(KIPC_RING_SLOT_COMMITTED, rg_peek(&c, &w));
	EXPECT_EQ(pm.tag, KIPC_RING_SLOT_TAG(w));
	__atomic_store_n(&c.cons->waiting, 0, RG_SEQ_CST);
	ASSERT_EQ(0, rg_release(&c));
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	/* Full: the producer is not writable until the consumer frees. */
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, rg_claim(&pm, &pos));
		ASSERT_EQ(0, rg_commit(&pm, pos));
	}
	EXPECT_EQ(-EAGAIN, rg_claim(&pm, &pos));
	pfd = (struct pollfd){ .fd = p, .events = POLLOUT };
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(KIPC_RING_SLOT_COMMITTED, rg_peek(&c, &w));
	ASSERT_EQ(0, rg_release(&c));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	close(ep);
	rg_unmap(&pm);
	close(p);
	rg_unmap(&c);
}

static volatile sig_atomic_t got_sigio;

static void on_sigio(int sig)
{
	(void)sig;
	got_sigio++;
}

TEST_F(ring, fasync_sigio)
{
	int p, i;

	ASSERT_EQ(0, make_ring(self->fd, self->name, 0600));
	p = rg_open(self->name, PR, 0, 0, 0, 0);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, kt_signal(SIGIO, on_sigio, 0));
	ASSERT_EQ(0, fcntl(self->fd, F_SETOWN, getpid()));
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_ASYNC));
	got_sigio = 0;
	ASSERT_EQ(0, rg_wake(p, KIPC_RING_WAKE_CONSUMER));
	for (i = 0; i < 100 && !got_sigio; i++)
		kt_sleep_ms(10);
	EXPECT_EQ(1, got_sigio);
	/* A wake of the producers' side signals no consumer. */
	ASSERT_EQ(0, rg_wake(self->fd, KIPC_RING_WAKE_PRODUCERS));
	kt_sleep_ms(20);
	EXPECT_EQ(1, got_sigio);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, 0));
	close(p);
}

/* ---- producers' identities and the repair of their claims ----------- */

TEST_F(ring, producer_identity)
{
	struct kipc_ring_producer pr;
	struct kipc_ring_info info;
	int p;

	ASSERT_EQ(0, make_ring(self->fd, self->name, 0600));
	p = rg_open(self->name, PR, 0, 0, 0, 0);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, rg_info(p, &info));

	memset(&pr, KT_POISON, sizeof(pr));
	pr.size = sizeof(pr);
	pr.flags = 0;
	pr.__reserved = 0;
	pr.tag = info.tag;
	ASSERT_EQ(0, kt_ret(ioctl(self->fd, KIPC_IOC_RING_PRODUCER, &pr)));
	EXPECT_EQ(info.tag, pr.tag);
	EXPECT_EQ(KIPC_RING_PRODUCER_BOUND, pr.state);
	EXPECT_EQ(getpid(), pr.pid);
	EXPECT_EQ(geteuid(), pr.uid);
	EXPECT_EQ(getegid(), pr.gid);
	EXPECT_LT(0, pr.bind_ns);
	EXPECT_EQ(0, pr.__reserved);

	close(p);
	pr.state = KT_POISON32;
	ASSERT_EQ(0, kt_ret(ioctl(self->fd, KIPC_IOC_RING_PRODUCER, &pr)));
	EXPECT_EQ(0, pr.state);
	EXPECT_EQ(getpid(), pr.pid);

	pr.tag = info.tag + (1 << 6);
	EXPECT_EQ(-ENOENT, kt_ret(ioctl(self->fd, KIPC_IOC_RING_PRODUCER,
					&pr)));
	pr.tag = 63;
	EXPECT_EQ(-ENOENT, kt_ret(ioctl(self->fd, KIPC_IOC_RING_PRODUCER,
					&pr)));
	pr.tag = info.tag;
	pr.flags = 1;
	EXPECT_EQ(-EINVAL, kt_ret(ioctl(self->fd, KIPC_IOC_RING_PRODUCER,
					&pr)));
	pr.flags = 0;
	pr.__reserved = 1;
	EXPECT_EQ(-EINVAL, kt_ret(ioctl(self->fd, KIPC_IOC_RING_PRODUCER,
					&pr)));
}

TEST_F(ring, dead_claim_is_lost)
{
	struct kipc_ring_info info;
	struct rg_map c, pm;
	uint64_t pos, w;
	int p, ret;

	ASSERT_EQ(0, make_ring(self->fd, self->name, 0600));
	ASSERT_EQ(0, rg_map(&c, self->fd));
	p = rg_open(self->name, PR, 0, 0, 0, 0);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, rg_map(&pm, p));
	ASSERT_EQ(0, rg_claim(&pm, &pos));
	ASSERT_EQ(0, rg_commit(&pm, pos));
	ASSERT_EQ(0, rg_claim(&pm, &pos));
	EXPECT_EQ(1, pos);

	/* The handle lives while its mapping does: nothing is repaired. */
	close(p);
	EXPECT_EQ(KIPC_RING_SLOT_COMMITTED, rg_peek(&c, &w));
	ASSERT_EQ(0, rg_release(&c));
	EXPECT_EQ(-EAGAIN, rg_peek(&c, &w));
	EXPECT_EQ(KIPC_RING_SLOT_CLAIMED, KIPC_RING_SLOT_STATE(w));

	/* The last mapping goes: the claim is marked lost and counted. */
	rg_unmap(&pm);
	ret = rg_peek_wait(&c, &w, kt_mono_ns() + 5 * SEC);
	EXPECT_EQ(KIPC_RING_SLOT_LOST, ret);
	EXPECT_EQ(pm.tag, KIPC_RING_SLOT_TAG(w));
	EXPECT_EQ(1, c.hdr->lost);
	ASSERT_EQ(0, rg_info(self->fd, &info));
	EXPECT_EQ(1, info.lost);
	EXPECT_EQ(0, info.producers);
	ASSERT_EQ(0, rg_release(&c));
	rg_unmap(&c);
}

TEST_F(ring, auto_delete_and_unlink)
{
	int fd;

	ASSERT_EQ(0, rg_bind(self->fd, self->name, CP | CR |
			     KIPC_RING_AUTO_DELETE, 0600, 64, 8, 0));
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(-ENOENT, rg_open(self->name, 0, 0, 0, 0, 0));

	fd = rg_open(self->name, PR | CR, 0600, 64, 8, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, rg_unlink(self->name));
	EXPECT_EQ(-ENOENT, rg_unlink(self->name));
	/* The handle keeps working without the name. */
	EXPECT_EQ(0, rg_wake(fd, KIPC_RING_WAKE_CONSUMER));
	close(fd);
}

/* ---- conservation -------------------------------------------------- */

struct rec {
	uint32_t producer;
	uint32_t seq;
	uint32_t csum;
	uint32_t pad;
};

static uint32_t rec_csum(uint32_t producer, uint32_t seq)
{
	return (producer * 0x9e3779b1u) ^ (seq * 0x85ebca6bu) ^ 0x5a5a5a5au;
}

static void produce(const char *name, uint32_t id, uint32_t count)
{
	struct rg_map m;
	uint64_t pos = 0;
	uint32_t i;
	int fd = rg_open(name, PR, 0, 0, 0, 0);

	KT_CHILD_TRUE(fd >= 0);
	KT_CHILD_EQ(0, rg_map(&m, fd));
	for (i = 0; i < count; i++) {
		struct rec *r;

		KT_CHILD_EQ(0, rg_claim_wait(&m, &pos,
					     kt_mono_ns() + 20 * SEC));
		r = (struct rec *)rg_slot(&m, pos);
		r->producer = id;
		r->seq = i;
		r->csum = rec_csum(id, i);
		KT_CHILD_EQ(0, rg_commit(&m, pos));
	}
	_exit(0);
}

static void conserve(struct __test_metadata *_metadata, int cfd,
		     const char *name, uint32_t producers, uint32_t count)
{
	uint32_t next[16] = { 0 };
	uint64_t total = (uint64_t)producers * count, got = 0, w;
	struct rg_map c;
	pid_t pids[16];
	uint32_t i;

	ASSERT_GE(16, producers);
	ASSERT_EQ(0, rg_map(&c, cfd));
	for (i = 0; i < producers; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i])
			produce(name, i, count);
	}
	while (got < total) {
		const struct rec *r;
		int st = rg_peek_wait(&c, &w, kt_mono_ns() + 20 * SEC);

		ASSERT_EQ(KIPC_RING_SLOT_COMMITTED, st)
			TH_LOG("after %llu of %llu records",
			       (unsigned long long)got,
			       (unsigned long long)total);
		r = (const struct rec *)rg_slot(&c, c.cons->tail);
		ASSERT_GT(producers, r->producer);
		/* Each producer's records arrive once, in its order. */
		ASSERT_EQ(next[r->producer], r->seq);
		ASSERT_EQ(rec_csum(r->producer, r->seq), r->csum);
		next[r->producer]++;
		got++;
		ASSERT_EQ(0, rg_release(&c));
	}
	for (i = 0; i < producers; i++) {
		EXPECT_EQ(0, kt_wait_child(pids[i]));
		EXPECT_EQ(count, next[i]);
	}
	EXPECT_EQ(-EAGAIN, rg_peek(&c, &w));
	EXPECT_EQ(0, c.hdr->lost);
	rg_unmap(&c);
}

TEST_F_TIMEOUT(ring, conservation_one_producer, 600)
{
	ASSERT_EQ(0, rg_bind(self->fd, self->name, CP | CR, 0600,
			     sizeof(struct rec), 4, 1));
	conserve(_metadata, self->fd, self->name, 1, 20000);
}

TEST_F_TIMEOUT(ring, conservation_many_producers, 600)
{
	ASSERT_EQ(0, rg_bind(self->fd, self->name, CP | CR, 0600,
			     sizeof(struct rec), 8, 8));
	conserve(_metadata, self->fd, self->name, 6, 5000);
}

TEST_HARNESS_MAIN
