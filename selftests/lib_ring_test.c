// SPDX-License-Identifier: GPL-2.0-only
/*
 * libkipc's rings (lib/ring.c, kipc_ring_create(3)): every record
 * committed is peeked once, intact and in its producer's order, with
 * one producer and with several, threads sharing a handle and processes
 * with handles of their own; every error of every call, each on its own
 * with the other arguments valid; outputs left untouched by a failure;
 * the boundaries of a slot, of a full ring and of a deadline; poll and
 * epoll on the descriptor once armed; and producers and consumers that
 * die mid-record or asleep, which must cost records (counted) and never
 * a hang.
 */

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libkipc.h>

#include "kselftest_harness.h"
#include "kipc_test.h"

#define SLOTS		8
#define SLOT_SIZE	64
#define MS		1000000ll
/* Whole-test liveness bound for the conservation runs, in ms. */
#define LIVENESS_MS	120000
#define CP		KIPC_RING_CONSUMER
#define PR		KIPC_RING_PRODUCER

struct rec {
	uint32_t who;
	uint32_t check;
	uint64_t seq;
	uint8_t fill[SLOT_SIZE - 16];
};

static uint32_t rec_check(uint32_t who, uint64_t seq)
{
	return (who * 0x9e3779b1u) ^ ((uint32_t)seq * 0x85ebca6bu);
}

static void rec_fill(void *slot, uint32_t who, uint64_t seq)
{
	struct rec r = { .who = who, .check = rec_check(who, seq), .seq = seq };

	memset(r.fill, (int)(seq & 0xff), sizeof(r.fill));
	memcpy(slot, &r, sizeof(r));
}

static int rec_ok(const void *slot, uint32_t who, uint64_t seq)
{
	struct rec r;
	size_t i;

	memcpy(&r, slot, sizeof(r));
	if (r.who != who || r.seq != seq || r.check != rec_check(who, seq))
		return 0;
	for (i = 0; i < sizeof(r.fill); i++)
		if (r.fill[i] != (uint8_t)seq)
			return 0;
	return 1;
}

static const struct kipc_ring_config cfg8 = {
	.slot_size = SLOT_SIZE, .nr_slots = SLOTS, .max_producers = 8,
};

FIXTURE(lring) {
	char name[64];
	struct kipc_ring *cons;		/* the ring's consumer */
	struct kipc_ring *prod;		/* one producer */
};

