/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stella-rti run: live mode on Tetragon's gRPC stream. This file parses the
 * options and prints the summary; the live path itself (reader thread,
 * reconnects, queue, decode, record file) is the library's rti_live
 * (include/rti/live.h, docs/grpc.md).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "rti/config.h"
#include "rti/grpc.h"
#include "rti/live.h"
#include "rti/opts.h"
#include "rti/pipeline.h"
#include "summary.h"

#define MAX_FILTER 64

struct filter_args {
	const char *v[4][MAX_FILTER]; /* event types, namespaces, pod, binary */
	unsigned n[4];
};

/* What the command line says. */
struct run_args {
	struct rti_common co;
	struct filter_args allow, deny;
	struct rti_live_opts lo;
};

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

/* ---- command ---- */

static void run_usage(FILE *f)
{
	fputs("usage: stella-rti run [--tetragon TARGET] [options]\n"
	      "\n"
	      "Live mode: subscribes to Tetragon's gRPC event stream and writes canonical\n"
	      "RuntimeCallEvent v1 NDJSON. Reconnects with exponential backoff; SIGINT or\n"
	      "SIGTERM flush and exit. Every option is also a key of the agent's\n"
	      "configuration file (docs/agent.md); sizes 64KiB/4MiB/1GiB, durations\n"
	      "500ms/10s/5m (a bare number is seconds).\n"
	      "\n"
	      "  -t  --tetragon, -o --output, -p --policy: the short forms\n"
	      "      --output -       stdout (the default for run; rotation settings are\n"
	      "                       the agent's)\n",
	      f);
	rti_config_flag_help(f);
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


/* The options of the stream (not the pipeline's), parsed as the option
 * table says (rti/config.h): 0, or an exit code. */
static int stream_opt(struct rti_live_opts *lo, int c, const char *name)
{
	unsigned long long v = 0;
	char err[400];

	if (rti_config_flag_value(name, optarg, &v, err, sizeof(err))) {
		fprintf(stderr, "stella-rti: %s\n", err);
		return EXIT_USAGE;
	}
	switch (c) {
	case OPT_OVERFLOW:
		lo->overflow = v ? RTI_LIVE_OVERFLOW_BLOCK : RTI_LIVE_OVERFLOW_DROP;
		break;
	case OPT_QUEUE_SIZE:
		lo->queue_size = (size_t)v;
		break;
	case OPT_MAX_MESSAGE:
		lo->max_message = (size_t)v;
		break;
	case OPT_KEEPALIVE_PINGS:
		lo->keepalive_pings = (unsigned)v;
		break;
	case OPT_MAX_EVENTS:
		lo->max_events = v;
		break;
	case OPT_KEEPALIVE:
		lo->keepalive_ms = (unsigned)v;
		break;
	case OPT_KEEPALIVE_TIMEOUT:
		lo->keepalive_timeout_ms = (unsigned)v;
		break;
	case OPT_CONNECT_TIMEOUT:
		lo->connect_timeout_ms = (unsigned)v;
		break;
	case OPT_BACKOFF_INITIAL:
		lo->backoff_initial_ms = (unsigned)v;
		break;
	case OPT_BACKOFF_MAX:
		lo->backoff_max_ms = (unsigned)v;
		break;
	default:
		lo->duration_ms = (unsigned)v;
	}
	return 0;
}

/* One option of run's own. 0, or an exit code (-1: --help, exit 0). */
static int run_opt(struct run_args *a, int c, const char *opt)
{
	switch (c) {
	case OPT_TETRAGON:
		a->lo.target = optarg;
		return 0;
	case OPT_EVENT_TYPES:
	case OPT_NAMESPACE:
	case OPT_POD_REGEX:
	case OPT_BINARY_REGEX:
		return add_list(&a->allow, c - OPT_EVENT_TYPES, optarg, opt) ? EXIT_USAGE : 0;
	case OPT_DENY_EVENT_TYPES:
	case OPT_DENY_NAMESPACE:
	case OPT_DENY_POD_REGEX:
	case OPT_DENY_BINARY_REGEX:
		return add_list(&a->deny, c - OPT_DENY_EVENT_TYPES, optarg, opt) ? EXIT_USAGE : 0;
	case OPT_OVERFLOW:
	case OPT_QUEUE_SIZE:
	case OPT_MAX_MESSAGE:
	case OPT_KEEPALIVE:
	case OPT_KEEPALIVE_TIMEOUT:
	case OPT_CONNECT_TIMEOUT:
	case OPT_BACKOFF_INITIAL:
	case OPT_BACKOFF_MAX:
	case OPT_DURATION:
	case OPT_KEEPALIVE_PINGS:
	case OPT_MAX_EVENTS:
		return stream_opt(&a->lo, c, opt);
	case OPT_ONCE:
		a->lo.once = true;
		return 0;
	case OPT_RECORD:
		a->lo.record = optarg;
		return 0;
	case OPT_HELP:
		run_usage(stdout);
		return -1;
	default:
		run_usage(stderr);
		return EXIT_USAGE;
	}
}

/* --hot-flush-interval, --hot-flush-every as the option table says:
 * 1, or -1 (message printed). */
static int hot_opt(struct rti_common *co, int c, const char *name)
{
	unsigned long long v = 0;
	char err[400];

	if (rti_config_flag_value(name, optarg, &v, err, sizeof(err))) {
		fprintf(stderr, "stella-rti: %s\n", err);
		return -1;
	}
	if (c == OPT_HOT_FLUSH_INTERVAL)
		co->hot_interval = (unsigned)((v + 999) / 1000);
	else
		co->hot_every = v;
	return 1;
}

/* The command line into *a. 0, or an exit code (-1: exit 0). */
static int parse_args(struct run_args *a, int argc, char **argv)
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
	int c, li = -1;

	optind = 1;
	while ((c = getopt_long(argc, argv, RTI_COMMON_SHORTOPTS "t:h", longopts, &li)) != -1) {
		const char *name = li >= 0 ? longopts[li].name : "";
		int k = c == OPT_HOT_FLUSH_INTERVAL || c == OPT_HOT_FLUSH_EVERY
				? hot_opt(&a->co, c, name)
				: rti_common_opt(&a->co, c, optarg);

		li = -1;
		if (k < 0)
			return EXIT_USAGE;
		if (k > 0)
			continue;
		k = run_opt(a, c, name);
		if (k)
			return k;
	}
	if (optind != argc) {
		fprintf(stderr, "stella-rti: run takes no file arguments (did you mean convert?)\n");
		return EXIT_USAGE;
	}
	return 0;
}

