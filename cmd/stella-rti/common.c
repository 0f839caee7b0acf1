/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "rti/input.h"
#include "rti/opts.h"

void rti_common_init(struct rti_common *c)
{
	memset(c, 0, sizeof(*c));
	c->out_fd = -1;
	c->sym = RTI_OPTS_INIT(rti_symbolizer_opts);
}

int rti_symbolize_opt(struct rti_symbolizer_opts *so, int opt, const char *arg)
{
	switch (opt) {
	case OPT_NO_SYMBOLIZE:
		so->disabled = true;
		return 1;
	case OPT_PROC_ROOT:
		so->proc_root = arg;
		return 1;
	case OPT_HOST_ROOT:
		so->host_root = arg;
		return 1;
	case OPT_DEBUG_DIR:
		so->debug_dir = arg;
		return 1;
	case OPT_KALLSYMS:
		so->kallsyms = arg;
		return 1;
	default:
		return 0;
	}
}

int rti_common_opt(struct rti_common *c, int opt, const char *arg)
{
	switch (opt) {
	case OPT_OUTPUT:
		c->output = arg;
		return 1;
	case OPT_POLICY:
		if (c->npol >= RTI_MAX_POLICIES) {
			fprintf(stderr, "stella-rti: more than %d --policy options\n",
				RTI_MAX_POLICIES);
			return -1;
		}
		c->policies[c->npol++] = arg;
		return 1;
	case OPT_PRIVACY:
		c->privacy = arg;
		return 1;
	case OPT_PRIVACY_KEY:
		c->privacy_key = arg;
		return 1;
	case OPT_ALLOW_PRIVACY_OFF:
		c->allow_privacy_off = true;
		return 1;
	case OPT_QUIET:
		c->quiet = true;
		return 1;
	case OPT_HOT_INDEX:
		c->hot_url = arg;
		return 1;
	case OPT_NODE:
		c->node = arg;
		return 1;
	case OPT_HOT_FLUSH_INTERVAL:
	case OPT_HOT_FLUSH_EVERY: {
		char *end;
		unsigned long long v = strtoull(arg, &end, 10);

		if (*end || v == 0 || (opt == OPT_HOT_FLUSH_INTERVAL && v > 86400)) {
			fprintf(stderr, "stella-rti: --%s: expected a positive number\n",
				opt == OPT_HOT_FLUSH_INTERVAL ? "hot-flush-interval" : "hot-flush-every");
			return -1;
		}
		if (opt == OPT_HOT_FLUSH_INTERVAL)
			c->hot_interval = (unsigned)v;
		else
			c->hot_every = v;
		return 1;
	}
	default:
		return rti_symbolize_opt(&c->sym, opt, arg);
	}
}

/* Opens the privacy profile (warning when it is "off"). 0 or an exit code. */
static int open_profile(struct rti_common *c)
{
	struct rti_privacy_opts pro = RTI_OPTS_INIT(rti_privacy_opts,
		.key_file = c->privacy_key,
		.allow_off = c->allow_privacy_off);
	char err[512];

	c->profile = rti_privacy_open(c->privacy, &pro, err, sizeof(err));
	if (!c->profile) {
		fprintf(stderr, "stella-rti: --privacy: %s\n", err);
		return EXIT_USAGE;
	}
	if (rti_privacy_is_off(c->profile))
		fputs("stella-rti: WARNING: privacy is OFF: events carry arguments, environment\n"
		      "stella-rti: WARNING: variables, labels and any secret in them, unfiltered.\n"
		      "stella-rti: WARNING: Never ship this output off the node.\n",
		      stderr);
	return 0;
}

/* Opens the output file (stdout for none or "-"). 0 or an exit code. */
static int open_output(struct rti_common *c)
{
	uint64_t dropped;
	int err;

	if (!c->output || !strcmp(c->output, "-")) {
		c->out_fd = 1;
		return 0;
	}
	/* with a hot index a restart resumes at the committed position, so
	 * the output continues instead of starting over */
	c->out_fd = open(c->output, O_CREAT | O_CLOEXEC |
				    (c->hot_url ? O_RDWR | O_APPEND : O_WRONLY | O_TRUNC), 0644);
	if (c->out_fd < 0) {
		fprintf(stderr, "stella-rti: %s: %s\n", c->output, strerror(errno));
		return EXIT_IO;
	}
	if (!c->hot_url)
		return 0;
	/* lines after the committed position are written again (same
	 * event_id): only a partial last line must go */
	err = rti_output_repair(c->out_fd, &dropped);
	if (err) {
		fprintf(stderr, "stella-rti: %s: cannot repair the end of the output\n", c->output);
		close(c->out_fd);
		c->out_fd = -1;
		return EXIT_IO;
	}
	if (dropped)
		fprintf(stderr, "stella-rti: %s: dropped a partial last line (%llu bytes) left by an interrupted run\n",
			c->output, (unsigned long long)dropped);
	return 0;
}

