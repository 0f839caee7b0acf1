/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tetragon/process_memo.h"
#include "util/hash.h"

#define WAYS 2
#define SAMPLE 64 /* bytes hashed at each end of a key: the set only */

/* A field added to these structs must be copied by flat_size()/flatten()
 * below: until then, this stops the build. */
_Static_assert(sizeof(struct rti_process) == 224, "struct rti_process changed: update flatten()");
_Static_assert(sizeof(struct rti_pod) == 96, "struct rti_pod changed: update flatten()");

struct entry {
	uint64_t h;
	uint64_t used; /* the clock when last hit or stored */
	char *key;     /* klen bytes, then (8-aligned) the flattened value */
	size_t klen, vlen, size;
	size_t arena;  /* what decoding the text took of the arena */
	bool skim;
};

struct rti_process_memo {
	struct entry *e;
	size_t nsets;
	size_t bytes, max_bytes;
	uint64_t clock;
	size_t hand; /* the next entry the byte cap evicts */
	struct rti_process_memo_stats st;
};

struct rti_process_memo *rti_process_memo_new(unsigned slots, size_t max_bytes)
{
	struct rti_process_memo *m = calloc(1, sizeof(*m));
	size_t n = WAYS;

	if (!m)
		return NULL;
	while (n < (slots ? slots : RTI_PROCESS_MEMO_SLOTS))
		n <<= 1;
	m->nsets = n / WAYS;
	m->max_bytes = max_bytes ? max_bytes : RTI_PROCESS_MEMO_BYTES;
	m->e = calloc(n, sizeof(*m->e));
	if (!m->e) {
		free(m);
		return NULL;
	}
	return m;
}

void rti_process_memo_free(struct rti_process_memo *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nsets * WAYS; i++)
		free(m->e[i].key);
	free(m->e);
	free(m);
}

static uint64_t key_hash(const char *key, size_t klen)
{
	uint64_t h = rti_fnv1a(&klen, sizeof(klen), RTI_FNV_INIT);

	if (klen <= 2 * SAMPLE)
		return rti_fnv1a(key, klen, h);
	h = rti_fnv1a(key, SAMPLE, h);
	return rti_fnv1a(key + klen - SAMPLE, SAMPLE, h);
}

/* ---- a process with everything it points to, in one block ---- */

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static size_t str_size(const char *s)
{
	return s && *s ? strlen(s) + 1 : 0;
}

static size_t kv_size(const struct rti_kv *kv, unsigned n)
{
	size_t b = kv ? sizeof(*kv) * n : 0;

	for (unsigned i = 0; kv && i < n; i++)
		b += str_size(kv[i].key) + str_size(kv[i].value);
	return b;
}

/* the bytes flatten() writes besides the struct */
static size_t flat_size(const struct rti_process *p)
{
	const struct rti_pod *d = &p->pod;

	return kv_size(p->env, p->n_env) + kv_size(d->labels, d->n_labels) +
	       kv_size(d->annotations, d->n_annotations) + str_size(p->exec_id) +
	       str_size(p->parent_exec_id) + str_size(p->binary) + str_size(p->cwd) +
	       str_size(p->arguments) + str_size(p->user_name) + str_size(p->docker) +
	       str_size(d->namespace_) + str_size(d->name) + str_size(d->workload) +
	       str_size(d->workload_kind) + str_size(d->container_id) +
	       str_size(d->container_name) + str_size(d->image_id) + str_size(d->image_name);
}

/* The block being written: kv arrays first (8-aligned), strings after. */
struct flat {
	char *kv_at, *str_at;
};

static const char *put_str(struct flat *f, const char *s)
{
	size_t n;
	char *r;

	if (!s)
		return NULL;
	if (!*s)
		return ""; /* no bytes: a hit never takes more than decoding did */
	n = strlen(s) + 1;
	r = memcpy(f->str_at, s, n);
	f->str_at += n;
	return r;
}

static const struct rti_kv *put_kv(struct flat *f, const struct rti_kv *kv, unsigned n)
{
	struct rti_kv *r = (struct rti_kv *)(void *)f->kv_at;

	if (!kv || !n)
		return NULL;
	f->kv_at += sizeof(*kv) * n;
	for (unsigned i = 0; i < n; i++) {
		r[i].key = put_str(f, kv[i].key);
		r[i].value = put_str(f, kv[i].value);
	}
	return r;
}

/* p copied into *o, what it points to into region (flat_size(p) bytes,
 * 8-aligned) */
