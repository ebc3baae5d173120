// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: broadcast queues. Every handle bound for reading gets its own ring
 * of message pointers, max_msgs long; a message is shared by the rings
 * that hold it and freed when the last reader has taken it. Priorities
 * and type selectors do not apply: each reader sees messages in the order
 * they were sent.
 *
 * Locking: kipc_bcast_reader.recv_lock (mutex) lets one receive at a
 * time work on a reader's ring; it is taken outside kipc_queue.lock.
 * Everything else runs under kipc_queue.lock, as queue.c documents,
 * except the allocation of a reader and the copy-out of a message. The
 * message being copied out stays at the head of the ring, with an extra
 * reference, until the copy has succeeded, so a failed copy loses nothing
 * and a sender can never fill the slot it still occupies.
 */

#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "queue.h"
#include "trace.h"

/**
 * kipc_bcast_reader_alloc() - allocate a broadcast reader
 * @q: the queue, whose max_msgs sizes the reader's ring
 *
 * Context: Process context, without @q->lock; allocates (GFP_KERNEL).
 * Return: the reader, not yet attached, or NULL.
 */
struct kipc_bcast_reader *kipc_bcast_reader_alloc(struct kipc_queue *q)
{
	struct kipc_bcast_reader *r;

	r = kvzalloc(struct_size(r, ring, q->max_msgs), GFP_KERNEL_ACCOUNT);
	if (r) {
		INIT_LIST_HEAD(&r->waiters);
		mutex_init(&r->recv_lock);
	}
	return r;
}

/**
 * kipc_bcast_reader_attach() - make a reader receive what is sent from now
 * @q: the queue
 * @r: a reader from kipc_bcast_reader_alloc()
 *
 * Context: Holds @q->lock.
 */
void kipc_bcast_reader_attach(struct kipc_queue *q, struct kipc_bcast_reader *r)
{
	lockdep_assert_held(&q->lock);

	list_add_tail(&r->node, &q->bcast_readers);
}

/* Drops one reader's hold on @m; the last one queues it on @dead. */
static void kipc_bcast_put(struct kipc_queue *q, struct kipc_qmsg *m,
			   struct list_head *dead)
{
	lockdep_assert_held(&q->lock);

	if (--m->refs)
		return;
	q->cur_msgs--;
	q->cur_bytes -= m->len;
	list_add(&m->node, dead);
}

static struct kipc_qmsg *kipc_bcast_pop(struct kipc_queue *q,
					struct kipc_bcast_reader *r)
{
	struct kipc_qmsg *m = r->ring[r->head];

	r->head = (r->head + 1) % q->max_msgs;
	r->count--;
	return m;
}

/**
 * kipc_bcast_reader_detach() - a reader's handle closes
 * @q: the queue
 * @r: the reader, which lets go of everything it still holds
 *
 * Context: Process context; takes @q->lock.
 */
void kipc_bcast_reader_detach(struct kipc_queue *q, struct kipc_bcast_reader *r)
{
	LIST_HEAD(dead);

	spin_lock(&q->lock);
	list_del(&r->node);
	while (r->count)
		kipc_bcast_put(q, kipc_bcast_pop(q, r), &dead);
	/* A writer waiting for this reader's room can go on. */
	kipc_bcast_kick_senders(q);
	kipc_queue_unlock(q);

	kipc_qmsg_free_list(q, &dead);
	kipc_queue_poll_wake(q, EPOLLOUT | EPOLLWRNORM);
	kipc_queue_signal_io(q, POLL_OUT);
	mutex_destroy(&r->recv_lock);
	kvfree(r);
}

/**
 * kipc_bcast_full() - whether a send must wait
 * @q: the queue
 *
 * Context: Holds @q->lock.
 * Return: true when some reader is full and none may lose a message.
 */
bool kipc_bcast_full(struct kipc_queue *q)
{
	struct kipc_bcast_reader *r;

	lockdep_assert_held(&q->lock);

	if (q->flags & KIPC_QUEUE_DROP_OLDEST)
		return false;
	list_for_each_entry(r, &q->bcast_readers, node)
		if (r->count == q->max_msgs)
			return true;
	return false;
}

/**
 * kipc_bcast_kick_senders() - wake the senders a broadcast queue has room for
 * @q: the queue
 *
 * A broadcast queue's room is its fullest reader's; under DROP_OLDEST no
 * sender ever waits.
 *
 * Context: Holds @q->lock.
 */
void kipc_bcast_kick_senders(struct kipc_queue *q)
{
	lockdep_assert_held(&q->lock);

	kipc_queue_wake_senders(q, kipc_bcast_full(q) ? 0 : 1);
}

