/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading the agent's configuration (include/rti/config.h): the YAML
 * trees of the main file and the drop-ins, mapped onto the option table
 * (options.h), every value checked and converted, then the files it names
 * opened. Errors: "FILE:LINE:COL: key.path: reason".
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/config_int.h"

struct cerr {
	char *buf;
	size_t len;
	const char *file; /* the main file: errors of values not from a file */
};

static int fail(struct cerr *e, const struct yt_node *n, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct cerr *e, const struct yt_node *n, const char *key, const char *fmt, ...)
{
	char why[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (n)
		snprintf(e->buf, e->len, "%s:%u:%u: %s: %s", n->file, n->line, n->col, key, why);
	else if (e->file)
		snprintf(e->buf, e->len, "%s: %s: %s", e->file, key, why);
	else if (rti_cfg_flag_of(key)) /* run's command line: name the flag */
		snprintf(e->buf, e->len, "--%s: %s", rti_cfg_flag_of(key), why);
	else
		snprintf(e->buf, e->len, "%s: %s", key, why);
	return -EINVAL;
}

/* ${NAME} from the environment. 0, or -EINVAL with why. *out malloc'ed. */
static int interpolate(const char *in, char **out, char *why, size_t wlen)
{
	size_t cap = strlen(in) + 1, n = 0;
	char *o = malloc(cap);

	if (!o)
		return -ENOMEM;
	for (const char *s = in; *s;) {
		const char *val = s;
		size_t vlen = 1;

		if (s[0] == '$' && s[1] == '{') {
			const char *end = strchr(s + 2, '}');
			char name[128];
			size_t nl;

			if (!end) {
				snprintf(why, wlen, "unterminated ${ at character %zu", (size_t)(s - in) + 1);
				free(o);
				return -EINVAL;
			}
			nl = (size_t)(end - s - 2);
			if (nl == 0 || nl >= sizeof(name) || strspn(s + 2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					"abcdefghijklmnopqrstuvwxyz0123456789_") != nl) {
				snprintf(why, wlen, "bad variable name in ${...} at character %zu",
					 (size_t)(s - in) + 1);
				free(o);
				return -EINVAL;
			}
			memcpy(name, s + 2, nl);
			name[nl] = '\0';
			val = getenv(name);
			if (!val) {
				snprintf(why, wlen, "${%s}: environment variable not set", name);
				free(o);
				return -EINVAL;
			}
			vlen = strlen(val);
			s = end + 1;
		} else {
			s++;
		}
		if (n + vlen + 1 > cap) {
			char *g;

			cap = (n + vlen + 1) * 2;
			if (cap > (1u << 20) || !(g = realloc(o, cap))) {
				free(o);
				snprintf(why, wlen, "value too long after ${} substitution");
				return -EINVAL;
			}
			o = g;
		}
		memcpy(o + n, val, vlen);
		n += vlen;
	}
	o[n] = '\0';
	*out = o;
	return 0;
}

static int parse_uint(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* bytes: 4096, 64KiB, 4MiB, 1GiB, 4M, 64k */
static int parse_size(const char *s, uint64_t *v)
{
	static const struct { const char *sfx; unsigned shift; } u[] = {
		{ "", 0 }, { "B", 0 }, { "K", 10 }, { "k", 10 }, { "KiB", 10 }, { "KB", 10 },
		{ "M", 20 }, { "MiB", 20 }, { "MB", 20 }, { "G", 30 }, { "GiB", 30 }, { "GB", 30 },
	};
	char *end;
	uint64_t n;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		return -1;
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		if (!strcmp(end, u[i].sfx)) {
			if (n > (UINT64_MAX >> u[i].shift))
				return -1;
			*v = n << u[i].shift;
			return 0;
		}
	}
	return -1;
}

/* ms: 500ms, 10s, 1.5s, 5m, 1h; a bare number is seconds */
static int parse_duration(const char *s, uint64_t *v)
{
	char *end;
	double d, mul;

	if ((*s < '0' || *s > '9') && *s != '.')
		return -1;
	d = strtod(s, &end);
	if (!strcmp(end, "ms"))
		mul = 1;
	else if (!strcmp(end, "s") || !*end)
		mul = 1000;
	else if (!strcmp(end, "m"))
		mul = 60000;
	else if (!strcmp(end, "h"))
		mul = 3600000;
	else
		return -1;
	d *= mul;
	if (!(d >= 0) || d > 1e15)
		return -1;
	*v = (uint64_t)(d + 0.5);
	return 0;
}

static int parse_bool(const char *s, uint64_t *v)
{
	static const char *const t[] = { "true", "True", "TRUE", "yes", "Yes", "on", "On" };
	static const char *const f[] = { "false", "False", "FALSE", "no", "No", "off", "Off" };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (!strcmp(s, t[i])) {
			*v = 1;
			return 0;
		}
		if (!strcmp(s, f[i])) {
			*v = 0;
			return 0;
		}
	}
	return -1;
}

