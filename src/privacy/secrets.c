/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secret detection (secrets.h).
 *
 * Each detector is a generator: it yields its spans in increasing offset
 * order and resumes where it stopped. rti_secret_scan() merges the six
 * streams like a k-way merge, joining overlapping (and touching) spans as
 * they come, so it needs no storage beyond the caller's array; no detector
 * reads a byte more than a few times (a failed JWT payload is read again
 * as a header, a failed key run is skipped whole): the scan is linear in
 * the string length, also for adversarial input (tests/unit/test_secrets.c).
 *
 * A merged span takes the kind of its most specific part, in the order
 * pem-private-key, aws-key, jwt, bearer, secret-pair, high-entropy.
 *
 * The entropy detector's rules were tuned so that nothing of the golden
 * outputs, the Tetragon fixtures and rti-gen captures is reported, nor (but
 * one symbol) any path, dynamic symbol or licence text of a Debian system,
 * while ~99% of rti-gen --plant-secrets' random keys are.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "privacy/secrets.h"
#include "util/base64.h"

/* ---------- characters ---------- */

static inline int is_up(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static inline int is_lo(unsigned char c) { return c >= 'a' && c <= 'z'; }
static inline int is_dig(unsigned char c) { return c >= '0' && c <= '9'; }
static inline int is_alpha(unsigned char c) { return is_up(c) || is_lo(c); }
static inline int is_alnum(unsigned char c) { return is_alpha(c) || is_dig(c); }
static inline unsigned char lc(unsigned char c) { return is_up(c) ? (unsigned char)(c + 32) : c; }

static inline int is_hex(unsigned char c)
{
	return is_dig(c) || (lc(c) >= 'a' && lc(c) <= 'f');
}

static inline int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static inline int is_quote(unsigned char c) { return c == '"' || c == '\''; }

/* base64url alphabet: JWT parts */
static inline int is_b64url(unsigned char c) { return is_alnum(c) || c == '-' || c == '_'; }

/* key names: DB_PASSWORD, --api-key, app.token */
static inline int is_key(unsigned char c)
{
	return is_alnum(c) || c == '_' || c == '-' || c == '.';
}

/* high-entropy tokens */
static inline int is_tok(unsigned char c)
{
	return is_alnum(c) || c == '+' || c == '/' || c == '=' || c == '_' || c == '-';
}

/* bearer/basic credentials (RFC 6750 b64token) */
static inline int is_b64token(unsigned char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' ||
	       c == '=' || c == '-';
}

/* Case-insensitive: s[i..] starts with the lower-case literal w. */
static bool at_word(const char *s, size_t n, size_t i, const char *w)
{
	size_t k = 0;

	for (; w[k]; k++)
		if (i + k >= n || lc((unsigned char)s[i + k]) != (unsigned char)w[k])
			return false;
	return true;
}

static bool ieq(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && at_word(s, n, 0, w);
}

/* The first w (wn bytes) in s[from..n), or n. Not memmem(): sanitizers
 * check its whole haystack on every call. */
static size_t find(const char *s, size_t n, size_t from, const char *w, size_t wn)
{
	while (from + wn <= n) {
		const char *p = memchr(s + from, w[0], n - from - wn + 1);

		if (!p)
			break;
		from = (size_t)(p - s);
		if (!memcmp(p, w, wn))
			return from;
		from++;
	}
	return n;
}

/*
 * Decodes s[0..n) as base64 (either alphabet, '=' padding only at the end)
 * without storing it. -1 when it is not base64; else the decoded length,
 * with *printable the bytes that are printable ASCII, tab or newline and
 * *colon whether one of them is ':'.
 */
static long b64_probe(const char *s, size_t n, size_t *printable, bool *colon)
{
	unsigned acc = 0;
	int bits = 0;
	long out = 0;
	size_t pad = 0;

	while (n && s[n - 1] == '=' && pad < 2) {
		n--;
		pad++;
	}
	if (n % 4 == 1 || (pad && (n + pad) % 4))
		return -1;
	*printable = 0;
	*colon = false;
	for (size_t i = 0; i < n; i++) {
		int v = rti_base64_digit((unsigned char)s[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			unsigned b;

			bits -= 8;
			b = (acc >> bits) & 0xff;
			acc &= (1u << bits) - 1;
			out++;
			if ((b >= 0x20 && b < 0x7f) || b == '\t' || b == '\n' || b == '\r')
				(*printable)++;
			if (b == ':')
				*colon = true;
		}
	}
	return out;
}

/* ---------- key names ---------- */

/* A secret-naming word at k[i]: dispatched on its first two letters, as
 * this runs for most letters of every scanned identifier. */
static bool word_at(const char *k, size_t n, size_t i)
{
	unsigned char c1 = i + 1 < n ? lc((unsigned char)k[i + 1]) : 0;

	switch (lc((unsigned char)k[i])) {
	case 'p':
		if (c1 == 'a')
			return at_word(k, n, i, "password") || at_word(k, n, i, "passwd") ||
			       at_word(k, n, i, "passphrase");
		if (c1 == 'r')
			return at_word(k, n, i, "private_key") || at_word(k, n, i, "private-key");
		/* "pwd" as a word of its own (DB_PWD, pwd=), not the shell's
		 * working directory (PWD, OLDPWD) */
		return c1 == 'w' && at_word(k, n, i, "pwd") &&
		       (i == 0 || !is_alpha((unsigned char)k[i - 1])) &&
		       (i + 3 == n || !is_alpha((unsigned char)k[i + 3])) && !ieq(k, n, "pwd") &&
		       !ieq(k, n, "oldpwd");
	case 's':
		return c1 == 'e' && at_word(k, n, i, "secret");
	case 't':
		return c1 == 'o' && at_word(k, n, i, "token");
	case 'c':
		return c1 == 'r' && at_word(k, n, i, "credential");
	case 'a':
		if (c1 == 'p')
			return at_word(k, n, i, "apikey") || at_word(k, n, i, "api_key") ||
			       at_word(k, n, i, "api-key");
		if (c1 == 'c')
			return at_word(k, n, i, "access_key") || at_word(k, n, i, "access-key");
		/* "auth", "oauth", "authorization", but not "author", "authority" */
		if (c1 == 'u' && at_word(k, n, i, "auth"))
			return !at_word(k, n, i + 4, "or") || at_word(k, n, i + 4, "oriz") ||
			       at_word(k, n, i + 4, "oris");
		return false;
	default:
		return false;
	}
}

static bool ends_with(const char *k, size_t n, const char *w)
{
	size_t l = strlen(w);

	return n >= l && !memcmp(k + n - l, w, l);
}

/* Kubernetes service links: AUTH_SERVICE_HOST, AUTH_SERVICE_PORT_HTTP,
 * AUTH_PORT, AUTH_PORT_443_TCP_ADDR: named after a service, not a secret. */
static bool k8s_service_link(const char *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_up((unsigned char)k[i]) && !is_dig((unsigned char)k[i]) && k[i] != '_')
			return false;
	if (ends_with(k, n, "_SERVICE_HOST") || ends_with(k, n, "_PORT") ||
	    find(k, n, 0, "_SERVICE_PORT", 13) < n)
		return true;
	for (size_t p = 0; (p = find(k, n, p, "_PORT_", 6)) < n; p++) {
		size_t d = p + 6;

		while (d < n && is_dig((unsigned char)k[d]))
			d++;
		if (d > p + 6 && (at_word(k, n, d, "_tcp") || at_word(k, n, d, "_udp") ||
				  at_word(k, n, d, "_sctp")))
			return true;
	}
	return false;
}

bool rti_secret_key_name(const char *key, size_t n)
{
	if (k8s_service_link(key, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		switch (lc((unsigned char)key[i])) {
		case 'p': case 's': case 't': case 'a': case 'c':
			if (word_at(key, n, i))
				return true;
			break;
		default:
			break;
		}
	}
	return false;
}

/*
 * Values that a secret-named key may carry without carrying a secret:
 * placeholders (our own mask and keyed hash among them), booleans and
 * other fixed words, references to a secret kept elsewhere ($VAR, ${VAR},
 * {{ .x }}, <token>) and file or Vault-style paths (--password-file
 * /run/secrets/db, agent-inject-secret-db: database/creds/app).
 */
static bool value_exempt(const char *v, size_t n)
{
	static const char *const fixed[] = {
		"redacted", "[redacted]", "<redacted>", "(redacted)", "[filtered]",
		"[private]", "[hidden]", "<hidden>", "hidden", "masked", "none", "null",
		"nil", "undefined", "true", "false", "yes", "no", "on", "off", "enabled",
		"disabled", "required", "optional", "bearer", "basic", "digest",
	};
	bool stars = true, xs = true, dots = true, relpath = false;

	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		stars &= c == '*';
		xs &= lc(c) == 'x';
		dots &= c == '.' || c == '-';
	}
	if (stars || (xs && n >= 3) || dots)
		return true;
	if (v[0] == '$' || (n >= 2 && v[0] == '{' && v[1] == '{') ||
	    (n >= 2 && v[0] == '<' && v[n - 1] == '>'))
		return true;
	/* the privacy stage's keyed hash (a pseudonym, not the secret) */
	if (n >= 5 + 16 && !memcmp(v, "hmac:", 5)) {
		size_t i = 5;

		while (i < n && is_hex((unsigned char)v[i]) && !is_up((unsigned char)v[i]))
			i++;
		if (i == n)
			return true;
	}
	if (v[0] == '/' || (n >= 2 && v[0] == '~' && v[1] == '/') ||
	    (n >= 2 && v[0] == '.' && (v[1] == '/' || v[1] == '.')) || at_word(v, n, 0, "file:"))
		return true;
	/* a relative path of lower-case names: database/creds/app */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '/')
			relpath = true;
		else if (!is_lo(c) && !is_dig(c) && c != '.' && c != '_' && c != '-')
			break;
		if (i + 1 == n && relpath)
			return true;
	}
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (ieq(v, n, fixed[i]))
			return true;
	return false;
}

