// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: module init and exit, module parameters, the /dev/kipc misc
 * device, its file operations and the extensible-ioctl dispatcher.
 *
 * Locking: kipc_handle.bind_lock (mutex) serialises the binds of one
 * handle and is taken outside every registry and object lock. Once bound,
 * a handle's object never changes, so the file operations read it without
 * a lock (kipc_handle_obj()). Release runs once, after every other file
 * operation on the handle has returned.
 */

#include <linux/anon_inodes.h>
#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kipc_internal.h"

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

static struct kipc_handle *kipc_ucmd_handle(struct kipc_ucmd *ucmd)
{
	return ucmd->file->private_data;
}

static bool kipc_ucmd_nonblock(struct kipc_ucmd *ucmd)
{
	return ucmd->file->f_flags & O_NONBLOCK;
}

static int kipc_ioctl_queue_bind(struct kipc_ucmd *ucmd)
{
	return kipc_queue_bind(kipc_ucmd_handle(ucmd), ucmd->cmd);
}

static int kipc_ioctl_queue_unlink(struct kipc_ucmd *ucmd)
{
	return kipc_obj_unlink_cmd(KIPC_OBJ_QUEUE, ucmd->cmd);
}

static int kipc_ioctl_queue_send(struct kipc_ucmd *ucmd)
{
	return kipc_queue_send(kipc_ucmd_handle(ucmd), ucmd->cmd,
			       kipc_ucmd_nonblock(ucmd));
}

/*
 * The message's metadata goes back, and on EMSGSIZE the size it needs:
 * the receive writes them itself, once, and puts the message back if it
 * cannot, so that a message is never taken and then not reported.
 */
static int kipc_ioctl_queue_recv(struct kipc_ucmd *ucmd)
{
	return kipc_queue_recv(kipc_ucmd_handle(ucmd), ucmd->cmd,
			       ucmd->ubuffer, kipc_ucmd_nonblock(ucmd));
}

static int kipc_ioctl_queue_send_batch(struct kipc_ucmd *ucmd)
{
	return kipc_queue_send_batch(kipc_ucmd_handle(ucmd), ucmd->cmd,
				     kipc_ucmd_nonblock(ucmd));
}

static int kipc_ioctl_queue_recv_batch(struct kipc_ucmd *ucmd)
{
	return kipc_queue_recv_batch(kipc_ucmd_handle(ucmd), ucmd->cmd,
				     kipc_ucmd_nonblock(ucmd));
}

static int kipc_ioctl_queue_getattr(struct kipc_ucmd *ucmd)
{
	int ret = kipc_queue_getattr(kipc_ucmd_handle(ucmd), ucmd->cmd,
				     kipc_ucmd_nonblock(ucmd));

	return ret ?: kipc_ucmd_respond(ucmd, sizeof(struct kipc_queue_attr));
}

static int kipc_ioctl_queue_notify(struct kipc_ucmd *ucmd)
{
	return kipc_queue_notify(kipc_ucmd_handle(ucmd), ucmd->cmd);
}

static const struct file_operations kipc_fops;

static void kipc_fop_release_handle(struct kipc_handle *h)
{
	if (h->obj) {
		if (h->obj->ops->release_handle)
			h->obj->ops->release_handle(h);
		kipc_obj_unbind(h->obj);
	}
	mutex_destroy(&h->bind_lock);
	kfree(h);
}

static struct kipc_handle *kipc_handle_alloc(void)
{
	struct kipc_handle *h;

	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (h)
		mutex_init(&h->bind_lock);
	return h;
}

/*
 * A new descriptor for another handle on the same queue. The new file is
 * an anonymous inode with /dev/kipc's operations, so it behaves as an open
 * of the device in every way that matters to kipc.
 */
static int kipc_ioctl_queue_peer(struct kipc_ucmd *ucmd)
{
	struct kipc_queue_peer *cmd = ucmd->cmd;
	struct kipc_handle *peer;
	struct file *file;
	int fd, ret;

	if (cmd->flags & ~(KIPC_PEER_CLOEXEC | KIPC_PEER_NONBLOCK))
		return -EINVAL;

	peer = kipc_handle_alloc();
	if (!peer)
		return -ENOMEM;
	ret = kipc_queue_peer(kipc_ucmd_handle(ucmd), peer, cmd->access);
	if (ret) {
		kfree(peer);
		return ret;
	}

	fd = get_unused_fd_flags(cmd->flags & KIPC_PEER_CLOEXEC ? O_CLOEXEC : 0);
	if (fd < 0) {
		ret = fd;
		goto err_peer;
	}
	file = anon_inode_getfile("[kipc]", &kipc_fops, peer,
				  O_RDWR | (cmd->flags & KIPC_PEER_NONBLOCK ?
					    O_NONBLOCK : 0));
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		put_unused_fd(fd);
		goto err_peer;
	}

	cmd->fd = fd;
	ret = kipc_ucmd_respond(ucmd, sizeof(*cmd));
	if (ret) {
		put_unused_fd(fd);
		fput(file);	/* releases the peer */
		return ret;
	}
	fd_install(fd, file);
	return fd;

