// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: message queues.
 *
 * A queue keeps one FIFO list per priority and a bitmap of the non-empty
 * ones. Payloads are copied in before the queue lock is taken and copied
 * out after the message has left the queue, so no user copy ever happens
 * under the spinlock.
 *
 * Waiting is done with kipc-private waiter lists rather than wait queues,
 * so that a sender wakes exactly one receiver whose type selector accepts
 * the new message, and a receiver wakes exactly one sender per freed slot.
 * A waiter that was woken but leaves without using what it was woken for
 * hands the wake-up on (kipc_queue_kick_*), so nothing is left stranded.
 * Poll and epoll use the separate poll_wait queue.
 *
 * Locking:
 *   kipc_queue.lock (spinlock) guards everything mutable in the queue:
 *   the lists, counters, waiter lists and the small-message cache. It
 *   nests inside kipc_ns.lock when the registry frees a queue; nothing
 *   sleeps and no user memory is touched while it is held.
 */

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "kipc.h"

/* Payloads up to this size reuse cached buffers instead of kmalloc. */
#define KIPC_SMALL_PAYLOAD	256

struct kipc_qmsg {
	struct list_head node;
	u64 type;
	u64 seq;
	u64 time_ns;
	struct pid *tgid;
	struct pid *pid;
	kuid_t uid;
	kgid_t gid;
	u32 len;
	u32 prio;
	bool small;
	char data[];
};

struct kipc_waiter {
	struct list_head node;
	struct task_struct *task;
	/* Receivers only: which types they accept. */
	u32 type_mode;			/* 0, KIPC_IO_TYPE_EXACT or _EXCEPT */
	u64 type;
	bool woken;
};

struct kipc_queue {
	struct kipc_obj obj;
	spinlock_t lock;		/* everything below that changes */
	struct list_head prio[KIPC_PRIO_MAX];
	unsigned long prio_map;		/* bit p: prio[p] is non-empty */
	u32 max_msgs;
	u32 max_msg_size;
	u32 cur_msgs;
	u64 cur_bytes;
	u64 seq;
	u64 sent;
	u64 received;
	u64 failed;
	struct list_head recv_waiters;
	struct list_head send_waiters;
	wait_queue_head_t poll_wait;
	struct list_head small_cache;
	u32 nr_small_cached;
	kuid_t charged_uid;
	u64 charged;
};

#define KIPC_IO_RECV_ONLY	(KIPC_IO_PEEK | KIPC_IO_TRUNC | \
				 KIPC_IO_TYPE_EXACT | KIPC_IO_TYPE_EXCEPT)
#define KIPC_IO_ALL		(KIPC_IO_NONBLOCK | KIPC_IO_TIMEOUT | \
				 KIPC_IO_RECV_ONLY)
#define KIPC_QUEUE_BIND_ALL	(KIPC_QUEUE_READ | KIPC_QUEUE_WRITE | \
				 KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL | \
				 KIPC_QUEUE_AUTO_DELETE)

static_assert(KIPC_PRIO_MAX <= BITS_PER_LONG);

static inline struct kipc_queue *kipc_obj_queue(struct kipc_obj *obj)
{
	return container_of(obj, struct kipc_queue, obj);
}

/* What one queue may charge: its whole capacity, headers included. */
static u64 kipc_queue_capacity_bytes(u32 max_msgs, u32 max_msg_size)
{
	return (u64)max_msgs * (max_msg_size + sizeof(struct kipc_qmsg));
}

static void kipc_qmsg_release_refs(struct kipc_qmsg *m)
{
	put_pid(m->tgid);
	put_pid(m->pid);
}

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
	list_for_each_entry_safe(m, tmp, &q->small_cache, node)
		kfree(m);
	kipc_account_uncharge(q->charged_uid, q->charged);
	kfree(q);
}

static const struct kipc_obj_ops kipc_queue_ops = {
	.free = kipc_queue_free,
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
	ret = kipc_account_charge(q->charged_uid, q->charged);
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
	INIT_LIST_HEAD(&q->recv_waiters);
	INIT_LIST_HEAD(&q->send_waiters);
	init_waitqueue_head(&q->poll_wait);
	INIT_LIST_HEAD(&q->small_cache);
	return &q->obj;
}

static struct kipc_qmsg *kipc_qmsg_alloc(struct kipc_queue *q, u32 len)
{
	struct kipc_qmsg *m = NULL;

