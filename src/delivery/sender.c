/* SPDX-License-Identifier: Apache-2.0 */
/* A delivery sender thread (sender.h). */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "delivery/backoff.h"
#include "delivery/sender.h"
#include "util/clock.h"
#include "util/hash.h"
#include "util/opts.h"

#define IDLE_MS 100   /* how often an idle sender asks its source */
#define TICK_MS 1000

const double rti_sender_lat_bounds[RTI_SENDER_LAT_BUCKETS] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
};

struct rti_sender {
	const struct rti_batch_source_ops *ops;
	void *ctx;
	struct rti_http *http;
	void (*tick)(void *arg);
	void *tick_arg;
	rti_dlog_fn log;
	void *log_ctx;
	pthread_t th;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* under mu */
	bool stop;
	uint64_t drain_until;      /* monotonic ms; 0: not draining */
	uint64_t bo_initial, bo_max;
	bool bo_changed;
	atomic_bool abort;         /* the request in progress is given up */
	atomic_uint_fast64_t held;
	uint8_t logged[RTI_SENDER_CODES / 8 + 1]; /* dead statuses already logged */
	struct rti_sender_stats st;
};

struct rti_sender *rti_sender_new(const struct rti_sender_opts *o)
{
	struct rti_sender *s;
	pthread_condattr_t ca;

	if (!RTI_OPTS_VALID(o, backoff_max_ms) || !o->ops || !o->ops->next || !o->http) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->ops = o->ops;
	s->ctx = o->ctx;
	s->tick = RTI_OPTS_GET(o, tick, NULL);
	s->tick_arg = RTI_OPTS_GET(o, tick_arg, NULL);
	s->log = RTI_OPTS_GET(o, log, NULL);
	s->log_ctx = RTI_OPTS_GET(o, log_ctx, NULL);
	s->bo_initial = o->backoff_initial_ms;
	s->bo_max = o->backoff_max_ms;
	s->http = rti_http_new();
	if (!s->http || rti_http_configure(s->http, o->http)) {
		rti_http_free(s->http);
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	return s;
}

static void logf2(struct rti_sender *s, int level, const char *msg, const char *k, const char *fmt,
		  ...) __attribute__((format(printf, 5, 6)));

static void logf2(struct rti_sender *s, int level, const char *msg, const char *k, const char *fmt,
		  ...)
{
	char v[600];
	va_list ap;

	if (!s->log)
		return;
	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	s->log(s->log_ctx, level, msg, k, v);
}

/* Sleeps until ms from now, a stop, or a wake-up. */
static void nap(struct rti_sender *s, uint64_t ms)
{
	struct timespec ts;

	rti_deadline_after(&ts, (int)(ms > 60000 ? 60000 : ms));
	pthread_mutex_lock(&s->mu);
	if (!s->stop)
		pthread_cond_timedwait(&s->cv, &s->mu, &ts);
	pthread_mutex_unlock(&s->mu);
}

static void observe(struct rti_sender *s, const struct rti_http_result *r)
{
	double secs = r->latency_us / 1e6;
	long code = r->status >= 100 && r->status < RTI_SENDER_CODES ? r->status : 0;

	atomic_fetch_add(&s->st.requests[code], 1);
	for (int i = 0; i < RTI_SENDER_LAT_BUCKETS; i++)
		if (secs <= rti_sender_lat_bounds[i])
			atomic_fetch_add(&s->st.lat_bucket[i], 1);
	atomic_fetch_add(&s->st.lat_count, 1);
	atomic_fetch_add(&s->st.lat_sum_us, r->latency_us);
	atomic_fetch_add(&s->st.wire_bytes, r->wire_bytes);
}

/* One attempt at b. Returns the delay before the next attempt (0: now). */
static uint64_t attempt(struct rti_sender *s, struct rti_backoff *bo, const struct rti_batch *b,
			struct rti_http_result *r)
{
	int rc = rti_http_post(s->http, b->path, b->id, b->body, b->len, &s->abort, r);
	enum rti_http_class cls;