FIXTURE_SETUP(lring)
{
	struct kipc_module_info mi;
	int ret;

	kt_name(self->name, sizeof(self->name), "lring");
	self->cons = self->prod = NULL;
	ret = kipc_module_version(&mi);
	ASSERT_EQ(0, ret) TH_LOG("module: %s", strerror(-ret));
	if (!(mi.features & KIPC_FEAT_RING))
		SKIP(return, "the loaded module has no rings");
	ret = kipc_ring_create(self->name, CP | KIPC_RING_EXCL, 0600, &cfg8,
			       &self->cons);
	ASSERT_EQ(0, ret) TH_LOG("create: %s", strerror(-ret));
	ret = kipc_ring_open(self->name, PR, &self->prod);
	ASSERT_EQ(0, ret) TH_LOG("open: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(lring)
{
	if (self->prod)
		kipc_ring_close(self->prod);
	if (self->cons)
		kipc_ring_close(self->cons);
	kipc_ring_unlink(self->name);
}

static int put(struct kipc_ring *r, uint32_t who, uint64_t seq)
{
	uint64_t pos;
	void *d;
	int ret = kipc_ring_reserve(r, &d, &pos);

	if (ret)
		return ret;
	rec_fill(d, who, seq);
	return kipc_ring_commit(r, pos);
}

/* The next record, which must be @who's @seq; 0 or a negative errno. */
static int take(struct kipc_ring *r, uint32_t who, uint64_t seq)
{
	const void *d;
	uint64_t pos;
	int ret = kipc_ring_peek(r, &d, &pos, NULL);

	if (ret)
		return ret;
	if (!rec_ok(d, who, seq))
		return -EILSEQ;
	return kipc_ring_release(r, pos);
}

static int64_t elapsed_ms(int64_t t0)
{
	return (kt_mono_ns() - t0) / MS;
}

/* ---- the basic path ------------------------------------------------ */

TEST_F(lring, info_and_roles)
{
	struct kipc_ring_info ci, pi;

	ASSERT_EQ(0, kipc_ring_info(self->cons, &ci));
	EXPECT_EQ(SLOT_SIZE, ci.slot_size);
	EXPECT_EQ(SLOTS, ci.nr_slots);
	EXPECT_EQ(8, ci.max_producers);
	EXPECT_EQ(0600, ci.mode);
	EXPECT_EQ(geteuid(), ci.uid);
	EXPECT_EQ(CP, ci.handle_flags);
	EXPECT_EQ(0, ci.tag);
	ASSERT_EQ(0, kipc_ring_info(self->prod, &pi));
	EXPECT_EQ(PR, pi.handle_flags);
	EXPECT_NE(0, pi.tag);
	EXPECT_EQ(1, pi.producers);
	EXPECT_EQ(1, pi.has_consumer);
}

TEST_F(lring, one_record)
{
	struct kipc_ring_info pi;
	const void *d;
	uint64_t pos;
	uint32_t tag;

	ASSERT_EQ(0, kipc_ring_info(self->prod, &pi));
	ASSERT_EQ(-EAGAIN, kipc_ring_peek(self->cons, &d, &pos, &tag));
	ASSERT_EQ(0, put(self->prod, 7, 0));
	ASSERT_EQ(0, kipc_ring_peek(self->cons, &d, &pos, &tag));
	EXPECT_EQ(0, pos);
	EXPECT_EQ(pi.tag, tag);
	EXPECT_TRUE(rec_ok(d, 7, 0));
	/* A peek does not consume: it shows the same record again. */
	ASSERT_EQ(0, kipc_ring_peek(self->cons, &d, &pos, NULL));
	EXPECT_EQ(0, pos);
	ASSERT_EQ(0, kipc_ring_release(self->cons, pos));
	EXPECT_EQ(-EAGAIN, kipc_ring_peek(self->cons, &d, &pos, NULL));
}

/* Out-of-order commits are read in order: the oldest blocks the rest. */
TEST_F(lring, commit_out_of_order)
{
	uint64_t p0, p1, pos;
	void *d0, *d1;
	const void *d;

	ASSERT_EQ(0, kipc_ring_reserve(self->prod, &d0, &p0));
	ASSERT_EQ(0, kipc_ring_reserve(self->prod, &d1, &p1));
	EXPECT_EQ(p0 + 1, p1);
	rec_fill(d1, 1, 1);
	ASSERT_EQ(0, kipc_ring_commit(self->prod, p1));
	EXPECT_EQ(-EAGAIN, kipc_ring_peek(self->cons, &d, &pos, NULL));
	rec_fill(d0, 1, 0);
	ASSERT_EQ(0, kipc_ring_commit(self->prod, p0));
	EXPECT_EQ(0, take(self->cons, 1, 0));
	EXPECT_EQ(0, take(self->cons, 1, 1));
}

/* Every byte of a slot is the record's, and no byte beyond is. */
TEST_F(lring, slot_boundaries)
{
	unsigned char *slots[SLOTS];
	const unsigned char *c;
	uint64_t pos[SLOTS];
	int i, j;

	for (i = 0; i < SLOTS; i++) {
		ASSERT_EQ(0, kipc_ring_reserve(self->prod, (void **)&slots[i],
					       &pos[i]));
		if (i)
			EXPECT_EQ(SLOT_SIZE, slots[i] - slots[i - 1]);
	}
	for (i = 0; i < SLOTS; i++)
		memset(slots[i], 0x10 + i, SLOT_SIZE);
	for (i = 0; i < SLOTS; i++)
		ASSERT_EQ(0, kipc_ring_commit(self->prod, pos[i]));
	for (i = 0; i < SLOTS; i++) {
		ASSERT_EQ(0, kipc_ring_peek(self->cons, (const void **)&c,
					    &pos[i], NULL));
		for (j = 0; j < SLOT_SIZE; j++)
			ASSERT_EQ(0x10 + i, c[j]) TH_LOG("slot %d byte %d", i, j);
		ASSERT_EQ(0, kipc_ring_release(self->cons, pos[i]));
	}
}

TEST_F(lring, full_ring)
{
	uint64_t pos;
	void *d;
	int i;

	for (i = 0; i < SLOTS; i++)
		ASSERT_EQ(0, put(self->prod, 0, (uint64_t)i));
	EXPECT_EQ(-EAGAIN, kipc_ring_reserve(self->prod, &d, &pos));
	ASSERT_EQ(0, take(self->cons, 0, 0));
	ASSERT_EQ(0, put(self->prod, 0, SLOTS));
	EXPECT_EQ(-EAGAIN, kipc_ring_reserve(self->prod, &d, &pos));
	for (i = 1; i <= SLOTS; i++)
		ASSERT_EQ(0, take(self->cons, 0, (uint64_t)i));
	/* Many laps: positions and state words go on past the first. */
	for (i = 0; i < 5 * SLOTS; i++) {
		ASSERT_EQ(0, put(self->prod, 1, (uint64_t)i));
		ASSERT_EQ(0, take(self->cons, 1, (uint64_t)i));
	}
}

/* ---- errors, one at a time ----------------------------------------- */

TEST_F(lring, create_errors)
{
	struct kipc_ring_config c = cfg8;
	struct kipc_ring *r = (struct kipc_ring *)&c;	/* poisoned */
	struct kipc_ring *const poison = r;
	struct {
		struct kipc_ring_config c;
		uint32_t tail;
	} big = { cfg8, 1 };
	char name[64], longname[KIPC_NAME_MAX + 2];

	kt_name(name, sizeof(name), "lrerr");
	EXPECT_EQ(-EINVAL, kipc_ring_create(NULL, 0, 0600, &cfg8, &r));
	EXPECT_EQ(-EINVAL, kipc_ring_create(name, 0, 0600, NULL, &r));
	EXPECT_EQ(-EINVAL, kipc_ring_create(name, 0, 0600, &cfg8, NULL));
	EXPECT_EQ(-EINVAL, kipc_ring_create(name, 1u << 20, 0600, &cfg8, &r));
	EXPECT_EQ(-EINVAL, kipc_ring_create(name, CP | PR, 0600, &cfg8, &r));
	EXPECT_EQ(-EINVAL, kipc_ring_create(name, 0, 01600, &cfg8, &r));
	EXPECT_EQ(-EINVAL, kipc_ring_create("", 0, 0600, &cfg8, &r));
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, kipc_ring_create(longname, 0, 0600, &cfg8,
						  &r));
	EXPECT_EQ(-EINVAL, (kipc_ring_create)(name, 0, 0600, &cfg8,
					      sizeof(cfg8) - 1, &r));
	EXPECT_EQ(-E2BIG, (kipc_ring_create)(name, 0, 0600, &big.c,
					     sizeof(big), &r));
	c = cfg8;
	c.__reserved = 1;
	EXPECT_EQ(-EINVAL, kipc_ring_create(name, 0, 0600, &c, &r));
	c = cfg8;
	c.slot_size = 12;
	EXPECT_EQ(-EINVAL, kipc_ring_create(name, 0, 0600, &c, &r));
	c.slot_size = 0;
	EXPECT_EQ(-EINVAL, kipc_ring_create(name, 0, 0600, &c, &r));
	c.slot_size = KIPC_RING_MAX_SLOT_SIZE + 8;
	EXPECT_EQ(-EINVAL, kipc_ring_create(name, 0, 0600, &c, &r));
	c = cfg8;
	c.nr_slots = 3;
	EXPECT_EQ(-EINVAL, kipc_ring_create(name, 0, 0600, &c, &r));
	c.nr_slots = 1;
	EXPECT_EQ(-EINVAL, kipc_ring_create(name, 0, 0600, &c, &r));
	c.nr_slots = KIPC_RING_MAX_SLOTS * 2;
	EXPECT_EQ(-EINVAL, kipc_ring_create(name, 0, 0600, &c, &r));
	c = cfg8;
	c.max_producers = KIPC_RING_MAX_PRODUCERS + 1;
	EXPECT_EQ(-EINVAL, kipc_ring_create(name, 0, 0600, &c, &r));
	/* Against the fixture's ring. */
	EXPECT_EQ(-EEXIST, kipc_ring_create(self->name, KIPC_RING_EXCL, 0600,
					    &cfg8, &r));
	EXPECT_EQ(-EBUSY, kipc_ring_create(self->name, CP, 0600, &cfg8, &r));
	c = cfg8;
	c.nr_slots = 2 * SLOTS;
	EXPECT_EQ(-EINVAL, kipc_ring_create(self->name, 0, 0600, &c, &r));
	EXPECT_EQ(poison, r);
	EXPECT_EQ(-ENOENT, kipc_ring_open(name, 0, &r));
	EXPECT_EQ(poison, r);
}

TEST_F(lring, open_errors)
{
	struct kipc_ring *r = (struct kipc_ring *)self;	/* poisoned */

	EXPECT_EQ(-EINVAL, kipc_ring_open(NULL, 0, &r));
	EXPECT_EQ(-EINVAL, kipc_ring_open(self->name, 0, NULL));
	EXPECT_EQ(-EINVAL, kipc_ring_open(self->name, CP | PR, &r));
	EXPECT_EQ(-EINVAL, kipc_ring_open(self->name, KIPC_RING_CREATE, &r));
	EXPECT_EQ(-EINVAL, kipc_ring_open(self->name, KIPC_RING_EXCL, &r));
	EXPECT_EQ(-EBUSY, kipc_ring_open(self->name, CP, &r));
	EXPECT_EQ((struct kipc_ring *)self, r);
	EXPECT_EQ(-EINVAL, kipc_ring_unlink(NULL));
	EXPECT_EQ(-EINVAL, kipc_ring_close(NULL));
	EXPECT_EQ(-EINVAL, kipc_ring_fd(NULL));
}

TEST_F(lring, max_producers)
{
	struct kipc_ring *p[8], *r;
	int i;

	/* The fixture's producer is the first of eight. */
	for (i = 1; i < 8; i++)
		ASSERT_EQ(0, kipc_ring_open(self->name, PR, &p[i]));
	EXPECT_EQ(-EBUSY, kipc_ring_open(self->name, PR, &r));
	for (i = 1; i < 8; i++)
		ASSERT_EQ(0, kipc_ring_close(p[i]));
	ASSERT_EQ(0, kipc_ring_open(self->name, PR, &r));
	ASSERT_EQ(0, kipc_ring_close(r));
}

TEST_F(lring, role_errors)
{
	struct kipc_ring *obs;
	uint64_t pos = KT_POISON64;
	const void *cd = &pos;
	void *d = &pos;
	uint32_t tag = KT_POISON32;

	ASSERT_EQ(0, kipc_ring_open(self->name, 0, &obs));
	EXPECT_EQ(-EBADF, kipc_ring_reserve(self->cons, &d, &pos));
	EXPECT_EQ(-EBADF, kipc_ring_reserve(obs, &d, &pos));
	EXPECT_EQ(-EBADF, kipc_ring_commit(self->cons, 0));
	EXPECT_EQ(-EBADF, kipc_ring_commit(obs, 0));
	ASSERT_EQ(0, put(self->prod, 0, 0));
	EXPECT_EQ(-EBADF, kipc_ring_peek(self->prod, &cd, &pos, &tag));
	EXPECT_EQ(-EBADF, kipc_ring_peek(obs, &cd, &pos, &tag));
	EXPECT_EQ(-EBADF, kipc_ring_release(self->prod, 0));
	EXPECT_EQ(-EBADF, kipc_ring_release(obs, 0));
	EXPECT_EQ(-EBADF, kipc_ring_wait(obs, NULL));
	EXPECT_EQ(-EBADF, kipc_ring_arm(obs));
	EXPECT_EQ(-EBADF, kipc_ring_disarm(obs));
	EXPECT_EQ(KT_POISON64, pos);
	EXPECT_EQ((void *)&pos, d);
	EXPECT_EQ((const void *)&pos, cd);
	EXPECT_EQ(KT_POISON32, tag);
	/* The record is still there for the consumer. */
	EXPECT_EQ(0, take(self->cons, 0, 0));
	ASSERT_EQ(0, kipc_ring_close(obs));
}

TEST_F(lring, null_arguments)
{
	uint64_t pos = KT_POISON64, lost;
	const void *cd;
	void *d;
	struct kipc_ring_info info;
	struct kipc_ring_producer pi;
	struct timespec ts;

	EXPECT_EQ(-EINVAL, kipc_ring_reserve(NULL, &d, &pos));
	EXPECT_EQ(-EINVAL, kipc_ring_reserve(self->prod, NULL, &pos));
	EXPECT_EQ(-EINVAL, kipc_ring_reserve(self->prod, &d, NULL));
	EXPECT_EQ(-EINVAL, kipc_ring_commit(NULL, 0));
	EXPECT_EQ(-EINVAL, kipc_ring_peek(NULL, &cd, &pos, NULL));
	EXPECT_EQ(-EINVAL, kipc_ring_peek(self->cons, NULL, &pos, NULL));
	EXPECT_EQ(-EINVAL, kipc_ring_peek(self->cons, &cd, NULL, NULL));
	EXPECT_EQ(-EINVAL, kipc_ring_release(NULL, 0));
	EXPECT_EQ(-EINVAL, kipc_ring_wait(NULL, NULL));
	EXPECT_EQ(-EINVAL, kipc_ring_arm(NULL));
	EXPECT_EQ(-EINVAL, kipc_ring_disarm(NULL));
	EXPECT_EQ(-EINVAL, kipc_ring_lost(NULL, &lost));
	EXPECT_EQ(-EINVAL, kipc_ring_lost(self->cons, NULL));
	EXPECT_EQ(-EINVAL, kipc_ring_info(NULL, &info));
	EXPECT_EQ(-EINVAL, kipc_ring_info(self->cons, NULL));
	EXPECT_EQ(-EINVAL, (kipc_ring_info)(self->cons, &info,
					     sizeof(info) - 8));
	EXPECT_EQ(-EINVAL, kipc_ring_producer(NULL, 1, &pi));
	EXPECT_EQ(-EINVAL, kipc_ring_producer(self->cons, 1, NULL));
	EXPECT_EQ(-EINVAL, (kipc_ring_producer)(self->cons, 1, &pi,
						 sizeof(pi) - 8));
	ts.tv_sec = 0;
	ts.tv_nsec = 1000000000;
	EXPECT_EQ(-EINVAL, kipc_ring_wait(self->cons, &ts));
	ts.tv_nsec = -1;
	EXPECT_EQ(-EINVAL, kipc_ring_wait(self->cons, &ts));
	ts.tv_sec = -1;
	ts.tv_nsec = 0;
	EXPECT_EQ(-EINVAL, kipc_ring_wait(self->cons, &ts));
	EXPECT_EQ(KT_POISON64, pos);
}

/* A newer caller's longer struct: filled as far as known, the rest zero. */
TEST_F(lring, longer_structs)
{
	struct {
		struct kipc_ring_info info;
		uint64_t tail[2];
	} i;
	struct {
		struct kipc_ring_producer prod;
		uint64_t tail[2];
	} p;
	struct kipc_ring_info pi;

	memset(&i, KT_POISON, sizeof(i));
	ASSERT_EQ(0, (kipc_ring_info)(self->prod, &i.info, sizeof(i)));
	EXPECT_EQ(SLOTS, i.info.nr_slots);
	EXPECT_EQ(0, i.tail[0]);
	EXPECT_EQ(0, i.tail[1]);
	ASSERT_EQ(0, kipc_ring_info(self->prod, &pi));
	memset(&p, KT_POISON, sizeof(p));
	ASSERT_EQ(0, (kipc_ring_producer)(self->cons, pi.tag, &p.prod,
					   sizeof(p)));
	EXPECT_EQ(getpid(), p.prod.pid);
	EXPECT_EQ(0, p.tail[0]);
	EXPECT_EQ(0, p.tail[1]);
}

TEST_F(lring, commit_and_release_checks)
{
	uint64_t pos, cpos;
	const void *cd;
	void *d;

	/* Nothing reserved: no position is this producer's to commit. */
	EXPECT_EQ(-EINVAL, kipc_ring_commit(self->prod, 0));
	ASSERT_EQ(0, kipc_ring_reserve(self->prod, &d, &pos));
	EXPECT_EQ(-EINVAL, kipc_ring_commit(self->prod, pos + 1));
	EXPECT_EQ(-EINVAL, kipc_ring_commit(self->prod, pos + SLOTS));
	/* Reserved, not committed: nothing to release. */
	EXPECT_EQ(-EINVAL, kipc_ring_release(self->cons, pos));
	rec_fill(d, 0, 0);
	ASSERT_EQ(0, kipc_ring_commit(self->prod, pos));
	EXPECT_EQ(-EINVAL, kipc_ring_commit(self->prod, pos));
	ASSERT_EQ(0, kipc_ring_peek(self->cons, &cd, &cpos, NULL));
	EXPECT_EQ(-EINVAL, kipc_ring_release(self->cons, cpos + 1));
	ASSERT_EQ(0, kipc_ring_release(self->cons, cpos));
	EXPECT_EQ(-EINVAL, kipc_ring_release(self->cons, cpos));
}

TEST_F(lring, unlink)
{
	struct kipc_ring *r;
	char name[64];

	kt_name(name, sizeof(name), "lrunl");
	EXPECT_EQ(-ENOENT, kipc_ring_unlink(name));
	ASSERT_EQ(0, kipc_ring_unlink(self->name));
	EXPECT_EQ(-ENOENT, kipc_ring_unlink(self->name));
	EXPECT_EQ(-ENOENT, kipc_ring_open(self->name, PR, &r));
	/* The handles keep the ring. */
	ASSERT_EQ(0, put(self->prod, 0, 0));
	EXPECT_EQ(0, take(self->cons, 0, 0));
}

TEST_F(lring, auto_delete)
{
	struct kipc_ring *r;
	char name[64];

	kt_name(name, sizeof(name), "lrauto");
	ASSERT_EQ(0, kipc_ring_create(name, KIPC_RING_AUTO_DELETE, 0600,
				      &cfg8, &r));
	ASSERT_EQ(0, kipc_ring_close(r));
	EXPECT_EQ(-ENOENT, kipc_ring_open(name, 0, &r));
}

/* ---- waits and timeouts -------------------------------------------- */

TEST_F(lring, wait_timeouts)
{
	struct timespec ts;
	int64_t t0;
	int i;

	ASSERT_EQ(0, kipc_deadline_ms(&ts, 100));
	t0 = kt_mono_ns();
	EXPECT_EQ(-ETIMEDOUT, kipc_ring_wait(self->cons, &ts));
	EXPECT_LE(99, elapsed_ms(t0));
	/* A deadline already past fails at once, as does a zero one. */
	ts.tv_sec = 0;
	ts.tv_nsec = 0;
	EXPECT_EQ(-ETIMEDOUT, kipc_ring_wait(self->cons, &ts));

	/* Room: a producer does not sleep; full: it waits its deadline. */
	EXPECT_EQ(0, kipc_ring_wait(self->prod, &ts));
	for (i = 0; i < SLOTS; i++)
		ASSERT_EQ(0, put(self->prod, 0, (uint64_t)i));
	ASSERT_EQ(0, kipc_deadline_ms(&ts, 100));
	t0 = kt_mono_ns();
	EXPECT_EQ(-ETIMEDOUT, kipc_ring_wait(self->prod, &ts));
	EXPECT_LE(99, elapsed_ms(t0));
	/* A record: the consumer does not sleep, even past the deadline. */
	EXPECT_EQ(0, kipc_ring_wait(self->cons, &ts));
	EXPECT_EQ(0, kipc_ring_wait(self->cons, NULL));
}

TEST_F(lring, wait_nonblocking_fd)
{
	int fd = kipc_ring_fd(self->cons);
	int fl = fcntl(fd, F_GETFL);

	ASSERT_LE(0, fl);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, kipc_ring_wait(self->cons, NULL));
	ASSERT_EQ(0, fcntl(fd, F_SETFL, fl));
}

