/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stella-rti reach convert-advisories: the advisory model written as one
 * stella-vulnfn/v1 document (spec reachability.md §4) with the extension
 * members of docs/reachability.md, so that reading it back gives the same
 * model. Entries are one per (vulnerability, package, language), sorted;
 * canonical JSON: same advisories, same bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rti/buf.h"
#include "rti/cjson.h"
#include "rti/io.h"
#include "reach/reach_int.h"

#define VULNFN_MAX (1u << 30)

static const char *const role_name[] = { "unknown", "root", "derived" };

/* The Go import path of a function ("" for other languages). */
static const char *fn_pkg(const struct reach_fn *f)
{
	return f->lang == LANG_GO && f->pkg_key ? f->pkg_key + 2 : "";
}

/* The symbol name as the entry gives it: Go without its import path. */
static const char *fn_name(const struct reach_fn *f)
{
	size_t n = strlen(fn_pkg(f));

	if (f->lang != LANG_GO || f->package_wide || !n || strncmp(f->given, fn_pkg(f), n) ||
	    f->given[n] != '.')
		return f->given;
	return f->given + n + 1;
}

static int fn_cmp(const void *pa, const void *pb, void *arg)
{
	const struct rti_reach *r = arg;
	const struct reach_fn *x = &r->fn[*(const uint32_t *)pa], *y = &r->fn[*(const uint32_t *)pb];
	int c = strcmp(r->adv[x->adv].id, r->adv[y->adv].id);

	if (!c)
		c = strcmp(fn_pkg(x), fn_pkg(y));
	if (!c)
		c = (int)x->lang - (int)y->lang;
	if (!c)
		c = strcmp(fn_name(x), fn_name(y));
	if (!c)
		c = (int)x->role - (int)y->role;
	if (!c)
		c = (int)x->package_wide - (int)y->package_wide;
	if (!c)
		c = strcmp(x->plat ? x->plat : "", y->plat ? y->plat : "");
	return c;
}

static int adv_cmp(const void *pa, const void *pb, void *arg)
{
	const struct rti_reach *r = arg;

	return strcmp(r->adv[*(const uint32_t *)pa].id, r->adv[*(const uint32_t *)pb].id);
}

static void str_list(struct rti_cjw *w, const char *key, const struct reach_str_list *l)
{
	rti_cjw_key(w, key);
	rti_cjw_arr_open(w);
	for (size_t i = 0; i < l->n; i++)
		rti_cjw_cstr(w, l->v[i]);
	rti_cjw_arr_close(w);
}

/* one list of a platform constraint: s up to the separator sep */
static void plat_list(struct rti_cjw *w, const char *key, const char *s, size_t n)
{
	rti_cjw_key(w, key);
	rti_cjw_arr_open(w);
	while (n) {
		size_t k = 0;

		while (k < n && s[k] != '\x1f')
			k++;
		rti_cjw_str(w, s, k);
		s += k < n ? k + 1 : k;
		n -= k < n ? k + 1 : k;
	}
	rti_cjw_arr_close(w);
}

static void symbol(struct rti_cjw *w, const struct reach_fn *f)
{
	const char *sep = f->plat ? strchr(f->plat, '\x1e') : NULL;

	rti_cjw_obj_open(w);
	if (sep) {
		plat_list(w, "goarch", sep + 1, strlen(sep + 1));
		plat_list(w, "goos", f->plat, (size_t)(sep - f->plat));
	}
	rti_cjw_kv_str(w, "name", fn_name(f));
	rti_cjw_kv_str(w, "role", role_name[f->role < 3 ? f->role : 0]);
	if (f->package_wide) {
		rti_cjw_key(w, "whole_package");
		rti_cjw_bool(w, true);
	}
	rti_cjw_obj_close(w);
}

static void rsets(struct rti_cjw *w, const struct rti_reach *r, const struct reach_adv *a)
{
	rti_cjw_key(w, "version_ranges");
	rti_cjw_arr_open(w);
	for (size_t i = 0; i < a->nrsets; i++) {
		const struct reach_rset *rs = &r->rsets[a->rsets[i]];

		rti_cjw_obj_open(w);
		rti_cjw_kv_str(w, "module", rs->module);
		rti_cjw_key(w, "ranges");
		rti_cjw_arr_open(w);
		rti_cjw_obj_open(w);
		rti_cjw_key(w, "events");
		rti_cjw_arr_open(w);
		for (size_t k = 0; k < rs->kinds.n; k++) {
			rti_cjw_obj_open(w);
			rti_cjw_kv_str(w, rs->kinds.v[k], rs->versions.v[k]);
			rti_cjw_obj_close(w);
		}
		rti_cjw_arr_close(w);
		rti_cjw_kv_str(w, "type", rs->scheme == 'D' ? "ECOSYSTEM" : "SEMVER");
		rti_cjw_obj_close(w);
		rti_cjw_arr_close(w);
		rti_cjw_kv_str(w, "scheme", rs->scheme == 'G'   ? "go"
					    : rs->scheme == 'S' ? "semver"
								: "dpkg");
		rti_cjw_obj_close(w);
	}
	rti_cjw_arr_close(w);
}

