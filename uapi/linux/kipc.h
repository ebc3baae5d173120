/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * kipc: kernel-mediated IPC through /dev/kipc and the "kipc" generic
 * netlink family.
 *
 * Every ioctl takes a pointer to a struct that starts with
 * "__u32 size; __u32 flags;". The caller sets size to sizeof() of the struct
 * it was built against. The kernel accepts an older, smaller struct (down to
 * the first published size) and a newer, larger one whose unknown tail is
 * zero, so the ABI can grow without new ioctl numbers. Output fields are
 * written back only up to the caller's size.
 *
 * Errors common to every ioctl:
 *   EFAULT  the struct pointer cannot be read or written
 *   EINVAL  size is below the first published size of the struct;
 *           a flag is unknown; a reserved field is non-zero
 *   E2BIG   size is larger than the kernel knows and the unknown tail
 *           is not all zero
 *   ENOTTY  the ioctl number is unknown
 */
#ifndef _UAPI_LINUX_KIPC_H
#define _UAPI_LINUX_KIPC_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define KIPC_DEVICE_NAME	"kipc"

/*
 * Bumped when a published struct or command changes meaning; never reused.
 * 2: the ioctls moved to magic 0xBB, numbers from 0x80 (1 used nsfs's 0xB7
 * from 0); a module answers only the numbers of its own ABI.
 */
#define KIPC_ABI_VERSION	2

/* Module version as (major << 16) | (minor << 8) | patch. */
#define KIPC_VERSION_CODE(maj, min, pat) (((maj) << 16) | ((min) << 8) | (pat))

/*
 * Features the loaded module supports, reported by KIPC_IOC_VERSION and by
 * KIPC_CMD_VERSION_GET. The library tests these before using a feature.
 * Macros rather than an enum: an enumerator is an int in ISO C, and a
 * 64-bit mask must not depend on the compiler's leniency.
 */
#define KIPC_FEAT_VERSION	_BITULL(0)
#define KIPC_FEAT_NETLINK	_BITULL(1)
#define KIPC_FEAT_QUEUE		_BITULL(2)
#define KIPC_FEAT_REGION	_BITULL(3)
#define KIPC_FEAT_MONITOR	_BITULL(4)
#define KIPC_FEAT_NOTIFY	_BITULL(5)
#define KIPC_FEAT_CHANNEL	_BITULL(6)
#define KIPC_FEAT_BROADCAST	_BITULL(7)
#define KIPC_FEAT_PURGE		_BITULL(8)
#define KIPC_FEAT_POLL		_BITULL(9)
#define KIPC_FEAT_RECV_SEQ	_BITULL(10)
#define KIPC_FEAT_RING		_BITULL(11)

/* Object names are 1..KIPC_NAME_MAX bytes with no NUL among them. */
#define KIPC_NAME_MAX		255

/* Message priorities are 0..KIPC_PRIO_MAX-1; higher is received first. */
#define KIPC_PRIO_MAX		32

/*
 * Hard limits on a queue's capacity, whatever the module parameters say.
 * Below them, max_msgs above the module's max_msgs_limit, or max_msg_size
 * above its msg_size_limit, needs CAP_SYS_RESOURCE.
 */
#define KIPC_QUEUE_HARD_MAX_MSGS	65536
#define KIPC_QUEUE_HARD_MSG_SIZE	(16 << 20)

/* The most messages one batch ioctl moves. */
#define KIPC_BATCH_MAX		1024
/* A batch moves at most this many messages per lock round. */
#define KIPC_BATCH_CHUNK	32

/*
 * 0xBB is free in Documentation/userspace-api/ioctl/ioctl-number.rst of
 * Linux 6.1, 6.12 and 7.3, so an ioctl sent to the wrong file (a namespace file,
 * /dev/null) fails there with ENOTTY instead of meaning something else.
 * kipc's numbers are 0x80-0x9F; they start above 0, as iommufd's and
 * ntsync's do, so that no stray _IO(x, 0) probe lands on a command.
 */
#define KIPC_IOC_MAGIC		0xBB

/*
 * Ioctl numbers. Never reuse or renumber one; retire it with a comment.
 * The size is not encoded in the number because it travels in the struct.
 */
enum {
	KIPC_IOC_NR_VERSION		= 0x80,
	KIPC_IOC_NR_QUEUE_BIND		= 0x81,
	KIPC_IOC_NR_QUEUE_UNLINK	= 0x82,
	KIPC_IOC_NR_QUEUE_SEND		= 0x83,
	KIPC_IOC_NR_QUEUE_RECV		= 0x84,
	KIPC_IOC_NR_QUEUE_SEND_BATCH	= 0x85,
	KIPC_IOC_NR_QUEUE_RECV_BATCH	= 0x86,
	KIPC_IOC_NR_QUEUE_GETATTR	= 0x87,
	KIPC_IOC_NR_REGION_BIND		= 0x88,
	KIPC_IOC_NR_REGION_UNLINK	= 0x89,
	KIPC_IOC_NR_REGION_INFO		= 0x8a,
	KIPC_IOC_NR_QUEUE_NOTIFY	= 0x8b,
	KIPC_IOC_NR_QUEUE_PEER		= 0x8c,
	KIPC_IOC_NR_PURGE		= 0x8d,
	KIPC_IOC_NR_RING_BIND		= 0x8e,
	KIPC_IOC_NR_RING_UNLINK		= 0x8f,
	KIPC_IOC_NR_RING_INFO		= 0x90,
	KIPC_IOC_NR_RING_WAIT		= 0x91,
	KIPC_IOC_NR_RING_WAKE		= 0x92,
	KIPC_IOC_NR_RING_PRODUCER	= 0x93
};