struct waiter {
	struct kipc_ring *r;
	int ret;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	struct timespec ts;

	kipc_deadline_ms(&ts, LIVENESS_MS);
	w->ret = kipc_ring_wait(w->r, &ts);
	return NULL;
}

/* A sleeping consumer is woken by a commit; a full producer by a release. */
TEST_F(lring, wait_wakes)
{
	struct waiter w = { .r = self->cons, .ret = 1 };
	pthread_t th;
	int i;

	ASSERT_EQ(0, pthread_create(&th, NULL, wait_thread, &w));
	kt_sleep_ms(50);
	ASSERT_EQ(0, put(self->prod, 0, 0));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, w.ret);

	for (i = 1; i < SLOTS; i++)
		ASSERT_EQ(0, put(self->prod, 0, (uint64_t)i));
	w = (struct waiter){ .r = self->prod, .ret = 1 };
	ASSERT_EQ(0, pthread_create(&th, NULL, wait_thread, &w));
	kt_sleep_ms(50);
	ASSERT_EQ(0, take(self->cons, 0, 0));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, w.ret);
}

/* ---- conservation -------------------------------------------------- */

struct producer_arg {
	struct kipc_ring *r;
	uint32_t who;
	uint64_t n;
	int ret;
};

static int produce(struct kipc_ring *r, uint32_t who, uint64_t n)
{
	struct timespec ts;
	uint64_t seq, pos;
	void *d;
	int ret;

	kipc_deadline_ms(&ts, LIVENESS_MS);
	for (seq = 0; seq < n; seq++) {
		while ((ret = kipc_ring_reserve(r, &d, &pos)) == -EAGAIN) {
			ret = kipc_ring_wait(r, &ts);
			if (ret && ret != -EINTR)
				return ret;
		}
		if (ret)
			return ret;
		rec_fill(d, who, seq);
		ret = kipc_ring_commit(r, pos);
		if (ret)
			return ret;
	}
	return 0;
}

