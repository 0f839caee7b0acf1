/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process memo of the JSON decoder: a bounded table from the raw text
 * of a Process object to what decoding it gave. Every event repeats its
 * process and parent objects whole (kilobytes each, with the environment),
 * and a process sends many events: decoding each distinct text once saves
 * most of the decoder's work beyond tokenizing.
 *
 * A key is the object's bytes, stored whole and compared byte for byte on
 * a hit (the hash only picks the set), with the decoder's skim mode: the
 * same bytes in the same mode decode to the same process, whatever the
 * event around them. Only a successful decode is stored, so an error is
 * always reported by the decoder itself, with its field path.
 *
 * Bounded by entries (2-way sets, the least recently used way evicted) and
 * by bytes (keys and values); an object larger than an eighth of the byte
 * cap is not stored. Nothing grows with the input.
 *
 * Invariant: a hit copies the process into the caller's arena, taking as
 * many bytes of it as decoding the text did (so the arena's cap acts the
 * same with and without the memo), and what it returns owes nothing to
 * the memo (a later eviction cannot touch it).
 */
#ifndef RTI_TETRAGON_PROCESS_MEMO_H
#define RTI_TETRAGON_PROCESS_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rti/event.h"
#include "util/arena.h"

#define RTI_PROCESS_MEMO_SLOTS 1024
#define RTI_PROCESS_MEMO_BYTES (4u << 20)

struct rti_process_memo;

struct rti_process_memo_stats {
	uint64_t hits, misses, evictions;
	uint64_t entries, bytes; /* now */
};

/* NULL with errno. */
struct rti_process_memo *rti_process_memo_new(unsigned slots, size_t max_bytes);
void rti_process_memo_free(struct rti_process_memo *m);

/* 1: a hit, *out filled with copies in a; 0: a miss (counted); -1: a
 * hit that did not fit in a (decode it: the decoder reports the error). */
int rti_process_memo_get(struct rti_process_memo *m, const char *key, size_t klen, bool skim,
			 struct rti_arena *a, struct rti_process *out);
/* Stores p, decoded from key in mode skim taking `arena` bytes of the
 * arena (a hit takes as many), unless too large or out of memory (then
 * nothing changes). */
void rti_process_memo_put(struct rti_process_memo *m, const char *key, size_t klen, bool skim,
			  const struct rti_process *p, size_t arena);
void rti_process_memo_stats(const struct rti_process_memo *m, struct rti_process_memo_stats *st);

#endif
