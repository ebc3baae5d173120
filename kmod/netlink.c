// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: the "kipc" generic netlink family, described by
 * Documentation/netlink/specs/kipc.yaml.
 *
 * Locking: the genetlink core runs each operation under genl_mutex on
 * kernels that still have it; the handlers here take no locks of their own.
 */

#include <linux/module.h>
#include <net/genetlink.h>

#include "kipc.h"

static struct genl_family kipc_genl_family;

static int kipc_nl_version_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &kipc_genl_family, 0,
				KIPC_CMD_VERSION_GET);
	if (!hdr)
		goto nomem;

	if (nla_put_u32(msg, KIPC_A_VERSION_ABI, KIPC_ABI_VERSION) ||
	    nla_put_u32(msg, KIPC_A_VERSION_MODULE, KIPC_MODULE_VERSION) ||
	    nla_put_u64_64bit(msg, KIPC_A_VERSION_FEATURES, KIPC_FEATURES,
			      KIPC_A_VERSION_PAD))
		goto nomem;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nomem:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/*
 * Operations without a policy accept no attributes: the core rejects any,
 * which is what version-get wants.
 */
static const struct genl_ops kipc_genl_ops[] = {
	{
		.cmd = KIPC_CMD_VERSION_GET,
		.doit = kipc_nl_version_get_doit,
	},
};

static struct genl_family kipc_genl_family __ro_after_init = {
	.name = KIPC_FAMILY_NAME,
	.version = KIPC_FAMILY_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = kipc_genl_ops,
	.n_ops = ARRAY_SIZE(kipc_genl_ops),
};

int __init kipc_netlink_init(void)
{
	return genl_register_family(&kipc_genl_family);
}

void kipc_netlink_exit(void)
{
	genl_unregister_family(&kipc_genl_family);
}

MODULE_ALIAS_GENL_FAMILY(KIPC_FAMILY_NAME);
