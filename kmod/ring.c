// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: rings, many producers and one consumer in shared memory.
 *
 * A ring is a shmem file whose pages are all allocated at creation, kept
 * unevictable and held by the ring, so that the kernel reaches its
 * control words through one vmap() of them while user space reaches
 * everything through mmap() of a bound handle. The data path is entirely
 * in user space: a producer claims a slot by a compare-and-swap of the
 * slot's state word from an older lap to CLAIMED with its own tag, writes
 * the record, and commits by storing COMMITTED; the consumer reads
 * committed slots in order and publishes its tail. Because the claim and
 * the record of who claimed are the same atomic store, the kernel can
 * tell, when a producer's handle is released, exactly which slots that
 * producer left claimed: it marks them LOST and counts them, and the
 * consumer skips them. The kernel is entered only to sleep
 * (kipc_ring_wait(), poll) and to wake (kipc_ring_wake()).
 *
 * Mappings keep the handle's own file as vm_file and fault the ring's
 * pages in, so a handle is released only once no mapping made through it
 * remains: a producer whose release repairs its claims can no longer
 * write. Each role may map writable only the pages it owns
 * (kipc_ring_mmap()), and VM_MAYWRITE is cleared on any other mapping.
 *
 * Locking: kipc_ring.lock (mutex) guards the producer table, the consumer
 * slot and the lost count, and serialises repairs; it is taken under
 * kipc_handle.bind_lock at bind and alone at release, never with a
 * registry lock, so it is a leaf. kipc_ring.table_lock (spinlock) is
 * taken inside it by whoever changes those fields, only for the change
 * itself, so that netlink can read them with it alone: netlink describes
 * a ring under kipc_ns.lock (dumps, events), where waiting for the mutex
 * would mean waiting, with the whole namespace locked, for the repair of
 * a dead producer's claims, a scan of every slot. table_lock is a leaf
 * that nests inside kipc_ns.lock. The words in the shared pages are
 * user-written and never trusted: the kernel only compares them (poll,
 * wait) and changes a state word with cmpxchg(). Wait queues and fasync
 * lists have their own locking.
 */

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/user_namespace.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <net/netlink.h>

#include "compat.h"
#include "kipc_internal.h"

#define KIPC_RING_BIND_ALL	(KIPC_RING_CONSUMER | KIPC_RING_PRODUCER | \
				 KIPC_RING_CREATE | KIPC_RING_EXCL | \
				 KIPC_RING_AUTO_DELETE)
#define KIPC_RING_ROLES		(KIPC_RING_CONSUMER | KIPC_RING_PRODUCER)
#define KIPC_RING_DEFAULT_PRODUCERS	8
/* Where the state words start in the producer area: after its words. */
#define KIPC_RING_STATES_SKIP	64
/* A tag is gen << 6 | index: 8 bits of generation, never 0. */
#define KIPC_RING_TAG_SHIFT	6
#define KIPC_RING_TAG(gen, index)	((u32)(gen) << KIPC_RING_TAG_SHIFT | (index))

static_assert(KIPC_RING_MAX_PRODUCERS <= 1 << KIPC_RING_TAG_SHIFT);
static_assert(KIPC_RING_TAG(255, KIPC_RING_MAX_PRODUCERS - 1) <= 0x3fff);
static_assert(sizeof(struct kipc_ring_prod) <= KIPC_RING_STATES_SKIP);

/* One place of the producer table: the bound producer, or the last one. */
struct kipc_ring_producer_entry {
	bool bound;
	u8 gen;			/* 0: never used */
	struct pid *pid;	/* the binding task's thread group */
	kuid_t uid;
	kgid_t gid;
	u64 bind_ns;
};

struct kipc_ring {
	struct kipc_obj obj;
	struct file *shm;
	struct page **pages;
	unsigned long nr_pages;
	void *kaddr;		/* vmap of the header, consumer, producer areas */
	struct kipc_ring_header *hdr;
	struct kipc_ring_cons *cons;
	struct kipc_ring_prod *prod;
	u64 *states;
	u32 slot_size, nr_slots, max_producers;
	u64 cons_off, prod_off, slots_off, size;
	kuid_t charged_uid;
	u64 charged;
	wait_queue_head_t cons_wq;	/* waits on producer-area words */
	wait_queue_head_t prod_wq;	/* waits on consumer-area words */
	struct fasync_struct *fasync_cons;
	struct fasync_struct *fasync_prod;
	struct mutex lock;		/* the fields below; repairs */
	/* Changes of the fields below; readers may hold either lock. */
	spinlock_t table_lock;
	bool has_consumer;		/* under lock and table_lock */
	u32 nr_producers;		/* under lock and table_lock */
	u32 next_index;			/* under lock: where a bind looks first */
	u64 lost;			/* under lock and table_lock */
	struct kipc_ring_producer_entry producers[];	/* under lock and
							 * table_lock
							 */
};

