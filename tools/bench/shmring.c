// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc-bench: the layout of a single-producer, single-consumer ring in
 * shared memory, and how a receiver reads a message in place.
 */
#include <string.h>

#include "bench.h"

#define RING_HDR_BYTES	4096
#define LINE		64

static size_t ring_stride(size_t size)
{
	return (size + LINE - 1) & ~(size_t)(LINE - 1);
}

size_t bench_ring_bytes(size_t size, unsigned int depth)
{
	size_t bytes = RING_HDR_BYTES + depth * ring_stride(size);

	return (bytes + 4095) & ~(size_t)4095;
}

struct bench_ring *bench_ring_init(void *mem, size_t size, unsigned int depth)
{
	struct bench_ring *r = mem;

	_Static_assert(sizeof(struct bench_ring) <= RING_HDR_BYTES,
		       "ring header too large");
	memset(r, 0, sizeof(*r));
	r->depth = depth;
	r->stride = ring_stride(size);
	return r;
}

void *bench_ring_slot(struct bench_ring *r, uint32_t idx)
{
	return (char *)r + RING_HDR_BYTES + (size_t)(idx % r->depth) * r->stride;
}

/*
 * What a receiver does with a message in shared memory: it reads it in
 * place, one word per cache line, instead of copying it out. The header
 * goes to @hdr_out for the harness.
 */
void bench_consume(const void *slot, size_t size, void *hdr_out)
{
	const volatile uint64_t *w = slot;
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < size / sizeof(*w); i += LINE / sizeof(*w))
		sum += w[i];
	__asm__ volatile("" : : "r"(sum));
	memcpy(hdr_out, slot, sizeof(struct bench_hdr));
}
