/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stack canonicalization (spec §6): Tetragon StackTraceEntry lists become
 * rti_frame values whose identity does not depend on ASLR or the machine.
 * Raw addresses are never used. frame_id values are memoized in a bounded
 * direct-mapped cache: a pure function of (code_id, offset), so the cache
 * changes speed, never output.
 */
#ifndef RTI_FRAMES_H
#define RTI_FRAMES_H

#include <stdint.h>

#include "privacy/privacy.h"
#include "rti/canon.h"
#include "util/arena.h"

struct rti_stack_stats {
	uint64_t kernel_frames;
	uint64_t user_frames;
	uint64_t resolved_agent;
	uint64_t unresolved;
	uint64_t module_withheld;
	uint64_t cache_hits, cache_misses;
};

struct rti_stack;

struct rti_stack *rti_stack_new(unsigned cache_slots);
void rti_stack_free(struct rti_stack *s);
const struct rti_stack_stats *rti_stack_stats(const struct rti_stack *s);

/* Builds cn->frames (kernel frames, then user frames) in arena. */
int rti_stack_canonicalize(struct rti_stack *s, const struct rti_privacy *p,
			   const struct rti_event *ev, struct rti_arena *a,
			   struct rti_canon *cn);

/* frame_id of spec §6 for an identity string ("code_id@0x..", "kernel!sym+0x.."). */
void rti_frame_id(const char *ident, size_t n, char out[RTI_FRAME_ID_LEN + 1]);

#endif
