/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The YAML privacy profile reader (format: docs/privacy.md). Every error
 * names FILE:LINE:COL of the node at fault. Unknown keys are errors: a typo
 * in a privacy profile must not silently keep the default.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "privacy/profile.h"

#define PROFILE_MAX_BYTES (1u << 20)

struct ld {
	const char *name;
	yaml_document_t *doc;
	char *err;
	size_t errlen;
	struct rti_privacy *p;
	bool set[RTI_FIELD__COUNT];
};

__attribute__((format(printf, 3, 4)))
static int fail(struct ld *l, const yaml_node_t *n, const char *fmt, ...)
{
	char why[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(l->err, l->errlen, "%s:%lu:%lu: %s", l->name,
		 n ? (unsigned long)n->start_mark.line + 1 : 0UL,
		 n ? (unsigned long)n->start_mark.column + 1 : 0UL, why);
	return -1;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *node(struct ld *l, int id)
{
	return yaml_document_get_node(l->doc, id);
}

static int want_scalar(struct ld *l, const yaml_node_t *n, const char *what, const char **out)
{
	*out = scalar(n);
	if (!*out)
		return fail(l, n, "%s must be a string", what);
	return 0;
}

/* A sequence of strings (flow or block); calls fn for each. */
static int each_string(struct ld *l, const yaml_node_t *n, const char *what,
		       int (*fn)(struct ld *, const yaml_node_t *, const char *, void *),
		       void *ctx)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return fail(l, n, "%s must be a list", what);
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		const yaml_node_t *e = node(l, *it);
		const char *s;

		if (want_scalar(l, e, what, &s) || fn(l, e, s, ctx))
			return -1;
	}
	return 0;
}


/*
 * glibc's regcomp() copies a subexpression for every repetition it
 * expands ({m,n}: n copies, +: two), so nested repetitions multiply, and a
 * repetition of a repetition (a++++...) doubles each time: a profile line
 * could make it allocate gigabytes (found by fuzzing). Patterns are
 * checked first: no repetition of a repetition (undefined in POSIX EREs
 * anyway), bounds up to 255, nesting up to 32 groups, an estimate of the
 * expanded size under ERE_MAX_NODES, and no back-references (a glibc
 * extension it matches by backtracking, in exponential time).
 */
#define ERE_MAX_LEN 512
#define ERE_MAX_NODES 4096

struct ere {
	const char *p;
	const char *why;
	int depth;
};

static long ere_alt(struct ere *e);

/* Skips a bracket expression; e->p is at '['. */
static void ere_bracket(struct ere *e)
{
	const char *p = e->p + 1;

	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			char c = p[1];

			p += 2;
			while (*p && !(*p == c && p[1] == ']'))
				p++;
			if (*p)
				p += 2;
			continue;
		}
		p++;
	}
	e->p = *p ? p + 1 : p;
}

/* One repetition's factor at e->p (consumed), 0 when there is none. */
static long ere_repeat(struct ere *e)
{
	long m = 0;
	long n;

	if (*e->p == '*' || *e->p == '?') {
		e->p++;
		return 1;
	}
	if (*e->p == '+') {
		e->p++;
		return 2;
	}
	if (*e->p != '{' || e->p[1] < '0' || e->p[1] > '9')
		return 0;
	e->p++;
	while (*e->p >= '0' && *e->p <= '9' && m <= 255)
		m = m * 10 + (*e->p++ - '0');
	n = m;
	if (*e->p == ',') {
		e->p++;
		n = m + 1; /* {m,}: m copies and a star */
		if (*e->p >= '0' && *e->p <= '9') {
			n = 0;
			while (*e->p >= '0' && *e->p <= '9' && n <= 255)
				n = n * 10 + (*e->p++ - '0');
		}
	}
	if (m > 255 || n > 255) {
		e->why = "a repetition bound over 255";
		return -1;
	}
	while (*e->p && *e->p != '}')
		e->p++;
	if (*e->p)
		e->p++;
	return n > 1 ? n : 1;
}

