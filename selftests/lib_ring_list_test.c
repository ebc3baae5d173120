// SPDX-License-Identifier: GPL-2.0-only
/*
 * libkipc's view of rings (LIBKIPC_1.1): kipc_ring_list(), kipc_ring_stat(),
 * the ring counts of kipc_stats_get(), and ring events, which only
 * kipc_monitor_next@LIBKIPC_1.1 returns: a program built against 1.0, or
 * against 0.x, has no type for them and must never see one.
 *
 * Rings are made with the raw KIPC_IOC_RING_BIND ioctl (ring_util.h), so
 * only the library's netlink side is under test.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libkipc.h>

#include "kselftest_harness.h"
#include "ring_util.h"

#define RING_NEW	(KIPC_RING_CREATE | KIPC_RING_EXCL)
#define WAIT_MS		10000

/* The older versions of kipc_monitor_next, as older binaries bind them. */
int monitor_next_1_0(struct kipc_monitor *mon, struct kipc_event *ev,
		     size_t ev_size, int timeout_ms);
int monitor_next_0_3(struct kipc_monitor *mon, struct kipc_event *ev,
		     int timeout_ms);
__asm__(".symver monitor_next_1_0, kipc_monitor_next@LIBKIPC_1.0");
__asm__(".symver monitor_next_0_3, kipc_monitor_next@LIBKIPC_0.3");

/* struct kipc_event of 1.0 and 0.3: its object ended at __reserved. */
#define EVENT_SIZE_1_0	(offsetof(struct kipc_event, obj) + \
			 offsetof(struct kipc_obj_info, slot_size))

struct seen {
	const char *name;
	struct kipc_obj_info info;
	int n;
	int total;
};

static int seen_cb(const struct kipc_obj_info *info, void *arg)
{
	struct seen *s = arg;

	s->total++;
	if (!strcmp(info->name, s->name)) {
		s->info = *info;
		s->n++;
	}
	return 0;
}

/* The first byte of buf[from, len) that is not 0xa5, or len. */
static size_t first_written(const unsigned char *buf, size_t from, size_t len)
{
	while (from < len && buf[from] == 0xa5)
		from++;
	return from;
}

static int stop_cb(const struct kipc_obj_info *info, void *arg)
{
	(void)info;
	return *(int *)arg;
}

FIXTURE(ring) {
	char name[64];
	int cfd, pfd;
	uint32_t tag;
};

FIXTURE_SETUP(ring)
{
	struct kipc_ring_info ri;

	kt_name(self->name, sizeof(self->name), "librl");
	self->cfd = rg_open(self->name, RING_NEW | KIPC_RING_CONSUMER, 0640,
			    32, 8, 3);
	ASSERT_LE(0, self->cfd);
	self->pfd = rg_open(self->name, KIPC_RING_PRODUCER, 0, 0, 0, 0);
	ASSERT_LE(0, self->pfd);
	ASSERT_EQ(0, rg_info(self->pfd, &ri));
	self->tag = ri.tag;
}

FIXTURE_TEARDOWN(ring)
{
	rg_unlink(self->name);
	close(self->pfd);
	close(self->cfd);
}

static void check_ring(struct __test_metadata *_metadata,
		       const struct kipc_obj_info *info, int cfd)
{
	struct kipc_ring_info ri;

	ASSERT_EQ(0, rg_info(cfd, &ri));
	EXPECT_EQ(KIPC_OBJECT_RING, info->object);
	EXPECT_EQ(getuid(), info->uid);
	EXPECT_EQ(getgid(), info->gid);
	EXPECT_EQ(0640, info->mode);
	EXPECT_EQ(0, info->flags);
	EXPECT_EQ(2, info->handles);
	EXPECT_NE(0, info->ctime_ns);
	EXPECT_EQ(ri.ring_size, info->size);
	EXPECT_NE(0, info->id);
	EXPECT_EQ(32, info->slot_size);
	EXPECT_EQ(8, info->nr_slots);
	EXPECT_EQ(3, info->max_producers);
	EXPECT_EQ(1, info->producers);
	EXPECT_EQ(1, info->has_consumer);
	EXPECT_EQ(0, info->head);
	EXPECT_EQ(0, info->tail);
	EXPECT_EQ(0, info->lost);
	/* A queue's and a region's fields say nothing of a ring. */
	EXPECT_EQ(0, info->max_msgs);
	EXPECT_EQ(0, info->mappings);
}

TEST_F(ring, list_finds_it)
{
	struct seen s = { .name = self->name };
	int n;

	n = kipc_ring_list(seen_cb, &s);
	ASSERT_LE(1, n);
	EXPECT_EQ(s.total, n);
	ASSERT_EQ(1, s.n);
	check_ring(_metadata, &s.info, self->cfd);

	/* Not among the queues or the regions. */
	s.n = 0;
	ASSERT_LE(0, kipc_queue_list(seen_cb, &s));
	ASSERT_LE(0, kipc_region_list(seen_cb, &s));
	EXPECT_EQ(0, s.n);
}

TEST_F(ring, list_callback_stops)
{
	int stop = 1;

	EXPECT_EQ(1, kipc_ring_list(stop_cb, &stop));
	stop = -EIO;
	EXPECT_EQ(-EIO, kipc_ring_list(stop_cb, &stop));
	EXPECT_EQ(-EINVAL, kipc_ring_list(NULL, NULL));
}

