// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc queue top: the busiest queues, refreshed. Each refresh takes one
 * netlink dump and rates are the difference from the previous dump over
 * the time between them, so the first figures come one interval after
 * the start, and a one-shot run (-n 1) still shows real rates.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libkipc.h>

#include "cli.h"

enum {
	OPT_INTERVAL = 256,
	OPT_COUNT,
};

static const char top_help[] =
	"Usage: kipc [-j] [-p] queue top [--interval MS] [-n N | --iterations N]\n"
	"                      [--count K]\n"
	"Show the busiest queues of this IPC namespace, refreshed every\n"
	"interval: send and receive rates, depth, bytes and blocked tasks,\n"
	"busiest first. On a terminal the screen is redrawn; otherwise, and\n"
	"with -j (one JSON array per refresh), each refresh is appended.\n"
	"  --interval MS       time between refreshes (default 1000)\n"
	"  -n, --iterations N  stop after N refreshes (default: until\n"
	"                      interrupted); -n 1 is one snapshot for scripts\n"
	"  --count K           show the K busiest queues only\n";

struct top_opts {
	uint64_t interval_ms, iterations, count;
};

static int top_opt(int opt, const char *arg, void *p)
{
	struct top_opts *o = p;

	switch (opt) {
	case OPT_INTERVAL:
		if (parse_uint("--interval", arg, 3600 * 1000, false,
			       &o->interval_ms))
			return 2;
		return o->interval_ms ? 0 :
		       usage_error("--interval: must be at least 1");
	case 'n':
		if (parse_uint("--iterations", arg, UINT32_MAX, false,
			       &o->iterations))
			return 2;
		return o->iterations ? 0 :
		       usage_error("--iterations: must be at least 1");
	case OPT_COUNT:
		if (parse_uint("--count", arg, UINT32_MAX, false, &o->count))
			return 2;
		return o->count ? 0 : usage_error("--count: must be at least 1");
	}
	return 2;
}

struct top_row {
	struct obj_row r;
	double send_rate, recv_rate;
};

struct top_sample {
	struct top_row *v;
	size_t n, cap;
};

static int top_collect(const struct obj_row *row, void *arg)
{
	struct top_sample *s = arg;
	struct top_row *p;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		p = realloc(s->v, s->cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		s->v = p;
	}
	memset(&s->v[s->n], 0, sizeof(s->v[s->n]));
	s->v[s->n++].r = *row;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct top_row *)a)->r.info.name,
		      ((const struct top_row *)b)->r.info.name);
}

/* Busiest first: by rate, then depth, then blocked tasks, then name. */
static int by_activity(const void *pa, const void *pb)
{
	const struct top_row *a = pa, *b = pb;
	double ra = a->send_rate + a->recv_rate, rb = b->send_rate + b->recv_rate;
	uint32_t wa = a->r.state.recv_waiters + a->r.state.send_waiters;
	uint32_t wb = b->r.state.recv_waiters + b->r.state.send_waiters;

	if (ra != rb)
		return ra < rb ? 1 : -1;
	if (a->r.info.cur_msgs != b->r.info.cur_msgs)
		return a->r.info.cur_msgs < b->r.info.cur_msgs ? 1 : -1;
	if (wa != wb)
		return wa < wb ? 1 : -1;
	return strcmp(a->r.info.name, b->r.info.name);
}

/*
 * Rates against the previous sample (sorted by name), over dt seconds. A
 * queue that is new, or was deleted and created again (its counters went
 * back), counts from zero.
 */
static void top_rates(struct top_sample *cur, const struct top_sample *prev,
		      double dt)
{
	for (size_t i = 0; i < cur->n; i++) {
		struct top_row *c = &cur->v[i];
		const struct top_row *p = prev->n ?
			bsearch(c, prev->v, prev->n, sizeof(*c), by_name) : NULL;
		uint64_t s0 = 0, r0 = 0;

		if (p && p->r.info.ctime_ns == c->r.info.ctime_ns) {
			s0 = p->r.info.sent;
			r0 = p->r.info.received;
		}
		c->send_rate = (double)(c->r.info.sent - s0) / dt;
		c->recv_rate = (double)(c->r.info.received - r0) / dt;
	}
}

