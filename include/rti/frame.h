/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One canonical stack frame (spec runtime-call-event.md §6): its identity
 * and its JSON. These are the only places that build identity strings,
 * frame_ids and frame objects; the stack stage, the symbolizer, the
 * canonical writer and `stella-rti symbolize` all go through them, so a
 * frame is the same bytes whoever produces it.
 *
 * Identity strings: a user frame is "<code_id>@<offset>", a kernel frame
 * "kernel!<symbol>+<offset>" (the symbol "" when there is none), offsets
 * as emitted ("0x" and lowercase hex). The frame_id is "sha256:" and the
 * first 32 hex digits of the SHA-256 of the identity string.
 */
#ifndef RTI_FRAME_H
#define RTI_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "rti/canon.h"
#include "rti/cjson.h"

/* The frame_id of an identity string of n bytes. */
void rti_frame_id(const char *ident, size_t n, char out[RTI_FRAME_ID_LEN + 1]);

/* Room the identity string of (space, name) needs, for a name of name_len
 * bytes: the code_id of a user frame, the symbol of a kernel frame. */
size_t rti_frame_ident_max(enum rti_space space, size_t name_len);
/* Writes the identity string (no NUL) into out, which has
 * rti_frame_ident_max() bytes; returns its length. */
size_t rti_frame_ident(char *out, enum rti_space space, const char *name, size_t name_len,
		       uint64_t offset);
/* The frame_id of (space, name, offset) in one call. 0, or -ENOMEM when a
 * very long identity string found no memory (out is then ""). */
int rti_frame_id_of(enum rti_space space, const char *name, uint64_t offset,
		    char out[RTI_FRAME_ID_LEN + 1]);

/* The code_id of code known only by its path: "path:<module>" and a NUL
 * into out, which has n + RTI_PATH_CODE_ID_EXTRA bytes; returns its length. */
#define RTI_PATH_CODE_ID_EXTRA 6
size_t rti_path_code_id(char *out, const char *module, size_t n);

/*
 * Writes f as one canonical JSON object (RFC 8785 key order) as the next
 * value of w: code_id, frame_id, module (when not NULL or ""), offset,
 * resolved_by, space, symbol (when not NULL or ""), symbol_offset (when
 * has_symbol_offset), unresolved (when not NULL or ""). code_id NULL is
 * written as ""; resolved_by must not be NULL. Errors land in w->err.
 */
void rti_frame_json(struct rti_cjw *w, const struct rti_frame *f);

#endif
