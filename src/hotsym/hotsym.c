/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hot symbol index handle: the pipeline sink that derives symbol
 * observations (spec §7), two aggregation tables (one filling, one frozen
 * batch waiting for its commit), input positions and the flush policy.
 *
 * Exactness rests on three rules:
 *   - a flush happens between events, never in the middle of one, so a
 *     batch holds whole events and the input positions noted so far;
 *   - a batch gets its id before its first commit attempt and keeps it
 *     (and its content) until a commit succeeds, so a retry after an
 *     unknown outcome is recognised by the store and skipped;
 *   - batches commit in order: a failed one is retried before the next.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hotsym/exemplar_seen.h"
#include "hotsym/hotsym_int.h"
#include "rti/canon.h"
#include "util/clock.h"
#include "util/opts.h"
#include "util/timefmt.h"

_Static_assert(RTI_PROBE_KPROBE == 1 && RTI_PROBE_KRETPROBE == 2 &&
		       RTI_PROBE_UPROBE == 3 && RTI_PROBE_URETPROBE == 4 &&
		       RTI_PROBE_TRACEPOINT == 5 && RTI_PROBE_USDT == 6 &&
		       RTI_PROBE_FENTRY == 7 && RTI_PROBE_FEXIT == 8 &&
		       RTI_PROBE_LSM == 9 && RTI_PROBE_PROCESS_EXEC == 10 &&
		       RTI_PROBE_PROCESS_EXIT == 11,
	       "probe type bits are stored in the hot symbol index");

#define SCOPE_MAX 320
#define NODE_MAX 256


/* One observation to count; strings point into the event. */
struct cand {
	const char *code_id; /* NULL: kernel */
	const char *module;
	const char *symbol;
	size_t symlen, clen, mlen;
	uint64_t symhash; /* 0: hash the symbol */
	const char *cid, *mod; /* interned */
	uint64_t hash;
};

#define MAX_CANDS 1024 /* observations of one event */

struct source {
	char *id;
	uint64_t offset;
	bool dirty;
};

struct rti_hotsym {
	struct hs_store *store;
	char node[NODE_MAX];
	size_t max_entries, max_paths, max_bytes;
	int64_t interval_ns;
	uint64_t flush_every;
	bool drop_when_full;
	int (*before_commit)(void *arg);
	void *before_commit_arg;

	struct hs_table tab[2];
	struct hs_table *act;     /* filling */
	struct hs_table *frozen;  /* the pending batch's table */
	bool pending;
	struct hs_batch batch;

	struct source src[HS_MAX_SOURCES];
	size_t nsrc;
	size_t last_src;

	uint64_t serial;          /* events counted: once-per-event stamp */
	int64_t next_flush_ns;    /* monotonic */
	int64_t retry_ns;         /* no automatic attempt before (after a failure) */
	int64_t backoff_ns;

	/* per-table caches of interned strings */
	uint64_t gen;
	uint64_t scope_gen;
	char scope_key[SCOPE_MAX];
	const char *scope_i;
	uint64_t scope_h;         /* hs_seen_scope(scope_key) */
	const unsigned char *scope_cut; /* hs_seen_cut(scope_h) */
	struct hs_seen seen;      /* exemplars already offered to the store */
	const char *kernel_i, *kmod_i;
	struct {
		const char *in, *out;
		size_t len;
	} cache[8];
	unsigned ncache, cache_next;

	struct cand *c;           /* MAX_CANDS: the event being counted */
	EVP_MD *sha256;
	EVP_MD_CTX *mdctx;
	char *fbuf;               /* frame ids of one stack */
	size_t fbuf_cap;
	struct rti_buf xbuf;      /* the exemplar of a new call path */

	struct rti_buf sigbody;   /* the Signals batch last read (signals.c) */
	bool broken;              /* an event was counted in part: commit no more */
	struct rti_hotsym_stats st;
	char errmsg[512];
};

/* durations and deadlines below are signed */
static int64_t mono_ns(void)
{
	return (int64_t)rti_now_ns();
}

/* Event times beyond 64-bit nanoseconds (years before 1677 or after 2262,
 * bad input) saturate: first/last seen stay ordered. */
