// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "kipc" generic netlink family on real objects: every command's
 * success path, each bad input on its own, a dump of a thousand queues,
 * the monitor's events, and who may change what.
 *
 * Objects are made with raw ioctls on /dev/kipc, so only the family is
 * under test. Replies are read straight off the socket, so the kernel's
 * errno and its extended ACK (NETLINK_EXT_ACK) are seen as it sent them.
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"

#define POISON64	0xa5a5a5a5a5a5a5a5ull
#define USER_UID	1000	/* the runner's unprivileged user */
#define USER_GID	1000
#define LIVENESS_MS	10000	/* "eventually", never a speed check */

#define Q_NEW	(KIPC_QUEUE_READ | KIPC_QUEUE_WRITE | KIPC_QUEUE_CREATE | \
		 KIPC_QUEUE_EXCL)
#define R_NEW	(KIPC_REGION_READ | KIPC_REGION_WRITE | KIPC_REGION_CREATE | \
		 KIPC_REGION_EXCL)

/* ---- objects, through the ioctls ---- */

/* A name no other test process uses: uid, pid, a counter and a tag. */
static void obj_name(char *buf, size_t size, const char *tag)
{
	static unsigned int counter;

	snprintf(buf, size, "nlo.%u.%d.%u.%s", (unsigned int)getuid(),
		 (int)getpid(), ++counter, tag);
}

