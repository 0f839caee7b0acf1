/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Listings and exports of the index (spec §7, §8; docs/hot-index.md).
 * Everything is read in byte order of its keys and written as canonical
 * JSON, so the same index content always gives the same bytes; no clock
 * is read (the predicate's timestamp is the end of its observation
 * window).
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hotsym/hotsym_int.h"
#include "rti/canon.h"
#include "rti/cjson.h"
#include "util/hash.h"
#include "util/opts.h"
#include "util/timefmt.h"

#define OUT_CHUNK (256 * 1024)
#define OUT_MAX (64u << 20)
#define MAX_HOT_LIST 1000

static void put_time(struct rti_cjw *w, const char *key, const struct rti_time *t)
{
	char ts[RTI_TIME_STRLEN];

	rti_cjw_key(w, key);
	rti_cjw_str(w, ts, rti_time_format(t, ts));
}

static void put_time_ns(struct rti_cjw *w, const char *key, int64_t ns)
{
	struct rti_time t;

	rti_time_from_ns(ns, &t);
	put_time(w, key, &t);
}

static void put_ptypes(struct rti_cjw *w, const char *key, uint32_t bits)
{
	const char *names[RTI_PROBE__COUNT];
	unsigned n = rti_hot_probe_type_names(bits, names);

	if (!n)
		return;
	rti_cjw_key(w, key);
	rti_cjw_arr_open(w);
	for (unsigned i = 0; i < n; i++)
		rti_cjw_cstr(w, names[i]);
	rti_cjw_arr_close(w);
}

int rti_hot_entry_json(const struct rti_hot_entry *e, struct rti_buf *out)
{
	struct rti_cjw w;

	rti_cjw_init(&w, out);
	rti_cjw_obj_open(&w);
	rti_cjw_kv_str(&w, "code_id", e->code_id);
	put_time(&w, "first_seen", &e->first_seen);
	rti_cjw_key(&w, "hit_count");
	rti_cjw_u64(&w, e->hit_count);
	put_time(&w, "last_seen", &e->last_seen);
	rti_cjw_kv_str(&w, "module", e->module);
	put_ptypes(&w, "probe_types", e->probe_types);
	rti_cjw_kv_str(&w, "scope", e->scope);
	rti_cjw_kv_str(&w, "symbol", e->symbol);
	rti_cjw_kv_str(&w, "symbol_id", e->symbol_id);
	rti_cjw_obj_close(&w);
	return w.err;
}

/* ---- output ---- */

struct out {
	int fd;
	struct rti_buf b;
	EVP_MD_CTX *md;   /* the trace blob being hashed, or NULL */
	bool write;       /* the blob is also the output */
	int err;
};

static int out_drain(struct out *o, bool force)
{
	const char *p = o->b.p;
	size_t n = o->b.len;

	if (o->err || (!force && n < OUT_CHUNK))
		return o->err;
	while (n) {
		ssize_t w = write(o->fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			o->err = -errno;
			return o->err;
		}
		p += w;
		n -= (size_t)w;
	}
	rti_buf_reset(&o->b);
	return 0;
}

/* One line of the trace blob: hashed, and written when it is the output. */
static int blob_line(struct out *o, struct rti_buf *line)
{
	if (rti_buf_addch(line, '\n'))
		return -ENOBUFS;
	if (o->md && !EVP_DigestUpdate(o->md, line->p, line->len))
		return -EIO;
	if (o->write) {
		if (rti_buf_add(&o->b, line->p, line->len))
			return -ENOBUFS;
		return out_drain(o, false);
	}
	return 0;
}

/* ---- signals runtime facts ---- */

/* the line writer is shared with the Signals push (signals_line.c) */
static int signals_row(void *arg, const struct rti_hot_entry *e)
{
	struct out *o = arg;
	int err = hs_signals_line(e, &o->b);

	return err ? err : out_drain(o, false);
}

/* ---- execution evidence ---- */

struct hot {
	char *symbol_id;
	uint64_t hits;
};

struct scope_acc {
	struct out *o;
	struct rti_buf line;
	uint64_t symbols, paths;
	int64_t first_ns, last_ns;
	uint32_t families;
	struct hot *top;
	unsigned ntop, maxtop;
};

static const char *const family_names[] = {
	"bpf", "credentials", "file_io", "kernel_module", "memory", "mount",
	"namespaces", "network", "process", "ptrace", "signal",
};
#define NFAM (sizeof(family_names) / sizeof(family_names[0]))

static void add_family(struct scope_acc *a, const char *fam)
{
	for (unsigned i = 0; i < NFAM; i++)
		if (!strcmp(family_names[i], fam))
			a->families |= 1u << i;
}

