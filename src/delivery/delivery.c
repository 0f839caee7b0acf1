/* SPDX-License-Identifier: Apache-2.0 */
/* The delivery object (delivery.h): spool, events sink, senders, metrics. */
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "delivery/delivery.h"
#include "delivery/events_sink.h"
#include "delivery/sender.h"
#include "util/clock.h"
#include "util/opts.h"

struct rti_delivery {
	struct rti_delivery_opts o;   /* strings not owned: see keep */
	struct rti_spool *spool;      /* the events spool (NULL: no events sink) */
	struct rti_sender *snd[RTI_DELIVERY_MAX_SINKS];
	char *url[RTI_DELIVERY_MAX_SINKS];  /* each sender's URL */
	unsigned n;
	bool started;
};

static void http_cfg(const struct rti_delivery_opts *o, const char *url, struct rti_http_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->url = url;
	c->token_file = o->token_file;
	c->tenant = o->tenant;
	c->ca_file = o->ca_file;
	c->cert_file = o->cert_file;
	c->key_file = o->key_file;
	c->timeout_ms = o->timeout_ms ? o->timeout_ms : 30000;
}

static void spool_tick(void *arg)
{
	rti_spool_sync(arg);
}

static int add_sender(struct rti_delivery *d, const struct rti_batch_source_ops *ops, void *ctx,
		      const char *url, bool is_events)
{
	struct rti_sender_opts so = RTI_OPTS_INIT(rti_sender_opts);
	struct rti_http_cfg hc;

	if (d->n >= RTI_DELIVERY_MAX_SINKS || !url)
		return -EINVAL;
	d->url[d->n] = strdup(url);
	if (!d->url[d->n])
		return -ENOMEM;
	http_cfg(&d->o, d->url[d->n], &hc);
	so.ops = ops;
	so.ctx = ctx;
	so.http = &hc;
	so.backoff_initial_ms = d->o.backoff_initial_ms ? d->o.backoff_initial_ms : 1000;
	so.backoff_max_ms = d->o.backoff_max_ms ? d->o.backoff_max_ms : 60000;
	/* every second: fsync (interval; every_batch syncs before offering), room after a full disk */
	so.tick = is_events ? spool_tick : NULL;
	so.tick_arg = d->spool;
	so.log = d->o.log;
	so.log_ctx = d->o.log_ctx;
	d->snd[d->n] = rti_sender_new(&so);
	if (!d->snd[d->n]) {
		free(d->url[d->n]);
		d->url[d->n] = NULL;
		return -ENOMEM;
	}
	d->n++;
	return 0;
}

struct rti_delivery *rti_delivery_open(const struct rti_delivery_opts *o, char *err, size_t errlen)
{
	struct rti_delivery *d;

