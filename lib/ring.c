// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Rings: the user-space half of the protocol that uapi/linux/kipc.h and
 * Documentation/userspace-api/kipc.rst describe. A producer reserves a
 * slot by a compare-and-swap of its state word and commits it by a
 * second one; the consumer peeks at the record at its tail and releases
 * it by storing the tail. No system call is made on that path: the
 * kernel is entered only to sleep (KIPC_IOC_RING_WAIT) and to wake a
 * side that said it sleeps (KIPC_IOC_RING_WAKE).
 *
 * Wake-ups are never lost because both sides follow the futex rule,
 * every access being a sequentially consistent atomic: the writer stores
 * its word, then reads the other side's waiting word, and wakes if it is
 * not 0; the sleeper raises its waiting word, then reads the word again,
 * and sleeps only on the value it saw. The kernel compares that value
 * under its wait queue, so a change between the look and the sleep
 * returns at once.
 *
 * The waiting words are counts, not flags, on both sides: any number of
 * threads may share one handle, and a flag that one waker clears while
 * another thread still sleeps would lose that thread's wake-up. A count
 * that a dead process leaves raised costs the other side one needless
 * wake per record, and nothing more; the consumer's is reset at bind,
 * since it alone writes it and there is one consumer at a time.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libkipc.h"
#include "internal.h"

#define NSEC_PER_SEC	1000000000L
#define KIPC_RING_ROLES	(KIPC_RING_CONSUMER | KIPC_RING_PRODUCER)
#define KIPC_RING_CREATE_FLAGS	(KIPC_RING_ROLES | KIPC_RING_CREATE | \
				 KIPC_RING_EXCL | KIPC_RING_AUTO_DELETE)

#define kipc_load(p)		__atomic_load_n((p), __ATOMIC_SEQ_CST)
#define kipc_store(p, v)	__atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define kipc_cas(p, old, new)						\
	__atomic_compare_exchange_n((p), (old), (new), 0,		\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)

struct kipc_ring {
	int fd;
	uint32_t role;		/* KIPC_RING_CONSUMER, _PRODUCER or 0 */
	uint32_t tag;		/* a producer's, in the slots it claims */
	uint32_t nr_slots;
	uint32_t slot_size;
	uint32_t armed;		/* kipc_ring_arm()s not yet disarmed */
	size_t size;
	const struct kipc_ring_header *hdr;
	struct kipc_ring_cons *cons;
	struct kipc_ring_prod *prod;
	uint64_t *states;
	unsigned char *slots;
	/* The mappings: all of the ring read-only, and the role's window. */
	void *ro;
	void *rw;
	size_t rw_len;
};

/* The state word a record at @pos has in its lap, with @tag and @state. */
static inline uint64_t kipc_ring_word(const struct kipc_ring *r, uint64_t pos,
				      uint32_t tag, uint32_t state)
{
	return KIPC_RING_SLOT_WORD(pos / r->nr_slots + 1, tag, state);
}

static inline uint64_t *kipc_ring_state(const struct kipc_ring *r,
					uint64_t pos)
{
	return &r->states[pos & (r->nr_slots - 1)];
}

static inline uint64_t kipc_ring_state_offset(const struct kipc_ring *r,
					      uint64_t pos)
{
	return r->hdr->states_offset +
	       sizeof(uint64_t) * (pos & (r->nr_slots - 1));
}

static inline void *kipc_ring_data(const struct kipc_ring *r, uint64_t pos)
{
	return r->slots + (size_t)(pos & (r->nr_slots - 1)) * r->slot_size;
}

static int kipc_ring_unmap(struct kipc_ring *r)
{
	int ret = 0;

	if (r->rw && munmap(r->rw, r->rw_len) < 0)
		ret = -errno;
	if (r->ro && munmap(r->ro, r->size) < 0)
		ret = -errno;
	r->rw = NULL;
	r->ro = NULL;
	return ret;
}

/*
 * Maps the ring as the role allows: the whole of it read-only, then the
 * pages the role owns writable, from which its pointers are then taken.
 * A header that is not the one this library knows is refused rather
 * than read at the wrong offsets.
 */
