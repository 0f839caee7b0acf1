/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The events sink (spec agent.md §5 "events sink"): a pipeline sink that
 * appends every canonical line to the events spool on the writer thread.
 * It never waits on HTTP: the sender reads the spool on its own thread.
 * A line the spool cannot take is counted there by reason (spool_full,
 * disk_full, too_large, error) and is not a sink error: the event file and
 * the hot index still get it.
 */
#include "delivery/events_sink.h"

static int ev_event(void *ctx, const struct rti_event *ev, const struct rti_canon *cn,
		    const char *line, size_t len)
{
	(void)ev;
	(void)cn;
	rti_spool_append(ctx, line, len);
	return 0;
}

static int ev_flush(void *ctx)
{
	(void)ctx; /* appends go straight to the file; durability is the spool's fsync policy */
	return 0;
}

static void ev_destroy(void *ctx)
{
	(void)ctx; /* the delivery object closes the spool */
}

static const struct rti_sink_ops events_sink_ops = {
	.name = "events",
	.event = ev_event,
	.flush = ev_flush,
	.destroy = ev_destroy,
};

void rti_events_sink(struct rti_spool *s, const struct rti_sink_ops **ops, void **ctx)
{
	*ops = &events_sink_ops;
	*ctx = s;
}