static int dev_open(void)
{
	int fd = open("/dev/kipc", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* A handle bound to the queue @name: the fd, or a negative errno. */
static int q_open(const char *name, uint32_t flags, uint32_t mode,
		  uint32_t max_msgs, uint32_t max_msg_size)
{
	struct kipc_queue_bind b = {
		.size = sizeof(b),
		.flags = flags,
		.name = (uintptr_t)name,
		.name_len = strlen(name),
		.mode = mode,
		.max_msgs = max_msgs,
		.max_msg_size = max_msg_size,
	};
	int fd = dev_open();

	if (fd < 0)
		return fd;
	if (ioctl(fd, KIPC_IOC_QUEUE_BIND, &b)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int r_open(const char *name, uint32_t flags, uint32_t mode,
		  uint64_t size)
{
	struct kipc_region_bind b = {
		.size = sizeof(b),
		.flags = flags,
		.name = (uintptr_t)name,
		.name_len = strlen(name),
		.mode = mode,
		.region_size = size,
	};
	int fd = dev_open();

	if (fd < 0)
		return fd;
	if (ioctl(fd, KIPC_IOC_REGION_BIND, &b)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Creates a queue or region with mode @mode and returns its handle. */
static int obj_create(int region, const char *name, uint32_t mode)
{
	return region ? r_open(name, R_NEW, mode, 4096) :
			q_open(name, Q_NEW, mode, 4, 64);
}

static int obj_unlink(int region, const char *name)
{
	struct kipc_unlink u = {
		.size = sizeof(u),
		.name = (uintptr_t)name,
		.name_len = strlen(name),
	};
	int fd = dev_open();
	int ret;

	if (fd < 0)
		return fd;
	ret = ioctl(fd, region ? KIPC_IOC_REGION_UNLINK : KIPC_IOC_QUEUE_UNLINK,
		    &u);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

static int q_io(int fd, unsigned long cmd, uint32_t flags, void *buf,
		uint32_t len)
{
	struct kipc_queue_io io = {
		.size = sizeof(io),
		.flags = flags,
		.msg = { .buf = (uintptr_t)buf, .len = len },
	};

	return ioctl(fd, cmd, &io) ? -errno : 0;
}

/* The attributes' first published size: all that these tests read. */
#define QUEUE_ATTR_SIZE_V1 (offsetof(struct kipc_queue_attr, handle_flags) + \
			    sizeof(__u32))

static int q_getattr(int fd, struct kipc_queue_attr *a)
{
	memset(a, 0xa5, sizeof(*a));
	a->size = QUEUE_ATTR_SIZE_V1;
	a->flags = 0;
	return ioctl(fd, KIPC_IOC_QUEUE_GETATTR, a) ? -errno : 0;
}

static int r_info(int fd, struct kipc_region_info *ri)
{
	memset(ri, 0xa5, sizeof(*ri));
	ri->size = sizeof(*ri);
	ri->flags = 0;
	return ioctl(fd, KIPC_IOC_REGION_INFO, ri) ? -errno : 0;
}

static int64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static long long sysfs_param(const char *name)
{
	char path[128];
	long long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/kipc/parameters/%s", name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

/* ---- the netlink client ---- */

struct nlc {
	struct nl_sock *sk;
	int fd;
	int family;
};

static int nlc_open(struct nlc *c)
{
	int one = 1;

	memset(c, 0, sizeof(*c));
	c->sk = nl_socket_alloc();
	if (!c->sk)
		return -ENOMEM;
	if (genl_connect(c->sk))
		return -EIO;
	c->family = genl_ctrl_resolve(c->sk, KIPC_FAMILY_NAME);
	if (c->family < 0)
		return -ENOENT;
	c->fd = nl_socket_get_fd(c->sk);
	/* Error messages and attribute offsets, without the echoed request. */
	if (setsockopt(c->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(c->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)))
		return -errno;
	return 0;
}

static void nlc_close(struct nlc *c)
{
	if (c->sk)
		nl_socket_free(c->sk);
	c->sk = NULL;
}

static struct nl_msg *nlc_msg(struct nlc *c, int cmd, int flags)
{
	struct nl_msg *m = nlmsg_alloc();

	if (m)
		genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0, flags,
			    cmd, KIPC_FAMILY_VERSION);
	return m;
}

/* What came back for one request. */
struct nlres {
	int error;		/* 0 or the kernel's negative errno */
	int nreplies;		/* family messages answering the request */
	int nmulti;		/* of them, flagged NLM_F_MULTI */
	int nbatches;		/* recv() calls that carried any of them */
	int has_msg;		/* NLMSGERR_ATTR_MSG came with the error */
	char msg[256];
	int miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, or -1 */
	int has_offs;		/* NLMSGERR_ATTR_OFFS came with the error */
};

typedef void (*nlc_cb)(struct nlmsghdr *nh, void *arg);

static void nlc_parse_err(struct nlmsghdr *nh, struct nlres *r)
{
	struct nlmsgerr *e = NLMSG_DATA(nh);
	int len = (int)nh->nlmsg_len - NLMSG_HDRLEN;
	struct nlattr *a;
	int off;

	r->error = e->error;
	if (!(nh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = sizeof(*e);
	if (!(nh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	while (len - off >= NLA_HDRLEN) {
		a = (struct nlattr *)((char *)e + off);
		if (a->nla_len < NLA_HDRLEN || a->nla_len > len - off)
			break;
		switch (a->nla_type) {
		case NLMSGERR_ATTR_MSG:
			r->has_msg = 1;
			snprintf(r->msg, sizeof(r->msg), "%.*s",
				 (int)(a->nla_len - NLA_HDRLEN),
				 (char *)a + NLA_HDRLEN);
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			r->miss_type = *(uint32_t *)((char *)a + NLA_HDRLEN);
			break;
		case NLMSGERR_ATTR_OFFS:
			r->has_offs = 1;
			break;
		}
		off += NLA_ALIGN(a->nla_len);
	}
}

/*
 * Sends @m (consumed) and reads until its ACK, error or NLMSG_DONE,
 * handing each reply to @cb. Messages of other sequence numbers (events)
 * are passed over. Returns the kernel's errno, or a local one.
 */
static int nlc_xfer(struct nlc *c, struct nl_msg *m, nlc_cb cb, void *arg,
		    struct nlres *r)
{
	static char buf[65536];
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	struct nlmsghdr *nh;
	uint32_t seq;
	int done = 0;

	memset(r, 0, sizeof(*r));
	r->miss_type = -1;
	r->error = -EIO;
	if (!m)
		return r->error;
	if (nl_send_auto(c->sk, m) < 0) {
		nlmsg_free(m);
		return r->error;
	}
	seq = nlmsg_hdr(m)->nlmsg_seq;
	nlmsg_free(m);

	while (!done) {
		int n, got = 0;

		if (poll(&pfd, 1, LIVENESS_MS) != 1) {
			r->error = -ETIMEDOUT;
			break;
		}
		n = recv(c->fd, buf, sizeof(buf), MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r->error = -errno;
			break;
		}
		if (n > (int)sizeof(buf)) {
			r->error = -EMSGSIZE;
			break;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				nlc_parse_err(nh, r);
				done = 1;
				break;
			}
			if (nh->nlmsg_type == NLMSG_DONE) {
				r->error = *(int *)NLMSG_DATA(nh);
				done = 1;
				break;
			}
			if (nh->nlmsg_type == c->family) {
				r->nreplies++;
				r->nmulti += !!(nh->nlmsg_flags & NLM_F_MULTI);
				got = 1;
				if (cb)
					cb(nh, arg);
			}
		}
		r->nbatches += got;
	}
	return r->error;
}

/* ---- objects as the family describes them ---- */

#define MAX_ATTR 32
_Static_assert(KIPC_A_QUEUE_MAX < MAX_ATTR && KIPC_A_REGION_MAX < MAX_ATTR,
	       "room for every attribute");

/* The attributes of one queue or region message; absent ones poisoned. */
struct obj_msg {
	int cmd;
	int nattrs;
	int bad_len;		/* an attribute of the wrong size */
	int present[MAX_ATTR];
	uint64_t v[MAX_ATTR];
	char name[KIPC_NAME_MAX + 2];
};

static int attr_is_u64(int region, int type)
{
	if (region)
		return type == KIPC_A_REGION_CTIME || type == KIPC_A_REGION_SIZE ||
		       type == KIPC_A_REGION_MAPPINGS;
	return type == KIPC_A_QUEUE_CTIME || type == KIPC_A_QUEUE_CUR_BYTES ||
	       type == KIPC_A_QUEUE_SENT || type == KIPC_A_QUEUE_RECEIVED ||
	       type == KIPC_A_QUEUE_FAILED || type == KIPC_A_QUEUE_DROPPED ||
	       type == KIPC_A_QUEUE_LAST_SEND_TIME ||
	       type == KIPC_A_QUEUE_LAST_RECV_TIME || type == KIPC_A_QUEUE_ID;
}

static void obj_msg_init(struct obj_msg *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < MAX_ATTR; i++)
		o->v[i] = POISON64;
	memset(o->name, 0xa5, sizeof(o->name) - 1);
	o->cmd = -1;
}

/* Parses a queue or region message; name, pad and sizes are checked. */
static void obj_msg_parse(struct nlmsghdr *nh, int region, struct obj_msg *o)
{
	struct genlmsghdr *g = NLMSG_DATA(nh);
	int max = region ? KIPC_A_REGION_MAX : KIPC_A_QUEUE_MAX;
	int a_name = region ? KIPC_A_REGION_NAME : KIPC_A_QUEUE_NAME;
	int a_pad = region ? KIPC_A_REGION_PAD : KIPC_A_QUEUE_PAD;
	struct nlattr *a;
	int rem;

	obj_msg_init(o);
	o->cmd = g->cmd;
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		int t = nla_type(a), len = nla_len(a);

		if (t == a_pad)
			continue;
		if (t <= 0 || t > max || o->present[t]) {
			o->bad_len = 1;
			continue;
		}
		o->present[t] = 1;
		o->nattrs++;
		if (t == a_name) {
			if (len < 2 || len > KIPC_NAME_MAX + 1 ||
			    ((char *)nla_data(a))[len - 1] != '\0')
				o->bad_len = 1;
			else
				memcpy(o->name, nla_data(a), len);
		} else if (attr_is_u64(region, t)) {
			if (len != 8)
				o->bad_len = 1;
			else
				o->v[t] = nla_get_u64(a);
		} else {
			if (len != 4)
				o->bad_len = 1;
			else
				o->v[t] = nla_get_u32(a);
		}
	}
}

struct get_arg {
	int region;
	int n;
	struct obj_msg o;
};

static void get_cb(struct nlmsghdr *nh, void *arg)
{
	struct get_arg *g = arg;

	g->n++;
	obj_msg_parse(nh, g->region, &g->o);
}

/* The command numbers and attributes of queues or regions. */
struct kind {
	int region;
	int get, del, set;
	int a_name, a_uid, a_gid, a_mode, a_flags, a_handles, a_ctime, max;
	int nattrs;		/* attributes a get reports, pad aside */
};

static const struct kind queue_kind = {
	.region = 0,
	.get = KIPC_CMD_QUEUE_GET, .del = KIPC_CMD_QUEUE_DEL,
	.set = KIPC_CMD_QUEUE_SET,
	.a_name = KIPC_A_QUEUE_NAME, .a_uid = KIPC_A_QUEUE_UID,
	.a_gid = KIPC_A_QUEUE_GID, .a_mode = KIPC_A_QUEUE_MODE,
	.a_flags = KIPC_A_QUEUE_FLAGS, .a_handles = KIPC_A_QUEUE_HANDLES,
	.a_ctime = KIPC_A_QUEUE_CTIME, .max = KIPC_A_QUEUE_MAX,
	.nattrs = KIPC_A_QUEUE_MAX - 1,		/* all but pad */
};

static const struct kind region_kind = {
	.region = 1,
	.get = KIPC_CMD_REGION_GET, .del = KIPC_CMD_REGION_DEL,
	.set = KIPC_CMD_REGION_SET,
	.a_name = KIPC_A_REGION_NAME, .a_uid = KIPC_A_REGION_UID,
	.a_gid = KIPC_A_REGION_GID, .a_mode = KIPC_A_REGION_MODE,
	.a_flags = KIPC_A_REGION_FLAGS, .a_handles = KIPC_A_REGION_HANDLES,
	.a_ctime = KIPC_A_REGION_CTIME, .max = KIPC_A_REGION_MAX,
	.nattrs = KIPC_A_REGION_MAX - 1,	/* all but pad */
};

/* get by name into @o; returns the errno. */
static int nl_get(struct nlc *c, const struct kind *k, const char *name,
		  struct obj_msg *o, struct nlres *r)
{
	struct get_arg g = { .region = k->region };
	struct nl_msg *m = nlc_msg(c, k->get, 0);
	int ret;

	nla_put_string(m, k->a_name, name);
	ret = nlc_xfer(c, m, get_cb, &g, r);
	if (g.n == 1)
		*o = g.o;
	else
		obj_msg_init(o);
	if (!ret && g.n != 1)
		return -EPROTO;
	return ret;
}

static int nl_del(struct nlc *c, const struct kind *k, const char *name,
		  struct nlres *r)
{
	struct nl_msg *m = nlc_msg(c, k->del, 0);

	nla_put_string(m, k->a_name, name);
	return nlc_xfer(c, m, NULL, NULL, r);
}

#define NO_CHANGE	(-1ll)

/* set: each of @mode, @uid, @gid that is not NO_CHANGE goes in as a u32. */
static int nl_set(struct nlc *c, const struct kind *k, const char *name,
		  long long mode, long long uid, long long gid,
		  struct nlres *r)
{
	struct nl_msg *m = nlc_msg(c, k->set, 0);

	nla_put_string(m, k->a_name, name);
	if (mode != NO_CHANGE)
		nla_put_u32(m, k->a_mode, (uint32_t)mode);
	if (uid != NO_CHANGE)
		nla_put_u32(m, k->a_uid, (uint32_t)uid);
	if (gid != NO_CHANGE)
		nla_put_u32(m, k->a_gid, (uint32_t)gid);
	return nlc_xfer(c, m, NULL, NULL, r);
}

/* Module-wide stats, indexed by KIPC_A_STATS_*; absent ones poisoned. */
struct stats {
	int nattrs;
	uint64_t v[KIPC_A_STATS_MAX + 1];
};

static void stats_cb(struct nlmsghdr *nh, void *arg)
{
	struct genlmsghdr *g = NLMSG_DATA(nh);
	struct stats *s = arg;
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		int t = nla_type(a);

		/* Attributes follow the pad too: skip it alone. */
		if (t <= 0 || t > KIPC_A_STATS_MAX || t == KIPC_A_STATS_PAD)
			continue;
		s->nattrs++;
		s->v[t] = nla_len(a) == 8 ? nla_get_u64(a) :
			  nla_len(a) == 4 ? nla_get_u32(a) : POISON64;
	}
}

static int nl_stats(struct nlc *c, struct stats *s)
{
	struct nlres r;

	memset(s, 0, sizeof(*s));
	for (int i = 0; i <= KIPC_A_STATS_MAX; i++)
		s->v[i] = POISON64;
	return nlc_xfer(c, nlc_msg(c, KIPC_CMD_STATS_GET, 0), stats_cb, s, &r);
}

/* One event from a monitor socket, parsed; -EAGAIN when none is queued. */
static int nl_event(struct nlc *c, int wait_ms, struct obj_msg *o)
{
	static char buf[65536];
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct genlmsghdr *g;
	int n;

	if (wait_ms && poll(&pfd, 1, wait_ms) != 1)
		return -EAGAIN;
	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return -errno;
	if (n > (int)sizeof(buf) || !NLMSG_OK(nh, n) ||
	    nh->nlmsg_type != c->family)
		return -EPROTO;
	g = NLMSG_DATA(nh);
	switch (g->cmd) {
	case KIPC_CMD_REGION_CREATE_NTF:
	case KIPC_CMD_REGION_DELETE_NTF:
	case KIPC_CMD_REGION_CHANGE_NTF:
		obj_msg_parse(nh, 1, o);
		break;
	default:
		obj_msg_parse(nh, 0, o);
		break;
	}
	return 0;
}

/* The next event about @name, passing over those about other objects. */
static int nl_event_for(struct nlc *c, const char *name, struct obj_msg *o)
{
	int ret;

	do {
		ret = nl_event(c, LIVENESS_MS, o);
	} while (!ret && strcmp(o->name, name));
	return ret;
}

/* ---- tests ---- */

FIXTURE(nl) {
	struct nlc c;
};

FIXTURE_SETUP(nl)
{
	ASSERT_EQ(0, nlc_open(&self->c));
}

FIXTURE_TEARDOWN(nl)
{
	nlc_close(&self->c);
}

/* Every attribute of a queue, against what was done to it and the ioctl. */
TEST_F(nl, queue_get_all_attributes)
{
	const struct kind *k = &queue_kind;
	char name[64], buf[64] = "0123456789012345678901234567890";
	struct kipc_queue_attr qa;
	struct obj_msg o;
	struct nlres r;
	int64_t t0, t1;
	int fd, fd2;

	obj_name(name, sizeof(name), "qall");
	t0 = real_ns();
	fd = q_open(name, Q_NEW, 0640, 8, 100);
	t1 = real_ns();
	ASSERT_LE(0, fd);
	fd2 = q_open(name, KIPC_QUEUE_READ, 0, 0, 0);
	ASSERT_LE(0, fd2);

	/* One failed nonblocking receive, three sends, one receive. */
	EXPECT_EQ(-EAGAIN, q_io(fd, KIPC_IOC_QUEUE_RECV, KIPC_IO_NONBLOCK,
				buf, sizeof(buf)));
	EXPECT_EQ(0, q_io(fd, KIPC_IOC_QUEUE_SEND, 0, buf, 10));
	EXPECT_EQ(0, q_io(fd, KIPC_IOC_QUEUE_SEND, 0, buf, 20));
	EXPECT_EQ(0, q_io(fd, KIPC_IOC_QUEUE_SEND, 0, buf, 30));
	EXPECT_EQ(0, q_io(fd2, KIPC_IOC_QUEUE_RECV, 0, buf, sizeof(buf)));

	ASSERT_EQ(0, nl_get(&self->c, k, name, &o, &r));
	EXPECT_EQ(0, o.bad_len);
	EXPECT_EQ(KIPC_CMD_QUEUE_GET, o.cmd);
	EXPECT_EQ(k->nattrs, o.nattrs);
	EXPECT_STREQ(name, o.name);
	EXPECT_EQ(getuid(), o.v[KIPC_A_QUEUE_UID]);
	EXPECT_EQ(getgid(), o.v[KIPC_A_QUEUE_GID]);
	EXPECT_EQ(0640, o.v[KIPC_A_QUEUE_MODE]);
	EXPECT_EQ(0, o.v[KIPC_A_QUEUE_FLAGS]);
	EXPECT_EQ(2, o.v[KIPC_A_QUEUE_HANDLES]);
	EXPECT_EQ(8, o.v[KIPC_A_QUEUE_MAX_MSGS]);
	EXPECT_EQ(100, o.v[KIPC_A_QUEUE_MAX_MSG_SIZE]);
	EXPECT_EQ(2, o.v[KIPC_A_QUEUE_CUR_MSGS]);
	EXPECT_EQ(50, o.v[KIPC_A_QUEUE_CUR_BYTES]);
	EXPECT_EQ(3, o.v[KIPC_A_QUEUE_SENT]);
	EXPECT_EQ(1, o.v[KIPC_A_QUEUE_RECEIVED]);
	EXPECT_EQ(1, o.v[KIPC_A_QUEUE_FAILED]);
	EXPECT_EQ(0, o.v[KIPC_A_QUEUE_DROPPED]);
	/* Near now: the clock read around the creation, one second slack. */
	EXPECT_LE(t0 - 1000000000ll, (int64_t)o.v[KIPC_A_QUEUE_CTIME]);
	EXPECT_GE(t1 + 1000000000ll, (int64_t)o.v[KIPC_A_QUEUE_CTIME]);
	/* Nobody blocked or registered; this process sent and received last. */
	EXPECT_EQ(0, o.v[KIPC_A_QUEUE_RECV_WAITERS]);
	EXPECT_EQ(0, o.v[KIPC_A_QUEUE_SEND_WAITERS]);
	EXPECT_EQ(0, o.v[KIPC_A_QUEUE_NOTIFY_PID]);
	EXPECT_EQ(0, o.v[KIPC_A_QUEUE_NOTIFY_SIGNAL]);
	EXPECT_EQ(getpid(), o.v[KIPC_A_QUEUE_LAST_SEND_PID]);
	EXPECT_EQ(getpid(), o.v[KIPC_A_QUEUE_LAST_RECV_PID]);
	EXPECT_LE(t0, (int64_t)o.v[KIPC_A_QUEUE_LAST_SEND_TIME]);
	EXPECT_LE((int64_t)o.v[KIPC_A_QUEUE_LAST_SEND_TIME],
		  (int64_t)o.v[KIPC_A_QUEUE_LAST_RECV_TIME]);
	EXPECT_GE(real_ns(), (int64_t)o.v[KIPC_A_QUEUE_LAST_RECV_TIME]);

	/* The ioctl describes the same queue. */
	ASSERT_EQ(0, q_getattr(fd, &qa));
	EXPECT_EQ(qa.max_msgs, o.v[KIPC_A_QUEUE_MAX_MSGS]);
	EXPECT_EQ(qa.max_msg_size, o.v[KIPC_A_QUEUE_MAX_MSG_SIZE]);
	EXPECT_EQ(qa.cur_msgs, o.v[KIPC_A_QUEUE_CUR_MSGS]);
	EXPECT_EQ(qa.cur_bytes, o.v[KIPC_A_QUEUE_CUR_BYTES]);
	EXPECT_EQ(qa.sent, o.v[KIPC_A_QUEUE_SENT]);
	EXPECT_EQ(qa.received, o.v[KIPC_A_QUEUE_RECEIVED]);
	EXPECT_EQ(qa.mode, o.v[KIPC_A_QUEUE_MODE]);
	EXPECT_EQ(qa.uid, o.v[KIPC_A_QUEUE_UID]);
	EXPECT_EQ(qa.gid, o.v[KIPC_A_QUEUE_GID]);

	/* A handle closing shows in the count. */
	close(fd2);
	ASSERT_EQ(0, nl_get(&self->c, k, name, &o, &r));
	EXPECT_EQ(1, o.v[KIPC_A_QUEUE_HANDLES]);

	close(fd);
	EXPECT_EQ(0, obj_unlink(0, name));
}

/* The auto-delete flag is reported, and the last close takes the name. */
TEST_F(nl, queue_get_auto_delete)
{
	char name[64];
	struct obj_msg o;
	struct nlres r;
	int fd;

	obj_name(name, sizeof(name), "qauto");
	fd = q_open(name, Q_NEW | KIPC_QUEUE_AUTO_DELETE, 0600, 1, 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, nl_get(&self->c, &queue_kind, name, &o, &r));
	EXPECT_EQ(KIPC_QUEUE_AUTO_DELETE, o.v[KIPC_A_QUEUE_FLAGS]);
	EXPECT_EQ(1, o.v[KIPC_A_QUEUE_MAX_MSGS]);
	EXPECT_EQ(1, o.v[KIPC_A_QUEUE_MAX_MSG_SIZE]);
	close(fd);
	EXPECT_EQ(-ENOENT, nl_get(&self->c, &queue_kind, name, &o, &r));
}

/* Every attribute of a region, with mappings coming and going. */
TEST_F(nl, region_get_all_attributes)
{
	const struct kind *k = &region_kind;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct kipc_region_info ri;
	void *map1, *map2;
	struct obj_msg o;
	struct nlres r;
	char name[64];
	int64_t t0, t1;
	int fd, fd2;

	obj_name(name, sizeof(name), "rall");
	t0 = real_ns();
	/* Rounded up to whole pages. */
	fd = r_open(name, R_NEW | KIPC_REGION_AUTO_DELETE, 0604, 2 * page + 1);
	t1 = real_ns();
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, nl_get(&self->c, k, name, &o, &r));
	EXPECT_EQ(0, o.bad_len);
	EXPECT_EQ(KIPC_CMD_REGION_GET, o.cmd);
	EXPECT_EQ(k->nattrs, o.nattrs);
	EXPECT_STREQ(name, o.name);
	EXPECT_EQ(getuid(), o.v[KIPC_A_REGION_UID]);
	EXPECT_EQ(getgid(), o.v[KIPC_A_REGION_GID]);
	EXPECT_EQ(0604, o.v[KIPC_A_REGION_MODE]);
	EXPECT_EQ(KIPC_REGION_AUTO_DELETE, o.v[KIPC_A_REGION_FLAGS]);
	EXPECT_EQ(1, o.v[KIPC_A_REGION_HANDLES]);
	EXPECT_EQ(3 * page, o.v[KIPC_A_REGION_SIZE]);
	EXPECT_EQ(0, o.v[KIPC_A_REGION_MAPPINGS]);
	EXPECT_LE(t0 - 1000000000ll, (int64_t)o.v[KIPC_A_REGION_CTIME]);
	EXPECT_GE(t1 + 1000000000ll, (int64_t)o.v[KIPC_A_REGION_CTIME]);

	/* Two mappings and a second handle. */
	map1 = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map1);
	map2 = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map2);
	fd2 = r_open(name, KIPC_REGION_READ, 0, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, nl_get(&self->c, k, name, &o, &r));
	EXPECT_EQ(2, o.v[KIPC_A_REGION_MAPPINGS]);
	EXPECT_EQ(2, o.v[KIPC_A_REGION_HANDLES]);

	ASSERT_EQ(0, r_info(fd, &ri));
	EXPECT_EQ(ri.region_size, o.v[KIPC_A_REGION_SIZE]);
	EXPECT_EQ(ri.mappings, o.v[KIPC_A_REGION_MAPPINGS]);
	EXPECT_EQ(ri.handles, o.v[KIPC_A_REGION_HANDLES]);
	EXPECT_EQ(ri.mode, o.v[KIPC_A_REGION_MODE]);
	EXPECT_EQ(ri.uid, o.v[KIPC_A_REGION_UID]);
	EXPECT_EQ(ri.gid, o.v[KIPC_A_REGION_GID]);
	EXPECT_EQ(ri.region_flags, o.v[KIPC_A_REGION_FLAGS]);

	munmap(map2, page);
	close(fd2);
	ASSERT_EQ(0, nl_get(&self->c, k, name, &o, &r));
	EXPECT_EQ(1, o.v[KIPC_A_REGION_MAPPINGS]);
	EXPECT_EQ(1, o.v[KIPC_A_REGION_HANDLES]);

	munmap(map1, 3 * page);
	close(fd);
	EXPECT_EQ(-ENOENT, nl_get(&self->c, k, name, &o, &r));
}

/* The module parameters, as sysfs shows them. */
TEST_F(nl, stats_get_parameters)
{
	static const struct { int attr; const char *param; } p[] = {
		{ KIPC_A_STATS_MAX_QUEUES, "max_queues" },
		{ KIPC_A_STATS_MAX_REGIONS, "max_regions" },
		{ KIPC_A_STATS_DEFAULT_MAX_MSGS, "default_max_msgs" },
		{ KIPC_A_STATS_MAX_MSGS_LIMIT, "max_msgs_limit" },
		{ KIPC_A_STATS_DEFAULT_MSG_SIZE, "default_msg_size" },
		{ KIPC_A_STATS_MSG_SIZE_LIMIT, "msg_size_limit" },
		{ KIPC_A_STATS_MAX_REGION_SIZE, "max_region_size" },
		{ KIPC_A_STATS_MAX_RINGS, "max_rings" },
		{ KIPC_A_STATS_MAX_RING_SIZE, "max_ring_size" },
	};
	struct stats s;

	ASSERT_EQ(0, nl_stats(&self->c, &s));
	EXPECT_EQ(KIPC_A_STATS_MAX - 1, s.nattrs);
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		long long v = sysfs_param(p[i].param);

		ASSERT_LE(0, v) TH_LOG("no parameter %s", p[i].param);
		EXPECT_EQ((uint64_t)v, s.v[p[i].attr])
			TH_LOG("%s: sysfs %lld, stats %llu", p[i].param, v,
			       (unsigned long long)s.v[p[i].attr]);
	}
	EXPECT_LE(1, s.v[KIPC_A_STATS_NAMESPACES]);
}

/*
 * A queue and a region count while they live, named or not, and stop
 * counting when freed. The counts are module-wide, and the namespace
 * reaper may free another test's leftovers at any moment, so a round
 * that sees an outside change is tried again.
 */
TEST_F(nl, stats_get_counts)
{
	int ok = 0;

	for (int attempt = 0; attempt < 5 && !ok; attempt++) {
		struct stats s0, s1, s2, s3;
		char qn[64], rn[64];
		int qfd, rfd;

		obj_name(qn, sizeof(qn), "sq");
		obj_name(rn, sizeof(rn), "sr");
		ASSERT_EQ(0, nl_stats(&self->c, &s0));
		qfd = obj_create(0, qn, 0600);
		ASSERT_LE(0, qfd);
		rfd = obj_create(1, rn, 0600);
		ASSERT_LE(0, rfd);
		ASSERT_EQ(0, nl_stats(&self->c, &s1));
		/* Unnamed, but a handle holds them. */
		ASSERT_EQ(0, obj_unlink(0, qn));
		ASSERT_EQ(0, obj_unlink(1, rn));
		ASSERT_EQ(0, nl_stats(&self->c, &s2));
		close(qfd);
		close(rfd);
		ASSERT_EQ(0, nl_stats(&self->c, &s3));

		ok = s1.v[KIPC_A_STATS_QUEUES] == s0.v[KIPC_A_STATS_QUEUES] + 1 &&
		     s1.v[KIPC_A_STATS_REGIONS] == s0.v[KIPC_A_STATS_REGIONS] + 1 &&
		     s2.v[KIPC_A_STATS_QUEUES] == s1.v[KIPC_A_STATS_QUEUES] &&
		     s2.v[KIPC_A_STATS_REGIONS] == s1.v[KIPC_A_STATS_REGIONS] &&
		     s3.v[KIPC_A_STATS_QUEUES] == s0.v[KIPC_A_STATS_QUEUES] &&
		     s3.v[KIPC_A_STATS_REGIONS] == s0.v[KIPC_A_STATS_REGIONS];
		if (!ok)
			TH_LOG("queues %llu %llu %llu %llu, regions %llu %llu %llu %llu",
			       (unsigned long long)s0.v[KIPC_A_STATS_QUEUES],
			       (unsigned long long)s1.v[KIPC_A_STATS_QUEUES],
			       (unsigned long long)s2.v[KIPC_A_STATS_QUEUES],
			       (unsigned long long)s3.v[KIPC_A_STATS_QUEUES],
			       (unsigned long long)s0.v[KIPC_A_STATS_REGIONS],
			       (unsigned long long)s1.v[KIPC_A_STATS_REGIONS],
			       (unsigned long long)s2.v[KIPC_A_STATS_REGIONS],
			       (unsigned long long)s3.v[KIPC_A_STATS_REGIONS]);
	}
	EXPECT_TRUE(ok);
}

/* Commands that take no attributes refuse one, with a reason. */
TEST_F(nl, no_attribute_commands_refuse_attributes)
{
	static const int cmds[] = {
		KIPC_CMD_VERSION_GET, KIPC_CMD_STATS_GET, KIPC_CMD_MONITOR,
	};
	struct nlres r;

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct nl_msg *m = nlc_msg(&self->c, cmds[i], 0);

		nla_put_u32(m, 1, 0);
		EXPECT_EQ(-EINVAL, nlc_xfer(&self->c, m, NULL, NULL, &r))
			TH_LOG("command %d", cmds[i]);
		EXPECT_TRUE(r.has_msg);
	}
	/* Nor did the refused monitor subscribe: the next one works. */
	EXPECT_EQ(0, nlc_xfer(&self->c, nlc_msg(&self->c, KIPC_CMD_MONITOR, 0),
			      NULL, NULL, &r));
}

/* ---- per object type: queue and region ---- */

FIXTURE(obj) {
	struct nlc c;
	const struct kind *k;
	char name[64];		/* exists, mode 0640, fd holds it */
	char missing[64];	/* never created */
	int fd;
};

FIXTURE_VARIANT(obj) {
	int region;
};

FIXTURE_VARIANT_ADD(obj, queue) {
	.region = 0,
};

FIXTURE_VARIANT_ADD(obj, region) {
	.region = 1,
};

FIXTURE_SETUP(obj)
{
	self->k = variant->region ? &region_kind : &queue_kind;
	ASSERT_EQ(0, nlc_open(&self->c));
	obj_name(self->name, sizeof(self->name), "fix");
	obj_name(self->missing, sizeof(self->missing), "missing");
	self->fd = obj_create(variant->region, self->name, 0640);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(obj)
{
	close(self->fd);
	obj_unlink(variant->region, self->name);
	nlc_close(&self->c);
}

/* The fixture's object, unchanged: still there with mode 0640. */
static int obj_unchanged(struct nlc *c, const struct kind *k, const char *name)
{
	struct obj_msg o;
	struct nlres r;

	return !nl_get(c, k, name, &o, &r) && o.v[k->a_mode] == 0640 &&
	       o.v[k->a_uid] == getuid() && o.v[k->a_gid] == getgid();
}

TEST_F(obj, get_by_name)
{
	struct obj_msg o;
	struct nlres r;

	ASSERT_EQ(0, nl_get(&self->c, self->k, self->name, &o, &r));
	EXPECT_EQ(self->k->get, o.cmd);
	EXPECT_EQ(self->k->nattrs, o.nattrs);
	EXPECT_EQ(0, o.bad_len);
	EXPECT_STREQ(self->name, o.name);
	EXPECT_EQ(0640, o.v[self->k->a_mode]);
	EXPECT_EQ(1, r.nreplies);
	EXPECT_EQ(0, r.nmulti);
}

TEST_F(obj, del_removes)
{
	struct obj_msg o;
	struct nlres r;

	ASSERT_EQ(0, nl_del(&self->c, self->k, self->name, &r));
	EXPECT_EQ(-ENOENT, nl_get(&self->c, self->k, self->name, &o, &r));
	EXPECT_EQ(-ENOENT, nl_del(&self->c, self->k, self->name, &r));
	EXPECT_EQ(-ENOENT, obj_unlink(variant->region, self->name));
	/* The name is free again. */
	close(self->fd);
	self->fd = obj_create(variant->region, self->name, 0600);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, nl_get(&self->c, self->k, self->name, &o, &r));
	EXPECT_EQ(0600, o.v[self->k->a_mode]);
}

/* mode, uid and gid change, alone or together, as get and the ioctl see. */
TEST_F(obj, set_changes)
{
	const struct kind *k = self->k;
	struct obj_msg o;
	struct nlres r;
	uint32_t mode, uid, gid;

	/* The creator may give the object away and still administer it. */
	ASSERT_EQ(0, nl_set(&self->c, k, self->name, 0604, 4242, 4343, &r));
	ASSERT_EQ(0, nl_get(&self->c, k, self->name, &o, &r));
	EXPECT_EQ(0604, o.v[k->a_mode]);
	EXPECT_EQ(4242, o.v[k->a_uid]);
	EXPECT_EQ(4343, o.v[k->a_gid]);

	/* One field at a time leaves the others alone. */
	ASSERT_EQ(0, nl_set(&self->c, k, self->name, 0, NO_CHANGE, NO_CHANGE, &r));
	ASSERT_EQ(0, nl_set(&self->c, k, self->name, NO_CHANGE, NO_CHANGE,
			    getgid(), &r));
	ASSERT_EQ(0, nl_get(&self->c, k, self->name, &o, &r));
	EXPECT_EQ(0, o.v[k->a_mode]);
	EXPECT_EQ(4242, o.v[k->a_uid]);
	EXPECT_EQ(getgid(), o.v[k->a_gid]);
	ASSERT_EQ(0, nl_set(&self->c, k, self->name, NO_CHANGE, getuid(),
			    NO_CHANGE, &r));
	ASSERT_EQ(0, nl_set(&self->c, k, self->name, 0777, NO_CHANGE, NO_CHANGE,
			    &r));
	ASSERT_EQ(0, nl_get(&self->c, k, self->name, &o, &r));
	EXPECT_EQ(0777, o.v[k->a_mode]);
	EXPECT_EQ(getuid(), o.v[k->a_uid]);
	EXPECT_EQ(getgid(), o.v[k->a_gid]);

	ASSERT_EQ(0, nl_set(&self->c, k, self->name, 0460, 4242, 4343, &r));
	if (variant->region) {
		struct kipc_region_info ri;

		ASSERT_EQ(0, r_info(self->fd, &ri));
		mode = ri.mode;
		uid = ri.uid;
		gid = ri.gid;
	} else {
		struct kipc_queue_attr qa;

		ASSERT_EQ(0, q_getattr(self->fd, &qa));
		mode = qa.mode;
		uid = qa.uid;
		gid = qa.gid;
	}
	EXPECT_EQ(0460, mode);
	EXPECT_EQ(4242, uid);
	EXPECT_EQ(4343, gid);

	/* The creator may still delete it. */
	EXPECT_EQ(0, nl_del(&self->c, k, self->name, &r));
}

TEST_F(obj, get_missing_enoent)
{
	struct obj_msg o;
	struct nlres r;

	EXPECT_EQ(-ENOENT, nl_get(&self->c, self->k, self->missing, &o, &r));
	EXPECT_TRUE(r.has_msg);
	EXPECT_EQ(0, r.nreplies);
}

TEST_F(obj, del_missing_enoent)
{
	struct nlres r;

	EXPECT_EQ(-ENOENT, nl_del(&self->c, self->k, self->missing, &r));
	EXPECT_TRUE(r.has_msg);
	EXPECT_TRUE(obj_unchanged(&self->c, self->k, self->name));
}

TEST_F(obj, set_missing_enoent)
{
	struct nlres r;

	EXPECT_EQ(-ENOENT, nl_set(&self->c, self->k, self->missing, 0600,
				  NO_CHANGE, NO_CHANGE, &r));
	EXPECT_TRUE(r.has_msg);
}

/* A name of the other type is not found: queues and regions are apart. */
TEST_F(obj, other_type_enoent)
{
	const struct kind *other = variant->region ? &queue_kind : &region_kind;
	struct obj_msg o;
	struct nlres r;

	EXPECT_EQ(-ENOENT, nl_get(&self->c, other, self->name, &o, &r));
	EXPECT_EQ(-ENOENT, nl_del(&self->c, other, self->name, &r));
	EXPECT_EQ(-ENOENT, nl_set(&self->c, other, self->name, 0600, NO_CHANGE,
				  NO_CHANGE, &r));
	EXPECT_TRUE(obj_unchanged(&self->c, self->k, self->name));
}

/*
 * Without a name: EINVAL, and the extended ACK names the missing
 * attribute (NLMSGERR_ATTR_MISS_TYPE), as the netlink core reports it.
 */
TEST_F(obj, no_name_einval)
{
	const struct kind *k = self->k;
	const int cmds[] = { k->get, k->del, k->set };
	struct nlres r;

	for (int i = 0; i < 3; i++) {
		struct nl_msg *m = nlc_msg(&self->c, cmds[i], 0);

		if (cmds[i] == k->set)
			nla_put_u32(m, k->a_mode, 0600);
		EXPECT_EQ(-EINVAL, nlc_xfer(&self->c, m, NULL, NULL, &r))
			TH_LOG("command %d", cmds[i]);
		EXPECT_EQ(k->a_name, r.miss_type) TH_LOG("command %d", cmds[i]);
	}
	EXPECT_TRUE(obj_unchanged(&self->c, k, self->name));
}

/* KIPC_NAME_MAX bytes is the longest name; one more is refused. */
TEST_F(obj, name_max)
{
	const struct kind *k = self->k;
	char name[KIPC_NAME_MAX + 2];
	struct obj_msg o;
	struct nlres r;
	int fd;

	memset(name, 'm', KIPC_NAME_MAX);
	snprintf(name, 32, "nlo.%u.%d.", (unsigned int)getuid(), (int)getpid());
	name[strlen(name)] = 'm';
	name[KIPC_NAME_MAX] = '\0';
	ASSERT_EQ(KIPC_NAME_MAX, strlen(name));

	fd = obj_create(variant->region, name, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, nl_get(&self->c, k, name, &o, &r));
	EXPECT_STREQ(name, o.name);
	EXPECT_EQ(0, nl_set(&self->c, k, name, 0640, NO_CHANGE, NO_CHANGE, &r));
	EXPECT_EQ(0, nl_del(&self->c, k, name, &r));
	close(fd);
}

TEST_F(obj, name_too_long_einval)
{
	const struct kind *k = self->k;
	const int cmds[] = { k->get, k->del, k->set };
	char name[KIPC_NAME_MAX + 2];
	struct nlres r;

	memset(name, 'x', KIPC_NAME_MAX + 1);
	name[KIPC_NAME_MAX + 1] = '\0';
	for (int i = 0; i < 3; i++) {
		struct nl_msg *m = nlc_msg(&self->c, cmds[i], 0);

		nla_put_string(m, k->a_name, name);
		if (cmds[i] == k->set)
			nla_put_u32(m, k->a_mode, 0600);
		EXPECT_EQ(-EINVAL, nlc_xfer(&self->c, m, NULL, NULL, &r))
			TH_LOG("command %d", cmds[i]);
		EXPECT_TRUE(r.has_msg) TH_LOG("command %d", cmds[i]);
	}
}

TEST_F(obj, empty_name_einval)
{
	struct obj_msg o;
	struct nlres r;

	EXPECT_EQ(-EINVAL, nl_get(&self->c, self->k, "", &o, &r));
	EXPECT_TRUE(r.has_msg);
	EXPECT_EQ(-EINVAL, nl_del(&self->c, self->k, "", &r));
	EXPECT_TRUE(r.has_msg);
}

/* The name must be a NUL-terminated string: a u32, or bare bytes, is not. */
TEST_F(obj, name_wrong_type_einval)
{
	const struct kind *k = self->k;
	struct nl_msg *m;
	struct nlres r;

	m = nlc_msg(&self->c, k->get, 0);
	nla_put_u32(m, k->a_name, 0x61616161);	/* "aaaa", no NUL */
	EXPECT_EQ(-EINVAL, nlc_xfer(&self->c, m, NULL, NULL, &r));
	EXPECT_TRUE(r.has_msg);

	m = nlc_msg(&self->c, k->del, 0);
	nla_put(m, k->a_name, strlen(self->name), self->name);
	EXPECT_EQ(-EINVAL, nlc_xfer(&self->c, m, NULL, NULL, &r));
	EXPECT_TRUE(r.has_msg);
	EXPECT_TRUE(obj_unchanged(&self->c, k, self->name));
}

/* mode is a u32: one byte is refused however small the value. */
TEST_F(obj, mode_wrong_size_einval)
{
	const struct kind *k = self->k;
	struct nl_msg *m;
	struct nlres r;

	m = nlc_msg(&self->c, k->set, 0);
	nla_put_string(m, k->a_name, self->name);
	nla_put_u8(m, k->a_mode, 0600 & 0xff);
	EXPECT_EQ(-EINVAL, nlc_xfer(&self->c, m, NULL, NULL, &r));
	EXPECT_TRUE(r.has_msg);

	m = nlc_msg(&self->c, k->set, 0);
	nla_put_string(m, k->a_name, self->name);
	nla_put_u64(m, k->a_mode, 0600);
	EXPECT_EQ(-EINVAL, nlc_xfer(&self->c, m, NULL, NULL, &r));
	EXPECT_TRUE(r.has_msg);
	EXPECT_TRUE(obj_unchanged(&self->c, k, self->name));
}

/*
 * 0777 is the largest mode; 01000 is refused by the policy's maximum. The
 * netlink core answers a value outside a policy's range with ERANGE.
 */
TEST_F(obj, mode_above_max_refused)
{
	const struct kind *k = self->k;
	struct nlres r;

	EXPECT_EQ(-ERANGE, nl_set(&self->c, k, self->name, 01000, NO_CHANGE,
				  NO_CHANGE, &r));
	EXPECT_TRUE(r.has_msg);
	EXPECT_TRUE(r.has_offs);
	EXPECT_EQ(-ERANGE, nl_set(&self->c, k, self->name, 04640, NO_CHANGE,
				  NO_CHANGE, &r));
	EXPECT_TRUE(obj_unchanged(&self->c, k, self->name));
	EXPECT_EQ(0, nl_set(&self->c, k, self->name, 0777, NO_CHANGE,
			    NO_CHANGE, &r));
}

TEST_F(obj, set_nothing_einval)
{
	struct nlres r;

	EXPECT_EQ(-EINVAL, nl_set(&self->c, self->k, self->name, NO_CHANGE,
				  NO_CHANGE, NO_CHANGE, &r));
	EXPECT_TRUE(r.has_msg);
	EXPECT_TRUE(obj_unchanged(&self->c, self->k, self->name));
}

/* Validation is strict: an attribute a command does not take is refused. */
TEST_F(obj, unknown_attribute_einval)
{
	const struct kind *k = self->k;
	struct {
		int cmd, attr;
	} cases[] = {
		{ k->get, k->a_mode },		/* known, but not taken by get */
		{ k->get, k->max + 1 },		/* beyond the set */
		{ k->del, k->a_uid },
		{ k->set, k->a_flags },		/* reported, not settable */
		{ k->set, k->a_handles },
		{ k->set, k->max + 1 },
	};
	struct nlres r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nl_msg *m = nlc_msg(&self->c, cases[i].cmd, 0);

		nla_put_string(m, k->a_name, self->name);
		if (cases[i].cmd == k->set)
			nla_put_u32(m, k->a_mode, 0600);
		nla_put_u32(m, cases[i].attr, 0);
		EXPECT_EQ(-EINVAL, nlc_xfer(&self->c, m, NULL, NULL, &r))
			TH_LOG("command %d attribute %d", cases[i].cmd,
			       cases[i].attr);
		EXPECT_TRUE(r.has_msg);
	}
	/* Nothing was deleted or changed on the way. */
	EXPECT_TRUE(obj_unchanged(&self->c, k, self->name));
}

