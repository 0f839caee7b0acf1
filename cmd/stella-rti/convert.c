/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rti/input.h"
#include "rti/opts.h"
#include "rti/pipeline.h"
#include "common.h"
#include "summary.h"

static void convert_usage(FILE *f)
{
	fputs("usage: stella-rti convert [FILE...|-] [options]\n"
	      "\n"
	      "Reads Tetragon JSON exports (JSON Lines, plain or gzip; pretty-printed\n"
	      "samples too) and writes canonical RuntimeCallEvent v1 NDJSON.\n"
	      "\n"
	      RTI_COMMON_HELP
	      "  -f, --follow           follow one growing export file like tail -F\n"
	      "                         (survives rotation and truncation)\n"
	      "      --strict           stop at the first malformed record (exit 1)\n"
	      "      --max-record-bytes N  largest accepted record (default 8388608)\n"
	      "      --threads 1|2      2 (default): decode on one thread, write on\n"
	      "                         another; 1 with --strict, --follow, --hot-index\n",
	      f);
}

/* One convert run: its options, pipeline, input and counts. */
struct convert {
	struct rti_common co;
	bool follow;
	bool strict;
	int threads;
	size_t max_record;
	struct rti_pipeline *p;
	struct rti_input *in;
	/* two-stage mode: results come back from the writer thread */
	bool sink_failed;
	uint64_t failed_lines_through; /* of the record whose output failed */
	uint64_t framing_errors;       /* counted in order, as one thread does */
};

static void print_bad(const char *file, uint64_t line, const char *why, size_t off)
{
	fprintf(stderr, "%s:%llu: %s (byte %zu)\n", file, (unsigned long long)line, why, off);
}

/* One thread: a record through the whole pipeline. 0 or an exit code. */
static int feed_sync(struct convert *cv, int st, const struct rti_input_record *rec)
{
	struct rti_diag d;
	int err;

	if (st == RTI_INPUT_BAD) {
		print_bad(rec->file, rec->line, rec->why, rec->err_off);
		return cv->strict ? EXIT_BAD_INPUT : 0;
	}
	err = rti_pipeline_feed_json(cv->p, rec->p, rec->n, &d);
	if (err && err != -EINVAL) {
		/* a sink failed: the position must not move past this record */
		fprintf(stderr, "stella-rti: %s\n", d.msg);
		return EXIT_IO;
	}
	rti_input_commit(cv->in);
	if (!err)
		return 0;
	print_bad(rec->file, rec->line, d.msg, d.offset);
	return cv->strict ? EXIT_BAD_INPUT : 0;
}

static void on_result(void *ctx, const struct rti_origin *o, int rc, const struct rti_diag *d)
{
	struct convert *cv = ctx;

	if (rc == -EBADMSG)
		cv->framing_errors++;
	if (rc == -EINVAL || rc == -EBADMSG) {
		print_bad(o->name, o->line, d->msg, d->offset);
		return;
	}
	fprintf(stderr, "stella-rti: %s\n", d->msg);
	cv->sink_failed = true;
	cv->failed_lines_through = o->lines_through;
}

/* Two threads: a record handed to the writer thread. 0 or EXIT_IO (a
 * sink failed: on_result said how). */
static int feed_async(struct convert *cv, int st, const struct rti_input_record *rec)
{
	struct rti_origin o;
	struct rti_diag d;

	o.name = rec->file;
	o.line = rec->line;
	o.lines_through = rec->lines_through;
	if (st == RTI_INPUT_RECORD)
		return rti_pipeline_submit_json(cv->p, rec->p, rec->n, &o) ? EXIT_IO : 0;
	snprintf(d.msg, sizeof(d.msg), "%s", rec->why);
	d.offset = rec->err_off;
	return rti_pipeline_submit_error(cv->p, &o, &d) ? EXIT_IO : 0;
}

