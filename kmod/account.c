// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: per-user accounting of what a user's objects may hold.
 *
 * Queues: as for POSIX message queues, a queue charges its whole capacity
 * to its creator's real uid when it is created, against RLIMIT_MSGQUEUE,
 * and the charge is released when the queue is freed. The kernel's own
 * per-user mqueue counter is not exported to modules, so kipc keeps its
 * own, checked against the same limit.
 *
 * Regions: a region charges its size to its creator's real uid until its
 * memory is gone, which is after its last mapping, not its name or its
 * last handle. RLIMIT_MSGQUEUE (800 KiB by default) is too small for
 * shared memory, so the ceiling is a module parameter of its own,
 * max_user_region_bytes; as with max_regions, CAP_SYS_RESOURCE is exempt.
 *
 * Locking: kipc_users_lock (spinlock) guards the table; it is a leaf lock.
 */

#include <linux/hashtable.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "kipc_internal.h"

struct kipc_user {
	struct hlist_node node;
	kuid_t uid;
	u64 bytes[KIPC_CHARGES];
};

static DEFINE_HASHTABLE(kipc_users, 6);
static DEFINE_SPINLOCK(kipc_users_lock);

static struct kipc_user *kipc_user_find(kuid_t uid)
{
	struct kipc_user *u;

	lockdep_assert_held(&kipc_users_lock);

	hash_for_each_possible(kipc_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

static u64 kipc_charge_limit(enum kipc_charge what)
{
	if (what == KIPC_CHARGE_QUEUES)
		return rlimit(RLIMIT_MSGQUEUE);
	return READ_ONCE(kipc_max_user_region_bytes);
}

static bool kipc_user_unused(const struct kipc_user *u)
{
	int i;

	for (i = 0; i < KIPC_CHARGES; i++)
		if (u->bytes[i])
			return false;
	return true;
}

/**
 * kipc_account_charge() - charge an object's size to its user
 * @uid: the user charged
 * @what: the kind of charge, each against its own ceiling
 * @bytes: the size charged
 *
 * Without CAP_SYS_RESOURCE, a charge past the ceiling fails: the caller's
 * RLIMIT_MSGQUEUE for queues (as mq_open() fails), max_user_region_bytes
 * for regions (as a full key quota does).
 *
 * Context: Any context that may allocate (GFP_KERNEL); takes
 * kipc_users_lock, a leaf.
 * Return: 0, -EMFILE or -EDQUOT past the ceiling, or -ENOMEM.
 */
int kipc_account_charge(kuid_t uid, enum kipc_charge what, u64 bytes)
{
	u64 limit = kipc_charge_limit(what);
	struct kipc_user *u, *fresh;
	int ret = 0;

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
	if (!fresh)
		return -ENOMEM;

	spin_lock(&kipc_users_lock);
	u = kipc_user_find(uid);
	if (!u) {
		u = fresh;
		fresh = NULL;
		u->uid = uid;
		hash_add(kipc_users, &u->node, __kuid_val(uid));
	}
	if (bytes > limit || u->bytes[what] > limit - bytes) {
		ret = what == KIPC_CHARGE_QUEUES ? -EMFILE : -EDQUOT;
		if (kipc_user_unused(u)) {
			hash_del(&u->node);
			fresh = u;
		}
	} else {
		u->bytes[what] += bytes;
	}
	spin_unlock(&kipc_users_lock);

	kfree(fresh);
	return ret;
}

/**
 * kipc_account_uncharge() - give back what kipc_account_charge() took
 * @uid: the user charged
 * @what: the kind of charge
 * @bytes: the size charged
 *
 * Context: Any context; takes kipc_users_lock, a leaf.
 */
void kipc_account_uncharge(kuid_t uid, enum kipc_charge what, u64 bytes)
{
	struct kipc_user *u;

	spin_lock(&kipc_users_lock);
	u = kipc_user_find(uid);
	if (!WARN_ON_ONCE(!u || u->bytes[what] < bytes)) {
		u->bytes[what] -= bytes;
		if (kipc_user_unused(u))
			hash_del(&u->node);
		else
			u = NULL;
	} else {
		u = NULL;
	}
	spin_unlock(&kipc_users_lock);
	kfree(u);
}
