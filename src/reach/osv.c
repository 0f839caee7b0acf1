/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Advisory records (spec reachability.md §1, §4): OSV (golang/vulndb,
 * RustSec, GitHub advisories), CVE JSON 5 and stella-vulnfn/v1, read into
 * the advisory model. Every problem is reported at FILE: json.path.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rti/buf.h"
#include "reach/reach_int.h"

#define PATHLEN 256

/* out = base + sfx, cut to PATHLEN (messages only) */
static void jpath(char *out, const char *base, const char *sfx)
{
	size_t b = strlen(base), n = strlen(sfx);

	if (b > PATHLEN - 1)
		b = PATHLEN - 1;
	memmove(out, base, b);
	if (n > PATHLEN - 1 - b)
		n = PATHLEN - 1 - b;
	memcpy(out + b, sfx, n);
	out[b + n] = '\0';
}

static void member_path(char *out, const char *path, const char *key)
{
	jpath(out, path, ".");
	jpath(out, out, key);
}

static bool jeq(const struct reach_doc *d, int i, const char *s)
{
	size_t n = strlen(s);

	return reach_jis(d, i, RTI_JSON_STRING) && (size_t)(d->t[i].end - d->t[i].start) == n &&
	       !memcmp(d->js + d->t[i].start, s, n);
}

static bool jtrue(const struct reach_doc *d, int i)
{
	return reach_jis(d, i, RTI_JSON_PRIMITIVE) && d->js[d->t[i].start] == 't';
}

/* The elements of an array: calls fn(d, elem, k, path_of_elem, arg). */
typedef int (*elem_fn)(const struct reach_doc *d, int i, const char *path, void *arg);

static int each(const struct reach_doc *d, int arr, const char *path, elem_fn fn, void *arg)
{
	int i, k;

	if (arr < 0)
		return 0;
	if (!reach_jis(d, arr, RTI_JSON_ARRAY)) {
		reach_diag(d->r, "%s: %s: expected an array", d->file, path);
		return 0;
	}
	for (i = arr + 1, k = 0; k < d->t[arr].size; k++, i = reach_jskip(d, i)) {
		char p[PATHLEN];
		int err;

		snprintf(p, sizeof(p), "%s[%d]", path, k);
		err = fn(d, i, p, arg);
		if (err)
			return err;
	}
	return 0;
}

static char *req_str(const struct reach_doc *d, int obj, const char *key, const char *path)
{
	int v = reach_jget(d, obj, key);
	char *s = reach_jstr(d, v);

	if (!s || !*s) {
		reach_diag(d->r, "%s: %s.%s: %s", d->file, path, key,
			   v < 0 ? "missing" : "expected a non-empty string");
		free(s);
		return NULL;
	}
	return s;
}

struct ctx {
	struct reach_adv *a;
	const char *ecosystem; /* OSV affected[].package.ecosystem */
	const char *pkg;       /* Go: the import path */
	char lang;
};

static int add_fn(const struct reach_doc *d, const char *path, struct ctx *c, const char *pkg,
		  const char *name, int role)
{
	int err = reach_fn_add(d->r, c->a, c->lang, pkg, name, role);

	if (err == -EINVAL || err == -E2BIG) {
		reach_diag(d->r, "%s: %s: %s", d->file, path,
			   err == -E2BIG ? "too many functions" : "not a function name");
		return 0;
	}
	return err;
}

/* ---- Go (golang/vulndb): ecosystem_specific.imports[] ---- */

static int go_symbol(const struct reach_doc *d, int i, const char *path, void *arg)
{
	struct ctx *c = arg;
	char *s = reach_jstr(d, i);
	int err;

	if (!s) {
		reach_diag(d->r, "%s: %s: expected a string", d->file, path);
		return 0;
	}
	err = *s ? add_fn(d, path, c, c->pkg, s, ROLE_UNKNOWN) : 0;
	free(s);
	return err;
}

