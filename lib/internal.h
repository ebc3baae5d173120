/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by libkipc's sources; not part of the API. */
#ifndef LIBKIPC_INTERNAL_H
#define LIBKIPC_INTERNAL_H

#include <netlink/genl/genl.h>

#define KIPC_DEV_PATH "/dev/" KIPC_DEVICE_NAME

int kipc_dev_open(void);

/*
 * One netlink request and its replies. build adds attributes to msg; parse
 * is called for each reply (NL_SKIP or NL_STOP to end early). Returns 0 or
 * the kernel's negative errno.
 */
struct kipc_nl_request {
	uint8_t cmd;
	int flags;	/* NLM_F_DUMP for a dump, else 0 */
	int (*build)(struct nl_msg *msg, void *arg);
	int (*parse)(struct nl_msg *msg, void *arg);
	void *arg;
};

int kipc_nl_transact(const struct kipc_nl_request *req);

#endif /* LIBKIPC_INTERNAL_H */
