/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/kipc.yaml */
/* YNL-GEN kernel header */
/* To regenerate run: tools/net/ynl/ynl-regen.sh */

#ifndef _LINUX_KIPC_GEN_H
#define _LINUX_KIPC_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/kipc_netlink.h>
#include <linux/kipc.h>

/* Ops table for kipc */
extern const struct genl_split_ops kipc_nl_ops[13];

int kipc_nl_version_get_doit(struct sk_buff *skb, struct genl_info *info);
int kipc_nl_queue_get_doit(struct sk_buff *skb, struct genl_info *info);
int kipc_nl_queue_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int kipc_nl_queue_del_doit(struct sk_buff *skb, struct genl_info *info);
int kipc_nl_queue_set_doit(struct sk_buff *skb, struct genl_info *info);
int kipc_nl_region_get_doit(struct sk_buff *skb, struct genl_info *info);
int kipc_nl_region_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int kipc_nl_region_del_doit(struct sk_buff *skb, struct genl_info *info);
int kipc_nl_region_set_doit(struct sk_buff *skb, struct genl_info *info);
int kipc_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info);
int kipc_nl_monitor_doit(struct sk_buff *skb, struct genl_info *info);
int kipc_nl_ring_get_doit(struct sk_buff *skb, struct genl_info *info);
int kipc_nl_ring_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* _LINUX_KIPC_GEN_H */
