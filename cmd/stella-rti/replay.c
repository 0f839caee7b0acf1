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
#include "grpc/event_encode.h"
#include "ingest/capture.h"
#include "ingest/records.h"
#include "rti/buf.h"
#include "rti/grpc.h"
#include "tetragon/json_decode.h"
#include "util/arena.h"

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

static int load_json(struct store *s, const char *path, struct rti_json_decoder *dec,
		     struct rti_arena *a, struct rti_arena *ea)
{
	struct rti_records_opts ro;
	struct rti_records *r;
	struct rti_record rec;
	int st;

	memset(&ro, 0, sizeof(ro));
	r = rti_records_open(path, &ro);
	if (!r) {
		fprintf(stderr, "stella-rti replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((st = rti_records_next(r, &rec)) != RTI_REC_EOF) {
		struct rti_decode_error de;
		struct rti_event ev;
		int err;

		if (st == RTI_REC_ERROR) {
			fprintf(stderr, "stella-rti replay: %s: %s\n", path, rec.why);
			rti_records_close(r);
			return -1;
		}
		if (st == RTI_REC_BAD) {
			s->skipped_bad++;
			fprintf(stderr, "%s:%llu: %s (skipped)\n", path,
				(unsigned long long)rec.line, rec.why);
			continue;
		}
		rti_arena_reset(a);
		rti_arena_reset(ea);
		if (rti_json_decode(dec, rec.p, rec.n, a, &ev, &de)) {
			s->skipped_bad++;
			fprintf(stderr, "%s:%llu: %s (skipped)\n", path,
				(unsigned long long)rec.line, de.msg);
			continue;
		}
		err = rti_event_encode_pb(&ev, ea, &s->data);
		if (err == -ENOTSUP) {
			s->skipped_unknown++;
			continue;
		}
		if (err || store_push(s)) {
			fprintf(stderr, "stella-rti replay: %s: inputs larger than --max-bytes\n", path);
			rti_records_close(r);
			return -1;
		}
	}
	rti_records_close(r);
	return 0;
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
	      "      --ready-file FILE  write the address there once listening\n"
	      "      --quiet            no summary on stderr\n",
	      f);
}

enum { OPT_LISTEN = 'l', OPT_HELP = 'h', OPT_RATE = 0x200, OPT_LOOP, OPT_END, OPT_GZIP,
       OPT_MAX_BYTES, OPT_READY, OPT_QUIET_R };

