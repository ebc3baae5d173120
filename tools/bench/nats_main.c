// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc-bench-nats: the command line, CPU accounting and the result lines.
 *
 *   kipc-bench-nats publish -s URL... --stream S --subject SUBJ
 *                   [--replicas N] [--count N] [--window N]
 *                   [--samples N] [--seconds S] [--cpu-pid PID]...
 *   kipc-bench-nats bridge --from PID --to PID --queue NAME
 *                   [--count N] [--samples N] [--seconds S]
 *                   [--cpu-pid PID]...
 *
 * See nats_bench.h for what each measures.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "nats_bench.h"

double nb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* This process, every thread (libnats runs its own). */
uint64_t nb_self_cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL;
}

/*
 * utime + stime of each process, all its threads, from /proc/PID/stat
 * (fields 14 and 15, in clock ticks: 10 ms, fine over seconds). The
 * command name, field 2, may hold spaces: count from its ')'.
 */
static int pid_cpu_ns(pid_t pid, uint64_t *ns)
{
	unsigned long long ut, st;
	char path[64], buf[1024], *p;
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		return -EINVAL;
	*ns = (ut + st) * (1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK));
	return 0;
}

int nb_pids_cpu(const struct nb_pids *p, struct nb_cpu *c)
{
	int ret;

	c->total = 0;
	for (int i = 0; i < p->n; i++) {
		ret = pid_cpu_ns(p->pid[i], &c->ns[i]);
		if (ret) {
			fprintf(stderr, "kipc-bench-nats: pid %d: %s\n",
				(int)p->pid[i], strerror(-ret));
			return ret;
		}
		c->total += c->ns[i];
	}
	return 0;
}

/*
 * Where the time went, process by process, to stderr: the console log
 * keeps it beside the table, which has the sum.
 */
void nb_cpu_breakdown(const char *id, const struct nb_pids *p,
		      const struct nb_cpu *before, const struct nb_cpu *after,
		      unsigned long msgs)
{
	char path[64], comm[32];

	fprintf(stderr, "kipc-bench-nats: %s, cpu us/msg:", id);
	for (int i = 0; i < p->n; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/comm", (int)p->pid[i]);
		f = fopen(path, "r");
		if (!f || !fgets(comm, sizeof(comm), f))
			snprintf(comm, sizeof(comm), "?");
		if (f)
			fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		fprintf(stderr, " %s[%d] %.1f", comm, (int)p->pid[i],
			(double)(after->ns[i] - before->ns[i]) / msgs / 1e3);
	}
	fputc('\n', stderr);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank, as kipc-bench's own latency rows; sorts @v. */
double nb_percentile(double *v, size_t n, double pct)
{
	size_t rank;

	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	rank = (size_t)ceil(pct / 100 * (double)n);
	return v[rank ? rank - 1 : 0];
}

void nb_result(const char *id, const char *fmt, ...)
{
	va_list ap;

	printf("result %s ", id);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* @lat in seconds; CPU per sample, this program's and the others'. */
void nb_latency_result(const char *id, double *lat, size_t n,
		       double self_ns, double others_ns)
{
	double secs = 0;

	for (size_t i = 0; i < n; i++)
		secs += lat[i];
	nb_result(id, "samples=%zu seconds=%.3f p50_ns=%.0f p99_ns=%.0f cpu_ns=%.0f cpu_self_ns=%.0f cpu_others_ns=%.0f",
		  n, secs, nb_percentile(lat, n, 50) * 1e9,
		  nb_percentile(lat, n, 99) * 1e9, self_ns + others_ns,
		  self_ns, others_ns);
}

static void usage(FILE *f)
{
	fputs("usage: kipc-bench-nats publish -s URL... --stream S --subject SUBJ\n"
	      "                       [--replicas N] [--count N] [--window N]\n"
	      "                       [--samples N] [--seconds S] [--cpu-pid PID]...\n"
	      "       kipc-bench-nats bridge --from PID --to PID --queue NAME\n"
	      "                       [--count N] [--samples N] [--seconds S]\n"
	      "                       [--cpu-pid PID]...\n"
	      "  publish: JetStream's own asynchronous publish rate and synchronous\n"
	      "           publish latency, 64 B, to a stream made for it and deleted\n"
	      "  bridge:  64 B messages sent into QUEUE in the IPC namespace of\n"
	      "           --from and received from QUEUE in that of --to\n"
	      "  --cpu-pid PID  a process whose CPU time counts too (repeat)\n", f);
}

static unsigned long number(const char *opt, const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || !v) {
		fprintf(stderr, "kipc-bench-nats: --%s %s: a positive number\n",
			opt, arg);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "stream", required_argument, NULL, 'S' },
		{ "subject", required_argument, NULL, 'j' },
		{ "replicas", required_argument, NULL, 'R' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "queue", required_argument, NULL, 'q' },
		{ "count", required_argument, NULL, 'n' },
		{ "samples", required_argument, NULL, 'm' },
		{ "window", required_argument, NULL, 'w' },
		{ "seconds", required_argument, NULL, 't' },
		{ "cpu-pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct nb_opts o = {
		.replicas = 1, .count = 20000, .warmup = 200, .samples = 1000,
		.window = 256, .seconds = 10,
	};
	const char *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (o.nservers == NB_MAX_SERVERS) {
				fprintf(stderr, "kipc-bench-nats: at most %d servers\n",
					NB_MAX_SERVERS);
				return 2;
			}
			o.servers[o.nservers++] = optarg;
			break;
		case 'S': o.stream = optarg; break;
		case 'j': o.subject = optarg; break;
		case 'R': o.replicas = (int)number("replicas", optarg); break;
		case 'F': o.from = (pid_t)number("from", optarg); break;
		case 'T': o.to = (pid_t)number("to", optarg); break;
		case 'q': o.queue = optarg; break;
		case 'n': o.count = number("count", optarg); break;
		case 'm': o.samples = number("samples", optarg); break;
		case 'w': o.window = (unsigned int)number("window", optarg); break;
		case 't': o.seconds = (double)number("seconds", optarg); break;
		case 'p':
			if (o.pids.n == NB_MAX_PIDS) {
				fprintf(stderr, "kipc-bench-nats: at most %d pids\n",
					NB_MAX_PIDS);
				return 2;
			}
			o.pids.pid[o.pids.n++] = (pid_t)number("cpu-pid", optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	if (!strcmp(cmd, "publish")) {
		if (!o.nservers || !o.stream || !o.subject) {
			usage(stderr);
			return 2;
		}
		return nb_publish(&o) ? 1 : 0;
	}
	if (!strcmp(cmd, "bridge")) {
		if (!o.from || !o.to || !o.queue) {
			usage(stderr);
			return 2;
		}
		return nb_bridge(&o) ? 1 : 0;
	}
	usage(stderr);
	return 2;
}
