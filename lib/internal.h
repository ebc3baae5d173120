/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by libkipc's sources; not part of the API. */
#ifndef LIBKIPC_INTERNAL_H
#define LIBKIPC_INTERNAL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <netlink/genl/genl.h>

#define KIPC_DEV_PATH "/dev/" KIPC_DEVICE_NAME

/*
 * An fd of /dev/kipc whose module speaks this library's ABI
 * (-EPROTONOSUPPORT otherwise) and has every KIPC_FEAT_* bit of @features
 * (-EOPNOTSUPP otherwise).
 */
int kipc_dev_open(uint64_t features);
/*
 * The same checks on a handle the caller already has (-EBADF if it is
 * not kipc's), and on an fd of the device node (kipc_dev_check()).
 */
int kipc_handle_features(int fd, uint64_t features);
int kipc_dev_check(int fd, uint64_t features);

/*
 * A caller's struct may be older (shorter) or newer (longer) than the
 * library's; @usize is the caller's sizeof, @lsize the library's, @min
 * the struct's first published size.
 *
 * kipc_struct_out() copies the library's result no further than the
 * caller's size, and zeroes what a newer caller has beyond the library's
 * struct: fields this library cannot fill read as "not reported".
 * kipc_struct_in() follows copy_struct_from_user(): a short struct reads
 * as zero-extended, a longer one's unknown tail must be zero (-E2BIG).
 * Both refuse a size below @min (-EINVAL).
 */
int kipc_struct_out(void *dst, size_t usize, const void *src, size_t lsize,
		    size_t min);
int kipc_struct_in(void *dst, size_t lsize, const void *src, size_t usize,
		   size_t min);
/* Whether @usize is one the caller may pass for a struct first @min long. */
static inline int kipc_struct_size_ok(size_t usize, size_t min)
{
	return usize >= min ? 0 : -EINVAL;
}

/*
 * The sizes of the extensible structs as LIBKIPC_0.x published them: the
 * least a caller may pass, and what the 0.x symbols pass (abi.c). Never
 * changed once released; abi.c pins each to its fields.
 */
#define KIPC_MODULE_INFO_SIZE_VER0	16
#define KIPC_PURGE_RESULT_SIZE_VER0	16
#define KIPC_STATS_SIZE_VER0		80
#define KIPC_OBJ_INFO_SIZE_VER0		392
#define KIPC_QUEUE_STATE_SIZE_VER0	72
#define KIPC_EVENT_SIZE_VER0		400
#define KIPC_MSG_INFO_SIZE_VER0		56
#define KIPC_QUEUE_CONFIG_SIZE_VER0	12
/* uapi structs: the size libkipc 0.x passed; the kernel's minimum is its own. */
#define KIPC_QUEUE_ATTR_SIZE_VER0	72
#define KIPC_REGION_INFO_SIZE_VER0	48
/* First published in LIBKIPC_1.1, at these sizes. */
#define KIPC_RING_CONFIG_SIZE_VER0	16
#define KIPC_RING_INFO_SIZE_VER0	72
#define KIPC_RING_PRODUCER_SIZE_VER0	40

/*
 * Binds the compatibility function @impl to name@node (LIBKIPC_0.x or an
 * older 1.x), the version binaries built against that release call. The function of the
 * public name gets the newest version from libkipc.map.
 */
#define KIPC_SYMVER(impl, name, node) \
	__asm__(".symver " #impl ", " #name "@" #node)

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

/*
 * Every ioctl the library makes goes through here (handle.c): its result,
 * or the library's errno table's -EBADF / -EOPNOTSUPP for a descriptor
 * that is not kipc's or a module without the call, else the kernel's
 * -errno. KIPC_IOC_VERSION's own ENOTTY comes back as it is: only the
 * caller knows whether the fd is the device node (another ABI) or not.
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

/*
 * kipc_monitor_next() at the caller's size, with ring events (@rings) or
 * without them, for the versions before LIBKIPC_1.1, whose callers have
 * no type for them (abi.c).
 */
struct kipc_monitor;
int kipc_monitor_next_kinds(struct kipc_monitor *mon, struct kipc_event *uev,
			    size_t ev_size, int timeout_ms, int rings);

#endif /* LIBKIPC_INTERNAL_H */
