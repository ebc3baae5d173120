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
#define KIPC_LIB_VERSION_MINOR	2
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
 * Message queues. A queue handle is a file descriptor (close-on-exec) of
 * /dev/kipc bound to a named queue; it works with poll, epoll, fork and
 * SCM_RIGHTS. Absolute timeouts are CLOCK_MONOTONIC.
 */

/* Capacity of a queue being created; a 0 field takes the module's default. */
struct kipc_queue_config {
	uint32_t max_msgs;
	uint32_t max_msg_size;
	uint32_t flags;		/* KIPC_QUEUE_AUTO_DELETE */
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

#ifdef __cplusplus
}
#endif

#endif /* LIBKIPC_KIPC_H */
