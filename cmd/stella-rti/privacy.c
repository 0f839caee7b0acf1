/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stella-rti privacy explain|check: the audit side of the privacy stage.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int usage(FILE *f, int rc)
{
	fputs("usage: stella-rti privacy explain [--profile NAME|FILE] [--privacy-key FILE] [--json]\n"
	      "       stella-rti privacy check [--quiet] FILE...\n", f);
	return rc;
}

int cmd_privacy_explain(int argc, char **argv);

int cmd_privacy(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, EXIT_USAGE);
	if (!strcmp(argv[1], "explain"))
		return cmd_privacy_explain(argc - 1, argv + 1);
	if (!strcmp(argv[1], "check"))
		return cmd_privacy_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(stdout, EXIT_OK);
	fprintf(stderr, "stella-rti privacy: unknown subcommand '%s'\n", argv[1]);
	return usage(stderr, EXIT_USAGE);
}

int cmd_privacy_explain(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("stella-rti privacy explain: not implemented yet\n", stderr);
	return EXIT_USAGE;
}
