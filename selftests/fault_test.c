// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc when the kernel runs out of memory: each operation is repeated with
 * its first, second, third ... allocation failed on purpose through
 * /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION, with failslab and
 * fail_page_alloc), until it completes without reaching the failure.
 *
 * A call that fails must fail with ENOMEM (ENOBUFS too for netlink, where
 * the core reports a reply it could not allocate that way), a call that
 * succeeds must have done its job, and either way the state must stay
 * consistent: nothing half-made left behind, nothing accepted lost, and
 * the module's object and listener counts back at the baseline.
 *
 * Needs root (the fail-nth file of the thread and the debugfs knobs);
 * skips without it or on a kernel without fault injection.
 */

#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"
#include "hardening.h"

#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define MAX_N		5000
#define LARGE		65536
#define SMALL		64
#define RW		KT_ALL_ACCESS
#define Q_NEW		(KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL | RW)

/* ---- fail-nth ---- */

/* Opens the thread's fail-nth first, so opening it is not counted. */
static int fnth_open(void)
{
	return kt_ret(open(FAIL_NTH, O_RDWR | O_CLOEXEC));
}

static int fnth_arm(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return write(fd, buf, len) == len ? 0 : -errno;
}

/* What is left of the count (0: the n-th fault point failed); disarms. */
static long fnth_disarm(int fd)
{
	char buf[16];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	long left = -1;

	if (write(fd, "0", 1) != 1)
		left = -2;
	else if (n > 0) {
		buf[n] = 0;
		left = strtol(buf, NULL, 10);
	}
	close(fd);
	return left;
}

/* ---- the debugfs knobs that make GFP_KERNEL allocations fail ---- */

struct knob {
	const char *path;
	const char *want;
	char saved[16];
	int changed;
};

static struct knob knobs[] = {
	{ .path = "/sys/kernel/debug/failslab/ignore-gfp-wait", .want = "N" },
	{ .path = "/sys/kernel/debug/failslab/verbose", .want = "0" },
	{ .path = "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", .want = "N" },
	{ .path = "/sys/kernel/debug/fail_page_alloc/verbose", .want = "0" },
};

static int knob_read(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int knob_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, val, strlen(val)) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

/* ---- an operation under test ---- */

struct fctx;

struct fop {
	const char *name;
	int (*prepare)(struct fctx *c);		/* outside the fault window */
	long (*run)(struct fctx *c);		/* inside it */
	void (*check)(struct fctx *c, long ret);
	void (*cleanup)(struct fctx *c);
	int enobufs;	/* netlink: ENOBUFS is the core's "no memory" */
	int in_child;	/* run() arms and reads fail-nth itself */
};

struct child_report {
	long ret;
	long left;
	int sigbus;
	int touched;
};

struct fctx {
	struct __test_metadata *md;
	const struct fop *op;
	unsigned int n;
	int family;
	int nl;				/* for stats-get between rounds */
	struct hd_stats base;
	size_t pg;
	char name[96];
	char names[3][96];
	int fd, fd2, fds[3], sk;
	uint32_t seq;
	uint8_t *small, *large, *rbuf;	/* pre-touched */
	struct kipc_msg msgs[4];
	struct kipc_msg got;
	struct child_report *rep;	/* shared with the child */
	int replies, seen;
	int sigbus;
};

static struct kipc_queue_peer peer_arg;
static struct hd_stats stats_got;
static struct hd_nlmsg nl_req;

FIXTURE(fault) {
	char skip[160];
	struct fctx c;
};

FIXTURE_SETUP(fault)
{
	struct fctx *c = &self->c;
	unsigned int i;
	int fd;

	memset(c, 0, sizeof(*c));
	c->fd = c->fd2 = c->sk = -1;
	c->fds[0] = c->fds[1] = c->fds[2] = -1;
	if (geteuid() != 0) {
		snprintf(self->skip, sizeof(self->skip),
			 "needs root: fail-nth and the fault-injection knobs");
		return;
	}
	fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(self->skip, sizeof(self->skip),
			 "no %s: the kernel lacks CONFIG_FAULT_INJECTION", FAIL_NTH);
		return;
	}
	close(fd);
	/* Without these GFP_KERNEL allocations are never failed. */
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		knobs[i].changed = 0;
		if (knob_read(knobs[i].path, knobs[i].saved, sizeof(knobs[i].saved))) {
			TH_LOG("cannot read %s; leaving it as it is", knobs[i].path);
			continue;
		}
		if (strcmp(knobs[i].saved, knobs[i].want)) {
			ASSERT_EQ(0, knob_write(knobs[i].path, knobs[i].want))
				TH_LOG("%s", knobs[i].path);
			knobs[i].changed = 1;
			TH_LOG("%s was %s: set to %s for this test", knobs[i].path,
			       knobs[i].saved, knobs[i].want);
		}
	}

	c->md = _metadata;
	c->pg = hd_page();
	c->family = hd_nl_family();
	ASSERT_LE(0, c->family) TH_LOG("no kipc netlink family");
	c->nl = hd_nl_socket(10000);
	ASSERT_LE(0, c->nl);
	ASSERT_EQ(0, hd_stats_get_on(c->nl, c->family, &c->base));
	c->small = malloc(SMALL);
	c->large = malloc(LARGE);
	c->rbuf = malloc(LARGE);
	ASSERT_TRUE(c->small && c->large && c->rbuf);
	for (i = 0; i < SMALL; i++)
		c->small[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < LARGE; i++)
		c->large[i] = (uint8_t)(i * 13 + 5);
	memset(c->rbuf, 0, LARGE);
	/* Nothing in the fault window may fault a page of ours in. */
	memset(&nl_req, 0, sizeof(nl_req));
	memset(&peer_arg, 0, sizeof(peer_arg));
	memset(&stats_got, 0, sizeof(stats_got));
	hd_nl_prefault();
	c->rep = hd_shared(sizeof(*c->rep));
	ASSERT_NE(NULL, c->rep);
	/* A notification must not kill us, whoever fires it. */
	signal(SIGUSR1, SIG_IGN);
}

