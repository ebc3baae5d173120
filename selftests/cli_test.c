// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kipc CLI as its users and their scripts meet it: whatever bytes a
 * name holds, -j gives valid JSON (strict UTF-8, RFC 8259) that carries
 * the name's exact bytes, and text output carries no raw control byte;
 * objects and commands take unique prefixes and refuse ambiguous ones;
 * -j works anywhere and makes errors JSON too; the kernel's extended-ack
 * reason reaches the user.
 *
 * The CLI runs as a child, its stdout and stderr captured; the guest has
 * no JSON tool, so a strict validator lives here.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include <libkipc.h>

#include "kselftest_harness.h"

#define OUT_MAX		(1 << 20)

struct run {
	char out[OUT_MAX], err[OUT_MAX];
	size_t nout, nerr;
	int status;		/* exit status, or -1 */
};

/* Reads the child's two pipes to their ends. */
static void drain(int ofd, int efd, struct run *r)
{
	struct pollfd p[2] = { { ofd, POLLIN, 0 }, { efd, POLLIN, 0 } };
	int open = 2;

	while (open) {
		if (poll(p, 2, 20000) <= 0)
			break;
		for (int i = 0; i < 2; i++) {
			char *buf = i ? r->err : r->out;
			size_t *n = i ? &r->nerr : &r->nout;
			ssize_t got;

			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			got = read(p[i].fd, buf + *n, OUT_MAX - 1 - *n);
			if (got <= 0) {
				p[i].fd = -1;
				open--;
			} else {
				*n += (size_t)got;
			}
		}
	}
	r->out[r->nout] = r->err[r->nerr] = '\0';
}

