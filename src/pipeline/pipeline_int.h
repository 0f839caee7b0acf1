/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pipeline's internals for code inside stella-rti that decodes events
 * itself (the live gRPC reader): not part of the public API, whose users
 * never see struct rti_arena.
 */
#ifndef RTI_PIPELINE_INT_H
#define RTI_PIPELINE_INT_H

#include "rti/pipeline.h"
#include "util/arena.h"

/* Arena for decoders feeding rti_pipeline_feed_event (reset per event). */
struct rti_arena *rti_pipeline_arena(struct rti_pipeline *p);

#endif