	if (len <= KIPC_SMALL_PAYLOAD) {
		spin_lock(&q->lock);
		m = list_first_entry_or_null(&q->small_cache, struct kipc_qmsg,
					     node);
		if (m) {
			list_del(&m->node);
			q->nr_small_cached--;
		}
		spin_unlock(&q->lock);
		if (!m)
			m = kmalloc(sizeof(*m) + KIPC_SMALL_PAYLOAD,
				    GFP_KERNEL_ACCOUNT);
		if (m)
			m->small = true;
		return m;
	}

	m = kvmalloc(sizeof(*m) + len, GFP_KERNEL_ACCOUNT);
	if (m)
		m->small = false;
	return m;
}

/* Small buffers go back to the cache, up to the queue's capacity. */
static void kipc_qmsg_free(struct kipc_queue *q, struct kipc_qmsg *m)
{
	if (m->small) {
		spin_lock(&q->lock);
		if (q->nr_small_cached < q->max_msgs) {
			list_add(&m->node, &q->small_cache);
			q->nr_small_cached++;
			m = NULL;
		}
		spin_unlock(&q->lock);
	}
	kvfree(m);
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

static void kipc_queue_wake(struct kipc_waiter *w)
{
	list_del(&w->node);
	w->woken = true;
	wake_up_process(w->task);
}

/* One receiver whose selector accepts @m, if any is waiting. */
static void kipc_queue_wake_receiver(struct kipc_queue *q, struct kipc_qmsg *m)
{
	struct kipc_waiter *w;

	lockdep_assert_held(&q->lock);

	list_for_each_entry(w, &q->recv_waiters, node) {
		if (kipc_type_accepts(w->type_mode, w->type, m->type)) {
			kipc_queue_wake(w);
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
	u32 budget = q->cur_msgs;

	lockdep_assert_held(&q->lock);

	list_for_each_entry_safe(w, tmp, &q->recv_waiters, node) {
		if (!budget)
			break;
		if (kipc_queue_find(q, w->type_mode, w->type)) {
			kipc_queue_wake(w);
			budget--;
		}
	}
}

/* One sender per free slot. */
static void kipc_queue_kick_senders(struct kipc_queue *q)
{
	struct kipc_waiter *w, *tmp;
	u32 budget = q->max_msgs - q->cur_msgs;

	lockdep_assert_held(&q->lock);

	list_for_each_entry_safe(w, tmp, &q->send_waiters, node) {
		if (!budget--)
			break;
		kipc_queue_wake(w);
	}
}

/*
 * Sleeps on @list until woken, signalled or past @deadline. Called and
 * returns with q->lock held. 0 means look again.
 */
static int kipc_queue_wait(struct kipc_queue *q, struct list_head *list,
			   struct kipc_waiter *w, ktime_t *deadline)
	__must_hold(&q->lock)
{
	int expired = 0;

	lockdep_assert_held(&q->lock);

	w->task = current;
	w->woken = false;
	list_add_tail(&w->node, list);
	set_current_state(TASK_INTERRUPTIBLE);
	spin_unlock(&q->lock);

	if (deadline)
		expired = !schedule_hrtimeout_range(deadline, 0,
						    HRTIMER_MODE_ABS);
	else
		schedule();

	__set_current_state(TASK_RUNNING);
	spin_lock(&q->lock);
	if (w->woken)
		return 0;
	list_del(&w->node);
	if (signal_pending(current))
		return -ERESTARTSYS;
	if (expired)
		return -ETIMEDOUT;
	return 0;
}

static void kipc_queue_poll_wake(struct kipc_queue *q, __poll_t events)
{
	if (wq_has_sleeper(&q->poll_wait))
		wake_up_interruptible_poll(&q->poll_wait, events);
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

/*
 * Queues one message whose payload is at @ubuf. Copies it in first, then
 * waits for room under the lock.
 */
static int kipc_queue_send_one(struct kipc_queue *q, const void __user *ubuf,
			       u32 len, u32 prio, u64 type, bool nonblock,
			       ktime_t *deadline)
{
	struct kipc_waiter w;
	struct kipc_qmsg *m;
	int ret = 0;

	if (prio >= KIPC_PRIO_MAX)
		return -EINVAL;
	if (len > q->max_msg_size)
		return -EMSGSIZE;

	m = kipc_qmsg_alloc(q, len);
	if (!m)
		return -ENOMEM;
	if (copy_from_user(m->data, ubuf, len)) {
		kipc_qmsg_free(q, m);
		return -EFAULT;
	}
	m->len = len;
	m->prio = prio;
	m->type = type;
	m->uid = current_euid();
	m->gid = current_egid();
	m->time_ns = ktime_get_real_ns();

	spin_lock(&q->lock);
	while (q->cur_msgs >= q->max_msgs) {
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		ret = kipc_queue_wait(q, &q->send_waiters, &w, deadline);
		if (ret)
			break;
	}
	if (ret) {
		q->failed++;
		spin_unlock(&q->lock);
		kipc_qmsg_free(q, m);
		return ret;
	}

	m->tgid = get_pid(task_tgid(current));
	m->pid = get_pid(task_pid(current));
	m->seq = ++q->seq;
	list_add_tail(&m->node, &q->prio[prio]);
	__set_bit(prio, &q->prio_map);
	q->cur_msgs++;
	q->cur_bytes += len;
	q->sent++;
	kipc_queue_wake_receiver(q, m);
	if (q->cur_msgs < q->max_msgs && !list_empty(&q->send_waiters))
		kipc_queue_kick_senders(q);
	spin_unlock(&q->lock);

	kipc_queue_poll_wake(q, EPOLLIN | EPOLLRDNORM);
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

/* The sender's identity as the receiver sees it. */
static void kipc_qmsg_fill_meta(const struct kipc_qmsg *m, struct kipc_msg *out)
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

/*
 * Receives one message into @out->buf (of @out->len bytes) and fills in
 * @out's metadata. Returns 0 or a negative errno; on EMSGSIZE, @out->len
 * is the size the message needs.
 */
static int kipc_queue_recv_one(struct kipc_queue *q, struct kipc_msg *out,
			       u32 flags, bool nonblock, ktime_t *deadline)
{
	u32 type_mode = flags & (KIPC_IO_TYPE_EXACT | KIPC_IO_TYPE_EXCEPT);
	void __user *ubuf = u64_to_user_ptr(out->buf);
	u32 buflen = out->len;
	struct kipc_waiter w = { .type_mode = type_mode, .type = out->type };
	struct kipc_qmsg *m;
	void *peek = NULL;
	u32 ncopy;
	int ret = 0;

	if (type_mode == (KIPC_IO_TYPE_EXACT | KIPC_IO_TYPE_EXCEPT))
		return -EINVAL;

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
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		ret = kipc_queue_wait(q, &q->recv_waiters, &w, deadline);
		if (ret)
			break;
	}
	if (ret) {
		q->failed++;
		spin_unlock(&q->lock);
		kvfree(peek);
		return ret;
	}

	if (m->len > buflen && !(flags & KIPC_IO_TRUNC)) {
		q->failed++;
		out->len = m->len;
		/* It stays queued; someone else may be able to take it. */
		kipc_queue_kick_receivers(q);
		spin_unlock(&q->lock);
		kvfree(peek);
		return -EMSGSIZE;
	}
	ncopy = min(m->len, buflen);

	if (peek) {
		memcpy(peek, m->data, ncopy);
		kipc_qmsg_fill_meta(m, out);
		kipc_queue_kick_receivers(q);
		spin_unlock(&q->lock);
		ret = copy_to_user(ubuf, peek, ncopy) ? -EFAULT : 0;
		kvfree(peek);
		return ret;
	}

	kipc_queue_unlink_msg(q, m);
	spin_unlock(&q->lock);

	if (copy_to_user(ubuf, m->data, ncopy)) {
		/* Nothing accepted is lost: the message goes back. */
		spin_lock(&q->lock);
		kipc_queue_requeue(q, m);
		kipc_queue_kick_receivers(q);
		spin_unlock(&q->lock);
		return -EFAULT;
	}
	kipc_qmsg_fill_meta(m, out);

	spin_lock(&q->lock);
	q->received++;
	if (!list_empty(&q->send_waiters))
		kipc_queue_kick_senders(q);
	if (q->cur_msgs && !list_empty(&q->recv_waiters))
		kipc_queue_kick_receivers(q);
	spin_unlock(&q->lock);

	kipc_qmsg_release_refs(m);
	kipc_qmsg_free(q, m);
	kipc_queue_poll_wake(q, EPOLLOUT | EPOLLWRNORM);
	return 0;
}

void kipc_queue_snapshot(struct kipc_obj *obj, struct kipc_queue_snapshot *s)
{
	struct kipc_queue *q = kipc_obj_queue(obj);

	spin_lock(&q->lock);
	s->max_msgs = q->max_msgs;
	s->max_msg_size = q->max_msg_size;
	s->cur_msgs = q->cur_msgs;
	s->cur_bytes = q->cur_bytes;
	s->sent = q->sent;
	s->received = q->received;
	s->failed = q->failed;
	spin_unlock(&q->lock);
}

int kipc_queue_send(struct kipc_handle *h, struct kipc_queue_io *cmd,
		    bool nonblock)
{
	struct kipc_queue *q = kipc_handle_queue(h, KIPC_QUEUE_WRITE);
	ktime_t deadline, *deadlinep;
	int ret;

	if (!q)
		return -EBADF;
	if (cmd->flags & ~(KIPC_IO_NONBLOCK | KIPC_IO_TIMEOUT))
		return -EINVAL;
	ret = kipc_io_deadline(cmd->flags, cmd->timeout_ns, &deadline,
			       &deadlinep);
	if (ret)
		return ret;

	return kipc_queue_send_one(q, u64_to_user_ptr(cmd->msg.buf),
				   cmd->msg.len, cmd->msg.prio, cmd->msg.type,
				   nonblock || (cmd->flags & KIPC_IO_NONBLOCK),
				   deadlinep);
}

/* Receives into cmd->msg; the caller writes cmd back on 0 and EMSGSIZE. */
int kipc_queue_recv(struct kipc_handle *h, struct kipc_queue_io *cmd,
		    bool nonblock)
{
	struct kipc_queue *q = kipc_handle_queue(h, KIPC_QUEUE_READ);
	ktime_t deadline, *deadlinep;
	int ret;

	if (!q)
		return -EBADF;
	if (cmd->flags & ~KIPC_IO_ALL)
		return -EINVAL;
	ret = kipc_io_deadline(cmd->flags, cmd->timeout_ns, &deadline,
			       &deadlinep);
	if (ret)
		return ret;

	return kipc_queue_recv_one(q, &cmd->msg, cmd->flags,
				   nonblock || (cmd->flags & KIPC_IO_NONBLOCK),
				   deadlinep);
}

static int kipc_batch_check(struct kipc_queue_batch *cmd, u32 allowed)
{
	if (cmd->flags & ~allowed)
		return -EINVAL;
	if (!cmd->count || cmd->count > KIPC_BATCH_MAX)
		return -EINVAL;
	if (cmd->msg_size < sizeof(struct kipc_msg))
		return -EINVAL;
	return 0;
}

/* Element @i of the caller's array, which may have a longer element type. */
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

	return copy_to_user(uptr, msg, sizeof(*msg)) ? -EFAULT : 0;
}

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
	ret = kipc_batch_check(cmd, KIPC_IO_NONBLOCK | KIPC_IO_TIMEOUT);
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
						  nonblock, deadlinep);
		if (ret)
			break;
	}
	return i ? i : ret;
}

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
	ret = kipc_batch_check(cmd, KIPC_IO_ALL);
	if (ret)
		return ret;
	ret = kipc_io_deadline(cmd->flags, cmd->timeout_ns, &deadline,
			       &deadlinep);
	if (ret)
		return ret;
	nonblock = nonblock || (cmd->flags & KIPC_IO_NONBLOCK);

	for (i = 0; i < cmd->count; i++) {
		ret = kipc_batch_get(cmd, i, &msg);
		if (ret)
			break;
		/* Only the first message is waited for. */
		ret = kipc_queue_recv_one(q, &msg, cmd->flags, nonblock || i,
					  deadlinep);
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

int kipc_queue_getattr(struct kipc_handle *h, struct kipc_queue_attr *cmd,
		       bool nonblock)
{
	struct kipc_queue *q = kipc_handle_queue(h, 0);
	struct user_namespace *userns = current_user_ns();

	if (!q)
		return -EBADF;
	if (cmd->flags)
		return -EINVAL;

	memset(cmd, 0, sizeof(*cmd));
	cmd->size = sizeof(*cmd);
	spin_lock(&q->lock);
	cmd->max_msgs = q->max_msgs;
	cmd->max_msg_size = q->max_msg_size;
	cmd->cur_msgs = q->cur_msgs;
	cmd->cur_bytes = q->cur_bytes;
	cmd->sent = q->sent;
	cmd->received = q->received;
	spin_unlock(&q->lock);
	cmd->queue_flags = q->obj.auto_delete ? KIPC_QUEUE_AUTO_DELETE : 0;
	cmd->mode = READ_ONCE(q->obj.mode);
	cmd->uid = from_kuid_munged(userns, q->obj.uid);
	cmd->gid = from_kgid_munged(userns, q->obj.gid);
	cmd->handle_flags = h->access | (nonblock ? KIPC_HANDLE_NONBLOCK : 0);
	return 0;
}

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
	ret = kipc_queue_recv_one(q, &msg, 0, nonblock, NULL);
	if (ret)
		return ret;
	return msg.len;
}

