/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The signals sink's batch source (signals_source.h): when to freeze,
 * which scopes, the request path; the store does the transactions
 * (rti_hotsym_signals_*).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery/callgraph_map.h"
#include "delivery/signals_source.h"
#include "rti/hotsym.h"
#include "util/clock.h"
#include "util/opts.h"

#define INTERVAL_MS 60000
#define LEASE_MS 600000
#define MAX_SCOPES_PER_PASS 100000 /* the rest waits for the next pass */
#define RETRY_MS 5000              /* a failed freeze pass is retried after */

struct rti_signals_source {
	struct rti_hotsym *h;
	_Atomic uint64_t interval_ms; /* reloadable (rti_signals_source_reconfigure) */
	uint64_t lease_ms, max_lines;
	size_t max_bytes;
	_Atomic bool require_callgraph;
	uint64_t next_freeze_ms;
	bool started;
	bool more;                 /* a scope's growth did not fit its batch */

	pthread_mutex_t lock;      /* map, for set_map() from another thread */
	struct rti_callgraph_map *map;

	_Atomic uint64_t held;
	_Atomic bool map_changed;  /* a held scope may have its id now: freeze */
	struct rti_signals_source_stats st;
	char errmsg[512];
};

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* "image:sha256:<64 hex>" -> "sha256:<hex>"; NULL for other scopes */
static const char *image_digest(const char *scope)
{
	if (strncmp(scope, "image:sha256:", 13) || strlen(scope) != 13 + 64 ||
	    !is_hex(scope + 13, 64))
		return NULL;
	return scope + 6;
}

/* RFC 3986 unreserved characters and ':' stay (the digest reads as in the
 * spec: imageDigest=sha256:<hex>); every other byte is %XX. */
static int enc(char *out, size_t outlen, size_t *w, const char *v)
{
	static const char hx[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		bool keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
			    *p == '~' || *p == ':';

		if (*w + (keep ? 1 : 3) >= outlen)
			return -ENAMETOOLONG;
		if (keep) {
			out[(*w)++] = (char)*p;
		} else {
			out[(*w)++] = '%';
			out[(*w)++] = hx[*p >> 4];
			out[(*w)++] = hx[*p & 15];
		}
	}
	out[*w] = '\0';
	return 0;
}

static int lit(char *out, size_t outlen, size_t *w, const char *s)
{
	size_t n = strlen(s);

	if (*w + n >= outlen)
		return -ENAMETOOLONG;
	memcpy(out + *w, s, n + 1);
	*w += n;
	return 0;
}

int rti_signals_path(char *out, size_t outlen, const char *cg, const char *digest)
{
	size_t w = 0;
	int err = lit(out, outlen, &w, "/signals/runtime-facts/ndjson?");

	if (!err && cg)
		err = lit(out, outlen, &w, "callgraphId=") ?: enc(out, outlen, &w, cg) ?:
		      lit(out, outlen, &w, "&");
	if (!err)
		err = lit(out, outlen, &w, "imageDigest=") ?: enc(out, outlen, &w, digest) ?:
		      lit(out, outlen, &w, "&source=stella-rti");
	return err;
}

static void set_err(struct rti_signals_source *s, int err, const char *what)
{
	const char *why = rti_hotsym_errmsg(s->h);

	s->st.errors++;
	snprintf(s->errmsg, sizeof(s->errmsg), "signals: %s: %s", what,
		 why && *why ? why : strerror(-err));
}

struct scope_list {
	char **v;
	size_t n, cap;
};

static int collect(void *arg, const char *scope)
{
	struct scope_list *l = arg;

	if (l->n == MAX_SCOPES_PER_PASS)
		return 1; /* enough for this pass */
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		char **nv = realloc(l->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n] = strdup(scope);
	if (!l->v[l->n])
		return -ENOMEM;
	l->n++;
	return 0;
}

