/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stella-rti run: live mode on Tetragon's gRPC stream.
 *
 * Two threads and a bounded queue between them (docs/grpc.md):
 *   reader  socket -> HTTP/2 -> gRPC messages -> queue (raw bytes). It does
 *           nothing else, so it keeps up with Tetragon whatever the output
 *           does; when the queue is full it drops (counted) or, with
 *           --overflow=block, waits.
 *   writer  (main thread) queue -> protobuf decode into the pipeline arena
 *           -> pipeline -> sinks; also writes --record captures.
 * The reader reconnects with exponential backoff and jitter on a fresh
 * connection each time and logs every disconnect with its reason.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "grpc/net.h"
#include "ingest/capture.h"
#include "ingest/queue.h"
#include "pipeline/pipeline_int.h" /* rti_pipeline_arena: moves to src/live/ with this code */
#include "rti/grpc.h"
#include "rti/pipeline.h"
#include "summary.h"
#include "tetragon/pb_decode.h"
#include "util/arena.h"

#define MAX_FILTER 64
#define BAD_LOG_FIRST 10
#define BAD_LOG_EVERY 10000

enum { Q_MSG = 1, Q_CONNECTED = 2, Q_DISCONNECTED = 3 };

struct filter_args {
	const char *v[4][MAX_FILTER]; /* event types, namespaces, pod, binary */
	unsigned n[4];
};

struct run {
	/* options */
	const char *target;
	struct rti_grpc_client *client;
	struct rti_queue *q;
	bool once;
	unsigned backoff_initial_ms, backoff_max_ms;
	/* reader state (read by the writer after join only, unless atomic) */
	pthread_t reader;
	uint64_t start_ns;
	uint64_t disc_since;           /* 0 = connected */
	uint64_t disc_ns, disc_before_first_ns;
	uint64_t gaps;                 /* disconnects after being connected */
	uint64_t calls, connections;
	uint64_t messages, wire_bytes, compressed, pings;
	bool too_many_pings;
	int last_status;
	char last_reason[512];
	atomic_bool ever_connected;
	atomic_bool reader_done;
};

static int parse_secs(const char *s, unsigned *ms, double min, double max)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v < min || v > max)
		return -1;
	*ms = (unsigned)(v * 1000.0 + 0.5);
	return 0;
}

/* 4096, 64K, 4M, 1G */
static int parse_size(const char *s, size_t *out, size_t min, size_t max)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s)
		return -1;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	else if (*end == 'g' || *end == 'G')
		v <<= 30, end++;
	if (*end || v < min || v > max)
		return -1;
	*out = (size_t)v;
	return 0;
}

/* Splits a comma-separated list into fa->v[k]; "" is one empty item. */
static int add_list(struct filter_args *fa, int k, char *arg, const char *opt)
{
	char *s = arg;

	for (;;) {
		char *c = strchr(s, ',');

		if (fa->n[k] >= MAX_FILTER) {
			fprintf(stderr, "stella-rti: %s: more than %d values\n", opt, MAX_FILTER);
			return -1;
		}
		if (c)
			*c = '\0';
		fa->v[k][fa->n[k]++] = s;
		if (!c)
			return 0;
		s = c + 1;
	}
}

static void to_filter(const struct filter_args *fa, struct rti_grpc_filter *f)
{
	f->event_types = fa->v[0];
	f->n_event_types = fa->n[0];
	f->namespaces = fa->v[1];
	f->n_namespaces = fa->n[1];
	f->pod_regex = fa->v[2];
	f->n_pod_regex = fa->n[2];
	f->binary_regex = fa->v[3];
	f->n_binary_regex = fa->n[3];
}

/* ---- reader thread ---- */