/* hits descending, then symbol_id ascending */
static bool hotter(uint64_t h1, const char *s1, uint64_t h2, const char *s2)
{
	return h1 != h2 ? h1 > h2 : strcmp(s1, s2) < 0;
}

static int keep_top(struct scope_acc *a, const struct rti_hot_entry *e)
{
	unsigned i;
	char *dup;

	if (a->ntop == a->maxtop &&
	    !hotter(e->hit_count, e->symbol_id, a->top[a->ntop - 1].hits,
		    a->top[a->ntop - 1].symbol_id))
		return 0;
	dup = strdup(e->symbol_id);
	if (!dup)
		return -ENOMEM;
	if (a->ntop == a->maxtop)
		free(a->top[--a->ntop].symbol_id);
	for (i = a->ntop; i > 0 && hotter(e->hit_count, e->symbol_id, a->top[i - 1].hits,
					   a->top[i - 1].symbol_id); i--)
		a->top[i] = a->top[i - 1];
	a->top[i].symbol_id = dup;
	a->top[i].hits = e->hit_count;
	a->ntop++;
	return 0;
}

static void span(struct scope_acc *a, int64_t first, int64_t last)
{
	if (!a->symbols && !a->paths) {
		a->first_ns = first;
		a->last_ns = last;
		return;
	}
	if (first < a->first_ns)
		a->first_ns = first;
	if (last > a->last_ns)
		a->last_ns = last;
}

static int evidence_row(void *arg, const struct rti_hot_entry *e)
{
	struct scope_acc *a = arg;
	struct rti_cjw w;
	int err;

	span(a, rti_time_ns_saturated(&e->first_seen), rti_time_ns_saturated(&e->last_seen));
	a->symbols++;
	if (!strncmp(e->symbol_id, "kernel!", 7)) {
		const char *fam = rti_hotsym_syscall_family(e->symbol_id + 7);

		if (fam)
			add_family(a, fam);
	}
	if (a->maxtop) {
		err = keep_top(a, e);
		if (err)
			return err;
	}
	rti_buf_reset(&a->line);
	rti_cjw_init(&w, &a->line);
	rti_cjw_obj_open(&w);
	put_time(&w, "first_seen", &e->first_seen);
	rti_cjw_key(&w, "hit_count");
	rti_cjw_u64(&w, e->hit_count);
	put_time(&w, "last_seen", &e->last_seen);
	put_ptypes(&w, "probe_types", e->probe_types);
	rti_cjw_kv_str(&w, "symbol_id", e->symbol_id);
	rti_cjw_obj_close(&w);
	if (w.err)
		return w.err;
	return blob_line(a->o, &a->line);
}

static int evidence_path(void *arg, const char *scope, const char *digest, uint64_t hits,
			 int64_t first_ns, int64_t last_ns, const char *frames)
{
	struct scope_acc *a = arg;
	struct rti_cjw w;

	(void)scope;
	(void)frames;
	span(a, first_ns, last_ns);
	a->paths++;
	rti_buf_reset(&a->line);
	rti_cjw_init(&w, &a->line);
	rti_cjw_obj_open(&w);
	rti_cjw_kv_str(&w, "call_path", digest);
	put_time_ns(&w, "first_seen", first_ns);
	rti_cjw_key(&w, "hit_count");
	rti_cjw_u64(&w, hits);
	put_time_ns(&w, "last_seen", last_ns);
	rti_cjw_obj_close(&w);
	if (w.err)
		return w.err;
	return blob_line(a->o, &a->line);
}

static void digest_str(EVP_MD_CTX *md, char out[HS_DIGEST_LEN + 1])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	memcpy(out, "sha256:", 7);
	if (!EVP_DigestFinal_ex(md, d, &n) || n != 32) {
		out[0] = '\0';
		return;
	}
	rti_hex(d, 32, out + 7);
}

struct scopes {
	char **v;
	size_t n, cap;
};

static int collect_scope(void *arg, const char *scope)
{
	struct scopes *s = arg;

	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		char **nv = realloc(s->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->n] = strdup(scope);
	if (!s->v[s->n])
		return -ENOMEM;
	s->n++;
	return 0;
}

static bool image_scope(const char *scope)
{
	const char *d = scope + 13;

	if (strncmp(scope, "image:sha256:", 13) || strlen(d) != 64)
		return false;
	for (; *d; d++)
		if (!((*d >= '0' && *d <= '9') || (*d >= 'a' && *d <= 'f')))
			return false;
	return true;
}

/* Hashes (and for the trace blob writes) one scope's blob; fills a. */
static int scope_blob(struct rti_hotsym *h, struct rti_hot_export_opts *eo, const char *scope,
		      struct scope_acc *a, char trace_digest[HS_DIGEST_LEN + 1])
{
	struct hs_store *st = hs_store_of(h);
	struct rti_hot_filter f;
	int err;

