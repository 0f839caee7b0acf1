/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stella-rti replay: serves capture files (raw GetEventsResponse messages,
 * docs/capture-format.md) and Tetragon JSON files (each record encoded to
 * a GetEventsResponse) as tetragon.FineGuidanceSensors/GetEvents, so that
 * demos, tests and benchmarks use the real gRPC path without Tetragon.
 * Inputs are loaded into memory first (capped by --max-bytes).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "rti/capture.h"
#include "rti/buf.h"
#include "rti/grpc.h"
#include "rti/input.h"
#include "rti/json.h"
#include "rti/opts.h"

struct store {
	struct rti_buf data;
	size_t *off;
	size_t n, cap;
	uint64_t skipped_unknown, skipped_bad, skipped_other;
};

static struct rti_grpc_server *volatile g_srv;
static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	struct rti_grpc_server *s = g_srv;

	g_stop = sig;
	if (s)
		rti_grpc_server_stop(s);
}

/* Marks the end of the message just appended to s->data. */
static int store_push(struct store *s)
{
	if (s->n + 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 1024;
		size_t *no = realloc(s->off, ncap * sizeof(*no));

		if (!no)
			return -ENOMEM;
		s->off = no;
		s->cap = ncap;
		if (s->n == 0)
			s->off[0] = 0;
	}
	s->off[++s->n] = s->data.len;
	return 0;
}

static int load_capture(struct store *s, const char *path)
{
	const char *why;
	struct rti_capture_reader *r = rti_capture_open(path, 0, &why);
	struct rti_capture_record rec;
	int k;

	if (!r) {
		fprintf(stderr, "stella-rti replay: %s: %s\n", path, why ? why : strerror(errno));
		return -1;
	}
	while ((k = rti_capture_next(r, &rec, &why)) == 1) {
		if (rec.type != RTI_CAP_MESSAGE) {
			s->skipped_other++;
			continue;
		}
		if (rti_buf_add(&s->data, rec.data, rec.len) || store_push(s)) {
			fprintf(stderr, "stella-rti replay: %s: inputs larger than --max-bytes\n", path);
			rti_capture_close_reader(r);
			return -1;
		}
	}
	rti_capture_close_reader(r);
	if (k < 0) {
		/* a capture cut short (agent killed) still serves what it holds */
		fprintf(stderr, "stella-rti replay: %s: %s; using the records before it\n", path,
			why ? why : strerror(-k));
	}
	return 0;
}

static int load_json(struct store *s, const char *path, struct rti_json_pb *conv)
{
	const char *const paths[] = { path };
	struct rti_input *in = rti_input_new(paths, 1, NULL);
	struct rti_input_record rec;
	char why[320];
	int rc = 0;
	int st;

	if (!in)
		return -1;
	while (!rc && (st = rti_input_next(in, &rec)) != RTI_INPUT_END) {
		int err;

		if (st == RTI_INPUT_OPEN_FAILED || st == RTI_INPUT_READ_ERROR) {
			fprintf(stderr, "stella-rti replay: %s: %s\n", path, rec.why);
			rc = -1;
			continue;
		}
		if (st == RTI_INPUT_BAD) {
			s->skipped_bad++;
			fprintf(stderr, "%s:%llu: %s (skipped)\n", path, (unsigned long long)rec.line,
				rec.why);
		}
		if (st != RTI_INPUT_RECORD)
			continue;
		err = rti_json_pb_encode(conv, rec.p, rec.n, &s->data, why, sizeof(why));
		if (err == -EINVAL) {
			s->skipped_bad++;
			fprintf(stderr, "%s:%llu: %s (skipped)\n", path, (unsigned long long)rec.line,
				why);
		} else if (err == -ENOTSUP) {
			s->skipped_unknown++;
		} else if (err || store_push(s)) {
			fprintf(stderr, "stella-rti replay: %s: inputs larger than --max-bytes\n", path);
			rc = -1;
		}
	}
	rti_input_free(in);
	return rc;
}

static int is_capture(const char *path)
{
	unsigned char h[RTI_CAPTURE_MAGIC_LEN];
	FILE *f = fopen(path, "rbe");
	size_t n;

	if (!f)
		return -1;
	n = fread(h, 1, sizeof(h), f);
	fclose(f);
	return rti_capture_sniff(h, n);
}

