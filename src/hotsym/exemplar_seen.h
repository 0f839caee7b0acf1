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

struct hs_seen {
	uint64_t (*k)[2]; /* NULL: nothing remembered (out of memory) */
	size_t nsets;
	unsigned turn;
};

/* 0 or -ENOMEM */
int hs_seen_init(struct hs_seen *s);
void hs_seen_release(struct hs_seen *s);
/* scope_h: a hash of the scope's text (hs_seen_scope) */
uint64_t hs_seen_scope(const char *scope);
bool hs_seen_has(const struct hs_seen *s, uint64_t scope_h, const unsigned char digest[32]);
void hs_seen_add(struct hs_seen *s, uint64_t scope_h, const unsigned char digest[32]);
/* The same with the digest in hex (as stored); ignored unless 64 hex digits. */
void hs_seen_add_hex(struct hs_seen *s, uint64_t scope_h, const char *hex);

#endif
