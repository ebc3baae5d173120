// SPDX-License-Identifier: GPL-2.0-only
/*
 * Rings through the "kipc" generic netlink family: ring-get by name and
 * as a dump, the ring events a monitor hears, the ring counts of
 * stats-get, each bad request on its own, who may see what, and one IPC
 * namespace's rings kept from another's.
 *
 * Rings are made with the raw KIPC_IOC_RING_BIND ioctl (ring_util.h), so
 * only the family is under test, and replies are read straight off the
 * socket, so the kernel's errno and extended ACK are seen as it sent them.
 */

#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"
#include "ring_util.h"

#define RING_NEW	(KIPC_RING_CREATE | KIPC_RING_EXCL)
#define WAIT_MS		10000	/* "eventually", never a speed check */

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
	int nreplies;
	int has_msg;		/* NLMSGERR_ATTR_MSG came with the error */
	int miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, or -1 */
};

typedef void (*nlc_cb)(struct nlmsghdr *nh, void *arg);

static void nlc_parse_err(struct nlmsghdr *nh, struct nlres *r)
{
	struct nlmsgerr *e = NLMSG_DATA(nh);
	int len = (int)nh->nlmsg_len - NLMSG_HDRLEN;
	struct nlattr *a;
	int off = sizeof(*e);

	r->error = e->error;
	if (!(nh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	while (len - off >= NLA_HDRLEN) {
		a = (struct nlattr *)((char *)e + off);
		if (a->nla_len < NLA_HDRLEN || a->nla_len > len - off)
			break;
		if (a->nla_type == NLMSGERR_ATTR_MSG)
			r->has_msg = 1;
		else if (a->nla_type == NLMSGERR_ATTR_MISS_TYPE)
			r->miss_type = *(uint32_t *)((char *)a + NLA_HDRLEN);
		off += NLA_ALIGN(a->nla_len);
	}
}

/* Sends @m (consumed), hands each reply to @cb, returns the errno. */
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
		int n;

		if (poll(&pfd, 1, WAIT_MS) != 1) {
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
				if (cb)
					cb(nh, arg);
			}
		}
	}
	return r->error;
}

/* ---- rings as the family describes them ---- */

struct ring_producer {
	uint64_t tag, pid, uid, gid;
	int nattrs;
};

/* One ring message; absent attributes read KT_POISON64. */
struct ring_msg {
	int cmd;
	int nattrs;		/* distinct attributes, pad and nests aside */
	int bad;		/* a wrong size, a duplicate, an unknown one */
	uint64_t v[KIPC_A_RING_MAX + 1];
	char name[KIPC_NAME_MAX + 2];
	int nproducers;
	struct ring_producer p[KIPC_RING_MAX_PRODUCERS];
};

static int ring_attr_is_u64(int t)
{
	return t == KIPC_A_RING_CTIME || t == KIPC_A_RING_SIZE ||
	       t == KIPC_A_RING_HEAD || t == KIPC_A_RING_TAIL ||
	       t == KIPC_A_RING_LOST || t == KIPC_A_RING_ID;
}

static void ring_msg_init(struct ring_msg *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i <= KIPC_A_RING_MAX; i++)
		o->v[i] = KT_POISON64;
	o->cmd = -1;
}

static void ring_parse_producer(struct nlattr *nest, struct ring_msg *o)
{
	struct ring_producer *p;
	struct nlattr *a;
	int rem;

	if (o->nproducers >= KIPC_RING_MAX_PRODUCERS) {
		o->bad = 1;
		return;
	}
	p = &o->p[o->nproducers++];
	p->tag = p->pid = p->uid = p->gid = KT_POISON64;
	nla_for_each_nested(a, nest, rem) {
		uint64_t *v;

		switch (nla_type(a)) {
		case KIPC_A_RING_PRODUCER_TAG:
			v = &p->tag;
			break;
		case KIPC_A_RING_PRODUCER_PID:
			v = &p->pid;
			break;
		case KIPC_A_RING_PRODUCER_UID:
			v = &p->uid;
			break;
		case KIPC_A_RING_PRODUCER_GID:
			v = &p->gid;
			break;
		default:
			o->bad = 1;
			continue;
		}
		if (nla_len(a) != 4 || *v != KT_POISON64)
			o->bad = 1;
		else
			*v = nla_get_u32(a);
		p->nattrs++;
	}
}