/* Runs kipc with argv (NULL-terminated, after "kipc"); poisons r first. */
static void run_kipc(struct run *r, char *const *args)
{
	int o[2], e[2], st;
	char *argv[32] = { "kipc" };
	pid_t pid;

	memset(r, 0xa5, sizeof(*r));
	r->nout = r->nerr = 0;
	r->status = -1;
	for (int i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	if (pipe(o) || pipe(e))
		return;
	pid = fork();
	if (pid == 0) {
		dup2(o[1], 1);
		dup2(e[1], 2);
		close(o[0]);
		close(e[0]);
		execvp("kipc", argv);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	drain(o[0], e[0], r);
	close(o[0]);
	close(e[0]);
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		r->status = WEXITSTATUS(st);
}

#define KIPC(r, ...) run_kipc(r, (char *const[]){ __VA_ARGS__, NULL })

/* ---- a strict JSON validator ---- */

struct jp {
	const unsigned char *p, *end;
};

static void ws(struct jp *j)
{
	while (j->p < j->end && strchr(" \t\r\n", *j->p) && *j->p)
		j->p++;
}

/* RFC 3629 UTF-8: no overlong forms, surrogates or code points > 10FFFF. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n = p[0] < 0x80 ? 1 : p[0] >= 0xc2 && p[0] <= 0xdf ? 2 :
		   p[0] >= 0xe0 && p[0] <= 0xef ? 3 :
		   p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;

	if (!n || (size_t)(end - p) < n)
		return 0;
	if (n == 1)
		return 1;
	lo = p[0] == 0xe0 ? 0xa0 : p[0] == 0xf0 ? 0x90 : 0x80;
	hi = p[0] == 0xed ? 0x9f : p[0] == 0xf4 ? 0x8f : 0xbf;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

static bool jstring(struct jp *j)
{
	if (j->p >= j->end || *j->p != '"')
		return false;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		size_t n;

		if (*j->p < 0x20)
			return false;
		if (*j->p == '\\') {
			j->p++;
			if (j->p >= j->end)
				return false;
			if (*j->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (j->p + i >= j->end ||
					    !strchr("0123456789abcdefABCDEF", j->p[i]) ||
					    !j->p[i])
						return false;
				j->p += 5;
			} else if (*j->p && strchr("\"\\/bfnrt", *j->p)) {
				j->p++;
			} else {
				return false;
			}
			continue;
		}
		n = utf8_len(j->p, j->end);
		if (!n)
			return false;
		j->p += n;
	}
	if (j->p >= j->end)
		return false;
	j->p++;
	return true;
}

static bool jvalue(struct jp *j, int depth);

static bool jcontainer(struct jp *j, int depth, char close, bool object)
{
	j->p++;
	ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return true;
	}
	for (;;) {
		ws(j);
		if (object) {
			if (!jstring(j))
				return false;
			ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return false;
		}
		if (!jvalue(j, depth + 1))
			return false;
		ws(j);
		if (j->p >= j->end)
			return false;
		if (*j->p == close) {
			j->p++;
			return true;
		}
		if (*j->p++ != ',')
			return false;
	}
}

static bool jvalue(struct jp *j, int depth)
{
	ws(j);
	if (j->p >= j->end || depth > 32)
		return false;
	switch (*j->p) {
	case '{':
		return jcontainer(j, depth, '}', true);
	case '[':
		return jcontainer(j, depth, ']', false);
	case '"':
		return jstring(j);
	}
	for (const char *lit = "true\0false\0null\0"; *lit; lit += strlen(lit) + 1)
		if ((size_t)(j->end - j->p) >= strlen(lit) &&
		    !memcmp(j->p, lit, strlen(lit))) {
			j->p += strlen(lit);
			return true;
		}
	if (*j->p == '-')
		j->p++;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return false;
	while (j->p < j->end && ((*j->p >= '0' && *j->p <= '9') ||
				 strchr(".eE+-", *j->p)) && *j->p)
		j->p++;
	return true;
}

/* Each line of buf one JSON document (JSON lines), or buf one document. */
static bool json_valid(const char *buf, size_t len, bool lines)
{
	struct jp j = { (const unsigned char *)buf,
			(const unsigned char *)buf + len };

	if (!lines) {
		if (!jvalue(&j, 0))
			return false;
		ws(&j);
		return j.p == j.end;
	}
	while (j.p < j.end) {
		const unsigned char *nl = memchr(j.p, '\n', (size_t)(j.end - j.p));
		struct jp l = { j.p, nl ? nl : j.end };

		if (!jvalue(&l, 0))
			return false;
		ws(&l);
		if (l.p != l.end)
			return false;
		j.p = nl ? nl + 1 : j.end;
	}
	return len > 0;
}

/* No byte that a terminal would act on: C0 but newline, DEL, or >= 0x80. */
static bool text_safe(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if ((c < 0x20 && c != '\n') || c >= 0x7f)
			return false;
	}
	return true;
}

static char *hex(const unsigned char *p, size_t len)
{
	char *h = malloc(2 * len + 1);

	for (size_t i = 0; h && i < len; i++)
		sprintf(h + 2 * i, "%02x", p[i]);
	return h;
}

/* ---- every byte in a name ---- */

FIXTURE(allbytes) {
	char name[256];
	char *hexname;
	int fd;
};

FIXTURE_SETUP(allbytes)
{
	struct kipc_queue_config cfg = { .max_msgs = 1, .max_msg_size = 64 };

	for (int i = 0; i < 255; i++)
		self->name[i] = (char)(i + 1);
	self->name[255] = '\0';
	self->hexname = hex((unsigned char *)self->name, 255);
	ASSERT_NE(NULL, self->hexname);
	kipc_queue_unlink(self->name);	/* a crashed run's */
	self->fd = kipc_queue_open(self->name, O_RDWR | O_CREAT | O_EXCL, 0600,
				   &cfg);
	ASSERT_LE(0, self->fd) TH_LOG("create: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(allbytes)
{
	if (self->fd >= 0)
		kipc_queue_close(self->fd);
	kipc_queue_unlink(self->name);
	free(self->hexname);
}

/* The exact bytes, in hex, beside an escaped "name". */
static bool has_name_hex(const char *out, const char *hexname)
{
	char key[600];

	snprintf(key, sizeof(key), "\"name_hex\":\"%s\"", hexname);
	return strstr(out, key) != NULL;
}

TEST_F(allbytes, list_json)
{
	static struct run r;

	KIPC(&r, "-j", "queue", "list");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(json_valid(r.out, r.nout, false)) TH_LOG("%s", r.out);
	EXPECT_TRUE(has_name_hex(r.out, self->hexname));
	/* -p indents, and is as valid. */
	KIPC(&r, "-p", "queue", "list");
	ASSERT_EQ(0, r.status);
	EXPECT_TRUE(json_valid(r.out, r.nout, false));
}

TEST_F(allbytes, show_json_and_text)
{
	static struct run r;

	KIPC(&r, "-j", "queue", "show", self->name);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(json_valid(r.out, r.nout, false)) TH_LOG("%s", r.out);
	EXPECT_TRUE(has_name_hex(r.out, self->hexname));

	KIPC(&r, "queue", "show", self->name);
	ASSERT_EQ(0, r.status);
	EXPECT_TRUE(text_safe(r.out, r.nout)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\\x1b"));
}

TEST_F(allbytes, table)
{
	static struct run r;
	int lines = 0;

	KIPC(&r, "queue", "list", "-o", "NAME,MSGS");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(text_safe(r.out, r.nout)) TH_LOG("%s", r.out);
	/* The newline in the name stays inside its row. */
	for (size_t i = 0; i < r.nout; i++)
		lines += r.out[i] == '\n';
	KIPC(&r, "-j", "queue", "list");
	{
		int objs = 0;

		for (const char *p = r.out; (p = strstr(p, "\"name\":")); p++)
			objs++;
		EXPECT_EQ(objs + 1, lines);
	}
	KIPC(&r, "queue", "list", "-n", "--raw");
	ASSERT_EQ(0, r.status);
	EXPECT_TRUE(text_safe(r.out, r.nout)) TH_LOG("%s", r.out);
	EXPECT_EQ(NULL, strstr(r.out, "NAME"));
}

TEST_F(allbytes, error_text_and_json)
{
	static struct run r;
	char missing[256];

	/* The same bytes, one fewer: a name that does not exist. */
	memcpy(missing, self->name + 1, 255);
	KIPC(&r, "queue", "show", missing);
	EXPECT_EQ(1, r.status);
	EXPECT_EQ(0, r.nout);
	EXPECT_TRUE(text_safe(r.err, r.nerr)) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "No such file or directory"));

	KIPC(&r, "queue", "show", missing, "-j");
	EXPECT_EQ(1, r.status);
	EXPECT_TRUE(json_valid(r.err, r.nerr, true)) TH_LOG("%s", r.err);
	EXPECT_EQ(0, strncmp(r.err, "{\"error\":", 9));
}

TEST_F(allbytes, monitor_json)
{
	struct kipc_queue_config cfg = { .max_msgs = 1, .max_msg_size = 64 };
	static struct run r;
	char other[256];
	pid_t pid;
	int fd;

	struct kipc_stats st;
	unsigned int listeners;
	int waited;

	memcpy(other, self->name + 1, 255);
	kipc_queue_unlink(other);
	ASSERT_EQ(0, kipc_stats_get(&st));
	listeners = st.listeners;
	/*
	 * The CLI's monitor subscribes first; the child creates once the
	 * module counts one more listener, however slow the kernel is.
	 */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		for (waited = 0; waited < 20000; waited += 10) {
			if (kipc_stats_get(&st) || st.listeners > listeners)
				break;
			usleep(10 * 1000);
		}
		fd = kipc_queue_open(other, O_RDWR | O_CREAT | O_EXCL, 0600,
				     &cfg);
		if (fd >= 0)
			kipc_queue_close(fd);
		kipc_queue_unlink(other);
		_exit(fd < 0);
	}
	KIPC(&r, "monitor", "queue", "--count", "2", "--timeout", "20000", "-j");
	waitpid(pid, NULL, 0);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(json_valid(r.out, r.nout, true)) TH_LOG("%s", r.out);
	KIPC(&r, "monitor", "--timeout", "1", "queue");
	EXPECT_TRUE(text_safe(r.out, r.nout));
}

/* ---- the grammar ---- */

TEST(prefixes)
{
	static struct run r;

	KIPC(&r, "q", "l");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	KIPC(&r, "queue", "s", "x");
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "ambiguous command \"s\": send, show"))
		TH_LOG("%s", r.err);
	KIPC(&r, "queue", "sh", "--help");
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "queue show"));
	KIPC(&r, "queu", "list");
	EXPECT_EQ(0, r.status);
	KIPC(&r, "queux", "list");
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "kipc: unknown object \"queux\""))
		TH_LOG("%s", r.err);
	/* A user's argument in a usage error is escaped too. */
	KIPC(&r, "queue", "create", "x", "--max-msgs", "\033[31m9");
	EXPECT_EQ(2, r.status);
	EXPECT_TRUE(text_safe(r.err, r.nerr)) TH_LOG("%s", r.err);
	KIPC(&r, "queue", "\033[2J");
	EXPECT_EQ(2, r.status);
	EXPECT_TRUE(text_safe(r.err, r.nerr)) TH_LOG("%s", r.err);
	/* The empty word is no prefix of everything. */
	KIPC(&r, "");
	EXPECT_EQ(2, r.status);
}