static int kipc_ring_map(struct kipc_ring *r)
{
	const struct kipc_ring_header *h;
	unsigned char *ro, *rw;
	size_t off;

	ro = mmap(NULL, r->size, PROT_READ, MAP_SHARED, r->fd, 0);
	if (ro == MAP_FAILED)
		return -errno;
	r->ro = ro;
	h = (const void *)ro;
	r->hdr = h;
	if (h->magic != KIPC_RING_MAGIC || h->version != KIPC_RING_VERSION ||
	    h->ring_size != r->size || h->nr_slots != r->nr_slots ||
	    h->slot_size != r->slot_size)
		return -EPROTO;
	r->cons = (void *)(ro + h->cons_offset);
	r->prod = (void *)(ro + h->prod_offset);
	r->states = (void *)(ro + h->states_offset);
	r->slots = ro + h->slots_offset;

	if (r->role == KIPC_RING_CONSUMER) {
		off = h->cons_offset;
		r->rw_len = h->prod_offset - off;
	} else if (r->role == KIPC_RING_PRODUCER) {
		off = h->prod_offset;
		r->rw_len = r->size - off;
	} else {
		return 0;
	}
	rw = mmap(NULL, r->rw_len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd,
		  (off_t)off);
	if (rw == MAP_FAILED)
		return -errno;
	r->rw = rw;
	if (r->role == KIPC_RING_CONSUMER) {
		r->cons = (void *)rw;
		/* A consumer that died asleep left it raised; only we write it. */
		kipc_store(&r->cons->waiting, 0);
	} else {
		r->prod = (void *)rw;
		r->states = (void *)(rw + h->states_offset - off);
		r->slots = rw + h->slots_offset - off;
	}
	return 0;
}

static int kipc_ring_bind(const char *name, struct kipc_ring_bind *bind,
			  struct kipc_ring **ringp)
{
	struct kipc_ring_info info;
	struct kipc_ring *r;
	int ret;

	bind->size = sizeof(*bind);
	bind->name = (uintptr_t)name;
	/* An over-long name goes to the module, which knows its limit. */
	bind->name_len = (uint32_t)strnlen(name, (size_t)KIPC_NAME_MAX + 1);

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fd = kipc_dev_open(KIPC_FEAT_RING);
	if (r->fd < 0) {
		ret = r->fd;
		free(r);
		return ret;
	}
	ret = kipc_handle_ioctl(r->fd, KIPC_IOC_RING_BIND, bind);
	if (ret < 0)
		goto fail;
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	ret = kipc_handle_ioctl(r->fd, KIPC_IOC_RING_INFO, &info);
	if (ret < 0)
		goto fail;
	r->role = info.handle_flags & KIPC_RING_ROLES;
	r->tag = info.tag;
	r->nr_slots = info.nr_slots;
	r->slot_size = info.slot_size;
	r->size = (size_t)info.ring_size;
	ret = kipc_ring_map(r);
	if (ret < 0)
		goto fail;
	*ringp = r;
	return 0;
fail:
	kipc_ring_unmap(r);
	close(r->fd);
	free(r);
	return ret;
}

int (kipc_ring_create)(const char *name, unsigned int flags, mode_t mode,
		       const struct kipc_ring_config *cfg, size_t cfg_size,
		       struct kipc_ring **ringp)
{
	struct kipc_ring_config c;
	struct kipc_ring_bind bind;
	int ret;

	if (!name || !cfg || !ringp || (flags & ~KIPC_RING_CREATE_FLAGS) ||
	    (flags & KIPC_RING_ROLES) == KIPC_RING_ROLES || mode & ~0777u)
		return -EINVAL;
	ret = kipc_struct_in(&c, sizeof(c), cfg, cfg_size,
			     KIPC_RING_CONFIG_SIZE_VER0);
	if (ret)
		return ret;
	if (c.__reserved)
		return -EINVAL;

