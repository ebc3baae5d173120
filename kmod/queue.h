/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The insides of a kipc queue, shared by queue.c (the queue itself and
 * channels), queue_msg.c (message buffers), queue_bcast.c (broadcast
 * readers) and queue_notify.c (signals). Locking is documented in queue.c.
 */
#ifndef _KIPC_QUEUE_H
#define _KIPC_QUEUE_H

#include <linux/bits.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "kipc_internal.h"

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
	u32 refs;			/* broadcast: readers holding it */
	bool small;			/* KIPC_QMSG_SMALL bytes, else max_msg_size */
	char data[];
};

/* The payload room of a queue's small buffers (queue_msg.c). */
#define KIPC_QMSG_SMALL		256

/*
 * How a waiter waits, set by the waiter under the queue lock: spinning in
 * its bounded poll window (the waker need not wake the task) or asleep.
 */
enum kipc_wait_state {
	KIPC_WAIT_SLEEP,
	KIPC_WAIT_POLL,
};

struct kipc_waiter {
	struct list_head node;
	struct task_struct *task;
	/* Receivers only: which types they accept. */
	u32 type_mode;			/* 0, KIPC_IO_TYPE_EXACT or _EXCEPT */
	u64 type;
	/* Counts woken waiters that have not run yet; NULL: not counted. */
	u32 *pending;
	bool nopoll;			/* KIPC_IO_NOPOLL: sleep at once */
	u8 state;			/* enum kipc_wait_state */
	/*
	 * Receivers of an ordinary queue that may be handed a message
	 * (queue_io.c): the buffer's size and whether it truncates. The
	 * waker fills in @msg, or @result -EMSGSIZE and @msg_len, before it
	 * sets @woken.
	 */
	bool handoff;
	bool trunc;
	u32 buflen;
	u32 msg_len;
	int result;
	struct kipc_qmsg *msg;
	u64 served_ns;			/* local_clock() when woken from sleep */
	/*
	 * Written last by the waker, with release semantics: once a waiter
	 * sees it, the waker no longer touches the waiter, which lives on
	 * the waiting task's stack.
	 */
	bool woken;
};

/*
 * Wake-ups gathered under the lock and done after it, so a woken task does
 * not find the lock still held by its waker. More than this many in one
 * critical section are done under the lock.
 */
#define KIPC_QUEUE_WAKE_MAX	8

/* A one-shot arrival signal, as mq_notify() registers. */
struct kipc_queue_notification {
	struct pid *pid;		/* the registering thread; NULL: none */
	struct user_namespace *user_ns;	/* for si_uid */
	struct kipc_handle *owner;
	int signo;
	u64 value;
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
	u64 dropped;			/* broadcast, DROP_OLDEST */
	u32 flags;			/* creation flags kept for life */
	u32 nr_readers;			/* bound handles that may receive */
	u32 nr_writers;			/* bound handles that may send */
	bool writer_gone;		/* channel: EOF once drained */
	bool reader_gone;		/* channel: EPIPE */
	struct list_head bcast_readers;
	struct kipc_queue_notification notify;
	struct fasync_struct *fasync_in;	/* own lock; not q->lock */
	struct fasync_struct *fasync_out;
	struct list_head recv_waiters;
	struct list_head send_waiters;
	u32 reserved;			/* slots a batch send is filling */
	u32 recv_pending;		/* woken receivers not yet running */
	u32 send_pending;		/* woken senders not yet running */
	/* Tasks to wake once the lock is dropped, with a reference each. */
	u32 nr_wake;
	struct task_struct *wake[KIPC_QUEUE_WAKE_MAX];
	wait_queue_head_t poll_wait;
	/* The adaptive poll window (queue_wait.c) and what it achieved. */
	u32 poll_ns;
	u64 nr_polls;			/* waits that polled */
	u64 nr_poll_hits;		/* ... and were served while polling */
	/* Buffers kept for reuse; pool_lock, not lock (queue_msg.c). */
	spinlock_t pool_lock;
	struct list_head pool_small;
	struct list_head pool_large;
	u32 nr_pool_small;
	u32 nr_pool_large;
	kuid_t charged_uid;
	u64 charged;
	/* Who last sent and received, and when, for introspection. */
	struct pid *last_sender;	/* a reference, or NULL */
	struct pid *last_receiver;
	u64 last_send_ns;		/* CLOCK_REALTIME */
	u64 last_recv_ns;
};

/* One handle bound for reading to a broadcast queue. */
struct kipc_bcast_reader {
	struct list_head node;		/* in q->bcast_readers */
	struct list_head waiters;
	struct mutex recv_lock;		/* one receive at a time */
	u32 head;
	u32 count;
	struct kipc_qmsg *ring[];	/* q->max_msgs entries */
};

#define KIPC_IO_RECV_ONLY	(KIPC_IO_PEEK | KIPC_IO_TRUNC | \
				 KIPC_IO_TYPE_EXACT | KIPC_IO_TYPE_EXCEPT | \
				 KIPC_IO_SEQ)
#define KIPC_IO_SEND_ALL	(KIPC_IO_NONBLOCK | KIPC_IO_TIMEOUT | \
				 KIPC_IO_NOSIGNAL | KIPC_IO_NOPOLL)
#define KIPC_IO_RECV_ALL	(KIPC_IO_NONBLOCK | KIPC_IO_TIMEOUT | \
				 KIPC_IO_NOPOLL | KIPC_IO_SEQ | \
				 KIPC_IO_RECV_ONLY)
/*
 * Internal, never from user space: a batch's messages after the first.
 * The batch has succeeded by then, so what ends it (nothing more ready,
 * no room, a message too large) is not a failed call and is not counted.
 */
