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
 * Before it sleeps, a waiter may poll: spin for a bounded time, watching
 * its own waiter for the wake-up, so that a peer that answers within
 * microseconds does not pay for a sleep and a wake-up on both sides (the
 * pattern of KVM's halt-polling). The window adapts per queue as KVM's
 * does: it grows when waits end shortly after it, and shrinks to nothing
 * when they are much longer, so an idle queue costs about one window per
 * wait. A waiter never polls while another task is runnable on its CPU,
 * when it or its queue asked not to (KIPC_IO_NOPOLL, KIPC_QUEUE_NOPOLL),
 * or beyond the poll_ns module parameter, 0 turning polling off.
 *
 * Locking: everything here runs under kipc_queue.lock (lockdep-asserted),
 * except kipc_queue_poll_wake(), which needs no lock, and
 * kipc_queue_unlock(), which drops it. kipc_queue_block() polls and
 * sleeps with it dropped; kipc_queue_wait() returns with it held again.
 * A waiter's state changes under the lock on both sides, so a waker sees
 * either a poller, which needs no wake-up, or a sleeper, which it wakes.
 * The poll window and the poll counters are read without the lock and
 * written under it; a stale window only costs one wait's tuning.
 */

#include <linux/hrtimer.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/sched/stat.h>
#include <linux/sched/task.h>
#include <linux/spinlock.h>

#include "kipc_internal.h"
#include "queue.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/**
 * kipc_queue_release_waiter() - let a waiter go, after it was dealt with
 * @q: the queue
 * @w: a waiter taken off its list, its result (if any) filled in
 *
 * A sleeping waiter's task is woken once the lock is dropped
 * (kipc_queue_unlock()); the reference keeps it alive for that even if it
 * has left the wait meanwhile, in which case the wake-up is a harmless
 * spurious one, as with the scheduler's wake_q. A polling waiter sees
 * @w->woken by itself. Setting it is the last access to @w.
 *
 * Context: Holds @q->lock.
 */
void kipc_queue_release_waiter(struct kipc_queue *q, struct kipc_waiter *w)
{
	lockdep_assert_held(&q->lock);

	if (w->state == KIPC_WAIT_POLL) {
		q->nr_poll_hits++;
		/* Pairs with the poller's acquire: @w is done with. */
		smp_store_release(&w->woken, true);
		return;
	}
	trace_kipc_queue_wake(q, w->task);
	/* What the poll window could have covered: not the wake-up itself. */
	w->served_ns = local_clock();
	if (q->nr_wake < KIPC_QUEUE_WAKE_MAX) {
		get_task_struct(w->task);
		q->wake[q->nr_wake++] = w->task;
	} else {
		wake_up_process(w->task);
	}
	/* Pairs with kipc_queue_block()'s acquire: @w is done with. */
	smp_store_release(&w->woken, true);
}

/**
 * kipc_queue_wake() - mark a waiter woken, to look again
 * @q: the queue
 * @w: a waiter on one of @q's lists
 *
 * Takes @w off its list and counts it pending until it runs.
 *
 * Context: Holds @q->lock.
 */
void kipc_queue_wake(struct kipc_queue *q, struct kipc_waiter *w)
{
	lockdep_assert_held(&q->lock);

	list_del(&w->node);
	if (w->pending)
		(*w->pending)++;
	kipc_queue_release_waiter(q, w);
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
 * kipc_queue_note_peer() - record the last sender or receiver
 * @q: the queue
 * @peer: @q's last sender or last receiver
 * @when: the time of that send or receive
 * @now: CLOCK_REALTIME now, in nanoseconds
 * @tgid: the process that sent or received
 *
 * A reference is taken only when the process changes, so a steady peer
 * costs no atomic operation.
 *
 * Context: Holds @q->lock.
 * Return: the reference replaced, or NULL; put it once @q->lock is dropped.
 */
struct pid *kipc_queue_note_peer(struct kipc_queue *q, struct pid **peer,
				 u64 *when, u64 now, struct pid *tgid)
{
	struct pid *old = NULL;

	lockdep_assert_held(&q->lock);

	*when = now;
	if (*peer != tgid) {
		old = *peer;
		*peer = get_pid(tgid);
	}
	return old;
}

/* Where the adaptive window starts growing from, as KVM's halt-polling. */
#define KIPC_POLL_START_NS	10000

/* The window a waiter may poll for now: 0 to sleep at once. */
static u32 kipc_queue_poll_budget(struct kipc_queue *q, struct kipc_waiter *w)
{
	u32 ceiling = READ_ONCE(kipc_poll_ns);

	if (w->nopoll || (q->flags & KIPC_QUEUE_NOPOLL) || !ceiling)
		return 0;
	if (!single_task_running())
		return 0;
	return min(READ_ONCE(q->poll_ns), ceiling);
}

/*
 * Tunes the queue's window from a wait that took @waited_ns and ended by
 * a wake-up (@served) or not: grow when the wake-up came just after the
 * window, shrink when waits outlast what polling may ever cover.
 */
static void kipc_queue_poll_adapt(struct kipc_queue *q, u64 waited_ns,
				  bool served)
{
	u32 ceiling = READ_ONCE(kipc_poll_ns);
	u32 cur = READ_ONCE(q->poll_ns);
	u32 next = cur;

	if (served && waited_ns <= ceiling) {
		if (cur < waited_ns)
			next = min(max(cur * 2, (u32)KIPC_POLL_START_NS), ceiling);
	} else if (waited_ns > ceiling) {
		next = cur / 2 < KIPC_POLL_START_NS ? 0 : cur / 2;
	}
	if (next != cur)
		WRITE_ONCE(q->poll_ns, next);
}

/*
 * Spins until @w is woken, for at most @budget_ns, while nothing else
 * wants this CPU. Return: whether @w was woken.
 */
static bool kipc_queue_spin(struct kipc_waiter *w, u32 budget_ns)
{
	u64 end = local_clock() + budget_ns;

	for (;;) {
		/* Pairs with kipc_queue_release_waiter()'s release. */
		if (smp_load_acquire(&w->woken))
			return true;
		if (need_resched() || signal_pending(current) ||
		    !single_task_running() || local_clock() >= end)
			return false;
		cpu_relax();
	}
}

/**
 * kipc_queue_enlist() - put a waiter on a waiter list
 * @q: the queue
 * @list: @q's list of waiting senders or of waiting receivers
 * @w: the waiter, on the caller's stack; the caller has set its selector,
 *	its hand-off fields and nopoll
 * @deadline: the deadline it will wait to, for the tracepoint
 *
 * It polls first when kipc_queue_poll_budget() allows, else sleeps.
 *
 * Context: Holds @q->lock; kipc_queue_block() must follow.
 */
void kipc_queue_enlist(struct kipc_queue *q, struct list_head *list,
		       struct kipc_waiter *w, ktime_t *deadline)
{
	lockdep_assert_held(&q->lock);

	trace_kipc_queue_block(q, list == &q->send_waiters, deadline);
	w->task = current;
	w->woken = false;
	w->msg = NULL;
	w->result = 0;
	w->served_ns = 0;
	w->state = kipc_queue_poll_budget(q, w) ? KIPC_WAIT_POLL : KIPC_WAIT_SLEEP;
	if (w->state == KIPC_WAIT_POLL)
		q->nr_polls++;
	else
		set_current_state(TASK_INTERRUPTIBLE);
	list_add_tail(&w->node, list);
}

/**
 * kipc_queue_block() - wait, enlisted, until woken, signalled or past
 *	@deadline
 * @q: the queue
 * @w: the waiter, enlisted with kipc_queue_enlist() in this lock round
 * @deadline: an absolute CLOCK_MONOTONIC time, or NULL to wait for ever
 *
 * Drops the lock, polls if @w may, then sleeps unless woken meanwhile.
 * Whoever handed @w a message (queue_io.c) is done with it once
 * @w->woken is seen; the caller takes the message without the lock.
 *
 * Context: Process context; holds @q->lock, and returns without it.
 * Return: 1 when @w was seen woken (so no lock round is needed to know
 * it), 0 when it may not have been, -ETIMEDOUT past @deadline.
 */
int kipc_queue_block(struct kipc_queue *q, struct kipc_waiter *w,
		     ktime_t *deadline)
	__releases(&q->lock)
{
	u32 budget = w->state == KIPC_WAIT_POLL ?
		     min(READ_ONCE(q->poll_ns), READ_ONCE(kipc_poll_ns)) : 0;
	u64 start = local_clock();
	int expired = 0;
	bool woken;

	kipc_queue_unlock(q);
	if (budget) {
		if (kipc_queue_spin(w, budget))
			return 1;
		spin_lock(&q->lock);
		if (w->woken) {
			kipc_queue_unlock(q);
			return 1;
		}
		w->state = KIPC_WAIT_SLEEP;
		set_current_state(TASK_INTERRUPTIBLE);
		kipc_queue_unlock(q);
	}

	if (deadline)
		expired = !schedule_hrtimeout_range(deadline, 0,
						    HRTIMER_MODE_ABS);
	else
		schedule();
	__set_current_state(TASK_RUNNING);

	/* Pairs with kipc_queue_release_waiter()'s release. */
	woken = smp_load_acquire(&w->woken);
	/*
	 * Waits that were never to poll say nothing of the window. A served
	 * wait counts until it was served, not until this task ran again,
	 * which adds the wake-up's latency: that would make every wait look
	 * longer than any window where waking is slow, and polling, which is
	 * there to avoid that latency, would shut itself off.
	 */
	if (!w->nopoll && !(q->flags & KIPC_QUEUE_NOPOLL))
		kipc_queue_poll_adapt(q, woken && w->served_ns > start ?
				      w->served_ns - start :
				      local_clock() - start, woken);
	if (woken)
		return 1;
	return expired ? -ETIMEDOUT : 0;
}

/**
 * kipc_queue_wait_done() - finish a wait, with the lock held again
 * @q: the queue
 * @w: the waiter
 * @blocked: what kipc_queue_block() returned
 *
 * Context: Holds @q->lock.
 * Return: 0 to look again, -ERESTARTSYS on a signal, -ETIMEDOUT past the
 * deadline. A woken waiter always looks again, whatever else happened.
 */
int kipc_queue_wait_done(struct kipc_queue *q, struct kipc_waiter *w,
			 int blocked)
{
	lockdep_assert_held(&q->lock);

	if (w->woken) {
		if (w->pending)
			(*w->pending)--;
		return 0;
	}
	list_del(&w->node);
	if (signal_pending(current))
		return -ERESTARTSYS;
	return blocked < 0 ? blocked : 0;
}

/**
 * kipc_queue_wait() - wait on a waiter list
 * @q: the queue
 * @list: @q's list of waiting senders or of waiting receivers
 * @w: the waiter, on the caller's stack
 * @deadline: an absolute CLOCK_MONOTONIC time, or NULL to wait for ever
 *
 * Polls or sleeps until woken, signalled or past @deadline.
 *
 * Context: Process context; holds @q->lock, which is dropped while
 * waiting and held again on return.
 * Return: as kipc_queue_wait_done().
 */
int kipc_queue_wait(struct kipc_queue *q, struct list_head *list,
		    struct kipc_waiter *w, ktime_t *deadline)
	__must_hold(&q->lock)
{
	int blocked;

	kipc_queue_enlist(q, list, w, deadline);
	blocked = kipc_queue_block(q, w, deadline);
	spin_lock(&q->lock);
	return kipc_queue_wait_done(q, w, blocked);
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
