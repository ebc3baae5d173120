// SPDX-License-Identifier: GPL-2.0-only
/*
 * libkipc's sized calls (LIBKIPC_1.0) as a program of a later release
 * would make them, with structs longer than this library's, and as a
 * broken one would, with sizes below the first published: the library
 * writes no further than the caller's size, zeroes what it does not know,
 * refuses a non-zero unknown input tail, and refuses a short size before
 * it touches anything. Also kipc_deadline_ms().
 */

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libkipc.h>

#include "kselftest_harness.h"

#define POISON		0xa5
#define TAIL		16

static int all_bytes(const void *p, int c, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != (unsigned char)c)
			return 0;
	return 1;
}

FIXTURE(queue) {
	char name[64];
	int fd;
};

FIXTURE_SETUP(queue)
{
	struct kipc_queue_config cfg = { .max_msgs = 8, .max_msg_size = 64 };

	snprintf(self->name, sizeof(self->name), "lib-abi-%d-%u", (int)getpid(),
		 (unsigned int)getuid());
	self->fd = kipc_queue_open(self->name, O_RDWR | O_CREAT | O_EXCL, 0600,
				   &cfg);
	ASSERT_LE(0, self->fd) TH_LOG("open: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(queue)
{
	kipc_queue_close(self->fd);
	kipc_queue_unlink(self->name);
}

/* A newer caller's struct: what this library cannot fill reads 0. */
TEST_F(queue, getattr_longer)
{
	struct {
		struct kipc_queue_attr a;
		uint8_t tail[TAIL];
	} v;

	memset(&v, POISON, sizeof(v));
	ASSERT_EQ(0, (kipc_queue_getattr)(self->fd, &v.a, sizeof(v)));
	EXPECT_EQ(sizeof(v), v.a.size);
	EXPECT_EQ(8, v.a.max_msgs);
	EXPECT_EQ(64, v.a.max_msg_size);
	EXPECT_EQ(0600, v.a.mode);
	EXPECT_TRUE(all_bytes(v.tail, 0, sizeof(v.tail)));
}

/* Below the first published size: refused, nothing written. */
TEST_F(queue, getattr_short)
{
	struct kipc_queue_attr a;

	memset(&a, POISON, sizeof(a));
	/* 72, the first published size, ends at dropped. */
	EXPECT_EQ(-EINVAL, (kipc_queue_getattr)(self->fd, &a,
			offsetof(struct kipc_queue_attr, dropped)));
	EXPECT_TRUE(all_bytes(&a, POISON, sizeof(a)));
	EXPECT_EQ(-EINVAL, (kipc_queue_getattr)(self->fd, &a, 0));
}

TEST_F(queue, recv_info_longer)
{
	struct {
		struct kipc_msg_info info;
		uint8_t tail[TAIL];
	} v;
	char buf[16];

	ASSERT_EQ(0, kipc_queue_send(self->fd, "xy", 2, 1, 9));
	memset(&v, POISON, sizeof(v));
	ASSERT_EQ(2, (kipc_queue_recv)(self->fd, buf, sizeof(buf), &v.info,
				       sizeof(v)));
	EXPECT_EQ(2, v.info.len);
	EXPECT_EQ(9, v.info.type);
	EXPECT_TRUE(all_bytes(v.tail, 0, sizeof(v.tail)));
}

/* Refused before the receive, so the message stays queued. */
TEST_F(queue, recv_info_short)
{
	struct kipc_msg_info info;
	struct kipc_queue_attr a;
	char buf[16];

	ASSERT_EQ(0, kipc_queue_send(self->fd, "xy", 2, 1, 9));
	memset(&info, POISON, sizeof(info));
	EXPECT_EQ(-EINVAL, (kipc_queue_recv)(self->fd, buf, sizeof(buf), &info,
					     sizeof(info) - 1));
	EXPECT_TRUE(all_bytes(&info, POISON, sizeof(info)));
	ASSERT_EQ(0, kipc_queue_getattr(self->fd, &a));
	EXPECT_EQ(1, a.cur_msgs);
	/* No info at all needs no size. */
	EXPECT_EQ(2, (kipc_queue_recv)(self->fd, buf, sizeof(buf), NULL, 0));
}

/* Elements longer than the kernel's: each read and written by its size. */
TEST_F(queue, batch_longer_elements)
{
	struct elem {
		struct kipc_msg m;
		uint64_t later[2];
	} out[2], in[3];
	char bufs[3][16];
	int i;

	memset(out, 0, sizeof(out));
	out[0].m.buf = (uintptr_t)"first";
	out[0].m.len = 5;
	out[0].m.type = 1;
	out[1].m.buf = (uintptr_t)"second";
	out[1].m.len = 6;
	out[1].m.type = 2;
	ASSERT_EQ(2, (kipc_queue_send_batch)(self->fd, &out[0].m, 2,
					     sizeof(struct elem), 0, NULL));

	memset(in, 0, sizeof(in));
	for (i = 0; i < 3; i++) {
		in[i].m.buf = (uintptr_t)bufs[i];
		in[i].m.len = sizeof(bufs[i]);
	}
	/* The third element is never written: only two messages wait. */
	memset(&in[2], POISON, sizeof(in[2]));
	in[2].m.buf = (uintptr_t)bufs[2];
	in[2].m.len = sizeof(bufs[2]);
	ASSERT_EQ(2, (kipc_queue_recv_batch)(self->fd, &in[0].m, 2,
					     sizeof(struct elem),
					     KIPC_IO_NONBLOCK, NULL));
	EXPECT_EQ(5, in[0].m.len);
	EXPECT_EQ(0, memcmp(bufs[0], "first", 5));
	EXPECT_EQ(1, in[0].m.type);
	EXPECT_EQ(6, in[1].m.len);
	EXPECT_EQ(0, memcmp(bufs[1], "second", 6));
	EXPECT_EQ(2, in[1].m.type);
	EXPECT_EQ(1, in[0].m.seq);
	EXPECT_EQ(2, in[1].m.seq);
	for (i = 0; i < 2; i++)
		EXPECT_TRUE(all_bytes(in[i].later, 0, sizeof(in[i].later)));
	EXPECT_TRUE(all_bytes(in[2].later, POISON, sizeof(in[2].later)));
}

/* A field the kernel does not know, set: refused, nothing sent. */
TEST_F(queue, batch_unknown_tail)
{
	struct elem {
		struct kipc_msg m;
		uint64_t later;
	} out;
	struct kipc_queue_attr a;

	memset(&out, 0, sizeof(out));
	out.m.buf = (uintptr_t)"x";
	out.m.len = 1;
	out.later = 1;
	EXPECT_EQ(-E2BIG, (kipc_queue_send_batch)(self->fd, &out.m, 1,
						  sizeof(out), 0, NULL));
	ASSERT_EQ(0, kipc_queue_getattr(self->fd, &a));
	EXPECT_EQ(0, a.cur_msgs);
}

TEST_F(queue, batch_short_elements)
{
	struct kipc_msg m[2];

	memset(m, 0, sizeof(m));
	m[0].buf = (uintptr_t)"x";
	m[0].len = 1;
	EXPECT_EQ(-EINVAL, (kipc_queue_send_batch)(self->fd, m, 1,
						   KIPC_MSG_SIZE_VER0 - 1, 0,
						   NULL));
	EXPECT_EQ(-EINVAL, (kipc_queue_recv_batch)(self->fd, m, 1, 0,
						   KIPC_IO_NONBLOCK, NULL));
}

/* The input struct of a newer caller: a zero tail is fine, else E2BIG. */
TEST(queue_open_config_sizes)
{
	struct {
		struct kipc_queue_config cfg;
		uint8_t tail[TAIL];
	} v;
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "lib-abi-cfg-%d-%u", (int)getpid(),
		 (unsigned int)getuid());
	memset(&v, 0, sizeof(v));
	v.cfg.max_msgs = 3;
	v.tail[TAIL - 1] = 1;
	EXPECT_EQ(-E2BIG, (kipc_queue_open)(name, O_RDWR | O_CREAT, 0600,
					    &v.cfg, sizeof(v)));
	EXPECT_EQ(-EINVAL, (kipc_queue_open)(name, O_RDWR | O_CREAT, 0600,
					     &v.cfg, sizeof(v.cfg) - 4));
	EXPECT_EQ(-ENOENT, kipc_queue_unlink(name));

	v.tail[TAIL - 1] = 0;
	fd = (kipc_queue_open)(name, O_RDWR | O_CREAT | O_EXCL | O_NONBLOCK,
			       0600, &v.cfg, sizeof(v));
	ASSERT_LE(0, fd) TH_LOG("open: %s", strerror(-fd));
	{
		struct kipc_queue_attr a;

		ASSERT_EQ(0, kipc_queue_getattr(fd, &a));
		EXPECT_EQ(3, a.max_msgs);
	}
	kipc_queue_close(fd);
	EXPECT_EQ(0, kipc_queue_unlink(name));
}

TEST(region_info_sizes)
{
	struct {
		struct kipc_region_info ri;
		uint8_t tail[TAIL];
	} v;
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "lib-abi-r-%d-%u", (int)getpid(),
		 (unsigned int)getuid());
	fd = kipc_region_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, 4096,
			      KIPC_REGION_AUTO_DELETE);
	ASSERT_LE(0, fd) TH_LOG("open: %s", strerror(-fd));
	memset(&v, POISON, sizeof(v));
	EXPECT_EQ(0, (kipc_region_info)(fd, &v.ri, sizeof(v)));
	EXPECT_EQ(4096, v.ri.region_size);
	EXPECT_EQ(1, v.ri.handles);
	EXPECT_TRUE(all_bytes(v.tail, 0, sizeof(v.tail)));

	memset(&v, POISON, sizeof(v));
	EXPECT_EQ(-EINVAL, (kipc_region_info)(fd, &v.ri, sizeof(v.ri) - 8));
	EXPECT_TRUE(all_bytes(&v, POISON, sizeof(v)));
	kipc_region_close(fd);
}