void hs_redact_url(const char *url, char *out, size_t outlen)
{
	const char *p = strstr(url, "://");
	const char *at, *colon;

	snprintf(out, outlen, "%s", url);
	if (!p)
		return;
	p += 3;
	at = strchr(p, '@');
	colon = strchr(p, ':');
	if (!at || !colon || colon > at || strchr(p, '/') < at)
		return;
	snprintf(out, outlen, "%.*s:***%s", (int)(colon - url), url, at);
}

static void set_err(struct rti_hotsym *h, const char *msg)
{
	snprintf(h->errmsg, sizeof(h->errmsg), "%s", msg);
}

static bool any_dirty(const struct rti_hotsym *h)
{
	for (size_t i = 0; i < h->nsrc; i++)
		if (h->src[i].dirty)
			return true;
	return false;
}

/* A full scope's largest digest: paths beyond it need none offered. */
static int cut_one(void *arg, const char *scope, const char *max_hex)
{
	hs_seen_cut_hex(arg, hs_seen_scope(scope), max_hex);
	return 0;
}

/* An exemplar the store holds: its path needs none offered. */
static int seen_one(void *arg, const char *scope, const char *digest_hex)
{
	hs_seen_add_hex(arg, hs_seen_scope(scope), digest_hex);
	return 0;
}

/* What a writer need not offer again: the exemplars its store holds and
 * the cuts of full scopes. A failure only saves less work. */
static void learn_offered(struct rti_hotsym *h)
{
	const struct hs_store_ops *ops = h->store->ops;

	if (ops->scan_exemplars && ops->scan_exemplars(h->store, HS_SEEN_ENTRIES, seen_one,
						       &h->seen))
		h->errmsg[0] = '\0';
	if (ops->scan_full_scopes &&
	    ops->scan_full_scopes(h->store, h->batch.max_exemplars, cut_one, &h->seen))
		h->errmsg[0] = '\0';
	hs_seen_cut_done(&h->seen);
}

struct rti_hotsym *rti_hotsym_open(const char *url, const struct rti_hotsym_opts *o,
				   char *err, size_t errlen)
{
	struct rti_hotsym_opts opts = RTI_OPTS_INIT(rti_hotsym_opts, .node = NULL);
	struct rti_hotsym *h;
	char red[512];
	int rc;

	if (o && !RTI_OPTS_VALID(o, read_only)) {
		snprintf(err, errlen, "hot index: options of an unknown size");
		errno = EINVAL;
		return NULL;
	}
	if (o)
		RTI_OPTS_COPY(&opts, o); /* fields the caller lacks keep their defaults */
	o = &opts;
	if (!url || !*url) {
		snprintf(err, errlen, "hot index: empty URL (expected sqlite:PATH or postgres://...)");
		errno = EINVAL;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "hot index: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	if (o->node && *o->node) {
		if (strlen(o->node) >= sizeof(h->node)) {
			snprintf(err, errlen, "hot index: node identity longer than %d bytes",
				 NODE_MAX - 1);
			free(h);
			errno = EINVAL;
			return NULL;
		}
		snprintf(h->node, sizeof(h->node), "%s", o->node);
	} else if (gethostname(h->node, sizeof(h->node) - 1) || !h->node[0]) {
		snprintf(h->node, sizeof(h->node), "unknown");
	}
	h->max_entries = o->max_entries ? o->max_entries : 262144;
	if (h->max_entries < 1024)
		h->max_entries = 1024; /* room for the largest stack of one event */
	if (h->max_entries > UINT32_MAX / 4)
		h->max_entries = UINT32_MAX / 4;
	h->max_paths = o->max_paths ? o->max_paths : 65536;
	if (h->max_paths > UINT32_MAX / 4)
		h->max_paths = UINT32_MAX / 4;
	h->max_bytes = o->max_bytes ? o->max_bytes : (64u << 20);
	if (h->max_bytes < (1u << 20))
		h->max_bytes = 1u << 20;
	h->interval_ns = (int64_t)(o->flush_interval_s ? o->flush_interval_s : 10) * 1000000000LL;
	h->flush_every = o->flush_every ? o->flush_every : 1000000;
	h->drop_when_full = o->drop_when_full;
	h->batch.max_exemplars = RTI_OPTS_GET(o, max_exemplars, 0) ? o->max_exemplars : 1000;
	rti_buf_init(&h->xbuf, HS_EXEMPLAR_MAX);
	h->before_commit = o->before_commit;
	h->before_commit_arg = o->before_commit_arg;
	hs_table_init(&h->tab[0], h->max_entries, h->max_paths, h->max_bytes);
	hs_table_init(&h->tab[1], h->max_entries, h->max_paths, h->max_bytes);
	h->act = &h->tab[0];
	h->frozen = &h->tab[1];
	h->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	h->mdctx = EVP_MD_CTX_new();
	h->c = calloc(MAX_CANDS, sizeof(*h->c));
	if (!h->sha256 || !h->mdctx || !h->c || hs_seen_init(&h->seen)) {
		snprintf(err, errlen, "hot index: out of memory, or libcrypto has no SHA-256");
		rti_hotsym_close(h);
		errno = ENOMEM;
		return NULL;
	}

	hs_redact_url(url, red, sizeof(red));
	if (!strncmp(url, "sqlite:", 7)) {
		const char *path = url + 7;

		if (!strncmp(path, "//", 2))
			path += 2; /* sqlite:///abs/path */
		if (!*path) {
			snprintf(err, errlen, "hot index '%s': no file name after sqlite:", red);
			rti_hotsym_close(h);
			errno = EINVAL;
			return NULL;
		}
		rc = hs_sqlite_open(path, o->read_only, h->errmsg, sizeof(h->errmsg), &h->store);
	} else if (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13)) {
		rc = hs_pg_open(url, o->read_only, h->errmsg, sizeof(h->errmsg), &h->store);
	} else {
		snprintf(err, errlen,
			 "hot index '%s': unsupported URL (expected sqlite:PATH or postgres://...)",
			 red);
		rti_hotsym_close(h);
		errno = EINVAL;
		return NULL;
	}
	if (rc) {
		snprintf(err, errlen, "hot index '%s': %s", red, h->errmsg);
		rti_hotsym_close(h);
		errno = -rc;
		return NULL;
	}
	h->store->err = h->errmsg;
	h->store->errlen = sizeof(h->errmsg);
	h->errmsg[0] = '\0';
	if (!o->read_only)
		learn_offered(h);
	h->next_flush_ns = mono_ns() + h->interval_ns;
	return h;
}

