/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Versions (spec reachability.md §2): the OSV SEMVER ranges of Go
 * advisories applied to the Go build information of a binary (the Go
 * version for "stdlib", the module versions otherwise). A version outside
 * every range is the only ground on which `reach` calls a vulnerability
 * not affected.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reach/reach_int.h"

#define MAX_RSETS 1000000

static bool want_kind(const char *k)
{
	return !strcmp(k, "introduced") || !strcmp(k, "fixed") || !strcmp(k, "last_affected");
}

/* ranges: affected[].ranges, the SEMVER ones ('G'), SEMVER or ECOSYSTEM
 * ('S': crates.io and npm versions are semantic versions, GitHub writes
 * them as ECOSYSTEM) or ECOSYSTEM ('D'); the others are skipped. */
int reach_rset_add(struct rti_reach *r, struct reach_adv *a, const struct reach_doc *d,
		   int ranges, const char *module, const char *path, char scheme)
{
	struct reach_rset *rs;
	uint32_t *na;
	int i, k, err = 0;

	if (!reach_jis(d, ranges, RTI_JSON_ARRAY) || r->nrsets >= MAX_RSETS)
		return 0;
	if (r->nrsets == r->caprsets) {
		size_t ncap = r->caprsets ? r->caprsets * 2 : 16;
		struct reach_rset *n = realloc(r->rsets, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		r->rsets = n;
		r->caprsets = ncap;
	}
	na = realloc(a->rsets, (a->nrsets + 1) * sizeof(*na));
	if (!na)
		return -ENOMEM;
	a->rsets = na;
	rs = &r->rsets[r->nrsets];
	memset(rs, 0, sizeof(*rs));
	rs->module = strdup(module);
	rs->scheme = scheme;
	if (!rs->module)
		return -ENOMEM;
	a->rsets[a->nrsets++] = (uint32_t)r->nrsets++;
	for (i = ranges + 1, k = 0; k < d->t[ranges].size && !err; k++, i = reach_jskip(d, i)) {
		char *type = reach_jstr(d, reach_jget(d, i, "type"));
		int evs = reach_jget(d, i, "events");

		bool want = type && (scheme == 'D'   ? !strcmp(type, "ECOSYSTEM")
				     : scheme == 'S' ? !strcmp(type, "SEMVER") || !strcmp(type, "ECOSYSTEM")
						     : !strcmp(type, "SEMVER"));

		if (want && reach_jis(d, evs, RTI_JSON_ARRAY)) {
			int j = evs + 1;

			for (int e = 0; e < d->t[evs].size && !err; e++, j = reach_jskip(d, j)) {
				int key = reach_jis(d, j, RTI_JSON_OBJECT) && d->t[j].size == 1 ? j + 1 : -1;
				char *kind = reach_jstr(d, key), *ver = reach_jstr(d, key + 1);

				if (kind && ver && want_kind(kind)) {
					rs->kinds.v = realloc(rs->kinds.v, (rs->kinds.n + 1) * sizeof(char *));
					rs->versions.v = realloc(rs->versions.v,
								 (rs->versions.n + 1) * sizeof(char *));
					if (!rs->kinds.v || !rs->versions.v) {
						err = -ENOMEM;
					} else {
						rs->kinds.v[rs->kinds.n++] = kind;
						rs->versions.v[rs->versions.n++] = ver;
						kind = ver = NULL;
					}
				} else if (key >= 0 && (!kind || !ver)) {
					reach_diag(r, "%s: %s.ranges[%d].events[%d]: expected "
						      "{\"introduced\"|\"fixed\"|\"last_affected\": VERSION}",
						   d->file, path, k, e);
				}
				free(kind);
				free(ver);
			}
		}
		free(type);
	}
	return err;
}

void reach_rsets_free(struct rti_reach *r)
{
	for (size_t i = 0; i < r->nrsets; i++) {
		free(r->rsets[i].module);
		reach_list_free(&r->rsets[i].kinds);
		reach_list_free(&r->rsets[i].versions);
	}
	free(r->rsets);
}

/* ---- semantic versions: MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD] ---- */

static const char *num(const char *s, unsigned long long *v)
{
	char *end;

	*v = strtoull(s, &end, 10);
	return end;
}

static int ident_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	bool da = an && strspn(a, "0123456789") >= an, db = bn && strspn(b, "0123456789") >= bn;
	int c;

	if (da && db) {
		if (an != bn)
			return an < bn ? -1 : 1;
		return memcmp(a, b, an) < 0 ? -1 : memcmp(a, b, an) > 0;
	}
	if (da != db)
		return da ? -1 : 1; /* numeric identifiers sort first */
	c = memcmp(a, b, an < bn ? an : bn);
	return c ? (c < 0 ? -1 : 1) : (an > bn) - (an < bn);
}

