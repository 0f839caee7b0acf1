/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pipeline's internals for code inside stella-rti that decodes events
 * itself (the live gRPC reader): not part of the public API, whose users
 * never see struct rti_arena.
 */
#ifndef RTI_PIPELINE_INT_H
#define RTI_PIPELINE_INT_H

#include "rti/pipeline.h"
#include "tetragon/policy.h"
#include "util/arena.h"

/* Arena for decoders feeding rti_pipeline_feed_event (reset per event). */
struct rti_arena *rti_pipeline_arena(struct rti_pipeline *p);

/*
 * Reload (the agent): swaps the privacy profile (borrowed, as in
 * rti_pipeline_opts.profile) and the TracingPolicy set with the caller's,
 * who gets the old ones back. Called between two events on the thread
 * that feeds the pipeline; one-thread mode only. The caches stay: they
 * depend on neither (secret detection and frame identity are the same in
 * every profile).
 */
void rti_pipeline_swap_config(struct rti_pipeline *p, const struct rti_privacy **profile,
			      struct rti_policy_set *ps);

#endif
