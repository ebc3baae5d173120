// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared-memory regions through raw ioctls on /dev/kipc: binding, sizes,
 * mmap, the info ioctl, lifetime, permissions and IPC namespaces.
 *
 * "region_test --region-reader NAME SIZE SEED" is not a test: it binds
 * NAME read-only, maps SIZE bytes and checks the pattern SEED, exiting 0
 * when every byte matches. The share_exec test runs it through
 * /proc/self/exe to read a region from a freshly exec'd program.
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/kipc.h>

#include "region_util.h"

#include "kselftest_harness.h"

#define MIB		(1024ull * 1024)

/* Every test gets two unique names and an unbound handle. */
FIXTURE(region) {
	char name[64];
	char name2[64];
	size_t page;
	int fd;
};

FIXTURE_SETUP(region)
{
	rt_name(self->name, sizeof(self->name), "a");
	rt_name(self->name2, sizeof(self->name2), "b");
	self->page = rt_page();
	self->fd = rt_open();
	ASSERT_LE(0, self->fd) TH_LOG("open /dev/kipc: %s",
				      strerror(-self->fd));
}

FIXTURE_TEARDOWN(region)
{
	if (self->fd >= 0)
		close(self->fd);
	rt_unlink(self->name);
	rt_unlink(self->name2);
}

static int queue_bind(int fd, const char *name)
{
	struct kipc_queue_bind b;

	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.flags = KIPC_QUEUE_READ | KIPC_QUEUE_WRITE | KIPC_QUEUE_CREATE;
	b.name = (uintptr_t)name;
	b.name_len = strlen(name);
	b.mode = 0600;
	return rt_ret(ioctl(fd, KIPC_IOC_QUEUE_BIND, &b));
}

static int queue_unlink(const char *name)
{
	struct kipc_unlink u;
	int fd = rt_open();
	int ret;

	if (fd < 0)
		return fd;
	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	u.name = (uintptr_t)name;
	u.name_len = strlen(name);
	ret = rt_ret(ioctl(fd, KIPC_IOC_QUEUE_UNLINK, &u));
	close(fd);
	return ret;
}

/* ---- Bind flags ---------------------------------------------------- */

TEST_F(region, bind_create)
{
	struct kipc_region_info info;

	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600,
			     self->page));
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(RT_RW, info.handle_flags);
	EXPECT_EQ(0, info.region_flags);
}

TEST_F(region, bind_needs_read)
{
	EXPECT_EQ(-EINVAL, rt_bind(self->fd, self->name,
				   KIPC_REGION_WRITE | KIPC_REGION_CREATE,
				   0600, self->page));
	EXPECT_EQ(-EINVAL, rt_bind(self->fd, self->name, KIPC_REGION_CREATE,
				   0600, self->page));
	/* Nothing was created. */
	EXPECT_EQ(-ENOENT, rt_bind(self->fd, self->name, KIPC_REGION_READ,
				   0, 0));
	/* The handle is still unbound and usable. */
	EXPECT_EQ(0, rt_bind(self->fd, self->name,
			     KIPC_REGION_READ | KIPC_REGION_CREATE, 0600,
			     self->page));
}

TEST_F(region, bind_write_optional)
{
	struct kipc_region_info info;
	int fd2;

	ASSERT_EQ(0, rt_bind(self->fd, self->name,
			     KIPC_REGION_READ | KIPC_REGION_CREATE, 0600,
			     self->page));
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(KIPC_REGION_READ, info.handle_flags);

	fd2 = rt_region(self->name, RT_RW, 0, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, rt_info(fd2, &info));
	EXPECT_EQ(RT_RW, info.handle_flags);
	close(fd2);
}

TEST_F(region, bind_excl)
{
	int fd2;

	ASSERT_EQ(0, rt_bind(self->fd, self->name,
			     RT_CREATE | KIPC_REGION_EXCL, 0600, self->page));
	fd2 = rt_open();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EEXIST, rt_bind(fd2, self->name,
				   RT_CREATE | KIPC_REGION_EXCL, 0600,
				   self->page));
	/* CREATE alone binds the existing region. */
	EXPECT_EQ(0, rt_bind(fd2, self->name, RT_CREATE, 0600, self->page));
	close(fd2);
}

/* On an existing region, so the flag is the only thing wrong. */
TEST_F(region, bind_excl_auto_delete_need_create)
{
	int fd2;

	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600,
			     self->page));
	fd2 = rt_open();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EINVAL, rt_bind(fd2, self->name,
				   RT_RW | KIPC_REGION_EXCL, 0, 0));
	EXPECT_EQ(-EINVAL, rt_bind(fd2, self->name,
				   RT_RW | KIPC_REGION_AUTO_DELETE, 0, 0));
	EXPECT_EQ(0, rt_bind(fd2, self->name, RT_RW, 0, 0));
	close(fd2);
}

