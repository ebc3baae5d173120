// SPDX-License-Identifier: GPL-2.0-only
/*
 * Seeing into a stuck queue: a handle's /proc/PID/fdinfo names its queue,
 * its access and the queue's blocked tasks and notification; the netlink
 * get (kipc_queue_inspect) reports the blocked receivers and senders, the
 * notification registrant, and the last sender and receiver with their
 * times, right while a task is blocked and after it has left; and
 * "kipc queue show" prints them.
 */

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <libkipc.h>

#include "kselftest_harness.h"

#define LIVENESS_MS	10000	/* "eventually", never a speed check */

static int64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void qname(char *buf, size_t size, const char *tag)
{
	static unsigned int counter;

	snprintf(buf, size, "isp.%u.%d.%u.%s", (unsigned int)getuid(),
		 (int)getpid(), ++counter, tag);
}

/* The inspect result, poisoned first so that every field is proven. */
static int inspect(const char *name, struct kipc_queue_state *st)
{
	struct kipc_obj_info info;

	memset(st, 0xa5, sizeof(*st));
	return kipc_queue_inspect(name, &info, st);
}

/* Waits until the queue has want receivers (or senders) blocked. */
static int wait_waiters(const char *name, bool recv, uint32_t want)
{
	struct kipc_queue_state st;

	for (int ms = 0; ms < LIVENESS_MS; ms += 10) {
		if (inspect(name, &st) < 0)
			return -1;
		if ((recv ? st.recv_waiters : st.send_waiters) == want)
			return 0;
		usleep(10 * 1000);
	}
	return -1;
}

static char *fdinfo(pid_t pid, int fd)
{
	static char buf[4096];
	char path[64];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	f = open(path, O_RDONLY);
	if (f < 0)
		return NULL;
	memset(buf, 0, sizeof(buf));
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	return n > 0 ? buf : NULL;
}

static bool has_line(const char *text, const char *line)
{
	size_t len = strlen(line);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (!strncmp(p, line, len) && (p[len] == '\n' || !p[len]))
			return true;
	return false;
}

FIXTURE(q) {
	char name[128];
	int fd;
	pid_t child;
};

