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

struct rti_sink_ops {
	const char *name;
	/* line: one canonical RuntimeCallEvent including its '\n'. 0 or -errno. */
	int (*event)(void *ctx, const struct rti_event *ev, const struct rti_canon *cn,
		     const char *line, size_t len);
	int (*flush)(void *ctx);
	void (*destroy)(void *ctx);
};

/* A buffered NDJSON writer on fd (closed by destroy when own_fd). */
int rti_ndjson_sink_new(int fd, int own_fd, const struct rti_sink_ops **ops,
			void **ctx);

#endif