static void drop_batch(struct rti_hotsym *h)
{
	for (size_t i = 0; i < h->batch.npos; i++)
		free(h->batch.pos[i].source);
	free(h->batch.pos);
	{
		uint64_t cap = h->batch.max_exemplars;

		memset(&h->batch, 0, sizeof(h->batch));
		h->batch.max_exemplars = cap;
	}
	hs_table_reset(h->frozen);
	h->pending = false;
}

/* The committed batch's exemplars were offered: the store kept each or
 * never will. Paths are sorted by scope (hs_table_freeze): a scope's hash
 * is computed once per run of its paths. */
static void remember_offered(struct rti_hotsym *h, const struct hs_table *t)
{
	const char *scope = NULL;
	uint64_t scope_h = 0;

	for (size_t i = 0; i < t->np; i++) {
		const struct hs_path *p = &t->p[i];

		if (!p->frames)
			continue;
		if (p->scope != scope) {
			scope = p->scope;
			scope_h = hs_seen_scope(scope);
		}
		hs_seen_add(&h->seen, scope_h, p->digest);
	}
}

static int commit_pending(struct rti_hotsym *h)
{
	int64_t t0 = mono_ns();
	bool dup = false;
	int err;

	if (!h->batch.has_seq) {
		err = h->store->ops->reserve(h->store, h->node, &h->batch.seq);
		if (err)
			return err;
		h->batch.has_seq = true;
	}
	err = h->store->ops->commit(h->store, h->node, &h->batch, &dup);
	if (err)
		return err;
	if (rti_hotsym__test_hook && rti_hotsym__test_hook("commit:after")) {
		set_err(h, "test: acknowledgement of a committed batch lost");
		return -EIO;
	}
	h->st.batches++;
	if (dup)
		h->st.batches_duplicate++;
	remember_offered(h, h->frozen);
	h->st.rows_flushed += h->frozen->n;
	h->st.paths_flushed += h->frozen->np;
	h->st.last_flush_us = (uint64_t)(mono_ns() - t0) / 1000;
	drop_batch(h);
	return 0;
}

