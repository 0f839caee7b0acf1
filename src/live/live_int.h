/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the live object (include/rti/live.h). Modules: live.c (lifecycle,
 * stats), reader.c (the reader thread: connect, reconnect, queue), writer.c
 * (the writer loop: decode, feed, record), log.c (the log callback).
 *
 * Who writes what: the reader thread writes the reader fields, the writer
 * (the thread calling rti_live_step) the writer fields; every counter that
 * rti_live_get_stats reads while running is an atomic, except the fields
 * marked "under stats_mu" (the reader takes it once per connect and per
 * call end, never per message).
 */
#ifndef RTI_LIVE_INT_H
#define RTI_LIVE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "rti/live.h"

/* queue item types */
enum { LIVE_Q_MSG = 1, LIVE_Q_CONNECTED = 2, LIVE_Q_DISCONNECTED = 3 };

struct rti_live {
	struct rti_live_opts o;          /* with defaults; target/record are copies */
	char *target, *record;           /* the copies (o.target, o.record) */
	struct rti_pipeline *p;          /* borrowed */
	struct rti_grpc_client *client;
	struct rti_queue *q;
	struct rti_capture_writer *rec;  /* NULL without opts.record */
	atomic_bool stop_requested;      /* rti_live_stop */
	atomic_bool connected;
	/* reader */
	pthread_t reader;
	bool started, joined;
	uint64_t start_ns;
	_Atomic uint64_t gaps, calls, connections;
	_Atomic uint64_t messages, wire_bytes, compressed, pings;
	atomic_bool too_many_pings;
	pthread_mutex_t stats_mu;
	uint64_t disc_since;             /* under stats_mu; monotonic ns, 0 = connected */
	uint64_t disc_ns;                /* under stats_mu */
	uint64_t disc_before_first_ns;   /* under stats_mu */
	bool ever_connected;             /* under stats_mu */
	int last_status;                 /* under stats_mu; -1 = no call yet */
	char last_reason[512];           /* under stats_mu */
	/* writer */
	_Atomic uint64_t processed, bad_pb, bad_event;
	bool dirty;                      /* written since the last flush */
	bool drain;                      /* still handling items (no error, no max_events) */
	bool stopping;                   /* the writer asked the reader to stop */
	bool finished;
	int rc;                          /* first error, then the run's result */
};

void *rti_live_reader_main(void *arg);

/* One line through opts.log (printf-style; at most 1 KiB). */
void rti_live_log(const struct rti_live *l, enum rti_live_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
