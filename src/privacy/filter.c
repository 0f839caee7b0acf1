/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "privacy/filter.h"
#include "rti/cjson.h"
#include "util/hash.h"

/* rti_stats.secrets has room for every detector */
_Static_assert(RTI_SECRET__COUNT <= 8, "rti_stats.secrets[8] is too small");

#define MARK(run, f) ((run)->redacted |= (uint64_t)1 << (f))
#define MAX_SPANS 16

/* No "." or ".." component and no empty component: a prefix check must not
 * be fooled by /usr/../home/alice. */
static bool path_is_normal(const char *p)
{
	const char *s = p;

	while (*s) {
		const char *e;
		size_t n;

		if (*s != '/')
			return false;
		s++;
		e = strchr(s, '/');
		n = e ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		s += n;
	}
	return true;
}

/* The kernel's names of mappings without a file ([vdso], [anon:...]). */
static bool pseudo_mapping(const char *s)
{
	static const char *const names[] = {
		"[vdso]", "[vvar]", "[vsyscall]", "[heap]", "[stack]", "[kernel]", "[anon]",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return true;
	return !strncmp(s, "[anon:", 6) && !strchr(s, '/') && s[strlen(s) - 1] == ']';
}

static bool module_field(enum rti_field f)
{
	return f == RTI_FIELD_STACK_MODULE || f == RTI_FIELD_PROBE_MODULE;
}

bool rti_privacy_path_allowed(const struct rti_privacy *p, const char *path)
{
	if (!path_is_normal(path))
		return false;
	for (unsigned i = 0; i < p->n_prefixes; i++)
		if (!strncmp(path, p->prefixes[i], strlen(p->prefixes[i])))
			return true;
	return false;
}

static char *alloc_str(struct rti_privacy_run *run, size_t n)
{
	char *s = rti_arena_alloc(run->arena, n + 1);

	if (!s && !run->err)
		run->err = -ENOBUFS;
	return s;
}

/* The last component; NULL when there is none (e.g. "/"). */
static const char *base_name(const char *s)
{
	const char *b = strrchr(s, '/');

	b = b ? b + 1 : s;
	return *b ? b : NULL;
}

/* "hmac:" + the first 128 bits of HMAC-SHA256(key, value), in hex. */
static const char *hmac_token(struct rti_privacy_run *run, const char *s)
{
	unsigned char md[32];
	char *t = alloc_str(run, RTI_HMAC_TOKEN_LEN);

	if (!t)
		return NULL;
	if (rti_hmac_sha256(run->profile->key, run->profile->key_len, s, strlen(s), md)) {
		if (!run->err)
			run->err = -EIO;
		return NULL;
	}
	memcpy(t, "hmac:", 5);
	rti_hex(md, 16, t + 5);
	return t;
}

struct sbuild {
	char *p;
	size_t len, cap;
};

static int sb_add(struct rti_privacy_run *run, struct sbuild *b, const char *s, size_t n)
{
	if (n > ((size_t)1 << 30) || b->len > ((size_t)1 << 30)) {
		if (!run->err)
			run->err = -ENOBUFS;
		return -1;
	}
	if (!b->p || b->len + n > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 64) + n;
		char *np = alloc_str(run, cap);

		if (!np)
			return -1;
		if (b->len)
			memcpy(np, b->p, b->len);
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* Every match of the profile's pattern replaced by the mask. */
static const char *regex_redact(struct rti_privacy_run *run, const regex_t *re, const char *s)
{
	struct sbuild b = { NULL, 0, 0 };
	const char *cur = s;
	int eflags = 0;
	bool changed = false;
	regmatch_t m;

	for (;;) {
		int rc = *cur ? regexec(re, cur, 1, &m, eflags) : REG_NOMATCH;
		size_t so, eo;

		if (rc == REG_NOMATCH)
			break;
		if (rc) {
			/* REG_ESPACE and the like: nothing of the value goes out */
			return NULL;
		}
		so = (size_t)m.rm_so;
		eo = (size_t)m.rm_eo;
		if (eo <= so) {
			/* patterns that match the empty string are refused when the
			 * profile is read; stop rather than loop if one slips by */
			break;
		}
		changed = true;
		if (sb_add(run, &b, cur, so) || sb_add(run, &b, RTI_SECRET_MASK, sizeof(RTI_SECRET_MASK) - 1))
			return NULL;
		cur += eo;
		eflags = REG_NOTBOL;
	}
	if (!changed)
		return s;
	if (sb_add(run, &b, cur, strlen(cur)))
		return NULL;
	return b.p;
}

/* The scan for a string of field f: symbols are code identifiers
 * (rti_secret_scan_code), everything else is scanned in full. */
static size_t scan_field(enum rti_field f, const char *s, size_t n, struct rti_secret_span *sp)
{
	if (f == RTI_FIELD_STACK_SYMBOL || f == RTI_FIELD_PROBE_SYMBOL)
		return rti_secret_scan_code(s, n, sp, MAX_SPANS);
	return rti_secret_scan(s, n, sp, MAX_SPANS);
}

/* Known clean? Otherwise scan, and remember a clean short string. A symbol
 * and another field are cached apart: clean as code is not clean as text. */
static size_t scan_cached(struct rti_privacy_run *run, enum rti_field f, const char *s, size_t n,
			  struct rti_secret_span *sp)
{
	struct rti_clean_cache *c = run->clean;
	uint64_t h;
	size_t k;
	unsigned i;

	if (!c || n < 8 || n > RTI_CLEAN_MAXLEN)
		return scan_field(f, s, n, sp);
	{
		/* the slot from the length and the first and last 8 bytes: O(1);
		 * the full compare below makes a hit exact */
		uint64_t a8, z8;

		memcpy(&a8, s, 8);
		memcpy(&z8, s + n - 8, 8);
		h = (a8 * 0x9e3779b97f4a7c15ULL) ^ (z8 * 0xc2b2ae3d27d4eb4fULL) ^ n;
		h ^= h >> 31;
		if (f == RTI_FIELD_STACK_SYMBOL || f == RTI_FIELD_PROBE_SYMBOL)
			h ^= 0x5bd1e9955bd1e995ULL; /* another key for the same bytes */
	}
	i = (unsigned)(h ^ (h >> 17)) & (RTI_CLEAN_SETS - 1);
	for (unsigned w = 0; w < RTI_CLEAN_WAYS; w++) {
		if (c->slot[i][w].len == n && c->slot[i][w].hash == h &&
		    !memcmp(c->slot[i][w].s, s, n)) {
			c->hits++;
			return 0;
		}
	}
	c->misses++;
	k = scan_field(f, s, n, sp);
	if (!k) {
		unsigned w = c->next[i];

		c->next[i] = (uint8_t)((w + 1) % RTI_CLEAN_WAYS);
		c->slot[i][w].hash = h;
		c->slot[i][w].len = (uint32_t)n;
		memcpy(c->slot[i][w].s, s, n);
	}
	return k;
}

/* Secret detection: the string with every secret replaced by the mask. */
static const char *scan_for_secrets(struct rti_privacy_run *run, enum rti_field f,
				    const char *s)
{
	struct rti_secret_span sp[MAX_SPANS];
	struct sbuild b = { NULL, 0, 0 };
	size_t n = strlen(s);
	size_t k = scan_cached(run, f, s, n, sp);
	size_t at = 0;

	if (!k)
		return s;
	MARK(run, f);
	if (k > MAX_SPANS) {
		/* too many to splice: nothing of it is worth the risk */
		run->secrets[(unsigned)sp[0].kind < RTI_SECRET__COUNT ? sp[0].kind
								      : RTI_SECRET_ENTROPY] += k;
		return RTI_SECRET_MASK;
	}
	for (size_t i = 0; i < k; i++) {
		/* the detector promises sorted, disjoint spans inside s: do not
		 * bet the output on it */
		if (sp[i].off < at || sp[i].off > n || sp[i].len > n - sp[i].off ||
		    (unsigned)sp[i].kind >= RTI_SECRET__COUNT) {
			run->secrets[RTI_SECRET_ENTROPY]++;
			return RTI_SECRET_MASK;
		}
		run->secrets[sp[i].kind]++;
		if (sb_add(run, &b, s + at, sp[i].off - at) ||
		    sb_add(run, &b, RTI_SECRET_MASK, sizeof(RTI_SECRET_MASK) - 1))
			return NULL;
		at = sp[i].off + sp[i].len;
	}
	if (sb_add(run, &b, s + at, n - at))
		return NULL;
	return b.p;
}

/* An action on a value (not the path rule); NULL = dropped. */
static const char *act(struct rti_privacy_run *run, const struct rti_field_rule *r,
		       enum rti_privacy_action a, const char *s)
{
	switch (a) {
	case RTI_ACTION_KEEP:
		return s;
	case RTI_ACTION_HASH:
		return hmac_token(run, s);
	case RTI_ACTION_BASENAME:
		return base_name(s);
	case RTI_ACTION_REDACT:
		return regex_redact(run, &r->re, s);
	default:
		return NULL;
	}
}

const char *rti_privacy_filter_field(struct rti_privacy_run *run, enum rti_field f,
				     const char *s)
{
	const struct rti_field_rule *r = &run->profile->rules[f];
	enum rti_field_kind k = rti_privacy_field_kind(f);
	enum rti_privacy_action a = r->action;
	const char *o;

	if (!s || !*s)
		return NULL;
	if (run->profile->off)
		return k == RTI_FIELD_KIND_WITHHELD ? NULL : s;
	if (k == RTI_FIELD_KIND_WITHHELD) {
		MARK(run, f);
		return NULL;
	}
	if (k == RTI_FIELD_KIND_SCANNED)
		a = RTI_ACTION_KEEP;
	if (k == RTI_FIELD_KIND_PATH && a == RTI_ACTION_KEEP &&
	    !rti_privacy_path_allowed(run->profile, s) && !(module_field(f) && pseudo_mapping(s)))
		a = r->otherwise;
	o = act(run, r, a, s);
	if (o != s)
		MARK(run, f);
	if (!o || a == RTI_ACTION_HASH)
		return o; /* an HMAC token is ours: nothing to detect */
	return scan_for_secrets(run, f, o);
}

/* ---- maps: labels, annotations, environment ---- */

/* RFC 8785 orders members by UTF-16 code units; ties keep input order so
 * that the last of duplicate keys wins, as in a map. */
struct kv_ord {
	struct rti_kv kv;
	unsigned pos;
};

static int kv_cmp(const void *a, const void *b)
{
	const struct kv_ord *x = a, *y = b;
	int c = rti_cjson_keycmp(x->kv.key, strlen(x->kv.key), y->kv.key, strlen(y->kv.key));

	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void map(struct rti_privacy_run *run, enum rti_field f, const struct rti_kv *in, unsigned n,
		const struct rti_kv **out, unsigned *nout)
{
	const struct rti_field_rule *r = &run->profile->rules[f];
	struct kv_ord *o;
	struct rti_kv *res;
	unsigned k = 0, m = 0;

	*out = NULL;
	*nout = 0;
	if (!n)
		return;
	if (!run->profile->off && r->action == RTI_ACTION_DROP) {
		MARK(run, f);
		return;
	}
	o = rti_arena_alloc(run->arena, sizeof(*o) * n);
	res = rti_arena_alloc(run->arena, sizeof(*res) * n);
	if (!o || !res) {
		run->err = -ENOBUFS;
		return;
	}
	/* the map as the input meant it first: sorted, the last of duplicate
	 * keys winning; then the rules on what is left */
	for (unsigned i = 0; i < n; i++) {
		if (!*in[i].key)
			continue;
		o[k].kv = in[i];
		o[k].pos = i;
		k++;
	}
	qsort(o, k, sizeof(*o), kv_cmp);
	for (unsigned i = 0; i < k; i++) {
		const char *key = o[i].kv.key;
		const char *val = o[i].kv.value;

		if (i + 1 < k && !strcmp(key, o[i + 1].kv.key))
			continue; /* a later duplicate wins */
		if (!*val)
			continue; /* absent values are omitted, not withheld */
		if (!run->profile->off) {
			if (!rti_field_rule_allows(r, key) || rti_secret_scan(key, strlen(key), NULL, 0)) {
				MARK(run, f);
				continue;
			}
			if (rti_secret_key_name(key, strlen(key)) && r->action != RTI_ACTION_HASH) {
				/* the key says what the value is */
				run->secrets[RTI_SECRET_PAIR]++;
				MARK(run, f);
				val = RTI_SECRET_MASK;
			} else {
				const char *t = act(run, r, r->action, val);

				if (t != val)
					MARK(run, f);
				if (t && r->action != RTI_ACTION_HASH)
					t = scan_for_secrets(run, f, t);
				if (!t || !*t)
					continue;
				val = t;
			}
		}
		res[m].key = key;
		res[m].value = val;
		m++;
	}
	if (run->err || !m)
		return;
	*out = res;
	*nout = m;
}

/* ---- typed probe arguments ---- */

static unsigned arg_bit(enum rti_arg_type t)
{
	switch (t) {
	case RTI_ARG_INT:
		return RTI_KEEP_ARG_INT;
	case RTI_ARG_SOCK:
		return RTI_KEEP_ARG_SOCK;
	case RTI_ARG_FILE:
		return RTI_KEEP_ARG_FILE;
	case RTI_ARG_STRING:
		return RTI_KEEP_ARG_STRING;
	default:
		return 0;
	}
}

static const char *arg_text(struct rti_privacy_run *run, const struct rti_field_rule *r,
			    const struct rti_arg *a)
{
	enum rti_privacy_action act_ = r->action;
	const char *o;

	if (a->type == RTI_ARG_FILE && act_ == RTI_ACTION_KEEP &&
	    !rti_privacy_path_allowed(run->profile, a->text))
		act_ = r->otherwise;
	o = act(run, r, act_, a->text);
	if (o != a->text)
		MARK(run, RTI_FIELD_PROBE_ARGS);
	if (!o || act_ == RTI_ACTION_HASH)
		return o;
	return scan_for_secrets(run, RTI_FIELD_PROBE_ARGS, o);
}

static void args(struct rti_privacy_run *run, const struct rti_event *in, struct rti_event *out)
{
	const struct rti_field_rule *r = &run->profile->rules[RTI_FIELD_PROBE_ARGS];
	struct rti_arg *o;
	unsigned kept = 0;

	out->args = NULL;
	out->n_args = 0;
	if (!in->n_args)
		return;
	if (!run->profile->off && r->action == RTI_ACTION_DROP) {
		MARK(run, RTI_FIELD_PROBE_ARGS);
		return;
	}
	o = rti_arena_alloc(run->arena, sizeof(*o) * in->n_args);
	if (!o) {
		run->err = -ENOBUFS;
		return;
	}
	for (unsigned i = 0; i < in->n_args; i++) {
		const struct rti_arg *a = &in->args[i];
		unsigned bit = arg_bit(a->type);

		memset(&o[i], 0, sizeof(o[i]));
		o[i].type = RTI_ARG_WITHHELD;
		if (!bit || !(run->profile->off || (r->arg_types & bit))) {
			MARK(run, RTI_FIELD_PROBE_ARGS);
			continue;
		}
		o[i] = *a;
		o[i].type_name = NULL; /* the input's spelling: not needed after this */
		if (a->type == RTI_ARG_INT || a->type == RTI_ARG_SOCK)
			o[i].text = NULL;
		if (run->profile->off) {
			kept++;
			continue;
		}
		if (a->type == RTI_ARG_SOCK) {
			o[i].family = rti_privacy_filter_field(run, RTI_FIELD_PROBE_ARGS, a->family);
			o[i].sock_type = rti_privacy_filter_field(run, RTI_FIELD_PROBE_ARGS, a->sock_type);
			o[i].protocol = rti_privacy_filter_field(run, RTI_FIELD_PROBE_ARGS, a->protocol);
		} else if (a->type == RTI_ARG_FILE || a->type == RTI_ARG_STRING) {
			o[i].text = a->text ? arg_text(run, r, a) : NULL;
			if (!o[i].text) {
				if (a->text)
					MARK(run, RTI_FIELD_PROBE_ARGS);
				o[i].type = RTI_ARG_WITHHELD;
				continue;
			}
		}
		kept++;
	}
	if (kept) {
		out->args = o;
		out->n_args = in->n_args;
	}
}

/* ---- the event ---- */

static void process(struct rti_privacy_run *run, const struct rti_process *in,
		    struct rti_process *o, bool parent)
{
#define F(proc, par) (parent ? RTI_FIELD_##par : RTI_FIELD_##proc)
	/* allowlist by construction: o starts empty (the caller zeroed it),
	 * and only what is set here exists in the copy */
	if (!in->present)
		return;
	o->present = true;
	o->pid = in->pid;
	o->tid = in->tid;
	o->uid = in->uid;
	o->auid = in->auid;
	o->has_pid = in->has_pid;
	o->has_tid = in->has_tid;
	o->has_uid = in->has_uid;
	o->has_auid = in->has_auid;
	o->start_time = in->start_time;
	o->binary = rti_privacy_filter_field(run, F(PROCESS_BINARY, PARENT_BINARY), in->binary);
	o->cwd = rti_privacy_filter_field(run, F(PROCESS_CWD, PARENT_CWD), in->cwd);
	o->arguments = rti_privacy_filter_field(run, F(PROCESS_ARGUMENTS, PARENT_ARGUMENTS),
						in->arguments);
	o->user_name = rti_privacy_filter_field(run, F(PROCESS_USER, PARENT_USER), in->user_name);
	o->exec_id = rti_privacy_filter_field(run, F(PROCESS_EXEC_ID, PARENT_EXEC_ID), in->exec_id);
	o->parent_exec_id = parent ? NULL
				   : rti_privacy_filter_field(run, RTI_FIELD_PROCESS_PARENT_EXEC_ID,
							      in->parent_exec_id);
	map(run, F(PROCESS_ENVIRONMENT, PARENT_ENVIRONMENT), in->env, in->n_env, &o->env, &o->n_env);
	if (in->has_caps)
		MARK(run, F(PROCESS_CAPABILITIES, PARENT_CAPABILITIES));
	if (in->has_credentials)
		MARK(run, F(PROCESS_CREDENTIALS, PARENT_CREDENTIALS));
#undef F
	if (parent) {
		/* only {exec_id, binary} of the parent is emitted; its pod is
		 * the child's, but its labels still count as withheld */
		if (in->pod.n_labels)
			MARK(run, RTI_FIELD_POD_LABELS);
		if (in->pod.n_annotations)
			MARK(run, RTI_FIELD_POD_ANNOTATIONS);
		return;
	}
	if (!in->has_pod)
		return;
	o->has_pod = true;
	o->pod.namespace_ = rti_privacy_filter_field(run, RTI_FIELD_POD_NAMESPACE, in->pod.namespace_);
	o->pod.name = rti_privacy_filter_field(run, RTI_FIELD_POD_NAME, in->pod.name);
	o->pod.workload = rti_privacy_filter_field(run, RTI_FIELD_POD_WORKLOAD, in->pod.workload);
	o->pod.workload_kind = rti_privacy_filter_field(run, RTI_FIELD_POD_WORKLOAD_KIND,
							in->pod.workload_kind);
	o->pod.container_id = rti_privacy_filter_field(run, RTI_FIELD_CONTAINER_ID, in->pod.container_id);
	o->pod.container_name = rti_privacy_filter_field(run, RTI_FIELD_CONTAINER_NAME,
							 in->pod.container_name);
	o->pod.image_name = rti_privacy_filter_field(run, RTI_FIELD_IMAGE_NAME, in->pod.image_name);
	o->pod.image_id = NULL; /* only its validated digest is emitted */
	map(run, RTI_FIELD_POD_LABELS, in->pod.labels, in->pod.n_labels, &o->pod.labels,
	    &o->pod.n_labels);
	map(run, RTI_FIELD_POD_ANNOTATIONS, in->pod.annotations, in->pod.n_annotations,
	    &o->pod.annotations, &o->pod.n_annotations);
}

/* The scalars every filtered copy carries, and a fresh run. */
static void copy_scalars(struct rti_privacy_run *run, const struct rti_event *in,
			 struct rti_event *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = in->kind;
	out->time = in->time;
	out->offset = in->offset;
	out->has_offset = in->has_offset;
	out->has_return = in->has_return;
	out->exit_status = in->exit_status;
	out->exit_time = in->exit_time;
	out->dropped_events = in->dropped_events;
	run->err = 0;
	run->redacted = 0;
}

int rti_privacy_filter_event(struct rti_privacy_run *run, const struct rti_event *in,
			     struct rti_event *out)
{
	/* The copy starts empty and gets only what the canonical event and
	 * the sinks need, each string through its rule: a field added to
	 * struct rti_event later cannot leak by default. */
	copy_scalars(run, in, out);
	process(run, &in->process, &out->process, false);
	process(run, &in->parent, &out->parent, true);
	out->cluster_name = rti_privacy_filter_field(run, RTI_FIELD_CLUSTER, in->cluster_name);
	out->node_name = rti_privacy_filter_field(run, RTI_FIELD_NODE, in->node_name);
	out->policy_name = rti_privacy_filter_field(run, RTI_FIELD_POLICY, in->policy_name);
	out->function = rti_privacy_filter_field(run, RTI_FIELD_PROBE_SYMBOL, in->function);
	out->action = rti_privacy_filter_field(run, RTI_FIELD_PROBE_ACTION, in->action);
	out->subsys = rti_privacy_filter_field(run, RTI_FIELD_PROBE_SUBSYSTEM, in->subsys);
	out->tp_event = rti_privacy_filter_field(run, RTI_FIELD_PROBE_EVENT, in->tp_event);
	out->provider = rti_privacy_filter_field(run, RTI_FIELD_PROBE_PROVIDER, in->provider);
	out->usdt_name = rti_privacy_filter_field(run, RTI_FIELD_PROBE_NAME, in->usdt_name);
	out->exit_signal = rti_privacy_filter_field(run, RTI_FIELD_EXIT_SIGNAL, in->exit_signal);
	out->path = NULL;
	if (in->kind == RTI_KIND_UPROBE || in->kind == RTI_KIND_USDT)
		out->path = rti_privacy_filter_field(run, RTI_FIELD_PROBE_MODULE, in->path);
	if (in->n_ancestors)
		MARK(run, RTI_FIELD_ANCESTORS);
	if (in->n_node_labels)
		MARK(run, RTI_FIELD_NODE_LABELS);
	args(run, in, out);
	if (in->has_return)
		MARK(run, RTI_FIELD_PROBE_RETURN);
	if (in->n_data)
		MARK(run, RTI_FIELD_PROBE_DATA);
	return run->err;
}

int rti_privacy_filter_index_fields(struct rti_privacy_run *run, const struct rti_event *in,
				    struct rti_event *out)
{
	copy_scalars(run, in, out);
	out->node_name = rti_privacy_filter_field(run, RTI_FIELD_NODE, in->node_name);
	out->function = rti_privacy_filter_field(run, RTI_FIELD_PROBE_SYMBOL, in->function);
	if (in->kind == RTI_KIND_UPROBE || in->kind == RTI_KIND_USDT)
		out->path = rti_privacy_filter_field(run, RTI_FIELD_PROBE_MODULE, in->path);
	return run->err;
}

const char *rti_privacy_scan(struct rti_privacy_run *run, enum rti_field f, const char *s)
{
	if (run->profile->off || !s)
		return s;
	return scan_for_secrets(run, f, s);
}