/* An id with no mapping in the caller's user namespace cannot be set. */
TEST_F(obj, set_unmapped_id_einval)
{
	struct nlres r;

	EXPECT_EQ(-EINVAL, nl_set(&self->c, self->k, self->name, NO_CHANGE,
				  (uint32_t)-1, NO_CHANGE, &r));
	EXPECT_TRUE(r.has_msg);
	EXPECT_EQ(-EINVAL, nl_set(&self->c, self->k, self->name, 0600,
				  NO_CHANGE, (uint32_t)-1, &r));
	EXPECT_TRUE(r.has_msg);
	EXPECT_TRUE(obj_unchanged(&self->c, self->k, self->name));
}

/* Reserved bits of the generic netlink header are refused. */
TEST_F(obj, reserved_header_einval)
{
	struct nl_msg *m = nlc_msg(&self->c, self->k->get, 0);
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(m));
	struct nlres r;

	g->reserved = 1;
	nla_put_string(m, self->k->a_name, self->name);
	EXPECT_EQ(-EINVAL, nlc_xfer(&self->c, m, NULL, NULL, &r));
}

/*
 * Another user may read an object's description but may not delete,
 * chmod or chown it. The child gives up root for the runner's user.
 */
TEST_F(obj, other_user_eperm)
{
	const struct kind *k = self->k;
	struct obj_msg o;
	struct nlres r;
	int status;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root to act as a second user");
	/* Open to all, so only ownership is in question. */
	ASSERT_EQ(0, nl_set(&self->c, k, self->name, 0666, NO_CHANGE,
			    NO_CHANGE, &r));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct nlc c;

		if (setgroups(0, NULL) || setgid(USER_GID) || setuid(USER_UID))
			_exit(10);
		if (nlc_open(&c))
			_exit(11);
		if (nl_get(&c, k, self->name, &o, &r) || o.v[k->a_uid] != 0)
			_exit(12);
		if (nl_del(&c, k, self->name, &r) != -EPERM || !r.has_msg)
			_exit(13);
		if (nl_set(&c, k, self->name, 0777, NO_CHANGE, NO_CHANGE,
			   &r) != -EPERM || !r.has_msg)
			_exit(14);
		if (nl_set(&c, k, self->name, NO_CHANGE, USER_UID, NO_CHANGE,
			   &r) != -EPERM || !r.has_msg)
			_exit(15);
		if (nl_set(&c, k, self->name, NO_CHANGE, NO_CHANGE, USER_GID,
			   &r) != -EPERM || !r.has_msg)
			_exit(16);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* Nothing changed. */
	ASSERT_EQ(0, nl_get(&self->c, k, self->name, &o, &r));
	EXPECT_EQ(0666, o.v[k->a_mode]);
	EXPECT_EQ(0, o.v[k->a_uid]);
	EXPECT_EQ(0, o.v[k->a_gid]);
}

