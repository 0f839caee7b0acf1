/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node agent (docs/agent.md, spec agent.md): the live path (rti/live.h)
 * driven by a configuration file (rti/config.h), with an HTTP server for
 * /metrics, /healthz and /readyz on its own thread, logs on stderr, and
 * reloads (SIGHUP, or a change in the configuration directory) that switch
 * the configuration between two events.
 *
 * Lifecycle: rti_agent_new -> rti_agent_run (until rti_agent_stop, from a
 * signal handler or another thread) -> rti_agent_free.
 */
#ifndef RTI_AGENT_H
#define RTI_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rti/opts.h"

struct rti_agent;

struct rti_agent_opts {
	size_t sz;             /* sizeof(struct rti_agent_opts) */
	const char *config;    /* NULL = RTI_CONFIG_DEFAULT_PATH */
	FILE *log;             /* NULL = stderr */
	bool watch;            /* reload on changes in the config directory (inotify) */
};

/*
 * Loads the configuration, builds the pipeline and its outputs, opens the
 * hot index and binds the metrics address; connects to nothing yet.
 * NULL with errno: EINVAL (a configuration error: err is
 * "FILE:LINE:COL: key.path: reason"), EADDRINUSE and others (err says
 * what could not be opened), ENOMEM.
 */
struct rti_agent *rti_agent_new(const struct rti_agent_opts *o, char *err, size_t errlen);

/* Runs until stopped: 0, or -errno when the output failed (logged). */
int rti_agent_run(struct rti_agent *a);

/* Both async-signal-safe (an atomic store). */
void rti_agent_stop(struct rti_agent *a);
void rti_agent_reload(struct rti_agent *a);

/* Logs the run's summary (events by probe type, drops, stream). */
void rti_agent_print_summary(struct rti_agent *a, FILE *f);

void rti_agent_free(struct rti_agent *a);

#endif