static long ere_seq(struct ere *e)
{
	long total = 0;

	while (*e->p && *e->p != '|' && *e->p != ')') {
		long atom = 1;
		int reps = 0;

		if (*e->p == '(') {
			e->p++;
			if (++e->depth > 32) {
				e->why = "groups nested deeper than 32";
				return -1;
			}
			atom = ere_alt(e);
			e->depth--;
			if (atom < 0)
				return -1;
			atom++;
			if (*e->p == ')')
				e->p++;
		} else if (*e->p == '[') {
			ere_bracket(e);
		} else if (*e->p == '\\' && e->p[1] >= '1' && e->p[1] <= '9') {
			/* glibc matches those by backtracking: exponential time */
			e->why = "a back-reference (\\1 .. \\9)";
			return -1;
		} else if (*e->p == '\\' && e->p[1]) {
			e->p += 2;
		} else {
			e->p++;
		}
		for (;;) {
			long f = ere_repeat(e);

			if (f < 0)
				return -1;
			if (!f)
				break;
			if (++reps > 1) {
				e->why = "a repetition of a repetition (as in a++ or a*?)";
				return -1;
			}
			atom *= f;
			if (atom > ERE_MAX_NODES)
				break;
		}
		total += atom;
		if (total > ERE_MAX_NODES) {
			e->why = "it expands to too many states (nested repetitions)";
			return -1;
		}
	}
	return total;
}

static long ere_alt(struct ere *e)
{
	long t = ere_seq(e);

	while (t >= 0 && *e->p == '|') {
		long u;

		e->p++;
		u = ere_seq(e);
		if (u < 0)
			return -1;
		t += u;
		if (t > ERE_MAX_NODES) {
			e->why = "it expands to too many states (nested repetitions)";
			return -1;
		}
	}
	return t;
}

/* NULL when regcomp() may compile pattern, else why not. */
static const char *ere_too_costly(const char *pattern)
{
	struct ere e = { pattern, NULL, 0 };

	if (strlen(pattern) > ERE_MAX_LEN)
		return "longer than 512 bytes";
	while (*e.p) {
		if (ere_alt(&e) < 0)
			return e.why;
		if (*e.p == ')')
			e.p++; /* unbalanced: regcomp() says so */
	}
	return NULL;
}

static int parse_action(struct ld *l, const yaml_node_t *n, const char *s,
			struct rti_field_rule *r)
{
	static const struct {
		const char *name;
		enum rti_privacy_action a;
	} acts[] = {
		{ "drop", RTI_ACTION_DROP }, { "keep", RTI_ACTION_KEEP },
		{ "hash", RTI_ACTION_HASH }, { "basename", RTI_ACTION_BASENAME },
	};
	size_t n_s = strlen(s);

	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		if (!strcmp(s, acts[i].name)) {
			r->action = acts[i].a;
			return 0;
		}
	}
	if (n_s > 8 && !strncmp(s, "redact(", 7) && s[n_s - 1] == ')') {
		char msg[160];
		const char *why;
		int rc;

		r->pattern = strndup(s + 7, n_s - 8);
		if (!r->pattern)
			return fail(l, n, "out of memory");
		why = ere_too_costly(r->pattern);
		if (why)
			return fail(l, n, "redact(): pattern refused: %s", why);
		rc = regcomp(&r->re, r->pattern, REG_EXTENDED);
		if (rc) {
			regerror(rc, &r->re, msg, sizeof(msg));
			return fail(l, n, "redact(): bad pattern: %s", msg);
		}
		r->has_re = true;
		{
			regmatch_t m;

			/* a pattern that matches nothing at all would redact
			 * between every character */
			if (!regexec(&r->re, "", 1, &m, 0) ||
			    (!regexec(&r->re, "x", 1, &m, 0) && m.rm_eo == m.rm_so))
				return fail(l, n, "redact(): the pattern matches the empty string");
		}
		r->action = RTI_ACTION_REDACT;
		return 0;
	}
	return fail(l, n,
		    "unknown action '%.60s' (keep, drop, hash, basename, redact(PATTERN))", s);
}

static int parse_otherwise(struct ld *l, const yaml_node_t *n, enum rti_privacy_action *out)
{
	const char *s;

	if (want_scalar(l, n, "otherwise", &s))
		return -1;
	if (!strcmp(s, "drop"))
		*out = RTI_ACTION_DROP;
	else if (!strcmp(s, "basename"))
		*out = RTI_ACTION_BASENAME;
	else if (!strcmp(s, "hash"))
		*out = RTI_ACTION_HASH;
	else
		return fail(l, n, "otherwise: '%.60s' is not drop, basename or hash", s);
	return 0;
}

