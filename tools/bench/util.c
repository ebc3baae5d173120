// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc-bench: small helpers shared by the harness and the mechanisms.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int bench_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* Raises a sysctl to at least @value; lowers nothing. */
int bench_write_sysctl(const char *path, unsigned long value)
{
	unsigned long cur = 0;
	char buf[32];
	FILE *f;
	int n;

	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fscanf(f, "%lu", &cur);
	fclose(f);
	if (n == 1 && cur >= value)
		return 0;

	f = fopen(path, "w");
	if (!f)
		return -errno;
	snprintf(buf, sizeof(buf), "%lu\n", value);
	n = fputs(buf, f) < 0 ? -EIO : 0;
	if (fclose(f) && !n)
		n = -errno;
	return n;
}

int bench_full_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

int bench_full_read(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

int bench_kipc_open(void)
{
	int fd = open("/dev/kipc", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* A name no other run of the benchmark uses at the same time. */
void bench_unique_name(char *buf, size_t len, const char *what)
{
	static unsigned int counter;

	snprintf(buf, len, "kipc-bench-%d-%s-%u", (int)getpid(), what,
		 counter++);
}

/*
 * The CPU the run saw, and what that means for copies: with ERMS or FSRM
 * the kernel copies to and from user memory (and glibc copies large
 * blocks) with "rep movsb", which is fast on hardware but which QEMU's
 * software emulation runs one byte per iteration. A guest with QEMU's
 * "max" CPU model advertises both, so every copy in it is slow; with the
 * default model it copies in words, several times faster. Every mechanism
 * in a run pays the same, but the split between copies and the rest
 * moves, so the table says which it was.
 */
void bench_cpu_model(char *model, size_t len, const char **copy_insn)
{
	char line[4096];
	int erms = 0, fsrm = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(model, len, "unknown");
	*copy_insn = "unknown";
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
			snprintf(model, len, "%s", strchr(line, ':') + 2);
			model[strcspn(model, "\n")] = '\0';
		} else if (!strncmp(line, "flags", 5)) {
			erms = !!strstr(line, " erms");
			fsrm = !!strstr(line, " fsrm");
			break;
		}
	}
	fclose(f);
	*copy_insn = fsrm ? "rep movsb (fsrm)" : erms ? "rep movsb (erms)" :
		     "word moves (no erms/fsrm)";
}
