/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scanner findings (spec reachability.md §1): Grype JSON
 * (matches[].vulnerability.id, source.target digests), Trivy JSON
 * (Results[].Vulnerabilities[].VulnerabilityID, Metadata digests), a
 * CycloneDX BOM/VEX (vulnerabilities[].id, metadata.component digest) or
 * CSV "image_digest,vuln_id,package[,version]". Only the (image,
 * vulnerability) pairs they list are evaluated; the installed package
 * version they give is a version source (version.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rti/buf.h"
#include "reach/reach_int.h"

#define MAX_FINDINGS 4000000
#define MAX_DIGESTS 16

/* what a finding says about the package: name, source package, version */
struct fpkg {
	char *name, *src, *version;
};

static void fpkg_free(struct fpkg *p)
{
	free(p->name);
	free(p->src);
	free(p->version);
	memset(p, 0, sizeof(*p));
}

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static int add(struct rti_reach *r, const char *digest, const char *vuln, const struct fpkg *p)
{
	struct reach_finding *f;

	if (r->nfindings >= MAX_FINDINGS)
		return -E2BIG;
	if (reach_grow((void **)&r->findings, &r->capfindings, r->nfindings,
		       sizeof(*r->findings)))
		return -ENOMEM;
	f = &r->findings[r->nfindings];
	memset(f, 0, sizeof(*f));
	f->digest = strdup(digest);
	f->vuln = strdup(vuln);
	if (p) {
		f->pkg = dup_or_null(p->name);
		f->src = dup_or_null(p->src);
		f->version = dup_or_null(p->version);
	}
	if (!f->digest || !f->vuln || (p && ((p->name && *p->name && !f->pkg) ||
					     (p->src && *p->src && !f->src) ||
					     (p->version && *p->version && !f->version)))) {
		free(f->digest);
		free(f->vuln);
		free(f->pkg);
		free(f->src);
		free(f->version);
		return -ENOMEM;
	}
	r->nfindings++;
	r->counts.findings = r->nfindings;
	return 0;
}

void reach_findings_free(struct rti_reach *r)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		free(r->findings[i].digest);
		free(r->findings[i].vuln);
		free(r->findings[i].pkg);
		free(r->findings[i].src);
		free(r->findings[i].version);
	}
	free(r->findings);
}

bool reach_finding_wanted(const struct rti_reach *r, const char *scope, const struct reach_adv *a)
{
	const char *digest = !strncmp(scope, "image:", 6) ? scope + 6 : "";

	if (!r->has_findings)
		return true;
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct reach_finding *f = &r->findings[i];
		bool id = !strcmp(f->vuln, a->id);

		for (size_t k = 0; !id && k < a->aliases.n; k++)
			id = !strcmp(f->vuln, a->aliases.v[k]);
		if (id && (!f->digest[0] || !strcmp(f->digest, digest)))
			return true;
	}
	return false;
}

/* ---- JSON ---- */

struct digests {
	char *v[MAX_DIGESTS];
	unsigned n;
};

/* "sha256:<hex>" at the end of s ("repo@sha256:..." or the digest) */
static void digest_add(struct digests *ds, char *s)
{
	char *at = s ? strstr(s, "sha256:") : NULL;

	if (at && strlen(at) == 7 + 64 && ds->n < MAX_DIGESTS)
		ds->v[ds->n++] = strdup(at);
	free(s);
}

static void digests_of(const struct reach_doc *d, int obj, const char *one, const char *one2,
		       const char *list, struct digests *ds)
{
	int arr = reach_jget(d, obj, list);

	digest_add(ds, reach_jstr(d, reach_jget(d, obj, one)));
	digest_add(ds, reach_jstr(d, reach_jget(d, obj, one2)));
	if (reach_jis(d, arr, RTI_JSON_ARRAY))
		for (int i = arr + 1, k = 0; k < d->t[arr].size; k++, i = reach_jskip(d, i))
			digest_add(ds, reach_jstr(d, i));
}

static int vuln_add(const struct reach_doc *d, const struct digests *ds, int id_tok,
		    const char *path, struct fpkg *p)
{
	char *id = reach_jstr(d, id_tok);
	int err = 0;

	if (!id || !*id)
		reach_diag(d->r, "%s: %s: expected a vulnerability id", d->file, path);
	else if (!ds->n)
		err = add(d->r, "", id, p);
	for (unsigned k = 0; id && *id && k < ds->n && !err; k++)
		err = add(d->r, ds->v[k], id, p);
	free(id);
	fpkg_free(p);
	return err;
}

