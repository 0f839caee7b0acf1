/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The internal event view: one decoded Tetragon GetEventsResponse, whatever
 * the transport (JSON export line or gRPC protobuf message). Every stage
 * after decoding (probe mapping, privacy, stack canonicalization, sinks)
 * works on this view only, so each of them exists once.
 *
 * Ownership: all strings and arrays point into the arena of the decoder
 * that filled the view and stay valid until the next event is decoded.
 * Strings are NUL-terminated valid UTF-8; NULL means absent (an empty
 * string in the input is treated as absent, as in protobuf).
 */
#ifndef RTI_EVENT_H
#define RTI_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rti_kind {
	RTI_KIND_NONE = 0,
	RTI_KIND_EXEC,
	RTI_KIND_EXIT,
	RTI_KIND_KPROBE,
	RTI_KIND_TRACEPOINT,
	RTI_KIND_LOADER,
	RTI_KIND_UPROBE,
	RTI_KIND_THROTTLE,
	RTI_KIND_LSM,
	RTI_KIND_USDT,
	RTI_KIND_TEST,
	RTI_KIND_RATE_LIMIT_INFO,
	RTI_KIND_UNKNOWN, /* a oneof member we do not know (e.g. process_connect) */
	RTI_KIND__COUNT
};

/* Tetragon's source kind name ("process_kprobe"), or NULL. */
const char *rti_kind_name(enum rti_kind k);

struct rti_time {
	int64_t sec; /* seconds since the Unix epoch, UTC */
	uint32_t nsec;
	bool set;
};

/* One StackTraceEntry. */
struct rti_stack_entry {
	uint64_t address; /* never emitted */
	uint64_t offset;  /* kernel: from symbol start; user: file offset */
	const char *symbol;
	const char *module;
};

/* One entry of a string map: a pod label or annotation, an environment
 * variable. Both strings are non-NULL (an empty value is ""). */
struct rti_kv {
	const char *key;
	const char *value;
};

struct rti_pod {
	const char *namespace_;
	const char *name;
	const char *workload;
	const char *workload_kind;
	const char *container_id;   /* runtime-prefixed, e.g. containerd://<hex> */
	const char *container_name;
	const char *image_id;       /* repo@sha256:<hex> or sha256:<hex> */
	const char *image_name;
	const struct rti_kv *labels;      /* pod_labels, n_labels entries */
	unsigned n_labels;
	const struct rti_kv *annotations; /* pod_annotations */
	unsigned n_annotations;
};

/* Sensitive parts of a Process that are never emitted as-is; the privacy
 * stage reads them and records what it withheld. */
struct rti_process {
	bool present;
	const char *exec_id;
	const char *parent_exec_id;
	const char *binary;
	const char *cwd;
	const char *arguments;
	const char *user_name;
	uint32_t pid, tid, uid, auid;
	bool has_pid, has_tid, has_uid, has_auid;
	struct rti_time start_time;
	bool has_pod;
	struct rti_pod pod;
	const char *docker;       /* Tetragon's container id prefix (from the cgroup) */
	const struct rti_kv *env; /* environment_variables (Key, Value) */
	unsigned n_env;
	bool has_caps;            /* cap */
	bool has_credentials;     /* process_credentials, binary_properties */
	bool has_ns;
};

/* Probe arguments, typed. Only the privacy stage decides what of them is
 * emitted (profiles opt in per type); nothing else reads the values. */
enum rti_arg_type {
	RTI_ARG_OTHER = 0,
	RTI_ARG_INT,    /* int_arg, uint_arg, long_arg, size_arg */
	RTI_ARG_STRING, /* string_arg and others carrying free text */
	RTI_ARG_SOCK,   /* sock_arg, skb_arg, sockaddr_arg */
	RTI_ARG_FILE,   /* file_arg, path_arg, linux_binprm_arg */
	RTI_ARG_BYTES,
	RTI_ARG_WITHHELD, /* set by the privacy stage: not emitted */
};

struct rti_arg {
	enum rti_arg_type type;
	const char *type_name; /* the oneof member name, e.g. "sock_arg" */
	int64_t ival;          /* RTI_ARG_INT (the bits of a uint64 when is_unsigned) */
	bool is_unsigned;      /* uint_arg, size_arg */
	const char *family;    /* RTI_ARG_SOCK: "AF_INET" */
	const char *sock_type; /* RTI_ARG_SOCK: "SOCK_STREAM" (sock_arg) */
	const char *protocol;  /* RTI_ARG_SOCK: "IPPROTO_TCP" */
	uint32_t sport, dport; /* RTI_ARG_SOCK (sockaddr_arg: port is dport) */
	const char *text;      /* strings and paths: sensitive */
};

struct rti_event {
	enum rti_kind kind;
	const char *unknown_kind; /* RTI_KIND_UNKNOWN: the member name */
	struct rti_time time;
	const char *node_name;
	const char *cluster_name;
	unsigned n_node_labels;

	struct rti_process process;
	struct rti_process parent;
	unsigned n_ancestors;

	/* kprobe, lsm: function_name; uprobe: symbol */
	const char *function;
	const char *policy_name;
	const char *action;        /* enum name, e.g. "KPROBE_ACTION_POST" */
	const char *path;          /* uprobe, usdt, loader */
	uint64_t offset;           /* uprobe */
	bool has_offset;
	const char *subsys, *tp_event;   /* tracepoint */
	const char *provider, *usdt_name; /* usdt */
	bool has_return;           /* kprobe: `return` present */
	const char *message;
	unsigned n_tags;
	const char *ima_hash;      /* lsm */

	struct rti_arg *args;
	unsigned n_args;
	struct rti_arg ret;        /* valid when has_return */
	unsigned n_data;

	struct rti_stack_entry *kstack;
	unsigned n_kstack;
	struct rti_stack_entry *ustack;
	unsigned n_ustack;

	/* exit */
	uint32_t exit_status;
	const char *exit_signal;
	struct rti_time exit_time;

	/* loader */
	const unsigned char *build_id;
	size_t build_id_len;

	/* throttle */
	const char *throttle_type;
	const char *cgroup;

	/* rate_limit_info */
	uint64_t dropped_events;
};

#endif
