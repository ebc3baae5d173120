// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: RLIMIT_MSGQUEUE accounting. As for POSIX message queues, a queue
 * charges its whole capacity to its creator's real uid when it is created,
 * and the charge is released when the queue is freed. The kernel's own
 * per-user mqueue counter is not exported to modules, so kipc keeps its
 * own, checked against the same limit.
 *
 * Locking: kipc_users_lock (spinlock) guards the table; it is a leaf lock.
 */

#include <linux/hashtable.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "kipc.h"

struct kipc_user {
	struct hlist_node node;
	kuid_t uid;
	u64 bytes;
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

/* Charges @bytes to @uid against the caller's RLIMIT_MSGQUEUE. */
int kipc_account_charge(kuid_t uid, u64 bytes)
{
	u64 limit = rlimit(RLIMIT_MSGQUEUE);
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
	if (bytes > limit || u->bytes > limit - bytes) {
		ret = -EMFILE;
		if (!u->bytes) {
			hash_del(&u->node);
			fresh = u;
		}
	} else {
		u->bytes += bytes;
	}
	spin_unlock(&kipc_users_lock);

	kfree(fresh);
	return ret;
}

void kipc_account_uncharge(kuid_t uid, u64 bytes)
{
	struct kipc_user *u;

	spin_lock(&kipc_users_lock);
	u = kipc_user_find(uid);
	if (!WARN_ON_ONCE(!u || u->bytes < bytes)) {
		u->bytes -= bytes;
		if (!u->bytes)
			hash_del(&u->node);
		else
			u = NULL;
	} else {
		u = NULL;
	}
	spin_unlock(&kipc_users_lock);
	kfree(u);
}
