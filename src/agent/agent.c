/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node agent (include/rti/agent.h): the configuration into a pipeline
 * with its outputs and a live object; the writer loop on the caller's
 * thread, which also publishes counters for the HTTP thread and switches
 * in prepared reloads between two events.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent_int.h"
#include "pipeline/pipeline_int.h"
#include "util/clock.h"
#include "util/opts.h"

static void live_log(void *ctx, enum rti_live_log_level level, const char *msg)
{
	struct rti_agent *a = ctx;
	enum rti_log_level lv = level == RTI_LIVE_LOG_INFO ? RTI_LOG_INFO
				: level == RTI_LIVE_LOG_WARN ? RTI_LOG_WARN
							     : RTI_LOG_ERROR;

	rti_log(&a->log, lv, msg, "component", "tetragon", (const char *)NULL);
}

/* Writer thread, whenever the queue ran empty. */
static void on_idle(void *ctx)
{
	struct rti_agent *a = ctx;

	if (a->hot)
		rti_hotsym_maybe_flush(a->hot);
	rti_agent_publish(a, true);
}


/* Counts the bytes of the event file (stella_rti_output_bytes_total). */
struct counting_sink {
	const struct rti_sink_ops *ops;
	void *ctx;
	uint64_t *bytes;
};

static int count_event(void *ctx, const struct rti_event *ev, const struct rti_canon *cn,
		       const char *line, size_t len)
{
	struct counting_sink *cs = ctx;
	int rc = cs->ops->event(cs->ctx, ev, cn, line, len);

	if (!rc)
		*cs->bytes += len;
	return rc;
}

static int count_flush(void *ctx)
{
	struct counting_sink *cs = ctx;

	return cs->ops->flush ? cs->ops->flush(cs->ctx) : 0;
}

static void count_destroy(void *ctx)
{
	struct counting_sink *cs = ctx;

	if (cs->ops->destroy)
		cs->ops->destroy(cs->ctx);
	free(cs);
}

static const struct rti_sink_ops counting_ops = {
	.name = "output",
	.event = count_event,
	.flush = count_flush,
	.destroy = count_destroy,
};

/* The event file sink (none, stdout, a rotated file or a plain one). */
static int open_output(struct rti_agent *a, const struct rti_sink_ops **ops, void **sctx,
		       char *err, size_t errlen)
{
	const char *path = rti_cfg_str(a->cfg, O_OUT_PATH);

	*ops = NULL;
	if (!path)
		return 0;
	if (!strcmp(path, "-"))
		return rti_ndjson_sink_new(1, 0, ops, sctx);
	{
		struct rti_rotate_opts ro;

		rti_agent_rotate_opts(a->cfg, &ro);
		a->rot = rti_rotate_open(&ro);
		if (!a->rot) {
			snprintf(err, errlen, "output.path: %s: %s", path, strerror(errno));
			return -errno;
		}
		return rti_rotate_sink(a->rot, ops, sctx);
	}
}

