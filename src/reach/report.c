/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The report (spec reachability.md §3): one row per (scope, vulnerability)
 * as a table, canonical JSON (stella-reach/v1) or OpenVEX v0.2.0. Never
 * not_affected from absence of observation.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rti/buf.h"
#include "rti/cjson.h"
#include "rti/hotsym.h"
#include "rti/io.h"
#include "util/hash.h"
#include "reach/paths.h"

#define REPORT_MAX (1u << 30)

static const char *const role_name[] = { "unknown", "root", "derived" };

#define row reach_row

static int hit_cmp(const void *a, const void *b, void *arg)
{
	const struct reach_hit *x = a, *y = b;
	const struct rti_reach *r = arg;
	int c;

	if (x->scope != y->scope)
		return x->scope < y->scope ? -1 : 1;
	c = strcmp(r->adv[x->adv].id, r->adv[y->adv].id);
	if (!c)
		c = strcmp(x->symbol_id, y->symbol_id);
	if (!c)
		c = strcmp(x->fn->given, y->fn->given);
	return c;
}

static int cov_cmp(const void *a, const void *b)
{
	const struct reach_cover *x = a, *y = b;

	if (x->scope != y->scope)
		return x->scope < y->scope ? -1 : 1;
	return (x->adv > y->adv) - (x->adv < y->adv);
}

static void version_apply(struct row *w, enum reach_vstatus st, const char *v, bool *aff,
			  bool *naff)
{
	if (st == V_UNKNOWN)
		return;
	w->vsrc = REACH_VSRC_GO;
	if ((st == V_AFFECTED && !*aff) || (st == V_NOT_AFFECTED && !*aff && !*naff))
		memcpy(w->ver, v, sizeof(w->ver));
	*aff |= st == V_AFFECTED;
	*naff |= st == V_NOT_AFFECTED;
}

static void row_version_go(struct reach_eval *ev, struct row *w, const struct reach_adv *a,
			   char v[64], bool *affp, bool *naffp)
{
	bool aff = false, naff = false;

	for (size_t k = w->lo; k < w->hi; k++) {
		long b = reach_bi_find(ev, ev->hits[k].code_id);

		if (b >= 0)
			version_apply(w, reach_version_eval(ev->r, a, ev->bi_info[b], v), v, &aff, &naff);
	}
	for (size_t g = 0; w->hi == w->lo && g < ev->ngo; g++)
		if (ev->goscope[g].scope == w->scope)
			version_apply(w, reach_version_eval(ev->r, a, ev->bi_info[ev->goscope[g].adv], v),
				      v, &aff, &naff);
	*affp = aff;
	*naffp = naff;
}

/* Observed: the binaries of the matched symbols; otherwise every Go
 * binary of the scope. Affected if any is; not affected if all evaluated
 * ones are outside the ranges. Without a Go binary's answer, the versions
 * of --findings (the build information is what runs: it wins). */
static void row_version(struct reach_eval *ev, struct row *w)
{
	const struct reach_adv *a = &ev->r->adv[w->adv];
	bool aff = false, naff = false;
	char v[64];

	if (!a->nrsets)
		return;
	if (ev->nbi)
		row_version_go(ev, w, a, v, &aff, &naff);
	w->vst = aff ? V_AFFECTED : naff ? V_NOT_AFFECTED : V_UNKNOWN;
	if (w->vsrc == REACH_VSRC_NONE && ev->r->nfindings) {
		w->vst = reach_version_findings(ev->r, a, ev->scopes[w->scope], v);
		if (w->vst != V_UNKNOWN) {
			w->vsrc = REACH_VSRC_FINDINGS;
			memcpy(w->ver, v, sizeof(w->ver));
		}
	}
}

