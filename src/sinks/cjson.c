/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "rti/cjson.h"

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

int rti_cjson_put_string(struct rti_buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	size_t run = 0; /* start of the pending run of literal bytes */
	int err;

	/* worst case: every byte becomes \u00xx (6) */
	err = rti_buf_grow(out, n + 2);
	if (err)
		return err;
	if ((err = rti_buf_addch(out, '"')))
		return err;
	while (i < n) {
		unsigned char c = u[i];
		char esc[6];
		size_t elen = 0;
		size_t adv = 1;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			uint32_t cp;
			size_t l = utf8_next(u + i, n - i, &cp);

			if (l) {
				i += l;
				continue;
			}
			/* invalid byte: U+FFFD */
			memcpy(esc, "\xef\xbf\xbd", 3);
			elen = 3;
		} else if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			elen = 2;
		} else {
			esc[0] = '\\';
			switch (c) {
			case '\b': esc[1] = 'b'; elen = 2; break;
			case '\t': esc[1] = 't'; elen = 2; break;
			case '\n': esc[1] = 'n'; elen = 2; break;
			case '\f': esc[1] = 'f'; elen = 2; break;
			case '\r': esc[1] = 'r'; elen = 2; break;
			default:
				memcpy(esc + 1, "u00", 3);
				esc[4] = hexdig[c >> 4];
				esc[5] = hexdig[c & 15];
				elen = 6;
			}
		}
		if (i > run && (err = rti_buf_add(out, s + run, i - run)))
			return err;
		if ((err = rti_buf_add(out, esc, elen)))
			return err;
		i += adv;
		run = i;
	}
	if (i > run && (err = rti_buf_add(out, s + run, i - run)))
		return err;
	return rti_buf_addch(out, '"');
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
	char tmp[24];
	size_t i = sizeof(tmp);

	before_value(w);
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(w, tmp + i, sizeof(tmp) - i);
}

void rti_cjw_i64(struct rti_cjw *w, int64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	before_value(w);
	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	put(w, tmp + i, sizeof(tmp) - i);
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
