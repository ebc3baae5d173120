// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: message queues: their creation, binding, handles, poll() and
 * introspection (getattr, netlink, fdinfo).
 *
 * A queue keeps one FIFO list per priority and a bitmap of the non-empty
 * ones. The data path that moves messages through them (send, receive,
 * batches, read() and write(), hand-off to a waiting receiver) is in
 * queue_io.c; the waiting and polling machinery in queue_wait.c; a
 * message's buffer and its life after the queue in queue_msg.c.
 *
 * Channels (one reader, one writer, end of file and EPIPE) are bound and
 * released here; broadcast readers are in queue_bcast.c and signals in
 * queue_notify.c.
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
	u32 poll_ns;
	u64 nr_polls, nr_poll_hits;
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
	/* Polling starts at its ceiling, and adapts from the first wait. */
	q->poll_ns = READ_ONCE(kipc_poll_ns);
	kipc_qmsg_pool_init(q);
	return &q->obj;
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
	s->poll_ns = READ_ONCE(q->poll_ns);
	s->nr_polls = q->nr_polls;
	s->nr_poll_hits = q->nr_poll_hits;
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
	/* The adaptive poll window now, and waits that polled and were served. */
	seq_printf(m, "kipc-poll:\tns %u polls %llu hits %llu\n", s.poll_ns,
		   s.nr_polls, s.nr_poll_hits);
	if (s.notify)
		seq_printf(m, "kipc-notify:\ttid %d signal %d%s\n",
			   s.notify_tid, s.notify_signo,
			   mine ? " this-handle" : "");
	else
		seq_puts(m, "kipc-notify:\tnone\n");
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
 * whoever waits is woken to see it. A handle bound for both was its own
 * peer, as "kipc queue create --channel" is: its going ends no session,
 * or a reader bound next would see end of file before any writer came.
 */
static void kipc_queue_release_handle(struct kipc_handle *h)
{
	struct kipc_queue *q = kipc_obj_queue(h->obj);
	const u32 both = KIPC_QUEUE_READ | KIPC_QUEUE_WRITE;
	bool ends = kipc_queue_is_channel(q) && (h->access & both) != both;
	__poll_t events = 0;

	kipc_queue_notify_drop(q, h);
	if (h->priv)
		kipc_bcast_reader_detach(q, h->priv);

	spin_lock(&q->lock);
	if (h->access & KIPC_QUEUE_READ && !--q->nr_readers && ends) {
		q->reader_gone = true;
		kipc_queue_wake_all(q, &q->send_waiters);
		events |= EPOLLERR;
	}
	if (h->access & KIPC_QUEUE_WRITE && !--q->nr_writers && ends) {
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
