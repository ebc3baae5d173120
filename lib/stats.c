// SPDX-License-Identifier: LGPL-2.1-or-later
/* Module-wide figures and parameters, with the stats-get netlink command. */

#include <errno.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include "libkipc.h"
#include "internal.h"

struct kipc_stats_arg {
	struct kipc_stats *st;
	int replied;
};

static uint32_t kipc_stat_u32(struct nlattr **tb, int attr)
{
	return tb[attr] ? nla_get_u32(tb[attr]) : 0;
}

static int kipc_stats_parse(struct nl_msg *msg, void *p)
{
	struct nlattr *tb[KIPC_A_STATS_MAX + 1];
	struct kipc_stats_arg *arg = p;
	struct kipc_stats *st = arg->st;

	memset(tb, 0, sizeof(tb));
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, KIPC_A_STATS_MAX, NULL) < 0)
		return NL_OK;
	arg->replied = 1;
	st->queues = kipc_stat_u32(tb, KIPC_A_STATS_QUEUES);
	st->regions = kipc_stat_u32(tb, KIPC_A_STATS_REGIONS);
	st->namespaces = kipc_stat_u32(tb, KIPC_A_STATS_NAMESPACES);
	st->listeners = kipc_stat_u32(tb, KIPC_A_STATS_LISTENERS);
	st->max_queues = kipc_stat_u32(tb, KIPC_A_STATS_MAX_QUEUES);
	st->max_regions = kipc_stat_u32(tb, KIPC_A_STATS_MAX_REGIONS);
	st->default_max_msgs = kipc_stat_u32(tb, KIPC_A_STATS_DEFAULT_MAX_MSGS);
	st->max_msgs_limit = kipc_stat_u32(tb, KIPC_A_STATS_MAX_MSGS_LIMIT);
	st->default_msg_size = kipc_stat_u32(tb, KIPC_A_STATS_DEFAULT_MSG_SIZE);
	st->msg_size_limit = kipc_stat_u32(tb, KIPC_A_STATS_MSG_SIZE_LIMIT);
	if (tb[KIPC_A_STATS_MAX_REGION_SIZE])
		st->max_region_size = nla_get_u64(tb[KIPC_A_STATS_MAX_REGION_SIZE]);
	/* A module without rings sends none of these: they stay 0. */
	st->rings = kipc_stat_u32(tb, KIPC_A_STATS_RINGS);
	st->max_rings = kipc_stat_u32(tb, KIPC_A_STATS_MAX_RINGS);
	if (tb[KIPC_A_STATS_MAX_RING_SIZE])
		st->max_ring_size = nla_get_u64(tb[KIPC_A_STATS_MAX_RING_SIZE]);
	return NL_OK;
}

int (kipc_stats_get)(struct kipc_stats *ust, size_t st_size)
{
	struct kipc_stats st;
	struct kipc_stats_arg arg = { .st = &st };
	struct kipc_nl_request req = {
		.cmd = KIPC_CMD_STATS_GET,
		.parse = kipc_stats_parse,
		.arg = &arg,
	};
	int ret;

	if (!ust)
		return -EINVAL;
	ret = kipc_struct_size_ok(st_size, KIPC_STATS_SIZE_VER0);
	if (ret)
		return ret;
	memset(&st, 0, sizeof(st));
	ret = kipc_nl_transact(&req);
	if (!ret && !arg.replied)
		ret = -EPROTO;	/* acknowledged without an answer */
	if (ret)
		return ret;
	return kipc_struct_out(ust, st_size, &st, sizeof(st),
			       KIPC_STATS_SIZE_VER0);
}
