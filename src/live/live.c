/* SPDX-License-Identifier: Apache-2.0 */
/* The live object: options, lifecycle, stats (include/rti/live.h). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "ingest/capture.h"
#include "ingest/queue.h"
#include "live/live_int.h"
#include "util/clock.h"
#include "util/opts.h"

#define DEFAULT_BACKOFF_INITIAL_MS 500
#define DEFAULT_BACKOFF_MAX_MS 30000

/* Defaults and private copies of what the caller's opts point to. */
static int take_opts(struct rti_live *l, const struct rti_live_opts *opts)
{
	RTI_OPTS_COPY(&l->o, opts);
	if (l->o.overflow != RTI_LIVE_OVERFLOW_DROP && l->o.overflow != RTI_LIVE_OVERFLOW_BLOCK)
		return -EINVAL;
	l->target = strdup(l->o.target ? l->o.target : RTI_GRPC_DEFAULT_TARGET);
	if (!l->target)
		return -ENOMEM;
	l->o.target = l->target;
	if (l->o.record) {
		l->record = strdup(l->o.record);
		if (!l->record)
			return -ENOMEM;
		l->o.record = l->record;
	}
	if (!l->o.backoff_initial_ms)
		l->o.backoff_initial_ms = DEFAULT_BACKOFF_INITIAL_MS;
	if (!l->o.backoff_max_ms)
		l->o.backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
	if (l->o.backoff_max_ms < l->o.backoff_initial_ms)
		l->o.backoff_max_ms = l->o.backoff_initial_ms;
	return 0;
}

static int make_client(struct rti_live *l)
{
	const struct rti_live_opts *o = &l->o;
	struct rti_grpc_client_opts co = RTI_OPTS_INIT(rti_grpc_client_opts,
		.target = o->target,
		.request = o->request,
		.request_len = o->request_len,
		.max_message = o->max_message,
		.connect_timeout_ms = o->connect_timeout_ms,
		.keepalive_ms = o->keepalive_ms,
		.keepalive_timeout_ms = o->keepalive_timeout_ms,
		.max_pings_without_data = o->keepalive_pings);
	uint8_t *req = NULL;
	char err[300];

	if (!o->request) {
		int e = rti_grpc_events_request(o->allow, o->deny, &req, &co.request_len, err,
						sizeof(err));

		if (e)
			return e;
		co.request = req;
	}
	l->client = rti_grpc_client_new(&co);
	free(req);
	return l->client ? 0 : -errno;
}

static int make_queue(struct rti_live *l)
{
	struct rti_queue_opts qo = RTI_OPTS_INIT(rti_queue_opts,
		.capacity = l->o.queue_size,
		.block = l->o.overflow == RTI_LIVE_OVERFLOW_BLOCK);

	l->q = rti_queue_new(&qo);
	return l->q ? 0 : -ENOMEM;
}

struct rti_live *rti_live_new(const struct rti_live_opts *opts, struct rti_pipeline *p)
{
	struct rti_live *l;
	int err;