static void ring_msg_parse(struct nlmsghdr *nh, struct ring_msg *o)
{
	struct genlmsghdr *g = NLMSG_DATA(nh);
	struct nlattr *a;
	int rem;

	ring_msg_init(o);
	o->cmd = g->cmd;
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		int t = nla_type(a), len = nla_len(a);

		if (t == KIPC_A_RING_PAD)
			continue;
		if (t == KIPC_A_RING_PRODUCER) {
			ring_parse_producer(a, o);
			continue;
		}
		if (t <= 0 || t > KIPC_A_RING_MAX || o->v[t] != KT_POISON64) {
			o->bad = 1;
			continue;
		}
		o->nattrs++;
		if (t == KIPC_A_RING_NAME) {
			if (len < 2 || len > KIPC_NAME_MAX + 1 ||
			    ((char *)nla_data(a))[len - 1] != '\0') {
				o->bad = 1;
			} else {
				memcpy(o->name, nla_data(a), len);
				o->v[t] = len;
			}
		} else if (ring_attr_is_u64(t)) {
			if (len != 8)
				o->bad = 1;
			else
				o->v[t] = nla_get_u64(a);
		} else {
			if (len != 4)
				o->bad = 1;
			else
				o->v[t] = nla_get_u32(a);
		}
	}
}

/* Every attribute a ring message carries but the pad and the nests. */
#define RING_NATTRS	(KIPC_A_RING_MAX - 2)

struct get_arg {
	int n;
	struct ring_msg *o;
};

static void get_cb(struct nlmsghdr *nh, void *arg)
{
	struct get_arg *g = arg;

	if (!g->n++)
		ring_msg_parse(nh, g->o);
}

static int nl_ring_get(struct nlc *c, const char *name, struct ring_msg *o,
		       struct nlres *r)
{
	struct get_arg g = { .o = o };
	struct nl_msg *m = nlc_msg(c, KIPC_CMD_RING_GET, 0);
	int ret;

	ring_msg_init(o);
	nla_put_string(m, KIPC_A_RING_NAME, name);
	ret = nlc_xfer(c, m, get_cb, &g, r);
	if (!ret && g.n != 1)
		return -EPROTO;
	return ret;
}

/* What a dump saw of up to four names. */
struct dump_arg {
	const char *names[4];
	int seen[4];
	struct ring_msg o[4];
	int total;
	int bad;
};

static void dump_cb(struct nlmsghdr *nh, void *arg)
{
	struct dump_arg *d = arg;
	struct ring_msg *o = malloc(sizeof(*o));

	if (!o) {
		d->bad = 1;
		return;
	}
	ring_msg_parse(nh, o);
	d->total++;
	d->bad |= o->bad || o->cmd != KIPC_CMD_RING_GET ||
		  !(nh->nlmsg_flags & NLM_F_MULTI);
	for (int i = 0; i < 4; i++) {
		if (d->names[i] && !strcmp(d->names[i], o->name)) {
			d->seen[i]++;
			d->o[i] = *o;
		}
	}
	free(o);
}

static int nl_ring_dump(struct nlc *c, struct dump_arg *d, const char *name)
{
	struct nl_msg *m = nlc_msg(c, KIPC_CMD_RING_GET, NLM_F_DUMP);
	struct nlres r;

	if (name)
		nla_put_string(m, KIPC_A_RING_NAME, name);
	return nlc_xfer(c, m, dump_cb, d, &r);
}

/* stats-get, indexed by KIPC_A_STATS_*; absent ones poisoned. */
struct stats {
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

		if (t <= 0 || t > KIPC_A_STATS_MAX || t == KIPC_A_STATS_PAD)
			continue;
		s->v[t] = nla_len(a) == 8 ? nla_get_u64(a) :
			  nla_len(a) == 4 ? nla_get_u32(a) : KT_POISON64;
	}
}

static int nl_stats(struct nlc *c, struct stats *s)
{
	struct nlres r;

	for (int i = 0; i <= KIPC_A_STATS_MAX; i++)
		s->v[i] = KT_POISON64;
	return nlc_xfer(c, nlc_msg(c, KIPC_CMD_STATS_GET, 0), stats_cb, s, &r);
}

static int nl_monitor(struct nlc *c)
{
	struct nlres r;

	return nlc_xfer(c, nlc_msg(c, KIPC_CMD_MONITOR, 0), NULL, NULL, &r);
}

/* The next event of a monitor socket; -EAGAIN when none came in time. */
static int nl_event(struct nlc *c, int wait_ms, struct ring_msg *o)
{
	static char buf[65536];
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	int n;

	if (poll(&pfd, 1, wait_ms) != 1)
		return -EAGAIN;
	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return -errno;
	if (n > (int)sizeof(buf) || !NLMSG_OK(nh, n) ||
	    nh->nlmsg_type != c->family)
		return -EPROTO;
	ring_msg_parse(nh, o);
	return 0;
}

/* The next ring event about @name, passing over every other event. */
static int nl_event_for(struct nlc *c, const char *name, struct ring_msg *o)
{
	int ret;

	do {
		ret = nl_event(c, WAIT_MS, o);
	} while (!ret && (strcmp(o->name, name) ||
			  (o->cmd != KIPC_CMD_RING_CREATE_NTF &&
			   o->cmd != KIPC_CMD_RING_DELETE_NTF)));
	return ret;
}

