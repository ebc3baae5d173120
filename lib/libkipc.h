/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkipc: the userspace library for kipc.
 *
 * Every function returns a value >= 0 on success or a negative errno on
 * failure, and never relies on errno. The library keeps no global state;
 * every call is safe from any thread.
 *
 * Structs grow at their end. Since LIBKIPC_1.0 every function that takes
 * or fills one also takes the caller's sizeof of it, and a macro of the
 * function's own name passes it, so a program calls kipc_queue_getattr(fd,
 * &attr) as before: a program built against this header keeps working
 * with a later library whose structs are longer, and one built against
 * 0.x binds to the 0.x symbols, which pass 0.x's sizes. Take the address
 * of the function itself, (kipc_queue_getattr), to get the sized form.
 *
 * The header is C99 and C++98 clean (-pedantic); it needs no feature
 * macro, struct timespec being declared here when <time.h> leaves it out.
 */
#ifndef LIBKIPC_H
#define LIBKIPC_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <linux/kipc.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KIPC_LIB_VERSION_MAJOR	1
#define KIPC_LIB_VERSION_MINOR	1
#define KIPC_LIB_VERSION_PATCH	0

/* Strict ISO C's <time.h> has no struct timespec; the calls take pointers. */
struct timespec;

/* What the loaded module says about itself. */
struct kipc_module_info {
	uint32_t abi_version;
	uint32_t module_version;	/* KIPC_VERSION_CODE() */
	uint64_t features;		/* KIPC_FEAT_* */
};

/*
 * kipc_module_version() asks through /dev/kipc, and fails with
 * -EPROTONOSUPPORT when the module speaks another KIPC_ABI_VERSION than
 * this library; kipc_module_version_nl() asks over netlink, which every
 * ABI answers, to say which one it speaks.
 */
int kipc_lib_version(void);
int kipc_module_version(struct kipc_module_info *info, size_t info_size);
int kipc_module_version_nl(struct kipc_module_info *info, size_t info_size);
#define kipc_module_version(info) \
	kipc_module_version((info), sizeof(struct kipc_module_info))
#define kipc_module_version_nl(info) \
	kipc_module_version_nl((info), sizeof(struct kipc_module_info))

/*
 * Administration: unlink every named queue and region in every IPC
 * namespace (flags: KIPC_PURGE_ALL), so that the module can be unloaded.
 * Needs CAP_SYS_ADMIN; see kipc_purge(3).
 */
struct kipc_purge_result {
	uint32_t queues;		/* queue names deleted */
	uint32_t regions;		/* region names deleted */
	uint64_t messages;		/* messages those queues held */
};

int kipc_purge(unsigned int flags, struct kipc_purge_result *res,
	       size_t res_size);
#define kipc_purge(flags, res) \
	kipc_purge((flags), (res), sizeof(struct kipc_purge_result))

/*
 * Timeouts. Every abs_timeout below is an absolute time on CLOCK_MONOTONIC,
 * which no clock setting moves (POSIX mq_timedsend() and mq_timedreceive()
 * measure CLOCK_REALTIME instead). kipc_deadline_ms() gives the time @ms
 * milliseconds from now on that clock, with the nanosecond carry done:
 * 0, or -EINVAL for a negative @ms. A deadline too far away to represent
 * is clamped, which is the same as waiting for ever.
 */
int kipc_deadline_ms(struct timespec *ts, int64_t ms);

/*
 * Message queues. A queue handle is a file descriptor (close-on-exec) of
 * /dev/kipc bound to a named queue; it works with poll, epoll, fork and
 * SCM_RIGHTS.
 */

/* Capacity of a queue being created; a 0 field takes the module's default. */
struct kipc_queue_config {
	uint32_t max_msgs;
	uint32_t max_msg_size;
	uint32_t flags;		/* KIPC_QUEUE_AUTO_DELETE, _CHANNEL,
				 * _BROADCAST, _DROP_OLDEST (with
				 * _BROADCAST); see kipc_queue_open(3)
				 */
};

