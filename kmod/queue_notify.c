// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: signals from queues. Two kinds:
 *   - O_ASYNC (F_SETOWN, F_SETSIG): the fasync helpers send SIGIO or the
 *     chosen signal with si_fd and si_band, POLL_IN to readers when a
 *     message arrives and POLL_OUT to writers when room frees;
 *   - a one-shot arrival notification, as mq_notify() gives: one signal
 *     with a value, to one registered thread, when a message arrives in an
 *     empty queue that no receiver is waiting on.
 *
 * Locking: the registration lives in the queue and changes under
 * kipc_queue.lock; the signal itself is sent after the lock is dropped.
 * The fasync lists have their own locking.
 */

#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/user_namespace.h>

#include "queue.h"

/**
 * kipc_queue_signal_io() - send SIGIO to the handles that asked for it
 * @q: the queue
 * @band: POLL_IN, a message arrived, or POLL_OUT, room was freed
 *
 * Context: Any context; takes no kipc lock (fasync has its own locking).
 */
void kipc_queue_signal_io(struct kipc_queue *q, int band)
{
	if (band == POLL_IN)
		kill_fasync(&q->fasync_in, SIGIO, POLL_IN);
	else
		kill_fasync(&q->fasync_out, SIGIO, POLL_OUT);
}

/**
 * kipc_queue_fasync() - the ->fasync of a queue handle
 * @h: the handle
 * @fd: its descriptor
 * @file: its file
 * @on: whether O_ASYNC is being set or cleared
 *
 * Context: Process context; takes no kipc lock.
 * Return: 0, -EINVAL for a handle not bound to a queue, or fasync_helper()'s
 * negative errno.
 */
int kipc_queue_fasync(struct kipc_handle *h, int fd, struct file *file,
		      int on)
{
	struct kipc_obj *obj = kipc_handle_obj(h);
	struct kipc_queue *q;
	int ret = 0;

	if (!obj || obj->type != KIPC_OBJ_QUEUE)
		return -EINVAL;
	q = kipc_obj_queue(obj);
	if (h->access & KIPC_QUEUE_READ)
		ret = fasync_helper(fd, file, on, &q->fasync_in);
	if (ret >= 0 && (h->access & KIPC_QUEUE_WRITE))
		ret = fasync_helper(fd, file, on, &q->fasync_out);
	return ret < 0 ? ret : 0;
}

/**
 * kipc_queue_notify() - ioctl(KIPC_IOC_QUEUE_NOTIFY)
 * @h: the handle, bound to a queue for reading
 * @cmd: the command, copied in
 *
 * Registers, or with KIPC_NOTIFY_REMOVE removes, the handle's one-shot
 * arrival signal.
 *
 * Context: Process context; takes kipc_queue.lock.
 * Return: 0, or -EBADF, -EINVAL, -EBUSY or -ENOENT as the uapi header
 * documents.
 */
int kipc_queue_notify(struct kipc_handle *h, struct kipc_queue_notify *cmd)
{
	struct kipc_obj *obj = kipc_handle_obj(h);
	struct kipc_queue_notification old = {};
	struct kipc_queue *q;
	int ret = 0;

	if (!obj || obj->type != KIPC_OBJ_QUEUE ||
	    !(h->access & KIPC_QUEUE_READ))
		return -EBADF;
	q = kipc_obj_queue(obj);
	if (cmd->flags & ~KIPC_NOTIFY_REMOVE || cmd->__reserved)
		return -EINVAL;
	if (kipc_queue_is_broadcast(q))
		return -EINVAL;

	if (cmd->flags & KIPC_NOTIFY_REMOVE) {
		spin_lock(&q->lock);
		if (q->notify.owner == h) {
			old = q->notify;
			memset(&q->notify, 0, sizeof(q->notify));
		} else {
			ret = -ENOENT;
		}
		spin_unlock(&q->lock);
		put_pid(old.pid);
		if (old.user_ns)
			put_user_ns(old.user_ns);
		return ret;
	}

	if (!valid_signal(cmd->signo) || !cmd->signo)
		return -EINVAL;

	spin_lock(&q->lock);
	if (q->notify.pid) {
		ret = -EBUSY;
	} else {
		q->notify.pid = get_pid(task_pid(current));
		q->notify.user_ns = get_user_ns(current_user_ns());
		q->notify.owner = h;
		q->notify.signo = cmd->signo;
		q->notify.value = cmd->value;
	}
	spin_unlock(&q->lock);
	return ret;
}

/**
 * kipc_queue_notify_take() - take the registration if it should fire
 * @q: a queue that was empty and has just had a message queued
 * @out: the registration taken, for kipc_queue_notify_fire()
 *
 * It fires only when no receiver is waiting, and only once.
 *
 * Context: Holds @q->lock.
 * Return: whether a registration was taken into @out.
 */
bool kipc_queue_notify_take(struct kipc_queue *q,
			    struct kipc_queue_notification *out)
{
	lockdep_assert_held(&q->lock);

	if (!q->notify.pid || !list_empty(&q->recv_waiters))
		return false;
	*out = q->notify;
	memset(&q->notify, 0, sizeof(q->notify));
	return true;
}

/**
 * kipc_queue_notify_fire() - send a registration's signal
 * @n: what kipc_queue_notify_take() took
 *
 * Sends it from the sender's context, which si_pid and si_uid describe,
 * and drops the registration's references.
 *
 * Context: Process context, without the queue's lock; takes the RCU read
 * lock.
 */
void kipc_queue_notify_fire(struct kipc_queue_notification *n)
{
	struct kernel_siginfo info;
	struct task_struct *task;

	clear_siginfo(&info);
	info.si_signo = n->signo;
	info.si_code = SI_MESGQ;
	info.si_value.sival_ptr = u64_to_user_ptr(n->value);
	info.si_pid = task_tgid_nr_ns(current, ns_of_pid(n->pid));
	info.si_uid = from_kuid_munged(n->user_ns, current_uid());

	rcu_read_lock();
	task = pid_task(n->pid, PIDTYPE_PID);
	if (task)
		send_sig_info(n->signo, &info, task);
	rcu_read_unlock();

	put_pid(n->pid);
	put_user_ns(n->user_ns);
}

/**
 * kipc_queue_notify_drop() - drop the registration of a closing handle
 * @q: the queue
 * @h: the handle closing; only its own registration goes
 *
 * Context: Process context; takes kipc_queue.lock.
 */
void kipc_queue_notify_drop(struct kipc_queue *q, struct kipc_handle *h)
{
	struct kipc_queue_notification old = {};

	spin_lock(&q->lock);
	if (q->notify.owner == h) {
		old = q->notify;
		memset(&q->notify, 0, sizeof(q->notify));
	}
	spin_unlock(&q->lock);
	if (old.pid) {
		put_pid(old.pid);
		put_user_ns(old.user_ns);
	}
}
