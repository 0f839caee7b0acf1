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

/*
 * Secret detection (src/privacy/secrets.c, described in
 * src/privacy/secrets.h): the privacy stage runs it on every string it
 * keeps; `stella-rti privacy check` on any NDJSON.
 */
enum rti_secret_kind {
	RTI_SECRET_AWS_KEY,  /* "aws-key" */
	RTI_SECRET_JWT,      /* "jwt" */
	RTI_SECRET_BEARER,   /* "bearer": Authorization: Bearer/Basic value */
	RTI_SECRET_PAIR,     /* "secret-pair": password=..., --token X */
	RTI_SECRET_PEM,      /* "pem-private-key" */
	RTI_SECRET_ENTROPY,  /* "high-entropy" */
	RTI_SECRET__COUNT
};

struct rti_secret_span {
	size_t off; /* byte offset of the secret value in the string */
	size_t len; /* its length: what must be replaced */
	enum rti_secret_kind kind;
};

/*
 * Scans s[0..n). Stores up to max spans, sorted by offset and not
 * overlapping (overlaps are merged), and returns how many there are in all
 * (which may exceed max). For a key/value pair the span is the value only
 * ("password=" stays, what follows it is the span). A merged span takes the
 * most specific kind of its parts: pem-private-key, aws-key, jwt, bearer,
 * secret-pair, high-entropy, in that order.
 */
size_t rti_secret_scan(const char *s, size_t n, struct rti_secret_span *spans, size_t max);

/* True when a key name (label or annotation key, environment variable
 * name, JSON member name) says its value is a secret: it contains, case
 * insensitively, password, passwd, passphrase, secret, token,
 * api_key/apikey/api-key, access_key/access-key, private_key/private-key,
 * credential, auth (not author, authority), or pwd as a word of its own
 * (DB_PWD; not the shell's PWD and OLDPWD). Kubernetes service links
 * (AUTH_SERVICE_HOST, AUTH_PORT_443_TCP_ADDR) name a service, not a secret. */
bool rti_secret_key_name(const char *key, size_t n);

/* "aws-key", "jwt", ...; NULL for an invalid kind. */
const char *rti_secret_kind_name(enum rti_secret_kind k);
/*
 * Scans a code identifier: a function name from an ELF symbol table or
 * kallsyms, or Tetragon's symbol hint. Such a name is evidence (an
 * advisory names it), and real names of real libraries have the entropy of
 * keys (sqlite3VdbeIdxKeyCompare): when the whole string has the shape of
 * code (rti_secret_code_shaped) the high-entropy detector does not judge
 * it; the signature detectors (PEM, AWS keys, JWTs, bearer values,
 * password= pairs) always do. A string of another shape is scanned as by
 * rti_secret_scan.
 */
size_t rti_secret_scan_code(const char *s, size_t n, struct rti_secret_span *spans, size_t max);

/* True when s[0..n) is made of identifier and number tokens
 * ([A-Za-z0-9_$]) joined by the punctuation of C, demangled C++, Go and
 * Rust names (":.<>()*&,~[]{}#' -/+=!|^%?@;": printable ASCII without
 * double quotes, backslashes or control characters), with at least one
 * token; base64's '+', '/', '=' and '-' only where names have them
 * (operator names, Go package paths and suffixes, Rust trait objects,
 * negative template arguments), so a random base64 or base64url token
 * that has one is not a name. */
bool rti_secret_code_shaped(const char *s, size_t n);


/* The text that replaces each span: "[REDACTED]". */
#define RTI_SECRET_MASK "[REDACTED]"

#endif