static int pre_cmp(const char *a, const char *b)
{
	size_t al = strcspn(a, "+"), bl = strcspn(b, "+");

	if (!al || !bl)
		return !al && !bl ? 0 : !al ? 1 : -1; /* a release sorts after its prereleases */
	while (al || bl) {
		size_t x = strcspn(a, ".+"), y = strcspn(b, ".+");
		int c;

		if (x > al)
			x = al;
		if (y > bl)
			y = bl;
		if (!al || !bl)
			return al ? 1 : -1;
		c = ident_cmp(a, x, b, y);
		if (c)
			return c;
		a += x + (x < al);
		b += y + (y < bl);
		al -= x + (x < al);
		bl -= y + (y < bl);
	}
	return 0;
}

int reach_semver_cmp(const char *a, const char *b)
{
	if (*a == 'v')
		a++;
	if (*b == 'v')
		b++;
	for (int part = 0; part < 3; part++) {
		unsigned long long x = 0, y = 0;

		if (isdigit((unsigned char)*a))
			a = num(a, &x);
		if (isdigit((unsigned char)*b))
			b = num(b, &y);
		if (x != y)
			return x < y ? -1 : 1;
		a += *a == '.';
		b += *b == '.';
	}
	return pre_cmp(*a == '-' ? a + 1 : "", *b == '-' ? b + 1 : "");
}


/* "0" is the start of time */
static int vcmp(char scheme, const char *a, const char *b)
{
	bool az = !strcmp(a, "0"), bz = !strcmp(b, "0");

	if (az || bz)
		return az && bz ? 0 : az ? -1 : 1;
	return scheme == 'D' ? reach_dpkg_cmp(a, b) : reach_semver_cmp(a, b);
}

/* OSV SEMVER: v is affected when some introduced I <= v is not closed by a
 * fixed F (I < F <= v) nor a last_affected L (I <= L < v). */
static bool in_range(const struct reach_rset *rs, const char *v)
{
	for (size_t i = 0; i < rs->kinds.n; i++) {
		const char *in = rs->versions.v[i];
		bool closed = false;

		if (strcmp(rs->kinds.v[i], "introduced") || vcmp(rs->scheme, in, v) > 0)
			continue;
		for (size_t k = 0; k < rs->kinds.n && !closed; k++) {
			const char *e = rs->versions.v[k];

			if (!strcmp(rs->kinds.v[k], "fixed"))
				closed = vcmp(rs->scheme, in, e) < 0 && vcmp(rs->scheme, e, v) <= 0;
			else if (!strcmp(rs->kinds.v[k], "last_affected"))
				closed = vcmp(rs->scheme, in, e) <= 0 && vcmp(rs->scheme, e, v) < 0;
		}
		if (!closed)
			return true;
	}
	return false;
}

/* The module's version in a build information text (without "go"/"v"). */
static bool module_version(const char *info, const char *module, char ver[64])
{
	size_t ml = strlen(module);
	const char *p = info;

	if (!strcmp(module, "stdlib") || !strcmp(module, "toolchain")) {
		if (strncmp(info, "go\tgo", 5))
			return false;
		snprintf(ver, 64, "%.*s", (int)strcspn(info + 5, "\n"), info + 5);
		return true;
	}
	while ((p = strstr(p, "mod\t"))) {
		if ((p == info || p[-1] == '\n') && !strncmp(p + 4, module, ml) && p[4 + ml] == '\t') {
			const char *v = p + 5 + ml;

			snprintf(ver, 64, "%.*s", (int)strcspn(v, "\n"), *v == 'v' ? v + 1 : v);
			return true;
		}
		p += 4;
	}
	return false;
}

enum reach_vstatus reach_version_eval(const struct rti_reach *r, const struct reach_adv *a,
				      const char *info, char ver[64])
{
	enum reach_vstatus st = V_UNKNOWN;

	for (size_t i = 0; i < a->nrsets; i++) {
		const struct reach_rset *rs = &r->rsets[a->rsets[i]];
		char v[64];

		if (rs->scheme != 'G' || !rs->kinds.n || !module_version(info, rs->module, v))
			continue;
		if (in_range(rs, v)) {
			memcpy(ver, v, sizeof(v));
			return V_AFFECTED;
		}
		memcpy(ver, v, sizeof(v));
		st = V_NOT_AFFECTED;
	}
	return st;
}

/* ---- Debian versions: [EPOCH:]UPSTREAM[-REVISION], dpkg's ordering ---- */

static bool dig(char c)
{
	return c >= '0' && c <= '9';
}

