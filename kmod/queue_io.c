// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: the data path of queues: send and receive, one message at a time
 * or in batches, by ioctl or by read() and write().
 *
 * A queue keeps one FIFO list per priority and a bitmap of the non-empty
 * ones. A payload is copied once, straight into a buffer the queue kept
 * from an earlier message (queue_msg.c), before the queue lock is taken,
 * and copied out after the message has left the queue, so no user copy
 * ever happens under the spinlock. A send takes one lock round, and so
 * does a receive.
 *
 * A sender that finds a receiver waiting for a message it accepts hands
 * the message over directly, as ipc/mqueue.c's pipelined send does: the
 * message never enters the queue, and the receiver, which may still be
 * polling (queue_wait.c), takes it without touching the lock again. It
 * is handed over only when the queue holds nothing else the receiver
 * accepts, so that what a receiver gets, and in what order, is exactly
 * what it would have found queued. A receiver whose buffer is too small
 * fails with EMSGSIZE as it would have, and the message goes on to the
 * next. Peeking and batch receivers are woken to look instead.
 *
 * Waiting is done with kipc-private waiter lists rather than wait queues,
 * so that a sender wakes exactly one receiver whose type selector accepts
 * the new message, and a receiver wakes exactly one sender per freed slot.
 * A waiter that was woken but leaves without using what it was woken for
 * hands the wake-up on (kipc_queue_kick_*), so nothing is left stranded.
 *
 * A batch moves up to KIPC_BATCH_CHUNK messages per lock round. A send
 * batch reserves its slots in one round, fills their buffers outside the
 * lock, and publishes them in a second with consecutive sequence numbers
 * and one wake-up; a receive batch takes a chunk in one round and copies
 * it out after. A result that cannot be written puts its message, and
 * those after it, back where they were.
 *
 * Locking:
 *   kipc_queue.lock (spinlock) guards the lists, counters and waiter lists
 *   (see queue.c). Nothing here sleeps or touches user memory while it is
 *   held; every function that needs it asserts it. A handed-over message
 *   belongs to its receiver from the moment the sender sets the waiter's
 *   woken flag, which is the sender's last access to the waiter.
 */

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "kipc_internal.h"
#include "queue.h"

#include "trace.h"

static_assert(sizeof(struct kipc_msg) == KIPC_MSG_SIZE_VER0);

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

/* The queued message of sequence number @seq, if it is queued. */
static struct kipc_qmsg *kipc_queue_find_seq(struct kipc_queue *q, u64 seq)
{
	unsigned long map = q->prio_map;
	struct kipc_qmsg *m;

	lockdep_assert_held(&q->lock);

