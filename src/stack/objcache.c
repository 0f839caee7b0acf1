/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stack/objcache.h"
#include "util/hash.h"

struct rti_obj_key {
	struct rti_fkey k;
	struct rti_obj *o;
	struct rti_obj_key *next;
};

struct rti_obj_ckey {
	uint64_t serial, h;
	struct rti_obj *o;
	struct rti_obj_ckey *next;  /* bucket */
	struct rti_obj_ckey *onext; /* the object's keys */
	size_t plen;
	char path[];
};

struct rti_objcache {
	struct rti_obj_key **kb; /* key buckets */
	struct rti_obj_ckey **cb; /* (container, path) buckets */
	struct rti_obj **bb;     /* build id buckets */
	size_t mask;
	struct rti_obj *head, *tail;
	unsigned n, max;
	size_t bytes, max_bytes;
	uint64_t next_serial;
	struct rti_cache_stats st;
	struct rti_cache_stats cst; /* (container, path) keys */
};

struct rti_objcache *rti_objcache_new(unsigned max_objs, size_t max_bytes)
{
	struct rti_objcache *c = calloc(1, sizeof(*c));
	size_t nb = 64;

	if (!c)
		return NULL;
	c->max = max_objs ? max_objs : 1;
	c->max_bytes = max_bytes;
	while (nb < (size_t)c->max * 4)
		nb <<= 1;
	c->mask = nb - 1;
	c->kb = calloc(nb, sizeof(*c->kb));
	c->bb = calloc(nb, sizeof(*c->bb));
	c->cb = calloc(nb, sizeof(*c->cb));
	c->next_serial = 1;
	if (!c->kb || !c->bb || !c->cb) {
		rti_objcache_free(c);
		return NULL;
	}
	return c;
}

struct rti_obj *rti_obj_new(struct rti_objcache *c)
{
	struct rti_obj *o = calloc(1, sizeof(*o));

	if (o)
		o->serial = c->next_serial++;
	return o;
}

void rti_obj_free(struct rti_obj *o)
{
	if (!o)
		return;
	rti_symtab_free(o->syms);
	free(o->segs);
	free(o);
}

static size_t key_hash(const struct rti_fkey *k)
{
	return (size_t)rti_fnv1a(k, sizeof(*k), RTI_FNV_INIT);
}

static size_t bid_hash(const unsigned char *b, size_t n)
{
	return (size_t)rti_fnv1a(b, n, RTI_FNV_INIT);
}

static void lru_unlink(struct rti_objcache *c, struct rti_obj *o)
{
	if (o->prev)
		o->prev->next = o->next;
	else
		c->head = o->next;
	if (o->next)
		o->next->prev = o->prev;
	else
		c->tail = o->prev;
	o->prev = o->next = NULL;
}

static void lru_front(struct rti_objcache *c, struct rti_obj *o)
{
	o->next = c->head;
	o->prev = NULL;
	if (c->head)
		c->head->prev = o;
	c->head = o;
	if (!c->tail)
		c->tail = o;
}

static void touch(struct rti_objcache *c, struct rti_obj *o)
{
	if (c->head != o) {
		lru_unlink(c, o);
		lru_front(c, o);
	}
}

static size_t ckey_hash(uint64_t serial, const char *path, size_t plen)
{
	return (size_t)rti_fnv1a(path, plen, rti_fnv1a(&serial, sizeof(serial), RTI_FNV_INIT));
}

/* Unlinks ckey k from its bucket (not from its object's list) and frees it. */
static void ckey_drop(struct rti_objcache *c, struct rti_obj_ckey *k)
{
	struct rti_obj_ckey **pp = &c->cb[k->h & c->mask];
	size_t sz = sizeof(*k) + k->plen;

	while (*pp && *pp != k)
		pp = &(*pp)->next;
	if (*pp)
		*pp = k->next;
	k->o->bytes -= sz;
	c->bytes -= sz;
	c->cst.entries--;
	free(k);
}

static void remove_obj(struct rti_objcache *c, struct rti_obj *o)
{
	while (o->ckeys) {
		struct rti_obj_ckey *k = o->ckeys;

		o->ckeys = k->onext;
		ckey_drop(c, k);
	}
	o->nckeys = 0;
	for (unsigned i = 0; i < o->nkeys; i++) {
		struct rti_obj_key **pp = &c->kb[key_hash(&o->keys[i]->k) & c->mask];

		while (*pp && *pp != o->keys[i])
			pp = &(*pp)->next;
		if (*pp)
			*pp = o->keys[i]->next;
		free(o->keys[i]);
	}
	o->nkeys = 0;
	if (o->bid_len) {
		struct rti_obj **pp = &c->bb[bid_hash(o->bid, o->bid_len) & c->mask];

		while (*pp && *pp != o)
			pp = &(*pp)->bid_next;
		if (*pp)
			*pp = o->bid_next;
	}
	lru_unlink(c, o);
	c->n--;
	c->bytes -= o->bytes;
	c->st.entries = c->n;
	c->st.bytes = c->bytes;
}

