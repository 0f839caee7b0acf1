/* SPDX-License-Identifier: Apache-2.0 */
#include "adapt/probe_map.h"

enum rti_probe_type rti_probe_map(const struct rti_event *ev,
				  const struct rti_policy_set *ps, bool *by_policy)
{
	const struct rti_hook *h;

	*by_policy = false;
	switch (ev->kind) {
	case RTI_KIND_EXEC:
		return RTI_PROBE_PROCESS_EXEC;
	case RTI_KIND_EXIT:
		return RTI_PROBE_PROCESS_EXIT;
	case RTI_KIND_TRACEPOINT:
		return RTI_PROBE_TRACEPOINT;
	case RTI_KIND_USDT:
		return RTI_PROBE_USDT;
	case RTI_KIND_LSM:
		return RTI_PROBE_LSM;
	case RTI_KIND_KPROBE:
		h = ps ? rti_policy_find_kernel(ps, ev->policy_name, ev->function) : NULL;
		if (h) {
			*by_policy = true;
			if (h->kind == RTI_HOOK_FENTRY)
				return h->ret ? RTI_PROBE_FEXIT : RTI_PROBE_FENTRY;
			return h->ret || ev->has_return ? RTI_PROBE_KRETPROBE : RTI_PROBE_KPROBE;
		}
		return ev->has_return ? RTI_PROBE_KRETPROBE : RTI_PROBE_KPROBE;
	case RTI_KIND_UPROBE:
		h = ps ? rti_policy_find_uprobe(ps, ev->policy_name, ev->path, ev->function)
		       : NULL;
		if (h)
			*by_policy = true;
		return h && h->ret ? RTI_PROBE_URETPROBE : RTI_PROBE_UPROBE;
	default:
		return RTI_PROBE_NONE;
	}
}
