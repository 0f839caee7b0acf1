/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Delivery to Stella Ops and NDJSON collectors (spec agent.md §5,
 * docs/delivery.md): the object the agent owns. It opens the spool of the
 * events sink, gives the pipeline a sink that appends to it, runs one
 * sender thread per sink, renders the delivery metrics and drains on stop.
 *
 *   struct rti_delivery_opts o = RTI_OPTS_INIT(rti_delivery_opts, .spool_dir = ..., ...);
 *   d = rti_delivery_open(&o, err, sizeof(err));
 *   rti_delivery_events_sink(d, &ops, &ctx);  rti_pipeline_add_sink(p, ops, ctx);
 *   rti_delivery_add_source(d, signals_ops, signals_ctx, signals_url);   (optional)
 *   rti_delivery_start(d);
 *   ... events ...
 *   (the pipeline freed: no more appends)  rti_delivery_stop(d);  rti_delivery_free(d);
 */
#ifndef RTI_DELIVERY_H
#define RTI_DELIVERY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "delivery/source.h"
#include "delivery/spool.h"
#include "rti/opts.h"
#include "rti/sink.h"

/* On shutdown, undelivered batches are tried for at most this long, then
 * kept in the spool for the next start. */
#define RTI_DELIVERY_DRAIN_MS 5000u
#define RTI_DELIVERY_MAX_SINKS 4

struct rti_delivery_opts {
	size_t sz;
	const char *spool_dir;
	uint64_t spool_max_bytes;
	bool block_when_full;
	bool fsync_every_batch;
	const char *events_url;          /* NULL: no events sink */
	uint64_t batch_max_bytes, batch_timeout_ms;
	const char *token_file, *tenant, *ca_file, *cert_file, *key_file;
	uint64_t timeout_ms, backoff_initial_ms, backoff_max_ms;
	uint64_t drain_ms;               /* 0: RTI_DELIVERY_DRAIN_MS */
	rti_dlog_fn log;
	void *log_ctx;
};

struct rti_delivery_stats {
	uint64_t acked_records, acked_batches, dead_batches, retries;
	uint64_t dropped_spool_full, dropped_disk_full, dropped_too_large, dropped_error;
	uint64_t spool_bytes, corrupt_segments, missing_segments;
};

struct rti_delivery;

/* NULL with errno (EINVAL, ENOMEM) and err. The spool never fails to
 * open because of its content (spool.h). */
struct rti_delivery *rti_delivery_open(const struct rti_delivery_opts *o, char *err, size_t errlen);
/* The events sink for the pipeline (destroy does not close the spool):
 * every canonical line is appended to the spool. -ENOENT: no events sink. */
int rti_delivery_events_sink(struct rti_delivery *d, const struct rti_sink_ops **ops, void **ctx);
/* Another sink's source (the signals store): its own sender thread, POSTs
 * to url + batch->path with the shared http settings. The delivery object
 * takes ops/ctx (destroy is called by rti_delivery_free). Before start. */
int rti_delivery_add_source(struct rti_delivery *d, const struct rti_batch_source_ops *ops,
			    void *ctx, const char *url);
int rti_delivery_start(struct rti_delivery *d);
/* Reload: http settings, backoff, events url and batch limits (the spool
 * itself is never reopened). */
int rti_delivery_reconfigure(struct rti_delivery *d, const struct rti_delivery_opts *o);
/* A writer waiting for spool space (when_full: block) drops instead.
 * Any thread; async-signal-safe (an atomic store). */
void rti_delivery_unblock(struct rti_delivery *d);
/* Drains for at most drain_ms, then stops the senders. */
void rti_delivery_stop(struct rti_delivery *d);
void rti_delivery_free(struct rti_delivery *d);

/* Any thread (metrics, readiness). */
void rti_delivery_metrics(struct rti_delivery *d, FILE *f);
void rti_delivery_get_stats(struct rti_delivery *d, struct rti_delivery_stats *st);
/* false with why: the spool cannot take events now. */
bool rti_delivery_spool_ok(struct rti_delivery *d, char *why, size_t wlen);
/* A writer waits for spool space (when_full: block): the event loop is alive. */
bool rti_delivery_blocked(struct rti_delivery *d);

#endif