static void ring_name(char *buf, size_t size, const char *tag)
{
	kt_name(buf, size, tag);
}

/* ---- tests ---- */

FIXTURE(nlring) {
	struct nlc c;
	char name[64];
	struct ring_msg o;
};

FIXTURE_SETUP(nlring)
{
	ASSERT_EQ(0, nlc_open(&self->c));
	ring_name(self->name, sizeof(self->name), "nlr");
}

FIXTURE_TEARDOWN(nlring)
{
	rg_unlink(self->name);
	nlc_close(&self->c);
}

/* Every attribute of a ring, against what was done to it and the ioctl. */
TEST_F(nlring, get_all_attributes)
{
	struct ring_msg *o = &self->o;
	struct kipc_ring_info info;
	int64_t t0, t1;
	int cfd, p1, p2;
	uint32_t tags[2];
	struct nlres r;

	t0 = kt_real_ns();
	cfd = rg_open(self->name, RING_NEW | KIPC_RING_CONSUMER, 0640, 64, 16, 4);
	ASSERT_LE(0, cfd);
	t1 = kt_real_ns();
	p1 = rg_open(self->name, KIPC_RING_PRODUCER, 0, 0, 0, 0);
	ASSERT_LE(0, p1);
	p2 = rg_open(self->name, KIPC_RING_PRODUCER, 0, 0, 0, 0);
	ASSERT_LE(0, p2);
	ASSERT_EQ(0, rg_info(p1, &info));
	tags[0] = info.tag;
	ASSERT_EQ(0, rg_info(p2, &info));
	tags[1] = info.tag;

	ASSERT_EQ(0, nl_ring_get(&self->c, self->name, o, &r));
	EXPECT_EQ(KIPC_CMD_RING_GET, o->cmd);
	EXPECT_EQ(0, o->bad);
	EXPECT_EQ(RING_NATTRS, o->nattrs);
	EXPECT_STREQ(self->name, o->name);
	EXPECT_EQ(getuid(), o->v[KIPC_A_RING_UID]);
	EXPECT_EQ(getgid(), o->v[KIPC_A_RING_GID]);
	EXPECT_EQ(0640, o->v[KIPC_A_RING_MODE]);
	EXPECT_EQ(0, o->v[KIPC_A_RING_FLAGS]);
	EXPECT_EQ(3, o->v[KIPC_A_RING_HANDLES]);
	EXPECT_LE((uint64_t)t0, o->v[KIPC_A_RING_CTIME]);
	EXPECT_GE((uint64_t)t1, o->v[KIPC_A_RING_CTIME]);
	EXPECT_EQ(64, o->v[KIPC_A_RING_SLOT_SIZE]);
	EXPECT_EQ(16, o->v[KIPC_A_RING_SLOTS]);
	EXPECT_EQ(info.ring_size, o->v[KIPC_A_RING_SIZE]);
	EXPECT_EQ(4, o->v[KIPC_A_RING_MAX_PRODUCERS]);
	EXPECT_EQ(2, o->v[KIPC_A_RING_PRODUCERS]);
	EXPECT_EQ(1, o->v[KIPC_A_RING_CONSUMER]);
	EXPECT_EQ(0, o->v[KIPC_A_RING_HEAD]);
	EXPECT_EQ(0, o->v[KIPC_A_RING_TAIL]);
	EXPECT_EQ(0, o->v[KIPC_A_RING_LOST]);
	EXPECT_NE(0, o->v[KIPC_A_RING_ID]);
	ASSERT_EQ(2, o->nproducers);
	for (int i = 0; i < 2; i++) {
		EXPECT_EQ(4, o->p[i].nattrs);
		EXPECT_EQ(tags[i], o->p[i].tag);
		EXPECT_EQ((uint64_t)getpid(), o->p[i].pid);
		EXPECT_EQ(geteuid(), o->p[i].uid);
		EXPECT_EQ(getegid(), o->p[i].gid);
	}

	/* A producer that leaves leaves the table and the count. */
	close(p1);
	ASSERT_EQ(0, nl_ring_get(&self->c, self->name, o, &r));
	EXPECT_EQ(1, o->v[KIPC_A_RING_PRODUCERS]);
	ASSERT_EQ(1, o->nproducers);
	EXPECT_EQ(tags[1], o->p[0].tag);
	close(p2);
	close(cfd);
	ASSERT_EQ(0, nl_ring_get(&self->c, self->name, o, &r));
	EXPECT_EQ(0, o->v[KIPC_A_RING_PRODUCERS]);
	EXPECT_EQ(0, o->v[KIPC_A_RING_CONSUMER]);
	EXPECT_EQ(0, o->v[KIPC_A_RING_HANDLES]);
	EXPECT_EQ(0, o->nproducers);
}

