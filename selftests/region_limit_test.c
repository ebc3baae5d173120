// SPDX-License-Identifier: GPL-2.0-only
/*
 * A region counts while any of it lives: its name, a handle, or only a
 * mapping. Such a region counts in its namespace's max_regions, in
 * kipc_stats_get().regions and in its creator's max_user_region_bytes,
 * and the listing shows it, flagged KIPC_REGION_UNLINKED, until the last
 * mapping goes.
 *
 * Each test works in a child that is unprivileged where it matters: in
 * the root run it drops CAP_SYS_RESOURCE for good; in the kipcuser run it
 * has none to drop. The namespace tests enter a fresh IPC namespace (as
 * root directly, else inside a new user namespace), so that nothing else
 * is counted there.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libkipc.h>

#include "kselftest_harness.h"
#include "kipc_test.h"

/* Regions a child holds by their mappings alone. */
#define MAX_HELD	4096

/* Drops what would exempt the child from the limits under test. */
static int become_unprivileged(void)
{
	if (geteuid() != 0)
		return 0;
	return kt_caps_clear(KT_CAP(CAP_SYS_RESOURCE), 1);
}

/*
 * Creates a region, maps @size bytes of it, then closes the handle and
 * unlinks the name, so only the mapping keeps it: the mapping, or NULL
 * with *@err set when the create fails.
 */
static void *mapped_only(const char *name, size_t size, int *err)
{
	void *p = NULL;
	int fd, ret;

	fd = kipc_region_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, size, 0);
	if (fd < 0) {
		*err = fd;
		return NULL;
	}
	ret = kipc_region_map(fd, 0, size, PROT_READ | PROT_WRITE, &p);
	kipc_region_close(fd);
	kipc_region_unlink(name);
	if (ret) {
		*err = ret;
		return NULL;
	}
	*err = 0;
	return p;
}

struct listing {
	unsigned int all, unlinked;
};

static int count_region(const struct kipc_obj_info *info, void *arg)
{
	struct listing *l = arg;

	l->all++;
	if (info->flags & KIPC_REGION_UNLINKED)
		l->unlinked++;
	return 0;
}

/* The count kipc_region_list() returns, which must be what it listed. */
static int list_regions(struct listing *l)
{
	int n;

	memset(l, 0, sizeof(*l));
	n = kipc_region_list(count_region, l);
	return n < 0 || (unsigned int)n == l->all ? n : -EPROTO;
}

static long stats_regions(void)
{
	struct kipc_stats st;
	int ret;

	memset(&st, KT_POISON, sizeof(st));
	ret = kipc_stats_get(&st);
	return ret < 0 ? ret : (long)st.regions;
}

/*
 * The black-box finding: create, map, close and unlink 300 regions with
 * max_regions at 256. Exactly max_regions succeed, the next fails with
 * ENOSPC, stats count them, the listing shows them unlinked, and they
 * count no more once unmapped.
 */
TEST(mapped_only_regions_count_in_max_regions)
{
	long max_regions = kt_param("max_regions");
	long before;
	pid_t pid;

	if (!kt_can_enter_ipc_ns())
		SKIP(return, "needs root (or user namespaces) to unshare(CLONE_NEWIPC)");
	ASSERT_LT(0, max_regions);
	if (max_regions >= MAX_HELD)
		SKIP(return, "max_regions %ld is over this test's %d", max_regions,
		     MAX_HELD);
	before = stats_regions();
	ASSERT_LE(0, before);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static void *held[MAX_HELD];
		size_t page = (size_t)sysconf(_SC_PAGESIZE);
		struct listing l;
		char name[64];
		long i, n = 0;
		int err;

		KT_CHILD_EQ(0, kt_enter_ipc_ns());
		KT_CHILD_EQ(0, become_unprivileged());
		for (i = 0; i < max_regions + 44; i++) {
			kt_name(name, sizeof(name), "mo");
			held[n] = mapped_only(name, page, &err);
			if (!held[n])
				break;
			n++;
		}
		if (n != max_regions)
			fprintf(stderr, "# %ld regions held, then: %s\n", n,
				strerror(-err));
		KT_CHILD_EQ(max_regions, n);
		KT_CHILD_EQ(-ENOSPC, err);

		KT_CHILD_TRUE(stats_regions() >= before + max_regions);
		KT_CHILD_EQ(max_regions, list_regions(&l));
		KT_CHILD_EQ(max_regions, l.unlinked);

		/* One unmapped makes room for exactly one. */
		KT_CHILD_EQ(0, kipc_region_unmap(held[--n], page));
		kt_name(name, sizeof(name), "mo");
		held[n] = mapped_only(name, page, &err);
		KT_CHILD_EQ(0, err);
		n++;
		kt_name(name, sizeof(name), "mo");
		KT_CHILD_TRUE(!mapped_only(name, page, &err));
		KT_CHILD_EQ(-ENOSPC, err);

		while (n)
			KT_CHILD_EQ(0, kipc_region_unmap(held[--n], page));
		KT_CHILD_EQ(0, list_regions(&l));
		_exit(0);
	}
	EXPECT_EQ(0, kt_wait_child(pid));
	EXPECT_EQ(before, stats_regions());
}

