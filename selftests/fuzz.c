// SPDX-License-Identifier: GPL-2.0-only
/*
 * A random-call fuzzer for kipc: four processes issue KIPC_FUZZ_CALLS
 * calls in all (default 20000) on /dev/kipc handles and the kipc netlink
 * family: ioctls with numbers in and around kipc's, structs of random size
 * and content, pointers that are valid, NULL, unmapped, read-only, kernel
 * addresses, misaligned or running off the end of a page; binds to a small
 * pool of names, so objects (queues, regions, rings) are really created,
 * shared between the processes, used and deleted; read, write, poll, mmap with touches,
 * fcntl, dup, close and reopen; and generic netlink messages with random
 * commands, flags and attributes, dumps included.
 *
 * Every handle is non-blocking and every process has an alarm, so nothing
 * can wait forever. The test passes when every process finishes and,
 * after them, every object they made is gone: the kernel's side (oops,
 * KASAN, lockdep, ...) is judged by the runner's scan of the kernel log.
 * KIPC_FUZZ_SEED repeats a run; the seed is printed.
 *
 * The processes work in an IPC namespace of their own (a user namespace
 * too, for an unprivileged run). A name pointer may point at random bytes,
 * so binds make objects under names no list could unlink, and an object
 * may be given to another owner; names die with their namespace whatever
 * they hold and whoever owns them, and a name left behind would keep the
 * module loaded.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "kselftest_harness.h"
#include "hardening.h"

#define NPROC		4
#define NSLOTS		12
#define NMAPS		8
#define NPOOL		7
#define NAME_BUF	320
#define MAX_ERRNO	160
#define ARENA		(256 * 1024)
#define ARG_OFF		0
#define BATCH_OFF	4096
#define DATA_OFF	(128 * 1024)
#define NCMDS		(KIPC_IOC_NR_RING_PRODUCER + 1)
/*
 * The alarm is re-armed every HANG_EVERY calls: a process that takes
 * longer than HANG_SECS for that many has hung. It is a hang detector, not
 * a deadline: a debug kernel under emulation may take milliseconds a call.
 */
#define HANG_SECS	120
#define HANG_EVERY	64

/* What one process did, for the parent's histogram. */
struct fz_result {
	uint64_t calls;
	uint64_t ok;
	uint64_t err[MAX_ERRNO + 1];	/* by errno; the last: anything above */
	uint64_t faults;		/* our touches of a mapping that faulted */
	uint64_t objects;		/* binds that created or found an object */
	uint64_t mapped;
	uint64_t netlink;
};

struct fz {
	struct hd_rng r;
	struct fz_result *res;
	int family;
	int nl;
	int clean;			/* this call keeps its arguments sane */
	int fds[NSLOTS];
	int kind[NSLOTS];		/* what a slot's handle is bound to */
	struct {
		void *addr;
		size_t len;
	} maps[NMAPS];
	uint8_t *arena;			/* ARENA bytes, read-write */
	uint8_t *ro;			/* one read-only page */
	uint8_t *edge;			/* last byte before an inaccessible page */
	uint8_t *unmapped;		/* a page that was unmapped */
	size_t pg;
	char (*pool)[NAME_BUF];		/* the names, NUL-padded */
};

/* ---- the names every process shares ---- */

static void make_pool(char pool[NPOOL][NAME_BUF])
{
	unsigned int uid = getuid();
	int i;

	memset(pool, 0, sizeof(char[NPOOL][NAME_BUF]));
	for (i = 0; i < NPOOL - 1; i++)
		snprintf(pool[i], NAME_BUF, "fz%u.%d", uid, i);
	/* A name of the maximum length. */
	snprintf(pool[NPOOL - 1], NAME_BUF, "fz%u.", uid);
	memset(pool[NPOOL - 1] + strlen(pool[NPOOL - 1]), 'x',
	       KIPC_NAME_MAX - strlen(pool[NPOOL - 1]));
}

/* Every name a bind may have made: each pool name and all its prefixes. */
static void unlink_pool(char pool[NPOOL][NAME_BUF])
{
	struct kipc_unlink u;
	int fd = kt_open(), i;
	size_t len;

	if (fd < 0)
		return;
	for (i = 0; i < NPOOL; i++)
		for (len = 1; len <= strlen(pool[i]); len++) {
			memset(&u, 0, sizeof(u));
			u.size = sizeof(u);
			u.name = (uintptr_t)pool[i];
			u.name_len = len;
			ioctl(fd, KIPC_IOC_QUEUE_UNLINK, &u);
			ioctl(fd, KIPC_IOC_REGION_UNLINK, &u);
			ioctl(fd, KIPC_IOC_RING_UNLINK, &u);
		}
	close(fd);
}

/* ---- faults of our own touches ---- */

static sigjmp_buf touch_jb;
static volatile sig_atomic_t touching;

static void on_fault(int sig)
{
	if (touching)
		siglongjmp(touch_jb, sig);
	/* A fault outside a guarded touch is a bug of the fuzzer itself. */
	_exit(90 + sig);
}

/* ---- random values ---- */

static uint64_t rnd(struct fz *f)
{
	return hd_rand(&f->r);
}

static uint32_t below(struct fz *f, uint32_t n)
{
	return hd_below(&f->r, n);
}

static int chance(struct fz *f, uint32_t pct)
{
	return hd_chance(&f->r, pct);
}

/* Mostly small, sometimes at or past a limit, sometimes anything. */
static uint32_t pick_u32(struct fz *f, uint32_t small)
{
	static const uint32_t edges[] = {
		0, 1, 255, 256, 1023, 1024, 1025, 4095, 4096, 65535, 65536,
		65537, 1u << 24, (1u << 24) + 1, 0x7fffffff, 0x80000000u,
		0xfffffffeu, 0xffffffffu,
	};
	uint32_t r = below(f, 100);

	if (r < 75)
		return below(f, small);
	if (r < 92)
		return edges[below(f, ARRAY_SIZE(edges))];
	return (uint32_t)rnd(f);
}

