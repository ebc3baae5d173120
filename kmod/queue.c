// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: message queues.
 *
 * A queue keeps one FIFO list per priority and a bitmap of the non-empty
 * ones. Payloads are copied in, straight into a buffer the queue kept
 * from an earlier message (queue_msg.c), before the queue lock is taken,
 * and copied out after the message has left the queue, so no user copy
 * ever happens under the spinlock: one lock round per send and two per
 * receive.
 *
 * Waiting is done with kipc-private waiter lists rather than wait queues,
 * so that a sender wakes exactly one receiver whose type selector accepts
 * the new message, and a receiver wakes exactly one sender per freed slot.
 * A waiter that was woken but leaves without using what it was woken for
 * hands the wake-up on (kipc_queue_kick_*), so nothing is left stranded.
 * Poll and epoll use the separate poll_wait queue.
 *
 * Channels (one reader, one writer, end of file and EPIPE) live here too;
 * broadcast readers are in queue_bcast.c and signals in queue_notify.c;
 * the waiting machinery is in queue_wait.c and a message's life after
 * its queue in queue_msg.c, which queue.c and queue_bcast.c share.
 *
 * Locking:
 *   kipc_queue.lock (spinlock) guards everything mutable in the queue:
 *   the lists, counters, waiter lists, channel state, broadcast readers,
 *   the notification registration and the last sender and receiver
 *   (references put after it is dropped). It nests inside kipc_ns.lock
 *   when the registry frees a queue; nothing sleeps and no user memory is
 *   touched while it is held. The buffer pool has a lock of its own,
 *   never held with this one (queue_msg.c).
 */

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <net/netlink.h>

#include "kipc_internal.h"
#include "queue.h"

#include "trace.h"

static_assert(KIPC_PRIO_MAX <= BITS_PER_LONG);
static_assert(offsetofend(struct kipc_msg, seq) == KIPC_MSG_SIZE_VER0);

/* What one queue may charge: its whole capacity, headers included. */
static u64 kipc_queue_capacity_bytes(u32 max_msgs, u32 max_msg_size)
{
	return (u64)max_msgs * (max_msg_size + sizeof(struct kipc_qmsg));
}

static void kipc_queue_release_handle(struct kipc_handle *h);

static void kipc_queue_free(struct kipc_obj *obj)
{
	struct kipc_queue *q = kipc_obj_queue(obj);
	struct kipc_qmsg *m, *tmp;
	int p;

	for (p = 0; p < KIPC_PRIO_MAX; p++) {
		list_for_each_entry_safe(m, tmp, &q->prio[p], node) {
			kipc_qmsg_release_refs(m);
			kvfree(m);
		}
	}
	kipc_qmsg_pool_drain(q);
	put_pid(q->last_sender);
	put_pid(q->last_receiver);
	kipc_account_uncharge(q->charged_uid, KIPC_CHARGE_QUEUES, q->charged);
	kfree(q);
}

/* What netlink and fdinfo report of a queue, taken under its lock. */
/* IDs are as the caller's PID namespace sees them; 0: none or unseen. */
struct kipc_queue_snapshot {
	u32 max_msgs, max_msg_size, cur_msgs, flags;
	u64 cur_bytes, sent, received, failed, dropped;
	u32 recv_waiters, send_waiters;
	bool notify;			/* a registration exists */
	pid_t notify_tid;
	int notify_signo;
	pid_t last_send_pid, last_recv_pid;
	u64 last_send_ns, last_recv_ns;
};

static void kipc_queue_show_fdinfo(struct seq_file *m, struct kipc_handle *h);
static u32 kipc_queue_messages(struct kipc_obj *obj);
static int kipc_queue_nl_fill(struct sk_buff *msg, struct kipc_obj *obj,
			      struct user_namespace *userns);

static const struct kipc_obj_ops kipc_queue_ops = {
	.free = kipc_queue_free,
	.release_handle = kipc_queue_release_handle,
	.show_fdinfo = kipc_queue_show_fdinfo,
	.messages = kipc_queue_messages,
	.nl_fill = kipc_queue_nl_fill,
	.nl_event_cmd = {
		[KIPC_EVENT_CREATE] = KIPC_CMD_QUEUE_CREATE_NTF,
		[KIPC_EVENT_DELETE] = KIPC_CMD_QUEUE_DELETE_NTF,
		[KIPC_EVENT_CHANGE] = KIPC_CMD_QUEUE_CHANGE_NTF,
	},
};

/* Called by the registry, under kipc_ns.lock, for a name not yet used. */
static struct kipc_obj *kipc_queue_create(struct kipc_bind_req *req)
{
	const struct kipc_queue_bind *cmd = req->arg;
	u32 max_msgs = cmd->max_msgs ?: READ_ONCE(kipc_default_max_msgs);
	u32 max_msg_size = cmd->max_msg_size ?: READ_ONCE(kipc_default_msg_size);
	struct kipc_queue *q;
	int ret, p;

	if (max_msgs > KIPC_QUEUE_HARD_MAX_MSGS ||
	    max_msg_size > KIPC_QUEUE_HARD_MSG_SIZE)
		return ERR_PTR(-EINVAL);
	if ((max_msgs > READ_ONCE(kipc_max_msgs_limit) ||
	     max_msg_size > READ_ONCE(kipc_msg_size_limit)) &&
	    !capable(CAP_SYS_RESOURCE))
		return ERR_PTR(-EINVAL);

