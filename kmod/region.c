// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: shared-memory regions.
 *
 * A region is a named shmem file. mmap() on a bound handle hands the VMA
 * over to that file (vma_set_file() and shmem's own mmap hook, through
 * kipc_file_mmap()), exactly as dma-buf hands a VMA to its exporter and
 * SysV shm to its shmem file. The mapping is then a plain shmem
 * mapping: its pages are swappable and on shmem's reverse map, futex keys
 * are the same in every process, a fault past the end raises SIGBUS, and
 * nothing in the mapping points back into this module. Each VMA holds a
 * reference on the shmem file, so the memory outlives the handle and the
 * name and is freed with the last unmap.
 *
 * A region counts, in its namespace's max_regions, in stats and in its
 * creator's max_user_region_bytes, and is listed, while any of it lives:
 * the region object stays until the shmem file is released. The file's
 * operations are shmem's own, copied, with a release that tells kipc; as
 * file operations of this module they also keep it loaded while region
 * memory exists.
 *
 * Locking: the registry's kipc_ns.lock guards a region's name and handle
 * count; kipc_region.lock, a leaf, guards whether the shmem file is still
 * there to be asked how many mappings it has.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/user_namespace.h>
#include <net/netlink.h>

#include "compat.h"
#include "kipc_internal.h"

#define KIPC_REGION_BIND_ALL	(KIPC_REGION_READ | KIPC_REGION_WRITE | \
				 KIPC_REGION_CREATE | KIPC_REGION_EXCL | \
				 KIPC_REGION_AUTO_DELETE)

struct kipc_region {
	struct kipc_obj obj;
	struct file *shm;
	u64 size;
	kuid_t charged_uid;
	u64 charged;		/* bytes charged to charged_uid */
	spinlock_t lock;
	bool shm_held;		/* the region's own reference on shm */
	bool shm_alive;		/* shm not yet released */
};

/*
 * shmem's file operations, with kipc_region_shm_release() added: filled
 * once at module load, read-only after.
 */
static struct file_operations kipc_region_shm_fops __ro_after_init;
static int (*kipc_shmem_release)(struct inode *inode, struct file *file)
	__ro_after_init;

static inline struct kipc_region *kipc_obj_region(struct kipc_obj *obj)
{
	return container_of(obj, struct kipc_region, obj);
}

static struct kipc_region *kipc_handle_region(struct kipc_handle *h)
{
	struct kipc_obj *obj = kipc_handle_obj(h);

	if (!obj || obj->type != KIPC_OBJ_REGION)
		return NULL;
	return kipc_obj_region(obj);
}

/* Only once the shmem file is gone: see kipc_region_shm_release(). */
static void kipc_region_free(struct kipc_obj *obj)
{
	struct kipc_region *r = kipc_obj_region(obj);

	if (r->charged)
		kipc_account_uncharge(r->charged_uid, KIPC_CHARGE_REGIONS,
				      r->charged);
	kfree(r);
}

/*
 * No name and no handle is left; mappings may be. The region lets go of
 * its shmem file, whose release, after the last unmap, retires it.
 */
static void kipc_region_orphaned(struct kipc_obj *obj)
{
	struct kipc_region *r = kipc_obj_region(obj);

	lockdep_assert_held(&obj->ns->lock);

	spin_lock(&r->lock);
	r->shm_held = false;
	spin_unlock(&r->lock);
	/* Deferred by the VFS: the release never runs under ns->lock. */
	fput(r->shm);
}

static int kipc_region_nl_fill(struct sk_buff *msg, struct kipc_obj *obj,
			       struct user_namespace *userns);

static const struct kipc_obj_ops kipc_region_ops = {
	.free = kipc_region_free,
	.orphaned = kipc_region_orphaned,
	.nl_fill = kipc_region_nl_fill,
	.nl_event_cmd = {
		[KIPC_EVENT_CREATE] = KIPC_CMD_REGION_CREATE_NTF,
		[KIPC_EVENT_DELETE] = KIPC_CMD_REGION_DELETE_NTF,
		[KIPC_EVENT_CHANGE] = KIPC_CMD_REGION_CHANGE_NTF,
	},
};

static int kipc_region_shm_release(struct inode *inode, struct file *file)
{
	struct kipc_region *r = file->private_data;
	int ret = 0;

	if (kipc_shmem_release)
		ret = kipc_shmem_release(inode, file);
	spin_lock(&r->lock);
	r->shm_alive = false;
	spin_unlock(&r->lock);
	kipc_obj_retire(&r->obj);
	return ret;
}