TEST_F(region, bind_mode)
{
	struct kipc_region_info info;

	EXPECT_EQ(-EINVAL, rt_bind(self->fd, self->name, RT_CREATE, 01000,
				   self->page));
	EXPECT_EQ(-EINVAL, rt_bind(self->fd, self->name, RT_CREATE, 04600,
				   self->page));
	EXPECT_EQ(-EINVAL, rt_bind(self->fd, self->name, RT_CREATE,
				   0xffffffff, self->page));
	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0777,
			     self->page));
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(0777, info.mode);
}

TEST_F(region, bind_unknown_flags_reserved)
{
	struct kipc_region_bind b;

	EXPECT_EQ(-EINVAL, rt_bind(self->fd, self->name, RT_CREATE | 1u << 5,
				   0600, self->page));
	EXPECT_EQ(-EINVAL, rt_bind(self->fd, self->name, RT_CREATE | 1u << 31,
				   0600, self->page));

	rt_bind_init(&b, self->name, strlen(self->name), RT_CREATE, 0600,
		     self->page);
	b.__reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_REGION_BIND, &b));
	EXPECT_EQ(EINVAL, errno);

	EXPECT_EQ(-ENOENT, rt_bind(self->fd, self->name, KIPC_REGION_READ,
				   0, 0));
}

TEST_F(region, bind_name_length)
{
	char name[KIPC_NAME_MAX + 2];
	size_t len = strlen(self->name);
	int fd2;

	/* The fixture's unique name, padded to 256 bytes. */
	memset(name, 'x', sizeof(name));
	memcpy(name, self->name, len);
	name[KIPC_NAME_MAX + 1] = '\0';

	EXPECT_EQ(-ENAMETOOLONG, rt_bind_raw(self->fd, name, KIPC_NAME_MAX + 1,
					     RT_CREATE, 0600, self->page));
	EXPECT_EQ(-EINVAL, rt_bind_raw(self->fd, name, 0, RT_CREATE, 0600,
				       self->page));
	/* A NUL inside the name, and a NUL counted at its end. */
	name[len] = '\0';
	EXPECT_EQ(-EINVAL, rt_bind_raw(self->fd, name, len + 5, RT_CREATE,
				       0600, self->page));
	EXPECT_EQ(-EINVAL, rt_bind_raw(self->fd, name, len + 1, RT_CREATE,
				       0600, self->page));
	name[len] = 'x';

	/* 255 bytes is the longest name; 1 byte the shortest. */
	ASSERT_EQ(0, rt_bind_raw(self->fd, name, KIPC_NAME_MAX, RT_CREATE,
				 0600, self->page));
	fd2 = rt_open();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, rt_bind_raw(fd2, name, KIPC_NAME_MAX, RT_RW, 0, 0));
	close(fd2);
	EXPECT_EQ(0, rt_unlink_raw(self->fd, name, KIPC_NAME_MAX));
	EXPECT_EQ(-ENOENT, rt_unlink_raw(self->fd, name, KIPC_NAME_MAX));
}

/* A one-byte name is shared by every run; only root creates it. */
TEST(bind_name_one_byte)
{
	const char *name = "\x01";
	int fd;

	if (geteuid() != 0)
		SKIP(return, "needs root: a one-byte name cannot be unique per run");
	fd = rt_open();
	ASSERT_LE(0, fd);
	rt_unlink_raw(fd, name, 1);
	EXPECT_EQ(0, rt_bind_raw(fd, name, 1, RT_CREATE | KIPC_REGION_EXCL,
				 0600, 1));
	EXPECT_EQ(0, rt_unlink_raw(fd, name, 1));
	close(fd);
}

TEST_F(region, bind_enoent)
{
	EXPECT_EQ(-ENOENT, rt_bind(self->fd, self->name, KIPC_REGION_READ,
				   0, 0));
	EXPECT_EQ(-ENOENT, rt_bind(self->fd, self->name, RT_RW, 0,
				   self->page));
}

TEST_F(region, bind_busy_region)
{
	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600,
			     self->page));
	EXPECT_EQ(-EBUSY, rt_bind(self->fd, self->name, RT_RW, 0, 0));
	EXPECT_EQ(-EBUSY, rt_bind(self->fd, self->name2, RT_CREATE, 0600,
				  self->page));
	/* The refused bind created nothing. */
	EXPECT_EQ(-ENOENT, rt_unlink(self->name2));
}

TEST_F(region, bind_busy_queue)
{
	ASSERT_EQ(0, queue_bind(self->fd, self->name));
	EXPECT_EQ(-EBUSY, rt_bind(self->fd, self->name2, RT_CREATE, 0600,
				  self->page));
	EXPECT_EQ(-ENOENT, rt_unlink(self->name2));
	EXPECT_EQ(0, queue_unlink(self->name));
}

TEST_F(region, bind_bad_name_pointer)
{
	void *hole = mmap(NULL, self->page, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, hole);
	EXPECT_EQ(-EFAULT, rt_bind_raw(self->fd, hole, 8, RT_CREATE, 0600,
				       self->page));
	EXPECT_EQ(-EFAULT, rt_bind_raw(self->fd, NULL, 8, RT_CREATE, 0600,
				       self->page));
	munmap(hole, self->page);
	/* Still unbound. */
	EXPECT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600,
			     self->page));
}

