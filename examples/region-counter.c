// SPDX-License-Identifier: GPL-2.0-only
/*
 * region-counter: several processes share one counter in a kipc region
 * and take turns under the region's robust lock.
 *
 *   region-counter [PROCESSES [INCREMENTS]]
 *
 * Each process opens the region by name, maps it, and adds 1 to the
 * counter INCREMENTS times, each under the lock. The last line shows the
 * total, which is exact because no increment was lost.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libkipc.h>

struct shared {
	struct kipc_region_lock lock;
	unsigned long counter;
};

static int fail(const char *what, int err)
{
	fprintf(stderr, "region-counter: %s: %s\n", what, strerror(-err));
	return 1;
}

static int worker(const char *name, unsigned long increments)
{
	struct shared *sh;
	int fd, ret;

	fd = kipc_region_open(name, O_RDWR, 0, 0, 0);
	if (fd < 0)
		return fail("open", fd);
	ret = kipc_region_map(fd, 0, sizeof(*sh), PROT_READ | PROT_WRITE,
			      (void **)&sh);
	kipc_region_close(fd);	/* the mapping keeps the region */
	if (ret)
		return fail("map", ret);

	for (unsigned long i = 0; i < increments; i++) {
		ret = kipc_region_lock(&sh->lock);
		if (ret == -EOWNERDEAD)
			ret = kipc_region_lock_consistent(&sh->lock);
		if (ret)
			return fail("lock", ret);
		sh->counter++;
		kipc_region_unlock(&sh->lock);
	}
	printf("process %d: added %lu\n", getpid(), increments);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long procs = argc > 1 ? strtoul(argv[1], NULL, 0) : 4;
	unsigned long increments = argc > 2 ? strtoul(argv[2], NULL, 0) : 100000;
	char name[64];
	struct shared *sh;
	int fd, ret, failed = 0;

	snprintf(name, sizeof(name), "region-counter.%d", getpid());
	fd = kipc_region_open(name, O_RDWR | O_CREAT | O_EXCL, 0600,
			      sizeof(*sh), KIPC_REGION_AUTO_DELETE);
	if (fd < 0)
		return fail("create", fd);
	ret = kipc_region_map(fd, 0, sizeof(*sh), PROT_READ | PROT_WRITE,
			      (void **)&sh);
	if (ret)
		return fail("map", ret);
	ret = kipc_region_lock_init(&sh->lock);
	if (ret)
		return fail("lock init", ret);

	printf("region %s: %lu processes x %lu increments\n", name, procs,
	       increments);
	fflush(stdout);
	for (unsigned long i = 0; i < procs; i++) {
		if (fork() == 0)
			_exit(worker(name, increments));
	}
	for (unsigned long i = 0; i < procs; i++) {
		int status;

		wait(&status);
		failed |= !WIFEXITED(status) || WEXITSTATUS(status);
	}

	printf("counter = %lu (expected %lu)\n", sh->counter, procs * increments);
	kipc_region_close(fd);	/* auto-delete: the name goes with it */
	return failed || sh->counter != procs * increments;
}
