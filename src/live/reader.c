/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The reader thread: socket -> HTTP/2 -> gRPC messages -> queue, and
 * nothing else, so it keeps up with Tetragon whatever the output does.
 * Every call is on a fresh connection; between calls it waits an
 * exponential backoff with jitter, and it logs every disconnect with its
 * reason.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ingest/queue.h"
#include "live/live_int.h"
#include "util/clock.h"

/* a stream that stayed up this long was healthy: the backoff restarts */
#define HEALTHY_NS 10000000000ull

/* Adds the time since the connection was lost to the disconnected time;
 * connected: whether it is up again. */
static void end_disconnected(struct rti_live *l, bool connected)
{
	uint64_t now = rti_now_ns();

	pthread_mutex_lock(&l->stats_mu);
	if (l->disc_since) {
		uint64_t d = now - l->disc_since;

		l->disc_ns += d;
		if (!l->ever_connected)
			l->disc_before_first_ns += d;
		l->disc_since = 0;
	}
	if (connected)
		l->ever_connected = true;
	pthread_mutex_unlock(&l->stats_mu);
}

static void begin_disconnected(struct rti_live *l)
{
	uint64_t now = rti_now_ns();

	pthread_mutex_lock(&l->stats_mu);
	l->disc_since = now;
	pthread_mutex_unlock(&l->stats_mu);
}

static void on_connected(void *ctx)
{
	struct rti_live *l = ctx;
	const char *t = l->o.target;
	uint64_t n;

	end_disconnected(l, true);
	n = atomic_fetch_add(&l->connections, 1) + 1;
	if (n == 1)
		rti_live_log(l, RTI_LIVE_LOG_INFO, "connected to %s", t);
	else
		rti_live_log(l, RTI_LIVE_LOG_INFO, "reconnected to %s (connection %llu)", t,
			     (unsigned long long)n);
	atomic_store(&l->connected, true);
	rti_queue_push(l->q, LIVE_Q_CONNECTED, rti_wall_ns(), t, strlen(t));
}

static int on_message(void *ctx, const uint8_t *msg, size_t len)
{
	struct rti_live *l = ctx;
	int err = rti_queue_push(l->q, LIVE_Q_MSG, rti_wall_ns(), msg, len);

	atomic_fetch_add_explicit(&l->messages, 1, memory_order_relaxed);
	/* -ENOBUFS: dropped and counted by the queue; keep reading */
	return err == -EPIPE || err == -ENOMEM ? err : 0;
}

/* Folds one call's counters into the totals; sets last_status/reason. */
static void account_call(struct rti_live *l, const struct rti_grpc_call_info *in)
{
	const char *msg = in->message;

	if (!msg[0])
		msg = in->status == RTI_GRPC_OK ? "the server ended the stream" : "no message";
	/* messages were counted one by one as they arrived */
	atomic_fetch_add(&l->wire_bytes, in->wire_bytes);
	atomic_fetch_add(&l->compressed, in->compressed);
	atomic_fetch_add(&l->pings, in->pings);
	if (in->too_many_pings)
		atomic_store(&l->too_many_pings, true);
	atomic_store(&l->connected, false);
	pthread_mutex_lock(&l->stats_mu);
	l->last_status = in->status;
	snprintf(l->last_reason, sizeof(l->last_reason), "%s: %s%s%s%s",
		 rti_grpc_code_name(in->status), msg, in->detail[0] ? " [" : "", in->detail,
		 in->detail[0] ? "]" : "");
	pthread_mutex_unlock(&l->stats_mu);
}

/* Logs how the call ended; a lost connection is also a capture record. */
static void report_call(struct rti_live *l, const struct rti_grpc_call_info *in)
{
	/* only the reader writes last_reason: reading it here needs no lock */
	const char *reason = l->last_reason;

	if (in->connected) {
		rti_live_log(l, RTI_LIVE_LOG_WARN, "disconnected after %.3f s and %llu messages: %s",
			     (double)in->connected_ns / 1e9, (unsigned long long)in->messages,
			     reason);
		rti_queue_push(l->q, LIVE_Q_DISCONNECTED, rti_wall_ns(), reason, strlen(reason));
	} else {
		rti_live_log(l, RTI_LIVE_LOG_WARN, "cannot connect: %s", reason);
	}
	if (in->too_many_pings)
		rti_live_log(l, RTI_LIVE_LOG_WARN,
			     "server says too_many_pings: keepalive interval now %.1f s",
			     rti_grpc_client_keepalive_ms(l->client) / 1000.0);
}

/* Waits before the next attempt. 1 when stopped meanwhile. */
static int backoff(struct rti_live *l, const struct rti_grpc_call_info *in, unsigned *attempt,
		   uint64_t *seed)
{
	unsigned delay;

	/* a healthy stream resets the backoff; a flapping one does not */
	if (in->connected && (in->messages > 0 || in->connected_ns >= HEALTHY_NS))
		*attempt = 0;
	delay = rti_grpc_backoff_ms(*attempt, l->o.backoff_initial_ms, l->o.backoff_max_ms, seed);
	if (*attempt < 32)
		(*attempt)++;
	rti_live_log(l, RTI_LIVE_LOG_INFO, "reconnecting in %.3f s", delay / 1000.0);
	return rti_grpc_client_sleep(l->client, delay);
}

void *rti_live_reader_main(void *arg)
{
	struct rti_live *l = arg;
	struct rti_grpc_handler h = { on_connected, on_message };
	uint64_t seed = rti_wall_ns() ^ (uint64_t)getpid();
	unsigned attempt = 0;

	begin_disconnected(l);
	while (!rti_grpc_client_stopped(l->client)) {
		struct rti_grpc_call_info in;

		atomic_fetch_add(&l->calls, 1);
		rti_grpc_client_call(l->client, &h, l, &in);
		account_call(l, &in);
		/* our own stop is not a gap in the data */
		if (rti_grpc_client_stopped(l->client) && in.status == RTI_GRPC_CANCELLED)
			break;
		if (in.connected) {
			begin_disconnected(l);
			atomic_fetch_add(&l->gaps, 1);
		}
		report_call(l, &in);
		if (l->o.once)
			break;
		if (backoff(l, &in, &attempt, &seed))
			break;
	}
	end_disconnected(l, false);
	rti_queue_close(l->q);
	return NULL;
}
