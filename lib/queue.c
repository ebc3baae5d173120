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

#include "libkipc.h"
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

/* What a creator may ask for in struct kipc_queue_config.flags. */
#define KIPC_QUEUE_CONFIG_FLAGS	(KIPC_QUEUE_AUTO_DELETE | KIPC_QUEUE_CHANNEL | \
				 KIPC_QUEUE_BROADCAST | KIPC_QUEUE_DROP_OLDEST | \
				 KIPC_QUEUE_NOPOLL)

/*
 * Every caller of a timed call used to write this: now plus a relative
 * time, with the carry into tv_sec that, forgotten, makes the kernel's
 * answer EINVAL.
 */
int kipc_deadline_ms(struct timespec *ts, int64_t ms)
{
	struct timespec now;
	int64_t sec;

	if (!ts || ms < 0)
		return -EINVAL;
	if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		return -errno;
	sec = ms / 1000;
	now.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (now.tv_nsec >= NSEC_PER_SEC) {
		now.tv_nsec -= NSEC_PER_SEC;
		sec++;
	}
	/* Clamped: kipc_timeout_ns() reads a time this far as never. */
	if (sec > INT64_MAX / NSEC_PER_SEC - now.tv_sec)
		now.tv_sec = INT64_MAX / NSEC_PER_SEC;
	else
		now.tv_sec += sec;
	*ts = now;
	return 0;
}

/* Adds KIPC_IO_TIMEOUT when there is a deadline; refuses it without one. */
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

/* The features a creator's flags need, beyond queues themselves. */
static uint64_t kipc_queue_features(uint32_t flags)
{
	uint64_t feat = KIPC_FEAT_QUEUE;

	if (flags & KIPC_QUEUE_CHANNEL)
		feat |= KIPC_FEAT_CHANNEL;
	if (flags & (KIPC_QUEUE_BROADCAST | KIPC_QUEUE_DROP_OLDEST))
		feat |= KIPC_FEAT_BROADCAST;
	if (flags & KIPC_QUEUE_NOPOLL)
		feat |= KIPC_FEAT_POLL;
	return feat;
}

/*
 * A module older than a flag refuses it with EINVAL. Only then, off the
 * fast path, is the module asked whether that was the reason, so that the
 * caller learns EOPNOTSUPP instead.
 */
static int kipc_io_flags_error(int fd, unsigned int flags, int ret)
{
	uint64_t feat = 0;

	if (ret != -EINVAL)
		return ret;
	if (flags & KIPC_IO_NOPOLL)
		feat |= KIPC_FEAT_POLL;
	if (flags & KIPC_IO_SEQ)
		feat |= KIPC_FEAT_RECV_SEQ;
	if (feat && kipc_handle_features(fd, feat) == -EOPNOTSUPP)
		return -EOPNOTSUPP;
	return ret;
}

