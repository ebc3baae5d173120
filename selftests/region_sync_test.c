// SPDX-License-Identifier: GPL-2.0-only
/*
 * libkipc's synchronisation objects that live inside a region: the robust
 * process-shared lock and the futex-based event. Every process here opens
 * and maps the region itself, through the library, as unrelated programs
 * would; nothing relies on a mapping inherited across fork().
 */

#include <errno.h>
#include <signal.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <libkipc.h>

#include "region_util.h"

#include "kselftest_harness.h"

/* The lock's documented bound; each object gets a cache line or more. */
#define SLOT		64
_Static_assert(sizeof(struct kipc_region_lock) <= SLOT,
	       "struct kipc_region_lock outgrew its documented 64 bytes");

#define AREA_SIZE	(64 * 1024)

/* A generous bound for "this must eventually happen", never a speed check. */
#define LIVENESS_MS	20000

struct area {
	alignas(SLOT) struct kipc_region_lock lock;
	alignas(SLOT) struct kipc_region_event ev;
	alignas(SLOT) struct kipc_region_event ev2;
	volatile uint64_t count;
	volatile uint32_t flag;
	volatile uint32_t phase;
	volatile uint64_t waits[2];
	/* The ring of the producer/consumer test. */
	volatile uint32_t head, tail;
	volatile uint64_t items[16];
};

#define RING_SLOTS	16

_Static_assert(sizeof(struct area) <= AREA_SIZE, "area too large");

static inline struct kipc_region_lock *area_lock(struct area *a)
{
	return &a->lock;
}

static inline struct kipc_region_event *area_ev(struct area *a)
{
	return &a->ev;
}

static inline struct kipc_region_event *area_ev2(struct area *a)
{
	return &a->ev2;
}

/* Opens and maps the named area read-write: the area, or NULL. */
static struct area *area_attach(const char *name, int *fdp)
{
	void *addr = NULL;
	int fd, ret;

	fd = kipc_region_open(name, O_RDWR, 0, 0, 0);
	if (fd < 0)
		return NULL;
	ret = kipc_region_map(fd, 0, AREA_SIZE, PROT_READ | PROT_WRITE, &addr);
	if (ret < 0) {
		kipc_region_close(fd);
		return NULL;
	}
	if (fdp)
		*fdp = fd;
	else
		kipc_region_close(fd);
	return addr;
}

FIXTURE(sync) {
	char name[64];
	struct area *a;
	int fd;
};

FIXTURE_SETUP(sync)
{
	void *addr = NULL;
	int ret;

	rt_name(self->name, sizeof(self->name), "sync");
	self->fd = kipc_region_open(self->name, O_RDWR | O_CREAT | O_EXCL,
				    0600, AREA_SIZE, 0);
	ASSERT_LE(0, self->fd) TH_LOG("kipc_region_open: %s",
				      strerror(-self->fd));
	ret = kipc_region_map(self->fd, 0, AREA_SIZE, PROT_READ | PROT_WRITE,
			      &addr);
	ASSERT_EQ(0, ret) TH_LOG("kipc_region_map: %s", strerror(-ret));
	self->a = addr;
	ASSERT_EQ(0, kipc_region_lock_init(area_lock(self->a)));
	ASSERT_EQ(0, kipc_region_event_init(area_ev(self->a)));
	ASSERT_EQ(0, kipc_region_event_init(area_ev2(self->a)));
}

FIXTURE_TEARDOWN(sync)
{
	if (self->a)
		kipc_region_unmap(self->a, AREA_SIZE);
	if (self->fd >= 0)
		kipc_region_close(self->fd);
	kipc_region_unlink(self->name);
}

/* ---- The library's region calls ------------------------------------ */