/**
 * kipc_bcast_deliver() - put a message in every reader's ring
 * @q: the queue
 * @m: the message sent
 * @dead: where messages that no one holds any more go
 *
 * A full ring loses its oldest message (only under DROP_OLDEST; otherwise
 * the sender waited for room). Messages no one holds any more, @m included
 * when there is no reader, go on @dead to be freed once the lock is
 * dropped.
 *
 * Context: Holds @q->lock.
 */
void kipc_bcast_deliver(struct kipc_queue *q, struct kipc_qmsg *m,
			struct list_head *dead)
{
	struct kipc_bcast_reader *r;
	struct kipc_waiter *w;

	lockdep_assert_held(&q->lock);

	m->refs = 1;		/* ours, while delivering */
	q->cur_msgs++;
	q->cur_bytes += m->len;
	trace_kipc_queue_send(q, m);
	list_for_each_entry(r, &q->bcast_readers, node) {
		if (r->count == q->max_msgs) {
			struct kipc_qmsg *old = kipc_bcast_pop(q, r);

			trace_kipc_queue_drop(q, old);
			kipc_bcast_put(q, old, dead);
			q->dropped++;
		}
		r->ring[(r->head + r->count) % q->max_msgs] = m;
		r->count++;
		m->refs++;
		w = list_first_entry_or_null(&r->waiters, struct kipc_waiter,
					     node);
		if (w)
			kipc_queue_wake(q, w);
	}
	kipc_bcast_put(q, m, dead);
}

/**
 * kipc_bcast_recv_one() - receive one message as a broadcast reader
 * @q: the queue
 * @r: the receiving handle's reader
 * @out: the message: in, the buffer; out, the message's metadata
 * @flags: enum kipc_io_flags
 * @nonblock: fail with -EAGAIN rather than wait
 * @deadline: an absolute CLOCK_MONOTONIC time, or NULL
 *
 * Context: Process context; takes the reader's recv_lock, then kipc_queue.lock,
 * which it drops to sleep and to copy out.
 * Return: 0, or a negative errno: -EINVAL, -EAGAIN, -ETIMEDOUT,
 * -ERESTARTSYS, -EMSGSIZE or -EFAULT.
 */
int kipc_bcast_recv_one(struct kipc_queue *q, struct kipc_bcast_reader *r,
			struct kipc_msg *out, u32 flags, bool nonblock,
			ktime_t *deadline)
{
	void __user *ubuf = u64_to_user_ptr(out->buf);
	struct kipc_waiter w = { .nopoll = flags & KIPC_IO_NOPOLL };
	struct pid *old_peer = NULL;
	struct kipc_qmsg *m;
	u32 buflen = out->len;
	LIST_HEAD(dead);
	u32 ncopy;
	u64 now;
	int ret = 0;

	if (flags & (KIPC_IO_TYPE_EXACT | KIPC_IO_TYPE_EXCEPT))
		return -EINVAL;
	if (mutex_lock_interruptible(&r->recv_lock))
		return -ERESTARTSYS;

	spin_lock(&q->lock);
	while (!r->count) {
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		ret = kipc_queue_wait(q, &r->waiters, &w, deadline);
		if (ret)
			break;
	}
	if (ret) {
		kipc_queue_count_failure(q, flags);
		goto unlock;
	}

	m = r->ring[r->head];
	if (m->len > buflen && !(flags & KIPC_IO_TRUNC)) {
		kipc_queue_count_failure(q, flags);
		out->len = m->len;
		ret = -EMSGSIZE;
		goto unlock;
	}
	ncopy = min(m->len, buflen);
	m->refs++;		/* ours, across the copy */
	kipc_qmsg_fill_meta(m, out);
	kipc_queue_unlock(q);

	ret = copy_to_user(ubuf, m->data, ncopy) ? -EFAULT : 0;
	now = ktime_get_real_ns();

	spin_lock(&q->lock);
	/*
	 * Taken unless it failed or was a peek. Under DROP_OLDEST a sender may
	 * have dropped it meanwhile; it was delivered all the same.
	 */
	if (!ret && !(flags & KIPC_IO_PEEK)) {
		if (r->count && r->ring[r->head] == m)
			kipc_bcast_put(q, kipc_bcast_pop(q, r), &dead);
		trace_kipc_queue_recv(q, m);
		q->received++;
		old_peer = kipc_queue_note_peer(q, &q->last_receiver,
						&q->last_recv_ns, now,
						task_tgid(current));
		kipc_bcast_kick_senders(q);
	}
	kipc_bcast_put(q, m, &dead);
unlock:
	kipc_queue_unlock(q);
	mutex_unlock(&r->recv_lock);
	put_pid(old_peer);
	kipc_qmsg_free_list(q, &dead);
	if (!ret && !(flags & KIPC_IO_PEEK)) {
		kipc_queue_poll_wake(q, EPOLLOUT | EPOLLWRNORM);
		kipc_queue_signal_io(q, POLL_OUT);
	}
	return ret;
}
