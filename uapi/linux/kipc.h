/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * kipc: kernel-mediated IPC through /dev/kipc and the "kipc" generic
 * netlink family.
 *
 * Every ioctl takes a pointer to a struct that starts with
 * "__u32 size; __u32 flags;". The caller sets size to sizeof() of the struct
 * it was built against. The kernel accepts an older, smaller struct (down to
 * the first published size) and a newer, larger one whose unknown tail is
 * zero, so the ABI can grow without new ioctl numbers. Output fields are
 * written back only up to the caller's size.
 *
 * Errors common to every ioctl:
 *   EFAULT  the struct pointer cannot be read or written
 *   EINVAL  size is below the first published size of the struct;
 *           a flag is unknown; a reserved field is non-zero
 *   E2BIG   size is larger than the kernel knows and the unknown tail
 *           is not all zero
 *   ENOTTY  the ioctl number is unknown
 */
#ifndef _UAPI_LINUX_KIPC_H
#define _UAPI_LINUX_KIPC_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define KIPC_DEVICE_NAME	"kipc"

/* Bumped when a published struct or command changes meaning; never reused. */
#define KIPC_ABI_VERSION	1

/* Module version as (major << 16) | (minor << 8) | patch. */
#define KIPC_VERSION_CODE(maj, min, pat) (((maj) << 16) | ((min) << 8) | (pat))

/*
 * Features the loaded module supports, reported by KIPC_IOC_VERSION and by
 * KIPC_CMD_VERSION_GET. The library tests these before using a feature.
 */
enum kipc_feature {
	KIPC_FEAT_VERSION	= 1ULL << 0,
	KIPC_FEAT_NETLINK	= 1ULL << 1,
};

#define KIPC_IOC_MAGIC		0xB7

/*
 * Ioctl numbers. Never reuse or renumber one; retire it with a comment.
 * The size is not encoded in the number because it travels in the struct.
 */
enum {
	KIPC_CMD_BASE_VERSION	= 0x00,
};

/**
 * struct kipc_version - ioctl(KIPC_IOC_VERSION)
 * @size: sizeof(struct kipc_version)
 * @flags: must be 0
 * @abi_version: out, KIPC_ABI_VERSION of the loaded module
 * @module_version: out, KIPC_VERSION_CODE() of the loaded module
 * @features: out, bitmask of enum kipc_feature
 * @__reserved: must be 0
 *
 * Works on any handle, bound or not.
 *
 * Errors: only the common ones.
 */
struct kipc_version {
	__u32 size;
	__u32 flags;
	__u32 abi_version;
	__u32 module_version;
	__u64 features;
	__u64 __reserved;
};

#define KIPC_IOC_VERSION	_IO(KIPC_IOC_MAGIC, KIPC_CMD_BASE_VERSION)

/*
 * Generic netlink family. Documentation/netlink/specs/kipc.yaml describes it;
 * keep the two in step.
 */
#define KIPC_FAMILY_NAME	"kipc"
#define KIPC_FAMILY_VERSION	1

enum {
	KIPC_A_VERSION_UNSPEC,
	KIPC_A_VERSION_ABI,		/* u32 */
	KIPC_A_VERSION_MODULE,		/* u32 */
	KIPC_A_VERSION_FEATURES,	/* u64 */
	KIPC_A_VERSION_PAD,

	__KIPC_A_VERSION_MAX,
	KIPC_A_VERSION_MAX = (__KIPC_A_VERSION_MAX - 1)
};

enum {
	KIPC_CMD_UNSPEC,
	KIPC_CMD_VERSION_GET,

	__KIPC_CMD_MAX,
	KIPC_CMD_MAX = (__KIPC_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_KIPC_H */
