// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc under load for at least KIPC_STRESS_SECONDS (default 3): four
 * producers and four consumers move checksummed messages through one
 * queue, each message exactly once, while other processes create, use and
 * delete queues and regions and list them over netlink. Afterwards the
 * module holds exactly the objects it held before.
 *
 * The messages go in rounds of a fixed count each, checked at the end of
 * the round; rounds go on until the time is up. Each round's count is
 * sized from a short calibration or the previous round's rate, so the test
 * takes about as long on KVM as under software emulation or on a debug
 * kernel. Every call has a deadline, so a lost wake-up fails instead of
 * hanging.
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"
#include "hardening.h"

#define NPROD		4
#define NCONS		4
#define NCHURN		3
#define Q_MSGS		64
#define MAX_PAYLOAD	1024
#define BATCH		16
#define STOP_PRODUCER	0xffffffffu
#define MIN_PER_PROD	200
#define MAX_PER_PROD	4000000
#define RW		KT_ALL_ACCESS

/* ---- payloads: producer, sequence, length and a checksum ---- */

struct pl_hdr {
	uint32_t producer;
	uint32_t seq;
	uint32_t len;
	uint32_t csum;
};

static uint32_t mix32(uint32_t a, uint32_t b)
{
	uint32_t h = a * 0x9e3779b1u ^ (b + 0x7f4a7c15u + (a << 6) + (a >> 2));

	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	return h ^ (h >> 12);
}

/* Mostly small messages (the cached path), one in eight large. */
static uint32_t pl_len(uint32_t p, uint32_t seq)
{
	uint32_t h = mix32(p, seq);

	if ((h & 7) == 0)
		return 257 + h % (MAX_PAYLOAD - 256);
	return sizeof(struct pl_hdr) + h % (256 - sizeof(struct pl_hdr) + 1);
}

/* Producer 1 sends its even messages with write(), which uses prio 0. */
static int pl_by_write(uint32_t p, uint32_t seq)
{
	return p == 1 && !(seq & 1);
}

static uint32_t pl_prio(uint32_t p, uint32_t seq)
{
	return pl_by_write(p, seq) ? 0 : mix32(seq, p) % 3;
}

static uint32_t pl_sum(const uint8_t *buf, uint32_t len)
{
	return kt_fnv1a(buf + sizeof(struct pl_hdr),
			len - sizeof(struct pl_hdr)) ^
	       kt_fnv1a(buf, offsetof(struct pl_hdr, csum));
}

static uint32_t pl_fill(uint8_t *buf, uint32_t p, uint32_t seq)
{
	struct pl_hdr h = { p, seq, pl_len(p, seq), 0 };
	uint32_t i;

	memcpy(buf, &h, sizeof(h));
	for (i = sizeof(h); i < h.len; i++)
		buf[i] = (uint8_t)(p * 7 + seq * 13 + i);
	h.csum = pl_sum(buf, h.len);
	memcpy(buf + offsetof(struct pl_hdr, csum), &h.csum, 4);
	return h.len;
}

/* ---- what the processes share ---- */

struct sh {
	uint32_t per_prod;		/* messages per producer */
	int stop_churn;
	uint32_t taken[NCONS];
	uint64_t churn_iters[NCHURN];
	uint32_t corrupt, dup, order;
	uint8_t seen[];			/* NPROD * per_prod bits */
};

static void *bitmap_bit(struct sh *sh, uint32_t p, uint32_t seq, uint8_t *mask)
{
	uint64_t bit = (uint64_t)p * sh->per_prod + seq;

	*mask = 1u << (bit & 7);
	return &sh->seen[bit >> 3];
}

static int64_t live_deadline(void)
{
	return kt_mono_ns() + KT_LIVENESS_NS;
}

/*
 * Messages the queue has taken in and given out so far. A poller is not
 * owed any particular message: a sender hands a message straight to a
 * receiver blocked in the kernel, as POSIX mq's pipelined send does, and
 * a woken blocked sender may take the slot a poller saw free. So a poll()
 * that times out fails the liveness check only when the queue as a whole
 * moved nothing in that time.
 */
static uint64_t queue_progress(int fd)
{
	struct kipc_queue_attr a;

	if (kt_getattr(fd, &a))
		return 0;
	return a.sent + a.received;
}

/*
 * poll() until @events, or -ETIMEDOUT once the queue has moved nothing for
 * two liveness periods in a row: one period can pass in a guest whose host
 * stopped running it, and its timers all fire at once when it runs again.
 */