/* What came with a received message. */
struct kipc_msg_info {
	size_t len;		/* full length, even when truncated */
	unsigned int prio;
	uint64_t type;
	pid_t pid;		/* sender, in the receiver's PID namespace */
	pid_t tid;
	uid_t uid;		/* sender's euid, in the receiver's user ns */
	gid_t gid;
	uint64_t time_ns;	/* CLOCK_REALTIME at send */
	uint64_t seq;		/* the queue's sequence number, from 1 */
};

int kipc_queue_open(const char *name, int oflag, mode_t mode,
		    const struct kipc_queue_config *cfg, size_t cfg_size);
#define kipc_queue_open(name, oflag, mode, cfg) \
	kipc_queue_open((name), (oflag), (mode), (cfg), \
			sizeof(struct kipc_queue_config))
int kipc_queue_close(int fd);
int kipc_queue_unlink(const char *name);

/* abs_timeout: CLOCK_MONOTONIC, absolute; NULL waits for ever. */
int kipc_queue_send(int fd, const void *buf, size_t len, unsigned int prio,
		    uint64_t type);
int kipc_queue_timedsend(int fd, const void *buf, size_t len,
			 unsigned int prio, uint64_t type,
			 const struct timespec *abs_timeout);
int kipc_queue_send_flags(int fd, const void *buf, size_t len,
			  unsigned int prio, uint64_t type, unsigned int flags,
			  const struct timespec *abs_timeout);

/* info may be NULL; abs_timeout: CLOCK_MONOTONIC, absolute, or NULL. */
int kipc_queue_recv(int fd, void *buf, size_t len, struct kipc_msg_info *info,
		    size_t info_size);
int kipc_queue_timedrecv(int fd, void *buf, size_t len,
			 struct kipc_msg_info *info, size_t info_size,
			 const struct timespec *abs_timeout);
int kipc_queue_recv_flags(int fd, void *buf, size_t len,
			  struct kipc_msg_info *info, size_t info_size,
			  unsigned int flags, uint64_t type,
			  const struct timespec *abs_timeout);
#define kipc_queue_recv(fd, buf, len, info) \
	kipc_queue_recv((fd), (buf), (len), (info), \
			sizeof(struct kipc_msg_info))
#define kipc_queue_timedrecv(fd, buf, len, info, abs_timeout) \
	kipc_queue_timedrecv((fd), (buf), (len), (info), \
			     sizeof(struct kipc_msg_info), (abs_timeout))
#define kipc_queue_recv_flags(fd, buf, len, info, flags, type, abs_timeout) \
	kipc_queue_recv_flags((fd), (buf), (len), (info), \
			      sizeof(struct kipc_msg_info), (flags), (type), \
			      (abs_timeout))

/*
 * msgs is an array of count elements of msg_size bytes each (at least
 * KIPC_MSG_SIZE_VER0), which the kernel reads and writes by that size.
 * abs_timeout: CLOCK_MONOTONIC, absolute, or NULL.
 */
int kipc_queue_send_batch(int fd, struct kipc_msg *msgs, unsigned int count,
			  size_t msg_size, unsigned int flags,
			  const struct timespec *abs_timeout);
int kipc_queue_recv_batch(int fd, struct kipc_msg *msgs, unsigned int count,
			  size_t msg_size, unsigned int flags,
			  const struct timespec *abs_timeout);
#define kipc_queue_send_batch(fd, msgs, count, flags, abs_timeout) \
	kipc_queue_send_batch((fd), (msgs), (count), sizeof(struct kipc_msg), \
			      (flags), (abs_timeout))
#define kipc_queue_recv_batch(fd, msgs, count, flags, abs_timeout) \
	kipc_queue_recv_batch((fd), (msgs), (count), sizeof(struct kipc_msg), \
			      (flags), (abs_timeout))

int kipc_queue_getattr(int fd, struct kipc_queue_attr *attr, size_t attr_size);
#define kipc_queue_getattr(fd, attr) \
	kipc_queue_getattr((fd), (attr), sizeof(struct kipc_queue_attr))
/* Takes flags, not a struct: KIPC_HANDLE_NONBLOCK, nothing else yet. */
int kipc_queue_setattr(int fd, unsigned int handle_flags);

