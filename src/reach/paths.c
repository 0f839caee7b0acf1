/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exemplar call paths of the report (spec reachability.md §5): for each
 * observed row, up to REACH_MAX_ROW_PATHS call paths of its scope whose
 * exemplar passes through one of the row's matched symbols, in byte order
 * of their digests.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rti/buf.h"
#include "rti/hotsym.h"
#include "reach/paths.h"

const char *const reach_status_name[] = { "observed_executing", "not_observed",
					   "no_function_data" };
const char *const reach_rule_name[] = { "exact", "normalized", "package_wide" };

void reach_time_str(const struct rti_time *t, char out[RTI_TIME_STRLEN])
{
	struct rti_time zero = { 0, 0, true };

	rti_time_format(t->set ? t : &zero, out);
}

void reach_row_notes(struct reach_eval *ev, const struct reach_row *rw, struct rti_buf *b)
{
	char s[RTI_TIME_STRLEN], e[RTI_TIME_STRLEN];

	rti_buf_reset(b);
	reach_time_str(ev->o->since.set ? &ev->o->since : &ev->start, s);
	reach_time_str(ev->o->until.set ? &ev->o->until : &ev->end, e);
	if (rw->st == ST_OBSERVED) {
		const struct reach_hit *h = &ev->hits[rw->lo];

		rti_buf_addf(b, "stella-rti runtime evidence: observed_executing, %llu hits "
				"between %s and %s; %s (%s, rule %s) in %s [%s]",
			     (unsigned long long)rw->hits, s, e, h->symbol, h->fn->given,
			     reach_rule_name[h->rule], h->module ? h->module : "(module withheld)",
			     h->code_id);
		if (rw->hi - rw->lo > 1)
			rti_buf_addf(b, "; %zu matched symbols in all", rw->hi - rw->lo);
		return;
	}
	rti_buf_addf(b, "stella-rti runtime evidence: %s in the window %s to %s; %s. "
			"Not observing a function is not proof that it cannot run.",
		     reach_status_name[rw->st], s, e,
		     rw->st == ST_NO_FN ? "the advisory names no functions"
		     : rw->covered ? "its package or module was seen executing in this scope"
				   : "its package or module was not seen executing in this scope");
}


struct hkey {
	uint32_t scope;
	const char *symbol_id;
	size_t row;
};

static int hkey_cmp(const void *a, const void *b)
{
	const struct hkey *x = a, *y = b;

	if (x->scope != y->scope)
		return x->scope < y->scope ? -1 : 1;
	return strcmp(x->symbol_id, y->symbol_id);
}

struct pscan {
	struct reach_eval *ev;
	struct reach_row *rows;
	struct hkey *keys;
	size_t nkeys;
	struct rti_buf sid;
	uint32_t scope;
};

