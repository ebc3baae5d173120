// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: the "kipc" generic netlink family, described by
 * Documentation/netlink/specs/kipc.yaml.
 *
 * Every operation answers for the caller's IPC namespace only. Events go
 * to sockets that subscribed with KIPC_CMD_MONITOR rather than to a
 * multicast group, because a multicast group cannot tell its listeners'
 * IPC namespaces apart on every supported kernel (6.1 has neither
 * per-socket family state nor filtered broadcasts), and an event must
 * never reach a listener in another namespace.
 *
 * The registry announces every change of a name through the event hook
 * that this file registers (kipc_registry_set_event_hook()), and each
 * object type puts its own attributes (kipc_obj_ops.nl_fill), so this file
 * knows neither the registry's insides nor any object type's.
 *
 * Locking: kipc_listeners_lock (mutex) guards the subscription list. It
 * is taken inside kipc_ns.lock when an event is sent, since registry
 * changes announce under that lock, which also keeps one namespace's
 * events in order. The handlers take only the registry's locks and this
 * one, and the ioctls reach the same code without genl_mutex, so the
 * family runs its operations in parallel (.parallel_ops).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/nsproxy.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "compat.h"
#include "kipc_internal.h"
#include "netlink_gen.h"

static struct genl_family kipc_genl_family;

/* A socket that asked for events, and the namespace it asked from. */
struct kipc_listener {
	struct list_head node;
	struct net *net;		/* not counted: URELEASE comes first */
	u32 portid;
	struct ipc_namespace *ipc_ns;	/* counted */
	struct user_namespace *user_ns;	/* counted; IDs in events */
};

static LIST_HEAD(kipc_listeners);
static DEFINE_MUTEX(kipc_listeners_lock);
static unsigned int kipc_nr_listeners;

const struct kipc_nl_common_attrs kipc_nl_queue_attrs = {
	.type = KIPC_OBJ_QUEUE,
	.name = KIPC_A_QUEUE_NAME, .uid = KIPC_A_QUEUE_UID,
	.gid = KIPC_A_QUEUE_GID, .mode = KIPC_A_QUEUE_MODE,
	.handles = KIPC_A_QUEUE_HANDLES,
	.ctime = KIPC_A_QUEUE_CTIME, .pad = KIPC_A_QUEUE_PAD,
};

const struct kipc_nl_common_attrs kipc_nl_region_attrs = {
	.type = KIPC_OBJ_REGION,
	.name = KIPC_A_REGION_NAME, .uid = KIPC_A_REGION_UID,
	.gid = KIPC_A_REGION_GID, .mode = KIPC_A_REGION_MODE,
	.handles = KIPC_A_REGION_HANDLES,
	.ctime = KIPC_A_REGION_CTIME, .pad = KIPC_A_REGION_PAD,
};

const struct kipc_nl_common_attrs kipc_nl_ring_attrs = {
	.type = KIPC_OBJ_RING,
	.name = KIPC_A_RING_NAME, .uid = KIPC_A_RING_UID,
	.gid = KIPC_A_RING_GID, .mode = KIPC_A_RING_MODE,
	.handles = KIPC_A_RING_HANDLES,
	.ctime = KIPC_A_RING_CTIME, .pad = KIPC_A_RING_PAD,
};

/**
 * kipc_nl_put_common() - put the attributes every object has
 * @msg: the message being filled
 * @obj: the object
 * @userns: the receiver's user namespace, which the IDs are given in
 * @a: the numbers of those attributes in @obj's attribute set
 *
 * For the types' &kipc_obj_ops.nl_fill, which put the rest.
 *
 * Context: Any context that may read @obj; takes no lock.
 * Return: 0, or -EMSGSIZE when @msg is full.
 */
