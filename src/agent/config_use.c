/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a configuration means for the live path and for symbol resolution
 * (include/rti/config.h): one mapping from keys to library options, used
 * by the agent and by `run`, so that a key and its flag cannot drift.
 */
#include <errno.h>
#include <string.h>

#include "agent/config_int.h"

int rti_config_live_opts(const struct rti_config *c, struct rti_live_opts *lo, uint8_t **req,
			 char *err, size_t errlen)
{
	struct rti_grpc_filter fa[RTI_CONFIG_MAX_FILTERS], fd[RTI_CONFIG_MAX_FILTERS];
	unsigned na = rti_cfg_filters(c, O_TG_ALLOW, fa);
	unsigned nd = rti_cfg_filters(c, O_TG_DENY, fd);
	size_t len = 0;
	int rc;

	*req = NULL;
	rc = rti_grpc_events_request_lists(fa, na, fd, nd, req, &len, err, errlen);
	if (rc)
		return rc;
	lo->target = rti_cfg_str(c, O_TG_ADDRESS);
	lo->request = *req;
	lo->request_len = len;
	lo->max_message = rti_cfg_u(c, O_TG_MAX_MESSAGE);
	lo->connect_timeout_ms = (unsigned)rti_cfg_u(c, O_TG_CONNECT_TIMEOUT);
	lo->keepalive_ms = (unsigned)rti_cfg_u(c, O_TG_KEEPALIVE);
	lo->keepalive_timeout_ms = (unsigned)rti_cfg_u(c, O_TG_KEEPALIVE_TIMEOUT);
	lo->keepalive_pings = (unsigned)rti_cfg_u(c, O_TG_KEEPALIVE_PINGS);
	lo->queue_size = rti_cfg_u(c, O_TG_QUEUE_SIZE);
	lo->overflow = rti_cfg_u(c, O_TG_OVERFLOW) ? RTI_LIVE_OVERFLOW_BLOCK : RTI_LIVE_OVERFLOW_DROP;
	lo->backoff_initial_ms = (unsigned)rti_cfg_u(c, O_TG_BACKOFF_INITIAL);
	lo->backoff_max_ms = (unsigned)rti_cfg_u(c, O_TG_BACKOFF_MAX);
	lo->once = rti_cfg_u(c, O_TG_ONCE) != 0;
	lo->record = rti_cfg_str(c, O_TG_RECORD);
	lo->max_events = rti_cfg_u(c, O_TG_MAX_EVENTS);
	lo->duration_ms = (unsigned)rti_cfg_u(c, O_TG_DURATION);
	return 0;
}

void rti_config_symbolizer_opts(const struct rti_config *c, struct rti_symbolizer_opts *so)
{
	so->disabled = !rti_cfg_u(c, O_SYM_ENABLED);
	so->proc_root = rti_cfg_str(c, O_SYM_PROC_ROOT);
	so->host_root = rti_cfg_str(c, O_SYM_HOST_ROOT);
	so->debug_dir = c->v[O_SYM_DEBUG_DIRS].n ? c->v[O_SYM_DEBUG_DIRS].list[0] : NULL;
	so->kallsyms = rti_cfg_str(c, O_SYM_KALLSYMS);
}
