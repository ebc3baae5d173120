// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc-bench: kipc side by side with the kernel's own IPC.
 *
 *   kipc-bench --out DIR [--quick] [--filter LIST] [--repeats N]
 *              [--budget SECONDS] [--remote PROGRAM]
 *
 * Runs every configuration (measure x size x placement x mechanism) once
 * per round, round after round, so that the repeats of one configuration
 * are spread over the whole run rather than back to back. It prints a
 * progress line per run, then writes table.txt, bench.json and .dat files
 * to DIR and prints the table. Run it as root: it raises the IPC sysctls
 * and RLIMIT_MSGQUEUE so that every mechanism can hold 64 messages of
 * 64 KiB.
 *
 * The rows across hosts (NATS JetStream and kipc-bridge) come last, from
 * the --remote program (remote.c), once: their rig is one cluster.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static const struct bench_mech *const mechs[] = {
	&bench_kipc_queue,
	&bench_kipc_queue_nopoll,
	&bench_kipc_batch,
	&bench_kipc_region,
	&bench_posix_mq,
	&bench_sysv_msg,
	&bench_pipe,
	&bench_unix,
	&bench_unix_mmsg,
	&bench_eventfd_shm,
	&bench_shm_spsc,
};
#define NMECHS ((int)(sizeof(mechs) / sizeof(mechs[0])))

static const size_t sizes[] = { 64, 4096, 65536 };
#define NSIZES ((int)(sizeof(sizes) / sizeof(sizes[0])))

#define MAX_RESULTS (2 * NSIZES * 2 * NMECHS)

/*
 * Seconds the measurements may take: with the guest's boot and the copy
 * of the results, `make bench` stays under 10 minutes in emulation.
 */
#define DEFAULT_BUDGET	450

/* Fork, set-up, warm-up and teardown of one run, beyond its time cap. */
#define RUN_OVERHEAD	0.2

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kipc-bench --out DIR [--quick] [--filter LIST] [--repeats N]\n"
		"                  [--budget SECONDS]\n"
		"  --out DIR      write table.txt, bench.json and *.dat there\n"
		"  --quick        few samples, short streams, one repeat: a smoke test\n"
		"  --filter LIST  comma-separated substrings; run only configurations\n"
		"                 whose id contains one, e.g. kipc-queue,pipe or\n"
		"                 latency/64B/diff (POSIX mq always runs beside them)\n"
		"  --repeats N    rounds (default 3, quick 1; at most %d)\n"
		"  --budget S     seconds for all the runs (default %d, quick 120): when\n"
		"                 behind, the next runs' time caps shrink to fit\n"
		"  --remote PROG  the rows across hosts: PROG [--quick] prints them\n"
		"                 (tools/bench/bridge-rig.sh, in the guest)\n"
		"Configuration ids: MEASURE/SIZE/PLACEMENT/MECHANISM, with MEASURE\n"
		"latency or stream, SIZE 64B, 4KiB or 64KiB, PLACEMENT diff or same;\n"
		"and across hosts, all run together: bridge/64B/nats-async,\n"
		"bridge/64B/nats-sync, bridge/64B/bridge-stream, bridge/64B/bridge-latency.\n"
		"Mechanisms:\n", BENCH_MAX_REPEATS, DEFAULT_BUDGET);
	for (int i = 0; i < NMECHS; i++)
		fprintf(f, "  %-16s %s\n", mechs[i]->name, mechs[i]->desc);
}

static void print_file(const char *dir, const char *name)
{
	char path[4096], buf[4096];
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return;
	while ((len = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, len, stdout);
	fclose(f);
	fflush(stdout);
}

static void on_signal(int sig)
{
	(void)sig;
}

/*
 * Without SA_RESTART, the watchdog alarm and a child's exit interrupt
 * whatever the parent is blocked in, so a run whose peer died ends.
 */
static void install_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
}

/*
 * Room for BENCH_DEPTH messages of 64 KiB in every mechanism. Socket
 * buffers use SO_SNDBUFFORCE and pipes F_SETPIPE_SZ as root, so neither
 * wmem_max nor pipe-max-size needs raising; what is raised here belongs
 * to the IPC and network namespaces.
 */