/* A region held by its mapping alone is listed, unlinked, with its size. */
static int find_size(const struct kipc_obj_info *info, void *arg)
{
	uint64_t *size = arg;

	if (info->flags & KIPC_REGION_UNLINKED)
		*size = info->size;
	return 0;
}

TEST(mapped_only_region_listed_as_unlinked)
{
	size_t size = 3 * (size_t)sysconf(_SC_PAGESIZE);
	pid_t pid;

	if (!kt_can_enter_ipc_ns())
		SKIP(return, "needs root (or user namespaces) to unshare(CLONE_NEWIPC)");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct listing l;
		uint64_t seen = 0;
		char name[64];
		void *p;
		int err;

		KT_CHILD_EQ(0, kt_enter_ipc_ns());
		kt_name(name, sizeof(name), "ml");
		p = mapped_only(name, size, &err);
		KT_CHILD_EQ(0, err);
		KT_CHILD_EQ(1, list_regions(&l));
		KT_CHILD_EQ(1, l.unlinked);
		KT_CHILD_EQ(1, kipc_region_list(find_size, &seen));
		KT_CHILD_EQ(size, seen);
		/* The name is free again, and a new region takes it. */
		KT_CHILD_EQ(-ENOENT, kipc_region_unlink(name));
		KT_CHILD_EQ(0, kipc_region_unmap(p, size));
		KT_CHILD_EQ(0, list_regions(&l));
		_exit(0);
	}
	EXPECT_EQ(0, kt_wait_child(pid));
}

/*
 * Regions charge their size to their creator until their memory is gone:
 * with max_user_region_bytes / max_region_size regions of the largest
 * size held, named or by a mapping alone, the next create fails with
 * EDQUOT; unmapping one gives its bytes back.
 */
TEST(region_bytes_charged_per_user)
{
	long max_size = kt_param("max_region_size");
	long max_user = kt_param("max_user_region_bytes");
	pid_t pid;

	ASSERT_LT(0, max_size);
	ASSERT_LT(0, max_user);
	if (max_user % max_size || max_user / max_size > 64)
		SKIP(return, "max_user_region_bytes %ld is not a small multiple of max_region_size %ld",
		     max_user, max_size);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		long k = max_user / max_size, i;
		void *held[64];
		char name[64], named[64];
		int err, fd;

		KT_CHILD_EQ(0, become_unprivileged());
		/* All but one held by mappings alone, the last by its name. */
		for (i = 0; i < k - 1; i++) {
			kt_name(name, sizeof(name), "uc");
			held[i] = mapped_only(name, max_size, &err);
			if (err)
				fprintf(stderr, "# region %ld: %s\n", i, strerror(-err));
			KT_CHILD_EQ(0, err);
		}
		kt_name(named, sizeof(named), "uc");
		fd = kipc_region_open(named, O_RDWR | O_CREAT | O_EXCL, 0600,
				      max_size, 0);
		KT_CHILD_TRUE(fd >= 0);
		KT_CHILD_EQ(0, kipc_region_close(fd));

		kt_name(name, sizeof(name), "uc");
		KT_CHILD_EQ(-EDQUOT, kipc_region_open(name, O_RDWR | O_CREAT | O_EXCL,
						       0600, max_size, 0));
		/* The smallest region too: the charge is full. */
		KT_CHILD_EQ(-EDQUOT, kipc_region_open(name, O_RDWR | O_CREAT | O_EXCL,
						       0600, 1, 0));

		if (k > 1) {
			KT_CHILD_EQ(0, kipc_region_unmap(held[k - 2], max_size));
			fd = kipc_region_open(name, O_RDWR | O_CREAT | O_EXCL,
					      0600, max_size, 0);
			KT_CHILD_TRUE(fd >= 0);
			KT_CHILD_EQ(0, kipc_region_close(fd));
			KT_CHILD_EQ(0, kipc_region_unlink(name));
			k--;
		}
		KT_CHILD_EQ(0, kipc_region_unlink(named));
		for (i = 0; i < k - 1; i++)
			KT_CHILD_EQ(0, kipc_region_unmap(held[i], max_size));
		_exit(0);
	}
	EXPECT_EQ(0, kt_wait_child(pid));
}

/* CAP_SYS_RESOURCE is exempt, as it is from max_regions. */
TEST(region_bytes_exempt_with_cap_sys_resource)
{
	long max_user = kt_param("max_user_region_bytes");
	long max_size = kt_param("max_region_size");
	char name[64];
	int fds[64];
	long i, k;

	if (!kt_has_cap(CAP_SYS_RESOURCE))
		SKIP(return, "needs CAP_SYS_RESOURCE");
	ASSERT_LT(0, max_size);
	k = max_user / max_size + 1;
	if (k > 64)
		SKIP(return, "max_user_region_bytes %ld needs over 64 regions", max_user);
	for (i = 0; i < k; i++) {
		kt_name(name, sizeof(name), "ux");
		fds[i] = kipc_region_open(name, O_RDWR | O_CREAT | O_EXCL, 0600,
					  max_size, KIPC_REGION_AUTO_DELETE);
		ASSERT_LE(0, fds[i]) TH_LOG("region %ld: %s", i, strerror(-fds[i]));
	}
	for (i = 0; i < k; i++)
		EXPECT_EQ(0, kipc_region_close(fds[i]));
}

TEST_HARNESS_MAIN
