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

#include "rti/privacy.h" /* the detector's API is public: privacy check uses it */

#endif