static int scope_index(const struct reach_eval *ev, const char *scope, uint32_t *out)
{
	size_t lo = 0, hi = ev->nscopes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ev->scopes[mid], scope);

		if (!c) {
			*out = (uint32_t)mid;
			return 0;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int attach(struct reach_row *rw, const struct rti_hot_path *p)
{
	struct reach_row_path *rp;

	if (rw->npaths == REACH_MAX_ROW_PATHS)
		return 0;
	if (rw->npaths && !strcmp(rw->paths[rw->npaths - 1].digest, p->digest))
		return 0; /* two matched symbols on one path */
	rp = &rw->paths[rw->npaths];
	rp->digest = strdup(p->digest);
	rp->frames = strdup(p->frames);
	rp->hits = p->hit_count;
	if (!rp->digest || !rp->frames) {
		free(rp->digest);
		free(rp->frames);
		return -ENOMEM;
	}
	rw->npaths++;
	return 0;
}

/* symbol_id of an exemplar line "space\tcode_id\toffset\tmodule\tsymbol" */
static int line_sid(struct rti_buf *b, const char *line, size_t n)
{
	const char *t1 = memchr(line, '\t', n);
	const char *t2 = t1 ? memchr(t1 + 1, '\t', n - (size_t)(t1 + 1 - line)) : NULL;
	const char *sym = t2 ? memrchr(line, '\t', n) : NULL;
	bool kernel = t1 && t1 - line == 6 && !memcmp(line, "kernel", 6);

	rti_buf_reset(b);
	if (!sym || sym + 1 == line + n)
		return -1;
	if (kernel ? rti_buf_addstr(b, "kernel") : rti_buf_add(b, t1 + 1, (size_t)(t2 - t1 - 1)))
		return -1;
	if (rti_buf_addch(b, '!') || rti_buf_add(b, sym + 1, (size_t)(line + n - sym - 1)))
		return -1;
	return 0;
}

static int on_path(void *arg, const struct rti_hot_path *p)
{
	struct pscan *ps = arg;
	const char *s = p->frames;

	if (!s || scope_index(ps->ev, p->scope, &ps->scope))
		return 0;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		struct hkey k;
		struct hkey *hit;

		if (!line_sid(&ps->sid, s, n)) {
			k.scope = ps->scope;
			k.symbol_id = ps->sid.p;
			hit = ps->nkeys ? bsearch(&k, ps->keys, ps->nkeys, sizeof(k), hkey_cmp) : NULL;
			while (hit && hit > ps->keys && !hkey_cmp(hit - 1, &k))
				hit--;
			for (; hit && hit < ps->keys + ps->nkeys && !hkey_cmp(hit, &k); hit++)
				if (attach(&ps->rows[hit->row], p))
					return -ENOMEM;
		}
		s += n + (nl ? 1 : 0);
	}
	return 0;
}

int reach_attach_paths(struct reach_eval *ev, struct reach_row *rows, size_t nrows)
{
	struct rti_hot_filter f;
	struct pscan ps;
	size_t n = 0;
	int err;

	memset(&ps, 0, sizeof(ps));
	for (size_t i = 0; i < nrows; i++)
		n += rows[i].hi - rows[i].lo;
	if (!n)
		return 0;
	ps.ev = ev;
	ps.rows = rows;
	ps.keys = calloc(n, sizeof(*ps.keys));
	if (!ps.keys)
		return -ENOMEM;
	for (size_t i = 0; i < nrows; i++)
		for (size_t k = rows[i].lo; k < rows[i].hi; k++) {
			ps.keys[ps.nkeys].scope = rows[i].scope;
			ps.keys[ps.nkeys].symbol_id = ev->hits[k].symbol_id;
			ps.keys[ps.nkeys++].row = i;
		}
	qsort(ps.keys, ps.nkeys, sizeof(*ps.keys), hkey_cmp);
	rti_buf_init(&ps.sid, 3 * REACH_MAX_NAME);
	memset(&f, 0, sizeof(f));
	f.scope = ev->o->scope;
	f.since = ev->o->since;
	f.until = ev->o->until;
	err = rti_hotsym_scan_paths(ev->h, &f, on_path, &ps);
	rti_buf_release(&ps.sid);
	free(ps.keys);
	return err;
}

void reach_rows_free(struct reach_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++)
		for (unsigned k = 0; k < rows[i].npaths; k++) {
			free(rows[i].paths[k].digest);
			free(rows[i].paths[k].frames);
		}
	free(rows);
}

size_t reach_frame_fields(const char *line, size_t n, const char *f[5], size_t len[5])
{
	const char *p = line, *end = line + n;

	for (int i = 0; i < 5; i++) {
		const char *tab = i < 4 ? memchr(p, '\t', (size_t)(end - p)) : NULL;

		f[i] = p;
		len[i] = (size_t)((tab ? tab : end) - p);
		p = tab ? tab + 1 : end;
	}
	return n;
}

long reach_bi_find(const struct reach_eval *ev, const char *code_id)
{
	size_t lo = 0, hi = ev->nbi;

	while (code_id && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ev->bi_code[mid], code_id);

		if (!c)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}