	memset(&bind, 0, sizeof(bind));
	bind.flags = flags | KIPC_RING_CREATE;
	bind.mode = mode;
	bind.slot_size = c.slot_size;
	bind.nr_slots = c.nr_slots;
	bind.max_producers = c.max_producers;
	return kipc_ring_bind(name, &bind, ringp);
}

int kipc_ring_open(const char *name, unsigned int flags,
		   struct kipc_ring **ringp)
{
	struct kipc_ring_bind bind;

	if (!name || !ringp || (flags & ~KIPC_RING_ROLES) ||
	    flags == KIPC_RING_ROLES)
		return -EINVAL;
	memset(&bind, 0, sizeof(bind));
	bind.flags = flags;
	return kipc_ring_bind(name, &bind, ringp);
}

int kipc_ring_close(struct kipc_ring *r)
{
	int ret, ret2;

	if (!r)
		return -EINVAL;
	/* A close must not fail half-way: everything is let go of. */
	ret = kipc_ring_unmap(r);
	ret2 = close(r->fd) < 0 ? -errno : 0;
	free(r);
	return ret ? ret : ret2;
}

int kipc_ring_unlink(const char *name)
{
	struct kipc_unlink req;
	int fd, ret;

	if (!name)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.name = (uintptr_t)name;
	req.name_len = (uint32_t)strnlen(name, (size_t)KIPC_NAME_MAX + 1);

	fd = kipc_dev_open(KIPC_FEAT_RING);
	if (fd < 0)
		return fd;
	ret = kipc_handle_ioctl(fd, KIPC_IOC_RING_UNLINK, &req);
	close(fd);
	return ret < 0 ? ret : 0;
}

int kipc_ring_fd(const struct kipc_ring *r)
{
	return r ? r->fd : -EINVAL;
}

static int kipc_ring_wake(struct kipc_ring *r, uint32_t flags)
{
	struct kipc_ring_wake w = { .size = sizeof(w), .flags = flags };
	int ret = kipc_handle_ioctl(r->fd, KIPC_IOC_RING_WAKE, &w);

	return ret < 0 ? ret : 0;
}

/*
 * The claim. A head behind the tail, or at a slot whose word is already
 * of its lap, is stale: some producer claimed there and had not moved
 * the head on yet (or died first), and any producer may move it.
 */
int kipc_ring_reserve(struct kipc_ring *r, void **data, uint64_t *pos)
{
	if (!r || !data || !pos)
		return -EINVAL;
	if (r->role != KIPC_RING_PRODUCER)
		return -EBADF;
	for (;;) {
		uint64_t p = kipc_load(&r->prod->head);
		uint64_t t = kipc_load(&r->cons->tail);
		uint64_t lap = p / r->nr_slots + 1;
		uint64_t w, h;

		if ((int64_t)(p - t) < 0) {
			kipc_cas(&r->prod->head, &p, t);
			continue;
		}
		if (p - t >= r->nr_slots)
			return -EAGAIN;
		w = kipc_load(kipc_ring_state(r, p));
		if (KIPC_RING_SLOT_LAP(w) >= lap) {
			kipc_cas(&r->prod->head, &p, p + 1);
			continue;
		}
		if (!kipc_cas(kipc_ring_state(r, p), &w,
			      kipc_ring_word(r, p, r->tag,
					     KIPC_RING_SLOT_CLAIMED)))
			continue;
		/* A failed exchange would overwrite p, which is returned. */
		h = p;
		kipc_cas(&r->prod->head, &h, p + 1);
		*data = kipc_ring_data(r, p);
		*pos = p;
		return 0;
	}
}

/*
 * The commit is a compare-and-swap from this handle's claim, so that a
 * position it never reserved, or one committed already, is refused
 * before anything is published.
 */
int kipc_ring_commit(struct kipc_ring *r, uint64_t pos)
{
	uint64_t w;

	if (!r)
		return -EINVAL;
	if (r->role != KIPC_RING_PRODUCER)
		return -EBADF;
	w = kipc_ring_word(r, pos, r->tag, KIPC_RING_SLOT_CLAIMED);
	if (!kipc_cas(kipc_ring_state(r, pos), &w,
		      kipc_ring_word(r, pos, r->tag, KIPC_RING_SLOT_COMMITTED)))
		return -EINVAL;
	if (kipc_load(&r->cons->waiting))
		return kipc_ring_wake(r, KIPC_RING_WAKE_CONSUMER);
	return 0;
}