/* What a small dump saw of the names it looks for. */
struct small_dump {
	int region;
	const char *prefix;	/* of every name this process makes */
	char names[4][64];
	int seen[4];
	int strangers;		/* names of this process it did not make */
	int total;
};

static void small_dump_cb(struct nlmsghdr *nh, void *arg)
{
	struct small_dump *d = arg;
	struct obj_msg o;

	obj_msg_parse(nh, d->region, &o);
	d->total++;
	if (strncmp(o.name, d->prefix, strlen(d->prefix)))
		return;
	for (int i = 0; i < 4; i++) {
		if (!strcmp(o.name, d->names[i])) {
			d->seen[i]++;
			return;
		}
	}
	d->strangers++;
}

/* A dump lists this type's objects, each once, as multipart messages. */
TEST_F(obj, dump_small)
{
	struct small_dump d = { .region = variant->region };
	char prefix[32];
	struct nlres r;
	int fds[3];

	snprintf(prefix, sizeof(prefix), "nlo.%u.%d.", (unsigned int)getuid(),
		 (int)getpid());
	d.prefix = prefix;
	strcpy(d.names[0], self->name);
	for (int i = 0; i < 3; i++) {
		obj_name(d.names[i + 1], sizeof(d.names[i + 1]), "ds");
		fds[i] = obj_create(variant->region, d.names[i + 1], 0600);
		ASSERT_LE(0, fds[i]);
	}

	ASSERT_EQ(0, nlc_xfer(&self->c,
			      nlc_msg(&self->c, self->k->get, NLM_F_DUMP),
			      small_dump_cb, &d, &r));
	EXPECT_EQ(r.nreplies, r.nmulti);
	EXPECT_LE(4, d.total);
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(1, d.seen[i]) TH_LOG("%s", d.names[i]);
	}
	EXPECT_EQ(0, d.strangers);

	for (int i = 0; i < 3; i++) {
		close(fds[i]);
		EXPECT_EQ(0, obj_unlink(variant->region, d.names[i + 1]));
	}
}