/*
 * Pipes and signals. kipc_pipe() makes an anonymous channel: fds[0]
 * receives, fds[1] sends, end of file and EPIPE as with pipe(2).
 * kipc_queue_peer() opens another handle on a queue a handle is bound to.
 * kipc_queue_notify() asks for one signal when a message arrives in the
 * empty queue, as mq_notify() does.
 */
int kipc_pipe(int fds[2], int flags);
int kipc_queue_peer(int fd, unsigned int access, int flags);
int kipc_queue_notify(int fd, int signo, uint64_t value);
int kipc_queue_notify_remove(int fd);

/*
 * Shared-memory regions. A region handle is a file descriptor of /dev/kipc
 * bound to a named region; its pages are mapped with kipc_region_map(),
 * and a mapping outlives the handle and the region's name.
 */
int kipc_region_open(const char *name, int oflag, mode_t mode, size_t size,
		     unsigned int flags);
int kipc_region_map(int fd, size_t offset, size_t length, int prot,
		    void **addr);
int kipc_region_unmap(void *addr, size_t length);
int kipc_region_close(int fd);
int kipc_region_unlink(const char *name);
int kipc_region_info(int fd, struct kipc_region_info *info, size_t info_size);
#define kipc_region_info(fd, info) \
	kipc_region_info((fd), (info), sizeof(struct kipc_region_info))

/*
 * A robust lock that lives inside a region and works across processes.
 * When its holder dies, the next locker gets -EOWNERDEAD with the lock
 * held, repairs the data, and calls kipc_region_lock_consistent().
 */
struct kipc_region_lock {
	unsigned char opaque[64] __attribute__((aligned(8)));
};

int kipc_region_lock_init(struct kipc_region_lock *lock);
int kipc_region_lock(struct kipc_region_lock *lock);
int kipc_region_trylock(struct kipc_region_lock *lock);
/* abs_timeout: CLOCK_MONOTONIC, absolute (pthread_mutex_clocklock()). */
int kipc_region_timedlock(struct kipc_region_lock *lock,
			  const struct timespec *abs_timeout);
int kipc_region_unlock(struct kipc_region_lock *lock);
int kipc_region_lock_consistent(struct kipc_region_lock *lock);

/*
 * An event that lives inside a region: waiters sleep until a notify
 * changes its sequence number. Take a snapshot, check the shared state,
 * and wait with that snapshot, so no notify between the two is missed.
 */
struct kipc_region_event {
	uint32_t seq;
	uint32_t __reserved;
};

int kipc_region_event_init(struct kipc_region_event *ev);
int kipc_region_event_snapshot(const struct kipc_region_event *ev,
			       uint32_t *seq);
/* abs_timeout: CLOCK_MONOTONIC, absolute (FUTEX_WAIT_BITSET), or NULL. */
int kipc_region_event_wait(struct kipc_region_event *ev, uint32_t seq,
			   const struct timespec *abs_timeout);
int kipc_region_event_notify(struct kipc_region_event *ev, int max_waiters);

/*
 * Rings (KIPC_FEAT_RING; since LIBKIPC_1.1): fixed-size slots in shared
 * memory, for many producers and one consumer, with no system call per
 * record. A struct kipc_ring is one handle of a ring and its mappings. A
 * producer reserves a slot, writes it and commits it; the consumer peeks
 * at the oldest record, reads it in place and releases it. A side that
 * cannot go on sleeps in kipc_ring_wait(), or arms the handle and polls
 * kipc_ring_fd(). See kipc_ring_create(3) and kipc(7) for what a ring
 * gives up against a queue.
 *
 * One handle may be shared among threads, and among processes by fork;
 * the producer calls may run in any number of them at once, the
 * consumer's peek and release in one at a time.
 */
struct kipc_ring;

/* The geometry of a ring being created; see struct kipc_ring_bind. */
struct kipc_ring_config {
	uint32_t slot_size;	/* bytes per slot: a multiple of 8, at least 8 */
	uint32_t nr_slots;	/* a power of two, 2..KIPC_RING_MAX_SLOTS */
	uint32_t max_producers;	/* at a time: 1..KIPC_RING_MAX_PRODUCERS, 0: 8 */
	uint32_t __reserved;	/* 0 */
};