TEST(json_anywhere)
{
	static struct run r;

	KIPC(&r, "queue", "list", "-j");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(json_valid(r.out, r.nout, false));
	KIPC(&r, "stats", "-p");
	EXPECT_EQ(0, r.status);
	EXPECT_TRUE(json_valid(r.out, r.nout, false));
	/* A usage error under -j is JSON on stderr, with status 2. */
	KIPC(&r, "queue", "nosuch", "-j");
	EXPECT_EQ(2, r.status);
	EXPECT_EQ(0, r.nout);
	EXPECT_TRUE(json_valid(r.err, r.nerr, true)) TH_LOG("%s", r.err);
	KIPC(&r, "--version");
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "library"));
	KIPC(&r, "-V", "-j");
	EXPECT_EQ(0, r.status);
	EXPECT_TRUE(json_valid(r.out, r.nout, false));
}

TEST(list_columns)
{
	struct kipc_queue_config cfg = { .max_msgs = 1, .max_msg_size = 64 };
	static struct run r;
	char name[64], row[128];
	int fd;

	/* libsmartcols prints nothing, not even headings, for no rows. */
	snprintf(name, sizeof(name), "cli.%d.cols", (int)getpid());
	fd = kipc_queue_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &cfg);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_queue_send(fd, "abc", 3, 0, 0));
	KIPC(&r, "queue", "list", "-o", "name,bytes,type");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_EQ(0, strncmp(r.out, "NAME", 4)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "BYTES"));
	/* --raw: one space between cells, the figures as they are. */
	KIPC(&r, "queue", "list", "-r", "-n", "-o", "NAME,BYTES,TYPE");
	snprintf(row, sizeof(row), "%s 3 plain\n", name);
	EXPECT_NE(NULL, strstr(r.out, row)) TH_LOG("%s", r.out);
	KIPC(&r, "queue", "list", "-o", "+RWAIT");
	EXPECT_NE(NULL, strstr(r.out, "HANDLES RWAIT")) TH_LOG("%s", r.out);
	kipc_queue_close(fd);
	kipc_queue_unlink(name);
	KIPC(&r, "queue", "list", "-o", "NAME,NOPE");
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "unknown column \"NOPE\""));
	KIPC(&r, "queue", "list", "-o", "");
	EXPECT_EQ(2, r.status);
}