err_peer:
	kipc_fop_release_handle(peer);
	return ret;
}

static int kipc_ioctl_region_bind(struct kipc_ucmd *ucmd)
{
	return kipc_region_bind(kipc_ucmd_handle(ucmd), ucmd->cmd);
}

static int kipc_ioctl_region_unlink(struct kipc_ucmd *ucmd)
{
	return kipc_obj_unlink_cmd(KIPC_OBJ_REGION, ucmd->cmd);
}

static int kipc_ioctl_region_info(struct kipc_ucmd *ucmd)
{
	int ret = kipc_region_info(kipc_ucmd_handle(ucmd), ucmd->cmd);

	return ret ?: kipc_ucmd_respond(ucmd, sizeof(struct kipc_region_info));
}

static int kipc_ioctl_ring_bind(struct kipc_ucmd *ucmd)
{
	return kipc_ring_bind(kipc_ucmd_handle(ucmd), ucmd->cmd);
}

static int kipc_ioctl_ring_unlink(struct kipc_ucmd *ucmd)
{
	return kipc_obj_unlink_cmd(KIPC_OBJ_RING, ucmd->cmd);
}

static int kipc_ioctl_ring_info(struct kipc_ucmd *ucmd)
{
	int ret = kipc_ring_info(kipc_ucmd_handle(ucmd), ucmd->cmd);

	return ret ?: kipc_ucmd_respond(ucmd, sizeof(struct kipc_ring_info));
}

static int kipc_ioctl_ring_wait(struct kipc_ucmd *ucmd)
{
	return kipc_ring_wait(kipc_ucmd_handle(ucmd), ucmd->cmd,
			      kipc_ucmd_nonblock(ucmd));
}

static int kipc_ioctl_ring_wake(struct kipc_ucmd *ucmd)
{
	return kipc_ring_wake(kipc_ucmd_handle(ucmd), ucmd->cmd);
}

static int kipc_ioctl_ring_producer(struct kipc_ucmd *ucmd)
{
	int ret = kipc_ring_producer(kipc_ucmd_handle(ucmd), ucmd->cmd);

	return ret ?: kipc_ucmd_respond(ucmd,
					sizeof(struct kipc_ring_producer));
}

static int kipc_ioctl_purge(struct kipc_ucmd *ucmd)
{
	struct kipc_purge *cmd = ucmd->cmd;

	if (cmd->flags != KIPC_PURGE_ALL || cmd->__reserved)
		return -EINVAL;
	/* Names in every namespace go, so only the host's administrator. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	kipc_registry_purge(cmd);
	return kipc_ucmd_respond(ucmd, sizeof(*cmd));
}

/* Large enough for any command's struct; lives on the stack per call. */
union kipc_ucmd_buffer {
	struct kipc_version version;
	struct kipc_queue_bind queue_bind;
	struct kipc_unlink unlink;
	struct kipc_queue_io queue_io;
	struct kipc_queue_batch queue_batch;
	struct kipc_queue_attr queue_attr;
	struct kipc_region_bind region_bind;
	struct kipc_region_info region_info;
	struct kipc_queue_notify queue_notify;
	struct kipc_queue_peer queue_peer;
	struct kipc_purge purge;
	struct kipc_ring_bind ring_bind;
	struct kipc_ring_info ring_info;
	struct kipc_ring_wait ring_wait;
	struct kipc_ring_wake ring_wake;
	struct kipc_ring_producer ring_producer;
};

struct kipc_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int ioctl_num;
	int (*execute)(struct kipc_ucmd *ucmd);
};

/*
 * The table is indexed by number from the first; each entry records its
 * whole ioctl number, which dispatch compares with the caller's, so an
 * entry filed under the wrong index (the selftests would see its command
 * fail), or a number with a size or direction encoded, can never run a
 * command.
 *
 * min_size is the struct's size when the command was first published, up
 * to and including its last field then; it never changes afterwards.
 */