	if (!RTI_OPTS_VALID(opts, idle_ctx) || !p) {
		errno = EINVAL;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	pthread_mutex_init(&l->stats_mu, NULL);
	l->p = p;
	l->last_status = -1;
	l->drain = true;
	err = take_opts(l, opts);
	if (!err)
		err = make_client(l);
	if (!err && l->o.record) {
		l->rec = rti_capture_create(l->o.record);
		if (!l->rec)
			err = -errno;
	}
	if (!err)
		err = make_queue(l);
	/* the caller's pointers are not kept */
	l->o.request = NULL;
	l->o.allow = NULL;
	l->o.deny = NULL;
	if (err) {
		rti_live_free(l);
		errno = -err;
		return NULL;
	}
	return l;
}

int rti_live_start(struct rti_live *l)
{
	static const int ours[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2 };
	sigset_t block, old;
	int err;

	if (l->started)
		return -EALREADY;
	/* process signals go to the caller's threads, never to the reader */
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		sigaddset(&block, ours[i]);
	l->start_ns = rti_now_ns();
	pthread_sigmask(SIG_BLOCK, &block, &old);
	err = pthread_create(&l->reader, NULL, rti_live_reader_main, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	l->started = true;
	return 0;
}

void rti_live_stop(struct rti_live *l)
{
	atomic_store(&l->stop_requested, true);
	rti_grpc_client_stop(l->client);
}

bool rti_live_connected(const struct rti_live *l)
{
	return atomic_load(&l->connected);
}

/* The fields the reader keeps under stats_mu. */
static void get_locked_stats(const struct rti_live *l, struct rti_live_stats *st)
{
	/* the mutex is not part of the object's value */
	pthread_mutex_t *mu = (pthread_mutex_t *)&l->stats_mu;
	uint64_t now = rti_now_ns();

	pthread_mutex_lock(mu);
	st->disconnected_ns = l->disc_ns;
	st->disconnected_before_first_ns = l->disc_before_first_ns;
	if (l->disc_since) {
		st->disconnected_ns += now - l->disc_since;
		if (!l->ever_connected)
			st->disconnected_before_first_ns += now - l->disc_since;
	}
	st->last_status = l->last_status;
	memcpy(st->last_reason, l->last_reason, sizeof(st->last_reason));
	pthread_mutex_unlock(mu);
}

void rti_live_get_stats(const struct rti_live *l, struct rti_live_stats *st)
{
	struct rti_queue_stats qs;

	memset(st, 0, sizeof(*st));
	st->messages = atomic_load(&l->messages);
	st->wire_bytes = atomic_load(&l->wire_bytes);
	st->compressed = atomic_load(&l->compressed);
	st->pings = atomic_load(&l->pings);
	st->keepalive_ms = rti_grpc_client_keepalive_ms(l->client);
	st->too_many_pings = atomic_load(&l->too_many_pings);
	st->calls = atomic_load(&l->calls);
	st->connections = atomic_load(&l->connections);
	st->gaps = atomic_load(&l->gaps);
	st->connected = atomic_load(&l->connected);
	get_locked_stats(l, st);
	rti_queue_get_stats(l->q, &qs);
	st->queue_dropped = qs.dropped;
	st->queue_dropped_bytes = qs.dropped_bytes;
	st->queue_high_water = qs.high_water;
	st->queue_bytes = qs.used;
	st->queue_capacity = qs.capacity;
	st->queue_blocked_ns = qs.blocked_ns;
	st->processed = atomic_load(&l->processed);
	st->not_decodable = atomic_load(&l->bad_pb);
	st->bad_events = atomic_load(&l->bad_event);
}

static void print_connections(const struct rti_live_stats *st, FILE *f)
{
	fprintf(f, "    connections          %llu (%llu attempts, %llu reconnects)\n",
		(unsigned long long)st->connections, (unsigned long long)st->calls,
		(unsigned long long)(st->calls ? st->calls - 1 : 0));
	fprintf(f, "    time disconnected    %.3f s (%.3f s before the first connection, %llu gaps after it)\n",
		(double)st->disconnected_ns / 1e9, (double)st->disconnected_before_first_ns / 1e9,
		(unsigned long long)st->gaps);
	/* connecting takes a few ms; a failed attempt or a gap is real loss */
	if (st->gaps || st->calls > st->connections)
		fprintf(f, "                         events Tetragon emitted while disconnected are lost (no resume)\n");
	if (st->last_reason[0])
		fprintf(f, "    last status          %s\n", st->last_reason);
	fprintf(f, "    keepalive            %llu pings; interval %.1f s%s\n",
		(unsigned long long)st->pings, st->keepalive_ms / 1000.0,
		st->too_many_pings ? " (doubled after too_many_pings)" : "");
}

static void print_cpu(uint64_t processed, FILE *f)
{
	struct rusage ru;
	double cpu;

	if (getrusage(RUSAGE_SELF, &ru))
		return;
	cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	      (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	fprintf(f, "    client CPU           %.3f s (%.2f us per message), peak RSS %ld KiB\n", cpu,
		processed ? cpu * 1e6 / (double)processed : 0.0, ru.ru_maxrss);
}

void rti_live_print_summary(const struct rti_live *l, FILE *f)
{
	bool block = l->o.overflow == RTI_LIVE_OVERFLOW_BLOCK;
	struct rti_live_stats st;

	rti_live_get_stats(l, &st);
	fprintf(f, "  gRPC stream            %s\n", l->o.target);
	fprintf(f, "    messages received    %llu (%llu bytes on the wire, %llu compressed)\n",
		(unsigned long long)st.messages, (unsigned long long)st.wire_bytes,
		(unsigned long long)st.compressed);
	fprintf(f, "    messages processed   %llu (%llu not decodable)\n",
		(unsigned long long)st.processed, (unsigned long long)st.not_decodable);
	fprintf(f, "    queue dropped        %llu messages, %llu bytes (overflow=%s%s)\n",
		(unsigned long long)st.queue_dropped, (unsigned long long)st.queue_dropped_bytes,
		block ? "block" : "drop",
		st.queue_dropped ? "; the output could not keep up" : "");
	fprintf(f, "    queue high water     %llu of %zu bytes",
		(unsigned long long)st.queue_high_water, st.queue_capacity);
	if (block)
		fprintf(f, "; reader blocked %.3f s", (double)st.queue_blocked_ns / 1e9);
	fputc('\n', f);
	print_connections(&st, f);
	print_cpu(st.processed, f);
}

void rti_live_free(struct rti_live *l)
{
	if (!l)
		return;
	if (l->started && !l->joined) {
		rti_grpc_client_stop(l->client);
		rti_queue_abort(l->q);
		pthread_join(l->reader, NULL);
	}
	rti_capture_close(l->rec);
	rti_queue_free(l->q);
	rti_grpc_client_free(l->client);
	pthread_mutex_destroy(&l->stats_mu);
	free(l->target);
	free(l->record);
	free(l);
}