/**
 * struct kipc_version - ioctl(KIPC_IOC_VERSION)
 * @size: sizeof(struct kipc_version)
 * @flags: must be 0
 * @abi_version: out, KIPC_ABI_VERSION of the loaded module
 * @module_version: out, KIPC_VERSION_CODE() of the loaded module
 * @features: out, bitmask of KIPC_FEAT_*
 * @__reserved: must be 0
 *
 * Works on any handle, bound or not.
 *
 * Errors: only the common ones.
 */
struct kipc_version {
	__u32 size;
	__u32 flags;
	__u32 abi_version;
	__u32 module_version;
	__u64 features;
	__u64 __reserved;
};

#define KIPC_IOC_VERSION	_IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_VERSION)

/**
 * enum kipc_queue_bind_flags - flags of struct kipc_queue_bind
 * @KIPC_QUEUE_READ: the handle may receive
 * @KIPC_QUEUE_WRITE: the handle may send
 * @KIPC_QUEUE_CREATE: create the queue if the name is free (O_CREAT)
 * @KIPC_QUEUE_EXCL: with CREATE, fail with EEXIST if it exists (O_EXCL)
 * @KIPC_QUEUE_AUTO_DELETE: with CREATE, the queue is unlinked when its
 *	last handle closes, so a crashed program leaves nothing behind
 * @KIPC_QUEUE_CHANNEL: with CREATE, a pipe-like queue: at most one handle
 *	bound for reading and one for writing (EBUSY for another). Once the
 *	writer has closed and the queue is drained, receives report end of
 *	file; once the reader has closed, sends fail with EPIPE
 * @KIPC_QUEUE_BROADCAST: with CREATE, every handle bound for reading
 *	receives every message sent after it bound, in send order; each
 *	reader's backlog holds at most max_msgs messages
 * @KIPC_QUEUE_DROP_OLDEST: with BROADCAST, a reader whose backlog is full
 *	loses its oldest message (counted in @dropped of the attributes)
 *	instead of making the writer wait
 * @KIPC_QUEUE_ANONYMOUS: create a queue with no name (name_len 0) that
 *	only this handle and its peers (KIPC_IOC_QUEUE_PEER) can reach; it
 *	goes away with the last of them
 * @KIPC_QUEUE_NOPOLL: with CREATE, blocked sends and receives on the queue
 *	sleep at once instead of polling first (KIPC_FEAT_POLL)
 */
enum kipc_queue_bind_flags {
	KIPC_QUEUE_READ		= 1 << 0,
	KIPC_QUEUE_WRITE	= 1 << 1,
	KIPC_QUEUE_CREATE	= 1 << 2,
	KIPC_QUEUE_EXCL		= 1 << 3,
	KIPC_QUEUE_AUTO_DELETE	= 1 << 4,
	KIPC_QUEUE_CHANNEL	= 1 << 5,
	KIPC_QUEUE_BROADCAST	= 1 << 6,
	KIPC_QUEUE_DROP_OLDEST	= 1 << 7,
	KIPC_QUEUE_ANONYMOUS	= 1 << 8,
	KIPC_QUEUE_NOPOLL	= 1 << 9
};

/**
 * struct kipc_queue_bind - ioctl(KIPC_IOC_QUEUE_BIND)
 * @size: sizeof(struct kipc_queue_bind)
 * @flags: enum kipc_queue_bind_flags; READ, WRITE or both is required
 * @name: pointer to the name, name_len bytes, not NUL-terminated
 * @name_len: 1..KIPC_NAME_MAX
 * @mode: permission bits, at most 0777, when creating (no umask applies,
 *	as for System V IPC)
 * @max_msgs: capacity in messages when creating; 0 picks the default
 * @max_msg_size: largest payload in bytes when creating; 0 picks the default
 * @__reserved: must be 0
 *
 * Binds an unbound handle to a queue in the caller's IPC namespace. The
 * mode is checked like a file's against the caller's fsuid and fsgid;
 * CAP_IPC_OWNER in the namespace's user namespace overrides it. A queue
 * created without AUTO_DELETE lives until unlinked, even with no handles.
 *
 * Errors:
 *   EINVAL       no access flag; EXCL or AUTO_DELETE without CREATE;
 *                name_len 0 or a NUL in the name; mode beyond 0777;
 *                max_msgs or max_msg_size above the module's ceiling
 *                (without CAP_SYS_RESOURCE) or above the hard limit
 *   ENAMETOOLONG name_len > KIPC_NAME_MAX
 *   EBUSY        the handle is already bound
 *   ENOENT       no queue of that name and no CREATE
 *   EEXIST       CREATE|EXCL and the name exists
 *   EACCES       the mode refuses the requested access
 *   ENOSPC       the namespace holds the module's max_queues already
 *   EMFILE       the creator's RLIMIT_MSGQUEUE cannot cover the queue
 *   ENOMEM       out of memory
 */
struct kipc_queue_bind {
	__u32 size;
	__u32 flags;
	__u64 name;
	__u32 name_len;
	__u32 mode;
	__u32 max_msgs;
	__u32 max_msg_size;
	__u64 __reserved;
};

#define KIPC_IOC_QUEUE_BIND	_IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_QUEUE_BIND)

/**
 * struct kipc_unlink - ioctl(KIPC_IOC_QUEUE_UNLINK)
 * @size: sizeof(struct kipc_unlink)
 * @flags: must be 0
 * @name: pointer to the name, name_len bytes
 * @name_len: 1..KIPC_NAME_MAX
 * @__reserved: must be 0
 *
 * Removes the name; handles already bound keep working, and the queue is
 * freed with the last of them. Works on any handle, bound or not.
 *
 * Errors: EINVAL and ENAMETOOLONG as for the name of KIPC_IOC_QUEUE_BIND;
 * ENOENT no such queue; EPERM the caller's fsuid is neither the owner's
 * nor the creator's and it lacks CAP_IPC_OWNER.
 */
