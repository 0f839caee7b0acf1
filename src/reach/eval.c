/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Evaluation: one scan of the hot index (byte order of scope, symbol_id),
 * each entry reduced to its keys (match.c) and looked up among the
 * advisories' functions; matches and package coverage are collected per
 * (scope, advisory), then report.c writes the rows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rti/hotsym.h"
#include "util/opts.h"
#include "reach/eval.h"

static int adv_id_cmp(const void *a, const void *b, void *arg)
{
	const struct rti_reach *r = arg;

	return strcmp(r->adv[*(const uint32_t *)a].id, r->adv[*(const uint32_t *)b].id);
}

static int pk_cmp(const void *a, const void *b)
{
	const struct reach_fn *const *x = a, *const *y = b;
	int c = strcmp((*x)->pkg_key, (*y)->pkg_key);

	return c ? c : ((*x)->adv > (*y)->adv) - ((*x)->adv < (*y)->adv);
}

static int prepare(struct rti_reach *r, struct reach_eval *ev)
{
	if (!r->sorted && r->nfn)
		qsort(r->fn, r->nfn, sizeof(*r->fn), reach_fn_cmp_key);
	r->sorted = true;
	ev->bypkg = calloc(r->nfn ? r->nfn : 1, sizeof(*ev->bypkg));
	if (!ev->bypkg)
		return -ENOMEM;
	for (size_t i = 0; i < r->nfn; i++)
		if (r->fn[i].pkg_key)
			ev->bypkg[ev->npkg++] = &r->fn[i];
	if (ev->npkg)
		qsort(ev->bypkg, ev->npkg, sizeof(*ev->bypkg), pk_cmp);
	ev->advorder = calloc(r->nadv ? r->nadv : 1, sizeof(*ev->advorder));
	if (!ev->advorder)
		return -ENOMEM;
	for (size_t i = 0; i < r->nadv; i++)
		ev->advorder[i] = (uint32_t)i;
	if (r->nadv)
		qsort_r(ev->advorder, r->nadv, sizeof(*ev->advorder), adv_id_cmp, r);
	return 0;
}

static int cover_add(struct reach_eval *ev, uint32_t adv)
{
	if (reach_grow((void **)&ev->cov, &ev->capcov, ev->ncov, sizeof(*ev->cov)))
		return -ENOMEM;
	ev->cov[ev->ncov].scope = (uint32_t)(ev->nscopes - 1);
	ev->cov[ev->ncov].adv = adv;
	ev->ncov++;
	return 0;
}

static bool native_ok(const struct reach_adv *a, const struct rti_hot_entry *e)
{
	size_t i;

	if (!a->modules.n && !a->code_ids.n)
		return true;
	for (i = 0; i < a->code_ids.n; i++)
		if (e->code_id && !strcmp(a->code_ids.v[i], e->code_id))
			return true;
	for (i = 0; i < a->modules.n; i++)
		if (reach_glob_basename(a->modules.v[i], e->module))
			return true;
	return false;
}

static int hit_add(struct reach_eval *ev, const struct reach_fn *f,
		   const struct rti_hot_entry *e, enum reach_rule rule)
{
	struct reach_hit *h;

	if (reach_grow((void **)&ev->hits, &ev->caphits, ev->nhits, sizeof(*ev->hits)))
		return -ENOMEM;
	h = &ev->hits[ev->nhits];
	memset(h, 0, sizeof(*h));
	h->scope = (uint32_t)(ev->nscopes - 1);
	h->adv = f->adv;
	h->fn = f;
	h->rule = rule;
	h->hits = e->hit_count;
	h->first = e->first_seen;
	h->last = e->last_seen;
	h->ptypes = e->probe_types;
	h->symbol_id = strdup(e->symbol_id);
	h->symbol = strdup(e->symbol ? e->symbol : "");
	h->code_id = strdup(e->code_id ? e->code_id : "");
	h->module = e->module ? strdup(e->module) : NULL;
	ev->nhits++;
	if (!h->symbol_id || !h->symbol || !h->code_id || (e->module && !h->module))
		return -ENOMEM;
	return 0;
}

