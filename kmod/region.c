// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: shared-memory regions.
 *
 * A region is a named shmem file. mmap() on a bound handle hands the VMA
 * over to that file (vma_set_file() and shmem's own mmap), exactly as
 * dma-buf hands a VMA to its exporter. The mapping is then a plain shmem
 * mapping: its pages are swappable and on shmem's reverse map, futex keys
 * are the same in every process, a fault past the end raises SIGBUS, and
 * nothing in the mapping points back into this module, so the module can
 * be unloaded while regions are mapped. Each VMA holds a reference on the
 * shmem file, so the memory outlives the handle and the name and is
 * freed with the last unmap.
 *
 * Locking: a region has no mutable state of its own after creation; the
 * registry's kipc_ns.lock guards its name and handle count.
 */

#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "kipc.h"

#define KIPC_REGION_BIND_ALL	(KIPC_REGION_READ | KIPC_REGION_WRITE | \
				 KIPC_REGION_CREATE | KIPC_REGION_EXCL | \
				 KIPC_REGION_AUTO_DELETE)

struct kipc_region {
	struct kipc_obj obj;
	struct file *shm;
	u64 size;
};

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

static void kipc_region_free(struct kipc_obj *obj)
{
	struct kipc_region *r = kipc_obj_region(obj);

	fput(r->shm);
	kfree(r);
}

static const struct kipc_obj_ops kipc_region_ops = {
	.free = kipc_region_free,
};

/* Called by the registry, under kipc_ns.lock, for a name not yet used. */
static struct kipc_obj *kipc_region_create(struct kipc_bind_req *req)
{
	const struct kipc_region_bind *cmd = req->arg;
	u64 max = READ_ONCE(kipc_max_region_size);
	struct kipc_region *r;
	u64 size;

	if (!cmd->region_size || cmd->region_size > max)
		return ERR_PTR(-EINVAL);
	size = PAGE_ALIGN(cmd->region_size);

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return ERR_PTR(-ENOMEM);

	/* Pages are allocated, and charged, as they are first touched. */
	r->shm = shmem_file_setup("kipc-region", size, VM_NORESERVE);
	if (IS_ERR(r->shm)) {
		long err = PTR_ERR(r->shm);

		kfree(r);
		/*
		 * shmem reports a failed inode allocation as ENOSPC, which kipc
		 * keeps for a namespace's full count of regions.
		 */
		return ERR_PTR(err == -ENOSPC ? -ENOMEM : err);
	}
	r->size = size;
	r->obj.ops = &kipc_region_ops;
	return &r->obj;
}

/* Every VMA holds one reference on the shmem file; the region one. */
static u64 kipc_region_mappings(struct kipc_region *r)
{
	return file_count(r->shm) - 1;
}

void kipc_region_snapshot(struct kipc_obj *obj, struct kipc_region_snapshot *s)
{
	struct kipc_region *r = kipc_obj_region(obj);

	s->size = r->size;
	s->mappings = kipc_region_mappings(r);
}

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

/*
 * Shared mappings only: a private one would give each process its own
 * copy, which is never what a shared-memory region is for.
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
	return r->shm->f_op->mmap(r->shm, vma);
}
