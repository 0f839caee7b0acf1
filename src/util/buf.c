/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rti/buf.h"

void rti_buf_init(struct rti_buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void rti_buf_release(struct rti_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

int rti_buf_grow_slow(struct rti_buf *b, size_t n)
{
	size_t need;
	size_t ncap;
	char *np;

	if (n > b->max || b->len > b->max - n)
		return -ENOBUFS;
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap *= 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	np = realloc(b->p, ncap);
	if (!np)
		return -ENOMEM;
	b->p = np;
	b->cap = ncap;
	return 0;
}

int rti_buf_add(struct rti_buf *b, const void *data, size_t n)
{
	int err = rti_buf_grow(b, n);

	if (err)
		return err;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int rti_buf_addstr(struct rti_buf *b, const char *s)
{
	return rti_buf_add(b, s, strlen(s));
}

int rti_buf_addch(struct rti_buf *b, char c)
{
	if (b->len + 1 < b->cap) {
		b->p[b->len++] = c;
		b->p[b->len] = '\0';
		return 0;
	}
	return rti_buf_add(b, &c, 1);
}

int rti_buf_addf(struct rti_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	int err;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	err = rti_buf_grow(b, (size_t)n);
	if (err)
		return err;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int rti_buf_insert(struct rti_buf *b, size_t pos, const void *data, size_t n)
{
	int err;

	if (pos > b->len)
		return -EINVAL;
	err = rti_buf_grow(b, n);
	if (err)
		return err;
	memmove(b->p + pos + n, b->p + pos, b->len - pos + 1);
	memcpy(b->p + pos, data, n);
	b->len += n;
	return 0;
}

void rti_buf_consume(struct rti_buf *b, size_t n)
{
	if (n >= b->len) {
		rti_buf_reset(b);
		return;
	}
	memmove(b->p, b->p + n, b->len - n + 1);
	b->len -= n;
}