/* Every function whose key is key: a match (subject to native constraints). */
static int lookup(struct reach_eval *ev, const char *key, const struct rti_hot_entry *e,
		  enum reach_rule rule)
{
	struct rti_reach *r = ev->r;
	size_t lo = 0, hi = r->nfn;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(r->fn[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < r->nfn && !strcmp(r->fn[lo].key, key); lo++) {
		const struct reach_fn *f = &r->fn[lo];
		enum reach_rule why = rule;
		int err;

		if (f->lang == LANG_C && !native_ok(&r->adv[f->adv], e))
			continue;
		if (f->package_wide)
			why = RULE_PACKAGE_WIDE;
		else if (why == RULE_NORMALIZED && e->symbol && !strcmp(e->symbol, f->given))
			why = RULE_EXACT;
		err = hit_add(ev, f, e, why);
		if (err)
			return err;
	}
	return 0;
}

static int cover_pkg(struct reach_eval *ev, const char *key)
{
	size_t lo = 0, hi = ev->npkg;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ev->bypkg[mid]->pkg_key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ev->npkg && !strcmp(ev->bypkg[lo]->pkg_key, key); lo++)
		if (cover_add(ev, ev->bypkg[lo]->adv))
			return -ENOMEM;
	return 0;
}

static int cover_native(struct reach_eval *ev, const struct rti_hot_entry *e)
{
	struct rti_reach *r = ev->r;

	/* by code id: a withheld module path still has one */
	if (!e->code_id || (ev->last_module && !strcmp(ev->last_module, e->code_id)))
		return 0;
	free(ev->last_module);
	ev->last_module = strdup(e->code_id);
	if (!ev->last_module)
		return -ENOMEM;
	for (size_t i = 0; i < r->nadv; i++)
		if (r->adv[i].modules.n || r->adv[i].code_ids.n)
			if (native_ok(&r->adv[i], e) && cover_add(ev, (uint32_t)i))
				return -ENOMEM;
	return 0;
}

static int scope_enter(struct reach_eval *ev, const char *scope)
{
	if (ev->nscopes && !strcmp(ev->scopes[ev->nscopes - 1], scope))
		return 0;
	if (reach_grow((void **)&ev->scopes, &ev->capscopes, ev->nscopes, sizeof(*ev->scopes)))
		return -ENOMEM;
	ev->scopes[ev->nscopes] = strdup(scope);
	if (!ev->scopes[ev->nscopes])
		return -ENOMEM;
	ev->nscopes++;
	free(ev->last_module);
	ev->last_module = NULL;
	return 0;
}

static void window_add(struct reach_eval *ev, const struct rti_hot_entry *e)
{
	if (!ev->start.set || rti_time_cmp(&e->first_seen, &ev->start) < 0)
		ev->start = e->first_seen;
	if (!ev->end.set || rti_time_cmp(&e->last_seen, &ev->end) > 0)
		ev->end = e->last_seen;
	ev->start.set = ev->end.set = true;
}

/* "g:path.T.M" -> "p:path" into pk[REACH_KEY_MAX]; false when none. */
static bool go_pkg(const char *gk, char *pk)
{
	const char *slash = strrchr(gk, '/');
	const char *dot = strchr(slash ? slash : gk + 2, '.');

	if (!dot || (size_t)(dot - gk) >= REACH_KEY_MAX)
		return false;
	pk[0] = 'p';
	memcpy(pk + 1, gk + 1, (size_t)(dot - gk) - 1);
	pk[dot - gk] = '\0';
	return true;
}

/* The derived package keys of an index name: Go import path, Rust crate. */
static int entry_pkgs(struct reach_eval *ev, const char *gk, const char *rk)
{
	char pk[REACH_KEY_MAX];
	int err = 0;

	if (gk && go_pkg(gk, pk))
		err = cover_pkg(ev, pk);
	if (rk && !err) {
		size_t n = strcspn(rk + 2, ":");

		if (n + 3 < sizeof(pk)) {
			pk[0] = 'k';
			pk[1] = ':';
			memcpy(pk + 2, rk + 2, n);
			pk[n + 2] = '\0';
			err = cover_pkg(ev, pk);
		}
	}
	return err;
}

static int on_info(void *arg, const char *code_id, const char *info)
{
	struct reach_eval *ev = arg;

	if (reach_grow((void **)&ev->bi_code, &ev->capbi, ev->nbi, sizeof(*ev->bi_code)))
		return -ENOMEM;
	ev->bi_code[ev->nbi] = strdup(code_id);
	ev->bi_info = realloc(ev->bi_info, ev->capbi * sizeof(*ev->bi_info));
	if (!ev->bi_info || !ev->bi_code[ev->nbi])
		return -ENOMEM;
	ev->bi_info[ev->nbi] = strdup(info);
	if (!ev->bi_info[ev->nbi++])
		return -ENOMEM;
	return 0;
}