/* ---- Sizes ---------------------------------------------------------- */

TEST_F(region, size_zero_create)
{
	EXPECT_EQ(-EINVAL, rt_bind(self->fd, self->name, RT_CREATE, 0600, 0));
	EXPECT_EQ(-ENOENT, rt_unlink(self->name));
}

TEST_F(region, size_max)
{
	long long max = rt_param("max_region_size");
	struct kipc_region_info info;
	uint64_t rounded;

	ASSERT_LT(0, max) TH_LOG("cannot read max_region_size");
	rounded = ((uint64_t)max + self->page - 1) & ~(uint64_t)(self->page - 1);

	EXPECT_EQ(-EINVAL, rt_bind(self->fd, self->name, RT_CREATE, 0600,
				   (uint64_t)max + 1));
	EXPECT_EQ(-EINVAL, rt_bind(self->fd, self->name, RT_CREATE, 0600,
				   UINT64_MAX));
	/* Pages come on first touch, so the largest region costs nothing. */
	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600, max));
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(rounded, info.region_size);
}

TEST_F(region, size_rounded_to_pages)
{
	struct kipc_region_info info;
	int fd2;

	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600, 1));
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(self->page, info.region_size);

	fd2 = rt_region(self->name2, RT_CREATE, 0600, self->page + 1);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, rt_info(fd2, &info));
	EXPECT_EQ(2 * self->page, info.region_size);
	close(fd2);
}

TEST_F(region, size_existing)
{
	uint64_t size = 2 * self->page;
	struct kipc_region_info info;
	uint64_t ok[] = { 0, 1, self->page + 1, size };
	unsigned int i;

	/* Asked for a page and a byte, it holds two pages. */
	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600,
			     self->page + 1));
	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		int fd2 = rt_region(self->name, RT_RW, 0, ok[i]);

		EXPECT_LE(0, fd2) TH_LOG("size %llu: %s",
					 (unsigned long long)ok[i],
					 strerror(-fd2));
		if (fd2 >= 0)
			close(fd2);
	}
	EXPECT_EQ(-EINVAL, rt_region(self->name, RT_RW, 0, size + 1));
	/* With CREATE too: the name exists, so the size is checked. */
	EXPECT_EQ(-EINVAL, rt_region(self->name, RT_CREATE, 0600, size + 1));
	/* The refused binds left no handle counted. */
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(1, info.handles);
	EXPECT_EQ(size, info.region_size);
}

/*
 * Creates PREFIX.FROM, PREFIX.FROM+1, ... up to PREFIX.TO-1, stopping at
 * the first failure (its negative errno in *err, else 0). Returns the
 * index reached: PREFIX.FROM up to it exist.
 */
static int fill_regions(const char *prefix, int from, int to, int *err)
{
	char name[96];
	int n, ret = 0;

	for (n = from; n < to; n++) {
		snprintf(name, sizeof(name), "%s.%d", prefix, n);
		ret = rt_region(name, RT_CREATE | KIPC_REGION_EXCL, 0600, 1);
		if (ret < 0)
			break;
		close(ret);
	}
	*err = ret < 0 ? ret : 0;
	return n;
}

static void unlink_regions(const char *prefix, int count)
{
	char name[96];
	int n;

	for (n = 0; n < count; n++) {
		snprintf(name, sizeof(name), "%s.%d", prefix, n);
		rt_unlink(name);
	}
}

/*
 * In an IPC namespace of its own, exactly max_regions regions are
 * created, and one more fails with ENOSPC without CAP_SYS_RESOURCE but
 * succeeds with it. Runs in a child; returns the step that failed.
 */
static int max_regions_fresh_ns(const char *prefix, int max, int privileged)
{
	char name[96];
	int made, err, ret = RT_CHILD_OK;
	pid_t pid;

	made = fill_regions(prefix, 0, max, &err);
	if (made != max || err) {
		ret = 1;
	} else if (privileged) {
		/* A user in the same namespace is refused... */
		pid = fork();
		if (pid == 0) {
			if (rt_become_user())
				_exit(RT_CHILD_ERR);
			snprintf(name, sizeof(name), "%s.user", prefix);
			_exit(rt_region(name, RT_CREATE, 0600, 1) == -ENOSPC ?
			      0 : 1);
		}
		if (rt_wait(pid) != 0)
			ret = 2;
		/* ...while CAP_SYS_RESOURCE goes beyond the limit. */
		made = fill_regions(prefix, made, max + 2, &err);
		if (made != max + 2 || err)
			ret = 3;
	} else {
		made = fill_regions(prefix, made, max + 1, &err);
		if (made != max || err != -ENOSPC)
			ret = 4;
	}
	unlink_regions(prefix, made);
	return ret;
}

