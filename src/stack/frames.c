/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stack/frames.h"
#include "util/hash.h"

#define IDENT_MAX 512

struct cache_slot {
	uint64_t h;
	uint16_t len;
	char ident[IDENT_MAX];
	char id[RTI_FRAME_ID_LEN + 1];
};

struct rti_stack {
	struct cache_slot *slots;
	unsigned nslots; /* power of two */
	struct rti_stack_stats st;
};

struct rti_stack *rti_stack_new(unsigned cache_slots)
{
	struct rti_stack *s = calloc(1, sizeof(*s));
	unsigned n = 1;

	if (!s)
		return NULL;
	while (n < cache_slots && n < (1u << 20))
		n <<= 1;
	s->nslots = cache_slots ? n : 0;
	if (s->nslots) {
		s->slots = calloc(s->nslots, sizeof(*s->slots));
		if (!s->slots) {
			free(s);
			return NULL;
		}
	}
	return s;
}

void rti_stack_free(struct rti_stack *s)
{
	if (!s)
		return;
	free(s->slots);
	free(s);
}

const struct rti_stack_stats *rti_stack_stats(const struct rti_stack *s)
{
	return &s->st;
}

void rti_frame_id(const char *ident, size_t n, char out[RTI_FRAME_ID_LEN + 1])
{
	char hex[65];

	rti_sha256_hex(ident, n, hex);
	memcpy(out, "sha256:", 7);
	memcpy(out + 7, hex, 32);
	out[RTI_FRAME_ID_LEN] = '\0';
}

static void cached_frame_id(struct rti_stack *s, const char *ident, size_t n,
			    char out[RTI_FRAME_ID_LEN + 1])
{
	struct cache_slot *slot;
	uint64_t h;

	if (!s->nslots || n >= IDENT_MAX) {
		rti_frame_id(ident, n, out);
		return;
	}
	h = rti_fnv1a(ident, n, RTI_FNV_INIT);
	slot = &s->slots[h & (s->nslots - 1)];
	if (slot->h == h && slot->len == n && !memcmp(slot->ident, ident, n)) {
		s->st.cache_hits++;
		memcpy(out, slot->id, sizeof(slot->id));
		return;
	}
	s->st.cache_misses++;
	rti_frame_id(ident, n, out);
	slot->h = h;
	slot->len = (uint16_t)n;
	memcpy(slot->ident, ident, n);
	memcpy(slot->id, out, sizeof(slot->id));
}

static size_t put_hex(char *o, uint64_t v)
{
	static const char d[] = "0123456789abcdef";
	char tmp[16];
	size_t n = 0;
	size_t k = 0;

	do {
		tmp[n++] = d[v & 15];
		v >>= 4;
	} while (v);
	o[k++] = '0';
	o[k++] = 'x';
	while (n)
		o[k++] = tmp[--n];
	return k;
}

/* Builds "<a><b><hex offset>" into a stack buffer or the arena. */
static int frame_ident(struct rti_stack *s, struct rti_arena *a, const char *pre1,
		       const char *pre2, const char *sep, uint64_t off,
		       struct rti_frame *f)
{
	size_t l1 = strlen(pre1);
	size_t l2 = strlen(pre2);
	size_t ls = strlen(sep);
	size_t n = l1 + l2 + ls + 18;
	char sbuf[IDENT_MAX];
	char *b = n <= sizeof(sbuf) ? sbuf : rti_arena_alloc(a, n);
	size_t k = 0;

	if (!b)
		return -ENOBUFS;
	memcpy(b + k, pre1, l1);
	k += l1;
	memcpy(b + k, pre2, l2);
	k += l2;
	memcpy(b + k, sep, ls);
	k += ls;
	k += put_hex(b + k, off);
	cached_frame_id(s, b, k, f->frame_id);
	return 0;
}

static const char *user_code_id(struct rti_arena *a, const char *module)
{
	size_t n = strlen(module);
	char *c = rti_arena_alloc(a, n + 6);

	if (!c)
		return NULL;
	memcpy(c, "path:", 5);
	memcpy(c + 5, module, n + 1);
	return c;
}

int rti_stack_canonicalize(struct rti_stack *s, const struct rti_privacy *p,
			   const struct rti_event *ev, struct rti_arena *a,
			   struct rti_canon *cn)
{
	unsigned n = ev->n_kstack + ev->n_ustack;
	struct rti_frame *fr;
	unsigned k = 0;

	cn->frames = NULL;
	cn->n_frames = 0;
	if (!n)
		return 0;
	fr = rti_arena_alloc(a, sizeof(*fr) * n);
	if (!fr)
		return -ENOBUFS;
	memset(fr, 0, sizeof(*fr) * n);
	for (unsigned i = 0; i < ev->n_kstack; i++, k++) {
		const struct rti_stack_entry *e = &ev->kstack[i];
		struct rti_frame *f = &fr[k];

		f->space = RTI_SPACE_KERNEL;
		f->module = "[kernel]";
		f->code_id = "kernel";
		s->st.kernel_frames++;
		if (e->symbol) {
			f->symbol = e->symbol;
			f->offset = e->offset;
			f->resolved_by = "agent";
			s->st.resolved_agent++;
		} else {
			/* only an address: never emitted, and no kallsyms yet */
			f->offset = 0;
			f->resolved_by = "none";
			f->unresolved = "kernel_address_only";
			s->st.unresolved++;
		}
		if (frame_ident(s, a, "kernel!", f->symbol ? f->symbol : "", "+",
				f->offset, f))
			return -ENOBUFS;
	}
	for (unsigned i = 0; i < ev->n_ustack; i++, k++) {
		const struct rti_stack_entry *e = &ev->ustack[i];
		struct rti_frame *f = &fr[k];

		f->space = RTI_SPACE_USER;
		f->offset = e->offset;
		s->st.user_frames++;
		if (!e->module) {
			f->code_id = "path:[anon]";
			f->resolved_by = "none";
			f->unresolved = "anonymous_mapping";
			s->st.unresolved++;
		} else {
			f->module = rti_privacy_path(p, e->module);
			if (!f->module) {
				cn->redacted |= (uint64_t)1 << RTI_R_STACK_MODULE;
				s->st.module_withheld++;
				f->code_id = "path:[private]";
			} else {
				f->code_id = user_code_id(a, f->module);
				if (!f->code_id)
					return -ENOBUFS;
			}
			if (e->symbol) {
				f->symbol = e->symbol;
				f->resolved_by = "agent";
				s->st.resolved_agent++;
			} else {
				f->resolved_by = "none";
				f->unresolved = "symbolization_off";
				s->st.unresolved++;
			}
		}
		if (frame_ident(s, a, f->code_id, "", "@", f->offset, f))
			return -ENOBUFS;
	}
	cn->frames = fr;
	cn->n_frames = n;
	return 0;
}