struct kipc_unlink {
	__u32 size;
	__u32 flags;
	__u64 name;
	__u32 name_len;
	__u32 __reserved;
};

#define KIPC_IOC_QUEUE_UNLINK	_IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_QUEUE_UNLINK)

/**
 * enum kipc_io_flags - flags of the send and receive ioctls
 * @KIPC_IO_NONBLOCK: fail with EAGAIN instead of waiting, whatever the
 *	handle's O_NONBLOCK
 * @KIPC_IO_TIMEOUT: wait no later than @timeout_ns, an absolute
 *	CLOCK_MONOTONIC time; ETIMEDOUT once it passes
 * @KIPC_IO_PEEK: receive: copy the message out but leave it queued
 * @KIPC_IO_TRUNC: receive: copy what fits of a message larger than the
 *	buffer and remove it, instead of failing with EMSGSIZE
 * @KIPC_IO_TYPE_EXACT: receive: only messages whose type equals @type
 * @KIPC_IO_TYPE_EXCEPT: receive: only messages whose type differs from @type
 * @KIPC_IO_NOSIGNAL: send on a channel whose reader is gone: fail with
 *	EPIPE without raising SIGPIPE
 * @KIPC_IO_NOPOLL: if the call must wait, sleep at once rather than poll
 *	for a bounded time first (KIPC_FEAT_POLL)
 * @KIPC_IO_SEQ: receive: exactly the message whose sequence number is
 *	@seq, ENOENT if it is not queued (KIPC_FEAT_RECV_SEQ); it never waits
 */
enum kipc_io_flags {
	KIPC_IO_NONBLOCK	= 1 << 0,
	KIPC_IO_TIMEOUT		= 1 << 1,
	KIPC_IO_PEEK		= 1 << 2,
	KIPC_IO_TRUNC		= 1 << 3,
	KIPC_IO_TYPE_EXACT	= 1 << 4,
	KIPC_IO_TYPE_EXCEPT	= 1 << 5,
	KIPC_IO_NOSIGNAL	= 1 << 6,
	KIPC_IO_NOPOLL		= 1 << 7,
	KIPC_IO_SEQ		= 1 << 8
};

/**
 * struct kipc_msg - one message, for send and receive
 * @buf: pointer to the payload (send) or the buffer (receive)
 * @len: send: payload length; receive: in, the buffer's size; out, the
 *	message's full length, which exceeds the bytes copied only with
 *	KIPC_IO_TRUNC
 * @prio: send: 0..KIPC_PRIO_MAX-1; receive: out
 * @type: send: any value; receive: in, the selector with
 *	KIPC_IO_TYPE_EXACT or KIPC_IO_TYPE_EXCEPT; out, the message's type
 * @pid: receive, out: the sender's process ID in the receiver's PID
 *	namespace, 0 if it has none there
 * @tid: receive, out: the sending thread's ID, likewise
 * @uid: receive, out: the sender's euid in the receiver's user namespace
 * @gid: receive, out: the sender's egid in the receiver's user namespace
 * @time_ns: receive, out: CLOCK_REALTIME when the message was sent
 * @seq: receive, out: the queue's sequence number of the message,
 *	counting from 1; in, with KIPC_IO_SEQ, the message wanted
 */
struct kipc_msg {
	__u64 buf;
	__u32 len;
	__u32 prio;
	__u64 type;
	__s32 pid;
	__s32 tid;
	__u32 uid;
	__u32 gid;
	__u64 time_ns;
	__u64 seq;
};

/* The first published size of struct kipc_msg, the least a batch takes. */
#define KIPC_MSG_SIZE_VER0	56

/**
 * struct kipc_queue_io - ioctl(KIPC_IOC_QUEUE_SEND) and (KIPC_IOC_QUEUE_RECV)
 * @size: sizeof(struct kipc_queue_io)
 * @flags: enum kipc_io_flags; PEEK, TRUNC and TYPE_* only for receive
 * @timeout_ns: with KIPC_IO_TIMEOUT, the absolute CLOCK_MONOTONIC deadline
 * @msg: the message
 *
 * Both return 0 on success. On send, the output-only fields of @msg are
 * ignored. Send copies @msg.len bytes from @msg.buf into the queue, waiting
 * while it is full. Receive takes the oldest message of the highest priority
 * that the selector accepts, waiting while there is none. Only one waiter
 * is woken per message or per freed slot. A signal interrupts a wait and
 * the call restarts when the handler allows, else fails with EINTR.
 *
 * A receiver that is waiting when a message it accepts arrives is handed
 * that message directly by the sender; what it gets, and in what order,
 * is exactly what it would have taken from the queue. A blocked call may
 * poll, for at most the module's poll_ns, before it sleeps (see
 * KIPC_IO_NOPOLL). A result that cannot be written puts the message back
 * in its place, with its sequence number (EFAULT): nothing is lost.
 *
 * Errors:
 *   EBADF     the handle is not bound to a queue, or was bound without
 *             the access the call needs (as for mq_send on O_RDONLY)
 *   EINVAL    prio >= KIPC_PRIO_MAX; a receive flag on send; both TYPE_*;
 *             KIPC_IO_SEQ with TYPE_*, or on a broadcast queue
 *   ENOENT    KIPC_IO_SEQ: no message of that sequence number is queued
 *   EMSGSIZE  send: len > max_msg_size; receive: the message is larger
 *             than the buffer and KIPC_IO_TRUNC is not set (it stays
 *             queued, and len reports its size)
 *   EAGAIN    it would wait, and KIPC_IO_NONBLOCK or O_NONBLOCK is set
 *   ETIMEDOUT the deadline passed
 *   EINTR     a signal arrived while waiting
 *   EFAULT    the payload or buffer, or the struct, is not accessible
 *   ENOMEM    out of memory
 */
