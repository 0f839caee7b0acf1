/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's configuration (docs/agent.md, spec agent.md §1-2): a YAML
 * file, then every *.yaml of the drop-in directory config.d/ beside it in
 * byte order of their names (a later scalar replaces an earlier one, a
 * list replaces a list), ${NAME} replaced by the environment. Loading
 * checks everything the agent would use without connecting to anything:
 * key names, types, ranges, and the files the configuration names
 * (policies, privacy profile and key), which it opens.
 */
#ifndef RTI_CONFIG_H
#define RTI_CONFIG_H

#include <stdio.h>

#include "rti/opts.h"

#define RTI_CONFIG_DEFAULT_PATH "/etc/stella-rti/config.yaml"

struct rti_config;

/*
 * NULL with errno (EINVAL: a configuration error, ENOENT/EACCES: the main
 * file, ENOMEM) and err "FILE:LINE:COL: key.path: reason", one line.
 */
struct rti_config *rti_config_load(const char *path, char *err, size_t errlen);
void rti_config_free(struct rti_config *c);

/* The effective configuration as YAML (secrets as <redacted>). 0 or -EIO. */
int rti_config_print(const struct rti_config *c, FILE *f);

/* The reference of every key, from the option table: a Markdown table. */
int rti_config_reference(FILE *f);

/*
 * `run`'s flags come from the same option table: the help lines of every
 * option that has a flag (with its default), and a flag's value checked
 * and converted exactly as its key's. rti_config_flag_value: 0 with *u the
 * value in the key's unit (bytes, milliseconds, a count; 1/0 for a bool;
 * untouched for a string), -ENOENT for a flag the table does not have, or
 * -EINVAL with err "--flag: 'text': reason".
 */
int rti_config_flag_help(FILE *f);
int rti_config_flag_value(const char *flag, const char *text, unsigned long long *u, char *err,
			  size_t errlen);

/* The files the configuration was read from, in order (the main file,
 * then the drop-ins); NULL past the end. */
const char *rti_config_file(const struct rti_config *c, unsigned i);

#endif