FIXTURE_SETUP(q)
{
	struct kipc_queue_config cfg = { .max_msgs = 1, .max_msg_size = 64 };

	qname(self->name, sizeof(self->name), "q");
	self->child = -1;
	self->fd = kipc_queue_open(self->name, O_RDWR | O_CREAT | O_EXCL, 0600,
				   &cfg);
	ASSERT_LE(0, self->fd) TH_LOG("%s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(q)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	kipc_queue_close(self->fd);
	kipc_queue_unlink(self->name);
}

/* A blocked receiver: counted, in fdinfo and in the CLI; gone after. */
TEST_F(q, blocked_receiver)
{
	struct kipc_queue_state st;
	int64_t t0, t1;
	char cmd[256], out[4096] = "";
	int status;
	FILE *p;

	ASSERT_EQ(0, inspect(self->name, &st));
	EXPECT_EQ(0, st.recv_waiters);
	EXPECT_EQ(0, st.send_waiters);
	EXPECT_EQ(0, st.notify_tid);
	EXPECT_EQ(0, st.notify_signo);
	EXPECT_EQ(0, st.last_send_pid);
	EXPECT_EQ(0, st.last_recv_pid);
	EXPECT_EQ(0, st.last_send_ns);
	EXPECT_EQ(0, st.last_recv_ns);

	self->child = fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		char buf[64];

		_exit(kipc_queue_recv(self->fd, buf, sizeof(buf), NULL) == 2 ?
		      0 : 1);
	}
	ASSERT_EQ(0, wait_waiters(self->name, true, 1));
	ASSERT_EQ(0, inspect(self->name, &st));
	EXPECT_EQ(1, st.recv_waiters);
	EXPECT_EQ(0, st.send_waiters);

	/* The blocked child's own handle says what it is and what blocks. */
	{
		char *fi = fdinfo(self->child, self->fd);
		char line[200];

		ASSERT_NE(NULL, fi);
		EXPECT_TRUE(has_line(fi, "kipc-kind:\tqueue")) TH_LOG("%s", fi);
		snprintf(line, sizeof(line), "kipc-name:\t%s", self->name);
		EXPECT_TRUE(has_line(fi, line)) TH_LOG("%s", fi);
		EXPECT_TRUE(has_line(fi, "kipc-access:\trw"));
		EXPECT_TRUE(has_line(fi, "kipc-msgs:\t0/1"));
		EXPECT_TRUE(has_line(fi, "kipc-recv-waiters:\t1")) TH_LOG("%s", fi);
		EXPECT_TRUE(has_line(fi, "kipc-send-waiters:\t0"));
		EXPECT_TRUE(has_line(fi, "kipc-notify:\tnone"));
	}

	/* What an operator sees; the log keeps it for the record. */
	snprintf(cmd, sizeof(cmd), "kipc queue show '%s'", self->name);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	fread(out, 1, sizeof(out) - 1, p);
	ASSERT_EQ(0, pclose(p));
	TH_LOG("kipc queue show, a receiver blocked:\n%s", out);
	EXPECT_NE(NULL, strstr(out, "recv_waiters   1\n"));
	EXPECT_NE(NULL, strstr(out, "send_waiters   0\n"));
	EXPECT_NE(NULL, strstr(out, "last_send      none\n"));

	t0 = real_ns();
	ASSERT_EQ(0, kipc_queue_send(self->fd, "hi", 2, 0, 0));
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	t1 = real_ns();
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	ASSERT_EQ(0, inspect(self->name, &st));
	EXPECT_EQ(0, st.recv_waiters);
	EXPECT_EQ(getpid(), st.last_send_pid);
	EXPECT_EQ(self->child, st.last_recv_pid);
	EXPECT_LE(t0, (int64_t)st.last_send_ns);
	EXPECT_GE(t1, (int64_t)st.last_send_ns);
	EXPECT_LE((int64_t)st.last_send_ns, (int64_t)st.last_recv_ns);
	EXPECT_GE(t1, (int64_t)st.last_recv_ns);
	self->child = -1;

	EXPECT_TRUE(has_line(fdinfo(getpid(), self->fd), "kipc-recv-waiters:\t0"));
}

/* A sender blocked on a full queue. */
TEST_F(q, blocked_sender)
{
	struct kipc_queue_state st;
	char buf[64];

	ASSERT_EQ(0, kipc_queue_send(self->fd, "a", 1, 0, 0));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0)
		_exit(kipc_queue_send(self->fd, "b", 1, 0, 0) ? 1 : 0);
	ASSERT_EQ(0, wait_waiters(self->name, false, 1));
	ASSERT_EQ(0, inspect(self->name, &st));
	EXPECT_EQ(0, st.recv_waiters);
	EXPECT_EQ(1, st.send_waiters);
	EXPECT_TRUE(has_line(fdinfo(self->child, self->fd),
			     "kipc-send-waiters:\t1"));
	EXPECT_TRUE(has_line(fdinfo(self->child, self->fd), "kipc-msgs:\t1/1"));

	ASSERT_EQ(1, kipc_queue_recv(self->fd, buf, sizeof(buf), NULL));
	ASSERT_EQ(self->child, waitpid(self->child, NULL, 0));
	self->child = -1;
	ASSERT_EQ(0, inspect(self->name, &st));
	EXPECT_EQ(0, st.send_waiters);
}