	q = kzalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);
	if (!q)
		return ERR_PTR(-ENOMEM);

	q->charged_uid = current_uid();
	q->charged = kipc_queue_capacity_bytes(max_msgs, max_msg_size);
	ret = kipc_account_charge(q->charged_uid, KIPC_CHARGE_QUEUES,
				  q->charged);
	if (ret) {
		kfree(q);
		return ERR_PTR(ret);
	}

	q->obj.ops = &kipc_queue_ops;
	spin_lock_init(&q->lock);
	for (p = 0; p < KIPC_PRIO_MAX; p++)
		INIT_LIST_HEAD(&q->prio[p]);
	q->max_msgs = max_msgs;
	q->max_msg_size = max_msg_size;
	q->flags = cmd->flags & KIPC_QUEUE_KIND;
	INIT_LIST_HEAD(&q->bcast_readers);
	INIT_LIST_HEAD(&q->recv_waiters);
	INIT_LIST_HEAD(&q->send_waiters);
	init_waitqueue_head(&q->poll_wait);
	kipc_qmsg_pool_init(q);
	return &q->obj;
}

static bool kipc_type_accepts(u32 type_mode, u64 want, u64 type)
{
	switch (type_mode) {
	case KIPC_IO_TYPE_EXACT:
		return type == want;
	case KIPC_IO_TYPE_EXCEPT:
		return type != want;
	default:
		return true;
	}
}

/* The oldest message of the highest priority that the selector accepts. */
static struct kipc_qmsg *kipc_queue_find(struct kipc_queue *q, u32 type_mode,
					 u64 type)
{
	unsigned long map = q->prio_map;
	struct kipc_qmsg *m;

	lockdep_assert_held(&q->lock);

	while (map) {
		int p = __fls(map);

		if (!type_mode)
			return list_first_entry(&q->prio[p], struct kipc_qmsg,
						node);
		list_for_each_entry(m, &q->prio[p], node)
			if (kipc_type_accepts(type_mode, type, m->type))
				return m;
		__clear_bit(p, &map);
	}
	return NULL;
}

/* One receiver whose selector accepts @m, if any is waiting. */
static void kipc_queue_wake_receiver(struct kipc_queue *q, struct kipc_qmsg *m)
{
	struct kipc_waiter *w;

	lockdep_assert_held(&q->lock);

	list_for_each_entry(w, &q->recv_waiters, node) {
		if (kipc_type_accepts(w->type_mode, w->type, m->type)) {
			trace_kipc_queue_handoff(q, m, w->task);
			kipc_queue_wake(q, w);
			return;
		}
	}
}

/*
 * Wakes waiting receivers for messages that no woken receiver will take:
 * at most one per queued message, each to a receiver that can take one.
 */
static void kipc_queue_kick_receivers(struct kipc_queue *q)
{
	struct kipc_waiter *w, *tmp;
	u32 budget = q->cur_msgs > q->recv_pending ?
		     q->cur_msgs - q->recv_pending : 0;

	lockdep_assert_held(&q->lock);

	list_for_each_entry_safe(w, tmp, &q->recv_waiters, node) {
		if (!budget)
			break;
		if (kipc_queue_find(q, w->type_mode, w->type)) {
			kipc_queue_wake(q, w);
			budget--;
		}
	}
}

/**
 * kipc_queue_kick_senders() - wake the senders the queue has room for
 * @q: the queue, of any kind
 *
 * Context: Holds @q->lock.
 */
void kipc_queue_kick_senders(struct kipc_queue *q)
{
	lockdep_assert_held(&q->lock);

	if (kipc_queue_is_broadcast(q))
		kipc_bcast_kick_senders(q);
	else
		kipc_queue_wake_senders(q, q->cur_msgs < q->max_msgs ?
					   q->max_msgs - q->cur_msgs : 0);
}

static int kipc_io_deadline(u32 flags, s64 timeout_ns, ktime_t *deadline,
			    ktime_t **deadlinep)
{
	*deadlinep = NULL;
	if (!(flags & KIPC_IO_TIMEOUT))
		return timeout_ns ? -EINVAL : 0;
	if (timeout_ns < 0)
		return -EINVAL;
	*deadline = ns_to_ktime(timeout_ns);
	*deadlinep = deadline;
	return 0;
}

static struct kipc_queue *kipc_handle_queue(struct kipc_handle *h,
					    unsigned int access)
{
	struct kipc_obj *obj = kipc_handle_obj(h);

	if (!obj || obj->type != KIPC_OBJ_QUEUE || (h->access & access) != access)
		return NULL;
	return kipc_obj_queue(obj);
}

static bool kipc_queue_full(struct kipc_queue *q)
{
	lockdep_assert_held(&q->lock);

	if (kipc_queue_is_broadcast(q))
		return kipc_bcast_full(q);
	return q->cur_msgs >= q->max_msgs;
}

/* Links a new message in its priority's list and wakes one taker. */
static void kipc_queue_link(struct kipc_queue *q, struct kipc_qmsg *m)
{
	lockdep_assert_held(&q->lock);

	list_add_tail(&m->node, &q->prio[m->prio]);
	__set_bit(m->prio, &q->prio_map);
	q->cur_msgs++;
	q->cur_bytes += m->len;
	trace_kipc_queue_send(q, m);
	kipc_queue_wake_receiver(q, m);
}

/*
 * Queues one message whose payload is at @ubuf. Copies it into a buffer
 * of the queue's first, then waits for room under the lock, which a send
 * takes once. @flags: KIPC_IO_NOSIGNAL.
 */