int kipc_nl_put_common(struct sk_buff *msg, struct kipc_obj *obj,
		       struct user_namespace *userns,
		       const struct kipc_nl_common_attrs *a)
{
	char name[KIPC_NAME_MAX + 1];

	memcpy(name, obj->name, obj->name_len);
	name[obj->name_len] = '\0';
	if (nla_put_string(msg, a->name, name) ||
	    nla_put_u32(msg, a->uid, from_kuid_munged(userns, obj->uid)) ||
	    nla_put_u32(msg, a->gid, from_kgid_munged(userns, obj->gid)) ||
	    nla_put_u32(msg, a->mode, READ_ONCE(obj->mode)) ||
	    /* A snapshot; the count may change as soon as it is read. */
	    nla_put_u32(msg, a->handles, data_race(obj->handles)) ||
	    nla_put_u64_64bit(msg, a->ctime, obj->ctime_ns, a->pad))
		return -EMSGSIZE;
	return 0;
}

/* One message describing @obj, as a reply, a dump entry or an event. */
static int kipc_nl_fill_obj(struct sk_buff *msg, struct kipc_obj *obj,
			    struct user_namespace *userns, u32 portid, u32 seq,
			    int flags, u8 cmd)
{
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &kipc_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (obj->ops->nl_fill(msg, obj, userns)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

/* The name attribute of a request; the policy has checked its length. */
static int kipc_nl_name(struct genl_info *info,
			const struct kipc_nl_common_attrs *a,
			struct kipc_name *name)
{
	int attr_name = a->name;
	struct nlattr *attr;

	if (GENL_REQ_ATTR_CHECK(info, attr_name)) {
		NL_SET_ERR_MSG(info->extack, "a name is required");
		return -EINVAL;
	}
	attr = info->attrs[attr_name];
	name->len = strnlen(nla_data(attr), nla_len(attr));
	if (!name->len) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "empty name");
		return -EINVAL;
	}
	/* As for the ioctls: a NUL ends the string and nothing may follow. */
	if (name->len + 1 != nla_len(attr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "NUL inside the name");
		return -EINVAL;
	}
	memcpy(name->str, nla_data(attr), name->len);
	return 0;
}

static int kipc_nl_obj_get_doit(struct genl_info *info,
				const struct kipc_nl_common_attrs *a)
{
	u8 cmd = info->genlhdr->cmd;
	struct kipc_name name;
	struct kipc_obj *obj;
	struct sk_buff *msg;
	int ret;

	ret = kipc_nl_name(info, a, &name);
	if (ret)
		return ret;
	obj = kipc_obj_get_by_name(a->type, &name);
	if (IS_ERR(obj)) {
		NL_SET_ERR_MSG(info->extack, "no such object");
		return PTR_ERR(obj);
	}

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		kipc_obj_put(obj);
		return -ENOMEM;
	}
	ret = kipc_nl_fill_obj(msg, obj, current_user_ns(), info->snd_portid,
			       info->snd_seq, 0, cmd);
	kipc_obj_put(obj);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

struct kipc_nl_dump_arg {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	u8 cmd;
};

static int kipc_nl_dump_one(struct kipc_obj *obj, void *data)
{
	struct kipc_nl_dump_arg *arg = data;

	return kipc_nl_fill_obj(arg->skb, obj, current_user_ns(),
				NETLINK_CB(arg->cb->skb).portid,
				arg->cb->nlh->nlmsg_seq, NLM_F_MULTI, arg->cmd);
}

/* cb->args[0] holds the id of the last object sent, to resume after it. */
static int kipc_nl_obj_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb,
				  const struct kipc_nl_common_attrs *a)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct kipc_nl_dump_arg arg = {
		.skb = skb,
		.cb = cb,
		.cmd = info->op.cmd,
	};
	u64 cursor = cb->args[0];
	int ret;

	ret = kipc_obj_dump(a->type, &cursor,
			    kipc_nl_dump_one, &arg);
	cb->args[0] = cursor;
	/* A full message ends this round; the next resumes at the cursor. */
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret ?: skb->len;
}

static int kipc_nl_obj_del_doit(struct genl_info *info,
				const struct kipc_nl_common_attrs *a)
{
	struct kipc_name name;
	int ret;

	ret = kipc_nl_name(info, a, &name);
	if (ret)
		return ret;
	ret = kipc_obj_unlink(a->type, &name);
	if (ret == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "no such object");
	else if (ret == -EPERM)
		NL_SET_ERR_MSG(info->extack, "only the owner may delete it");
	return ret;
}

