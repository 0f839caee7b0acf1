/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <string.h>

#include "tetragon/jstr.h"
#include "util/hash.h"
#include "util/swar.h"

static long hex4(const char *s)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int h = rti_hexval(s[i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Length of the valid UTF-8 sequence at s, 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

int rti_utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t l;

		if (u[i] < 0x80) {
			i++;
			continue;
		}
		l = utf8_seq(u + i, n - i);
		if (!l)
			return 0;
		i += l;
	}
	return 1;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

long rti_jstr_decode(const char *s, size_t n, char *out, const char **why,
		     size_t *err_off)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	size_t o = 0;

	while (i < n) {
		unsigned char c = u[i];

		if (c >= 0x20 && c != '\\' && c < 0x80) {
			/* copy the run of plain ASCII at once ('"' cannot end it:
			 * the token holds none unescaped) */
			size_t j = i + 1;

			for (;;) {
				j += rti_swar_plain_run(u + j, n - j);
				if (j < n && u[j] == '"')
					j++;
				else
					break;
			}
			memcpy(out + o, s + i, j - i);
			o += j - i;
			i = j;
			continue;
		}
		if (c < 0x20) {
			*why = "raw control character in string";
			*err_off = i;
			return -1;
		}
		if (c >= 0x80) {
			size_t l = utf8_seq(u + i, n - i);

			if (!l) {
				*why = "invalid UTF-8 in string";
				*err_off = i;
				return -1;
			}
			memcpy(out + o, s + i, l);
			o += l;
			i += l;
			continue;
		}
		/* backslash escape */
		if (i + 1 >= n) {
			*why = "truncated escape in string";
			*err_off = i;
			return -1;
		}
		switch (s[i + 1]) {
		case '"': out[o++] = '"'; i += 2; break;
		case '\\': out[o++] = '\\'; i += 2; break;
		case '/': out[o++] = '/'; i += 2; break;
		case 'b': out[o++] = '\b'; i += 2; break;
		case 'f': out[o++] = '\f'; i += 2; break;
		case 'n': out[o++] = '\n'; i += 2; break;
		case 'r': out[o++] = '\r'; i += 2; break;
		case 't': out[o++] = '\t'; i += 2; break;
		case 'u': {
			long cp;

			if (i + 6 > n || (cp = hex4(s + i + 2)) < 0) {
				*why = "bad \\u escape in string";
				*err_off = i;
				return -1;
			}
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				*why = "lone low surrogate in string";
				*err_off = i;
				return -1;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				long lo;

				if (i + 12 > n || s[i + 6] != '\\' || s[i + 7] != 'u' ||
				    (lo = hex4(s + i + 8)) < 0xdc00 || lo > 0xdfff) {
					*why = "lone high surrogate in string";
					*err_off = i;
					return -1;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i += 6;
			}
			if (cp == 0) {
				*why = "NUL character in string";
				*err_off = i;
				return -1;
			}
			o += put_utf8(out + o, (uint32_t)cp);
			i += 6;
			break;
		}
		default:
			*why = "bad escape in string";
			*err_off = i;
			return -1;
		}
	}
	out[o] = '\0';
	return (long)o;
}
