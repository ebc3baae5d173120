// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: the waiting machinery that queue.c and queue_bcast.c share. A
 * waiter sleeps on one of its queue's private waiter lists; whoever frees
 * a slot or queues a message takes exactly the waiters that can use it
 * off their list and marks them woken, and the tasks are woken once the
 * queue's lock is dropped (kipc_queue_unlock()), so that no wake-up runs
 * under the spinlock. Poll and epoll use the queue's poll_wait instead.
 *
 * The queue tracepoints are created here, the file that every queue file
 * calls into.
 *
 * Locking: everything here runs under kipc_queue.lock (lockdep-asserted),
 * except kipc_queue_poll_wake(), which needs no lock, and
 * kipc_queue_unlock(), which drops it. kipc_queue_wait() sleeps with it
 * dropped and returns with it held again.
 */

#include <linux/hrtimer.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/spinlock.h>

#include "kipc_internal.h"
#include "queue.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/**
 * kipc_queue_wake() - mark a waiter woken
 * @q: the queue
 * @w: a waiter on one of @q's lists
 *
 * Takes @w off its list and marks it woken; the task itself is woken when
 * the lock is dropped (kipc_queue_unlock()). The reference keeps the task
 * alive for that even if it has left the wait meanwhile, in which case the
 * wake-up is a harmless spurious one, as with the scheduler's wake_q.
 *
 * Context: Holds @q->lock.
 */
void kipc_queue_wake(struct kipc_queue *q, struct kipc_waiter *w)
{
	lockdep_assert_held(&q->lock);

	trace_kipc_queue_wake(q, w->task);
	list_del(&w->node);
	w->woken = true;
	if (w->pending)
		(*w->pending)++;
	if (q->nr_wake < KIPC_QUEUE_WAKE_MAX) {
		get_task_struct(w->task);
		q->wake[q->nr_wake++] = w->task;
	} else {
		wake_up_process(w->task);
	}
}

/**
 * kipc_queue_unlock() - drop a queue's lock, then wake the marked waiters
 * @q: the queue
 *
 * Every unlock of @q->lock goes through here, so that whoever
 * kipc_queue_wake() marked is woken, outside the spinlock.
 *
 * Context: Holds @q->lock, and returns without it.
 */
void kipc_queue_unlock(struct kipc_queue *q)
	__releases(&q->lock)
{
	struct task_struct *wake[KIPC_QUEUE_WAKE_MAX];
	u32 i, n = q->nr_wake;

	memcpy(wake, q->wake, n * sizeof(wake[0]));
	q->nr_wake = 0;
	spin_unlock(&q->lock);

	for (i = 0; i < n; i++) {
		wake_up_process(wake[i]);
		put_task_struct(wake[i]);
	}
}

/**
 * kipc_queue_wake_all() - mark every waiter of a list woken
 * @q: the queue
 * @waiters: one of @q's waiter lists
 *
 * For events that concern them all, like the end of file of a channel.
 *
 * Context: Holds @q->lock.
 */
void kipc_queue_wake_all(struct kipc_queue *q, struct list_head *waiters)
{
	struct kipc_waiter *w, *tmp;

	list_for_each_entry_safe(w, tmp, waiters, node)
		kipc_queue_wake(q, w);
}

/**
 * kipc_queue_note_peer() - record current as the last sender or receiver
 * @q: the queue
 * @peer: @q's last sender or last receiver
 * @when: the time of that send or receive
 * @now: CLOCK_REALTIME now, in nanoseconds
 *
 * A reference is taken only when the process changes, so a steady peer
 * costs no atomic operation.
 *
 * Context: Holds @q->lock.
 * Return: the reference replaced, or NULL; put it once @q->lock is dropped.
 */
struct pid *kipc_queue_note_peer(struct kipc_queue *q, struct pid **peer,
				 u64 *when, u64 now)
{
	struct pid *tgid = task_tgid(current), *old = NULL;

	lockdep_assert_held(&q->lock);

	*when = now;
	if (*peer != tgid) {
		old = *peer;
		*peer = get_pid(tgid);
	}
	return old;
}

/**
 * kipc_queue_wait() - sleep on a waiter list
 * @q: the queue
 * @list: @q's list of waiting senders or of waiting receivers
 * @w: the waiter, on the caller's stack
 * @deadline: an absolute CLOCK_MONOTONIC time, or NULL to wait for ever
 *
 * Sleeps until woken, signalled or past @deadline.
 *
 * Context: Process context; holds @q->lock, which is dropped while
 * sleeping and held again on return.
 * Return: 0 to look again, -ERESTARTSYS on a signal, -ETIMEDOUT past
 * @deadline.
 */
int kipc_queue_wait(struct kipc_queue *q, struct list_head *list,
		    struct kipc_waiter *w, ktime_t *deadline)
	__must_hold(&q->lock)
{
	int expired = 0;

	lockdep_assert_held(&q->lock);

	trace_kipc_queue_block(q, list == &q->send_waiters, deadline);
	w->task = current;
	w->woken = false;
	list_add_tail(&w->node, list);
	set_current_state(TASK_INTERRUPTIBLE);
	kipc_queue_unlock(q);

	if (deadline)
		expired = !schedule_hrtimeout_range(deadline, 0,
						    HRTIMER_MODE_ABS);
	else
		schedule();

	__set_current_state(TASK_RUNNING);
	spin_lock(&q->lock);
	if (w->woken) {
		if (w->pending)
			(*w->pending)--;
		return 0;
	}
	list_del(&w->node);
	if (signal_pending(current))
		return -ERESTARTSYS;
	if (expired)
		return -ETIMEDOUT;
	return 0;
}

/**
 * kipc_queue_poll_wake() - wake the queue's pollers
 * @q: the queue
 * @events: what has become ready
 *
 * Context: Any context; takes no kipc lock (the wait queue has its own).
 */
void kipc_queue_poll_wake(struct kipc_queue *q, __poll_t events)
{
	if (wq_has_sleeper(&q->poll_wait))
		wake_up_interruptible_poll(&q->poll_wait, events);
}

/**
 * kipc_queue_wake_senders() - wake the senders that @free_slots can serve
 * @q: the queue
 * @free_slots: the messages that the queue, or its fullest broadcast
 *	reader, has room for now
 *
 * One sender per free slot that no sender already woken will take; the
 * caller works out the room, which differs for broadcast queues.
 *
 * Context: Holds @q->lock.
 */
void kipc_queue_wake_senders(struct kipc_queue *q, u32 free_slots)
{
	struct kipc_waiter *w, *tmp;
	u32 budget;

	lockdep_assert_held(&q->lock);

	budget = free_slots > q->send_pending ? free_slots - q->send_pending : 0;
	list_for_each_entry_safe(w, tmp, &q->send_waiters, node) {
		if (!budget--)
			break;
		kipc_queue_wake(q, w);
	}
}
