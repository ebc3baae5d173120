// SPDX-License-Identifier: GPL-2.0-only
/*
 * Import: a JetStream subject into a local queue.
 *
 * The journal, not the broker, decides what was delivered: it holds the
 * stream sequence to read from and a ring of the Msg-Ids delivered
 * lately. Around each send it records the queue's "sent" counter and
 * the message, so that after a SIGKILL the next bridge knows whether the
 * send happened (the counter moved) or not (the stream has the message
 * still). The durable consumer, one per importing host, is made again
 * at the journal's position on every start and after every lost
 * delivery, so that nothing the broker still counts as pending can come
 * back after the messages behind it and break their order. Acks only
 * tell the broker how far this host has read; a lost ack costs nothing,
 * so one asynchronous ack covers each fetch.
 *
 * An exporter publishes a batch pipelined, and a message lost in its
 * middle is stored after the ones behind it. Each message carries its
 * exporter's epoch and export sequence (export= in Kipc-Msg): one that
 * comes early is held in memory, not delivered and not read past in the
 * journal, until the ones before it have come.
 *
 * A channel's end of file (eof in Kipc-Msg) closes the bridge's writing
 * handle, which is end of file to the local reader once it has drained
 * the queue; the next message opens it again.
 *
 * This needs the bridge to be the queue's only sender: make the queue
 * writable by the bridge's user alone.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"

#define NSEC_PER_SEC	INT64_C(1000000000)
#define FETCH_WAIT_MS	1000
/* Fetches in a row that time out before the consumer is looked at. */
#define STALL_FETCHES	5
#define SEND_WAIT_MS	1000
#define EPIPE_WAIT_US	200000
/*
 * An exporter's disorder never reaches past its batch (OUT_SLOTS_MAX);
 * more held than that, or held this long, is a gap that will not fill
 * (a journal deleted with messages in it, a stream's limits), and what
 * is held is delivered after a log line saying so.
 */
#define HELD_MAX	(2 * OUT_SLOTS_MAX)
#define HOLD_MAX_S	60

/* A message that came before the ones its exporter sent ahead of it. */
struct held {
	natsMsg *m;
	uint64_t hash;		/* of its Msg-Id */
	uint64_t sseq;
	uint64_t xseq;
	unsigned int origin;	/* index in in_journal.origins */
	time_t since;
};

struct importer {
	struct bridge *b;
	struct journal j;
	struct in_journal *ij;
	struct kipc_queue_attr qa;
	int qfd;
	natsSubscription *sub;
	uint64_t incarnation;	/* the queue's, as opened */
	uint64_t last_cseq;	/* consumer sequence of the last delivery */
	uint64_t high;		/* past the last stream seq dealt with */
	unsigned int idle_fetches;	/* in a row, since the last message */
	unsigned int nheld;
	struct held held[HELD_MAX];
};

/*
 * The ring's hashes, indexed in this process's memory. Looking a Msg-Id
 * up by scanning the ring's 16384 slots, twice per message, cost the
 * importer a good part of its CPU under emulation; this is a table
 * twice the ring's size, open addressing with linear probing, so it is
 * never more than half full. The ring in the journal stays the record:
 * the index is built from it when the bridge starts, and follows it
 * after (every hash in the ring is there once, see commit()).
 */
#define INDEX_BITS	15
#define INDEX_SLOTS	(1u << INDEX_BITS)
#define INDEX_MASK	(INDEX_SLOTS - 1)

_Static_assert(INDEX_SLOTS >= 2 * IN_RING, "the index must stay half empty");

static uint64_t ring_index[INDEX_SLOTS];	/* 0: empty, as in the ring */

static unsigned int index_home(uint64_t h)
{
	return (unsigned int)((h * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - INDEX_BITS));
}

static bool ring_has(uint64_t h)
{
	for (unsigned int i = index_home(h); ring_index[i];
	     i = (i + 1) & INDEX_MASK)
		if (ring_index[i] == h)
			return true;
	return false;
}

static void index_add(uint64_t h)
{
	unsigned int i = index_home(h);

	while (ring_index[i] && ring_index[i] != h)
		i = (i + 1) & INDEX_MASK;
	ring_index[i] = h;
}