static void *producer_thread(void *arg)
{
	struct producer_arg *a = arg;

	a->ret = produce(a->r, a->who, a->n);
	return NULL;
}

/*
 * Reads @total records from @nr_who producers, each of whose records
 * must come in its own order and intact: 0, or a negative errno, or
 * -EILSEQ for a record out of place.
 */
static int consume(struct kipc_ring *r, uint32_t nr_who, uint64_t total)
{
	uint64_t *next = calloc(nr_who, sizeof(*next));
	struct timespec ts;
	const struct rec *rec;
	uint64_t got, pos;
	int ret = 0;

	if (!next)
		return -ENOMEM;
	kipc_deadline_ms(&ts, LIVENESS_MS);
	for (got = 0; got < total;) {
		ret = kipc_ring_peek(r, (const void **)&rec, &pos, NULL);
		if (ret == -EAGAIN) {
			ret = kipc_ring_wait(r, &ts);
			if (ret && ret != -EINTR)
				break;
			continue;
		}
		if (ret)
			break;
		if (rec->who >= nr_who || !rec_ok(rec, rec->who, next[rec->who])) {
			ret = -EILSEQ;
			break;
		}
		next[rec->who]++;
		got++;
		ret = kipc_ring_release(r, pos);
		if (ret)
			break;
	}
	free(next);
	return ret;
}

