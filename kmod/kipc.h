/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Declarations shared between the files of the kipc module.
 */
#ifndef _KIPC_INTERNAL_H
#define _KIPC_INTERNAL_H

#include <linux/types.h>
#include <linux/kipc.h>

#define KIPC_MODULE_VERSION_STR	"0.1.0"
#define KIPC_MODULE_VERSION	KIPC_VERSION_CODE(0, 1, 0)

/* What this build of the module supports; see enum kipc_feature. */
#define KIPC_FEATURES		(KIPC_FEAT_VERSION | KIPC_FEAT_NETLINK)

int kipc_netlink_init(void);
void kipc_netlink_exit(void);

#endif /* _KIPC_INTERNAL_H */