/* Head and tail follow the protocol's words; lost counts a dead claim. */
TEST_F(nlring, get_head_tail_lost)
{
	struct ring_msg *o = &self->o;
	struct rg_map cm, pm;
	uint64_t pos, word;
	struct nlres r;
	int cfd, pfd;

	cfd = rg_open(self->name, RING_NEW | KIPC_RING_CONSUMER, 0600, 8, 8, 0);
	ASSERT_LE(0, cfd);
	pfd = rg_open(self->name, KIPC_RING_PRODUCER, 0, 0, 0, 0);
	ASSERT_LE(0, pfd);
	ASSERT_EQ(0, rg_map(&cm, cfd));
	ASSERT_EQ(0, rg_map(&pm, pfd));

	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, rg_claim(&pm, &pos));
		ASSERT_EQ(0, rg_commit(&pm, pos));
	}
	ASSERT_EQ(KIPC_RING_SLOT_COMMITTED, rg_peek(&cm, &word));
	ASSERT_EQ(0, rg_release(&cm));
	ASSERT_EQ(0, nl_ring_get(&self->c, self->name, o, &r));
	EXPECT_EQ(3, o->v[KIPC_A_RING_HEAD]);
	EXPECT_EQ(1, o->v[KIPC_A_RING_TAIL]);
	EXPECT_EQ(0, o->v[KIPC_A_RING_LOST]);

	/* Claimed and never committed: the release marks it lost. */
	ASSERT_EQ(0, rg_claim(&pm, &pos));
	rg_unmap(&pm);
	close(pfd);
	ASSERT_EQ(0, nl_ring_get(&self->c, self->name, o, &r));
	EXPECT_EQ(4, o->v[KIPC_A_RING_HEAD]);
	EXPECT_EQ(1, o->v[KIPC_A_RING_LOST]);
	EXPECT_EQ(0, o->v[KIPC_A_RING_PRODUCERS]);
	EXPECT_EQ(0, o->nproducers);
	rg_unmap(&cm);
	close(cfd);
}

TEST_F(nlring, get_auto_delete)
{
	struct nlres r;
	int fd;

	fd = rg_open(self->name, RING_NEW | KIPC_RING_AUTO_DELETE, 0600, 8, 2, 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, nl_ring_get(&self->c, self->name, &self->o, &r));
	EXPECT_EQ(KIPC_RING_AUTO_DELETE, self->o.v[KIPC_A_RING_FLAGS]);
	EXPECT_EQ(1, self->o.v[KIPC_A_RING_MAX_PRODUCERS]);
	close(fd);
	EXPECT_EQ(-ENOENT, nl_ring_get(&self->c, self->name, &self->o, &r));
}

/* Every place of the largest producer table fits in one reply and event. */
TEST_F(nlring, get_full_producer_table)
{
	int fds[KIPC_RING_MAX_PRODUCERS];
	struct ring_msg *o = &self->o;
	struct nlc mon;
	struct nlres r;
	int cfd;

	ASSERT_EQ(0, nlc_open(&mon));
	ASSERT_EQ(0, nl_monitor(&mon));
	cfd = rg_open(self->name, RING_NEW, 0600, 8, 2,
		      KIPC_RING_MAX_PRODUCERS);
	ASSERT_LE(0, cfd);
	for (int i = 0; i < KIPC_RING_MAX_PRODUCERS; i++) {
		fds[i] = rg_open(self->name, KIPC_RING_PRODUCER, 0, 0, 0, 0);
		ASSERT_LE(0, fds[i]) TH_LOG("producer %d", i);
	}
	ASSERT_EQ(0, nl_ring_get(&self->c, self->name, o, &r));
	EXPECT_EQ(0, o->bad);
	EXPECT_EQ(KIPC_RING_MAX_PRODUCERS, o->v[KIPC_A_RING_PRODUCERS]);
	EXPECT_EQ(KIPC_RING_MAX_PRODUCERS, o->nproducers);

	ASSERT_EQ(0, rg_unlink(self->name));
	ASSERT_EQ(0, nl_event_for(&mon, self->name, o));
	EXPECT_EQ(KIPC_CMD_RING_CREATE_NTF, o->cmd);
	ASSERT_EQ(0, nl_event_for(&mon, self->name, o));
	EXPECT_EQ(KIPC_CMD_RING_DELETE_NTF, o->cmd);
	EXPECT_EQ(0, o->bad);
	EXPECT_EQ(KIPC_RING_MAX_PRODUCERS, o->nproducers);
	for (int i = 0; i < KIPC_RING_MAX_PRODUCERS; i++)
		close(fds[i]);
	close(cfd);
	nlc_close(&mon);
}