#define KIPC_IO_BATCH_MORE	BIT(31)
static_assert(!((KIPC_IO_SEND_ALL | KIPC_IO_RECV_ALL) & KIPC_IO_BATCH_MORE));

#define KIPC_QUEUE_KIND		(KIPC_QUEUE_CHANNEL | KIPC_QUEUE_BROADCAST | \
				 KIPC_QUEUE_DROP_OLDEST | KIPC_QUEUE_ANONYMOUS | \
				 KIPC_QUEUE_NOPOLL)
#define KIPC_QUEUE_BIND_ALL	(KIPC_QUEUE_READ | KIPC_QUEUE_WRITE | \
				 KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL | \
				 KIPC_QUEUE_AUTO_DELETE | KIPC_QUEUE_KIND)

static inline struct kipc_queue *kipc_obj_queue(struct kipc_obj *obj)
{
	return container_of(obj, struct kipc_queue, obj);
}

static inline bool kipc_queue_is_broadcast(const struct kipc_queue *q)
{
	return q->flags & KIPC_QUEUE_BROADCAST;
}

/* A send or receive failed: counted unless a batch had already succeeded. */
static inline void kipc_queue_count_failure(struct kipc_queue *q, u32 flags)
{
	lockdep_assert_held(&q->lock);

	if (!(flags & KIPC_IO_BATCH_MORE))
		q->failed++;
}

static inline bool kipc_queue_is_channel(const struct kipc_queue *q)
{
	return q->flags & KIPC_QUEUE_CHANNEL;
}

/* The queue @h is bound to, if it is one and @h has @access to it. */
static inline struct kipc_queue *kipc_handle_queue(struct kipc_handle *h,
						   unsigned int access)
{
	struct kipc_obj *obj = kipc_handle_obj(h);

	if (!obj || obj->type != KIPC_OBJ_QUEUE || (h->access & access) != access)
		return NULL;
	return kipc_obj_queue(obj);
}

/*
 * The queue files call one another in one direction only: queue.c calls
 * queue_io.c, queue_io.c calls queue_bcast.c and queue_notify.c, and all
 * of them call queue_msg.c and queue_wait.c, the lowest.
 */

/* queue_io.c */
void kipc_queue_kick_senders(struct kipc_queue *q);
bool kipc_queue_full(struct kipc_queue *q);

/* queue_wait.c */
struct pid *kipc_queue_note_peer(struct kipc_queue *q, struct pid **peer,
				 u64 *when, u64 now, struct pid *tgid);
void kipc_queue_enlist(struct kipc_queue *q, struct list_head *list,
		       struct kipc_waiter *w, ktime_t *deadline);
void kipc_queue_release_waiter(struct kipc_queue *q, struct kipc_waiter *w);
int kipc_queue_block(struct kipc_queue *q, struct kipc_waiter *w,
		     ktime_t *deadline) __releases(&q->lock);
int kipc_queue_wait_done(struct kipc_queue *q, struct kipc_waiter *w,
			 int blocked);
int kipc_queue_wait(struct kipc_queue *q, struct list_head *list,
		    struct kipc_waiter *w, ktime_t *deadline)
	__must_hold(&q->lock);
void kipc_queue_unlock(struct kipc_queue *q) __releases(&q->lock);
void kipc_queue_wake(struct kipc_queue *q, struct kipc_waiter *w);
void kipc_queue_wake_all(struct kipc_queue *q, struct list_head *waiters);
void kipc_queue_wake_senders(struct kipc_queue *q, u32 free_slots);
void kipc_queue_poll_wake(struct kipc_queue *q, __poll_t events);

/* queue_msg.c */
void kipc_qmsg_pool_init(struct kipc_queue *q);
struct kipc_qmsg *kipc_qmsg_get(struct kipc_queue *q, u32 len);
void kipc_qmsg_put(struct kipc_queue *q, struct kipc_qmsg *m);
bool kipc_qmsg_fits_small(const struct kipc_queue *q, u32 len);
u32 kipc_qmsg_take_small(struct kipc_queue *q, struct kipc_qmsg **ms, u32 n);
void kipc_qmsg_put_many(struct kipc_queue *q, struct kipc_qmsg **ms, u32 n);
void kipc_qmsg_pool_drain(struct kipc_queue *q);
void kipc_qmsg_release_refs(struct kipc_qmsg *m);
void kipc_qmsg_fill_meta(const struct kipc_qmsg *m, struct kipc_msg *out);
void kipc_qmsg_free_list(struct kipc_queue *q, struct list_head *list);

/* queue_bcast.c */
struct kipc_bcast_reader *kipc_bcast_reader_alloc(struct kipc_queue *q);
void kipc_bcast_reader_attach(struct kipc_queue *q, struct kipc_bcast_reader *r);
void kipc_bcast_reader_detach(struct kipc_queue *q, struct kipc_bcast_reader *r);
bool kipc_bcast_full(struct kipc_queue *q);
void kipc_bcast_kick_senders(struct kipc_queue *q);
void kipc_bcast_deliver(struct kipc_queue *q, struct kipc_qmsg *m,
			struct list_head *dead);
int kipc_bcast_recv_one(struct kipc_queue *q, struct kipc_bcast_reader *r,
			struct kipc_msg *out, u32 flags, bool nonblock,
			ktime_t *deadline);

/* queue_notify.c */
bool kipc_queue_notify_take(struct kipc_queue *q,
			    struct kipc_queue_notification *out);
void kipc_queue_notify_fire(struct kipc_queue_notification *n);
void kipc_queue_notify_drop(struct kipc_queue *q, struct kipc_handle *h);
void kipc_queue_signal_io(struct kipc_queue *q, int band);

#endif /* _KIPC_QUEUE_H */
