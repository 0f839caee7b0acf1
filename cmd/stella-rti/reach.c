/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stella-rti reach: which vulnerable functions were observed executing
 * (docs/reachability.md). Parses options, calls src/reach/, prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "rti/hotsym.h"
#include "rti/reach.h"
#include "rti/time.h"

#define MAX_ADVISORY_PATHS 256

static void reach_usage(FILE *f)
{
	fputs("usage: stella-rti reach --hot-index URL --advisories PATH... [options]\n"
	      "       stella-rti reach convert-advisories --advisories PATH... [-o OUT]\n"
	      "\n"
	      "Per (scope, vulnerability): observed_executing, not_observed or\n"
	      "no_function_data. Never not_affected from absence of observation.\n"
	      "\n"
	      "options:\n"
	      "      --hot-index URL      sqlite:PATH or postgres://... (required)\n"
	      "      --advisories PATH    OSV JSON (Go vulndb, RustSec, GitHub), CVE JSON 5 or\n"
	      "                           stella-vulnfn/v1 file, a directory or a zip archive\n"
	      "                           of them (repeatable)\n"
	      "      --findings FILE      scanner findings (Grype JSON, Trivy JSON, CycloneDX,\n"
	      "                           CSV image_digest,vuln_id,package): only those pairs\n"
	      "      --scope S            image:sha256:<hex> or host:<node> (default: all)\n"
	      "      --since T, --until T the observation window (RFC 3339)\n"
	      "      --format F           table (default), json, openvex, cyclonedx\n"
	      "      --max-symbols N      matched symbols listed per row (json; default 16)\n"
	      "      --strict             exit 1 when an advisory input was bad\n"
	      "  -o, --output OUT         write to OUT (default: stdout)\n"
	      "      --quiet              no summary on stderr\n",
	      f);
}

enum {
	R_URL = 0x200, R_ADV, R_FINDINGS, R_SCOPE, R_SINCE, R_UNTIL, R_FORMAT, R_MAXSYM,
	R_STRICT, R_QUIET, R_HELP = 'h', R_OUT = 'o',
};

struct reach_args {
	const char *url, *output, *findings;
	const char *adv[MAX_ADVISORY_PATHS];
	unsigned nadv;
	struct rti_reach_eval_opts eo;
	bool strict, quiet;
};

static int time_opt(const char *opt, const char *s, struct rti_time *t)
{
	const char *why = NULL;

	if (rti_time_parse(s, strlen(s), t, &why)) {
		fprintf(stderr, "stella-rti reach: %s '%s': %s (expected RFC 3339)\n", opt, s,
			why ? why : "bad time");
		return -1;
	}
	t->set = true;
	return 0;
}

static int format_opt(const char *s, enum rti_reach_format *f)
{
	if (!strcmp(s, "table"))
		*f = RTI_REACH_TABLE;
	else if (!strcmp(s, "json"))
		*f = RTI_REACH_JSON;
	else if (!strcmp(s, "openvex"))
		*f = RTI_REACH_OPENVEX;
	else if (!strcmp(s, "cyclonedx"))
		*f = RTI_REACH_CYCLONEDX;
	else {
		fprintf(stderr, "stella-rti reach: --format: expected table, json, openvex or cyclonedx\n");
		return -1;
	}
	return 0;
}