/* a Go binary (with build information) seen in the current scope */
static int note_go(struct reach_eval *ev, const struct rti_hot_entry *e)
{
	long b = ev->nbi ? reach_bi_find(ev, e->code_id) : -1;
	struct reach_cover *last = ev->ngo ? &ev->goscope[ev->ngo - 1] : NULL;

	if (b < 0 || (last && last->scope == ev->nscopes - 1 && last->adv == (uint32_t)b))
		return 0;
	if (reach_grow((void **)&ev->goscope, &ev->capgo, ev->ngo, sizeof(*ev->goscope)))
		return -ENOMEM;
	ev->goscope[ev->ngo].scope = (uint32_t)(ev->nscopes - 1);
	ev->goscope[ev->ngo++].adv = (uint32_t)b;
	return 0;
}

static int on_entry(void *arg, const struct rti_hot_entry *e)
{
	struct reach_eval *ev = arg;
	char ck[REACH_KEY_MAX], nk[REACH_KEY_MAX], gk[REACH_KEY_MAX], rk[REACH_KEY_MAX];
	bool has_g, has_r;
	int err;

	err = scope_enter(ev, e->scope);
	if (err)
		return err;
	window_add(ev, e);
	err = note_go(ev, e);
	if (err)
		return err;
	if (!e->symbol || !*e->symbol || (e->code_id && !strcmp(e->code_id, "kernel")))
		return 0;
	if (rti_reach_symbol_key('c', e->symbol, ck, sizeof(ck)) > 0)
		err = lookup(ev, ck, e, RULE_EXACT);
	if (!err && rti_reach_symbol_key('C', e->symbol, nk, sizeof(nk)) > 0 && strcmp(nk, ck))
		err = lookup(ev, nk, e, RULE_NORMALIZED);
	has_g = rti_reach_symbol_key('g', e->symbol, gk, sizeof(gk)) > 0;
	has_r = rti_reach_symbol_key('r', e->symbol, rk, sizeof(rk)) > 0;
	if (!err && has_g)
		err = lookup(ev, gk, e, RULE_NORMALIZED);
	if (!err && has_r)
		err = lookup(ev, rk, e, RULE_NORMALIZED);
	if (!err)
		err = entry_pkgs(ev, has_g ? gk : NULL, has_r ? rk : NULL);
	if (!err && has_g) {
		/* a package-wide Go import: the entry's package is the key */
		char pk[REACH_KEY_MAX];

		if (go_pkg(gk, pk))
			err = lookup(ev, pk, e, RULE_PACKAGE_WIDE);
	}
	if (!err)
		err = cover_native(ev, e);
	return err;
}

static void eval_release(struct reach_eval *ev)
{
	for (size_t i = 0; i < ev->nhits; i++) {
		free(ev->hits[i].symbol_id);
		free(ev->hits[i].symbol);
		free(ev->hits[i].code_id);
		free(ev->hits[i].module);
	}
	for (size_t i = 0; i < ev->nscopes; i++)
		free(ev->scopes[i]);
	free(ev->hits);
	free(ev->cov);
	free(ev->scopes);
	free(ev->bypkg);
	free(ev->advorder);
	free(ev->last_module);
	for (size_t i = 0; i < ev->nbi; i++) {
		free(ev->bi_code[i]);
		free(ev->bi_info[i]);
	}
	free(ev->bi_code);
	free(ev->bi_info);
	free(ev->goscope);
}

int rti_reach_evaluate(struct rti_reach *r, struct rti_hotsym *h,
		       const struct rti_reach_eval_opts *opts, int fd)
{
	struct rti_hot_filter f;
	struct reach_eval ev;
	int err;

	if (!r || !h || !RTI_OPTS_VALID(opts, until))
		return -EINVAL;
	memset(&ev, 0, sizeof(ev));
	memset(&f, 0, sizeof(f));
	ev.r = r;
	ev.h = h;
	ev.o = opts;
	f.scope = opts->scope;
	f.since = opts->since;
	f.until = opts->until;
	f.order = RTI_HOT_BY_KEY;
	err = prepare(r, &ev);
	if (!err)
		err = rti_hotsym_scan_go_buildinfo(h, on_info, &ev);
	if (!err)
		err = rti_hotsym_scan(h, &f, on_entry, &ev);
	if (!err && opts->scope && !ev.nscopes)
		err = scope_enter(&ev, opts->scope);
	if (!err)
		err = reach_report(&ev, fd);
	eval_release(&ev);
	return err;
}