/* ---- rings ---- */

/*
 * A ring made with the raw bind ioctl, since the library has no call that
 * creates one: the handle, or a negative errno.
 */
static int ring_open(const char *name, uint32_t flags, uint32_t max_producers)
{
	struct kipc_ring_bind b = {
		.size = sizeof(b),
		.flags = flags | KIPC_RING_CREATE | KIPC_RING_EXCL,
		.name = (uintptr_t)name,
		.name_len = (uint32_t)strlen(name),
		.mode = 0600,
		.slot_size = 64,
		.nr_slots = 8,
		.max_producers = max_producers,
	};
	int fd = open("/dev/kipc", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (ioctl(fd, KIPC_IOC_RING_BIND, &b)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int ring_unlink(const char *name)
{
	struct kipc_unlink u = {
		.size = sizeof(u),
		.name = (uintptr_t)name,
		.name_len = (uint32_t)strlen(name),
	};
	int fd = open("/dev/kipc", O_RDWR | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = ioctl(fd, KIPC_IOC_RING_UNLINK, &u) ? -errno : 0;
	close(fd);
	return ret;
}

TEST(ring_list_show)
{
	static struct run r;
	char name[64], row[160];
	int fd;

	snprintf(name, sizeof(name), "cli.%d.ring", (int)getpid());
	fd = ring_open(name, KIPC_RING_CONSUMER, 2);
	ASSERT_LE(0, fd) TH_LOG("create: %s", strerror(-fd));

	KIPC(&r, "ring", "list", "-r", "-n", "-o",
	     "NAME,SLOTS,HANDLES,PRODUCERS,CONSUMER,FILL,LOST");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(row, sizeof(row), "%s 8 1 0/2 yes 0 0\n", name);
	EXPECT_NE(NULL, strstr(r.out, row)) TH_LOG("%s", r.out);

	KIPC(&r, "-j", "ring", "list");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(json_valid(r.out, r.nout, false)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, name));

	KIPC(&r, "-j", "ring", "show", name);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(json_valid(r.out, r.nout, false)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\"slot_size\":64")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\"slots\":8"));
	EXPECT_NE(NULL, strstr(r.out, "\"max_producers\":2"));
	EXPECT_NE(NULL, strstr(r.out, "\"consumer\":true"));
	EXPECT_NE(NULL, strstr(r.out, "\"lost\":0"));

	KIPC(&r, "ring", "show", name);
	ASSERT_EQ(0, r.status);
	EXPECT_TRUE(text_safe(r.out, r.nout)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "producers")) TH_LOG("%s", r.out);

	ASSERT_EQ(0, ring_unlink(name));
	KIPC(&r, "ring", "show", name);
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "No such file or directory")) TH_LOG("%s", r.err);
	/* A ring's mode and owner cannot change: no such command. */
	KIPC(&r, "ring", "chmod", name, "0644");
	EXPECT_EQ(2, r.status);
	close(fd);
}

