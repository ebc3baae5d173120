// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc-bench: medians, ratios to POSIX mq, the design.rst targets, and the
 * three outputs: table.txt for people, bench.json with every repeat, and
 * .dat files for plot.gp. The rows across hosts go to the first two; on
 * the plot's scale of ratios to POSIX mq they have no place.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static const size_t sizes[] = { 64, 4096, 65536 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

const char *bench_size_name(size_t size)
{
	switch (size) {
	case 64:
		return "64B";
	case 4096:
		return "4KiB";
	case 65536:
		return "64KiB";
	}
	return "?";
}

static const char *size_words(size_t size)
{
	switch (size) {
	case 64:
		return "64 B";
	case 4096:
		return "4 KiB";
	case 65536:
		return "64 KiB";
	}
	return "?";
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Each field's median over the repeats that succeeded, separately. */
void bench_medians(struct bench_result *res, int n)
{
	double v[BENCH_MAX_REPEATS];
	int i, k;

#define MED(arr, field) ({						\
	for (k = 0; k < r->ok; k++)					\
		v[k] = r->arr[k].field;					\
	median(v, r->ok); })

	for (i = 0; i < n; i++) {
		struct bench_result *r = &res[i];

		if (r->latency) {
			r->lat_med.p50 = MED(lat, p50);
			r->lat_med.p99 = MED(lat, p99);
			r->lat_med.p999 = MED(lat, p999);
			r->lat_med.over_1ms = MED(lat, over_1ms);
			r->lat_med.samples = r->ok ? MED(lat, samples) : 0;
			r->lat_med.seconds = MED(lat, seconds);
			r->lat_med.cpu_ns = MED(lat, cpu_ns);
			r->lat_med.peer_cpu_ns = MED(lat, peer_cpu_ns);
		} else {
			r->st_med.msgs_per_s = MED(st, msgs_per_s);
			r->st_med.mb_per_s = MED(st, mb_per_s);
			r->st_med.msgs = r->ok ? MED(st, msgs) : 0;
			r->st_med.seconds = MED(st, seconds);
			r->st_med.cpu_ns = MED(st, cpu_ns);
			r->st_med.peer_cpu_ns = MED(st, peer_cpu_ns);
		}
	}
#undef MED
}

static struct bench_result *find(struct bench_result *res, int n, int latency,
				 size_t size, int same_cpu, const char *mech)
{
	int i;

	for (i = 0; i < n; i++) {
		struct bench_result *r = &res[i];

		if (r->latency == latency && r->size == size &&
		    r->same_cpu == same_cpu && !strcmp(r->m->name, mech) &&
		    r->ok)
			return r;
	}
	return NULL;
}

/* The figure a ratio is taken of: p50 for latency, msg/s for streaming. */
static double headline(const struct bench_result *r)
{
	if (!r || !r->ok)
		return NAN;
	return r->latency ? r->lat_med.p50 : r->st_med.msgs_per_s;
}

static double ratio_to_base(struct bench_result *res, int n,
			    const struct bench_result *r)
{
	struct bench_result *base = NULL;
	int i;

	for (i = 0; i < n; i++)
		if (res[i].m->flags & BENCH_M_BASE)
			base = find(res, n, r->latency, r->size, r->same_cpu,
				    res[i].m->name);
	if (!base || !r->ok)
		return NAN;
	return headline(r) / headline(base);
}

/* The performance targets of Documentation/design.rst, different CPUs. */
struct target {
	const char *label;		/* the case, or "" for a second line */
	const char *goal;
	double value;			/* measured ratio */
	double limit;
	int at_most;			/* value <= limit, else value >= limit */
	int noisy;			/* a mechanism it involves stalled */
};

/*
 * Under emulation, a host that deschedules a vCPU at the wrong moment
 * turns a 100 us round trip into milliseconds. A mechanism whose 64 B
 * different-CPU round trips went over 1 ms more than 5% of the time was
 * hit by that in this run, and its different-CPU figures are not its own.
 */
