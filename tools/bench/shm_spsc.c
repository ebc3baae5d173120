// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc-bench: a plain single-producer, single-consumer ring in MAP_SHARED
 * anonymous memory, with no kernel in the path at all. Each side spins on
 * the other's index, and gives its CPU away (sched_yield) only after a
 * bounded spin, for when the two share one CPU. Nothing moves messages
 * between two processes faster on this machine, so it is the yardstick for
 * kipc's shared-memory paths; its CPU time per message is what that speed
 * costs: both sides are always running.
 */
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"

/* Spins before each yield: long enough to cover a peer on another CPU. */
#define SPSC_SPINS	4096

struct spsc {
	void *map;
	size_t map_len;
	struct bench_ring *ring[BENCH_DIRS];
};

static int spsc_setup(struct bench_chan *c)
{
	size_t ring_len = bench_ring_bytes(c->size, c->depth);
	struct spsc *s = calloc(1, sizeof(*s));
	int d;

	if (!s)
		return -ENOMEM;
	c->priv = s;
	s->map_len = BENCH_DIRS * ring_len;
	s->map = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		return -errno;
	}
	for (d = 0; d < BENCH_DIRS; d++)
		s->ring[d] = bench_ring_init((char *)s->map + d * ring_len,
					     c->size, c->depth);
	return 0;
}

static void spsc_teardown(struct bench_chan *c)
{
	struct spsc *s = c->priv;

	if (!s)
		return;
	if (s->map)
		munmap(s->map, s->map_len);
	free(s);
}

static void spsc_relax(unsigned int *spins)
{
	if (++*spins < SPSC_SPINS) {
		__builtin_ia32_pause();
	} else {
		*spins = 0;
		sched_yield();
	}
}

static int spsc_send(struct bench_chan *c, int dir, const void *msg)
{
	struct bench_ring *r = ((struct spsc *)c->priv)->ring[dir];
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	unsigned int spins = 0;

	/* The slot is free once the consumer's tail has passed it. */
	while (head - atomic_load_explicit(&r->tail, memory_order_acquire) >=
	       r->depth)
		spsc_relax(&spins);
	memcpy(bench_ring_slot(r, head), msg, c->size);
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	return 0;
}

static int spsc_recv(struct bench_chan *c, int dir, void *msg)
{
	struct bench_ring *r = ((struct spsc *)c->priv)->ring[dir];
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	unsigned int spins = 0;

	while (atomic_load_explicit(&r->head, memory_order_acquire) == tail)
		spsc_relax(&spins);
	bench_consume(bench_ring_slot(r, tail), c->size, msg);
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	return 0;
}

const struct bench_mech bench_shm_spsc = {
	.name = "shm-spsc",
	.desc = "plain SPSC ring in MAP_SHARED memory, both sides spinning, no syscalls",
	.flags = BENCH_M_LATENCY | BENCH_M_STREAM,
	.setup = spsc_setup,
	.teardown = spsc_teardown,
	.send = spsc_send,
	.recv = spsc_recv,
};
