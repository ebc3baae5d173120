// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Synchronisation inside a region: a robust process-shared lock and a
 * futex-based event.
 *
 * The lock is a pthread mutex with PTHREAD_PROCESS_SHARED and
 * PTHREAD_MUTEX_ROBUST: glibc registers it on the thread's robust list,
 * so when a holder dies the kernel marks it and the next locker gets
 * EOWNERDEAD. The event is a sequence number that notify bumps and wait
 * sleeps on with a shared (not private) futex, so it works between
 * processes that map the same region at different addresses.
 */

#define _GNU_SOURCE /* pthread_mutex_clocklock */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "libkipc.h"

_Static_assert(sizeof(struct kipc_region_lock) >= sizeof(pthread_mutex_t),
	       "struct kipc_region_lock must hold a pthread mutex");

static pthread_mutex_t *kipc_lock_mutex(struct kipc_region_lock *lock)
{
	return (pthread_mutex_t *)lock->opaque;
}

int kipc_region_lock_init(struct kipc_region_lock *lock)
{
	pthread_mutexattr_t attr;
	int ret;

	if (!lock)
		return -EINVAL;
	ret = pthread_mutexattr_init(&attr);
	if (ret)
		return -ret;
	ret = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	if (!ret)
		ret = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	if (!ret)
		ret = pthread_mutex_init(kipc_lock_mutex(lock), &attr);
	pthread_mutexattr_destroy(&attr);
	return -ret;
}

int kipc_region_lock(struct kipc_region_lock *lock)
{
	return -pthread_mutex_lock(kipc_lock_mutex(lock));
}

int kipc_region_trylock(struct kipc_region_lock *lock)
{
	return -pthread_mutex_trylock(kipc_lock_mutex(lock));
}

int kipc_region_timedlock(struct kipc_region_lock *lock,
			  const struct timespec *abs_timeout)
{
	if (!abs_timeout)
		return kipc_region_lock(lock);
	return -pthread_mutex_clocklock(kipc_lock_mutex(lock), CLOCK_MONOTONIC,
					abs_timeout);
}

int kipc_region_unlock(struct kipc_region_lock *lock)
{
	return -pthread_mutex_unlock(kipc_lock_mutex(lock));
}

int kipc_region_lock_consistent(struct kipc_region_lock *lock)
{
	return -pthread_mutex_consistent(kipc_lock_mutex(lock));
}

int kipc_region_event_init(struct kipc_region_event *ev)
{
	if (!ev)
		return -EINVAL;
	__atomic_store_n(&ev->seq, 0, __ATOMIC_RELEASE);
	ev->__reserved = 0;
	return 0;
}

int kipc_region_event_snapshot(const struct kipc_region_event *ev,
			       uint32_t *seq)
{
	if (!ev || !seq)
		return -EINVAL;
	*seq = __atomic_load_n(&ev->seq, __ATOMIC_ACQUIRE);
	return 0;
}

/*
 * FUTEX_WAIT_BITSET takes an absolute deadline, measured on
 * CLOCK_MONOTONIC unless FUTEX_CLOCK_REALTIME is given.
 */
int kipc_region_event_wait(struct kipc_region_event *ev, uint32_t seq,
			   const struct timespec *abs_timeout)
{
	long ret;

	if (!ev)
		return -EINVAL;
	while (__atomic_load_n(&ev->seq, __ATOMIC_ACQUIRE) == seq) {
		ret = syscall(SYS_futex, &ev->seq, FUTEX_WAIT_BITSET, seq,
			      abs_timeout, NULL, FUTEX_BITSET_MATCH_ANY);
		if (ret < 0 && errno != EAGAIN)
			return -errno;
	}
	return 0;
}

int kipc_region_event_notify(struct kipc_region_event *ev, int max_waiters)
{
	long ret;

	if (!ev || max_waiters < 1)
		return -EINVAL;
	__atomic_add_fetch(&ev->seq, 1, __ATOMIC_RELEASE);
	ret = syscall(SYS_futex, &ev->seq, FUTEX_WAKE, max_waiters, NULL,
		      NULL, 0);
	return ret < 0 ? -errno : (int)ret;
}
