// SPDX-License-Identifier: LGPL-2.1-or-later
/* Access to /dev/kipc and the version ioctl. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kipc.h"
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
int kipc_dev_open(void)
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

int kipc_purge(unsigned int flags, struct kipc_purge_result *res)
{
	struct kipc_purge p = { .size = sizeof(p), .flags = flags };
	int fd, ret;

	if (!res)
		return -EINVAL;
	fd = kipc_dev_open();
	if (fd < 0)
		return fd;
	ret = kipc_handle_ioctl(fd, KIPC_IOC_PURGE, &p);
	close(fd);
	if (ret < 0)
		return ret;

	memset(res, 0, sizeof(*res));
	res->queues = p.queues;
	res->regions = p.regions;
	res->messages = p.messages;
	return 0;
}

int kipc_module_version(struct kipc_module_info *info)
{
	struct kipc_version v = { .size = sizeof(v) };
	int fd, ret;

	fd = kipc_dev_open();
	if (fd < 0)
		return fd;
	ret = ioctl(fd, KIPC_IOC_VERSION, &v) < 0 ? -errno : 0;
	close(fd);
	if (ret)
		return ret;

	memset(info, 0, sizeof(*info));
	info->abi_version = v.abi_version;
	info->module_version = v.module_version;
	info->features = v.features;
	return 0;
}