TEST_F(nlring, get_missing_enoent)
{
	struct nlres r;
	int fd;

	EXPECT_EQ(-ENOENT, nl_ring_get(&self->c, self->name, &self->o, &r));
	EXPECT_TRUE(r.has_msg);

	/* Gone with its name, though a handle still holds it. */
	fd = rg_open(self->name, RING_NEW, 0600, 8, 2, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rg_unlink(self->name));
	EXPECT_EQ(-ENOENT, nl_ring_get(&self->c, self->name, &self->o, &r));
	close(fd);
}

/* Each kind has its own names: a queue's or a region's is not a ring's. */
TEST_F(nlring, other_kind_enoent)
{
	struct ring_msg *o = &self->o;
	struct nlres r;
	int qfd, rfd;

	qfd = kt_queue(self->name, KT_ALL_ACCESS | KIPC_QUEUE_CREATE, 0600, 1, 8);
	ASSERT_LE(0, qfd);
	EXPECT_EQ(-ENOENT, nl_ring_get(&self->c, self->name, o, &r));
	rfd = rg_open(self->name, RING_NEW, 0600, 8, 2, 0);
	ASSERT_LE(0, rfd);
	EXPECT_EQ(0, nl_ring_get(&self->c, self->name, o, &r));
	EXPECT_EQ(0, kt_unlink(self->name));
	EXPECT_EQ(0, nl_ring_get(&self->c, self->name, o, &r));
	close(qfd);
	close(rfd);
}

/* Without a name: EINVAL, naming the missing attribute. */
TEST_F(nlring, no_name_einval)
{
	struct nlres r;

	EXPECT_EQ(-EINVAL, nlc_xfer(&self->c,
				    nlc_msg(&self->c, KIPC_CMD_RING_GET, 0),
				    NULL, NULL, &r));
	EXPECT_EQ(KIPC_A_RING_NAME, r.miss_type);
}

TEST_F(nlring, empty_name_einval)
{
	struct nlres r;

	EXPECT_EQ(-EINVAL, nl_ring_get(&self->c, "", &self->o, &r));
	EXPECT_TRUE(r.has_msg);
}

/* KIPC_NAME_MAX bytes is the longest name; one more is refused. */
TEST_F(nlring, name_max)
{
	char name[KIPC_NAME_MAX + 2];
	struct nlres r;
	int fd;

	memset(name, 'r', sizeof(name));
	memcpy(name, self->name, strlen(self->name));
	name[KIPC_NAME_MAX] = '\0';
	fd = rg_open(name, RING_NEW | KIPC_RING_AUTO_DELETE, 0600, 8, 2, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, nl_ring_get(&self->c, name, &self->o, &r));
	EXPECT_STREQ(name, self->o.name);
	name[KIPC_NAME_MAX] = 'r';
	name[KIPC_NAME_MAX + 1] = '\0';
	EXPECT_EQ(-EINVAL, nl_ring_get(&self->c, name, &self->o, &r));
	EXPECT_TRUE(r.has_msg);
	close(fd);
}

/* The name is a NUL-terminated string: a u32, or bare bytes, is not. */
TEST_F(nlring, name_wrong_type_einval)
{
	struct nl_msg *m;
	struct nlres r;
	int fd;

	fd = rg_open(self->name, RING_NEW, 0600, 8, 2, 0);
	ASSERT_LE(0, fd);
	m = nlc_msg(&self->c, KIPC_CMD_RING_GET, 0);
	nla_put_u32(m, KIPC_A_RING_NAME, 0x61616161);
	EXPECT_EQ(-EINVAL, nlc_xfer(&self->c, m, NULL, NULL, &r));
	EXPECT_TRUE(r.has_msg);
	m = nlc_msg(&self->c, KIPC_CMD_RING_GET, 0);
	nla_put(m, KIPC_A_RING_NAME, strlen(self->name), self->name);
	EXPECT_EQ(-EINVAL, nlc_xfer(&self->c, m, NULL, NULL, &r));
	EXPECT_TRUE(r.has_msg);
	close(fd);
}

/* A NUL inside the name ends it, and nothing may follow. */
TEST_F(nlring, name_inner_nul_einval)
{
	char name[72];
	struct nl_msg *m;
	struct nlres r;
	int fd;

	fd = rg_open(self->name, RING_NEW, 0600, 8, 2, 0);
	ASSERT_LE(0, fd);
	snprintf(name, sizeof(name), "%s", self->name);
	m = nlc_msg(&self->c, KIPC_CMD_RING_GET, 0);
	nla_put(m, KIPC_A_RING_NAME, strlen(name) + 2, name);
	EXPECT_EQ(-EINVAL, nlc_xfer(&self->c, m, NULL, NULL, &r));
	EXPECT_TRUE(r.has_msg);
	close(fd);
}

