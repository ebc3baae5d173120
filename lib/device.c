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

int kipc_dev_open(void)
{
	int fd = open(KIPC_DEV_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
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