static int kipc_nl_obj_set_doit(struct genl_info *info,
				const struct kipc_nl_common_attrs *a)
{
	struct user_namespace *userns = current_user_ns();
	struct kipc_obj_change change = {};
	struct kipc_name name;
	struct nlattr *attr;
	int ret;

	ret = kipc_nl_name(info, a, &name);
	if (ret)
		return ret;

	attr = info->attrs[a->mode];
	if (attr) {
		change.set_mode = true;
		change.mode = nla_get_u32(attr);
	}
	attr = info->attrs[a->uid];
	if (attr) {
		change.set_uid = true;
		change.uid = make_kuid(userns, nla_get_u32(attr));
		if (!uid_valid(change.uid)) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "uid not mapped in the caller's user namespace");
			return -EINVAL;
		}
	}
	attr = info->attrs[a->gid];
	if (attr) {
		change.set_gid = true;
		change.gid = make_kgid(userns, nla_get_u32(attr));
		if (!gid_valid(change.gid)) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "gid not mapped in the caller's user namespace");
			return -EINVAL;
		}
	}
	if (!change.set_mode && !change.set_uid && !change.set_gid) {
		NL_SET_ERR_MSG(info->extack, "nothing to change: give mode, uid or gid");
		return -EINVAL;
	}

	ret = kipc_obj_change(a->type, &name, &change);
	if (ret == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "no such object");
	else if (ret == -EPERM)
		NL_SET_ERR_MSG(info->extack, "only the owner may change it");
	return ret;
}

/*
 * The generated op table (netlink_gen.c) names one handler per command;
 * queues, regions and rings share the code, given the numbers of their
 * set.
 */

/**
 * kipc_nl_queue_get_doit() - describe one queue by name
 * @skb: the request
 * @info: the request's header and attributes
 *
 * The queue-get (do) handler of the generated op table.
 *
 * Context: Process context; takes the registry's locks and the queue's.
 * Return: 0, or a negative errno: -EINVAL without a name, -ENOENT no such
 * queue, -ENOMEM, -EMSGSIZE.
 */
int kipc_nl_queue_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kipc_nl_obj_get_doit(info, &kipc_nl_queue_attrs);
}

/**
 * kipc_nl_queue_get_dumpit() - describe every queue of the caller's namespace
 * @skb: the reply being filled
 * @cb: the dump's state
 *
 * The queue-get (dump) handler of the generated op table.
 *
 * Context: Process context; takes the registry's locks and each queue's.
 * Return: the bytes put in @skb, 0 once every queue is sent, or a negative
 * errno.
 */
int kipc_nl_queue_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return kipc_nl_obj_get_dumpit(skb, cb, &kipc_nl_queue_attrs);
}

/**
 * kipc_nl_queue_del_doit() - remove a queue's name
 * @skb: the request
 * @info: the request's header and attributes
 *
 * The queue-del handler of the generated op table.
 *
 * Context: Process context; takes kipc_ns.lock, and kipc_listeners_lock under
 * it for the event.
 * Return: 0, or a negative errno: -EINVAL without a name, -ENOENT no such
 * queue, -EPERM not allowed.
 */
int kipc_nl_queue_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kipc_nl_obj_del_doit(info, &kipc_nl_queue_attrs);
}

/**
 * kipc_nl_queue_set_doit() - change a queue's mode, owner or group
 * @skb: the request
 * @info: the request's header and attributes
 *
 * The queue-set handler of the generated op table.
 *
 * Context: Process context; takes kipc_ns.lock, and kipc_listeners_lock under
 * it for the event.
 * Return: 0, or a negative errno: -EINVAL without a name, with nothing to
 * change or with an unmapped id, -ENOENT no such queue, -EPERM not allowed.
 */
int kipc_nl_queue_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kipc_nl_obj_set_doit(info, &kipc_nl_queue_attrs);
}

/**
 * kipc_nl_region_get_doit() - describe one region by name
 * @skb: the request
 * @info: the request's header and attributes
 *
 * The region-get (do) handler of the generated op table.
 *
 * Context: Process context; takes the registry's locks and the region's.
 * Return: 0, or a negative errno, as kipc_nl_queue_get_doit().
 */
