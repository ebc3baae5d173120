// SPDX-License-Identifier: GPL-2.0-only
/*
 * A program as it was built against libkipc 0.3.0: compiled with that
 * release's headers (selftests/abi/0.3, from commit 9ce9d1e), linked
 * against a stub of that release's libkipc.so.0, so it binds the
 * LIBKIPC_0.x symbols, and run against the new library and module.
 *
 * The calls whose signatures LIBKIPC_1.0 changed must still fill exactly
 * the structs 0.3 declared: every value right, and nothing written past
 * the struct's end, which a canary after each one checks.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The 0.3.0 headers: -I selftests/abi/0.3, nothing of today's. */
#include <kipc.h>

#include "kselftest_harness.h"

#define POISON		0xa5
#define CANARY		0x5a5a5a5a5a5a5a5aULL
/* What the new module says of itself, which 0.3's header cannot know. */
#define ABI_NOW		2

static void name_for(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "old-abi-%s-%d-%u", what, (int)getpid(),
		 (unsigned int)getuid());
}

TEST(module_version)
{
	struct {
		struct kipc_module_info info;
		uint64_t canary;
	} v;

	memset(&v, POISON, sizeof(v));
	v.canary = CANARY;
	ASSERT_EQ(0, kipc_module_version(&v.info));
	EXPECT_EQ(ABI_NOW, v.info.abi_version);
	EXPECT_NE(0, v.info.module_version);
	EXPECT_NE(0xa5a5a5a5u, v.info.module_version);
	EXPECT_TRUE(v.info.features & KIPC_FEAT_QUEUE);
	EXPECT_EQ(CANARY, v.canary);

	memset(&v, POISON, sizeof(v));
	v.canary = CANARY;
	ASSERT_EQ(0, kipc_module_version_nl(&v.info));
	EXPECT_EQ(ABI_NOW, v.info.abi_version);
	EXPECT_EQ(CANARY, v.canary);
}

FIXTURE(queue) {
	char name[64];
	int fd;
};

