/* SPDX-License-Identifier: Apache-2.0 */
/* The fixed vocabularies of the canonical event. */
#include <stddef.h>

#include "rti/canon.h"

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

static const char *const redact_paths[RTI_R__COUNT] = {
	[RTI_R_ANCESTORS] = "ancestors",
	[RTI_R_CLUSTER] = "cluster",
	[RTI_R_CONTAINER_ID] = "container.id",
	[RTI_R_IMAGE_NAME] = "container.image.name",
	[RTI_R_CONTAINER_NAME] = "container.name",
	[RTI_R_POD_ANNOTATIONS] = "container.pod.annotations",
	[RTI_R_POD_LABELS] = "container.pod.labels",
	[RTI_R_POD_NAME] = "container.pod.name",
	[RTI_R_POD_NAMESPACE] = "container.pod.namespace",
	[RTI_R_POD_WORKLOAD] = "container.pod.workload",
	[RTI_R_POD_WORKLOAD_KIND] = "container.pod.workload_kind",
	[RTI_R_EXIT_SIGNAL] = "exit.signal",
	[RTI_R_NODE] = "node",
	[RTI_R_NODE_LABELS] = "node.labels",
	[RTI_R_PARENT_ARGUMENTS] = "parent.arguments",
	[RTI_R_PARENT_BINARY] = "parent.binary",
	[RTI_R_PARENT_CAPABILITIES] = "parent.capabilities",
	[RTI_R_PARENT_CREDENTIALS] = "parent.credentials",
	[RTI_R_PARENT_CWD] = "parent.cwd",
	[RTI_R_PARENT_ENVIRONMENT] = "parent.environment",
	[RTI_R_PARENT_EXEC_ID] = "parent.exec_id",
	[RTI_R_PARENT_USER] = "parent.user",
	[RTI_R_POLICY] = "policy",
	[RTI_R_PROBE_ACTION] = "probe.action",
	[RTI_R_PROBE_ARGS] = "probe.args",
	[RTI_R_PROBE_DATA] = "probe.data",
	[RTI_R_PROBE_EVENT] = "probe.event",
	[RTI_R_PROBE_MODULE] = "probe.module",
	[RTI_R_PROBE_NAME] = "probe.name",
	[RTI_R_PROBE_PROVIDER] = "probe.provider",
	[RTI_R_PROBE_RETURN] = "probe.return",
	[RTI_R_PROBE_SUBSYSTEM] = "probe.subsystem",
	[RTI_R_PROBE_SYMBOL] = "probe.symbol",
	[RTI_R_PROCESS_ARGUMENTS] = "process.arguments",
	[RTI_R_PROCESS_BINARY] = "process.binary",
	[RTI_R_PROCESS_CAPABILITIES] = "process.capabilities",
	[RTI_R_PROCESS_CREDENTIALS] = "process.credentials",
	[RTI_R_PROCESS_CWD] = "process.cwd",
	[RTI_R_PROCESS_ENVIRONMENT] = "process.environment",
	[RTI_R_PROCESS_EXEC_ID] = "process.exec_id",
	[RTI_R_PROCESS_PARENT_EXEC_ID] = "process.parent_exec_id",
	[RTI_R_PROCESS_USER] = "process.user",
	[RTI_R_STACK_MODULE] = "stack.module",
	[RTI_R_STACK_SYMBOL] = "stack.symbol",
};

const char *rti_redact_path(enum rti_redact r)
{
	return (unsigned)r < RTI_R__COUNT ? redact_paths[r] : NULL;
}
