/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Privacy profiles: the built-in profiles, the rules' lookup tables, and
 * `privacy explain`. Opening a profile by name or file is profile_open.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "privacy/profile.h"
#include "privacy/secrets.h"
#include "rti/cjson.h"

static const char *const kind_names[] = {
	[RTI_FIELD_KIND_WITHHELD] = "withheld", [RTI_FIELD_KIND_SCANNED] = "scanned",
	[RTI_FIELD_KIND_IDENTITY] = "identity", [RTI_FIELD_KIND_PATH] = "path",
	[RTI_FIELD_KIND_TEXT] = "text",         [RTI_FIELD_KIND_MAP] = "map",
	[RTI_FIELD_KIND_ARGS] = "args",
};

static const char *const action_names[] = {
	[RTI_ACTION_DROP] = "drop",   [RTI_ACTION_KEEP] = "keep",
	[RTI_ACTION_HASH] = "hash",   [RTI_ACTION_BASENAME] = "basename",
	[RTI_ACTION_REDACT] = "redact",
};

const char *rti_privacy_action_name(enum rti_privacy_action a)
{
	return (unsigned)a <= RTI_ACTION_REDACT ? action_names[a] : "?";
}

/* Paths under these prefixes name system software, not users' data. */
static const char *const system_prefixes[] = {
	"/usr/", "/lib/", "/lib32/", "/lib64/", "/libx32/", "/bin/", "/sbin/",
	"/opt/", "/app/", "/snap/", "/nix/store/",
};

/* Pod label keys that name software, not people or secrets. */
static const char *const balanced_labels[] = {
	"app", "app.kubernetes.io/component", "app.kubernetes.io/instance",
	"app.kubernetes.io/managed-by", "app.kubernetes.io/name",
	"app.kubernetes.io/part-of", "app.kubernetes.io/version", "component",
	"k8s-app", "tier", "version",
};

void rti_field_rule_clear(struct rti_field_rule *r)
{
	free(r->exact);
	if (r->prefix)
		for (unsigned i = 0; i < r->n_prefix; i++)
			free((char *)r->prefix[i]);
	free(r->prefix);
	free(r->pattern);
	if (r->has_re)
		regfree(&r->re);
	for (unsigned i = 0; i < r->n_allow; i++)
		free(r->allow[i]);
	free(r->allow);
	memset(r, 0, sizeof(*r));
}

int rti_privacy_add_prefix(struct rti_privacy *p, const char *prefix)
{
	char **v;

	if (p->n_prefixes >= RTI_PRIVACY_MAX_PREFIXES)
		return -E2BIG;
	v = realloc(p->prefixes, sizeof(*v) * (p->n_prefixes + 1));
	if (!v)
		return -ENOMEM;
	p->prefixes = v;
	v[p->n_prefixes] = strdup(prefix);
	if (!v[p->n_prefixes])
		return -ENOMEM;
	p->n_prefixes++;
	return 0;
}

int rti_privacy_set_prefixes(struct rti_privacy *p, const char *const *v, unsigned n)
{
	for (unsigned i = 0; i < p->n_prefixes; i++)
		free(p->prefixes[i]);
	free(p->prefixes);
	p->prefixes = NULL;
	p->n_prefixes = 0;
	for (unsigned i = 0; i < n; i++) {
		int err = rti_privacy_add_prefix(p, v[i]);

		if (err)
			return err;
	}
	return 0;
}

static int set_allow(struct rti_field_rule *r, const char *const *v, unsigned n)
{
	r->allow = calloc(n ? n : 1, sizeof(*r->allow));
	if (!r->allow)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		r->allow[i] = strdup(v[i]);
		if (!r->allow[i])
			return -ENOMEM;
		r->n_allow++;
	}
	return 0;
}

struct rti_privacy *rti_privacy_new_base(const char *base)
{
	struct rti_privacy *p;
	bool balanced = !strcmp(base, "balanced");
	bool off = !strcmp(base, "off");

