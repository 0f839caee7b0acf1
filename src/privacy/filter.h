/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The privacy stage: applies a profile (profile.h) to one event. It makes
 * a filtered copy of the event view in which every string that may leave
 * the node has been through its field's rule and then through secret
 * detection; everything after this stage (the canonical writer, every
 * sink) reads only the copy. What was removed or transformed comes back as
 * a bit set (struct rti_privacy_run.redacted), which the adapter puts into
 * rti_canon.redacted.
 *
 * Invariant of the copy: a string is either NULL (withheld), the input
 * string verbatim (kept and clean), or a string made here (basename, HMAC
 * token, redacted text) in the event arena.
 */
#ifndef RTI_PRIVACY_FILTER_H
#define RTI_PRIVACY_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "privacy/profile.h"
#include "privacy/secrets.h"
#include "rti/canon.h" /* enum rti_field */
#include "rti/event.h"
#include "util/arena.h"

/*
 * Strings the detector found clean, remembered by content: pod names,
 * images, symbols repeat from event to event. Exact (the bytes are
 * compared), bounded (RTI_CLEAN_SETS x RTI_CLEAN_WAYS short strings,
 * ~512 KB), one per pipeline (not thread-safe). Set-associative: the bench
 * corpus has ~3,400 distinct kept strings, and a direct-mapped table of
 * 1,024 lost 8 in 100 lookups to collisions, each a full scan.
 */
#define RTI_CLEAN_SETS 1024
#define RTI_CLEAN_WAYS 4
#define RTI_CLEAN_MAXLEN 112

struct rti_clean_cache {
	struct {
		uint64_t hash;
		uint32_t len;  /* 0: empty slot */
		char s[RTI_CLEAN_MAXLEN];
	} slot[RTI_CLEAN_SETS][RTI_CLEAN_WAYS];
	uint8_t next[RTI_CLEAN_SETS]; /* the way a miss replaces (round robin) */
	uint64_t hits, misses;
};

/*
 * One run of a profile over one event: what the filter needs, and what it
 * decided besides the filtered strings. The caller sets the inputs once
 * (they outlive many events); rti_privacy_filter_event resets the outputs.
 */
struct rti_privacy_run {
	const struct rti_privacy *profile;
	struct rti_arena *arena;       /* where made strings go: the event's */
	uint64_t *secrets;             /* RTI_SECRET__COUNT counters, by kind */
	struct rti_clean_cache *clean; /* optional */
	uint64_t redacted;             /* out: fields withheld or changed, bit set of enum rti_field */
	int err;                       /* out: first error: -ENOBUFS arena full, -EIO HMAC failed */
};

/* Fills *out, the filtered copy of in, and run->redacted (from empty).
 * 0, -ENOBUFS or -EIO (run->err). */
int rti_privacy_filter_event(struct rti_privacy_run *run, const struct rti_event *in,
			     struct rti_event *out);

/* The same for the fields a hot index reads (kind, time, node_name,
 * function, path, the scalars): the rest of *out stays empty and is
 * neither filtered nor scanned. For pipelines whose sinks read nothing
 * else (aggregate only). */
int rti_privacy_filter_index_fields(struct rti_privacy_run *run, const struct rti_event *in,
				    struct rti_event *out);

/* One string of field f through its rule and secret detection: NULL when
 * withheld, or on error (run->err set). Marks f in run->redacted when it
 * changed anything. */
const char *rti_privacy_filter_field(struct rti_privacy_run *run, enum rti_field f,
				     const char *s);

/* Secret detection alone, for values that have no rule (stack symbols):
 * s, or a copy with each secret masked (f marked). NULL only on error
 * (run->err set); off profiles return s. */
const char *rti_privacy_scan(struct rti_privacy_run *run, enum rti_field f, const char *s);

/* The path rule alone: true when path may be kept verbatim (normal, under
 * a prefix of the profile, or a pseudo path such as [vdso]). */
bool rti_privacy_path_allowed(const struct rti_privacy *p, const char *path);

#endif