static int go_import(const struct reach_doc *d, int i, const char *path, void *arg)
{
	struct ctx *c = arg;
	char p[PATHLEN];
	int syms = reach_jget(d, i, "symbols");
	char *ip = req_str(d, i, "path", path);
	int err = 0;

	if (!ip)
		return 0;
	c->a->has_function_data = true;
	if (!reach_platform_ok(d->r, d, i, "goos", "goarch", path)) {
		d->r->counts.other_platform++;
	} else if (syms < 0 || (reach_jis(d, syms, RTI_JSON_ARRAY) && !d->t[syms].size)) {
		err = reach_pkg_only(d->r, c->a, LANG_GO, ip);
	} else {
		jpath(p, path, ".symbols");
		c->pkg = ip;
		err = each(d, syms, p, go_symbol, c);
		c->pkg = NULL;
	}
	reach_plat_clear(d->r);
	if (!err)
		err = reach_list_add(&c->a->packages, ip);
	free(ip);
	return err;
}

/* ---- flat function lists: RustSec, GitHub affected_functions, CVE 5 ---- */

/* A GitHub name of a Go function, "example.com/m/pkg.T.M": path + member. */
static int go_qualified(const struct reach_doc *d, const char *path, struct ctx *c, char *s)
{
	char *slash = strrchr(s, '/');
	char *dot = strchr(slash ? slash : s, '.');

	if (!dot || dot == s || !dot[1]) {
		reach_diag(d->r, "%s: %s: not a qualified Go function (import/path.Func)", d->file,
			   path);
		return 0;
	}
	*dot = '\0';
	return add_fn(d, path, c, s, dot + 1, ROLE_UNKNOWN);
}

static int flat_fn(const struct reach_doc *d, int i, const char *path, void *arg)
{
	struct ctx *c = arg;
	int n = reach_jis(d, i, RTI_JSON_OBJECT) ? reach_jget(d, i, "name") : i;
	char *s = reach_jstr(d, n);
	int err = 0;

	if (!s) {
		reach_diag(d->r, "%s: %s: expected a function name", d->file, path);
		return 0;
	}
	if (*s) {
		c->a->has_function_data = true;
		err = c->lang == LANG_GO ? go_qualified(d, path, c, s)
					 : add_fn(d, path, c, NULL, s, ROLE_UNKNOWN);
	}
	free(s);
	return err;
}

static int flat_list(const struct reach_doc *d, int obj, const char *key, const char *path,
		     struct ctx *c)
{
	char p[PATHLEN];

	member_path(p, path, key);
	return each(d, reach_jget(d, obj, key), p, flat_fn, c);
}

static char lang_of(const char *ecosystem)
{
	if (ecosystem && !strcmp(ecosystem, "Go"))
		return LANG_GO;
	if (ecosystem && !strcmp(ecosystem, "crates.io"))
		return LANG_RUST;
	return LANG_C;
}

/* Ranges of packages whose versions --findings may give: SEMVER for
 * crates.io and npm, ECOSYSTEM (dpkg ordering) for Debian and Ubuntu
 * ("Debian:12"); Go's are read with its imports. */
static char range_scheme(const char *ecosystem)
{
	if (!ecosystem)
		return 0;
	if (!strcmp(ecosystem, "crates.io") || !strcmp(ecosystem, "npm"))
		return 'S';
	if (!strncmp(ecosystem, "Debian", 6) || !strncmp(ecosystem, "Ubuntu", 6))
		return (ecosystem[6] == '\0' || ecosystem[6] == ':') ? 'D' : 0;
	return 0;
}

static int rustsec(const struct reach_doc *d, int es, const char *path, struct ctx *c)
{
	int affects = reach_jget(d, es, "affects");
	char p[PATHLEN];
	int err;

	jpath(p, path, ".affects");
	if (affects >= 0 && !reach_platform_ok(d->r, d, affects, "os", "arch", p)) {
		d->r->counts.other_platform++;
		c->a->has_function_data = true;
		return 0;
	}
	err = affects >= 0 ? flat_list(d, affects, "functions", p, c) : 0;
	if (!err)
		err = flat_list(d, es, "functions", path, c);
	return err;
}

