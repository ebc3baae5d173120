// SPDX-License-Identifier: LGPL-2.1-or-later
/* Shared-memory regions: open, map, unmap, close, unlink, info. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libkipc.h"
#include "internal.h"

#define KIPC_REGION_OFLAGS	(O_ACCMODE | O_CREAT | O_EXCL)

/* Errors on a descriptor that is not a region handle: handle.c's table. */

int kipc_region_open(const char *name, int oflag, mode_t mode, size_t size,
		     unsigned int flags)
{
	struct kipc_region_bind bind;
	int fd, ret;

	if (!name || (oflag & ~KIPC_REGION_OFLAGS) ||
	    (flags & ~KIPC_REGION_AUTO_DELETE))
		return -EINVAL;

	memset(&bind, 0, sizeof(bind));
	bind.size = sizeof(bind);
	switch (oflag & O_ACCMODE) {
	case O_RDONLY:
		bind.flags = KIPC_REGION_READ;
		break;
	case O_RDWR:
		bind.flags = KIPC_REGION_READ | KIPC_REGION_WRITE;
		break;
	default:
		/* A mapping is always readable; write-only means nothing. */
		return -EINVAL;
	}
	if (oflag & O_CREAT)
		bind.flags |= KIPC_REGION_CREATE;
	if (oflag & O_EXCL)
		bind.flags |= KIPC_REGION_EXCL;
	bind.flags |= flags;
	bind.name = (uintptr_t)name;
	bind.name_len = strnlen(name, KIPC_NAME_MAX + 1);
	bind.mode = mode;
	bind.region_size = size;

	fd = kipc_dev_open(KIPC_FEAT_REGION);
	if (fd < 0)
		return fd;
	ret = kipc_handle_ioctl(fd, KIPC_IOC_REGION_BIND, &bind);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

int kipc_region_map(int fd, size_t offset, size_t length, int prot,
		    void **addr)
{
	void *p;

	int ret;

	if (!addr)
		return -EINVAL;
	/* mmap() would map any file, and says ENODEV for others. */
	ret = kipc_handle_check(fd, KIPC_OBJECT_REGION);
	if (ret)
		return ret;
	p = mmap(NULL, length, prot, MAP_SHARED, fd, offset);
	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

int kipc_region_unmap(void *addr, size_t length)
{
	return munmap(addr, length) < 0 ? -errno : 0;
}

/* Only a region handle: closing some other descriptor is a caller's bug. */
int kipc_region_close(int fd)
{
	int ret = kipc_handle_check(fd, KIPC_OBJECT_REGION);

	if (ret)
		return ret;
	return close(fd) < 0 ? -errno : 0;
}

int kipc_region_unlink(const char *name)
{
	struct kipc_unlink req;
	int fd, ret;

	if (!name)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.name = (uintptr_t)name;
	req.name_len = strnlen(name, KIPC_NAME_MAX + 1);

	fd = kipc_dev_open(KIPC_FEAT_REGION);
	if (fd < 0)
		return fd;
	ret = kipc_handle_ioctl(fd, KIPC_IOC_REGION_UNLINK, &req);
	close(fd);
	return ret < 0 ? ret : 0;
}

/* At the caller's size, which the kernel honours (see queue.c's getattr). */
int (kipc_region_info)(int fd, struct kipc_region_info *info,
		       size_t info_size)
{
	int ret;

	if (!info || info_size > UINT32_MAX)
		return -EINVAL;
	ret = kipc_struct_size_ok(info_size, KIPC_REGION_INFO_SIZE_VER0);
	if (ret)
		return ret;
	memset(info, 0, info_size);
	info->size = (uint32_t)info_size;
	ret = kipc_handle_ioctl(fd, KIPC_IOC_REGION_INFO, info);
	return ret < 0 ? ret : 0;
}
