/* SPDX-License-Identifier: Apache-2.0 */
/* Tetragon's event kinds (the members of GetEventsResponse's oneof) by
 * name: the decoders' vocabulary, which the event view keeps. */
#include <stddef.h>

#include "rti/event.h"

static const char *const kind_names[RTI_KIND__COUNT] = {
	[RTI_KIND_NONE] = NULL,
	[RTI_KIND_EXEC] = "process_exec",
	[RTI_KIND_EXIT] = "process_exit",
	[RTI_KIND_KPROBE] = "process_kprobe",
	[RTI_KIND_TRACEPOINT] = "process_tracepoint",
	[RTI_KIND_LOADER] = "process_loader",
	[RTI_KIND_UPROBE] = "process_uprobe",
	[RTI_KIND_THROTTLE] = "process_throttle",
	[RTI_KIND_LSM] = "process_lsm",
	[RTI_KIND_USDT] = "process_usdt",
	[RTI_KIND_TEST] = "test",
	[RTI_KIND_RATE_LIMIT_INFO] = "rate_limit_info",
	[RTI_KIND_UNKNOWN] = "unknown",
};

const char *rti_kind_name(enum rti_kind k)
{
	return (unsigned)k < RTI_KIND__COUNT ? kind_names[k] : NULL;
}