static int add_allow(struct ld *l, const yaml_node_t *n, const char *s, void *ctx)
{
	struct rti_field_rule *r = ctx;
	char **v;

	if (!*s)
		return fail(l, n, "allow: empty key");
	if (r->n_allow >= RTI_PRIVACY_MAX_ALLOW)
		return fail(l, n, "allow: more than %d keys", RTI_PRIVACY_MAX_ALLOW);
	v = realloc(r->allow, sizeof(*v) * (r->n_allow + 1));
	if (!v)
		return fail(l, n, "out of memory");
	r->allow = v;
	v[r->n_allow] = strdup(s);
	if (!v[r->n_allow])
		return fail(l, n, "out of memory");
	r->n_allow++;
	return 0;
}

static int add_type(struct ld *l, const yaml_node_t *n, const char *s, void *ctx)
{
	unsigned *t = ctx;

	if (!strcmp(s, "int"))
		*t |= RTI_KEEP_ARG_INT;
	else if (!strcmp(s, "sock"))
		*t |= RTI_KEEP_ARG_SOCK;
	else if (!strcmp(s, "file"))
		*t |= RTI_KEEP_ARG_FILE;
	else if (!strcmp(s, "string"))
		*t |= RTI_KEEP_ARG_STRING;
	else
		return fail(l, n, "types: unknown argument type '%.60s' (int, sock, file, string)", s);
	return 0;
}

static int field_by_path(const char *s)
{
	for (int f = 0; f < RTI_FIELD__COUNT; f++)
		if (!strcmp(s, rti_field_path((enum rti_field)f)))
			return f;
	return -1;
}

static bool action_fits(enum rti_field_kind k, enum rti_privacy_action a)
{
	switch (k) {
	case RTI_FIELD_KIND_IDENTITY:
	case RTI_FIELD_KIND_PATH:
		return true;
	case RTI_FIELD_KIND_TEXT:
	case RTI_FIELD_KIND_MAP:
	case RTI_FIELD_KIND_ARGS:
		return a != RTI_ACTION_BASENAME;
	default:
		return false;
	}
}

/* Has an earlier pair of the mapping the same scalar key? (Mappings of a
 * profile are small: quadratic is fine, and bounded by the file cap.) */
static bool seen_before(struct ld *l, const yaml_node_t *map, const yaml_node_pair_t *at,
			const char *key)
{
	for (const yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < at; pr++) {
		const char *k = scalar(node(l, pr->key));

		if (k && !strcmp(k, key))
			return true;
	}
	return false;
}

