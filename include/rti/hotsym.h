/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hot symbol index (spec runtime-call-event.md §7, §8; docs/hot-index.md):
 * exact per-scope counts of the functions that ran.
 *
 * A pipeline sink derives symbol observations from each canonical event and
 * aggregates them in a bounded in-memory table. A flush commits the table
 * as one batch, in one transaction, to a store:
 *
 *   sqlite:PATH          embedded (WAL), the default
 *   postgres://...       (or postgresql://...) through libpq, for a fleet
 *
 * Every batch has a unique id (node identity + a sequence number reserved
 * in the store) recorded in the same transaction as its counts, so a batch
 * retried after a lost connection is never counted twice. The input
 * positions noted with rti_hotsym_note_input() are committed with the
 * batch, so a restarted reader resumes exactly where the index stopped.
 *
 * One handle is used by one thread.
 */
#ifndef RTI_HOTSYM_H
#define RTI_HOTSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rti/buf.h"
#include "rti/event.h"
#include "rti/sink.h"

struct rti_hotsym;

struct rti_hotsym_opts {
	size_t sz;                 /* sizeof(struct rti_hotsym_opts) */
	const char *node;          /* writer identity; NULL = the host name */
	size_t max_entries;        /* distinct (scope, symbol_id) held; 0 = 262144 */
	size_t max_paths;          /* distinct (scope, call path) held; 0 = 65536 */
	size_t max_bytes;          /* string memory of the table; 0 = 64 MiB */
	unsigned flush_interval_s; /* 0 = 10 */
	uint64_t flush_every;      /* observations between flushes; 0 = 1000000 */
	/*
	 * What event() does when the table is full and the store cannot take
	 * a flush: false (file input) fails, so that the reader stops and a
	 * rerun resumes from the committed position; true (live stream, which
	 * cannot be replayed) drops the event's observations and counts them.
	 */
	bool drop_when_full;
	bool read_only;            /* queries only: never creates nor migrates */
	/*
	 * Called before every commit. The input position goes into the index
	 * with the batch, so whatever else was written for those records (the
	 * NDJSON output) must be written first, or a crash right after the
	 * commit would lose it for good: resuming starts after it.
	 */
	int (*before_commit)(void *arg);
	void *before_commit_arg;
	/* exemplar call paths kept per scope in the store; 0 = 1000 */
	uint64_t max_exemplars;
};

struct rti_hotsym_stats {
	uint64_t events;           /* events seen by the sink */
	uint64_t observations;     /* symbol observations counted (§7) */
	uint64_t path_observations; /* events with a stack */
	uint64_t skipped_no_code_id; /* user symbol whose code_id was withheld */
	uint64_t skipped_too_long; /* a name longer than RTI_HOTSYM_MAX_NAME */
	uint64_t dropped;          /* observations lost (drop_when_full) */
	uint64_t batches;          /* batches committed */
	uint64_t batches_duplicate; /* retried batches found already committed */
	uint64_t flushes_early;    /* flushes forced by a full table */
	uint64_t flush_errors;     /* failed commit attempts (kept, retried) */
	uint64_t rows_flushed, paths_flushed;
	uint64_t entries, paths;   /* held in memory now, not yet committed */
	uint64_t last_flush_us;    /* duration of the last committed flush */
	uint64_t exemplars;        /* new call paths whose exemplar was kept in memory */
	uint64_t exemplars_skipped; /* ... not kept: the table's string memory was full */
};

#define RTI_HOTSYM_MAX_NAME 4096 /* bytes of a symbol, code_id or module */

/*
 * Opens (sqlite: creates) the index at url and brings its schema to the
 * current version. NULL with errno set and a message in err on failure
 * (EINVAL: bad URL or options; ENOENT: read_only and no such index;
 * EPROTO: schema newer than this program; ECONNREFUSED: PostgreSQL
 * unreachable or refusing us; EIO: other store errors).
 */
struct rti_hotsym *rti_hotsym_open(const char *url, const struct rti_hotsym_opts *opts,
				   char *err, size_t errlen);
/* Flushes (errors are counted in flush_errors), then frees. */
void rti_hotsym_close(struct rti_hotsym *h);

/*
 * A pipeline sink feeding h. The handle stays owned by the caller: the
 * sink's destroy does nothing, so free the pipeline before closing h.
 * event() flushes by itself when the interval or the observation count is
 * due, or before an event that would not fit; the sink's flush (called by
 * the pipeline when the input is idle) commits only when due: the owner
 * calls rti_hotsym_flush() at the end.
 */