/*
 * Backward-shift deletion: each entry after the hole that may move into
 * it (its home is not cyclically in (hole, entry]) does, so that no
 * probe sequence ever meets an empty slot before its entry.
 */
static void index_del(uint64_t h)
{
	unsigned int i = index_home(h), j, k;

	while (ring_index[i] != h) {
		if (!ring_index[i])
			return;
		i = (i + 1) & INDEX_MASK;
	}
	for (j = i;;) {
		ring_index[i] = 0;
		for (;;) {
			j = (j + 1) & INDEX_MASK;
			if (!ring_index[j])
				return;
			k = index_home(ring_index[j]);
			if (i <= j ? (k <= i || k > j) : (k <= i && k > j))
				break;
		}
		ring_index[i] = ring_index[j];
		i = j;
	}
}

static void index_build(const struct in_journal *ij)
{
	memset(ring_index, 0, sizeof(ring_index));
	for (unsigned int i = 0; i < IN_RING; i++)
		if (ij->ring[i])
			index_add(ij->ring[i]);
}

/*
 * The journal reads on from past @sseq, but never past a message held
 * back, which a crash must not lose.
 */
static void advance(struct importer *im, uint64_t sseq)
{
	uint64_t to;

	if (sseq + 1 > im->high)
		im->high = sseq + 1;
	to = im->high;
	for (unsigned int i = 0; i < im->nheld; i++)
		if (im->held[i].sseq < to)
			to = im->held[i].sseq;
	if (to > im->ij->next_seq)
		im->ij->next_seq = to;
}

/*
 * The send happened: remember the id, move the cursor and the origin's
 * export sequence, and only then leave SENDING. Done again after a
 * crash, it changes nothing.
 */
static void commit(struct importer *im, uint64_t h, uint64_t sseq,
		   unsigned int origin, uint64_t xseq)
{
	struct in_journal *ij = im->ij;

	if (!ring_has(h)) {
		uint64_t *slot = &ij->ring[ij->ring_head % IN_RING];

		if (*slot)
			index_del(*slot);
		*slot = h;
		index_add(h);
		ij->ring_head++;
		ij->delivered++;
	}
	if (origin && ij->origins[origin - 1].next_xseq <= xseq)
		ij->origins[origin - 1].next_xseq = xseq + 1;
	advance(im, sseq);
	ij->last_stream_seq = sseq;
	__atomic_store_n(&ij->state, IN_IDLE, __ATOMIC_RELEASE);
}

/*
 * Finish the send a dead bridge had begun, as far as it went. A queue
 * made again since has a new counter, and what was sent to the old one
 * went with it: the message is read again.
 */
static void recover(struct importer *im)
{
	struct in_journal *ij = im->ij;

	if (ij->state != IN_SENDING)
		return;
	if (ij->pend_incarnation == im->incarnation &&
	    im->qa.sent > ij->pend_sent) {
		log_info("recovered: a send was under way, and it happened (stream seq %" PRIu64 ")",
			 ij->pend_seq);
		im->high = ij->next_seq;
		commit(im, ij->pend_hash, ij->pend_seq, ij->pend_origin,
		       ij->pend_xseq);
	} else {
		log_info("recovered: a send was under way, and it did not happen; the stream has it still (seq %" PRIu64 ")",
			 ij->pend_seq);
		__atomic_store_n(&ij->state, IN_IDLE, __ATOMIC_RELEASE);
	}
}

static void drop_held(struct importer *im);

static bool transient(natsStatus s, jsErrCode jerr)
{
	return s == NATS_TIMEOUT || s == NATS_NO_RESPONDERS ||
	       s == NATS_CONNECTION_CLOSED || s == NATS_CONNECTION_DISCONNECTED ||
	       s == NATS_IO_ERROR || s == NATS_STALE_CONNECTION ||
	       jerr == JSClusterNotAvailErr || jerr == JSStreamOfflineErr ||
	       jerr == JSClusterNoPeersErr;
}

/*
 * The durable, made again to deliver from the journal's next_seq. A
 * fresh journal starts where the durable had been acked to, or, with no
 * durable, at the stream's beginning.
 */