/* ---------- the detectors ---------- */

/* One detector's state: where it resumes. */
struct det {
	size_t pos;
	bool have, done;
	struct rti_secret_span sp;
};

static bool emit(struct rti_secret_span *out, size_t off, size_t len, enum rti_secret_kind k)
{
	out->off = off;
	out->len = len;
	out->kind = k;
	return true;
}

/* AWS access key ids: a known prefix and 16 [A-Z0-9], as a whole token. */
static bool next_aws(const char *s, size_t n, size_t *pos, struct rti_secret_span *out)
{
	static const char prefixes[][5] = {
		"AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA",
	};

	for (size_t i = *pos; i + 20 <= n; i++) {
		size_t k;
		bool pre = false;

		if (s[i] != 'A' || (i && is_alnum((unsigned char)s[i - 1])))
			continue;
		for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]) && !pre; p++)
			pre = !memcmp(s + i, prefixes[p], 4);
		if (!pre)
			continue;
		for (k = 4; k < 20; k++)
			if (!is_up((unsigned char)s[i + k]) && !is_dig((unsigned char)s[i + k]))
				break;
		if (k < 20) {
			i += k; /* nothing before s[i + k] can start a token */
			continue;
		}
		if (i + 20 < n && is_alnum((unsigned char)s[i + 20]))
			continue;
		*pos = i + 20;
		return emit(out, i, 20, RTI_SECRET_AWS_KEY);
	}
	*pos = n;
	return false;
}