int rti_hotsym_sink(struct rti_hotsym *h, const struct rti_sink_ops **ops, void **ctx);

/*
 * Input positions: after each input record, the reader notes the position
 * just past it; the next flush commits the latest position per source with
 * the batch. source_id is the caller's stable name of the input (e.g.
 * "file:" + real path); at most 256 sources per handle (-E2BIG).
 */
int rti_hotsym_note_input(struct rti_hotsym *h, const char *source_id, uint64_t offset);
/* The committed position of source_id for this node: 0, -ENOENT (none:
 * start at the beginning), or another -errno (store error: do not start). */
int rti_hotsym_input_position(struct rti_hotsym *h, const char *source_id,
			      uint64_t *offset);

/* Commits what is held (and any batch whose commit failed before). 0 or -errno. */
int rti_hotsym_flush(struct rti_hotsym *h);
/* Flushes only when the interval or the observation count is due. */
int rti_hotsym_maybe_flush(struct rti_hotsym *h);

const struct rti_hotsym_stats *rti_hotsym_stats(struct rti_hotsym *h);
/* The last error, e.g. the store's message; "" when none. */
const char *rti_hotsym_errmsg(const struct rti_hotsym *h);

/* ---- reading the index ---- */

/* probe_types: a bit set, bit (1u << enum rti_probe_type); the index stores
 * these bits, so the enum values are frozen (checked at build time). */
struct rti_hot_entry {
	const char *scope;
	const char *symbol_id;
	const char *module;        /* NULL when withheld */
	const char *code_id;
	const char *symbol;
	uint64_t hit_count;
	struct rti_time first_seen, last_seen;
	uint32_t probe_types;
};

enum rti_hot_order {
	RTI_HOT_BY_HITS, /* hit_count descending, then scope, symbol_id */
	RTI_HOT_BY_KEY,  /* scope, symbol_id (byte order) */
};

struct rti_hot_filter {
	const char *scope;             /* NULL = every scope */
	const char *symbol_id;         /* NULL = every symbol */
	struct rti_time since, until;  /* .set: entries seen within [since, until] */
	uint64_t limit;                /* 0 = no limit */
	enum rti_hot_order order;
};

/* fn returns 0 to go on, anything else stops the scan and is returned. */
typedef int (*rti_hot_entry_fn)(void *arg, const struct rti_hot_entry *e);
int rti_hotsym_scan(struct rti_hotsym *h, const struct rti_hot_filter *f,
		    rti_hot_entry_fn fn, void *arg);

/* A call path (docs/hot-index.md §1) and its exemplar: the frames of the
 * first event with that path, innermost first, one per line, fields
 * separated by tabs: space, code_id, offset (0x...), module, symbol
 * (empty when withheld or unknown). frames is NULL when none was kept. */
struct rti_hot_path {
	const char *scope;
	const char *digest;        /* "sha256:<hex>" */
	uint64_t hit_count;
	struct rti_time first_seen, last_seen;
	const char *frames;
};

typedef int (*rti_hot_path_fn)(void *arg, const struct rti_hot_path *p);
/* Call paths of f->scope (NULL: all) within f->since/until, by scope then
 * digest. fn returns 0 to go on. */
int rti_hotsym_scan_paths(struct rti_hotsym *h, const struct rti_hot_filter *f,
			  rti_hot_path_fn fn, void *arg);

/* The Go build information stored per code id (rti/gobuildinfo.h text
 * form), by code id. fn returns 0 to go on. */
typedef int (*rti_hot_buildinfo_fn)(void *arg, const char *code_id, const char *info);
int rti_hotsym_scan_go_buildinfo(struct rti_hotsym *h, rti_hot_buildinfo_fn fn, void *arg);

/* Appends the canonical JSON object of e with the field names of §7. */
int rti_hot_entry_json(const struct rti_hot_entry *e, struct rti_buf *out);

enum rti_hot_export {
	RTI_HOT_EXPORT_SIGNALS,    /* Signals runtime facts NDJSON (§8) */
	RTI_HOT_EXPORT_EVIDENCE,   /* executionEvidence in-toto statements, one per line */
	RTI_HOT_EXPORT_TRACE_BLOB, /* the canonical trace blob trace_digest covers */
	RTI_HOT_EXPORT_FOLDED,     /* exemplar call paths, folded stacks with counts */
};

