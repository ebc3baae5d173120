// SPDX-License-Identifier: LGPL-2.1-or-later
/* Access to /dev/kipc and the version ioctl. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libkipc.h"
#include "internal.h"

int kipc_lib_version(void)
{
	return KIPC_VERSION_CODE(KIPC_LIB_VERSION_MAJOR, KIPC_LIB_VERSION_MINOR,
				 KIPC_LIB_VERSION_PATCH);
}

static int kipc_dev_open_node(void)
{
	int fd = open(KIPC_DEV_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/*
 * With no /dev/kipc the module is not loaded: its minor is dynamic, so no
 * node exists before it is (see kipc(7)). Looking up the generic netlink
 * family makes the kernel load the module through the family's alias,
 * for any caller, exactly as a listing over netlink already does; the
 * module registers the device before its init returns, and devtmpfs
 * creates the node then, so one more open finds it. Should the load be
 * refused (no module installed, a blacklist, modules_disabled), the
 * answer is ENODEV, never the ENOENT of a missing object.
 */
static int kipc_dev_open_any(void)
{
	struct kipc_nl_sock ns;
	int fd;

	fd = kipc_dev_open_node();
	if (fd != -ENOENT)
		return fd;
	if (kipc_nl_connect(&ns) < 0)
		return -ENODEV;
	kipc_nl_close(&ns);
	fd = kipc_dev_open_node();
	return fd == -ENOENT ? -ENODEV : fd;
}

/*
 * Every handle the library makes comes from here, so no call reaches a
 * module of another ABI, whose numbers would mean other commands, nor
 * one that lacks the feature: the design promises that the library
 * tests the bits before use. One more ioctl per open is the price.
 */
int kipc_dev_open(uint64_t features)
{
	int fd, ret;

	fd = kipc_dev_open_any();
	if (fd < 0)
		return fd;
	ret = kipc_dev_check(fd, features);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

int (kipc_purge)(unsigned int flags, struct kipc_purge_result *res,
		 size_t res_size)
{
	struct kipc_purge p = { .size = sizeof(p), .flags = flags };
	struct kipc_purge_result r;
	int fd, ret;

	if (!res)
		return -EINVAL;
	ret = kipc_struct_size_ok(res_size, KIPC_PURGE_RESULT_SIZE_VER0);
	if (ret)
		return ret;
	fd = kipc_dev_open(KIPC_FEAT_PURGE);
	if (fd < 0)
		return fd;
	ret = kipc_handle_ioctl(fd, KIPC_IOC_PURGE, &p);
	close(fd);
	if (ret < 0)
		return ret;

	memset(&r, 0, sizeof(r));
	r.queues = p.queues;
	r.regions = p.regions;
	r.messages = p.messages;
	return kipc_struct_out(res, res_size, &r, sizeof(r),
			       KIPC_PURGE_RESULT_SIZE_VER0);
}

/*
 * Through the device, so only a module of this ABI answers; the CLI asks
 * kipc_module_version_nl(), which any ABI answers, to say which one a
 * refused module speaks.
 */
int (kipc_module_version)(struct kipc_module_info *info, size_t info_size)
{
	struct kipc_version v = { .size = sizeof(v) };
	struct kipc_module_info m;
	int fd, ret;

	if (!info)
		return -EINVAL;
	ret = kipc_struct_size_ok(info_size, KIPC_MODULE_INFO_SIZE_VER0);
	if (ret)
		return ret;
	fd = kipc_dev_open(KIPC_FEAT_VERSION);
	if (fd < 0)
		return fd;
	ret = kipc_handle_ioctl(fd, KIPC_IOC_VERSION, &v);
	close(fd);
	if (ret < 0)
		return ret;

	memset(&m, 0, sizeof(m));
	m.abi_version = v.abi_version;
	m.module_version = v.module_version;
	m.features = v.features;
	return kipc_struct_out(info, info_size, &m, sizeof(m),
			       KIPC_MODULE_INFO_SIZE_VER0);
}
