/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A delivery sender: one thread per sink that takes batches from its
 * source (source.h), POSTs them (http.h) and acknowledges, dead-letters or
 * retries them (backoff.h). It never blocks the event path: the source is
 * a local spool or store, and the thread sleeps on its own condition
 * variable between attempts. Stopping drains for a bounded time: what is
 * still undelivered then stays in the source for the next start.
 *
 * Counters are atomics, readable from any thread (metrics).
 */
#ifndef RTI_DELIVERY_SENDER_H
#define RTI_DELIVERY_SENDER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "delivery/http.h"
#include "delivery/source.h"
#include "delivery/spool.h"

#define RTI_SENDER_CODES 600  /* requests by status 100..599; index 0: transport errors */
#define RTI_SENDER_LAT_BUCKETS 13

extern const double rti_sender_lat_bounds[RTI_SENDER_LAT_BUCKETS];

struct rti_sender_stats {
	atomic_uint_fast64_t requests[RTI_SENDER_CODES];
	atomic_uint_fast64_t retries, dead_batches, acked_batches, acked_records, wire_bytes;
	atomic_uint_fast64_t lat_bucket[RTI_SENDER_LAT_BUCKETS], lat_count, lat_sum_us;
	atomic_uint_fast64_t source_errors;
};

struct rti_sender_opts {
	size_t sz;
	const struct rti_batch_source_ops *ops;
	void *ctx;
	const struct rti_http_cfg *http;    /* url: the sink's */
	uint64_t backoff_initial_ms, backoff_max_ms;
	void (*tick)(void *arg);            /* about every second (the spool's fsync) */
	void *tick_arg;
	rti_dlog_fn log;
	void *log_ctx;
};

struct rti_sender;

/* NULL with errno. The thread starts with rti_sender_start. */
struct rti_sender *rti_sender_new(const struct rti_sender_opts *o);
int rti_sender_start(struct rti_sender *s);
/* Reload: new request settings and backoff bounds. 0 or -ENOMEM. */
int rti_sender_configure(struct rti_sender *s, const struct rti_http_cfg *http,
			 uint64_t backoff_initial_ms, uint64_t backoff_max_ms);
/* Drains for at most drain_ms (0: stop now), then joins the thread. */
void rti_sender_stop(struct rti_sender *s, uint64_t drain_ms);
/* Stops it if running; destroys its source. */
void rti_sender_free(struct rti_sender *s);
const struct rti_sender_stats *rti_sender_stats(const struct rti_sender *s);
const char *rti_sender_sink(const struct rti_sender *s);
uint64_t rti_sender_held(struct rti_sender *s);

#endif
