/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Outputs of the pipeline (Fluent Bit style): every emitted event reaches
 * every sink after the privacy stage, as the canonical struct and as its
 * canonical JSON line.
 */
#ifndef RTI_SINK_H
#define RTI_SINK_H

#include <stddef.h>

#include "rti/canon.h"
#include "rti/event.h"

/* What a sink needs (struct rti_sink_ops.flags); 0, the default: the line. */
#define RTI_SINK_NO_LINE (1u << 0)      /* reads ev and cn only: line may be NULL */
#define RTI_SINK_STACK_DIGEST (1u << 1) /* uses cn->stack_digest when present */
/* reads of ev only kind, time, node_name, function and path (and cn):
 * when every sink says so, privacy filters only those (and the stack) */
#define RTI_SINK_INDEX_FIELDS (1u << 2)

struct rti_sink_ops {
	const char *name;
	/* line: one canonical RuntimeCallEvent including its '\n'. 0 or -errno.
	 * NULL (len 0) when no sink of the pipeline needs it. */
	int (*event)(void *ctx, const struct rti_event *ev, const struct rti_canon *cn,
		     const char *line, size_t len);
	int (*flush)(void *ctx);
	void (*destroy)(void *ctx);
	/* RTI_SINK_* bits. When no sink needs the line, the pipeline writes
	 * no canonical line and no event_id at all (aggregate-only). */
	unsigned flags;
};

/* A buffered NDJSON writer on fd (closed by destroy when own_fd). */
int rti_ndjson_sink_new(int fd, int own_fd, const struct rti_sink_ops **ops,
			void **ctx);

#endif
