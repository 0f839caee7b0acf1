/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON string bodies as jsmn leaves them (between the quotes, escapes
 * intact, nothing validated): decode escapes and validate the result.
 * jsmn checks escape syntax but lets raw control characters, lone
 * surrogates and invalid UTF-8 through; all of these are rejected here.
 */
#ifndef RTI_JSTR_H
#define RTI_JSTR_H

#include <stddef.h>

/*
 * Decodes the n bytes at s into out (at least n + 1 bytes; a decoded string
 * is never longer than its escaped form) and NUL-terminates it.
 * Returns the decoded length, or -1 with *why (a static message) and
 * *err_off (offset into s) set.
 */
long rti_jstr_decode(const char *s, size_t n, char *out, const char **why,
		     size_t *err_off);

/* True when the n bytes at s are valid UTF-8 (no surrogates, no overlongs). */
int rti_utf8_valid(const char *s, size_t n);

#endif