static bool alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* '~' before everything, even the end; letters before other characters */
static int dorder(char c)
{
	if (dig(c))
		return 0;
	if (alpha(c))
		return (unsigned char)c;
	if (c == '~')
		return -1;
	if (c)
		return (unsigned char)c + 256;
	return 0;
}

/* dpkg's verrevcmp over [a, ae) and [b, be) */
static int verrevcmp(const char *a, const char *ae, const char *b, const char *be)
{
	while (a < ae || b < be) {
		int first = 0;

		while ((a < ae && !dig(*a)) || (b < be && !dig(*b))) {
			int ac = dorder(a < ae ? *a : '\0'), bc = dorder(b < be ? *b : '\0');

			if (ac != bc)
				return ac < bc ? -1 : 1;
			a++;
			b++;
		}
		while (a < ae && *a == '0')
			a++;
		while (b < be && *b == '0')
			b++;
		while (a < ae && b < be && dig(*a) && dig(*b)) {
			if (!first)
				first = *a - *b;
			a++;
			b++;
		}
		if (a < ae && dig(*a))
			return 1;
		if (b < be && dig(*b))
			return -1;
		if (first)
			return first < 0 ? -1 : 1;
	}
	return 0;
}

struct dver {
	unsigned long long epoch;
	const char *up, *upe, *rev, *reve;
};

static void dver_parse(const char *s, struct dver *v)
{
	const char *colon = strchr(s, ':'), *dash;

	v->epoch = 0;
	if (colon) {
		for (const char *p = s; p < colon && dig(*p); p++)
			v->epoch = v->epoch < 100000000ull ? v->epoch * 10 + (unsigned)(*p - '0')
							   : v->epoch;
		s = colon + 1;
	}
	dash = strrchr(s, '-');
	v->up = s;
	v->upe = dash ? dash : s + strlen(s);
	v->rev = dash ? dash + 1 : v->upe;
	v->reve = dash ? dash + 1 + strlen(dash + 1) : v->upe;
}

/* dpkg --compare-versions: <0, 0, >0 */
int reach_dpkg_cmp(const char *a, const char *b)
{
	struct dver x, y;
	int c;

	dver_parse(a, &x);
	dver_parse(b, &y);
	if (x.epoch != y.epoch)
		return x.epoch < y.epoch ? -1 : 1;
	c = verrevcmp(x.up, x.upe, y.up, y.upe);
	return c ? c : verrevcmp(x.rev, x.reve, y.rev, y.reve);
}

/* ---- versions from scanner findings ---- */

static bool finding_of(const struct reach_finding *f, const struct reach_adv *a,
		       const char *digest)
{
	bool id = !strcmp(f->vuln, a->id);

	for (size_t k = 0; !id && k < a->aliases.n; k++)
		id = !strcmp(f->vuln, a->aliases.v[k]);
	return id && f->version && *f->version && (!f->digest[0] || !strcmp(f->digest, digest));
}

/* Grype and Trivy write Go versions as "v1.2.3" and Go itself as "go1.21.0" */
static const char *plain_version(char scheme, const char *v)
{
	if (scheme == 'D')
		return v;
	if (v[0] == 'v' && dig(v[1]))
		return v + 1;
	if (!strncmp(v, "go", 2) && dig(v[2]))
		return v + 2;
	return v;
}

/* A finding names the package, or the advisory has ranges for one only. */
static bool rset_of(const struct reach_adv *a, const struct reach_rset *rs,
		    const struct reach_finding *f)
{
	if (!rs->kinds.n)
		return false;
	if ((f->pkg && *f->pkg) || (f->src && *f->src))
		return (f->pkg && !strcmp(f->pkg, rs->module)) ||
		       (f->src && !strcmp(f->src, rs->module));
	return a->nrsets == 1;
}

enum reach_vstatus reach_version_findings(const struct rti_reach *r, const struct reach_adv *a,
					  const char *scope, char ver[64])
{
	const char *digest = !strncmp(scope, "image:", 6) ? scope + 6 : "";
	enum reach_vstatus st = V_UNKNOWN;

	for (size_t i = 0; a->nrsets && i < r->nfindings; i++) {
		const struct reach_finding *f = &r->findings[i];

		if (!finding_of(f, a, digest))
			continue;
		for (size_t k = 0; k < a->nrsets; k++) {
			const struct reach_rset *rs = &r->rsets[a->rsets[k]];
			const char *v = plain_version(rs->scheme, f->version);

			if (!rset_of(a, rs, f))
				continue;
			snprintf(ver, 64, "%s", f->version);
			if (in_range(rs, v))
				return V_AFFECTED;
			st = V_NOT_AFFECTED;
		}
	}
	return st;
}