/**
 * kipc_region_init() - learn shmem's file operations
 *
 * shmem's file operations are not exported; a file of its own shows them.
 * get_unmapped_area is left out: shmem's asserts that it is called on one
 * of shmem's own files, and the generic one serves a region as well.
 *
 * Context: Module init.
 * Return: 0, or the negative errno of the shmem file's creation.
 */
int __init kipc_region_init(void)
{
	struct file *probe;

	probe = kipc_shmem_file_setup("kipc-region", 0);
	if (IS_ERR(probe))
		return PTR_ERR(probe);
	kipc_region_shm_fops = *probe->f_op;
	fput(probe);

	kipc_shmem_release = kipc_region_shm_fops.release;
	kipc_region_shm_fops.owner = THIS_MODULE;
	kipc_region_shm_fops.release = kipc_region_shm_release;
	kipc_region_shm_fops.get_unmapped_area = NULL;
	return 0;
}

/* Called by the registry, under kipc_ns.lock, for a name not yet used. */
static struct kipc_obj *kipc_region_create(struct kipc_bind_req *req)
{
	const struct kipc_region_bind *cmd = req->arg;
	u64 max = READ_ONCE(kipc_max_region_size);
	struct kipc_region *r;
	u64 size;
	int ret;

	if (!cmd->region_size || cmd->region_size > max)
		return ERR_PTR(-EINVAL);
	size = PAGE_ALIGN(cmd->region_size);

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&r->lock);

	/* The whole size, as a queue charges its whole capacity. */
	if (!capable(CAP_SYS_RESOURCE)) {
		r->charged_uid = current_uid();
		ret = kipc_account_charge(r->charged_uid, KIPC_CHARGE_REGIONS,
					  size);
		if (ret)
			goto err_free;
		r->charged = size;
	}

	/* Pages are allocated, and charged, as they are first touched. */
	r->shm = kipc_shmem_file_setup("kipc-region", size);
	if (IS_ERR(r->shm)) {
		ret = PTR_ERR(r->shm);
		/*
		 * shmem reports a failed inode allocation as ENOSPC, which kipc
		 * keeps for a namespace's full count of regions.
		 */
		if (ret == -ENOSPC)
			ret = -ENOMEM;
		goto err_uncharge;
	}
	/*
	 * The caller's handle keeps the module, so this reference cannot
	 * fail; the fops_put() when the file is freed drops it.
	 */
	__module_get(THIS_MODULE);
	replace_fops(r->shm, &kipc_region_shm_fops);
	r->shm->private_data = r;
	r->shm_held = true;
	r->shm_alive = true;
	r->size = size;
	r->obj.ops = &kipc_region_ops;
	return &r->obj;

err_uncharge:
	if (r->charged)
		kipc_account_uncharge(r->charged_uid, KIPC_CHARGE_REGIONS,
				      r->charged);
err_free:
	kfree(r);
	return ERR_PTR(ret);
}

/*
 * Every VMA holds one reference on the shmem file, and the region one
 * while a name or a handle reaches it; once the file is released there
 * are none.
 */
static u64 kipc_region_mappings(struct kipc_region *r)
{
	u64 n = 0;

	spin_lock(&r->lock);
	if (r->shm_alive)
		n = file_count(r->shm) - r->shm_held;
	spin_unlock(&r->lock);
	return n;
}

/* The attributes of region-get. */
static int kipc_region_nl_fill(struct sk_buff *msg, struct kipc_obj *obj,
			       struct user_namespace *userns)
{
	struct kipc_region *r = kipc_obj_region(obj);
	u32 flags = 0;

	if (obj->auto_delete)
		flags |= KIPC_REGION_AUTO_DELETE;
	/* Listed still: its handles or mappings keep it alive. */
	if (!obj->linked)
		flags |= KIPC_REGION_UNLINKED;
	if (kipc_nl_put_common(msg, obj, userns, &kipc_nl_region_attrs) ||
	    nla_put_u32(msg, KIPC_A_REGION_FLAGS, flags) ||
	    nla_put_u64_64bit(msg, KIPC_A_REGION_SIZE, r->size,
			      KIPC_A_REGION_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_A_REGION_MAPPINGS,
			      kipc_region_mappings(r), KIPC_A_REGION_PAD))
		return -EMSGSIZE;
	return 0;
}

/**
 * kipc_region_bind() - ioctl(KIPC_IOC_REGION_BIND)
 * @h: an unbound handle
 * @cmd: the command, copied in
 *
 * Context: Process context; takes @h->bind_lock, then the registry's
 * locks.
 * Return: 0, or a negative errno as the uapi header documents.
 */