/* Signals that cannot stop or end the process (all are ignored), or junk. */
static int pick_signo(struct fz *f)
{
	static const int sigs[] = {
		SIGUSR1, SIGUSR2, SIGIO, SIGURG, SIGWINCH, SIGCHLD, SIGCONT,
		SIGPIPE, 0, -1, 65, 1000,
	};

	if (chance(f, 30))
		return SIGRTMIN + (int)below(f, SIGRTMAX - SIGRTMIN + 1);
	return sigs[below(f, ARRAY_SIZE(sigs))];
}

/*
 * A pointer for the kernel to read or write about @want bytes at: mostly
 * into the arena at @off, else NULL, unmapped, read-only, a kernel
 * address, misaligned, or running into an inaccessible page. Copies
 * @content there first when the place is writable.
 */
static uint64_t place(struct fz *f, size_t off, const void *content,
		      size_t want)
{
	uint32_t r = below(f, 100);
	uint8_t *p;

	if (want > f->pg)
		want = f->pg;
	if (f->clean && chance(f, 95))
		r = 0;
	if (r < 68) {
		p = f->arena + off;
	} else if (r < 72) {
		return 0;
	} else if (r < 76) {
		return (uintptr_t)f->unmapped + below(f, (uint32_t)f->pg);
	} else if (r < 80) {
		return chance(f, 50) ? 0xffffffff81000000ull :
		       0xffff888000000000ull + (rnd(f) & 0xffffff000ull);
	} else if (r < 88) {
		p = f->arena + off + 1 + below(f, 7);
	} else if (r < 94) {
		p = f->edge + 1 - (want ? 1 + below(f, (uint32_t)want) : 0);
		if (content)
			memcpy(p, content, f->edge + 1 - p);
		return (uintptr_t)p;
	} else {
		if (content && !mprotect(f->ro, f->pg, PROT_READ | PROT_WRITE)) {
			memcpy(f->ro, content, want);
			mprotect(f->ro, f->pg, PROT_READ);
		}
		return (uintptr_t)f->ro;
	}
	if (content)
		memcpy(p, content, want);
	return (uintptr_t)p;
}

/* A name pointer and length: pool names, their prefixes, and bad ones. */
static void pick_name(struct fz *f, __u64 *ptr, uint32_t *len)
{
	const char *name = f->pool[below(f, NPOOL)];
	uint32_t n = strlen(name), r = below(f, 100);

	if (r < 70)
		*len = n;
	else if (r < 80)
		*len = 1 + below(f, n);
	else if (r < 85)
		*len = n + 1 + below(f, 10);	/* takes in a NUL */
	else if (r < 90)
		*len = chance(f, 50) ? 0 : KIPC_NAME_MAX + 1;
	else
		*len = pick_u32(f, 300);
	*ptr = chance(f, 90) ? (uintptr_t)name : place(f, ARG_OFF + 2048, NULL, 0);
}

static int64_t pick_timeout(struct fz *f)
{
	switch (below(f, 5)) {
	case 0:
		return 0;
	case 1:
		return kt_mono_ns() + below(f, 1000000);
	case 2:
		return -1 - (int64_t)below(f, 10);
	case 3:
		return kt_mono_ns() - 1000000000ll;
	default:
		return (int64_t)rnd(f);
	}
}

static void fill_msg(struct fz *f, struct kipc_msg *m, int i)
{
	size_t off = DATA_OFF + (size_t)i * 4096 % (ARENA - DATA_OFF - 70000);

	memset(m, 0, sizeof(*m));
	m->len = chance(f, 80) ? below(f, 700) : pick_u32(f, 70000);
	m->buf = place(f, off, NULL, m->len);
	m->prio = chance(f, 90) ? below(f, KIPC_PRIO_MAX) : pick_u32(f, 64);
	m->type = chance(f, 80) ? below(f, 4) : rnd(f);
	if (chance(f, 5))
		memset(m, (int)below(f, 256), sizeof(*m));
}

/* The first published size of each command's struct (see main.c). */
static const uint32_t min_sizes[NCMDS] = {
	[KIPC_IOC_NR_VERSION] = sizeof(struct kipc_version),
	[KIPC_IOC_NR_QUEUE_BIND] = sizeof(struct kipc_queue_bind),
	[KIPC_IOC_NR_QUEUE_UNLINK] = sizeof(struct kipc_unlink),
	[KIPC_IOC_NR_QUEUE_SEND] = sizeof(struct kipc_queue_io),
	[KIPC_IOC_NR_QUEUE_RECV] = sizeof(struct kipc_queue_io),
	[KIPC_IOC_NR_QUEUE_SEND_BATCH] = sizeof(struct kipc_queue_batch),
	[KIPC_IOC_NR_QUEUE_RECV_BATCH] = sizeof(struct kipc_queue_batch),
	[KIPC_IOC_NR_QUEUE_GETATTR] = offsetof(struct kipc_queue_attr, dropped),
	[KIPC_IOC_NR_REGION_BIND] = sizeof(struct kipc_region_bind),
	[KIPC_IOC_NR_REGION_UNLINK] = sizeof(struct kipc_unlink),
	[KIPC_IOC_NR_REGION_INFO] = sizeof(struct kipc_region_info),
	[KIPC_IOC_NR_QUEUE_NOTIFY] = sizeof(struct kipc_queue_notify),
	[KIPC_IOC_NR_QUEUE_PEER] = sizeof(struct kipc_queue_peer),
	[KIPC_IOC_NR_RING_BIND] = sizeof(struct kipc_ring_bind),
	[KIPC_IOC_NR_RING_UNLINK] = sizeof(struct kipc_unlink),
	[KIPC_IOC_NR_RING_INFO] = sizeof(struct kipc_ring_info),
	[KIPC_IOC_NR_RING_WAIT] = sizeof(struct kipc_ring_wait),
	[KIPC_IOC_NR_RING_WAKE] = sizeof(struct kipc_ring_wake),
	[KIPC_IOC_NR_RING_PRODUCER] = sizeof(struct kipc_ring_producer),
};

