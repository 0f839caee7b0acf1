/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cli.h"

int cmd_privacy_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("stella-rti privacy check: not implemented yet\n", stderr);
	return EXIT_USAGE;
}