TEST_F(region, max_regions)
{
	long long max = rt_param("max_regions");
	int made, err;
	pid_t pid;

	ASSERT_LE(0, max);
	if (max > 4096)
		SKIP(return, "max_regions %lld is too many to fill", max);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int flags = geteuid() == 0 ? CLONE_NEWIPC :
					     CLONE_NEWUSER | CLONE_NEWIPC;

		if (unshare(flags))
			_exit(RT_CHILD_ERR);
		_exit(max_regions_fresh_ns(self->name, max, geteuid() == 0));
	}
	err = rt_wait(pid);
	if (err != RT_CHILD_ERR) {
		EXPECT_EQ(0, err) TH_LOG("fresh namespace: step %d", err);
		return;
	}

	/*
	 * No namespace of our own (unprivileged user namespaces are off):
	 * fill this one. Other regions may exist, so only the limit shows.
	 */
	ASSERT_NE(0, geteuid()) TH_LOG("unshare(CLONE_NEWIPC) failed as root");
	TH_LOG("no user namespace for an IPC namespace of our own; filling this one");
	made = fill_regions(self->name, 0, max + 1, &err);
	EXPECT_EQ(-ENOSPC, err);
	EXPECT_GE(max, made);
	if (made > 0) {
		/* Freeing one name makes room for one more. */
		char name[96];
		int fd2;

		snprintf(name, sizeof(name), "%s.0", self->name);
		EXPECT_EQ(0, rt_unlink(name));
		fd2 = rt_region(name, RT_CREATE, 0600, 1);
		EXPECT_LE(0, fd2);
		if (fd2 >= 0)
			close(fd2);
	}
	unlink_regions(self->name, made);
}

/* ---- mmap ----------------------------------------------------------- */

TEST_F(region, mmap_shared_only)
{
	void *p;

	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600,
			     self->page));
	p = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, self->page, PROT_READ, MAP_PRIVATE, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = rt_map(self->fd, self->page, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, self->page);
}

TEST_F(region, mmap_bounds)
{
	size_t pg = self->page;
	void *p;

	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600, 2 * pg));

	p = rt_map(self->fd, 2 * pg, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, 2 * pg);
	p = rt_map(self->fd, pg, PROT_READ, pg);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, pg);

	p = rt_map(self->fd, 3 * pg, PROT_READ, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = rt_map(self->fd, 2 * pg, PROT_READ, pg);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = rt_map(self->fd, pg, PROT_READ, 2 * pg);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	/* A length not a page multiple is rounded up, to 3 pages here. */
	p = rt_map(self->fd, 2 * pg + 1, PROT_READ, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(region, mmap_unbound)
{
	void *p = rt_map(self->fd, self->page, PROT_READ, 0);

	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENODEV, errno);
}

TEST_F(region, mmap_queue)
{
	void *p;

	ASSERT_EQ(0, queue_bind(self->fd, self->name));
	p = rt_map(self->fd, self->page, PROT_READ, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(0, queue_unlink(self->name));
}

TEST_F(region, mmap_read_only_handle)
{
	size_t pg = self->page;
	char *w, *r;
	int ro;

	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600, pg));
	w = rt_map(self->fd, pg, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, w);
	strcpy(w, "written through the writable handle");

	ro = rt_region(self->name, KIPC_REGION_READ, 0, 0);
	ASSERT_LE(0, ro);

	EXPECT_EQ(MAP_FAILED, rt_map(ro, pg, PROT_READ | PROT_WRITE, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, rt_map(ro, pg, PROT_WRITE, 0));
	EXPECT_EQ(EACCES, errno);

	r = rt_map(ro, pg, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, r);
	EXPECT_STREQ("written through the writable handle", r);
	EXPECT_EQ(-1, mprotect(r, pg, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	/* A writable handle's mapping may be made writable later. */
	EXPECT_EQ(0, mprotect(w, pg, PROT_READ));
	EXPECT_EQ(0, mprotect(w, pg, PROT_READ | PROT_WRITE));

	munmap(r, pg);
	munmap(w, pg);
	close(ro);
}

/* A mapping grown past the region's end faults with SIGBUS there. */
TEST_SIGNAL(mremap_past_end, SIGBUS)
{
	size_t pg = rt_page();
	char name[64];
	char *p, *q;
	int fd;

	rt_name(name, sizeof(name), "bus");
	fd = rt_region(name, RT_CREATE, 0600, pg);
	ASSERT_LE(0, fd);
	p = rt_map(fd, pg, PROT_READ | PROT_WRITE, 0);
	/* Clean up first: the test ends by signal. */
	close(fd);
	ASSERT_EQ(0, rt_unlink(name));
	ASSERT_NE(MAP_FAILED, p);

	q = mremap(p, pg, 2 * pg, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q);
	q[0] = 1;		/* inside: fine */
	q[pg] = 1;		/* past the end: SIGBUS */
	TH_LOG("no SIGBUS past the end of the region");
}

/* ---- Data shared between processes ---------------------------------- */

TEST_F(region, share_fork)
{
	size_t size = 16 * self->page;
	pid_t pid;
	void *p;

	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600, size));
	p = rt_map(self->fd, size, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	rt_fill(p, size, 1);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Its own handle and mapping, not the inherited ones. */
		int fd = rt_region(self->name, RT_RW, 0, size);
		void *q;

		if (fd < 0)
			_exit(RT_CHILD_ERR);
		q = rt_map(fd, size, PROT_READ | PROT_WRITE, 0);
		if (q == MAP_FAILED)
			_exit(RT_CHILD_ERR + 1);
		if (rt_check(q, size, 1) >= 0)
			_exit(1);
		rt_fill(q, size, 2);
		_exit(0);
	}
	ASSERT_EQ(0, rt_wait(pid));
	EXPECT_EQ(-1, rt_check(p, size, 2));
	munmap(p, size);
}

/* The program re-executed as a reader; see the top of the file. */
static int region_reader(const char *name, const char *size_s,
			 const char *seed_s)
{
	size_t size = strtoull(size_s, NULL, 0);
	unsigned int seed = strtoul(seed_s, NULL, 0);
	long bad;
	void *p;
	int fd;

	fd = rt_region(name, KIPC_REGION_READ, 0, size);
	if (fd < 0) {
		printf("# region-reader: bind %s: %s\n", name, strerror(-fd));
		return 2;
	}
	p = rt_map(fd, size, PROT_READ, 0);
	if (p == MAP_FAILED) {
		printf("# region-reader: mmap: %s\n", strerror(errno));
		return 2;
	}
	close(fd);
	bad = rt_check(p, size, seed);
	if (bad >= 0) {
		printf("# region-reader: %s: byte %ld differs\n", name, bad);
		return 1;
	}
	printf("# region-reader: %s: %zu bytes match\n", name, size);
	return 0;
}

TEST_F(region, share_exec)
{
	size_t size = 8 * self->page;
	char size_s[32];
	pid_t pid;
	void *p;

	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0644, size));
	p = rt_map(self->fd, size, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	rt_fill(p, size, 3);
	snprintf(size_s, sizeof(size_s), "%zu", size);

	fflush(stdout);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		execl("/proc/self/exe", "region_test", "--region-reader",
		      self->name, size_s, "3", (char *)NULL);
		_exit(RT_CHILD_ERR);
	}
	EXPECT_EQ(0, rt_wait(pid));

	/* And the check catches a mismatch. */
	((char *)p)[size - 1] ^= 1;
	fflush(stdout);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		execl("/proc/self/exe", "region_test", "--region-reader",
		      self->name, size_s, "3", (char *)NULL);
		_exit(RT_CHILD_ERR);
	}
	EXPECT_EQ(1, rt_wait(pid));
	munmap(p, size);
}