FIXTURE_TEARDOWN(fault)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		if (knobs[i].changed)
			knob_write(knobs[i].path, knobs[i].saved);
	if (self->c.nl > 0)
		close(self->c.nl);
	free(self->c.small);
	free(self->c.large);
	free(self->c.rbuf);
	if (self->c.rep)
		munmap(self->c.rep, sizeof(*self->c.rep));
}

/* EXPECTs in the operations' checks report against the running test. */
#define MD	struct __test_metadata *_metadata = c->md
#define WHERE	"%s, fault %u: "
#define AT	c->op->name, c->n

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The queue counts only: callers check what else they expect. */
static int new_queue(struct fctx *c, uint32_t max_msgs)
{
	hd_name(c->name, sizeof(c->name), "fq");
	c->fd = kt_queue(c->name, Q_NEW | KIPC_QUEUE_AUTO_DELETE, 0600, max_msgs,
			 LARGE);
	return c->fd < 0 ? c->fd : 0;
}

static void cleanup_fds(struct fctx *c)
{
	int i;

	close_fd(&c->fd);
	close_fd(&c->fd2);
	close_fd(&c->sk);
	for (i = 0; i < 3; i++)
		close_fd(&c->fds[i]);
}

/* Payload @i of a round: small ones even, large ones odd. */
static const uint8_t *payload(struct fctx *c, int i, uint32_t *len)
{
	*len = i & 1 ? LARGE - 100 * i : SMALL - i;
	return i & 1 ? c->large : c->small;
}

/* Takes @n messages that must be payloads @from.. in order; then empty. */
static void expect_queue(struct fctx *c, int from, int n)
{
	struct kipc_msg m;
	uint32_t len;
	int i, ret;
	MD;

	for (i = from; i < from + n; i++) {
		const uint8_t *want = payload(c, i, &len);

		ret = kt_recv(c->fd, c->rbuf, LARGE, KIPC_IO_NONBLOCK, 0, &m);
		EXPECT_EQ(0, ret) TH_LOG(WHERE "message %d: %s", AT, i, strerror(-ret));
		if (ret)
			return;
		EXPECT_EQ(len, m.len) TH_LOG(WHERE "message %d", AT, i);
		EXPECT_EQ(0, memcmp(want, c->rbuf, len)) TH_LOG(WHERE "message %d", AT, i);
		EXPECT_EQ((uint64_t)i, m.type) TH_LOG(WHERE "message %d", AT, i);
	}
	EXPECT_EQ(0, kt_cur_msgs(c->fd)) TH_LOG(WHERE "messages left over", AT);
}

/* ---- queue bind, creating ---- */

static int bind_prepare(struct fctx *c)
{
	hd_name(c->name, sizeof(c->name), "fb");
	c->fd = kt_open();
	return c->fd < 0 ? c->fd : 0;
}

static long qbind_run(struct fctx *c)
{
	return kt_bind(c->fd, c->name, Q_NEW, 0600, 4, SMALL);
}

static void qbind_check(struct fctx *c, long ret)
{
	const uint8_t *p;
	struct hd_stats st;
	uint32_t len;
	MD;

	if (ret) {
		/* Nothing half-made: no name, and the handle is still free. */
		EXPECT_EQ(-ENOENT, kt_attach(c->name, RW)) TH_LOG(WHERE "a name was left", AT);
		EXPECT_EQ(0, kt_bind(c->fd, c->name, Q_NEW, 0600, 4, SMALL))
			TH_LOG(WHERE "the handle cannot be bound after the failure", AT);
	}
	ASSERT_EQ(0, hd_stats_get_on(c->nl, c->family, &st));
	EXPECT_EQ(c->base.queues + 1, st.queues) TH_LOG(WHERE "queue count", AT);
	p = payload(c, 0, &len);
	EXPECT_EQ(0, kt_send(c->fd, p, len, 0, 0, KIPC_IO_NONBLOCK));
	expect_queue(c, 0, 1);
}

static void qbind_cleanup(struct fctx *c)
{
	cleanup_fds(c);
	kt_unlink(c->name);
}

/* ---- send, small (cached buffers) and large (kvmalloc) ---- */

static int send_prepare(struct fctx *c)
{
	return new_queue(c, 4);
}

static long send_run(struct fctx *c, int i)
{
	uint32_t len;
	const uint8_t *p = payload(c, i, &len);

	return kt_send(c->fd, p, len, 0, i, KIPC_IO_NONBLOCK);
}