/**
 * kipc_ring_create() - create a ring, or bind to the one of that name
 * @name: 1..KIPC_NAME_MAX bytes, NUL-terminated
 * @flags: KIPC_RING_CONSUMER, KIPC_RING_PRODUCER or neither (an observer),
 *	and KIPC_RING_EXCL, KIPC_RING_AUTO_DELETE; KIPC_RING_CREATE is implied
 * @mode: permission bits, at most 0777
 * @cfg: the geometry; an existing ring's must be the same
 * @cfg_size: sizeof(*cfg), which the macro passes
 * @ringp: out, the handle, for kipc_ring_close()
 *
 * Return: 0, or -EINVAL (a NULL pointer, an unknown flag, both roles, a
 * mode above 0777, a geometry out of range or not the existing ring's),
 * -EEXIST (with KIPC_RING_EXCL), -EBUSY (the role is taken), -EACCES,
 * -ENAMETOOLONG, -EFBIG, -ENOSPC, -EDQUOT, -ENOMEM, -EOPNOTSUPP (a module
 * without rings), -ENODEV, -EPROTO (a ring layout this library does not
 * know).
 */
int kipc_ring_create(const char *name, unsigned int flags, mode_t mode,
		     const struct kipc_ring_config *cfg, size_t cfg_size,
		     struct kipc_ring **ringp);
#define kipc_ring_create(name, flags, mode, cfg, ringp) \
	kipc_ring_create((name), (flags), (mode), (cfg), \
			 sizeof(struct kipc_ring_config), (ringp))

/**
 * kipc_ring_open() - bind to an existing ring
 * @name: the ring's name
 * @flags: KIPC_RING_CONSUMER, KIPC_RING_PRODUCER, or 0 for an observer,
 *	which may only look (kipc_ring_info(), kipc_ring_lost(), poll)
 * @ringp: out, the handle
 *
 * Return: 0, or -EINVAL (a NULL pointer, another flag, both roles),
 * -ENOENT, -EBUSY, -EACCES, -ENAMETOOLONG, -ENOMEM, -EOPNOTSUPP, -ENODEV,
 * -EPROTO.
 */
int kipc_ring_open(const char *name, unsigned int flags,
		   struct kipc_ring **ringp);

/**
 * kipc_ring_close() - unmap and close a ring handle, and free it
 * @ring: the handle; never used again, whatever the result
 *
 * A producer's slots reserved and not committed are marked lost by the
 * kernel once its last descriptor and mapping of the handle are gone.
 *
 * Return: 0, or -EINVAL for NULL, or munmap()'s or close()'s error.
 */
int kipc_ring_close(struct kipc_ring *ring);

/**
 * kipc_ring_unlink() - remove a ring's name
 * @name: the ring's name
 *
 * Return: 0, or -EINVAL (NULL), -ENOENT, -EPERM (not the owner),
 * -ENAMETOOLONG, -EOPNOTSUPP, -ENODEV.
 */
int kipc_ring_unlink(const char *name);

/**
 * kipc_ring_fd() - the handle's descriptor, for poll(2) and epoll(7)
 * @ring: the handle
 *
 * Readable for the consumer and observers while a record waits, writable
 * for producers while there is room; the other side rings the descriptor
 * only while this one is armed (kipc_ring_arm()).
 *
 * Return: the descriptor, owned by @ring, or -EINVAL for NULL.
 */
int kipc_ring_fd(const struct kipc_ring *ring);

/**
 * kipc_ring_reserve() - claim the next free slot (producers)
 * @ring: a producer handle
 * @data: out, the slot's slot_size bytes, to write the record into
 * @pos: out, the record's position, for kipc_ring_commit()
 *
 * Return: 0, or -EAGAIN (the ring is full), -EINVAL (a NULL pointer),
 * -EBADF (not a producer).
 */
int kipc_ring_reserve(struct kipc_ring *ring, void **data, uint64_t *pos);

/**
 * kipc_ring_commit() - publish a reserved slot (producers)
 * @ring: the producer handle that reserved it
 * @pos: its position from kipc_ring_reserve()
 *
 * Return: 0, or -EINVAL (NULL, or @pos is not reserved by this handle
 * and uncommitted), -EBADF (not a producer), or the wake-up's error.
 */