	if (rc) {
		logf2(s, 2, "delivery out of memory", "sink", "%s", s->ops->sink);
		return rti_backoff_next(bo, -1);
	}
	observe(s, r);
	cls = rti_http_classify(r->status);
	if (cls == RTI_HTTP_ACK) {
		rc = s->ops->ack(s->ctx, b);
		if (rc) {
			logf2(s, 2, "delivery cannot record an acknowledgement", "error", "%s",
			      strerror(-rc));
			atomic_fetch_add(&s->st.source_errors, 1);
			return rti_backoff_next(bo, -1);
		}
		atomic_fetch_add(&s->st.acked_batches, 1);
		atomic_fetch_add(&s->st.acked_records, b->records);
		rti_backoff_reset(bo);
		return 0;
	}
	if (cls == RTI_HTTP_DEAD) {
		long code = r->status < RTI_SENDER_CODES ? r->status : 0;

		if (!(s->logged[code / 8] & (1u << (code % 8)))) {
			s->logged[code / 8] |= (uint8_t)(1u << (code % 8));
			logf2(s, 2, "delivery refused by the receiver: batch kept in spool/dead/ (logged once per status)",
			      "status", "%ld sink=%s key=%s response=%.200s", r->status, s->ops->sink,
			      b->id, r->resp);
		}
		rc = s->ops->dead(s->ctx, b, r->status, r->resp, r->resp_len);
		if (rc) {
			atomic_fetch_add(&s->st.source_errors, 1);
			return rti_backoff_next(bo, -1);
		}
		atomic_fetch_add(&s->st.dead_batches, 1);
		rti_backoff_reset(bo);
		return 0;
	}
	atomic_fetch_add(&s->st.retries, 1);
	if (r->status)
		logf2(s, 1, "delivery batch not accepted, retrying", "status", "%ld sink=%s",
		      r->status, s->ops->sink);
	else
		logf2(s, 1, "delivery request failed, retrying", "error", "%s sink=%s", r->err,
		      s->ops->sink);
	return rti_backoff_next(bo, r->retry_after_ms);
}

/* Whether the thread ends now (stop, or a drain that is done or over). */
static bool ending(struct rti_sender *s, uint64_t now, bool idle, uint64_t wait_ms)
{
	bool stop, end = false;
	uint64_t until;

	pthread_mutex_lock(&s->mu);
	stop = s->stop;
	until = s->drain_until;
	pthread_mutex_unlock(&s->mu);
	if (stop && !until)
		end = true;
	else if (until && (idle || now >= until || now + wait_ms > until))
		end = true;
	return end;
}

static void *run(void *arg)
{
	struct rti_sender *s = arg;
	struct rti_backoff bo;
	struct rti_http_result *r = malloc(sizeof(*r));
	uint64_t next_try = 0, next_tick = rti_now_ns() / 1000000u + TICK_MS;

	rti_backoff_init(&bo, s->bo_initial, s->bo_max, rti_now_ns() ^ (uint64_t)getpid());
	while (r) {
		uint64_t now = rti_now_ns() / 1000000u;
		struct rti_batch b;
		int rc;

		if (now >= next_tick) {
			if (s->tick)
				s->tick(s->tick_arg);
			if (s->ops->held)
				atomic_store(&s->held, s->ops->held(s->ctx));
			next_tick = now + TICK_MS;
		}
		pthread_mutex_lock(&s->mu);
		if (s->bo_changed) {
			bo.initial_ms = s->bo_initial;
			bo.max_ms = s->bo_max;
			s->bo_changed = false;
		}
		pthread_mutex_unlock(&s->mu);
		if (now < next_try) {
			if (ending(s, now, false, next_try - now))
				break;
			nap(s, next_try - now < TICK_MS ? next_try - now : TICK_MS);
			continue;
		}
		rc = s->ops->next(s->ctx, &b, now);
		if (rc < 0) {
			atomic_fetch_add(&s->st.source_errors, 1);
			logf2(s, 2, "delivery cannot read the next batch", "error", "%s sink=%s",
			      strerror(-rc), s->ops->sink);
			next_try = now + rti_backoff_next(&bo, -1);
			continue;
		}
		if (rc == 0) {
			if (ending(s, now, true, 0))
				break;
			nap(s, IDLE_MS);
			continue;
		}
		if (ending(s, now, false, 0))
			break;
		next_try = rti_now_ns() / 1000000u + attempt(s, &bo, &b, r);
	}
	if (s->tick)
		s->tick(s->tick_arg);
	free(r);
	rti_crypto_thread_stop();
	return NULL;
}

int rti_sender_start(struct rti_sender *s)
{
	if (pthread_create(&s->th, NULL, run, s))
		return -EAGAIN;
	s->started = true;
	return 0;
}

int rti_sender_configure(struct rti_sender *s, const struct rti_http_cfg *http,
			 uint64_t backoff_initial_ms, uint64_t backoff_max_ms)
{
	int rc = rti_http_configure(s->http, http);

	pthread_mutex_lock(&s->mu);
	s->bo_initial = backoff_initial_ms;
	s->bo_max = backoff_max_ms;
	s->bo_changed = true;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

void rti_sender_stop(struct rti_sender *s, uint64_t drain_ms)
{
	if (!s || !s->started)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	if (drain_ms)
		s->drain_until = rti_now_ns() / 1000000u + drain_ms;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (!drain_ms)
		atomic_store(&s->abort, true);
	else { /* a request still running at the deadline is given up */
		uint64_t until = rti_now_ns() / 1000000u + drain_ms;

		while (pthread_tryjoin_np(s->th, NULL) == EBUSY) {
			if (rti_now_ns() / 1000000u >= until)
				atomic_store(&s->abort, true);
			usleep(10000);
		}
		s->started = false;
		return;
	}
	pthread_join(s->th, NULL);
	s->started = false;
}

void rti_sender_free(struct rti_sender *s)
{
	if (!s)
		return;
	rti_sender_stop(s, 0);
	if (s->ops->destroy)
		s->ops->destroy(s->ctx);
	rti_http_free(s->http);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}

const struct rti_sender_stats *rti_sender_stats(const struct rti_sender *s)
{
	return &s->st;
}

const char *rti_sender_sink(const struct rti_sender *s)
{
	return s->ops->sink;
}

uint64_t rti_sender_held(struct rti_sender *s)
{
	return atomic_load(&s->held);
}
