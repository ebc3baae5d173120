// SPDX-License-Identifier: GPL-2.0-only
/*
 * The journal: a named kipc region that outlives the bridge process and
 * lives as long as the IPC namespace it bridges, so that it is there for
 * the next bridge after a SIGKILL. Its robust lock, held from start to
 * exit, makes one bridge per queue and direction, and tells the next one
 * that the last died.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bridge.h"

/* Names too long for the prefix keep their hash instead. */
void journal_name(char *out, const char *dir, const char *queue)
{
	size_t d = strlen(dir), q = strlen(queue);

	if (d + 1 + q <= KIPC_NAME_MAX) {
		memcpy(out, dir, d);
		out[d] = ':';
		memcpy(out + d + 1, queue, q + 1);
	} else {
		snprintf(out, KIPC_NAME_MAX + 1, "%s#%016llx", dir,
			 (unsigned long long)id_hash(queue));
	}
}

/*
 * Opens the region, or makes it zero-filled, mode 0600: a journal holds
 * other users' messages and is no one else's business. The first opener
 * to move state from 0 initialises the lock; a creator killed between
 * creating and initialising leaves state at 1, which no later bridge can
 * safely repair, so it is reported.
 */
static int journal_init(struct journal *j, uint32_t magic)
{
	struct journal_hdr *h = j->base;
	uint32_t zero = 0;
	int ret;

	if (__atomic_compare_exchange_n(&h->state, &zero, 1, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		ret = kipc_region_lock_init(&h->lock);
		if (ret)
			return ret;
		h->magic = magic;
		__atomic_store_n(&h->state, 2, __ATOMIC_RELEASE);
		return 0;
	}
	/* Another bridge is initialising it right now: give it a second. */
	for (int i = 0; i < 100; i++) {
		if (__atomic_load_n(&h->state, __ATOMIC_ACQUIRE) == 2)
			break;
		usleep(10000);
	}
	if (__atomic_load_n(&h->state, __ATOMIC_ACQUIRE) != 2) {
		log_err("journal %s: left half made by a bridge that died creating it; delete it (kipc region delete) and start again",
			j->name);
		return -EUCLEAN;
	}
	if (h->magic != magic) {
		log_err("journal %s: not a kipc-bridge journal of this kind (magic %#x)",
			j->name, h->magic);
		return -EINVAL;
	}
	return 0;
}

int journal_open(struct journal *j, const char *dir, const char *queue,
		 size_t size, uint32_t magic, bool *recover)
{
	struct kipc_region_info ri;
	struct journal_hdr *h;
	int ret;

	memset(j, 0, sizeof(*j));
	j->fd = -1;
	*recover = false;
	journal_name(j->name, dir, queue);

	j->fd = kipc_region_open(j->name, O_RDWR | O_CREAT, 0600, size, 0);
	if (j->fd < 0) {
		ret = j->fd;
		log_err("journal %s: cannot open: %s", j->name, strerror(-ret));
		return ret;
	}
	ret = kipc_region_info(j->fd, &ri);
	if (ret < 0) {
		log_err("journal %s: %s", j->name, strerror(-ret));
		goto fail;
	}
	/* An older, smaller journal may hold entries: never truncate it. */
	if (ri.region_size < size) {
		log_err("journal %s: %llu bytes, this queue needs %zu; delete it once drained (kipc-bridge status shows it)",
			j->name, (unsigned long long)ri.region_size, size);
		ret = -EMSGSIZE;
		goto fail;
	}
	j->size = ri.region_size;
	ret = kipc_region_map(j->fd, 0, j->size, PROT_READ | PROT_WRITE,
			      &j->base);
	if (ret < 0) {
		log_err("journal %s: cannot map: %s", j->name, strerror(-ret));
		goto fail;
	}
	/*
	 * The kernel writes received messages straight into these pages:
	 * keep them resident so that no copy can fault half done.
	 */
	if (mlock(j->base, j->size))
		log_debug("journal %s: mlock: %s (continuing)", j->name,
			  strerror(errno));

	ret = journal_init(j, magic);
	if (ret)
		goto fail_unmap;
	h = j->base;
	j->lock = &h->lock;
	ret = kipc_region_trylock(j->lock);
	if (ret == -EBUSY) {
		log_err("journal %s: another bridge (pid %d) already runs on this queue",
			j->name, h->pid);
		goto fail_unmap;
	}
	if (ret == -EOWNERDEAD) {
		log_info("journal %s: the previous bridge (pid %d) died; recovering",
			 j->name, h->pid);
		h->crashes++;
		*recover = true;
	} else if (ret) {
		log_err("journal %s: lock: %s", j->name, strerror(-ret));
		goto fail_unmap;
	}
	h->pid = getpid();
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		h->started_ns = (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
	}
	return 0;

fail_unmap:
	kipc_region_unmap(j->base, j->size);
fail:
	kipc_region_close(j->fd);
	j->fd = -1;
	return ret;
}

/* Recovery done: the lock is ours and whole again. */
int journal_consistent(struct journal *j)
{
	int ret = kipc_region_lock_consistent(j->lock);

	if (ret)
		log_err("journal %s: cannot mark the lock consistent: %s",
			j->name, strerror(-ret));
	return ret;
}

/* Logged, and kept where "kipc-bridge status" shows it. */
void journal_error(struct journal *j, const char *fmt, ...)
{
	struct journal_hdr *h = j->base;
	char msg[JOURNAL_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_err("%s", msg);
	memcpy(h->last_error, msg, sizeof(msg));
}

void journal_close(struct journal *j)
{
	if (j->fd < 0)
		return;
	kipc_region_unlock(j->lock);
	kipc_region_unmap(j->base, j->size);
	kipc_region_close(j->fd);
	j->fd = -1;
}
