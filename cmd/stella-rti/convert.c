/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ingest/records.h"
#include "rti/pipeline.h"
#include "common.h"
#include "summary.h"

#define FOLLOW_POLL_MS 200

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

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL); /* EINTR by a signal is fine: we check the flag */
}

/* Returns 0, or an exit code to stop with. */
/*
 * The hot index commits the input position with each batch, keyed by the
 * file's identity ("file:<real path>@<dev>:<inode>"): a restarted convert
 * resumes there, a rotated file (new inode) starts from its beginning.
 */
static void source_id(struct rti_records *r, const char *path, char *out, size_t len)
{
	uint64_t dev;
	uint64_t ino;
	char *real = realpath(path, NULL);

	if (rti_records_identity(r, &dev, &ino))
		out[0] = '\0';
	else
		snprintf(out, len, "file:%s@%llu:%llu", real ? real : path,
			 (unsigned long long)dev, (unsigned long long)ino);
	free(real);
}

static int resume(struct rti_hotsym *hot, struct rti_records *r, const char *sid,
		  const char *path)
{
	uint64_t pos;
	int err;

	err = rti_hotsym_input_position(hot, sid, &pos);
	if (err == -ENOENT || pos == 0)
		return 0;
	if (err) {
		fprintf(stderr, "stella-rti: hot index: reading the position of %s: %s\n",
			path, rti_hotsym_errmsg(hot));
		return EXIT_IO;
	}
	err = rti_records_seek(r, pos);
	if (err == -ERANGE) {
		fprintf(stderr, "stella-rti: %s: shorter than the committed position %llu: reading from the start\n",
			path, (unsigned long long)pos);
		return 0;
	}
	if (err) {
		fprintf(stderr, "stella-rti: %s: cannot resume at %llu: %s\n", path,
			(unsigned long long)pos, strerror(-err));
		return EXIT_IO;
	}
	fprintf(stderr, "stella-rti: %s: resuming at byte %llu (committed in the hot index)\n",
		path, (unsigned long long)pos);
	return 0;
}

/* Opens one input; on failure says why and counts it. */
static struct rti_records *open_input(const char *path, const struct rti_records_opts *ro,
				      struct rti_summary *sum)
{
	struct rti_records *r = rti_records_open(path, ro);

	if (!r) {
		fprintf(stderr, "stella-rti: %s: %s\n", path, strerror(errno));
		sum->inputs_failed++;
	}
	return r;
}

/* Adds what the reader counted to the summary and closes it. lines, when
 * not NULL, replaces the reader's count of lines: the reading thread of
 * two-stage mode reads ahead of an output failure, one thread does not. */
static void close_input(struct rti_records *r, struct rti_summary *sum,
			const uint64_t *lines)
{
	const struct rti_records_counters *c = rti_records_counters(r);

	sum->lines += lines ? *lines : c->lines;
	sum->bytes += c->bytes;
	sum->rotations += c->rotations;
	sum->truncations += c->truncations;
	rti_records_close(r);
}

static int run_input(struct rti_pipeline *p, const char *path,
		     const struct rti_records_opts *ro, int strict,
		     struct rti_summary *sum, struct rti_hotsym *hot)
{
	struct rti_records *r = open_input(path, ro, sum);
	struct rti_record rec;
	char sid[4200] = "";
	uint64_t rotations = 0;
	int rc = 0;