#define PER_PRODUCER	10000
#define NR_THREADS	4
#define NR_PROCS	4

TEST_F(lring, conserve_one_producer)
{
	struct producer_arg a = { self->prod, 0, 4 * PER_PRODUCER, 1 };
	pthread_t th;

	ASSERT_EQ(0, pthread_create(&th, NULL, producer_thread, &a));
	EXPECT_EQ(0, consume(self->cons, 1, a.n));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, a.ret);
}

/* Threads sharing one producer handle, and so one tag and one count. */
TEST_F(lring, conserve_threads_one_handle)
{
	struct producer_arg a[NR_THREADS];
	pthread_t th[NR_THREADS];
	int i;

	for (i = 0; i < NR_THREADS; i++) {
		a[i] = (struct producer_arg){ self->prod, (uint32_t)i,
					      PER_PRODUCER, 1 };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, producer_thread,
					    &a[i]));
	}
	EXPECT_EQ(0, consume(self->cons, NR_THREADS,
			     (uint64_t)NR_THREADS * PER_PRODUCER));
	for (i = 0; i < NR_THREADS; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(0, a[i].ret) TH_LOG("thread %d", i);
	}
}

/* Processes, each with a handle of its own, and one sharing ours by fork. */
TEST_F(lring, conserve_processes)
{
	pid_t pid[NR_PROCS];
	int i, status;

	for (i = 0; i < NR_PROCS; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			struct kipc_ring *r = self->prod;

			if (i)
				KT_CHILD_EQ(0, kipc_ring_open(self->name, PR,
							      &r));
			KT_CHILD_EQ(0, produce(r, (uint32_t)i, PER_PRODUCER));
			_exit(0);
		}
	}
	EXPECT_EQ(0, consume(self->cons, NR_PROCS,
			     (uint64_t)NR_PROCS * PER_PRODUCER));
	for (i = 0; i < NR_PROCS; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		EXPECT_EQ(0, status) TH_LOG("producer %d", i);
	}
}