/* The callgraph id of digest, copied under the lock: 1 found, 0 none. */
static int lookup(struct rti_signals_source *s, const char *digest, char *cg, size_t cglen)
{
	const char *v;

	pthread_mutex_lock(&s->lock);
	v = rti_callgraph_map_get(s->map, digest);
	if (v)
		snprintf(cg, cglen, "%s", v);
	pthread_mutex_unlock(&s->lock);
	return v != NULL;
}

/* One scope: held, skipped or frozen. 0, 1 frozen, 2 frozen and more, -errno. */
static int freeze_scope(struct rti_signals_source *s, const char *scope, uint64_t *held,
			uint64_t *hosts)
{
	struct rti_hot_signals_freeze_opts fo = RTI_OPTS_INIT(rti_hot_signals_freeze_opts);
	char cg[RTI_CALLGRAPH_ID_MAX + 1], path[1024];
	const char *digest = image_digest(scope);
	bool have_cg;

	if (!digest) {
		(*hosts)++; /* Signals facts are per image: a host has no digest */
		return 0;
	}
	have_cg = lookup(s, digest, cg, sizeof(cg));
	if (!have_cg && s->require_callgraph) {
		(*held)++;
		return 0;
	}
	if (rti_signals_path(path, sizeof(path), have_cg ? cg : NULL, digest))
		return -ENAMETOOLONG;
	fo.path = path;
	fo.max_lines = s->max_lines;
	fo.max_bytes = s->max_bytes;
	return rti_hotsym_signals_freeze(s->h, scope, &fo);
}

static int freeze_pass(struct rti_signals_source *s)
{
	struct scope_list l = { NULL, 0, 0 };
	uint64_t held = 0, hosts = 0;
	bool more = false;
	int err = rti_hotsym_signals_scopes(s->h, collect, &l);

	if (err == 1)
		more = true, err = 0; /* more scopes than one pass takes */
	for (size_t i = 0; i < l.n && !err; i++) {
		int rc = freeze_scope(s, l.v[i], &held, &hosts);

		if (rc < 0)
			err = rc;
		else if (rc > 0)
			s->st.batches_frozen++;
		more |= rc == 2;
	}
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	s->st.freezes++;
	if (err) {
		s->more = false; /* retried after RETRY_MS, not at every call */
		set_err(s, err, "freezing batches");
		return err;
	}
	atomic_store(&s->held, held);
	s->st.held_scopes = held;
	s->st.host_scopes = hosts;
	s->more |= more; /* until no batch is outstanding (src_next) */
	return 0;
}

static int src_next(void *ctx, struct rti_batch *b, uint64_t now_ms)
{
	struct rti_signals_source *s = ctx;
	struct rti_hot_signals_batch hb;
	int ferr = 0, rc;

	if (!s->started || now_ms >= s->next_freeze_ms || s->more ||
	    atomic_exchange(&s->map_changed, false)) {
		s->started = true;
		ferr = freeze_pass(s);
		s->next_freeze_ms = now_ms + (ferr && s->interval_ms > RETRY_MS ? RETRY_MS
									  : s->interval_ms);
	}
	rc = rti_hotsym_signals_next(s->h, s->lease_ms, &hb);
	if (rc < 0) {
		set_err(s, rc, "reading the next batch");
		return rc;
	}
	if (rc == 0) {
		/* nothing outstanding: every capped scope had its next batch
		 * frozen by a pass since, or its growth is all pushed */
		if (!ferr)
			s->more = false;
		return ferr;
	}
	memset(b, 0, sizeof(*b));
	memcpy(b->id, hb.id, sizeof(b->id));
	memcpy(b->path, hb.path, sizeof(b->path));
	b->body = hb.body;
	b->len = hb.len;
	b->records = hb.records;
	b->created_ms = hb.created_ms;
	return 1;
}

static int src_ack(void *ctx, const struct rti_batch *b)
{
	struct rti_signals_source *s = ctx;
	int rc = rti_hotsym_signals_ack(s->h, b->id);

	if (rc < 0) {
		set_err(s, rc, "acknowledging a batch");
		return rc;
	}
	if (rc)
		s->st.acked++;
	else
		s->st.acked_before++;
	return 0;
}