TEST_F(sync, open_map_info)
{
	struct kipc_region_info info;
	void *addr = NULL;
	int fd;

	EXPECT_EQ(-EEXIST, kipc_region_open(self->name,
					    O_RDWR | O_CREAT | O_EXCL, 0600,
					    AREA_SIZE, 0));
	memset(&info, RT_POISON, sizeof(info));
	ASSERT_EQ(0, kipc_region_info(self->fd, &info));
	EXPECT_EQ(AREA_SIZE, info.region_size);
	EXPECT_EQ(0600, info.mode);
	EXPECT_EQ(1, info.handles);
	EXPECT_EQ(1, info.mappings);
	EXPECT_EQ(RT_RW, info.handle_flags);

	/* A read-only handle maps for reading only. */
	fd = kipc_region_open(self->name, O_RDONLY, 0, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EACCES, kipc_region_map(fd, 0, AREA_SIZE,
					   PROT_READ | PROT_WRITE, &addr));
	ASSERT_EQ(0, kipc_region_map(fd, 0, AREA_SIZE, PROT_READ, &addr));
	self->a->count = 42;
	EXPECT_EQ(42, ((struct area *)addr)->count);
	EXPECT_EQ(0, kipc_region_unmap(addr, AREA_SIZE));
	EXPECT_EQ(0, kipc_region_close(fd));

	EXPECT_EQ(-ENOENT, kipc_region_open("rt.sync.no-such-region", O_RDWR,
					    0, 0, 0));
}

TEST(open_auto_delete)
{
	struct kipc_region_info info;
	char name[64];
	int fd;

	rt_name(name, sizeof(name), "autodel");
	fd = kipc_region_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, 4096,
			      KIPC_REGION_AUTO_DELETE);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_region_info(fd, &info));
	EXPECT_EQ(KIPC_REGION_AUTO_DELETE, info.region_flags);
	EXPECT_EQ(0, kipc_region_close(fd));
	EXPECT_EQ(-ENOENT, kipc_region_open(name, O_RDWR, 0, 0, 0));
	EXPECT_EQ(-ENOENT, kipc_region_unlink(name));
}

/* ---- Lock ----------------------------------------------------------- */

#define COUNT_PROCS	4
#define COUNT_ITERS	100000

static int count_child(const char *name)
{
	struct area *a = area_attach(name, NULL);
	int i;

	if (!a)
		return RT_CHILD_ERR;
	for (i = 0; i < COUNT_ITERS; i++) {
		if (kipc_region_lock(area_lock(a)))
			return 1;
		/* A plain read-modify-write: only the lock makes it exact. */
		a->count = a->count + 1;
		if (kipc_region_unlock(area_lock(a)))
			return 2;
	}
	return 0;
}

TEST_F_TIMEOUT(sync, lock_counter, 120)
{
	pid_t pids[COUNT_PROCS];
	int i;

	for (i = 0; i < COUNT_PROCS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			_exit(count_child(self->name));
	}
	for (i = 0; i < COUNT_PROCS; i++)
		EXPECT_EQ(0, rt_wait(pids[i])) TH_LOG("child %d", i);
	EXPECT_EQ((uint64_t)COUNT_PROCS * COUNT_ITERS, self->a->count);
	/* And the lock is free at the end. */
	EXPECT_EQ(0, kipc_region_trylock(area_lock(self->a)));
	EXPECT_EQ(0, kipc_region_unlock(area_lock(self->a)));
}

/* Takes the lock, says so on @fd, and waits to be killed. */
static int hold_and_wait(const char *name, int fd)
{
	struct area *a = area_attach(name, NULL);

	if (!a || kipc_region_lock(area_lock(a)))
		return RT_CHILD_ERR;
	a->count = 1;		/* half-way through an update */
	if (write(fd, "l", 1) != 1)
		return RT_CHILD_ERR + 1;
	for (;;)
		pause();
}

/* Blocks on the lock held by a process about to die. */
static int lock_after_death(const char *name)
{
	struct area *a = area_attach(name, NULL);
	int ret;

	if (!a)
		return RT_CHILD_ERR;
	ret = kipc_region_lock(area_lock(a));
	if (ret != -EOWNERDEAD)
		return 1;
	/* The dead holder's half-done update is there to repair. */
	if (a->count != 1)
		return 2;
	a->count = 2;
	if (kipc_region_lock_consistent(area_lock(a)))
		return 3;
	if (kipc_region_unlock(area_lock(a)))
		return 4;
	return 0;
}

