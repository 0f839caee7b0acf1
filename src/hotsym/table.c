/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The aggregation table: open addressing (linear probing) over entry
 * arrays that grow by doubling up to their caps. Scopes, code ids and
 * modules are interned, so a key compares by pointer plus one strcmp of
 * the symbol; all strings live in one capped arena dropped at once when a
 * flush has committed the table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hotsym/hotsym_int.h"
#include "util/hash.h"

#define IDX_MIN 1024u

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

void hs_table_init(struct hs_table *t, size_t max_entries, size_t max_paths,
		   size_t max_bytes)
{
	memset(t, 0, sizeof(*t));
	rti_arena_init(&t->strings, 256 * 1024, max_bytes);
	t->max = max_entries;
	t->pmax = max_paths;
}

void hs_table_release(struct hs_table *t)
{
	rti_arena_release(&t->strings);
	free(t->e);
	free(t->idx);
	free(t->p);
	free(t->pidx);
	free(t->is);
	memset(t, 0, sizeof(*t));
}

void hs_table_reset(struct hs_table *t)
{
	rti_arena_reset(&t->strings);
	t->n = 0;
	t->np = 0;
	t->nis = 0;
	t->observations = 0;
	if (t->idx)
		memset(t->idx, 0, t->icap * sizeof(*t->idx));
	if (t->pidx)
		memset(t->pidx, 0, t->picap * sizeof(*t->pidx));
	if (t->is)
		memset(t->is, 0, t->iscap * sizeof(*t->is));
}

bool hs_table_has_room(const struct hs_table *t, size_t entries, size_t bytes)
{
	return t->n + entries <= t->max && t->np < t->pmax &&
	       t->strings.used_total + bytes <= t->strings.max_total;
}

/* A slot: the high half of the hash, then the entry index + 1 (0 = empty),
 * so probing compares hashes without touching the entries. */
#define SLOT(hash, k) (((hash) & 0xffffffff00000000ULL) | (uint64_t)(k))
#define SLOT_K(v) ((uint32_t)(v))
#define SLOT_TAG(v) ((v) & 0xffffffff00000000ULL)

static int grow_index(uint64_t **idx, size_t *icap, size_t n)
{
	size_t want = *icap ? *icap : IDX_MIN;
	uint64_t *ni;

	while (want < 2 * (n + 1))
		want *= 2;
	if (want == *icap)
		return 0;
	ni = calloc(want, sizeof(*ni));
	if (!ni)
		return -ENOMEM;
	free(*idx);
	*idx = ni;
	*icap = want;
	return 1; /* rehash needed */
}

const char *hs_intern(struct hs_table *t, const char *s, size_t n)
{
	uint64_t h = rti_str_hash64(s, n);
	size_t mask, i;
	char *c;

	if (t->nis * 2 + 2 > t->iscap) {
		size_t ncap = t->iscap ? t->iscap * 2 : 256;
		struct hs_istr *ni = calloc(ncap, sizeof(*ni));

		if (!ni)
			return NULL;
		for (size_t k = 0; k < t->iscap; k++) {
			if (!t->is[k].s)
				continue;
			i = t->is[k].hash & (ncap - 1);
			while (ni[i].s)
				i = (i + 1) & (ncap - 1);
			ni[i] = t->is[k];
		}
		free(t->is);
		t->is = ni;
		t->iscap = ncap;
	}
	mask = t->iscap - 1;
	for (i = h & mask; t->is[i].s; i = (i + 1) & mask)
		if (t->is[i].hash == h && !strncmp(t->is[i].s, s, n) && !t->is[i].s[n])
			return t->is[i].s;
	c = rti_arena_strndup(&t->strings, s, n);
	if (!c)
		return NULL;
	t->is[i].hash = h;
	t->is[i].s = c;
	t->nis++;
	return c;
}

static void rehash_entries(struct hs_table *t)
{
	size_t mask = t->icap - 1;

	for (size_t k = 0; k < t->n; k++) {
		size_t i = t->e[k].hash & mask;

		while (t->idx[i])
			i = (i + 1) & mask;
		t->idx[i] = SLOT(t->e[k].hash, k + 1);
	}
}