static int src_dead(void *ctx, const struct rti_batch *b, long status, const char *resp,
		    size_t resp_len)
{
	struct rti_signals_source *s = ctx;
	int rc = rti_hotsym_signals_dead(s->h, b->id, status, resp, resp_len);

	if (rc < 0) {
		set_err(s, rc, "keeping a refused batch");
		return rc;
	}
	if (rc)
		s->st.dead++;
	return 0;
}

static uint64_t src_held(void *ctx)
{
	struct rti_signals_source *s = ctx;

	return atomic_load(&s->held);
}

static void src_destroy(void *ctx)
{
	rti_signals_source_free(ctx);
}

static const struct rti_batch_source_ops signals_ops = {
	.sink = "signals",
	.next = src_next,
	.ack = src_ack,
	.dead = src_dead,
	.held = src_held,
	.destroy = src_destroy,
};

const struct rti_batch_source_ops *rti_signals_source_ops(void)
{
	return &signals_ops;
}

struct rti_signals_source *rti_signals_source_open(const struct rti_signals_source_opts *o,
						   char *err, size_t errlen)
{
	struct rti_hotsym_opts ho = RTI_OPTS_INIT(rti_hotsym_opts);
	struct rti_signals_source *s;

	if (!RTI_OPTS_VALID(o, max_bytes) || !o->hot_index || !*o->hot_index) {
		snprintf(err, errlen, "signals: no hot index URL (or options of an unknown size)");
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "signals: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->interval_ms = o->interval_ms ? o->interval_ms : INTERVAL_MS;
	s->lease_ms = o->lease_ms ? o->lease_ms : LEASE_MS;
	s->max_lines = o->max_lines;
	s->max_bytes = o->max_bytes;
	s->require_callgraph = o->require_callgraph;
	if (o->callgraph_map && *o->callgraph_map) {
		s->map = rti_callgraph_map_load(o->callgraph_map, err, errlen);
		if (!s->map) {
			int e = errno;

			rti_signals_source_free(s);
			errno = e;
			return NULL;
		}
	}
	ho.node = o->node;
	s->h = rti_hotsym_open(o->hot_index, &ho, err, errlen);
	if (!s->h) {
		int e = errno;

		rti_signals_source_free(s);
		errno = e;
		return NULL;
	}
	return s;
}

int rti_signals_source_set_map(struct rti_signals_source *s, const char *path, char *err,
			       size_t errlen)
{
	struct rti_callgraph_map *m = NULL, *old;

	if (path && *path) {
		m = rti_callgraph_map_load(path, err, errlen);
		if (!m)
			return -errno;
	}
	pthread_mutex_lock(&s->lock);
	old = s->map;
	s->map = m;
	pthread_mutex_unlock(&s->lock);
	rti_callgraph_map_free(old);
	atomic_store(&s->map_changed, true);
	return 0;
}

void rti_signals_source_reconfigure(struct rti_signals_source *s, uint64_t interval_ms,
				    bool require_callgraph, struct rti_callgraph_map *map)
{
	struct rti_callgraph_map *old;

	atomic_store(&s->interval_ms, interval_ms ? interval_ms : INTERVAL_MS);
	atomic_store(&s->require_callgraph, require_callgraph);
	pthread_mutex_lock(&s->lock);
	old = s->map;
	s->map = map;
	pthread_mutex_unlock(&s->lock);
	rti_callgraph_map_free(old);
	/* held scopes may have an id now, or need none */
	atomic_store(&s->map_changed, true);
}

void rti_signals_source_stats(struct rti_signals_source *s, struct rti_signals_source_stats *out)
{
	*out = s->st;
}

const char *rti_signals_source_errmsg(struct rti_signals_source *s)
{
	return s->errmsg;
}

void rti_signals_source_free(struct rti_signals_source *s)
{
	if (!s)
		return;
	rti_hotsym_close(s->h);
	rti_callgraph_map_free(s->map);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
