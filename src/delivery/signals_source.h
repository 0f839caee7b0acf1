/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The signals sink's batch source (spec agent.md §5; docs/hot-index.md
 * "Signals push"; docs/signals.md): implements struct rti_batch_source_ops
 * (delivery/source.h) over the hot index's store.
 *
 *   next()  every interval (and at once after an acknowledgement when a
 *           scope's growth did not fit one batch), freezes per image scope
 *           whose counts grew the delta since its acknowledged push, then
 *           returns the oldest outstanding batch (same id and bytes until
 *           ack() or dead(), also after a restart);
 *   ack()   applies the batch's deltas to the acknowledged counts and
 *           removes it, in one transaction (idempotent);
 *   dead()  keeps the batch aside in the store (state dead), its deltas
 *           counted as pushed: delivery goes on;
 *   held()  image scopes held for want of a callgraph id
 *           (require_callgraph), as of the last freeze.
 *
 * The source opens its own hot index handle: one sender thread uses it;
 * rti_signals_source_set_map() may be called from another thread (reload).
 */
#ifndef RTI_DELIVERY_SIGNALS_SOURCE_H
#define RTI_DELIVERY_SIGNALS_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "delivery/source.h"
#include "rti/opts.h"

struct rti_signals_source_opts {
	size_t sz;                 /* sizeof(struct rti_signals_source_opts) */
	const char *hot_index;     /* the hot index URL (sqlite:..., postgres://...); required */
	const char *node;          /* batch ids and lease owner; NULL = the host name */
	uint64_t interval_ms;      /* freeze period; 0 = 60000 */
	const char *callgraph_map; /* YAML {sha256:<hex>: <callgraphId>}; NULL = none */
	bool require_callgraph;    /* hold image scopes without a callgraph id */
	uint64_t lease_ms;         /* claim on an outstanding batch; 0 = 600000 */
	uint64_t max_lines;        /* symbols per batch; 0 = 10000 */
	size_t max_bytes;          /* body bytes per batch; 0 = 4 MiB (max 32 MiB) */
};

struct rti_signals_source_stats {
	uint64_t freezes;          /* freeze passes run */
	uint64_t batches_frozen;
	uint64_t acked;            /* acknowledgements that applied deltas */
	uint64_t acked_before;     /* acknowledgements of a batch settled before (no-op) */
	uint64_t dead;
	uint64_t held_scopes;      /* gauge: image scopes without a callgraph id (required) */
	uint64_t host_scopes;      /* gauge: scopes that are not images, never pushed */
	uint64_t errors;           /* store errors (each also returned) */
};

struct rti_signals_source;

/* NULL with errno and err filled (bad options, the hot index or the map). */
struct rti_signals_source *rti_signals_source_open(const struct rti_signals_source_opts *o,
						   char *err, size_t errlen);
/* The ops to hand to a sender, with ctx = the source (destroy frees it). */
const struct rti_batch_source_ops *rti_signals_source_ops(void);
/* Reload: parses path (NULL or "" = no map) into a new map and swaps it in;
 * on failure the old map stays and err says FILE:LINE:COL. 0 or -errno. */
int rti_signals_source_set_map(struct rti_signals_source *s, const char *path, char *err,
			       size_t errlen);
/* Reload of the reloadable keys (interval, require_callgraph, the map,
 * already parsed: taken, NULL = none), from any thread; the next call of
 * next() freezes with them. */
struct rti_callgraph_map;
void rti_signals_source_reconfigure(struct rti_signals_source *s, uint64_t interval_ms,
				    bool require_callgraph, struct rti_callgraph_map *map);
void rti_signals_source_stats(struct rti_signals_source *s, struct rti_signals_source_stats *out);
/* The last error message ("" none). */
const char *rti_signals_source_errmsg(struct rti_signals_source *s);
void rti_signals_source_free(struct rti_signals_source *s);

/* The request path of an image digest ("sha256:<hex>"), callgraph id NULL
 * = without; values URL-encoded. 0 or -ENAMETOOLONG. */
int rti_signals_path(char *out, size_t outlen, const char *callgraph_id, const char *digest);

#endif
