// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: message buffers, kept by each queue for reuse, and what becomes
 * of a message once it has left its queue (for queue.c and queue_bcast.c
 * alike): its metadata copied out as the receiver sees it, and its buffer
 * given back.
 *
 * A message is one allocation: its header and payload. Allocating one per
 * send is what made large messages slow: a 64 KiB payload is an order-5
 * block, which the kernel also zeroes when init_on_alloc is set, as
 * Debian's kernels do, so every message paid twice its size in clearing
 * before the copy. A queue therefore keeps the buffers its messages leave
 * behind, in two sizes: small ones (KIPC_QMSG_SMALL bytes, for most
 * messages) and, when the queue allows larger messages, ones of its full
 * max_msg_size, allocated once and then reused. A send takes one before
 * it copies the payload straight into it, outside the queue lock, so
 * there is no second copy through the stack and, once the queue has
 * warmed up, no allocation at all.
 *
 * The pool is bounded by the queue's capacity: a buffer is kept only
 * while the buffers kept of its size and the messages queued stay within
 * max_msgs, so what a queue holds never exceeds what was charged for it at
 * creation (max_msgs messages of max_msg_size).
 *
 * Locking:
 *   kipc_queue.pool_lock (spinlock) guards the two free lists and their
 *   counts, and nothing else. It is a lock of its own so that a sender
 *   takes a buffer, and a receiver gives one back, without a round of the
 *   queue lock, and it is never held with kipc_queue.lock. Allocation and
 *   freeing happen outside both. A message that has left its queue
 *   belongs to its caller alone.
 */

#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/user_namespace.h>

#include "kipc_internal.h"
#include "queue.h"

static struct list_head *kipc_qmsg_pool(struct kipc_queue *q, bool small)
{
	return small ? &q->pool_small : &q->pool_large;
}

static u32 *kipc_qmsg_pool_count(struct kipc_queue *q, bool small)
{
	return small ? &q->nr_pool_small : &q->nr_pool_large;
}

/* Frees the buffers of a list no one else can reach. */
static void kipc_qmsg_free_all(struct list_head *list)
{
	struct kipc_qmsg *m, *tmp;

	list_for_each_entry_safe(m, tmp, list, node)
		kvfree(m);
}

/* A kept buffer of that size, or NULL. Holds pool_lock. */
static struct kipc_qmsg *kipc_qmsg_pool_pop(struct kipc_queue *q, bool small)
{
	struct kipc_qmsg *m;

	lockdep_assert_held(&q->pool_lock);

	m = list_first_entry_or_null(kipc_qmsg_pool(q, small),
				     struct kipc_qmsg, node);
	if (m) {
		list_del(&m->node);
		(*kipc_qmsg_pool_count(q, small))--;
	}
	return m;
}

/*
 * Keeps @m while the buffers kept of its size and the messages queued
 * stay within max_msgs. Holds pool_lock. Return: whether it was kept.
 */
static bool kipc_qmsg_pool_keep(struct kipc_queue *q, struct kipc_qmsg *m)
{
	u32 *count = kipc_qmsg_pool_count(q, m->small);

	lockdep_assert_held(&q->pool_lock);

	/* cur_msgs changes under the queue lock; a stale value only errs by one. */
	if (*count + READ_ONCE(q->cur_msgs) >= q->max_msgs)
		return false;
	list_add(&m->node, kipc_qmsg_pool(q, m->small));
	(*count)++;
	return true;
}

/**
 * kipc_qmsg_pool_init() - set up a new queue's buffer pool
 * @q: the queue, not yet reachable
 *
 * Context: Any context; takes no lock.
 */
void kipc_qmsg_pool_init(struct kipc_queue *q)
{
	spin_lock_init(&q->pool_lock);
	INIT_LIST_HEAD(&q->pool_small);
	INIT_LIST_HEAD(&q->pool_large);
}

/**
 * kipc_qmsg_get() - a buffer for a message of @len bytes
 * @q: the queue the message is for
 * @len: its payload size, at most @q->max_msg_size
 *
 * Takes a kept buffer of the right size, or allocates one, charged to the
 * caller's memory cgroup. Its header is not initialised.
 *
 * Context: Process context; may sleep. Neither queue lock may be held.
 * Return: the buffer, or NULL when out of memory.
 */
struct kipc_qmsg *kipc_qmsg_get(struct kipc_queue *q, u32 len)
{
	bool small = kipc_qmsg_fits_small(q, len);
	u32 cap = small ? KIPC_QMSG_SMALL : q->max_msg_size;
	struct kipc_qmsg *m;

	might_sleep();
	spin_lock(&q->pool_lock);
	m = kipc_qmsg_pool_pop(q, small);
	spin_unlock(&q->pool_lock);
	if (m)
		return m;

	/* A small buffer is a slab object; a large one may be vmalloc'ed. */
	if (small)
		m = kmalloc(struct_size(m, data, cap), GFP_KERNEL_ACCOUNT);
	else
		m = kvmalloc(struct_size(m, data, cap), GFP_KERNEL_ACCOUNT);
	if (m)
		m->small = small;
	return m;
}