/* ---- the thousand-queue dump ---- */

#define BIG_N 1000

struct big_dump {
	char prefix[48];
	int seen[BIG_N];
	int strangers;		/* names of this test that it did not make */
	int total;
};

static void big_cb(struct nlmsghdr *nh, void *arg)
{
	struct big_dump *b = arg;
	size_t plen = strlen(b->prefix);
	struct obj_msg o;
	char *end;
	long i;

	obj_msg_parse(nh, 0, &o);
	b->total++;
	if (strncmp(o.name, b->prefix, plen))
		return;
	i = strtol(o.name + plen, &end, 10);
	if (*end || i < 0 || i >= BIG_N)
		b->strangers++;
	else
		b->seen[i]++;
}

/*
 * A dump of a thousand queues is complete and exact, and needs several
 * rounds of messages. Root creates them beyond max_queues with
 * CAP_SYS_RESOURCE; each is as small as a queue can be, so that its
 * RLIMIT_MSGQUEUE charge stays far below the default limit.
 */
TEST_F_TIMEOUT(nl, queue_dump_thousand, 300)
{
	static struct big_dump b;
	char name[64];
	struct nlres r;
	int created = 0, missing = 0, dup = 0;

	if (geteuid())
		SKIP(return, "needs root: beyond max_queues per namespace");

	memset(&b, 0, sizeof(b));
	snprintf(b.prefix, sizeof(b.prefix), "nlo.%u.%d.big.",
		 (unsigned int)getuid(), (int)getpid());
	for (int i = 0; i < BIG_N; i++) {
		int fd;

		snprintf(name, sizeof(name), "%s%d", b.prefix, i);
		fd = q_open(name, Q_NEW, 0600, 1, 1);
		if (fd < 0) {
			TH_LOG("queue %d: %s", i, strerror(-fd));
			break;
		}
		close(fd);
		created++;
	}
	ASSERT_EQ(BIG_N, created);

	ASSERT_EQ(0, nlc_xfer(&self->c,
			      nlc_msg(&self->c, KIPC_CMD_QUEUE_GET, NLM_F_DUMP),
			      big_cb, &b, &r));
	for (int i = 0; i < BIG_N; i++) {
		missing += !b.seen[i];
		dup += b.seen[i] > 1;
	}
	EXPECT_EQ(0, missing);
	EXPECT_EQ(0, dup);
	EXPECT_EQ(0, b.strangers);
	EXPECT_LE(BIG_N, b.total);
	EXPECT_EQ(r.nreplies, r.nmulti);
	/* More than one datagram: the dump was resumed at its cursor. */
	EXPECT_LT(1, r.nbatches);
	TH_LOG("%d queues in %d datagrams", b.total, r.nbatches);

	for (int i = 0; i < created; i++) {
		snprintf(name, sizeof(name), "%s%d", b.prefix, i);
		EXPECT_EQ(0, nl_del(&self->c, &queue_kind, name, &r))
			TH_LOG("%s", name);
	}

	/* None is left. */
	memset(b.seen, 0, sizeof(b.seen));
	b.strangers = b.total = 0;
	ASSERT_EQ(0, nlc_xfer(&self->c,
			      nlc_msg(&self->c, KIPC_CMD_QUEUE_GET, NLM_F_DUMP),
			      big_cb, &b, &r));
	missing = 0;
	for (int i = 0; i < BIG_N; i++)
		missing += !b.seen[i];
	EXPECT_EQ(BIG_N, missing);
	EXPECT_EQ(0, b.strangers);
}

