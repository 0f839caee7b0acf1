/* SPDX-License-Identifier: Apache-2.0 */
/* The loaded configuration, for the agent (not public: include/rti/config.h). */
#ifndef RTI_AGENT_CONFIG_INT_H
#define RTI_AGENT_CONFIG_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "agent/options.h"
#include "agent/ytree.h"
#include "rti/config.h"
#include "rti/grpc.h"
#include "rti/privacy.h"
#include "tetragon/policy.h"

#define RTI_CONFIG_MAX_FILES 64
#define RTI_CONFIG_MAX_LIST 64

/* One filter of tetragon.allow / tetragon.deny: 4 string lists. */
struct rti_cfilter {
	char *v[4][RTI_CONFIG_MAX_LIST]; /* event_types, namespaces, pod_regex, binary_regex */
	unsigned n[4];
	bool present;
};

struct rti_cval {
	bool set;              /* given by a file (else the default) */
	const struct yt_node *node; /* where (NULL: default) */
	char *s;               /* STR, ENUM: the text after ${} (NULL: none) */
	uint64_t u;            /* BOOL, UINT, SIZE (bytes), DURATION (ms), MODE, ENUM index */
	char *list[RTI_CONFIG_MAX_LIST];
	unsigned n;
	struct rti_cfilter filt;
};

struct rti_config {
	struct yt_tree files[RTI_CONFIG_MAX_FILES];
	unsigned nfiles;
	struct rti_cval v[O__COUNT];
	char node[256];                /* node, or the host name */
	/* opened by the loader; the agent may take them (set to NULL) */
	struct rti_privacy *profile;
	struct rti_policy_set policies;
};

static inline const char *rti_cfg_str(const struct rti_config *c, enum rti_opt_id id)
{
	return c->v[id].s;
}

static inline uint64_t rti_cfg_u(const struct rti_config *c, enum rti_opt_id id)
{
	return c->v[id].u;
}

/* The filter of tetragon.allow or .deny, pointing into c. */
void rti_cfg_filter(const struct rti_config *c, enum rti_opt_id id, struct rti_grpc_filter *f);

/* One value as validate --print shows it (secret: <redacted> unless
 * reveal). */
void rti_config_print_value(FILE *f, const struct rti_config *c, enum rti_opt_id id, bool reveal);

/* Formats a value of the table's types (print, reference). */
void rti_cfg_format_u(enum rti_opt_type t, uint64_t u, char *buf, size_t len);

#endif
