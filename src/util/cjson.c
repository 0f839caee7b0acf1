/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "rti/cjson.h"
#include "util/numfmt.h"
#include "util/swar.h"

static const char hexdig[] = "0123456789abcdef";

void rti_cjw_init(struct rti_cjw *w, struct rti_buf *out)
{
	w->out = out;
	w->depth = 0;
	w->err = 0;
	w->lvl[0].is_obj = false;
	w->lvl[0].first = true;
	w->lvl[0].want_value = false;
}

static void set_err(struct rti_cjw *w, int err)
{
	if (!w->err)
		w->err = err;
}

static void put(struct rti_cjw *w, const char *s, size_t n)
{
	int err = rti_buf_add(w->out, s, n);

	if (err)
		set_err(w, err);
}

/* Called before every value: emits the separator inside arrays and checks
 * that object members have their key. */
static void before_value(struct rti_cjw *w)
{
	struct rti_cjw_level *l = &w->lvl[w->depth];

	if (w->depth == 0) {
		if (!l->first)
			set_err(w, -EINVAL); /* one value per document */
		l->first = false;
		return;
	}
	if (l->is_obj) {
		if (!l->want_value)
			set_err(w, -EINVAL);
		l->want_value = false;
		return;
	}
	if (!l->first)
		put(w, ",", 1);
	l->first = false;
}

static void open(struct rti_cjw *w, bool obj)
{
	before_value(w);
	if (w->depth + 1 >= RTI_CJW_MAX_DEPTH) {
		set_err(w, -E2BIG);
		return;
	}
	w->depth++;
	w->lvl[w->depth].is_obj = obj;
	w->lvl[w->depth].first = true;
	w->lvl[w->depth].want_value = false;
	w->lvl[w->depth].last_key = NULL;
	w->lvl[w->depth].last_key_len = 0;
	put(w, obj ? "{" : "[", 1);
}

static void close_(struct rti_cjw *w, bool obj)
{
	if (w->depth == 0 || w->lvl[w->depth].is_obj != obj ||
	    w->lvl[w->depth].want_value) {
		set_err(w, -EINVAL);
		return;
	}
	w->depth--;
	put(w, obj ? "}" : "]", 1);
}

void rti_cjw_obj_open(struct rti_cjw *w) { open(w, true); }
void rti_cjw_obj_close(struct rti_cjw *w) { close_(w, true); }
void rti_cjw_arr_open(struct rti_cjw *w) { open(w, false); }
void rti_cjw_arr_close(struct rti_cjw *w) { close_(w, false); }

/* Decodes one UTF-8 sequence at s (n > 0 bytes). Returns its length and the
 * code point, or 0 when the sequence is invalid (overlong, surrogate, out of
 * range, truncated). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		if (n < 2 || (s[1] & 0xc0) != 0x80)
			return 0;
		*cp = ((uint32_t)(c & 0x1f) << 6) | (s[1] & 0x3f);
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		uint32_t v;

		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		v = ((uint32_t)(c & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) |
		    (s[2] & 0x3f);
		if (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))
			return 0;
		*cp = v;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		uint32_t v;

		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		v = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
		    ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
		if (v < 0x10000 || v > 0x10ffff)
			return 0;
		*cp = v;
		return 4;
	}
	return 0;
}

/* Bytes that stand for themselves in a canonical string. */
static const unsigned char plain_ascii[256] = {
	[0x20] = 1, [0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7f] = 1,
};

/* Appends the escape of control byte c (or '"', '\\') at o; returns length. */
static size_t put_escape(char *o, unsigned char c)
{
	o[0] = '\\';
	switch (c) {
	case '"': o[1] = '"'; return 2;
	case '\\': o[1] = '\\'; return 2;
	case '\b': o[1] = 'b'; return 2;
	case '\t': o[1] = 't'; return 2;
	case '\n': o[1] = 'n'; return 2;
	case '\f': o[1] = 'f'; return 2;
	case '\r': o[1] = 'r'; return 2;
	default:
		o[1] = 'u';
		o[2] = '0';
		o[3] = '0';
		o[4] = hexdig[c >> 4];
		o[5] = hexdig[c & 15];
		return 6;
	}
}

size_t rti_cjson_escape(char *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	char *o = out;
	size_t i = 0;

	*o++ = '"';
	while (i < n) {
		size_t run = rti_swar_plain_run(u + i, n - i);
		unsigned char c;

		memcpy(o, u + i, run);
		o += run;
		i += run;
		if (i >= n)
			break;
		c = u[i];
		if (plain_ascii[c]) {
			*o++ = (char)c;
			i++;
		} else if (c < 0x80) {
			o += put_escape(o, c);
			i++;
		} else {
			uint32_t cp;
			size_t l = utf8_next(u + i, n - i, &cp);

			if (l) {
				memcpy(o, u + i, l);
				o += l;
				i += l;
			} else {
				memcpy(o, "\xef\xbf\xbd", 3); /* U+FFFD for an invalid byte */
				o += 3;
				i++;
			}
		}
	}
	*o++ = '"';
	return (size_t)(o - out);
}