/* Builds command @nr's struct in @buf (512 bytes); returns its size. */
static size_t build_arg(struct fz *f, unsigned int nr, uint8_t *buf)
{
	size_t size = 48;
	uint32_t r;

	memset(buf, 0, 512);
	if (chance(f, f->clean ? 0 : 3)) {
		/* Anything at all. */
		for (r = 0; r < 512; r += 8) {
			uint64_t v = rnd(f);

			memcpy(buf + r, &v, 8);
		}
		return 512;
	}
	switch (nr) {
	case KIPC_IOC_NR_QUEUE_BIND: {
		struct kipc_queue_bind *b = (void *)buf;

		b->flags = chance(f, 85) ? (uint32_t)(rnd(f) & 0x1ff) : (uint32_t)rnd(f);
		if (chance(f, 60))
			b->flags = (b->flags & ~(KIPC_QUEUE_ANONYMOUS | KIPC_QUEUE_EXCL)) |
				   KIPC_QUEUE_READ | KIPC_QUEUE_WRITE;
		if (f->clean) {
			r = below(f, 100);
			b->flags = KIPC_QUEUE_READ | KIPC_QUEUE_WRITE |
				   (chance(f, 70) ? KIPC_QUEUE_CREATE : 0) |
				   (r < 5 ? KIPC_QUEUE_CHANNEL | KIPC_QUEUE_CREATE :
				    r < 10 ? KIPC_QUEUE_BROADCAST | KIPC_QUEUE_CREATE :
				    r < 13 ? KIPC_QUEUE_BROADCAST | KIPC_QUEUE_DROP_OLDEST |
					     KIPC_QUEUE_CREATE :
				    r < 16 ? KIPC_QUEUE_ANONYMOUS : 0);
			if (chance(f, 20))
				b->flags &= ~(chance(f, 50) ? KIPC_QUEUE_READ :
					      KIPC_QUEUE_WRITE);
			if ((b->flags & KIPC_QUEUE_CREATE) && chance(f, 20))
				b->flags |= KIPC_QUEUE_AUTO_DELETE;
		}
		pick_name(f, &b->name, &b->name_len);
		if (b->flags & KIPC_QUEUE_ANONYMOUS && chance(f, 70)) {
			b->name = 0;
			b->name_len = 0;
		}
		b->mode = chance(f, 70) ? 0600 : chance(f, 50) ? below(f, 01000) :
			  (uint32_t)rnd(f);
		b->max_msgs = f->clean ? 1 + below(f, 16) : pick_u32(f, 16);
		b->max_msg_size = f->clean ? below(f, 600) : pick_u32(f, 600);
		size = sizeof(*b);
		break;
	}
	case KIPC_IOC_NR_RING_BIND: {
		struct kipc_ring_bind *b = (void *)buf;

		b->flags = chance(f, 85) ? (uint32_t)(rnd(f) & 0x1f) : (uint32_t)rnd(f);
		if (f->clean)
			b->flags = below(f, 3) | (chance(f, 70) ? KIPC_RING_CREATE : 0) |
				   (chance(f, 15) ? KIPC_RING_AUTO_DELETE |
				    KIPC_RING_CREATE : 0);
		pick_name(f, &b->name, &b->name_len);
		b->mode = chance(f, 70) ? 0600 : below(f, 01000);
		b->slot_size = chance(f, 80) ? 8 * (1 + below(f, 64)) : pick_u32(f, 4096);
		b->nr_slots = chance(f, 80) ? 1u << below(f, 10) : pick_u32(f, 1 << 17);
		b->max_producers = chance(f, 80) ? below(f, 9) : pick_u32(f, 128);
		if (f->clean && chance(f, 30)) {
			b->slot_size = 0;
			b->nr_slots = 0;
			b->max_producers = 0;
		}
		size = sizeof(*b);
		break;
	}
	case KIPC_IOC_NR_RING_WAIT: {
		struct kipc_ring_wait *w = (void *)buf;

		w->flags = chance(f, 80) ? KIPC_RING_WAIT_TIMEOUT : (uint32_t)rnd(f);
		w->timeout_ns = pick_timeout(f);
		/* The consumer page, the producer page and its state words. */
		w->offset = chance(f, 85) ? (1 + below(f, 3)) * f->pg + 8 * below(f, 16) :
			    rnd(f);
		w->value = chance(f, 50) ? 0 : rnd(f);
		size = sizeof(*w);
		break;
	}
	case KIPC_IOC_NR_RING_WAKE: {
		struct kipc_ring_wake *w = (void *)buf;

		w->flags = chance(f, 85) ? below(f, 4) : (uint32_t)rnd(f);
		size = sizeof(*w);
		break;
	}
	case KIPC_IOC_NR_RING_PRODUCER: {
		struct kipc_ring_producer *p = (void *)buf;

		p->tag = chance(f, 80) ? below(f, 0x4000) : (uint32_t)rnd(f);
		size = sizeof(*p);
		break;
	}
	case KIPC_IOC_NR_RING_INFO:
		size = sizeof(struct kipc_ring_info);
		break;
	case KIPC_IOC_NR_QUEUE_UNLINK:
	case KIPC_IOC_NR_REGION_UNLINK:
	case KIPC_IOC_NR_RING_UNLINK: {
		struct kipc_unlink *u = (void *)buf;

		pick_name(f, &u->name, &u->name_len);
		size = sizeof(*u);
		break;
	}
	case KIPC_IOC_NR_QUEUE_SEND:
	case KIPC_IOC_NR_QUEUE_RECV: {
		struct kipc_queue_io *io = (void *)buf;

		io->flags = chance(f, 85) ? (uint32_t)(rnd(f) & 0x7f) : (uint32_t)rnd(f);
		io->timeout_ns = chance(f, 70) ? 0 : pick_timeout(f);
		if (!io->timeout_ns && chance(f, 70))
			io->flags &= ~KIPC_IO_TIMEOUT;
		fill_msg(f, &io->msg, 0);
		size = sizeof(*io);
		break;
	}
	case KIPC_IOC_NR_QUEUE_SEND_BATCH:
	case KIPC_IOC_NR_QUEUE_RECV_BATCH: {
		struct kipc_queue_batch *b = (void *)buf;
		uint8_t *arr = f->arena + BATCH_OFF;
		uint32_t i, n;

		b->flags = chance(f, 85) ? (uint32_t)(rnd(f) & 0x7f) : (uint32_t)rnd(f);
		b->timeout_ns = chance(f, 70) ? 0 : pick_timeout(f);
		if (!b->timeout_ns && chance(f, 70))
			b->flags &= ~KIPC_IO_TIMEOUT;
		b->count = chance(f, 85) ? below(f, 10) : pick_u32(f, 1100);
		r = below(f, 100);
		b->msg_size = r < 70 ? sizeof(struct kipc_msg) : r < 80 ? 64 :
			      r < 95 ? below(f, 129) : (uint32_t)rnd(f);
		n = b->count < 16 ? b->count : 16;
		if (b->msg_size >= 1 && b->msg_size <= 128) {
			for (i = 0; i < n; i++) {
				struct kipc_msg m;

				fill_msg(f, &m, (int)i);
				memcpy(arr + (size_t)i * b->msg_size, &m,
				       b->msg_size < sizeof(m) ? b->msg_size : sizeof(m));
				if (b->msg_size > sizeof(m))
					memset(arr + (size_t)i * b->msg_size + sizeof(m),
					       chance(f, 90) ? 0 : 0x55,
					       b->msg_size - sizeof(m));
			}
		}
		b->msgs = chance(f, 80) ? (uintptr_t)arr :
			  place(f, BATCH_OFF, NULL, (size_t)n * sizeof(struct kipc_msg));
		size = sizeof(*b);
		break;
	}
	case KIPC_IOC_NR_REGION_BIND: {
		struct kipc_region_bind *b = (void *)buf;

		b->flags = chance(f, 85) ? (uint32_t)(rnd(f) & 0x1f) : (uint32_t)rnd(f);
		if (chance(f, 60))
			b->flags = (b->flags & ~KIPC_REGION_EXCL) | HD_R_RW;
		if (f->clean)
			b->flags = (chance(f, 80) ? HD_R_RW : KIPC_REGION_READ) |
				   (chance(f, 70) ? KIPC_REGION_CREATE : 0) |
				   (chance(f, 15) ? KIPC_REGION_AUTO_DELETE |
				    KIPC_REGION_CREATE : 0);
		pick_name(f, &b->name, &b->name_len);
		b->mode = chance(f, 70) ? 0600 : below(f, 01000);
		r = below(f, 100);
		if (f->clean)
			r = 0;
		b->region_size = r < 80 ? below(f, 8 * (uint32_t)f->pg) :
				 r < 90 ? (256ull << 20) + below(f, 2) :
				 chance(f, 50) ? UINT64_MAX : rnd(f);
		size = sizeof(*b);
		break;
	}
	case KIPC_IOC_NR_QUEUE_NOTIFY: {
		struct kipc_queue_notify *n = (void *)buf;

		n->flags = chance(f, 80) ? (uint32_t)below(f, 2) : (uint32_t)rnd(f);
		n->signo = pick_signo(f);
		n->value = rnd(f);
		size = sizeof(*n);
		break;
	}
	case KIPC_IOC_NR_QUEUE_PEER: {
		struct kipc_queue_peer *p = (void *)buf;

		p->flags = chance(f, 85) ? below(f, 4) : (uint32_t)rnd(f);
		p->access = chance(f, 85) ? below(f, 4) : (uint32_t)rnd(f);
		p->fd = (int32_t)rnd(f);
		size = sizeof(*p);
		break;
	}
	case KIPC_IOC_NR_QUEUE_GETATTR:
		size = sizeof(struct kipc_queue_attr);
		break;
	case KIPC_IOC_NR_REGION_INFO:
		size = sizeof(struct kipc_region_info);
		break;
	case KIPC_IOC_NR_VERSION:
		size = sizeof(struct kipc_version);
		break;
	default:
		for (r = 8; r < 64; r += 8) {
			uint64_t v = rnd(f);

			memcpy(buf + r, &v, 8);
		}
		size = 64;
		break;
	}
	if (chance(f, f->clean ? 1 : 10))
		((uint32_t *)buf)[1] = (uint32_t)rnd(f);	/* flags */
	if (chance(f, f->clean ? 0 : 3))
		buf[8 + below(f, (uint32_t)size - 8)] ^= 1u << below(f, 8);

	/* The size field: exact, the first published, shorter, longer. */
	r = below(f, 100);
	if (f->clean && chance(f, 80))
		r = 0;
	if (r < 65)
		((uint32_t *)buf)[0] = (uint32_t)size;
	else if (r < 70 && nr < NCMDS)
		((uint32_t *)buf)[0] = min_sizes[nr];
	else if (r < 80)
		((uint32_t *)buf)[0] = below(f, 257);
	else if (r < 90) {
		/* Longer, with a zero or (rarely) non-zero tail. */
		uint32_t more = 8 * (1 + below(f, 16));

		((uint32_t *)buf)[0] = (uint32_t)size + more;
		if (chance(f, 30))
			buf[size + below(f, more)] = 1;
		size += more;
	} else {
		((uint32_t *)buf)[0] = pick_u32(f, 4096);
	}
	return size < 512 ? size : 512;
}

