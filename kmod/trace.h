/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kipc tracepoints: what a queue does, message by message, for perf,
 * trace-cmd, bpftrace and tracefs (events/kipc/). Each event names its
 * queue by its unique id and by its name; the name is copied as it is,
 * so a reader of the trace buffer (which needs tracefs access, root's by
 * default) sees its raw bytes.
 *
 * The events fire under kipc_queue.lock, where the state they report is
 * consistent; a disabled tracepoint costs a patched-out branch.
 *
 * CREATE_TRACE_POINTS is defined by queue.c alone. An out-of-tree module
 * must find this file through TRACE_INCLUDE_PATH (.), so Kbuild adds
 * -I$(src) for queue.o.
 *
 * Locking: no lock of its own; every event is emitted with
 * kipc_queue.lock held, which each asserts.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kipc

#if !defined(_KIPC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _KIPC_TRACE_H

#include <linux/sched.h>
#include <linux/tracepoint.h>

#include "queue.h"

DECLARE_EVENT_CLASS(kipc_queue_msg,
		    TP_PROTO(const struct kipc_queue *q, const struct kipc_qmsg *m),
		    TP_ARGS(q, m),
		    TP_STRUCT__entry(__field(u64, id)
				     __dynamic_array(char, name, q->obj.name_len + 1)
				     __field(u64, seq)
				     __field(u64, type)
				     __field(u32, len)
				     __field(u32, prio)
				     __field(u32, cur_msgs)),
		    TP_fast_assign(lockdep_assert_held(&q->lock);
				   __entry->id = q->obj.id;
				   memcpy(__get_str(name), q->obj.name, q->obj.name_len);
				   __get_str(name)[q->obj.name_len] = '\0';
				   __entry->seq = m->seq;
				   __entry->type = m->type;
				   __entry->len = m->len;
				   __entry->prio = m->prio;
				   __entry->cur_msgs = q->cur_msgs;),
		    TP_printk("queue=%llu name=%s seq=%llu len=%u prio=%u type=%llu cur_msgs=%u",
			      __entry->id, __get_str(name), __entry->seq,
			      __entry->len, __entry->prio, __entry->type,
			      __entry->cur_msgs)
);

/* A message queued; on a broadcast queue, delivered to every reader. */
DEFINE_EVENT(kipc_queue_msg, kipc_queue_send,
	     TP_PROTO(const struct kipc_queue *q, const struct kipc_qmsg *m),
	     TP_ARGS(q, m));

/* A message taken off the queue by a receive (a peek takes none). */
DEFINE_EVENT(kipc_queue_msg, kipc_queue_recv,
	     TP_PROTO(const struct kipc_queue *q, const struct kipc_qmsg *m),
	     TP_ARGS(q, m));

/* A broadcast reader's oldest message, dropped for room (drop-oldest). */
DEFINE_EVENT(kipc_queue_msg, kipc_queue_drop,
	     TP_PROTO(const struct kipc_queue *q, const struct kipc_qmsg *m),
	     TP_ARGS(q, m));

/* A new message handed to a receiver that waits for it. */
TRACE_EVENT(kipc_queue_handoff,
	    TP_PROTO(const struct kipc_queue *q, const struct kipc_qmsg *m,
		     const struct task_struct *receiver),
	    TP_ARGS(q, m, receiver),
	    TP_STRUCT__entry(__field(u64, id)
			     __dynamic_array(char, name, q->obj.name_len + 1)
			     __field(u64, seq)
			     __field(pid_t, receiver)),
	    TP_fast_assign(lockdep_assert_held(&q->lock);
			   __entry->id = q->obj.id;
			   memcpy(__get_str(name), q->obj.name, q->obj.name_len);
			   __get_str(name)[q->obj.name_len] = '\0';
			   __entry->seq = m->seq;
			   __entry->receiver = receiver->pid;),
	    TP_printk("queue=%llu name=%s seq=%llu receiver=%d",
		      __entry->id, __get_str(name), __entry->seq,
		      __entry->receiver)
);

/* The current task blocks, to receive or to send, with a deadline or not. */
TRACE_EVENT(kipc_queue_block,
	    TP_PROTO(const struct kipc_queue *q, bool send, bool timed),
	    TP_ARGS(q, send, timed),
	    TP_STRUCT__entry(__field(u64, id)
			     __dynamic_array(char, name, q->obj.name_len + 1)
			     __field(bool, send)
			     __field(bool, timed)
			     __field(u32, cur_msgs)),
	    TP_fast_assign(lockdep_assert_held(&q->lock);
			   __entry->id = q->obj.id;
			   memcpy(__get_str(name), q->obj.name, q->obj.name_len);
			   __get_str(name)[q->obj.name_len] = '\0';
			   __entry->send = send;
			   __entry->timed = timed;
			   __entry->cur_msgs = q->cur_msgs;),
	    TP_printk("queue=%llu name=%s op=%s timed=%d cur_msgs=%u",
		      __entry->id, __get_str(name),
		      __entry->send ? "send" : "recv", __entry->timed,
		      __entry->cur_msgs)
);

/* A blocked task is woken: by a send, a receive, a close or end of file. */
TRACE_EVENT(kipc_queue_wake,
	    TP_PROTO(const struct kipc_queue *q, const struct task_struct *task),
	    TP_ARGS(q, task),
	    TP_STRUCT__entry(__field(u64, id)
			     __dynamic_array(char, name, q->obj.name_len + 1)
			     __field(pid_t, task)),
	    TP_fast_assign(lockdep_assert_held(&q->lock);
			   __entry->id = q->obj.id;
			   memcpy(__get_str(name), q->obj.name, q->obj.name_len);
			   __get_str(name)[q->obj.name_len] = '\0';
			   __entry->task = task->pid;),
	    TP_printk("queue=%llu name=%s task=%d",
		      __entry->id, __get_str(name), __entry->task)
);

/* The one-shot arrival notification fires: signal signo to thread tid. */
TRACE_EVENT(kipc_queue_notify,
	    TP_PROTO(const struct kipc_queue *q, pid_t tid, int signo),
	    TP_ARGS(q, tid, signo),
	    TP_STRUCT__entry(__field(u64, id)
			     __dynamic_array(char, name, q->obj.name_len + 1)
			     __field(pid_t, tid)
			     __field(int, signo)),
	    TP_fast_assign(lockdep_assert_held(&q->lock);
			   __entry->id = q->obj.id;
			   memcpy(__get_str(name), q->obj.name, q->obj.name_len);
			   __get_str(name)[q->obj.name_len] = '\0';
			   __entry->tid = tid;
			   __entry->signo = signo;),
	    TP_printk("queue=%llu name=%s tid=%d signo=%d",
		      __entry->id, __get_str(name), __entry->tid,
		      __entry->signo)
);

#endif /* _KIPC_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