/* A handle's place in its ring. */
struct kipc_ring_handle {
	u32 role;		/* KIPC_RING_CONSUMER, _PRODUCER or 0 */
	u32 index;		/* a producer's place in the table */
	u32 tag;		/* a producer's tag */
};

static inline struct kipc_ring *kipc_obj_ring(struct kipc_obj *obj)
{
	return container_of(obj, struct kipc_ring, obj);
}

static struct kipc_ring *kipc_handle_ring(struct kipc_handle *h)
{
	struct kipc_obj *obj = kipc_handle_obj(h);

	if (!obj || obj->type != KIPC_OBJ_RING)
		return NULL;
	return kipc_obj_ring(obj);
}

static void kipc_ring_free(struct kipc_obj *obj)
{
	struct kipc_ring *r = kipc_obj_ring(obj);
	unsigned long i;
	u32 p;

	if (r->kaddr)
		vunmap(r->kaddr);
	for (i = 0; i < r->nr_pages; i++)
		if (r->pages[i])
			put_page(r->pages[i]);
	kvfree(r->pages);
	if (!IS_ERR_OR_NULL(r->shm))
		fput(r->shm);
	for (p = 0; p < r->max_producers; p++)
		put_pid(r->producers[p].pid);
	if (r->charged)
		kipc_account_uncharge(r->charged_uid, KIPC_CHARGE_REGIONS,
				      r->charged);
	mutex_destroy(&r->lock);
	kfree(r);
}

static void kipc_ring_release_handle(struct kipc_handle *h);
static void kipc_ring_show_fdinfo(struct seq_file *m, struct kipc_handle *h);
static int kipc_ring_nl_fill(struct sk_buff *msg, struct kipc_obj *obj,
			     struct user_namespace *userns);

static const struct kipc_obj_ops kipc_ring_ops = {
	.free = kipc_ring_free,
	.release_handle = kipc_ring_release_handle,
	.show_fdinfo = kipc_ring_show_fdinfo,
	.nl_fill = kipc_ring_nl_fill,
	/* No ring-set: a ring's mode and owner never change. */
	.nl_event_cmd = {
		[KIPC_EVENT_CREATE] = KIPC_CMD_RING_CREATE_NTF,
		[KIPC_EVENT_DELETE] = KIPC_CMD_RING_DELETE_NTF,
	},
};

/* The ring's geometry, checked, from a creating bind. */
static int kipc_ring_geometry(struct kipc_ring *r,
			      const struct kipc_ring_bind *cmd)
{
	u64 states_end, max = READ_ONCE(kipc_max_ring_size);

	if (cmd->slot_size < 8 || cmd->slot_size > KIPC_RING_MAX_SLOT_SIZE ||
	    cmd->slot_size % 8)
		return -EINVAL;
	if (cmd->nr_slots < 2 || cmd->nr_slots > KIPC_RING_MAX_SLOTS ||
	    !is_power_of_2(cmd->nr_slots))
		return -EINVAL;
	r->slot_size = cmd->slot_size;
	r->nr_slots = cmd->nr_slots;
	r->cons_off = PAGE_SIZE;
	r->prod_off = 2 * PAGE_SIZE;
	states_end = r->prod_off + KIPC_RING_STATES_SKIP +
		     (u64)r->nr_slots * sizeof(u64);
	r->slots_off = PAGE_ALIGN(states_end);
	r->size = r->slots_off + PAGE_ALIGN((u64)r->nr_slots * r->slot_size);
	if (r->size > max)
		return -EFBIG;
	r->nr_pages = r->size >> PAGE_SHIFT;
	return 0;
}

/*
 * Allocates every page now, so that neither a fault nor the kernel's own
 * access can fail later, and keeps them off reclaim: the ring holds them
 * and the kernel writes some through its vmap.
 */
