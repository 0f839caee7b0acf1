/* SPDX-License-Identifier: Apache-2.0 */
/* The reloadable settings of a configuration (log, readiness grace,
 * rotation): applied at start and by every reload. */
#include <errno.h>
#include <string.h>

#include "agent/agent_int.h"

void rti_agent_rotate_opts(const struct rti_config *c, struct rti_rotate_opts *ro)
{
	memset(ro, 0, sizeof(*ro));
	ro->sz = sizeof(*ro);
	ro->path = rti_cfg_str(c, O_OUT_PATH);
	ro->max_size = rti_cfg_u(c, O_OUT_MAX_SIZE_MB) << 20;
	ro->max_backups = (unsigned)rti_cfg_u(c, O_OUT_MAX_BACKUPS);
	ro->compress = rti_cfg_u(c, O_OUT_COMPRESS) != 0;
	ro->interval_ms = rti_cfg_u(c, O_OUT_ROTATION_INTERVAL);
	ro->perm = (unsigned)rti_cfg_u(c, O_OUT_PERM);
}

void rti_agent_delivery_opts(const struct rti_config *c, struct rti_delivery_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->spool_dir = rti_cfg_str(c, O_DL_SPOOL_DIR);
	o->spool_max_bytes = rti_cfg_u(c, O_DL_SPOOL_MAX_BYTES);
	o->block_when_full = rti_cfg_u(c, O_DL_SPOOL_WHEN_FULL) == 1;
	o->fsync_every_batch = rti_cfg_u(c, O_DL_SPOOL_FSYNC) == 1;
	o->events_url = rti_cfg_str(c, O_DL_EVENTS_URL);
	o->batch_max_bytes = rti_cfg_u(c, O_DL_EVENTS_BATCH_MAX_BYTES);
	o->batch_timeout_ms = rti_cfg_u(c, O_DL_EVENTS_BATCH_TIMEOUT);
	o->token_file = rti_cfg_str(c, O_DL_HTTP_TOKEN_FILE);
	o->tenant = rti_cfg_str(c, O_DL_HTTP_TENANT);
	o->ca_file = rti_cfg_str(c, O_DL_HTTP_CA_FILE);
	o->cert_file = rti_cfg_str(c, O_DL_HTTP_CERT_FILE);
	o->key_file = rti_cfg_str(c, O_DL_HTTP_KEY_FILE);
	o->timeout_ms = rti_cfg_u(c, O_DL_HTTP_TIMEOUT);
	o->backoff_initial_ms = rti_cfg_u(c, O_DL_HTTP_BACKOFF_INITIAL);
	o->backoff_max_ms = rti_cfg_u(c, O_DL_HTTP_BACKOFF_MAX);
}

void rti_agent_delivery_log(void *ctx, int level, const char *msg, const char *k, const char *v)
{
	struct rti_agent *a = ctx;
	enum rti_log_level lv = level == 0 ? RTI_LOG_INFO : level == 1 ? RTI_LOG_WARN : RTI_LOG_ERROR;

	if (k && v)
		rti_log(&a->log, lv, msg, "component", "delivery", k, v, (const char *)NULL);
	else
		rti_log(&a->log, lv, msg, "component", "delivery", (const char *)NULL);
}

void rti_agent_apply_settings(struct rti_agent *a, struct rti_config *c)
{
	rti_logger_set(&a->log, (enum rti_log_level)rti_cfg_u(c, O_LOG_LEVEL),
		       rti_cfg_u(c, O_LOG_FORMAT) == 1);
	atomic_store(&a->ready_grace_ms, rti_cfg_u(c, O_TG_READY_GRACE));
	if (a->dl) {
		struct rti_delivery_opts dop;

		rti_agent_delivery_opts(c, &dop);
		if (rti_delivery_reconfigure(a->dl, &dop))
			rti_log(&a->log, RTI_LOG_ERROR, "delivery settings not applied", "error",
				strerror(ENOMEM), (const char *)NULL);
	}
	if (a->signals) { /* the map was parsed by the config's load: taken */
		rti_signals_source_reconfigure(a->signals, rti_cfg_u(c, O_DL_SIGNALS_INTERVAL),
					       rti_cfg_u(c, O_DL_SIGNALS_REQUIRE_CALLGRAPH) != 0,
					       c->cgmap);
		c->cgmap = NULL;
	}
	if (a->rot) {
		struct rti_rotate_opts ro;
		int rc;

		rti_agent_rotate_opts(c, &ro);
		rc = rti_rotate_reconfigure(a->rot, &ro);
		if (rc)
			rti_log(&a->log, RTI_LOG_ERROR, "output rotation settings not applied", "error",
				strerror(-rc), (const char *)NULL);
	}
}

