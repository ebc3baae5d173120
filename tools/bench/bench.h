/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kipc-bench: kipc side by side with the kernel's own IPC.
 *
 * Every mechanism fills in a struct bench_mech. The harness sets a channel
 * up in the parent, forks, and then drives it from both processes: the
 * parent sends on direction 0 and receives on direction 1, the child the
 * other way round. A message is `size` bytes starting with a struct
 * bench_hdr; the harness reads nothing else of it.
 */
#ifndef KIPC_BENCH_H
#define KIPC_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* Direction 0: parent to child; direction 1: child to parent. */
#define BENCH_DIRS		2

/* Capacity of every queue-like mechanism, in messages. */
#define BENCH_DEPTH		64

/* Messages per batched call. */
#define BENCH_BATCH		64

/*
 * Message buffers that the harness passes to send and recv have this many
 * writable bytes before them, so that a mechanism that needs a prefix
 * (SysV's mtype) can build it in place instead of copying the message.
 */
#define BENCH_HEADROOM		64

/* What the harness reads of a message; the rest is payload. */
struct bench_hdr {
	uint64_t seq;
	uint32_t kind;			/* enum bench_kind */
	uint32_t pad;
};

enum bench_kind {
	BENCH_DATA = 1,
	BENCH_WARM,			/* streaming warm-up, not counted */
	BENCH_MARK,			/* end of warm-up */
	BENCH_STOP,			/* end of the run */
};

/* One set-up instance, inherited by both processes through fork(). */
struct bench_chan {
	size_t size;			/* message size in bytes */
	unsigned int depth;		/* capacity, in messages */
	void *priv;			/* the mechanism's own state */
};

/* Which measures a mechanism takes part in, and how. */
enum bench_mech_flags {
	BENCH_M_LATENCY	= 1 << 0,	/* round-trip ping-pong */
	BENCH_M_STREAM	= 1 << 1,	/* one-way streaming */
	BENCH_M_BATCH	= 1 << 2,	/* stream with the batch calls */
	BENCH_M_BASE	= 1 << 3,	/* the reference ratios are taken to */
};

/*
 * All calls return 0 (recv_batch: the number received, >= 1) or a
 * negative errno. send and recv move one message of c->size bytes; a
 * shared-memory mechanism may hand over only the header in recv, after
 * reading the payload in place. send_batch sends all n messages, laid out
 * back to back; recv_batch waits for the first message and takes up to
 * max that are ready.
 */
struct bench_mech {
	const char *name;
	const char *desc;
	unsigned int flags;		/* enum bench_mech_flags */
	int (*setup)(struct bench_chan *c);
	void (*teardown)(struct bench_chan *c);
	int (*send)(struct bench_chan *c, int dir, const void *msg);
	int (*recv)(struct bench_chan *c, int dir, void *msg);
	int (*send_batch)(struct bench_chan *c, int dir, const void *msgs,
			  unsigned int n);
	int (*recv_batch)(struct bench_chan *c, int dir, void *msgs,
			  unsigned int max);
};

extern const struct bench_mech bench_kipc_queue;
extern const struct bench_mech bench_kipc_queue_nopoll;
extern const struct bench_mech bench_kipc_batch;
extern const struct bench_mech bench_kipc_region;
extern const struct bench_mech bench_posix_mq;
extern const struct bench_mech bench_sysv_msg;
extern const struct bench_mech bench_pipe;
extern const struct bench_mech bench_unix;
extern const struct bench_mech bench_unix_mmsg;
extern const struct bench_mech bench_eventfd_shm;
extern const struct bench_mech bench_shm_spsc;

/* Measurements (measure.c). */
struct bench_lat {
	double p50, p99, p999;		/* nanoseconds */
	double over_1ms;		/* share of round trips over 1 ms */
	unsigned long samples;
	double seconds;
	double cpu_ns;			/* the sender's CPU per round trip */
	double peer_cpu_ns;		/* the echoing side's */
};

struct bench_stream {
	double msgs_per_s;
	double mb_per_s;		/* 10^6 bytes per second */
	unsigned long msgs;
	double seconds;
	double cpu_ns;			/* the sender's CPU per message */
	double peer_cpu_ns;		/* the receiver's */
};

struct bench_lat_params {
	unsigned long samples;		/* timed round trips wanted */
	unsigned long min_samples;	/* never fewer, whatever the cap */
	unsigned long warmup;		/* untimed round trips first */
	double max_seconds;		/* cap: stop once past it */
};

struct bench_stream_params {
	double seconds;
	unsigned long max_msgs;
	unsigned long warmup;
};

int bench_latency(const struct bench_mech *m, size_t size, int peer_cpu,
		  const struct bench_lat_params *p, struct bench_lat *out);
int bench_streaming(const struct bench_mech *m, size_t size, int peer_cpu,
		    const struct bench_stream_params *p,
		    struct bench_stream *out);