static void flatten(const struct rti_process *p, struct rti_process *o, char *region)
{
	const struct rti_pod *d = &p->pod;
	struct flat f;
	size_t kv_arrays = (p->env ? sizeof(struct rti_kv) * p->n_env : 0) +
			   (d->labels ? sizeof(struct rti_kv) * d->n_labels : 0) +
			   (d->annotations ? sizeof(struct rti_kv) * d->n_annotations : 0);

	*o = *p;
	f.kv_at = region;
	f.str_at = f.kv_at + kv_arrays;
	o->env = put_kv(&f, p->env, p->n_env);
	o->pod.labels = put_kv(&f, d->labels, d->n_labels);
	o->pod.annotations = put_kv(&f, d->annotations, d->n_annotations);
	o->exec_id = put_str(&f, p->exec_id);
	o->parent_exec_id = put_str(&f, p->parent_exec_id);
	o->binary = put_str(&f, p->binary);
	o->cwd = put_str(&f, p->cwd);
	o->arguments = put_str(&f, p->arguments);
	o->user_name = put_str(&f, p->user_name);
	o->docker = put_str(&f, p->docker);
	o->pod.namespace_ = put_str(&f, d->namespace_);
	o->pod.name = put_str(&f, d->name);
	o->pod.workload = put_str(&f, d->workload);
	o->pod.workload_kind = put_str(&f, d->workload_kind);
	o->pod.container_id = put_str(&f, d->container_id);
	o->pod.container_name = put_str(&f, d->container_name);
	o->pod.image_id = put_str(&f, d->image_id);
	o->pod.image_name = put_str(&f, d->image_name);
}

/* ---- the table ---- */

static void drop(struct rti_process_memo *m, struct entry *e)
{
	if (!e->key)
		return;
	m->bytes -= e->size;
	m->st.entries--;
	free(e->key);
	e->key = NULL;
}

int rti_process_memo_get(struct rti_process_memo *m, const char *key, size_t klen, bool skim,
			 struct rti_arena *a, struct rti_process *out)
{
	uint64_t h = key_hash(key, klen);
	struct entry *set = &m->e[(h & (m->nsets - 1)) * WAYS];
	char *dst;

	for (int w = 0; w < WAYS; w++) {
		struct entry *e = &set[w];
		const struct rti_process *v;

		if (!e->key || e->h != h || e->klen != klen || e->skim != skim ||
		    memcmp(e->key, key, klen))
			continue;
		v = (const struct rti_process *)(void *)(e->key + align8(klen));
		/* exactly what decoding took: the arena's cap acts the same */
		dst = e->arena ? rti_arena_alloc(a, e->arena) : NULL;
		if (e->arena && !dst)
			return -1;
		flatten(v, out, dst);
		e->used = ++m->clock;
		m->st.hits++;
		return 1;
	}
	m->st.misses++;
	return 0;
}

void rti_process_memo_put(struct rti_process_memo *m, const char *key, size_t klen, bool skim,
			  const struct rti_process *p, size_t arena)
{
	uint64_t h = key_hash(key, klen);
	struct entry *set = &m->e[(h & (m->nsets - 1)) * WAYS];
	struct entry *e = &set[0];
	size_t vlen = align8(sizeof(*p)) + flat_size(p), need = align8(klen) + vlen;
	char *blk;

	/* flat_size() <= arena always (decoded strings are no longer than
	 * their tokens, each took at least its length + 1): checked anyway */
	if (need > m->max_bytes / 8 || flat_size(p) > arena)
		return;
	for (int w = 1; w < WAYS && e->key; w++)
		if (!set[w].key || set[w].used < e->used)
			e = &set[w];
	if (e->key)
		m->st.evictions++;
	drop(m, e);
	/* the byte cap: other entries go, in turn */
	for (size_t tries = 0; m->bytes + need > m->max_bytes && tries < m->nsets * WAYS; tries++) {
		struct entry *x = &m->e[m->hand];

		m->hand = (m->hand + 1) % (m->nsets * WAYS);
		if (x->key && x != e) {
			drop(m, x);
			m->st.evictions++;
		}
	}
	blk = malloc(need);
	if (!blk)
		return;
	memcpy(blk, key, klen);
	flatten(p, (struct rti_process *)(void *)(blk + align8(klen)),
		blk + align8(klen) + align8(sizeof(*p)));
	e->key = blk;
	e->h = h;
	e->klen = klen;
	e->vlen = vlen;
	e->size = need;
	e->arena = arena;
	e->skim = skim;
	e->used = ++m->clock;
	m->bytes += need;
	m->st.entries++;
}

void rti_process_memo_stats(const struct rti_process_memo *m, struct rti_process_memo_stats *st)
{
	*st = m->st;
	st->bytes = m->bytes;
}
