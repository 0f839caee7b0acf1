/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The live path: Tetragon's gRPC event stream into a pipeline, as one
 * object (docs/grpc.md). Used by `stella-rti run`, and meant for a
 * long-running agent.
 *
 * Two threads and a bounded queue between them:
 *   reader  (rti_live_start) connects, reconnects with exponential backoff
 *           and jitter on a fresh connection each time, and copies every
 *           message into the queue. It does nothing else, so it keeps up
 *           with Tetragon whatever the output does; when the queue is full
 *           it drops (counted) or, with RTI_LIVE_OVERFLOW_BLOCK, waits.
 *   writer  the caller's thread (rti_live_step or rti_live_run): protobuf
 *           decode into the pipeline arena, the pipeline and its sinks, and
 *           the record file. It flushes the output whenever the queue runs
 *           empty, so output is live.
 * Every connect, disconnect (with its reason) and undecodable message is
 * logged through opts.log.
 *
 * Lifecycle: rti_live_new -> rti_live_start -> rti_live_step until it
 * returns <= 0 (or rti_live_run) -> rti_live_get_stats / print -> free.
 * The pipeline is borrowed: it must outlive the live object, and the live
 * object counts what it feeds into the pipeline's stats (records,
 * bad_records), so rti_pipeline_stats() is complete.
 */
#ifndef RTI_LIVE_H
#define RTI_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rti/grpc.h"
#include "rti/opts.h"
#include "rti/pipeline.h"

struct rti_live;

enum rti_live_overflow {
	RTI_LIVE_OVERFLOW_DROP = 0,  /* queue full: drop the message (counted) */
	RTI_LIVE_OVERFLOW_BLOCK,     /* queue full: the reader waits (back-pressure) */
};

enum rti_live_log_level {
	RTI_LIVE_LOG_INFO = 0,   /* connected, reconnecting */
	RTI_LIVE_LOG_WARN,       /* disconnects, undecodable messages, server complaints */
	RTI_LIVE_LOG_ERROR,      /* the output or the record file failed: the run ends */
};

/* msg has no prefix and no newline. Called on the reader or the writer
 * thread (both may log at once). */
typedef void (*rti_live_log_fn)(void *ctx, enum rti_live_log_level level, const char *msg);

struct rti_live_opts {
	size_t sz;                  /* sizeof(struct rti_live_opts) */
	const char *target;         /* NULL = RTI_GRPC_DEFAULT_TARGET; copied */
	/* The GetEventsRequest: `request` (serialized, copied) when set, else
	 * built from the allow and deny filters (NULL = none). */
	const void *request;
	size_t request_len;
	const struct rti_grpc_filter *allow;
	const struct rti_grpc_filter *deny;
	/* client, see rti_grpc_client_opts; 0 = its defaults */
	size_t max_message;
	unsigned connect_timeout_ms;
	unsigned keepalive_ms;
	unsigned keepalive_timeout_ms;
	unsigned keepalive_pings;   /* max_pings_without_data */
	/* reader -> writer queue */
	size_t queue_size;          /* bytes; 0 = 4 MiB */
	enum rti_live_overflow overflow;
	/* reconnect delays; 0 = 500 ms, 30 s; max is raised to initial */
	unsigned backoff_initial_ms;
	unsigned backoff_max_ms;
	bool once;                  /* no reconnect: the run ends with the first call */
	const char *record;         /* also store the raw messages (capture format) */
	uint64_t max_events;        /* stop after this many messages; 0 = no limit */
	unsigned duration_ms;       /* stop after this long; 0 = no limit */
	/* NULL = stderr, "stella-rti run: MSG\n" */
	rti_live_log_fn log;
	void *log_ctx;
	/* Called on the writer thread whenever the queue ran empty, after the
	 * output was flushed (e.g. to commit a hot index when due). */
	void (*idle)(void *ctx);
	void *idle_ctx;
};

/*
 * Creates the client, the queue and the record file (truncated); starts
 * nothing. NULL with errno: EINVAL (no pipeline, bad target, unknown event
 * type in a filter, bad options), ENOMEM, or the record file's open error.
 */
struct rti_live *rti_live_new(const struct rti_live_opts *opts, struct rti_pipeline *p);

/* Starts the reader thread (which never receives signals). 0, -EALREADY,
 * or -errno from thread creation. */
int rti_live_start(struct rti_live *l);

/*
 * Ends the run soon: the current call is cancelled, no reconnect follows,
 * and what is already queued is still written. Thread-safe and
 * async-signal-safe (atomics and a pipe write), callable before
 * rti_live_start (the reader then makes no call).
 */
void rti_live_stop(struct rti_live *l);

/*
 * One turn of the writer loop on the caller's thread: handles the next
 * queued message, or, when none is queued, flushes the output, calls
 * opts.idle and waits up to timeout_ms for one. Returns 1 while running.
 * Once the reader ended and the queue is drained, the output is flushed,
 * the record file closed and the run's result returned, also by later
 * calls: 0, -ECONNABORTED (`once` and the call ended with a status other
 * than OK), or the first output or record error (-errno, logged); after
 * such an error nothing more is written and the reader is stopped.
 */
int rti_live_step(struct rti_live *l, int timeout_ms);

/* rti_live_step until the run ends (stopped by rti_live_stop from a signal
 * handler or another thread, max_events, duration, or `once`). */
int rti_live_run(struct rti_live *l);

/* Connected to Tetragon right now (readiness). One atomic load. */
bool rti_live_connected(const struct rti_live *l);

struct rti_live_stats {
	/* stream (wire_bytes, compressed and pings are added as each call ends;
	 * messages as they arrive) */
	uint64_t messages;          /* received */
	uint64_t wire_bytes;        /* DATA payload bytes */
	uint64_t compressed;        /* messages that arrived compressed */
	uint64_t pings;             /* keepalive PINGs sent */
	unsigned keepalive_ms;      /* interval in use (doubled after too_many_pings) */
	bool too_many_pings;        /* the server said so at least once */
	/* connections */
	uint64_t calls;             /* attempts */
	uint64_t connections;       /* attempts that connected */
	uint64_t gaps;              /* disconnects after being connected */
	uint64_t disconnected_ns;   /* time without a connection, until now */
	uint64_t disconnected_before_first_ns;
	bool connected;             /* now */
	int last_status;            /* gRPC status of the last call; -1 = none yet */
	char last_reason[512];      /* "UNAVAILABLE: reason [detail]"; "" = none yet */
	/* queue */
	uint64_t queue_dropped, queue_dropped_bytes;
	uint64_t queue_high_water;  /* most bytes queued at once */
	uint64_t queue_bytes;       /* bytes queued now (metrics) */
	size_t queue_capacity;
	uint64_t queue_blocked_ns;  /* RTI_LIVE_OVERFLOW_BLOCK: reader waited */
	/* writer */
	uint64_t processed;         /* messages taken from the queue */
	uint64_t not_decodable;     /* protobuf decode failed */
	uint64_t bad_events;        /* decoded, rejected by the pipeline */
};

/*
 * A snapshot, callable from any thread while the live object runs (e.g. a
 * metrics endpoint): counters are atomics, the last status and reason are
 * read under a mutex the reader holds only while a call ends. Exact once
 * rti_live_step returned <= 0.
 */
void rti_live_get_stats(const struct rti_live *l, struct rti_live_stats *st);

/* The "gRPC stream" block of `run`'s summary (stats, then process CPU and
 * peak RSS). */
void rti_live_print_summary(const struct rti_live *l, FILE *f);

/* Stops and joins the reader if it still runs. The pipeline is not freed. */
void rti_live_free(struct rti_live *l);

#endif
