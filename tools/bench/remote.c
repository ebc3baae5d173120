// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc-bench: the rows across hosts, which a helper measures.
 *
 * kipc-bench is static and talks to /dev/kipc alone; what crosses hosts
 * needs a JetStream cluster, libnats and kipc-bridge. So --remote names
 * a program (bridge-rig.sh in the guest) that sets that up, runs
 * kipc-bench-nats, and prints one line per row:
 *
 *   result ID key=value ...     measured
 *   skip ID reason ...          not measured, and why
 *
 * Its other output passes through. A row it says nothing about is
 * reported as failed, with the helper's exit status: no row vanishes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static const struct {
	const char *id;
	const char *name;
	int latency;
} rows[BENCH_REMOTE_ROWS] = {
	[BENCH_NATS_ASYNC] = { "nats-async", "nats-async-publish", 0 },
	[BENCH_NATS_SYNC] = { "nats-sync", "nats-sync-publish", 1 },
	[BENCH_BRIDGE_STREAM] = { "bridge-stream", "kipc-bridge", 0 },
	[BENCH_BRIDGE_LATENCY] = { "bridge-latency", "kipc-bridge", 1 },
};

/* Every row not measured: skipped (n/a) for @why, or failed. */
/* Every row not measured: skipped (n/a) for @why, or failed. */
void bench_remote_init(struct bench_remote *r, const char *why, int skipped)
{
	for (int i = 0; i < BENCH_REMOTE_ROWS; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].name = rows[i].name;
		r[i].latency = rows[i].latency;
		r[i].skipped = skipped;
		snprintf(r[i].why, sizeof(r[i].why), "%s", why);
	}
}

const char *bench_remote_id(int row)
{
	return rows[row].id;
}

static int row_of(const char *id)
{
	for (int i = 0; i < BENCH_REMOTE_ROWS; i++)
		if (!strcmp(id, rows[i].id))
			return i;
	return -1;
}

/*
 * "result ID k=v k=v ...": the keys kipc-bench-nats writes, one repeat
 * of the row. The helper interleaves the rows' repeats, as kipc-bench
 * does its own, so that a slow patch of the host hits one repeat of
 * each rather than every repeat of one.
 */
static void parse_result(struct bench_remote *r, char *kv)
{
	struct bench_remote_fig *f;
	char *tok, *save, *eq;

	if (r->runs == BENCH_MAX_REPEATS)
		return;
	f = &r->run[r->runs++];
	f->msgs_per_s = f->p50 = f->p99 = f->cpu_ns = NAN;
	f->cpu_self_ns = f->cpu_others_ns = f->count = f->seconds = NAN;
	for (tok = strtok_r(kv, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		double v;

		eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		v = strtod(eq + 1, NULL);
		if (!strcmp(tok, "msg_s"))
			f->msgs_per_s = v;
		else if (!strcmp(tok, "msgs") || !strcmp(tok, "samples"))
			f->count = v;
		else if (!strcmp(tok, "seconds"))
			f->seconds = v;
		else if (!strcmp(tok, "p50_ns"))
			f->p50 = v;
		else if (!strcmp(tok, "p99_ns"))
			f->p99 = v;
		else if (!strcmp(tok, "cpu_ns"))
			f->cpu_ns = v;
		else if (!strcmp(tok, "cpu_self_ns"))
			f->cpu_self_ns = v;
		else if (!strcmp(tok, "cpu_others_ns"))
			f->cpu_others_ns = v;
	}
	r->ok = 1;
	r->skipped = 0;
	r->why[0] = '\0';
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Each field's median over the repeats, separately, as for the rest. */
static void medians(struct bench_remote *r)
{
	double v[BENCH_MAX_REPEATS];

#define MED(field) ({							\
	for (int k = 0; k < r->runs; k++)				\
		v[k] = r->run[k].field;					\
	qsort(v, r->runs, sizeof(v[0]), cmp_double);			\
	r->runs & 1 ? v[r->runs / 2] :					\
		      (v[r->runs / 2 - 1] + v[r->runs / 2]) / 2; })

	if (!r->runs)
		return;
	r->med.msgs_per_s = MED(msgs_per_s);
	r->med.p50 = MED(p50);
	r->med.p99 = MED(p99);
	r->med.cpu_ns = MED(cpu_ns);
	r->med.cpu_self_ns = MED(cpu_self_ns);
	r->med.cpu_others_ns = MED(cpu_others_ns);
	r->med.count = MED(count);
	r->med.seconds = MED(seconds);
#undef MED
}

static void parse_line(struct bench_remote *res, char *line)
{
	char *id, *rest;
	int row;

	if (strncmp(line, "result ", 7) && strncmp(line, "skip ", 5)) {
		printf("%s\n", line);
		fflush(stdout);
		return;
	}
	id = strchr(line, ' ') + 1;
	rest = strchr(id, ' ');
	if (rest)
		*rest++ = '\0';
	else
		rest = id + strlen(id);
	row = row_of(id);
	if (row < 0)
		return;
	if (line[0] == 'r') {
		parse_result(&res[row], rest);
		printf("[across hosts] %-20s measured, repeat %d\n", id,
		       res[row].runs);
	} else if (!res[row].ok) {
		res[row].skipped = 1;
		snprintf(res[row].why, sizeof(res[row].why), "%s", rest);
		printf("[across hosts] %-20s skipped: %s\n", id, rest);
	}
	fflush(stdout);
}

/*
 * Runs @cmd (with "--quick" when @quick) on every CPU, not on the one
 * this process is pinned to, and fills @res from what it prints.
 */
int bench_remote_run(const char *cmd, int quick, struct bench_remote *res)
{
	char buf[8192], why[64];
	size_t len = 0;
	cpu_set_t all;
	int p[2], st, i;
	pid_t pid;

	bench_remote_init(res, "", 0);
	if (pipe(p))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		CPU_ZERO(&all);
		for (i = 0; i < CPU_SETSIZE; i++)
			CPU_SET(i, &all);
		sched_setaffinity(0, sizeof(all), &all);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGALRM, SIG_DFL);
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		execl(cmd, cmd, quick ? "--quick" : (char *)NULL, (char *)NULL);
		fprintf(stderr, "kipc-bench: %s: %s\n", cmd, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		ssize_t n = read(p[0], buf + len, sizeof(buf) - 1 - len);
		char *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			parse_line(res, buf);
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len + 1);
		}
		if (len == sizeof(buf) - 1)
			len = 0;	/* a line too long to be ours */
	}
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st))
		snprintf(why, sizeof(why), "the helper exited with status %d",
			 WEXITSTATUS(st));
	else
		snprintf(why, sizeof(why), "the helper died of signal %d",
			 WTERMSIG(st));
	for (i = 0; i < BENCH_REMOTE_ROWS; i++)
		medians(&res[i]);
	for (i = 0; i < BENCH_REMOTE_ROWS; i++)
		if (!res[i].ok && !res[i].skipped)
			snprintf(res[i].why, sizeof(res[i].why),
				 "no result; %s", why);
	return 0;
}