static int rewind_consumer(struct importer *im)
{
	struct bridge *b = im->b;
	struct in_journal *ij = im->ij;
	jsConsumerInfo *ci = NULL;
	unsigned int attempt = 0;
	jsConsumerConfig cc;
	jsSubOptions so;
	jsErrCode jerr;
	natsStatus s;

	/* What was held is read again, from no further than the journal. */
	drop_held(im);
	im->high = ij->next_seq;
	if (im->sub) {
		/* Bound to a consumer it did not make: leaves it be. */
		natsSubscription_Destroy(im->sub);
		im->sub = NULL;
	}
	while (!bridge_stop) {
		jerr = 0;
		s = js_GetConsumerInfo(&ci, b->js, b->cfg->stream, b->durable,
				       NULL, &jerr);
		if (s == NATS_OK) {
			if (!ij->next_seq)
				ij->next_seq = ci->AckFloor.Stream + 1;
			jsConsumerInfo_Destroy(ci);
			ci = NULL;
			jerr = 0;
			s = js_DeleteConsumer(b->js, b->cfg->stream,
					      b->durable, NULL, &jerr);
		}
		if (s == NATS_NOT_FOUND || jerr == JSConsumerNotFoundErr)
			s = NATS_OK;
		if (s == NATS_OK) {
			jsConsumerConfig_Init(&cc);
			cc.Durable = b->durable;
			cc.AckPolicy = js_AckAll;
			cc.AckWait = (int64_t)b->cfg->ack_wait_s * NSEC_PER_SEC;
			cc.MaxAckPending = 4 * (int64_t)b->cfg->batch;
			cc.FilterSubject = b->subject;
			if (ij->next_seq > 1) {
				cc.DeliverPolicy = js_DeliverByStartSequence;
				cc.OptStartSeq = ij->next_seq;
			} else {
				cc.DeliverPolicy = js_DeliverAll;
			}
			jerr = 0;
			s = js_AddConsumer(&ci, b->js, b->cfg->stream, &cc,
					   NULL, &jerr);
			jsConsumerInfo_Destroy(ci);
			ci = NULL;
		}
		if (s == NATS_OK) {
			jsSubOptions_Init(&so);
			so.Stream = b->cfg->stream;
			so.Consumer = b->durable;
			jerr = 0;
			s = js_PullSubscribe(&im->sub, b->js, b->subject,
					     b->durable, NULL, &so, &jerr);
		}
		if (s == NATS_OK) {
			im->last_cseq = 0;
			log_debug("consumer %s reads %s from seq %" PRIu64,
				  b->durable, b->cfg->stream, ij->next_seq);
			return 0;
		}
		if (!transient(s, jerr)) {
			journal_error(&im->j, "consumer %s on stream %s: %s",
				      b->durable, b->cfg->stream,
				      nats_why(s, jerr));
			return jerr == JSStreamNotFoundErr ? -ENOENT : -EIO;
		}
		if (attempt == 0 || attempt % 10 == 0)
			journal_error(&im->j, "consumer %s: %s; retrying",
				      b->durable, nats_why(s, jerr));
		backoff_sleep(&attempt);
	}
	return -EINTR;
}

/*
 * What the exporter stamped on a message. Nats-Msg-Id is
 * "host/queue/incarnation/seq"; Kipc-Msg is words of key=value:
 * "export=E/X prio=P type=T pid=.. uid=.. gid=.. time=..", or
 * "export=E/X eof" for a channel's end of file. Words it does not know
 * are skipped, for a newer exporter's sake; a message with neither
 * header, from another publisher, is delivered with prio and type 0.
 */
struct stamp {
	const char *id;		/* Nats-Msg-Id, or NULL */
	size_t origin_len;	/* of "host/queue" in id; 0: none */
	size_t host_len;	/* of "host" in id */
	uint64_t prio;
	uint64_t type;
	uint64_t epoch;		/* 0: no place in an export order */
	uint64_t xseq;
	uint64_t batch;		/* xseq its batch starts at; 0: not said */
	bool eof;
	const char *bad;	/* why it cannot be delivered, or NULL */
};

/* A decimal number of @n characters, at most @max. */
static int word_u64(const char *v, size_t n, uint64_t max, uint64_t *out)
{
	char buf[24], *end;

	if (!n || n >= sizeof(buf) || v[0] < '0' || v[0] > '9')
		return -EINVAL;
	memcpy(buf, v, n);
	buf[n] = '\0';
	errno = 0;
	*out = strtoull(buf, &end, 10);
	if (errno || *end || *out > max)
		return -EINVAL;
	return 0;
}