	if (!r)
		return EXIT_IO;
	if (hot) {
		source_id(r, path, sid, sizeof(sid));
		if (sid[0] && (rc = resume(hot, r, sid, path))) {
			rti_records_close(r);
			return rc;
		}
	}
	while (!rti_cli_stop) {
		struct rti_diag d;
		int st = rti_records_next(r, &rec);
		int err;

		if (st == RTI_REC_EOF)
			break;
		if (st == RTI_REC_AGAIN) {
			rti_pipeline_flush(p); /* output visible now; hot index when due */
			sleep_ms(FOLLOW_POLL_MS);
			continue;
		}
		if (st == RTI_REC_ERROR) {
			if (rti_cli_stop)
				break;
			fprintf(stderr, "stella-rti: %s: read error: %s\n",
				rti_records_name(r), rec.why);
			rc = EXIT_IO;
			break;
		}
		if (hot && rti_records_counters(r)->rotations != rotations) {
			rotations = rti_records_counters(r)->rotations;
			source_id(r, path, sid, sizeof(sid)); /* a new file: new identity */
		}
		if (st == RTI_REC_BAD) {
			sum->framing_errors++;
			if (sid[0])
				rti_hotsym_note_input(hot, sid, rti_records_position(r));
			fprintf(stderr, "%s:%llu: %s (byte %zu)\n", rti_records_name(r),
				(unsigned long long)rec.line, rec.why, rec.err_off);
			if (strict) {
				rc = EXIT_BAD_INPUT;
				break;
			}
			continue;
		}
		err = rti_pipeline_feed_json(p, rec.p, rec.n, &d);
		if (sid[0] && err != -EINVAL && err != 0)
			; /* a sink failed: the position must not move past this record */
		else if (sid[0])
			rti_hotsym_note_input(hot, sid, rti_records_position(r));
		if (err == -EINVAL) {
			fprintf(stderr, "%s:%llu: %s (byte %zu)\n", rti_records_name(r),
				(unsigned long long)rec.line, d.msg, d.offset);
			if (strict) {
				rc = EXIT_BAD_INPUT;
				break;
			}
		} else if (err) {
			fprintf(stderr, "stella-rti: %s\n", d.msg);
			rc = EXIT_IO;
			break;
		}
	}
	close_input(r, sum, NULL);
	return rc;
}

/* Two-stage mode: decoding here, the rest of the pipeline on its writer
 * thread. Diagnostics come back from that thread in input order. */
struct async_ctx {
	int sink_failed;
	uint64_t failed_lines_through; /* of the record whose output failed */
	struct rti_summary *sum;
};

static void on_result(void *ctx, const struct rti_origin *o, int rc, const struct rti_diag *d)
{
	struct async_ctx *a = ctx;

	if (rc == -EBADMSG)
		a->sum->framing_errors++; /* counted here, in order, as one thread does */
	if (rc == -EINVAL || rc == -EBADMSG) {
		fprintf(stderr, "%s:%llu: %s (byte %zu)\n", o->name, (unsigned long long)o->line,
			d->msg, d->offset);
		return;
	}
	fprintf(stderr, "stella-rti: %s\n", d->msg);
	a->sink_failed = 1;
	a->failed_lines_through = o->lines_through;
}

/* A pipe that goes quiet: the records read so far go out now. */
static void input_idle(void *ctx)
{
	rti_pipeline_push_batch(ctx);
}

static int run_input_async(struct rti_pipeline *p, const char *path,
			   const struct rti_records_opts *o, struct async_ctx *a)
{
	struct rti_summary *sum = a->sum;
	struct rti_records_opts ro = *o;
	struct rti_records *r;
	struct rti_record rec;
	int rc = 0;

	ro.idle = input_idle;
	ro.idle_ctx = p;
	r = open_input(path, &ro, sum);
	if (!r)
		return EXIT_IO;
	while (!rti_cli_stop) {
		struct rti_origin o;
		int st = rti_records_next(r, &rec);
		int err;

		if (st == RTI_REC_EOF)
			break;
		if (st == RTI_REC_AGAIN) {
			rti_pipeline_drain(p);
			sleep_ms(FOLLOW_POLL_MS);
			continue;
		}
		if (st == RTI_REC_ERROR) {
			if (rti_cli_stop)
				break;
			rti_pipeline_drain(p); /* the diagnostics before it come first */
			fprintf(stderr, "stella-rti: %s: read error: %s\n",
				rti_records_name(r), rec.why);
			rc = EXIT_IO;
			break;
		}
		o.name = rti_records_name(r);
		o.line = rec.line;
		o.lines_through = rti_records_counters(r)->lines;
		if (st == RTI_REC_BAD) {
			struct rti_diag d;

			snprintf(d.msg, sizeof(d.msg), "%s", rec.why);
			d.offset = rec.err_off;
			err = rti_pipeline_submit_error(p, &o, &d);
		} else {
			err = rti_pipeline_submit_json(p, rec.p, rec.n, &o);
		}
		if (err) {
			rc = EXIT_IO; /* a sink failed: on_result said how */
			break;
		}
	}
	if (rti_pipeline_drain(p))
		rc = EXIT_IO;
	close_input(r, sum, a->sink_failed ? &a->failed_lines_through : NULL);
	return rc;
}

