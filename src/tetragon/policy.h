/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TracingPolicy YAML: the only place that says whether a kernel hook was
 * a kprobe or an fentry, and whether a uprobe was a return probe
 * (spec §3). We read metadata.name and spec.{kprobes,fentries,uprobes};
 * everything else in a policy is ignored.
 */
#ifndef RTI_POLICY_H
#define RTI_POLICY_H

#include <stdbool.h>
#include <stddef.h>

enum rti_hook_kind { RTI_HOOK_KPROBE, RTI_HOOK_FENTRY, RTI_HOOK_UPROBE };

struct rti_hook {
	char *policy;
	enum rti_hook_kind kind;
	char *call;  /* kernel function, or uprobe symbol */
	char *path;  /* uprobe binary path */
	bool ret;    /* `return: true` */
};

struct rti_policy_set {
	struct rti_hook *hooks;
	size_t n, cap;
	size_t max_hooks;
	unsigned n_policies;
};

void rti_policy_set_init(struct rti_policy_set *ps);
void rti_policy_set_release(struct rti_policy_set *ps);

/*
 * Loads a YAML file (multi-document) or every *.yaml / *.yml file of a
 * directory, in name order. 0, or -errno with err holding
 * "FILE:LINE: reason".
 */
int rti_policy_set_load(struct rti_policy_set *ps, const char *path, char *err,
			size_t errlen);
/* Same, from memory (name is used in messages). */
int rti_policy_set_load_mem(struct rti_policy_set *ps, const char *name,
			    const char *data, size_t len, char *err, size_t errlen);

/* The hook of policy `policy` for kernel function `call`, or NULL. */
const struct rti_hook *rti_policy_find_kernel(const struct rti_policy_set *ps,
					      const char *policy, const char *call);
/* The uprobe hook of `policy` for `symbol` (path preferred when equal). */
const struct rti_hook *rti_policy_find_uprobe(const struct rti_policy_set *ps,
					      const char *policy, const char *path,
					      const char *symbol);

#endif