int kipc_ring_commit(struct kipc_ring *ring, uint64_t pos);

/**
 * kipc_ring_peek() - the oldest committed record (the consumer)
 * @ring: the consumer handle
 * @data: out, the record's slot_size bytes, valid until its release
 * @pos: out, its position, for kipc_ring_release()
 * @tag: out, the tag of the producer that claimed it (kipc_ring_producer());
 *	may be NULL
 *
 * Records the kernel marked lost are skipped (kipc_ring_lost()).
 *
 * Return: 0, or -EAGAIN (none is ready), -EINVAL (a NULL pointer),
 * -EBADF (not the consumer).
 */
int kipc_ring_peek(struct kipc_ring *ring, const void **data, uint64_t *pos,
		   uint32_t *tag);

/**
 * kipc_ring_release() - let producers reuse the peeked record's slot
 * @ring: the consumer handle
 * @pos: the position kipc_ring_peek() gave
 *
 * Return: 0, or -EINVAL (NULL, or @pos is not the record at the tail),
 * -EBADF (not the consumer), or the wake-up's error.
 */
int kipc_ring_release(struct kipc_ring *ring, uint64_t pos);

/**
 * kipc_ring_wait() - sleep until the handle's side may go on
 * @ring: the consumer or a producer handle
 * @abs_timeout: CLOCK_MONOTONIC, absolute; NULL waits for ever
 *
 * The consumer waits for a record at the tail, a producer for room. The
 * kernel is entered only when there is none.
 *
 * Return: 0, or -ETIMEDOUT, -EINTR (a signal), -EAGAIN (the descriptor is
 * O_NONBLOCK), -EINVAL (NULL, a bad timespec), -EBADF (an observer).
 */
int kipc_ring_wait(struct kipc_ring *ring, const struct timespec *abs_timeout);

/**
 * kipc_ring_arm() - ask the other side to ring kipc_ring_fd()
 * @ring: the consumer or a producer handle
 *
 * Before a poll on the descriptor: raises the handle's waiting count, as
 * kipc_ring_wait() does around its sleep, unless the side may already go
 * on. Each 0 is undone by one kipc_ring_disarm().
 *
 * Return: 0 (armed: poll), 1 (ready, not armed: do not poll), -EINVAL
 * (NULL), -EBADF (an observer).
 */
int kipc_ring_arm(struct kipc_ring *ring);

/**
 * kipc_ring_disarm() - undo one kipc_ring_arm() that returned 0
 * @ring: the handle
 *
 * Return: 0, or -EINVAL (NULL, or not armed), -EBADF (an observer).
 */
int kipc_ring_disarm(struct kipc_ring *ring);

/**
 * kipc_ring_lost() - records lost to producers that died mid-record
 * @ring: any handle of the ring
 * @lost: out, the count since the ring's creation, from its header
 *
 * Return: 0, or -EINVAL for a NULL pointer.
 */
int kipc_ring_lost(const struct kipc_ring *ring, uint64_t *lost);

/**
 * kipc_ring_info() - the ring's geometry, owner and counts
 * @ring: any handle of the ring
 * @info: out, as KIPC_IOC_RING_INFO fills it
 * @info_size: sizeof(*info), which the macro passes
 *
 * Return: 0, or -EINVAL (a NULL pointer, a size below the first
 * published one).
 */
int kipc_ring_info(const struct kipc_ring *ring, struct kipc_ring_info *info,
		   size_t info_size);
#define kipc_ring_info(ring, info) \
	kipc_ring_info((ring), (info), sizeof(struct kipc_ring_info))

/**
 * kipc_ring_producer() - who bound the producer of a tag
 * @ring: any handle of the ring
 * @tag: a tag from kipc_ring_peek() or kipc_ring_info()
 * @prod: out, pid, uid, gid and time of the bind, and whether it is bound
 * @prod_size: sizeof(*prod), which the macro passes
 *
 * Return: 0, or -ENOENT (no producer of that tag is known), -EINVAL (a
 * NULL pointer, a size below the first published one).
 */
int kipc_ring_producer(const struct kipc_ring *ring, uint32_t tag,
		       struct kipc_ring_producer *prod, size_t prod_size);