struct kipc_queue_io {
	__u32 size;
	__u32 flags;
	__s64 timeout_ns;
	struct kipc_msg msg;
};

#define KIPC_IOC_QUEUE_SEND	_IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_QUEUE_SEND)
#define KIPC_IOC_QUEUE_RECV	_IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_QUEUE_RECV)

/**
 * struct kipc_queue_batch - ioctl(KIPC_IOC_QUEUE_SEND_BATCH) and
 *	(KIPC_IOC_QUEUE_RECV_BATCH)
 * @size: sizeof(struct kipc_queue_batch)
 * @flags: enum kipc_io_flags, applied to every message
 * @timeout_ns: with KIPC_IO_TIMEOUT, the absolute CLOCK_MONOTONIC deadline
 * @msgs: pointer to an array of @count struct kipc_msg
 * @count: 1..KIPC_BATCH_MAX
 * @msg_size: sizeof(struct kipc_msg) as the caller knows it, at least
 *	KIPC_MSG_SIZE_VER0, so the element can grow: a shorter element is
 *	read as if zero-extended and written no further than its size; a
 *	longer one's unknown tail must be zero (E2BIG)
 *
 * Send moves the messages in order, waiting for space as a single send
 * would. Receive waits as a single receive would for the first message,
 * then takes as many more as are ready without waiting. The return value
 * is the number of messages moved. If a message fails after others were
 * moved, the call returns the count so far; the error is returned only
 * when nothing was moved.
 *
 * Both move up to KIPC_BATCH_CHUNK messages per round of the queue's lock,
 * with one wake-up per round. The messages of one round are contiguous
 * in sequence numbers: no other sender's message comes between them, and
 * they share one send time. Receive takes a round's messages in the order
 * single receives would, each element with its own selector.
 *
 * Errors: those of struct kipc_queue_io, and EINVAL for count 0 or above
 * KIPC_BATCH_MAX or a msg_size below KIPC_MSG_SIZE_VER0; E2BIG for an
 * element whose tail beyond the kernel's struct kipc_msg is not zero.
 */
struct kipc_queue_batch {
	__u32 size;
	__u32 flags;
	__s64 timeout_ns;
	__u64 msgs;
	__u32 count;
	__u32 msg_size;
};

#define KIPC_IOC_QUEUE_SEND_BATCH _IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_QUEUE_SEND_BATCH)
#define KIPC_IOC_QUEUE_RECV_BATCH _IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_QUEUE_RECV_BATCH)

/**
 * struct kipc_queue_attr - ioctl(KIPC_IOC_QUEUE_GETATTR)
 * @size: sizeof(struct kipc_queue_attr)
 * @flags: must be 0
 * @max_msgs: out, capacity in messages
 * @max_msg_size: out, largest payload
 * @cur_msgs: out, messages queued now
 * @queue_flags: out, the creation flags among AUTO_DELETE, CHANNEL,
 *	BROADCAST, DROP_OLDEST and ANONYMOUS
 * @cur_bytes: out, payload bytes queued now
 * @sent: out, messages sent since creation
 * @received: out, messages received (not peeked) since creation
 * @mode: out, permission bits
 * @uid: out, owner in the caller's user namespace
 * @gid: out, group in the caller's user namespace
 * @handle_flags: out, KIPC_QUEUE_READ/WRITE of this handle, and
 *	KIPC_HANDLE_NONBLOCK when the handle has O_NONBLOCK
 * @dropped: out, broadcast messages that slow readers lost (DROP_OLDEST)
 * @id: out, the queue's incarnation id: unique among every queue created
 *	since the module loaded, in any namespace, so a queue unlinked and
 *	created again under its name has a new one; the same through every
 *	handle and in netlink's queue id. Never 0; 0 from an older module.
 *
 * Errors: EBADF the handle is not bound to a queue.
 */
struct kipc_queue_attr {
	__u32 size;
	__u32 flags;
	__u32 max_msgs;
	__u32 max_msg_size;
	__u32 cur_msgs;
	__u32 queue_flags;
	__u64 cur_bytes;
	__u64 sent;
	__u64 received;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 handle_flags;
	__u64 dropped;
	__u64 id;
};

/* Bits of kipc_queue_attr.handle_flags beyond KIPC_QUEUE_READ/WRITE. */
enum kipc_handle_flags {
	KIPC_HANDLE_NONBLOCK	= 1 << 8
};

#define KIPC_IOC_QUEUE_GETATTR	_IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_QUEUE_GETATTR)

/**
 * struct kipc_queue_notify - ioctl(KIPC_IOC_QUEUE_NOTIFY)
 * @size: sizeof(struct kipc_queue_notify)
 * @flags: 0 to register, KIPC_NOTIFY_REMOVE to remove this handle's
 *	registration
 * @signo: the signal to send, 1.._NSIG-1
 * @__reserved: must be 0
 * @value: delivered in si_value
 *
 * Like mq_notify(): asks for one signal when a message arrives in an empty
 * queue and no receiver is waiting for it. The signal goes to the thread
 * that registered, with si_code SI_MESGQ, si_value @value, and si_pid and
 * si_uid of the sender. The registration ends when it fires, when it is
 * removed, or when the registering handle closes. One registration per
 * queue; not for broadcast queues. Needs KIPC_QUEUE_READ.
 *
 * Errors: EBADF not bound to a queue for reading; EINVAL a bad signal, or
 * a broadcast queue; EBUSY a registration exists; ENOENT remove without a
 * registration by this handle.
 */
