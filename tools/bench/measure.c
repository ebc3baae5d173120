// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc-bench: the two measures, for any mechanism.
 *
 * Latency: the parent times each round trip (send on direction 0, receive
 * the echo on direction 1) with CLOCK_MONOTONIC, after a warm-up, and
 * reports the 50th, 99th and 99.9th percentiles.
 *
 * Streaming: the parent sends on direction 0 as fast as the mechanism
 * takes messages, for a fixed time or a fixed count, whichever ends first;
 * the child receives and counts. The clock starts once the child has seen
 * the end of the warm-up, and stops once the child has reported the count,
 * so every message counted was received.
 *
 * Both processes are pinned: the parent to CPU 0 (by main), the child to
 * the CPU the caller asks for. A watchdog alarm ends a run that hangs.
 *
 * Each side also counts the CPU time it used (getrusage: user and system)
 * over the messages it counts, so that a mechanism that polls instead of
 * sleeping shows what its speed costs: a latency run reports both sides'
 * CPU per round trip, a streaming run per message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define LAT_WATCHDOG	180	/* seconds */
#define STREAM_WATCHDOG	60

/* What the child tells the parent through the control pipe. */
struct ctl_msg {
	int err;
	int pad;
	uint64_t count;
	uint64_t cpu_ns;		/* the child's CPU time over count */
};

struct run {
	const struct bench_mech *m;
	struct bench_chan c;
	int ctl[2];			/* child to parent */
	pid_t child;
	char *buf_base;
	char *buf;			/* BENCH_BATCH messages, with headroom */
};

static void *msgbuf_alloc(size_t size, char **base)
{
	size_t len = BENCH_HEADROOM + (size_t)BENCH_BATCH * size;

	*base = aligned_alloc(4096, (len + 4095) & ~(size_t)4095);
	if (!*base)
		return NULL;
	memset(*base, 0x5a, len);
	return *base + BENCH_HEADROOM;
}

static struct bench_hdr *hdr_of(struct run *r, unsigned int i)
{
	return (struct bench_hdr *)(r->buf + (size_t)i * r->c.size);
}

static int run_start(struct run *r, const struct bench_mech *m, size_t size)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->m = m;
	r->c.size = size;
	r->c.depth = BENCH_DEPTH;
	r->ctl[0] = r->ctl[1] = -1;
	r->child = -1;
	r->buf = msgbuf_alloc(size, &r->buf_base);
	if (!r->buf)
		return -ENOMEM;
	ret = m->setup(&r->c);
	if (ret)
		return ret;
	if (pipe2(r->ctl, O_CLOEXEC))
		return -errno;
	return 0;
}

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000u + tv->tv_usec * 1000u;
}

/* CPU time this process has used so far, user and system, in ns. */
static uint64_t cpu_now(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return tv_ns(&ru.ru_utime) + tv_ns(&ru.ru_stime);
}

static void ctl_send(struct run *r, int err, uint64_t count, uint64_t cpu_ns)
{
	struct ctl_msg msg = { .err = err, .count = count, .cpu_ns = cpu_ns };

	bench_full_write(r->ctl[1], &msg, sizeof(msg));
}

static int ctl_recv(struct run *r, uint64_t *count, uint64_t *cpu_ns)
{
	struct ctl_msg msg;
	int ret = bench_full_read(r->ctl[0], &msg, sizeof(msg));

	if (ret)
		return ret;
	if (count)
		*count = msg.count;
	if (cpu_ns)
		*cpu_ns = msg.cpu_ns;
	return msg.err;
}

/* Forks the child, which runs @body pinned to @cpu and never returns. */
static int run_fork(struct run *r, int cpu, unsigned int watchdog,
		    void (*body)(struct run *r))
{
	r->child = fork();
	if (r->child < 0)
		return -errno;
	if (r->child == 0) {
		signal(SIGALRM, SIG_DFL);
		alarm(watchdog + 10);
		if (bench_pin(cpu)) {
			ctl_send(r, -EINVAL, 0, 0);
			_exit(1);
		}
		body(r);
		_exit(0);
	}
	alarm(watchdog);
	return 0;
}