static size_t b64url_run(const char *s, size_t n, size_t i)
{
	while (i < n && is_b64url((unsigned char)s[i]))
		i++;
	return i;
}

/* JWT: eyJ<header>.ey<payload>.<signature, maybe empty>. */
static bool next_jwt(const char *s, size_t n, size_t *pos, struct rti_secret_span *out)
{
	size_t i = *pos;

	while (i + 3 <= n) {
		const char *e = memchr(s + i, 'e', n - i);
		size_t h, he, p, pe, sig;

		if (!e)
			break;
		h = (size_t)(e - s);
		i = h + 1;
		if (h + 3 > n || s[h + 1] != 'y' || s[h + 2] != 'J' ||
		    (h && is_alnum((unsigned char)s[h - 1])))
			continue;
		he = b64url_run(s, n, h);
		if (he - h < 4 || he >= n || s[he] != '.') {
			i = he;
			continue;
		}
		p = he + 1;
		pe = b64url_run(s, n, p);
		if (pe - p < 3 || s[p] != 'e' || s[p + 1] != 'y' || pe >= n || s[pe] != '.') {
			i = he; /* the payload may start a token of its own */
			continue;
		}
		sig = b64url_run(s, n, pe + 1);
		*pos = sig;
		return emit(out, h, sig - h, RTI_SECRET_JWT);
	}
	*pos = n;
	return false;
}

/* A credential word, not a dictionary word: "Bearer Authentication" is not
 * a token, "Bearer mF_9.B5f-4.1JqM" is. */
static bool plain_word(const char *t, size_t n)
{
	size_t up = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_alpha((unsigned char)t[i]))
			return false;
		up += is_up((unsigned char)t[i]);
	}
	return up == 0 || up == n || (up == 1 && is_up((unsigned char)t[0]));
}

/* Authorization values: "Bearer <token>", "Basic <base64 of user:password>". */
static bool next_bearer(const char *s, size_t n, size_t *pos, struct rti_secret_span *out)
{
	for (size_t i = *pos; i < n; i++) {
		size_t k, j, e;
		bool basic;

		if (lc((unsigned char)s[i]) != 'b' || (i && is_alpha((unsigned char)s[i - 1])))
			continue;
		if (at_word(s, n, i, "bearer")) {
			k = i + 6;
			basic = false;
		} else if (at_word(s, n, i, "basic")) {
			k = i + 5;
			basic = true;
		} else {
			continue;
		}
		for (j = k; j < n && s[j] == ' '; j++)
			;
		if (j == k) {
			i = k - 1;
			continue;
		}
		for (e = j; e < n && is_b64token((unsigned char)s[e]); e++)
			;
		if (e - j >= 8 && !plain_word(s + j, e - j) && !value_exempt(s + j, e - j)) {
			size_t pr;
			bool colon;
			long d = basic ? b64_probe(s + j, e - j, &pr, &colon) : 0;

			if (!basic || (d > 0 && pr == (size_t)d && colon)) {
				*pos = e;
				return emit(out, j, e - j, RTI_SECRET_BEARER);
			}
		}
		i = e > i ? e - 1 : i;
	}
	*pos = n;
	return false;
}

static inline int value_stop(unsigned char c)
{
	return is_space(c) || c == '&' || c == ';' || c == ',' || is_quote(c);
}

/*
 * The value after a secret-named key run s[b..e): `key=value`, `key: value`,
 * `"key":"value"` (also with escaped quotes), or a long flag's next word
 * (`--token X`). Returns the end of the value, or 0 when there is none.
 */
static size_t pair_value(const char *s, size_t n, size_t b, size_t e, size_t *voff)
{
	size_t j = e, sp, v, f = e;
	bool flag;

	/* a long flag: the run ends with --name, name naming a secret */
	while (f > b + 1 && !(s[f - 1] == '-' && s[f - 2] == '-'))
		f--;
	flag = f > b + 1 && f < e && rti_secret_key_name(s + f, e - f);

	if (j + 1 < n && s[j] == '\\' && is_quote((unsigned char)s[j + 1]))
		j += 2;
	else if (j < n && is_quote((unsigned char)s[j]))
		j++;
	sp = j;
	while (j < n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (j < n && (s[j] == '=' || s[j] == ':')) {
		if (j + 1 < n && s[j + 1] == s[j])
			return 0; /* "==", C++ "::" */
		j++;
		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j + 1 < n && s[j] == '\\' && is_quote((unsigned char)s[j + 1]))
			j += 2;
		else if (j < n && is_quote((unsigned char)s[j]))
			j++;
		v = j;
		if (v < n && (s[v] == '{' || s[v] == '['))
			return 0; /* a structure, not a value */
		while (j < n && !value_stop((unsigned char)s[j]))
			j++;
		if (j > v && j < n && s[j - 1] == '\\' && is_quote((unsigned char)s[j]))
			j--;
	} else if (flag && sp == e && j > sp && j < n && s[j] != '-') {
		v = j;
		if (is_quote((unsigned char)s[j])) {
			const char *q = memchr(s + j + 1, s[j], n - j - 1);

			v = j + 1;
			j = q ? (size_t)(q - s) : n;
		} else {
			while (j < n && !is_space((unsigned char)s[j]) && !is_quote((unsigned char)s[j]))
				j++;
		}
	} else {
		return 0;
	}
	if (j == v || value_exempt(s + v, j - v))
		return 0;
	*voff = v;
	return j;
}

/* curl's and wget's --user/--proxy-user/-u USER:PASSWORD: the password.
 * Numbers on both sides are a uid:gid (docker -u 1000:1000). */