#define STALL_SHARE	0.05

static int stalled(struct bench_result *res, int n, const char *mech)
{
	struct bench_result *r = find(res, n, 1, 64, 0, mech);

	return r && r->lat_med.over_1ms > STALL_SHARE;
}

static int any_stalled(struct bench_result *res, int n, const char *a,
		       const char *b)
{
	return stalled(res, n, a) || stalled(res, n, b);
}

#define NTARGETS 8

/* The rows across hosts of this report, or NULL: see bench_report(). */
static const struct bench_remote *remote;

/* kipc-bridge's streaming rate over NATS's own asynchronous publish. */
static double bridge_ratio(void)
{
	if (!remote || !remote[BENCH_BRIDGE_STREAM].ok ||
	    !remote[BENCH_NATS_ASYNC].ok)
		return NAN;
	return remote[BENCH_BRIDGE_STREAM].med.msgs_per_s /
	       remote[BENCH_NATS_ASYNC].med.msgs_per_s;
}

static double ratio_of(struct bench_result *res, int n, int latency,
		       size_t size, const char *a, const char *b)
{
	return headline(find(res, n, latency, size, 0, a)) /
	       headline(find(res, n, latency, size, 0, b));
}

static struct target target(const char *label, const char *goal, double value,
			    double limit, int at_most, int noisy)
{
	return (struct target){ label, goal, value, limit, at_most, noisy };
}

static void targets(struct bench_result *res, int n, struct target *t)
{
	struct bench_result *kq64, *r64k, *kq64k, *mq64k;
	int mq_noise = any_stalled(res, n, "kipc-queue", "posix-mq");
	int pipe_noise = any_stalled(res, n, "kipc-queue", "pipe");

	kq64 = find(res, n, 1, 64, 0, "kipc-queue");
	r64k = find(res, n, 1, 65536, 0, "kipc-region");
	kq64k = find(res, n, 0, 65536, 0, "kipc-queue");
	mq64k = find(res, n, 0, 65536, 0, "posix-mq");

	t[0] = target("64 B round trip, blocking",
		      "kipc-queue p50 <= 0.8x POSIX mq",
		      ratio_of(res, n, 1, 64, "kipc-queue", "posix-mq"),
		      0.8, 1, mq_noise);
	t[1] = target("", "kipc-queue p50 <= 1x pipe",
		      ratio_of(res, n, 1, 64, "kipc-queue", "pipe"),
		      1.0, 1, pipe_noise);
	t[2] = target("64 B streaming, one per call",
		      "kipc-queue msg/s >= 2x POSIX mq",
		      ratio_of(res, n, 0, 64, "kipc-queue", "posix-mq"),
		      2.0, 0, mq_noise);
	t[3] = target("64 B streaming, batched",
		      "kipc-batch msg/s >= 10x POSIX mq",
		      ratio_of(res, n, 0, 64, "kipc-batch", "posix-mq"),
		      10.0, 0, mq_noise);
	t[4] = target("", "kipc-batch msg/s >= 3x pipe",
		      ratio_of(res, n, 0, 64, "kipc-batch", "pipe"),
		      3.0, 0, pipe_noise);
	t[5] = target("64 KiB streaming", "kipc-queue MB/s >= 1.5x POSIX mq",
		      kq64k && mq64k ?
		      kq64k->st_med.mb_per_s / mq64k->st_med.mb_per_s : NAN,
		      1.5, 0, mq_noise);
	t[6] = target("64 KiB through a region",
		      "kipc-region 64 KiB p50 <= 1.5x kipc-queue 64 B p50",
		      r64k && kq64 ? r64k->lat_med.p50 / kq64->lat_med.p50 : NAN,
		      1.5, 1, any_stalled(res, n, "kipc-queue", "kipc-region"));
	t[7] = target("64 B across hosts",
		      "kipc-bridge msg/s >= 0.5x NATS async publish",
		      bridge_ratio(), 0.5, 0, 0);
}