/* One entry: the functions fns[0..n) (one package and language) of a. */
static void entry(struct rti_cjw *w, const struct rti_reach *r, const struct reach_adv *a,
		  const uint32_t *fns, size_t n, bool first)
{
	const struct reach_fn *f0 = n ? &r->fn[fns[0]] : NULL;
	char lang = f0 ? (char)f0->lang : LANG_C;

	rti_cjw_obj_open(w);
	str_list(w, "aliases", &a->aliases);
	str_list(w, "code_ids", &a->code_ids);
	if (a->has_function_data) {
		rti_cjw_key(w, "has_function_data");
		rti_cjw_bool(w, true);
	}
	rti_cjw_kv_str(w, "language", lang == LANG_GO ? "go" : lang == LANG_RUST ? "rust" : "c");
	str_list(w, "modules", &a->modules);
	if (f0 && *fn_pkg(f0))
		rti_cjw_kv_str(w, "package", fn_pkg(f0));
	str_list(w, "packages", &a->packages);
	rti_cjw_key(w, "symbols");
	rti_cjw_arr_open(w);
	for (size_t i = 0; i < n; i++)
		symbol(w, &r->fn[fns[i]]);
	rti_cjw_arr_close(w);
	if (first && a->nrsets)
		rsets(w, r, a);
	rti_cjw_kv_str(w, "vuln_id", a->id);
	rti_cjw_obj_close(w);
}

static bool same_entry(const struct reach_fn *x, const struct reach_fn *y)
{
	return x->adv == y->adv && x->lang == y->lang && !strcmp(fn_pkg(x), fn_pkg(y));
}

static void entries(struct rti_cjw *w, const struct rti_reach *r, const uint32_t *advs,
		    const uint32_t *fns)
{
	size_t k = 0;

	for (size_t i = 0; i < r->nadv; i++) {
		const struct reach_adv *a = &r->adv[advs[i]];
		bool first = true;

		if (k >= r->nfn || r->fn[fns[k]].adv != advs[i]) {
			entry(w, r, a, NULL, 0, true);
			continue;
		}
		while (k < r->nfn && r->fn[fns[k]].adv == advs[i]) {
			size_t j = k + 1;

			while (j < r->nfn && same_entry(&r->fn[fns[k]], &r->fn[fns[j]]))
				j++;
			entry(w, r, a, fns + k, j - k, first);
			first = false;
			k = j;
		}
	}
}

int rti_reach_write_vulnfn(struct rti_reach *r, int fd)
{
	struct rti_buf out = RTI_BUF_INIT(VULNFN_MAX);
	uint32_t *advs = malloc((r->nadv + 1) * sizeof(*advs));
	uint32_t *fns = malloc((r->nfn + 1) * sizeof(*fns));
	struct rti_cjw w;
	int err = -ENOMEM;

	if (!advs || !fns)
		goto out;
	for (size_t i = 0; i < r->nadv; i++)
		advs[i] = (uint32_t)i;
	for (size_t i = 0; i < r->nfn; i++)
		fns[i] = (uint32_t)i;
	qsort_r(advs, r->nadv, sizeof(*advs), adv_cmp, r);
	qsort_r(fns, r->nfn, sizeof(*fns), fn_cmp, r);
	rti_cjw_init(&w, &out);
	rti_cjw_obj_open(&w);
	rti_cjw_key(&w, "entries");
	rti_cjw_arr_open(&w);
	entries(&w, r, advs, fns);
	rti_cjw_arr_close(&w);
	rti_cjw_kv_str(&w, "format", "stella-vulnfn/v1");
	rti_cjw_obj_close(&w);
	err = w.err ? w.err : rti_buf_addch(&out, '\n');
	if (!err)
		err = rti_write_all(fd, out.p, out.len);
out:
	rti_buf_release(&out);
	free(advs);
	free(fns);
	return err;
}