#define kipc_ring_producer(ring, tag, prod) \
	kipc_ring_producer((ring), (tag), (prod), \
			   sizeof(struct kipc_ring_producer))

/*
 * Listing, inspection and control by name, through the kipc generic netlink
 * family. They need no handle and no access to the object, and they see
 * the caller's IPC namespace only. IDs are in the caller's user namespace.
 */
enum kipc_object_type {
	KIPC_OBJECT_QUEUE	= 1,
	KIPC_OBJECT_REGION	= 2,
	KIPC_OBJECT_RING	= 3	/* since 1.1 */
};

struct kipc_obj_info {
	char name[KIPC_NAME_MAX + 1];
	uint32_t object;	/* enum kipc_object_type */
	uint32_t uid;		/* owner */
	uint32_t gid;		/* group */
	uint32_t mode;		/* permission bits */
	uint32_t flags;		/* creation flags: KIPC_QUEUE_AUTO_DELETE,
				 * CHANNEL, BROADCAST, DROP_OLDEST;
				 * KIPC_REGION_AUTO_DELETE, and
				 * KIPC_REGION_UNLINKED for a region whose
				 * name is gone and whose handles or
				 * mappings keep it; KIPC_RING_AUTO_DELETE */
	uint32_t handles;	/* bound handles */
	uint64_t ctime_ns;	/* CLOCK_REALTIME at creation */
	/* Queues only. */
	uint32_t max_msgs;
	uint32_t max_msg_size;
	uint32_t cur_msgs;
	uint32_t __pad;
	uint64_t cur_bytes;
	uint64_t sent;
	uint64_t received;
	uint64_t failed;
	uint64_t dropped;	/* broadcast messages lost by slow readers */
	/* Regions, and rings (size only). */
	uint64_t size;		/* bytes */
	uint64_t mappings;	/* memory mappings, in any process */
	/* Queues and rings: the incarnation id, as in kipc_queue_attr.id;
	 * 0 from a module before it. */
	uint64_t id;
	uint64_t __reserved[3];
	/* Rings only; since 1.1, whose struct is the first this long. */
	uint32_t slot_size;	/* bytes per slot */
	uint32_t nr_slots;
	uint32_t max_producers;
	uint32_t producers;	/* producer handles bound now */
	uint32_t has_consumer;	/* 1 while a consumer handle is bound */
	uint32_t __pad2;
	uint64_t head;		/* the ring's words as its pages hold them */
	uint64_t tail;
	uint64_t lost;		/* records the kernel marked lost */
};

int kipc_queue_list(int (*cb)(const struct kipc_obj_info *info, void *arg),
		    void *arg);

/*
 * What a queue is doing, to tell why it is stuck: who is blocked on it,
 * who registered for its arrival signal, and who used it last. IDs are
 * as the caller's PID namespace sees them (0: none, or not visible);
 * times are CLOCK_REALTIME ns, 0 before the first send or receive. An
 * older module reports all of it as 0. Since LIBKIPC_0.4.
 */
struct kipc_queue_state {
	uint32_t recv_waiters;		/* tasks blocked receiving now */
	uint32_t send_waiters;		/* tasks blocked sending now */
	int32_t notify_tid;		/* registered thread; 0: none */
	int32_t notify_signo;		/* its signal; 0: none registered */
	int32_t last_send_pid;		/* process of the last send */
	int32_t last_recv_pid;		/* process of the last receive */
	uint64_t last_send_ns;
	uint64_t last_recv_ns;
	uint64_t __reserved[4];
};

int kipc_queue_inspect(const char *name, struct kipc_obj_info *info,
		       size_t info_size, struct kipc_queue_state *state,
		       size_t state_size);
#define kipc_queue_inspect(name, info, state) \
	kipc_queue_inspect((name), (info), sizeof(struct kipc_obj_info), \
			   (state), sizeof(struct kipc_queue_state))
int kipc_queue_inspect_all(int (*cb)(const struct kipc_obj_info *info,
				     const struct kipc_queue_state *state,
				     void *arg),
			   void *arg);
int kipc_region_list(int (*cb)(const struct kipc_obj_info *info, void *arg),
		     void *arg);
