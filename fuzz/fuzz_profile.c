/* libFuzzer: the privacy profile YAML reader, then the profile applied to a
 * fixed event (regex redaction, maps, arguments, hashing with a test key)
 * and printed by explain. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "privacy/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct rti_kv kv[] = {
		{ "app", "web" }, { "team", "password=hunter2" }, { "app.kubernetes.io/name", "x" },
	};
	static const struct rti_arg args[] = {
		{ .type = RTI_ARG_SOCK, .family = "AF_INET", .dport = 443 },
		{ .type = RTI_ARG_FILE, .text = "/home/alice/.ssh/id_rsa" },
		{ .type = RTI_ARG_STRING, .text = "token=abc Bearer abcdefghijkl" },
		{ .type = RTI_ARG_INT, .ival = -1 },
	};
	struct rti_privacy *p;
	struct rti_event in, out;
	struct rti_arena a;
	uint64_t secrets[RTI_SECRET__COUNT] = { 0 };
	struct rti_privacy_run run;
	char err[512];
	FILE *devnull;

	p = rti_privacy_parse_yaml("fuzz", (const char *)data, size, err, sizeof(err));
	if (!p)
		return 0;
	memcpy(p->key, "0123456789abcdef0123456789abcdef", 32);
	p->key_len = 32;
	memset(&in, 0, sizeof(in));
	in.kind = RTI_KIND_KPROBE;
	in.process.present = true;
	in.process.binary = "/home/alice/bin/x";
	in.process.cwd = "/usr/src/app";
	in.process.arguments = "--password=x --token y AKIAIOSFODNN7EXAMPLE";
	in.process.user_name = "alice";
	in.process.env = kv;
	in.process.n_env = 3;
	in.process.has_pod = true;
	in.process.pod.name = "web-1";
	in.process.pod.labels = kv;
	in.process.pod.n_labels = 3;
	in.process.pod.annotations = kv;
	in.process.pod.n_annotations = 3;
	in.parent = in.process;
	in.args = (struct rti_arg *)args;
	in.n_args = 4;
	in.node_name = "node-1";
	rti_arena_init(&a, 4096, 1 << 20);
	memset(&run, 0, sizeof(run));
	run.profile = p;
	run.arena = &a;
	run.secrets = secrets;
	rti_privacy_filter_event(&run, &in, &out);
	devnull = fopen("/dev/null", "w");
	if (devnull) {
		rti_privacy_explain(p, devnull, false);
		rti_privacy_explain(p, devnull, true);
		fclose(devnull);
	}
	rti_arena_release(&a);
	rti_privacy_free(p);
	return 0;
}
