// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Events: a monitor is a netlink socket of its own that subscribed with
 * the kipc family's monitor command. The kernel has no multicast group for
 * kipc: it unicasts each event to the sockets that subscribed from the
 * event's IPC namespace, and forgets a subscription when its socket closes.
 *
 * An event may arrive before the subscription's acknowledgement, so what
 * the socket delivers is read into a buffer, from which the ACK is taken
 * and in which the events wait their turn. Datagrams are read with
 * recv(2) rather than libnl's nl_recv(), which would fold ENOBUFS (events
 * were lost because the socket was full) into an unrelated code.
 */

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include "libkipc.h"
#include "internal.h"

/* Room for one datagram: an event is far smaller than a page. */
#define KIPC_MON_DGRAM		16384
/* Receive buffer asked for, so bursts of events fit; the kernel caps it. */
#define KIPC_MON_RCVBUF		(1 << 20)

struct kipc_monitor {
	struct kipc_nl_sock ns;
	int fd;
	uint32_t sub_seq;	/* the subscription request's sequence number */
	int subscribed;		/* its ACK came, with sub_error */
	int sub_error;
	unsigned char *buf;	/* events not yet returned: [off, len) */
	size_t cap, len, off;
};

static const struct {
	uint8_t cmd;
	uint8_t object;
	uint8_t type;
} kipc_mon_events[] = {
	/* Of 1.1: kipc_monitor_next@LIBKIPC_1.0 and 0.3 skip them. */
	{ KIPC_CMD_RING_CREATE_NTF, KIPC_OBJECT_RING, KIPC_EVENT_RING_CREATE },
	{ KIPC_CMD_RING_DELETE_NTF, KIPC_OBJECT_RING, KIPC_EVENT_RING_DELETE },
	{ KIPC_CMD_QUEUE_CREATE_NTF, KIPC_OBJECT_QUEUE, KIPC_EVENT_QUEUE_CREATE },
	{ KIPC_CMD_QUEUE_DELETE_NTF, KIPC_OBJECT_QUEUE, KIPC_EVENT_QUEUE_DELETE },
	{ KIPC_CMD_QUEUE_CHANGE_NTF, KIPC_OBJECT_QUEUE, KIPC_EVENT_QUEUE_CHANGE },
	{ KIPC_CMD_REGION_CREATE_NTF, KIPC_OBJECT_REGION, KIPC_EVENT_REGION_CREATE },
	{ KIPC_CMD_REGION_DELETE_NTF, KIPC_OBJECT_REGION, KIPC_EVENT_REGION_DELETE },
	{ KIPC_CMD_REGION_CHANGE_NTF, KIPC_OBJECT_REGION, KIPC_EVENT_REGION_CHANGE },
};

/* The index in kipc_mon_events of an event message, or -1. */
static int kipc_mon_event(const struct kipc_monitor *mon,
			  struct nlmsghdr *nlh)
{
	struct genlmsghdr *gh;

	if (nlh->nlmsg_type != mon->ns.family ||
	    !genlmsg_valid_hdr(nlh, 0))
		return -1;
	gh = nlmsg_data(nlh);
	for (size_t i = 0; i < sizeof(kipc_mon_events) / sizeof(kipc_mon_events[0]); i++)
		if (kipc_mon_events[i].cmd == gh->cmd)
			return (int)i;
	return -1;
}

/*
 * Keeps the events among the n bytes just read at buf + len, notes the
 * subscription's ACK, and drops anything else.
 */
static void kipc_mon_sort(struct kipc_monitor *mon, int n)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(mon->buf + mon->len);
	unsigned char *out = mon->buf + mon->len;
	struct nlmsgerr *err;
	size_t size;

	for (; nlmsg_ok(nlh, n); nlh = nlmsg_next(nlh, &n)) {
		if (nlh->nlmsg_type == NLMSG_ERROR &&
		    nlh->nlmsg_seq == mon->sub_seq && !mon->subscribed &&
		    nlmsg_datalen(nlh) >= (int)sizeof(*err)) {
			err = nlmsg_data(nlh);
			mon->sub_error = err->error;
			mon->subscribed = 1;
			continue;
		}
		if (kipc_mon_event(mon, nlh) < 0)
			continue;
		size = NLMSG_ALIGN(nlh->nlmsg_len);
		memmove(out, nlh, nlh->nlmsg_len);
		out += size;
	}
	mon->len = (size_t)(out - mon->buf);
}

/* Reads one datagram: 0, -EAGAIN when none waits (with MSG_DONTWAIT). */
static int kipc_mon_recv(struct kipc_monitor *mon, int flags)
{
	unsigned char *p;
	ssize_t n;

	if (mon->off == mon->len) {
		mon->off = 0;
		mon->len = 0;
	} else if (mon->off) {
		memmove(mon->buf, mon->buf + mon->off, mon->len - mon->off);
		mon->len -= mon->off;
		mon->off = 0;
	}
	if (mon->cap - mon->len < KIPC_MON_DGRAM) {
		p = realloc(mon->buf, mon->len + KIPC_MON_DGRAM);
		if (!p)
			return -ENOMEM;
		mon->buf = p;
		mon->cap = mon->len + KIPC_MON_DGRAM;
	}
	do {
		n = recv(mon->fd, mon->buf + mon->len, mon->cap - mon->len,
			 flags | MSG_TRUNC);
	} while (n < 0 && errno == EINTR && !(flags & MSG_DONTWAIT));
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if ((size_t)n > mon->cap - mon->len)
		return 0;	/* cut short: cannot be one of ours */
	kipc_mon_sort(mon, (int)n);
	return 0;
}

