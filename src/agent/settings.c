/* SPDX-License-Identifier: Apache-2.0 */
/* The reloadable settings of a configuration (log, readiness grace,
 * rotation): applied at start and by every reload. */
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

void rti_agent_apply_settings(struct rti_agent *a, const struct rti_config *c)
{
	rti_logger_set(&a->log, (enum rti_log_level)rti_cfg_u(c, O_LOG_LEVEL),
		       rti_cfg_u(c, O_LOG_FORMAT) == 1);
	atomic_store(&a->ready_grace_ms, rti_cfg_u(c, O_TG_READY_GRACE));
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

