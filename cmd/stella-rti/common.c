/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"

void rti_common_init(struct rti_common *c)
{
	memset(c, 0, sizeof(*c));
	c->out_fd = -1;
	c->sym.sz = sizeof(c->sym);
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
	case OPT_QUIET:
		c->quiet = true;
		return 1;
	default:
		return rti_symbolize_opt(&c->sym, opt, arg);
	}
}

int rti_common_setup(struct rti_common *c, struct rti_pipeline **out)
{
	struct rti_pipeline_opts po;
	struct rti_pipeline *p;
	const struct rti_sink_ops *ops;
	void *sctx;

	memset(&po, 0, sizeof(po));
	po.sz = sizeof(po);
	po.privacy = c->privacy;
	po.symbolize = &c->sym;
	p = rti_pipeline_new(&po);
	if (!p) {
		if (errno == ENOENT)
			fprintf(stderr, "stella-rti: unknown privacy profile '%s' (built-in: strict)\n",
				c->privacy);
		else
			fprintf(stderr, "stella-rti: %s\n", strerror(errno));
		return EXIT_USAGE;
	}
	for (int i = 0; i < c->npol; i++) {
		char err[512];

		if (rti_pipeline_add_policy(p, c->policies[i], err, sizeof(err))) {
			fprintf(stderr, "stella-rti: policy: %s\n", err);
			rti_pipeline_free(p);
			return EXIT_USAGE;
		}
	}
	if (!c->output || !strcmp(c->output, "-")) {
		c->out_fd = 1;
	} else {
		c->out_fd = open(c->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (c->out_fd < 0) {
			fprintf(stderr, "stella-rti: %s: %s\n", c->output, strerror(errno));
			rti_pipeline_free(p);
			return EXIT_IO;
		}
	}
	if (rti_ndjson_sink_new(c->out_fd, c->out_fd != 1, &ops, &sctx) ||
	    rti_pipeline_add_sink(p, ops, sctx)) {
		fprintf(stderr, "stella-rti: out of memory\n");
		rti_pipeline_free(p);
		return EXIT_IO;
	}
	*out = p;
	return 0;
}
