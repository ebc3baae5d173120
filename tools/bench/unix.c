// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc-bench: a Unix-domain SOCK_SEQPACKET socket pair, one message per
 * send()/recv(), and in batches with sendmmsg()/recvmmsg(). The send
 * buffer is forced to hold about BENCH_DEPTH messages (SO_SNDBUFFORCE, so
 * wmem_max does not cap it); a socket pair's peer queue is bounded only by
 * the sender's buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

/* Roughly what an skb costs beyond its payload (truesize). */
#define SKB_OVERHEAD	1024

struct bunix {
	int sv[2];			/* parent's end, child's end */
	struct mmsghdr mm[BENCH_BATCH];
	struct iovec iov[BENCH_BATCH];
};

static int unix_setup(struct bench_chan *c)
{
	struct bunix *u = calloc(1, sizeof(*u));
	int buf = c->depth * (c->size + SKB_OVERHEAD);
	int i;

	if (!u)
		return -ENOMEM;
	c->priv = u;
	u->sv[0] = u->sv[1] = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, u->sv))
		return -errno;
	for (i = 0; i < 2; i++) {
		if (setsockopt(u->sv[i], SOL_SOCKET, SO_SNDBUFFORCE, &buf,
			       sizeof(buf)) ||
		    setsockopt(u->sv[i], SOL_SOCKET, SO_RCVBUFFORCE, &buf,
			       sizeof(buf)))
			return -errno;
	}
	return 0;
}

static void unix_teardown(struct bench_chan *c)
{
	struct bunix *u = c->priv;
	int i;

	if (!u)
		return;
	for (i = 0; i < 2; i++)
		if (u->sv[i] >= 0)
			close(u->sv[i]);
	free(u);
}

/* Direction 0 leaves through the parent's end, direction 1 the child's. */
static int unix_send(struct bench_chan *c, int dir, const void *msg)
{
	struct bunix *u = c->priv;
	ssize_t n = send(u->sv[dir], msg, c->size, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == c->size ? 0 : -EBADMSG;
}

static int unix_recv(struct bench_chan *c, int dir, void *msg)
{
	struct bunix *u = c->priv;
	ssize_t n = recv(u->sv[!dir], msg, c->size, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == c->size ? 0 : -EBADMSG;
}

static void unix_fill(struct bunix *u, const void *msgs, size_t size,
		      unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		u->iov[i].iov_base = (char *)msgs + i * size;
		u->iov[i].iov_len = size;
		memset(&u->mm[i], 0, sizeof(u->mm[i]));
		u->mm[i].msg_hdr.msg_iov = &u->iov[i];
		u->mm[i].msg_hdr.msg_iovlen = 1;
	}
}

static int unix_send_batch(struct bench_chan *c, int dir, const void *msgs,
			   unsigned int n)
{
	struct bunix *u = c->priv;
	unsigned int done = 0;

	while (done < n) {
		int ret;

		unix_fill(u, (const char *)msgs + done * c->size, c->size,
			  n - done);
		ret = sendmmsg(u->sv[dir], u->mm, n - done, 0);
		if (ret < 0)
			return -errno;
		done += ret;
	}
	return 0;
}

static int unix_recv_batch(struct bench_chan *c, int dir, void *msgs,
			   unsigned int max)
{
	struct bunix *u = c->priv;
	int i, ret;

	unix_fill(u, msgs, c->size, max);
	ret = recvmmsg(u->sv[!dir], u->mm, max, MSG_WAITFORONE, NULL);
	if (ret < 0)
		return -errno;
	for (i = 0; i < ret; i++)
		if (u->mm[i].msg_len != c->size)
			return -EBADMSG;
	return ret;
}

const struct bench_mech bench_unix = {
	.name = "unix-seqpacket",
	.desc = "Unix SOCK_SEQPACKET socket pair, send()/recv()",
	.flags = BENCH_M_LATENCY | BENCH_M_STREAM,
	.setup = unix_setup,
	.teardown = unix_teardown,
	.send = unix_send,
	.recv = unix_recv,
};

const struct bench_mech bench_unix_mmsg = {
	.name = "unix-mmsg",
	.desc = "Unix SOCK_SEQPACKET socket pair, batches of 64 (sendmmsg/recvmmsg)",
	.flags = BENCH_M_STREAM | BENCH_M_BATCH,
	.setup = unix_setup,
	.teardown = unix_teardown,
	.send = unix_send,
	.recv = unix_recv,
	.send_batch = unix_send_batch,
	.recv_batch = unix_recv_batch,
};
