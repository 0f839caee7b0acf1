/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The option table of the agent (spec agent.md §1-2): one definition per
 * option, with its config key, run's long flag, type, default and help.
 * The config loader, `validate --print`, `agent --help` and the reference
 * in docs/agent.md (rti_config_reference) all come from it.
 */
#ifndef RTI_AGENT_OPTIONS_H
#define RTI_AGENT_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

enum rti_opt_type {
	RTI_OPT_STR,
	RTI_OPT_BOOL,
	RTI_OPT_UINT,
	RTI_OPT_SIZE,     /* 4096, 64KiB, 4MiB, 1GiB (K/M/G also) */
	RTI_OPT_DURATION, /* 500ms, 10s, 5m, 1h; a bare number is seconds */
	RTI_OPT_MODE,     /* octal file mode */
	RTI_OPT_ENUM,     /* one of choices ("a|b|c") */
	RTI_OPT_LIST,     /* a list of strings (or one string) */
	RTI_OPT_FILTERS,  /* a list of {event_types, namespaces, pod_regex, binary_regex} */
};

/* flags */
#define RTI_OPT_RESTART 0x1u  /* a reload reports a change and keeps the old value */
#define RTI_OPT_FILE    0x2u  /* names a file that must be readable */
#define RTI_OPT_SECRET  0x4u  /* printed as <redacted> */
#define RTI_OPT_INVERT  0x8u  /* bool whose run flag sets it false (--no-symbolize) */
#define RTI_OPT_NOTYET  0x10u /* accepted name, refused value: not supported yet */

struct rti_option {
	const char *key;     /* "tetragon.address" */
	const char *flag;    /* run's long flag, NULL = config only */
	enum rti_opt_type type;
	const char *def;     /* default as text, NULL = none */
	const char *help;
	uint64_t min, max;   /* UINT, SIZE (bytes), DURATION (ms) */
	const char *choices; /* ENUM: "drop|block" */
	unsigned flags;
};

/* Indexes into rti_options[]: keep in the table's order. */
enum rti_opt_id {
	O_NODE,
	O_TG_ADDRESS,
	O_TG_POLICIES,
	O_TG_ALLOW,
	O_TG_DENY,
	O_TG_QUEUE_SIZE,
	O_TG_OVERFLOW,
	O_TG_MAX_MESSAGE,
	O_TG_KEEPALIVE,
	O_TG_KEEPALIVE_TIMEOUT,
	O_TG_KEEPALIVE_PINGS,
	O_TG_CONNECT_TIMEOUT,
	O_TG_BACKOFF_INITIAL,
	O_TG_BACKOFF_MAX,
	O_TG_READY_GRACE,
	O_TG_ONCE,
	O_TG_RECORD,
	O_TG_MAX_EVENTS,
	O_TG_DURATION,
	O_PRIV_PROFILE,
	O_PRIV_KEY_FILE,
	O_PRIV_ALLOW_OFF,
	O_SYM_ENABLED,
	O_SYM_PROC_ROOT,
	O_SYM_HOST_ROOT,
	O_SYM_DEBUG_DIRS,
	O_SYM_KALLSYMS,
	O_OUT_PATH,
	O_OUT_MAX_SIZE_MB,
	O_OUT_MAX_BACKUPS,
	O_OUT_COMPRESS,
	O_OUT_ROTATION_INTERVAL,
	O_OUT_PERM,
	O_HOT_URL,
	O_HOT_FLUSH_INTERVAL,
	O_HOT_FLUSH_EVERY,
	O_METRICS_LISTEN,
	O_LOG_LEVEL,
	O_LOG_FORMAT,
	O_LOG_SUMMARY,
	/* delivery (spec agent.md §5, docs/delivery.md) */
	O_DL_SPOOL_DIR,
	O_DL_SPOOL_MAX_BYTES,
	O_DL_SPOOL_WHEN_FULL,
	O_DL_SPOOL_FSYNC,
	O_DL_HTTP_TOKEN_FILE,
	O_DL_HTTP_TENANT,
	O_DL_HTTP_CA_FILE,
	O_DL_HTTP_CERT_FILE,
	O_DL_HTTP_KEY_FILE,
	O_DL_HTTP_TIMEOUT,
	O_DL_HTTP_BACKOFF_INITIAL,
	O_DL_HTTP_BACKOFF_MAX,
	O_DL_EVENTS_URL,
	O_DL_EVENTS_BATCH_MAX_BYTES,
	O_DL_EVENTS_BATCH_TIMEOUT,
	O_DL_SIGNALS_URL,
	O_DL_SIGNALS_INTERVAL,
	O_DL_SIGNALS_CALLGRAPH_MAP,
	O_DL_SIGNALS_REQUIRE_CALLGRAPH,
	O__COUNT
};

extern const struct rti_option rti_options[O__COUNT];

/* run's flags for the fields of tetragon.allow[0] / tetragon.deny[0]
 * (comma lists, repeatable). */
struct rti_filter_flag {
	const char *flag;  /* "event-types", "deny-event-types" */
	const char *key;   /* "tetragon.allow[0].event_types" */
	const char *help;
};
#define RTI_FILTER_FLAGS 8
extern const struct rti_filter_flag rti_filter_flags[RTI_FILTER_FLAGS];

/* The default metrics port (none of Tetragon's 2112, 2113, 6060, 6789,
 * 8118, 54321). */
#define RTI_METRICS_PORT "9468"

#endif
