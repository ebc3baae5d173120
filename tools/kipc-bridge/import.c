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
 * tell the broker how far this host has read; a lost ack costs nothing.
 *
 * This needs the bridge to be the queue's only sender: make the queue
 * writable by the bridge's user alone.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"

#define NSEC_PER_SEC	INT64_C(1000000000)
#define FETCH_WAIT_MS	1000
#define SEND_WAIT_MS	1000

struct importer {
	struct bridge *b;
	struct journal j;
	struct in_journal *ij;
	struct kipc_queue_attr qa;
	int qfd;
	natsSubscription *sub;
	uint64_t incarnation;	/* the queue's, as opened */
	uint64_t last_cseq;	/* consumer sequence of the last delivery */
};

static bool ring_has(const struct in_journal *ij, uint64_t h)
{
	for (unsigned int i = 0; i < IN_RING; i++)
		if (ij->ring[i] == h)
			return true;
	return false;
}

/*
 * The send happened: remember the id, move the cursor, and only then
 * leave SENDING. Done again after a crash, it changes nothing.
 */
static void commit(struct in_journal *ij, uint64_t h, uint64_t sseq)
{
	if (!ring_has(ij, h)) {
		ij->ring[ij->ring_head % IN_RING] = h;
		ij->ring_head++;
		ij->delivered++;
	}
	if (sseq + 1 > ij->next_seq)
		ij->next_seq = sseq + 1;
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
		commit(ij, ij->pend_hash, ij->pend_seq);
	} else {
		log_info("recovered: a send was under way, and it did not happen; the stream has it still (seq %" PRIu64 ")",
			 ij->pend_seq);
		__atomic_store_n(&ij->state, IN_IDLE, __ATOMIC_RELEASE);
	}
}

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
			cc.AckPolicy = js_AckExplicit;
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

static int header_u64(natsMsg *m, const char *key, uint64_t dflt,
		      uint64_t max, uint64_t *v)
{
	const char *s = NULL;
	char *end;

	if (natsMsgHeader_Get(m, key, &s) != NATS_OK || !s) {
		*v = dflt;
		return 0;
	}
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *v > max)
		return -EINVAL;
	return 0;
}

/* Left in the stream, where an operator can look at it, and skipped. */
static void reject(struct importer *im, natsMsg *m, uint64_t sseq,
		   const char *why)
{
	journal_error(&im->j, "stream %s seq %" PRIu64 ": %s; not delivered, left in the stream",
		      im->b->cfg->stream, sseq, why);
	im->ij->rejected++;
	natsMsg_Term(m, NULL);
	if (sseq + 1 > im->ij->next_seq)
		im->ij->next_seq = sseq + 1;
}

static void ack(natsMsg *m)
{
	jsErrCode jerr = 0;
	natsStatus s = natsMsg_AckSync(m, NULL, &jerr);

	if (s != NATS_OK)
		log_debug("ack: %s (harmless: a redelivery is skipped)",
			  nats_why(s, jerr));
}

/* With --verbose, the origin's identity as the headers carry it. */
static void log_delivery(natsMsg *m, const char *id, uint64_t sseq)
{
	static const char *const keys[] = {
		"Kipc-Origin", "Kipc-Seq", "Kipc-Prio", "Kipc-Type",
		"Kipc-Pid", "Kipc-Uid", "Kipc-Gid", "Kipc-Time",
	};
	char line[512];
	size_t n;

	n = (size_t)snprintf(line, sizeof(line), "delivered %s stream-seq %" PRIu64,
			     id, sseq);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = NULL;

		if (natsMsgHeader_Get(m, keys[i], &v) != NATS_OK || !v)
			v = "-";
		if (n < sizeof(line))
			n += (size_t)snprintf(line + n, sizeof(line) - n,
					      " %s=%s", keys[i], v);
	}
	log_debug("%s", line);
}

static int deliver(struct importer *im, natsMsg *m, uint64_t sseq)
{
	struct in_journal *ij = im->ij;
	const char *id = NULL, *origin = NULL;
	char idbuf[64];
	uint64_t prio, type, h;
	struct kipc_queue_attr qa;
	int len, ret;

	if (sseq < ij->next_seq) {
		ij->duplicates++;
		ack(m);
		return 0;
	}
	if (natsMsgHeader_Get(m, "Nats-Msg-Id", &id) != NATS_OK || !id) {
		snprintf(idbuf, sizeof(idbuf), "seq/%" PRIu64, sseq);
		id = idbuf;
	}
	h = id_hash(id);
	if (ring_has(ij, h)) {
		/* Stored twice: a republish after the dedup window. */
		log_debug("%s: delivered before, skipped", id);
		ij->duplicates++;
		commit(ij, h, sseq);
		ack(m);
		return 0;
	}
	if (natsMsgHeader_Get(m, "Kipc-Origin", &origin) == NATS_OK &&
	    origin && !strcmp(origin, im->b->host)) {
		/* Our own host's export: delivering it would loop. */
		commit(ij, h, sseq);
		ack(m);
		return 0;
	}
	if (header_u64(m, "Kipc-Prio", 0, KIPC_PRIO_MAX - 1, &prio)) {
		reject(im, m, sseq, "bad Kipc-Prio header (0..31)");
		return 0;
	}
	if (header_u64(m, "Kipc-Type", 0, UINT64_MAX, &type)) {
		reject(im, m, sseq, "bad Kipc-Type header");
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
	__atomic_store_n(&ij->state, IN_SENDING, __ATOMIC_RELEASE);
	crash_point("import-recorded");

	for (;;) {
		struct timespec ts = deadline_ms(SEND_WAIT_MS);

		ret = kipc_queue_send_flags(im->qfd, natsMsg_GetData(m),
					    (size_t)len, (unsigned int)prio,
					    type, 0, &ts);
		if (ret != -ETIMEDOUT && ret != -EINTR)
			break;
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
	commit(ij, h, sseq);
	log_delivery(m, id, sseq);
	crash_point("import-delivered");
	ack(m);
	return 0;
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
	if (im->qa.queue_flags & (KIPC_QUEUE_CHANNEL | KIPC_QUEUE_BROADCAST)) {
		log_err("queue %s: channels and broadcast queues cannot be imported yet",
			q);
		return -EOPNOTSUPP;
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
	recover(&im);
	im.ij->incarnation = im.incarnation;
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

		s = natsSubscription_Fetch(&list, im.sub, (int)b->cfg->batch,
					   FETCH_WAIT_MS, &jerr);
		if (s == NATS_TIMEOUT)
			continue;
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
			ret = deliver(&im, list.Msgs[i], md->Sequence.Stream);
			jsMsgMetaData_Destroy(md);
		}
		natsMsgList_Destroy(&list);
		if (ret == 1)
			ret = rewind_consumer(&im);
		if (ret)
			goto out_nats;
	}
	log_info("stopping; %llu messages imported",
		 (unsigned long long)im.ij->delivered);
out_nats:
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
