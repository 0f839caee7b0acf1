/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

struct rti_arena_chunk {
	struct rti_arena_chunk *next;
	size_t size;
	size_t used;
	_Alignas(16) unsigned char data[];
};

void rti_arena_init(struct rti_arena *a, size_t chunk_size, size_t max_total)
{
	a->head = NULL;
	a->used_total = 0;
	a->max_total = max_total;
	a->chunk_size = chunk_size;
}

void rti_arena_release(struct rti_arena *a)
{
	struct rti_arena_chunk *c = a->head;

	while (c) {
		struct rti_arena_chunk *n = c->next;

		free(c);
		c = n;
	}
	a->head = NULL;
	a->used_total = 0;
}

void rti_arena_reset(struct rti_arena *a)
{
	struct rti_arena_chunk *c = a->head;

	if (!c)
		return;
	/* keep the oldest (first allocated, normal sized) chunk */
	while (c->next) {
		struct rti_arena_chunk *n = c->next;

		free(c);
		c = n;
	}
	if (c->size != a->chunk_size) {
		free(c);
		a->head = NULL;
	} else {
		c->used = 0;
		a->head = c;
	}
	a->used_total = 0;
}

void *rti_arena_alloc(struct rti_arena *a, size_t n)
{
	struct rti_arena_chunk *c = a->head;
	size_t need = (n + 7) & ~(size_t)7;
	size_t size;

	if (need < n)
		return NULL;
	/* the cap holds for every allocation, not only for new chunks: the
	 * result must not depend on the chunk size */
	if (need > a->max_total || a->used_total > a->max_total - need) {
		errno = ENOBUFS;
		return NULL;
	}
	if (c && c->size - c->used >= need) {
		void *p = c->data + c->used;

		c->used += need;
		a->used_total += need;
		return p;
	}
	size = need > a->chunk_size ? need : a->chunk_size;
	c = malloc(sizeof(*c) + size);
	if (!c)
		return NULL;
	c->size = size;
	c->used = need;
	/* the normal-sized first chunk must stay last in the list for reset */
	if (a->head && size != a->chunk_size) {
		c->next = a->head->next;
		a->head->next = c;
		a->used_total += need;
		return c->data;
	}
	c->next = a->head;
	a->head = c;
	a->used_total += need;
	return c->data;
}

char *rti_arena_strndup(struct rti_arena *a, const char *s, size_t n)
{
	char *p = rti_arena_alloc(a, n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