static int kipc_ring_populate(struct kipc_ring *r)
{
	struct address_space *mapping = r->shm->f_mapping;
	unsigned long i;

	r->pages = kvcalloc(r->nr_pages, sizeof(*r->pages), GFP_KERNEL_ACCOUNT);
	if (!r->pages)
		return -ENOMEM;
	mapping_set_unevictable(mapping);
	for (i = 0; i < r->nr_pages; i++) {
		struct page *page;

		page = shmem_read_mapping_page_gfp(mapping, i,
						   mapping_gfp_mask(mapping));
		if (IS_ERR(page))
			return PTR_ERR(page) == -ENOSPC ? -ENOMEM : PTR_ERR(page);
		r->pages[i] = page;
		cond_resched();
	}
	r->kaddr = vmap(r->pages, r->slots_off >> PAGE_SHIFT, VM_MAP,
			PAGE_KERNEL);
	if (!r->kaddr)
		return -ENOMEM;
	r->hdr = r->kaddr;
	r->cons = r->kaddr + r->cons_off;
	r->prod = r->kaddr + r->prod_off;
	r->states = r->kaddr + r->prod_off + KIPC_RING_STATES_SKIP;
	return 0;
}

/* Called by the registry, under kipc_ns.lock, for a name not yet used. */
static struct kipc_obj *kipc_ring_create(struct kipc_bind_req *req)
{
	const struct kipc_ring_bind *cmd = req->arg;
	u32 max_producers = cmd->max_producers ?: KIPC_RING_DEFAULT_PRODUCERS;
	struct kipc_ring *r;
	int ret;

	/* Before the allocation that it sizes. */
	if (max_producers > KIPC_RING_MAX_PRODUCERS)
		return ERR_PTR(-EINVAL);
	r = kzalloc(struct_size(r, producers, max_producers),
		    GFP_KERNEL_ACCOUNT);
	if (!r)
		return ERR_PTR(-ENOMEM);
	mutex_init(&r->lock);
	spin_lock_init(&r->table_lock);
	init_waitqueue_head(&r->cons_wq);
	init_waitqueue_head(&r->prod_wq);
	r->max_producers = max_producers;

	ret = kipc_ring_geometry(r, cmd);
	if (ret)
		goto err;

	if (!capable(CAP_SYS_RESOURCE)) {
		r->charged_uid = current_uid();
		ret = kipc_account_charge(r->charged_uid, KIPC_CHARGE_REGIONS,
					  r->size);
		if (ret)
			goto err;
		r->charged = r->size;
	}

	r->shm = kipc_shmem_file_setup("kipc-ring", r->size);
	if (IS_ERR(r->shm)) {
		ret = PTR_ERR(r->shm);
		/* ENOSPC is kipc's for a namespace's full count of rings. */
		if (ret == -ENOSPC)
			ret = -ENOMEM;
		goto err;
	}
	ret = kipc_ring_populate(r);
	if (ret)
		goto err;

	r->hdr->magic = KIPC_RING_MAGIC;
	r->hdr->version = KIPC_RING_VERSION;
	r->hdr->slot_size = r->slot_size;
	r->hdr->nr_slots = r->nr_slots;
	r->hdr->max_producers = r->max_producers;
	r->hdr->cons_offset = r->cons_off;
	r->hdr->prod_offset = r->prod_off;
	r->hdr->states_offset = r->prod_off + KIPC_RING_STATES_SKIP;
	r->hdr->slots_offset = r->slots_off;
	r->hdr->ring_size = r->size;
	r->obj.ops = &kipc_ring_ops;
	return &r->obj;

err:
	kipc_ring_free(&r->obj);
	return ERR_PTR(ret);
}

/* Takes a place in the producer table for @rh; -EBUSY when it is full. */
static int kipc_ring_add_producer(struct kipc_ring *r,
				  struct kipc_ring_handle *rh)
{
	struct kipc_ring_producer_entry *p;
	struct pid *old;
	u32 i, index;

	lockdep_assert_held(&r->lock);

	if (r->nr_producers >= r->max_producers)
		return -EBUSY;
	/* Round the table, so that a place, and its tags, is reused last. */
	for (i = 0; i < r->max_producers; i++) {
		index = (r->next_index + i) % r->max_producers;
		if (!r->producers[index].bound)
			break;
	}
	p = &r->producers[index];
	r->next_index = (index + 1) % r->max_producers;
	spin_lock(&r->table_lock);
	p->gen = p->gen == 255 ? 1 : p->gen + 1;
	p->bound = true;
	old = p->pid;
	p->pid = get_pid(task_tgid(current));
	p->uid = current_euid();
	p->gid = current_egid();
	p->bind_ns = ktime_get_real_ns();
	r->nr_producers++;
	spin_unlock(&r->table_lock);
	/*
	 * After the spinlock: the last reference to a pid can take its PID
	 * namespace with it, whose teardown may sleep.
	 */
	put_pid(old);
	rh->index = index;
	rh->tag = KIPC_RING_TAG(p->gen, index);
	return 0;
}