int kipc_region_bind(struct kipc_handle *h, struct kipc_region_bind *cmd)
{
	u32 access = cmd->flags & (KIPC_REGION_READ | KIPC_REGION_WRITE);
	struct kipc_name name;
	struct kipc_bind_req req = {
		.type = KIPC_OBJ_REGION,
		.name = &name,
		.create = cmd->flags & KIPC_REGION_CREATE,
		.excl = cmd->flags & KIPC_REGION_EXCL,
		.auto_delete = cmd->flags & KIPC_REGION_AUTO_DELETE,
		.mode = cmd->mode,
		.may = MAY_READ |
		       ((access & KIPC_REGION_WRITE) ? MAY_WRITE : 0),
		.max_objs = READ_ONCE(kipc_max_regions),
		.create_obj = kipc_region_create,
		.arg = cmd,
	};
	struct kipc_obj *obj;
	int ret;

	if (cmd->flags & ~KIPC_REGION_BIND_ALL || cmd->__reserved ||
	    !(access & KIPC_REGION_READ))
		return -EINVAL;
	if ((cmd->flags & (KIPC_REGION_EXCL | KIPC_REGION_AUTO_DELETE)) &&
	    !(cmd->flags & KIPC_REGION_CREATE))
		return -EINVAL;
	if (cmd->mode & ~0777)
		return -EINVAL;
	ret = kipc_name_from_user(&name, cmd->name, cmd->name_len);
	if (ret)
		return ret;

	mutex_lock(&h->bind_lock);
	if (h->obj) {
		ret = -EBUSY;
		goto out;
	}
	obj = kipc_obj_bind(&req);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
		goto out;
	}
	/* An existing region must be at least as large as asked for. */
	if (cmd->region_size > kipc_obj_region(obj)->size) {
		kipc_obj_unbind(obj);
		ret = -EINVAL;
		goto out;
	}
	h->access = access;
	/* Publishes access with the object; pairs with kipc_handle_obj(). */
	smp_store_release(&h->obj, obj);
out:
	mutex_unlock(&h->bind_lock);
	return ret;
}

/**
 * kipc_region_info() - ioctl(KIPC_IOC_REGION_INFO)
 * @h: a handle
 * @cmd: the command, copied in, filled for copying out
 *
 * Context: Process context; takes kipc_ns.lock and kipc_region.lock.
 * Return: 0, -EBADF when @h is not bound to a region, or -EINVAL for a
 * flag.
 */
int kipc_region_info(struct kipc_handle *h, struct kipc_region_info *cmd)
{
	struct kipc_region *r = kipc_handle_region(h);
	struct user_namespace *userns = current_user_ns();
	u32 size = cmd->size;

	if (!r)
		return -EBADF;
	if (cmd->flags)
		return -EINVAL;

	memset(cmd, 0, sizeof(*cmd));
	cmd->size = size;
	cmd->region_size = r->size;
	cmd->mode = READ_ONCE(r->obj.mode);
	cmd->uid = from_kuid_munged(userns, r->obj.uid);
	cmd->gid = from_kgid_munged(userns, r->obj.gid);
	cmd->handles = kipc_obj_handles(&r->obj);
	cmd->mappings = kipc_region_mappings(r);
	cmd->region_flags = r->obj.auto_delete ? KIPC_REGION_AUTO_DELETE : 0;
	cmd->handle_flags = h->access;
	return 0;
}

/**
 * kipc_region_mmap() - the ->mmap of a region handle
 * @h: the handle
 * @vma: the new mapping
 *
 * Shared mappings only: a private one would give each process its own
 * copy, which is never what a shared-memory region is for.
 *
 * Context: Process context, holding the mmap lock; takes no kipc lock.
 * Return: 0, or a negative errno: -ENODEV not bound to a region, -EINVAL
 * a private mapping or one beyond the region, -EACCES a writable mapping
 * of a read-only handle, or shmem's own.
 */
int kipc_region_mmap(struct kipc_handle *h, struct vm_area_struct *vma)
{
	struct kipc_region *r = kipc_handle_region(h);
	unsigned long pages = r ? r->size >> PAGE_SHIFT : 0;

	if (!r)
		return -ENODEV;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_pgoff >= pages || vma_pages(vma) > pages - vma->vm_pgoff)
		return -EINVAL;
	if (!(h->access & KIPC_REGION_WRITE)) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		/* Nor may mprotect() make it writable later. */
		kipc_vm_flags_clear(vma, VM_MAYWRITE);
	}

	vma_set_file(vma, r->shm);
	return kipc_file_mmap(r->shm, vma);
}