#define KIPC_IOCTL_OP(_nr, _ioctl, _fn, _struct, _last)                     \
	[(_nr) - KIPC_IOC_NR_VERSION] = {                                    \
		.size = sizeof(_struct) +                                    \
			BUILD_BUG_ON_ZERO(sizeof(union kipc_ucmd_buffer) <   \
					  sizeof(_struct)),                  \
		.min_size = offsetofend(_struct, _last),                     \
		.ioctl_num = _ioctl,                                         \
		.execute = _fn,                                              \
	}

static const struct kipc_ioctl_op kipc_ioctl_ops[] = {
	KIPC_IOCTL_OP(KIPC_IOC_NR_VERSION, KIPC_IOC_VERSION,
		      kipc_ioctl_version,
		      struct kipc_version, __reserved),
	KIPC_IOCTL_OP(KIPC_IOC_NR_QUEUE_BIND, KIPC_IOC_QUEUE_BIND,
		      kipc_ioctl_queue_bind,
		      struct kipc_queue_bind, __reserved),
	KIPC_IOCTL_OP(KIPC_IOC_NR_QUEUE_UNLINK, KIPC_IOC_QUEUE_UNLINK,
		      kipc_ioctl_queue_unlink,
		      struct kipc_unlink, __reserved),
	KIPC_IOCTL_OP(KIPC_IOC_NR_QUEUE_SEND, KIPC_IOC_QUEUE_SEND,
		      kipc_ioctl_queue_send,
		      struct kipc_queue_io, msg),
	KIPC_IOCTL_OP(KIPC_IOC_NR_QUEUE_RECV, KIPC_IOC_QUEUE_RECV,
		      kipc_ioctl_queue_recv,
		      struct kipc_queue_io, msg),
	KIPC_IOCTL_OP(KIPC_IOC_NR_QUEUE_SEND_BATCH, KIPC_IOC_QUEUE_SEND_BATCH,
		      kipc_ioctl_queue_send_batch,
		      struct kipc_queue_batch, msg_size),
	KIPC_IOCTL_OP(KIPC_IOC_NR_QUEUE_RECV_BATCH, KIPC_IOC_QUEUE_RECV_BATCH,
		      kipc_ioctl_queue_recv_batch,
		      struct kipc_queue_batch, msg_size),
	KIPC_IOCTL_OP(KIPC_IOC_NR_QUEUE_GETATTR, KIPC_IOC_QUEUE_GETATTR,
		      kipc_ioctl_queue_getattr,
		      struct kipc_queue_attr, handle_flags),
	KIPC_IOCTL_OP(KIPC_IOC_NR_REGION_BIND, KIPC_IOC_REGION_BIND,
		      kipc_ioctl_region_bind,
		      struct kipc_region_bind, __reserved),
	KIPC_IOCTL_OP(KIPC_IOC_NR_REGION_UNLINK, KIPC_IOC_REGION_UNLINK,
		      kipc_ioctl_region_unlink,
		      struct kipc_unlink, __reserved),
	KIPC_IOCTL_OP(KIPC_IOC_NR_REGION_INFO, KIPC_IOC_REGION_INFO,
		      kipc_ioctl_region_info,
		      struct kipc_region_info, handle_flags),
	KIPC_IOCTL_OP(KIPC_IOC_NR_QUEUE_NOTIFY, KIPC_IOC_QUEUE_NOTIFY,
		      kipc_ioctl_queue_notify,
		      struct kipc_queue_notify, value),
	KIPC_IOCTL_OP(KIPC_IOC_NR_QUEUE_PEER, KIPC_IOC_QUEUE_PEER,
		      kipc_ioctl_queue_peer,
		      struct kipc_queue_peer, fd),
	KIPC_IOCTL_OP(KIPC_IOC_NR_PURGE, KIPC_IOC_PURGE,
		      kipc_ioctl_purge,
		      struct kipc_purge, messages),
	KIPC_IOCTL_OP(KIPC_IOC_NR_RING_BIND, KIPC_IOC_RING_BIND,
		      kipc_ioctl_ring_bind,
		      struct kipc_ring_bind, __reserved),
	KIPC_IOCTL_OP(KIPC_IOC_NR_RING_UNLINK, KIPC_IOC_RING_UNLINK,
		      kipc_ioctl_ring_unlink,
		      struct kipc_unlink, __reserved),
	KIPC_IOCTL_OP(KIPC_IOC_NR_RING_INFO, KIPC_IOC_RING_INFO,
		      kipc_ioctl_ring_info,
		      struct kipc_ring_info, lost),
	KIPC_IOCTL_OP(KIPC_IOC_NR_RING_WAIT, KIPC_IOC_RING_WAIT,
		      kipc_ioctl_ring_wait,
		      struct kipc_ring_wait, value),
	KIPC_IOCTL_OP(KIPC_IOC_NR_RING_WAKE, KIPC_IOC_RING_WAKE,
		      kipc_ioctl_ring_wake,
		      struct kipc_ring_wake, flags),
	KIPC_IOCTL_OP(KIPC_IOC_NR_RING_PRODUCER, KIPC_IOC_RING_PRODUCER,
		      kipc_ioctl_ring_producer,
		      struct kipc_ring_producer, bind_ns),
};