static const char *met(const struct target *t)
{
	if (isnan(t->value))
		return "n/a";
	if (t->at_most)
		return t->value <= t->limit ? "yes" : "NO";
	return t->value >= t->limit ? "yes" : "NO";
}

static void group_samples(struct bench_result *res, int n, int latency,
			  size_t size, int same, unsigned long *lo,
			  unsigned long *hi)
{
	int i, k;

	*lo = ~0UL;
	*hi = 0;
	for (i = 0; i < n; i++) {
		struct bench_result *r = &res[i];

		if (r->latency != latency || r->size != size ||
		    r->same_cpu != same)
			continue;
		for (k = 0; k < r->ok; k++) {
			unsigned long s = latency ? r->lat[k].samples :
						    r->st[k].msgs;

			if (s < *lo)
				*lo = s;
			if (s > *hi)
				*hi = s;
		}
	}
}

static int group_present(struct bench_result *res, int n, int latency,
			 size_t size, int same)
{
	int i;

	for (i = 0; i < n; i++)
		if (res[i].latency == latency && res[i].size == size &&
		    res[i].same_cpu == same)
			return 1;
	return 0;
}

static void table_group(FILE *f, struct bench_result *res, int n, int latency,
			size_t size, int same)
{
	unsigned long lo, hi;
	double ratio;
	int i;

	group_samples(res, n, latency, size, same, &lo, &hi);
	if (latency) {
		fprintf(f, "Round-trip latency, %s, %s CPUs (",
			size_words(size), same ? "same" : "different");
		if (lo == hi)
			fprintf(f, "%lu samples per repeat)\n", lo);
		else
			fprintf(f, "%lu to %lu samples per repeat)\n", lo, hi);
		fprintf(f, "  %-16s %10s %10s %10s %8s %8s %10s\n", "mechanism",
			"p50 us", "p99 us", "p99.9 us", ">1ms %", "x mq",
			"cpu us/rt");
	} else {
		fprintf(f, "Streaming, %s, %s CPUs (%lu to %lu messages per repeat)\n",
			size_words(size), same ? "same" : "different", lo, hi);
		fprintf(f, "  %-16s %12s %10s %8s %11s\n", "mechanism", "msg/s",
			"MB/s", "x mq", "cpu us/msg");
	}
	for (i = 0; i < n; i++) {
		struct bench_result *r = &res[i];

		if (r->latency != latency || r->size != size ||
		    r->same_cpu != same)
			continue;
		fprintf(f, "  %-16s", r->m->name);
		if (!r->ok) {
			fprintf(f, " failed: %s\n", strerror(-r->err));
			continue;
		}
		if (latency)
			fprintf(f, " %10.1f %10.1f %10.1f %8.1f",
				r->lat_med.p50 / 1e3, r->lat_med.p99 / 1e3,
				r->lat_med.p999 / 1e3,
				r->lat_med.over_1ms * 100);
		else
			fprintf(f, " %12.0f %10.1f",
				r->st_med.msgs_per_s, r->st_med.mb_per_s);
		ratio = ratio_to_base(res, n, r);
		if (isnan(ratio))
			fprintf(f, " %8s", "-");
		else
			fprintf(f, " %8.2f", ratio);
		if (latency)
			fprintf(f, " %10.2f", (r->lat_med.cpu_ns +
					       r->lat_med.peer_cpu_ns) / 1e3);
		else
			fprintf(f, " %11.3f", (r->st_med.cpu_ns +
					       r->st_med.peer_cpu_ns) / 1e3);
		if (r->ok < r->runs)
			fprintf(f, "  (%d of %d repeats failed: %s)",
				r->runs - r->ok, r->runs, strerror(-r->err));
		fputc('\n', f);
	}
	fputc('\n', f);
}

/*
 * The rows across hosts: rates and latencies of their own, each with the
 * CPU time of every process it took, per message.
 */