/* The hot index and its sink. 0 or an exit code. */
static int open_hot(struct rti_common *c, struct rti_pipeline *p)
{
	struct rti_hotsym_opts ho = RTI_OPTS_INIT(rti_hotsym_opts,
		.node = c->node,
		.flush_interval_s = c->hot_interval,
		.flush_every = c->hot_every,
		/* a live stream cannot be replayed: rather drop (counted) than stall */
		.drop_when_full = c->live,
		/* the NDJSON lines of committed records are written before the commit */
		.before_commit = c->out_flush,
		.before_commit_arg = c->out_ctx);
	const struct rti_sink_ops *ops;
	void *sctx;
	char err[512];

	c->hot = rti_hotsym_open(c->hot_url, &ho, err, sizeof(err));
	if (!c->hot) {
		fprintf(stderr, "stella-rti: --hot-index: %s\n", err);
		return errno == EINVAL ? EXIT_USAGE : EXIT_IO;
	}
	if (rti_hotsym_sink(c->hot, &ops, &sctx) || rti_pipeline_add_sink(p, ops, sctx)) {
		fprintf(stderr, "stella-rti: out of memory\n");
		rti_hotsym_close(c->hot);
		c->hot = NULL;
		return EXIT_IO;
	}
	return 0;
}

/* The policies, the output and the hot index. 0 or an exit code. */
static int setup_pipeline(struct rti_common *c, struct rti_pipeline *p)
{
	const struct rti_sink_ops *ops;
	void *sctx;
	int rc;

	for (int i = 0; i < c->npol; i++) {
		char err[512];

		if (rti_pipeline_add_policy(p, c->policies[i], err, sizeof(err))) {
			fprintf(stderr, "stella-rti: policy: %s\n", err);
			return EXIT_USAGE;
		}
	}
	if (c->output && !strcmp(c->output, "none")) {
		/* no event lines: with only the hot index, the pipeline makes
		 * neither the canonical line nor its event_id (./none: a file) */
		return c->hot_url ? open_hot(c, p) : 0;
	}
	rc = open_output(c);
	if (rc)
		return rc;
	if (rti_ndjson_sink_new(c->out_fd, c->out_fd != 1, &ops, &sctx) ||
	    rti_pipeline_add_sink(p, ops, sctx)) {
		fprintf(stderr, "stella-rti: out of memory\n");
		return EXIT_IO;
	}
	c->out_flush = ops->flush;
	c->out_ctx = sctx;
	return c->hot_url ? open_hot(c, p) : 0;
}

int rti_common_setup(struct rti_common *c, struct rti_pipeline **out)
{
	struct rti_pipeline_opts po = RTI_OPTS_INIT(rti_pipeline_opts,
		.privacy = c->privacy,
		.symbolize = &c->sym);
	struct rti_pipeline *p;
	int rc = open_profile(c);

	if (rc)
		return rc;
	po.profile = c->profile;
	p = rti_pipeline_new(&po);
	if (!p) {
		fprintf(stderr, "stella-rti: %s\n", strerror(errno));
		rc = EXIT_USAGE;
	} else {
		rc = setup_pipeline(c, p);
	}
	if (rc) {
		rti_pipeline_free(p);
		rti_privacy_free(c->profile);
		c->profile = NULL;
		return rc;
	}
	*out = p;
	return 0;
}

int rti_common_teardown(struct rti_common *c, struct rti_pipeline *p)
{
	int rc = 0;

	/* hot index first: its commits flush the NDJSON sink, which must still
	 * exist; the hot sink's destroy (in rti_pipeline_free) touches nothing */
	if (c->hot) {
		const struct rti_hotsym_stats *hs;

		if (rti_hotsym_flush(c->hot)) {
			fprintf(stderr, "stella-rti: hot index: final flush failed: %s\n",
				rti_hotsym_errmsg(c->hot));
			rc = EXIT_IO;
		}
		hs = rti_hotsym_stats(c->hot);
		if (!c->quiet)
			fprintf(stderr,
				"  hot index              %llu observations in %llu batches (%llu rows), %llu dropped\n",
				(unsigned long long)hs->observations,
				(unsigned long long)hs->batches,
				(unsigned long long)hs->rows_flushed,
				(unsigned long long)hs->dropped);
		rti_hotsym_close(c->hot);
		c->hot = NULL;
	}
	rti_pipeline_free(p);
	if (c->profile && rti_privacy_is_off(c->profile))
		fputs("stella-rti: WARNING: privacy was OFF for this run: the output is unfiltered\n",
		      stderr);
	rti_privacy_free(c->profile);
	c->profile = NULL;
	return rc;
}
