// SPDX-License-Identifier: GPL-2.0-only
/* kipc stats: module-wide counts and the module's parameters, over netlink. */

#include <stdio.h>

#include <libkipc.h>

#include "cli.h"

int do_stats(int argc, char **argv)
{
	struct kipc_stats st;
	int ret;

	if (argc > 1 && is_help(argv[1])) {
		printf("Usage: kipc [-j] [-p] stats\n"
		       "Print the queues, regions, IPC namespaces and monitors that\n"
		       "the module holds now, across every IPC namespace, and the\n"
		       "module's parameters.\n");
		return 0;
	}
	if (argc > 1)
		return usage_error("stats: unexpected argument \"%s\"", argv[1]);

	ret = kipc_stats_get(&st);
	if (ret < 0)
		return obj_fail("stats", NULL, -ret);

	field_width = 16;
	if (json_output)
		json_begin_object(NULL);
	field_uint("queues", st.queues);
	field_uint("regions", st.regions);
	field_uint("namespaces", st.namespaces);
	field_uint("listeners", st.listeners);
	field_uint("max_queues", st.max_queues);
	field_uint("max_regions", st.max_regions);
	field_uint("default_max_msgs", st.default_max_msgs);
	field_uint("max_msgs_limit", st.max_msgs_limit);
	field_uint("default_msg_size", st.default_msg_size);
	field_uint("msg_size_limit", st.msg_size_limit);
	field_uint("max_region_size", st.max_region_size);
	field_uint("rings", st.rings);
	field_uint("max_rings", st.max_rings);
	field_uint("max_ring_size", st.max_ring_size);
	if (json_output) {
		json_end_object();
		json_finish();
	}
	return 0;
}