	memset(&f, 0, sizeof(f));
	f.scope = scope;
	f.since = eo->since;
	f.until = eo->until;
	f.order = RTI_HOT_BY_KEY;
	if (!EVP_DigestInit_ex(a->o->md, EVP_sha256(), NULL))
		return -EIO;
	err = st->ops->scan(st, &f, evidence_row, a);
	if (!err)
		err = st->ops->scan_paths(st, &f, evidence_path, a);
	if (!err)
		digest_str(a->o->md, trace_digest);
	if (!err && !trace_digest[0])
		err = -EIO;
	return err;
}

static int evidence_scope(struct rti_hotsym *h, struct rti_hot_export_opts *eo,
			  const char *scope, struct out *o)
{
	const char *env = eo->environment ? eo->environment : "default";
	char trace_digest[HS_DIGEST_LEN + 1], inputs_digest[HS_DIGEST_LEN + 1];
	struct scope_acc a;
	struct rti_buf in = RTI_BUF_INIT(1 << 16);
	struct rti_time start, end;
	struct rti_cjw w;
	int64_t s_ns, e_ns;
	int err;

	memset(&a, 0, sizeof(a));
	a.o = o;
	rti_buf_init(&a.line, 1u << 20);
	a.maxtop = eo->hot_symbols ? eo->hot_symbols : 25;
	if (a.maxtop > MAX_HOT_LIST)
		a.maxtop = MAX_HOT_LIST;
	a.top = calloc(a.maxtop, sizeof(*a.top));
	err = a.top ? scope_blob(h, eo, scope, &a, trace_digest) : -ENOMEM;
	if (err || !a.symbols)
		goto out;

	/* the window: what was seen, within what was asked */
	s_ns = a.first_ns;
	e_ns = a.last_ns;
	if (eo->since.set && rti_time_ns_saturated(&eo->since) > s_ns)
		s_ns = rti_time_ns_saturated(&eo->since);
	if (eo->until.set && rti_time_ns_saturated(&eo->until) < e_ns)
		e_ns = rti_time_ns_saturated(&eo->until);
	if (e_ns < s_ns)
		e_ns = s_ns;
	rti_time_from_ns(s_ns, &start);
	rti_time_from_ns(e_ns, &end);

	/* inputs_digest: every input the predicate was derived from */
	rti_cjw_init(&w, &in);
	rti_cjw_obj_open(&w);
	rti_cjw_kv_str(&w, "environment_id", env);
	rti_cjw_kv_str(&w, "scope", scope);
	if (eo->since.set)
		put_time(&w, "since", &eo->since);
	rti_cjw_kv_str(&w, "trace_digest", trace_digest);
	if (eo->until.set)
		put_time(&w, "until", &eo->until);
	rti_cjw_obj_close(&w);
	if (w.err) {
		err = w.err;
		goto out;
	}
	memcpy(inputs_digest, "sha256:", 7);
	rti_sha256_hex(in.p, in.len, inputs_digest + 7);

	rti_cjw_init(&w, &o->b);
	rti_cjw_obj_open(&w);
	rti_cjw_kv_str(&w, "_type", "https://in-toto.io/Statement/v1");
	rti_cjw_key(&w, "predicate");
	rti_cjw_obj_open(&w);
	rti_cjw_key(&w, "artifact_id");
	rti_cjw_str(&w, scope + 6, strlen(scope + 6)); /* "sha256:<hex>" */
	rti_cjw_key(&w, "determinism");
	rti_cjw_obj_open(&w);
	rti_cjw_kv_str(&w, "inputs_digest", inputs_digest);
	rti_cjw_obj_close(&w);
	rti_cjw_kv_str(&w, "environment_id", env);
	rti_cjw_key(&w, "observation_window");
	rti_cjw_obj_open(&w);
	rti_cjw_key(&w, "duration_ms");
	rti_cjw_u64(&w, (uint64_t)(e_ns - s_ns) / 1000000u);
	put_time(&w, "end", &end);
	put_time(&w, "start", &start);
	rti_cjw_obj_close(&w);
	put_time(&w, "timestamp", &end);
	rti_cjw_kv_str(&w, "trace_digest", trace_digest);
	rti_cjw_kv_str(&w, "trace_source", "ebpf");
	rti_cjw_key(&w, "trace_summary");
	rti_cjw_obj_open(&w);
	rti_cjw_key(&w, "address_canonicalized");
	rti_cjw_bool(&w, true); /* frames are file offsets and symbols, never addresses */
	rti_cjw_key(&w, "hot_symbol_count");
	rti_cjw_u64(&w, a.symbols);
	rti_cjw_key(&w, "hot_symbols");
	rti_cjw_arr_open(&w);
	for (unsigned i = 0; i < a.ntop; i++)
		rti_cjw_cstr(&w, a.top[i].symbol_id);
	rti_cjw_arr_close(&w);
	rti_cjw_key(&w, "syscall_families_observed");
	rti_cjw_arr_open(&w);
	for (unsigned i = 0; i < NFAM; i++)
		if (a.families & (1u << i))
			rti_cjw_cstr(&w, family_names[i]);
	rti_cjw_arr_close(&w);
	rti_cjw_key(&w, "unique_call_paths");
	rti_cjw_u64(&w, a.paths);
	rti_cjw_obj_close(&w);
	rti_cjw_obj_close(&w);
	rti_cjw_kv_str(&w, "predicateType", "stella.ops/executionEvidence@v1");
	rti_cjw_key(&w, "subject");
	rti_cjw_arr_open(&w);
	rti_cjw_obj_open(&w);
	rti_cjw_key(&w, "digest");
	rti_cjw_obj_open(&w);
	rti_cjw_kv_str(&w, "sha256", scope + 13);
	rti_cjw_obj_close(&w);
	rti_cjw_kv_str(&w, "name", "artifact");
	rti_cjw_obj_close(&w);
	rti_cjw_arr_close(&w);
	rti_cjw_obj_close(&w);
	err = w.err;
	if (!err)
		err = rti_buf_addch(&o->b, '\n');
	if (!err)
		err = out_drain(o, false);
out:
	for (unsigned i = 0; i < a.ntop; i++)
		free(a.top[i].symbol_id);
	free(a.top);
	rti_buf_release(&a.line);
	rti_buf_release(&in);
	return err;
}

