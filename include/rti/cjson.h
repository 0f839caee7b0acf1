/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rti_cjw: a small streaming writer of RFC 8785 canonical JSON.
 *
 * The caller emits object members in canonical key order; the writer
 * checks that order (code-point order of the keys) and the nesting, and
 * records the first violation in cjw->err instead of writing bad output.
 * Strings are written with the minimal RFC 8785 escaping: '"', '\\', and
 * the C0 controls (as \b \t \n \f \r or \u00xx); everything else as UTF-8.
 * Invalid UTF-8 in a string is replaced by U+FFFD, so output is always
 * valid UTF-8 whatever the input. Only integers are supported as numbers:
 * the canonical event has no floating point values.
 */
#ifndef RTI_CJSON_H
#define RTI_CJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rti/buf.h"

#define RTI_CJW_MAX_DEPTH 16

struct rti_cjw_level {
	bool is_obj;
	bool first;
	bool want_value; /* a key was written, its value is due */
	const char *last_key;
	size_t last_key_len;
};

struct rti_cjw {
	struct rti_buf *out;
	int depth;
	int err; /* first error, 0 or -errno */
	struct rti_cjw_level lvl[RTI_CJW_MAX_DEPTH];
};

void rti_cjw_init(struct rti_cjw *w, struct rti_buf *out);
void rti_cjw_obj_open(struct rti_cjw *w);
void rti_cjw_obj_close(struct rti_cjw *w);
void rti_cjw_arr_open(struct rti_cjw *w);
void rti_cjw_arr_close(struct rti_cjw *w);
/* key must stay valid until the enclosing object is closed. */
void rti_cjw_key(struct rti_cjw *w, const char *key);
void rti_cjw_str(struct rti_cjw *w, const char *s, size_t n);
void rti_cjw_cstr(struct rti_cjw *w, const char *s);
void rti_cjw_u64(struct rti_cjw *w, uint64_t v);
void rti_cjw_i64(struct rti_cjw *w, int64_t v);
void rti_cjw_bool(struct rti_cjw *w, bool v);
/* a string "0x<lowercase hex>" */
void rti_cjw_hex(struct rti_cjw *w, uint64_t v);
/* A ready canonical JSON value (e.g. a cached frame). */
void rti_cjw_raw(struct rti_cjw *w, const char *json, size_t n);
/* Convenience: key + string value, skipped when s is NULL or empty. */
void rti_cjw_kv_str(struct rti_cjw *w, const char *key, const char *s);

/* Writes s as a canonical JSON string (with quotes) at out, which must
 * have room for the worst case, 6 * n + 2 bytes. Returns the length. */
size_t rti_cjson_escape(char *out, const char *s, size_t n);
/* Appends s escaped as a canonical JSON string (with quotes). */
int rti_cjson_put_string(struct rti_buf *out, const char *s, size_t n);
/* RFC 8785 key order: compares by UTF-16 code units. */
int rti_cjson_keycmp(const char *a, size_t an, const char *b, size_t bn);

#endif
