/* SPDX-License-Identifier: Apache-2.0 */
/* The live object's log lines: opts.log, or stderr with run's prefix. */
#include <stdarg.h>
#include <stdio.h>

#include "live/live_int.h"

void rti_live_log(const struct rti_live *l, enum rti_live_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l->o.log) {
		l->o.log(l->o.log_ctx, level, msg);
		return;
	}
	/* one call per line, so the reader's and the writer's lines never mix */
	fprintf(stderr, "stella-rti run: %s\n", msg);
}