struct kipc_queue_notify {
	__u32 size;
	__u32 flags;
	__s32 signo;
	__u32 __reserved;
	__u64 value;
};

enum kipc_notify_flags {
	KIPC_NOTIFY_REMOVE	= 1 << 0
};

#define KIPC_IOC_QUEUE_NOTIFY	_IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_QUEUE_NOTIFY)

/**
 * struct kipc_queue_peer - ioctl(KIPC_IOC_QUEUE_PEER)
 * @size: sizeof(struct kipc_queue_peer)
 * @flags: KIPC_PEER_CLOEXEC, KIPC_PEER_NONBLOCK for the new descriptor
 * @access: KIPC_QUEUE_READ and/or KIPC_QUEUE_WRITE
 * @fd: out, the new descriptor (ignored on input)
 *
 * Opens another handle to the queue this handle is bound to, with the
 * access asked for, checked against the queue's mode as a bind would be.
 * This is how a second end reaches an anonymous queue (pipe(2)-like).
 * Returns the new descriptor, also stored in @fd.
 *
 * Errors: EBADF not bound to a queue; EINVAL no access; EACCES the mode
 * refuses it; EBUSY a channel's end is taken; EMFILE no descriptor free.
 */
struct kipc_queue_peer {
	__u32 size;
	__u32 flags;
	__u32 access;
	__s32 fd;
};

enum kipc_peer_flags {
	KIPC_PEER_CLOEXEC	= 1 << 0,
	KIPC_PEER_NONBLOCK	= 1 << 1
};

#define KIPC_IOC_QUEUE_PEER	_IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_QUEUE_PEER)

/**
 * enum kipc_region_bind_flags - flags of struct kipc_region_bind
 * @KIPC_REGION_READ: the handle may map the region readable
 * @KIPC_REGION_WRITE: the handle may map the region writable
 * @KIPC_REGION_CREATE: create the region if the name is free
 * @KIPC_REGION_EXCL: with CREATE, fail with EEXIST if it exists
 * @KIPC_REGION_AUTO_DELETE: with CREATE, the region is unlinked when its
 *	last handle closes (its memory stays while it is mapped)
 * @KIPC_REGION_UNLINKED: reported in a listing's KIPC_A_REGION_FLAGS only,
 *	never accepted by a bind: the region's name is gone, and handles or
 *	mappings keep its memory alive
 */
enum kipc_region_bind_flags {
	KIPC_REGION_READ	= 1 << 0,
	KIPC_REGION_WRITE	= 1 << 1,
	KIPC_REGION_CREATE	= 1 << 2,
	KIPC_REGION_EXCL	= 1 << 3,
	KIPC_REGION_AUTO_DELETE	= 1 << 4,
	KIPC_REGION_UNLINKED	= 1 << 5
};

/**
 * struct kipc_region_bind - ioctl(KIPC_IOC_REGION_BIND)
 * @size: sizeof(struct kipc_region_bind)
 * @flags: enum kipc_region_bind_flags; READ is required
 * @name: pointer to the name, name_len bytes, not NUL-terminated
 * @name_len: 1..KIPC_NAME_MAX
 * @mode: permission bits (at most 0777) when creating
 * @region_size: bytes; when creating, 1..max_region_size, rounded up to
 *	pages; when binding to an existing region, 0 or at most its size
 * @__reserved: must be 0
 *
 * Binds an unbound handle to a shared-memory region, whose pages are then
 * reached with mmap(MAP_SHARED) on the handle. The pages are shmem pages:
 * zero-filled, swappable and charged to the memory cgroup of the task that
 * first touches them, so futexes and process-shared pthread objects placed
 * in a region work across processes.
 *
 * Errors: as KIPC_IOC_QUEUE_BIND, with EINVAL also for no READ flag, a
 * region_size of 0 or above the module's max_region_size when creating,
 * or above the existing region's size; ENOSPC beyond max_regions.
 */
struct kipc_region_bind {
	__u32 size;
	__u32 flags;
	__u64 name;
	__u32 name_len;
	__u32 mode;
	__u64 region_size;
	__u64 __reserved;
};

#define KIPC_IOC_REGION_BIND	_IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_REGION_BIND)

/* Takes struct kipc_unlink; errors as for KIPC_IOC_QUEUE_UNLINK. */
#define KIPC_IOC_REGION_UNLINK	_IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_REGION_UNLINK)

/**
 * struct kipc_region_info - ioctl(KIPC_IOC_REGION_INFO)
 * @size: sizeof(struct kipc_region_info)
 * @flags: must be 0
 * @region_size: out, bytes, a multiple of the page size
 * @mode: out, permission bits
 * @uid: out, owner in the caller's user namespace
 * @gid: out, group in the caller's user namespace
 * @handles: out, handles bound to the region
 * @mappings: out, memory mappings (VMAs) of the region, in any process
 * @region_flags: out, KIPC_REGION_AUTO_DELETE if set at creation
 * @handle_flags: out, KIPC_REGION_READ/WRITE of this handle
 *
 * Errors: EBADF the handle is not bound to a region.
 */
struct kipc_region_info {
	__u32 size;
	__u32 flags;
	__u64 region_size;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 handles;
	__u64 mappings;
	__u32 region_flags;
	__u32 handle_flags;
};

#define KIPC_IOC_REGION_INFO	_IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_REGION_INFO)

/**
 * enum kipc_purge_flags - flags of struct kipc_purge
 * @KIPC_PURGE_ALL: every name in every IPC namespace; required, so that
 *	a later, narrower purge can be told apart
 */
enum kipc_purge_flags {
	KIPC_PURGE_ALL		= 1 << 0
};