static long futex(uint32_t *uaddr, int op, uint32_t val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

/* The futex key is the region's page, the same in every process. */
TEST_F(region, futex_across_processes)
{
	uint32_t *word;
	pid_t pid;
	long woken = 0;
	int status;

	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600,
			     self->page));
	word = rt_map(self->fd, self->page, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, word);
	word[1] = 0;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = rt_region(self->name, RT_RW, 0, 0);
		uint32_t *w;

		if (fd < 0)
			_exit(RT_CHILD_ERR);
		/* Its own mapping of word[1], at an address of its own. */
		w = rt_map(fd, self->page, PROT_READ | PROT_WRITE, 0);
		if (w == MAP_FAILED)
			_exit(RT_CHILD_ERR + 1);
		for (;;) {
			/* The value never changes: only a wake-up ends this. */
			if (futex(&w[1], FUTEX_WAIT, 0) == 0)
				_exit(0);
			if (errno != EINTR)
				_exit(1);
		}
	}

	/* Wake until the wake-up finds the child asleep on the word. */
	while (woken == 0) {
		woken = futex(&word[1], FUTEX_WAKE, 1);
		ASSERT_LE(0, woken) TH_LOG("FUTEX_WAKE: %s", strerror(errno));
		if (woken)
			break;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			ASSERT_TRUE(0) TH_LOG("child ended before the wake-up, status %#x",
					      status);
		}
		rt_sleep_ms(2);
	}
	EXPECT_EQ(1, woken);
	EXPECT_EQ(0, rt_wait(pid));
	munmap(word, self->page);
}

/* ---- Info ----------------------------------------------------------- */

TEST_F(region, info_fields)
{
	struct kipc_region_info info;

	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0640,
			     3 * self->page));
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(3 * self->page, info.region_size);
	EXPECT_EQ(0640, info.mode);
	EXPECT_EQ(getuid(), info.uid);
	EXPECT_EQ(getgid(), info.gid);
	EXPECT_EQ(1, info.handles);
	EXPECT_EQ(0, info.mappings);
	EXPECT_EQ(0, info.region_flags);
	EXPECT_EQ(RT_RW, info.handle_flags);
}

TEST_F(region, info_flags_must_be_zero)
{
	struct kipc_region_info info;

	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600,
			     self->page));
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_REGION_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(region, info_unbound)
{
	struct kipc_region_info info;

	EXPECT_EQ(-EBADF, rt_info(self->fd, &info));
	/* A queue handle is no region handle either. */
	ASSERT_EQ(0, queue_bind(self->fd, self->name));
	EXPECT_EQ(-EBADF, rt_info(self->fd, &info));
	EXPECT_EQ(0, queue_unlink(self->name));
}

