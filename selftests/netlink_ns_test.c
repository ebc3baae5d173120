// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "kipc" generic netlink family across IPC namespaces: a process in
 * another IPC namespace can neither see, reach nor hear of an object, and
 * a monitor hears only of its own namespace's objects.
 *
 * A child unshares its IPC namespace (so this needs root) and reports a
 * failed check through its exit status; its checks are named on stderr.
 * Objects are made with raw ioctls on /dev/kipc.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"

#define LIVENESS_MS	10000	/* "eventually", never a speed check */

#define Q_NEW	(KIPC_QUEUE_READ | KIPC_QUEUE_WRITE | KIPC_QUEUE_CREATE | \
		 KIPC_QUEUE_EXCL)
#define R_NEW	(KIPC_REGION_READ | KIPC_REGION_WRITE | KIPC_REGION_CREATE | \
		 KIPC_REGION_EXCL)

/* ---- objects, through the ioctls ---- */

static void obj_name(char *buf, size_t size, const char *tag)
{
	static unsigned int counter;

	snprintf(buf, size, "nlns.%u.%d.%u.%s", (unsigned int)getuid(),
		 (int)getpid(), ++counter, tag);
}

static int dev_open(void)
{
	int fd = open("/dev/kipc", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* A new queue or region (one page) named @name: its handle, or -errno. */
static int obj_create(int region, const char *name, uint32_t mode)
{
	struct kipc_queue_bind qb = {
		.size = sizeof(qb),
		.flags = Q_NEW,
		.name = (uintptr_t)name,
		.name_len = strlen(name),
		.mode = mode,
		.max_msgs = 1,
		.max_msg_size = 1,
	};
	struct kipc_region_bind rb = {
		.size = sizeof(rb),
		.flags = R_NEW,
		.name = (uintptr_t)name,
		.name_len = strlen(name),
		.mode = mode,
		.region_size = 4096,
	};
	int fd = dev_open();
	int ret;

	if (fd < 0)
		return fd;
	ret = region ? ioctl(fd, KIPC_IOC_REGION_BIND, &rb) :
		       ioctl(fd, KIPC_IOC_QUEUE_BIND, &qb);
	if (ret) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
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
	if (setsockopt(c->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)))
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

/* The name in a queue or region message, or "" if it has none. */
static void msg_name(struct nlmsghdr *nh, char *name, size_t size)
{
	struct genlmsghdr *g = NLMSG_DATA(nh);
	struct nlattr *a;
	int rem;

	/* Both sets number their name attribute alike. */
	_Static_assert((int)KIPC_A_QUEUE_NAME == (int)KIPC_A_REGION_NAME, "name attr");
	name[0] = '\0';
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		if (nla_type(a) == KIPC_A_QUEUE_NAME)
			snprintf(name, size, "%.*s", nla_len(a),
				 (char *)nla_data(a));
	}
}

typedef void (*nlc_cb)(struct nlmsghdr *nh, void *arg);

/*
 * Sends @m (consumed) and reads until its ACK, error or NLMSG_DONE,
 * handing each reply to @cb; events are passed over. Returns the errno.
 */
static int nlc_xfer(struct nlc *c, struct nl_msg *m, nlc_cb cb, void *arg)
{
	static char buf[65536];
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	struct nlmsghdr *nh;
	int error = -EIO;
	uint32_t seq;

	if (!m)
		return error;
	if (nl_send_auto(c->sk, m) < 0) {
		nlmsg_free(m);
		return error;
	}
	seq = nlmsg_hdr(m)->nlmsg_seq;
	nlmsg_free(m);

	for (;;) {
		int n;

		if (poll(&pfd, 1, LIVENESS_MS) != 1)
			return -ETIMEDOUT;
		n = recv(c->fd, buf, sizeof(buf), MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n > (int)sizeof(buf))
			return -EMSGSIZE;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
			if (nh->nlmsg_type == NLMSG_DONE)
				return *(int *)NLMSG_DATA(nh);
			if (nh->nlmsg_type == c->family && cb)
				cb(nh, arg);
		}
	}
}