/**
 * kipc_qmsg_put() - give back a message's buffer
 * @q: the queue it belonged to
 * @m: the buffer; its pid references must already be put
 *
 * Keeps it for the next send while the queue's pool has room, else frees
 * it.
 *
 * Context: Process context, with neither queue lock held: freeing a large
 * buffer may mean vfree(), which may sleep.
 */
void kipc_qmsg_put(struct kipc_queue *q, struct kipc_qmsg *m)
{
	bool kept;

	might_sleep();

	spin_lock(&q->pool_lock);
	kept = kipc_qmsg_pool_keep(q, m);
	spin_unlock(&q->pool_lock);
	if (!kept)
		kvfree(m);
}

/**
 * kipc_qmsg_take_small() - take kept small buffers for a batch
 * @q: the queue the messages are for
 * @ms: where to put them
 * @n: how many are wanted
 *
 * One round of the pool lock for a chunk of messages, instead of one per
 * message. A buffer taken and not used goes back with kipc_qmsg_put_many().
 *
 * Context: Neither queue lock may be held.
 * Return: how many were taken, from 0 to @n; none when the queue's small
 * buffers are not what its messages use.
 */
u32 kipc_qmsg_take_small(struct kipc_queue *q, struct kipc_qmsg **ms, u32 n)
{
	u32 i = 0;

	spin_lock(&q->pool_lock);
	while (i < n && (ms[i] = kipc_qmsg_pool_pop(q, true)))
		i++;
	spin_unlock(&q->pool_lock);
	return i;
}

/**
 * kipc_qmsg_fits_small() - whether a small buffer holds a message
 * @q: the queue
 * @len: the message's payload size
 *
 * Context: Any context; takes no lock.
 * Return: true when kipc_qmsg_get() would give a small buffer for @len.
 */
bool kipc_qmsg_fits_small(const struct kipc_queue *q, u32 len)
{
	return len <= KIPC_QMSG_SMALL || q->max_msg_size <= KIPC_QMSG_SMALL;
}

/**
 * kipc_qmsg_put_many() - give back buffers in one round of the pool lock
 * @q: the queue they belong to
 * @ms: the buffers; their pid references must already be put
 * @n: how many
 *
 * Context: Process context, with neither queue lock held.
 */
void kipc_qmsg_put_many(struct kipc_queue *q, struct kipc_qmsg **ms, u32 n)
{
	LIST_HEAD(excess);
	u32 i;

	might_sleep();
	spin_lock(&q->pool_lock);
	for (i = 0; i < n; i++)
		if (!kipc_qmsg_pool_keep(q, ms[i]))
			list_add(&ms[i]->node, &excess);
	spin_unlock(&q->pool_lock);
	kipc_qmsg_free_all(&excess);
}

/**
 * kipc_qmsg_pool_drain() - free every kept buffer of a dying queue
 * @q: the queue, which no one can reach any more
 *
 * Context: Process context, no locks held.
 */
void kipc_qmsg_pool_drain(struct kipc_queue *q)
{
	kipc_qmsg_free_all(&q->pool_small);
	kipc_qmsg_free_all(&q->pool_large);
	q->nr_pool_small = 0;
	q->nr_pool_large = 0;
}

/**
 * kipc_qmsg_release_refs() - put the sender's PID references of a message
 * @m: a message that has left its queue
 *
 * Context: Any context; takes no lock.
 */
void kipc_qmsg_release_refs(struct kipc_qmsg *m)
{
	put_pid(m->tgid);
	put_pid(m->pid);
}

/**
 * kipc_qmsg_free_list() - give back the buffers of messages that left
 *	their queue
 * @q: the queue they were on
 * @list: the messages, taken off @q under its lock
 *
 * Context: Process context, with neither queue lock held.
 */
void kipc_qmsg_free_list(struct kipc_queue *q, struct list_head *list)
{
	struct kipc_qmsg *m, *tmp;

	list_for_each_entry_safe(m, tmp, list, node) {
		kipc_qmsg_release_refs(m);
		kipc_qmsg_put(q, m);
	}
}

/**
 * kipc_qmsg_fill_meta() - copy a message's metadata out
 * @m: the message
 * @out: what the receiver gets: the sender's identity as the receiver's
 *	namespaces see it, and the message's length, priority, type, time
 *	and sequence number
 *
 * Context: Process context (current is the receiver); takes no lock.
 */
void kipc_qmsg_fill_meta(const struct kipc_qmsg *m, struct kipc_msg *out)
{
	struct pid_namespace *pidns = task_active_pid_ns(current);
	struct user_namespace *userns = current_user_ns();

	out->len = m->len;
	out->prio = m->prio;
	out->type = m->type;
	out->pid = pid_nr_ns(m->tgid, pidns);
	out->tid = pid_nr_ns(m->pid, pidns);
	out->uid = from_kuid_munged(userns, m->uid);
	out->gid = from_kgid_munged(userns, m->gid);
	out->time_ns = m->time_ns;
	out->seq = m->seq;
}