static long send_small_run(struct fctx *c)
{
	return send_run(c, 0);
}

static long send_large_run(struct fctx *c)
{
	return send_run(c, 1);
}

static void send_check(struct fctx *c, long ret, int i)
{
	MD;

	if (ret) {
		EXPECT_EQ(0, kt_cur_msgs(c->fd)) TH_LOG(WHERE "a failed send queued something", AT);
		return;
	}
	expect_queue(c, i, 1);
}

static void send_small_check(struct fctx *c, long ret)
{
	send_check(c, ret, 0);
}

static void send_large_check(struct fctx *c, long ret)
{
	send_check(c, ret, 1);
}

/* ---- receive, plain and peeking (which allocates) ---- */

static int recv_prepare(struct fctx *c)
{
	uint32_t len;
	const uint8_t *p = payload(c, 1, &len);
	int ret = new_queue(c, 4);

	if (!ret)
		ret = kt_send(c->fd, p, len, 0, 1, KIPC_IO_NONBLOCK);
	return ret;
}

static long recv_run(struct fctx *c)
{
	return kt_recv(c->fd, c->rbuf, LARGE, KIPC_IO_NONBLOCK, 0, &c->got);
}

static long peek_run(struct fctx *c)
{
	return kt_recv(c->fd, c->rbuf, LARGE, KIPC_IO_NONBLOCK | KIPC_IO_PEEK, 0,
		       &c->got);
}

static void recv_check_common(struct fctx *c, long ret, int peek)
{
	uint32_t len;
	const uint8_t *want = payload(c, 1, &len);
	MD;

	if (ret) {
		/* A failed receive loses nothing. */
		expect_queue(c, 1, 1);
		return;
	}
	EXPECT_EQ(len, c->got.len) TH_LOG(WHERE "length", AT);
	EXPECT_EQ(0, memcmp(want, c->rbuf, len)) TH_LOG(WHERE "content", AT);
	EXPECT_EQ(peek ? 1 : 0, kt_cur_msgs(c->fd)) TH_LOG(WHERE "queued", AT);
	if (peek)
		expect_queue(c, 1, 1);
}

static void recv_check(struct fctx *c, long ret)
{
	recv_check_common(c, ret, 0);
}

static void peek_check(struct fctx *c, long ret)
{
	recv_check_common(c, ret, 1);
}

/* ---- batches ---- */

static void batch_fill(struct fctx *c, int recv)
{
	int i;

	memset(c->msgs, 0, sizeof(c->msgs));
	for (i = 0; i < 4; i++) {
		uint32_t len;
		const uint8_t *p = payload(c, i, &len);

		c->msgs[i].buf = (uintptr_t)(recv ? c->rbuf : p);
		c->msgs[i].len = recv ? LARGE : len;
		c->msgs[i].type = i;
	}
}

static int bsend_prepare(struct fctx *c)
{
	batch_fill(c, 0);
	return new_queue(c, 8);
}

static long bsend_run(struct fctx *c)
{
	return kt_send_batch(c->fd, c->msgs, 4, KIPC_IO_NONBLOCK);
}

static void bsend_check(struct fctx *c, long ret)
{
	MD;

	EXPECT_TRUE(ret <= 4) TH_LOG(WHERE "returned %ld", AT, ret);
	/* Exactly the messages it reports, in order. */
	expect_queue(c, 0, ret > 0 ? (int)ret : 0);
}

static int brecv_prepare(struct fctx *c)
{
	int i, ret = new_queue(c, 8);

	for (i = 0; !ret && i < 4; i++) {
		uint32_t len;
		const uint8_t *p = payload(c, i, &len);

		ret = kt_send(c->fd, p, len, 0, i, KIPC_IO_NONBLOCK);
	}
	/* One buffer for all: the check looks at the last one only. */
	batch_fill(c, 1);
	return ret;
}

static long brecv_run(struct fctx *c)
{
	return kt_recv_batch(c->fd, c->msgs, 4, KIPC_IO_NONBLOCK);
}

static void brecv_check(struct fctx *c, long ret)
{
	int i, n = ret > 0 ? (int)ret : 0;
	MD;

	EXPECT_TRUE(ret <= 4) TH_LOG(WHERE "returned %ld", AT, ret);
	for (i = 0; i < n; i++) {
		uint32_t len;

		payload(c, i, &len);
		EXPECT_EQ(len, c->msgs[i].len) TH_LOG(WHERE "message %d", AT, i);
		EXPECT_EQ((uint64_t)i, c->msgs[i].type) TH_LOG(WHERE "message %d", AT, i);
	}
	/* The rest is still queued, in order. */
	expect_queue(c, n, 4 - n);
}

/* ---- a peer handle ---- */

static int peer_prepare(struct fctx *c)
{
	memset(&peer_arg, 0, sizeof(peer_arg));
	peer_arg.size = sizeof(peer_arg);
	peer_arg.flags = KIPC_PEER_CLOEXEC;
	peer_arg.access = RW;
	return new_queue(c, 4);
}

static long peer_run(struct fctx *c)
{
	return kt_ret(ioctl(c->fd, KIPC_IOC_QUEUE_PEER, &peer_arg));
}