/* Moves the tail past the record at @t, and wakes producers who wait. */
static int kipc_ring_advance(struct kipc_ring *r, uint64_t t)
{
	kipc_store(&r->cons->tail, t + 1);
	if (kipc_load(&r->prod->waiting))
		return kipc_ring_wake(r, KIPC_RING_WAKE_PRODUCERS);
	return 0;
}

/*
 * Records that the kernel marked lost are skipped here, so that a
 * consumer sees committed records only; kipc_ring_lost() counts them.
 */
int kipc_ring_peek(struct kipc_ring *r, const void **data, uint64_t *pos,
		   uint32_t *tag)
{
	if (!r || !data || !pos)
		return -EINVAL;
	if (r->role != KIPC_RING_CONSUMER)
		return -EBADF;
	for (;;) {
		/* The consumer alone writes the tail. */
		uint64_t t = __atomic_load_n(&r->cons->tail, __ATOMIC_RELAXED);
		uint64_t w = kipc_load(kipc_ring_state(r, t));
		int ret;

		if (w == kipc_ring_word(r, t, KIPC_RING_SLOT_TAG(w),
					KIPC_RING_SLOT_COMMITTED)) {
			*data = kipc_ring_data(r, t);
			*pos = t;
			if (tag)
				*tag = KIPC_RING_SLOT_TAG(w);
			return 0;
		}
		if (w != kipc_ring_word(r, t, KIPC_RING_SLOT_TAG(w),
					KIPC_RING_SLOT_LOST))
			return -EAGAIN;
		ret = kipc_ring_advance(r, t);
		if (ret)
			return ret;
	}
}

int kipc_ring_release(struct kipc_ring *r, uint64_t pos)
{
	uint64_t t, w;

	if (!r)
		return -EINVAL;
	if (r->role != KIPC_RING_CONSUMER)
		return -EBADF;
	t = __atomic_load_n(&r->cons->tail, __ATOMIC_RELAXED);
	w = kipc_load(kipc_ring_state(r, t));
	if (pos != t || w != kipc_ring_word(r, t, KIPC_RING_SLOT_TAG(w),
					    KIPC_RING_SLOT_COMMITTED))
		return -EINVAL;
	return kipc_ring_advance(r, t);
}

/*
 * Whether this handle's side may go on without sleeping: for the
 * consumer, the record at the tail is committed or lost; for a producer,
 * the ring has room. The word to sleep on, and the value seen in it, are
 * returned for kipc_ring_sleep().
 */
static int kipc_ring_ready(const struct kipc_ring *r, __u64 *offset,
			   __u64 *value)
{
	uint64_t t = kipc_load(&r->cons->tail), w, p;
	uint32_t state;

	if (r->role == KIPC_RING_CONSUMER) {
		w = kipc_load(kipc_ring_state(r, t));
		state = KIPC_RING_SLOT_STATE(w);
		*offset = kipc_ring_state_offset(r, t);
		*value = w;
		return KIPC_RING_SLOT_LAP(w) == t / r->nr_slots + 1 &&
		       (state == KIPC_RING_SLOT_COMMITTED ||
			state == KIPC_RING_SLOT_LOST);
	}
	p = kipc_load(&r->prod->head);
	*offset = r->hdr->cons_offset + offsetof(struct kipc_ring_cons, tail);
	*value = t;
	return (int64_t)(p - t) < (int64_t)r->nr_slots;
}

static uint32_t *kipc_ring_waiting(const struct kipc_ring *r)
{
	return r->role == KIPC_RING_CONSUMER ? &r->cons->waiting :
					       &r->prod->waiting;
}

static int kipc_timeout_ns(const struct timespec *ts, __s64 *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if (ts->tv_sec >= INT64_MAX / NSEC_PER_SEC)
		*ns = INT64_MAX;
	else
		*ns = (int64_t)ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
	return 0;
}

