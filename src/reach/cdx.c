/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CycloneDX 1.6 report (spec reachability.md §3): metadata.component
 * is the image (or, for several scopes, the set of them); each scope is a
 * container component whose components are the matched modules, with
 * evidence.occurrences (module, symbol) and evidence.callstack (the first
 * exemplar call path through the module); vulnerabilities[] one per
 * (scope, vulnerability): exploitable when observed, in_triage otherwise.
 * Hit counts, times, code ids and rules are properties. serialNumber is a
 * UUID derived from the content.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rti/cjson.h"
#include "util/hash.h"
#include "reach/paths.h"

#define SERIAL_PLACEHOLDER "urn:uuid:00000000-0000-0000-0000-000000000000"

static void prop(struct rti_cjw *w, const char *name, const char *value)
{
	rti_cjw_obj_open(w);
	rti_cjw_kv_str(w, "name", name);
	rti_cjw_key(w, "value");
	rti_cjw_cstr(w, value);
	rti_cjw_obj_close(w);
}

/* The module of a hit as a component: path, or code id when withheld. */
static const char *hit_module(const struct reach_hit *h)
{
	return h->module ? h->module : h->code_id;
}

static const struct reach_row_path *module_path(const struct reach_row *rows, size_t n,
						uint32_t scope, const char *code_id)
{
	for (size_t i = 0; i < n; i++)
		for (unsigned k = 0; rows[i].scope == scope && k < rows[i].npaths; k++)
			if (strstr(rows[i].paths[k].frames, code_id))
				return &rows[i].paths[k];
	return NULL;
}

static void callstack(struct rti_cjw *w, const struct reach_row_path *p)
{
	rti_cjw_key(w, "callstack");
	rti_cjw_obj_open(w);
	rti_cjw_key(w, "frames");
	rti_cjw_arr_open(w);
	REACH_EACH_LINE(p->frames, s, n) {
		const char *f[5];
		size_t len[5];

		reach_frame_fields(s, n, f, len);
		rti_cjw_obj_open(w);
		if (len[4]) {
			rti_cjw_key(w, "function");
			rti_cjw_str(w, f[4], len[4]);
		}
		rti_cjw_key(w, "module");
		if (len[3])
			rti_cjw_str(w, f[3], len[3]);
		else
			rti_cjw_str(w, f[1], len[1]);
		rti_cjw_obj_close(w);
	}
	rti_cjw_arr_close(w);
	rti_cjw_obj_close(w);
}

/* hits of one scope sorted by module: one component per module */
static int hit_mod_cmp(const void *a, const void *b)
{
	const struct reach_hit *x = *(const struct reach_hit *const *)a;
	const struct reach_hit *y = *(const struct reach_hit *const *)b;
	int c = strcmp(x->code_id, y->code_id);

	if (!c)
		c = strcmp(hit_module(x), hit_module(y));
	return c ? c : strcmp(x->symbol, y->symbol);
}

static void module_component(struct rti_cjw *w, const char *scope, const struct reach_hit **v,
			     size_t n, const struct reach_row_path *p, struct rti_buf *b)
{
	const char *mod = hit_module(v[0]);
	const char *base = strrchr(mod, '/');

	rti_cjw_obj_open(w);
	rti_buf_reset(b);
	rti_buf_addf(b, "%s#%s", scope, v[0]->code_id);
	rti_cjw_kv_str(w, "bom-ref", b->p);
	rti_cjw_key(w, "evidence");
	rti_cjw_obj_open(w);
	if (p)
		callstack(w, p);
	rti_cjw_key(w, "occurrences");
	rti_cjw_arr_open(w);
	for (size_t i = 0; i < n; i++) {
		if (i && !strcmp(v[i]->symbol, v[i - 1]->symbol))
			continue;
		rti_cjw_obj_open(w);
		rti_cjw_kv_str(w, "location", mod);
		rti_cjw_kv_str(w, "symbol", v[i]->symbol);
		rti_cjw_obj_close(w);
	}
	rti_cjw_arr_close(w);
	rti_cjw_obj_close(w);
	rti_cjw_kv_str(w, "name", base ? base + 1 : mod);
	rti_cjw_key(w, "properties");
	rti_cjw_arr_open(w);
	prop(w, "stella-rti:code_id", v[0]->code_id);
	rti_cjw_arr_close(w);
	rti_cjw_kv_str(w, "type", "library");
	rti_cjw_obj_close(w);
}

