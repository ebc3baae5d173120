/*
 * Export: a local queue to a JetStream subject.
 *
 * A batch is received straight into the journal's slots, highest
 * priority first, so that each message is, at every instant, in the
 * queue or in the journal. The batch is then published pipelined, each
 * message with Nats-Msg-Id = host/queue/incarnation/seq, and published
 * again, with that same id, until JetStream has acknowledged all of it
 * (through a 3-8 s leader failover, say); only an acknowledged message's
 * slot is cleared. A bridge that dies anywhere in this leaves slots set,
 * the next one publishes them again, and JetStream's dedup window drops
 * the copies it already stored.
 *
 * One batch is in flight at a time. A message lost in the middle of one
 * (a reconnect, an election) is stored after the ones behind it when it
 * is published again; its export sequence (in Kipc-Msg) lets the
 * importer put it back in place, and the disorder never reaches past
 * the batch.
 *
 * A channel's end of file (ENODATA once its writer has closed and it is
 * drained) is published as a message of its own, marked eof, after all the
 * data before it.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "bridge.h"

#define PAGE		4096u
#define RECV_WAIT_MS	1000
#define PUB_WAIT_MS	2000	/* per message, before libnats gives up */
#define ROUND_WAIT_S	10	/* for a whole round's acks, a safety net */
#define EOF_POLL_US	100000	/* a channel at end of file: look again */

/* What libnats reports, from its own thread, of one round of publishes. */
enum slot_result {
	PUB_PENDING = 0,
	PUB_STORED,
	PUB_DUPLICATE,
	PUB_FAILED,
};

struct round {
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	unsigned int outstanding;
	natsMsg *msg[OUT_SLOTS_MAX];		/* as handed to libnats */
	enum slot_result result[OUT_SLOTS_MAX];
	natsStatus err[OUT_SLOTS_MAX];
	jsErrCode jerr[OUT_SLOTS_MAX];
};

static struct round round = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.done_cond = PTHREAD_COND_INITIALIZER,
};

static size_t out_data_off(void)
{
	return (sizeof(struct out_journal) + PAGE - 1) & ~(size_t)(PAGE - 1);
}

static unsigned char *out_data(struct out_journal *oj, unsigned int i)
{
	return (unsigned char *)oj + out_data_off() +
	       (size_t)i * oj->slot_size;
}

/*
 * Kipc-Msg: what kipc stamped on the message, as key=value words in one
 * header. The origin's host, queue, incarnation and seq are already in
 * Nats-Msg-Id. One header instead of eleven: each costs more than its
 * bytes (libnats keeps a hash of them at both ends, every node scans,
 * replicates and stores them), and eleven gave a 64 B message about
 * 300 B of headers.
 */
static natsStatus set_stamp(natsMsg *m, const struct out_journal *oj,
			    uint64_t first, uint64_t xseq,
			    const struct kipc_msg *km)
{
	char buf[224];

	/*
	 * batch= is where xseq's batch starts: an importer that meets this
	 * journal for the first time with a message from the middle of a
	 * batch (the ones before it were lost on the way and come later)
	 * then knows to wait for them, where xseq alone would make it the
	 * start of the order.
	 */
	if (!km)
		snprintf(buf, sizeof(buf),
			 "export=%" PRIu64 "/%" PRIu64 " batch=%" PRIu64 " eof",
			 oj->epoch, xseq, first);
	else
		snprintf(buf, sizeof(buf),
			 "export=%" PRIu64 "/%" PRIu64 " batch=%" PRIu64
			 " prio=%u type=%" PRIu64 " pid=%u uid=%u gid=%u time=%" PRIu64,
			 oj->epoch, xseq, first, (unsigned int)km->prio,
			 (uint64_t)km->type, (uint32_t)km->pid,
			 (unsigned int)km->uid, (unsigned int)km->gid,
			 (uint64_t)km->time_ns);
	return natsMsgHeader_Set(m, "Kipc-Msg", buf);
}

