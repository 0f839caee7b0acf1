/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stella-rti agent: the node agent (docs/agent.md); and stella-rti
 * validate: load and check a configuration, connect to nothing. Both only
 * parse options and call the library (rti/agent.h, rti/config.h).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "rti/agent.h"
#include "rti/config.h"

static struct rti_agent *the_agent;

static void on_stop(int sig)
{
	(void)sig;
	if (the_agent)
		rti_agent_stop(the_agent);
}

static void on_hup(int sig)
{
	(void)sig;
	if (the_agent)
		rti_agent_reload(the_agent);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* --config FILE [--print|--reference] [--help]: 0, -1 (help printed), or EXIT_USAGE. */
static int parse(int argc, char **argv, const char *usage, const char **config, int *print)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "print", no_argument, NULL, 'P' },
		{ "reference", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		if (c == 'c') {
			*config = optarg;
		} else if ((c == 'P' || c == 'R') && print) {
			*print = c == 'P' ? 1 : 2;
		} else if (c == 'h') {
			fputs(usage, stdout);
			return -1;
		} else {
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	return 0;
}

int cmd_agent(int argc, char **argv)
{
	static const char usage[] =
		"usage: stella-rti agent [--config FILE]\n"
		"\n"
		"The node agent: Tetragon's gRPC stream -> canonical NDJSON and the hot index,\n"
		"configured by FILE (default " RTI_CONFIG_DEFAULT_PATH ") and config.d/*.yaml\n"
		"beside it, serving /metrics, /healthz and /readyz. SIGHUP or a change in the\n"
		"configuration directory reloads; SIGINT/SIGTERM flush and exit.\n"
		"Keys: docs/agent.md, or `stella-rti validate --print`.\n";
	struct rti_agent_opts o = RTI_OPTS_INIT(rti_agent_opts, .config = RTI_CONFIG_DEFAULT_PATH,
						.watch = true);
	char err[1024];
	int rc = parse(argc, argv, usage, &o.config, NULL);

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	signal(SIGHUP, SIG_IGN); /* a reload while starting: the file is read now anyway */
	the_agent = rti_agent_new(&o, err, sizeof(err));
	if (!the_agent) {
		fprintf(stderr, "stella-rti: %s\n", err);
		return errno == EINVAL ? EXIT_USAGE : EXIT_IO;
	}
	install_signals();
	rc = rti_agent_run(the_agent);
	rti_agent_print_summary(the_agent, stderr);
	rti_agent_free(the_agent);
	the_agent = NULL;
	return rc ? EXIT_IO : EXIT_OK;
}

int cmd_validate(int argc, char **argv)
{
	static const char usage[] =
		"usage: stella-rti validate [--config FILE] [--print] | --reference\n"
		"\n"
		"Loads the agent's configuration like `agent` would (config.d/ drop-ins,\n"
		"${VAR}, the files it names) and connects to nothing. Exit 0 when `agent`\n"
		"would start, 2 with FILE:LINE:COL: key.path: reason when not. --print writes\n"
		"the effective configuration (secrets as <redacted>); --reference the table\n"
		"of every key (docs/agent.md).\n";
	const char *path = RTI_CONFIG_DEFAULT_PATH;
	struct rti_config *c;
	char err[1024];
	int print = 0;
	int rc = parse(argc, argv, usage, &path, &print);

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (print == 2)
		return rti_config_reference(stdout) ? EXIT_IO : EXIT_OK;
	c = rti_config_load(path, err, sizeof(err));
	if (!c) {
		fprintf(stderr, "stella-rti: %s\n", err);
		return errno == ENOMEM ? EXIT_IO : EXIT_USAGE;
	}
	if (print && rti_config_print(c, stdout))
		rc = EXIT_IO;
	rti_config_free(c);
	return rc;
}