TEST_F(ring, stat_describes_it)
{
	struct kipc_obj_info info;

	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, kipc_ring_stat(self->name, &info));
	EXPECT_STREQ(self->name, info.name);
	check_ring(_metadata, &info, self->cfd);

	EXPECT_EQ(-ENOENT, kipc_queue_stat(self->name, &info));
	ASSERT_EQ(0, rg_unlink(self->name));
	EXPECT_EQ(-ENOENT, kipc_ring_stat(self->name, &info));
}

TEST_F(ring, stat_errors)
{
	char name[KIPC_NAME_MAX + 2];
	struct kipc_obj_info info;

	EXPECT_EQ(-EINVAL, kipc_ring_stat(NULL, &info));
	EXPECT_EQ(-EINVAL, kipc_ring_stat(self->name, NULL));
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, kipc_ring_stat(name, &info));
	EXPECT_EQ(-EINVAL, kipc_ring_stat("", &info));
	/* Below the first published size, before anything is asked. */
	EXPECT_EQ(-EINVAL, (kipc_ring_stat)(self->name, &info, 16));
}

/* A caller of 1.0's size gets no ring field, and nothing past its end. */
TEST_F(ring, stat_old_size)
{
	size_t old = offsetof(struct kipc_obj_info, slot_size);
	unsigned char buf[sizeof(struct kipc_obj_info) + 16];
	struct kipc_obj_info *info = (struct kipc_obj_info *)buf;

	memset(buf, 0xa5, sizeof(buf));
	ASSERT_EQ(0, (kipc_ring_stat)(self->name, info, old));
	EXPECT_STREQ(self->name, info->name);
	EXPECT_EQ(sizeof(buf), first_written(buf, old, sizeof(buf)));
}

TEST_F(ring, stats_count_rings)
{
	struct kipc_stats st;

	ASSERT_EQ(0, kipc_stats_get(&st));
	EXPECT_LE(1, st.rings);
	EXPECT_EQ(kt_param("max_rings"), (long)st.max_rings);
	EXPECT_EQ(kt_param("max_ring_size"), (long)st.max_ring_size);
}

/* The event of @type about @name, passing over the others. */
static int next_about(struct kipc_monitor *mon, const char *name,
		      struct kipc_event *ev)
{
	int ret;

	do {
		ret = kipc_monitor_next(mon, ev, WAIT_MS);
	} while (!ret && strcmp(ev->obj.name, name));
	return ret;
}

TEST(monitor_ring_events)
{
	struct kipc_monitor *mon;
	struct kipc_event ev;
	char name[64];
	int fd;

	kt_name(name, sizeof(name), "libmon");
	ASSERT_EQ(0, kipc_monitor_open(&mon));
	fd = rg_open(name, RING_NEW | KIPC_RING_AUTO_DELETE, 0600, 8, 4, 0);
	ASSERT_LE(0, fd);
	close(fd);

	ASSERT_EQ(0, next_about(mon, name, &ev));
	EXPECT_EQ(KIPC_EVENT_RING_CREATE, ev.type);
	EXPECT_EQ(KIPC_OBJECT_RING, ev.obj.object);
	EXPECT_EQ(KIPC_RING_AUTO_DELETE, ev.obj.flags);
	EXPECT_EQ(4, ev.obj.nr_slots);
	ASSERT_EQ(0, next_about(mon, name, &ev));
	EXPECT_EQ(KIPC_EVENT_RING_DELETE, ev.type);
	kipc_monitor_close(mon);
}

/*
 * The 1.0 and 0.3 versions pass ring events over: after a ring comes and
 * goes, and then a queue, the first thing they return is the queue's.
 */
TEST(monitor_old_versions_skip_rings)
{
	for (int v = 0; v < 2; v++) {
		unsigned char buf[sizeof(struct kipc_event) + 16];
		struct kipc_event *ev = (struct kipc_event *)buf;
		struct kipc_monitor *mon;
		char rname[64], qname[64];
		int fd, ret;

		kt_name(rname, sizeof(rname), "oldr");
		kt_name(qname, sizeof(qname), "oldq");
		ASSERT_EQ(0, kipc_monitor_open(&mon));
		fd = rg_open(rname, RING_NEW | KIPC_RING_AUTO_DELETE, 0600, 8,
			     2, 0);
		ASSERT_LE(0, fd);
		close(fd);
		fd = kt_queue(qname, KT_ALL_ACCESS | KIPC_QUEUE_CREATE |
			      KIPC_QUEUE_AUTO_DELETE, 0600, 1, 8);
		ASSERT_LE(0, fd);
		close(fd);

		do {
			memset(buf, 0xa5, sizeof(buf));
			ret = v ? monitor_next_0_3(mon, ev, WAIT_MS) :
				  monitor_next_1_0(mon, ev, EVENT_SIZE_1_0,
						   WAIT_MS);
			ASSERT_EQ(0, ret) TH_LOG("version %s", v ? "0.3" : "1.0");
			EXPECT_NE(KIPC_EVENT_RING_CREATE, ev->type);
			EXPECT_NE(KIPC_EVENT_RING_DELETE, ev->type);
			EXPECT_STRNE(rname, ev->obj.name);
			EXPECT_EQ(sizeof(buf), first_written(buf, EVENT_SIZE_1_0,
							     sizeof(buf)));
		} while (strcmp(ev->obj.name, qname));
		EXPECT_EQ(KIPC_EVENT_QUEUE_CREATE, ev->type);
		kipc_monitor_close(mon);
	}
}

TEST_HARNESS_MAIN