/* Waits for the child (killing it first if @ret says the run failed). */
static int run_end(struct run *r, int ret)
{
	int status;

	alarm(0);
	if (r->child > 0) {
		if (ret)
			kill(r->child, SIGKILL);
		while (waitpid(r->child, &status, 0) < 0 && errno == EINTR)
			;
		if (!ret && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
			ret = -ECHILD;
	}
	if (r->ctl[0] >= 0)
		close(r->ctl[0]);
	if (r->ctl[1] >= 0)
		close(r->ctl[1]);
	r->m->teardown(&r->c);
	free(r->buf_base);
	return ret;
}

/*
 * The child of a latency run: echo every message until STOP, warm-up
 * included, and report how many it echoed and the CPU that took.
 */
static void lat_child(struct run *r)
{
	uint64_t n = 0, cpu0 = cpu_now();
	int ret;

	for (;;) {
		ret = r->m->recv(&r->c, 0, r->buf);
		if (ret)
			break;
		if (hdr_of(r, 0)->kind == BENCH_STOP)
			break;
		ret = r->m->send(&r->c, 1, r->buf);
		if (ret)
			break;
		n++;
	}
	ctl_send(r, ret, n, cpu_now() - cpu0);
	if (ret)
		_exit(1);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted samples. */
static double percentile(const uint64_t *s, unsigned long n, double q)
{
	unsigned long rank = (unsigned long)(q * n + 0.999999);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return s[rank - 1];
}

static uint64_t ts_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000u + t->tv_nsec;
}

int bench_latency(const struct bench_mech *m, size_t size, int peer_cpu,
		  const struct bench_lat_params *p, struct bench_lat *out)
{
	struct bench_hdr *h;
	uint64_t *samples, cpu0, cpu = 0, peer_cpu_ns = 0, echoed = 0;
	unsigned long i, n = 0, slow = 0, trips = 0;
	double begin, start = 0;
	struct run r;
	int ret;

	samples = malloc(p->samples * sizeof(*samples));
	if (!samples)
		return -ENOMEM;
	ret = run_start(&r, m, size);
	if (!ret)
		ret = run_fork(&r, peer_cpu, LAT_WATCHDOG, lat_child);
	h = hdr_of(&r, 0);
	begin = bench_now();
	cpu0 = cpu_now();
	for (i = 0; !ret && i < p->warmup + p->samples; i++) {
		struct timespec t0, t1;

		if (i == p->warmup)
			start = bench_now();
		h->seq = i;
		h->kind = BENCH_DATA;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ret = m->send(&r.c, 0, r.buf);
		if (!ret)
			ret = m->recv(&r.c, 1, r.buf);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (ret)
			break;
		if (h->seq != i || h->kind != BENCH_DATA) {
			ret = -EBADMSG;
			break;
		}
		trips++;
		if (i < p->warmup)
			continue;
		samples[n++] = ts_ns(&t1) - ts_ns(&t0);
		/* The cap covers the warm-up too. */
		if (n >= p->min_samples && !(n & 63) &&
		    bench_now() - begin > p->max_seconds)
			break;
	}
	if (!ret) {
		out->seconds = bench_now() - start;
		cpu = cpu_now() - cpu0;
		h->kind = BENCH_STOP;
		ret = m->send(&r.c, 0, r.buf);
	}
	if (!ret)
		ret = ctl_recv(&r, &echoed, &peer_cpu_ns);
	if (!ret && echoed != trips)
		ret = -EBADMSG;
	ret = run_end(&r, ret);
	if (!ret) {
		/* Each side over every round trip, warm-up included. */
		out->cpu_ns = (double)cpu / trips;
		out->peer_cpu_ns = (double)peer_cpu_ns / trips;
		qsort(samples, n, sizeof(*samples), cmp_u64);
		out->samples = n;
		out->p50 = percentile(samples, n, 0.50);
		out->p99 = percentile(samples, n, 0.99);
		out->p999 = percentile(samples, n, 0.999);
		for (i = 0; i < n; i++)
			slow += samples[i] > 1000000;
		out->over_1ms = n ? (double)slow / n : 0;
	}
	free(samples);
	return ret;
}

static int is_batch(const struct bench_mech *m)
{
	return m->flags & BENCH_M_BATCH;
}

/* The child of a streaming run: count DATA messages until STOP. */
static void stream_child(struct run *r)
{
	uint64_t n = 0, cpu0 = 0;
	int ret = 0, got, i;

	for (;;) {
		if (is_batch(r->m)) {
			got = r->m->recv_batch(&r->c, 0, r->buf, BENCH_BATCH);
		} else {
			got = r->m->recv(&r->c, 0, r->buf);
			if (!got)
				got = 1;
		}
		if (got < 0) {
			ret = got;
			break;
		}
		for (i = 0; i < got; i++) {
			switch (hdr_of(r, i)->kind) {
			case BENCH_DATA:
				n++;
				break;
			case BENCH_MARK:
				cpu0 = cpu_now();
				ctl_send(r, 0, 0, 0);
				break;
			case BENCH_STOP:
				ctl_send(r, 0, n, cpu_now() - cpu0);
				return;
			}
		}
	}
	ctl_send(r, ret, n, 0);
	_exit(1);
}

/* Sends @n messages of @kind, numbered from @seq, in one call if batched. */
static int stream_send(struct run *r, unsigned int n, uint32_t kind,
		       uint64_t seq)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < n; i++) {
		struct bench_hdr *h = hdr_of(r, is_batch(r->m) ? i : 0);

		h->seq = seq + i;
		h->kind = kind;
		if (!is_batch(r->m)) {
			ret = r->m->send(&r->c, 0, r->buf);
			if (ret)
				return ret;
		}
	}
	if (is_batch(r->m))
		ret = r->m->send_batch(&r->c, 0, r->buf, n);
	return ret;
}