TEST_F(sync, lock_owner_dead)
{
	struct kipc_region_lock *lock = area_lock(self->a);
	pid_t holder, waiter;
	int p[2];
	char c;

	/* A holder is killed while another process waits for the lock. */
	ASSERT_EQ(0, pipe(p));
	holder = fork();
	ASSERT_LE(0, holder);
	if (holder == 0)
		_exit(hold_and_wait(self->name, p[1]));
	ASSERT_EQ(1, read(p[0], &c, 1));
	waiter = fork();
	ASSERT_LE(0, waiter);
	if (waiter == 0)
		_exit(lock_after_death(self->name));
	/* Likely, not necessarily, asleep on the lock by now. */
	rt_sleep_ms(50);
	ASSERT_EQ(0, kill(holder, SIGKILL));
	EXPECT_EQ(SIGKILL, rt_wait_signal(holder));
	EXPECT_EQ(0, rt_wait(waiter));
	EXPECT_EQ(2, self->a->count);

	/* Made consistent, the lock works as before. */
	ASSERT_EQ(0, kipc_region_lock(lock));
	EXPECT_EQ(0, kipc_region_unlock(lock));
	ASSERT_EQ(0, kipc_region_trylock(lock));
	EXPECT_EQ(0, kipc_region_unlock(lock));

	/* A holder killed with nobody waiting: the next locker learns it. */
	holder = fork();
	ASSERT_LE(0, holder);
	if (holder == 0)
		_exit(hold_and_wait(self->name, p[1]));
	ASSERT_EQ(1, read(p[0], &c, 1));
	ASSERT_EQ(0, kill(holder, SIGKILL));
	EXPECT_EQ(SIGKILL, rt_wait_signal(holder));
	ASSERT_EQ(-EOWNERDEAD, kipc_region_lock(lock));
	EXPECT_EQ(1, self->a->count);
	EXPECT_EQ(0, kipc_region_lock_consistent(lock));
	EXPECT_EQ(0, kipc_region_unlock(lock));
	ASSERT_EQ(0, kipc_region_lock(lock));
	EXPECT_EQ(0, kipc_region_unlock(lock));

	/* A holder that exits normally without unlocking is dead too. */
	holder = fork();
	ASSERT_LE(0, holder);
	if (holder == 0) {
		struct area *a = area_attach(self->name, NULL);

		_exit(a && !kipc_region_lock(area_lock(a)) ? 0 : RT_CHILD_ERR);
	}
	ASSERT_EQ(0, rt_wait(holder));
	ASSERT_EQ(-EOWNERDEAD, kipc_region_lock(lock));
	EXPECT_EQ(0, kipc_region_lock_consistent(lock));
	EXPECT_EQ(0, kipc_region_unlock(lock));
	ASSERT_EQ(0, kipc_region_trylock(lock));
	EXPECT_EQ(0, kipc_region_unlock(lock));
	close(p[0]);
	close(p[1]);
}

static int try_child(const char *name, int expect)
{
	struct area *a = area_attach(name, NULL);
	int ret;

	if (!a)
		return RT_CHILD_ERR;
	ret = kipc_region_trylock(area_lock(a));
	if (ret != expect)
		return 1;
	if (!ret && kipc_region_unlock(area_lock(a)))
		return 2;
	return 0;
}

TEST_F(sync, trylock_busy)
{
	struct kipc_region_lock *lock = area_lock(self->a);
	pid_t pid;

	ASSERT_EQ(0, kipc_region_trylock(lock));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(try_child(self->name, -EBUSY));
	EXPECT_EQ(0, rt_wait(pid));
	ASSERT_EQ(0, kipc_region_unlock(lock));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(try_child(self->name, 0));
	EXPECT_EQ(0, rt_wait(pid));
}