static int nl_name_cmd(struct nlc *c, int cmd, const char *name, int mode)
{
	struct nl_msg *m = nlc_msg(c, cmd, 0);

	/* Both sets number name and mode alike. */
	_Static_assert((int)KIPC_A_QUEUE_MODE == (int)KIPC_A_REGION_MODE, "mode attr");
	nla_put_string(m, KIPC_A_QUEUE_NAME, name);
	if (mode >= 0)
		nla_put_u32(m, KIPC_A_QUEUE_MODE, mode);
	return nlc_xfer(c, m, NULL, NULL);
}

static int nl_get(struct nlc *c, int region, const char *name)
{
	return nl_name_cmd(c, region ? KIPC_CMD_REGION_GET : KIPC_CMD_QUEUE_GET,
			   name, -1);
}

static int nl_del(struct nlc *c, int region, const char *name)
{
	return nl_name_cmd(c, region ? KIPC_CMD_REGION_DEL : KIPC_CMD_QUEUE_DEL,
			   name, -1);
}

static int nl_chmod(struct nlc *c, int region, const char *name, int mode)
{
	return nl_name_cmd(c, region ? KIPC_CMD_REGION_SET : KIPC_CMD_QUEUE_SET,
			   name, mode);
}

/* The mode of @name, through get; a negative errno if that fails. */
struct mode_arg {
	long mode;
};

static void mode_cb(struct nlmsghdr *nh, void *arg)
{
	struct genlmsghdr *g = NLMSG_DATA(nh);
	struct mode_arg *ma = arg;
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem)
		if (nla_type(a) == KIPC_A_QUEUE_MODE && nla_len(a) == 4)
			ma->mode = nla_get_u32(a);
}

static long nl_mode(struct nlc *c, int region, const char *name)
{
	struct nl_msg *m = nlc_msg(c, region ? KIPC_CMD_REGION_GET :
					       KIPC_CMD_QUEUE_GET, 0);
	struct mode_arg ma = { .mode = -ENODATA };
	int ret;

	nla_put_string(m, KIPC_A_QUEUE_NAME, name);
	ret = nlc_xfer(c, m, mode_cb, &ma);
	return ret ? ret : ma.mode;
}

/* A dump: how many objects, and how many named @name. */
struct dump_arg {
	const char *name;
	int total, named;
};

static void dump_cb(struct nlmsghdr *nh, void *arg)
{
	struct dump_arg *d = arg;
	char name[KIPC_NAME_MAX + 1];

	msg_name(nh, name, sizeof(name));
	d->total++;
	d->named += d->name && !strcmp(name, d->name);
}

static int nl_objdump(struct nlc *c, int region, const char *name,
		   struct dump_arg *d)
{
	memset(d, 0, sizeof(*d));
	d->name = name;
	return nlc_xfer(c, nlc_msg(c, region ? KIPC_CMD_REGION_GET :
					       KIPC_CMD_QUEUE_GET, NLM_F_DUMP),
			dump_cb, d);
}

static int nl_monitor(struct nlc *c)
{
	return nlc_xfer(c, nlc_msg(c, KIPC_CMD_MONITOR, 0), NULL, NULL);
}

/* The next event's command and name; -EAGAIN if none is queued now. */
static int nl_event(struct nlc *c, int wait_ms, char *name, size_t size)
{
	static char buf[65536];
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	int n;

	if (wait_ms && poll(&pfd, 1, wait_ms) != 1)
		return -EAGAIN;
	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return -errno;
	if (n > (int)sizeof(buf) || !NLMSG_OK(nh, n) ||
	    nh->nlmsg_type != c->family)
		return -EPROTO;
	msg_name(nh, name, size);
	return ((struct genlmsghdr *)NLMSG_DATA(nh))->cmd;
}