static int kipc_ring_take_role(struct kipc_ring *r,
			       struct kipc_ring_handle *rh)
{
	int ret = 0;

	mutex_lock(&r->lock);
	if (rh->role == KIPC_RING_CONSUMER) {
		if (r->has_consumer) {
			ret = -EBUSY;
		} else {
			spin_lock(&r->table_lock);
			r->has_consumer = true;
			spin_unlock(&r->table_lock);
		}
	} else if (rh->role == KIPC_RING_PRODUCER) {
		ret = kipc_ring_add_producer(r, rh);
	}
	mutex_unlock(&r->lock);
	return ret;
}

/* An existing ring's geometry must be what the bind asked for, if it asked. */
static bool kipc_ring_matches(struct kipc_ring *r,
			      const struct kipc_ring_bind *cmd)
{
	return (!cmd->slot_size || cmd->slot_size == r->slot_size) &&
	       (!cmd->nr_slots || cmd->nr_slots == r->nr_slots) &&
	       (!cmd->max_producers || cmd->max_producers == r->max_producers);
}

/**
 * kipc_ring_bind() - ioctl(KIPC_IOC_RING_BIND)
 * @h: an unbound handle
 * @cmd: the command, copied in
 *
 * Context: Process context; takes @h->bind_lock, then the registry's
 * locks, then kipc_ring.lock.
 * Return: 0, or a negative errno as the uapi header documents.
 */
int kipc_ring_bind(struct kipc_handle *h, struct kipc_ring_bind *cmd)
{
	u32 role = cmd->flags & KIPC_RING_ROLES;
	struct kipc_ring_handle *rh;
	struct kipc_name name;
	struct kipc_bind_req req = {
		.type = KIPC_OBJ_RING,
		.name = &name,
		.create = cmd->flags & KIPC_RING_CREATE,
		.excl = cmd->flags & KIPC_RING_EXCL,
		.auto_delete = cmd->flags & KIPC_RING_AUTO_DELETE,
		.mode = cmd->mode,
		.may = role == KIPC_RING_PRODUCER ? MAY_WRITE : MAY_READ,
		.max_objs = READ_ONCE(kipc_max_rings),
		.create_obj = kipc_ring_create,
		.arg = cmd,
	};
	struct kipc_obj *obj;
	int ret;

	if (cmd->flags & ~KIPC_RING_BIND_ALL || cmd->__reserved ||
	    role == KIPC_RING_ROLES)
		return -EINVAL;
	if ((cmd->flags & (KIPC_RING_EXCL | KIPC_RING_AUTO_DELETE)) &&
	    !(cmd->flags & KIPC_RING_CREATE))
		return -EINVAL;
	if (cmd->mode & ~0777)
		return -EINVAL;
	ret = kipc_name_from_user(&name, cmd->name, cmd->name_len);
	if (ret)
		return ret;

	rh = kzalloc(sizeof(*rh), GFP_KERNEL_ACCOUNT);
	if (!rh)
		return -ENOMEM;
	rh->role = role;

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
	if (!kipc_ring_matches(kipc_obj_ring(obj), cmd)) {
		ret = -EINVAL;
		goto out_unbind;
	}
	ret = kipc_ring_take_role(kipc_obj_ring(obj), rh);
	if (ret)
		goto out_unbind;
	h->access = role;
	h->priv = rh;
	rh = NULL;
	/* Publishes access and priv with the object. */
	smp_store_release(&h->obj, obj);
	goto out;

out_unbind:
	kipc_obj_unbind(obj);
out:
	mutex_unlock(&h->bind_lock);
	kfree(rh);
	return ret;
}

/*
 * Marks LOST every slot that the producer of @tag left claimed. Only that
 * producer writes a state word from CLAIMED with its tag, and its handle,
 * and with it every mapping made through it, is gone; cmpxchg() still
 * leaves alone a word that anyone else changed meanwhile.
 */
static u64 kipc_ring_repair(struct kipc_ring *r, u32 tag)
{
	u64 lost = 0;
	u32 i;

	lockdep_assert_held(&r->lock);

	for (i = 0; i < r->nr_slots; i++) {
		u64 w = READ_ONCE(r->states[i]);

		if (KIPC_RING_SLOT_STATE(w) != KIPC_RING_SLOT_CLAIMED ||
		    KIPC_RING_SLOT_TAG(w) != tag)
			continue;
		if (cmpxchg(&r->states[i], w,
			    (w & ~3ULL) | KIPC_RING_SLOT_LOST) == w)
			lost++;
		if (!(i % 4096))
			cond_resched();
	}
	return lost;
}