/* The queue's handle count, through netlink get. */
static long queue_handles(struct fctx *c, const char *name)
{
	const struct nlattr *tb[KIPC_A_QUEUE_MAX + 1];
	static struct hd_nlmsg m;
	static char buf[8192];
	uint32_t seq = ++c->seq + 1000000;
	struct nlmsghdr *nh;
	long handles = -1;
	ssize_t n;

	hd_nlmsg_init(&m, c->family, KIPC_CMD_QUEUE_GET, 0, seq);
	hd_nla_put_str(&m, KIPC_A_QUEUE_NAME, name);
	if (hd_nl_send(c->nl, &m))
		return -1;
	n = recv(c->nl, buf, sizeof(buf), 0);
	if (n <= 0)
		return -1;
	nh = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(nh, (int)n) || nh->nlmsg_seq != seq ||
	    nh->nlmsg_type != c->family)
		return -1;
	hd_nl_attrs(nh, tb, KIPC_A_QUEUE_MAX);
	if (tb[KIPC_A_QUEUE_HANDLES])
		handles = hd_nla_u32(tb[KIPC_A_QUEUE_HANDLES]);
	return handles;
}

static void peer_check(struct fctx *c, long ret)
{
	struct kipc_queue_attr a;
	const uint8_t *p;
	uint32_t len;
	MD;

	if (ret >= 0) {
		c->fd2 = (int)ret;
		EXPECT_EQ(ret, peer_arg.fd) TH_LOG(WHERE "fd reported", AT);
		EXPECT_EQ(2, queue_handles(c, c->name)) TH_LOG(WHERE "handles", AT);
		EXPECT_EQ(0, kt_getattr(c->fd2, &a));
		EXPECT_EQ(RW, a.handle_flags & RW);
		p = payload(c, 0, &len);
		EXPECT_EQ(0, kt_send(c->fd2, p, len, 0, 0, KIPC_IO_NONBLOCK));
		expect_queue(c, 0, 1);
		close_fd(&c->fd2);
	}
	EXPECT_EQ(1, queue_handles(c, c->name)) TH_LOG(WHERE "handles", AT);
}

/* ---- the arrival notification ---- */

static long notify_ioctl(struct fctx *c, uint32_t flags)
{
	struct kipc_queue_notify n;

	memset(&n, 0, sizeof(n));
	n.size = sizeof(n);
	n.flags = flags;
	n.signo = SIGUSR1;
	n.value = 42;
	return kt_ret(ioctl(c->fd, KIPC_IOC_QUEUE_NOTIFY, &n));
}

static int notify_prepare(struct fctx *c)
{
	return new_queue(c, 4);
}

static long notify_run(struct fctx *c)
{
	return notify_ioctl(c, 0);
}

static void notify_check(struct fctx *c, long ret)
{
	MD;

	if (!ret) {
		EXPECT_EQ(-EBUSY, notify_ioctl(c, 0)) TH_LOG(WHERE "not registered", AT);
		EXPECT_EQ(0, notify_ioctl(c, KIPC_NOTIFY_REMOVE));
	} else {
		EXPECT_EQ(-ENOENT, notify_ioctl(c, KIPC_NOTIFY_REMOVE))
			TH_LOG(WHERE "a failed registration was kept", AT);
	}
}

/* ---- region bind, creating ---- */

static long rbind_run(struct fctx *c)
{
	return hd_region_bind(c->fd, c->name, HD_R_RW | KIPC_REGION_CREATE |
			      KIPC_REGION_EXCL, 0600, 4 * c->pg);
}

static void rbind_check(struct fctx *c, long ret)
{
	struct kipc_region_info ri;
	struct hd_stats st;
	MD;

	if (ret) {
		EXPECT_EQ(-ENOENT, hd_region(c->name, HD_R_RW, 0, 0))
			TH_LOG(WHERE "a name was left", AT);
		EXPECT_EQ(0, rbind_run(c))
			TH_LOG(WHERE "the handle cannot be bound after the failure", AT);
	}
	EXPECT_EQ(0, hd_region_info(c->fd, &ri));
	EXPECT_EQ(4 * c->pg, ri.region_size);
	EXPECT_EQ(1, ri.handles);
	ASSERT_EQ(0, hd_stats_get_on(c->nl, c->family, &st));
	EXPECT_EQ(c->base.regions + 1, st.regions) TH_LOG(WHERE "region count", AT);
}

static void rbind_cleanup(struct fctx *c)
{
	cleanup_fds(c);
	hd_region_unlink(c->name);
}

/* ---- mapping a region and touching a page, in a child ---- */

static int child_fnth = -1;
static struct child_report *child_rep;

/*
 * A failed page allocation on a fault should be retried (VM_FAULT_OOM),
 * not turned into SIGBUS; if SIGBUS comes anyway, note whether it came
 * from the injected failure.
 */
static void on_sigbus(int sig)
{
	char buf[16];
	ssize_t n;

	(void)sig;
	n = read(child_fnth, buf, sizeof(buf) - 1);
	child_rep->sigbus = 1;
	child_rep->left = n > 0 && buf[0] == '0' ? 0 : 1;
	if (write(child_fnth, "0", 1) < 0)
		child_rep->left = -2;
	_exit(0);
}