int cmd_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "loop", no_argument, NULL, OPT_LOOP },
		{ "end", no_argument, NULL, OPT_END },
		{ "gzip", no_argument, NULL, OPT_GZIP },
		{ "max-bytes", required_argument, NULL, OPT_MAX_BYTES },
		{ "ready-file", required_argument, NULL, OPT_READY },
		{ "quiet", no_argument, NULL, OPT_QUIET_R },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct rti_grpc_server_opts so;
	struct rti_grpc_msgset ms;
	struct store s;
	struct rti_json_decoder *dec = NULL;
	struct rti_arena a, ea;
	const char *ready = NULL;
	size_t max_bytes = (size_t)1 << 30;
	bool quiet = false;
	struct sigaction sa;
	char why[300];
	int rc = EXIT_OK;
	int c;

	memset(&so, 0, sizeof(so));
	so.sz = sizeof(so);
	optind = 1;
	while ((c = getopt_long(argc, argv, "l:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_LISTEN:
			so.listen = optarg;
			break;
		case OPT_RATE: {
			char *end;

			so.rate = strtod(optarg, &end);
			if (*end || end == optarg || so.rate < 0 || so.rate > 1e9) {
				fprintf(stderr, "stella-rti: --rate: expected messages per second\n");
				return EXIT_USAGE;
			}
			break;
		}
		case OPT_LOOP:
			so.loop = true;
			break;
		case OPT_END:
			so.end = RTI_GRPC_END_OK;
			break;
		case OPT_GZIP:
			so.gzip = true;
			break;
		case OPT_MAX_BYTES: {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 10);

			if (*end || v < 1024) {
				fprintf(stderr, "stella-rti: --max-bytes: expected a byte count >= 1024\n");
				return EXIT_USAGE;
			}
			max_bytes = (size_t)v;
			break;
		}
		case OPT_READY:
			ready = optarg;
			break;
		case OPT_QUIET_R:
			quiet = true;
			break;
		case OPT_HELP:
			replay_usage(stdout);
			return EXIT_OK;
		default:
			replay_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!so.listen || optind == argc) {
		fprintf(stderr, "stella-rti: replay needs --listen TARGET and at least one FILE\n");
		replay_usage(stderr);
		return EXIT_USAGE;
	}
	memset(&s, 0, sizeof(s));
	rti_buf_init(&s.data, max_bytes);
	rti_arena_init(&a, 64 * 1024, 64u << 20);
	rti_arena_init(&ea, 64 * 1024, 64u << 20);
	for (int i = optind; i < argc; i++) {
		int cap = is_capture(argv[i]);
		int err;

		if (cap < 0) {
			fprintf(stderr, "stella-rti replay: %s: %s\n", argv[i], strerror(errno));
			rc = EXIT_IO;
			goto out;
		}
		if (cap) {
			err = load_capture(&s, argv[i]);
		} else {
			if (!dec)
				dec = rti_json_decoder_new(0);
			err = dec ? load_json(&s, argv[i], dec, &a, &ea) : -1;
		}
		if (err) {
			rc = EXIT_IO;
			goto out;
		}
	}
	if (s.skipped_unknown)
		fprintf(stderr, "stella-rti replay: %llu records of unknown event kinds not served "
			"(no field of GetEventsResponse carries them)\n",
			(unsigned long long)s.skipped_unknown);
	ms.data = (const uint8_t *)s.data.p;
	ms.off = s.off;
	ms.n = s.n;
	if (!s.n) {
		static const size_t zero[1] = { 0 };

		ms.off = zero;
	}
	so.msgs = &ms;
	/* handlers first: a signal during startup still stops us cleanly */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	g_srv = rti_grpc_server_new(&so, why, sizeof(why));
	if (!g_srv) {
		fprintf(stderr, "stella-rti replay: %s\n", why);
		rc = EXIT_IO;
		goto out;
	}
	if (g_stop)
		rti_grpc_server_stop(g_srv);
	fprintf(stderr, "stella-rti replay: serving %zu messages (%zu bytes) on %s%s%s\n", s.n,
		s.data.len, rti_grpc_server_address(g_srv), so.loop ? ", looping" : "",
		so.rate > 0 ? ", rate-limited" : "");
	if (ready) {
		char tmp[4096];
		FILE *f;

		snprintf(tmp, sizeof(tmp), "%s.tmp", ready);
		f = fopen(tmp, "we");
		if (!f || fprintf(f, "%s\n", rti_grpc_server_address(g_srv)) < 0 || fclose(f) ||
		    rename(tmp, ready)) {
			fprintf(stderr, "stella-rti replay: --ready-file %s: %s\n", ready, strerror(errno));
			rc = EXIT_IO;
			goto out;
		}
	}
	if (rti_grpc_server_run(g_srv)) {
		fprintf(stderr, "stella-rti replay: %s\n", strerror(errno));
		rc = EXIT_IO;
	}
	if (!quiet) {
		const struct rti_grpc_server_stats *st = rti_grpc_server_stats(g_srv);

		fprintf(stderr, "stella-rti replay: summary\n"
			"  connections            %llu\n"
			"  streams                %llu (%llu calls rejected)\n"
			"  messages sent          %llu (%llu bytes)\n",
			(unsigned long long)st->connections, (unsigned long long)st->streams,
			(unsigned long long)st->rejected, (unsigned long long)st->messages,
			(unsigned long long)st->bytes);
	}
out:
	if (g_srv) {
		struct rti_grpc_server *srv = g_srv;

		g_srv = NULL;
		rti_grpc_server_free(srv);
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	rti_json_decoder_free(dec);
	rti_arena_release(&a);
	rti_arena_release(&ea);
	rti_buf_release(&s.data);
	free(s.off);
	return rc;
}
