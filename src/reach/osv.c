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

static int vulnfn_symbol(const struct reach_doc *d, int i, const char *path, void *arg)
{
	struct ctx *c = arg;
	char *name = req_str(d, i, "name", path);
	int rv = reach_jget(d, i, "role");
	int role = ROLE_UNKNOWN;
	int err;

	if (!name)
		return 0;
	if (jeq(d, rv, "root"))
		role = ROLE_ROOT;
	else if (jeq(d, rv, "derived"))
		role = ROLE_DERIVED;
	else if (rv >= 0 && !jeq(d, rv, "unknown"))
		reach_diag(d->r, "%s: %s.role: expected root, derived or unknown", d->file, path);
	err = add_fn(d, path, c, NULL, name, role);
	free(name);
	return err;
}

static int vulnfn_entry(const struct reach_doc *d, int i, const char *path, void *arg)
{
	struct ctx c = { .lang = LANG_C };
	char p[PATHLEN];
	char *pkg;
	int err = adv_of(d, i, "vuln_id", path, &c.a);

	(void)arg;
	if (err || !c.a)
		return err;
	pkg = reach_jstr(d, reach_jget(d, i, "package"));
	err = pkg && *pkg ? reach_list_add(&c.a->packages, pkg) : 0;
	free(pkg);
	member_path(p, path, "aliases");
	if (!err)
		err = reach_string_list(d, reach_jget(d, i, "aliases"), p, &c.a->aliases);
	jpath(p, path, ".modules");
	if (!err)
		err = reach_string_list(d, reach_jget(d, i, "modules"), p, &c.a->modules);
	jpath(p, path, ".code_ids");
	if (!err)
		err = reach_string_list(d, reach_jget(d, i, "code_ids"), p, &c.a->code_ids);
	jpath(p, path, ".symbols");
	if (!err)
		err = each(d, reach_jget(d, i, "symbols"), p, vulnfn_symbol, &c);
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

bool reach_platform_ok(const struct rti_reach *r, const struct reach_doc *d, int obj,
		       const char *os_key, const char *arch_key, const char *path)
{
	(void)path;
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
