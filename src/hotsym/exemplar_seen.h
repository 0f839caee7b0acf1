/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The call paths whose exemplar this index handle has already offered to
 * its store in a committed batch. The store keeps, per scope, the
 * exemplars of the max_exemplars smallest digests of all ever offered, and
 * deletes no others: once offered, a path's exemplar is either kept or
 * never will be, so offering it again (building its text, carrying it in
 * the table, an INSERT that does nothing) is waste. A warm index repeats
 * its paths in every batch; this skips that work.
 *
 * Bounded (HS_SEEN_ENTRIES, 4-way sets, a way replaced in turn); a path
 * forgotten is offered again, which is harmless. An entry is 128 bits of
 * the (scope, digest) pair: a false match is as likely as a SHA-256
 * collision. Per handle: a new handle (another store, another cap) starts
 * with what its store lists (hs_store_ops.scan_exemplars: SQLite).
 */
#ifndef RTI_HOTSYM_EXEMPLAR_SEEN_H
#define RTI_HOTSYM_EXEMPLAR_SEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HS_SEEN_ENTRIES 65536 /* 1 MiB */

#define HS_CUT_MAX 1024 /* scopes with a cut */

/* A full scope's cut: its largest kept digest when the handle opened. */
struct hs_cut {
	uint64_t scope_h;
	unsigned char max[32];
};

struct hs_seen {
	uint64_t (*k)[2]; /* NULL: nothing remembered (out of memory) */
	size_t nsets;
	unsigned turn;
	struct hs_cut *cut; /* ncut entries, sorted by scope_h */
	size_t ncut;
};

/* 0 or -ENOMEM */
int hs_seen_init(struct hs_seen *s);
void hs_seen_release(struct hs_seen *s);
/* scope_h: a hash of the scope's text (hs_seen_scope) */
uint64_t hs_seen_scope(const char *scope);
bool hs_seen_has(const struct hs_seen *s, uint64_t scope_h, const unsigned char digest[32]);
void hs_seen_add(struct hs_seen *s, uint64_t scope_h, const unsigned char digest[32]);
/* The same with the digest as stored ("sha256:" and 64 hex digits); anything
 * else is ignored. */
void hs_seen_add_hex(struct hs_seen *s, uint64_t scope_h, const char *hex);

/*
 * Cuts. A scope holding at least max_exemplars exemplars trims any digest
 * larger than its largest at once, and its set only ever takes smaller
 * ones: a path beyond the cut never needs its exemplar offered. Cuts are
 * read at open (hs_store_ops.scan_full_scopes) and never move: a stale cut
 * is only larger than the true one, so it skips less, never wrongly.
 */
void hs_seen_cut_hex(struct hs_seen *s, uint64_t scope_h, const char *max_hex);
/* after the last hs_seen_cut_hex(): sorts them for lookups */
void hs_seen_cut_done(struct hs_seen *s);
/* The scope's cut, or NULL. */
const unsigned char *hs_seen_cut(const struct hs_seen *s, uint64_t scope_h);

#endif