/* Follow mode found nothing new: what was read goes out now. */
static void input_again(void *ctx)
{
	struct convert *cv = ctx;

	if (cv->threads == 2)
		rti_pipeline_drain(cv->p);
	else
		rti_pipeline_flush(cv->p); /* output visible now; hot index when due */
}

/* A pipe that goes quiet: the records read so far go out now. */
static void input_idle(void *ctx)
{
	struct convert *cv = ctx;

	rti_pipeline_push_batch(cv->p);
}

/* An input ended: 0 to go on with the next, 1 to stop (the output failed). */
static int file_done(struct convert *cv, int *rc)
{
	if (cv->threads == 2 && rti_pipeline_drain(cv->p))
		*rc = EXIT_IO;
	return rti_pipeline_stats(cv->p)->sink_errors != 0;
}

/*
 * The record loop. A failed input is remembered and the others are read;
 * --strict stops at a bad record, and nothing is read after the output
 * failed. Returns the exit code so far.
 */
static int convert_inputs(struct convert *cv)
{
	struct rti_input_record rec;
	int rc = 0;

	for (;;) {
		int st = rti_input_next(cv->in, &rec);
		int err;

		switch (st) {
		case RTI_INPUT_END:
			return rc;
		case RTI_INPUT_NOTICE:
			fprintf(stderr, "stella-rti: %s\n", rec.why);
			break;
		case RTI_INPUT_OPEN_FAILED:
			fprintf(stderr, "stella-rti: %s: %s\n", rec.file, rec.why);
			rc = EXIT_IO;
			break;
		case RTI_INPUT_RESUME_FAILED:
			fprintf(stderr, "stella-rti: %s\n", rec.why);
			rc = EXIT_IO;
			break;
		case RTI_INPUT_READ_ERROR:
			if (cv->threads == 2)
				rti_pipeline_drain(cv->p); /* the diagnostics before it come first */
			fprintf(stderr, "stella-rti: %s: read error: %s\n", rec.file, rec.why);
			rc = EXIT_IO;
			break;
		case RTI_INPUT_FILE_END:
			if (file_done(cv, &rc))
				return rc;
			break;
		default:
			err = cv->threads == 2 ? feed_async(cv, st, &rec) : feed_sync(cv, st, &rec);
			if (err == EXIT_BAD_INPUT)
				return err;
			if (err) {
				rc = err; /* the output failed: this input ends here */
				rti_input_skip_file(cv->in);
			}
		}
	}
}

/* Opens the input over the command line's files (none: stdin). */
static int open_inputs(struct convert *cv, int argc, char **argv)
{
	static const char *const std_in[] = { "-" };
	const char *const *paths = optind < argc ? (const char *const *)argv + optind : std_in;
	size_t n = optind < argc ? (size_t)(argc - optind) : 1;
	struct rti_input_opts io = RTI_OPTS_INIT(rti_input_opts,
		.max_record = cv->max_record,
		.follow = cv->follow,
		.stop = &rti_cli_stop,
		.resume = cv->co.hot,
		.idle = cv->threads == 2 ? input_idle : NULL,
		.again = input_again,
		.ctx = cv);

	cv->in = rti_input_new(paths, n, &io);
	if (!cv->in) {
		fprintf(stderr, "stella-rti: %s\n", strerror(errno));
		return EXIT_IO;
	}
	return 0;
}

