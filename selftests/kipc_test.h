/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the kipc queue selftests. They drive /dev/kipc with raw
 * ioctls (never libkipc), so the tests check the kernel ABI itself. Every
 * wrapper returns the ioctl's result (>= 0) or a negative errno.
 */
#ifndef KIPC_TEST_H
#define KIPC_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/capability.h>
#include <linux/kipc.h>

#define KT_POISON	0xa5
#define KT_POISON32	0xa5a5a5a5u
#define KT_POISON64	0xa5a5a5a5a5a5a5a5ull

/* The unprivileged user the VM runner also runs every test as. */
#define KT_USER_UID	1000
#define KT_USER_GID	1000

/* A generous bound for "this must eventually happen", never a speed check. */
#define KT_LIVENESS_NS	(10 * 1000000000ll)

#define KT_ALL_ACCESS	(KIPC_QUEUE_READ | KIPC_QUEUE_WRITE)

static inline int64_t kt_clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static inline int64_t kt_mono_ns(void)
{
	return kt_clock_ns(CLOCK_MONOTONIC);
}

static inline int64_t kt_real_ns(void)
{
	return kt_clock_ns(CLOCK_REALTIME);
}

static inline void kt_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static inline pid_t kt_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* A name no other test process uses: tag, pid and a per-process counter. */
static inline void kt_name(char *buf, size_t size, const char *tag)
{
	static unsigned int counter;

	snprintf(buf, size, "kt.%s.%d.%u", tag, (int)getpid(),
		 __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
}

static inline int kt_open_flags(int oflags)
{
	int fd = open("/dev/kipc", O_RDWR | O_CLOEXEC | oflags);

	return fd < 0 ? -errno : fd;
}

static inline int kt_open(void)
{
	return kt_open_flags(0);
}

static inline int kt_ret(int ret)
{
	return ret < 0 ? -errno : ret;
}

/* Unlinks a name with one of the *_UNLINK ioctls, from a fresh handle. */
static inline int kt_unlink_ioc(unsigned long ioc, const char *name)
{
	struct kipc_unlink u;
	int fd = kt_open();
	int ret;

	if (fd < 0)
		return fd;
	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	u.name = (uintptr_t)name;
	u.name_len = strlen(name);
	ret = kt_ret(ioctl(fd, ioc, &u));
	close(fd);
	return ret;
}

static inline void kt_bind_init(struct kipc_queue_bind *b, const void *name,
				uint32_t name_len, uint32_t flags,
				uint32_t mode, uint32_t max_msgs,
				uint32_t max_msg_size)
{
	memset(b, 0, sizeof(*b));
	b->size = sizeof(*b);
	b->flags = flags;
	b->name = (uintptr_t)name;
	b->name_len = name_len;
	b->mode = mode;
	b->max_msgs = max_msgs;
	b->max_msg_size = max_msg_size;
}

static inline int kt_bind_raw(int fd, const void *name, uint32_t name_len,
			      uint32_t flags, uint32_t mode, uint32_t max_msgs,
			      uint32_t max_msg_size)
{
	struct kipc_queue_bind b;

	kt_bind_init(&b, name, name_len, flags, mode, max_msgs, max_msg_size);
	return kt_ret(ioctl(fd, KIPC_IOC_QUEUE_BIND, &b));
}

static inline int kt_bind(int fd, const char *name, uint32_t flags,
			  uint32_t mode, uint32_t max_msgs,
			  uint32_t max_msg_size)
{
	return kt_bind_raw(fd, name, strlen(name), flags, mode, max_msgs,
			   max_msg_size);
}

/* A new handle bound to @name: the fd, or a negative errno. */
static inline int kt_queue(const char *name, uint32_t flags, uint32_t mode,
			   uint32_t max_msgs, uint32_t max_msg_size)
{
	int fd = kt_open();
	int ret;

	if (fd < 0)
		return fd;
	ret = kt_bind(fd, name, flags, mode, max_msgs, max_msg_size);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/* A handle on an existing queue, without creating it. */
static inline int kt_attach(const char *name, uint32_t access)
{
	return kt_queue(name, access, 0, 0, 0);
}

static inline int kt_unlink_raw(int fd, const void *name, uint32_t name_len)
{
	struct kipc_unlink u;

	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	u.name = (uintptr_t)name;
	u.name_len = name_len;
	return kt_ret(ioctl(fd, KIPC_IOC_QUEUE_UNLINK, &u));
}

/* Unlink through a fresh unbound handle. */
static inline int kt_unlink(const char *name)
{
	int fd = kt_open();
	int ret;

	if (fd < 0)
		return fd;
	ret = kt_unlink_raw(fd, name, strlen(name));
	close(fd);
	return ret;
}

/*
 * One KIPC_IOC_QUEUE_SEND or _RECV with @msg in and out. The kernel's copy
 * of the struct comes back in @msg whatever the result.
 */
static inline int kt_io(int fd, unsigned long cmd, uint32_t flags,
			int64_t timeout_ns, struct kipc_msg *msg)
{
	struct kipc_queue_io io;
	int ret;

	memset(&io, 0, sizeof(io));
	io.size = sizeof(io);
	io.flags = flags;
	io.timeout_ns = timeout_ns;
	io.msg = *msg;
	ret = kt_ret(ioctl(fd, cmd, &io));
	*msg = io.msg;
	return ret;
}

static inline int kt_send_full(int fd, const void *buf, uint32_t len,
			       uint32_t prio, uint64_t type, uint32_t flags,
			       int64_t timeout_ns)
{
	struct kipc_msg m;

	memset(&m, 0, sizeof(m));
	m.buf = (uintptr_t)buf;
	m.len = len;
	m.prio = prio;
	m.type = type;
	return kt_io(fd, KIPC_IOC_QUEUE_SEND, flags, timeout_ns, &m);
}

static inline int kt_send(int fd, const void *buf, uint32_t len,
			  uint32_t prio, uint64_t type, uint32_t flags)
{
	return kt_send_full(fd, buf, len, prio, type, flags, 0);
}

/*
 * Receive into @buf of @len bytes. The output fields of the message are
 * poisoned first, so @out shows only what the kernel wrote.
 */
static inline int kt_recv_full(int fd, void *buf, uint32_t len,
			       uint32_t flags, uint64_t type,
			       int64_t timeout_ns, struct kipc_msg *out)
{
	struct kipc_msg m;
	int ret;

	memset(&m, KT_POISON, sizeof(m));
	m.buf = (uintptr_t)buf;
	m.len = len;
	m.type = type;
	ret = kt_io(fd, KIPC_IOC_QUEUE_RECV, flags, timeout_ns, &m);
	if (out)
		*out = m;
	return ret;
}

static inline int kt_recv(int fd, void *buf, uint32_t len, uint32_t flags,
			  uint64_t type, struct kipc_msg *out)
{
	return kt_recv_full(fd, buf, len, flags, type, 0, out);
}

/* Receive with a liveness deadline, so a lost wake-up fails, not hangs. */
static inline int kt_recv_live(int fd, void *buf, uint32_t len,
			       uint32_t flags, uint64_t type,
			       struct kipc_msg *out)
{
	return kt_recv_full(fd, buf, len, flags | KIPC_IO_TIMEOUT, type,
			    kt_mono_ns() + KT_LIVENESS_NS, out);
}

static inline int kt_batch(int fd, unsigned long cmd, uint32_t flags,
			   int64_t timeout_ns, void *msgs, uint32_t count,
			   uint32_t msg_size)
{
	struct kipc_queue_batch b;

	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.flags = flags;
	b.timeout_ns = timeout_ns;
	b.msgs = (uintptr_t)msgs;
	b.count = count;
	b.msg_size = msg_size;
	return kt_ret(ioctl(fd, cmd, &b));
}

static inline int kt_send_batch(int fd, struct kipc_msg *msgs, uint32_t count,
				uint32_t flags)
{
	return kt_batch(fd, KIPC_IOC_QUEUE_SEND_BATCH, flags, 0, msgs, count,
			sizeof(*msgs));
}

static inline int kt_recv_batch(int fd, struct kipc_msg *msgs, uint32_t count,
				uint32_t flags)
{
	return kt_batch(fd, KIPC_IOC_QUEUE_RECV_BATCH, flags, 0, msgs, count,
			sizeof(*msgs));
}

/* GETATTR into a poisoned struct. */
static inline int kt_getattr(int fd, struct kipc_queue_attr *a)
{
	memset(a, KT_POISON, sizeof(*a));
	a->size = sizeof(*a);
	a->flags = 0;
	return kt_ret(ioctl(fd, KIPC_IOC_QUEUE_GETATTR, a));
}

/* cur_msgs of the queue, or a negative errno. */
static inline long kt_cur_msgs(int fd)
{
	struct kipc_queue_attr a;
	int ret = kt_getattr(fd, &a);

	return ret < 0 ? ret : (long)a.cur_msgs;
}

/* A module parameter from sysfs, or -1 when it cannot be read. */
static inline long kt_param(const char *name)
{
	char path[128];
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/kipc/parameters/%s", name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

/*
 * Capabilities through the raw syscalls, so no libcap is needed. Clear
 * @caps (a mask of 1ull << CAP_*) from the effective set, and also from
 * the permitted and inheritable sets when @forever.
 */
static inline int kt_caps_clear(uint64_t caps, int forever)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	int i;

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	for (i = 0; i < 2; i++) {
		uint32_t m = (uint32_t)(caps >> (32 * i));

		data[i].effective &= ~m;
		if (forever) {
			data[i].permitted &= ~m;
			data[i].inheritable &= ~m;
		}
	}
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

static inline int kt_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

/*
 * Move the calling process into a new IPC namespace: directly as root,
 * else inside a new user namespace that maps the caller's own IDs.
 */
static inline int kt_enter_ipc_ns(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];
	int ret;

	if (uid == 0)
		return unshare(CLONE_NEWIPC) ? -errno : 0;
	if (unshare(CLONE_NEWUSER | CLONE_NEWIPC))
		return -errno;
	snprintf(map, sizeof(map), "%u %u 1", uid, uid);
	ret = kt_write_file("/proc/self/uid_map", map);
	if (ret)
		return ret;
	ret = kt_write_file("/proc/self/setgroups", "deny");
	if (ret)
		return ret;
	snprintf(map, sizeof(map), "%u %u 1", gid, gid);
	return kt_write_file("/proc/self/gid_map", map);
}

/* Whether a child may enter a new IPC namespace at all. */
static inline int kt_can_enter_ipc_ns(void)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return 0;
	if (pid == 0)
		_exit(kt_enter_ipc_ns() ? 1 : 0);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Raise @caps in the effective set again (they must still be permitted). */
static inline int kt_caps_raise(uint64_t caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	int i;

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	for (i = 0; i < 2; i++)
		data[i].effective |= (uint32_t)(caps >> (32 * i));
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

static inline int kt_has_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return 0;
	return !!(data[cap / 32].effective & (1u << (cap % 32)));
}

#define KT_CAP(c)	(1ull << (c))

/* Become the test user for good (root only); 0 or a negative errno. */
static inline int kt_become(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	return 0;
}

/*
 * Wait until task @tid of process @pid sleeps in system call @nr
 * (-1: any), for at most ten seconds. /proc/PID/syscall is optional: a
 * kernel without it, or a caller not allowed to read it, gets the state
 * check alone. Returns 0 once blocked, -1 on timeout or if it died.
 */
static inline int kt_wait_blocked_tid(pid_t pid, pid_t tid, long nr)
{
	int64_t end = kt_mono_ns() + KT_LIVENESS_NS;
	char path[96], buf[512];

	while (kt_mono_ns() < end) {
		char *p = NULL, state = 0;
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			p = strrchr(buf, ')');
			if (p && p[1] == ' ')
				state = p[2];
		}
		if (state == 'Z' || state == 'X')
			return -1;
		if (state == 'S') {
			long cur = -2;

			if (nr < 0)
				return 0;
			snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall",
				 pid, tid);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				return 0;
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n <= 0)
				return 0;
			buf[n] = 0;
			if (sscanf(buf, "%ld", &cur) != 1 || cur == nr)
				return 0;
		}
		kt_sleep_ms(2);
	}
	return -1;
}