/*
 * The hot commands, a single send or receive with the struct of this
 * module's own size, are read field by field in one user-access window,
 * only the fields they take in, instead of a block copy that also reads
 * the output-only ones. Any other size takes the general path, with
 * copy_struct_from_user()'s rules; for this size the rules have nothing
 * to check, so both paths return the same for every input.
 * Return: what the command returned, or -ENOIOCTLCMD for the general path.
 */
static int kipc_ucmd_fast_io(struct kipc_ucmd *ucmd,
			     const struct kipc_ioctl_op *op, unsigned int cmd)
{
	struct kipc_queue_io __user *u = ucmd->ubuffer;
	struct kipc_queue_io *io = ucmd->cmd;

	if (cmd != KIPC_IOC_QUEUE_SEND && cmd != KIPC_IOC_QUEUE_RECV)
		return -ENOIOCTLCMD;
	if (!user_access_begin(u, sizeof(*u)))
		return -ENOIOCTLCMD;
	unsafe_get_user(io->size, &u->size, efault);
	if (io->size != sizeof(*io)) {
		user_access_end();
		return -ENOIOCTLCMD;
	}
	unsafe_get_user(io->flags, &u->flags, efault);
	unsafe_get_user(io->timeout_ns, &u->timeout_ns, efault);
	unsafe_get_user(io->msg.buf, &u->msg.buf, efault);
	unsafe_get_user(io->msg.len, &u->msg.len, efault);
	unsafe_get_user(io->msg.prio, &u->msg.prio, efault);
	unsafe_get_user(io->msg.type, &u->msg.type, efault);
	unsafe_get_user(io->msg.seq, &u->msg.seq, efault);
	user_access_end();
	ucmd->user_size = io->size;
	return op->execute(ucmd);
efault:
	user_access_end();
	return -EFAULT;
}

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

	if (nr < KIPC_IOC_NR_VERSION ||
	    nr - KIPC_IOC_NR_VERSION >= ARRAY_SIZE(kipc_ioctl_ops))
		return -ENOTTY;
	op = &kipc_ioctl_ops[nr - KIPC_IOC_NR_VERSION];
	/*
	 * Sizes travel in the structs, so every number is a plain _IO(): the
	 * whole number must match, magic and encoding included.
	 */
	if (!op->execute || op->ioctl_num != cmd)
		return -ENOTTY;

	ret = kipc_ucmd_fast_io(&ucmd, op, cmd);
	if (ret != -ENOIOCTLCMD)
		return ret;

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

static int kipc_fop_open(struct inode *inode, struct file *file)
{
	struct kipc_handle *h = kipc_handle_alloc();

	if (!h)
		return -ENOMEM;
	file->private_data = h;
	return stream_open(inode, file);
}

static int kipc_fop_release(struct inode *inode, struct file *file)
{
	kipc_fop_release_handle(file->private_data);
	return 0;
}

/*
 * A name in fdinfo: printable ASCII but the backslash as it is, any other
 * byte as \xNN, so that no name can forge a line, a field or a terminal
 * escape, and a space cannot end the field early.
 */
static void kipc_seq_name(struct seq_file *m, const char *name, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++) {
		unsigned char c = name[i];

		if (c > ' ' && c < 0x7f && c != '\\')
			seq_putc(m, c);
		else
			seq_printf(m, "\\x%02x", c);
	}
}

/*
 * What a handle is, for /proc/PID/fdinfo: every handle's target reads
 * /dev/kipc (or anon_inode:[kipc]), so without this nobody could tell
 * which queue a stuck process holds. The object adds its own state.
 */