int kipc_nl_region_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kipc_nl_obj_get_doit(info, &kipc_nl_region_attrs);
}

/**
 * kipc_nl_region_get_dumpit() - describe every region of the caller's namespace
 * @skb: the reply being filled
 * @cb: the dump's state
 *
 * The region-get (dump) handler of the generated op table.
 *
 * Context: Process context; takes the registry's locks and each region's.
 * Return: the bytes put in @skb, 0 once every region is sent, or a negative
 * errno.
 */
int kipc_nl_region_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return kipc_nl_obj_get_dumpit(skb, cb, &kipc_nl_region_attrs);
}

/**
 * kipc_nl_region_del_doit() - remove a region's name
 * @skb: the request
 * @info: the request's header and attributes
 *
 * The region-del handler of the generated op table.
 *
 * Context: Process context; takes kipc_ns.lock, and kipc_listeners_lock under
 * it for the event.
 * Return: 0, or a negative errno, as kipc_nl_queue_del_doit().
 */
int kipc_nl_region_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kipc_nl_obj_del_doit(info, &kipc_nl_region_attrs);
}

/**
 * kipc_nl_region_set_doit() - change a region's mode, owner or group
 * @skb: the request
 * @info: the request's header and attributes
 *
 * The region-set handler of the generated op table.
 *
 * Context: Process context; takes kipc_ns.lock, and kipc_listeners_lock under
 * it for the event.
 * Return: 0, or a negative errno, as kipc_nl_queue_set_doit().
 */
int kipc_nl_region_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kipc_nl_obj_set_doit(info, &kipc_nl_region_attrs);
}

/**
 * kipc_nl_ring_get_doit() - describe one ring by name
 * @skb: the request
 * @info: the request's header and attributes
 *
 * The ring-get (do) handler of the generated op table.
 *
 * Context: Process context; takes the registry's locks, then the ring's
 * table_lock, never the mutex that a repair holds.
 * Return: 0, or a negative errno, as kipc_nl_queue_get_doit().
 */
int kipc_nl_ring_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kipc_nl_obj_get_doit(info, &kipc_nl_ring_attrs);
}

/**
 * kipc_nl_ring_get_dumpit() - describe every ring of the caller's namespace
 * @skb: the reply being filled
 * @cb: the dump's state
 *
 * The ring-get (dump) handler of the generated op table.
 *
 * Context: Process context; takes the registry's locks and, under them,
 * each ring's table_lock.
 * Return: the bytes put in @skb, 0 once every ring is sent, or a negative
 * errno.
 */
int kipc_nl_ring_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return kipc_nl_obj_get_dumpit(skb, cb, &kipc_nl_ring_attrs);
}

/**
 * kipc_nl_version_get_doit() - report the ABI version, version and features
 * @skb: the request
 * @info: the request's header and attributes
 *
 * The version-get handler of the generated op table.
 *
 * Context: Process context; takes no lock.
 * Return: 0, or -ENOMEM or -EMSGSIZE.
 */
int kipc_nl_version_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &kipc_genl_family, 0,
				KIPC_CMD_VERSION_GET);
	if (!hdr)
		goto nomem;

	if (nla_put_u32(msg, KIPC_A_VERSION_ABI, KIPC_ABI_VERSION) ||
	    nla_put_u32(msg, KIPC_A_VERSION_MODULE, KIPC_MODULE_VERSION) ||
	    nla_put_u64_64bit(msg, KIPC_A_VERSION_FEATURES, KIPC_FEATURES,
			      KIPC_A_VERSION_PAD))
		goto nomem;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nomem:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/**
 * kipc_nl_stats_get_doit() - report the module-wide counts and parameters
 * @skb: the request
 * @info: the request's header and attributes
 *
 * The stats-get handler of the generated op table.
 *
 * Context: Process context; takes no lock (each count is read once).
 * Return: 0, or -ENOMEM or -EMSGSIZE.
 */
