/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQL shared by the SQLite and PostgreSQL stores: the schema's shape and
 * the read queries built from a filter (placeholders "?N" for SQLite,
 * "$N" for PostgreSQL).
 *
 * Scopes and code ids are stored once (hot_scopes, hot_codes); a symbol
 * row is keyed by (scope id, code id ref, symbol): narrow keys make a
 * flush much cheaper than text keys holding the whole symbol_id.
 */
#ifndef RTI_HOTSYM_STORE_SQL_H
#define RTI_HOTSYM_STORE_SQL_H

#include <stdbool.h>
#include <stdint.h>

#include "rti/buf.h"
#include "rti/hotsym.h"

#define HS_SQL_MAX 2048
#define HS_MAX_SPLITS 8 /* '!' positions tried when looking up a symbol_id */
#define HS_SQL_PARAMS (3 + 2 * HS_MAX_SPLITS)

enum hs_query { HS_Q_SYMBOLS, HS_Q_PATHS, HS_Q_SCOPES };

struct hs_sql {
	char sql[HS_SQL_MAX];
	int n;
	bool where; /* the statement has its WHERE already */
	bool is_int[HS_SQL_PARAMS];
	const char *text[HS_SQL_PARAMS];
	size_t text_len[HS_SQL_PARAMS]; /* bytes of text[i]; it need not end there */
	int64_t num[HS_SQL_PARAMS];
};

/* Column order of HS_Q_SYMBOLS rows. */
enum {
	HS_C_SCOPE, HS_C_CODE_ID, HS_C_SYMBOL, HS_C_MODULE,
	HS_C_HITS, HS_C_FIRST, HS_C_LAST, HS_C_PTYPES
};
/* HS_Q_PATHS: scope, stack_digest, hit_count, first_seen, last_seen */

void hs_sql_build(struct hs_sql *q, enum hs_query what, const struct rti_hot_filter *f,
		  char placeholder);

/* symbol_id = code_id "!" symbol, into b (reset first). */
int hs_symbol_id(struct rti_buf *b, const char *code_id, const char *symbol);

#endif