static void on_connected(void *ctx)
{
	struct run *r = ctx;
	uint64_t now = rti_now_ns();
	const char *t = r->target;

	if (r->disc_since) {
		uint64_t d = now - r->disc_since;

		r->disc_ns += d;
		if (!atomic_load(&r->ever_connected))
			r->disc_before_first_ns += d;
		r->disc_since = 0;
	}
	r->connections++;
	if (r->connections == 1)
		fprintf(stderr, "stella-rti run: connected to %s\n", t);
	else
		fprintf(stderr, "stella-rti run: reconnected to %s (connection %llu)\n", t,
			(unsigned long long)r->connections);
	atomic_store(&r->ever_connected, true);
	rti_queue_push(r->q, Q_CONNECTED, rti_wall_ns(), t, strlen(t));
}

static int on_message(void *ctx, const uint8_t *msg, size_t len)
{
	struct run *r = ctx;
	int err = rti_queue_push(r->q, Q_MSG, rti_wall_ns(), msg, len);

	/* -ENOBUFS: dropped and counted by the queue; keep reading */
	return err == -EPIPE || err == -ENOMEM ? err : 0;
}

static void *reader_main(void *arg)
{
	struct run *r = arg;
	struct rti_grpc_handler h = { on_connected, on_message };
	uint64_t seed = rti_wall_ns() ^ (uint64_t)getpid();
	unsigned attempt = 0;

	r->disc_since = rti_now_ns();
	while (!rti_grpc_client_stopped(r->client)) {
		struct rti_grpc_call_info in;
		unsigned delay;
		bool was_up;

		r->calls++;
		rti_grpc_client_call(r->client, &h, r, &in);
		r->messages += in.messages;
		r->wire_bytes += in.wire_bytes;
		r->compressed += in.compressed;
		r->pings += in.pings;
		r->too_many_pings |= in.too_many_pings;
		was_up = in.connected;
		r->last_status = in.status;
		snprintf(r->last_reason, sizeof(r->last_reason), "%s: %s%s%s%s",
			 rti_grpc_code_name(in.status),
			 in.message[0] ? in.message
			 : in.status == RTI_GRPC_OK ? "the server ended the stream"
						    : "no message",
			 in.detail[0] ? " [" : "", in.detail, in.detail[0] ? "]" : "");
		/* our own stop is not a gap in the data */
		if (rti_grpc_client_stopped(r->client) && in.status == RTI_GRPC_CANCELLED)
			break;
		if (was_up) {
			r->disc_since = rti_now_ns();
			r->gaps++;
		}
		if (was_up) {
			fprintf(stderr, "stella-rti run: disconnected after %.3f s and %llu messages: %s\n",
				(double)in.connected_ns / 1e9, (unsigned long long)in.messages,
				r->last_reason);
			rti_queue_push(r->q, Q_DISCONNECTED, rti_wall_ns(), r->last_reason,
				       strlen(r->last_reason));
		} else {
			fprintf(stderr, "stella-rti run: cannot connect: %s\n", r->last_reason);
		}
		if (in.too_many_pings)
			fprintf(stderr, "stella-rti run: server says too_many_pings: keepalive interval now %.1f s\n",
				rti_grpc_client_keepalive_ms(r->client) / 1000.0);
		if (r->once)
			break;
		/* a healthy stream resets the backoff; a flapping one does not */
		if (was_up && (in.messages > 0 || in.connected_ns >= 10000000000ull))
			attempt = 0;
		delay = rti_grpc_backoff_ms(attempt, r->backoff_initial_ms, r->backoff_max_ms,
					    &seed);
		if (attempt < 32)
			attempt++;
		fprintf(stderr, "stella-rti run: reconnecting in %.3f s\n", delay / 1000.0);
		if (rti_grpc_client_sleep(r->client, delay))
			break;
	}
	if (r->disc_since) {
		uint64_t d = rti_now_ns() - r->disc_since;

		r->disc_ns += d;
		if (!atomic_load(&r->ever_connected))
			r->disc_before_first_ns += d;
		r->disc_since = 0;
	}
	rti_queue_close(r->q);
	atomic_store(&r->reader_done, true);
	return NULL;
}

/* ---- summary ---- */