/* The message with the header that carries what kipc stamped on it. */
static natsStatus build_msg(natsMsg **out, struct bridge *b,
			    const struct out_journal *oj, unsigned int i)
{
	const struct kipc_msg *km = &oj->msgs[i];
	natsMsg *m = NULL;
	natsStatus s;

	s = natsMsg_Create(&m, b->subject, NULL,
			   (const char *)oj + out_data_off() +
			   (size_t)i * oj->slot_size, (int)km->len);
	if (s == NATS_OK)
		s = set_stamp(m, oj, oj->batch_xseq, oj->batch_xseq + i, km);
	if (s != NATS_OK) {
		natsMsg_Destroy(m);
		return s;
	}
	*out = m;
	return NATS_OK;
}

static void msg_id(char *id, size_t size, struct bridge *b,
		   const struct out_journal *oj, unsigned int i)
{
	snprintf(id, size, "%s/%s/%" PRIu64 "/%" PRIu64, b->host, b->qenc,
		 oj->incarnation, (uint64_t)oj->msgs[i].seq);
}

/*
 * libnats' thread: the ack, or the failure, of one message of the round.
 * A message is found by its pointer among those still pending; one
 * acknowledged and freed earlier may have left its address to a later
 * one, but it is no longer pending by then.
 */
static void on_pub_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa,
		       jsPubAckErr *pae, void *arg)
{
	(void)js;
	(void)arg;
	pthread_mutex_lock(&round.lock);
	for (unsigned int i = 0; i < OUT_SLOTS_MAX; i++) {
		if (round.msg[i] != msg || round.result[i] != PUB_PENDING)
			continue;
		if (pa) {
			round.result[i] = pa->Duplicate ? PUB_DUPLICATE :
							  PUB_STORED;
		} else {
			round.result[i] = PUB_FAILED;
			round.err[i] = pae ? pae->Err : NATS_ERR;
			round.jerr[i] = pae ? pae->ErrCode : 0;
		}
		round.msg[i] = NULL;
		/*
		 * Only the last ack of a round lets the publisher go on:
		 * waking it for each one costs a futex wake and a switch
		 * per message, for it to find acks still outstanding.
		 */
		if (--round.outstanding == 0)
			pthread_cond_signal(&round.done_cond);
		break;
	}
	pthread_mutex_unlock(&round.lock);
	natsMsg_Destroy(msg);
}

static void round_fail(unsigned int i, natsStatus s)
{
	round.result[i] = PUB_FAILED;
	round.err[i] = s;
	round.jerr[i] = 0;
}

/*
 * One round: every pending slot published without waiting, then all
 * their acks awaited. Whatever libnats has not answered in time is taken
 * back from it and counts as failed: its late ack is dropped, and the
 * copy published next round is a duplicate JetStream drops.
 */
static void publish_round(struct bridge *b, struct out_journal *oj,
			  unsigned int n)
{
	char id[sizeof(b->host) + sizeof(b->qenc) + 48];
	struct timespec until;
	jsPubOptions po;
	natsStatus s;

	pthread_mutex_lock(&round.lock);
	for (unsigned int i = 0; i < n; i++) {
		natsMsg *m = NULL;

		round.msg[i] = NULL;
		round.result[i] = oj->msgs[i].seq ? PUB_PENDING : PUB_STORED;
		if (!oj->msgs[i].seq)
			continue;
		s = build_msg(&m, b, oj, i);
		if (s != NATS_OK) {
			round_fail(i, s);
			continue;
		}
		if (drop_point("export-publish")) {
			natsMsg_Destroy(m);
			round_fail(i, NATS_TIMEOUT);
			continue;
		}
		msg_id(id, sizeof(id), b, oj, i);
		jsPubOptions_Init(&po);
		po.MsgId = id;
		po.MaxWait = PUB_WAIT_MS;
		round.msg[i] = m;
		round.outstanding++;
		/* The ack may come before this returns: unlock around it. */
		pthread_mutex_unlock(&round.lock);
		s = js_PublishMsgAsync(b->js, &m, &po);
		pthread_mutex_lock(&round.lock);
		if (s != NATS_OK && round.result[i] == PUB_PENDING) {
			/* Not taken: the message is still ours. */
			round.msg[i] = NULL;
			round.outstanding--;
			round_fail(i, s);
			natsMsg_Destroy(m);
		}
	}

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ROUND_WAIT_S;
	while (round.outstanding &&
	       pthread_cond_timedwait(&round.done_cond, &round.lock,
				      &until) == 0)
		;
	if (round.outstanding) {
		natsMsgList late = { 0 };

		pthread_mutex_unlock(&round.lock);
		js_PublishAsyncGetPendingList(&late, b->js);
		natsMsgList_Destroy(&late);
		pthread_mutex_lock(&round.lock);
		for (unsigned int i = 0; i < n; i++) {
			if (round.result[i] != PUB_PENDING)
				continue;
			round.msg[i] = NULL;
			round_fail(i, NATS_TIMEOUT);
		}
		round.outstanding = 0;
	}
	pthread_mutex_unlock(&round.lock);
}

