/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct rti_event -> binary GetEventsResponse, for `stella-rti replay` of
 * Tetragon JSON files. The event view keeps what the canonical output
 * uses, so that is what survives: JSON -> replay -> run gives the same
 * canonical output as convert. Content the view only counts (pod labels
 * and annotations, node labels, environment variables, ancestors, tags,
 * probe data) is sent as that many empty entries; capabilities,
 * credentials and namespaces as empty messages; probe arguments keep their
 * type and the fields struct rti_arg holds. See docs/grpc.md.
 */
#ifndef RTI_GRPC_EVENT_ENCODE_H
#define RTI_GRPC_EVENT_ENCODE_H

#include "rti/buf.h"
#include "rti/event.h"
#include "util/arena.h"

/* Appends the message to out. 0, -ENOTSUP (RTI_KIND_UNKNOWN or NONE: no
 * field to carry it), -ENOBUFS/-ENOMEM. a is scratch space (reset by the
 * caller). */
int rti_event_encode_pb(const struct rti_event *ev, struct rti_arena *a,
			struct rti_buf *out);

#endif