/* The index of s in "a|b|c", or -1. */
static int enum_index(const char *choices, const char *s)
{
	int i = 0;

	for (const char *c = choices; c; i++) {
		const char *bar = strchr(c, '|');
		size_t n = bar ? (size_t)(bar - c) : strlen(c);

		if (strlen(s) == n && !memcmp(c, s, n))
			return i;
		c = bar ? bar + 1 : NULL;
	}
	return -1;
}

static const char *type_word(const struct rti_option *o)
{
	switch (o->type) {
	case RTI_OPT_BOOL: return "true or false";
	case RTI_OPT_UINT: return "a whole number";
	case RTI_OPT_SIZE: return "a size (4096, 64KiB, 4MiB, 1GiB)";
	case RTI_OPT_DURATION: return "a duration (500ms, 10s, 5m, 1h)";
	case RTI_OPT_MODE: return "an octal file mode (0600)";
	default: return "a string";
	}
}

/* One scalar text (already interpolated) into v. 0, or -EINVAL with why. */
int rti_cfg_scalar(const struct rti_option *o, const char *s, struct rti_cval *v, char *why,
			size_t wlen)
{
	int rc = 0;

	switch (o->type) {
	case RTI_OPT_BOOL:
		rc = parse_bool(s, &v->u);
		break;
	case RTI_OPT_UINT:
		rc = parse_uint(s, &v->u);
		break;
	case RTI_OPT_SIZE:
		rc = parse_size(s, &v->u);
		break;
	case RTI_OPT_DURATION:
		rc = parse_duration(s, &v->u);
		break;
	case RTI_OPT_MODE: {
		char *end;

		v->u = strtoull(s, &end, 8);
		rc = *s >= '0' && *s <= '7' && !*end ? 0 : -1;
		break;
	}
	case RTI_OPT_ENUM: {
		int i = enum_index(o->choices, s);

		if (i < 0) {
			snprintf(why, wlen, "'%s': expected one of %s", s, o->choices);
			return -EINVAL;
		}
		v->u = (uint64_t)i;
		return 0;
	}
	default:
		return 0;
	}
	if (rc) {
		snprintf(why, wlen, "'%s': expected %s", s, type_word(o));
		return -EINVAL;
	}
	if (o->type != RTI_OPT_BOOL && (v->u < o->min || (o->max && v->u > o->max))) {
		char lo[32], hi[32];

		rti_cfg_format_u(o->type, o->min, lo, sizeof(lo));
		rti_cfg_format_u(o->type, o->max, hi, sizeof(hi));
		snprintf(why, wlen, "'%s': out of range (%s to %s)", s, lo, hi);
		return -EINVAL;
	}
	return 0;
}

void rti_cfg_clear(struct rti_cval *v)
{
	free(v->s);
	for (unsigned i = 0; i < v->n; i++)
		free(v->list[i]);
	for (unsigned f = 0; f < v->nfilt; f++)
		for (int k = 0; k < 4; k++)
			for (unsigned i = 0; i < v->filt[f].n[k]; i++)
				free(v->filt[f].v[k][i]);
	free(v->filt);
	memset(v, 0, sizeof(*v));
}

/* A scalar node's text, interpolated, into *out (malloc'ed). */
static int node_text(struct cerr *e, const struct yt_node *n, const char *key, char **out)
{
	char why[300];

	if (n->kind != YT_SCALAR)
		return fail(e, n, key, "expected a single value, not a %s",
			    n->kind == YT_MAP ? "mapping" : "list");
	if (interpolate(n->s, out, why, sizeof(why)))
		return fail(e, n, key, "%s", why);
	return 0;
}

