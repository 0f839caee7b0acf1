/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hotsym/exemplar_seen.h"
#include "util/hash.h"

#define WAYS 4

int hs_seen_init(struct hs_seen *s)
{
	s->nsets = HS_SEEN_ENTRIES / WAYS;
	s->turn = 0;
	s->cut = NULL;
	s->ncut = 0;
	s->k = calloc(HS_SEEN_ENTRIES, sizeof(*s->k));
	return s->k ? 0 : -ENOMEM;
}

void hs_seen_release(struct hs_seen *s)
{
	free(s->k);
	s->k = NULL;
	free(s->cut);
	s->cut = NULL;
	s->ncut = 0;
}

uint64_t hs_seen_scope(const char *scope)
{
	return rti_fnv1a(scope, strlen(scope), RTI_FNV_INIT);
}

/* the pair's 128 bits; never all zero (an empty way) */
static void key_of(uint64_t scope_h, const unsigned char digest[32], uint64_t k[2])
{
	memcpy(&k[0], digest, 8);
	memcpy(&k[1], digest + 8, 8);
	k[0] ^= scope_h;
	if (!k[0] && !k[1])
		k[1] = 1;
}

bool hs_seen_has(const struct hs_seen *s, uint64_t scope_h, const unsigned char digest[32])
{
	uint64_t k[2];
	const uint64_t(*set)[2];

	if (!s->k)
		return false;
	key_of(scope_h, digest, k);
	set = &s->k[(k[0] & (s->nsets - 1)) * WAYS];
	for (int w = 0; w < WAYS; w++)
		if (set[w][0] == k[0] && set[w][1] == k[1])
			return true;
	return false;
}

void hs_seen_add(struct hs_seen *s, uint64_t scope_h, const unsigned char digest[32])
{
	uint64_t k[2];
	uint64_t(*set)[2];
	int w;

	if (!s->k)
		return;
	key_of(scope_h, digest, k);
	set = &s->k[(k[0] & (s->nsets - 1)) * WAYS];
	for (w = 0; w < WAYS; w++) {
		if (set[w][0] == k[0] && set[w][1] == k[1])
			return;
		if (!set[w][0] && !set[w][1])
			break;
	}
	if (w == WAYS)
		w = (int)(s->turn++ % WAYS);
	set[w][0] = k[0];
	set[w][1] = k[1];
}

/* a stored digest: "sha256:" and 64 hex digits (hs_digest_hex) */
static bool unhex(const char *hex, unsigned char d[32])
{
	if (!strncmp(hex, "sha256:", 7))
		hex += 7;
	if (strlen(hex) != 64)
		return false;
	for (int i = 0; i < 32; i++) {
		int hi = rti_hexval(hex[2 * i]), lo = rti_hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		d[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

void hs_seen_add_hex(struct hs_seen *s, uint64_t scope_h, const char *hex)
{
	unsigned char d[32];

	if (unhex(hex, d))
		hs_seen_add(s, scope_h, d);
}

void hs_seen_cut_hex(struct hs_seen *s, uint64_t scope_h, const char *max_hex)
{
	if (!s->cut)
		s->cut = calloc(HS_CUT_MAX, sizeof(*s->cut));
	if (!s->cut || s->ncut == HS_CUT_MAX || !unhex(max_hex, s->cut[s->ncut].max))
		return; /* no cut: offered, and trimmed by the store */
	s->cut[s->ncut++].scope_h = scope_h;
}

static int cut_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct hs_cut *)a)->scope_h, y = ((const struct hs_cut *)b)->scope_h;

	return x < y ? -1 : x > y;
}

void hs_seen_cut_done(struct hs_seen *s)
{
	if (s->ncut)
		qsort(s->cut, s->ncut, sizeof(*s->cut), cut_cmp);
}

const unsigned char *hs_seen_cut(const struct hs_seen *s, uint64_t scope_h)
{
	size_t lo = 0, hi = s->ncut;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->cut[mid].scope_h == scope_h)
			return s->cut[mid].max;
		if (s->cut[mid].scope_h < scope_h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
