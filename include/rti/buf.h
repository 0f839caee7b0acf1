/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rti_buf: a bounded, growable byte buffer (git's strbuf, curl's dynbuf).
 *
 * Invariants:
 *   - p[len] == '\0' whenever p != NULL, so the content is always a C string
 *     (content may itself contain NUL bytes; len is authoritative);
 *   - len < cap <= max + 1: a buffer never grows past its cap ("toobig");
 *     an append that would exceed it fails with -ENOBUFS and leaves the
 *     buffer unchanged.
 */
#ifndef RTI_BUF_H
#define RTI_BUF_H

#include <stddef.h>
#include <stdint.h>

struct rti_buf {
	char *p;
	size_t len;
	size_t cap;
	size_t max; /* hard cap on len */
};

#define RTI_BUF_INIT(maxlen) { NULL, 0, 0, (maxlen) }

void rti_buf_init(struct rti_buf *b, size_t max);
/* Frees the memory; the buffer can be reused after rti_buf_init. */
void rti_buf_release(struct rti_buf *b);
/* Empties the buffer, keeping its memory. */
static inline void rti_buf_reset(struct rti_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}
/* rti_buf_grow when the room left is too small: grows or fails. */
int rti_buf_grow_slow(struct rti_buf *b, size_t n);
/* Makes room for n more bytes. 0, -ENOBUFS (cap) or -ENOMEM. Inline for
 * the common case: the canonical writer appends a few bytes at a time. */
static inline int rti_buf_grow(struct rti_buf *b, size_t n)
{
	/* room for n and the NUL; cap <= max + 1 keeps len + n <= max */
	if (b->cap - b->len > n)
		return 0;
	return rti_buf_grow_slow(b, n);
}
int rti_buf_add(struct rti_buf *b, const void *data, size_t n);
int rti_buf_addstr(struct rti_buf *b, const char *s);
int rti_buf_addch(struct rti_buf *b, char c);
int rti_buf_addf(struct rti_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Inserts n bytes at offset pos (pos <= len). */
int rti_buf_insert(struct rti_buf *b, size_t pos, const void *data, size_t n);
/* Drops the first n bytes. */
void rti_buf_consume(struct rti_buf *b, size_t n);

#endif
