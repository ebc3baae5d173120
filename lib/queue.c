// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Message queues: binding a handle of /dev/kipc to a named queue, and the
 * send, receive, batch and attribute ioctls on it.
 *
 * Every ioctl struct is zeroed before it is filled, so reserved fields are
 * 0 and an older or newer module reads it the same way. Errors on a
 * descriptor that is not a queue handle follow handle.c's table.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kipc.h"
#include "internal.h"

#define NSEC_PER_SEC 1000000000LL

/* A name as the ABI takes it: pointer and length, without the NUL. */
static int kipc_name(const char *name, __u64 *ptr, __u32 *len)
{
	size_t n;

	if (!name)
		return -EINVAL;
	n = strnlen(name, (size_t)KIPC_NAME_MAX + 1);
	/* An over-long name goes to the module, which knows its limit. */
	*ptr = (uintptr_t)name;
	*len = (uint32_t)n;
	return 0;
}

/*
 * An absolute CLOCK_MONOTONIC time in nanoseconds. A time too far away to
 * represent is clamped, which is the same as never.
 */
static int kipc_timeout_ns(const struct timespec *ts, __s64 *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if (ts->tv_sec >= INT64_MAX / NSEC_PER_SEC)
		*ns = INT64_MAX;
	else
		*ns = (int64_t)ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
	return 0;
}

/* Adds KIPC_IO_TIMEOUT when there is a deadline; refuses it without one. */
/* What a creator may ask for in struct kipc_queue_config.flags. */
#define KIPC_QUEUE_CONFIG_FLAGS	(KIPC_QUEUE_AUTO_DELETE | KIPC_QUEUE_CHANNEL | \
				 KIPC_QUEUE_BROADCAST | KIPC_QUEUE_DROP_OLDEST)

static int kipc_io_deadline(unsigned int *flags,
			    const struct timespec *abs_timeout, __s64 *ns)
{
	int ret;

	*ns = 0;
	if (!abs_timeout)
		return (*flags & KIPC_IO_TIMEOUT) ? -EINVAL : 0;
	ret = kipc_timeout_ns(abs_timeout, ns);
	if (ret)
		return ret;
	*flags |= KIPC_IO_TIMEOUT;
	return 0;
}

int kipc_queue_open(const char *name, int oflag, mode_t mode,
		    const struct kipc_queue_config *cfg)
{
	struct kipc_queue_bind b;
	int fd, fl, ret;

	if (oflag & ~(O_ACCMODE | O_CREAT | O_EXCL | O_NONBLOCK))
		return -EINVAL;
	if (cfg && (cfg->flags & ~(uint32_t)KIPC_QUEUE_CONFIG_FLAGS))
		return -EINVAL;

	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	switch (oflag & O_ACCMODE) {
	case O_RDONLY:
		b.flags = KIPC_QUEUE_READ;
		break;
	case O_WRONLY:
		b.flags = KIPC_QUEUE_WRITE;
		break;
	case O_RDWR:
		b.flags = KIPC_QUEUE_READ | KIPC_QUEUE_WRITE;
		break;
	default:
		return -EINVAL;
	}
	ret = kipc_name(name, &b.name, &b.name_len);
	if (ret)
		return ret;
	/* As with mq_open(), mode and attributes count only when creating. */
	if (oflag & O_CREAT) {
		b.flags |= KIPC_QUEUE_CREATE;
		b.mode = (uint32_t)mode;
		if (cfg) {
			b.max_msgs = cfg->max_msgs;
			b.max_msg_size = cfg->max_msg_size;
			b.flags |= cfg->flags;
		}
	}
	if (oflag & O_EXCL)
		b.flags |= KIPC_QUEUE_EXCL;

	fd = kipc_dev_open();
	if (fd < 0)
		return fd;
	if (oflag & O_NONBLOCK) {
		fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
			ret = -errno;
			goto err;
		}
	}
	ret = kipc_handle_ioctl(fd, KIPC_IOC_QUEUE_BIND, &b);
	if (ret < 0)
		goto err;
	return fd;
err:
	close(fd);
	return ret;
}

/* Only a queue handle: closing some other descriptor is a caller's bug. */
int kipc_queue_close(int fd)
{
	int ret = kipc_handle_check(fd, KIPC_OBJECT_QUEUE);

	if (ret)
		return ret;
	return close(fd) < 0 ? -errno : 0;
}

int kipc_queue_unlink(const char *name)
{
	struct kipc_unlink u;
	int fd, ret;

	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	ret = kipc_name(name, &u.name, &u.name_len);
	if (ret)
		return ret;
	fd = kipc_dev_open();
	if (fd < 0)
		return fd;
	ret = kipc_handle_ioctl(fd, KIPC_IOC_QUEUE_UNLINK, &u);
	close(fd);
	return ret < 0 ? ret : 0;
}

int kipc_queue_send_flags(int fd, const void *buf, size_t len,
			  unsigned int prio, uint64_t type, unsigned int flags,
			  const struct timespec *abs_timeout)
{
	struct kipc_queue_io io;
	int ret;

	if (len > UINT32_MAX)
		return -EMSGSIZE;
	memset(&io, 0, sizeof(io));
	io.size = sizeof(io);
	ret = kipc_io_deadline(&flags, abs_timeout, &io.timeout_ns);
	if (ret)
		return ret;
	io.flags = flags;
	io.msg.buf = (uintptr_t)buf;
	io.msg.len = (uint32_t)len;
	io.msg.prio = prio;
	io.msg.type = type;
	ret = kipc_handle_ioctl(fd, KIPC_IOC_QUEUE_SEND, &io);
	return ret < 0 ? ret : 0;
}