/* Grype: artifact.name, .version, .upstreams[0].name (the Debian source) */
static void grype_pkg(const struct reach_doc *d, int match, struct fpkg *p)
{
	int art = reach_jget(d, match, "artifact");
	int up = reach_jget(d, art, "upstreams");

	p->name = reach_jstr(d, reach_jget(d, art, "name"));
	p->version = reach_jstr(d, reach_jget(d, art, "version"));
	if (reach_jis(d, up, RTI_JSON_ARRAY) && d->t[up].size > 0)
		p->src = reach_jstr(d, reach_jget(d, up + 1, "name"));
}

/* Trivy: PkgName, SrcName, InstalledVersion */
static void trivy_pkg(const struct reach_doc *d, int v, struct fpkg *p)
{
	p->name = reach_jstr(d, reach_jget(d, v, "PkgName"));
	p->src = reach_jstr(d, reach_jget(d, v, "SrcName"));
	p->version = reach_jstr(d, reach_jget(d, v, "InstalledVersion"));
}

/* CycloneDX: affects[0].ref, the bom-ref of a component (its name and
 * version) or a purl "pkg:TYPE/NAMESPACE/NAME@VERSION" */
static void cdx_pkg(const struct reach_doc *d, int vuln, struct fpkg *p)
{
	int aff = reach_jget(d, vuln, "affects"), comps = reach_jget(d, 0, "components");
	char *ref = reach_jis(d, aff, RTI_JSON_ARRAY) && d->t[aff].size > 0
			    ? reach_jstr(d, reach_jget(d, aff + 1, "ref"))
			    : NULL;

	if (!ref)
		return;
	for (int i = comps + 1, k = 0; comps >= 0 && reach_jis(d, comps, RTI_JSON_ARRAY) &&
					 k < d->t[comps].size && !p->version;
	     k++, i = reach_jskip(d, i)) {
		char *br = reach_jstr(d, reach_jget(d, i, "bom-ref"));

		if (br && !strcmp(br, ref)) {
			p->name = reach_jstr(d, reach_jget(d, i, "name"));
			p->version = reach_jstr(d, reach_jget(d, i, "version"));
		}
		free(br);
	}
	if (!p->version && !strncmp(ref, "pkg:", 4) && strchr(ref, '@')) {
		char *at = strchr(ref, '@'), *slash;

		*at = '\0';
		slash = strrchr(ref, '/');
		p->name = strdup(slash ? slash + 1 : ref + 4);
		p->version = strndup(at + 1, strcspn(at + 1, "?#"));
	}
	free(ref);
}

/* Grype: matches[].vulnerability.id; Trivy: Results[].Vulnerabilities[];
 * CycloneDX: vulnerabilities[].id */
static int findings_json(const struct reach_doc *d)
{
	struct digests ds = { { NULL }, 0 };
	struct fpkg p = { NULL, NULL, NULL };
	int m = reach_jget(d, 0, "matches"), res = reach_jget(d, 0, "Results");
	int cdx = reach_jget(d, 0, "vulnerabilities"), err = 0;
	char path[96];

	if (m >= 0) {
		digests_of(d, reach_jget(d, reach_jget(d, 0, "source"), "target"), "manifestDigest",
			   "imageID", "repoDigests", &ds);
		for (int i = m + 1, k = 0; !err && k < d->t[m].size; k++, i = reach_jskip(d, i)) {
			snprintf(path, sizeof(path), "$.matches[%d].vulnerability.id", k);
			grype_pkg(d, i, &p);
			err = vuln_add(d, &ds, reach_jget(d, reach_jget(d, i, "vulnerability"), "id"), path,
				       &p);
		}
	} else if (res >= 0) {
		digests_of(d, reach_jget(d, 0, "Metadata"), "ImageID", "ImageID", "RepoDigests", &ds);
		for (int i = res + 1, k = 0; !err && k < d->t[res].size; k++, i = reach_jskip(d, i)) {
			int v = reach_jget(d, i, "Vulnerabilities");

			for (int j = v + 1, n = 0; !err && v >= 0 && n < d->t[v].size;
			     n++, j = reach_jskip(d, j)) {
				snprintf(path, sizeof(path), "$.Results[%d].Vulnerabilities[%d]", k, n);
				trivy_pkg(d, j, &p);
				err = vuln_add(d, &ds, reach_jget(d, j, "VulnerabilityID"), path, &p);
			}
		}
	} else if (cdx >= 0) {
		digests_of(d, reach_jget(d, reach_jget(d, 0, "metadata"), "component"), "version",
			   "bom-ref", "none", &ds);
		for (int i = cdx + 1, k = 0; !err && k < d->t[cdx].size; k++, i = reach_jskip(d, i)) {
			snprintf(path, sizeof(path), "$.vulnerabilities[%d].id", k);
			cdx_pkg(d, i, &p);
			err = vuln_add(d, &ds, reach_jget(d, i, "id"), path, &p);
		}
	} else {
		reach_diag(d->r, "%s: $: not Grype, Trivy or CycloneDX JSON (no matches, Results "
				 "or vulnerabilities)", d->file);
	}
	for (unsigned k = 0; k < ds.n; k++)
		free(ds.v[k]);
	return err;
}

