// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: module init and exit, the /dev/kipc misc device, its file
 * operations and the extensible-ioctl dispatcher.
 *
 * Locking: this file takes no locks of its own. Each handle is a struct
 * file; the VFS serialises open and release, and the ioctl commands it
 * dispatches take whatever their object's file documents.
 */

#include <linux/build_bug.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kipc.h"

/*
 * One ioctl call in flight: the kernel's copy of the caller's struct and
 * what is needed to write the result back.
 */
struct kipc_ucmd {
	struct file *file;
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

/*
 * Copy the kernel's struct back, no further than the caller's size, so an
 * older binary with a shorter struct gets exactly the fields it knows.
 */
static int kipc_ucmd_respond(struct kipc_ucmd *ucmd, size_t cmd_size)
{
	if (copy_to_user(ucmd->ubuffer, ucmd->cmd,
			 min_t(size_t, ucmd->user_size, cmd_size)))
		return -EFAULT;
	return 0;
}

static int kipc_ioctl_version(struct kipc_ucmd *ucmd)
{
	struct kipc_version *cmd = ucmd->cmd;

	if (cmd->flags || cmd->__reserved)
		return -EINVAL;

	cmd->abi_version = KIPC_ABI_VERSION;
	cmd->module_version = KIPC_MODULE_VERSION;
	cmd->features = KIPC_FEATURES;
	return kipc_ucmd_respond(ucmd, sizeof(*cmd));
}

/* Large enough for any command's struct; lives on the stack per call. */
union kipc_ucmd_buffer {
	struct kipc_version version;
};

struct kipc_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	int (*execute)(struct kipc_ucmd *ucmd);
};

/*
 * min_size is the struct's size when the command was first published, up
 * to and including its last field then; it never changes afterwards.
 */
#define KIPC_IOCTL_OP(_nr, _fn, _struct, _last)                             \
	[_nr] = {                                                            \
		.size = sizeof(_struct) +                                    \
			BUILD_BUG_ON_ZERO(sizeof(union kipc_ucmd_buffer) <   \
					  sizeof(_struct)),                  \
		.min_size = offsetofend(_struct, _last),                     \
		.execute = _fn,                                              \
	}

static const struct kipc_ioctl_op kipc_ioctl_ops[] = {
	KIPC_IOCTL_OP(KIPC_CMD_BASE_VERSION, kipc_ioctl_version,
		      struct kipc_version, __reserved),
};

static long kipc_fop_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	const struct kipc_ioctl_op *op;
	union kipc_ucmd_buffer buf;
	struct kipc_ucmd ucmd = {
		.file = file,
		.ubuffer = (void __user *)arg,
		.cmd = &buf,
	};
	unsigned int nr = _IOC_NR(cmd);
	int ret;

	/* Sizes travel in the structs, so every number is a plain _IO(). */
	if (cmd != _IO(KIPC_IOC_MAGIC, nr) || nr >= ARRAY_SIZE(kipc_ioctl_ops))
		return -ENOTTY;
	op = &kipc_ioctl_ops[nr];
	if (!op->execute)
		return -ENOTTY;

	if (get_user(ucmd.user_size, (u32 __user *)ucmd.ubuffer))
		return -EFAULT;
	if (ucmd.user_size < op->min_size)
		return -EINVAL;

	/* Zero-fills a short struct and refuses a non-zero unknown tail. */
	ret = copy_struct_from_user(ucmd.cmd, op->size, ucmd.ubuffer,
				    ucmd.user_size);
	if (ret)
		return ret;

	return op->execute(&ucmd);
}

static const struct file_operations kipc_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = kipc_fop_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* World-accessible: each object checks its own permissions on bind. */
static struct miscdevice kipc_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KIPC_DEVICE_NAME,
	.fops = &kipc_fops,
	.mode = 0666,
};

/* The ABI fixes these sizes; a change here is an ABI break. */
static_assert(sizeof(struct kipc_version) == 32);

static int __init kipc_init(void)
{
	int ret;

	ret = kipc_netlink_init();
	if (ret)
		return ret;

	ret = misc_register(&kipc_misc);
	if (ret) {
		kipc_netlink_exit();
		return ret;
	}
	return 0;
}

static void __exit kipc_exit(void)
{
	misc_deregister(&kipc_misc);
	kipc_netlink_exit();
}

module_init(kipc_init);
module_exit(kipc_exit);

MODULE_AUTHOR("The kipc developers");
MODULE_DESCRIPTION("Kernel-mediated IPC: message queues and shared-memory regions");
MODULE_LICENSE("GPL");
MODULE_VERSION(KIPC_MODULE_VERSION_STR);
