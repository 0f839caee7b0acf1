/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A source of batches for a delivery sender (delivery/sender.c): the
 * events spool and the signals store implement it. One sender thread per
 * sink calls a source; nothing else does. A batch, once returned by next(),
 * is returned again (same id, same bytes) until ack() or dead() is called
 * for it, also after a restart of the process: that is what makes
 * delivery at-least-once with idempotency keys (spec agent.md §5).
 */
#ifndef RTI_DELIVERY_SOURCE_H
#define RTI_DELIVERY_SOURCE_H

#include <stddef.h>
#include <stdint.h>

struct rti_batch {
	char id[160];          /* Idempotency-Key: stable across retries and restarts */
	char path[1024];       /* appended to the sink URL ("" = none); signals:
	                          "/signals/runtime-facts/ndjson?callgraphId=..&imageDigest=sha256:..&source=stella-rti" */
	const uint8_t *body;   /* uncompressed NDJSON; owned by the source, valid until the next call */
	size_t len;
	uint64_t records;      /* lines in body (metrics) */
	uint64_t created_ms;   /* when it was frozen (CLOCK_REALTIME ms; spool_oldest_age) */
};

struct rti_batch_source_ops {
	const char *sink;      /* "events" or "signals": the metrics' sink label */
	/* 1 and *b filled: a batch to send; 0: none ready now; -errno: error (logged, retried later) */
	int (*next)(void *ctx, struct rti_batch *b, uint64_t now_ms);
	/* the receiver answered 2xx for b: advance past it durably. 0 or -errno */
	int (*ack)(void *ctx, const struct rti_batch *b);
	/* a non-retryable 4xx: keep b aside (dead letter), then advance. 0 or -errno */
	int (*dead)(void *ctx, const struct rti_batch *b, long status, const char *resp, size_t resp_len);
	/* optional: scopes held back (stella_rti_delivery_held_scopes); NULL = 0 */
	uint64_t (*held)(void *ctx);
	void (*destroy)(void *ctx);
};

#endif