void rti_objcache_free(struct rti_objcache *c)
{
	if (!c)
		return;
	while (c->head) {
		struct rti_obj *o = c->head;

		remove_obj(c, o);
		rti_obj_free(o);
	}
	free(c->kb);
	free(c->bb);
	free(c->cb);
	free(c);
}

struct rti_obj *rti_objcache_by_key(struct rti_objcache *c, const struct rti_fkey *k)
{
	for (struct rti_obj_key *e = c->kb[key_hash(k) & c->mask]; e; e = e->next) {
		if (!memcmp(&e->k, k, sizeof(*k))) {
			c->st.hits++;
			touch(c, e->o);
			return e->o;
		}
	}
	c->st.misses++;
	return NULL;
}

struct rti_obj *rti_objcache_by_build_id(struct rti_objcache *c, const unsigned char *bid,
					 size_t len, uint64_t size)
{
	for (struct rti_obj *o = c->bb[bid_hash(bid, len) & c->mask]; o; o = o->bid_next) {
		if (o->bid_len == len && o->size == size && !memcmp(o->bid, bid, len)) {
			c->st.hits++;
			touch(c, o);
			return o;
		}
	}
	c->st.misses++;
	return NULL;
}

void rti_objcache_add_key(struct rti_objcache *c, struct rti_obj *o,
			  const struct rti_fkey *k)
{
	struct rti_obj_key *e;
	size_t b;

	if (!k || o->nkeys >= RTI_OBJ_MAX_KEYS)
		return; /* more copies than that are found again by build id */
	e = malloc(sizeof(*e));
	if (!e)
		return;
	b = key_hash(k) & c->mask;
	e->k = *k;
	e->o = o;
	e->next = c->kb[b];
	c->kb[b] = e;
	o->keys[o->nkeys++] = e;
}

unsigned rti_objcache_insert(struct rti_objcache *c, struct rti_obj *o,
			     const struct rti_fkey *k)
{
	unsigned ev = 0;

	lru_front(c, o);
	c->n++;
	c->bytes += o->bytes;
	rti_objcache_add_key(c, o, k);
	if (o->bid_len) {
		size_t b = bid_hash(o->bid, o->bid_len) & c->mask;

		o->bid_next = c->bb[b];
		c->bb[b] = o;
	}
	while (c->tail && c->tail != o &&
	       (c->n > c->max || (c->max_bytes && c->bytes > c->max_bytes))) {
		struct rti_obj *victim = c->tail;

		remove_obj(c, victim);
		rti_obj_free(victim);
		c->st.evictions++;
		ev++;
	}
	c->st.entries = c->n;
	c->st.bytes = c->bytes;
	return ev;
}

const struct rti_cache_stats *rti_objcache_stats(const struct rti_objcache *c)
{
	return &c->st;
}

static struct rti_obj_ckey *ckey_find(struct rti_objcache *c, uint64_t serial, const char *path,
				      size_t plen, size_t h)
{
	for (struct rti_obj_ckey *k = c->cb[h & c->mask]; k; k = k->next)
		if (k->h == h && k->serial == serial && k->plen == plen &&
		    !memcmp(k->path, path, plen))
			return k;
	return NULL;
}

struct rti_obj *rti_objcache_by_container(struct rti_objcache *c, uint64_t serial,
					  const char *path, size_t plen)
{
	struct rti_obj_ckey *k = ckey_find(c, serial, path, plen, ckey_hash(serial, path, plen));

	if (!k) {
		c->cst.misses++;
		return NULL;
	}
	c->cst.hits++;
	touch(c, k->o);
	return k->o;
}

/* Removes k from its object's list and frees it. */
static void ckey_remove(struct rti_objcache *c, struct rti_obj_ckey *k)
{
	struct rti_obj_ckey **pp = &k->o->ckeys;

	while (*pp && *pp != k)
		pp = &(*pp)->onext;
	if (*pp)
		*pp = k->onext;
	k->o->nckeys--;
	ckey_drop(c, k);
}

void rti_objcache_add_container(struct rti_objcache *c, struct rti_obj *o, uint64_t serial,
				const char *path, size_t plen)
{
	size_t h = ckey_hash(serial, path, plen);
	struct rti_obj_ckey *k = ckey_find(c, serial, path, plen, h);

	if (k && k->o == o)
		return;
	if (k)
		ckey_remove(c, k); /* the container's file changed */
	if (o->nckeys >= RTI_OBJ_MAX_CKEYS) {
		struct rti_obj_ckey *old = o->ckeys;

		while (old->onext)
			old = old->onext;
		ckey_remove(c, old);
		c->cst.evictions++;
	}
	k = malloc(sizeof(*k) + plen);
	if (!k)
		return;
	k->serial = serial;
	k->h = h;
	k->o = o;
	k->plen = plen;
	memcpy(k->path, path, plen);
	k->next = c->cb[h & c->mask];
	c->cb[h & c->mask] = k;
	k->onext = o->ckeys;
	o->ckeys = k;
	o->nckeys++;
	o->bytes += sizeof(*k) + plen;
	c->bytes += sizeof(*k) + plen;
	c->st.bytes = c->bytes;
	c->cst.entries++;
}

const struct rti_cache_stats *rti_objcache_container_stats(const struct rti_objcache *c)
{
	return &c->cst;
}