static int kipc_queue_send_one(struct kipc_queue *q, const void __user *ubuf,
			       u32 len, u32 prio, u64 type, u32 flags,
			       bool nonblock, ktime_t *deadline)
{
	struct kipc_waiter w = { .pending = &q->send_pending };
	struct kipc_queue_notification notify;
	struct kipc_qmsg *m;
	struct pid *old_peer;
	bool fire = false;
	LIST_HEAD(dead);
	int ret = 0;

	if (prio >= KIPC_PRIO_MAX)
		return -EINVAL;
	if (len > q->max_msg_size)
		return -EMSGSIZE;

	m = kipc_qmsg_get(q, len);
	if (!m)
		return -ENOMEM;
	if (copy_from_user(m->data, ubuf, len)) {
		kipc_qmsg_put(q, m);
		return -EFAULT;
	}

	spin_lock(&q->lock);
	for (;;) {
		if (q->reader_gone) {
			ret = -EPIPE;
			break;
		}
		if (!kipc_queue_full(q))
			break;
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		ret = kipc_queue_wait(q, &q->send_waiters, &w, deadline);
		if (ret)
			break;
	}
	if (ret) {
		kipc_queue_count_failure(q, flags);
		kipc_queue_unlock(q);
		kipc_qmsg_put(q, m);
		/* As a pipe does, unless the caller asked not to. */
		if (ret == -EPIPE && !(flags & KIPC_IO_NOSIGNAL))
			send_sig(SIGPIPE, current, 0);
		return ret;
	}

	m->len = len;
	m->prio = prio;
	m->type = type;
	m->uid = current_euid();
	m->gid = current_egid();
	m->tgid = get_pid(task_tgid(current));
	m->pid = get_pid(task_pid(current));
	m->time_ns = ktime_get_real_ns();
	m->seq = ++q->seq;
	q->sent++;
	old_peer = kipc_queue_note_peer(q, &q->last_sender, &q->last_send_ns,
					m->time_ns);
	if (kipc_queue_is_broadcast(q)) {
		kipc_bcast_deliver(q, m, &dead);
	} else {
		/* Before the wake-up takes the waiting receiver off its list. */
		if (!q->cur_msgs)
			fire = kipc_queue_notify_take(q, &notify);
		if (fire)
			trace_kipc_queue_notify(q, pid_nr(notify.pid),
						notify.signo);
		kipc_queue_link(q, m);
	}
	if (!kipc_queue_full(q))
		kipc_queue_kick_senders(q);
	kipc_queue_unlock(q);

	put_pid(old_peer);
	kipc_qmsg_free_list(q, &dead);
	if (fire)
		kipc_queue_notify_fire(&notify);
	kipc_queue_poll_wake(q, EPOLLIN | EPOLLRDNORM);
	kipc_queue_signal_io(q, POLL_IN);
	return 0;
}

static void kipc_queue_unlink_msg(struct kipc_queue *q, struct kipc_qmsg *m)
{
	lockdep_assert_held(&q->lock);

	list_del(&m->node);
	if (list_empty(&q->prio[m->prio]))
		__clear_bit(m->prio, &q->prio_map);
	q->cur_msgs--;
	q->cur_bytes -= m->len;
}

/* Puts back a message whose copy-out failed, in its original place. */
static void kipc_queue_requeue(struct kipc_queue *q, struct kipc_qmsg *m)
{
	struct kipc_qmsg *pos;

	lockdep_assert_held(&q->lock);

	list_for_each_entry(pos, &q->prio[m->prio], node)
		if (pos->seq > m->seq)
			break;
	list_add_tail(&m->node, &pos->node);
	__set_bit(m->prio, &q->prio_map);
	q->cur_msgs++;
	q->cur_bytes += m->len;
}

/*
 * Receives one message into @out->buf (of @out->len bytes) and fills in
 * @out's metadata. Returns 0 or a negative errno; on EMSGSIZE, @out->len
 * is the size the message needs; -ENODATA is a drained channel whose
 * writer is gone, which read() reports as end of file.
 */
static int kipc_queue_recv_one(struct kipc_queue *q, struct kipc_handle *h,
			       struct kipc_msg *out, u32 flags, bool nonblock,
			       ktime_t *deadline)
{
	u32 type_mode = flags & (KIPC_IO_TYPE_EXACT | KIPC_IO_TYPE_EXCEPT);
	void __user *ubuf = u64_to_user_ptr(out->buf);
	u32 buflen = out->len;
	struct kipc_waiter w = {
		.type_mode = type_mode,
		.type = out->type,
		.pending = &q->recv_pending,
	};
	struct kipc_qmsg *m;
	struct pid *old_peer;
	void *peek = NULL;
	u32 ncopy;
	int ret = 0;

	if (type_mode == (KIPC_IO_TYPE_EXACT | KIPC_IO_TYPE_EXCEPT))
		return -EINVAL;
	if (kipc_queue_is_broadcast(q))
		return kipc_bcast_recv_one(q, h->priv, out, flags, nonblock,
					   deadline);

	/* A peek copies under the lock, into a buffer allocated up front. */
	if (flags & KIPC_IO_PEEK) {
		peek = kvmalloc(min(buflen, q->max_msg_size) ?: 1, GFP_KERNEL);
		if (!peek)
			return -ENOMEM;
	}

	spin_lock(&q->lock);
	for (;;) {
		m = kipc_queue_find(q, type_mode, out->type);
		if (m)
			break;
		if (q->writer_gone) {
			ret = -ENODATA;
			break;
		}
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		ret = kipc_queue_wait(q, &q->recv_waiters, &w, deadline);
		if (ret)
			break;
	}
	if (ret) {
		if (ret != -ENODATA)
			kipc_queue_count_failure(q, flags);
		kipc_queue_unlock(q);
		kvfree(peek);
		return ret;
	}

	if (m->len > buflen && !(flags & KIPC_IO_TRUNC)) {
		kipc_queue_count_failure(q, flags);
		out->len = m->len;
		/* It stays queued; someone else may be able to take it. */
		kipc_queue_kick_receivers(q);
		kipc_queue_unlock(q);
		kvfree(peek);
		return -EMSGSIZE;
	}
	ncopy = min(m->len, buflen);

	if (peek) {
		memcpy(peek, m->data, ncopy);
		kipc_qmsg_fill_meta(m, out);
		kipc_queue_kick_receivers(q);
		kipc_queue_unlock(q);
		ret = copy_to_user(ubuf, peek, ncopy) ? -EFAULT : 0;
		kvfree(peek);
		return ret;
	}

	/*
	 * One lock round: the message leaves, and is counted as received,
	 * before its copy-out. A copy that faults puts it back and undoes the
	 * count, so at every point where the lock is dropped the counters add
	 * up (sent = received + queued), and nothing accepted is lost.
	 */
	kipc_queue_unlink_msg(q, m);
	trace_kipc_queue_recv(q, m);
	q->received++;
	old_peer = kipc_queue_note_peer(q, &q->last_receiver, &q->last_recv_ns,
					ktime_get_real_ns());
	kipc_queue_kick_senders(q);
	if (q->cur_msgs && !list_empty(&q->recv_waiters))
		kipc_queue_kick_receivers(q);
	kipc_queue_unlock(q);
	put_pid(old_peer);

	if (copy_to_user(ubuf, m->data, ncopy)) {
		spin_lock(&q->lock);
		/* Not a failed call in the counter's sense, as on send. */
		q->received--;
		kipc_queue_requeue(q, m);
		kipc_queue_kick_receivers(q);
		kipc_queue_unlock(q);
		kipc_queue_poll_wake(q, EPOLLIN | EPOLLRDNORM);
		return -EFAULT;
	}
	kipc_qmsg_fill_meta(m, out);
	kipc_qmsg_release_refs(m);
	kipc_qmsg_put(q, m);
	kipc_queue_poll_wake(q, EPOLLOUT | EPOLLWRNORM);
	kipc_queue_signal_io(q, POLL_OUT);
	return 0;
}