static int map_prepare(struct fctx *c)
{
	hd_name(c->name, sizeof(c->name), "fm");
	memset(c->rep, 0, sizeof(*c->rep));
	c->rep->left = -3;	/* the child never said */
	c->fd = hd_region(c->name, HD_R_RW | KIPC_REGION_CREATE | KIPC_REGION_EXCL,
			  0600, 4 * c->pg);
	return c->fd < 0 ? c->fd : 0;
}

static long map_run(struct fctx *c)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		volatile uint8_t *p;
		int err = 0;

		child_rep = c->rep;
		child_fnth = fnth_open();
		if (child_fnth < 0 || kt_signal(SIGBUS, on_sigbus, 0))
			_exit(2);
		if (fnth_arm(child_fnth, c->n))
			_exit(3);
		p = mmap(NULL, 4 * c->pg, PROT_READ | PROT_WRITE, MAP_SHARED,
			 c->fd, 0);
		if (p == MAP_FAILED) {
			err = -errno;
		} else {
			p[c->pg] = 0x5a;	/* a page never touched before */
			c->rep->touched = p[c->pg] == 0x5a;
		}
		c->rep->left = fnth_disarm(child_fnth);
		c->rep->ret = err;
		_exit(0);
	}
	if (kt_wait_child(pid) != 0)
		return -EPROTO;
	return c->rep->ret;
}

static void map_check(struct fctx *c, long ret)
{
	struct kipc_region_info ri;
	volatile uint8_t *p;
	MD;

	if (c->rep->sigbus) {
		EXPECT_EQ(0, c->rep->left) TH_LOG(WHERE "SIGBUS without an injected fault", AT);
		c->sigbus++;
	}
	/* The child's mapping went with it. */
	EXPECT_EQ(0, hd_region_info(c->fd, &ri));
	EXPECT_EQ(0, ri.mappings) TH_LOG(WHERE "mappings", AT);
	EXPECT_EQ(1, ri.handles);
	p = mmap(NULL, 4 * c->pg, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	if (!ret && !c->rep->sigbus)
		EXPECT_TRUE(c->rep->touched && p[c->pg] == 0x5a)
			TH_LOG(WHERE "the child's write is not in the region", AT);
	p[0] = 1;
	munmap((void *)p, 4 * c->pg);
}

/* ---- netlink: a queue dump, stats-get, a monitor subscription ---- */

static void dump_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct nlattr *tb[KIPC_A_QUEUE_MAX + 1];
	struct fctx *c = arg;
	int i;

	c->replies++;
	hd_nl_attrs(nh, tb, KIPC_A_QUEUE_MAX);
	if (!tb[KIPC_A_QUEUE_NAME])
		return;
	for (i = 0; i < 3; i++)
		if (!strcmp((const char *)tb[KIPC_A_QUEUE_NAME] + NLA_HDRLEN,
			    c->names[i]))
			c->seen |= 1 << i;
}

static int nl_prepare(struct fctx *c)
{
	c->replies = 0;
	c->seen = 0;
	c->sk = hd_nl_socket(3000);
	return c->sk < 0 ? c->sk : 0;
}

static int dump_prepare(struct fctx *c)
{
	int i;

	for (i = 0; i < 3; i++) {
		hd_name(c->names[i], sizeof(c->names[i]), "fd");
		c->fds[i] = kt_queue(c->names[i], Q_NEW | KIPC_QUEUE_AUTO_DELETE,
				     0600, 2, SMALL);
		if (c->fds[i] < 0)
			return c->fds[i];
	}
	return nl_prepare(c);
}

static long nl_request(struct fctx *c, int cmd, int flags, hd_nl_cb cb,
		       void *arg)
{
	uint32_t seq = ++c->seq;
	long ret;

	hd_nlmsg_init(&nl_req, c->family, cmd, flags, seq);
	ret = hd_nl_send(c->sk, &nl_req);
	if (ret)
		return ret;
	return hd_nl_answer(c->sk, seq, c->family, cb, arg, NULL);
}

static long dump_run(struct fctx *c)
{
	return nl_request(c, KIPC_CMD_QUEUE_GET, NLM_F_DUMP, dump_cb, c);
}

static void dump_check(struct fctx *c, long ret)
{
	MD;

	if (!ret)
		EXPECT_EQ(7, c->seen) TH_LOG(WHERE "the dump missed queues (%d replies)",
					     AT, c->replies);
	/* The queues themselves are untouched. */
	EXPECT_EQ(1, queue_handles(c, c->names[0]));
}

static long stats_run(struct fctx *c)
{
	return hd_stats_get_on(c->sk, c->family, &stats_got);
}

static void stats_check(struct fctx *c, long ret)
{
	MD;

	if (ret)
		return;
	EXPECT_EQ(c->base.queues, stats_got.queues) TH_LOG(WHERE "queues", AT);
	EXPECT_EQ(c->base.regions, stats_got.regions) TH_LOG(WHERE "regions", AT);
	EXPECT_EQ(c->base.listeners, stats_got.listeners) TH_LOG(WHERE "listeners", AT);
}

static long monitor_run(struct fctx *c)
{
	return nl_request(c, KIPC_CMD_MONITOR, NLM_F_ACK, NULL, NULL);
}

