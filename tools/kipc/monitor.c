// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc monitor: print each queue, region and ring event of this IPC
 * namespace as it happens, one line (or one JSON object) per event.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libkipc.h>

#include "cli.h"

enum {
	OPT_COUNT = 256,
	OPT_TIMEOUT,
};

static const char monitor_help[] =
	"Usage: kipc [-j] [-p] monitor [queue | region | ring] [--count N]\n"
	"                              [--timeout MS]\n"
	"Print queue, region and ring events of this IPC namespace as they\n"
	"happen, until interrupted: one line each, or one JSON object per line\n"
	"with -j.\n"
	"  queue, region, ring  only events of that object type\n"
	"  --count N            exit after N events\n"
	"  --timeout MS         exit after MS milliseconds; an error if --count\n"
	"                       events have not come by then\n";

struct monitor_ctx {
	uint64_t count, timeout_ms;
	bool has_count, has_timeout;
};

static int monitor_opt(int opt, const char *arg, void *p)
{
	struct monitor_ctx *c = p;

	switch (opt) {
	case OPT_COUNT:
		c->has_count = true;
		if (parse_uint("--count", arg, UINT32_MAX, false, &c->count))
			return 2;
		return c->count ? 0 : usage_error("--count: must be at least 1");
	case OPT_TIMEOUT:
		c->has_timeout = true;
		return parse_uint("--timeout", arg, INT32_MAX, false,
				  &c->timeout_ms);
	}
	return 2;
}

static const char *const event_names[] = {
	[KIPC_EVENT_QUEUE_CREATE] = "create",
	[KIPC_EVENT_QUEUE_DELETE] = "delete",
	[KIPC_EVENT_QUEUE_CHANGE] = "change",
	[KIPC_EVENT_REGION_CREATE] = "create",
	[KIPC_EVENT_REGION_DELETE] = "delete",
	[KIPC_EVENT_REGION_CHANGE] = "change",
	[KIPC_EVENT_RING_CREATE] = "create",
	[KIPC_EVENT_RING_DELETE] = "delete",
};

static void print_event(const struct kipc_event *ev)
{
	const struct kipc_obj_info *o = &ev->obj;
	bool queue = o->object == KIPC_OBJECT_QUEUE;
	bool ring = o->object == KIPC_OBJECT_RING;
	const struct obj_kind *kind = queue ? &queue_kind :
				      ring ? &ring_kind : &region_kind;
	const char *what = ev->type < sizeof(event_names) / sizeof(event_names[0]) &&
			   event_names[ev->type] ? event_names[ev->type] : "unknown";
	char mode[16], size[CELL_MAX];

	if (json_output) {
		struct obj_row row = { .info = *o };

		json_begin_object(NULL);
		json_string("event", what);
		json_string("object", kind->object);
		obj_fields(kind, &row);
		json_end_object();
		json_finish();
	} else {
		format_mode(mode, sizeof(mode), o->mode);
		printf("%s %s ", kind->object, what);
		fput_escaped(stdout, o->name, strlen(o->name));
		printf(" uid %u gid %u mode %s", o->uid, o->gid, mode);
		if (queue) {
			format_size(size, sizeof(size), o->max_msg_size);
			printf(" max_msgs %u msg_size %s", o->max_msgs, size);
		} else if (ring) {
			format_size(size, sizeof(size), o->slot_size);
			printf(" slots %u slot_size %s", o->nr_slots, size);
		} else {
			format_size(size, sizeof(size), o->size);
			printf(" size %s", size);
		}
		putchar('\n');
	}
	/* Each event shows as it happens, even into a pipe. */
	fflush(stdout);
}

/* Milliseconds left until deadline, at least 0. */
static int ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec + 999999) / 1000000;
	return ms < 0 ? 0 : (int)ms;
}

int do_monitor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct monitor_ctx c = { 0 };
	struct kipc_monitor *mon;
	struct timespec deadline;
	struct kipc_event ev;
	unsigned int only = 0;
	uint64_t seen = 0;
	int ret;

	ret = parse_opts("monitor", argc, argv, opts, monitor_help,
			 monitor_opt, &c);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (argc - optind > 1)
		return usage_error("monitor: unexpected argument \"%s\"",
				   argv[optind + 1]);
	if (argc - optind == 1) {
		if (!strcmp(argv[optind], "queue"))
			only = KIPC_OBJECT_QUEUE;
		else if (!strcmp(argv[optind], "region"))
			only = KIPC_OBJECT_REGION;
		else if (!strcmp(argv[optind], "ring"))
			only = KIPC_OBJECT_RING;
		else
			return usage_error("monitor: unknown object \"%s\"",
					   argv[optind]);
	}

	ret = kipc_monitor_open(&mon);
	if (ret < 0)
		return obj_fail("monitor", NULL, -ret);
	if (c.has_timeout) {
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += (time_t)(c.timeout_ms / 1000);
		deadline.tv_nsec += (long)(c.timeout_ms % 1000) * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
	}

	while (!c.has_count || seen < c.count) {
		ret = kipc_monitor_next(mon, &ev,
					c.has_timeout ? ms_left(&deadline) : -1);
		if (ret == -ENOBUFS) {
			/* The socket overflowed; later events still come. */
			errorf("monitor", NULL, ENOBUFS, "events were lost");
			continue;
		}
		if (ret == -ETIMEDOUT || ret == -EAGAIN) {
			ret = c.has_count ? errorf("monitor", NULL, ETIMEDOUT,
						   "%" PRIu64 " of %" PRIu64 " events",
						   seen, c.count) : 0;
			break;
		}
		if (ret < 0) {
			ret = obj_fail("monitor", NULL, -ret);
			break;
		}
		if (only && ev.obj.object != only)
			continue;
		print_event(&ev);
		seen++;
	}
	kipc_monitor_close(mon);
	return ret;
}