/* Clear the slot only once it is stored: the next bridge skips it. */
static void clear_slot(struct out_journal *oj, unsigned int i)
{
	oj->published++;
	oj->last_seq = oj->msgs[i].seq;
	__atomic_store_n(&oj->msgs[i].seq, 0, __ATOMIC_RELEASE);
}

/*
 * Publishes slots 0..n-1 until JetStream has every one. Returns 0, or
 * -EINTR when asked to stop first (what is pending stays for the next
 * bridge).
 */
static int publish_batch(struct bridge *b, struct journal *j,
			 unsigned int n)
{
	struct out_journal *oj = j->base;
	char id[sizeof(b->host) + sizeof(b->qenc) + 48];
	unsigned int attempt = 0;

	for (;;) {
		unsigned int failed = 0, first_failed = n;

		publish_round(b, oj, n);
		for (unsigned int i = 0; i < n; i++) {
			if (!oj->msgs[i].seq)
				continue;
			switch (round.result[i]) {
			case PUB_DUPLICATE:
				oj->duplicates++;
				/* fall through */
			case PUB_STORED:
				if (first_failed < i)
					oj->reordered++;
				crash_point("export-published");
				clear_slot(oj, i);
				break;
			default:
				if (!failed++)
					first_failed = i;
				break;
			}
		}
		if (!failed)
			return 0;
		/*
		 * Timeouts and "no responders" are a leader election or a
		 * lost server; anything else may be an operator's to fix
		 * (a deleted stream, a subject no stream takes). Either
		 * way the messages are kept and published again.
		 */
		oj->retries += failed;
		if (attempt == 0 || attempt % 10 == 0) {
			msg_id(id, sizeof(id), b, oj, first_failed);
			journal_error(j, "publish %s to %s: %s (%u of the batch unacknowledged); retrying",
				      id, b->subject,
				      nats_why(round.err[first_failed],
					       round.jerr[first_failed]),
				      failed);
		}
		if (bridge_stop)
			return -EINTR;
		backoff_sleep(&attempt);
	}
}

/*
 * What a dead bridge left in the journal, in the order it took it. The
 * batch it had taken may be longer than its export sequence says, if it
 * died before recording that; the pending slots tell.
 */
static int recover(struct bridge *b, struct journal *j)
{
	struct out_journal *oj = j->base;
	unsigned int n = 0, end = 0;
	uint64_t dups = oj->duplicates;
	int ret;

	for (unsigned int i = 0; i < oj->slots; i++) {
		if (oj->msgs[i].seq) {
			n++;
			end = i + 1;
		}
	}
	if (oj->batch_xseq + end > oj->next_xseq)
		oj->next_xseq = oj->batch_xseq + end;
	if (oj->eofs && oj->next_xseq <= oj->eof_xseq)
		oj->next_xseq = oj->eof_xseq + 1;
	if (!n)
		return 0;
	ret = publish_batch(b, j, end);
	if (ret)
		return ret;
	log_info("recovered: %u journal entries published again, %llu of them already stored (dedup)",
		 n, (unsigned long long)(oj->duplicates - dups));
	return 0;
}

