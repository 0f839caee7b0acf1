/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The profile model behind struct rti_privacy: one rule per field path of
 * the redaction vocabulary (enum rti_field), path prefixes, the HMAC key.
 *
 * Invariants: every field has a rule whose action is valid for the
 * field's kind; a profile with any `hash` action has a key of at least
 * RTI_PRIVACY_KEY_MIN bytes; prefixes end with '/'.
 */
#ifndef RTI_PRIVACY_PROFILE_H
#define RTI_PRIVACY_PROFILE_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "rti/canon.h"
#include "rti/privacy.h"

/* What a field is, which decides the actions it accepts. */
enum rti_field_kind {
	RTI_FIELD_KIND_WITHHELD = 0, /* never emitted (capabilities, credentials, ...) */
	RTI_FIELD_KIND_SCANNED,      /* always kept, secret-scanned (probe.symbol, ...) */
	RTI_FIELD_KIND_IDENTITY,     /* identities, kept by default (pod name, ...) */
	RTI_FIELD_KIND_PATH,         /* file paths: prefix rules */
	RTI_FIELD_KIND_TEXT,         /* free text (arguments, user name) */
	RTI_FIELD_KIND_MAP,          /* string maps: key allowlist, action on values */
	RTI_FIELD_KIND_ARGS,         /* typed probe arguments */
};

enum rti_privacy_action {
	RTI_ACTION_DROP = 0,
	RTI_ACTION_KEEP,
	RTI_ACTION_HASH,
	RTI_ACTION_BASENAME,
	RTI_ACTION_REDACT, /* redact(pattern) */
};

/* probe.args `types:`: the argument types a rule keeps */
enum {
	RTI_KEEP_ARG_INT = 1u << 0,
	RTI_KEEP_ARG_SOCK = 1u << 1,
	RTI_KEEP_ARG_FILE = 1u << 2,
	RTI_KEEP_ARG_STRING = 1u << 3,
};

#define RTI_PRIVACY_KEY_MIN 16
#define RTI_PRIVACY_KEY_MAX 1024
#define RTI_PRIVACY_MAX_PREFIXES 256
#define RTI_PRIVACY_MAX_ALLOW 1024
#define RTI_HMAC_TOKEN_LEN (5 + 32) /* "hmac:" + 128 bits in hex */

struct rti_field_rule {
	enum rti_privacy_action action;
	enum rti_privacy_action otherwise; /* PATH, and file args: outside the prefixes */
	char *pattern;              /* REDACT: the POSIX ERE as written */
	regex_t re;
	bool has_re;
	char **allow;               /* MAP: allowed keys; "x*" is a prefix */
	unsigned n_allow;
	/* lookup form of allow, built by rti_privacy_finalize(): exact keys
	 * sorted (binary search), then the prefixes without their '*' */
	const char **exact;
	unsigned n_exact;
	const char **prefix;
	unsigned n_prefix;
	unsigned arg_types;         /* ARGS: RTI_KEEP_ARG_* */
	int line;                   /* profile line that set it; 0 = from the base */
};

struct rti_privacy {
	char *name;
	const char *base;            /* "strict", "balanced", "off" */
	char *source;                /* the file, or NULL when built in */
	bool off;
	char **prefixes;
	unsigned n_prefixes;
	struct rti_field_rule rules[RTI_FIELD__COUNT];
	char *key_file;              /* as configured (never the key) */
	unsigned char key[RTI_PRIVACY_KEY_MAX];
	size_t key_len;
};

/* The field's kind (fields.c). */
enum rti_field_kind rti_privacy_field_kind(enum rti_field f);
const char *rti_privacy_action_name(enum rti_privacy_action a);

/* A profile initialized from a built-in base; NULL with errno. */
struct rti_privacy *rti_privacy_new_base(const char *base);
/* Replaces the prefix list (takes copies). 0 or -errno. */
int rti_privacy_set_prefixes(struct rti_privacy *p, const char *const *v, unsigned n);
int rti_privacy_add_prefix(struct rti_privacy *p, const char *prefix);
/* Frees what a rule owns and resets it to drop. */
void rti_field_rule_clear(struct rti_field_rule *r);
bool rti_privacy_needs_key(const struct rti_privacy *p);
/* Builds the lookup tables of the rules; after this the profile is read
 * only. 0 or -ENOMEM. */
int rti_privacy_finalize(struct rti_privacy *p);
/* Is key in the rule's allowlist? */
bool rti_field_rule_allows(const struct rti_field_rule *r, const char *key);
/* Reads the key file (mode must deny group and others; profile_open.c).
 * 0 or -errno, err filled. */
int rti_privacy_load_key(struct rti_privacy *p, const char *file, char *err, size_t errlen);

/* YAML profile file (profile_yaml.c). NULL with errno, err "FILE:LINE:COL: reason". */
struct rti_privacy *rti_privacy_load_yaml(const char *file, char *err, size_t errlen);
/* The same from memory, `name` used in messages (fuzzing, tests). */
struct rti_privacy *rti_privacy_parse_yaml(const char *name, const char *data, size_t n,
					   char *err, size_t errlen);

#endif