static int open_hot(struct rti_agent *a, char *err, size_t errlen)
{
	const char *url = rti_cfg_str(a->cfg, O_HOT_URL);
	struct rti_hotsym_opts ho = RTI_OPTS_INIT(rti_hotsym_opts);
	const struct rti_sink_ops *ops;
	void *sctx;
	char why[512];

	if (!url)
		return 0;
	ho.node = a->cfg->node;
	ho.flush_interval_s = (unsigned)(rti_cfg_u(a->cfg, O_HOT_FLUSH_INTERVAL) / 1000);
	ho.flush_every = rti_cfg_u(a->cfg, O_HOT_FLUSH_EVERY);
	ho.drop_when_full = true; /* a live stream cannot be replayed */
	ho.before_commit = a->out_flush;
	ho.before_commit_arg = a->out_ctx;
	a->hot = rti_hotsym_open(url, &ho, why, sizeof(why));
	if (!a->hot) {
		int e = errno;

		snprintf(err, errlen, "hot_index.url: %s", why);
		return -e;
	}
	if (rti_hotsym_sink(a->hot, &ops, &sctx) || rti_pipeline_add_sink(a->p, ops, sctx)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* delivery.* (docs/delivery.md): the events sink into the spool, the senders. */
static int open_delivery(struct rti_agent *a, char *err, size_t errlen)
{
	struct rti_delivery_opts o;
	const struct rti_sink_ops *ops;
	void *sctx;

	rti_agent_delivery_opts(a->cfg, &o);
	if (!o.events_url && !rti_cfg_str(a->cfg, O_DL_SIGNALS_URL))
		return 0; /* no sink: no delivery (the signals source plugs in with rti_delivery_add_source) */
	o.log = rti_agent_delivery_log;
	o.log_ctx = a;
	a->dl = rti_delivery_open(&o, err, errlen);
	if (!a->dl)
		return -errno;
	if (!rti_delivery_events_sink(a->dl, &ops, &sctx) && rti_pipeline_add_sink(a->p, ops, sctx)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* delivery.signals: the hot index's growth pushed to Signals by its own
 * sender (docs/signals.md), from a source with its own hot index handle,
 * opened after the agent's so that the index exists. */
static int open_signals(struct rti_agent *a, char *err, size_t errlen)
{
	const struct rti_config *c = a->cfg;
	struct rti_signals_source_opts so = RTI_OPTS_INIT(rti_signals_source_opts);
	const char *url = rti_cfg_str(c, O_DL_SIGNALS_URL);
	char why[512];
	int rc;

	if (!url || !a->dl)
		return 0;
	so.hot_index = rti_cfg_str(c, O_HOT_URL);
	so.node = c->node;
	so.interval_ms = rti_cfg_u(c, O_DL_SIGNALS_INTERVAL);
	so.require_callgraph = rti_cfg_u(c, O_DL_SIGNALS_REQUIRE_CALLGRAPH) != 0;
	a->signals = rti_signals_source_open(&so, why, sizeof(why));
	if (!a->signals) {
		rc = -errno;
		snprintf(err, errlen, "delivery.signals: %s", why);
		return rc;
	}
	/* the map the configuration's load parsed (not read a second time) */
	rti_signals_source_reconfigure(a->signals, so.interval_ms, so.require_callgraph,
				       a->cfg->cgmap);
	a->cfg->cgmap = NULL;
	rc = rti_delivery_add_source(a->dl, rti_signals_source_ops(), a->signals, url);
	if (rc) {
		rti_signals_source_free(a->signals);
		a->signals = NULL;
		snprintf(err, errlen, "delivery.signals: %s", strerror(-rc));
	}
	return rc;
}

static int build_pipeline(struct rti_agent *a, char *err, size_t errlen)
{
	const struct rti_config *c = a->cfg;
	struct rti_symbolizer_opts so = RTI_OPTS_INIT(rti_symbolizer_opts);
	struct rti_pipeline_opts po = RTI_OPTS_INIT(rti_pipeline_opts);
	const struct rti_sink_ops *ops;
	void *sctx;
	int rc;

	rti_config_symbolizer_opts(c, &so);
	po.symbolize = &so;
	po.profile = c->profile;
	a->p = rti_pipeline_new(&po);
	if (!a->p) {
		snprintf(err, errlen, "pipeline: %s", strerror(errno));
		return -errno;
	}
	a->profile = c->profile;
	/* the pipeline takes the policies; the config keeps an empty set */
	{
		const struct rti_privacy *prof = a->profile;

		rti_pipeline_swap_config(a->p, &prof, &a->cfg->policies);
	}
	rc = open_output(a, &ops, &sctx, err, errlen);
	if (rc)
		return rc;
	if (ops) {
		struct counting_sink *cs = calloc(1, sizeof(*cs));

		if (!cs) {
			ops->destroy(sctx);
			return -ENOMEM;
		}
		cs->ops = ops;
		cs->ctx = sctx;
		cs->bytes = &a->work.out_bytes;
		rc = rti_pipeline_add_sink(a->p, &counting_ops, cs);
		if (rc) {
			count_destroy(cs);
			return rc;
		}
		a->out_flush = count_flush;
		a->out_ctx = cs;
	}
	rc = open_delivery(a, err, errlen);
	if (!rc)
		rc = open_hot(a, err, errlen);
	if (!rc)
		rc = open_signals(a, err, errlen);
	return rc;
}

static int build_live(struct rti_agent *a, char *err, size_t errlen)
{
	struct rti_live_opts lo = RTI_OPTS_INIT(rti_live_opts);

	if (rti_config_live_opts(a->cfg, &lo, &a->req, err, errlen))
		return -EINVAL;
	lo.log = live_log;
	lo.log_ctx = a;
	lo.idle = on_idle;
	lo.idle_ctx = a;
	a->live = rti_live_new(&lo, a->p);
	if (!a->live) {
		int e = errno;

		snprintf(err, errlen, "%s%s: %s", lo.record ? "tetragon.record: " : "tetragon: ",
			 lo.record ? lo.record : lo.target, strerror(e));
		return -e;
	}
	return 0;
}

struct rti_agent *rti_agent_new(const struct rti_agent_opts *o, char *err, size_t errlen)
{
	const char *path = RTI_OPTS_GET(o, config, NULL);
	FILE *logf = RTI_OPTS_GET(o, log, NULL);
	struct rti_agent *a = calloc(1, sizeof(*a));
	int rc;

	if (!a || !(a->config_path = strdup(path ? path : RTI_CONFIG_DEFAULT_PATH))) {
		free(a);
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	rti_logger_init(&a->log, logf ? logf : stderr);
	pthread_mutex_init(&a->snap_mu, NULL);
	rti_policy_set_init(&a->policies);
	a->ino_fd = -1;
	a->watch = RTI_OPTS_GET(o, watch, false);
	a->cfg = rti_config_load(a->config_path, err, errlen);
	if (!a->cfg) {
		rc = errno == ENOMEM ? -ENOMEM : -EINVAL; /* the main file, too */
		goto fail;
	}
	rti_agent_apply_settings(a, a->cfg);
	rc = build_pipeline(a, err, errlen);
	if (!rc)
		rc = build_live(a, err, errlen);
	if (!rc && rti_cfg_str(a->cfg, O_METRICS_LISTEN) && *rti_cfg_str(a->cfg, O_METRICS_LISTEN))
		rc = rti_agent_http_start(a, rti_cfg_str(a->cfg, O_METRICS_LISTEN), err, errlen);
	if (!rc)
		return a;
fail:
	rti_agent_free(a);
	errno = -rc;
	return NULL;
}

void rti_agent_stop(struct rti_agent *a)
{
	atomic_store(&a->stop, true);
	rti_delivery_unblock(a->dl); /* a writer waiting for spool space lets go */
}

void rti_agent_reload(struct rti_agent *a)
{
	atomic_store(&a->reload_req, 1);
}

/* Readiness input: when the stream went down (0: up). */
static void track_connection(struct rti_agent *a, uint64_t now)
{
	bool up = rti_live_connected(a->live);
	uint64_t since = atomic_load_explicit(&a->down_since_ms, memory_order_relaxed);

	if (up && since)
		atomic_store(&a->down_since_ms, 0);
	else if (!up && !since)
		atomic_store(&a->down_since_ms, now ? now : 1);
}

int rti_agent_run(struct rti_agent *a)
{
	bool stopped = false;
	int k;

	atomic_store(&a->down_since_ms, rti_coarse_ms() | 1);
	atomic_store(&a->heartbeat_ms, rti_coarse_ms());
	if (rti_live_start(a->live)) {
		rti_log(&a->log, RTI_LOG_ERROR, "cannot start the reader thread", (const char *)NULL);
		return -EAGAIN;
	}
	if (rti_agent_ctl_start(a))
		rti_log(&a->log, RTI_LOG_WARN, "cannot start the reload thread: reloads are off",
			(const char *)NULL);
	if (a->dl && rti_delivery_start(a->dl))
		rti_log(&a->log, RTI_LOG_ERROR, "cannot start the delivery threads: events stay in the spool",
			(const char *)NULL);
	atomic_store(&a->running, true);
	rti_log(&a->log, RTI_LOG_INFO, "started", "config", a->config_path, "node", a->cfg->node,
		"tetragon", rti_cfg_str(a->cfg, O_TG_ADDRESS), (const char *)NULL);
	while ((k = rti_live_step(a->live, 100)) > 0) {
		uint64_t now = rti_coarse_ms();

		atomic_store_explicit(&a->heartbeat_ms, now, memory_order_relaxed);
		if (atomic_load_explicit(&a->stop, memory_order_relaxed) && !stopped) {
			rti_live_stop(a->live);
			stopped = true;
		}
		if (atomic_load_explicit(&a->pending, memory_order_relaxed))
			rti_agent_apply_pending(a);
		track_connection(a, now);
		if (now >= a->next_publish_ms)
			rti_agent_publish(a, false);
	}
	if (k < 0)
		atomic_store(&a->output_failed, true);
	if (a->dl) /* every event is in the spool: deliver for a bounded time, keep the rest */
		rti_delivery_stop(a->dl);
	rti_agent_ctl_stop(a);
	atomic_store(&a->running, false);
	if (a->pending)
		rti_agent_apply_pending(a);
	rti_agent_publish(a, true);
	return k;
}

void rti_agent_print_summary(struct rti_agent *a, FILE *f)
{
	const struct rti_stats *st = rti_pipeline_stats(a->p);
	struct rti_live_stats ls;
	char w[24], r[24], d[24], b[24];

	(void)f;
	rti_live_get_stats(a->live, &ls);
	snprintf(w, sizeof(w), "%llu", (unsigned long long)st->written_total);
	snprintf(r, sizeof(r), "%llu", (unsigned long long)ls.messages);
	snprintf(d, sizeof(d), "%llu", (unsigned long long)ls.queue_dropped);
	snprintf(b, sizeof(b), "%llu", (unsigned long long)st->bad_records);
	if (a->dl) {
		struct rti_delivery_stats ds;
		char del[24], dd[24], dead[24], sp[24];

		rti_delivery_get_stats(a->dl, &ds);
		snprintf(del, sizeof(del), "%llu", (unsigned long long)ds.acked_records);
		snprintf(dd, sizeof(dd), "%llu", (unsigned long long)(ds.dropped_spool_full +
			 ds.dropped_disk_full + ds.dropped_too_large + ds.dropped_error));
		snprintf(dead, sizeof(dead), "%llu", (unsigned long long)ds.dead_batches);
		snprintf(sp, sizeof(sp), "%llu", (unsigned long long)ds.spool_bytes);
		rti_log(&a->log, RTI_LOG_INFO, "stopped", "received", r, "written", w,
			"dropped_queue_full", d, "malformed", b, "delivered", del, "delivery_dropped", dd,
			"dead_batches", dead, "spool_bytes", sp, (const char *)NULL);
		return;
	}
	rti_log(&a->log, RTI_LOG_INFO, "stopped", "received", r, "written", w, "dropped_queue_full",
		d, "malformed", b, (const char *)NULL);
}

void rti_agent_free(struct rti_agent *a)
{
	if (!a)
		return;
	rti_agent_http_stop(a);
	rti_agent_ctl_stop(a);
	rti_live_free(a->live);
	if (a->hot) {
		if (rti_hotsym_flush(a->hot))
			rti_log(&a->log, RTI_LOG_ERROR, "hot index: final flush failed", "error",
				rti_hotsym_errmsg(a->hot), (const char *)NULL);
		rti_hotsym_close(a->hot);
	}
	rti_pipeline_free(a->p);
	if (a->dl) { /* after the pipeline: no more appends; then drain for a bounded time */
		rti_delivery_stop(a->dl);
		rti_delivery_free(a->dl);
	}
	free(a->req);
	{
		struct rti_reconf *r = atomic_exchange(&a->pending, NULL);

		if (r) {
			rti_config_free(r->cfg);
			free(r);
		}
		r = atomic_exchange(&a->retired, NULL);
		if (r) {
			rti_config_free(r->cfg);
			free(r);
		}
	}
	rti_config_free(a->cfg);
	rti_policy_set_release(&a->policies);
	rti_logger_release(&a->log);
	pthread_mutex_destroy(&a->snap_mu);
	free(a->config_path);
	free(a);
}