FIXTURE_SETUP(queue)
{
	struct kipc_queue_config cfg = { .max_msgs = 8, .max_msg_size = 64 };

	name_for(self->name, sizeof(self->name), "q");
	self->fd = kipc_queue_open(self->name, O_RDWR | O_CREAT | O_EXCL,
				   0600, &cfg);
	ASSERT_LE(0, self->fd) TH_LOG("open: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(queue)
{
	kipc_queue_close(self->fd);
	kipc_queue_unlink(self->name);
}

TEST_F(queue, getattr)
{
	struct {
		struct kipc_queue_attr a;
		uint64_t canary;
	} v;

	ASSERT_EQ(0, kipc_queue_send(self->fd, "hello", 5, 3, 7));
	memset(&v, POISON, sizeof(v));
	v.canary = CANARY;
	ASSERT_EQ(0, kipc_queue_getattr(self->fd, &v.a));
	EXPECT_EQ(sizeof(v.a), v.a.size);
	EXPECT_EQ(0, v.a.flags);
	EXPECT_EQ(8, v.a.max_msgs);
	EXPECT_EQ(64, v.a.max_msg_size);
	EXPECT_EQ(1, v.a.cur_msgs);
	EXPECT_EQ(0, v.a.queue_flags);
	EXPECT_EQ(5, v.a.cur_bytes);
	EXPECT_EQ(1, v.a.sent);
	EXPECT_EQ(0, v.a.received);
	EXPECT_EQ(0600, v.a.mode);
	EXPECT_EQ(getuid(), v.a.uid);
	EXPECT_EQ(getgid(), v.a.gid);
	EXPECT_EQ(KIPC_QUEUE_READ | KIPC_QUEUE_WRITE, v.a.handle_flags);
	EXPECT_EQ(0, v.a.dropped);
	EXPECT_EQ(CANARY, v.canary);
}

TEST_F(queue, recv_info)
{
	struct {
		struct kipc_msg_info info;
		uint64_t canary;
	} v;
	char buf[64];

	ASSERT_EQ(0, kipc_queue_send(self->fd, "abc", 3, 5, 42));
	memset(&v, POISON, sizeof(v));
	v.canary = CANARY;
	ASSERT_EQ(3, kipc_queue_recv(self->fd, buf, sizeof(buf), &v.info));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	EXPECT_EQ(3, v.info.len);
	EXPECT_EQ(5, v.info.prio);
	EXPECT_EQ(42, v.info.type);
	EXPECT_EQ(getpid(), v.info.pid);
	EXPECT_EQ(geteuid(), v.info.uid);
	EXPECT_EQ(1, v.info.seq);
	EXPECT_EQ(CANARY, v.canary);
}

/* The arrays are 0.3's struct kipc_msg; the element after them is not. */
TEST_F(queue, batch)
{
	struct {
		struct kipc_msg m[3];
		uint64_t canary[8];
	} out, in;
	char payload[3][8] = { "one", "two", "three" };
	char bufs[3][16];
	int i;

	memset(&out, 0, sizeof(out));
	for (i = 0; i < 3; i++) {
		out.m[i].buf = (uintptr_t)payload[i];
		out.m[i].len = (uint32_t)strlen(payload[i]);
		out.m[i].type = 100 + i;
	}
	ASSERT_EQ(3, kipc_queue_send_batch(self->fd, out.m, 3, 0, NULL));

	memset(&in, POISON, sizeof(in));
	for (i = 0; i < 8; i++)
		in.canary[i] = CANARY;
	for (i = 0; i < 3; i++) {
		memset(&in.m[i], 0, sizeof(in.m[i]));
		in.m[i].buf = (uintptr_t)bufs[i];
		in.m[i].len = sizeof(bufs[i]);
	}
	ASSERT_EQ(3, kipc_queue_recv_batch(self->fd, in.m, 3,
					   KIPC_IO_NONBLOCK, NULL));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(strlen(payload[i]), in.m[i].len);
		EXPECT_EQ(0, memcmp(bufs[i], payload[i], in.m[i].len));
		EXPECT_EQ(100 + i, in.m[i].type);
		EXPECT_EQ(getpid(), in.m[i].pid);
		EXPECT_EQ(i + 1, in.m[i].seq);
	}
	for (i = 0; i < 8; i++)
		EXPECT_EQ(CANARY, in.canary[i]);
}

TEST_F(queue, stat_inspect)
{
	struct {
		struct kipc_obj_info info;
		uint64_t canary;
	} v;
	struct {
		struct kipc_queue_state st;
		uint64_t canary;
	} s;

	memset(&v, POISON, sizeof(v));
	v.canary = CANARY;
	ASSERT_EQ(0, kipc_queue_stat(self->name, &v.info));
	EXPECT_STREQ(self->name, v.info.name);
	EXPECT_EQ(KIPC_OBJECT_QUEUE, v.info.object);
	EXPECT_EQ(8, v.info.max_msgs);
	EXPECT_EQ(1, v.info.handles);
	EXPECT_EQ(0, v.info.__reserved[3]);
	EXPECT_EQ(CANARY, v.canary);

	memset(&v, POISON, sizeof(v));
	memset(&s, POISON, sizeof(s));
	v.canary = CANARY;
	s.canary = CANARY;
	ASSERT_EQ(0, kipc_queue_inspect(self->name, &v.info, &s.st));
	EXPECT_EQ(64, v.info.max_msg_size);
	EXPECT_EQ(0, s.st.recv_waiters);
	EXPECT_EQ(0, s.st.notify_signo);
	EXPECT_EQ(0, s.st.__reserved[3]);
	EXPECT_EQ(CANARY, v.canary);
	EXPECT_EQ(CANARY, s.canary);
}

TEST(region_info)
{
	struct {
		struct kipc_region_info ri;
		uint64_t canary;
	} v;
	char name[64];
	int fd;

	name_for(name, sizeof(name), "r");
	fd = kipc_region_open(name, O_RDWR | O_CREAT | O_EXCL, 0640, 8192,
			      KIPC_REGION_AUTO_DELETE);
	ASSERT_LE(0, fd) TH_LOG("open: %s", strerror(-fd));
	memset(&v, POISON, sizeof(v));
	v.canary = CANARY;
	EXPECT_EQ(0, kipc_region_info(fd, &v.ri));
	EXPECT_EQ(sizeof(v.ri), v.ri.size);
	EXPECT_EQ(8192, v.ri.region_size);
	EXPECT_EQ(0640, v.ri.mode);
	EXPECT_EQ(getuid(), v.ri.uid);
	EXPECT_EQ(1, v.ri.handles);
	EXPECT_EQ(0, v.ri.mappings);
	EXPECT_EQ(KIPC_REGION_AUTO_DELETE, v.ri.region_flags);
	EXPECT_EQ(KIPC_REGION_READ | KIPC_REGION_WRITE, v.ri.handle_flags);
	EXPECT_EQ(CANARY, v.canary);
	kipc_region_close(fd);
}

TEST(stats)
{
	struct {
		struct kipc_stats st;
		uint64_t canary;
	} v;

	memset(&v, POISON, sizeof(v));
	v.canary = CANARY;
	ASSERT_EQ(0, kipc_stats_get(&v.st));
	EXPECT_NE(0, v.st.max_queues);
	EXPECT_NE(0xa5a5a5a5u, v.st.max_queues);
	EXPECT_NE(0, v.st.max_region_size);
	EXPECT_EQ(0, v.st.__reserved[3]);
	EXPECT_EQ(CANARY, v.canary);
}

/* 0.3's calls still refuse what they refused. */
TEST(errors)
{
	struct kipc_queue_attr a;
	struct kipc_msg m;
	int fds[2];

	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(-EBADF, kipc_queue_getattr(fds[0], &a));
	EXPECT_EQ(-EINVAL, kipc_queue_getattr(fds[0], NULL));
	memset(&m, 0, sizeof(m));
	EXPECT_EQ(-EBADF, kipc_queue_recv_batch(fds[0], &m, 1, 0, NULL));
	close(fds[0]);
	close(fds[1]);
}

TEST_HARNESS_MAIN