static int osv_affected(const struct reach_doc *d, int i, const char *path, void *arg)
{
	struct ctx *c = arg;
	int pkg = reach_jget(d, i, "package");
	int es = reach_jget(d, i, "ecosystem_specific");
	char *eco = reach_jstr(d, reach_jget(d, pkg, "ecosystem"));
	char *name = reach_jstr(d, reach_jget(d, pkg, "name"));
	char p[PATHLEN];
	int err = 0;

	if (!reach_jis(d, i, RTI_JSON_OBJECT)) {
		reach_diag(d->r, "%s: %s: expected an object", d->file, path);
		goto out;
	}
	c->lang = lang_of(eco);
	if (name && *name)
		err = reach_list_add(&c->a->packages, name);
	if (!err && c->lang != LANG_GO && name && *name && range_scheme(eco))
		err = reach_rset_add(d->r, c->a, d, reach_jget(d, i, "ranges"), name, path,
				     range_scheme(eco));
	jpath(p, path, ".ecosystem_specific");
	if (err || es < 0)
		goto out;
	if (!reach_jis(d, es, RTI_JSON_OBJECT)) {
		reach_diag(d->r, "%s: %s: expected an object", d->file, p);
		goto out;
	}
	if (c->lang == LANG_GO && name && *name)
		err = reach_rset_add(d->r, c->a, d, reach_jget(d, i, "ranges"), name, path, 'G');
	if (!err && c->lang == LANG_GO) {
		char ip[PATHLEN];

		jpath(ip, p, ".imports");
		err = each(d, reach_jget(d, es, "imports"), ip, go_import, c);
	} else if (c->lang == LANG_RUST) {
		err = rustsec(d, es, p, c);
	}
	reach_plat_clear(d->r);
	if (!err)
		err = flat_list(d, es, "affected_functions", p, c);
out:
	free(eco);
	free(name);
	return err;
}

/* The advisory named by obj.key: 0 with *a (NULL when the id is bad), or -errno. */
static int adv_of(const struct reach_doc *d, int obj, const char *key, const char *path,
		  struct reach_adv **a)
{
	char *id = req_str(d, obj, key, path);

	*a = NULL;
	if (!id)
		return 0;
	*a = reach_adv_get(d->r, id, d->file);
	free(id);
	return *a ? 0 : -errno;
}

static int load_osv(const struct reach_doc *d, int i, const char *path)
{
	struct ctx c = { 0 };
	char p[PATHLEN];
	int err = adv_of(d, i, "id", path, &c.a);

	if (err || !c.a)
		return err;
	member_path(p, path, "aliases");
	err = reach_string_list(d, reach_jget(d, i, "aliases"), p, &c.a->aliases);
	jpath(p, path, ".affected");
	if (!err)
		err = each(d, reach_jget(d, i, "affected"), p, osv_affected, &c);
	return err;
}

/* ---- CVE JSON 5: containers.cna.affected[].programRoutines[].name ---- */

static int cve_affected(const struct reach_doc *d, int i, const char *path, void *arg)
{
	struct ctx *c = arg;
	char *name = reach_jstr(d, reach_jget(d, i, "packageName"));
	int err = 0;

	if (!name)
		name = reach_jstr(d, reach_jget(d, i, "product"));
	if (name && *name)
		err = reach_list_add(&c->a->packages, name);
	free(name);
	if (!err)
		err = flat_list(d, i, "programRoutines", path, c);
	return err;
}

static int load_cve5(const struct reach_doc *d, int i, const char *path)
{
	int meta = reach_jget(d, i, "cveMetadata");
	int cna = reach_jget(d, reach_jget(d, i, "containers"), "cna");
	struct ctx c = { .lang = LANG_C };
	char p[PATHLEN];
	int err;

	jpath(p, path, ".cveMetadata");
	err = adv_of(d, meta, "cveId", p, &c.a);
	if (err || !c.a)
		return err;
	if (cna < 0) {
		reach_diag(d->r, "%s: %s.containers.cna: missing", d->file, path);
		return 0;
	}
	jpath(p, path, ".containers.cna.affected");
	return each(d, reach_jget(d, cna, "affected"), p, cve_affected, &c);
}

/* ---- stella-vulnfn/v1 (§4) ---- */

static int vulnfn_role(const struct reach_doc *d, int i, const char *path)
{
	int rv = reach_jget(d, i, "role");

	if (jeq(d, rv, "root"))
		return ROLE_ROOT;
	if (jeq(d, rv, "derived"))
		return ROLE_DERIVED;
	if (rv >= 0 && !jeq(d, rv, "unknown"))
		reach_diag(d->r, "%s: %s.role: expected root, derived or unknown", d->file, path);
	return ROLE_UNKNOWN;
}

