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

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rti/live.h"
#include "rti/opts.h"
#include "rti/symbolize.h"

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
 * `run`'s command line is the same option table: every option that has a
 * flag is one of run's flags, set exactly as its key would be. A command
 * line builds its configuration with rti_config_new (the defaults), one
 * rti_config_set_flag per flag, then rti_config_check (the checks of
 * rti_config_load except opening the files it names; errors name the
 * flag: "--backoff-max: shorter than tetragon.backoff_initial").
 */
struct rti_config *rti_config_new(char *err, size_t errlen);
int rti_config_check(struct rti_config *c, char *err, size_t errlen);

/* The i-th flag of the table, in table order, then the filter flags
 * (--event-types ... --deny-binary-regex): 0 with *name and *takes_value
 * (false: a switch such as --once), or -ENOENT past the end. */
int rti_config_flag_at(unsigned i, const char **name, bool *takes_value);
/*
 * Sets the flag's key to text (NULL for a switch): a list flag such as
 * --policy adds one item (--debug-dir, a list of one, replaces it); a
 * filter flag adds its comma-separated items to the first filter of
 * tetragon.allow or tetragon.deny. 0, -ENOENT (not a flag of the table),
 * -EINVAL with err "--flag: 'text': reason", -ENOMEM.
 */
int rti_config_set_flag(struct rti_config *c, const char *flag, const char *text, char *err,
			size_t errlen);
/* The help lines of every flag, with its default and its key. */
int rti_config_flag_help(FILE *f);

/*
 * Values by key. rti_config_str: the text of a string or enum key (NULL:
 * none; "node": the effective node name). rti_config_uint: booleans 1/0,
 * counts, sizes in bytes, durations in milliseconds. rti_config_list: the
 * items of a list key, how many. Unknown keys: NULL, 0, 0.
 */
const char *rti_config_str(const struct rti_config *c, const char *key);
uint64_t rti_config_uint(const struct rti_config *c, const char *key);
unsigned rti_config_list(const struct rti_config *c, const char *key, const char *const **items);

/*
 * What the configuration means for the live path and symbol resolution,
 * shared by `agent` and `run`. rti_config_live_opts fills lo's stream
 * fields (target, request, limits, keepalive, backoff, overflow, record,
 * stop conditions); *req is the malloc'ed GetEventsRequest lo points to.
 * 0, or -EINVAL with err.
 */
int rti_config_live_opts(const struct rti_config *c, struct rti_live_opts *lo, uint8_t **req,
			 char *err, size_t errlen);
void rti_config_symbolizer_opts(const struct rti_config *c, struct rti_symbolizer_opts *so);

/* The files the configuration was read from, in order (the main file,
 * then the drop-ins); NULL past the end. */
const char *rti_config_file(const struct rti_config *c, unsigned i);

#endif