int kipc_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &kipc_genl_family, 0,
				KIPC_CMD_STATS_GET);
	if (!hdr)
		goto nomem;

	if (nla_put_u32(msg, KIPC_A_STATS_QUEUES,
			atomic_read(&kipc_stats.objs[KIPC_OBJ_QUEUE])) ||
	    nla_put_u32(msg, KIPC_A_STATS_REGIONS,
			atomic_read(&kipc_stats.objs[KIPC_OBJ_REGION])) ||
	    nla_put_u32(msg, KIPC_A_STATS_NAMESPACES,
			atomic_read(&kipc_stats.namespaces)) ||
	    nla_put_u32(msg, KIPC_A_STATS_LISTENERS,
			READ_ONCE(kipc_nr_listeners)) ||
	    nla_put_u32(msg, KIPC_A_STATS_MAX_QUEUES, READ_ONCE(kipc_max_queues)) ||
	    nla_put_u32(msg, KIPC_A_STATS_MAX_REGIONS, READ_ONCE(kipc_max_regions)) ||
	    nla_put_u32(msg, KIPC_A_STATS_DEFAULT_MAX_MSGS,
			READ_ONCE(kipc_default_max_msgs)) ||
	    nla_put_u32(msg, KIPC_A_STATS_MAX_MSGS_LIMIT,
			READ_ONCE(kipc_max_msgs_limit)) ||
	    nla_put_u32(msg, KIPC_A_STATS_DEFAULT_MSG_SIZE,
			READ_ONCE(kipc_default_msg_size)) ||
	    nla_put_u32(msg, KIPC_A_STATS_MSG_SIZE_LIMIT,
			READ_ONCE(kipc_msg_size_limit)) ||
	    nla_put_u64_64bit(msg, KIPC_A_STATS_MAX_REGION_SIZE,
			      READ_ONCE(kipc_max_region_size), KIPC_A_STATS_PAD) ||
	    nla_put_u32(msg, KIPC_A_STATS_RINGS,
			atomic_read(&kipc_stats.objs[KIPC_OBJ_RING])) ||
	    nla_put_u32(msg, KIPC_A_STATS_MAX_RINGS, READ_ONCE(kipc_max_rings)) ||
	    nla_put_u64_64bit(msg, KIPC_A_STATS_MAX_RING_SIZE,
			      READ_ONCE(kipc_max_ring_size), KIPC_A_STATS_PAD))
		goto nomem;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nomem:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/**
 * kipc_nl_monitor_doit() - subscribe the sending socket to its namespace's
 * events
 * @skb: the request
 * @info: the request's header and attributes
 *
 * The monitor handler of the generated op table.
 *
 * Context: Process context; takes kipc_listeners_lock.
 * Return: 0, or -EALREADY when the socket is subscribed already, or -ENOMEM.
 */
int kipc_nl_monitor_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct kipc_listener *l, *fresh;
	int ret = 0;

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
	if (!fresh)
		return -ENOMEM;

	mutex_lock(&kipc_listeners_lock);
	list_for_each_entry(l, &kipc_listeners, node) {
		if (net_eq(l->net, net) && l->portid == info->snd_portid) {
			NL_SET_ERR_MSG(info->extack, "already subscribed");
			ret = -EALREADY;
			goto out;
		}
	}
	fresh->net = net;
	fresh->portid = info->snd_portid;
	fresh->ipc_ns = get_ipc_ns(current->nsproxy->ipc_ns);
	fresh->user_ns = get_user_ns(current_user_ns());
	list_add_tail(&fresh->node, &kipc_listeners);
	kipc_nr_listeners++;
	fresh = NULL;
out:
	mutex_unlock(&kipc_listeners_lock);
	kfree(fresh);
	return ret;
}

static void kipc_listener_free(struct kipc_listener *l)
{
	lockdep_assert_held(&kipc_listeners_lock);

	list_del(&l->node);
	kipc_nr_listeners--;
	kipc_put_ipc_ns(l->ipc_ns);
	put_user_ns(l->user_ns);
	kfree(l);
}

/*
 * Sends @event about @obj to each listener of its namespace, with IDs as
 * that listener's user namespace sees them. A listener whose socket is
 * full misses the event, as a multicast listener would; one whose socket
 * is gone is dropped.
 */