/* Moves the filling table and the new input positions into the batch. */
static int freeze(struct rti_hotsym *h)
{
	struct hs_table *t = h->act;
	size_t n = 0;

	h->batch.pos = calloc(h->nsrc ? h->nsrc : 1, sizeof(*h->batch.pos));
	if (!h->batch.pos)
		return -ENOMEM;
	for (size_t i = 0; i < h->nsrc; i++) {
		if (!h->src[i].dirty)
			continue;
		h->batch.pos[n].source = strdup(h->src[i].id);
		if (!h->batch.pos[n].source) {
			for (size_t k = 0; k < n; k++)
				free(h->batch.pos[k].source);
			free(h->batch.pos);
			h->batch.pos = NULL;
			return -ENOMEM;
		}
		h->batch.pos[n++].offset = h->src[i].offset;
	}
	for (size_t i = 0; i < h->nsrc; i++)
		h->src[i].dirty = false;
	h->batch.npos = n;
	hs_table_freeze(t);
	h->act = h->frozen;
	h->frozen = t;
	h->gen++; /* interned pointers of the old table are no longer ours */
	h->batch.t = t;
	h->batch.has_seq = false;
	h->pending = true;
	return 0;
}

static int failed(struct rti_hotsym *h, int err)
{
	int64_t now = mono_ns();

	h->st.flush_errors++;
	if (!h->errmsg[0])
		set_err(h, strerror(-err));
	/* automatic retries back off: 1 s, doubling, at most the interval */
	h->backoff_ns = h->backoff_ns ? h->backoff_ns * 2 : 1000000000LL;
	if (h->backoff_ns > h->interval_ns)
		h->backoff_ns = h->interval_ns;
	h->retry_ns = now + h->backoff_ns;
	return err;
}

int rti_hotsym_flush(struct rti_hotsym *h)
{
	int err;

	h->errmsg[0] = '\0';
	h->next_flush_ns = mono_ns() + h->interval_ns;
	if (h->before_commit && (h->pending || h->act->n || h->act->np || any_dirty(h))) {
		err = h->before_commit(h->before_commit_arg);
		if (err) {
			set_err(h, "writing the output before the commit failed");
			return failed(h, err);
		}
	}
	if (h->pending) {
		err = commit_pending(h);
		if (err)
			return failed(h, err);
	}
	if (!h->act->n && !h->act->np && !any_dirty(h))
		return 0;
	if (h->broken) {
		set_err(h, "out of memory in the middle of an event: what it counted is not committed");
		return failed(h, -ENOMEM);
	}
	err = freeze(h);
	if (!err)
		err = commit_pending(h);
	if (err)
		return failed(h, err);
	h->backoff_ns = 0;
	h->retry_ns = 0;
	return 0;
}

static bool due(struct rti_hotsym *h, int64_t now)
{
	return h->act->observations >= h->flush_every || now >= h->next_flush_ns ||
	       (h->pending && now >= h->retry_ns);
}

int rti_hotsym_maybe_flush(struct rti_hotsym *h)
{
	int64_t now = mono_ns();

	if (!due(h, now) || now < h->retry_ns)
		return 0;
	return rti_hotsym_flush(h);
}

void rti_hotsym_close(struct rti_hotsym *h)
{
	if (!h)
		return;
	if (h->store) {
		rti_hotsym_flush(h);
		h->store->ops->close(h->store);
	}
	if (h->pending)
		drop_batch(h);
	hs_table_release(&h->tab[0]);
	hs_table_release(&h->tab[1]);
	hs_seen_release(&h->seen);
	for (size_t i = 0; i < h->nsrc; i++)
		free(h->src[i].id);
	EVP_MD_CTX_free(h->mdctx);
	EVP_MD_free(h->sha256);
	free(h->fbuf);
	rti_buf_release(&h->xbuf);
	rti_buf_release(&h->sigbody);
	free(h->c);
	free(h);
}