static void table_remote(FILE *f)
{
	double base = remote[BENCH_NATS_ASYNC].ok ?
		      remote[BENCH_NATS_ASYNC].med.msgs_per_s : NAN;

	fprintf(f, "Across hosts, 64 B: NATS JetStream, 3 nodes on 3 network namespaces, replicas 3\n"
		"x async: msg/s / NATS asynchronous publish msg/s (above 1 is faster).\n"
		"nats-sync-publish: a publish until its ack. kipc-bridge latency: one way,\n"
		"sent into the queue on one host until received from it on the other.\n"
		"cpu: every process the row took (clients, nats-servers, bridges), per message.\n"
		"Medians of the repeats, which alternate between the rows.\n");
	fprintf(f, "  %-20s %-7s %10s %10s %10s %8s %11s\n", "mechanism", "measure",
		"msg/s", "p50 us", "p99 us", "x async", "cpu us/msg");
	for (int i = 0; i < BENCH_REMOTE_ROWS; i++) {
		const struct bench_remote *r = &remote[i];
		const struct bench_remote_fig *m = &r->med;

		fprintf(f, "  %-20s %-7s", r->name, r->latency ? "latency" : "stream");
		if (!r->ok) {
			fprintf(f, " %s (%s)\n", r->skipped ? "n/a" : "failed",
				r->why);
			continue;
		}
		if (r->latency)
			fprintf(f, " %10s %10.1f %10.1f %8s", "-", m->p50 / 1e3,
				m->p99 / 1e3, "-");
		else if (isnan(base))
			fprintf(f, " %10.0f %10s %10s %8s", m->msgs_per_s, "-",
				"-", "-");
		else
			fprintf(f, " %10.0f %10s %10s %8.2f", m->msgs_per_s, "-",
				"-", m->msgs_per_s / base);
		fprintf(f, " %11.1f", m->cpu_ns / 1e3);
		fprintf(f, "  (%.0f %s, %d repeat%s)\n", m->count,
			r->latency ? "samples" : "msgs", r->runs,
			r->runs == 1 ? "" : "s");
	}
	fputc('\n', f);
}

static int write_table(const char *dir, const struct bench_run_info *info,
		       struct bench_result *res, int n)
{
	struct target t[NTARGETS];
	int lat, same, i, shortened = 0, noisy = 0;
	char path[4096];
	unsigned int s;
	FILE *f;

	snprintf(path, sizeof(path), "%s/table.txt", dir);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "kipc-bench: kernel %s (%s), %d CPUs, %d repeat%s interleaved, median shown%s\n",
		info->kernel, info->machine, info->cpus, info->repeats,
		info->repeats == 1 ? "" : "s", info->quick ? ", QUICK run" : "");
	fprintf(f, "Queues hold %d messages; batches are %d messages. The sender is on CPU 0,\n"
		"the receiver on CPU 1 (different) or CPU 0 (same). Whole run: %.0f s.\n"
		"memcpy() of 64 KiB in this machine: %.0f MB/s.\n"
		"CPU: %s; the kernel copies with %s.\n",
		BENCH_DEPTH, BENCH_BATCH, info->seconds,
		info->memcpy_mb_per_s, info->cpu_model, info->copy_insn);
	for (i = 0; i < n; i++)
		shortened += res[i].shortened;
	if (shortened)
		fprintf(f, "%d runs had their time cap cut to keep within the %.0f s budget.\n",
			shortened, info->budget);
	fprintf(f, "x mq: latency p50 / POSIX mq p50 (below 1 is faster);\n"
		"      streaming msg/s / POSIX mq msg/s (above 1 is faster).\n"
		">1ms %%: share of round trips over 1 ms; at 64 B and 4 KiB, host stalls.\n"
		"cpu: user and system time of both processes (getrusage), per round trip\n"
		"     or per message; a side that polls instead of sleeping shows here.\n\n");

	for (lat = 1; lat >= 0; lat--)
		for (s = 0; s < NSIZES; s++)
			for (same = 0; same <= 1; same++)
				if (group_present(res, n, lat, sizes[s], same))
					table_group(f, res, n, lat, sizes[s],
						    same);
	if (remote)
		table_remote(f);

	targets(res, n, t);
	fprintf(f, "Targets (design.rst, different CPUs, this run)\n");
	fprintf(f, "  %-30s %-52s %8s %s\n", "case", "target", "measured",
		"met");
	for (i = 0; i < NTARGETS; i++) {
		fprintf(f, "  %-30s %-52s ", t[i].label, t[i].goal);
		if (isnan(t[i].value))
			fprintf(f, "%8s %s", "-", met(&t[i]));
		else
			fprintf(f, "%7.2fx %s", t[i].value, met(&t[i]));
		if (isnan(t[i].value))
			t[i].noisy = 0;
		fprintf(f, "%s\n", t[i].noisy ? " (stalls)" : "");
		noisy |= t[i].noisy;
	}
	if (noisy) {
		fprintf(f, "\n(stalls): ");
		for (i = 0; i < n; i++)
			if (res[i].latency && res[i].size == 64 &&
			    !res[i].same_cpu && stalled(res, n, res[i].m->name))
				fprintf(f, "%s ", res[i].m->name);
		fprintf(f, "had over %.0f%% of their 64 B different-CPU round trips\n"
			"above 1 ms: the host stalled the guest's vCPUs, and their different-CPU\n"
			"figures in this run say more about the host than about them. Rerun on\n"
			"a quiet host.\n", STALL_SHARE * 100);
	}
	return fclose(f) ? -errno : 0;
}