static int parse_field(struct ld *l, const yaml_node_t *kn, const yaml_node_t *vn)
{
	const char *path = scalar(kn);
	struct rti_field_rule nr;
	enum rti_field_kind k;
	int f;

	if (!path)
		return fail(l, kn, "a field path must be a string");
	f = field_by_path(path);
	if (f < 0)
		return fail(l, kn, "unknown field path '%.80s' (see `stella-rti privacy explain`)",
			    path);
	k = rti_privacy_field_kind((enum rti_field)f);
	if (k == RTI_FIELD_KIND_WITHHELD)
		return fail(l, kn, "%.80s is always withheld: no rule can emit it", path);
	if (k == RTI_FIELD_KIND_SCANNED)
		return fail(l, kn,
			    "%.80s is code identity, always kept and secret-scanned: no rule applies",
			    path);
	if (l->set[f])
		return fail(l, kn, "%.80s: a second rule for the same field", path);
	l->set[f] = true;
	memset(&nr, 0, sizeof(nr));
	nr.otherwise = l->p->rules[f].otherwise;
	nr.line = (int)kn->start_mark.line + 1;
	if (vn->type == YAML_SCALAR_NODE) {
		if (parse_action(l, vn, scalar(vn), &nr))
			goto bad;
	} else if (vn->type == YAML_MAPPING_NODE) {
		bool have_action = false;

		for (yaml_node_pair_t *pr = vn->data.mapping.pairs.start;
		     pr < vn->data.mapping.pairs.top; pr++) {
			yaml_node_t *k2 = node(l, pr->key);
			yaml_node_t *v2 = node(l, pr->value);
			const char *key = scalar(k2);

			if (!key) {
				fail(l, k2, "keys must be strings");
				goto bad;
			}
			if (seen_before(l, vn, pr, key)) {
				fail(l, k2, "'%.60s' given twice", key);
				goto bad;
			}
			if (!strcmp(key, "action")) {
				const char *s;

				have_action = true;
				if (want_scalar(l, v2, "action", &s) || parse_action(l, v2, s, &nr))
					goto bad;
			} else if (!strcmp(key, "otherwise") &&
				   (k == RTI_FIELD_KIND_PATH || k == RTI_FIELD_KIND_ARGS)) {
				if (parse_otherwise(l, v2, &nr.otherwise))
					goto bad;
			} else if (!strcmp(key, "allow") && k == RTI_FIELD_KIND_MAP) {
				if (each_string(l, v2, "allow", add_allow, &nr))
					goto bad;
			} else if (!strcmp(key, "types") && k == RTI_FIELD_KIND_ARGS) {
				if (each_string(l, v2, "types", add_type, &nr.arg_types))
					goto bad;
			} else {
				fail(l, k2, "unknown or misplaced key '%.60s' for this field", key);
				goto bad;
			}
		}
		if (!have_action) {
			fail(l, vn, "%.80s: missing action:", path);
			goto bad;
		}
	} else {
		fail(l, vn, "%.80s: expected an action or a mapping", path);
		goto bad;
	}
	if (!action_fits(k, nr.action)) {
		fail(l, vn, "action %s does not apply to this kind of field", rti_privacy_action_name(nr.action));
		goto bad;
	}
	/* allowlist-first: a map or argument rule that emits anything names
	 * what it emits */
	if (k == RTI_FIELD_KIND_MAP && nr.action != RTI_ACTION_DROP && !nr.n_allow) {
		fail(l, vn, "%.80s: needs allow: [KEY, ...] (keys to emit; \"prefix*\" matches a prefix)", path);
		goto bad;
	}
	if (k == RTI_FIELD_KIND_ARGS && nr.action != RTI_ACTION_DROP && !nr.arg_types) {
		fail(l, vn, "%.80s: needs types: [int, sock, file, string]", path);
		goto bad;
	}
	rti_field_rule_clear(&l->p->rules[f]);
	l->p->rules[f] = nr;
	return 0;
bad:
	rti_field_rule_clear(&nr);
	return -1;
}

static bool normal_prefix(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || s[0] != '/' || s[n - 1] != '/')
		return false;
	return !strstr(s, "//") && !strstr(s, "/./") && !strstr(s, "/../");
}

static int add_prefix(struct ld *l, const yaml_node_t *n, const char *s, void *ctx)
{
	(void)ctx;
	if (!normal_prefix(s))
		return fail(l, n,
			    "prefix '%.80s' must start and end with '/' and have no '.', '..' or empty component",
			    s);
	if (rti_privacy_add_prefix(l->p, s))
		return fail(l, n, "too many prefixes");
	return 0;
}

static int parse_paths(struct ld *l, const yaml_node_t *n, bool *other_set,
		       enum rti_privacy_action *other)
{
	if (n->type != YAML_MAPPING_NODE)
		return fail(l, n, "paths: expected a mapping");
	/* prefixes: replaces the base list, add_prefixes: extends it; the
	 * replacement happens first whatever the order in the file */
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = node(l, pr->key);

		if (scalar(k) && !strcmp(scalar(k), "prefixes")) {
			rti_privacy_set_prefixes(l->p, NULL, 0);
			if (each_string(l, node(l, pr->value), "prefixes", add_prefix, NULL))
				return -1;
		}
	}
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = node(l, pr->key);
		yaml_node_t *v = node(l, pr->value);
		const char *key = scalar(k);

		if (!key)
			return fail(l, k, "keys must be strings");
		if (seen_before(l, n, pr, key))
			return fail(l, k, "paths: '%.60s' given twice", key);
		if (!strcmp(key, "prefixes"))
			continue;
		if (!strcmp(key, "add_prefixes")) {
			if (each_string(l, v, "add_prefixes", add_prefix, NULL))
				return -1;
		} else if (!strcmp(key, "otherwise")) {
			if (parse_otherwise(l, v, other))
				return -1;
			*other_set = true;
		} else {
			return fail(l, k, "paths: unknown key '%.60s' (prefixes, add_prefixes, otherwise)",
				    key);
		}
	}
	return 0;
}

