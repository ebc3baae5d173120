// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc-bench: kipc queues through raw ioctls on /dev/kipc, one message per
 * call (KIPC_IOC_QUEUE_SEND/RECV) and in batches (..._SEND/RECV_BATCH).
 * The benchmark does not use libkipc, so that it measures the module alone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "bench.h"

/* Every queue can take the largest size measured, as the issue asks. */
#define KIPC_BENCH_MSG_SIZE	65536

struct kipc_q {
	int fd[BENCH_DIRS];
	struct kipc_msg batch[BENCH_BATCH];
};

static int kq_open(struct bench_chan *c, unsigned int queue_flags)
{
	struct kipc_q *q = calloc(1, sizeof(*q));
	int d, ret = 0;

	if (!q)
		return -ENOMEM;
	for (d = 0; d < BENCH_DIRS; d++)
		q->fd[d] = -1;
	for (d = 0; d < BENCH_DIRS; d++) {
		char name[64];
		struct kipc_queue_bind b = {
			.size = sizeof(b),
			.flags = KIPC_QUEUE_READ | KIPC_QUEUE_WRITE |
				 KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL |
				 KIPC_QUEUE_AUTO_DELETE | queue_flags,
			.mode = 0600,
			.max_msgs = c->depth,
			.max_msg_size = c->size > KIPC_BENCH_MSG_SIZE ?
					c->size : KIPC_BENCH_MSG_SIZE,
		};

		bench_unique_name(name, sizeof(name), "q");
		b.name = (uintptr_t)name;
		b.name_len = strlen(name);
		q->fd[d] = bench_kipc_open();
		if (q->fd[d] < 0) {
			ret = q->fd[d];
			break;
		}
		if (ioctl(q->fd[d], KIPC_IOC_QUEUE_BIND, &b)) {
			ret = -errno;
			break;
		}
	}
	c->priv = q;
	return ret;
}

static int kq_setup(struct bench_chan *c)
{
	return kq_open(c, 0);
}

/* The same queue, with blocked calls sleeping at once instead of polling. */
static int kq_setup_nopoll(struct bench_chan *c)
{
	return kq_open(c, KIPC_QUEUE_NOPOLL);
}

static void kq_teardown(struct bench_chan *c)
{
	struct kipc_q *q = c->priv;
	int d;

	if (!q)
		return;
	for (d = 0; d < BENCH_DIRS; d++)
		if (q->fd[d] >= 0)
			close(q->fd[d]);
	free(q);
}

static int kq_send(struct bench_chan *c, int dir, const void *msg)
{
	struct kipc_q *q = c->priv;
	struct kipc_queue_io io = {
		.size = sizeof(io),
		.msg.buf = (uintptr_t)msg,
		.msg.len = c->size,
	};

	return ioctl(q->fd[dir], KIPC_IOC_QUEUE_SEND, &io) ? -errno : 0;
}

static int kq_recv(struct bench_chan *c, int dir, void *msg)
{
	struct kipc_q *q = c->priv;
	struct kipc_queue_io io = {
		.size = sizeof(io),
		.msg.buf = (uintptr_t)msg,
		.msg.len = c->size,
	};

	if (ioctl(q->fd[dir], KIPC_IOC_QUEUE_RECV, &io))
		return -errno;
	return io.msg.len == c->size ? 0 : -EBADMSG;
}

static int kq_send_batch(struct bench_chan *c, int dir, const void *msgs,
			 unsigned int n)
{
	struct kipc_q *q = c->priv;
	unsigned int i, done = 0;

	while (done < n) {
		struct kipc_queue_batch b = {
			.size = sizeof(b),
			.msgs = (uintptr_t)q->batch,
			.count = n - done,
			.msg_size = sizeof(struct kipc_msg),
		};
		int ret;

		for (i = 0; i < b.count; i++) {
			q->batch[i] = (struct kipc_msg){
				.buf = (uintptr_t)msgs + (done + i) * c->size,
				.len = c->size,
			};
		}
		ret = ioctl(q->fd[dir], KIPC_IOC_QUEUE_SEND_BATCH, &b);
		if (ret < 0)
			return -errno;
		done += ret;
	}
	return 0;
}

static int kq_recv_batch(struct bench_chan *c, int dir, void *msgs,
			 unsigned int max)
{
	struct kipc_q *q = c->priv;
	struct kipc_queue_batch b = {
		.size = sizeof(b),
		.msgs = (uintptr_t)q->batch,
		.count = max,
		.msg_size = sizeof(struct kipc_msg),
	};
	unsigned int i;
	int ret;

	for (i = 0; i < max; i++) {
		q->batch[i] = (struct kipc_msg){
			.buf = (uintptr_t)msgs + i * c->size,
			.len = c->size,
		};
	}
	ret = ioctl(q->fd[dir], KIPC_IOC_QUEUE_RECV_BATCH, &b);
	if (ret < 0)
		return -errno;
	for (i = 0; i < (unsigned int)ret; i++)
		if (q->batch[i].len != c->size)
			return -EBADMSG;
	return ret;
}

const struct bench_mech bench_kipc_queue = {
	.name = "kipc-queue",
	.desc = "kipc queue, one ioctl per message",
	.flags = BENCH_M_LATENCY | BENCH_M_STREAM,
	.setup = kq_setup,
	.teardown = kq_teardown,
	.send = kq_send,
	.recv = kq_recv,
};

const struct bench_mech bench_kipc_queue_nopoll = {
	.name = "kipc-queue-nopoll",
	.desc = "kipc queue, one ioctl per message, no polling (KIPC_QUEUE_NOPOLL)",
	.flags = BENCH_M_LATENCY | BENCH_M_STREAM,
	.setup = kq_setup_nopoll,
	.teardown = kq_teardown,
	.send = kq_send,
	.recv = kq_recv,
};

const struct bench_mech bench_kipc_batch = {
	.name = "kipc-batch",
	.desc = "kipc queue, batches of 64 per ioctl",
	.flags = BENCH_M_STREAM | BENCH_M_BATCH,
	.setup = kq_setup,
	.teardown = kq_teardown,
	.send = kq_send,
	.recv = kq_recv,
	.send_batch = kq_send_batch,
	.recv_batch = kq_recv_batch,
};
