// SPDX-License-Identifier: LGPL-2.1-or-later
/* The one-shot arrival signal of a queue, as mq_notify() gives. */

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libkipc.h"
#include "internal.h"

static int kipc_notify_ioctl(int fd, unsigned int flags, int signo,
			     uint64_t value)
{
	struct kipc_queue_notify n;
	int ret;

	/* A handle of a module without arrival signals is refused here. */
	ret = kipc_handle_features(fd, KIPC_FEAT_NOTIFY);
	if (ret)
		return ret;
	memset(&n, 0, sizeof(n));
	n.size = sizeof(n);
	n.flags = flags;
	n.signo = signo;
	n.value = value;
	ret = kipc_handle_ioctl(fd, KIPC_IOC_QUEUE_NOTIFY, &n);
	return ret < 0 ? ret : 0;
}

int kipc_queue_notify(int fd, int signo, uint64_t value)
{
	return kipc_notify_ioctl(fd, 0, signo, value);
}

int kipc_queue_notify_remove(int fd)
{
	return kipc_notify_ioctl(fd, KIPC_NOTIFY_REMOVE, 0, 0);
}
