/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Declarations shared between the files of the kipc module.
 */
#ifndef _KIPC_INTERNAL_H
#define _KIPC_INTERNAL_H

#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/kipc.h>

#define KIPC_MODULE_VERSION_STR	"1.1.0"
#define KIPC_MODULE_VERSION	KIPC_VERSION_CODE(1, 1, 0)

/* What this build of the module supports: KIPC_FEAT_*. */
#define KIPC_FEATURES		(KIPC_FEAT_VERSION | KIPC_FEAT_NETLINK | \
				 KIPC_FEAT_QUEUE | KIPC_FEAT_REGION | \
				 KIPC_FEAT_MONITOR | KIPC_FEAT_NOTIFY | \
				 KIPC_FEAT_CHANNEL | KIPC_FEAT_BROADCAST | \
				 KIPC_FEAT_PURGE | KIPC_FEAT_POLL | \
				 KIPC_FEAT_RECV_SEQ | KIPC_FEAT_RING)

/* Module parameters, set in params.c. */
extern unsigned int kipc_default_max_msgs;
extern unsigned int kipc_max_msgs_limit;
extern unsigned int kipc_default_msg_size;
extern unsigned int kipc_msg_size_limit;
extern unsigned int kipc_max_queues;
extern unsigned int kipc_poll_ns;
extern unsigned long kipc_max_region_size;
extern unsigned int kipc_max_regions;
extern unsigned long kipc_max_user_region_bytes;
extern unsigned long kipc_max_ring_size;
extern unsigned int kipc_max_rings;

enum kipc_obj_type {
	KIPC_OBJ_QUEUE,
	KIPC_OBJ_REGION,
	KIPC_OBJ_RING,
	KIPC_OBJ_TYPES,
};

/* The kipc objects of one IPC namespace. */
struct kipc_ns {
	struct list_head node;		/* in the list of namespaces */
	struct kref ref;
	struct ipc_namespace *ipc_ns;	/* one reference, held until freed */
	struct mutex lock;		/* names, lists, counts, handle counts */
	DECLARE_HASHTABLE(names, 8);
	struct list_head objs[KIPC_OBJ_TYPES];	/* linked or in use, oldest
						 * first
						 */
	unsigned int nr_objs[KIPC_OBJ_TYPES];	/* those on objs[] */
};

struct kipc_obj;
struct kipc_handle;

struct seq_file;
struct sk_buff;
struct user_namespace;

/* What the registry announces of an object (netlink's *-ntf events). */
enum kipc_event {
	KIPC_EVENT_CREATE,
	KIPC_EVENT_DELETE,
	KIPC_EVENT_CHANGE,
	KIPC_EVENTS,
};

struct kipc_obj_ops {
	/* Frees the containing object once the last reference is gone. */
	void (*free)(struct kipc_obj *obj);
	/* A bound handle closes; optional. */
	void (*release_handle)(struct kipc_handle *h);
	/*
	 * Optional: for an object that can stay in use with no name and no
	 * handle left (a region, while it is mapped). Such an object holds
	 * a reference of its own from creation and stays on its namespace's
	 * list, and in its count, until it calls kipc_obj_retire(). This is
	 * called, under kipc_ns.lock, once the last name and handle are gone.
	 */
	void (*orphaned)(struct kipc_obj *obj);
	/* Optional: the object's own lines in a handle's fdinfo. */
	void (*show_fdinfo)(struct seq_file *m, struct kipc_handle *h);
	/* Optional: the messages the object holds, for the purge's count. */
	u32 (*messages)(struct kipc_obj *obj);
	/*
	 * Puts the attributes of the type's get reply, which its events
	 * carry too, with IDs as @userns sees them; -EMSGSIZE when @msg is
	 * full. So netlink.c describes any object without knowing its type.
	 * Called with kipc_ns.lock held (dumps, events) or not (a get), so
	 * it takes no lock that is held for long or that nests outside it.
	 */
	int (*nl_fill)(struct sk_buff *msg, struct kipc_obj *obj,
		       struct user_namespace *userns);
	/* The netlink command of each event, KIPC_CMD_*_NTF. */
	u8 nl_event_cmd[KIPC_EVENTS];
};