/* A list of strings (or one string) into list/n. */
static int string_list(struct cerr *e, const struct yt_node *n, const char *key, unsigned max,
		       char **list, unsigned *cnt)
{
	if (n->kind == YT_MAP)
		return fail(e, n, key, "expected a list of strings, not a mapping");
	if (n->kind == YT_SCALAR)
		return node_text(e, n, key, &list[(*cnt)++]);
	if (n->n > max)
		return fail(e, n, key, "more than %u items", max);
	for (size_t i = 0; i < n->n; i++) {
		int rc = node_text(e, n->kids[i], key, &list[*cnt]);

		if (rc)
			return rc;
		(*cnt)++;
	}
	return 0;
}

static const char *const filter_fields[4] = { "event_types", "namespaces", "pod_regex",
					       "binary_regex" };

/* One {event_types, namespaces, pod_regex, binary_regex} mapping. */
static int one_filter(struct cerr *e, const struct rti_option *o, const struct yt_node *n,
		      size_t idx, struct rti_cfilter *f)
{
	char key[160];

	if (n->kind != YT_MAP) {
		snprintf(key, sizeof(key), "%s[%zu]", o->key, idx);
		return fail(e, n, key, "expected a mapping {event_types, namespaces, pod_regex, binary_regex}");
	}
	for (size_t i = 0; i < n->n; i++) {
		int k = 0;
		int rc;

		while (k < 4 && strcmp(n->keys[i]->s, filter_fields[k]))
			k++;
		snprintf(key, sizeof(key), "%s[%zu].%s", o->key, idx, n->keys[i]->s);
		if (k == 4)
			return fail(e, n->keys[i], key, "unknown key (expected event_types, namespaces, pod_regex or binary_regex)");
		rc = string_list(e, n->kids[i], key, RTI_CONFIG_MAX_LIST, f->v[k], &f->n[k]);
		if (rc)
			return rc;
	}
	return 0;
}

static int filter_value(struct cerr *e, const struct rti_option *o, const struct yt_node *n,
			struct rti_cval *v)
{
	if (n->kind != YT_SEQ)
		return fail(e, n, o->key, "expected a list of filters ({event_types, namespaces, pod_regex, binary_regex})");
	if (n->n > o->max)
		return fail(e, n->kids[o->max], o->key, "more than %u filters",
			    (unsigned)o->max);
	if (!n->n)
		return 0;
	v->filt = calloc(n->n, sizeof(*v->filt));
	if (!v->filt)
		return -ENOMEM;
	v->nfilt = (unsigned)n->n;
	for (size_t i = 0; i < n->n; i++) {
		int rc = one_filter(e, o, n->kids[i], i, &v->filt[i]);

		if (rc)
			return rc;
	}
	return 0;
}

/* The value of option id from node n (NULL: the default). */
static int assign(struct rti_config *c, struct cerr *e, enum rti_opt_id id, const struct yt_node *n)
{
	const struct rti_option *o = &rti_options[id];
	struct rti_cval *v = &c->v[id];
	char why[300];
	int rc;

	rti_cfg_clear(v);
	v->node = n;
	v->set = n != NULL;
	if (n && o->flags & RTI_OPT_NOTYET)
		return fail(e, n, o->key, "not supported yet (a later release delivers to Stella Ops)");
	if (o->type == RTI_OPT_LIST)
		return n && !n->plain_null ? string_list(e, n, o->key, (unsigned)o->max, v->list, &v->n) : 0;
	if (o->type == RTI_OPT_FILTERS)
		return n && !n->plain_null ? filter_value(e, o, n, v) : 0;
	if (n && n->plain_null) {
		v->node = NULL; /* null: the default */
		n = NULL;
	}
	if (n) {
		rc = node_text(e, n, o->key, &v->s);
		if (rc)
			return rc;
	} else if (o->def) {
		v->s = strdup(o->def);
		if (!v->s)
			return -ENOMEM;
	}
	if (!v->s || o->type == RTI_OPT_STR)
		return 0;
	if (rti_cfg_scalar(o, v->s, v, why, sizeof(why)))
		return fail(e, n, o->key, "%s", why);
	return 0;
}

