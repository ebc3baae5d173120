// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc-bench-nats bridge: 64 B messages through kipc-bridge, from a queue
 * on one host to the same-named queue on another. The rig script runs
 * the exporter on host --from and the importer on host --to; a host is
 * a process holding its own IPC namespace, which this program joins
 * (setns), the sender here and the receiver in a child.
 *
 *   bridge-stream   the sender sends as fast as the local queue takes
 *                   messages, until --count or --seconds; the receiver
 *                   takes them from the remote queue. The clock runs from
 *                   the receipt of the last warm-up message to that of
 *                   the last one, so the rate is the steady one, not the
 *                   filling of the queues. Every message must come once
 *                   and in order, or the row fails.
 *   bridge-latency  one message at a time: sent on one host, received on
 *                   the other, the next only then. One way, not a round
 *                   trip: both sides read the same CLOCK_MONOTONIC.
 *
 * CPU per message is that of the sender, the receiver, and the --cpu-pid
 * processes (both bridges and the nats-servers) over the whole run,
 * warm-up included, divided by every message sent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libkipc.h>

#include "nats_bench.h"

#define MSG_WAIT_S	60	/* one message's way across, at the most */

/* What the receiver reports back. */
struct rx_report {
	int err;			/* 0, or a negative errno */
	unsigned long got;
	unsigned long bad;		/* lost, twice or out of order */
	double t_warm, t_last;		/* receipt of those */
	uint64_t cpu_ns;
};

static int join_ipc(pid_t holder)
{
	char path[64];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)holder);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWIPC))
		ret = -errno;
	close(fd);
	return ret;
}

static int open_queue(const struct nb_opts *o, pid_t host, int oflag)
{
	int ret = join_ipc(host);

	if (ret) {
		fprintf(stderr, "kipc-bench-nats: IPC namespace of %d: %s\n",
			(int)host, strerror(-ret));
		return ret;
	}
	ret = kipc_queue_open(o->queue, oflag, 0, NULL);
	if (ret < 0)
		fprintf(stderr, "kipc-bench-nats: queue %s on host %d: %s\n",
			o->queue, (int)host, strerror(-ret));
	return ret;
}

static struct timespec deadline(double s)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)s;
	return ts;
}

static int full_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int full_read(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The receiving child of either measure. It says it is ready with one
 * byte on @out; for latency it writes each message's time of receipt as
 * it comes; and it reports once at the end, after the stop message.
 */
static void receiver(const struct nb_opts *o, int out, int latency)
{
	struct rx_report r = { 0 };
	char buf[NB_MSG_SIZE];
	struct nb_hdr h;
	uint64_t expect = 0;
	int fd;

	fd = open_queue(o, o->to, O_RDONLY);
	if (fd < 0)
		_exit(1);
	if (full_write(out, "r", 1))
		_exit(1);
	for (;;) {
		struct timespec ts = deadline(MSG_WAIT_S);
		int ret = kipc_queue_timedrecv(fd, buf, sizeof(buf), NULL, &ts);
		double t = nb_now();

		if (ret < 0) {
			fprintf(stderr, "kipc-bench-nats: receive after %lu: %s\n",
				r.got, strerror(-ret));
			r.err = ret;
			break;
		}
		memcpy(&h, buf, sizeof(h));
		if (h.kind == NB_STOP)
			break;
		if (h.seq != expect)
			r.bad++;
		expect = h.seq + 1;
		r.got++;
		if (latency) {
			if (full_write(out, &t, sizeof(t)))
				_exit(1);
			continue;
		}
		if (r.got == o->warmup)
			r.t_warm = t;
		r.t_last = t;
	}
	r.cpu_ns = nb_self_cpu_ns();
	if (full_write(out, &r, sizeof(r)))
		_exit(1);
	_exit(r.err ? 1 : 0);
}

static pid_t start_receiver(const struct nb_opts *o, int latency, int *in)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		close(p[0]);
		receiver(o, p[1], latency);
	}
	close(p[1]);
	if (full_read(p[0], &c, 1)) {
		close(p[0]);
		waitpid(pid, NULL, 0);
		return -EIO;
	}
	*in = p[0];
	return pid;
}

static int send_one(int fd, uint64_t seq, uint32_t kind)
{
	char buf[NB_MSG_SIZE] = { 0 };
	struct nb_hdr h = { .seq = seq, .kind = kind };
	struct timespec ts = deadline(MSG_WAIT_S);
	int ret;

	memcpy(buf, &h, sizeof(h));
	ret = kipc_queue_timedsend(fd, buf, sizeof(buf), 0, 0, &ts);
	if (ret < 0)
		fprintf(stderr, "kipc-bench-nats: send %llu: %s\n",
			(unsigned long long)seq, strerror(-ret));
	return ret < 0 ? ret : 0;
}

/* The child's CPU comes in its report; the others' from /proc. */
static int child_done(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -EIO;
}

