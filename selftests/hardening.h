/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the hardening selftests (stress_test, kill_test,
 * fault_test, fuzz): sizes from the environment, a seeded PRNG, shared
 * memory, raw region ioctls, and a small raw generic-netlink client for
 * the kipc family, whose stats-get tells whether every object made during
 * a test was freed.
 *
 * The netlink client builds and parses messages by hand, so the fault
 * injection test controls each system call, and the fuzzer can send
 * malformed messages. Only the family's id is resolved through libnl.
 */
#ifndef KIPC_HARDENING_H
#define KIPC_HARDENING_H

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "kipc_test.h"

/* ---- sizes from the environment ---- */

/* @name as a number within [@min, @max], or @def when unset or invalid. */
static inline long hd_env_long(const char *name, long def, long min, long max)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || v < min || v > max) {
		fprintf(stderr, "# %s=%s is not a number in [%ld, %ld]; using %ld\n",
			name, s, min, max, def);
		return def;
	}
	return v;
}

/* ---- a small seeded PRNG (splitmix64) ---- */

struct hd_rng {
	uint64_t s;
};

static inline uint64_t hd_rand(struct hd_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); 0 when n is 0. */
static inline uint32_t hd_below(struct hd_rng *r, uint32_t n)
{
	return n ? (uint32_t)(((hd_rand(r) >> 32) * (uint64_t)n) >> 32) : 0;
}

/* True with probability @pct percent. */
static inline int hd_chance(struct hd_rng *r, uint32_t pct)
{
	return hd_below(r, 100) < pct;
}

/* A seed from @env_name, else from the clock; either way it is printed. */
static inline uint64_t hd_seed(const char *env_name)
{
	const char *s = getenv(env_name);

	if (s && *s)
		return strtoull(s, NULL, 0);
	return (uint64_t)kt_real_ns() ^ ((uint64_t)getpid() << 32);
}

/* ---- memory ---- */

static inline void *hd_shared(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline size_t hd_page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* A name no other process uses, with the uid so root and user runs differ. */
static inline void hd_name(char *buf, size_t size, const char *tag)
{
	static unsigned int counter;

	snprintf(buf, size, "hd.%s.%u.%d.%u", tag, (unsigned int)getuid(),
		 (int)getpid(),
		 __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
}

/* ---- regions, through the raw ioctls ---- */

#define HD_R_RW		(KIPC_REGION_READ | KIPC_REGION_WRITE)

static inline int hd_region_bind(int fd, const char *name, uint32_t flags,
				 uint32_t mode, uint64_t size)
{
	struct kipc_region_bind b;

	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.flags = flags;
	b.name = (uintptr_t)name;
	b.name_len = strlen(name);
	b.mode = mode;
	b.region_size = size;
	return kt_ret(ioctl(fd, KIPC_IOC_REGION_BIND, &b));
}

/* A new handle bound to region @name: the fd, or a negative errno. */
static inline int hd_region(const char *name, uint32_t flags, uint32_t mode,
			    uint64_t size)
{
	int fd = kt_open();
	int ret;

	if (fd < 0)
		return fd;
	ret = hd_region_bind(fd, name, flags, mode, size);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static inline int hd_region_unlink(const char *name)
{
	return kt_unlink_ioc(KIPC_IOC_REGION_UNLINK, name);
}

static inline int hd_region_info(int fd, struct kipc_region_info *ri)
{
	memset(ri, KT_POISON, sizeof(*ri));
	ri->size = sizeof(*ri);
	ri->flags = 0;
	return kt_ret(ioctl(fd, KIPC_IOC_REGION_INFO, ri));
}

/* ---- raw generic netlink ---- */

/* The kipc family's id, resolved through libnl; a negative errno if absent. */
static inline int hd_nl_family(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int id;

	if (!sk)
		return -ENOMEM;
	if (genl_connect(sk)) {
		nl_socket_free(sk);
		return -EIO;
	}
	id = genl_ctrl_resolve(sk, KIPC_FAMILY_NAME);
	nl_socket_free(sk);
	return id < 0 ? -ENOENT : id;
}

/* A generic netlink socket with a receive timeout of @timeout_ms. */
static inline int hd_nl_socket(int timeout_ms)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

#define HD_NLBUF	8192

struct hd_nlmsg {
	union {
		struct nlmsghdr nh;
		char buf[HD_NLBUF];
	};
	size_t len;
};

static inline void hd_nlmsg_init(struct hd_nlmsg *m, int family, int cmd,
				 int flags, uint32_t seq)
{
	struct genlmsghdr *g;

	memset(m, 0, sizeof(*m));
	m->nh.nlmsg_type = family;
	m->nh.nlmsg_flags = NLM_F_REQUEST | flags;
	m->nh.nlmsg_seq = seq;
	g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	g->cmd = cmd;
	g->version = KIPC_FAMILY_VERSION;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->nh.nlmsg_len = m->len;
}

/* Appends an attribute; @len beyond the room left is cut. */
static inline void hd_nla_put(struct hd_nlmsg *m, uint16_t type,
			      const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->len);

	if (m->len + NLA_HDRLEN + NLA_ALIGN(len) > HD_NLBUF)
		len = HD_NLBUF - m->len - NLA_HDRLEN;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (data)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	m->len += NLA_HDRLEN + NLA_ALIGN(len);
	m->nh.nlmsg_len = m->len;
}

static inline void hd_nla_put_str(struct hd_nlmsg *m, uint16_t type,
				  const char *s)
{
	hd_nla_put(m, type, s, strlen(s) + 1);
}

static inline int hd_nl_send(int fd, const struct hd_nlmsg *m)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (sendto(fd, m->buf, m->len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return -errno;
	return 0;
}

typedef void (*hd_nl_cb)(const struct nlmsghdr *nh, void *arg);

/* Where answers are read into. */
static __thread char hd_nl_buf[65536];

/*
 * Touches the answer buffer, so that reading into it never needs a page:
 * for the fault-injection test, whose injected failures must hit the
 * kernel's own allocations only.
 */
static inline void hd_nl_prefault(void)
{
	memset(hd_nl_buf, 0, sizeof(hd_nl_buf));
}

/*
 * Reads the answer to the request with sequence number @seq: each family
 * message goes to @cb, until the ACK, the error or NLMSG_DONE. Returns the
 * kernel's errno (0 or negative), a receive error (-ENOBUFS when the
 * kernel could not queue its answer) or -EAGAIN when nothing came within
 * the socket's timeout. *@nreplies counts the family messages.
 */
static inline int hd_nl_answer(int fd, uint32_t seq, int family, hd_nl_cb cb,
			       void *arg, int *nreplies)
{
	char *buf = hd_nl_buf;

	if (nreplies)
		*nreplies = 0;
	for (;;) {
		struct nlmsghdr *nh;
		ssize_t n = recv(fd, buf, sizeof(hd_nl_buf), 0);
		int len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		len = (int)n;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_seq != seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);

				return e->error;
			}
			if (nh->nlmsg_type == NLMSG_DONE)
				return *(int *)NLMSG_DATA(nh);
			if (nh->nlmsg_type == family) {
				if (nreplies)
					(*nreplies)++;
				if (cb)
					cb(nh, arg);
			}
		}
	}
}