static size_t user_flag_value(const char *s, size_t n, size_t b, size_t e, size_t *voff)
{
	size_t j = e, v, colon = 0;

	if (!(e - b == 2 && s[b] == '-' && s[b + 1] == 'u' &&
	      (b == 0 || is_space((unsigned char)s[b - 1]))) &&
	    !(e - b >= 6 && !memcmp(s + e - 6, "--user", 6)) &&
	    !(e - b >= 12 && !memcmp(s + e - 12, "--proxy-user", 12)))
		return 0;
	if (j < n && s[j] == '=') {
		j++;
	} else {
		while (j < n && s[j] == ' ')
			j++;
		if (j == e)
			return 0;
	}
	if (j < n && is_quote((unsigned char)s[j]))
		j++;
	for (v = j; j < n && !is_space((unsigned char)s[j]) && !is_quote((unsigned char)s[j]); j++)
		if (s[j] == ':' && !colon)
			colon = j;
	if (!colon || colon == v || colon + 1 == j || value_exempt(s + colon + 1, j - colon - 1))
		return 0;
	{
		bool num = true;

		for (size_t k = v; k < j && num; k++)
			num = k == colon || is_dig((unsigned char)s[k]);
		if (num)
			return 0;
	}
	*voff = colon + 1;
	return j;
}

static inline int userinfo_stop(unsigned char c)
{
	return c == '/' || c == '?' || c == '#' || c == '@' || c == '\\' || c == '<' ||
	       c == '>' || is_space(c) || is_quote(c);
}

/* Key/value pairs whose key names a secret, and URL userinfo passwords. */
static bool next_pair(const char *s, size_t n, size_t *pos, struct rti_secret_span *out)
{
	size_t i = *pos;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c == ':' && i + 2 < n && s[i + 1] == '/' && s[i + 2] == '/') {
			size_t j = i + 3, colon = 0;

			for (; j < n && !userinfo_stop((unsigned char)s[j]); j++)
				if (s[j] == ':' && !colon)
					colon = j;
			if (j < n && s[j] == '@' && colon > i + 3 && colon + 1 < j &&
			    !value_exempt(s + colon + 1, j - colon - 1)) {
				*pos = j + 1;
				return emit(out, colon + 1, j - colon - 1, RTI_SECRET_PAIR);
			}
			i = j;
			continue;
		}
		if (!is_key(c)) {
			i++;
			continue;
		}
		{
			size_t b = i, e = i, v = 0, ve;

			while (e < n && is_key((unsigned char)s[e]))
				e++;
			if ((rti_secret_key_name(s + b, e - b) && (ve = pair_value(s, n, b, e, &v))) ||
			    (ve = user_flag_value(s, n, b, e, &v))) {
				*pos = ve;
				return emit(out, v, ve - v, RTI_SECRET_PAIR);
			}
			i = e;
		}
	}
	*pos = n;
	return false;
}

/* The label of a PEM marker whose "-----BEGIN " or "-----END " ends at l:
 * its end (before the closing "-----") when it names a private key, else 0. */
static size_t pem_private_label(const char *s, size_t n, size_t l)
{
	size_t le = l;

	while (le < n && le - l <= 64 &&
	       (is_up((unsigned char)s[le]) || is_dig((unsigned char)s[le]) || s[le] == ' '))
		le++;
	if (le + 5 > n || memcmp(s + le, "-----", 5))
		return 0;
	if ((le - l >= 11 && !memcmp(s + le - 11, "PRIVATE KEY", 11)) ||
	    (le - l >= 17 && !memcmp(s + le - 17, "PRIVATE KEY BLOCK", 17)))
		return le;
	return 0;
}

/*
 * PEM private keys: from "-----BEGIN ... PRIVATE KEY-----" to the matching
 * END line, or to the end of the string. A string that starts inside a key
 * (its END line comes before any BEGIN: a path or a line cut out of one)
 * is key material from its start to that END line.
 */
static bool next_pem(const char *s, size_t n, size_t *pos, struct rti_secret_span *out)
{
	static const char begin[] = "-----BEGIN ";
	size_t i = *pos;

	if (i == 0) {
		size_t first = find(s, n, 0, begin, sizeof(begin) - 1);

		for (size_t c = 0; c < first;) {
			size_t e = find(s, n, c, "-----END ", 9), le;

			if (e >= first)
				break;
			if ((le = pem_private_label(s, n, e + 9))) {
				*pos = le + 5;
				return emit(out, 0, le + 5, RTI_SECRET_PEM);
			}
			c = e + 1;
		}
	}
	while (i < n) {
		size_t b = find(s, n, i, begin, sizeof(begin) - 1), l, le, end;

		if (b == n)
			break;
		l = b + sizeof(begin) - 1;
		i = l;
		if (!(le = pem_private_label(s, n, l)))
			continue;
		end = n;
		for (size_t c = le + 5; c < n;) {
			size_t e = find(s, n, c, "-----END ", 9), at;

			if (e == n)
				break;
			at = e + 9;
			if (at + (le - l) + 5 <= n && !memcmp(s + at, s + l, le - l) &&
			    !memcmp(s + at + (le - l), "-----", 5)) {
				end = at + (le - l) + 5;
				break;
			}
			c = e + 1;
		}
		*pos = end;
		return emit(out, b, end - b, RTI_SECRET_PEM);
	}
	*pos = n;
	return false;
}

/* ---------- high entropy ---------- */

#define ENTROPY_MIN_LEN 24
#define ENTROPY_BITS 4.0 /* Shannon entropy per character */

/*
 * English letter pairs: for each letter, the letters that follow it in 99%
 * of the letter pairs of English prose (measured on Debian's licence texts).
 * A token made of such pairs is made of words: an identifier, not a key.
 */