static int timed_child(const char *name)
{
	struct area *a = area_attach(name, NULL);
	struct timespec ts;

	if (!a)
		return RT_CHILD_ERR;
	ts = rt_deadline_ms(100);
	if (kipc_region_timedlock(area_lock(a), &ts) != -ETIMEDOUT)
		return 1;
	/* A deadline already past fails at once. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec -= 1;
	if (kipc_region_timedlock(area_lock(a), &ts) != -ETIMEDOUT)
		return 2;
	return 0;
}

TEST_F(sync, timedlock_timeout)
{
	struct kipc_region_lock *lock = area_lock(self->a);
	struct timespec ts;
	pid_t pid;

	ASSERT_EQ(0, kipc_region_lock(lock));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(timed_child(self->name));
	EXPECT_EQ(0, rt_wait(pid));
	ASSERT_EQ(0, kipc_region_unlock(lock));

	/* Free, it is taken whatever the deadline. */
	ts = rt_deadline_ms(LIVENESS_MS);
	EXPECT_EQ(0, kipc_region_timedlock(lock, &ts));
	EXPECT_EQ(0, kipc_region_unlock(lock));
}

/* ---- Event ---------------------------------------------------------- */

static int event_waiter(const char *name, int ready_fd)
{
	struct area *a = area_attach(name, NULL);
	struct timespec ts;
	uint32_t seq;
	int ret;

	if (!a || kipc_region_event_snapshot(area_ev(a), &seq))
		return RT_CHILD_ERR;
	if (write(ready_fd, "r", 1) != 1)
		return RT_CHILD_ERR + 1;
	ts = rt_deadline_ms(LIVENESS_MS);
	ret = kipc_region_event_wait(area_ev(a), seq, &ts);
	if (ret)
		return ret == -ETIMEDOUT ? 2 : 3;
	/* What the notifier wrote before notifying is visible. */
	return a->flag == 0xfeed ? 0 : 4;
}

TEST_F(sync, event_wake)
{
	struct kipc_region_event *ev = area_ev(self->a);
	int p[2], status, woken, total = 0;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(event_waiter(self->name, p[1]));
	ASSERT_EQ(1, read(p[0], &c, 1));

	self->a->flag = 0xfeed;
	/*
	 * One notification is enough. Notify again until one finds the
	 * child asleep, to see the count, or until the child is gone.
	 */
	for (;;) {
		woken = kipc_region_event_notify(ev, 1);
		ASSERT_LE(0, woken);
		ASSERT_GE(1, woken);
		total += woken;
		if (woken || waitpid(pid, &status, WNOHANG) == pid)
			break;
		rt_sleep_ms(5);
	}
	if (woken) {
		EXPECT_EQ(0, rt_wait(pid));
	} else {
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("waiter status %#x", status);
	}
	EXPECT_GE(1, total);
	close(p[0]);
	close(p[1]);
}

TEST_F(sync, event_stale_seq)
{
	struct kipc_region_event *ev = area_ev(self->a);
	uint32_t seq, seq2;
	struct timespec ts;

	ASSERT_EQ(0, kipc_region_event_snapshot(ev, &seq));
	/* Nobody waits. */
	EXPECT_EQ(0, kipc_region_event_notify(ev, 1));
	ASSERT_EQ(0, kipc_region_event_snapshot(ev, &seq2));
	EXPECT_NE(seq, seq2);
	/* The event moved on since seq: no wait at all. */
	EXPECT_EQ(0, kipc_region_event_wait(ev, seq, NULL));
	ts = rt_deadline_ms(LIVENESS_MS);
	EXPECT_EQ(0, kipc_region_event_wait(ev, seq, &ts));
	/* Not since seq2: the deadline ends the wait. */
	ts = rt_deadline_ms(50);
	EXPECT_EQ(-ETIMEDOUT, kipc_region_event_wait(ev, seq2, &ts));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec -= 1;
	EXPECT_EQ(-ETIMEDOUT, kipc_region_event_wait(ev, seq2, &ts));
}

static void on_usr1(int sig)
{
	(void)sig;
}