static int poll_live(int fd, short events)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	uint64_t before, now;
	int idle = 0, ret;

	before = queue_progress(fd);
	for (;;) {
		ret = poll(&pfd, 1, KT_LIVENESS_NS / 1000000);
		if (ret == 1)
			return 0;
		if (ret < 0)
			return -errno;
		now = queue_progress(fd);
		idle = now == before ? idle + 1 : 0;
		if (idle == 2)
			return -ETIMEDOUT;
		before = now;
	}
}

/* write() on a non-blocking handle, waiting with poll() while full. */
static int write_live(int fd, const void *buf, uint32_t len)
{
	int ret;

	for (;;) {
		if (write(fd, buf, len) == (ssize_t)len)
			return 0;
		if (errno != EAGAIN)
			return -errno;
		ret = poll_live(fd, POLLOUT);
		if (ret)
			return ret;
	}
}

static int producer(int fd, int wfd, uint32_t p, struct sh *sh)
{
	static uint8_t bufs[BATCH][MAX_PAYLOAD];
	struct kipc_msg m[BATCH];
	uint32_t seq = 0, n, i, len;
	int ret;

	while (seq < sh->per_prod) {
		if (p < 2) {
			len = pl_fill(bufs[0], p, seq);
			if (pl_by_write(p, seq))
				ret = write_live(wfd, bufs[0], len);
			else
				ret = kt_send_full(fd, bufs[0], len,
						   pl_prio(p, seq), p + 1,
						   KIPC_IO_TIMEOUT, live_deadline());
			if (ret) {
				fprintf(stderr, "# producer %u: message %u: %s\n",
					p, seq, strerror(-ret));
				return 1;
			}
			seq++;
			continue;
		}
		n = sh->per_prod - seq < BATCH ? sh->per_prod - seq : BATCH;
		n = 1 + (seq * 7 + p) % n;
		memset(m, 0, sizeof(m));
		for (i = 0; i < n; i++) {
			m[i].buf = (uintptr_t)bufs[i];
			m[i].len = pl_fill(bufs[i], p, seq + i);
			m[i].prio = pl_prio(p, seq + i);
			m[i].type = p + 1;
		}
		ret = kt_batch(fd, KIPC_IOC_QUEUE_SEND_BATCH, KIPC_IO_TIMEOUT,
			       live_deadline(), m, n, sizeof(m[0]));
		if (ret <= 0 || (uint32_t)ret > n) {
			fprintf(stderr, "# producer %u: batch of %u at %u returned %d\n",
				p, n, seq, ret);
			return 1;
		}
		seq += ret;
	}
	return 0;
}

/* Checks one received message; returns 1 for a stop mark, -1 if bad. */
static int consume_one(struct sh *sh, uint32_t k, const uint8_t *buf,
		       uint32_t len, int64_t last[NPROD][3])
{
	struct pl_hdr h;
	uint8_t mask, old, *byte;
	uint32_t prio;

	if (len < sizeof(h)) {
		fprintf(stderr, "# consumer %u: short message (%u bytes)\n", k, len);
		return -1;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.producer == STOP_PRODUCER && len == sizeof(h))
		return 1;
	if (h.producer >= NPROD || h.seq >= sh->per_prod || h.len != len ||
	    len != pl_len(h.producer, h.seq) || h.csum != pl_sum(buf, len)) {
		fprintf(stderr, "# consumer %u: corrupt message: producer %u seq %u len %u/%u\n",
			k, h.producer, h.seq, h.len, len);
		__atomic_fetch_add(&sh->corrupt, 1, __ATOMIC_RELAXED);
		return -1;
	}
	/* One producer's messages of one priority leave in their order. */
	prio = pl_prio(h.producer, h.seq);
	if ((int64_t)h.seq <= last[h.producer][prio]) {
		fprintf(stderr, "# consumer %u: producer %u prio %u: seq %u after %lld\n",
			k, h.producer, prio, h.seq,
			(long long)last[h.producer][prio]);
		__atomic_fetch_add(&sh->order, 1, __ATOMIC_RELAXED);
	}
	last[h.producer][prio] = h.seq;
	byte = bitmap_bit(sh, h.producer, h.seq, &mask);
	old = __atomic_fetch_or(byte, mask, __ATOMIC_RELAXED);
	if (old & mask) {
		fprintf(stderr, "# consumer %u: duplicate: producer %u seq %u\n",
			k, h.producer, h.seq);
		__atomic_fetch_add(&sh->dup, 1, __ATOMIC_RELAXED);
	}
	sh->taken[k]++;
	return 0;
}

