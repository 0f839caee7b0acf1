/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stella-rti pipeline: decode -> probe mapping -> privacy -> stack
 * canonicalization -> sinks. Inputs (JSON export records, gRPC messages)
 * feed it; one pipeline is used by one thread (in two-stage mode, that
 * thread plus the pipeline's own writer thread: see rti_pipeline_start).
 */
#ifndef RTI_PIPELINE_H
#define RTI_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rti/canon.h"
#include "rti/event.h"
#include "rti/privacy.h"
#include "rti/sink.h"
#include "rti/symbolize.h"

struct rti_pipeline;

struct rti_pipeline_opts {
	size_t sz;                /* sizeof(struct rti_pipeline_opts) */
	const char *privacy;      /* built-in profile name; NULL = "strict" (see profile) */
	unsigned max_tokens;      /* JSON tokens per record; 0 = 1Mi */
	size_t arena_max;         /* decoded bytes per record; 0 = 64 MiB */
	unsigned frame_cache;     /* frame_id memo slots; 0 = 4096 (~0.6 MB) */
	/* symbol resolution of stack frames; NULL = on, defaults */
	const struct rti_symbolizer_opts *symbolize;
	/* an opened privacy profile (rti/privacy.h), borrowed: it must outlive
	 * the pipeline; NULL = the built-in named by `privacy` */
	const struct rti_privacy *profile;
	/* byte cap of the whole-stack memo (docs/stacks.md): 0 = 8 MiB,
	 * (size_t)-1 = off. The environment variable RTI_STACK_MEMO (a byte
	 * count, or 0 for off) overrides it: for debugging and A/B runs. */
	size_t stack_memo;
};

#define RTI_MAX_UNKNOWN_KINDS 16

struct rti_stats {
	uint64_t records;          /* records handed to the pipeline */
	uint64_t bad_records;      /* malformed: diagnostics were printed */
	uint64_t kind_in[RTI_KIND__COUNT];
	uint64_t written[RTI_PROBE__COUNT];
	uint64_t written_total;
	uint64_t by_policy;        /* probe type decided by a TracingPolicy */
	uint64_t time_fallback;    /* exec/exit without response time: start/exit time used */
	uint64_t rate_limit_dropped; /* events Tetragon said it dropped */
	uint64_t throttle_start, throttle_stop;
	uint64_t sink_errors;
	struct {
		char name[40];
		uint64_t n;
	} unknown[RTI_MAX_UNKNOWN_KINDS];
	uint64_t unknown_other;    /* unknown kinds beyond the table */
	/* stack stage */
	uint64_t frames_kernel, frames_user, frames_agent, frames_unresolved;
	uint64_t frame_modules_withheld;
	struct rti_symbolize_stats symbolize; /* resolution by source and reason, caches */
	/* privacy stage: secrets redacted, by detector (rti_privacy_secret_kind) */
	uint64_t secrets[8];
};

struct rti_diag {
	char msg[384];  /* "field.path: reason" */
	size_t offset;  /* byte offset in the record */
};

struct rti_pipeline *rti_pipeline_new(const struct rti_pipeline_opts *opts);
void rti_pipeline_free(struct rti_pipeline *p);

/* TracingPolicy YAML file or directory. 0, or -errno with err filled. */
int rti_pipeline_add_policy(struct rti_pipeline *p, const char *path, char *err,
			    size_t errlen);
/* The pipeline owns the sink afterwards. */
int rti_pipeline_add_sink(struct rti_pipeline *p, const struct rti_sink_ops *ops,
			  void *ctx);

/*
 * One JSON record (a GetEventsResponse in protojson). Returns 0 when the
 * record was emitted or skipped for a counted reason, -EINVAL when it is
 * malformed (d filled, counted in bad_records), other -errno when a sink
 * failed.
 */
int rti_pipeline_feed_json(struct rti_pipeline *p, const char *rec, size_t len,
			   struct rti_diag *d);
/* An event already decoded (e.g. from protobuf) into the event view. The
 * later stages allocate in the pipeline's arena, which the decoder resets
 * per event (rti_pipeline_arena, src/pipeline/pipeline_int.h). */
int rti_pipeline_feed_event(struct rti_pipeline *p, const struct rti_event *ev,
			    struct rti_diag *d);
/* Counts a record the caller decoded itself for rti_pipeline_feed_event()
 * (bad: it could not be decoded), in records and bad_records, as
 * rti_pipeline_feed_json() counts its own. */
void rti_pipeline_count_record(struct rti_pipeline *p, bool bad);

/*
 * Two-stage mode, for batch conversion on more than one core: after
 * rti_pipeline_start(), records given to rti_pipeline_submit_json() are
 * decoded on the caller's thread, and everything after decoding (probe
 * mapping, privacy, stacks, canonical writer, sinks) runs on a writer thread
 * the pipeline owns, record after record in input order. The output is
 * byte-identical to rti_pipeline_feed_json() record by record.
 *
 * Records that were not emitted come back through fn, in input order, on
 * the writer thread: rc -EINVAL for a malformed record (counted in
 * bad_records), -EBADMSG for a framing error given to
 * rti_pipeline_submit_error() (not counted), any other -errno for a sink
 * failure, after which nothing more is written (records submitted after it
 * are dropped unreported). Sinks are called on the writer thread. fn must
 * not call back into the pipeline. rti_pipeline_feed_json/feed_event must
 * not be used in this mode; rti_pipeline_stats() is exact after a drain.
 * The per-record arena cap (arena_max) covers decoding and the later
 * stages together, as in one-thread mode.
 *
 * Memory in flight is bounded: 3 batches of at most 48 records or 320 KiB
 * of decoded data (or of records handed over to the writer, each at most
 * 320 KiB) each, plus what the later stages allocate for those records
 * (each record within its arena cap; usually about as much again).
 * Records wait in a batch until it is full: an input that goes idle calls
 * rti_pipeline_push_batch() so that they do not wait for more input.
 */
struct rti_origin {
	const char *name; /* input name: must stay valid until the next drain */
	uint64_t line;
	/* lines of the input read once this record was: what a one-thread
	 * reader would have counted had it stopped at this record */
	uint64_t lines_through;
};
typedef void (*rti_result_fn)(void *ctx, const struct rti_origin *o, int rc,
			      const struct rti_diag *d);

/* 0, -EINVAL (already started, no fn), or -errno from thread creation. */
int rti_pipeline_start(struct rti_pipeline *p, rti_result_fn fn, void *ctx);
/* 0 queued (the result comes through fn); -ECANCELED once a sink failed. */
int rti_pipeline_submit_json(struct rti_pipeline *p, const char *rec, size_t len,
			     const struct rti_origin *o);
/* A framer's diagnostic, reported through fn in order with the records. */
int rti_pipeline_submit_error(struct rti_pipeline *p, const struct rti_origin *o,
			      const struct rti_diag *d);
/*
 * Who decodes in two-stage mode; call after rti_pipeline_start (ignored
 * before). AUTO: the reading thread, except batches begun after the writer
 * ran dry, whose records (up to 320 KiB each) the writer decodes itself:
 * the two threads share the work whatever its split. NEVER and ALWAYS pin
 * it to the reading thread or the writer, for tests and measurements
 * (ALWAYS copies records of any size: a batch may then hold up to 48
 * copies of the largest record). The results are the same in all three.
 */
enum rti_handover { RTI_HANDOVER_AUTO = 0, RTI_HANDOVER_NEVER, RTI_HANDOVER_ALWAYS };
void rti_pipeline_set_handover(struct rti_pipeline *p, enum rti_handover h);
/* Hands what was submitted so far to the writer without waiting for it. */
void rti_pipeline_push_batch(struct rti_pipeline *p);
/* Waits until everything submitted went through: 0, or the first sink
 * error. Does nothing in one-thread mode. */
int rti_pipeline_drain(struct rti_pipeline *p);

/* Drains (two-stage mode), then flushes the sinks. */
int rti_pipeline_flush(struct rti_pipeline *p);
const struct rti_stats *rti_pipeline_stats(const struct rti_pipeline *p);

#endif
