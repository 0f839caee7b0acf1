/* SPDX-License-Identifier: Apache-2.0 */
/* The loaded configuration, for the agent (not public: include/rti/config.h). */
#ifndef RTI_AGENT_CONFIG_INT_H
#define RTI_AGENT_CONFIG_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "agent/options.h"
#include "agent/ytree.h"
#include "delivery/callgraph_map.h"
#include "rti/config.h"
#include "rti/grpc.h"
#include "rti/privacy.h"
#include "tetragon/policy.h"

#define RTI_CONFIG_MAX_FILES 64
#define RTI_CONFIG_MAX_LIST 64
#define RTI_CONFIG_MAX_FILTERS 16 /* filters of tetragon.allow, of tetragon.deny */

/* One filter of tetragon.allow / tetragon.deny: 4 string lists. */
struct rti_cfilter {
	char *v[4][RTI_CONFIG_MAX_LIST]; /* event_types, namespaces, pod_regex, binary_regex */
	unsigned n[4];
};

struct rti_cval {
	bool set;              /* given by a file (else the default) */
	const struct yt_node *node; /* where (NULL: default) */
	char *s;               /* STR, ENUM: the text after ${} (NULL: none) */
	uint64_t u;            /* BOOL, UINT, SIZE (bytes), DURATION (ms), MODE, ENUM index */
	char *list[RTI_CONFIG_MAX_LIST];
	unsigned n;
	struct rti_cfilter *filt; /* FILTERS: nfilt of them (malloc'ed) */
	unsigned nfilt;
};

struct rti_config {
	struct yt_tree files[RTI_CONFIG_MAX_FILES];
	unsigned nfiles;
	struct rti_cval v[O__COUNT];
	char node[256];                /* node, or the host name */
	/* opened by the loader; the agent may take them (set to NULL) */
	struct rti_privacy *profile;
	struct rti_policy_set policies;
	struct rti_callgraph_map *cgmap; /* delivery.signals.callgraph_map, parsed */
};

static inline const char *rti_cfg_str(const struct rti_config *c, enum rti_opt_id id)
{
	return c->v[id].s;
}

static inline uint64_t rti_cfg_u(const struct rti_config *c, enum rti_opt_id id)
{
	return c->v[id].u;
}

/* The filters of tetragon.allow or .deny, pointing into c: how many
 * (at most RTI_CONFIG_MAX_FILTERS) are in f[]. */
unsigned rti_cfg_filters(const struct rti_config *c, enum rti_opt_id id,
			 struct rti_grpc_filter f[RTI_CONFIG_MAX_FILTERS]);

/* One value as validate --print shows it (secret: <redacted> unless
 * reveal). */
void rti_config_print_value(FILE *f, const struct rti_config *c, enum rti_opt_id id, bool reveal);

/* One scalar text (interpolated) checked and converted as option o says
 * into v->u. 0, or -EINVAL with why. */
int rti_cfg_scalar(const struct rti_option *o, const char *s, struct rti_cval *v, char *why,
		   size_t wlen);
/* Frees what v holds and zeroes it. */
void rti_cfg_clear(struct rti_cval *v);
/* The option of a key ("tetragon.address"), or -1. */
int rti_cfg_find(const char *key);
/* run's flag of a key, NULL when it has none. */
const char *rti_cfg_flag_of(const char *key);

/* Formats a value of the table's types (print, reference). */
void rti_cfg_format_u(enum rti_opt_type t, uint64_t u, char *buf, size_t len);

#endif