static void event_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct genlmsghdr *g = NLMSG_DATA(nh);

	if (g->cmd == KIPC_CMD_QUEUE_CREATE_NTF)
		(*(int *)arg)++;
}

static void monitor_check(struct fctx *c, long ret)
{
	struct hd_stats st;
	int events = 0, fd;
	char name[96];
	MD;

	ASSERT_EQ(0, hd_stats_get_on(c->nl, c->family, &st));
	/*
	 * ENOBUFS: the core could not queue its answer, so whether the
	 * subscription was made is unknown; either way is consistent.
	 */
	if (ret == -ENOBUFS && st.listeners == c->base.listeners + 1)
		return;
	EXPECT_EQ(c->base.listeners + (ret ? 0 : 1), st.listeners)
		TH_LOG(WHERE "listeners", AT);
	if (ret)
		return;
	/* Subscribed: a queue's creation is heard. */
	hd_name(name, sizeof(name), "fe");
	fd = kt_queue(name, Q_NEW | KIPC_QUEUE_AUTO_DELETE, 0600, 2, SMALL);
	ASSERT_LE(0, fd);
	close(fd);
	/* Events carry sequence number 0, and no ACK ends them: read two. */
	{
		static char buf[16384];
		int i;

		for (i = 0; i < 2 && !events; i++) {
			ssize_t n = recv(c->sk, buf, sizeof(buf), 0);
			struct nlmsghdr *nh;
			int len = (int)n;

			if (n <= 0)
				break;
			for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len);
			     nh = NLMSG_NEXT(nh, len))
				if (nh->nlmsg_type == c->family)
					event_cb(nh, &events);
		}
	}
	EXPECT_EQ(1, events) TH_LOG(WHERE "no create event after subscribing", AT);
}

/* ---- opening the device ---- */

static int open_prepare(struct fctx *c)
{
	hd_name(c->name, sizeof(c->name), "fo");
	return 0;
}

static long open_run(struct fctx *c)
{
	c->fd = kt_open();
	return c->fd < 0 ? c->fd : 0;
}

static void open_check(struct fctx *c, long ret)
{
	MD;

	if (ret)
		return;
	/* A handle that works. */
	EXPECT_EQ(0, kt_bind(c->fd, c->name, Q_NEW | KIPC_QUEUE_AUTO_DELETE,
			     0600, 4, SMALL)) TH_LOG(WHERE "bind on the new handle", AT);
}

/* ---- binding a reader of a broadcast queue (its own ring) ---- */

static int breader_prepare(struct fctx *c)
{
	hd_name(c->name, sizeof(c->name), "fr");
	c->fd = kt_queue(c->name, Q_NEW | KIPC_QUEUE_AUTO_DELETE |
			 KIPC_QUEUE_BROADCAST, 0600, 4, LARGE);
	if (c->fd < 0)
		return c->fd;
	c->fd2 = kt_open();
	return c->fd2 < 0 ? c->fd2 : 0;
}

static long breader_run(struct fctx *c)
{
	return kt_bind(c->fd2, c->name, KIPC_QUEUE_READ, 0, 0, 0);
}

static void breader_check(struct fctx *c, long ret)
{
	struct kipc_msg m;
	const uint8_t *p;
	uint32_t len;
	MD;

	if (ret)
		EXPECT_EQ(0, breader_run(c))
			TH_LOG(WHERE "the handle cannot be bound after the failure", AT);
	/* The reader hears what is sent from now on. */
	p = payload(c, 1, &len);
	ASSERT_EQ(0, kt_send(c->fd, p, len, 0, 1, KIPC_IO_NONBLOCK));
	EXPECT_EQ(0, kt_recv(c->fd2, c->rbuf, LARGE, KIPC_IO_NONBLOCK, 0, &m))
		TH_LOG(WHERE "the reader missed the message", AT);
	EXPECT_EQ(len, m.len);
	EXPECT_EQ(0, memcmp(p, c->rbuf, len));
}

/* ---- the first object of a new IPC namespace, in a child ---- */

static long ns_first_run(struct fctx *c)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fnth, fd;

		memset(c->rep, 0, sizeof(*c->rep));
		c->rep->left = -3;
		if (unshare(CLONE_NEWIPC))
			_exit(2);
		fnth = fnth_open();
		if (fnth < 0 || fnth_arm(fnth, c->n))
			_exit(3);
		/* Auto-delete: the queue goes with the child's handle. */
		fd = kt_queue(c->name, Q_NEW | KIPC_QUEUE_AUTO_DELETE, 0600, 4,
			      SMALL);
		c->rep->left = fnth_disarm(fnth);
		c->rep->ret = fd < 0 ? fd : 0;
		/* Works, and is alone in its namespace. */
		c->rep->touched = fd >= 0 &&
				  kt_send(fd, c->small, SMALL, 0, 0, KIPC_IO_NONBLOCK) == 0 &&
				  kt_cur_msgs(fd) == 1;
		_exit(0);
	}
	if (kt_wait_child(pid) != 0)
		return -EPROTO;
	return c->rep->ret;
}