static void stamp_word(struct stamp *st, const char *w, size_t n)
{
	const char *eq = memchr(w, '=', n);
	const char *v = eq ? eq + 1 : w + n;
	size_t klen = eq ? (size_t)(eq - w) : n, vlen = n - klen - !!eq;
	const char *slash;

#define KEY_IS(k) (klen == sizeof(k) - 1 && !memcmp(w, k, klen))
	if (!eq && KEY_IS("eof")) {
		st->eof = true;
	} else if (eq && KEY_IS("prio")) {
		if (word_u64(v, vlen, KIPC_PRIO_MAX - 1, &st->prio))
			st->bad = "bad prio in Kipc-Msg (0..31)";
	} else if (eq && KEY_IS("type")) {
		if (word_u64(v, vlen, UINT64_MAX, &st->type))
			st->bad = "bad type in Kipc-Msg";
	} else if (eq && KEY_IS("export")) {
		/* Malformed: no place in the order, delivered as it comes. */
		slash = memchr(v, '/', vlen);
		if (!slash ||
		    word_u64(v, (size_t)(slash - v), UINT64_MAX, &st->epoch) ||
		    word_u64(slash + 1, vlen - (size_t)(slash - v) - 1,
			     UINT64_MAX, &st->xseq))
			st->epoch = 0;
	} else if (eq && KEY_IS("batch")) {
		/* Malformed: as if not said, xseq starts the order. */
		if (word_u64(v, vlen, UINT64_MAX, &st->batch))
			st->batch = 0;
	}
#undef KEY_IS
}

static void stamp_read(natsMsg *m, struct stamp *st)
{
	const char *w = NULL, *slash;

	*st = (struct stamp){ 0 };
	if (natsMsgHeader_Get(m, "Nats-Msg-Id", &st->id) != NATS_OK)
		st->id = NULL;
	if (st->id && (slash = strchr(st->id, '/'))) {
		st->host_len = (size_t)(slash - st->id);
		slash = strchr(slash + 1, '/');
		if (slash)
			st->origin_len = (size_t)(slash - st->id);
	}
	if (natsMsgHeader_Get(m, "Kipc-Msg", &w) != NATS_OK || !w)
		return;
	while (*w) {
		size_t n = strcspn(w, " ");

		if (n)
			stamp_word(st, w, n);
		w += n;
		w += strspn(w, " ");
	}
	if (st->epoch == 0 || st->batch > st->xseq)
		st->batch = 0;
	if (st->epoch == 0)
		st->xseq = 0;
}

/* Left in the stream, where an operator can look at it, and skipped. */
static void reject(struct importer *im, natsMsg *m, uint64_t sseq,
		   const char *why)
{
	journal_error(&im->j, "stream %s seq %" PRIu64 ": %s; not delivered, left in the stream",
		      im->b->cfg->stream, sseq, why);
	im->ij->rejected++;
	natsMsg_Term(m, NULL);
	advance(im, sseq);
}

/*
 * With AckAll, one ack covers the fetch up to it; it is not waited for,
 * since the journal, not the broker, knows what was delivered.
 */
static void ack(natsMsg *m)
{
	natsStatus s = natsMsg_Ack(m, NULL);

	if (s != NATS_OK)
		log_debug("ack: %s (harmless: a redelivery is skipped)",
			  nats_why(s, 0));
}

/*
 * With --verbose, the origin's identity as the headers carry it: its
 * host and seq from the Msg-Id, and Kipc-Msg's words as they came.
 */
static void log_delivery(natsMsg *m, const struct stamp *st, uint64_t sseq)
{
	const char *id = st->id ? st->id : "-", *words = NULL, *seq;

	if (natsMsgHeader_Get(m, "Kipc-Msg", &words) != NATS_OK || !words)
		words = "-";
	seq = st->origin_len ? strrchr(id, '/') + 1 : "-";
	log_debug("delivered %s stream-seq %" PRIu64 " origin=%.*s seq=%s %s",
		  id, sseq, (int)(st->origin_len ? st->host_len : 1),
		  st->origin_len ? id : "-", seq, words);
}