static void prepare_system(void)
{
	static const struct {
		const char *path;
		unsigned long value;
	} sysctls[] = {
		{ "/proc/sys/fs/mqueue/msg_max", BENCH_DEPTH },
		{ "/proc/sys/fs/mqueue/msgsize_max", 65536 },
		{ "/proc/sys/kernel/msgmax", 65536 },
		{ "/proc/sys/kernel/msgmnb", BENCH_DEPTH * 65536 },
		{ "/proc/sys/net/unix/max_dgram_qlen", BENCH_DEPTH },
	};
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
		ret = bench_write_sysctl(sysctls[i].path, sysctls[i].value);
		if (ret)
			fprintf(stderr, "kipc-bench: %s: %s\n", sysctls[i].path,
				strerror(-ret));
	}
	if (setrlimit(RLIMIT_MSGQUEUE, &rl))
		fprintf(stderr, "kipc-bench: RLIMIT_MSGQUEUE: %s\n",
			strerror(errno));
}

/*
 * Sample budgets. Software emulation is 20-50 times slower than hardware,
 * and the whole run must fit in 10 minutes. The 64 B different-CPU round
 * trip, the headline, takes 100,000 samples per repeat (10-15 s at
 * 80-120 us); its 18 s cap only bites when the host stalls the guest, and
 * the table shows the counts. The other latency cases take fewer samples
 * and stop at a 1 s cap; a run never stops before min_samples.
 */
static struct bench_lat_params lat_params(size_t size, int same, int quick)
{
	if (quick)
		return (struct bench_lat_params){ 2000, 200, 200, 0.5 };
	if (size == 64 && !same)
		return (struct bench_lat_params){ 100000, 1000, 1000, 18.0 };
	if (size == 64)
		return (struct bench_lat_params){ 10000, 1000, 500, 1.5 };
	if (size == 4096)
		return (struct bench_lat_params){ 10000, 500, 200, 1.0 };
	return (struct bench_lat_params){ 5000, 300, 100, 1.0 };
}

static struct bench_stream_params stream_params(int quick)
{
	if (quick)
		return (struct bench_stream_params){ 0.05, 100000,
						     2 * BENCH_BATCH };
	return (struct bench_stream_params){ 0.3, 2000000, 2 * BENCH_BATCH };
}

static int matches(const char *id, const char *filter)
{
	char *list, *tok, *save;
	int hit = 0;

	if (!filter)
		return 1;
	list = strdup(filter);
	if (!list)
		return 1;
	for (tok = strtok_r(list, ",", &save); tok && !hit;
	     tok = strtok_r(NULL, ",", &save))
		hit = strstr(id, tok) != NULL;
	free(list);
	return hit;
}

/* Every selected configuration, and POSIX mq beside any of them. */
static int plan(struct bench_result *res, const char *filter, int cpus,
		int quick)
{
	int n = 0, lat, s, same, i;

	for (lat = 1; lat >= 0; lat--)
		for (s = 0; s < NSIZES; s++)
			for (same = 0; same <= 1; same++) {
				int first = n, any = 0;

				if (!same && cpus < 2)
					continue;
				for (i = 0; i < NMECHS; i++) {
					const struct bench_mech *m = mechs[i];
					struct bench_result *r = &res[n];

					if (!(m->flags & (lat ? BENCH_M_LATENCY :
							  BENCH_M_STREAM)))
						continue;
					memset(r, 0, sizeof(*r));
					r->latency = lat;
					r->size = sizes[s];
					r->same_cpu = same;
					r->m = m;
					snprintf(r->id, sizeof(r->id),
						 "%s/%s/%s/%s",
						 lat ? "latency" : "stream",
						 bench_size_name(sizes[s]),
						 same ? "same" : "diff",
						 m->name);
					if (lat)
						r->params.lat = lat_params(
							sizes[s], same, quick);
					else
						r->params.stream =
							stream_params(quick);
					if (matches(r->id, filter)) {
						any = 1;
						n++;
					} else if (m->flags & BENCH_M_BASE) {
						n++;
					}
				}
				if (!any)
					n = first;
			}
	return n;
}

