// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc purge --all: unlink every named queue and region in every IPC
 * namespace, the administrator's step before unloading the module.
 */

#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include <libkipc.h>

#include "cli.h"

static const char purge_help[] =
	"Usage: kipc [-j] [-p] purge --all\n"
	"Delete every named queue and region in every IPC namespace, with\n"
	"the messages the queues hold, and print how many went. Each name\n"
	"keeps the module loaded; after a purge, \"modprobe -r kipc\" works\n"
	"once no handle is open. Needs CAP_SYS_ADMIN. The kernel log names\n"
	"each object deleted.\n"
	"\n"
	"  --all   required: there is no narrower purge\n";

static int purge_opt(int opt, const char *arg, void *ctx)
{
	bool *all = ctx;

	(void)arg;
	if (opt != 'a')
		return 2;
	*all = true;
	return 0;
}

int do_purge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kipc_purge_result res;
	bool all = false;
	int ret;

	ret = parse_opts("purge", argc, argv, opts, purge_help, purge_opt, &all);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (optind < argc)
		return usage_error("purge: unexpected argument \"%s\"",
				   argv[optind]);
	if (!all)
		return usage_error("purge: --all is required");

	ret = kipc_purge(KIPC_PURGE_ALL, &res);
	if (ret < 0)
		return obj_fail("purge", NULL, -ret);

	if (json_output) {
		json_begin_object(NULL);
		json_uint("queues", res.queues);
		json_uint("regions", res.regions);
		json_uint("messages", res.messages);
		json_end_object();
		json_finish();
	} else {
		printf("deleted %" PRIu32 " queues (%" PRIu64 " messages) and %"
		       PRIu32 " regions\n", res.queues, res.messages,
		       res.regions);
	}
	return 0;
}