static void rehash_paths(struct hs_table *t)
{
	size_t mask = t->picap - 1;

	for (size_t k = 0; k < t->np; k++) {
		size_t i = t->p[k].hash & mask;

		while (t->pidx[i])
			i = (i + 1) & mask;
		t->pidx[i] = SLOT(t->p[k].hash, k + 1);
	}
}

uint64_t hs_entry_hash(const char *scope, const char *code_id, const char *symbol,
		      size_t symlen)
{
	return hs_entry_hash_sym(scope, code_id, rti_str_hash64(symbol, symlen));
}

uint64_t hs_entry_hash_sym(const char *scope, const char *code_id, uint64_t symhash)
{
	uint64_t h = symhash;

	h ^= mix64((uint64_t)(uintptr_t)scope) + 0x9e3779b97f4a7c15ULL * (uint64_t)(uintptr_t)code_id;
	return mix64(h);
}

void hs_table_prefetch(const struct hs_table *t, uint64_t h, int stage)
{
	uint64_t slot;
	const struct hs_entry *e;

	if (!t->icap)
		return;
	if (stage == 0) {
		__builtin_prefetch(&t->idx[h & (t->icap - 1)]);
		return;
	}
	slot = t->idx[h & (t->icap - 1)];
	if (!slot || SLOT_TAG(slot) != SLOT_TAG(h))
		return;
	e = &t->e[SLOT_K(slot) - 1];
	if (stage == 1) {
		/* an entry may straddle two cache lines */
		__builtin_prefetch(e);
		__builtin_prefetch((const char *)(e + 1) - 1);
	} else {
		__builtin_prefetch(e->symbol);
	}
}

int hs_table_add(struct hs_table *t, uint64_t h, const char *scope, const char *code_id,
		 const char *module, const char *symbol, size_t symlen,
		 uint32_t ptype_bit, int64_t ns, uint64_t serial)
{
	struct hs_entry *e;
	size_t mask, i;
	char *sym;
	int r;

	if (t->icap) {
		mask = t->icap - 1;
		for (i = h & mask; t->idx[i]; i = (i + 1) & mask) {
			if (SLOT_TAG(t->idx[i]) != SLOT_TAG(h))
				continue;
			e = &t->e[SLOT_K(t->idx[i]) - 1];
			if (e->hash != h || e->scope != scope || e->code_id != code_id ||
			    strcmp(e->symbol, symbol))
				continue;
			if (e->serial == serial)
				return 1;
			e->serial = serial;
			e->hits++;
			e->probe_types |= ptype_bit;
			if (ns < e->first_ns)
				e->first_ns = ns;
			if (ns > e->last_ns)
				e->last_ns = ns;
			/* the smallest module name: the same whatever the order */
			if (module != e->module && module &&
			    (!e->module || strcmp(module, e->module) < 0))
				e->module = module;
			t->observations++;
			return 0;
		}
	}
	if (t->n >= t->max)
		return -ENOBUFS;
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 512;
		struct hs_entry *ne;

		if (ncap > t->max)
			ncap = t->max;
		ne = realloc(t->e, ncap * sizeof(*ne));
		if (!ne)
			return -ENOMEM;
		t->e = ne;
		t->cap = ncap;
	}
	r = grow_index(&t->idx, &t->icap, t->n);
	if (r < 0)
		return r;
	if (r > 0)
		rehash_entries(t);
	sym = rti_arena_strndup(&t->strings, symbol, symlen);
	if (!sym)
		return -ENOBUFS;
	mask = t->icap - 1;
	for (i = h & mask; t->idx[i]; i = (i + 1) & mask)
		;
	e = &t->e[t->n];
	e->hash = h;
	e->scope = scope;
	e->code_id = code_id;
	e->module = module;
	e->symbol = sym;
	e->probe_types = ptype_bit;
	e->hits = 1;
	e->first_ns = e->last_ns = ns;
	e->serial = serial;
	t->idx[i] = SLOT(h, ++t->n);
	t->observations++;
	return 0;
}