int bench_streaming(const struct bench_mech *m, size_t size, int peer_cpu,
		    const struct bench_stream_params *p,
		    struct bench_stream *out)
{
	unsigned int chunk = is_batch(m) ? BENCH_BATCH : 16;
	uint64_t sent = 0, got = 0, w, cpu0 = 0, cpu = 0, peer_cpu_ns = 0;
	double t0 = 0, t1;
	struct run r;
	int ret;

	ret = run_start(&r, m, size);
	if (!ret)
		ret = run_fork(&r, peer_cpu, STREAM_WATCHDOG, stream_child);
	for (w = 0; !ret && w < p->warmup; w += chunk)
		ret = stream_send(&r, chunk, BENCH_WARM, w);
	if (!ret)
		ret = stream_send(&r, 1, BENCH_MARK, 0);
	if (!ret)
		ret = ctl_recv(&r, NULL, NULL);
	if (!ret) {
		t0 = bench_now();
		cpu0 = cpu_now();
	}
	while (!ret && sent < p->max_msgs) {
		ret = stream_send(&r, chunk, BENCH_DATA, sent);
		sent += chunk;
		if (bench_now() - t0 >= p->seconds)
			break;
	}
	if (!ret)
		ret = stream_send(&r, 1, BENCH_STOP, sent);
	if (!ret)
		ret = ctl_recv(&r, &got, &peer_cpu_ns);
	t1 = bench_now();
	cpu = cpu_now() - cpu0;
	if (!ret && got != sent)
		ret = -EBADMSG;
	ret = run_end(&r, ret);
	if (!ret) {
		out->msgs = got;
		out->seconds = t1 - t0;
		out->msgs_per_s = got / out->seconds;
		out->mb_per_s = out->msgs_per_s * size / 1e6;
		out->cpu_ns = got ? (double)cpu / got : NAN;
		out->peer_cpu_ns = got ? (double)peer_cpu_ns / got : NAN;
	}
	return ret;
}

/*
 * memcpy() of 64 KiB buffers, for reference: copies dominate large
 * messages, and emulation slows some copy instructions more than others.
 */
double bench_memcpy_mb_per_s(double seconds)
{
	size_t len = 65536;
	char *src = malloc(len), *dst = malloc(len);
	unsigned long n = 0;
	double t0, t;

	if (!src || !dst) {
		free(src);
		free(dst);
		return 0;
	}
	memset(src, 1, len);
	memset(dst, 2, len);
	t0 = bench_now();
	do {
		memcpy(dst, src, len);
		__asm__ volatile("" : : "r"(dst) : "memory");
		n++;
		t = bench_now();
	} while (t - t0 < seconds);
	free(src);
	free(dst);
	return n * len / (t - t0) / 1e6;
}