	if (!balanced && !off && strcmp(base, "strict")) {
		errno = ENOENT;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->base = balanced ? "balanced" : off ? "off" : "strict";
	p->off = off;
	p->name = strdup(p->base);
	if (!p->name ||
	    rti_privacy_set_prefixes(p, system_prefixes,
				     sizeof(system_prefixes) / sizeof(system_prefixes[0])))
		goto oom;
	for (int f = 0; f < RTI_FIELD__COUNT; f++) {
		struct rti_field_rule *r = &p->rules[f];

		switch (rti_privacy_field_kind((enum rti_field)f)) {
		case RTI_FIELD_KIND_WITHHELD:
			r->action = off ? RTI_ACTION_KEEP : RTI_ACTION_DROP;
			break;
		case RTI_FIELD_KIND_SCANNED:
		case RTI_FIELD_KIND_IDENTITY:
			r->action = RTI_ACTION_KEEP;
			break;
		case RTI_FIELD_KIND_PATH:
			r->action = RTI_ACTION_KEEP;
			r->otherwise = balanced ? RTI_ACTION_BASENAME : RTI_ACTION_DROP;
			if (f == RTI_FIELD_PROCESS_CWD || f == RTI_FIELD_PARENT_CWD) {
				r->action = balanced || off ? RTI_ACTION_KEEP : RTI_ACTION_DROP;
				r->otherwise = RTI_ACTION_DROP;
			}
			if (off)
				r->otherwise = RTI_ACTION_KEEP;
			break;
		case RTI_FIELD_KIND_TEXT:
			r->action = off ? RTI_ACTION_KEEP : RTI_ACTION_DROP;
			break;
		case RTI_FIELD_KIND_MAP:
			r->action = off ? RTI_ACTION_KEEP : RTI_ACTION_DROP;
			if (off) {
				static const char *const all[] = { "*" };

				if (set_allow(r, all, 1))
					goto oom;
			} else if (balanced && f == RTI_FIELD_POD_LABELS) {
				r->action = RTI_ACTION_KEEP;
				if (set_allow(r, balanced_labels,
					      sizeof(balanced_labels) / sizeof(balanced_labels[0])))
					goto oom;
			}
			break;
		case RTI_FIELD_KIND_ARGS:
			r->action = balanced || off ? RTI_ACTION_KEEP : RTI_ACTION_DROP;
			r->arg_types = off ? (RTI_KEEP_ARG_INT | RTI_KEEP_ARG_SOCK | RTI_KEEP_ARG_FILE |
					      RTI_KEEP_ARG_STRING)
				     : balanced ? (RTI_KEEP_ARG_INT | RTI_KEEP_ARG_SOCK) : 0;
			r->otherwise = off ? RTI_ACTION_KEEP : RTI_ACTION_DROP;
			break;
		}
	}
	return p;
oom:
	rti_privacy_free(p);
	errno = ENOMEM;
	return NULL;
}

void rti_privacy_free(struct rti_privacy *p)
{
	if (!p)
		return;
	for (int f = 0; f < RTI_FIELD__COUNT; f++)
		rti_field_rule_clear(&p->rules[f]);
	for (unsigned i = 0; i < p->n_prefixes; i++)
		free(p->prefixes[i]);
	free(p->prefixes);
	free(p->name);
	free(p->source);
	free(p->key_file);
	/* the key must not outlive the profile in freed memory */
	explicit_bzero(p->key, sizeof(p->key));
	free(p);
}

const char *rti_privacy_name(const struct rti_privacy *p)
{
	return p->name;
}

bool rti_privacy_is_off(const struct rti_privacy *p)
{
	return p->off;
}

bool rti_privacy_needs_key(const struct rti_privacy *p)
{
	for (int f = 0; f < RTI_FIELD__COUNT; f++) {
		const struct rti_field_rule *r = &p->rules[f];
		enum rti_field_kind k = rti_privacy_field_kind((enum rti_field)f);
		bool has_otherwise = k == RTI_FIELD_KIND_PATH || k == RTI_FIELD_KIND_ARGS;

		if (r->action == RTI_ACTION_HASH ||
		    (has_otherwise && r->action == RTI_ACTION_KEEP && r->otherwise == RTI_ACTION_HASH))
			return true;
	}
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int rti_privacy_finalize(struct rti_privacy *p)
{
	for (int f = 0; f < RTI_FIELD__COUNT; f++) {
		struct rti_field_rule *r = &p->rules[f];

		if (!r->n_allow || r->exact || r->prefix)
			continue;
		r->exact = calloc(r->n_allow, sizeof(*r->exact));
		r->prefix = calloc(r->n_allow, sizeof(*r->prefix));
		if (!r->exact || !r->prefix)
			return -ENOMEM;
		for (unsigned i = 0; i < r->n_allow; i++) {
			const char *a = r->allow[i];
			size_t n = strlen(a);

			if (n && a[n - 1] == '*') {
				char *pre = strndup(a, n - 1);

				if (!pre)
					return -ENOMEM;
				r->prefix[r->n_prefix++] = pre;
			} else {
				r->exact[r->n_exact++] = a;
			}
		}
		qsort(r->exact, r->n_exact, sizeof(*r->exact), cmp_str);
	}
	return 0;
}

bool rti_field_rule_allows(const struct rti_field_rule *r, const char *key)
{
	if (r->n_exact && bsearch(&key, r->exact, r->n_exact, sizeof(*r->exact), cmp_str))
		return true;
	for (unsigned i = 0; i < r->n_prefix; i++)
		if (!strncmp(key, r->prefix[i], strlen(r->prefix[i])))
			return true;
	return false;
}

const char *rti_privacy_secret_kind(unsigned i)
{
	return i < RTI_SECRET__COUNT ? rti_secret_kind_name((enum rti_secret_kind)i) : NULL;
}

/* ---- explain ---- */

static const char *const arg_type_names[] = { "int", "sock", "file", "string" };

static void explain_rule_text(const struct rti_privacy *p, int f, struct rti_buf *b)
{
	const struct rti_field_rule *r = &p->rules[f];
	enum rti_field_kind k = rti_privacy_field_kind((enum rti_field)f);

	if (p->off) {
		rti_buf_addstr(b, k == RTI_FIELD_KIND_WITHHELD ? "keep (not emitted: no field for it)"
						       : "keep, no secret detection");
		return;
	}
	if (k == RTI_FIELD_KIND_WITHHELD) {
		rti_buf_addstr(b, "drop (always)");
		return;
	}
	if (k == RTI_FIELD_KIND_SCANNED) {
		rti_buf_addstr(b, "keep (always), secrets redacted");
		return;
	}
	rti_buf_addstr(b, rti_privacy_action_name(r->action));
	if (r->action == RTI_ACTION_REDACT)
		rti_buf_addf(b, "(%s)", r->pattern);
	if (r->action == RTI_ACTION_DROP)
		return;
	if (k == RTI_FIELD_KIND_PATH && r->action == RTI_ACTION_KEEP)
		rti_buf_addf(b, " under the prefixes, otherwise %s",
			     rti_privacy_action_name(r->otherwise));
	if (k == RTI_FIELD_KIND_MAP) {
		rti_buf_addstr(b, " the values of keys [");
		for (unsigned i = 0; i < r->n_allow; i++)
			rti_buf_addf(b, "%s%s", i ? ", " : "", r->allow[i]);
		rti_buf_addstr(b, "], others dropped");
	}
	if (k == RTI_FIELD_KIND_ARGS) {
		rti_buf_addstr(b, " types [");
		for (unsigned i = 0, n = 0; i < 4; i++)
			if (r->arg_types & (1u << i))
				rti_buf_addf(b, "%s%s", n++ ? ", " : "", arg_type_names[i]);
		rti_buf_addstr(b, "], others dropped");
		if (r->arg_types & RTI_KEEP_ARG_FILE)
			rti_buf_addf(b, "; file paths under the prefixes, otherwise %s",
				     rti_privacy_action_name(r->otherwise));
	}
	rti_buf_addstr(b, ", secrets redacted");
}

static int explain_json(const struct rti_privacy *p, FILE *f)
{
	struct rti_buf b;
	struct rti_cjw w;
	int err;

	rti_buf_init(&b, 16u << 20);
	rti_cjw_init(&w, &b);
	rti_cjw_obj_open(&w);
	rti_cjw_kv_str(&w, "base", p->base);
	rti_cjw_key(&w, "fields");
	rti_cjw_obj_open(&w);
	for (int i = 0; i < RTI_FIELD__COUNT; i++) {
		const struct rti_field_rule *r = &p->rules[i];
		enum rti_field_kind k = rti_privacy_field_kind((enum rti_field)i);

		rti_cjw_key(&w, rti_field_path((enum rti_field)i));
		rti_cjw_obj_open(&w);
		rti_cjw_kv_str(&w, "action", rti_privacy_action_name(r->action));
		if (k == RTI_FIELD_KIND_MAP && r->action != RTI_ACTION_DROP) {
			rti_cjw_key(&w, "allow");
			rti_cjw_arr_open(&w);
			for (unsigned j = 0; j < r->n_allow; j++)
				rti_cjw_cstr(&w, r->allow[j]);
			rti_cjw_arr_close(&w);
		}
		rti_cjw_kv_str(&w, "kind", kind_names[k]);
		if (r->line) {
			rti_cjw_key(&w, "line");
			rti_cjw_u64(&w, (uint64_t)r->line);
		}
		if ((k == RTI_FIELD_KIND_PATH || k == RTI_FIELD_KIND_ARGS) && r->action == RTI_ACTION_KEEP)
			rti_cjw_kv_str(&w, "otherwise", rti_privacy_action_name(r->otherwise));
		if (r->action == RTI_ACTION_REDACT)
			rti_cjw_kv_str(&w, "pattern", r->pattern);
		if (k == RTI_FIELD_KIND_ARGS && r->action != RTI_ACTION_DROP) {
			rti_cjw_key(&w, "types");
			rti_cjw_arr_open(&w);
			for (unsigned j = 0; j < 4; j++)
				if (r->arg_types & (1u << j))
					rti_cjw_cstr(&w, arg_type_names[j]);
			rti_cjw_arr_close(&w);
		}
		rti_cjw_obj_close(&w);
	}
	rti_cjw_obj_close(&w);
	rti_cjw_kv_str(&w, "key_file", p->key_file);
	rti_cjw_key(&w, "needs_key");
	rti_cjw_bool(&w, rti_privacy_needs_key(p));
	rti_cjw_key(&w, "prefixes");
	rti_cjw_arr_open(&w);
	for (unsigned i = 0; i < p->n_prefixes; i++)
		rti_cjw_cstr(&w, p->prefixes[i]);
	rti_cjw_arr_close(&w);
	rti_cjw_kv_str(&w, "profile", p->name);
	rti_cjw_key(&w, "secret_detection");
	rti_cjw_bool(&w, !p->off);
	rti_cjw_kv_str(&w, "source", p->source);
	rti_cjw_obj_close(&w);
	err = w.err;
	if (!err)
		err = rti_buf_addch(&b, '\n');
	if (!err && fwrite(b.p, 1, b.len, f) != b.len)
		err = -EIO;
	rti_buf_release(&b);
	return err;
}

int rti_privacy_explain(const struct rti_privacy *p, FILE *f, bool json)
{
	struct rti_buf b;

	if (json)
		return explain_json(p, f);
	rti_buf_init(&b, 16u << 20);
	if (p->source)
		rti_buf_addf(&b, "profile: %s (file %s, base %s)\n", p->name, p->source, p->base);
	else
		rti_buf_addf(&b, "profile: %s (built in)\n", p->name);
	if (p->off)
		rti_buf_addstr(&b, "WARNING: privacy is off: events carry arguments, "
				   "environment, labels and secrets\n");
	rti_buf_addf(&b, "secret detection: %s\n",
		     p->off ? "off" : "on (aws-key, jwt, bearer, secret-pair, pem-private-key, "
				     "high-entropy); applies to every kept string");
	if (p->key_file)
		rti_buf_addf(&b, "hash key file: %s (not read by explain)\n", p->key_file);
	else
		rti_buf_addf(&b, "hash key: %s\n",
			     rti_privacy_needs_key(p)
				     ? "none in the profile (hash rules need --privacy-key FILE)"
				     : "none (no hash rules)");
	rti_buf_addstr(&b, "path prefixes kept:");
	for (unsigned i = 0; i < p->n_prefixes; i++)
		rti_buf_addf(&b, " %s", p->prefixes[i]);
	rti_buf_addstr(&b, "\n\n");
	for (int i = 0; i < RTI_FIELD__COUNT; i++) {
		rti_buf_addf(&b, "%-28s %-9s ", rti_field_path((enum rti_field)i),
			     kind_names[rti_privacy_field_kind((enum rti_field)i)]);
		explain_rule_text(p, i, &b);
		if (p->rules[i].line)
			rti_buf_addf(&b, "  (line %d)", p->rules[i].line);
		rti_buf_addch(&b, '\n');
	}
	if (fwrite(b.p, 1, b.len, f) != b.len) {
		rti_buf_release(&b);
		return -EIO;
	}
	rti_buf_release(&b);
	return 0;
}