/**
 * struct kipc_purge - ioctl(KIPC_IOC_PURGE)
 * @size: sizeof(struct kipc_purge)
 * @flags: KIPC_PURGE_ALL
 * @queues: out, queue names deleted
 * @regions: out, region names deleted
 * @messages: out, messages the deleted queues held
 * @rings: out, ring names deleted (KIPC_FEAT_RING; absent before it,
 *	when the rings were counted nowhere)
 * @__reserved: must be 0
 *
 * Unlinks every named queue, region and ring, as KIPC_IOC_QUEUE_UNLINK,
 * KIPC_IOC_REGION_UNLINK and KIPC_IOC_RING_UNLINK would one by one,
 * whoever owns them. Each name
 * holds a reference on the module, so that an unload never discards what
 * was accepted; this is how an administrator lets go of them all before
 * an unload. Objects still bound to handles or mapped live on unnamed
 * until those go. Works on any handle, bound or not.
 *
 * Errors: EPERM without CAP_SYS_ADMIN in the initial user namespace;
 * EINVAL without KIPC_PURGE_ALL or with an unknown flag.
 */
struct kipc_purge {
	__u32 size;
	__u32 flags;
	__u32 queues;
	__u32 regions;
	__u64 messages;
	__u32 rings;
	__u32 __reserved;
};

#define KIPC_IOC_PURGE		_IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_PURGE)

/*
 * Rings (KIPC_FEAT_RING): a named ring of fixed-size slots in shared
 * memory, for many producers and one consumer. Producers claim and commit
 * slots with atomics in the mapped pages and the consumer reads them in
 * place, with no system call per record; the kernel is entered only to
 * sleep (KIPC_IOC_RING_WAIT, poll) or to wake a sleeper
 * (KIPC_IOC_RING_WAKE). The kernel enforces who may write which pages,
 * stamps each producer's identity at bind (KIPC_IOC_RING_PRODUCER), and
 * when a producer's handle is released, marks the slots it had claimed
 * but not committed as lost, so that a dead producer never wedges the
 * ring. Documentation/userspace-api/kipc.rst describes the protocol.
 *
 * The ring is one mmap(MAP_SHARED) of the handle, or several, each at a
 * page offset. Its areas, at the offsets in struct kipc_ring_header:
 *
 *   header    struct kipc_ring_header    written by the kernel only
 *   consumer  struct kipc_ring_cons      written by the consumer
 *   producer  struct kipc_ring_prod,     written by producers (and the
 *             then one __u64 state word  kernel's repair of a dead
 *             per slot at states_offset  producer's claims)
 *   slots     nr_slots * slot_size bytes written by producers
 *
 * A mapping may be writable only if every page of it is writable to the
 * handle's role, and then mprotect() can never add write to it later; a
 * handle bound with neither role maps everything read-only.
 */

/* Most slots of a ring; nr_slots is a power of two, at least 2. */
#define KIPC_RING_MAX_SLOTS		65536
/* Largest slot_size; slot_size is a multiple of 8, at least 8. */
#define KIPC_RING_MAX_SLOT_SIZE		(1024 * 1024)
/* Most producers of a ring at a time; max_producers 0 means 8. */
#define KIPC_RING_MAX_PRODUCERS		64

/* struct kipc_ring_header.magic and .version. */
#define KIPC_RING_MAGIC			0x676e6972u	/* "ring" */
#define KIPC_RING_VERSION		1

/*
 * A slot's state word, at states_offset + 8 * (pos & (nr_slots - 1)) for
 * the record at position pos (counting from 0), is
 *	lap << 16 | tag << 2 | state
 * where lap is pos / nr_slots + 1 for the record the word describes, so
 * a word of 0 (never used) is older than any record, and tag is the
 * KIPC_IOC_RING_INFO tag of the producer that claimed it.
 */
#define KIPC_RING_SLOT_CLAIMED		1	/* claimed, being written */
#define KIPC_RING_SLOT_COMMITTED	2	/* ready for the consumer */
#define KIPC_RING_SLOT_LOST		3	/* its producer died claiming */
#define KIPC_RING_SLOT_STATE(w)		((__u32)(w) & 3)
#define KIPC_RING_SLOT_TAG(w)		((__u32)((w) >> 2) & 0x3fff)
#define KIPC_RING_SLOT_LAP(w)		((w) >> 16)
#define KIPC_RING_SLOT_WORD(lap, tag, state)				\
	(((__u64)(lap) << 16) | ((__u64)(tag) << 2) | (__u64)(state))

/**
 * struct kipc_ring_header - the ring's first page; only the kernel writes it
 * @magic: KIPC_RING_MAGIC
 * @version: KIPC_RING_VERSION
 * @slot_size: bytes per slot
 * @nr_slots: slots, a power of two
 * @max_producers: producer handles the ring takes at a time
 * @__pad: 0
 * @cons_offset: byte offset of struct kipc_ring_cons, page-aligned
 * @prod_offset: byte offset of struct kipc_ring_prod, page-aligned
 * @states_offset: byte offset of the slots' state words
 * @slots_offset: byte offset of slot 0, page-aligned
 * @ring_size: bytes of the whole ring, a multiple of the page size
 * @lost: records lost since creation: slots that a producer had claimed
 *	and not committed when its handle was released, each of which the
 *	kernel marked KIPC_RING_SLOT_LOST before adding it here
 */
struct kipc_ring_header {
	__u32 magic;
	__u32 version;
	__u32 slot_size;
	__u32 nr_slots;
	__u32 max_producers;
	__u32 __pad;
	__u64 cons_offset;
	__u64 prod_offset;
	__u64 states_offset;
	__u64 slots_offset;
	__u64 ring_size;
	__u64 lost;
};