static int event_intr_child(const char *name, int ready_fd)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */
	struct area *a = area_attach(name, NULL);
	struct timespec ts;
	uint32_t seq;
	int ret;

	if (!a || sigaction(SIGUSR1, &sa, NULL) ||
	    kipc_region_event_snapshot(area_ev(a), &seq))
		return RT_CHILD_ERR;
	if (write(ready_fd, "r", 1) != 1)
		return RT_CHILD_ERR + 1;
	ts = rt_deadline_ms(LIVENESS_MS);
	ret = kipc_region_event_wait(area_ev(a), seq, &ts);
	return ret == -EINTR ? 0 : 1;
}

TEST_F(sync, event_wait_eintr)
{
	int p[2], status;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(event_intr_child(self->name, p[1]));
	/* The handler is in place; signal until one lands in the wait. */
	ASSERT_EQ(1, read(p[0], &c, 1));
	while (waitpid(pid, &status, WNOHANG) != pid) {
		kill(pid, SIGUSR1);
		rt_sleep_ms(10);
	}
	EXPECT_TRUE(WIFEXITED(status)) TH_LOG("waiter status %#x", status);
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(p[0]);
	close(p[1]);
}

/* ---- A producer and a consumer over a ring in the region ------------- */

#define RING_ITEMS	10000

static uint64_t ring_value(uint64_t i)
{
	return i * 2654435761u + 1;
}

/*
 * The usual condition-variable pattern: check under the lock, snapshot
 * the event before letting go, then wait for it to move. A wait only
 * ends once the other side notified after the snapshot, so each wait
 * costs a notification: that bounds the waits and proves nobody spins.
 */
static int ring_side(const char *name, int producer)
{
	struct area *a = area_attach(name, NULL);
	struct kipc_region_event *mine, *theirs;
	struct timespec ts;
	uint64_t i, v;
	uint32_t seq;
	int ret;

	if (!a)
		return RT_CHILD_ERR;
	/* The producer waits for room, the consumer for items. */
	mine = producer ? area_ev2(a) : area_ev(a);
	theirs = producer ? area_ev(a) : area_ev2(a);
	ts = rt_deadline_ms(LIVENESS_MS * 3);

	for (i = 0; i < RING_ITEMS; i++) {
		if (kipc_region_lock(area_lock(a)))
			return 1;
		while (producer ? a->head - a->tail == RING_SLOTS :
				  a->head == a->tail) {
			if (kipc_region_event_snapshot(mine, &seq))
				return 2;
			a->waits[producer]++;
			if (kipc_region_unlock(area_lock(a)))
				return 3;
			ret = kipc_region_event_wait(mine, seq, &ts);
			if (ret)
				return ret == -ETIMEDOUT ? 4 : 5;
			if (kipc_region_lock(area_lock(a)))
				return 6;
		}
		if (producer) {
			a->items[a->head % RING_SLOTS] = ring_value(i);
			a->head++;
		} else {
			v = a->items[a->tail % RING_SLOTS];
			a->tail++;
			if (v != ring_value(i))
				return 7;
		}
		if (kipc_region_unlock(area_lock(a)))
			return 8;
		if (kipc_region_event_notify(theirs, 1) < 0)
			return 9;
	}
	return 0;
}

TEST_F_TIMEOUT(sync, ring_producer_consumer, 120)
{
	pid_t prod, cons;

	cons = fork();
	ASSERT_LE(0, cons);
	if (cons == 0)
		_exit(ring_side(self->name, 0));
	prod = fork();
	ASSERT_LE(0, prod);
	if (prod == 0)
		_exit(ring_side(self->name, 1));

	EXPECT_EQ(0, rt_wait(prod)) TH_LOG("producer");
	EXPECT_EQ(0, rt_wait(cons)) TH_LOG("consumer");
	EXPECT_EQ(RING_ITEMS, self->a->head);
	EXPECT_EQ(RING_ITEMS, self->a->tail);
	/* Each wait was paid for by one notification from the other side. */
	EXPECT_GE(RING_ITEMS, self->a->waits[0]);
	EXPECT_GE(RING_ITEMS, self->a->waits[1]);
	TH_LOG("%llu consumer waits, %llu producer waits for %d items",
	       (unsigned long long)self->a->waits[0],
	       (unsigned long long)self->a->waits[1], RING_ITEMS);
}

TEST_HARNESS_MAIN
