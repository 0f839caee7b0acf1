/* SPDX-License-Identifier: Apache-2.0 */
#ifndef RTI_PROBE_MAP_H
#define RTI_PROBE_MAP_H

#include "rti/canon.h"
#include "tetragon/policy.h"

/*
 * Spec §3: the probe type of an event. Kernel hooks are fentry/fexit only
 * when a loaded policy lists the hook under spec.fentries; uprobes are
 * uretprobes only when the policy marks them `return: true`. Without a
 * matching policy the event-only rule applies (kprobe, or kretprobe when
 * the event carries `return`). *by_policy tells which rule decided.
 */
enum rti_probe_type rti_probe_map(const struct rti_event *ev,
				  const struct rti_policy_set *ps, bool *by_policy);

#endif