static void kipc_ring_wake_side(struct kipc_ring *r, u32 flags)
{
	if (flags & KIPC_RING_WAKE_CONSUMER) {
		wake_up_interruptible_poll(&r->cons_wq, EPOLLIN | EPOLLRDNORM);
		kill_fasync(&r->fasync_cons, SIGIO, POLL_IN);
	}
	if (flags & KIPC_RING_WAKE_PRODUCERS) {
		wake_up_interruptible_poll(&r->prod_wq, EPOLLOUT | EPOLLWRNORM);
		kill_fasync(&r->fasync_prod, SIGIO, POLL_OUT);
	}
}

/*
 * The handle's file is released: its descriptors are closed and no mapping
 * made through it is left, so a producer can write nothing more.
 */
static void kipc_ring_release_handle(struct kipc_handle *h)
{
	struct kipc_ring *r = kipc_obj_ring(h->obj);
	struct kipc_ring_handle *rh = h->priv;
	u64 lost = 0;

	mutex_lock(&r->lock);
	if (rh->role == KIPC_RING_CONSUMER) {
		spin_lock(&r->table_lock);
		r->has_consumer = false;
		spin_unlock(&r->table_lock);
	} else if (rh->role == KIPC_RING_PRODUCER) {
		/* The long part, without table_lock: netlink does not wait. */
		lost = kipc_ring_repair(r, rh->tag);
		spin_lock(&r->table_lock);
		r->lost += lost;
		r->producers[rh->index].bound = false;
		r->nr_producers--;
		spin_unlock(&r->table_lock);
		/* After the state words, so a LOST slot is already counted. */
		WRITE_ONCE(r->hdr->lost, r->lost);
	}
	mutex_unlock(&r->lock);
	if (lost)
		kipc_ring_wake_side(r, KIPC_RING_WAKE_CONSUMER);
	h->priv = NULL;
	kfree(rh);
}

static void kipc_ring_show_fdinfo(struct seq_file *m, struct kipc_handle *h)
{
	struct kipc_ring *r = kipc_obj_ring(h->obj);
	struct kipc_ring_handle *rh = h->priv;

	seq_printf(m, "kipc-ring:\tslots %u slot_size %u role %s tag %u\n",
		   r->nr_slots, r->slot_size,
		   rh->role == KIPC_RING_CONSUMER ? "consumer" :
		   rh->role == KIPC_RING_PRODUCER ? "producer" : "observer",
		   rh->tag);
}

/* One bound producer's nest of ring-get: its tag and who bound it. */
static int kipc_ring_nl_put_producer(struct sk_buff *msg, struct kipc_ring *r,
				     u32 index, struct user_namespace *userns)
{
	struct kipc_ring_producer_entry *p = &r->producers[index];
	struct nlattr *nest;

	lockdep_assert_held(&r->table_lock);

	nest = nla_nest_start(msg, KIPC_A_RING_PRODUCER);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(msg, KIPC_A_RING_PRODUCER_TAG,
			KIPC_RING_TAG(p->gen, index)) ||
	    nla_put_u32(msg, KIPC_A_RING_PRODUCER_PID,
			pid_nr_ns(p->pid, task_active_pid_ns(current))) ||
	    nla_put_u32(msg, KIPC_A_RING_PRODUCER_UID,
			from_kuid_munged(userns, p->uid)) ||
	    nla_put_u32(msg, KIPC_A_RING_PRODUCER_GID,
			from_kgid_munged(userns, p->gid))) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * The attributes of ring-get. Called under kipc_ns.lock for dumps and
 * events, so it takes table_lock only, never the mutex that a repair
 * holds (see the top); nothing here sleeps, as the message is already
 * allocated. head and tail are the user-written words, reported as read.
 */
static int kipc_ring_nl_fill(struct sk_buff *msg, struct kipc_obj *obj,
			     struct user_namespace *userns)
{
	struct kipc_ring *r = kipc_obj_ring(obj);
	u32 i;
	int ret = -EMSGSIZE;