/* The notification's registrant and signal, and whose handle it is. */
TEST_F(q, notify)
{
	struct kipc_queue_state st;
	int other;

	ASSERT_EQ(0, kipc_queue_notify(self->fd, SIGUSR1, 7));
	ASSERT_EQ(0, inspect(self->name, &st));
	EXPECT_EQ(syscall(SYS_gettid), st.notify_tid);
	EXPECT_EQ(SIGUSR1, st.notify_signo);
	{
		char line[80];

		snprintf(line, sizeof(line), "kipc-notify:\ttid %ld signal %d this-handle",
			 (long)syscall(SYS_gettid), SIGUSR1);
		EXPECT_TRUE(has_line(fdinfo(getpid(), self->fd), line))
			TH_LOG("%s", fdinfo(getpid(), self->fd));
	}
	other = kipc_queue_open(self->name, O_RDONLY, 0, NULL);
	ASSERT_LE(0, other);
	{
		char line[80];

		snprintf(line, sizeof(line), "kipc-notify:\ttid %ld signal %d",
			 (long)syscall(SYS_gettid), SIGUSR1);
		EXPECT_TRUE(has_line(fdinfo(getpid(), other), line));
		EXPECT_TRUE(has_line(fdinfo(getpid(), other), "kipc-access:\tr-"));
	}
	kipc_queue_close(other);

	ASSERT_EQ(0, kipc_queue_notify_remove(self->fd));
	ASSERT_EQ(0, inspect(self->name, &st));
	EXPECT_EQ(0, st.notify_tid);
	EXPECT_EQ(0, st.notify_signo);
	EXPECT_TRUE(has_line(fdinfo(getpid(), self->fd), "kipc-notify:\tnone"));
}

/* An unbound handle, and a name that would forge fdinfo lines. */
TEST(fdinfo_unbound_and_escaped)
{
	struct kipc_queue_config cfg = { .max_msgs = 1, .max_msg_size = 64 };
	char name[128], want[200];
	int fd;

	fd = open("/dev/kipc", O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_TRUE(has_line(fdinfo(getpid(), fd), "kipc-kind:\tunbound"));
	close(fd);

	snprintf(name, sizeof(name), "isp.%d.a b\nkipc-kind:\tregion\\",
		 (int)getpid());
	fd = kipc_queue_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &cfg);
	ASSERT_LE(0, fd);
	snprintf(want, sizeof(want),
		 "kipc-name:\tisp.%d.a\\x20b\\x0akipc-kind:\\x09region\\x5c",
		 (int)getpid());
	EXPECT_TRUE(has_line(fdinfo(getpid(), fd), want))
		TH_LOG("%s", fdinfo(getpid(), fd));
	EXPECT_FALSE(has_line(fdinfo(getpid(), fd), "kipc-kind:\tregion"));
	kipc_queue_close(fd);
	kipc_queue_unlink(name);
}

/* An unknown name is refused as the get is, and a NULL state too. */
TEST(inspect_errors)
{
	struct kipc_queue_state st;
	struct kipc_obj_info info;

	memset(&st, 0xa5, sizeof(st));
	EXPECT_EQ(-ENOENT, kipc_queue_inspect("isp.no.such.queue", &info, &st));
	EXPECT_EQ(-EINVAL, kipc_queue_inspect("isp.no.such.queue", &info, NULL));
	EXPECT_EQ(-EINVAL, kipc_queue_inspect_all(NULL, NULL));
}

/*
 * The incarnation id: never 0, the same through every handle and in
 * netlink, and new when the name is unlinked and created again.
 */
static uint64_t attr_id(int fd)
{
	struct kipc_queue_attr a;

	memset(&a, 0xa5, sizeof(a));
	if (kipc_queue_getattr(fd, &a) < 0)
		return 0;
	return a.id;
}

TEST_F(q, id_same_through_two_handles)
{
	uint64_t id = attr_id(self->fd);
	int fd2 = kipc_queue_open(self->name, O_RDONLY, 0, NULL);

	ASSERT_LE(0, fd2) TH_LOG("%s", strerror(-fd2));
	EXPECT_NE(0, id);
	EXPECT_EQ(id, attr_id(fd2));
	kipc_queue_close(fd2);
}