TEST_F(region, info_handles)
{
	struct kipc_region_info info;
	int fd2, fd3;

	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600,
			     self->page));
	fd2 = rt_region(self->name, KIPC_REGION_READ, 0, 0);
	ASSERT_LE(0, fd2);
	fd3 = rt_region(self->name, RT_RW, 0, 0);
	ASSERT_LE(0, fd3);
	ASSERT_EQ(0, rt_info(fd2, &info));
	EXPECT_EQ(3, info.handles);
	EXPECT_EQ(KIPC_REGION_READ, info.handle_flags);
	close(fd3);
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(2, info.handles);
	close(fd2);
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(1, info.handles);
	/* Unlinking drops the name, not the handles. */
	ASSERT_EQ(0, rt_unlink(self->name));
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(1, info.handles);
}

TEST_F(region, info_mappings)
{
	size_t pg = self->page;
	struct kipc_region_info info;
	int to_child[2], to_parent[2];
	char c = 0, *a, *b;
	pid_t pid;

	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600, 3 * pg));
	a = rt_map(self->fd, 3 * pg, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(1, info.mappings);
	b = rt_map(self->fd, pg, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, b);
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(2, info.mappings);
	ASSERT_EQ(0, munmap(b, pg));
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(1, info.mappings);

	/* Unmapping the middle page splits the mapping into two VMAs. */
	ASSERT_EQ(0, munmap(a + pg, pg));
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(2, info.mappings);
	ASSERT_EQ(0, munmap(a, pg));
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(1, info.mappings);

	/* Another process's mapping counts too. */
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = rt_region(self->name, KIPC_REGION_READ, 0, 0);

		/* The copy of the parent's mapping does not count here. */
		munmap(a + 2 * pg, pg);
		if (fd < 0 || rt_map(fd, 2 * pg, PROT_READ, 0) == MAP_FAILED)
			_exit(RT_CHILD_ERR);
		close(fd);
		if (write(to_parent[1], "m", 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(RT_CHILD_ERR + 1);
		_exit(0);
	}
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(2, info.mappings);
	/* The child closed its handle; its mapping remains. */
	EXPECT_EQ(1, info.handles);
	ASSERT_EQ(1, write(to_child[1], "x", 1));
	EXPECT_EQ(0, rt_wait(pid));
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(1, info.mappings);

	ASSERT_EQ(0, munmap(a + 2 * pg, pg));
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(0, info.mappings);
}

/* ---- Lifetime ------------------------------------------------------- */

TEST_F(region, unlink_keeps_mapping)
{
	size_t size = 4 * self->page;
	struct kipc_region_info info;
	void *p, *q;
	int fd2;

	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600, size));
	p = rt_map(self->fd, size, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	rt_fill(p, size, 4);

	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, rt_unlink(self->name));

	/* The mapping still reaches the memory, both ways. */
	EXPECT_EQ(-1, rt_check(p, size, 4));
	rt_fill(p, size, 5);
	EXPECT_EQ(-1, rt_check(p, size, 5));

	/* The name is free. */
	EXPECT_EQ(-ENOENT, rt_region(self->name, RT_RW, 0, 0));
	EXPECT_EQ(-ENOENT, rt_unlink(self->name));

	/* And CREATE makes a new region there, zero-filled. */
	fd2 = rt_region(self->name, RT_CREATE | KIPC_REGION_EXCL, 0600, size);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, rt_info(fd2, &info));
	EXPECT_EQ(0, info.mappings);
	q = rt_map(fd2, size, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_TRUE(rt_all_zero(q, size));
	rt_fill(q, size, 6);
	EXPECT_EQ(-1, rt_check(p, size, 5));
	munmap(q, size);
	munmap(p, size);
	close(fd2);
}

TEST_F(region, unlink_keeps_handle)
{
	struct kipc_region_info info;
	void *p;

	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600,
			     self->page));
	ASSERT_EQ(0, rt_unlink(self->name));
	/* A handle bound before the unlink still maps the region. */
	p = rt_map(self->fd, self->page, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(1, info.mappings);
	munmap(p, self->page);
}

TEST_F(region, unlink_errors)
{
	char long_name[KIPC_NAME_MAX + 1];
	struct kipc_unlink u;

	EXPECT_EQ(-ENOENT, rt_unlink(self->name));
	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600,
			     self->page));

	memset(long_name, 'x', sizeof(long_name));
	EXPECT_EQ(-ENAMETOOLONG, rt_unlink_raw(self->fd, long_name,
					       sizeof(long_name)));
	EXPECT_EQ(-EINVAL, rt_unlink_raw(self->fd, self->name, 0));

	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	u.name = (uintptr_t)self->name;
	u.name_len = strlen(self->name);
	u.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_REGION_UNLINK, &u));
	EXPECT_EQ(EINVAL, errno);
	u.flags = 0;
	u.__reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_REGION_UNLINK, &u));
	EXPECT_EQ(EINVAL, errno);
	u.name = 0;
	u.__reserved = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_REGION_UNLINK, &u));
	EXPECT_EQ(EFAULT, errno);

	/* A queue of the same name is another object. */
	EXPECT_EQ(-ENOENT, queue_unlink(self->name));

	/* Through the bound handle itself, then gone. */
	EXPECT_EQ(0, rt_unlink_raw(self->fd, self->name, strlen(self->name)));
	EXPECT_EQ(-ENOENT, rt_unlink(self->name));
}

