/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the kipc region selftests. They drive /dev/kipc with raw
 * ioctls, so region_test checks the kernel ABI itself. Every wrapper
 * returns the ioctl's result (>= 0) or a negative errno.
 */
#ifndef KIPC_REGION_UTIL_H
#define KIPC_REGION_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <linux/kipc.h>

#define RT_POISON	0xa5
#define RT_POISON32	0xa5a5a5a5u
#define RT_POISON64	0xa5a5a5a5a5a5a5a5ull

/* The unprivileged user the VM runner also runs every test as. */
#define RT_USER_UID	1000
#define RT_USER_GID	1000

#define RT_RW		(KIPC_REGION_READ | KIPC_REGION_WRITE)
#define RT_CREATE	(RT_RW | KIPC_REGION_CREATE)

/* Exit codes of helper children; anything else is a failed check. */
#define RT_CHILD_OK	0
#define RT_CHILD_ERR	100

static inline size_t rt_page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/*
 * A name no other process uses: the uid keeps the root and the user runs
 * apart, the pid the tests of one run, and a counter the names of a test.
 */
static inline void rt_name(char *buf, size_t size, const char *tag)
{
	static unsigned int counter;

	snprintf(buf, size, "rt.%s.%u.%d.%u", tag, (unsigned int)getuid(),
		 (int)getpid(),
		 __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
}

static inline int rt_ret(long ret)
{
	return ret < 0 ? -errno : (int)ret;
}

static inline int rt_open(void)
{
	return rt_ret(open("/dev/kipc", O_RDWR | O_CLOEXEC));
}

static inline void rt_bind_init(struct kipc_region_bind *b, const void *name,
				uint32_t name_len, uint32_t flags,
				uint32_t mode, uint64_t size)
{
	memset(b, 0, sizeof(*b));
	b->size = sizeof(*b);
	b->flags = flags;
	b->name = (uintptr_t)name;
	b->name_len = name_len;
	b->mode = mode;
	b->region_size = size;
}

static inline int rt_bind_raw(int fd, const void *name, uint32_t name_len,
			      uint32_t flags, uint32_t mode, uint64_t size)
{
	struct kipc_region_bind b;

	rt_bind_init(&b, name, name_len, flags, mode, size);
	return rt_ret(ioctl(fd, KIPC_IOC_REGION_BIND, &b));
}

static inline int rt_bind(int fd, const char *name, uint32_t flags,
			  uint32_t mode, uint64_t size)
{
	return rt_bind_raw(fd, name, strlen(name), flags, mode, size);
}

/* A new handle bound to @name: the fd, or a negative errno. */
static inline int rt_region(const char *name, uint32_t flags, uint32_t mode,
			    uint64_t size)
{
	int fd = rt_open();
	int ret;

	if (fd < 0)
		return fd;
	ret = rt_bind(fd, name, flags, mode, size);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static inline int rt_unlink_raw(int fd, const void *name, uint32_t name_len)
{
	struct kipc_unlink u;

	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	u.name = (uintptr_t)name;
	u.name_len = name_len;
	return rt_ret(ioctl(fd, KIPC_IOC_REGION_UNLINK, &u));
}

/* Unlinks through a fresh, unbound handle. */
static inline int rt_unlink(const char *name)
{
	int fd = rt_open();
	int ret;

	if (fd < 0)
		return fd;
	ret = rt_unlink_raw(fd, name, strlen(name));
	close(fd);
	return ret;
}

/* KIPC_IOC_REGION_INFO into a poisoned struct, so unset fields show. */
static inline int rt_info(int fd, struct kipc_region_info *info)
{
	memset(info, RT_POISON, sizeof(*info));
	info->size = sizeof(*info);
	info->flags = 0;
	return rt_ret(ioctl(fd, KIPC_IOC_REGION_INFO, info));
}

/* The mapping, or MAP_FAILED with errno set. */
static inline void *rt_map(int fd, size_t len, int prot, off_t off)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, off);
}

/* A module parameter from sysfs, or -1 if it cannot be read. */
static inline long long rt_param(const char *param)
{
	char path[128];
	long long val;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/sys/module/kipc/parameters/%s", param);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fscanf(f, "%lld", &val);
	fclose(f);
	return n == 1 ? val : -1;
}

static inline int rt_set_param(const char *param, long long val)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/sys/module/kipc/parameters/%s", param);
	f = fopen(path, "we");
	if (!f)
		return -errno;
	fprintf(f, "%lld\n", val);
	ret = fclose(f);
	return ret ? -errno : 0;
}

/* The "Shmem:" line of /proc/meminfo in KiB, or -1. */
static inline long long rt_shmem_kib(void)
{
	char line[256];
	long long kib = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Shmem: %lld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Root gives up every privilege and becomes the unprivileged user. */
static inline int rt_become_user(void)
{
	if (setgroups(0, NULL) || setgid(RT_USER_GID) || setuid(RT_USER_UID))
		return -errno;
	return 0;
}

/* The deterministic test pattern: byte i of a region holds this. */
static inline uint8_t rt_pattern(size_t i, unsigned int seed)
{
	return (uint8_t)((i * 131 + (i >> 12) * 7 + seed) & 0xff);
}

static inline void rt_fill(void *addr, size_t len, unsigned int seed)
{
	uint8_t *p = addr;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = rt_pattern(i, seed);
}

/* The offset of the first byte that differs from the pattern, or -1. */
static inline long rt_check(const void *addr, size_t len, unsigned int seed)
{
	const uint8_t *p = addr;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != rt_pattern(i, seed))
			return (long)i;
	return -1;
}

static inline int rt_all_zero(const void *addr, size_t len)
{
	const uint8_t *p = addr;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

/* The child's exit status, or -1 if it did not exit normally. */
static inline int rt_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The signal that killed the child, or -1. */
static inline int rt_wait_signal(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
}

static inline void rt_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* A deadline @ms from now on CLOCK_MONOTONIC. */
static inline struct timespec rt_deadline_ms(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

#endif /* KIPC_REGION_UTIL_H */
