/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stella-rti privacy explain|check: the audit side of the privacy stage.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "rti/opts.h"
#include "rti/privacy.h"

static int usage(FILE *f, int rc)
{
	fputs("usage: stella-rti privacy explain [--profile NAME|FILE] [--privacy-key FILE]\n"
	      "                                  [--allow-privacy-off] [--json]\n"
	      "       stella-rti privacy check [--quiet] FILE...\n"
	      "\n"
	      "explain  prints the effective rules of a profile (default: strict): what\n"
	      "         each field path becomes, the path prefixes, allowlists, typed\n"
	      "         arguments, whether a hash key is needed\n"
	      "check    scans NDJSON (our events or raw Tetragon exports) for values that\n"
	      "         look secret, lists them by field path; exit 1 when it finds any\n",
	      f);
	return rc;
}

static int explain(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "profile", required_argument, NULL, 'P' },
		{ "privacy", required_argument, NULL, 'P' },
		{ "privacy-key", required_argument, NULL, 'k' },
		{ "allow-privacy-off", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rti_privacy_opts o = RTI_OPTS_INIT(rti_privacy_opts, .inspect_only = true);
	struct rti_privacy *p;
	const char *spec = "strict";
	bool json = false;
	char err[512];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'P':
			spec = optarg;
			break;
		case 'k':
			o.key_file = optarg;
			break;
		case 'a':
			o.allow_off = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return usage(stdout, EXIT_OK);
		default:
			return usage(stderr, EXIT_USAGE);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "stella-rti privacy explain: unexpected argument '%s'\n", argv[optind]);
		return usage(stderr, EXIT_USAGE);
	}
	p = rti_privacy_open(spec, &o, err, sizeof(err));
	if (!p) {
		fprintf(stderr, "stella-rti privacy explain: %s\n", err);
		return EXIT_USAGE;
	}
	rc = rti_privacy_explain(p, stdout, json) || fflush(stdout) ? EXIT_IO : EXIT_OK;
	rti_privacy_free(p);
	return rc;
}

int cmd_privacy(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, EXIT_USAGE);
	if (!strcmp(argv[1], "explain"))
		return explain(argc - 1, argv + 1);
	if (!strcmp(argv[1], "check"))
		return cmd_privacy_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return usage(stdout, EXIT_OK);
	fprintf(stderr, "stella-rti privacy: unknown subcommand '%s'\n", argv[1]);
	return usage(stderr, EXIT_USAGE);
}