/* Validation is strict: an attribute ring-get does not take is refused. */
TEST_F(nlring, unknown_attribute_einval)
{
	const int attrs[] = { KIPC_A_RING_MODE, KIPC_A_RING_SLOTS,
			      KIPC_A_RING_MAX + 1 };
	struct nlres r;
	int fd;

	fd = rg_open(self->name, RING_NEW, 0600, 8, 2, 0);
	ASSERT_LE(0, fd);
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		struct nl_msg *m = nlc_msg(&self->c, KIPC_CMD_RING_GET, 0);

		nla_put_string(m, KIPC_A_RING_NAME, self->name);
		nla_put_u32(m, attrs[i], 0);
		EXPECT_EQ(-EINVAL, nlc_xfer(&self->c, m, NULL, NULL, &r))
			TH_LOG("attribute %d", attrs[i]);
		EXPECT_TRUE(r.has_msg);
	}
	close(fd);
}

TEST_F(nlring, reserved_header_einval)
{
	struct nl_msg *m = nlc_msg(&self->c, KIPC_CMD_RING_GET, 0);
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(m));
	struct nlres r;
	int fd;

	fd = rg_open(self->name, RING_NEW, 0600, 8, 2, 0);
	ASSERT_LE(0, fd);
	g->reserved = 1;
	nla_put_string(m, KIPC_A_RING_NAME, self->name);
	EXPECT_EQ(-EINVAL, nlc_xfer(&self->c, m, NULL, NULL, &r));
	close(fd);
}

/* A dump lists each ring once, oldest first, and ignores a name. */
TEST_F(nlring, dump)
{
	char names[3][64];
	struct dump_arg d;
	int fds[3];

	for (int i = 0; i < 3; i++) {
		ring_name(names[i], sizeof(names[i]), "dump");
		fds[i] = rg_open(names[i], RING_NEW, 0600, 8, 2 << i, 0);
		ASSERT_LE(0, fds[i]);
	}
	memset(&d, 0, sizeof(d));
	for (int i = 0; i < 3; i++)
		d.names[i] = names[i];
	ASSERT_EQ(0, nl_ring_dump(&self->c, &d, NULL));
	EXPECT_EQ(0, d.bad);
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(1, d.seen[i]) TH_LOG("%s", names[i]);
		EXPECT_EQ(RING_NATTRS, d.o[i].nattrs);
		EXPECT_EQ((uint64_t)2 << i, d.o[i].v[KIPC_A_RING_SLOTS]);
	}
	EXPECT_LT(d.o[0].v[KIPC_A_RING_ID], d.o[1].v[KIPC_A_RING_ID]);
	EXPECT_LT(d.o[1].v[KIPC_A_RING_ID], d.o[2].v[KIPC_A_RING_ID]);

	memset(&d, 0, sizeof(d));
	d.names[0] = names[0];
	d.names[1] = names[1];
	ASSERT_EQ(0, nl_ring_dump(&self->c, &d, names[1]));
	EXPECT_EQ(1, d.seen[0]);
	EXPECT_EQ(1, d.seen[1]);
	EXPECT_LE(3, d.total);

	/* An unlinked ring is not listed, though a handle holds it. */
	ASSERT_EQ(0, rg_unlink(names[0]));
	memset(&d, 0, sizeof(d));
	d.names[0] = names[0];
	ASSERT_EQ(0, nl_ring_dump(&self->c, &d, NULL));
	EXPECT_EQ(0, d.seen[0]);
	for (int i = 0; i < 3; i++) {
		rg_unlink(names[i]);
		close(fds[i]);
	}
}

/*
 * Anyone may describe any ring of the namespace, whatever its mode: the
 * description needs no access to the ring. The child gives up root for
 * the runner's user and sees the owner, mode and producers as root does.
 */
TEST_F(nlring, other_user_sees_ring)
{
	struct ring_msg *o = &self->o;
	struct nlres r;
	int cfd, pfd;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root to act as a second user");
	cfd = rg_open(self->name, RING_NEW | KIPC_RING_CONSUMER, 0600, 8, 4, 0);
	ASSERT_LE(0, cfd);
	pfd = rg_open(self->name, KIPC_RING_PRODUCER, 0, 0, 0, 0);
	ASSERT_LE(0, pfd);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct dump_arg d = { .names = { self->name } };
		struct nlc c;
		int fd;

		KT_CHILD_EQ(0, kt_become(KT_USER_UID, KT_USER_GID));
		KT_CHILD_EQ(0, nlc_open(&c));
		/* It may not bind, but it may look. */
		fd = rg_open(self->name, 0, 0, 0, 0, 0);
		KT_CHILD_EQ(-EACCES, fd);
		KT_CHILD_EQ(0, nl_ring_get(&c, self->name, o, &r));
		KT_CHILD_EQ(0, o->bad);
		KT_CHILD_EQ(0, o->v[KIPC_A_RING_UID]);
		KT_CHILD_EQ(0600, o->v[KIPC_A_RING_MODE]);
		KT_CHILD_EQ(1, o->v[KIPC_A_RING_CONSUMER]);
		KT_CHILD_EQ(1, o->nproducers);
		KT_CHILD_EQ(0, o->p[0].uid);
		KT_CHILD_EQ((uint64_t)getppid(), o->p[0].pid);
		KT_CHILD_EQ(0, nl_ring_dump(&c, &d, NULL));
		KT_CHILD_EQ(1, d.seen[0]);
		_exit(0);
	}
	ASSERT_EQ(0, kt_wait_child(pid));
	close(pfd);
	close(cfd);
}