static int scope_components(struct reach_eval *ev, struct rti_cjw *w, uint32_t s,
			    const struct reach_row *rows, size_t nrows, struct rti_buf *b)
{
	const struct reach_hit **v = calloc(ev->nhits ? ev->nhits : 1, sizeof(*v));
	size_t n = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < nrows; i++)
		for (size_t k = rows[i].lo; rows[i].scope == s && k < rows[i].hi; k++)
			v[n++] = &ev->hits[k];
	if (n)
		qsort(v, n, sizeof(*v), hit_mod_cmp);
	rti_cjw_key(w, "components");
	rti_cjw_arr_open(w);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && !strcmp(v[j]->code_id, v[i]->code_id) &&
		       !strcmp(hit_module(v[j]), hit_module(v[i])))
			j++;
		module_component(w, ev->scopes[s], v + i, j - i,
				 module_path(rows, nrows, s, v[i]->code_id), b);
		i = j;
	}
	rti_cjw_arr_close(w);
	free(v);
	return 0;
}

/* "hashes" of an image scope (the image digest) */
static void image_hashes(struct rti_cjw *w, const char *scope)
{
	const char *digest = !strncmp(scope, "image:", 6) ? scope + 6 : NULL;

	if (digest && !strncmp(digest, "sha256:", 7)) {
		rti_cjw_key(w, "hashes");
		rti_cjw_arr_open(w);
		rti_cjw_obj_open(w);
		rti_cjw_kv_str(w, "alg", "SHA-256");
		rti_cjw_kv_str(w, "content", digest + 7);
		rti_cjw_obj_close(w);
		rti_cjw_arr_close(w);
	}
}

static void vuln(struct reach_eval *ev, struct rti_cjw *w, const struct reach_row *rw,
		 struct rti_buf *b)
{
	const struct reach_adv *a = &ev->r->adv[rw->adv];
	char t[RTI_TIME_STRLEN], num[24];

	rti_cjw_obj_open(w);
	rti_cjw_key(w, "affects");
	rti_cjw_arr_open(w);
	rti_cjw_obj_open(w);
	rti_cjw_kv_str(w, "ref", ev->scopes[rw->scope]);
	rti_cjw_obj_close(w);
	rti_cjw_arr_close(w);
	rti_cjw_key(w, "analysis");
	rti_cjw_obj_open(w);
	reach_row_notes(ev, rw, b);
	rti_cjw_kv_str(w, "detail", b->p);
	if (rw->vst == V_NOT_AFFECTED)
		rti_cjw_kv_str(w, "justification", "code_not_present");
	rti_cjw_kv_str(w, "state", rw->vst == V_NOT_AFFECTED ? "not_affected"
				   : rw->st == ST_OBSERVED ? "exploitable"
							   : "in_triage");
	rti_cjw_obj_close(w);
	rti_buf_reset(b);
	rti_buf_addf(b, "%s#%s", ev->scopes[rw->scope], a->id);
	rti_cjw_kv_str(w, "bom-ref", b->p);
	rti_cjw_kv_str(w, "id", a->id);
	rti_cjw_key(w, "properties");
	rti_cjw_arr_open(w);
	if (rw->st == ST_OBSERVED) {
		reach_time_str(&rw->first, t);
		prop(w, "stella-rti:first_seen", t);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)rw->hits);
		prop(w, "stella-rti:hit_count", num);
		reach_time_str(&rw->last, t);
		prop(w, "stella-rti:last_seen", t);
	}
	for (size_t k = rw->lo; k < rw->hi; k++) {
		rti_buf_reset(b);
		rti_buf_addf(b, "%s (rule %s, function %s)", ev->hits[k].symbol_id,
			     reach_rule_name[ev->hits[k].rule], ev->hits[k].fn->given);
		prop(w, "stella-rti:matched", b->p);
	}
	prop(w, "stella-rti:status", reach_status_name[rw->st]);
	rti_cjw_arr_close(w);
	rti_cjw_obj_close(w);
}