	while (map) {
		int p = __fls(map);

		list_for_each_entry(m, &q->prio[p], node)
			if (m->seq == seq)
				return m;
		__clear_bit(p, &map);
	}
	return NULL;
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

/* The messages an ordinary queue has room for, less reserved slots. */
static u32 kipc_queue_room(struct kipc_queue *q)
{
	u32 used = q->cur_msgs + q->reserved;

	lockdep_assert_held(&q->lock);

	return used < q->max_msgs ? q->max_msgs - used : 0;
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
		kipc_queue_wake_senders(q, kipc_queue_room(q));
}

/**
 * kipc_queue_full() - whether a send would have to wait for room
 * @q: the queue, of any kind
 *
 * Context: Holds @q->lock.
 * Return: true when it has no room, counting slots a batch reserved.
 */
bool kipc_queue_full(struct kipc_queue *q)
{
	lockdep_assert_held(&q->lock);

	if (kipc_queue_is_broadcast(q))
		return kipc_bcast_full(q);
	return !kipc_queue_room(q);
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

static void kipc_queue_link(struct kipc_queue *q, struct kipc_qmsg *m)
{
	lockdep_assert_held(&q->lock);

	list_add_tail(&m->node, &q->prio[m->prio]);
	__set_bit(m->prio, &q->prio_map);
	q->cur_msgs++;
	q->cur_bytes += m->len;
}

/*
 * A new message of an ordinary queue: handed to the first waiting
 * receiver that accepts it and could not take anything queued, else
 * linked, with that receiver woken to take it. @old_peer collects the
 * last receiver's reference that a hand-off replaced, to be put after
 * the lock; only the first replacement of a lock round is recorded.
 * Return: whether it was handed over.
 */
static bool kipc_queue_deliver(struct kipc_queue *q, struct kipc_qmsg *m,
			       u64 now, struct pid **old_peer)
{
	struct kipc_waiter *w, *tmp, *taker = NULL;

	lockdep_assert_held(&q->lock);

	trace_kipc_queue_send(q, m);
	list_for_each_entry_safe(w, tmp, &q->recv_waiters, node) {
		if (!kipc_type_accepts(w->type_mode, w->type, m->type))
			continue;
		if (!w->handoff || kipc_queue_find(q, w->type_mode, w->type)) {
			taker = w;
			break;
		}
		list_del(&w->node);
		trace_kipc_queue_handoff(q, m, w->task);
		if (m->len > w->buflen && !w->trunc) {
			/* It fails as it would have on finding @m queued. */
			q->failed++;
			w->result = -EMSGSIZE;
			w->msg_len = m->len;
			kipc_queue_release_waiter(q, w);
			continue;
		}
		trace_kipc_queue_recv(q, m);
		q->received++;
		if (*old_peer)
			q->last_recv_ns = now;
		else
			*old_peer = kipc_queue_note_peer(q, &q->last_receiver,
							 &q->last_recv_ns, now,
							 task_tgid(w->task));
		w->msg = m;
		kipc_queue_release_waiter(q, w);
		return true;
	}

	kipc_queue_link(q, m);
	if (taker) {
		trace_kipc_queue_handoff(q, m, taker->task);
		kipc_queue_wake(q, taker);
	}
	return false;
}

/* Stamps a message with its sender and its place in the queue. */
static void kipc_queue_stamp(struct kipc_queue *q, struct kipc_qmsg *m,
			     u64 now)
{
	lockdep_assert_held(&q->lock);

	m->uid = current_euid();
	m->gid = current_egid();
	m->tgid = get_pid(task_tgid(current));
	m->pid = get_pid(task_pid(current));
	m->time_ns = now;
	m->seq = ++q->seq;
	q->sent++;
}

/*
 * Waits for room for one message. Return: 0 with room, or the errno
 * that ends the send (counted as a failed call unless a batch moved some).
 */
static int kipc_queue_wait_room(struct kipc_queue *q, struct kipc_waiter *w,
				u32 flags, bool nonblock, ktime_t *deadline)
{
	int ret;

	lockdep_assert_held(&q->lock);

	for (;;) {
		if (q->reader_gone) {
			ret = -EPIPE;
			break;
		}
		if (!kipc_queue_full(q))
			return 0;
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		ret = kipc_queue_wait(q, &q->send_waiters, w, deadline);
		if (ret)
			break;
	}
	kipc_queue_count_failure(q, flags);
	return ret;
}

/* After a failed send: as a pipe does, unless the caller asked not to. */
static void kipc_queue_send_failed(int ret, u32 flags)
{
	if (ret == -EPIPE && !(flags & KIPC_IO_NOSIGNAL))
		send_sig(SIGPIPE, current, 0);
}

/* What a send does once the lock is dropped: wake pollers, signal. */
static void kipc_queue_sent(struct kipc_queue *q, bool queued, bool fire,
			    struct kipc_queue_notification *notify)
{
	if (fire)
		kipc_queue_notify_fire(notify);
	if (queued) {
		kipc_queue_poll_wake(q, EPOLLIN | EPOLLRDNORM);
		kipc_queue_signal_io(q, POLL_IN);
	}
}

/*
 * Queues one message whose payload is at @ubuf. Copies it into a buffer
 * of the queue's first, then waits for room under the lock, which a send
 * takes once. @flags: KIPC_IO_NOSIGNAL, KIPC_IO_NOPOLL.
 */
static int kipc_queue_send_one(struct kipc_queue *q, const void __user *ubuf,
			       u32 len, u32 prio, u64 type, u32 flags,
			       bool nonblock, ktime_t *deadline)
{
	struct kipc_waiter w = {
		.pending = &q->send_pending,
		.nopoll = flags & KIPC_IO_NOPOLL,
	};
	struct pid *old_sender, *old_receiver = NULL;
	struct kipc_queue_notification notify;
	bool fire = false, queued = true;
	struct kipc_qmsg *m;
	LIST_HEAD(dead);
	u64 now;
	int ret;

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
	m->len = len;
	m->prio = prio;
	m->type = type;
	now = ktime_get_real_ns();

	spin_lock(&q->lock);
	ret = kipc_queue_wait_room(q, &w, flags, nonblock, deadline);
	if (ret) {
		kipc_queue_unlock(q);
		kipc_qmsg_put(q, m);
		kipc_queue_send_failed(ret, flags);
		return ret;
	}

	kipc_queue_stamp(q, m, now);
	old_sender = kipc_queue_note_peer(q, &q->last_sender,
					  &q->last_send_ns, now,
					  task_tgid(current));
	if (kipc_queue_is_broadcast(q)) {
		trace_kipc_queue_send(q, m);
		kipc_bcast_deliver(q, m, &dead);
	} else {
		/* Before the wake-up takes the waiting receiver off its list. */
		if (!q->cur_msgs)
			fire = kipc_queue_notify_take(q, &notify);
		if (fire)
			trace_kipc_queue_notify(q, pid_nr(notify.pid),
						notify.signo);
		queued = !kipc_queue_deliver(q, m, now, &old_receiver);
	}
	if (!kipc_queue_full(q))
		kipc_queue_kick_senders(q);
	kipc_queue_unlock(q);

	put_pid(old_sender);
	put_pid(old_receiver);
	kipc_qmsg_free_list(q, &dead);
	kipc_queue_sent(q, queued, fire, &notify);
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
 * Puts back messages whose copy-out failed, undoing their count as
 * received, in one lock round, and wakes whoever can take them.
 */
static void kipc_queue_requeue_all(struct kipc_queue *q,
				   struct kipc_qmsg **ms, u32 n)
{
	u32 i;

	if (!n)
		return;
	spin_lock(&q->lock);
	for (i = 0; i < n; i++) {
		/* Not a failed call in the counter's sense, as on send. */
		q->received--;
		kipc_queue_requeue(q, ms[i]);
	}
	kipc_queue_kick_receivers(q);
	kipc_queue_unlock(q);
	kipc_queue_poll_wake(q, EPOLLIN | EPOLLRDNORM);
}

/*
 * Writes a received message's metadata into the caller's struct kipc_msg,
 * field by field; @u->buf is the caller's and stays as it is.
 */
static int kipc_msg_put_result(struct kipc_msg __user *u,
			       const struct kipc_msg *m)
{
	if (!user_access_begin(u, sizeof(*u)))
		return -EFAULT;
	unsafe_put_user(m->len, &u->len, efault);
	unsafe_put_user(m->prio, &u->prio, efault);
	unsafe_put_user(m->type, &u->type, efault);
	unsafe_put_user(m->pid, &u->pid, efault);
	unsafe_put_user(m->tid, &u->tid, efault);
	unsafe_put_user(m->uid, &u->uid, efault);
	unsafe_put_user(m->gid, &u->gid, efault);
	unsafe_put_user(m->time_ns, &u->time_ns, efault);
	unsafe_put_user(m->seq, &u->seq, efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/* EMSGSIZE: the caller learns the size the message needs. */
static int kipc_msg_put_len(struct kipc_msg __user *u, u32 len)
{
	return u && put_user(len, &u->len) ? -EFAULT : -EMSGSIZE;
}

/*
 * Copies a message that left its queue out to the receiver: payload, then
 * metadata into @out and, if given, @uout. On a fault, the caller puts it
 * back. Return: 0 or -EFAULT.
 */
static int kipc_queue_copy_out(struct kipc_qmsg *m, void __user *ubuf,
			       u32 buflen, struct kipc_msg *out,
			       struct kipc_msg __user *uout)
{
	if (copy_to_user(ubuf, m->data, min(m->len, buflen)))
		return -EFAULT;
	kipc_qmsg_fill_meta(m, out);
	if (uout && kipc_msg_put_result(uout, out))
		return -EFAULT;
	return 0;
}

/* A message received for good: its buffer goes back to the queue. */
static void kipc_queue_consumed(struct kipc_queue *q, struct kipc_qmsg *m)
{
	kipc_qmsg_release_refs(m);
	kipc_qmsg_put(q, m);
}

/*
 * A broadcast reader receives. Its message leaves its backlog for good
 * once copied, so the result struct is written once before, so that one
 * the kernel cannot write fails the call before anything is taken.
 */
static int kipc_queue_recv_bcast(struct kipc_queue *q, struct kipc_handle *h,
				 struct kipc_msg *out,
				 struct kipc_msg __user *uout, u32 flags,
				 bool nonblock, ktime_t *deadline)
{
	int ret;

	if (flags & KIPC_IO_SEQ)
		return -EINVAL;
	if (uout && kipc_msg_put_result(uout, out))
		return -EFAULT;
	ret = kipc_bcast_recv_one(q, h->priv, out, flags, nonblock, deadline);
	if (ret == -EMSGSIZE)
		return kipc_msg_put_len(uout, out->len);
	if (!ret && uout && kipc_msg_put_result(uout, out))
		ret = -EFAULT;
	return ret;
}

/*
 * A peek copies under the lock, into a buffer allocated before it, and
 * leaves the message where it is.
 */
static int kipc_queue_peek(struct kipc_queue *q, struct kipc_qmsg *m,
			   void *peek, void __user *ubuf, u32 buflen,
			   struct kipc_msg *out, struct kipc_msg __user *uout)
	__releases(&q->lock)
{
	u32 ncopy = min(m->len, buflen);
	int ret = 0;

	memcpy(peek, m->data, ncopy);
	kipc_qmsg_fill_meta(m, out);
	kipc_queue_kick_receivers(q);
	kipc_queue_unlock(q);
	if (copy_to_user(ubuf, peek, ncopy) ||
	    (uout && kipc_msg_put_result(uout, out)))
		ret = -EFAULT;
	kvfree(peek);
	return ret;
}

/*
 * Receives one message into @out->buf (of @out->len bytes) and fills in
 * @out's metadata, and @uout's if given (the caller's struct kipc_msg),
 * putting the message back if either copy faults. Returns 0 or a
 * negative errno; on EMSGSIZE, @out->len and @uout->len are the size the
 * message needs; -ENODATA is a drained channel whose writer is gone,
 * which read() reports as end of file.
 */
static int kipc_queue_recv_one(struct kipc_queue *q, struct kipc_handle *h,
			       struct kipc_msg *out,
			       struct kipc_msg __user *uout, u32 flags,
			       bool nonblock, ktime_t *deadline)
{
	u32 type_mode = flags & (KIPC_IO_TYPE_EXACT | KIPC_IO_TYPE_EXCEPT);
	void __user *ubuf = u64_to_user_ptr(out->buf);
	u32 buflen = out->len;
	struct kipc_waiter w = {
		.type_mode = type_mode,
		.type = out->type,
		.pending = &q->recv_pending,
		.nopoll = flags & KIPC_IO_NOPOLL,
		.handoff = !(flags & KIPC_IO_PEEK),
		.trunc = flags & KIPC_IO_TRUNC,
		.buflen = buflen,
	};
	struct pid *old_peer;
	struct kipc_qmsg *m;
	void *peek = NULL;
	int ret = 0, blocked;

	if (type_mode == (KIPC_IO_TYPE_EXACT | KIPC_IO_TYPE_EXCEPT))
		return -EINVAL;
	if ((flags & KIPC_IO_SEQ) && type_mode)
		return -EINVAL;
	if (kipc_queue_is_broadcast(q))
		return kipc_queue_recv_bcast(q, h, out, uout, flags, nonblock,
					     deadline);

	if (flags & KIPC_IO_PEEK) {
		peek = kvmalloc(min(buflen, q->max_msg_size) ?: 1, GFP_KERNEL);
		if (!peek)
			return -ENOMEM;
	}

	spin_lock(&q->lock);
	for (;;) {
		if (flags & KIPC_IO_SEQ)
			m = kipc_queue_find_seq(q, out->seq);
		else
			m = kipc_queue_find(q, type_mode, out->type);
		if (m)
			break;
		if (flags & KIPC_IO_SEQ) {
			ret = -ENOENT;
			break;
		}
		if (q->writer_gone) {
			ret = -ENODATA;
			break;
		}
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		kipc_queue_enlist(q, &q->recv_waiters, &w, deadline);
		blocked = kipc_queue_block(q, &w, deadline);
		if (blocked > 0 && (w.msg || w.result))
			goto handed;
		spin_lock(&q->lock);
		if (w.woken && (w.msg || w.result)) {
			kipc_queue_unlock(q);
			goto handed;
		}
		ret = kipc_queue_wait_done(q, &w, blocked);
		if (ret)
			break;
	}
	if (ret) {
		if (ret != -ENODATA && ret != -ENOENT)
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
		return kipc_msg_put_len(uout, out->len);
	}

	if (peek)
		return kipc_queue_peek(q, m, peek, ubuf, buflen, out, uout);

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
					ktime_get_real_ns(), task_tgid(current));
	kipc_queue_kick_senders(q);
	if (q->cur_msgs && !list_empty(&q->recv_waiters))
		kipc_queue_kick_receivers(q);
	kipc_queue_unlock(q);
	put_pid(old_peer);

	if (kipc_queue_copy_out(m, ubuf, buflen, out, uout)) {
		kipc_queue_requeue_all(q, &m, 1);
		return -EFAULT;
	}
	kipc_queue_consumed(q, m);
	kipc_queue_poll_wake(q, EPOLLOUT | EPOLLWRNORM);
	kipc_queue_signal_io(q, POLL_OUT);
	return 0;

handed:
	/* Handed over by a sender: it never took a slot of the queue. */
	if (w.result) {
		out->len = w.msg_len;
		return kipc_msg_put_len(uout, out->len);
	}
	if (kipc_queue_copy_out(w.msg, ubuf, buflen, out, uout)) {
		kipc_queue_requeue_all(q, &w.msg, 1);
		return -EFAULT;
	}
	kipc_queue_consumed(q, w.msg);
	return 0;
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
 * @ucmd: the caller's struct, into whose msg the results are written
 * @nonblock: the handle's O_NONBLOCK
 *
 * The results are written on 0, and the length needed on -EMSGSIZE; a
 * result that cannot be written leaves the message queued (-EFAULT).
 *
 * Context: Process context; takes kipc_queue.lock, which it drops to sleep;
 * copies from or to user memory outside it.
 * Return: 0, or a negative errno as the uapi header documents for the
 * ioctl.
 */
int kipc_queue_recv(struct kipc_handle *h, struct kipc_queue_io *cmd,
		    struct kipc_queue_io __user *ucmd, bool nonblock)
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

	return kipc_queue_recv_one(q, h, &cmd->msg, &ucmd->msg, cmd->flags,
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

static struct kipc_msg __user *kipc_batch_elem(struct kipc_queue_batch *cmd,
					       u32 i)
{
	return u64_to_user_ptr(cmd->msgs) + (size_t)i * cmd->msg_size;
}

/*
 * The inputs of element @i of the caller's array, whose element type may
 * be shorter or longer than the kernel's: the rules of
 * copy_struct_from_user(), a short one zero-filled and a longer one's
 * unknown tail required to be zero. An element of the kernel's own size,
 * the common case, is read field by field, only the fields a send or a
 * receive takes in.
 */
static int kipc_batch_get(struct kipc_queue_batch *cmd, u32 i,
			  struct kipc_msg *msg)
{
	struct kipc_msg __user *u = kipc_batch_elem(cmd, i);

	if (cmd->msg_size != sizeof(*msg))
		return copy_struct_from_user(msg, sizeof(*msg), u,
					     cmd->msg_size);
	if (!user_access_begin(u, sizeof(*u)))
		return -EFAULT;
	unsafe_get_user(msg->buf, &u->buf, efault);
	unsafe_get_user(msg->len, &u->len, efault);
	unsafe_get_user(msg->prio, &u->prio, efault);
	unsafe_get_user(msg->type, &u->type, efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/*
 * A send chunk: reserves room for up to @n messages in one lock round,
 * fills their buffers outside it, and publishes them in a second, with
 * consecutive sequence numbers and one round of wake-ups. Fewer are sent
 * when the queue had room for fewer, or when an element fails, whose
 * errno goes to @err.
 * Return: the messages sent.
 */
static u32 kipc_queue_send_chunk(struct kipc_queue *q,
				 struct kipc_queue_batch *cmd, u32 first,
				 u32 n, bool nonblock, ktime_t *deadline,
				 int *err)
{
	u32 flags = cmd->flags | (first ? KIPC_IO_BATCH_MORE : 0);
	struct kipc_waiter w = {
		.pending = &q->send_pending,
		.nopoll = flags & KIPC_IO_NOPOLL,
	};
	struct kipc_qmsg *ms[KIPC_BATCH_CHUNK], *spare[KIPC_BATCH_CHUNK];
	struct pid *old_sender, *old_receiver = NULL;
	struct kipc_queue_notification notify;
	bool fire = false, queued = false;
	u32 i, filled, reserved, nspare;
	struct kipc_msg msg;
	int ret = 0;
	u64 now;

	spin_lock(&q->lock);
	ret = kipc_queue_wait_room(q, &w, flags, nonblock, deadline);
	if (ret) {
		kipc_queue_unlock(q);
		kipc_queue_send_failed(ret, flags);
		*err = ret;
		return 0;
	}
	reserved = min(n, kipc_queue_room(q));
	q->reserved += reserved;
	kipc_queue_unlock(q);

	nspare = kipc_qmsg_take_small(q, spare, reserved);
	for (filled = 0; filled < reserved; filled++) {
		struct kipc_qmsg *m;

		ret = kipc_batch_get(cmd, first + filled, &msg);
		if (ret)
			break;
		if (msg.prio >= KIPC_PRIO_MAX) {
			ret = -EINVAL;
			break;
		}
		if (msg.len > q->max_msg_size) {
			ret = -EMSGSIZE;
			break;
		}
		if (nspare && kipc_qmsg_fits_small(q, msg.len))
			m = spare[--nspare];
		else
			m = kipc_qmsg_get(q, msg.len);
		if (!m) {
			ret = -ENOMEM;
			break;
		}
		if (copy_from_user(m->data, u64_to_user_ptr(msg.buf), msg.len)) {
			spare[nspare++] = m;
			ret = -EFAULT;
			break;
		}
		m->len = msg.len;
		m->prio = msg.prio;
		m->type = msg.type;
		ms[filled] = m;
	}
	kipc_qmsg_put_many(q, spare, nspare);
	now = ktime_get_real_ns();

	spin_lock(&q->lock);
	q->reserved -= reserved;
	if (filled && !kipc_queue_is_broadcast(q) && !q->cur_msgs)
		fire = kipc_queue_notify_take(q, &notify);
	for (i = 0; i < filled; i++) {
		kipc_queue_stamp(q, ms[i], now);
		if (!kipc_queue_deliver(q, ms[i], now, &old_receiver))
			queued = true;
	}
	old_sender = filled ? kipc_queue_note_peer(q, &q->last_sender,
						   &q->last_send_ns, now,
						   task_tgid(current)) : NULL;
	if (fire)
		trace_kipc_queue_notify(q, pid_nr(notify.pid), notify.signo);
	if (!kipc_queue_full(q))
		kipc_queue_kick_senders(q);
	kipc_queue_unlock(q);

	put_pid(old_sender);
	put_pid(old_receiver);
	kipc_queue_sent(q, queued, fire, &notify);
	*err = ret;
	return filled;
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
	u32 i = 0;
	int ret;

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

	/* A broadcast message goes to every reader's backlog: one by one. */
	if (kipc_queue_is_broadcast(q)) {
		for (; i < cmd->count; i++) {
			u32 flags = cmd->flags | (i ? KIPC_IO_BATCH_MORE : 0);

			ret = kipc_batch_get(cmd, i, &msg);
			if (!ret)
				ret = kipc_queue_send_one(q, u64_to_user_ptr(msg.buf),
							  msg.len, msg.prio,
							  msg.type, flags,
							  nonblock, deadlinep);
			if (ret)
				break;
		}
		return i ?: ret;
	}

	while (i < cmd->count && !ret)
		i += kipc_queue_send_chunk(q, cmd, i,
					   min_t(u32, cmd->count - i,
						 KIPC_BATCH_CHUNK),
					   nonblock, deadlinep, &ret);
	return i ?: ret;
}

/*
 * A receive chunk: up to @n messages, each accepted by its element's
 * selector, taken in one lock round in the order single receives would
 * take them, then copied out. Only the batch's first message is waited
 * for. A copy that faults puts back its message and those after it.
 * Fewer are taken when fewer are ready, or when an element fails, whose
 * errno goes to @err.
 * Return: the messages received.
 */
static u32 kipc_queue_recv_chunk(struct kipc_queue *q,
				 struct kipc_queue_batch *cmd, u32 first,
				 u32 n, bool nonblock, ktime_t *deadline,
				 int *err)
{
	u32 flags = cmd->flags | (first ? KIPC_IO_BATCH_MORE : 0);
	u32 type_mode = flags & (KIPC_IO_TYPE_EXACT | KIPC_IO_TYPE_EXCEPT);
	struct {
		u64 buf;
		u64 type;
		u32 len;
	} want[KIPC_BATCH_CHUNK];
	struct kipc_qmsg *ms[KIPC_BATCH_CHUNK];
	struct kipc_waiter w = {
		.type_mode = type_mode,
		.pending = &q->recv_pending,
		.nopoll = flags & KIPC_IO_NOPOLL,
	};
	struct pid *old_peer = NULL;
	struct kipc_msg msg;
	int ret = 0, bad_elem = 0;
	u32 i, got = 0;

	/* An element that cannot be read ends the batch before it. */
	for (i = 0; i < n; i++) {
		bad_elem = kipc_batch_get(cmd, first + i, &msg);
		if (bad_elem)
			break;
		want[i].buf = msg.buf;
		want[i].type = msg.type;
		want[i].len = msg.len;
	}
	n = i;
	if (!n) {
		*err = bad_elem;
		return 0;
	}
	w.type = want[0].type;

	spin_lock(&q->lock);
	while (!first && !kipc_queue_find(q, type_mode, want[0].type)) {
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
		*err = ret;
		return 0;
	}

	for (got = 0; got < n; got++) {
		struct kipc_qmsg *m = kipc_queue_find(q, type_mode,
						      want[got].type);

		if (!m) {
			/* Nothing more is ready: the batch ends, not failed. */
			ret = first + got ? 0 : -EAGAIN;
			break;
		}
		if (m->len > want[got].len && !(flags & KIPC_IO_TRUNC)) {
			kipc_queue_count_failure(q, flags | (got ?
						 KIPC_IO_BATCH_MORE : 0));
			msg.len = m->len;
			ret = -EMSGSIZE;
			break;
		}
		kipc_queue_unlink_msg(q, m);
		trace_kipc_queue_recv(q, m);
		ms[got] = m;
	}
	n = got;
	if (got) {
		q->received += got;
		old_peer = kipc_queue_note_peer(q, &q->last_receiver,
						&q->last_recv_ns,
						ktime_get_real_ns(),
						task_tgid(current));
		kipc_queue_kick_senders(q);
	}
	if (q->cur_msgs && !list_empty(&q->recv_waiters))
		kipc_queue_kick_receivers(q);
	kipc_queue_unlock(q);
	put_pid(old_peer);

	/* EMSGSIZE: the element learns the size its message needs. */
	if (ret == -EMSGSIZE &&
	    put_user(msg.len, &kipc_batch_elem(cmd, first + got)->len))
		ret = -EFAULT;

	for (i = 0; i < n; i++) {
		if (kipc_queue_copy_out(ms[i], u64_to_user_ptr(want[i].buf),
					want[i].len, &msg,
					kipc_batch_elem(cmd, first + i)))
			break;
		kipc_qmsg_release_refs(ms[i]);
	}
	kipc_qmsg_put_many(q, ms, i);
	if (i < n) {
		kipc_queue_requeue_all(q, ms + i, n - i);
		ret = -EFAULT;
	}
	if (i) {
		kipc_queue_poll_wake(q, EPOLLOUT | EPOLLWRNORM);
		kipc_queue_signal_io(q, POLL_OUT);
	}
	/* An unreadable element left got short of a chunk: the batch ends. */
	*err = ret;
	return i;
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
	u32 type_mode = cmd->flags & (KIPC_IO_TYPE_EXACT | KIPC_IO_TYPE_EXCEPT);
	ktime_t deadline, *deadlinep;
	struct kipc_msg msg;
	u32 i = 0, got;
	int ret;

	if (!q)
		return -EBADF;
	ret = kipc_batch_check(cmd, KIPC_IO_RECV_ALL & ~KIPC_IO_SEQ);
	if (ret)
		return ret;
	if (type_mode == (KIPC_IO_TYPE_EXACT | KIPC_IO_TYPE_EXCEPT))
		return -EINVAL;
	ret = kipc_io_deadline(cmd->flags, cmd->timeout_ns, &deadline,
			       &deadlinep);
	if (ret)
		return ret;
	nonblock = nonblock || (cmd->flags & KIPC_IO_NONBLOCK);

	/* Broadcast readers and peeks receive one by one. */
	if (kipc_queue_is_broadcast(q) || (cmd->flags & KIPC_IO_PEEK)) {
		for (; i < cmd->count; i++) {
			ret = kipc_batch_get(cmd, i, &msg);
			if (ret)
				break;
			/* Only the first message is waited for. */
			ret = kipc_queue_recv_one(q, h, &msg,
						  kipc_batch_elem(cmd, i),
						  cmd->flags |
						  (i ? KIPC_IO_BATCH_MORE : 0),
						  nonblock || i, deadlinep);
			if (ret)
				break;
		}
		return i ?: ret;
	}

	do {
		got = kipc_queue_recv_chunk(q, cmd, i,
					    min_t(u32, cmd->count - i,
						  KIPC_BATCH_CHUNK),
					    nonblock, deadlinep, &ret);
		i += got;
	} while (i < cmd->count && !ret && got == KIPC_BATCH_CHUNK);
	return i ?: ret;
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
	ret = kipc_queue_recv_one(q, h, &msg, NULL, 0, nonblock, NULL);
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