int rti_hotsym_note_input(struct rti_hotsym *h, const char *source_id, uint64_t offset)
{
	size_t i = h->last_src;

	if (!source_id || !*source_id)
		return -EINVAL;
	if (i >= h->nsrc || strcmp(h->src[i].id, source_id)) {
		for (i = 0; i < h->nsrc; i++)
			if (!strcmp(h->src[i].id, source_id))
				break;
		if (i == h->nsrc) {
			if (h->nsrc == HS_MAX_SOURCES)
				return -E2BIG;
			h->src[i].id = strdup(source_id);
			if (!h->src[i].id)
				return -ENOMEM;
			h->nsrc++;
		}
		h->last_src = i;
	}
	h->src[i].offset = offset;
	h->src[i].dirty = true;
	/* between records the table is consistent with the positions */
	rti_hotsym_maybe_flush(h);
	return 0;
}

int rti_hotsym_input_position(struct rti_hotsym *h, const char *source_id,
			      uint64_t *offset)
{
	if (!source_id || !*source_id)
		return -EINVAL;
	return h->store->ops->position(h->store, h->node, source_id, offset);
}

const struct rti_hotsym_stats *rti_hotsym_stats(struct rti_hotsym *h)
{
	h->st.entries = h->act->n + (h->pending ? h->frozen->n : 0);
	h->st.paths = h->act->np + (h->pending ? h->frozen->np : 0);
	return &h->st;
}

const char *rti_hotsym_errmsg(const struct rti_hotsym *h)
{
	return h->errmsg;
}

struct hs_store *hs_store_of(struct rti_hotsym *h)
{
	return h->store;
}

const char *hs_node_of(const struct rti_hotsym *h)
{
	return h->node;
}

struct rti_buf *hs_sig_body(struct rti_hotsym *h)
{
	if (!h->sigbody.max) /* the largest body a freeze can write, and more */
		rti_buf_init(&h->sigbody, (64u << 20));
	return &h->sigbody;
}

void hs_clear_err(struct rti_hotsym *h)
{
	h->errmsg[0] = '\0';
}

int rti_hotsym_scan(struct rti_hotsym *h, const struct rti_hot_filter *f,
		    rti_hot_entry_fn fn, void *arg)
{
	h->errmsg[0] = '\0';
	return h->store->ops->scan(h->store, f, fn, arg);
}

/* ---- the sink ---- */

static size_t cost(size_t n)
{
	return n + 1 + 7; /* as the arena counts a string */
}

/*
 * Code ids and modules repeat from frame to frame: a few recently interned
 * strings are checked first, by pointer (valid within one event) and then
 * by content (valid while the filling table is the same).
 */
static const char *intern_cached(struct rti_hotsym *h, const char *s, size_t n)
{
	const unsigned ncap = sizeof(h->cache) / sizeof(h->cache[0]);
	const char *r;
	unsigned i;

	for (i = 0; i < h->ncache; i++)
		if (h->cache[i].in == s)
			return h->cache[i].out;
	for (i = 0; i < h->ncache; i++) {
		if (h->cache[i].len == n && !memcmp(h->cache[i].out, s, n)) {
			h->cache[i].in = s;
			return h->cache[i].out;
		}
	}
	r = hs_intern(h->act, s, n);
	if (!r)
		return NULL;
	i = h->ncache < ncap ? h->ncache++ : h->cache_next++ % ncap;
	h->cache[i].in = s;
	h->cache[i].out = r;
	h->cache[i].len = n;
	return r;
}

static int build_scope(const struct rti_event *ev, const struct rti_canon *cn,
		       char out[SCOPE_MAX])
{
	int n;

	if (cn->image_digest[0])
		n = snprintf(out, SCOPE_MAX, "image:%s", cn->image_digest);
	else
		n = snprintf(out, SCOPE_MAX, "host:%s",
			     ev->node_name ? ev->node_name : "unknown");
	return n < 0 || n >= SCOPE_MAX ? -1 : n;
}

/* Returns 0 (go on), 1 (drop this event's observations) or -errno. */
static int make_room(struct rti_hotsym *h, size_t ncand, size_t bytes)
{
	int64_t now = mono_ns();
	bool room = hs_table_has_room(h->act, ncand, bytes);
	int err;

	if (room && (!due(h, now) || now < h->retry_ns))
		return 0;
	if (!room && !h->act->n && !h->act->np)
		return 1; /* larger than an empty table: cannot be counted */
	if (!room)
		h->st.flushes_early++;
	err = rti_hotsym_flush(h);
	if (!err || hs_table_has_room(h->act, ncand, bytes))
		return 0; /* a failed batch waits; the new table keeps filling */
	return h->drop_when_full ? 1 : err;
}