/*
 * The request and the target, checked before the pipeline is built (which
 * creates the output): 0, or EXIT_USAGE (message printed). *req is
 * malloc'ed.
 */
static int check_stream(struct run_args *a, uint8_t **req)
{
	struct rti_grpc_filter fa, fd;
	struct rti_grpc_addr addr;
	char err[300];

	to_filter(&a->allow, &fa);
	to_filter(&a->deny, &fd);
	if (rti_grpc_events_request(&fa, &fd, req, &a->lo.request_len, err, sizeof(err))) {
		fprintf(stderr, "stella-rti: %s\n", err);
		return EXIT_USAGE;
	}
	a->lo.request = *req;
	if (rti_grpc_addr_parse(a->lo.target, &addr, err, sizeof(err))) {
		fprintf(stderr, "stella-rti: --tetragon %s\n", err);
		return EXIT_USAGE;
	}
	return 0;
}

/* rti_live_new failed: the message and the exit code. */
static int live_failed(const struct rti_live_opts *lo)
{
	int e = errno;

	if (e == ENOMEM) {
		fprintf(stderr, "stella-rti: out of memory\n");
		return EXIT_IO;
	}
	if (lo->record) {
		fprintf(stderr, "stella-rti: --record %s: %s\n", lo->record, strerror(e));
		return EXIT_IO;
	}
	fprintf(stderr, "stella-rti: %s\n", strerror(e));
	return EXIT_USAGE;
}

/* Commits the hot index when its interval is due, also when no event
 * arrives (bounds what a crash can lose). */
static void on_idle(void *ctx)
{
	struct rti_common *co = ctx;

	if (co->hot)
		rti_hotsym_maybe_flush(co->hot);
}

/* The writer loop on this thread until the run ends: 0 or EXIT_IO. */
static int stream(struct rti_live *live)
{
	bool stopped = false;
	int k;

	while ((k = rti_live_step(live, 100)) > 0) {
		/* SIGINT/SIGTERM: what is queued is still written */
		if (rti_cli_stop && !stopped) {
			rti_live_stop(live);
			stopped = true;
		}
	}
	return k ? EXIT_IO : EXIT_OK;
}

static void print_summary(struct rti_live *live, struct rti_pipeline *p)
{
	struct rti_live_stats ls;
	struct rti_summary sum;

	rti_live_get_stats(live, &ls);
	memset(&sum, 0, sizeof(sum));
	sum.lines = ls.processed;
	sum.bytes = ls.wire_bytes;
	rti_summary_print(stderr, "run", &sum, rti_pipeline_stats(p), rti_cli_stop != 0);
	rti_live_print_summary(live, stderr);
}

int cmd_run(int argc, char **argv)
{
	struct run_args a;
	struct rti_pipeline *p = NULL;
	struct rti_live *live = NULL;
	uint8_t *req = NULL;
	bool ran = false;
	int rc;

	memset(&a, 0, sizeof(a));
	rti_common_init(&a.co);
	a.lo = RTI_OPTS_INIT(rti_live_opts, .target = RTI_GRPC_DEFAULT_TARGET,
			     .idle = on_idle, .idle_ctx = &a.co);
	rc = parse_args(&a, argc, argv);
	if (rc < 0)
		return EXIT_OK;
	if (!rc)
		rc = check_stream(&a, &req);
	if (rc)
		goto out;
	a.co.live = true; /* the stream cannot be replayed: see rti_hotsym_opts */
	rc = rti_common_setup(&a.co, &p);
	if (rc)
		goto out;
	live = rti_live_new(&a.lo, p);
	if (!live) {
		rc = live_failed(&a.lo);
		goto out;
	}
	rti_cli_install_signals();
	if (rti_live_start(live)) {
		fprintf(stderr, "stella-rti: cannot start the reader thread\n");
		rc = EXIT_IO;
		goto out;
	}
	ran = true;
	rc = stream(live);
	if (!a.co.quiet)
		print_summary(live, p);
out:
	free(req);
	rti_live_free(live);
	if (p) {
		int trc;

		/* nothing ran: no counters to report */
		if (!ran)
			a.co.quiet = true;
		trc = rti_common_teardown(&a.co, p);
		if (trc && !rc)
			rc = trc;
	}
	return rc;
}
