/* SPDX-License-Identifier: Apache-2.0 */
#define JSMN_PARENT_LINKS
#define JSMN_STRICT
#define JSMN_STATIC
#include <jsmn.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetragon/jstr.h"
#include "tetragon/json_decode.h"
#include "util/swar.h"
#include "util/opts.h"
#include "util/base64.h"
#include "util/timefmt.h"

#define INITIAL_TOKENS 1024

struct rti_json_decoder {
	jsmntok_t *tok;
	unsigned cap;
	unsigned max;
	char *scratch; /* decoded strings, when they are validated */
	size_t scratch_cap;
	bool skim;     /* rti_json_decoder_skim() */
};

/* rti_json_tokens() hands out jsmn's tokens as they are */
_Static_assert(sizeof(struct rti_json_token) == sizeof(jsmntok_t), "token size");
_Static_assert(offsetof(struct rti_json_token, start) == offsetof(jsmntok_t, start), "start");
_Static_assert(offsetof(struct rti_json_token, end) == offsetof(jsmntok_t, end), "end");
_Static_assert(offsetof(struct rti_json_token, size) == offsetof(jsmntok_t, size), "size");
_Static_assert(offsetof(struct rti_json_token, parent) == offsetof(jsmntok_t, parent), "parent");
_Static_assert(RTI_JSON_OBJECT == (int)JSMN_OBJECT && RTI_JSON_ARRAY == (int)JSMN_ARRAY &&
	       RTI_JSON_STRING == (int)JSMN_STRING && RTI_JSON_PRIMITIVE == (int)JSMN_PRIMITIVE,
	       "token types");

/* Decoding context of one record. */
struct dctx {
	const char *js;
	jsmntok_t *t;
	int nt;
	struct rti_arena *a;
	struct rti_decode_error *err;
	bool skim; /* validate the maps nobody reads, keep nothing of them */
	/* The field path, kept as segments and only formatted when a record
	 * is rejected: formatting it for every key visited cost ~10% of the
	 * decode time. */
	struct {
		const char *s; /* key text as in the input; NULL for an index */
		int n;         /* key length, or the array index */
	} seg[24];
	int depth;
};

struct rti_json_decoder *rti_json_decoder_new(unsigned max_tokens)
{
	struct rti_json_decoder *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->max = max_tokens ? max_tokens : (1u << 20);
	d->cap = INITIAL_TOKENS < d->max ? INITIAL_TOKENS : d->max;
	d->tok = malloc(sizeof(*d->tok) * d->cap);
	if (!d->tok) {
		free(d);
		return NULL;
	}
	return d;
}

void rti_json_decoder_skim(struct rti_json_decoder *d, bool on)
{
	d->skim = on;
}

void rti_json_decoder_free(struct rti_json_decoder *d)
{
	if (!d)
		return;
	free(d->tok);
	free(d->scratch);
	free(d);
}

/* ---- parse and validate ---- */

static int problem(struct rti_json_error *err, enum rti_json_problem pr, size_t off)
{
	err->problem = pr;
	err->offset = off;
	return -1;
}

/* Deeper than max: the offset of the bracket that goes too deep. */
static bool too_deep(const char *js, size_t n, unsigned max, size_t *at)
{
	unsigned depth = 0;
	bool str = false;

	for (size_t i = 0; i < n; i++) {
		char ch = js[i];

		if (str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				str = false;
		} else if (ch == '"') {
			str = true;
		} else if (ch == '{' || ch == '[') {
			if (++depth > max) {
				*at = i;
				return true;
			}
		} else if ((ch == '}' || ch == ']') && depth) {
			depth--;
		}
	}
	return false;
}

/* jsmn over js, growing the token array up to its cap: the token count,
 * or -1 with err set. */
static int parse_tokens(struct rti_json_decoder *d, const char *js, size_t len,
			struct rti_json_error *err)
{
	jsmn_parser p;
	int n;

	jsmn_init(&p);
	for (;;) {
		unsigned ncap;
		jsmntok_t *nt;

		n = jsmn_parse(&p, js, len, d->tok, d->cap);
		if (n != JSMN_ERROR_NOMEM)
			break;
		if (d->cap >= d->max)
			return problem(err, RTI_JSON_TOO_MANY_TOKENS, p.pos);
		ncap = d->cap * 2 > d->max ? d->max : d->cap * 2;
		nt = realloc(d->tok, sizeof(*nt) * ncap);
		if (!nt)
			return problem(err, RTI_JSON_NO_MEMORY, p.pos);
		d->tok = nt;
		d->cap = ncap;
	}
	if (n < 0)
		return problem(err, n == JSMN_ERROR_PART ? RTI_JSON_TRUNCATED : RTI_JSON_SYNTAX, p.pos);
	if (n == 0)
		return problem(err, RTI_JSON_EMPTY, len);
	if (d->tok[0].end < 0 || p.toksuper != -1)
		return problem(err, RTI_JSON_TRUNCATED, len);
	return n;
}

/* What jsmn lets through: data after the value, and (even strict) a key
 * without value, a value after a value, children of primitives. Decoders
 * rely on every object member being a key with exactly one value. */
static int check_shape(const jsmntok_t *t, int n, const char *js, size_t len,
		       struct rti_json_error *err)
{
	for (size_t x = (size_t)t[0].end; x < len; x++) {
		char ch = js[x];

		if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n')
			return problem(err, RTI_JSON_TRAILING, x);
	}
	for (int x = 1; x < n; x++) {
		int par = t[x].parent;
		jsmntype_t pt = par >= 0 ? t[par].type : JSMN_UNDEFINED;

		if (par < 0 || pt == JSMN_PRIMITIVE ||
		    (pt == JSMN_OBJECT && (t[x].type != JSMN_STRING || t[x].size != 1)) ||
		    (pt == JSMN_STRING && t[par].size != 1))
			return problem(err, RTI_JSON_MEMBER, (size_t)t[x].start);
	}
	return 0;
}