/*
 * An ioctl number: kipc's own mostly, else unknown numbers, numbers with
 * direction and size bits, and neighbouring magics. Never a number the VFS
 * handles itself (FIONBIO, FIOASYNC, FIFREEZE, ...), which would change
 * the handle rather than test kipc.
 */
static unsigned long pick_cmd(struct fz *f, unsigned int *nr)
{
	static const unsigned int magics[] = { KIPC_IOC_MAGIC, 0xb7, 0xba, 0xbc,
						0xff };
	uint32_t r = below(f, 100);

	*nr = KIPC_IOC_NR_VERSION + below(f, NCMDS - KIPC_IOC_NR_VERSION);
	/* Never a purge: it would take every other test's names too. */
	if (*nr == KIPC_IOC_NR_PURGE)
		*nr = KIPC_IOC_NR_VERSION;
	if (r < 78)
		return _IO(KIPC_IOC_MAGIC, *nr);
	/* Around kipc's range, and the old ABI's numbers from 0. */
	*nr = below(f, 2) ? KIPC_IOC_NR_VERSION - 8 + below(f, 64) : below(f, 16);
	if (r < 88)
		return _IO(KIPC_IOC_MAGIC, *nr);
	if (r < 95)
		return _IOC(below(f, 4), KIPC_IOC_MAGIC, *nr, below(f, 512));
	return _IOC(below(f, 4), magics[below(f, ARRAY_SIZE(magics))], *nr,
		    below(f, 1 << 14));
}