static void replay_usage(FILE *f)
{
	fputs("usage: stella-rti replay --listen TARGET [options] FILE...\n"
	      "\n"
	      "Serves capture files (stella-rti run --record) and Tetragon JSON files as\n"
	      "Tetragon's gRPC GetEvents stream. Every call gets the messages from the\n"
	      "start; then the stream stays open, as Tetragon's does, unless --end.\n"
	      "\n"
	      "  -l, --listen TARGET    unix:///path or host:port (port 0: any)\n"
	      "      --rate N           messages per second per stream (default: as fast\n"
	      "                         as the client reads)\n"
	      "      --loop             serve the inputs again and again\n"
	      "      --end              end the stream with grpc-status 0 after the inputs\n"
	      "      --gzip             compress messages (grpc-encoding gzip)\n"
	      "      --max-bytes N      memory for the loaded messages (default 1 GiB)\n"
	      "      --max-messages N   per stream, then hold (or --end); with --loop: a\n"
	      "                         workload of exactly N messages (soak tests)\n"
	      "      --ready-file FILE  write the address there once listening\n"
	      "      --quiet            no summary on stderr\n",
	      f);
}

enum { OPT_LISTEN = 'l', OPT_HELP = 'h', OPT_RATE = 0x200, OPT_LOOP, OPT_END, OPT_GZIP,
       OPT_MAX_BYTES, OPT_READY, OPT_QUIET_R, OPT_MAX_MESSAGES };

struct replay {
	struct rti_grpc_server_opts so;
	const char *ready;
	size_t max_bytes;
	bool quiet;
	struct store s;
	struct rti_json_pb *conv; /* made for the first JSON input */
};

/* 0, or an exit code for a usage error (message printed). */
static int replay_opt(struct replay *rp, int c, const char *arg)
{
	char *end;
	unsigned long long v;

	switch (c) {
	case OPT_RATE:
		rp->so.rate = strtod(arg, &end);
		if (*end || end == arg || rp->so.rate < 0 || rp->so.rate > 1e9) {
			fprintf(stderr, "stella-rti: --rate: expected messages per second\n");
			return EXIT_USAGE;
		}
		return 0;
	case OPT_MAX_BYTES:
		v = strtoull(arg, &end, 10);
		if (*end || v < 1024) {
			fprintf(stderr, "stella-rti: --max-bytes: expected a byte count >= 1024\n");
			return EXIT_USAGE;
		}
		rp->max_bytes = (size_t)v;
		return 0;
	case OPT_MAX_MESSAGES:
		v = strtoull(arg, &end, 10);
		if (*end || end == arg || v == 0) {
			fprintf(stderr, "stella-rti: --max-messages: expected a positive count\n");
			return EXIT_USAGE;
		}
		rp->so.max_messages = v;
		return 0;
	default:
		replay_usage(stderr);
		return EXIT_USAGE;
	}
}

/* -1 when the options are good, else the exit code to stop with. */
static int replay_opts(struct replay *rp, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "loop", no_argument, NULL, OPT_LOOP },
		{ "max-messages", required_argument, NULL, OPT_MAX_MESSAGES },
		{ "end", no_argument, NULL, OPT_END },
		{ "gzip", no_argument, NULL, OPT_GZIP },
		{ "max-bytes", required_argument, NULL, OPT_MAX_BYTES },
		{ "ready-file", required_argument, NULL, OPT_READY },
		{ "quiet", no_argument, NULL, OPT_QUIET_R },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int err = 0;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "l:h", longopts, NULL)) != -1) {
		if (c == OPT_LISTEN)
			rp->so.listen = optarg;
		else if (c == OPT_LOOP)
			rp->so.loop = true;
		else if (c == OPT_END)
			rp->so.end = RTI_GRPC_END_OK;
		else if (c == OPT_GZIP)
			rp->so.gzip = true;
		else if (c == OPT_READY)
			rp->ready = optarg;
		else if (c == OPT_QUIET_R)
			rp->quiet = true;
		else if (c != OPT_HELP)
			err = replay_opt(rp, c, optarg);
		if (c == OPT_HELP)
			replay_usage(stdout);
		if (c == OPT_HELP || err)
			return err;
	}
	if (!rp->so.listen || optind == argc) {
		fprintf(stderr, "stella-rti: replay needs --listen TARGET and at least one FILE\n");
		replay_usage(stderr);
		return EXIT_USAGE;
	}
	return -1;
}