static void json_num(FILE *f, const char *key, double v, int last)
{
	if (isnan(v) || isinf(v))
		fprintf(f, "\"%s\": null%s", key, last ? "" : ", ");
	else
		fprintf(f, "\"%s\": %.6g%s", key, v, last ? "" : ", ");
}

static void json_lat(FILE *f, const struct bench_lat *l)
{
	fputc('{', f);
	json_num(f, "p50_ns", l->p50, 0);
	json_num(f, "p99_ns", l->p99, 0);
	json_num(f, "p999_ns", l->p999, 0);
	json_num(f, "over_1ms", l->over_1ms, 0);
	json_num(f, "samples", l->samples, 0);
	json_num(f, "seconds", l->seconds, 0);
	json_num(f, "cpu_ns_per_rt_sender", l->cpu_ns, 0);
	json_num(f, "cpu_ns_per_rt_echo", l->peer_cpu_ns, 1);
	fputc('}', f);
}

static void json_stream(FILE *f, const struct bench_stream *s)
{
	fputc('{', f);
	json_num(f, "msgs_per_s", s->msgs_per_s, 0);
	json_num(f, "mb_per_s", s->mb_per_s, 0);
	json_num(f, "msgs", s->msgs, 0);
	json_num(f, "seconds", s->seconds, 0);
	json_num(f, "cpu_ns_per_msg_sender", s->cpu_ns, 0);
	json_num(f, "cpu_ns_per_msg_receiver", s->peer_cpu_ns, 1);
	fputc('}', f);
}

