/* Binary GetEventsResponse -> struct rti_event (src/tetragon/pb_decode.c):
 * presence rules mirrored from the JSON decoder, unknown fields and oneof
 * members, malformed input. Messages are built with protobuf-c. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tetragon/events.pb-c.h"
#include "tetragon/pb_decode.h"

static uint8_t buf[65536];
static size_t blen;
static struct rti_arena arena;
static struct rti_event ev;
static struct rti_decode_error err;

static int decode(void)
{
	rti_arena_reset(&arena);
	return rti_pb_decode(buf, blen, &arena, &ev, &err);
}

static void pack(const Tetragon__GetEventsResponse *r)
{
	blen = tetragon__get_events_response__pack(r, buf);
}

int main(void)
{
	Tetragon__GetEventsResponse r = TETRAGON__GET_EVENTS_RESPONSE__INIT;
	Tetragon__ProcessKprobe k = TETRAGON__PROCESS_KPROBE__INIT;
	Tetragon__Process p = TETRAGON__PROCESS__INIT;
	Tetragon__Process parent = TETRAGON__PROCESS__INIT;
	Google__Protobuf__UInt32Value pid = GOOGLE__PROTOBUF__UINT32_VALUE__INIT;
	Google__Protobuf__Timestamp t = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	Tetragon__Pod pod = TETRAGON__POD__INIT;
	Tetragon__Pod__PodLabelsEntry lab = TETRAGON__POD__POD_LABELS_ENTRY__INIT;
	Tetragon__Pod__PodLabelsEntry *labs[2] = { &lab, &lab };
	Tetragon__EnvVar env = TETRAGON__ENV_VAR__INIT;
	Tetragon__EnvVar *envs[3] = { &env, &env, &env };
	Tetragon__Capabilities caps = TETRAGON__CAPABILITIES__INIT;
	Tetragon__StackTraceEntry s0 = TETRAGON__STACK_TRACE_ENTRY__INIT;
	Tetragon__StackTraceEntry *ks[1] = { &s0 };
	Tetragon__KprobeArgument a0 = TETRAGON__KPROBE_ARGUMENT__INIT;
	Tetragon__KprobeArgument a1 = TETRAGON__KPROBE_ARGUMENT__INIT;
	Tetragon__KprobeArgument a2 = TETRAGON__KPROBE_ARGUMENT__INIT;
	Tetragon__KprobeArgument a3 = TETRAGON__KPROBE_ARGUMENT__INIT;
	Tetragon__KprobeArgument ret = TETRAGON__KPROBE_ARGUMENT__INIT;
	Tetragon__KprobeArgument *args[4] = { &a0, &a1, &a2, &a3 };
	Tetragon__KprobeSock sock = TETRAGON__KPROBE_SOCK__INIT;
	Tetragon__KprobeFile file = TETRAGON__KPROBE_FILE__INIT;

	rti_arena_init(&arena, 64 * 1024, 1 << 20);

	/* a kprobe with most of what the view holds */
	t.seconds = 1763460400;
	t.nanos = 713627743;
	r.time = &t;
	r.node_name = "node-a";
	r.cluster_name = "";
	pid.value = 0; /* present, zero: "pid":0 in JSON */
	p.pid = &pid;
	p.exec_id = "ZXhlYw==";
	p.binary = "/usr/bin/curl";
	p.cwd = "";
	p.arguments = "-s http://x";
	p.pod = &pod;
	pod.namespace_ = "payments";
	pod.n_pod_labels = 2;
	pod.pod_labels = labs;
	lab.key = "app";
	lab.value = "x";
	p.n_environment_variables = 3;
	p.environment_variables = envs;
	p.cap = &caps;
	parent.binary = "/bin/sh";
	k.process = &p;
	k.parent = &parent;
	k.function_name = "tcp_connect";
	k.policy_name = "net";
	k.action = TETRAGON__KPROBE_ACTION__KPROBE_ACTION_POST;
	s0.offset = 231;
	s0.symbol = "tcp_connect";
	s0.address = 0xffffffff81000000ull;
	k.n_kernel_stack_trace = 1;
	k.kernel_stack_trace = ks;
	a0.arg_case = TETRAGON__KPROBE_ARGUMENT__ARG_SOCK_ARG;
	a0.sock_arg = &sock;
	sock.family = "AF_INET";
	sock.sport = 40112;
	sock.dport = 5432;
	a1.arg_case = TETRAGON__KPROBE_ARGUMENT__ARG_INT_ARG;
	a1.int_arg = -4;
	a2.arg_case = TETRAGON__KPROBE_ARGUMENT__ARG_FILE_ARG;
	a2.file_arg = &file;
	file.path = "/etc/passwd";
	a3.arg_case = TETRAGON__KPROBE_ARGUMENT__ARG_BPF_CMD_ARG;
	a3.bpf_cmd_arg = TETRAGON__BPF_CMD__BPF_MAP_CREATE; /* 0, but a oneof: present */
	k.n_args = 4;
	k.args = args;
	ret.arg_case = TETRAGON__KPROBE_ARGUMENT__ARG_SIZE_ARG;
	ret.size_arg = 627;
	k.return_ = &ret;
	r.event_case = TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_KPROBE;
	r.process_kprobe = &k;
	pack(&r);
	ok(decode() == 0, "kprobe decodes");
	ok(ev.kind == RTI_KIND_KPROBE, "kind");
	ok(ev.time.set && ev.time.sec == 1763460400 && ev.time.nsec == 713627743, "time");
	is_str(ev.node_name, "node-a", "node_name");
	ok(ev.cluster_name == NULL, "empty string is absent");
	ok(ev.process.present && ev.process.has_pid && ev.process.pid == 0,
	   "wrapper holding 0 is present");
	ok(!ev.process.has_uid && !ev.process.has_tid, "unset wrappers are absent");
	ok(ev.process.cwd == NULL, "empty cwd is absent");
	ok(ev.process.has_pod && ev.process.pod.n_labels == 2 && ev.process.n_env == 3 &&
	   ev.process.has_caps && !ev.process.has_credentials, "counted and flagged parts");
	is_str(ev.process.pod.namespace_, "payments", "pod namespace");
	ok(ev.parent.present && !ev.parent.has_pod, "parent");
	is_str(ev.action, "KPROBE_ACTION_POST", "action by name");
	ok(ev.n_kstack == 1 && ev.kstack[0].offset == 231 &&
	   ev.kstack[0].address == 0xffffffff81000000ull && ev.kstack[0].module == NULL,
	   "stack entry");
	ok(ev.n_args == 4, "four args");
	ok(ev.args[0].type == RTI_ARG_SOCK && ev.args[0].sport == 40112 &&
	   ev.args[0].dport == 5432, "sock_arg");
	is_str(ev.args[0].type_name, "sock_arg", "type name is the oneof member");
	ok(ev.args[1].type == RTI_ARG_INT && ev.args[1].ival == -4, "int_arg");
	ok(ev.args[2].type == RTI_ARG_FILE, "file_arg");
	is_str(ev.args[2].text, "/etc/passwd", "file_arg path");
	ok(ev.args[3].type == RTI_ARG_STRING, "enum member in a oneof: a string, as in JSON");
	is_str(ev.args[3].text, "BPF_MAP_CREATE", "enum name");
	ok(ev.has_return && ev.ret.type == RTI_ARG_INT && ev.ret.ival == 627, "return");

	/* unknown enum value: printed as a number, as protojson does */
	k.action = (Tetragon__KprobeAction)99;
	pack(&r);
	ok(decode() == 0, "unknown enum value decodes");
	is_str(ev.action, "99", "unknown enum value as its number");
	k.action = TETRAGON__KPROBE_ACTION__KPROBE_ACTION_UNKNOWN;
	pack(&r);
	decode();
	ok(ev.action == NULL, "zero enum is absent");

	/* unknown fields anywhere are skipped */
	{
		size_t n0;

		pack(&r);
		n0 = blen;
		/* field 5000 varint 7, field 43 length-delimited "abc" */
		memcpy(buf + blen, "\xc0\xb8\x02\x07\xda\x02\x03" "abc", 10);
		blen += 10;
		ok(decode() == 0 && ev.kind == RTI_KIND_KPROBE && ev.n_args == 4,
		   "unknown fields next to a known event are skipped");
		blen = n0;
	}

	/* an unknown oneof member alone: an unknown kind, never an error */
	{
		Tetragon__GetEventsResponse u = TETRAGON__GET_EVENTS_RESPONSE__INIT;

		u.node_name = "n";
		u.time = &t;
		pack(&u);
		memcpy(buf + blen, "\xa2\x02\x02\x0a\x00", 5); /* field 36, {1: ""} */
		blen += 5;
		ok(decode() == 0 && ev.kind == RTI_KIND_UNKNOWN, "unknown member: RTI_KIND_UNKNOWN");
		is_str(ev.unknown_kind, "field_36", "named by its number");
		pack(&u);
		ok(decode() == -1 && strstr(err.msg, "no event kind"), "no event at all: error");
	}

	/* malformed input */
	memcpy(buf, "\x4a\xff\xff\xff\xff\x0f", 6);
	blen = 6;
	ok(decode() == -1 && strstr(err.msg, "malformed"), "truncated length: malformed");
	blen = 0;
	ok(decode() == -1, "empty buffer: no event");

	/* invalid UTF-8 in a string the view uses */
	p.binary = "/usr/bin/\xff\xfe";
	pack(&r);
	ok(decode() == -1, "invalid UTF-8 rejected");
	is_str(err.msg, "process_kprobe.process.binary: invalid UTF-8 in string", "with the field path");
	p.binary = "/usr/bin/curl";

	/* timestamps outside google.protobuf.Timestamp's range */
	t.nanos = 1000000000;
	pack(&r);
	ok(decode() == -1 && strstr(err.msg, "time: timestamp nanos out of range"), "nanos range");
	t.nanos = 0;
	t.seconds = 253402300800LL;
	pack(&r);
	ok(decode() == -1 && strstr(err.msg, "seconds out of range"), "seconds range");
	t.seconds = 1;

	/* uprobe offset: 0 is absent in proto3 */
	{
		Tetragon__GetEventsResponse u = TETRAGON__GET_EVENTS_RESPONSE__INIT;
		Tetragon__ProcessUprobe up = TETRAGON__PROCESS_UPROBE__INIT;

		u.time = &t;
		u.event_case = TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_UPROBE;
		u.process_uprobe = &up;
		up.path = "/usr/lib/libssl.so.3";
		up.symbol = "SSL_write";
		pack(&u);
		ok(decode() == 0 && !ev.has_offset && ev.kind == RTI_KIND_UPROBE, "offset 0: absent");
		is_str(ev.function, "SSL_write", "uprobe symbol is the function");
		up.offset = 0x1b2c0;
		pack(&u);
		ok(decode() == 0 && ev.has_offset && ev.offset == 0x1b2c0, "offset set");
	}

	/* rate_limit_info and throttle */
	{
		Tetragon__GetEventsResponse u = TETRAGON__GET_EVENTS_RESPONSE__INIT;
		Tetragon__RateLimitInfo rl = TETRAGON__RATE_LIMIT_INFO__INIT;
		Tetragon__ProcessThrottle th = TETRAGON__PROCESS_THROTTLE__INIT;

		u.event_case = TETRAGON__GET_EVENTS_RESPONSE__EVENT_RATE_LIMIT_INFO;
		u.rate_limit_info = &rl;
		rl.number_of_dropped_process_events = 1532;
		pack(&u);
		ok(decode() == 0 && ev.kind == RTI_KIND_RATE_LIMIT_INFO && ev.dropped_events == 1532,
		   "rate_limit_info");
		u.event_case = TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_THROTTLE;
		u.process_throttle = &th;
		th.type = TETRAGON__THROTTLE_TYPE__THROTTLE_STOP;
		th.cgroup = "/kubepods";
		pack(&u);
		ok(decode() == 0 && ev.kind == RTI_KIND_THROTTLE, "throttle");
		is_str(ev.throttle_type, "THROTTLE_STOP", "throttle type by name");
	}
	rti_arena_release(&arena);
	return done_testing();
}