/* ---- the calls ---- */

static void count(struct fz *f, long ret)
{
	f->res->calls++;
	if (ret >= 0)
		f->res->ok++;
	else
		f->res->err[-ret < MAX_ERRNO ? -ret : MAX_ERRNO]++;
}

/* A slot, preferably one bound to @kind (0: any) when there is one. */
static int pick_slot(struct fz *f, int kind)
{
	int s = (int)below(f, NSLOTS), i;

	if (kind && chance(f, 75))
		for (i = 0; i < NSLOTS; i++)
			if (f->fds[(s + i) % NSLOTS] >= 0 &&
			    f->kind[(s + i) % NSLOTS] == kind)
				return (s + i) % NSLOTS;
	return s;
}

static int pick_fd(struct fz *f, int kind)
{
	if (chance(f, 3))
		return chance(f, 50) ? -1 : 1000 + (int)below(f, 10);
	return f->fds[pick_slot(f, kind)];
}

static void put_slot(struct fz *f, int s, int fd, int kind)
{
	if (f->fds[s] >= 0)
		close(f->fds[s]);
	/* Whatever made it, it must never block. */
	fcntl(fd, F_SETFL, O_NONBLOCK);
	f->fds[s] = fd;
	f->kind[s] = kind;
}

static void set_slot(struct fz *f, int fd, int kind)
{
	put_slot(f, (int)below(f, NSLOTS), fd, kind);
}

static void open_slot(struct fz *f, int s)
{
	static const int modes[] = { O_RDWR, O_RDWR, O_RDWR, O_RDONLY, O_WRONLY };
	int fd = open("/dev/kipc", modes[below(f, ARRAY_SIZE(modes))] |
		      O_NONBLOCK | O_CLOEXEC);

	count(f, fd < 0 ? -errno : 0);
	if (fd >= 0)
		put_slot(f, s, fd, 0);
}

static void do_open(struct fz *f)
{
	open_slot(f, (int)below(f, NSLOTS));
}

static void do_close(struct fz *f)
{
	int s = (int)below(f, NSLOTS);

	count(f, f->fds[s] >= 0 ? kt_ret(close(f->fds[s])) : -EBADF);
	f->fds[s] = -1;
}

static void do_dup(struct fz *f)
{
	int s = pick_slot(f, 0), fd = f->fds[s], nfd;

	nfd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
	count(f, nfd < 0 ? -errno : 0);
	if (nfd >= 0)
		set_slot(f, nfd, f->kind[s]);
}

/* A command that makes sense for a handle bound to @kind, mostly. */
static unsigned int pick_nr(struct fz *f, int kind)
{
	static const unsigned char unbound[] = {
		KIPC_IOC_NR_QUEUE_BIND, KIPC_IOC_NR_QUEUE_BIND,
		KIPC_IOC_NR_QUEUE_BIND, KIPC_IOC_NR_REGION_BIND,
		KIPC_IOC_NR_REGION_BIND, KIPC_IOC_NR_VERSION,
		KIPC_IOC_NR_RING_BIND, KIPC_IOC_NR_RING_BIND,
	};
	static const unsigned char queue[] = {
		KIPC_IOC_NR_QUEUE_SEND, KIPC_IOC_NR_QUEUE_SEND,
		KIPC_IOC_NR_QUEUE_SEND, KIPC_IOC_NR_QUEUE_RECV,
		KIPC_IOC_NR_QUEUE_RECV, KIPC_IOC_NR_QUEUE_RECV,
		KIPC_IOC_NR_QUEUE_SEND_BATCH, KIPC_IOC_NR_QUEUE_SEND_BATCH,
		KIPC_IOC_NR_QUEUE_RECV_BATCH, KIPC_IOC_NR_QUEUE_RECV_BATCH,
		KIPC_IOC_NR_QUEUE_GETATTR, KIPC_IOC_NR_QUEUE_NOTIFY,
		KIPC_IOC_NR_QUEUE_PEER, KIPC_IOC_NR_QUEUE_UNLINK,
		KIPC_IOC_NR_QUEUE_BIND, KIPC_IOC_NR_REGION_INFO,
	};
	static const unsigned char region[] = {
		KIPC_IOC_NR_REGION_INFO, KIPC_IOC_NR_REGION_INFO,
		KIPC_IOC_NR_REGION_UNLINK, KIPC_IOC_NR_REGION_BIND,
		KIPC_IOC_NR_QUEUE_SEND, KIPC_IOC_NR_QUEUE_PEER,
	};

	static const unsigned char ring[] = {
		KIPC_IOC_NR_RING_WAIT, KIPC_IOC_NR_RING_WAIT,
		KIPC_IOC_NR_RING_WAKE, KIPC_IOC_NR_RING_WAKE,
		KIPC_IOC_NR_RING_INFO, KIPC_IOC_NR_RING_PRODUCER,
		KIPC_IOC_NR_RING_UNLINK, KIPC_IOC_NR_RING_BIND,
		KIPC_IOC_NR_QUEUE_SEND, KIPC_IOC_NR_REGION_INFO,
	};

	if (kind == 1)
		return queue[below(f, sizeof(queue))];
	if (kind == 2)
		return region[below(f, sizeof(region))];
	if (kind == 3)
		return ring[below(f, sizeof(ring))];
	return unbound[below(f, sizeof(unbound))];
}

