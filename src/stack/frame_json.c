/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A frame as canonical JSON (include/rti/frame.h). Frames are most of an
 * event's output: the object is written in one buffer with its member
 * names as literals, in canonical order, and handed to the writer as one
 * value (the goldens hold the bytes the general writer produced before
 * this existed).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rti/frame.h"
#include "util/hash.h"

#define FRAME_STACK 2048 /* frames up to this size need no allocation */
#define FRAME_FIXED 256  /* member names, frame_id, offsets, quotes, braces */

/* Appends a literal. */
#define LIT(b, k, lit)                                  \
	do {                                            \
		memcpy((b) + (k), lit, sizeof(lit) - 1); \
		(k) += sizeof(lit) - 1;                 \
	} while (0)

/* "0x..." with its quotes */
static size_t put_hex_str(char *o, uint64_t v)
{
	size_t k = 0;

	o[k++] = '"';
	k += rti_hex_u64(o + k, v);
	o[k++] = '"';
	return k;
}

/* The object into b, which has room for the worst case; returns its length. */
static size_t frame_object(char *b, const struct rti_frame *f, const char *code_id, size_t lc,
			   size_t lm, size_t lr, size_t ls, size_t lu)
{
	size_t k = 0;

	LIT(b, k, "{\"code_id\":");
	k += rti_cjson_escape(b + k, code_id, lc);
	LIT(b, k, ",\"frame_id\":\"");
	memcpy(b + k, f->frame_id, RTI_FRAME_ID_LEN);
	k += RTI_FRAME_ID_LEN;
	b[k++] = '"';
	if (lm) {
		LIT(b, k, ",\"module\":");
		k += rti_cjson_escape(b + k, f->module, lm);
	}
	LIT(b, k, ",\"offset\":");
	k += put_hex_str(b + k, f->offset);
	LIT(b, k, ",\"resolved_by\":");
	k += rti_cjson_escape(b + k, f->resolved_by, lr);
	if (f->space == RTI_SPACE_KERNEL)
		LIT(b, k, ",\"space\":\"kernel\"");
	else
		LIT(b, k, ",\"space\":\"user\"");
	if (ls) {
		LIT(b, k, ",\"symbol\":");
		k += rti_cjson_escape(b + k, f->symbol, ls);
	}
	if (f->has_symbol_offset) {
		LIT(b, k, ",\"symbol_offset\":");
		k += put_hex_str(b + k, f->symbol_offset);
	}
	if (lu) {
		LIT(b, k, ",\"unresolved\":");
		k += rti_cjson_escape(b + k, f->unresolved, lu);
	}
	b[k++] = '}';
	return k;
}

void rti_frame_json(struct rti_cjw *w, const struct rti_frame *f)
{
	const char *code_id = f->code_id ? f->code_id : "";
	size_t lc = strlen(code_id);
	size_t lm = f->module ? strlen(f->module) : 0;
	size_t lr = strlen(f->resolved_by);
	size_t ls = f->symbol ? strlen(f->symbol) : 0;
	size_t lu = f->unresolved ? strlen(f->unresolved) : 0;
	/* worst case: every string byte a \u00xx escape, plus the fixed part */
	size_t need = FRAME_FIXED + 6 * (lc + lm + lr + ls + lu);
	char stack[FRAME_STACK];
	char *heap = NULL;
	char *b = stack;

	if (need > sizeof(stack)) {
		heap = malloc(need);
		if (!heap) {
			if (!w->err)
				w->err = -ENOMEM;
			return;
		}
		b = heap;
	}
	rti_cjw_raw(w, b, frame_object(b, f, code_id, lc, lm, lr, ls, lu));
	free(heap);
}
