/* SPDX-License-Identifier: Apache-2.0 */
/* Full-jitter exponential backoff with Retry-After (backoff.h). */
#include "delivery/backoff.h"

void rti_backoff_init(struct rti_backoff *b, uint64_t initial_ms, uint64_t max_ms, uint64_t seed)
{
	b->initial_ms = initial_ms ? initial_ms : 1;
	b->max_ms = max_ms < b->initial_ms ? b->initial_ms : max_ms;
	b->attempt = 0;
	b->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

static uint64_t next_rand(struct rti_backoff *b)
{
	uint64_t x = b->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	b->rng = x;
	return x;
}

uint64_t rti_backoff_next(struct rti_backoff *b, int64_t retry_after_ms)
{
	uint64_t cap = b->initial_ms;
	uint64_t d;

	for (unsigned i = 0; i < b->attempt && cap < b->max_ms; i++)
		cap *= 2;
	if (cap > b->max_ms)
		cap = b->max_ms;
	if (b->attempt < 64)
		b->attempt++;
	d = next_rand(b) % (cap + 1);
	if (retry_after_ms >= 0) {
		uint64_t ra = (uint64_t)retry_after_ms;

		if (ra > RTI_RETRY_AFTER_MAX_MS)
			ra = RTI_RETRY_AFTER_MAX_MS;
		if (d < ra)
			d = ra;
	}
	return d;
}

void rti_backoff_reset(struct rti_backoff *b)
{
	b->attempt = 0;
}