/* Regions and queues have separate name spaces. */
TEST_F(region, names_apart_from_queues)
{
	int q = rt_open();

	ASSERT_LE(0, q);
	ASSERT_EQ(0, queue_bind(q, self->name));
	EXPECT_EQ(-ENOENT, rt_bind(self->fd, self->name, RT_RW, 0, 0));
	EXPECT_EQ(0, rt_bind(self->fd, self->name,
			     RT_CREATE | KIPC_REGION_EXCL, 0600, self->page));
	EXPECT_EQ(0, queue_unlink(self->name));
	close(q);
}

/* The memory is freed with the last unmap, not with the name. */
TEST_F(region, memory_freed_after_last_unmap)
{
	const long long size = 32 * MIB;
	const long long slack_kib = 4 * 1024;
	long long before, touched, unlinked, after;
	size_t off;
	char *p;

	before = rt_shmem_kib();
	ASSERT_LE(0, before) TH_LOG("no Shmem: line in /proc/meminfo");

	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600, size));
	p = rt_map(self->fd, size, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (off = 0; off < (size_t)size; off += self->page)
		p[off] = 1;
	touched = rt_shmem_kib();
	EXPECT_LE(size / 1024 - slack_kib, touched - before)
		TH_LOG("Shmem %lld kB -> %lld kB after touching %lld MiB",
		       before, touched, size / (long long)MIB);

	ASSERT_EQ(0, rt_unlink(self->name));
	close(self->fd);
	self->fd = -1;
	unlinked = rt_shmem_kib();
	EXPECT_GE(slack_kib, touched - unlinked)
		TH_LOG("Shmem %lld kB -> %lld kB after unlink and close, while mapped",
		       touched, unlinked);
	EXPECT_EQ(1, p[size - self->page]);

	ASSERT_EQ(0, munmap(p, size));
	after = rt_shmem_kib();
	EXPECT_LE(size / 1024 - slack_kib, unlinked - after)
		TH_LOG("Shmem %lld kB -> %lld kB after the last munmap",
		       unlinked, after);
}

TEST_F(region, auto_delete)
{
	struct kipc_region_info info;
	int fd2, fd3;
	char *p;

	ASSERT_EQ(0, rt_bind(self->fd, self->name,
			     RT_CREATE | KIPC_REGION_AUTO_DELETE, 0600,
			     self->page));
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(KIPC_REGION_AUTO_DELETE, info.region_flags);

	fd2 = rt_region(self->name, RT_RW, 0, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, rt_info(fd2, &info));
	EXPECT_EQ(KIPC_REGION_AUTO_DELETE, info.region_flags);
	p = rt_map(fd2, self->page, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "auto");

	/* One handle left: the name stays. */
	close(self->fd);
	self->fd = -1;
	fd3 = rt_region(self->name, KIPC_REGION_READ, 0, 0);
	ASSERT_LE(0, fd3);
	close(fd3);

	/* The last handle takes the name; the mapping lives on. */
	close(fd2);
	EXPECT_EQ(-ENOENT, rt_region(self->name, KIPC_REGION_READ, 0, 0));
	EXPECT_EQ(-ENOENT, rt_unlink(self->name));
	EXPECT_STREQ("auto", p);
	munmap(p, self->page);
}

TEST_F(region, auto_delete_after_unlink)
{
	int fd2;

	ASSERT_EQ(0, rt_bind(self->fd, self->name,
			     RT_CREATE | KIPC_REGION_AUTO_DELETE, 0600,
			     self->page));
	ASSERT_EQ(0, rt_unlink(self->name));
	/* A new region under the name is not the old one's to delete. */
	fd2 = rt_region(self->name, RT_CREATE | KIPC_REGION_EXCL, 0600,
			self->page);
	ASSERT_LE(0, fd2);
	close(self->fd);
	self->fd = -1;
	close(fd2);
	EXPECT_EQ(0, rt_unlink(self->name));
}

/* ---- Permissions ---------------------------------------------------- */

/* Forks a child that becomes the unprivileged user and runs @fn. */
static int as_user(int (*fn)(const char *name), const char *name)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (rt_become_user())
			_exit(RT_CHILD_ERR);
		_exit(fn(name));
	}
	return rt_wait(pid);
}

static int user_0600(const char *name)
{
	if (rt_region(name, KIPC_REGION_READ, 0, 0) != -EACCES)
		return 1;
	if (rt_region(name, RT_RW, 0, 0) != -EACCES)
		return 2;
	return 0;
}

