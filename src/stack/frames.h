/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stack canonicalization (spec §6): Tetragon StackTraceEntry lists become
 * rti_frame values whose identity does not depend on ASLR, the container
 * or the machine. User frames get their code_id and symbol from the
 * symbolizer (include/rti/symbolize.h); Tetragon's symbol is used only
 * when ours fails (resolved_by "agent"). Kernel frames keep Tetragon's
 * symbol; address-only kernel frames resolve through kallsyms. Raw
 * addresses are never emitted. Identities and frame_ids come from
 * rti/frame.h; those of path code_ids and kernel frames are memoized
 * (stack/frame_id.h).
 */
#ifndef RTI_FRAMES_H
#define RTI_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "rti/canon.h"
#include "rti/symbolize.h"
#include "util/arena.h"

struct rti_stack_stats {
	uint64_t kernel_frames;
	uint64_t user_frames;
	uint64_t resolved_agent;
	uint64_t unresolved;
	uint64_t module_withheld;
	uint64_t cache_hits, cache_misses; /* frame_id cache of path code_ids */
	struct rti_symbolize_stats sym;    /* by source and reason; caches */
};

struct rti_stack;

/*
 * so NULL: symbolization on with defaults. memo_bytes: the byte cap of the
 * whole-stack memo (stack/stack_memo.h), 0 its default, (size_t)-1 off.
 * NULL with errno.
 */
struct rti_stack *rti_stack_new(unsigned cache_slots, const struct rti_symbolizer_opts *so,
				size_t memo_bytes);
void rti_stack_free(struct rti_stack *s);
const struct rti_stack_stats *rti_stack_stats(struct rti_stack *s);

/* The strings of a frame that privacy decides on. */
enum rti_frame_part {
	RTI_FRAME_USER_MODULE,   /* a user frame's module path: its rule, then secrets */
	RTI_FRAME_KERNEL_MODULE, /* "[kernel]" or a kallsyms module name: secrets only */
	RTI_FRAME_SYMBOL,        /* a resolved or agent symbol: secrets only */
};

/*
 * The stack stage's narrow view of privacy (the adapter implements it with
 * the privacy filter): *out is s, a copy in the event arena with secrets
 * masked, or NULL when withheld (user modules only). 0 or -errno:
 * -ENOBUFS when the arena is full, -EIO when hashing failed.
 */
#define RTI_FRAME_FILTER_COUNTERS 8

struct rti_frame_filter {
	int (*filter)(void *ctx, enum rti_frame_part part, const char *s, const char **out);
	void *ctx;
	/*
	 * What the filter accumulates, so that the whole-stack memo can replay
	 * it on a hit: marks (OR-ed bits), counters (RTI_FRAME_FILTER_COUNTERS,
	 * or NULL), and the generation of its decisions (a new profile: a new
	 * generation). marks NULL: no memo for this filter.
	 */
	uint64_t *marks;
	uint64_t *counters;
	uint64_t generation;
};

/* Builds cn->frames (kernel frames, then user frames) in arena, each
 * string through ff. 0, or -errno: -ENOBUFS when the arena is full, or
 * the filter's error. A repeated raw stack of the same module identities
 * and filter generation comes from the whole-stack memo: cn->frames,
 * cn->stack_json and cn->stack_digest then point into the memo, valid
 * until the next call on s (they are read-only). */
int rti_stack_canonicalize(struct rti_stack *s, const struct rti_frame_filter *ff,
			   const struct rti_event *ev, struct rti_arena *a,
			   struct rti_canon *cn);

/* Memoized stacks carry their digest (cn->stack_digest) when on. */
void rti_stack_want_digest(struct rti_stack *s, bool on);
/* Memoized stacks carry their frames' JSON (cn->stack_json) unless off:
 * nobody reads it when no sink takes the canonical line. Default on. */
void rti_stack_want_json(struct rti_stack *s, bool on);
/* Forgets every memoized stack (the privacy profile was swapped). */
void rti_stack_forget(struct rti_stack *s);

/* A process_loader event: remembers its build id for (process, path). */
void rti_stack_loader(struct rti_stack *s, const struct rti_event *ev);

/*
 * code_id of the module of a uprobe/usdt (ev->path), as for frames:
 * build id or file digest, else "path:<filtered>" when the privacy-filtered
 * path is not NULL, else NULL. In arena; NULL with errno ENOBUFS when full.
 */
const char *rti_stack_module_code_id(struct rti_stack *s, const struct rti_event *ev,
				     const char *filtered, struct rti_arena *a);

#endif