static bool good_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static struct rti_privacy *load_doc(struct ld *l, yaml_node_t *root)
{
	yaml_node_t *name_n = NULL, *base_n = NULL, *key_n = NULL, *paths_n = NULL,
		    *fields_n = NULL;
	const char *base = "strict";
	const char *s;
	bool other_set = false;
	enum rti_privacy_action other = RTI_ACTION_DROP;

	if (!root || root->type != YAML_MAPPING_NODE) {
		fail(l, root, "a profile is a mapping (profile:, base:, paths:, fields:)");
		return NULL;
	}
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	     pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(l, pr->key);
		yaml_node_t *v = node(l, pr->value);
		const char *key = scalar(k);
		yaml_node_t **slot = NULL;

		if (!key) {
			fail(l, k, "keys must be strings");
			return NULL;
		}
		if (!strcmp(key, "profile"))
			slot = &name_n;
		else if (!strcmp(key, "base"))
			slot = &base_n;
		else if (!strcmp(key, "key_file"))
			slot = &key_n;
		else if (!strcmp(key, "paths"))
			slot = &paths_n;
		else if (!strcmp(key, "fields"))
			slot = &fields_n;
		if (!slot) {
			fail(l, k, "unknown key '%.60s' (profile, base, key_file, paths, fields)", key);
			return NULL;
		}
		if (*slot) {
			fail(l, k, "'%.60s' given twice", key);
			return NULL;
		}
		*slot = v;
	}
	if (!name_n) {
		fail(l, root, "missing profile: NAME");
		return NULL;
	}
	if (want_scalar(l, name_n, "profile", &s))
		return NULL;
	if (!good_name(s) || !strcmp(s, "strict") || !strcmp(s, "balanced") || !strcmp(s, "off")) {
		fail(l, name_n,
		     "profile name '%.64s': 1-64 of [A-Za-z0-9._-], not a built-in name", s);
		return NULL;
	}
	if (base_n) {
		if (want_scalar(l, base_n, "base", &base))
			return NULL;
		if (!strcmp(base, "off")) {
			fail(l, base_n, "base 'off' is not for profiles: it ignores every rule "
					"(use --privacy off --allow-privacy-off)");
			return NULL;
		}
		if (strcmp(base, "strict") && strcmp(base, "balanced")) {
			fail(l, base_n, "base '%.60s' is not strict or balanced", base);
			return NULL;
		}
	}
	l->p = rti_privacy_new_base(base);
	if (!l->p) {
		fail(l, root, "out of memory");
		return NULL;
	}
	free(l->p->name);
	l->p->name = strdup(s);
	l->p->source = strdup(l->name);
	if (!l->p->name || !l->p->source)
		goto oom;
	if (key_n) {
		if (want_scalar(l, key_n, "key_file", &s))
			goto bad;
		if (!*s) {
			fail(l, key_n, "key_file: empty");
			goto bad;
		}
		l->p->key_file = strdup(s);
		if (!l->p->key_file)
			goto oom;
	}
	if (paths_n && parse_paths(l, paths_n, &other_set, &other))
		goto bad;
	if (fields_n) {
		if (fields_n->type != YAML_MAPPING_NODE) {
			fail(l, fields_n, "fields: expected a mapping of FIELD.PATH: ACTION");
			goto bad;
		}
		for (yaml_node_pair_t *pr = fields_n->data.mapping.pairs.start;
		     pr < fields_n->data.mapping.pairs.top; pr++)
			if (parse_field(l, node(l, pr->key), node(l, pr->value)))
				goto bad;
	}
	if (other_set)
		for (int f = 0; f < RTI_FIELD__COUNT; f++)
			if (rti_privacy_field_kind((enum rti_field)f) == RTI_FIELD_KIND_PATH && !l->set[f])
				l->p->rules[f].otherwise = other;
	return l->p;