	if (kipc_nl_put_common(msg, obj, userns, &kipc_nl_ring_attrs) ||
	    nla_put_u32(msg, KIPC_A_RING_FLAGS,
			obj->auto_delete ? KIPC_RING_AUTO_DELETE : 0) ||
	    nla_put_u32(msg, KIPC_A_RING_SLOT_SIZE, r->slot_size) ||
	    nla_put_u32(msg, KIPC_A_RING_SLOTS, r->nr_slots) ||
	    nla_put_u64_64bit(msg, KIPC_A_RING_SIZE, r->size,
			      KIPC_A_RING_PAD) ||
	    nla_put_u32(msg, KIPC_A_RING_MAX_PRODUCERS, r->max_producers) ||
	    nla_put_u64_64bit(msg, KIPC_A_RING_HEAD, READ_ONCE(r->prod->head),
			      KIPC_A_RING_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_A_RING_TAIL, READ_ONCE(r->cons->tail),
			      KIPC_A_RING_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_A_RING_ID, obj->id, KIPC_A_RING_PAD))
		return -EMSGSIZE;

	spin_lock(&r->table_lock);
	if (nla_put_u32(msg, KIPC_A_RING_PRODUCERS, r->nr_producers) ||
	    nla_put_u32(msg, KIPC_A_RING_CONSUMER, r->has_consumer) ||
	    nla_put_u64_64bit(msg, KIPC_A_RING_LOST, r->lost, KIPC_A_RING_PAD))
		goto out;
	for (i = 0; i < r->max_producers; i++)
		if (r->producers[i].bound &&
		    kipc_ring_nl_put_producer(msg, r, i, userns))
			goto out;
	ret = 0;
out:
	spin_unlock(&r->table_lock);
	return ret;
}

/**
 * kipc_ring_info() - ioctl(KIPC_IOC_RING_INFO)
 * @h: a handle
 * @cmd: the command, copied in, filled for copying out
 *
 * Context: Process context; takes kipc_ns.lock, then kipc_ring.lock.
 * Return: 0, -EBADF when @h is not bound to a ring, or -EINVAL for a flag.
 */
int kipc_ring_info(struct kipc_handle *h, struct kipc_ring_info *cmd)
{
	struct kipc_ring *r = kipc_handle_ring(h);
	struct user_namespace *userns = current_user_ns();
	struct kipc_ring_handle *rh;
	u32 size = cmd->size;

	if (!r)
		return -EBADF;
	if (cmd->flags)
		return -EINVAL;
	rh = h->priv;

	memset(cmd, 0, sizeof(*cmd));
	cmd->size = size;
	cmd->slot_size = r->slot_size;
	cmd->nr_slots = r->nr_slots;
	cmd->max_producers = r->max_producers;
	cmd->mode = READ_ONCE(r->obj.mode);
	cmd->uid = from_kuid_munged(userns, r->obj.uid);
	cmd->gid = from_kgid_munged(userns, r->obj.gid);
	cmd->handles = kipc_obj_handles(&r->obj);
	cmd->ring_flags = r->obj.auto_delete ? KIPC_RING_AUTO_DELETE : 0;
	cmd->handle_flags = rh->role;
	cmd->tag = rh->tag;
	cmd->ring_size = r->size;
	mutex_lock(&r->lock);
	cmd->producers = r->nr_producers;
	cmd->has_consumer = r->has_consumer;
	cmd->lost = r->lost;
	mutex_unlock(&r->lock);
	return 0;
}

/**
 * kipc_ring_producer() - ioctl(KIPC_IOC_RING_PRODUCER)
 * @h: a handle
 * @cmd: the command, copied in, filled for copying out
 *
 * Context: Process context; takes kipc_ring.lock.
 * Return: 0, -EBADF when @h is not bound to a ring, -EINVAL for a flag or
 * a reserved field, -ENOENT for a tag no producer of the table has.
 */
int kipc_ring_producer(struct kipc_handle *h, struct kipc_ring_producer *cmd)
{
	struct kipc_ring *r = kipc_handle_ring(h);
	struct user_namespace *userns = current_user_ns();
	struct kipc_ring_producer_entry *p;
	u32 tag = cmd->tag, size = cmd->size;
	u32 index = tag & ((1 << KIPC_RING_TAG_SHIFT) - 1);
	int ret = -ENOENT;

	if (!r)
		return -EBADF;
	if (cmd->flags || cmd->__reserved)
		return -EINVAL;

	memset(cmd, 0, sizeof(*cmd));
	cmd->size = size;
	cmd->tag = tag;
	if (index >= r->max_producers)
		return -ENOENT;
	mutex_lock(&r->lock);
	p = &r->producers[index];
	if (p->gen && KIPC_RING_TAG(p->gen, index) == tag) {
		cmd->state = p->bound ? KIPC_RING_PRODUCER_BOUND : 0;
		cmd->pid = pid_nr_ns(p->pid, task_active_pid_ns(current));
		cmd->uid = from_kuid_munged(userns, p->uid);
		cmd->gid = from_kgid_munged(userns, p->gid);
		cmd->bind_ns = p->bind_ns;
		ret = 0;
	}
	mutex_unlock(&r->lock);
	return ret;
}

