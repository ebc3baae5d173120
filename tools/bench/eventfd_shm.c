// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc-bench: eventfd with shared memory. A ring per direction lives in
 * MAP_SHARED anonymous memory, inherited through fork(); the sender
 * writes the message into a slot and signals an eventfd, the receiver
 * reads the slot in place. A second eventfd per direction returns free
 * slots to the sender, half a ring at a time. So each message costs the
 * sender one eventfd write, and each side a blocking eventfd read whenever
 * it runs dry (no message, or no free slot).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

struct efd_dir {
	struct bench_ring *ring;
	int items;			/* eventfd: messages published */
	int space;			/* eventfd: slots given back */
	/* Each side's own counters; fork() gives each process a copy. */
	uint32_t head, credits;		/* producer */
	uint32_t tail, avail, unreturned; /* consumer */
};

struct efd {
	void *map;
	size_t map_len;
	struct efd_dir d[BENCH_DIRS];
};

static int efd_setup(struct bench_chan *c)
{
	struct efd *e = calloc(1, sizeof(*e));
	size_t ring_len = bench_ring_bytes(c->size, c->depth);
	int d;

	if (!e)
		return -ENOMEM;
	c->priv = e;
	for (d = 0; d < BENCH_DIRS; d++)
		e->d[d].items = e->d[d].space = -1;
	e->map_len = BENCH_DIRS * ring_len;
	e->map = mmap(NULL, e->map_len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (e->map == MAP_FAILED) {
		e->map = NULL;
		return -errno;
	}
	for (d = 0; d < BENCH_DIRS; d++) {
		struct efd_dir *ed = &e->d[d];

		ed->ring = bench_ring_init((char *)e->map + d * ring_len,
					   c->size, c->depth);
		ed->credits = c->depth;
		ed->items = eventfd(0, EFD_CLOEXEC);
		ed->space = eventfd(0, EFD_CLOEXEC);
		if (ed->items < 0 || ed->space < 0)
			return -errno;
	}
	return 0;
}

static void efd_teardown(struct bench_chan *c)
{
	struct efd *e = c->priv;
	int d;

	if (!e)
		return;
	for (d = 0; d < BENCH_DIRS; d++) {
		if (e->d[d].items >= 0)
			close(e->d[d].items);
		if (e->d[d].space >= 0)
			close(e->d[d].space);
	}
	if (e->map)
		munmap(e->map, e->map_len);
	free(e);
}

static int efd_take(int fd, uint32_t *counter)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return -errno;
	*counter += v;
	return 0;
}

static int efd_give(int fd, uint64_t v)
{
	return write(fd, &v, sizeof(v)) == sizeof(v) ? 0 : -errno;
}

static int efd_send(struct bench_chan *c, int dir, const void *msg)
{
	struct efd *e = c->priv;
	struct efd_dir *ed = &e->d[dir];
	int ret;

	if (!ed->credits) {
		ret = efd_take(ed->space, &ed->credits);
		if (ret)
			return ret;
	}
	memcpy(bench_ring_slot(ed->ring, ed->head), msg, c->size);
	ed->head++;
	ed->credits--;
	return efd_give(ed->items, 1);
}

static int efd_recv(struct bench_chan *c, int dir, void *msg)
{
	struct efd *e = c->priv;
	struct efd_dir *ed = &e->d[dir];
	int ret = 0;

	if (!ed->avail) {
		ret = efd_take(ed->items, &ed->avail);
		if (ret)
			return ret;
	}
	bench_consume(bench_ring_slot(ed->ring, ed->tail), c->size, msg);
	ed->tail++;
	ed->avail--;
	if (++ed->unreturned >= c->depth / 2) {
		ret = efd_give(ed->space, ed->unreturned);
		ed->unreturned = 0;
	}
	return ret;
}

const struct bench_mech bench_eventfd_shm = {
	.name = "eventfd-shm",
	.desc = "ring in MAP_SHARED memory, eventfd signal each way",
	.flags = BENCH_M_LATENCY | BENCH_M_STREAM,
	.setup = efd_setup,
	.teardown = efd_teardown,
	.send = efd_send,
	.recv = efd_recv,
};