TEST(ring_monitor)
{
	static struct run r;
	struct kipc_stats st;
	unsigned int listeners;
	char name[64];
	pid_t pid;

	snprintf(name, sizeof(name), "cli.%d.ringmon", (int)getpid());
	ASSERT_EQ(0, kipc_stats_get(&st));
	listeners = st.listeners;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		/* Once the CLI's monitor has subscribed, as in monitor_json. */
		for (int waited = 0; waited < 20000; waited += 10) {
			if (kipc_stats_get(&st) || st.listeners > listeners)
				break;
			usleep(10 * 1000);
		}
		fd = ring_open(name, 0, 0);
		if (fd >= 0)
			close(fd);
		_exit(fd < 0 || ring_unlink(name));
	}
	KIPC(&r, "monitor", "ring", "--count", "2", "--timeout", "20000", "-j");
	waitpid(pid, NULL, 0);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(json_valid(r.out, r.nout, true)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\"event\":\"create\",\"object\":\"ring\""))
		TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\"event\":\"delete\",\"object\":\"ring\""));
	EXPECT_NE(NULL, strstr(r.out, name));
}

TEST(stats_rings)
{
	static struct run r;

	KIPC(&r, "-j", "stats");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(json_valid(r.out, r.nout, false));
	EXPECT_NE(NULL, strstr(r.out, "\"rings\":")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\"max_rings\":"));
	EXPECT_NE(NULL, strstr(r.out, "\"max_ring_size\":"));
}

/* The kernel's reason for refusing reaches the user after the errno. */
TEST(extack)
{
	struct kipc_queue_config cfg = { .max_msgs = 1, .max_msg_size = 64 };
	static struct run r;
	char name[64];
	int fd, st;
	pid_t pid;

	if (getuid() != 0)
		SKIP(return, "needs root: a queue someone else owns");
	snprintf(name, sizeof(name), "cli.%d.extack", (int)getpid());
	fd = kipc_queue_open(name, O_RDWR | O_CREAT | O_EXCL, 0666, &cfg);
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(3);
		KIPC(&r, "queue", "chmod", name, "0600");
		_exit(r.status == 1 &&
		      strstr(r.err, "Operation not permitted (only the owner may change it)") ?
		      0 : 4);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	kipc_queue_close(fd);
	kipc_queue_unlink(name);
}

/* ---- rings ---- */