static int send_stop(int fd)
{
	struct pl_hdr h = { STOP_PRODUCER, 0, sizeof(h), 0 };

	return kt_send_full(fd, &h, sizeof(h), 0, 0, KIPC_IO_TIMEOUT,
			    live_deadline());
}

static int consumer(int fd, int rfd, uint32_t k, struct sh *sh)
{
	static uint8_t bufs[BATCH][MAX_PAYLOAD];
	struct kipc_msg m[BATCH];
	int64_t last[NPROD][3];
	int stops = 0, bad = 0, n, i, r;

	for (i = 0; i < NPROD * 3; i++)
		last[i / 3][i % 3] = -1;
	while (!stops) {
		memset(m, 0, sizeof(m));
		for (i = 0; i < BATCH; i++) {
			m[i].buf = (uintptr_t)bufs[i];
			m[i].len = MAX_PAYLOAD;
		}
		if (k == 0) {
			n = kt_io(fd, KIPC_IOC_QUEUE_RECV, KIPC_IO_TIMEOUT,
				  live_deadline(), &m[0]);
			n = n < 0 ? n : 1;
		} else if (k == 1) {
			/* read() on a non-blocking handle, with poll(). */
			ssize_t got = read(rfd, bufs[0], MAX_PAYLOAD);

			if (got < 0 && errno == EAGAIN) {
				r = poll_live(rfd, POLLIN);
				if (r) {
					fprintf(stderr, "# consumer 1: poll: %s\n",
						r == -ETIMEDOUT ? "the queue moved nothing for 20 s" :
						strerror(-r));
					return 1;
				}
				continue;
			}
			if (got <= 0) {
				fprintf(stderr, "# consumer 1: read: %zd (%s)\n",
					got, strerror(errno));
				return 1;
			}
			m[0].len = (uint32_t)got;
			n = 1;
		} else {
			n = kt_batch(fd, KIPC_IOC_QUEUE_RECV_BATCH, KIPC_IO_TIMEOUT,
				     live_deadline(), m, k == 2 ? BATCH : 3,
				     sizeof(m[0]));
		}
		if (n <= 0) {
			fprintf(stderr, "# consumer %u: receive: %s\n", k,
				strerror(-n));
			return 1;
		}
		for (i = 0; i < n; i++) {
			r = consume_one(sh, k, bufs[i], m[i].len, last);
			if (r > 0)
				stops++;
			else if (r < 0)
				bad = 1;
		}
	}
	/* A batch may have taken several stop marks: pass the others on. */
	while (--stops)
		if (send_stop(fd))
			return 1;
	return bad;
}

/* ---- churn: queues, regions and netlink, until told to stop ---- */

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# churn %d: %s:%d: %s failed (errno %d)\n", \
			(int)getpid(), __FILE__, __LINE__, #cond, errno); \
		return 1;						\
	}								\
} while (0)