int (kipc_queue_open)(const char *name, int oflag, mode_t mode,
		      const struct kipc_queue_config *ucfg, size_t cfg_size)
{
	struct kipc_queue_config config, *cfg = NULL;
	struct kipc_queue_bind b;
	int fd, fl, ret;

	if (oflag & ~(O_ACCMODE | O_CREAT | O_EXCL | O_NONBLOCK))
		return -EINVAL;
	if (ucfg) {
		ret = kipc_struct_in(&config, sizeof(config), ucfg, cfg_size,
				     KIPC_QUEUE_CONFIG_SIZE_VER0);
		if (ret)
			return ret;
		cfg = &config;
	}
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

	fd = kipc_dev_open(kipc_queue_features(b.flags));
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
	fd = kipc_dev_open(KIPC_FEAT_QUEUE);
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
	return ret < 0 ? kipc_io_flags_error(fd, flags, ret) : 0;
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

static void kipc_msg_info_fill(struct kipc_msg_info *info, size_t info_size,
			       const struct kipc_msg *m)
{
	struct kipc_msg_info mi;

	memset(&mi, 0, sizeof(mi));
	mi.len = m->len;
	mi.prio = m->prio;
	mi.type = m->type;
	mi.pid = m->pid;
	mi.tid = m->tid;
	mi.uid = m->uid;
	mi.gid = m->gid;
	mi.time_ns = m->time_ns;
	mi.seq = m->seq;
	/* The size was checked before the receive, so this cannot fail. */
	kipc_struct_out(info, info_size, &mi, sizeof(mi),
			KIPC_MSG_INFO_SIZE_VER0);
}

int (kipc_queue_recv_flags)(int fd, void *buf, size_t len,
			    struct kipc_msg_info *info, size_t info_size,
			    unsigned int flags, uint64_t type,
			    const struct timespec *abs_timeout)
{
	struct kipc_msg_info mi;
	struct kipc_queue_io io;
	int ret;

	/* Refused before the receive: a message taken must be reported. */
	if (info && info_size < KIPC_MSG_INFO_SIZE_VER0)
		return -EINVAL;
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
	if (ret < 0)
		ret = kipc_io_flags_error(fd, flags, ret);
	if (ret == -EMSGSIZE && info) {
		/* The message stays queued; len says how big it is, if known. */
		memset(&mi, 0, sizeof(mi));
		if (io.msg.len > len)
			mi.len = io.msg.len;
		kipc_struct_out(info, info_size, &mi, sizeof(mi),
				KIPC_MSG_INFO_SIZE_VER0);
	}
	if (ret < 0)
		return ret;
	if (io.msg.len > INT_MAX)
		return -EOVERFLOW;
	if (info)
		kipc_msg_info_fill(info, info_size, &io.msg);
	return (int)io.msg.len;
}

int (kipc_queue_recv)(int fd, void *buf, size_t len,
		      struct kipc_msg_info *info, size_t info_size)
{
	return (kipc_queue_recv_flags)(fd, buf, len, info, info_size, 0, 0,
				       NULL);
}

int (kipc_queue_timedrecv)(int fd, void *buf, size_t len,
			   struct kipc_msg_info *info, size_t info_size,
			   const struct timespec *abs_timeout)
{
	return (kipc_queue_recv_flags)(fd, buf, len, info, info_size, 0, 0,
				       abs_timeout);
}

/* The kernel reads and writes each element by the caller's msg_size. */
static int kipc_queue_batch(int fd, unsigned long cmd, struct kipc_msg *msgs,
			    unsigned int count, size_t msg_size,
			    unsigned int flags,
			    const struct timespec *abs_timeout)
{
	struct kipc_queue_batch b;
	int ret;

	if (msg_size < KIPC_MSG_SIZE_VER0 || msg_size > UINT32_MAX)
		return -EINVAL;
	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	ret = kipc_io_deadline(&flags, abs_timeout, &b.timeout_ns);
	if (ret)
		return ret;
	b.flags = flags;
	b.msgs = (uintptr_t)msgs;
	b.count = count;
	b.msg_size = (uint32_t)msg_size;
	ret = kipc_handle_ioctl(fd, cmd, &b);
	return ret < 0 ? kipc_io_flags_error(fd, flags, ret) : ret;
}

int (kipc_queue_send_batch)(int fd, struct kipc_msg *msgs, unsigned int count,
			    size_t msg_size, unsigned int flags,
			    const struct timespec *abs_timeout)
{
	return kipc_queue_batch(fd, KIPC_IOC_QUEUE_SEND_BATCH, msgs, count,
				msg_size, flags, abs_timeout);
}

int (kipc_queue_recv_batch)(int fd, struct kipc_msg *msgs, unsigned int count,
			    size_t msg_size, unsigned int flags,
			    const struct timespec *abs_timeout)
{
	return kipc_queue_batch(fd, KIPC_IOC_QUEUE_RECV_BATCH, msgs, count,
				msg_size, flags, abs_timeout);
}

/*
 * The caller's own struct goes to the kernel at the caller's size, and
 * the kernel's rules for sizes apply: it writes no further than that
 * size, and what it does not know of a longer struct stays zeroed.
 */
int (kipc_queue_getattr)(int fd, struct kipc_queue_attr *attr,
			 size_t attr_size)
{
	int ret;

	if (!attr || attr_size > UINT32_MAX)
		return -EINVAL;
	ret = kipc_struct_size_ok(attr_size, KIPC_QUEUE_ATTR_SIZE_VER0);
	if (ret)
		return ret;
	memset(attr, 0, attr_size);
	attr->size = (uint32_t)attr_size;
	ret = kipc_handle_ioctl(fd, KIPC_IOC_QUEUE_GETATTR, attr);
	return ret < 0 ? ret : 0;
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
