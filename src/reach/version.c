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

/* ranges: affected[].ranges, the SEMVER ones; ECOSYSTEM/GIT are skipped. */
int reach_rset_add(struct rti_reach *r, struct reach_adv *a, const struct reach_doc *d,
		   int ranges, const char *module, const char *path)
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
	if (!rs->module)
		return -ENOMEM;
	a->rsets[a->nrsets++] = (uint32_t)r->nrsets++;
	for (i = ranges + 1, k = 0; k < d->t[ranges].size && !err; k++, i = reach_jskip(d, i)) {
		char *type = reach_jstr(d, reach_jget(d, i, "type"));
		int evs = reach_jget(d, i, "events");

		if (type && !strcmp(type, "SEMVER") && reach_jis(d, evs, RTI_JSON_ARRAY)) {
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
static int vcmp(const char *a, const char *b)
{
	bool az = !strcmp(a, "0"), bz = !strcmp(b, "0");

	if (az || bz)
		return az && bz ? 0 : az ? -1 : 1;
	return reach_semver_cmp(a, b);
}

/* OSV SEMVER: v is affected when some introduced I <= v is not closed by a
 * fixed F (I < F <= v) nor a last_affected L (I <= L < v). */
static bool in_range(const struct reach_rset *rs, const char *v)
{
	for (size_t i = 0; i < rs->kinds.n; i++) {
		const char *in = rs->versions.v[i];
		bool closed = false;

		if (strcmp(rs->kinds.v[i], "introduced") || vcmp(in, v) > 0)
			continue;
		for (size_t k = 0; k < rs->kinds.n && !closed; k++) {
			const char *e = rs->versions.v[k];

			if (!strcmp(rs->kinds.v[k], "fixed"))
				closed = vcmp(in, e) < 0 && vcmp(e, v) <= 0;
			else if (!strcmp(rs->kinds.v[k], "last_affected"))
				closed = vcmp(in, e) <= 0 && vcmp(e, v) < 0;
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

		if (!rs->kinds.n || !module_version(info, rs->module, v))
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