/* A ring of one IPC namespace is neither found nor listed in another. */
TEST_F(nlring, namespaces_apart)
{
	int ready[2], done[2];
	char inner[64], c;
	struct nlres r;
	pid_t pid;
	int fd;

	if (!kt_can_enter_ipc_ns())
		SKIP(return, "cannot enter a new IPC namespace here");
	fd = rg_open(self->name, RING_NEW, 0600, 8, 2, 0);
	ASSERT_LE(0, fd);
	ring_name(inner, sizeof(inner), "inner");
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct dump_arg d = { .names = { self->name, inner } };
		struct ring_msg *o = &self->o;
		struct nlc c;
		int ifd;

		KT_CHILD_EQ(0, kt_enter_ipc_ns());
		KT_CHILD_EQ(0, nlc_open(&c));
		KT_CHILD_EQ(-ENOENT, nl_ring_get(&c, self->name, o, &r));
		ifd = rg_open(inner, RING_NEW | KIPC_RING_AUTO_DELETE, 0600, 8,
			      2, 0);
		KT_CHILD_TRUE(ifd >= 0);
		KT_CHILD_EQ(0, nl_ring_get(&c, inner, o, &r));
		KT_CHILD_EQ(0, nl_ring_dump(&c, &d, NULL));
		KT_CHILD_EQ(0, d.seen[0]);
		KT_CHILD_EQ(1, d.seen[1]);
		KT_CHILD_EQ(1, d.total);
		/* Held until the parent has looked for it. */
		KT_CHILD_EQ(1, write(ready[1], "r", 1));
		KT_CHILD_EQ(1, read(done[0], &c, 1));
		close(ifd);
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(-ENOENT, nl_ring_get(&self->c, inner, &self->o, &r));
	ASSERT_EQ(1, write(done[1], "d", 1));
	ASSERT_EQ(0, kt_wait_child(pid));
	close(fd);
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
}

/* A monitor hears of a ring's creation and deletion with its attributes. */
TEST_F(nlring, monitor_events)
{
	struct ring_msg *o = &self->o;
	char name2[64];
	struct nlc mon;
	int fd, pfd;

	ASSERT_EQ(0, nlc_open(&mon));
	ASSERT_EQ(0, nl_monitor(&mon));

	fd = rg_open(self->name, RING_NEW | KIPC_RING_CONSUMER, 0640, 16, 4, 2);
	ASSERT_LE(0, fd);
	pfd = rg_open(self->name, KIPC_RING_PRODUCER, 0, 0, 0, 0);
	ASSERT_LE(0, pfd);
	ASSERT_EQ(0, rg_unlink(self->name));

	ASSERT_EQ(0, nl_event_for(&mon, self->name, o));
	EXPECT_EQ(KIPC_CMD_RING_CREATE_NTF, o->cmd);
	EXPECT_EQ(0, o->bad);
	EXPECT_EQ(RING_NATTRS, o->nattrs);
	EXPECT_EQ(0640, o->v[KIPC_A_RING_MODE]);
	EXPECT_EQ(getuid(), o->v[KIPC_A_RING_UID]);
	EXPECT_EQ(16, o->v[KIPC_A_RING_SLOT_SIZE]);
	EXPECT_EQ(4, o->v[KIPC_A_RING_SLOTS]);
	EXPECT_EQ(2, o->v[KIPC_A_RING_MAX_PRODUCERS]);
	/* Announced as it is linked, before its creator takes a role. */
	EXPECT_EQ(0, o->v[KIPC_A_RING_CONSUMER]);
	EXPECT_EQ(0, o->v[KIPC_A_RING_PRODUCERS]);

	ASSERT_EQ(0, nl_event_for(&mon, self->name, o));
	EXPECT_EQ(KIPC_CMD_RING_DELETE_NTF, o->cmd);
	EXPECT_EQ(RING_NATTRS, o->nattrs);
	EXPECT_EQ(1, o->v[KIPC_A_RING_CONSUMER]);
	EXPECT_EQ(1, o->v[KIPC_A_RING_PRODUCERS]);
	EXPECT_EQ(1, o->nproducers);
	close(pfd);
	close(fd);

	/* The last handle of an auto-delete ring takes its name: an event. */
	ring_name(name2, sizeof(name2), "auto");
	fd = rg_open(name2, RING_NEW | KIPC_RING_AUTO_DELETE, 0600, 8, 2, 0);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, nl_event_for(&mon, name2, o));
	EXPECT_EQ(KIPC_CMD_RING_CREATE_NTF, o->cmd);
	EXPECT_EQ(KIPC_RING_AUTO_DELETE, o->v[KIPC_A_RING_FLAGS]);
	ASSERT_EQ(0, nl_event_for(&mon, name2, o));
	EXPECT_EQ(KIPC_CMD_RING_DELETE_NTF, o->cmd);

	/* Nothing more about either. */
	while (!nl_event(&mon, 0, o)) {
		EXPECT_STRNE(self->name, o->name);
		EXPECT_STRNE(name2, o->name);
	}
	nlc_close(&mon);
}

