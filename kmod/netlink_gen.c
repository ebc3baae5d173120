// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/kipc.yaml */
/* YNL-GEN kernel source */
/* To regenerate run: tools/net/ynl/ynl-regen.sh */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink_gen.h"

#include <uapi/linux/kipc_netlink.h>
#include <linux/kipc.h>

/* KIPC_CMD_QUEUE_GET - do */
static const struct nla_policy kipc_queue_get_do_nl_policy[KIPC_A_QUEUE_NAME + 1] = {
	[KIPC_A_QUEUE_NAME] = { .type = NLA_NUL_STRING, .len = 255, },
};

/* KIPC_CMD_QUEUE_GET - dump */
static const struct nla_policy kipc_queue_get_dump_nl_policy[KIPC_A_QUEUE_NAME + 1] = {
	[KIPC_A_QUEUE_NAME] = { .type = NLA_NUL_STRING, .len = 255, },
};

/* KIPC_CMD_QUEUE_DEL - do */
static const struct nla_policy kipc_queue_del_nl_policy[KIPC_A_QUEUE_NAME + 1] = {
	[KIPC_A_QUEUE_NAME] = { .type = NLA_NUL_STRING, .len = 255, },
};

/* KIPC_CMD_QUEUE_SET - do */
static const struct nla_policy kipc_queue_set_nl_policy[KIPC_A_QUEUE_MODE + 1] = {
	[KIPC_A_QUEUE_NAME] = { .type = NLA_NUL_STRING, .len = 255, },
	[KIPC_A_QUEUE_UID] = { .type = NLA_U32, },
	[KIPC_A_QUEUE_GID] = { .type = NLA_U32, },
	[KIPC_A_QUEUE_MODE] = NLA_POLICY_MAX(NLA_U32, 511),
};

/* KIPC_CMD_REGION_GET - do */
static const struct nla_policy kipc_region_get_do_nl_policy[KIPC_A_REGION_NAME + 1] = {
	[KIPC_A_REGION_NAME] = { .type = NLA_NUL_STRING, .len = 255, },
};

/* KIPC_CMD_REGION_GET - dump */
static const struct nla_policy kipc_region_get_dump_nl_policy[KIPC_A_REGION_NAME + 1] = {
	[KIPC_A_REGION_NAME] = { .type = NLA_NUL_STRING, .len = 255, },
};

/* KIPC_CMD_REGION_DEL - do */
static const struct nla_policy kipc_region_del_nl_policy[KIPC_A_REGION_NAME + 1] = {
	[KIPC_A_REGION_NAME] = { .type = NLA_NUL_STRING, .len = 255, },
};

/* KIPC_CMD_REGION_SET - do */
static const struct nla_policy kipc_region_set_nl_policy[KIPC_A_REGION_MODE + 1] = {
	[KIPC_A_REGION_NAME] = { .type = NLA_NUL_STRING, .len = 255, },
	[KIPC_A_REGION_UID] = { .type = NLA_U32, },
	[KIPC_A_REGION_GID] = { .type = NLA_U32, },
	[KIPC_A_REGION_MODE] = NLA_POLICY_MAX(NLA_U32, 511),
};

/* KIPC_CMD_RING_GET - do */
static const struct nla_policy kipc_ring_get_do_nl_policy[KIPC_A_RING_NAME + 1] = {
	[KIPC_A_RING_NAME] = { .type = NLA_NUL_STRING, .len = 255, },
};

/* KIPC_CMD_RING_GET - dump */
static const struct nla_policy kipc_ring_get_dump_nl_policy[KIPC_A_RING_NAME + 1] = {
	[KIPC_A_RING_NAME] = { .type = NLA_NUL_STRING, .len = 255, },
};

/* Ops table for kipc */
const struct genl_split_ops kipc_nl_ops[13] = {
	{
		.cmd	= KIPC_CMD_VERSION_GET,
		.doit	= kipc_nl_version_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KIPC_CMD_QUEUE_GET,
		.doit		= kipc_nl_queue_get_doit,
		.policy		= kipc_queue_get_do_nl_policy,
		.maxattr	= KIPC_A_QUEUE_NAME,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KIPC_CMD_QUEUE_GET,
		.dumpit		= kipc_nl_queue_get_dumpit,
		.policy		= kipc_queue_get_dump_nl_policy,
		.maxattr	= KIPC_A_QUEUE_NAME,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= KIPC_CMD_QUEUE_DEL,
		.doit		= kipc_nl_queue_del_doit,
		.policy		= kipc_queue_del_nl_policy,
		.maxattr	= KIPC_A_QUEUE_NAME,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KIPC_CMD_QUEUE_SET,
		.doit		= kipc_nl_queue_set_doit,
		.policy		= kipc_queue_set_nl_policy,
		.maxattr	= KIPC_A_QUEUE_MODE,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KIPC_CMD_REGION_GET,
		.doit		= kipc_nl_region_get_doit,
		.policy		= kipc_region_get_do_nl_policy,
		.maxattr	= KIPC_A_REGION_NAME,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KIPC_CMD_REGION_GET,
		.dumpit		= kipc_nl_region_get_dumpit,
		.policy		= kipc_region_get_dump_nl_policy,
		.maxattr	= KIPC_A_REGION_NAME,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= KIPC_CMD_REGION_DEL,
		.doit		= kipc_nl_region_del_doit,
		.policy		= kipc_region_del_nl_policy,
		.maxattr	= KIPC_A_REGION_NAME,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KIPC_CMD_REGION_SET,
		.doit		= kipc_nl_region_set_doit,
		.policy		= kipc_region_set_nl_policy,
		.maxattr	= KIPC_A_REGION_MODE,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KIPC_CMD_STATS_GET,
		.doit	= kipc_nl_stats_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KIPC_CMD_MONITOR,
		.doit	= kipc_nl_monitor_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KIPC_CMD_RING_GET,
		.doit		= kipc_nl_ring_get_doit,
		.policy		= kipc_ring_get_do_nl_policy,
		.maxattr	= KIPC_A_RING_NAME,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KIPC_CMD_RING_GET,
		.dumpit		= kipc_nl_ring_get_dumpit,
		.policy		= kipc_ring_get_dump_nl_policy,
		.maxattr	= KIPC_A_RING_NAME,
		.flags		= GENL_CMD_CAP_DUMP,
	},
};