/*
 * Events are sent before the call that causes them returns, so once the
 * other side says it is done, whatever was sent here is already queued.
 * Returns the number of queued events (0 expected), after logging them.
 */
static int nl_no_events(struct nlc *c, const char *who)
{
	char name[KIPC_NAME_MAX + 1];
	int cmd, n = 0;

	while ((cmd = nl_event(c, 0, name, sizeof(name))) >= 0) {
		fprintf(stderr, "# %s: unexpected event %d about %s\n", who,
			cmd, name);
		n++;
	}
	return n;
}

/* The create, change and delete events of @name, in order. */
static int nl_lifecycle_events(struct nlc *c, int region, const char *name)
{
	const int want[3] = {
		region ? KIPC_CMD_REGION_CREATE_NTF : KIPC_CMD_QUEUE_CREATE_NTF,
		region ? KIPC_CMD_REGION_CHANGE_NTF : KIPC_CMD_QUEUE_CHANGE_NTF,
		region ? KIPC_CMD_REGION_DELETE_NTF : KIPC_CMD_QUEUE_DELETE_NTF,
	};
	char got[KIPC_NAME_MAX + 1];

	for (int i = 0; i < 3; i++) {
		int cmd = nl_event(c, LIVENESS_MS, got, sizeof(got));

		if (cmd != want[i] || strcmp(got, name)) {
			fprintf(stderr, "# event %d: %d about \"%s\", want %d about %s\n",
				i, cmd, got, want[i], name);
			return -1;
		}
	}
	return 0;
}

/* Creates @name, chmods it to 0640 and deletes it. */
static int lifecycle(struct nlc *c, int region, const char *name)
{
	int fd = obj_create(region, name, 0600);

	if (fd < 0)
		return fd;
	close(fd);
	if (nl_chmod(c, region, name, 0640))
		return -1;
	return nl_del(c, region, name);
}

/* ---- the child's side ---- */

#define CHILD_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# child: line %d: %s\n", __LINE__, #cond); \
		_exit(__LINE__ % 250 + 1);				\
	}								\
} while (0)

static void sync_write(int fd, char c)
{
	if (write(fd, &c, 1) != 1)
		_exit(254);
}

static char sync_read(int fd)
{
	char c = 0;

	if (read(fd, &c, 1) != 1)
		return 0;
	return c;
}

static int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

FIXTURE(ns) {
	struct nlc c;
	char q[64], r[64];	/* the parent's queue and region, mode 0644 */
	int qfd, rfd;
};

FIXTURE_SETUP(ns)
{
	self->qfd = self->rfd = -1;
	/* The tests skip themselves: a skip here would not stop them. */
	if (geteuid())
		return;
	ASSERT_EQ(0, nlc_open(&self->c));
	obj_name(self->q, sizeof(self->q), "pq");
	obj_name(self->r, sizeof(self->r), "pr");
	self->qfd = obj_create(0, self->q, 0644);
	ASSERT_LE(0, self->qfd);
	self->rfd = obj_create(1, self->r, 0644);
	ASSERT_LE(0, self->rfd);
}

FIXTURE_TEARDOWN(ns)
{
	if (self->qfd >= 0) {
		close(self->qfd);
		obj_unlink(0, self->q);
	}
	if (self->rfd >= 0) {
		close(self->rfd);
		obj_unlink(1, self->r);
	}
	nlc_close(&self->c);
}

/*
 * In a new IPC namespace, the parent's objects are not there: a dump is
 * empty, and get, set and delete by name find nothing. The same names
 * are free to reuse there, and that touches nothing of the parent's.
 */
