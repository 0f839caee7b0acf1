/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The whole-stack memo: a bounded table from a raw stack's key (its
 * entries and the identity of every module they name, built by
 * stack/frames.c) to an immutable value (the canonical frames, their JSON,
 * the stack digest, what to count). A repeated stack costs one lookup.
 *
 * Bounded by entries (2-way sets, least recently used evicted) and by
 * bytes (keys and values): nothing grows with the input. A key is stored
 * whole and compared byte for byte on a hit: a hash collision can never
 * return another stack's frames. Admission on the second sighting: a
 * stack seen once is not copied (a small table of hash tags remembers
 * it), so a workload of distinct stacks pays a lookup, not a copy.
 *
 * Invariant: a value returned by find/put stays valid and unchanged until
 * the next put or clear on the memo.
 */
#ifndef RTI_STACK_STACK_MEMO_H
#define RTI_STACK_STACK_MEMO_H

#include <stddef.h>
#include <stdint.h>

#include "rti/symbolize.h" /* struct rti_cache_stats */

#define RTI_STACK_MEMO_SLOTS 4096       /* default entries */
#define RTI_STACK_MEMO_BYTES (8u << 20) /* default cap of keys + values */

struct rti_stack_memo;

/* slots rounded up to a power of two (at least 2). NULL with errno. */
struct rti_stack_memo *rti_stack_memo_new(unsigned slots, size_t max_bytes);
void rti_stack_memo_free(struct rti_stack_memo *m);
/* Forgets every entry (the mapping or the privacy profile changed). */
void rti_stack_memo_clear(struct rti_stack_memo *m);

/* The value stored under key (h its hash), NULL on a miss (counted). */
const void *rti_stack_memo_find(struct rti_stack_memo *m, uint64_t h, const void *key,
				size_t klen);
/* After a miss: true when this hash was seen before (store it now). */
int rti_stack_memo_admit(struct rti_stack_memo *m, uint64_t h);
/* Room for a value of vlen bytes under key (8-byte aligned), which the
 * caller fills before the next call; NULL when the entry would take more
 * than an eighth of the byte cap (not stored) or malloc failed. Makes room
 * by evicting (counted): the set's oldest way, then other sets' entries
 * until the byte cap holds. */
void *rti_stack_memo_put(struct rti_stack_memo *m, uint64_t h, const void *key, size_t klen,
			 size_t vlen);
/* Removes the entry put last (its value could not be completed). */
void rti_stack_memo_drop_last(struct rti_stack_memo *m);

/* hits, misses, evictions, entries (now), bytes (now) */
void rti_stack_memo_counts(const struct rti_stack_memo *m, struct rti_cache_stats *st);

#endif