/* The attributes of a family message, by type (absent: NULL). */
static inline void hd_nl_attrs(const struct nlmsghdr *nh,
			       const struct nlattr **tb, int max)
{
	const struct nlattr *a;
	int rem;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	a = (const struct nlattr *)((const char *)NLMSG_DATA(nh) + GENL_HDRLEN);
	rem = (int)nh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	while (rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= rem) {
		int t = a->nla_type & NLA_TYPE_MASK;

		if (t <= max)
			tb[t] = a;
		rem -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
}

static inline uint32_t hd_nla_u32(const struct nlattr *a)
{
	uint32_t v = UINT32_MAX;

	if (a && a->nla_len >= NLA_HDRLEN + 4)
		memcpy(&v, (const char *)a + NLA_HDRLEN, 4);
	return v;
}

struct hd_stats {
	uint32_t queues;
	uint32_t regions;
	uint32_t namespaces;
	uint32_t listeners;
};

static inline void hd_stats_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct nlattr *tb[KIPC_A_STATS_MAX + 1];
	struct hd_stats *st = arg;

	hd_nl_attrs(nh, tb, KIPC_A_STATS_MAX);
	st->queues = hd_nla_u32(tb[KIPC_A_STATS_QUEUES]);
	st->regions = hd_nla_u32(tb[KIPC_A_STATS_REGIONS]);
	st->namespaces = hd_nla_u32(tb[KIPC_A_STATS_NAMESPACES]);
	st->listeners = hd_nla_u32(tb[KIPC_A_STATS_LISTENERS]);
}

/* stats-get on socket @fd of family @family: 0 or a negative errno. */
static inline int hd_stats_get_on(int fd, int family, struct hd_stats *st)
{
	static uint32_t seq;
	struct hd_nlmsg m;
	int ret, n;

	memset(st, 0xff, sizeof(*st));
	hd_nlmsg_init(&m, family, KIPC_CMD_STATS_GET, NLM_F_ACK, ++seq);
	ret = hd_nl_send(fd, &m);
	if (ret)
		return ret;
	ret = hd_nl_answer(fd, seq, family, hd_stats_cb, st, &n);
	if (!ret && n != 1)
		return -EPROTO;
	return ret;
}

/* stats-get on a socket of its own. */
static inline int hd_stats_get(struct hd_stats *st)
{
	int family = hd_nl_family();
	int fd, ret;

	if (family < 0)
		return family;
	fd = hd_nl_socket(10000);
	if (fd < 0)
		return fd;
	ret = hd_stats_get_on(fd, family, st);
	close(fd);
	return ret;
}

/*
 * Polls stats-get for up to @timeout_ms until the module's queue and
 * region counts equal @base's; *@now gets the last figures. Returns 0 once
 * equal, 1 when the counts went below the baseline while the number of
 * namespaces also fell (the namespace reaper freed another test's
 * objects: not ours to judge), -1 on a timeout and the errno on a failed
 * stats-get.
 */
static inline int hd_stats_wait_base(const struct hd_stats *base,
				     int timeout_ms, struct hd_stats *now)
{
	int64_t end = kt_mono_ns() + (int64_t)timeout_ms * 1000000;
	int ret;

	for (;;) {
		ret = hd_stats_get(now);
		if (ret)
			return ret;
		if (now->queues == base->queues && now->regions == base->regions)
			return 0;
		if (now->queues <= base->queues && now->regions <= base->regions &&
		    now->namespaces < base->namespaces)
			return 1;
		if (kt_mono_ns() > end)
			return -1;
		kt_sleep_ms(20);
	}
}

#endif /* KIPC_HARDENING_H */