TEST(ring_create_delete)
{
	struct kipc_module_info mi;
	struct kipc_ring_info info;
	struct kipc_ring *ring;
	static struct run r;
	char name[64];

	ASSERT_EQ(0, kipc_module_version(&mi));
	if (!(mi.features & KIPC_FEAT_RING))
		SKIP(return, "the loaded module has no rings");
	snprintf(name, sizeof(name), "cli.%d.ring", (int)getpid());
	KIPC(&r, "ring", "create", name, "--slots", "16", "--slot-size", "1K",
	     "--producers", "2", "--mode", "0620");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_EQ(0, r.nout);
	/* The CLI's handle is gone, and it never was the consumer. */
	ASSERT_EQ(0, kipc_ring_open(name, KIPC_RING_CONSUMER, &ring));
	ASSERT_EQ(0, kipc_ring_info(ring, &info));
	EXPECT_EQ(16, info.nr_slots);
	EXPECT_EQ(1024, info.slot_size);
	EXPECT_EQ(2, info.max_producers);
	EXPECT_EQ(0620, info.mode);
	EXPECT_EQ(1, info.handles);
	kipc_ring_close(ring);

	KIPC(&r, "ring", "create", name);
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "File exists")) TH_LOG("%s", r.err);
	KIPC(&r, "ring", "delete", name);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	KIPC(&r, "ring", "delete", name);
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "No such file or directory"))
		TH_LOG("%s", r.err);
	KIPC(&r, "-j", "ring", "delete", name);
	EXPECT_EQ(1, r.status);
	EXPECT_TRUE(json_valid(r.err, r.nerr, true)) TH_LOG("%s", r.err);

	/* Defaults: 256 slots of 256 bytes, 8 producers, mode 0600. */
	KIPC(&r, "ring", "create", name);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	ASSERT_EQ(0, kipc_ring_open(name, 0, &ring));
	ASSERT_EQ(0, kipc_ring_info(ring, &info));
	EXPECT_EQ(256, info.nr_slots);
	EXPECT_EQ(256, info.slot_size);
	EXPECT_EQ(8, info.max_producers);
	EXPECT_EQ(0600, info.mode);
	kipc_ring_close(ring);
	EXPECT_EQ(0, kipc_ring_unlink(name));
}

TEST(ring_bad_input)
{
	static const char *const shapes[][3] = {
		{ "--slots", "3", "--slots 3" },
		{ "--slots", "1", "--slots 1" },
		{ "--slot-size", "12", "--slot-size 12" },
		{ "--slot-size", "4", "--slot-size 4" },
	};
	static const char *const usage[][2] = {
		{ "--slots", "abc" },
		{ "--slots", "131072" },
		{ "--slot-size", "2M" },
		{ "--slot-size", "-8" },
		{ "--producers", "0" },
		{ "--producers", "65" },
		{ "--mode", "0800" },
	};
	static struct run r;
	char name[64];
	size_t i;

	snprintf(name, sizeof(name), "cli.%d.badring", (int)getpid());
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		KIPC(&r, "ring", "create", name, (char *)shapes[i][0],
		     (char *)shapes[i][1]);
		EXPECT_EQ(1, r.status) TH_LOG("%s %s", shapes[i][0], shapes[i][1]);
		EXPECT_NE(NULL, strstr(r.err, shapes[i][2])) TH_LOG("%s", r.err);
		EXPECT_NE(NULL, strstr(r.err, "Invalid argument"))
			TH_LOG("%s", r.err);
	}
	for (i = 0; i < sizeof(usage) / sizeof(usage[0]); i++) {
		KIPC(&r, "ring", "create", name, (char *)usage[i][0],
		     (char *)usage[i][1]);
		EXPECT_EQ(2, r.status) TH_LOG("%s %s", usage[i][0], usage[i][1]);
		EXPECT_NE(NULL, strstr(r.err, usage[i][0])) TH_LOG("%s", r.err);
	}
	KIPC(&r, "ring", "create");
	EXPECT_EQ(2, r.status);
	KIPC(&r, "ring", "delete");
	EXPECT_EQ(2, r.status);
	KIPC(&r, "ring", "delete", name, "extra");
	EXPECT_EQ(2, r.status);
	KIPC(&r, "ring", "nosuch");
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "ring: unknown command \"nosuch\""))
		TH_LOG("%s", r.err);
	/* Nothing was created along the way. */
	EXPECT_EQ(-ENOENT, kipc_ring_unlink(name));
}

/* Only the owner deletes a ring; the errno says why the others may not. */
TEST(ring_delete_not_owner)
{
	static struct run r;
	char name[64];
	int st;
	pid_t pid;

	if (getuid() != 0)
		SKIP(return, "needs root: a ring someone else owns");
	snprintf(name, sizeof(name), "cli.%d.ringown", (int)getpid());
	KIPC(&r, "ring", "create", name, "--mode", "0666");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(3);
		KIPC(&r, "ring", "delete", name);
		_exit(r.status == 1 &&
		      strstr(r.err, "Operation not permitted") ? 0 : 4);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_EQ(0, kipc_ring_unlink(name));
}

TEST_HARNESS_MAIN
