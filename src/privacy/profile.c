/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Privacy profiles: the field table, the built-in profiles, opening a
 * profile by name or file, the HMAC key, and `privacy explain`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privacy/profile.h"
#include "privacy/secrets.h"
#include "rti/cjson.h"

/* What each field of the vocabulary is. */
static const enum rti_fkind field_kind[RTI_R__COUNT] = {
	[RTI_R_ANCESTORS] = RTI_FK_WITHHELD,
	[RTI_R_CLUSTER] = RTI_FK_IDENT,
	[RTI_R_CONTAINER_ID] = RTI_FK_IDENT,
	[RTI_R_IMAGE_NAME] = RTI_FK_IDENT,
	[RTI_R_CONTAINER_NAME] = RTI_FK_IDENT,
	[RTI_R_POD_ANNOTATIONS] = RTI_FK_MAP,
	[RTI_R_POD_LABELS] = RTI_FK_MAP,
	[RTI_R_POD_NAME] = RTI_FK_IDENT,
	[RTI_R_POD_NAMESPACE] = RTI_FK_IDENT,
	[RTI_R_POD_WORKLOAD] = RTI_FK_IDENT,
	[RTI_R_POD_WORKLOAD_KIND] = RTI_FK_IDENT,
	[RTI_R_EXIT_SIGNAL] = RTI_FK_SCANNED,
	[RTI_R_NODE] = RTI_FK_IDENT,
	[RTI_R_NODE_LABELS] = RTI_FK_WITHHELD,
	[RTI_R_PARENT_ARGUMENTS] = RTI_FK_TEXT,
	[RTI_R_PARENT_BINARY] = RTI_FK_PATH,
	[RTI_R_PARENT_CAPABILITIES] = RTI_FK_WITHHELD,
	[RTI_R_PARENT_CREDENTIALS] = RTI_FK_WITHHELD,
	[RTI_R_PARENT_CWD] = RTI_FK_PATH,
	[RTI_R_PARENT_ENVIRONMENT] = RTI_FK_MAP,
	[RTI_R_PARENT_EXEC_ID] = RTI_FK_IDENT,
	[RTI_R_PARENT_USER] = RTI_FK_TEXT,
	[RTI_R_POLICY] = RTI_FK_IDENT,
	[RTI_R_PROBE_ACTION] = RTI_FK_SCANNED,
	[RTI_R_PROBE_ARGS] = RTI_FK_ARGS,
	[RTI_R_PROBE_DATA] = RTI_FK_WITHHELD,
	[RTI_R_PROBE_EVENT] = RTI_FK_SCANNED,
	[RTI_R_PROBE_MODULE] = RTI_FK_PATH,
	[RTI_R_PROBE_NAME] = RTI_FK_SCANNED,
	[RTI_R_PROBE_PROVIDER] = RTI_FK_SCANNED,
	[RTI_R_PROBE_RETURN] = RTI_FK_WITHHELD,
	[RTI_R_PROBE_SUBSYSTEM] = RTI_FK_SCANNED,
	[RTI_R_PROBE_SYMBOL] = RTI_FK_SCANNED,
	[RTI_R_PROCESS_ARGUMENTS] = RTI_FK_TEXT,
	[RTI_R_PROCESS_BINARY] = RTI_FK_PATH,
	[RTI_R_PROCESS_CAPABILITIES] = RTI_FK_WITHHELD,
	[RTI_R_PROCESS_CREDENTIALS] = RTI_FK_WITHHELD,
	[RTI_R_PROCESS_CWD] = RTI_FK_PATH,
	[RTI_R_PROCESS_ENVIRONMENT] = RTI_FK_MAP,
	[RTI_R_PROCESS_EXEC_ID] = RTI_FK_IDENT,
	[RTI_R_PROCESS_PARENT_EXEC_ID] = RTI_FK_IDENT,
	[RTI_R_PROCESS_USER] = RTI_FK_TEXT,
	[RTI_R_STACK_MODULE] = RTI_FK_PATH,
	[RTI_R_STACK_SYMBOL] = RTI_FK_SCANNED,
};