static void kipc_nl_notify(struct kipc_obj *obj, enum kipc_event event)
{
	u8 cmd = obj->ops->nl_event_cmd[event];
	struct kipc_listener *l, *tmp;
	struct sk_buff *msg;

	lockdep_assert_held(&obj->ns->lock);

	/* A type without the event (a ring has no change) announces none. */
	if (!cmd || !obj->ops->nl_fill || !READ_ONCE(kipc_nr_listeners))
		return;

	mutex_lock(&kipc_listeners_lock);
	list_for_each_entry_safe(l, tmp, &kipc_listeners, node) {
		if (l->ipc_ns != obj->ns->ipc_ns)
			continue;
		msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
		if (!msg)
			break;
		if (kipc_nl_fill_obj(msg, obj, l->user_ns, 0, 0, 0, cmd)) {
			nlmsg_free(msg);
			break;
		}
		if (genlmsg_unicast(l->net, msg, l->portid) == -ECONNREFUSED)
			kipc_listener_free(l);
	}
	mutex_unlock(&kipc_listeners_lock);
}

/* A netlink socket closed: forget its subscription. */
static int kipc_nl_release(struct notifier_block *nb, unsigned long event,
			   void *ptr)
{
	struct netlink_notify *n = ptr;
	struct kipc_listener *l, *tmp;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;

	mutex_lock(&kipc_listeners_lock);
	list_for_each_entry_safe(l, tmp, &kipc_listeners, node)
		if (net_eq(l->net, n->net) && l->portid == n->portid)
			kipc_listener_free(l);
	mutex_unlock(&kipc_listeners_lock);
	return NOTIFY_DONE;
}

static struct notifier_block kipc_nl_notifier = {
	.notifier_call = kipc_nl_release,
};

/*
 * The policies and the op table are generated from the spec: an operation
 * without a policy takes no attribute, and the core refuses any. A get
 * with a name is a do; a dump ignores the name.
 */
static struct genl_family kipc_genl_family __ro_after_init = {
	.name = KIPC_FAMILY_NAME,
	.version = KIPC_FAMILY_VERSION,
	.netnsok = true,
	/* Nothing relies on genl_mutex; see the locking above. */
	.parallel_ops = true,
	.module = THIS_MODULE,
};

/* The full ops that compat.h folds the generated table into. */
static struct genl_ops kipc_genl_full_ops[ARRAY_SIZE(kipc_nl_ops)] __ro_after_init;

static int __init kipc_genl_family_ops_init(void)
{
	int n = kipc_genl_ops_from_split(kipc_genl_full_ops, kipc_nl_ops,
					 ARRAY_SIZE(kipc_nl_ops));

	if (n < 0) {
		pr_err("a do and a dump differ in policy, flags or validation, which full ops cannot say\n");
		return n;
	}
	kipc_genl_family.ops = kipc_genl_full_ops;
	kipc_genl_family.n_ops = n;
	return 0;
}

/**
 * kipc_netlink_init() - register the family and the event hook
 *
 * Context: Module init.
 * Return: 0, or the negative errno of a registration that failed.
 */
int __init kipc_netlink_init(void)
{
	int ret;

	ret = kipc_genl_family_ops_init();
	if (ret)
		return ret;
	ret = netlink_register_notifier(&kipc_nl_notifier);
	if (ret)
		return ret;
	ret = genl_register_family(&kipc_genl_family);
	if (ret) {
		netlink_unregister_notifier(&kipc_nl_notifier);
		return ret;
	}
	kipc_registry_set_event_hook(kipc_nl_notify);
	return 0;
}

/**
 * kipc_netlink_exit() - unregister the family and drop every subscription
 *
 * Context: Module exit, or init's unwinding; no handle is open.
 */
void kipc_netlink_exit(void)
{
	struct kipc_listener *l, *tmp;

	genl_unregister_family(&kipc_genl_family);
	netlink_unregister_notifier(&kipc_nl_notifier);
	/* No request is in flight now, and no handle is open. */
	kipc_registry_set_event_hook(NULL);
	mutex_lock(&kipc_listeners_lock);
	list_for_each_entry_safe(l, tmp, &kipc_listeners, node)
		kipc_listener_free(l);
	mutex_unlock(&kipc_listeners_lock);
}

MODULE_ALIAS_GENL_FAMILY(KIPC_FAMILY_NAME);
