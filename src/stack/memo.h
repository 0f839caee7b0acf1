/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the stack stage's memo tables (module lookups, process_loader
 * build ids, process liveness, frames, frame_ids): hashing for table
 * indexes, table sizes, and the heap copy of a path a slot keys on. Hashes are for
 * in-memory tables only, never emitted.
 */
#ifndef RTI_STACK_MEMO_H
#define RTI_STACK_MEMO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RTI_MEMO_PATH_MAX 4096 /* longer module paths are not memoized */

/* Word-at-a-time hash: the per-frame path is hashed on every frame, so
 * byte-wise FNV would be a large part of its cost. */
static inline uint64_t rti_memo_hash_bytes(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;
	uint64_t w;

	while (n >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w ^ n) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

/* splitmix64's finalizer: table indexes use the low bits */
static inline uint64_t rti_memo_mix64(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ULL ^ b;

	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

/* The key of (process, path) in the module and loader tables. */
static inline uint64_t rti_memo_proc_key(uint32_t pid, int64_t start_ns, const char *path,
					 size_t n)
{
	return rti_memo_hash_bytes(path, n, rti_memo_mix64(pid, (uint64_t)start_ns));
}

/* Slots of a table: want (def when 0) rounded up to a power of two. */
static inline size_t rti_memo_slots(unsigned want, unsigned def)
{
	size_t n = 1;

	if (!want)
		want = def;
	while (n < want && n < (1u << 24))
		n <<= 1;
	return n;
}

/* Copies path into a slot's heap buffer; false when out of memory. */
static inline bool rti_memo_set_path(char **p, uint32_t *cap, uint32_t *len, const char *path,
				     size_t n)
{
	if (n + 1 > *cap) {
		char *q = realloc(*p, n + 1);

		if (!q)
			return false;
		*p = q;
		*cap = (uint32_t)(n + 1);
	}
	memcpy(*p, path, n);
	(*p)[n] = '\0';
	*len = (uint32_t)n;
	return true;
}

#endif
