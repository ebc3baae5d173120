/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by libkipc's sources; not part of the API. */
#ifndef LIBKIPC_INTERNAL_H
#define LIBKIPC_INTERNAL_H

#include <netlink/genl/genl.h>

#define KIPC_DEV_PATH "/dev/" KIPC_DEVICE_NAME

int kipc_dev_open(void);

/*
 * An ioctl on a handle (handle.c): its result, or the library's errno
 * table's -EBADF / -EOPNOTSUPP for a descriptor that is not kipc's or a
 * module without the call, else the kernel's -errno.
 */
int kipc_handle_ioctl(int fd, unsigned long cmd, void *arg);
/* 0 if fd is a handle bound to that KIPC_OBJECT_*, else as above. */
int kipc_handle_check(int fd, unsigned int object);

/*
 * One netlink request and its replies. build adds attributes to msg and
 * returns 0 or a negative errno; parse is called for each reply and
 * returns NL_OK, or NL_STOP to end the request early (the rest of its
 * replies are dropped with the socket).
 */
struct kipc_nl_request {
	uint8_t cmd;
	int flags;	/* NLM_F_DUMP for a dump, else 0 */
	int (*build)(struct nl_msg *msg, void *arg);
	int (*parse)(struct nl_msg *msg, void *arg);
	void *arg;
};

/* A socket connected to the "kipc" family. */
struct kipc_nl_sock {
	struct nl_sock *sk;
	int family;
};

/* Opens a socket and resolves the family: -ENODEV if the module is absent. */
int kipc_nl_connect(struct kipc_nl_sock *ns);
void kipc_nl_close(struct kipc_nl_sock *ns);
/* The request message, with NLM_F_ACK, for a caller that sends it itself. */
int kipc_nl_build(const struct kipc_nl_sock *ns,
		  const struct kipc_nl_request *req, struct nl_msg **msgp);
/* Sends req on ns and reads its replies up to the ACK or NLMSG_DONE. */
int kipc_nl_exec(struct kipc_nl_sock *ns, const struct kipc_nl_request *req);
/* Both of the above on a socket of its own. Returns 0 or the kernel's -errno. */
int kipc_nl_transact(const struct kipc_nl_request *req);
/* A libnl error code as the nearest negative errno. */
int kipc_nl_errno(int nlerr);

/*
 * Objects over netlink (list.c). kipc_nl_parse_obj() fills info from a
 * whole genetlink queue or region message (a get reply, a dump entry or an event) of type
 * object (KIPC_OBJECT_*); -EPROTO when it is malformed or nameless.
 */
int kipc_nl_parse_obj(struct nlmsghdr *nlh, unsigned int object,
		      struct kipc_obj_info *info);
/* -EINVAL for no name, -ENAMETOOLONG beyond KIPC_NAME_MAX, else 0. */
int kipc_nl_check_name(const char *name);

#endif /* LIBKIPC_INTERNAL_H */
