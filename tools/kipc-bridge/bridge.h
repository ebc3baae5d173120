/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kipc-bridge: carries a kipc queue over NATS JetStream, exactly once.
 *
 * One process bridges one queue in one direction. Its crash state lives
 * in a named kipc region (a "journal") in the queue's IPC namespace,
 * guarded by the region's robust lock, which the bridge holds for its
 * whole life: a second bridge on the same queue and direction finds it
 * taken (EBUSY), and the next bridge after a crash finds it abandoned
 * (EOWNERDEAD) and finishes what the dead one had begun.
 */
#ifndef KIPC_BRIDGE_H
#define KIPC_BRIDGE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <nats/nats.h>
#include <libkipc.h>

/* Everything the command line sets. */
struct bridge_cfg {
	const char *cmd;		/* "export", "import" or "status" */
	const char *queue;		/* the local queue's name */
	const char *stream;
	const char *subject;		/* NULL: kipc.q.<queue, encoded> */
	const char *durable;		/* import; NULL: kipc-<host>-<queue> */
	const char *host;		/* NULL: the UTS hostname */
	const char **servers;
	int nservers;
	const char *user;
	const char *password_file;
	const char *creds;
	const char *nkey;
	const char *nkey_seed;
	bool tls;
	const char *tls_ca;
	const char *tls_cert;
	const char *tls_key;
	const char *tls_hostname;
	bool create;			/* create the stream if it is missing */
	int replicas;
	int64_t dup_window_s;
	int64_t max_age_s;
	unsigned int batch;
	int ack_wait_s;
	bool syslog;
	bool verbose;
};

/* The bridge's own state, as the loops need it. */
struct bridge {
	struct bridge_cfg *cfg;
	/* Export: libnats calls this for each asynchronous publish. */
	jsPubAckHandler pub_ack;
	void *pub_ack_arg;
	char host[64];
	char qenc[3 * KIPC_NAME_MAX + 1];	/* the queue's name, encoded */
	char subject[4 * KIPC_NAME_MAX];
	char durable[4 * KIPC_NAME_MAX];
	natsConnection *nc;
	jsCtx *js;
};

/* Set by SIGTERM and SIGINT: finish the message under way, then leave. */
extern volatile sig_atomic_t bridge_stop;

void log_open(bool use_syslog, bool verbose);
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The test hook: KIPC_BRIDGE_CRASH=point[:n] kills the bridge with
 * SIGKILL the n-th time (default 1) it passes that point.
 */
void crash_point(const char *point);

/*
 * The other test hook: KIPC_BRIDGE_DROP=point[:n] makes the n-th pass
 * through @point act as if that message were lost on the way.
 */
bool drop_point(const char *point);

/* Sleep with exponential backoff: 100 ms doubling to 5 s. */
void backoff_sleep(unsigned int *attempt);

/*
 * Encodes every byte outside [A-Za-z0-9-] as _XX, for ids, subjects and
 * consumer names: nats-server 2.9 takes a '%' in a durable's name but
 * then never answers its pull requests.
 */
void name_encode(char *out, size_t size, const char *name);

/* A 64-bit FNV-1a hash, never 0 (0 marks a free slot). */
uint64_t id_hash(const char *s);

/* CLOCK_MONOTONIC now plus ms, for kipc's absolute timeouts. */
struct timespec deadline_ms(unsigned int ms);

/* nats.c */
int nats_connect(struct bridge *b);
void nats_close(struct bridge *b);
int nats_ensure_stream(struct bridge *b);
const char *nats_why(natsStatus s, jsErrCode jerr);

/*
 * journal.c: a named region, created on first use, locked for life.
 * Every journal begins with this header; the region is zero when made,
 * and "state" goes 0 -> 1 (one creator initialises the lock) -> 2.
 */
#define JOURNAL_ERR_MAX	160

struct journal_hdr {
	uint32_t magic;
	uint32_t state;
	struct kipc_region_lock lock;
	int32_t pid;			/* the bridge holding it */
	uint32_t __pad;
	uint64_t started_ns;		/* CLOCK_REALTIME at its start */
	uint64_t crashes;		/* dead bridges recovered from */
	char last_error[JOURNAL_ERR_MAX];
};