int rti_cfg_find(const char *key)
{
	for (int i = 0; i < O__COUNT; i++)
		if (!strcmp(rti_options[i].key, key))
			return i;
	return -1;
}

static bool is_section(const char *path)
{
	size_t n = strlen(path);

	for (int i = 0; i < O__COUNT; i++)
		if (!strncmp(rti_options[i].key, path, n) && rti_options[i].key[n] == '.')
			return true;
	return false;
}

/* The keys of mapping m under prefix. */
static int walk(struct rti_config *c, struct cerr *e, const struct yt_node *m, const char *prefix)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct yt_node *k = m->keys[i], *v = m->kids[i];
		char path[256];
		int id, rc;

		if (snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", k->s) >=
		    (int)sizeof(path))
			return fail(e, k, prefix, "key too long");
		id = rti_cfg_find(path);
		if (id >= 0)
			rc = assign(c, e, (enum rti_opt_id)id, v);
		else if (!is_section(path))
			rc = fail(e, k, path, "unknown key");
		else if (v->kind == YT_MAP)
			rc = walk(c, e, v, path);
		else if (v->plain_null)
			rc = 0;
		else
			rc = fail(e, v, path, "expected a mapping of keys");
		if (rc)
			return rc;
	}
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static bool is_yaml(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".yaml");
}

static int filter_yaml(const struct dirent *d)
{
	return is_yaml(d);
}

/* Reads one file into c->files[] and applies it. */
static int load_file(struct rti_config *c, struct cerr *e, const char *path)
{
	struct yt_tree *t;
	int rc;

	if (c->nfiles >= RTI_CONFIG_MAX_FILES) {
		snprintf(e->buf, e->len, "%s: more than %d configuration files", path,
			 RTI_CONFIG_MAX_FILES);
		return -EINVAL;
	}
	t = &c->files[c->nfiles];
	rc = yt_load(t, path, e->buf, e->len);
	if (rc) {
		yt_release(t);
		return rc;
	}
	c->nfiles++;
	return t->root ? walk(c, e, t->root, "") : 0;
}

