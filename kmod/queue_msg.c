// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: what becomes of a queued message once it has left its queue, for
 * queue.c and queue_bcast.c alike: its metadata copied out as the
 * receiver sees it, and its buffer put back in the queue's small-message
 * cache or freed.
 *
 * Locking: kipc_queue.lock guards the cache; kipc_qmsg_cache_put() is
 * called with it held, kipc_qmsg_free() and kipc_qmsg_free_list() take it
 * themselves, so they are called without it. A message that has left its
 * queue belongs to its caller alone.
 */

#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/user_namespace.h>

#include "kipc_internal.h"
#include "queue.h"

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
 * kipc_qmsg_cache_put() - put a message's buffer back in the queue's cache
 * @q: the queue
 * @m: a message that has left @q
 *
 * Small buffers go back to the cache, up to the queue's capacity.
 *
 * Context: Holds @q->lock.
 * Return: what is left for the caller to free outside the lock, or NULL.
 */
struct kipc_qmsg *kipc_qmsg_cache_put(struct kipc_queue *q,
				      struct kipc_qmsg *m)
{
	lockdep_assert_held(&q->lock);

	if (!m->small || q->nr_small_cached >= q->max_msgs)
		return m;
	list_add(&m->node, &q->small_cache);
	q->nr_small_cached++;
	return NULL;
}

/**
 * kipc_qmsg_free() - free a message's buffer, or cache it
 * @q: the queue it was on
 * @m: the message, its references already put
 *
 * Context: Process context; takes @q->lock for a small buffer.
 */
void kipc_qmsg_free(struct kipc_queue *q, struct kipc_qmsg *m)
{
	if (m->small) {
		spin_lock(&q->lock);
		m = kipc_qmsg_cache_put(q, m);
		kipc_queue_unlock(q);
		if (!m)
			return;
	}
	kvfree(m);
}

/**
 * kipc_qmsg_free_list() - free messages that left their queue
 * @q: the queue they were on
 * @list: the messages, taken off @q under its lock
 *
 * Context: Process context, without @q->lock, which it takes.
 */
void kipc_qmsg_free_list(struct kipc_queue *q, struct list_head *list)
{
	struct kipc_qmsg *m, *tmp;

	list_for_each_entry_safe(m, tmp, list, node) {
		kipc_qmsg_release_refs(m);
		kipc_qmsg_free(q, m);
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
