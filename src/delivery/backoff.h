/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Retry delays of a delivery sender: full-jitter exponential backoff
 * (AWS' "full jitter": a uniform delay in [0, min(max, initial * 2^n)]),
 * and a receiver's Retry-After, which is never undercut: the delay is the
 * larger of the two. A Retry-After beyond RTI_RETRY_AFTER_MAX_MS is
 * capped there (a wrong header must not park a node's evidence for days).
 */
#ifndef RTI_DELIVERY_BACKOFF_H
#define RTI_DELIVERY_BACKOFF_H

#include <stdint.h>

#define RTI_RETRY_AFTER_MAX_MS (3600u * 1000u)

struct rti_backoff {
	uint64_t initial_ms, max_ms;
	unsigned attempt;   /* failures in a row */
	uint64_t rng;       /* xorshift64 state, never 0 */
};

void rti_backoff_init(struct rti_backoff *b, uint64_t initial_ms, uint64_t max_ms, uint64_t seed);
/* The delay before the next attempt after a failure; retry_after_ms < 0:
 * none given. Counts the failure. */
uint64_t rti_backoff_next(struct rti_backoff *b, int64_t retry_after_ms);
/* A success: the next failure starts from initial again. */
void rti_backoff_reset(struct rti_backoff *b);

#endif