/* jsmn does not look inside strings: decode each one to validate it. */
static int check_strings(struct rti_json_decoder *d, const char *js, int n,
			 struct rti_json_error *err)
{
	for (int x = 0; x < n; x++) {
		const jsmntok_t *t = &d->tok[x];
		size_t len = (size_t)(t->end - t->start);
		size_t off;

		if (t->type != JSMN_STRING)
			continue;
		if (len + 1 > d->scratch_cap) {
			char *ns = realloc(d->scratch, len + 1);

			if (!ns)
				return problem(err, RTI_JSON_NO_MEMORY, (size_t)t->start);
			d->scratch = ns;
			d->scratch_cap = len + 1;
		}
		if (rti_jstr_decode(js + t->start, len, d->scratch, &err->why, &off) < 0)
			return problem(err, RTI_JSON_BAD_STRING, (size_t)t->start + off);
	}
	return 0;
}

int rti_json_check(struct rti_json_decoder *d, const char *js, size_t len,
		   const struct rti_json_check_opts *o, struct rti_json_error *err)
{
	unsigned max_depth = RTI_OPTS_GET(o, max_depth, 0);
	size_t at;
	int n;

	err->problem = RTI_JSON_VALID;
	err->offset = 0;
	err->why = NULL;
	if (len > INT_MAX)
		return problem(err, RTI_JSON_TOO_LONG, 0);
	if (max_depth && too_deep(js, len, max_depth, &at))
		return problem(err, RTI_JSON_TOO_DEEP, at);
	n = parse_tokens(d, js, len, err);
	if (n < 0 || check_shape(d->tok, n, js, len, err))
		return -1;
	if (RTI_OPTS_GET(o, strings, false) && check_strings(d, js, n, err))
		return -1;
	return n;
}

const struct rti_json_token *rti_json_tokens(const struct rti_json_decoder *d)
{
	return (const struct rti_json_token *)(const void *)d->tok;
}

long rti_json_unescape(const char *s, size_t n, char *out, const char **why, size_t *err_off)
{
	return rti_jstr_decode(s, n, out, why, err_off);
}

/* ---- errors and field paths ---- */