/*
 * Whether the filter selects any row across hosts; then all of them run,
 * since they share one rig, and NATS's own rows are the bridge's base.
 */
static int remote_selected(const char *filter)
{
	char id[64];

	for (int i = 0; i < BENCH_REMOTE_ROWS; i++) {
		snprintf(id, sizeof(id), "bridge/64B/%s", bench_remote_id(i));
		if (matches(id, filter))
			return 1;
	}
	return 0;
}

static int run_remote(const char *cmd, int quick, struct bench_remote *r)
{
	int ret;

	if (!cmd) {
		bench_remote_init(r, "not run: no --remote program", 1);
		return 0;
	}
	printf("[across hosts] %s%s\n", cmd, quick ? " --quick" : "");
	fflush(stdout);
	ret = bench_remote_run(cmd, quick, r);
	if (ret)
		bench_remote_init(r, strerror(-ret), 0);
	return ret;
}

/* What a run's time cap is: the latency cap or the streaming time. */
static double run_cap(const struct bench_result *r)
{
	return r->latency ? r->params.lat.max_seconds : r->params.stream.seconds;
}

/*
 * Runs one configuration once. @scale (at most 1) shortens its time cap
 * when the run is behind its time budget; the shortest cap is 0.1 s.
 */
static void run_one(struct bench_result *r, int index, int total, int round,
		    int rounds, double t_start, double scale)
{
	int peer = r->same_cpu ? 0 : 1;
	double t = bench_now(), cap = run_cap(r) * scale;
	int ret;

	if (cap < 0.1)
		cap = 0.1;
	printf("[%3d/%d] round %d/%d %-34s ", index, total, round, rounds,
	       r->id);
	fflush(stdout);
	r->runs++;
	if (r->latency) {
		struct bench_lat_params p = r->params.lat;
		struct bench_lat *l = &r->lat[r->ok];

		p.max_seconds = cap;
		ret = bench_latency(r->m, r->size, peer, &p, l);
		if (!ret)
			printf("p50 %8.1f us  p99 %8.1f us  p99.9 %8.1f us  (%lu samples)",
			       l->p50 / 1e3, l->p99 / 1e3, l->p999 / 1e3,
			       l->samples);
	} else {
		struct bench_stream_params p = r->params.stream;
		struct bench_stream *st = &r->st[r->ok];

		p.seconds = cap;
		ret = bench_streaming(r->m, r->size, peer, &p, st);
		if (!ret)
			printf("%10.0f msg/s %8.1f MB/s  (%lu msgs)",
			       st->msgs_per_s, st->mb_per_s, st->msgs);
	}
	if (ret) {
		r->err = ret;
		printf("FAILED: %s", strerror(-ret));
	} else {
		r->ok++;
	}
	if (scale < 0.95) {
		printf("  (cap cut to %.1f s: behind the time budget)", cap);
		r->shortened++;
	}
	r->est = bench_now() - t;
	printf("  [%.1f s, total %.0f s]\n", r->est, bench_now() - t_start);
	fflush(stdout);
}

/* Before a run has been timed: 120 us a round trip, or the cap. */
static double first_estimate(const struct bench_result *r)
{
	double t = run_cap(r);

	if (r->latency && r->params.lat.samples * 120e-6 < t)
		t = r->params.lat.samples * 120e-6;
	return t + RUN_OVERHEAD;
}

/*
 * How much to shorten the next run so that the rest fits in the budget:
 * each run left is expected to take as long as it took last round (or its
 * cap, the first time).
 */