static int churn_queues(struct sh *sh)
{
	uint8_t buf[128], in[128];
	struct kipc_queue_peer peer;
	struct kipc_queue_attr a;
	uint64_t it;
	char name[96];
	int fd, fd2, pfd, i, ad;

	for (it = 0; !__atomic_load_n(&sh->stop_churn, __ATOMIC_RELAXED); it++) {
		sh->churn_iters[0] = it;
		if (it % 8 == 7) {
			/* An anonymous queue and a peer, as a pipe. */
			fd = kt_open();
			CHECK(fd >= 0);
			CHECK(kt_bind_raw(fd, NULL, 0, KIPC_QUEUE_ANONYMOUS | RW,
					  0600, 4, sizeof(buf)) == 0);
			memset(&peer, 0, sizeof(peer));
			peer.size = sizeof(peer);
			peer.flags = KIPC_PEER_CLOEXEC;
			peer.access = KIPC_QUEUE_READ;
			pfd = ioctl(fd, KIPC_IOC_QUEUE_PEER, &peer);
			CHECK(pfd >= 0 && pfd == peer.fd);
			memset(buf, (int)it, sizeof(buf));
			CHECK(kt_send(fd, buf, sizeof(buf), 0, it, 0) == 0);
			close(fd);
			CHECK(kt_recv(pfd, in, sizeof(in), KIPC_IO_NONBLOCK, 0, NULL) == 0);
			CHECK(!memcmp(buf, in, sizeof(buf)));
			close(pfd);
			continue;
		}
		ad = it & 1;
		hd_name(name, sizeof(name), "chq");
		fd = kt_queue(name, KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL | RW |
			      (ad ? KIPC_QUEUE_AUTO_DELETE : 0), 0600, 4,
			      sizeof(buf));
		CHECK(fd >= 0);
		fd2 = kt_attach(name, RW);
		CHECK(fd2 >= 0);
		for (i = 0; i < 3; i++) {
			memset(buf, i + (int)it, sizeof(buf));
			CHECK(kt_send(fd, buf, 1 + i * 40, i, i, KIPC_IO_NONBLOCK) == 0);
		}
		for (i = 2; i >= 1; i--) {
			struct kipc_msg m;

			CHECK(kt_recv(fd2, in, sizeof(in), KIPC_IO_NONBLOCK, 0, &m) == 0);
			CHECK(m.len == 1u + i * 40 && m.prio == (uint32_t)i);
			CHECK(in[0] == (uint8_t)(i + it));
		}
		CHECK(kt_getattr(fd, &a) == 0);
		CHECK(a.cur_msgs == 1 && a.sent == 3 && a.received == 2);
		if (it % 4 == 0) {
			memset(&peer, 0, sizeof(peer));
			peer.size = sizeof(peer);
			peer.flags = KIPC_PEER_CLOEXEC | KIPC_PEER_NONBLOCK;
			peer.access = RW;
			pfd = ioctl(fd2, KIPC_IOC_QUEUE_PEER, &peer);
			CHECK(pfd >= 0);
			CHECK(kt_recv(pfd, in, sizeof(in), 0, 0, NULL) == 0);
			CHECK(kt_recv(pfd, in, sizeof(in), 0, 0, NULL) == -EAGAIN);
			close(pfd);
		}
		close(fd2);
		close(fd);
		/* An auto-delete queue went with its last handle. */
		CHECK(kt_unlink(name) == (ad ? -ENOENT : 0));
	}
	return 0;
}

static int churn_regions(struct sh *sh)
{
	size_t pg = hd_page();
	struct kipc_region_info ri;
	uint64_t it;
	char name[96];
	int fd, fd2, ad;

	for (it = 0; !__atomic_load_n(&sh->stop_churn, __ATOMIC_RELAXED); it++) {
		size_t pages = 1 + it % 8, i;
		uint8_t *p, *q;

		sh->churn_iters[1] = it;
		ad = it & 1;
		hd_name(name, sizeof(name), "chr");
		fd = hd_region(name, HD_R_RW | KIPC_REGION_CREATE | KIPC_REGION_EXCL |
			       (ad ? KIPC_REGION_AUTO_DELETE : 0), 0600,
			       pages * pg - (it % 3));
		CHECK(fd >= 0);
		p = mmap(NULL, pages * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		CHECK(p != MAP_FAILED);
		for (i = 0; i < pages; i++)
			memset(p + i * pg, (int)(it + i), pg);
		fd2 = hd_region(name, KIPC_REGION_READ, 0, 0);
		CHECK(fd2 >= 0);
		/* The last pages, read-only, through another handle. */
		q = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd2, (pages - 1) * pg);
		CHECK(q != MAP_FAILED);
		CHECK(q[0] == (uint8_t)(it + pages - 1) &&
		      q[pg - 1] == (uint8_t)(it + pages - 1));
		CHECK(hd_region_info(fd2, &ri) == 0);
		CHECK(ri.handles == 2 && ri.mappings == 2 &&
		      ri.region_size == pages * pg);
		CHECK(munmap(q, pg) == 0);
		close(fd2);
		CHECK(munmap(p, pages * pg) == 0);
		close(fd);
		CHECK(hd_region_unlink(name) == (ad ? -ENOENT : 0));
	}
	return 0;
}

static void count_cb(const struct nlmsghdr *nh, void *arg)
{
	(void)nh;
	(*(int *)arg)++;
}