static int stack_digest(struct rti_hotsym *h, const struct rti_canon *cn,
			unsigned char md[32])
{
	size_t need = (size_t)cn->n_frames * (RTI_FRAME_ID_LEN + 1);
	unsigned int mdlen = 0;
	size_t n = 0;

	if (need > h->fbuf_cap) {
		char *nb = realloc(h->fbuf, need);

		if (!nb)
			return -ENOMEM;
		h->fbuf = nb;
		h->fbuf_cap = need;
	}
	for (unsigned i = 0; i < cn->n_frames; i++) {
		size_t l = strnlen(cn->frames[i].frame_id, RTI_FRAME_ID_LEN);

		memcpy(h->fbuf + n, cn->frames[i].frame_id, l);
		n += l;
		h->fbuf[n++] = '\n';
	}
	if (!EVP_DigestInit_ex(h->mdctx, h->sha256, NULL) ||
	    !EVP_DigestUpdate(h->mdctx, h->fbuf, n) ||
	    !EVP_DigestFinal_ex(h->mdctx, md, &mdlen) || mdlen != 32)
		return -EIO;
	return 0;
}

/* The symbol observations of one event (its frames with a symbol, and the
 * probe's own function) into h->c; adds what they may cost at most to
 * *bytes. Returns how many. */
static size_t collect_candidates(struct rti_hotsym *h, const struct rti_event *ev,
				 const struct rti_canon *cn, size_t *bytes)
{
	enum rti_probe_type t = cn->probe;
	bool user_probe = t == RTI_PROBE_UPROBE || t == RTI_PROBE_URETPROBE;
	bool kern_probe = t == RTI_PROBE_KPROBE || t == RTI_PROBE_KRETPROBE ||
			  t == RTI_PROBE_FENTRY || t == RTI_PROBE_FEXIT || t == RTI_PROBE_LSM;
	struct cand *c = h->c;
	size_t nc = 0;

	for (unsigned i = 0; i <= cn->n_frames; i++) {
		const char *code_id, *module, *sym;

		if (i < cn->n_frames) {
			const struct rti_frame *f = &cn->frames[i];

			if (!f->symbol)
				continue;
			sym = f->symbol;
			module = f->module;
			code_id = f->space == RTI_SPACE_KERNEL ? NULL : f->code_id;
			if (f->space != RTI_SPACE_KERNEL && !code_id) {
				h->st.skipped_no_code_id++;
				continue;
			}
		} else if (user_probe && ev->function) {
			if (!cn->probe_code_id) {
				h->st.skipped_no_code_id++;
				continue;
			}
			sym = ev->function;
			module = cn->probe_module;
			code_id = cn->probe_code_id;
		} else if (kern_probe && ev->function) {
			sym = ev->function;
			module = "[kernel]";
			code_id = NULL;
		} else {
			continue;
		}
		if (nc == MAX_CANDS) {
			h->st.dropped++;
			continue;
		}
		if (i < cn->n_frames && cn->obs) {
			/* measured once, when the stack was memoized */
			const struct rti_obs_key *o = &cn->obs[i];

			c[nc].symlen = o->symlen;
			c[nc].symhash = o->symhash;
			c[nc].clen = code_id ? o->clen : 6;
			c[nc].mlen = module ? o->mlen : 0;
		} else {
			/* neighbouring frames often share their code id and module */
			c[nc].symlen = strlen(sym);
			c[nc].symhash = 0;
			c[nc].clen = !code_id ? 6
				     : nc && code_id == c[nc - 1].code_id ? c[nc - 1].clen
				     : strnlen(code_id, RTI_HOTSYM_MAX_NAME + 1);
			c[nc].mlen = !module ? 0
				     : nc && module == c[nc - 1].module ? c[nc - 1].mlen
				     : strnlen(module, RTI_HOTSYM_MAX_NAME + 1);
		}
		if (c[nc].symlen > RTI_HOTSYM_MAX_NAME || c[nc].clen > RTI_HOTSYM_MAX_NAME ||
		    c[nc].mlen > RTI_HOTSYM_MAX_NAME) {
			h->st.skipped_too_long++;
			continue;
		}
		c[nc].code_id = code_id;
		c[nc].module = module;
		c[nc].symbol = sym;
		*bytes += cost(c[nc].symlen);
		*bytes += code_id ? cost(c[nc].clen) : 0;
		*bytes += module ? cost(c[nc].mlen) : 0;
		nc++;
	}
	return nc;
}