TEST(stats_and_version_sizes)
{
	struct {
		struct kipc_stats st;
		uint8_t tail[TAIL];
	} s;
	struct {
		struct kipc_module_info info;
		uint8_t tail[TAIL];
	} m;

	memset(&s, POISON, sizeof(s));
	ASSERT_EQ(0, (kipc_stats_get)(&s.st, sizeof(s)));
	EXPECT_NE(0, s.st.max_queues);
	EXPECT_TRUE(all_bytes(s.tail, 0, sizeof(s.tail)));
	memset(&s, POISON, sizeof(s));
	EXPECT_EQ(-EINVAL, (kipc_stats_get)(&s.st, sizeof(s.st) - 8));
	EXPECT_TRUE(all_bytes(&s, POISON, sizeof(s)));

	memset(&m, POISON, sizeof(m));
	ASSERT_EQ(0, (kipc_module_version)(&m.info, sizeof(m)));
	EXPECT_EQ(KIPC_ABI_VERSION, m.info.abi_version);
	EXPECT_TRUE(all_bytes(m.tail, 0, sizeof(m.tail)));
	memset(&m, POISON, sizeof(m));
	EXPECT_EQ(-EINVAL, (kipc_module_version_nl)(&m.info, 8));
	EXPECT_TRUE(all_bytes(&m, POISON, sizeof(m)));
}