static u32 kipc_count_waiters(struct kipc_queue *q, struct list_head *list)
{
	struct kipc_waiter *w;
	u32 n = 0;

	lockdep_assert_held(&q->lock);

	/* A woken waiter has left the list: these are blocked now. */
	list_for_each_entry(w, list, node)
		n++;
	return n;
}

/* Receivers blocked now: on the queue, or on broadcast readers' lists. */
static u32 kipc_queue_recv_waiters(struct kipc_queue *q)
{
	struct kipc_bcast_reader *r;
	u32 n;

	lockdep_assert_held(&q->lock);

	n = kipc_count_waiters(q, &q->recv_waiters);
	list_for_each_entry(r, &q->bcast_readers, node)
		n += kipc_count_waiters(q, &r->waiters);
	return n;
}

/* A peer as current's PID namespace sees it; 0 if none or not seen. */
static pid_t kipc_pid_seen(struct pid *pid)
{
	return pid ? pid_nr_ns(pid, task_active_pid_ns(current)) : 0;
}

static void kipc_queue_snapshot(struct kipc_obj *obj,
				struct kipc_queue_snapshot *s)
{
	struct kipc_queue *q = kipc_obj_queue(obj);

	spin_lock(&q->lock);
	s->recv_waiters = kipc_queue_recv_waiters(q);
	s->send_waiters = kipc_count_waiters(q, &q->send_waiters);
	s->notify = q->notify.pid;
	s->notify_tid = kipc_pid_seen(q->notify.pid);
	s->notify_signo = q->notify.signo;
	s->last_send_pid = kipc_pid_seen(q->last_sender);
	s->last_recv_pid = kipc_pid_seen(q->last_receiver);
	s->last_send_ns = q->last_send_ns;
	s->last_recv_ns = q->last_recv_ns;
	s->max_msgs = q->max_msgs;
	s->max_msg_size = q->max_msg_size;
	s->cur_msgs = q->cur_msgs;
	s->cur_bytes = q->cur_bytes;
	s->sent = q->sent;
	s->received = q->received;
	s->failed = q->failed;
	s->dropped = q->dropped;
	s->flags = q->flags;
	kipc_queue_unlock(q);
}

static u32 kipc_queue_messages(struct kipc_obj *obj)
{
	struct kipc_queue_snapshot s;

	kipc_queue_snapshot(obj, &s);
	return s.cur_msgs;
}

/* The attributes of queue-get, from one snapshot. */
static int kipc_queue_nl_fill(struct sk_buff *msg, struct kipc_obj *obj,
			      struct user_namespace *userns)
{
	struct kipc_queue_snapshot s;

	kipc_queue_snapshot(obj, &s);
	if (obj->auto_delete)
		s.flags |= KIPC_QUEUE_AUTO_DELETE;
	if (kipc_nl_put_common(msg, obj, userns, &kipc_nl_queue_attrs) ||
	    nla_put_u32(msg, KIPC_A_QUEUE_FLAGS, s.flags) ||
	    nla_put_u32(msg, KIPC_A_QUEUE_MAX_MSGS, s.max_msgs) ||
	    nla_put_u32(msg, KIPC_A_QUEUE_MAX_MSG_SIZE, s.max_msg_size) ||
	    nla_put_u32(msg, KIPC_A_QUEUE_CUR_MSGS, s.cur_msgs) ||
	    nla_put_u64_64bit(msg, KIPC_A_QUEUE_CUR_BYTES, s.cur_bytes,
			      KIPC_A_QUEUE_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_A_QUEUE_SENT, s.sent, KIPC_A_QUEUE_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_A_QUEUE_RECEIVED, s.received,
			      KIPC_A_QUEUE_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_A_QUEUE_FAILED, s.failed,
			      KIPC_A_QUEUE_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_A_QUEUE_DROPPED, s.dropped,
			      KIPC_A_QUEUE_PAD) ||
	    nla_put_u32(msg, KIPC_A_QUEUE_RECV_WAITERS, s.recv_waiters) ||
	    nla_put_u32(msg, KIPC_A_QUEUE_SEND_WAITERS, s.send_waiters) ||
	    /* Every attribute, always: 0 says none, as the uapi documents. */
	    nla_put_u32(msg, KIPC_A_QUEUE_NOTIFY_PID, s.notify_tid) ||
	    nla_put_u32(msg, KIPC_A_QUEUE_NOTIFY_SIGNAL,
			s.notify ? s.notify_signo : 0) ||
	    nla_put_u32(msg, KIPC_A_QUEUE_LAST_SEND_PID, s.last_send_pid) ||
	    nla_put_u64_64bit(msg, KIPC_A_QUEUE_LAST_SEND_TIME, s.last_send_ns,
			      KIPC_A_QUEUE_PAD) ||
	    nla_put_u32(msg, KIPC_A_QUEUE_LAST_RECV_PID, s.last_recv_pid) ||
	    nla_put_u64_64bit(msg, KIPC_A_QUEUE_LAST_RECV_TIME, s.last_recv_ns,
			      KIPC_A_QUEUE_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_A_QUEUE_ID, obj->id, KIPC_A_QUEUE_PAD))
		return -EMSGSIZE;
	return 0;
}