/* A monitor of another IPC namespace hears nothing of this one's rings. */
TEST_F(nlring, monitor_own_namespace_only)
{
	int ready[2], done[2];
	pid_t pid;
	char c;
	int fd;

	if (!kt_can_enter_ipc_ns())
		SKIP(return, "cannot enter a new IPC namespace here");
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct ring_msg *o = &self->o;
		char inner[64];
		struct nlc mon;
		int ifd;

		KT_CHILD_EQ(0, kt_enter_ipc_ns());
		KT_CHILD_EQ(0, nlc_open(&mon));
		KT_CHILD_EQ(0, nl_monitor(&mon));
		KT_CHILD_EQ(1, write(ready[1], "r", 1));
		KT_CHILD_EQ(1, read(done[0], &c, 1));
		/*
		 * Events go out before the call causing them returns, so
		 * the parent's, had they come here, would be queued before
		 * this ring's own.
		 */
		ring_name(inner, sizeof(inner), "innermon");
		ifd = rg_open(inner, RING_NEW | KIPC_RING_AUTO_DELETE, 0600, 8,
			      2, 0);
		KT_CHILD_TRUE(ifd >= 0);
		KT_CHILD_EQ(0, nl_event(&mon, WAIT_MS, o));
		KT_CHILD_EQ(KIPC_CMD_RING_CREATE_NTF, o->cmd);
		KT_CHILD_TRUE(!strcmp(o->name, inner));
		close(ifd);
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	fd = rg_open(self->name, RING_NEW, 0600, 8, 2, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rg_unlink(self->name));
	close(fd);
	ASSERT_EQ(1, write(done[1], "d", 1));
	ASSERT_EQ(0, kt_wait_child(pid));
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
}

/* Rings count while they live, named or not; the parameters are sysfs's. */
TEST_F(nlring, stats_rings)
{
	int ok = 0;

	for (int attempt = 0; attempt < 5 && !ok; attempt++) {
		struct stats s0, s1, s2, s3;
		int fd;

		ASSERT_EQ(0, nl_stats(&self->c, &s0));
		fd = rg_open(self->name, RING_NEW, 0600, 8, 2, 0);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, nl_stats(&self->c, &s1));
		ASSERT_EQ(0, rg_unlink(self->name));
		ASSERT_EQ(0, nl_stats(&self->c, &s2));
		close(fd);
		ASSERT_EQ(0, nl_stats(&self->c, &s3));
		/* Another test's rings may come and go: try again. */
		ok = s1.v[KIPC_A_STATS_RINGS] == s0.v[KIPC_A_STATS_RINGS] + 1 &&
		     s2.v[KIPC_A_STATS_RINGS] == s1.v[KIPC_A_STATS_RINGS] &&
		     s3.v[KIPC_A_STATS_RINGS] == s0.v[KIPC_A_STATS_RINGS];
		if (!ok)
			TH_LOG("rings %llu %llu %llu %llu",
			       (unsigned long long)s0.v[KIPC_A_STATS_RINGS],
			       (unsigned long long)s1.v[KIPC_A_STATS_RINGS],
			       (unsigned long long)s2.v[KIPC_A_STATS_RINGS],
			       (unsigned long long)s3.v[KIPC_A_STATS_RINGS]);
	}
	EXPECT_TRUE(ok);
}

TEST_F(nlring, stats_ring_parameters)
{
	struct stats s;

	ASSERT_EQ(0, nl_stats(&self->c, &s));
	EXPECT_EQ((uint64_t)kt_param("max_rings"), s.v[KIPC_A_STATS_MAX_RINGS]);
	EXPECT_EQ((uint64_t)kt_param("max_ring_size"),
		  s.v[KIPC_A_STATS_MAX_RING_SIZE]);
}

TEST_HARNESS_MAIN
