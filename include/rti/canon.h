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
#include <stddef.h>
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
 * bit set (at most 64 entries; a unit test checks order and size). The
 * profile has one rule per field (src/privacy/profile.h).
 */
enum rti_field {
	RTI_FIELD_ANCESTORS,
	RTI_FIELD_CLUSTER,
	RTI_FIELD_CONTAINER_ID,
	RTI_FIELD_IMAGE_NAME,
	RTI_FIELD_CONTAINER_NAME,
	RTI_FIELD_POD_ANNOTATIONS,
	RTI_FIELD_POD_LABELS,
	RTI_FIELD_POD_NAME,
	RTI_FIELD_POD_NAMESPACE,
	RTI_FIELD_POD_WORKLOAD,
	RTI_FIELD_POD_WORKLOAD_KIND,
	RTI_FIELD_EXIT_SIGNAL,
	RTI_FIELD_NODE,
	RTI_FIELD_NODE_LABELS,
	RTI_FIELD_PARENT_ARGUMENTS,
	RTI_FIELD_PARENT_BINARY,
	RTI_FIELD_PARENT_CAPABILITIES,
	RTI_FIELD_PARENT_CREDENTIALS,
	RTI_FIELD_PARENT_CWD,
	RTI_FIELD_PARENT_ENVIRONMENT,
	RTI_FIELD_PARENT_EXEC_ID,
	RTI_FIELD_PARENT_USER,
	RTI_FIELD_POLICY,
	RTI_FIELD_PROBE_ACTION,
	RTI_FIELD_PROBE_ARGS,
	RTI_FIELD_PROBE_DATA,
	RTI_FIELD_PROBE_EVENT,
	RTI_FIELD_PROBE_MODULE,
	RTI_FIELD_PROBE_NAME,
	RTI_FIELD_PROBE_PROVIDER,
	RTI_FIELD_PROBE_RETURN,
	RTI_FIELD_PROBE_SUBSYSTEM,
	RTI_FIELD_PROBE_SYMBOL,
	RTI_FIELD_PROCESS_ARGUMENTS,
	RTI_FIELD_PROCESS_BINARY,
	RTI_FIELD_PROCESS_CAPABILITIES,
	RTI_FIELD_PROCESS_CREDENTIALS,
	RTI_FIELD_PROCESS_CWD,
	RTI_FIELD_PROCESS_ENVIRONMENT,
	RTI_FIELD_PROCESS_EXEC_ID,
	RTI_FIELD_PROCESS_PARENT_EXEC_ID,
	RTI_FIELD_PROCESS_USER,
	RTI_FIELD_STACK_MODULE,
	RTI_FIELD_STACK_SYMBOL,
	RTI_FIELD__COUNT
};

/* The field's path as emitted in privacy.redacted ("process.binary"). */
const char *rti_field_path(enum rti_field f);

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

/* What the hot index keys an observation of a frame by, measured once per
 * memoized stack: the lengths of its symbol, code id ("kernel" for kernel
 * frames) and module (0: none), and the symbol's hash (rti_str_hash64). */
struct rti_obs_key {
	uint32_t symlen, clen, mlen;
	uint64_t symhash;
};

/* Filled in one place, rti_adapt_event (src/adapt/adapter.h). */
struct rti_canon {
	enum rti_probe_type probe;
	struct rti_time time;          /* the event's `time`, or its exec/exit fallback */
	/* privacy-filtered identities */
	const char *probe_module;
	const char *probe_code_id;
	char image_digest[7 + 64 + 1]; /* "sha256:<hex>" or "" */
	struct rti_frame *frames;      /* kernel frames, then user frames */
	unsigned n_frames;
	uint64_t redacted;             /* bit set of enum rti_field */
	const char *privacy_profile;
	/* The frames' canonical JSON, comma-separated, without the array's
	 * brackets (NULL: write them from frames), and the SHA-256 of their
	 * frame_ids each followed by '\n' (NULL: not computed); from the
	 * whole-stack memo, valid as long as frames. */
	const char *stack_json;
	size_t stack_json_len;
	const unsigned char *stack_digest;
	/* per frame, from the whole-stack memo (NULL: measure the frames) */
	const struct rti_obs_key *obs;
};

#endif