/* Reads everything and prints the summary: the exit code. */
static int convert_run(struct convert *cv, int argc, char **argv)
{
	struct rti_summary sum;
	const struct rti_input_stats *is;
	int rc = open_inputs(cv, argc, argv);

	if (!rc)
		rc = convert_inputs(cv);
	if (cv->sink_failed)
		rti_input_count_lines(cv->in, cv->failed_lines_through);
	if (cv->sink_failed && !rc)
		rc = EXIT_IO;
	if (rti_pipeline_flush(cv->p) && !rc) {
		fprintf(stderr, "stella-rti: writing output: %s\n", strerror(errno));
		rc = EXIT_IO;
	}
	if (rti_cli_stop && !cv->follow && !rc)
		rc = EXIT_INTERRUPTED;
	memset(&sum, 0, sizeof(sum));
	if (cv->in) {
		is = rti_input_stats(cv->in);
		sum.lines = is->lines;
		sum.bytes = is->bytes;
		sum.rotations = is->rotations;
		sum.truncations = is->truncations;
		sum.inputs_failed = is->inputs_failed;
		sum.framing_errors = cv->threads == 2 ? cv->framing_errors : is->framing_errors;
	}
	if (!cv->co.quiet)
		rti_summary_print(stderr, "convert", &sum, rti_pipeline_stats(cv->p),
				  rti_cli_stop != 0);
	rti_input_free(cv->in);
	return rc;
}

enum { OPT_FOLLOW = 'f', OPT_STRICT = OPT_COMMON__END, OPT_MAX_RECORD, OPT_THREADS,
       OPT_HELP = 'h' };

/* 0, or an exit code for a usage error (message printed). */
static int parse_max_record(struct convert *cv, const char *arg)
{
	char *end;
	unsigned long long v = strtoull(arg, &end, 10);

	if (*end || v < 1024 || v > (1ULL << 30)) {
		fprintf(stderr, "stella-rti: --max-record-bytes: expected 1024..1073741824\n");
		return EXIT_USAGE;
	}
	cv->max_record = (size_t)v;
	return 0;
}

/* -1 when the options are good, else the exit code to stop with. */
static int convert_opts(struct convert *cv, int argc, char **argv)
{
	static const struct option longopts[] = {
		RTI_COMMON_LONGOPTS,
		{ "follow", no_argument, NULL, OPT_FOLLOW },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "max-record-bytes", required_argument, NULL, OPT_MAX_RECORD },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, RTI_COMMON_SHORTOPTS "fh", longopts, NULL)) != -1) {
		int r = rti_common_opt(&cv->co, c, optarg);

		if (r < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		switch (c) {
		case OPT_FOLLOW:
			cv->follow = true;
			break;
		case OPT_STRICT:
			cv->strict = true;
			break;
		case OPT_MAX_RECORD:
			if (parse_max_record(cv, optarg))
				return EXIT_USAGE;
			break;
		case OPT_THREADS:
			if (strcmp(optarg, "1") && strcmp(optarg, "2")) {
				fprintf(stderr, "stella-rti: --threads: expected 1 or 2\n");
				return EXIT_USAGE;
			}
			cv->threads = optarg[0] - '0';
			break;
		case OPT_HELP:
			convert_usage(stdout);
			return EXIT_OK;
		default:
			convert_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (cv->follow && argc - optind != 1) {
		fprintf(stderr, "stella-rti: --follow takes exactly one FILE\n");
		return EXIT_USAGE;
	}
	if (cv->follow && !strcmp(argv[optind], "-")) {
		fprintf(stderr, "stella-rti: --follow needs a file, not stdin\n");
		return EXIT_USAGE;
	}
	return -1;
}

int cmd_convert(int argc, char **argv)
{
	struct convert cv;
	int rc;

	memset(&cv, 0, sizeof(cv));
	cv.threads = 2;
	rti_common_init(&cv.co);
	rc = convert_opts(&cv, argc, argv);
	if (rc >= 0)
		return rc;
	rc = rti_common_setup(&cv.co, &cv.p);
	if (rc)
		return rc;
	rti_cli_install_signals();
	/* --strict stops at a record, --hot-index commits input positions per
	 * record, --follow wants each record out at once: one thread for them */
	if (cv.threads == 1 || cv.strict || cv.follow || cv.co.hot ||
	    rti_pipeline_start(cv.p, on_result, &cv))
		cv.threads = 1;
	rc = convert_run(&cv, argc, argv);
	{
		int trc = rti_common_teardown(&cv.co, cv.p);

		if (trc && !rc)
			rc = trc;
	}
	return rc;
}
