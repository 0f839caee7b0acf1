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

#include "rti/hotsym.h"
#include "rti/pipeline.h"
#include "rti/symbolize.h"

#define RTI_MAX_POLICIES 64

/* option codes >= 0x100 so that they never collide with short options */
enum {
	OPT_OUTPUT = 'o',
	OPT_POLICY = 'p',
	OPT_PRIVACY = 0x100,
	OPT_QUIET,
	OPT_NO_SYMBOLIZE,
	OPT_PROC_ROOT,
	OPT_HOST_ROOT,
	OPT_DEBUG_DIR,
	OPT_KALLSYMS,
	OPT_HOT_INDEX,
	OPT_HOT_FLUSH_INTERVAL,
	OPT_HOT_FLUSH_EVERY,
	OPT_NODE,
	OPT_PRIVACY_KEY,
	OPT_ALLOW_PRIVACY_OFF,
	OPT_COMMON__END,
};

#define RTI_COMMON_LONGOPTS                                        \
	{ "output", required_argument, NULL, OPT_OUTPUT },         \
	{ "policy", required_argument, NULL, OPT_POLICY },         \
	{ "privacy", required_argument, NULL, OPT_PRIVACY },       \
	{ "privacy-key", required_argument, NULL, OPT_PRIVACY_KEY }, \
	{ "allow-privacy-off", no_argument, NULL, OPT_ALLOW_PRIVACY_OFF }, \
	{ "quiet", no_argument, NULL, OPT_QUIET },                 \
	{ "hot-index", required_argument, NULL, OPT_HOT_INDEX },   \
	{ "hot-flush-interval", required_argument, NULL, OPT_HOT_FLUSH_INTERVAL }, \
	{ "hot-flush-every", required_argument, NULL, OPT_HOT_FLUSH_EVERY }, \
	{ "node", required_argument, NULL, OPT_NODE },             \
	RTI_SYMBOLIZE_LONGOPTS

/* symbol resolution of stack frames (docs/stacks.md) */
#define RTI_SYMBOLIZE_LONGOPTS                                     \
	{ "no-symbolize", no_argument, NULL, OPT_NO_SYMBOLIZE },   \
	{ "proc-root", required_argument, NULL, OPT_PROC_ROOT },   \
	{ "host-root", required_argument, NULL, OPT_HOST_ROOT },   \
	{ "debug-dir", required_argument, NULL, OPT_DEBUG_DIR },   \
	{ "kallsyms", required_argument, NULL, OPT_KALLSYMS }

#define RTI_COMMON_SHORTOPTS "o:p:"

#define RTI_COMMON_HELP                                                             \
	"  -o, --output OUT       write events to OUT (default: stdout); none: no\n" \
	"                         event lines (with --hot-index: aggregate only)\n" \
	"  -p, --policy PATH      TracingPolicy YAML file or directory (repeatable);\n" \
	"                         tells fentry/fexit from kprobe/kretprobe and\n"   \
	"                         uretprobe from uprobe\n"                          \
	"      --privacy NAME|FILE  privacy profile: strict (default), balanced, or a\n" \
	"                         YAML profile (docs/privacy.md)\n"              \
	"      --privacy-key FILE HMAC key for the profile's hash rules (mode 600)\n" \
	"      --allow-privacy-off  permit --privacy off (emits secrets; warns)\n" \
	"      --quiet            no summary on stderr\n"                          \
	"      --hot-index URL    also count hot symbols into sqlite:PATH or\n"    \
	"                         postgres://... (docs/hot-index.md)\n"            \
	"      --hot-flush-interval S  commit the hot index every S seconds (10)\n" \
	"      --hot-flush-every N     ... or every N observations (1000000)\n"    \
	"      --node NAME        writer identity in the hot index (default: host name)\n" \
	RTI_SYMBOLIZE_HELP

#define RTI_SYMBOLIZE_HELP                                                          \
	"      --no-symbolize     no symbol resolution: path code_ids, Tetragon's\n" \
	"                         symbols only, no file access\n"                   \
	"      --proc-root DIR    procfs of the traced processes (default /proc;\n" \
	"                         /host/proc when stella-rti runs in a container)\n" \
	"      --host-root DIR    where the host file system is mounted (default /)\n" \
	"      --debug-dir DIR    separate debug files (default HOST-ROOT/usr/lib/debug)\n" \
	"      --kallsyms FILE    kallsyms snapshot for address-only kernel frames\n" \
	"                         (default PROC-ROOT/kallsyms; 'none': off)\n"

struct rti_common {
	const char *output;
	const char *privacy;
	const char *privacy_key;
	bool allow_privacy_off;
	struct rti_privacy *profile; /* opened by setup */
	const char *policies[RTI_MAX_POLICIES];
	int npol;
	bool quiet;
	int out_fd;
	struct rti_symbolizer_opts sym;
	const char *hot_url;
	const char *node;
	unsigned hot_interval;
	uint64_t hot_every;
	bool live;               /* set by `run`: input that cannot be replayed */
	struct rti_hotsym *hot;  /* open after setup when hot_url is set */
	int (*out_flush)(void *ctx); /* the NDJSON sink, flushed before hot commits */
	void *out_ctx;
};

void rti_common_init(struct rti_common *c);
/* 1 when the option was a common one, 0 when not, -1 on a usage error. */
int rti_symbolize_opt(struct rti_symbolizer_opts *so, int opt, const char *arg);
int rti_common_opt(struct rti_common *c, int opt, const char *arg);
/* Builds the pipeline with its sinks. 0, or an exit code (message printed). */
int rti_common_setup(struct rti_common *c, struct rti_pipeline **out);
/* Frees the pipeline, then flushes and closes the hot index (reporting its
 * counters unless quiet). Returns EXIT_IO when the last flush failed. */
int rti_common_teardown(struct rti_common *c, struct rti_pipeline *p);

#endif
