/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The on-disk spool of one sink (spec agent.md §5 "Spool"; layout in
 * docs/delivery.md and spool_format.h): DIR/NAME/ holds append-only
 * segment files and the ledger; DIR/dead/ the batches a receiver refused;
 * DIR/corrupt/ quarantined segments and ledgers.
 *
 * Two threads use it: the pipeline's writer appends (rti_spool_append,
 * never waits on HTTP: a local write to the page cache, or, with
 * when_full: block, a wait for space), and the sender reads batches
 * through its rti_batch_source (source.h). Everything else is theirs:
 * a mutex guards the segment list and the positions, never a syscall
 * that waits on a disk flush.
 *
 * Invariants: a batch lies within one segment and is made of whole
 * records; its id is the SHA-256 hex of its bytes; the batch in flight is
 * written to the ledger before it is offered and is offered again (same
 * range, same bytes) until ack or dead, also after a restart. The spool
 * never refuses to open because of its content: corrupt or missing
 * segments and an unreadable ledger are quarantined, counted and logged.
 */
#ifndef RTI_DELIVERY_SPOOL_H
#define RTI_DELIVERY_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "delivery/source.h"
#include "rti/opts.h"

/* level: 0 info, 1 warn, 2 error; k/v: one key/value pair or NULL */
typedef void (*rti_dlog_fn)(void *ctx, int level, const char *msg, const char *k, const char *v);

struct rti_spool_opts {
	size_t sz;
	const char *dir;            /* delivery.spool.dir */
	const char *name;           /* the sink: "events" (sub-directory, file names) */
	uint64_t max_bytes;         /* all segments of this spool */
	bool block_when_full;       /* else drop the oldest segment (counted) */
	bool fsync_every_batch;     /* else rti_spool_sync every second */
	uint64_t batch_max_bytes;
	uint64_t batch_timeout_ms;
	rti_dlog_fn log;
	void *log_ctx;
};

struct rti_spool_stats {
	uint64_t bytes, segments;
	uint64_t appended;          /* records */
	uint64_t dropped_spool_full, dropped_disk_full, dropped_too_large, dropped_error;
	uint64_t corrupt_segments, missing_segments, torn_records, ledger_resets;
	uint64_t acked_records, dead_batches, dead_records;
	uint64_t oldest_ms;         /* wall ms of the oldest unacknowledged data (0: none) */
	bool writable;              /* the last append (or open) succeeded */
	bool blocked;               /* a writer waits for space (when_full: block) */
};

/* NULL with errno (ENOMEM, EINVAL) only: a directory that cannot be made
 * gives a spool that drops (counted, reason "error") and retries. */
struct rti_spool *rti_spool_open(const struct rti_spool_opts *o, char *err, size_t errlen);
void rti_spool_close(struct rti_spool *s);

/* Writer thread. line: one record (a canonical line with its '\n').
 * 0, or -errno when it was dropped (counted by reason). */
int rti_spool_append(struct rti_spool *s, const void *line, size_t len);

/* The batch source of this spool (its destroy does nothing: the owner
 * closes the spool). */
void rti_spool_source(struct rti_spool *s, const struct rti_batch_source_ops **ops, void **ctx);

/* Sender thread, with fsync: interval: makes what was appended durable. */
void rti_spool_sync(struct rti_spool *s);
/* Reload: new batch limits (the batch in flight keeps its range). */
void rti_spool_set_batch(struct rti_spool *s, uint64_t max_bytes, uint64_t timeout_ms);
/* Shutdown: cut batches without waiting for batch_timeout (drain), and
 * let a writer that waits for space drop instead (stop). */
void rti_spool_set_draining(struct rti_spool *s, bool on);
void rti_spool_unblock(struct rti_spool *s);
void rti_spool_get_stats(struct rti_spool *s, struct rti_spool_stats *st);

#endif