/*
 * A queue handle's fdinfo lines: the queue's depth, who is blocked on it,
 * and the arrival notification, with whether this handle registered it.
 * Taken in one snapshot; the seq_file output happens after the lock.
 */
static void kipc_queue_show_fdinfo(struct seq_file *m, struct kipc_handle *h)
{
	struct kipc_queue *q = kipc_obj_queue(h->obj);
	struct kipc_queue_snapshot s;
	bool mine;

	kipc_queue_snapshot(h->obj, &s);
	spin_lock(&q->lock);
	mine = q->notify.owner == h;
	kipc_queue_unlock(q);

	seq_printf(m, "kipc-msgs:\t%u/%u\n", s.cur_msgs, s.max_msgs);
	seq_printf(m, "kipc-bytes:\t%llu\n", s.cur_bytes);
	seq_printf(m, "kipc-recv-waiters:\t%u\n", s.recv_waiters);
	seq_printf(m, "kipc-send-waiters:\t%u\n", s.send_waiters);
	if (s.notify)
		seq_printf(m, "kipc-notify:\ttid %d signal %d%s\n",
			   s.notify_tid, s.notify_signo,
			   mine ? " this-handle" : "");
	else
		seq_puts(m, "kipc-notify:\tnone\n");
}

/**
 * kipc_queue_send() - ioctl(KIPC_IOC_QUEUE_SEND)
 * @h: a handle bound to a queue for writing
 * @cmd: the command, copied in
 * @nonblock: the handle's O_NONBLOCK
 *
 * Context: Process context; takes kipc_queue.lock, which it drops to sleep;
 * copies from or to user memory outside it.
 * Return: 0, or a negative errno as the uapi header documents for the
 * ioctl.
 */
int kipc_queue_send(struct kipc_handle *h, struct kipc_queue_io *cmd,
		    bool nonblock)
{
	struct kipc_queue *q = kipc_handle_queue(h, KIPC_QUEUE_WRITE);
	ktime_t deadline, *deadlinep;
	int ret;

	if (!q)
		return -EBADF;
	if (cmd->flags & ~KIPC_IO_SEND_ALL)
		return -EINVAL;
	ret = kipc_io_deadline(cmd->flags, cmd->timeout_ns, &deadline,
			       &deadlinep);
	if (ret)
		return ret;

	return kipc_queue_send_one(q, u64_to_user_ptr(cmd->msg.buf),
				   cmd->msg.len, cmd->msg.prio, cmd->msg.type,
				   cmd->flags,
				   nonblock || (cmd->flags & KIPC_IO_NONBLOCK),
				   deadlinep);
}

/**
 * kipc_queue_recv() - ioctl(KIPC_IOC_QUEUE_RECV)
 * @h: a handle bound to a queue for reading
 * @cmd: the command, copied in; the message is received into cmd->msg
 * @nonblock: the handle's O_NONBLOCK
 *
 * The caller writes @cmd back on 0 and on -EMSGSIZE.
 *
 * Context: Process context; takes kipc_queue.lock, which it drops to sleep;
 * copies from or to user memory outside it.
 * Return: 0, or a negative errno as the uapi header documents for the
 * ioctl.
 */
int kipc_queue_recv(struct kipc_handle *h, struct kipc_queue_io *cmd,
		    bool nonblock)
{
	struct kipc_queue *q = kipc_handle_queue(h, KIPC_QUEUE_READ);
	ktime_t deadline, *deadlinep;
	int ret;

	if (!q)
		return -EBADF;
	if (cmd->flags & ~KIPC_IO_RECV_ALL)
		return -EINVAL;
	ret = kipc_io_deadline(cmd->flags, cmd->timeout_ns, &deadline,
			       &deadlinep);
	if (ret)
		return ret;

	return kipc_queue_recv_one(q, h, &cmd->msg, cmd->flags,
				   nonblock || (cmd->flags & KIPC_IO_NONBLOCK),
				   deadlinep);
}

static int kipc_batch_check(struct kipc_queue_batch *cmd, u32 allowed)
{
	if (cmd->flags & ~allowed)
		return -EINVAL;
	if (!cmd->count || cmd->count > KIPC_BATCH_MAX)
		return -EINVAL;
	/*
	 * The element may be shorter than the kernel's, from a caller built
	 * before it grew, down to its first published size.
	 */
	if (cmd->msg_size < KIPC_MSG_SIZE_VER0)
		return -EINVAL;
	return 0;
}

/*
 * Element @i of the caller's array, whose element type may be shorter or
 * longer than the kernel's: the rules of copy_struct_from_user(), a short
 * one zero-filled and a longer one's unknown tail required to be zero.
 */