static void metadata(struct reach_eval *ev, struct rti_cjw *w, const char *ts)
{
	rti_cjw_key(w, "metadata");
	rti_cjw_obj_open(w);
	rti_cjw_key(w, "component");
	rti_cjw_obj_open(w);
	if (ev->nscopes == 1) {
		rti_cjw_kv_str(w, "bom-ref", ev->scopes[0]);
		image_hashes(w, ev->scopes[0]);
		rti_cjw_kv_str(w, "name", ev->scopes[0]);
	} else {
		rti_cjw_kv_str(w, "bom-ref", "stella-rti:scopes");
		rti_cjw_kv_str(w, "name", "runtime scopes of the hot symbol index");
	}
	rti_cjw_kv_str(w, "type", ev->nscopes == 1 ? "container" : "application");
	rti_cjw_obj_close(w);
	rti_cjw_kv_str(w, "timestamp", ts);
	rti_cjw_key(w, "tools");
	rti_cjw_obj_open(w);
	rti_cjw_key(w, "components");
	rti_cjw_arr_open(w);
	rti_cjw_obj_open(w);
	rti_cjw_kv_str(w, "name", "stella-rti");
	rti_cjw_kv_str(w, "type", "application");
	rti_cjw_obj_close(w);
	rti_cjw_arr_close(w);
	rti_cjw_obj_close(w);
	rti_cjw_obj_close(w);
}

static void set_serial(struct rti_buf *out, size_t at)
{
	char hex[65];
	char *p = out->p + at;

	rti_sha256_hex(out->p, out->len, hex);
	/* a version 5 style UUID from the digest of everything else */
	hex[12] = '5';
	hex[16] = "89ab"[hex[16] % 4];
	snprintf(p + 10, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
		 hex + 20);
	p[46] = '"';
}

int reach_report_cdx(struct reach_eval *ev, const struct reach_row *rows, size_t n,
		     struct rti_buf *out)
{
	struct rti_buf b = RTI_BUF_INIT(1u << 20);
	char ts[RTI_TIME_STRLEN];
	struct rti_cjw w;
	size_t serial_at;
	int err = 0;

	reach_time_str(ev->o->until.set ? &ev->o->until : &ev->end, ts);
	rti_cjw_init(&w, out);
	rti_cjw_obj_open(&w);
	rti_cjw_kv_str(&w, "bomFormat", "CycloneDX");
	rti_cjw_key(&w, "components");
	rti_cjw_arr_open(&w);
	for (uint32_t s = 0; s < ev->nscopes && !err; s++) {
		rti_cjw_obj_open(&w);
		rti_cjw_kv_str(&w, "bom-ref", ev->scopes[s]);
		err = scope_components(ev, &w, s, rows, n, &b);
		image_hashes(&w, ev->scopes[s]);
		rti_cjw_kv_str(&w, "name", ev->scopes[s]);
		rti_cjw_kv_str(&w, "type", "container");
		rti_cjw_obj_close(&w);
	}
	rti_cjw_arr_close(&w);
	metadata(ev, &w, ts);
	rti_cjw_key(&w, "serialNumber");
	serial_at = out->len;
	rti_cjw_cstr(&w, SERIAL_PLACEHOLDER);
	rti_cjw_kv_str(&w, "specVersion", "1.6");
	rti_cjw_key(&w, "version");
	rti_cjw_u64(&w, 1);
	rti_cjw_key(&w, "vulnerabilities");
	rti_cjw_arr_open(&w);
	for (size_t i = 0; i < n; i++)
		vuln(ev, &w, &rows[i], &b);
	rti_cjw_arr_close(&w);
	rti_cjw_obj_close(&w);
	rti_buf_release(&b);
	if (!err)
		err = w.err ? w.err : rti_buf_addch(out, '\n');
	if (!err)
		set_serial(out, serial_at);
	return err;
}