/* Loads every input into the store. 0 or EXIT_IO (message printed). */
static int load_inputs(struct replay *rp, int argc, char **argv)
{
	for (int i = optind; i < argc; i++) {
		int cap = is_capture(argv[i]);
		int err;

		if (cap < 0) {
			fprintf(stderr, "stella-rti replay: %s: %s\n", argv[i], strerror(errno));
			return EXIT_IO;
		}
		if (cap) {
			err = load_capture(&rp->s, argv[i]);
		} else {
			if (!rp->conv)
				rp->conv = rti_json_pb_new();
			err = rp->conv ? load_json(&rp->s, argv[i], rp->conv) : -1;
		}
		if (err)
			return EXIT_IO;
	}
	if (rp->s.skipped_unknown)
		fprintf(stderr, "stella-rti replay: %llu records of unknown event kinds not served "
			"(no field of GetEventsResponse carries them)\n",
			(unsigned long long)rp->s.skipped_unknown);
	return 0;
}

/* The address, written to a temporary file renamed into place. */
static int write_ready(const char *ready, const char *addr)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", ready);
	f = fopen(tmp, "we");
	if (!f || fprintf(f, "%s\n", addr) < 0 || fclose(f) || rename(tmp, ready)) {
		fprintf(stderr, "stella-rti replay: --ready-file %s: %s\n", ready, strerror(errno));
		return EXIT_IO;
	}
	return 0;
}

static void print_summary(const struct rti_grpc_server_stats *st)
{
	fprintf(stderr, "stella-rti replay: summary\n"
		"  connections            %llu\n"
		"  streams                %llu (%llu calls rejected)\n"
		"  messages sent          %llu (%llu bytes)\n",
		(unsigned long long)st->connections, (unsigned long long)st->streams,
		(unsigned long long)st->rejected, (unsigned long long)st->messages,
		(unsigned long long)st->bytes);
}

/* Serves the store until stopped. The exit code; g_srv is left to free. */
static int serve(struct replay *rp)
{
	static const size_t zero[1] = { 0 };
	struct rti_grpc_msgset ms;
	struct sigaction sa;
	char why[300];
	int rc;

	ms.data = (const uint8_t *)rp->s.data.p;
	ms.off = rp->s.n ? rp->s.off : zero;
	ms.n = rp->s.n;
	rp->so.msgs = &ms;
	/* handlers first: a signal during startup still stops us cleanly */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	g_srv = rti_grpc_server_new(&rp->so, why, sizeof(why));
	if (!g_srv) {
		fprintf(stderr, "stella-rti replay: %s\n", why);
		return EXIT_IO;
	}
	if (g_stop)
		rti_grpc_server_stop(g_srv);
	fprintf(stderr, "stella-rti replay: serving %zu messages (%zu bytes) on %s%s%s\n",
		rp->s.n, rp->s.data.len, rti_grpc_server_address(g_srv),
		rp->so.loop ? ", looping" : "", rp->so.rate > 0 ? ", rate-limited" : "");
	if (rp->ready && write_ready(rp->ready, rti_grpc_server_address(g_srv)))
		return EXIT_IO;
	rc = EXIT_OK;
	if (rti_grpc_server_run(g_srv)) {
		fprintf(stderr, "stella-rti replay: %s\n", strerror(errno));
		rc = EXIT_IO;
	}
	if (!rp->quiet)
		print_summary(rti_grpc_server_stats(g_srv));
	return rc;
}

int cmd_replay(int argc, char **argv)
{
	struct replay rp;
	int rc;

	memset(&rp, 0, sizeof(rp));
	rp.so = RTI_OPTS_INIT(rti_grpc_server_opts);
	rp.max_bytes = (size_t)1 << 30;
	rc = replay_opts(&rp, argc, argv);
	if (rc >= 0)
		return rc;
	rti_buf_init(&rp.s.data, rp.max_bytes);
	rc = load_inputs(&rp, argc, argv);
	if (!rc)
		rc = serve(&rp);
	if (g_srv) {
		struct rti_grpc_server *srv = g_srv;

		g_srv = NULL;
		rti_grpc_server_free(srv);
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	rti_json_pb_free(rp.conv);
	rti_buf_release(&rp.s.data);
	free(rp.s.off);
	return rc;
}