static const char *const pair_ok[26] = {
	"bcdefgiklmnprstuvwxy", /* a */
	"aeijklorstuy",         /* b */
	"acehiklmoprstuxy",     /* c */
	"adeilmorsuv",          /* d */
	"abcdefgilmnopqrstuvwxy", /* e */
	"aefiloprtuwy",         /* f */
	"acehilmnoprstu",       /* g */
	"aeimnoprtu",           /* h */
	"abcdefgklmnoprstvxz",  /* i */
	"aeou",                 /* j */
	"aeios",                /* k */
	"acdefgilostuvy",       /* l */
	"abdefilmopsu",         /* m */
	"acdefgiklnostuvy",     /* n */
	"abcdefghijklmnoprstuvw", /* o */
	"acdehiloprstuy",       /* p */
	"biu",                  /* q */
	"abcdefgiklmnoprstuvwy", /* r */
	"acdefhiklmoprstuvy",   /* s */
	"acdefhiklmnoprstuwy",  /* t */
	"abcdefgilmnprstx",     /* u */
	"aeimo",                /* v */
	"adehilnorsw",          /* w */
	"aceimptx",             /* x */
	"agmnoprst",            /* y */
	"aei",                  /* z */
};

static bool pair_plausible(unsigned char a, unsigned char b)
{
	return strchr(pair_ok[a - 'a'], b) != NULL;
}

/*
 * Word-likeness: the token is cut into camel-case atoms (lower-case runs,
 * Capitalized words, acronyms); over the letter pairs inside atoms,
 * W = (plausible - 3 * implausible) / letters. Acronyms are left out when
 * the token has lower-case letters (ARGB, AVX2 carry no pairs worth
 * judging). Random text scores around -0.5, identifiers
 * (LLVMInitializeAArch64AsmParser, I422ToARGBRow_Any_AVX2) above 0.3.
 * The more random the characters (entropy h bits per character), the
 * more words it takes: W >= 0.2 + 0.3 * (h - 4).
 */
static bool wordlike(const char *c, size_t n, double h)
{
	bool has_lo = false;
	long pairs = 0, bad = 0, letters = 0;
	size_t i = 0;

	for (size_t k = 0; k < n && !has_lo; k++)
		has_lo = is_lo((unsigned char)c[k]);
	while (i < n) {
		size_t ab = i, ae;
		bool acronym = false;

		if (is_up((unsigned char)c[i])) {
			size_t j = i;

			while (j < n && is_up((unsigned char)c[j]))
				j++;
			if (j < n && is_lo((unsigned char)c[j]) && j - i > 1) {
				ae = j - 1; /* ABCWord: ABC, then Word */
				acronym = ae - i > 1;
			} else if (j < n && is_lo((unsigned char)c[j])) {
				for (ae = j; ae < n && is_lo((unsigned char)c[ae]); ae++)
					;
			} else {
				ae = j;
				acronym = j - i > 1;
			}
		} else if (is_lo((unsigned char)c[i])) {
			for (ae = i; ae < n && is_lo((unsigned char)c[ae]); ae++)
				;
		} else {
			i++;
			continue;
		}
		i = ae;
		if (acronym && has_lo)
			continue;
		letters += (long)(ae - ab);
		for (size_t k = ab + 1; k < ae; k++) {
			pairs++;
			if (!pair_plausible(lc((unsigned char)c[k - 1]), lc((unsigned char)c[k])))
				bad++;
		}
	}
	return letters &&
	       (double)(pairs - 3 * bad) >= (0.2 + 0.3 * (h - ENTROPY_BITS)) * (double)letters;
}

static double entropy(const char *c, size_t n)
{
	size_t cnt[256];
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		cnt[(unsigned char)c[i]] = 0;
	for (size_t i = 0; i < n; i++)
		cnt[(unsigned char)c[i]]++;
	for (size_t i = 0; i < n; i++) {
		size_t k = cnt[(unsigned char)c[i]];

		if (k) {
			sum += (double)k * log2((double)k);
			cnt[(unsigned char)c[i]] = 0;
		}
	}
	return log2((double)n) - sum / (double)n;
}

/* hex digits with - or _ separators: digests, container ids, UUIDs */
static bool hexish(const char *c, size_t n)
{
	size_t i = 0;

	if (n > 2 && c[0] == '0' && (c[1] == 'x' || c[1] == 'X'))
		i = 2;
	for (; i < n; i++)
		if (!is_hex((unsigned char)c[i]) && c[i] != '-' && c[i] != '_')
			return false;
	return true;
}

/* Parts between - _ / are all identifier-like: hex, or one case only (or
 * Capitalized) and either a single word or short (checkout-7d9f8b6c4-x2x9z,
 * kubepods-burstable-pod23afc920_3f45_..., INVENTORY_METRICS_35_PORT_...). */
static bool ident_parts(const char *c, size_t n)
{
	size_t b = 0;

	while (b <= n) {
		size_t e = b, up = 0, lo = 0, dig = 0, hex = 0;

		while (e < n && c[e] != '-' && c[e] != '_' && c[e] != '/') {
			unsigned char ch = (unsigned char)c[e];

			up += is_up(ch);
			lo += is_lo(ch);
			dig += is_dig(ch);
			hex += is_hex(ch);
			e++;
		}
		/* Capitalized words count as single-case */
		if (up == 1 && lo && is_up((unsigned char)c[b]))
			up = 0;
		if (hex != e - b && ((up && lo) || (e - b > 12 && (dig || up + lo != e - b))))
			return false;
		b = e + 1;
	}
	return true;
}

/* "sha256-<base64>": subresource-integrity digests */
static bool sri_digest(const char *c, size_t n)
{
	static const struct { const char *p; long len; } algs[] = {
		{ "sha1-", 20 }, { "sha256-", 32 }, { "sha384-", 48 }, { "sha512-", 64 },
	};

	for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
		size_t pl = strlen(algs[a].p), pr;
		bool colon;

		if (n > pl && at_word(c, n, 0, algs[a].p))
			return b64_probe(c + pl, n - pl, &pr, &colon) == algs[a].len;
	}
	return false;
}