TEST_F(ns, child_sees_none)
{
	struct dump_arg d;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root to unshare the IPC namespace");

	/* The parent's namespace has them. */
	ASSERT_EQ(0, nl_objdump(&self->c, 0, self->q, &d));
	ASSERT_EQ(1, d.named);
	ASSERT_EQ(0, nl_objdump(&self->c, 1, self->r, &d));
	ASSERT_EQ(1, d.named);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct nlc c;

		CHILD_CHECK(!unshare(CLONE_NEWIPC));
		CHILD_CHECK(!nlc_open(&c));
		for (int region = 0; region < 2; region++) {
			const char *name = region ? self->r : self->q;
			int fd;

			CHILD_CHECK(!nl_objdump(&c, region, name, &d));
			CHILD_CHECK(d.total == 0 && d.named == 0);
			CHILD_CHECK(nl_get(&c, region, name) == -ENOENT);
			CHILD_CHECK(nl_chmod(&c, region, name, 0600) == -ENOENT);
			CHILD_CHECK(nl_del(&c, region, name) == -ENOENT);
			CHILD_CHECK(obj_unlink(region, name) == -ENOENT);

			/* The name is free here; this one is the child's. */
			fd = obj_create(region, name, 0600);
			CHILD_CHECK(fd >= 0);
			CHILD_CHECK(nl_mode(&c, region, name) == 0600);
			CHILD_CHECK(!nl_chmod(&c, region, name, 0604));
			CHILD_CHECK(!nl_objdump(&c, region, name, &d));
			CHILD_CHECK(d.total == 1 && d.named == 1);
			CHILD_CHECK(!nl_del(&c, region, name));
			close(fd);
		}
		nlc_close(&c);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));

	/* The parent's are as they were. */
	EXPECT_EQ(0644, nl_mode(&self->c, 0, self->q));
	EXPECT_EQ(0644, nl_mode(&self->c, 1, self->r));
	ASSERT_EQ(0, nl_objdump(&self->c, 0, self->q, &d));
	EXPECT_EQ(1, d.named);
	ASSERT_EQ(0, nl_objdump(&self->c, 1, self->r, &d));
	EXPECT_EQ(1, d.named);
}

/*
 * A monitor hears only of its own namespace: the child's monitor hears
 * nothing of the parent's objects, the parent's nothing of the child's,
 * and each hears its own.
 */
TEST_F(ns, monitor_sees_own_namespace_only)
{
	int to_child[2], to_parent[2];
	struct nlc mon;
	char name[64];
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root to unshare the IPC namespace");

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, nlc_open(&mon));
	ASSERT_EQ(0, nl_monitor(&mon));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct nlc c, cmon;

		close(to_child[1]);
		close(to_parent[0]);
		nlc_close(&mon);
		CHILD_CHECK(!unshare(CLONE_NEWIPC));
		CHILD_CHECK(!nlc_open(&c));
		CHILD_CHECK(!nlc_open(&cmon));
		CHILD_CHECK(!nl_monitor(&cmon));
		sync_write(to_parent[1], 'r');

		/* The parent's objects came and went: not a word here. */
		CHILD_CHECK(sync_read(to_child[0]) == 'g');
		CHILD_CHECK(nl_no_events(&cmon, "child") == 0);

		/* The child's own objects are heard here. */
		for (int region = 0; region < 2; region++) {
			obj_name(name, sizeof(name), "child");
			CHILD_CHECK(!lifecycle(&c, region, name));
			CHILD_CHECK(!nl_lifecycle_events(&cmon, region, name));
		}
		CHILD_CHECK(nl_no_events(&cmon, "child") == 0);
		nlc_close(&cmon);
		nlc_close(&c);
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);

	ASSERT_EQ('r', sync_read(to_parent[0]));
	for (int region = 0; region < 2; region++) {
		obj_name(name, sizeof(name), "parent");
		ASSERT_EQ(0, lifecycle(&self->c, region, name));
		EXPECT_EQ(0, nl_lifecycle_events(&mon, region, name));
	}
	sync_write(to_child[1], 'g');

	/* The child is done once it exits; nothing of its reached here. */
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(0, nl_no_events(&mon, "parent"));

	close(to_child[1]);
	close(to_parent[0]);
	nlc_close(&mon);
}

TEST_HARNESS_MAIN
