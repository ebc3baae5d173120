// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc-bench: pipes, one per direction. A message is one write() of the
 * message size; a reader loops until it has the whole message, since a
 * pipe is a byte stream. The pipe holds BENCH_DEPTH messages or 64 KiB,
 * whichever is more (F_SETPIPE_SZ; 4 MiB for 64 KiB messages).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"

struct bpipe {
	int fd[BENCH_DIRS][2];
};

static int pipe_setup(struct bench_chan *c)
{
	struct bpipe *p = calloc(1, sizeof(*p));
	size_t want = c->depth * c->size;
	int d;

	if (!p)
		return -ENOMEM;
	c->priv = p;
	for (d = 0; d < BENCH_DIRS; d++)
		p->fd[d][0] = p->fd[d][1] = -1;
	if (want < 65536)
		want = 65536;
	for (d = 0; d < BENCH_DIRS; d++) {
		if (pipe2(p->fd[d], O_CLOEXEC))
			return -errno;
		if (fcntl(p->fd[d][1], F_SETPIPE_SZ, (int)want) < 0)
			return -errno;
	}
	return 0;
}

static void pipe_teardown(struct bench_chan *c)
{
	struct bpipe *p = c->priv;
	int d, e;

	if (!p)
		return;
	for (d = 0; d < BENCH_DIRS; d++)
		for (e = 0; e < 2; e++)
			if (p->fd[d][e] >= 0)
				close(p->fd[d][e]);
	free(p);
}

static int pipe_send(struct bench_chan *c, int dir, const void *msg)
{
	struct bpipe *p = c->priv;

	return bench_full_write(p->fd[dir][1], msg, c->size);
}

static int pipe_recv(struct bench_chan *c, int dir, void *msg)
{
	struct bpipe *p = c->priv;

	return bench_full_read(p->fd[dir][0], msg, c->size);
}

const struct bench_mech bench_pipe = {
	.name = "pipe",
	.desc = "pipe, one write() per message",
	.flags = BENCH_M_LATENCY | BENCH_M_STREAM,
	.setup = pipe_setup,
	.teardown = pipe_teardown,
	.send = pipe_send,
	.recv = pipe_recv,
};