static int kipc_batch_get(struct kipc_queue_batch *cmd, u32 i,
			  struct kipc_msg *msg)
{
	void __user *uptr = u64_to_user_ptr(cmd->msgs) + (size_t)i * cmd->msg_size;

	return copy_struct_from_user(msg, sizeof(*msg), uptr, cmd->msg_size);
}

static int kipc_batch_put(struct kipc_queue_batch *cmd, u32 i,
			  const struct kipc_msg *msg)
{
	void __user *uptr = u64_to_user_ptr(cmd->msgs) + (size_t)i * cmd->msg_size;

	/* No further than the caller's element: its neighbour follows. */
	return copy_to_user(uptr, msg, min_t(size_t, sizeof(*msg),
					     cmd->msg_size)) ? -EFAULT : 0;
}

/**
 * kipc_queue_send_batch() - ioctl(KIPC_IOC_QUEUE_SEND_BATCH)
 * @h: a handle bound to a queue for writing
 * @cmd: the command, copied in
 * @nonblock: the handle's O_NONBLOCK
 *
 * Context: Process context; takes kipc_queue.lock, which it drops to sleep;
 * copies from or to user memory outside it.
 * Return: the messages sent, or a negative errno when none was.
 */
int kipc_queue_send_batch(struct kipc_handle *h, struct kipc_queue_batch *cmd,
			  bool nonblock)
{
	struct kipc_queue *q = kipc_handle_queue(h, KIPC_QUEUE_WRITE);
	ktime_t deadline, *deadlinep;
	struct kipc_msg msg;
	int ret;
	u32 i;

	if (!q)
		return -EBADF;
	ret = kipc_batch_check(cmd, KIPC_IO_SEND_ALL);
	if (ret)
		return ret;
	ret = kipc_io_deadline(cmd->flags, cmd->timeout_ns, &deadline,
			       &deadlinep);
	if (ret)
		return ret;
	nonblock = nonblock || (cmd->flags & KIPC_IO_NONBLOCK);

	for (i = 0; i < cmd->count; i++) {
		ret = kipc_batch_get(cmd, i, &msg);
		if (!ret)
			ret = kipc_queue_send_one(q, u64_to_user_ptr(msg.buf),
						  msg.len, msg.prio, msg.type,
						  cmd->flags |
						  (i ? KIPC_IO_BATCH_MORE : 0),
						  nonblock, deadlinep);
		if (ret)
			break;
	}
	return i ? i : ret;
}

/**
 * kipc_queue_recv_batch() - ioctl(KIPC_IOC_QUEUE_RECV_BATCH)
 * @h: a handle bound to a queue for reading
 * @cmd: the command, copied in
 * @nonblock: the handle's O_NONBLOCK
 *
 * Context: Process context; takes kipc_queue.lock, which it drops to sleep;
 * copies from or to user memory outside it.
 * Return: the messages received, or a negative errno when none was.
 */
int kipc_queue_recv_batch(struct kipc_handle *h, struct kipc_queue_batch *cmd,
			  bool nonblock)
{
	struct kipc_queue *q = kipc_handle_queue(h, KIPC_QUEUE_READ);
	ktime_t deadline, *deadlinep;
	struct kipc_msg msg;
	int ret;
	u32 i;

	if (!q)
		return -EBADF;
	ret = kipc_batch_check(cmd, KIPC_IO_RECV_ALL);
	if (ret)
		return ret;
	ret = kipc_io_deadline(cmd->flags, cmd->timeout_ns, &deadline,
			       &deadlinep);
	if (ret)
		return ret;
	nonblock = nonblock || (cmd->flags & KIPC_IO_NONBLOCK);

	for (i = 0; i < cmd->count; i++) {
		ret = kipc_batch_get(cmd, i, &msg);
		/* An element that cannot be written back must not take one. */
		if (!ret)
			ret = kipc_batch_put(cmd, i, &msg);
		if (ret)
			break;
		/* Only the first message is waited for. */
		ret = kipc_queue_recv_one(q, h, &msg,
					  cmd->flags | (i ? KIPC_IO_BATCH_MORE : 0),
					  nonblock || i, deadlinep);
		if (ret == -EMSGSIZE)
			kipc_batch_put(cmd, i, &msg);
		if (ret)
			break;
		ret = kipc_batch_put(cmd, i, &msg);
		if (ret)
			break;
	}
	return i ? i : ret;
}

/**
 * kipc_queue_getattr() - ioctl(KIPC_IOC_QUEUE_GETATTR)
 * @h: a handle bound to a queue
 * @cmd: the command, copied in, filled for copying out
 * @nonblock: the handle's O_NONBLOCK, reported in handle_flags
 *
 * Context: Process context; takes kipc_queue.lock.
 * Return: 0, -EBADF when @h is not bound to a queue, or -EINVAL for a flag.
 */
int kipc_queue_getattr(struct kipc_handle *h, struct kipc_queue_attr *cmd,
		       bool nonblock)
{
	struct kipc_queue *q = kipc_handle_queue(h, 0);
	struct user_namespace *userns = current_user_ns();
	u32 size = cmd->size;

	if (!q)
		return -EBADF;
	if (cmd->flags)
		return -EINVAL;

	memset(cmd, 0, sizeof(*cmd));
	cmd->size = size;
	spin_lock(&q->lock);
	cmd->max_msgs = q->max_msgs;
	cmd->max_msg_size = q->max_msg_size;
	cmd->cur_msgs = q->cur_msgs;
	cmd->cur_bytes = q->cur_bytes;
	cmd->sent = q->sent;
	cmd->received = q->received;
	cmd->dropped = q->dropped;
	kipc_queue_unlock(q);
	cmd->id = q->obj.id;		/* set before any handle, never changed */
	cmd->queue_flags = q->flags;
	if (q->obj.auto_delete)
		cmd->queue_flags |= KIPC_QUEUE_AUTO_DELETE;
	cmd->mode = READ_ONCE(q->obj.mode);
	cmd->uid = from_kuid_munged(userns, q->obj.uid);
	cmd->gid = from_kgid_munged(userns, q->obj.gid);
	cmd->handle_flags = h->access | (nonblock ? KIPC_HANDLE_NONBLOCK : 0);
	return 0;
}