enum { OPT_FOLLOW = 'f', OPT_STRICT = OPT_COMMON__END, OPT_MAX_RECORD, OPT_THREADS,
       OPT_HELP = 'h' };

int cmd_convert(int argc, char **argv)
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
	struct rti_common co;
	int follow = 0;
	int strict = 0;
	int threads = 2;
	struct async_ctx actx = { 0, 0, NULL };
	struct rti_records_opts ro = { 0, 0, false, NULL, false, NULL, NULL };
	struct rti_pipeline *p;
	struct rti_summary sum;
	int rc = EXIT_OK;
	int c;

	rti_common_init(&co);
	optind = 1;
	while ((c = getopt_long(argc, argv, RTI_COMMON_SHORTOPTS "fh", longopts, NULL)) != -1) {
		int r = rti_common_opt(&co, c, optarg);

		if (r < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		switch (c) {
		case OPT_FOLLOW:
			follow = 1;
			break;
		case OPT_STRICT:
			strict = 1;
			break;
		case OPT_MAX_RECORD: {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 10);

			if (*end || v < 1024 || v > (1ULL << 30)) {
				fprintf(stderr, "stella-rti: --max-record-bytes: expected 1024..1073741824\n");
				return EXIT_USAGE;
			}
			ro.max_record = (size_t)v;
			break;
		}
		case OPT_THREADS:
			if (strcmp(optarg, "1") && strcmp(optarg, "2")) {
				fprintf(stderr, "stella-rti: --threads: expected 1 or 2\n");
				return EXIT_USAGE;
			}
			threads = optarg[0] - '0';
			break;
		case OPT_HELP:
			convert_usage(stdout);
			return EXIT_OK;
		default:
			convert_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (follow && argc - optind != 1) {
		fprintf(stderr, "stella-rti: --follow takes exactly one FILE\n");
		return EXIT_USAGE;
	}
	if (follow && !strcmp(argv[optind], "-")) {
		fprintf(stderr, "stella-rti: --follow needs a file, not stdin\n");
		return EXIT_USAGE;
	}
	ro.follow = follow;
	ro.stop = &rti_cli_stop;
	rc = rti_common_setup(&co, &p);
	if (rc)
		return rc;
	rti_cli_install_signals();
	memset(&sum, 0, sizeof(sum));
	actx.sum = &sum;
	/* --strict stops at a record, --hot-index commits input positions per
	 * record, --follow wants each record out at once: one thread for them */
	if (threads == 2 && !strict && !follow && !co.hot && rti_pipeline_start(p, on_result, &actx))
		threads = 1;
	if (threads == 2 && (strict || follow || co.hot))
		threads = 1;
	if (optind == argc) {
		rc = threads == 2 ? run_input_async(p, "-", &ro, &actx)
				  : run_input(p, "-", &ro, strict, &sum, co.hot);
	} else {
		for (int i = optind; i < argc && !rti_cli_stop; i++) {
			int r = threads == 2 ? run_input_async(p, argv[i], &ro, &actx)
					     : run_input(p, argv[i], &ro, strict, &sum, co.hot);

			if (r == EXIT_BAD_INPUT) {
				rc = r;
				break;
			}
			if (r)
				rc = r; /* go on with the other inputs, remember the failure */
			if (rti_pipeline_stats(p)->sink_errors)
				break; /* but not after the output failed: nothing more goes out */
		}
	}
	if (actx.sink_failed && !rc)
		rc = EXIT_IO;
	if (rti_pipeline_flush(p) && !rc) {
		fprintf(stderr, "stella-rti: writing output: %s\n", strerror(errno));
		rc = EXIT_IO;
	}
	if (rti_cli_stop && !follow && !rc)
		rc = EXIT_INTERRUPTED;
	if (!co.quiet)
		rti_summary_print(stderr, "convert", &sum, rti_pipeline_stats(p),
				  rti_cli_stop != 0);
	{
		int trc = rti_common_teardown(&co, p);

		if (trc && !rc)
			rc = trc;
	}
	return rc;
}