/* The kernel's view of the word a wait names, and whose wake-up it takes. */
static u64 *kipc_ring_word(struct kipc_ring *r, u64 offset,
			   wait_queue_head_t **wq)
{
	if (offset % sizeof(u64))
		return NULL;
	if (offset >= r->cons_off && offset < r->prod_off) {
		*wq = &r->prod_wq;
		return r->kaddr + offset;
	}
	if (offset >= r->prod_off && offset < r->slots_off) {
		*wq = &r->cons_wq;
		return r->kaddr + offset;
	}
	return NULL;
}

/**
 * kipc_ring_wait() - ioctl(KIPC_IOC_RING_WAIT)
 * @h: a handle bound to a ring
 * @cmd: the command, copied in
 * @nonblock: the handle's O_NONBLOCK: fail rather than sleep
 *
 * Context: Process context; may sleep; takes no kipc lock.
 * Return: 0 once the word differs from the value, or -EBADF, -EINVAL,
 * -EAGAIN, -ETIMEDOUT or -ERESTARTSYS.
 */
int kipc_ring_wait(struct kipc_handle *h, struct kipc_ring_wait *cmd,
		   bool nonblock)
{
	struct kipc_ring *r = kipc_handle_ring(h);
	DEFINE_WAIT(wait);
	wait_queue_head_t *wq;
	ktime_t deadline;
	u64 *word;
	int ret = 0;

	if (!r)
		return -EBADF;
	if (cmd->flags & ~KIPC_RING_WAIT_TIMEOUT)
		return -EINVAL;
	word = kipc_ring_word(r, cmd->offset, &wq);
	if (!word)
		return -EINVAL;
	deadline = ns_to_ktime(cmd->timeout_ns);

	for (;;) {
		prepare_to_wait(wq, &wait, TASK_INTERRUPTIBLE);
		/* After the task state, so a change and its wake-up are seen. */
		if (READ_ONCE(*word) != cmd->value)
			break;
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (!(cmd->flags & KIPC_RING_WAIT_TIMEOUT)) {
			schedule();
		} else if (!schedule_hrtimeout_range(&deadline, 0,
						     HRTIMER_MODE_ABS)) {
			ret = READ_ONCE(*word) != cmd->value ? 0 : -ETIMEDOUT;
			break;
		}
	}
	finish_wait(wq, &wait);
	return ret;
}

/**
 * kipc_ring_wake() - ioctl(KIPC_IOC_RING_WAKE)
 * @h: a handle bound to a ring
 * @cmd: the command, copied in
 *
 * Context: Any process context; takes no kipc lock.
 * Return: 0, -EBADF for a role that may not wake that side, or -EINVAL.
 */
int kipc_ring_wake(struct kipc_handle *h, struct kipc_ring_wake *cmd)
{
	struct kipc_ring *r = kipc_handle_ring(h);
	u32 need = 0;

	if (!r)
		return -EBADF;
	if (!cmd->flags || cmd->flags & ~(KIPC_RING_WAKE_CONSUMER |
					  KIPC_RING_WAKE_PRODUCERS))
		return -EINVAL;
	if (cmd->flags & KIPC_RING_WAKE_CONSUMER)
		need |= KIPC_RING_PRODUCER;
	if (cmd->flags & KIPC_RING_WAKE_PRODUCERS)
		need |= KIPC_RING_CONSUMER;
	if (need & ~h->access)
		return -EBADF;
	kipc_ring_wake_side(r, cmd->flags);
	return 0;
}

/* Whether the record at the consumer's tail is there to be read. */
static bool kipc_ring_readable(struct kipc_ring *r)
{
	u64 tail = READ_ONCE(r->cons->tail);
	u64 w = READ_ONCE(r->states[tail & (r->nr_slots - 1)]);
	u32 state = KIPC_RING_SLOT_STATE(w);

	return KIPC_RING_SLOT_LAP(w) == tail / r->nr_slots + 1 &&
	       (state == KIPC_RING_SLOT_COMMITTED ||
		state == KIPC_RING_SLOT_LOST);
}

static bool kipc_ring_writable(struct kipc_ring *r)
{
	return READ_ONCE(r->prod->head) - READ_ONCE(r->cons->tail) <
	       r->nr_slots;
}