/* ---- poll and epoll ------------------------------------------------ */

TEST_F(lring, poll_consumer)
{
	struct pollfd pfd = { .fd = kipc_ring_fd(self->cons), .events = POLLIN };
	int i;

	ASSERT_LE(0, pfd.fd);
	EXPECT_EQ(-EINVAL, kipc_ring_disarm(self->cons));
	ASSERT_EQ(0, kipc_ring_arm(self->cons));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, put(self->prod, 0, 0));
	EXPECT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_EQ(POLLIN, pfd.revents);
	ASSERT_EQ(0, kipc_ring_disarm(self->cons));
	EXPECT_EQ(-EINVAL, kipc_ring_disarm(self->cons));
	/* Ready: arming says so, and leaves nothing to disarm. */
	EXPECT_EQ(1, kipc_ring_arm(self->cons));
	EXPECT_EQ(-EINVAL, kipc_ring_disarm(self->cons));
	ASSERT_EQ(0, take(self->cons, 0, 0));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	/* Armed twice, disarmed twice. */
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, kipc_ring_arm(self->cons));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, kipc_ring_disarm(self->cons));
	EXPECT_EQ(-EINVAL, kipc_ring_disarm(self->cons));
}

static void *put_later(void *arg)
{
	struct kipc_ring *r = arg;

	kt_sleep_ms(50);
	put(r, 0, 0);
	return NULL;
}

