/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bump allocator for per-event data: everything decoded from one input
 * record lives here and is dropped at once by rti_arena_reset(). The total
 * size is capped so that one hostile record cannot grow memory without bound.
 */
#ifndef RTI_ARENA_H
#define RTI_ARENA_H

#include <stddef.h>

struct rti_arena_chunk;

struct rti_arena {
	struct rti_arena_chunk *head; /* current chunk; older ones follow */
	size_t used_total;
	size_t max_total;
	size_t chunk_size;
};

void rti_arena_init(struct rti_arena *a, size_t chunk_size, size_t max_total);
void rti_arena_release(struct rti_arena *a);
/* Frees all but the first chunk and rewinds it. */
void rti_arena_reset(struct rti_arena *a);
/* 8-byte aligned memory, or NULL (errno ENOBUFS when over the cap). */
void *rti_arena_alloc(struct rti_arena *a, size_t n);
char *rti_arena_strndup(struct rti_arena *a, const char *s, size_t n);

#endif