static int open_queue(struct importer *im);

/* A channel's writing handle, closed by an end of file, is needed again. */
static int ensure_writer(struct importer *im)
{
	int ret;

	if (im->qfd >= 0)
		return 0;
	ret = open_queue(im);
	if (ret)
		return ret;
	im->ij->writer_closed = 0;
	return 0;
}

/*
 * Passes a channel's end of file on: the local reader sees it once the
 * queue is drained, as if the remote writer were local. On any other
 * queue it means nothing and is only counted.
 */
static int deliver_eof(struct importer *im, uint64_t h, uint64_t sseq,
		       unsigned int origin, uint64_t xseq)
{
	struct in_journal *ij = im->ij;

	if (im->qa.queue_flags & KIPC_QUEUE_CHANNEL) {
		ij->writer_closed = 1;
		if (im->qfd >= 0) {
			kipc_queue_close(im->qfd);
			im->qfd = -1;
		}
		log_info("queue %s: end of file from the remote writer",
			 im->b->cfg->queue);
	}
	ij->eofs++;
	commit(im, h, sseq, origin, xseq);
	return 0;
}

/* One message, its turn come: sent to the queue, under the journal. */
static int deliver_now(struct importer *im, natsMsg *m, uint64_t sseq,
		       uint64_t h, unsigned int origin, uint64_t xseq)
{
	struct in_journal *ij = im->ij;
	struct kipc_queue_attr qa;
	struct stamp st;
	int len, ret;

	stamp_read(m, &st);
	if (st.eof)
		return deliver_eof(im, h, sseq, origin, xseq);
	ret = ensure_writer(im);
	if (ret)
		return ret;
	if (st.bad) {
		reject(im, m, sseq, st.bad);
		return 0;
	}
	len = natsMsg_GetDataLength(m);
	if ((uint64_t)len > im->qa.max_msg_size) {
		char why[96];

		snprintf(why, sizeof(why), "%d bytes, queue %s takes %u (EMSGSIZE)",
			 len, im->b->cfg->queue, im->qa.max_msg_size);
		reject(im, m, sseq, why);
		return 0;
	}

	ret = kipc_queue_getattr(im->qfd, &qa);
	if (ret) {
		journal_error(&im->j, "queue %s: %s", im->b->cfg->queue,
			      strerror(-ret));
		return ret;
	}
	ij->pend_hash = h;
	ij->pend_seq = sseq;
	ij->pend_sent = qa.sent;
	ij->pend_incarnation = ij->incarnation;
	ij->pend_origin = origin;
	ij->pend_xseq = xseq;
	__atomic_store_n(&ij->state, IN_SENDING, __ATOMIC_RELEASE);
	crash_point("import-recorded");

	for (bool told = false;;) {
		struct timespec ts = deadline_ms(SEND_WAIT_MS);

		ret = kipc_queue_send_flags(im->qfd, natsMsg_GetData(m),
					    (size_t)len, (unsigned int)st.prio,
					    st.type, KIPC_IO_NOSIGNAL, &ts);
		if (ret == -EPIPE) {
			/*
			 * A channel whose reader has closed: the message
			 * waits in the stream for the next reader, as a
			 * local writer's would be refused, not dropped.
			 */
			if (!told)
				journal_error(&im->j, "queue %s: no reader (EPIPE); waiting for one",
					      im->b->cfg->queue);
			told = true;
			usleep(EPIPE_WAIT_US);
		} else if (ret != -ETIMEDOUT && ret != -EINTR) {
			break;
		}
		if (bridge_stop) {
			/* Not sent: the next bridge reads it again. */
			__atomic_store_n(&ij->state, IN_IDLE,
					 __ATOMIC_RELEASE);
			return -EINTR;
		}
	}
	if (ret) {
		__atomic_store_n(&ij->state, IN_IDLE, __ATOMIC_RELEASE);
		journal_error(&im->j, "queue %s: send: %s", im->b->cfg->queue,
			      strerror(-ret));
		return ret;
	}
	crash_point("import-sent");
	commit(im, h, sseq, origin, xseq);
	if (im->b->cfg->verbose)
		log_delivery(m, &st, sseq);
	crash_point("import-delivered");
	return 0;
}

