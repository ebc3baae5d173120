/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkipc: the userspace library for kipc.
 *
 * Every function returns a value >= 0 on success or a negative errno on
 * failure, and never relies on errno. The library keeps no global state;
 * every call is safe from any thread.
 */
#ifndef LIBKIPC_KIPC_H
#define LIBKIPC_KIPC_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <linux/kipc.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KIPC_LIB_VERSION_MAJOR	0
#define KIPC_LIB_VERSION_MINOR	3
#define KIPC_LIB_VERSION_PATCH	0

/* What the loaded module says about itself. */
struct kipc_module_info {
	uint32_t abi_version;
	uint32_t module_version;	/* KIPC_VERSION_CODE() */
	uint64_t features;		/* enum kipc_feature */
};

int kipc_lib_version(void);
int kipc_module_version(struct kipc_module_info *info);
int kipc_module_version_nl(struct kipc_module_info *info);

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

int kipc_purge(unsigned int flags, struct kipc_purge_result *res);

/*
 * Message queues. A queue handle is a file descriptor (close-on-exec) of
 * /dev/kipc bound to a named queue; it works with poll, epoll, fork and
 * SCM_RIGHTS. Absolute timeouts are CLOCK_MONOTONIC.
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
		    const struct kipc_queue_config *cfg);
int kipc_queue_close(int fd);
int kipc_queue_unlink(const char *name);

int kipc_queue_send(int fd, const void *buf, size_t len, unsigned int prio,
		    uint64_t type);
int kipc_queue_timedsend(int fd, const void *buf, size_t len,
			 unsigned int prio, uint64_t type,
			 const struct timespec *abs_timeout);
int kipc_queue_send_flags(int fd, const void *buf, size_t len,
			  unsigned int prio, uint64_t type, unsigned int flags,
			  const struct timespec *abs_timeout);

int kipc_queue_recv(int fd, void *buf, size_t len, struct kipc_msg_info *info);
int kipc_queue_timedrecv(int fd, void *buf, size_t len,
			 struct kipc_msg_info *info,
			 const struct timespec *abs_timeout);
int kipc_queue_recv_flags(int fd, void *buf, size_t len,
			  struct kipc_msg_info *info, unsigned int flags,
			  uint64_t type, const struct timespec *abs_timeout);

int kipc_queue_send_batch(int fd, struct kipc_msg *msgs, unsigned int count,
			  unsigned int flags,
			  const struct timespec *abs_timeout);
int kipc_queue_recv_batch(int fd, struct kipc_msg *msgs, unsigned int count,
			  unsigned int flags,
			  const struct timespec *abs_timeout);

int kipc_queue_getattr(int fd, struct kipc_queue_attr *attr);
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
int kipc_region_info(int fd, struct kipc_region_info *info);

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
int kipc_region_event_wait(struct kipc_region_event *ev, uint32_t seq,
			   const struct timespec *abs_timeout);
int kipc_region_event_notify(struct kipc_region_event *ev, int max_waiters);

/*
 * Listing, inspection and control by name, through the kipc generic netlink
 * family. They need no handle and no access to the object, and they see
 * the caller's IPC namespace only. IDs are in the caller's user namespace.
 */
enum kipc_object_type {
	KIPC_OBJECT_QUEUE	= 1,
	KIPC_OBJECT_REGION	= 2,
};

struct kipc_obj_info {
	char name[KIPC_NAME_MAX + 1];
	uint32_t object;	/* enum kipc_object_type */
	uint32_t uid;		/* owner */
	uint32_t gid;		/* group */
	uint32_t mode;		/* permission bits */
	uint32_t flags;		/* creation flags: KIPC_QUEUE_AUTO_DELETE,
				 * CHANNEL, BROADCAST, DROP_OLDEST;
				 * KIPC_REGION_AUTO_DELETE; and
				 * KIPC_REGION_UNLINKED for a region whose
				 * name is gone and whose handles or
				 * mappings keep it */
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
	/* Regions only. */
	uint64_t size;		/* bytes */
	uint64_t mappings;	/* memory mappings, in any process */
	uint64_t __reserved[4];
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
		       struct kipc_queue_state *state);
int kipc_queue_inspect_all(int (*cb)(const struct kipc_obj_info *info,
				     const struct kipc_queue_state *state,
				     void *arg),
			   void *arg);
int kipc_region_list(int (*cb)(const struct kipc_obj_info *info, void *arg),
		     void *arg);
int kipc_queue_stat(const char *name, struct kipc_obj_info *info);
int kipc_region_stat(const char *name, struct kipc_obj_info *info);
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
	uint64_t __reserved[4];
};

int kipc_stats_get(struct kipc_stats *st);

/*
 * Events: a monitor hears of every queue and region created, deleted or
 * changed (mode, owner) in the IPC namespace it was opened in. Its file
 * descriptor polls readable when an event waits.
 */
enum kipc_event_type {
	KIPC_EVENT_QUEUE_CREATE		= 1,
	KIPC_EVENT_QUEUE_DELETE		= 2,
	KIPC_EVENT_QUEUE_CHANGE		= 3,
	KIPC_EVENT_REGION_CREATE	= 4,
	KIPC_EVENT_REGION_DELETE	= 5,
	KIPC_EVENT_REGION_CHANGE	= 6,
};

struct kipc_event {
	uint32_t type;			/* enum kipc_event_type */
	uint32_t __reserved;
	struct kipc_obj_info obj;	/* the object, as of the event */
};

struct kipc_monitor;

int kipc_monitor_open(struct kipc_monitor **mon);
int kipc_monitor_fd(const struct kipc_monitor *mon);
int kipc_monitor_next(struct kipc_monitor *mon, struct kipc_event *ev,
		      int timeout_ms);
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

#endif /* LIBKIPC_KIPC_H */