struct rti_hot_export_opts {
	size_t sz;                 /* sizeof(struct rti_hot_export_opts) */
	enum rti_hot_export format;
	const char *scope;         /* NULL = every scope (trace blob: required) */
	struct rti_time since, until;
	const char *environment;   /* evidence environment_id; NULL = "default" */
	unsigned hot_symbols;      /* evidence hot_symbols[] length; 0 = 25, max 1000 */
	uint64_t skipped_scopes;   /* out: evidence, scopes without an artifact digest */
	uint64_t paths_without_exemplar; /* out: folded, call paths beyond the bound */
};

/* Writes the export to fd. Deterministic: same index content, same bytes. */
int rti_hotsym_export(struct rti_hotsym *h, struct rti_hot_export_opts *o, int fd);

/* ---- the Signals push (docs/hot-index.md "Signals push") ----
 *
 * Per scope, the index keeps the counts Signals acknowledged; a batch is
 * the growth since then (hitCount = delta), frozen in the store with its
 * id, body and per-symbol deltas before its first attempt, and offered
 * again (same id, same bytes), also after a restart, until it is
 * acknowledged or refused. Acknowledging it adds its deltas to the
 * acknowledged counts in the same transaction that removes it. A scope has
 * at most one outstanding batch in the whole index (all nodes): the sum of
 * the acknowledged deltas per symbol never exceeds its count, and equals it
 * once everything is acknowledged. Writers (not read_only) only. */

struct rti_hot_signals_freeze_opts {
	size_t sz;                 /* sizeof(struct rti_hot_signals_freeze_opts) */
	const char *path;          /* the request path, kept with the batch (required) */
	uint64_t max_lines;        /* symbols per batch; 0 = 10000 */
	size_t max_bytes;          /* body bytes per batch, at least one line; 0 = 4 MiB */
};

struct rti_hot_signals_batch {
	char id[160];              /* the Idempotency-Key: node/scope/sequence */
	char path[1024];
	const uint8_t *body;       /* NDJSON; the handle's, valid until its next call */
	size_t len;
	uint64_t records;          /* lines */
	uint64_t created_ms;       /* CLOCK_REALTIME ms when it was frozen */
};

typedef int (*rti_hot_scope_fn)(void *arg, const char *scope);
/* Scopes (image and host) whose counts grew since their acknowledged push
 * and that have no outstanding batch, in byte order. fn returns 0 to go on. */
int rti_hotsym_signals_scopes(struct rti_hotsym *h, rti_hot_scope_fn fn, void *arg);
/* One transaction: freezes scope's growth as a batch unless it has an
 * outstanding one. 0 nothing frozen, 1 frozen, 2 frozen and more growth is
 * left (a cap was reached: freeze again after its acknowledgement), -errno. */
int rti_hotsym_signals_freeze(struct rti_hotsym *h, const char *scope,
			      const struct rti_hot_signals_freeze_opts *o);
/* The oldest outstanding batch that this node owns or whose owner's lease
 * ran out, claimed by this node for lease_ms: 1 and *b, 0 none, -errno. */
int rti_hotsym_signals_next(struct rti_hotsym *h, uint64_t lease_ms,
			    struct rti_hot_signals_batch *b);
/* Signals acknowledged batch id: its deltas become acknowledged counts and
 * the batch is removed, in one transaction. 1 applied, 0 unknown or
 * settled before (a no-op: acking twice counts once), -errno. */
int rti_hotsym_signals_ack(struct rti_hotsym *h, const char *id);
/* Signals refused batch id for good (a 4xx): the batch is kept aside
 * (state dead, with status and the first 4 KiB of resp) and its deltas
 * count as pushed, so delivery goes on. 1, 0 (no-op) or -errno. */
int rti_hotsym_signals_dead(struct rti_hotsym *h, const char *id, long status,
			    const char *resp, size_t resp_len);

/* Syscall family of a kernel symbol (docs/hot-index.md), or NULL. */
const char *rti_hotsym_syscall_family(const char *kernel_symbol);
/* The probe type names of a probe_types bit set, sorted by name (the order
 * of listings and exports). Returns how many. */
unsigned rti_hot_probe_type_names(uint32_t bits, const char *names[RTI_PROBE__COUNT]);

#endif
