// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: names to objects, one table per IPC namespace, and the permission
 * checks made when a handle binds or a name is unlinked.
 *
 * Locking, outermost first:
 *   kipc_namespaces_lock (mutex)  the list of kipc_ns
 *   kipc_ns.lock (mutex)          one namespace's names, counts, and each
 *                                 object's linked flag and handle count
 * Type-specific object locks nest inside kipc_ns.lock, and so does
 * whatever the event hook takes (netlink's kipc_listeners_lock): changes
 * of a name are announced under kipc_ns.lock, which keeps one namespace's
 * events in the order of its changes.
 *
 * A kipc_ns holds one reference on its IPC namespace. Nothing tells a
 * module that a namespace died, so a deferrable work item looks every few
 * seconds for namespaces that only kipc still references. No task and no
 * nsfs file can reach such a namespace again, so its names are dropped
 * then; objects that handles elsewhere still hold live on unnamed.
 *
 * An object's references: the registry's while it is linked, one per
 * bound handle, short-lived ones (lookups, netlink), and, for a type that
 * can be in use with no name or handle (a region's mappings), the type's
 * own until it retires the object. Such an object stays on its
 * namespace's list, and in its count, until then: limits and listings
 * see it while any of it lives.
 *
 * Each linked name also holds a reference on the module, taken when the
 * name is linked and dropped when it is unlinked. A name can hold
 * messages that no handle holds, and an unload would discard them, so
 * rmmod fails while any name exists; kipc_registry_purge() is the
 * administrator's way to let go of them all. A name is linked only by a
 * bind, whose caller's open file already pins the module, so
 * __module_get() is enough. Unlinks run from an ioctl (an open file),
 * from netlink (genl_unregister_family() waits for it) or from the
 * reaper (cancelled synchronously at exit), so the code after the last
 * module_put() finishes before the module can go.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/jhash.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "kipc_internal.h"

#define KIPC_REAP_INTERVAL	(5 * HZ)

struct kipc_stats kipc_stats;

static LIST_HEAD(kipc_namespaces);
static atomic64_t kipc_next_id = ATOMIC64_INIT(0);
static DEFINE_MUTEX(kipc_namespaces_lock);

static void (*kipc_event_hook)(struct kipc_obj *obj, enum kipc_event event);

static void kipc_ns_reap(struct work_struct *work);
static DECLARE_DEFERRABLE_WORK(kipc_reaper, kipc_ns_reap);

/**
 * kipc_registry_set_event_hook() - set or clear the event hook
 * @hook: called with each object whose name is created, deleted or
 *	changed, under its kipc_ns.lock; NULL for none
 *
 * Netlink sets the hook once its family is registered, and clears it
 * after unregistering it, when no request or handle can be in flight; an
 * event with no hook set has no one to go to.
 *
 * Context: Module init or exit; takes no lock.
 */
void kipc_registry_set_event_hook(void (*hook)(struct kipc_obj *obj, enum kipc_event event))
{
	WRITE_ONCE(kipc_event_hook, hook);
}

static void kipc_obj_announce(struct kipc_obj *obj, enum kipc_event event)
{
	void (*hook)(struct kipc_obj *obj, enum kipc_event event);

	lockdep_assert_held(&obj->ns->lock);

	hook = READ_ONCE(kipc_event_hook);
	if (hook)
		hook(obj, event);
}

/**
 * kipc_name_from_user() - copy an object's name in from an ioctl
 * @name: where the name goes
 * @uptr: the user pointer to it
 * @len: its length, without a terminating NUL
 *
 * Context: Process context; may fault; takes no lock.
 * Return: 0, -EINVAL for an empty name or one with a NUL, -ENAMETOOLONG
 * past KIPC_NAME_MAX, or -EFAULT.
 */
int kipc_name_from_user(struct kipc_name *name, u64 uptr, u32 len)
{
	if (!len)
		return -EINVAL;
	if (len > KIPC_NAME_MAX)
		return -ENAMETOOLONG;
	if (copy_from_user(name->str, u64_to_user_ptr(uptr), len))
		return -EFAULT;
	if (memchr(name->str, '\0', len))
		return -EINVAL;
	name->len = len;
	return 0;
}

static void kipc_ns_free(struct kref *ref)
{
	struct kipc_ns *ns = container_of(ref, struct kipc_ns, ref);

	kipc_put_ipc_ns(ns->ipc_ns);
	kfree(ns);
	atomic_dec(&kipc_stats.namespaces);
}

static void kipc_ns_put(struct kipc_ns *ns)
{
	kref_put(&ns->ref, kipc_ns_free);
}

/* The caller's namespace table, created on first use. */
static struct kipc_ns *kipc_ns_get_current(void)
{
	struct ipc_namespace *ipc_ns = current->nsproxy->ipc_ns;
	struct kipc_ns *ns;
	int t;

	mutex_lock(&kipc_namespaces_lock);
	list_for_each_entry(ns, &kipc_namespaces, node) {
		if (ns->ipc_ns == ipc_ns) {
			kref_get(&ns->ref);
			goto out;
		}
	}

	ns = kzalloc(sizeof(*ns), GFP_KERNEL_ACCOUNT);
	if (!ns) {
		ns = ERR_PTR(-ENOMEM);
		goto out;
	}
	kref_init(&ns->ref);		/* the list's reference */
	kref_get(&ns->ref);		/* the caller's */
	mutex_init(&ns->lock);
	hash_init(ns->names);
	for (t = 0; t < KIPC_OBJ_TYPES; t++)
		INIT_LIST_HEAD(&ns->objs[t]);
	atomic_inc(&kipc_stats.namespaces);
	ns->ipc_ns = get_ipc_ns(ipc_ns);
	list_add(&ns->node, &kipc_namespaces);
	schedule_delayed_work(&kipc_reaper, KIPC_REAP_INTERVAL);
out:
	mutex_unlock(&kipc_namespaces_lock);
	return ns;
}

static u32 kipc_name_hash(enum kipc_obj_type type, const struct kipc_name *name)
{
	return jhash(name->str, name->len, type);
}

static struct kipc_obj *kipc_obj_find(struct kipc_ns *ns, enum kipc_obj_type type,
				      const struct kipc_name *name)
{
	struct kipc_obj *obj;

	lockdep_assert_held(&ns->lock);

	hash_for_each_possible(ns->names, obj, hnode, kipc_name_hash(type, name)) {
		if (obj->type == type && obj->name_len == name->len &&
		    !memcmp(obj->name, name->str, name->len))
			return obj;
	}
	return NULL;
}

static void kipc_obj_free(struct kref *ref)
{
	struct kipc_obj *obj = container_of(ref, struct kipc_obj, ref);
	struct kipc_ns *ns = obj->ns;

	atomic_dec(&kipc_stats.objs[obj->type]);
	obj->ops->free(obj);
	kipc_ns_put(ns);
}

/**
 * kipc_obj_put() - drop a reference to an object
 * @obj: the object; the last reference frees it through its ops
 *
 * Context: Process context, without kipc_ns.lock.
 */
void kipc_obj_put(struct kipc_obj *obj)
{
	kref_put(&obj->ref, kipc_obj_free);
}

/* Takes an object off its namespace's list, and out of its count. */
static void kipc_obj_unlist_locked(struct kipc_obj *obj)
{
	lockdep_assert_held(&obj->ns->lock);

	if (list_empty(&obj->ns_node))
		return;
	list_del_init(&obj->ns_node);
	obj->ns->nr_objs[obj->type]--;
}

/*
 * Drops the name; the registry's reference goes with it. An object that
 * can be in use without a name stays listed, and counted, until it
 * retires.
 */
static void kipc_obj_unlink_locked(struct kipc_obj *obj)
{
	lockdep_assert_held(&obj->ns->lock);

	kipc_obj_announce(obj, KIPC_EVENT_DELETE);
	hash_del(&obj->hnode);
	obj->linked = false;
	if (!obj->ops->orphaned)
		kipc_obj_unlist_locked(obj);
	else if (!obj->handles)
		obj->ops->orphaned(obj);
	kipc_obj_put(obj);
	module_put(THIS_MODULE);	/* the name's */
}

/**
 * kipc_obj_retire() - end the use that kept a nameless, unbound object
 * @obj: the object
 *
 * Drops the type's own reference and takes the object off its
 * namespace's list and count (see &kipc_obj_ops.orphaned).
 *
 * Context: Process context; takes kipc_ns.lock.
 */
void kipc_obj_retire(struct kipc_obj *obj)
{
	struct kipc_ns *ns = obj->ns;

	mutex_lock(&ns->lock);
	kipc_obj_unlist_locked(obj);
	mutex_unlock(&ns->lock);
	kipc_obj_put(obj);
}

/* As for a file: owner, then group, then other; CAP_IPC_OWNER overrides. */
static int kipc_obj_permission(struct kipc_obj *obj, int may)
{
	umode_t mode = READ_ONCE(obj->mode);
	int granted;

	if (uid_eq(current_fsuid(), obj->uid))
		granted = mode >> 6;
	else if (in_group_p(obj->gid))
		granted = mode >> 3;
	else
		granted = mode;

	if (!(may & ~granted & (MAY_READ | MAY_WRITE)))
		return 0;
	if (ns_capable(obj->ns->ipc_ns->user_ns, CAP_IPC_OWNER))
		return 0;
	return -EACCES;
}

static struct kipc_obj *kipc_obj_create_locked(struct kipc_ns *ns,
					       struct kipc_bind_req *req)
{
	struct kipc_obj *obj;

	lockdep_assert_held(&ns->lock);

	if (!req->anonymous && ns->nr_objs[req->type] >= req->max_objs &&
	    !capable(CAP_SYS_RESOURCE))
		return ERR_PTR(-ENOSPC);

	obj = req->create_obj(req);
	if (IS_ERR(obj))
		return obj;

	kref_init(&obj->ref);		/* the registry's, or an anonymous
					 * object's first handle's
					 */
	/* The type's own, until it retires the object. */
	if (obj->ops->orphaned)
		kref_get(&obj->ref);
	INIT_LIST_HEAD(&obj->ns_node);
	obj->type = req->type;
	obj->ns = ns;
	kref_get(&ns->ref);
	obj->auto_delete = req->auto_delete;
	obj->uid = current_fsuid();
	obj->cuid = obj->uid;
	obj->gid = current_fsgid();
	obj->cgid = obj->gid;
	obj->mode = req->mode;
	obj->ctime_ns = ktime_get_real_ns();
	obj->name_len = req->name->len;
	memcpy(obj->name, req->name->str, req->name->len);

	obj->id = atomic64_inc_return(&kipc_next_id);
	atomic_inc(&kipc_stats.objs[req->type]);
	if (req->anonymous)
		return obj;

	obj->linked = true;
	__module_get(THIS_MODULE);	/* the name's, see the top */
	hash_add(ns->names, &obj->hnode, kipc_name_hash(req->type, req->name));
	list_add_tail(&obj->ns_node, &ns->objs[req->type]);
	ns->nr_objs[req->type]++;
	kipc_obj_announce(obj, KIPC_EVENT_CREATE);
	return obj;
}

/**
 * kipc_obj_bind() - find or create the object a handle binds to
 * @req: what to find, and how to create it
 *
 * Finds or creates the named object in the caller's namespace and returns
 * it with a handle's reference, counted in obj->handles.
 *
 * Context: Process context; takes kipc_namespaces_lock, then kipc_ns.lock, and
 * under it whatever the event hook takes.
 * Return: the object, or an ERR_PTR: -ENOENT, -EEXIST, -EACCES, -ENOSPC,
 * or the errno of @req's create_obj.
 */
struct kipc_obj *kipc_obj_bind(struct kipc_bind_req *req)
{
	struct kipc_obj *obj;
	struct kipc_ns *ns;
	int ret;

	ns = kipc_ns_get_current();
	if (IS_ERR(ns))
		return ERR_CAST(ns);

	mutex_lock(&ns->lock);
	obj = req->anonymous ? NULL : kipc_obj_find(ns, req->type, req->name);
	if (obj) {
		ret = req->excl ? -EEXIST : kipc_obj_permission(obj, req->may);
		if (ret) {
			obj = ERR_PTR(ret);
			goto out;
		}
	} else {
		if (!req->create) {
			obj = ERR_PTR(-ENOENT);
			goto out;
		}
		obj = kipc_obj_create_locked(ns, req);
		if (IS_ERR(obj))
			goto out;
		/* Nothing names an anonymous object: the first handle's. */
		if (req->anonymous) {
			obj->handles++;
			goto out;
		}
	}
	kref_get(&obj->ref);
	obj->handles++;
out:
	mutex_unlock(&ns->lock);
	kipc_ns_put(ns);
	return obj;
}

/**
 * kipc_obj_handles() - the handles bound to an object now
 * @obj: the object
 *
 * Context: Process context; takes kipc_ns.lock.
 * Return: the count, which may change as soon as the lock is dropped.
 */
unsigned int kipc_obj_handles(struct kipc_obj *obj)
{
	unsigned int handles;

	mutex_lock(&obj->ns->lock);
	handles = obj->handles;
	mutex_unlock(&obj->ns->lock);
	return handles;
}

/**
 * kipc_obj_bind_another() - bind another handle to an object
 * @obj: an object the caller reaches through a handle it holds
 * @may: the access asked for, MAY_READ and MAY_WRITE
 *
 * Context: Process context; takes kipc_ns.lock.
 * Return: 0, with a handle's reference taken, or -EACCES.
 */
int kipc_obj_bind_another(struct kipc_obj *obj, int may)
{
	struct kipc_ns *ns = obj->ns;
	int ret;

	mutex_lock(&ns->lock);
	ret = kipc_obj_permission(obj, may);
	if (!ret) {
		kref_get(&obj->ref);
		obj->handles++;
	}
	mutex_unlock(&ns->lock);
	return ret;
}

/**
 * kipc_obj_unbind() - a handle lets go of its object
 * @obj: the object
 *
 * The last handle takes an auto-delete object's name with it.
 *
 * Context: Process context; takes kipc_ns.lock, and under it whatever the
 * event hook takes.
 */
void kipc_obj_unbind(struct kipc_obj *obj)
{
	struct kipc_ns *ns = obj->ns;

	mutex_lock(&ns->lock);
	if (!--obj->handles) {
		if (obj->auto_delete && obj->linked)
			kipc_obj_unlink_locked(obj);
		else if (!obj->linked && obj->ops->orphaned)
			obj->ops->orphaned(obj);
	}
	mutex_unlock(&ns->lock);
	kipc_obj_put(obj);
}

/* The owner's or CAP_IPC_OWNER's right, as for unlink. */
static bool kipc_obj_may_administer(struct kipc_obj *obj)
{
	kuid_t fsuid = current_fsuid();

	return uid_eq(fsuid, obj->uid) || uid_eq(fsuid, obj->cuid) ||
	       ns_capable(obj->ns->ipc_ns->user_ns, CAP_IPC_OWNER);
}

/**
 * kipc_obj_unlink() - remove a name of the caller's namespace
 * @type: the object type, each with its own names
 * @name: the name
 *
 * Context: Process context; takes kipc_namespaces_lock, then kipc_ns.lock, and
 * under it whatever the event hook takes.
 * Return: 0, -ENOENT no such object, -EPERM not the caller's to remove, or
 * -ENOMEM.
 */
int kipc_obj_unlink(enum kipc_obj_type type, const struct kipc_name *name)
{
	struct kipc_obj *obj;
	struct kipc_ns *ns;
	int ret = 0;

	ns = kipc_ns_get_current();
	if (IS_ERR(ns))
		return PTR_ERR(ns);

	mutex_lock(&ns->lock);
	obj = kipc_obj_find(ns, type, name);
	if (!obj)
		ret = -ENOENT;
	else if (!kipc_obj_may_administer(obj))
		ret = -EPERM;
	else
		kipc_obj_unlink_locked(obj);
	mutex_unlock(&ns->lock);
	kipc_ns_put(ns);
	return ret;
}

/**
 * kipc_obj_get_by_name() - look an object of the caller's namespace up
 * @type: the object type
 * @name: its name
 *
 * Context: Process context; takes kipc_namespaces_lock, then kipc_ns.lock.
 * Return: the object with a reference, which kipc_obj_put() drops, or
 * ERR_PTR(-ENOENT) or ERR_PTR(-ENOMEM).
 */
struct kipc_obj *kipc_obj_get_by_name(enum kipc_obj_type type,
				      const struct kipc_name *name)
{
	struct kipc_obj *obj;
	struct kipc_ns *ns;

	ns = kipc_ns_get_current();
	if (IS_ERR(ns))
		return ERR_CAST(ns);

	mutex_lock(&ns->lock);
	obj = kipc_obj_find(ns, type, name);
	if (obj)
		kref_get(&obj->ref);
	else
		obj = ERR_PTR(-ENOENT);
	mutex_unlock(&ns->lock);
	kipc_ns_put(ns);
	return obj;
}

/**
 * kipc_obj_dump() - call a function for each object of the namespace
 * @type: the object type
 * @cursor: in, the id of the last object already filled (0: none); out,
 *	the id of the last object filled now
 * @fill: called for each object, under kipc_ns.lock
 * @arg: passed to @fill
 *
 * Calls @fill for each object of the caller's namespace created after
 * *@cursor, oldest first, until @fill fails, so the next call resumes
 * after the last one filled. Objects created or deleted between calls are
 * seen or missed as a dump of any changing table would see them; none is
 * seen twice.
 *
 * Context: Process context; takes kipc_namespaces_lock, then kipc_ns.lock.
 * Return: 0 once every object is filled, @fill's negative errno, or
 * -ENOMEM.
 */
int kipc_obj_dump(enum kipc_obj_type type, u64 *cursor,
		  int (*fill)(struct kipc_obj *obj, void *arg), void *arg)
{
	struct kipc_obj *obj;
	struct kipc_ns *ns;
	int ret = 0;

	ns = kipc_ns_get_current();
	if (IS_ERR(ns))
		return PTR_ERR(ns);

	mutex_lock(&ns->lock);
	list_for_each_entry(obj, &ns->objs[type], ns_node) {
		if (obj->id <= *cursor)
			continue;
		ret = fill(obj, arg);
		if (ret)
			break;
		*cursor = obj->id;
	}
	mutex_unlock(&ns->lock);
	kipc_ns_put(ns);
	return ret;
}

/**
 * kipc_obj_change() - change an object's mode, owner or group
 * @type: the object type
 * @name: its name in the caller's namespace
 * @change: what to change
 *
 * Context: Process context; takes kipc_namespaces_lock, then kipc_ns.lock, and
 * under it whatever the event hook takes.
 * Return: 0, -ENOENT no such object, -EPERM not the caller's to change, or
 * -ENOMEM.
 */
int kipc_obj_change(enum kipc_obj_type type, const struct kipc_name *name,
		    const struct kipc_obj_change *change)
{
	struct kipc_obj *obj;
	struct kipc_ns *ns;
	int ret = 0;

	ns = kipc_ns_get_current();
	if (IS_ERR(ns))
		return PTR_ERR(ns);

	mutex_lock(&ns->lock);
	obj = kipc_obj_find(ns, type, name);
	if (!obj) {
		ret = -ENOENT;
	} else if (!kipc_obj_may_administer(obj)) {
		ret = -EPERM;
	} else {
		if (change->set_mode)
			WRITE_ONCE(obj->mode, change->mode);
		if (change->set_uid)
			obj->uid = change->uid;
		if (change->set_gid)
			obj->gid = change->gid;
		kipc_obj_announce(obj, KIPC_EVENT_CHANGE);
	}
	mutex_unlock(&ns->lock);
	kipc_ns_put(ns);
	return ret;
}

/**
 * kipc_obj_unlink_cmd() - ioctl(KIPC_IOC_QUEUE_UNLINK) and (KIPC_IOC_REGION_UNLINK)
 * @type: the object type the ioctl names
 * @cmd: the command, copied in
 *
 * Context: Process context; takes kipc_namespaces_lock, then kipc_ns.lock, and
 * under it whatever the event hook takes.
 * Return: 0, or a negative errno as kipc_name_from_user() and
 * kipc_obj_unlink() give, or -EINVAL for a flag or a reserved field.
 */
int kipc_obj_unlink_cmd(enum kipc_obj_type type, struct kipc_unlink *cmd)
{
	struct kipc_name name;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return -EINVAL;
	ret = kipc_name_from_user(&name, cmd->name, cmd->name_len);
	if (ret)
		return ret;
	return kipc_obj_unlink(type, &name);
}

/* Drops every name of a namespace being let go. */
static void kipc_ns_unlink_all(struct kipc_ns *ns)
{
	struct hlist_node *tmp;
	struct kipc_obj *obj;
	int bkt;

	mutex_lock(&ns->lock);
	hash_for_each_safe(ns->names, bkt, tmp, obj, hnode)
		kipc_obj_unlink_locked(obj);
	mutex_unlock(&ns->lock);
}

static void kipc_ns_reap(struct work_struct *work)
{
	struct kipc_ns *ns, *tmp;
	bool again;

	mutex_lock(&kipc_namespaces_lock);
	list_for_each_entry_safe(ns, tmp, &kipc_namespaces, node) {
		if (!kipc_ipc_ns_only_ours(ns->ipc_ns))
			continue;
		list_del(&ns->node);
		kipc_ns_unlink_all(ns);
		kipc_ns_put(ns);
	}
	again = !list_empty(&kipc_namespaces);
	mutex_unlock(&kipc_namespaces_lock);

	if (again)
		schedule_delayed_work(&kipc_reaper, KIPC_REAP_INTERVAL);
}

/**
 * kipc_registry_purge() - unlink every name of every namespace
 * @cmd: the KIPC_IOC_PURGE command, whose counts are filled
 *
 * Each deleted name is logged, since it may have held another user's
 * data. The caller has checked the privilege and the flags.
 *
 * Context: Process context; takes kipc_namespaces_lock, then kipc_ns.lock, and
 * under it whatever the event hook takes.
 */
void kipc_registry_purge(struct kipc_purge *cmd)
{
	struct hlist_node *tmp;
	u32 msgs;
	struct kipc_obj *obj;
	struct kipc_ns *ns;
	int bkt;

	cmd->queues = 0;
	cmd->regions = 0;
	cmd->messages = 0;
	cmd->rings = 0;

	mutex_lock(&kipc_namespaces_lock);
	list_for_each_entry(ns, &kipc_namespaces, node) {
		mutex_lock(&ns->lock);
		hash_for_each_safe(ns->names, bkt, tmp, obj, hnode) {
			if (obj->type == KIPC_OBJ_QUEUE) {
				msgs = obj->ops->messages(obj);
				cmd->queues++;
				cmd->messages += msgs;
				pr_info("purge: queue \"%*pE\" with %u messages\n",
					obj->name_len, obj->name, msgs);
			} else if (obj->type == KIPC_OBJ_REGION) {
				cmd->regions++;
				pr_info("purge: region \"%*pE\"\n",
					obj->name_len, obj->name);
			} else {
				cmd->rings++;
				pr_info("purge: ring \"%*pE\"\n",
					obj->name_len, obj->name);
			}
			kipc_obj_unlink_locked(obj);
		}
		mutex_unlock(&ns->lock);
	}
	mutex_unlock(&kipc_namespaces_lock);
}

/**
 * kipc_registry_exit() - drop every namespace
 *
 * No handle is open at module exit, and no name is left (each holds a
 * module reference), so this only drops the namespaces.
 *
 * Context: Module exit; takes kipc_namespaces_lock.
 */
void kipc_registry_exit(void)
{
	struct kipc_ns *ns, *tmp;

	cancel_delayed_work_sync(&kipc_reaper);
	mutex_lock(&kipc_namespaces_lock);
	list_for_each_entry_safe(ns, tmp, &kipc_namespaces, node) {
		list_del(&ns->node);
		WARN_ON_ONCE(!hash_empty(ns->names));
		kipc_ns_put(ns);
	}
	mutex_unlock(&kipc_namespaces_lock);
}