static int churn_netlink(struct sh *sh)
{
	int family = hd_nl_family();
	struct hd_stats st;
	struct hd_nlmsg m;
	uint32_t seq = 0;
	uint64_t it;
	int fd, n, ret;

	CHECK(family >= 0);
	fd = hd_nl_socket(10000);
	CHECK(fd >= 0);
	for (it = 0; !__atomic_load_n(&sh->stop_churn, __ATOMIC_RELAXED); it++) {
		sh->churn_iters[2] = it;
		CHECK(hd_stats_get_on(fd, family, &st) == 0);
		CHECK(st.queues >= 1);
		/* Dumps of queues and regions while they come and go. */
		hd_nlmsg_init(&m, family, it & 1 ? KIPC_CMD_REGION_GET :
			      KIPC_CMD_QUEUE_GET, NLM_F_DUMP, ++seq);
		CHECK(hd_nl_send(fd, &m) == 0);
		n = 0;
		ret = hd_nl_answer(fd, seq, family, count_cb, &n, NULL);
		CHECK(ret == 0);
		/* A get of a name that may or may not exist right now. */
		hd_nlmsg_init(&m, family, KIPC_CMD_QUEUE_GET, NLM_F_ACK, ++seq);
		hd_nla_put_str(&m, KIPC_A_QUEUE_NAME, "hd.no.such.queue");
		CHECK(hd_nl_send(fd, &m) == 0);
		ret = hd_nl_answer(fd, seq, family, NULL, NULL, NULL);
		CHECK(ret == -ENOENT);
	}
	close(fd);
	return 0;
}

/* ---- the test ---- */

/* Messages per second that one sender and one receiver move here. */
static double calibrate(void)
{
	uint8_t buf[MAX_PAYLOAD];
	char name[96];
	int64_t start, end;
	uint32_t n = 0;
	int fd;

	hd_name(name, sizeof(name), "cal");
	fd = kt_queue(name, KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL |
		      KIPC_QUEUE_AUTO_DELETE | RW, 0600, Q_MSGS, MAX_PAYLOAD);
	if (fd < 0)
		return 1000;
	start = kt_mono_ns();
	end = start + 200 * 1000000ll;
	while (kt_mono_ns() < end) {
		uint32_t len = pl_fill(buf, 0, n);

		if (kt_send(fd, buf, len, 0, 0, 0) ||
		    kt_recv(fd, buf, sizeof(buf), 0, 0, NULL))
			break;
		n++;
	}
	close(fd);
	return n / ((kt_mono_ns() - start) / 1e9);
}

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

/*
 * One round: NPROD producers send per_prod messages each, NCONS consumers
 * take them, and every message must arrive exactly once, intact and in
 * order within its producer and priority. Returns the messages missing.
 */
static uint32_t run_round(struct __test_metadata *_metadata, struct sh *sh,
			  int fd, int wfd, int rfd, uint32_t per_prod)
{
	pid_t prod[NPROD], cons[NCONS];
	uint32_t p, s, missing = 0;
	int i;

	sh->per_prod = per_prod;
	memset(sh->seen, 0, ((size_t)NPROD * per_prod + 7) / 8);
	for (i = 0; i < NCONS; i++) {
		cons[i] = fork();
		ASSERT_LE(0, cons[i]);
		if (cons[i] == 0)
			_exit(consumer(fd, rfd, i, sh));
	}
	for (i = 0; i < NPROD; i++) {
		prod[i] = fork();
		ASSERT_LE(0, prod[i]);
		if (prod[i] == 0)
			_exit(producer(fd, wfd, i, sh));
	}

	for (i = 0; i < NPROD; i++)
		EXPECT_EQ(0, kt_wait_child(prod[i])) TH_LOG("producer %d", i);
	/* Lowest priority, queued last: every consumer sees all data first. */
	for (i = 0; i < NCONS; i++)
		EXPECT_EQ(0, send_stop(fd));
	for (i = 0; i < NCONS; i++)
		EXPECT_EQ(0, kt_wait_child(cons[i])) TH_LOG("consumer %d", i);

	for (p = 0; p < NPROD; p++)
		for (s = 0; s < per_prod; s++) {
			uint8_t mask, *byte = bitmap_bit(sh, p, s, &mask);

			if (!(*byte & mask) && missing++ < 5)
				TH_LOG("lost: producer %u message %u", p, s);
		}
	EXPECT_EQ(0, kt_cur_msgs(fd));
	return missing;
}

