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
#include "rti/live.h"
#include "rti/opts.h"
#include "rti/pipeline.h"
#include "summary.h"

/* What the command line says: a configuration built from run's flags,
 * which are the option table's (rti/config.h), and what it means for the
 * pipeline (co) and the stream (lo). */
struct run_args {
	struct rti_common co;
	struct rti_config *cfg;
	struct rti_live_opts lo;
};

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

#define MAX_FLAGS 96
#define FLAG_BASE 0x1000 /* getopt codes of the table's flags: FLAG_BASE + index */

/* getopt's table from the option table; the names point into it. */
static void build_longopts(struct option *lo)
{
	const char *name;
	bool takes_value;
	unsigned i = 0;

	for (; i < MAX_FLAGS - 2 && !rti_config_flag_at(i, &name, &takes_value); i++) {
		lo[i].name = name;
		lo[i].has_arg = takes_value ? required_argument : no_argument;
		lo[i].flag = NULL;
		lo[i].val = FLAG_BASE + (int)i;
	}
	lo[i++] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[i] = (struct option){ NULL, 0, NULL, 0 };
}

/* The flag a getopt code stands for; NULL: not one of ours. */
static const char *flag_name(const struct option *lo, int c)
{
	switch (c) {
	case 't':
		return "tetragon";
	case 'o':
		return "output";
	case 'p':
		return "policy";
	default:
		return c >= FLAG_BASE && c < FLAG_BASE + MAX_FLAGS ? lo[c - FLAG_BASE].name : NULL;
	}
}

/* The command line into a->cfg. 0, or an exit code (-1: --help, exit 0). */
static int parse_args(struct run_args *a, int argc, char **argv)
{
	struct option longopts[MAX_FLAGS];
	char err[400];
	int c;

	a->cfg = rti_config_new(err, sizeof(err));
	if (!a->cfg) {
		fprintf(stderr, "stella-rti: %s\n", err);
		return EXIT_IO;
	}
	build_longopts(longopts);
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:o:p:h", longopts, NULL)) != -1) {
		const char *flag = flag_name(longopts, c);
		int rc;

		if (c == 'h') {
			run_usage(stdout);
			return -1;
		}
		if (!flag) {
			run_usage(stderr);
			return EXIT_USAGE;
		}
		rc = rti_config_set_flag(a->cfg, flag, optarg, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "stella-rti: %s\n", rc == -ENOMEM ? "out of memory" : err);
			return rc == -ENOMEM ? EXIT_IO : EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "stella-rti: run takes no file arguments (did you mean convert?)\n");
		return EXIT_USAGE;
	}
	if (rti_config_check(a->cfg, err, sizeof(err))) {
		fprintf(stderr, "stella-rti: %s\n", err);
		return EXIT_USAGE;
	}
	return 0;
}

/* The pipeline's options from the configuration (what the agent uses too). */
static void to_common(const struct rti_config *cfg, struct rti_common *co)
{
	const char *const *pol;
	unsigned npol = rti_config_list(cfg, "tetragon.policies", &pol);

	for (unsigned i = 0; i < npol && i < RTI_MAX_POLICIES; i++)
		co->policies[co->npol++] = pol[i];
	co->output = rti_config_str(cfg, "output.path");
	co->privacy = rti_config_str(cfg, "privacy.profile");
	co->privacy_key = rti_config_str(cfg, "privacy.key_file");
	co->allow_privacy_off = rti_config_uint(cfg, "privacy.allow_off") != 0;
	co->quiet = !rti_config_uint(cfg, "log.summary");
	co->hot_url = rti_config_str(cfg, "hot_index.url");
	co->node = rti_config_str(cfg, "node");
	co->hot_interval = (unsigned)((rti_config_uint(cfg, "hot_index.flush_interval") + 999) / 1000);
	co->hot_every = rti_config_uint(cfg, "hot_index.flush_every");
	rti_config_symbolizer_opts(cfg, &co->sym);
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
	char err[400];
	int rc;

	memset(&a, 0, sizeof(a));
	rti_common_init(&a.co);
	a.lo = RTI_OPTS_INIT(rti_live_opts, .idle = on_idle, .idle_ctx = &a.co);
	rc = parse_args(&a, argc, argv);
	if (rc < 0) {
		rti_config_free(a.cfg);
		return EXIT_OK;
	}
	if (!rc && rti_config_live_opts(a.cfg, &a.lo, &req, err, sizeof(err))) {
		fprintf(stderr, "stella-rti: %s\n", err);
		rc = EXIT_USAGE;
	}
	if (rc)
		goto out;
	to_common(a.cfg, &a.co);
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
	rti_config_free(a.cfg);
	return rc;
}
