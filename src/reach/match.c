/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Name matching (spec reachability.md §2). An index symbol and an
 * advisory's function are both reduced to a key; equal keys match:
 *
 *   C     "c:" + name without @VERSION / @@VERSION
 *   C++   the same; when the advisory gives no parameter list, the
 *         index name without its parameters (and GCC clone suffixes)
 *   Go    "g:" + import path + "." + member, (*T).M -> T.M, Func[...] -> Func
 *   Rust  "r:" + path: ::h<hash> dropped, <T as Trait>::m -> T::m,
 *         generic arguments dropped
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rti/buf.h"
#include "reach/reach_int.h"

static int put(char *out, size_t outlen, char tag, const char *s, size_t n)
{
	if (n + 3 > outlen)
		return -1;
	out[0] = tag;
	out[1] = ':';
	memcpy(out + 2, s, n);
	out[n + 2] = '\0';
	return (int)n + 2;
}

/* ---- C and C++ ---- */

static size_t c_exact_len(const char *s)
{
	return strcspn(s, "@");
}

/* Without the parameter list of a C++ name ("ns::f(int) const" -> "ns::f")
 * and GCC clone suffixes ("f.part.0", "f(int) [clone .cold]"). */
static size_t c_base_len(const char *s, size_t n)
{
	const char *clone = memmem(s, n, " [clone ", 8);
	size_t i;
	int depth = 0;

	if (clone)
		n = (size_t)(clone - s);
	for (i = n; i > 0; i--) {
		if (s[i - 1] == ')')
			depth++;
		else if (s[i - 1] == '(' && depth && !--depth)
			return i - 1;
	}
	if (!memchr(s, ':', n) && memchr(s, '.', n))
		return (size_t)((const char *)memchr(s, '.', n) - s);
	return n;
}

/* ---- Go ---- */

static int go_key(const char *s, char *out, size_t outlen)
{
	const char *slash = strrchr(s, '/');
	const char *dot = strchr(slash ? slash : s, '.');
	size_t n = strlen(s), o = 0;
	int depth = 0;

	if (!dot || dot == s || !dot[1] || strstr(s, "::") || n + 3 > outlen)
		return -1;
	out[o++] = 'g';
	out[o++] = ':';
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (ch == '[') {
			depth++;
			continue;
		}
		if (ch == ']' && depth) {
			depth--;
			continue;
		}
		if (depth)
			continue;
		/* (*T).M -> T.M, only after the package path */
		if (s + i > dot && (ch == '(' || ch == ')' || (ch == '*' && i && s[i - 1] == '(')))
			continue;
		out[o++] = ch;
	}
	out[o] = '\0';
	return (int)o;
}

/* ---- Rust ---- */

static size_t angle_end(const char *s, size_t n, size_t i)
{
	int depth = 0;

	for (; i < n; i++) {
		if (s[i] == '<')
			depth++;
		else if (s[i] == '>' && i && s[i - 1] == '-')
			continue; /* "->" in a fn type */
		else if (s[i] == '>' && !--depth)
			return i;
	}
	return n;
}

static size_t top_level_as(const char *s, size_t n)
{
	int depth = 0;

	for (size_t i = 0; i + 4 <= n; i++) {
		if (s[i] == '<')
			depth++;
		else if (s[i] == '>' && depth)
			depth--;
		else if (!depth && !memcmp(s + i, " as ", 4))
			return i;
	}
	return n;
}

static int rust_norm(const char *s, size_t n, struct rti_buf *o, int level)
{
	size_t i = 0;
	int err = 0;

	if (level > 8)
		return -1;
	while (i < n && !err) {
		if (s[i] == '<') {
			size_t j = angle_end(s, n, i);
			bool seg_start = i == 0 || (i >= 2 && s[i - 1] == ':' && s[i - 2] == ':');

			if (seg_start) {
				const char *in = s + i + 1;
				size_t len = (j > i ? j - i - 1 : 0);

				while (len && (*in == '&' || *in == '*'))
					in++, len--;
				if (len >= 4 && !memcmp(in, "mut ", 4))
					in += 4, len -= 4;
				if (len >= 6 && !memcmp(in, "const ", 6))
					in += 6, len -= 6;
				err = rust_norm(in, top_level_as(in, len), o, level + 1);
			}
			i = j + 1;
			continue;
		}
		err = rti_buf_addch(o, s[i++]);
	}
	return err;
}

static bool is_hash_suffix(const char *s, size_t n)
{
	if (n < 19 || memcmp(s + n - 19, "::h", 3))
		return false;
	for (size_t i = n - 16; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

static int rust_key(const char *s, char *out, size_t outlen)
{
	struct rti_buf b = RTI_BUF_INIT(outlen);
	size_t n = strlen(s);
	int rc = -1;

	if (is_hash_suffix(s, n))
		n -= 19;
	if (!rust_norm(s, n, &b, 0) && b.p && strstr(b.p, "::"))
		rc = put(out, outlen, 'r', b.p, b.len);
	rti_buf_release(&b);
	return rc;
}

int rti_reach_symbol_key(char lang, const char *symbol, char *out, size_t outlen)
{
	if (!symbol || !*symbol || !out)
		return -1;
	switch (lang) {
	case 'c':
		return put(out, outlen, 'c', symbol, c_exact_len(symbol));
	case 'C': /* the index side of a C++ name compared without parameters */
		return put(out, outlen, 'c', symbol, c_base_len(symbol, c_exact_len(symbol)));
	case 'g':
		return go_key(symbol, out, outlen);
	case 'r':
		return rust_key(symbol, out, outlen);
	default:
		return -1;
	}
}

bool reach_glob_basename(const char *glob, const char *path)
{
	const char *base = path ? strrchr(path, '/') : NULL;

	if (!path)
		return false;
	return !fnmatch(glob, base ? base + 1 : path, 0) || !fnmatch(glob, path, 0);
}

int reach_fn_cmp_key(const void *a, const void *b)
{
	const struct reach_fn *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->adv < y->adv ? -1 : x->adv > y->adv;
}