static int parse(int argc, char **argv, struct reach_args *a)
{
	static const struct option lo[] = {
		{ "hot-index", required_argument, NULL, R_URL },
		{ "advisories", required_argument, NULL, R_ADV },
		{ "findings", required_argument, NULL, R_FINDINGS },
		{ "scope", required_argument, NULL, R_SCOPE },
		{ "since", required_argument, NULL, R_SINCE },
		{ "until", required_argument, NULL, R_UNTIL },
		{ "format", required_argument, NULL, R_FORMAT },
		{ "max-symbols", required_argument, NULL, R_MAXSYM },
		{ "strict", no_argument, NULL, R_STRICT },
		{ "quiet", no_argument, NULL, R_QUIET },
		{ "output", required_argument, NULL, R_OUT },
		{ "help", no_argument, NULL, R_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c, bad = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1 && !bad) {
		switch (c) {
		case R_URL: a->url = optarg; break;
		case R_ADV:
			if (a->nadv == MAX_ADVISORY_PATHS)
				bad = fprintf(stderr, "stella-rti reach: at most %d --advisories\n",
					      MAX_ADVISORY_PATHS);
			else
				a->adv[a->nadv++] = optarg;
			break;
		case R_FINDINGS: a->findings = optarg; break;
		case R_SCOPE: a->eo.scope = optarg; break;
		case R_SINCE: bad = time_opt("--since", optarg, &a->eo.since); break;
		case R_UNTIL: bad = time_opt("--until", optarg, &a->eo.until); break;
		case R_FORMAT: bad = format_opt(optarg, &a->eo.format); break;
		case R_MAXSYM: a->eo.max_symbols = (unsigned)strtoul(optarg, NULL, 10); break;
		case R_STRICT: a->strict = true; break;
		case R_QUIET: a->quiet = true; break;
		case R_OUT: a->output = optarg; break;
		case R_HELP: reach_usage(stdout); return -1;
		default: bad = 1; break;
		}
	}
	if (!bad && (!a->url || !a->nadv || optind < argc))
		bad = fprintf(stderr, "stella-rti reach: %s\n",
			      optind < argc ? "unexpected argument"
					    : "--hot-index and --advisories are required");
	if (bad)
		reach_usage(stderr);
	return bad ? EXIT_USAGE : 0;
}

static void on_diag(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "stella-rti reach: %s\n", msg);
}

static int evaluate(const struct reach_args *a, struct rti_reach *r)
{
	struct rti_hotsym_opts ho = { .sz = sizeof(ho), .read_only = true };
	struct rti_hotsym *h;
	char err[768];
	int fd = 1, rc;

	h = rti_hotsym_open(a->url, &ho, err, sizeof(err));
	if (!h) {
		fprintf(stderr, "stella-rti: %s\n", err);
		return EXIT_IO;
	}
	if (a->output && strcmp(a->output, "-"))
		fd = open(a->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "stella-rti reach: %s: %s\n", a->output, strerror(errno));
		rti_hotsym_close(h);
		return EXIT_IO;
	}
	rc = rti_reach_evaluate(r, h, &a->eo, fd);
	if (rc == -ENODATA)
		fprintf(stderr, "stella-rti reach: nothing to report (no scope or no advisory)\n");
	else if (rc)
		fprintf(stderr, "stella-rti reach: %s\n",
			rti_hotsym_errmsg(h)[0] ? rti_hotsym_errmsg(h) : strerror(-rc));
	if (fd != 1 && close(fd) && !rc)
		rc = -errno;
	rti_hotsym_close(h);
	return rc == -ENODATA ? EXIT_OK : rc ? EXIT_IO : EXIT_OK;
}

/* Every --advisories path: 0, or -errno (reported) when one cannot be read. */
static int load_all(const struct reach_args *a, struct rti_reach *r)
{
	for (unsigned i = 0; i < a->nadv; i++) {
		int err = rti_reach_load(r, a->adv[i]);

		if (err) {
			fprintf(stderr, "stella-rti reach: %s: %s\n", a->adv[i], strerror(-err));
			return err;
		}
	}
	return 0;
}

/* ---- reach convert-advisories ---- */

static void convert_usage(FILE *f)
{
	fputs("usage: stella-rti reach convert-advisories --advisories PATH... [-o OUT]\n"
	      "\n"
	      "Writes the advisories (the inputs of reach --advisories) as one\n"
	      "stella-vulnfn/v1 document: canonical JSON, entries sorted, every platform's\n"
	      "functions kept (docs/reachability.md).\n"
	      "\n"
	      "options:\n"
	      "      --advisories PATH    file, directory or zip archive (repeatable)\n"
	      "      --strict             exit 1 when an advisory input was bad\n"
	      "  -o, --output OUT         write to OUT (default: stdout)\n"
	      "      --quiet              no summary on stderr\n",
	      f);
}