TEST_F(region, perm_owner_only)
{
	if (geteuid() != 0)
		SKIP(return, "needs root to act as another user");
	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0600,
			     self->page));
	EXPECT_EQ(0, as_user(user_0600, self->name));
}

static int user_0644(const char *name)
{
	int fd = rt_region(name, KIPC_REGION_READ, 0, 0);
	char *p;

	if (fd < 0)
		return 1;
	p = rt_map(fd, rt_page(), PROT_READ, 0);
	if (p == MAP_FAILED || strcmp(p, "world-readable"))
		return 2;
	close(fd);
	if (rt_region(name, RT_RW, 0, 0) != -EACCES)
		return 3;
	return 0;
}

TEST_F(region, perm_world_readable)
{
	char *p;

	if (geteuid() != 0)
		SKIP(return, "needs root to act as another user");
	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0644,
			     self->page));
	p = rt_map(self->fd, self->page, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "world-readable");
	EXPECT_EQ(0, as_user(user_0644, self->name));
	munmap(p, self->page);
}

static int user_unlink(const char *name)
{
	return rt_unlink(name) == -EPERM ? 0 : 1;
}

TEST_F(region, perm_unlink_non_owner)
{
	if (geteuid() != 0)
		SKIP(return, "needs root to act as another user");
	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0666,
			     self->page));
	EXPECT_EQ(0, as_user(user_unlink, self->name));
	/* Still there. */
	EXPECT_EQ(0, rt_unlink(self->name));
}

static int user_group_match(const char *name)
{
	/* Group 1000 gets the group bits, 0, and never the other bits. */
	return rt_region(name, KIPC_REGION_READ, 0, 0) == -EACCES ? 0 : 1;
}

static int user_group_read(const char *name)
{
	int fd = rt_region(name, KIPC_REGION_READ, 0, 0);

	if (fd < 0)
		return 1;
	close(fd);
	return rt_region(name, RT_RW, 0, 0) == -EACCES ? 0 : 2;
}

/* Owner and group come from the creator's fsuid and fsgid. */
TEST_F(region, perm_group)
{
	struct kipc_region_info info;
	int fd2;

	if (geteuid() != 0)
		SKIP(return, "needs root to act as another user");
	setfsgid(RT_USER_GID);
	ASSERT_EQ(RT_USER_GID, setfsgid(RT_USER_GID));
	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0604,
			     self->page));
	fd2 = rt_region(self->name2, RT_CREATE, 0640, self->page);
	setfsgid(0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(0, info.uid);
	EXPECT_EQ(RT_USER_GID, info.gid);

	EXPECT_EQ(0, as_user(user_group_match, self->name));
	EXPECT_EQ(0, as_user(user_group_read, self->name2));
	close(fd2);
}

/* The mode binds the owner too, unless it has CAP_IPC_OWNER. */
TEST_F(region, perm_owner_mode)
{
	int fd2;

	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0400,
			     self->page));
	fd2 = rt_region(self->name, KIPC_REGION_READ, 0, 0);
	EXPECT_LE(0, fd2);
	if (fd2 >= 0)
		close(fd2);
	fd2 = rt_region(self->name, RT_RW, 0, 0);
	if (geteuid() == 0) {
		EXPECT_LE(0, fd2) TH_LOG("CAP_IPC_OWNER overrides the mode");
	} else {
		EXPECT_EQ(-EACCES, fd2);
	}
	if (fd2 >= 0)
		close(fd2);
}

/* ---- IPC namespaces ------------------------------------------------- */

TEST_F(region, ipc_namespace)
{
	pid_t pid;
	char *p;

	if (geteuid() != 0)
		SKIP(return, "needs root for unshare(CLONE_NEWIPC)");
	ASSERT_EQ(0, rt_bind(self->fd, self->name, RT_CREATE, 0666,
			     self->page));
	p = rt_map(self->fd, self->page, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "parent");

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;
		char *q;

		if (unshare(CLONE_NEWIPC))
			_exit(RT_CHILD_ERR);
		if (rt_region(self->name, KIPC_REGION_READ, 0, 0) != -ENOENT)
			_exit(1);
		if (rt_unlink(self->name) != -ENOENT)
			_exit(2);
		/* The name is free here: a region of its own. */
		fd = rt_region(self->name, RT_CREATE | KIPC_REGION_EXCL, 0600,
			       self->page);
		if (fd < 0)
			_exit(3);
		q = rt_map(fd, self->page, PROT_READ | PROT_WRITE, 0);
		if (q == MAP_FAILED || !rt_all_zero(q, self->page))
			_exit(4);
		strcpy(q, "child");
		if (rt_unlink(self->name))
			_exit(5);
		_exit(0);
	}
	EXPECT_EQ(0, rt_wait(pid));
	EXPECT_STREQ("parent", p);
	munmap(p, self->page);
}

/* The harness's main() under another name, behind ours. */
#define main region_test_harness_main
TEST_HARNESS_MAIN
#undef main

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "--region-reader"))
		return region_reader(argv[2], argv[3], argv[4]);
	return region_test_harness_main(argc, argv);
}
