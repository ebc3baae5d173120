// SPDX-License-Identifier: GPL-2.0-only
/*
 * Export: a local queue to a JetStream subject.
 *
 * A batch is received straight into the journal's slots, highest
 * priority first, so that each message is, at every instant, in the
 * queue or in the journal. Each is then published with
 * Nats-Msg-Id = host/queue/incarnation/seq, retried with that same id
 * until JetStream acknowledges it (through a 3-8 s leader failover, say),
 * and only then is its slot cleared. A bridge that dies anywhere in this
 * leaves the slot set, the next one publishes it again, and JetStream's
 * dedup window drops the copy if the first was stored.
 *
 * Publishing is synchronous, one message in flight: a pipelined publish
 * whose middle message is lost in a reconnect would be stored after the
 * ones behind it, and order within a priority would be lost.
 */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bridge.h"

#define PAGE		4096u
#define RECV_WAIT_MS	1000

static size_t out_data_off(void)
{
	return (sizeof(struct out_journal) + PAGE - 1) & ~(size_t)(PAGE - 1);
}

static unsigned char *out_data(struct out_journal *oj, unsigned int i)
{
	return (unsigned char *)oj + out_data_off() +
	       (size_t)i * oj->slot_size;
}

static natsStatus set_u64(natsMsg *m, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return natsMsgHeader_Set(m, key, buf);
}

/* The message with the headers that carry what kipc stamped on it. */
static natsStatus build_msg(natsMsg **out, struct bridge *b,
			    const struct kipc_msg *km, const void *data,
			    uint64_t incarnation)
{
	natsMsg *m = NULL;
	natsStatus s;

	s = natsMsg_Create(&m, b->subject, NULL, data, (int)km->len);
	if (s == NATS_OK)
		s = natsMsgHeader_Set(m, "Kipc-Origin", b->host);
	if (s == NATS_OK)
		s = natsMsgHeader_Set(m, "Kipc-Queue", b->qenc);
	if (s == NATS_OK)
		s = set_u64(m, "Kipc-Incarnation", incarnation);
	if (s == NATS_OK)
		s = set_u64(m, "Kipc-Seq", km->seq);
	if (s == NATS_OK)
		s = set_u64(m, "Kipc-Prio", km->prio);
	if (s == NATS_OK)
		s = set_u64(m, "Kipc-Type", km->type);
	if (s == NATS_OK)
		s = set_u64(m, "Kipc-Pid", (uint32_t)km->pid);
	if (s == NATS_OK)
		s = set_u64(m, "Kipc-Uid", km->uid);
	if (s == NATS_OK)
		s = set_u64(m, "Kipc-Gid", km->gid);
	if (s == NATS_OK)
		s = set_u64(m, "Kipc-Time", km->time_ns);
	if (s != NATS_OK) {
		natsMsg_Destroy(m);
		return s;
	}
	*out = m;
	return NATS_OK;
}

/*
 * Publishes slot i until JetStream has it. Returns 0, or -EINTR when
 * asked to stop first (the slot stays pending for the next bridge).
 */
static int publish_slot(struct bridge *b, struct journal *j, unsigned int i)
{
	struct out_journal *oj = j->base;
	struct kipc_msg *km = &oj->msgs[i];
	unsigned int attempt = 0;
	char id[sizeof(b->host) + sizeof(b->qenc) + 48];
	jsPubOptions po;
	jsPubAck *pa = NULL;
	natsMsg *m = NULL;
	jsErrCode jerr;
	natsStatus s;

	snprintf(id, sizeof(id), "%s/%s/%" PRIu64 "/%" PRIu64, b->host,
		 b->qenc, oj->incarnation, (uint64_t)km->seq);
	s = build_msg(&m, b, km, out_data(oj, i), oj->incarnation);
	if (s != NATS_OK) {
		journal_error(j, "message %s: %s", id, nats_why(s, 0));
		return -ENOMEM;
	}
	jsPubOptions_Init(&po);
	po.MsgId = id;
	po.MaxWait = 2000;
	for (;;) {
		jerr = 0;
		s = js_PublishMsg(&pa, b->js, m, &po, &jerr);
		if (s == NATS_OK)
			break;
		/*
		 * Timeouts and "no responders" are a leader election or a
		 * lost server; anything else may be an operator's to fix
		 * (a deleted stream, a subject no stream takes). Either
		 * way the message is kept and retried with the same id.
		 */
		oj->retries++;
		if (attempt == 0 || attempt % 10 == 0)
			journal_error(j, "publish %s to %s: %s; retrying", id,
				      b->subject, nats_why(s, jerr));
		if (bridge_stop) {
			natsMsg_Destroy(m);
			return -EINTR;
		}
		backoff_sleep(&attempt);
	}
	if (pa->Duplicate)
		oj->duplicates++;
	log_debug("published %s: stream seq %" PRIu64 "%s", id, pa->Sequence,
		  pa->Duplicate ? " (already stored)" : "");
	jsPubAck_Destroy(pa);
	natsMsg_Destroy(m);
	return 0;
}

/* Clear the slot only once it is stored: the next bridge skips it. */
static void clear_slot(struct out_journal *oj, unsigned int i)
{
	oj->published++;
	oj->last_seq = oj->msgs[i].seq;
	__atomic_store_n(&oj->msgs[i].seq, 0, __ATOMIC_RELEASE);
}

/* What a dead bridge left in the journal, in the order it took it. */
static int recover(struct bridge *b, struct journal *j)
{
	struct out_journal *oj = j->base;
	unsigned int n = 0, i;
	uint64_t dups = oj->duplicates;
	int ret;

	for (i = 0; i < oj->slots; i++) {
		if (!oj->msgs[i].seq)
			continue;
		ret = publish_slot(b, j, i);
		if (ret)
			return ret;
		clear_slot(oj, i);
		n++;
	}
	log_info("recovered: %u journal entries published again, %llu of them already stored (dedup)",
		 n, (unsigned long long)(oj->duplicates - dups));
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
	if (qa->queue_flags & (KIPC_QUEUE_CHANNEL | KIPC_QUEUE_BROADCAST)) {
		log_err("queue %s: channels and broadcast queues cannot be exported yet",
			q);
		kipc_queue_close(fd);
		return -EOPNOTSUPP;
	}
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
	} else if (oj->slot_size < qa.max_msg_size) {
		journal_error(&j, "journal %s: slots of %u bytes, queue %s takes %u; delete the journal once drained",
			      j.name, oj->slot_size, c->queue,
			      qa.max_msg_size);
		ret = -EMSGSIZE;
		goto out_journal;
	}

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
		n = kipc_queue_recv_batch(qfd, oj->msgs, oj->slots, 0, &ts);
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
		crash_point("export-taken");
		for (int i = 0; i < n; i++) {
			ret = publish_slot(b, &j, (unsigned int)i);
			if (ret)
				goto out_nats;
			crash_point("export-published");
			clear_slot(oj, (unsigned int)i);
		}
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
