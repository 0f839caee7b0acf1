/* SPDX-License-Identifier: Apache-2.0 */
/* The probe types of the canonical event, by name. */
#include <stddef.h>

#include "rti/canon.h"

static const char *const probe_names[RTI_PROBE__COUNT] = {
	[RTI_PROBE_NONE] = NULL,
	[RTI_PROBE_KPROBE] = "kprobe",
	[RTI_PROBE_KRETPROBE] = "kretprobe",
	[RTI_PROBE_UPROBE] = "uprobe",
	[RTI_PROBE_URETPROBE] = "uretprobe",
	[RTI_PROBE_TRACEPOINT] = "tracepoint",
	[RTI_PROBE_USDT] = "usdt",
	[RTI_PROBE_FENTRY] = "fentry",
	[RTI_PROBE_FEXIT] = "fexit",
	[RTI_PROBE_LSM] = "lsm",
	[RTI_PROBE_PROCESS_EXEC] = "process_exec",
	[RTI_PROBE_PROCESS_EXIT] = "process_exit",
};

const char *rti_probe_type_name(enum rti_probe_type t)
{
	return (unsigned)t < RTI_PROBE__COUNT ? probe_names[t] : NULL;
}
