// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc-bench: System V message queues. Each queue's msg_qbytes is set to
 * BENCH_DEPTH messages of the size measured (root may exceed msgmnb).
 * msgsnd() takes a long mtype before the payload; it goes in the headroom
 * that the harness leaves before every message, so nothing is copied in
 * user space.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#include "bench.h"

struct sysv {
	int id[BENCH_DIRS];
};

static int sysv_setup(struct bench_chan *c)
{
	struct sysv *s = calloc(1, sizeof(*s));
	int d;

	if (!s)
		return -ENOMEM;
	c->priv = s;
	for (d = 0; d < BENCH_DIRS; d++)
		s->id[d] = -1;
	for (d = 0; d < BENCH_DIRS; d++) {
		struct msqid_ds ds;

		s->id[d] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		if (s->id[d] < 0)
			return -errno;
		if (msgctl(s->id[d], IPC_STAT, &ds))
			return -errno;
		ds.msg_qbytes = c->depth * c->size;
		if (msgctl(s->id[d], IPC_SET, &ds))
			return -errno;
	}
	return 0;
}

static void sysv_teardown(struct bench_chan *c)
{
	struct sysv *s = c->priv;
	int d;

	if (!s)
		return;
	for (d = 0; d < BENCH_DIRS; d++)
		if (s->id[d] >= 0)
			msgctl(s->id[d], IPC_RMID, NULL);
	free(s);
}

static int sysv_send(struct bench_chan *c, int dir, const void *msg)
{
	struct sysv *s = c->priv;
	long *mtype = (long *)msg - 1;

	_Static_assert(sizeof(long) <= BENCH_HEADROOM, "no room for mtype");
	*mtype = 1;
	return msgsnd(s->id[dir], mtype, c->size, 0) ? -errno : 0;
}

static int sysv_recv(struct bench_chan *c, int dir, void *msg)
{
	struct sysv *s = c->priv;
	ssize_t n = msgrcv(s->id[dir], (long *)msg - 1, c->size, 0, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == c->size ? 0 : -EBADMSG;
}

const struct bench_mech bench_sysv_msg = {
	.name = "sysv-msg",
	.desc = "System V message queue (msgsnd/msgrcv)",
	.flags = BENCH_M_LATENCY | BENCH_M_STREAM,
	.setup = sysv_setup,
	.teardown = sysv_teardown,
	.send = sysv_send,
	.recv = sysv_recv,
};