/* The scope's interned string in the filling table (re-interned after a
 * freeze or when the scope changes); NULL when out of memory. */
static const char *intern_scope(struct rti_hotsym *h, const char *scope, int scope_len)
{
	if (h->scope_gen != h->gen)
		h->ncache = 0;
	for (unsigned i = 0; i < h->ncache; i++)
		h->cache[i].in = NULL; /* pointers of the previous event */
	if (h->scope_gen != h->gen || !h->scope_i || strcmp(h->scope_key, scope)) {
		memcpy(h->scope_key, scope, (size_t)scope_len + 1);
		h->scope_h = hs_seen_scope(scope);
		h->scope_cut = hs_seen_cut(&h->seen, h->scope_h);
		h->scope_i = hs_intern(h->act, scope, (size_t)scope_len);
		h->kernel_i = hs_intern(h->act, "kernel", 6);
		h->kmod_i = hs_intern(h->act, "[kernel]", 8);
		h->scope_gen = h->gen;
		if (!h->scope_i || !h->kernel_i || !h->kmod_i)
			return NULL;
	}
	return h->scope_i;
}

/* Adds the nc candidates of h->c under scope_i; -ENOMEM when malloc failed. */
static int add_candidates(struct rti_hotsym *h, size_t nc, const char *scope_i, uint32_t bit,
			  int64_t ns)
{
	struct cand *c = h->c;
	int r;

	h->serial++;
	for (size_t i = 0; i < nc; i++) {
		c[i].cid = c[i].code_id ? intern_cached(h, c[i].code_id, c[i].clen) : h->kernel_i;
		c[i].mod = !c[i].module ? NULL
			   : c[i].mlen == 8 && !memcmp(c[i].module, "[kernel]", 8) ? h->kmod_i
			   : intern_cached(h, c[i].module, c[i].mlen);
		if (!c[i].cid || (c[i].module && !c[i].mod))
			return -ENOMEM;
		c[i].hash = c[i].symhash ? hs_entry_hash_sym(scope_i, c[i].cid, c[i].symhash)
				: hs_entry_hash(scope_i, c[i].cid, c[i].symbol, c[i].symlen);
		hs_table_prefetch(h->act, c[i].hash, 0);
	}
	for (int stage = 1; stage <= 2; stage++)
		for (size_t i = 0; i < nc; i++)
			hs_table_prefetch(h->act, c[i].hash, stage);
	for (size_t i = 0; i < nc; i++) {
		r = hs_table_add(h->act, c[i].hash, scope_i, c[i].cid, c[i].mod, c[i].symbol,
				 c[i].symlen, bit, ns, h->serial);
		if (r < 0)
			return -ENOMEM;
		if (r == 0)
			h->st.observations++;
	}
	return 0;
}

/* One frame of an exemplar: space, code_id, offset, module, symbol,
 * tab-separated (tabs and newlines inside a value become spaces). Copied
 * by spans: exemplars are kilobytes, one per new call path. */
static int exemplar_field(struct rti_buf *b, const char *v, char end)
{
	int err = 0;

	while (v && *v && !err) {
		size_t n = strcspn(v, "\t\n");

		err = rti_buf_add(b, v, n);
		v += n;
		if (*v && !err) {
			err = rti_buf_addch(b, ' ');
			v++;
		}
	}
	return err ? err : rti_buf_addch(b, end);
}

/* "0x" and the offset in lowercase hex, then a tab (as "0x%" PRIx64 "\t") */
static int exemplar_offset(struct rti_buf *b, uint64_t off)
{
	char t[2 + 16 + 1];
	size_t n = sizeof(t);

	t[--n] = '\t';
	do {
		t[--n] = "0123456789abcdef"[off & 15];
		off >>= 4;
	} while (off);
	t[--n] = 'x';
	t[--n] = '0';
	return rti_buf_add(b, t + n, sizeof(t) - n);
}

/* The frames of the first event of a new call path, innermost first (§5);
 * kept when the table's string memory has room, else counted. */
