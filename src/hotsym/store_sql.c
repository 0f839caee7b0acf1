/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hotsym/hotsym_int.h"
#include "util/timefmt.h"
#include "hotsym/store_sql.h"

/* Appends s; the statements fit HS_SQL_MAX by construction (a unit test
 * builds the longest one), a cut would only make the SQL invalid. */
static void add(struct hs_sql *q, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (n > sizeof(q->sql) - 1 - *len)
		n = sizeof(q->sql) - 1 - *len;
	memcpy(q->sql + *len, s, n);
	*len += n;
	q->sql[*len] = '\0';
}

/* "<col> <op> <placeholder>" for the next parameter. */
static void param(struct hs_sql *q, size_t *len, char ph, const char *col, const char *op)
{
	char tmp[96];

	snprintf(tmp, sizeof(tmp), "%s %s %c%d", col, op, ph, q->n + 1);
	add(q, len, tmp);
	q->n++;
}

static void and_where(struct hs_sql *q, size_t *len)
{
	add(q, len, q->where ? " AND " : " WHERE ");
	q->where = true;
}

static void text_param(struct hs_sql *q, const char *s, size_t n)
{
	q->text[q->n] = s;
	q->text_len[q->n] = n;
}

void hs_sql_build(struct hs_sql *q, enum hs_query what, const struct rti_hot_filter *f,
		  char ph)
{
	size_t len = 0;

	memset(q, 0, sizeof(*q));
	switch (what) {
	case HS_Q_SYMBOLS:
		add(q, &len, "SELECT s.scope, k.code_id, h.symbol, h.module, h.hit_count,"
			     " h.first_seen, h.last_seen, h.probe_types FROM hot_symbols h"
			     " JOIN hot_scopes s ON s.id = h.scope_id"
			     " JOIN hot_codes k ON k.id = h.code_ref");
		break;
	case HS_Q_PATHS:
		add(q, &len, "SELECT s.scope, h.stack_digest, h.hit_count, h.first_seen,"
			     " h.last_seen, x.frames FROM hot_paths h JOIN hot_scopes s ON s.id = h.scope_id"
			     " LEFT JOIN hot_exemplars x ON x.scope_id = h.scope_id"
			     " AND x.stack_digest = h.stack_digest");
		break;
	case HS_Q_SCOPES:
		add(q, &len, "SELECT s.scope FROM hot_scopes s WHERE EXISTS (SELECT 1"
			     " FROM hot_symbols h WHERE h.scope_id = s.id");
		q->where = true;
		break;
	}
	if (f->since.set) {
		/* entries whose [first_seen, last_seen] meets [since, until] */
		and_where(q, &len);
		q->is_int[q->n] = true;
		q->num[q->n] = rti_time_ns_saturated(&f->since);
		param(q, &len, ph, "h.last_seen", ">=");
	}
	if (f->until.set) {
		and_where(q, &len);
		q->is_int[q->n] = true;
		q->num[q->n] = rti_time_ns_saturated(&f->until);
		param(q, &len, ph, "h.first_seen", "<=");
	}
	if (what == HS_Q_SCOPES)
		add(q, &len, ")");
	if (f->scope) {
		and_where(q, &len);
		text_param(q, f->scope, strlen(f->scope));
		param(q, &len, ph, "s.scope", "=");
	}
	if (f->symbol_id && what == HS_Q_SYMBOLS) {
		/* code_id "!" symbol: every '!' may be the separator */
		const char *sid = f->symbol_id, *bang;
		int alt = 0;

		and_where(q, &len);
		add(q, &len, "(");
		for (bang = strchr(sid, '!'); bang && alt < HS_MAX_SPLITS;
		     bang = strchr(bang + 1, '!'), alt++) {
			add(q, &len, alt ? " OR (" : "(");
			text_param(q, sid, (size_t)(bang - sid));
			param(q, &len, ph, "k.code_id", "=");
			add(q, &len, " AND ");
			text_param(q, bang + 1, strlen(bang + 1));
			param(q, &len, ph, "h.symbol", "=");
			add(q, &len, ")");
		}
		add(q, &len, alt ? ")" : "FALSE)");
	}
	switch (what) {
	case HS_Q_SYMBOLS:
		add(q, &len, f->order == RTI_HOT_BY_HITS
				     ? " ORDER BY h.hit_count DESC, s.scope, k.code_id, h.symbol"
				     : " ORDER BY s.scope, k.code_id, h.symbol");
		break;
	case HS_Q_PATHS:
		add(q, &len, " ORDER BY s.scope, h.stack_digest");
		break;
	case HS_Q_SCOPES:
		add(q, &len, " ORDER BY s.scope");
		break;
	}
	if (f->limit && what == HS_Q_SYMBOLS) {
		char tmp[40];

		snprintf(tmp, sizeof(tmp), " LIMIT %llu", (unsigned long long)f->limit);
		add(q, &len, tmp);
	}
}

int hs_symbol_id(struct rti_buf *b, const char *code_id, const char *symbol)
{
	rti_buf_reset(b);
	if (rti_buf_addstr(b, code_id) || rti_buf_addch(b, '!') || rti_buf_addstr(b, symbol))
		return -ENOBUFS;
	return 0;
}