/*
 * A channel's end of file, once per run of messages: a writer that came
 * and went with nothing sent makes no second mark. Its id is fixed by
 * what came before it, so a bridge that dies publishing it publishes
 * the same mark again, and JetStream drops the copy.
 */
static int publish_eof(struct bridge *b, struct journal *j)
{
	struct out_journal *oj = j->base;
	char id[sizeof(b->host) + sizeof(b->qenc) + 64];
	unsigned int attempt = 0;
	jsPubOptions po;
	jsPubAck *pa = NULL;
	uint64_t xseq = oj->next_xseq;
	jsErrCode jerr;
	natsStatus s;

	if (oj->eofs && oj->eof_seq == oj->last_seq)
		return 0;
	snprintf(id, sizeof(id), "%s/%s/%" PRIu64 "/eof/%" PRIu64, b->host,
		 b->qenc, oj->incarnation, oj->last_seq);
	for (;;) {
		natsMsg *m = NULL;

		s = natsMsg_Create(&m, b->subject, NULL, NULL, 0);
		if (s == NATS_OK)
			s = set_stamp(m, oj, xseq, xseq, NULL);
		jerr = 0;
		if (s == NATS_OK) {
			jsPubOptions_Init(&po);
			po.MsgId = id;
			po.MaxWait = PUB_WAIT_MS;
			s = js_PublishMsg(&pa, b->js, m, &po, &jerr);
		}
		natsMsg_Destroy(m);
		if (s == NATS_OK)
			break;
		oj->retries++;
		if (attempt == 0 || attempt % 10 == 0)
			journal_error(j, "publish %s (end of file) to %s: %s; retrying",
				      id, b->subject, nats_why(s, jerr));
		if (bridge_stop)
			return -EINTR;
		backoff_sleep(&attempt);
	}
	if (pa->Duplicate)
		oj->duplicates++;
	jsPubAck_Destroy(pa);
	log_info("queue %s: end of file, published after seq %" PRIu64,
		 b->cfg->queue, oj->last_seq);
	/* recover() finishes this if the bridge dies in the middle. */
	oj->eof_xseq = xseq;
	oj->eof_seq = oj->last_seq;
	oj->eofs++;
	oj->next_xseq = xseq + 1;
	return 0;
}

static int open_queue(struct bridge *b, struct kipc_queue_attr *qa,
		      uint64_t *incarnation)
{
	const char *q = b->cfg->queue;
	uint64_t before, after;
	int fd, ret;

	ret = queue_incarnation(q, &before);
	if (ret < 0) {
		log_err("queue %s: %s", q, strerror(-ret));
		return ret;
	}
	fd = kipc_queue_open(q, O_RDONLY, 0, NULL);
	if (fd < 0) {
		log_err("queue %s: cannot open for reading: %s", q,
			strerror(-fd));
		return fd;
	}
	ret = queue_incarnation(q, &after);
	if (!ret && after != before)
		ret = -EAGAIN;	/* made again between the two looks */
	if (!ret)
		ret = kipc_queue_getattr(fd, qa);
	if (ret) {
		log_err("queue %s: %s", q, strerror(-ret));
		kipc_queue_close(fd);
		return ret;
	}
	if (qa->queue_flags & KIPC_QUEUE_BROADCAST)
		log_info("queue %s is a broadcast queue: what is sent while no exporter is bound to it does not cross",
			 q);
	*incarnation = handle_incarnation(qa, after);
	return fd;
}

/*
 * After a second of quiet: is the name still this queue? One made
 * again under it is a new incarnation, and the bridge moves to it once
 * the old one, now nameless, is drained.
 */
static bool queue_replaced(struct bridge *b, uint64_t incarnation)
{
	uint64_t now;
	int ret = queue_incarnation(b->cfg->queue, &now);

	return ret == 0 ? now != incarnation : ret == -ENOENT;
}