static void do_ioctl(struct fz *f)
{
	uint8_t buf[512];
	unsigned int nr;
	unsigned long cmd;
	uint64_t arg;
	size_t size;
	int s = -1, fd;
	long ret;

	f->clean = chance(f, 65);
	if (f->clean) {
		/* A sane call on a handle, for what it is bound to. */
		s = (int)below(f, NSLOTS);
		if (f->fds[s] < 0)
			open_slot(f, s);
		fd = f->fds[s];
		nr = pick_nr(f, f->kind[s]);
		cmd = _IO(KIPC_IOC_MAGIC, nr);
	} else {
		cmd = pick_cmd(f, &nr);
		fd = pick_fd(f, 0);
	}
	size = build_arg(f, nr, buf);
	arg = place(f, ARG_OFF, buf, size);
	ret = kt_ret(ioctl(fd, cmd, (void *)(uintptr_t)arg));
	f->clean = 0;
	count(f, ret);
	if (ret == 0 && (cmd == KIPC_IOC_QUEUE_BIND || cmd == KIPC_IOC_REGION_BIND ||
			 cmd == KIPC_IOC_RING_BIND)) {
		f->res->objects++;
		if (s >= 0)
			f->kind[s] = cmd == KIPC_IOC_QUEUE_BIND ? 1 :
				     cmd == KIPC_IOC_REGION_BIND ? 2 : 3;
	}
	/* A new handle from KIPC_IOC_QUEUE_PEER. */
	if (cmd == KIPC_IOC_QUEUE_PEER && ret >= 0)
		set_slot(f, (int)ret, 1);
}

static void do_rw(struct fz *f, int writing)
{
	uint32_t len = chance(f, 85) ? below(f, 700) : pick_u32(f, 70000);
	uint64_t buf = place(f, DATA_OFF, NULL, len);
	int fd = pick_fd(f, 1);
	ssize_t n;

	if (writing)
		n = write(fd, (void *)(uintptr_t)buf, len);
	else
		n = read(fd, (void *)(uintptr_t)buf, len);
	count(f, n < 0 ? -errno : 0);
}

static void do_poll(struct fz *f)
{
	struct pollfd pfd[NSLOTS];
	int i, n = 1 + (int)below(f, NSLOTS);

	for (i = 0; i < n; i++) {
		pfd[i].fd = f->fds[below(f, NSLOTS)];
		pfd[i].events = (short)below(f, 0x400);
		pfd[i].revents = 0;
	}
	count(f, kt_ret(poll(pfd, n, 0)));
}

static void do_fcntl(struct fz *f)
{
	int fd = pick_fd(f, 1);
	long ret;

	switch (below(f, 3)) {
	case 0:
		ret = fcntl(fd, F_SETFL, O_NONBLOCK | (chance(f, 50) ? O_ASYNC : 0));
		break;
	case 1:
		ret = fcntl(fd, F_SETOWN, getpid());
		break;
	default:
		ret = fcntl(fd, F_SETSIG, pick_signo(f));
		break;
	}
	count(f, ret < 0 ? -errno : 0);
}

static void unmap_one(struct fz *f, int i)
{
	if (f->maps[i].addr) {
		munmap(f->maps[i].addr, f->maps[i].len);
		f->maps[i].addr = NULL;
	}
}

static void do_mmap(struct fz *f)
{
	static const int prots[] = {
		PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
		PROT_WRITE, PROT_NONE, PROT_READ | PROT_EXEC,
	};
	int prot = prots[below(f, ARRAY_SIZE(prots))];
	size_t len = chance(f, 85) ? (1 + below(f, 8)) * f->pg :
		     pick_u32(f, 16 * (uint32_t)f->pg);
	off_t off = chance(f, 85) ? (off_t)(below(f, 4) * f->pg) :
		    (off_t)pick_u32(f, 1 << 20);
	int fd = pick_fd(f, chance(f, 50) ? 2 : 3), i;
	volatile uint8_t *p;
	size_t j;

	p = mmap(NULL, len, prot, chance(f, 90) ? MAP_SHARED : MAP_PRIVATE, fd, off);
	count(f, p == MAP_FAILED ? -errno : 0);
	if (p == MAP_FAILED)
		return;
	f->res->mapped++;
	/* Touch it as allowed; a fault is counted, not fatal. */
	touching = 1;
	if (sigsetjmp(touch_jb, 1) == 0) {
		for (j = 0; j < len; j += f->pg) {
			if (prot & PROT_READ)
				(void)p[j];
			if (prot & PROT_WRITE)
				p[j] = (uint8_t)j;
		}
	} else {
		f->res->faults++;
	}
	touching = 0;
	if (chance(f, 20))
		count(f, kt_ret(mprotect((void *)p, len, PROT_READ | PROT_WRITE)));
	i = (int)below(f, NMAPS);
	unmap_one(f, i);
	if (chance(f, 50)) {
		munmap((void *)p, len);
	} else {
		f->maps[i].addr = (void *)p;
		f->maps[i].len = len;
	}
}

/* ---- netlink ---- */