	if (!RTI_OPTS_VALID(o, log_ctx) || !o->spool_dir) {
		snprintf(err, errlen, "delivery: bad options");
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	RTI_OPTS_COPY(&d->o, o);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (o->events_url) {
		struct rti_spool_opts so = RTI_OPTS_INIT(rti_spool_opts);
		const struct rti_batch_source_ops *ops;
		void *ctx;

		so.dir = o->spool_dir;
		so.name = "events";
		so.max_bytes = o->spool_max_bytes ? o->spool_max_bytes : 1ull << 30;
		so.block_when_full = o->block_when_full;
		so.fsync_every_batch = o->fsync_every_batch;
		so.batch_max_bytes = o->batch_max_bytes;
		so.batch_timeout_ms = o->batch_timeout_ms;
		so.log = o->log;
		so.log_ctx = o->log_ctx;
		d->spool = rti_spool_open(&so, err, errlen);
		if (!d->spool) {
			int e = errno;

			free(d);
			errno = e;
			return NULL;
		}
		rti_spool_source(d->spool, &ops, &ctx);
		if (add_sender(d, ops, ctx, o->events_url, true)) {
			rti_delivery_free(d);
			snprintf(err, errlen, "out of memory");
			errno = ENOMEM;
			return NULL;
		}
	}
	/* the caller's strings are not kept: reconfigure passes new ones */
	d->o.spool_dir = d->o.events_url = d->o.token_file = d->o.tenant = NULL;
	d->o.ca_file = d->o.cert_file = d->o.key_file = NULL;
	return d;
}

int rti_delivery_events_sink(struct rti_delivery *d, const struct rti_sink_ops **ops, void **ctx)
{
	if (!d->spool)
		return -ENOENT;
	rti_events_sink(d->spool, ops, ctx);
	return 0;
}

int rti_delivery_add_source(struct rti_delivery *d, const struct rti_batch_source_ops *ops,
			    void *ctx, const char *url)
{
	if (d->started)
		return -EBUSY;
	return add_sender(d, ops, ctx, url, false);
}

int rti_delivery_start(struct rti_delivery *d)
{
	for (unsigned i = 0; i < d->n; i++)
		if (rti_sender_start(d->snd[i]))
			return -EAGAIN;
	d->started = true;
	return 0;
}

int rti_delivery_reconfigure(struct rti_delivery *d, const struct rti_delivery_opts *o)
{
	int rc = 0;

	for (unsigned i = 0; i < d->n; i++) {
		struct rti_http_cfg hc;
		bool events = d->spool && i == 0;

		http_cfg(o, events && o->events_url ? o->events_url : d->url[i], &hc);
		rc |= rti_sender_configure(d->snd[i], &hc,
					   o->backoff_initial_ms ? o->backoff_initial_ms : 1000,
					   o->backoff_max_ms ? o->backoff_max_ms : 60000);
	}
	if (d->spool)
		rti_spool_set_batch(d->spool, o->batch_max_bytes, o->batch_timeout_ms);
	return rc ? -ENOMEM : 0;
}

void rti_delivery_unblock(struct rti_delivery *d)
{
	if (d && d->spool)
		rti_spool_unblock(d->spool);
}

void rti_delivery_stop(struct rti_delivery *d)
{
	uint64_t drain;

	if (!d || !d->started)
		return;
	drain = d->o.drain_ms ? d->o.drain_ms : RTI_DELIVERY_DRAIN_MS;
	if (d->spool) {
		rti_spool_unblock(d->spool);
		rti_spool_set_draining(d->spool, true);
	}
	for (unsigned i = 0; i < d->n; i++) /* in parallel: each gets the whole time */
		rti_sender_stop(d->snd[i], drain);
	d->started = false;
}

void rti_delivery_free(struct rti_delivery *d)
{
	if (!d)
		return;
	for (unsigned i = 0; i < d->n; i++) {
		rti_sender_free(d->snd[i]);
		free(d->url[i]);
	}
	rti_spool_close(d->spool);
	free(d);
}

/* ---- metrics ---- */

static void help(FILE *f, const char *name, const char *type, const char *text)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

static void per_sink(FILE *f, struct rti_delivery *d)
{
	help(f, "stella_rti_delivery_requests_total", "counter",
	     "delivery requests, by sink and HTTP status (error: no response)");
	for (unsigned i = 0; i < d->n; i++) {
		const struct rti_sender_stats *st = rti_sender_stats(d->snd[i]);

		for (int c = 0; c < RTI_SENDER_CODES; c++) {
			uint64_t v = atomic_load(&st->requests[c]);

			if (!v)
				continue;
			if (c)
				fprintf(f, "stella_rti_delivery_requests_total{sink=\"%s\",code=\"%d\"} %" PRIu64 "\n",
					rti_sender_sink(d->snd[i]), c, v);
			else
				fprintf(f, "stella_rti_delivery_requests_total{sink=\"%s\",code=\"error\"} %" PRIu64 "\n",
					rti_sender_sink(d->snd[i]), v);
		}
	}
#define SIMPLE(name, type, text, field)                                                           \
	help(f, name, type, text);                                                                \
	for (unsigned i = 0; i < d->n; i++)                                                       \
		fprintf(f, name "{sink=\"%s\"} %" PRIu64 "\n", rti_sender_sink(d->snd[i]),          \
			(uint64_t)atomic_load(&rti_sender_stats(d->snd[i])->field));
	SIMPLE("stella_rti_delivery_retries_total", "counter", "delivery attempts that will be retried", retries)
	SIMPLE("stella_rti_delivery_dead_total", "counter",
	       "batches a receiver refused (4xx), kept in spool/dead/", dead_batches)
	SIMPLE("stella_rti_delivery_batches_total", "counter", "batches acknowledged (2xx)", acked_batches)
	SIMPLE("stella_rti_delivery_records_total", "counter", "lines acknowledged (2xx)", acked_records)
	SIMPLE("stella_rti_delivery_sent_bytes_total", "counter", "gzip request bodies sent", wire_bytes)
#undef SIMPLE
	help(f, "stella_rti_delivery_latency_seconds", "histogram", "duration of delivery requests");
	for (unsigned i = 0; i < d->n; i++) {
		const struct rti_sender_stats *st = rti_sender_stats(d->snd[i]);
		const char *sk = rti_sender_sink(d->snd[i]);

		for (int b = 0; b < RTI_SENDER_LAT_BUCKETS; b++)
			fprintf(f, "stella_rti_delivery_latency_seconds_bucket{sink=\"%s\",le=\"%g\"} %" PRIu64 "\n",
				sk, rti_sender_lat_bounds[b], (uint64_t)atomic_load(&st->lat_bucket[b]));
		fprintf(f, "stella_rti_delivery_latency_seconds_bucket{sink=\"%s\",le=\"+Inf\"} %" PRIu64 "\n",
			sk, (uint64_t)atomic_load(&st->lat_count));
		fprintf(f, "stella_rti_delivery_latency_seconds_sum{sink=\"%s\"} %.6f\n", sk,
			atomic_load(&st->lat_sum_us) / 1e6);
		fprintf(f, "stella_rti_delivery_latency_seconds_count{sink=\"%s\"} %" PRIu64 "\n", sk,
			(uint64_t)atomic_load(&st->lat_count));
	}
}

static void spool_metrics(FILE *f, struct rti_delivery *d)
{
	struct rti_spool_stats ss;
	uint64_t held = 0, now = rti_wall_ns() / 1000000u;

	memset(&ss, 0, sizeof(ss));
	if (d->spool)
		rti_spool_get_stats(d->spool, &ss);
	help(f, "stella_rti_delivery_dropped_total", "counter",
	     "lines lost before delivery, by sink and reason");
	if (d->spool) {
		fprintf(f, "stella_rti_delivery_dropped_total{sink=\"events\",reason=\"spool_full\"} %" PRIu64 "\n",
			ss.dropped_spool_full);
		fprintf(f, "stella_rti_delivery_dropped_total{sink=\"events\",reason=\"disk_full\"} %" PRIu64 "\n",
			ss.dropped_disk_full);
		fprintf(f, "stella_rti_delivery_dropped_total{sink=\"events\",reason=\"too_large\"} %" PRIu64 "\n",
			ss.dropped_too_large);
		fprintf(f, "stella_rti_delivery_dropped_total{sink=\"events\",reason=\"error\"} %" PRIu64 "\n",
			ss.dropped_error);
	}
	help(f, "stella_rti_spool_bytes", "gauge", "bytes in the spool's segment files");
	fprintf(f, "stella_rti_spool_bytes %" PRIu64 "\n", ss.bytes);
	help(f, "stella_rti_spool_oldest_age_seconds", "gauge",
	     "age of the oldest unacknowledged spooled data (0: none)");
	fprintf(f, "stella_rti_spool_oldest_age_seconds %.3f\n",
		ss.oldest_ms && now > ss.oldest_ms ? (now - ss.oldest_ms) / 1000.0 : 0.0);
	help(f, "stella_rti_spool_quarantined_segments_total", "counter",
	     "spool segments moved to corrupt/ (corrupt) or found missing, by reason");
	fprintf(f, "stella_rti_spool_quarantined_segments_total{reason=\"corrupt\"} %" PRIu64 "\n",
		ss.corrupt_segments);
	fprintf(f, "stella_rti_spool_quarantined_segments_total{reason=\"missing\"} %" PRIu64 "\n",
		ss.missing_segments);
	help(f, "stella_rti_spool_torn_records_total", "counter",
	     "torn last records cut off after a crash");
	fprintf(f, "stella_rti_spool_torn_records_total %" PRIu64 "\n", ss.torn_records);
	help(f, "stella_rti_spool_ledger_resets_total", "counter",
	     "unreadable ledgers quarantined (their unacknowledged batches are sent again)");
	fprintf(f, "stella_rti_spool_ledger_resets_total %" PRIu64 "\n", ss.ledger_resets);
	help(f, "stella_rti_spool_writable", "gauge", "1 while the spool takes events");
	fprintf(f, "stella_rti_spool_writable %d\n", d->spool ? ss.writable : 1);
	for (unsigned i = 0; i < d->n; i++)
		held += rti_sender_held(d->snd[i]);
	help(f, "stella_rti_delivery_held_scopes", "gauge",
	     "image scopes held back (no callgraph mapping yet)");
	fprintf(f, "stella_rti_delivery_held_scopes %" PRIu64 "\n", held);
}

void rti_delivery_metrics(struct rti_delivery *d, FILE *f)
{
	per_sink(f, d);
	spool_metrics(f, d);
}

void rti_delivery_get_stats(struct rti_delivery *d, struct rti_delivery_stats *st)
{
	struct rti_spool_stats ss;

	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < d->n; i++) {
		const struct rti_sender_stats *s = rti_sender_stats(d->snd[i]);

		st->acked_records += atomic_load(&s->acked_records);
		st->acked_batches += atomic_load(&s->acked_batches);
		st->dead_batches += atomic_load(&s->dead_batches);
		st->retries += atomic_load(&s->retries);
	}
	if (!d->spool)
		return;
	rti_spool_get_stats(d->spool, &ss);
	st->dropped_spool_full = ss.dropped_spool_full;
	st->dropped_disk_full = ss.dropped_disk_full;
	st->dropped_too_large = ss.dropped_too_large;
	st->dropped_error = ss.dropped_error;
	st->spool_bytes = ss.bytes;
	st->corrupt_segments = ss.corrupt_segments;
	st->missing_segments = ss.missing_segments;
}

bool rti_delivery_spool_ok(struct rti_delivery *d, char *why, size_t wlen)
{
	struct rti_spool_stats ss;

	if (!d || !d->spool) {
		snprintf(why, wlen, "none");
		return true;
	}
	rti_spool_get_stats(d->spool, &ss);
	if (ss.blocked)
		snprintf(why, wlen, "full (when_full: block)");
	else
		snprintf(why, wlen, "%s", ss.writable ? "writable" : "not writable");
	return ss.writable && !ss.blocked;
}

bool rti_delivery_blocked(struct rti_delivery *d)
{
	struct rti_spool_stats ss;

	if (!d || !d->spool)
		return false;
	rti_spool_get_stats(d->spool, &ss);
	return ss.blocked;
}
