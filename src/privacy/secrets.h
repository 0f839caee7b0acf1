/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secret detection: finds spans of a string that look like credentials.
 * The privacy stage runs it on every string that survives a profile's
 * rules (and redacts what it finds even where a rule says keep);
 * `stella-rti privacy check` runs it on any NDJSON.
 *
 * Detectors: AWS access key ids (AKIA/ASIA + 16), JWTs (three base64url
 * parts starting "eyJ"), bearer/basic authorization values, key/value
 * pairs whose key names a secret (password=, token:, --api-key X, ...),
 * URL passwords (https://user:PASSWORD@host) and curl's --user USER:PASSWORD,
 * PEM private-key blocks (from the BEGIN line to the matching END line, or
 * to the end of the string), long high-entropy tokens. Identifiers that
 * look random by design but are not secrets (hex digests and ids, Tetragon
 * exec ids, UUIDs, mangled symbols, base64 of text) are not reported, nor
 * are placeholders and references in pairs (password=[REDACTED], ${VAR}).
 *
 * Cost is linear in the string length; no allocation.
 */
#ifndef RTI_PRIVACY_SECRETS_H
#define RTI_PRIVACY_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

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

/* The text that replaces each span: "[REDACTED]". */
#define RTI_SECRET_MASK "[REDACTED]"

#endif
