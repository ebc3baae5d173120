// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc-bench: a ring per direction in one kipc region, with a futex
 * hand-off. The sender writes the message into the region; the receiver
 * reads it in place. Only a futex wake crosses the kernel, and only when
 * the other side sleeps: a producer wakes the consumer after publishing if
 * it has said it would sleep, and the other way round for a full ring.
 */
#include <errno.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "bench.h"

struct kipc_r {
	int fd;
	void *map;
	size_t map_len;
	struct bench_ring *ring[BENCH_DIRS];
};

/* Shared futexes: the region is the same shmem file in both processes. */
static int futex_wait(_Atomic uint32_t *addr, uint32_t val)
{
	if (syscall(SYS_futex, addr, FUTEX_WAIT, val, NULL, NULL, 0) &&
	    errno != EAGAIN)
		return -errno;
	return 0;
}

static int futex_wake(_Atomic uint32_t *addr)
{
	return syscall(SYS_futex, addr, FUTEX_WAKE, 1, NULL, NULL, 0) < 0 ?
	       -errno : 0;
}

static int kr_setup(struct bench_chan *c)
{
	struct kipc_r *r = calloc(1, sizeof(*r));
	size_t ring_len = bench_ring_bytes(c->size, c->depth);
	struct kipc_region_bind b = {
		.size = sizeof(b),
		.flags = KIPC_REGION_READ | KIPC_REGION_WRITE |
			 KIPC_REGION_CREATE | KIPC_REGION_EXCL |
			 KIPC_REGION_AUTO_DELETE,
		.mode = 0600,
		.region_size = BENCH_DIRS * ring_len,
	};
	char name[64];
	int d;

	if (!r)
		return -ENOMEM;
	c->priv = r;
	r->fd = bench_kipc_open();
	if (r->fd < 0)
		return r->fd;
	bench_unique_name(name, sizeof(name), "r");
	b.name = (uintptr_t)name;
	b.name_len = strlen(name);
	if (ioctl(r->fd, KIPC_IOC_REGION_BIND, &b))
		return -errno;
	r->map_len = b.region_size;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      r->fd, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return -errno;
	}
	for (d = 0; d < BENCH_DIRS; d++)
		r->ring[d] = bench_ring_init((char *)r->map + d * ring_len,
					     c->size, c->depth);
	return 0;
}

static void kr_teardown(struct bench_chan *c)
{
	struct kipc_r *r = c->priv;

	if (!r)
		return;
	if (r->map)
		munmap(r->map, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

static int kr_send(struct bench_chan *c, int dir, const void *msg)
{
	struct kipc_r *kr = c->priv;
	struct bench_ring *r = kr->ring[dir];
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	int ret;

	for (;;) {
		uint32_t tail = atomic_load_explicit(&r->tail,
						     memory_order_acquire);

		if (head - tail < r->depth)
			break;
		/* Full: say so, then look again before sleeping. */
		atomic_store(&r->prod_waiting, 1);
		tail = atomic_load(&r->tail);
		if (head - tail >= r->depth) {
			ret = futex_wait(&r->tail, tail);
			if (ret)
				return ret;
		}
		atomic_store(&r->prod_waiting, 0);
	}
	memcpy(bench_ring_slot(r, head), msg, c->size);
	atomic_store(&r->head, head + 1);
	if (atomic_load(&r->cons_waiting))
		return futex_wake(&r->head);
	return 0;
}

static int kr_recv(struct bench_chan *c, int dir, void *msg)
{
	struct kipc_r *kr = c->priv;
	struct bench_ring *r = kr->ring[dir];
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	int ret;

	for (;;) {
		uint32_t head = atomic_load_explicit(&r->head,
						     memory_order_acquire);

		if (head != tail)
			break;
		/* Empty: say so, then look again before sleeping. */
		atomic_store(&r->cons_waiting, 1);
		head = atomic_load(&r->head);
		if (head == tail) {
			ret = futex_wait(&r->head, head);
			if (ret)
				return ret;
		}
		atomic_store(&r->cons_waiting, 0);
	}
	bench_consume(bench_ring_slot(r, tail), c->size, msg);
	atomic_store(&r->tail, tail + 1);
	if (atomic_load(&r->prod_waiting))
		return futex_wake(&r->tail);
	return 0;
}

const struct bench_mech bench_kipc_region = {
	.name = "kipc-region",
	.desc = "ring in a kipc region, futex hand-off, read in place",
	.flags = BENCH_M_LATENCY | BENCH_M_STREAM,
	.setup = kr_setup,
	.teardown = kr_teardown,
	.send = kr_send,
	.recv = kr_recv,
};