static void print_run_summary(FILE *f, const struct run *r, const struct rti_queue_stats *qs,
			      bool block, uint64_t processed, uint64_t bad_pb)
{
	struct rusage ru;
	double cpu;

	fprintf(f, "  gRPC stream            %s\n", r->target);
	fprintf(f, "    messages received    %llu (%llu bytes on the wire, %llu compressed)\n",
		(unsigned long long)r->messages, (unsigned long long)r->wire_bytes,
		(unsigned long long)r->compressed);
	fprintf(f, "    messages processed   %llu (%llu not decodable)\n",
		(unsigned long long)processed, (unsigned long long)bad_pb);
	fprintf(f, "    queue dropped        %llu messages, %llu bytes (overflow=%s%s)\n",
		(unsigned long long)qs->dropped, (unsigned long long)qs->dropped_bytes,
		block ? "block" : "drop",
		qs->dropped ? "; the output could not keep up" : "");
	fprintf(f, "    queue high water     %llu of %zu bytes",
		(unsigned long long)qs->high_water, qs->capacity);
	if (block)
		fprintf(f, "; reader blocked %.3f s", (double)qs->blocked_ns / 1e9);
	fputc('\n', f);
	fprintf(f, "    connections          %llu (%llu attempts, %llu reconnects)\n",
		(unsigned long long)r->connections, (unsigned long long)r->calls,
		(unsigned long long)(r->calls ? r->calls - 1 : 0));
	fprintf(f, "    time disconnected    %.3f s (%.3f s before the first connection, %llu gaps after it)\n",
		(double)r->disc_ns / 1e9, (double)r->disc_before_first_ns / 1e9,
		(unsigned long long)r->gaps);
	/* connecting takes a few ms; a failed attempt or a gap is real loss */
	if (r->gaps || r->calls > r->connections)
		fprintf(f, "                         events Tetragon emitted while disconnected are lost (no resume)\n");
	if (r->last_reason[0])
		fprintf(f, "    last status          %s\n", r->last_reason);
	fprintf(f, "    keepalive            %llu pings; interval %.1f s%s\n",
		(unsigned long long)r->pings, rti_grpc_client_keepalive_ms(r->client) / 1000.0,
		r->too_many_pings ? " (doubled after too_many_pings)" : "");
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		      (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
		fprintf(f, "    client CPU           %.3f s (%.2f us per message), peak RSS %ld KiB\n",
			cpu, processed ? cpu * 1e6 / (double)processed : 0.0, ru.ru_maxrss);
	}
}

/* ---- command ---- */

static void run_usage(FILE *f)
{
	fputs("usage: stella-rti run [--tetragon TARGET] [options]\n"
	      "\n"
	      "Live mode: subscribes to Tetragon's gRPC event stream and writes canonical\n"
	      "RuntimeCallEvent v1 NDJSON. Reconnects with exponential backoff; SIGINT or\n"
	      "SIGTERM flush and exit.\n"
	      "\n"
	      "  -t, --tetragon TARGET  unix:///path or host:port\n"
	      "                         (default " RTI_GRPC_DEFAULT_TARGET ")\n"
	      RTI_COMMON_HELP
	      "Server-side filters (GetEventsRequest; comma lists, repeatable):\n"
	      "      --event-types LIST  e.g. PROCESS_KPROBE,PROCESS_EXEC (or kprobe,exec)\n"
	      "      --namespace LIST    Kubernetes namespaces ('' = host processes)\n"
	      "      --pod-regex RE      --binary-regex RE\n"
	      "      --deny-event-types, --deny-namespace, --deny-pod-regex,\n"
	      "      --deny-binary-regex  the same for the deny list\n"
	      "Stream:\n"
	      "      --overflow drop|block  when the output falls behind (default drop:\n"
	      "                         a stalled reader makes Tetragon drop silently)\n"
	      "      --queue-size BYTES  reader->writer queue (default 4M)\n"
	      "      --max-message-size BYTES  largest message accepted (default 16M)\n"
	      "      --keepalive SECS    idle time before a PING (default 300)\n"
	      "      --keepalive-timeout SECS  PING ack deadline (default 20)\n"
	      "      --keepalive-pings N  PINGs per idle period (default 2, grpc's policy)\n"
	      "      --connect-timeout SECS  (default 10)\n"
	      "      --backoff-initial SECS, --backoff-max SECS  reconnect delays (0.5, 30)\n"
	      "      --once              do not reconnect; exit when the stream ends\n"
	      "      --record FILE       also store the raw messages (capture format)\n"
	      "      --max-events N      stop after N messages\n"
	      "      --duration SECS     stop after SECS\n",
	      f);
}

