/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's log (docs/agent.md "Logs"): one line per message on a
 * stream (stderr), logfmt or JSON, with a level. A message that repeats is
 * rate-limited per message key (its text up to the first ':', digits
 * ignored): at most RTI_LOG_BURST lines per key per RTI_LOG_WINDOW_MS;
 * the first line after a suppression says how many were suppressed
 * (`suppressed=N`), and rti_log_tick reports keys that went quiet. Thread
 * safe: one mutex around formatting and the table (logging is never on the
 * per-event path).
 */
#ifndef RTI_AGENT_LOG_H
#define RTI_AGENT_LOG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum rti_log_level { RTI_LOG_DEBUG, RTI_LOG_INFO, RTI_LOG_WARN, RTI_LOG_ERROR };

#define RTI_LOG_BURST 5
#define RTI_LOG_WINDOW_MS 60000
#define RTI_LOG_KEYS 64

struct rti_log_key {
	uint64_t hash;       /* 0: free */
	uint64_t window_ms;  /* start of the current window */
	unsigned in_window;  /* lines in the window */
	uint64_t suppressed; /* since the last line of this key */
	char text[96];       /* the key, for the "went quiet" line */
	enum rti_log_level level;
};

struct rti_logger {
	pthread_mutex_t mu;
	FILE *f;
	atomic_int level;    /* least severe level written */
	atomic_bool json;
	uint64_t (*now_ms)(void); /* clock (tests); NULL: monotonic */
	uint64_t lines, suppressed_total;
	struct rti_log_key keys[RTI_LOG_KEYS];
};

void rti_logger_init(struct rti_logger *lg, FILE *f);
void rti_logger_release(struct rti_logger *lg);
void rti_logger_set(struct rti_logger *lg, enum rti_log_level level, bool json);

/* msg, then key/value string pairs ending with NULL: ("k1", "v1", NULL). */
void rti_log(struct rti_logger *lg, enum rti_log_level level, const char *msg, ...)
	__attribute__((sentinel));
/* Lines for keys whose suppressed repeats stopped (call every few seconds). */
void rti_log_tick(struct rti_logger *lg);

#endif