TEST_F(lring, epoll_both_sides)
{
	struct epoll_event ev = { .events = EPOLLIN };
	pthread_t th;
	int ep, i;

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, kipc_ring_fd(self->cons),
			       &ev));
	ASSERT_EQ(0, kipc_ring_arm(self->cons));
	ASSERT_EQ(0, pthread_create(&th, NULL, put_later, self->prod));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 10000));
	EXPECT_EQ(EPOLLIN, ev.events);
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, kipc_ring_disarm(self->cons));
	ASSERT_EQ(0, take(self->cons, 0, 0));
	close(ep);

	/* A producer of a full ring polls writable once a record is read. */
	for (i = 0; i < SLOTS; i++)
		ASSERT_EQ(0, put(self->prod, 0, (uint64_t)i));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ev.events = EPOLLOUT;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, kipc_ring_fd(self->prod),
			       &ev));
	ASSERT_EQ(0, kipc_ring_arm(self->prod));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, take(self->cons, 0, 0));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 1000));
	EXPECT_EQ(EPOLLOUT, ev.events);
	ASSERT_EQ(0, kipc_ring_disarm(self->prod));
	close(ep);
}

/* ---- dead producers and consumers ---------------------------------- */

TEST_F(lring, dead_producer_loses_its_record)
{
	struct kipc_ring_producer who;
	uint64_t lost = KT_POISON64;
	const void *d;
	uint64_t pos;
	uint32_t tag;
	pid_t pid;
	int status;

	ASSERT_EQ(0, kipc_ring_lost(self->cons, &lost));
	EXPECT_EQ(0, lost);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_ring *r;
		void *slot;

		KT_CHILD_EQ(0, kipc_ring_open(self->name, PR, &r));
		KT_CHILD_EQ(0, kipc_ring_reserve(r, &slot, &pos));
		_exit(0);	/* mid-record */
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	/* The parent's copy of the fixture's handle is its own. */
	ASSERT_EQ(0, put(self->prod, 1, 0));
	ASSERT_EQ(0, kipc_ring_peek(self->cons, &d, &pos, &tag));
	EXPECT_EQ(1, pos);
	EXPECT_TRUE(rec_ok(d, 1, 0));
	ASSERT_EQ(0, kipc_ring_lost(self->cons, &lost));
	EXPECT_EQ(1, lost);
	ASSERT_EQ(0, kipc_ring_producer(self->cons, tag, &who));
	EXPECT_EQ(getpid(), who.pid);
	EXPECT_EQ(geteuid(), who.uid);
	EXPECT_EQ(getegid(), who.gid);
	EXPECT_EQ(KIPC_RING_PRODUCER_BOUND, who.state);
	EXPECT_NE(0, who.bind_ns);
	ASSERT_EQ(0, kipc_ring_release(self->cons, pos));
}

