/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the kipc ring selftests: raw ioctls on /dev/kipc, and the
 * user-space half of the ring protocol that uapi/linux/kipc.h describes
 * (claim by compare-and-swap of a slot's state word, commit by storing
 * it, consume in order), written out here so the tests check the kernel's
 * side against an independent implementation. Every wrapper returns a
 * value >= 0 or a negative errno.
 */
#ifndef KIPC_RING_UTIL_H
#define KIPC_RING_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/kipc.h>

#include "kipc_test.h"

#define RG_SEQ_CST	__ATOMIC_SEQ_CST

static inline void rg_bind_init(struct kipc_ring_bind *b, const char *name,
				uint32_t flags, uint32_t mode,
				uint32_t slot_size, uint32_t nr_slots,
				uint32_t max_producers)
{
	memset(b, 0, sizeof(*b));
	b->size = sizeof(*b);
	b->flags = flags;
	b->name = (uintptr_t)name;
	b->name_len = strlen(name);
	b->mode = mode;
	b->slot_size = slot_size;
	b->nr_slots = nr_slots;
	b->max_producers = max_producers;
}

static inline int rg_bind(int fd, const char *name, uint32_t flags,
			  uint32_t mode, uint32_t slot_size,
			  uint32_t nr_slots, uint32_t max_producers)
{
	struct kipc_ring_bind b;

	rg_bind_init(&b, name, flags, mode, slot_size, nr_slots,
		     max_producers);
	return kt_ret(ioctl(fd, KIPC_IOC_RING_BIND, &b));
}