enum {
	OPT_TETRAGON = 't',
	OPT_HELP = 'h',
	OPT_EVENT_TYPES = OPT_COMMON__END,
	OPT_NAMESPACE,
	OPT_POD_REGEX,
	OPT_BINARY_REGEX,
	OPT_DENY_EVENT_TYPES,
	OPT_DENY_NAMESPACE,
	OPT_DENY_POD_REGEX,
	OPT_DENY_BINARY_REGEX,
	OPT_OVERFLOW,
	OPT_QUEUE_SIZE,
	OPT_MAX_MESSAGE,
	OPT_KEEPALIVE,
	OPT_KEEPALIVE_TIMEOUT,
	OPT_KEEPALIVE_PINGS,
	OPT_CONNECT_TIMEOUT,
	OPT_BACKOFF_INITIAL,
	OPT_BACKOFF_MAX,
	OPT_ONCE,
	OPT_RECORD,
	OPT_MAX_EVENTS,
	OPT_DURATION,
};

struct writer {
	struct rti_pipeline *p;
	struct rti_capture_writer *rec;
	const char *rec_path;
	uint64_t processed, bad_pb, bad_event;
	bool dirty;
	int rc;
};

/* One queue item. 0, or an exit code to stop with. */
static int handle_item(struct writer *w, const struct rti_queue_item *it)
{
	struct rti_decode_error de;
	struct rti_event ev;
	struct rti_diag d;
	int err;

	if (w->rec) {
		uint8_t type = it->type == Q_MSG ? RTI_CAP_MESSAGE
			       : it->type == Q_CONNECTED ? RTI_CAP_CONNECTED
							  : RTI_CAP_DISCONNECTED;

		err = rti_capture_write(w->rec, type, it->time_ns, it->data, it->len);
		if (err) {
			fprintf(stderr, "stella-rti run: --record %s: %s\n", w->rec_path,
				strerror(-err));
			return EXIT_IO;
		}
	}
	if (it->type != Q_MSG)
		return 0;
	w->processed++;
	rti_arena_reset(rti_pipeline_arena(w->p));
	if (rti_pb_decode(it->data, it->len, rti_pipeline_arena(w->p), &ev, &de)) {
		w->bad_pb++;
		if (w->bad_pb <= BAD_LOG_FIRST || w->bad_pb % BAD_LOG_EVERY == 0)
			fprintf(stderr, "stella-rti run: message %llu: %s (%zu bytes)%s\n",
				(unsigned long long)w->processed, de.msg, it->len,
				w->bad_pb == BAD_LOG_FIRST ? "; further ones are counted, one logged per 10000" : "");
		return 0;
	}
	err = rti_pipeline_feed_event(w->p, &ev, &d);
	if (err == -EINVAL) {
		w->bad_event++;
		if (w->bad_event <= BAD_LOG_FIRST || w->bad_event % BAD_LOG_EVERY == 0)
			fprintf(stderr, "stella-rti run: message %llu: %s\n",
				(unsigned long long)w->processed, d.msg);
		return 0;
	}
	if (err) {
		fprintf(stderr, "stella-rti run: %s\n", d.msg);
		return EXIT_IO;
	}
	w->dirty = true;
	return 0;
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		RTI_COMMON_LONGOPTS,
		{ "tetragon", required_argument, NULL, OPT_TETRAGON },
		{ "event-types", required_argument, NULL, OPT_EVENT_TYPES },
		{ "namespace", required_argument, NULL, OPT_NAMESPACE },
		{ "pod-regex", required_argument, NULL, OPT_POD_REGEX },
		{ "binary-regex", required_argument, NULL, OPT_BINARY_REGEX },
		{ "deny-event-types", required_argument, NULL, OPT_DENY_EVENT_TYPES },
		{ "deny-namespace", required_argument, NULL, OPT_DENY_NAMESPACE },
		{ "deny-pod-regex", required_argument, NULL, OPT_DENY_POD_REGEX },
		{ "deny-binary-regex", required_argument, NULL, OPT_DENY_BINARY_REGEX },
		{ "overflow", required_argument, NULL, OPT_OVERFLOW },
		{ "queue-size", required_argument, NULL, OPT_QUEUE_SIZE },
		{ "max-message-size", required_argument, NULL, OPT_MAX_MESSAGE },
		{ "keepalive", required_argument, NULL, OPT_KEEPALIVE },
		{ "keepalive-timeout", required_argument, NULL, OPT_KEEPALIVE_TIMEOUT },
		{ "keepalive-pings", required_argument, NULL, OPT_KEEPALIVE_PINGS },
		{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
		{ "backoff-initial", required_argument, NULL, OPT_BACKOFF_INITIAL },
		{ "backoff-max", required_argument, NULL, OPT_BACKOFF_MAX },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "max-events", required_argument, NULL, OPT_MAX_EVENTS },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct rti_common co;
	struct filter_args allow, deny;
	struct rti_grpc_filter fa, fd;
	struct rti_grpc_client_opts copts;
	struct rti_queue_opts qo;
	struct run r;
	struct writer w;
	struct rti_summary sum;
	struct rti_stats st;
	struct rti_queue_stats qs;
	sigset_t block_sigs, old_sigs;
	uint8_t *req = NULL;
	size_t req_len = 0;
	unsigned long long max_events = 0;
	unsigned duration_ms = 0;
	bool stopping = false;
	bool drain = true;
	char err[300];
	int c;

	rti_common_init(&co);
	memset(&allow, 0, sizeof(allow));
	memset(&deny, 0, sizeof(deny));
	memset(&copts, 0, sizeof(copts));
	copts.sz = sizeof(copts);
	memset(&qo, 0, sizeof(qo));
	qo.sz = sizeof(qo);
	memset(&r, 0, sizeof(r));
	r.target = RTI_GRPC_DEFAULT_TARGET;
	r.backoff_initial_ms = 500;
	r.backoff_max_ms = 30000;
	memset(&w, 0, sizeof(w));
	optind = 1;
	while ((c = getopt_long(argc, argv, RTI_COMMON_SHORTOPTS "t:h", longopts, NULL)) != -1) {
		int k = rti_common_opt(&co, c, optarg);

		if (k < 0)
			return EXIT_USAGE;
		if (k > 0)
			continue;
		switch (c) {
		case OPT_TETRAGON:
			r.target = optarg;
			break;
		case OPT_EVENT_TYPES:
		case OPT_NAMESPACE:
		case OPT_POD_REGEX:
		case OPT_BINARY_REGEX:
			if (add_list(&allow, c - OPT_EVENT_TYPES, optarg, argv[optind - 1]))
				return EXIT_USAGE;
			break;
		case OPT_DENY_EVENT_TYPES:
		case OPT_DENY_NAMESPACE:
		case OPT_DENY_POD_REGEX:
		case OPT_DENY_BINARY_REGEX:
			if (add_list(&deny, c - OPT_DENY_EVENT_TYPES, optarg, argv[optind - 1]))
				return EXIT_USAGE;
			break;
		case OPT_OVERFLOW:
			if (!strcmp(optarg, "drop")) {
				qo.block = false;
			} else if (!strcmp(optarg, "block")) {
				qo.block = true;
			} else {
				fprintf(stderr, "stella-rti: --overflow: expected drop or block\n");
				return EXIT_USAGE;
			}
			break;
		case OPT_QUEUE_SIZE:
			if (parse_size(optarg, &qo.capacity, 64 << 10, (size_t)1 << 30)) {
				fprintf(stderr, "stella-rti: --queue-size: expected 64K..1G\n");
				return EXIT_USAGE;
			}
			break;
		case OPT_MAX_MESSAGE:
			if (parse_size(optarg, &copts.max_message, 1 << 10, (size_t)1 << 30)) {
				fprintf(stderr, "stella-rti: --max-message-size: expected 1K..1G\n");
				return EXIT_USAGE;
			}
			break;
		case OPT_KEEPALIVE:
		case OPT_KEEPALIVE_TIMEOUT:
		case OPT_CONNECT_TIMEOUT:
		case OPT_BACKOFF_INITIAL:
		case OPT_BACKOFF_MAX:
		case OPT_DURATION: {
			unsigned *dst = c == OPT_KEEPALIVE ? &copts.keepalive_ms
					: c == OPT_KEEPALIVE_TIMEOUT ? &copts.keepalive_timeout_ms
					: c == OPT_CONNECT_TIMEOUT ? &copts.connect_timeout_ms
					: c == OPT_BACKOFF_INITIAL ? &r.backoff_initial_ms
					: c == OPT_BACKOFF_MAX ? &r.backoff_max_ms
								 : &duration_ms;

			if (parse_secs(optarg, dst, 0.001, 7 * 86400.0)) {
				fprintf(stderr, "stella-rti: %s: expected seconds (0.001 to 604800)\n",
					argv[optind - 1]);
				return EXIT_USAGE;
			}
			break;
		}
		case OPT_KEEPALIVE_PINGS: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || end == optarg || v < 1 || v > 1000) {
				fprintf(stderr, "stella-rti: --keepalive-pings: expected 1..1000\n");
				return EXIT_USAGE;
			}
			copts.max_pings_without_data = (unsigned)v;
			break;
		}
		case OPT_ONCE:
			r.once = true;
			break;
		case OPT_RECORD:
			w.rec_path = optarg;
			break;
		case OPT_MAX_EVENTS: {
			char *end;

			max_events = strtoull(optarg, &end, 10);
			if (*end || end == optarg || max_events == 0) {
				fprintf(stderr, "stella-rti: --max-events: expected a positive number\n");
				return EXIT_USAGE;
			}
			break;
		}
		case OPT_HELP:
			run_usage(stdout);
			return EXIT_OK;
		default:
			run_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "stella-rti: run takes no file arguments (did you mean convert?)\n");
		return EXIT_USAGE;
	}
	if (r.backoff_max_ms < r.backoff_initial_ms)
		r.backoff_max_ms = r.backoff_initial_ms;
	to_filter(&allow, &fa);
	to_filter(&deny, &fd);
	if (rti_grpc_events_request(&fa, &fd, &req, &req_len, err, sizeof(err))) {
		fprintf(stderr, "stella-rti: %s\n", err);
		return EXIT_USAGE;
	}
	copts.target = r.target;
	copts.request = req;
	copts.request_len = req_len;
	r.client = rti_grpc_client_new(&copts);
	free(req);
	if (!r.client) {
		struct rti_grpc_addr a;

		if (errno == EINVAL && rti_grpc_addr_parse(r.target, &a, err, sizeof(err)))
			fprintf(stderr, "stella-rti: --tetragon %s\n", err);
		else
			fprintf(stderr, "stella-rti: %s\n", strerror(errno));
		return EXIT_USAGE;
	}
	co.live = true; /* the stream cannot be replayed: see rti_hotsym_opts */
	{
		int rc = rti_common_setup(&co, &w.p);

		if (rc) {
			rti_grpc_client_free(r.client);
			return rc;
		}
	}
	if (w.rec_path) {
		w.rec = rti_capture_create(w.rec_path);
		if (!w.rec) {
			fprintf(stderr, "stella-rti: --record %s: %s\n", w.rec_path, strerror(errno));
			rti_pipeline_free(w.p);
			rti_grpc_client_free(r.client);
			return EXIT_IO;
		}
	}
	r.q = rti_queue_new(&qo);
	if (!r.q) {
		fprintf(stderr, "stella-rti: out of memory\n");
		rti_capture_close(w.rec);
		rti_pipeline_free(w.p);
		rti_grpc_client_free(r.client);
		return EXIT_IO;
	}
	rti_cli_install_signals();
	r.start_ns = rti_now_ns();
	/* signals go to this (the writer) thread, never to the reader */
	sigemptyset(&block_sigs);
	sigaddset(&block_sigs, SIGINT);
	sigaddset(&block_sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block_sigs, &old_sigs);
	if (pthread_create(&r.reader, NULL, reader_main, &r)) {
		pthread_sigmask(SIG_SETMASK, &old_sigs, NULL);
		fprintf(stderr, "stella-rti: cannot start the reader thread\n");
		rti_queue_free(r.q);
		rti_capture_close(w.rec);
		rti_pipeline_free(w.p);
		rti_grpc_client_free(r.client);
		return EXIT_IO;
	}
	pthread_sigmask(SIG_SETMASK, &old_sigs, NULL);

	for (;;) {
		struct rti_queue_item it;
		int k = rti_queue_peek(r.q, &it, 0);

		if (k == 0) {
			/* idle: make the output visible now */
			if (w.dirty) {
				rti_pipeline_flush(w.p);
				if (w.rec)
					rti_capture_flush(w.rec);
				w.dirty = false;
			}
			/* commits the hot index when its interval is due, also
			 * when no event arrives (bounds what a crash can lose) */
			if (co.hot)
				rti_hotsym_maybe_flush(co.hot);
			k = rti_queue_peek(r.q, &it, 100);
		}
		if (k < 0)
			break;
		if (k == 1) {
			if (drain) {
				int rc = handle_item(&w, &it);

				if (rc) {
					w.rc = rc;
					drain = false;
				}
			}
			rti_queue_release(r.q);
			if (max_events && w.processed >= max_events)
				drain = false;
		}
		if (!stopping && (rti_cli_stop || !drain ||
				  (duration_ms && rti_now_ns() - r.start_ns >= duration_ms * 1000000ull))) {
			stopping = true;
			rti_grpc_client_stop(r.client);
			/* SIGINT/--duration: finish what is queued; else wake the reader */
			if (!drain)
				rti_queue_abort(r.q);
		}
	}
	pthread_join(r.reader, NULL);
	if (rti_pipeline_flush(w.p) && !w.rc) {
		fprintf(stderr, "stella-rti run: writing output: %s\n", strerror(errno));
		w.rc = EXIT_IO;
	}
	if (w.rec) {
		int e = rti_capture_close(w.rec);

		if (e && !w.rc) {
			fprintf(stderr, "stella-rti run: --record %s: %s\n", w.rec_path, strerror(-e));
			w.rc = EXIT_IO;
		}
	}
	if (r.once && !w.rc && !stopping && r.last_status != RTI_GRPC_OK)
		w.rc = EXIT_IO;
	rti_queue_get_stats(r.q, &qs);
	if (!co.quiet) {
		memset(&sum, 0, sizeof(sum));
		st = *rti_pipeline_stats(w.p);
		/* records fed through rti_pipeline_feed_event are ours to count */
		st.records += w.processed;
		st.bad_records += w.bad_pb;
		sum.lines = w.processed;
		sum.bytes = r.wire_bytes;
		rti_summary_print(stderr, "run", &sum, &st, rti_cli_stop != 0);
		print_run_summary(stderr, &r, &qs, qo.block, w.processed, w.bad_pb);
	}
	rti_queue_free(r.q);
	{
		int trc = rti_common_teardown(&co, w.p);

		if (trc && !w.rc)
			w.rc = trc;
	}
	rti_grpc_client_free(r.client);
	return w.rc;
}