/* A reason, quoted: our own words, but a helper's may hold anything. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_remote_fig(FILE *f, const struct bench_remote *r,
			    const struct bench_remote_fig *m)
{
	fputc('{', f);
	if (r->latency) {
		json_num(f, "p50_ns", m->p50, 0);
		json_num(f, "p99_ns", m->p99, 0);
		json_num(f, "samples", m->count, 0);
	} else {
		json_num(f, "msgs_per_s", m->msgs_per_s, 0);
		json_num(f, "msgs", m->count, 0);
	}
	json_num(f, "seconds", m->seconds, 0);
	json_num(f, "cpu_ns_per_msg", m->cpu_ns, 0);
	json_num(f, "cpu_ns_per_msg_clients", m->cpu_self_ns, 0);
	json_num(f, "cpu_ns_per_msg_servers_and_bridges", m->cpu_others_ns, 1);
	fputc('}', f);
}

static void json_remote(FILE *f)
{
	fprintf(f, "\n  ],\n  \"across_hosts\": [");
	for (int i = 0; remote && i < BENCH_REMOTE_ROWS; i++) {
		const struct bench_remote *r = &remote[i];

		fprintf(f, "%s\n    {\"id\": \"bridge/64B/%s\", \"mechanism\": \"%s\", "
			"\"measure\": \"%s\", \"size\": 64, \"status\": \"%s\", ",
			i ? "," : "", bench_remote_id(i), r->name,
			r->latency ? "latency" : "stream",
			r->ok ? "ok" : r->skipped ? "n/a" : "failed");
		if (!r->ok) {
			fprintf(f, "\"reason\": ");
			json_str(f, r->why);
			fputc('}', f);
			continue;
		}
		fprintf(f, "\"runs\": %d,\n     \"median\": ", r->runs);
		json_remote_fig(f, r, &r->med);
		fprintf(f, ",\n     \"repeats\": [");
		for (int k = 0; k < r->runs; k++) {
			fprintf(f, "%s", k ? ", " : "");
			json_remote_fig(f, r, &r->run[k]);
		}
		fprintf(f, "]}");
	}
}

static int write_json(const char *dir, const struct bench_run_info *info,
		      struct bench_result *res, int n,
		      const struct bench_mech *const *mechs, int nmechs)
{
	struct target t[NTARGETS];
	char path[4096];
	FILE *f;
	int i, k;

	snprintf(path, sizeof(path), "%s/bench.json", dir);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "{\n  \"tool\": \"kipc-bench\",\n  \"kernel\": \"%s\",\n"
		"  \"machine\": \"%s\",\n  \"cpus\": %d,\n  \"started\": \"%s\",\n",
		info->kernel, info->machine, info->cpus, info->started);
	fprintf(f, "  \"memcpy_mb_per_s\": %.0f,\n", info->memcpy_mb_per_s);
	fprintf(f, "  \"cpu_model\": \"%s\",\n  \"copy_insn\": \"%s\",\n",
		info->cpu_model, info->copy_insn);
	fprintf(f, "  \"budget_seconds\": %.0f,\n", info->budget);
	fprintf(f, "  \"seconds\": %.1f,\n  \"quick\": %s,\n  \"repeats\": %d,\n"
		"  \"depth\": %d,\n  \"batch\": %d,\n  \"reference\": \"posix-mq\",\n"
		"  \"clock\": \"CLOCK_MONOTONIC\",\n",
		info->seconds, info->quick ? "true" : "false", info->repeats,
		BENCH_DEPTH, BENCH_BATCH);
	fprintf(f, "  \"mechanisms\": {");
	for (i = 0; i < nmechs; i++)
		fprintf(f, "%s\n    \"%s\": \"%s\"", i ? "," : "",
			mechs[i]->name, mechs[i]->desc);
	fprintf(f, "\n  },\n  \"results\": [");
	for (i = 0; i < n; i++) {
		struct bench_result *r = &res[i];

		fprintf(f, "%s\n    {\"id\": \"%s\", \"measure\": \"%s\", "
			"\"size\": %zu, \"placement\": \"%s\", "
			"\"mechanism\": \"%s\",\n     \"params\": {",
			i ? "," : "", r->id, r->latency ? "latency" : "stream",
			r->size, r->same_cpu ? "same" : "diff", r->m->name);
		if (r->latency) {
			json_num(f, "samples", r->params.lat.samples, 0);
			json_num(f, "min_samples", r->params.lat.min_samples, 0);
			json_num(f, "warmup", r->params.lat.warmup, 0);
			json_num(f, "max_seconds", r->params.lat.max_seconds, 1);
		} else {
			json_num(f, "seconds", r->params.stream.seconds, 0);
			json_num(f, "max_msgs", r->params.stream.max_msgs, 0);
			json_num(f, "warmup", r->params.stream.warmup, 1);
		}
		fprintf(f, "},\n     \"runs\": %d, \"ok\": %d, \"shortened\": %d, \"error\": ",
			r->runs, r->ok, r->shortened);
		if (r->err)
			fprintf(f, "\"%s\"", strerror(-r->err));
		else
			fputs("null", f);
		fprintf(f, ",\n     ");
		json_num(f, "ratio_to_posix_mq", ratio_to_base(res, n, r), 0);
		fprintf(f, "\"median\": ");
		if (r->latency)
			json_lat(f, &r->lat_med);
		else
			json_stream(f, &r->st_med);
		fprintf(f, ",\n     \"repeats\": [");
		for (k = 0; k < r->ok; k++) {
			fprintf(f, "%s", k ? ", " : "");
			if (r->latency)
				json_lat(f, &r->lat[k]);
			else
				json_stream(f, &r->st[k]);
		}
		fprintf(f, "]}");
	}
	json_remote(f);
	fprintf(f, "\n  ],\n  \"targets\": [");
	targets(res, n, t);
	for (i = 0; i < NTARGETS; i++) {
		fprintf(f, "%s\n    {\"case\": \"%s\", \"target\": \"%s\", ",
			i ? "," : "", t[i].label[0] ? t[i].label :
			t[i - 1].label, t[i].goal);
		json_num(f, "ratio", t[i].value, 0);
		json_num(f, "limit", t[i].limit, 0);
		fprintf(f, "\"noisy\": %s, ", t[i].noisy ? "true" : "false");
		fprintf(f, "\"met\": %s}",
			!strcmp(met(&t[i]), "yes") ? "true" :
			!strcmp(met(&t[i]), "NO") ? "false" : "null");
	}
	fprintf(f, "\n  ]\n}\n");
	return fclose(f) ? -errno : 0;
}

/*
 * One .dat file per measure, placement and quantity: a header row of the
 * names of the mechanisms that take part in the measure, then one row per
 * size; "-" where nothing was measured.
 */
