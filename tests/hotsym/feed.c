/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hotsym-feed: a test driver doing what `convert --hot-index` does with a
 * file, before convert has the option: Tetragon JSON lines through the
 * pipeline into the hot symbol index, the input position noted after
 * every line, and a restart resuming from the committed position.
 *
 *   hotsym-feed --hot-index URL [--node N] [--flush-every M]
 *               [--interval S] [--max-entries N] [--no-resume]
 *               [--stall-in-commit FILE]   write FILE, then hang inside the
 *                                          transaction of the 3rd commit
 *               [--lose-ack-every K]       every Kth commit "fails" after
 *                                          committing (a lost acknowledgement)
 *               [--policy PATH]            TracingPolicy file or directory
 *               FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hotsym/hotsym_int.h"
#include "rti/hotsym.h"
#include "rti/pipeline.h"

static const char *stall_file;
static unsigned long lose_every;
static unsigned long commits, acks;

static int hook(const char *point)
{
	if (!strcmp(point, "commit:before")) {
		commits++;
		if (stall_file && commits == 3) {
			int fd = open(stall_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

			if (fd >= 0)
				close(fd);
			for (;;)
				pause(); /* until kill -9 */
		}
		return 0;
	}
	/* every Kth acknowledgement, retries included (they are acknowledged too) */
	if (!strcmp(point, "commit:after") && lose_every && ++acks % lose_every == 0)
		return 1;
	return 0;
}

static unsigned long long num(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (*end || end == s) {
		fprintf(stderr, "hotsym-feed: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "hot-index", required_argument, NULL, 'u' },
		{ "node", required_argument, NULL, 'n' },
		{ "flush-every", required_argument, NULL, 'm' },
		{ "interval", required_argument, NULL, 'i' },
		{ "max-entries", required_argument, NULL, 'e' },
		{ "no-resume", no_argument, NULL, 'r' },
		{ "stall-in-commit", required_argument, NULL, 's' },
		{ "lose-ack-every", required_argument, NULL, 'l' },
		{ "policy", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct rti_hotsym_opts o;
	const char *url = NULL, *policy = NULL;
	bool resume = true;
	struct rti_hotsym *h;
	struct rti_pipeline *p;
	const struct rti_sink_ops *ops;
	const struct rti_hotsym_stats *st;
	void *ctx;
	char err[768], src[4200];
	char *line = NULL;
	size_t cap = 0;
	uint64_t off = 0, lines = 0;
	ssize_t n;
	FILE *f;
	int c, rc = 0;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'u': url = optarg; break;
		case 'n': o.node = optarg; break;
		case 'm': o.flush_every = num(optarg); break;
		case 'i': o.flush_interval_s = (unsigned)num(optarg); break;
		case 'e': o.max_entries = num(optarg); break;
		case 'r': resume = false; break;
		case 's': stall_file = optarg; break;
		case 'l': lose_every = num(optarg); break;
		case 'p': policy = optarg; break;
		default: return 2;
		}
	}
	if (!url || argc - optind != 1) {
		fprintf(stderr, "usage: hotsym-feed --hot-index URL [options] FILE\n");
		return 2;
	}
	rti_hotsym__test_hook = hook;
	h = rti_hotsym_open(url, &o, err, sizeof(err));
	if (!h) {
		fprintf(stderr, "hotsym-feed: %s\n", err);
		return 3;
	}
	f = fopen(argv[optind], "r");
	if (!f) {
		fprintf(stderr, "hotsym-feed: %s: %s\n", argv[optind], strerror(errno));
		return 3;
	}
	snprintf(src, sizeof(src), "file:%s", argv[optind]);
	if (resume && !rti_hotsym_input_position(h, src, &off)) {
		if (fseeko(f, (off_t)off, SEEK_SET)) {
			fprintf(stderr, "hotsym-feed: seek: %s\n", strerror(errno));
			return 3;
		}
		fprintf(stderr, "hotsym-feed: resuming at byte %" PRIu64 "\n", off);
	}
	p = rti_pipeline_new(NULL);
	if (!p || rti_hotsym_sink(h, &ops, &ctx) || rti_pipeline_add_sink(p, ops, ctx) ||
	    (policy && rti_pipeline_add_policy(p, policy, err, sizeof(err)))) {
		fprintf(stderr, "hotsym-feed: pipeline setup failed\n");
		return 3;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		struct rti_diag d;
		int e;

		off += (uint64_t)n;
		lines++;
		e = rti_pipeline_feed_json(p, line, (size_t)n, &d);
		if (e && e != -EINVAL) {
			fprintf(stderr, "hotsym-feed: %s (%s)\n", d.msg, rti_hotsym_errmsg(h));
			rc = 1;
			break;
		}
		rti_hotsym_note_input(h, src, off);
	}
	free(line);
	fclose(f);
	/* the pipeline flush commits only when due: commit the rest
	 * explicitly. A failed commit is retried, as a daemon's next flush
	 * would: with --lose-ack-every, whether the last commit is one whose
	 * acknowledgement is lost depends on how many flushes the run's
	 * timing made (retry backoff), so one try would make the exit code
	 * depend on the machine's load. */
	for (int tries = 1; !rc; tries++) {
		if (!rti_pipeline_flush(p) && !rti_hotsym_flush(h))
			break;
		if (tries == 3) {
			fprintf(stderr, "hotsym-feed: flush: %s\n", rti_hotsym_errmsg(h));
			rc = 1;
		}
	}
	rti_pipeline_free(p);
	st = rti_hotsym_stats(h);
	fprintf(stderr,
		"hotsym-feed: lines %" PRIu64 " events %" PRIu64 " observations %" PRIu64
		" batches %" PRIu64 " duplicate %" PRIu64 " flush_errors %" PRIu64
		" early %" PRIu64 "\n",
		lines, st->events, st->observations, st->batches, st->batches_duplicate,
		st->flush_errors, st->flushes_early);
	rti_hotsym_close(h);
	return rc;
}