/**
 * struct kipc_ring_cons - the consumer's words, writable by it alone
 * @tail: position of the next record the consumer will read; every slot
 *	before it may be reused by producers
 * @waiting: the consumer's flag that it sleeps or is about to, so that a
 *	producer that commits knows to call KIPC_IOC_RING_WAKE; the kernel
 *	never reads it
 * @__pad: 0
 */
struct kipc_ring_cons {
	__u64 tail;
	__u32 waiting;
	__u32 __pad;
};

/**
 * struct kipc_ring_prod - the producers' words, writable by producers
 * @head: position of the next slot to claim; a hint that any producer
 *	advances past a slot it sees claimed
 * @waiting: producers' flag that one sleeps for room, so that the
 *	consumer knows to call KIPC_IOC_RING_WAKE; the kernel never reads it
 * @__pad: 0
 */
struct kipc_ring_prod {
	__u64 head;
	__u32 waiting;
	__u32 __pad;
};

/**
 * enum kipc_ring_bind_flags - flags of struct kipc_ring_bind
 * @KIPC_RING_CONSUMER: bind as the ring's consumer, which needs read
 *	permission; one at a time (EBUSY)
 * @KIPC_RING_PRODUCER: bind as a producer, which needs write permission;
 *	at most max_producers at a time (EBUSY)
 * @KIPC_RING_CREATE: create the ring if the name is free
 * @KIPC_RING_EXCL: with CREATE, fail with EEXIST if it exists
 * @KIPC_RING_AUTO_DELETE: with CREATE, the ring is unlinked when its last
 *	handle closes
 *
 * A handle with neither role is an observer: it needs read permission and
 * maps the whole ring read-only.
 */
enum kipc_ring_bind_flags {
	KIPC_RING_CONSUMER	= 1 << 0,
	KIPC_RING_PRODUCER	= 1 << 1,
	KIPC_RING_CREATE	= 1 << 2,
	KIPC_RING_EXCL		= 1 << 3,
	KIPC_RING_AUTO_DELETE	= 1 << 4
};

/**
 * struct kipc_ring_bind - ioctl(KIPC_IOC_RING_BIND)
 * @size: sizeof(struct kipc_ring_bind)
 * @flags: enum kipc_ring_bind_flags; at most one of CONSUMER and PRODUCER
 * @name: pointer to the name, name_len bytes, not NUL-terminated
 * @name_len: 1..KIPC_NAME_MAX
 * @mode: permission bits (at most 0777) when creating
 * @slot_size: bytes per slot when creating, a multiple of 8 in
 *	8..KIPC_RING_MAX_SLOT_SIZE; when binding to an existing ring, 0 or
 *	its slot size
 * @nr_slots: slots when creating, a power of two in 2..KIPC_RING_MAX_SLOTS;
 *	when binding to an existing ring, 0 or its count
 * @max_producers: when creating, 1..KIPC_RING_MAX_PRODUCERS, or 0 for 8;
 *	when binding, 0 or the ring's
 * @__reserved: must be 0
 *
 * Binds an unbound handle to a ring, whose pages are then reached with
 * mmap(MAP_SHARED) on the handle. A ring's pages are all allocated when
 * it is created, zeroed, and kept in memory (not swapped), so the whole
 * size is charged to the creator's max_user_region_bytes and memory
 * cgroup, and it is at most the module's max_ring_size.
 *
 * Errors: as KIPC_IOC_QUEUE_BIND, with EINVAL also for both roles, a
 * geometry out of range when creating or different from the existing
 * ring's; EBUSY also when the role is taken (a consumer is bound, or
 * max_producers producers are); EFBIG for a ring larger than
 * max_ring_size; ENOSPC beyond max_rings; EDQUOT when the creator's
 * regions and rings would exceed max_user_region_bytes.
 */
struct kipc_ring_bind {
	__u32 size;
	__u32 flags;
	__u64 name;
	__u32 name_len;
	__u32 mode;
	__u32 slot_size;
	__u32 nr_slots;
	__u32 max_producers;
	__u32 __reserved;
};

#define KIPC_IOC_RING_BIND	_IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_RING_BIND)

/* Takes struct kipc_unlink; errors as for KIPC_IOC_QUEUE_UNLINK. */
#define KIPC_IOC_RING_UNLINK	_IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_RING_UNLINK)

/**
 * struct kipc_ring_info - ioctl(KIPC_IOC_RING_INFO)
 * @size: sizeof(struct kipc_ring_info)
 * @flags: must be 0
 * @slot_size: out, bytes per slot
 * @nr_slots: out, slots
 * @max_producers: out, producer handles it takes at a time
 * @producers: out, producer handles bound now
 * @mode: out, permission bits
 * @uid: out, owner in the caller's user namespace
 * @gid: out, group in the caller's user namespace
 * @handles: out, handles bound to the ring
 * @ring_flags: out, KIPC_RING_AUTO_DELETE if set at creation
 * @handle_flags: out, KIPC_RING_CONSUMER or KIPC_RING_PRODUCER of this
 *	handle, or 0 for an observer
 * @tag: out, for a producer handle the tag it writes into the state words
 *	of the slots it claims (1..0x3fff, unique among the ring's bound
 *	producers); 0 for other handles
 * @has_consumer: out, 1 while a consumer is bound, else 0
 * @ring_size: out, bytes to map, as in the header
 * @lost: out, as the header's @lost
 *
 * Errors: EBADF the handle is not bound to a ring.
 */
struct kipc_ring_info {
	__u32 size;
	__u32 flags;
	__u32 slot_size;
	__u32 nr_slots;
	__u32 max_producers;
	__u32 producers;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 handles;
	__u32 ring_flags;
	__u32 handle_flags;
	__u32 tag;
	__u32 has_consumer;
	__u64 ring_size;
	__u64 lost;
};

