/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stack/memo.h"
#include "stack/stack_memo.h"

#define WAYS 2

struct entry {
	uint64_t h;
	size_t klen, vlen;
	/* then the value (8-aligned), then the key */
	max_align_t v[];
};

struct set {
	struct entry *e[WAYS]; /* most recently used first */
};

struct rti_stack_memo {
	struct set *sets;
	size_t mask;
	uint32_t *seen; /* hash tags of stacks seen once (admission) */
	size_t seen_mask;
	size_t bytes, max_bytes;
	struct set *last_set; /* of the last put */
	struct rti_cache_stats st;
};

static size_t entry_size(size_t klen, size_t vlen)
{
	return sizeof(struct entry) + ((vlen + 7) & ~(size_t)7) + klen;
}

static const char *key_of(const struct entry *e)
{
	return (const char *)e->v + ((e->vlen + 7) & ~(size_t)7);
}

struct rti_stack_memo *rti_stack_memo_new(unsigned slots, size_t max_bytes)
{
	struct rti_stack_memo *m = calloc(1, sizeof(*m));
	size_t n = rti_memo_slots(slots, RTI_STACK_MEMO_SLOTS) / WAYS;

	if (!m)
		return NULL;
	if (!n)
		n = 1;
	m->sets = calloc(n, sizeof(*m->sets));
	m->mask = n - 1;
	m->seen_mask = n * WAYS * 2 - 1;
	m->seen = calloc(m->seen_mask + 1, sizeof(*m->seen));
	m->max_bytes = max_bytes ? max_bytes : RTI_STACK_MEMO_BYTES;
	if (!m->sets || !m->seen) {
		rti_stack_memo_free(m);
		errno = ENOMEM;
		return NULL;
	}
	return m;
}

static void evict(struct rti_stack_memo *m, struct set *s, int w)
{
	struct entry *e = s->e[w];

	m->bytes -= entry_size(e->klen, e->vlen);
	m->st.entries--;
	free(e);
	s->e[w] = NULL;
}

void rti_stack_memo_clear(struct rti_stack_memo *m)
{
	for (size_t i = 0; m->sets && i <= m->mask; i++)
		for (int w = 0; w < WAYS; w++)
			if (m->sets[i].e[w])
				evict(m, &m->sets[i], w);
	if (m->seen)
		memset(m->seen, 0, (m->seen_mask + 1) * sizeof(*m->seen));
	m->last_set = NULL;
}

void rti_stack_memo_free(struct rti_stack_memo *m)
{
	if (!m)
		return;
	rti_stack_memo_clear(m);
	free(m->sets);
	free(m->seen);
	free(m);
}

const void *rti_stack_memo_find(struct rti_stack_memo *m, uint64_t h, const void *key,
				size_t klen)
{
	struct set *s = &m->sets[h & m->mask];

	for (int w = 0; w < WAYS; w++) {
		struct entry *e = s->e[w];

		if (e && e->h == h && e->klen == klen && !memcmp(key_of(e), key, klen)) {
			if (w) {
				s->e[w] = s->e[0];
				s->e[0] = e;
			}
			m->st.hits++;
			return e->v;
		}
	}
	m->st.misses++;
	return NULL;
}

int rti_stack_memo_admit(struct rti_stack_memo *m, uint64_t h)
{
	uint32_t *t = &m->seen[(h >> 20) & m->seen_mask];
	uint32_t tag = (uint32_t)(h >> 32) | 1;

	if (*t == tag)
		return 1;
	*t = tag;
	return 0;
}

void *rti_stack_memo_put(struct rti_stack_memo *m, uint64_t h, const void *key, size_t klen,
			 size_t vlen)
{
	struct set *s = &m->sets[h & m->mask];
	size_t need = entry_size(klen, vlen);
	struct entry *e;

	if (need > m->max_bytes / 8)
		return NULL; /* one stack may not take a large part of the memo */
	if (s->e[WAYS - 1]) {
		evict(m, s, WAYS - 1);
		m->st.evictions++;
	}
	/* over the byte cap: other sets' entries go, from a rotating cursor */
	for (size_t i = h; m->bytes + need > m->max_bytes; i++) {
		struct set *o = &m->sets[i & m->mask];

		for (int w = WAYS - 1; w >= 0 && m->bytes + need > m->max_bytes; w--)
			if (o->e[w] && o != s) {
				evict(m, o, w);
				m->st.evictions++;
			}
	}
	e = malloc(need);
	if (!e)
		return NULL;
	e->h = h;
	e->klen = klen;
	e->vlen = vlen;
	memcpy((char *)key_of(e), key, klen);
	memmove(&s->e[1], &s->e[0], sizeof(s->e[0]) * (WAYS - 1));
	s->e[0] = e;
	m->bytes += need;
	m->st.entries++;
	m->last_set = s;
	return e->v;
}

void rti_stack_memo_drop_last(struct rti_stack_memo *m)
{
	if (m->last_set && m->last_set->e[0]) {
		evict(m, m->last_set, 0);
		memmove(&m->last_set->e[0], &m->last_set->e[1],
			sizeof(m->last_set->e[0]) * (WAYS - 1));
		m->last_set->e[WAYS - 1] = NULL;
	}
	m->last_set = NULL;
}

void rti_stack_memo_counts(const struct rti_stack_memo *m, struct rti_cache_stats *st)
{
	*st = m->st;
	st->bytes = m->bytes;
}