ssize_t kipc_queue_write(struct kipc_handle *h, const char __user *buf,
			 size_t len, bool nonblock)
{
	struct kipc_queue *q = kipc_handle_queue(h, KIPC_QUEUE_WRITE);
	int ret;

	if (!q)
		return -EBADF;
	if (len > q->max_msg_size)
		return -EMSGSIZE;
	ret = kipc_queue_send_one(q, buf, len, 0, 0, nonblock, NULL);
	if (ret)
		return ret;
	return len;
}

__poll_t kipc_queue_poll(struct kipc_handle *h, struct file *file,
			 poll_table *pt)
{
	struct kipc_queue *q = kipc_handle_queue(h, 0);
	__poll_t mask = 0;

	if (!q)
		return EPOLLERR;
	poll_wait(file, &q->poll_wait, pt);

	spin_lock(&q->lock);
	if ((h->access & KIPC_QUEUE_READ) && q->cur_msgs)
		mask |= EPOLLIN | EPOLLRDNORM;
	if ((h->access & KIPC_QUEUE_WRITE) && q->cur_msgs < q->max_msgs)
		mask |= EPOLLOUT | EPOLLWRNORM;
	spin_unlock(&q->lock);
	return mask;
}

int kipc_queue_bind(struct kipc_handle *h, struct kipc_queue_bind *cmd)
{
	u32 access = cmd->flags & (KIPC_QUEUE_READ | KIPC_QUEUE_WRITE);
	struct kipc_name name;
	struct kipc_bind_req req = {
		.type = KIPC_OBJ_QUEUE,
		.name = &name,
		.create = cmd->flags & KIPC_QUEUE_CREATE,
		.excl = cmd->flags & KIPC_QUEUE_EXCL,
		.auto_delete = cmd->flags & KIPC_QUEUE_AUTO_DELETE,
		.mode = cmd->mode,
		.may = ((access & KIPC_QUEUE_READ) ? MAY_READ : 0) |
		       ((access & KIPC_QUEUE_WRITE) ? MAY_WRITE : 0),
		.max_objs = READ_ONCE(kipc_max_queues),
		.create_obj = kipc_queue_create,
		.arg = cmd,
	};
	struct kipc_obj *obj;
	int ret;

	if (cmd->flags & ~KIPC_QUEUE_BIND_ALL || cmd->__reserved || !access)
		return -EINVAL;
	if ((cmd->flags & (KIPC_QUEUE_EXCL | KIPC_QUEUE_AUTO_DELETE)) &&
	    !(cmd->flags & KIPC_QUEUE_CREATE))
		return -EINVAL;
	if (cmd->mode & ~0777)
		return -EINVAL;
	ret = kipc_name_from_user(&name, cmd->name, cmd->name_len);
	if (ret)
		return ret;

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
	h->access = access;
	/* Publishes access with the object; pairs with kipc_handle_obj(). */
	smp_store_release(&h->obj, obj);
out:
	mutex_unlock(&h->bind_lock);
	return ret;
}

int kipc_queue_unlink(struct kipc_unlink *cmd)
{
	struct kipc_name name;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return -EINVAL;
	ret = kipc_name_from_user(&name, cmd->name, cmd->name_len);
	if (ret)
		return ret;
	return kipc_obj_unlink(KIPC_OBJ_QUEUE, &name);
}
