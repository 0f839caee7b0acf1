/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Privacy profiles (docs/privacy.md): which fields of an event may leave the
 * node, and how. One profile drives the privacy stage of a pipeline; it is
 * applied to every event before any sink.
 *
 * Built in: "strict" (the default: the spec's rules), "balanced" (keeps
 * binary basenames, cwd under allowed prefixes, allowlisted pod labels,
 * typed socket and integer probe arguments), and "off" (emits everything;
 * only with allow_off, and callers must warn). A spec containing '/' or
 * '.' names a YAML profile file.
 *
 * A profile is immutable once opened and may be shared by pipelines.
 */
#ifndef RTI_PUBLIC_PRIVACY_H
#define RTI_PUBLIC_PRIVACY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct rti_privacy;

struct rti_privacy_opts {
	size_t sz;            /* sizeof(struct rti_privacy_opts) */
	/* HMAC key file for `hash` rules; overrides the profile's key_file.
	 * The key itself never comes from a profile or a command line. */
	const char *key_file;
	bool allow_off;       /* the "off" profile is refused without it */
	bool inspect_only;    /* explain: no key required for hash rules */
};

/*
 * Opens the profile `spec`: a built-in name or a YAML file. On failure
 * returns NULL, sets errno (ENOENT: no such profile, EINVAL: a profile
 * error, EPERM: "off" without allow_off, EACCES: key problems) and writes
 * a one-line reason to err, "FILE:LINE:COL: reason" for profile errors.
 */
struct rti_privacy *rti_privacy_open(const char *spec, const struct rti_privacy_opts *o,
				     char *err, size_t errlen);
void rti_privacy_free(struct rti_privacy *p);

/* The name emitted as privacy.profile. */
const char *rti_privacy_name(const struct rti_privacy *p);
bool rti_privacy_is_off(const struct rti_privacy *p);

/* Prints the effective rules: a table for people, or one JSON object
 * (stable keys, for tests and tools). 0 or -errno. */
int rti_privacy_explain(const struct rti_privacy *p, FILE *f, bool json);

/* Names of the secret detectors, by index of rti_stats.secrets; NULL past
 * the last. */
const char *rti_privacy_secret_kind(unsigned i);

#endif