int kipc_ring_wait(struct kipc_ring *r, const struct timespec *abs_timeout)
{
	struct kipc_ring_wait w;
	uint32_t *waiting;
	int ret;

	if (!r)
		return -EINVAL;
	if (!r->role)
		return -EBADF;
	memset(&w, 0, sizeof(w));
	w.size = sizeof(w);
	if (abs_timeout) {
		ret = kipc_timeout_ns(abs_timeout, &w.timeout_ns);
		if (ret)
			return ret;
		w.flags = KIPC_RING_WAIT_TIMEOUT;
	}
	waiting = kipc_ring_waiting(r);
	for (;;) {
		if (kipc_ring_ready(r, &w.offset, &w.value))
			return 0;
		/* Raise the count, then look again: see the top of the file. */
		__atomic_fetch_add(waiting, 1, __ATOMIC_SEQ_CST);
		ret = 0;
		if (!kipc_ring_ready(r, &w.offset, &w.value))
			ret = kipc_handle_ioctl(r->fd, KIPC_IOC_RING_WAIT, &w);
		__atomic_fetch_sub(waiting, 1, __ATOMIC_SEQ_CST);
		if (ret < 0)
			return ret;
	}
}

int kipc_ring_arm(struct kipc_ring *r)
{
	__u64 offset, value;
	uint32_t *waiting;

	if (!r)
		return -EINVAL;
	if (!r->role)
		return -EBADF;
	waiting = kipc_ring_waiting(r);
	if (kipc_ring_ready(r, &offset, &value))
		return 1;
	__atomic_fetch_add(&r->armed, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(waiting, 1, __ATOMIC_SEQ_CST);
	if (!kipc_ring_ready(r, &offset, &value))
		return 0;
	__atomic_fetch_sub(waiting, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_sub(&r->armed, 1, __ATOMIC_SEQ_CST);
	return 1;
}

int kipc_ring_disarm(struct kipc_ring *r)
{
	uint32_t n;

	if (!r)
		return -EINVAL;
	if (!r->role)
		return -EBADF;
	/* Never below this handle's own arms: others' counts are theirs. */
	n = __atomic_load_n(&r->armed, __ATOMIC_SEQ_CST);
	do {
		if (!n)
			return -EINVAL;
	} while (!__atomic_compare_exchange_n(&r->armed, &n, n - 1, 0,
					      __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	__atomic_fetch_sub(kipc_ring_waiting(r), 1, __ATOMIC_SEQ_CST);
	return 0;
}

int kipc_ring_lost(const struct kipc_ring *r, uint64_t *lost)
{
	if (!r || !lost)
		return -EINVAL;
	*lost = kipc_load(&r->hdr->lost);
	return 0;
}

/* At the caller's size, which the kernel honours (see queue.c's getattr). */
int (kipc_ring_info)(const struct kipc_ring *r, struct kipc_ring_info *info,
		     size_t info_size)
{
	int ret;

	if (!r || !info || info_size > UINT32_MAX)
		return -EINVAL;
	ret = kipc_struct_size_ok(info_size, KIPC_RING_INFO_SIZE_VER0);
	if (ret)
		return ret;
	memset(info, 0, info_size);
	info->size = (uint32_t)info_size;
	ret = kipc_handle_ioctl(r->fd, KIPC_IOC_RING_INFO, info);
	return ret < 0 ? ret : 0;
}

int (kipc_ring_producer)(const struct kipc_ring *r, uint32_t tag,
			 struct kipc_ring_producer *prod, size_t prod_size)
{
	int ret;

	if (!r || !prod || prod_size > UINT32_MAX)
		return -EINVAL;
	ret = kipc_struct_size_ok(prod_size, KIPC_RING_PRODUCER_SIZE_VER0);
	if (ret)
		return ret;
	memset(prod, 0, prod_size);
	prod->size = (uint32_t)prod_size;
	prod->tag = tag;
	ret = kipc_handle_ioctl(r->fd, KIPC_IOC_RING_PRODUCER, prod);
	return ret < 0 ? ret : 0;
}