static int top_print(const struct top_sample *s, size_t n, bool redraw)
{
	static const char *const cols[] = {
		"NAME", "SEND/s", "RECV/s", "MSGS", "BYTES", "RWAIT", "SWAIT",
		"HANDLES",
	};
	struct libscols_table *tb;
	char cell[CELL_MAX];
	int ret = -ENOMEM;

	if (json_output) {
		json_begin_array(NULL);
		for (size_t i = 0; i < n; i++) {
			const struct top_row *t = &s->v[i];

			json_begin_object(NULL);
			json_bytes("name", t->r.info.name, strlen(t->r.info.name));
			json_uint("send_rate", (uint64_t)(t->send_rate + 0.5));
			json_uint("recv_rate", (uint64_t)(t->recv_rate + 0.5));
			json_uint("cur_msgs", t->r.info.cur_msgs);
			json_uint("max_msgs", t->r.info.max_msgs);
			json_uint("cur_bytes", t->r.info.cur_bytes);
			json_uint("recv_waiters", t->r.state.recv_waiters);
			json_uint("send_waiters", t->r.state.send_waiters);
			json_uint("handles", t->r.info.handles);
			json_end_object();
		}
		json_end_array();
		json_finish();
		fflush(stdout);
		return 0;
	}

	tb = scols_new_table();
	if (!tb)
		return -ENOMEM;
	for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
		if (!scols_table_new_column(tb, cols[c], 0,
					    c ? SCOLS_FL_RIGHT : SCOLS_FL_TRUNC))
			goto out;
	for (size_t i = 0; i < n; i++) {
		const struct top_row *t = &s->v[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			goto out;
		scols_line_set_data(ln, 0, t->r.info.name);
		snprintf(cell, sizeof(cell), "%.0f", t->send_rate);
		scols_line_set_data(ln, 1, cell);
		snprintf(cell, sizeof(cell), "%.0f", t->recv_rate);
		scols_line_set_data(ln, 2, cell);
		snprintf(cell, sizeof(cell), "%u/%u", t->r.info.cur_msgs,
			 t->r.info.max_msgs);
		scols_line_set_data(ln, 3, cell);
		snprintf(cell, sizeof(cell), "%" PRIu64, t->r.info.cur_bytes);
		scols_line_set_data(ln, 4, cell);
		snprintf(cell, sizeof(cell), "%u", t->r.state.recv_waiters);
		scols_line_set_data(ln, 5, cell);
		snprintf(cell, sizeof(cell), "%u", t->r.state.send_waiters);
		scols_line_set_data(ln, 6, cell);
		snprintf(cell, sizeof(cell), "%u", t->r.info.handles);
		scols_line_set_data(ln, 7, cell);
	}
	/* Home and clear: the terminal's own sequence, not a user's byte. */
	if (redraw)
		fputs("\033[H\033[2J", stdout);
	ret = scols_print_table(tb);
	fflush(stdout);
out:
	scols_unref_table(tb);
	return ret;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int queue_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "iterations", required_argument, NULL, 'n' },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct top_opts o = { .interval_ms = 1000 };
	struct top_sample prev = { 0 }, cur = { 0 };
	bool redraw = !json_output && isatty(STDOUT_FILENO);
	double t0, t1;
	int ret;

	ret = parse_opts("queue top", argc, argv, opts, top_help, top_opt, &o);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (optind < argc)
		return usage_error("queue top: unexpected argument \"%s\"",
				   escaped_arg(argv[optind]));

	ret = queue_list_rows(top_collect, &prev);
	t0 = now_s();
	for (uint64_t i = 0; ret >= 0 && (!o.iterations || i < o.iterations); i++) {
		struct timespec ts = {
			.tv_sec = (time_t)(o.interval_ms / 1000),
			.tv_nsec = (long)(o.interval_ms % 1000) * 1000000L,
		};

		qsort(prev.v, prev.n, sizeof(*prev.v), by_name);
		nanosleep(&ts, NULL);
		cur.n = 0;
		ret = queue_list_rows(top_collect, &cur);
		if (ret < 0)
			break;
		t1 = now_s();
		top_rates(&cur, &prev, t1 - t0 > 0 ? t1 - t0 : 1e-9);
		qsort(cur.v, cur.n, sizeof(*cur.v), by_activity);
		ret = top_print(&cur, o.count && o.count < cur.n ? o.count : cur.n,
				redraw);
		if (ret < 0)
			break;
		/* This sample is the next one's base. */
		{
			struct top_sample tmp = prev;

			prev = cur;
			cur = tmp;
		}
		t0 = t1;
	}
	free(prev.v);
	free(cur.v);
	return ret < 0 ? obj_fail("queue", NULL, -ret) : 0;
}