TEST_F(q, id_new_after_unlink_and_create)
{
	struct kipc_queue_config cfg = { .max_msgs = 1, .max_msg_size = 64 };
	uint64_t old = attr_id(self->fd), now;
	struct kipc_obj_info info;
	int fd2;

	ASSERT_EQ(0, kipc_queue_unlink(self->name));
	fd2 = kipc_queue_open(self->name, O_RDWR | O_CREAT | O_EXCL, 0600,
			      &cfg);
	ASSERT_LE(0, fd2) TH_LOG("%s", strerror(-fd2));
	now = attr_id(fd2);
	EXPECT_NE(0, now);
	EXPECT_NE(old, now);
	EXPECT_LT(old, now);
	/* The old handle still sees its own queue's id. */
	EXPECT_EQ(old, attr_id(self->fd));
	ASSERT_EQ(0, kipc_queue_stat(self->name, &info));
	EXPECT_EQ(now, info.id);
	kipc_queue_close(self->fd);
	self->fd = fd2;
}

static int find_id(const struct kipc_obj_info *info, void *arg)
{
	struct kipc_obj_info *want = arg;

	if (strcmp(info->name, want->name))
		return 0;
	want->id = info->id;
	return 1;
}

TEST_F(q, id_netlink_and_getattr_agree)
{
	uint64_t id = attr_id(self->fd);
	struct kipc_queue_state st;
	struct kipc_obj_info info, want;

	ASSERT_NE(0, id);
	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, kipc_queue_stat(self->name, &info));
	EXPECT_EQ(id, info.id);
	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, kipc_queue_inspect(self->name, &info, &st));
	EXPECT_EQ(id, info.id);
	memset(&want, 0, sizeof(want));
	snprintf(want.name, sizeof(want.name), "%s", self->name);
	ASSERT_EQ(1, kipc_queue_list(find_id, &want));
	EXPECT_EQ(id, want.id);
}

/* A create event carries the id that getattr then reports. */
TEST(id_in_create_event)
{
	struct kipc_queue_config cfg = { .max_msgs = 1, .max_msg_size = 64 };
	struct kipc_monitor *mon;
	struct kipc_event ev;
	uint64_t seen = 0;
	char name[128];
	int fd, ret;

	ASSERT_EQ(0, kipc_monitor_open(&mon));
	qname(name, sizeof(name), "ev");
	fd = kipc_queue_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &cfg);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	while ((ret = kipc_monitor_next(mon, &ev, LIVENESS_MS)) == 0) {
		if (ev.type == KIPC_EVENT_QUEUE_CREATE &&
		    !strcmp(ev.obj.name, name)) {
			seen = ev.obj.id;
			break;
		}
	}
	EXPECT_EQ(0, ret) TH_LOG("no create event: %s", strerror(-ret));
	EXPECT_NE(0, seen);
	EXPECT_EQ(attr_id(fd), seen);
	kipc_queue_close(fd);
	kipc_queue_unlink(name);
	kipc_monitor_close(mon);
}

/* A caller of the first published size gets no id written past it. */
TEST_F(q, id_not_written_to_a_short_struct)
{
	struct kipc_queue_attr a;

	memset(&a, 0xa5, sizeof(a));
	ASSERT_EQ(0, (kipc_queue_getattr)(self->fd, &a,
					  offsetof(struct kipc_queue_attr, id)));
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ull, a.id);
	EXPECT_EQ(1, a.max_msgs);
}

/* "kipc queue show" prints the id that getattr reports. */
TEST_F(q, id_in_cli_show)
{
	char cmd[256], out[4096] = "";
	unsigned long long shown = 0;
	const char *line;
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "kipc queue show '%s'", self->name);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	ASSERT_EQ(0, pclose(p));
	line = strstr(out, "\nid ");
	ASSERT_NE(NULL, line) TH_LOG("%s", out);
	EXPECT_EQ(1, sscanf(line + 4, "%llu", &shown));
	EXPECT_EQ(attr_id(self->fd), shown) TH_LOG("%s", out);
}

TEST_HARNESS_MAIN