static int vulnfn_symbol(const struct reach_doc *d, int i, const char *path, void *arg)
{
	struct ctx *c = arg;
	char *name = req_str(d, i, "name", path);
	bool whole = jtrue(d, reach_jget(d, i, "whole_package"));
	int role, err = 0;

	if (!name)
		return 0;
	role = vulnfn_role(d, i, path);
	if (!reach_platform_ok(d->r, d, i, "goos", "goarch", path)) {
		d->r->counts.other_platform++;
		c->a->has_function_data = true;
	} else if (whole && c->lang == LANG_C) {
		reach_diag(d->r, "%s: %s.whole_package: only for go and rust", d->file, path);
	} else if (whole) {
		err = reach_pkg_only(d->r, c->a, c->lang, name);
	} else if (c->lang == LANG_GO && !c->pkg) {
		reach_diag(d->r, "%s: %s: a go symbol needs the entry's package", d->file, path);
	} else {
		err = add_fn(d, path, c, c->lang == LANG_GO ? c->pkg : NULL, name, role);
	}
	reach_plat_clear(d->r);
	free(name);
	return err;
}

/* extension: version_ranges[] {module, ranges (OSV), scheme go|semver|dpkg} */
static int vulnfn_rset(const struct reach_doc *d, int i, const char *path, void *arg)
{
	struct ctx *c = arg;
	int sc = reach_jget(d, i, "scheme");
	char scheme = jeq(d, sc, "go") ? 'G' : jeq(d, sc, "semver") ? 'S' : jeq(d, sc, "dpkg") ? 'D' : 0;
	char *module = req_str(d, i, "module", path);
	int err = 0;

	if (module && !scheme)
		reach_diag(d->r, "%s: %s.scheme: expected go, semver or dpkg", d->file, path);
	else if (module)
		err = reach_rset_add(d->r, c->a, d, reach_jget(d, i, "ranges"), module, path, scheme);
	free(module);
	return err;
}

static char vulnfn_lang(const struct reach_doc *d, int i, const char *path)
{
	int l = reach_jget(d, i, "language");

	if (l < 0 || jeq(d, l, "c"))
		return LANG_C;
	if (jeq(d, l, "go"))
		return LANG_GO;
	if (jeq(d, l, "rust"))
		return LANG_RUST;
	reach_diag(d->r, "%s: %s.language: expected c, go or rust", d->file, path);
	return 0;
}

static int vulnfn_lists(const struct reach_doc *d, int i, const char *path, struct ctx *c)
{
	static const char *const key[] = { "aliases", "modules", "code_ids" };
	struct reach_str_list *l[] = { &c->a->aliases, &c->a->modules, &c->a->code_ids };
	char p[PATHLEN];
	int err = 0;

	for (size_t k = 0; k < 3 && !err; k++) {
		member_path(p, path, key[k]);
		err = reach_string_list(d, reach_jget(d, i, key[k]), p, l[k]);
	}
	return err;
}

static int vulnfn_entry(const struct reach_doc *d, int i, const char *path, void *arg)
{
	struct ctx c = { .lang = LANG_C };
	char p[PATHLEN];
	char *pkg;
	int err = adv_of(d, i, "vuln_id", path, &c.a);
	int pkgs = reach_jget(d, i, "packages");

	(void)arg;
	if (err || !c.a)
		return err;
	c.lang = vulnfn_lang(d, i, path);
	if (!c.lang)
		return 0;
	pkg = reach_jstr(d, reach_jget(d, i, "package"));
	c.pkg = pkg && *pkg ? pkg : NULL;
	member_path(p, path, "packages");
	if (pkgs >= 0)
		err = reach_string_list(d, pkgs, p, &c.a->packages);
	else if (c.pkg)
		err = reach_list_add(&c.a->packages, pkg);
	if (!err)
		err = vulnfn_lists(d, i, path, &c);
	if (!err && jtrue(d, reach_jget(d, i, "has_function_data")))
		c.a->has_function_data = true;
	member_path(p, path, "version_ranges");
	if (!err)
		err = each(d, reach_jget(d, i, "version_ranges"), p, vulnfn_rset, &c);
	jpath(p, path, ".symbols");
	if (!err)
		err = each(d, reach_jget(d, i, "symbols"), p, vulnfn_symbol, &c);
	free(pkg);
	return err;
}