/* ---- monitor ---- */

static int monitor(struct nlc *c, struct nlres *r)
{
	return nlc_xfer(c, nlc_msg(c, KIPC_CMD_MONITOR, 0), NULL, NULL, r);
}

/* Creates, changes and deletes one object, and checks its three events. */
static void monitor_lifecycle(struct __test_metadata *_metadata,
			      struct nlc *c, struct nlc *mon,
			      const struct kind *k)
{
	int create = k->region ? KIPC_CMD_REGION_CREATE_NTF :
				 KIPC_CMD_QUEUE_CREATE_NTF;
	int change = k->region ? KIPC_CMD_REGION_CHANGE_NTF :
				 KIPC_CMD_QUEUE_CHANGE_NTF;
	int delete = k->region ? KIPC_CMD_REGION_DELETE_NTF :
				 KIPC_CMD_QUEUE_DELETE_NTF;
	struct obj_msg o;
	struct nlres r;
	char name[64];
	int fd;

	obj_name(name, sizeof(name), "mon");
	fd = obj_create(k->region, name, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, nl_set(c, k, name, 0640, NO_CHANGE, NO_CHANGE, &r));
	ASSERT_EQ(0, nl_del(c, k, name, &r));

	ASSERT_EQ(0, nl_event_for(mon, name, &o));
	EXPECT_EQ(create, o.cmd);
	EXPECT_EQ(0, o.bad_len);
	EXPECT_EQ(k->nattrs, o.nattrs);
	EXPECT_EQ(0600, o.v[k->a_mode]);
	EXPECT_EQ(getuid(), o.v[k->a_uid]);

	ASSERT_EQ(0, nl_event_for(mon, name, &o));
	EXPECT_EQ(change, o.cmd);
	EXPECT_EQ(k->nattrs, o.nattrs);
	EXPECT_EQ(0640, o.v[k->a_mode]);

	ASSERT_EQ(0, nl_event_for(mon, name, &o));
	EXPECT_EQ(delete, o.cmd);
	EXPECT_EQ(k->nattrs, o.nattrs);
	EXPECT_STREQ(name, o.name);

	/* Nothing more about it. */
	while (!nl_event(mon, 0, &o))
		EXPECT_STRNE(name, o.name);
}