static void keep_exemplar(struct rti_hotsym *h, const struct rti_canon *cn)
{
	struct rti_buf *b = &h->xbuf;
	int err = 0;

	rti_buf_reset(b);
	for (unsigned i = 0; i < cn->n_frames && !err; i++) {
		const struct rti_frame *f = &cn->frames[i];

		err = exemplar_field(b, f->space == RTI_SPACE_KERNEL ? "kernel" : "user", '\t');
		if (!err)
			err = exemplar_field(b, f->code_id, '\t');
		if (!err)
			err = exemplar_offset(b, f->offset);
		if (!err)
			err = exemplar_field(b, f->module, '\t');
		if (!err)
			err = exemplar_field(b, f->symbol, '\n');
	}
	if (!err && b->len && hs_table_has_room(h->act, 0, b->len + 64))
		h->act->p[h->act->np - 1].frames = hs_intern(h->act, b->p, b->len);
	if (h->act->p[h->act->np - 1].frames)
		h->st.exemplars++;
	else
		h->st.exemplars_skipped++;
}

static int hs_event(void *ctx, const struct rti_event *ev, const struct rti_canon *cn,
		    const char *line, size_t len)
{
	struct rti_hotsym *h = ctx;
	enum rti_probe_type t = cn->probe;
	size_t nc, bytes = 0;
	char scope[SCOPE_MAX];
	int scope_len;
	int64_t ns;
	const char *scope_i;
	unsigned char md[32];
	int r;

	(void)line; /* the index reads the canonical record, not its line */
	(void)len;
	if (t == RTI_PROBE_NONE || t >= RTI_PROBE__COUNT)
		return 0;
	h->st.events++;
	ns = rti_time_ns_saturated(&ev->time);
	nc = collect_candidates(h, ev, cn, &bytes);
	if (!nc && !cn->n_frames) {
		rti_hotsym_maybe_flush(h); /* errors are kept for the next flush */
		return 0;
	}
	scope_len = build_scope(ev, cn, scope);
	if (scope_len < 0) {
		h->st.skipped_too_long += nc;
		return 0;
	}
	bytes += cost((size_t)scope_len) + cost(6) + cost(8);
	r = make_room(h, nc, bytes);
	if (r < 0)
		return r;
	if (r > 0) {
		h->st.dropped += nc;
		return 0;
	}
	scope_i = intern_scope(h, scope, scope_len);
	if (!scope_i || add_candidates(h, nc, scope_i, 1u << t, ns))
		goto full;
	if (cn->n_frames) {
		if (cn->stack_digest) {
			memcpy(md, cn->stack_digest, sizeof(md));
		} else {
			r = stack_digest(h, cn, md);
			if (r)
				return r;
		}
		r = hs_table_add_path(h->act, scope_i, md, ns);
		if (r < 0)
			goto full;
		/* a new path of this batch: its exemplar, unless offered before
		 * or beyond what the scope can keep */
		if (r > 0 && !hs_seen_has(&h->seen, h->scope_h, md) &&
		    !(h->scope_cut && memcmp(md, h->scope_cut, 32) > 0))
			keep_exemplar(h, cn);
		h->st.path_observations++;
	}
	return 0;
full:
	/* make_room() reserved the worst case: only malloc can fail here */
	h->broken = true;
	set_err(h, "hot index: out of memory");
	return -ENOMEM;
}

/* The pipeline flushes its sinks whenever the input goes idle (run, follow
 * mode); committing a batch each time would turn a trickle of events into
 * a transaction per event. The hot index commits when due (interval or
 * observation count); the owner commits the rest with rti_hotsym_flush(). */
static int hs_sink_flush(void *ctx)
{
	return rti_hotsym_maybe_flush(ctx);
}

static void hs_sink_destroy(void *ctx)
{
	(void)ctx; /* the handle belongs to the caller */
}

static const struct rti_sink_ops hotsym_ops = {
	.name = "hot-index",
	.event = hs_event,
	.flush = hs_sink_flush,
	.destroy = hs_sink_destroy,
	.flags = RTI_SINK_NO_LINE | RTI_SINK_STACK_DIGEST | RTI_SINK_INDEX_FIELDS,
};

int rti_hotsym_sink(struct rti_hotsym *h, const struct rti_sink_ops **ops, void **ctx)
{
	if (!h)
		return -EINVAL;
	*ops = &hotsym_ops;
	*ctx = h;
	return 0;
}
