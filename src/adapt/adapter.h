/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The adapter: one decoded event (the event view, rti/event.h) in, the
 * privacy-filtered view and its canonical record (struct rti_canon) out.
 * Everything the record says is decided here, in this order: the event's
 * time, the probe type (TracingPolicies), the privacy filter, the code_id
 * of a uprobe/usdt module, the image digest, the canonical stack. The
 * pipeline then writes the line from the two and feeds the sinks;
 * replacing Tetragon means a new decoder, not a new adapter.
 *
 * Ownership (init/release): the adapter owns its policies and the cache of
 * strings secret detection found clean; it borrows the profile, the stack
 * stage and the counters, which must outlive it. One adapter is used by
 * one thread at a time.
 */
#ifndef RTI_ADAPTER_H
#define RTI_ADAPTER_H

#include <stddef.h>

#include "privacy/filter.h"
#include "rti/canon.h"
#include "rti/event.h"
#include "rti/pipeline.h" /* struct rti_stats */
#include "stack/frames.h"
#include "tetragon/policy.h"
#include "util/arena.h"

struct rti_adapter {
	struct rti_policy_set policies;
	struct rti_privacy_run privacy; /* profile, clean cache, st->secrets */
	struct rti_frame_filter frame_filter; /* the stack stage's view of privacy */
	struct rti_stack *stack;        /* borrowed */
	struct rti_stats *st;           /* borrowed: time_fallback, by_policy, secrets */
	/* aggregate only (every sink RTI_SINK_INDEX_FIELDS, none needs the
	 * line): *filtered gets only the index fields, each through privacy */
	bool index_only;
};

/* 0 or -ENOMEM. */
int rti_adapter_init(struct rti_adapter *ad, const struct rti_privacy *profile,
		     struct rti_stack *stack, struct rti_stats *st);
void rti_adapter_release(struct rti_adapter *ad);

/* TracingPolicy YAML file or directory. 0, or -errno with err filled. */
int rti_adapter_load_policy(struct rti_adapter *ad, const char *path, char *err,
			    size_t errlen);

/*
 * Fills *filtered (what privacy lets through: all later stages read only
 * it) and *cn from in, allocating in a (the arena in was decoded into).
 * 0, or -errno with *why the diagnostic: -EINVAL for an event without a
 * time (only exec and exit have a fallback), -ENOBUFS when the arena is
 * full, -EIO when privacy's HMAC failed.
 */
int rti_adapt_event(struct rti_adapter *ad, const struct rti_event *in, struct rti_arena *a,
		    struct rti_event *filtered, struct rti_canon *cn, const char **why);

#endif