static double budget_scale(struct bench_result *res, int n, int next,
			   int rounds_after, double left)
{
	double rest = 0;
	int i;

	for (i = 0; i < n; i++)
		rest += res[i].est * ((i >= next) + rounds_after);
	if (rest <= left)
		return 1;
	return left > 0 ? left / rest : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "quick", no_argument, NULL, 'q' },
		{ "filter", required_argument, NULL, 'f' },
		{ "repeats", required_argument, NULL, 'r' },
		{ "budget", required_argument, NULL, 'b' },
		{ "remote", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct bench_result res[MAX_RESULTS];
	struct bench_remote remote[BENCH_REMOTE_ROWS];
	struct bench_run_info info = { 0 };
	const char *out = NULL, *filter = NULL, *remote_cmd = NULL;
	int quick = 0, repeats = 0, n, i, round, failed = 0, c, ret, across;
	double budget = 0;
	char started[32];
	struct utsname uts;
	double t_start;
	time_t now;

	while ((c = getopt_long(argc, argv, "o:qf:r:b:R:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'q':
			quick = 1;
			break;
		case 'f':
			filter = optarg;
			break;
		case 'r':
			repeats = atoi(optarg);
			if (repeats < 1 || repeats > BENCH_MAX_REPEATS) {
				fprintf(stderr, "kipc-bench: --repeats 1..%d\n",
					BENCH_MAX_REPEATS);
				return 2;
			}
			break;
		case 'b':
			budget = atof(optarg);
			if (budget <= 0) {
				fprintf(stderr, "kipc-bench: --budget SECONDS\n");
				return 2;
			}
			break;
		case 'R':
			remote_cmd = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!out || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!repeats)
		repeats = quick ? 1 : 3;
	if (!budget)
		budget = quick ? 120 : DEFAULT_BUDGET;
	if (mkdir(out, 0755) && errno != EEXIST) {
		fprintf(stderr, "kipc-bench: %s: %s\n", out, strerror(errno));
		return 1;
	}

	uname(&uts);
	now = time(NULL);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	info.kernel = uts.release;
	info.machine = uts.machine;
	info.cpus = sysconf(_SC_NPROCESSORS_ONLN);
	info.repeats = repeats;
	info.quick = quick;
	info.started = started;
	bench_cpu_model(info.cpu_model, sizeof(info.cpu_model),
			&info.copy_insn);

	prepare_system();
	install_handlers();
	if (bench_pin(0))
		fprintf(stderr, "kipc-bench: cannot pin to CPU 0\n");
	if (info.cpus < 2)
		printf("kipc-bench: one CPU online; different-CPU cases skipped\n");

	n = plan(res, filter, info.cpus, quick);
	across = remote_selected(filter);
	if (!n && !across) {
		fprintf(stderr, "kipc-bench: the filter selects nothing\n");
		return 2;
	}
	printf("kipc-bench: kernel %s, %d CPUs, %d configurations x %d round%s%s%s\n",
	       info.kernel, info.cpus, n, repeats, repeats == 1 ? "" : "s",
	       quick ? " (quick)" : "",
	       across ? ", then the rows across hosts once" : "");
	fflush(stdout);

	info.memcpy_mb_per_s = bench_memcpy_mb_per_s(quick ? 0.05 : 0.2);
	printf("kipc-bench: memcpy of 64 KiB: %.0f MB/s\n",
	       info.memcpy_mb_per_s);
	fflush(stdout);

	for (i = 0; i < n; i++)
		res[i].est = first_estimate(&res[i]);
	t_start = bench_now();
	for (round = 1; round <= repeats; round++)
		for (i = 0; i < n; i++) {
			double scale = budget_scale(res, n, i, repeats - round,
						    budget - (bench_now() - t_start));

			run_one(&res[i], (round - 1) * n + i + 1, n * repeats,
				round, repeats, t_start, scale);
		}
	if (across)
		run_remote(remote_cmd, quick, remote);
	info.seconds = bench_now() - t_start;
	info.budget = budget;

	bench_medians(res, n);
	ret = bench_report(out, &info, res, n, mechs, NMECHS,
			   across ? remote : NULL);
	if (ret) {
		fprintf(stderr, "kipc-bench: writing %s: %s\n", out,
			strerror(-ret));
		return 1;
	}
	printf("\n");
	fflush(stdout);
	print_file(out, "table.txt");
	for (i = 0; i < n; i++)
		if (!res[i].ok) {
			fprintf(stderr, "kipc-bench: %s failed: %s\n",
				res[i].id, strerror(-res[i].err));
			failed = 1;
		}
	for (i = 0; across && i < BENCH_REMOTE_ROWS; i++)
		if (!remote[i].ok && !remote[i].skipped) {
			fprintf(stderr, "kipc-bench: bridge/64B/%s failed: %s\n",
				bench_remote_id(i), remote[i].why);
			failed = 1;
		}
	return failed;
}