/**
 * kipc_queue_read() - read(2) on a queue handle: receive one message
 * @h: a handle bound to a queue for reading
 * @buf: the buffer
 * @len: its size
 * @nonblock: the file's O_NONBLOCK
 *
 * Context: Process context; takes kipc_queue.lock, which it drops to sleep;
 * copies from or to user memory outside it.
 * Return: the message's length, 0 at a channel's end of file, or a
 * negative errno as for KIPC_IOC_QUEUE_RECV.
 */
ssize_t kipc_queue_read(struct kipc_handle *h, char __user *buf, size_t len,
			bool nonblock)
{
	struct kipc_queue *q = kipc_handle_queue(h, KIPC_QUEUE_READ);
	struct kipc_msg msg = {
		.buf = (u64)(uintptr_t)buf,
		.len = min_t(size_t, len, U32_MAX),
	};
	int ret;

	if (!q)
		return -EBADF;
	ret = kipc_queue_recv_one(q, h, &msg, 0, nonblock, NULL);
	if (ret == -ENODATA)
		return 0;	/* end of file, as a pipe reports it */
	if (ret)
		return ret;
	return msg.len;
}

/**
 * kipc_queue_write() - write(2) on a queue handle: send one message
 * @h: a handle bound to a queue for writing
 * @buf: the payload
 * @len: its length
 * @nonblock: the file's O_NONBLOCK
 *
 * Context: Process context; takes kipc_queue.lock, which it drops to sleep;
 * copies from or to user memory outside it.
 * Return: @len, or a negative errno as for KIPC_IOC_QUEUE_SEND.
 */
ssize_t kipc_queue_write(struct kipc_handle *h, const char __user *buf,
			 size_t len, bool nonblock)
{
	struct kipc_queue *q = kipc_handle_queue(h, KIPC_QUEUE_WRITE);
	int ret;

	if (!q)
		return -EBADF;
	if (len > q->max_msg_size)
		return -EMSGSIZE;
	ret = kipc_queue_send_one(q, buf, len, 0, 0, 0, nonblock, NULL);
	if (ret)
		return ret;
	return len;
}

static bool kipc_queue_readable(struct kipc_queue *q, struct kipc_handle *h)
{
	struct kipc_bcast_reader *r = h->priv;

	lockdep_assert_held(&q->lock);

	return kipc_queue_is_broadcast(q) ? r->count : q->cur_msgs;
}

/**
 * kipc_queue_poll() - poll(2) on a queue handle
 * @h: the handle
 * @file: its file
 * @pt: the poll table
 *
 * Context: Process context; takes kipc_queue.lock.
 * Return: the events ready, or EPOLLERR when @h is not bound to a queue.
 */
