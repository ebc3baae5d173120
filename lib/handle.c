// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What every call that takes a handle returns when the descriptor is not
 * the handle it needs: the library's errno table, in one place. The man
 * page libkipc(3) gives the same table.
 *
 *   EBADF       fd is not open, is not a handle of /dev/kipc, or is a
 *               handle not bound to the kind of object the call needs
 *   EOPNOTSUPP  fd is a kipc handle, and the loaded module lacks the
 *               feature the call needs: its KIPC_FEAT_* bit is clear, or
 *               it does not know the ioctl
 *   EPROTONOSUPPORT
 *               the loaded module speaks another KIPC_ABI_VERSION than
 *               the library (kipc_dev_open())
 *
 * And for every call that reaches the module, with a descriptor or not:
 *
 *   ENODEV      the module is not loaded, and would not load on demand
 *               (kipc_dev_open() and kipc_nl_connect() ask for it); never
 *               ENOENT, which means no such object
 *
 * An ioctl that a file does not know fails with ENOTTY, whatever the
 * file: from a kipc handle that means a module older than the call, from
 * anything else a descriptor that is not kipc's. KIPC_IOC_VERSION, which
 * every kipc module has had, tells the two apart; it is asked only on
 * that error path.
 */

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libkipc.h"
#include "internal.h"

static int kipc_handle_errno(int fd, int err)
{
	struct kipc_version v;

	if (err != ENOTTY)
		return -err;
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	return ioctl(fd, KIPC_IOC_VERSION, &v) == 0 ? -EOPNOTSUPP : -EBADF;
}

int kipc_handle_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	if (ret >= 0)
		return ret;
	if (cmd == KIPC_IOC_VERSION)
		return -errno;
	return kipc_handle_errno(fd, errno);
}

/*
 * Whether the module behind @fd speaks this library's ABI and has
 * @features. A module of another ABI knows none of this one's numbers
 * (ABI 1 used another magic), so on a descriptor known to be kipc's,
 * ENOTTY from KIPC_IOC_VERSION means another ABI.
 */
static int kipc_version_check(int fd, uint64_t features, int is_node)
{
	struct kipc_version v;
	int ret;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	ret = kipc_handle_ioctl(fd, KIPC_IOC_VERSION, &v);
	if (ret == -ENOTTY)
		return is_node ? -EPROTONOSUPPORT : -EBADF;
	if (ret < 0)
		return ret;
	if (v.abi_version != KIPC_ABI_VERSION)
		return -EPROTONOSUPPORT;
	return (v.features & features) == features ? 0 : -EOPNOTSUPP;
}

int kipc_handle_features(int fd, uint64_t features)
{
	return kipc_version_check(fd, features, 0);
}

int kipc_dev_check(int fd, uint64_t features)
{
	return kipc_version_check(fd, features, 1);
}

int kipc_handle_check(int fd, unsigned int object)
{
	struct kipc_queue_attr qa;
	struct kipc_region_info ri;
	int ret;

	if (object == KIPC_OBJECT_QUEUE) {
		memset(&qa, 0, sizeof(qa));
		qa.size = sizeof(qa);
		ret = kipc_handle_ioctl(fd, KIPC_IOC_QUEUE_GETATTR, &qa);
	} else {
		memset(&ri, 0, sizeof(ri));
		ri.size = sizeof(ri);
		ret = kipc_handle_ioctl(fd, KIPC_IOC_REGION_INFO, &ri);
	}
	return ret < 0 ? ret : 0;
}