double bench_memcpy_mb_per_s(double seconds);

/* One configuration: a measure, a size, a placement and a mechanism. */
#define BENCH_MAX_REPEATS	9

struct bench_result {
	int latency;			/* else streaming */
	size_t size;
	int same_cpu;
	const struct bench_mech *m;
	char id[96];			/* "latency/64B/diff/kipc-queue" */
	union {
		struct bench_lat_params lat;
		struct bench_stream_params stream;
	} params;
	int runs, ok;			/* repeats run, and succeeded */
	int shortened;			/* runs whose cap the budget cut */
	double est;			/* seconds the next run should take */
	int err;			/* the last failure, if any */
	struct bench_lat lat[BENCH_MAX_REPEATS];
	struct bench_stream st[BENCH_MAX_REPEATS];
	struct bench_lat lat_med;	/* each field's median over ok repeats */
	struct bench_stream st_med;
};

struct bench_run_info {
	const char *kernel;		/* uname -r */
	const char *machine;		/* uname -m */
	int cpus;
	int repeats;
	int quick;
	double seconds;			/* the whole run */
	double budget;			/* what it was allowed */
	double memcpy_mb_per_s;		/* 64 KiB memcpy(), for reference */
	char cpu_model[128];		/* /proc/cpuinfo's "model name" */
	const char *copy_insn;		/* how the kernel copies: see util.c */
	const char *started;		/* ISO 8601, UTC */
};

/*
 * The rows across hosts (remote.c), which a helper measures: NATS
 * JetStream's own publish rates, and kipc-bridge over the same cluster.
 * Their configuration ids are "bridge/64B/<id>".
 */
enum bench_remote_row {
	BENCH_NATS_ASYNC,		/* the base the bridge's ratio is to */
	BENCH_NATS_SYNC,
	BENCH_BRIDGE_STREAM,
	BENCH_BRIDGE_LATENCY,
	BENCH_REMOTE_ROWS,
};

/* One repeat of a row across hosts, or each field's median of them. */
struct bench_remote_fig {
	double msgs_per_s;
	double p50, p99;		/* nanoseconds */
	double cpu_ns;			/* per message, every process */
	double cpu_self_ns;		/* of it: the clients' */
	double cpu_others_ns;		/* the nats-servers' and bridges' */
	double count;			/* messages or samples */
	double seconds;
};

struct bench_remote {
	const char *name;		/* in the table */
	int latency;			/* else streaming */
	int ok;				/* measured, at least once */
	int skipped;			/* n/a, for the reason in why */
	char why[192];			/* neither: why it failed */
	int runs;			/* repeats measured */
	struct bench_remote_fig run[BENCH_MAX_REPEATS];
	struct bench_remote_fig med;
};

void bench_remote_init(struct bench_remote *r, const char *why, int skipped);
const char *bench_remote_id(int row);
int bench_remote_run(const char *cmd, int quick, struct bench_remote *r);

/*
 * Output (report.c): table.txt, bench.json and the .dat files in @dir.
 * @remote is NULL when the filter selected no row across hosts.
 */
void bench_medians(struct bench_result *res, int n);
int bench_report(const char *dir, const struct bench_run_info *info,
		 struct bench_result *res, int n,
		 const struct bench_mech *const *mechs, int nmechs,
		 const struct bench_remote *remote);
const char *bench_size_name(size_t size);

/* Helpers (util.c). */
double bench_now(void);
void bench_cpu_model(char *model, size_t len, const char **copy_insn);
int bench_pin(int cpu);
int bench_write_sysctl(const char *path, unsigned long value);
int bench_full_write(int fd, const void *buf, size_t len);
int bench_full_read(int fd, void *buf, size_t len);
int bench_kipc_open(void);
void bench_unique_name(char *buf, size_t len, const char *what);

/*
 * Shared-memory rings (shmring.c), one per direction, in memory that both
 * processes map: kipc-region (futex hand-off) and eventfd-shm use them.
 * head counts messages published, tail messages consumed; each is written
 * by one side only. The slots start on the page after the header.
 */
struct bench_ring {
	_Atomic uint32_t head;
	uint32_t pad0[15];
	_Atomic uint32_t tail;
	uint32_t pad1[15];
	_Atomic uint32_t prod_waiting;	/* the producer sleeps on tail */
	_Atomic uint32_t cons_waiting;	/* the consumer sleeps on head */
	uint32_t depth;
	uint32_t stride;
};

size_t bench_ring_bytes(size_t size, unsigned int depth);
struct bench_ring *bench_ring_init(void *mem, size_t size, unsigned int depth);
void *bench_ring_slot(struct bench_ring *r, uint32_t idx);
void bench_consume(const void *slot, size_t size, void *hdr_out);

#endif /* KIPC_BENCH_H */
