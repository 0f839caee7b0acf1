/* SPDX-License-Identifier: Apache-2.0 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

volatile sig_atomic_t rti_cli_stop;

static void on_signal(int sig)
{
	rti_cli_stop = sig;
}

void rti_cli_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: a blocking read returns EINTR so we can stop */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* The commands. Each lives in its own file under cmd/stella-rti/. */
static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis;
} commands[] = {
	{ "convert", cmd_convert,
	  "convert [FILE...|-] [-o OUT] [--follow] [--policy PATH]... [--strict]\n"
	  "          Tetragon JSON export -> canonical RuntimeCallEvent NDJSON" },
	{ "run", cmd_run,
	  "run [--tetragon TARGET] [-o OUT] [--policy PATH]... [--record FILE]\n"
	  "          live mode: Tetragon's gRPC stream -> canonical NDJSON" },
	{ "agent", cmd_agent,
	  "agent [--config FILE]\n"
	  "          the node agent: configured by a file, /metrics, /healthz, /readyz, reload" },
	{ "validate", cmd_validate,
	  "validate [--config FILE] [--print]\n"
	  "          check the agent's configuration; print the effective one" },
	{ "replay", cmd_replay,
	  "replay --listen TARGET [--rate N] [--loop] FILE...\n"
	  "          serve captures and Tetragon JSON files as a GetEvents server" },
	{ "hot", cmd_hot,
	  "hot top|query|export --hot-index URL [options]\n"
	  "          the hot symbol index: hottest symbols, one symbol, exports" },
	{ "reach", cmd_reach,
	  "reach --hot-index URL --advisories PATH... [--format table|json|openvex|cyclonedx]\n"
	  "          which vulnerable functions were observed executing, per image\n"
	  "          (reach convert-advisories: the advisories as one stella-vulnfn/v1 file)" },
	{ "symbolize", cmd_symbolize,
	  "symbolize --elf FILE [OFFSET...] | --pid PID [ADDRESS...] | --kernel [ADDRESS...]\n"
	  "          canonical stack frames, for checking what a binary resolves to" },
	{ "privacy", cmd_privacy,
	  "privacy explain [--profile NAME|FILE] | privacy check FILE...\n"
	  "          the effective privacy rules; scan NDJSON for values that look secret" },
};

static void usage(FILE *f)
{
	fputs("usage: stella-rti <command> [options]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s\n", commands[i].synopsis);
	fputs("  help    this text\n\n"
	      "Run `stella-rti <command> --help` for the options of a command.\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	fprintf(stderr, "stella-rti: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
