/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The writer loop, on the caller's thread: queue -> protobuf decode into
 * the pipeline arena -> pipeline -> sinks, plus the record file (a capture
 * holds what was processed). The output is flushed whenever the queue runs
 * empty, so it is live.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/capture.h"
#include "ingest/queue.h"
#include "live/live_int.h"
#include "pipeline/pipeline_int.h"
#include "tetragon/pb_decode.h"
#include "util/arena.h"
#include "util/clock.h"

/* undecodable messages and rejected events: the first ones, then a sample */
#define BAD_LOG_FIRST 10
#define BAD_LOG_EVERY 10000

static bool log_bad(uint64_t n)
{
	return n <= BAD_LOG_FIRST || n % BAD_LOG_EVERY == 0;
}

static int record_item(struct rti_live *l, const struct rti_queue_item *it)
{
	uint8_t type = it->type == LIVE_Q_MSG ? RTI_CAP_MESSAGE
		       : it->type == LIVE_Q_CONNECTED ? RTI_CAP_CONNECTED
						       : RTI_CAP_DISCONNECTED;
	int err = rti_capture_write(l->rec, type, it->time_ns, it->data, it->len);

	if (err)
		rti_live_log(l, RTI_LIVE_LOG_ERROR, "--record %s: %s", l->o.record, strerror(-err));
	return err;
}

/* Decodes one message and feeds it. 0, or -errno when the output failed. */
static int feed_message(struct rti_live *l, const struct rti_queue_item *it)
{
	struct rti_arena *arena = rti_pipeline_arena(l->p);
	uint64_t n = atomic_fetch_add(&l->processed, 1) + 1;
	struct rti_decode_error de;
	struct rti_event ev;
	struct rti_diag d;
	int err;

	rti_arena_reset(arena);
	err = rti_pb_decode(it->data, it->len, arena, &ev, &de);
	rti_pipeline_count_record(l->p, err != 0);
	if (err) {
		uint64_t bad = atomic_fetch_add(&l->bad_pb, 1) + 1;

		if (log_bad(bad))
			rti_live_log(l, RTI_LIVE_LOG_WARN, "message %llu: %s (%zu bytes)%s",
				     (unsigned long long)n, de.msg, it->len,
				     bad == BAD_LOG_FIRST ? "; further ones are counted, one logged per 10000" : "");
		return 0;
	}
	err = rti_pipeline_feed_event(l->p, &ev, &d);
	if (err == -EINVAL) {
		uint64_t bad = atomic_fetch_add(&l->bad_event, 1) + 1;

		if (log_bad(bad))
			rti_live_log(l, RTI_LIVE_LOG_WARN, "message %llu: %s", (unsigned long long)n,
				     d.msg);
		return 0;
	}
	if (err) {
		rti_live_log(l, RTI_LIVE_LOG_ERROR, "%s", d.msg);
		return err;
	}
	l->dirty = true;
	return 0;
}

/* One queue item: 0, or -errno when the output or the record failed. */
static int handle_item(struct rti_live *l, const struct rti_queue_item *it)
{
	int err;

	if (l->rec) {
		err = record_item(l, it);
		if (err)
			return err;
	}
	if (it->type != LIVE_Q_MSG)
		return 0;
	return feed_message(l, it);
}

/* The queue ran empty: make the output visible now. */
static void on_idle(struct rti_live *l)
{
	if (l->dirty) {
		rti_pipeline_flush(l->p);
		if (l->rec)
			rti_capture_flush(l->rec);
		l->dirty = false;
	}
	if (l->o.idle)
		l->o.idle(l->o.idle_ctx);
}

static void take_item(struct rti_live *l, const struct rti_queue_item *it)
{
	if (l->drain) {
		int err = handle_item(l, it);

		if (err) {
			l->rc = err;
			l->drain = false;
		}
	}
	rti_queue_release(l->q);
	if (l->o.max_events && atomic_load(&l->processed) >= l->o.max_events)
		l->drain = false;
}

static bool duration_over(const struct rti_live *l)
{
	return l->o.duration_ms && rti_now_ns() - l->start_ns >= l->o.duration_ms * 1000000ull;
}

static void maybe_stop(struct rti_live *l)
{
	if (l->stopping)
		return;
	if (!atomic_load(&l->stop_requested) && l->drain && !duration_over(l))
		return;
	l->stopping = true;
	rti_grpc_client_stop(l->client);
	/* rti_live_stop/duration: finish what is queued; else wake the reader */
	if (!l->drain)
		rti_queue_abort(l->q);
}

/* The reader ended and the queue is drained: flush, close, decide. */
static int finish(struct rti_live *l)
{
	int last_status;

	pthread_join(l->reader, NULL);
	l->joined = true;
	l->finished = true;
	if (rti_pipeline_flush(l->p) && !l->rc) {
		int e = errno;

		rti_live_log(l, RTI_LIVE_LOG_ERROR, "writing output: %s", strerror(e));
		l->rc = e ? -e : -EIO;
	}
	if (l->rec) {
		int e = rti_capture_close(l->rec);

		l->rec = NULL;
		if (e && !l->rc) {
			rti_live_log(l, RTI_LIVE_LOG_ERROR, "--record %s: %s", l->o.record,
				     strerror(-e));
			l->rc = e;
		}
	}
	pthread_mutex_lock(&l->stats_mu);
	last_status = l->last_status;
	pthread_mutex_unlock(&l->stats_mu);
	/* a stop we were asked for is not a failed call */
	if (l->o.once && !l->rc && !l->stopping && !atomic_load(&l->stop_requested) &&
	    last_status != RTI_GRPC_OK)
		l->rc = -ECONNABORTED;
	return l->rc;
}

int rti_live_step(struct rti_live *l, int timeout_ms)
{
	struct rti_queue_item it;
	int k;

	if (l->finished)
		return l->rc;
	if (!l->started)
		return -EINVAL;
	k = rti_queue_peek(l->q, &it, 0);
	if (k == 0) {
		on_idle(l);
		k = rti_queue_peek(l->q, &it, timeout_ms);
	}
	if (k < 0)
		return finish(l);
	if (k == 1)
		take_item(l, &it);
	maybe_stop(l);
	return 1;
}

int rti_live_run(struct rti_live *l)
{
	int k;

	while ((k = rti_live_step(l, 100)) > 0)
		continue;
	return k;
}