/* base64 of text (exec ids: "host:start:pid", encoded buffers of text):
 * at least 80% printable once decoded. Random bytes are ~37% printable. */
static bool b64_text(const char *c, size_t n)
{
	size_t pr;
	bool colon;
	long d = b64_probe(c, n, &pr, &colon);

	return d > 0 && 5 * pr >= 4 * (size_t)d;
}

/*
 * Mangled symbols. Itanium C++ and Rust legacy: _Z (__Z on macOS), then
 * what an <encoding> starts with: N nested, Z local, S substitution, L
 * internal, T/G special names, a <source-name>'s length, or an operator's
 * two letters (_ZlsRSo..., _ZplRK...). Rust v0: _R, then a path (N, I, C,
 * M, X, Y, B) or the encoding version's digits. A random key starts so
 * once in ~20000.
 */
static bool mangled(const char *c, size_t n)
{
	static const char ops[] =
		"nw na dl da ps ng ad de co pl mi ml dv rm an or eo aS pL mI mL dV rM aN oR eO "
		"ls rs lS rS eq ne lt gt le ge ss nt aa oo pp mm cm pm pt cl ix qu cv li";
	size_t i = n >= 3 && c[0] == '_' && c[1] == '_' ? 2 : 1;

	if (n < 4 || c[0] != '_')
		return false;
	if (c[1] == 'R')
		return strchr("NICMXYB0123456789", c[2]) != NULL;
	if (c[i] != 'Z' || i + 2 >= n)
		return false;
	i++;
	if (strchr("NZSLTG123456789", c[i]))
		return true;
	for (size_t k = 0; k + 1 < sizeof(ops); k += 3)
		if (c[i] == ops[k] && c[i + 1] == ops[k + 1])
			return true;
	return false;
}

/* Ids recognized by their start: mangled symbols and "sha256-<base64>"
 * digests. No part of them is judged on its own either. */
static bool whole_id(const char *c, size_t n)
{
	return mangled(c, n) || sri_digest(c, n);
}

/* A token or segment that looks like a generated secret. */
static bool high_entropy(const char *c, size_t n)
{
	bool up = false, lo = false, digit = false;
	double h;

	if (n < ENTROPY_MIN_LEN)
		return false;
	for (size_t i = 0; i < n && !(up && lo && digit); i++) {
		up |= is_up((unsigned char)c[i]) != 0;
		lo |= is_lo((unsigned char)c[i]) != 0;
		digit |= is_dig((unsigned char)c[i]) != 0;
	}
	/* letters and digits; or, 32+ long, both cases (a random base64url
	 * key of 40 has no digit once in 400) */
	if (!(up || lo) || (!digit && (n < 32 || !up || !lo)))
		return false;
	if (hexish(c, n) || whole_id(c, n))
		return false;
	if (b64_text(c, n) || ident_parts(c, n))
		return false;
	h = entropy(c, n);
	return h >= ENTROPY_BITS && !wordlike(c, n, h);
}

/* A '/'-bearing part is a path, to be judged segment by segment, when it
 * starts with '/' or has a word (4+ letters) between two slashes. */
static bool pathlike(const char *c, size_t n)
{
	size_t b;

	if (c[0] == '/')
		return true;
	b = 0;
	while (b < n && c[b] != '/')
		b++;
	while (b < n) {
		size_t s = b + 1, e = s;
		bool word = true;

		while (e < n && c[e] != '/') {
			word &= is_alpha((unsigned char)c[e]) != 0;
			e++;
		}
		if (e < n && e - s >= 4 && word)
			return true;
		b = e;
	}
	return false;
}

/* A part of a name that cannot be random: a word, a short single-case
 * part, hex ("checkout", "tool", "ghp", "12345") */
static bool plain(const char *c, size_t n)
{
	return n && !memchr(c, '+', n) && ident_parts(c, n);
}

static inline int is_sep(unsigned char c) { return c == '-' || c == '_'; }

/* c[b..e) without its leading and trailing plain parts between - and _:
 * "checkout-<key>", "sk_live_<key>", "<key>-app" */
static void trim_plain(const char *c, size_t b, size_t e, size_t *tb, size_t *te)
{
	size_t i = b, k = e;

	while (i < e && is_sep((unsigned char)c[i]))
		i++;
	while (k > i && is_sep((unsigned char)c[k - 1]))
		k--;
	for (;;) {
		size_t j = i;

		while (j < k && !is_sep((unsigned char)c[j]))
			j++;
		if (j >= k || !plain(c + i, j - i))
			break;
		for (i = j; i < k && is_sep((unsigned char)c[i]); i++)
			;
	}
	for (;;) {
		size_t j = k;

		while (j > i && !is_sep((unsigned char)c[j - 1]))
			j--;
		if (j <= i || !plain(c + j, k - j))
			break;
		for (k = j; k > i && is_sep((unsigned char)c[k - 1]); k--)
			;
	}
	*tb = i;
	*te = k;
}

/* Judges s[b..e) (leading dashes aside: --flag), then, if it is not
 * reported, its core without plain name parts around it. */
static bool judge(const char *s, size_t b, size_t e, size_t *ob, size_t *oe)
{
	size_t jb = b, tb, te;

	while (jb < e && s[jb] == '-')
		jb++;
	if (e - jb < ENTROPY_MIN_LEN)
		return false;
	if (high_entropy(s + jb, e - jb)) {
		*ob = b;
		*oe = e;
		return true;
	}
	if (whole_id(s + jb, e - jb))
		return false;
	trim_plain(s, jb, e, &tb, &te);
	if ((tb != jb || te != e) && te - tb >= ENTROPY_MIN_LEN && high_entropy(s + tb, te - tb)) {
		*ob = tb;
		*oe = te;
		return true;
	}
	return false;
}