static void ns_first_check(struct fctx *c, long ret)
{
	MD;

	if (!ret)
		EXPECT_TRUE(c->rep->touched) TH_LOG(WHERE "the queue does not work", AT);
	/* Never seen from this namespace. */
	EXPECT_EQ(-ENOENT, kt_attach(c->name, RW)) TH_LOG(WHERE "the name leaked out", AT);
}

/* ---- netlink: a get of one queue, the version ---- */

static void get_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct nlattr *tb[KIPC_A_QUEUE_MAX + 1];
	struct fctx *c = arg;

	c->replies++;
	hd_nl_attrs(nh, tb, KIPC_A_QUEUE_MAX);
	if (tb[KIPC_A_QUEUE_NAME] &&
	    !strcmp((const char *)tb[KIPC_A_QUEUE_NAME] + NLA_HDRLEN, c->name))
		c->seen = 1;
}

static int get_prepare(struct fctx *c)
{
	int ret = new_queue(c, 4);

	return ret ? ret : nl_prepare(c);
}

static long get_run(struct fctx *c)
{
	uint32_t seq = ++c->seq;
	long ret;

	/* The ACK ends the answer. */
	hd_nlmsg_init(&nl_req, c->family, KIPC_CMD_QUEUE_GET, NLM_F_ACK, seq);
	hd_nla_put_str(&nl_req, KIPC_A_QUEUE_NAME, c->name);
	ret = hd_nl_send(c->sk, &nl_req);
	if (ret)
		return ret;
	return hd_nl_answer(c->sk, seq, c->family, get_cb, c, NULL);
}

static void get_check(struct fctx *c, long ret)
{
	MD;

	if (!ret)
		EXPECT_EQ(1, c->seen) TH_LOG(WHERE "no reply naming the queue (%d replies)",
					     AT, c->replies);
	EXPECT_EQ(1, queue_handles(c, c->name));
}

static void version_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct nlattr *tb[KIPC_A_VERSION_MAX + 1];
	struct fctx *c = arg;

	hd_nl_attrs(nh, tb, KIPC_A_VERSION_MAX);
	if (tb[KIPC_A_VERSION_ABI] &&
	    hd_nla_u32(tb[KIPC_A_VERSION_ABI]) == KIPC_ABI_VERSION)
		c->seen = 1;
}

static long version_run(struct fctx *c)
{
	return nl_request(c, KIPC_CMD_VERSION_GET, NLM_F_ACK, version_cb, c);
}

static void version_check(struct fctx *c, long ret)
{
	MD;

	if (!ret)
		EXPECT_EQ(1, c->seen) TH_LOG(WHERE "no ABI version in the reply", AT);
}

/* ---- an event to a subscriber, made while a queue is created ---- */

static int event_prepare(struct fctx *c)
{
	int ret = nl_prepare(c);

	hd_name(c->name, sizeof(c->name), "fv");
	if (!ret)
		ret = (int)nl_request(c, KIPC_CMD_MONITOR, NLM_F_ACK, NULL, NULL);
	hd_nl_prefault();
	return ret;
}

static long event_run(struct fctx *c)
{
	c->fd = kt_queue(c->name, Q_NEW | KIPC_QUEUE_AUTO_DELETE, 0600, 2, SMALL);
	return c->fd < 0 ? c->fd : 0;
}

static void event_check(struct fctx *c, long ret)
{
	static char buf[16384];
	struct hd_stats st;
	int events = 0, len;
	struct nlmsghdr *nh;
	ssize_t n;
	MD;

	ASSERT_EQ(0, hd_stats_get_on(c->nl, c->family, &st));
	EXPECT_EQ(c->base.queues + (ret ? 0 : 1), st.queues) TH_LOG(WHERE "queues", AT);
	EXPECT_EQ(c->base.listeners + 1, st.listeners)
		TH_LOG(WHERE "the subscription was dropped", AT);
	/*
	 * An event the kernel had no memory for is not sent, as with any
	 * netlink notification; one that is sent is whole.
	 */
	while ((n = recv(c->sk, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		len = (int)n;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len);
		     nh = NLMSG_NEXT(nh, len))
			if (nh->nlmsg_type == c->family)
				event_cb(nh, &events);
	}
	EXPECT_GE(ret ? 0 : 1, events) TH_LOG(WHERE "%d create events", AT, events);
}

/* ---- the loop ---- */