/* ---- platforms ---- */

static const char *const arch_alias[][2] = {
	{ "amd64", "x86_64" }, { "arm64", "aarch64" }, { "386", "x86" }, { "arm", "arm" },
};

static bool arch_is(const char *mine, const char *given)
{
	if (!strcmp(mine, given))
		return true;
	for (size_t i = 0; i < sizeof(arch_alias) / sizeof(arch_alias[0]); i++)
		if (!strcmp(mine, arch_alias[i][0]) && !strcmp(given, arch_alias[i][1]))
			return true;
	return false;
}

static bool list_has(const struct reach_doc *d, int arr, const char *want, bool arch)
{
	int i, k;

	if (!reach_jis(d, arr, RTI_JSON_ARRAY) || !d->t[arr].size)
		return true; /* absent or empty: every platform */
	for (i = arr + 1, k = 0; k < d->t[arr].size; k++, i = reach_jskip(d, i)) {
		char *s = reach_jstr(d, i);
		bool hit = s && (arch ? arch_is(want, s) : !strcmp(want, s));

		free(s);
		if (hit)
			return true;
	}
	return false;
}

/* .all_platforms: the constraint as a string, each list's strings joined
 * by \x1f, the two lists by \x1e; NULL when both are empty (any). */
static int plat_list(const struct reach_doc *d, int arr, struct rti_buf *b)
{
	int i, k, err = 0;

	if (!reach_jis(d, arr, RTI_JSON_ARRAY))
		return 0;
	for (i = arr + 1, k = 0; k < d->t[arr].size && !err; k++, i = reach_jskip(d, i)) {
		char *s = reach_jstr(d, i);

		if (s)
			err = rti_buf_addf(b, "%s%s", k ? "\x1f" : "", s);
		free(s);
	}
	return err;
}

void reach_plat_clear(struct rti_reach *r)
{
	free(r->plat);
	r->plat = NULL;
}

static bool plat_keep(struct rti_reach *r, const struct reach_doc *d, int obj, const char *os_key,
		      const char *arch_key)
{
	struct rti_buf b = RTI_BUF_INIT(1u << 20);
	int err = plat_list(d, reach_jget(d, obj, os_key), &b);

	if (!err)
		err = rti_buf_addch(&b, '\x1e');
	if (!err)
		err = plat_list(d, reach_jget(d, obj, arch_key), &b);
	reach_plat_clear(r);
	if (!err && b.len > 1)
		r->plat = b.p;
	else
		rti_buf_release(&b);
	return true;
}

bool reach_platform_ok(struct rti_reach *r, const struct reach_doc *d, int obj,
		       const char *os_key, const char *arch_key, const char *path)
{
	(void)path;
	if (r->o.all_platforms)
		return plat_keep(r, d, obj, os_key, arch_key);
	return list_has(d, reach_jget(d, obj, os_key), r->o.goos ? r->o.goos : "linux", false) &&
	       list_has(d, reach_jget(d, obj, arch_key), r->goarch, true);
}

int reach_load_record(const struct reach_doc *d, int i, const char *path)
{
	int fmt = reach_jget(d, i, "format");
	char p[PATHLEN];

	if (!reach_jis(d, i, RTI_JSON_OBJECT)) {
		reach_diag(d->r, "%s: %s: expected an object (an advisory record)", d->file, path);
		return 0;
	}
	if (fmt >= 0) {
		if (!jeq(d, fmt, "stella-vulnfn/v1")) {
			reach_diag(d->r, "%s: %s.format: expected \"stella-vulnfn/v1\"", d->file, path);
			return 0;
		}
		jpath(p, path, ".entries");
		if (reach_jget(d, i, "entries") < 0)
			reach_diag(d->r, "%s: %s: missing", d->file, p);
		return each(d, reach_jget(d, i, "entries"), p, vulnfn_entry, NULL);
	}
	if (reach_jget(d, i, "cveMetadata") >= 0)
		return load_cve5(d, i, path);
	return load_osv(d, i, path);
}