/*
 * What queues and regions share: a name in a namespace, an owner and a
 * mode, and a lifetime. The registry holds one reference while the name
 * is linked and each bound handle holds one.
 */
struct kipc_obj {
	struct kref ref;
	const struct kipc_obj_ops *ops;
	enum kipc_obj_type type;
	struct kipc_ns *ns;
	struct hlist_node hnode;	/* in ns->names while linked */
	struct list_head ns_node;	/* in ns->objs[type] while linked,
					 * or until retired (see
					 * kipc_obj_ops.orphaned)
					 */
	u64 id;				/* unique, increasing: dump cursor */
	bool linked;			/* under ns->lock */
	bool auto_delete;
	unsigned int handles;		/* under ns->lock */
	kuid_t uid, cuid;
	kgid_t gid, cgid;
	umode_t mode;
	u64 ctime_ns;			/* CLOCK_REALTIME at creation */
	u32 name_len;
	char name[KIPC_NAME_MAX];	/* not NUL-terminated */
};

struct kipc_name {
	u32 len;
	char str[KIPC_NAME_MAX];
};

/*
 * A bind request: find the object by name, or create it through
 * @create, which returns a new object whose kipc_obj is zeroed except for
 * its ops, or an ERR_PTR.
 */
struct kipc_bind_req {
	enum kipc_obj_type type;
	const struct kipc_name *name;
	bool create, excl, auto_delete;
	bool anonymous;			/* create without linking a name */
	umode_t mode;
	int may;			/* MAY_READ | MAY_WRITE */
	unsigned int max_objs;		/* per namespace, ENOSPC beyond */
	struct kipc_obj *(*create_obj)(struct kipc_bind_req *req);
	void *arg;
};

int kipc_name_from_user(struct kipc_name *name, u64 uptr, u32 len);
struct kipc_obj *kipc_obj_bind(struct kipc_bind_req *req);
void kipc_obj_unbind(struct kipc_obj *obj);
int kipc_obj_bind_another(struct kipc_obj *obj, int may);
int kipc_obj_unlink(enum kipc_obj_type type, const struct kipc_name *name);
int kipc_obj_unlink_cmd(enum kipc_obj_type type, struct kipc_unlink *cmd);
void kipc_obj_put(struct kipc_obj *obj);
void kipc_obj_retire(struct kipc_obj *obj);
unsigned int kipc_obj_handles(struct kipc_obj *obj);
struct kipc_obj *kipc_obj_get_by_name(enum kipc_obj_type type,
				      const struct kipc_name *name);
int kipc_obj_dump(enum kipc_obj_type type, u64 *cursor,
		  int (*fill)(struct kipc_obj *obj, void *arg), void *arg);

/* Ownership and mode changes; any field may be left alone. */
struct kipc_obj_change {
	bool set_mode, set_uid, set_gid;
	umode_t mode;
	kuid_t uid;
	kgid_t gid;
};

int kipc_obj_change(enum kipc_obj_type type, const struct kipc_name *name,
		    const struct kipc_obj_change *change);

/* Module-wide counts, for stats-get and leak checks. */
struct kipc_stats {
	atomic_t objs[KIPC_OBJ_TYPES];	/* alive, named or not */
	atomic_t namespaces;
};

extern struct kipc_stats kipc_stats;
void kipc_registry_purge(struct kipc_purge *cmd);
void kipc_registry_exit(void);

/* What a user's objects are charged for, each against its own ceiling. */
enum kipc_charge {
	KIPC_CHARGE_QUEUES,		/* capacity, against RLIMIT_MSGQUEUE */
	KIPC_CHARGE_REGIONS,		/* size of regions and rings, against
					 * max_user_region_bytes
					 */
	KIPC_CHARGES,
};

int kipc_account_charge(kuid_t uid, enum kipc_charge what, u64 bytes);
void kipc_account_uncharge(kuid_t uid, enum kipc_charge what, u64 bytes);

/*
 * One open of /dev/kipc. Unbound until a bind ioctl sets @obj, which never
 * changes afterwards; readers use kipc_handle_obj().
 */
