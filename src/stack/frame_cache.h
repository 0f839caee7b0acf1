/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The symbolizer's frame cache: (object serial, file offset) -> the
 * symbol-table lookup and the frame_id, in 4-way sets, most recent first.
 * The keys of a set share one cache line, the answers follow. Names point
 * into the object's table: an answer is valid while its serial names a
 * live object (serials are never reused, stack/objcache.h).
 */
#ifndef RTI_STACK_FRAME_CACHE_H
#define RTI_STACK_FRAME_CACHE_H

#include <stdint.h>

#include "rti/canon.h"
#include "stack/memo.h"
#include "stack/objcache.h"

struct rti_frame_answer {
	const char *symbol, *raw;
	uint64_t symbol_offset;
	int32_t row;   /* in the object's table; -1: no symbol */
	uint8_t why;   /* enum rti_unresolved, when no symbol */
	uint8_t by;    /* enum rti_resolved */
	char frame_id[RTI_FRAME_ID_LEN + 1]; /* "" for path code_ids */
};

#define RTI_FRAME_WAYS 4

struct rti_frame_set {
	uint64_t serial[RTI_FRAME_WAYS], offset[RTI_FRAME_WAYS];
	struct rti_frame_answer a[RTI_FRAME_WAYS];
};

struct rti_frame_cache {
	struct rti_frame_set *sets;
	size_t mask; /* sets - 1 */
	struct rti_cache_stats st;
};

/* About slots frames (0: 4096). 0 or -ENOMEM. */
int rti_frame_cache_init(struct rti_frame_cache *c, unsigned slots);
void rti_frame_cache_release(struct rti_frame_cache *c);

/* rti_frame_cache_get past way 0 of the set. */
const struct rti_frame_answer *rti_frame_cache_find(struct rti_frame_cache *c,
						    struct rti_frame_set *set,
						    const struct rti_obj *o, uint64_t offset);

/* The answer for offset in o, looked up on a miss. Valid until the next
 * call. Inline up to the most recent way: most frames stop there. */
static inline const struct rti_frame_answer *
rti_frame_cache_get(struct rti_frame_cache *c, const struct rti_obj *o, uint64_t offset)
{
	struct rti_frame_set *set = &c->sets[rti_memo_mix64(o->serial, offset) & c->mask];

	if (set->serial[0] == o->serial && set->offset[0] == offset) {
		c->st.hits++;
		return &set->a[0];
	}
	return rti_frame_cache_find(c, set, o, offset);
}

#endif
