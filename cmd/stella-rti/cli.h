/* SPDX-License-Identifier: Apache-2.0 */
#ifndef RTI_CLI_H
#define RTI_CLI_H

#include <signal.h>

/* Exit codes (documented in docs/cli.md). */
#define EXIT_OK 0
#define EXIT_BAD_INPUT 1   /* --strict: a malformed record */
#define EXIT_USAGE 2
#define EXIT_IO 3          /* input cannot be read, output cannot be written */
#define EXIT_INTERRUPTED 130

extern volatile sig_atomic_t rti_cli_stop;
void rti_cli_install_signals(void);

int cmd_convert(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_hot(int argc, char **argv);
int cmd_symbolize(int argc, char **argv);
int cmd_reach(int argc, char **argv);
int cmd_privacy(int argc, char **argv);
int cmd_privacy_check(int argc, char **argv); /* privacy_check.c */
int cmd_agent(int argc, char **argv);    /* agent.c */
int cmd_validate(int argc, char **argv); /* agent.c */

#endif
