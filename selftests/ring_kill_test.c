// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ring producers killed with SIGKILL at random points, most of them
 * between the claim of a slot and its commit, while the consumer reads.
 * The accounting is exact: every record a producer committed arrives
 * once, in that producer's order and intact; every slot a dead producer
 * left claimed is marked lost by the kernel, and the consumer's count of
 * lost slots equals the kernel's (the header's lost word). The ring never
 * wedges: once every producer is dead, the consumer reaches the head with
 * no slot left claimed.
 *
 * KIPC_KILLS (default 200) is the number of kills over both tests, as for
 * kill_test (the runner's long run sets 1000); KIPC_KILL_SEED repeats a
 * run.
 */

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hardening.h"
#include "ring_util.h"

#define SLOTS		8
#define SLOT_SIZE	256
#define MAX_PRODUCERS	8
#define MAX_CHILDREN	4
#define SEC		1000000000ll
#define NTESTS		2
/* Writes of each record, so that a producer is mostly mid-claim. */
#define FILL_PASSES	256

struct rec {
	uint32_t child;
	uint32_t seq;
	uint32_t csum;
	uint8_t fill[SLOT_SIZE - 12];
};

static uint32_t rec_csum(uint32_t child, uint32_t seq)
{
	return (child * 0x9e3779b1u) ^ (seq * 0x85ebca6bu) ^ 0xc3c3c3c3u;
}

/*
 * A producer that never stops on its own: it fills each record a byte at
 * a time between claim and commit, so that most kills land mid-claim.
 */
static void producer(const char *name, uint32_t child)
{
	struct rg_map m;
	uint64_t pos = 0;
	uint32_t seq, i;
	int fd = rg_open(name, KIPC_RING_PRODUCER, 0, 0, 0, 0);

	KT_CHILD_TRUE(fd >= 0);
	KT_CHILD_EQ(0, rg_map(&m, fd));
	for (seq = 0;; seq++) {
		struct rec *r;

		KT_CHILD_EQ(0, rg_claim_wait(&m, &pos,
					     kt_mono_ns() + 60 * SEC));
		r = (struct rec *)rg_slot(&m, pos);
		for (i = 0; i < FILL_PASSES * sizeof(r->fill); i++)
			((volatile uint8_t *)r->fill)[i % sizeof(r->fill)] =
				(uint8_t)(seq + i % sizeof(r->fill));
		r->child = child;
		r->seq = seq;
		r->csum = rec_csum(child, seq);
		KT_CHILD_EQ(0, rg_commit(&m, pos));
	}
}

struct tally {
	uint32_t next[100000];
	uint64_t records;
	uint64_t lost;
};

/* Reads what is ready, until @until (CLOCK_MONOTONIC), or until dry. */
static int drain(struct rg_map *c, struct tally *t, uint32_t nchildren,
		 int64_t until)
{
	uint64_t w;

	for (;;) {
		const struct rec *r;
		int st = rg_peek(c, &w);

		if (st == -EAGAIN) {
			if (kt_mono_ns() >= until)
				return 0;
			st = rg_peek_wait(c, &w, until);
			if (st == -ETIMEDOUT)
				return 0;
		}
		if (st == KIPC_RING_SLOT_LOST) {
			t->lost++;
		} else if (st == KIPC_RING_SLOT_COMMITTED) {
			r = (const struct rec *)rg_slot(c, c->cons->tail);
			if (r->child >= nchildren ||
			    r->seq != t->next[r->child] ||
			    r->csum != rec_csum(r->child, r->seq) ||
			    r->fill[7] != (uint8_t)(r->seq + 7)) {
				fprintf(stderr,
					"# bad record: child %u seq %u (want %u) csum %#x\n",
					r->child, r->seq,
					r->child < nchildren ?
					t->next[r->child] : 0, r->csum);
				return -1;
			}
			t->next[r->child]++;
			t->records++;
		} else {
			return st;
		}
		if (rg_release(c))
			return -1;
	}
}

static void run_kills(struct __test_metadata *_metadata, int live)
{
	long total = hd_env_long("KIPC_KILLS", 200, 1, 100000);
	long kills = (total + NTESTS - 1) / NTESTS;
	uint64_t seed = hd_seed("KIPC_KILL_SEED");
	struct hd_rng rng = { seed };
	pid_t pids[MAX_CHILDREN];
	uint32_t ids[MAX_CHILDREN];
	int64_t until;
	static struct tally t;
	struct rg_map c;
	uint32_t nchildren = 0;
	char name[64];
	uint64_t w;
	long k;
	int fd, i, slot;

	TH_LOG("KIPC_KILLS=%ld: %ld kills in this test, %d producers at a time; KIPC_KILL_SEED=%llu",
	       total, kills, live, (unsigned long long)seed);
	ASSERT_GE(MAX_CHILDREN, live);
	ASSERT_GT(100000, kills + live);	/* the tally's size */
	memset(&t, 0, sizeof(t));
	kt_name(name, sizeof(name), "ringkill");
	fd = rg_open(name, KIPC_RING_CONSUMER | KIPC_RING_CREATE |
		     KIPC_RING_AUTO_DELETE, 0600, SLOT_SIZE, SLOTS,
		     MAX_PRODUCERS);
	if (fd == -ENOTTY)
		SKIP(return, "the loaded module has no rings");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rg_map(&c, fd));

	for (i = 0; i < live; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i])
			producer(name, nchildren);
		ids[i] = nchildren++;
	}
	for (k = 0; k < kills; k++) {
		int status;

		/*
		 * Read for a while, then free every slot so that producers
		 * claim again, and kill one of them a moment later: most
		 * kills land between a claim and its commit.
		 */
		ASSERT_EQ(0, drain(&c, &t, nchildren, kt_mono_ns() +
				   hd_below(&rng, 2000000)));
		slot = hd_below(&rng, live);
		/* Not while it starts: once it has committed a record. */
		until = kt_mono_ns() + 10 * SEC;
		while (!t.next[ids[slot]] && kt_mono_ns() < until)
			ASSERT_EQ(0, drain(&c, &t, nchildren,
					   kt_mono_ns() + 1000000));
		ASSERT_NE(0, t.next[ids[slot]]);
		ASSERT_EQ(0, drain(&c, &t, nchildren, 0));
		usleep(hd_below(&rng, 300));
		ASSERT_EQ(0, kill(pids[slot], SIGKILL));
		ASSERT_EQ(pids[slot], waitpid(pids[slot], &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			TH_LOG("producer exited with status %#x", status);
		pids[slot] = fork();
		ASSERT_LE(0, pids[slot]);
		if (!pids[slot])
			producer(name, nchildren);
		ids[slot] = nchildren++;
	}
	for (i = 0; i < live; i++) {
		ASSERT_EQ(0, kill(pids[i], SIGKILL));
		ASSERT_EQ(pids[i], waitpid(pids[i], NULL, 0));
	}

	/* Every producer is gone: nothing may be left claimed. */
	ASSERT_EQ(0, drain(&c, &t, nchildren, kt_mono_ns() + SEC / 10));
	EXPECT_EQ(-EAGAIN, rg_peek(&c, &w));
	for (i = 0; i < SLOTS; i++)
		EXPECT_NE(KIPC_RING_SLOT_CLAIMED,
			  KIPC_RING_SLOT_STATE(c.states[i]));
	EXPECT_EQ(t.lost, c.hdr->lost);
	/* A single-threaded producer holds at most one claim when it dies. */
	EXPECT_GE((uint64_t)nchildren, t.lost);
	/*
	 * A third to a half of the kills land mid-claim: with this many, a
	 * run that repaired nothing did not test the repair.
	 */
	if (kills >= 50)
		EXPECT_LT(0, t.lost);
	TH_LOG("%u producers, %ld kills: %llu records, %llu lost",
	       nchildren, kills, (unsigned long long)t.records,
	       (unsigned long long)t.lost);
	rg_unmap(&c);
	close(fd);
}

/*
 * The harness's 30 s would end the long run's 500 kills of a test on a
 * debug kernel under emulation; as kill_test's, the bound is an hour.
 */
FIXTURE(ring_kill) {
	int unused;
};

FIXTURE_SETUP(ring_kill)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(ring_kill)
{
}

TEST_F_TIMEOUT(ring_kill, one_producer_killed, 3600)
{
	run_kills(_metadata, 1);
}

TEST_F_TIMEOUT(ring_kill, many_producers_killed, 3600)
{
	run_kills(_metadata, 3);
}

TEST_HARNESS_MAIN