/*
 * Kipc-Msg's "export=epoch/xseq" names the origin's slot in the table,
 * made or taken over (the longest unused) for an origin ("host/queue",
 * from the Msg-Id) not seen lately. 0: the message has no place in an
 * export order, from an exporter that sends one batch message at a
 * time, or not from kipc-bridge, and is delivered as it comes.
 */
static unsigned int origin_of(struct importer *im, const struct stamp *st,
			      uint64_t *xseq)
{
	struct in_journal *ij = im->ij;
	uint64_t epoch = st->epoch, x = st->xseq;
	/*
	 * Where the order starts for a journal not seen before: its
	 * message's batch, whose first messages may come after it; the
	 * batches before it were all stored, so before it in the stream.
	 */
	uint64_t start = st->batch ? st->batch : x;
	unsigned int victim = 0;
	char key[256];
	uint64_t k;

	if (!epoch)
		return 0;
	/* The key the table has always had: "host/queue". */
	snprintf(key, sizeof(key), "%.*s", (int)st->origin_len,
		 st->origin_len ? st->id : "/");
	k = id_hash(key);
	*xseq = x;
	for (unsigned int i = 0; i < IN_ORIGINS; i++) {
		struct in_origin *o = &ij->origins[i];

		if (o->key == k) {
			o->used = ++ij->clock;
			if (o->epoch != epoch) {
				/* A new exporter journal counts from 1. */
				o->epoch = epoch;
				o->next_xseq = start;
			}
			return i + 1;
		}
		if (o->used < ij->origins[victim].used)
			victim = i;
	}
	ij->origins[victim] = (struct in_origin){
		.key = k, .epoch = epoch, .next_xseq = start, .used = ++ij->clock,
	};
	return victim + 1;
}

static void hold(struct importer *im, natsMsg **mp, uint64_t h,
		 uint64_t sseq, unsigned int origin, uint64_t xseq)
{
	struct held *hd = &im->held[im->nheld++];

	*hd = (struct held){
		.m = *mp, .hash = h, .sseq = sseq, .xseq = xseq, .origin = origin - 1,
		.since = time(NULL),
	};
	*mp = NULL;	/* ours now, not the fetch list's */
	im->ij->reordered++;
	log_debug("stream seq %" PRIu64 ": export seq %" PRIu64 " came before %" PRIu64 "; held",
		  sseq, xseq, im->ij->origins[origin - 1].next_xseq);
}

static void drop_held(struct importer *im)
{
	for (unsigned int i = 0; i < im->nheld; i++)
		natsMsg_Destroy(im->held[i].m);
	im->nheld = 0;
}

/*
 * Whatever the origin's next export sequence lets go, in order. With
 * @give_up, the gap before the lowest held one is given up on first.
 */
static int release_held(struct importer *im, unsigned int origin,
			bool give_up)
{
	struct in_origin *o = &im->ij->origins[origin];
	int ret = 0;

	for (;;) {
		unsigned int best = im->nheld;

		for (unsigned int i = 0; i < im->nheld; i++)
			if (im->held[i].origin == origin &&
			    (best == im->nheld ||
			     im->held[i].xseq < im->held[best].xseq))
				best = i;
		if (best == im->nheld)
			return 0;
		if (im->held[best].xseq > o->next_xseq) {
			if (!give_up)
				return 0;
			journal_error(&im->j, "export seqs %" PRIu64 "..%" PRIu64 " of one origin never came; delivering what came after them",
				      o->next_xseq, im->held[best].xseq - 1);
			im->ij->gaps += im->held[best].xseq - o->next_xseq;
			o->next_xseq = im->held[best].xseq;
			give_up = false;
		}
		{
			struct held hd = im->held[best];

			im->held[best] = im->held[--im->nheld];
			ret = deliver_now(im, hd.m, hd.sseq, hd.hash,
					  origin + 1, hd.xseq);
			natsMsg_Destroy(hd.m);
			if (ret)
				return ret;
		}
	}
}

/* Held too long, or too many: the gap will not fill. */
static int check_held(struct importer *im)
{
	time_t now = time(NULL);

	for (unsigned int i = 0; i < im->nheld; i++) {
		if (im->nheld < HELD_MAX &&
		    now - im->held[i].since < HOLD_MAX_S)
			continue;
		return release_held(im, im->held[i].origin, true);
	}
	return 0;
}