static void kipc_fop_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct kipc_handle *h = file->private_data;
	struct kipc_obj *obj = kipc_handle_obj(h);

	if (!obj) {
		seq_puts(m, "kipc-kind:\tunbound\n");
		return;
	}
	seq_printf(m, "kipc-kind:\t%s\n",
		   obj->type == KIPC_OBJ_QUEUE ? "queue" :
		   obj->type == KIPC_OBJ_REGION ? "region" : "ring");
	if (obj->name_len) {
		seq_puts(m, "kipc-name:\t");
		kipc_seq_name(m, obj->name, obj->name_len);
		seq_putc(m, '\n');
	}
	seq_printf(m, "kipc-access:\t%s%s\n",
		   h->access & KIPC_QUEUE_READ ? "r" : "-",
		   h->access & KIPC_QUEUE_WRITE ? "w" : "-");
	if (obj->ops->show_fdinfo)
		obj->ops->show_fdinfo(m, h);
}

/* Rings have their own poll, fasync and mmap; the rest is the queue's. */
static bool kipc_file_is_ring(struct file *file)
{
	struct kipc_obj *obj = kipc_handle_obj(file->private_data);

	return obj && obj->type == KIPC_OBJ_RING;
}

static int kipc_fop_fasync(int fd, struct file *file, int on)
{
	if (kipc_file_is_ring(file))
		return kipc_ring_fasync(file->private_data, fd, file, on);
	return kipc_queue_fasync(file->private_data, fd, file, on);
}

static ssize_t kipc_fop_read(struct file *file, char __user *buf, size_t len,
			     loff_t *ppos)
{
	return kipc_queue_read(file->private_data, buf, len,
			       file->f_flags & O_NONBLOCK);
}

static ssize_t kipc_fop_write(struct file *file, const char __user *buf,
			      size_t len, loff_t *ppos)
{
	return kipc_queue_write(file->private_data, buf, len,
				file->f_flags & O_NONBLOCK);
}

static __poll_t kipc_fop_poll(struct file *file, poll_table *pt)
{
	if (kipc_file_is_ring(file))
		return kipc_ring_poll(file->private_data, file, pt);
	return kipc_queue_poll(file->private_data, file, pt);
}

static int kipc_fop_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (kipc_file_is_ring(file))
		return kipc_ring_mmap(file->private_data, vma);
	return kipc_region_mmap(file->private_data, vma);
}

static const struct file_operations kipc_fops = {
	.owner = THIS_MODULE,
	.open = kipc_fop_open,
	.release = kipc_fop_release,
	.read = kipc_fop_read,
	.write = kipc_fop_write,
	.poll = kipc_fop_poll,
	.mmap = kipc_fop_mmap,
	.fasync = kipc_fop_fasync,
	.unlocked_ioctl = kipc_fop_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
	.show_fdinfo = kipc_fop_show_fdinfo,
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
static_assert(sizeof(struct kipc_queue_bind) == 40);
static_assert(sizeof(struct kipc_unlink) == 24);
static_assert(sizeof(struct kipc_msg) == 56);
static_assert(sizeof(struct kipc_queue_io) == 72);
static_assert(sizeof(struct kipc_queue_batch) == 32);
static_assert(sizeof(struct kipc_queue_attr) == 80);	/* 72 before id */
static_assert(sizeof(struct kipc_queue_notify) == 24);
static_assert(sizeof(struct kipc_queue_peer) == 16);
static_assert(sizeof(struct kipc_region_bind) == 40);
static_assert(sizeof(struct kipc_region_info) == 48);
static_assert(sizeof(struct kipc_purge) == 32);	/* 24 before rings */
static_assert(sizeof(struct kipc_ring_bind) == 40);
static_assert(sizeof(struct kipc_ring_info) == 72);
static_assert(sizeof(struct kipc_ring_wait) == 32);
static_assert(sizeof(struct kipc_ring_wake) == 8);
static_assert(sizeof(struct kipc_ring_producer) == 40);
static_assert(sizeof(struct kipc_ring_header) == 72);
static_assert(sizeof(struct kipc_ring_cons) == 16);
static_assert(sizeof(struct kipc_ring_prod) == 16);

static int __init kipc_init(void)
{
	int ret;

	ret = kipc_region_init();
	if (ret)
		return ret;

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
	kipc_registry_exit();
}

module_init(kipc_init);
module_exit(kipc_exit);

MODULE_AUTHOR("The kipc developers");
MODULE_DESCRIPTION("Kernel-mediated IPC: message queues, shared-memory regions and rings");
MODULE_LICENSE("GPL");
MODULE_VERSION(KIPC_MODULE_VERSION_STR);
