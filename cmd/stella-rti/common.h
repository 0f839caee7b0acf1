/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Options shared by every command that emits events (convert, run, ...):
 * they build the pipeline the same way everywhere. A command lists
 * RTI_COMMON_LONGOPTS in its option table, passes unknown option codes to
 * rti_common_opt(), then calls rti_common_setup().
 */
#ifndef RTI_CLI_COMMON_H
#define RTI_CLI_COMMON_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "rti/pipeline.h"

#define RTI_MAX_POLICIES 64

/* option codes >= 0x100 so that they never collide with short options */
enum {
	OPT_OUTPUT = 'o',
	OPT_POLICY = 'p',
	OPT_PRIVACY = 0x100,
	OPT_QUIET,
	OPT_COMMON__END,
};

#define RTI_COMMON_LONGOPTS                                        \
	{ "output", required_argument, NULL, OPT_OUTPUT },         \
	{ "policy", required_argument, NULL, OPT_POLICY },         \
	{ "privacy", required_argument, NULL, OPT_PRIVACY },       \
	{ "quiet", no_argument, NULL, OPT_QUIET }

#define RTI_COMMON_SHORTOPTS "o:p:"

#define RTI_COMMON_HELP                                                             \
	"  -o, --output OUT       write events to OUT (default: stdout)\n"          \
	"  -p, --policy PATH      TracingPolicy YAML file or directory (repeatable);\n" \
	"                         tells fentry/fexit from kprobe/kretprobe and\n"   \
	"                         uretprobe from uprobe\n"                          \
	"      --privacy NAME     privacy profile (built-in: strict, the default)\n" \
	"      --quiet            no summary on stderr\n"

struct rti_common {
	const char *output;
	const char *privacy;
	const char *policies[RTI_MAX_POLICIES];
	int npol;
	bool quiet;
	int out_fd;
};

void rti_common_init(struct rti_common *c);
/* 1 when the option was a common one, 0 when not, -1 on a usage error. */
int rti_common_opt(struct rti_common *c, int opt, const char *arg);
/* Builds the pipeline with its sinks. 0, or an exit code (message printed). */
int rti_common_setup(struct rti_common *c, struct rti_pipeline **out);

#endif
