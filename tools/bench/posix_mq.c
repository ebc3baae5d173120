// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc-bench: POSIX message queues, the reference every ratio is taken
 * against. Each queue holds BENCH_DEPTH messages of exactly the size
 * measured; the names are unlinked at once, so only the descriptors,
 * inherited by the child, keep the queues.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdlib.h>

#include "bench.h"

struct pmq {
	mqd_t q[BENCH_DIRS];
};

static int pmq_setup(struct bench_chan *c)
{
	struct pmq *p = calloc(1, sizeof(*p));
	struct mq_attr attr = {
		.mq_maxmsg = c->depth,
		.mq_msgsize = c->size,
	};
	int d;

	if (!p)
		return -ENOMEM;
	c->priv = p;
	for (d = 0; d < BENCH_DIRS; d++)
		p->q[d] = (mqd_t)-1;
	for (d = 0; d < BENCH_DIRS; d++) {
		char name[64];

		name[0] = '/';
		bench_unique_name(name + 1, sizeof(name) - 1, "mq");
		p->q[d] = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
		if (p->q[d] == (mqd_t)-1)
			return -errno;
		mq_unlink(name);
	}
	return 0;
}

static void pmq_teardown(struct bench_chan *c)
{
	struct pmq *p = c->priv;
	int d;

	if (!p)
		return;
	for (d = 0; d < BENCH_DIRS; d++)
		if (p->q[d] != (mqd_t)-1)
			mq_close(p->q[d]);
	free(p);
}

static int pmq_send(struct bench_chan *c, int dir, const void *msg)
{
	struct pmq *p = c->priv;

	return mq_send(p->q[dir], msg, c->size, 0) ? -errno : 0;
}

static int pmq_recv(struct bench_chan *c, int dir, void *msg)
{
	struct pmq *p = c->priv;
	ssize_t n = mq_receive(p->q[dir], msg, c->size, NULL);

	if (n < 0)
		return -errno;
	return (size_t)n == c->size ? 0 : -EBADMSG;
}

const struct bench_mech bench_posix_mq = {
	.name = "posix-mq",
	.desc = "POSIX message queue (mq_send/mq_receive)",
	.flags = BENCH_M_LATENCY | BENCH_M_STREAM | BENCH_M_BASE,
	.setup = pmq_setup,
	.teardown = pmq_teardown,
	.send = pmq_send,
	.recv = pmq_recv,
};