TEST_F(nl, monitor_events)
{
	struct stats s0, s1, s2;
	struct obj_msg o;
	struct nlres r;
	struct nlc mon;
	char name[64];
	int fd;

	ASSERT_EQ(0, nl_stats(&self->c, &s0));
	ASSERT_EQ(0, nlc_open(&mon));
	ASSERT_EQ(0, monitor(&mon, &r));
	/* Once per socket. */
	EXPECT_EQ(-EALREADY, monitor(&mon, &r));
	EXPECT_TRUE(r.has_msg);
	ASSERT_EQ(0, nl_stats(&self->c, &s1));
	EXPECT_EQ(s0.v[KIPC_A_STATS_LISTENERS] + 1, s1.v[KIPC_A_STATS_LISTENERS]);

	monitor_lifecycle(_metadata, &self->c, &mon, &queue_kind);
	monitor_lifecycle(_metadata, &self->c, &mon, &region_kind);

	/* The last handle of an auto-delete queue takes its name: an event. */
	obj_name(name, sizeof(name), "monauto");
	fd = q_open(name, Q_NEW | KIPC_QUEUE_AUTO_DELETE, 0600, 1, 1);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, nl_event_for(&mon, name, &o));
	EXPECT_EQ(KIPC_CMD_QUEUE_CREATE_NTF, o.cmd);
	EXPECT_EQ(KIPC_QUEUE_AUTO_DELETE, o.v[KIPC_A_QUEUE_FLAGS]);
	ASSERT_EQ(0, nl_event_for(&mon, name, &o));
	EXPECT_EQ(KIPC_CMD_QUEUE_DELETE_NTF, o.cmd);

	/* Closing the socket ends the subscription. */
	nlc_close(&mon);
	ASSERT_EQ(0, nl_stats(&self->c, &s2));
	EXPECT_EQ(s0.v[KIPC_A_STATS_LISTENERS], s2.v[KIPC_A_STATS_LISTENERS]);
}

/* Sockets subscribe independently, and each hears every event. */
TEST_F(nl, monitor_two_sockets)
{
	struct nlc m1, m2;
	struct obj_msg o;
	struct nlres r;
	char name[64];
	int fd;

	ASSERT_EQ(0, nlc_open(&m1));
	ASSERT_EQ(0, nlc_open(&m2));
	ASSERT_EQ(0, monitor(&m1, &r));
	ASSERT_EQ(0, monitor(&m2, &r));
	obj_name(name, sizeof(name), "mon2");
	fd = obj_create(0, name, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, nl_del(&self->c, &queue_kind, name, &r));
	for (int i = 0; i < 2; i++) {
		struct nlc *m = i ? &m2 : &m1;

		ASSERT_EQ(0, nl_event_for(m, name, &o));
		EXPECT_EQ(KIPC_CMD_QUEUE_CREATE_NTF, o.cmd);
		ASSERT_EQ(0, nl_event_for(m, name, &o));
		EXPECT_EQ(KIPC_CMD_QUEUE_DELETE_NTF, o.cmd);
	}
	nlc_close(&m1);
	nlc_close(&m2);
}

TEST_HARNESS_MAIN
