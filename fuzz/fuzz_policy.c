/* libFuzzer: the TracingPolicy YAML reader (libyaml documents -> hooks). */
#include <stdint.h>
#include <stdlib.h>

#include "tetragon/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rti_policy_set ps;
	char err[256];

	rti_policy_set_init(&ps);
	ps.max_hooks = 1000;
	rti_policy_set_load_mem(&ps, "fuzz", (const char *)data, size, err, sizeof(err));
	/* lookups on whatever was loaded must be safe */
	rti_policy_find_kernel(&ps, "p", "f");
	rti_policy_find_uprobe(&ps, "p", "/x", "s");
	rti_policy_set_release(&ps);
	return 0;
}