#define KIPC_IOC_RING_INFO	_IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_RING_INFO)

/**
 * enum kipc_ring_wait_flags - flags of struct kipc_ring_wait
 * @KIPC_RING_WAIT_TIMEOUT: wait no later than @timeout_ns, an absolute
 *	CLOCK_MONOTONIC time; ETIMEDOUT once it passes
 */
enum kipc_ring_wait_flags {
	KIPC_RING_WAIT_TIMEOUT	= 1 << 0
};

/**
 * struct kipc_ring_wait - ioctl(KIPC_IOC_RING_WAIT)
 * @size: sizeof(struct kipc_ring_wait)
 * @flags: enum kipc_ring_wait_flags
 * @timeout_ns: with KIPC_RING_WAIT_TIMEOUT, the absolute deadline
 * @offset: byte offset in the ring of a __u64 word, 8-aligned, in the
 *	consumer area or the producer area (a state word, say)
 * @value: the value the caller last saw there
 *
 * Like FUTEX_WAIT on a ring's word: returns 0 at once if the word differs
 * from @value, and otherwise sleeps until, after a wake-up, it does. A
 * wait on a word of the producer area is woken by KIPC_RING_WAKE_CONSUMER
 * (and by the kernel's repair of a dead producer's claims), one on the
 * consumer area by KIPC_RING_WAKE_PRODUCERS. A word that changes without
 * a wake-up is not noticed until one comes: the writer sets the word,
 * then reads the sleeper's waiting flag (both with sequentially
 * consistent atomics), and wakes if it is set. Any bound handle may wait.
 *
 * Errors: EBADF not bound to a ring; EINVAL an unknown flag, or an
 * @offset not 8-aligned or outside both areas; EAGAIN it would sleep and
 * the handle has O_NONBLOCK; ETIMEDOUT the deadline passed; EINTR a
 * signal arrived (the call restarts when the handler allows).
 */
struct kipc_ring_wait {
	__u32 size;
	__u32 flags;
	__s64 timeout_ns;
	__u64 offset;
	__u64 value;
};

#define KIPC_IOC_RING_WAIT	_IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_RING_WAIT)

/**
 * enum kipc_ring_wake_flags - flags of struct kipc_ring_wake
 * @KIPC_RING_WAKE_CONSUMER: wake waits on producer-area words, and poll
 *	and O_ASYNC (POLL_IN) of the consumer and observers: records were
 *	committed
 * @KIPC_RING_WAKE_PRODUCERS: wake waits on consumer-area words, and poll
 *	and O_ASYNC (POLL_OUT) of producers: slots were freed
 */
enum kipc_ring_wake_flags {
	KIPC_RING_WAKE_CONSUMER		= 1 << 0,
	KIPC_RING_WAKE_PRODUCERS	= 1 << 1
};

/**
 * struct kipc_ring_wake - ioctl(KIPC_IOC_RING_WAKE)
 * @size: sizeof(struct kipc_ring_wake)
 * @flags: enum kipc_ring_wake_flags, at least one
 *
 * Wakes every sleeper of the side or sides named, which each look at
 * their word again. Only a producer may wake the consumer, and only the
 * consumer may wake producers.
 *
 * Errors: EBADF not bound to a ring, or the role does not allow the
 * wake asked for; EINVAL no flag or an unknown one.
 */
struct kipc_ring_wake {
	__u32 size;
	__u32 flags;
};

#define KIPC_IOC_RING_WAKE	_IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_RING_WAKE)

/**
 * enum kipc_ring_producer_flags - @state of struct kipc_ring_producer
 * @KIPC_RING_PRODUCER_BOUND: the producer's handle is still bound; without
 *	it, the producer has gone and its claims were repaired
 */
enum kipc_ring_producer_flags {
	KIPC_RING_PRODUCER_BOUND	= 1 << 0
};

/**
 * struct kipc_ring_producer - ioctl(KIPC_IOC_RING_PRODUCER)
 * @size: sizeof(struct kipc_ring_producer)
 * @flags: must be 0
 * @tag: in, a tag from a slot's state word
 * @state: out, enum kipc_ring_producer_flags
 * @pid: out, process ID of the task that bound the producer, in the
 *	caller's PID namespace, 0 if it has none there
 * @uid: out, its euid at bind, in the caller's user namespace
 * @gid: out, its egid at bind, in the caller's user namespace
 * @__reserved: 0
 * @bind_ns: out, CLOCK_REALTIME of the bind
 *
 * The identity the kernel stamped when the producer with @tag bound, as
 * SO_PEERCRED gives a socket's peer: who bound it, not who wrote a given
 * record, since anyone holding a producer's mapping writes as it. A tag
 * stays answerable after its producer has gone, until a new producer
 * takes its place in the ring's table; tags are not reused among the
 * last 255 producers of one table place.
 *
 * Errors: EBADF not bound to a ring; EINVAL a flag; ENOENT no producer of
 * that tag is known.
 */
struct kipc_ring_producer {
	__u32 size;
	__u32 flags;
	__u32 tag;
	__u32 state;
	__s32 pid;
	__u32 uid;
	__u32 gid;
	__u32 __reserved;
	__u64 bind_ns;
};

#define KIPC_IOC_RING_PRODUCER	_IO(KIPC_IOC_MAGIC, KIPC_IOC_NR_RING_PRODUCER)

/*
 * The generic netlink family KIPC_FAMILY_NAME: its attribute and command
 * enums are generated from Documentation/netlink/specs/kipc.yaml, which
 * documents each of them, by the kernel's YNL generator ("make regen").
 */
#include <linux/kipc_netlink.h>

#endif /* _UAPI_LINUX_KIPC_H */