static inline int kt_wait_blocked(pid_t pid, long nr)
{
	return kt_wait_blocked_tid(pid, pid, nr);
}

/* voluntary_ctxt_switches of a task, or -1. */
static inline long kt_voluntary_switches(pid_t pid)
{
	char path[64], line[128];
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &val) == 1)
			break;
	fclose(f);
	return val;
}

/* Install @fn for @sig with exactly @flags (no SA_RESTART unless given). */
static inline int kt_signal(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL) ? -errno : 0;
}

/*
 * Wait for a child and return its exit code; 128 + signal if it was
 * killed; -1 if waitpid failed.
 */
static inline int kt_wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/* FNV-1a, for payload checksums. */
static inline uint32_t kt_fnv1a(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t h = 2166136261u;

	while (len--) {
		h ^= *p++;
		h *= 16777619u;
	}
	return h;
}

/*
 * Checks for forked children, which must not use the harness's ASSERTs:
 * they report on stderr and exit non-zero, and the parent checks the
 * exit code with kt_wait_child().
 */
#define KT_CHILD_TRUE(cond) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "# child %d: %s:%d: check failed: %s\n", \
			(int)getpid(), __FILE__, __LINE__, #cond);	\
		_exit(1);						\
	}								\
} while (0)

#define KT_CHILD_EQ(exp, got) do {					\
	long long __e = (long long)(exp), __g = (long long)(got);	\
	if (__e != __g) {						\
		fprintf(stderr, "# child %d: %s:%d: expected %s (%lld) == %s (%lld)\n", \
			(int)getpid(), __FILE__, __LINE__, #exp, __e, #got, __g); \
		_exit(1);						\
	}								\
} while (0)

#endif /* KIPC_TEST_H */