/* config.d/ beside the main file, in byte order of the names. */
static int load_dropins(struct rti_config *c, struct cerr *e, const char *main_path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(main_path, '/');
	struct dirent **names = NULL;
	int n, rc = 0;

	if (slash)
		snprintf(dir, sizeof(dir), "%.*s/config.d", (int)(slash - main_path), main_path);
	else
		snprintf(dir, sizeof(dir), "config.d");
	n = scandir(dir, &names, filter_yaml, by_name);
	if (n < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX + 300];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (!rc)
			rc = load_file(c, e, path);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* Opens the privacy profile and loads the policies: the files it names. */
static int open_files(struct rti_config *c, struct cerr *e)
{
	const struct rti_cval *pv = &c->v[O_TG_POLICIES];
	const struct rti_cval *kv = &c->v[O_PRIV_KEY_FILE];
	struct rti_privacy_opts po = RTI_OPTS_INIT(rti_privacy_opts);
	char why[512];

	for (unsigned i = 0; i < pv->n; i++)
		if (rti_policy_set_load(&c->policies, pv->list[i], why, sizeof(why)))
			return fail(e, pv->node && pv->node->kind == YT_SEQ ? pv->node->kids[i] : pv->node,
				    "tetragon.policies", "%s", why);
	if (kv->s && access(kv->s, R_OK))
		return fail(e, kv->node, "privacy.key_file", "%s: %s", kv->s, strerror(errno));
	po.key_file = kv->s;
	po.allow_off = rti_cfg_u(c, O_PRIV_ALLOW_OFF) != 0;
	c->profile = rti_privacy_open(rti_cfg_str(c, O_PRIV_PROFILE), &po, why, sizeof(why));
	if (!c->profile)
		return fail(e, c->v[O_PRIV_PROFILE].node, "privacy.profile", "%s", why);
	/* parsed here, so that a broken map fails the reload, not the switch */
	if (rti_cfg_str(c, O_DL_SIGNALS_CALLGRAPH_MAP)) {
		c->cgmap = rti_callgraph_map_load(rti_cfg_str(c, O_DL_SIGNALS_CALLGRAPH_MAP), why,
						  sizeof(why));
		if (!c->cgmap)
			return fail(e, c->v[O_DL_SIGNALS_CALLGRAPH_MAP].node,
				    "delivery.signals.callgraph_map", "%s", why);
	}
	return 0;
}

/* The Tetragon address and filters, checked as the agent will use them. */
static int check_stream(struct rti_config *c, struct cerr *e)
{
	static const enum rti_opt_id ids[2] = { O_TG_ALLOW, O_TG_DENY };
	struct rti_grpc_addr addr;
	char why[300];

	if (rti_grpc_addr_parse(rti_cfg_str(c, O_TG_ADDRESS), &addr, why, sizeof(why)))
		return fail(e, c->v[O_TG_ADDRESS].node, "tetragon.address", "%s", why);
	for (int i = 0; i < 2; i++) {
		struct rti_grpc_filter f[RTI_CONFIG_MAX_FILTERS];
		unsigned n = rti_cfg_filters(c, ids[i], f);
		uint8_t *req = NULL;
		size_t len = 0;

		/* the only error: an event type name; on run's command line
		 * it came from --event-types or --deny-event-types */
		if (rti_grpc_events_request_lists(f, n, NULL, 0, &req, &len, why, sizeof(why)))
			return fail(e, c->v[ids[i]].node,
				    e->file ? rti_options[ids[i]].key
					    : i ? "--deny-event-types" : "--event-types",
				    "%s", why);
		free(req);
	}
	return 0;
}

static bool http_url(const char *u)
{
	return !strncmp(u, "http://", 7) || !strncmp(u, "https://", 8);
}

/* delivery.*: URLs, files, the pairs that go together. */
static int check_delivery(struct rti_config *c, struct cerr *e)
{
	static const enum rti_opt_id urls[] = { O_DL_EVENTS_URL, O_DL_SIGNALS_URL };

	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		const char *u = rti_cfg_str(c, urls[i]);

		if (u && (!http_url(u) || strpbrk(u, " \t\r\n")))
			return fail(e, c->v[urls[i]].node, rti_options[urls[i]].key,
				    "'%s': expected an http:// or https:// URL", u);
	}
	for (int id = O_DL_SPOOL_DIR; id < O__COUNT; id++) {
		const char *p = rti_cfg_str(c, (enum rti_opt_id)id);

		if ((rti_options[id].flags & RTI_OPT_FILE) && p && access(p, R_OK))
			return fail(e, c->v[id].node, rti_options[id].key, "%s: %s", p, strerror(errno));
	}
	if (rti_cfg_str(c, O_DL_HTTP_KEY_FILE) && !rti_cfg_str(c, O_DL_HTTP_CERT_FILE))
		return fail(e, c->v[O_DL_HTTP_KEY_FILE].node, "delivery.http.key_file",
			    "needs delivery.http.cert_file");
	if (rti_cfg_u(c, O_DL_HTTP_BACKOFF_MAX) < rti_cfg_u(c, O_DL_HTTP_BACKOFF_INITIAL))
		return fail(e, c->v[O_DL_HTTP_BACKOFF_MAX].node, "delivery.http.backoff_max",
			    "shorter than delivery.http.backoff_initial");
	if (rti_cfg_str(c, O_DL_SIGNALS_URL) && !rti_cfg_str(c, O_HOT_URL))
		return fail(e, c->v[O_DL_SIGNALS_URL].node, "delivery.signals.url",
			    "needs hot_index.url (the signals sink pushes the hot index's counts)");
	return 0;
}

