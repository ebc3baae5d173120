// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc's tracepoints, read through tracefs: each event fires where it
 * should, with the right fields. The test works in its own tracefs
 * instance, so it neither sees nor disturbs anyone else's tracing; it
 * skips, saying why, where tracefs is missing or not the caller's.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <libkipc.h>

#include "kselftest_harness.h"

#define LIVENESS_MS	10000

/* Where tracefs is, mounting it if it is not yet; NULL if unavailable. */
static const char *tracefs(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	struct stat st;

	for (int i = 0; i < 2; i++) {
		char path[128];

		snprintf(path, sizeof(path), "%s/instances", dirs[i]);
		if (!stat(path, &st))
			return dirs[i];
	}
	if (!mount("nodev", dirs[0], "tracefs", 0, NULL) &&
	    !stat("/sys/kernel/tracing/instances", &st))
		return dirs[0];
	return NULL;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

static char *read_all(const char *path)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd);
	return buf;
}

/* The first trace line holding every one of the NULL-ended needles. */
static const char *find_event(const char *trace, ...)
{
	static char line[1024];
	const char *p = trace;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		bool all = true;
		va_list ap;
		const char *needle;

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		va_start(ap, trace);
		while ((needle = va_arg(ap, const char *)))
			if (!strstr(line, needle))
				all = false;
		va_end(ap);
		if (all)
			return line;
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

FIXTURE(tr) {
	char inst[256];
	char name[64];
	const char *skip;	/* why the tests cannot run here */
};

FIXTURE_SETUP(tr)
{
	const char *root;
	char path[320];

	self->inst[0] = '\0';
	self->skip = NULL;
	if (getuid() != 0) {
		self->skip = "tracefs is root's: run as root to read kipc's events";
		return;
	}
	root = tracefs();
	if (!root) {
		self->skip = "this kernel has no tracefs (CONFIG_TRACING off?)";
		return;
	}
	snprintf(path, sizeof(path), "%s/events/kipc", root);
	ASSERT_EQ(0, access(path, F_OK)) TH_LOG("no kipc events in %s", root);
	snprintf(self->inst, sizeof(self->inst), "%s/instances/kipc_test_%d",
		 root, (int)getpid());
	ASSERT_EQ(0, mkdir(self->inst, 0700)) TH_LOG("%s", strerror(errno));
	snprintf(path, sizeof(path), "%s/events/kipc/enable", self->inst);
	ASSERT_EQ(0, write_file(path, "1"));
	snprintf(self->name, sizeof(self->name), "trc.%d", (int)getpid());
}

FIXTURE_TEARDOWN(tr)
{
	char path[320];

	if (!self->inst[0])
		return;
	snprintf(path, sizeof(path), "%s/events/kipc/enable", self->inst);
	write_file(path, "0");
	rmdir(self->inst);
	kipc_queue_unlink(self->name);
}

static char *trace_of(const char *inst)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/trace", inst);
	return read_all(path);
}

