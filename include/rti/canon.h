/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the adapter derives from one struct rti_event on its way to a
 * RuntimeCallEvent (spec runtime-call-event.md): the probe type, the
 * privacy-filtered identities, canonical stack frames and the record of
 * what privacy withheld. Sinks (NDJSON, hot symbol index) consume this.
 */
#ifndef RTI_CANON_H
#define RTI_CANON_H

#include <stdbool.h>
#include <stdint.h>

#include "rti/event.h"

enum rti_probe_type {
	RTI_PROBE_NONE = 0, /* the event produces no RuntimeCallEvent */
	RTI_PROBE_KPROBE,
	RTI_PROBE_KRETPROBE,
	RTI_PROBE_UPROBE,
	RTI_PROBE_URETPROBE,
	RTI_PROBE_TRACEPOINT,
	RTI_PROBE_USDT,
	RTI_PROBE_FENTRY,
	RTI_PROBE_FEXIT,
	RTI_PROBE_LSM,
	RTI_PROBE_PROCESS_EXEC,
	RTI_PROBE_PROCESS_EXIT,
	RTI_PROBE__COUNT
};

const char *rti_probe_type_name(enum rti_probe_type t);

/*
 * The field paths privacy may withhold or transform: a fixed vocabulary,
 * listed in canonical (byte-sorted) order, so that `privacy.redacted` is a
 * bit set (at most 64 entries; a unit test checks order and size).
 */
enum rti_redact {
	RTI_R_ANCESTORS,
	RTI_R_CLUSTER,
	RTI_R_CONTAINER_ID,
	RTI_R_IMAGE_NAME,
	RTI_R_CONTAINER_NAME,
	RTI_R_POD_ANNOTATIONS,
	RTI_R_POD_LABELS,
	RTI_R_POD_NAME,
	RTI_R_POD_NAMESPACE,
	RTI_R_POD_WORKLOAD,
	RTI_R_POD_WORKLOAD_KIND,
	RTI_R_EXIT_SIGNAL,
	RTI_R_NODE,
	RTI_R_NODE_LABELS,
	RTI_R_PARENT_ARGUMENTS,
	RTI_R_PARENT_BINARY,
	RTI_R_PARENT_CAPABILITIES,
	RTI_R_PARENT_CREDENTIALS,
	RTI_R_PARENT_CWD,
	RTI_R_PARENT_ENVIRONMENT,
	RTI_R_PARENT_EXEC_ID,
	RTI_R_PARENT_USER,
	RTI_R_POLICY,
	RTI_R_PROBE_ACTION,
	RTI_R_PROBE_ARGS,
	RTI_R_PROBE_DATA,
	RTI_R_PROBE_EVENT,
	RTI_R_PROBE_MODULE,
	RTI_R_PROBE_NAME,
	RTI_R_PROBE_PROVIDER,
	RTI_R_PROBE_RETURN,
	RTI_R_PROBE_SUBSYSTEM,
	RTI_R_PROBE_SYMBOL,
	RTI_R_PROCESS_ARGUMENTS,
	RTI_R_PROCESS_BINARY,
	RTI_R_PROCESS_CAPABILITIES,
	RTI_R_PROCESS_CREDENTIALS,
	RTI_R_PROCESS_CWD,
	RTI_R_PROCESS_ENVIRONMENT,
	RTI_R_PROCESS_EXEC_ID,
	RTI_R_PROCESS_PARENT_EXEC_ID,
	RTI_R_PROCESS_USER,
	RTI_R_STACK_MODULE,
	RTI_R_STACK_SYMBOL,
	RTI_R__COUNT
};

const char *rti_redact_path(enum rti_redact r);

enum rti_space { RTI_SPACE_KERNEL, RTI_SPACE_USER };

#define RTI_FRAME_ID_LEN (7 + 32) /* "sha256:" + 32 hex */

struct rti_frame {
	enum rti_space space;
	const char *module;   /* privacy-filtered; NULL = not emitted */
	const char *code_id;
	uint64_t offset;
	const char *symbol;
	uint64_t symbol_offset;
	bool has_symbol_offset;
	const char *resolved_by; /* "agent", "symtab", ..., "none" */
	const char *unresolved;  /* reason, when resolved_by is "none" */
	char frame_id[RTI_FRAME_ID_LEN + 1];
};

struct rti_canon {
	enum rti_probe_type probe;
	struct rti_time time;          /* the event's `time` (see pipeline.c) */
	const char *policy_hook_kind; /* diagnostics: "policy" or "event" */
	/* privacy-filtered identities */
	const char *process_binary;
	const char *parent_binary;
	const char *probe_module;
	const char *probe_code_id;
	char image_digest[7 + 64 + 1]; /* "sha256:<hex>" or "" */
	struct rti_frame *frames;      /* kernel frames, then user frames */
	unsigned n_frames;
	uint64_t redacted;             /* bit set of enum rti_redact */
	const char *privacy_profile;
};

#endif