int bridge_export(struct bridge *b)
{
	struct bridge_cfg *c = b->cfg;
	struct kipc_queue_attr qa;
	struct out_journal *oj;
	struct journal j;
	uint64_t incarnation;
	unsigned int slots;
	size_t size;
	bool rec;
	int qfd, ret, n;

	qfd = open_queue(b, &qa, &incarnation);
	if (qfd < 0)
		return qfd;
	slots = c->batch < OUT_SLOTS_MAX ? c->batch : OUT_SLOTS_MAX;
	size = out_data_off() + (size_t)slots * qa.max_msg_size;
	ret = journal_open(&j, "kipc-bridge.out", c->queue, size, OUT_MAGIC,
			   &rec);
	if (ret)
		goto out_queue;
	oj = j.base;
	if (!oj->slots) {
		oj->slots = slots;
		oj->slot_size = qa.max_msg_size;
		oj->incarnation = incarnation;
		oj->next_xseq = 1;
		while (!oj->epoch &&
		       getrandom(&oj->epoch, sizeof(oj->epoch), 0) !=
		       sizeof(oj->epoch))
			;
	} else if (oj->slot_size < qa.max_msg_size) {
		journal_error(&j, "journal %s: slots of %u bytes, queue %s takes %u; delete the journal once drained",
			      j.name, oj->slot_size, c->queue,
			      qa.max_msg_size);
		ret = -EMSGSIZE;
		goto out_journal;
	}

	b->pub_ack = on_pub_ack;
	ret = nats_connect(b);
	if (ret)
		goto out_journal;
	if ((int64_t)qa.max_msg_size + 1024 >
	    natsConnection_GetMaxPayload(b->nc)) {
		journal_error(&j, "queue %s takes messages of %u bytes, NATS only %lld with headers",
			      c->queue, qa.max_msg_size,
			      (long long)natsConnection_GetMaxPayload(b->nc));
		ret = -EMSGSIZE;
		goto out_nats;
	}
	ret = nats_ensure_stream(b);
	if (ret)
		goto out_nats;

	/* Pending slots keep the incarnation they were taken from. */
	ret = recover(b, &j);
	if (ret)
		goto out_nats;
	if (rec) {
		ret = journal_consistent(&j);
		if (ret)
			goto out_nats;
	}
	oj->incarnation = incarnation;
	log_info("exporting queue %s to %s (stream %s) as %s", c->queue,
		 b->subject, c->stream, b->host);

	while (!bridge_stop) {
		struct timespec ts = deadline_ms(RECV_WAIT_MS);

		for (unsigned int i = 0; i < oj->slots; i++) {
			oj->msgs[i].buf = (uintptr_t)out_data(oj, i);
			oj->msgs[i].len = oj->slot_size;
		}
		oj->batch_xseq = oj->next_xseq;
		n = kipc_queue_recv_batch(qfd, oj->msgs, oj->slots, 0, &ts);
		if (n == -ENODATA) {
			/* A channel's writer closed; the next may come. */
			ret = publish_eof(b, &j);
			if (ret)
				goto out_nats;
			usleep(EOF_POLL_US);
			continue;
		}
		if (n == -ETIMEDOUT || n == -EINTR) {
			if (n == -ETIMEDOUT && queue_replaced(b, incarnation)) {
				log_info("queue %s was deleted or made again; following the name",
					 c->queue);
				kipc_queue_close(qfd);
				qfd = open_queue(b, &qa, &incarnation);
				if (qfd < 0) {
					ret = qfd;
					goto out_nats;
				}
				oj->incarnation = incarnation;
			}
			continue;
		}
		if (n < 0) {
			journal_error(&j, "queue %s: receive: %s", c->queue,
				      strerror(-n));
			ret = n;
			goto out_nats;
		}
		oj->next_xseq = oj->batch_xseq + (unsigned int)n;
		crash_point("export-taken");
		ret = publish_batch(b, &j, (unsigned int)n);
		if (ret)
			goto out_nats;
	}
	ret = 0;
	log_info("stopping; %llu messages exported", (unsigned long long)oj->published);
out_nats:
	nats_close(b);
out_journal:
	journal_close(&j);
out_queue:
	if (qfd >= 0)
		kipc_queue_close(qfd);
	return ret;
}