__poll_t kipc_queue_poll(struct kipc_handle *h, struct file *file,
			 poll_table *pt)
{
	struct kipc_queue *q = kipc_handle_queue(h, 0);
	__poll_t mask = 0;

	if (!q)
		return EPOLLERR;
	poll_wait(file, &q->poll_wait, pt);

	spin_lock(&q->lock);
	if (h->access & KIPC_QUEUE_READ) {
		if (kipc_queue_readable(q, h))
			mask |= EPOLLIN | EPOLLRDNORM;
		else if (q->writer_gone)
			mask |= EPOLLHUP;
	}
	if (h->access & KIPC_QUEUE_WRITE) {
		if (q->reader_gone)
			mask |= EPOLLERR;
		else if (!kipc_queue_full(q))
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	kipc_queue_unlock(q);
	return mask;
}

/*
 * Counts a handle in as a reader and/or writer. A channel has room for one
 * of each; a broadcast reader gets its ring, allocated before the lock.
 */
static int kipc_queue_attach(struct kipc_queue *q, struct kipc_handle *h,
			     u32 access)
{
	struct kipc_bcast_reader *r = NULL;
	int ret = 0;

	if (kipc_queue_is_broadcast(q) && (access & KIPC_QUEUE_READ)) {
		r = kipc_bcast_reader_alloc(q);
		if (!r)
			return -ENOMEM;
	}

	spin_lock(&q->lock);
	if (kipc_queue_is_channel(q) &&
	    (((access & KIPC_QUEUE_READ) && q->nr_readers) ||
	     ((access & KIPC_QUEUE_WRITE) && q->nr_writers))) {
		ret = -EBUSY;
	} else {
		if (access & KIPC_QUEUE_READ) {
			q->nr_readers++;
			q->reader_gone = false;
		}
		if (access & KIPC_QUEUE_WRITE) {
			q->nr_writers++;
			q->writer_gone = false;
		}
		if (r)
			kipc_bcast_reader_attach(q, r);
	}
	kipc_queue_unlock(q);

	if (ret)
		kvfree(r);
	else
		h->priv = r;
	return ret;
}

/*
 * A handle closes. On a channel, the last writer going means end of file
 * for the reader and the last reader going means EPIPE for the writer;
 * whoever waits is woken to see it.
 */
static void kipc_queue_release_handle(struct kipc_handle *h)
{
	struct kipc_queue *q = kipc_obj_queue(h->obj);
	__poll_t events = 0;

	kipc_queue_notify_drop(q, h);
	if (h->priv)
		kipc_bcast_reader_detach(q, h->priv);

	spin_lock(&q->lock);
	if (h->access & KIPC_QUEUE_READ && !--q->nr_readers &&
	    kipc_queue_is_channel(q)) {
		q->reader_gone = true;
		kipc_queue_wake_all(q, &q->send_waiters);
		events |= EPOLLERR;
	}
	if (h->access & KIPC_QUEUE_WRITE && !--q->nr_writers &&
	    kipc_queue_is_channel(q)) {
		q->writer_gone = true;
		kipc_queue_wake_all(q, &q->recv_waiters);
		events |= EPOLLHUP;
	}
	kipc_queue_unlock(q);

	if (events)
		kipc_queue_poll_wake(q, events);
}

/* Binds @h to @obj, a queue it now holds a reference on. */
static int kipc_queue_bind_obj(struct kipc_handle *h, struct kipc_obj *obj,
			       u32 access)
{
	int ret;

	ret = kipc_queue_attach(kipc_obj_queue(obj), h, access);
	if (ret) {
		kipc_obj_unbind(obj);
		return ret;
	}
	h->access = access;
	/* Publishes access with the object; pairs with kipc_handle_obj(). */
	smp_store_release(&h->obj, obj);
	return 0;
}

static int kipc_queue_bind_check(const struct kipc_queue_bind *cmd)
{
	u32 flags = cmd->flags;

	if (flags & ~KIPC_QUEUE_BIND_ALL || cmd->__reserved ||
	    !(flags & (KIPC_QUEUE_READ | KIPC_QUEUE_WRITE)))
		return -EINVAL;
	if (cmd->mode & ~0777)
		return -EINVAL;
	if (flags & KIPC_QUEUE_ANONYMOUS) {
		/* No name to be exclusive about or to delete. */
		if (cmd->name || cmd->name_len ||
		    flags & (KIPC_QUEUE_EXCL | KIPC_QUEUE_AUTO_DELETE))
			return -EINVAL;
		flags |= KIPC_QUEUE_CREATE;
	}
	if ((flags & (KIPC_QUEUE_EXCL | KIPC_QUEUE_AUTO_DELETE |
		      KIPC_QUEUE_KIND)) && !(flags & KIPC_QUEUE_CREATE))
		return -EINVAL;
	if ((flags & KIPC_QUEUE_CHANNEL) && (flags & KIPC_QUEUE_BROADCAST))
		return -EINVAL;
	if ((flags & KIPC_QUEUE_DROP_OLDEST) && !(flags & KIPC_QUEUE_BROADCAST))
		return -EINVAL;
	return 0;
}

/**
 * kipc_queue_bind() - ioctl(KIPC_IOC_QUEUE_BIND)
 * @h: an unbound handle
 * @cmd: the command, copied in
 *
 * Context: Process context; takes @h->bind_lock, then the registry's
 * locks, then kipc_queue.lock.
 * Return: 0, or a negative errno as the uapi header documents for the
 * ioctl.
 */
int kipc_queue_bind(struct kipc_handle *h, struct kipc_queue_bind *cmd)
{
	u32 access = cmd->flags & (KIPC_QUEUE_READ | KIPC_QUEUE_WRITE);
	bool anonymous = cmd->flags & KIPC_QUEUE_ANONYMOUS;
	struct kipc_name name = {};
	struct kipc_bind_req req = {
		.type = KIPC_OBJ_QUEUE,
		.name = &name,
		.create = anonymous || (cmd->flags & KIPC_QUEUE_CREATE),
		.excl = cmd->flags & KIPC_QUEUE_EXCL,
		.auto_delete = cmd->flags & KIPC_QUEUE_AUTO_DELETE,
		.anonymous = anonymous,
		.mode = cmd->mode,
		.may = ((access & KIPC_QUEUE_READ) ? MAY_READ : 0) |
		       ((access & KIPC_QUEUE_WRITE) ? MAY_WRITE : 0),
		.max_objs = READ_ONCE(kipc_max_queues),
		.create_obj = kipc_queue_create,
		.arg = cmd,
	};
	struct kipc_obj *obj;
	int ret;

	ret = kipc_queue_bind_check(cmd);
	if (ret)
		return ret;
	if (!anonymous) {
		ret = kipc_name_from_user(&name, cmd->name, cmd->name_len);
		if (ret)
			return ret;
	}

	mutex_lock(&h->bind_lock);
	if (h->obj) {
		ret = -EBUSY;
		goto out;
	}
	obj = kipc_obj_bind(&req);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
		goto out;
	}
	ret = kipc_queue_bind_obj(h, obj, access);
out:
	mutex_unlock(&h->bind_lock);
	return ret;
}

/**
 * kipc_queue_peer() - ioctl(KIPC_IOC_QUEUE_PEER): bind a fresh handle
 * @h: a handle bound to a queue
 * @peer: the fresh handle
 * @access: KIPC_QUEUE_READ and/or KIPC_QUEUE_WRITE
 *
 * Binds @peer to @h's queue with @access, checked as a bind by name would
 * check it.
 *
 * Context: Process context; takes kipc_ns.lock, then kipc_queue.lock.
 * @peer is not yet reachable by anyone else, so its bind_lock is not
 * needed.
 * Return: 0, or -EBADF, -EINVAL, -EACCES or -EBUSY as the uapi header
 * documents.
 */
int kipc_queue_peer(struct kipc_handle *h, struct kipc_handle *peer,
		    u32 access)
{
	struct kipc_queue *q = kipc_handle_queue(h, 0);
	int may = ((access & KIPC_QUEUE_READ) ? MAY_READ : 0) |
		  ((access & KIPC_QUEUE_WRITE) ? MAY_WRITE : 0);
	int ret;

	if (!q)
		return -EBADF;
	if (!access || access & ~(KIPC_QUEUE_READ | KIPC_QUEUE_WRITE))
		return -EINVAL;
	ret = kipc_obj_bind_another(&q->obj, may);
	if (ret)
		return ret;
	return kipc_queue_bind_obj(peer, &q->obj, access);
}