/*
 * Fetches time out while the consumer holds messages for this host and
 * none is out unacknowledged: the subscription no longer pulls from the
 * consumer the broker is serving (it is gone, or was made again), or
 * the broker dropped the pull requests. Made again at the journal's
 * position, as after a lost delivery. One request per STALL_FETCHES
 * idle fetches, and none while messages flow.
 */
static int check_stalled(struct importer *im)
{
	struct bridge *b = im->b;
	jsConsumerInfo *ci = NULL;
	jsErrCode jerr = 0;
	uint64_t pending = 0;
	bool stalled;
	natsStatus s;

	s = js_GetConsumerInfo(&ci, b->js, b->cfg->stream, b->durable,
			       NULL, &jerr);
	if (s == NATS_OK) {
		pending = ci->NumPending;
		stalled = pending && !ci->NumAckPending;
		jsConsumerInfo_Destroy(ci);
	} else {
		/* Anything else passes, and is looked at again later. */
		stalled = s == NATS_NOT_FOUND || jerr == JSConsumerNotFoundErr;
	}
	if (!stalled)
		return 0;
	log_info("consumer %s: %" PRIu64 " messages pending, none fetched in %d s; making it again",
		 b->durable, pending, STALL_FETCHES * FETCH_WAIT_MS / 1000);
	return rewind_consumer(im);
}

/*
 * One message read from the stream. *mp may be taken (set to NULL) to
 * be held back until its turn.
 */
static int deliver(struct importer *im, natsMsg **mp, uint64_t sseq)
{
	struct in_journal *ij = im->ij;
	natsMsg *m = *mp;
	const char *id;
	char idbuf[64];
	struct stamp st;
	unsigned int o;
	uint64_t h, xseq = 0;
	int ret;

	if (sseq < ij->next_seq) {
		ij->duplicates++;
		return 0;
	}
	stamp_read(m, &st);
	id = st.id;
	if (!id) {
		snprintf(idbuf, sizeof(idbuf), "seq/%" PRIu64, sseq);
		id = idbuf;
	}
	h = id_hash(id);
	if (ring_has(h)) {
		/* Stored twice: a republish after the dedup window. */
		log_debug("%s: delivered before, skipped", id);
		ij->duplicates++;
		advance(im, sseq);
		return 0;
	}
	if (st.origin_len && st.host_len == strlen(im->b->host) &&
	    !memcmp(id, im->b->host, st.host_len)) {
		/* Our own host's export: delivering it would loop. */
		advance(im, sseq);
		return 0;
	}
	o = origin_of(im, &st, &xseq);
	if (o && xseq > ij->origins[o - 1].next_xseq) {
		if (im->nheld == HELD_MAX) {
			ret = check_held(im);
			if (ret)
				return ret;
		}
		if (xseq > ij->origins[o - 1].next_xseq) {
			hold(im, mp, h, sseq, o, xseq);
			return 0;
		}
	}
	if (o && xseq < ij->origins[o - 1].next_xseq)
		log_info("%s: export seq %" PRIu64 " came after its gap was given up on; delivered late",
			 id, xseq);
	ret = deliver_now(im, m, sseq, h, o, xseq);
	if (ret || !o)
		return ret;
	return release_held(im, o - 1, false);
}

static int open_queue(struct importer *im)
{
	const char *q = im->b->cfg->queue;
	uint64_t before, after;
	int ret;

	ret = queue_incarnation(q, &before);
	if (ret < 0) {
		log_err("queue %s: %s", q, strerror(-ret));
		return ret;
	}
	im->qfd = kipc_queue_open(q, O_WRONLY, 0, NULL);
	if (im->qfd < 0) {
		ret = im->qfd;
		log_err("queue %s: cannot open for writing: %s", q,
			strerror(-ret));
		return ret;
	}
	ret = queue_incarnation(q, &after);
	if (!ret && after != before)
		ret = -EAGAIN;
	if (!ret)
		ret = kipc_queue_getattr(im->qfd, &im->qa);
	if (ret) {
		log_err("queue %s: %s", q, strerror(-ret));
		return ret;
	}
	if (im->qa.mode & 0022)
		log_info("queue %s: mode %03o lets others send; the crash check assumes the bridge is its only sender",
			 q, im->qa.mode & 0777);
	im->incarnation = handle_incarnation(&im->qa, after);
	return 0;
}