/*
 * The entropy detector walks tokens (maximal runs of [A-Za-z0-9+/=_-])
 * that are not base64 of text, cut at inner '=' (key=value). A part that
 * is a path is judged segment by segment, and as the stretch from its
 * first to its last non-plain segment (a base64 key has '/' in it too).
 */
struct ent {
	size_t pos;          /* where the next token is searched */
	size_t cur, te;      /* the rest of the current token: [cur, te) */
	size_t pb, pe, seg;  /* the current part and, split at '/', its next segment */
	size_t sb, se;       /* split: the stretch of non-plain segments */
	bool in_part, split;
};

static void start_part(const char *s, struct ent *st, size_t b, size_t e)
{
	st->pb = st->seg = b;
	st->pe = e;
	st->in_part = true;
	st->split = memchr(s + b, '/', e - b) && (pathlike(s + b, e - b) || ident_parts(s + b, e - b));
	st->sb = st->se = e;
	if (!st->split)
		return;
	for (size_t a = b; a < e;) {
		size_t z = a;

		while (z < e && s[z] != '/')
			z++;
		if (z > a && !plain(s + a, z - a)) {
			if (st->sb == e)
				st->sb = a;
			st->se = z;
		}
		a = z + 1;
	}
	if (st->sb == e || !memchr(s + st->sb, '/', st->se - st->sb))
		st->sb = st->se = e; /* no stretch of two segments or more */
}

/* A reported stretch takes in the slashes and the short (<= 4) segments
 * around it: the ends of a base64 key cut at its '/'. */
static void absorb(const char *s, size_t pb, size_t pe, size_t *ob, size_t *oe)
{
	size_t b = *ob, e = *oe;

	for (;;) {
		size_t a = b;

		while (a > pb && s[a - 1] == '/')
			a--;
		if (a == b)
			break;
		b = a;
		while (a > pb && s[a - 1] != '/' && b - a < 4)
			a--;
		if (a > pb && s[a - 1] != '/')
			break;
		b = a;
	}
	for (;;) {
		size_t z = e;

		while (z < pe && s[z] == '/')
			z++;
		if (z == e)
			break;
		e = z;
		while (z < pe && s[z] != '/' && z - e < 4)
			z++;
		if (z < pe && s[z] != '/')
			break;
		e = z;
	}
	*ob = b;
	*oe = e;
}

static bool next_entropy(const char *s, size_t n, struct ent *st, struct rti_secret_span *out)
{
	size_t ob, oe;

	for (;;) {
		if (st->in_part && !st->split) {
			st->in_part = false;
			if (judge(s, st->pb, st->pe, &ob, &oe))
				return emit(out, ob, oe - ob, RTI_SECRET_ENTROPY);
			continue;
		}
		if (st->in_part) {
			size_t e;

			while (st->seg < st->pe && s[st->seg] == '/')
				st->seg++;
			if (st->seg >= st->pe) {
				st->in_part = false;
				continue;
			}
			if (st->seg == st->sb) {
				st->sb = st->pe; /* tried once */
				if (judge(s, st->seg, st->se, &ob, &oe)) {
					if (ob == st->seg && oe == st->se)
						absorb(s, st->pb, st->pe, &ob, &oe);
					st->seg = oe;
					return emit(out, ob, oe - ob, RTI_SECRET_ENTROPY);
				}
			}
			for (e = st->seg; e < st->pe && s[e] != '/'; e++)
				;
			{
				size_t b = st->seg;

				st->seg = e;
				if (judge(s, b, e, &ob, &oe))
					return emit(out, ob, oe - ob, RTI_SECRET_ENTROPY);
			}
			continue;
		}
		if (st->cur < st->te) {
			size_t b = st->cur, e = b;

			while (e < st->te && s[e] != '=')
				e++;
			st->cur = e < st->te ? e + 1 : st->te;
			if (e - b >= ENTROPY_MIN_LEN)
				start_part(s, st, b, e);
			continue;
		}
		{
			size_t i = st->pos, tb, te;

			while (i < n && !is_tok((unsigned char)s[i]))
				i++;
			if (i >= n) {
				st->pos = n;
				return false;
			}
			tb = i;
			while (i < n && is_tok((unsigned char)s[i]))
				i++;
			st->pos = te = i;
			if (te - tb < ENTROPY_MIN_LEN || b64_text(s + tb, te - tb))
				continue;
			while (te > tb && s[te - 1] == '=')
				te--;
			st->cur = tb;
			st->te = te;
		}
	}
}

/* ---------- the scan ---------- */

/* which kind a merged span takes: the lower, the more specific */
static const unsigned char rank[RTI_SECRET__COUNT] = {
	[RTI_SECRET_PEM] = 0, [RTI_SECRET_AWS_KEY] = 1, [RTI_SECRET_JWT] = 2,
	[RTI_SECRET_BEARER] = 3, [RTI_SECRET_PAIR] = 4, [RTI_SECRET_ENTROPY] = 5,
};

/* The detectors' spans merged in offset order; entropy: whether the
 * high-entropy detector takes part. */