TEST_F_TIMEOUT(stress, mpmc_with_churn, 7200)
{
	long secs = hd_env_long("KIPC_STRESS_SECONDS", 3, 1, 86400);
	uint32_t per_prod, missing = 0, rounds = 0;
	uint64_t moved = 0;
	struct hd_stats base, now;
	pid_t churn[NCHURN];
	int fd, wfd, rfd, i, ret;
	int64_t t0, t_round, left;
	char name[96];
	size_t shsize;
	double rate;
	struct sh *sh;

	ASSERT_EQ(0, hd_stats_get(&base)) TH_LOG("netlink stats-get failed");

	/*
	 * One process sending and receiving in turn; eight processes on few
	 * CPUs, with churn beside them, move about an eighth of that. The
	 * first round's count comes from that guess, later rounds' from the
	 * rate measured, until the test has run for its time.
	 */
	rate = calibrate();
	per_prod = (uint32_t)(rate * secs * 0.12 / NPROD);
	if (per_prod < MIN_PER_PROD)
		per_prod = MIN_PER_PROD;
	if (per_prod > MAX_PER_PROD)
		per_prod = MAX_PER_PROD;
	TH_LOG("%ld s: calibrated %.0f msg/s; first round %u messages per producer",
	       secs, rate, per_prod);

	shsize = sizeof(*sh) + ((size_t)NPROD * MAX_PER_PROD + 7) / 8;
	sh = hd_shared(shsize);
	ASSERT_NE(NULL, sh);

	hd_name(name, sizeof(name), "mpmc");
	fd = kt_queue(name, KIPC_QUEUE_CREATE | KIPC_QUEUE_EXCL | RW, 0600,
		      Q_MSGS, MAX_PAYLOAD);
	ASSERT_LE(0, fd) TH_LOG("create: %s", strerror(-fd));
	/* Non-blocking handles for write() and read(), woken through poll(). */
	wfd = kt_open_flags(O_NONBLOCK);
	ASSERT_LE(0, wfd);
	ASSERT_EQ(0, kt_bind(wfd, name, KIPC_QUEUE_WRITE, 0, 0, 0));
	rfd = kt_open_flags(O_NONBLOCK);
	ASSERT_LE(0, rfd);
	ASSERT_EQ(0, kt_bind(rfd, name, KIPC_QUEUE_READ, 0, 0, 0));

	t0 = kt_mono_ns();
	for (i = 0; i < NCHURN; i++) {
		churn[i] = fork();
		ASSERT_LE(0, churn[i]);
		if (churn[i] == 0)
			_exit(i == 0 ? churn_queues(sh) :
			      i == 1 ? churn_regions(sh) : churn_netlink(sh));
	}

	for (;;) {
		t_round = kt_mono_ns();
		missing += run_round(_metadata, sh, fd, wfd, rfd, per_prod);
		rounds++;
		moved += (uint64_t)per_prod * NPROD;
		TH_LOG("round %u: %u messages in %.1f s", rounds,
		       per_prod * NPROD, (kt_mono_ns() - t_round) / 1e9);
		left = t0 + secs * 1000000000ll - kt_mono_ns();
		if (left <= 0 || missing || sh->dup || sh->corrupt || sh->order)
			break;
		/* Size the next round to the time left, at this round's rate. */
		per_prod = (uint32_t)((double)per_prod * left /
				      (kt_mono_ns() - t_round));
		if (per_prod < MIN_PER_PROD)
			per_prod = MIN_PER_PROD;
		if (per_prod > MAX_PER_PROD)
			per_prod = MAX_PER_PROD;
	}

	__atomic_store_n(&sh->stop_churn, 1, __ATOMIC_RELAXED);
	for (i = 0; i < NCHURN; i++)
		EXPECT_EQ(0, kt_wait_child(churn[i])) TH_LOG("churner %d", i);
	TH_LOG("moved %llu messages in %u rounds in %.1f s",
	       (unsigned long long)moved, rounds, (kt_mono_ns() - t0) / 1e9);

	EXPECT_EQ(0, missing);
	EXPECT_EQ(0, sh->dup);
	EXPECT_EQ(0, sh->corrupt);
	EXPECT_EQ(0, sh->order);
	for (i = 0; i < NCONS; i++)
		TH_LOG("consumer %d took %u messages", i, sh->taken[i]);
	TH_LOG("churn: %llu queue rounds, %llu region rounds, %llu netlink rounds",
	       (unsigned long long)sh->churn_iters[0],
	       (unsigned long long)sh->churn_iters[1],
	       (unsigned long long)sh->churn_iters[2]);

	close(rfd);
	close(wfd);
	close(fd);
	EXPECT_EQ(0, kt_unlink(name));

	ret = hd_stats_wait_base(&base, 5000, &now);
	EXPECT_LE(0, ret) TH_LOG("objects left: %u queues, %u regions (baseline %u, %u)",
				 now.queues, now.regions, base.queues, base.regions);
	if (ret == 1)
		TH_LOG("another test's namespace was reaped meanwhile; counts %u/%u below baseline %u/%u",
		       now.queues, now.regions, base.queues, base.regions);
	munmap(sh, shsize);
}

TEST_HARNESS_MAIN