/* ---- CSV: image_digest,vuln_id,package[,version] ---- */

static char *csv_field(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '"'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '"' || s[n - 1] == '\r'))
		n--;
	return strndup(s, n);
}

static int findings_csv(struct rti_reach *r, const char *file, const char *s, size_t len)
{
	unsigned line = 0;
	int err = 0;

	while (len && !err) {
		const char *nl = memchr(s, '\n', len);
		size_t n = nl ? (size_t)(nl - s) : len;
		const char *c1 = memchr(s, ',', n);
		const char *c2 = c1 ? memchr(c1 + 1, ',', n - (size_t)(c1 + 1 - s)) : NULL;
		const char *c3 = c2 ? memchr(c2 + 1, ',', n - (size_t)(c2 + 1 - s)) : NULL;

		line++;
		if (n && !(n == 1 && *s == '\r')) {
			char *dg = c1 ? csv_field(s, (size_t)(c1 - s)) : NULL;
			char *id = c1 ? csv_field(c1 + 1, (size_t)((c2 ? c2 : s + n) - c1 - 1)) : NULL;
			struct fpkg p = { NULL, NULL, NULL };

			if (c2)
				p.name = csv_field(c2 + 1, (size_t)((c3 ? c3 : s + n) - c2 - 1));
			if (c3)
				p.version = csv_field(c3 + 1, (size_t)(s + n - c3 - 1));
			if (!dg || !id || !*id)
				reach_diag(r, "%s:%u: expected image_digest,vuln_id,package[,version]",
					   file, line);
			else if (!(line == 1 && !strcmp(dg, "image_digest")))
				err = add(r, strncmp(dg, "sha256:", 7) ? "" : dg, id, &p);
			fpkg_free(&p);
			free(dg);
			free(id);
		}
		s += n + (nl ? 1 : 0);
		len -= n + (nl ? 1 : 0);
	}
	return err;
}

int rti_reach_load_findings_mem(struct rti_reach *r, const char *name, const char *s,
				size_t len)
{
	struct rti_json_error je;
	size_t skip = 0;

	r->has_findings = true;
	while (skip < len && strchr(" \t\r\n", s[skip]) && s[skip])
		skip++;
	if (skip < len && (s[skip] == '{' || s[skip] == '[')) {
		int n = rti_json_check(r->dec, s, len, NULL, &je);
		struct reach_doc d = { r, name, s, rti_json_tokens(r->dec), n };

		if (n < 0)
			reach_diag(r, "%s: $: %s at byte %zu", name, rti_json_strerror(&je), je.offset);
		else if (d.t[0].type != RTI_JSON_OBJECT)
			reach_diag(r, "%s: $: expected an object", name);
		else
			return findings_json(&d);
		return 0;
	}
	return findings_csv(r, name, s, len);
}

int rti_reach_load_findings(struct rti_reach *r, const char *path)
{
	struct rti_buf b = RTI_BUF_INIT(REACH_MAX_FILE);
	int err = reach_read_file(r, path, &b);

	r->has_findings = true;
	if (!err && b.p)
		err = rti_reach_load_findings_mem(r, path, b.p, b.len);
	rti_buf_release(&b);
	return err > 0 ? 0 : err;
}