int hs_table_add_path(struct hs_table *t, const char *scope,
		      const unsigned char digest[32], int64_t ns)
{
	uint64_t h;
	struct hs_path *p;
	size_t mask, i;
	int r;

	memcpy(&h, digest, sizeof(h));
	h = mix64(h ^ (uint64_t)(uintptr_t)scope);
	if (t->picap) {
		mask = t->picap - 1;
		for (i = h & mask; t->pidx[i]; i = (i + 1) & mask) {
			if (SLOT_TAG(t->pidx[i]) != SLOT_TAG(h))
				continue;
			p = &t->p[SLOT_K(t->pidx[i]) - 1];
			if (p->hash != h || p->scope != scope || memcmp(p->digest, digest, 32))
				continue;
			p->hits++;
			if (ns < p->first_ns)
				p->first_ns = ns;
			if (ns > p->last_ns)
				p->last_ns = ns;
			return 0;
		}
	}
	if (t->np >= t->pmax)
		return -ENOBUFS;
	if (t->np == t->pcap) {
		size_t ncap = t->pcap ? t->pcap * 2 : 256;
		struct hs_path *np;

		if (ncap > t->pmax)
			ncap = t->pmax;
		np = realloc(t->p, ncap * sizeof(*np));
		if (!np)
			return -ENOMEM;
		t->p = np;
		t->pcap = ncap;
	}
	r = grow_index(&t->pidx, &t->picap, t->np);
	if (r < 0)
		return r;
	if (r > 0)
		rehash_paths(t);
	mask = t->picap - 1;
	for (i = h & mask; t->pidx[i]; i = (i + 1) & mask)
		;
	p = &t->p[t->np];
	p->hash = h;
	p->scope = scope;
	memcpy(p->digest, digest, 32);
	p->frames = NULL;
	p->hits = 1;
	p->first_ns = p->last_ns = ns;
	t->pidx[i] = SLOT(h, ++t->np);
	return 1;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct hs_entry *x = a, *y = b;
	int c = x->scope == y->scope ? 0 : strcmp(x->scope, y->scope);

	if (!c)
		c = x->code_id == y->code_id ? 0 : strcmp(x->code_id, y->code_id);
	return c ? c : strcmp(x->symbol, y->symbol);
}

static int path_cmp(const void *a, const void *b)
{
	const struct hs_path *x = a, *y = b;
	int c = x->scope == y->scope ? 0 : strcmp(x->scope, y->scope);

	return c ? c : memcmp(x->digest, y->digest, 32);
}

/* Keys are unique already: interned scope and code id, one symbol each. */
void hs_table_freeze(struct hs_table *t)
{
	if (t->n)
		qsort(t->e, t->n, sizeof(*t->e), entry_cmp);
	if (t->np)
		qsort(t->p, t->np, sizeof(*t->p), path_cmp);
}

static uint64_t ptr_hash(const char *k)
{
	return mix64((uint64_t)(uintptr_t)k);
}

void hs_ptrmap_release(struct hs_ptrmap *m)
{
	free(m->slot);
	memset(m, 0, sizeof(*m));
}

int64_t *hs_ptrmap_get(const struct hs_ptrmap *m, const char *k)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = ptr_hash(k) & (m->cap - 1); m->slot[i].k; i = (i + 1) & (m->cap - 1))
		if (m->slot[i].k == k)
			return &m->slot[i].v;
	return NULL;
}

int hs_ptrmap_put(struct hs_ptrmap *m, const char *k, int64_t v)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		struct hs_ptrmap nm = { NULL, 0, m->cap ? m->cap * 2 : 64 };

		nm.slot = calloc(nm.cap, sizeof(*nm.slot));
		if (!nm.slot)
			return -ENOMEM;
		for (size_t j = 0; j < m->cap; j++)
			if (m->slot[j].k)
				hs_ptrmap_put(&nm, m->slot[j].k, m->slot[j].v);
		free(m->slot);
		*m = nm;
	}
	for (i = ptr_hash(k) & (m->cap - 1); m->slot[i].k; i = (i + 1) & (m->cap - 1))
		if (m->slot[i].k == k)
			break;
	if (!m->slot[i].k)
		m->n++;
	m->slot[i].k = k;
	m->slot[i].v = v;
	return 0;
}

void hs_digest_hex(const unsigned char d[32], char *out)
{
	static const char hx[] = "0123456789abcdef";

	memcpy(out, "sha256:", 7);
	for (int k = 0; k < 32; k++) {
		out[7 + 2 * k] = hx[d[k] >> 4];
		out[8 + 2 * k] = hx[d[k] & 15];
	}
	out[HS_DIGEST_LEN] = '\0';
}