oom:
	fail(l, root, "out of memory");
bad:
	rti_privacy_free(l->p);
	l->p = NULL;
	return NULL;
}

/* libyaml's document loader is quadratic in the nesting depth; a profile
 * nests 4 levels. One event pass rejects deep input before loading it. */
#define PROFILE_MAX_DEPTH 16

static int check_depth(const char *name, const char *data, size_t n, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0;
	int rc = 0;

	if (!yaml_parser_initialize(&parser))
		return -1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, n);
	for (;;) {
		if (!yaml_parser_parse(&parser, &ev))
			break; /* the loader reports syntax errors with their place */
		if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) {
			if (++depth > PROFILE_MAX_DEPTH) {
				snprintf(err, errlen, "%s:%lu:%lu: nested deeper than %d levels", name,
					 (unsigned long)ev.start_mark.line + 1,
					 (unsigned long)ev.start_mark.column + 1, PROFILE_MAX_DEPTH);
				rc = -1;
			}
		} else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		if (ev.type == YAML_STREAM_END_EVENT || rc) {
			yaml_event_delete(&ev);
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

struct rti_privacy *rti_privacy_parse_yaml(const char *name, const char *data, size_t n,
					   char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	struct ld l;
	struct rti_privacy *p = NULL;

	memset(&l, 0, sizeof(l));
	l.name = name;
	l.err = err;
	l.errlen = errlen;
	l.doc = &doc;
	if (check_depth(name, data, n, err, errlen)) {
		errno = EINVAL;
		return NULL;
	}
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: out of memory", name);
		errno = ENOMEM;
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, n);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%lu:%lu: YAML: %s", name,
			 (unsigned long)parser.problem_mark.line + 1,
			 (unsigned long)parser.problem_mark.column + 1,
			 parser.problem ? parser.problem : "syntax error");
		yaml_parser_delete(&parser);
		errno = EINVAL;
		return NULL;
	}
	if (!yaml_document_get_root_node(&doc)) {
		snprintf(err, errlen, "%s:1:1: empty profile", name);
	} else {
		p = load_doc(&l, yaml_document_get_root_node(&doc));
		if (p) {
			/* one profile per file: a second document is a mistake */
			if (!yaml_parser_load(&parser, &extra)) {
				snprintf(err, errlen, "%s:%lu:%lu: YAML: %s", name,
					 (unsigned long)parser.problem_mark.line + 1,
					 (unsigned long)parser.problem_mark.column + 1,
					 parser.problem ? parser.problem : "syntax error");
				rti_privacy_free(p);
				p = NULL;
			} else {
				yaml_node_t *r2 = yaml_document_get_root_node(&extra);

				if (r2) {
					snprintf(err, errlen,
						 "%s:%lu:1: a second YAML document: one profile per file",
						 name, (unsigned long)r2->start_mark.line + 1);
					rti_privacy_free(p);
					p = NULL;
				}
				yaml_document_delete(&extra);
			}
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (p && rti_privacy_finalize(p)) {
		snprintf(err, errlen, "%s: out of memory", name);
		rti_privacy_free(p);
		errno = ENOMEM;
		return NULL;
	}
	if (!p)
		errno = EINVAL;
	return p;
}

struct rti_privacy *rti_privacy_load_yaml(const char *file, char *err, size_t errlen)
{
	FILE *f = fopen(file, "rb");
	struct rti_privacy *p;
	char *buf;
	size_t n;

	if (!f) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", file, strerror(e));
		errno = e == ENOENT ? ENOENT : EINVAL;
		return NULL;
	}
	buf = malloc(PROFILE_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		errno = ENOMEM;
		return NULL;
	}
	n = fread(buf, 1, PROFILE_MAX_BYTES + 1, f);
	if (ferror(f) || n > PROFILE_MAX_BYTES) {
		snprintf(err, errlen, "%s: %s", file,
			 ferror(f) ? "read error" : "larger than 1 MiB: not a profile");
		fclose(f);
		free(buf);
		errno = EINVAL;
		return NULL;
	}
	fclose(f);
	p = rti_privacy_parse_yaml(file, buf, n, err, errlen);
	free(buf);
	return p;
}