int kipc_queue_send(int fd, const void *buf, size_t len, unsigned int prio,
		    uint64_t type)
{
	return kipc_queue_send_flags(fd, buf, len, prio, type, 0, NULL);
}

int kipc_queue_timedsend(int fd, const void *buf, size_t len,
			 unsigned int prio, uint64_t type,
			 const struct timespec *abs_timeout)
{
	return kipc_queue_send_flags(fd, buf, len, prio, type, 0, abs_timeout);
}

static void kipc_msg_info_fill(struct kipc_msg_info *info,
			       const struct kipc_msg *m)
{
	memset(info, 0, sizeof(*info));
	info->len = m->len;
	info->prio = m->prio;
	info->type = m->type;
	info->pid = m->pid;
	info->tid = m->tid;
	info->uid = m->uid;
	info->gid = m->gid;
	info->time_ns = m->time_ns;
	info->seq = m->seq;
}

int kipc_queue_recv_flags(int fd, void *buf, size_t len,
			  struct kipc_msg_info *info, unsigned int flags,
			  uint64_t type, const struct timespec *abs_timeout)
{
	struct kipc_queue_io io;
	int ret;

	if (len > UINT32_MAX)
		return -EMSGSIZE;
	memset(&io, 0, sizeof(io));
	io.size = sizeof(io);
	ret = kipc_io_deadline(&flags, abs_timeout, &io.timeout_ns);
	if (ret)
		return ret;
	io.flags = flags;
	io.msg.buf = (uintptr_t)buf;
	io.msg.len = (uint32_t)len;
	io.msg.type = type;
	ret = kipc_handle_ioctl(fd, KIPC_IOC_QUEUE_RECV, &io);
	if (ret == -EMSGSIZE && info) {
		/* The message stays queued; len says how big it is, if known. */
		memset(info, 0, sizeof(*info));
		if (io.msg.len > len)
			info->len = io.msg.len;
	}
	if (ret < 0)
		return ret;
	if (io.msg.len > INT_MAX)
		return -EOVERFLOW;
	if (info)
		kipc_msg_info_fill(info, &io.msg);
	return (int)io.msg.len;
}

int kipc_queue_recv(int fd, void *buf, size_t len, struct kipc_msg_info *info)
{
	return kipc_queue_recv_flags(fd, buf, len, info, 0, 0, NULL);
}

int kipc_queue_timedrecv(int fd, void *buf, size_t len,
			 struct kipc_msg_info *info,
			 const struct timespec *abs_timeout)
{
	return kipc_queue_recv_flags(fd, buf, len, info, 0, 0, abs_timeout);
}

static int kipc_queue_batch(int fd, unsigned long cmd, struct kipc_msg *msgs,
			    unsigned int count, unsigned int flags,
			    const struct timespec *abs_timeout)
{
	struct kipc_queue_batch b;
	int ret;

	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	ret = kipc_io_deadline(&flags, abs_timeout, &b.timeout_ns);
	if (ret)
		return ret;
	b.flags = flags;
	b.msgs = (uintptr_t)msgs;
	b.count = count;
	b.msg_size = sizeof(*msgs);
	return kipc_handle_ioctl(fd, cmd, &b);
}

int kipc_queue_send_batch(int fd, struct kipc_msg *msgs, unsigned int count,
			  unsigned int flags,
			  const struct timespec *abs_timeout)
{
	return kipc_queue_batch(fd, KIPC_IOC_QUEUE_SEND_BATCH, msgs, count,
				flags, abs_timeout);
}

int kipc_queue_recv_batch(int fd, struct kipc_msg *msgs, unsigned int count,
			  unsigned int flags,
			  const struct timespec *abs_timeout)
{
	return kipc_queue_batch(fd, KIPC_IOC_QUEUE_RECV_BATCH, msgs, count,
				flags, abs_timeout);
}

int kipc_queue_getattr(int fd, struct kipc_queue_attr *attr)
{
	struct kipc_queue_attr a;
	int ret;

	if (!attr)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	ret = kipc_handle_ioctl(fd, KIPC_IOC_QUEUE_GETATTR, &a);
	if (ret < 0)
		return ret;
	*attr = a;
	return 0;
}

int kipc_queue_setattr(int fd, unsigned int handle_flags)
{
	int fl, nfl;

	if (handle_flags & ~KIPC_HANDLE_NONBLOCK)
		return -EINVAL;
	/* fcntl() would set the flag on any descriptor. */
	fl = kipc_handle_check(fd, KIPC_OBJECT_QUEUE);
	if (fl)
		return fl;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -errno;
	if (handle_flags & KIPC_HANDLE_NONBLOCK)
		nfl = fl | O_NONBLOCK;
	else
		nfl = fl & ~O_NONBLOCK;
	if (nfl != fl && fcntl(fd, F_SETFL, nfl) < 0)
		return -errno;
	return 0;
}