static void do_netlink(struct fz *f)
{
	static struct hd_nlmsg m;
	static char buf[65536];
	uint32_t nattrs = below(f, 5), i, r;
	int cmd, flags = 0, got, err = 0;

	if (f->nl < 0 || chance(f, 2)) {
		if (f->nl >= 0)
			close(f->nl);
		f->nl = hd_nl_socket(100);
		if (f->nl < 0) {
			count(f, f->nl);
			return;
		}
	}
	f->res->netlink++;
	r = below(f, 100);
	cmd = r < 80 ? 1 + (int)below(f, KIPC_CMD_MONITOR) :
	      r < 95 ? (int)below(f, 20) : (int)below(f, 256);
	if (chance(f, 50))
		flags |= NLM_F_ACK;
	if (chance(f, cmd == KIPC_CMD_QUEUE_GET || cmd == KIPC_CMD_REGION_GET ? 60 : 10))
		flags |= NLM_F_DUMP;
	if (chance(f, 3))
		flags |= (int)below(f, 0x1000);
	hd_nlmsg_init(&m, chance(f, 97) ? f->family : (int)below(f, 64), cmd,
		      flags, (uint32_t)rnd(f));
	if (chance(f, 5))
		((struct genlmsghdr *)(m.buf + NLMSG_HDRLEN))->version = (uint8_t)rnd(f);
	if (chance(f, 3))
		((struct genlmsghdr *)(m.buf + NLMSG_HDRLEN))->reserved = (uint16_t)rnd(f);
	for (i = 0; i < nattrs; i++) {
		uint16_t type = chance(f, 85) ? (uint16_t)below(f, 20) : (uint16_t)rnd(f);
		uint8_t val[300];
		uint32_t v32;

		r = below(f, 100);
		if (r < 40) {
			const char *name = f->pool[below(f, NPOOL)];

			hd_nla_put(&m, type, name, chance(f, 85) ? strlen(name) + 1 :
				   below(f, (uint32_t)strlen(name) + 8));
		} else if (r < 70) {
			v32 = chance(f, 50) ? below(f, 01000) : chance(f, 50) ?
			      (chance(f, 50) ? 0 : 1000) : (uint32_t)rnd(f);
			hd_nla_put(&m, type, &v32, chance(f, 90) ? 4 : below(f, 9));
		} else {
			uint32_t len = below(f, sizeof(val)), j;

			for (j = 0; j < len; j++)
				val[j] = (uint8_t)rnd(f);
			hd_nla_put(&m, type, val, len);
		}
	}
	if (chance(f, 3))
		m.nh.nlmsg_len = (uint32_t)m.len + (chance(f, 50) ? 0 : 16) -
				 below(f, 24);
	r = hd_nl_send(f->nl, &m);
	if (r) {
		count(f, (int)r);
		return;
	}
	/* Whatever comes back, without waiting: dumps go on as we read. */
	for (i = 0; i < 64; i++) {
		struct nlmsghdr *nh;
		ssize_t n = recv(f->nl, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0) {
			if (errno != EAGAIN && !err)
				err = -errno;
			break;
		}
		got = (int)n;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, got);
		     nh = NLMSG_NEXT(nh, got))
			if (nh->nlmsg_type == NLMSG_ERROR && !err)
				err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
	}
	count(f, err);
}

/* ---- one process ---- */