int rti_cjson_put_string(struct rti_buf *out, const char *s, size_t n)
{
	int err;

	/* Reserve the worst case (every byte a \u00xx escape) once, then write
	 * without further checks; U+FFFD (3 bytes) never exceeds it. */
	if (n > (SIZE_MAX - 2) / 6)
		return -ENOBUFS;
	err = rti_buf_grow(out, n * 6 + 2);
	if (err)
		return err;
	out->len += rti_cjson_escape(out->p + out->len, s, n);
	out->p[out->len] = '\0';
	return 0;
}

/* UTF-16 code unit of a code point's first unit, for ordering. Code points
 * above the BMP sort by their high surrogate (0xd800..0xdbff), i.e. below
 * U+E000..U+FFFF: this is where UTF-16 order differs from code point order. */
static uint32_t utf16_first_unit(uint32_t cp)
{
	if (cp < 0x10000)
		return cp;
	return 0xd800 + ((cp - 0x10000) >> 10);
}

int rti_cjson_keycmp(const char *a, size_t an, const char *b, size_t bn)
{
	const unsigned char *ua = (const unsigned char *)a;
	const unsigned char *ub = (const unsigned char *)b;
	size_t i = 0;
	size_t j = 0;
	size_t k = 0;
	size_t m = an < bn ? an : bn;

	/* ASCII prefix: byte order is UTF-16 order */
	while (k < m && ua[k] == ub[k])
		k++;
	if (k == m && (k == an || k == bn))
		return an == bn ? 0 : (an < bn ? -1 : 1);
	if (ua[k] < 0x80 && ub[k] < 0x80)
		return ua[k] < ub[k] ? -1 : 1;
	/* back up to the start of the code point, then compare slowly */
	while (k > 0 && (ua[k] & 0xc0) == 0x80)
		k--;
	i = j = k;

	while (i < an && j < bn) {
		uint32_t ca;
		uint32_t cb;
		size_t la = utf8_next(ua + i, an - i, &ca);
		size_t lb = utf8_next(ub + j, bn - j, &cb);

		if (!la) {
			ca = 0xfffd;
			la = 1;
		}
		if (!lb) {
			cb = 0xfffd;
			lb = 1;
		}
		if (ca != cb) {
			uint32_t xa = utf16_first_unit(ca);
			uint32_t xb = utf16_first_unit(cb);

			if (xa != xb)
				return xa < xb ? -1 : 1;
			/* same high surrogate: low surrogates keep cp order */
			return ca < cb ? -1 : 1;
		}
		i += la;
		j += lb;
	}
	if (i < an)
		return 1;
	if (j < bn)
		return -1;
	return 0;
}

void rti_cjw_key(struct rti_cjw *w, const char *key)
{
	struct rti_cjw_level *l = &w->lvl[w->depth];
	size_t kn = strlen(key);
	int err;

	if (w->depth == 0 || !l->is_obj || l->want_value) {
		set_err(w, -EINVAL);
		return;
	}
	if (l->last_key &&
	    rti_cjson_keycmp(l->last_key, l->last_key_len, key, kn) >= 0) {
		set_err(w, -EDOM); /* out of canonical order, or duplicate */
		return;
	}
	l->last_key = key;
	l->last_key_len = kn;
	if (!l->first)
		put(w, ",", 1);
	l->first = false;
	err = rti_cjson_put_string(w->out, key, kn);
	if (err)
		set_err(w, err);
	put(w, ":", 1);
	l->want_value = true;
}

void rti_cjw_str(struct rti_cjw *w, const char *s, size_t n)
{
	int err;

	before_value(w);
	err = rti_cjson_put_string(w->out, s, n);
	if (err)
		set_err(w, err);
}

void rti_cjw_cstr(struct rti_cjw *w, const char *s)
{
	rti_cjw_str(w, s, strlen(s));
}

void rti_cjw_u64(struct rti_cjw *w, uint64_t v)
{
	char tmp[RTI_DEC_MAX];

	before_value(w);
	put(w, tmp, rti_dec_u64(tmp, v));
}

void rti_cjw_i64(struct rti_cjw *w, int64_t v)
{
	char tmp[RTI_DEC_MAX];

	before_value(w);
	put(w, tmp, rti_dec_i64(tmp, v));
}

void rti_cjw_bool(struct rti_cjw *w, bool v)
{
	before_value(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void rti_cjw_hex(struct rti_cjw *w, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	before_value(w);
	tmp[--i] = '"';
	do {
		tmp[--i] = hexdig[v & 15];
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	tmp[--i] = '"';
	put(w, tmp + i, sizeof(tmp) - i);
}

void rti_cjw_raw(struct rti_cjw *w, const char *json, size_t n)
{
	before_value(w);
	put(w, json, n);
}

void rti_cjw_kv_str(struct rti_cjw *w, const char *key, const char *s)
{
	if (!s || !*s)
		return;
	rti_cjw_key(w, key);
	rti_cjw_cstr(w, s);
}
