// SPDX-License-Identifier: LGPL-2.1-or-later
/* Pipes made of anonymous channel queues, and peer handles. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libkipc.h"
#include "internal.h"

int kipc_queue_peer(int fd, unsigned int access, int flags)
{
	struct kipc_queue_peer peer;

	if (flags & ~O_NONBLOCK)
		return -EINVAL;
	memset(&peer, 0, sizeof(peer));
	peer.size = sizeof(peer);
	peer.flags = KIPC_PEER_CLOEXEC |
		     ((flags & O_NONBLOCK) ? KIPC_PEER_NONBLOCK : 0);
	peer.access = access;
	return kipc_handle_ioctl(fd, KIPC_IOC_QUEUE_PEER, &peer);
}

/*
 * fds[0] reads, fds[1] writes, as pipe(2) has it: an anonymous channel
 * bound for writing, and a peer bound for reading. Both are close-on-exec.
 */
int kipc_pipe(int fds[2], int flags)
{
	struct kipc_queue_bind bind;
	int wfd, rfd, ret;

	if (!fds || (flags & ~O_NONBLOCK))
		return -EINVAL;

	memset(&bind, 0, sizeof(bind));
	bind.size = sizeof(bind);
	bind.flags = KIPC_QUEUE_WRITE | KIPC_QUEUE_ANONYMOUS |
		     KIPC_QUEUE_CHANNEL;
	bind.mode = 0600;

	wfd = kipc_dev_open(KIPC_FEAT_QUEUE | KIPC_FEAT_CHANNEL);
	if (wfd < 0)
		return wfd;
	ret = kipc_handle_ioctl(wfd, KIPC_IOC_QUEUE_BIND, &bind);
	if (ret < 0)
		goto err;
	if ((flags & O_NONBLOCK) && fcntl(wfd, F_SETFL, O_NONBLOCK) < 0) {
		ret = -errno;
		goto err;
	}
	rfd = kipc_queue_peer(wfd, KIPC_QUEUE_READ, flags);
	if (rfd < 0) {
		ret = rfd;
		goto err;
	}
	fds[0] = rfd;
	fds[1] = wfd;
	return 0;
err:
	close(wfd);
	return ret;
}