static void run_op(struct __test_metadata *_metadata, FIXTURE_DATA(fault) *self,
		   const struct fop *op)
{
	unsigned int n, points = 0, errors = 0, absorbed = 0;
	struct fctx *c = &self->c;
	struct hd_stats st;
	long ret, left;
	int fnfd;

	c->op = op;
	c->sigbus = 0;
	for (n = 1; n <= MAX_N && _metadata->passed; n++) {
		c->n = n;
		ret = op->prepare(c);
		ASSERT_EQ(0, ret) TH_LOG("%s: setup: %s", op->name, strerror(-ret));
		if (op->in_child) {
			ret = op->run(c);
			left = c->rep->left;
		} else {
			fnfd = fnth_open();
			ASSERT_LE(0, fnfd);
			ASSERT_EQ(0, fnth_arm(fnfd, n));
			ret = op->run(c);
			left = fnth_disarm(fnfd);
		}
		ASSERT_LE(0, left) TH_LOG("%s: cannot read fail-nth back", op->name);
		if (!left)
			points = n;
		if (ret < 0) {
			if (left) {
				EXPECT_EQ(0, ret) TH_LOG("%s: failed with %s, but no fault was injected (fault %u not reached)",
							 op->name, strerror((int)-ret), n);
			} else if (ret == -ENOMEM || (op->enobufs && ret == -ENOBUFS)) {
				errors++;
			} else {
				EXPECT_EQ(-ENOMEM, ret) TH_LOG("%s: fault %u: failed with %s, not ENOMEM%s",
							       op->name, n, strerror((int)-ret),
							       ret == -ENOSPC ?
							       " (kipc documents ENOSPC for a full namespace only)" : "");
			}
		} else if (!left) {
			absorbed++;
		}
		op->check(c, ret);
		op->cleanup(c);
		ASSERT_EQ(0, hd_stats_get_on(c->nl, c->family, &st));
		EXPECT_TRUE(st.queues == c->base.queues && st.regions == c->base.regions &&
			    st.listeners == c->base.listeners)
			TH_LOG("%s, fault %u: %u queues, %u regions, %u listeners left; baseline %u, %u, %u",
			       op->name, n, st.queues, st.regions, st.listeners,
			       c->base.queues, c->base.regions, c->base.listeners);
		if (left)
			break;
	}
	EXPECT_GE(MAX_N, n) TH_LOG("%s: still failing after %u faults", op->name, MAX_N);
	TH_LOG("%s: %u fault points; %u injected faults failed the call cleanly, %u were absorbed%s",
	       op->name, points, errors, absorbed,
	       c->sigbus ? " (some as SIGBUS on the touch)" : "");
}

#define FAULT_OP(_name, ...)						\
	static const struct fop op_##_name = { .name = #_name, __VA_ARGS__ }; \
	TEST_F_TIMEOUT(fault, _name, 1800)				\
	{								\
		if (self->skip[0])					\
			SKIP(return, "%s", self->skip);			\
		run_op(_metadata, self, &op_##_name);			\
	}

FAULT_OP(queue_bind_create, .prepare = bind_prepare, .run = qbind_run,
	 .check = qbind_check, .cleanup = qbind_cleanup)
FAULT_OP(send_small, .prepare = send_prepare, .run = send_small_run,
	 .check = send_small_check, .cleanup = cleanup_fds)
FAULT_OP(send_large, .prepare = send_prepare, .run = send_large_run,
	 .check = send_large_check, .cleanup = cleanup_fds)
FAULT_OP(recv, .prepare = recv_prepare, .run = recv_run,
	 .check = recv_check, .cleanup = cleanup_fds)
FAULT_OP(recv_peek, .prepare = recv_prepare, .run = peek_run,
	 .check = peek_check, .cleanup = cleanup_fds)
FAULT_OP(send_batch, .prepare = bsend_prepare, .run = bsend_run,
	 .check = bsend_check, .cleanup = cleanup_fds)
FAULT_OP(recv_batch, .prepare = brecv_prepare, .run = brecv_run,
	 .check = brecv_check, .cleanup = cleanup_fds)
FAULT_OP(queue_peer, .prepare = peer_prepare, .run = peer_run,
	 .check = peer_check, .cleanup = cleanup_fds)
FAULT_OP(notify_register, .prepare = notify_prepare, .run = notify_run,
	 .check = notify_check, .cleanup = cleanup_fds)
FAULT_OP(region_bind_create, .prepare = bind_prepare, .run = rbind_run,
	 .check = rbind_check, .cleanup = rbind_cleanup)
FAULT_OP(region_mmap_touch, .prepare = map_prepare, .run = map_run,
	 .check = map_check, .cleanup = rbind_cleanup, .in_child = 1)
FAULT_OP(netlink_queue_dump, .prepare = dump_prepare, .run = dump_run,
	 .check = dump_check, .cleanup = cleanup_fds, .enobufs = 1)
FAULT_OP(netlink_stats_get, .prepare = nl_prepare, .run = stats_run,
	 .check = stats_check, .cleanup = cleanup_fds, .enobufs = 1)
FAULT_OP(netlink_monitor, .prepare = nl_prepare, .run = monitor_run,
	 .check = monitor_check, .cleanup = cleanup_fds, .enobufs = 1)
FAULT_OP(device_open, .prepare = open_prepare, .run = open_run,
	 .check = open_check, .cleanup = cleanup_fds)
FAULT_OP(broadcast_reader_bind, .prepare = breader_prepare, .run = breader_run,
	 .check = breader_check, .cleanup = cleanup_fds)
FAULT_OP(namespace_first_queue, .prepare = open_prepare, .run = ns_first_run,
	 .check = ns_first_check, .cleanup = cleanup_fds, .in_child = 1)
FAULT_OP(netlink_queue_get, .prepare = get_prepare, .run = get_run,
	 .check = get_check, .cleanup = cleanup_fds, .enobufs = 1)
FAULT_OP(netlink_version_get, .prepare = nl_prepare, .run = version_run,
	 .check = version_check, .cleanup = cleanup_fds, .enobufs = 1)
FAULT_OP(event_on_create, .prepare = event_prepare, .run = event_run,
	 .check = event_check, .cleanup = cleanup_fds)

TEST_HARNESS_MAIN