static int bridge_stream(const struct nb_opts *o, int qfd)
{
	struct nb_cpu oth0, oth1;
	uint64_t cpu0, cpu1;
	struct rx_report r;
	unsigned long n = 0, sent;
	double t0;
	int in, ret;
	pid_t pid;

	ret = nb_pids_cpu(&o->pids, &oth0);
	if (ret)
		return ret;
	pid = start_receiver(o, 0, &in);
	if (pid < 0)
		return (int)pid;
	cpu0 = nb_self_cpu_ns();
	t0 = nb_now();
	while (n < o->warmup + o->count) {
		ret = send_one(qfd, n, NB_DATA);
		if (ret)
			break;
		n++;
		if (!(n & 63) && nb_now() - t0 > o->seconds)
			break;
	}
	sent = n;
	if (!ret)
		ret = send_one(qfd, n, NB_STOP);
	cpu1 = nb_self_cpu_ns();
	if (!ret)
		ret = full_read(in, &r, sizeof(r));
	close(in);
	if (child_done(pid) && !ret)
		ret = -EIO;
	if (ret)
		return ret;
	ret = nb_pids_cpu(&o->pids, &oth1);
	if (ret)
		return ret;
	if (r.got != sent || r.bad) {
		fprintf(stderr, "kipc-bench-nats: %lu sent, %lu received, %lu lost, twice or out of order\n",
			sent, r.got, r.bad);
		return -EPROTO;
	}
	if (sent <= o->warmup) {
		fprintf(stderr, "kipc-bench-nats: only %lu messages in %.0f s, no more than the warm-up\n",
			sent, o->seconds);
		return -ETIMEDOUT;
	}
	nb_cpu_breakdown("bridge-stream", &o->pids, &oth0, &oth1, sent);
	fprintf(stderr, "kipc-bench-nats: bridge-stream, cpu us/msg: sender %.1f receiver %.1f\n",
		(double)(cpu1 - cpu0) / sent / 1e3, (double)r.cpu_ns / sent / 1e3);
	nb_result("bridge-stream", "msgs=%lu seconds=%.3f msg_s=%.0f cpu_ns=%.0f cpu_self_ns=%.0f cpu_others_ns=%.0f",
		  sent - o->warmup, r.t_last - r.t_warm,
		  (sent - o->warmup) / (r.t_last - r.t_warm),
		  (double)(cpu1 - cpu0 + r.cpu_ns + oth1.total - oth0.total) / sent,
		  (double)(cpu1 - cpu0 + r.cpu_ns) / sent,
		  (double)(oth1.total - oth0.total) / sent);
	return 0;
}

static int bridge_latency(const struct nb_opts *o, int qfd)
{
	/* The first few find the bridges asleep in a long wait. */
	const unsigned long warm = 10;
	struct nb_cpu oth0, oth1;
	uint64_t cpu0, cpu1;
	struct rx_report r;
	double *lat, t0;
	size_t n = 0;
	int in, ret;
	pid_t pid;

	lat = calloc(o->samples, sizeof(*lat));
	if (!lat)
		return -ENOMEM;
	ret = nb_pids_cpu(&o->pids, &oth0);
	if (ret)
		goto out;
	pid = start_receiver(o, 1, &in);
	if (pid < 0) {
		ret = (int)pid;
		goto out;
	}
	cpu0 = nb_self_cpu_ns();
	t0 = nb_now();
	for (unsigned long i = 0; i < warm + o->samples; i++) {
		double t = nb_now(), got;

		if (i >= warm + 20 && t - t0 > o->seconds)
			break;
		ret = send_one(qfd, i, NB_DATA);
		if (!ret)
			ret = full_read(in, &got, sizeof(got));
		if (ret)
			break;
		if (i >= warm)
			lat[n++] = got - t;
	}
	if (!ret)
		ret = send_one(qfd, n + warm, NB_STOP);
	cpu1 = nb_self_cpu_ns();
	if (!ret)
		ret = full_read(in, &r, sizeof(r));
	close(in);
	if (child_done(pid) && !ret)
		ret = -EIO;
	if (ret)
		goto out;
	ret = nb_pids_cpu(&o->pids, &oth1);
	if (!ret) {
		nb_cpu_breakdown("bridge-latency", &o->pids, &oth0, &oth1,
				 n + warm);
		nb_latency_result("bridge-latency", lat, n,
				  (double)(cpu1 - cpu0 + r.cpu_ns) / (n + warm),
				  (double)(oth1.total - oth0.total) / (n + warm));
	}
out:
	free(lat);
	return ret;
}

int nb_bridge(const struct nb_opts *o)
{
	int qfd, ret;

	qfd = open_queue(o, o->from, O_WRONLY);
	if (qfd < 0)
		return qfd;
	ret = bridge_stream(o, qfd);
	if (!ret)
		ret = bridge_latency(o, qfd);
	kipc_queue_close(qfd);
	return ret;
}