/*
 * The exporter's journal: the batch taken from the queue and not yet
 * stored by JetStream. The kernel writes each message straight into a
 * slot here, so a message is always either in the queue or in the
 * journal, whatever moment the bridge dies at. A slot is pending while
 * its seq is not 0.
 *
 * Every message taken gets the next export sequence number, slot i of a
 * batch batch_xseq + i, and carries it with the journal's epoch (random,
 * set when the journal is made) in Kipc-Msg, with batch_xseq: a batch is published
 * pipelined, and when a message in its middle is lost on the way and
 * published again, it lands in the stream after the ones behind it; the
 * importer puts them back in this order.
 */
#define OUT_MAGIC	0x6b627232U	/* "kbr2" */
#define OUT_SLOTS_MAX	64

struct out_journal {
	struct journal_hdr hdr;
	uint32_t slots;
	uint32_t slot_size;
	uint64_t incarnation;		/* the queue's, for the pending batch */
	uint64_t published;		/* stored by JetStream */
	uint64_t duplicates;		/* of those, already stored before */
	uint64_t retries;
	uint64_t last_seq;		/* kipc seq of the last one stored */
	uint64_t epoch;			/* never 0 once made */
	uint64_t batch_xseq;		/* export seq of slot 0 */
	uint64_t next_xseq;		/* of the next batch */
	uint64_t reordered;		/* stored out of order, put back by xseq */
	uint64_t eof_seq;		/* channel: last_seq at the last EOF sent */
	uint64_t eof_xseq;		/* its export seq */
	uint64_t eofs;			/* channel: end-of-file marks stored */
	struct kipc_msg msgs[OUT_SLOTS_MAX];
	/* The slots' payloads follow, page aligned: see out_data(). */
};

/*
 * The importer's journal: where the stream is read up to, the Msg-Ids
 * delivered lately, and the send under way, with the queue's "sent"
 * counter from just before it, which tells after a crash whether the
 * send happened. Per origin (exporting host and queue) it keeps the
 * export sequence it delivers next, to put a pipelined batch back in
 * order (see struct out_journal).
 */
#define IN_MAGIC	0x6b627233U	/* "kbr3" */
#define IN_RING		16384
#define IN_ORIGINS	64

enum in_state {
	IN_IDLE		= 0,
	IN_SENDING	= 1,
};

struct in_origin {
	uint64_t key;			/* id_hash("host/queue"); 0: free */
	uint64_t epoch;			/* of the exporter's journal */
	uint64_t next_xseq;		/* to deliver next */
	uint64_t used;			/* when last seen, for replacement */
};

struct in_journal {
	struct journal_hdr hdr;
	uint32_t state;			/* enum in_state */
	uint32_t ring_head;
	uint64_t incarnation;		/* the queue's */
	uint64_t next_seq;		/* stream seq to read from; 0: none yet */
	uint64_t pend_hash;
	uint64_t pend_seq;
	uint64_t pend_sent;
	uint64_t pend_incarnation;
	uint32_t pend_origin;		/* index + 1 in origins; 0: none */
	uint32_t writer_closed;		/* a channel's end of file, passed on */
	uint64_t pend_xseq;
	uint64_t delivered;
	uint64_t duplicates;		/* skipped: delivered before */
	uint64_t rejected;		/* bad messages, left in the stream */
	uint64_t reordered;		/* held back, then delivered in order */
	uint64_t gaps;			/* export seqs never seen, given up on */
	uint64_t eofs;			/* end-of-file marks passed on */
	uint64_t last_stream_seq;	/* of the last one delivered */
	uint64_t lag;			/* stream messages not yet read */
	uint64_t clock;			/* ticks of struct in_origin.used */
	struct in_origin origins[IN_ORIGINS];
	uint64_t ring[IN_RING];		/* id_hash() of Msg-Ids delivered */
};

struct journal {
	char name[KIPC_NAME_MAX + 1];
	int fd;
	void *base;
	size_t size;
	struct kipc_region_lock *lock;
};

int journal_open(struct journal *j, const char *dir, const char *queue,
		 size_t size, uint32_t magic, bool *recover);
int journal_consistent(struct journal *j);
void journal_error(struct journal *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void journal_close(struct journal *j);
void journal_name(char *out, const char *dir, const char *queue);

/*
 * Queue incarnation: the kernel's incarnation id (kipc_queue_attr.id),
 * read by name through netlink or from a handle's attributes; the
 * creation time from a module without it.
 */
int queue_incarnation(const char *name, uint64_t *incarnation);
uint64_t handle_incarnation(const struct kipc_queue_attr *qa,
			    uint64_t by_name);

int bridge_export(struct bridge *b);
int bridge_import(struct bridge *b);
int bridge_status(struct bridge_cfg *cfg);

#endif /* KIPC_BRIDGE_H */