int bridge_import(struct bridge *b)
{
	struct importer im = { .b = b, .qfd = -1 };
	bool rec;
	int ret;

	ret = open_queue(&im);
	if (ret)
		goto out;
	ret = journal_open(&im.j, "kipc-bridge.in", b->cfg->queue,
			   sizeof(struct in_journal), IN_MAGIC, &rec);
	if (ret)
		goto out;
	im.ij = im.j.base;
	index_build(im.ij);
	recover(&im);
	im.ij->incarnation = im.incarnation;
	im.high = im.ij->next_seq;
	if (im.ij->writer_closed) {
		/*
		 * The last bridge passed an end of file on: the local
		 * reader keeps it until the next message comes.
		 */
		kipc_queue_close(im.qfd);
		im.qfd = -1;
	}
	if (rec) {
		ret = journal_consistent(&im.j);
		if (ret)
			goto out_journal;
	}

	ret = nats_connect(b);
	if (ret)
		goto out_journal;
	ret = nats_ensure_stream(b);
	if (ret)
		goto out_nats;
	ret = rewind_consumer(&im);
	if (ret)
		goto out_nats;
	log_info("importing %s (stream %s, consumer %s) into queue %s",
		 b->subject, b->cfg->stream, b->durable, b->cfg->queue);

	while (!bridge_stop) {
		natsMsgList list = { 0 };
		jsErrCode jerr = 0;
		natsStatus s;

		natsMsg *last;

		s = natsSubscription_Fetch(&list, im.sub, (int)b->cfg->batch,
					   FETCH_WAIT_MS, &jerr);
		if (s == NATS_TIMEOUT) {
			ret = check_held(&im);
			if (!ret && ++im.idle_fetches % STALL_FETCHES == 0)
				ret = check_stalled(&im);
			if (ret)
				goto out_nats;
			continue;
		}
		im.idle_fetches = 0;
		if (s != NATS_OK) {
			unsigned int attempt = 0;

			journal_error(&im.j, "fetch from %s: %s", b->cfg->stream,
				      nats_why(s, jerr));
			backoff_sleep(&attempt);
			ret = rewind_consumer(&im);
			if (ret)
				goto out_nats;
			continue;
		}
		last = list.Count ? list.Msgs[list.Count - 1] : NULL;
		for (int i = 0; i < list.Count && !ret; i++) {
			jsMsgMetaData *md = NULL;

			if (natsMsg_GetMetaData(&md, list.Msgs[i]) != NATS_OK) {
				log_err("a message without JetStream metadata; skipped");
				continue;
			}
			/*
			 * A delivery that never reached us leaves a gap in
			 * the consumer's sequence; the broker would send it
			 * again after the ones behind it. Read again from
			 * the journal's position instead.
			 */
			if (md->Sequence.Consumer != im.last_cseq + 1) {
				log_debug("consumer seq %" PRIu64 " after %" PRIu64 ": a delivery was lost; rewinding",
					  md->Sequence.Consumer, im.last_cseq);
				jsMsgMetaData_Destroy(md);
				ret = 1;
				break;
			}
			im.last_cseq = md->Sequence.Consumer;
			im.ij->lag = md->NumPending;
			ret = deliver(&im, &list.Msgs[i], md->Sequence.Stream);
			jsMsgMetaData_Destroy(md);
		}
		/* Alive still: in the list, or held. */
		if (!ret && last)
			ack(last);
		natsMsgList_Destroy(&list);
		if (ret == 1)
			ret = rewind_consumer(&im);
		if (ret)
			goto out_nats;
	}
	log_info("stopping; %llu messages imported",
		 (unsigned long long)im.ij->delivered);
out_nats:
	drop_held(&im);
	if (im.sub)
		natsSubscription_Destroy(im.sub);
	nats_close(b);
out_journal:
	journal_close(&im.j);
out:
	if (im.qfd >= 0)
		kipc_queue_close(im.qfd);
	return ret;
}