static int convert_parse(int argc, char **argv, struct reach_args *a)
{
	static const struct option lo[] = {
		{ "advisories", required_argument, NULL, R_ADV },
		{ "strict", no_argument, NULL, R_STRICT },
		{ "quiet", no_argument, NULL, R_QUIET },
		{ "output", required_argument, NULL, R_OUT },
		{ "help", no_argument, NULL, R_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c, bad = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1 && !bad) {
		if (c == R_ADV && a->nadv < MAX_ADVISORY_PATHS)
			a->adv[a->nadv++] = optarg;
		else if (c == R_ADV)
			bad = fprintf(stderr, "stella-rti reach: at most %d --advisories\n",
				      MAX_ADVISORY_PATHS);
		else if (c == R_STRICT)
			a->strict = true;
		else if (c == R_QUIET)
			a->quiet = true;
		else if (c == R_OUT)
			a->output = optarg;
		else if (c == R_HELP)
			return convert_usage(stdout), -1;
		else
			bad = 1;
	}
	if (!bad && (!a->nadv || optind < argc))
		bad = fprintf(stderr, "stella-rti reach convert-advisories: %s\n",
			      optind < argc ? "unexpected argument" : "--advisories is required");
	if (bad)
		convert_usage(stderr);
	return bad ? EXIT_USAGE : 0;
}

static int convert_write(const struct reach_args *a, struct rti_reach *r)
{
	int fd = 1, err;

	if (a->output && strcmp(a->output, "-"))
		fd = open(a->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "stella-rti reach: %s: %s\n", a->output, strerror(errno));
		return EXIT_IO;
	}
	err = rti_reach_write_vulnfn(r, fd);
	if (fd != 1 && close(fd) && !err)
		err = -errno;
	if (err)
		fprintf(stderr, "stella-rti reach: %s: %s\n", a->output ? a->output : "stdout",
			strerror(-err));
	return err ? EXIT_IO : EXIT_OK;
}

static int cmd_reach_convert(int argc, char **argv)
{
	struct reach_args a;
	struct rti_reach_opts ro = { .sz = sizeof(ro), .diag = on_diag, .all_platforms = true };
	const struct rti_reach_counts *c;
	struct rti_reach *r;
	int rc;

	memset(&a, 0, sizeof(a));
	rc = convert_parse(argc, argv, &a);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	r = rti_reach_new(&ro);
	if (!r)
		return EXIT_IO;
	if (load_all(&a, r)) {
		rti_reach_free(r);
		return EXIT_IO;
	}
	rc = convert_write(&a, r);
	c = rti_reach_counts(r);
	if (!a.quiet)
		fprintf(stderr, "reach convert-advisories: %llu advisories, %llu functions, "
				"%llu bad inputs\n",
			(unsigned long long)c->advisories, (unsigned long long)c->functions,
			(unsigned long long)c->bad_input);
	if (!rc && a.strict && c->bad_input)
		rc = EXIT_BAD_INPUT;
	rti_reach_free(r);
	return rc;
}

int cmd_reach(int argc, char **argv)
{
	struct reach_args a;
	struct rti_reach_opts ro = { .sz = sizeof(ro), .diag = on_diag };
	const struct rti_reach_counts *c;
	struct rti_reach *r;
	int rc;

	if (argc > 1 && !strcmp(argv[1], "convert-advisories"))
		return cmd_reach_convert(argc - 1, argv + 1);
	memset(&a, 0, sizeof(a));
	a.eo.sz = sizeof(a.eo);
	rc = parse(argc, argv, &a);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	r = rti_reach_new(&ro);
	if (!r)
		return EXIT_IO;
	if (load_all(&a, r)) {
		rti_reach_free(r);
		return EXIT_IO;
	}
	if (a.findings) {
		int err = rti_reach_load_findings(r, a.findings);

		if (err) {
			fprintf(stderr, "stella-rti reach: %s: %s\n", a.findings, strerror(-err));
			rti_reach_free(r);
			return EXIT_IO;
		}
	}
	rc = evaluate(&a, r);
	c = rti_reach_counts(r);
	if (!a.quiet)
		fprintf(stderr,
			"reach: %llu advisories, %llu functions (%llu for other platforms), "
			"%llu bad inputs; %llu rows: %llu observed_executing, %llu not_observed, "
			"%llu no_function_data; %llu with a version outside the affected ranges\n",
			(unsigned long long)c->advisories, (unsigned long long)c->functions,
			(unsigned long long)c->other_platform, (unsigned long long)c->bad_input,
			(unsigned long long)c->results, (unsigned long long)c->observed_executing,
			(unsigned long long)c->not_observed, (unsigned long long)c->no_function_data,
			(unsigned long long)c->version_not_affected);
	if (!rc && a.strict && c->bad_input)
		rc = EXIT_BAD_INPUT;
	rti_reach_free(r);
	return rc;
}
