/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel-version shims for kipc; every difference between the supported
 * kernels (6.1, 6.12 and 7.3 at least) lives here. Each is told apart by
 * a probe of the headers in Kbuild (KIPC_HAVE_*), not by version number,
 * so that distribution backports are handled too.
 */
#ifndef _KIPC_COMPAT_H
#define _KIPC_COMPAT_H

#include <linux/fs.h>
#include <linux/ipc_namespace.h>
#include <linux/mm.h>
#include <linux/proc_ns.h>
#include <linux/shmem_fs.h>
#include <net/genetlink.h>

/*
 * put_ipc_ns() is not exported on 6.1 (6.12 and 7.3 export it). Every IPC
 * namespace's proc_ns_operations reach the same function, ipcns_put(), on
 * all three, so kipc drops its reference that way and needs no probe.
 */
static inline void kipc_put_ipc_ns(struct ipc_namespace *ns)
{
	ns->ns.ops->put(&ns->ns);
}

/*
 * True when no one but the caller's single reference holds @ns, so that no
 * task or nsfs file can reach it again. The initial namespace lives for
 * ever, and 7.3 does not count its references at all (they read 1
 * whoever holds it), so it never qualifies; its inode number tells it
 * apart on every kernel, where 6.1 does not export init_ipc_ns. 7.3 also
 * hides the count behind ns_ref_read(); before it, it was ns.count.
 */
static inline bool kipc_ipc_ns_only_ours(struct ipc_namespace *ns)
{
	if (ns->ns.inum == PROC_IPC_INIT_INO)
		return false;
#ifdef KIPC_HAVE_NS_REF_READ
	return ns_ref_read(ns) == 1;
#else
	return refcount_read(&ns->ns.count) == 1;
#endif
}

/* 6.3 made vm_flags read-only outside the helpers that replaced it. */
static inline void kipc_vm_flags_clear(struct vm_area_struct *vma,
				       vm_flags_t flags)
{
#ifdef KIPC_HAVE_VM_FLAGS_CLEAR
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

static inline void kipc_vm_flags_set(struct vm_area_struct *vma,
				     vm_flags_t flags)
{
#ifdef KIPC_HAVE_VM_FLAGS_CLEAR
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/*
 * A shmem file whose pages are allocated, and charged, as they are first
 * touched. 7.3 passes the VMA flags as a vma_flags_t bitmap, built from
 * bit numbers; before it they were a vm_flags_t word.
 */
static inline struct file *kipc_shmem_file_setup(const char *name, loff_t size)
{
#ifdef KIPC_HAVE_SHMEM_VMA_FLAGS
	return shmem_file_setup(name, size, mk_vma_flags(VMA_NORESERVE_BIT));
#else
	return shmem_file_setup(name, size, VM_NORESERVE);
#endif
}

/*
 * Hands @vma, already pointed at @file by vma_set_file(), to @file's own
 * mmap hook, as SysV shm does with its shmem file. 7.3's shmem has only
 * ->mmap_prepare and no ->mmap: vfs_mmap() runs that on the existing VMA
 * and applies what it asks for. call_mmap(), which it replaced, only knew
 * ->mmap, which was all shmem had then.
 */
static inline int kipc_file_mmap(struct file *file, struct vm_area_struct *vma)
{
#ifdef KIPC_HAVE_VFS_MMAP
	return vfs_mmap(file, vma);
#else
	return call_mmap(file, vma);
#endif
}

#ifndef KIPC_HAVE_GENL_SPLIT_OPS
/*
 * The generated op table (netlink_gen.c) is one of split ops, one entry
 * per command and do or dump, which 6.2 brought. On 6.1 it is built as
 * this struct, with the members it uses; netlink_gen.c is compiled with
 * this header included first, so that the name below stands in for the
 * kernel's before its first use.
 */
struct kipc_genl_split_ops {
	u8 cmd;
	u8 flags;
	u8 validate;
	int (*doit)(struct sk_buff *skb, struct genl_info *info);
	int (*dumpit)(struct sk_buff *skb, struct netlink_callback *cb);
	const struct nla_policy *policy;
	unsigned int maxattr;
};

#define genl_split_ops kipc_genl_split_ops
#endif

/*
 * Every kernel registers the family's full ops, one entry per command with
 * both handlers, folded at load from the generated split ops: 6.1 knows no
 * others, and for full ops every kernel refuses any attribute to a
 * command without a policy (the core's reject-all policy), which 6.12
 * does not do for split ops. Only the members that netlink_gen.c sets
 * are carried over: a spec that gains pre/post hooks needs them here too.
 *
 * Folds @n split ops into full ones in @ops (room for @n), and returns
 * how many there are, or -EINVAL for what full ops cannot say: a do and a
 * dump of one command with different policies, flags or validation.
 */
static inline int kipc_genl_ops_from_split(struct genl_ops *ops,
					   const struct genl_split_ops *split,
					   unsigned int n)
{
	const u8 caps = GENL_CMD_CAP_DO | GENL_CMD_CAP_DUMP;
	unsigned int i, j, nr = 0;
	struct genl_ops *op;

	for (i = 0; i < n; i++) {
		const struct genl_split_ops *s = &split[i];

		for (j = 0; j < nr && ops[j].cmd != s->cmd; j++)
			;
		op = &ops[j];
		if (j == nr) {
			nr++;
			*op = (struct genl_ops) {
				.cmd = s->cmd,
				.flags = s->flags & ~caps,
				.validate = s->validate,
				.policy = s->policy,
				.maxattr = s->maxattr,
			};
		} else if (op->flags != (s->flags & ~caps) ||
			   op->validate != s->validate ||
			   op->maxattr != s->maxattr ||
			   (op->policy != s->policy &&
			    memcmp(op->policy, s->policy,
				   (s->maxattr + 1) * sizeof(*s->policy)))) {
			return -EINVAL;
		}
		/*
		 * The kernel's split ops keep doit and dumpit in a union:
		 * the entry's flag says which of the two it holds.
		 */
		if (s->flags & GENL_CMD_CAP_DO)
			op->doit = s->doit;
		if (s->flags & GENL_CMD_CAP_DUMP)
			op->dumpit = s->dumpit;
	}
	return nr;
}

#endif /* _KIPC_COMPAT_H */
