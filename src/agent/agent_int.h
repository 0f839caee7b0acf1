/* SPDX-License-Identifier: Apache-2.0 */
/* The agent's internals, shared by its files (agent.c, metrics.c, reload.c). */
#ifndef RTI_AGENT_INT_H
#define RTI_AGENT_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "agent/config_int.h"
#include "agent/log.h"
#include "delivery/delivery.h"
#include "delivery/signals_source.h"
#include "rti/agent.h"
#include "rti/hotsym.h"
#include "rti/live.h"
#include "rti/pipeline.h"
#include "rti/rotate.h"


/* What the writer thread publishes for the metrics thread: the HTTP
 * thread never reads the pipeline's own counters, which only the writer
 * thread writes. */
struct rti_agent_snap {
	struct rti_stats st;
	struct rti_hotsym_stats hot;
	bool have_hot;
	uint64_t last_event_wall_ns; /* when the written count last grew */
	uint64_t hot_flush_us_hist[12]; /* cumulative buckets of flush durations */
	uint64_t hot_flush_us_sum, hot_flush_count;
	uint64_t out_bytes, out_rotations;
	struct rti_delivery_stats dl;
	bool have_dl;
};

/* A prepared reload: built off the event path, switched in by the writer. */
struct rti_reconf {
	struct rti_config *cfg;      /* the new configuration (owns profile and policies) */
};

struct rti_agent {
	char *config_path;
	struct rti_config *cfg;       /* current */
	struct rti_logger log;
	bool watch;
	/* the event path */
	struct rti_pipeline *p;
	struct rti_live *live;
	const struct rti_privacy *profile; /* in use: cfg->profile */
	struct rti_policy_set policies;    /* what the pipeline swapped out, freed later */
	struct rti_hotsym *hot;
	struct rti_delivery *dl;      /* delivery.* (NULL: off) */
	struct rti_signals_source *signals; /* delivery.signals (owned by dl) */
	int (*out_flush)(void *ctx);
	void *out_ctx;
	struct rti_rotate *rot;       /* the event file's (its sink owns it) */
	uint8_t *req;
	uint64_t next_publish_ms;
	uint64_t last_written;
	/* metrics */
	struct MHD_Daemon *mhd;
	unsigned port;
	pthread_mutex_t snap_mu;
	struct rti_agent_snap snap;   /* under snap_mu */
	struct rti_agent_snap work;   /* the writer's copy being built */
	uint64_t hot_last_batches;
	atomic_uint_fast64_t heartbeat_ms;      /* writer loop, monotonic */
	atomic_uint_fast64_t down_since_ms;     /* 0: connected */
	atomic_uint_fast64_t ready_grace_ms;
	atomic_uint_fast64_t reloads_ok, reloads_failed, reloads_restart_keys;
	atomic_bool output_failed;
	atomic_bool running;
	/* control: stop, reload requests, the config directory watch */
	atomic_bool stop;
	atomic_int reload_req;
	pthread_t ctl;
	bool ctl_started;
	atomic_bool ctl_run;
	int ino_fd;
	_Atomic(struct rti_reconf *) pending;   /* control -> writer */
	_Atomic(struct rti_reconf *) retired;   /* writer -> control (to free) */
};

/* metrics.c */
int rti_agent_http_start(struct rti_agent *a, const char *listen, char *err, size_t errlen);
void rti_agent_http_stop(struct rti_agent *a);
/* writer thread: publish the counters for the HTTP thread (never waits) */
void rti_agent_publish(struct rti_agent *a, bool force);

/* reload.c */
int rti_agent_ctl_start(struct rti_agent *a);
void rti_agent_ctl_stop(struct rti_agent *a);
/* writer thread, between two events: switch in a prepared reload */
void rti_agent_apply_pending(struct rti_agent *a);

void rti_agent_rotate_opts(const struct rti_config *c, struct rti_rotate_opts *ro);
/* settings.c: the delivery options of c (strings point into c) */
void rti_agent_delivery_opts(const struct rti_config *c, struct rti_delivery_opts *o);
/* delivery's log lines, component=delivery */
void rti_agent_delivery_log(void *ctx, int level, const char *msg, const char *k, const char *v);
/* settings.c: the reloadable settings of c (log, readiness grace, rotation, delivery) */
void rti_agent_apply_settings(struct rti_agent *a, struct rti_config *c);

#endif