static int finish(struct rti_config *c, struct cerr *e)
{
	const char *node = rti_cfg_str(c, O_NODE);
	const char *dd = c->v[O_SYM_DEBUG_DIRS].n ? c->v[O_SYM_DEBUG_DIRS].list[0] : NULL;

	if (node && !*node)
		return fail(e, c->v[O_NODE].node, "node", "empty");
	if (node)
		snprintf(c->node, sizeof(c->node), "%s", node);
	else if (gethostname(c->node, sizeof(c->node) - 1))
		snprintf(c->node, sizeof(c->node), "localhost");
	if (dd && !*dd)
		return fail(e, c->v[O_SYM_DEBUG_DIRS].node, "symbolize.debug_dirs", "empty path");
	if (rti_cfg_u(c, O_TG_BACKOFF_MAX) < rti_cfg_u(c, O_TG_BACKOFF_INITIAL))
		return fail(e, c->v[O_TG_BACKOFF_MAX].node, "tetragon.backoff_max",
			    "shorter than tetragon.backoff_initial");
	for (int id = 0; id < O__COUNT; id++) {
		const struct rti_cval *v = &c->v[id];

		if (rti_options[id].type == RTI_OPT_STR && v->set && v->s && !*v->s &&
		    id != O_METRICS_LISTEN)
			return fail(e, v->node, rti_options[id].key, "empty value");
	}
	if (check_stream(c, e) || check_delivery(c, e))
		return -EINVAL;
	return e->file ? open_files(c, e) : 0;
}

/* An error is one line: a key or value from the file may hold control
 * characters (a CR inside a plain scalar); they are shown as '?'. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

struct rti_config *rti_config_load(const char *path, char *err, size_t errlen)
{
	struct cerr e = { err, errlen, path };
	struct rti_config *c = rti_config_new(err, errlen);
	int rc;

	if (!c)
		return NULL;
	rc = load_file(c, &e, path);
	if (!rc) {
		rc = load_dropins(c, &e, path);
		if (rc && rc != -EINVAL)
			snprintf(err, errlen, "%s: config.d: %s", path, strerror(-rc));
	}
	if (!rc)
		rc = finish(c, &e);
	if (rc) {
		rti_config_free(c);
		if (errlen)
			one_line(err);
		errno = rc == -ENOMEM ? ENOMEM : rc == -ENOENT || rc == -EACCES ? -rc : EINVAL;
		return NULL;
	}
	return c;
}

void rti_config_free(struct rti_config *c)
{
	if (!c)
		return;
	for (int id = 0; id < O__COUNT; id++)
		rti_cfg_clear(&c->v[id]);
	for (unsigned i = 0; i < c->nfiles; i++)
		yt_release(&c->files[i]);
	rti_privacy_free(c->profile);
	rti_callgraph_map_free(c->cgmap);
	rti_policy_set_release(&c->policies);
	free(c);
}

const char *rti_config_file(const struct rti_config *c, unsigned i)
{
	return i < c->nfiles ? c->files[i].file : NULL;
}

unsigned rti_cfg_filters(const struct rti_config *c, enum rti_opt_id id,
			 struct rti_grpc_filter f[RTI_CONFIG_MAX_FILTERS])
{
	const struct rti_cval *v = &c->v[id];
	unsigned n = v->nfilt < RTI_CONFIG_MAX_FILTERS ? v->nfilt : RTI_CONFIG_MAX_FILTERS;

	for (unsigned i = 0; i < n; i++) {
		const struct rti_cfilter *cf = &v->filt[i];

		memset(&f[i], 0, sizeof(f[i]));
		f[i].event_types = (const char *const *)cf->v[0];
		f[i].n_event_types = cf->n[0];
		f[i].namespaces = (const char *const *)cf->v[1];
		f[i].n_namespaces = cf->n[1];
		f[i].pod_regex = (const char *const *)cf->v[2];
		f[i].n_pod_regex = cf->n[2];
		f[i].binary_regex = (const char *const *)cf->v[3];
		f[i].n_binary_regex = cf->n[3];
	}
	return n;
}

const char *rti_cfg_flag_of(const char *key)
{
	int id = rti_cfg_find(key);

	return id < 0 ? NULL : rti_options[id].flag;
}

struct rti_config *rti_config_new(char *err, size_t errlen)
{
	struct cerr e = { err, errlen, NULL };
	struct rti_config *c = calloc(1, sizeof(*c));
	int rc = 0;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	rti_policy_set_init(&c->policies);
	for (int id = 0; id < O__COUNT && !rc; id++)
		rc = assign(c, &e, (enum rti_opt_id)id, NULL);
	if (rc) {
		rti_config_free(c);
		errno = -rc;
		return NULL;
	}
	return c;
}

int rti_config_check(struct rti_config *c, char *err, size_t errlen)
{
	struct cerr e = { err, errlen, NULL };

	return finish(c, &e);
}