TEST_F(lring, producer_identity)
{
	struct kipc_ring_producer who;
	struct kipc_ring_info pi;

	ASSERT_EQ(0, kipc_ring_info(self->prod, &pi));
	memset(&who, KT_POISON, sizeof(who));
	EXPECT_EQ(-ENOENT, kipc_ring_producer(self->cons, pi.tag ^ 0x40, &who));
	ASSERT_EQ(0, kipc_ring_producer(self->cons, pi.tag, &who));
	EXPECT_EQ(pi.tag, who.tag);
	EXPECT_EQ(getpid(), who.pid);
	EXPECT_EQ(KIPC_RING_PRODUCER_BOUND, who.state);
	ASSERT_EQ(0, kipc_ring_close(self->prod));
	self->prod = NULL;
	ASSERT_EQ(0, kipc_ring_producer(self->cons, pi.tag, &who));
	EXPECT_EQ(0, who.state & KIPC_RING_PRODUCER_BOUND);
	EXPECT_EQ(getpid(), who.pid);
}

/*
 * A producer killed asleep on a full ring leaves the producers' count
 * raised for good; the consumer then wakes needlessly, and nothing
 * else: the ring goes on, and a live producer still sleeps and wakes.
 */
TEST_F(lring, killed_sleeping_producer)
{
	struct waiter w = { .r = self->prod, .ret = 1 };
	pthread_t th;
	pid_t pid;
	int i, status;

	for (i = 0; i < SLOTS; i++)
		ASSERT_EQ(0, put(self->prod, 0, (uint64_t)i));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_ring *r;

		KT_CHILD_EQ(0, kipc_ring_open(self->name, PR, &r));
		kipc_ring_wait(r, NULL);
		_exit(1);
	}
	kt_sleep_ms(100);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));

	ASSERT_EQ(0, pthread_create(&th, NULL, wait_thread, &w));
	kt_sleep_ms(50);
	ASSERT_EQ(0, take(self->cons, 0, 0));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, w.ret);
	for (i = 1; i < SLOTS; i++)
		ASSERT_EQ(0, take(self->cons, 0, (uint64_t)i));
	EXPECT_EQ(0, put(self->prod, 0, SLOTS));
	EXPECT_EQ(0, take(self->cons, 0, SLOTS));
}

/* A consumer killed asleep: the next consumer binds and is woken. */
TEST_F(lring, killed_sleeping_consumer)
{
	struct waiter w;
	pthread_t th;
	pid_t pid;
	int status;

	ASSERT_EQ(0, kipc_ring_close(self->cons));
	self->cons = NULL;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_ring *r;

		KT_CHILD_EQ(0, kipc_ring_open(self->name, CP, &r));
		kipc_ring_wait(r, NULL);
		_exit(1);
	}
	kt_sleep_ms(100);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, kipc_ring_open(self->name, CP, &self->cons));
	w = (struct waiter){ .r = self->cons, .ret = 1 };
	ASSERT_EQ(0, pthread_create(&th, NULL, wait_thread, &w));
	kt_sleep_ms(50);
	ASSERT_EQ(0, put(self->prod, 0, 0));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(0, take(self->cons, 0, 0));
}

/* ---- permissions --------------------------------------------------- */

static int open_as_user(const char *name, unsigned int flags)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct kipc_ring *r;
		int ret;

		if (kt_become(KT_USER_UID, KT_USER_GID))
			_exit(100);
		ret = kipc_ring_open(name, flags, &r);
		_exit(ret < 0 ? -ret : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

TEST_F(lring, permissions)
{
	struct kipc_ring *r;
	char name[64];

	if (geteuid() != 0)
		SKIP(return, "needs root to act as a second user");
	EXPECT_EQ(-EACCES, open_as_user(self->name, 0));
	EXPECT_EQ(-EACCES, open_as_user(self->name, PR));
	kt_name(name, sizeof(name), "lrperm");
	ASSERT_EQ(0, kipc_ring_create(name, 0, 0644, &cfg8, &r));
	EXPECT_EQ(0, open_as_user(name, 0));
	EXPECT_EQ(0, open_as_user(name, CP));
	EXPECT_EQ(-EACCES, open_as_user(name, PR));
	ASSERT_EQ(0, kipc_ring_close(r));
	EXPECT_EQ(0, kipc_ring_unlink(name));
}

TEST_HARNESS_MAIN
