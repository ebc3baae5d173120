/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kipc-bench-nats: kipc-bench's rows across hosts.
 *
 * Two measures, each run by the rig script (bridge-rig.sh) in the guest:
 *
 *   publish   what NATS JetStream itself does for a 64 B message: the
 *             asynchronous publish rate with a window of acks in flight,
 *             and the latency of one synchronous publish until its ack
 *   bridge    what kipc-bridge does over the same cluster: messages sent
 *             into a kipc queue on one host and received from the
 *             bridged queue on another, as fast as they go, then one at
 *             a time
 *
 * Both print "result ID key=value ..." lines, which kipc-bench reads
 * (remote.c there). CPU time counts every process that works for the
 * messages: this one (getrusage), its receiving child, and the processes
 * named with --cpu-pid (the nats-servers, the bridges) from /proc.
 *
 * Unlike kipc-bench this program links libnats and the shared libkipc,
 * so it is built only where pkg-config finds libnats.
 */
#ifndef KIPC_BENCH_NATS_H
#define KIPC_BENCH_NATS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Every message is this long, as kipc-bench's headline size. */
#define NB_MSG_SIZE		64

#define NB_MAX_PIDS		16
#define NB_MAX_SERVERS		8

/* What a message starts with; the rest is payload. */
struct nb_hdr {
	uint64_t seq;
	uint32_t kind;			/* enum nb_kind */
	uint32_t pad;
};

enum nb_kind {
	NB_DATA = 1,
	NB_STOP,			/* the last of a stream */
};

/* The other processes whose CPU time a measure counts. */
struct nb_pids {
	pid_t pid[NB_MAX_PIDS];
	int n;
};

/* Their CPU time at one moment, each and in all, in nanoseconds. */
struct nb_cpu {
	uint64_t ns[NB_MAX_PIDS];
	uint64_t total;
};

struct nb_opts {
	const char *servers[NB_MAX_SERVERS];
	int nservers;
	const char *stream;		/* publish: made, used, deleted */
	const char *subject;
	int replicas;
	pid_t from, to;			/* bridge: holders of the hosts' IPC ns */
	const char *queue;		/* bridge: its name on both hosts */
	unsigned long count;		/* streaming: messages, at most */
	unsigned long warmup;		/* before the clock starts */
	unsigned long samples;		/* latency: one at a time, at most */
	unsigned int window;		/* publish: acks in flight */
	double seconds;			/* cap of each measure */
	struct nb_pids pids;
};

/* Helpers (nats_main.c). */
double nb_now(void);
uint64_t nb_self_cpu_ns(void);
int nb_pids_cpu(const struct nb_pids *p, struct nb_cpu *c);
void nb_cpu_breakdown(const char *id, const struct nb_pids *p,
		      const struct nb_cpu *before, const struct nb_cpu *after,
		      unsigned long msgs);
double nb_percentile(double *v, size_t n, double pct);
void nb_result(const char *id, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void nb_latency_result(const char *id, double *lat, size_t n,
		       double self_ns, double others_ns);

int nb_publish(const struct nb_opts *o);	/* nats_publish.c */
int nb_bridge(const struct nb_opts *o);		/* nats_bridge.c */

#endif /* KIPC_BENCH_NATS_H */