static int write_dat(const char *dir, struct bench_result *res, int n,
		     const struct bench_mech *const *mechs, int nmechs,
		     int latency, int same, int ratio)
{
	unsigned int want = latency ? BENCH_M_LATENCY : BENCH_M_STREAM;
	char path[4096];
	unsigned int s;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/%s-%s%s.dat", dir,
		 latency ? "latency" : "stream", same ? "same" : "diff",
		 ratio ? "-ratio" : "");
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "size");
	for (i = 0; i < nmechs; i++)
		if (mechs[i]->flags & want)
			fprintf(f, " %s", mechs[i]->name);
	fputc('\n', f);
	for (s = 0; s < NSIZES; s++) {
		fprintf(f, "%s", bench_size_name(sizes[s]));
		for (i = 0; i < nmechs; i++) {
			struct bench_result *r;
			double v;

			if (!(mechs[i]->flags & want))
				continue;
			r = find(res, n, latency, sizes[s], same,
				 mechs[i]->name);
			if (!r)
				v = NAN;
			else if (ratio)
				v = ratio_to_base(res, n, r);
			else
				v = latency ? r->lat_med.p50 / 1e3 :
					      r->st_med.msgs_per_s;
			if (isnan(v))
				fprintf(f, " -");
			else
				fprintf(f, " %.6g", v);
		}
		fputc('\n', f);
	}
	return fclose(f) ? -errno : 0;
}

int bench_report(const char *dir, const struct bench_run_info *info,
		 struct bench_result *res, int n,
		 const struct bench_mech *const *mechs, int nmechs,
		 const struct bench_remote *across)
{
	int ret, lat, same, ratio;

	remote = across;
	ret = write_table(dir, info, res, n);
	if (!ret)
		ret = write_json(dir, info, res, n, mechs, nmechs);
	for (lat = 0; !ret && lat <= 1; lat++)
		for (same = 0; !ret && same <= 1; same++)
			for (ratio = 0; !ret && ratio <= 1; ratio++)
				ret = write_dat(dir, res, n, mechs, nmechs,
						lat, same, ratio);
	return ret;
}