static void row_fill(struct reach_eval *ev, struct row *w, size_t *hp)
{
	const struct reach_adv *a = &ev->r->adv[w->adv];
	struct reach_cover key = { w->scope, w->adv };

	w->lo = *hp;
	while (*hp < ev->nhits && ev->hits[*hp].scope == w->scope && ev->hits[*hp].adv == w->adv) {
		const struct reach_hit *h = &ev->hits[*hp];

		/* one symbol matched by two records of the same id counts once */
		if (*hp > w->lo && !strcmp(h[-1].symbol_id, h->symbol_id)) {
			(*hp)++;
			continue;
		}
		w->hits += h->hits;
		w->ptypes |= h->ptypes;
		if (!w->first.set || rti_time_cmp(&h->first, &w->first) < 0)
			w->first = h->first;
		if (!w->last.set || rti_time_cmp(&h->last, &w->last) > 0)
			w->last = h->last;
		w->first.set = w->last.set = true;
		(*hp)++;
	}
	w->hi = *hp;
	w->covered = w->hi > w->lo ||
		     (ev->ncov && bsearch(&key, ev->cov, ev->ncov, sizeof(key), cov_cmp));
	w->st = w->hi > w->lo ? ST_OBSERVED : a->has_function_data ? ST_NOT_OBSERVED : ST_NO_FN;
	row_version(ev, w);
}

static struct row *rows_build(struct reach_eval *ev, size_t *nrows)
{
	struct rti_reach *r = ev->r;
	size_t n = ev->nscopes * r->nadv, k = 0, hp = 0;
	struct row *rows = calloc(n ? n : 1, sizeof(*rows));

	if (!rows)
		return NULL;
	if (ev->nhits)
		qsort_r(ev->hits, ev->nhits, sizeof(*ev->hits), hit_cmp, r);
	if (ev->ncov)
		qsort(ev->cov, ev->ncov, sizeof(*ev->cov), cov_cmp);
	memset(&r->counts.results, 0, sizeof(r->counts) - offsetof(struct rti_reach_counts, results));
	for (uint32_t s = 0; s < ev->nscopes; s++) {
		for (size_t i = 0; i < r->nadv; i++) {
			rows[k].scope = s;
			rows[k].adv = ev->advorder[i];
			row_fill(ev, &rows[k], &hp);
			if (!reach_finding_wanted(r, ev->scopes[s], &r->adv[rows[k].adv])) {
				memset(&rows[k], 0, sizeof(rows[k]));
				continue; /* the scanner did not report it for this image */
			}
			r->counts.results++;
			r->counts.version_not_affected += rows[k].vst == V_NOT_AFFECTED;
			if (rows[k].st == ST_OBSERVED)
				r->counts.observed_executing++;
			else if (rows[k].st == ST_NOT_OBSERVED)
				r->counts.not_observed++;
			else
				r->counts.no_function_data++;
			k++;
		}
	}
	*nrows = k;
	return rows;
}

static void kv_time(struct rti_cjw *w, const char *key, const struct rti_time *t)
{
	char ts[RTI_TIME_STRLEN];

	reach_time_str(t, ts);
	rti_cjw_key(w, key);
	rti_cjw_cstr(w, ts);
}

