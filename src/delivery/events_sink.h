/* SPDX-License-Identifier: Apache-2.0 */
/* The events sink: the pipeline's canonical lines into the events spool. */
#ifndef RTI_DELIVERY_EVENTS_SINK_H
#define RTI_DELIVERY_EVENTS_SINK_H

#include "delivery/spool.h"
#include "rti/sink.h"

void rti_events_sink(struct rti_spool *s, const struct rti_sink_ops **ops, void **ctx);

#endif