/* fmt is one of our literals with at most one %s. */
/* Formats the field path ("process_kprobe.user_stack_trace[0].offset"). */
static void format_path(const struct dctx *c, char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	for (int i = 0; i < c->depth && i < (int)(sizeof(c->seg) / sizeof(c->seg[0])); i++) {
		int n;

		if (o >= len - 1)
			break;
		if (c->seg[i].s)
			n = snprintf(out + o, len - o, "%s%.*s", o ? "." : "",
				     c->seg[i].n > 64 ? 64 : c->seg[i].n, c->seg[i].s);
		else
			n = snprintf(out + o, len - o, "[%d]", c->seg[i].n);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* fmt is one of our literals with at most one %s. */
static int fail(struct dctx *c, int ti, const char *fmt, const char *arg)
{
	char reason[180];
	char path[120];
	const char *pct = strstr(fmt, "%s");

	if (pct)
		snprintf(reason, sizeof(reason), "%.*s%s%s", (int)(pct - fmt), fmt,
			 arg ? arg : "", pct + 2);
	else
		snprintf(reason, sizeof(reason), "%s", fmt);
	format_path(c, path, sizeof(path));
	if (path[0])
		snprintf(c->err->msg, sizeof(c->err->msg), "%s: %s", path, reason);
	else
		snprintf(c->err->msg, sizeof(c->err->msg), "%s", reason);
	c->err->offset = ti >= 0 && ti < c->nt ? (size_t)c->t[ti].start : 0;
	return -1;
}

static int path_push_seg(struct dctx *c, const char *s, int n)
{
	int old = c->depth;

	if (c->depth < (int)(sizeof(c->seg) / sizeof(c->seg[0]))) {
		c->seg[c->depth].s = s;
		c->seg[c->depth].n = n;
	}
	c->depth++;
	return old;
}

/* the key token's text, as written in the input */
#define path_push_key(c, tok) \
	path_push_seg((c), (c)->js + (c)->t[tok].start, (c)->t[tok].end - (c)->t[tok].start)
#define path_push_index(c, x) path_push_seg((c), NULL, (x))

static void path_pop(struct dctx *c, int old)
{
	c->depth = old;
}

/* ---- token helpers ---- */

/* Index of the token after the whole subtree rooted at i. */
static int skip(const struct dctx *c, int i)
{
	int end = c->t[i].end;
	int j = i + 1;

	while (j < c->nt && c->t[j].start < end)
		j++;
	return j;
}

static int is_null(const struct dctx *c, int i)
{
	return c->t[i].type == JSMN_PRIMITIVE && c->js[c->t[i].start] == 'n';
}

/*
 * Keys are matched after folding: '_' dropped, ASCII lowercased. protojson
 * writes proto names (exec_id), but accepts and other tools write
 * lowerCamelCase (execId); Tetragon has a few CamelCase names (Key, Value).
 */
#define KEYMAX 40
static size_t fold_key(const struct dctx *c, int i, char *out)
{
	const char *s = c->js + c->t[i].start;
	size_t n = (size_t)(c->t[i].end - c->t[i].start);
	size_t o = 0;

	for (size_t k = 0; k < n && o < KEYMAX - 1; k++) {
		char ch = s[k];

		if (ch == '_')
			continue;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch + 32);
		out[o++] = ch;
	}
	if (n >= KEYMAX * 2)
		o = 0; /* absurdly long: matches nothing */
	out[o] = '\0';
	return o;
}

/* k is a folded key of length kn; lit a string literal. Comparing lengths
 * first makes the chains of member names cheap. */
#define KEYN(k, kn, lit) \
	((kn) == sizeof("" lit) - 1 && memcmp((k), "" lit, sizeof("" lit) - 1) == 0) /* literals only */
#define KEY(k, lit) (strcmp((k), (lit)) == 0)

/* A string token's length and an arena buffer for its decoded bytes: 0,
 * 1 when the token is null, -1 on error (reported). */
static int str_token(struct dctx *c, int i, size_t *n, char **buf)
{
	if (is_null(c, i))
		return 1;
	if (c->t[i].type != JSMN_STRING)
		return fail(c, i, "expected a string", NULL);
	*n = (size_t)(c->t[i].end - c->t[i].start);
	*buf = rti_arena_alloc(c->a, *n + 1);
	if (!*buf)
		return fail(c, i, "string too large for the event arena", NULL);
	return 0;
}

/* rti_jstr_decode of token i into buf; a bad escape or UTF-8 reported at
 * its byte offset. The decoded length, or -1. */
static long decode_at(struct dctx *c, int i, size_t n, char *buf)
{
	const char *why;
	size_t off;
	long dl = rti_jstr_decode(c->js + c->t[i].start, n, buf, &why, &off);

	if (dl < 0) {
		fail(c, i, "%s", why);
		c->err->offset = (size_t)c->t[i].start + off;
	}
	return dl;
}

static int get_str(struct dctx *c, int i, const char **out)
{
	size_t n;
	char *buf;
	long dl;
	int rc;

	*out = NULL;
	rc = str_token(c, i, &n, &buf);
	if (rc)
		return rc < 0 ? -1 : 0;
	dl = decode_at(c, i, n, buf);
	if (dl < 0)
		return -1;
	*out = dl ? buf : NULL;
	return 0;
}

/*
 * get_str() for a value nobody reads (skim): the same checks, the same
 * error and the same arena use, so an event is accepted or rejected
 * exactly as when the value is kept; only the copy is skipped when the
 * string is plain ASCII without escapes (it would be copied as it is).
 */
static int check_str(struct dctx *c, int i)
{
	const unsigned char *u = (const unsigned char *)c->js + c->t[i].start;
	size_t n, j = 0;
	char *buf;
	int rc = str_token(c, i, &n, &buf);

	if (rc)
		return rc < 0 ? -1 : 0;
	for (;;) { /* '"' only occurs escaped: as in rti_jstr_decode */
		j += rti_swar_plain_run(u + j, n - j);
		if (j < n && u[j] == '"')
			j++;
		else
			break;
	}
	if (j == n)
		return 0;
	return decode_at(c, i, n, buf) < 0 ? -1 : 0;
}

/* Parses a decimal integer token: a JSON number, or a string holding one
 * (protojson writes 64-bit integers as strings and accepts both). */
static int get_int(struct dctx *c, int i, int64_t min, uint64_t max, int64_t *sv,
		   uint64_t *uv, const char *what)
{
	const char *s = c->js + c->t[i].start;
	size_t n = (size_t)(c->t[i].end - c->t[i].start);
	uint64_t v = 0;
	int neg = 0;
	size_t k = 0;

	if (c->t[i].type != JSMN_PRIMITIVE && c->t[i].type != JSMN_STRING)
		return fail(c, i, "expected %s", what);
	if (n && s[0] == '-') {
		neg = 1;
		k = 1;
	}
	if (k == n)
		return fail(c, i, "expected %s", what);
	for (; k < n; k++) {
		unsigned dgt;

		if (s[k] < '0' || s[k] > '9')
			return fail(c, i, "expected %s", what);
		dgt = (unsigned)(s[k] - '0');
		if (v > (UINT64_MAX - dgt) / 10)
			return fail(c, i, "%s out of range", what);
		v = v * 10 + dgt;
	}
	if (neg) {
		if (min >= 0 || v > (uint64_t)INT64_MAX + 1 || (int64_t)(0 - v) < min)
			return fail(c, i, "%s out of range", what);
		if (sv)
			*sv = (int64_t)(0 - v);
		if (uv)
			*uv = 0;
		return 0;
	}
	if (v > max)
		return fail(c, i, "%s out of range", what);
	if (sv)
		*sv = (int64_t)v;
	if (uv)
		*uv = v;
	return 0;
}

static int get_u32(struct dctx *c, int i, uint32_t *v)
{
	uint64_t u;

	if (get_int(c, i, 0, UINT32_MAX, NULL, &u, "an unsigned 32-bit integer"))
		return -1;
	*v = (uint32_t)u;
	return 0;
}

static int get_u64(struct dctx *c, int i, uint64_t *v)
{
	return get_int(c, i, 0, UINT64_MAX, NULL, v, "an unsigned 64-bit integer");
}

/* Wrapper types (UInt32Value) print as a bare number in protojson; accept
 * the explicit {"value": N} form some re-serializers produce too. */
static int get_u32_wrapped(struct dctx *c, int i, uint32_t *v, bool *has)
{
	if (is_null(c, i))
		return 0;
	if (c->t[i].type == JSMN_OBJECT) {
		int j = i + 1;

		*v = 0;
		*has = true;
		for (int m = 0; m < c->t[i].size; m++) {
			char k[KEYMAX];

			fold_key(c, j, k);
			if (KEY(k, "value") && get_u32(c, j + 1, v))
				return -1;
			j = skip(c, j + 1);
		}
		return 0;
	}
	if (get_u32(c, i, v))
		return -1;
	*has = true;
	return 0;
}

static int get_time(struct dctx *c, int i, struct rti_time *t)
{
	const char *why;

	if (is_null(c, i))
		return 0;
	if (c->t[i].type != JSMN_STRING)
		return fail(c, i, "expected an RFC 3339 timestamp string", NULL);
	if (rti_time_parse(c->js + c->t[i].start,
			   (size_t)(c->t[i].end - c->t[i].start), t, &why))
		return fail(c, i, "%s", why);
	return 0;
}

static int expect(struct dctx *c, int i, jsmntype_t type, const char *what)
{
	if (c->t[i].type != type)
		return fail(c, i, "expected %s", what);
	return 0;
}

/* Number of members of a map or elements of a list, tolerating null. */
static int count_of(struct dctx *c, int i, jsmntype_t type, unsigned *n,
		    const char *what)
{
	if (is_null(c, i))
		return 0;
	if (expect(c, i, type, what))
		return -1;
	*n = (unsigned)c->t[i].size;
	return 0;
}

/* ---- messages ---- */

struct member_it {
	int m;          /* member index */
	int j;          /* key token */
	int v;          /* value token */
	size_t kn;      /* folded key length */
	char k[KEYMAX]; /* folded key */
};

/* Iterates over the members of the object at token i. `break` and
 * `continue` work as in any loop. */
#define FOR_MEMBERS(c, i, it)                                                  \
	for (struct member_it it = { 0, (i) + 1, (i) + 2, 0, { 0 } };          \
	     it.m < (c)->t[i].size && (it.kn = fold_key((c), it.j, it.k), 1); \
	     it.m++, it.j = skip((c), it.j + 1), it.v = it.j + 1)

/* A string, with "" for empty or null (map values may be empty). */
static int get_str_or_empty(struct dctx *c, int i, const char **out)
{
	if (get_str(c, i, out))
		return -1;
	if (!*out)
		*out = "";
	return 0;
}

/* A string of a map (labels, annotations, environment): kept, or only
 * checked when skimming. */
static int map_str(struct dctx *c, int i, const char **out)
{
	return c->skim ? check_str(c, i) : get_str_or_empty(c, i, out);
}

/* An object of string values: pod labels and annotations. */
static int get_kv_map(struct dctx *c, int i, const struct rti_kv **out, unsigned *n)
{
	struct rti_kv *kv;
	unsigned x = 0;

	if (is_null(c, i))
		return 0;
	if (expect(c, i, JSMN_OBJECT, "an object"))
		return -1;
	if (c->t[i].size == 0)
		return 0;
	kv = rti_arena_alloc(c->a, sizeof(*kv) * (size_t)c->t[i].size);
	if (!kv)
		return fail(c, i, "map too large for the event arena", NULL);
	FOR_MEMBERS(c, i, m) {
		/* an index, not the key: keys are data and diagnostics never
		 * print data */
		int o = path_push_index(c, (int)x);
		int r = map_str(c, m.j, &kv[x].key) || map_str(c, m.v, &kv[x].value);

		path_pop(c, o);
		if (r)
			return -1;
		x++;
	}
	if (!c->skim) {
		*out = kv;
		*n = x;
	}
	return 0;
}

/* environment_variables: [{"Key": ..., "Value": ...}, ...] */
static int get_env(struct dctx *c, int i, const struct rti_kv **out, unsigned *n)
{
	struct rti_kv *kv;
	int j;

	if (is_null(c, i))
		return 0;
	if (expect(c, i, JSMN_ARRAY, "an array"))
		return -1;
	if (c->t[i].size == 0)
		return 0;
	kv = rti_arena_alloc(c->a, sizeof(*kv) * (size_t)c->t[i].size);
	if (!kv)
		return fail(c, i, "environment too large for the event arena", NULL);
	j = i + 1;
	for (int x = 0; x < c->t[i].size; x++) {
		int o = path_push_index(c, x);
		int r = 0;

		kv[x].key = "";
		kv[x].value = "";
		if (!is_null(c, j)) {
			if (expect(c, j, JSMN_OBJECT, "an object"))
				return -1;
			FOR_MEMBERS(c, j, m) {
				int o2 = path_push_key(c, m.j);

				if (KEYN(m.k, m.kn, "key"))
					r = map_str(c, m.v, &kv[x].key);
				else if (KEYN(m.k, m.kn, "value"))
					r = map_str(c, m.v, &kv[x].value);
				path_pop(c, o2);
				if (r)
					return -1;
			}
		}
		path_pop(c, o);
		j = skip(c, j);
	}
	if (!c->skim) {
		*out = kv;
		*n = (unsigned)c->t[i].size;
	}
	return 0;
}

static int dec_pod(struct dctx *c, int i, struct rti_pod *p)
{
	if (is_null(c, i))
		return 0;
	if (expect(c, i, JSMN_OBJECT, "an object"))
		return -1;
	FOR_MEMBERS(c, i, m1) {
		int o = path_push_key(c, m1.j);
		int r = 0;

		if (KEYN(m1.k, m1.kn, "namespace"))
			r = get_str(c, m1.v, &p->namespace_);
		else if (KEYN(m1.k, m1.kn, "name"))
			r = get_str(c, m1.v, &p->name);
		else if (KEYN(m1.k, m1.kn, "workload"))
			r = get_str(c, m1.v, &p->workload);
		else if (KEYN(m1.k, m1.kn, "workloadkind"))
			r = get_str(c, m1.v, &p->workload_kind);
		else if (KEYN(m1.k, m1.kn, "podlabels"))
			r = get_kv_map(c, m1.v, &p->labels, &p->n_labels);
		else if (KEYN(m1.k, m1.kn, "podannotations"))
			r = get_kv_map(c, m1.v, &p->annotations, &p->n_annotations);
		else if (KEYN(m1.k, m1.kn, "container") && !is_null(c, m1.v)) {
			if (expect(c, m1.v, JSMN_OBJECT, "an object"))
				r = -1;
			else FOR_MEMBERS(c, m1.v, m2) {
				int o2 = path_push_key(c, m2.j);

				if (KEYN(m2.k, m2.kn, "id"))
					r = get_str(c, m2.v, &p->container_id);
				else if (KEYN(m2.k, m2.kn, "name"))
					r = get_str(c, m2.v, &p->container_name);
				else if (KEYN(m2.k, m2.kn, "image") && !is_null(c, m2.v)) {
					if (expect(c, m2.v, JSMN_OBJECT, "an object"))
						r = -1;
					else FOR_MEMBERS(c, m2.v, m3) {
						int o3 = path_push_key(c, m3.j);

						if (KEYN(m3.k, m3.kn, "id"))
							r = get_str(c, m3.v, &p->image_id);
						else if (KEYN(m3.k, m3.kn, "name"))
							r = get_str(c, m3.v, &p->image_name);
						path_pop(c, o3);
						if (r)
							break;
					}
				}
				path_pop(c, o2);
				if (r)
					break;
			}
		}
		path_pop(c, o);
		if (r)
			return -1;
	}
	return 0;
}

static int dec_process(struct dctx *c, int i, struct rti_process *p)
{
	if (is_null(c, i))
		return 0;
	if (expect(c, i, JSMN_OBJECT, "an object"))
		return -1;
	p->present = true;
	FOR_MEMBERS(c, i, m1) {
		int o = path_push_key(c, m1.j);
		int r = 0;

		if (KEYN(m1.k, m1.kn, "execid"))
			r = get_str(c, m1.v, &p->exec_id);
		else if (KEYN(m1.k, m1.kn, "pid"))
			r = get_u32_wrapped(c, m1.v, &p->pid, &p->has_pid);
		else if (KEYN(m1.k, m1.kn, "uid"))
			r = get_u32_wrapped(c, m1.v, &p->uid, &p->has_uid);
		else if (KEYN(m1.k, m1.kn, "tid"))
			r = get_u32_wrapped(c, m1.v, &p->tid, &p->has_tid);
		else if (KEYN(m1.k, m1.kn, "auid"))
			r = get_u32_wrapped(c, m1.v, &p->auid, &p->has_auid);
		else if (KEYN(m1.k, m1.kn, "cwd"))
			r = get_str(c, m1.v, &p->cwd);
		else if (KEYN(m1.k, m1.kn, "binary"))
			r = get_str(c, m1.v, &p->binary);
		else if (KEYN(m1.k, m1.kn, "arguments"))
			r = get_str(c, m1.v, &p->arguments);
		else if (KEYN(m1.k, m1.kn, "starttime"))
			r = get_time(c, m1.v, &p->start_time);
		else if (KEYN(m1.k, m1.kn, "parentexecid"))
			r = get_str(c, m1.v, &p->parent_exec_id);
		else if (KEYN(m1.k, m1.kn, "docker"))
			r = get_str(c, m1.v, &p->docker);
		else if (KEYN(m1.k, m1.kn, "pod")) {
			p->has_pod = !is_null(c, m1.v);
			r = dec_pod(c, m1.v, &p->pod);
		} else if (KEYN(m1.k, m1.kn, "environmentvariables"))
			r = get_env(c, m1.v, &p->env, &p->n_env);
		else if (KEYN(m1.k, m1.kn, "cap"))
			p->has_caps = !is_null(c, m1.v);
		else if (KEYN(m1.k, m1.kn, "processcredentials") || KEYN(m1.k, m1.kn, "binaryproperties"))
			p->has_credentials |= !is_null(c, m1.v);
		else if (KEYN(m1.k, m1.kn, "ns"))
			p->has_ns = !is_null(c, m1.v);
		else if (KEYN(m1.k, m1.kn, "user") && !is_null(c, m1.v)) {
			if (expect(c, m1.v, JSMN_OBJECT, "an object"))
				r = -1;
			else FOR_MEMBERS(c, m1.v, m2) {
				if (KEYN(m2.k, m2.kn, "name"))
					r = get_str(c, m2.v, &p->user_name);
				if (r)
					break;
			}
		}
		path_pop(c, o);
		if (r)
			return -1;
	}
	return 0;
}

static int dec_stack(struct dctx *c, int i, struct rti_stack_entry **out,
		     unsigned *n)
{
	struct rti_stack_entry *e;
	int j;

	if (is_null(c, i))
		return 0;
	if (expect(c, i, JSMN_ARRAY, "an array"))
		return -1;
	if (c->t[i].size == 0)
		return 0;
	e = rti_arena_alloc(c->a, sizeof(*e) * (size_t)c->t[i].size);
	if (!e)
		return fail(c, i, "stack too large for the event arena", NULL);
	memset(e, 0, sizeof(*e) * (size_t)c->t[i].size);
	j = i + 1;
	for (int x = 0; x < c->t[i].size; x++) {
		int o = path_push_index(c, x);

		if (expect(c, j, JSMN_OBJECT, "an object"))
			return -1;
		FOR_MEMBERS(c, j, m1) {
			int o2 = path_push_key(c, m1.j);
			int r = 0;

			if (KEYN(m1.k, m1.kn, "address"))
				r = get_u64(c, m1.v, &e[x].address);
			else if (KEYN(m1.k, m1.kn, "offset"))
				r = get_u64(c, m1.v, &e[x].offset);
			else if (KEYN(m1.k, m1.kn, "symbol"))
				r = get_str(c, m1.v, &e[x].symbol);
			else if (KEYN(m1.k, m1.kn, "module"))
				r = get_str(c, m1.v, &e[x].module);
			path_pop(c, o2);
			if (r)
				return -1;
		}
		path_pop(c, o);
		j = skip(c, j);
	}
	*out = e;
	*n = (unsigned)c->t[i].size;
	return 0;
}

/* One KprobeArgument: the oneof member decides the type. Only the parts a
 * privacy profile may allow are kept (numbers, socket family and ports);
 * free text is kept as a pointer for the privacy stage, never emitted by
 * the default profile. */
static int dec_arg(struct dctx *c, int i, struct rti_arg *a)
{
	if (is_null(c, i))
		return 0;
	if (expect(c, i, JSMN_OBJECT, "an object"))
		return -1;
	FOR_MEMBERS(c, i, m1) {
		int o = path_push_key(c, m1.j);
		int r = 0;
		int64_t sv;

		if (KEYN(m1.k, m1.kn, "label")) {
			path_pop(c, o);
			continue;
		}
		a->type_name = rti_arena_strndup(c->a, c->js + c->t[m1.j].start,
						 (size_t)(c->t[m1.j].end - c->t[m1.j].start));
		if (KEYN(m1.k, m1.kn, "intarg") || KEYN(m1.k, m1.kn, "longarg")) {
			a->type = RTI_ARG_INT;
			r = get_int(c, m1.v, INT64_MIN, INT64_MAX, &sv, NULL, "an integer");
			a->ival = sv;
		} else if (KEYN(m1.k, m1.kn, "uintarg") || KEYN(m1.k, m1.kn, "sizearg")) {
			uint64_t uv;

			a->type = RTI_ARG_INT;
			a->is_unsigned = true;
			r = get_u64(c, m1.v, &uv);
			a->ival = (int64_t)uv;
		} else if (KEYN(m1.k, m1.kn, "sockarg") || KEYN(m1.k, m1.kn, "skbarg") || KEYN(m1.k, m1.kn, "sockaddrarg")) {
			a->type = RTI_ARG_SOCK;
			if (!is_null(c, m1.v) && !expect(c, m1.v, JSMN_OBJECT, "an object")) {
				FOR_MEMBERS(c, m1.v, m2) {
					if (KEYN(m2.k, m2.kn, "family"))
						r = get_str(c, m2.v, &a->family);
					else if (KEYN(m2.k, m2.kn, "type"))
						r = get_str(c, m2.v, &a->sock_type);
					else if (KEYN(m2.k, m2.kn, "protocol"))
						r = get_str(c, m2.v, &a->protocol);
					else if (KEYN(m2.k, m2.kn, "sport"))
						r = get_u32(c, m2.v, &a->sport);
					else if (KEYN(m2.k, m2.kn, "dport") || KEYN(m2.k, m2.kn, "port"))
						r = get_u32(c, m2.v, &a->dport);
					if (r)
						break;
				}
			} else if (!is_null(c, m1.v)) {
				r = -1;
			}
		} else if (KEYN(m1.k, m1.kn, "filearg") || KEYN(m1.k, m1.kn, "patharg") ||
			   KEYN(m1.k, m1.kn, "linuxbinprmarg")) {
			a->type = RTI_ARG_FILE;
			if (!is_null(c, m1.v) && !expect(c, m1.v, JSMN_OBJECT, "an object")) {
				FOR_MEMBERS(c, m1.v, m2) {
					if (KEYN(m2.k, m2.kn, "path"))
						r = get_str(c, m2.v, &a->text);
					if (r)
						break;
				}
			} else if (!is_null(c, m1.v)) {
				r = -1;
			}
		} else if (KEYN(m1.k, m1.kn, "bytesarg") || KEYN(m1.k, m1.kn, "truncatedbytesarg")) {
			a->type = RTI_ARG_BYTES;
		} else if (c->t[m1.v].type == JSMN_STRING) {
			a->type = RTI_ARG_STRING;
			r = get_str(c, m1.v, &a->text);
		} else {
			a->type = RTI_ARG_OTHER;
		}
		path_pop(c, o);
		if (r)
			return -1;
	}
	return 0;
}

static int dec_args(struct dctx *c, int i, struct rti_arg **out, unsigned *n)
{
	struct rti_arg *a;
	int j;

	if (is_null(c, i))
		return 0;
	if (expect(c, i, JSMN_ARRAY, "an array"))
		return -1;
	if (c->t[i].size == 0)
		return 0;
	a = rti_arena_alloc(c->a, sizeof(*a) * (size_t)c->t[i].size);
	if (!a)
		return fail(c, i, "arguments too large for the event arena", NULL);
	memset(a, 0, sizeof(*a) * (size_t)c->t[i].size);
	j = i + 1;
	for (int x = 0; x < c->t[i].size; x++) {
		int o = path_push_index(c, x);

		if (dec_arg(c, j, &a[x]))
			return -1;
		path_pop(c, o);
		j = skip(c, j);
	}
	*out = a;
	*n = (unsigned)c->t[i].size;
	return 0;
}

/* Enum values print as names; an unknown numeric value prints as a number. */
static int get_enum(struct dctx *c, int i, const char **out)
{
	if (c->t[i].type == JSMN_PRIMITIVE && !is_null(c, i)) {
		*out = rti_arena_strndup(c->a, c->js + c->t[i].start,
					 (size_t)(c->t[i].end - c->t[i].start));
		return 0;
	}
	return get_str(c, i, out);
}

/* The members shared by the process_* event bodies. Returns 1 when the key
 * was one of them, 0 when not, -1 on error. */
static int dec_common(struct dctx *c, const char *k, size_t kn, int v, struct rti_event *ev)
{
	if (KEYN(k, kn, "process"))
		return dec_process(c, v, &ev->process) ? -1 : 1;
	if (KEYN(k, kn, "parent"))
		return dec_process(c, v, &ev->parent) ? -1 : 1;
	if (KEYN(k, kn, "ancestors"))
		return count_of(c, v, JSMN_ARRAY, &ev->n_ancestors, "an array") ? -1 : 1;
	if (KEYN(k, kn, "policyname"))
		return get_str(c, v, &ev->policy_name) ? -1 : 1;
	if (KEYN(k, kn, "action"))
		return get_enum(c, v, &ev->action) ? -1 : 1;
	if (KEYN(k, kn, "args"))
		return dec_args(c, v, &ev->args, &ev->n_args) ? -1 : 1;
	if (KEYN(k, kn, "data"))
		return count_of(c, v, JSMN_ARRAY, &ev->n_data, "an array") ? -1 : 1;
	if (KEYN(k, kn, "message"))
		return get_str(c, v, &ev->message) ? -1 : 1;
	if (KEYN(k, kn, "tags"))
		return count_of(c, v, JSMN_ARRAY, &ev->n_tags, "an array") ? -1 : 1;
	return 0;
}

static int dec_body(struct dctx *c, int i, struct rti_event *ev)
{
	if (expect(c, i, JSMN_OBJECT, "an object"))
		return -1;
	FOR_MEMBERS(c, i, m1) {
		int o = path_push_key(c, m1.j);
		int r = dec_common(c, m1.k, m1.kn, m1.v, ev);

		if (r == 0) {
			r = 0;
			switch (ev->kind) {
			case RTI_KIND_KPROBE:
			case RTI_KIND_LSM:
				if (KEYN(m1.k, m1.kn, "functionname"))
					r = get_str(c, m1.v, &ev->function);
				else if (KEYN(m1.k, m1.kn, "return") && !is_null(c, m1.v)) {
					ev->has_return = true;
					r = dec_arg(c, m1.v, &ev->ret);
				} else if (KEYN(m1.k, m1.kn, "kernelstacktrace") || KEYN(m1.k, m1.kn, "stacktrace"))
					r = dec_stack(c, m1.v, &ev->kstack, &ev->n_kstack);
				else if (KEYN(m1.k, m1.kn, "userstacktrace"))
					r = dec_stack(c, m1.v, &ev->ustack, &ev->n_ustack);
				else if (KEYN(m1.k, m1.kn, "imahash"))
					r = get_str(c, m1.v, &ev->ima_hash);
				break;
			case RTI_KIND_UPROBE:
				if (KEYN(m1.k, m1.kn, "path"))
					r = get_str(c, m1.v, &ev->path);
				else if (KEYN(m1.k, m1.kn, "symbol"))
					r = get_str(c, m1.v, &ev->function);
				else if (KEYN(m1.k, m1.kn, "offset")) {
					/* proto3: 0 is "not set" (protojson omits it, and
					 * protobuf cannot tell), so JSON and gRPC agree */
					r = get_u64(c, m1.v, &ev->offset);
					ev->has_offset = ev->offset != 0;
				}
				break;
			case RTI_KIND_USDT:
				if (KEYN(m1.k, m1.kn, "path"))
					r = get_str(c, m1.v, &ev->path);
				else if (KEYN(m1.k, m1.kn, "provider"))
					r = get_str(c, m1.v, &ev->provider);
				else if (KEYN(m1.k, m1.kn, "name"))
					r = get_str(c, m1.v, &ev->usdt_name);
				break;
			case RTI_KIND_TRACEPOINT:
				if (KEYN(m1.k, m1.kn, "subsys"))
					r = get_str(c, m1.v, &ev->subsys);
				else if (KEYN(m1.k, m1.kn, "event"))
					r = get_str(c, m1.v, &ev->tp_event);
				break;
			case RTI_KIND_EXIT:
				if (KEYN(m1.k, m1.kn, "signal"))
					r = get_str(c, m1.v, &ev->exit_signal);
				else if (KEYN(m1.k, m1.kn, "status"))
					r = get_u32(c, m1.v, &ev->exit_status);
				else if (KEYN(m1.k, m1.kn, "time"))
					r = get_time(c, m1.v, &ev->exit_time);
				break;
			case RTI_KIND_LOADER:
				if (KEYN(m1.k, m1.kn, "path"))
					r = get_str(c, m1.v, &ev->path);
				else if (KEYN(m1.k, m1.kn, "buildid") && !is_null(c, m1.v)) {
					unsigned char *bid;
					long bn;
					size_t sn = (size_t)(c->t[m1.v].end - c->t[m1.v].start);

					if (expect(c, m1.v, JSMN_STRING, "a base64 string")) {
						r = -1;
						break;
					}
					bid = rti_arena_alloc(c->a, sn / 4 * 3 + 3);
					bn = bid ? rti_base64_decode(c->js + c->t[m1.v].start, sn, bid) : -1;
					if (bn < 0)
						r = fail(c, m1.v, "expected a base64 string", NULL);
					ev->build_id = bid;
					ev->build_id_len = bn > 0 ? (size_t)bn : 0;
				}
				break;
			case RTI_KIND_THROTTLE:
				if (KEYN(m1.k, m1.kn, "type"))
					r = get_enum(c, m1.v, &ev->throttle_type);
				else if (KEYN(m1.k, m1.kn, "cgroup"))
					r = get_str(c, m1.v, &ev->cgroup);
				break;
			case RTI_KIND_RATE_LIMIT_INFO:
				if (KEYN(m1.k, m1.kn, "numberofdroppedprocessevents"))
					r = get_u64(c, m1.v, &ev->dropped_events);
				break;
			default:
				break;
			}
		}
		path_pop(c, o);
		if (r < 0)
			return -1;
	}
	return 0;
}

static const struct {
	const char *folded;
	enum rti_kind kind;
} kinds[] = {
	{ "processexec", RTI_KIND_EXEC },
	{ "processexit", RTI_KIND_EXIT },
	{ "processkprobe", RTI_KIND_KPROBE },
	{ "processtracepoint", RTI_KIND_TRACEPOINT },
	{ "processloader", RTI_KIND_LOADER },
	{ "processuprobe", RTI_KIND_UPROBE },
	{ "processthrottle", RTI_KIND_THROTTLE },
	{ "processlsm", RTI_KIND_LSM },
	{ "processusdt", RTI_KIND_USDT },
	{ "test", RTI_KIND_TEST },
	{ "ratelimitinfo", RTI_KIND_RATE_LIMIT_INFO },
};

static int dec_response(struct dctx *c, struct rti_event *ev)
{
	int body = -1;
	int body_key = -1;

	if (c->t[0].type != JSMN_OBJECT)
		return fail(c, 0, "top-level value is not an object", NULL);
	FOR_MEMBERS(c, 0, m1) {
		enum rti_kind kind = RTI_KIND_NONE;
		int r = 0;

		for (size_t x = 0; x < sizeof(kinds) / sizeof(kinds[0]); x++)
			if (KEY(m1.k, kinds[x].folded))
				kind = kinds[x].kind;
		if (kind == RTI_KIND_NONE && c->t[m1.v].type == JSMN_OBJECT &&
		    !KEYN(m1.k, m1.kn, "nodelabels") && !KEYN(m1.k, m1.kn, "aggregationinfo"))
			kind = RTI_KIND_UNKNOWN; /* a oneof member we do not know */
		if (kind != RTI_KIND_NONE) {
			if (is_null(c, m1.v))
				continue;
			if (body >= 0)
				return fail(c, m1.j, "more than one event kind in one record", NULL);
			ev->kind = kind;
			body = m1.v;
			body_key = m1.j;
			continue;
		}
		{
			int o = path_push_key(c, m1.j);

			if (KEYN(m1.k, m1.kn, "nodename"))
				r = get_str(c, m1.v, &ev->node_name);
			else if (KEYN(m1.k, m1.kn, "clustername"))
				r = get_str(c, m1.v, &ev->cluster_name);
			else if (KEYN(m1.k, m1.kn, "time"))
				r = get_time(c, m1.v, &ev->time);
			else if (KEYN(m1.k, m1.kn, "nodelabels"))
				r = count_of(c, m1.v, JSMN_OBJECT, &ev->n_node_labels, "an object");
			path_pop(c, o);
		}
		if (r)
			return -1;
	}
	if (body < 0)
		return fail(c, 0, "no event kind in record", NULL);
	if (ev->kind == RTI_KIND_UNKNOWN) {
		ev->unknown_kind = rti_arena_strndup(c->a, c->js + c->t[body_key].start,
			(size_t)(c->t[body_key].end - c->t[body_key].start));
		return 0;
	}
	{
		int o = path_push_seg(c, rti_kind_name(ev->kind), (int)strlen(rti_kind_name(ev->kind)));
		int r = dec_body(c, body, ev);

		path_pop(c, o);
		return r;
	}
}

const char *rti_json_strerror(const struct rti_json_error *err)
{
	static const char *const msg[] = {
		[RTI_JSON_VALID] = "valid JSON",
		[RTI_JSON_TOO_LONG] = "longer than 2 GiB",
		[RTI_JSON_TOO_DEEP] = "nesting too deep",
		[RTI_JSON_TOO_MANY_TOKENS] = "too many JSON tokens",
		[RTI_JSON_NO_MEMORY] = "out of memory",
		[RTI_JSON_TRUNCATED] = "truncated JSON value",
		[RTI_JSON_SYNTAX] = "invalid JSON",
		[RTI_JSON_EMPTY] = "no JSON value",
		[RTI_JSON_TRAILING] = "unexpected data after the JSON value",
		[RTI_JSON_MEMBER] = "object member without a single value",
		[RTI_JSON_BAD_STRING] = "invalid string",
	};

	if (err->problem == RTI_JSON_BAD_STRING && err->why)
		return err->why;
	if ((size_t)err->problem >= sizeof(msg) / sizeof(msg[0]))
		return "invalid JSON";
	return msg[err->problem];
}

/* The decoder's words for what rti_json_check() found (its stderr lines
 * are compared by tests: they stay as they were). */
static void decode_problem(const struct rti_json_decoder *d, const struct rti_json_error *je,
			   struct rti_decode_error *err)
{
	err->offset = je->offset;
	switch (je->problem) {
	case RTI_JSON_TOO_MANY_TOKENS:
		snprintf(err->msg, sizeof(err->msg), "record has more than %u JSON tokens", d->max);
		break;
	case RTI_JSON_NO_MEMORY:
	case RTI_JSON_EMPTY:
		err->offset = 0;
		snprintf(err->msg, sizeof(err->msg), "%s",
			 je->problem == RTI_JSON_EMPTY ? "empty record" : rti_json_strerror(je));
		break;
	case RTI_JSON_MEMBER:
		snprintf(err->msg, sizeof(err->msg), "invalid JSON (%s)", rti_json_strerror(je));
		break;
	case RTI_JSON_TOO_LONG:
		snprintf(err->msg, sizeof(err->msg), "record %s", rti_json_strerror(je));
		break;
	default:
		snprintf(err->msg, sizeof(err->msg), "%s", rti_json_strerror(je));
	}
}

int rti_json_decode(struct rti_json_decoder *d, const char *js, size_t len,
		    struct rti_arena *arena, struct rti_event *ev,
		    struct rti_decode_error *err)
{
	struct rti_json_error je;
	struct dctx c;
	int n;

	memset(ev, 0, sizeof(*ev));
	err->msg[0] = '\0';
	err->offset = 0;
	n = rti_json_check(d, js, len, NULL, &je);
	if (n < 0) {
		decode_problem(d, &je, err);
		return -1;
	}
	c.js = js;
	c.t = d->tok;
	c.nt = n;
	c.a = arena;
	c.err = err;
	c.skim = d->skim;
	c.depth = 0;
	return dec_response(&c, ev);
}