static size_t scan_spans(const char *s, size_t n, struct rti_secret_span *spans, size_t max,
			 bool entropy)
{
	enum { D_AWS, D_JWT, D_BEARER, D_PAIR, D_PEM, D_ENTROPY, D__N };
	struct det d[D__N];
	struct ent es;
	struct rti_secret_span cur;
	bool pending = false;
	size_t count = 0;

	memset(d, 0, sizeof(d));
	memset(&es, 0, sizeof(es));
	memset(&cur, 0, sizeof(cur));
	d[D_ENTROPY].done = !entropy;
	for (;;) {
		int best = -1;

		for (int k = 0; k < D__N; k++) {
			struct det *x = &d[k];

			if (!x->have && !x->done) {
				switch (k) {
				case D_AWS: x->have = next_aws(s, n, &x->pos, &x->sp); break;
				case D_JWT: x->have = next_jwt(s, n, &x->pos, &x->sp); break;
				case D_BEARER: x->have = next_bearer(s, n, &x->pos, &x->sp); break;
				case D_PAIR: x->have = next_pair(s, n, &x->pos, &x->sp); break;
				case D_PEM: x->have = next_pem(s, n, &x->pos, &x->sp); break;
				default: x->have = next_entropy(s, n, &es, &x->sp); break;
				}
				x->done = !x->have;
			}
			if (x->have && (best < 0 || x->sp.off < d[best].sp.off))
				best = k;
		}
		if (best < 0)
			break;
		d[best].have = false;
		if (pending && d[best].sp.off <= cur.off + cur.len) {
			size_t end = d[best].sp.off + d[best].sp.len;

			if (end > cur.off + cur.len)
				cur.len = end - cur.off;
			if (rank[d[best].sp.kind] < rank[cur.kind])
				cur.kind = d[best].sp.kind;
			continue;
		}
		if (pending) {
			if (count < max)
				spans[count] = cur;
			count++;
		}
		cur = d[best].sp;
		pending = true;
	}
	if (pending) {
		if (count < max)
			spans[count] = cur;
		count++;
	}
	return count;
}

size_t rti_secret_scan(const char *s, size_t n, struct rti_secret_span *spans, size_t max)
{
	return scan_spans(s, n, spans, max, true);
}

/* Punctuation of demangled C++ (std::map<K, V>::operator[](K const&),
 * {lambda()#1}, [abi:cxx11], memcpy@@GLIBC_2.14), Go
 * (crypto/tls.(*Conn).Write, type:.eq.[2]interface {}, x.encode-fm) and
 * Rust (<T as core::fmt::Debug>::fmt, {{closure}}, 'static, &mut). */
static bool code_punct(unsigned char c)
{
	return c && strchr(":.<>()*&,~[]{}#' -/+=!|^%?@;", c) != NULL;
}

static bool operator_char(unsigned char c)
{
	return c && strchr("-+*/%^&|~!=<>,", c) != NULL;
}

static bool ident_char(unsigned char c)
{
	return is_alnum(c) || c == '_' || c == '$';
}

/* s[i..] starts with what. */
static bool at(const char *s, size_t n, size_t i, const char *what)
{
	size_t k = strlen(what);

	return i + k <= n && !memcmp(s + i, what, k);
}

/*
 * '+', '/', '=' and '-' are base64's, so they pass only where names have
 * them: in a C++ operator name (operator+=, operator->*: skipped by the
 * caller), '/' in a Go import path (between identifier characters, before
 * any '(' or '<' and with a '.' after it: golang.org/x/net/dns.(*T).M),
 * '-' in Go's -fm, -range<N> and -tramp suffixes, in "non-virtual thunk"
 * or before a digit in a template argument (<-1>), '+' between the traits
 * of a Rust trait object (dyn Error+core::marker::Send). A random base64
 * or base64url token has none of these contexts.
 */
static bool base64_char_ok(const char *s, size_t n, size_t i, size_t last_dot)
{
	unsigned char c = (unsigned char)s[i];
	unsigned char prev = i ? (unsigned char)s[i - 1] : 0;
	unsigned char next = i + 1 < n ? (unsigned char)s[i + 1] : 0;

	if (c == '/')
		return last_dot != (size_t)-1 && i < last_dot && i > 0 && ident_char(next) &&
		       (ident_char(prev) || prev == '.') && !memchr(s, '(', i) && !memchr(s, '<', i);
	if (c == '-')
		return at(s, n, i, "-fm") || at(s, n, i, "-range") || at(s, n, i, "-tramp") ||
		       (i >= 3 && at(s, n, i - 3, "non-virtual")) ||
		       ((prev == '<' || prev == '(' || prev == ',' || prev == ' ') && is_dig(next));
	if (c == '+')
		return memmem(s, i, "dyn ", 4) && (ident_char(prev) || prev == '>') &&
		       ident_char(next) && memmem(s + i, n - i, "::", 2);
	return false; /* '=' outside an operator name */
}

bool rti_secret_code_shaped(const char *s, size_t n)
{
	size_t last_dot = (size_t)-1;
	bool token = false;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '.')
			last_dot = i;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_alnum(c) || c == '_' || c == '$') {
			token = true;
			if (i + 8 <= n && !memcmp(s + i, "operator", 8)) {
				/* the operator's own characters belong to its name */
				i += 8;
				while (i < n && operator_char((unsigned char)s[i]))
					i++;
				i--;
			}
			continue;
		}
		if (!code_punct(c))
			return false;
		if (strchr("+/=-", c) && !base64_char_ok(s, n, i, last_dot))
			return false;
	}
	return token;
}

size_t rti_secret_scan_code(const char *s, size_t n, struct rti_secret_span *spans, size_t max)
{
	return scan_spans(s, n, spans, max, !rti_secret_code_shaped(s, n));
}

const char *rti_secret_kind_name(enum rti_secret_kind k)
{
	static const char *const names[RTI_SECRET__COUNT] = {
		[RTI_SECRET_AWS_KEY] = "aws-key",
		[RTI_SECRET_JWT] = "jwt",
		[RTI_SECRET_BEARER] = "bearer",
		[RTI_SECRET_PAIR] = "secret-pair",
		[RTI_SECRET_PEM] = "pem-private-key",
		[RTI_SECRET_ENTROPY] = "high-entropy",
	};

	return (unsigned)k < RTI_SECRET__COUNT ? names[k] : NULL;
}