static int64_t mono_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

TEST(deadline_ms)
{
	struct timespec before, ts, after;

	EXPECT_EQ(-EINVAL, kipc_deadline_ms(&ts, -1));
	EXPECT_EQ(-EINVAL, kipc_deadline_ms(NULL, 10));

	/* 999 ms makes a carry into tv_sec for most values of now. */
	ASSERT_EQ(0, clock_gettime(CLOCK_MONOTONIC, &before));
	ASSERT_EQ(0, kipc_deadline_ms(&ts, 1999));
	ASSERT_EQ(0, clock_gettime(CLOCK_MONOTONIC, &after));
	EXPECT_LE(0, ts.tv_nsec);
	EXPECT_GT(1000000000L, ts.tv_nsec);
	EXPECT_LE(mono_ns(&before) + 1999000000LL, mono_ns(&ts));
	EXPECT_GE(mono_ns(&after) + 1999000000LL, mono_ns(&ts));

	ASSERT_EQ(0, kipc_deadline_ms(&ts, 0));
	EXPECT_GE(mono_ns(&ts), mono_ns(&after));

	/* Too far to represent: clamped, still a valid timespec. */
	ASSERT_EQ(0, kipc_deadline_ms(&ts, INT64_MAX));
	EXPECT_LE(0, ts.tv_nsec);
	EXPECT_GT(1000000000L, ts.tv_nsec);
	EXPECT_EQ(INT64_MAX / 1000000000LL, ts.tv_sec);
}

/* The deadline is what the timed calls take. */
TEST_F(queue, deadline_times_out)
{
	struct timespec ts, t0, t1;
	char buf[16];

	ASSERT_EQ(0, clock_gettime(CLOCK_MONOTONIC, &t0));
	ASSERT_EQ(0, kipc_deadline_ms(&ts, 50));
	EXPECT_EQ(-ETIMEDOUT, kipc_queue_timedrecv(self->fd, buf, sizeof(buf),
						   NULL, &ts));
	ASSERT_EQ(0, clock_gettime(CLOCK_MONOTONIC, &t1));
	EXPECT_LE(50000000LL, mono_ns(&t1) - mono_ns(&t0));

	/* Far away is never: a message already queued is taken at once. */
	ASSERT_EQ(0, kipc_queue_send(self->fd, "z", 1, 0, 0));
	ASSERT_EQ(0, kipc_deadline_ms(&ts, INT64_MAX));
	EXPECT_EQ(1, kipc_queue_timedrecv(self->fd, buf, sizeof(buf), NULL,
					  &ts));
}

TEST_HARNESS_MAIN