/* A new handle bound to @name: the fd, or a negative errno. */
static inline int rg_open(const char *name, uint32_t flags, uint32_t mode,
			  uint32_t slot_size, uint32_t nr_slots,
			  uint32_t max_producers)
{
	int fd = kt_open();
	int ret;

	if (fd < 0)
		return fd;
	ret = rg_bind(fd, name, flags, mode, slot_size, nr_slots,
		      max_producers);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static inline int rg_unlink(const char *name)
{
	return kt_unlink_ioc(KIPC_IOC_RING_UNLINK, name);
}

static inline int rg_info(int fd, struct kipc_ring_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return kt_ret(ioctl(fd, KIPC_IOC_RING_INFO, info));
}

static inline int rg_wait(int fd, uint32_t flags, int64_t timeout_ns,
			  uint64_t offset, uint64_t value)
{
	struct kipc_ring_wait w = {
		.size = sizeof(w),
		.flags = flags,
		.timeout_ns = timeout_ns,
		.offset = offset,
		.value = value,
	};

	return kt_ret(ioctl(fd, KIPC_IOC_RING_WAIT, &w));
}

static inline int rg_wake(int fd, uint32_t flags)
{
	struct kipc_ring_wake w = { .size = sizeof(w), .flags = flags };

	return kt_ret(ioctl(fd, KIPC_IOC_RING_WAKE, &w));
}

/* One handle's view of a ring: a read-only map of it all, and its own. */
struct rg_map {
	int fd;
	uint32_t role;
	uint32_t tag;
	uint32_t n;
	uint32_t slot_size;
	size_t size;
	const uint8_t *ro;
	uint8_t *rw;		/* the role's writable window, or NULL */
	size_t rw_len;
	const struct kipc_ring_header *hdr;
	struct kipc_ring_cons *cons;
	struct kipc_ring_prod *prod;
	uint64_t *states;
	uint8_t *slots;
};

/* Maps the handle @fd as its role allows; 0 or a negative errno. */
static inline int rg_map(struct rg_map *m, int fd)
{
	struct kipc_ring_info info;
	size_t off;
	int ret;

	memset(m, 0, sizeof(*m));
	ret = rg_info(fd, &info);
	if (ret)
		return ret;
	m->fd = fd;
	m->role = info.handle_flags;
	m->tag = info.tag;
	m->n = info.nr_slots;
	m->slot_size = info.slot_size;
	m->size = info.ring_size;
	m->ro = mmap(NULL, m->size, PROT_READ, MAP_SHARED, fd, 0);
	if (m->ro == MAP_FAILED)
		return -errno;
	m->hdr = (const void *)m->ro;
	m->cons = (void *)(m->ro + m->hdr->cons_offset);
	m->prod = (void *)(m->ro + m->hdr->prod_offset);
	m->states = (void *)(m->ro + m->hdr->states_offset);
	m->slots = (void *)(m->ro + m->hdr->slots_offset);
	if (m->role == KIPC_RING_CONSUMER) {
		off = m->hdr->cons_offset;
		m->rw_len = m->hdr->prod_offset - off;
	} else if (m->role == KIPC_RING_PRODUCER) {
		off = m->hdr->prod_offset;
		m->rw_len = m->size - off;
	} else {
		return 0;
	}
	m->rw = mmap(NULL, m->rw_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		     off);
	if (m->rw == MAP_FAILED) {
		ret = -errno;
		munmap((void *)m->ro, m->size);
		return ret;
	}
	if (m->role == KIPC_RING_CONSUMER) {
		m->cons = (void *)m->rw;
	} else {
		m->prod = (void *)m->rw;
		m->states = (void *)(m->rw + m->hdr->states_offset - off);
		m->slots = m->rw + m->hdr->slots_offset - off;
	}
	return 0;
}

static inline void rg_unmap(struct rg_map *m)
{
	if (m->rw)
		munmap(m->rw, m->rw_len);
	if (m->ro)
		munmap((void *)m->ro, m->size);
	m->rw = NULL;
	m->ro = NULL;
}

static inline uint64_t rg_lap(const struct rg_map *m, uint64_t pos)
{
	return pos / m->n + 1;
}

static inline uint64_t *rg_state(const struct rg_map *m, uint64_t pos)
{
	return &m->states[pos & (m->n - 1)];
}

static inline uint64_t rg_state_offset(const struct rg_map *m, uint64_t pos)
{
	return m->hdr->states_offset + 8 * (pos & (m->n - 1));
}

static inline uint8_t *rg_slot(const struct rg_map *m, uint64_t pos)
{
	return m->slots + (size_t)(pos & (m->n - 1)) * m->slot_size;
}

/*
 * Claims the next slot: 0 with *@pos set, or -EAGAIN while the ring is
 * full. The compare-and-swap that claims the slot also records the
 * producer's tag in it, so there is no moment at which the slot is taken
 * but the kernel cannot tell by whom.
 */
static inline int rg_claim(struct rg_map *m, uint64_t *pos)
{
	for (;;) {
		uint64_t p = __atomic_load_n(&m->prod->head, RG_SEQ_CST);
		uint64_t t = __atomic_load_n(&m->cons->tail, RG_SEQ_CST);
		uint64_t lap = rg_lap(m, p), w;

		if ((int64_t)(p - t) < 0)
			continue;		/* a stale head: read again */
		if (p - t >= m->n)
			return -EAGAIN;
		w = __atomic_load_n(rg_state(m, p), RG_SEQ_CST);
		if (KIPC_RING_SLOT_LAP(w) >= lap) {
			/* Claimed by another: help the head past it. */
			__atomic_compare_exchange_n(&m->prod->head, &p, p + 1,
						    0, RG_SEQ_CST, RG_SEQ_CST);
			continue;
		}
		if (__atomic_compare_exchange_n(rg_state(m, p), &w,
				KIPC_RING_SLOT_WORD(lap, m->tag,
						    KIPC_RING_SLOT_CLAIMED),
				0, RG_SEQ_CST, RG_SEQ_CST)) {
			/* A failed exchange overwrites its expected value. */
			uint64_t h = p;

			__atomic_compare_exchange_n(&m->prod->head, &h, p + 1,
						    0, RG_SEQ_CST, RG_SEQ_CST);
			*pos = p;
			return 0;
		}
	}
}

/* Publishes the claimed slot, and rings the consumer if it sleeps. */
static inline int rg_commit(struct rg_map *m, uint64_t pos)
{
	__atomic_store_n(rg_state(m, pos),
			 KIPC_RING_SLOT_WORD(rg_lap(m, pos), m->tag,
					     KIPC_RING_SLOT_COMMITTED),
			 RG_SEQ_CST);
	if (__atomic_load_n(&m->cons->waiting, RG_SEQ_CST))
		return rg_wake(m->fd, KIPC_RING_WAKE_CONSUMER);
	return 0;
}

/* Claims, sleeping while full; 0, or the wait's error (ETIMEDOUT). */
static inline int rg_claim_wait(struct rg_map *m, uint64_t *pos,
				int64_t deadline)
{
	for (;;) {
		uint64_t t;
		int ret = rg_claim(m, pos);

		if (ret != -EAGAIN)
			return ret;
		__atomic_fetch_add(&m->prod->waiting, 1, RG_SEQ_CST);
		t = __atomic_load_n(&m->cons->tail, RG_SEQ_CST);
		ret = 0;
		if (__atomic_load_n(&m->prod->head, RG_SEQ_CST) - t >= m->n)
			ret = rg_wait(m->fd, KIPC_RING_WAIT_TIMEOUT, deadline,
				      m->hdr->cons_offset, t);
		__atomic_fetch_sub(&m->prod->waiting, 1, RG_SEQ_CST);
		if (ret && ret != -EINTR)
			return ret;
	}
}

/*
 * The consumer's next record: its state (COMMITTED or LOST), or -EAGAIN
 * when the slot at the tail is not ready.
 */
static inline int rg_peek(const struct rg_map *m, uint64_t *word)
{
	uint64_t t = m->cons->tail;
	uint64_t w = __atomic_load_n(rg_state(m, t), RG_SEQ_CST);
	uint32_t state = KIPC_RING_SLOT_STATE(w);

	*word = w;
	if (KIPC_RING_SLOT_LAP(w) != rg_lap(m, t) ||
	    (state != KIPC_RING_SLOT_COMMITTED && state != KIPC_RING_SLOT_LOST))
		return -EAGAIN;
	return (int)state;
}

/* The consumer is done with the record at the tail. */
static inline int rg_release(struct rg_map *m)
{
	__atomic_store_n(&m->cons->tail, m->cons->tail + 1, RG_SEQ_CST);
	if (__atomic_load_n(&m->prod->waiting, RG_SEQ_CST))
		return rg_wake(m->fd, KIPC_RING_WAKE_PRODUCERS);
	return 0;
}

/* rg_peek(), sleeping until @deadline for a record. */
static inline int rg_peek_wait(struct rg_map *m, uint64_t *word,
			       int64_t deadline)
{
	for (;;) {
		int ret = rg_peek(m, word);

		if (ret != -EAGAIN)
			return ret;
		__atomic_store_n(&m->cons->waiting, 1, RG_SEQ_CST);
		ret = rg_peek(m, word);
		if (ret == -EAGAIN)
			ret = rg_wait(m->fd, KIPC_RING_WAIT_TIMEOUT, deadline,
				      rg_state_offset(m, m->cons->tail),
				      *word);
		__atomic_store_n(&m->cons->waiting, 0, RG_SEQ_CST);
		if (ret > 0)
			return ret;
		if (ret && ret != -EINTR)
			return ret;
	}
}

#endif /* KIPC_RING_UTIL_H */