struct kipc_handle {
	struct mutex bind_lock;		/* serialises binds of this handle */
	struct kipc_obj *obj;
	unsigned int access;		/* KIPC_QUEUE_READ | KIPC_QUEUE_WRITE */
	void *priv;			/* the object type's per-handle state */
};

static inline struct kipc_obj *kipc_handle_obj(struct kipc_handle *h)
{
	/* Pairs with the release in the bind, so access is seen as set. */
	return smp_load_acquire(&h->obj);
}

struct kipc_queue;

int kipc_queue_bind(struct kipc_handle *h, struct kipc_queue_bind *cmd);
int kipc_queue_send(struct kipc_handle *h, struct kipc_queue_io *cmd,
		    bool nonblock);
int kipc_queue_recv(struct kipc_handle *h, struct kipc_queue_io *cmd,
		    struct kipc_queue_io __user *ucmd, bool nonblock);
int kipc_queue_send_batch(struct kipc_handle *h, struct kipc_queue_batch *cmd,
			  bool nonblock);
int kipc_queue_recv_batch(struct kipc_handle *h, struct kipc_queue_batch *cmd,
			  bool nonblock);
int kipc_queue_getattr(struct kipc_handle *h, struct kipc_queue_attr *cmd,
		       bool nonblock);
ssize_t kipc_queue_read(struct kipc_handle *h, char __user *buf, size_t len,
			bool nonblock);
ssize_t kipc_queue_write(struct kipc_handle *h, const char __user *buf,
			 size_t len, bool nonblock);
__poll_t kipc_queue_poll(struct kipc_handle *h, struct file *file,
			 poll_table *pt);
int kipc_queue_peer(struct kipc_handle *h, struct kipc_handle *peer,
		    u32 access);
int kipc_queue_notify(struct kipc_handle *h, struct kipc_queue_notify *cmd);
int kipc_queue_fasync(struct kipc_handle *h, int fd, struct file *file,
		      int on);

int kipc_region_bind(struct kipc_handle *h, struct kipc_region_bind *cmd);
int kipc_region_info(struct kipc_handle *h, struct kipc_region_info *cmd);
int kipc_region_mmap(struct kipc_handle *h, struct vm_area_struct *vma);
int __init kipc_region_init(void);

int kipc_ring_bind(struct kipc_handle *h, struct kipc_ring_bind *cmd);
int kipc_ring_info(struct kipc_handle *h, struct kipc_ring_info *cmd);
int kipc_ring_producer(struct kipc_handle *h, struct kipc_ring_producer *cmd);
int kipc_ring_wait(struct kipc_handle *h, struct kipc_ring_wait *cmd,
		   bool nonblock);
int kipc_ring_wake(struct kipc_handle *h, struct kipc_ring_wake *cmd);
__poll_t kipc_ring_poll(struct kipc_handle *h, struct file *file,
			poll_table *pt);
int kipc_ring_fasync(struct kipc_handle *h, int fd, struct file *file, int on);
int kipc_ring_mmap(struct kipc_handle *h, struct vm_area_struct *vma);

/*
 * The registry announces every creation, deletion and change of a name
 * through one hook, which netlink sets while its family is registered.
 * The hook runs under the object's kipc_ns.lock, which keeps one
 * namespace's events in order.
 */
void kipc_registry_set_event_hook(void (*hook)(struct kipc_obj *obj, enum kipc_event event));

/*
 * The attributes that every object type shares, by number in the type's
 * attribute set; kipc_nl_queue_attrs, kipc_nl_region_attrs and
 * kipc_nl_ring_attrs give them.
 */
struct kipc_nl_common_attrs {
	enum kipc_obj_type type;
	int name, uid, gid, mode, handles, ctime, pad;
};

extern const struct kipc_nl_common_attrs kipc_nl_queue_attrs;
extern const struct kipc_nl_common_attrs kipc_nl_region_attrs;
extern const struct kipc_nl_common_attrs kipc_nl_ring_attrs;
int kipc_nl_put_common(struct sk_buff *msg, struct kipc_obj *obj,
		       struct user_namespace *userns,
		       const struct kipc_nl_common_attrs *a);

int kipc_netlink_init(void);
void kipc_netlink_exit(void);

#endif /* _KIPC_INTERNAL_H */