/* send, block, handoff, wake, recv and notify on one queue, in order. */
TEST_F(tr, queue_events)
{
	struct kipc_queue_config cfg = { .max_msgs = 2, .max_msg_size = 64 };
	char f_name[96], f_pid[32], buf[64];
	struct kipc_obj_info info;
	struct kipc_queue_state st;
	const char *ev;
	char *trace;
	pid_t child;
	int fd, status;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	fd = kipc_queue_open(self->name, O_RDWR | O_CREAT | O_EXCL, 0600, &cfg);
	ASSERT_LE(0, fd);
	snprintf(f_name, sizeof(f_name), "name=%s ", self->name);

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0)
		/* Asleep, not polling, so that the hand-off must wake it. */
		_exit(kipc_queue_recv_flags(fd, buf, sizeof(buf), NULL,
					    KIPC_IO_NOPOLL, 0, NULL) == 5 ?
		      0 : 1);
	for (int ms = 0; ms < LIVENESS_MS; ms += 10) {
		ASSERT_EQ(0, kipc_queue_inspect(self->name, &info, &st));
		if (st.recv_waiters)
			break;
		usleep(10 * 1000);
	}
	ASSERT_EQ(1, st.recv_waiters);
	ASSERT_EQ(0, kipc_queue_send(fd, "hello", 5, 3, 9));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* An arrival signal, registered and fired by the next send. */
	signal(SIGUSR2, SIG_IGN);
	ASSERT_EQ(0, kipc_queue_notify(fd, SIGUSR2, 1));
	ASSERT_EQ(0, kipc_queue_send(fd, "x", 1, 0, 0));

	trace = trace_of(self->inst);
	ASSERT_NE(NULL, trace);
	snprintf(f_pid, sizeof(f_pid), "=%d", (int)child);

	ev = find_event(trace, "kipc_queue_block:", f_name, "op=recv",
			"timed=0", "cur_msgs=0", NULL);
	EXPECT_NE(NULL, ev) TH_LOG("%s", trace);
	/* Handed to the waiting receiver, the message is never queued. */
	ev = find_event(trace, "kipc_queue_send:", f_name, "seq=1 ", "len=5 ",
			"prio=3 ", "type=9 ", "cur_msgs=0", NULL);
	EXPECT_NE(NULL, ev) TH_LOG("%s", trace);
	ev = find_event(trace, "kipc_queue_handoff:", f_name, "seq=1 ",
			"receiver", f_pid, NULL);
	EXPECT_NE(NULL, ev);
	ev = find_event(trace, "kipc_queue_wake:", f_name, "task", f_pid, NULL);
	EXPECT_NE(NULL, ev);
	ev = find_event(trace, "kipc_queue_recv:", f_name, "seq=1 ", "len=5 ",
			"prio=3 ", "type=9 ", "cur_msgs=0", NULL);
	EXPECT_NE(NULL, ev);
	{
		char f_sig[32];

		snprintf(f_sig, sizeof(f_sig), "signo=%d", SIGUSR2);
		ev = find_event(trace, "kipc_queue_notify:", f_name, f_sig,
				NULL);
		EXPECT_NE(NULL, ev) TH_LOG("%s", trace);
	}
	/* Order: the block before the send that ends it, handoff after. */
	EXPECT_LT(strstr(trace, "kipc_queue_block:"),
		  strstr(trace, "kipc_queue_send:"));
	EXPECT_LT(strstr(trace, "kipc_queue_send:"),
		  strstr(trace, "kipc_queue_handoff:"));
	free(trace);
	kipc_queue_close(fd);
}

/* A broadcast reader's full backlog, under drop-oldest, drops seq 1. */
TEST_F(tr, drop)
{
	struct kipc_queue_config cfg = {
		.max_msgs = 1, .max_msg_size = 64,
		.flags = KIPC_QUEUE_BROADCAST | KIPC_QUEUE_DROP_OLDEST,
	};
	char f_name[96];
	const char *ev;
	char *trace;
	int w, r;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	w = kipc_queue_open(self->name, O_WRONLY | O_CREAT | O_EXCL, 0600, &cfg);
	ASSERT_LE(0, w) TH_LOG("%s", strerror(-w));
	r = kipc_queue_open(self->name, O_RDONLY, 0, NULL);
	ASSERT_LE(0, r);
	ASSERT_EQ(0, kipc_queue_send(w, "one", 3, 0, 0));
	ASSERT_EQ(0, kipc_queue_send(w, "two!", 4, 0, 0));

	trace = trace_of(self->inst);
	ASSERT_NE(NULL, trace);
	snprintf(f_name, sizeof(f_name), "name=%s ", self->name);
	ev = find_event(trace, "kipc_queue_drop:", f_name, "seq=1 ", "len=3 ",
			NULL);
	EXPECT_NE(NULL, ev) TH_LOG("%s", trace);
	EXPECT_EQ(NULL, find_event(trace, "kipc_queue_drop:", "seq=2 ", NULL));
	free(trace);
	kipc_queue_close(r);
	kipc_queue_close(w);
}

TEST_HARNESS_MAIN
