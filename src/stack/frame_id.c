/* SPDX-License-Identifier: Apache-2.0 */
/* Frame identity (include/rti/frame.h) and the stack stage's memo of it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stack/frame_id.h"
#include "stack/memo.h"
#include "util/hash.h"

#define KERNEL_PREFIX "kernel!"
#define OFFSET_MAX 18   /* "0x" + 16 hex digits */
#define IDENT_STACK 256 /* identities up to this size need no allocation */
#define IDENT_MEMO_MAX 96 /* longer identities bypass the memo; 96 fits build-id idents */

void rti_frame_id(const char *ident, size_t n, char out[RTI_FRAME_ID_LEN + 1])
{
	char hex[65];

	rti_sha256_hex(ident, n, hex);
	memcpy(out, "sha256:", 7);
	memcpy(out + 7, hex, 32);
	out[RTI_FRAME_ID_LEN] = '\0';
}

size_t rti_frame_ident_max(enum rti_space space, size_t name_len)
{
	if (space == RTI_SPACE_KERNEL)
		return sizeof(KERNEL_PREFIX) - 1 + name_len + 1 + OFFSET_MAX;
	return name_len + 1 + OFFSET_MAX;
}

size_t rti_frame_ident(char *out, enum rti_space space, const char *name, size_t name_len,
		       uint64_t offset)
{
	size_t k = 0;

	if (space == RTI_SPACE_KERNEL) {
		memcpy(out, KERNEL_PREFIX, sizeof(KERNEL_PREFIX) - 1);
		k += sizeof(KERNEL_PREFIX) - 1;
	}
	memcpy(out + k, name, name_len);
	k += name_len;
	out[k++] = space == RTI_SPACE_KERNEL ? '+' : '@';
	k += rti_hex_u64(out + k, offset);
	return k;
}

size_t rti_path_code_id(char *out, const char *module, size_t n)
{
	memcpy(out, "path:", 5);
	memcpy(out + 5, module, n);
	out[5 + n] = '\0';
	return 5 + n;
}

/*
 * Room for an identity: buf (IDENT_STACK bytes) or, when longer, the heap
 * (*heap, for the caller to free). NULL when out of memory.
 */
static char *ident_buffer(enum rti_space space, size_t name_len, char *buf, char **heap)
{
	size_t max = rti_frame_ident_max(space, name_len);

	*heap = NULL;
	if (max <= IDENT_STACK)
		return buf;
	*heap = malloc(max);
	return *heap;
}

int rti_frame_id_of(enum rti_space space, const char *name, uint64_t offset,
		    char out[RTI_FRAME_ID_LEN + 1])
{
	size_t name_len = strlen(name);
	char buf[IDENT_STACK];
	char *heap;
	char *b = ident_buffer(space, name_len, buf, &heap);

	if (!b) {
		out[0] = '\0';
		return -ENOMEM;
	}
	rti_frame_id(b, rti_frame_ident(b, space, name, name_len, offset), out);
	free(heap);
	return 0;
}

/* ---- the memo ---- */

struct memo_slot {
	uint64_t h;
	uint16_t len;
	char ident[IDENT_MEMO_MAX];
	char id[RTI_FRAME_ID_LEN + 1];
};

struct rti_frame_id_memo {
	struct memo_slot *slots;
	unsigned nslots; /* power of two, or 0: no memo */
	uint64_t hits, misses;
};

struct rti_frame_id_memo *rti_frame_id_memo_new(unsigned slots)
{
	struct rti_frame_id_memo *m = calloc(1, sizeof(*m));
	unsigned n = 1;

	if (!m)
		return NULL;
	while (n < slots && n < (1u << 20))
		n <<= 1;
	m->nslots = slots ? n : 0;
	if (m->nslots) {
		m->slots = calloc(m->nslots, sizeof(*m->slots));
		if (!m->slots) {
			free(m);
			errno = ENOMEM;
			return NULL;
		}
	}
	return m;
}

void rti_frame_id_memo_free(struct rti_frame_id_memo *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

void rti_frame_id_memo_counts(const struct rti_frame_id_memo *m, uint64_t *hits,
			      uint64_t *misses)
{
	*hits = m->hits;
	*misses = m->misses;
}

static void memo_lookup(struct rti_frame_id_memo *m, const char *ident, size_t n,
			char out[RTI_FRAME_ID_LEN + 1])
{
	struct memo_slot *slot;
	uint64_t h;

	if (!m->nslots || n >= IDENT_MEMO_MAX) {
		rti_frame_id(ident, n, out);
		return;
	}
	h = rti_memo_hash_bytes(ident, n, 0); /* runs for every kernel frame */
	slot = &m->slots[h & (m->nslots - 1)];
	if (slot->h == h && slot->len == n && !memcmp(slot->ident, ident, n)) {
		m->hits++;
		memcpy(out, slot->id, sizeof(slot->id));
		return;
	}
	m->misses++;
	rti_frame_id(ident, n, out);
	slot->h = h;
	slot->len = (uint16_t)n;
	memcpy(slot->ident, ident, n);
	memcpy(slot->id, out, sizeof(slot->id));
}

int rti_frame_id_memo_get(struct rti_frame_id_memo *m, enum rti_space space,
			  const char *name, uint64_t offset, char out[RTI_FRAME_ID_LEN + 1])
{
	size_t name_len = strlen(name);
	char buf[IDENT_STACK];
	char *heap;
	char *b = ident_buffer(space, name_len, buf, &heap);

	if (!b)
		return -ENOMEM;
	memo_lookup(m, b, rti_frame_ident(b, space, name, name_len, offset), out);
	free(heap);
	return 0;
}