static int export_evidence(struct rti_hotsym *h, struct rti_hot_export_opts *eo,
			   struct out *o)
{
	struct hs_store *st = hs_store_of(h);
	struct rti_hot_filter f;
	struct scopes sc = { NULL, 0, 0 };
	int err;

	memset(&f, 0, sizeof(f));
	f.scope = eo->scope;
	f.since = eo->since;
	f.until = eo->until;
	err = st->ops->scopes(st, &f, collect_scope, &sc);
	for (size_t i = 0; i < sc.n && !err; i++) {
		if (!image_scope(sc.v[i])) {
			eo->skipped_scopes++; /* a host has no artifact digest */
			continue;
		}
		err = evidence_scope(h, eo, sc.v[i], o);
	}
	for (size_t i = 0; i < sc.n; i++)
		free(sc.v[i]);
	free(sc.v);
	return err;
}

int rti_hotsym_export(struct rti_hotsym *h, struct rti_hot_export_opts *eo, int fd)
{
	struct hs_store *st = hs_store_of(h);
	struct out o;
	int err;

	if (!RTI_OPTS_VALID(eo, skipped_scopes)) /* every field: skipped_scopes is written */
		return -EINVAL;
	memset(&o, 0, sizeof(o));
	o.fd = fd;
	rti_buf_init(&o.b, OUT_MAX);
	eo->skipped_scopes = 0;
	if (RTI_OPTS_HAS(eo, paths_without_exemplar))
		eo->paths_without_exemplar = 0;
	switch (eo->format) {
	case RTI_HOT_EXPORT_SIGNALS: {
		struct rti_hot_filter f;

		memset(&f, 0, sizeof(f));
		f.scope = eo->scope;
		f.since = eo->since;
		f.until = eo->until;
		f.order = RTI_HOT_BY_KEY;
		err = st->ops->scan(st, &f, signals_row, &o);
		break;
	}
	case RTI_HOT_EXPORT_EVIDENCE:
		o.md = EVP_MD_CTX_new();
		err = o.md ? export_evidence(h, eo, &o) : -ENOMEM;
		break;
	case RTI_HOT_EXPORT_TRACE_BLOB: {
		struct scope_acc a;
		char digest[HS_DIGEST_LEN + 1];

		if (!eo->scope) {
			err = -EINVAL;
			break;
		}
		memset(&a, 0, sizeof(a));
		a.o = &o;
		rti_buf_init(&a.line, 1u << 20);
		o.md = EVP_MD_CTX_new();
		o.write = true;
		err = o.md ? scope_blob(h, eo, eo->scope, &a, digest) : -ENOMEM;
		rti_buf_release(&a.line);
		break;
	}
	case RTI_HOT_EXPORT_FOLDED:
		err = hs_export_folded(h, eo, fd);
		break;
	default:
		err = -EINVAL;
	}
	if (!err)
		err = out_drain(&o, true);
	EVP_MD_CTX_free(o.md);
	rti_buf_release(&o.b);
	return err;
}
