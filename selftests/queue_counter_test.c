// SPDX-License-Identifier: GPL-2.0-only
/*
 * A queue's "failed" counter counts calls that failed (would block, timed
 * out, interrupted, too large for the buffer), as kipc_queue_list(3) and
 * the netlink spec define it, and nothing else: a batch that moved some
 * messages succeeded, however many it asked for.
 *
 * Each case runs on a plain queue and on a broadcast queue, whose
 * receives take their own path. The counter is read over netlink, by
 * name, as an administrator would.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <libkipc.h>

#include "kselftest_harness.h"
#include "kipc_test.h"

#define BATCH	8

FIXTURE(counter) {
	char name[64];
	int wfd, rfd;
};

FIXTURE_VARIANT(counter) {
	uint32_t flags;
};

FIXTURE_VARIANT_ADD(counter, plain) {
	.flags = 0,
};

FIXTURE_VARIANT_ADD(counter, broadcast) {
	.flags = KIPC_QUEUE_BROADCAST,
};

FIXTURE_SETUP(counter)
{
	struct kipc_queue_config cfg = {
		.max_msgs = 2, .max_msg_size = 64, .flags = variant->flags,
	};

	kt_name(self->name, sizeof(self->name), "fc");
	self->wfd = kipc_queue_open(self->name, O_WRONLY | O_CREAT | O_EXCL,
				    0600, &cfg);
	ASSERT_LE(0, self->wfd) TH_LOG("create: %s", strerror(-self->wfd));
	self->rfd = kipc_queue_open(self->name, O_RDONLY, 0, NULL);
	ASSERT_LE(0, self->rfd) TH_LOG("open: %s", strerror(-self->rfd));
}

FIXTURE_TEARDOWN(counter)
{
	kipc_queue_close(self->rfd);
	kipc_queue_close(self->wfd);
	kipc_queue_unlink(self->name);
}

static long failed(const char *name)
{
	struct kipc_obj_info info;
	int ret;

	memset(&info, KT_POISON, sizeof(info));
	ret = kipc_queue_stat(name, &info);
	return ret < 0 ? ret : (long)info.failed;
}

static void fill_msgs(struct kipc_msg *m, char (*bufs)[64], unsigned int n)
{
	unsigned int i;

	memset(m, 0, n * sizeof(*m));
	for (i = 0; i < n; i++) {
		m[i].buf = (uintptr_t)bufs[i];
		m[i].len = 64;
	}
}

/* The case: 8 asked for, 2 ready, 2 returned, nothing failed. */
TEST_F(counter, short_batch_receive_is_no_failure)
{
	struct kipc_msg m[BATCH];
	char bufs[BATCH][64];

	ASSERT_EQ(0, kipc_queue_send(self->wfd, "a", 1, 0, 0));
	ASSERT_EQ(0, kipc_queue_send(self->wfd, "b", 1, 0, 0));
	fill_msgs(m, bufs, BATCH);
	EXPECT_EQ(2, kipc_queue_recv_batch(self->rfd, m, BATCH, KIPC_IO_NONBLOCK,
					   NULL));
	EXPECT_EQ(0, failed(self->name));
}

/* The same with a deadline: only the first message is waited for. */
TEST_F(counter, short_batch_receive_with_timeout_is_no_failure)
{
	struct kipc_msg m[BATCH];
	char bufs[BATCH][64];
	struct timespec ts;

	ASSERT_EQ(0, kipc_queue_send(self->wfd, "a", 1, 0, 0));
	ASSERT_EQ(0, clock_gettime(CLOCK_MONOTONIC, &ts));
	ts.tv_sec += 5;
	fill_msgs(m, bufs, BATCH);
	EXPECT_EQ(1, kipc_queue_recv_batch(self->rfd, m, BATCH, KIPC_IO_TIMEOUT,
					   &ts));
	EXPECT_EQ(0, failed(self->name));
}

/* A batch that ends at a message too large for its buffer succeeded. */
TEST_F(counter, batch_ending_at_large_message_is_no_failure)
{
	struct kipc_msg m[BATCH];
	char bufs[BATCH][64];

	ASSERT_EQ(0, kipc_queue_send(self->wfd, "a", 1, 0, 0));
	ASSERT_EQ(0, kipc_queue_send(self->wfd, "0123456789", 10, 0, 0));
	fill_msgs(m, bufs, BATCH);
	m[1].len = 4;
	EXPECT_EQ(1, kipc_queue_recv_batch(self->rfd, m, BATCH, KIPC_IO_NONBLOCK,
					   NULL));
	EXPECT_EQ(0, failed(self->name));
}

/* A send batch that fills the queue part way succeeded too. */
TEST_F(counter, short_batch_send_is_no_failure)
{
	struct kipc_msg m[BATCH];
	char bufs[BATCH][64];

	fill_msgs(m, bufs, BATCH);
	EXPECT_EQ(2, kipc_queue_send_batch(self->wfd, m, BATCH, KIPC_IO_NONBLOCK,
					   NULL));
	EXPECT_EQ(0, failed(self->name));
}

/* What does fail is counted, once per call, batch or not. */
TEST_F(counter, failed_calls_are_counted)
{
	struct kipc_msg m[BATCH];
	char bufs[BATCH][64];
	char buf[64];

	EXPECT_EQ(0, failed(self->name));
	EXPECT_EQ(-EAGAIN, kipc_queue_recv_flags(self->rfd, buf, sizeof(buf),
						 NULL, KIPC_IO_NONBLOCK, 0, NULL));
	EXPECT_EQ(1, failed(self->name));
	fill_msgs(m, bufs, BATCH);
	EXPECT_EQ(-EAGAIN, kipc_queue_recv_batch(self->rfd, m, BATCH,
						 KIPC_IO_NONBLOCK, NULL));
	EXPECT_EQ(2, failed(self->name));

	ASSERT_EQ(0, kipc_queue_send(self->wfd, "0123456789", 10, 0, 0));
	EXPECT_EQ(-EMSGSIZE, kipc_queue_recv_flags(self->rfd, buf, 4, NULL,
						   KIPC_IO_NONBLOCK, 0, NULL));
	EXPECT_EQ(3, failed(self->name));
}

/* A full queue fails a send that may not wait. */
TEST_F(counter, failed_send_is_counted)
{
	ASSERT_EQ(0, kipc_queue_send(self->wfd, "a", 1, 0, 0));
	ASSERT_EQ(0, kipc_queue_send(self->wfd, "b", 1, 0, 0));
	EXPECT_EQ(-EAGAIN, kipc_queue_send_flags(self->wfd, "c", 1, 0, 0,
						 KIPC_IO_NONBLOCK, NULL));
	EXPECT_EQ(1, failed(self->name));
}

TEST_HARNESS_MAIN