static void ptypes_json(struct rti_cjw *w, uint32_t bits)
{
	const char *names[RTI_PROBE__COUNT];
	unsigned n = rti_hot_probe_type_names(bits, names);

	rti_cjw_key(w, "probe_types");
	rti_cjw_arr_open(w);
	for (unsigned i = 0; i < n; i++)
		rti_cjw_cstr(w, names[i]);
	rti_cjw_arr_close(w);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_json(struct rti_cjw *w, const char *key, const struct reach_str_list *l)
{
	char **v = l->n ? malloc(l->n * sizeof(*v)) : NULL;

	rti_cjw_key(w, key);
	rti_cjw_arr_open(w);
	if (v) {
		memcpy(v, l->v, l->n * sizeof(*v));
		qsort(v, l->n, sizeof(*v), str_cmp);
		for (size_t i = 0; i < l->n; i++)
			rti_cjw_cstr(w, v[i]);
	}
	rti_cjw_arr_close(w);
	free(v);
}

static void match_json(struct rti_cjw *w, const struct reach_hit *h)
{
	rti_cjw_obj_open(w);
	rti_cjw_kv_str(w, "code_id", h->code_id);
	kv_time(w, "first_seen", &h->first);
	rti_cjw_kv_str(w, "function", h->fn->given);
	rti_cjw_key(w, "hit_count");
	rti_cjw_u64(w, h->hits);
	kv_time(w, "last_seen", &h->last);
	rti_cjw_kv_str(w, "module", h->module);
	ptypes_json(w, h->ptypes);
	rti_cjw_kv_str(w, "role", role_name[h->fn->role]);
	rti_cjw_kv_str(w, "rule", reach_rule_name[h->rule]);
	rti_cjw_kv_str(w, "symbol", h->symbol);
	rti_cjw_kv_str(w, "symbol_id", h->symbol_id);
	rti_cjw_obj_close(w);
}

static void frame_kv(struct rti_cjw *w, const char *key, const char *v, size_t n)
{
	if (!n)
		return;
	rti_cjw_key(w, key);
	rti_cjw_str(w, v, n);
}

/* The exemplar's frames, innermost first. */
static void frames_json(struct rti_cjw *w, const char *frames)
{
	rti_cjw_key(w, "frames");
	rti_cjw_arr_open(w);
	REACH_EACH_LINE(frames, s, n) {
		const char *f[5];
		size_t len[5];

		reach_frame_fields(s, n, f, len);
		rti_cjw_obj_open(w);
		frame_kv(w, "code_id", f[1], len[1]);
		frame_kv(w, "module", f[3], len[3]);
		frame_kv(w, "offset", f[2], len[2]);
		frame_kv(w, "space", f[0], len[0]);
		frame_kv(w, "symbol", f[4], len[4]);
		rti_cjw_obj_close(w);
	}
	rti_cjw_arr_close(w);
}

static void paths_json(struct rti_cjw *w, const struct row *rw)
{
	rti_cjw_key(w, "call_paths");
	rti_cjw_arr_open(w);
	for (unsigned i = 0; i < rw->npaths; i++) {
		rti_cjw_obj_open(w);
		rti_cjw_kv_str(w, "digest", rw->paths[i].digest);
		frames_json(w, rw->paths[i].frames);
		rti_cjw_key(w, "hit_count");
		rti_cjw_u64(w, rw->paths[i].hits);
		rti_cjw_obj_close(w);
	}
	rti_cjw_arr_close(w);
}

static void row_json(struct reach_eval *ev, struct rti_cjw *w, const struct row *rw)
{
	const struct reach_adv *a = &ev->r->adv[rw->adv];
	unsigned max = ev->o->max_symbols ? ev->o->max_symbols : 16;

	rti_cjw_obj_open(w);
	list_json(w, "aliases", &a->aliases);
	paths_json(w, rw);
	rti_cjw_key(w, "coverage");
	rti_cjw_obj_open(w);
	rti_cjw_key(w, "package_seen");
	rti_cjw_bool(w, rw->covered);
	rti_cjw_obj_close(w);
	if (rw->st == ST_OBSERVED) {
		kv_time(w, "first_seen", &rw->first);
		rti_cjw_key(w, "hit_count");
		rti_cjw_u64(w, rw->hits);
		kv_time(w, "last_seen", &rw->last);
	}
	rti_cjw_key(w, "matches");
	rti_cjw_arr_open(w);
	for (size_t i = rw->lo; i < rw->hi && i - rw->lo < max; i++)
		match_json(w, &ev->hits[i]);
	rti_cjw_arr_close(w);
	rti_cjw_key(w, "matches_total");
	rti_cjw_u64(w, rw->hi - rw->lo);
	list_json(w, "packages", &a->packages);
	if (rw->st == ST_OBSERVED)
		ptypes_json(w, rw->ptypes);
	rti_cjw_kv_str(w, "scope", ev->scopes[rw->scope]);
	rti_cjw_kv_str(w, "status", reach_status_name[rw->st]);
	rti_cjw_key(w, "version");
	rti_cjw_obj_open(w);
	rti_cjw_kv_str(w, "source", rw->vsrc == REACH_VSRC_GO	     ? "go-buildinfo"
				    : rw->vsrc == REACH_VSRC_FINDINGS ? "findings"
									: "none");
	rti_cjw_kv_str(w, "status", rw->vst == V_AFFECTED	  ? "affected"
				    : rw->vst == V_NOT_AFFECTED ? "not_affected"
								 : "unknown");
	rti_cjw_kv_str(w, "version", rw->vsrc ? rw->ver : NULL);
	rti_cjw_obj_close(w);
	rti_cjw_kv_str(w, "vulnerability", a->id);
	rti_cjw_obj_close(w);
}

static void window_json(struct reach_eval *ev, struct rti_cjw *w)
{
	rti_cjw_key(w, "window");
	rti_cjw_obj_open(w);
	kv_time(w, "end", ev->o->until.set ? &ev->o->until : &ev->end);
	kv_time(w, "start", ev->o->since.set ? &ev->o->since : &ev->start);
	rti_cjw_obj_close(w);
}

static void report_json(struct reach_eval *ev, const struct row *rows, size_t n,
			struct rti_cjw *w)
{
	rti_cjw_obj_open(w);
	rti_cjw_key(w, "advisories");
	rti_cjw_u64(w, ev->r->nadv);
	rti_cjw_kv_str(w, "format", "stella-reach/v1");
	rti_cjw_key(w, "results");
	rti_cjw_arr_open(w);
	for (size_t i = 0; i < n; i++)
		row_json(ev, w, &rows[i]);
	rti_cjw_arr_close(w);
	window_json(ev, w);
	rti_cjw_obj_close(w);
}

/* ---- OpenVEX v0.2.0 ---- */

static void product_id(const char *scope, struct rti_buf *b)
{
	rti_buf_reset(b);
	if (!strncmp(scope, "image:", 6))
		rti_buf_addstr(b, scope + 6);
	else
		rti_buf_addstr(b, scope);
}

static void vex_statement(struct reach_eval *ev, struct rti_cjw *w, const struct row *rw,
			  struct rti_buf *b)
{
	const struct reach_adv *a = &ev->r->adv[rw->adv];

	rti_cjw_obj_open(w);
	if (rw->vst == V_NOT_AFFECTED) {
		rti_buf_reset(b);
		rti_buf_addf(b, "Version %s (%s) is outside the advisory's affected ranges.", rw->ver,
			     rw->vsrc == REACH_VSRC_GO
				     ? "from the Go build information of the binary, go-buildinfo"
				     : "the installed version the scanner reported, findings");
		rti_cjw_kv_str(w, "impact_statement", b->p);
		rti_cjw_kv_str(w, "justification", "vulnerable_code_not_present");
	} else if (rw->st == ST_OBSERVED) {
		rti_cjw_kv_str(w, "action_statement",
			       "A vulnerable function was observed executing in production: "
			       "upgrade the affected package or mitigate.");
	}
	rti_cjw_key(w, "products");
	rti_cjw_arr_open(w);
	rti_cjw_obj_open(w);
	product_id(ev->scopes[rw->scope], b);
	rti_cjw_kv_str(w, "@id", b->p);
	rti_cjw_obj_close(w);
	rti_cjw_arr_close(w);
	rti_cjw_kv_str(w, "status", rw->vst == V_NOT_AFFECTED ? "not_affected"
				    : rw->st == ST_OBSERVED ? "affected"
							    : "under_investigation");
	reach_row_notes(ev, rw, b);
	rti_cjw_kv_str(w, "status_notes", b->p);
	rti_cjw_key(w, "vulnerability");
	rti_cjw_obj_open(w);
	if (a->aliases.n)
		list_json(w, "aliases", &a->aliases);
	rti_cjw_kv_str(w, "name", a->id);
	rti_cjw_obj_close(w);
	rti_cjw_obj_close(w);
}

static int report_vex(struct reach_eval *ev, const struct row *rows, size_t n,
		      struct rti_buf *out)
{
	struct rti_buf st = RTI_BUF_INIT(REPORT_MAX), tmp = RTI_BUF_INIT(1u << 20);
	struct rti_cjw w;
	char hex[65], ts[RTI_TIME_STRLEN];
	int err;

	if (!n)
		return -ENODATA;
	/* the statements first: the document id is their digest */
	rti_cjw_init(&w, &st);
	rti_cjw_arr_open(&w);
	for (size_t i = 0; i < n; i++)
		vex_statement(ev, &w, &rows[i], &tmp);
	rti_cjw_arr_close(&w);
	err = w.err;
	reach_time_str(ev->o->until.set ? &ev->o->until : &ev->end, ts);
	if (!err) {
		rti_sha256_hex2(st.p, st.len, ts, strlen(ts), hex);
		err = rti_buf_addf(out,
				   "{\"@context\":\"https://openvex.dev/ns/v0.2.0\","
				   "\"@id\":\"urn:stella-rti:reach:sha256:%s\","
				   "\"author\":\"stella-rti reach\",\"statements\":",
				   hex);
	}
	if (!err)
		err = rti_buf_add(out, st.p, st.len);
	if (!err)
		err = rti_buf_addf(out, ",\"timestamp\":\"%s\",\"tooling\":\"stella-rti reach\","
					"\"version\":1}\n", ts);
	rti_buf_release(&st);
	rti_buf_release(&tmp);
	return err;
}

/* ---- table ---- */

static int report_table(struct reach_eval *ev, const struct row *rows, size_t n, struct rti_buf *out)
{
	char s[RTI_TIME_STRLEN], e[RTI_TIME_STRLEN];
	int err;

	/* rows are in (scope, id) order: one pass per status keeps it */
	err = rti_buf_addf(out, "%-18s  %-25s  %-20s  %8s  %s\n", "STATUS", "SCOPE",
			   "VULNERABILITY", "HITS", "EVIDENCE");
	for (int st = ST_OBSERVED; st <= ST_NO_FN && !err; st++) {
		for (size_t i = 0; i < n && !err; i++) {
			const struct row *rw = &rows[i];
			const char *scope = ev->scopes[rw->scope];
			char sc[64];

			if ((int)rw->st != st)
				continue;
			if (!strncmp(scope, "image:sha256:", 13) && strlen(scope) > 25)
				snprintf(sc, sizeof(sc), "image:sha256:%.12s", scope + 13);
			else
				snprintf(sc, sizeof(sc), "%s", scope);
			err = rti_buf_addf(out, "%-18s  %-25s  %-20s  %8llu  ", reach_status_name[rw->st], sc,
					   ev->r->adv[rw->adv].id, (unsigned long long)rw->hits);
			if (!err && rw->vsrc)
				err = rti_buf_addf(out, "[%s %s] ", rw->ver,
						   rw->vst == V_AFFECTED ? "affected" : rw->vst == V_NOT_AFFECTED ? "not affected" : "?");
			if (!err && rw->st == ST_OBSERVED)
				err = rti_buf_addf(out, "%s (%s)%s\n", ev->hits[rw->lo].symbol,
						   reach_rule_name[ev->hits[rw->lo].rule],
						   rw->hi - rw->lo > 1 ? " ..." : "");
			else if (!err)
				err = rti_buf_addf(out, "%s\n",
						   rw->st == ST_NO_FN ? "no function data"
						   : rw->covered ? "package seen executing"
								 : "package not seen");
		}
	}
	reach_time_str(ev->o->since.set ? &ev->o->since : &ev->start, s);
	reach_time_str(ev->o->until.set ? &ev->o->until : &ev->end, e);
	if (!err)
		err = rti_buf_addf(out, "window %s .. %s; not_observed is not not_affected: "
					"absence of observation is never proof\n", s, e);
	return err;
}

int reach_report(struct reach_eval *ev, int fd)
{
	struct rti_buf out = RTI_BUF_INIT(REPORT_MAX);
	struct rti_cjw w;
	size_t n = 0;
	struct row *rows = rows_build(ev, &n);
	int err = 0;

	if (!rows)
		return -ENOMEM;
	err = reach_attach_paths(ev, rows, n);
	switch (err ? -1 : (int)ev->o->format) {
	case RTI_REACH_JSON:
		rti_cjw_init(&w, &out);
		report_json(ev, rows, n, &w);
		err = w.err ? w.err : rti_buf_addch(&out, '\n');
		break;
	case RTI_REACH_OPENVEX:
		err = report_vex(ev, rows, n, &out);
		break;
	case RTI_REACH_CYCLONEDX:
		err = reach_report_cdx(ev, rows, n, &out);
		break;
	case RTI_REACH_TABLE:
		err = report_table(ev, rows, n, &out);
		break;
	default:
		break;
	}
	if (!err && out.len)
		err = rti_write_all(fd, out.p, out.len);
	rti_buf_release(&out);
	reach_rows_free(rows, n);
	return err;
}