/* Since LIBKIPC_1.1; -EOPNOTSUPP from a module that lists no ring. */
int kipc_ring_list(int (*cb)(const struct kipc_obj_info *info, void *arg),
		   void *arg);
int kipc_queue_stat(const char *name, struct kipc_obj_info *info,
		    size_t info_size);
int kipc_region_stat(const char *name, struct kipc_obj_info *info,
		     size_t info_size);
int kipc_ring_stat(const char *name, struct kipc_obj_info *info,
		   size_t info_size);
#define kipc_queue_stat(name, info) \
	kipc_queue_stat((name), (info), sizeof(struct kipc_obj_info))
#define kipc_region_stat(name, info) \
	kipc_region_stat((name), (info), sizeof(struct kipc_obj_info))
#define kipc_ring_stat(name, info) \
	kipc_ring_stat((name), (info), sizeof(struct kipc_obj_info))
int kipc_queue_chmod(const char *name, mode_t mode);
int kipc_queue_chown(const char *name, uid_t uid, gid_t gid);
int kipc_region_chmod(const char *name, mode_t mode);
int kipc_region_chown(const char *name, uid_t uid, gid_t gid);

/* Module-wide figures and the module's parameters. */
struct kipc_stats {
	uint32_t queues;		/* alive, in every IPC namespace */
	uint32_t regions;
	uint32_t namespaces;		/* IPC namespaces that use kipc */
	uint32_t listeners;		/* monitor subscriptions */
	uint32_t max_queues;		/* module parameters from here */
	uint32_t max_regions;
	uint32_t default_max_msgs;
	uint32_t max_msgs_limit;
	uint32_t default_msg_size;
	uint32_t msg_size_limit;
	uint64_t max_region_size;
	/* Since 1.1, in what was reserved; 0 from an older library or module. */
	uint32_t rings;			/* alive, in every IPC namespace */
	uint32_t max_rings;		/* module parameters */
	uint64_t max_ring_size;
	uint64_t __reserved[2];
};

int kipc_stats_get(struct kipc_stats *st, size_t st_size);
#define kipc_stats_get(st) kipc_stats_get((st), sizeof(struct kipc_stats))

/*
 * Events: a monitor hears of every queue and region created, deleted or
 * changed (mode, owner), and every ring created or deleted, in the IPC
 * namespace it was opened in. Its file descriptor polls readable when an
 * event waits. Ring events are returned only to programs built against
 * 1.1 or later (kipc_monitor_next@LIBKIPC_1.1): an older one, which
 * cannot know their types, never sees them.
 */
enum kipc_event_type {
	KIPC_EVENT_QUEUE_CREATE		= 1,
	KIPC_EVENT_QUEUE_DELETE		= 2,
	KIPC_EVENT_QUEUE_CHANGE		= 3,
	KIPC_EVENT_REGION_CREATE	= 4,
	KIPC_EVENT_REGION_DELETE	= 5,
	KIPC_EVENT_REGION_CHANGE	= 6,
	KIPC_EVENT_RING_CREATE		= 7,	/* since 1.1 */
	KIPC_EVENT_RING_DELETE		= 8
};

struct kipc_event {
	uint32_t type;			/* enum kipc_event_type */
	uint32_t __reserved;
	struct kipc_obj_info obj;	/* the object, as of the event */
};

struct kipc_monitor;

int kipc_monitor_open(struct kipc_monitor **mon);
int kipc_monitor_fd(const struct kipc_monitor *mon);
/* timeout_ms is relative: 0 polls, -1 waits for ever. */
int kipc_monitor_next(struct kipc_monitor *mon, struct kipc_event *ev,
		      size_t ev_size, int timeout_ms);
#define kipc_monitor_next(mon, ev, timeout_ms) \
	kipc_monitor_next((mon), (ev), sizeof(struct kipc_event), (timeout_ms))
int kipc_monitor_close(struct kipc_monitor *mon);

/*
 * The kernel's reason for the calling thread's last netlink request's
 * failure ("only the owner may delete it"), from netlink's extended ack;
 * "" when it gave none or the request succeeded. Valid until the thread's
 * next request. Since LIBKIPC_0.4.
 */
const char *kipc_last_extack(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBKIPC_H */