int kipc_monitor_open(struct kipc_monitor **monp)
{
	struct kipc_nl_request req = { .cmd = KIPC_CMD_MONITOR };
	struct kipc_module_info mi;
	struct kipc_monitor *mon;
	struct nl_msg *msg;
	int ret;

	if (!monp)
		return -EINVAL;
	/*
	 * The feature bit first, as for every handle: a module without
	 * events would refuse the command, but EOPNOTSUPP says why.
	 */
	ret = (kipc_module_version_nl)(&mi, sizeof(mi));
	if (ret < 0)
		return ret;
	if (!(mi.features & KIPC_FEAT_MONITOR))
		return -EOPNOTSUPP;
	mon = calloc(1, sizeof(*mon));
	if (!mon)
		return -ENOMEM;
	ret = kipc_nl_connect(&mon->ns);
	if (ret < 0) {
		free(mon);
		return ret;
	}
	mon->fd = nl_socket_get_fd(mon->ns.sk);
	/* Best effort: without it, a burst can overflow the default. */
	nl_socket_set_buffer_size(mon->ns.sk, KIPC_MON_RCVBUF, 0);

	ret = kipc_nl_build(&mon->ns, &req, &msg);
	if (ret < 0)
		goto fail;
	ret = nl_send_auto(mon->ns.sk, msg);
	mon->sub_seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	if (ret < 0) {
		ret = kipc_nl_errno(ret);
		goto fail;
	}
	while (!mon->subscribed) {
		ret = kipc_mon_recv(mon, 0);
		if (ret < 0)
			goto fail;
	}
	ret = mon->sub_error;
	if (ret < 0)
		goto fail;
	*monp = mon;
	return 0;
fail:
	kipc_monitor_close(mon);
	return ret;
}

int kipc_monitor_fd(const struct kipc_monitor *mon)
{
	return mon ? mon->fd : -EINVAL;
}

/* Milliseconds left until deadline, at least 0. */
static int kipc_mon_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : (int)ms;
}

/*
 * Takes the oldest waiting event into ev; 0, or -EAGAIN if none waits.
 * Ring events are taken only @rings: for a caller of an older version,
 * which has no type for them, they are dropped.
 */
static int kipc_mon_take(struct kipc_monitor *mon, struct kipc_event *ev,
			 int rings)
{
	struct nlmsghdr *nlh;
	int i;

	while (mon->off < mon->len) {
		nlh = (struct nlmsghdr *)(mon->buf + mon->off);
		mon->off += NLMSG_ALIGN(nlh->nlmsg_len);
		i = kipc_mon_event(mon, nlh);
		memset(ev, 0, sizeof(*ev));
		if (i >= 0 && !rings &&
		    kipc_mon_events[i].object == KIPC_OBJECT_RING)
			continue;
		/* A malformed event is dropped, as the kernel never sends one. */
		if (i < 0 || kipc_nl_parse_obj(nlh, kipc_mon_events[i].object,
					       &ev->obj) < 0)
			continue;
		ev->type = kipc_mon_events[i].type;
		return 0;
	}
	return -EAGAIN;
}

static int kipc_monitor_next_event(struct kipc_monitor *mon,
				   struct kipc_event *ev, int timeout_ms,
				   int rings);

/* Into the library's struct, then out at the caller's size. */
int kipc_monitor_next_kinds(struct kipc_monitor *mon, struct kipc_event *uev,
			    size_t ev_size, int timeout_ms, int rings)
{
	struct kipc_event ev;
	int ret;

	if (!mon || !uev)
		return -EINVAL;
	ret = kipc_struct_size_ok(ev_size, KIPC_EVENT_SIZE_VER0);
	if (ret)
		return ret;
	ret = kipc_monitor_next_event(mon, &ev, timeout_ms, rings);
	if (ret)
		return ret;
	return kipc_struct_out(uev, ev_size, &ev, sizeof(ev),
			       KIPC_EVENT_SIZE_VER0);
}

/* LIBKIPC_1.1: every event; the older versions are abi.c's. */
int (kipc_monitor_next)(struct kipc_monitor *mon, struct kipc_event *uev,
			size_t ev_size, int timeout_ms)
{
	return kipc_monitor_next_kinds(mon, uev, ev_size, timeout_ms, 1);
}

static int kipc_monitor_next_event(struct kipc_monitor *mon,
				   struct kipc_event *ev, int timeout_ms,
				   int rings)
{
	struct pollfd pfd;
	struct timespec deadline;
	int ret, wait_ms = timeout_ms;

	if (timeout_ms > 0) {
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += timeout_ms / 1000;
		deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
	}
	for (;;) {
		if (!kipc_mon_take(mon, ev, rings))
			return 0;
		ret = kipc_mon_recv(mon, MSG_DONTWAIT);
		if (ret != -EAGAIN) {
			if (ret < 0)
				return ret;
			continue;
		}
		if (!timeout_ms)
			return -EAGAIN;
		if (timeout_ms > 0) {
			wait_ms = kipc_mon_left(&deadline);
			if (!wait_ms)
				return -ETIMEDOUT;
		}
		pfd.fd = mon->fd;
		pfd.events = POLLIN;
		ret = poll(&pfd, 1, timeout_ms < 0 ? -1 : wait_ms);
		if (ret < 0)
			return -errno;
		if (!ret)
			return -ETIMEDOUT;
	}
}

int kipc_monitor_close(struct kipc_monitor *mon)
{
	if (!mon)
		return 0;
	kipc_nl_close(&mon->ns);
	free(mon->buf);
	free(mon);
	return 0;
}