/**
 * kipc_ring_poll() - poll(2) on a ring handle: the doorbell
 * @h: the handle
 * @file: its file
 * @pt: the poll table
 *
 * The consumer and observers see EPOLLIN while the record at the tail is
 * committed or lost, producers EPOLLOUT while the head is less than a
 * ring ahead of the tail. Both are woken by KIPC_IOC_RING_WAKE.
 *
 * Context: Process context; takes no kipc lock.
 * Return: the events ready, or EPOLLERR when @h is not bound to a ring.
 */
__poll_t kipc_ring_poll(struct kipc_handle *h, struct file *file,
			poll_table *pt)
{
	struct kipc_ring *r = kipc_handle_ring(h);

	if (!r)
		return EPOLLERR;
	if (h->access & KIPC_RING_PRODUCER) {
		poll_wait(file, &r->prod_wq, pt);
		return kipc_ring_writable(r) ? EPOLLOUT | EPOLLWRNORM : 0;
	}
	poll_wait(file, &r->cons_wq, pt);
	return kipc_ring_readable(r) ? EPOLLIN | EPOLLRDNORM : 0;
}

/**
 * kipc_ring_fasync() - the ->fasync of a ring handle
 * @h: the handle
 * @fd: its descriptor
 * @file: its file
 * @on: whether O_ASYNC is being set or cleared
 *
 * Producers get POLL_OUT when the consumer wakes them, the consumer and
 * observers POLL_IN when a producer wakes them.
 *
 * Context: Process context; takes no kipc lock.
 * Return: 0, -EINVAL for a handle not bound to a ring, or fasync_helper()'s
 * negative errno.
 */
int kipc_ring_fasync(struct kipc_handle *h, int fd, struct file *file, int on)
{
	struct kipc_ring *r = kipc_handle_ring(h);
	int ret;

	if (!r)
		return -EINVAL;
	ret = fasync_helper(fd, file, on, h->access & KIPC_RING_PRODUCER ?
			    &r->fasync_prod : &r->fasync_cons);
	return ret < 0 ? ret : 0;
}

static vm_fault_t kipc_ring_fault(struct vm_fault *vmf)
{
	struct kipc_ring *r = vmf->vma->vm_private_data;

	if (vmf->pgoff >= r->nr_pages)
		return VM_FAULT_SIGBUS;
	vmf->page = r->pages[vmf->pgoff];
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct kipc_ring_vm_ops = {
	.fault = kipc_ring_fault,
};

/*
 * The pages [first, last) the role may write: the consumer its own page,
 * producers theirs and the slots, observers none.
 */
static bool kipc_ring_may_write(struct kipc_ring *r, u32 role, u64 first,
				u64 last)
{
	if (role == KIPC_RING_CONSUMER)
		return first >= r->cons_off && last <= r->prod_off;
	if (role == KIPC_RING_PRODUCER)
		return first >= r->prod_off && last <= r->size;
	return false;
}

/**
 * kipc_ring_mmap() - the ->mmap of a ring handle
 * @h: the handle
 * @vma: the new mapping
 *
 * A mapping stays on the handle's file and takes its pages by fault, so
 * the handle lives while it does. It may be writable only if the role may
 * write all of it; otherwise VM_MAYWRITE goes too, so that mprotect()
 * cannot make it writable later.
 *
 * Context: Process context, holding the mmap lock; takes no kipc lock.
 * Return: 0, or -ENODEV not bound to a ring, -EINVAL a private mapping or
 * one beyond the ring, -EACCES a writable mapping of pages the role may
 * not write.
 */
int kipc_ring_mmap(struct kipc_handle *h, struct vm_area_struct *vma)
{
	struct kipc_ring *r = kipc_handle_ring(h);
	u64 first, last;

	if (!r)
		return -ENODEV;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_pgoff >= r->nr_pages ||
	    vma_pages(vma) > r->nr_pages - vma->vm_pgoff)
		return -EINVAL;
	first = (u64)vma->vm_pgoff << PAGE_SHIFT;
	last = first + ((u64)vma_pages(vma) << PAGE_SHIFT);
	if (!kipc_ring_may_write(r, h->access, first, last)) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		kipc_vm_flags_clear(vma, VM_MAYWRITE);
	}
	/* A ring does not grow (mremap). */
	kipc_vm_flags_set(vma, VM_DONTEXPAND);
	vma->vm_private_data = r;
	vma->vm_ops = &kipc_ring_vm_ops;
	return 0;
}