static int fuzz_proc(int id, uint64_t seed, uint64_t calls, int family,
		     char pool[NPOOL][NAME_BUF], struct fz_result *res)
{
	struct fz f;
	uint64_t c;
	uint8_t *g;
	int i;

	memset(&f, 0, sizeof(f));
	f.r.s = seed + (uint64_t)id * 0x9e3779b97f4a7c15ull;
	f.res = res;
	f.family = family;
	f.nl = -1;
	f.pg = hd_page();
	f.pool = pool;
	for (i = 0; i < NSLOTS; i++)
		f.fds[i] = -1;

	/* Nothing the kernel sends may stop or end us; our faults are caught. */
	for (i = 1; i < 65; i++)
		if (i != SIGKILL && i != SIGSTOP && i != SIGALRM && i != SIGSEGV &&
		    i != SIGBUS)
			signal(i, SIG_IGN);
	if (kt_signal(SIGSEGV, on_fault, SA_NODEFER) ||
	    kt_signal(SIGBUS, on_fault, SA_NODEFER))
		return 2;
	alarm(HANG_SECS);

	f.arena = mmap(NULL, ARENA, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f.ro = mmap(NULL, f.pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	g = mmap(NULL, 2 * f.pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f.unmapped = mmap(NULL, f.pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f.arena == MAP_FAILED || f.ro == MAP_FAILED || g == MAP_FAILED ||
	    f.unmapped == MAP_FAILED)
		return 3;
	if (mprotect(g + f.pg, f.pg, PROT_NONE) || munmap(f.unmapped, f.pg))
		return 4;
	f.edge = g + f.pg - 1;

	for (c = 0; c < calls; c++) {
		uint32_t r = below(&f, 100);

		if (c % HANG_EVERY == 0)
			alarm(HANG_SECS);
		if (r < 40)
			do_ioctl(&f);
		else if (r < 48)
			do_open(&f);
		else if (r < 52)
			do_close(&f);
		else if (r < 58)
			do_rw(&f, 0);
		else if (r < 64)
			do_rw(&f, 1);
		else if (r < 67)
			do_poll(&f);
		else if (r < 74)
			do_mmap(&f);
		else if (r < 76)
			do_fcntl(&f);
		else if (r < 79)
			do_dup(&f);
		else
			do_netlink(&f);
	}

	for (i = 0; i < NSLOTS; i++)
		if (f.fds[i] >= 0)
			close(f.fds[i]);
	for (i = 0; i < NMAPS; i++)
		unmap_one(&f, i);
	if (f.nl >= 0)
		close(f.nl);
	alarm(0);
	return 0;
}

/* ---- the test ---- */

/* Where a process sleeps in the kernel, for the report of a hang. */
static void log_wchan(struct __test_metadata *_metadata, int i, pid_t pid)
{
	char path[64], buf[128] = "?";
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/wchan", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);

		buf[n > 0 ? n : 0] = 0;
		close(fd);
	}
	TH_LOG("process %d (pid %d) made no progress for %d s; it waits in %s",
	       i, pid, 2 * HANG_SECS, buf);
}

/*
 * Waits for the processes, and judges how each ended. A process that its
 * alarm cannot end (asleep in the kernel for good) is reported once it
 * has made no progress for twice the alarm's time. Returns the failures.
 */
static int watch(struct __test_metadata *_metadata, pid_t *pids,
		 struct fz_result *res)
{
	uint64_t last[NPROC] = { 0 };
	int64_t since[NPROC];
	int done[NPROC] = { 0 }, left = NPROC, failed = 0, i, status;

	for (i = 0; i < NPROC; i++)
		since[i] = kt_mono_ns();
	while (left) {
		for (i = 0; i < NPROC; i++) {
			pid_t r;

			if (done[i])
				continue;
			r = waitpid(pids[i], &status, WNOHANG);
			if (r == 0) {
				uint64_t c = __atomic_load_n(&res[i].calls, __ATOMIC_RELAXED);

				if (c != last[i]) {
					last[i] = c;
					since[i] = kt_mono_ns();
				} else if (kt_mono_ns() - since[i] >
					   2ll * HANG_SECS * 1000000000ll) {
					log_wchan(_metadata, i, pids[i]);
					kill(pids[i], SIGKILL);
					done[i] = 1;
					left--;
					failed++;
				}
				continue;
			}
			done[i] = 1;
			left--;
			if (r < 0) {
				failed++;
				continue;
			}
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
				continue;
			failed++;
			if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
				TH_LOG("process %d hung: no %d calls in %d s, after %llu calls",
				       i, HANG_EVERY, HANG_SECS,
				       (unsigned long long)res[i].calls);
			else if (WIFSIGNALED(status))
				TH_LOG("process %d died of signal %d after %llu calls", i,
				       WTERMSIG(status), (unsigned long long)res[i].calls);
			else
				TH_LOG("process %d exited with %d after %llu calls", i,
				       WEXITSTATUS(status), (unsigned long long)res[i].calls);
		}
		if (left)
			kt_sleep_ms(100);
	}
	return failed;
}

FIXTURE(fuzz) {
	int unused;
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

TEST_F_TIMEOUT(fuzz, random_calls, 7200)
{
	long total = hd_env_long("KIPC_FUZZ_CALLS", 20000, 1, 1000000000);
	uint64_t seed = hd_seed("KIPC_FUZZ_SEED");
	char (*pool)[NAME_BUF] = hd_shared(sizeof(char[NPOOL][NAME_BUF]));
	struct fz_result *res = hd_shared(sizeof(*res) * NPROC), sum;
	int *private_ns = hd_shared(sizeof(int));
	struct hd_stats base, now;
	int family = hd_nl_family(), i, e, failed;
	pid_t pids[NPROC], leader;
	char hist[1024];
	int ret;
	size_t hl = 0;
	int64_t t0;

	ASSERT_NE(NULL, pool);
	ASSERT_NE(NULL, res);
	ASSERT_NE(NULL, private_ns);
	*private_ns = 1;
	ASSERT_LE(0, family) TH_LOG("no kipc netlink family");
	ASSERT_EQ(0, hd_stats_get(&base));
	TH_LOG("KIPC_FUZZ_CALLS=%ld over %d processes; KIPC_FUZZ_SEED=%llu",
	       total, NPROC, (unsigned long long)seed);
	make_pool(pool);

	/*
	 * A leader enters the namespace and runs the processes in it; once
	 * it and they are gone, the namespace is, and the registry's reaper
	 * drops its names within a few seconds.
	 */
	t0 = kt_mono_ns();
	leader = fork();
	ASSERT_LE(0, leader);
	if (leader == 0) {
		ret = kt_enter_ipc_ns();
		if (ret) {
			fprintf(stderr, "# no IPC namespace of its own (%s): the fuzz runs in the caller's\n",
				strerror(-ret));
			*private_ns = 0;
		}
		for (i = 0; i < NPROC; i++) {
			uint64_t calls = total / NPROC + (i < total % NPROC);

			pids[i] = fork();
			if (pids[i] < 0)
				_exit(2);
			if (pids[i] == 0)
				_exit(fuzz_proc(i, seed, calls, family, pool, &res[i]));
		}
		failed = watch(_metadata, pids, res);
		/* Without a namespace of its own, the pool's names at least go. */
		if (!*private_ns)
			unlink_pool(pool);
		_exit(failed ? 1 : 0);
	}
	EXPECT_EQ(0, kt_wait_child(leader));

	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < NPROC; i++) {
		sum.calls += res[i].calls;
		sum.ok += res[i].ok;
		sum.faults += res[i].faults;
		sum.objects += res[i].objects;
		sum.mapped += res[i].mapped;
		sum.netlink += res[i].netlink;
		for (e = 0; e <= MAX_ERRNO; e++)
			sum.err[e] += res[i].err[e];
	}
	TH_LOG("%llu calls in %.1f s: %llu succeeded; %llu binds made or found an object, %llu mappings (%llu touches faulted), %llu netlink messages",
	       (unsigned long long)sum.calls, (kt_mono_ns() - t0) / 1e9,
	       (unsigned long long)sum.ok, (unsigned long long)sum.objects,
	       (unsigned long long)sum.mapped, (unsigned long long)sum.faults,
	       (unsigned long long)sum.netlink);
	for (e = 1; e <= MAX_ERRNO; e++) {
		const char *name = e < MAX_ERRNO ? strerrorname_np(e) : "other";

		if (!sum.err[e])
			continue;
		hl += snprintf(hist + hl, sizeof(hist) - hl, " %s:%llu",
			       name ? name : "?", (unsigned long long)sum.err[e]);
		if (hl >= sizeof(hist) - 1)
			break;
	}
	TH_LOG("errors:%s", hist);

	/* The reaper looks every 5 s; allow it three rounds. */
	ret = hd_stats_wait_base(&base, 15000, &now);
	if (!ret) {
		TH_LOG("the module is back at its baseline: %u queues, %u regions",
		       now.queues, now.regions);
	} else if (*private_ns) {
		EXPECT_LE(0, ret) TH_LOG("%u queues and %u regions remain after their namespace, baseline %u and %u",
					 now.queues, now.regions, base.queues,
					 base.regions);
	} else {
		TH_LOG("NOTE: %u queues and %u regions remain, baseline %u and %u: names the pool does not hold",
		       now.queues, now.regions, base.queues, base.regions);
	}
	munmap(pool, sizeof(char[NPOOL][NAME_BUF]));
	munmap(res, sizeof(*res) * NPROC);
	munmap(private_ns, sizeof(int));
}

TEST_HARNESS_MAIN