static const char *const kind_names[] = {
	[RTI_FK_WITHHELD] = "withheld", [RTI_FK_SCANNED] = "scanned",
	[RTI_FK_IDENT] = "identity",    [RTI_FK_PATH] = "path",
	[RTI_FK_TEXT] = "text",         [RTI_FK_MAP] = "map",
	[RTI_FK_ARGS] = "args",
};

static const char *const action_names[] = {
	[RTI_PA_DROP] = "drop",         [RTI_PA_KEEP] = "keep",
	[RTI_PA_HASH] = "hash",         [RTI_PA_BASENAME] = "basename",
	[RTI_PA_REDACT] = "redact",
};

enum rti_fkind rti_privacy_field_kind(enum rti_redact f)
{
	return (unsigned)f < RTI_R__COUNT ? field_kind[f] : RTI_FK_WITHHELD;
}

const char *rti_privacy_action_name(enum rti_paction a)
{
	return (unsigned)a <= RTI_PA_REDACT ? action_names[a] : "?";
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

void rti_prule_clear(struct rti_prule *r)
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

static int set_allow(struct rti_prule *r, const char *const *v, unsigned n)
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
	for (int f = 0; f < RTI_R__COUNT; f++) {
		struct rti_prule *r = &p->rules[f];

		switch (field_kind[f]) {
		case RTI_FK_WITHHELD:
			r->action = off ? RTI_PA_KEEP : RTI_PA_DROP;
			break;
		case RTI_FK_SCANNED:
		case RTI_FK_IDENT:
			r->action = RTI_PA_KEEP;
			break;
		case RTI_FK_PATH:
			r->action = RTI_PA_KEEP;
			r->otherwise = balanced ? RTI_PA_BASENAME : RTI_PA_DROP;
			if (f == RTI_R_PROCESS_CWD || f == RTI_R_PARENT_CWD) {
				r->action = balanced || off ? RTI_PA_KEEP : RTI_PA_DROP;
				r->otherwise = RTI_PA_DROP;
			}
			if (off)
				r->otherwise = RTI_PA_KEEP;
			break;
		case RTI_FK_TEXT:
			r->action = off ? RTI_PA_KEEP : RTI_PA_DROP;
			break;
		case RTI_FK_MAP:
			r->action = off ? RTI_PA_KEEP : RTI_PA_DROP;
			if (off) {
				static const char *const all[] = { "*" };

				if (set_allow(r, all, 1))
					goto oom;
			} else if (balanced && f == RTI_R_POD_LABELS) {
				r->action = RTI_PA_KEEP;
				if (set_allow(r, balanced_labels,
					      sizeof(balanced_labels) / sizeof(balanced_labels[0])))
					goto oom;
			}
			break;
		case RTI_FK_ARGS:
			r->action = balanced || off ? RTI_PA_KEEP : RTI_PA_DROP;
			r->arg_types = off ? (RTI_PARG_INT | RTI_PARG_SOCK | RTI_PARG_FILE |
					      RTI_PARG_STRING)
				     : balanced ? (RTI_PARG_INT | RTI_PARG_SOCK) : 0;
			r->otherwise = off ? RTI_PA_KEEP : RTI_PA_DROP;
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
	for (int f = 0; f < RTI_R__COUNT; f++)
		rti_prule_clear(&p->rules[f]);
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
	for (int f = 0; f < RTI_R__COUNT; f++) {
		const struct rti_prule *r = &p->rules[f];

		if (r->action == RTI_PA_HASH ||
		    (field_kind[f] == RTI_FK_PATH && r->action == RTI_PA_KEEP &&
		     r->otherwise == RTI_PA_HASH) ||
		    (field_kind[f] == RTI_FK_ARGS && r->action == RTI_PA_KEEP &&
		     r->otherwise == RTI_PA_HASH))
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
	for (int f = 0; f < RTI_R__COUNT; f++) {
		struct rti_prule *r = &p->rules[f];

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

bool rti_prule_allows(const struct rti_prule *r, const char *key)
{
	if (r->n_exact && bsearch(&key, r->exact, r->n_exact, sizeof(*r->exact), cmp_str))
		return true;
	for (unsigned i = 0; i < r->n_prefix; i++)
		if (!strncmp(key, r->prefix[i], strlen(r->prefix[i])))
			return true;
	return false;
}

int rti_privacy_load_key(struct rti_privacy *p, const char *file, char *err, size_t errlen)
{
	struct stat st;
	size_t n = 0;
	int fd, e;

	/* O_NONBLOCK: a FIFO must not hang the start; fstat decides */
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "privacy key %s: %s", file, strerror(e));
		return -EACCES;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "privacy key %s: not a regular file", file);
		close(fd);
		return -EACCES;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen,
			 "privacy key %s: readable by group or others (mode %03o); chmod 600 it",
			 file, (unsigned)(st.st_mode & 0777));
		close(fd);
		return -EACCES;
	}
	if (st.st_size > RTI_PRIVACY_KEY_MAX) {
		snprintf(err, errlen, "privacy key %s: %lld bytes; at most %d", file,
			 (long long)st.st_size, RTI_PRIVACY_KEY_MAX);
		close(fd);
		return -EACCES;
	}
	/* to the end: a short read must not shorten the key */
	for (;;) {
		ssize_t r = read(fd, p->key + n, sizeof(p->key) - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			close(fd);
			explicit_bzero(p->key, sizeof(p->key));
			snprintf(err, errlen, "privacy key %s: %s", file, strerror(e));
			return -EACCES;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == sizeof(p->key)) {
			char extra;

			if (read(fd, &extra, 1) > 0) {
				close(fd);
				explicit_bzero(p->key, sizeof(p->key));
				snprintf(err, errlen, "privacy key %s: longer than %d bytes", file,
					 RTI_PRIVACY_KEY_MAX);
				return -EACCES;
			}
			break;
		}
	}
	close(fd);
	/* one trailing newline is not part of the key (echo > file) */
	if (n > 0 && p->key[n - 1] == '\n')
		n--;
	if (n < RTI_PRIVACY_KEY_MIN) {
		explicit_bzero(p->key, sizeof(p->key));
		snprintf(err, errlen, "privacy key %s: %zu bytes; at least %d are needed", file, n,
			 RTI_PRIVACY_KEY_MIN);
		return -EACCES;
	}
	p->key_len = n;
	return 0;
}

struct rti_privacy *rti_privacy_open(const char *spec, const struct rti_privacy_opts *o,
				     char *err, size_t errlen)
{
	struct rti_privacy_opts def = { sizeof(def), NULL, false, false };
	struct rti_privacy *p;
	const char *keyf;
	bool inspect;
	int e;

	if (!o)
		o = &def;
	if (!spec || !*spec)
		spec = "strict";
	if (!strcmp(spec, "strict") || !strcmp(spec, "balanced") || !strcmp(spec, "off")) {
		if (!strcmp(spec, "off") && !o->allow_off) {
			snprintf(err, errlen,
				 "the privacy profile 'off' emits arguments, environment and "
				 "secrets; it needs --allow-privacy-off");
			errno = EPERM;
			return NULL;
		}
		p = rti_privacy_new_base(spec);
		if (!p) {
			snprintf(err, errlen, "%s", strerror(errno));
			return NULL;
		}
	} else if (strchr(spec, '/') || strchr(spec, '.')) {
		p = rti_privacy_load_yaml(spec, err, errlen);
		if (!p)
			return NULL;
		if (p->off && !o->allow_off) {
			snprintf(err, errlen, "%s: base 'off' needs --allow-privacy-off", spec);
			rti_privacy_free(p);
			errno = EPERM;
			return NULL;
		}
	} else {
		snprintf(err, errlen,
			 "unknown privacy profile '%s' (built in: strict, balanced; or a YAML file)",
			 spec);
		errno = ENOENT;
		return NULL;
	}
	inspect = o->sz >= offsetof(struct rti_privacy_opts, inspect_only) + sizeof(bool) &&
		  o->inspect_only;
	if (rti_privacy_finalize(p)) {
		snprintf(err, errlen, "out of memory");
		rti_privacy_free(p);
		errno = ENOMEM;
		return NULL;
	}
	keyf = o->key_file ? o->key_file : p->key_file;
	if (keyf && !inspect && (e = rti_privacy_load_key(p, keyf, err, errlen))) {
		rti_privacy_free(p);
		errno = -e;
		return NULL;
	}
	if (rti_privacy_needs_key(p) && !p->key_len && !inspect) {
		snprintf(err, errlen,
			 "privacy profile '%s' has hash rules but no key: give --privacy-key FILE "
			 "or key_file: in the profile",
			 p->name);
		rti_privacy_free(p);
		errno = EACCES;
		return NULL;
	}
	return p;
}

const char *rti_privacy_secret_kind(unsigned i)
{
	return i < RTI_SECRET__COUNT ? rti_secret_kind_name((enum rti_secret_kind)i) : NULL;
}

/* ---- explain ---- */

static const char *const arg_type_names[] = { "int", "sock", "file", "string" };

static void explain_rule_text(const struct rti_privacy *p, int f, struct rti_buf *b)
{
	const struct rti_prule *r = &p->rules[f];
	enum rti_fkind k = field_kind[f];

	if (p->off) {
		rti_buf_addstr(b, k == RTI_FK_WITHHELD ? "keep (not emitted: no field for it)"
						       : "keep, no secret detection");
		return;
	}
	if (k == RTI_FK_WITHHELD) {
		rti_buf_addstr(b, "drop (always)");
		return;
	}
	if (k == RTI_FK_SCANNED) {
		rti_buf_addstr(b, "keep (always), secrets redacted");
		return;
	}
	rti_buf_addstr(b, rti_privacy_action_name(r->action));
	if (r->action == RTI_PA_REDACT)
		rti_buf_addf(b, "(%s)", r->pattern);
	if (r->action == RTI_PA_DROP)
		return;
	if (k == RTI_FK_PATH && r->action == RTI_PA_KEEP)
		rti_buf_addf(b, " under the prefixes, otherwise %s",
			     rti_privacy_action_name(r->otherwise));
	if (k == RTI_FK_MAP) {
		rti_buf_addstr(b, " the values of keys [");
		for (unsigned i = 0; i < r->n_allow; i++)
			rti_buf_addf(b, "%s%s", i ? ", " : "", r->allow[i]);
		rti_buf_addstr(b, "], others dropped");
	}
	if (k == RTI_FK_ARGS) {
		rti_buf_addstr(b, " types [");
		for (unsigned i = 0, n = 0; i < 4; i++)
			if (r->arg_types & (1u << i))
				rti_buf_addf(b, "%s%s", n++ ? ", " : "", arg_type_names[i]);
		rti_buf_addstr(b, "], others dropped");
		if (r->arg_types & RTI_PARG_FILE)
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
	for (int i = 0; i < RTI_R__COUNT; i++) {
		const struct rti_prule *r = &p->rules[i];
		enum rti_fkind k = field_kind[i];

		rti_cjw_key(&w, rti_redact_path((enum rti_redact)i));
		rti_cjw_obj_open(&w);
		rti_cjw_kv_str(&w, "action", rti_privacy_action_name(r->action));
		if (k == RTI_FK_MAP && r->action != RTI_PA_DROP) {
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
		if ((k == RTI_FK_PATH || k == RTI_FK_ARGS) && r->action == RTI_PA_KEEP)
			rti_cjw_kv_str(&w, "otherwise", rti_privacy_action_name(r->otherwise));
		if (r->action == RTI_PA_REDACT)
			rti_cjw_kv_str(&w, "pattern", r->pattern);
		if (k == RTI_FK_ARGS && r->action != RTI_PA_DROP) {
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
	for (int i = 0; i < RTI_R__COUNT; i++) {
		rti_buf_addf(&b, "%-28s %-9s ", rti_redact_path((enum rti_redact)i),
			     kind_names[field_kind[i]]);
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
